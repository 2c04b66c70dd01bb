package graph_test

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/graph"
)

// TestEveryFieldPlanned fails for a field of the schema's object types
// that has no plan of the fast path and no reason (@gqlgenOnly) to be
// left to gqlgen's executor: go generate ./... plans every field it can;
// the generator says why it could not plan the others.
func TestEveryFieldPlanned(t *testing.T) {
	planned, excused, unplanned := graph.FastFields()
	has := map[string]bool{}
	for _, f := range planned {
		has[f] = true
	}
	schema := graph.Schema()
	n := 0
	for _, def := range schema.Types {
		if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			key := def.Name + "." + f.Name
			n++
			switch {
			case has[key] && excused[key] != "":
				t.Errorf("%s is planned and excused", key)
			case has[key]:
			case excused[key] != "":
			case unplanned[key] != "":
				t.Errorf("%s has no plan: %s; make it plannable, or say why gqlgen's executor alone answers it (@gqlgenOnly(reason: …))", key, unplanned[key])
			default:
				t.Errorf("%s has no plan and no reason: run go generate ./...", key)
			}
		}
	}
	for _, f := range planned {
		typ, name, _ := strings.Cut(f, ".")
		if d := schema.Types[typ]; d == nil || d.Fields.ForName(name) == nil {
			t.Errorf("%s is planned but not in the schema: run go generate ./...", f)
		}
	}
	if len(planned) < n/2 {
		t.Errorf("%d fields planned of %d", len(planned), n)
	}
	for k, why := range excused {
		if strings.TrimSpace(why) == "" {
			t.Errorf("%s is excused without a reason", k)
		}
	}
	t.Logf("%d fields: %d planned, %d left to gqlgen's executor", n, len(planned), len(excused))
}
