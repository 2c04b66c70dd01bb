package graph_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestEveryListIsCosted checks that every list field of the schema has an
// entry in the cost model (graph.Complexity): without one a list costs one
// whatever its length, and the cost no longer bounds the answer. The
// edges and nodes of a connection are costed by the connection.
func TestEveryListIsCosted(t *testing.T) {
	root := reflect.ValueOf(graph.Complexity(func() portfolio.ListBounds { return portfolio.ListBounds{} }))
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	checked := 0
	for name, typ := range schema.Types {
		if strings.HasPrefix(name, "__") || strings.HasSuffix(name, "Connection") || typ.Fields == nil || typ.Kind != "OBJECT" {
			continue
		}
		for _, f := range typ.Fields {
			if f.Type.Elem == nil || strings.HasPrefix(f.Name, "__") {
				continue
			}
			checked++
			byType := root.FieldByName(name)
			if !byType.IsValid() {
				t.Errorf("%s.%s: no complexity entries for %s", name, f.Name, name)
				continue
			}
			fn := byType.FieldByName(strings.ToUpper(f.Name[:1]) + f.Name[1:])
			if !fn.IsValid() || fn.IsNil() {
				t.Errorf("%s.%s is a list without a cost (add it to graph.Complexity)", name, f.Name)
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d list fields checked", checked)
	}
}
