package sqlite

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The rules on a startup's phases (DESIGN.md, "Semantics"): the phase at
// D, active at D, time in phase, since when it has been in incubation, and
// the flows of a period; one table of cases each, run through every
// implementation on each store of phaseStores.

var (
	inv     = portfolio.PhaseInvestigation
	cons    = portfolio.PhaseConstruction
	acc     = portfolio.PhaseAcceleration
	consol  = portfolio.PhaseConsolidation
	transf  = portfolio.PhaseTransferred
	operate = portfolio.PhaseOperated
	aband   = portfolio.PhaseAbandoned
	abInv   = portfolio.PhaseInvestigationAbandoned
	unknown = portfolio.PhaseUnknown
)

// phs lists phase periods: phase, start ("" for none), phase, start, …
func phs(ps ...any) []portfolio.PhasePeriod {
	var out []portfolio.PhasePeriod
	for i := 0; i < len(ps); i += 2 {
		out = append(out, ph(ps[i].(portfolio.Phase), ps[i+1].(string)))
	}
	return out
}

// ended is a phase period whose record gives an end.
func ended(p portfolio.Phase, start, end string) portfolio.PhasePeriod {
	pp := ph(p, start)
	pp.End = portfolio.MustDate(end)
	return pp
}

// phaseCase is a startup's phases, in the record's order, and a date.
type phaseCase struct {
	name   string
	phases []portfolio.PhasePeriod
	at     string // ruleDay when ""

	phase  portfolio.Phase // PhaseAt: "" for none
	start  string          // the start of that phase period
	active bool            // ActiveAt
	since  string          // IncubatedSince: the earliest start
	// days is the time spent in each phase (DaysInPhase) by the phase
	// periods started by the date, "PHASE periods/days": the current one up
	// to the date, the others up to the next phase's start.
	days string
}

// phaseAnswer is what an implementation says of a phaseCase.
type phaseAnswer struct {
	Phase  portfolio.Phase
	Start  string
	Active bool
	Since  string
	Days   string
}

func (c *phaseCase) day() portfolio.Date {
	if c.at == "" {
		return portfolio.MustDate(ruleDay)
	}
	return portfolio.MustDate(c.at)
}

var phaseCases = []phaseCase{
	{name: "no phase"},
	{name: "before its first phase", phases: phs(inv, "2026-08-21"), since: "2026-08-21"},
	{name: "a phase starting on the date", phases: phs(inv, "2026-01-01", cons, ruleDay),
		phase: cons, start: ruleDay, active: true, since: "2026-01-01", days: "INVESTIGATION 1/231, CONSTRUCTION 1/0"},
	{name: "the day before the next phase starts", phases: phs(inv, "2026-01-01", cons, "2026-08-21"),
		phase: inv, start: "2026-01-01", active: true, since: "2026-01-01", days: "INVESTIGATION 1/231"},
	{name: "two phases the same day: the later listed wins", phases: phs(inv, "2025-03-01", abInv, "2025-03-01"),
		phase: abInv, start: "2025-03-01", since: "2025-03-01", days: "INVESTIGATION 1/0, INVESTIGATION_ABANDONED 1/537"},
	{name: "two phases the same day, the other way round", phases: phs(abInv, "2025-03-01", inv, "2025-03-01"),
		phase: inv, start: "2025-03-01", active: true, since: "2025-03-01", days: "INVESTIGATION 1/537, INVESTIGATION_ABANDONED 1/0"},
	{name: "three phases the same day: the last listed", phases: phs(inv, ruleDay, cons, ruleDay, acc, ruleDay),
		phase: acc, start: ruleDay, active: true, since: ruleDay, days: "INVESTIGATION 1/0, CONSTRUCTION 1/0, ACCELERATION 1/0"},
	{name: "records out of order: the latest start, not the last listed", phases: phs(acc, "2025-01-01", inv, "2024-01-01", cons, "2024-06-01"), at: "2024-07-01",
		phase: cons, start: "2024-06-01", active: true, since: "2024-01-01", days: "INVESTIGATION 1/152, CONSTRUCTION 1/30"},
	{name: "records out of order, on the last start", phases: phs(acc, "2025-01-01", inv, "2024-01-01", cons, "2024-06-01"), at: "2025-01-01",
		phase: acc, start: "2025-01-01", active: true, since: "2024-01-01", days: "INVESTIGATION 1/152, CONSTRUCTION 1/214, ACCELERATION 1/0"},
	{name: "an undated phase alone", phases: phs(cons, "")},
	{name: "an undated phase listed last is skipped", phases: phs(inv, "2024-01-01", cons, ""),
		phase: inv, start: "2024-01-01", active: true, since: "2024-01-01", days: "INVESTIGATION 1/962"},
	{name: "an undated phase, the dated one starting later", phases: phs(inv, "", cons, "2026-09-01"), since: "2026-09-01"},
	{name: "an end date is informative", phases: []portfolio.PhasePeriod{ended(inv, "2024-01-01", "2024-02-01"), ph(cons, "2024-06-01")}, at: "2024-03-01",
		phase: inv, start: "2024-01-01", active: true, since: "2024-01-01", days: "INVESTIGATION 1/60"},
	{name: "an ended phase with no next one is still the phase", phases: []portfolio.PhasePeriod{ended(cons, "2024-01-01", "2025-01-01")},
		phase: cons, start: "2024-01-01", active: true, since: "2024-01-01", days: "CONSTRUCTION 1/962"},
	{name: "in consolidation", phases: phs(acc, "2023-01-01", consol, "2024-01-01"),
		phase: consol, start: "2024-01-01", active: true, since: "2023-01-01", days: "ACCELERATION 1/365, CONSOLIDATION 1/962"},
	{name: "transferred", phases: phs(cons, "2022-01-01", transf, "2023-01-01"),
		phase: transf, start: "2023-01-01", since: "2022-01-01", days: "CONSTRUCTION 1/365, TRANSFERRED 1/1327"},
	{name: "operated within the network", phases: phs(acc, "2023-01-01", operate, "2024-01-01"),
		phase: operate, start: "2024-01-01", since: "2023-01-01", days: "ACCELERATION 1/365, OPERATED 1/962"},
	{name: "abandoned", phases: phs(cons, "2023-01-01", aband, "2024-01-01"),
		phase: aband, start: "2024-01-01", since: "2023-01-01", days: "CONSTRUCTION 1/365, ABANDONED 1/962"},
	{name: "UNKNOWN, a phase an older archive names, is out of incubation", phases: phs(inv, "2023-01-01", unknown, "2024-01-01"),
		phase: unknown, start: "2024-01-01", since: "2023-01-01", days: "INVESTIGATION 1/365, UNKNOWN 1/962"},
	{name: "an UNKNOWN phase between two", phases: phs(inv, "2023-01-01", unknown, "2023-06-01", cons, "2024-01-01"), at: "2023-09-01",
		phase: unknown, start: "2023-06-01", since: "2023-01-01", days: "INVESTIGATION 1/151, UNKNOWN 1/92"},
	{name: "in incubation the day before an abandon", phases: phs(inv, "2023-01-01", abInv, "2024-01-01"), at: "2023-12-31",
		phase: inv, start: "2023-01-01", active: true, since: "2023-01-01", days: "INVESTIGATION 1/364"},
	{name: "an abandon listed first, out of order", phases: phs(aband, "2024-01-01", cons, "2023-01-01"), at: "2024-02-01",
		phase: aband, start: "2024-01-01", since: "2023-01-01", days: "CONSTRUCTION 1/365, ABANDONED 1/31"},
	{name: "a transferred service stopped later", phases: phs(cons, "2020-01-01", transf, "2022-01-01", aband, "2025-01-01"),
		phase: aband, start: "2025-01-01", since: "2020-01-01", days: "CONSTRUCTION 1/731, TRANSFERRED 1/1096, ABANDONED 1/596"},
	{name: "back in incubation after leaving it: the latest start counts", phases: phs(inv, "2020-01-01", abInv, "2020-06-01", inv, "2025-01-01"),
		phase: inv, start: "2025-01-01", active: true, since: "2020-01-01", days: "INVESTIGATION 2/748, INVESTIGATION_ABANDONED 1/1675"},
	{name: "across 29 February", phases: phs(inv, "2024-02-29"), at: "2024-03-01",
		phase: inv, start: "2024-02-29", active: true, since: "2024-02-29", days: "INVESTIGATION 1/1"},
}

// phaseSlug is the slug of case i's startup.
func phaseSlug(i int) string { return fmt.Sprintf("phases-%02d", i) }

// phaseStartups are the startups of cases, their phases as the cases list
// them.
func phaseStartups(slug func(int) string, phases func(i int) []portfolio.PhasePeriod, n int) []*portfolio.Startup {
	var out []*portfolio.Startup
	for i := range n {
		out = append(out, &portfolio.Startup{Slug: slug(i), Name: slug(i), Phases: slices.Clone(phases(i))})
	}
	return out
}

// goDurations is DaysInPhase over the phase periods started by d, as
// phaseCase.days writes them.
func goDurations(phases []portfolio.PhasePeriod, d portfolio.Date) string {
	n, days := map[portfolio.Phase]int{}, map[portfolio.Phase]int{}
	for i, p := range phases {
		if !p.Start.IsZero() && p.Start <= d {
			n[p.Phase]++
			days[p.Phase] += portfolio.DaysInPhase(phases, i, d)
		}
	}
	return durations(n, days)
}

// durations writes periods and days by phase, "INVESTIGATION 1/231,
// CONSTRUCTION 1/0", in the order of portfolio.Phases.
func durations(n, days map[portfolio.Phase]int) string {
	s := ""
	for _, p := range portfolio.Phases {
		if n[p] > 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %d/%d", p, n[p], days[p])
		}
	}
	return s
}

// goPhaseAnswer applies the Go rules to phases.
func goPhaseAnswer(phases []portfolio.PhasePeriod, d portfolio.Date) phaseAnswer {
	a := phaseAnswer{Active: portfolio.ActiveAt(phases, d), Since: dayString(portfolio.IncubatedSince(phases)), Days: goDurations(phases, d)}
	if k := portfolio.PhaseAt(phases, d); k >= 0 {
		a.Phase, a.Start = phases[k].Phase, phases[k].Start.String()
	}
	return a
}

// TestPhaseRulesAgree runs phaseCases through every implementation of
// "phase at D", "active at D", "time in phase" and "incubated since".
func TestPhaseRulesAgree(t *testing.T) {
	ctx := context.Background()
	stores := phaseStores(t, phaseStartups(phaseSlug, func(i int) []portfolio.PhasePeriod { return phaseCases[i].phases }, len(phaseCases)))
	impls := []ruleImpl[phaseCase, phaseAnswer]{
		{name: "go, the record's order", answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
			return goPhaseAnswer(c.phases, c.day())
		}},
	}
	for _, st := range stores {
		db := st.db
		impls = append(impls,
			// The resolvers (Startup.phase, currentPhase, active,
			// incubatedSince, PhasePeriod.durationDays, Committee.phase) and
			// startPhase run the Go rules on the phases as the store hands
			// them.
			ruleImpl[phaseCase, phaseAnswer]{name: "go, as the store hands them, " + st.name, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				id := startupID(t, db, phaseSlug(i))
				phases, err := db.PhasesByStartup(ctx, []int64{id})
				if err != nil {
					t.Fatal(err)
				}
				return goPhaseAnswer(phases[id], c.day())
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "sql, " + st.name, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				b := &builder{}
				a := at{b: b, d: c.day()}
				q := "SELECT coalesce(" + phaseAtSQL(a) + ", ''), coalesce(" + phaseStartAtSQL(a) + ", ''), " + activeAtSQL(a) + ", coalesce(" +
					earliestStartSQL("s.id") + ", '') FROM startups s WHERE s.slug = " + b.arg(phaseSlug(i))
				var ans phaseAnswer
				if err := db.read.QueryRow(q, b.args...).Scan(&ans.Phase, &ans.Start, &ans.Active, &ans.Since); err != nil {
					t.Fatalf("%v\n%s", err, q)
				}
				// Time in phase: Portfolio.phaseDurations of the startup alone.
				ans.Days = phaseDurationsOf(t, WithSQLRules(ctx), db, phaseSlug(i), c.day())
				return ans
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "time in phase in memory, " + st.name, tells: []string{"Days"}, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				return phaseAnswer{Days: phaseDurationsOf(t, ctx, db, phaseSlug(i), c.day())}
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "filters in sql, " + st.name, tells: []string{"Phase", "Active"}, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				return phaseByFilters(t, WithSQLRules(ctx), db, phaseSlug(i), c.day(), false)
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "filters at a date, in memory, " + st.name, tells: []string{"Phase", "Active"}, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				return phaseByFilters(t, ctx, db, phaseSlug(i), c.day(), false)
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "filters of a timeline, in memory, " + st.name, tells: []string{"Phase", "Active"}, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				return phaseByFilters(t, ctx, db, phaseSlug(i), c.day(), true)
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "portfolio byPhase in SQL, " + st.name, tells: []string{"Phase"}, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				cs, err := db.ByPhase(WithSQLRules(ctx), &portfolio.StartupFilter{Slugs: []string{phaseSlug(i)}}, c.day())
				if err != nil {
					t.Fatal(err)
				}
				return phaseAnswer{Phase: onlyPhase(t, cs)}
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "portfolio byPhase in memory, " + st.name, tells: []string{"Phase"}, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				cs, err := db.ByPhase(ctx, &portfolio.StartupFilter{Slugs: []string{phaseSlug(i)}}, c.day())
				if err != nil {
					t.Fatal(err)
				}
				return phaseAnswer{Phase: onlyPhase(t, cs)}
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "timeline, running sums in SQL, " + st.name, tells: []string{"Phase"}, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				pt := timelineAt(t, WithSQLRules(ctx), db, &portfolio.StartupFilter{Slugs: []string{phaseSlug(i)}}, c.day(), false)
				return phaseAnswer{Phase: onlyPhase(t, pt.ByPhase)}
			}},
			ruleImpl[phaseCase, phaseAnswer]{name: "timeline, running sums in memory, " + st.name, tells: []string{"Phase"}, answer: func(t *testing.T, i int, c *phaseCase) phaseAnswer {
				pt := timelineAt(t, ctx, db, &portfolio.StartupFilter{Slugs: []string{phaseSlug(i)}}, c.day(), false)
				return phaseAnswer{Phase: onlyPhase(t, pt.ByPhase)}
			}},
		)
	}
	runRule(t, phaseCases, func(c *phaseCase) string { return c.name }, func(c *phaseCase) phaseAnswer {
		return phaseAnswer{Phase: c.phase, Start: c.start, Active: c.active, Since: c.since, Days: c.days}
	}, impls)
}

// phaseDurationsOf is Portfolio.phaseDurations of the startup with this
// slug alone, as durations writes it.
func phaseDurationsOf(t *testing.T, ctx context.Context, db *DB, slug string, d portfolio.Date) string {
	t.Helper()
	ds, err := db.PhaseDurations(ctx, &portfolio.StartupFilter{Slugs: []string{slug}}, d)
	if err != nil {
		t.Fatal(err)
	}
	n, days := map[portfolio.Phase]int{}, map[portfolio.Phase]int{}
	for _, d := range ds {
		n[d.Phase], days[d.Phase] = d.Startups, int(math.Round(d.MeanDays*float64(d.Startups)))
	}
	return durations(n, days)
}

// onlyPhase is the phase of counts of one startup, "" for none.
func onlyPhase(t *testing.T, cs []Count) portfolio.Phase {
	t.Helper()
	var p portfolio.Phase
	n := 0
	for _, c := range cs {
		n += c.Count
		p = portfolio.Phase(c.Key)
	}
	if n > 1 {
		t.Errorf("counts %v for one startup", cs)
	}
	return p
}

// phaseByFilters answers a phaseCase with the filters phases and active,
// in SQL or in a timeline.
func phaseByFilters(t *testing.T, ctx context.Context, db *DB, slug string, d portfolio.Date, timeline bool) phaseAnswer {
	t.Helper()
	var a phaseAnswer
	for _, p := range portfolio.Phases {
		if selectsAt(t, ctx, db, slug, portfolio.StartupFilter{Phases: []portfolio.Phase{p}}, d, timeline) {
			if a.Phase != "" {
				t.Errorf("both %s and %s select it", a.Phase, p)
			}
			a.Phase = p
		}
	}
	yes, no := true, false
	a.Active = selectsAt(t, ctx, db, slug, portfolio.StartupFilter{Active: &yes}, d, timeline)
	// A timeline counts the startups with a phase at its points only:
	// false is the others in SQL alone.
	if !timeline && a.Active == selectsAt(t, ctx, db, slug, portfolio.StartupFilter{Active: &no}, d, timeline) {
		t.Errorf("active: false is not the others")
	}
	return a
}

// flowCase is a startup's phases, in the record's order, and a period.
type flowCase struct {
	name     string
	phases   []portfolio.PhasePeriod
	from, to string // 2025-01-01 to 2025-12-31 when ""

	entered string // the phases entered in the period, "PHASE n, …" in the order of portfolio.Phases
	exited  string // the phases left in it (the next phase started)
}

// flowAnswer is what an implementation says of a flowCase: what entered
// and exited, and the net change of the startup's phase over the period
// (what entered minus what exited, "PHASE ±n").
type flowAnswer struct {
	Entered, Exited, Net string
}

func (c *flowCase) period() portfolio.Period {
	if c.from == "" {
		return portfolio.Period{Start: portfolio.MustDate("2025-01-01"), End: portfolio.MustDate("2025-12-31")}
	}
	return portfolio.Period{Start: portfolio.MustDate(c.from), End: portfolio.MustDate(c.to)}
}

var flowCases = []flowCase{
	{name: "no phase"},
	{name: "entering on the first day", phases: phs(inv, "2025-01-01"), entered: "INVESTIGATION 1"},
	{name: "entering on the last day", phases: phs(inv, "2025-12-31"), entered: "INVESTIGATION 1"},
	{name: "entering the day before", phases: phs(inv, "2024-12-31")},
	{name: "entering the day after", phases: phs(inv, "2026-01-01")},
	{name: "going on through the period", phases: phs(cons, "2020-01-01")},
	{name: "a move on the first day", phases: phs(inv, "2024-06-01", cons, "2025-01-01"), entered: "CONSTRUCTION 1", exited: "INVESTIGATION 1"},
	{name: "a move on the last day", phases: phs(inv, "2024-06-01", cons, "2025-12-31"), entered: "CONSTRUCTION 1", exited: "INVESTIGATION 1"},
	{name: "a move the day after", phases: phs(inv, "2024-06-01", cons, "2026-01-01")},
	{name: "phases entered and left within", phases: phs(inv, "2025-02-01", cons, "2025-06-01", acc, "2025-09-01"),
		entered: "INVESTIGATION 1, CONSTRUCTION 1, ACCELERATION 1", exited: "INVESTIGATION 1, CONSTRUCTION 1"},
	{name: "two phases the same day: the earlier listed enters and exits", phases: phs(inv, "2025-03-01", abInv, "2025-03-01"),
		entered: "INVESTIGATION 1, INVESTIGATION_ABANDONED 1", exited: "INVESTIGATION 1"},
	{name: "two phases the same day, the other way round", phases: phs(abInv, "2025-03-01", inv, "2025-03-01"),
		entered: "INVESTIGATION 1, INVESTIGATION_ABANDONED 1", exited: "INVESTIGATION_ABANDONED 1"},
	{name: "an undated phase neither enters nor ends the one before", phases: phs(inv, "2025-03-01", cons, ""), entered: "INVESTIGATION 1"},
	{name: "an undated phase between two", phases: phs(inv, "2024-01-01", cons, "", acc, "2025-05-01"), entered: "ACCELERATION 1", exited: "INVESTIGATION 1"},
	{name: "out of incubation: an abandon", phases: phs(cons, "2023-01-01", aband, "2025-04-01"), entered: "ABANDONED 1", exited: "CONSTRUCTION 1"},
	{name: "a transfer, then a stop", phases: phs(cons, "2020-01-01", transf, "2025-02-01", aband, "2025-10-01"),
		entered: "TRANSFERRED 1, ABANDONED 1", exited: "CONSTRUCTION 1, TRANSFERRED 1"},
	{name: "an UNKNOWN phase entered and left", phases: phs(inv, "2024-01-01", unknown, "2025-02-01", cons, "2025-08-01"),
		entered: "CONSTRUCTION 1, UNKNOWN 1", exited: "INVESTIGATION 1, UNKNOWN 1"},
	{name: "records out of order", phases: phs(acc, "2025-07-01", inv, "2024-01-01", cons, "2025-02-01"),
		entered: "CONSTRUCTION 1, ACCELERATION 1", exited: "INVESTIGATION 1, CONSTRUCTION 1"},
	{name: "the same phase twice", phases: phs(inv, "2025-01-10", abInv, "2025-03-01", inv, "2025-09-01"),
		entered: "INVESTIGATION 2, INVESTIGATION_ABANDONED 1", exited: "INVESTIGATION 1, INVESTIGATION_ABANDONED 1"},
	{name: "a one-day period", phases: phs(inv, "2025-06-14", cons, "2025-06-15", acc, "2025-06-16"), from: "2025-06-15", to: "2025-06-15",
		entered: "CONSTRUCTION 1", exited: "INVESTIGATION 1"},
	{name: "29 February", phases: phs(inv, "2024-02-28", cons, "2024-02-29"), from: "2024-02-29", to: "2024-02-29",
		entered: "CONSTRUCTION 1", exited: "INVESTIGATION 1"},
}

// flowSlug is the slug of case i's startup.
func flowSlug(i int) string { return fmt.Sprintf("flux-%02d", i) }

// goFlows applies portfolio.FlowsIn to phases.
func goFlows(phases []portfolio.PhasePeriod, p portfolio.Period) flowAnswer {
	entered, exited := portfolio.FlowsIn(phases, p)
	in, out := map[portfolio.Phase]int{}, map[portfolio.Phase]int{}
	for _, x := range entered {
		in[x]++
	}
	for _, x := range exited {
		out[x]++
	}
	return flowsOf(in, out)
}

// flowsOf writes entries and exits by phase, and their difference.
func flowsOf(in, out map[portfolio.Phase]int) flowAnswer {
	net := map[portfolio.Phase]int{}
	for p, n := range in {
		net[p] += n
	}
	for p, n := range out {
		net[p] -= n
	}
	return flowAnswer{Entered: phaseCounts(in), Exited: phaseCounts(out), Net: netCounts(net)}
}

// netCounts writes changes by phase, "INVESTIGATION -1, CONSTRUCTION +1".
func netCounts(net map[portfolio.Phase]int) string {
	s := ""
	for _, p := range portfolio.Phases {
		if n := net[p]; n != 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%s %+d", p, n)
		}
	}
	return s
}

// parseCounts reads phaseCounts' text back.
func parseCounts(t *testing.T, s string) map[portfolio.Phase]int {
	m := map[portfolio.Phase]int{}
	if s == "" {
		return m
	}
	for _, part := range strings.Split(s, ", ") {
		var p string
		var n int
		if _, err := fmt.Sscanf(part, "%s %d", &p, &n); err != nil {
			t.Fatalf("%q: %v", part, err)
		}
		m[portfolio.Phase(p)] += n
	}
	return m
}

// TestFlowRulesAgree runs flowCases through every implementation of "flows
// in a period": portfolio.FlowsIn, the SQL of Portfolio.flows over the
// period and over its months, and the stock at both ends that the flows
// must explain (PhaseAt, and the timeline's running sums).
func TestFlowRulesAgree(t *testing.T) {
	ctx := context.Background()
	stores := phaseStores(t, phaseStartups(flowSlug, func(i int) []portfolio.PhasePeriod { return flowCases[i].phases }, len(flowCases)))
	impls := []ruleImpl[flowCase, flowAnswer]{
		{name: "go, the record's order", answer: func(t *testing.T, i int, c *flowCase) flowAnswer {
			return goFlows(c.phases, c.period())
		}},
		{name: "go, as the store hands them", answer: func(t *testing.T, i int, c *flowCase) flowAnswer {
			db := stores[0].db
			id := startupID(t, db, flowSlug(i))
			phases, err := db.PhasesByStartup(ctx, []int64{id})
			if err != nil {
				t.Fatal(err)
			}
			return goFlows(phases[id], c.period())
		}},
		// DESIGN.md: stock at the end minus stock on the eve of the period
		// is entries minus exits, phase by phase.
		{name: "go, the phase at both ends", tells: []string{"Net"}, answer: func(t *testing.T, i int, c *flowCase) flowAnswer {
			p := c.period()
			net := map[portfolio.Phase]int{}
			if k := portfolio.PhaseAt(c.phases, p.End); k >= 0 {
				net[c.phases[k].Phase]++
			}
			if k := portfolio.PhaseAt(c.phases, p.Start.AddDays(-1)); k >= 0 {
				net[c.phases[k].Phase]--
			}
			return flowAnswer{Net: netCounts(net)}
		}},
	}
	for _, st := range stores {
		db := st.db
		for _, way := range []struct {
			name string
			ctx  context.Context
		}{{"sql", WithSQLRules(ctx)}, {"in memory", ctx}} {
			impls = append(impls,
				ruleImpl[flowCase, flowAnswer]{name: way.name + ", " + st.name, answer: func(t *testing.T, i int, c *flowCase) flowAnswer {
					return dbFlows(t, way.ctx, db, flowSlug(i), []portfolio.Period{c.period()})
				}},
				ruleImpl[flowCase, flowAnswer]{name: way.name + ", month by month, " + st.name, answer: func(t *testing.T, i int, c *flowCase) flowAnswer {
					p := c.period()
					periods, err := portfolio.FlowPeriods(p.Start, p.End, portfolio.EveryMonth)
					if err != nil {
						t.Fatal(err)
					}
					return dbFlows(t, way.ctx, db, flowSlug(i), periods)
				}},
				ruleImpl[flowCase, flowAnswer]{name: "timeline at both ends, " + way.name + ", " + st.name, tells: []string{"Net"}, answer: func(t *testing.T, i int, c *flowCase) flowAnswer {
					p := c.period()
					f := &portfolio.StartupFilter{Slugs: []string{flowSlug(i)}}
					pts, err := db.Timeline(way.ctx, f, []portfolio.Date{p.End, p.Start.AddDays(-1)}, false)
					if err != nil {
						t.Fatal(err)
					}
					net := countsOf(pts[0].ByPhase)
					for ph, n := range countsOf(pts[1].ByPhase) {
						net[ph] -= n
					}
					return flowAnswer{Net: netCounts(net)}
				}},
			)
		}
	}
	runRule(t, flowCases, func(c *flowCase) string { return c.name }, func(c *flowCase) flowAnswer {
		return flowsOf(parseCounts(t, c.entered), parseCounts(t, c.exited))
	}, impls)
}

// dbFlows adds up the flows of the startup with this slug over periods
// (DB.Flows: in SQL, one statement, under WithSQLRules; else in memory).
func dbFlows(t *testing.T, ctx context.Context, db *DB, slug string, periods []portfolio.Period) flowAnswer {
	t.Helper()
	f := &portfolio.StartupFilter{Slugs: []string{slug}}
	out, err := db.Flows(ctx, f, periods[len(periods)-1].End, periods, FlowParts{Entered: true, Exited: true})
	if err != nil {
		t.Fatal(err)
	}
	in, ex := map[portfolio.Phase]int{}, map[portfolio.Phase]int{}
	for _, p := range out {
		for ph, n := range countsOf(p.Entered) {
			in[ph] += n
		}
		for ph, n := range countsOf(p.Exited) {
			ex[ph] += n
		}
	}
	return flowsOf(in, ex)
}
