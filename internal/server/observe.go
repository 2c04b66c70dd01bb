package server

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// requestInfo collects what the layers of one request learn, for its log
// line and its metrics.
type requestInfo struct {
	mu        sync.Mutex
	operation string
	cost      int
	tokenName string
	role      portfolio.Role
	stats     *sqlite.Stats
	errCode   string
	readOnly  bool // a query (not a mutation) was run
	cacheHit  bool
	export    *export.Summary // what an export did
	// refused: a request error, whose operation did not run (its
	// status depends on the media type: transport.go)
	refused bool
}

type infoKey struct{}

func infoFrom(ctx context.Context) *requestInfo {
	i, _ := ctx.Value(infoKey{}).(*requestInfo)
	return i
}

// metrics are the server's Prometheus series, in a registry of its own.
type metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	statements prometheus.Histogram
	sqlSeconds prometheus.Counter
	cost       prometheus.Histogram
	exports    *prometheus.CounterVec
	exportRows *prometheus.CounterVec
	exportTime prometheus.Histogram

	namesMu sync.Mutex
	names   map[string]bool
}

// maxOperationNames bounds the operation label's values: names come from
// clients, and past this many new ones count as "other".
const maxOperationNames = 200

// fastAnswerer is an executable schema that answers some questions without
// gqlgen's executor (the graph's fast path) and counts them.
type fastAnswerer interface{ FastAnswers() int64 }

// gqlgenAnswerer is a schema that counts the questions gqlgen's executor
// answered behind its fast path, by reason.
type gqlgenAnswerer interface{ GqlgenAnswers() map[string]int64 }

func newMetrics(db *sqlite.DB, schema graphql.ExecutableSchema) *metrics {
	m := &metrics{reg: prometheus.NewRegistry(), names: map[string]bool{}}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portfolio_requests_total", Help: "GraphQL requests by operation name and outcome (ok, error, rejected, unauthenticated, limited, shed).",
	}, []string{"operation", "outcome"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "portfolio_request_duration_seconds", Help: "Time to answer a GraphQL request, by operation name.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"operation"})
	m.statements = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "portfolio_sql_statements_per_request", Help: "SQL statements one GraphQL request ran.",
		Buckets: []float64{0, 1, 2, 4, 6, 8, 12, 16, 24, 32, 64},
	})
	m.sqlSeconds = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "portfolio_sql_seconds_total", Help: "Time spent running SQL statements and reading their rows.",
	})
	m.cost = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "portfolio_query_cost", Help: "Computed cost of the queries run (see --max-cost).",
		Buckets: prometheus.ExponentialBuckets(1, 4, 12),
	})
	m.exports = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portfolio_exports_total", Help: "Exports (/export) by list, format and outcome (ok, error, rejected, unauthenticated, limited, shed).",
	}, []string{"list", "format", "outcome"})
	m.exportRows = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "portfolio_export_rows_total", Help: "Rows written by exports, by list.",
	}, []string{"list"})
	m.exportTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name: "portfolio_export_duration_seconds", Help: "Time to answer an export, from its request to its last row.",
		Buckets: []float64{.01, .05, .1, .5, 1, 5, 10, 30, 60, 300},
	})
	pool := func(name, help string, f func(read, write float64) float64, which string) prometheus.GaugeFunc {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help, ConstLabels: prometheus.Labels{"pool": which}}, func() float64 {
			r, w := db.PoolStats()
			if which == "read" {
				return f(float64(r.InUse), float64(r.OpenConnections))
			}
			return f(float64(w.InUse), float64(w.OpenConnections))
		})
	}
	inUse := func(u, _ float64) float64 { return u }
	open := func(_, o float64) float64 { return o }
	m.reg.MustRegister(m.requests, m.duration, m.statements, m.sqlSeconds, m.cost, m.exports, m.exportRows, m.exportTime,
		pool("portfolio_db_connections_in_use", "Connections of the pool running a statement.", inUse, "read"),
		pool("portfolio_db_connections_in_use", "Connections of the pool running a statement.", inUse, "write"),
		pool("portfolio_db_connections_open", "Open connections of the pool.", open, "read"),
		pool("portfolio_db_connections_open", "Open connections of the pool.", open, "write"),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if f, ok := schema.(fastAnswerer); ok {
		m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_fast_path_answers_total",
			Help: "Questions (of the API, exports and pages) answered by the graph's fast path; the others ran on gqlgen's executor.",
		}, func() float64 { return float64(f.FastAnswers()) }))
	}
	if g, ok := schema.(gqlgenAnswerer); ok {
		for reason := range g.GqlgenAnswers() {
			m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name:        "portfolio_gqlgen_answers_total",
				Help:        "Questions answered by gqlgen's executor rather than the graph's fast path, by reason: write (a mutation), unplanned (introspection, a field left to gqlgen), defer, forbidden, arguments, error, size, deadline.",
				ConstLabels: prometheus.Labels{"reason": reason},
			}, func() float64 { return float64(g.GqlgenAnswers()[reason]) }))
		}
	}
	return m
}

// countAuthFailures adds the series of the limiter of failed
// authentications (none when it is off).
func (m *metrics) countAuthFailures(l *auth.Limiter) {
	if l == nil {
		return
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_auth_failures_total",
			Help: "Failed authentications (a token, cookie or Authorization header refused), on every entrance.",
		}, func() float64 { return float64(l.Failures()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_auth_rate_limited_total",
			Help: "Requests refused 429 RATE_LIMITED, without asking the token store, because their address failed too often (--auth-failures).",
		}, func() float64 { return float64(l.Limited()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_auth_limited_addresses",
			Help: "Client addresses with failed authentications in their current burst, that the limiter remembers (at most --auth-clients).",
		}, func() float64 { return float64(l.Clients()) }),
	)
}

// countCostly adds the series of the gate of costly requests (none when it
// is off).
func (m *metrics) countCostly(g *costlyGate) {
	if g == nil {
		return
	}
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "portfolio_costly_shed_total",
		Help: "Costly requests (--costly-cost or more) answered 503 because --max-costly of them were running for longer than --queue-wait.",
	}, func() float64 { return float64(g.shed.Load()) }))
}

// countConnections registers the series of the listener's connections:
// open now, reclaimed to make room (idle, or unfinished: no complete
// request header within the grace), refused past a client's limit.
func (m *metrics) countConnections(l *Listener) {
	if l == nil {
		return
	}
	reclaimed := func(reason string, n func(ConnStats) int64) prometheus.CounterFunc {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_connections_reclaimed_total", ConstLabels: prometheus.Labels{"reason": reason},
			Help: "Connections closed to make room at a connection limit: idle keep-alive ones (oldest first), then unfinished ones (no complete request header within the grace).",
		}, func() float64 { return float64(n(l.Stats())) })
	}
	m.reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_connections_open", Help: "Open client connections (see --max-connections).",
		}, func() float64 { return float64(l.Stats().Open) }),
		reclaimed("idle", func(s ConnStats) int64 { return s.ReclaimedIdle }),
		reclaimed("unfinished", func(s ConnStats) int64 { return s.ReclaimedUnfinished }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_connections_refused_total", Help: "Connections answered 429 and closed because their client address had too many open (see --max-connections-per-client).",
		}, func() float64 { return float64(l.Stats().Refused) }),
	)
}

var operationNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// label returns the operation label for a client-given name.
func (m *metrics) label(name string) string {
	switch {
	case name == "":
		return "anonymous"
	case !operationNameRE.MatchString(name):
		return "other"
	}
	m.namesMu.Lock()
	defer m.namesMu.Unlock()
	if !m.names[name] {
		if len(m.names) >= maxOperationNames {
			return "other"
		}
		m.names[name] = true
	}
	return name
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// statusRecorder keeps the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (an export
// moves its write deadline on page after page).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Flush lets streamed answers through.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// observe logs one line per request and records its metrics: operation
// name, outcome, duration, cost, SQL statements, token name; for an export,
// its list, format, rows and pages. It never logs the query, its variables
// or any answer: they may hold personal data.
func observe(log *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &requestInfo{}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		d := time.Since(start)
		info.mu.Lock()
		defer info.mu.Unlock()
		op := m.label(info.operation)
		outcome := "ok"
		switch {
		case rec.status == http.StatusServiceUnavailable:
			outcome = "shed"
		case rec.status == http.StatusUnauthorized:
			outcome = "unauthenticated"
		case rec.status == http.StatusTooManyRequests:
			outcome = "limited"
		case rec.status >= 400 || info.refused:
			outcome = "rejected"
		case info.errCode != "":
			outcome = "error"
		}
		if ex := info.export; ex != nil || strings.HasPrefix(r.URL.Path, "/export") {
			list, format := "none", "none"
			attrs := []slog.Attr{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
				slog.String("outcome", outcome), slog.Float64("ms", float64(d.Microseconds())/1000)}
			if ex != nil {
				if ex.List != "" {
					list = ex.List
				}
				if ex.Format != "" {
					format = string(ex.Format)
				}
				attrs = append(attrs, slog.String("list", list), slog.String("format", format), slog.Int("rows", ex.Rows), slog.Int("pages", ex.Pages), slog.Int("cost", ex.Cost))
				m.exportRows.WithLabelValues(list).Add(float64(ex.Rows))
			}
			m.exports.WithLabelValues(list, format, outcome).Inc()
			m.exportTime.Observe(d.Seconds())
			if info.tokenName != "" {
				attrs = append(attrs, slog.String("token", info.tokenName), slog.String("role", string(info.role)))
			}
			if info.errCode != "" {
				attrs = append(attrs, slog.String("error", info.errCode))
			}
			if rec.status != http.StatusTooManyRequests { // its limiter logs once per burst
				log.LogAttrs(r.Context(), slog.LevelInfo, "export", attrs...)
			}
			return
		}
		m.requests.WithLabelValues(op, outcome).Inc()
		m.duration.WithLabelValues(op).Observe(d.Seconds())
		if rec.status == http.StatusTooManyRequests {
			// Refused by a limiter, which logs once per burst, not once
			// per attempt: a flood is not a flood of log lines.
			return
		}
		var statements int64
		if info.stats != nil {
			statements = info.stats.Statements()
			m.statements.Observe(float64(statements))
			m.sqlSeconds.Add(info.stats.Duration().Seconds())
		}
		if info.cost > 0 {
			m.cost.Observe(float64(info.cost))
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", rec.status),
			slog.String("operation", op), slog.String("outcome", outcome),
			slog.Float64("ms", float64(d.Microseconds())/1000), slog.Int("cost", info.cost), slog.Int64("statements", statements),
		}
		if info.cacheHit {
			attrs = append(attrs, slog.Bool("cached", true))
		}
		if info.tokenName != "" {
			attrs = append(attrs, slog.String("token", info.tokenName), slog.String("role", string(info.role)))
		}
		if info.errCode != "" {
			attrs = append(attrs, slog.String("error", info.errCode))
		}
		log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	})
}

// noteOperation records the operation's name, cost and first error code.
func noteOperation(ctx context.Context, resp *graphql.Response) {
	info := infoFrom(ctx)
	if info == nil {
		return
	}
	info.mu.Lock()
	defer info.mu.Unlock()
	if graphql.HasOperationContext(ctx) {
		oc := graphql.GetOperationContext(ctx)
		info.operation = oc.OperationName
		if info.operation == "" && oc.Operation != nil {
			info.operation = oc.Operation.Name
		}
		info.readOnly = oc.Operation != nil && oc.Operation.Operation == ast.Query
	}
	if c := CostOf(ctx); c != nil {
		info.cost = c.Requested
	}
	if resp != nil && len(resp.Errors) > 0 {
		if code, ok := resp.Errors[0].Extensions["code"].(string); ok {
			info.errCode = code
		} else {
			info.errCode = "ERROR"
		}
	}
}

// SyncStatus is what the background sync of the network's repository did
// so far (serve --sync-repo), for /metrics.
type SyncStatus struct {
	// Syncs and Failures count the syncs tried and those that failed.
	Syncs, Failures int64
	// LastSuccess is when the last successful sync started, and
	// LastCommitTime the commit date of the commit it synced.
	LastSuccess, LastCommitTime time.Time
	// LastDuration is how long the last sync took.
	LastDuration time.Duration
	// Failing says the last sync failed.
	Failing bool
}

// countSyncs registers the series of the background sync (none without
// one).
func (m *metrics) countSyncs(status func() SyncStatus) {
	if status == nil {
		return
	}
	unix := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.UnixNano()) / 1e9
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_syncs_total", Help: "Syncs of the network's repository tried (serve --sync-repo), failed or not.",
		}, func() float64 { return float64(status().Syncs) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "portfolio_sync_failures_total", Help: "Syncs of the network's repository that failed, leaving the records as they were.",
		}, func() float64 { return float64(status().Failures) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_sync_failing", Help: "1 when the last sync failed (its reason is in the log, /readyz and dataset.lastSyncError), else 0.",
		}, func() float64 {
			if status().Failing {
				return 1
			}
			return 0
		}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_sync_last_success_timestamp_seconds", Help: "When the last successful sync started (Unix time); 0 before the first.",
		}, func() float64 { return unix(status().LastSuccess) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_sync_last_commit_timestamp_seconds", Help: "The commit date of the commit the records were last synced to (Unix time): how old the records are.",
		}, func() float64 { return unix(status().LastCommitTime) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "portfolio_sync_last_duration_seconds", Help: "How long the last sync took, successful or not.",
		}, func() float64 { return status().LastDuration.Seconds() }),
	)
}
