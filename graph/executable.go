package graph

import (
	"runtime"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/live"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Executable returns the executable schema of the API over db: the
// resolvers, the @auth directive and the cost model with the data's list
// bounds. The HTTP server runs it (server.Config.Schema); db may be nil for
// a server that only serves pages.
//
// The questions dashboards ask most are answered by the fast path
// (fast.go), the others by gqlgen's executor.
func Executable(db *sqlite.DB) graphql.ExecutableSchema {
	return ExecutableLive(db, nil)
}

// ExecutableLive is Executable with the change feed that subscriptions
// read (nil: subscriptions are refused).
func ExecutableLive(db *sqlite.DB, feed *live.Feed) graphql.ExecutableSchema {
	r := newResolvers(&Resolver{DB: db, Feed: feed})
	es := NewExecutableSchema(Config{
		Resolvers:  r,
		Directives: DirectiveRoot{Auth: Auth},
		Complexity: Complexity(db.CachedListBounds),
	}).(*executableSchema)
	return &fastSchema{executableSchema: es, r: r, plans: newPlanCache(planCacheBytes), spare: int32(max(1, runtime.GOMAXPROCS(0)/2)), slowCall: slowResolver}
}

// Schema returns the GraphQL schema of the API.
func Schema() *ast.Schema { return NewExecutableSchema(Config{}).Schema() }

// resolvers is the ResolverRoot the executable schema runs: the Resolver,
// with each type's resolver made once. gqlgen asks the root for a type's
// resolver at every field it resolves, and the Resolver's own methods
// (kept as gqlgen writes them) make a new one each time: an allocation a
// field. A type added to the schema is served by the Resolver's method
// until it is listed here.
type resolvers struct {
	*Resolver
	committee           CommitteeResolver
	committeeAgenda     CommitteeAgendaEntryResolver
	committeeAttendee   CommitteeAttendeeResolver
	incubator           IncubatorResolver
	incubatorCount      IncubatorCountResolver
	incubatorInvestment IncubatorInvestmentResolver
	investment          InvestmentResolver
	member              MemberResolver
	mission             MissionResolver
	mutation            MutationResolver
	organisation        OrganisationResolver
	organisationCount   OrganisationCountResolver
	portfolio           PortfolioResolver
	query               QueryResolver
	sponsorInvestment   SponsorInvestmentResolver
	startup             StartupResolver
	startupEvent        StartupEventResolver
	team                TeamResolver
	viewer              ViewerResolver
}

func newResolvers(r *Resolver) *resolvers {
	return &resolvers{
		Resolver:            r,
		committee:           r.Committee(),
		committeeAgenda:     r.CommitteeAgendaEntry(),
		committeeAttendee:   r.CommitteeAttendee(),
		incubator:           r.Incubator(),
		incubatorCount:      r.IncubatorCount(),
		incubatorInvestment: r.IncubatorInvestment(),
		investment:          r.Investment(),
		member:              r.Member(),
		mission:             r.Mission(),
		mutation:            r.Mutation(),
		organisation:        r.Organisation(),
		organisationCount:   r.OrganisationCount(),
		portfolio:           r.Portfolio(),
		query:               r.Query(),
		sponsorInvestment:   r.SponsorInvestment(),
		startup:             r.Startup(),
		startupEvent:        r.StartupEvent(),
		team:                r.Team(),
		viewer:              r.Viewer(),
	}
}

// Committee returns the Committee resolver made once.
func (r *resolvers) Committee() CommitteeResolver { return r.committee }

// CommitteeAgendaEntry returns the CommitteeAgendaEntry resolver made once.
func (r *resolvers) CommitteeAgendaEntry() CommitteeAgendaEntryResolver { return r.committeeAgenda }

// CommitteeAttendee returns the CommitteeAttendee resolver made once.
func (r *resolvers) CommitteeAttendee() CommitteeAttendeeResolver { return r.committeeAttendee }

// Incubator returns the Incubator resolver made once.
func (r *resolvers) Incubator() IncubatorResolver { return r.incubator }

// IncubatorCount returns the IncubatorCount resolver made once.
func (r *resolvers) IncubatorCount() IncubatorCountResolver { return r.incubatorCount }

// IncubatorInvestment returns the IncubatorInvestment resolver made once.
func (r *resolvers) IncubatorInvestment() IncubatorInvestmentResolver { return r.incubatorInvestment }

// Investment returns the Investment resolver made once.
func (r *resolvers) Investment() InvestmentResolver { return r.investment }

// Member returns the Member resolver made once.
func (r *resolvers) Member() MemberResolver { return r.member }

// Mission returns the Mission resolver made once.
func (r *resolvers) Mission() MissionResolver { return r.mission }

// Mutation returns the Mutation resolver made once.
func (r *resolvers) Mutation() MutationResolver { return r.mutation }

// Organisation returns the Organisation resolver made once.
func (r *resolvers) Organisation() OrganisationResolver { return r.organisation }

// OrganisationCount returns the OrganisationCount resolver made once.
func (r *resolvers) OrganisationCount() OrganisationCountResolver { return r.organisationCount }

// Portfolio returns the Portfolio resolver made once.
func (r *resolvers) Portfolio() PortfolioResolver { return r.portfolio }

// Query returns the Query resolver made once.
func (r *resolvers) Query() QueryResolver { return r.query }

// SponsorInvestment returns the SponsorInvestment resolver made once.
func (r *resolvers) SponsorInvestment() SponsorInvestmentResolver { return r.sponsorInvestment }

// Startup returns the Startup resolver made once.
func (r *resolvers) Startup() StartupResolver { return r.startup }

// StartupEvent returns the StartupEvent resolver made once.
func (r *resolvers) StartupEvent() StartupEventResolver { return r.startupEvent }

// Team returns the Team resolver made once.
func (r *resolvers) Team() TeamResolver { return r.team }

// Viewer returns the Viewer resolver made once.
func (r *resolvers) Viewer() ViewerResolver { return r.viewer }
