package seed

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// syntheticMarker is the sentence internal/sqlite looks for to recognise a
// synthetic startup in a database made before origins were recorded.
const syntheticMarker = "leur propose un service simple, construit avec eux et amélioré en continu."

func findStartup(t *testing.T, s *recordSink, slug string) *portfolio.Startup {
	t.Helper()
	for _, x := range s.startups {
		if x.Slug == slug {
			return x
		}
	}
	t.Fatalf("no startup %s", slug)
	return nil
}

func committeesOf(x *portfolio.Startup) []*portfolio.Committee {
	var cs []*portfolio.Committee
	for i := range x.Committees {
		cs = append(cs, &x.Committees[i])
	}
	return cs
}

// TestFixtures checks, at several scales, the records the README's
// examples name: what the README and the package comment say of them.
func TestFixtures(t *testing.T) {
	for _, scale := range []int{1, 2} {
		s := record(t, scale)
		missions := allMissions(s)

		for slug, want := range map[string]struct{ name, acronym, typ string }{
			"dinum": {"Direction interministérielle du numérique", "DINUM", "administration-centrale"},
			"mtes":  {"Ministère de la Transition écologique", "MTE", "administration-centrale"},
		} {
			o := s.organisations[slug]
			if o == nil || o.Name != want.name || o.Acronym != want.acronym || o.Type != want.typ {
				t.Errorf("scale %d: organisation %s = %+v, want %+v", scale, slug, o, want)
			}
			if inc := s.incubators[slug]; inc == nil || inc.OwnerSlug != slug {
				t.Errorf("scale %d: incubator %s = %+v, want one run by organisation %s", scale, slug, inc, slug)
			}
		}
		hosted := map[string]int{}
		sponsored := map[string]int{}
		for _, x := range s.startups {
			hosted[x.IncubatorSlug]++
			for _, sp := range x.Sponsors {
				sponsored[sp]++
			}
		}
		// Large incubators, as in the real network.
		for _, slug := range []string{"dinum", "mtes"} {
			if hosted[slug] < 60 {
				t.Errorf("scale %d: incubator %s hosts %d startups, want about 100", scale, slug, hosted[slug])
			}
		}
		for slug, n := range sponsored {
			if slug != "dinum" && n > sponsored["dinum"] {
				t.Errorf("scale %d: %s sponsors %d startups, more than dinum (%d)", scale, slug, n, sponsored["dinum"])
			}
		}

		tests := []struct {
			slug         string
			incubator    string
			sponsors     []string
			phase        portfolio.Phase
			since        string
			overdueFrom  string // the first overdue day
			teamFrom     string // a team at any date from then on
			statusesFrom string // and from then on, a team with
			statuses     int    // so many mission statuses
		}{
			// The first overdue day follows the nextCommitteeDue the last
			// committee recorded (six months on): 2026-03-17 → 2026-09-17, 2025-10-07 → 2026-04-07.
			{"dossierfacile", "mtes", []string{"mtes"}, portfolio.PhaseConsolidation, "2024-10-14", "2026-09-18", "2024-10-07", "2025-01-06", 3},
			{"acces-cible", "dinum", []string{"dinum"}, portfolio.PhaseConstruction, "2024-10-07", "2026-04-08", "2024-10-07", "2024-10-07", 2},
		}
		for _, tt := range tests {
			x := findStartup(t, s, tt.slug)
			cur := x.Phases[portfolio.PhaseAt(x.Phases, RefDate)]
			if x.IncubatorSlug != tt.incubator || !slices.Equal(x.Sponsors, tt.sponsors) || cur.Phase != tt.phase || cur.Start.String() != tt.since {
				t.Errorf("scale %d: %s in %s, sponsors %v, %s since %s; want %s, %v, %s since %s", scale, tt.slug,
					x.IncubatorSlug, x.Sponsors, cur.Phase, cur.Start, tt.incubator, tt.sponsors, tt.phase, tt.since)
			}
			from := portfolio.MustDate(tt.overdueFrom)
			if cs := committeesOf(x); portfolio.OverdueAt(x.Phases, cs, from.AddDays(-1)) ||
				!portfolio.OverdueAt(x.Phases, cs, from) || !portfolio.OverdueAt(x.Phases, cs, from.AddDays(3650)) {
				t.Errorf("scale %d: %s is not overdue from %s on, and only from then", scale, tt.slug, tt.overdueFrom)
			}
			for d := portfolio.MustDate(tt.teamFrom); d < portfolio.MustDate("2036-01-01"); d = d.AddDays(7) {
				if len(portfolio.TeamAt(missions, tt.slug, d)) == 0 {
					t.Errorf("scale %d: %s has no team on %s", scale, tt.slug, d)
					break
				}
			}
			for d := portfolio.MustDate(tt.statusesFrom); d < portfolio.MustDate("2036-01-01"); d = d.AddDays(7) {
				statuses := map[portfolio.MissionStatus]bool{}
				for _, m := range missions {
					if portfolio.OnMissionAt(&m, d) && slices.Contains(m.Startups, tt.slug) {
						statuses[m.Status] = true
					}
				}
				if len(statuses) < tt.statuses {
					t.Errorf("scale %d: %s's team on %s has the statuses %v, want %d of them", scale, tt.slug, d, statuses, tt.statuses)
					break
				}
			}
			// Recognised as synthetic, like every startup of the seed.
			if !strings.Contains(x.Description, syntheticMarker) || !strings.HasSuffix(x.Link, ".example.org") {
				t.Errorf("scale %d: %s does not look synthetic: description %q, link %q", scale, tt.slug, x.Description, x.Link)
			}
		}

		// dinum's portfolio has startups overdue for a committee (the
		// README's first example), and acces-cible is one in construction
		// sponsored by dinum (its fourth).
		overdue, building := 0, 0
		for _, x := range s.startups {
			if x.IncubatorSlug == "dinum" && portfolio.OverdueAt(x.Phases, committeesOf(x), RefDate) {
				overdue++
			}
			if slices.Contains(x.Sponsors, "dinum") && x.Phases[portfolio.PhaseAt(x.Phases, RefDate)].Phase == portfolio.PhaseConstruction {
				building++
			}
		}
		if overdue < 2 || building < 2 {
			t.Errorf("scale %d: dinum has %d startups overdue, sponsors %d in construction, want some", scale, overdue, building)
		}
	}
}

// TestFixturesKeepTheShape checks that the fixtures take the place of
// records of the same shape: every block has exactly its share of startups
// in each phase at RefDate and of members in each domain.
func TestFixturesKeepTheShape(t *testing.T) {
	for _, scale := range []int{1, 2} {
		s := record(t, scale)
		phases := map[portfolio.Phase]int{}
		for _, x := range s.startups {
			phases[x.Phases[portfolio.PhaseAt(x.Phases, RefDate)].Phase]++
		}
		for _, o := range outcomes {
			if got := phases[o.phase]; got != scale*o.perBlock {
				t.Errorf("scale %d: %d startups in %s at RefDate, want %d", scale, got, o.phase, scale*o.perBlock)
			}
		}
		domains := map[portfolio.Domain]int{}
		for _, m := range s.members {
			domains[m.Domain]++
		}
		for _, d := range domainSpecs {
			if got := domains[d.domain]; got != scale*d.perBlock {
				t.Errorf("scale %d: %d members in %s, want %d", scale, got, d.domain, scale*d.perBlock)
			}
		}
		types := map[string]int{}
		for _, o := range s.organisations {
			types[o.Type]++
		}
		for _, k := range orgKinds {
			if got := types[k.typ]; got != scale*k.perBlock {
				t.Errorf("scale %d: %d organisations of type %s, want %d", scale, got, k.typ, scale*k.perBlock)
			}
		}
	}
}

// TestFixturesOnce checks that at scale 100 (the naming functions alone)
// each fixture slug names one record, and that a fixture computed alone is
// the one Generate writes.
func TestFixturesOnce(t *testing.T) {
	const scale = 100
	count := func(n int, slug func(int) string, want string) int {
		c := 0
		for i := range n {
			if slug(i) == want {
				c++
			}
		}
		return c
	}
	for _, f := range orgFixtures {
		if c := count(scale*orgsPerBlock, orgSlug, f.slug); c != 1 {
			t.Errorf("organisation %s: %d at scale %d", f.slug, c, scale)
		}
	}
	for _, f := range incubatorFixtures {
		if c := count(scale*incubatorsPerBlock, incubatorSlug, f.slug); c != 1 {
			t.Errorf("incubator %s: %d at scale %d", f.slug, c, scale)
		}
	}
	startup := func(i int) string { _, s := startupName(i); return s }
	for _, f := range startupFixtures {
		if c := count(scale*startupsPerBlock, startup, f.slug); c != 1 {
			t.Errorf("startup %s: %d at scale %d", f.slug, c, scale)
		}
	}

	s := record(t, 2)
	for i := range startupsPerBlock {
		if startupFixtureAt(i) == nil {
			continue
		}
		p := planOf(2, i)
		alone, _ := json.Marshal(startupRecord(2, &p))
		written, _ := json.Marshal(s.startups[i])
		if string(alone) != string(written) {
			t.Errorf("fixture %d computed alone differs from the one written:\n%s\n%s", i, alone, written)
		}
	}
	c, err := Generate(context.Background(), discardSink{}, Options{Scale: 3})
	if err != nil || c.Startups != 3*startupsPerBlock || c.Organisations != 3*orgsPerBlock || c.Incubators != 3*incubatorsPerBlock {
		t.Errorf("scale 3: %+v, %v", c, err)
	}
}
