package reliability

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Issue 20, §4 and §6: the sign-in form's redirect, floods of wrong tokens
// on the form and on the API, and expired tokens, against the real binary.
// Each part sends from a loopback address of its own (127.0.0.x), so that
// the limit of failed authentications per address of one part does not
// touch another.
func TestHostileAuth(t *testing.T) {
	requireSuite(t, "Hostile")
	binary(t)
	path, source := newDatabase(t, true)
	viewer := createToken(t, path, "hostile-auth-viewer", "viewer")
	s := startServer(t, path)
	host := strings.TrimPrefix(s.URL, "http://")
	t.Logf("hostile authentication against %s", source)

	// The open redirect of issue 20 and its variants: after signing in
	// with a real token, the Location sent must be a page of the review
	// on this server, as a browser resolves it.
	t.Run("redirect after sign-in", func(t *testing.T) {
		c := clientFrom(t, "127.0.0.2")
		for _, tt := range []struct{ suite, want string }{
			{`/x/../\evil.example/`, "/review"},
			{`/review/../\evil.example`, "/review"},
			{`/review/x/../../\evil.example/`, "/review"},
			{`/./\evil.example`, "/review"},
			{`/x/..//evil.example`, "/review"},
			{`//evil.example`, "/review"},
			{`/\/evil.example`, "/review"},
			{`/%5Cevil.example`, "/review"},
			{`/%2F%2Fevil.example`, "/review"},
			{`/review/..%2F..%2F%2Fevil.example`, "/review"},
			{`/%252F%252Fevil.example`, "/review"},
			{"/\t/evil.example", "/review"},
			{"/%09/evil.example", "/review"},
			{`/review@evil.example`, "/review"},
			{`/review.evil.example`, "/review"},
			{`/reviewx`, "/review"},
			{`/review/%EF%BC%8F%EF%BC%8Fevil.example`, "/review"},
			{`/review/connexion?suite=//evil.example`, "/review"},
			{`https://evil.example/review`, "/review"},
			{`/review//startups//x?asOf=2026-07-01`, "/review/startups/x?asOf=2026-07-01"},
			{`/review?incubator=dinum`, "/review?incubator=dinum"},
		} {
			form := url.Values{"jeton": {viewer}, "suite": {tt.suite}}
			r, err := postForm(c, s.URL+"/review/connexion", form)
			if err != nil {
				t.Fatal(err)
			}
			loc := r.Header.Get("Location")
			u, err := browserResolve(s.URL+"/review/connexion", loc)
			switch {
			case r.Status != http.StatusSeeOther:
				t.Errorf("suite=%q: status %d, want 303", tt.suite, r.Status)
			case err != nil || u.Host != host || (u.Path != "/review" && !strings.HasPrefix(u.Path, "/review/")):
				t.Errorf("suite=%q: Location %q takes a browser to %v, off the review of %s", tt.suite, loc, u, host)
			case loc != tt.want:
				t.Errorf("suite=%q: Location %q, want %q", tt.suite, loc, tt.want)
			}
		}
	})

	// 300 wrong tokens: the first ones are refused 401, then 429 with
	// Retry-After before any token is looked at; the server's CPU and its
	// log stay small. A valid token from another address is not affected.
	flood := func(t *testing.T, from string, attempt func(c *http.Client, token string) (*reply, error), limitedSays string) {
		t.Helper()
		c := clientFrom(t, from)
		cpu0, lines0, start := cpuSeconds(s.Pid()), s.stderr.lineCount(), time.Now()
		counts := map[int]int{}
		first429 := 0
		for i := range 300 {
			r, err := attempt(c, wrongToken())
			if err != nil {
				t.Fatal(err)
			}
			counts[r.Status]++
			if r.Status == http.StatusTooManyRequests {
				if first429 == 0 {
					first429 = i + 1
				}
				if n, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || n < 1 || n > 60 {
					t.Fatalf("attempt %d: 429 with Retry-After %q", i+1, r.Header.Get("Retry-After"))
				}
				if !strings.Contains(string(r.Body), limitedSays) {
					t.Fatalf("attempt %d: 429 without %q:\n%s", i+1, limitedSays, truncate(string(r.Body), 500))
				}
			}
		}
		elapsed := time.Since(start)
		// The server may write the line of the last answer or so after
		// the test read it: the count is low by that much at most.
		cpu, lines := cpuSeconds(s.Pid())-cpu0, s.stderr.lineCount()-lines0
		t.Logf("300 wrong tokens from %s in %s: statuses %v, first 429 at attempt %d, server CPU %.2f s, %d log lines",
			from, elapsed.Round(time.Millisecond), counts, first429, cpu, lines)
		// 20 failures allowed at once, then one per 5 s (the defaults).
		allowed := 20 + int(elapsed/(5*time.Second)) + 1
		if counts[http.StatusUnauthorized] < 3 || counts[http.StatusUnauthorized] > allowed {
			t.Errorf("%d answers 401, want the first few then 429 (at most %d in %s)", counts[http.StatusUnauthorized], allowed, elapsed)
		}
		if counts[http.StatusTooManyRequests] < 300-allowed || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 300 {
			t.Errorf("statuses %v: want 300 refusals, all but the first %d with 429", counts, allowed)
		}
		if cpu > 1.0 {
			t.Errorf("the server spent %.2f s of CPU on 300 wrong tokens", cpu)
		}
		if lines > allowed+10 {
			t.Errorf("%d log lines for 300 wrong tokens: want about one per failure let through and one per burst", lines)
		}
	}

	t.Run("300 wrong tokens on the sign-in form", func(t *testing.T) {
		flood(t, "127.0.0.3", func(c *http.Client, token string) (*reply, error) {
			return postForm(c, s.URL+"/review/connexion", url.Values{"jeton": {token}, "suite": {"/review"}})
		}, "Trop de tentatives de connexion ont échoué depuis votre adresse")
		// The limit is per address: a browser elsewhere signs in.
		r, err := postForm(clientFrom(t, "127.0.0.7"), s.URL+"/review/connexion", url.Values{"jeton": {viewer}})
		if err != nil || r.Status != http.StatusSeeOther {
			t.Errorf("a valid sign-in from another address: %s", describe(r, err))
		}
	})

	t.Run("300 wrong tokens on /graphql", func(t *testing.T) {
		flood(t, "127.0.0.4", func(c *http.Client, token string) (*reply, error) {
			return gql(context.Background(), c, s.URL, token, `{ __typename }`, nil)
		}, `"code":"RATE_LIMITED"`)
		r, err := gql(context.Background(), clientFrom(t, "127.0.0.5"), s.URL, viewer, `{ viewer { role } }`, nil)
		if err != nil || r.Status != http.StatusOK || !strings.Contains(string(r.Data), "VIEWER") {
			t.Errorf("a valid token from another address: %s", describe(r, err))
		}
		r, err = gql(context.Background(), clientFrom(t, "127.0.0.4"), s.URL, viewer, `{ viewer { role } }`, nil)
		if err != nil || r.Status != http.StatusTooManyRequests {
			t.Errorf("a valid token from the limited address: %s, want 429 until Retry-After", describe(r, err))
		}
		m, err := send(clientFrom(t, "127.0.0.5"), mustRequest(t, http.MethodGet, s.URL+"/metrics", nil))
		if err != nil {
			t.Fatal(err)
		}
		for _, series := range []string{"portfolio_auth_failures_total", "portfolio_auth_rate_limited_total"} {
			if v := metricValue(string(m.Body), series); v < 20 {
				t.Errorf("/metrics: %s %v", series, v)
			}
		}
	})

	// A token made with --expires works until its expiry, then is refused
	// on /graphql, /export, the sign-in form and the review page's cookie,
	// saying that it expired. Time is not waited for: the token's expiry
	// is moved into the past in the database, as time would move it.
	t.Run("expired token", func(t *testing.T) {
		out, err := cliErr("token", "create", "--db", path, "--role", "viewer", "--name", "hostile-auth-expiring", "--expires", "90d")
		if err != nil {
			t.Fatalf("token create --expires 90d: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		token := strings.TrimSpace(lines[len(lines)-1])
		c := clientFrom(t, "127.0.0.6")
		if r, err := gql(context.Background(), c, s.URL, token, `{ viewer { role } }`, nil); err != nil || r.Status != http.StatusOK {
			t.Fatalf("the token before its expiry: %s", describe(r, err))
		}
		r, err := postForm(c, s.URL+"/review/connexion", url.Values{"jeton": {token}})
		if err != nil || r.Status != http.StatusSeeOther {
			t.Fatalf("signing in before the expiry: %s", describe(r, err))
		}
		cookie := setCookie(r.Header, "portfolio_token")
		if cookie == "" {
			t.Fatal("no sign-in cookie")
		}

		expiredAt := time.Now().UTC().Add(-time.Hour).Truncate(time.Second).Format(time.RFC3339)
		if err := setExpiry(path, "hostile-auth-expiring", expiredAt); err != nil {
			t.Fatal(err)
		}

		says := "expired on " + strings.Replace(expiredAt[:16], "T", " ", 1)
		r, err = gql(context.Background(), c, s.URL, token, `{ viewer { role } }`, nil)
		if err != nil || r.Status != http.StatusUnauthorized || r.firstCode() != "UNAUTHENTICATED" ||
			!strings.Contains(r.Errors[0].Message, says) || r.Errors[0].Extensions["expiredAt"] != expiredAt {
			t.Errorf("/graphql with the expired token: %s, want 401 UNAUTHENTICATED saying %q", describe(r, err), says)
		}
		req := mustRequest(t, http.MethodGet, s.URL+"/export/startups.csv", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if r, err = send(c, req); err != nil || r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), says) {
			t.Errorf("/export with the expired token: %s", describe(r, err))
		}
		req = mustRequest(t, http.MethodPost, s.URL+"/graphql", strings.NewReader(`{"query":"{ viewer { role } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: "portfolio_token", Value: cookie})
		if r, err = send(c, req); err != nil || r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), says) {
			t.Errorf("/graphql with the expired cookie: %s", describe(r, err))
		}
		req = mustRequest(t, http.MethodGet, s.URL+"/review", nil)
		req.AddCookie(&http.Cookie{Name: "portfolio_token", Value: cookie})
		r, err = send(c, req)
		loc := ""
		if err == nil {
			loc = r.Header.Get("Location")
		}
		if err != nil || r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/review/connexion?") {
			t.Fatalf("/review with the expired cookie: %s, want the sign-in form", describe(r, err))
		}
		if r, err = send(c, mustRequest(t, http.MethodGet, s.URL+loc, nil)); err != nil || !strings.Contains(string(r.Body), "a expiré") {
			t.Errorf("the sign-in form after an expired cookie (%s) does not say it expired", loc)
		}
		r, err = postForm(c, s.URL+"/review/connexion", url.Values{"jeton": {token}})
		if err != nil || r.Status != http.StatusUnauthorized || !strings.Contains(string(r.Body), "Ce jeton a expiré le ") {
			t.Errorf("signing in with the expired token: %s", describe(r, err))
		}
	})
}

// describe says what a request got, for a failure's message.
func describe(r *reply, err error) string {
	if err != nil {
		return err.Error()
	}
	return fmt.Sprintf("status %d, Location %q, body %s", r.Status, r.Header.Get("Location"), truncate(string(r.Body), 300))
}

// clientFrom returns a client whose connections come from the loopback
// address ip (any of 127.0.0.0/8 on Linux), that follows no redirect.
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	return &http.Client{
		Timeout:       30 * time.Second,
		Transport:     &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 2, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// postForm posts a form as a page of the server would.
func postForm(c *http.Client, u string, form url.Values) (*reply, error) {
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return send(c, req)
}

func mustRequest(t *testing.T, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// wrongToken is a well-formed token no server made.
func wrongToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return "pf_1_" + base64.RawURLEncoding.EncodeToString(b)
}

// browserResolve resolves a Location header against the page that sent it
// as a browser does for an http address: tabs and line breaks dropped,
// backslashes read as slashes.
func browserResolve(base, location string) (*url.URL, error) {
	s := strings.NewReplacer("\t", "", "\n", "", "\r", "", `\`, "/").Replace(location)
	ref, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	b, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return b.ResolveReference(ref), nil
}

// setCookie returns the value of the cookie name that an answer sets.
func setCookie(h http.Header, name string) string {
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// setExpiry writes a token's expiry into the database, as time passing
// would make it past.
func setExpiry(path, name, at string) error {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	res, err := db.Exec("UPDATE tokens SET expires_at = ? WHERE name = ?", at, name)
	if err != nil {
		return fmt.Errorf("set the expiry: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("set the expiry: %d tokens named %q", n, name)
	}
	return nil
}

// metricValue returns the value of an unlabelled series of a Prometheus
// text exposition, or -1.
func metricValue(body, series string) float64 {
	for line := range strings.SplitSeq(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}
