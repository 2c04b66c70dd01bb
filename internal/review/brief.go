package review

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
)

// The brief of a startup's next investment committee (« dossier de
// comité », issue 19 §3): /review/startups/{slug}/comite, a printable A4
// page of Startup.committeeBrief. It covers what happened since the last
// committee held, or since the start of incubation when none is on record:
// the period and its phases, the last committee's ask and success criteria
// to review, the team then and now, the events and FAST, then the quality
// markers and the checks with a plain verdict. Each part is a section of
// its own (its query, « Voir la requête »), as on the other pages.

// briefSections are the sections of the brief, in the page's order.
func briefSections() []*section {
	return []*section{briefPeriod, briefLastCommittee, briefTeam, briefEvents, briefChecks}
}

// briefVars are the variables of the brief's queries.
func briefVars(p *params) map[string]any {
	return map[string]any{"slug": p.slug, "asOf": p.AsOf.String()}
}

// briefPeriod: the period, the committee planned, the phases.
var briefPeriod = newSection[briefData](section{
	ID:    "dossier-periode",
	Title: "Période et phases",
	Query: `query BriefPeriod($slug: String!, $asOf: Date) {
  startup(slug: $slug) {
    committeeBrief(asOf: $asOf) {
      asOf
      since
      sinceBasis
      lastCommittee { date decision nextPhase }
      plannedCommittee { id date }
      nextCommitteeDue
      reviewStatus
      phases { phase start end durationDays }
    }
  }
}`,
	Vars: briefVars,
})

// briefLastCommittee: what the last committee decided, the team's ask and
// the success criteria the next one judges the period by.
var briefLastCommittee = newSection[briefData](section{
	ID:    "dossier-dernier-comite",
	Title: "Le dernier comité : demande et critères de succès à revoir",
	Query: `query BriefLastCommittee($slug: String!, $asOf: Date) {
  startup(slug: $slug) {
    committeeBrief(asOf: $asOf) {
      lastCommittee {
        date
        decision
        nextPhase
        budgetEuros
        nextDue
        comment
        ask { teamProfile envelopeEuros months }
        hypotheses
        successCriteria
        documentUrl
        attendees { member { fullname } organisation { name acronym } name role }
      }
    }
  }
}`,
	Vars: briefVars,
})

// briefTeam: the team at both ends of the period, and who came and left.
var briefTeam = newSection[briefData](section{
	ID:    "dossier-equipe",
	Title: "L'équipe, alors et maintenant",
	Query: `query BriefTeam($slug: String!, $asOf: Date) {
  startup(slug: $slug) {
    committeeBrief(asOf: $asOf) {
      since
      teamThen { ...team }
      teamNow { ...team }
      arrivals { member { fullname } role domain status start end }
      departures { member { fullname } role domain status start end }
    }
  }
}

fragment team on BriefTeam {
  date
  size
  byDomain { domain count }
  byStatus { status count }
  publicAgents
  freelancers
  intrapreneurs { fullname }
}`,
	Vars: briefVars,
})

// briefEvents: the events of the period and FAST.
var briefEvents = newSection[briefData](section{
	ID:    "dossier-evenements",
	Title: "Événements et FAST",
	Query: `query BriefEvents($slug: String!, $asOf: Date) {
  startup(slug: $slug) {
    committeeBrief(asOf: $asOf) {
      since
      events { name date comment }
      fast { promotion amountEuros }
    }
  }
}`,
	Vars: briefVars,
})

// briefChecks: the quality markers and their links, and the checks.
var briefChecks = newSection[briefData](section{
	ID:    "dossier-verifications",
	Title: "Qualité et vérifications",
	Query: `query BriefChecks($slug: String!, $asOf: Date) {
  startup(slug: $slug) {
    statsUrl impactUrl budgetUrl dashlordUrl
    securityHomologation riskAnalysis riskAnalysisUrl
    accessibility accessibilityStatus
    committeeBrief(asOf: $asOf) {
      checks { check label passed verdict }
    }
  }
}`,
	Vars: briefVars,
})

// briefData is the answer of the brief's sections: each asks for part of
// it.
type briefData struct {
	Startup *struct {
		qualityFields
		CommitteeBrief struct {
			AsOf, Since      portfolio.Date
			SinceBasis       string
			LastCommittee    *briefCommittee
			PlannedCommittee *struct {
				ID   string
				Date portfolio.Date
			}
			NextCommitteeDue portfolio.Date
			ReviewStatus     portfolio.ReviewStatus
			Phases           []phasePeriod
			TeamThen         briefTeamView
			TeamNow          briefTeamView
			Arrivals         []teamMember
			Departures       []teamMember
			Events           []event
			Fast             *fastRef
			Checks           []struct {
				Check, Label, Verdict string
				Passed                *bool
			}
		}
	}
}

// briefCommittee is the last committee as the brief shows it.
type briefCommittee struct {
	Date        portfolio.Date
	Decision    portfolio.Decision
	NextPhase   *portfolio.Phase
	BudgetEuros *int
	NextDue     portfolio.Date
	Comment     *string
	Ask         *struct {
		TeamProfile   *string
		EnvelopeEuros *int
		Months        *int
	}
	Hypotheses      []string
	SuccessCriteria []string
	DocumentUrl     *string
	Attendees       []struct {
		Member       *struct{ Fullname string }
		Organisation *organisationRef
		Name         *string
		Role         portfolio.AttendeeRole
	}
}

// AttendeeNames writes who attended: « Anne Martin (Intrapreneur), DINUM
// (Comité de direction de la DINUM) ».
func (c *briefCommittee) AttendeeNames() []string {
	var out []string
	for _, a := range c.Attendees {
		name := ""
		switch {
		case a.Member != nil:
			name = a.Member.Fullname
		case a.Organisation != nil:
			name = a.Organisation.Name
			if a.Organisation.Acronym != "" && a.Organisation.Acronym != a.Organisation.Name {
				name = a.Organisation.Acronym
			}
		case a.Name != nil:
			name = *a.Name
		default:
			name = "(réservé aux personnes connectées)"
		}
		out = append(out, name+" ("+a.Role.Label()+")")
	}
	return out
}

// briefTeamView is the team on one end of the period.
type briefTeamView struct {
	Date     portfolio.Date
	Size     int
	ByDomain []struct {
		Domain portfolio.Domain
		Count  int
	}
	ByStatus []struct {
		Status *portfolio.MissionStatus
		Count  int
	}
	PublicAgents  *int
	Freelancers   *int
	Intrapreneurs []struct{ Fullname string }
}

// Brief returns the brief of the answer (nil when the startup is unknown).
func (d *briefData) Brief() any {
	if d.Startup == nil {
		return nil
	}
	return &d.Startup.CommitteeBrief
}

// domainRow is a domain with its counts at both ends of the period.
type domainRow struct {
	Label      string
	Then, Now  int
	Difference string
}

// DomainRows compares the team by domain at both ends of the period, in
// the domains' order, those with a member at either end.
func (d *briefData) DomainRows() []domainRow {
	b := &d.Startup.CommitteeBrief
	var out []domainRow
	for _, dom := range portfolio.Domains {
		r := domainRow{Label: dom.Label()}
		for _, c := range b.TeamThen.ByDomain {
			if c.Domain == dom {
				r.Then = c.Count
			}
		}
		for _, c := range b.TeamNow.ByDomain {
			if c.Domain == dom {
				r.Now = c.Count
			}
		}
		if r.Then+r.Now > 0 {
			r.Difference = signed(r.Now - r.Then)
			out = append(out, r)
		}
	}
	return out
}

// StatusRows compares the team by mission status at both ends (nil when
// the caller may not read statuses).
func (d *briefData) StatusRows() []domainRow {
	b := &d.Startup.CommitteeBrief
	if b.TeamNow.ByStatus == nil && b.TeamThen.ByStatus == nil {
		return nil
	}
	count := func(l []struct {
		Status *portfolio.MissionStatus
		Count  int
	}, s *portfolio.MissionStatus) int {
		for _, c := range l {
			if (c.Status == nil && s == nil) || (c.Status != nil && s != nil && *c.Status == *s) {
				return c.Count
			}
		}
		return 0
	}
	var out []domainRow
	for _, st := range portfolio.MissionStatuses {
		r := domainRow{Label: st.Label(), Then: count(b.TeamThen.ByStatus, &st), Now: count(b.TeamNow.ByStatus, &st)}
		r.Difference = signed(r.Now - r.Then)
		out = append(out, r)
	}
	if r := (domainRow{Label: "Non précisé", Then: count(b.TeamThen.ByStatus, nil), Now: count(b.TeamNow.ByStatus, nil)}); r.Then+r.Now > 0 {
		r.Difference = signed(r.Now - r.Then)
		out = append(out, r)
	}
	return out
}

// signed writes a difference with its sign: +2, −1, 0.
func signed(n int) string {
	switch {
	case n > 0:
		return "+" + number(n)
	case n < 0:
		return "−" + number(-n)
	}
	return "0"
}

// SinceLabel says in French what the period starts from.
func (d *briefData) SinceLabel() string {
	b := &d.Startup.CommitteeBrief
	switch b.SinceBasis {
	case portfolio.BriefSinceLastCommittee:
		return "depuis le dernier comité, le " + longDate(b.Since)
	case portfolio.BriefSinceIncubationStart:
		return "depuis le début de l'incubation, le " + longDate(b.Since) + " (aucun comité enregistré)"
	}
	return "aucune phase datée ni aucun comité enregistré"
}

// BriefURL returns the address of a startup's brief, at the page's date.
func (p *params) BriefURL(slug string) string {
	return p.link("/review/startups/"+url.PathEscape(slug)+"/comite", func(q url.Values) { q.Del("from") })
}

// briefPage serves /review/startups/{slug}/comite.
func (h *handler) briefPage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx, id, p, ok := h.begin(w, r)
	if !ok {
		return
	}
	p.slug = r.PathValue("slug")
	if bad := rawtext.String("slug", p.slug); bad != nil {
		h.badRequest(w, r, id, &badParam{fmt.Sprintf("L'adresse de la page n'est pas du texte valide (UTF-8) au caractère %d de l'identifiant de la startup : recopiez-la.", bad.Pos)})
		return
	}
	head := runOne(ctx, h.runner, h.cfg.Logger, h.cfg.Playground, p, startupHead)
	d, _ := head.Data.(*startupHeadData)
	if head.Failure == "" && (d == nil || d.Startup == nil) {
		h.errorPage(w, r, id, portfolio.ENotFound, "Startup introuvable", fmt.Sprintf("Aucune startup n’a l’identifiant « %s ».", p.slug))
		return
	}
	p.name = p.slug
	if d != nil && d.Startup != nil {
		p.name = d.Startup.Name
	}
	pg := h.newPage(ctx, r, id, p)
	pg.Head = head
	pg.Title = "Dossier de comité : " + p.name
	pg.Heading = "Dossier de comité d'investissement"
	pg.Breadcrumb = []crumb{
		{Label: "Revue de portefeuille", URL: p.link("/review", func(q url.Values) { q.Del("from") })},
		{Label: p.name, URL: p.StartupURL(p.slug)},
		{Label: "Dossier de comité"},
	}
	pg.Sections = run(ctx, h.runner, h.cfg.Logger, h.cfg.Playground, p, briefSections(), nil)
	h.render(w, r, "brief", pg, http.StatusOK, start)
}
