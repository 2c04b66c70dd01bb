package sqlite

import (
	"context"
	"database/sql"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// CompileStartupFilter returns the condition f compiles to on a startup row
// s at d, and the values bound to its parameters.
func CompileStartupFilter(f *portfolio.StartupFilter, d portfolio.Date) (string, []any, error) {
	b := &builder{}
	where, err := startupFilterSQL(b, f, at{b: b, d: d}, 0)
	return where, b.args, err
}

// StartupSlugsMatching returns the slugs of the startups f selects at d, in
// slug order.
func (db *DB) StartupSlugsMatching(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]string, error) {
	where, args, err := CompileStartupFilter(f, d)
	if err != nil {
		return nil, err
	}
	return db.slugsWhere(ctx, where, args)
}

// slugsWhere returns the slugs of the startups where selects, in slug
// order.
func (db *DB) slugsWhere(ctx context.Context, where string, args []any) ([]string, error) {
	out := []string{}
	err := db.each(ctx, "SELECT s.slug FROM startups s WHERE "+where+" ORDER BY s.slug", args, func(rows *sql.Rows) error {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	return out, err
}

// StartupSlugsSelected returns, in slug order, the slugs of the startups
// f selects at d as the API's statements select them: a filter with a
// condition evaluated at a date in memory (selection.go), unless ctx asks
// for SQL (WithSQLRules).
func (db *DB) StartupSlugsSelected(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]string, error) {
	b := &builder{}
	where, err := db.selectedAt(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	return db.slugsWhere(ctx, where, b.args)
}
