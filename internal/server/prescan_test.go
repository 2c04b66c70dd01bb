package server

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// prescan counts, in each definition's own text, the fields (an alias and
// its field once; not directives, fragment spreads, type conditions, nor
// what arguments hold) and the nesting of selection sets (not input
// objects). Whatever it refuses, the guard that parses and expands the
// document refuses too: it never refuses a document the limits allow.
func TestPrescan(t *testing.T) {
	const maxFields, maxDepth = 5, 3
	for _, tt := range []struct {
		name    string
		doc     string
		refused bool
	}{
		{"five fields", `{ a b c d e }`, false},
		{"six fields", `{ a b c d e f }`, true},
		{"aliases count once", `{ x: a y: b z: c u: d v: e }`, false},
		{"six aliases", `{ x: a y: b z: c u: d v: e w: f }`, true},
		{"directives and arguments are not fields", `{ a(x: 1, y: {p: 1, q: {r: 2}}) @include(if: true) b @skip(if: false) c(o: [{a: 1}, {b: 2}]) }`, false},
		{"spreads and inline fragments are not fields", `query { a ...F ... on Query { b } ... @include(if: true) { c } } fragment F on Query { d }`, false},
		{"a type condition named like a field", `{ a ... on on { b } }`, false},
		{"strings and comments hold no fields", "{ a(s: \"{ b c d e f g }\", t: \"\"\"{ h i j k l m }\"\"\") # { n o p q r s }\n b }", false},
		{"each definition is measured alone", `query A { a b c } query B { d e f } fragment F on Query { g h i }`, false},
		{"an operation past the limit", `query A { a } query B { a b c d e f }`, true},
		{"a fragment past the limit", `{ ...F } fragment F on Query { a b c d e f }`, true},
		{"nested three deep", `{ a { b { c } } }`, false},
		{"nested four deep", `{ a { b { c { d } } } }`, true},
		{"input objects do not nest", `{ a(x: {y: {z: {w: 1}}}) { b { c } } }`, false},
		{"variables' defaults are not selections", `query($v: In = {a: {b: {c: {d: 1}}}}) { a b }`, false},
		{"what does not lex is the parser's", `{ a b c d e f ~ }`, true},
		{"an unterminated string", `{ a "b c d e f g h`, false},
	} {
		err := prescan(tt.doc, maxFields, maxDepth)
		if (err != nil) != tt.refused {
			t.Errorf("%s: prescan %v, want refused %v", tt.name, err, tt.refused)
		}
		if err == nil {
			continue
		}
		// The parsing guard must refuse it too (or the parser).
		g := &documentGuard{limits: Limits{MaxFields: maxFields, MaxDepth: maxDepth}}
		doc, perr := parser.ParseQuery(&ast.Source{Input: tt.doc})
		if perr == nil && g.checkDocument(doc) == nil {
			t.Errorf("%s: prescan refused what the guard allows: %v", tt.name, err)
		}
	}
	if err := prescan(strings.Repeat("{ a ", 100)+strings.Repeat("} ", 100), -1, -1); err != nil {
		t.Errorf("limits off: %v", err)
	}
}
