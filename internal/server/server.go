// Package server assembles the HTTP side of the portfolio: the GraphQL
// endpoint with its error mapping and limits, the GraphiQL playground and
// the files it loads, the exports, the review pages (package review),
// CORS, and the operational endpoints.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/cors"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/live"
	"github.com/incubateurs/portfolio/internal/loader"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/review"
	"github.com/incubateurs/portfolio/internal/server/assets"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Config holds what the server needs; the zero value of each option is a
// sane default.
type Config struct {
	DB *sqlite.DB
	// Schema is the executable GraphQL schema the server runs: its
	// resolvers, directives and cost model (graph.Executable over DB,
	// wired by cmd/portfolio). A server without one serves its pages only.
	Schema graphql.ExecutableSchema
	Logger *slog.Logger
	// CORSOrigins lists the browser origins allowed to call the API; empty
	// means same-origin only.
	CORSOrigins []string
	// SQLStats adds extensions.sql {statements, ms} to every response.
	SQLStats bool
	// PlaygroundAssets is the base URL of a mirror of the playground's
	// files (see PlaygroundMirrorAssets); empty loads the copy embedded in
	// the binary, which the server serves under /assets/npm/ either way.
	PlaygroundAssets string
	// PublicRead lets requests to /graphql without a token read, as
	// anonymous callers (portfolio.Anonymous); when false they get a 401.
	// Either way a request with an invalid token is refused.
	PublicRead bool
	// Limits guard what one request may ask; zero fields take DefaultLimits.
	Limits Limits
	// TrustedDocuments, when not nil, is the only set of queries the server
	// runs (SHA-256 hex of the document → document), for production
	// dashboards; automatic persisted queries are then off.
	TrustedDocuments map[string]string
	// NoIntrospection refuses introspection queries (the playground and
	// code generators need them; they are on by default).
	NoIntrospection bool
	// ResponseCacheBytes bounds the cache of answers to repeated queries
	// (0: 64 MiB; negative: no cache). The cache is off with SQLStats.
	ResponseCacheBytes int
	// AuthLimit limits the failed authentications of each client address,
	// on every entrance that takes a token (/graphql, /export, /metrics,
	// the review pages and their sign-in form); the zero value is the
	// defaults of auth.LimitConfig, a negative Failures turns it off. Its
	// Logger defaults to Logger.
	AuthLimit auth.LimitConfig
	// RefusalLimit paces the requests of client addresses whose requests
	// to /graphql and /export the guards keep refusing (refusals.go); the
	// zero value of a field is its default (DefaultRefusals a burst,
	// DefaultRefusalRefill, AuthLimit's ClientHeader and Logger), a
	// negative Failures turns it off.
	RefusalLimit auth.LimitConfig
	// Listener is the listener the server is served on (Listen), whose
	// connections /metrics counts; nil counts none.
	Listener *Listener
	// SyncStatus, when not nil, reports the background sync of the
	// network's repository (serve --sync-repo) for /metrics.
	SyncStatus func() SyncStatus
	// Replication, when not nil, is the node's part in replication
	// (serve --replicate-to, portfolio replica): see Replication.
	Replication *Replication
	// Live, when not nil, is the change feed that subscriptions read
	// (subscription { changes }, over SSE and WebSocket: live.go); the
	// schema's resolvers must read the same (graph.ExecutableLive).
	Live *live.Feed

	// costly is the gate of costly requests on /graphql (nil: none).
	costly *costlyGate
	// limiter and access are /graphql's authentication, which the
	// WebSocket transport repeats at connection_init.
	limiter *auth.Limiter
	access  auth.Options

	// cacheDropAll makes the response cache drop every answer at each
	// write, as it did before it read the change feed (tests compare).
	cacheDropAll bool

	// internal marks the GraphQL handler that runs the pages of exports:
	// no persisted queries, no trusted-documents list.
	internal bool
}

// New returns the HTTP handler of the whole server.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Limits = cfg.Limits.withDefaults()

	mux := http.NewServeMux()
	if cfg.AuthLimit.Logger == nil {
		cfg.AuthLimit.Logger = cfg.Logger
	}
	limiter := auth.NewLimiter(cfg.AuthLimit)
	access := auth.Options{PublicRead: cfg.PublicRead, Logger: cfg.Logger, Limiter: limiter}
	m := newMetrics(cfg.DB, cfg.Schema)
	m.countAuthFailures(limiter)
	refusals := newRefusalLimiter(cfg)
	m.countRefusals(refusals)
	m.countConnections(cfg.Listener)
	cfg.costly = newCostlyGate(cfg.Limits)
	m.countCostly(cfg.costly)
	m.countSyncs(cfg.SyncStatus)
	m.countReplication(cfg.Replication)
	m.countLive(cfg.Live)
	cfg.limiter, cfg.access = limiter, access
	if cfg.Schema != nil {
		pool := newAnswerPool(cfg.Limits.MaxAnswerPool)
		base := perRequest(cfg.DB, cfg.Limits, pool, newGraphQL(cfg))
		inner := base
		if cfg.ResponseCacheBytes == 0 {
			cfg.ResponseCacheBytes = 64 << 20
		}
		if cfg.ResponseCacheBytes > 0 && !cfg.SQLStats {
			rc := newResponseCache(cfg.DB, cfg.ResponseCacheBytes)
			rc.dropAll = cfg.cacheDropAll
			inner = rc.middleware(inner)
		}
		inner = forwardMutations(cfg.Replication, cfg.Logger, inner)
		// A browser signed in on /review/connexion sends its token in a
		// cookie: it reads /graphql and /export with it, never writes (see
		// cookieReads).
		reads := access
		reads.Cookie = true
		plain := checkQueryText(guardHTTP(cfg.Limits, auth.Middleware(cfg.DB, reads, inner)))
		streams := guardHTTP(cfg.Limits, auth.Middleware(cfg.DB, reads, base))
		var pending http.Handler
		if !cfg.PublicRead {
			// A WebSocket without a credential on its upgrade brings it in
			// connection_init (browsers cannot set the header).
			open := reads
			open.PublicRead = true
			pending = guardHTTP(cfg.Limits, auth.Middleware(cfg.DB, open, base))
		}
		mux.Handle("/graphql", observe(cfg.Logger, m, paceRefusals(refusals, liveEntrance(streams, pending, plain))))
		pages := perRequest(cfg.DB, cfg.Limits, pool, newGraphQL(internalGraphQL(cfg)))
		exports := observe(cfg.Logger, m, paceRefusals(refusals, auth.Middleware(cfg.DB, reads, exportHandler(cfg, pages, m))))
		mux.Handle("/export", exports)
		mux.Handle("/export/", exports)
		rv := review.Handler(review.Config{
			GraphQL: pages, Tokens: cfg.DB, PublicRead: cfg.PublicRead, Logger: cfg.Logger, Assets: assetsPrefix, Limiter: limiter,
			About: ExportAbout(cfg.DB),
			Guard: func(h http.Handler) http.Handler { return guardHTTP(cfg.Limits, h) },
		})
		mux.Handle("/review", rv)
		mux.Handle("/review/", rv)
	}
	// Metrics tell who calls what, how often: as open as reading.
	mux.Handle("GET /metrics", auth.Middleware(cfg.DB, access, m.handler()))
	mux.Handle("GET /{$}", playgroundHandler(cfg.PlaygroundAssets, func(ctx context.Context) bool {
		if cfg.DB == nil {
			return false
		}
		ds, err := cfg.DB.Dataset(ctx, portfolio.Today())
		return err == nil && ds.Kind == sqlite.DatasetDemo
	}))
	mux.Handle("GET "+assetsPrefix+"/", http.StripPrefix(assetsPrefix, assets.Handler()))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		err := cfg.DB.Ready(ctx)
		var origin sqlite.Origin
		if err == nil {
			origin, err = cfg.DB.Origin(ctx)
		}
		var st *sqlite.SyncState
		if err == nil {
			st, err = cfg.DB.SyncState(ctx)
		}
		var ds *sqlite.Dataset
		if err == nil {
			ds, err = cfg.DB.Dataset(ctx, portfolio.Today())
		}
		repl, notReady := replicationNote(cfg.Replication)
		if err == nil && notReady != "" {
			err = errors.New(notReady)
		}
		if err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		// A failed sync leaves the records as they were: the server
		// still serves them, and says so.
		fmt.Fprintf(w, "ready (%s; %s)%s%s\n", origin, RecordsNote(ds), syncNote(st), repl)
	})
	opts := cors.Options{
		AllowedOrigins:   cfg.CORSOrigins,
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:   []string{"Authorization", "Content-Type"},
		AllowCredentials: false, // tokens travel in Authorization, never in cookies
		MaxAge:           600,
	}
	if len(cfg.CORSOrigins) == 0 {
		// rs/cors reads an empty list as "every origin": here it means none.
		opts.AllowOriginFunc = func(string) bool { return false }
	}
	c := cors.New(opts)
	return withNode(cfg.Replication, c.Handler(mux))
}

// RecordsNote says in one line, in English, what the records describe and
// how old they are: "records as of 2026-08-20 (the newest date in the
// records)", the demo's said to be fictitious.
func RecordsNote(ds *sqlite.Dataset) string {
	var basis string
	switch ds.RecordsBasis {
	case sqlite.BasisCommit:
		basis = "the commit's date"
	case sqlite.BasisRecords:
		basis = "the newest date in the records"
	case sqlite.BasisStated:
		basis = "as stated on import"
	case sqlite.BasisSeed:
		basis = "the demo's fixed today"
	case sqlite.BasisToday:
		return "no records"
	default:
		basis = "the day of the import"
	}
	s := fmt.Sprintf("records as of %s (%s)", ds.RecordsAsOf, basis)
	if ds.Kind == sqlite.DatasetDemo {
		s = "fictitious demo " + s
	}
	return s
}

// syncNote is what /readyz adds about the syncs of the repository: the
// last one's failure, or nothing.
func syncNote(st *sqlite.SyncState) string {
	if st == nil || st.Error == "" {
		return ""
	}
	repo := st.Repo
	if st.Ref != "" {
		repo += " (" + st.Ref + ")"
	}
	s := fmt.Sprintf("; the last sync of %s failed on %s: %s", repo, st.FailedAt.UTC().Format("2006-01-02 15:04 UTC"), strings.Join(strings.Fields(st.Error), " "))
	if !st.CheckedAt.IsZero() {
		s += fmt.Sprintf(" (last success %s)", st.CheckedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return s
}

// newGraphQL builds the GraphQL handler: the executable schema with its
// directives and cost model, the transports, the guards, persisted queries
// and the error mapping.
func newGraphQL(cfg Config) *handler.Server {
	gql := handler.New(cfg.Schema)
	if cfg.Live != nil && !cfg.internal {
		gql.AddTransport(newWSTransport(cfg, cfg.limiter, cfg.access))
		gql.AddTransport(sseTransport{SSE: transport.SSE{KeepAlivePingInterval: keepAlive}, writeTimeout: cfg.Limits.WriteTimeout, limiter: cfg.limiter})
	}
	gql.AddTransport(getQuery{})
	gql.AddTransport(postJSON{})
	gql.AddTransport(otherRequests{}) // last: what the others do not take
	if cfg.Limits.MaxTokens > 0 {
		gql.SetParserTokenLimit(cfg.Limits.MaxTokens)
	}
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	if !cfg.NoIntrospection {
		gql.Use(extension.Introspection{})
	}
	switch {
	case cfg.internal:
	case cfg.TrustedDocuments != nil:
		gql.Use(&trustedDocuments{docs: cfg.TrustedDocuments})
	default:
		gql.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	}
	gql.Use(cookieReads{})
	gql.Use(streamOps{})
	gql.Use(scopeNote{})
	if r := cfg.Replication; r != nil && !cfg.internal && r.Node != nil && r.Node().Role == portfolio.NodeReplica {
		gql.Use(replicaWrites{r})
	}
	gql.Use(newDocumentGuard(cfg.Limits, cfg.NoIntrospection))
	gql.Use(&costGuard{limits: cfg.Limits, db: cfg.DB})
	if cfg.costly != nil && !cfg.internal {
		gql.Use(cfg.costly)
	}
	gql.Use(answerGuard{})
	gql.Use(sameErrors{})
	gql.SetErrorPresenter(presentError(cfg.Logger))
	gql.SetRecoverFunc(func(ctx context.Context, v any) error {
		cfg.Logger.ErrorContext(ctx, "panic in resolver", "panic", v)
		return portfolio.Errorf(portfolio.EInternal, "internal error")
	})
	if r := cfg.Replication; r != nil && r.Ship != nil && !cfg.internal {
		gql.AroundResponses(shipWrites(r.Ship, cfg.Logger))
	}
	gql.AroundResponses(func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		resp := next(ctx)
		noteOperation(ctx, resp)
		if resp == nil {
			return resp
		}
		if c := CostOf(ctx); c != nil {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			resp.Extensions["cost"] = map[string]any{"requested": c.Requested, "limit": c.Limit}
		}
		if s := sqlite.StatsFrom(ctx); cfg.SQLStats && s != nil {
			if resp.Extensions == nil {
				resp.Extensions = map[string]any{}
			}
			sqlExt := map[string]any{
				"statements": s.Statements(),
				"ms":         float64(s.Duration().Microseconds()) / 1000,
			}
			if n := s.IndexStatements(); n > 0 {
				// The first request after a change read the dated index.
				sqlExt["indexStatements"] = n
			}
			resp.Extensions["sql"] = sqlExt
		}
		return resp
	})
	return gql
}

// perRequest gives each request its statement counter, its batch loaders
// and its "today".
func perRequest(db *sqlite.DB, l Limits, pool *answerPool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, stats := sqlite.WithStats(r.Context())
		ctx, release := withAnswerBudget(ctx, l.MaxAnswerBytes, pool)
		defer release()
		if info := infoFrom(ctx); info != nil {
			id := portfolio.IdentityFrom(ctx)
			info.mu.Lock()
			info.stats, info.tokenName, info.role = stats, id.TokenName, id.Role
			info.mu.Unlock()
		}
		ctx = loader.WithLoaders(ctx, db)
		ctx = portfolio.WithToday(ctx, portfolio.Today())
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// presentError maps errors to GraphQL errors once, at the edge: domain
// errors keep their code and message, anything else becomes INTERNAL with a
// generic message (the detail is logged, never sent).
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gerr := graphql.DefaultErrorPresenter(ctx, err)
		if errors.Is(err, portfolio.ErrDamaged) {
			log.ErrorContext(ctx, "database damaged", "err", err, "path", gerr.Path.String())
			gerr.Message = "the database is damaged; see the server log"
			gerr.Extensions = map[string]any{"code": portfolio.EDamaged}
			return gerr
		}
		var perr *portfolio.Error
		if errors.As(err, &perr) {
			gerr.Message = perr.Message
			if gerr.Extensions == nil {
				gerr.Extensions = map[string]any{}
			}
			for k, v := range perr.Extensions {
				gerr.Extensions[k] = v
			}
			gerr.Extensions["code"] = perr.Code
			field := perr.Field
			if field == "" && perr.Code == portfolio.EInvalid && len(gerr.Path) > 0 {
				// An argument that failed to parse: gqlgen ends the path with its name.
				if name, ok := gerr.Path[len(gerr.Path)-1].(ast.PathName); ok {
					field = string(name)
					gerr.Message = field + ": " + gerr.Message
				}
			}
			if field != "" {
				gerr.Extensions["field"] = field
			}
			return gerr
		}
		if _, ok := gerr.Extensions["code"]; ok { // parser and validation errors
			return gerr
		}
		if gerr.Err == nil && !strings.Contains(gerr.Message, "must not be null") {
			// gqlgen's own words about the request (a body it could not
			// decode, a persisted query it refuses): the caller's mistake.
			// Never echo the body back, nor log it.
			msg := gerr.Message
			if i := strings.Index(msg, " body:"); i >= 0 {
				msg = msg[:i]
			}
			gerr.Message = shorten(msg, 300)
			gerr.Extensions = map[string]any{"code": portfolio.EInvalid}
			return gerr
		}
		var inner *gqlerror.Error
		if errors.As(err, &inner) && inner.Err == nil && inner.Rule != "" {
			return gerr
		}
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			gerr.Message = "the request was cancelled or took too long"
			gerr.Extensions = map[string]any{"code": portfolio.ETimeout}
			return gerr
		}
		log.ErrorContext(ctx, "internal error", "err", err, "path", gerr.Path.String())
		gerr.Message = "internal error"
		gerr.Extensions = map[string]any{"code": portfolio.EInternal}
		return gerr
	}
}

// cookieReads refuses a mutation to a caller signed in with the browser
// cookie (auth.ViaCookie): the browser sends the cookie with every request
// to the server, whichever page makes it, so the cookie only reads. A
// write needs the Authorization header, which no page of another site can
// set.
type cookieReads struct{}

var _ graphql.OperationContextMutator = cookieReads{}

// ExtensionName names the extension.
func (cookieReads) ExtensionName() string { return "CookieReads" }

// Validate does nothing.
func (cookieReads) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext refuses a mutation sent with the cookie.
func (cookieReads) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if op.Operation != nil && op.Operation.Operation == ast.Mutation && auth.ViaCookie(ctx) {
		return refuse(portfolio.EForbidden, "a mutation needs the token in the Authorization header: the sign-in cookie of the review pages only reads")
	}
	return nil
}
