package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
)

// TestPhaseListsFollowPhases checks the lists of migrations/0026 against
// the phases table, read a second way (PhasesByStartup with the phases'
// details walks the table itself), after each kind of write: a load, a
// reload, the API's phase moves, and direct updates, deletions and a
// startup's cascade.
func TestPhaseListsFollowPhases(t *testing.T) {
	ctx := context.Background()
	db, fill := seededDB(t)
	check := func(step string) {
		t.Helper()
		ids := columnOf[int64](t, db, "SELECT id FROM startups")
		lists, err := db.PhasesByStartup(WithColumns(ctx, &Columns{}), ids)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		table, err := db.PhasesByStartup(WithColumns(ctx, &Columns{PhaseDetails: true}), ids)
		if err != nil {
			t.Fatal(err)
		}
		phases := 0
		for _, id := range ids {
			a, b := lists[id], table[id]
			phases += len(b)
			if !slices.EqualFunc(a, b, func(x, y portfolio.PhasePeriod) bool {
				return x.Phase == y.Phase && x.Start == y.Start && x.End == y.End
			}) {
				t.Errorf("%s: startup %d: list %v, table %v", step, id, a, b)
			}
		}
		var orphans int
		if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM phase_lists WHERE startup_id NOT IN (SELECT startup_id FROM phases)").Scan(&orphans); err != nil {
			t.Fatal(err)
		}
		if orphans != 0 || phases == 0 {
			t.Errorf("%s: %d lists without phases, %d phases", step, orphans, phases)
		}
	}
	check("seed")

	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	slugs := columnOf[string](t, db, "SELECT slug FROM startups ORDER BY id LIMIT 3")
	moved := 0
	for _, slug := range slugs {
		// A move the rules refuse changes nothing, and is no test.
		for _, p := range []portfolio.Phase{portfolio.PhaseConstruction, portfolio.PhaseAcceleration, portfolio.PhaseAbandoned} {
			if _, err := db.StartPhase(admin, slug, nil, p, portfolio.MustDate("2026-06-01")); err == nil {
				moved++
				break
			}
		}
	}
	if moved == 0 {
		t.Fatal("no phase move accepted")
	}
	check("phase moves")

	if _, err := db.Load(ctx, LoadOptions{Add: true}, fill); err != nil {
		t.Fatal(err)
	}
	check("reload")

	writeAndCheck(t, db, []string{
		`UPDATE phases SET "end" = '2030-01-01' WHERE (startup_id, seq) IN (SELECT startup_id, seq FROM phases LIMIT 5)`,
		`UPDATE phases SET start = NULL WHERE (startup_id, seq) IN (SELECT startup_id, max(seq) FROM phases GROUP BY startup_id LIMIT 4)`,
		`UPDATE phases SET next_start = '1999-01-01'`,
		// A conflict clause on the outer statement overrides the triggers'
		// own: the list must follow a phase added with one.
		`INSERT OR IGNORE INTO phases (startup_id, seq, phase, start, source)
			SELECT startup_id, max(seq) + 1, 'ALUMNI', '2030-01-01', 'RECORDED' FROM phases GROUP BY startup_id LIMIT 3`,
		`DELETE FROM phases WHERE (startup_id, seq) IN (SELECT startup_id, min(seq) FROM phases GROUP BY startup_id LIMIT 6)`,
		`UPDATE phases SET startup_id = (SELECT max(id) FROM startups), seq = seq + 1000
			WHERE (startup_id, seq) = (SELECT startup_id, seq FROM phases WHERE startup_id <> (SELECT max(id) FROM startups) LIMIT 1)`,
	}, check)

	// A startup's deletion cascades to its phases: the first startup with
	// phases that nothing else refers to.
	for _, id := range columnOf[int64](t, db, "SELECT DISTINCT startup_id FROM phases") {
		if _, err := db.write.ExecContext(ctx, "DELETE FROM startups WHERE id = ?", id); err == nil {
			check("a startup deleted")
			return
		}
	}
	t.Fatal("no startup could be deleted")
}

// seededDB opens a database in t's folder, closed at its end, and loads
// the seed at scale 1 into it, fill.
func seededDB(t *testing.T) (db *DB, fill func(portfolio.Sink) error) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "l.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	fill = func(s portfolio.Sink) error {
		_, err := seed.Generate(ctx, s, seed.Options{Scale: 1})
		return err
	}
	if _, err := db.Load(ctx, LoadOptions{Fresh: true}, fill); err != nil {
		t.Fatal(err)
	}
	return db, fill
}

// writeAndCheck runs each statement of qs, which must change a row, and
// check after it.
func writeAndCheck(t *testing.T, db *DB, qs []string, check func(step string)) {
	t.Helper()
	for _, q := range qs {
		res, err := db.write.ExecContext(context.Background(), q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			t.Fatalf("%s: changed nothing", q)
		}
		check(q)
	}
}

// columnOf returns the values of the one column q selects.
func columnOf[T any](t *testing.T, db *DB, q string) []T {
	t.Helper()
	var out []T
	if err := db.each(context.Background(), q, nil, func(r *sql.Rows) error {
		var v T
		err := r.Scan(&v)
		out = append(out, v)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestUnpackPhases cuts lists in and out of the record's order, with
// dates not on record, and refuses a damaged one.
func TestUnpackPhases(t *testing.T) {
	d := portfolio.MustDate
	tests := []struct {
		packed string
		want   []portfolio.PhasePeriod
	}{
		{"", []portfolio.PhasePeriod{}},
		{"0,INVESTIGATION,2020-01-01,2020-06-01;1,CONSTRUCTION,2020-06-01,", []portfolio.PhasePeriod{
			{Phase: portfolio.PhaseInvestigation, Start: d("2020-01-01"), End: d("2020-06-01")},
			{Phase: portfolio.PhaseConstruction, Start: d("2020-06-01")}}},
		{"7,CONSTRUCTION,,;2,INVESTIGATION,2019-01-01,", []portfolio.PhasePeriod{
			{Phase: portfolio.PhaseInvestigation, Start: d("2019-01-01")},
			{Phase: portfolio.PhaseConstruction}}},
	}
	for _, tt := range tests {
		got, err := unpackPhases(tt.packed)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("unpackPhases(%q) = %v, %v; want %v", tt.packed, got, err, tt.want)
		}
	}
	for _, bad := range []string{"x,INVESTIGATION,,", "1,INVESTIGATION", "1;2"} {
		if _, err := unpackPhases(bad); err == nil {
			t.Errorf("unpackPhases(%q): no error", bad)
		}
	}
}
