package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// One limiter guards every entrance that takes a token: failures on
// /graphql, /export and /metrics count against one address; past the
// limit each entrance answers 429 RATE_LIMITED with Retry-After, which is
// counted in /metrics and not logged per request; with the limit off,
// nothing is limited.
func TestAuthLimitEveryEntrance(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	secret, _, err := db.CreateToken(ctx, "reader", portfolio.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Logger: log,
		AuthLimit: auth.LimitConfig{Failures: 3, Refill: 2 * time.Second, Now: func() time.Time { return now }}})
	off := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, AuthLimit: auth.LimitConfig{Failures: -1}})
	send := func(h http.Handler, method, path, token string) *httptest.ResponseRecorder {
		t.Helper()
		var body *strings.Reader = strings.NewReader("")
		if method == http.MethodPost {
			body = strings.NewReader(`{"query":"{__typename}"}`)
		}
		r := httptest.NewRequest(method, path, body)
		r.RemoteAddr = "192.0.2.9:1234"
		r.Header.Set("Content-Type", "application/json")
		if token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	for _, tt := range []struct {
		method, path, token string
		status              int
		retryAfter          string
	}{
		{http.MethodPost, "/graphql", "pf_1_wrong", 401, ""},
		{http.MethodGet, "/export/startups.csv", "pf_1_wrong", 401, ""},
		{http.MethodGet, "/metrics", "pf_1_wrong", 401, ""},
		{http.MethodPost, "/graphql", "pf_1_wrong", 429, "2"},
		{http.MethodPost, "/graphql", secret, 429, "2"},
		{http.MethodGet, "/export/startups.csv", secret, 429, "2"},
		{http.MethodGet, "/metrics", secret, 429, "2"},
		{http.MethodPost, "/graphql", "", 200, ""},
	} {
		rec := send(h, tt.method, tt.path, tt.token)
		if rec.Code != tt.status || rec.Header().Get("Retry-After") != tt.retryAfter {
			t.Errorf("%s %s: status %d, Retry-After %q; want %d, %q", tt.method, tt.path, rec.Code, rec.Header().Get("Retry-After"), tt.status, tt.retryAfter)
		}
		if tt.status == 429 && !strings.Contains(rec.Body.String(), `"code":"RATE_LIMITED"`) {
			t.Errorf("%s %s: body %s", tt.method, tt.path, rec.Body)
		}
	}
	now = now.Add(2 * time.Second)
	metrics := send(h, http.MethodGet, "/metrics", secret).Body.String()
	for _, want := range []string{"portfolio_auth_failures_total 3", "portfolio_auth_rate_limited_total 4", "portfolio_auth_limited_addresses 1",
		`portfolio_requests_total{operation="anonymous",outcome="limited"} 2`} {
		if !strings.Contains(metrics, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if n := strings.Count(logs.String(), "status=429"); n != 0 {
		t.Errorf("%d log lines for refused attempts:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "refusing further attempts"); n != 1 {
		t.Errorf("%d lines say the address was limited, want 1:\n%s", n, logs.String())
	}

	for range 30 {
		if rec := send(off, http.MethodPost, "/graphql", "pf_1_wrong"); rec.Code != 401 {
			t.Fatalf("limit off: status %d", rec.Code)
		}
	}
	if strings.Contains(send(off, http.MethodGet, "/metrics", "").Body.String(), "portfolio_auth_") {
		t.Error("limit off: /metrics has the limiter's series")
	}
}
