package review

import (
	"strconv"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The committee agenda: where the startups in incubation stand with their
// investment committees (a summary by review status, its chart and
// table), then three lists, each a section of its own (its query, its
// export) under one heading: those late for a committee (OVERDUE), those
// whose next committee is due within dueSoonDays (DUE_SOON), and those
// with no committee on record (NONE_RECORDED: the records hold none, which
// is not the same as late). Each row says who follows the startup (its
// portfolio managers), its last committee and decision, when the next one
// is due, and its review status in French.

// agendaGroup is the heading of the agenda's sections.
var agendaGroup = &group{
	ID:    "agenda",
	Title: "Agenda des comités d'investissement",
}

// dueSoonDays is how far ahead the agenda looks for committees due: the
// DUE_SOON review status's.
const dueSoonDays = portfolio.DueSoonDays

// agendaFields are the fields of a startup in the agenda's lists.
const agendaFields = `
    pageInfo { hasNextPage }
    nodes {
      slug
      name
      incubator { slug title }
      phase
      currentPhase { start }
      portfolioManagers { slug fullname }
      lastCommittee { date decision }
      nextCommitteeDue
      reviewStatus
      incubatedSince
    }`

// reviewSummary: the startups in incubation by review status, apart.
var reviewSummary = newSection[reviewSummaryData](section{
	ID:    "suivi-des-comites",
	Title: "Où en sont les startups en incubation",
	Group: agendaGroup,
	Query: `query ReviewStatuses($filter: StartupFilter, $asOf: Date) {
  portfolio(filter: $filter, asOf: $asOf) {
    reviewStatuses { status count }
  }
}`,
	Vars: func(p *params) map[string]any {
		return map[string]any{"filter": p.filter(), "asOf": p.AsOf.String()}
	},
	Export: func(p *params, query string, vars map[string]any) string {
		return sectionExport(p, "suivi-des-comites")
	},
})

// statusList is the query of the agenda's list of the startups with one
// review status, ordered by orderBy.
func statusList(name, orderBy string) string {
	return `query ` + name + `($filter: StartupFilter, $asOf: Date, $first: Int) {
  startups(filter: $filter, asOf: $asOf, first: $first,
           orderBy: [` + orderBy + `]) {` + agendaFields + `
  }
}`
}

// statusVars are the variables of the list of the startups with status s.
func statusVars(s portfolio.ReviewStatus) func(p *params) map[string]any {
	return func(p *params) map[string]any {
		return map[string]any{"filter": p.and(map[string]any{"reviewStatus": []string{string(s)}}), "asOf": p.AsOf.String(), "first": maxRows}
	}
}

// statusExport is the ready-made startups export of the startups with
// status s.
func statusExport(s portfolio.ReviewStatus) func(p *params, query string, vars map[string]any) string {
	return func(p *params, query string, vars map[string]any) string {
		q := p.presetFilters(true)
		q.Set("reviewStatus", string(s))
		return presetExport("startups", q)
	}
}

// overdue: the startups in incubation late for a committee, the most
// overdue first.
var overdue = newSection[startupList](section{
	ID:     "comites-en-retard",
	Title:  "En retard",
	Group:  agendaGroup,
	Query:  statusList("ReviewCommitteesOverdue", `{field: NEXT_COMMITTEE_DUE, direction: ASC}`),
	Vars:   statusVars(portfolio.ReviewOverdue),
	Export: statusExport(portfolio.ReviewOverdue),
})

// dueSoon: the startups in incubation whose next committee is due from
// asOf to dueSoonDays later.
var dueSoon = newSection[startupList](section{
	ID:     "comites-a-venir",
	Title:  "Dus dans les " + strconv.Itoa(dueSoonDays) + " jours",
	Group:  agendaGroup,
	Query:  statusList("ReviewCommitteesDue", `{field: NEXT_COMMITTEE_DUE, direction: ASC}`),
	Vars:   statusVars(portfolio.ReviewDueSoon),
	Export: statusExport(portfolio.ReviewDueSoon),
})

// dueSoonEnd is the last day the agenda looks at.
func (p *params) dueSoonEnd() portfolio.Date { return p.AsOf.AddDays(dueSoonDays) }

// DueSoonEnd is the last day the agenda looks at, for the templates.
func (p *params) DueSoonEnd() portfolio.Date { return p.dueSoonEnd() }

// DueSoonDays is how far ahead a committee is due soon, for the templates.
func (p *params) DueSoonDays() int { return dueSoonDays }

// OverdueAfterDays is how long after a committee the next one is due when
// it recorded no date (portfolio.OverdueAfterDays), for the templates.
func (p *params) OverdueAfterDays() int { return portfolio.OverdueAfterDays }

// noneRecorded: the startups in incubation with no committee on record,
// the longest in incubation first.
var noneRecorded = newSection[startupList](section{
	ID:     "sans-comite-enregistre",
	Title:  "Aucun comité enregistré",
	Group:  agendaGroup,
	Query:  statusList("ReviewNoCommitteeRecorded", `{field: INCUBATED_SINCE, direction: ASC}`),
	Vars:   statusVars(portfolio.ReviewNoneRecorded),
	Export: statusExport(portfolio.ReviewNoneRecorded),
})

// withoutIntrapreneur: the startups in incubation without an intrapreneur
// on their team, an alert (the committee requires « l'intra
// (obligatoirement) »), the longest in incubation first.
var withoutIntrapreneur = newSection[startupList](section{
	ID:    "sans-intrapreneur",
	Title: "Alerte : startups sans intrapreneur",
	Query: `query ReviewWithoutIntrapreneur($filter: StartupFilter, $asOf: Date, $first: Int) {
  startups(filter: $filter, asOf: $asOf, first: $first,
           orderBy: [{field: INCUBATED_SINCE, direction: ASC}]) {
    pageInfo { hasNextPage }
    nodes {
      slug
      name
      incubator { slug title }
      phase
      currentPhase { start }
      teamSize
      portfolioManagers { slug fullname }
      incubatedSince
    }
  }
}`,
	Vars: func(p *params) map[string]any {
		return map[string]any{"filter": p.and(map[string]any{"withoutIntrapreneur": true}), "asOf": p.AsOf.String(), "first": maxRows}
	},
	Export: func(p *params, query string, vars map[string]any) string {
		q := p.presetFilters(true)
		q.Set("withoutIntrapreneur", "true")
		return presetExport("startups", q)
	},
})

// ---------------------------------------------------------------- review statuses

// reviewSummaryData is the answer of reviewSummary.
type reviewSummaryData struct {
	Portfolio struct {
		ReviewStatuses []reviewCount
	}
}

// Total counts the startups in incubation (every status).
func (d *reviewSummaryData) Total() int {
	n := 0
	for _, c := range d.Portfolio.ReviewStatuses {
		n += c.Count
	}
	return n
}

// statusRow is a review status as the summary's table shows it.
type statusRow struct {
	Status portfolio.ReviewStatus
	Label  string
	Count  int
	Share  string
}

// Rows returns the statuses in their order, with their share of the
// startups in incubation.
func (d *reviewSummaryData) Rows() []statusRow {
	total := d.Total()
	var out []statusRow
	for _, s := range portfolio.ReviewStatuses {
		n := countOf(d.Portfolio.ReviewStatuses, s)
		out = append(out, statusRow{Status: s, Label: statusLabel(s), Count: n, Share: percent(n, total)})
	}
	return out
}

// Count returns the count of a status, by its name (for the templates).
func (d *reviewSummaryData) Count(s string) int {
	return countOf(d.Portfolio.ReviewStatuses, portfolio.ReviewStatus(s))
}

// Chart draws the startups in incubation by review status, one bar each,
// in each status's colour.
func (d *reviewSummaryData) Chart(p *params) hbarChart {
	c := hbarChart{
		ID:    "graphique-suivi-des-comites",
		Title: "Startups en incubation au " + longDate(p.AsOf) + " par suivi des comités d'investissement (sur " + number(d.Total()) + ")",
		Desc: "Une barre par situation : en retard, aucun comité enregistré, prochain comité dû dans les " + number(dueSoonDays) +
			" jours, à jour. Les valeurs sont dans le tableau « Données du graphique ».",
		Max: d.Total(),
	}
	for _, r := range d.Rows() {
		c.Rows = append(c.Rows, hbar{Label: r.Label, Value: r.Count, Text: number(r.Count) + " (" + r.Share + ")", Colour: statusColours[r.Status]})
	}
	return c
}

// statusLabel is the French label of a review status as the pages write
// it: « En retard », « Bientôt dû », « À jour », « Aucun comité
// enregistré ».
func statusLabel(s portfolio.ReviewStatus) string { return s.Label() }

// statusColours are the review statuses' colours (DSFR system colours):
// late in the warning's orange, none recorded in grey (unknown, not late),
// due soon in mustard yellow, up to date in the success's green.
var statusColours = map[portfolio.ReviewStatus]string{
	portfolio.ReviewOverdue:      "#b34000", // warning-425
	portfolio.ReviewNoneRecorded: "#666666", // grey-425
	portfolio.ReviewDueSoon:      "#c3992a", // yellow-moutarde-main-679
	portfolio.ReviewUpToDate:     "#18753c", // success-425
}

// statusBadges are the DSFR badge classes of the review statuses.
var statusBadges = map[portfolio.ReviewStatus]string{
	portfolio.ReviewOverdue:      "fr-badge--warning",
	portfolio.ReviewNoneRecorded: "",
	portfolio.ReviewDueSoon:      "fr-badge--new",
	portfolio.ReviewUpToDate:     "fr-badge--success",
}

// StatusBadge is the DSFR badge class of the row's review status.
func (r *startupRow) StatusBadge() string { return statusBadges[r.ReviewStatus] }

// StatusLabel is the French label of the row's review status, "" out of
// incubation.
func (r *startupRow) StatusLabel() string { return statusLabel(r.ReviewStatus) }

// StatusRank orders the rows by review status, as the REVIEW_STATUS
// ordering does.
func (r *startupRow) StatusRank() int { return r.ReviewStatus.Rank() }

// NoneRecorded reports whether the startup has no committee on record.
func (r *startupRow) NoneRecorded() bool { return r.ReviewStatus == portfolio.ReviewNoneRecorded }
