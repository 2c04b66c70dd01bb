package review

import "github.com/incubateurs/portfolio/internal/portfolio"

// The committee agenda: three lists of the startups in incubation, each a
// section of its own (its query, its export) under one heading: those
// overdue for an investment committee, those whose next committee is due
// within dueSoonDays, and those never reviewed. Each row says who follows
// the startup (its portfolio managers), its last committee and decision,
// and when the next one is due.

// agendaGroup is the heading of the agenda's three sections.
var agendaGroup = &group{
	ID:    "agenda",
	Title: "Agenda des comités d'investissement",
}

// dueSoonDays is how far ahead the agenda looks for committees due.
const dueSoonDays = 60

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
      committeeOverdue
    }`

// overdue: the startups in incubation overdue for a committee, the most
// overdue first.
var overdue = newSection[startupList](section{
	ID:    "comites-en-retard",
	Title: "En retard",
	Group: agendaGroup,
	Query: `query ReviewCommitteesOverdue($filter: StartupFilter, $asOf: Date, $first: Int) {
  startups(filter: $filter, asOf: $asOf, first: $first,
           orderBy: [{field: NEXT_COMMITTEE_DUE, direction: ASC}]) {` + agendaFields + `
  }
}`,
	Vars: func(p *params) map[string]any {
		return map[string]any{"filter": p.and(map[string]any{"active": true, "committeeOverdue": true}), "asOf": p.AsOf.String(), "first": maxRows}
	},
	Export: func(p *params, query string, vars map[string]any) string {
		q := p.presetFilters(true)
		q.Set("active", "true")
		q.Set("committeeOverdue", "true")
		return presetExport("startups", q)
	},
})

// dueSoon: the startups in incubation whose next committee is due from
// asOf to dueSoonDays later.
var dueSoon = newSection[startupList](section{
	ID:    "comites-a-venir",
	Title: "Dus dans les 60 jours",
	Group: agendaGroup,
	Query: `query ReviewCommitteesDue($filter: StartupFilter, $asOf: Date, $first: Int) {
  startups(filter: $filter, asOf: $asOf, first: $first,
           orderBy: [{field: NEXT_COMMITTEE_DUE, direction: ASC}]) {` + agendaFields + `
  }
}`,
	Vars: func(p *params) map[string]any {
		due := map[string]any{"nextCommitteeDue": map[string]any{"from": p.AsOf.String(), "to": p.dueSoonEnd().String()}}
		return map[string]any{"filter": p.and(due), "asOf": p.AsOf.String(), "first": maxRows}
	},
	Export: func(p *params, query string, vars map[string]any) string {
		// The ready-made startups export has no filter on the date due:
		// the query's list, as it is.
		return queryExport(query, vars, "startups")
	},
})

// dueSoonEnd is the last day the agenda looks at.
func (p *params) dueSoonEnd() portfolio.Date { return p.AsOf.AddDays(dueSoonDays) }

// DueSoonEnd is the last day the agenda looks at, for the templates.
func (p *params) DueSoonEnd() portfolio.Date { return p.dueSoonEnd() }

// neverReviewed: the startups in incubation that have had no committee,
// the first due first.
var neverReviewed = newSection[startupList](section{
	ID:    "jamais-en-comite",
	Title: "Jamais passées en comité",
	Group: agendaGroup,
	Query: `query ReviewNeverReviewed($filter: StartupFilter, $asOf: Date, $first: Int) {
  startups(filter: $filter, asOf: $asOf, first: $first,
           orderBy: [{field: NEXT_COMMITTEE_DUE, direction: ASC}]) {` + agendaFields + `
  }
}`,
	Vars: func(p *params) map[string]any {
		return map[string]any{"filter": p.and(map[string]any{"active": true, "neverReviewed": true}), "asOf": p.AsOf.String(), "first": maxRows}
	},
	Export: func(p *params, query string, vars map[string]any) string {
		return queryExport(query, vars, "startups")
	},
})
