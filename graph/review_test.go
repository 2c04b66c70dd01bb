package graph_test

// Tests of a portfolio review's questions on the synthetic network: the
// statements they run, their costs, their rules (computed here with the
// domain's functions on the seed's records), bad input, and the writes of
// people.

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// raw posts a query and returns the response's bytes.
func (e *apiEnv) raw(t testing.TB, query string) []byte {
	t.Helper()
	_, b := postGraphQL(t, e.url, e.token, query, nil)
	return b
}

func TestReviewStatementCounts(t *testing.T) {
	e := newAPI(t)
	tests := []struct {
		name         string
		query        string
		small, large int
		want         int
	}{
		{"investment with its incubators and sponsors, and budgets", `query($n: Int) { portfolio(asOf: "2026-08-20") { startupCount investment {
			fastCount fastTotalEuros byPromotion { promotion startupCount amountEuros } byIncubator { incubator { title } startupCount amountEuros }
			bySponsor { organisation { name } amountEuros } committeeBudgetEuros } } startups(first: $n) { nodes { slug } } }`, 1, 500, 6},
		{"quality", `query($n: Int) { portfolio { quality { startupCount withStatsUrl withImpactUrl withBudgetUrl withDashlordUrl
			withSecurityHomologation withRiskAnalysis byAccessibility { accessibility count } } } startups(first: $n) { nodes { slug } } }`, 1, 500, 2},
		{"flows by year and by month", `query($n: Int) { portfolio(asOf: "2026-08-20") {
			years: flows(from: "2014-01-01") { start end entered { phase count } exited { phase count } productLaunches nationalImpacts fastGrants committees committeeDecisions { decision count } }
			months: flows(from: "2018-01-01", every: MONTH) { start entered { count } } } startups(first: $n) { nodes { slug } } }`, 1, 500, 2}, // entries and exits in memory: months' flows run none
		{"flows' dates only: no statement", `query($n: Int) { portfolio(asOf: "2026-08-20") { flows(from: "2014-01-01") { start end } }
			startups(first: $n) { nodes { slug } } }`, 1, 500, 1},
		{"the feed with startups, incubators and committees", `query($n: Int) { events(first: $n) { totalCount
			nodes { name date comment startup { name incubator { title } } committee { decision budgetEuros startup { slug } } } } }`, 10, 562, 2}, // the incubators' titles come with the startups
		{"who follows whom, incubators, old slugs, next committee, phase comments", `query($n: Int) { startups(first: $n, asOf: "2026-08-20",
			filter: {active: true}, orderBy: [{field: NEXT_COMMITTEE_DUE}]) { nodes { slug nextCommitteeDue committeeOverdue formerSlugs
			incubators { title } phases { comment } portfolioManagers { fullname bio version followedStartups { name } } } } }`, 3, 300, 8},
		{"a startup's events and their startup", `query($n: Int) { startups(first: $n) { nodes { events { name startup { slug } } } } }`, 30, 500, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.query(t, tt.query, map[string]any{"n": tt.small}, nil).Extensions.SQL.Statements
			b := e.query(t, tt.query, map[string]any{"n": tt.large}, nil).Extensions.SQL.Statements
			if a != b {
				t.Errorf("%d statements with %d rows, %d with %d: the count depends on the rows", a, tt.small, b, tt.large)
			}
			if b != tt.want {
				t.Errorf("%d statements, want %d", b, tt.want)
			}
		})
	}
}

// valuesOf counts the field values of an answer, as the cost model bounds
// them: every key of every object, in every element of every list.
func valuesOf(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		for _, c := range v {
			n += 1 + valuesOf(c)
		}
	case []any:
		for _, c := range v {
			n += valuesOf(c)
		}
	}
	return n
}

// TestFlowPartsAgree checks that flows counts the same whichever of its
// parts a selection asks for (each part is counted only when asked for).
func TestFlowPartsAgree(t *testing.T) {
	e := newAPI(t)
	const args = `(from: "2014-01-01", every: QUARTER)`
	var out struct {
		Portfolio map[string][]map[string]any
	}
	e.query(t, `{ portfolio(asOf: "2026-08-20") {
		all: flows`+args+` { start entered { phase count } exited { phase count } productLaunches nationalImpacts fastGrants committees committeeDecisions { decision count } }
		entered: flows`+args+` { start entered { phase count } }
		exited: flows`+args+` { start exited { phase count } }
		events: flows`+args+` { start productLaunches nationalImpacts fastGrants }
		committees: flows`+args+` { start committees committeeDecisions { decision count } } } }`, nil, &out)
	all := out.Portfolio["all"]
	seen := map[string]bool{}
	for _, part := range []string{"entered", "exited", "events", "committees"} {
		got := out.Portfolio[part]
		if len(got) != len(all) || len(all) == 0 {
			t.Fatalf("%s: %d periods, all parts: %d", part, len(got), len(all))
		}
		for i, p := range got {
			for k, v := range p {
				if want := all[i][k]; fmt.Sprint(v) != fmt.Sprint(want) {
					t.Errorf("%s, period %v, %s: %v alone, %v with every part", part, p["start"], k, v, want)
				}
				if k != "start" && fmt.Sprint(v) != "0" && fmt.Sprint(v) != "[]" {
					seen[k] = true
				}
			}
		}
	}
	for _, k := range []string{"entered", "exited", "productLaunches", "nationalImpacts", "committees", "committeeDecisions"} {
		if !seen[k] {
			t.Errorf("%s is empty in every period: the check is too weak", k)
		}
	}
}

// TestReviewCostBoundsTheAnswer checks that the cost of each new list bounds
// the values of its answer, on the lists that are longest in the data.
func TestReviewCostBoundsTheAnswer(t *testing.T) {
	e := newAPI(t)
	for _, q := range []string{
		`{ startups(first: 1000) { nodes { portfolioManagers { slug followedStartups { slug portfolioManagers { slug } } } incubators { slug } formerSlugs } } }`,
		`{ events(first: 1000) { totalCount edges { cursor node { name date startup { slug } committee { slug } } } } }`,
		`{ portfolio(asOf: "2026-08-20") { flows(from: "2010-01-01", to: "2026-08-20", every: QUARTER) { start end entered { phase count } exited { phase count } committeeDecisions { decision count } } } }`,
		`{ portfolio(asOf: "2026-08-20") { flows(from: "2010-01-01") { start entered { phase count } } } }`,
		`{ portfolio { investment { fastCount byPromotion { promotion startupCount amountEuros } byIncubator { incubator { slug } amountEuros } bySponsor { organisation { slug } amountEuros } } quality { byAccessibility { accessibility count } } } }`,
		`{ members(first: 1000, filter: {active: true}) { nodes { followedStartups { slug formerSlugs } } } }`,
	} {
		out := e.query(t, q, nil, nil)
		var data any
		if err := json.Unmarshal(out.Data, &data); err != nil {
			t.Fatal(err)
		}
		var ext struct {
			Extensions struct{ Cost struct{ Requested float64 } }
		}
		body := e.raw(t, q)
		if err := json.Unmarshal(body, &ext); err != nil {
			t.Fatal(err)
		}
		if n := valuesOf(data); float64(n) > ext.Extensions.Cost.Requested || ext.Extensions.Cost.Requested == 0 {
			t.Errorf("%d values in the answer, cost %v: the cost does not bound it\n%s", n, ext.Extensions.Cost.Requested, q)
		}
	}
}

// TestReviewBadInput checks the new arguments' mistakes: each is a clear
// error, before any work that could run into the deadline.
func TestReviewBadInput(t *testing.T) {
	e := newAPI(t)
	for _, tt := range []struct {
		name, query, code, field string
	}{
		{"flows every day over decades", `{ portfolio(asOf: "2026-08-20") { flows(from: "1990-01-01", every: DAY) { start } } }`, "BAD_USER_INPUT", "every"},
		{"flows every day over decades, to given", `{ portfolio { flows(from: "1990-01-01", to: "2026-01-01", every: DAY) { start } } }`, "BAD_USER_INPUT", "every"},
		{"flows inverted", `{ portfolio { flows(from: "2026-01-01", to: "2020-01-01") { start } } }`, "BAD_USER_INPUT", "to"},
		{"timeline every day over decades", `{ portfolio { timeline(from: "1990-01-01", to: "2026-01-01", every: DAY) { date } } }`, "BAD_USER_INPUT", "to"},
		{"flows every hour", `{ portfolio { flows(from: "2026-01-01", every: HOUR) { start } } }`, "GRAPHQL_VALIDATION_FAILED", ""},
		{"unknown accessibility", `{ startups(filter: {accessibility: [MOSTLY_COMPLIANT]}) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED", ""},
		{"unknown ordering", `{ startups(orderBy: [{field: FAST}]) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED", ""},
		{"unknown event ordering", `{ events(orderBy: [{field: NAME}]) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED", ""},
		{"next committee range inverted", `{ startups(filter: {nextCommitteeDue: {from: "2027-01-01", to: "2026-01-01"}}) { totalCount } }`, "BAD_USER_INPUT", "nextCommitteeDue"},
		{"feed period inverted", `{ events(filter: {from: "2026-01-01", to: "2025-01-01"}) { totalCount } }`, "BAD_USER_INPUT", "filter"},
		{"feed page too large", `{ events(first: 5000) { totalCount } }`, "BAD_USER_INPUT", "first"},
		{"budgets over an inverted period", `{ portfolio { investment { committeeBudgetEuros(from: "2026-01-01", to: "2025-01-01") } } }`, "BAD_USER_INPUT", "to"},
		{"promotion as text", `{ startups(filter: {fastPromotions: ["12"]}) { totalCount } }`, "GRAPHQL_VALIDATION_FAILED", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := e.do(t, tt.query, nil)
			if len(out.Errors) == 0 {
				t.Fatalf("no error: %s", out.Data)
			}
			if c, _ := out.Errors[0].Extensions["code"].(string); c != tt.code {
				t.Errorf("code %q, want %q (%s)", c, tt.code, out.Errors[0].Message)
			}
			if f, _ := out.Errors[0].Extensions["field"].(string); tt.field != "" && f != tt.field {
				t.Errorf("field %q, want %q (%s)", f, tt.field, out.Errors[0].Message)
			}
		})
	}
}

// TestReviewFiltersAgreeWithRules compares the new filters and orderings
// with the domain's rules applied to the seed's records.
func TestReviewFiltersAgreeWithRules(t *testing.T) {
	e := newAPI(t)
	r := seeded(t)
	cs := func(s *portfolio.Startup) []*portfolio.Committee {
		var out []*portfolio.Committee
		for i := range s.Committees {
			out = append(out, &s.Committees[i])
		}
		return out
	}
	is := func(b *bool) bool { return b != nil && *b }
	follower := ""
	for _, s := range r.startups {
		if len(s.ContactDINUM) > 0 {
			follower = s.ContactDINUM[0]
			break
		}
	}
	type pred func(s *portfolio.Startup, d portfolio.Date) bool
	due := func(s *portfolio.Startup, d portfolio.Date) portfolio.Date {
		return portfolio.NextCommitteeDueAt(s.Phases, cs(s), d)
	}
	status := func(s *portfolio.Startup, d portfolio.Date) portfolio.ReviewStatus {
		return portfolio.ReviewStatusAt(s.Phases, cs(s), d)
	}
	var missions []portfolio.Mission
	domains := map[string]portfolio.Domain{}
	for _, m := range r.members {
		domains[m.Slug] = m.Domain
		for _, mi := range m.Missions {
			mi.MemberSlug = m.Slug
			missions = append(missions, mi)
		}
	}
	without := func(s *portfolio.Startup, d portfolio.Date) bool {
		return portfolio.WithoutIntrapreneurAt(s.Phases, missions, func(m string) portfolio.Domain { return domains[m] }, s.Slug, d)
	}
	tests := []struct {
		filter string
		want   pred
	}{
		{`{fast: true}`, func(s *portfolio.Startup, _ portfolio.Date) bool { return s.Fast != nil }},
		{`{fast: false}`, func(s *portfolio.Startup, _ portfolio.Date) bool { return s.Fast == nil }},
		{`{fastPromotions: [3, 4]}`, func(s *portfolio.Startup, _ portfolio.Date) bool {
			return s.Fast != nil && (s.Fast.Promotion == 3 || s.Fast.Promotion == 4)
		}},
		{`{fastPromotions: []}`, func(*portfolio.Startup, portfolio.Date) bool { return false }},
		{`{hasStatsUrl: true}`, func(s *portfolio.Startup, _ portfolio.Date) bool {
			return portfolio.StatsPage(s.StatsURL, s.Link, s.Stats) != ""
		}},
		{`{hasImpactUrl: false}`, func(s *portfolio.Startup, _ portfolio.Date) bool { return s.ImpactURL == "" }},
		{`{securityHomologation: true}`, func(s *portfolio.Startup, _ portfolio.Date) bool { return is(s.SecurityHomologation) }},
		{`{securityHomologation: false}`, func(s *portfolio.Startup, _ portfolio.Date) bool { return !is(s.SecurityHomologation) }},
		{`{riskAnalysis: true, active: true}`, func(s *portfolio.Startup, d portfolio.Date) bool {
			return is(s.RiskAnalysis) && portfolio.ActiveAt(s.Phases, d)
		}},
		{`{accessibility: [PARTIALLY_COMPLIANT, null]}`, func(s *portfolio.Startup, _ portfolio.Date) bool {
			a := s.Accessibility()
			return a == nil || *a == portfolio.AccessibilityPartial
		}},
		{`{accessibility: [FULLY_COMPLIANT]}`, func(s *portfolio.Startup, _ portfolio.Date) bool {
			a := s.Accessibility()
			return a != nil && *a == portfolio.AccessibilityFull
		}},
		{fmt.Sprintf(`{portfolioManagers: [%q]}`, follower), func(s *portfolio.Startup, _ portfolio.Date) bool {
			return slices.Contains(s.PortfolioManagerSlugs(), follower)
		}},
		{`{neverReviewed: true, active: true}`, func(s *portfolio.Startup, d portfolio.Date) bool {
			return portfolio.NeverReviewedAt(cs(s), d) && portfolio.ActiveAt(s.Phases, d)
		}},
		{`{neverReviewed: false}`, func(s *portfolio.Startup, d portfolio.Date) bool { return !portfolio.NeverReviewedAt(cs(s), d) }},
		{`{nextCommitteeDue: {from: "2026-09-01", to: "2026-12-31"}}`, func(s *portfolio.Startup, d portfolio.Date) bool {
			x := due(s, d)
			return !x.IsZero() && x >= portfolio.MustDate("2026-09-01") && x <= portfolio.MustDate("2026-12-31")
		}},
		{`{nextCommitteeDue: {to: "2026-06-30"}}`, func(s *portfolio.Startup, d portfolio.Date) bool {
			x := due(s, d)
			return !x.IsZero() && x <= portfolio.MustDate("2026-06-30")
		}},
		{`{not: {nextCommitteeDue: {}}}`, func(s *portfolio.Startup, d portfolio.Date) bool { return due(s, d).IsZero() }},
		{`{reviewStatus: [OVERDUE]}`, func(s *portfolio.Startup, d portfolio.Date) bool { return status(s, d) == portfolio.ReviewOverdue }},
		{`{reviewStatus: [NONE_RECORDED]}`, func(s *portfolio.Startup, d portfolio.Date) bool { return status(s, d) == portfolio.ReviewNoneRecorded }},
		{`{reviewStatus: [DUE_SOON, UP_TO_DATE]}`, func(s *portfolio.Startup, d portfolio.Date) bool {
			return status(s, d) == portfolio.ReviewDueSoon || status(s, d) == portfolio.ReviewUpToDate
		}},
		{`{reviewStatus: []}`, func(*portfolio.Startup, portfolio.Date) bool { return false }},
		{`{not: {reviewStatus: [OVERDUE, NONE_RECORDED, DUE_SOON, UP_TO_DATE]}}`, func(s *portfolio.Startup, d portfolio.Date) bool {
			return !portfolio.ActiveAt(s.Phases, d)
		}},
		{`{withoutIntrapreneur: true}`, without},
		{`{withoutIntrapreneur: false, active: true}`, func(s *portfolio.Startup, d portfolio.Date) bool {
			return portfolio.ActiveAt(s.Phases, d) && !without(s, d)
		}},
	}
	for _, asOf := range []string{"2023-06-15", "2026-09-01"} {
		d := portfolio.MustDate(asOf)
		for _, tt := range tests {
			t.Run(asOf+" "+tt.filter, func(t *testing.T) {
				n := e.checkSlugs(t, r, tt.filter, d, tt.want)
				if n == 0 && !strings.Contains(tt.filter, "[]") && asOf == "2026-09-01" {
					t.Errorf("no startup matches: the check is too weak")
				}
			})
		}
	}
	t.Run("orderings", func(t *testing.T) {
		var p struct {
			Startups struct {
				Nodes []struct {
					Slug             string
					NextCommitteeDue *string
					Fast             *struct{ AmountEuros int }
				}
			}
		}
		e.query(t, `{ startups(first: 1000, asOf: "2026-09-01", orderBy: [{field: NEXT_COMMITTEE_DUE}]) { nodes { slug nextCommitteeDue } } }`, nil, &p)
		d := portfolio.MustDate("2026-09-01")
		bySlug := map[string]*portfolio.Startup{}
		for _, s := range r.startups {
			bySlug[s.Slug] = s
		}
		var last string
		nulls := false
		for _, n := range p.Startups.Nodes {
			want := due(bySlug[n.Slug], d)
			got := ""
			if n.NextCommitteeDue != nil {
				got = *n.NextCommitteeDue
			}
			if (want.IsZero() && got != "") || (!want.IsZero() && got != want.String()) {
				t.Fatalf("%s: nextCommitteeDue %q, want %v", n.Slug, got, want)
			}
			switch {
			case got == "":
				nulls = true
			case nulls || got < last:
				t.Fatalf("%s: due %s after %s, or after a startup with none: not in order", n.Slug, got, last)
			default:
				last = got
			}
		}
		// REVIEW_STATUS: late first, then none recorded, due soon, up to
		// date, the startups out of incubation last; ties by slug.
		var rs struct {
			Startups struct {
				Nodes []struct {
					Slug         string
					ReviewStatus *portfolio.ReviewStatus
				}
			}
		}
		e.query(t, `{ startups(first: 1000, asOf: "2026-09-01", orderBy: [{field: REVIEW_STATUS}]) { nodes { slug reviewStatus } } }`, nil, &rs)
		prevRank, prevSlug := -1, ""
		for _, n := range rs.Startups.Nodes {
			want := status(bySlug[n.Slug], d)
			got := portfolio.ReviewStatus("")
			if n.ReviewStatus != nil {
				got = *n.ReviewStatus
			}
			if got != want {
				t.Fatalf("%s: reviewStatus %q, want %q", n.Slug, got, want)
			}
			if r := got.Rank(); r < prevRank || r == prevRank && n.Slug < prevSlug {
				t.Fatalf("%s (%q) after %s: not in order", n.Slug, got, prevSlug)
			} else {
				prevRank, prevSlug = r, n.Slug
			}
		}
		e.query(t, `{ startups(first: 1000, orderBy: [{field: FAST_AMOUNT, direction: DESC}]) { nodes { slug fast { amountEuros } } } }`, nil, &p)
		prev, seenNone := 1<<62, false
		for _, n := range p.Startups.Nodes {
			switch {
			case n.Fast == nil:
				seenNone = true
			case seenNone || n.Fast.AmountEuros > prev:
				t.Fatalf("%s: FAST %d after %d: not in descending order, or after a startup without", n.Slug, n.Fast.AmountEuros, prev)
			default:
				prev = n.Fast.AmountEuros
			}
		}
	})
}

// TestNextCommitteeDueAndOverdueAgree checks DESIGN.md's rule on the
// active startups of the seed that have a committee due: at dates around
// the due day of each, OVERDUE (and committeeOverdue) ⇔ next due < D, else
// DUE_SOON.
func TestNextCommitteeDueAndOverdueAgree(t *testing.T) {
	e := newAPI(t)
	var p struct {
		Startups struct {
			Nodes []struct {
				Slug             string
				NextCommitteeDue string
			}
		}
	}
	e.query(t, `{ startups(first: 40, asOf: "2026-09-01", filter: {active: true, neverReviewed: false}) { nodes { slug nextCommitteeDue } } }`, nil, &p)
	checked := 0
	for _, n := range p.Startups.Nodes {
		due := portfolio.MustDate(n.NextCommitteeDue)
		var q strings.Builder
		q.WriteString(`{ `)
		for i, d := range []portfolio.Date{due.AddDays(-1), due, due.AddDays(1)} {
			fmt.Fprintf(&q, `d%d: startup(slug: %q) { active(asOf: %[3]q) committeeOverdue(asOf: %[3]q) nextCommitteeDue(asOf: %[3]q)
				reviewStatus(asOf: %[3]q) } `, i, n.Slug, d)
		}
		q.WriteString(`}`)
		var a map[string]struct {
			Active           bool
			CommitteeOverdue bool
			NextCommitteeDue *string
			ReviewStatus     *portfolio.ReviewStatus
		}
		e.query(t, q.String(), nil, &a)
		for i, d := range []portfolio.Date{due.AddDays(-1), due, due.AddDays(1)} {
			x := a[fmt.Sprintf("d%d", i)]
			if !x.Active || x.NextCommitteeDue == nil {
				continue // the startup moved on that day
			}
			checked++
			want := *x.NextCommitteeDue < d.String()
			if x.CommitteeOverdue != want {
				t.Errorf("%s on %s: next due %s, overdue %v", n.Slug, d, *x.NextCommitteeDue, x.CommitteeOverdue)
			}
			if st := x.ReviewStatus; st == nil || (*st == portfolio.ReviewOverdue) != want || !want && *st != portfolio.ReviewDueSoon {
				t.Errorf("%s on %s: next due %s, status %v", n.Slug, d, *x.NextCommitteeDue, st)
			}
		}
	}
	if checked < 60 {
		t.Errorf("only %d dates checked", checked)
	}
}

// TestFormerSlugs checks that startup(slug:) finds a startup by the slug it
// had before, and that a startup's own slug wins over another's old one.
func TestFormerSlugs(t *testing.T) {
	e := newAPI(t)
	var a struct {
		Old, Own *struct {
			Slug        string
			FormerSlugs []string
		}
		None *struct{ Slug string }
	}
	e.query(t, `{ old: startup(slug: "locatio") { slug formerSlugs } own: startup(slug: "dossierfacile") { slug formerSlugs }
		none: startup(slug: "jamais-vu") { slug } }`, nil, &a)
	if a.Old == nil || a.Old.Slug != "dossierfacile" || !slices.Equal(a.Old.FormerSlugs, []string{"locatio"}) {
		t.Errorf("startup(slug: locatio) = %+v, want dossierfacile", a.Old)
	}
	if a.Own == nil || a.Own.Slug != "dossierfacile" || a.None != nil {
		t.Errorf("own %+v, none %+v", a.Own, a.None)
	}
	// A startup whose old slug is now another startup's: that one answers.
	ctx := t.Context()
	if _, err := e.db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error {
		return s.PutStartup(ctx, &portfolio.Startup{Slug: "arrosoir", Name: "Arrosoir", RedirectFrom: []string{"acces-cible", "binette"}})
	}); err != nil {
		t.Fatal(err)
	}
	var b struct{ A, B struct{ Slug string } }
	e.query(t, `{ a: startup(slug: "acces-cible") { slug } b: startup(slug: "binette") { slug } }`, nil, &b)
	if b.A.Slug != "acces-cible" || b.B.Slug != "arrosoir" {
		t.Errorf("acces-cible answers %q, binette %q; want acces-cible, arrosoir", b.A.Slug, b.B.Slug)
	}
}

// TestOverdueFollowsRecordedDue checks, on acces-cible (its last committee
// on 2025-10-07 recorded its next one for 2026-04-07, 182 days on), that
// every way of asking says overdue from 2026-04-08 on: by the 183-day rule
// alone it would be 2026-04-09.
func TestOverdueFollowsRecordedDue(t *testing.T) {
	e := newAPI(t)
	for _, c := range []struct {
		day  string
		want bool
	}{{"2026-04-07", false}, {"2026-04-08", true}, {"2026-04-09", true}} {
		var a struct {
			Startup struct {
				CommitteeOverdue bool
				NextCommitteeDue string
				ReviewStatus     portfolio.ReviewStatus
			}
			Startups, Late struct{ TotalCount int }
			Portfolio      struct {
				CommitteeOverdueCount int
				ReviewStatuses        []struct {
					Status portfolio.ReviewStatus
					Count  int
				}
			}
		}
		e.query(t, fmt.Sprintf(`{ startup(slug: "acces-cible") { committeeOverdue(asOf: %[1]q) nextCommitteeDue(asOf: %[1]q) reviewStatus(asOf: %[1]q) }
			startups(asOf: %[1]q, filter: {slugs: ["acces-cible"], committeeOverdue: true}) { totalCount }
			late: startups(asOf: %[1]q, filter: {slugs: ["acces-cible"], reviewStatus: [OVERDUE]}) { totalCount }
			portfolio(asOf: %[1]q, filter: {slugs: ["acces-cible"]}) { committeeOverdueCount reviewStatuses { status count } } }`, c.day), nil, &a)
		want, status := 0, portfolio.ReviewDueSoon
		if c.want {
			want, status = 1, portfolio.ReviewOverdue
		}
		if a.Startup.CommitteeOverdue != c.want || a.Startups.TotalCount != want || a.Portfolio.CommitteeOverdueCount != want || a.Startup.NextCommitteeDue != "2026-04-07" {
			t.Errorf("%s: overdue %v, filter %d, count %d, next due %s; want %v, due 2026-04-07", c.day, a.Startup.CommitteeOverdue,
				a.Startups.TotalCount, a.Portfolio.CommitteeOverdueCount, a.Startup.NextCommitteeDue, c.want)
		}
		if a.Startup.ReviewStatus != status || a.Late.TotalCount != want || len(a.Portfolio.ReviewStatuses) != 4 ||
			a.Portfolio.ReviewStatuses[status.Rank()].Status != status || a.Portfolio.ReviewStatuses[status.Rank()].Count != 1 {
			t.Errorf("%s: status %q, filter %d, counts %v; want %q", c.day, a.Startup.ReviewStatus, a.Late.TotalCount, a.Portfolio.ReviewStatuses, status)
		}
	}
}

// TestMemberWrites runs createMember and updateMember through the API:
// rights, a replayed clientMutationId, a stale version, what a member reads
// afterwards.
func TestMemberWrites(t *testing.T) {
	e := newAccess(t)
	const create = `mutation($in: CreateMemberInput!) { createMember(input: $in) { clientMutationId member { slug fullname bio version domain
		missions { nodes { slug start status startups { slug } } } } } }`
	in := map[string]any{"slug": "lea.binette", "fullname": "Léa Binette", "domain": "PRODUCT", "bio": "Intrapreneuse.",
		"mission": map[string]any{"start": "2025-09-01", "status": "ADMIN", "startups": []string{e.startupA}}, "clientMutationId": "k-1"}
	if _, out := e.post(t, "", create, map[string]any{"in": in}); codeOf(out) != "UNAUTHENTICATED" {
		t.Errorf("anonymous: %q", codeOf(out))
	}
	if _, out := e.post(t, e.viewer, create, map[string]any{"in": in}); codeOf(out) != "FORBIDDEN" {
		t.Errorf("viewer: %q", codeOf(out))
	}
	other := map[string]any{"slug": "lea.binette", "fullname": "Léa Binette", "domain": "PRODUCT",
		"mission": map[string]any{"start": "2025-09-01", "status": "ADMIN", "startups": []string{e.startupB}}}
	if _, out := e.post(t, e.managerA, create, map[string]any{"in": other}); codeOf(out) != "FORBIDDEN" {
		t.Errorf("a manager, on another incubator's startup: %q", codeOf(out))
	}
	audit := e.countRows(t, "audit")
	var a, b struct {
		CreateMember struct {
			ClientMutationID string
			Member           struct {
				Slug, Fullname, Bio string
				Version             int
				Missions            struct{ Nodes []struct{ Slug string } }
			}
		}
	}
	e.must(t, e.managerA, create, map[string]any{"in": in}, &a)
	e.must(t, e.managerA, create, map[string]any{"in": in}, &b) // a retry: the same answer, nothing written
	if a.CreateMember.Member.Slug != "lea.binette" || a.CreateMember.Member.Version != 1 || a.CreateMember.Member.Bio != "Intrapreneuse." ||
		len(a.CreateMember.Member.Missions.Nodes) != 1 || a.CreateMember.ClientMutationID != "k-1" {
		t.Errorf("created %+v", a.CreateMember)
	}
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("the retry answered %+v, the first %+v", b, a)
	}
	if n := e.countRows(t, "audit"); n != audit+2 {
		t.Errorf("%d audit entries after a creation and its retry, want %d (the member and its mission)", n, audit+2)
	}
	const update = `mutation($in: UpdateMemberInput!) { updateMember(input: $in) { member { role competences version } } }`
	if _, out := e.post(t, e.managerA, update, map[string]any{"in": map[string]any{"id": "lea.binette", "version": 5, "role": "Coach"}}); codeOf(out) != "CONFLICT" {
		t.Errorf("a stale version: %q", codeOf(out))
	}
	if _, out := e.post(t, e.managerA, update, map[string]any{"in": map[string]any{"id": "lea.binette", "version": 1, "domain": "GARDENING"}}); codeOf(out) != "GRAPHQL_VALIDATION_FAILED" {
		t.Errorf("an unknown domain: %q", codeOf(out))
	}
	var u struct {
		UpdateMember struct {
			Member struct {
				Role        string
				Competences []string
				Version     int
			}
		}
	}
	e.must(t, e.managerA, update, map[string]any{"in": map[string]any{"id": portfolio.GlobalID("Member", "lea.binette"), "version": 1,
		"role": "Coach", "competences": []string{"Animation"}}}, &u)
	if m := u.UpdateMember.Member; m.Role != "Coach" || m.Version != 2 || !slices.Equal(m.Competences, []string{"Animation"}) {
		t.Errorf("updated %+v", m)
	}
}

// TestReviewStatusAndIntrapreneursAgreeWithRules checks the fields and
// aggregates of issue 18 against the domain's rules on every startup of
// the seed, at two dates: reviewStatus, incubatedSince and intrapreneurs,
// and the portfolio's reviewStatuses and withoutIntrapreneurCount, as a
// whole and for one incubator.
func TestReviewStatusAndIntrapreneursAgreeWithRules(t *testing.T) {
	e := newAPI(t)
	r := seeded(t)
	var missions []portfolio.Mission
	domains := map[string]portfolio.Domain{}
	for _, m := range r.members {
		domains[m.Slug] = m.Domain
		for _, mi := range m.Missions {
			mi.MemberSlug = m.Slug
			missions = append(missions, mi)
		}
	}
	domainOf := func(m string) portfolio.Domain { return domains[m] }
	for _, asOf := range []string{"2024-03-01", "2026-09-01"} {
		d := portfolio.MustDate(asOf)
		var a struct {
			Startups struct {
				Nodes []struct {
					Slug           string
					Incubator      *struct{ Slug string }
					ReviewStatus   *portfolio.ReviewStatus
					IncubatedSince *string
					Intrapreneurs  []struct{ Slug string }
				}
			}
			All, Dinum struct {
				ReviewStatuses []struct {
					Status portfolio.ReviewStatus
					Count  int
				}
				WithoutIntrapreneurCount int
			}
		}
		e.query(t, fmt.Sprintf(`{ startups(first: 1000, asOf: %[1]q) { nodes { slug incubator { slug } reviewStatus incubatedSince intrapreneurs { slug } } }
			all: portfolio(asOf: %[1]q) { reviewStatuses { status count } withoutIntrapreneurCount }
			dinum: portfolio(asOf: %[1]q, filter: {incubators: ["dinum"]}) { reviewStatuses { status count } withoutIntrapreneurCount } }`, asOf), nil, &a)
		bySlug := map[string]*portfolio.Startup{}
		for _, s := range r.startups {
			bySlug[s.Slug] = s
		}
		counts := map[string]map[portfolio.ReviewStatus]int{"all": {}, "dinum": {}}
		withouts := map[string]int{}
		intrapreneurs := 0
		for _, n := range a.Startups.Nodes {
			s := bySlug[n.Slug]
			var cs []*portfolio.Committee
			for i := range s.Committees {
				cs = append(cs, &s.Committees[i])
			}
			slices.SortStableFunc(cs, func(x, y *portfolio.Committee) int { return strings.Compare(x.Slug, y.Slug) })
			want := portfolio.ReviewStatusAt(s.Phases, cs, d)
			if got := n.ReviewStatus; (got == nil) != (want == "") || got != nil && *got != want {
				t.Errorf("%s at %s: reviewStatus %v, want %q", n.Slug, asOf, got, want)
			}
			since := portfolio.IncubatedSince(s.Phases)
			if got := n.IncubatedSince; (got == nil) != since.IsZero() || got != nil && *got != since.String() {
				t.Errorf("%s: incubatedSince %v, want %s", n.Slug, got, since)
			}
			var got []string
			for _, m := range n.Intrapreneurs {
				got = append(got, m.Slug)
			}
			wantIntra := portfolio.IntrapreneursAt(missions, domainOf, n.Slug, d)
			slices.Sort(got)
			slices.Sort(wantIntra)
			if !slices.Equal(got, wantIntra) {
				t.Errorf("%s at %s: intrapreneurs %v, want %v", n.Slug, asOf, got, wantIntra)
			}
			intrapreneurs += len(got)
			scopes := []string{"all"}
			if n.Incubator != nil && n.Incubator.Slug == "dinum" {
				scopes = append(scopes, "dinum")
			}
			for _, sc := range scopes {
				if want != "" {
					counts[sc][want]++
				}
				if portfolio.WithoutIntrapreneurAt(s.Phases, missions, domainOf, n.Slug, d) {
					withouts[sc]++
				}
			}
		}
		for sc, p := range map[string]struct {
			ReviewStatuses []struct {
				Status portfolio.ReviewStatus
				Count  int
			}
			WithoutIntrapreneurCount int
		}{"all": a.All, "dinum": a.Dinum} {
			if len(p.ReviewStatuses) != len(portfolio.ReviewStatuses) {
				t.Fatalf("%s: %d statuses, want every one", sc, len(p.ReviewStatuses))
			}
			for i, c := range p.ReviewStatuses {
				if c.Status != portfolio.ReviewStatuses[i] || c.Count != counts[sc][c.Status] {
					t.Errorf("%s at %s: %s %d, want %s %d", sc, asOf, c.Status, c.Count, portfolio.ReviewStatuses[i], counts[sc][c.Status])
				}
			}
			if p.WithoutIntrapreneurCount != withouts[sc] {
				t.Errorf("%s at %s: withoutIntrapreneurCount %d, want %d", sc, asOf, p.WithoutIntrapreneurCount, withouts[sc])
			}
		}
		if asOf == "2026-09-01" && (intrapreneurs == 0 || withouts["all"] == 0 || counts["all"][portfolio.ReviewNoneRecorded] == 0) {
			t.Errorf("too weak a check: %d intrapreneurs, %d without, %v", intrapreneurs, withouts["all"], counts["all"])
		}
	}
}
