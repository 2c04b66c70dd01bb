package graph

import (
	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// pageCost is the number of nodes a connection may return with these paging
// arguments: first or last, else the default page size.
func pageCost(first, last *int) int {
	switch {
	case first != nil && *first > 0:
		return *first
	case last != nil && *last > 0:
		return *last
	case first != nil || last != nil:
		return 0
	}
	return portfolio.DefaultPageSize
}

// connection is the cost of a connection: as public GraphQL APIs count it,
// the nodes it may return times what each costs, plus one for the field;
// the nodes are at most its page size and at most the longest such list in
// the data (bound).
func connection(child int, first, last *int, bound int) int {
	n := min(pageCost(first, last), portfolio.Bound(bound))
	if n == 0 {
		return 1
	}
	return portfolio.ListCost(child, n)
}

// Complexity returns the cost model of the schema, which bounds the number
// of values an answer can hold: a connection costs its page size times its
// selection, a list its longest length in the data (bounds, read when the
// cost is computed) times its selection, a list whose length the schema
// fixes (phases, domains, a timeline's points) that length times its
// selection, and every other field one plus its selection.
func Complexity(bounds func() portfolio.ListBounds) ComplexityRoot {
	var c ComplexityRoot
	list := func(n func(b portfolio.ListBounds) int) func(int) int {
		return func(child int) int { return portfolio.ListCost(child, n(bounds())) }
	}
	fixed := func(n int) func(int) int {
		return func(child int) int { return portfolio.ListCost(child, n) }
	}
	phases, domains, statuses, decisions := len(portfolio.Phases), len(portfolio.Domains), len(portfolio.MissionStatuses)+1, len(portfolio.Decisions)

	c.Query.Startups = func(child int, _ *portfolio.StartupFilter, _ []*portfolio.StartupOrder, _ *portfolio.Date, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().Startups)
	}
	c.Query.Incubators = func(child int, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().Incubators)
	}
	c.Query.Organisations = func(child int, _ *string, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().Organisations)
	}
	c.Query.Members = func(child int, _ *portfolio.MemberFilter, _ []*portfolio.MemberOrder, _ *portfolio.Date, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().Members)
	}
	c.Query.Committees = func(child int, _ *portfolio.CommitteeFilter, _ []*portfolio.CommitteeOrder, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().AllCommittees)
	}
	c.Query.AuditLog = func(child int, _ *model.AuditFilter, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().AuditEntries)
	}
	c.Query.Nodes = func(child int, ids []string) int { return portfolio.ListCost(child, len(ids)) }
	c.Query.Phases = fixed(phases)
	c.Incubator.Startups = func(child int, _ *portfolio.StartupFilter, _ []*portfolio.StartupOrder, _ *portfolio.Date, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().IncubatorStartups)
	}
	c.Incubator.Teams = list(func(b portfolio.ListBounds) int { return b.IncubatorTeams })
	c.Organisation.SponsoredStartups = func(child int, _ *portfolio.StartupFilter, _ []*portfolio.StartupOrder, _ *portfolio.Date, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().SponsorStartups)
	}
	c.Organisation.Incubators = list(func(b portfolio.ListBounds) int { return b.OrganisationIncubators })
	c.Team.Members = list(func(b portfolio.ListBounds) int { return b.TeamMembers })
	c.Member.Missions = func(child int, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().MemberMissions)
	}
	c.Member.Competences = list(func(b portfolio.ListBounds) int { return b.MemberCompetences })
	c.Member.Startups = list(func(b portfolio.ListBounds) int { return b.MemberStartups })
	c.Member.Teams = list(func(b portfolio.ListBounds) int { return b.MemberTeams })
	c.Mission.Startups = list(func(b portfolio.ListBounds) int { return b.MissionStartups })
	c.Startup.Missions = func(child int, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().StartupMissions)
	}
	c.Startup.Sponsors = list(func(b portfolio.ListBounds) int { return b.Sponsors })
	c.Startup.Phases = list(func(b portfolio.ListBounds) int { return b.Phases })
	c.Startup.Team = func(child int, _ *portfolio.Date) int { return portfolio.ListCost(child, bounds().Team) }
	c.Startup.Intrapreneurs = func(child int, _ *portfolio.Date) int { return portfolio.ListCost(child, bounds().Team) }
	c.Startup.Committees = list(func(b portfolio.ListBounds) int { return b.Committees })
	c.Startup.Events = list(func(b portfolio.ListBounds) int { return b.Events })
	c.Startup.Thematiques = list(func(b portfolio.ListBounds) int { return b.Thematiques })
	c.Startup.Usertypes = list(func(b portfolio.ListBounds) int { return b.Usertypes })
	c.Startup.Techno = list(func(b portfolio.ListBounds) int { return b.Techno })
	c.Portfolio.ByPhase = fixed(phases)
	c.Portfolio.ReviewStatuses = fixed(len(portfolio.ReviewStatuses))
	c.Portfolio.ByIncubator = list(func(b portfolio.ListBounds) int { return b.Incubators })
	c.Portfolio.BySponsor = list(func(b portfolio.ListBounds) int { return b.Organisations })
	c.Portfolio.ByThematique = list(func(b portfolio.ListBounds) int { return b.ThemeLabels })
	c.Portfolio.MembersByDomain = fixed(domains)
	c.Portfolio.MembersByStatus = fixed(statuses)
	c.Portfolio.PhaseDurations = fixed(phases)
	c.Portfolio.CommitteeDecisions = func(child int, _, _ *portfolio.Date) int { return portfolio.ListCost(child, decisions) }
	c.Portfolio.Timeline = func(child int, from portfolio.Date, to *portfolio.Date, every portfolio.Every) int {
		return portfolio.ListCost(child, timelinePoints(from, to, every))
	}
	c.TimelinePoint.ByPhase = fixed(phases)
	c.Viewer.Incubators = list(func(b portfolio.ListBounds) int { return b.Incubators })
	reviewComplexity(&c, bounds)
	committeeComplexity(&c, bounds)
	briefComplexity(&c, bounds)
	return c
}

// timelinePoints is the number of points a timeline may have: from its
// arguments when both ends are given, else (to defaults to an enclosing
// asOf the cost model cannot see) the most a timeline may have.
func timelinePoints(from portfolio.Date, to *portfolio.Date, every portfolio.Every) int {
	if to == nil {
		return portfolio.MaxTimelinePoints
	}
	dates, err := portfolio.TimelineDates(from, *to, every)
	if err != nil {
		return portfolio.MaxTimelinePoints
	}
	return len(dates)
}
