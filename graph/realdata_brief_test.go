package graph_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestRealDataBrief: on the real snapshot at 2026-08-20, every startup's
// brief counts its team as Startup.team does, at both ends of its period
// (the brief counts from every mission on the startup, the team from a
// statement of its own), and its intrapreneurs are Startup.intrapreneurs.
func TestRealDataBrief(t *testing.T) {
	env := realData(t)
	const asOf = "2026-08-20"
	var page struct {
		Startups struct {
			Nodes []struct {
				Slug           string
				TeamSize       int
				Intrapreneurs  []struct{ Slug string }
				CommitteeBrief struct {
					Since    *string
					TeamThen struct {
						Size int
					}
					TeamNow struct {
						Size          int
						Intrapreneurs []struct{ Slug string }
					}
					Checks []struct {
						Check  string
						Passed *bool
					}
				}
			}
		}
	}
	env.query(t, `query($asOf: Date) { startups(first: 1000, asOf: $asOf) { nodes { slug teamSize(asOf: $asOf) intrapreneurs(asOf: $asOf) { slug }
		committeeBrief(asOf: $asOf) { since teamThen { size } teamNow { size intrapreneurs { slug } } checks { check passed } } } } }`,
		map[string]any{"asOf": asOf}, &page)
	if len(page.Startups.Nodes) < 600 {
		t.Fatalf("%d startups", len(page.Startups.Nodes))
	}
	var then []string // startups whose size on since is checked below
	sinceOf := map[string]string{}
	thenSize := map[string]int{}
	for _, n := range page.Startups.Nodes {
		b := n.CommitteeBrief
		if b.TeamNow.Size != n.TeamSize {
			t.Errorf("%s: brief's team now %d, teamSize %d", n.Slug, b.TeamNow.Size, n.TeamSize)
		}
		if fmt.Sprint(b.TeamNow.Intrapreneurs) != fmt.Sprint(n.Intrapreneurs) {
			t.Errorf("%s: brief's intrapreneurs %v, intrapreneurs %v", n.Slug, b.TeamNow.Intrapreneurs, n.Intrapreneurs)
		}
		if passed := b.Checks[0].Passed; b.Checks[0].Check != "INTRAPRENEUR" || passed == nil || *passed != (len(n.Intrapreneurs) > 0) {
			t.Errorf("%s: intrapreneur check %+v with %d intrapreneurs", n.Slug, b.Checks[0], len(n.Intrapreneurs))
		}
		if b.Since != nil && len(then) < 80 {
			then = append(then, n.Slug)
			sinceOf[n.Slug], thenSize[n.Slug] = *b.Since, b.TeamThen.Size
		}
	}
	// The team on each period's first day, asked of Startup.teamSize.
	var q strings.Builder
	q.WriteString("{")
	for i, slug := range then {
		fmt.Fprintf(&q, " s%d: startup(slug: %q) { teamSize(asOf: %q) }", i, slug, sinceOf[slug])
	}
	q.WriteString(" }")
	var sizes map[string]struct{ TeamSize int }
	env.query(t, q.String(), nil, &sizes)
	for i, slug := range then {
		if got := sizes[fmt.Sprintf("s%d", i)].TeamSize; got != thenSize[slug] {
			t.Errorf("%s: brief's team on %s %d, teamSize %d", slug, sinceOf[slug], thenSize[slug], got)
		}
	}
	t.Logf("%d briefs checked at %s, %d of them at their period's first day", len(page.Startups.Nodes), asOf, len(then))
}
