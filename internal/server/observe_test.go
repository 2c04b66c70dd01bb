package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
)

func TestOneLogLinePerRequestAndMetrics(t *testing.T) {
	db := seededDB(t)
	var logs bytes.Buffer
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	secretish := "jeanne.secret-person"
	body := q(`query Dashboard { startups(first: 3, filter: {slugs: ["` + secretish + `"]}) { totalCount } }`)
	if a := call(t, h, body); a.status != 200 {
		t.Fatalf("status %d", a.status)
	}
	if a := call(t, h, q(`{ startups(first: 3000) { totalCount } }`)); a.status != 200 || code(a) != "BAD_USER_INPUT" {
		t.Fatalf("status %d code %q", a.status, code(a))
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer nope")
	h.ServeHTTP(httptest.NewRecorder(), req)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d log lines for 3 requests:\n%s", len(lines), logs.String())
	}
	var first map[string]any
	json.Unmarshal([]byte(lines[0]), &first)
	for _, k := range []string{"operation", "ms", "cost", "statements", "status", "outcome"} {
		if _, ok := first[k]; !ok {
			t.Errorf("log line without %q: %s", k, lines[0])
		}
	}
	if first["operation"] != "Dashboard" || first["statements"].(float64) < 1 || first["outcome"] != "ok" {
		t.Errorf("first line: %s", lines[0])
	}
	if strings.Contains(logs.String(), secretish) || strings.Contains(logs.String(), "nope") {
		t.Errorf("the logs hold query arguments or a token:\n%s", logs.String())
	}
	if !strings.Contains(lines[1], `"outcome":"error"`) || !strings.Contains(lines[2], `"outcome":"unauthenticated"`) {
		t.Errorf("outcomes:\n%s", logs.String())
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	text, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`portfolio_requests_total{operation="Dashboard",outcome="ok"} 1`,
		`portfolio_requests_total{operation="anonymous",outcome="unauthenticated"} 1`,
		`portfolio_request_duration_seconds_bucket`,
		`portfolio_sql_statements_per_request_count 2`,
		`portfolio_db_connections_open{pool="read"}`,
		`portfolio_query_cost_count`,
		// The dashboard's question took the fast path; the one refused for
		// its page size went to gqlgen's executor, which reported it.
		`portfolio_fast_path_answers_total 1`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
