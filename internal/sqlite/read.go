package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

const startupCols = `s.id, s.slug, s.name, s.pitch, s.description, coalesce(i.slug, ''), s.link, s.repository, s.contact,
	s.accessibility_status, s.stats_url, s.impact_url, s.budget_url, s.dashlord_url, s.fast_promotion, s.fast_amount, s.version`

const startupFrom = ` FROM startups s LEFT JOIN incubators i ON i.id = s.incubator_id`

func scanStartup(rows *sql.Rows) (*portfolio.Startup, error) {
	s := &portfolio.Startup{}
	var promo, amount sql.NullInt64
	if err := rows.Scan(&s.ID, &s.Slug, &s.Name, &s.Pitch, &s.Description, &s.IncubatorSlug, &s.Link, &s.Repository, &s.Contact,
		&s.AccessibilityStatus, &s.StatsURL, &s.ImpactURL, &s.BudgetURL, &s.DashlordURL, &promo, &amount, &s.Version); err != nil {
		return nil, fmt.Errorf("scan startup: %w", err)
	}
	if promo.Valid || amount.Valid {
		s.Fast = &portfolio.Fast{Promotion: int(promo.Int64), AmountEuros: amount.Int64}
	}
	return s, nil
}

// placeholders returns "?, ?, ?" for n arguments.
func placeholders(n int) string {
	if n == 0 {
		return "NULL"
	}
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func stringArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return args
}

// StartupsBySlug returns the startups with these slugs, in no particular
// order; unknown slugs are left out.
func (db *DB) StartupsBySlug(ctx context.Context, slugs []string) ([]*portfolio.Startup, error) {
	var out []*portfolio.Startup
	q := "SELECT " + startupCols + startupFrom + " WHERE s.slug IN (SELECT value FROM json_each(?))"
	err := db.each(ctx, q, []any{jsonList(slugs)}, func(rows *sql.Rows) error {
		s, err := scanStartup(rows)
		out = append(out, s)
		return err
	})
	return out, err
}

// StartupPage returns the startups ordered by name then slug, skipping
// offset of them and returning at most limit, with the total count.
func (db *DB) StartupPage(ctx context.Context, offset, limit int) ([]*portfolio.Startup, int, error) {
	var out []*portfolio.Startup
	var total int
	q := "SELECT " + startupCols + ", count(*) OVER ()" + startupFrom + " ORDER BY s.name, s.slug LIMIT ? OFFSET ?"
	err := db.each(ctx, q, []any{limit, offset}, func(rows *sql.Rows) error {
		s := &portfolio.Startup{}
		var promo, amount sql.NullInt64
		if err := rows.Scan(&s.ID, &s.Slug, &s.Name, &s.Pitch, &s.Description, &s.IncubatorSlug, &s.Link, &s.Repository, &s.Contact,
			&s.AccessibilityStatus, &s.StatsURL, &s.ImpactURL, &s.BudgetURL, &s.DashlordURL, &promo, &amount, &s.Version, &total); err != nil {
			return fmt.Errorf("scan startup: %w", err)
		}
		out = append(out, s)
		return nil
	})
	if err == nil && len(out) == 0 && offset > 0 {
		err = db.each(ctx, "SELECT count(*) FROM startups", nil, func(rows *sql.Rows) error { return rows.Scan(&total) })
	}
	return out, total, err
}

// PhasesByStartup returns the phases of each of the given startups, keyed by
// startup id, in the order of their records.
func (db *DB) PhasesByStartup(ctx context.Context, ids []int64) (map[int64][]portfolio.PhasePeriod, error) {
	out := make(map[int64][]portfolio.PhasePeriod, len(ids))
	q := `SELECT startup_id, phase, coalesce(start, ''), coalesce("end", ''), source FROM phases
		WHERE startup_id IN (SELECT value FROM json_each(?)) ORDER BY startup_id, seq`
	err := db.each(ctx, q, []any{jsonInts(ids)}, func(rows *sql.Rows) error {
		var id int64
		var p portfolio.PhasePeriod
		var start, end string
		if err := rows.Scan(&id, &p.Phase, &start, &end, &p.Source); err != nil {
			return fmt.Errorf("scan phase: %w", err)
		}
		p.Start, _ = portfolio.ParseDate(start)
		p.End, _ = portfolio.ParseDate(end)
		out[id] = append(out[id], p)
		return nil
	})
	return out, err
}

// Empty reports whether the database holds no startup, member or
// organisation yet.
func (db *DB) Empty(ctx context.Context) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM startups) + (SELECT count(*) FROM members) + (SELECT count(*) FROM organisations)").Scan(&n)
	if err != nil {
		return false, fmt.Errorf("empty: %w", err)
	}
	return n == 0, nil
}
