package seed

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

var (
	sponsorCounts = newTable(50, 740, 150, 60) // 0 to 3 sponsors
	// sponsorLocals weights the organisations of a block as sponsors: a few
	// sponsor many startups, central administrations most.
	sponsorLocals = func() *table {
		w := make([]int, orgsPerBlock)
		for local := range w {
			f := 1
			switch orgKinds[orgLayout[local].kind].typ {
			case "administration-centrale":
				f = 3
			case "operateur":
				f = 2
			}
			w[local] = f * 6000 / (local + 6)
		}
		return newTable(w...)
	}()
	committeeEra  = portfolio.MustDate("2022-01-01")
	fastEra       = portfolio.MustDate("2022-01-15")
	regularChoice = newTable(700, 180, 120) // continue, adjust, unspecified
)

const (
	// committeeChance is the chance, per mille, that a startup in incubation
	// during the committee era holds investment committees.
	committeeChance = 145
	// fastChance is the chance, per mille, of a FAST grant for a startup in
	// incubation since 2022.
	fastChance = 135
)

// startupRecord builds startup i from its plan.
func startupRecord(scale int, p *plan) *portfolio.Startup {
	i := p.index
	if f := startupFixtureAt(i); f != nil {
		return f.record(p)
	}
	r := newRNG(streamStartup, i)
	name, slug := startupName(i)
	if r.chance(350) {
		name += " " + nameQualifiers[r.intn(len(nameQualifiers))]
	}
	users := pitchUsers[r.intn(len(pitchUsers))]
	action := pitchActions[r.intn(len(pitchActions))]
	s := &portfolio.Startup{
		Slug:          slug,
		Name:          name,
		Pitch:         pitch(r.intn(len(pitchTemplates)), users, action),
		IncubatorSlug: incubatorSlug(p.incubator),
	}
	s.Description = "## Problème\n\nLes " + users + " peinent aujourd'hui à " + action + ".\n\n" +
		"## Solution\n\n" + name + " leur propose un service simple, construit avec eux et amélioré en continu.\n"

	// Sponsors: organisations of the startup's block, sometimes of another.
	if n := r.pick(sponsorCounts); n > 0 {
		s.Sponsors = make([]string, 0, n)
		for len(s.Sponsors) < n {
			block := p.block
			if r.chance(80) {
				block = r.intn(scale)
			}
			sp := orgSlug(block*orgsPerBlock + r.pick(sponsorLocals))
			if !contains(s.Sponsors, sp) {
				s.Sponsors = append(s.Sponsors, sp)
			}
		}
	}

	s.Phases = make([]portfolio.PhasePeriod, p.n)
	for k := 0; k < p.n; k++ {
		s.Phases[k] = portfolio.PhasePeriod{Phase: p.spans[k].phase, Start: p.spans[k].start, Source: portfolio.SourceImported}
		if k+1 < p.n {
			s.Phases[k].End = p.spans[k+1].start
		}
	}

	committees(&r, p, s)
	events(&r, p, s)

	s.Thematiques = pickDistinct(&r, thematiques, r.pick(thematiqueCounts))
	for n := r.between(1, 3); len(s.Usertypes) < n; {
		if u := usertypes[r.pick(usertypeWeights)]; !contains(s.Usertypes, u) {
			s.Usertypes = append(s.Usertypes, u)
		}
	}
	if r.chance(600) {
		s.Techno = pickDistinct(&r, technos, r.between(1, 5))
	}

	site := "https://" + slug + ".example.org"
	if r.chance(750) {
		s.Link = site
	}
	if r.chance(500) {
		s.Repository = "https://git.example.org/" + s.IncubatorSlug + "/" + slug
	}
	if r.chance(600) {
		s.Contact = "contact@" + slug + ".example.org"
	}
	if r.chance(500) {
		s.AccessibilityStatus = accessibilityStatuses[r.intn(len(accessibilityStatuses))]
	}
	if r.chance(200) {
		s.StatsURL = site + "/stats"
	}
	if r.chance(100) {
		s.ImpactURL = site + "/impact"
	}
	if r.chance(100) {
		s.BudgetURL = site + "/budget"
	}
	if r.chance(200) {
		s.DashlordURL = "https://dashlord.example.org/startup/" + slug
	}
	reviewFields(p, s)
	return s
}

// pitch writes the startup's one-line mission.
func pitch(template int, users, action string) string {
	if template == 1 { // "Permettre aux … de …"
		if strings.IndexByte("aeiouhéèêàâîôû", portfolio.Fold(action)[0]) >= 0 {
			action = "d'" + action
		} else {
			action = "de " + action
		}
	}
	return fmt.Sprintf(pitchTemplates[template], users, action)
}

// committees adds the startup's investment committees, and an event for
// each: about every six months from some date of the committee era on,
// deciding to advance, stop or transfer right before the startup does.
func committees(r *rng, p *plan, s *portfolio.Startup) {
	first := committeeEra.AddDays(r.intn(900))
	if early := p.winStart.AddDays(r.between(20, 120)); early > first {
		first = early
	}
	end := p.activeEnd()
	limit := end
	if end == RefDate && r.chance(250) {
		limit = RefDate.AddDays(-r.between(portfolio.OverdueAfterDays+1, 420)) // the committees stopped: overdue
	}
	if first >= end || !r.chance(committeeChance) {
		return
	}
	for c := first; c <= limit; {
		gap := r.between(150, 200)
		var (
			dec  portfolio.Decision
			next portfolio.Phase
			text string
		)
		if t, ph := p.nextStart(c); !t.IsZero() && t <= c.AddDays(gap) {
			if d := t.AddDays(-r.between(7, 40)); d > c {
				c = d
			}
			if c > limit {
				break
			}
			next = ph
			switch ph {
			case portfolio.PhaseAbandoned, portfolio.PhaseInvestigationAbandoned:
				dec, text = portfolio.DecisionStop, stopComments[r.intn(len(stopComments))]
			case portfolio.PhaseTransferred:
				dec, text = portfolio.DecisionTransfer, transferComments[r.intn(len(transferComments))]
			case portfolio.PhaseOperated:
				dec, text = portfolio.DecisionTransfer, operateComments[r.intn(len(operateComments))]
			default:
				label := strings.TrimPrefix(strings.ToLower(ph.Label()), "en ")
				dec, text = portfolio.DecisionAdvance, "Validation du passage en "+label+"."
			}
		} else {
			switch r.pick(regularChoice) {
			case 0:
				dec, text = portfolio.DecisionContinue, continueComments[r.intn(len(continueComments))]
			case 1:
				dec, text = portfolio.DecisionAdjust, adjustComments[r.intn(len(adjustComments))]
			default:
				dec, text = portfolio.DecisionUnspecified, unspecifiedComments[r.intn(len(unspecifiedComments))]
			}
		}
		cm := portfolio.Committee{
			Slug:        s.Slug + "/" + c.String(),
			StartupSlug: s.Slug,
			Date:        c,
			Decision:    dec,
			NextPhase:   next,
			Comment:     text,
			Source:      portfolio.SourceImported,
		}
		if dec != portfolio.DecisionStop && r.chance(850) {
			b := budget(r, p.phaseAt(c), dec)
			cm.BudgetEuros = &b
		}
		if next.Active() || next == "" {
			cm.NextCommitteeDue = c.AddMonths(6)
		}
		s.Committees = append(s.Committees, cm)
		s.Events = append(s.Events, portfolio.StartupEvent{Name: "committee", Date: c, Comment: text})
		if next != "" && !next.Active() {
			break
		}
		c = c.AddDays(gap)
	}
}

// budget draws the round budget a committee grants for the next period.
func budget(r *rng, ph portfolio.Phase, dec portfolio.Decision) int64 {
	if dec == portfolio.DecisionTransfer {
		return int64(r.between(1, 6)) * 50_000
	}
	switch ph {
	case portfolio.PhaseInvestigation:
		return int64(r.between(5, 15)) * 10_000
	case portfolio.PhaseConstruction:
		return int64(r.between(4, 12)) * 50_000
	case portfolio.PhaseAcceleration:
		return int64(r.between(8, 24)) * 50_000
	default:
		return int64(r.between(4, 16)) * 50_000
	}
}

// events adds the startup's launches, impacts, FAST grant, end and other
// events, then sorts all its events by date.
func events(r *rng, p *plan, s *portfolio.Startup) {
	end := p.activeEnd()
	for k := 0; k < p.n; k++ {
		sp := p.spans[k]
		until := RefDate
		if k+1 < p.n {
			until = p.spans[k+1].start
		}
		switch {
		case sp.phase == portfolio.PhaseConstruction && r.chance(380):
			if d := sp.start.AddDays(r.between(60, 300)); d < until {
				s.Events = append(s.Events, portfolio.StartupEvent{Name: "product_launch", Date: d, Comment: launchComments[r.intn(len(launchComments))]})
			}
		case sp.phase == portfolio.PhaseAcceleration && r.chance(300):
			if d := sp.start.AddDays(r.between(90, 500)); d < until {
				s.Events = append(s.Events, portfolio.StartupEvent{Name: "national_impact", Date: d, Comment: impactComments[r.intn(len(impactComments))]})
			}
		case !sp.phase.Active() && sp.phase != portfolio.PhaseInvestigationAbandoned && r.chance(250):
			s.Events = append(s.Events, portfolio.StartupEvent{Name: "end", Date: sp.start, Comment: "Fin de l'accompagnement par l'incubateur."})
		}
	}
	// FAST funds teams that build: from construction on.
	built := portfolio.Date(0)
	for k := 0; k < p.n && built.IsZero(); k++ {
		if ph := p.spans[k].phase; ph.Active() && ph != portfolio.PhaseInvestigation {
			built = p.spans[k].start
		}
	}
	if !built.IsZero() && end > fastEra && r.chance(fastChance) {
		g := max(fastEra, built).AddDays(r.between(30, 400))
		if g < end {
			promo := (g.Year()-2022)*2 + 1
			if g.Time().Month() >= 7 {
				promo++
			}
			s.Fast = &portfolio.Fast{Promotion: promo, AmountEuros: int64(r.between(5, 40)) * 10_000}
			s.Events = append(s.Events, portfolio.StartupEvent{Name: "fast", Date: g, Comment: "Lauréat FAST, promotion " + strconv.Itoa(promo) + "."})
		}
	}
	if r.chance(100) && end > p.winStart {
		d := p.winStart.AddDays(r.intn(end.DaysSince(p.winStart)))
		s.Events = append(s.Events, portfolio.StartupEvent{Name: "other", Date: d, Comment: otherEventComments[r.intn(len(otherEventComments))]})
	}
	sortEvents(s.Events)
}

// sortEvents sorts events by date. Insertion sort, stable: a startup has a
// handful of events.
func sortEvents(ev []portfolio.StartupEvent) {
	for a := 1; a < len(ev); a++ {
		for b := a; b > 0 && ev[b].Date < ev[b-1].Date; b-- {
			ev[b], ev[b-1] = ev[b-1], ev[b]
		}
	}
}

// pickDistinct returns n distinct words of list, in the order drawn.
func pickDistinct(r *rng, list []string, n int) []string {
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for len(out) < n {
		if w := list[r.intn(len(list))]; !contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
