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
		Resolvers:  &Resolver{DB: db},
		Directives: DirectiveRoot{Auth: Auth},
		Complexity: Complexity(db.CachedListBounds),
	})
}

// Schema returns the GraphQL schema of the API.
func Schema() *ast.Schema { return NewExecutableSchema(Config{}).Schema() }
