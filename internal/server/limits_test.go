package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/graph"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func seededDB(t testing.TB) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		_, err := seed.Generate(ctx, s, seed.Options{Scale: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

type answer struct {
	status int
	header http.Header
	body   struct {
		Data   json.RawMessage
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
		Extensions map[string]any
	}
}

func call(t *testing.T, h http.Handler, body string) *answer {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
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

func q(query string) string {
	b, _ := json.Marshal(map[string]any{"query": query})
	return string(b)
}

func code(a *answer) string {
	if len(a.body.Errors) == 0 {
		return ""
	}
	c, _ := a.body.Errors[0].Extensions["code"].(string)
	return c
}

func TestShapeGuards(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Limits: Limits{MaxDepth: 6, MaxFields: 50, MaxCost: 5_000}})
	deep := "{ startups(first: 1) { nodes { incubator { startups(first: 1) { nodes { incubator { startups(first: 1) { nodes { slug } } } } } } } } }"
	aliases := "{ " + strings.Repeat("a: __typename ", 1) + "}"
	var sb strings.Builder
	sb.WriteString("{ ")
	for i := 0; i < 60; i++ {
		sb.WriteString("a")
		sb.WriteString(strings.Repeat("x", i%5+1))
		sb.WriteString(string(rune('a' + i%26)))
		sb.WriteString(": phases { slug } ")
	}
	sb.WriteString("}")
	tests := []struct {
		name, query string
		status      int
		code        string
	}{
		{"small query", `{ startups(first: 10) { nodes { slug name } } }`, 200, ""},
		{"too deep", deep, 422, "COMPLEXITY_LIMIT"},
		{"alias bomb", sb.String(), 422, "COMPLEXITY_LIMIT"},
		{"too costly", `{ startups(first: 1000) { nodes { slug name pitch phases { phase start end } sponsors { name acronym } teamSize } } }`, 422, "COMPLEXITY_LIMIT"},
		{"one alias", aliases, 200, ""},
		{"fragment cycle", `{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }`, 400, "GRAPHQL_VALIDATION_FAILED"},
		// A cycle through a nested selection: the guards before validation
		// must not follow it (it crashed the server once, by recursion).
		{"fragment cycle, nested", `{ startups { nodes { ...S } } } fragment S on Startup { incubator { startups { nodes { ...S } } } }`, 400, "GRAPHQL_VALIDATION_FAILED"},
		{"fragment spreading itself", `{ ...A } fragment A on Query { __typename ...A }`, 400, "GRAPHQL_VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, h, q(tt.query))
			if a.status != tt.status || code(a) != tt.code {
				t.Fatalf("status %d code %q, want %d %q (%+v)", a.status, code(a), tt.status, tt.code, a.body.Errors)
			}
			if tt.status == 200 {
				cost, _ := a.body.Extensions["cost"].(map[string]any)
				if cost == nil || cost["limit"] != float64(5_000) || cost["requested"] == nil {
					t.Errorf("extensions.cost = %v, want requested and limit 5000", a.body.Extensions["cost"])
				}
			}
		})
	}
}

func TestBodyCap(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Limits: Limits{MaxBodyBytes: 1000}})
	big := q("{ startups { totalCount } }" + strings.Repeat(" ", 2000))
	if a := call(t, h, big); a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a 2 KB body with a 1 KB cap: status %d, want 413", a.status)
	}
	// Without a length (chunked), the cap still holds.
	req := httptest.NewRequest(http.MethodPost, "/graphql", struct{ *strings.Reader }{strings.NewReader(big)})
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code < 400 || rec.Code >= 500 {
		t.Errorf("a chunked 2 KB body with a 1 KB cap: status %d, want a 4xx", rec.Code)
	}
}

func TestTrustedDocuments(t *testing.T) {
	db := seededDB(t)
	doc := `{ startups(first: 3) { totalCount } }`
	file := filepath.Join(t.TempDir(), "trusted.json")
	manifest, _ := json.Marshal(map[string]string{hashOf(doc): doc})
	os.WriteFile(file, manifest, 0o644)
	docs, err := LoadTrustedDocuments(file)
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, TrustedDocuments: docs})
	byHash, _ := json.Marshal(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hashOf(doc)}}})
	unknown, _ := json.Marshal(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": strings.Repeat("0", 64)}}})
	// APQ registration of a new document must not get it in.
	other := `{ startups(first: 4) { totalCount } }`
	register, _ := json.Marshal(map[string]any{"query": other, "extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hashOf(other)}}})
	tests := []struct {
		name, body string
		status     int
		code       string
	}{
		{"by hash", string(byHash), 200, ""},
		{"by exact text", q(doc), 200, ""},
		{"unknown hash", string(unknown), 422, portfolio.EUnknownDocument},
		{"other text", q(`{ startups(first: 5) { totalCount } }`), 422, portfolio.EUntrustedDocument},
		{"APQ registration", string(register), 422, portfolio.EUnknownDocument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := call(t, h, tt.body)
			if a.status != tt.status || code(a) != tt.code {
				t.Errorf("status %d code %q, want %d %q (%+v)", a.status, code(a), tt.status, tt.code, a.body.Errors)
			}
		})
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"abc": "{ startups { totalCount } }"}`), 0o644)
	if _, err := LoadTrustedDocuments(bad); err == nil {
		t.Error("a manifest whose key is not the document's hash was accepted")
	}
}

func TestAPQAndIntrospection(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	doc := `{ startups(first: 2) { totalCount } }`
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hashOf(doc)}}
	hashOnly, _ := json.Marshal(map[string]any{"extensions": ext})
	if a := call(t, h, string(hashOnly)); code(a) != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("APQ before registration: code %q", code(a))
	}
	withText, _ := json.Marshal(map[string]any{"query": doc, "extensions": ext})
	if a := call(t, h, string(withText)); a.status != 200 || code(a) != "" {
		t.Errorf("APQ registration: status %d code %q", a.status, code(a))
	}
	if a := call(t, h, string(hashOnly)); a.status != 200 || code(a) != "" {
		t.Errorf("APQ by hash after registration: status %d code %q", a.status, code(a))
	}
	intro := q(`{ __schema { queryType { name } } }`)
	if a := call(t, h, intro); a.status != 200 || code(a) != "" {
		t.Errorf("introspection on by default: status %d code %q", a.status, code(a))
	}
	closed := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, NoIntrospection: true})
	if a := call(t, closed, intro); code(a) == "" {
		t.Errorf("introspection with NoIntrospection: no error")
	}
}

func TestLoadShedding(t *testing.T) {
	// Two slots, one place in the queue, 50 ms of waiting: of six requests
	// sent while the two running ones are held, two run and four are shed
	// (three at once, the queued one after its wait). The test waits for
	// each of these states instead of sleeping, so a slow machine cannot
	// reorder them.
	block := make(chan struct{})
	entered := make(chan struct{}, 6)
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-block
	})
	h := guardHTTP(Limits{MaxConcurrent: 2, MaxQueued: 1, QueueWait: 50 * time.Millisecond, MaxBodyBytes: 1 << 20}, inner)
	codes := make(chan int, 6)
	send := func() {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(`{"query":"{ __typename }"}`)))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(rec, req)
		if rec.Code == http.StatusServiceUnavailable && rec.Header().Get("Retry-After") == "" {
			t.Error("a 503 without Retry-After")
		}
		codes <- rec.Code
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(send)
	}
	<-entered
	<-entered // both slots are held
	for range 4 {
		wg.Go(send)
	}
	for range 4 { // shed while the slots are held: none of them can run
		if c := <-codes; c != http.StatusServiceUnavailable {
			t.Errorf("a request sent while both slots were held got %d, want 503", c)
		}
	}
	close(block)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Errorf("a running request got %d, want 200", c)
		}
	}
}

// TestInvalidText checks that text which is not valid Unicode is refused
// before GraphQL decodes it into U+FFFD: 400 BAD_USER_INPUT naming where it
// sits, on POST and GET.
func TestInvalidText(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	const search = `query($s: String) { startups(filter: {search: $s}) { totalCount } }`
	tests := []struct {
		name      string
		method    string
		body      string     // POST
		params    url.Values // GET
		field     string
		locations bool   // the error gives a line and column
		argument  string // extensions.argument
	}{
		{name: "invalid byte in a variable", body: "{\"query\":\"" + search + "\",\"variables\":{\"s\":\"ab\xffc\"}}", field: "variables.s"},
		{name: "lone surrogate in a variable", body: `{"query":"` + search + `","variables":{"s":"\udc00"}}`, field: "variables.s"},
		{name: "invalid byte in a query literal", body: "{\"query\":\"{ startups(filter: {search: \\\"a\xff\\\"}) { totalCount } }\"}", field: "query", locations: true, argument: "startups(filter.search)"},
		{name: "lone surrogate escaped in JSON in the query", body: `{"query":"{ startup(slug: \"\ud800\") { slug } }"}`, field: "query", locations: true, argument: "startup(slug)"},
		{name: "lone surrogate escaped in GraphQL", body: `{"query":"{ startup(slug: \"\\udc00\") { slug } }"}`, field: "query", locations: true, argument: "startup(slug)"},
		{name: "invalid operationName", body: "{\"query\":\"query A { __typename }\",\"operationName\":\"A\xff\"}", field: "operationName"},
		{name: "GET query", method: http.MethodGet, params: url.Values{"query": {"{ startup(slug: \"\xfe\") { slug } }"}}, field: "query", locations: true, argument: "startup(slug)"},
		{name: "GET variables", method: http.MethodGet, params: url.Values{"query": {search}, "variables": {"{\"s\":\"\xc3(\"}"}}, field: "variables.s"},
		{name: "GET lone surrogate in variables", method: http.MethodGet, params: url.Values{"query": {search}, "variables": {`{"s":"\udfff"}`}}, field: "variables.s"},
		{name: "GET operationName", method: http.MethodGet, params: url.Values{"query": {"query A { __typename }"}, "operationName": {"\xff"}}, field: "operationName"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req *http.Request
			if tt.method == http.MethodGet {
				req = httptest.NewRequest(http.MethodGet, "/graphql?"+tt.params.Encode(), nil)
			} else {
				req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(tt.body))
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var got struct {
				Errors []struct {
					Message    string
					Locations  []struct{ Line, Column int }
					Extensions map[string]any
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got.Errors) != 1 {
				t.Fatalf("status %d, body %.300s", rec.Code, rec.Body.String())
			}
			e := got.Errors[0]
			if rec.Code != http.StatusBadRequest || e.Extensions["code"] != portfolio.EInvalid || e.Extensions["field"] != tt.field {
				t.Errorf("status %d, %v, want 400 BAD_USER_INPUT on %s: %s", rec.Code, e.Extensions, tt.field, e.Message)
			}
			if (len(e.Locations) == 1) != tt.locations || e.Extensions["argument"] != nilIfEmpty(tt.argument) {
				t.Errorf("locations %v, argument %v, want locations %v, argument %q", e.Locations, e.Extensions["argument"], tt.locations, tt.argument)
			}
			if strings.ContainsRune(rec.Body.String(), '\ufffd') {
				t.Errorf("the answer holds U+FFFD: %s", rec.Body.String())
			}
		})
	}
	// Valid text passes: characters outside the BMP as a JSON surrogate
	// pair and as a GraphQL one.
	body := `{"query":"{ a: startup(slug: \"\\ud83d\\ude00\") { slug } b: startup(slug: \"\ud83d\ude00\") { slug } }"}`
	if a := call(t, h, body); a.status != 200 || len(a.body.Errors) != 0 {
		t.Errorf("surrogate pairs: status %d, errors %+v", a.status, a.body.Errors)
	}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// A body is read into exactly its length: --body-memory counts that, and
// a buffer grown to read past the end held twice as much (2 MiB for each
// stalled 1 MiB body of the load suite's hostile clients).
func TestReadBodyHoldsItsLength(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 64 << 10, 1 << 20} {
		b, err := readBody(bytes.NewReader(make([]byte, n)), int64(n))
		if err != nil || len(b) != n || cap(b) != n {
			t.Errorf("a body of %d bytes: len %d, cap %d, err %v; want len and cap %d", n, len(b), cap(b), err, n)
		}
	}
	if _, err := readBody(bytes.NewReader(make([]byte, 10)), 20); err == nil {
		t.Error("a body shorter than its length: no error")
	}
}
