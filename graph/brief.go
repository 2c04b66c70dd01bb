package graph

// The brief of a startup's next investment committee (Startup.committeeBrief,
// issue 19 §3): computed whole from the startup's loaders (its phases,
// committees, events, sponsors, and its team at the period's two ends),
// with the rules of the fields it summarises (portfolio/brief.go).

import (
	"context"
	"slices"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func (r *Resolver) committeeBrief(ctx context.Context, s *portfolio.Startup, at *portfolio.Date) (*model.CommitteeBrief, error) {
	d := asOfArg(ctx, at)
	l := loaders(ctx)
	phases, err := l.Phases(ctx, s)
	if err != nil {
		return nil, err
	}
	cs, err := l.Committees(ctx, s)
	if err != nil {
		return nil, err
	}
	events, err := l.Events(ctx, s)
	if err != nil {
		return nil, err
	}
	sponsors, err := l.Sponsors(ctx, s)
	if err != nil {
		return nil, err
	}
	since, basis, last := portfolio.BriefPeriod(phases, cs, d)
	b := &model.CommitteeBrief{AsOf: d, Since: date(since), SinceBasis: model.BriefSince(basis), Fast: s.Fast,
		NextCommitteeDue: date(portfolio.NextCommitteeDueAt(phases, cs, d))}
	if last >= 0 {
		b.LastCommittee = cs[last]
	}
	if i := portfolio.PlannedCommittee(cs, d); i >= 0 {
		b.PlannedCommittee = cs[i]
	}
	if st := portfolio.ReviewStatusAt(phases, cs, d); st != "" {
		b.ReviewStatus = &st
	}
	for _, i := range portfolio.BriefPhases(phases, since, d) {
		b.Phases = append(b.Phases, &model.PhasePeriod{PhasePeriod: phases[i], DurationDays: portfolio.DaysInPhase(phases, i, d)})
	}
	if b.Phases == nil {
		b.Phases = []*model.PhasePeriod{}
	}
	// The team at both ends from every mission on the startup, read
	// once for every startup of the request (each has its own since).
	all, err := l.MissionsOnStartup(ctx, s)
	if err != nil {
		return nil, err
	}
	now := teamOn(all, d)
	var then []sqlite.TeamMember
	if !since.IsZero() {
		then = teamOn(all, since)
	}
	b.TeamNow, b.TeamThen = briefTeam(now, d), briefTeam(then, since)
	b.Arrivals, b.Departures = teamChange(then, now), teamChange(now, then)
	b.Events = []*portfolio.StartupEvent{}
	for _, e := range events {
		if !e.Date.IsZero() && e.Date <= d && (since.IsZero() || e.Date > since) {
			b.Events = append(b.Events, e)
		}
	}
	slices.SortStableFunc(b.Events, func(x, y *portfolio.StartupEvent) int { return int(x.Date - y.Date) })
	in := portfolio.BriefChecksInput{AsOf: d, SecurityHomologation: s.SecurityHomologation}
	for _, m := range b.TeamNow.Intrapreneurs {
		in.Intrapreneurs = append(in.Intrapreneurs, m.Fullname)
	}
	for _, o := range sponsors {
		name := o.Name
		if o.Acronym != "" && o.Acronym != o.Name {
			name += " (" + o.Acronym + ")"
		}
		in.Sponsors = append(in.Sponsors, name)
	}
	if u := s.OptStatsURL(); u != nil {
		in.StatsURL = *u
	}
	for _, c := range portfolio.BriefChecks(in) {
		b.Checks = append(b.Checks, &model.BriefCheck{Check: model.BriefCheckKind(c.Check), Label: c.Label, Passed: c.Passed, Verdict: c.Verdict})
	}
	return b, nil
}

// teamOn returns the team on day d from every mission on a startup (by
// start then member name), as Startup.team counts it: one entry per member
// with a mission covering d, the one that started last, by that mission's
// start then member name.
func teamOn(all []sqlite.TeamMember, d portfolio.Date) []sqlite.TeamMember {
	at := map[string]int{} // member slug → index in out
	var out []sqlite.TeamMember
	for _, t := range all {
		if !portfolio.OnMissionAt(t.Mission, d) {
			continue
		}
		if i, ok := at[t.Member.Slug]; ok {
			if p := out[i].Mission; t.Mission.Start > p.Start || (t.Mission.Start == p.Start && t.Mission.ID > p.ID) {
				out[i] = t
			}
			continue
		}
		at[t.Member.Slug] = len(out)
		out = append(out, t)
	}
	slices.SortStableFunc(out, func(a, b sqlite.TeamMember) int { return int(a.Mission.Start - b.Mission.Start) })
	return out
}

// briefTeam counts a team on day d (zero: no day, an empty team).
func briefTeam(team []sqlite.TeamMember, d portfolio.Date) *model.BriefTeam {
	t := &model.BriefTeam{Date: date(d), Size: len(team), ByDomain: []*model.DomainCount{}, Intrapreneurs: []*portfolio.Member{}}
	domains := map[portfolio.Domain]int{}
	statuses := map[portfolio.MissionStatus]int{}
	public, paid := 0, 0
	for _, m := range team {
		domains[m.Member.Domain]++
		statuses[m.Mission.Status]++
		switch m.Mission.Status {
		case portfolio.StatusAdmin:
			public++
		case portfolio.StatusIndependent, portfolio.StatusService:
			paid++
		}
		if portfolio.IntrapreneurAt(m.Member.Domain, m.Mission, d) {
			t.Intrapreneurs = append(t.Intrapreneurs, m.Member)
		}
	}
	for _, dom := range portfolio.Domains {
		if n := domains[dom]; n > 0 {
			t.ByDomain = append(t.ByDomain, &model.DomainCount{Domain: dom, Count: n})
		}
	}
	t.ByStatus = []*model.StatusCount{}
	for _, st := range portfolio.MissionStatuses {
		if n := statuses[st]; n > 0 {
			t.ByStatus = append(t.ByStatus, &model.StatusCount{Status: &st, Count: n})
		}
	}
	if n := statuses[""]; n > 0 {
		t.ByStatus = append(t.ByStatus, &model.StatusCount{Count: n})
	}
	t.PublicAgents, t.Freelancers = &public, &paid
	return t
}

// teamChange returns the members of b who are not in a, with their
// mission in b, in b's order.
func teamChange(a, b []sqlite.TeamMember) []*model.TeamMembership {
	in := make(map[string]bool, len(a))
	for _, m := range a {
		in[m.Member.Slug] = true
	}
	out := []*model.TeamMembership{}
	for _, m := range b {
		if !in[m.Member.Slug] {
			out = append(out, &model.TeamMembership{Member: m.Member, Mission: m.Mission})
		}
	}
	return out
}

// briefComplexity adds the brief's lists to the cost model: its phases,
// events and team changes their longest in the data (a team's changes at
// most the two teams), its checks and counts the schema's fixed lengths.
func briefComplexity(c *ComplexityRoot, bounds func() portfolio.ListBounds) {
	list := func(n func(b portfolio.ListBounds) int) func(int) int {
		return func(child int) int { return portfolio.ListCost(child, n(bounds())) }
	}
	c.CommitteeBrief.Phases = list(func(b portfolio.ListBounds) int { return b.Phases })
	c.CommitteeBrief.Events = list(func(b portfolio.ListBounds) int { return b.Events })
	c.CommitteeBrief.Arrivals = list(func(b portfolio.ListBounds) int { return b.Team })
	c.CommitteeBrief.Departures = list(func(b portfolio.ListBounds) int { return b.Team })
	c.CommitteeBrief.Checks = func(child int) int { return portfolio.ListCost(child, briefChecks) }
	c.BriefTeam.ByDomain = func(child int) int { return portfolio.ListCost(child, len(portfolio.Domains)) }
	c.BriefTeam.ByStatus = func(child int) int { return portfolio.ListCost(child, len(portfolio.MissionStatuses)+1) }
	c.BriefTeam.Intrapreneurs = list(func(b portfolio.ListBounds) int { return b.Team })
}

// briefChecks is the number of checks of a brief.
const briefChecks = 4
