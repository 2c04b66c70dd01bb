package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Replication is what the server does as a node of a replicated
// deployment (internal/replication): a primary acknowledges a mutation
// once its change reached the store; a replica forwards mutations to the
// primary, or refuses them.
type Replication struct {
	// Node says which server answers and how current its records are
	// (Query.dataset); it is called for each request that asks.
	Node func() portfolio.Node
	// Ship, on a primary, returns once every write committed so far is in
	// the store.
	Ship func(ctx context.Context) error
	// Primary, on a replica, is the base URL (http://host:port) mutations
	// are forwarded to, with the caller's headers; empty: they are
	// refused with READ_ONLY_REPLICA.
	Primary string
	// PrimaryNode, on a replica without Primary, names the primary in the
	// refusal when the records say which node writes them ("" unknown).
	PrimaryNode func() string
	// Status reports the node's replication for /metrics and /readyz.
	Status func() ReplicationStatus
	// Client sends the forwarded mutations (nil: one of this package's).
	Client *http.Client
}

// ReplicationStatus is what /metrics and /readyz show of a node's
// replication.
type ReplicationStatus struct {
	Role  portfolio.NodeRole
	Store string
	// Position is the position applied (replica) or shipped (primary)
	// last, PositionText as Litestream writes it, PositionAt when.
	Position     uint64
	PositionText string
	PositionAt   time.Time
	// StoreNewest is the store's newest position a replica last saw.
	StoreNewest uint64
	// Lag is how long ago the oldest change a replica lacks was shipped.
	Lag time.Duration
	// Stalled: a replica's follower stopped advancing (being restarted).
	Stalled bool
	// Stalls and Restarts count a replica's stalls found and follower
	// restarts.
	Stalls, Restarts int64
	// Ships and ShipFailures count a primary's ships, LastShip how long
	// the last one took; Fenced: another primary writes to the store.
	Ships, ShipFailures int64
	LastShip            time.Duration
	Fenced              bool
	// NotReady, when set, makes /readyz answer 503 with it (a replica
	// stalled, or too far behind).
	NotReady string
}

// withNode gives each request the node's description (NodeFrom).
func withNode(r *Replication, next http.Handler) http.Handler {
	if r == nil || r.Node == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		next.ServeHTTP(w, req.WithContext(portfolio.WithNode(req.Context(), r.Node)))
	})
}

// shipWrites answers a mutation on a primary only once its change is in
// the store; if it cannot get there, the answer says so (the write stays
// committed here and ships later: the same clientMutationId gets its
// answer again).
func shipWrites(ship func(context.Context) error, log *slog.Logger) graphql.ResponseMiddleware {
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		if resp == nil || !graphql.HasOperationContext(ctx) {
			return resp
		}
		if op := graphql.GetOperationContext(ctx).Operation; op == nil || op.Operation != ast.Mutation {
			return resp
		}
		if err := ship(ctx); err != nil {
			log.ErrorContext(ctx, "a write could not reach the replica store", "err", err)
			resp.Errors = append(resp.Errors, &gqlerror.Error{
				Message: "written on the primary but not yet in the replica store, so not acknowledged: " + shorten(err.Error(), 300) +
					". The write is kept and ships when the store answers; send the same mutation with the same clientMutationId again to get its answer once it has",
				Extensions: map[string]any{"code": portfolio.EUnavailable},
			})
		}
		return resp
	}
}

// forwardSlot is how the GraphQL layer tells the forwarding middleware
// that the request is a mutation to send to the primary.
type forwardSlot struct {
	mu   sync.Mutex
	want bool
}

type forwardKey struct{}

// replicaWrites is the extension of a replica: a mutation is forwarded
// (forwardMutations sends it) or refused with READ_ONLY_REPLICA.
type replicaWrites struct{ r *Replication }

var _ graphql.OperationContextMutator = replicaWrites{}

// ExtensionName names the extension.
func (replicaWrites) ExtensionName() string { return "ReplicaWrites" }

// Validate does nothing.
func (replicaWrites) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext stops a mutation before it runs.
func (e replicaWrites) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation == nil || op.Operation.Operation != ast.Mutation {
		return nil
	}
	registerReplicaCode.Do(func() { errcode.RegisterErrorType(portfolio.EReadOnlyReplica, errcode.KindProtocol) })
	if slot, ok := ctx.Value(forwardKey{}).(*forwardSlot); ok && e.r.Primary != "" {
		slot.mu.Lock()
		slot.want = true
		slot.mu.Unlock()
		return refuse(portfolio.EReadOnlyReplica, "forwarded to the primary")
	}
	msg := "this server is a read replica: it takes no writes; send mutations to the primary"
	if e.r.PrimaryNode != nil {
		if n := e.r.PrimaryNode(); n != "" {
			msg += " (" + n + ")"
		}
	}
	return refuse(portfolio.EReadOnlyReplica, "%s", msg)
}

// forwardMutations sends to the primary, once, the mutations the GraphQL
// layer flags (replicaWrites): the same method, path, body, and the
// caller's Authorization, content and request headers, so that the
// primary authenticates the caller and applies its clientMutationId. The
// primary's answer goes back as it is. A request the primary did not
// answer is not sent again (it may have been applied): the caller retries
// with the same clientMutationId.
func forwardMutations(r *Replication, log *slog.Logger, next http.Handler) http.Handler {
	if r == nil || r.Primary == "" {
		return next
	}
	client := r.Client
	if client == nil {
		client = &http.Client{
			Timeout: 60 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	primary := strings.TrimRight(r.Primary, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodPost || req.Body == nil {
			next.ServeHTTP(w, req)
			return
		}
		body, err := io.ReadAll(req.Body) // bounded by guardHTTP
		if err != nil {
			next.ServeHTTP(w, req)
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		slot := &forwardSlot{}
		held := &heldWriter{w: w, slot: slot, header: http.Header{}}
		next.ServeHTTP(held, req.WithContext(context.WithValue(req.Context(), forwardKey{}, slot)))
		slot.mu.Lock()
		want := slot.want
		slot.mu.Unlock()
		if !want {
			return
		}
		if info := infoFrom(req.Context()); info != nil {
			info.mu.Lock()
			info.errCode = ""
			info.mu.Unlock()
		}
		forward(client, primary, w, req, body, log)
	})
}

// forwardedHeaders are the caller's headers sent on to the primary.
var forwardedHeaders = []string{"Authorization", "Content-Type", "Accept", "Accept-Language", "User-Agent", "X-Request-Id"}

// forward sends the request to the primary and copies its answer.
func forward(client *http.Client, primary string, w http.ResponseWriter, req *http.Request, body []byte, log *slog.Logger) {
	u := primary + req.URL.Path
	if req.URL.RawQuery != "" {
		u += "?" + req.URL.RawQuery
	}
	out, err := http.NewRequestWithContext(req.Context(), http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		forwardFailed(w, primary, err, log)
		return
	}
	for _, h := range forwardedHeaders {
		for _, v := range req.Header.Values(h) {
			out.Header.Add(h, v)
		}
	}
	if host, _, err := net.SplitHostPort(req.RemoteAddr); err == nil {
		xff := host
		if prior := req.Header.Get("X-Forwarded-For"); prior != "" {
			xff = prior + ", " + host
		}
		out.Header.Set("X-Forwarded-For", xff)
	}
	resp, err := client.Do(out)
	if err != nil {
		forwardFailed(w, primary, err, log)
		return
	}
	defer resp.Body.Close()
	for _, h := range []string{"Content-Type", "Retry-After", "Cache-Control"} {
		if v := resp.Header.Get(h); v != "" {
			w.Header().Set(h, v)
		}
	}
	for k, vs := range resp.Header {
		if strings.HasPrefix(k, "X-Portfolio-") {
			w.Header()[k] = vs
		}
	}
	w.Header().Set("X-Portfolio-Forwarded", "primary")
	w.WriteHeader(resp.StatusCode)
	if _, err := io.Copy(w, resp.Body); err != nil {
		log.WarnContext(req.Context(), "forwarding the primary's answer failed", "err", err)
	}
}

// forwardFailed answers a mutation the primary did not answer.
func forwardFailed(w http.ResponseWriter, primary string, err error, log *slog.Logger) {
	log.Error("forwarding a mutation to the primary failed", "primary", primary, "err", err)
	b, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"message":    fmt.Sprintf("this read replica forwards writes to the primary (%s), which did not answer: %s. The write may or may not have been applied: send it again with the same clientMutationId (it applies once)", primary, shorten(err.Error(), 200)),
		"extensions": map[string]any{"code": portfolio.EUnavailable},
	}}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Portfolio-Forwarded", "failed")
	w.WriteHeader(http.StatusBadGateway)
	w.Write(b)
}

// heldWriter passes the inner handler's answer through, unless the
// request is to be forwarded: then it drops it.
type heldWriter struct {
	w       http.ResponseWriter
	slot    *forwardSlot
	header  http.Header
	decided bool
	drop    bool
}

func (h *heldWriter) Header() http.Header { return h.header }

func (h *heldWriter) decide() {
	if h.decided {
		return
	}
	h.decided = true
	h.slot.mu.Lock()
	h.drop = h.slot.want
	h.slot.mu.Unlock()
	if !h.drop {
		for k, vs := range h.header {
			h.w.Header()[k] = vs
		}
	}
}

func (h *heldWriter) WriteHeader(code int) {
	h.decide()
	if !h.drop {
		h.w.WriteHeader(code)
	}
}

func (h *heldWriter) Write(b []byte) (int, error) {
	h.decide()
	if h.drop {
		return len(b), nil
	}
	return h.w.Write(b)
}

// Flush flushes the answer when the writer underneath can.
func (h *heldWriter) Flush() {
	h.decide()
	if f, ok := h.w.(http.Flusher); ok && !h.drop {
		f.Flush()
	}
}

// Unwrap returns the writer underneath (http.ResponseController).
func (h *heldWriter) Unwrap() http.ResponseWriter { return h.w }

// registerReplicaCode makes READ_ONLY_REPLICA a refusal of the whole
// request, as FORBIDDEN is.
var registerReplicaCode sync.Once

// countReplication registers the series of the node's replication (none
// without it).
func (m *metrics) countReplication(r *Replication) {
	if r == nil || r.Status == nil {
		return
	}
	st := r.Status
	unix := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	}
	flag := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	role := string(st().Role)
	labels := prometheus.Labels{"role": strings.ToLower(role)}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_replication_position", ConstLabels: labels,
			Help: "The replica store's position (Litestream transaction id) this node applied (replica) or shipped (primary) last.",
		}, func() float64 { return float64(st().Position) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_replication_position_timestamp_seconds", ConstLabels: labels,
			Help: "When this node applied or shipped that position (Unix time); 0 before the first.",
		}, func() float64 { return unix(st().PositionAt) }),
	)
	if st().Role == portfolio.NodeReplica {
		m.reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "portfolio_replica_lag_seconds",
				Help: "How long ago the oldest change this replica lacks was shipped to the store: 0 when it holds the store's newest position.",
			}, func() float64 { return st().Lag.Seconds() }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "portfolio_replica_store_position",
				Help: "The store's newest position, when this replica last asked.",
			}, func() float64 { return float64(st().StoreNewest) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "portfolio_replica_stalled",
				Help: "1 while the follower is stalled (the copy stays at one position while the store moves on) and being restarted.",
			}, func() float64 { return flag(st().Stalled) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "portfolio_replica_stalls_total",
				Help: "Stalls of the follower found (Litestream #1515), each followed by a restart that reseeds the copy.",
			}, func() float64 { return float64(st().Stalls) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "portfolio_replica_follower_restarts_total",
				Help: "Restarts of the follower process: after a stall, or when it ended by itself.",
			}, func() float64 { return float64(st().Restarts) }),
		)
		return
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_replication_ships_total",
			Help: "Ships to the replica store (after each mutation, and every second for the other writes).",
		}, func() float64 { return float64(st().Ships) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_replication_ship_failures_total",
			Help: "Ships that failed (the store did not answer): the mutations they carried were answered UNAVAILABLE.",
		}, func() float64 { return float64(st().ShipFailures) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_replication_last_ship_seconds",
			Help: "How long the last ship took: what replication adds to a mutation.",
		}, func() float64 { return st().LastShip.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_replication_fenced",
			Help: "1 when another primary was found writing to the store: this one stops.",
		}, func() float64 { return flag(st().Fenced) }),
	)
}

// replicationNote is what /readyz adds about the node's replication, and
// the reason it is not ready ("" when it is).
func replicationNote(r *Replication) (note, notReady string) {
	if r == nil || r.Status == nil {
		return "", ""
	}
	st := r.Status()
	at := ""
	if !st.PositionAt.IsZero() {
		at = " on " + st.PositionAt.UTC().Format(time.RFC3339)
	}
	switch st.Role {
	case portfolio.NodeReplica:
		note = fmt.Sprintf("; replica of %s at position %s%s, lag %s", st.Store, st.PositionText, at, st.Lag.Round(time.Millisecond))
	default:
		note = fmt.Sprintf("; primary shipping to %s, position %s%s", st.Store, st.PositionText, at)
	}
	return note, st.NotReady
}
