// Package graph is the GraphQL layer: the code gqlgen generates from
// schema.graphqls and thin resolvers that map arguments, call the store and
// return domain values.
package graph

//go:generate go tool gqlgen generate --config ../gqlgen.yml

import (
	"context"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Resolver holds the dependencies of the resolvers.
type Resolver struct {
	DB *sqlite.DB
}

func (r *Resolver) fillPhases(ctx context.Context, ss []*portfolio.Startup) error {
	ids := make([]int64, len(ss))
	for i, s := range ss {
		ids[i] = s.ID
	}
	byID, err := r.DB.PhasesByStartup(ctx, ids)
	if err != nil {
		return err
	}
	for _, s := range ss {
		s.Phases = byID[s.ID]
	}
	return nil
}
