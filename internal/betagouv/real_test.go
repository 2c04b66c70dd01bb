package betagouv

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// snapshotDir returns the content folder of a real beta.gouv.fr snapshot
// named by PORTFOLIO_SNAPSHOT, or skips.
func snapshotDir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("PORTFOLIO_SNAPSHOT")
	if dir == "" {
		tb.Skip("PORTFOLIO_SNAPSHOT is not set; set it to a beta.gouv.fr content folder to run this")
	}
	return dir
}

func TestRealSnapshot(t *testing.T) {
	dir := snapshotDir(t)
	s := mustRead(t, dir)

	equal(t, "counts", s.Counts(), map[string]int{
		"organisations": 143, "incubators": 23, "teams": 36, "startups": 662, "members": 3484,
		"missions": 4761, "phases": 1695, "committees": 215, "events": 562, "phaseDefinitions": 8,
	})
	var got []string
	for _, p := range s.Problems {
		got = append(got, p.String())
	}
	equal(t, "problems", got, []string{
		// The one short field of the snapshot that holds an invisible
		// character (pasted from a page that cuts words): cleaned, kept.
		`_authors/wladimir.delcros.md: role: held U+200B ZERO WIDTH SPACE at characters 22, 31 (an invisible character in a single-line field: two names that look the same would differ): removed, the rest kept`,
		`_incubators/menj.md: owner: unknown organisation "menj"; reference dropped`,
		`_organisations/Préfecture: not a .md record: ignored (skipped)`,
		`_organisations/idfm: not a .md record: ignored (skipped)`,
		// The fast map is authoritative; the two fast events that state
		// another amount are reported with both.
		`_startups/homologation.md: events[0].comment: the fast event states 370000 €, the fast map 141000 € (promotion 14): the map's amount is kept`,
		`_startups/territoires-en-transitions.md: events[1].comment: the fast event states 150000 €, the fast map 300000 € (promotion 14): the map's amount is kept`,
		// Two startups claim one old slug: the first by slug keeps it.
		`_startups/urbanvitaliz.md: redirect_from: "friches" is also an old slug of recommandations-collaboratives: startup(slug: "friches") finds recommandations-collaboratives`,
	})

	// Today's vocabulary only: nothing mapped, every record's word the
	// phase's slug.
	equal(t, "vocabulary", s.Vocabulary, []VocabularyUse(nil))
	for _, st := range s.Startups {
		for i, p := range st.Phases {
			if p.SourceName != "" || p.Phase == portfolio.PhaseUnknown {
				t.Errorf("%s: phases[%d] %s, source name %q", st.Slug, i, p.Phase, p.SourceName)
			}
		}
	}

	imported := portfolio.SourceImported
	df := startup(t, s, "dossierfacile")
	equal(t, "dossierfacile phases", df.Phases, []portfolio.PhasePeriod{
		{Phase: portfolio.PhaseInvestigation, Start: d("2018-01-01"), Source: imported},
		{Phase: portfolio.PhaseConstruction, Start: d("2018-03-01"), Source: imported},
		{Phase: portfolio.PhaseAcceleration, Start: d("2019-01-01"), Source: imported},
		{Phase: portfolio.PhaseConsolidation, Start: d("2024-10-14"), Source: imported},
	})
	equal(t, "dossierfacile incubator", df.IncubatorSlug, "mtes")
	equal(t, "dossierfacile sponsors", df.Sponsors, []string{"dgaln", "dhup"})
	equal(t, "dossierfacile fast", df.Fast, &portfolio.Fast{Promotion: 13, AmountEuros: 300000})
	equal(t, "dossierfacile name", df.Name, "DossierFacile")
	yes := true
	equal(t, "dossierfacile stats", df.Stats, &yes)
	equal(t, "dossierfacile risk analysis", df.RiskAnalysis, &yes)
	equal(t, "dossierfacile security homologation", df.SecurityHomologation, (*bool)(nil))
	equal(t, "dossierfacile redirect_from", df.RedirectFrom, []string{"locatio"}) // locatio and locatio.html
	equal(t, "dossierfacile accessibility", *df.Accessibility(), portfolio.AccessibilityPartial)
	eb := startup(t, s, "ecobalyse")
	equal(t, "ecobalyse incubators", eb.IncubatorSlugs(), []string{"mtes", "ademe"}) // incubators: [ademe, mtes]

	ac := startup(t, s, "acces-cible")
	equal(t, "acces-cible portfolio managers", ac.PortfolioManagerSlugs(), []string{"erwan.g.le-gall"})
	if len(ac.Committees) != 4 {
		t.Fatalf("acces-cible: %d committees, want 4", len(ac.Committees))
	}
	equal(t, "acces-cible first committee", ac.Committees[0], committee("acces-cible/2024-10-07", "acces-cible", "2024-10-07", "Poursuite"))

	equal(t, "wladimir.delcros role", member(t, s, "wladimir.delcros").Role, "Growth Marketer à MesServicesCyber")

	ml := member(t, s, "maitane.lenoir")
	equal(t, "maitane.lenoir legacy", ml.LegacyStartups, []string{"pitchou", "sppnaut"})
	equal(t, "maitane.lenoir previous", ml.PreviousStartups, []string{"territoires-en-transitions", "mon-entreprise", "zam", "visam"})
	equal(t, "maitane.lenoir mission 3 startups", ml.Missions[2].Startups, []string{"pitchou"})

	legacyOnly := 0
	for _, m := range s.Members {
		onMissions := false
		for _, ms := range m.Missions {
			onMissions = onMissions || len(ms.Startups) > 0
		}
		if !onMissions && len(m.LegacyStartups)+len(m.PreviousStartups) > 0 {
			legacyOnly++
		}
	}
	equal(t, "members with member-level startups only", legacyOnly, 155)

	// A repository root reads the same as its content folder.
	if filepath.Base(dir) == "content" {
		equal(t, "read from the root", mustRead(t, filepath.Dir(dir)).Counts(), s.Counts())
	}
}

func BenchmarkRead(b *testing.B) {
	dir := snapshotDir(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := Read(ctx, dir, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
