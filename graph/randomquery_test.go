package graph_test

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/graph"
)

// queryGen draws random questions over every field the fast path has a
// plan for, from the schema itself (no list of fields to keep): random
// subsets of each type's fields in random order, aliases, repeated fields,
// inline and named fragments, @skip/@include, __typename, fragments on
// interfaces, small pages and arguments from samples by type. Fields not
// drawn yet are always drawn when their type is reached, so that a run
// covers every field (covered).
type queryGen struct {
	r       *rand.Rand
	schema  *ast.Schema
	planned map[string]bool
	drawn   map[string]bool   // by the questions accepted
	cur     map[string]bool   // by the question being drawn
	samples map[string]string // sample values: startup, incubator, organisation, member, committee, id
	// typeAlias, when set, aliases the fields of the next selection
	// (those of a possible type of an interface) with its type's name.
	typeAlias string
	frags     map[string]string
	n         int
	budget    int // fields left to the question being drawn
}

func newQueryGen(r *rand.Rand, samples map[string]string) *queryGen {
	planned, _, _ := graph.FastFields()
	g := &queryGen{r: r, schema: graph.Schema(), planned: map[string]bool{}, drawn: map[string]bool{}, samples: samples}
	for _, f := range planned {
		g.planned[f] = true
	}
	return g
}

// undrawn lists the planned fields no question drew, of the types a
// question can reach (the payloads of mutations are not).
func (g *queryGen) undrawn() []string {
	reach := map[string]bool{"Query": true}
	for grew := true; grew; {
		grew = false
		for f := range g.planned {
			typ, name, _ := strings.Cut(f, ".")
			if !reach[typ] {
				continue
			}
			for _, t := range g.schema.GetPossibleTypes(g.schema.Types[g.schema.Types[typ].Fields.ForName(name).Type.Name()]) {
				if !reach[t.Name] {
					reach[t.Name], grew = true, true
				}
			}
		}
	}
	var out []string
	for f := range g.planned {
		if typ, _, _ := strings.Cut(f, "."); reach[typ] && !g.drawn[f] {
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// reachable counts the planned fields a question can reach.
func (g *queryGen) reachable() int {
	n := len(g.undrawn())
	for f := range g.drawn {
		if g.planned[f] {
			n++
		}
	}
	return n
}

// query draws a question: one to three fields of Query.
func (g *queryGen) query() string {
	g.frags = map[string]string{}
	g.budget = 60
	g.cur = map[string]bool{}
	var b strings.Builder
	b.WriteString("{ ")
	roots := g.fieldsOf("Query")
	for i := range 1 + g.r.IntN(3) {
		f := g.prefer("Query", roots)
		// Roots with other arguments must not share a name.
		fmt.Fprintf(&b, "r%d: %s ", i, g.field("Query", f, 0, 1))
	}
	b.WriteString("}")
	// Keep the fragments the question spreads (fields left out of a
	// selection may have made others).
	used := b.String()
	for kept := true; kept; {
		kept = false
		for name, body := range g.frags {
			if strings.Contains(used, "..."+name+" ") {
				used += "\n" + body
				delete(g.frags, name)
				kept = true
			}
		}
	}
	return used
}

// accept counts the fields of the last question drawn as drawn (a
// question the server refuses for its cost is not).
func (g *queryGen) accept() {
	for f := range g.cur {
		g.drawn[f] = true
	}
}

// fieldsOf returns the planned fields of an object type.
func (g *queryGen) fieldsOf(typ string) []*ast.FieldDefinition {
	var out []*ast.FieldDefinition
	for _, f := range g.schema.Types[typ].Fields {
		if g.planned[typ+"."+f.Name] {
			out = append(out, f)
		}
	}
	return out
}

// prefer picks a field, one not drawn yet if there is one.
func (g *queryGen) prefer(typ string, fields []*ast.FieldDefinition) *ast.FieldDefinition {
	for _, f := range fields {
		if !g.drawn[typ+"."+f.Name] && g.r.IntN(2) == 0 {
			return f
		}
	}
	return fields[g.r.IntN(len(fields))]
}

// field writes a field with its arguments and selection; depth counts
// the objects above it, mult the elements of the lists above it.
func (g *queryGen) field(typ string, f *ast.FieldDefinition, depth, mult int) string {
	g.cur[typ+"."+f.Name] = true
	out := f.Name + g.args(typ, f)
	named := g.schema.Types[f.Type.Name()]
	if named.Kind == ast.Scalar || named.Kind == ast.Enum {
		return out
	}
	if f.Type.Elem != nil {
		mult *= 10
	}
	if strings.Contains(out, "first:") {
		mult *= 3
	}
	return out + " { " + g.selection(named, depth+1, mult) + " }"
}

// selection writes a selection on an object or interface.
func (g *queryGen) selection(def *ast.Definition, depth, mult int) string {
	if def.Kind == ast.Interface || def.Kind == ast.Union {
		var parts []string
		for _, t := range g.schema.GetPossibleTypes(def) {
			if g.r.IntN(2) == 0 || !g.allDrawn(t.Name) {
				// Fields of the possible types may share a name with
				// different types (Incubator.startups, Member.startups),
				// which would conflict: each gets its type's alias.
				g.typeAlias = strings.ToLower(t.Name) + "_"
				parts = append(parts, "... on "+t.Name+" { "+g.selection(t, depth, mult)+" }")
			}
		}
		if def.Fields.ForName("id") != nil && g.r.IntN(2) == 0 {
			parts = append(parts, g.alias()+"id")
		}
		return strings.Join(append(parts, "__typename"), " ")
	}
	typeAlias := g.typeAlias
	g.typeAlias = ""
	deeper := depth < 4 && mult <= 300
	// Up to six fields, those not drawn yet first, in random order.
	fields := g.fieldsOf(def.Name)
	g.r.Shuffle(len(fields), func(i, j int) { fields[i], fields[j] = fields[j], fields[i] })
	sort.SliceStable(fields, func(i, j int) bool {
		return !g.drawn[def.Name+"."+fields[i].Name] && g.drawn[def.Name+"."+fields[j].Name]
	})
	var parts []string
	taken := 0
	for _, f := range fields {
		named := g.schema.Types[f.Type.Name()]
		leaf := named.Kind == ast.Scalar || named.Kind == ast.Enum
		if !leaf && (!deeper || g.budget <= 0) {
			continue
		}
		if taken == 6 || g.budget <= 0 {
			break
		}
		if !g.sampled(f) {
			continue
		}
		taken++
		g.budget--
		alias := g.alias()
		if typeAlias != "" {
			alias = typeAlias + f.Name + ": "
		}
		p := alias + g.field(def.Name, f, depth, mult)
		switch g.r.IntN(8) {
		case 0:
			p = "... on " + def.Name + " { " + p + " }"
		case 1:
			p = directive(p, " @skip(if: false)")
		case 2:
			p = directive(p, " @include(if: false)")
		case 3:
			parts = append(parts, p) // twice
		}
		parts = append(parts, p)
	}
	if g.r.IntN(5) == 0 || len(parts) == 0 {
		parts = append(parts, "__typename")
	}
	g.r.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	if g.r.IntN(6) == 0 {
		g.n++
		name := fmt.Sprintf("F%d", g.n)
		g.frags[name] = fmt.Sprintf("fragment %s on %s { %s }", name, def.Name, strings.Join(parts, " "))
		return "..." + name + " "
	}
	return strings.Join(parts, " ")
}

func (g *queryGen) allDrawn(typ string) bool {
	for _, f := range g.fieldsOf(typ) {
		if !g.drawn[typ+"."+f.Name] {
			return false
		}
	}
	return true
}

func (g *queryGen) alias() string {
	if g.r.IntN(4) == 0 {
		g.n++
		return fmt.Sprintf("a%d: ", g.n)
	}
	return ""
}

// sampled reports whether every required argument of f has a sample.
func (g *queryGen) sampled(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil && g.sample(f.Name, a, true) == "" {
			return false
		}
	}
	return true
}

// args writes f's arguments: every required one, some optional ones.
func (g *queryGen) args(typ string, f *ast.FieldDefinition) string {
	var parts []string
	for _, a := range f.Arguments {
		required := a.Type.NonNull && a.DefaultValue == nil
		if !required && g.r.IntN(3) != 0 {
			continue
		}
		if v := g.sample(f.Name, a, required); v != "" {
			parts = append(parts, a.Name+": "+v)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// sample returns a value for argument a of field, "" when none: by name
// where the name tells what it is, else by type.
func (g *queryGen) sample(field string, a *ast.ArgumentDefinition, required bool) string {
	pick := func(vs ...string) string { return vs[g.r.IntN(len(vs))] }
	switch a.Name {
	case "first":
		return fmt.Sprint(1 + g.r.IntN(3))
	case "last", "before":
		return ""
	case "after":
		return `"bzoy"`
	case "asOf":
		return pick(`"2024-06-30"`, `"2025-01-15"`, `"2026-08-20"`)
	case "from":
		return `"2023-01-01"`
	case "to":
		if required { // a window's end (the agenda's): from's year and a half
			return `"2024-06-30"`
		}
		return ""
	case "every":
		return pick("YEAR", "QUARTER", "MONTH")
	case "slug":
		if s := g.samples[strings.ToLower(field)]; s != "" {
			return fmt.Sprintf("%q", s)
		}
	case "id":
		return fmt.Sprintf("%q", g.samples["id"])
	case "ids":
		return fmt.Sprintf("[%q, %q]", g.samples["id"], g.samples["incubatorId"])
	case "search":
		return `"a"`
	case "filter":
		switch a.Type.Name() {
		case "StartupFilter":
			return pick(`{active: true}`, `{phases: [ACCELERATION, CONSTRUCTION]}`, `{reviewStatus: [OVERDUE, DUE_SOON]}`, `{not: {fast: true}}`)
		case "MemberFilter":
			return pick(`{active: true}`, `{domains: [DEVELOPMENT, DESIGN]}`)
		case "CommitteeFilter":
			return pick(`{decisions: [CONTINUE, ADVANCE]}`, `{from: "2022-01-01"}`)
		case "EventFilter":
			return `{kinds: ["product_launch", "committee"]}`
		}
		return ""
	case "orderBy":
		switch a.Type.Name() {
		case "StartupOrder":
			return pick(`[{field: NAME}]`, `[{field: REVIEW_STATUS}, {field: SLUG, direction: DESC}]`, `[{field: TEAM_SIZE, direction: DESC}]`)
		case "MemberOrder":
			return `[{field: NAME}]`
		case "CommitteeOrder":
			return `[{field: DATE, direction: DESC}]`
		case "EventOrder":
			return `[{field: DATE}]`
		}
		return ""
	}
	if !required {
		return ""
	}
	switch a.Type.Name() {
	case "Date":
		return `"2024-01-01"`
	case "Int":
		return "2"
	case "Boolean":
		return "true"
	case "String":
		return `"x"`
	}
	if d := g.schema.Types[a.Type.Name()]; d != nil && d.Kind == ast.Enum {
		return d.EnumValues[0].Name
	}
	return ""
}

// directive puts d on field f, after its arguments, before its
// selection (argument values hold no parenthesis).
func directive(f, d string) string {
	sel := strings.Index(f, " {")
	if i := strings.Index(f, "("); i >= 0 && (sel < 0 || i < sel) {
		k := strings.Index(f, ")")
		return f[:k+1] + d + f[k+1:]
	}
	if sel >= 0 {
		return f[:sel] + d + f[sel:]
	}
	return f + d
}
