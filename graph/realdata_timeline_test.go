package graph_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestRealDataDatedTimeline checks the timelines of filters on the review's
// dated conditions (neverReviewed, nextCommitteeDue, committeeOverdue,
// reviewStatus, withoutIntrapreneur),
// which the server evaluates in memory with the domain's rules, against
// the same filter's figures at each point, which it computes in SQL at one
// date: two implementations of each rule that must agree point by point.
func TestRealDataDatedTimeline(t *testing.T) {
	env := realData(t)
	dates := []string{"2020-01-01", "2021-07-01", "2023-01-01", "2024-04-01", "2025-01-01", "2025-10-01", "2026-07-01"}
	filters := []string{
		`{neverReviewed: true}`,
		`{neverReviewed: false, active: true}`,
		`{nextCommitteeDue: {from: "2025-01-01", to: "2026-06-30"}}`,
		`{nextCommitteeDue: {to: "2024-12-31"}}`,
		`{or: [{committeeOverdue: true}, {neverReviewed: true, incubators: ["dinum"]}]}`,
		`{not: {nextCommitteeDue: {from: "2020-01-01"}}, fast: true}`,
		`{reviewStatus: [OVERDUE]}`,
		`{reviewStatus: [NONE_RECORDED, DUE_SOON], incubators: ["dinum", "anct"]}`,
		`{withoutIntrapreneur: true}`,
		`{or: [{withoutIntrapreneur: false, active: true}, {reviewStatus: [UP_TO_DATE]}]}`,
	}
	for _, f := range filters {
		t.Run(f, func(t *testing.T) {
			var q strings.Builder
			fmt.Fprintf(&q, `{ tl: portfolio(filter: %s, asOf: "2026-07-01") { timeline(from: "2020-01-01", every: QUARTER) {
				date startupCount activeMemberCount byPhase { phase count } } }`, f)
			for i, d := range dates {
				fmt.Fprintf(&q, ` p%d: portfolio(filter: %s, asOf: "%s") { byPhase { phase count } activeMemberCount }`, i, f, d)
			}
			q.WriteString(" }")
			var out map[string]json.RawMessage
			env.query(t, q.String(), nil, &out)
			var tl struct {
				Timeline []struct {
					Date              string
					StartupCount      int
					ActiveMemberCount int
					ByPhase           []struct {
						Phase string
						Count int
					}
				}
			}
			if err := json.Unmarshal(out["tl"], &tl); err != nil {
				t.Fatal(err)
			}
			points := map[string]int{}
			for i, p := range tl.Timeline {
				points[p.Date] = i
			}
			selected := 0
			for i, d := range dates {
				var at struct {
					ActiveMemberCount int
					ByPhase           []struct {
						Phase string
						Count int
					}
				}
				if err := json.Unmarshal(out[fmt.Sprintf("p%d", i)], &at); err != nil {
					t.Fatal(err)
				}
				k, ok := points[d]
				if !ok {
					t.Fatalf("the timeline has no point %s", d)
				}
				p := tl.Timeline[k]
				if fmt.Sprint(p.ByPhase) != fmt.Sprint(at.ByPhase) || p.ActiveMemberCount != at.ActiveMemberCount {
					t.Errorf("%s: timeline %v members %d, portfolio at the date %v members %d", d, p.ByPhase, p.ActiveMemberCount, at.ByPhase, at.ActiveMemberCount)
				}
				selected += p.StartupCount
			}
			if selected == 0 {
				t.Errorf("the filter selects no startup at any date: the test compares nothing")
			}
		})
	}
}
