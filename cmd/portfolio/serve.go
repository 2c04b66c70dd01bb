package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/gitsync"
	"github.com/incubateurs/portfolio/internal/live"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/replication"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func cmdServe(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	return serveNode(ctx, args, e, stdout, stderr, false)
}

// cmdReplica serves reads from a copy that follows a replica store.
func cmdReplica(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	return serveNode(ctx, args, e, stdout, stderr, true)
}

// serveNode is serve, and with replica set, replica: the same server over
// a copy that follows a replica store.
func serveNode(ctx context.Context, args []string, e env, stdout, stderr io.Writer, replica bool) error {
	fs := newFlags("serve", "serve [flags]", e, stdout, stderr)
	dbHelp := "database file; a missing one is created with demo data (env PORTFOLIO_DB)"
	if replica {
		fs = newFlags("replica", "replica --from URL --db FILE [--primary URL] [flags]", e, stdout, stderr)
		dbHelp = "the replica's copy of the database: restored from --from when missing, then kept current by its follower (env PORTFOLIO_DB)"
	}
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), dbHelp)
	addr := fs.String("addr", e.or("PORTFOLIO_ADDR", "127.0.0.1:8080"), "address to listen on; port 0 picks a free one (env PORTFOLIO_ADDR)")
	var origins listFlag
	_ = origins.Set(e.get("PORTFOLIO_CORS_ORIGINS"))
	fs.Var(&origins, "cors-origins", "comma-separated browser origins allowed to call the API, e.g. https://dash.example.org (env PORTFOLIO_CORS_ORIGINS)")
	sqlStats := fs.Bool("sql-stats", e.get("PORTFOLIO_SQL_STATS") == "1", "add extensions.sql {statements, ms} to every response (env PORTFOLIO_SQL_STATS=1)")
	assets := fs.String("playground-assets", e.get("PORTFOLIO_PLAYGROUND_ASSETS"), playgroundAssetsHelp())
	shutdown := fs.Duration("shutdown-timeout", 10*time.Second, "how long in-flight requests may take to finish on shutdown")
	publicReadDefault := true
	if v := e.get("PORTFOLIO_PUBLIC_READ"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return usageError{fmt.Sprintf("PORTFOLIO_PUBLIC_READ=%q: want 1 or 0", v)}
		}
		publicReadDefault = b
	}
	publicRead := fs.Bool("public-read", publicReadDefault, "let callers without a token read, as anonymous; --public-read=false requires a token (env PORTFOLIO_PUBLIC_READ=0). A bad token is refused either way")
	d := server.DefaultLimits
	var lim server.Limits
	fs.Int64Var(&lim.MaxBodyBytes, "max-body", d.MaxBodyBytes, "largest request body, in bytes (413 beyond)")
	fs.IntVar(&lim.MaxTokens, "max-tokens", d.MaxTokens, "most parser tokens in a query document")
	fs.IntVar(&lim.MaxDepth, "max-depth", d.MaxDepth, "deepest nesting of fields in a query")
	fs.IntVar(&lim.MaxFields, "max-fields", d.MaxFields, "most fields and aliases in a query, fragments expanded")
	fs.IntVar(&lim.MaxCost, "max-cost", d.MaxCost, "highest cost of a query, in units of about a microsecond of CPU: the values its answer can hold (each list its page size or its longest length in the data, times what it selects) and the work no value shows (long texts, filters on every row, aggregates) (extensions.cost shows it; see the schema's Query)")
	fs.IntVar(&lim.MaxReads, "max-reads", d.MaxReads, "most fields that select fields in a query, aliases apart: each may run an SQL statement")
	fs.IntVar(&lim.MaxCostly, "max-costly", d.MaxCostly, "costly requests (a cost of --costly-cost or more) running at once on /graphql; more wait --queue-wait, then 503 with Retry-After: cheap reads keep the cores")
	fs.IntVar(&lim.CostlyCost, "costly-cost", d.CostlyCost, "the cost from which a request counts as costly (see --max-costly)")
	fs.IntVar(&lim.MaxExportCost, "max-export-cost", d.MaxExportCost, "highest cost of a whole export (/export, every page together), priced before its first row; each page also keeps within --max-cost")
	fs.Int64Var(&lim.MaxAnswerBytes, "max-answer", d.MaxAnswerBytes, "largest answer, in bytes (RESPONSE_TOO_LARGE beyond)")
	fs.Int64Var(&lim.MaxAnswerPool, "answer-memory", d.MaxAnswerPool, "bytes that answers being made at once share beyond their first MiB each (UNAVAILABLE beyond: retry)")
	fs.DurationVar(&lim.Timeout, "timeout", d.Timeout, "longest a request may run; its SQL is cancelled then")
	fs.IntVar(&lim.MaxConcurrent, "max-concurrent", d.MaxConcurrent, "requests running at once")
	fs.IntVar(&lim.MaxQueued, "max-queued", d.MaxQueued, "requests waiting for a slot; past that, or after --queue-wait, 503 with Retry-After")
	fs.DurationVar(&lim.QueueWait, "queue-wait", d.QueueWait, "longest a request waits for a slot")
	fs.DurationVar(&lim.ReadTimeout, "read-timeout", d.ReadTimeout, "longest a client may take to send a request, headers and body")
	fs.DurationVar(&lim.WriteTimeout, "write-timeout", d.WriteTimeout, "longest an answer may take to be written (an export: each page)")
	fs.DurationVar(&lim.IdleTimeout, "idle-timeout", d.IdleTimeout, "how long an idle keep-alive connection stays open")
	fs.IntVar(&lim.MaxConnections, "max-connections", d.MaxConnections, "open connections at once; at the limit, idle keep-alive ones are closed (oldest first), then ones without a request after 0.5 s, else new ones wait to be accepted")
	fs.IntVar(&lim.MaxConnectionsPerClient, "max-connections-per-client", d.MaxConnectionsPerClient, "open connections from one client address (IPv4, or IPv6 /64); past it, that client's idle ones are closed, else the new one is answered 429 with Retry-After; -1: no limit (behind a reverse proxy, every connection is the proxy's)")
	fs.Int64Var(&lim.MaxBodyMemory, "body-memory", d.MaxBodyMemory, "bytes of request bodies being read at once, all clients together (503 beyond)")
	authFailures := fs.Int("auth-failures", auth.DefaultFailures, "failed authentications (tokens, cookies, sign-ins refused) a client address may have in a row; past them its attempts are refused 429 with Retry-After before any token is checked (0: no limit)")
	authRefill := fs.Duration("auth-refill", auth.DefaultRefill, "after --auth-failures, one more failure is allowed per this long")
	authClients := fs.Int("auth-clients", auth.DefaultClients, "client addresses the limit of failed authentications remembers at once (the one that failed least recently is forgotten first)")
	authHeader := fs.String("auth-client-header", e.get("PORTFOLIO_AUTH_CLIENT_HEADER"), "behind a reverse proxy: the `HEADER` it sets to the client's address (X-Real-IP; X-Forwarded-For, whose last address is taken), by which failed authentications and refused requests are counted; empty: the connection's address (env PORTFOLIO_AUTH_CLIENT_HEADER)")
	refusals := fs.Int("refusals", server.DefaultRefusals, "requests a client address may have refused in a row for what they ask (documents that do not parse or validate, or pass a limit; malformed requests), on /graphql and /export; past them each of its requests waits for the next allowance, one per --refusal-refill, and one that would wait over 10 s is answered 429 with Retry-After (0: no limit)")
	refusalRefill := fs.Duration("refusal-refill", server.DefaultRefusalRefill, "after --refusals, one more refused request is allowed per this long")
	trusted := fs.String("trusted-documents", e.get("PORTFOLIO_TRUSTED_DOCUMENTS"), "JSON file of SHA-256 → query: only those queries run (automatic persisted queries off) (env PORTFOLIO_TRUSTED_DOCUMENTS)")
	maxSubs := fs.Int("max-subscriptions", 1000, "subscriptions (subscription { changes }, over SSE and WebSocket) open at once; past it, UNAVAILABLE")
	maxSubsPerCaller := fs.Int("max-subscriptions-per-caller", 20, "subscriptions one caller may hold open (one token; without a token, one client address); past it, RATE_LIMITED")
	cacheMB := fs.Int("response-cache-mb", 64, "memory for answers to repeated queries, kept until the data changes (0 turns the cache off; off with --sql-stats)")
	pprofAddr := fs.String("pprof", e.get("PORTFOLIO_PPROF"), "serve net/http/pprof on this loopback address (e.g. 127.0.0.1:6060), apart from the API (env PORTFOLIO_PPROF)")
	logFormat := fs.String("log-format", e.or("PORTFOLIO_LOG_FORMAT", "text"), "log lines as text or json, one per request (env PORTFOLIO_LOG_FORMAT)")
	gcPercent := fs.Int("gc-percent", server.DefaultGCPercent, "heap growth between garbage collections, in percent of the live heap (Go's GOGC, whose default is 100): fewer collections under load, for memory that --memory-limit-mb bounds (env GOGC when the flag is not given)")
	memLimitMB := fs.Int64("memory-limit-mb", 160, "soft limit of the Go heap in MiB: collections come sooner as the heap nears it (Go's GOMEMLIMIT; 0: none) (env GOMEMLIMIT when the flag is not given)")
	syncRepo, syncRef, syncClone, replicateTo := new(string), new(string), new(string), new(string)
	syncEvery := new(time.Duration)
	*syncEvery = time.Hour
	var rf replicaFlags
	if replica {
		rf = addReplicaFlags(fs, e)
	} else {
		fs.StringVar(syncRepo, "sync-repo", e.get("PORTFOLIO_SYNC_REPO"), "follow the network's git repository (a local path, file:// or https:// URL): sync at start, then every --sync-every, in the background (env PORTFOLIO_SYNC_REPO)")
		fs.StringVar(syncRef, "sync-ref", e.get("PORTFOLIO_SYNC_REF"), "the branch --sync-repo follows; default: the repository's default branch (env PORTFOLIO_SYNC_REF)")
		fs.DurationVar(syncEvery, "sync-every", time.Hour, "how often --sync-repo is synced")
		fs.StringVar(syncClone, "sync-clone", "", "the folder of --sync-repo's bare clone; default: the database's path followed by .sync")
		fs.StringVar(replicateTo, "replicate-to", e.get("PORTFOLIO_REPLICATE_TO"), "ship the database to this replica store, where replicas follow it (portfolio replica): "+storeURLHelp+"; a mutation is then answered once its change is there (env PORTFOLIO_REPLICATE_TO)")
	}
	node := fs.String("node", nodeName(e), "this server's name, in Query.dataset and the replication's generation mark (env PORTFOLIO_NODE; default: the host name)")
	sf := addStoreFlags(fs, e)
	noIntro := fs.Bool("no-introspection", e.get("PORTFOLIO_NO_INTROSPECTION") == "1", "refuse introspection queries (the playground needs them) (env PORTFOLIO_NO_INTROSPECTION=1)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("serve takes no arguments (got %q)", fs.Args())}
	}
	if *gcPercent <= 0 || *memLimitMB < 0 {
		return usageError{"--gc-percent must be positive and --memory-limit-mb at least 0"}
	}
	if *syncEvery <= 0 {
		return usageError{"--sync-every must be positive"}
	}
	if *authFailures < 0 || *authRefill <= 0 || *authClients <= 0 {
		return usageError{"--auth-failures must be at least 0 (0: no limit), --auth-refill and --auth-clients positive"}
	}
	authLimit := auth.LimitConfig{Failures: *authFailures, Refill: *authRefill, Clients: *authClients, ClientHeader: *authHeader}
	if *authFailures == 0 {
		authLimit.Failures = -1 // off
	}
	if *refusals < 0 || *refusalRefill <= 0 {
		return usageError{"--refusals must be at least 0 (0: no limit), --refusal-refill positive"}
	}
	refusalLimit := auth.LimitConfig{Failures: *refusals, Refill: *refusalRefill, Clients: *authClients, ClientHeader: *authHeader}
	if *refusals == 0 {
		refusalLimit.Failures = -1 // off
	}
	tuneGC(fs, e, *gcPercent, *memLimitMB)
	if *pprofAddr != "" {
		if err := checkLoopback(*pprofAddr); err != nil {
			return usageError{"--pprof: " + err.Error()}
		}
	}
	var trustedDocs map[string]string
	if *trusted != "" {
		var err error
		if trustedDocs, err = server.LoadTrustedDocuments(*trusted); err != nil {
			return usageError{err.Error()}
		}
	}
	if err := server.CheckPlaygroundAssets(*assets); err != nil {
		return usageError{err.Error()}
	}
	var log *slog.Logger
	switch *logFormat {
	case "text":
		log = slog.New(slog.NewTextHandler(stderr, nil))
	case "json":
		log = slog.New(slog.NewJSONHandler(stderr, nil))
	default:
		return usageError{fmt.Sprintf("--log-format %q: want text or json", *logFormat)}
	}

	settings := serveSettings{dbPath: *dbPath, addr: *addr, origins: origins, sqlStats: *sqlStats, assets: *assets, publicRead: *publicRead,
		lim: lim, trustedDocs: trustedDocs, noIntro: *noIntro, cacheMB: *cacheMB, authLimit: authLimit, refusalLimit: refusalLimit, pprofAddr: *pprofAddr, shutdown: *shutdown,
		maxSubs: *maxSubs, maxSubsPerCaller: *maxSubsPerCaller}
	if replica {
		return serveReplica(ctx, e, *dbPath, *node, rf, sf, log, stdout, stderr, func(db *sqlite.DB, repl *server.Replication) error {
			return serveDB(ctx, e, db, settings, repl, nil, "", log, stdout)
		})
	}
	// serve's context ends with a signal, or when the primary is fenced.
	ctx, cancelServe := context.WithCancelCause(ctx)
	defer cancelServe(nil)
	var store *replication.Store
	if *replicateTo != "" {
		var err error
		if store, err = checkPrimary(ctx, e, *replicateTo, *dbPath, sf, log, stderr); err != nil {
			return err
		}
	}
	_, statErr := os.Stat(*dbPath)
	isNew := errors.Is(statErr, os.ErrNotExist)
	if !isNew {
		// Before anything writes to it (migrations): a damaged file is
		// not served, and not made worse.
		if err := checkBeforeServing(ctx, e, *dbPath, stdout, stderr); err != nil {
			return err
		}
	}
	db, err := sqlite.OpenWith(ctx, *dbPath, sqlite.Options{NoAutoCheckpoint: store != nil})
	if err != nil {
		return err
	}
	defer db.Close()
	var syncer *gitsync.Syncer
	if *syncRepo != "" {
		if *syncClone == "" {
			*syncClone = gitsync.CloneDir(*dbPath)
		}
		if syncer, err = gitsync.New(gitsync.Options{Repo: *syncRepo, Ref: *syncRef, Dir: *syncClone}); err != nil {
			return usageError{"--sync-repo: " + err.Error()}
		}
	}
	if isNew && syncer != nil {
		fmt.Fprintf(stdout, "%s is new: it will hold the records of %s once the first sync is done\n", *dbPath, syncer.Repo())
	} else if isNew {
		fmt.Fprintf(stdout, "%s is new: writing synthetic demo data (seed scale 1)…\n", *dbPath)
		start := time.Now()
		counts, err := seedInto(ctx, db, 1, false, nil)
		if err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
		fmt.Fprintf(stdout, "demo data ready in %s: %d startups, %d members, %d incubators\n",
			time.Since(start).Round(time.Millisecond), counts.Startups, counts.Members, counts.Incubators)
	}

	origin, err := db.Origin(ctx)
	if err != nil {
		return err
	}
	if syncer != nil && !origin.Admits(sqlite.OriginImported, false) {
		return usageError{fmt.Sprintf("--sync-repo: %s holds %s: the repository's real records would mix with it; serve a new file (--db synced.db) to follow the repository", *dbPath, origin)}
	}
	fmt.Fprintf(stdout, "database: %s, %s\n", *dbPath, origin)
	repl := loneNode(*node)
	if store != nil {
		settings.shipped = &shippedHook{}
		ps, err := startPrimary(ctx, db, store, *dbPath, *node, func(err error) { cancelServe(err) }, settings.shipped.call, log, stdout)
		if err != nil {
			return err
		}
		// After the server stops writing (serveDB returns), before the
		// database closes: what is left ships.
		defer ps.p.Close(context.Background())
		repl = ps.replication()
	}
	var runner *gitsync.Runner
	var runnerNote string
	if syncer != nil {
		runner = gitsync.NewRunner(syncer, db, *syncEvery, log)
		runnerNote = fmt.Sprintf("following %s: a sync now, then every %s (clone: %s)", syncer.Repo(), *syncEvery, *syncClone)
	}
	err = serveDB(ctx, e, db, settings, repl, runner, runnerNote, log, stdout)
	if cause := context.Cause(ctx); replication.IsFenced(cause) {
		return fencedError(e, cause, *dbPath, stderr)
	}
	return err
}

// serveSettings are the flags of serve and replica that shape the server.
type serveSettings struct {
	dbPath, addr, assets, pprofAddr string
	origins                         []string
	sqlStats, publicRead, noIntro   bool
	lim                             server.Limits
	trustedDocs                     map[string]string
	cacheMB                         int
	authLimit                       auth.LimitConfig
	refusalLimit                    auth.LimitConfig
	shutdown                        time.Duration
	maxSubs, maxSubsPerCaller       int
	// shipped, on a replicating primary, tells the change feed that a
	// position reached the store: the feed announces nothing before.
	shipped *shippedHook
}

// shippedHook passes a primary's shipped positions on to the change feed
// once the server made it.
type shippedHook struct{ fn atomic.Pointer[func()] }

func (h *shippedHook) set(fn func()) { h.fn.Store(&fn) }

// call is PrimaryOptions.OnShipped.
func (h *shippedHook) call(replication.Position) {
	if fn := h.fn.Load(); fn != nil {
		(*fn)()
	}
}

// serveDB serves the API over db until ctx ends: what serve and replica
// share once their database is open.
func serveDB(ctx context.Context, e env, db *sqlite.DB, s serveSettings, repl *server.Replication, runner *gitsync.Runner, runnerNote string, log *slog.Logger, stdout io.Writer) error {
	dbPath, addr, lim := s.dbPath, s.addr, s.lim
	if s.publicRead {
		fmt.Fprintln(stdout, "reading: public (callers without a token read as anonymous; --public-read=false requires one)")
	} else {
		fmt.Fprintln(stdout, "reading: a token is required (--public-read=false)")
	}
	// The longest lists of the data price every query: read them now (the
	// quick reading; the precise one follows in the background).
	if _, err := db.ListBounds(ctx); err != nil {
		return fmt.Errorf("read the list bounds: %w", err)
	}
	hasAdmin, err := db.HasAdminToken(ctx)
	if err != nil {
		return err
	}
	if !hasAdmin && !db.Followed() {
		fmt.Fprint(stdout, noAdminNotice(e, dbPath))
	}

	ln, err := server.Listen(addr, lim)
	if err != nil {
		return fmt.Errorf("listen: %w%s", err, busyPortHint(err, addr))
	}
	var syncStatus func() server.SyncStatus
	if runner != nil {
		syncStatus = func() server.SyncStatus {
			st := runner.Status()
			return server.SyncStatus{Syncs: st.Syncs, Failures: st.Failures, LastSuccess: st.LastSuccess,
				LastCommitTime: st.LastCommitTime, LastDuration: st.LastDuration, Failing: st.LastError != ""}
		}
	}
	// The change feed: the writes of this process (or, on a replica, the
	// positions its follower applies) wake it; on a replicating primary,
	// the positions shipped to the store.
	feed := live.New(db, live.Options{MaxSubscriptions: s.maxSubs, MaxPerCaller: s.maxSubsPerCaller, Gated: s.shipped != nil, Logger: log})
	db.OnChange(feed.Changed)
	if s.shipped != nil {
		s.shipped.set(feed.Notify)
	}
	feedCtx, stopFeed := context.WithCancel(context.Background())
	feedDone := make(chan struct{})
	go func() {
		defer close(feedDone)
		if err := feed.Run(feedCtx); err != nil {
			log.Error("change feed stopped", "err", err)
		}
	}()
	defer func() { stopFeed(); <-feedDone }()
	srv := server.HTTPServer(server.New(server.Config{
		DB: db, Schema: graph.ExecutableLive(db, feed), Live: feed, Logger: log, CORSOrigins: s.origins, SQLStats: s.sqlStats, PlaygroundAssets: s.assets,
		PublicRead: s.publicRead, Limits: lim, TrustedDocuments: s.trustedDocs, NoIntrospection: s.noIntro,
		ResponseCacheBytes: cacheBytes(s.cacheMB), AuthLimit: s.authLimit, RefusalLimit: s.refusalLimit, Listener: ln, SyncStatus: syncStatus, Replication: repl,
	}), lim, log)
	if runner != nil {
		syncCtx, stopSync := context.WithCancel(ctx)
		synced := make(chan struct{})
		go func() {
			defer close(synced)
			runner.Run(syncCtx)
		}()
		defer func() { stopSync(); <-synced }() // before the database closes
		fmt.Fprintln(stdout, runnerNote)
	}
	if s.pprofAddr != "" {
		stopPprof, addr, err := servePprof(s.pprofAddr, log)
		if err != nil {
			return err
		}
		defer stopPprof()
		fmt.Fprintf(stdout, "pprof on http://%s/debug/pprof/\n", addr)
	}
	fmt.Fprintf(stdout, "listening on http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down…")
	stopFeed() // the subscriptions end and their streams close: Shutdown waits for none
	sctx, cancel := context.WithTimeout(context.Background(), s.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

// checkBeforeServing runs PRAGMA quick_check on the existing database at
// path, read-only. A damaged file is refused: the problems go to stderr
// with the commands to run, and the error says so.
func checkBeforeServing(ctx context.Context, e env, path string, stdout, stderr io.Writer) error {
	start := time.Now()
	db, err := sqlite.OpenExisting(ctx, path)
	if err != nil {
		if errors.Is(err, portfolio.ErrDamaged) {
			return refuseDamaged(e, path, "Opening it", []string{err.Error()}, stderr)
		}
		return fmt.Errorf("serve: %w", err)
	}
	defer db.Close()
	problems, err := db.QuickCheck(ctx)
	if err != nil {
		return fmt.Errorf("serve: quick_check of %s: %w", path, err)
	}
	if len(problems) > 0 {
		return refuseDamaged(e, path, "PRAGMA quick_check", problems, stderr)
	}
	fmt.Fprintf(stdout, "%s: quick_check ok in %s\n", path, time.Since(start).Round(time.Millisecond))
	return nil
}

// maxProblemsShown bounds the problems of quick_check that serve prints.
const maxProblemsShown = 10

// refuseDamaged prints the problems, what found them (how: "PRAGMA
// quick_check") and the commands to run, and returns serve's error.
func refuseDamaged(e env, path, how string, problems []string, stderr io.Writer) error {
	fmt.Fprintf(stderr, "The database %s is damaged: not serving it. %s says:\n", path, how)
	for i, p := range problems {
		if i == maxProblemsShown {
			fmt.Fprintf(stderr, "  … and %d more\n", len(problems)-i)
			break
		}
		fmt.Fprintln(stderr, "  "+p)
	}
	q := shellQuote(path)
	fmt.Fprintf(stderr, "To list every problem:                 %s\n", e.cmdline("check --db "+q))
	fmt.Fprintf(stderr, "To try to copy what can still be read: %s\n", e.cmdline("backup --db "+q+" "+shellQuote(freshName(path, "rescued"))))
	fmt.Fprintln(stderr, "Then serve a good backup in its place, or import the snapshot again into a new file.")
	return fmt.Errorf("serve: %s is damaged (%d %s); nothing served", path, len(problems), plural(len(problems), "problem", "problems"))
}

// playgroundAssetsHelp is the help of --playground-assets: it lists the
// files a mirror serves, from the list the playground loads.
func playgroundAssetsHelp() string {
	var b strings.Builder
	b.WriteString("base `URL` of another copy of the playground's files (GraphiQL, React, the explorer), instead of\n")
	b.WriteString("the one built into the binary and served at /assets/npm (env PORTFOLIO_PLAYGROUND_ASSETS):\n")
	b.WriteString("an http(s) URL, or a path such as /graphiql that a reverse proxy in front serves. The copy serves these\n")
	b.WriteString("files of the npm packages byte for byte (the page checks their hashes), at the same paths as\n")
	b.WriteString("/assets/npm and https://cdn.jsdelivr.net/npm:\n")
	for _, a := range server.PlaygroundMirrorAssets() {
		b.WriteString("  URL/" + a.Path + "\n")
	}
	b.WriteString("and, when it is another origin, answers with Access-Control-Allow-Origin (e.g. *)")
	return b.String()
}

// seedInto writes synthetic data at the given scale into db in one
// transaction, and records it as the database's origin. It refuses (an
// *sqlite.OriginError, nothing written) a database holding imported
// records, and one already seeded unless add is set.
func seedInto(ctx context.Context, db *sqlite.DB, scale int, add bool, progress func(done, total int)) (seed.Counts, error) {
	empty, err := db.Empty(ctx)
	if err != nil {
		return seed.Counts{}, err
	}
	var counts seed.Counts
	origin := &sqlite.OriginEvent{Kind: sqlite.OriginSeeded, Scale: scale, Method: sqlite.MethodSeed,
		RecordsAsOf: seed.RefDate, RecordsBasis: sqlite.BasisSeed}
	_, err = db.Load(ctx, sqlite.LoadOptions{Fresh: empty, Origin: origin, Add: add}, func(sink portfolioSink) error {
		var err error
		counts, err = seed.Generate(ctx, sink, seed.Options{Scale: scale, Progress: progress})
		origin.Counts = seedCounts(counts)
		return err
	})
	return counts, err
}

// cacheBytes turns --response-cache-mb into server.Config's value (negative
// for off).
func cacheBytes(mb int) int {
	if mb <= 0 {
		return -1
	}
	return mb << 20
}

// tuneGC sets the collector for serving: an answer allocates a lot of
// short-lived memory (a Q1 page 1.5 MB) over a small live heap, so with
// Go's default of a collection each time the heap doubles, the server
// collects every few requests. Measured on Q1 at 16 clients without the
// response cache, 400 gave 1.5 to 2.7 times the throughput of 100
// (docs/performance.md). The environment's GOGC and GOMEMLIMIT stand when
// the flags are not given.
func tuneGC(fs *flagSet, e env, percent int, limitMB int64) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if given["gc-percent"] || e.get("GOGC") == "" {
		debug.SetGCPercent(percent)
	}
	if given["memory-limit-mb"] || e.get("GOMEMLIMIT") == "" {
		limit := int64(math.MaxInt64)
		if limitMB > 0 {
			limit = limitMB << 20
		}
		debug.SetMemoryLimit(limit)
	}
}
