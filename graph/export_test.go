package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// ExecutableWithoutFastPath is Executable with gqlgen's executor alone,
// for tests that compare the two.
func ExecutableWithoutFastPath(db *sqlite.DB) graphql.ExecutableSchema {
	fast := Executable(db).(*fastSchema)
	return slowSchema{fast.executableSchema, fast}
}

// slowSchema is gqlgen's executor with the cost model of the API.
type slowSchema struct {
	*executableSchema
	fast *fastSchema
}

// Exec runs gqlgen's executor as the fast path falls back to it: with the
// plans' announcements of loader keys in the field middleware.
func (s slowSchema) Exec(ctx context.Context) graphql.ResponseHandler { return s.fast.slow(ctx) }

func (s slowSchema) Cost(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) int {
	return s.fast.Cost(ctx, op, vars)
}

// ExecutableResolving is Executable whose fast path calls all of an
// object's resolvers at the same time (together), as it calls the slow
// ones when it has cores to spare, or one after the other, as when the
// server is busy, whatever the load and their times.
func ExecutableResolving(db *sqlite.DB, together bool) graphql.ExecutableSchema {
	fast := Executable(db).(*fastSchema)
	fast.spare = 0
	if together {
		fast.spare, fast.slowCall = 1<<30, 0
	}
	return fast
}

// FastAnswers tells how many questions the fast path of es answered.
func FastAnswers(es graphql.ExecutableSchema) int64 { return es.(*fastSchema).FastAnswers() }

// FastFields lists the fields of the schema's object types the fast path
// has a plan for ("Type.field"), those the schema leaves to gqlgen's
// executor with their reason, and those the generator could not plan with
// why.
func FastFields() (planned []string, excused, unplanned map[string]string) {
	for typ, fields := range fastTypes {
		for name := range fields {
			planned = append(planned, typ+"."+name)
		}
	}
	return planned, fastExcused, fastUnplanned
}

// PlanCacheLen tells how many documents the plan cache of es holds.
func PlanCacheLen(es graphql.ExecutableSchema) int { return es.(*fastSchema).plans.len() }

// GqlgenAnswers tells how many questions gqlgen's executor answered for
// es, by reason.
func GqlgenAnswers(es graphql.ExecutableSchema) map[string]int64 {
	return es.(*fastSchema).GqlgenAnswers()
}
