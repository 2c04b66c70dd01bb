package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

func TestCORSAllowList(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := New(Config{DB: db, Schema: graph.Executable(db), CORSOrigins: []string{"https://dash.example.org"}})
	tests := []struct {
		name, method, origin string
		wantAllow            string
	}{
		{"allowed origin", http.MethodPost, "https://dash.example.org", "https://dash.example.org"},
		{"other origin", http.MethodPost, "https://evil.example", ""},
		{"preflight allowed", http.MethodOptions, "https://dash.example.org", "https://dash.example.org"},
		{"preflight other", http.MethodOptions, "https://evil.example", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, "/graphql", strings.NewReader(`{"query":"{__typename}"}`))
			req.Header.Set("Origin", tt.origin)
			req.Header.Set("Content-Type", "application/json")
			if tt.method == http.MethodOptions {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if got := rec.Header().Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.wantAllow)
			}
			if got := rec.Header().Get("Access-Control-Allow-Credentials"); got != "" {
				t.Errorf("credentials allowed (%q): tokens travel in Authorization, never cookies", got)
			}
		})
	}
}

func TestCORSNoOriginsMeansNone(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{__typename}"}`))
	req.Header.Set("Origin", "https://anywhere.example")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("no --cors-origins, yet Access-Control-Allow-Origin is %q", got)
	}
}

func TestHealthAndReady(t *testing.T) {
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	h := New(Config{DB: db, Schema: graph.Executable(db)})
	for _, path := range []string{"/healthz", "/readyz"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", path, rec.Code)
		}
	}
}
