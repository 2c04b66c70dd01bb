package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/auth"
)

// worstDocuments are the costliest documents to check that a body under
// the cap can carry: each is refused or answered by the guards and the
// validator alone, and BenchmarkWorstDocuments measures how long that
// takes (docs/reliability.md).
func worstDocuments() map[string]string {
	docs := map[string]string{}
	var b strings.Builder
	// 999 copies of one aliased field: the validator compares every pair
	// (fields that share a response name must merge).
	b.WriteString("{ ")
	for range 999 {
		b.WriteString("a: __typename ")
	}
	b.WriteString("}")
	docs["999 fields, one response name"] = b.String()
	b.Reset()
	// 999 fields of one name, with arguments that differ: no pair merges.
	b.WriteString("{ ")
	for i := range 333 {
		fmt.Fprintf(&b, "a: startup(slug: \"s%d\") { slug } ", i)
	}
	b.WriteString("}")
	docs["333 conflicting aliases"] = b.String()
	b.Reset()
	// 50 fields of one name (the most allowed), with different arguments,
	// each selecting 19 fields: 1,000 fields in all.
	b.WriteString("{ ")
	for i := range 50 {
		fmt.Fprintf(&b, "a: startup(slug: \"s%d\") { slug name pitch description contact version link repository statsUrl impactUrl budgetUrl dashlordUrl accessibilityStatus thematiques usertypes techno phase active teamSize } ", i)
	}
	b.WriteString("}")
	docs["50 conflicting aliases of 19 fields"] = b.String()
	b.Reset()
	// 49 fields of one name at each of 19 levels.
	b.WriteString("{ ")
	for range 19 {
		b.WriteString("startups { nodes { incubator { ")
	}
	b.WriteString(strings.Repeat("slug ", 49))
	b.WriteString(strings.Repeat("} } } ", 19))
	b.WriteString("}")
	docs["49 fields of one name, deep"] = b.String()
	b.Reset()
	// Fragments spread in many places: the overlap check compares the
	// fragments' fields with each other.
	b.WriteString("{ startups(first: 1) { nodes { ")
	for i := range 30 {
		fmt.Fprintf(&b, "...F%d ", i)
	}
	b.WriteString("} } }\n")
	for i := range 30 {
		fmt.Fprintf(&b, "fragment F%d on Startup { slug name pitch incubator { slug title } sponsors { slug name } phases { phase start } }\n", i)
	}
	docs["30 fragments of 30 fields on one object"] = b.String()
	b.Reset()
	// Fragments each spreading the next twice: a million fields once
	// expanded.
	b.WriteString("{ ...F0 }\n")
	for i := range 20 {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	b.WriteString("fragment F20 on Query { __typename }\n")
	docs["fragment laughs, 2^20 fields"] = b.String()
	// The token limit: 20,000 fields.
	docs["20,000 fields"] = "{ " + strings.Repeat("__typename ", 20_000) + "}"
	// Deep nesting at the limit of the parser's tokens.
	docs["3,000 levels deep"] = strings.Repeat("{ startups { nodes ", 1500) + strings.Repeat("} } ", 1500)
	return docs
}

func BenchmarkWorstDocuments(b *testing.B) {
	db := seededDB(b)
	// Without the pacing of refused requests: every document here is
	// refused, and what is measured is what one refusal costs.
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1, RefusalLimit: auth.LimitConfig{Failures: -1}})
	docs := worstDocuments()
	for name, doc := range docs {
		body := q(doc)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code == http.StatusInternalServerError {
					b.Fatalf("%s: %d %s", name, rec.Code, rec.Body.String())
				}
			}
		})
	}
}
