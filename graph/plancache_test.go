package graph

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
)

// operation parses a query as the server does.
func operation(t *testing.T, query, name string, vars map[string]any) *graphql.OperationContext {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(Schema(), query)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return &graphql.OperationContext{RawQuery: query, OperationName: name, Doc: doc, Operation: doc.Operations.ForName(name), Variables: vars}
}

// TestPlanCache checks that a plan is made once per document and
// operation and value of the variables @skip and @include read, that it
// says why there is none, and that the cache keeps to its bound.
func TestPlanCache(t *testing.T) {
	c := newPlanCache(planCacheBytes)
	const q = `query A($s: Boolean!, $n: Int) { startups(first: $n) { nodes { slug name @skip(if: $s) } } }
		query B { incubators { nodes { slug } } }`
	a1 := c.plan(operation(t, q, "A", map[string]any{"s": true, "n": 1}))
	a2 := c.plan(operation(t, q, "A", map[string]any{"s": true, "n": 50}))
	if a1 != a2 || a1.why != fallbackNone {
		t.Errorf("the same operation with other values of its arguments: plans %p and %p (why %v)", a1, a2, a1.why)
	}
	a3 := c.plan(operation(t, q, "A", map[string]any{"s": false, "n": 1}))
	if a3 == a1 || len(a3.root[0].sub[0].sub) != 2 || len(a1.root[0].sub[0].sub) != 1 {
		t.Errorf("@skip(if: $s) true and false must have two plans, of 1 and 2 fields")
	}
	b := c.plan(operation(t, q, "B", nil))
	if b == a1 || c.len() != 2 {
		t.Errorf("two operations of a document: %d entries", c.len())
	}
	if p := c.plan(operation(t, `{ __schema { queryType { name } } }`, "", nil)); p.why != fallbackUnplanned {
		t.Errorf("introspection: why %v, want unplanned", p.why)
	}
	if p := c.plan(operation(t, `{ startups { nodes { ... @defer { slug } } } }`, "", nil)); p.why != fallbackDefer {
		t.Errorf("@defer: why %v, want defer", p.why)
	}

	small := newPlanCache(4 << 10)
	for i := range 100 {
		small.plan(operation(t, `{ startups(first: `+itoa(i+1)+`) { nodes { slug name pitch } } }`, "", nil))
	}
	if n := small.len(); n == 0 || n > 4 {
		t.Errorf("a cache of 4 KiB holds %d documents of 3 fields", n)
	}
}

func itoa(i int) string {
	b := []byte{}
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}
