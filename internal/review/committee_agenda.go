package review

import (
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The committees of the coming days (Query.committeeAgenda, issue 19 §2
// and §4): the committees planned and the committees due from asOf to
// dueSoonDays later (and those already late), each with who the records
// expect and the roles they leave empty; a manager plans a due one, or
// cancels a planned one, from the row itself, and records a planned one
// as held on the startup's page.

// agendaRows is how many entries of the agenda the page shows (its export
// has them all): each entry reads who is expected, and at 100 times the
// real network (1,174 entries in 60 days; the real network has 56) the
// page's query took 0.18 to 0.37 s for 200 entries, 0.40 to 0.68 s for
// 1,000 (docs/reliability.md).
const agendaRows = 200

// committeeAgendaSection: the agenda of the window.
var committeeAgendaSection = newSection[committeeAgendaData](section{
	ID:    "comites-prevus",
	Title: "Comités prévus et à planifier",
	Group: agendaGroup,
	Query: `query ReviewCommitteeAgenda($from: Date!, $to: Date!, $filter: StartupFilter, $first: Int, $after: String) {
  committeeAgenda(from: $from, to: $to, filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      date
      state
      reviewStatus
      nextCommitteeDue
      startup { slug name incubator { slug title } }
      committee { id version }
      expectedAttendees { role member { fullname } organisation { name acronym } name }
      missingRoles { role label }
    }
  }
}`,
	Vars: func(p *params) map[string]any {
		return map[string]any{"from": p.AsOf.String(), "to": p.dueSoonEnd().String(), "filter": p.filter(), "first": agendaRows}
	},
	Export: func(p *params, query string, vars map[string]any) string { return sectionExport(p, "comites-prevus") },
})

type committeeAgendaData struct {
	CommitteeAgenda struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Nodes []agendaEntry
	}
}

// agendaEntry is an entry of the agenda.
type agendaEntry struct {
	Date             portfolio.Date
	State            portfolio.AgendaState
	ReviewStatus     portfolio.ReviewStatus
	NextCommitteeDue portfolio.Date
	Startup          struct {
		Slug, Name string
		Incubator  *incubatorRef
	}
	Committee *struct {
		ID      string
		Version int
	}
	ExpectedAttendees []struct {
		Role         portfolio.AttendeeRole
		Member       *struct{ Fullname string }
		Organisation *organisationRef
		Name         *string
	}
	MissingRoles []struct {
		Role  portfolio.AttendeeRole
		Label string
	}
}

// Count is how many entries the section shows.
func (d *committeeAgendaData) Count() int { return len(d.CommitteeAgenda.Nodes) }

// Total is how many entries the agenda has.
func (d *committeeAgendaData) Total() int { return d.CommitteeAgenda.TotalCount }

// HasMore reports whether the agenda has more entries than the section shows.
func (d *committeeAgendaData) HasMore() bool { return d.CommitteeAgenda.PageInfo.HasNextPage }

// MissingIntrapreneur counts the entries without an intrapreneur on the
// committee's day.
func (d *committeeAgendaData) MissingIntrapreneur() int {
	n := 0
	for _, e := range d.CommitteeAgenda.Nodes {
		for _, m := range e.MissingRoles {
			if m.Role == portfolio.RoleIntrapreneur {
				n++
			}
		}
	}
	return n
}

// IncubatorSlug returns the entry's incubator ("" for none).
func (e *agendaEntry) IncubatorSlug() string {
	if e.Startup.Incubator == nil {
		return ""
	}
	return e.Startup.Incubator.Slug
}

// Planned reports whether the entry is a committee planned.
func (e *agendaEntry) Planned() bool { return e.State == portfolio.AgendaPlanned }

// StateLabel is the entry's state in French.
func (e *agendaEntry) StateLabel() string { return e.State.Label() }

// StatusLabel is the startup's review status in French ("" out of incubation).
func (e *agendaEntry) StatusLabel() string { return statusLabel(e.ReviewStatus) }

// StatusBadge is the DSFR badge class of the review status.
func (e *agendaEntry) StatusBadge() string { return statusBadges[e.ReviewStatus] }

// Expected writes who the records expect: « Inès Intra (Intrapreneur),
// MIN (Sponsor) ».
func (e *agendaEntry) Expected() string {
	var out []string
	for _, a := range e.ExpectedAttendees {
		name := ""
		switch {
		case a.Member != nil:
			name = a.Member.Fullname
		case a.Organisation != nil:
			name = a.Organisation.Name
			if a.Organisation.Acronym != "" {
				name = a.Organisation.Acronym
			}
		case a.Name != nil:
			name = *a.Name
		}
		out = append(out, name+" ("+a.Role.Label()+")")
	}
	return strings.Join(out, ", ")
}

// Missing writes the roles the records leave empty.
func (e *agendaEntry) Missing() string {
	var out []string
	for _, m := range e.MissingRoles {
		out = append(out, m.Label)
	}
	return strings.Join(out, " ; ")
}

// PlanDate is the day a plan form proposes: the due day, or asOf for a
// committee already late.
func (e *agendaEntry) PlanDate(p *params) portfolio.Date {
	if e.Date < p.AsOf {
		return p.AsOf
	}
	return e.Date
}

// AgendaEnd is the last day of the agenda's window, for the templates.
func (p *params) AgendaEnd() portfolio.Date { return p.dueSoonEnd() }
