package server

import (
	"log/slog"
	"net/http"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/export"
)

// exportHandler serves /export and /export/{preset}.{ext}: the queries run
// in process through gql, the GraphQL handler without its authentication,
// with the identity the caller authenticated with.
func exportHandler(cfg Config, gql http.Handler) http.Handler {
	return export.Handler(export.Config{Schema: Schema(), GraphQL: gql, Logger: cfg.Logger})
}

// GraphQL returns the server's GraphQL handler without authentication: the
// caller's identity (portfolio.WithIdentity) must be in each request's
// context. It serves POSTs of JSON, with the loaders, @auth, limits and
// error mapping of /graphql; the export command runs its queries through
// it.
func GraphQL(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Limits = cfg.Limits.withDefaults()
	return perRequest(cfg.DB, cfg.Limits, newAnswerPool(cfg.Limits.MaxAnswerPool), newGraphQL(cfg))
}

// Schema returns the GraphQL schema of the API.
func Schema() *ast.Schema { return graph.NewExecutableSchema(graph.Config{}).Schema() }
