package review

import (
	"fmt"
	"math"
	"unicode"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The quality of the services: the markers a startup's record gives (a
// public statistics page, an impact page, a budget page, a security
// homologation, a risk analysis, the accessibility status), on the
// startup pages and in the startup table, and counted by the « Qualité »
// section of the portfolio page.

// qualityFields are a startup's quality markers as the API writes them.
// The records give their current state: they are not dated.
type qualityFields struct {
	StatsUrl, ImpactUrl, BudgetUrl, DashlordUrl *string
	SecurityHomologation, RiskAnalysis          *bool
	RiskAnalysisUrl                             *string
	Accessibility                               *portfolio.Accessibility
	AccessibilityStatus                         *string
}

// marker is a quality marker a startup has, as the startup table writes
// it.
type marker struct {
	Short string // in the table: « Stats »
	Long  string // for screen readers and pointers: « Page de statistiques publique »
}

// Markers returns the markers the startup has: its pages, its security
// homologation and risk analysis when its record says so, and its
// accessibility when it is at least partly compliant.
func (q *qualityFields) Markers() []marker {
	var out []marker
	if q.StatsUrl != nil {
		out = append(out, marker{"Stats", "Page de statistiques publique"})
	}
	if q.ImpactUrl != nil {
		out = append(out, marker{"Impact", "Page d’impact"})
	}
	if q.BudgetUrl != nil {
		out = append(out, marker{"Budget", "Page de budget"})
	}
	if q.SecurityHomologation != nil && *q.SecurityHomologation {
		out = append(out, marker{"Homologation", "Homologation de sécurité"})
	}
	if q.RiskAnalysis != nil && *q.RiskAnalysis {
		out = append(out, marker{"Risques", "Analyse de risques"})
	}
	if q.Accessibility != nil {
		switch *q.Accessibility {
		case portfolio.AccessibilityFull:
			out = append(out, marker{"RGAA total", "Accessibilité : totalement conforme"})
		case portfolio.AccessibilityPartial:
			out = append(out, marker{"RGAA partiel", "Accessibilité : partiellement conforme"})
		}
	}
	return out
}

// AccessibilityLabel says the startup's accessibility in French: the
// compliance, else the record's text, else « non renseignée ».
func (q *qualityFields) AccessibilityLabel() string {
	switch {
	case q.Accessibility != nil:
		return q.Accessibility.Label()
	case q.AccessibilityStatus != nil && *q.AccessibilityStatus != "":
		return "« " + *q.AccessibilityStatus + " »"
	}
	return "non renseignée"
}

// quality: how many startups in incubation have each marker.
var quality = newSection[qualityData](section{
	ID:    "qualite",
	Title: "Qualité des services",
	Query: `query ReviewQuality($filter: StartupFilter, $asOf: Date) {
  portfolio(filter: $filter, asOf: $asOf) {
    quality {
      startupCount
      withStatsUrl
      withImpactUrl
      withBudgetUrl
      withDashlordUrl
      withSecurityHomologation
      withRiskAnalysis
      byAccessibility { accessibility count }
    }
  }
}`,
	Vars: func(p *params) map[string]any {
		return map[string]any{"filter": p.and(map[string]any{"active": true}), "asOf": p.AsOf.String()}
	},
	Export: func(p *params, query string, vars map[string]any) string {
		// The startups export has the markers' columns.
		q := p.presetFilters(true)
		q.Set("active", "true")
		return presetExport("startups", q)
	},
})

type qualityData struct {
	Portfolio struct {
		Quality struct {
			StartupCount             int
			WithStatsUrl             int
			WithImpactUrl            int
			WithBudgetUrl            int
			WithDashlordUrl          int
			WithSecurityHomologation int
			WithRiskAnalysis         int
			ByAccessibility          []struct {
				Accessibility *portfolio.Accessibility
				Count         int
			}
		}
	}
}

// qualityRow is a line of the quality table: a marker and how many
// startups have it.
type qualityRow struct {
	Key   string // names the line for tests: statsUrl, accessibility:FULLY_COMPLIANT, …
	Label string
	Count int
	Share string // of the startups in incubation: « 17 % »
	Group string // « Pages publiques », « Sécurité », « Accessibilité »
}

// Total is how many startups the counts are of.
func (d *qualityData) Total() int { return d.Portfolio.Quality.StartupCount }

// Rows returns the markers with their counts, in the table's order: the
// pages, the security, then the accessibility (least compliant first,
// unknown last, as the API gives them).
func (d *qualityData) Rows() []qualityRow {
	q := d.Portfolio.Quality
	row := func(key, group, label string, n int) qualityRow {
		return qualityRow{Key: key, Label: label, Count: n, Share: percent(n, q.StartupCount), Group: group}
	}
	out := []qualityRow{
		row("statsUrl", "Pages publiques", "Page de statistiques", q.WithStatsUrl),
		row("impactUrl", "Pages publiques", "Page d’impact", q.WithImpactUrl),
		row("budgetUrl", "Pages publiques", "Page de budget", q.WithBudgetUrl),
		row("dashlordUrl", "Pages publiques", "Page DashLord", q.WithDashlordUrl),
		row("securityHomologation", "Sécurité", "Homologation de sécurité", q.WithSecurityHomologation),
		row("riskAnalysis", "Sécurité", "Analyse de risques", q.WithRiskAnalysis),
	}
	for _, a := range q.ByAccessibility {
		key, label := "accessibility:unknown", "Accessibilité non renseignée"
		if a.Accessibility != nil {
			key, label = "accessibility:"+string(*a.Accessibility), "Accessibilité : "+lower(a.Accessibility.Label())
		}
		out = append(out, row(key, "Accessibilité", label, a.Count))
	}
	return out
}

// Chart draws the share of startups with each marker.
func (d *qualityData) Chart(p *params) hbarChart {
	c := hbarChart{
		ID:     "graphique-qualite",
		Title:  fmt.Sprintf("Startups en incubation au %s ayant chaque marqueur de qualité (sur %s)", longDate(p.AsOf), number(d.Total())),
		Desc:   "Une barre par marqueur, de longueur proportionnelle à la part des startups en incubation qui l'ont. Les valeurs sont dans le tableau « Données du graphique ».",
		Max:    d.Total(),
		Colour: qualityColour,
	}
	for _, r := range d.Rows() {
		c.Rows = append(c.Rows, hbar{Label: r.Label, Value: r.Count, Text: number(r.Count) + " (" + r.Share + ")"})
	}
	return c
}

// percent writes n out of total as a whole percentage: « 17 % » (« — »
// for no total).
func percent(n, total int) string {
	if total <= 0 {
		return "—"
	}
	return fmt.Sprintf("%d\u202f%%", int(math.Round(100*float64(n)/float64(total))))
}

// lower puts a label's first letter in lower case: « Partiellement
// conforme » → « partiellement conforme ».
func lower(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return string(append([]rune{unicode.ToLower(r[0])}, r[1:]...))
}
