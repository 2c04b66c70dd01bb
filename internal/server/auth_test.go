package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Tokens guard /graphql only, inside CORS: preflights, the playground, its
// files and the health endpoints need none.
func TestTokensGuardGraphQLOnly(t *testing.T) {
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
	const origin = "https://dash.example.org"
	tests := []struct {
		name         string
		publicRead   bool
		method, path string
		auth         string
		preflight    bool
		wantStatus   int
	}{
		{"anonymous query, public", true, http.MethodPost, "/graphql", "", false, http.StatusOK},
		{"anonymous query, private", false, http.MethodPost, "/graphql", "", false, http.StatusUnauthorized},
		{"bad token, public", true, http.MethodPost, "/graphql", "Bearer pf_1_nope", false, http.StatusUnauthorized},
		{"token, private", false, http.MethodPost, "/graphql", "Bearer " + secret, false, http.StatusOK},
		{"preflight, private", false, http.MethodOptions, "/graphql", "", true, http.StatusNoContent},
		{"playground, private", false, http.MethodGet, "/", "", false, http.StatusOK},
		{"playground files, private", false, http.MethodGet, "/assets/npm/" + PlaygroundMirrorAssets()[0].Path, "", false, http.StatusOK},
		{"healthz, private", false, http.MethodGet, "/healthz", "", false, http.StatusOK},
		{"readyz, private", false, http.MethodGet, "/readyz", "", false, http.StatusOK},
		{"metrics, public", true, http.MethodGet, "/metrics", "", false, http.StatusOK},
		{"metrics, private", false, http.MethodGet, "/metrics", "", false, http.StatusUnauthorized},
		{"metrics, private, token", false, http.MethodGet, "/metrics", "Bearer " + secret, false, http.StatusOK},
		{"export, private", false, http.MethodGet, "/export/startups.csv", "", false, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := New(Config{DB: db, Schema: graph.Executable(db), CORSOrigins: []string{origin}, PublicRead: tt.publicRead})
			var body *strings.Reader
			if tt.method == http.MethodPost {
				body = strings.NewReader(`{"query":"{__typename}"}`)
			} else {
				body = strings.NewReader("")
			}
			req := httptest.NewRequest(tt.method, tt.path, body)
			req.Header.Set("Origin", origin)
			req.Header.Set("Content-Type", "application/json")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if tt.preflight {
				req.Header.Set("Access-Control-Request-Method", "POST")
				req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if got := rec.Header().Get("Access-Control-Allow-Origin"); tt.path == "/graphql" && got != origin {
				t.Errorf("Access-Control-Allow-Origin %q: a browser could not read the answer", got)
			}
			if rec.Code == http.StatusUnauthorized && !strings.Contains(rec.Body.String(), `"code":"UNAUTHENTICATED"`) {
				t.Errorf("401 body %s", rec.Body)
			}
		})
	}
}

// A browser signed in with the cookie reads /graphql, and never writes:
// a mutation sent with the cookie of an admin is refused and writes
// nothing, while the same mutation with the token in the Authorization
// header is run.
func TestCookieNeverAuthorisesAMutation(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin, _, err := db.CreateToken(ctx, "admin", portfolio.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	send := func(body string, header, cookie string) (int, string) {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/graphql-response+json")
		if header != "" {
			req.Header.Set("Authorization", "Bearer "+header)
		}
		if cookie != "" {
			req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: cookie})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	const mutation = `{"query":"mutation { upsertOrganisation(input: {slug: \"jardins\", name: \"Agence des jardins\"}) { organisation { slug } } }"}`
	const read = `{"query":"{ viewer { role tokenName } organisation(slug: \"jardins\") { name } }"}`

	status, body := send(read, "", admin)
	if status != http.StatusOK || !strings.Contains(body, `"role":"ADMIN"`) {
		t.Fatalf("a query with the cookie: %d %s", status, body)
	}
	status, body = send(mutation, "", admin)
	if status == http.StatusOK || !strings.Contains(body, `"code":"FORBIDDEN"`) || !strings.Contains(body, "Authorization header") || strings.Contains(body, `"slug":"jardins"`) {
		t.Fatalf("a mutation with the cookie: %d %s; want it refused", status, body)
	}
	for _, op := range []string{`mutation M { upsertOrganisation(input: {slug: \"jardins\", name: \"x\"}) { organisation { slug } } }`} {
		// The same in a document with a query beside it, run by name.
		doc := `{"operationName":"M","query":"query Q { viewer { role } } ` + op + `"}`
		if status, body := send(doc, "", admin); status == http.StatusOK || strings.Contains(body, `"slug":"jardins"`) {
			t.Fatalf("a named mutation with the cookie: %d %s", status, body)
		}
	}
	if _, body := send(read, admin, ""); !strings.Contains(body, `"organisation":null`) {
		t.Fatalf("the refused mutation wrote: %s", body)
	}
	if status, body := send(mutation, admin, ""); status != http.StatusOK || !strings.Contains(body, `"slug":"jardins"`) {
		t.Fatalf("the mutation with the header: %d %s", status, body)
	}
	// The header wins over a cookie beside it.
	if status, body := send(strings.Replace(mutation, `\"jardins\"`, `\"vergers\"`, 1), admin, admin); status != http.StatusOK || strings.Contains(body, "errors") {
		t.Fatalf("the mutation with the header and the cookie: %d %s", status, body)
	}
}
