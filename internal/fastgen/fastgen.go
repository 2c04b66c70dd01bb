// Package fastgen is a gqlgen plugin that writes the tables of the graph's
// fast path (graph/fast.go) from the schema and gqlgen.yml, in the same run
// that writes gqlgen's executor: for each field of each object type, how
// the fast path reads its value (the resolver, struct field or method
// gqlgen's executor calls, with the arguments parsed by gqlgen's own
// parsers), how it writes it (as gqlgen's marshalers write it, null where
// the schema allows one), the role its @auth requires, the columns it
// reads (@columns), and which loader keys its value announces. A field the
// generator cannot plan, or that the schema leaves to gqlgen's executor
// (@gqlgenOnly, with a reason), is listed as such, so that a test can fail
// for a field that is neither planned nor excused.
//
// Adding a field is then the schema and its resolver: go generate ./...
// writes its plan.
package fastgen

import (
	"bytes"
	"fmt"
	"go/format"
	"go/types"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// loaderPath is the package of the request's loaders, whose See… and
// Register… methods the plans call (by convention: SeeStartups for the
// type Startup, RegisterIncubator for a lookup of an Incubator by slug).
const loaderPath = "github.com/incubateurs/portfolio/internal/loader"

// Plugin writes the fast path's tables into a file of gqlgen's exec
// package.
type Plugin struct {
	filename string
}

// New returns the plugin writing filename (a path from the directory
// gqlgen runs in).
func New(filename string) *Plugin { return &Plugin{filename: filename} }

// Name names the plugin.
func (p *Plugin) Name() string { return "fastpath" }

// GenerateCode writes the file from gqlgen's data.
func (p *Plugin) GenerateCode(d *codegen.Data) error {
	g, err := newGen(d)
	if err != nil {
		return err
	}
	src, err := g.file()
	if err != nil {
		return err
	}
	if err := os.WriteFile(p.filename, src, 0o644); err != nil {
		return fmt.Errorf("fastgen: %w", err)
	}
	return nil
}

// gen is one run of the generator.
type gen struct {
	d       *codegen.Data
	self    string            // the exec package's import path
	imports map[string]string // import path -> name
	loaders *types.Named      // loader.Loaders

	objects map[string]*codegen.Object
	// needsSee tells the object types whose values announce loader keys
	// (themselves, slugs they link to, or such objects they hold).
	needsSee map[string]bool

	funcs     bytes.Buffer      // the writers and see functions
	specs     bytes.Buffer      // the entries of fastTypes
	unplanned map[string]string // Type.field -> why no plan was made
	excused   map[string]string // Type.field -> the schema's reason
	seeAny    map[string]string // Go type -> code announcing a value of it (v)
	written   map[string]bool   // functions written once
}

func newGen(d *codegen.Data) (*gen, error) {
	g := &gen{d: d, self: d.Config.Exec.ImportPath(), imports: map[string]string{}, objects: map[string]*codegen.Object{},
		needsSee: map[string]bool{}, unplanned: map[string]string{}, excused: map[string]string{}, seeAny: map[string]string{}, written: map[string]bool{}}
	pkg := d.Config.Packages.Load(loaderPath)
	if pkg == nil || pkg.Types == nil {
		return nil, fmt.Errorf("fastgen: cannot load %s", loaderPath)
	}
	obj, _ := pkg.Types.Scope().Lookup("Loaders").(*types.TypeName)
	if obj == nil {
		return nil, fmt.Errorf("fastgen: %s has no Loaders", loaderPath)
	}
	g.loaders = obj.Type().(*types.Named)
	for _, o := range d.Objects {
		g.objects[o.Name] = o
	}
	g.findSeen()
	return g, nil
}

// q qualifies a package for types.TypeString, recording its import.
func (g *gen) q(p *types.Package) string {
	if p.Path() == g.self {
		return ""
	}
	name := p.Name()
	for path, n := range g.imports {
		if n == name && path != p.Path() {
			name += strconv.Itoa(len(g.imports))
		}
	}
	if n, ok := g.imports[p.Path()]; ok {
		return n
	}
	g.imports[p.Path()] = name
	return name
}

func (g *gen) typ(t types.Type) string { return types.TypeString(t, g.q) }

// use records an import by path and returns its name.
func (g *gen) use(path, name string) string {
	g.imports[path] = name
	return name
}

func (g *gen) printf(format string, args ...any) { fmt.Fprintf(&g.funcs, format, args...) }

// excuse returns the reason of @gqlgenOnly among dirs, if any.
func excuse(dirs ast.DirectiveList) (string, bool) {
	d := dirs.ForName("gqlgenOnly")
	if d == nil {
		return "", false
	}
	if a := d.Arguments.ForName("reason"); a != nil && a.Value != nil && strings.TrimSpace(a.Value.Raw) != "" {
		return a.Value.Raw, true
	}
	return "", false
}

// file writes the whole file.
func (g *gen) file() ([]byte, error) {
	names := make([]string, 0, len(g.objects))
	for n := range g.objects {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		o := g.objects[name]
		if strings.HasPrefix(name, "__") {
			continue // introspection: gqlgen's
		}
		why, typeExcused := excuse(o.Definition.Directives)
		fmt.Fprintf(&g.specs, "\t%q: {\n", name)
		for _, f := range o.Fields {
			key := name + "." + f.Name
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if typeExcused {
				g.excused[key] = why
				continue
			}
			if why, ok := excuse(f.FieldDefinition.Directives); ok {
				g.excused[key] = why
				continue
			}
			if err := g.field(o, f); err != nil {
				g.unplanned[key] = err.Error()
			}
		}
		fmt.Fprintf(&g.specs, "\t},\n")
	}
	g.seeFuncs()

	var out bytes.Buffer
	out.WriteString("// Code generated by internal/fastgen (go generate ./...) from schema.graphqls and gqlgen.yml. DO NOT EDIT.\n\n")
	out.WriteString("package " + g.d.Config.Exec.Package + "\n\n")
	body := g.tables()
	out.WriteString("import (\n")
	paths := make([]string, 0, len(g.imports))
	for p := range g.imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if n := g.imports[p]; n != p[strings.LastIndex(p, "/")+1:] {
			fmt.Fprintf(&out, "\t%s %q\n", n, p)
		} else {
			fmt.Fprintf(&out, "\t%q\n", p)
		}
	}
	out.WriteString(")\n\n")
	out.Write(body)
	out.Write(g.funcs.Bytes())
	src, err := format.Source(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("fastgen: the generated code does not parse: %w\n%s", err, out.Bytes())
	}
	return src, nil
}

// tables writes the package-level tables.
func (g *gen) tables() []byte {
	var b bytes.Buffer
	g.use("context", "context")
	b.WriteString("// fastTypes are the plans of the fields of each object type: how the fast\n// path reads and writes each (fast.go).\n")
	b.WriteString("var fastTypes map[string]map[string]*fastSpec\n\n")
	b.WriteString("func init() {\n\tfastTypes = map[string]map[string]*fastSpec{\n")
	b.Write(g.specs.Bytes())
	b.WriteString("\t}\n}\n\n")

	b.WriteString("// fastSatisfies are the types a selection on each object type\n// satisfies: itself and its interfaces (for fragments on them).\n")
	b.WriteString("var fastSatisfies = map[string][]string{\n")
	names := slices.Sorted(maps.Keys(g.objects))
	for _, n := range names {
		o := g.objects[n]
		if strings.HasPrefix(n, "__") {
			continue
		}
		sat := []string{n}
		for _, i := range o.Implements {
			sat = append(sat, i.Name)
		}
		fmt.Fprintf(&b, "\t%q: %#v,\n", n, sat)
	}
	b.WriteString("}\n\n")

	b.WriteString("// fastPossibleTypes are the object types of each interface.\n")
	b.WriteString("var fastPossibleTypes = map[string][]string{\n")
	for _, n := range slices.Sorted(maps.Keys(g.d.Interfaces)) {
		fmt.Fprintf(&b, "\t%q: %#v,\n", n, implementorNames(g.d.Interfaces[n]))
	}
	b.WriteString("}\n\n")

	b.WriteString("// fastExcused are the fields the schema leaves to gqlgen's executor\n// (@gqlgenOnly), with its reason.\n")
	b.WriteString("var fastExcused = map[string]string{\n")
	for _, k := range slices.Sorted(maps.Keys(g.excused)) {
		fmt.Fprintf(&b, "\t%q: %q,\n", k, g.excused[k])
	}
	b.WriteString("}\n\n")

	b.WriteString("// fastUnplanned are the fields the generator could not plan, with why:\n// TestEveryFieldPlanned fails for each.\n")
	b.WriteString("var fastUnplanned = map[string]string{\n")
	for _, k := range slices.Sorted(maps.Keys(g.unplanned)) {
		fmt.Fprintf(&b, "\t%q: %q,\n", k, g.unplanned[k])
	}
	b.WriteString("}\n\n")

	l := g.use(loaderPath, "loader")
	b.WriteString("// fastSeeAny announces the loader keys of a value a resolver returned\n// (gqlgen's executor calls it through the field middleware; plans call\n// the functions it calls directly).\n")
	fmt.Fprintf(&b, "func fastSeeAny(l *%s.Loaders, v any) {\n\tswitch v := v.(type) {\n", l)
	for _, t := range slices.Sorted(maps.Keys(g.seeAny)) {
		fmt.Fprintf(&b, "\tcase %s:\n\t\t%s\n", t, g.seeAny[t])
	}
	b.WriteString("\t}\n}\n\n")
	return b.Bytes()
}

func implementorNames(i *codegen.Interface) []string {
	var out []string
	for _, im := range i.Implementors {
		if !slices.Contains(out, im.Name) {
			out = append(out, im.Name)
		}
	}
	sort.Strings(out)
	return out
}

// field writes the spec and the writer of field f of object o, or tells
// why it cannot.
func (g *gen) field(o *codegen.Object, f *codegen.Field) error {
	ref := f.TypeReference
	if ref == nil || ref.Definition == nil {
		return fmt.Errorf("no type")
	}
	for _, d := range f.Directives {
		if d.SkipRuntime || d.Name == "auth" {
			continue
		}
		return fmt.Errorf("directive @%s runs at run time, and a plan does not run it", d.Name)
	}
	if f.IsMap() || f.VOkFunc || f.Stream || f.IsBatch() {
		return fmt.Errorf("a map, (value, ok) method, stream or batch field")
	}

	var spec []string
	name := "fast_" + o.Name + "_" + f.Name
	named := ref.Definition
	switch named.Kind {
	case ast.Object:
		if ref.IsMarshaler {
			spec = append(spec, "self: true", fmt.Sprintf("typ: %q", named.Name))
		} else {
			spec = append(spec, fmt.Sprintf("typ: %q", named.Name))
		}
	case ast.Interface, ast.Union:
		spec = append(spec, "abstract: true", fmt.Sprintf("typ: %q", named.Name))
	}
	if len(f.Args) > 0 {
		spec = append(spec, "args: (*executionContext)."+f.ArgsFunc())
	}
	if d := f.FieldDefinition.Directives.ForName("auth"); d != nil {
		a := d.Arguments.ForName("requires")
		if a == nil || a.Value == nil {
			return fmt.Errorf("@auth without requires")
		}
		spec = append(spec, fmt.Sprintf("auth: %q", a.Value.Raw))
		if ref.GQL.NonNull {
			spec = append(spec, "nonNull: true")
		}
	}
	if sqlite.Projected(o.Name) {
		var names []string
		if d := f.FieldDefinition.Directives.ForName("columns"); d != nil {
			names = []string{}
			if a := d.Arguments.ForName("names"); a != nil && a.Value != nil {
				for _, c := range a.Value.Children {
					names = append(names, c.Value.Raw)
				}
			}
		}
		if _, err := sqlite.ColumnsNamed(o.Name, names); err != nil {
			return fmt.Errorf("@columns: %w", err)
		}
		if names == nil {
			spec = append(spec, fmt.Sprintf("cols: fastColumns(%q, nil)", o.Name))
		} else {
			spec = append(spec, fmt.Sprintf("cols: fastColumns(%q, %#v)", o.Name, names))
		}
	} else if d := f.FieldDefinition.Directives.ForName("columns"); d != nil {
		// A field of another type that reads records through the
		// request's loaders names their columns with their type:
		// "Startup.incubator".
		var names []string
		if a := d.Arguments.ForName("names"); a != nil && a.Value != nil {
			for _, c := range a.Value.Children {
				typ, col, ok := strings.Cut(c.Value.Raw, ".")
				if !ok || !sqlite.Projected(typ) {
					return fmt.Errorf("@columns on %s.%s: %q is not Type.column of a projected type", o.Name, f.Name, c.Value.Raw)
				}
				if _, err := sqlite.ColumnsNamed(typ, []string{col}); err != nil {
					return fmt.Errorf("@columns: %w", err)
				}
				names = append(names, c.Value.Raw)
			}
		}
		spec = append(spec, fmt.Sprintf("cols: fastColumnsOf(%#v)", names))
	}

	// A field of a type that writes itself is planned for its columns
	// and access only: the type's writer writes it.
	if g.selfWriting(o) {
		fmt.Fprintf(&g.specs, "\t\t%q: {%s},\n", f.Name, strings.Join(spec, ", "))
		return nil
	}

	var body bytes.Buffer
	w := &writer{g: g, b: &body}
	if err := w.fieldBody(o, f); err != nil {
		return err
	}
	spec = append(spec, "write: "+name)
	resolve := "fastResolve_" + o.Name + "_" + f.Name
	if w.resolve != "" {
		spec = append(spec, "resolve: "+resolve)
	}
	fmt.Fprintf(&g.specs, "\t\t%q: {%s},\n", f.Name, strings.Join(spec, ", "))
	g.printf("\n// %s answers %s.%s.\n", name, o.Name, f.Name)
	g.printf("func %s(x *fastExec, ctx context.Context, f *fastField, o any) {\n", name)
	g.funcs.Write(body.Bytes())
	g.printf("}\n")
	if w.resolve != "" {
		g.printf("\n// %s calls the resolver of %s.%s, under its field's context.\n", resolve, o.Name, f.Name)
		g.printf("func %s(x *fastExec, ctx context.Context, f *fastField, o any) (any, error) {\n", resolve)
		if !o.Root {
			g.printf("obj := o.(*%s)\n", g.typ(o.Type))
		}
		if len(f.Args) > 0 {
			g.printf("a := x.args(f)\n")
		}
		g.printf("%s}\n", w.resolve)
	}
	return nil
}

// selfWriting reports whether the values of object o write themselves
// (their Go type marshals itself, like model.PhasePeriod): gqlgen hands
// the value to its marshaler instead of running its fields.
func (g *gen) selfWriting(o *codegen.Object) bool {
	for _, r := range g.d.ReferencedTypes {
		if r.Definition != nil && r.Definition.Name == o.Name && r.Definition.Kind == ast.Object && r.IsMarshaler {
			return true
		}
	}
	return false
}

// appendsJSON reports whether t (or *t) has AppendJSON(b []byte, fields
// []graphql.CollectedField) []byte.
func appendsJSON(t types.Type) bool {
	return hasMethod(t, "AppendJSON", 2)
}

// appendsScalar reports whether t has AppendJSON(b []byte) []byte.
func appendsScalar(t types.Type) bool { return hasMethod(t, "AppendJSON", 1) }

func hasMethod(t types.Type, name string, params int) bool {
	for _, tt := range []types.Type{t, types.NewPointer(t)} {
		ms := types.NewMethodSet(tt)
		for i := range ms.Len() {
			m := ms.At(i)
			if m.Obj().Name() != name {
				continue
			}
			sig := m.Type().(*types.Signature)
			if sig.Params().Len() == params && sig.Results().Len() == 1 {
				return true
			}
		}
	}
	return false
}
