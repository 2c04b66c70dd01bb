package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// callCtx is call with the request's context.
func callCtx(t *testing.T, ctx context.Context, h http.Handler, body string) *answer {
	t.Helper()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	// The media type whose statuses tell a refusal (a client of
	// application/json gets a 200 with the errors: TestStatusTable).
	req.Header.Set("Accept", "application/graphql-response+json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	a := &answer{status: rec.Code, header: rec.Header()}
	if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil {
		t.Fatalf("status %d, body not JSON: %.200s", rec.Code, rec.Body.String())
	}
	return a
}

// nest builds the list-multiplying query of the attack at a depth: each
// level goes from startups to their team's members and their startups.
func nest(first, depth int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{ startups(first: %d, asOf: "2024-02-01") { nodes { slug `, first)
	for i := 0; i < depth; i++ {
		b.WriteString("team { member { startups { slug ")
	}
	b.WriteString(strings.Repeat("} } } ", depth))
	b.WriteString("} } }")
	return b.String()
}

// values counts the field values of an answer: every key of every object,
// in every element of every list.
func values(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, c := range v {
			n += 1 + values(c)
		}
	case []any:
		for _, c := range v {
			n += values(c)
		}
	}
	return n
}

// TestCostBoundsTheAnswer checks that plain lists are costed: the nest of
// startups → team → member → startups that took the server down is
// refused before it runs at every depth where its bound passes the limit,
// and wherever a query runs, its cost is at least the number of values of
// its answer.
func TestCostBoundsTheAnswer(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1})
	refusedAt := 0
	for depth := 0; depth <= 4; depth++ {
		for _, first := range []int{3, 30, 1000} {
			a := call(t, h, q(nest(first, depth)))
			switch {
			case a.status == 422 && code(a) == "COMPLEXITY_LIMIT":
				if refusedAt == 0 || depth < refusedAt {
					refusedAt = depth
				}
			case a.status == 200 && len(a.body.Errors) == 0:
				var data any
				json.Unmarshal(a.body.Data, &data)
				cost := a.body.Extensions["cost"].(map[string]any)["requested"].(float64)
				if n := values(data); float64(n) > cost {
					t.Errorf("first %d depth %d: %d values in the answer, cost %v: the cost does not bound the answer", first, depth, n, cost)
				}
			default:
				t.Errorf("first %d depth %d: status %d code %q", first, depth, a.status, code(a))
			}
		}
	}
	if refusedAt == 0 || refusedAt > 2 {
		t.Errorf("the attack was first refused at depth %d, want by depth 2 (with first: 1000)", refusedAt)
	}
	// The attack as it was found, at first: 1000 and depth 2.
	if a := call(t, h, q(nest(1000, 2))); a.status != 422 || code(a) != "COMPLEXITY_LIMIT" {
		t.Errorf("the attack: status %d code %q, want 422 COMPLEXITY_LIMIT", a.status, code(a))
	}
}

// TestCostOfAList checks the cost of a plain list: its longest length in
// the data on each parent, but no more in all than its relation has rows
// under distinct parents, one per element and one per value it selects;
// both found here by reading every startup's sponsors through the API.
func TestCostOfAList(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1})
	a := call(t, h, q(`{ startups(first: 1000) { nodes { sponsors { slug } } } }`))
	var data struct {
		Startups struct {
			Nodes []struct{ Sponsors []struct{ Slug string } }
		}
	}
	if err := json.Unmarshal(a.body.Data, &data); err != nil || len(data.Startups.Nodes) == 0 {
		t.Fatalf("no startups: %v %s", err, a.body.Data)
	}
	most, links := 1, 0
	for _, s := range data.Startups.Nodes {
		most = max(most, len(s.Sponsors))
		links += len(s.Sponsors)
	}
	cost := func(query string) int {
		t.Helper()
		a := call(t, h, q(query))
		return int(a.body.Extensions["cost"].(map[string]any)["requested"].(float64))
	}
	for _, n := range []int{10, 1000} {
		without := cost(fmt.Sprintf(`{ startups(first: %d) { nodes { slug } } }`, n))
		with := cost(fmt.Sprintf(`{ startups(first: %d) { nodes { slug sponsors { slug } } } }`, n))
		rows := min(n, len(data.Startups.Nodes))
		// sponsors on each startup, then each sponsor and its slug.
		want := rows + 2*min(rows*most, links)
		if with-without != want {
			t.Errorf("first %d: the sponsors cost %d, want %d (%d startups, the most sponsors of one is %d, %d in all)", n, with-without, want, rows, most, links)
		}
	}
}

// TestAnswerTooLarge checks the second wall: an answer past the byte cap
// stops with RESPONSE_TOO_LARGE and carries neither partial data nor more
// than one error.
func TestAnswerTooLarge(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1, Limits: Limits{MaxAnswerBytes: 64 << 10}})
	var sel strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&sel, "d%d: description ", i)
	}
	a := call(t, h, q(`{ startups(first: 1000) { nodes { `+sel.String()+` } } }`))
	if code(a) != "RESPONSE_TOO_LARGE" || len(a.body.Errors) != 1 || string(a.body.Data) != "null" {
		t.Errorf("code %q, %d errors, data %.80s: want one RESPONSE_TOO_LARGE and null data", code(a), len(a.body.Errors), a.body.Data)
	}
	if a := call(t, h, q(`{ startups(first: 10) { nodes { slug } } }`)); code(a) != "" {
		t.Errorf("a small answer: code %q", code(a))
	}
}

// TestSelfWrittenValuesCount checks that values written without gqlgen's
// field executor (phase periods) count in the answer's bytes: their fields
// never pass the guard one by one.
func TestSelfWrittenValuesCount(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1, Limits: Limits{MaxAnswerBytes: 64 << 10}})
	query := `{ startups(first: 1000) { nodes { phases { __typename phase label start end durationDays source } } } }`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(q(query)))
	req.Header.Set("Content-Type", "application/json")
	// The same query under a larger cap: the answer is larger than 64 KiB.
	big := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1})
	rec := httptest.NewRecorder()
	big.ServeHTTP(rec, req)
	if rec.Body.Len() < 128<<10 {
		t.Fatalf("the answer is %d bytes: the test needs one well past 64 KiB", rec.Body.Len())
	}
	if a := call(t, h, q(query)); code(a) != "RESPONSE_TOO_LARGE" || string(a.body.Data) != "null" {
		t.Errorf("code %q, data %.60s: want RESPONSE_TOO_LARGE and null data", code(a), a.body.Data)
	}
}

// TestCancelStopsResolvedAnswer checks that a request whose context ends
// once its data is loaded stops there: the rest of the answer is neither
// resolved nor written. The request is cancelled when the startups'
// descriptions are read (every startup is loaded by then): the fast path
// stops at the next element it writes, and gqlgen's executor, which then
// answers, resolves nothing more (a field middleware counts the
// descriptions it resolves).
func TestCancelStopsResolvedAnswer(t *testing.T) {
	db := seededDB(t)
	cfg := Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Limits: DefaultLimits}
	gql := newGraphQL(cfg)
	var after atomic.Int32
	var cancelled atomic.Bool
	gql.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		if graphql.GetFieldContext(ctx).Field.Name == "description" && cancelled.Load() {
			after.Add(1)
		}
		return next(ctx)
	})
	h := perRequest(db, cfg.Limits, newAnswerPool(0), gql)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx = sqlite.WithStatementHook(ctx, func(_ context.Context, query string) {
		if strings.Contains(query, "description") {
			cancelled.Store(true)
			cancel()
		}
	})
	a := callCtx(t, ctx, h, q(`{ startups(first: 1000) { nodes { slug name pitch description } } }`))
	if !cancelled.Load() {
		t.Fatal("the descriptions were never read")
	}
	if code(a) != "TIMEOUT" || string(a.body.Data) != "null" {
		t.Errorf("code %q, data %.60s: want TIMEOUT and null data", code(a), a.body.Data)
	}
	if n := after.Load(); n > 16 {
		t.Errorf("%d descriptions resolved after the request was cancelled (of %d startups)", n, 660)
	}
}

// TestAnswerPool checks that answers being made at once share the pool
// beyond their first MiB, and that a stopped answer gives its share back.
func TestAnswerPool(t *testing.T) {
	pool := newAnswerPool(4 << 20)
	ctx1, release1 := withAnswerBudget(context.Background(), 32<<20, pool)
	ctx2, release2 := withAnswerBudget(context.Background(), 32<<20, pool)
	b1, b2 := budgetFrom(ctx1), budgetFrom(ctx2)
	if why := b1.take(3 << 20); why != 0 { // 1 MiB free, 2 from the pool
		t.Fatalf("first answer, 3 MiB: stopped (%d)", why)
	}
	if why := b2.take(1 << 20); why != 0 {
		t.Fatalf("second answer, its free MiB: stopped (%d)", why)
	}
	if why := b2.take(3 << 20); why != stopBusy {
		t.Fatalf("second answer past the pool: %d, want stopBusy", why)
	}
	if got := pool.used.Load(); got != 2<<20 {
		t.Errorf("pool holds %d after the stop, want 2 MiB (the stopped answer gave its share back)", got)
	}
	release1()
	release2()
	if got := pool.used.Load(); got != 0 {
		t.Errorf("pool holds %d after both answers, want 0", got)
	}
	ctx3, _ := withAnswerBudget(context.Background(), 2<<20, pool)
	if why := budgetFrom(ctx3).take(3 << 20); why != stopTooLarge {
		t.Errorf("an answer past its own cap: %d, want stopTooLarge", why)
	}
}

// TestFieldsMeasuredBeforeValidation checks that a document with too many
// fields is refused before it is validated (validation is quadratic in the
// fields of a selection: 9,900 fields took 4.9 s): an invalid document of
// 9,900 fields is refused for its size, not for the unknown field in it
// (by prescan, before the parser builds it).
func TestFieldsMeasuredBeforeValidation(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	var b strings.Builder
	b.WriteString("{ nosuchfield ")
	for i := 0; i < 9_900; i++ {
		b.WriteString("__typename ")
	}
	b.WriteString("}")
	a := call(t, h, q(b.String()))
	if a.status != 422 || code(a) != "COMPLEXITY_LIMIT" || !strings.Contains(a.body.Errors[0].Message, "more than 1000 fields") {
		t.Errorf("status %d code %q (%v), want 422 COMPLEXITY_LIMIT for more than 1000 fields", a.status, code(a), a.body.Errors)
	}
}

// TestNoIntrospection checks that closed introspection is a refusal of the
// caller's request (FORBIDDEN), not an internal error logged as one.
func TestNoIntrospection(t *testing.T) {
	db := seededDB(t)
	var logs bytes.Buffer
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, NoIntrospection: true, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	for _, query := range []string{`{ __schema { queryType { name } } }`, `{ __type(name: "Startup") { name } }`, `{ ...F } fragment F on Query { __schema { types { name } } }`} {
		a := call(t, h, q(query))
		if code(a) != "FORBIDDEN" || a.status != 403 {
			t.Errorf("%s: status %d code %q, want 403 FORBIDDEN", query, a.status, code(a))
		}
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("closed introspection logged errors:\n%s", logs.String())
	}
	if a := call(t, h, q(`{ __typename startups(first: 1) { nodes { __typename } } }`)); code(a) != "" {
		t.Errorf("__typename with introspection closed: code %q", code(a))
	}
}

// TestTimeoutCancelsWork checks that the request's deadline stops a
// statement that is running: a hook holds the first statement until the
// deadline has passed, so the test does not depend on the machine's speed.
func TestTimeoutCancelsWork(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1, Limits: Limits{Timeout: 50 * time.Millisecond}})
	db.ListBounds(context.Background()) // read before the request: the hook holds request statements only
	ctx := sqlite.WithStatementHook(context.Background(), func(ctx context.Context, _ string) { <-ctx.Done() })
	a := callCtx(t, ctx, h, q(`{ portfolio(asOf: "2026-01-01") { timeline(from: "2014-01-01", every: MONTH) { date startupCount activeMemberCount } } }`))
	if code(a) != "TIMEOUT" {
		t.Errorf("code %q, want TIMEOUT (%+v)", code(a), a.body.Errors)
	}
}

// TestOneErrorPerFieldPath checks that a protected field in a list gives
// one FORBIDDEN error per field path, telling how many rows it stands for,
// not one error per row.
func TestOneErrorPerFieldPath(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1})
	a := call(t, h, q(`{ startups(first: 20) { nodes { slug missions(first: 5) { nodes { start status employer } } } } }`))
	var data struct {
		Startups struct {
			Nodes []struct{ Missions struct{ Nodes []any } }
		}
	}
	json.Unmarshal(a.body.Data, &data)
	missions := 0
	for _, n := range data.Startups.Nodes {
		missions += len(n.Missions.Nodes)
	}
	if missions < 2 {
		t.Fatalf("%d missions: the test needs more", missions)
	}
	if len(a.body.Errors) != 2 {
		t.Fatalf("%d errors for %d missions, want 2 (status, employer)", len(a.body.Errors), missions)
	}
	for _, e := range a.body.Errors {
		if e.Extensions["code"] != "FORBIDDEN" || e.Extensions["rows"] != float64(missions) {
			t.Errorf("error %q: code %v rows %v, want FORBIDDEN for %d rows", e.Message, e.Extensions["code"], e.Extensions["rows"], missions)
		}
	}
}

// TestReadsAreCounted checks that aliases of one list, which the loaders
// cannot batch (each is a statement of its own), are bounded: 300 aliases
// of the startups took 3.5 s although their cost was within the limit
// (their cost counts the team each reads now, and passes it).
func TestReadsAreCounted(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1})
	aliases := func(sel string) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range 300 {
			fmt.Fprintf(&b, "a%d: startups(first: %s ", i, sel)
		}
		b.WriteString("}")
		return b.String()
	}
	if a := call(t, h, q(aliases("1000) { nodes { teamSize } }"))); a.status != 422 || code(a) != "COMPLEXITY_LIMIT" {
		t.Errorf("300 aliased lists of teams: status %d code %q, want 422 COMPLEXITY_LIMIT", a.status, code(a))
	}
	a := call(t, h, q(aliases("1) { nodes { slug } }")))
	if a.status != 422 || code(a) != "COMPLEXITY_LIMIT" || !strings.Contains(a.body.Errors[0].Message, "reads 300 lists") {
		t.Errorf("300 aliased lists: status %d code %q (%v), want 422 COMPLEXITY_LIMIT for 300 reads", a.status, code(a), a.body.Errors)
	}
	// Nested lists are batched: a deep query reads little.
	if a := call(t, h, q(`{ incubators(first: 50) { nodes { title startups(first: 1000) { nodes { name phases { phase } sponsors { name } } } } } }`)); code(a) != "" {
		t.Errorf("a whole-portfolio query: code %q", code(a))
	}
}

// TestSameNameFieldsAreBounded checks that many fields under one response
// name, which the validator compares pair by pair (333 of them took it
// 0.6 s), are refused before validation.
func TestSameNameFieldsAreBounded(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	var b strings.Builder
	b.WriteString("{ ")
	for i := range 333 {
		fmt.Fprintf(&b, "a: startup(slug: \"s%d\") { slug } ", i)
	}
	b.WriteString("}")
	a := call(t, h, q(b.String()))
	if a.status != 422 || code(a) != "COMPLEXITY_LIMIT" || !strings.Contains(a.body.Errors[0].Message, `333 fields under the response name "a"`) {
		t.Errorf("333 conflicting aliases: status %d code %q (%v), want 422 COMPLEXITY_LIMIT", a.status, code(a), a.body.Errors)
	}
	// Fragments count where they are spread.
	b.Reset()
	b.WriteString("{ startups(first: 1) { nodes { ")
	for i := range 60 {
		fmt.Fprintf(&b, "...F%d ", i)
	}
	b.WriteString("} } }\n")
	for i := range 60 {
		fmt.Fprintf(&b, "fragment F%d on Startup { slug }\n", i)
	}
	if a := call(t, h, q(b.String())); code(a) != "COMPLEXITY_LIMIT" {
		t.Errorf("60 fragments selecting slug: code %q, want COMPLEXITY_LIMIT", code(a))
	}
}

// TestAnswerCountsItsRealSize checks that an answer counts for the bytes
// it has, not only for the fields the guard saw: the fast path writes the
// values its objects hold without passing each through the guard, so a
// page of names under a 16 KiB cap must still be refused.
func TestAnswerCountsItsRealSize(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1, Limits: Limits{MaxAnswerBytes: 16 << 10}})
	a := call(t, h, q(`{ startups(first: 1000) { nodes { name pitch } } }`))
	if code(a) != "RESPONSE_TOO_LARGE" || string(a.body.Data) != "null" {
		t.Fatalf("code %q, data %.60s: want RESPONSE_TOO_LARGE and null data", code(a), a.body.Data)
	}
	if msg := a.body.Errors[0].Message; !strings.Contains(msg, "16 KiB") {
		t.Errorf("message %q does not tell the cap", msg)
	}
	if a := call(t, h, q(`{ startups(first: 20) { nodes { name pitch } } }`)); len(a.body.Errors) > 0 {
		t.Errorf("a small answer under the cap: %v", a.body.Errors)
	}
}
