package sqlite_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// TestPhaseSourceName: the record's word of a phase and the UNKNOWN phase
// are stored, read back, counted by phase, and a second load of the same
// records changes nothing.
func TestPhaseSourceName(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	d := portfolio.MustDate
	imported := portfolio.SourceImported
	phases := map[string][]portfolio.PhasePeriod{
		"bouture": {
			{Phase: portfolio.PhaseInvestigation, Start: d("2020-01-06"), Source: imported},
			{Phase: portfolio.PhaseUnknown, Start: d("2021-01-04"), Source: imported, SourceName: "pivot"},
			{Phase: portfolio.PhaseAbandoned, Start: d("2022-01-03"), Source: imported, SourceName: "alumni"},
		},
		"greffe": {
			{Phase: portfolio.PhaseConstruction, Start: d("2021-01-04"), Source: imported},
			{Phase: portfolio.PhaseUnknown, Start: d("2022-06-01"), Source: imported, SourceName: "hibernation"},
		},
	}
	fill := func(s portfolio.Sink) error {
		for _, slug := range []string{"bouture", "greffe"} {
			st := &portfolio.Startup{Slug: slug, Name: slug, Phases: phases[slug]}
			if err := s.PutStartup(ctx, st); err != nil {
				return err
			}
		}
		return nil
	}
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, fill); err != nil {
		t.Fatal(err)
	}
	res, err := db.Load(ctx, sqlite.LoadOptions{}, fill)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unchanged["startups"] != 2 || res.Updated["startups"] != 0 || len(res.Disagreements) != 0 {
		t.Errorf("a second load: %+v", res)
	}
	sts, err := db.StartupsBySlug(ctx, []string{"bouture", "greffe"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.PhasesByStartup(ctx, []int64{sts["bouture"].ID, sts["greffe"].ID})
	if err != nil {
		t.Fatal(err)
	}
	for slug, want := range phases {
		if g := got[sts[slug].ID]; !reflect.DeepEqual(g, want) {
			t.Errorf("%s phases:\n got %+v\nwant %+v", slug, g, want)
		}
	}
	for _, c := range []struct {
		date string
		want []sqlite.Count
	}{
		{"2020-06-01", []sqlite.Count{{Key: "INVESTIGATION", Count: 1}}},
		{"2021-06-01", []sqlite.Count{{Key: "CONSTRUCTION", Count: 1}, {Key: "UNKNOWN", Count: 1}}},
		{"2022-07-01", []sqlite.Count{{Key: "ABANDONED", Count: 1}, {Key: "UNKNOWN", Count: 1}}},
	} {
		by, err := db.ByPhase(ctx, nil, d(c.date))
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(by, c.want) {
			t.Errorf("byPhase at %s: %v, want %v", c.date, by, c.want)
		}
		tl, err := db.Timeline(ctx, nil, []portfolio.Date{d(c.date)}, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(tl) != 1 || !reflect.DeepEqual(tl[0].ByPhase, c.want) {
			t.Errorf("timeline at %s: %+v, want %v", c.date, tl, c.want)
		}
	}
	// Out of incubation, UNKNOWN is no active phase; a manager may move a
	// startup on from it, never to it.
	active := true
	n, err := db.StartupCount(ctx, &portfolio.StartupFilter{Active: &active}, d("2022-07-01"))
	if err != nil || n != 0 {
		t.Errorf("active startups on 2022-07-01: %d, %v; want 0", n, err)
	}
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	if _, err := db.StartPhase(admin, "bouture", nil, portfolio.PhaseUnknown, d("2023-01-02")); portfolio.ErrorCode(err) != portfolio.EInvalid {
		t.Errorf("startPhase UNKNOWN: %v, want %s", err, portfolio.EInvalid)
	}
	if _, err := db.StartPhase(admin, "greffe", nil, portfolio.PhaseConstruction, d("2023-01-02")); err != nil {
		t.Errorf("startPhase from UNKNOWN: %v", err)
	}
}
