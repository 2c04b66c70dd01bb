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
// the nodes it may return times what each costs, plus one for the field.
func connection(child int, first, last *int) int {
	n := pageCost(first, last)
	if n == 0 {
		return 1
	}
	if child > (1<<31)/n { // saturate rather than overflow
		return 1 << 31
	}
	return 1 + n*child
}

// Complexity returns the cost model of the schema: connections cost their
// page size times their children; every other field costs one plus its
// children (gqlgen's default).
func Complexity() ComplexityRoot {
	var c ComplexityRoot
	c.Query.Startups = func(child int, _ *portfolio.StartupFilter, _ []*portfolio.StartupOrder, _ *portfolio.Date, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Query.Incubators = func(child int, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Query.Organisations = func(child int, _ *string, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Query.Members = func(child int, _ *portfolio.MemberFilter, _ []*portfolio.MemberOrder, _ *portfolio.Date, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Query.Committees = func(child int, _ *portfolio.CommitteeFilter, _ []*portfolio.CommitteeOrder, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Query.AuditLog = func(child int, _ *model.AuditFilter, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Query.Nodes = func(child int, ids []string) int { return 1 + len(ids)*child }
	c.Incubator.Startups = func(child int, _ *portfolio.StartupFilter, _ []*portfolio.StartupOrder, _ *portfolio.Date, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Organisation.SponsoredStartups = func(child int, _ *portfolio.StartupFilter, _ []*portfolio.StartupOrder, _ *portfolio.Date, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Member.Missions = func(child int, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	c.Startup.Missions = func(child int, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last)
	}
	return c
}
