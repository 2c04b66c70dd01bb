package server

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/live"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Subscriptions (subscription { changes }) on /graphql: gqlgen's SSE
// transport (graphql-sse, distinct connections: a POST with Accept:
// text/event-stream) and its WebSocket transport (graphql-transport-ws,
// and the older graphql-ws). They pass through the same guards as a query:
// the body's checks, authentication (and the failures' limiter), the
// document's limits, the cost check, all before anything runs; only
// subscriptions are served over them, and a subscription over nothing else.
// A stream holds no place among the requests running at once and has no
// deadline (a subscription lasts): the feed's limits bound them
// (live.Options), and the listener's the connections that carry them.

// streamKey marks the context of a request carried by a stream transport.
type streamKey struct{}

func withStream(ctx context.Context, kind string) context.Context {
	return context.WithValue(ctx, streamKey{}, kind)
}

// streamOf returns "SSE" or "WebSocket" for a request carried by a stream
// transport, "" otherwise.
func streamOf(ctx context.Context) string {
	s, _ := ctx.Value(streamKey{}).(string)
	return s
}

// isWebSocket reports whether r asks to upgrade to a WebSocket.
func isWebSocket(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

// isStreaming reports whether r opens a stream: an SSE request or a
// WebSocket upgrade.
func isStreaming(r *http.Request) bool {
	return isWebSocket(r) || (r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream"))
}

// keepAlive is how often an idle stream gets a ping: proxies close
// connections silent for a minute or so, and the write deadline moves on
// with each.
const keepAlive = 25 * time.Second

// sseTransport is gqlgen's SSE transport on a connection without a read
// deadline (the body is read; the stream lasts) and whose write deadline
// moves on at each event and ping.
type sseTransport struct {
	transport.SSE
	writeTimeout time.Duration
	limiter      *auth.Limiter
}

var _ graphql.Transport = sseTransport{}

// Do serves the stream.
func (t sseTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	sw := &streamWriter{ResponseWriter: w, rc: rc, timeout: t.writeTimeout}
	sw.extend()
	// nginx buffers answers unless told not to: a stream would arrive
	// in bursts, or never.
	w.Header().Set("X-Accel-Buffering", "no")
	ctx := withStream(r.Context(), "SSE")
	ctx = live.WithClient(ctx, t.limiter.Client(r))
	t.SSE.Do(sw, r.WithContext(ctx), exec)
}

// streamWriter moves the write deadline on before each flush.
type streamWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (s *streamWriter) extend() {
	if s.timeout > 0 {
		_ = s.rc.SetWriteDeadline(time.Now().Add(s.timeout))
	}
}

// Flush sends what was written, within the write timeout.
func (s *streamWriter) Flush() {
	s.extend()
	_ = s.rc.Flush()
}

// Unwrap returns the writer underneath (http.ResponseController).
func (s *streamWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// wsTransport is gqlgen's WebSocket transport on a connection without the
// server's deadlines (the protocol's pings find a dead peer: no pong within
// two intervals closes it).
type wsTransport struct {
	transport.Websocket
	limiter *auth.Limiter
}

var _ graphql.Transport = wsTransport{}

// Supports takes WebSocket upgrades.
func (t wsTransport) Supports(r *http.Request) bool { return isWebSocket(r) }

// Do serves the connection.
func (t wsTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	ctx := withStream(r.Context(), "WebSocket")
	ctx = live.WithClient(ctx, t.limiter.Client(r))
	t.Websocket.Do(w, r.WithContext(ctx), exec)
}

// newWSTransport configures the WebSocket transport: browsers of the
// origins the server allows (CORS) and of its own may connect; a caller
// may authenticate in connection_init's payload ({"Authorization":
// "Bearer …"}), as browsers cannot set the header of an upgrade; the
// failures count against its address.
func newWSTransport(cfg Config, limiter *auth.Limiter, access auth.Options) wsTransport {
	var patterns []string
	for _, o := range cfg.CORSOrigins {
		if u, err := url.Parse(o); err == nil && u.Host != "" {
			patterns = append(patterns, u.Host)
		}
	}
	limit := cfg.Limits.MaxBodyBytes
	return wsTransport{limiter: limiter, Websocket: transport.Websocket{
		Implementation:        transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{OriginPatterns: patterns}},
		InitTimeout:           10 * time.Second,
		KeepAlivePingInterval: keepAlive,
		PingPongInterval:      keepAlive,
		PayloadReadLimit:      &limit,
		InitFunc: func(ctx context.Context, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			return wsAuthenticate(ctx, cfg, access, p)
		},
	}}
}

// pendingKey marks a WebSocket upgrade that came without a credential on
// a server that needs one: connection_init must bring it.
type pendingKey struct{}

// wsAuthenticate authenticates a WebSocket connection at connection_init:
// a token in the payload's Authorization replaces the upgrade's identity;
// without one, the upgrade's identity stays, unless it needed one.
func wsAuthenticate(ctx context.Context, cfg Config, access auth.Options, p transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	h := p.Authorization()
	if h == "" {
		if ctx.Value(pendingKey{}) != nil {
			return ctx, nil, portfolio.Errorf(portfolio.EUnauthenticated, "this server needs a token: send {\"Authorization\": \"Bearer <token>\"} in connection_init's payload")
		}
		return ctx, nil, nil
	}
	r, ok := ctx.Value(upgradeKey{}).(*http.Request)
	if !ok {
		return ctx, nil, portfolio.Errorf(portfolio.EInternal, "internal error")
	}
	r2 := r.Clone(ctx)
	r2.Header = http.Header{"Authorization": {h}}
	access.Cookie, access.PublicRead = false, false
	nctx, _, err := auth.Identify(cfg.DB, access, r2)
	if err != nil {
		if c := portfolio.ErrorCode(err); c != portfolio.EUnauthenticated && c != portfolio.ERateLimited {
			cfg.Logger.ErrorContext(ctx, "authenticate", "err", err)
			return ctx, nil, portfolio.Errorf(portfolio.EInternal, "internal error")
		}
		return ctx, nil, err
	}
	return context.WithValue(nctx, pendingKey{}, nil), nil, nil
}

// upgradeKey keeps the upgrade request in its context, for
// wsAuthenticate.
type upgradeKey struct{}

// liveEntrance routes the requests of /graphql that open a stream: a
// WebSocket upgrade without a credential on a server that needs one (when
// pending is not nil) is let through as pending: connection_init must
// bring the token; the others
// authenticate as every request does. Streams skip the response cache and
// the forwarding of mutations (they carry subscriptions only).
func liveEntrance(authed, pending, rest http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case !isStreaming(r):
			rest.ServeHTTP(w, r)
		case pending != nil && isWebSocket(r) && len(r.Header.Values("Authorization")) == 0 && !hasCookie(r):
			ctx := context.WithValue(r.Context(), upgradeKey{}, r)
			pending.ServeHTTP(w, r.WithContext(context.WithValue(ctx, pendingKey{}, true)))
		default:
			authed.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), upgradeKey{}, r)))
		}
	})
}

// hasCookie reports whether r carries the review pages' sign-in cookie.
func hasCookie(r *http.Request) bool {
	c, err := r.Cookie(auth.CookieName)
	return err == nil && c.Value != ""
}

// streamOps serves subscriptions over the streams only, and only them.
type streamOps struct{}

var _ graphql.OperationContextMutator = streamOps{}

// ExtensionName names the extension.
func (streamOps) ExtensionName() string { return "StreamOperations" }

// Validate does nothing.
func (streamOps) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses a query or mutation over a stream, and a
// subscription over anything else, before it runs.
func (streamOps) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil {
		return nil
	}
	stream := streamOf(ctx)
	sub := op.Operation.Operation == ast.Subscription
	switch {
	case stream != "" && !sub:
		return refuse(portfolio.EInvalid, "only subscriptions are served over %s: send queries and mutations by POST /graphql", stream)
	case stream == "" && sub:
		return refuse(portfolio.EInvalid, "a subscription is served over Server-Sent Events (POST /graphql with Accept: text/event-stream) or WebSocket (graphql-transport-ws), not by a plain POST or GET")
	}
	return nil
}

// countLive registers the feed's figures.
func (m *metrics) countLive(f *live.Feed) {
	if f == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_subscriptions_open", Help: "Subscriptions open (subscription { changes }), over SSE and WebSocket.",
		}, func() float64 { return float64(f.Stats().Open) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_change_feed_position", Help: "The position of the change feed announced last (table changes).",
		}, func() float64 { return float64(f.Stats().Position) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_changes_delivered_total", Help: "Changes handed to subscribers.",
		}, func() float64 { return float64(f.Stats().Delivered) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_subscriptions_dropped_total", Help: "Subscriptions ended because their client did not read its events.",
		}, func() float64 { return float64(f.Stats().Dropped) }),
	)
}
