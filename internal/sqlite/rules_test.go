package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// One table of cases for the rules of DESIGN.md that have both a Go
// function (internal/portfolio) and an SQL expression (rules.go): the next
// committee due, the review status, the deprecated "committee overdue",
// and "without an intrapreneur". Every case runs through every
// implementation of the rules — the Go functions, the SQL expressions, the
// filters compiled to SQL, and the timeline's in-memory evaluation of a
// dated filter — on an in-memory database, and each must give the answer
// the case states: none can drift from the others (as litestream runs one
// suite over every replica client).

// ruleMission is a member's mission in a case: the member's domain, the
// mission's dates, and the startups it names (the case's startup when
// none).
type ruleMission struct {
	domain     portfolio.Domain
	start, end string
	startups   []string
}

// ruleCase is a startup's records and a date, and what the rules say of it
// then.
type ruleCase struct {
	name       string
	phases     []portfolio.PhasePeriod
	committees []portfolio.Committee // in the records' order; slugs are made from the dates
	missions   []ruleMission
	at         string // default ruleDay

	status  portfolio.ReviewStatus // ReviewStatusAt, "" when not in incubation
	due     string                 // NextCommitteeDueAt, "" for none
	overdue bool                   // the deprecated OverdueAt
	without bool                   // WithoutIntrapreneurAt
}

// ruleDay is the date of the cases that name none: 183 days after
// 2026-02-18, 60 days before 2026-10-19.
const ruleDay = "2026-08-20"

func ph(p portfolio.Phase, start string) portfolio.PhasePeriod {
	pp := portfolio.PhasePeriod{Phase: p}
	if start != "" {
		pp.Start = portfolio.MustDate(start)
	}
	return pp
}

// cm is a committee on date, recording due when it is not "".
func cm(date, due string) portfolio.Committee {
	c := portfolio.Committee{Date: portfolio.MustDate(date), Decision: portfolio.DecisionContinue}
	if due != "" {
		c.NextCommitteeDue = portfolio.MustDate(due)
	}
	return c
}

// planned is a committee planned on date (issue 19): no outcome, and it
// counts in no rule.
func planned(date string) portfolio.Committee {
	return portfolio.Committee{Date: portfolio.MustDate(date), Decision: portfolio.DecisionUnspecified, State: portfolio.CommitteePlanned}
}

// cancelled is a committee planned on date, then called off.
func cancelled(date string) portfolio.Committee {
	c := planned(date)
	c.State = portfolio.CommitteeCancelled
	return c
}

var (
	inCons = []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2024-01-10"), ph(portfolio.PhaseConstruction, "2024-09-01")}
	intra  = portfolio.DomainIntrapreneur
	dev    = portfolio.DomainDevelopment
)

var ruleCases = []ruleCase{
	// Not in incubation: no status, nothing due, never late, no alert.
	{name: "before its first phase", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2026-08-21")}},
	{name: "no phase", committees: []portfolio.Committee{cm("2020-01-01", "")}},
	{name: "undated phase only", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConstruction, "")}},
	{name: "abandoned, long without committee", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2020-01-01"), ph(portfolio.PhaseAbandoned, "2021-01-01")}},
	{name: "transferred, its last committee long ago", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConsolidation, "2020-01-01"), ph(portfolio.PhaseTransferred, "2023-01-01")},
		committees: []portfolio.Committee{cm("2022-06-01", "")}},
	{name: "a phase out of incubation starting the same day, listed later, wins",
		phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConstruction, "2025-01-01"), ph(portfolio.PhaseAbandoned, "2025-01-01")}},

	// None recorded: unknown, not late (the deprecated rule counts it late
	// after 183 days in incubation).
	{name: "no committee, 100 days in", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2026-05-12")},
		status: portfolio.ReviewNoneRecorded, without: true},
	{name: "no committee, 183 days in", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2026-02-18")},
		status: portfolio.ReviewNoneRecorded, without: true},
	{name: "no committee, 184 days in", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2026-02-17")},
		status: portfolio.ReviewNoneRecorded, overdue: true, without: true},
	{name: "no committee: since the earliest start, not the current phase's", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConstruction, "2026-08-01"), ph(portfolio.PhaseInvestigation, "2018-07-03")},
		status: portfolio.ReviewNoneRecorded, overdue: true, without: true},
	{name: "its only committee after the date", phases: inCons, committees: []portfolio.Committee{cm("2026-08-21", "")},
		status: portfolio.ReviewNoneRecorded, overdue: true, without: true},

	// Held: 183 days after the last committee, unless it recorded a date.
	{name: "committee on the date", phases: inCons, committees: []portfolio.Committee{cm(ruleDay, "")},
		status: portfolio.ReviewUpToDate, due: "2027-02-19", without: true},
	{name: "due in 183 days: today, due soon", phases: inCons, committees: []portfolio.Committee{cm("2026-02-18", "")},
		status: portfolio.ReviewDueSoon, due: ruleDay, without: true},
	{name: "due yesterday: overdue", phases: inCons, committees: []portfolio.Committee{cm("2026-02-17", "")},
		status: portfolio.ReviewOverdue, due: "2026-08-19", overdue: true, without: true},
	{name: "due in 60 days: due soon", phases: inCons, committees: []portfolio.Committee{cm("2026-04-19", "")},
		status: portfolio.ReviewDueSoon, due: "2026-10-19", without: true},
	{name: "due in 61 days: up to date", phases: inCons, committees: []portfolio.Committee{cm("2026-04-20", "")},
		status: portfolio.ReviewUpToDate, due: "2026-10-20", without: true},
	{name: "the last committee counts, whatever the records' order", phases: inCons,
		committees: []portfolio.Committee{cm("2026-05-01", ""), cm("2024-01-15", "")},
		status:     portfolio.ReviewUpToDate, due: "2026-10-31", without: true},
	{name: "a committee deciding a stop while still in incubation: 183 days still", phases: inCons,
		committees: []portfolio.Committee{{Date: portfolio.MustDate("2025-01-02"), Decision: portfolio.DecisionStop}},
		status:     portfolio.ReviewOverdue, due: "2025-07-04", overdue: true, without: true},
	{name: "across 29 February, due that day", phases: inCons, committees: []portfolio.Committee{cm("2024-02-29", "")}, at: "2024-08-30",
		status: portfolio.ReviewDueSoon, due: "2024-08-30", without: true},
	{name: "across 29 February, the day after", phases: inCons, committees: []portfolio.Committee{cm("2024-02-29", "")}, at: "2024-08-31",
		status: portfolio.ReviewOverdue, due: "2024-08-30", overdue: true, without: true},

	// Recorded dates win.
	{name: "recorded due before the date: overdue though the committee is recent", phases: inCons,
		committees: []portfolio.Committee{cm("2026-07-01", "2026-08-01")},
		status:     portfolio.ReviewOverdue, due: "2026-08-01", overdue: true, without: true},
	{name: "recorded due far away: up to date though 183 days passed", phases: inCons,
		committees: []portfolio.Committee{cm("2025-06-01", "2027-01-01")},
		status:     portfolio.ReviewUpToDate, due: "2027-01-01", without: true},
	{name: "recorded due on the date", phases: inCons, committees: []portfolio.Committee{cm("2026-06-01", ruleDay)},
		status: portfolio.ReviewDueSoon, due: ruleDay, without: true},
	{name: "an older committee's recorded date no longer counts", phases: inCons,
		committees: []portfolio.Committee{cm("2026-01-01", "2027-01-01"), cm("2026-02-01", "")},
		status:     portfolio.ReviewOverdue, due: "2026-08-03", overdue: true, without: true},
	{name: "two committees the same day: the later slug counts", phases: inCons,
		committees: []portfolio.Committee{cm("2026-03-01", ""), cm("2026-03-01", "2026-12-31")},
		status:     portfolio.ReviewUpToDate, due: "2026-12-31", without: true},

	// Planned and cancelled committees (issue 19) move nothing: only held
	// ones count, whatever their dates.
	{name: "only a planned committee, before the date: none recorded", phases: inCons, committees: []portfolio.Committee{planned("2026-07-01")},
		status: portfolio.ReviewNoneRecorded, overdue: true, without: true},
	{name: "a planned committee on the date: still none recorded", phases: inCons, committees: []portfolio.Committee{planned(ruleDay)},
		status: portfolio.ReviewNoneRecorded, overdue: true, without: true},
	{name: "a planned committee after a late one: still overdue", phases: inCons,
		committees: []portfolio.Committee{cm("2026-02-17", ""), planned("2026-08-01")},
		status:     portfolio.ReviewOverdue, due: "2026-08-19", overdue: true, without: true},
	{name: "a planned committee the same day as a held one, its slug later: the held one counts", phases: inCons,
		committees: []portfolio.Committee{cm("2026-04-19", ""), planned("2026-04-19")},
		status:     portfolio.ReviewDueSoon, due: "2026-10-19", without: true},
	{name: "a cancelled committee after a held one: the held one counts", phases: inCons,
		committees: []portfolio.Committee{cm("2026-02-17", ""), cancelled("2026-06-01")},
		status:     portfolio.ReviewOverdue, due: "2026-08-19", overdue: true, without: true},
	{name: "only a cancelled committee: none recorded", phases: inCons, committees: []portfolio.Committee{cancelled("2026-06-01")},
		status: portfolio.ReviewNoneRecorded, overdue: true, without: true},

	// Intrapreneurs: a member of the INTRAPRENEURSHIP domain on a mission
	// on the startup covering the date.
	{name: "an intrapreneur on the team", phases: inCons, committees: []portfolio.Committee{cm("2026-06-01", "")},
		missions: []ruleMission{{domain: dev, start: "2024-01-01"}, {domain: intra, start: "2025-01-01", end: "2026-12-31"}},
		status:   portfolio.ReviewUpToDate, due: "2026-12-01"},
	{name: "an intrapreneur whose mission ends on the date", phases: inCons,
		missions: []ruleMission{{domain: intra, start: "2025-01-01", end: ruleDay}},
		status:   portfolio.ReviewNoneRecorded, overdue: true},
	{name: "an intrapreneur whose mission ended the day before", phases: inCons,
		missions: []ruleMission{{domain: intra, start: "2025-01-01", end: "2026-08-19"}},
		status:   portfolio.ReviewNoneRecorded, overdue: true, without: true},
	{name: "an intrapreneur from the next day", phases: inCons,
		missions: []ruleMission{{domain: intra, start: "2026-08-21"}},
		status:   portfolio.ReviewNoneRecorded, overdue: true, without: true},
	{name: "an intrapreneur from the date, open-ended", phases: inCons,
		missions: []ruleMission{{domain: intra, start: ruleDay}},
		status:   portfolio.ReviewNoneRecorded, overdue: true},
	{name: "developers only", phases: inCons,
		missions: []ruleMission{{domain: dev, start: "2024-01-01"}, {domain: portfolio.DomainProduct, start: "2024-01-01"}},
		status:   portfolio.ReviewNoneRecorded, overdue: true, without: true},
	{name: "an intrapreneur of another startup", phases: inCons,
		missions: []ruleMission{{domain: intra, start: "2024-01-01", startups: []string{"ailleurs"}}},
		status:   portfolio.ReviewNoneRecorded, overdue: true, without: true},
	{name: "an intrapreneur of this startup and another", phases: inCons,
		missions: []ruleMission{{domain: intra, start: "2024-01-01", startups: []string{"ailleurs", "$self"}}},
		status:   portfolio.ReviewNoneRecorded, overdue: true},
	{name: "out of incubation, no intrapreneur: no alert",
		phases:   []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2020-01-01"), ph(portfolio.PhaseOperated, "2022-01-01")},
		missions: []ruleMission{{domain: dev, start: "2020-01-01"}}},
}

// caseSlug is the slug of case i's startup.
func caseSlug(i int) string { return fmt.Sprintf("cas-%02d", i) }

func (c *ruleCase) day() portfolio.Date {
	if c.at == "" {
		return portfolio.MustDate(ruleDay)
	}
	return portfolio.MustDate(c.at)
}

// records returns the case's startup and members as the store receives
// them.
func (c *ruleCase) records(i int) (*portfolio.Startup, []*portfolio.Member) {
	slug := caseSlug(i)
	s := &portfolio.Startup{Slug: slug, Name: c.name, Phases: slices.Clone(c.phases)}
	for k, x := range c.committees {
		x.Slug = slug + "/" + x.Date.String()
		if k > 0 && c.committees[k-1].Date == x.Date {
			x.Slug += "-2"
		}
		x.StartupSlug = slug
		s.Committees = append(s.Committees, x)
	}
	var members []*portfolio.Member
	for k, m := range c.missions {
		member := &portfolio.Member{Slug: fmt.Sprintf("%s-m%d", slug, k), Fullname: "Membre", Domain: m.domain}
		mi := portfolio.Mission{Slug: member.Slug + "/0", MemberSlug: member.Slug, Start: portfolio.MustDate(m.start), Startups: []string{slug}}
		if m.end != "" {
			mi.End = portfolio.MustDate(m.end)
		}
		if m.startups != nil {
			mi.Startups = nil
			for _, st := range m.startups {
				mi.Startups = append(mi.Startups, strings.ReplaceAll(st, "$self", slug))
			}
		}
		member.Missions = []portfolio.Mission{mi}
		members = append(members, member)
	}
	return s, members
}

// ruleAnswer is what an implementation says of a case.
type ruleAnswer struct {
	status  portfolio.ReviewStatus
	due     portfolio.Date
	overdue bool
	without bool
}

// ruleImpl is one implementation of the rules. withDue is false for those
// that cannot say the date due (filters say whether a startup is in a
// range, not its date).
type ruleImpl struct {
	name    string
	withDue bool
	answer  func(t *testing.T, i int, c *ruleCase) ruleAnswer
}

// openMemoryDB opens a database in memory, shared by its connections, with
// the migrations applied: the store as Open makes it, without a file.
func openMemoryDB(tb testing.TB) *DB {
	tb.Helper()
	ctx := context.Background()
	dsn := "file:" + url.PathEscape(strings.ReplaceAll(tb.Name(), "/", "_")) + "?mode=memory&cache=shared&_pragma=" + url.QueryEscape("foreign_keys(1)")
	db := &DB{Path: ":memory:", stmts: map[string]*sql.Stmt{}}
	c, err := newConnector(db, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	db.write = sql.OpenDB(c)
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	if err := db.migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	db.read = sql.OpenDB(c)
	db.read.SetMaxOpenConns(2)
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestRulesAgree runs ruleCases through every implementation of the rules.
func TestRulesAgree(t *testing.T) {
	ctx := context.Background()
	db := openMemoryDB(t)
	if _, err := db.Load(ctx, LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		var errs []error
		errs = append(errs, s.PutStartup(ctx, &portfolio.Startup{Slug: "ailleurs", Name: "Ailleurs",
			Phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConstruction, "2020-01-01")}}))
		var members []*portfolio.Member
		for i := range ruleCases {
			st, ms := ruleCases[i].records(i)
			errs = append(errs, s.PutStartup(ctx, st))
			members = append(members, ms...)
		}
		for _, m := range members {
			errs = append(errs, s.PutMember(ctx, m))
		}
		return errors.Join(errs...)
	}); err != nil {
		t.Fatal(err)
	}

	// filterHolds says whether f selects case i's startup (alone) at its
	// date, through fn (the SQL of filters, or a timeline).
	selects := func(t *testing.T, i int, c *ruleCase, f portfolio.StartupFilter, fn func(*portfolio.StartupFilter, portfolio.Date) (bool, error)) bool {
		t.Helper()
		f.Slugs = []string{caseSlug(i)}
		ok, err := fn(&f, c.day())
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	// byFilters answers a case with the filters' conditions, through fn;
	// seesAll when fn sees every startup (a timeline counts those with a
	// phase only).
	byFilters := func(seesAll bool, fn func(*portfolio.StartupFilter, portfolio.Date) (bool, error)) func(t *testing.T, i int, c *ruleCase) ruleAnswer {
		return func(t *testing.T, i int, c *ruleCase) ruleAnswer {
			var a ruleAnswer
			for _, s := range portfolio.ReviewStatuses {
				if selects(t, i, c, portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{ReviewStatus: []portfolio.ReviewStatus{s}}}, fn) {
					if a.status != "" {
						t.Errorf("both %s and %s select it", a.status, s)
					}
					a.status = s
				}
			}
			yes := true
			a.overdue = selects(t, i, c, portfolio.StartupFilter{CommitteeOverdue: &yes}, fn)
			a.without = selects(t, i, c, portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{WithoutIntrapreneur: &yes}}, fn)
			// false is the others.
			no := false
			if seesAll && selects(t, i, c, portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{WithoutIntrapreneur: &no}}, fn) == a.without {
				t.Errorf("withoutIntrapreneur: false is not the others")
			}
			return a
		}
	}

	impls := []ruleImpl{
		{name: "go", withDue: true, answer: func(t *testing.T, i int, c *ruleCase) ruleAnswer {
			st, members := c.records(i)
			// As the store hands them: phases by start (ties in the
			// records' order), committees by date (ties by slug).
			phases := slices.Clone(st.Phases)
			slices.SortStableFunc(phases, func(a, b portfolio.PhasePeriod) int { return cmp.Compare(a.Start, b.Start) })
			var committees []*portfolio.Committee
			for k := range st.Committees {
				committees = append(committees, &st.Committees[k])
			}
			slices.SortStableFunc(committees, func(a, b *portfolio.Committee) int {
				return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Slug, b.Slug))
			})
			var missions []portfolio.Mission
			domains := map[string]portfolio.Domain{}
			for _, m := range members {
				missions = append(missions, m.Missions...)
				domains[m.Slug] = m.Domain
			}
			d := c.day()
			return ruleAnswer{
				status:  portfolio.ReviewStatusAt(phases, committees, d),
				due:     portfolio.NextCommitteeDueAt(phases, committees, d),
				overdue: portfolio.OverdueAt(phases, committees, d),
				without: portfolio.WithoutIntrapreneurAt(phases, missions, func(m string) portfolio.Domain { return domains[m] }, st.Slug, d),
			}
		}},
		{name: "sql", withDue: true, answer: func(t *testing.T, i int, c *ruleCase) ruleAnswer {
			b := &builder{}
			a := at{b: b, d: c.day()}
			q := "SELECT coalesce(" + reviewStatusAtSQL(a) + ", ''), coalesce(" + nextDueAtSQL(a) + ", ''), " + overdueAtSQL(a) + ", " +
				withoutIntrapreneurAtSQL(a) + " FROM startups s WHERE s.slug = " + b.arg(caseSlug(i))
			var ans ruleAnswer
			var due string
			n := 0
			err := db.each(context.Background(), q, b.args, func(rows *sql.Rows) error {
				n++
				return rows.Scan(&ans.status, &due, &ans.overdue, &ans.without)
			})
			if err != nil || n != 1 {
				t.Fatalf("%d rows, %v\n%s", n, err, q)
			}
			if due != "" {
				ans.due = portfolio.MustDate(due)
			}
			return ans
		}},
		{name: "filters in SQL", answer: byFilters(true, func(f *portfolio.StartupFilter, d portfolio.Date) (bool, error) {
			n, err := db.StartupCount(context.Background(), f, d)
			return n == 1, err
		})},
		{name: "filters of a timeline, in memory", answer: byFilters(false, func(f *portfolio.StartupFilter, d portfolio.Date) (bool, error) {
			if !timeDependent(f) {
				return false, fmt.Errorf("the filter does not depend on the date")
			}
			// The timeline's points: the date, and a day when no case
			// is in incubation yet.
			pts, err := db.Timeline(context.Background(), f, []portfolio.Date{d, portfolio.MustDate("2000-01-01")}, false)
			if err != nil {
				return false, err
			}
			n := 0
			for _, c := range pts[0].ByPhase {
				n += c.Count
			}
			return n == 1, nil
		})},
	}

	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			for i := range ruleCases {
				c := &ruleCases[i]
				t.Run(c.name, func(t *testing.T) {
					got := impl.answer(t, i, c)
					if got.status != c.status {
						t.Errorf("review status %q, want %q", got.status, c.status)
					}
					if impl.withDue && got.due.String() != c.due && !(got.due.IsZero() && c.due == "") {
						t.Errorf("next committee due %s, want %q", got.due, c.due)
					}
					if got.overdue != c.overdue {
						t.Errorf("committee overdue (deprecated) %v, want %v", got.overdue, c.overdue)
					}
					if got.without != c.without {
						t.Errorf("without an intrapreneur %v, want %v", got.without, c.without)
					}
				})
			}
		})
	}
}
