package export

import (
	"context"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Preset is a ready-made export for people who do not write GraphQL: a
// fixed query, filters read from URL parameters, and stable columns.
type Preset struct {
	// Name names the preset in URLs (/export/NAME.csv) and on the command
	// line (--preset NAME).
	Name string
	// Columns are the preset's columns, in order, for scripts (RFC 4180
	// CSV, NDJSON, JSON): references to other records are slugs, values
	// are codes.
	Columns []Column
	// French are the columns of the French exports (excel-fr CSV, XLSX),
	// in order: names first, French labels, slugs in columns of their own
	// at the end.
	French []Column
	// Title is the French name of the XLSX sheet.
	Title string
	// Params lists the filter parameters it takes, besides asOf.
	Params []string

	// query returns the preset's query, without the protected fields the
	// caller may not read (can tells which it may).
	query func(can func(typ, field string) bool) string
	// vars builds the query's variables from the parameters, at asOf
	// (given tells whether the parameters gave it).
	vars func(p params, asOf portfolio.Date, given bool) (map[string]any, error)
	// row computes the values of a row from a node, by column name, at
	// asOf; hidden tells which fields the caller may not read
	// ("Type.field").
	row func(node map[string]any, asOf string, hidden func(typ, field string) bool) map[string]any
	// rows, when not nil, stands for row in a preset that makes several
	// rows of a node (or none); it also gets the parameters.
	rows func(node map[string]any, p params, asOf string, hidden func(typ, field string) bool) []map[string]any
}

// Presets returns the presets: startups, members, committees, investment
// and events.
func Presets() []*Preset {
	return []*Preset{startupsPreset, membersPreset, committeesPreset, investmentPreset, eventsPreset}
}

// PresetNamed returns the preset of that name, or nil.
func PresetNamed(name string) *Preset {
	for _, p := range Presets() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Plan makes the plan of the preset for the parameters (filters and asOf,
// comma-separated lists; unknown parameters are refused), answering as of
// asOf when the parameters do not say, for a caller with identity id (the
// status columns stay empty for a caller who may not read statuses). It
// returns the date the export answers for. check, when not nil, checks the
// preset's query with the server's limits first.
func (pr *Preset) Plan(ctx context.Context, schema *ast.Schema, check Checker, values url.Values, asOf portfolio.Date, id *portfolio.Identity) (*Plan, portfolio.Date, error) {
	allowed := append([]string{"asOf"}, pr.Params...)
	for k := range values {
		if !slices.Contains(allowed, k) {
			return nil, 0, badRequest("unknown parameter %q for the %s export: it takes %s", k, pr.Name, strings.Join(allowed, ", "))
		}
	}
	ps := params(values)
	d, given, err := ps.date("asOf")
	if err != nil {
		return nil, 0, err
	}
	if given {
		asOf = d
	}
	vars, err := pr.vars(ps, asOf, given)
	if err != nil {
		return nil, 0, err
	}
	can := func(typ, field string) bool { return readable(schema, id, typ, field) }
	hidden := func(typ, field string) bool { return !can(typ, field) }
	req := Request{Query: pr.query(can), Variables: vars}
	var p *Plan
	if check == nil {
		p, err = NewPlan(schema, req)
	} else {
		var doc *ast.QueryDocument
		if doc, err = check(ctx, Query{Query: req.Query, Variables: vars}, true); err == nil {
			p, err = NewCheckedPlan(schema, doc, req)
		}
	}
	if err != nil {
		return nil, 0, err
	}
	p.Name, p.Columns, p.French, p.Title = pr.Name, pr.Columns, pr.French, pr.Title
	day := asOf.String()
	if pr.rows != nil {
		p.rows = func(node map[string]any) []map[string]any { return pr.rows(node, ps, day, hidden) }
	} else {
		p.rows = func(node map[string]any) []map[string]any { return []map[string]any{pr.row(node, day, hidden)} }
	}
	return p, asOf, nil
}

// readable reports whether the identity may read a field, by its @auth
// directive.
func readable(schema *ast.Schema, id *portfolio.Identity, typ, field string) bool {
	t := schema.Types[typ]
	if t == nil {
		return false
	}
	f := t.Fields.ForName(field)
	if f == nil {
		return false
	}
	d := f.Directives.ForName("auth")
	if d == nil {
		return true
	}
	a := d.Arguments.ForName("requires")
	return a != nil && id.CanRead(portfolio.Role(a.Value.Raw))
}

// params are the URL parameters of a preset.
type params url.Values

func (p params) get(k string) string { return strings.TrimSpace(url.Values(p).Get(k)) }

// list returns a comma-separated parameter, each value passed through
// norm; absent or empty means no condition.
func (p params) list(k string, norm func(string) (string, bool)) ([]string, bool, error) {
	v := p.get(k)
	if v == "" {
		return nil, false, nil
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		n, ok := norm(s)
		if !ok {
			return nil, false, badRequest("%s: %q is not a known value", k, s)
		}
		out = append(out, n)
	}
	return out, len(out) > 0, nil
}

func (p params) bool(k string) (bool, bool, error) {
	v := p.get(k)
	if v == "" {
		return false, false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, false, badRequest("%s: %q is not true or false", k, v)
	}
	return b, true, nil
}

func (p params) date(k string) (portfolio.Date, bool, error) {
	v := p.get(k)
	if v == "" {
		return 0, false, nil
	}
	d, err := portfolio.ParseDate(v)
	if err != nil {
		return 0, false, badRequest("%s: %v", k, err)
	}
	return d, true, nil
}

func asIs(s string) (string, bool) { return s, true }

func phaseValue(s string) (string, bool) {
	if p := portfolio.Phase(strings.ToUpper(s)); p.Valid() {
		return string(p), true
	}
	if p, ok := portfolio.PhaseFromSlug(strings.ToLower(s)); ok {
		return string(p), true
	}
	return "", false
}

func reviewStatusValue(s string) (string, bool) {
	st := portfolio.ReviewStatus(strings.ToUpper(s))
	return string(st), st.Valid()
}

func domainValue(s string) (string, bool) {
	if d := portfolio.Domain(strings.ToUpper(s)); d.Valid() {
		return string(d), true
	}
	if d, ok := portfolio.DomainFromLabel(s); ok {
		return string(d), true
	}
	return "", false
}

func decisionValue(s string) (string, bool) {
	d := portfolio.Decision(strings.ToUpper(s))
	return string(d), d.Valid()
}

// filterOf builds a filter input from list, boolean, text and date
// parameters.
func filterOf(p params, lists map[string]func(string) (string, bool), bools, texts, dates []string) (map[string]any, error) {
	f := map[string]any{}
	keys := make([]string, 0, len(lists))
	for k := range lists {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		l, ok, err := p.list(k, lists[k])
		if err != nil {
			return nil, err
		}
		if ok {
			f[k] = l
		}
	}
	for _, k := range bools {
		b, ok, err := p.bool(k)
		if err != nil {
			return nil, err
		}
		if ok {
			f[k] = b
		}
	}
	for _, k := range texts {
		if v := p.get(k); v != "" {
			f[k] = v
		}
	}
	for _, k := range dates {
		d, ok, err := p.date(k)
		if err != nil {
			return nil, err
		}
		if ok {
			f[k] = d.String()
		}
	}
	return f, nil
}

// withFilter returns the variables of a preset's query: the filter when it
// has conditions, and asOf when the query takes it.
func withFilter(f map[string]any, asOf portfolio.Date, takesAsOf bool) map[string]any {
	vars := map[string]any{}
	if len(f) > 0 {
		vars["filter"] = f
	}
	if takesAsOf {
		vars["asOf"] = asOf.String()
	}
	return vars
}

// when returns s if ok, else "".
func when(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

// get follows keys down decoded JSON objects.
func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// pick returns the columns of all with these names, in this order.
func pick(all []Column, names ...string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		j := slices.IndexFunc(all, func(c Column) bool { return c.Name == n })
		if j < 0 {
			panic("export: no preset column " + n)
		}
		out[i] = all[j]
	}
	return out
}

// refs returns the "slug" and the text field of each object of a list,
// each slug once.
func refs(v any, text string) (slugs, texts []string) {
	items, _ := v.([]any)
	slugs, texts = []string{}, []string{}
	for _, it := range items {
		if s, ok := get(it, "slug").(string); ok && !slices.Contains(slugs, s) {
			t, _ := get(it, text).(string)
			slugs, texts = append(slugs, s), append(texts, t)
		}
	}
	return slugs, texts
}

// startupsColumns are the columns of the startups export, in both namings
// (those of a review in review.go).
var startupsColumns = append([]Column{
	{Name: "slug", Label: "Startup (identifiant)"},
	{Name: "name", Label: "Startup"},
	{Name: "incubator", Label: "Incubateur (identifiant)"},
	{Name: "incubator_name", Label: "Incubateur"},
	{Name: "sponsors", Label: "Sponsors (identifiants)", List: true},
	{Name: "sponsor_names", Label: "Sponsors", List: true},
	{Name: "phase", Label: "Phase", Enum: "Phase"},
	{Name: "phase_start", Label: "Date de début de phase", Kind: KindDate},
	{Name: "phase_source_name", Label: "Phase (nom dans la fiche)"},
	{Name: "team_size", Label: "Taille de l'équipe", Kind: KindInt},
	{Name: "team_admin", Label: "Agents publics", Kind: KindInt},
	{Name: "team_independent", Label: "Indépendants", Kind: KindInt},
	{Name: "team_service", Label: "Prestataires", Kind: KindInt},
	{Name: "last_committee", Label: "Dernier comité", Kind: KindDate},
	{Name: "last_decision", Label: "Décision du dernier comité", Enum: "Decision"},
}, reviewStartupsColumns...)

var startupsPreset = &Preset{
	Name:  "startups",
	Title: "Startups",
	Columns: pick(startupsColumns, "slug", "name", "incubator", "sponsors", "phase", "phase_start",
		"team_size", "team_admin", "team_independent", "team_service", "last_committee", "last_decision",
		"next_committee_due", "review_status", "incubated_since", "intrapreneurs", "fast_promotion", "fast_euros", "security_homologation",
		"risk_analysis", "accessibility", "stats_url", "portfolio_managers", "phase_source_name"),
	French: pick(startupsColumns, "name", "incubator_name", "sponsor_names", "phase", "phase_start",
		"team_size", "team_admin", "team_independent", "team_service", "last_committee", "last_decision",
		"next_committee_due", "review_status", "incubated_since", "intrapreneur_names", "fast_promotion", "fast_euros",
		"security_homologation", "risk_analysis", "accessibility", "stats_url",
		"portfolio_manager_names", "slug", "incubator", "sponsors", "intrapreneurs", "portfolio_managers", "phase_source_name"),
	Params: []string{"incubators", "sponsors", "phases", "active", "reviewStatus", "withoutIntrapreneur", "committeeOverdue", "search", "fast",
		"securityHomologation", "portfolioManagers"},
	query: func(can func(string, string) bool) string {
		return `query StartupsExport($filter: StartupFilter, $asOf: Date) {
  startups(filter: $filter, asOf: $asOf, orderBy: [{field: NAME, direction: ASC}]) {
    nodes {
      slug name incubator { slug title } sponsors { slug name }
      currentPhase { phase start sourceName }
      teamSize` + when(can("TeamMembership", "status"), " team { status }") + `
      lastCommittee { date decision }` + reviewStartupsFields + `
    }
  }
}`
	},
	vars: func(p params, asOf portfolio.Date, _ bool) (map[string]any, error) {
		f, err := filterOf(p, map[string]func(string) (string, bool){
			"incubators": asIs, "sponsors": asIs, "phases": phaseValue, "portfolioManagers": asIs, "reviewStatus": reviewStatusValue,
		}, []string{"active", "withoutIntrapreneur", "committeeOverdue", "fast", "securityHomologation"}, []string{"search"}, nil)
		return withFilter(f, asOf, true), err
	},
	row: func(n map[string]any, _ string, hidden func(string, string) bool) map[string]any {
		row := startupsRow(n, hidden)
		reviewStartupsRow(n, row)
		return row
	},
}

// startupsRow computes the startups export's columns but for the review's.
func startupsRow(n map[string]any, hidden func(string, string) bool) map[string]any {
	var byStatus [3]any
	if !hidden("TeamMembership", "status") {
		counts := map[string]int{}
		team, _ := n["team"].([]any)
		for _, m := range team {
			if s, ok := get(m, "status").(string); ok {
				counts[s]++
			}
		}
		for i, s := range portfolio.MissionStatuses {
			byStatus[i] = counts[string(s)]
		}
	}
	sponsors, names := refs(n["sponsors"], "name")
	return map[string]any{
		"slug": n["slug"], "name": n["name"],
		"incubator": get(n, "incubator", "slug"), "incubator_name": get(n, "incubator", "title"),
		"sponsors": sponsors, "sponsor_names": names,
		"phase": get(n, "currentPhase", "phase"), "phase_start": get(n, "currentPhase", "start"),
		"phase_source_name": get(n, "currentPhase", "sourceName"),
		"team_size":         n["teamSize"], "team_admin": byStatus[0], "team_independent": byStatus[1], "team_service": byStatus[2],
		"last_committee": get(n, "lastCommittee", "date"), "last_decision": get(n, "lastCommittee", "decision"),
	}
}

// missionsPerMember is how many of a member's missions (by start) the
// members export reads to find the current one.
const missionsPerMember = 50

// membersColumns are the columns of the members export, in both namings.
var membersColumns = []Column{
	{Name: "slug", Label: "Membre (identifiant)"},
	{Name: "fullname", Label: "Membre"},
	{Name: "role", Label: "Rôle"},
	{Name: "domain", Label: "Domaine", Enum: "Domain"},
	{Name: "active", Label: "En mission", Kind: KindBool},
	{Name: "startups", Label: "Startups (identifiants)", List: true},
	{Name: "startup_names", Label: "Startups", List: true},
	{Name: "mission_start", Label: "Début de mission", Kind: KindDate},
	{Name: "mission_end", Label: "Fin de mission", Kind: KindDate},
	{Name: "mission_status", Label: "Statut de mission", Enum: "MissionStatus"},
	{Name: "mission_employer", Label: "Employeur"},
}

var membersPreset = &Preset{
	Name:  "members",
	Title: "Membres",
	Columns: pick(membersColumns, "slug", "fullname", "role", "domain", "active", "startups",
		"mission_start", "mission_end", "mission_status", "mission_employer"),
	French: pick(membersColumns, "fullname", "role", "domain", "active", "startup_names",
		"mission_start", "mission_end", "mission_status", "mission_employer", "slug", "startups"),
	Params: []string{"domains", "active", "incubators", "startups", "search"},
	query: func(can func(string, string) bool) string {
		return `query MembersExport($filter: MemberFilter, $asOf: Date) {
  members(filter: $filter, asOf: $asOf, orderBy: [{field: NAME, direction: ASC}]) {
    nodes {
      slug fullname role domain active
      missions(first: ` + strconv.Itoa(missionsPerMember) + `) {
        nodes { start end active` + when(can("Mission", "status"), " status") + when(can("Mission", "employer"), " employer") + ` startups { slug name } }
      }
    }
  }
}`
	},
	vars: func(p params, asOf portfolio.Date, _ bool) (map[string]any, error) {
		f, err := filterOf(p, map[string]func(string) (string, bool){
			"domains": domainValue, "incubators": asIs, "startups": asIs,
		}, []string{"active"}, []string{"search"}, nil)
		return withFilter(f, asOf, true), err
	},
	row: func(n map[string]any, _ string, hidden func(string, string) bool) map[string]any {
		// The current mission: one covering asOf (the API's
		// Mission.active, portfolio.OnMissionAt), the latest to start
		// (as teams count it); the current startups: those of every
		// mission covering asOf.
		var cur map[string]any
		current, names := []string{}, []string{}
		missions, _ := get(n, "missions", "nodes").([]any)
		for _, m := range missions {
			mm, _ := m.(map[string]any)
			if active, _ := mm["active"].(bool); !active {
				continue
			}
			start, _ := mm["start"].(string)
			if cur == nil || start >= cur["start"].(string) {
				cur = mm
			}
			slugs, texts := refs(mm["startups"], "name")
			for i, s := range slugs {
				if !slices.Contains(current, s) {
					current, names = append(current, s), append(names, texts[i])
				}
			}
		}
		row := map[string]any{
			"slug": n["slug"], "fullname": n["fullname"], "role": n["role"], "domain": n["domain"], "active": n["active"],
			"startups": current, "startup_names": names,
		}
		if cur != nil {
			row["mission_start"], row["mission_end"], row["mission_status"], row["mission_employer"] = cur["start"], cur["end"], cur["status"], cur["employer"]
		}
		return row
	},
}

// committeesColumns are the columns of the committees export, in both
// namings.
var committeesColumns = []Column{
	{Name: "startup", Label: "Startup (identifiant)"},
	{Name: "startup_name", Label: "Startup"},
	{Name: "incubator", Label: "Incubateur (identifiant)"},
	{Name: "incubator_name", Label: "Incubateur"},
	{Name: "date", Label: "Date", Kind: KindDate},
	{Name: "decision", Label: "Décision", Enum: "Decision"},
	{Name: "next_phase", Label: "Phase suivante", Enum: "Phase"},
	{Name: "budget_euros", Label: "Budget (€)", Kind: KindInt},
	{Name: "next_committee_due", Label: "Prochain comité dû", Kind: KindDate},
	{Name: "comment", Label: "Commentaire"},
	{Name: "source", Label: "Origine", Enum: "Source"},
}

var committeesPreset = &Preset{
	Name:  "committees",
	Title: "Comités",
	Columns: pick(committeesColumns, "startup", "startup_name", "incubator", "date", "decision", "next_phase",
		"budget_euros", "next_committee_due", "comment", "source"),
	French: pick(committeesColumns, "startup_name", "incubator_name", "date", "decision", "next_phase",
		"budget_euros", "next_committee_due", "comment", "source", "startup", "incubator"),
	Params: []string{"incubators", "startups", "decisions", "from", "to"},
	query: func(can func(string, string) bool) string {
		return `query CommitteesExport($filter: CommitteeFilter) {
  committees(filter: $filter, orderBy: [{field: DATE, direction: DESC}]) {
    nodes {
      startup { slug name incubator { slug title } }
      date decision nextPhase` + when(can("Committee", "budgetEuros"), " budgetEuros") + ` nextDue` +
			when(can("Committee", "comment"), " comment") + ` source
    }
  }
}`
	},
	vars: func(p params, asOf portfolio.Date, given bool) (map[string]any, error) {
		f, err := filterOf(p, map[string]func(string) (string, bool){
			"incubators": asIs, "startups": asIs, "decisions": decisionValue,
		}, nil, nil, []string{"from", "to"})
		if err != nil {
			return nil, err
		}
		// Committees have no asOf: a given one means "held by then". The
		// export lists the committees held, whose outcome its columns
		// give (the planned ones are the agenda's).
		f["states"] = []string{string(portfolio.CommitteeHeld)}
		return withFilter(byThen(f, asOf, given), asOf, false), nil
	},
	row: func(n map[string]any, _ string, _ func(string, string) bool) map[string]any {
		return map[string]any{
			"startup": get(n, "startup", "slug"), "startup_name": get(n, "startup", "name"),
			"incubator": get(n, "startup", "incubator", "slug"), "incubator_name": get(n, "startup", "incubator", "title"),
			"date": n["date"], "decision": n["decision"], "next_phase": n["nextPhase"], "budget_euros": n["budgetEuros"],
			"next_committee_due": n["nextDue"], "comment": n["comment"], "source": n["source"],
		}
	},
}

// byThen bounds the dated filter f of a list without asOf (committees,
// events) to the date given as asOf: its "to" becomes asOf when it has none
// or a later one. Without a given asOf, f is left as it is.
func byThen(f map[string]any, asOf portfolio.Date, given bool) map[string]any {
	if to, ok := f["to"].(string); given && (!ok || to > asOf.String()) {
		f["to"] = asOf.String()
	}
	return f
}
