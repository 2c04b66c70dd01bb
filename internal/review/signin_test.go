package review_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/auth"
)

// post sends the sign-in or sign-out form as a browser of this server
// would (Sec-Fetch-Site: same-origin) unless header says otherwise.
func post(t *testing.T, base, path string, form url.Values, c caller, header http.Header) (*http.Response, string) {
	t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Sec-Fetch-Site": {"same-origin"}}
	for k, v := range header {
		h[k] = v
	}
	return do(t, http.MethodPost, base+path, strings.NewReader(form.Encode()), c, h)
}

// cookieOf returns the sign-in cookie an answer sets, or nil.
func cookieOf(resp *http.Response) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == auth.CookieName {
			return c
		}
	}
	return nil
}

// Signing in keeps a token the store knows in the cookie and goes on to
// the page the form came from (on this server only); a wrong token is
// refused without being shown back; signing out deletes the cookie.
func TestSignInAndOut(t *testing.T) {
	t.Run("the form", func(t *testing.T) {
		resp, doc := page(t, shared.public, "/review/connexion?suite=%2Freview%3Fincubator%3Ddinum", anonymous, http.StatusOK)
		if resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", resp.Header.Get("Cache-Control"))
		}
		forms := findAll(doc, tag("form"))
		var signIn bool
		for _, f := range forms {
			if attrOf(f, "action") == "/review/connexion" {
				signIn = true
				if attrOf(f, "method") != "post" {
					t.Errorf("the form is sent with %q: a token must never go in an address", attrOf(f, "method"))
				}
				in := findAll(f, hasAttr("name", "jeton"))
				if len(in) != 1 || attrOf(in[0], "type") != "password" || attrOf(in[0], "autocomplete") != "off" {
					t.Errorf("token field: %v", in)
				}
				if next := findAll(f, hasAttr("name", "suite")); len(next) != 1 || attrOf(next[0], "value") != "/review?incubator=dinum" {
					t.Errorf("the form does not go back to the page it came from")
				}
			}
		}
		if !signIn {
			t.Fatal("no sign-in form")
		}
	})

	t.Run("a good token", func(t *testing.T) {
		resp, _ := post(t, shared.public, "/review/connexion", url.Values{"jeton": {shared.viewer}, "suite": {"/review/startups/dossierfacile?asOf=2026-07-01"}}, anonymous, nil)
		c := cookieOf(resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/review/startups/dossierfacile?asOf=2026-07-01" {
			t.Fatalf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		if c == nil || c.Value != shared.viewer || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.MaxAge <= 0 || c.Secure {
			t.Fatalf("cookie %v (over plain HTTP: not Secure)", resp.Header.Values("Set-Cookie"))
		}
		// The cookie reads the pages as the viewer, and the API.
		_, doc := page(t, shared.public, "/review?asOf="+asOf, caller{cookie: c.Value}, http.StatusOK)
		if ids := findAll(doc, hasAttr("data-identity", "VIEWER")); len(ids) != 1 {
			t.Error("the page does not say who is signed in")
		}
		if data := graphql(t, caller{cookie: c.Value}, `{ viewer { role tokenName } }`, nil); dig(data, "viewer", "role") != "VIEWER" {
			t.Errorf("/graphql with the cookie: %v", data)
		}
	})

	t.Run("a token pasted with its scheme", func(t *testing.T) {
		resp, _ := post(t, shared.public, "/review/connexion", url.Values{"jeton": {"Bearer " + shared.viewer}}, anonymous, nil)
		if c := cookieOf(resp); resp.StatusCode != http.StatusSeeOther || c == nil || c.Value != shared.viewer || resp.Header.Get("Location") != "/review" {
			t.Fatalf("status %d, cookie %v, Location %q", resp.StatusCode, c, resp.Header.Get("Location"))
		}
	})

	for _, tt := range []struct {
		name, token string
		status      int
		says        string
	}{
		{"an unknown token", "pf_1_" + strings.Repeat("x", 43), http.StatusUnauthorized, "Ce jeton est inconnu ou révoqué"},
		{"a revoked token", shared.revoked, http.StatusUnauthorized, "Ce jeton est inconnu ou révoqué"},
		{"no token", "  ", http.StatusBadRequest, "Collez votre jeton"},
		{"a token that is not UTF-8", "pf_1_\xff" + strings.Repeat("x", 42), http.StatusBadRequest, "n’est pas du texte valide"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := post(t, shared.public, "/review/connexion", url.Values{"jeton": {tt.token}}, anonymous, nil)
			if resp.StatusCode != tt.status || cookieOf(resp) != nil {
				t.Fatalf("status %d, cookie %v; want %d and no cookie", resp.StatusCode, cookieOf(resp), tt.status)
			}
			if !strings.Contains(body, tt.says) {
				t.Errorf("the form does not say %q", tt.says)
			}
			if strings.TrimSpace(tt.token) != "" && strings.Contains(body, tt.token) {
				t.Error("the form shows the token back")
			}
		})
	}

	t.Run("the next page is on this server", func(t *testing.T) {
		for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "review"} {
			resp, _ := post(t, shared.public, "/review/connexion", url.Values{"jeton": {shared.viewer}, "suite": {next}}, anonymous, nil)
			if loc := resp.Header.Get("Location"); loc != "/review" {
				t.Errorf("suite=%q: Location %q, want /review", next, loc)
			}
		}
	})

	t.Run("a token in an address is not taken", func(t *testing.T) {
		resp, _ := do(t, http.MethodGet, shared.public+"/review/connexion?jeton="+url.QueryEscape(shared.viewer), nil, anonymous, nil)
		if resp.StatusCode != http.StatusOK || cookieOf(resp) != nil {
			t.Errorf("GET with the token: status %d, cookie %v", resp.StatusCode, cookieOf(resp))
		}
		resp, _ = post(t, shared.public, "/review/connexion?jeton="+url.QueryEscape(shared.viewer), url.Values{}, anonymous, nil)
		if cookieOf(resp) != nil {
			t.Error("a token in the address of the POST signed in")
		}
	})

	t.Run("signing out", func(t *testing.T) {
		resp, _ := post(t, shared.public, "/review/deconnexion", nil, caller{cookie: shared.viewer}, nil)
		c := cookieOf(resp)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/review" || c == nil || c.MaxAge >= 0 || c.Value != "" {
			t.Fatalf("status %d, Location %q, cookie %v", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Values("Set-Cookie"))
		}
	})

	t.Run("the sign-out button is on the pages signed in with the cookie", func(t *testing.T) {
		_, doc := page(t, shared.public, "/review?asOf="+asOf, caller{cookie: shared.viewer}, http.StatusOK)
		if len(findAll(doc, hasAttr("action", "/review/deconnexion"))) != 1 {
			t.Error("no sign-out form")
		}
		_, doc = page(t, shared.public, "/review?asOf="+asOf, caller{header: shared.viewer}, http.StatusOK)
		if len(findAll(doc, hasAttr("action", "/review/deconnexion"))) != 0 {
			t.Error("a sign-out form for a token sent in a header")
		}
	})

	// The token never reaches the logs, whatever happened to it.
	for _, secret := range []string{shared.viewer, shared.revoked, shared.admin} {
		if strings.Contains(shared.logs.String(), secret) {
			t.Error("a token is in the logs")
		}
	}
	if !strings.Contains(shared.logs.String(), `msg="signed in" token=review-viewer`) {
		t.Errorf("no log line says who signed in:\n%s", shorten(shared.logs.String()))
	}
}

// The forms are safe from other sites: a POST a browser says comes from
// another site (Sec-Fetch-Site, or Origin without it) neither signs in nor
// out. (The cookie is SameSite=Strict besides.)
func TestFormsRefuseOtherSites(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header http.Header
	}{
		{"cross-site", http.Header{"Sec-Fetch-Site": {"cross-site"}}},
		{"same-site, another origin", http.Header{"Sec-Fetch-Site": {"same-site"}}},
		{"another origin, no Sec-Fetch-Site", http.Header{"Sec-Fetch-Site": nil, "Origin": {"https://evil.example"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h[k] = v
			}
			if h["Sec-Fetch-Site"] == nil {
				// post sets same-origin unless told; an empty value is no header.
				h["Sec-Fetch-Site"] = []string{""}
			}
			resp, _ := post(t, shared.public, "/review/connexion", url.Values{"jeton": {shared.viewer}}, anonymous, h)
			if resp.StatusCode != http.StatusForbidden || cookieOf(resp) != nil {
				t.Errorf("sign in: status %d, cookie %v; want 403 and none", resp.StatusCode, cookieOf(resp))
			}
			resp, _ = post(t, shared.public, "/review/deconnexion", nil, caller{cookie: shared.viewer}, h)
			if resp.StatusCode != http.StatusForbidden || cookieOf(resp) != nil {
				t.Errorf("sign out: status %d, cookie %v; want 403 and none", resp.StatusCode, cookieOf(resp))
			}
		})
	}
}

// On a server that needs a token, a browser without one is sent to the
// form, and one whose token was revoked too, its cookie deleted; a bad
// Authorization header is a 401.
func TestPrivateServer(t *testing.T) {
	resp, _ := do(t, http.MethodGet, shared.private+"/review?asOf="+asOf, nil, anonymous, nil)
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/review/connexion?motif=connexion&suite=%2Freview%3FasOf%3D"+asOf {
		t.Errorf("anonymous: status %d, Location %q", resp.StatusCode, loc)
	}
	_, doc := page(t, shared.private, "/review/connexion?motif=connexion&suite=%2Freview", anonymous, http.StatusOK)
	if got := text(doc); !strings.Contains(got, "Ce serveur demande un jeton") || strings.Contains(got, "Continuer sans se connecter") {
		t.Errorf("the form on a private server says:\n%s", shorten(got))
	}
	page(t, shared.private, "/review?asOf="+asOf, caller{cookie: shared.viewer}, http.StatusOK)

	resp, _ = do(t, http.MethodGet, shared.private+"/review/startups/dossierfacile", nil, caller{cookie: shared.revoked}, nil)
	c := cookieOf(resp)
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "motif=session") || c == nil || c.MaxAge >= 0 {
		t.Errorf("revoked cookie: status %d, Location %q, cookie %v", resp.StatusCode, resp.Header.Get("Location"), resp.Header.Values("Set-Cookie"))
	}
	// On a public server too: a refused cookie is not read as anonymous.
	resp, _ = do(t, http.MethodGet, shared.public+"/review", nil, caller{cookie: shared.revoked}, nil)
	if resp.StatusCode != http.StatusSeeOther || cookieOf(resp) == nil {
		t.Errorf("revoked cookie, public server: status %d", resp.StatusCode)
	}
	_, doc = page(t, shared.private, "/review", caller{header: "pf_1_nope"}, http.StatusUnauthorized)
	if !strings.Contains(text(doc), "Le jeton envoyé dans l’en-tête Authorization est refusé") {
		t.Errorf("bad header: %s", shorten(text(doc)))
	}

	// The cookie reads the exports and the API on a private server.
	resp, _ = do(t, http.MethodGet, shared.private+"/export/startups.csv?asOf="+asOf, nil, caller{cookie: shared.viewer}, nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("export with the cookie: %d", resp.StatusCode)
	}
	resp, body := do(t, http.MethodPost, shared.private+"/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`), caller{cookie: shared.viewer}, http.Header{"Content-Type": {"application/json"}})
	var out map[string]any
	json.Unmarshal([]byte(body), &out)
	if resp.StatusCode != http.StatusOK || dig(out, "data", "viewer", "role") != "VIEWER" {
		t.Errorf("/graphql with the cookie: %d %s", resp.StatusCode, body)
	}
}
