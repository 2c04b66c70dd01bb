package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// derivedList is a list the triggers keep, one row per startup
// (migrations/0026, 0028, 0030), with its columns and what it is derived
// from; view (migrations/0034) holds what it should hold.
type derivedList struct{ table, columns, of string }

func (l derivedList) view() string { return l.table + "_expected" }

// derivedLists are every list the triggers keep.
var derivedLists = []derivedList{
	{"phase_lists", "startup_id, phases", "phases"},
	{"mission_lists", "startup_id, missions, last_mission", "missions and their members"},
	{"sponsor_lists", "startup_id, sponsors", "sponsors"},
}

// ListDrift is a derived list that differs from the tables it is derived
// from, for some startups.
type ListDrift struct {
	Table    string   // the list's table
	Of       string   // what it lists
	Startups []string // the startups whose list differs (their slugs; "#id" for a startup that no longer exists), by slug
	list     derivedList
}

// ListDriftProblem starts the problem Check reports for a ListDrift.
const ListDriftProblem = "derived lists: "

func (d ListDrift) String() string {
	shown := d.Startups
	more := ""
	if len(shown) > 5 {
		shown, more = shown[:5], fmt.Sprintf(" and %d more", len(d.Startups)-5)
	}
	return fmt.Sprintf(ListDriftProblem+"%s differs from the %s for %d startup(s) (%s%s): rewrite them with portfolio check --repair-lists",
		d.Table, d.Of, len(d.Startups), strings.Join(shown, ", "), more)
}

// listDrifts compares each derived list with what its tables say it
// should hold, through q (a pool, or a transaction).
func listDrifts(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]ListDrift, error) {
	var out []ListDrift
	for _, l := range derivedLists {
		stmt := `SELECT coalesce(s.slug, '#' || x.startup_id) FROM (
			SELECT startup_id FROM (SELECT ` + l.columns + ` FROM ` + l.table + ` EXCEPT SELECT ` + l.columns + ` FROM ` + l.view() + `)
			UNION
			SELECT startup_id FROM (SELECT ` + l.columns + ` FROM ` + l.view() + ` EXCEPT SELECT ` + l.columns + ` FROM ` + l.table + `)
		) x LEFT JOIN startups s ON s.id = x.startup_id ORDER BY 1`
		rows, err := q.QueryContext(ctx, stmt)
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", l.table, err)
		}
		d := ListDrift{Table: l.table, Of: l.of, list: l}
		for rows.Next() {
			var slug string
			if err := rows.Scan(&slug); err != nil {
				rows.Close()
				return nil, fmt.Errorf("compare %s: %w", l.table, err)
			}
			d.Startups = append(d.Startups, slug)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("compare %s: %w", l.table, err)
		}
		if len(d.Startups) > 0 {
			out = append(out, d)
		}
	}
	return out, nil
}

// RepairLists writes again, from their tables, the derived lists that
// differ from them, in one transaction, and returns what it found
// different (nothing when every list was right: then it writes nothing).
// The lists only speed up reads: every answer they give, the tables give
// too, so rewriting them loses nothing.
func (db *DB) RepairLists(ctx context.Context) ([]ListDrift, error) {
	if db.followed {
		return nil, fmt.Errorf("repair lists: %s is a replica's copy, read-only: repair the primary", db.Path)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("repair lists: begin: %w", err)
	}
	defer tx.Rollback()
	drifts, err := listDrifts(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("repair lists: %w", err)
	}
	if len(drifts) == 0 {
		return nil, nil
	}
	for _, d := range drifts {
		l := d.list
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+l.table); err != nil {
			return nil, fmt.Errorf("repair lists: %s: %w", l.table, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+l.table+" ("+l.columns+") SELECT "+l.columns+" FROM "+l.view()); err != nil {
			return nil, fmt.Errorf("repair lists: %s: %w", l.table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("repair lists: commit: %w", err)
	}
	db.changed()
	return drifts, nil
}
