package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runCmd(t testing.TB, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), append([]string{"portfolio"}, args...), func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// countOf reads "  kind   N" from an import summary.
func countOf(t testing.TB, out, kind string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  ` + kind + ` +(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no %s count in:\n%s", kind, out)
	}
	return m[1]
}

func TestImportFixtureTwice(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	dir := "../../internal/betagouv/testdata/current"
	out, err := runCmd(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if countOf(t, out, "startups") == "0" {
		t.Fatalf("fixture imported no startup:\n%s", out)
	}
	out, err = runCmd(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "(0 new, 0 updated,") {
		t.Errorf("second import changed records:\n%s", out)
	}
}

func TestImportStrictWritesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	out, err := runCmd(t, "import", "--db", db, "--strict", "../../internal/betagouv/testdata/broken")
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("strict import of broken content: err %v, want a failure\n%s", err, out)
	}
	if !strings.Contains(out, "tabulations.md") {
		t.Errorf("the summary does not name the broken file:\n%s", out)
	}
	if _, statErr := os.Stat(db); statErr == nil {
		t.Errorf("strict import created the database")
	}
}

// snapshotDir returns the real beta.gouv.fr snapshot named by
// PORTFOLIO_SNAPSHOT, or skips.
func snapshotDir(tb testing.TB) string {
	dir := os.Getenv("PORTFOLIO_SNAPSHOT")
	if dir == "" {
		tb.Skip("PORTFOLIO_SNAPSHOT is not set (the content folder of ../shared/data/betagouv-2026-08-20); .ci/run sets it")
	}
	return dir
}

func TestImportRealSnapshot(t *testing.T) {
	dir := snapshotDir(t)
	db := filepath.Join(t.TempDir(), "x.db")
	out, err := runCmd(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	for kind, want := range map[string]string{"startups": "662", "incubators": "23", "organisations": "143", "members": "3484", "committees": "215", "missions": "4761"} {
		if got := countOf(t, out, kind); got != want {
			t.Errorf("%s: %s, want %s", kind, got, want)
		}
	}
}

// BenchmarkImportRealSnapshot imports the whole real snapshot into a new
// database: read, check, write, in one transaction.
func BenchmarkImportRealSnapshot(b *testing.B) {
	dir := snapshotDir(b)
	for i := 0; b.Loop(); i++ {
		db := filepath.Join(b.TempDir(), "x.db")
		if out, err := runCmd(b, "import", "--db", db, dir); err != nil {
			b.Fatalf("import: %v\n%s", err, out)
		}
	}
}

// dump returns every row of every table of the database at path, in a
// stable order, as text.
func dump(t testing.TB, path string) string {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	tables, err := raw.Query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var n string
		tables.Scan(&n)
		names = append(names, n)
	}
	tables.Close()
	var b strings.Builder
	for _, n := range names {
		if n == "changes" || n == "sqlite_sequence" {
			continue // the change feed: every load notes a Dataset change
		}
		rows, err := raw.Query("SELECT * FROM \"" + n + "\" ORDER BY 1, 2")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", n, vals)
		}
		rows.Close()
	}
	return b.String()
}

func TestSecondImportLeavesContentIdentical(t *testing.T) {
	dir := snapshotDir(t)
	db := filepath.Join(t.TempDir(), "x.db")
	if out, err := runCmd(t, "import", "--db", db, dir); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	before := dump(t, db)
	out, err := runCmd(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	// .ci/run looks for this line; nothing else of what the API did is listed.
	if !strings.Contains(out, "(0 new, 0 updated, 662 unchanged)") || strings.Contains(out, "through the API") {
		t.Errorf("second import's summary:\n%s", out)
	}
	after := dump(t, db)
	// The origin table records each import; every other row stays.
	before, beforeImports := withoutOrigin(before)
	after, afterImports := withoutOrigin(after)
	if before != after {
		t.Errorf("the second import changed the database content (%d bytes of rows before, %d after)", len(before), len(after))
	}
	if beforeImports != 1 || afterImports != 2 {
		t.Errorf("origin rows: %d after the first import, %d after the second; want 1 and 2", beforeImports, afterImports)
	}
	if len(before) < 100000 {
		t.Errorf("the dump is suspiciously small: %d bytes", len(before))
	}
}

// withoutOrigin removes the rows of the origin table from a dump, and
// counts them.
func withoutOrigin(dump string) (string, int) {
	var kept []string
	n := 0
	for _, line := range strings.Split(dump, "\n") {
		if strings.HasPrefix(line, "origin [") {
			n++
			continue
		}
		kept = append(kept, line)
	}
	return strings.Join(kept, "\n"), n
}

// TestImportOlderVocabulary imports an archive in the older phase
// vocabulary: the summary lists each mapping applied, with its count, and
// each phase of no vocabulary; a second import changes nothing.
func TestImportOlderVocabulary(t *testing.T) {
	db := filepath.Join(t.TempDir(), "x.db")
	dir := "../../internal/betagouv/testdata/old-vocabulary"
	out, err := runCmd(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if got := countOf(t, out, "phases"); got != "42" {
		t.Errorf("phases: %s, want the 42 phase entries of the files", got)
	}
	_, summary, ok := strings.Cut(out, "phases named in an older vocabulary")
	if !ok {
		t.Fatalf("no vocabulary in the summary:\n%s", out)
	}
	want := []string{
		"phases named in an older vocabulary, mapped onto today's (the record's word is kept: PhasePeriod.sourceName):",
		"alumni « Partenariats terminés » → INVESTIGATION_ABANDONED 3 (nothing but investigations before it)",
		"alumni « Partenariats terminés » → ABANDONED 3 (after a construction or a later phase)",
		"success « Pérennisé » → TRANSFERRED 3",
		"transfer « Transfert » → CONSOLIDATION 3",
		"phases named in neither vocabulary, imported as UNKNOWN, out of incubation (each reported above):",
		"(no name) 1",
		"hibernation 1",
		"pivot « Pivot » 1",
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace("phases named in an older vocabulary"+summary), "\n") {
		got = append(got, strings.Join(strings.Fields(line), " "))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("vocabulary summary:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	before := dump(t, db)
	out, err = runCmd(t, "import", "--db", db, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "(0 new, 0 updated, 15 unchanged)") {
		t.Errorf("second import changed records:\n%s", out)
	}
	if b, a := withoutOriginRows(before), withoutOriginRows(dump(t, db)); a != b {
		t.Errorf("the second import changed the database content")
	}
	if !strings.Contains(before, "alumni") || !strings.Contains(before, "UNKNOWN") {
		t.Errorf("the dump holds no record's word or UNKNOWN phase")
	}
}

func withoutOriginRows(dump string) string {
	s, _ := withoutOrigin(dump)
	return s
}
