package review

import (
	"fmt"
	"net/url"
	"strings"
)

// investment: the FAST grants of the selection's startups (whatever their
// phase: a grant stays invested), by promotion and by incubator; and, for
// viewers, the budgets their committees granted over the charts' period.
var investment = newSection[investmentData](section{
	ID:    "investissement",
	Title: "Investissement",
	Query: `query ReviewInvestment($filter: StartupFilter, $asOf: Date, $from: Date) {
  portfolio(filter: $filter, asOf: $asOf) {
    investment {
      fastCount
      fastTotalEuros
      byPromotion { promotion startupCount amountEuros }
      byIncubator { incubator { slug title } startupCount amountEuros }
      # Viewers and above.
      committeeBudgetEuros(from: $from, to: $asOf)
    }
  }
}`,
	Vars: func(p *params) map[string]any {
		return map[string]any{"filter": p.filter(), "asOf": p.AsOf.String(), "from": p.From.String()}
	},
	Export: func(p *params, query string, vars map[string]any) string {
		// The ready-made investment export: a row per FAST grant, and (for
		// viewers) a row per budget of a committee of the period.
		q := url.Values{}
		q.Set("asOf", p.AsOf.String())
		if len(p.Incubators) > 0 {
			q.Set("incubators", strings.Join(p.Incubators, ","))
		}
		if len(p.Sponsors) > 0 {
			q.Set("sponsors", strings.Join(p.Sponsors, ","))
		}
		q.Set("from", p.From.String())
		q.Set("to", p.AsOf.String())
		return presetExport("investment", q)
	},
})

type investmentData struct {
	Portfolio struct {
		Investment investmentFigures
	}
}

// investmentFigures are the investment as the API answers it.
type investmentFigures struct {
	FastCount      int
	FastTotalEuros int
	ByPromotion    []struct {
		Promotion    *int
		StartupCount int
		AmountEuros  int
	}
	ByIncubator []struct {
		Incubator    incubatorRef
		StartupCount int
		AmountEuros  int
	}
	CommitteeBudgetEuros *int
}

// HasBudget reports whether the answer has the committees' budgets (not
// for a caller who may not read them).
func (f *investmentFigures) HasBudget() bool { return f.CommitteeBudgetEuros != nil }

// Budget is the sum of the committees' budgets (0 without it).
func (f *investmentFigures) Budget() int {
	if f.CommitteeBudgetEuros == nil {
		return 0
	}
	return *f.CommitteeBudgetEuros
}

// amountRow is a line of an investment table: a promotion or an
// incubator, its startups and their grants.
type amountRow struct {
	Key          string // the promotion's number or the incubator's slug ("" for the rest)
	Label        string
	StartupCount int
	AmountEuros  int
}

// Promotions returns the grants by promotion, in promotion order.
func (d *investmentData) Promotions() []amountRow {
	var out []amountRow
	for _, p := range d.Portfolio.Investment.ByPromotion {
		r := amountRow{Label: "Promotion non précisée", StartupCount: p.StartupCount, AmountEuros: p.AmountEuros}
		if p.Promotion != nil {
			r.Key, r.Label = fmt.Sprint(*p.Promotion), fmt.Sprintf("Promotion %d", *p.Promotion)
		}
		out = append(out, r)
	}
	return out
}

// maxIncubatorRows is how many incubators the chart and its table name;
// the others are added up on one line (the export has every grant).
const maxIncubatorRows = 12

// Incubators returns the grants by incubator, most euros first: the first
// maxIncubatorRows, then the others on one line.
func (d *investmentData) Incubators() []amountRow {
	var out []amountRow
	var rest amountRow
	inv := d.Portfolio.Investment
	for i, b := range inv.ByIncubator {
		if i < maxIncubatorRows || len(inv.ByIncubator) == maxIncubatorRows+1 {
			out = append(out, amountRow{Key: b.Incubator.Slug, Label: b.Incubator.Title, StartupCount: b.StartupCount, AmountEuros: b.AmountEuros})
			continue
		}
		rest.StartupCount += b.StartupCount
		rest.AmountEuros += b.AmountEuros
	}
	if n := len(inv.ByIncubator) - len(out); n > 0 {
		rest.Label = fmt.Sprintf("Les %s autres incubateurs", number(n))
		out = append(out, rest)
	}
	return out
}

// PromotionChart draws the grants by promotion.
func (d *investmentData) PromotionChart() hbarChart {
	return amountChart("graphique-fast-promotions", "Montants FAST par promotion", d.Promotions())
}

// IncubatorChart draws the grants by incubator.
func (d *investmentData) IncubatorChart() hbarChart {
	return amountChart("graphique-fast-incubateurs", "Montants FAST par incubateur, les plus élevés d'abord", d.Incubators())
}

// amountChart draws amounts in euros, one bar per row.
func amountChart(id, title string, rows []amountRow) hbarChart {
	c := hbarChart{
		ID: id, Title: title, Colour: investmentColour,
		Desc: "Une barre par ligne, de longueur proportionnelle au montant. Les montants et le nombre de startups sont dans le tableau « Données du graphique ».",
	}
	for _, r := range rows {
		c.Rows = append(c.Rows, hbar{Label: r.Label, Value: r.AmountEuros, Text: euros(r.AmountEuros)})
	}
	return c
}
