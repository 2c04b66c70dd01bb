package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// tokens holds the secrets of the test tokens, by name.
type tokens map[string]string

// openDB opens a database with the incubator "serre" and tokens named
// viewer, manager (of serre), admin and revoked (an admin, revoked).
func openDB(t *testing.T) (*sqlite.DB, tokens) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "auth.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		return s.PutIncubator(ctx, &portfolio.Incubator{Slug: "serre", Title: "La Serre"})
	}); err != nil {
		t.Fatal(err)
	}
	toks := tokens{}
	for _, tk := range []struct {
		name       string
		role       portfolio.Role
		incubators []string
	}{
		{"viewer", portfolio.RoleViewer, nil},
		{"manager", portfolio.RoleManager, []string{"serre"}},
		{"admin", portfolio.RoleAdmin, nil},
		{"revoked", portfolio.RoleAdmin, nil},
	} {
		secret, _, err := db.CreateToken(ctx, tk.name, tk.role, tk.incubators)
		if err != nil {
			t.Fatal(err)
		}
		toks[tk.name] = secret
	}
	if err := db.RevokeToken(ctx, "revoked"); err != nil {
		t.Fatal(err)
	}
	return db, toks
}

type errorBody struct {
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func TestMiddleware(t *testing.T) {
	db, toks := openDB(t)
	wrongSecret := toks["viewer"][:len(toks["viewer"])-1] + "A"
	if wrongSecret == toks["viewer"] {
		wrongSecret = toks["viewer"][:len(toks["viewer"])-1] + "B"
	}
	const refused = "invalid or revoked token" // one message for every refused token
	tests := []struct {
		name       string
		publicRead bool
		headers    []string // Authorization header values
		wantRole   portfolio.Role
		wantName   string
		wantIncs   []string
		wantMsg    string // for a 401
	}{
		{name: "no header, public", publicRead: true, wantRole: portfolio.RoleAnonymous},
		{name: "no header, private", wantMsg: "needs a token"},
		{name: "viewer", headers: []string{"Bearer " + toks["viewer"]}, wantRole: portfolio.RoleViewer, wantName: "viewer"},
		{name: "manager", headers: []string{"Bearer " + toks["manager"]}, wantRole: portfolio.RoleManager, wantName: "manager", wantIncs: []string{"serre"}},
		{name: "admin", headers: []string{"Bearer " + toks["admin"]}, wantRole: portfolio.RoleAdmin, wantName: "admin"},
		{name: "admin, public", publicRead: true, headers: []string{"Bearer " + toks["admin"]}, wantRole: portfolio.RoleAdmin, wantName: "admin"},
		{name: "scheme in lower case", headers: []string{"bearer " + toks["viewer"]}, wantRole: portfolio.RoleViewer, wantName: "viewer"},
		{name: "two spaces", headers: []string{"Bearer  " + toks["viewer"]}, wantRole: portfolio.RoleViewer, wantName: "viewer"},
		{name: "empty header", publicRead: true, headers: []string{""}, wantMsg: "malformed"},
		{name: "scheme only", publicRead: true, headers: []string{"Bearer"}, wantMsg: "malformed"},
		{name: "scheme and space", publicRead: true, headers: []string{"Bearer "}, wantMsg: "malformed"},
		{name: "no scheme", publicRead: true, headers: []string{toks["viewer"]}, wantMsg: "malformed"},
		{name: "basic", publicRead: true, headers: []string{"Basic dXNlcjpwYXNz"}, wantMsg: "malformed"},
		{name: "two words", publicRead: true, headers: []string{"Bearer " + toks["viewer"] + " extra"}, wantMsg: "malformed"},
		{name: "two headers", publicRead: true, headers: []string{"Bearer " + toks["viewer"], "Bearer " + toks["admin"]}, wantMsg: "malformed"},
		{name: "not a token", publicRead: true, headers: []string{"Bearer hello"}, wantMsg: refused},
		{name: "unknown id", publicRead: true, headers: []string{"Bearer pf_999_" + toks["viewer"][len(toks["viewer"])-43:]}, wantMsg: refused},
		{name: "wrong secret", publicRead: true, headers: []string{"Bearer " + wrongSecret}, wantMsg: refused},
		{name: "revoked", publicRead: true, headers: []string{"Bearer " + toks["revoked"]}, wantMsg: refused},
		{name: "revoked, private", headers: []string{"Bearer " + toks["revoked"]}, wantMsg: refused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen *portfolio.Identity
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen = portfolio.IdentityFrom(r.Context())
				w.Write([]byte("ok"))
			})
			h := auth.Middleware(db, auth.Options{PublicRead: tt.publicRead}, next)
			req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			for _, v := range tt.headers {
				req.Header.Add("Authorization", v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if tt.wantMsg != "" {
				if rec.Code != http.StatusUnauthorized || seen != nil {
					t.Fatalf("status %d, next handler saw %+v; want 401 without calling it", rec.Code, seen)
				}
				if got := rec.Header().Get("WWW-Authenticate"); got != "Bearer" {
					t.Errorf("WWW-Authenticate %q, want Bearer", got)
				}
				if got := rec.Header().Get("Content-Type"); got != "application/json" {
					t.Errorf("Content-Type %q", got)
				}
				var body errorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
					t.Fatalf("body %q: %v", rec.Body, err)
				}
				if len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
					t.Fatalf("body %s, want one UNAUTHENTICATED error", rec.Body)
				}
				if msg := body.Errors[0].Message; !strings.Contains(msg, tt.wantMsg) {
					t.Errorf("message %q, want %q", msg, tt.wantMsg)
				}
				return
			}
			if rec.Code != http.StatusOK || seen == nil {
				t.Fatalf("status %d (%s), want the next handler's 200", rec.Code, rec.Body)
			}
			if seen.Role != tt.wantRole || seen.TokenName != tt.wantName || !slices.Equal(seen.Incubators, tt.wantIncs) || (tt.wantName == "") != (seen.TokenID == 0) {
				t.Errorf("identity %+v, want role %s, token %q, incubators %v", seen, tt.wantRole, tt.wantName, tt.wantIncs)
			}
		})
	}
}

// failing is a token store that is down.
type failing struct{}

func (failing) Authenticate(context.Context, string) (*portfolio.Identity, error) {
	return nil, errors.New("disk I/O error in SELECT secret_hash FROM tokens")
}

func TestMiddlewareStoreFailure(t *testing.T) {
	h := auth.Middleware(failing{}, auth.Options{PublicRead: true}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the next handler ran although the store failed")
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("Authorization", "Bearer pf_1_x")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if rec.Code != http.StatusInternalServerError || len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != "INTERNAL" {
		t.Fatalf("status %d, body %s; want 500 INTERNAL", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "SELECT") {
		t.Errorf("the body shows SQL: %s", rec.Body)
	}
}

// The sign-in cookie authenticates only where Options.Cookie allows it,
// never beside or over an Authorization header, and the identity it gives
// says where it came from (ViaCookie).
func TestMiddlewareCookie(t *testing.T) {
	db, toks := openDB(t)
	tests := []struct {
		name          string
		cookieOn      bool
		publicRead    bool
		cookie        string // the cookie's value ("" for none)
		header        string // the Authorization header ("" for none)
		wantRole      portfolio.Role
		wantViaCookie bool
		wantMsg       string // for a 401
		wantCleared   bool   // the 401 deletes the cookie
	}{
		{name: "cookie", cookieOn: true, cookie: toks["viewer"], wantRole: portfolio.RoleViewer, wantViaCookie: true},
		{name: "cookie, public", cookieOn: true, publicRead: true, cookie: toks["admin"], wantRole: portfolio.RoleAdmin, wantViaCookie: true},
		{name: "cookie where cookies are off, public", publicRead: true, cookie: toks["admin"], wantRole: portfolio.RoleAnonymous},
		{name: "cookie where cookies are off, private", cookie: toks["admin"], wantMsg: "needs a token"},
		{name: "header beats cookie", cookieOn: true, cookie: toks["admin"], header: "Bearer " + toks["viewer"], wantRole: portfolio.RoleViewer},
		{name: "bad header beside a good cookie", cookieOn: true, cookie: toks["admin"], header: "Bearer nope", wantMsg: "invalid or revoked token"},
		{name: "revoked cookie", cookieOn: true, publicRead: true, cookie: toks["revoked"], wantMsg: "sign in again", wantCleared: true},
		{name: "empty cookie, public", cookieOn: true, publicRead: true, cookie: "", wantRole: portfolio.RoleAnonymous},
		{name: "no cookie, private", cookieOn: true, wantMsg: "needs a token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen *portfolio.Identity
			var via bool
			next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seen, via = portfolio.IdentityFrom(r.Context()), auth.ViaCookie(r.Context())
			})
			h := auth.Middleware(db, auth.Options{PublicRead: tt.publicRead, Cookie: tt.cookieOn}, next)
			req := httptest.NewRequest(http.MethodGet, "/review", nil)
			req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: tt.cookie})
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			cleared := false
			for _, c := range rec.Result().Cookies() {
				cleared = cleared || c.Name == auth.CookieName && c.MaxAge < 0
			}
			if tt.wantMsg != "" {
				if rec.Code != http.StatusUnauthorized || seen != nil {
					t.Fatalf("status %d, next saw %+v; want 401", rec.Code, seen)
				}
				if !strings.Contains(rec.Body.String(), tt.wantMsg) {
					t.Errorf("body %s, want %q", rec.Body, tt.wantMsg)
				}
				if cleared != tt.wantCleared {
					t.Errorf("cookie deleted: %v, want %v", cleared, tt.wantCleared)
				}
				return
			}
			if seen == nil || seen.Role != tt.wantRole || via != tt.wantViaCookie {
				t.Fatalf("status %d, identity %+v via cookie %v; want %s via cookie %v", rec.Code, seen, via, tt.wantRole, tt.wantViaCookie)
			}
		})
	}
}

// The sign-in cookie is HttpOnly, SameSite=Strict, for the whole server,
// Secure over TLS, and signing out deletes it.
func TestSetCookie(t *testing.T) {
	for _, tt := range []struct {
		name       string
		tls        bool
		proto      string
		wantSecure bool
	}{
		{"plain http", false, "", false},
		{"tls", true, "", true},
		{"behind a TLS proxy", false, "https", true},
		{"behind a plain proxy", false, "http", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/review/connexion", nil)
			if !tt.tls {
				req.TLS = nil
			} else if req.TLS == nil {
				req = httptest.NewRequest(http.MethodPost, "https://example.org/review/connexion", nil)
			}
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			rec := httptest.NewRecorder()
			auth.SetCookie(rec, req, "pf_1_secret")
			auth.ClearCookie(rec, req)
			cookies := rec.Result().Cookies()
			if len(cookies) != 2 {
				t.Fatalf("%d cookies set, want 2", len(cookies))
			}
			set, cleared := cookies[0], cookies[1]
			if set.Name != auth.CookieName || set.Value != "pf_1_secret" || !set.HttpOnly || set.SameSite != http.SameSiteStrictMode ||
				set.Path != "/" || set.Secure != tt.wantSecure || set.MaxAge != int(auth.CookieMaxAge.Seconds()) {
				t.Errorf("cookie set: %s", rec.Result().Header.Values("Set-Cookie")[0])
			}
			if cleared.Name != auth.CookieName || cleared.Value != "" || cleared.MaxAge >= 0 || cleared.Path != "/" {
				t.Errorf("cookie cleared: %s", rec.Result().Header.Values("Set-Cookie")[1])
			}
		})
	}
}
