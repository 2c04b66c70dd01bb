package graph_test

import (
	"fmt"
	"sort"
	"strings"
	"testing"
)

// TestRealDataAgenda: the committee agenda of the real snapshot against
// the second reading of its files (realdata_oracle_test.go): the same
// entries, on the same days, and the same startups without an
// intrapreneur on the committee's day (« aucun intrapreneur en mission »:
// DESIGN.md, "Intrapreneur at D"), the same without a portfolio manager,
// and a DINUM board seat exactly for those with a FAST grant.
func TestRealDataAgenda(t *testing.T) {
	env, ro := reviewData(t)
	for _, w := range [][2]string{{"2026-08-20", "2026-10-19"}, {"2025-01-01", "2025-06-30"}} {
		t.Run(w[0]+" to "+w[1], func(t *testing.T) {
			from, to := mustDay(w[0]), mustDay(w[1])
			var entries []agendaEntry
			var after any
			for {
				var p agendaPage
				env.query(t, `query($from: Date!, $to: Date!, $after: String) { committeeAgenda(from: $from, to: $to, first: 1000, after: $after) {
					totalCount pageInfo { hasNextPage endCursor }
					nodes { startup { slug } date state reviewStatus attendeesAsOf
						expectedAttendees { member { slug } organisation { slug } name role } missingRoles { role label } } } }`,
					map[string]any{"from": w[0], "to": w[1], "after": after}, &p)
				entries = append(entries, p.CommitteeAgenda.Nodes...)
				if !p.CommitteeAgenda.PageInfo.HasNextPage {
					break
				}
				after = p.CommitteeAgenda.PageInfo.EndCursor
			}
			want := env.oracle.agenda(from, to)
			var dd diffs
			wantDays, gotDays := map[string]bool{}, map[string]bool{}
			wantNoIntra, gotNoIntra := map[string]bool{}, map[string]bool{}
			wantNoManager, gotNoManager := map[string]bool{}, map[string]bool{}
			wantDinum, gotDinum := map[string]bool{}, map[string]bool{}
			for _, e := range want {
				wantDays[e.slug+" "+e.date.String()] = true
				if !e.intrapreneur {
					wantNoIntra[e.slug] = true
				}
				r := ro.bySlug[e.slug]
				if len(r.managers) == 0 {
					wantNoManager[e.slug] = true
				}
				if r.fast {
					wantDinum[e.slug] = true
				}
			}
			states, statuses := map[string]int{}, map[string]int{}
			for _, e := range entries {
				gotDays[e.Startup.Slug+" "+e.Date] = true
				states[e.State]++
				statuses[deref(e.ReviewStatus)]++
				if wantAt := max(mustDay(e.Date), from).String(); e.AttendeesAsOf != wantAt {
					dd.add("%s: attendees read at %s, want %s", e.Startup.Slug, e.AttendeesAsOf, wantAt)
				}
				for _, m := range e.MissingRoles {
					switch m.Role {
					case "INTRAPRENEUR":
						gotNoIntra[e.Startup.Slug] = true
						if m.Label != "aucun intrapreneur en mission" {
							dd.add("%s: %q", e.Startup.Slug, m.Label)
						}
					case "PORTFOLIO_MANAGER":
						gotNoManager[e.Startup.Slug] = true
					}
				}
				for _, a := range e.Expected {
					if a.Role == "DINUM_BOARD" {
						gotDinum[e.Startup.Slug] = true
					}
				}
			}
			dd.sets("entries (startup, day)", wantDays, gotDays)
			dd.sets("« aucun intrapreneur en mission »", wantNoIntra, gotNoIntra)
			dd.sets("« aucun responsable de portefeuille désigné »", wantNoManager, gotNoManager)
			dd.sets("a DINUM board seat (FAST)", wantDinum, gotDinum)
			dd.int("entries", len(want), len(entries))
			if w[0] == "2026-08-20" && (len(want) != 56 || len(wantNoIntra) != 17) {
				// What the second reading found when this test was
				// written (47 late and 9 due soon, as reviewStatuses
				// counts them): a broken reading must not pass vacuously.
				dd.add("the files gave 56 committees due by 2026-10-19, 17 of them without an intrapreneur; the second reading says %d and %d", len(want), len(wantNoIntra))
			}
			// In order: by day, then name.
			if !sort.SliceIsSorted(entries, func(i, j int) bool { return entries[i].Date < entries[j].Date }) {
				dd.add("entries not by day")
			}
			dd.report(t, fmt.Sprintf("committeeAgenda(from: %s, to: %s)", w[0], w[1]))
			t.Logf("%s to %s: %d entries (%v; review status on %s: %v), %d « aucun intrapreneur en mission », %d without a portfolio manager, %d with a DINUM board seat: %s",
				w[0], w[1], len(entries), states, w[0], statuses, len(gotNoIntra), len(gotNoManager), len(gotDinum), strings.Join(keys(gotNoIntra), ", "))
		})
	}
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
