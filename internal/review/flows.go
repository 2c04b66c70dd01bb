package review

import (
	"fmt"
	"slices"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// flows: what happened to the selection's startups each year of the
// charts' period: phases entered (investigations started, passages from
// one phase to the next, abandons, transfers), product launches, national
// impact, committees.
var flows = newSection[flowsData](section{
	ID:    "flux",
	Title: "Les flux par an",
	Query: `query ReviewFlows($filter: StartupFilter, $asOf: Date, $from: Date!) {
  portfolio(filter: $filter, asOf: $asOf) {
    # One period a year from $from; the last one ends at asOf.
    flows(from: $from, every: YEAR) {
      start
      end
      entered { phase count }
      productLaunches
      nationalImpacts
      committees
    }
  }
}`,
	Vars: func(p *params) map[string]any {
		return map[string]any{"filter": p.filter(), "asOf": p.AsOf.String(), "from": p.From.String()}
	},
	Export: func(p *params, query string, vars map[string]any) string { return sectionExport(p, "flux") },
})

type flowsData struct {
	Portfolio struct {
		Flows []flowPeriod
	}
}

// flowPeriod is a period of the flows as the API answers it.
type flowPeriod struct {
	Start, End      portfolio.Date
	Entered         []phaseCount
	ProductLaunches int
	NationalImpacts int
	Committees      int
}

// flowRow is a period as the table shows it.
type flowRow struct {
	Label      string // « 2025 », « 2026 (au 20/08) », or the period's dates
	Start, End portfolio.Date
	Entered    []int // investigations started, then passages into construction, acceleration, consolidation
	Abandons   int   // entries into ABANDONED and INVESTIGATION_ABANDONED
	Transfers  int   // entries into TRANSFERRED
	Operated   int   // entries into OPERATED
	Unknown    int   // entries into UNKNOWN (phases an older archive names in no vocabulary)
	// ShowUnknown says whether the table has a column for UNKNOWN: only
	// when some period has an entry into it.
	ShowUnknown bool
	Launches    int
	Impacts     int
	Committees  int
}

// row makes a period's row.
func (f flowPeriod) row() flowRow {
	r := flowRow{Label: periodLabel(f.Start, f.End), Start: f.Start, End: f.End, Entered: make([]int, len(portfolio.ActivePhases)),
		Launches: f.ProductLaunches, Impacts: f.NationalImpacts, Committees: f.Committees}
	for _, c := range f.Entered {
		switch c.Phase {
		case portfolio.PhaseAbandoned, portfolio.PhaseInvestigationAbandoned:
			r.Abandons += c.Count
		case portfolio.PhaseTransferred:
			r.Transfers += c.Count
		case portfolio.PhaseOperated:
			r.Operated += c.Count
		case portfolio.PhaseUnknown:
			r.Unknown += c.Count
		default:
			if i := slices.Index(portfolio.ActivePhases, c.Phase); i >= 0 {
				r.Entered[i] += c.Count
			}
		}
	}
	return r
}

// periodLabel names a period: its year when it is one (or the start of
// one up to a later day, the last period: « 2026 (au 20/08) »), else its
// dates.
func periodLabel(start, end portfolio.Date) string {
	t, e := start.Time(), end.Time()
	if t.Month() == time.January && t.Day() == 1 && e.Year() == t.Year() {
		if e.Month() == time.December && e.Day() == 31 {
			return fmt.Sprint(t.Year())
		}
		return fmt.Sprintf("%d (au %s)", t.Year(), e.Format("02/01"))
	}
	return "du " + shortDate(start) + " au " + shortDate(end)
}

// Rows returns the periods, latest first.
func (d *flowsData) Rows() []flowRow {
	var out []flowRow
	show := d.Total().ShowUnknown
	for _, f := range d.Portfolio.Flows {
		r := f.row()
		r.ShowUnknown = show
		out = append(out, r)
	}
	slices.Reverse(out)
	return out
}

// Total adds up the periods.
func (d *flowsData) Total() flowRow {
	t := flowRow{Entered: make([]int, len(portfolio.ActivePhases))}
	for _, f := range d.Portfolio.Flows {
		r := f.row()
		for i, n := range r.Entered {
			t.Entered[i] += n
		}
		t.Abandons += r.Abandons
		t.Transfers += r.Transfers
		t.Operated += r.Operated
		t.Unknown += r.Unknown
		t.Launches += r.Launches
		t.Impacts += r.Impacts
		t.Committees += r.Committees
	}
	t.ShowUnknown = t.Unknown > 0
	return t
}

// Chart draws, period by period, the investigations started, the product
// launches, the national impacts, the abandons and the transfers (with
// the services operated within the network), side by side.
func (d *flowsData) Chart(p *params) barChart {
	c := barChart{
		ID:    "graphique-flux",
		Title: "Flux par an, du " + longDate(p.From) + " au " + longDate(p.AsOf),
		Desc: "Barres groupées : pour chaque période, les investigations lancées, les lancements de produit, les impacts nationaux, " +
			"les arrêts et les transferts. Les valeurs, et les passages d'une phase à l'autre, sont dans le tableau « Données du graphique ».",
		Grouped: true,
		Series: []series{
			{Label: "Investigations lancées", Colour: flowColours.Investigations},
			{Label: "Lancements de produit", Colour: flowColours.Launches},
			{Label: "Impacts nationaux", Colour: flowColours.NationalImpacts},
			{Label: "Arrêts", Colour: flowColours.Abandons},
			{Label: "Transferts et services opérés", Colour: flowColours.Transfers},
		},
	}
	n := len(d.Portfolio.Flows)
	stride := (n + maxFlowLabels - 1) / max(maxFlowLabels, 1)
	for i, f := range d.Portfolio.Flows {
		r := f.row()
		// Under each group its year (« 2026 (au 20/08) » for the last one
		// while there is room), or the month it starts; with many
		// periods, one label in stride.
		axis := r.Label
		if r.Start.Time().Month() != time.January || r.Start.Time().Day() != 1 {
			axis = "dès " + r.Start.Time().Format("01/2006")
		} else if n > 6 {
			axis = fmt.Sprint(r.Start.Year())
		}
		if i%stride != 0 {
			axis = ""
		}
		c.Labels = append(c.Labels, r.Label)
		c.AxisLabels = append(c.AxisLabels, axis)
		c.Values = append(c.Values, []int{r.Entered[0], r.Launches, r.Impacts, r.Abandons, r.Transfers + r.Operated})
	}
	return c
}

// maxFlowLabels is how many labels the flows' chart writes under its
// groups at most (the table names every period).
const maxFlowLabels = 12

// Phases are the phases of incubation, for the table's headers.
func (d *flowsData) Phases() []portfolio.Phase { return portfolio.ActivePhases }
