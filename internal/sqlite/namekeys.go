package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/incubateurs/portfolio/internal/frorder"
)

// Names in French order.
//
// The records that lists order by name (startups, members, organisations,
// incubators) carry the sort key of their name in name_key
// (frorder.Key), written with the name by every statement that writes it;
// the orderings by name are orderings by name_key, on an index, ties by
// slug. Keys compare byte by byte: SQLite needs no collation of ours, so
// paging with LIMIT and OFFSET stays as fast as with byte order, and the
// file stays readable by any SQLite.

// nameKeyTables lists the tables with a name_key and the column it is the
// key of.
var nameKeyTables = []struct{ table, column string }{
	{"startups", "name"},
	{"members", "fullname"},
	{"organisations", "name"},
	{"incubators", "title"},
}

// nameKey is the sort key stored beside a name.
func nameKey(name string) []byte { return frorder.Key(name) }

// refreshNameKeys makes the keys that the name_keys table does not vouch
// for: all of them when they were made under another version of the
// ordering (frorder.Version), else the empty ones (rows written before
// migration 0015, or by another tool). It writes only when there is
// something to make, in one transaction.
func refreshNameKeys(ctx context.Context, db *sql.DB) error {
	version, err := nameKeysVersion(ctx, db)
	if err != nil {
		return err
	}
	all := version != frorder.Version
	if !all {
		missing := false
		for _, t := range nameKeyTables {
			var n int
			if err := db.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM "+t.table+" WHERE name_key = x'' AND "+t.column+" <> '')").Scan(&n); err != nil {
				return fmt.Errorf("name keys: %w", err)
			}
			missing = missing || n == 1
		}
		if !missing {
			return nil
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	defer tx.Rollback()
	for _, t := range nameKeyTables {
		q := "SELECT id, " + t.column + " FROM " + t.table
		if !all {
			q += " WHERE name_key = x''"
		}
		if err := rekey(ctx, tx, t.table, q); err != nil {
			return fmt.Errorf("name keys of %s: %w", t.table, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO name_keys (id, version) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version", frorder.Version); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("name keys: %w", err)
	}
	return nil
}

// nameKeysVersion returns the version the keys were made under, "" when
// none was recorded.
func nameKeysVersion(ctx context.Context, q queryer) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, "SELECT version FROM name_keys WHERE id = 1").Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("name keys: %w", err)
	}
	return v, nil
}

// rekey writes the key of each row that q (id, name) returns.
func rekey(ctx context.Context, tx *sql.Tx, table, q string) error {
	type row struct {
		id   int64
		name string
	}
	var rows []row
	rs, err := tx.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.id, &r.name); err != nil {
			rs.Close()
			return err
		}
		rows = append(rows, r)
	}
	rs.Close()
	if err := rs.Err(); err != nil {
		return err
	}
	st, err := tx.PrepareContext(ctx, "UPDATE "+table+" SET name_key = ? WHERE id = ?")
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range rows {
		if _, err := st.ExecContext(ctx, nameKey(r.name), r.id); err != nil {
			return err
		}
	}
	return nil
}
