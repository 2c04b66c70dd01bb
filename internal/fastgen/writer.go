package fastgen

import (
	"bytes"
	"fmt"
	"go/types"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/vektah/gqlparser/v2/ast"
)

// graphqlPath is gqlgen's runtime package, whose marshalers of the
// built-in scalars the writers replace by the fast path's own (fast.go).
const graphqlPath = "github.com/99designs/gqlgen/graphql"

// writer writes the body of one field's writer.
type writer struct {
	g    *gen
	b    *bytes.Buffer
	vars int // names of loop variables
	// resolve is the call of the field's resolver, for the field's
	// resolve function; empty for a field without a resolver.
	resolve string
}

func (w *writer) printf(format string, args ...any) { fmt.Fprintf(w.b, format, args...) }

func (w *writer) fresh(prefix string) string {
	w.vars++
	return fmt.Sprintf("%s%d", prefix, w.vars)
}

func ucFirst(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// fieldBody writes how the value of f is read, announced and written.
func (w *writer) fieldBody(o *codegen.Object, f *codegen.Field) error {
	g := w.g
	if f.GoReceiverName != "obj" && !f.IsResolver {
		return fmt.Errorf("bound to %s, not to the object", f.GoReceiverName)
	}
	if !o.Root {
		w.printf("obj := o.(*%s)\n", g.typ(o.Type))
	}
	var args []string
	if len(f.Args) > 0 {
		w.printf("a := x.args(f)\n")
		for _, a := range f.Args {
			args = append(args, fmt.Sprintf("a[%q].(%s)", a.Name, g.typ(a.TypeReference.GO)))
		}
	}
	ref := f.TypeReference
	resolved := false
	switch {
	case f.IsResolver:
		call := []string{"ctx"}
		if !o.Root {
			call = append(call, "obj")
		}
		call = append(call, args...)
		// The plan may have called it already, with the object's other
		// resolvers (fast.go, resolveEarly): its result is taken then.
		typ := g.typ(ref.GO)
		w.printf("ctx = x.fieldContext(ctx, f)\n")
		w.printf("var v %s\nvar err error\nif e := x.early(f); e != nil {\n\tv, _ = e.v.(%s)\n\terr = e.err\n} else {\n", typ, typ)
		w.printf("\tv, err = x.r.%s().%s(%s)\n}\nif err != nil {\n\tx.fail(err)\n}\n", ucFirst(o.Name), f.GoFieldName, strings.Join(call, ", "))
		w.resolve = fmt.Sprintf("return x.r.%s().%s(%s)\n", ucFirst(o.Name), f.GoFieldName, strings.Join(call, ", "))
		resolved = true
	case f.IsMethod() && f.MethodHasContext:
		call := "obj." + f.GoFieldName + "(" + strings.Join(append([]string{"ctx"}, args...), ", ") + ")"
		w.printf("ctx = x.fieldContext(ctx, f)\n")
		if f.NoErr {
			w.printf("v := %s\n", call)
		} else {
			w.printf("v, err := %s\nif err != nil {\n\tx.fail(err)\n}\n", call)
		}
		resolved = true
	case f.IsMethod():
		call := "obj." + f.GoFieldName + "(" + strings.Join(args, ", ") + ")"
		if f.NoErr {
			w.printf("v := %s\n", call)
		} else {
			w.printf("v, err := %s\nif err != nil {\n\tdecline()\n}\n", call)
		}
	case f.IsVariable():
		w.printf("v := obj.%s\n", f.GoFieldName)
	default:
		return fmt.Errorf("bound to neither a resolver, a method nor a field")
	}
	if resolved {
		if see := g.seeCode("x.l", "v", ref); see != "" {
			w.printf("%s\n", see)
		}
	}
	switch ref.Definition.Kind {
	case ast.Object, ast.Interface, ast.Union:
		if !resolved && !ref.IsMarshaler {
			// Its fields' resolvers find it as their parent, as in
			// gqlgen's executor.
			w.printf("ctx = x.fieldContext(ctx, f)\n")
		}
	}
	return w.value("v", ref)
}

// nullOr writes null where the schema allows it, else declines (gqlgen
// reports the null and nulls the parent).
func nullOr(ref *config.TypeReference) string {
	if ref.GQL.NonNull {
		return "decline()"
	}
	return "x.null()"
}

// value writes how expr, of type ref, is written.
func (w *writer) value(expr string, ref *config.TypeReference) error {
	g := w.g
	kind := ref.Definition.Kind
	if ptr, ok := ref.GO.(*types.Pointer); ok {
		_, toStruct := ptr.Elem().Underlying().(*types.Struct)
		object := (kind == ast.Object) && toStruct
		if !object || ref.GQL.Elem != nil {
			e := w.fresh("p")
			w.printf("if %s == nil {\n\t%s\n} else {\n%s := *%s\n", expr, nullOr(ref), e, expr)
			if err := w.value(e, ref.Elem()); err != nil {
				return err
			}
			w.printf("}\n")
			return nil
		}
	}
	if ref.GQL.Elem != nil {
		if _, ok := ref.GO.(*types.Slice); !ok {
			return fmt.Errorf("a list bound to %s", ref.GO)
		}
		elem := ref.Elem()
		if !ref.GQL.NonNull {
			w.printf("if %s == nil {\n\tx.null()\n} else {\n", expr)
		}
		i, e := w.fresh("i"), w.fresh("e")
		w.printf("x.b = append(x.b, '[')\nfor %s, %s := range %s {\nif %s > 0 {\n\tx.b = append(x.b, ',')\n}\n", i, e, expr, i)
		objects := false
		switch elem.Definition.Kind {
		case ast.Object, ast.Interface, ast.Union:
			objects = !elem.IsMarshaler
			w.printf("x.tick(ctx)\n")
		}
		if objects {
			w.printf("x.pushIndex(%s)\n", i)
		}
		if err := w.value(e, elem); err != nil {
			return err
		}
		if objects {
			w.printf("x.pop()\n")
		}
		w.printf("}\nx.b = append(x.b, ']')\n")
		if !ref.GQL.NonNull {
			w.printf("}\n")
		}
		return nil
	}
	switch kind {
	case ast.Object:
		return w.object(expr, ref)
	case ast.Interface, ast.Union:
		fn := g.concrete(ref.Definition.Name)
		t, c := w.fresh("t"), w.fresh("c")
		w.printf("if %s, %s := %s(%s); %s == nil {\n\t%s\n} else {\n\tx.object(ctx, f.subs[%s], %s)\n}\n", t, c, fn, expr, c, nullOr(ref), t, c)
		return nil
	case ast.Scalar, ast.Enum:
		return w.scalar(expr, ref)
	}
	return fmt.Errorf("a value of kind %s", kind)
}

// object writes an object value: a pointer (nil is null) or a struct.
func (w *writer) object(expr string, ref *config.TypeReference) error {
	if ref.IsMarshaler {
		t := ref.GO
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
			w.printf("if %s == nil {\n\t%s\n} else {\n", expr, nullOr(ref))
			defer w.printf("}\n")
		}
		if appendsJSON(t) {
			w.printf("x.b = %s.AppendJSON(x.b, f.fields)\n", expr)
		} else if ref.IsContext {
			w.printf("x.marshalSelf(ctx, f, %s)\n", expr)
		} else {
			return fmt.Errorf("%s writes itself, but neither by AppendJSON nor by MarshalGQLContext", ref.GO)
		}
		return nil
	}
	if _, ok := ref.GO.(*types.Pointer); ok {
		w.printf("if %s == nil {\n\t%s\n} else {\n\tx.object(ctx, f.sub, %s)\n}\n", expr, nullOr(ref), expr)
		return nil
	}
	if _, ok := ref.GO.Underlying().(*types.Struct); ok {
		e := w.fresh("s")
		w.printf("%s := %s\nx.object(ctx, f.sub, &%s)\n", e, expr, e)
		return nil
	}
	return fmt.Errorf("an object bound to %s", ref.GO)
}

// scalar writes a scalar or enum value as gqlgen's marshaler writes it.
func (w *writer) scalar(expr string, ref *config.TypeReference) error {
	g := w.g
	if appendsScalar(ref.GO) {
		w.printf("x.b = %s.AppendJSON(x.b)\n", expr)
		return nil
	}
	if m := ref.Marshaler; m != nil {
		arg := expr
		if ref.CastType != nil {
			arg = g.typ(ref.CastType) + "(" + expr + ")"
		}
		if m.Pkg() != nil && m.Pkg().Path() == graphqlPath && ref.CastType == nil {
			switch m.Name() {
			case "MarshalString", "MarshalID":
				w.printf("x.str(string(%s))\n", expr)
				return nil
			case "MarshalInt", "MarshalInt64", "MarshalInt32":
				w.printf("x.int(int64(%s))\n", expr)
				return nil
			case "MarshalBoolean":
				w.printf("x.bool(bool(%s))\n", expr)
				return nil
			}
		}
		fn := g.q(m.Pkg()) + "." + m.Name()
		if ref.IsContext {
			w.printf("if err := %s(%s).MarshalGQLContext(ctx, x); err != nil {\n\tdecline()\n}\n", fn, arg)
		} else {
			w.printf("%s(%s).MarshalGQL(x)\n", fn, arg)
		}
		return nil
	}
	if ref.IsMarshaler {
		if ref.IsContext {
			w.printf("if err := %s.MarshalGQLContext(ctx, x); err != nil {\n\tdecline()\n}\n", expr)
		} else {
			w.printf("%s.MarshalGQL(x)\n", expr)
		}
		return nil
	}
	return fmt.Errorf("no marshaler for %s", ref.GO)
}

// concrete returns the function that tells the object type of a value of
// interface or union name, writing it once.
func (g *gen) concrete(name string) string {
	fn := "fastConcrete_" + name
	if g.written[fn] {
		return fn
	}
	g.written[fn] = true
	i := g.d.Interfaces[name]
	g.printf("\n// %s tells the object type of a %s and the object.\n", fn, name)
	g.printf("func %s(v %s) (string, any) {\n\tswitch v := v.(type) {\n", fn, g.typ(i.Type))
	for _, im := range i.Implementors {
		if im.TakeRef {
			g.printf("\tcase %s:\n\t\treturn %q, &v\n", g.typ(im.Type), im.Name)
		} else {
			g.printf("\tcase %s:\n\t\tif v == nil {\n\t\t\treturn \"\", nil\n\t\t}\n\t\treturn %q, v\n", g.typ(im.Type), im.Name)
		}
	}
	g.printf("\t}\n\treturn \"\", nil\n}\n")
	return fn
}
