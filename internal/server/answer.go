package server

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// answerBudget bounds one answer while it is being made: the bytes its
// values will take once written as JSON (an estimate from each value
// resolved) and the request's deadline or cancellation. Past either, every
// field left answers null at once without resolving, so that neither
// resolving nor marshalling goes on for an answer nobody will get, and the
// response carries only the error that stopped it.
//
// Answers being made at once also share a pool (answerPool): past its own
// first MiB, which it always has, an answer draws on the pool, so that many
// large answers at once cannot exhaust the server's memory; one that finds
// the pool empty is stopped (UNAVAILABLE) and may be asked again.
type answerBudget struct {
	limit   int64
	done    <-chan struct{}
	pool    *answerPool
	used    atomic.Int64
	charged atomic.Int64 // bytes drawn from the pool
	// stop is why the answer was stopped: 0 while it goes on.
	stop atomic.Int32
}

const (
	stopTooLarge = 1
	stopDeadline = 2
	stopBusy     = 3
)

// freeAnswerBytes is what every answer may take without drawing on the
// pool: small answers never wait for large ones.
const freeAnswerBytes = 1 << 20

// answerPool is the memory that the answers being made at once share,
// beyond their first MiB.
type answerPool struct {
	limit int64
	used  atomic.Int64
}

func newAnswerPool(limit int64) *answerPool {
	if limit <= 0 {
		limit = 1 << 62
	}
	return &answerPool{limit: limit}
}

type budgetKey struct{}

// withAnswerBudget gives the request under ctx an answer budget of limit
// bytes (none when limit <= 0) drawing on pool, and stops it with ctx. The
// returned function gives back what it drew from the pool.
func withAnswerBudget(ctx context.Context, limit int64, pool *answerPool) (context.Context, func()) {
	if limit <= 0 {
		limit = 1 << 62
	}
	b := &answerBudget{limit: limit, done: ctx.Done(), pool: pool}
	ctx = context.WithValue(ctx, budgetKey{}, b)
	// An executor that writes its answer itself (the graph's fast path)
	// counts it as it grows, past its first MiB.
	ctx = portfolio.WithAnswerSize(ctx, func(size int64) error {
		if b.stop.Load() != 0 {
			return stopError(b.stop.Load(), b)
		}
		if extra := size - b.used.Load(); extra > 0 {
			if why := b.take(extra); why != 0 {
				return stopError(why, b)
			}
		}
		return nil
	})
	return ctx, func() { pool.used.Add(-b.charged.Swap(0)) }
}

// take counts n more bytes of the answer; it returns why the answer must
// stop, or 0.
func (b *answerBudget) take(n int64) int32 {
	used := b.used.Add(n)
	if used > b.limit {
		return stopTooLarge
	}
	if over := used - freeAnswerBytes; over > 0 {
		charge := min(n, over)
		b.charged.Add(charge)
		if b.pool.used.Add(charge) > b.pool.limit {
			// Stopped: give back at once, so that the others go on.
			b.pool.used.Add(-b.charged.Swap(0))
			return stopBusy
		}
	}
	return 0
}

func budgetFrom(ctx context.Context) *answerBudget {
	b, _ := ctx.Value(budgetKey{}).(*answerBudget)
	return b
}

// fieldBytes is what a field adds to an answer besides its value: its key,
// quotes, colon and comma, on average.
const fieldBytes = 16

// answerGuard is the field middleware that keeps each answer within its
// budget.
type answerGuard struct{}

var (
	_ graphql.HandlerExtension    = answerGuard{}
	_ graphql.FieldInterceptor    = answerGuard{}
	_ graphql.ResponseInterceptor = answerGuard{}
)

// ExtensionName names the guard.
func (answerGuard) ExtensionName() string { return "AnswerGuard" }

// Validate does nothing.
func (answerGuard) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptField resolves a field unless the answer was stopped, and
// counts the size of its value.
func (answerGuard) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	b := budgetFrom(ctx)
	if b == nil {
		return next(ctx)
	}
	if b.stop.Load() != 0 {
		return graphql.Null, nil // the answer is dropped: nothing more to resolve
	}
	select {
	case <-b.done:
		if b.stop.CompareAndSwap(0, stopDeadline) {
			return nil, errStopped(ctx)
		}
		return graphql.Null, nil
	default:
	}
	v, err := next(ctx)
	if err != nil {
		return v, err
	}
	if why := b.take(fieldBytes + valueBytes(v)); why != 0 {
		if !b.stop.CompareAndSwap(0, why) {
			return graphql.Null, nil
		}
		return nil, stopError(why, b)
	}
	return v, nil
}

// stopError is the error of an answer stopped for its size (why is
// stopTooLarge or stopBusy).
func stopError(why int32, b *answerBudget) *portfolio.Error {
	if why == stopBusy {
		return portfolio.Errorf(portfolio.EUnavailable, "the server is making other large answers: retry in a few seconds, or ask for smaller pages")
	}
	return portfolio.Errorf(portfolio.ETooLarge, "the answer would be larger than %s: ask for smaller pages, fewer fields or fewer nested lists", sizeOf(b.limit))
}

// sizeOf writes a number of bytes in MiB, or KiB below one MiB.
func sizeOf(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d MiB", n>>20)
}

// errStopped is the error of a request whose context ended.
func errStopped(ctx context.Context) error {
	if ctx.Err() == context.DeadlineExceeded {
		return portfolio.Errorf(portfolio.ETimeout, "the request took too long")
	}
	return portfolio.Errorf(portfolio.ETimeout, "the request was cancelled or took too long")
}

// InterceptResponse drops the partial data of a stopped answer: the
// response holds only the error that stopped it.
func (answerGuard) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	b := budgetFrom(ctx)
	if resp == nil || b == nil {
		return resp
	}
	// The fields counted are an estimate, and an executor may write
	// values it never passes through the field middleware (the graph's
	// fast path, values that write themselves): the answer made counts for
	// its real size.
	if extra := int64(len(resp.Data)) - b.used.Load(); b.stop.Load() == 0 && extra > 0 {
		if why := b.take(extra); why != 0 && b.stop.CompareAndSwap(0, why) {
			err := stopError(why, b)
			resp.Errors = append(resp.Errors, &gqlerror.Error{Message: err.Message, Extensions: map[string]any{"code": err.Code}})
		}
	}
	if b.stop.Load() == 0 {
		if graphql.HasOperationContext(ctx) && graphql.GetOperationContext(ctx).Operation != nil &&
			graphql.GetOperationContext(ctx).Operation.Operation == ast.Subscription {
			// A subscription's events are answers of their own: each
			// has the whole budget.
			b.pool.used.Add(-b.charged.Swap(0))
			b.used.Store(0)
		}
		return resp
	}
	code := map[int32]string{stopTooLarge: portfolio.ETooLarge, stopDeadline: portfolio.ETimeout, stopBusy: portfolio.EUnavailable}[b.stop.Load()]
	var keep gqlerror.List
	for _, e := range resp.Errors {
		if c, _ := e.Extensions["code"].(string); c == code {
			e.Path = nil
			keep = append(keep, e)
			break
		}
	}
	if len(keep) == 0 {
		keep = gqlerror.List{{Message: "the answer was stopped", Extensions: map[string]any{"code": code}}}
	}
	resp.Errors = keep
	resp.Data = []byte("null")
	return resp
}

// answerSized is a value that tells its size in an answer: a value whose
// type writes itself (graph/model's PhasePeriod), whose fields the guard
// does not see one by one.
type answerSized interface{ AnswerBytes() int64 }

var answerSizedType = reflect.TypeFor[answerSized]()

// valueBytes estimates the JSON size of a resolved value; objects and
// lists count through their fields, which the guard sees one by one, but
// for values that tell their size (answerSized), alone or in a list.
func valueBytes(v any) int64 {
	switch v := v.(type) {
	case answerSized:
		return v.AnswerBytes()
	case string:
		return int64(len(v)) + 2
	case *string:
		if v == nil {
			return 4
		}
		return int64(len(*v)) + 2
	case []string:
		n := int64(2)
		for _, s := range v {
			n += int64(len(s)) + 3
		}
		return n
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice && rv.Type().Elem().Implements(answerSizedType) {
		n := int64(2)
		for i := range rv.Len() {
			if e, ok := rv.Index(i).Interface().(answerSized); ok && e != nil {
				n += e.AnswerBytes() + 1
			}
		}
		return n
	}
	return 8
}

// sameErrors folds the errors that differ only by the list element they
// are at into one: a protected field in a list of a thousand rows is one
// FORBIDDEN error, at the first row's path, with extensions.rows telling
// how many rows it stands for, not a thousand errors.
type sameErrors struct{}

var (
	_ graphql.HandlerExtension    = sameErrors{}
	_ graphql.ResponseInterceptor = sameErrors{}
)

// ExtensionName names the extension.
func (sameErrors) ExtensionName() string { return "SameErrors" }

// Validate does nothing.
func (sameErrors) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse folds the response's errors.
func (sameErrors) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || len(resp.Errors) < 2 {
		return resp
	}
	resp.Errors = foldErrors(resp.Errors)
	return resp
}

// foldErrors keeps one error per message, code and path without list
// indices, in the order they first appear.
func foldErrors(errs gqlerror.List) gqlerror.List {
	type seen struct {
		err  *gqlerror.Error
		rows int
	}
	index := map[string]*seen{}
	var out gqlerror.List
	var key strings.Builder
	for _, e := range errs {
		key.Reset()
		key.WriteString(e.Message)
		key.WriteByte(0)
		if c, ok := e.Extensions["code"].(string); ok {
			key.WriteString(c)
		}
		indexed := false
		for _, p := range e.Path {
			key.WriteByte(0)
			if name, ok := p.(ast.PathName); ok {
				key.WriteString(string(name))
			} else {
				indexed = true
			}
		}
		if !indexed {
			out = append(out, e)
			continue
		}
		if s := index[key.String()]; s != nil {
			s.rows++
			continue
		}
		index[key.String()] = &seen{err: e, rows: 1}
		out = append(out, e)
	}
	for _, s := range index {
		if s.rows > 1 {
			if s.err.Extensions == nil {
				s.err.Extensions = map[string]any{}
			}
			s.err.Extensions["rows"] = s.rows
		}
	}
	return out
}
