package review

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The charts are SVG drawn here, on the server, in the colours of the
// DSFR's illustrative palette (the hex values of its tokens, so that a
// chart draws the same without the stylesheet, and prints as shown). Each
// is an image (role="img") named by its title and description; its data is
// in a table beside it, in the section's template.

// phaseColours are the phases' colours: DSFR illustrative tokens, the
// four phases of incubation at 3:1 contrast at least against white.
var phaseColours = map[portfolio.Phase]string{
	portfolio.PhaseInvestigation:          "#a558a0", // purple-glycine-main-494
	portfolio.PhaseConstruction:           "#465f9d", // blue-ecume-main-400
	portfolio.PhaseAcceleration:           "#009099", // green-archipel-main-557
	portfolio.PhaseConsolidation:          "#ce614a", // pink-tuile-main-556
	portfolio.PhaseTransferred:            "#68a532", // green-bourgeon-main-640
	portfolio.PhaseOperated:               "#00a95f", // green-emeraude-main-632
	portfolio.PhaseAbandoned:              "#6a6156", // beige-gris-galet-sun-407
	portfolio.PhaseInvestigationAbandoned: "#aea397", // beige-gris-galet-main-702
	portfolio.PhaseUnknown:                "#929292", // grey-625-425
}

// The colours of the other charts: the team's bars and the amounts
// invested in blue-france-sun-113, the quality markers in
// green-archipel-main-557 (3.9:1 against white).
const (
	teamColour       = "#000091"
	investmentColour = "#000091"
	qualityColour    = "#009099"
)

// flowColours are the colours of the flows' series: investigations
// started in the investigation phase's colour, abandons in the abandoned
// phase's, then blue-cumulus-main-526, pink-tuile-sun-425 and
// green-bourgeon-sun-425 (each 4:1 or more against white).
var flowColours = struct{ Investigations, Launches, NationalImpacts, Abandons, Transfers string }{
	Investigations:  "#a558a0", // purple-glycine-main-494
	Launches:        "#417dc4", // blue-cumulus-main-526
	NationalImpacts: "#a94645", // pink-tuile-sun-425
	Abandons:        "#6a6156", // beige-gris-galet-sun-407
	Transfers:       "#447049", // green-bourgeon-sun-425
}

// Chart colours of the axes and text (DSFR greys).
const (
	inkColour  = "#3a3a3a" // grey-200-850, the DSFR's default text
	gridColour = "#dddddd" // grey-900-175, the DSFR's default border
)

// series is one series of a bar chart.
type series struct {
	Label  string
	Colour string
}

// barChart is bars over time: at each date (or under each label), one bar
// stacked by series, or, grouped, one bar per series side by side.
type barChart struct {
	ID     string // prefix of the ids of the title and description
	Title  string
	Desc   string
	Dates  []portfolio.Date
	Series []series
	Values [][]int // Values[i][j]: the value of series j at Dates[i] (or under Labels[i])
	Every  string  // MONTH, QUARTER or YEAR: how x labels are written
	// Labels, when not nil, name the bars' places instead of Dates (e.g.
	// periods: « 2025 »), in their titles and, unless AxisLabels says
	// otherwise, under them.
	Labels []string
	// AxisLabels, when not nil, are what the x axis writes under each
	// place ("" for nothing).
	AxisLabels []string
	// Grouped puts the series side by side rather than stacked.
	Grouped bool
}

// Geometry of the bar chart, in SVG units.
const (
	chartW, chartH                     = 760, 280
	padLeft, padRight, padTop, padDown = 52, 8, 12, 30
)

// SVG draws the chart.
func (c barChart) SVG() template.HTML {
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="review-chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-titre %s-desc" xmlns="http://www.w3.org/2000/svg">`,
		chartW, chartH, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-titre">%s</title><desc id="%s-desc">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	top := 0
	for _, row := range c.Values {
		sum := 0
		for _, v := range row {
			if c.Grouped {
				sum = max(sum, v)
			} else {
				sum += v
			}
		}
		top = max(top, sum)
	}
	step, ymax := ticks(top)
	plotW, plotH := float64(chartW-padLeft-padRight), float64(chartH-padTop-padDown)
	y := func(v int) float64 { return float64(padTop) + plotH - plotH*float64(v)/float64(ymax) }
	b.WriteString(`<g font-size="12" fill="` + inkColour + `">`)
	for v := 0; v <= ymax; v += step {
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, padLeft, chartW-padRight, y(v), y(v), gridColour)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`, padLeft-6, y(v), number(v))
	}
	n := len(c.Dates)
	if c.Labels != nil {
		n = len(c.Labels)
	}
	if n > 0 {
		slot := plotW / float64(n)
		bar := math.Max(1, slot*0.72)
		for i := range n {
			place := ""
			if c.Labels != nil {
				place = c.Labels[i]
			} else {
				place = longDate(c.Dates[i])
			}
			x := float64(padLeft) + slot*float64(i) + (slot-bar)/2
			width := bar
			if c.Grouped && len(c.Series) > 0 {
				width = bar / float64(len(c.Series))
			}
			base := 0
			for j, s := range c.Series {
				v := 0
				if i < len(c.Values) && j < len(c.Values[i]) {
					v = c.Values[i][j]
				}
				left := x
				if c.Grouped {
					left, base = x+width*float64(j), 0
				}
				if v > 0 {
					fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="#fff" stroke-width="0.5"><title>%s, %s : %s</title></rect>`,
						left, y(base+v), width, y(base)-y(base+v), s.Colour, esc(place), esc(s.Label), number(v))
				}
				base += v
			}
			label := ""
			switch {
			case c.AxisLabels != nil:
				label = c.AxisLabels[i]
			case c.Labels != nil:
				label = c.Labels[i]
			default:
				label = axisLabel(c.Dates, i, c.Every)
			}
			if label != "" {
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`, x+bar/2, chartH-padDown+18, esc(label))
			}
		}
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, padLeft, chartW-padRight, y(0), y(0), inkColour)
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// ticks returns the step of the y axis's gridlines and its top, for values
// up to top: about four steps of 1, 2 or 5 times a power of ten.
func ticks(top int) (step, ymax int) {
	if top <= 0 {
		return 1, 1
	}
	raw := float64(top) / 4
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			step = max(1, int(m*pow))
			break
		}
	}
	ymax = (top + step - 1) / step * step
	return step, ymax
}

// axisLabel is the x label under the i-th bar: the year under the first
// point of each year (and under the first point when it is a year's
// first); over a year or less, the month of every third point.
func axisLabel(dates []portfolio.Date, i int, every string) string {
	d := dates[i]
	first, last := dates[0], dates[len(dates)-1]
	if every == "MONTH" && last.Year()*12+int(last.Time().Month())-first.Year()*12-int(first.Time().Month()) <= 12 {
		if i%3 == 0 {
			return d.Time().Format("01/06")
		}
		return ""
	}
	if every == "YEAR" {
		if len(dates) > 16 && d.Year()%2 != 0 {
			return ""
		}
		return fmt.Sprint(d.Year())
	}
	if i == 0 || dates[i-1].Year() != d.Year() {
		if i == 0 && d.Time().Month() > time.March && len(dates) > 1 && dates[1].Year() == d.Year() {
			return "" // a year's last months: its label would crowd the next one
		}
		return fmt.Sprint(d.Year())
	}
	return ""
}

// ganttRow is one bar of a gantt chart: a period with a label.
type ganttRow struct {
	Label      string
	Start, End portfolio.Date
	Colour     string
}

// ganttChart is periods as horizontal bars on a time axis: a startup's
// phases.
type ganttChart struct {
	ID       string
	Title    string
	Desc     string
	Rows     []ganttRow
	From, To portfolio.Date
}

// Geometry of the gantt chart.
const (
	ganttLabelW, ganttRowH = 210, 26
)

// SVG draws the chart.
func (c ganttChart) SVG() template.HTML {
	h := padTop + ganttRowH*len(c.Rows) + padDown
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="review-chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-titre %s-desc" xmlns="http://www.w3.org/2000/svg">`,
		chartW, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-titre">%s</title><desc id="%s-desc">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	b.WriteString(`<g font-size="12" fill="` + inkColour + `">`)
	span := float64(max(1, c.To.DaysSince(c.From)))
	plotW := float64(chartW - ganttLabelW - padRight)
	x := func(d portfolio.Date) float64 {
		return float64(ganttLabelW) + plotW*float64(d.DaysSince(c.From))/span
	}
	years := c.To.Year() - c.From.Year()
	stride := 1
	for years/stride > 10 {
		stride++
	}
	for y := c.From.Year(); y <= c.To.Year(); y++ {
		if (y-c.From.Year())%stride != 0 {
			continue
		}
		d := portfolio.NewDate(y, time.January, 1)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%d" y2="%d" stroke="%s" stroke-width="1"/>`, x(d), x(d), padTop, h-padDown, gridColour)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%d</text>`, x(d), h-padDown+18, y)
	}
	for i, r := range c.Rows {
		top := padTop + ganttRowH*i
		fmt.Fprintf(&b, `<text x="0" y="%d" dominant-baseline="middle">%s</text>`, top+ganttRowH/2, esc(r.Label))
		w := math.Max(2, x(r.End)-x(r.Start))
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"><title>%s : du %s au %s</title></rect>`,
			x(r.Start), top+4, w, ganttRowH-8, r.Colour, esc(r.Label), esc(shortDate(r.Start)), esc(shortDate(r.End)))
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="1"/>`, ganttLabelW, chartW-padRight, h-padDown, h-padDown, inkColour)
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// esc escapes text for SVG.
func esc(s string) string { return template.HTMLEscapeString(s) }

// hbar is one bar of a horizontal bar chart.
type hbar struct {
	Label string // what the bar counts, written left of it
	Value int
	Text  string // the value as written at the bar's end (« 1 960 000 € », « 40 (17 %) »)
	// Colour, when not empty, is the bar's colour instead of the chart's.
	Colour string
}

// hbarChart is one horizontal bar per row, on a common scale: amounts by
// promotion or by incubator, startups with each quality marker.
type hbarChart struct {
	ID     string
	Title  string
	Desc   string
	Rows   []hbar
	Max    int    // the value of a full-width bar (0: the largest value)
	Colour string // the bars' colour (a row may have its own)
}

// Geometry of the horizontal bar chart: the labels' column, the room left
// for the values' text at the bars' end, a row's height.
const (
	hbarLabelW, hbarTextW, hbarRowH = 260, 150, 24
	hbarLabelChars                  = 34 // longer labels are cut (the table has them whole)
)

// SVG draws the chart.
func (c hbarChart) SVG() template.HTML {
	h := padTop + hbarRowH*len(c.Rows) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="review-chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="%s-titre %s-desc" xmlns="http://www.w3.org/2000/svg">`,
		chartW, h, c.ID, c.ID)
	fmt.Fprintf(&b, `<title id="%s-titre">%s</title><desc id="%s-desc">%s</desc>`, c.ID, esc(c.Title), c.ID, esc(c.Desc))
	b.WriteString(`<g font-size="12" fill="` + inkColour + `">`)
	top := c.Max
	if top <= 0 {
		for _, r := range c.Rows {
			top = max(top, r.Value)
		}
	}
	top = max(top, 1)
	plotW := float64(chartW - hbarLabelW - hbarTextW)
	for i, r := range c.Rows {
		row := padTop + hbarRowH*i
		fmt.Fprintf(&b, `<text x="0" y="%d" dominant-baseline="middle">%s</text>`, row+hbarRowH/2, esc(cut(r.Label, hbarLabelChars)))
		w := plotW * float64(max(r.Value, 0)) / float64(top)
		if r.Value > 0 {
			w = math.Max(w, 2)
		}
		colour := c.Colour
		if r.Colour != "" {
			colour = r.Colour
		}
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s : %s</title></rect>`,
			hbarLabelW, row+4, w, hbarRowH-8, colour, esc(r.Label), esc(r.Text))
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" dominant-baseline="middle">%s</text>`, float64(hbarLabelW)+w+6, row+hbarRowH/2, esc(r.Text))
	}
	fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="1"/>`, hbarLabelW, hbarLabelW, padTop, padTop+hbarRowH*len(c.Rows), inkColour)
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// cut shortens a label to n characters at most, with an ellipsis.
func cut(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
