// Package sqlite stores the portfolio in one embedded SQLite file. It is the
// only package that speaks SQL: it opens the database with its pragmas,
// applies the embedded migrations, loads records through portfolio.Sink, and
// answers the read queries of the API with batched, set-based statements.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// DB is an open portfolio database: a single-connection pool for writes and
// a pool of read-only connections, both on the same WAL-mode file.
type DB struct {
	Path  string
	write *sql.DB
	read  *sql.DB

	stmtMu sync.Mutex
	stmts  map[string]*sql.Stmt

	uses tokenUses // when each token's last use was last written

	// changes counts the commits of this process; with the database's
	// data_version (other processes' commits) it tells caches when what
	// they hold may be stale.
	changes  atomic.Int64
	onChange atomic.Pointer[func()] // OnChange
	verMu    sync.Mutex
	verConn  *sql.Conn
	verAt    time.Time
	verValue int64

	bounds boundsCache // the longest lists of the data, for query costs
	dated  datedCache  // what timelines with a date-dependent filter read

	// damaged holds the first error of a statement that found the file
	// damaged (see damage.go); Ready fails from then on.
	damaged atomic.Pointer[damage]

	// changesTable is set once the table changes is known to exist.
	changesTable atomic.Bool

	// followed marks a replica's copy (OpenFollowed): read-only, token
	// uses not recorded.
	followed bool
}

// maxCachedStatements bounds the prepared-statement cache: filters compile to
// many shapes of SQL, and past this many new shapes are prepared per use.
const maxCachedStatements = 512

func dsn(path string, readOnly bool) string {
	// busy_timeout first, so that the pragmas after it wait instead of failing.
	// cache_size: 8 MB of pages per connection (five connections): the real
	// network's database fits whole; at 100× it keeps the server well under
	// its memory budget (docs/performance.md).
	q := url.Values{}
	pragmas := []string{"busy_timeout(10000)", "foreign_keys(1)", "synchronous(NORMAL)", "cache_size(-8000)", "temp_store(MEMORY)"}
	if readOnly {
		// mmap_size: readers map the file rather than copy each page they
		// miss in their cache with a read(2): at 100 times the network
		// (a 400 MB file, which no connection's cache holds) the review
		// page's statements spent as much time in the kernel as in SQLite
		// (docs/performance.md). The pages mapped are the kernel's page
		// cache, shared by the connections, not the Go heap.
		pragmas = append(pragmas, "query_only(1)", "mmap_size(1073741824)")
	} else {
		pragmas = append([]string{pragmas[0], "journal_mode(WAL)"}, pragmas[1:]...)
		q.Set("_txlock", "immediate")
	}
	s := "file:" + path + "?"
	for i, p := range pragmas {
		if i > 0 {
			s += "&"
		}
		s += "_pragma=" + url.QueryEscape(p)
	}
	if len(q) > 0 {
		s += "&" + q.Encode()
	}
	return s
}

// Open opens (creating it if needed) the database at path, checks that it
// runs in WAL mode, and applies the migrations it lacks. A database written
// by a newer version of the program is refused.
func Open(ctx context.Context, path string) (*DB, error) {
	return open(ctx, path, Options{})
}

func open(ctx context.Context, path string, o Options) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open database: invalid path %q", path)
	}
	db := &DB{Path: path, stmts: map[string]*sql.Stmt{}}
	wdsn := dsn(path, false)
	if o.NoAutoCheckpoint {
		wdsn += "&_pragma=" + url.QueryEscape("wal_autocheckpoint(0)")
	}
	wc, err := newConnector(db, wdsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	w := sql.OpenDB(wc)
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	db.write = w
	var mode string
	if err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if mode != "wal" {
		w.Close()
		return nil, fmt.Errorf("open database %s: journal mode is %q, want wal", path, mode)
	}
	if err := db.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := adoptLegacy(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := refreshNameKeys(ctx, w); err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	rc, err := newConnector(db, dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	r := sql.OpenDB(rc)
	n := 2 * runtime.GOMAXPROCS(0)
	if n < 4 {
		n = 4
	}
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.read = r
	return db, nil
}

// Close waits for the last-use writes under way and closes both pools.
func (db *DB) Close() error {
	db.verMu.Lock()
	if db.verConn != nil {
		db.verConn.Close()
		db.verConn = nil
	}
	db.verMu.Unlock()
	db.uses.close()
	db.stmtMu.Lock()
	for _, s := range db.stmts {
		s.Close()
	}
	db.stmts = nil
	db.stmtMu.Unlock()
	var errs []error
	if db.read != nil {
		errs = append(errs, db.read.Close())
	}
	errs = append(errs, db.write.Close())
	return errors.Join(errs...)
}

type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var ms []migration
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v < 1 || (len(ms) > 0 && v <= ms[len(ms)-1].version) {
			return nil, fmt.Errorf("migration %s: want a number above the previous one's", base)
		}
		b, err := migrationFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{v, base, string(b)})
	}
	return ms, nil
}

// SchemaVersion is the schema version this program writes: the number of
// its last migration.
func SchemaVersion() int {
	ms, _ := migrations()
	if len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

func (db *DB) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	if _, err := db.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	cur, err := db.currentVersion(ctx, db.write)
	if err != nil {
		return err
	}
	if last := SchemaVersion(); cur > last {
		return fmt.Errorf("the database has schema version %d, made by a newer version of portfolio (this one knows up to %d): upgrade portfolio or use another database", cur, last)
	}
	applied, err := appliedVersions(ctx, db.write)
	if err != nil {
		return err
	}
	// Each migration not applied yet runs, in order: one whose number is
	// below the database's version (branches merged in another order than
	// they were numbered) is applied as well.
	for _, m := range ms {
		if applied[m.version] {
			continue
		}
		tx, err := db.write.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", m.version, m.name); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

func (db *DB) currentVersion(ctx context.Context, q queryer) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return int(v.Int64), nil
}

func appliedVersions(ctx context.Context, q querier) (map[int]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, fmt.Errorf("schema version: %w", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("schema version: %w", err)
		}
		out[v] = true
	}
	return out, rows.Err()
}

// Ready reports whether the database answers, its schema is current (every
// migration applied), and no statement of this process found it damaged.
func (db *DB) Ready(ctx context.Context) error {
	if err := db.Damaged(); err != nil {
		return err
	}
	v, err := db.currentVersion(ctx, db.read)
	if err != nil {
		return err
	}
	if v != SchemaVersion() {
		return fmt.Errorf("schema version %d, want %d", v, SchemaVersion())
	}
	ms, err := migrations()
	if err != nil {
		return err
	}
	applied, err := appliedVersions(ctx, db.read)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !applied[m.version] {
			return fmt.Errorf("schema version %d without migration %s", v, m.name)
		}
	}
	return nil
}

// Stats counts the SQL statements run for one request and the time they
// took, when the request's context carries one (see WithStats).
type Stats struct {
	statements atomic.Int64
	nanos      atomic.Int64
	// indexStatements are those that read the in-memory dated index
	// (timeline.go) for this request, apart from statements.
	indexStatements atomic.Int64

	// What the statements read (changes.go): for the response cache.
	readMu   sync.Mutex
	readMask uint32
	volatile bool
}

// Statements returns the number of statements run so far.
func (s *Stats) Statements() int64 { return s.statements.Load() }

// IndexStatements returns the number of statements run to read the
// in-memory dated index for the request: 0 when it was current already.
func (s *Stats) IndexStatements() int64 { return s.indexStatements.Load() }

// Duration returns the time spent running statements and reading their rows.
func (s *Stats) Duration() time.Duration { return time.Duration(s.nanos.Load()) }

type statsKey struct{}

// WithStats returns a context that counts the statements run under it.
func WithStats(ctx context.Context) (context.Context, *Stats) {
	s := &Stats{}
	return context.WithValue(ctx, statsKey{}, s), s
}

// StatsFrom returns the Stats of ctx, or nil.
func StatsFrom(ctx context.Context) *Stats {
	s, _ := ctx.Value(statsKey{}).(*Stats)
	return s
}

type hookKey struct{}

// WithStatementHook returns a context whose read statements call hook
// before they run, with the statement's context and text. Tests use it to
// hold a statement until a deadline, or to cancel a request at a chosen
// point; it costs nothing to contexts without one.
func WithStatementHook(ctx context.Context, hook func(ctx context.Context, query string)) context.Context {
	return context.WithValue(ctx, hookKey{}, hook)
}

// stmt returns a cached prepared statement on the read pool.
func (db *DB) stmt(ctx context.Context, q string) (*sql.Stmt, bool, error) {
	db.stmtMu.Lock()
	defer db.stmtMu.Unlock()
	if s, ok := db.stmts[q]; ok {
		return s, true, nil
	}
	s, err := db.read.PrepareContext(ctx, q)
	if err != nil {
		return nil, false, err
	}
	if len(db.stmts) >= maxCachedStatements {
		return s, false, nil
	}
	db.stmts[q] = s
	return s, true, nil
}

// each runs a read query and calls fn for each row; it counts the statement
// and its time in the context's Stats.
func (db *DB) each(ctx context.Context, q string, args []any, fn func(*sql.Rows) error) error {
	start := time.Now()
	if s := StatsFrom(ctx); s != nil {
		s.statements.Add(1)
		noteReads(ctx, q)
		defer func() { s.nanos.Add(int64(time.Since(start))) }()
	}
	if hook, ok := ctx.Value(hookKey{}).(func(context.Context, string)); ok {
		hook(ctx, q)
	}
	st, cached, err := db.stmt(ctx, q)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	if !cached {
		defer st.Close()
	}
	rows, err := st.QueryContext(detached(ctx), args...)
	if err != nil {
		return fmt.Errorf("query: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query: %w", err)
	}
	return nil
}

// changed notes a commit of this process, and tells OnChange's function.
func (db *DB) changed() {
	db.changes.Add(1)
	if fn := db.onChange.Load(); fn != nil {
		(*fn)()
	}
}

// versionPoll is how often Version asks SQLite whether another process
// committed; commits of this process are seen at once.
const versionPoll = 250 * time.Millisecond

// Version returns a value that changes whenever the data may have changed:
// at once for the writes of this process, within versionPoll for those of
// other processes (an import run while the server serves).
func (db *DB) Version(ctx context.Context) (string, error) {
	db.verMu.Lock()
	defer db.verMu.Unlock()
	if time.Since(db.verAt) >= versionPoll {
		if db.verConn == nil {
			c, err := db.read.Conn(ctx)
			if err != nil {
				return "", fmt.Errorf("version: %w", err)
			}
			db.verConn = c
		}
		if err := db.verConn.QueryRowContext(ctx, "PRAGMA data_version").Scan(&db.verValue); err != nil {
			db.verConn.Close()
			db.verConn = nil
			return "", fmt.Errorf("version: %w", err)
		}
		db.verAt = time.Now()
	}
	return strconv.FormatInt(db.verValue, 10) + "." + strconv.FormatInt(db.changes.Load(), 10), nil
}

// PoolStats returns the statistics of the read pool and of the writer.
func (db *DB) PoolStats() (read, write sql.DBStats) {
	return db.read.Stats(), db.write.Stats()
}
