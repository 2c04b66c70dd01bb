package server

import (
	"context"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestCostlyGate checks that costly requests take one of the gate's places
// while they run, that past them a costly request is shed with a 503's
// UNAVAILABLE and retryAfter, that cheap ones never wait, and that a place
// comes back when the answer is made or when the request ends.
func TestCostlyGate(t *testing.T) {
	g := newCostlyGate(Limits{MaxCostly: 1, CostlyCost: 1000, QueueWait: time.Millisecond})
	withCost := func(ctx context.Context, cost int) context.Context {
		oc := &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Query}}
		oc.Stats.SetExtension(costExtension, &Cost{Requested: cost})
		return graphql.WithOperationContext(ctx, oc)
	}
	ok := &graphql.Response{Data: []byte(`{"ok":true}`)}
	answer := func(ctx context.Context) graphql.ResponseHandler { return graphql.OneShot(ok) }
	run := func(ctx context.Context, cost int) *graphql.Response {
		ctx = withCost(ctx, cost)
		return g.InterceptOperation(ctx, answer)(ctx)
	}
	shed := func(r *graphql.Response) bool {
		return len(r.Errors) == 1 && r.Errors[0].Extensions["code"] == portfolio.EUnavailable && r.Errors[0].Extensions["retryAfter"] == 1
	}

	// A costly request whose answer is not made yet holds the place.
	held := withCost(context.Background(), 5000)
	rh := g.InterceptOperation(held, answer)
	if r := run(context.Background(), 5000); !shed(r) {
		t.Fatalf("a second costly request: %+v, want it shed", r)
	}
	if r := run(context.Background(), 999); r != ok {
		t.Fatalf("a cheap request while the place is taken: %+v, want answered", r)
	}
	if got := g.shed.Load(); got != 1 {
		t.Errorf("%d shed, want 1", got)
	}
	if r := rh(held); r != ok {
		t.Fatalf("the first answer: %+v", r)
	}
	if r := run(context.Background(), 5000); r != ok {
		t.Fatalf("a costly request once the place is back: %+v", r)
	}
	if r := run(context.Background(), 5000); r != ok {
		t.Fatalf("and another: %+v, want the place given back after each answer", r)
	}

	// A request that ends before its answer is asked for gives it back
	// too.
	ctx, cancel := context.WithCancel(context.Background())
	g.InterceptOperation(withCost(ctx, 5000), answer) // its answer never asked for
	cancel()
	deadline := time.After(time.Minute) // only stops a hang
	for len(g.slots) != 0 {
		select {
		case <-deadline:
			t.Fatal("the place of a request that ended was not given back")
		default:
			time.Sleep(time.Millisecond)
		}
	}
	if r := run(context.Background(), 5000); r != ok {
		t.Fatalf("a costly request after one that ended: %+v", r)
	}
}

// TestCostlyGateFreePlace checks that a costly request finding a place
// free takes it, however late its wait starts: with no queue wait at all
// (a timer that has fired already, as on a loaded machine where the wait
// starts after its deadline), a free place was taken or the request shed
// at random.
func TestCostlyGateFreePlace(t *testing.T) {
	g := newCostlyGate(Limits{MaxCostly: 1, CostlyCost: 1000})
	ok := &graphql.Response{Data: []byte(`{"ok":true}`)}
	for i := range 200 {
		oc := &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Query}}
		oc.Stats.SetExtension(costExtension, &Cost{Requested: 5000})
		ctx := graphql.WithOperationContext(context.Background(), oc)
		if r := g.InterceptOperation(ctx, func(context.Context) graphql.ResponseHandler { return graphql.OneShot(ok) })(ctx); r != ok {
			t.Fatalf("request %d, the place free: %+v, want answered", i, r)
		}
	}
	if got := g.shed.Load(); got != 0 {
		t.Errorf("%d shed with the place free", got)
	}
}

// TestRetryAfter checks the status of a shed answer: 503 with Retry-After
// for an UNAVAILABLE with retryAfter and no data, nothing else.
func TestRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name string
		resp *graphql.Response
		want string
	}{
		{"shed", &graphql.Response{Errors: gqlerror.List{{Extensions: map[string]any{"code": "UNAVAILABLE", "retryAfter": 1}}}}, "1"},
		{"the answers' memory", &graphql.Response{Errors: gqlerror.List{{Extensions: map[string]any{"code": "UNAVAILABLE"}}}}, ""},
		{"with data", &graphql.Response{Data: []byte(`{"a":1}`), Errors: gqlerror.List{{Extensions: map[string]any{"code": "UNAVAILABLE", "retryAfter": 1}}}}, ""},
		{"another code", &graphql.Response{Errors: gqlerror.List{{Extensions: map[string]any{"code": "TIMEOUT", "retryAfter": 1}}}}, ""},
	} {
		got, _ := retryAfter(tt.resp)
		if got != tt.want {
			t.Errorf("%s: Retry-After %q, want %q", tt.name, got, tt.want)
		}
	}
}
