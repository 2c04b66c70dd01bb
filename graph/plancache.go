package graph

import (
	"container/list"
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The plans of the fast path, made once per document, operation and
// value of the variables its @skip, @include and @defer read, and kept in
// a cache bounded by their size (least recently used out first). What a
// plan holds does not depend on the caller or on the other variables: the
// roles it needs are checked and its arguments parsed at each request.

// Bounds of the plan cache: planCacheBytes in all (the documents' text,
// and about fieldBytes a field of plan), plansPerDocument per document
// (one per value of its condition variables).
const (
	planCacheBytes   = 16 << 20
	planFieldBytes   = 256
	plansPerDocument = 16
)

// fastPlan is the plan of an operation, or why there is none.
type fastPlan struct {
	why      fallback
	root     []*fastField
	n        int              // fields, numbered by fastField.id
	cols     sqlite.Columns   // the columns its fields read
	auth     []portfolio.Role // the roles its protected fields need
	selfAuth []portfolio.Role // those of fields of values that write themselves
	withArgs []*fastField     // the fields whose arguments a request parses
	weight   int              // its size, for the cache's bound
}

// planCache holds plans by document and operation.
type planCache struct {
	mu      sync.Mutex
	entries map[string]*list.Element // of *planEntry
	lru     list.List
	weight  int
	max     int
}

// planEntry is a document's operation: the variables its collection reads
// and its plans by their values.
type planEntry struct {
	key    string
	vars   []string
	plans  map[string]*fastPlan
	weight int
}

func newPlanCache(max int) *planCache {
	return &planCache{entries: map[string]*list.Element{}, max: max}
}

// plan returns the plan of op, made now if not in the cache.
func (c *planCache) plan(op *graphql.OperationContext) *fastPlan {
	key := op.RawQuery + "\x00" + op.OperationName
	c.mu.Lock()
	var e *planEntry
	if el := c.entries[key]; el != nil {
		c.lru.MoveToFront(el)
		e = el.Value.(*planEntry)
	}
	c.mu.Unlock()
	if e == nil {
		e = &planEntry{key: key, vars: conditionVars(op), plans: map[string]*fastPlan{}, weight: len(key)}
	}
	sub := varsKey(e.vars, op.Variables)
	c.mu.Lock()
	p := e.plans[sub]
	c.mu.Unlock()
	if p != nil {
		return p
	}
	p = makePlan(op)
	c.mu.Lock()
	defer c.mu.Unlock()
	if el := c.entries[key]; el != nil {
		e = el.Value.(*planEntry) // made meanwhile by another request
	} else {
		c.entries[key] = c.lru.PushFront(e)
		c.weight += e.weight
	}
	if _, ok := e.plans[sub]; !ok && len(e.plans) < plansPerDocument {
		e.plans[sub] = p
		e.weight += p.weight
		c.weight += p.weight
	}
	for c.weight > c.max && c.lru.Len() > 1 {
		old := c.lru.Back()
		oe := old.Value.(*planEntry)
		c.lru.Remove(old)
		delete(c.entries, oe.key)
		c.weight -= oe.weight
	}
	return p
}

// len tells how many documents the cache holds (tests).
func (c *planCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

// varsKey writes the values of the condition variables vars.
func varsKey(vars []string, values map[string]any) string {
	if len(vars) == 0 {
		return ""
	}
	b := make([]byte, len(vars))
	for i, v := range vars {
		switch values[v] {
		case true:
			b[i] = '1'
		case false:
			b[i] = '0'
		default:
			b[i] = '-'
		}
	}
	return string(b)
}

// conditionVars returns the variables that @skip, @include and @defer
// read in op, which decide what CollectFields collects.
func conditionVars(op *graphql.OperationContext) []string {
	var out []string
	fragments := map[string]bool{}
	var walk func(ast.SelectionSet)
	walk = func(sel ast.SelectionSet) {
		for _, s := range sel {
			var dirs ast.DirectiveList
			var sub ast.SelectionSet
			switch s := s.(type) {
			case *ast.Field:
				dirs, sub = s.Directives, s.SelectionSet
			case *ast.InlineFragment:
				dirs, sub = s.Directives, s.SelectionSet
			case *ast.FragmentSpread:
				dirs = s.Directives
				if !fragments[s.Name] && op.Doc != nil {
					fragments[s.Name] = true
					if f := op.Doc.Fragments.ForName(s.Name); f != nil {
						sub = f.SelectionSet
					}
				}
			}
			for _, d := range dirs {
				if d.Name != "skip" && d.Name != "include" && d.Name != "defer" {
					continue
				}
				for _, a := range d.Arguments {
					if a.Value != nil && a.Value.Kind == ast.Variable && !slices.Contains(out, a.Value.Raw) {
						out = append(out, a.Value.Raw)
					}
				}
			}
			walk(sub)
		}
	}
	if op.Operation != nil {
		walk(op.Operation.SelectionSet)
	}
	return out
}

// planner makes one plan.
type planner struct {
	op *graphql.OperationContext
	p  *fastPlan
}

// makePlan plans op, or says why it cannot.
func makePlan(op *graphql.OperationContext) (p *fastPlan) {
	p = &fastPlan{}
	defer func() {
		if v := recover(); v != nil {
			why, ok := v.(fallback)
			if !ok {
				why = fallbackUnplanned
			}
			p = &fastPlan{why: why}
		}
	}()
	pl := &planner{op: op, p: p}
	p.root = pl.fields("Query", op.Operation.SelectionSet)
	p.weight = p.n * planFieldBytes
	return p
}

// fields collects the selection of an object of type typ and plans each
// field; it declines a field without a plan and a deferred one.
func (pl *planner) fields(typ string, sel ast.SelectionSet) []*fastField {
	specs := fastTypes[typ]
	if specs == nil {
		panic(fallbackUnplanned)
	}
	fields := graphql.CollectFields(pl.op, sel, fastSatisfies[typ])
	out := make([]*fastField, len(fields))
	for i, f := range fields {
		if len(f.Deferrables) > 0 {
			panic(fallbackDefer)
		}
		spec := specs[f.Name]
		if f.Name == "__typename" {
			spec = typenameSpec(typ)
		}
		if spec == nil || spec.write == nil {
			panic(fallbackUnplanned)
		}
		ff := &fastField{f: f, key: `"` + f.Alias + `":`, spec: spec, obj: typ, id: pl.p.n}
		pl.p.n++
		pl.take(spec)
		if spec.args != nil {
			pl.p.withArgs = append(pl.p.withArgs, ff)
		}
		switch {
		case spec.self:
			ff.fields = pl.selfFields(spec.typ, f.Selections)
		case spec.abstract:
			ff.subs = map[string][]*fastField{}
			for _, t := range fastPossibleTypes[spec.typ] {
				ff.subs[t] = pl.fields(t, f.Selections)
			}
		case spec.typ != "":
			ff.sub = pl.fields(spec.typ, f.Selections)
		}
		out[i] = ff
	}
	return out
}

// selfFields collects the selection of a value that writes itself: its
// fields are planned for their access and columns only.
func (pl *planner) selfFields(typ string, sel ast.SelectionSet) []graphql.CollectedField {
	fields := graphql.CollectFields(pl.op, sel, fastSatisfies[typ])
	for _, f := range fields {
		if len(f.Deferrables) > 0 {
			panic(fallbackDefer)
		}
		if f.Name == "__typename" {
			continue
		}
		spec := fastTypes[typ][f.Name]
		if spec == nil {
			panic(fallbackUnplanned)
		}
		pl.take(spec)
		if spec.auth != "" && !slices.Contains(pl.p.selfAuth, spec.auth) {
			pl.p.selfAuth = append(pl.p.selfAuth, spec.auth)
		}
	}
	return fields
}

// take adds what a field needs to the plan: its columns and its role.
func (pl *planner) take(spec *fastSpec) {
	pl.p.cols.Add(spec.cols)
	if spec.auth != "" && !slices.Contains(pl.p.auth, spec.auth) {
		pl.p.auth = append(pl.p.auth, spec.auth)
	}
}

// typenameSpec is the spec of __typename on typ.
func typenameSpec(typ string) *fastSpec {
	return &fastSpec{write: func(x *fastExec, _ context.Context, _ *fastField, _ any) { x.str(typ) }}
}
