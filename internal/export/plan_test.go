package export_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/export"
)

func TestPlanFindsTheListAndItsColumns(t *testing.T) {
	tests := []struct {
		name    string
		req     export.Request
		list    string
		columns []string
		paged   bool     // the query gets the paging variables
		absent  []string // left out of the rewritten query
	}{
		{
			name:    "first list, depth first",
			req:     export.Request{Query: `{ viewer { role } incubator(slug: "x") { t: title startups { totalCount nodes { name incubator { title } } } } }`},
			list:    "startups",
			columns: []string{"name", "incubator.title"},
			paged:   true,
			absent:  []string{"viewer", "t: title"},
		},
		{
			name:    "path picks another list",
			req:     export.Request{Query: `{ incubators { nodes { slug } } s: startups { nodes { name } } }`, Path: "s"},
			list:    "startups",
			columns: []string{"name"},
			paged:   true,
			absent:  []string{"incubators"},
		},
		{
			name:    "path may name the nodes",
			req:     export.Request{Query: `{ startups { edges { node { slug } } } }`, Path: "startups.edges.node"},
			list:    "startups",
			columns: []string{"slug"},
			paged:   true,
		},
		{
			name: "fragments, aliases, merged fields, in selection order",
			req: export.Request{Query: `query { startups { nodes { ...F n: name slug incubator { slug } } } }
				fragment F on Startup { slug incubator { title } }`},
			list:    "startups",
			columns: []string{"slug", "incubator.title", "incubator.slug", "n"},
			paged:   true,
			absent:  []string{"fragment"},
		},
		{
			name:    "interfaces: the union of the fragments' fields",
			req:     export.Request{Query: `{ nodes(ids: ["a"]) { id ... on Startup { name } ... on Member { fullname name: slug } } }`},
			list:    "nodes",
			columns: []string{"id", "name", "fullname"},
		},
		{
			name:    "a list of objects that is no connection",
			req:     export.Request{Query: `{ portfolio { startupCount byPhase { phase count } } }`},
			list:    "byPhase",
			columns: []string{"phase", "count"},
			absent:  []string{"startupCount"},
		},
		{
			name:    "lists of scalars are cells, not rows",
			req:     export.Request{Query: `{ startup(slug: "x") { thematiques committees { date } } }`},
			list:    "committees",
			columns: []string{"date"},
		},
		{
			name:    "read backwards: one run",
			req:     export.Request{Query: `query($c: String) { startups(last: 10, before: $c) { nodes { slug } } }`, Variables: map[string]any{"c": "bzo1MA"}},
			list:    "startups",
			columns: []string{"slug"},
		},
		{
			name: "unused variables and fragments are dropped",
			req: export.Request{Query: `query Q($inc: String!, $asOf: Date, $n: Int) {
				incubator(slug: $inc) { portfolio(asOf: $asOf) { startupCount } startups(first: $n) { nodes { ...S } } } }
				fragment S on Startup { slug }`, Variables: map[string]any{"inc": "x", "n": 5}},
			list:    "startups",
			columns: []string{"slug"},
			paged:   true,
			absent:  []string{"$asOf", "portfolio", "$n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := export.NewPlan(graph.Schema(), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			var cols []string
			for _, c := range p.Columns {
				cols = append(cols, c.Name)
			}
			if p.Name != tt.list || !slices.Equal(cols, tt.columns) {
				t.Errorf("list %s with columns %q, want %s with %q", p.Name, cols, tt.list, tt.columns)
			}
			q := p.Query()
			if paged := strings.Contains(q, "after: $exportAfter") && strings.Contains(q, "hasNextPage"); paged != tt.paged {
				t.Errorf("paged = %v, want %v:\n%s", paged, tt.paged, q)
			}
			for _, a := range tt.absent {
				if strings.Contains(q, a) {
					t.Errorf("%q is still in the query:\n%s", a, q)
				}
			}
		})
	}
}

func TestPlanErrors(t *testing.T) {
	tests := []struct {
		name string
		req  export.Request
		want string
	}{
		{"empty", export.Request{Query: "  "}, "query is missing"},
		{"invalid", export.Request{Query: `{ nope }`}, "the query is invalid"},
		{"no list", export.Request{Query: `{ viewer { role } }`}, "no list to export"},
		{"connection without nodes", export.Request{Query: `{ startups { totalCount } }`}, "no list to export"},
		{"subscription or mutation", export.Request{Query: `mutation { deleteCommittee(input: {id: "x", version: 1}) { clientMutationId } }`}, "only queries"},
		{"path unknown", export.Request{Query: `{ startups { nodes { slug } } }`, Path: "startup"}, `no field "startup"`},
		{"path into a connection", export.Request{Query: `{ startups { totalCount nodes { slug } } }`, Path: "startups.totalCount"}, "startups is a connection, the list to export: end the path there (or at its nodes)"},
		{"path to an object", export.Request{Query: `{ viewer { role } }`, Path: "viewer"}, "viewer is not a list"},
		{"path across a list", export.Request{Query: `{ portfolio { byIncubator { incubator { teams { slug } } } } }`, Path: "portfolio.byIncubator.incubator.teams"}, `crosses the list "portfolio.byIncubator"`},
		{"variables", export.Request{Query: `query($s: String!) { incubator(slug: $s) { teams { slug } } }`}, "variables:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := export.NewPlan(graph.Schema(), tt.req)
			re, ok := export.IsRequestError(err)
			if !ok || re.HTTPStatus() != 400 || !strings.Contains(re.Message, tt.want) {
				t.Errorf("err %v, want a 400 saying %q", err, tt.want)
			}
		})
	}
}

// TestFlatten checks the flattening rules on a hand-made node.
func TestFlatten(t *testing.T) {
	p, err := export.NewPlan(graph.Schema(), export.Request{Query: `{ startups { nodes {
		name thematiques incubator { title owner { acronym } } sponsors { name acronym }
		team { member { slug competences } start } teamSize fast { amountEuros } } } }`})
	if err != nil {
		t.Fatal(err)
	}
	node := `{"name": "Dossier, Facile", "thematiques": ["Logement", "Social"],
		"incubator": {"title": "DINUM", "owner": null},
		"sponsors": [{"name": "DINUM", "acronym": "DINUM"}, {"name": "Agence", "acronym": null}, {"name": "ANCT", "acronym": "ANCT"}],
		"team": [{"member": {"slug": "a", "competences": ["Go", "SQL"]}, "start": "2024-01-01"},
		         {"member": {"slug": "b", "competences": []}, "start": "2025-02-03"},
		         {"member": {"slug": "c", "competences": ["Design"]}, "start": "2025-03-04"}],
		"teamSize": 3, "fast": null}`
	d := json.NewDecoder(bytes.NewReader([]byte(node)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	cells := p.Flatten(v)
	for i, c := range p.Columns {
		got[c.Name] = cells[i]
	}
	want := map[string]string{
		"name":                    "Dossier, Facile",
		"thematiques":             "Logement|Social",
		"incubator.title":         "DINUM",
		"incubator.owner.acronym": "",
		"sponsors.name":           "DINUM|Agence|ANCT",
		"sponsors.acronym":        "DINUM||ANCT",
		"team.member.slug":        "a|b|c",
		"team.member.competences": "Go,SQL||Design",
		"team.start":              "2024-01-01|2025-02-03|2025-03-04",
		"teamSize":                "3",
		"fast.amountEuros":        "",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s = %q, want %q", k, got[k], w)
		}
	}
	kinds := map[string]export.Column{}
	for _, c := range p.Columns {
		kinds[c.Name] = c
	}
	for name, want := range map[string]export.Column{
		"teamSize":         {Name: "teamSize", Kind: export.KindInt},
		"team.start":       {Name: "team.start", Kind: export.KindDate, List: true},
		"fast.amountEuros": {Name: "fast.amountEuros", Kind: export.KindInt},
		"thematiques":      {Name: "thematiques", List: true},
	} {
		if kinds[name] != want {
			t.Errorf("column %+v, want %+v", kinds[name], want)
		}
	}
	if cells := p.Flatten(nil); len(cells) != len(p.Columns) || strings.Join(cells, "") != "" {
		t.Errorf("a null node gives %q", cells)
	}
}
