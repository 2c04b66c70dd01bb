package auth

import (
	"container/list"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Failed authentications are limited per client address with a token
// bucket: an address may fail Failures times in a row, then once more per
// Refill. An address whose bucket is empty is refused (RATE_LIMITED, 429
// with Retry-After) before the token store is asked, whatever the token it
// sends: a store that is never asked costs neither CPU nor a read, and
// the server cannot tell a valid token from a guess without asking. A
// successful authentication takes nothing from the bucket, so callers
// with valid tokens are not slowed until their address trips the limit.
// Requests without a credential are never limited: they ask the store
// nothing.

// Defaults of LimitConfig.
const (
	// DefaultFailures is how many failed authentications an address may
	// have in a row.
	DefaultFailures = 20
	// DefaultRefill is how often an address may fail once more, after.
	DefaultRefill = 5 * time.Second
	// DefaultClients is how many addresses the limiter remembers.
	DefaultClients = 10000
)

// LimitConfig tunes a Limiter. Its zero value is the defaults.
type LimitConfig struct {
	// Failures is the size of an address's bucket: the failures in a row
	// before its attempts are refused (0: DefaultFailures; negative: no
	// limit at all).
	Failures int
	// Refill is how long it takes the bucket to hold one more failure
	// (0: DefaultRefill).
	Refill time.Duration
	// Clients bounds the addresses remembered at once (0:
	// DefaultClients); past it the address that failed least recently is
	// forgotten.
	Clients int
	// ClientHeader, when not empty, names the header a reverse proxy in
	// front sets to the client's address (X-Real-IP, or X-Forwarded-For,
	// whose last address is taken); a request whose header holds no
	// address is keyed by its connection's. Empty: the connection's
	// address, which behind a proxy is the proxy's, for every client.
	ClientHeader string
	// Logger gets one line when an address trips the limit and one when
	// its burst is over; nil discards them.
	Logger *slog.Logger
	// Now is the limiter's clock (nil: time.Now); tests set a fake one.
	Now func() time.Time
	// Subject names what the limiter counts in its log lines (""
	// "authentication failures"); the server's limiter of refused
	// requests says "refused requests".
	Subject string
}

// Limiter counts failed authentications per client address. Its methods
// are safe for concurrent use, and do nothing on a nil *Limiter (no limit).
type Limiter struct {
	burst   float64
	refill  time.Duration
	max     int
	header  string
	subject string
	log     *slog.Logger
	now     func() time.Time
	mu      sync.Mutex
	clients map[string]*list.Element // of *bucket
	order   *list.List               // front: the latest failure

	failures atomic.Int64
	limited  atomic.Int64
}

// bucket is the bucket of one address, from its first failure until the
// bucket is full again (the end of its burst).
type bucket struct {
	key      string
	tokens   float64   // failures it may still have
	at       time.Time // when tokens was computed
	failures int       // in this burst
	refused  int       // attempts refused in this burst
	tripped  time.Time // when the bucket ran empty first; zero: not yet
}

// NewLimiter returns a limiter, or nil (no limit) when cfg.Failures is
// negative.
func NewLimiter(cfg LimitConfig) *Limiter {
	if cfg.Failures < 0 {
		return nil
	}
	if cfg.Failures == 0 {
		cfg.Failures = DefaultFailures
	}
	if cfg.Refill <= 0 {
		cfg.Refill = DefaultRefill
	}
	if cfg.Clients <= 0 {
		cfg.Clients = DefaultClients
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Subject == "" {
		cfg.Subject = "authentication failures"
	}
	return &Limiter{burst: float64(cfg.Failures), refill: cfg.Refill, max: cfg.Clients,
		header: cfg.ClientHeader, subject: cfg.Subject, log: cfg.Logger, now: cfg.Now,
		clients: map[string]*list.Element{}, order: list.New()}
}

// Client returns the key of r's client address: its IP address (an IPv6
// address's /64, which one client usually holds whole), from the
// ClientHeader when configured and readable, else from the connection.
func (l *Limiter) Client(r *http.Request) string {
	if l == nil {
		return ""
	}
	if l.header != "" {
		if vs := r.Header.Values(l.header); len(vs) > 0 {
			v := vs[len(vs)-1]
			if i := strings.LastIndexByte(v, ','); i >= 0 {
				v = v[i+1:] // the address the proxy itself appended
			}
			if a, err := netip.ParseAddr(strings.TrimSpace(v)); err == nil {
				return addrKey(a)
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return addrKey(a)
	}
	return host
}

// addrKey is an IPv4 address, or an IPv6 address's /64.
func addrKey(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	if a.Is4() {
		return a.String()
	}
	p, err := a.Prefix(64)
	if err != nil {
		return a.String()
	}
	return p.String()
}

// Allow reports whether an attempt to authenticate from client may be
// checked now. When it may not, it counts the refusal and returns how long
// until one may.
func (l *Limiter) Allow(client string) (wait time.Duration, ok bool) {
	if l == nil {
		return 0, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, c := l.current(client)
	if c == nil || c.tokens >= 1 {
		return 0, true
	}
	c.refused++
	l.limited.Add(1)
	return time.Duration((1 - c.tokens) * float64(l.refill)), false
}

// Pace is Allow for a limiter that delays rather than refuses: when
// client's bucket is empty, the attempt takes the bucket's next failure in
// advance (paced) and must wait until then; a later paced attempt waits
// one Refill longer. When that wait would pass max, nothing is taken and
// ok is false: the attempt is refused, and wait says when to retry. A
// paced attempt that does not fail gives its failure back with Refund; one
// that fails records nothing more (its failure was taken).
func (l *Limiter) Pace(client string, max time.Duration) (wait time.Duration, paced, ok bool) {
	if l == nil {
		return 0, false, true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e, c := l.current(client)
	if c == nil || c.tokens >= 1 {
		return 0, false, true
	}
	wait = time.Duration((1 - c.tokens) * float64(l.refill))
	if wait > max || c.tokens-1 < -l.burst {
		c.refused++
		l.limited.Add(1)
		return wait, false, false
	}
	c.tokens--
	c.failures++
	l.failures.Add(1)
	l.order.MoveToFront(e)
	return wait, true, true
}

// current returns client's bucket filled to now, or nil when the address
// has no burst under way (forgetting those whose burst is over); l.mu is
// held.
func (l *Limiter) current(client string) (*list.Element, *bucket) {
	now := l.now()
	l.sweep(now)
	e, found := l.clients[client]
	if !found {
		return nil, nil
	}
	c := e.Value.(*bucket)
	l.fill(c, now)
	return e, c
}

// Refund gives back the failure a paced attempt of client took, which
// did not fail.
func (l *Limiter) Refund(client string) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_, c := l.current(client)
	if c == nil {
		return
	}
	c.tokens = math.Min(l.burst, c.tokens+1)
	c.failures--
	l.failures.Add(-1)
}

// Fail records a failure from client: a failed authentication, or a
// request refused for what it asked (LimitConfig.Subject says which). The failure that
// empties the client's bucket logs one warning; the end of the burst (its
// bucket full again) logs one line with what was refused meanwhile.
func (l *Limiter) Fail(client string) {
	if l == nil {
		return
	}
	l.failures.Add(1)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	e, found := l.clients[client]
	if !found {
		for l.order.Len() >= l.max {
			l.forget(l.order.Back(), now, "forgotten: too many addresses")
		}
		e = l.order.PushFront(&bucket{key: client, tokens: l.burst, at: now})
		l.clients[client] = e
	} else {
		l.order.MoveToFront(e)
	}
	c := e.Value.(*bucket)
	l.fill(c, now)
	// Attempts checked at once may all fail: the bucket owes them, up to
	// one burst.
	c.tokens = math.Max(c.tokens-1, -l.burst)
	c.failures++
	if c.tokens < 1 && c.tripped.IsZero() {
		c.tripped = now
		l.log.Warn(l.subject+": refusing further attempts from this address",
			"client", c.key, "failures", c.failures, "retry_after_s", RetrySeconds(time.Duration((1-c.tokens)*float64(l.refill))))
	}
}

// Failures returns the failed authentications recorded since the start.
func (l *Limiter) Failures() int64 {
	if l == nil {
		return 0
	}
	return l.failures.Load()
}

// Limited returns the attempts refused since the start.
func (l *Limiter) Limited() int64 {
	if l == nil {
		return 0
	}
	return l.limited.Load()
}

// Clients returns how many addresses the limiter remembers now.
func (l *Limiter) Clients() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.clients)
}

// fill adds to c's bucket what it gained since it was last computed.
func (l *Limiter) fill(c *bucket, now time.Time) {
	if d := now.Sub(c.at); d > 0 {
		c.tokens = math.Min(l.burst, c.tokens+float64(d)/float64(l.refill))
		c.at = now
	}
}

// sweep forgets the addresses, from the one that failed least recently,
// whose buckets are full again: their bursts are over.
func (l *Limiter) sweep(now time.Time) {
	for e := l.order.Back(); e != nil; e = l.order.Back() {
		c := e.Value.(*bucket)
		l.fill(c, now)
		if c.tokens < l.burst {
			return
		}
		l.forget(e, now, "")
	}
}

// forget drops an address; when it had tripped the limit, it logs the end
// of its burst (why, when the address is forgotten before its end).
func (l *Limiter) forget(e *list.Element, now time.Time, why string) {
	c := l.order.Remove(e).(*bucket)
	delete(l.clients, c.key)
	if c.tripped.IsZero() {
		return
	}
	attrs := []any{"client", c.key, "failures", c.failures, "refused", c.refused, "limited_s", int(now.Sub(c.tripped).Seconds())}
	if why != "" {
		attrs = append(attrs, "why", why)
	}
	l.log.Info(l.subject+": limit over for this address", attrs...)
}

// RetrySeconds is a wait in whole seconds, at least one, as Retry-After
// says it.
func RetrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// RateLimited is the error refusing an attempt that Allow did not let
// through: RATE_LIMITED, saying when to retry (extensions.retryAfter, in
// seconds).
func RateLimited(wait time.Duration) *portfolio.Error {
	s := RetrySeconds(wait)
	return &portfolio.Error{Code: portfolio.ERateLimited,
		Message:    fmt.Sprintf("too many failed authentications from your address: retry in %d s", s),
		Extensions: map[string]any{"retryAfter": s}}
}

// RetryAfter returns the Retry-After of a RateLimited error (whole
// seconds), or "".
func RetryAfter(err error) string {
	var e *portfolio.Error
	if !errors.As(err, &e) || e.Code != portfolio.ERateLimited {
		return ""
	}
	if s, ok := e.Extensions["retryAfter"].(int); ok {
		return strconv.Itoa(s)
	}
	return "1"
}
