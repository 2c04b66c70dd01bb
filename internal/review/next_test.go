package review_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// browserTarget resolves a Location header against the page that sent it
// the way a browser does for an http(s) address: it drops tabs and line
// breaks, trims leading and trailing controls and spaces, reads a
// backslash as a slash, then resolves the reference (RFC 3986).
func browserTarget(base, location string) (*url.URL, error) {
	s := strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(location)
	s = strings.TrimFunc(s, func(r rune) bool { return r <= ' ' })
	s = strings.ReplaceAll(s, `\`, "/")
	ref, err := url.Parse(s)
	if err != nil {
		return nil, err
	}
	b, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return b.ResolveReference(ref), nil
}

// underReview reports whether a resolved address is a page of the review
// on host.
func underReview(u *url.URL, host string) bool {
	return u.Scheme == "http" && u.Host == host && u.User == nil &&
		(u.Path == "/review" || strings.HasPrefix(u.Path, "/review/"))
}

// After signing in, the browser goes back to the page the form came from
// only when that is a page of the review on this server: the Location sent
// is the target as checked (cleaned, nothing cleaned after), and a browser
// resolving it stays on the server, under /review. Everything else, the
// known shapes of open-redirect bypasses among them, goes to /review.
func TestSignInRedirects(t *testing.T) {
	const home = "/review"
	tests := []struct {
		suite string
		want  string // the Location sent
	}{
		// Accepted, cleaned.
		{"/review", "/review"},
		{"/review?incubator=dinum", "/review?incubator=dinum"},
		{"/review/startups/dossierfacile?asOf=2026-07-01", "/review/startups/dossierfacile?asOf=2026-07-01"},
		{"/review/", "/review"},
		{"/review//startups//dossierfacile", "/review/startups/dossierfacile"},
		{"/review/./startups/./x", "/review/startups/x"},
		{"/review/../review/startups/x", "/review/startups/x"},
		{"/x/../review", "/review"},
		{"/review/%2e%2e/review/startups/a", "/review/startups/a"},
		{"/review/startups/donn%C3%A9es-et-territoires", "/review/startups/donn%C3%A9es-et-territoires"},
		{"/review/startups/e-insp%c3%a9", "/review/startups/e-insp%C3%A9"},
		{"/review/startups/a%2Fb", "/review/startups/a/b"},
		{"/review?suite=//evil.example", "/review?suite=//evil.example"},
		{"/review?suite=%2F%2Fevil.example&asOf=2026-07-01", "/review?suite=%2F%2Fevil.example&asOf=2026-07-01"},
		{"/review/..;/evil.example", "/review/..;/evil.example"},

		// The case: the check ran on the raw text, then
		// http.Redirect cleaned it into "/\evil.example/".
		{`/x/../\evil.example/`, home},
		{`/review/../\evil.example`, home},
		{`/review/x/../../\evil.example`, home},
		// Other sites, scheme-relative addresses, schemes.
		{"https://evil.example/", home},
		{"http://evil.example", home},
		{"http:evil.example", home},
		{"http:/evil.example", home},
		{"//evil.example", home},
		{"///evil.example", home},
		{"////evil.example/review", home},
		{"//evil.example/review", home},
		{"/review//../..//evil.example", home},
		{"javascript:alert(1)", home},
		{"JavaScript://%0aalert(1)", home},
		{"data:text/html,<script>alert(1)</script>", home},
		{"review", home},
		{"evil.example/review", home},
		{"", home},
		// Backslashes, raw or encoded.
		{`/\evil.example`, home},
		{`\\evil.example`, home},
		{`/\/evil.example`, home},
		{`\/evil.example`, home},
		{`/review/\evil.example`, home},
		{"/%5Cevil.example", home},
		{"/%5c%5cevil.example", home},
		{"/review/%5C..%5C..%5Cevil.example", home},
		{"/review?x=%5Cevil.example", home},
		// Encoded slashes and dots that clean to another path.
		{"/%2F%2Fevil.example", home},
		{"/%2f%2fevil.example", home},
		{"/review/..%2F..%2F%2Fevil.example", home},
		{"/review%2F..%2F..%2Fevil.example", home},
		{"/review/%2e%2e/%2e%2e/evil.example", home},
		{"/review/%2E%2E", home},
		{"/review/..", home},
		// Double encoding.
		{"/%252F%252Fevil.example", home},
		{"/review/%252e%252e/%252e%252e/evil.example", home},
		{"/review/%25", home},
		// Controls: tabs, line breaks, NUL, raw or encoded.
		{"/\t/evil.example", home},
		{"/%09/evil.example", home},
		{"/review/%09", home},
		{"/\r\n/evil.example", home},
		{"/%0d%0a/evil.example", home},
		{"/review?a=%0d%0aLocation:%20http://evil.example", home},
		{"/review/\x00", home},
		{"/review/%00", home},
		{" /review", home},
		{"/review ", home},
		{"/review/%20/x", home},
		// Look-alikes: user info, other hosts, other paths.
		{"/review@evil.example", home},
		{"/review%40evil.example", home},
		{"/review.evil.example", home},
		{"/reviewx", home},
		{"/review-evil", home},
		{"/graphql", home},
		{"/", home},
		{"/review#@evil.example", home},
		{"/review?#", home},
		// Unicode slashes and invisible characters, raw or encoded.
		{"/review/\uff0f\uff0fevil.example", home},
		{"/\uff0f\uff0fevil.example", home},
		{"/%EF%BC%8F%EF%BC%8Fevil.example", home},
		{"/review/%EF%BC%8Fevil.example", home},
		{"/review/%E2%88%95evil.example", home},
		{"/review/%E2%81%84evil.example", home},
		{"/review/%E2%80%AEelpmaxe", home},
		{"/review/%C2%A0", home},
		{"/review/%ff", home},
		// The sign-in and sign-out pages (a loop).
		{"/review/connexion", home},
		{"/review/connexion?suite=%2F%2Fevil.example", home},
		{"/review/./connexion", home},
		{"/review/deconnexion", home},
		// Broken escapes.
		{"/review/%", home},
		{"/review/%zz", home},
		{"/review?x=%zz", home},
	}
	host := strings.TrimPrefix(shared.public, "http://")
	for _, tt := range tests {
		t.Run(tt.suite, func(t *testing.T) {
			resp, _ := post(t, shared.public, "/review/connexion", url.Values{"jeton": {shared.viewer}, "suite": {tt.suite}}, anonymous, nil)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || loc != tt.want {
				t.Fatalf("status %d, Location %q; want 303 and %q", resp.StatusCode, loc, tt.want)
			}
			if cookieOf(resp) == nil {
				t.Error("signed in without a cookie")
			}
			u, err := browserTarget(shared.public+"/review/connexion", loc)
			if err != nil || !underReview(u, host) {
				t.Errorf("a browser goes to %v (%v), not a page of the review on %s", u, err, host)
			}
		})
	}

	// The form carries the same target back, and the checked one only.
	for _, tt := range []struct{ suite, want string }{
		{`/x/../\evil.example/`, home},
		{"/review/startups/dossierfacile?asOf=2026-07-01", "/review/startups/dossierfacile?asOf=2026-07-01"},
		{"/review//startups/x", "/review/startups/x"},
	} {
		_, doc := page(t, shared.public, "/review/connexion?suite="+url.QueryEscape(tt.suite), anonymous, http.StatusOK)
		next := findAll(doc, hasAttr("name", "suite"))
		if len(next) != 1 || attrOf(next[0], "value") != tt.want {
			t.Errorf("the form for suite=%q goes back to %v, want %q", tt.suite, next, tt.want)
		}
	}
}
