package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

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
	return &watchConn{fc, c.db}, nil
}

type watchConn struct {
	c  fullConn
	db *DB
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
	return &watchStmt{fs, w.db}, nil
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
	r, err := w.c.QueryContext(ctx, q, args)
	if err != nil {
		return nil, w.db.note(err)
	}
	return wrapRows(r, w.db)
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
	s  fullStmt
	db *DB
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
	if err != nil {
		return nil, w.db.note(err)
	}
	return wrapRows(r, w.db)
}

func (w *watchStmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	r, err := w.s.ExecContext(ctx, args)
	return r, w.db.note(err)
}

func (w *watchStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	r, err := w.s.QueryContext(ctx, args)
	if err != nil {
		return nil, w.db.note(err)
	}
	return wrapRows(r, w.db)
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
}

func wrapRows(r driver.Rows, db *DB) (driver.Rows, error) {
	fr, ok := r.(fullRows)
	if !ok {
		r.Close()
		return nil, fmt.Errorf("sqlite driver: rows of type %T lack the column type methods", r)
	}
	return &watchRows{fr, db}, nil
}

// Next returns io.EOF at the end as it is: only errors of SQLite are
// looked at.
func (w *watchRows) Next(dest []driver.Value) error { return w.db.note(w.fullRows.Next(dest)) }
func (w *watchRows) Close() error                   { return w.db.note(w.fullRows.Close()) }

type watchTx struct {
	t  driver.Tx
	db *DB
}

func (w *watchTx) Commit() error   { return w.db.note(w.t.Commit()) }
func (w *watchTx) Rollback() error { return w.db.note(w.t.Rollback()) }
