package export

import (
	"strconv"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The ready-made exports of a portfolio review: the investment (one row per
// FAST grant and per recorded committee budget) and the network's events;
// and the review's columns of the startups export.

// reviewStartupsColumns are the startups export's review columns, in both
// namings.
var reviewStartupsColumns = []Column{
	{Name: "next_committee_due", Label: "Prochain comité dû", Kind: KindDate},
	{Name: "review_status", Label: "Suivi des comités", Enum: "ReviewStatus"},
	{Name: "incubated_since", Label: "En incubation depuis", Kind: KindDate},
	{Name: "intrapreneurs", Label: "Intrapreneurs (identifiants)", List: true},
	{Name: "intrapreneur_names", Label: "Intrapreneurs", List: true},
	{Name: "fast_promotion", Label: "Promotion FAST", Kind: KindInt},
	{Name: "fast_euros", Label: "Subvention FAST (€)", Kind: KindInt},
	{Name: "security_homologation", Label: "Homologation de sécurité", Kind: KindBool},
	{Name: "risk_analysis", Label: "Analyse de risques", Kind: KindBool},
	{Name: "accessibility", Label: "Accessibilité", Enum: "Accessibility"},
	{Name: "stats_url", Label: "Page de statistiques"},
	{Name: "portfolio_managers", Label: "Responsables de portefeuille (identifiants)", List: true},
	{Name: "portfolio_manager_names", Label: "Responsables de portefeuille", List: true},
}

// reviewStartupsFields is what the startups export's query asks for the
// review's columns.
const reviewStartupsFields = `
      nextCommitteeDue reviewStatus incubatedSince intrapreneurs { slug fullname }
      fast { promotion amountEuros } securityHomologation riskAnalysis accessibility statsUrl
      portfolioManagers { slug fullname }`

// reviewStartupsRow adds the review's columns of a startup node to row.
func reviewStartupsRow(n map[string]any, row map[string]any) {
	managers, names := refs(n["portfolioManagers"], "fullname")
	row["next_committee_due"] = n["nextCommitteeDue"]
	row["review_status"], row["incubated_since"] = n["reviewStatus"], n["incubatedSince"]
	row["intrapreneurs"], row["intrapreneur_names"] = refs(n["intrapreneurs"], "fullname")
	row["fast_promotion"], row["fast_euros"] = get(n, "fast", "promotion"), get(n, "fast", "amountEuros")
	row["security_homologation"], row["risk_analysis"] = n["securityHomologation"], n["riskAnalysis"]
	row["accessibility"], row["stats_url"] = n["accessibility"], n["statsUrl"]
	row["portfolio_managers"], row["portfolio_manager_names"] = managers, names
}

// investmentColumns are the columns of the investment export, in both
// namings.
var investmentColumns = []Column{
	{Name: "kind", Label: "Nature", Enum: "InvestmentKind"},
	{Name: "startup", Label: "Startup (identifiant)"},
	{Name: "startup_name", Label: "Startup"},
	{Name: "incubator", Label: "Incubateur (identifiant)"},
	{Name: "incubator_name", Label: "Incubateur"},
	{Name: "sponsors", Label: "Sponsors (identifiants)", List: true},
	{Name: "sponsor_names", Label: "Sponsors", List: true},
	{Name: "promotion", Label: "Promotion FAST", Kind: KindInt},
	{Name: "date", Label: "Date du comité", Kind: KindDate},
	{Name: "decision", Label: "Décision du comité", Enum: "Decision"},
	{Name: "amount_euros", Label: "Montant (€)", Kind: KindInt},
}

var investmentPreset = &Preset{
	Name:  "investment",
	Title: "Investissement",
	Columns: pick(investmentColumns, "kind", "startup", "startup_name", "incubator", "sponsors", "promotion", "date", "decision",
		"amount_euros"),
	French: pick(investmentColumns, "kind", "startup_name", "incubator_name", "sponsor_names", "promotion", "date", "decision",
		"amount_euros", "startup", "incubator", "sponsors"),
	Params: []string{"incubators", "sponsors", "phases", "active", "fast", "fastPromotions", "search", "from", "to"},
	query: func(can func(string, string) bool) string {
		// Committee budgets are for viewers and above: without the right,
		// the export has the FAST grants only.
		committees := ""
		if can("Committee", "budgetEuros") {
			committees = " committees { date decision budgetEuros }"
		}
		return `query InvestmentExport($filter: StartupFilter, $asOf: Date) {
  startups(filter: $filter, asOf: $asOf, orderBy: [{field: NAME, direction: ASC}]) {
    nodes {
      slug name incubator { slug title } sponsors { slug name }
      fast { promotion amountEuros }` + committees + `
    }
  }
}`
	},
	vars: func(p params, asOf portfolio.Date, _ bool) (map[string]any, error) {
		f, err := filterOf(p, map[string]func(string) (string, bool){
			"incubators": asIs, "sponsors": asIs, "phases": phaseValue,
		}, []string{"active", "fast"}, []string{"search"}, nil)
		if err != nil {
			return nil, err
		}
		promotions, ok, err := p.list("fastPromotions", func(s string) (string, bool) {
			_, err := strconv.Atoi(s)
			return s, err == nil
		})
		if err != nil {
			return nil, err
		}
		if ok {
			ns := make([]int, len(promotions))
			for i, s := range promotions {
				ns[i], _ = strconv.Atoi(s)
			}
			f["fastPromotions"] = ns
		}
		// from and to bound the committees' dates; they are checked here
		// and applied by the rows.
		from, _, err := p.date("from")
		if err != nil {
			return nil, err
		}
		to, _, err := p.date("to")
		if err != nil {
			return nil, err
		}
		if from != 0 && to != 0 && to < from {
			return nil, badRequest("to (%s) is before from (%s)", to, from)
		}
		return withFilter(f, asOf, true), nil
	},
	rows: investmentRows,
}

// investmentRows makes a startup's rows: its FAST grant, then each of its
// committees that recorded a budget, held in the export's period (from,
// to).
func investmentRows(n map[string]any, p params, _ string, _ func(string, string) bool) []map[string]any {
	var from, to string
	if d, ok, _ := p.date("from"); ok {
		from = d.String()
	}
	if d, ok, _ := p.date("to"); ok {
		to = d.String()
	}
	sponsors, names := refs(n["sponsors"], "name")
	base := func(kind string) map[string]any {
		return map[string]any{"kind": kind, "startup": n["slug"], "startup_name": n["name"],
			"incubator": get(n, "incubator", "slug"), "incubator_name": get(n, "incubator", "title"),
			"sponsors": sponsors, "sponsor_names": names}
	}
	var out []map[string]any
	if fast, ok := n["fast"].(map[string]any); ok {
		r := base(portfolio.InvestmentFast)
		r["promotion"], r["amount_euros"] = fast["promotion"], fast["amountEuros"]
		out = append(out, r)
	}
	committees, _ := n["committees"].([]any)
	for _, c := range committees {
		cm, _ := c.(map[string]any)
		day, _ := cm["date"].(string)
		if cm["budgetEuros"] == nil || (from != "" && day < from) || (to != "" && day > to) {
			continue
		}
		r := base(portfolio.InvestmentCommitteeBudget)
		r["date"], r["decision"], r["amount_euros"] = day, cm["decision"], cm["budgetEuros"]
		out = append(out, r)
	}
	return out
}

// eventsColumns are the columns of the events export, in both namings.
var eventsColumns = []Column{
	{Name: "date", Label: "Date", Kind: KindDate},
	{Name: "kind", Label: "Événement", Enum: "EventKind"},
	{Name: "startup", Label: "Startup (identifiant)"},
	{Name: "startup_name", Label: "Startup"},
	{Name: "incubator", Label: "Incubateur (identifiant)"},
	{Name: "incubator_name", Label: "Incubateur"},
	{Name: "decision", Label: "Décision du comité", Enum: "Decision"},
	{Name: "comment", Label: "Commentaire"},
}

var eventsPreset = &Preset{
	Name:    "events",
	Title:   "Événements",
	Columns: pick(eventsColumns, "date", "kind", "startup", "startup_name", "incubator", "decision", "comment"),
	French:  pick(eventsColumns, "date", "kind", "startup_name", "incubator_name", "decision", "comment", "startup", "incubator"),
	Params:  []string{"kinds", "incubators", "startups", "from", "to"},
	query: func(can func(string, string) bool) string {
		return `query EventsExport($filter: EventFilter) {
  events(filter: $filter, orderBy: [{field: DATE, direction: DESC}]) {
    nodes {
      date name comment startup { slug name incubator { slug title } }
      committee { decision` + when(can("Committee", "comment"), " comment") + ` }
    }
  }
}`
	},
	vars: func(p params, asOf portfolio.Date, given bool) (map[string]any, error) {
		f, err := filterOf(p, map[string]func(string) (string, bool){
			"kinds": asIs, "incubators": asIs, "startups": asIs,
		}, nil, nil, []string{"from", "to"})
		if err != nil {
			return nil, err
		}
		// Events have no asOf: a given one means "by then".
		return withFilter(byThen(f, asOf, given), asOf, false), nil
	},
	row: func(n map[string]any, _ string, _ func(string, string) bool) map[string]any {
		comment := n["comment"]
		if c := get(n, "committee", "comment"); c != nil {
			comment = c
		}
		return map[string]any{
			"date": n["date"], "kind": n["name"],
			"startup": get(n, "startup", "slug"), "startup_name": get(n, "startup", "name"),
			"incubator": get(n, "startup", "incubator", "slug"), "incubator_name": get(n, "startup", "incubator", "title"),
			"decision": get(n, "committee", "decision"), "comment": comment,
		}
	},
}
