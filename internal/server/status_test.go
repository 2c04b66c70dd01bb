package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// refuseByName refuses, before it runs, an operation named Refuse_CODE
// with the error code CODE: it stands for every guard, so that the test
// can ask each entrance for each code.
type refuseByName struct{}

var _ graphql.OperationParameterMutator = refuseByName{}

func (refuseByName) ExtensionName() string                   { return "RefuseByName" }
func (refuseByName) Validate(graphql.ExecutableSchema) error { return nil }
func (refuseByName) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	if code, ok := strings.CutPrefix(raw.OperationName, "Refuse_"); ok {
		return refuse(code, "refused with %s", code)
	}
	return nil
}

// TestStatusTable lists every error code and checks that each entrance
// answers the edge's table's status for it (httperror.Status): /graphql
// by POST and GET to a client of application/graphql-response+json (a
// client of application/json gets 200, as the GraphQL-over-HTTP
// specification asks, and no data either way), and /export. The review
// pages' and the command's answers are checked in their packages
// (TestErrorPageStatus, TestExitCodes).
func TestStatusTable(t *testing.T) {
	db := seededDB(t)
	cfg := Config{DB: db, Schema: graph.Executable(db), PublicRead: true}
	cfg.Limits = cfg.Limits.withDefaults()
	handlerOf := func(cfg Config) http.Handler {
		gql := newGraphQL(cfg)
		gql.Use(refuseByName{})
		return perRequest(cfg.DB, cfg.Limits, newAnswerPool(cfg.Limits.MaxAnswerPool), gql)
	}
	gql := handlerOf(cfg)
	exports := exportHandler(cfg, handlerOf(internalGraphQL(cfg)), newMetrics(db, cfg.Schema))

	type answer struct {
		status int
		ctype  string
		body   map[string]json.RawMessage
	}
	do := func(t *testing.T, h http.Handler, req *http.Request) answer {
		t.Helper()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		a := answer{status: rec.Code, ctype: rec.Header().Get("Content-Type")}
		if err := json.Unmarshal(rec.Body.Bytes(), &a.body); err != nil {
			t.Fatalf("status %d, body not JSON: %.200s", rec.Code, rec.Body)
		}
		return a
	}
	codeOf := func(a answer) string {
		var errs []httperror.GraphQLError
		json.Unmarshal(a.body["errors"], &errs)
		if len(errs) == 0 {
			return ""
		}
		return errs[0].Code()
	}

	for _, code := range portfolio.Codes() {
		t.Run(code, func(t *testing.T) {
			want := httperror.Status(code)
			if want < 400 || !httperror.Known(code) {
				t.Fatalf("the table says %d for %s", want, code)
			}
			query := "query Refuse_" + code + " { startups(first: 2) { nodes { slug } } }"
			body, _ := json.Marshal(map[string]string{"query": query, "operationName": "Refuse_" + code})
			for _, accept := range []string{graphQLResponseJSON, "application/json"} {
				wantStatus := want
				if accept == "application/json" {
					wantStatus = http.StatusOK
				}
				post := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
				post.Header.Set("Content-Type", "application/json")
				post.Header.Set("Accept", accept)
				get := httptest.NewRequest(http.MethodGet, "/graphql?"+url.Values{"query": {query}, "operationName": {"Refuse_" + code}}.Encode(), nil)
				get.Header.Set("Accept", accept)
				for _, req := range []*http.Request{post, get} {
					a := do(t, gql, req)
					if a.status != wantStatus || codeOf(a) != code || a.ctype != accept {
						t.Errorf("%s /graphql accepting %s: %d %s %s, want %d %s", req.Method, accept, a.status, a.ctype, codeOf(a), wantStatus, code)
					}
					if _, ok := a.body["data"]; ok {
						t.Errorf("%s /graphql accepting %s: a request error with a data entry", req.Method, accept)
					}
				}
			}
			req := httptest.NewRequest(http.MethodGet, "/export?"+url.Values{"query": {query}, "format": {"csv"}}.Encode(), nil)
			a := do(t, exports, req)
			var got string
			json.Unmarshal(a.body["code"], &got)
			if a.status != want || got != code {
				t.Errorf("/export: %d %s, want %d %s", a.status, got, want, code)
			}
		})
	}
}

// TestGraphQLOverHTTP checks the statuses and bodies of /graphql that are
// not those of an error code: what the GraphQL-over-HTTP specification
// says of requests that are not well formed, of methods and media types,
// and of answers whose operation ran.
func TestGraphQLOverHTTP(t *testing.T) {
	db := seededDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, ResponseCacheBytes: -1})
	const (
		gr = graphQLResponseJSON
		aj = "application/json"
	)
	tests := []struct {
		name, method, ctype, accept, body string
		status                            int
		wantType                          string
		data                              bool // the answer has a data entry
		code                              string
		allow                             string // the Allow header
	}{
		{"a query", "POST", aj, gr, `{"query":"{ __typename }"}`, 200, gr, true, "", ""},
		{"a query, no Accept", "POST", aj, "", `{"query":"{ __typename }"}`, 200, aj, true, "", ""},
		{"a query, */*", "POST", aj, "*/*", `{"query":"{ __typename }"}`, 200, aj, true, "", ""},
		{"the preferred type by q", "POST", aj, "application/json;q=0.5, " + gr, `{"query":"{ __typename }"}`, 200, gr, true, "", ""},
		{"the first listed at equal q", "POST", aj, aj + ", " + gr, `{"query":"{ __typename }"}`, 200, aj, true, "", ""},
		{"an unknown type: JSON", "POST", aj, "text/html", `{"query":"{ __typename }"}`, 200, aj, true, "", ""},
		{"a field error: data and 200", "POST", aj, gr, `{"query":"{ startup(slug: \"nope\") { name } node(id: \"x\") { id } }"}`, 200, gr, true, portfolio.EInvalid, ""},
		{"a document that does not parse", "POST", aj, gr, `{"query":"{"}`, 400, gr, false, portfolio.EParseFailed, ""},
		{"… to a client of application/json", "POST", aj, aj, `{"query":"{"}`, 200, aj, false, portfolio.EParseFailed, ""},
		{"a document that does not validate", "POST", aj, gr, `{"query":"{ nope }"}`, 400, gr, false, portfolio.EValidationFailed, ""},
		{"… to a client of application/json", "POST", aj, aj, `{"query":"{ nope }"}`, 200, aj, false, portfolio.EValidationFailed, ""},
		{"variables that cannot be coerced", "POST", aj, gr, `{"query":"query($n: Int!) { startups(first: $n) { totalCount } }","variables":{"n":null}}`, 400, gr, false, portfolio.EValidationFailed, ""},
		{"… to a client of application/json", "POST", aj, aj, `{"query":"query($n: Int!) { startups(first: $n) { totalCount } }","variables":{"n":null}}`, 200, aj, false, portfolio.EValidationFailed, ""},
		{"no query", "POST", aj, aj, `{"qeury":"{ __typename }"}`, 400, aj, false, portfolio.EInvalid, ""},
		{"no query, graphql-response", "POST", aj, gr, `{"query":""}`, 400, gr, false, portfolio.EInvalid, ""},
		{"a body that is not JSON", "POST", aj, aj, `{"query":`, 400, aj, false, portfolio.EInvalid, ""},
		{"a query of the wrong type", "POST", aj, gr, `{"query":7}`, 400, aj, false, portfolio.EInvalid, ""},
		{"another media type", "POST", "text/plain", aj, `{"query":"{ __typename }"}`, 415, aj, false, portfolio.EInvalid, ""},
		{"a GET", "GET", "", gr, "query=" + url.QueryEscape("{ __typename }"), 200, gr, true, "", ""},
		{"a GET without a query", "GET", "", gr, "", 400, gr, false, portfolio.EInvalid, ""},
		{"a GET of variables that are not JSON", "GET", "", aj, "query=" + url.QueryEscape("{ __typename }") + "&variables=%7B", 400, aj, false, portfolio.EInvalid, ""},
		{"a mutation by GET", "GET", "", gr, "query=" + url.QueryEscape(`mutation { upsertOrganisation(input: {slug: "x", name: "X"}) { organisation { slug } } }`), 405, gr, false, portfolio.EInvalid, "POST"},
		{"another method", "PUT", aj, aj, `{"query":"{ __typename }"}`, 405, aj, false, portfolio.EInvalid, "GET, POST, OPTIONS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req *http.Request
			if tt.method == "GET" {
				req = httptest.NewRequest(tt.method, "/graphql?"+tt.body, nil)
			} else {
				req = httptest.NewRequest(tt.method, "/graphql", strings.NewReader(tt.body))
				req.Header.Set("Content-Type", tt.ctype)
			}
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var body map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%d, body not JSON: %.200s", rec.Code, rec.Body)
			}
			_, hasData := body["data"]
			var errs []httperror.GraphQLError
			json.Unmarshal(body["errors"], &errs)
			got := ""
			if len(errs) > 0 {
				got = errs[0].Code()
			}
			ctype, _, _ := strings.Cut(rec.Header().Get("Content-Type"), ";")
			if rec.Code != tt.status || ctype != tt.wantType || hasData != tt.data || got != tt.code || rec.Header().Get("Allow") != tt.allow {
				t.Errorf("%d %s data %v code %q Allow %q, want %d %s data %v code %q Allow %q: %.300s",
					rec.Code, ctype, hasData, got, rec.Header().Get("Allow"), tt.status, tt.wantType, tt.data, tt.code, tt.allow, rec.Body)
			}
		})
	}
}

// TestRefusedIsRejected checks that a request error is logged and counted
// as "rejected" on either media type, though a client of application/json
// gets it with a 200.
func TestRefusedIsRejected(t *testing.T) {
	db := seededDB(t)
	var logs strings.Builder
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	for _, accept := range []string{"application/json", graphQLResponseJSON} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"query Bad { nope }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d log lines for 2 requests:\n%s", len(lines), logs.String())
	}
	for i, status := range []string{`"status":200`, `"status":400`} {
		if !strings.Contains(lines[i], status) || !strings.Contains(lines[i], `"outcome":"rejected"`) || !strings.Contains(lines[i], `"error":"GRAPHQL_VALIDATION_FAILED"`) {
			t.Errorf("log line %d: %s, want %s and rejected", i, lines[i], status)
		}
	}
}
