package sqlite_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// TestFilterCompiledOnce checks that, under WithFilterCache, a filter is
// compiled once for every statement of a request that reads it: the
// count a "last" page asks first, the page, the count of an empty page,
// and a portfolio's figures; and that the answers are those of the
// statements compiled apart.
func TestFilterCompiledOnce(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "f.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, seedFill(1)); err != nil {
		t.Fatal(err)
	}
	active := true
	f := &portfolio.StartupFilter{Or: []*portfolio.StartupFilter{{Active: &active}, {Phases: []portfolio.Phase{portfolio.PhaseAcceleration}}}}
	d := portfolio.MustDate("2025-06-30")
	run := func(ctx context.Context) []any {
		n, err := db.StartupCount(ctx, f, d)
		if err != nil {
			t.Fatal(err)
		}
		page, err := db.Startups(ctx, sqlite.StartupQuery{Filter: f, AsOf: d, WantTotal: true, Window: portfolio.Window{Limit: 5}})
		if err != nil {
			t.Fatal(err)
		}
		empty, err := db.Startups(ctx, sqlite.StartupQuery{Filter: f, AsOf: d, WantTotal: true, Window: portfolio.Window{Offset: 100000, Limit: 5}})
		if err != nil {
			t.Fatal(err)
		}
		phases, err := db.ByPhase(ctx, f, d)
		if err != nil {
			t.Fatal(err)
		}
		statuses, err := db.ReviewStatuses(ctx, f, d)
		if err != nil {
			t.Fatal(err)
		}
		slugs := []string{}
		for _, s := range page[0].Items {
			slugs = append(slugs, s.Slug)
		}
		return []any{n, page[0].Total, slugs, empty[0].Total, phases, statuses}
	}
	want := run(ctx)
	cached := sqlite.WithFilterCache(ctx)
	got := run(cached)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("with the cache %v, without %v", got, want)
	}
	if n := sqlite.FiltersCompiled(cached); n != 1 {
		t.Errorf("the filter was compiled %d times for one request, want 1", n)
	}
	if want[0].(int) == 0 || want[3].(int) != want[0].(int) {
		t.Errorf("counts %v: want a non-empty list whose empty page says its length", want)
	}
}
