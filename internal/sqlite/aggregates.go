package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Count is a number of records under a key (a phase, a slug, a label, …).
type Count struct {
	Key   string
	Count int
}

// matched returns a CTE "m(id)" of the startups f selects at d.
func matched(b *builder, f *portfolio.StartupFilter, d portfolio.Date) (string, error) {
	where, err := startupFilterSQL(b, f, at{b: b, d: d}, 0)
	if err != nil {
		return "", err
	}
	return "m(id) AS (SELECT s.id FROM startups s WHERE " + where + ")", nil
}

func (db *DB) counts(ctx context.Context, q string, args []any) ([]Count, error) {
	var out []Count
	err := db.each(ctx, q, args, func(rows *sql.Rows) error {
		var c Count
		var key sql.NullString
		if err := rows.Scan(&key, &c.Count); err != nil {
			return fmt.Errorf("scan count: %w", err)
		}
		c.Key = key.String
		out = append(out, c)
		return nil
	})
	return out, err
}

func (db *DB) one(ctx context.Context, q string, args []any) (int, error) {
	var n int
	err := db.each(ctx, q, args, func(rows *sql.Rows) error { return rows.Scan(&n) })
	return n, err
}

// StartupCount counts the startups f selects at d.
func (db *DB) StartupCount(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (int, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return 0, err
	}
	return db.one(ctx, "WITH "+m+" SELECT count(*) FROM m", b.args)
}

// ByPhase counts the startups f selects by their phase at d, leaving out
// those with no phase yet.
func (db *DB) ByPhase(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return nil, err
	}
	dd := b.date(d)
	q := "WITH " + m + `, cur AS (SELECT (SELECT p.phase FROM phases p WHERE p.startup_id = m.id AND p.start <= ` + dd + ` ORDER BY p.start DESC, p.seq DESC LIMIT 1) AS phase FROM m)
		SELECT phase, count(*) FROM cur WHERE phase IS NOT NULL GROUP BY phase`
	out, err := db.counts(ctx, q, b.args)
	sortByPhase(out)
	return out, err
}

func sortByPhase(cs []Count) {
	sort.Slice(cs, func(i, j int) bool {
		return portfolio.Phase(cs[i].Key).Rank() < portfolio.Phase(cs[j].Key).Rank()
	})
}

// ByIncubator counts the startups f selects by incubator slug, most first.
func (db *DB) ByIncubator(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return nil, err
	}
	return db.counts(ctx, "WITH "+m+` SELECT i.slug, count(*) FROM m JOIN startups s ON s.id = m.id JOIN incubators i ON i.id = s.incubator_id
		GROUP BY i.slug ORDER BY 2 DESC, 1`, b.args)
}

// BySponsor counts the startups f selects by sponsor slug, most first.
func (db *DB) BySponsor(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return nil, err
	}
	return db.counts(ctx, "WITH "+m+` SELECT o.slug, count(*) FROM m JOIN startup_sponsors ss ON ss.startup_id = m.id JOIN organisations o ON o.id = ss.organisation_id
		GROUP BY o.slug ORDER BY 2 DESC, 1`, b.args)
}

// ByThematique counts the startups f selects by theme, most first.
func (db *DB) ByThematique(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return nil, err
	}
	return db.counts(ctx, "WITH "+m+` SELECT t.label, count(DISTINCT t.startup_id) FROM m JOIN startup_tags t ON t.startup_id = m.id AND t.kind = 'thematique'
		GROUP BY t.label ORDER BY 2 DESC, 1`, b.args)
}

// OverdueCount counts the startups f selects that are overdue for a
// committee at d.
func (db *DB) OverdueCount(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (int, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return 0, err
	}
	return db.one(ctx, "WITH "+m+" SELECT count(*) FROM m JOIN startups s ON s.id = m.id WHERE "+overdueAtSQL(at{b: b, d: d}), b.args)
}

// teamCTE adds "team(member_id, status)" to a query that has m: the members
// on the team of a matched startup at d, once each, with the status of
// their covering mission (on a matched startup) that started last.
func teamCTE(b *builder, d portfolio.Date) string {
	dd := b.date(d)
	return `cover AS (SELECT mi.member_id, mi.status, row_number() OVER (PARTITION BY mi.member_id ORDER BY mi.start DESC, mi.id DESC) AS rn
			FROM m JOIN mission_startups ms ON ms.startup_id = m.id JOIN missions mi ON mi.id = ms.mission_id
			WHERE mi.start <= ` + dd + ` AND (mi."end" IS NULL OR mi."end" >= ` + dd + `)),
		team AS (SELECT member_id, status FROM cover WHERE rn = 1)`
}

// ActiveMemberCount counts the distinct members on the team, at d, of at
// least one startup f selects.
func (db *DB) ActiveMemberCount(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (int, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return 0, err
	}
	return db.one(ctx, "WITH "+m+", "+teamCTE(b, d)+" SELECT count(*) FROM team", b.args)
}

// MembersByDomain counts those members by domain, most first.
func (db *DB) MembersByDomain(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return nil, err
	}
	return db.counts(ctx, "WITH "+m+", "+teamCTE(b, d)+" SELECT mb.domain, count(*) FROM team JOIN members mb ON mb.id = team.member_id GROUP BY mb.domain ORDER BY 2 DESC, 1", b.args)
}

// MembersByStatus counts those members by the status of their covering
// mission that started last, most first ("" for no status).
func (db *DB) MembersByStatus(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return nil, err
	}
	return db.counts(ctx, "WITH "+m+", "+teamCTE(b, d)+" SELECT status, count(*) FROM team GROUP BY status ORDER BY 2 DESC, 1", b.args)
}

// PhaseDuration is how long startups stayed in a phase.
type PhaseDuration struct {
	Phase      portfolio.Phase
	Startups   int
	MedianDays float64
	MeanDays   float64
}

// PhaseDurations returns, per phase, the time the startups f selects spent
// in it up to d: every phase period started by d, from its start to the
// next phase's start, or to d for one still going on.
func (db *DB) PhaseDurations(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]PhaseDuration, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return nil, err
	}
	dd := b.date(d)
	q := "WITH " + m + `, pp AS (SELECT p.startup_id, p.phase, p.start, lead(p.start) OVER (PARTITION BY p.startup_id ORDER BY p.start, p.seq) AS next
			FROM m JOIN phases p ON p.startup_id = m.id WHERE p.start IS NOT NULL)
		SELECT phase, CAST(julianday(CASE WHEN next IS NULL OR next > ` + dd + ` THEN ` + dd + ` ELSE next END) - julianday(start) AS INTEGER)
		FROM pp WHERE start <= ` + dd
	days := map[portfolio.Phase][]int{}
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		var p portfolio.Phase
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			return fmt.Errorf("scan duration: %w", err)
		}
		days[p] = append(days[p], n)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var out []PhaseDuration
	for _, p := range portfolio.Phases {
		ds := days[p]
		if len(ds) == 0 {
			continue
		}
		sort.Ints(ds)
		sum := 0
		for _, x := range ds {
			sum += x
		}
		med := float64(ds[len(ds)/2])
		if len(ds)%2 == 0 {
			med = float64(ds[len(ds)/2-1]+ds[len(ds)/2]) / 2
		}
		out = append(out, PhaseDuration{Phase: p, Startups: len(ds), MedianDays: med, MeanDays: float64(sum) / float64(len(ds))})
	}
	return out, nil
}

// CommitteeDecisions counts the committees of the startups f selects (at d)
// held between from and to, by decision.
func (db *DB) CommitteeDecisions(ctx context.Context, f *portfolio.StartupFilter, d, from, to portfolio.Date) ([]Count, error) {
	b := &builder{}
	m, err := matched(b, f, d)
	if err != nil {
		return nil, err
	}
	out, err := db.counts(ctx, "WITH "+m+" SELECT c.decision, count(*) FROM m JOIN committees c ON c.startup_id = m.id WHERE c.date >= "+
		b.date(from)+" AND c.date <= "+b.date(to)+" GROUP BY c.decision", b.args)
	sort.Slice(out, func(i, j int) bool { return decisionRank(out[i].Key) < decisionRank(out[j].Key) })
	return out, err
}

func decisionRank(s string) int {
	for i, d := range portfolio.Decisions {
		if string(d) == s {
			return i
		}
	}
	return len(portfolio.Decisions)
}

// TimelinePoint is the portfolio at one date.
type TimelinePoint struct {
	Date              portfolio.Date
	ByPhase           []Count
	ActiveMemberCount int
}

// Timeline returns the portfolio at each of the dates: the startups f
// selects at that date (its time-dependent conditions evaluated there) by
// phase, and the distinct members on their teams that day. Two statements
// whatever the number of dates.
func (db *DB) Timeline(ctx context.Context, f *portfolio.StartupFilter, dates []portfolio.Date) ([]TimelinePoint, error) {
	ds := make([]string, len(dates))
	idx := map[string]int{}
	out := make([]TimelinePoint, len(dates))
	for i, d := range dates {
		ds[i] = d.String()
		idx[ds[i]] = i
		out[i].Date = d
	}
	b := &builder{}
	where, err := startupFilterSQL(b, f, at{b: b, col: "t.d"}, 0)
	if err != nil {
		return nil, err
	}
	dates1 := b.arg(jsonList(ds))
	q := `WITH t(d) AS (SELECT value FROM json_each(` + dates1 + `)),
		sel AS (SELECT t.d, s.id FROM t JOIN startups s WHERE ` + where + `),
		pp AS (SELECT startup_id, phase, start, lead(start) OVER (PARTITION BY startup_id ORDER BY start, seq) AS next FROM phases WHERE start IS NOT NULL)
		SELECT sel.d, pp.phase, count(*) FROM sel JOIN pp ON pp.startup_id = sel.id AND pp.start <= sel.d AND (pp.next IS NULL OR pp.next > sel.d)
		GROUP BY sel.d, pp.phase`
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		var d, phase string
		var n int
		if err := rows.Scan(&d, &phase, &n); err != nil {
			return fmt.Errorf("scan timeline: %w", err)
		}
		i := idx[d]
		out[i].ByPhase = append(out[i].ByPhase, Count{Key: phase, Count: n})
		return nil
	})
	if err != nil {
		return nil, err
	}
	q = `WITH t(d) AS (SELECT value FROM json_each(` + dates1 + `)),
		sel AS (SELECT t.d, s.id FROM t JOIN startups s WHERE ` + where + `)
		SELECT sel.d, count(DISTINCT mi.member_id) FROM sel JOIN mission_startups ms ON ms.startup_id = sel.id JOIN missions mi ON mi.id = ms.mission_id
		WHERE mi.start <= sel.d AND (mi."end" IS NULL OR mi."end" >= sel.d) GROUP BY sel.d`
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		var d string
		var n int
		if err := rows.Scan(&d, &n); err != nil {
			return fmt.Errorf("scan timeline: %w", err)
		}
		out[idx[d]].ActiveMemberCount = n
		return nil
	})
	for i := range out {
		sortByPhase(out[i].ByPhase)
	}
	return out, err
}
