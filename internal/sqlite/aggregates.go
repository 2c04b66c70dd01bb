package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/incubateurs/portfolio/internal/frorder"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Count is a number of records under a key (a phase, a slug, a label, …).
type Count struct {
	Key   string
	Count int
}

// The aggregates are set-based: each is one statement over the startups
// the filter selects (inlined, so that with no filter SQLite reads the
// tables straight through their indexes), never a loop over startups.

func (db *DB) selected(ctx context.Context, b *builder, f *portfolio.StartupFilter, d portfolio.Date) (string, error) {
	return db.selectedAt(ctx, b, f, d)
}

// joinStartups joins the startups table on idCol when the filter needs its
// rows; with no filter, the aggregates read the other tables alone.
func joinStartups(where, idCol string) string {
	if where == "1" {
		return ""
	}
	return " JOIN startups s ON s.id = " + idCol
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
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return 0, err
	}
	return db.one(ctx, "SELECT count(*) FROM startups s WHERE "+where, b.args)
}

// currentCTE is a table "cur(startup_id, phase)" of the phases going on at
// the date dd (phaseCoversSQL), read as two range seeks of the phases_next
// index (migration 0004): those with no next start, and those whose next
// start is after dd.
func currentCTE(dd string) string {
	return `cur(startup_id, phase) AS (
		SELECT startup_id, phase FROM phases WHERE next_start IS NULL AND start <= ` + dd + `
		UNION ALL
		SELECT startup_id, phase FROM phases WHERE next_start > ` + dd + ` AND start <= ` + dd + `)`
}

// ByPhase counts the startups f selects by their phase at d, leaving out
// those with no phase yet.
func (db *DB) ByPhase(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	if !sqlRules(ctx) {
		// Over the dated index: portfolio.PhaseAt of each selected startup.
		sel, err := db.selectionAt(ctx, f, d)
		if err != nil {
			return nil, err
		}
		counts := make(phaseCounter, 1)
		sel.each(func(i int) {
			if k := portfolio.PhaseAt(sel.idx.phases[i], d); k >= 0 {
				counts.add(0, sel.idx.phases[i][k].Phase, 1)
			}
		})
		return counts.counts(0), nil
	}
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	q := `WITH ` + currentCTE(b.date(d)) + ` SELECT cur.phase, count(*) FROM cur` + joinStartups(where, "cur.startup_id") + `
		WHERE ` + where + ` GROUP BY cur.phase`
	out, err := db.counts(ctx, q, b.args)
	sortByPhase(out)
	return out, err
}

func sortByPhase(cs []Count) {
	slices.SortFunc(cs, func(x, y Count) int {
		return cmp.Or(cmp.Compare(portfolio.Phase(x.Key).Rank(), portfolio.Phase(y.Key).Rank()), strings.Compare(x.Key, y.Key))
	})
}

// ByIncubator counts the startups f selects by incubator slug, most first,
// ties by title in French order.
func (db *DB) ByIncubator(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	return db.counts(ctx, `SELECT i.slug, n FROM (SELECT s.incubator_id AS inc, count(*) AS n FROM startups s
		WHERE s.incubator_id IS NOT NULL AND `+where+` GROUP BY s.incubator_id) JOIN incubators i ON i.id = inc ORDER BY n DESC, i.name_key, i.slug`, b.args)
}

// BySponsor counts the startups f selects by sponsor slug, most first, ties
// by name in French order.
func (db *DB) BySponsor(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	return db.counts(ctx, `SELECT o.slug, n FROM (SELECT ss.organisation_id AS org, count(*) AS n FROM startup_sponsors ss`+joinStartups(where, "ss.startup_id")+`
		WHERE `+where+` GROUP BY ss.organisation_id) JOIN organisations o ON o.id = org ORDER BY n DESC, o.name_key, o.slug`, b.args)
}

// ByThematique counts the startups f selects by theme, most first, ties by
// label in French order.
func (db *DB) ByThematique(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	out, err := db.counts(ctx, `SELECT t.label, count(DISTINCT t.startup_id) FROM startup_tags t`+joinStartups(where, "t.startup_id")+`
		WHERE t.kind = 'thematique' AND `+where+` GROUP BY t.label`, b.args)
	slices.SortFunc(out, func(x, y Count) int {
		return cmp.Or(cmp.Compare(y.Count, x.Count), frorder.Compare(x.Key, y.Key), strings.Compare(x.Key, y.Key))
	})
	return out, err
}

// OverdueCount counts the startups f selects that are overdue for a
// committee at d by the deprecated rule (portfolio.OverdueAt).
func (db *DB) OverdueCount(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (int, error) {
	if !sqlRules(ctx) {
		sel, err := db.selectionAt(ctx, f, d)
		if err != nil {
			return 0, err
		}
		return sel.countAt(func(i int) bool { return portfolio.OverdueAt(sel.idx.phases[i], sel.idx.committees[i], d) }), nil
	}
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return 0, err
	}
	dd := b.date(d)
	q := `WITH ` + currentCTE(dd) + `
		SELECT count(*) FROM cur` + joinStartups(where, "cur.startup_id") + `
		WHERE ` + where + ` AND ` + overdueSQL(activePhaseSQL("cur.phase"), "cur.startup_id", dd)
	return db.one(ctx, q, b.args)
}

// ReviewStatuses counts the startups f selects in incubation at d by
// review status (portfolio.ReviewStatusAt), in one statement: every
// status, zeros included, in the order of portfolio.ReviewStatuses.
func (db *DB) ReviewStatuses(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]Count, error) {
	out := make([]Count, len(portfolio.ReviewStatuses))
	for i, s := range portfolio.ReviewStatuses {
		out[i].Key = string(s)
	}
	if !sqlRules(ctx) {
		sel, err := db.selectionAt(ctx, f, d)
		if err != nil {
			return nil, err
		}
		for r, n := range sel.reviewStatusesAt(d) {
			out[r].Count = n
		}
		return out, nil
	}
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	dd := b.date(d)
	q := `WITH ` + currentCTE(dd) + `
		SELECT st, count(*) FROM (SELECT ` + reviewStatusSQL(activePhaseSQL("cur.phase"), "cur.startup_id", dd) + ` AS st
			FROM cur` + joinStartups(where, "cur.startup_id") + ` WHERE ` + where + ` AND ` + activePhaseSQL("cur.phase") + `)
		WHERE st IS NOT NULL GROUP BY st`
	got, err := db.counts(ctx, q, b.args)
	if err != nil {
		return nil, err
	}
	for _, c := range got {
		if r := portfolio.ReviewStatus(c.Key).Rank(); r < len(out) {
			out[r].Count = c.Count
		}
	}
	return out, nil
}

// WithoutIntrapreneurCount counts the startups f selects that are in
// incubation at d without an intrapreneur (portfolio.WithoutIntrapreneurAt).
func (db *DB) WithoutIntrapreneurCount(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (int, error) {
	if !sqlRules(ctx) {
		sel, err := db.selectionAt(ctx, f, d)
		if err != nil {
			return 0, err
		}
		if err := db.withIntrapreneurs(ctx, sel.idx); err != nil {
			return 0, err
		}
		return sel.countAt(func(i int) bool { return sel.idx.withoutIntrapreneur(i, d) }), nil
	}
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return 0, err
	}
	dd := b.date(d)
	q := `WITH ` + currentCTE(dd) + `
		SELECT count(*) FROM cur` + joinStartups(where, "cur.startup_id") + `
		WHERE ` + where + ` AND ` + withoutIntrapreneurSQL(activePhaseSQL("cur.phase"), "cur.startup_id", dd)
	return db.one(ctx, q, b.args)
}

// TeamStats are the members on the team, at a date, of at least one of the
// startups a filter selects, each counted once (with the status of their
// covering mission that started last).
type TeamStats struct {
	Members  int
	ByDomain []Count // most first
	ByStatus []Count // most first; "" for missions without a status
}

// TeamStats computes the team figures of the startups f selects at d in one
// statement.
func (db *DB) TeamStats(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (*TeamStats, error) {
	if !sqlRules(ctx) {
		return db.teamStatsInMemory(ctx, f, d, true)
	}
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	dd := b.date(d)
	onStartup := onSelectedStartupSQL(where)
	// Per member, the covering mission that started last (ties: the later
	// one): grouped in the order of the (member_id, start) index, with the
	// status taken from the row of the max (SQLite's bare-column rule).
	q := `WITH cover AS (SELECT mi.member_id, mi.status, max(mi.start || printf('%012d', mi.id)) AS latest
		FROM missions mi WHERE ` + missionCoversSQL("mi", dd) + ` AND ` + onStartup + `
		GROUP BY mi.member_id)
		SELECT mb.domain, coalesce(c.status, ''), count(*) FROM cover c JOIN members mb ON mb.id = c.member_id GROUP BY 1, 2`
	domains, statuses := map[string]int{}, map[string]int{}
	ts := &TeamStats{}
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		var domain, status string
		var n int
		if err := rows.Scan(&domain, &status, &n); err != nil {
			return fmt.Errorf("scan team: %w", err)
		}
		domains[domain] += n
		statuses[status] += n
		ts.Members += n
		return nil
	})
	ts.ByDomain, ts.ByStatus = sortedCounts(domains), sortedCounts(statuses)
	return ts, err
}

// teamStatsInMemory counts the team figures over the member stretches of
// the dated index (sweeps.go): Members alone unless all.
func (db *DB) teamStatsInMemory(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date, all bool) (*TeamStats, error) {
	sel, err := db.selectionAt(ctx, f, d)
	if err != nil {
		return nil, err
	}
	stretches, err := db.memberStretches(ctx, sel.idx)
	if err != nil {
		return nil, err
	}
	return sel.teamStats(stretches, d, all), nil
}

// onSelectedStartupSQL holds for a mission mi on at least one startup that
// where (over s) selects.
func onSelectedStartupSQL(where string) string {
	if where == "1" {
		return "EXISTS (SELECT 1 FROM mission_startups ms WHERE ms.mission_id = mi.id)"
	}
	return "EXISTS (SELECT 1 FROM mission_startups ms JOIN startups s ON s.id = ms.startup_id WHERE ms.mission_id = mi.id AND " + where + ")"
}

// ActiveMemberCount is TeamStats' Members alone: the members on the team,
// at d, of at least one of the startups f selects. Without the status of
// each member's latest mission to find, the members are grouped in the
// order of the (member_id, start) index: 2.5 to 3 times faster than
// TeamStats at 100 times the network.
func (db *DB) ActiveMemberCount(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (int, error) {
	if !sqlRules(ctx) {
		ts, err := db.teamStatsInMemory(ctx, f, d, false)
		if err != nil {
			return 0, err
		}
		return ts.Members, nil
	}
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return 0, err
	}
	q := `SELECT count(*) FROM (SELECT mi.member_id FROM missions mi
		WHERE ` + missionCoversSQL("mi", b.date(d)) + ` AND ` + onSelectedStartupSQL(where) + `
		GROUP BY mi.member_id)`
	return db.one(ctx, q, b.args)
}

// sortedCounts lists m most first, ties by key.
func sortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Key < out[j].Key
	})
	return out
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
// next phase's start, or to d for one still going on. The median and mean
// are computed in SQL: only the middle rows come back.
func (db *DB) PhaseDurations(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) ([]PhaseDuration, error) {
	if !sqlRules(ctx) {
		sel, err := db.selectionAt(ctx, f, d)
		if err != nil {
			return nil, err
		}
		return sel.phaseDurations(d), nil
	}
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	dd := b.date(d)
	// A histogram of durations per phase comes back (a few thousand rows at
	// most); the median and mean are read from it in one pass.
	q := `SELECT p.phase, CAST(julianday(CASE WHEN p.next_start IS NULL OR p.next_start > ` + dd + ` THEN ` + dd + ` ELSE p.next_start END) - julianday(p.start) AS INTEGER) AS days, count(*)
		FROM phases p` + joinStartups(where, "p.startup_id") + ` WHERE p.start <= ` + dd + ` AND ` + where + ` GROUP BY 1, 2 ORDER BY 1, 2`
	type bin struct{ days, n int }
	hist := map[portfolio.Phase][]bin{}
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		var p portfolio.Phase
		var x bin
		if err := rows.Scan(&p, &x.days, &x.n); err != nil {
			return fmt.Errorf("scan duration: %w", err)
		}
		hist[p] = append(hist[p], x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	byPhase := map[portfolio.Phase]PhaseDuration{}
	for p, bins := range hist {
		n, sum := 0, 0
		for _, x := range bins {
			n += x.n
			sum += x.days * x.n
		}
		// The values at ranks (n-1)/2 and n/2 (0-based) of the sorted days.
		at := func(rank int) int {
			for _, x := range bins {
				if rank < x.n {
					return x.days
				}
				rank -= x.n
			}
			return bins[len(bins)-1].days
		}
		byPhase[p] = PhaseDuration{Phase: p, Startups: n, MeanDays: float64(sum) / float64(n),
			MedianDays: float64(at((n-1)/2)+at(n/2)) / 2}
	}
	var out []PhaseDuration
	for _, p := range portfolio.Phases {
		if pd, ok := byPhase[p]; ok {
			out = append(out, pd)
		}
	}
	return out, err
}

// CommitteeDecisions counts the committees of the startups f selects (at d)
// held between from and to, by decision (planned and cancelled ones: none).
func (db *DB) CommitteeDecisions(ctx context.Context, f *portfolio.StartupFilter, d, from, to portfolio.Date) ([]Count, error) {
	b := &builder{}
	where, err := db.selected(ctx, b, f, d)
	if err != nil {
		return nil, err
	}
	out, err := db.counts(ctx, "SELECT c.decision, count(*) FROM committees c JOIN startups s ON s.id = c.startup_id WHERE c.date >= "+
		b.date(from)+" AND c.date <= "+b.date(to)+" AND "+heldSQL("c")+" AND "+where+" GROUP BY c.decision", b.args)
	sort.Slice(out, func(i, j int) bool { return decisionRank(out[i].Key) < decisionRank(out[j].Key) })
	return out, err
}

// sortByDecision sorts counts by decision in the order of
// portfolio.Decisions, others after them by key.
func sortByDecision(cs []Count) {
	slices.SortFunc(cs, func(a, b Count) int {
		return cmp.Or(cmp.Compare(decisionRank(a.Key), decisionRank(b.Key)), strings.Compare(a.Key, b.Key))
	})
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
// whatever the number of dates (timelineSweep); with a filter that depends
// on the date, one (timelineDated), and five more when the data changed.
// The members are counted only when members is true (ActiveMemberCount
// is 0 otherwise): their sweep is most of a timeline's work.
func (db *DB) Timeline(ctx context.Context, f *portfolio.StartupFilter, dates []portfolio.Date, members bool) ([]TimelinePoint, error) {
	out := make([]TimelinePoint, len(dates))
	for i, d := range dates {
		out[i].Date = d
	}
	if !timeDependent(f) {
		return db.timelineSweep(ctx, f, out, members)
	}
	return db.timelineDated(ctx, f, out, members)
}

// timeDependent reports whether f has a condition evaluated at a date
// (phases, active, committeeOverdue, the dated review conditions),
// anywhere in its and/or/not.
func timeDependent(f *portfolio.StartupFilter) bool {
	if f == nil {
		return false
	}
	if f.Phases != nil || f.Active != nil || f.CommitteeOverdue != nil || f.ReviewConditions.TimeDependent() || timeDependent(f.Not) {
		return true
	}
	for _, g := range append(append([]*portfolio.StartupFilter{}, f.And...), f.Or...) {
		if timeDependent(g) {
			return true
		}
	}
	return false
}

// timelineSweep fills a timeline whose filter does not depend on the date:
// the startups it selects are the same at every point, so the counts at the
// dates are running sums of events read once. A phase counts from its start
// to the day before the next phase's start; a member counts from the start
// to the end of each stretch of their missions (on selected startups),
// overlapping missions merged first so that nobody counts twice. Two
// statements, whose work does not grow with the number of points.
func (db *DB) timelineSweep(ctx context.Context, f *portfolio.StartupFilter, out []TimelinePoint, members bool) ([]TimelinePoint, error) {
	if len(out) == 0 {
		return out, nil
	}
	// The points in date order (callers may give them in any order).
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return out[order[i]].Date < out[order[j]].Date })
	lastDate := out[order[len(order)-1]].Date
	last := lastDate.String()
	b := &builder{}
	where, err := startupFilterSQL(b, f, at{b: b, d: lastDate}, 0)
	if err != nil {
		return nil, err
	}
	lastP := b.arg(last)
	var phaseEvents []event
	var inMemory phaseCounter // the counts by phase per point in date order, when counted in memory (sweeps.go)
	if !sqlRules(ctx) {
		sel, err := db.selectionAt(ctx, f, lastDate)
		if err != nil {
			return nil, err
		}
		dates := make([]portfolio.Date, len(order))
		for k, i := range order {
			dates[k] = out[i].Date
		}
		inMemory = sel.timelinePhases(dates)
	} else {
		q := `SELECT p.start, p.phase, count(*) FROM phases p` + joinStartups(where, "p.startup_id") + `
			WHERE p.start IS NOT NULL AND p.start <= ` + lastP + ` AND ` + where + ` GROUP BY 1, 2
		UNION ALL
		SELECT p.next_start, p.phase, -count(*) FROM phases p` + joinStartups(where, "p.startup_id") + `
			WHERE p.next_start IS NOT NULL AND p.next_start <= ` + lastP + ` AND ` + where + ` GROUP BY 1, 2`
		err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
			var e event
			if err := rows.Scan(&e.day, &e.key, &e.delta); err != nil {
				return fmt.Errorf("scan timeline: %w", err)
			}
			phaseEvents = append(phaseEvents, e)
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var memberEvents []event
	if members {
		if memberEvents, err = db.memberEvents(ctx, b, where, lastP); err != nil {
			return nil, err
		}
	}
	sort.Slice(phaseEvents, func(i, j int) bool { return phaseEvents[i].day < phaseEvents[j].day })
	sort.Slice(memberEvents, func(i, j int) bool { return memberEvents[i].day < memberEvents[j].day })
	byPhase := map[string]int{}
	count, pi, mi := 0, 0, 0
	for k, i := range order {
		d := out[i].Date.String()
		for ; pi < len(phaseEvents) && phaseEvents[pi].day <= d; pi++ {
			byPhase[phaseEvents[pi].key] += phaseEvents[pi].delta
		}
		for ; mi < len(memberEvents) && memberEvents[mi].day <= d; mi++ {
			count += memberEvents[mi].delta
		}
		out[i].ActiveMemberCount = count
		out[i].ByPhase = nil
		for _, p := range portfolio.Phases {
			n := byPhase[string(p)]
			if inMemory != nil {
				n = inMemory[k][p]
			}
			if n > 0 {
				out[i].ByPhase = append(out[i].ByPhase, Count{Key: string(p), Count: n})
			}
		}
	}
	return out, nil
}

// event is a change of a running count on a day.
type event struct {
	day, key string
	delta    int
}

// memberEvents are the events of the members on the team of a startup
// that where selects, up to the date bound as lastP: +1 on the first day
// of each stretch of a member's missions (overlapping missions merged, so
// that nobody counts twice), −1 the day after its last.
func (db *DB) memberEvents(ctx context.Context, b *builder, where, lastP string) ([]event, error) {
	onStartup := "EXISTS (SELECT 1 FROM mission_startups ms WHERE ms.mission_id = mi.id)"
	if where != "1" {
		onStartup = "EXISTS (SELECT 1 FROM mission_startups ms JOIN startups s ON s.id = ms.startup_id WHERE ms.mission_id = mi.id AND " + where + ")"
	}
	q := `WITH iv AS (SELECT mi.member_id AS m, mi.start AS s, coalesce(mi."end", '9999-12-31') AS e FROM missions mi
			WHERE mi.start <= ` + lastP + ` AND ` + onStartup + `),
		w AS (SELECT m, s, e, max(e) OVER (PARTITION BY m ORDER BY s ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pe FROM iv),
		g AS (SELECT m, s, e, sum(CASE WHEN pe IS NULL OR pe < s THEN 1 ELSE 0 END) OVER (PARTITION BY m ORDER BY s ROWS UNBOUNDED PRECEDING) AS grp FROM w),
		merged AS (SELECT min(s) AS s, max(e) AS e FROM g GROUP BY m, grp)
		SELECT s, count(*) FROM merged GROUP BY s
		UNION ALL
		SELECT date(e, '+1 day'), -count(*) FROM merged WHERE e < ` + lastP + ` GROUP BY e`
	var events []event
	err := db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		var e event
		if err := rows.Scan(&e.day, &e.delta); err != nil {
			return fmt.Errorf("scan timeline: %w", err)
		}
		events = append(events, e)
		return nil
	})
	return events, err
}
