package graph_test

import (
	"testing"
)

// TestPhasePeriodSelections checks that phase periods, which write
// themselves (graph/model), answer their selection as gqlgen's executor
// does: aliases, __typename, inline fragments and named ones (whose field
// merges with the same key asked before), @skip, and the date of the
// question in durationDays. The expected answer was written from the
// seed's dossierfacile fixture (internal/seed/fixtures.go), and matched
// gqlgen's executor byte for byte before PhasePeriod wrote itself.
func TestPhasePeriodSelections(t *testing.T) {
	e := newAPI(t)
	out := e.query(t, `{ startups(asOf: "2025-01-01", filter: {slugs: ["dossierfacile"]}) { nodes {
		phases { __typename p: phase start ... on PhasePeriod { label } ...F end @skip(if: true) durationDays source x: end }
		currentPhase { phase durationDays } } } }
		fragment F on PhasePeriod { phase start }`, nil, nil)
	want := `{"startups":{"nodes":[{"phases":[` +
		`{"__typename":"PhasePeriod","p":"INVESTIGATION","start":"2018-11-05","label":"Investigation","phase":"INVESTIGATION","durationDays":147,"source":"IMPORTED","x":"2019-04-01"},` +
		`{"__typename":"PhasePeriod","p":"CONSTRUCTION","start":"2019-04-01","label":"Construction","phase":"CONSTRUCTION","durationDays":441,"source":"IMPORTED","x":"2020-06-15"},` +
		`{"__typename":"PhasePeriod","p":"ACCELERATION","start":"2020-06-15","label":"Accélération","phase":"ACCELERATION","durationDays":1582,"source":"IMPORTED","x":"2024-10-14"},` +
		`{"__typename":"PhasePeriod","p":"CONSOLIDATION","start":"2024-10-14","label":"En consolidation","phase":"CONSOLIDATION","durationDays":79,"source":"IMPORTED","x":null}],` +
		`"currentPhase":{"phase":"CONSOLIDATION","durationDays":79}}]}}`
	if string(out.Data) != want {
		t.Errorf("answer\n%s\nwant\n%s", out.Data, want)
	}
}
