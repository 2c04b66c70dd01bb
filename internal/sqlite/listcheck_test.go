package sqlite

import (
	"context"
	"maps"
	"strings"
	"testing"
)

// TestRepairLists spoils each derived list of a seeded network in its own
// way, then checks that Check names the startups whose lists differ, that
// RepairLists writes them again, and that the lists are then those the
// triggers wrote before they were spoiled.
func TestRepairLists(t *testing.T) {
	ctx := context.Background()
	db, _ := seededDB(t)
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, l := range derivedLists {
			for _, row := range columnOf[string](t, db, "SELECT "+strings.ReplaceAll(l.columns, ", ", " || '|' || ")+" FROM "+l.table) {
				out[l.table+" "+row] = row
			}
		}
		return out
	}
	before := snapshot()
	if problems, err := db.Check(ctx); err != nil || len(problems) != 0 {
		t.Fatalf("Check of a seeded network: %q, %v", problems, err)
	}
	slug := columnOf[string](t, db, "SELECT slug FROM startups WHERE id = (SELECT min(startup_id) FROM phase_lists)")[0]
	for _, q := range []string{
		`UPDATE phase_lists SET phases = phases || ';9,investigation,2020-01-01,' WHERE startup_id = (SELECT min(startup_id) FROM phase_lists)`,
		`DELETE FROM mission_lists WHERE startup_id = (SELECT max(startup_id) FROM mission_lists)`,
		`INSERT INTO sponsor_lists (startup_id, sponsors) VALUES (99999, '')`,
	} {
		if _, err := db.write.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	problems, err := db.Check(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 3 || !strings.Contains(problems[0], "phase_lists differs from the phases for 1 startup(s) ("+slug+")") ||
		!strings.Contains(problems[1], "mission_lists differs") || !strings.Contains(problems[2], "sponsor_lists differs from the sponsors for 1 startup(s) (#99999)") {
		t.Fatalf("Check of spoiled lists:\n%s", strings.Join(problems, "\n"))
	}
	drifts, err := db.RepairLists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(drifts) != 3 {
		t.Errorf("RepairLists found %v, want the 3 lists spoiled", drifts)
	}
	if problems, err := db.Check(ctx); err != nil || len(problems) != 0 {
		t.Errorf("Check after the repair: %q, %v", problems, err)
	}
	if after := snapshot(); !maps.Equal(after, before) {
		t.Errorf("the repaired lists are not those the triggers wrote: %d rows before, %d after", len(before), len(after))
	}
	if drifts, err := db.RepairLists(ctx); err != nil || drifts != nil {
		t.Errorf("RepairLists of sound lists: %v, %v; want nothing to do", drifts, err)
	}
}
