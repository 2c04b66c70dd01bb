package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestEveryTableClassified: the response cache trusts tableKinds to say
// which change touches a table; a table it does not know would never drop
// an answer that read it.
func TestEveryTableClassified(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.read.QueryContext(ctx, "SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		n++
		if _, ok := tableKinds[name]; !ok {
			t.Errorf("table %s is not in tableKinds (changes.go): say which kind of record it holds, or \"\"", name)
		}
	}
	if n < 20 {
		t.Fatalf("%d tables: the schema was not read", n)
	}
}

func TestReadsOfStatement(t *testing.T) {
	for _, c := range []struct {
		q        string
		mask     uint32
		volatile bool
	}{
		{"SELECT 1", 0, false},
		{"SELECT s.slug FROM startups s WHERE s.name = 'members'", kindBits["Startup"], false},
		{`SELECT p.phase FROM "phases" p JOIN startups s ON s.id = p.startup_id`, kindBits["Startup"], false},
		{"SELECT count(*) FROM committees c, mission_startups ms", kindBits["Committee"] | kindBits["Mission"], false},
		{"SELECT x FROM (SELECT m.slug AS x FROM members m) WHERE x IN (SELECT slug FROM teams)", kindBits["Member"] | kindBits["Team"], false},
		{"SELECT at FROM audit_log", 0, true},
		{"SELECT 'it''s startups' FROM origin", 0, true},
		{"SELECT [incubators].slug FROM [incubators]", kindBits["Incubator"], false},
		// A table of several kinds: a mission's list holds its member's name.
		{"SELECT startup_id, missions FROM mission_lists WHERE startup_id = 1", kindBits["Mission"] | kindBits["Member"], false},
	} {
		rs := readsOfStatement(c.q)
		if rs.mask != c.mask || rs.volatile != c.volatile {
			t.Errorf("%s: mask %b volatile %v, want %b %v", c.q, rs.mask, rs.volatile, c.mask, c.volatile)
		}
	}
}

func TestChangeLogMerges(t *testing.T) {
	for _, c := range []struct {
		ops  []string
		want string
	}{
		{[]string{OpCreated, OpUpdated}, OpCreated},
		{[]string{OpUpdated, OpDeleted}, OpDeleted},
		{[]string{OpCreated, OpDeleted}, ""},
		{[]string{OpDeleted, OpCreated}, OpUpdated},
		{[]string{OpCreated, OpDeleted, OpCreated}, OpCreated},
		{[]string{OpUpdated, OpUpdated}, OpUpdated},
	} {
		var l changeLog
		for _, op := range c.ops {
			l.add("Startup", "a", op)
		}
		if len(l.rows) != 1 || l.rows[0].Operation != c.want {
			t.Errorf("%v: %+v, want one row %q", c.ops, l.rows, c.want)
		}
	}
}
