package portfolio_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestCodesListsEveryCode reads the error codes declared in errors.go
// (the constants named E…) and checks that Codes lists each once: the
// tables of the entrances (statuses, exit codes) are checked against
// Codes, so a code missing from it would go unchecked.
func TestCodesListsEveryCode(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "errors.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var declared []string
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, name := range v.Names {
				if !strings.HasPrefix(name.Name, "E") || i >= len(v.Values) {
					continue
				}
				if lit, ok := v.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
					code, _ := strconv.Unquote(lit.Value)
					declared = append(declared, code)
				}
			}
		}
	}
	if len(declared) < 10 {
		t.Fatalf("found %d codes in errors.go: %v", len(declared), declared)
	}
	codes := portfolio.Codes()
	slices.Sort(declared)
	sorted := slices.Sorted(slices.Values(codes))
	if !slices.Equal(declared, sorted) {
		t.Errorf("Codes() = %v, errors.go declares %v", sorted, declared)
	}
	if len(slices.Compact(sorted)) != len(codes) {
		t.Errorf("Codes() lists a code twice: %v", codes)
	}
}
