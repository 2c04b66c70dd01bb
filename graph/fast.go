package graph

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/loader"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The fast path: a second executor for the questions dashboards ask most
// (pages of startups, a startup's detail, the incubators and their
// startups), which writes the answer in one pass where gqlgen's generated
// executor runs every field of every object through a field context,
// closures, a marshaler and, for lists and resolvers, goroutines.
//
// It executes the same thing: the fields are collected by gqlgen's own
// CollectFields (aliases, fragments, @skip/@include, in gqlgen's order),
// arguments are parsed by the generated parsers (with their input
// directives), values come from the same resolvers and model methods the
// generated code calls, under field contexts that carry the same field,
// arguments and parents (so `asOf` inherits and `wantsField` reads as
// there), and scalars are written as gqlgen writes them.
//
// It reads less, too: knowing every field before it reads, it asks the
// store for the columns of those fields only (sqlite.Columns,
// fastColumns), through loaders of its own.
//
// It takes a question only when it can answer all of it, before any read:
// a query whose every field, at every level, is in fastTypes, with no
// @defer, and whose protected fields the caller may read. Anything else,
// and any answer that meets an error, a null where the schema says
// non-null, the request's deadline, or more than fastMaxBytes, is handed to
// gqlgen's executor as if the fast path did not exist. Field middleware
// (the server's answer guard) runs around every resolver it calls.
// TestFastPathSameAnswers holds the two executors to the same bytes over a
// corpus of questions, random ones and the real snapshot.

// fastMaxBytes bounds an answer of the fast path: the first MiB every
// answer may take without drawing on the server's shared answer pool
// (internal/server). Larger answers go to gqlgen's executor, whose field
// guard counts them as they grow.
const fastMaxBytes = 1 << 20

// errFallback stops the fast path: gqlgen's executor answers instead.
var errFallback = errors.New("graph: fast path declined")

// fastSchema is the executable schema with the fast path in front.
type fastSchema struct {
	*executableSchema
	r *resolvers
	// answers counts the questions the fast path answered.
	answers atomic.Int64
}

// Exec answers a query the fast path can take, else runs gqlgen's
// executor. As gqlgen's, the work is done when the response is asked for,
// inside the server's response middleware.
func (s *fastSchema) Exec(ctx context.Context) graphql.ResponseHandler {
	op := graphql.GetOperationContext(ctx)
	if op.Operation == nil || op.Operation.Operation != ast.Query {
		return s.executableSchema.Exec(ctx)
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
		data, stopped, ok := s.fast(ctx, op)
		if stopped != nil {
			// The server stopped the answer (its size, its deadline): the
			// answer is that error alone, as the server makes it of any
			// stopped answer.
			graphql.AddError(ctx, stopped)
			return &graphql.Response{Data: []byte("null")}
		}
		if ok {
			s.answers.Add(1)
			return &graphql.Response{Data: data}
		}
		slow = s.executableSchema.Exec(ctx)
		return slow(ctx)
	}
}

// FastAnswers tells how many questions the fast path answered (the
// server's /metrics shows it).
func (s *fastSchema) FastAnswers() int64 { return s.answers.Load() }

// fast plans the operation, then executes the plan; false when either
// declines.
//
// stopped is the error that stopped the answer, when the server's field
// middleware stopped it (RESPONSE_TOO_LARGE, TIMEOUT, UNAVAILABLE): gqlgen's
// executor, once the answer is stopped, would only answer null.
func (s *fastSchema) fast(ctx context.Context, op *graphql.OperationContext) (data []byte, stopped error, ok bool) {
	x := &fastExec{op: op, ec: newExecutionContext(op, s.executableSchema, nil), r: s.r, id: portfolio.IdentityFrom(ctx)}
	defer func() {
		if v := recover(); v != nil {
			// errFallback, or a panic gqlgen's executor will meet again
			// and report as it does.
			data, stopped, ok = nil, x.stopped, false
		}
	}()
	plan := x.plan(ctx, "Query", op.Operation.SelectionSet)
	// Loaders of its own, reading the plan's columns only: the partial
	// records never reach gqlgen's executor, should the fast path decline.
	ctx = sqlite.WithColumns(loader.WithLoaders(ctx, s.r.DB), &x.cols)
	x.b = make([]byte, 0, 16<<10) // most answers fit, the larger ones grow a few times
	x.object(ctx, plan, (*struct{})(nil))
	return x.b, nil, true
}

// fastExec is one execution of the fast path.
type fastExec struct {
	op *graphql.OperationContext
	ec *executionContext
	r  *resolvers
	id *portfolio.Identity
	b  []byte
	// cols are the columns the plan's fields read.
	cols sqlite.Columns
	// stopped is the error the field middleware stopped the answer with.
	stopped error
}

// decline gives the question to gqlgen's executor.
func decline() { panic(errFallback) }

// fastField is a field of the plan: a collected field, what it is, its
// parsed arguments and, for an object or a list of objects, the plan of
// its selection.
type fastField struct {
	f    graphql.CollectedField
	key  string // "alias":
	spec *fastSpec
	args map[string]any
	sub  []*fastField
	obj  string // the type the field is on
	// phase is the selection of a PhasePeriod field, which
	// model.PhasePeriod.AppendJSON writes.
	phase []graphql.CollectedField

	parent, ctx context.Context // the field context made last (fieldContext)
}

// fastSpec says how the fast path answers a field of a type: by write,
// given the field's context and the object; the type of its value (for
// objects and lists of objects, whose selections are planned); its
// argument parser; the role it requires.
type fastSpec struct {
	typ   string // the named type of an object value, "" for scalars
	args  func(ec *executionContext, ctx context.Context, raw map[string]any) (map[string]any, error)
	auth  portfolio.Role
	write func(x *fastExec, ctx context.Context, f *fastField, obj any)
}

// plan collects the selection of an object of type typ and plans each
// field; it declines a field it does not know, a deferred one, bad
// arguments and a protected field the caller may not read.
func (x *fastExec) plan(ctx context.Context, typ string, sel ast.SelectionSet) []*fastField {
	specs := fastTypes[typ]
	if specs == nil {
		decline()
	}
	fields := graphql.CollectFields(x.op, sel, []string{typ})
	out := make([]*fastField, len(fields))
	for i, f := range fields {
		if len(f.Deferrables) > 0 {
			decline()
		}
		spec := specs[f.Name]
		if f.Name == "__typename" {
			spec = &fastSpec{write: func(x *fastExec, _ context.Context, _ *fastField, _ any) { x.str(typ) }}
		}
		if spec == nil {
			decline()
		}
		if spec.auth != "" && !x.id.CanRead(spec.auth) {
			decline() // gqlgen answers FORBIDDEN at the field's path
		}
		planColumns(&x.cols, typ, f.Name)
		ff := &fastField{f: f, key: `"` + f.Alias + `":`, spec: spec, obj: typ}
		if spec.args != nil {
			args, err := spec.args(x.ec, ctx, f.ArgumentMap(x.op.Variables))
			if err != nil {
				decline()
			}
			ff.args = args
		}
		if spec.typ != "" {
			ff.sub = x.plan(ctx, spec.typ, f.Selections)
		}
		if spec.typ == "PhasePeriod" {
			ff.phase = graphql.CollectFields(x.op, f.Selections, phasePeriodTypes)
		}
		out[i] = ff
	}
	return out
}

// object writes an object: each planned field, in order.
func (x *fastExec) object(ctx context.Context, fields []*fastField, obj any) {
	x.b = append(x.b, '{')
	for i, f := range fields {
		if i > 0 {
			x.b = append(x.b, ',')
		}
		x.b = append(x.b, f.key...)
		f.spec.write(x, ctx, f, obj)
	}
	x.b = append(x.b, '}')
	if len(x.b) > fastMaxBytes {
		decline()
	}
}

// fieldContext returns ctx with the field context gqlgen gives the
// resolver of f: the field, its arguments, its parent. It is made once per
// parent context, so that the elements of a list share it (resolvers read
// it, never keep it). The elements of a list get no field context of
// their own (gqlgen gives each one with its index and value, and no
// field): none of the resolvers the fast path calls reads it, and
// wantsSibling, which would, serves Portfolio only.
func (x *fastExec) fieldContext(ctx context.Context, f *fastField) context.Context {
	if f.parent != ctx || f.ctx == nil {
		f.parent = ctx
		f.ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: f.obj, Field: f.f, Args: f.args, IsMethod: true, IsResolver: true})
	}
	return f.ctx
}

// list writes the elements of a list of objects, checking the request's
// deadline at each.
func list[T any](x *fastExec, ctx context.Context, sub []*fastField, items []T) {
	x.b = append(x.b, '[')
	for i, it := range items {
		if ctx.Err() != nil {
			decline() // gqlgen's executor answers TIMEOUT at once
		}
		if i > 0 {
			x.b = append(x.b, ',')
		}
		x.object(ctx, sub, it)
	}
	x.b = append(x.b, ']')
}

// The writers of scalar values, as gqlgen writes them.

func (x *fastExec) str(s string) { x.b = model.AppendString(x.b, s) }

func (x *fastExec) optStr(s *string) {
	if s == nil {
		x.null()
		return
	}
	x.str(*s)
}

func (x *fastExec) null() { x.b = append(x.b, "null"...) }

func (x *fastExec) int(n int64) { x.b = strconv.AppendInt(x.b, n, 10) }

func (x *fastExec) bool(v bool) { x.b = strconv.AppendBool(x.b, v) }

func (x *fastExec) optBool(v *bool) {
	if v == nil {
		x.null()
		return
	}
	x.bool(*v)
}

func (x *fastExec) enum(v string) { x.b = model.AppendEnum(x.b, v) }

func (x *fastExec) date(d portfolio.Date) { x.b = d.AppendJSON(x.b) }

var phasePeriodTypes = []string{"PhasePeriod"}

// scalar makes the spec of a field whose value the object holds.
func scalar[T any](write func(x *fastExec, obj T)) *fastSpec {
	return &fastSpec{write: func(x *fastExec, _ context.Context, _ *fastField, obj any) { write(x, obj.(T)) }}
}

// protected is scalar for a field that needs role.
func protected[T any](role portfolio.Role, write func(x *fastExec, obj T)) *fastSpec {
	s := scalar(write)
	s.auth = role
	return s
}

// resolved makes the spec of a field read through a resolver, whose value
// is an object or a list of objects of type typ ("" for a scalar):
// resolve reads the value (under the field's context, through the
// operation's field middleware, as gqlgen calls resolvers), write writes
// it. The objects of Query are nil *struct{}.
func resolved[T, V any](typ string, args func(*executionContext, context.Context, map[string]any) (map[string]any, error),
	resolve func(x *fastExec, ctx context.Context, obj T, args map[string]any) (V, error),
	write func(x *fastExec, ctx context.Context, f *fastField, v V)) *fastSpec {
	return &fastSpec{typ: typ, args: args,
		write: func(x *fastExec, ctx context.Context, f *fastField, obj any) {
			ctx = x.fieldContext(ctx, f)
			var o T
			if obj != nil {
				o = obj.(T)
			}
			var v any
			var err error
			if mw := x.op.ResolverMiddleware; mw != nil {
				v, err = mw(ctx, func(ctx context.Context) (any, error) { return resolve(x, ctx, o, f.args) })
			} else {
				v, err = resolve(x, ctx, o, f.args)
			}
			if err != nil {
				switch portfolio.ErrorCode(err) {
				case portfolio.ETooLarge, portfolio.ETimeout, portfolio.EUnavailable:
					x.stopped = err
				}
				decline()
			}
			vv, ok := v.(V)
			if !ok {
				decline() // a middleware stopped the field (graphql.Null)
			}
			write(x, ctx, f, vv)
		}}
}

// child makes the spec of a field whose value, an object or a list of
// objects of type typ, the object holds.
func child[T any](typ string, write func(x *fastExec, ctx context.Context, f *fastField, obj T)) *fastSpec {
	return &fastSpec{typ: typ, write: func(x *fastExec, ctx context.Context, f *fastField, obj any) { write(x, ctx, f, obj.(T)) }}
}
