package graph_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
)

// recorder keeps every record the seed writes, to compute expected answers
// with the domain's rules instead of SQL.
type recorder struct {
	startups []*portfolio.Startup
	members  []*portfolio.Member
	incs     []*portfolio.Incubator
}

func (r *recorder) PutPhaseDefinition(context.Context, *portfolio.PhaseDefinition) error { return nil }
func (r *recorder) PutOrganisation(context.Context, *portfolio.Organisation) error       { return nil }
func (r *recorder) PutIncubator(_ context.Context, i *portfolio.Incubator) error {
	r.incs = append(r.incs, i)
	return nil
}
func (r *recorder) PutTeam(context.Context, *portfolio.Team) error { return nil }
func (r *recorder) PutStartup(_ context.Context, s *portfolio.Startup) error {
	r.startups = append(r.startups, s)
	return nil
}
func (r *recorder) PutMember(_ context.Context, m *portfolio.Member) error {
	r.members = append(r.members, m)
	return nil
}

func seeded(t *testing.T) *recorder {
	t.Helper()
	r := &recorder{}
	if _, err := seed.Generate(context.Background(), r, seed.Options{Scale: 1}); err != nil {
		t.Fatal(err)
	}
	return r
}

type slugPage struct {
	Startups struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage, HasPreviousPage bool
			StartCursor, EndCursor       *string
		}
		Nodes []struct {
			Slug     string
			TeamSize int
			Phase    *string
		}
	}
}

// checkSlugs compares the startups filter selects at d with those of the
// seeded network that want holds for, and returns how many it selects.
func (e *apiEnv) checkSlugs(t *testing.T, r *recorder, filter string, d portfolio.Date, want func(*portfolio.Startup, portfolio.Date) bool) int {
	t.Helper()
	var slugs []string
	for _, s := range r.startups {
		if want(s, d) {
			slugs = append(slugs, s.Slug)
		}
	}
	sort.Strings(slugs)
	got := e.slugs(t, filter, d.String())
	if strings.Join(got, ",") != strings.Join(slugs, ",") {
		t.Errorf("got %d startups, want %d", len(got), len(slugs))
	}
	return len(slugs)
}

func (e *apiEnv) slugs(t *testing.T, filter string, asOf string) []string {
	t.Helper()
	var all []string
	after := ""
	for {
		var p slugPage
		q := fmt.Sprintf(`{ startups(first: 1000, asOf: %q, filter: %s%s) { totalCount pageInfo { hasNextPage endCursor } nodes { slug } } }`,
			asOf, filter, after)
		e.query(t, q, nil, &p)
		for _, n := range p.Startups.Nodes {
			all = append(all, n.Slug)
		}
		if !p.Startups.PageInfo.HasNextPage {
			if len(all) != p.Startups.TotalCount {
				t.Fatalf("filter %s: paged %d startups, totalCount says %d", filter, len(all), p.Startups.TotalCount)
			}
			sort.Strings(all)
			return all
		}
		after = fmt.Sprintf(", after: %q", *p.Startups.PageInfo.EndCursor)
	}
}

func TestFiltersAgreeWithRules(t *testing.T) {
	e := newAPI(t)
	r := seeded(t)
	missions := []portfolio.Mission{}
	for _, m := range r.members {
		for _, mi := range m.Missions {
			mi.MemberSlug = m.Slug
			missions = append(missions, mi)
		}
	}
	type pred func(s *portfolio.Startup, d portfolio.Date) bool
	committees := func(s *portfolio.Startup) []*portfolio.Committee {
		var cs []*portfolio.Committee
		for i := range s.Committees {
			cs = append(cs, &s.Committees[i])
		}
		return cs
	}
	phaseIs := func(ps ...portfolio.Phase) pred {
		return func(s *portfolio.Startup, d portfolio.Date) bool {
			i := portfolio.PhaseAt(s.Phases, d)
			for _, p := range ps {
				if i >= 0 && s.Phases[i].Phase == p {
					return true
				}
			}
			return false
		}
	}
	active := func(s *portfolio.Startup, d portfolio.Date) bool { return portfolio.ActiveAt(s.Phases, d) }
	overdue := func(s *portfolio.Startup, d portfolio.Date) bool {
		// A committee's recorded nextCommitteeDue counts (DESIGN.md: overdue
		// at D ⇔ active and next due < D).
		return portfolio.OverdueAt(s.Phases, committees(s), d)
	}
	inc := r.startups[0].IncubatorSlug
	sponsor := ""
	for _, s := range r.startups {
		if len(s.Sponsors) > 0 {
			sponsor = s.Sponsors[0]
			break
		}
	}
	tests := []struct {
		filter string
		want   pred
	}{
		{`{}`, func(*portfolio.Startup, portfolio.Date) bool { return true }},
		{`{active: true}`, active},
		{`{active: false}`, func(s *portfolio.Startup, d portfolio.Date) bool { return !active(s, d) }},
		{`{phases: [CONSTRUCTION, ACCELERATION]}`, phaseIs(portfolio.PhaseConstruction, portfolio.PhaseAcceleration)},
		{`{committeeOverdue: true}`, overdue},
		{`{not: {committeeOverdue: true}}`, func(s *portfolio.Startup, d portfolio.Date) bool { return !overdue(s, d) }},
		{fmt.Sprintf(`{incubators: [%q]}`, inc), func(s *portfolio.Startup, _ portfolio.Date) bool { return s.IncubatorSlug == inc }},
		{fmt.Sprintf(`{sponsors: [%q], active: true}`, sponsor), func(s *portfolio.Startup, d portfolio.Date) bool {
			return active(s, d) && strings.Contains(","+strings.Join(s.Sponsors, ",")+",", ","+sponsor+",")
		}},
		{`{or: [{phases: [INVESTIGATION]}, {and: [{active: false}, {phases: [ABANDONED]}]}]}`,
			phaseIs(portfolio.PhaseInvestigation, portfolio.PhaseAbandoned)},
		{`{slugs: []}`, func(*portfolio.Startup, portfolio.Date) bool { return false }},
	}
	for _, asOf := range []string{"2019-01-01", "2023-06-15", "2026-09-01"} {
		d := portfolio.MustDate(asOf)
		for _, tt := range tests {
			t.Run(asOf+" "+tt.filter, func(t *testing.T) {
				e.checkSlugs(t, r, tt.filter, d, tt.want)
			})
		}
	}
	t.Run("team sizes", func(t *testing.T) {
		var p slugPage
		e.query(t, `{ startups(first: 1000, asOf: "2024-03-01") { nodes { slug teamSize } } }`, nil, &p)
		bySlug := map[string]int{}
		for _, n := range p.Startups.Nodes {
			bySlug[n.Slug] = n.TeamSize
		}
		d := portfolio.MustDate("2024-03-01")
		nonZero := 0
		for _, s := range r.startups {
			want := len(portfolio.TeamAt(missions, s.Slug, d))
			if want > 0 {
				nonZero++
			}
			if bySlug[s.Slug] != want {
				t.Errorf("%s: team size %d, want %d", s.Slug, bySlug[s.Slug], want)
			}
		}
		if nonZero < 50 {
			t.Errorf("only %d startups have a team: the check is too weak", nonZero)
		}
	})
}

func TestPaging(t *testing.T) {
	e := newAPI(t)
	all := e.slugs(t, "{}", "2026-09-01")
	// Page forward by 7 through NAME order and compare with one big page.
	var big slugPage
	e.query(t, `{ startups(first: 1000) { nodes { slug } } }`, nil, &big)
	var forward []string
	after := ""
	for i := 0; ; i++ {
		var p slugPage
		e.query(t, `{ startups(first: 70`+after+`) { pageInfo { hasNextPage hasPreviousPage endCursor } nodes { slug } } }`, nil, &p)
		if i > 0 && !p.Startups.PageInfo.HasPreviousPage {
			t.Error("a page after the first says it has no previous page")
		}
		for _, n := range p.Startups.Nodes {
			forward = append(forward, n.Slug)
		}
		if !p.Startups.PageInfo.HasNextPage {
			break
		}
		after = fmt.Sprintf(", after: %q", *p.Startups.PageInfo.EndCursor)
	}
	if len(forward) != len(all) {
		t.Fatalf("paging forward gave %d startups, want %d", len(forward), len(all))
	}
	for i, n := range big.Startups.Nodes {
		if forward[i] != n.Slug {
			t.Fatalf("position %d: paged %s, one page %s", i, forward[i], n.Slug)
		}
	}
	// The last 5, then the 5 before them.
	var last slugPage
	e.query(t, `{ startups(last: 5) { pageInfo { startCursor hasPreviousPage } nodes { slug } } }`, nil, &last)
	n := len(big.Startups.Nodes)
	for i, x := range last.Startups.Nodes {
		if x.Slug != big.Startups.Nodes[n-5+i].Slug {
			t.Errorf("last 5, position %d: %s, want %s", i, x.Slug, big.Startups.Nodes[n-5+i].Slug)
		}
	}
	var before slugPage
	e.query(t, fmt.Sprintf(`{ startups(last: 5, before: %q) { nodes { slug } } }`, *last.Startups.PageInfo.StartCursor), nil, &before)
	for i, x := range before.Startups.Nodes {
		if x.Slug != big.Startups.Nodes[n-10+i].Slug {
			t.Errorf("5 before the last 5, position %d: %s, want %s", i, x.Slug, big.Startups.Nodes[n-10+i].Slug)
		}
	}
}

func TestOrderings(t *testing.T) {
	e := newAPI(t)
	var p struct {
		Startups struct {
			Nodes []struct {
				Slug          string
				TeamSize      int
				LastCommittee *struct{ Date string }
				CurrentPhase  *struct{ Start string }
			}
		}
	}
	e.query(t, `{ startups(first: 1000, asOf: "2025-01-01", orderBy: [{field: TEAM_SIZE, direction: DESC}]) { nodes { slug teamSize } } }`, nil, &p)
	for i := 1; i < len(p.Startups.Nodes); i++ {
		a, b := p.Startups.Nodes[i-1], p.Startups.Nodes[i]
		if a.TeamSize < b.TeamSize || (a.TeamSize == b.TeamSize && a.Slug > b.Slug) {
			t.Fatalf("TEAM_SIZE DESC: %s (%d) before %s (%d)", a.Slug, a.TeamSize, b.Slug, b.TeamSize)
		}
	}
	e.query(t, `{ startups(first: 1000, asOf: "2025-01-01", orderBy: [{field: LAST_COMMITTEE, direction: ASC}]) { nodes { slug lastCommittee { date } } } }`, nil, &p)
	seenNull := false
	for i, n := range p.Startups.Nodes {
		if n.LastCommittee == nil {
			seenNull = true
			continue
		}
		if seenNull {
			t.Fatalf("LAST_COMMITTEE: %s has a committee after startups without one (nulls go last)", n.Slug)
		}
		if i > 0 && p.Startups.Nodes[i-1].LastCommittee != nil && p.Startups.Nodes[i-1].LastCommittee.Date > n.LastCommittee.Date {
			t.Fatalf("LAST_COMMITTEE ASC: %s after a later date", n.Slug)
		}
	}
	e.query(t, `{ startups(first: 1000, asOf: "2025-01-01", orderBy: [{field: PHASE_START, direction: DESC}]) { nodes { slug currentPhase { start } } } }`, nil, &p)
	for i := 1; i < len(p.Startups.Nodes); i++ {
		a, b := p.Startups.Nodes[i-1], p.Startups.Nodes[i]
		if a.CurrentPhase != nil && b.CurrentPhase != nil && a.CurrentPhase.Start < b.CurrentPhase.Start {
			t.Fatalf("PHASE_START DESC: %s (%s) before %s (%s)", a.Slug, a.CurrentPhase.Start, b.Slug, b.CurrentPhase.Start)
		}
		if a.CurrentPhase == nil && b.CurrentPhase != nil {
			t.Fatalf("PHASE_START: startups without a phase must come last")
		}
	}
}

func TestBadInputIsBadUserInput(t *testing.T) {
	e := newAPI(t)
	deep := "{active: true}"
	for i := 0; i < 20; i++ {
		deep = "{not: " + deep + "}"
	}
	tests := []struct {
		name, query string
		code        string
		field       string
	}{
		{"page too large", `{ startups(first: 1001) { totalCount } }`, "BAD_USER_INPUT", "first"},
		{"negative page", `{ members(first: -1) { totalCount } }`, "BAD_USER_INPUT", "first"},
		{"bad date", `{ portfolio(asOf: "2024-02-30") { startupCount } }`, "BAD_USER_INPUT", "asOf"},
		{"date with time", `{ startups(asOf: "2024-02-03T10:00:00Z") { totalCount } }`, "BAD_USER_INPUT", "asOf"},
		{"bad cursor", `{ startups(after: "bm9wZQ") { totalCount } }`, "BAD_USER_INPUT", "after"},
		{"bad id", `{ node(id: "???") { id } }`, "BAD_USER_INPUT", "id"},
		{"filter too deep", `{ startups(filter: ` + deep + `) { totalCount } }`, "BAD_USER_INPUT", "filter"},
		{"timeline backwards", `{ portfolio(asOf: "2020-01-01") { timeline(from: "2021-01-01") { date } } }`, "BAD_USER_INPUT", "to"},
		{"unknown enum", `{ startups(filter: {phases: [SLEEPING]}) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := e.do(t, tt.query, nil)
			if len(out.Errors) == 0 {
				t.Fatalf("no error")
			}
			got := out.Errors[0].Extensions
			if got["code"] != tt.code {
				t.Errorf("code %v, want %s (%s)", got["code"], tt.code, out.Errors[0].Message)
			}
			if tt.field != "" && got["field"] != tt.field {
				t.Errorf("field %v, want %s (%s)", got["field"], tt.field, out.Errors[0].Message)
			}
		})
	}
}

func TestNodesAndAsOfInheritance(t *testing.T) {
	e := newAPI(t)
	var p struct {
		Startups struct {
			Nodes []struct {
				ID, Slug  string
				Phase     *string
				P2020     *string
				Incubator struct{ ID string }
			}
		}
	}
	e.query(t, `{ startups(first: 50, asOf: "2020-01-01") { nodes { id slug phase p2020: phase(asOf: "2020-01-01") incubator { id } } } }`, nil, &p)
	ids := []string{}
	for _, n := range p.Startups.Nodes {
		if deref(n.Phase) != deref(n.P2020) {
			t.Errorf("%s: phase under startups(asOf: 2020-01-01) is %v, phase(asOf: 2020-01-01) is %v", n.Slug, n.Phase, n.P2020)
		}
		ids = append(ids, n.ID, n.Incubator.ID)
	}
	ids = append(ids, "U3RhcnR1cDpub3BlLWp1c3QtYS10ZXN0") // Startup:nope-just-a-test
	var got struct {
		Nodes []*struct {
			ID string
		}
	}
	e.query(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, &got)
	if len(got.Nodes) != len(ids) {
		t.Fatalf("%d nodes for %d ids", len(got.Nodes), len(ids))
	}
	for i, n := range got.Nodes[:len(ids)-1] {
		if n == nil || n.ID != ids[i] {
			t.Errorf("nodes[%d] = %v, want id %s", i, n, ids[i])
		}
	}
	if got.Nodes[len(ids)-1] != nil {
		t.Errorf("an unknown id gave %v, want null", got.Nodes[len(ids)-1])
	}
}

func deref(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

// TestEmptyNestedConnectionsCount checks that a nested connection with no
// node counts 0, not -1: with a filter that matches nothing, and with a
// page of none.
func TestEmptyNestedConnectionsCount(t *testing.T) {
	e := newAPI(t)
	var d struct {
		Incubators struct {
			Nodes []struct {
				None, Zero struct{ TotalCount int }
				All        struct{ TotalCount int }
			}
		}
		Organisations struct {
			Nodes []struct {
				Zero struct{ TotalCount int }
				All  struct{ TotalCount int }
			}
		}
	}
	e.query(t, `{ incubators(first: 100) { nodes {
		none: startups(filter: {slugs: []}) { totalCount }
		zero: startups(first: 0) { totalCount }
		all: startups(first: 1000) { nodes { slug } totalCount } } }
		organisations(first: 200) { nodes { zero: sponsoredStartups(first: 0) { totalCount } all: sponsoredStartups { totalCount } } } }`, nil, &d)
	for i, n := range d.Incubators.Nodes {
		if n.None.TotalCount != 0 || n.Zero.TotalCount != n.All.TotalCount {
			t.Errorf("incubator %d: no match counts %d, a page of none counts %d, want 0 and %d", i, n.None.TotalCount, n.Zero.TotalCount, n.All.TotalCount)
		}
	}
	for i, n := range d.Organisations.Nodes {
		if n.Zero.TotalCount != n.All.TotalCount || n.All.TotalCount < 0 {
			t.Errorf("organisation %d: a page of none counts %d, the list %d", i, n.Zero.TotalCount, n.All.TotalCount)
		}
	}
}
