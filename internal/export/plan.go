package export

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
)

// PageSize is the number of nodes read per run of the query when paging
// through a connection: the API's largest page.
const PageSize = 1000

// Request is a GraphQL query to export.
type Request struct {
	// Query is the GraphQL document.
	Query string
	// Variables are the values of its variables, as decoded from JSON.
	Variables map[string]any
	// OperationName picks the operation when the document has several.
	OperationName string
	// Path names the list to export with dot-separated response keys
	// ("incubator.startups"); empty means the first list of the answer.
	Path string
}

// Kind is the type of the values of a column.
type Kind int

// The kinds of columns, from the GraphQL type of their field.
const (
	KindString Kind = iota // String, ID, enums, custom scalars
	KindInt                // Int
	KindFloat              // Float
	KindBool               // Boolean
	KindDate               // Date (YYYY-MM-DD)
)

// Column is one column of an exported table.
type Column struct {
	// Name is the header: the dotted response keys of the field, or a
	// preset's column name.
	Name string
	// Label is the header in the French exports (excel-fr CSV, XLSX);
	// empty means Name.
	Label string
	// Kind is the type of the field's values.
	Kind Kind
	// List tells that the cell joins the values of a list (it is text,
	// whatever Kind).
	List bool
	// Enum is the GraphQL enum type of the values ("Phase"), or empty:
	// the French exports write the French labels of Phase, Domain,
	// MissionStatus, Decision and Source values.
	Enum string
}

// Header returns the column's header: its Label in a French export when it
// has one, else its Name.
func (c Column) Header(french bool) string {
	if french && c.Label != "" {
		return c.Label
	}
	return c.Name
}

// RequestError is a mistake in what the caller asked for (an invalid query,
// an unknown path, a query that fails): the export stops before writing
// anything.
type RequestError struct {
	// Code is the error's code, as GraphQL errors carry it in
	// extensions.code; its HTTP status is the edge's table's
	// (httperror.Status): 400 for BAD_USER_INPUT, 403 for a list the
	// caller may not read, 422 for a query over a limit, ….
	Code string
	// Message says what is wrong, for a person.
	Message string
	// Status, when not 0, is the HTTP status of a refusal about HTTP
	// itself (405 for a method, 415 for a media type) instead of the
	// code's.
	Status int
	// Errors are the GraphQL errors behind it, if any.
	Errors []GraphQLError
}

// Error returns the message.
func (e *RequestError) Error() string { return e.Message }

// HTTPStatus returns the status the error is answered with: Status, else
// its code's.
func (e *RequestError) HTTPStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return httperror.Status(e.Code)
}

func badRequest(format string, args ...any) *RequestError {
	return &RequestError{Code: portfolio.EInvalid, Message: fmt.Sprintf(format, args...)}
}

// Plan is a checked export: the query rewritten to read the chosen list
// page after page, and the columns of its rows. A Plan is read-only once
// made; Run can use it many times.
type Plan struct {
	// Columns are the columns of the table, in order.
	Columns []Column
	// French, when not nil, are the columns of the French exports
	// (excel-fr CSV, XLSX) instead of Columns: a preset's, with names
	// where Columns has slugs.
	French []Column
	// Name is the name of the exported list's field ("startups"), for
	// file names.
	Name string
	// Title names the XLSX sheet ("Comités"); empty means Name.
	Title string

	query    string         // the rewritten document
	opName   string         // its operation's name
	vars     map[string]any // the caller's variables that it uses
	keys     []string       // response keys from data to the list
	rowKeys  []string       // in a connection: ["nodes"] or ["edges", "node"]
	paged    bool           // page with firstVar/afterVar
	firstVar string         // variable names added for paging
	afterVar string
	pageKey  string // alias of the added pageInfo
	totalKey string // alias of the added totalCount, "" when the type has none
	countVar string // variable that asks for it
	limit    int    // the caller's first: most rows to export; -1 for all
	after    any    // the caller's after: where to start (nil or a string)
	leaves   [][]*field
	rows     func(node map[string]any) []map[string]any // a preset's rows of a node, computed values by column name, or nil
}

// field is a field of the exported rows' selection.
type field struct {
	key      string   // response key
	list     int      // list depth of its type: 0 for a single value
	kind     Kind     // for leaves
	enum     string   // for leaves of an enum type, its name
	children []*field // for objects; nil for leaves
}

// Checker checks a query before an export plans it, with the limits of the
// GraphQL endpoint (parser tokens, depth, fields, cost, trusted documents),
// and returns it parsed and validated; own tells that the query is one of
// the server's ready-made exports. Its refusals are *RequestError.
type Checker func(ctx context.Context, q Query, own bool) (*ast.QueryDocument, error)

// NewPlan parses and validates req against schema, finds the list to
// export, and prepares the query that reads it. Mistakes in req are
// *RequestError. It applies no limit: servers check the query first (see
// Checker and NewCheckedPlan).
func NewPlan(schema *ast.Schema, req Request) (*Plan, error) {
	if strings.TrimSpace(req.Query) == "" {
		return nil, badRequest("query is missing: give the GraphQL query to export")
	}
	doc, errs := gqlparser.LoadQuery(schema, req.Query)
	if len(errs) > 0 {
		return nil, InvalidQuery(errs)
	}
	return NewCheckedPlan(schema, doc, req)
}

// InvalidQuery is the error of a query that does not parse or validate.
func InvalidQuery(errs gqlerror.List) *RequestError {
	e := badRequest("the query is invalid: %s", errs[0].Message)
	e.Code = portfolio.EValidationFailed
	for _, g := range errs {
		code := portfolio.EValidationFailed
		if c, ok := g.Extensions["code"].(string); ok {
			code = c
		}
		e.Errors = append(e.Errors, GraphQLError{Message: g.Message, Extensions: map[string]any{"code": code}})
	}
	return e
}

// NewCheckedPlan is NewPlan for a document already parsed and validated
// against schema (as a Checker returns it).
func NewCheckedPlan(schema *ast.Schema, doc *ast.QueryDocument, req Request) (*Plan, error) {
	op, err := pickOperation(doc, req.OperationName)
	if err != nil {
		return nil, err
	}
	vars := req.Variables
	if vars == nil {
		vars = map[string]any{}
	}
	coerced, verr := validator.VariableValues(schema, op, vars)
	if verr != nil {
		return nil, badRequest("variables: %s", verr.Error())
	}

	sel := inline(op.SelectionSet)
	t, err := locate(schema, collect(sel), splitPath(req.Path))
	if err != nil {
		return nil, err
	}
	p := &Plan{Name: t.group.fields[0].Name, keys: t.keys, limit: -1, rowKeys: t.rowKeys}
	p.leaves, p.Columns = columns(schema, t.rows)

	op = &ast.OperationDefinition{
		Operation: op.Operation, Name: op.Name, VariableDefinitions: op.VariableDefinitions,
		Directives: op.Directives, SelectionSet: prune(sel, t.keys), Position: op.Position,
	}
	if t.rowKeys != nil {
		if err := p.page(schema, op, t, coerced); err != nil {
			return nil, err
		}
	}
	used := map[string]bool{}
	usedVars(op.SelectionSet, used)
	for _, d := range op.Directives {
		valueVars(d.Arguments, used)
	}
	p.vars = map[string]any{}
	var defs ast.VariableDefinitionList
	for _, d := range op.VariableDefinitions {
		if used[d.Variable] {
			defs = append(defs, d)
			if v, ok := vars[d.Variable]; ok {
				p.vars[d.Variable] = v
			}
		}
	}
	op.VariableDefinitions = defs
	var b strings.Builder
	formatter.NewFormatter(&b, formatter.WithIndent(" ")).FormatQueryDocument(&ast.QueryDocument{Operations: ast.OperationList{op}})
	p.query, p.opName = b.String(), op.Name
	if _, errs := gqlparser.LoadQuery(schema, p.query); len(errs) > 0 {
		return nil, fmt.Errorf("export: the rewritten query is invalid (%s):\n%s", errs[0].Message, p.query)
	}
	return p, nil
}

// Sheet returns the name of the plan's XLSX worksheet: its Title, else its
// Name.
func (p *Plan) Sheet() string {
	if p.Title != "" {
		return p.Title
	}
	return p.Name
}

// ColumnsFor returns the columns of a table written by a French writer
// (see Writer.French) or not.
func (p *Plan) ColumnsFor(french bool) []Column {
	if french && p.French != nil {
		return p.French
	}
	return p.Columns
}

// Query returns the document the plan runs, with the variables it adds
// for paging.
func (p *Plan) Query() string { return p.query }

func pickOperation(doc *ast.QueryDocument, name string) (*ast.OperationDefinition, error) {
	var op *ast.OperationDefinition
	switch {
	case name != "":
		op = doc.Operations.ForName(name)
		if op == nil {
			return nil, badRequest("operationName: the query has no operation %q", name)
		}
	case len(doc.Operations) == 1:
		op = doc.Operations[0]
	default:
		return nil, badRequest("operationName is needed: the query has %d operations", len(doc.Operations))
	}
	if op.Operation != ast.Query {
		return nil, badRequest("only queries can be exported (this is a %s)", op.Operation)
	}
	return op, nil
}

func splitPath(path string) []string {
	path = strings.Trim(strings.TrimSpace(path), ".")
	if path == "" {
		return nil
	}
	return strings.Split(path, ".")
}

// group is the fields of a selection that share a response key; GraphQL
// merges them into one.
type group struct {
	key    string
	fields []*ast.Field
}

// sets returns the selection sets of the group's fields.
func (g *group) sets() []ast.SelectionSet {
	out := make([]ast.SelectionSet, len(g.fields))
	for i, f := range g.fields {
		out[i] = f.SelectionSet
	}
	return out
}

// collect groups the fields of selection sets by response key, in order of
// first appearance, looking into inline fragments (fragment spreads have
// been inlined).
func collect(sets ...ast.SelectionSet) []*group {
	var out []*group
	index := map[string]*group{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch s := s.(type) {
			case *ast.Field:
				k := responseKey(s)
				g := index[k]
				if g == nil {
					g = &group{key: k}
					index[k] = g
					out = append(out, g)
				}
				g.fields = append(g.fields, s)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			case *ast.FragmentSpread:
				if s.Definition != nil {
					walk(s.Definition.SelectionSet)
				}
			}
		}
	}
	for _, set := range sets {
		walk(set)
	}
	return out
}

func responseKey(f *ast.Field) string {
	if f.Alias != "" {
		return f.Alias
	}
	return f.Name
}

// inline returns a deep copy of set with fragment spreads replaced by
// inline fragments, so that the copy can be pruned and changed freely.
func inline(set ast.SelectionSet) ast.SelectionSet {
	if set == nil {
		return nil
	}
	out := make(ast.SelectionSet, 0, len(set))
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			c := *s
			c.Arguments = slices.Clone(s.Arguments)
			c.SelectionSet = inline(s.SelectionSet)
			out = append(out, &c)
		case *ast.InlineFragment:
			c := *s
			c.SelectionSet = inline(s.SelectionSet)
			out = append(out, &c)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			out = append(out, &ast.InlineFragment{
				TypeCondition:    s.Definition.TypeCondition,
				Directives:       s.Directives,
				SelectionSet:     inline(s.Definition.SelectionSet),
				ObjectDefinition: s.ObjectDefinition,
				Position:         s.Position,
			})
		}
	}
	return out
}

// target is the list a plan exports.
type target struct {
	group   *group
	keys    []string           // response keys from data down to it
	rowKeys []string           // for a connection, the keys to its nodes
	rows    []ast.SelectionSet // the selection of a row
}

// locate finds the list to export: the one path names, or the first.
func locate(schema *ast.Schema, groups []*group, path []string) (*target, error) {
	if len(path) == 0 {
		if t := first(schema, groups, nil); t != nil {
			return t, nil
		}
		return nil, badRequest("the query selects no list to export: select a list of objects or a connection's nodes or edges { node }")
	}
	var keys []string
	for i, key := range path {
		var g *group
		for _, c := range groups {
			if c.key == key {
				g = c
			}
		}
		if g == nil {
			return nil, badRequest("path %q: no field %q at %s (there: %s)", strings.Join(path, "."), key, where(keys), keyList(groups))
		}
		keys = append(keys, key)
		def := g.fields[0].Definition
		named := schema.Types[def.Type.Name()]
		last := i == len(path)-1
		if t := listTarget(schema, g, keys); t != nil {
			if !last {
				return nil, badRequest("path %q crosses the list %q: an export follows one list", strings.Join(path, "."), strings.Join(keys, "."))
			}
			return t, nil
		}
		if t := connectionTarget(schema, g, keys); t != nil {
			// "startups.nodes" and "startups.edges.node" name the connection too.
			rest := path[i+1:]
			if last || slices.Equal(rest, t.rowKeys) || (len(rest) == 1 && rest[0] == t.rowKeys[0]) {
				return t, nil
			}
			if rest[0] == t.rowKeys[0] {
				return nil, badRequest("path %q crosses the list %q: an export follows one list", strings.Join(path, "."), strings.Join(keys, "."))
			}
			return nil, badRequest("path %q: %s is a connection, the list to export: end the path there (or at its %s)", strings.Join(path, "."), strings.Join(keys, "."), strings.Join(t.rowKeys, "."))
		}
		if last || named == nil || !named.IsCompositeType() || def.Type.Elem != nil {
			return nil, badRequest("path %q: %s is not a list of objects nor a connection", strings.Join(path, "."), strings.Join(keys, "."))
		}
		groups = collect(g.sets()...)
	}
	return nil, badRequest("path %q: not a list", strings.Join(path, "."))
}

func where(keys []string) string {
	if len(keys) == 0 {
		return "the top of the query"
	}
	return strings.Join(keys, ".")
}

func keyList(groups []*group) string {
	keys := make([]string, len(groups))
	for i, g := range groups {
		keys[i] = g.key
	}
	return strings.Join(keys, ", ")
}

// first returns the first list of objects or connection, depth-first in
// the order of the selection, not crossing lists.
func first(schema *ast.Schema, groups []*group, keys []string) *target {
	for _, g := range groups {
		k := append(slices.Clone(keys), g.key)
		if t := listTarget(schema, g, k); t != nil {
			return t
		}
		if t := connectionTarget(schema, g, k); t != nil {
			return t
		}
		def := g.fields[0].Definition
		if named := schema.Types[def.Type.Name()]; def.Type.Elem == nil && named != nil && named.IsCompositeType() {
			if t := first(schema, collect(g.sets()...), k); t != nil {
				return t
			}
		}
	}
	return nil
}

// listTarget returns g as the target when it is a list of objects.
func listTarget(schema *ast.Schema, g *group, keys []string) *target {
	def := g.fields[0].Definition
	named := schema.Types[def.Type.Name()]
	if def.Type.Elem == nil || named == nil || !named.IsCompositeType() {
		return nil
	}
	return &target{group: g, keys: keys, rows: g.sets()}
}

// connectionTarget returns g as the target when it is a connection whose
// nodes (or edges { node }) are selected.
func connectionTarget(schema *ast.Schema, g *group, keys []string) *target {
	def := g.fields[0].Definition
	named := schema.Types[def.Type.Name()]
	if def.Type.Elem != nil || named == nil || named.Kind != ast.Object || named.Fields.ForName("pageInfo") == nil {
		return nil
	}
	for _, c := range collect(g.sets()...) {
		switch c.fields[0].Name {
		case "nodes":
			if c.fields[0].Definition.Type.Elem != nil {
				return &target{group: g, keys: keys, rowKeys: []string{c.key}, rows: c.sets()}
			}
		case "edges":
			for _, n := range collect(c.sets()...) {
				if n.fields[0].Name == "node" {
					return &target{group: g, keys: keys, rowKeys: []string{c.key, n.key}, rows: n.sets()}
				}
			}
		}
	}
	return nil
}

// prune keeps of set only what leads to the field at keys, and that field
// whole.
func prune(set ast.SelectionSet, keys []string) ast.SelectionSet {
	var out ast.SelectionSet
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if responseKey(s) != keys[0] {
				continue
			}
			if len(keys) > 1 {
				s.SelectionSet = prune(s.SelectionSet, keys[1:])
			}
			out = append(out, s)
		case *ast.InlineFragment:
			if sub := prune(s.SelectionSet, keys); len(sub) > 0 {
				s.SelectionSet = sub
				out = append(out, s)
			}
		}
	}
	return out
}

// page prepares the paging of the target connection: the caller's first
// and after are read, then replaced by variables, and the connection gets
// pageInfo (and totalCount) under aliases of its own.
func (p *Plan) page(schema *ast.Schema, op *ast.OperationDefinition, t *target, vars map[string]any) error {
	def := t.group.fields[0].Definition
	if def.Arguments.ForName("first") == nil || def.Arguments.ForName("after") == nil {
		return nil
	}
	f0 := t.group.fields[0]
	for _, name := range []string{"last", "before"} {
		if a := f0.Arguments.ForName(name); a != nil {
			if v, _ := a.Value.Value(vars); v != nil {
				return nil // read backwards: one run
			}
		}
	}
	if a := f0.Arguments.ForName("first"); a != nil {
		v, err := a.Value.Value(vars)
		if err != nil {
			return badRequest("%s: first: %v", t.group.key, err)
		}
		if v != nil {
			n, ok := toInt(v)
			if !ok || n < 0 {
				return badRequest("%s: first must be a number of rows, not negative (got %v)", t.group.key, v)
			}
			p.limit = n
		}
	}
	if a := f0.Arguments.ForName("after"); a != nil {
		v, err := a.Value.Value(vars)
		if err != nil {
			return badRequest("%s: after: %v", t.group.key, err)
		}
		p.after = v
	}
	names := map[string]bool{}
	for _, d := range op.VariableDefinitions {
		names[d.Variable] = true
	}
	p.firstVar, p.afterVar = unique("exportFirst", names), unique("exportAfter", names)
	op.VariableDefinitions = append(slices.Clone(op.VariableDefinitions),
		&ast.VariableDefinition{Variable: p.firstVar, Type: ast.NamedType("Int", nil)},
		&ast.VariableDefinition{Variable: p.afterVar, Type: ast.NamedType("String", nil)})
	names[p.firstVar], names[p.afterVar] = true, true
	for _, f := range t.group.fields {
		args := slices.DeleteFunc(slices.Clone(f.Arguments), func(a *ast.Argument) bool { return a.Name == "first" || a.Name == "after" })
		f.Arguments = append(args,
			&ast.Argument{Name: "first", Value: &ast.Value{Kind: ast.Variable, Raw: p.firstVar}},
			&ast.Argument{Name: "after", Value: &ast.Value{Kind: ast.Variable, Raw: p.afterVar}})
	}
	taken := map[string]bool{}
	for _, c := range collect(t.group.sets()...) {
		taken[c.key] = true
	}
	p.pageKey = unique("exportPageInfo", taken)
	f0.SelectionSet = append(f0.SelectionSet, &ast.Field{Alias: p.pageKey, Name: "pageInfo", SelectionSet: ast.SelectionSet{
		&ast.Field{Name: "hasNextPage"}, &ast.Field{Name: "endCursor"},
	}})
	if named := schema.Types[def.Type.Name()]; named.Fields.ForName("totalCount") != nil {
		// Counting can cost more than a page: only the first page asks.
		p.totalKey, p.countVar = unique("exportTotalCount", taken), unique("exportCount", names)
		op.VariableDefinitions = append(op.VariableDefinitions, &ast.VariableDefinition{
			Variable: p.countVar, Type: ast.NonNullNamedType("Boolean", nil),
			DefaultValue: &ast.Value{Kind: ast.BooleanValue, Raw: "false"},
		})
		f0.SelectionSet = append(f0.SelectionSet, &ast.Field{Alias: p.totalKey, Name: "totalCount", Directives: ast.DirectiveList{
			{Name: "include", Arguments: ast.ArgumentList{{Name: "if", Value: &ast.Value{Kind: ast.Variable, Raw: p.countVar}}}},
		}})
	}
	p.paged = true
	return nil
}

// unique returns name, or name followed by a number, not in taken.
func unique(name string, taken map[string]bool) string {
	for i := 2; taken[name]; i++ {
		name = strings.TrimRight(name, "0123456789") + strconv.Itoa(i)
	}
	return name
}

func toInt(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<31 {
			return int(v), true
		}
	case json.Number:
		n, err := strconv.Atoi(string(v))
		return n, err == nil
	}
	return 0, false
}

// usedVars adds to used the variables a selection set refers to.
func usedVars(set ast.SelectionSet, used map[string]bool) {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			valueVars(s.Arguments, used)
			for _, d := range s.Directives {
				valueVars(d.Arguments, used)
			}
			usedVars(s.SelectionSet, used)
		case *ast.InlineFragment:
			for _, d := range s.Directives {
				valueVars(d.Arguments, used)
			}
			usedVars(s.SelectionSet, used)
		}
	}
}

func valueVars(args ast.ArgumentList, used map[string]bool) {
	var walk func(v *ast.Value)
	walk = func(v *ast.Value) {
		if v == nil {
			return
		}
		if v.Kind == ast.Variable {
			used[v.Raw] = true
		}
		for _, c := range v.Children {
			walk(c.Value)
		}
	}
	for _, a := range args {
		walk(a.Value)
	}
}

// columns returns the fields of a row's selection and its columns: one per
// leaf, in order of first appearance.
func columns(schema *ast.Schema, rows []ast.SelectionSet) ([][]*field, []Column) {
	tree := fields(schema, collect(rows...))
	var leaves [][]*field
	var cols []Column
	var walk func(fs []*field, trail []*field)
	walk = func(fs []*field, trail []*field) {
		for _, f := range fs {
			t := append(slices.Clone(trail), f)
			if f.children == nil {
				names := make([]string, len(t))
				list := false
				for i, x := range t {
					names[i] = x.key
					list = list || x.list > 0
				}
				leaves = append(leaves, t)
				cols = append(cols, Column{Name: strings.Join(names, "."), Kind: f.kind, List: list, Enum: f.enum})
				continue
			}
			walk(f.children, t)
		}
	}
	walk(tree, nil)
	return leaves, cols
}

func fields(schema *ast.Schema, groups []*group) []*field {
	out := make([]*field, 0, len(groups))
	for _, g := range groups {
		def := g.fields[0].Definition
		f := &field{key: g.key}
		for t := def.Type; t.Elem != nil; t = t.Elem {
			f.list++
		}
		named := schema.Types[def.Type.Name()]
		if named != nil && named.IsCompositeType() {
			f.children = fields(schema, collect(g.sets()...))
			if f.children == nil {
				f.children = []*field{}
			}
		} else {
			f.kind = kindOf(def.Type.Name())
			if named != nil && named.Kind == ast.Enum {
				f.enum = named.Name
			}
		}
		out = append(out, f)
	}
	return out
}

func kindOf(typeName string) Kind {
	switch typeName {
	case "Int":
		return KindInt
	case "Float":
		return KindFloat
	case "Boolean":
		return KindBool
	case "Date":
		return KindDate
	}
	return KindString
}
