package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// ExecutableWithoutFastPath is Executable with gqlgen's executor alone,
// for tests that compare the two.
func ExecutableWithoutFastPath(db *sqlite.DB) graphql.ExecutableSchema {
	return Executable(db).(*fastSchema).executableSchema
}

// FastAnswers tells how many questions the fast path of es answered.
func FastAnswers(es graphql.ExecutableSchema) int64 { return es.(*fastSchema).FastAnswers() }
