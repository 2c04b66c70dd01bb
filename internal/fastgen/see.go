package fastgen

import (
	"fmt"
	"go/types"
	"slices"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/vektah/gqlparser/v2/ast"
)

// Announcing loader keys. A request's loaders (internal/loader) fetch, at
// the first lookup, every key announced so far: the keys of a list must be
// announced before its first element is written, or each element costs a
// statement. The plans announce the values a resolver returns, the moment
// it returns them, by the type of the value:
//
//   - an object whose type has a See method on the loaders (SeeStartups
//     for Startup) is announced to it;
//   - an object with a resolver field that looks up an object by a slug it
//     holds (Committee.startup, by StartupSlug) announces the slug to the
//     loader of that type (RegisterStartup);
//   - an object announces the objects its plain fields hold (a
//     connection's nodes and edges, a payload's object).
//
// Resolvers announce nothing: a list a resolver returns is announced by
// the plan (or, on gqlgen's executor, by the field middleware the fast
// path puts in front of it), whatever the resolver.

// slugLink is a resolver field of an object that looks up an object by a
// slug the object holds.
type slugLink struct {
	field    string // the Go field holding the slug
	register string // the loaders' method announcing it
}

// registrable returns the loaders' See method for the values of object o,
// or "".
func (g *gen) registrable(o *codegen.Object) string {
	name := "See" + o.Name + "s"
	m := g.method(name)
	if m == nil {
		return ""
	}
	sig := m.Type().(*types.Signature)
	if !sig.Variadic() || sig.Params().Len() != 1 {
		return ""
	}
	// The loaders' package is loaded apart from gqlgen's: the types are
	// compared by their full names.
	want := types.NewSlice(types.NewPointer(o.Type))
	if types.TypeString(sig.Params().At(0).Type(), nil) != types.TypeString(want, nil) {
		return ""
	}
	return name
}

func (g *gen) method(name string) *types.Func {
	obj, _, _ := types.LookupFieldOrMethod(types.NewPointer(g.loaders), false, g.loaders.Obj().Pkg(), name)
	m, _ := obj.(*types.Func)
	return m
}

// slugLinks returns the slug lookups of o's resolver fields.
func (g *gen) slugLinks(o *codegen.Object) []slugLink {
	if o.Type == nil {
		return nil
	}
	var out []slugLink
	for _, f := range o.Fields {
		ref := f.TypeReference
		if !f.IsResolver || ref == nil || ref.GQL.Elem != nil || ref.Definition.Kind != ast.Object {
			continue
		}
		v, _, _ := types.LookupFieldOrMethod(o.Type, true, nil, f.GoFieldName+"Slug")
		fv, ok := v.(*types.Var)
		if !ok || !fv.IsField() {
			continue
		}
		if b, ok := fv.Type().Underlying().(*types.Basic); !ok || b.Kind() != types.String {
			continue
		}
		reg := "Register" + ref.Definition.Name
		m := g.method(reg)
		if m == nil || !m.Type().(*types.Signature).Variadic() {
			continue
		}
		out = append(out, slugLink{field: f.GoFieldName + "Slug", register: reg})
	}
	return out
}

// held returns o's plain fields whose values are objects (or lists of
// them) of a type that announces something.
func (g *gen) held(o *codegen.Object) []*codegen.Field {
	var out []*codegen.Field
	for _, f := range o.Fields {
		ref := f.TypeReference
		if f.IsResolver || !f.IsVariable() || f.GoReceiverName != "obj" || ref == nil || ref.IsMarshaler {
			continue
		}
		if g.needsSee[ref.Definition.Name] {
			out = append(out, f)
		}
	}
	return out
}

// findSeen finds the types whose values announce keys, to a fixed point.
func (g *gen) findSeen() {
	for changed := true; changed; {
		changed = false
		for name, o := range g.objects {
			if g.needsSee[name] || strings.HasPrefix(name, "__") || o.Type == nil {
				continue
			}
			if g.registrable(o) != "" || len(g.slugLinks(o)) > 0 || len(g.held(o)) > 0 {
				g.needsSee[name], changed = true, true
			}
		}
		for name, i := range g.d.Interfaces {
			if g.needsSee[name] {
				continue
			}
			for _, im := range i.Implementors {
				if g.needsSee[im.Name] {
					g.needsSee[name], changed = true, true
					break
				}
			}
		}
	}
}

// seeCode returns the statement announcing expr, a value of ref, to the
// loaders l; "" when it announces nothing.
func (g *gen) seeCode(l, expr string, ref *config.TypeReference) string {
	code := g.seeOf(l, expr, ref.GO, ref.Definition)
	if code != "" {
		g.seeAny[g.typ(ref.GO)] = g.seeOf("l", "v", ref.GO, ref.Definition)
	}
	return code
}

func (g *gen) seeOf(l, expr string, t types.Type, def *ast.Definition) string {
	if def == nil || !g.needsSee[def.Name] {
		return ""
	}
	switch def.Kind {
	case ast.Object:
		switch tt := t.(type) {
		case *types.Pointer:
			if _, ok := tt.Elem().Underlying().(*types.Struct); ok {
				return fmt.Sprintf("fastSee_%s(%s, %s)", def.Name, l, expr)
			}
		case *types.Slice:
			switch e := tt.Elem().(type) {
			case *types.Pointer:
				if _, ok := e.Elem().Underlying().(*types.Struct); ok {
					return fmt.Sprintf("fastSeeList_%s(%s, %s)", def.Name, l, expr)
				}
			default:
				if _, ok := e.Underlying().(*types.Struct); ok {
					return fmt.Sprintf("for i := range %s {\n\tfastSee_%s(%s, &%s[i])\n}", expr, def.Name, l, expr)
				}
			}
		default:
			if _, ok := t.Underlying().(*types.Struct); ok {
				return fmt.Sprintf("fastSee_%s(%s, &%s)", def.Name, l, expr)
			}
		}
	case ast.Interface:
		if _, ok := t.(*types.Slice); ok {
			return fmt.Sprintf("for _, e := range %s {\n\tfastSee_%s(%s, e)\n}", expr, def.Name, l)
		}
		return fmt.Sprintf("fastSee_%s(%s, %s)", def.Name, l, expr)
	}
	return ""
}

// seeFuncs writes the announcing functions of every type that needs one.
func (g *gen) seeFuncs() {
	l := g.use(loaderPath, "loader")
	names := make([]string, 0, len(g.needsSee))
	for n := range g.needsSee {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		if i := g.d.Interfaces[name]; i != nil {
			g.printf("\n// fastSee_%s announces the loader keys of a %s.\n", name, name)
			g.printf("func fastSee_%s(l *%s.Loaders, v %s) {\n\tswitch v := v.(type) {\n", name, l, g.typ(i.Type))
			var seen []string
			for _, im := range i.Implementors {
				if !g.needsSee[im.Name] || slices.Contains(seen, g.typ(im.Type)) {
					continue
				}
				seen = append(seen, g.typ(im.Type))
				if im.TakeRef {
					g.printf("\tcase %s:\n\t\tfastSee_%s(l, &v)\n", g.typ(im.Type), im.Name)
				} else {
					g.printf("\tcase %s:\n\t\tfastSee_%s(l, v)\n", g.typ(im.Type), im.Name)
				}
			}
			g.printf("\t}\n}\n")
			continue
		}
		o := g.objects[name]
		goType := g.typ(o.Type)
		reg := g.registrable(o)
		var each []string
		for _, s := range g.slugLinks(o) {
			each = append(each, fmt.Sprintf("if obj.%s != \"\" {\n\tl.%s(obj.%s)\n}", s.field, s.register, s.field))
		}
		for _, f := range g.held(o) {
			each = append(each, g.seeOf("l", "obj."+f.GoFieldName, f.TypeReference.GO, f.TypeReference.Definition))
		}
		g.printf("\n// fastSee_%s announces the loader keys of a %s.\n", name, name)
		g.printf("func fastSee_%s(l *%s.Loaders, obj *%s) {\n\tif obj == nil {\n\t\treturn\n\t}\n", name, l, goType)
		if reg != "" {
			// Most single objects were announced with the list they came
			// in, and the loaders' See announced what they link to.
			g.printf("\tif l.Announced(obj) {\n\t\treturn\n\t}\n\tl.%s(obj)\n", reg)
		}
		for _, e := range each {
			g.printf("%s\n", e)
		}
		g.printf("}\n")
		g.printf("\n// fastSeeList_%s announces the loader keys of a list of %s.\n", name, name)
		g.printf("func fastSeeList_%s(l *%s.Loaders, v []*%s) {\n", name, l, goType)
		if reg != "" {
			g.printf("\tl.%s(v...)\n", reg)
		}
		// The slugs of a list, announced at once.
		for i, s := range g.slugLinks(o) {
			g.printf("\tslugs%d := make([]string, 0, len(v))\n", i)
			g.printf("\tfor _, obj := range v {\n\t\tif obj != nil && obj.%s != \"\" {\n\t\t\tslugs%d = append(slugs%d, obj.%s)\n\t\t}\n\t}\n", s.field, i, i, s.field)
			g.printf("\tl.%s(slugs%d...)\n", s.register, i)
		}
		if held := g.held(o); len(held) > 0 {
			g.printf("\tfor _, obj := range v {\n\t\tif obj == nil {\n\t\t\tcontinue\n\t\t}\n")
			for _, f := range held {
				g.printf("%s\n", g.seeOf("l", "obj."+f.GoFieldName, f.TypeReference.GO, f.TypeReference.Definition))
			}
			g.printf("\t}\n")
		}
		g.printf("}\n")
	}
}
