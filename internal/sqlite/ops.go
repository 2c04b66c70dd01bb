package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Operations on a whole database file: opening one for inspection beside a
// running server, backing it up and checking it.

// OpenExisting opens the database at path for inspection, possibly beside a
// server or another process that writes to it: the file must exist, and
// nothing is created, migrated or written (the connections are read-only, so
// writes through the returned DB fail). It works whatever the schema
// version; Ready says whether it is current. Backup and Check are meant for
// a DB opened this way.
func OpenExisting(ctx context.Context, path string) (*DB, error) {
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
	db := &DB{Path: path, stmts: map[string]*sql.Stmt{}}
	c, err := newConnector(db, dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.write = sql.OpenDB(c)
	db.write.SetMaxOpenConns(1)
	db.read = sql.OpenDB(c)
	db.read.SetMaxOpenConns(2)
	if err := db.read.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// ErrExists is returned (wrapped) by Backup when its destination exists.
var ErrExists = errors.New("file exists (a backup never overwrites)")

// Backup writes a consistent copy of the database to the new file out, while
// other connections and processes keep reading and writing: the copy holds
// every transaction committed before it started and none after. The copy is
// made with VACUUM INTO (compacted, in rollback-journal mode, one
// self-contained file) into a temporary file beside out, flushed to disk,
// checked with PRAGMA integrity_check, and only then given the name out. An
// existing out is never overwritten (ErrExists); on failure nothing is left
// behind.
func (db *DB) Backup(ctx context.Context, out string) (err error) {
	if out == "" {
		return errors.New("backup: no destination given")
	}
	if _, err := os.Lstat(out); err == nil {
		return fmt.Errorf("backup: %s: %w", out, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".*.tmp")
	if err != nil {
		// The temporary name means nothing to the caller: name out.
		return fmt.Errorf("backup: cannot write %s: %w", out, pathCause(err))
	}
	tmpPath := tmp.Name()
	tmp.Close()
	defer func() {
		if err != nil {
			for _, suffix := range []string{"", "-journal", "-wal", "-shm"} {
				os.Remove(tmpPath + suffix)
			}
		}
	}()
	if strings.ContainsAny(tmpPath, "?#") {
		return fmt.Errorf("backup: invalid destination %q", out)
	}

	// VACUUM INTO writes, so it cannot run on the query-only read pool; a
	// connection of its own keeps the writer free. It only reads the
	// database, in one read transaction, which never blocks WAL writers.
	conn, err := sql.Open("sqlite", "file:"+db.Path+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", tmpPath)
	conn.Close()
	if err != nil {
		return fmt.Errorf("backup: copy %s: %w", db.Path, err)
	}
	if err := syncFile(tmpPath); err != nil {
		return fmt.Errorf("backup: cannot write %s: %w", out, pathCause(err))
	}

	copyDB, err := OpenExisting(ctx, tmpPath)
	if err != nil {
		return fmt.Errorf("backup: the copy does not open: %w", err)
	}
	problems, err := integrity(ctx, copyDB.read)
	if cerr := copyDB.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("backup: check the copy: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("backup: the copy fails its integrity check: %s", strings.Join(problems, "; "))
	}

	if err := renameNew(tmpPath, out); err != nil {
		if errors.Is(err, ErrExists) {
			return fmt.Errorf("backup: %w", err)
		}
		return fmt.Errorf("backup: cannot write %s: %w", out, pathCause(err))
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// renameNew gives the file at from the name to, failing with ErrExists if
// to exists. A hard link makes that atomic; where the file system has none,
// it checks, then renames.
func renameNew(from, to string) error {
	err := os.Link(from, to)
	switch {
	case err == nil:
		os.Remove(from) // the copy is in place; a leftover temporary name is harmless
		return nil
	case errors.Is(err, fs.ErrExist):
		return fmt.Errorf("%s: %w", to, ErrExists)
	}
	if _, serr := os.Lstat(to); serr == nil {
		return fmt.Errorf("%s: %w", to, ErrExists)
	}
	if err := os.Rename(from, to); err != nil {
		return err
	}
	return nil
}

// pathCause returns the cause of a file-system error without the path it
// names (a temporary file's), for a message that names the caller's path.
func pathCause(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir flushes a folder's entries (a new name) to disk, where the system
// allows it.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) && !errors.Is(err, fs.ErrInvalid) {
		return err
	}
	return nil
}

// Check inspects the whole database: PRAGMA integrity_check, PRAGMA
// foreign_key_check, whether the schema version is current and, when it
// is, whether each derived list holds what its tables say (ListDrift). It
// returns one line per problem found (none when the database is sound),
// and an error only when the checks cannot run.
func (db *DB) Check(ctx context.Context) ([]string, error) {
	problems, err := integrity(ctx, db.read)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	fks, err := foreignKeys(ctx, db.read)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	problems = append(problems, fks...)
	if err := db.Ready(ctx); err != nil {
		// An older schema may lack the lists, or their views: not compared.
		return append(problems, err.Error()), nil
	}
	drifts, err := listDrifts(ctx, db.read)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	for _, d := range drifts {
		problems = append(problems, d.String())
	}
	return problems, nil
}

// QuickCheck runs PRAGMA quick_check: the structure of every page and
// record of the file, without the comparison of each index with its table
// that integrity_check adds. It returns the problems found, none when the
// file is sound; a file too damaged for the check to run is a problem too.
// An error means the check could not run (a cancelled context).
func (db *DB) QuickCheck(ctx context.Context) ([]string, error) {
	problems, err := pragmaCheck(ctx, db.read, "quick_check")
	if err != nil && errors.Is(err, portfolio.ErrDamaged) {
		return []string{err.Error()}, nil
	}
	return problems, err
}

// integrity runs PRAGMA integrity_check and returns its findings (none when
// it answers "ok").
func integrity(ctx context.Context, q *sql.DB) ([]string, error) {
	return pragmaCheck(ctx, q, "integrity_check")
}

// pragmaCheck runs PRAGMA integrity_check or quick_check and returns its
// findings, "integrity: …" (none when it answers "ok").
func pragmaCheck(ctx context.Context, q *sql.DB, pragma string) ([]string, error) {
	rows, err := q.QueryContext(ctx, "PRAGMA "+pragma)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pragma, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("%s: %w", pragma, err)
		}
		if s != "ok" {
			out = append(out, "integrity: "+s)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", pragma, err)
	}
	return out, nil
}

// maxRowsListed bounds the rowids listed per broken foreign key.
const maxRowsListed = 10

// foreignKeys runs PRAGMA foreign_key_check and returns one line per
// foreign key (table, columns, parent) with rows pointing to no parent row.
func foreignKeys(ctx context.Context, q *sql.DB) ([]string, error) {
	type fk struct {
		table string
		id    int64
	}
	type broken struct {
		parent string
		rows   []string
		n      int
	}
	var order []fk
	found := map[fk]*broken{}
	rows, err := q.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		return nil, fmt.Errorf("foreign_key_check: %w", err)
	}
	for rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var id int64
		if err := rows.Scan(&table, &rowid, &parent, &id); err != nil {
			rows.Close()
			return nil, fmt.Errorf("foreign_key_check: %w", err)
		}
		k := fk{table, id}
		b := found[k]
		if b == nil {
			b = &broken{parent: parent}
			found[k] = b
			order = append(order, k)
		}
		b.n++
		if rowid.Valid && len(b.rows) < maxRowsListed {
			b.rows = append(b.rows, fmt.Sprint(rowid.Int64))
		}
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("foreign_key_check: %w", err)
	}
	var out []string
	for _, k := range order {
		b := found[k]
		from, to, err := fkColumns(ctx, q, k.table, k.id)
		if err != nil {
			return nil, err
		}
		line := fmt.Sprintf("foreign key: %s (%s) → %s (%s): %d %s no parent row", k.table, from, b.parent, to, b.n, plural(b.n, "row has", "rows have"))
		if len(b.rows) > 0 {
			line += " (rowid " + strings.Join(b.rows, ", ")
			if b.n > len(b.rows) {
				line += ", …"
			}
			line += ")"
		}
		out = append(out, line)
	}
	return out, nil
}

// fkColumns returns the child and parent columns of foreign key id of table.
func fkColumns(ctx context.Context, q *sql.DB, table string, id int64) (from, to string, err error) {
	rows, err := q.QueryContext(ctx, `SELECT "from", coalesce("to", '') FROM pragma_foreign_key_list(?) WHERE id = ? ORDER BY seq`, table, id)
	if err != nil {
		return "", "", fmt.Errorf("foreign_key_list %s: %w", table, err)
	}
	defer rows.Close()
	var froms, tos []string
	for rows.Next() {
		var f, t string
		if err := rows.Scan(&f, &t); err != nil {
			return "", "", fmt.Errorf("foreign_key_list %s: %w", table, err)
		}
		froms, tos = append(froms, f), append(tos, t)
	}
	if err := rows.Err(); err != nil {
		return "", "", fmt.Errorf("foreign_key_list %s: %w", table, err)
	}
	return strings.Join(froms, ", "), strings.Join(tos, ", "), nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
