package server

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Refused requests are paced per client address. A request the guards
// refuse for what it asks (a document that does not parse or validate,
// or that passes a limit; a malformed request) costs the server its
// reading, decoding and parsing, up to a few milliseconds of CPU for a
// large document, and gives nothing back: a client sending them in a loop
// takes a core. Each address may have RefusalLimit.Failures refused
// requests in a row; past them, every request of the address waits for
// the address's next allowance (one per Refill) before it is read, and a
// request that would wait longer than maxRefusalWait is answered 429
// RATE_LIMITED with Retry-After at once. A waiting request costs a
// goroutine, not CPU. Requests that run (whatever their errors), and
// refusals of identity or rights, count nothing: dashboards and people
// are not slowed by their own mistakes.

// Defaults of the limiter of refused requests (serve --refusals,
// --refusal-refill).
const (
	DefaultRefusals      = 30
	DefaultRefusalRefill = time.Second
	// maxRefusalWait is the longest a paced request waits.
	maxRefusalWait = 10 * time.Second
)

// newRefusalLimiter returns the limiter of refused requests of cfg, or nil
// when it is off.
func newRefusalLimiter(cfg Config) *auth.Limiter {
	c := cfg.RefusalLimit
	if c.Failures == 0 {
		c.Failures = DefaultRefusals
	}
	if c.Refill == 0 {
		c.Refill = DefaultRefusalRefill
	}
	if c.ClientHeader == "" {
		c.ClientHeader = cfg.AuthLimit.ClientHeader
	}
	if c.Logger == nil {
		c.Logger = cfg.Logger
	}
	c.Subject = "refused requests"
	return auth.NewLimiter(c)
}

// refusedForWhatItAsks reports whether a request answered with status,
// whose first error had code (refused: its operation did not run), was
// refused by the guards for what it asked.
func refusedForWhatItAsks(status int, code string, refused bool) bool {
	switch code {
	case portfolio.EUnauthenticated, portfolio.EForbidden, portfolio.ENotFound, portfolio.EConflict,
		portfolio.EUnknownDocument, // the first step of an automatic persisted query
		portfolio.ERateLimited, portfolio.EReadOnlyReplica, portfolio.EUnavailable, portfolio.ETimeout:
		return false
	}
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict,
		http.StatusMisdirectedRequest, http.StatusTooManyRequests:
		return false
	}
	return refused || (status >= 400 && status < 500)
}

// paceRefusals paces the requests of addresses whose requests the guards
// keep refusing (see above). It runs inside observe, whose requestInfo
// says how a request ended.
func paceRefusals(l *auth.Limiter, next http.Handler) http.Handler {
	if l == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		client := l.Client(r)
		wait, paced, ok := l.Pace(client, maxRefusalWait)
		if !ok {
			s := auth.RetrySeconds(wait)
			msg := fmt.Sprintf("too many refused requests from your address: retry in %d s", s)
			w.Header().Set("Connection", "close") // do not read what it sends
			httperror.Write(w, httperror.Answer{Code: portfolio.ERateLimited, Message: msg, RetryAfter: fmt.Sprint(s),
				Errors: []httperror.GraphQLError{{Message: msg, Extensions: map[string]any{"code": portfolio.ERateLimited, "retryAfter": s}}}})
			return
		}
		if paced && !sleep(r.Context(), wait) {
			l.Refund(client) // gone before its turn
			return
		}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		info := infoFrom(r.Context())
		code, refused := "", false
		if info != nil {
			info.mu.Lock()
			code, refused = info.errCode, info.refused
			info.mu.Unlock()
		}
		switch failed := refusedForWhatItAsks(rec.status, code, refused); {
		case failed && !paced:
			l.Fail(client)
		case !failed && paced:
			l.Refund(client)
		}
	})
}

// sleep waits d, or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// countRefusals adds the series of the limiter of refused requests.
func (m *metrics) countRefusals(l *auth.Limiter) {
	if l == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_refused_requests_total",
			Help: "Requests on /graphql and /export refused for what they asked (parse, validation, limits, malformed requests), counted by the limiter of refused requests.",
		}, func() float64 { return float64(l.Failures()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_refusals_rate_limited_total",
			Help: "Requests answered 429 RATE_LIMITED at once because their address's refused requests would have made them wait longer than 10 s (--refusals, --refusal-refill).",
		}, func() float64 { return float64(l.Limited()) }),
	)
}
