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

func (s slowSchema) Cost(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) int {
	return s.fast.Cost(ctx, op, vars)
}

// FastAnswers tells how many questions the fast path of es answered.
func FastAnswers(es graphql.ExecutableSchema) int64 { return es.(*fastSchema).FastAnswers() }
