package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// dumpSkipped are the tables a records dump leaves out: where records came
// from, who may read them, the history of writes, which differ between two
// databases holding the same records, and lists derived from the others.
var dumpSkipped = map[string]bool{
	"origin": true, "sync_state": true, "audit_log": true, "mutation_keys": true,
	"tokens": true, "token_incubators": true, "schema_migrations": true,
	"replication": true, "_litestream_seq": true, "_litestream_lock": true, // replication's own (internal/replication)
	"changes": true, "sqlite_sequence": true, // the change feed, a history of writes
	// Lists the triggers derive from the tables dumped (migrations/0028 and
	// 0030), holding their row ids and write counters; their own tests
	// compare them with the tables.
	"mission_lists": true, "sponsor_lists": true,
}

// dumpIgnoredColumns are columns that count or date writes, not records.
var dumpIgnoredColumns = map[string]bool{"version": true, "edited_at": true, "deleted_at": true}

// DumpRecords lists every row of the tables of records, one line per row,
// sorted: row ids are left out and references to other rows are written
// as those rows' slugs, write counters and times are left out, and so are
// references to the tables left out (tokens). Two
// databases holding the same records dump the same, whatever order they
// were written in (a sync and a fresh import of the same tree).
func (db *DB) DumpRecords(ctx context.Context) ([]string, error) {
	tables, err := db.readStrings(ctx, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return nil, fmt.Errorf("dump: %w", err)
	}
	var out []string
	for _, t := range tables {
		if dumpSkipped[t] {
			continue
		}
		lines, err := db.dumpTable(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("dump %s: %w", t, err)
		}
		out = append(out, lines...)
	}
	return out, nil
}

func (db *DB) readStrings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// dumpTable lists the rows of one table, "table: col=value …", ids of
// referenced rows replaced by their slug.
func (db *DB) dumpTable(ctx context.Context, table string) ([]string, error) {
	cols, err := db.readStrings(ctx, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
	if err != nil {
		return nil, err
	}
	refs := map[string]string{} // column -> referenced table
	rows, err := db.read.QueryContext(ctx, `SELECT "from", "table" FROM pragma_foreign_key_list(?)`, table)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var from, to string
		if err := rows.Scan(&from, &to); err != nil {
			rows.Close()
			return nil, err
		}
		refs[from] = to
	}
	rows.Close()
	var sel []string
	var names []string
	for _, c := range cols {
		if c == "id" || dumpIgnoredColumns[c] || dumpSkipped[refs[c]] {
			continue
		}
		names = append(names, c)
		if to, ok := refs[c]; ok {
			sel = append(sel, fmt.Sprintf(`(SELECT slug FROM %q r WHERE r.id = t.%q)`, to, c))
			continue
		}
		sel = append(sel, fmt.Sprintf("t.%q", c))
	}
	if len(sel) == 0 {
		return nil, nil
	}
	rows, err = db.read.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+" FROM "+fmt.Sprintf("%q", table)+" t")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	vals := make([]any, len(sel))
	ptrs := make([]any, len(sel))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var b strings.Builder
		b.WriteString(table)
		b.WriteString(":")
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				fmt.Fprintf(&b, " %s=NULL", names[i])
			case []byte:
				fmt.Fprintf(&b, " %s=%q", names[i], x)
			case string:
				fmt.Fprintf(&b, " %s=%q", names[i], x)
			default:
				fmt.Fprintf(&b, " %s=%v", names[i], x)
			}
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.Sort(out)
	return out, nil
}
