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
	// Columns are the preset's columns, in order.
	Columns []Column
	// Params lists the filter parameters it takes, besides asOf.
	Params []string

	// query returns the preset's query, without the protected fields the
	// caller may not read (can tells which it may).
	query func(can func(typ, field string) bool) string
	// vars builds the query's variables from the parameters, at asOf
	// (given tells whether the parameters gave it).
	vars func(p params, asOf portfolio.Date, given bool) (map[string]any, error)
	// row computes a row from a node, at asOf; hidden tells which
	// fields the caller may not read ("Type.field").
	row func(node map[string]any, asOf string, hidden func(typ, field string) bool) []any
}

// Presets returns the presets: startups, members and committees.
func Presets() []*Preset { return []*Preset{startupsPreset, membersPreset, committeesPreset} }

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
	p.Name, p.Columns = pr.Name, pr.Columns
	day := asOf.String()
	p.row = func(node map[string]any) []any { return pr.row(node, day, hidden) }
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

// slugs returns the "slug" of each object of a list.
func slugs(v any) []string {
	items, _ := v.([]any)
	out := []string{}
	for _, it := range items {
		if s, ok := get(it, "slug").(string); ok && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

var startupsPreset = &Preset{
	Name: "startups",
	Columns: []Column{
		{Name: "slug"}, {Name: "name"}, {Name: "incubator"}, {Name: "sponsors", List: true},
		{Name: "phase"}, {Name: "phase_start", Kind: KindDate},
		{Name: "team_size", Kind: KindInt}, {Name: "team_admin", Kind: KindInt},
		{Name: "team_independent", Kind: KindInt}, {Name: "team_service", Kind: KindInt},
		{Name: "last_committee", Kind: KindDate}, {Name: "last_decision"},
		{Name: "committee_overdue", Kind: KindBool},
	},
	Params: []string{"incubators", "sponsors", "phases", "active", "committeeOverdue", "search"},
	query: func(can func(string, string) bool) string {
		return `query StartupsExport($filter: StartupFilter, $asOf: Date) {
  startups(filter: $filter, asOf: $asOf, orderBy: [{field: NAME, direction: ASC}]) {
    nodes {
      slug name incubator { slug } sponsors { slug }
      currentPhase { phase start }
      teamSize` + when(can("TeamMembership", "status"), " team { status }") + `
      lastCommittee { date decision }
      committeeOverdue
    }
  }
}`
	},
	vars: func(p params, asOf portfolio.Date, _ bool) (map[string]any, error) {
		f, err := filterOf(p, map[string]func(string) (string, bool){
			"incubators": asIs, "sponsors": asIs, "phases": phaseValue,
		}, []string{"active", "committeeOverdue"}, []string{"search"}, nil)
		return withFilter(f, asOf, true), err
	},
	row: func(n map[string]any, _ string, hidden func(string, string) bool) []any {
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
		return []any{
			n["slug"], n["name"], get(n, "incubator", "slug"), slugs(n["sponsors"]),
			get(n, "currentPhase", "phase"), get(n, "currentPhase", "start"),
			n["teamSize"], byStatus[0], byStatus[1], byStatus[2],
			get(n, "lastCommittee", "date"), get(n, "lastCommittee", "decision"),
			n["committeeOverdue"],
		}
	},
}

// missionsPerMember is how many of a member's missions (by start) the
// members export reads to find the current one.
const missionsPerMember = 50

var membersPreset = &Preset{
	Name: "members",
	Columns: []Column{
		{Name: "slug"}, {Name: "fullname"}, {Name: "role"}, {Name: "domain"},
		{Name: "active", Kind: KindBool}, {Name: "startups", List: true},
		{Name: "mission_start", Kind: KindDate}, {Name: "mission_end", Kind: KindDate},
		{Name: "mission_status"}, {Name: "mission_employer"},
	},
	Params: []string{"domains", "active", "incubators", "startups", "search"},
	query: func(can func(string, string) bool) string {
		return `query MembersExport($filter: MemberFilter, $asOf: Date) {
  members(filter: $filter, asOf: $asOf, orderBy: [{field: NAME, direction: ASC}]) {
    nodes {
      slug fullname role domain active
      missions(first: ` + strconv.Itoa(missionsPerMember) + `) {
        nodes { start end` + when(can("Mission", "status"), " status") + when(can("Mission", "employer"), " employer") + ` startups { slug } }
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
	row: func(n map[string]any, asOf string, hidden func(string, string) bool) []any {
		// The current mission: covering asOf, the latest to start (as
		// teams count it); the current startups: those of every
		// mission covering asOf.
		var cur map[string]any
		current := []string{}
		missions, _ := get(n, "missions", "nodes").([]any)
		for _, m := range missions {
			mm, _ := m.(map[string]any)
			start, _ := mm["start"].(string)
			end, _ := mm["end"].(string)
			if start == "" || start > asOf || (end != "" && end < asOf) {
				continue
			}
			if cur == nil || start >= cur["start"].(string) {
				cur = mm
			}
			for _, s := range slugs(mm["startups"]) {
				if !slices.Contains(current, s) {
					current = append(current, s)
				}
			}
		}
		row := []any{n["slug"], n["fullname"], n["role"], n["domain"], n["active"], current, nil, nil, nil, nil}
		if cur != nil {
			row[6], row[7], row[8], row[9] = cur["start"], cur["end"], cur["status"], cur["employer"]
		}
		return row
	},
}

var committeesPreset = &Preset{
	Name: "committees",
	Columns: []Column{
		{Name: "startup"}, {Name: "startup_name"}, {Name: "incubator"}, {Name: "date", Kind: KindDate},
		{Name: "decision"}, {Name: "next_phase"}, {Name: "budget_euros", Kind: KindInt},
		{Name: "next_committee_due", Kind: KindDate}, {Name: "comment"}, {Name: "source"},
	},
	Params: []string{"incubators", "startups", "decisions", "from", "to"},
	query: func(can func(string, string) bool) string {
		return `query CommitteesExport($filter: CommitteeFilter) {
  committees(filter: $filter, orderBy: [{field: DATE, direction: DESC}]) {
    nodes {
      startup { slug name incubator { slug } }
      date decision nextPhase` + when(can("Committee", "budgetEuros"), " budgetEuros") + ` nextCommitteeDue` +
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
		// Committees have no asOf: a given one means "held by then".
		if to, ok := f["to"].(string); given && (!ok || to > asOf.String()) {
			f["to"] = asOf.String()
		}
		return withFilter(f, asOf, false), nil
	},
	row: func(n map[string]any, _ string, _ func(string, string) bool) []any {
		return []any{
			get(n, "startup", "slug"), get(n, "startup", "name"), get(n, "startup", "incubator", "slug"),
			n["date"], n["decision"], n["nextPhase"], n["budgetEuros"], n["nextCommitteeDue"], n["comment"], n["source"],
		}
	},
}
