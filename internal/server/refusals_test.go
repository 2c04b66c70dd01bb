package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Requests refused for what they ask are counted per address, on /graphql
// and /export alike; past the burst, the address's requests wait for the
// next allowance or, when that is more than 10 s away, are answered 429 at
// once. Requests that run, refusals of rights, unknown slugs and the first
// step of a persisted query count nothing; other addresses are not slowed.
func TestRefusedRequestsArePaced(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var mu sync.Mutex
	now := time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true,
		RefusalLimit: auth.LimitConfig{Failures: 2, Refill: time.Hour, Now: clock}})
	type answer struct {
		status     int
		code       string
		retryAfter string
	}
	send := func(remote, method, path, body string) answer {
		t.Helper()
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		r.RemoteAddr = remote
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		a := answer{status: rec.Code, retryAfter: rec.Header().Get("Retry-After")}
		if i := strings.Index(rec.Body.String(), `"code":"`); i >= 0 {
			a.code, _, _ = strings.Cut(rec.Body.String()[i+8:], `"`)
		}
		return a
	}
	const (
		attacker, neighbour, mistaken = "192.0.2.66:1", "192.0.2.67:1", "192.0.2.68:1"
		valid                         = `{"query":"{ startups(first: 1) { totalCount } }"}`
		unparsable                    = `{"query":"{ startups(first: 1) { totalCount "}`
		unknownDocument               = `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"0000000000000000000000000000000000000000000000000000000000000000"}}}`
		forbidden                     = `{"query":"mutation { deleteCommittee(input: {id: \"x\", version: 1}) { clientMutationId } }"}`
		missing                       = `{"query":"{ startup(slug: \"nobody\") { slug } }"}`
	)
	tooDeep := `{"query":"{ startups { nodes { ` + strings.Repeat("incubator { startups { nodes { ", 8) + "slug" + strings.Repeat(" } } }", 8) + ` } } }"}`
	badExport := "/export?" + url.Values{"format": {"csv"}, "query": {"{ startups { nodes { nope } } }"}}.Encode()
	steps := []struct {
		name         string
		advance      time.Duration
		remote, path string
		body         string
		want         answer
	}{
		{"a request that runs", 0, attacker, "/graphql", valid, answer{200, "", ""}},
		{"a document that does not parse", 0, attacker, "/graphql", unparsable, answer{200, portfolio.EParseFailed, ""}},
		{"an export that does not validate", 0, attacker, badExport, "", answer{400, portfolio.EValidationFailed, ""}},
		{"past the burst: 429 before the document is read", 0, attacker, "/graphql", valid, answer{429, portfolio.ERateLimited, "3600"}},
		{"on /export too", 0, attacker, "/export/startups.csv", "", answer{429, portfolio.ERateLimited, "3600"}},
		{"another address is not slowed", 0, neighbour, "/graphql", valid, answer{200, "", ""}},
		{"nor by a document too deep from it once", 0, neighbour, "/graphql", tooDeep, answer{200, portfolio.EComplexity, ""}},
		{"which it may follow with a request that runs", 0, neighbour, "/graphql", valid, answer{200, "", ""}},
		{"the first step of a persisted query", 0, mistaken, "/graphql", unknownDocument, answer{200, portfolio.EUnknownDocument, ""}},
		{"again", 0, mistaken, "/graphql", unknownDocument, answer{200, portfolio.EUnknownDocument, ""}},
		{"a mutation without rights", 0, mistaken, "/graphql", forbidden, answer{200, portfolio.EUnauthenticated, ""}},
		{"again", 0, mistaken, "/graphql", forbidden, answer{200, portfolio.EUnauthenticated, ""}},
		{"a startup not on record", 0, mistaken, "/graphql", missing, answer{200, "", ""}},
		{"none of them counted", 0, mistaken, "/graphql", valid, answer{200, "", ""}},
		{"an hour later, the attacker's next request waits no more", time.Hour, attacker, "/graphql", valid, answer{200, "", ""}},
		{"it fails once more", 0, attacker, "/graphql", unparsable, answer{200, portfolio.EParseFailed, ""}},
		{"and is limited again", 0, attacker, "/graphql", valid, answer{429, portfolio.ERateLimited, "3600"}},
	}
	for _, s := range steps {
		advance(s.advance)
		method := http.MethodPost
		if s.body == "" {
			method = http.MethodGet
		}
		if got := send(s.remote, method, s.path, s.body); got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
	}
	r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	for _, want := range []string{"portfolio_refused_requests_total 4", "portfolio_refusals_rate_limited_total 3"} {
		if !strings.Contains(rec.Body.String(), want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// A paced request waits for the allowance it takes, and gives it back when
// it runs: an address whose burst is spent is slowed, not refused, while
// the wait stays under 10 s; requests that run do not lengthen it.
func TestPacedRequestWaits(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const refill = 300 * time.Millisecond
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true,
		RefusalLimit: auth.LimitConfig{Failures: 1, Refill: refill}})
	send := func(body string) (int, time.Duration) {
		r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		r.RemoteAddr = "192.0.2.70:1"
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, r)
		return rec.Code, time.Since(start)
	}
	send(`{"query":"{"}`) // the burst of one, spent
	// The next request waits about one refill (the timer never fires
	// early; a loaded machine only makes it later).
	if code, took := send(`{"query":"{ __typename }"}`); code != 200 || took < refill*9/10 {
		t.Errorf("the paced request: status %d after %s, want 200 after at least %s", code, took, refill*9/10)
	}
}
