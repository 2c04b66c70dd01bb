package betagouv

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

func TestFastEventAmount(t *testing.T) {
	for _, tt := range []struct {
		comment string
		want    int64
		ok      bool
	}{
		{"Montant de 300000€ pour la promotion 13", 300_000, true},
		{"Montant de 300 000€ pour la promotion 12", 300_000, true},
		{"Montant de 370 000€", 370_000, true},
		{"Montant de 200\u00a0000 € pour la promotion 13", 200_000, true},
		{"montant de 141\u202f000 euros", 141_000, true},
		{"Montant de 200_000€", 200_000, true},
		{"Montant de 250 k€", 250_000, true},
		{"Montant de 9€", 9, true},
		{"Bilan du Fast", 0, false},
		{"Lauréat du FAST 13.", 0, false},
		{"", 0, false},
	} {
		got, ok := fastEventAmount(tt.comment)
		if got != tt.want || ok != tt.ok {
			t.Errorf("fastEventAmount(%q) = %d, %v; want %d, %v", tt.comment, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		comment string
		want    int
		ok      bool
	}{
		{"Montant de 300000€ pour la promotion 13", 13, true},
		{"Lauréat du FAST 13. ", 13, true},
		{"Lauréat FAST, promotion 3.", 3, true},
		{"Bilan du Fast", 0, false},
	} {
		got, ok := fastEventPromotion(tt.comment)
		if got != tt.want || ok != tt.ok {
			t.Errorf("fastEventPromotion(%q) = %d, %v; want %d, %v", tt.comment, got, ok, tt.want, tt.ok)
		}
	}
}

// TestReviewFields reads the fields of a portfolio review from records
// written here, with each way they can be wrong, and checks the values and
// the problems reported (file, field, both values).
func TestReviewFields(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		path := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("_incubators/serre.md", "---\ntitle: Serre\n---\n")
	write("_incubators/verger.md", "---\ntitle: Verger\n---\n")
	write("_authors/ana.jardin.md", "---\nfullname: Ana Jardin\ndomaine: Produit\nmissions: []\n---\nJardinière, **curieuse**.\n")
	write("_authors/bruno.compost.md", "---\nfullname: Bruno Compost\ndomaine: Coaching\nmissions: []\n---\n")
	write("_startups/arrosoir.md", `---
title: Arrosoir
incubator: serre
incubators:
  - verger
  - serre
  - potager
redirect_from:
  - /startups/arrosoir-v1
  - /startups/arrosoir-v1.html
  - /startup/Arroser
contact_dinum: ana.jardin
contact_incubator:
  - bruno.compost
  - ana.jardin
  - inconnu.total
mon_service_securise: true
analyse_risques: non
analyse_risques_url: https://example.org/risques
stats: true
accessibility_status: ' Partiellement  Conforme '
link: https://arrosoir.example.org/?utm_source=betagouv
phases:
  - name: investigation
    start: 2024-01-02
    comment: Premiers entretiens
  - name: construction
    start: 2024-06-01
fast:
  promotion: 14
  montant: 141000
events:
  - name: fast
    date: 2024-01-01
    comment: Montant de 370 000€
  - name: fast
    date: 2024-06-01
    comment: Montant de 141000€ pour la promotion 13
  - name: product_launch
    date: 2024-09-01
---
`)
	write("_startups/binette.md", `---
title: Binette
incubator: verger
redirect_from:
  - /startups/arrosoir-v1
  - /startups/arrosoir
stats: peut-être
mon_service_securise: false
accessibility_status: conforme à moitié
events:
  - name: fast
    date: 2024-01-01
    comment: Montant de 50000€ pour la promotion 12
---
`)
	s := mustRead(t, dir)
	a := startup(t, s, "arrosoir")
	yes, no := true, false
	equal(t, "security homologation", a.SecurityHomologation, &yes)
	equal(t, "risk analysis", a.RiskAnalysis, &no)
	equal(t, "risk analysis url", a.RiskAnalysisURL, "https://example.org/risques")
	equal(t, "stats", a.Stats, &yes)
	equal(t, "stats page", portfolio.StatsPage(a.StatsURL, a.Link, a.Stats), "https://arrosoir.example.org/stats")
	equal(t, "accessibility", *a.Accessibility(), portfolio.AccessibilityPartial)
	equal(t, "incubators", a.IncubatorSlugs(), []string{"serre", "verger"})
	equal(t, "redirect_from", a.RedirectFrom, []string{"arrosoir-v1", "Arroser"})
	equal(t, "portfolio managers", a.PortfolioManagerSlugs(), []string{"ana.jardin", "bruno.compost"})
	equal(t, "phase comment", a.Phases[0].Comment, "Premiers entretiens")
	equal(t, "fast", a.Fast, &portfolio.Fast{Promotion: 14, AmountEuros: 141000})
	b := startup(t, s, "binette")
	equal(t, "binette stats", b.Stats, (*bool)(nil))
	equal(t, "binette security homologation", b.SecurityHomologation, &no)
	equal(t, "binette accessibility", b.Accessibility(), (*portfolio.Accessibility)(nil))
	equal(t, "binette accessibility text", b.AccessibilityStatus, "conforme à moitié")
	equal(t, "ana's bio", member(t, s, "ana.jardin").Bio, "Jardinière, **curieuse**.")

	var got []string
	for _, p := range s.Problems {
		if strings.HasPrefix(p.File, "_startups/") {
			got = append(got, p.String())
		}
	}
	equal(t, "problems", got, []string{
		`_startups/arrosoir.md: contact_incubator: unknown member "inconnu.total"; reference dropped`,
		`_startups/arrosoir.md: events[0].comment: the fast event states 370000 €, the fast map 141000 € (promotion 14): the map's amount is kept`,
		`_startups/arrosoir.md: events[1].comment: the fast event states promotion 13, the fast map promotion 14: the map's promotion is kept`,
		`_startups/arrosoir.md: incubators: unknown incubator "potager"; reference dropped`,
		`_startups/binette.md: accessibility_status: "conforme à moitié" is none of « non conforme », « partiellement conforme », « totalement conforme »: kept as text, accessibility unknown`,
		`_startups/binette.md: events[0].comment: the fast event states 50000 €, but the record has no fast map: no FAST grant recorded`,
		`_startups/binette.md: redirect_from: "arrosoir-v1" is also an old slug of arrosoir: startup(slug: "arrosoir-v1") finds arrosoir`,
		`_startups/binette.md: redirect_from: "arrosoir" is the slug of another startup: startup(slug: "arrosoir") finds that one`,
		`_startups/binette.md: stats: "peut-être" is not true or false: ignored`,
	})
}
