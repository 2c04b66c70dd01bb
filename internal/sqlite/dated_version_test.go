package sqlite

import (
	"context"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestDatedIndexFollowsTheRecords checks that the dated index is read
// again when the records change, and only then: a write that is not of the
// records (a token's creation, as its last use once a minute) changes the
// file's version but leaves the index as it was; a phase started through
// the store's writer is seen by the next question.
func TestDatedIndexFollowsTheRecords(t *testing.T) {
	ctx := context.Background()
	db := openMemoryDB(t)
	st := &portfolio.Startup{Slug: "verger", Name: "Verger", Phases: []portfolio.PhasePeriod{ph(portfolio.PhaseInvestigation, "2025-01-01")}}
	loadCases(t, db, true, []*portfolio.Startup{st}, nil)
	d := portfolio.MustDate("2026-08-20")
	active := func() int {
		t.Helper()
		yes := true
		n, err := db.StartupCount(ctx, &portfolio.StartupFilter{Active: &yes}, d)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	index := func() *datedIndex {
		t.Helper()
		idx, err := db.datedIndex(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return idx
	}
	before, n := index(), active()
	if n != 2 { // verger and the cases' "elsewhere"
		t.Fatalf("%d active startups, want 2", n)
	}
	v0, _ := db.Version(ctx)
	if _, _, err := db.CreateToken(ctx, "lecture", portfolio.RoleViewer, nil); err != nil {
		t.Fatal(err)
	}
	if v1, _ := db.Version(ctx); v1 == v0 {
		t.Fatalf("a token's creation left the data version at %s: the test tests nothing", v0)
	}
	if after := index(); after != before {
		t.Errorf("a token's creation made the index be read again")
	}
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	if _, err := db.StartPhase(admin, "verger", nil, portfolio.PhaseAbandoned, portfolio.MustDate("2026-03-01")); err != nil {
		t.Fatal(err)
	}
	if after := index(); after == before {
		t.Errorf("a phase started: the index was not read again")
	}
	if n := active(); n != 1 {
		t.Errorf("after verger's abandon, %d active startups, want 1", n)
	}
}
