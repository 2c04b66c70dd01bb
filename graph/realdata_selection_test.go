package graph_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// TestRealDataSelectionsAgree runs the filters with conditions at a date,
// pages in the rules' orders, the figures that are those rules at one
// date, flows and timelines, both
// ways on the real snapshot: in memory over the dated index (what the API
// does) and in SQL (sqlite.WithSQLRules). Pages, their counts and every
// figure must be the same.
func TestRealDataSelectionsAgree(t *testing.T) {
	env := realData(t)
	yes, no := true, false
	from, to := portfolio.MustDate("2025-01-01"), portfolio.MustDate("2026-12-31")
	filters := []*portfolio.StartupFilter{
		nil,
		{Active: &yes},
		{Active: &no},
		{Phases: []portfolio.Phase{portfolio.PhaseConstruction, portfolio.PhaseAcceleration}},
		{CommitteeOverdue: &yes},
		{ReviewConditions: portfolio.ReviewConditions{ReviewStatus: []portfolio.ReviewStatus{portfolio.ReviewOverdue}}},
		{ReviewConditions: portfolio.ReviewConditions{ReviewStatus: []portfolio.ReviewStatus{portfolio.ReviewNoneRecorded, portfolio.ReviewDueSoon}}},
		{ReviewConditions: portfolio.ReviewConditions{WithoutIntrapreneur: &yes}},
		{ReviewConditions: portfolio.ReviewConditions{NeverReviewed: &yes}, Incubators: []string{"dinum"}},
		{ReviewConditions: portfolio.ReviewConditions{NextCommitteeDue: &portfolio.DateRange{From: &from, To: &to}}},
		{Or: []*portfolio.StartupFilter{{ReviewConditions: portfolio.ReviewConditions{WithoutIntrapreneur: &no}, Active: &yes}, {Incubators: []string{"anct"}}}},
		{Not: &portfolio.StartupFilter{ReviewConditions: portfolio.ReviewConditions{ReviewStatus: []portfolio.ReviewStatus{portfolio.ReviewUpToDate}}}},
	}
	orders := [][]*portfolio.StartupOrder{
		nil,
		{{Field: portfolio.StartupOrderIncubatedSince, Direction: portfolio.Asc}},
		{{Field: portfolio.StartupOrderNextDue, Direction: portfolio.Desc}},
		{{Field: portfolio.StartupOrderReviewStatus, Direction: portfolio.Asc}, {Field: portfolio.StartupOrderLastCommittee, Direction: portfolio.Desc}},
		{{Field: portfolio.StartupOrderPhaseStart, Direction: portfolio.Desc}, {Field: portfolio.StartupOrderSlug, Direction: portfolio.Desc}},
		{{Field: portfolio.StartupOrderLastCommittee, Direction: portfolio.Asc}},
		{{Field: portfolio.StartupOrderName, Direction: portfolio.Desc}},
		{{Field: portfolio.StartupOrderIncubatedSince, Direction: portfolio.Desc}, {Field: portfolio.StartupOrderName, Direction: portfolio.Asc}},
	}
	dates := []string{"2019-06-30", "2023-01-01", "2025-10-01", "2026-08-20"}
	compared := 0
	for fi, f := range filters {
		for _, ds := range dates {
			d := portfolio.MustDate(ds)
			t.Run(fmt.Sprintf("filter %d at %s", fi, ds), func(t *testing.T) {
				answer := func(ctx context.Context) string {
					ctx = sqlite.WithFilterCache(ctx)
					var out []any
					for _, o := range orders {
						pages, err := env.db.Startups(ctx, sqlite.StartupQuery{Filter: f, Order: o, AsOf: d, WantTotal: true,
							Window: portfolio.Window{Limit: 40, Offset: 10}})
						if err != nil {
							t.Fatal(err)
						}
						var slugs []string
						for _, s := range pages[0].Items {
							slugs = append(slugs, s.Slug)
						}
						out = append(out, pages[0].Total, slugs)
					}
					n, err := env.db.StartupCount(ctx, f, d)
					if err != nil {
						t.Fatal(err)
					}
					byPhase, err := env.db.ByPhase(ctx, f, d)
					if err != nil {
						t.Fatal(err)
					}
					statuses, err := env.db.ReviewStatuses(ctx, f, d)
					if err != nil {
						t.Fatal(err)
					}
					overdue, err := env.db.OverdueCount(ctx, f, d)
					if err != nil {
						t.Fatal(err)
					}
					without, err := env.db.WithoutIntrapreneurCount(ctx, f, d)
					if err != nil {
						t.Fatal(err)
					}
					periods, err := portfolio.FlowPeriods(portfolio.MustDate("2015-01-01"), d, portfolio.EveryYear)
					if err != nil {
						t.Fatal(err)
					}
					flows, err := env.db.Flows(ctx, f, d, periods, sqlite.AllFlowParts)
					if err != nil {
						t.Fatal(err)
					}
					var points []portfolio.Date
					for p := portfolio.MustDate("2017-03-31"); p <= d; p = p.AddDays(91) {
						points = append(points, p)
					}
					timeline, err := env.db.Timeline(ctx, f, points, fi%2 == 0)
					if err != nil {
						t.Fatal(err)
					}
					durations, err := env.db.PhaseDurations(ctx, f, d)
					if err != nil {
						t.Fatal(err)
					}
					team, err := env.db.TeamStats(ctx, f, d)
					if err != nil {
						t.Fatal(err)
					}
					active, err := env.db.ActiveMemberCount(ctx, f, d)
					if err != nil {
						t.Fatal(err)
					}
					if n > 0 {
						compared++
					}
					return fmt.Sprint(append(out, n, byPhase, statuses, overdue, without, flows, timeline, durations, *team, active)...)
				}
				mem, sql := answer(context.Background()), answer(sqlite.WithSQLRules(context.Background()))
				if mem != sql {
					t.Errorf("in memory:\n%s\nin SQL:\n%s", mem, sql)
				}
			})
		}
	}
	if compared < len(filters)*len(dates)/2 {
		t.Errorf("only %d of the %d questions select a startup: the test compares little", compared, len(filters)*len(dates))
	}
}

// TestRealDataTeamSizesAgree counts every startup's team at several dates
// both ways: over the dated index's member stretches (what the API does)
// and by the rule's SQL (sqlite.WithSQLRules).
func TestRealDataTeamSizesAgree(t *testing.T) {
	env := realData(t)
	ctx := context.Background()
	pages, err := env.db.Startups(ctx, sqlite.StartupQuery{AsOf: portfolio.MustDate("2026-08-20"), Window: portfolio.Window{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, s := range pages[0].Items {
		ids = append(ids, s.ID)
	}
	nonZero := 0
	for _, ds := range []string{"2018-03-01", "2022-06-30", "2025-01-01", "2026-08-20"} {
		d := portfolio.MustDate(ds)
		mem, err := env.db.TeamSizesAt(ctx, ids, d)
		if err != nil {
			t.Fatal(err)
		}
		sql, err := env.db.TeamSizesAt(sqlite.WithSQLRules(ctx), ids, d)
		if err != nil {
			t.Fatal(err)
		}
		if len(mem) != len(ids) || len(sql) != len(ids) {
			t.Fatalf("%s: %d sizes in memory, %d in SQL, for %d startups", ds, len(mem), len(sql), len(ids))
		}
		for id, n := range sql {
			if mem[id] != n {
				t.Errorf("%s: startup %d: team of %d in memory, %d in SQL", ds, id, mem[id], n)
			}
			if n > 0 {
				nonZero++
			}
		}
	}
	if nonZero < 100 {
		t.Errorf("only %d teams are not empty: the test compares little", nonZero)
	}
}

// TestRealDataAgendaAgrees runs the committee agenda both ways on the real
// snapshot: the startups due with their next committee computed in memory
// over the dated index (what the API does), and in SQL.
func TestRealDataAgendaAgrees(t *testing.T) {
	env := realData(t)
	yes := true
	filters := []*portfolio.StartupFilter{nil, {Incubators: []string{"dinum"}}, {Active: &yes},
		{ReviewConditions: portfolio.ReviewConditions{ReviewStatus: []portfolio.ReviewStatus{portfolio.ReviewOverdue, portfolio.ReviewDueSoon}}}}
	windows := [][2]string{{"2021-01-01", "2021-03-01"}, {"2025-06-01", "2026-06-01"}, {"2026-08-20", "2026-10-19"}}
	entries := 0
	for fi, f := range filters {
		for _, win := range windows {
			from, to := portfolio.MustDate(win[0]), portfolio.MustDate(win[1])
			for _, w := range []portfolio.Window{{Limit: 1000}, {Offset: 5, Limit: 20}} {
				answer := func(ctx context.Context) (string, int) {
					p, err := env.db.CommitteeAgenda(ctx, f, from, to, w)
					if err != nil {
						t.Fatal(err)
					}
					var b strings.Builder
					fmt.Fprintf(&b, "total %d\n", p.Total)
					for _, e := range p.Items {
						fmt.Fprintf(&b, "%s %s %s %s %s %s\n", e.StartupSlug, e.Date, e.State, e.CommitteeSlug, e.ReviewStatus, e.NextCommitteeDue)
					}
					return b.String(), len(p.Items)
				}
				mem, n := answer(context.Background())
				sql, _ := answer(sqlite.WithSQLRules(context.Background()))
				if mem != sql {
					t.Errorf("filter %d, %s to %s, %+v: in memory\n%s\nin SQL\n%s", fi, win[0], win[1], w, mem, sql)
				}
				entries += n
			}
		}
	}
	if entries < 50 {
		t.Errorf("only %d entries in all: the test compares little", entries)
	}
}
