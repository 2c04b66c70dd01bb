package seed

import (
	"slices"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestReviewFields checks the review's fields of the synthetic network at
// scale 1 against the real network's counts (August 2026), the fixtures'
// values, and the references: every portfolio manager is a member, every
// co-incubator an incubator, no old slug a startup's own.
func TestReviewFields(t *testing.T) {
	s := record(t, 1)
	members := map[string]bool{}
	for _, m := range s.members {
		members[m.Slug] = true
	}
	incubators, startups := map[string]bool{}, map[string]bool{}
	for _, i := range s.incubators {
		incubators[i.Slug] = true
	}
	for _, x := range s.startups {
		startups[x.Slug] = true
	}
	var homologation, homologationYes, risk, riskYes, stats, statsYes, dinum, incubator, former, comments, bios int
	for _, x := range s.startups {
		count := func(b *bool, said, yes *int) {
			if b != nil {
				*said++
				if *b {
					*yes++
				}
			}
		}
		count(x.SecurityHomologation, &homologation, &homologationYes)
		count(x.RiskAnalysis, &risk, &riskYes)
		count(x.Stats, &stats, &statsYes)
		if len(x.ContactDINUM) > 0 {
			dinum++
		}
		if len(x.ContactIncubator) > 0 {
			incubator++
		}
		for _, m := range x.PortfolioManagerSlugs() {
			if !members[m] {
				t.Errorf("%s is followed by %q, who is not a member", x.Slug, m)
			}
		}
		for _, i := range x.CoIncubators {
			if !incubators[i] || i == x.IncubatorSlug {
				t.Errorf("%s: co-incubator %q", x.Slug, i)
			}
		}
		for _, r := range x.RedirectFrom {
			former++
			if startups[r] {
				t.Errorf("%s: old slug %q is a startup's", x.Slug, r)
			}
		}
		for _, p := range x.Phases {
			if p.Comment != "" {
				comments++
			}
		}
	}
	for _, m := range s.members {
		if m.Bio != "" {
			bios++
		}
	}
	for _, c := range []struct {
		name      string
		got, want int
		tolerance float64
	}{
		{"mon_service_securise", homologation, 169, 0.25}, {"mon_service_securise: true", homologationYes, 71, 0.3},
		{"analyse_risques", risk, 174, 0.25}, {"analyse_risques: true", riskYes, 67, 0.3},
		{"stats", stats, 335, 0.2}, {"stats: true", statsYes, 143, 0.25},
		{"contact_dinum", dinum, 34, 0.5}, {"contact_incubator", incubator, 19, 0.5},
		{"redirect_from", former, 51, 0.35}, {"phase comments", comments, 18, 0.6},
		{"biographies", bios, 1466, 0.15},
	} {
		if !within(c.got, c.want, c.tolerance) {
			t.Errorf("%s: %d startups, want about %d", c.name, c.got, c.want)
		}
	}

	df, ac := findStartup(t, s, "dossierfacile"), findStartup(t, s, "acces-cible")
	if df.SecurityHomologation == nil || !*df.SecurityHomologation || df.RiskAnalysis == nil || !*df.RiskAnalysis ||
		portfolio.StatsPage(df.StatsURL, df.Link, df.Stats) == "" || !slices.Equal(df.RedirectFrom, []string{"locatio"}) ||
		len(df.ContactIncubator) != 1 || df.Phases[0].Comment == "" {
		t.Errorf("dossierfacile: homologation %v, risk analysis %v, stats %v, redirect %v, incubator contact %v, first phase comment %q",
			df.SecurityHomologation, df.RiskAnalysis, df.Stats, df.RedirectFrom, df.ContactIncubator, df.Phases[0].Comment)
	}
	if ac.SecurityHomologation == nil || *ac.SecurityHomologation || ac.RiskAnalysis == nil || *ac.RiskAnalysis || len(ac.ContactDINUM) != 1 {
		t.Errorf("acces-cible: homologation %v, risk analysis %v, DINUM contact %v", ac.SecurityHomologation, ac.RiskAnalysis, ac.ContactDINUM)
	}
}
