package graph

import (
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Executable returns the executable schema of the API over db: the
// resolvers, the @auth directive and the cost model with the data's list
// bounds. The HTTP server runs it (server.Config.Schema); db may be nil for
// a server that only serves pages.
func Executable(db *sqlite.DB) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{
		Resolvers:  newResolvers(&Resolver{DB: db}),
		Directives: DirectiveRoot{Auth: Auth},
		Complexity: Complexity(db.CachedListBounds),
	})
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
	committee         CommitteeResolver
	incubator         IncubatorResolver
	incubatorCount    IncubatorCountResolver
	member            MemberResolver
	mission           MissionResolver
	mutation          MutationResolver
	organisation      OrganisationResolver
	organisationCount OrganisationCountResolver
	portfolio         PortfolioResolver
	query             QueryResolver
	startup           StartupResolver
	team              TeamResolver
	viewer            ViewerResolver
}

func newResolvers(r *Resolver) *resolvers {
	return &resolvers{
		Resolver:          r,
		committee:         r.Committee(),
		incubator:         r.Incubator(),
		incubatorCount:    r.IncubatorCount(),
		member:            r.Member(),
		mission:           r.Mission(),
		mutation:          r.Mutation(),
		organisation:      r.Organisation(),
		organisationCount: r.OrganisationCount(),
		portfolio:         r.Portfolio(),
		query:             r.Query(),
		startup:           r.Startup(),
		team:              r.Team(),
		viewer:            r.Viewer(),
	}
}

func (r *resolvers) Committee() CommitteeResolver                 { return r.committee }
func (r *resolvers) Incubator() IncubatorResolver                 { return r.incubator }
func (r *resolvers) IncubatorCount() IncubatorCountResolver       { return r.incubatorCount }
func (r *resolvers) Member() MemberResolver                       { return r.member }
func (r *resolvers) Mission() MissionResolver                     { return r.mission }
func (r *resolvers) Mutation() MutationResolver                   { return r.mutation }
func (r *resolvers) Organisation() OrganisationResolver           { return r.organisation }
func (r *resolvers) OrganisationCount() OrganisationCountResolver { return r.organisationCount }
func (r *resolvers) Portfolio() PortfolioResolver                 { return r.portfolio }
func (r *resolvers) Query() QueryResolver                         { return r.query }
func (r *resolvers) Startup() StartupResolver                     { return r.startup }
func (r *resolvers) Team() TeamResolver                           { return r.team }
func (r *resolvers) Viewer() ViewerResolver                       { return r.viewer }
