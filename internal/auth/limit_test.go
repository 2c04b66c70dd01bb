package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// fakeClock is a clock the test moves.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time         { return c.t }
func (c *fakeClock) add(d time.Duration)    { c.t = c.t.Add(d) }
func newClock() *fakeClock                  { return &fakeClock{t: time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)} }
func lines(buf *bytes.Buffer, s string) int { return strings.Count(buf.String(), s) }
func logger(buf *bytes.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(buf, nil)) }
func limited(buf *bytes.Buffer) (int, int) {
	return lines(buf, "refusing further attempts"), lines(buf, "limit over")
}
func waitOf(l *auth.Limiter, c string) string { w, ok := l.Allow(c); return fmt.Sprint(ok, " ", w) }

// The bucket of one address: Failures failures in a row, then one more
// per Refill; an attempt refused says how long to wait; successes (Allow
// without Fail) take nothing; the burst is logged once when it trips and
// once when the bucket is full again, with what was refused meanwhile.
func TestLimiterBucket(t *testing.T) {
	clock := newClock()
	var log bytes.Buffer
	l := auth.NewLimiter(auth.LimitConfig{Failures: 3, Refill: 10 * time.Second, Now: clock.now, Logger: logger(&log)})
	const a, b = "192.0.2.1", "192.0.2.2"
	steps := []struct {
		name    string
		advance time.Duration
		fail    int    // failures recorded for a after the advance
		want    string // Allow(a) then
	}{
		{"a new address", 0, 0, "true 0s"},
		{"successes take nothing", 0, 0, "true 0s"},
		{"two failures", 0, 2, "true 0s"},
		{"the third empties the bucket", 0, 1, "false 10s"},
		{"4 s later", 4 * time.Second, 0, "false 6s"},
		{"one failure more after 10 s", 6 * time.Second, 0, "true 0s"},
		{"and it fails", 0, 1, "false 10s"},
		{"a minute later, three more", time.Minute, 0, "true 0s"},
	}
	for _, s := range steps {
		clock.add(s.advance)
		for range s.fail {
			if _, ok := l.Allow(a); !ok {
				t.Fatalf("%s: a failure was not allowed", s.name)
			}
			l.Fail(a)
		}
		if got := waitOf(l, a); got != s.want {
			t.Errorf("%s: Allow = %s, want %s", s.name, got, s.want)
		}
		if got := waitOf(l, b); got != "true 0s" {
			t.Errorf("%s: another address: Allow = %s", s.name, got)
		}
	}
	if l.Failures() != 4 || l.Limited() != 3 {
		t.Errorf("Failures %d, Limited %d; want 4 and 3", l.Failures(), l.Limited())
	}
	if l.Clients() != 0 {
		t.Errorf("%d addresses remembered after their bursts", l.Clients())
	}
	if trips, ends := limited(&log); trips != 1 || ends != 1 {
		t.Errorf("%d trip lines and %d end lines, want one of each:\n%s", trips, ends, log.String())
	}
	if !strings.Contains(log.String(), "client=192.0.2.1 failures=4 refused=3") {
		t.Errorf("the end line does not sum the burst up:\n%s", log.String())
	}
}

// Table of bursts: whatever the settings, an address's first Failures
// failures are allowed, the next attempt is refused until one Refill has
// passed, and the bucket never owes more than one burst (failures of
// attempts checked at once), so a refusal never waits more than two
// bursts' refill.
func TestLimiterSettings(t *testing.T) {
	for _, tt := range []struct {
		failures int
		refill   time.Duration
		extra    int // failures recorded past the limit (attempts let through at once)
		maxWait  time.Duration
	}{
		{1, time.Second, 0, time.Second},
		{10, 6 * time.Second, 0, 6 * time.Second},
		{20, 5 * time.Second, 0, 5 * time.Second},
		{20, 5 * time.Second, 100, 21 * 5 * time.Second},
		{0, 0, 0, auth.DefaultRefill}, // the defaults
	} {
		t.Run(fmt.Sprintf("%d per %s, %d more", tt.failures, tt.refill, tt.extra), func(t *testing.T) {
			clock := newClock()
			l := auth.NewLimiter(auth.LimitConfig{Failures: tt.failures, Refill: tt.refill, Now: clock.now})
			n := tt.failures
			if n == 0 {
				n = auth.DefaultFailures
			}
			for i := range n {
				if _, ok := l.Allow("x"); !ok {
					t.Fatalf("failure %d of %d refused", i+1, n)
				}
				l.Fail("x")
			}
			for range tt.extra {
				l.Fail("x")
			}
			wait, ok := l.Allow("x")
			if ok || wait <= 0 || wait > tt.maxWait {
				t.Fatalf("after %d failures: Allow = %v %s, want a refusal waiting at most %s", n+tt.extra, ok, wait, tt.maxWait)
			}
			clock.add(wait)
			if _, ok := l.Allow("x"); !ok {
				t.Errorf("still refused after waiting %s", wait)
			}
		})
	}
}

// A spray of addresses cannot grow the table past its bound: the address
// that failed least recently is forgotten first.
func TestLimiterBoundedMemory(t *testing.T) {
	clock := newClock()
	var log bytes.Buffer
	l := auth.NewLimiter(auth.LimitConfig{Failures: 2, Refill: time.Hour, Clients: 100, Now: clock.now, Logger: logger(&log)})
	// The first address trips the limit.
	l.Fail("first")
	l.Fail("first")
	if _, ok := l.Allow("first"); ok {
		t.Fatal("first is not limited")
	}
	for i := range 10000 {
		clock.add(time.Millisecond)
		l.Fail(fmt.Sprintf("spray-%d", i))
		if n := l.Clients(); n > 100 {
			t.Fatalf("%d addresses remembered, bound 100", n)
		}
	}
	if _, ok := l.Allow("spray-9999"); !ok {
		t.Error("one failure limited an address")
	}
	if _, ok := l.Allow("first"); !ok {
		t.Error("the oldest address was not the one forgotten")
	}
	if !strings.Contains(log.String(), "why=\"forgotten: too many addresses\"") {
		t.Errorf("forgetting a limited address is not logged:\n%s", log.String())
	}
	if trips, ends := limited(&log); trips != 1 || ends != 1 {
		t.Errorf("%d trip lines, %d end lines for 10,001 addresses", trips, ends)
	}
}

// A nil limiter (the limit off) allows everything.
func TestLimiterOff(t *testing.T) {
	l := auth.NewLimiter(auth.LimitConfig{Failures: -1})
	if l != nil {
		t.Fatal("Failures -1 made a limiter")
	}
	for range 100 {
		l.Fail("x")
	}
	if _, ok := l.Allow("x"); !ok || l.Failures() != 0 || l.Limited() != 0 || l.Clients() != 0 {
		t.Error("a nil limiter limits")
	}
}

// A client is its connection's IP address (an IPv6 address's /64), or the
// last address of the configured header when a proxy sets it.
func TestLimiterClient(t *testing.T) {
	for _, tt := range []struct {
		name, header, remote string
		values               []string
		want                 string
	}{
		{"IPv4", "", "192.0.2.7:51234", nil, "192.0.2.7"},
		{"IPv6, its /64", "", "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64"},
		{"IPv6, same /64", "", "[2001:db8:1:2:ffff::1]:80", nil, "2001:db8:1:2::/64"},
		{"IPv4 mapped in IPv6", "", "[::ffff:192.0.2.7]:80", nil, "192.0.2.7"},
		{"no port", "", "192.0.2.7", nil, "192.0.2.7"},
		{"not an address", "", "pipe", nil, "pipe"},
		{"a header not configured is ignored", "", "192.0.2.7:1", []string{"X-Forwarded-For", "203.0.113.9"}, "192.0.2.7"},
		{"X-Forwarded-For: the proxy's entry", "X-Forwarded-For", "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.1, 203.0.113.9"}, "203.0.113.9"},
		{"X-Forwarded-For: the last header", "X-Forwarded-For", "10.0.0.1:1", []string{"X-Forwarded-For", "198.51.100.1", "X-Forwarded-For", "203.0.113.9"}, "203.0.113.9"},
		{"X-Real-IP", "X-Real-IP", "10.0.0.1:1", []string{"X-Real-IP", "203.0.113.9"}, "203.0.113.9"},
		{"garbage in the header: the connection", "X-Real-IP", "10.0.0.1:1", []string{"X-Real-IP", "evil"}, "10.0.0.1"},
		{"no header: the connection", "X-Real-IP", "10.0.0.1:1", nil, "10.0.0.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			l := auth.NewLimiter(auth.LimitConfig{ClientHeader: tt.header})
			r := httptest.NewRequest(http.MethodGet, "/graphql", nil)
			r.RemoteAddr = tt.remote
			for i := 0; i+1 < len(tt.values); i += 2 {
				r.Header.Add(tt.values[i], tt.values[i+1])
			}
			if got := l.Client(r); got != tt.want {
				t.Errorf("Client = %q, want %q", got, tt.want)
			}
		})
	}
}

// counting is a token store that counts the times it is asked, and knows
// one token.
type counting struct {
	asked atomic.Int64
	good  string
}

func (c *counting) Authenticate(_ context.Context, token string) (*portfolio.Identity, error) {
	c.asked.Add(1)
	if token == c.good {
		return &portfolio.Identity{TokenID: 1, TokenName: "good", Role: portfolio.RoleViewer}, nil
	}
	return nil, portfolio.Errorf(portfolio.EUnauthenticated, "invalid or revoked token")
}

// Through the middleware: an address past its failures gets 429 with
// Retry-After and RATE_LIMITED, before the store is asked, whatever it
// sends (a valid token too) but requests without a credential; other
// addresses are not affected; a cookie is kept.
func TestMiddlewareLimit(t *testing.T) {
	clock := newClock()
	store := &counting{good: "good"}
	l := auth.NewLimiter(auth.LimitConfig{Failures: 3, Refill: 4 * time.Second, Now: clock.now})
	h := auth.Middleware(store, auth.Options{PublicRead: true, Cookie: true, Limiter: l}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(portfolio.IdentityFrom(r.Context()).Role))
	}))
	type answer struct {
		status     int
		retryAfter string
		code       string
		asked      bool
	}
	send := func(remote, header, cookie string) answer {
		t.Helper()
		r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
		r.RemoteAddr = remote
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: cookie})
		}
		before := store.asked.Load()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		a := answer{status: rec.Code, retryAfter: rec.Header().Get("Retry-After"), asked: store.asked.Load() > before}
		var body errorBody
		if json.Unmarshal(rec.Body.Bytes(), &body) == nil && len(body.Errors) > 0 {
			a.code, _ = body.Errors[0].Extensions["code"].(string)
			if a.code == portfolio.ERateLimited && body.Errors[0].Extensions["retryAfter"] == nil {
				t.Errorf("a RATE_LIMITED error without extensions.retryAfter: %s", rec.Body)
			}
			if a.code == portfolio.ERateLimited && !strings.Contains(body.Errors[0].Message, "too many failed authentications") {
				t.Errorf("message %q", body.Errors[0].Message)
			}
		}
		if a.code == portfolio.ERateLimited {
			for _, c := range rec.Result().Cookies() {
				if c.Name == auth.CookieName {
					t.Error("a limited request lost its cookie")
				}
			}
		}
		return a
	}
	const attacker, neighbour = "192.0.2.66:4000", "192.0.2.67:4000"
	steps := []struct {
		name                 string
		advance              time.Duration
		remote, header, cook string
		want                 answer
	}{
		{"a valid token", 0, attacker, "Bearer good", "", answer{200, "", "", true}},
		{"wrong 1", 0, attacker, "Bearer bad", "", answer{401, "", portfolio.EUnauthenticated, true}},
		{"malformed header 2", 0, attacker, "Basic eDp5", "", answer{401, "", portfolio.EUnauthenticated, false}},
		{"wrong cookie 3", 0, attacker, "", "bad", answer{401, "", portfolio.EUnauthenticated, true}},
		{"limited", 0, attacker, "Bearer bad", "", answer{429, "4", portfolio.ERateLimited, false}},
		{"a valid token, limited too", 0, attacker, "Bearer good", "", answer{429, "4", portfolio.ERateLimited, false}},
		{"a cookie, limited too", 0, attacker, "", "good", answer{429, "4", portfolio.ERateLimited, false}},
		{"no credential: read as anonymous", 0, attacker, "", "", answer{200, "", "", false}},
		{"another address", 0, neighbour, "Bearer good", "", answer{200, "", "", true}},
		{"another address, wrong", 0, neighbour, "Bearer bad", "", answer{401, "", portfolio.EUnauthenticated, true}},
		{"3 s later", 3 * time.Second, attacker, "Bearer bad", "", answer{429, "1", portfolio.ERateLimited, false}},
		{"4 s later: the valid token", time.Second, attacker, "Bearer good", "", answer{200, "", "", true}},
		{"and one failure", 0, attacker, "Bearer bad", "", answer{401, "", portfolio.EUnauthenticated, true}},
		{"then limited again", 0, attacker, "Bearer bad", "", answer{429, "4", portfolio.ERateLimited, false}},
	}
	for _, s := range steps {
		clock.add(s.advance)
		if got := send(s.remote, s.header, s.cook); got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
	}
}

// Concurrent attempts (go test -race): every failure is counted, and an
// address never owes more than one burst.
func TestLimiterConcurrent(t *testing.T) {
	clock := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(auth.LimitConfig{Failures: 5, Refill: time.Second, Clients: 30, Now: func() time.Time { return clock }})
	done := make(chan struct{})
	for g := range 16 {
		go func() {
			defer func() { done <- struct{}{} }()
			for i := range 200 {
				key := fmt.Sprintf("10.0.0.%d", (g+i)%20)
				if _, ok := l.Allow(key); ok {
					l.Fail(key)
				}
				l.Fail("shared")
			}
		}()
	}
	for range 16 {
		<-done
	}
	if l.Failures() < 16*200 || l.Clients() != 21 {
		t.Errorf("Failures %d, Clients %d", l.Failures(), l.Clients())
	}
	if wait, ok := l.Allow("shared"); ok || wait > 6*time.Second {
		t.Errorf("shared after 3,200 failures: Allow %v, wait %s; want refused, at most two bursts' wait", ok, wait)
	}
}

// Pace delays instead of refusing: past the burst an attempt takes the
// next failure in advance and waits for it, a second one waits a refill
// longer, and one that would wait past the bound is refused without
// taking anything; Refund gives a paced attempt's failure back.
func TestLimiterPace(t *testing.T) {
	clock := newClock()
	l := auth.NewLimiter(auth.LimitConfig{Failures: 2, Refill: 4 * time.Second, Now: clock.now, Subject: "refused requests"})
	const a, max = "192.0.2.1", 10 * time.Second
	pace := func() string { w, paced, ok := l.Pace(a, max); return fmt.Sprint(ok, " ", paced, " ", w) }
	steps := []struct {
		name    string
		advance time.Duration
		fail    int
		refund  int
		want    string
	}{
		{"a new address goes", 0, 0, 0, "true false 0s"},
		{"two failures: the burst", 0, 2, 0, "true true 4s"},
		{"the next waits one refill more", 0, 0, 0, "true true 8s"},
		{"past the bound: refused, nothing taken", 0, 0, 0, "false false 12s"},
		{"still refused", 0, 0, 0, "false false 12s"},
		{"two paced attempts ran without failing", 0, 0, 2, "true true 4s"},
		{"a minute later the bucket is full", time.Minute, 0, 0, "true false 0s"},
	}
	for _, s := range steps {
		clock.add(s.advance)
		for range s.fail {
			l.Fail(a)
		}
		for range s.refund {
			l.Refund(a)
		}
		if got := pace(); got != s.want {
			t.Errorf("%s: Pace %s, want %s", s.name, got, s.want)
		}
	}
	if got := l.Limited(); got != 2 {
		t.Errorf("Limited() = %d, want 2", got)
	}
}
