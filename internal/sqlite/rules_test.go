package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The table of cases of the committee rules of DESIGN.md: the next
// committee due (and the due a committee gives, Committee.NextDue), the
// review status, "never reviewed", the deprecated "committee overdue", and
// "without an intrapreneur". Every case runs through every implementation
// (see rules_harness_test.go): the Go functions on the records and on what
// the store hands the resolvers, the SQL expressions, the filters compiled
// to SQL, the portfolio's aggregates, and the timeline's in-memory
// evaluation of a dated filter.

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

	status portfolio.ReviewStatus // ReviewStatusAt, "" when not in incubation
	due    string                 // NextCommitteeDueAt, "" for none
	// gives is the date the last committee held on or before the date
	// gives (Committee.NextDue), when the startup is not in incubation
	// then (due is ""); otherwise it is due. No committee held by the date
	// gives none: the startup was never reviewed (NeverReviewedAt).
	gives   string
	overdue bool // the deprecated OverdueAt
	without bool // WithoutIntrapreneurAt
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
	{name: "no phase", committees: []portfolio.Committee{cm("2020-01-01", "")}, gives: "2020-07-02"},
	{name: "undated phase only", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConstruction, "")}},
	{name: "abandoned, long without committee", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2020-01-01"), ph(portfolio.PhaseAbandoned, "2021-01-01")}},
	{name: "transferred, its last committee long ago", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConsolidation, "2020-01-01"), ph(portfolio.PhaseTransferred, "2023-01-01")},
		committees: []portfolio.Committee{cm("2022-06-01", "")}, gives: "2022-12-01"},
	{name: "a phase out of incubation starting the same day, listed later, wins",
		phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConstruction, "2025-01-01"), ph(portfolio.PhaseAbandoned, "2025-01-01")}},
	{name: "in an UNKNOWN phase (an older archive's): out of incubation", phases: []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2024-01-01"), ph(portfolio.PhaseUnknown, "2025-01-01")},
		committees: []portfolio.Committee{cm("2024-06-01", "")}, gives: "2024-12-01"},
	{name: "a stop decided, then the phase abandoned: nothing due", phases: append(slices.Clone(inCons), ph(portfolio.PhaseAbandoned, "2026-03-01")),
		committees: []portfolio.Committee{{Date: portfolio.MustDate("2026-02-15"), Decision: portfolio.DecisionStop, NextPhase: portfolio.PhaseAbandoned}},
		gives:      "2026-08-17"},

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
	{name: "a transfer decided while still in incubation: 183 days still", phases: inCons,
		committees: []portfolio.Committee{{Date: portfolio.MustDate("2026-05-01"), Decision: portfolio.DecisionTransfer}},
		status:     portfolio.ReviewUpToDate, due: "2026-10-31", without: true},
	{name: "a passage out of incubation decided, the phase not moved yet: 183 days still", phases: inCons,
		committees: []portfolio.Committee{{Date: portfolio.MustDate("2026-06-01"), Decision: portfolio.DecisionAdvance, NextPhase: portfolio.PhaseOperated}},
		status:     portfolio.ReviewUpToDate, due: "2026-12-01", without: true},
	{name: "a stop with a recorded date: that date", phases: inCons,
		committees: []portfolio.Committee{{Date: portfolio.MustDate("2026-04-01"), Decision: portfolio.DecisionStop, NextCommitteeDue: portfolio.MustDate("2026-09-01")}},
		status:     portfolio.ReviewDueSoon, due: "2026-09-01", without: true},
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

// ruleAnswer is what an implementation says of a ruleCase.
type ruleAnswer struct {
	Status  portfolio.ReviewStatus
	Due     string // NextCommitteeDueAt
	Gives   string // NextDue of the last committee by the date
	Never   bool   // NeverReviewedAt
	Overdue bool
	Without bool
}

// want is what the case says.
func (c *ruleCase) want() ruleAnswer {
	gives := c.gives
	if gives == "" {
		gives = c.due
	}
	return ruleAnswer{Status: c.status, Due: c.due, Gives: gives, Never: gives == "", Overdue: c.overdue, Without: c.without}
}

// goRuleAnswer applies the Go rules to a startup's phases (by start, ties
// in the record's order), committees (by date, ties by slug) and
// missions.
func goRuleAnswer(slug string, phases []portfolio.PhasePeriod, committees []*portfolio.Committee, missions []portfolio.Mission,
	domainOf func(string) portfolio.Domain, d portfolio.Date) ruleAnswer {
	a := ruleAnswer{
		Status:  portfolio.ReviewStatusAt(phases, committees, d),
		Due:     dayString(portfolio.NextCommitteeDueAt(phases, committees, d)),
		Never:   portfolio.NeverReviewedAt(committees, d),
		Overdue: portfolio.OverdueAt(phases, committees, d),
		Without: portfolio.WithoutIntrapreneurAt(phases, missions, domainOf, slug, d),
	}
	if k := portfolio.LastCommittee(committees, d); k >= 0 {
		a.Gives = committees[k].NextDue().String()
	}
	return a
}

// TestRulesAgree runs ruleCases through every implementation of the
// committee rules.
func TestRulesAgree(t *testing.T) {
	ctx := context.Background()
	db := openMemoryDB(t)
	var startups []*portfolio.Startup
	var members []*portfolio.Member
	for i := range ruleCases {
		st, ms := ruleCases[i].records(i)
		startups = append(startups, st)
		members = append(members, ms...)
	}
	loadCases(t, db, true, startups, members)

	// byFilters answers a case with the filters' conditions, in SQL or in
	// a timeline (which counts the startups with a phase only).
	byFilters := func(ctx context.Context, timeline bool) func(t *testing.T, i int, c *ruleCase) ruleAnswer {
		return func(t *testing.T, i int, c *ruleCase) ruleAnswer {
			slug, d := caseSlug(i), c.day()
			selects := func(f portfolio.StartupFilter) bool { return selectsAt(t, ctx, db, slug, f, d, timeline) }
			var a ruleAnswer
			for _, s := range portfolio.ReviewStatuses {
				if selects(portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{ReviewStatus: []portfolio.ReviewStatus{s}}}) {
					if a.Status != "" {
						t.Errorf("both %s and %s select it", a.Status, s)
					}
					a.Status = s
				}
			}
			yes, no := true, false
			a.Overdue = selects(portfolio.StartupFilter{CommitteeOverdue: &yes})
			a.Without = selects(portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{WithoutIntrapreneur: &yes}})
			// The date due: the first day the ranges of nextCommitteeDue
			// that end on it select the startup, none when no range does.
			byRange := func(from, to *portfolio.Date) bool {
				return selects(portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{NextCommitteeDue: &portfolio.DateRange{From: from, To: to}}})
			}
			if byRange(nil, nil) {
				lo, hi := portfolio.MustDate("1900-01-01"), portfolio.MustDate("2200-01-01")
				for lo < hi {
					mid := lo + (hi-lo)/2
					if byRange(nil, &mid) {
						hi = mid
					} else {
						lo = mid + 1
					}
				}
				if !byRange(&lo, &lo) {
					t.Errorf("due %s, but the range [%[1]s, %[1]s] does not select it", lo)
				}
				a.Due = lo.String()
			}
			if !timeline {
				// A timeline counts the startups with a phase at its
				// points only: false is the others in SQL alone.
				a.Never = selects(portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{NeverReviewed: &yes}})
				if a.Never == selects(portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{NeverReviewed: &no}}) {
					t.Errorf("neverReviewed: false is not the others")
				}
				if selects(portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{WithoutIntrapreneur: &no}}) == a.Without {
					t.Errorf("withoutIntrapreneur: false is not the others")
				}
			}
			return a
		}
	}

	// byAggregates answers a case with the portfolio's figures of the
	// startup alone.
	byAggregates := func(ctx context.Context) func(t *testing.T, i int, c *ruleCase) ruleAnswer {
		return func(t *testing.T, i int, c *ruleCase) ruleAnswer {
			f, d := &portfolio.StartupFilter{Slugs: []string{caseSlug(i)}}, c.day()
			var a ruleAnswer
			cs, err := db.ReviewStatuses(ctx, f, d)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, x := range cs {
				if x.Count > 0 {
					a.Status, n = portfolio.ReviewStatus(x.Key), n+x.Count
				}
			}
			if n > 1 {
				t.Errorf("statuses %v for one startup", cs)
			}
			overdue, err := db.OverdueCount(ctx, f, d)
			if err != nil {
				t.Fatal(err)
			}
			without, err := db.WithoutIntrapreneurCount(ctx, f, d)
			if err != nil {
				t.Fatal(err)
			}
			a.Overdue, a.Without = overdue == 1, without == 1
			return a
		}
	}

	impls := []ruleImpl[ruleCase, ruleAnswer]{
		{name: "go, the records", answer: func(t *testing.T, i int, c *ruleCase) ruleAnswer {
			st, members := c.records(i)
			// In the order the rules take them: phases by start (ties in
			// the records' order), committees by date (ties by slug).
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
			return goRuleAnswer(st.Slug, phases, committees, missions, func(m string) portfolio.Domain { return domains[m] }, c.day())
		}},
		// The resolvers (Startup.nextCommitteeDue, reviewStatus,
		// committeeOverdue, lastCommittee, intrapreneurs, Committee.nextDue)
		// run the Go rules on what the store's batch reads hand them.
		{name: "go, as the store hands them", answer: func(t *testing.T, i int, c *ruleCase) ruleAnswer {
			slug, d := caseSlug(i), c.day()
			id := startupID(t, db, slug)
			phases, err := db.PhasesByStartup(ctx, []int64{id})
			if err != nil {
				t.Fatal(err)
			}
			committees, err := db.CommitteesByStartup(ctx, []int64{id})
			if err != nil {
				t.Fatal(err)
			}
			teams, err := db.TeamsAt(ctx, []int64{id}, d)
			if err != nil {
				t.Fatal(err)
			}
			var missions []portfolio.Mission
			domains := map[string]portfolio.Domain{}
			for _, tm := range teams[id] {
				m := *tm.Mission
				m.Startups = []string{slug}
				missions = append(missions, m)
				domains[m.MemberSlug] = tm.Member.Domain
			}
			return goRuleAnswer(slug, phases[id], committees[id], missions, func(m string) portfolio.Domain { return domains[m] }, d)
		}},
		{name: "sql", answer: func(t *testing.T, i int, c *ruleCase) ruleAnswer {
			b := &builder{}
			a := at{b: b, d: c.day()}
			q := "SELECT coalesce(" + reviewStatusAtSQL(a) + ", ''), coalesce(" + nextDueAtSQL(a) + ", ''), coalesce(" + lastDueSQL("s.id", a.sql()) + ", ''), " +
				neverReviewedSQL("s.id", a.sql()) + ", " + overdueAtSQL(a) + ", " + withoutIntrapreneurAtSQL(a) + " FROM startups s WHERE s.slug = " + b.arg(caseSlug(i))
			var ans ruleAnswer
			if err := db.read.QueryRow(q, b.args...).Scan(&ans.Status, &ans.Due, &ans.Gives, &ans.Never, &ans.Overdue, &ans.Without); err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
			return ans
		}},
		{name: "filters in sql", tells: []string{"Status", "Due", "Never", "Overdue", "Without"}, answer: byFilters(WithSQLRules(ctx), false)},
		{name: "filters at a date, in memory", tells: []string{"Status", "Due", "Never", "Overdue", "Without"}, answer: byFilters(ctx, false)},
		{name: "filters of a timeline, in memory", tells: []string{"Status", "Due", "Overdue", "Without"}, answer: byFilters(ctx, true)},
		// Portfolio.reviewStatuses, committeeOverdueCount and
		// withoutIntrapreneurCount: in SQL, they read the phase at the date
		// from the phases going on then (currentCTE), not from phaseAtSQL;
		// by default, they count over the dated index in memory.
		{name: "portfolio aggregates in sql", tells: []string{"Status", "Overdue", "Without"}, answer: byAggregates(WithSQLRules(ctx))},
		{name: "portfolio aggregates in memory", tells: []string{"Status", "Overdue", "Without"}, answer: byAggregates(ctx)},
	}
	runRule(t, ruleCases, func(c *ruleCase) string { return c.name }, (*ruleCase).want, impls)
}
