package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync"
	"time"

	"modernc.org/libc"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// A damaged file: every connection of a DB goes through a thin wrapper of
// the driver's that looks at each error SQLite returns. The first one
// saying the file is corrupt (SQLITE_CORRUPT, SQLITE_NOTADB, with any
// extended code) is remembered on the DB, so that Ready fails from then on,
// and every such error is returned wrapped so that errors.Is finds
// portfolio.ErrDamaged in it, whatever path it took to the edge.

// damage is the first sign of a damaged file.
type damage struct {
	err error
	at  time.Time
}

// isCorrupt reports whether err is SQLite saying the file is damaged.
func isCorrupt(err error) bool {
	var se *msqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
		return true
	}
	return false
}

// damagedError is a driver error saying the file is damaged.
type damagedError struct{ err error }

func (e *damagedError) Error() string   { return "the database is damaged: " + e.err.Error() }
func (e *damagedError) Unwrap() []error { return []error{portfolio.ErrDamaged, e.err} }

// note looks at an error of the driver: a sign of damage is remembered
// (the first one) and returned wrapped; anything else is returned as it is.
func (db *DB) note(err error) error {
	if err == nil || !isCorrupt(err) {
		return err
	}
	var already *damagedError
	if errors.As(err, &already) {
		return err
	}
	db.damaged.CompareAndSwap(nil, &damage{err: err, at: time.Now()})
	return &damagedError{err}
}

// Damaged returns nil, or an error saying since when and how the database
// was found damaged by a statement of this process.
func (db *DB) Damaged() error {
	d := db.damaged.Load()
	if d == nil {
		return nil
	}
	return fmt.Errorf("%w since %s: %v", portfolio.ErrDamaged, d.at.UTC().Format(time.RFC3339), d.err)
}

// watchConnector opens the connections of a pool through the driver's own
// connector and wraps them.
type watchConnector struct {
	driver.Connector
	db *DB
}

func newConnector(db *DB, dsn string) (driver.Connector, error) {
	c, err := msqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return watchConnector{c, db}, nil
}

// fullConn is what every connection of modernc.org/sqlite implements (its
// NewConnector says so); the wrapper forwards all of it, so database/sql
// keeps its context-aware paths.
type fullConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

func (c watchConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, c.db.note(err)
	}
	fc, ok := conn.(fullConn)
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("sqlite driver: a connection of type %T lacks the context-aware methods", conn)
	}
	return &watchConn{c: fc, db: c.db, handle: sqliteHandle(fc)}, nil
}

type watchConn struct {
	c  fullConn
	db *DB
	// handle is the connection's sqlite3*, for interrupting its
	// statements (interrupter); 0 when the driver's connection does not
	// show it, and the driver then watches the contexts itself.
	handle uintptr
}

// Unwrap returns the driver's connection (modernc.org/sqlite's Limit looks
// through wrappers this way).
func (w *watchConn) Unwrap() driver.Conn { return w.c }

func (w *watchConn) Prepare(q string) (driver.Stmt, error) {
	return w.PrepareContext(context.Background(), q)
}

func (w *watchConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	s, err := w.c.PrepareContext(ctx, q)
	if err != nil {
		return nil, w.db.note(err)
	}
	fs, ok := s.(fullStmt)
	if !ok {
		s.Close()
		return nil, fmt.Errorf("sqlite driver: a statement of type %T lacks the context-aware methods", s)
	}
	return &watchStmt{s: fs, db: w.db, conn: w}, nil
}

func (w *watchConn) Close() error { return w.db.note(w.c.Close()) }

func (w *watchConn) Begin() (driver.Tx, error) {
	return w.BeginTx(context.Background(), driver.TxOptions{})
}

func (w *watchConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	t, err := w.c.BeginTx(ctx, opts)
	if err != nil {
		return nil, w.db.note(err)
	}
	return &watchTx{t, w.db}, nil
}

func (w *watchConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	r, err := w.c.ExecContext(ctx, q, args)
	return r, w.db.note(err)
}

func (w *watchConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	ctx, it, err := w.watch(ctx)
	if err != nil {
		return nil, err
	}
	r, err := w.c.QueryContext(ctx, q, args)
	return w.rows(r, err, it)
}

// watch returns the context to give the driver for a statement run by
// DB.each, and arranges for its request's end to interrupt it: the driver
// given a context that can end starts a goroutine per statement to watch
// it (and database/sql another per set of rows), about ten for a startup's
// page; a context.AfterFunc costs none until the request ends.
func (w *watchConn) watch(ctx context.Context) (context.Context, *interrupter, error) {
	until, _ := ctx.Value(interruptKey{}).(context.Context)
	if until == nil {
		return ctx, nil, nil
	}
	if w.handle == 0 {
		return until, nil, nil // the driver's own way
	}
	if err := until.Err(); err != nil {
		return nil, nil, err
	}
	it := &interrupter{until: until, handle: w.handle}
	it.stop = context.AfterFunc(until, it.fire)
	return ctx, it, nil
}

// rows wraps the rows of a statement watch watched, or its error: the
// request's when it ended.
func (w *watchConn) rows(r driver.Rows, err error, it *interrupter) (driver.Rows, error) {
	if err != nil {
		it.end()
		if ended := it.ended(); ended != nil {
			return nil, ended
		}
		return nil, w.db.note(err)
	}
	rows, err := wrapRows(r, w.db)
	if err != nil {
		it.end()
		return nil, err
	}
	rows.it = it
	return rows, nil
}

// interruptKey carries, in the context DB.each gives database/sql (one
// that never ends), the request's context, whose end interrupts the
// statement.
type interruptKey struct{}

// detached returns the context DB.each runs a statement under: ctx's
// values without its end, which interrupts the statement all the same
// (watchConn.watch).
func detached(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithValue(context.WithoutCancel(ctx), interruptKey{}, ctx)
}

// interrupter interrupts a connection's statement when its request ends,
// until the statement's rows are closed.
type interrupter struct {
	until  context.Context // the request's
	mu     sync.Mutex
	handle uintptr // 0 once the rows are closed
	stop   func() bool
}

// ended returns the request's error once it has ended (nil for a
// statement nobody watches).
func (i *interrupter) ended() error {
	if i == nil {
		return nil
	}
	return i.until.Err()
}

// fire interrupts the statement, if it is still running: sqlite3_interrupt
// may be called from any goroutine, with a TLS of its own.
func (i *interrupter) fire() {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.handle != 0 {
		tls := libc.NewTLS()
		sqlite3.Xsqlite3_interrupt(tls, i.handle)
		tls.Close()
	}
}

// end stops watching: the connection may serve another statement.
func (i *interrupter) end() {
	if i == nil {
		return
	}
	i.stop()
	i.mu.Lock()
	i.handle = 0
	i.mu.Unlock()
}

// sqliteHandle returns the sqlite3* of a connection of modernc.org/sqlite,
// which keeps it in its unexported field db; 0 if it is not there.
func sqliteHandle(c driver.Conn) uintptr {
	v := reflect.ValueOf(c)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return 0
	}
	f := v.Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Uintptr {
		return 0
	}
	return uintptr(f.Uint())
}

func (w *watchConn) Ping(ctx context.Context) error { return w.db.note(w.c.Ping(ctx)) }

func (w *watchConn) ResetSession(ctx context.Context) error { return w.c.ResetSession(ctx) }

func (w *watchConn) IsValid() bool { return w.c.IsValid() }

type fullStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type watchStmt struct {
	s    fullStmt
	db   *DB
	conn *watchConn
}

func (w *watchStmt) Close() error  { return w.db.note(w.s.Close()) }
func (w *watchStmt) NumInput() int { return w.s.NumInput() }

// Exec and Query complete driver.Stmt; database/sql calls the context
// variants.
func (w *watchStmt) Exec(args []driver.Value) (driver.Result, error) {
	r, err := w.s.Exec(args)
	return r, w.db.note(err)
}

func (w *watchStmt) Query(args []driver.Value) (driver.Rows, error) {
	r, err := w.s.Query(args)
	return w.conn.rows(r, err, nil)
}

func (w *watchStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	r, err := w.s.ExecContext(ctx, args)
	return r, w.db.note(err)
}

func (w *watchStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	ctx, it, err := w.conn.watch(ctx)
	if err != nil {
		return nil, err
	}
	r, err := w.s.QueryContext(ctx, args)
	return w.conn.rows(r, err, it)
}

// fullRows is what the rows of modernc.org/sqlite implement.
type fullRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

type watchRows struct {
	fullRows
	db *DB
	// it interrupts a statement run by DB.each when its request ends
	// (watchConn.watch).
	it *interrupter
}

func wrapRows(r driver.Rows, db *DB) (*watchRows, error) {
	fr, ok := r.(fullRows)
	if !ok {
		r.Close()
		return nil, fmt.Errorf("sqlite driver: rows of type %T lack the column type methods", r)
	}
	return &watchRows{fullRows: fr, db: db}, nil
}

// Next returns io.EOF at the end as it is: only errors of SQLite are
// looked at. Once the request has ended, it returns the request's error:
// the statement's SQLITE_INTERRUPT, or the next row.
func (w *watchRows) Next(dest []driver.Value) error {
	if ended := w.it.ended(); ended != nil {
		return ended
	}
	err := w.fullRows.Next(dest)
	if err != nil && err != io.EOF {
		if ended := w.it.ended(); ended != nil {
			return ended
		}
	}
	return w.db.note(err)
}

// Close stops watching the request before it closes the statement: an
// interrupt that came after would be left set on the connection, which
// the pool would then drop (the driver's IsValid).
func (w *watchRows) Close() error {
	w.it.end()
	return w.db.note(w.fullRows.Close())
}

type watchTx struct {
	t  driver.Tx
	db *DB
}

func (w *watchTx) Commit() error   { return w.db.note(w.t.Commit()) }
func (w *watchTx) Rollback() error { return w.db.note(w.t.Rollback()) }
