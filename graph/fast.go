package graph

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/loader"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The fast path: an executor in front of gqlgen's, which writes the
// answer of a query in one pass where gqlgen's runs every field of every
// object through a field context, closures, a marshaler and, for lists
// and resolvers, goroutines.
//
// It executes the same thing. Its tables (fast_gen.go, fastTypes) are
// generated from the schema and gqlgen.yml with gqlgen's executor
// (internal/fastgen, go generate ./...): for each field the resolver,
// method or struct field gqlgen's code calls, its argument parser, the
// role its @auth requires, the columns it reads (@columns) and how its
// value is written, as gqlgen's marshalers write it. Fields are collected
// by gqlgen's own CollectFields (aliases, fragments, @skip/@include, in
// gqlgen's order); resolvers run under field contexts that carry the same
// field, arguments and parents (so `asOf` inherits and `wantsField`
// reads as there). They are called directly, not through the field
// middleware: the server's answer guard, its only one, bounds a fast
// answer as a whole (its size once made, internal/server), and the
// request's deadline is checked at each element of a list and by every
// statement.
//
// A plan is made once per document, operation and value of the variables
// that @skip, @include or @defer read, and kept in a bounded cache
// (plancache.go). Each request then checks the plan's roles against the
// caller, parses its arguments, and executes it: the store reads the
// columns the plan's fields need only (sqlite.Columns), through loaders
// of the request's own, to which the plan announces every object a
// resolver returns (fastSee…, generated), so that no resolver has to.
//
// It takes a question only when it can answer all of it, before any
// read: a query whose every field has a plan, with no @defer, whose
// protected fields the caller may read and whose arguments parse. Anything
// else, and any answer that meets an error, a null where the schema says
// non-null, the request's deadline, or more than fastMaxBytes that the
// request's answer budget does not allow, is handed
// to gqlgen's executor as if the fast path did not exist, and counted by
// reason (GqlgenAnswers). TestFastPathSameAnswers holds the two executors
// to the same bytes over a corpus and random questions drawn from every
// planned field; TestEveryFieldPlanned fails for a field of the schema
// with neither a plan nor a reason (@gqlgenOnly) to have none.

// fastMaxBytes is the first MiB every answer may take without drawing on
// the server's shared answer pool (internal/server). Past it, the fast
// path counts its answer in the request's budget as it grows
// (portfolio.AnswerSize); with no budget, or one that refuses, the
// question goes to gqlgen's executor, whose field guard stops it with the
// error that says why.
const fastMaxBytes = 1 << 20

// fallback is why gqlgen's executor answered a question.
type fallback int

const (
	fallbackNone      fallback = iota
	fallbackWrite              // a mutation
	fallbackUnplanned          // a field without a plan (introspection, @gqlgenOnly)
	fallbackDefer              // @defer
	fallbackForbidden          // a protected field the caller may not read
	fallbackArguments          // arguments that do not parse
	fallbackError              // an error, or a null where the schema says non-null
	fallbackSize               // an answer larger than fastMaxBytes
	fallbackDeadline           // the request's deadline
	fallbacks
)

// fallbackNames name the reasons, for /metrics.
var fallbackNames = [fallbacks]string{"", "write", "unplanned", "defer", "forbidden", "arguments", "error", "size", "deadline"}

// fastSchema is the executable schema with the fast path in front.
type fastSchema struct {
	*executableSchema
	r     *resolvers
	plans *planCache
	// answers counts the questions the fast path answered; gqlgen counts
	// those gqlgen's executor answered, by reason.
	answers atomic.Int64
	gqlgen  [fallbacks]atomic.Int64
	// running counts the questions the fast path is executing; while
	// they are no more than spare, each calls an object's slow resolvers
	// at the same time (resolveEarly): those that took slowCall or more
	// the last time. spare is half the cores, the others being left to
	// the resolvers, SQLite and the server's other work.
	running  atomic.Int32
	spare    int32
	slowCall time.Duration
}

// slowResolver is how long a resolver takes for the plan to call it at
// the same time as its object's other slow ones, given the cores. Below,
// starting a goroutine and handing its result over costs about what it
// saves (measured with the peer harness's questions, whose resolvers take
// 0.05–0.4 ms each: called together they answered 5–10% slower).
const slowResolver = time.Millisecond

// Exec answers a query the fast path can take, else runs gqlgen's
// executor. As gqlgen's, the work is done when the response is asked for,
// inside the server's response middleware.
func (s *fastSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if op.Operation == nil || op.Operation.Operation != ast.Query {
		s.gqlgen[fallbackWrite].Add(1)
		return s.slow(ctx)
	}
	var slow graphql.ResponseHandler
	asked := false
	return func(ctx context.Context) *graphql.Response {
		if slow != nil {
			return slow(ctx) // gqlgen's executor answers, deferred parts included
		}
		if asked {
			return nil
		}
		asked = true
		ctx = sqlite.WithFilterCache(ctx)
		data, stopped, why := s.fast(ctx, op)
		if stopped != nil {
			// The server stopped the answer (its size, its deadline): the
			// answer is that error alone, as the server makes it of any
			// stopped answer.
			graphql.AddError(ctx, stopped)
			return &graphql.Response{Data: []byte("null")}
		}
		if why == fallbackNone {
			s.answers.Add(1)
			return &graphql.Response{Data: data}
		}
		s.gqlgen[why].Add(1)
		slow = s.slow(ctx)
		return slow(ctx)
	}
}

// slow runs gqlgen's executor, with the plans' announcements of loader
// keys made by the field middleware: what a resolver returns is announced
// before its elements are resolved, as a plan announces it.
func (s *fastSchema) slow(ctx context.Context) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if mw := op.ResolverMiddleware; mw != nil {
		op.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) {
			v, err := mw(ctx, next)
			if fc := graphql.GetFieldContext(ctx); err == nil && fc != nil && fc.IsResolver {
				if l := loader.From(ctx); l != nil {
					fastSeeAny(l, v)
				}
			}
			return v, err
		}
	}
	h := s.executableSchema.Exec(ctx)
	return func(ctx context.Context) *graphql.Response { return h(sqlite.WithFilterCache(ctx)) }
}

// FastAnswers tells how many questions the fast path answered (the
// server's /metrics shows it).
func (s *fastSchema) FastAnswers() int64 { return s.answers.Load() }

// GqlgenAnswers tells how many questions gqlgen's executor answered, by
// reason: write, unplanned, defer, forbidden, arguments, error, size,
// deadline.
func (s *fastSchema) GqlgenAnswers() map[string]int64 {
	out := make(map[string]int64, fallbacks)
	for i := fallbackWrite; i < fallbacks; i++ {
		out[fallbackNames[i]] = s.gqlgen[i].Load()
	}
	return out
}

// fast executes the operation's plan; a reason when it declines.
//
// stopped is the error that stopped the answer, when the server's field
// middleware stopped it (RESPONSE_TOO_LARGE, TIMEOUT, UNAVAILABLE): gqlgen's
// executor, once the answer is stopped, would only answer null.
func (s *fastSchema) fast(ctx context.Context, op *graphql.OperationContext) (data []byte, stopped error, why fallback) {
	p := s.plans.plan(op)
	if p.why != fallbackNone {
		return nil, nil, p.why
	}
	id := portfolio.IdentityFrom(ctx)
	for _, role := range p.selfAuth {
		if !id.CanRead(role) {
			return nil, nil, fallbackForbidden // inside a value that writes itself
		}
	}
	// Alone, a question uses the cores the others leave idle; among
	// others, it leaves them theirs.
	together := s.running.Add(1) <= s.spare
	defer s.running.Add(-1)
	x := &fastExec{op: op, ec: newExecutionContext(op, s.executableSchema, nil), r: s.r, state: make([]fastState, p.n), together: together, slow: s.slowCall}
	for _, role := range p.auth {
		if !id.CanRead(role) {
			x.deny = append(x.deny, role)
		}
	}
	defer func() {
		if v := recover(); v != nil {
			// A decline, or a panic gqlgen's executor will meet again
			// and report as it does.
			w, ok := v.(fallback)
			if !ok {
				w = fallbackError
			}
			data, stopped, why = nil, x.stopped, w
		}
	}()
	for _, f := range p.withArgs {
		args, err := f.spec.args(x.ec, ctx, f.f.ArgumentMap(op.Variables))
		if err != nil {
			return nil, nil, fallbackArguments
		}
		x.state[f.id].args = args
	}
	// Loaders of its own, reading the plan's columns only: the partial
	// records never reach gqlgen's executor, should the fast path decline.
	ctx = sqlite.WithColumns(loader.WithLoaders(ctx, s.r.DB), &p.cols)
	x.l = loader.From(ctx)
	x.b = make([]byte, 0, 16<<10) // most answers fit, the larger ones grow a few times
	x.object(ctx, p.root, nil)
	for _, e := range x.errs {
		op.Error(e.ctx, e.err)
	}
	return x.b, nil, fallbackNone
}

// fastExec is one execution of a plan.
type fastExec struct {
	op    *graphql.OperationContext
	ec    *executionContext
	r     *resolvers
	l     *loader.Loaders
	state []fastState // by fastField.id
	b     []byte
	// deny are the roles of the plan's protected fields the caller does
	// not have: those fields answer null and FORBIDDEN, as gqlgen's
	// executor answers them, at their path (path: the fields and indices
	// being written); errs are those errors, reported once the answer is
	// made (a declined answer reports none).
	deny []portfolio.Role
	path []pathSeg
	errs []fieldError
	// stopped is the error that stopped the answer (a resolver's TIMEOUT).
	stopped error
	// together: an object's slow resolvers (slow or more) are called at
	// the same time (resolveEarly), the server having cores to spare.
	together bool
	slow     time.Duration
}

// pathSeg is a field's response name, or a list's index (name "").
type pathSeg struct {
	name  string
	index int
}

// fieldError is an error at a field of the answer, with the context
// gqlgen's executor would report it from.
type fieldError struct {
	ctx context.Context
	err error
}

// fastState is what an execution keeps of a field of the plan: its
// arguments, and the field context made last (fieldContext).
type fastState struct {
	args        map[string]any
	parent, ctx context.Context
	// early is the result of the field's resolver, called by
	// resolveEarly and not yet taken by its writer.
	early *earlyResult
}

// earlyResult is what a resolver returned.
type earlyResult struct {
	v   any
	err error
}

// decline gives the question to gqlgen's executor.
func decline() { panic(fallbackError) }

// fastSpec says how the fast path answers a field of a type (generated,
// fast_gen.go): by write, given the field's context and the object; the
// type of its value (objects and lists of objects, whose selections are
// planned: an interface's by each of its types; a value that writes
// itself, whose fields are collected); its argument parser; the role it
// requires; the columns it reads.
type fastSpec struct {
	typ      string
	abstract bool
	self     bool
	nonNull  bool // a protected field the schema says is never null
	args     func(ec *executionContext, ctx context.Context, raw map[string]any) (map[string]any, error)
	auth     portfolio.Role
	cols     sqlite.Columns
	write    func(x *fastExec, ctx context.Context, f *fastField, obj any)
	// resolve calls the field's resolver, for a field that has one: the
	// plan calls an object's resolvers together before writing it
	// (resolveEarly), and write takes the result (early).
	resolve func(x *fastExec, ctx context.Context, f *fastField, obj any) (any, error)
}

// fastColumns are the columns of the records of typ that names names (all
// of them for nil): the generator checked the names.
func fastColumns(typ string, names []string) sqlite.Columns {
	c, err := sqlite.ColumnsNamed(typ, names)
	if err != nil {
		panic(err)
	}
	return c
}

// fastColumnsOf returns the columns named "Type.column" (the @columns of
// a field whose resolver reads other records through the loaders).
func fastColumnsOf(names []string) sqlite.Columns {
	var c sqlite.Columns
	for _, n := range names {
		typ, col, _ := strings.Cut(n, ".")
		c.Add(fastColumns(typ, []string{col}))
	}
	return c
}

// fastField is a field of a plan: a collected field, its spec, and the
// plan of its value's selection: sub for an object, subs by type for an
// interface, fields for a value that writes itself. id numbers it in the
// plan (its fastState).
type fastField struct {
	f      graphql.CollectedField
	key    string // "alias":
	spec   *fastSpec
	obj    string // the type the field is on
	id     int
	sub    []*fastField
	subs   map[string][]*fastField
	fields []graphql.CollectedField
	// took is how long the field's resolver took the last time
	// resolveEarly called it, in nanoseconds (the plan is shared by the
	// requests that ask the same question).
	took atomic.Int64
}

// object writes an object: each planned field, in order, once its
// resolvers are called (resolveEarly).
func (x *fastExec) object(ctx context.Context, fields []*fastField, obj any) {
	if n := len(x.path); n == 0 || x.path[n-1].name != "" || x.path[n-1].index == 0 {
		x.resolveEarly(ctx, fields, obj)
	}
	x.b = append(x.b, '{')
	for i, f := range fields {
		if i > 0 {
			x.b = append(x.b, ',')
		}
		x.b = append(x.b, f.key...)
		x.path = append(x.path, pathSeg{name: f.f.Alias})
		if x.denied(f) {
			x.forbid(ctx, f, obj)
		} else {
			f.spec.write(x, ctx, f, obj)
		}
		x.path = x.path[:len(x.path)-1]
	}
	x.b = append(x.b, '}')
	if len(x.b) > fastMaxBytes {
		// Past its first MiB, an answer draws on the memory answers
		// share (the server's budget); without one, or when it refuses,
		// gqlgen's executor answers, and says why.
		if grown := portfolio.AnswerSize(ctx); grown == nil || grown(int64(len(x.b))) != nil {
			panic(fallbackSize)
		}
	}
}

// resolveEarly calls the resolvers of an object's fields before any of
// them is written, and leaves their results in the fields' state for
// their writers (early). Those that took x.slow or more the last time are
// called at the same time when the server has cores to spare (x.together)
// and there are two of them at least: the breakdowns of a portfolio, or
// the sections of a question with several roots, each reading the whole
// network. The others are called one after the other.
//
// It runs for an object that is not in a list, and for the first element
// of a list: the loaders fetch what the first element asks for together
// with the other elements' (their keys were announced when the list was
// read), whose writers then find it read. Calling every resolver of an
// object before writing any of its fields, in both ways, keeps the
// statements of a question the same whatever the server's load: a
// resolver's loader is always asked before the fields below its siblings
// are.
func (x *fastExec) resolveEarly(ctx context.Context, fields []*fastField, obj any) {
	n := 0
	for _, f := range fields {
		if x.resolvesEarly(f) {
			n++
		}
	}
	if n < 2 {
		return // a lone resolver is called by its writer
	}
	todo := make([]*fastField, 0, n)
	slowAt := make([]bool, 0, n) // read once: other requests store took
	slow := 0
	for _, f := range fields {
		if x.resolvesEarly(f) {
			todo = append(todo, f)
			slowAt = append(slowAt, time.Duration(f.took.Load()) >= x.slow)
			if slowAt[len(slowAt)-1] {
				slow++
			}
		}
	}
	results := make([]earlyResult, len(todo))
	ctxs := make([]context.Context, len(todo))
	for i, f := range todo {
		ctxs[i] = x.fieldContext(ctx, f)
	}
	call := func(i int) {
		start := time.Now()
		defer func() {
			todo[i].took.Store(int64(time.Since(start)))
			if v := recover(); v != nil {
				// A resolver that panics declines the question, as it
				// does when its writer calls it.
				results[i].err = fmt.Errorf("graph: resolver %s panicked: %v", todo[i].f.Name, v)
				results[i].v = earlyPanic{}
			}
		}()
		results[i].v, results[i].err = todo[i].spec.resolve(x, ctxs[i], todo[i], obj)
	}
	if x.together && slow >= 2 {
		// The slow ones but the first in goroutines, then the others and
		// the first slow one here.
		var wg sync.WaitGroup
		first := -1
		for i := range todo {
			if !slowAt[i] {
				continue
			}
			if first < 0 {
				first = i
				continue
			}
			wg.Go(func() { call(i) })
		}
		for i := range todo {
			if !slowAt[i] || i == first {
				call(i)
			}
		}
		wg.Wait()
	} else {
		for i := range todo {
			call(i)
		}
	}
	for i, f := range todo {
		if _, ok := results[i].v.(earlyPanic); ok {
			decline()
		}
		x.state[f.id].early = &results[i]
	}
}

// resolvesEarly tells whether resolveEarly calls f's resolver: a field
// with one, that the caller may read.
func (x *fastExec) resolvesEarly(f *fastField) bool {
	return f.spec.resolve != nil && !x.denied(f)
}

// denied tells whether f is protected by a role the caller lacks: it
// answers null and FORBIDDEN (forbid).
func (x *fastExec) denied(f *fastField) bool {
	return f.spec.auth != "" && len(x.deny) > 0 && slices.Contains(x.deny, f.spec.auth)
}

// earlyPanic marks the result of a resolver that panicked.
type earlyPanic struct{}

// early takes the result of f's resolver that resolveEarly left, if any.
func (x *fastExec) early(f *fastField) *earlyResult {
	st := &x.state[f.id]
	e := st.early
	st.early = nil
	return e
}

// pushIndex enters the element i of a list of objects; pop leaves it.
func (x *fastExec) pushIndex(i int) { x.path = append(x.path, pathSeg{index: i}) }

func (x *fastExec) pop() { x.path = x.path[:len(x.path)-1] }

// forbid answers a protected field the caller may not read as gqlgen's
// executor does: null, and the @auth directive's error at the field's
// path (a non-null one declines: gqlgen nulls its parent).
func (x *fastExec) forbid(ctx context.Context, f *fastField, obj any) {
	if f.spec.nonNull {
		panic(fallbackForbidden)
	}
	ectx := x.fieldContext(ctx, f)
	_, err := Auth(ectx, obj, func(context.Context) (any, error) { return nil, nil }, f.spec.auth)
	if err == nil {
		panic(fallbackForbidden) // the directive disagrees with the plan
	}
	// The error gqlgen's executor makes of it: at the field's path (list
	// indices included) and location.
	path := make(ast.Path, len(x.path))
	for i, s := range x.path {
		if s.name == "" {
			path[i] = ast.PathIndex(s.index)
		} else {
			path[i] = ast.PathName(s.name)
		}
	}
	e := gqlerror.WrapPath(path, err)
	if pos := f.f.Position; pos != nil && pos.Line != 0 {
		e.Locations = []gqlerror.Location{{Line: pos.Line, Column: pos.Column}}
	}
	x.errs = append(x.errs, fieldError{ectx, e})
	x.null()
}

// args returns the arguments of f, parsed for this execution.
func (x *fastExec) args(f *fastField) map[string]any { return x.state[f.id].args }

// fieldContext returns ctx with the field context gqlgen gives f: the
// field, its arguments, its parent. It is made once per parent context,
// so that the elements of a list share it (resolvers read it, never keep
// it). The elements of a list get no field context of their own (gqlgen
// gives each one with its index and value, and no field): no resolver
// reads it.
func (x *fastExec) fieldContext(ctx context.Context, f *fastField) context.Context {
	st := &x.state[f.id]
	if st.parent != ctx || st.ctx == nil {
		st.parent = ctx
		st.ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: f.obj, Field: f.f, Args: st.args, IsMethod: true, IsResolver: true})
	}
	return st.ctx
}

// tick declines when the request's deadline has passed (gqlgen's executor
// answers TIMEOUT at once); lists call it at each element.
func (x *fastExec) tick(ctx context.Context) {
	if ctx.Err() != nil {
		panic(fallbackDeadline)
	}
}

// fail declines for a resolver's error. An error that stops the answer
// (its size, the request's deadline) is the answer, as the server makes
// it of any stopped answer.
func (x *fastExec) fail(err error) {
	switch portfolio.ErrorCode(err) {
	case portfolio.ETooLarge, portfolio.ETimeout, portfolio.EUnavailable:
		x.stopped = err
	}
	decline()
}

// marshalSelf writes a value that writes itself through gqlgen's
// interface, under the field's context (where it reads its selection).
func (x *fastExec) marshalSelf(ctx context.Context, f *fastField, v graphql.ContextMarshaler) {
	if err := v.MarshalGQLContext(x.fieldContext(ctx, f), x); err != nil {
		decline()
	}
}

// The writers of scalar values, as gqlgen writes them; a fastExec is the
// io.Writer of the values that marshal themselves.

// Write appends p to the answer.
func (x *fastExec) Write(p []byte) (int, error) {
	x.b = append(x.b, p...)
	return len(p), nil
}

// WriteString appends s to the answer.
func (x *fastExec) WriteString(s string) (int, error) {
	x.b = append(x.b, s...)
	return len(s), nil
}

func (x *fastExec) str(s string) { x.b = model.AppendString(x.b, s) }

func (x *fastExec) null() { x.b = append(x.b, "null"...) }

func (x *fastExec) int(n int64) { x.b = strconv.AppendInt(x.b, n, 10) }

func (x *fastExec) bool(v bool) { x.b = strconv.AppendBool(x.b, v) }
