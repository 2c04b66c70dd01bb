package server

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// refuse makes a pre-execution error with the given code: a request
// error, answered with the status of its code (transport.go).
func refuse(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, code)
	return err
}

// Cost is what the cost guard computed for a request.
type Cost struct {
	Requested int `json:"requested"`
	Limit     int `json:"limit"`
	Depth     int `json:"depth"`
	Fields    int `json:"fields"`
	Reads     int `json:"reads"`
}

const costExtension = "PortfolioCost"

// CostOf returns the cost computed for the request of ctx, or nil.
func CostOf(ctx context.Context) *Cost {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	c, _ := graphql.GetOperationContext(ctx).Stats.GetExtension(costExtension).(*Cost)
	return c
}

// documentGuard refuses, before gqlgen validates it, a document nested
// deeper than MaxDepth or selecting more than MaxFields fields (fragments
// expanded), and introspection when it is closed. Validation is quadratic
// in the fields of a selection: measuring first keeps a 10,000-field
// document from costing seconds. It parses the document itself, with the
// token limit; documents it has passed are remembered, so a repeated query
// is parsed once.
type documentGuard struct {
	limits          Limits
	noIntrospection bool
	passed          *lru.LRU[struct{}]
}

var (
	_ graphql.HandlerExtension          = &documentGuard{}
	_ graphql.OperationParameterMutator = &documentGuard{}
)

func newDocumentGuard(l Limits, noIntrospection bool) *documentGuard {
	return &documentGuard{limits: l, noIntrospection: noIntrospection, passed: lru.New[struct{}](1000)}
}

// ExtensionName names the guard.
func (g *documentGuard) ExtensionName() string { return "DocumentGuard" }

// Validate does nothing.
func (g *documentGuard) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters measures the document before it is validated.
func (g *documentGuard) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if raw.Query == "" {
		return nil // gqlgen says so
	}
	if _, ok := g.passed.Get(ctx, raw.Query); ok {
		return nil
	}
	if err := g.check(raw.Query); err != nil {
		return err
	}
	g.passed.Add(ctx, raw.Query, struct{}{})
	return nil
}

// check parses query with the token limit and measures it. A document
// that does not parse is refused here, as gqlgen would refuse it, so that
// it is not parsed twice.
func (g *documentGuard) check(query string) *gqlerror.Error {
	if err := prescan(query, g.limits.MaxFields, g.limits.MaxDepth); err != nil {
		return err
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, max(g.limits.MaxTokens, 0))
	if err != nil {
		gerr, ok := err.(*gqlerror.Error)
		if !ok {
			gerr = gqlerror.Errorf("%s", err.Error())
		}
		errcode.Set(gerr, errcode.ParseFailed)
		return gerr
	}
	return g.checkDocument(doc)
}

// checkDocument measures every operation of a parsed document.
func (g *documentGuard) checkDocument(doc *ast.QueryDocument) *gqlerror.Error {
	frags := map[string]*ast.FragmentDefinition{}
	for _, f := range doc.Fragments {
		frags[f.Name] = f
	}
	memo := map[string][2]int{}
	for _, op := range doc.Operations {
		depth, fields := measure(op.SelectionSet, 1, frags, memo)
		switch {
		case g.limits.MaxDepth > 0 && depth > g.limits.MaxDepth:
			return refuse(portfolio.EComplexity, "the query nests %d levels deep; the limit is %d", depth, g.limits.MaxDepth)
		case g.limits.MaxFields > 0 && fields > g.limits.MaxFields:
			return refuse(portfolio.EComplexity, "the query selects %d fields (aliases and fragments counted); the limit is %d", fields, g.limits.MaxFields)
		}
		if name, n := sameName(op.SelectionSet, frags); n > maxSameName {
			return refuse(portfolio.EComplexity, "the query selects %d fields under the response name %q in one selection; the limit is %d", n, name, maxSameName)
		}
		if g.noIntrospection && introspects(op.SelectionSet, frags, map[string]bool{}) {
			return refuse(portfolio.EForbidden, "introspection is turned off on this server (serve --no-introspection)")
		}
	}
	return nil
}

// maxSameName is the most fields one selection may hold under one
// response name (its own and its fragments'): the validator compares every
// pair of them, and 333 aliases of one name with different arguments took
// it 0.6 s.
const maxSameName = 50

// sameName returns the response name that the most fields of one
// selection share, anywhere in the document, and how many share it.
// Fragments are looked into where they are spread (the field count was
// bounded first, so this is linear in the expanded document); a fragment
// already being looked into on the way down (a cycle, which validation
// refuses later) is not looked into again.
func sameName(set ast.SelectionSet, frags map[string]*ast.FragmentDefinition) (string, int) {
	return sameNameIn(set, frags, map[string]bool{})
}

func sameNameIn(set ast.SelectionSet, frags map[string]*ast.FragmentDefinition, open map[string]bool) (string, int) {
	counts := map[string]int{}
	type child struct {
		set  ast.SelectionSet
		open map[string]bool
	}
	var children []child
	var collect func(set ast.SelectionSet, open map[string]bool)
	collect = func(set ast.SelectionSet, open map[string]bool) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				name := s.Alias
				if name == "" {
					name = s.Name
				}
				counts[name]++
				if len(s.SelectionSet) > 0 {
					children = append(children, child{s.SelectionSet, open})
				}
			case *ast.InlineFragment:
				collect(s.SelectionSet, open)
			case *ast.FragmentSpread:
				if f := frags[s.Name]; f != nil && !open[s.Name] {
					inner := maps.Clone(open)
					inner[s.Name] = true
					collect(f.SelectionSet, inner)
				}
			}
		}
	}
	collect(set, open)
	best, most := "", 0
	for name, n := range counts {
		if n > most || (n == most && name < best) {
			best, most = name, n
		}
	}
	for _, c := range children {
		if name, n := sameNameIn(c.set, frags, c.open); n > most {
			best, most = name, n
		}
	}
	return best, most
}

// introspects reports whether a selection asks for __schema or __type.
func introspects(set ast.SelectionSet, frags map[string]*ast.FragmentDefinition, seen map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, frags, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if f := frags[s.Name]; f != nil && !seen[s.Name] {
				seen[s.Name] = true
				if introspects(f.SelectionSet, frags, seen) {
					return true
				}
			}
		}
	}
	return false
}

// measure returns the depth and the number of fields of a selection set,
// fragments expanded. Each fragment is measured once (memo), so a
// "billion laughs" of fragments spreading each other costs time linear in
// the document, and counts saturate instead of overflowing. A fragment
// spreading itself, which validation refuses later, counts nothing.
func measure(set ast.SelectionSet, level int, frags map[string]*ast.FragmentDefinition, memo map[string][2]int) (depth, fields int) {
	depth = level - 1
	for _, sel := range set {
		var d, f int
		switch s := sel.(type) {
		case *ast.Field:
			f = 1
			if len(s.SelectionSet) > 0 {
				cd, cf := measure(s.SelectionSet, level+1, frags, memo)
				d, f = cd, satAdd(f, cf)
			} else {
				d = level
			}
		case *ast.InlineFragment:
			d, f = measure(s.SelectionSet, level, frags, memo)
		case *ast.FragmentSpread:
			def := frags[s.Name]
			if def == nil {
				continue
			}
			m, ok := memo[s.Name]
			if !ok {
				memo[s.Name] = [2]int{0, 0} // in progress: a cycle counts nothing
				fd, ff := measure(def.SelectionSet, 1, frags, memo)
				m = [2]int{fd, ff}
				memo[s.Name] = m
			}
			d, f = level-1+m[0], m[1]
		}
		depth = max(depth, d)
		fields = satAdd(fields, f)
	}
	return depth, fields
}

// satAdd adds, saturating at a billion.
func satAdd(a, b int) int {
	if a+b > 1e9 {
		return 1e9
	}
	return a + b
}

// costGuard computes the cost of a validated operation with the list
// bounds of the data, and refuses it past MaxCost.
type costGuard struct {
	limits Limits
	db     *sqlite.DB
	schema graphql.ExecutableSchema
}

var (
	_ graphql.HandlerExtension        = &costGuard{}
	_ graphql.OperationContextMutator = &costGuard{}
)

// ExtensionName names the guard.
func (g *costGuard) ExtensionName() string { return "CostGuard" }

// Validate keeps the schema for the cost computation.
func (g *costGuard) Validate(schema graphql.ExecutableSchema) error {
	g.schema = schema
	return nil
}

// MutateOperationContext computes the cost and refuses the operation when
// it is too high.
func (g *costGuard) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	if _, err := g.db.ListBounds(ctx); err != nil {
		return boundsError(ctx, err)
	}
	frags := fragmentsOf(opCtx.Doc)
	depth, fields := measure(op.SelectionSet, 1, frags, map[string][2]int{})
	cost := OperationCost(ctx, g.schema, op, opCtx.Variables)
	reads := reads(op.SelectionSet, frags)
	c := &Cost{Requested: cost, Limit: g.limits.MaxCost, Depth: depth, Fields: fields, Reads: reads}
	opCtx.Stats.SetExtension(costExtension, c)
	return g.limits.checkCost(cost, reads)
}

// Coster is an executable schema that prices an operation itself (the
// graph's does: the values of its answer and the work no value shows).
type Coster interface {
	Cost(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) int
}

// OperationCost returns the cost of op with vars: es's own when it is a Coster,
// else gqlgen's count of the values of the answer.
func OperationCost(ctx context.Context, es graphql.ExecutableSchema, op *ast.OperationDefinition, vars map[string]any) int {
	if c, ok := es.(Coster); ok {
		return c.Cost(ctx, op, vars)
	}
	return complexity.Calculate(ctx, es, op, vars)
}

// checkCost refuses a query whose cost or reads pass the limits.
func (l Limits) checkCost(cost, reads int) *gqlerror.Error {
	switch {
	case l.MaxCost > 0 && cost > l.MaxCost:
		return refuse(portfolio.EComplexity, "the query could cost %d (each list counts its page size, or its longest length in the data, times what it selects: see the schema's description of the cost); the limit is %d: ask for smaller pages or fewer nested lists", cost, l.MaxCost)
	case l.MaxReads > 0 && reads > l.MaxReads:
		return refuse(portfolio.EComplexity, "the query reads %d lists and objects (each field that selects fields, aliases counted apart, may run one SQL statement); the limit is %d: ask for fewer aliases of the same list", reads, l.MaxReads)
	}
	return nil
}

// reads counts the fields of a selection that select fields of their own,
// aliases apart, fragments expanded, but for the wrappers of connections
// (nodes, edges, node, pageInfo): a bound on the SQL statements the query
// runs, since the reads of one field are batched for all its parents but
// those of two aliases are not.
func reads(set ast.SelectionSet, frags map[string]*ast.FragmentDefinition) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				continue
			}
			if !(s.ObjectDefinition != nil && (strings.HasSuffix(s.ObjectDefinition.Name, "Connection") || strings.HasSuffix(s.ObjectDefinition.Name, "Edge"))) {
				n++
			}
			n = satAdd(n, reads(s.SelectionSet, frags))
		case *ast.InlineFragment:
			n = satAdd(n, reads(s.SelectionSet, frags))
		case *ast.FragmentSpread:
			if f := frags[s.Name]; f != nil {
				n = satAdd(n, reads(f.SelectionSet, frags))
			}
		}
	}
	return n
}

// boundsError is the refusal of a request whose cost cannot be computed
// because the list bounds cannot be read.
func boundsError(ctx context.Context, err error) *gqlerror.Error {
	switch {
	case ctx.Err() != nil:
		return refuse(portfolio.ETimeout, "the request took too long")
	case errors.Is(err, portfolio.ErrDamaged):
		return refuse(portfolio.EDamaged, "the database is damaged; see the server log")
	}
	return refuse(portfolio.EInternal, "internal error") // the database does not answer: execution would fail too
}

func fragmentsOf(doc *ast.QueryDocument) map[string]*ast.FragmentDefinition {
	frags := map[string]*ast.FragmentDefinition{}
	if doc != nil {
		for _, f := range doc.Fragments {
			frags[f.Name] = f
		}
	}
	return frags
}

// costlyGate lets at most n costly requests (a cost of at least
// threshold) run at once on /graphql: the concurrency slots count
// requests, not their work, so without it a few clients sending questions
// at the cost limit (each up to a second of CPU) take the cores that
// dashboards' cheap reads need. A costly request waits for a place at
// most wait, then is answered 503 UNAVAILABLE with Retry-After. Cheap
// requests never wait for it.
type costlyGate struct {
	slots     chan struct{}
	threshold int
	wait      time.Duration
	shed      atomic.Int64
}

var _ graphql.OperationInterceptor = &costlyGate{}

func newCostlyGate(l Limits) *costlyGate {
	if l.MaxCostly <= 0 || l.CostlyCost <= 0 {
		return nil
	}
	return &costlyGate{slots: make(chan struct{}, l.MaxCostly), threshold: l.CostlyCost, wait: max(l.QueueWait, 0)}
}

// ExtensionName names the gate.
func (g *costlyGate) ExtensionName() string { return "CostlyGate" }

// Validate does nothing.
func (g *costlyGate) Validate(graphql.ExecutableSchema) error { return nil }

// take takes a place, waiting up to the queue wait for one; false when
// none came (or the request ended). A free place is always taken, however
// late the waiting starts: a timer that fired before the wait began must
// not shed a request that had a place.
func (g *costlyGate) take(ctx context.Context) bool {
	select {
	case g.slots <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// InterceptOperation takes a place for a costly operation before it runs,
// and gives it back once its answer is made (or its request ends).
func (g *costlyGate) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	c := CostOf(ctx)
	if c == nil || c.Requested < g.threshold {
		return next(ctx)
	}
	if !g.take(ctx) {
		if ctx.Err() != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{Message: "the request was cancelled or took too long",
				Extensions: map[string]any{"code": portfolio.ETimeout}}}})
		}
		g.shed.Add(1)
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message:    fmt.Sprintf("%d costly questions (a cost of %d or more) are running: retry in a second", cap(g.slots), g.threshold),
			Extensions: map[string]any{"code": portfolio.EUnavailable, "retryAfter": 1},
		}}})
	}
	var once sync.Once
	release := func() { once.Do(func() { <-g.slots }) }
	stop := context.AfterFunc(ctx, release) // the request ended: whatever happened to its answer
	rh := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := rh(ctx)
		if resp == nil || !graphql.HasOperationContext(ctx) || graphql.GetOperationContext(ctx).Operation.Operation != ast.Subscription {
			stop()
			release()
		}
		return resp
	}
}
