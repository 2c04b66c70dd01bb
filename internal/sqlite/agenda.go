package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The committee agenda (Query.committeeAgenda) in one statement: the
// committees planned in a window, and the startups whose next committee
// falls due by its end with none planned, ordered and paged in SQL. The
// rules are those of rules.go (the next committee due, the review status:
// held committees only), evaluated at the window's first day, on the
// startups with a committee held by then only (the others have no due
// date): at 100 times the network, 6,523 of 66,200 startups.

// MaxAgendaDays is the longest window an agenda covers: two years.
const MaxAgendaDays = 731

// checkAgendaWindow checks an agenda's window: both days within the
// bounds of dates, to not before from, at most MaxAgendaDays days.
func checkAgendaWindow(from, to portfolio.Date) error {
	r := portfolio.DateRange{From: &from, To: &to}
	if err := r.Check("to"); err != nil {
		return err
	}
	for _, d := range []struct {
		name string
		d    portfolio.Date
	}{{"from", from}, {"to", to}} {
		if d.d < portfolio.EarliestDate || d.d > portfolio.NewDate(2100, 1, 1) {
			return portfolio.FieldErrorf(d.name, "%s %s is out of range (%s to 2100-01-01)", d.name, d.d, portfolio.EarliestDate)
		}
	}
	if to.DaysSince(from) > MaxAgendaDays {
		return portfolio.FieldErrorf("to", "the agenda covers at most %d days (from %s to %s is %d)", MaxAgendaDays, from, to, to.DaysSince(from))
	}
	return nil
}

// CommitteeAgenda returns a page of the agenda of the window from–to (both
// included) for the startups f selects at from: the committees planned in
// the window (PLANNED), and the startups in incubation at from whose next
// committee is due by to (before from for those already late) with no
// committee planned on or after from (DUE); by date, then startup name in
// French order, slug and committee slug.
func (db *DB) CommitteeAgenda(ctx context.Context, f *portfolio.StartupFilter, from, to portfolio.Date, w portfolio.Window) (*Page[*portfolio.CommitteeAgendaEntry], error) {
	if err := checkAgendaWindow(from, to); err != nil {
		return nil, err
	}
	b := &builder{}
	a := at{b: b, d: from}
	planned := `c.state = '` + string(portfolio.CommitteePlanned) + `'`
	var where, dueCTE string
	if !sqlRules(ctx) {
		// The startups f selects at from, and the next committee due of
		// those with a committee held by then, in memory over the dated
		// index (selection.go); the planned committees stay in SQL.
		sel, err := db.selectionAt(ctx, f, from)
		if err != nil {
			return nil, err
		}
		var due strings.Builder
		due.WriteByte('[')
		sel.each(func(i int) {
			cs := sel.idx.committees[i] // the held ones, by date
			if len(cs) == 0 || cs[0].Date > from {
				return
			}
			if d := portfolio.NextCommitteeDueAt(sel.idx.phases[i], cs, from); !d.IsZero() && d <= to {
				if due.Len() > 1 {
					due.WriteByte(',')
				}
				fmt.Fprintf(&due, `[%d,"%s"]`, sel.idx.ids[i], d)
			}
		})
		due.WriteByte(']')
		where = sel.where(b)
		dueArg, pf := b.arg(due.String()), b.date(from)
		dueCTE = `WITH due AS MATERIALIZED (SELECT json_extract(value, '$[0]') AS sid, json_extract(value, '$[1]') AS due FROM json_each(` + dueArg + `) j
			WHERE NOT EXISTS (SELECT 1 FROM committees c WHERE c.startup_id = json_extract(j.value, '$[0]') AND ` + planned + ` AND c.date >= ` + pf + `))
		`
	} else {
		var err error
		if where, err = startupFilterSQL(b, f, a, 0); err != nil {
			return nil, err
		}
		pf := b.date(from)
		// The next committee due is computed once a startup (a materialized
		// CTE: flattened, SQLite would compute it for each use), on the
		// startups with a committee held by from only.
		dueCTE = `WITH due AS MATERIALIZED (SELECT s.id AS sid, ` + nextDueAtSQL(a) + ` AS due FROM startups s
			WHERE s.id IN (SELECT c.startup_id FROM committees c WHERE ` + heldSQL("c") + ` AND c.date <= ` + pf + `)
				AND ` + where + ` AND NOT EXISTS (SELECT 1 FROM committees c WHERE c.startup_id = s.id AND ` + planned + ` AND c.date >= ` + pf + `))
		`
	}
	pf, pt := b.date(from), b.date(to)
	x := `SELECT s.id AS sid, c.date AS d, '` + string(portfolio.AgendaPlanned) + `' AS st, c.slug AS cslug
			FROM committees c JOIN startups s ON s.id = c.startup_id
			WHERE ` + planned + ` AND c.date >= ` + pf + ` AND c.date <= ` + pt + ` AND ` + where + `
		UNION ALL
		SELECT sid, due, '` + string(portfolio.AgendaDue) + `', NULL FROM due WHERE due <= ` + pt
	from_ := ` FROM (` + x + `) x JOIN startups s ON s.id = x.sid`
	nargs := len(b.args)
	// The total as a subquery run once: count(*) OVER () computed every
	// entry's columns (its review status, its next due date) before the
	// LIMIT.
	q := dueCTE + `SELECT s.id, s.slug, x.d, x.st, coalesce(x.cslug, ''), coalesce(` + reviewStatusAtSQL(a) + `, ''), coalesce(` + nextDueAtSQL(a) + `, ''),
			(SELECT count(*) FROM (` + x + `))` + from_ + `
		ORDER BY x.d, s.name_key, s.slug, x.cslug LIMIT ` + b.arg(w.Limit) + ` OFFSET ` + b.arg(w.Offset)
	p := &Page[*portfolio.CommitteeAgendaEntry]{}
	err := db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		e := &portfolio.CommitteeAgendaEntry{}
		var day, due string
		if err := rows.Scan(&e.StartupID, &e.StartupSlug, &day, &e.State, &e.CommitteeSlug, &e.ReviewStatus, &due, &p.Total); err != nil {
			return fmt.Errorf("scan agenda: %w", err)
		}
		e.Date, e.NextCommitteeDue = parseDate(day), parseDate(due)
		e.AttendeesAsOf = max(e.Date, from)
		p.Items = append(p.Items, e)
		return nil
	})
	if err == nil && len(p.Items) == 0 && w.Offset > 0 {
		// An empty page past the first: count what the window holds (an
		// empty first page holds all of it: none).
		err = db.each(ctx, dueCTE+"SELECT count(*)"+from_, b.args[:nargs], func(rows *sql.Rows) error { return rows.Scan(&p.Total) })
	}
	return p, err
}

// StartupDay is a startup (by id) and a day.
type StartupDay struct {
	StartupID int64
	Day       portfolio.Date
}

// IntrapreneursOn returns, for each startup and day, the startup's
// intrapreneurs that day (portfolio.IntrapreneurAt: the members of the
// INTRAPRENEURSHIP domain with a mission on it covering the day), each
// once, in the team's order (TeamsAt: by the start of their latest such
// mission, then name in French order), in one statement for every pair.
func (db *DB) IntrapreneursOn(ctx context.Context, keys []StartupDay) (map[StartupDay][]*portfolio.Member, error) {
	out := make(map[StartupDay][]*portfolio.Member, len(keys))
	pairs := make([][2]any, len(keys))
	for i, k := range keys {
		pairs[i] = [2]any{k.StartupID, k.Day.String()}
	}
	arg, err := json.Marshal(pairs)
	if err != nil {
		return nil, fmt.Errorf("intrapreneurs: %w", err)
	}
	q := `SELECT * FROM (SELECT ` + memberCols + `, k.sid, k.d, mi.start,
			row_number() OVER (PARTITION BY k.sid, k.d, mi.member_id ORDER BY mi.start DESC, mi.id DESC) AS rn, mb.name_key AS nk
		FROM (SELECT json_extract(value, '$[0]') AS sid, json_extract(value, '$[1]') AS d FROM json_each(?)) k
			JOIN mission_startups ms ON ms.startup_id = k.sid JOIN missions mi ON mi.id = ms.mission_id JOIN members mb ON mb.id = mi.member_id
		WHERE ` + intrapreneurSQL("mb", "mi", "k.d") + `)
		WHERE rn = 1 ORDER BY sid, d, start, nk, slug`
	var (
		m        portfolio.Member
		sid      int64
		d, start string
		rn       int64
		nk       []byte
		dest     = []any{&m.ID, &m.Slug, &m.Fullname, &m.Role, &m.Domain, &m.Github, &m.Link, &m.MemberType, &m.Bio, &m.Version, &sid, &d, &start, &rn, &nk}
	)
	err = db.each(ctx, q, []any{string(arg)}, func(rows *sql.Rows) error {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan intrapreneur: %w", err)
		}
		k := StartupDay{sid, parseDate(d)}
		p := new(portfolio.Member)
		*p = m
		out[k] = append(out[k], p)
		return nil
	})
	return out, err
}
