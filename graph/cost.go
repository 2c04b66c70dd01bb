package graph

import (
	"context"
	"strings"
	"unicode"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The cost of a request is what it will do, in units of about a
// microsecond of the server's CPU, so that a limit on it bounds the work
// (issue 20): the values its answer can hold (Complexity: each list its
// page size or its longest length in the data, times what it selects),
// plus the work that no value shows:
//
//   - a long text costs its longest length in the data (a description of
//     18 KB is not one value);
//   - a value computed from a list (a team's size, a startup's phase or
//     next committee due) costs that list's longest length, the rows it
//     reads;
//   - a filter costs its parts times the rows it is evaluated on (all the
//     rows of the list, not the page), a search word its length, and a
//     filter that depends on the date, evaluated at every point of a
//     timeline, its parts times the rows times the points;
//   - an aggregate (a portfolio's breakdowns, timelines, flows) costs the
//     rows it reads, with its portfolio's filter.
//
// The weights below were measured on the real network (662 startups, 3,484
// members, 4,761 missions): the CPU of each shape divided by its cost stays
// under a microsecond and a half (docs/reliability.md), which
// TestHostileCost (internal/reliability) checks against the real binary
// with the attacks of issue 20 and their variants.

// Cost returns the cost of op with vars: every value its answer can hold,
// plus the work each field does that no value shows (work). It walks the
// operation from the root, counting how many times each field can be
// resolved: a list multiplies its parents' count by its longest length in
// the data (the schema's Complexity gives it) but, under distinct parents
// (a page of members, then every member's missions), holds no more
// elements in all than its relation has rows (listSpecs).
func (s *fastSchema) Cost(ctx context.Context, op *ast.OperationDefinition, vars map[string]any) int {
	w := costWalker{es: s, schema: s.Schema(), vars: vars, b: s.r.DB.CachedListBounds()}
	return w.set(ctx, op.SelectionSet, 1, true, costScope{asOf: portfolio.TodayIn(ctx)})
}

// costScope is what a field's work depends on above it: the filter of the
// enclosing portfolio, which every aggregate under it runs, and the
// enclosing asOf.
type costScope struct {
	portfolio filterWork
	asOf      portfolio.Date // the nearest enclosing asOf, else today
}

type costWalker struct {
	es     graphql.ExecutableSchema
	schema *ast.Schema
	vars   map[string]any
	b      portfolio.ListBounds
}

// set is the cost of a selection resolved n times, on distinct objects
// (no two the same row) when distinct.
func (w costWalker) set(ctx context.Context, set ast.SelectionSet, n int, distinct bool, sc costScope) int {
	total := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			total = portfolio.AddCost(total, w.field(ctx, s, n, distinct, sc))
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = portfolio.AddCost(total, w.set(ctx, s.Definition.SelectionSet, n, distinct, sc))
			}
		case *ast.InlineFragment:
			total = portfolio.AddCost(total, w.set(ctx, s.SelectionSet, n, distinct, sc))
		}
	}
	return total
}

// field is the cost of f resolved on n parents: one per value, its work
// on each parent, and its selection on each element.
func (w costWalker) field(ctx context.Context, f *ast.Field, n int, distinct bool, sc costScope) int {
	if f.Definition == nil || f.ObjectDefinition == nil {
		return 0
	}
	def := w.schema.Types[f.Definition.Type.Name()]
	if def == nil || def.Name == "__Schema" || strings.HasPrefix(f.Name, "__") {
		return n
	}
	args := f.ArgumentMap(w.vars)
	typeName := f.ObjectDefinition.Name
	inner := sc
	if d, ok := dateArg(args["asOf"]); ok {
		inner.asOf = d
	}
	if f.Name == "portfolio" && (typeName == "Query" || typeName == "Incubator") {
		inner.portfolio = startupFilterWork(args["filter"])
	}
	spec := listSpecs[typeName+"."+f.Name]
	per := w.length(ctx, f, typeName, args)
	elems := portfolio.MulCost(n, per)
	if distinct && spec.rows != nil {
		elems = min(elems, portfolio.Bound(spec.rows(w.b)))
	}
	cost := portfolio.AddCost(n, w.work(typeName, f, args, inner, n))
	if per > 1 || spec.rows != nil {
		cost = portfolio.AddCost(cost, elems) // the elements of a list: one each, as values
	}
	switch def.Kind {
	case ast.Object, ast.Interface, ast.Union:
		var childDistinct bool
		switch {
		case spec.rows != nil:
			childDistinct = distinct && spec.distinct
		case strings.HasSuffix(typeName, "Connection") || strings.HasSuffix(typeName, "Edge"):
			childDistinct = distinct // nodes, edges, node: the list's elements
		case typeName == "Query":
			childDistinct = per == 1 // one object
		}
		cost = portfolio.AddCost(cost, w.set(ctx, f.SelectionSet, elems, childDistinct, inner))
	}
	return cost
}

// length is the most elements field f holds on one parent: for a list,
// its longest length in the data or its page, as the schema's Complexity
// counts it (the cost of a list of elements costing one each, less the
// field itself); 1 for any other field.
func (w costWalker) length(ctx context.Context, f *ast.Field, typeName string, args map[string]any) int {
	types := []*ast.Definition{f.ObjectDefinition}
	if f.ObjectDefinition.Kind == ast.Interface {
		types = w.schema.GetPossibleTypes(f.ObjectDefinition)
	}
	n := 1
	for _, t := range types {
		if c, ok := w.es.Complexity(ctx, t.Name, f.Name, 1, args); ok && c > 1 {
			n = max(n, c-1)
		}
	}
	return n
}

// listSpec says what bounds a list in all: the rows of its relation
// (rows), and whether its elements are distinct rows when its parents are
// (a member's missions are no other member's; a mission's startups may
// be another mission's).
type listSpec struct {
	rows     func(b portfolio.ListBounds) int
	distinct bool
}

var listSpecs = map[string]listSpec{
	"Query.startups":                 {func(b portfolio.ListBounds) int { return b.Startups }, true},
	"Query.incubators":               {func(b portfolio.ListBounds) int { return b.Incubators }, true},
	"Query.organisations":            {func(b portfolio.ListBounds) int { return b.Organisations }, true},
	"Query.members":                  {func(b portfolio.ListBounds) int { return b.Members }, true},
	"Query.committees":               {func(b portfolio.ListBounds) int { return b.AllCommittees }, true},
	"Query.committeeAgenda":          {func(b portfolio.ListBounds) int { return b.Startups + b.AllCommittees }, true},
	"Committee.attendees":            {func(b portfolio.ListBounds) int { return b.AllAttendees }, true},
	"Query.events":                   {func(b portfolio.ListBounds) int { return b.AllEvents }, true},
	"Query.auditLog":                 {func(b portfolio.ListBounds) int { return b.AuditEntries }, true},
	"Incubator.startups":             {func(b portfolio.ListBounds) int { return b.Startups * portfolio.Bound(b.StartupIncubators) }, false},
	"Incubator.teams":                {func(b portfolio.ListBounds) int { return b.AllTeams }, true},
	"Organisation.sponsoredStartups": {func(b portfolio.ListBounds) int { return b.AllSponsorLinks }, false},
	"Organisation.incubators":        {func(b portfolio.ListBounds) int { return b.Incubators }, true},
	"Team.members":                   {func(b portfolio.ListBounds) int { return b.AllTeamMembers }, false},
	"Member.missions":                {func(b portfolio.ListBounds) int { return b.AllMissions }, true},
	"Member.startups":                {func(b portfolio.ListBounds) int { return b.AllMemberStartups }, false},
	"Member.teams":                   {func(b portfolio.ListBounds) int { return b.AllTeamMembers }, false},
	"Member.competences":             {func(b portfolio.ListBounds) int { return b.AllCompetences }, false},
	"Member.followedStartups":        {func(b portfolio.ListBounds) int { return b.AllContacts }, false},
	"Mission.startups":               {func(b portfolio.ListBounds) int { return b.AllMissionStartups }, false},
	"Startup.missions":               {func(b portfolio.ListBounds) int { return b.AllMissionStartups }, false},
	"Startup.team":                   {func(b portfolio.ListBounds) int { return b.AllMissionStartups }, false},
	"Startup.intrapreneurs":          {func(b portfolio.ListBounds) int { return b.AllMissionStartups }, false},
	"Startup.sponsors":               {func(b portfolio.ListBounds) int { return b.AllSponsorLinks }, false},
	"Startup.phases":                 {func(b portfolio.ListBounds) int { return b.AllPhases }, true},
	"Startup.committees":             {func(b portfolio.ListBounds) int { return b.AllCommittees }, true},
	"Startup.events":                 {func(b portfolio.ListBounds) int { return b.AllEvents }, true},
	"Startup.thematiques":            {func(b portfolio.ListBounds) int { return b.AllTags }, false},
	"Startup.usertypes":              {func(b portfolio.ListBounds) int { return b.AllTags }, false},
	"Startup.techno":                 {func(b portfolio.ListBounds) int { return b.AllTags }, false},
	"Startup.portfolioManagers":      {func(b portfolio.ListBounds) int { return b.AllContacts }, false},
	"Startup.formerSlugs":            {func(b portfolio.ListBounds) int { return b.AllRedirects }, false},
	"Startup.incubators":             {func(b portfolio.ListBounds) int { return b.Startups * portfolio.Bound(b.StartupIncubators) }, false},
	"CommitteeBrief.phases":          {func(b portfolio.ListBounds) int { return b.AllPhases }, true},
	"CommitteeBrief.events":          {func(b portfolio.ListBounds) int { return b.AllEvents }, true},
	"CommitteeBrief.arrivals":        {func(b portfolio.ListBounds) int { return b.AllMissionStartups }, false},
	"CommitteeBrief.departures":      {func(b portfolio.ListBounds) int { return b.AllMissionStartups }, false},
}

// work is what field f of typeName does beyond the values it answers, in
// cost units, on n parents.
func (w costWalker) work(typeName string, f *ast.Field, args map[string]any, sc costScope, n int) int {
	b := w.b
	rows := func(n int) int { return portfolio.Bound(n) }
	// each is a work of per on every parent, reading no more than all
	// rows in all when all is given: the loaders read each parent once,
	// however many times it comes (its values do repeat, and count as
	// many times).
	each := func(per, all int) int {
		t := portfolio.MulCost(n, per)
		if all > 0 {
			t = min(t, all)
		}
		return t
	}
	switch typeName + "." + f.Name {
	// Long texts: their length, not one value.
	case "Startup.description":
		return each(portfolio.CostOfText(b.StartupText), 0)
	case "Member.bio":
		return each(portfolio.CostOfText(b.MemberText), 0)
	case "Incubator.description":
		return each(portfolio.CostOfText(b.IncubatorText), 0)

	// Values computed from a startup's lists: the rows they read, a few
	// units each (read through a loader, then the rule run at the date:
	// measured 2 to 4 µs a row on the real network).
	case "Startup.teamSize", "Startup.intrapreneurs":
		return 3 * each(rows(b.Team), rows(b.AllMissionStartups))
	case "Startup.phase", "Startup.currentPhase", "Startup.active", "Startup.incubatedSince":
		return 2 * each(rows(b.Phases), rows(b.AllPhases))
	case "Startup.lastCommittee", "Startup.committeeOverdue", "Startup.nextCommitteeDue", "Startup.reviewStatus":
		return 4 * each(rows(b.Committees)+rows(b.Phases), rows(b.AllCommittees)+rows(b.AllPhases))
	case "Member.active":
		return 2 * each(rows(b.MemberMissions), rows(b.AllMissions))
	case "Startup.committeeBrief":
		// The startup's phases, committees, events and sponsors, and every
		// mission on it with its member (the team on two days is counted
		// from them), read through loaders, then the rules: a few units a
		// row, a mission twice. Measured over HTTP on the real network
		// (shared 2-core machine): the whole brief of dossierfacile (115
		// missions) costs 1,992 and is answered in 2.5 ms, 4.7 ms median.
		return 3 * each(rows(b.Phases)+rows(b.Committees)+rows(b.Events)+rows(b.Sponsors)+2*rows(b.StartupMissions),
			rows(b.AllPhases)+rows(b.AllCommittees)+rows(b.AllEvents)+rows(b.AllSponsorLinks)+2*rows(b.AllMissionStartups))
	case "CommitteeAgendaEntry.expectedAttendees", "CommitteeAgendaEntry.missingRoles":
		// The entry's intrapreneurs that day, sponsors and managers,
		// read through loaders, then the rule: a few units a row.
		return 3 * each(expectedAttendeesBound(b), rows(b.AllMissionStartups)+rows(b.AllSponsorLinks)+rows(b.AllContacts))
	}
	var one int
	switch typeName + "." + f.Name {
	// Lists with filters and orders: every row of the list, not the page.
	case "Query.startups":
		one = listWork(rows(b.Startups), startupFilterWork(args["filter"]), startupOrderWork(args["orderBy"], b))
	case "Incubator.startups":
		one = listWork(rows(b.IncubatorStartups), startupFilterWork(args["filter"]), startupOrderWork(args["orderBy"], b))
	case "Organisation.sponsoredStartups":
		one = listWork(rows(b.SponsorStartups), startupFilterWork(args["filter"]), startupOrderWork(args["orderBy"], b))
	case "Query.members":
		one = listWork(rows(b.Members), memberFilterWork(args["filter"]), memberOrderWork(args["orderBy"], b))
	case "Query.committees":
		one = listWork(rows(b.AllCommittees), plainFilterWork(args["filter"]), 0)
	case "Query.committeeAgenda":
		// Every startup looked at (with the filter, at the window's
		// first day), and for those with a committee held by then, their
		// phase and next committee due; the planned committees; the
		// entries ordered: a unit a startup, agendaPerCommittee16 a
		// committee.
		one = portfolio.AddCost(listWork(rows(b.Startups), startupFilterWork(args["filter"]), 15),
			portfolio.ScanCost(rows(b.AllCommittees), agendaPerCommittee16))
	case "Query.events":
		one = listWork(rows(b.AllEvents), plainFilterWork(args["filter"]), 0)
	case "Query.auditLog":
		one = listWork(rows(b.AuditEntries), plainFilterWork(args["filter"]), 0)
	case "Query.organisations":
		one = listWork(rows(b.Organisations), searchWork(args["search"]), 0)

	// A subscription: what it costs to open (a place in the feed, its
	// goroutines: subscriptionWork), and its filter, matched against every
	// change. Its selection, counted as any query's, is what each change
	// costs to answer: the cost checked is that of one event; how many
	// events a subscription gets is bounded by the writes, and how many
	// subscriptions are open by the feed's limits.
	case "Subscription.changes":
		one = portfolio.AddCost(subscriptionWork, changeFilterWork(args["filter"]))

	// Aggregates: the rows they read, each with its portfolio's filter.
	case "Portfolio.startupCount", "Portfolio.byPhase", "Portfolio.byIncubator", "Portfolio.committeeOverdueCount",
		"Portfolio.committeeDecisions", "Portfolio.quality":
		one = aggregateWork(rows(b.Startups), 2, sc.portfolio)
	case "Portfolio.reviewStatuses":
		// The status of each startup in incubation, grouped: 4.0 ms on the
		// real network (committeeOverdueCount: 2.0 ms).
		one = aggregateWork(rows(b.Startups), 5, sc.portfolio)
	case "Portfolio.withoutIntrapreneurCount":
		// Each startup in incubation reads its missions and their
		// members' domains: 4.2 ms on the real network.
		one = portfolio.AddCost(aggregateWork(rows(b.Startups), 2, sc.portfolio), portfolio.ScanCost(rows(b.AllMissionStartups), 16))
	case "Portfolio.bySponsor", "Portfolio.byThematique", "Portfolio.investment":
		one = aggregateWork(rows(b.Startups), 4, sc.portfolio)
	case "Portfolio.phaseDurations":
		one = aggregateWork(rows(b.Startups)+rows(b.AllPhases), 4, sc.portfolio)
	case "Portfolio.activeMemberCount", "Portfolio.membersByDomain", "Portfolio.membersByStatus":
		one = portfolio.AddCost(aggregateWork(rows(b.Startups), 1, sc.portfolio), portfolio.ScanCost(rows(b.AllMissions), 16))
	case "Portfolio.timeline":
		one = timelineWork(f, args, b, sc.portfolio, sc.asOf)
	case "Portfolio.flows":
		one = flowsWork(f, args, b, sc.portfolio, sc.asOf)
	}
	return portfolio.MulCost(n, one)
}

// listWork is the work of a list of n rows that a filter selects and an
// order sorts: both run on every row, whatever the page.
func listWork(n int, f filterWork, orderPerRow16 int) int {
	return portfolio.AddCost(portfolio.AddCost(portfolio.ScanCost(n, 1+f.perRow16+orderPerRow16), f.once), 0)
}

// aggregateWork is the work of an aggregate over n rows, perRow units a
// row, with the filter of its portfolio evaluated on every startup.
func aggregateWork(n, perRow int, f filterWork) int {
	return portfolio.AddCost(portfolio.ScanCost(n, 16*perRow+f.perRow16), f.once)
}

// timelineWork is the work of a timeline: a sweep over the phase periods
// (and the missions when activeMemberCount is asked, once for all the
// points), or, when its portfolio's filter depends on the date, that
// filter evaluated on every startup at every point.
func timelineWork(f *ast.Field, args map[string]any, b portfolio.ListBounds, pf filterWork, asOf portfolio.Date) int {
	points := 1
	if from, ok := dateArg(args["from"]); ok {
		points = timelinePoints(from, orDate(args["to"], asOf), everyArg(args["every"]))
	}
	work := aggregateWork(portfolio.Bound(b.Startups)+portfolio.Bound(b.AllPhases), 4, pf)
	if pf.dated > 0 {
		// Evaluated in memory at each point: every node of the filter
		// visited, about 30 ns each (a sixteenth of a microsecond and
		// a half per node and row).
		work = portfolio.AddCost(work, portfolio.ScanCost(portfolio.Bound(b.Startups), portfolio.MulCost(points, pf.nodes+2*pf.dated)))
	}
	if selects(f.SelectionSet, "activeMemberCount") {
		work = portfolio.AddCost(work, portfolio.ScanCost(portfolio.Bound(b.AllMissions), 128))
	}
	return work
}

// flowsWork is the work of flows: one statement joining the periods with
// the phase periods, the events and the committees, the portfolio's
// filter on every row joined; the events have no index on their date, so
// each period reads them all.
func flowsWork(f *ast.Field, args map[string]any, b portfolio.ListBounds, pf filterWork, asOf portfolio.Date) int {
	periods := 1
	if from, ok := dateArg(args["from"]); ok {
		periods = flowPeriods(from, orDate(args["to"], asOf), everyArg(args["every"]))
	}
	joined := 2*portfolio.Bound(b.AllPhases) + portfolio.Bound(b.AllEvents) + portfolio.Bound(b.AllCommittees)
	work := portfolio.AddCost(portfolio.ScanCost(joined, 16+pf.perRow16), pf.once)
	for _, name := range []string{"productLaunches", "nationalImpacts", "fastGrants"} {
		if selects(f.SelectionSet, name) {
			work = portfolio.AddCost(work, portfolio.ScanCost(portfolio.Bound(b.AllEvents), portfolio.MulCost(periods, 4)))
			break
		}
	}
	return work
}

// selects reports whether a selection asks for a field of that name
// (fragments looked into).
func selects(set ast.SelectionSet, name string) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == name {
				return true
			}
		case *ast.InlineFragment:
			if selects(s.SelectionSet, name) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && selects(s.Definition.SelectionSet, name) {
				return true
			}
		}
	}
	return false
}

// filterWork is what evaluating a filter costs: per row, in sixteenths
// of a unit; once per statement (its lists, bound once); its nodes and
// its conditions that depend on the date (for timelines, which evaluate
// it at every point).
type filterWork struct {
	perRow16 int
	once     int
	nodes    int
	dated    int
}

func (a filterWork) add(b filterWork) filterWork {
	return filterWork{
		perRow16: portfolio.AddCost(a.perRow16, b.perRow16),
		once:     portfolio.AddCost(a.once, b.once),
		nodes:    portfolio.AddCost(a.nodes, b.nodes),
		dated:    portfolio.AddCost(a.dated, b.dated),
	}
}

// The conditions of each filter that depend on the date: correlated
// subqueries on every row in SQL, two units a row (datedWeight16) unless
// datedWeights16 says more.
var (
	startupDated = map[string]bool{"phases": true, "active": true, "committeeOverdue": true, "neverReviewed": true, "nextCommitteeDue": true,
		"reviewStatus": true, "withoutIntrapreneur": true}
	memberDated = map[string]bool{"statuses": true, "active": true, "startups": true, "incubators": true}
	// datedWeights16 are the dated conditions that read more than a
	// startup's phases and committees, in sixteenths of a unit a row:
	// counting the startups with one alone on the real network took 1.8 ms
	// for committeeOverdue (2 units a row), 2.2 ms for reviewStatus, 5.9 ms
	// for withoutIntrapreneur (the startup's missions and their members).
	datedWeights16 = map[string]int{"reviewStatus": 48, "withoutIntrapreneur": 128}
)

// datedWeight16 is what a dated condition costs by default, in sixteenths
// of a unit a row.
const datedWeight16 = 32

// agendaPerCommittee16 is what the committee agenda does for every
// committee, in sixteenths of a unit: its startup's phase and next
// committee due, the planned committees looked for, the order (measured:
// docs/reliability.md, « The committee agenda »).
const agendaPerCommittee16 = 96

func startupFilterWork(v any) filterWork { return filterWorkOf(v, startupDated) }
func memberFilterWork(v any) filterWork  { return filterWorkOf(v, memberDated) }
func plainFilterWork(v any) filterWork   { return filterWorkOf(v, nil) }

// filterWorkOf walks a filter as its arguments hold it (input objects as
// maps): every node and condition a row is tested against. A condition
// costs an eighth of a unit a row, one that depends on the date two units
// (a correlated subquery; more for those of datedWeights16), a search word a unit and a half plus its
// length; lists cost their length once.
func filterWorkOf(v any, dated map[string]bool) filterWork {
	m, ok := v.(map[string]any)
	if !ok {
		return filterWork{}
	}
	w := filterWork{perRow16: 1, nodes: 1}
	for k, x := range m {
		if x == nil {
			continue
		}
		switch k {
		case "and", "or":
			if l, ok := x.([]any); ok {
				for _, e := range l {
					w = w.add(filterWorkOf(e, dated))
				}
			}
		case "not":
			w = w.add(filterWorkOf(x, dated))
		case "search":
			w = w.add(searchWork(x))
		default:
			if dated[k] {
				w.dated++
				weight := datedWeight16
				if x, ok := datedWeights16[k]; ok {
					weight = x
				}
				w.perRow16 = portfolio.AddCost(w.perRow16, weight)
			} else {
				w.perRow16 = portfolio.AddCost(w.perRow16, 2)
			}
			if l, ok := x.([]any); ok {
				w.once = portfolio.AddCost(w.once, len(l))
			}
		}
	}
	return w
}

// searchWork is a search's: each word a LIKE on every row, about a
// microsecond and a half plus a little per letter of the word.
func searchWork(v any) filterWork {
	s, ok := v.(string)
	if !ok {
		return filterWork{}
	}
	w := filterWork{}
	for _, word := range strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		w.perRow16 = portfolio.AddCost(w.perRow16, 24+len(word)/2)
		w.once = portfolio.AddCost(w.once, len(word))
	}
	return w
}

// startupOrderWork is what ordering every row costs, per row in
// sixteenths: an order on a value computed from a list reads it for every
// row.
func startupOrderWork(v any, b portfolio.ListBounds) int {
	w := 0
	for _, o := range orderFields(v) {
		switch o {
		case "TEAM_SIZE":
			w = portfolio.AddCost(w, 16*portfolio.Bound(b.Team))
		case "LAST_COMMITTEE", "NEXT_COMMITTEE_DUE", "REVIEW_STATUS":
			w = portfolio.AddCost(w, 16*(portfolio.Bound(b.Committees)+portfolio.Bound(b.Phases)))
		case "PHASE_START", "INCUBATED_SINCE":
			w = portfolio.AddCost(w, 16*portfolio.Bound(b.Phases))
		default:
			w = portfolio.AddCost(w, 2)
		}
	}
	return w
}

func memberOrderWork(v any, b portfolio.ListBounds) int {
	w := 0
	for _, o := range orderFields(v) {
		if o == "FIRST_MISSION" {
			w = portfolio.AddCost(w, 16*portfolio.Bound(b.MemberMissions))
		} else {
			w = portfolio.AddCost(w, 2)
		}
	}
	return w
}

// orderFields lists the fields of an orderBy argument.
func orderFields(v any) []string {
	var out []string
	switch l := v.(type) {
	case []any:
		for _, e := range l {
			out = append(out, orderFields(e)...)
		}
	case map[string]any:
		if s, ok := l["field"].(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// dateArg reads a date argument as the arguments hold it.
func dateArg(v any) (portfolio.Date, bool) {
	switch d := v.(type) {
	case portfolio.Date:
		return d, true
	case string:
		p, err := portfolio.ParseDate(d)
		return p, err == nil
	}
	return 0, false
}

// orDate is a date argument, else def (an enclosing asOf, or today).
func orDate(v any, def portfolio.Date) *portfolio.Date {
	if d, ok := dateArg(v); ok {
		return &d
	}
	return &def
}

func everyArg(v any) portfolio.Every {
	switch e := v.(type) {
	case portfolio.Every:
		return e
	case string:
		return portfolio.Every(e)
	}
	return portfolio.EveryMonth
}

// subscriptionWork is what opening a subscription costs: a place in the
// change feed and two goroutines, held until it ends.
const subscriptionWork = 100

// changeFilterWork is the work of a ChangeFilter on each change: a unit a
// value of its lists.
func changeFilterWork(v any) int {
	m, ok := v.(map[string]any)
	if !ok {
		return 0
	}
	n := 0
	for _, k := range []string{"kinds", "slugs", "operations"} {
		if l, ok := m[k].([]any); ok {
			n = portfolio.AddCost(n, len(l))
		}
	}
	return n
}
