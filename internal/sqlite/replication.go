package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"time"
)

// Replication (internal/replication): the generation mark a primary's file
// carries (table replication, migrations/0020), the writer's settings under
// Litestream, and the read-only opening of a replica's followed copy.

// Options change how OpenWith opens a database.
type Options struct {
	// NoAutoCheckpoint turns SQLite's automatic checkpoints off on the
	// writer: under serve --replicate-to, Litestream checkpoints the WAL
	// itself once it has copied it (its documentation asks applications
	// not to race it), and holds a read transaction that would stop most
	// of SQLite's own anyway.
	NoAutoCheckpoint bool
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, path string, o Options) (*DB, error) {
	return open(ctx, path, o)
}

// ReplicationMark is the replication generation a database file holds: the
// primary that first ships a file to a store gives it generation 1, and
// each promotion of a replica's copy the next one. The store holds the
// database, so its newest state names the generation writing to it.
type ReplicationMark struct {
	Generation int64
	// Store is the store's URL, without credentials.
	Store string
	// Node is the node that took the generation, StartedAt when.
	Node      string
	StartedAt time.Time
	// FromPosition is the store's position a promotion caught up to (0
	// for a first generation): the new primary may start only while the
	// store is still there.
	FromPosition uint64
}

// ReplicationMark returns the file's generation mark, nil when it never
// shipped to a store (or its schema predates marks). It reads only, so it
// works on a DB opened with OpenExisting.
func (db *DB) ReplicationMark(ctx context.Context) (*ReplicationMark, error) {
	var has int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'replication'").Scan(&has); err != nil {
		return nil, fmt.Errorf("replication mark: %w", err)
	}
	if has == 0 {
		return nil, nil
	}
	var m ReplicationMark
	var started string
	var from int64
	err := db.read.QueryRowContext(ctx, "SELECT generation, store, node, started_at, from_position FROM replication WHERE id = 1").
		Scan(&m.Generation, &m.Store, &m.Node, &started, &from)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("replication mark: %w", err)
	}
	if m.StartedAt, err = time.Parse(time.RFC3339, started); err != nil {
		return nil, fmt.Errorf("replication mark: started_at %q: %w", started, err)
	}
	m.FromPosition = uint64(from)
	return &m, nil
}

// SetReplicationMark writes the file's generation mark, replacing the one
// it had.
func (db *DB) SetReplicationMark(ctx context.Context, m ReplicationMark) error {
	if m.Generation < 1 {
		return fmt.Errorf("replication mark: generation %d, want 1 or more", m.Generation)
	}
	_, err := db.write.ExecContext(ctx, `INSERT INTO replication (id, generation, store, node, started_at, from_position) VALUES (1, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET generation = excluded.generation, store = excluded.store, node = excluded.node,
		started_at = excluded.started_at, from_position = excluded.from_position`,
		m.Generation, m.Store, m.Node, m.StartedAt.UTC().Format(time.RFC3339), int64(m.FromPosition))
	if err != nil {
		return fmt.Errorf("replication mark: %w", err)
	}
	db.changed()
	return nil
}

// OpenFollowed opens, read-only, a database file that another process
// keeps current by writing its pages in place under SQLite's locks (a
// replica's follower, see internal/replication): the file must be in
// rollback-journal mode, so that readers take the file's locks and see the
// follower's changes; nothing is created, migrated or written, and token
// uses are not recorded. Ready says whether its schema is this program's.
func OpenFollowed(ctx context.Context, path string) (*DB, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open database: invalid path %q", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open database %s: not a regular file", path)
	}
	db := &DB{Path: path, stmts: map[string]*sql.Stmt{}, followed: true}
	q := url.Values{}
	q.Set("mode", "ro")
	s := "file:" + path + "?" + q.Encode()
	for _, p := range []string{"busy_timeout(10000)", "query_only(1)", "cache_size(-8000)", "temp_store(MEMORY)"} {
		s += "&_pragma=" + url.QueryEscape(p)
	}
	c, err := newConnector(db, s)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.write = sql.OpenDB(c)
	db.write.SetMaxOpenConns(1)
	db.read = sql.OpenDB(c)
	n := 2 * runtime.GOMAXPROCS(0)
	if n < 4 {
		n = 4
	}
	db.read.SetMaxOpenConns(n)
	db.read.SetMaxIdleConns(n)
	var mode string
	if err := db.read.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if mode != "delete" {
		db.Close()
		return nil, fmt.Errorf("open database %s: journal mode is %q: a replica's copy is in rollback-journal mode (delete), which its follower sets", path, mode)
	}
	return db, nil
}

// Followed reports whether the database was opened with OpenFollowed.
func (db *DB) Followed() bool { return db.followed }

// NoteChange tells the database that its file changed outside SQLite (a
// replica's follower applied a new position): Version changes at once,
// so that the caches keyed on it drop what they hold.
func (db *DB) NoteChange() { db.changed() }
