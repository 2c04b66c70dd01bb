package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// seededDB writes the synthetic network at scale 1 into a new database.
func seededDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "export.db")
	if err := run(context.Background(), []string{"portfolio", "seed", "--db", db}, func(string) string { return "" }, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	return db
}

func runExport(args ...string) (string, string, error) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"portfolio", "export"}, args...), func(string) string { return "" }, &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func TestExportCommand(t *testing.T) {
	db := seededDB(t)
	dir := t.TempDir()

	// A preset to a file, the format from its extension, with admin rights.
	out := filepath.Join(dir, "startups.csv")
	_, stderr, err := runExport("--db", db, "--preset", "startups", "--as-of", "2026-06-30", "--filter", "active=true", "--dialect", "excel-fr", "-o", out)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\uFEFFStartup;Incubateur;Sponsors;Phase;")) || !strings.Contains(stderr, "rows of startups to "+out) {
		t.Errorf("file starts %q; stderr %q", b[:min(len(b), 40)], stderr)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\r\n"), "\r\n")
	if len(lines) < 100 || strings.HasSuffix(lines[1], ";;;;") {
		t.Errorf("%d lines; first row %q", len(lines), lines[1])
	}
	statuses := 0
	for _, l := range lines[1:] {
		f := strings.Split(l, ";") // names hold no ";" in the seed
		// Agents publics, Indépendants
		if f[6] != "" && f[6] != "0" || f[7] != "" && f[7] != "0" {
			statuses++
		}
	}
	if statuses == 0 {
		t.Error("no team status counted: the command should read as an admin")
	}

	xlsx := filepath.Join(dir, "members.xlsx")
	if _, _, err := runExport("--db", db, "--preset", "members", "-o", xlsx); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(xlsx); !bytes.HasPrefix(b, []byte("PK")) {
		t.Errorf("%s is not a zip (an XLSX file)", xlsx)
	}

	// A query file to standard output, --as-of as $asOf.
	q := filepath.Join(dir, "q.graphql")
	os.WriteFile(q, []byte(`query($asOf: Date) { startups(first: 7, asOf: $asOf) { nodes { slug phase } } }`), 0o644)
	stdout, _, err := runExport("--db", db, "--query", q, "--format", "ndjson", "--as-of", "2020-01-01")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout, "\n"); n != 7 || !strings.Contains(stdout, `"phase":`) {
		t.Errorf("%d lines: %s", n, stdout)
	}
}

func TestExportCommandErrors(t *testing.T) {
	db := seededDB(t)
	dir := t.TempDir()
	q := filepath.Join(dir, "q.graphql")
	os.WriteFile(q, []byte(`{ startups { nodes { slug } } }`), 0o644)
	bad := filepath.Join(dir, "bad.graphql")
	os.WriteFile(bad, []byte(`{ startups { nodes { nope } } }`), 0o644)
	latin1 := filepath.Join(dir, "latin1.graphql")
	os.WriteFile(latin1, []byte("{\n  startups(filter: {search: \"Cr\xe9teil\"}) { nodes { slug } }\n}"), 0o644)
	surrogate := filepath.Join(dir, "surrogate.graphql")
	os.WriteFile(surrogate, []byte(`{ startup(slug: "\udc00") { slug } }`), 0o644)
	tests := []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"neither", []string{"--db", db}, true, "give --query FILE or --preset NAME"},
		{"both", []string{"--db", db, "--query", q, "--preset", "startups"}, true, "give --query FILE or --preset NAME"},
		{"unknown preset", []string{"--db", db, "--preset", "teams"}, true, `--preset "teams"`},
		{"format", []string{"--db", db, "--preset", "startups", "--format", "pdf"}, true, `unknown format "pdf"`},
		{"dialect", []string{"--db", db, "--preset", "startups", "--format", "json", "--dialect", "excel-fr"}, true, "csv only"},
		{"as-of", []string{"--db", db, "--query", q, "--as-of", "2026-01-01"}, true, "--as-of needs the query to declare $asOf"},
		{"bad as-of", []string{"--db", db, "--preset", "startups", "--as-of", "demain"}, true, "--as-of:"},
		{"filter with a query", []string{"--db", db, "--query", q, "--filter", "active=true"}, true, "--filter goes with --preset"},
		{"bad filter", []string{"--db", db, "--preset", "startups", "--filter", "incubator=x"}, false, `unknown parameter "incubator"`},
		{"invalid query", []string{"--db", db, "--query", bad, "-o", filepath.Join(dir, "out.csv")}, false, "the query is invalid"},
		{"no database", []string{"--db", filepath.Join(dir, "none.db"), "--preset", "startups"}, false, "none.db"},
		// Text that is not valid Unicode, said where.
		{"query file not UTF-8", []string{"--db", db, "--query", latin1}, true, "--query " + latin1 + ": invalid UTF-8 (byte 0xE9) at line 2, column 32, in the argument startups(filter.search)"},
		{"query file with a lone surrogate", []string{"--db", db, "--query", surrogate}, true, `the escape \udc00, a lone UTF-16 surrogate`},
		{"variables not UTF-8", []string{"--db", db, "--query", q, "--variables", "{\"in\":{\"name\":\"\xff\"}}"}, true, "--variables: variables.in.name: invalid UTF-8 (byte 0xFF)"},
		{"variables with a lone surrogate", []string{"--db", db, "--query", q, "--variables", `{"s":"\ud800"}`}, true, "--variables: variables.s: the escape"},
		{"filter not UTF-8", []string{"--db", db, "--preset", "startups", "--filter", "search=\xff"}, true, "--filter search: invalid UTF-8 (byte 0xFF)"},
		// The user's path, not that of the temporary file beside it.
		{"folder missing", []string{"--db", db, "--preset", "startups", "-o", filepath.Join(dir, "nope", "x.csv")}, false, "export: cannot write " + filepath.Join(dir, "nope", "x.csv") + ": no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runExport(tt.args...)
			var u usageError
			if err == nil || errors.As(err, &u) != tt.usage || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v (usage error: %v), want one saying %q", err, errors.As(err, &u), tt.want)
			}
		})
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 4 {
		t.Errorf("a failed export left files behind: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Error("export created a missing database")
	}
}

// readExport reads an exported CSV file (RFC 4180, or excel-fr with its
// BOM and ";") as records by header.
func readExport(t *testing.T, path string, excelFR bool) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	if excelFR {
		r.Comma = ';'
	}
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, v := range rec {
			m[recs[0][i]] = v
		}
		rows = append(rows, m)
	}
	return rows
}

// TestExportRealSnapshot exports the ready-made tables of the real
// beta.gouv.fr snapshot: the committees' next due date is filled by the
// rule, and the French exports read as French.
func TestExportRealSnapshot(t *testing.T) {
	dir := snapshotDir(t)
	db := filepath.Join(t.TempDir(), "x.db")
	if out, err := runCmd(t, "import", "--db", db, dir); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out := t.TempDir()
	export := func(name string, args ...string) string {
		t.Helper()
		path := filepath.Join(out, name)
		if _, stderr, err := runExport(append([]string{"--db", db, "-o", path}, args...)...); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		return path
	}

	// Committees: imported ones record no next date: 183 days after each,
	// whatever it decided (DESIGN.md, "Next committee due at D": a stop or
	// a transfer gives a date too, which stops counting once the startup is
	// out of incubation). The snapshot has no budgets (the records carry
	// none): the column is for committees recorded through the API.
	rows := readExport(t, export("committees.csv", "--preset", "committees"), false)
	if len(rows) != 215 {
		t.Fatalf("%d committees, want 215", len(rows))
	}
	ending := 0
	for _, r := range rows {
		if r["budget_euros"] != "" {
			t.Errorf("%s/%s: budget %q: the snapshot has none", r["startup"], r["date"], r["budget_euros"])
		}
		d, err := time.Parse(time.DateOnly, r["date"])
		if err != nil {
			t.Fatalf("%s: date %q", r["startup"], r["date"])
		}
		want := d.AddDate(0, 0, 183).Format(time.DateOnly)
		if r["decision"] == "STOP" || r["decision"] == "TRANSFER" || slices.Contains([]string{"TRANSFERRED", "OPERATED", "ABANDONED", "INVESTIGATION_ABANDONED"}, r["next_phase"]) {
			ending++
		}
		if r["next_committee_due"] != want {
			t.Errorf("%s/%s (%s): next_committee_due %q, want %q", r["startup"], r["date"], r["decision"], r["next_committee_due"], want)
		}
	}
	if ending == 0 {
		t.Error("no committee ends its startup's incubation: the rows' check is partial")
	}

	// The French tables: names and labels, never a code.
	code := regexp.MustCompile(`^[A-Z_]+$`)
	frDate := regexp.MustCompile(`^(\d\d/\d\d/\d{4})?$`)
	startups := readExport(t, export("startups-fr.csv", "--preset", "startups", "--as-of", "2026-08-20", "--dialect", "excel-fr"), true)
	if len(startups) != 662 {
		t.Errorf("%d startups, want 662", len(startups))
	}
	var eleve map[string]string
	for _, r := range startups {
		for _, c := range []string{"Phase", "Décision du dernier comité"} {
			if code.MatchString(r[c]) {
				t.Fatalf("%s: %s %q is a code", r["Startup"], c, r[c])
			}
		}
		if !slices.Contains([]string{"", "En retard", "Aucun comité enregistré", "Bientôt dû", "À jour"}, r["Suivi des comités"]) || !frDate.MatchString(r["Date de début de phase"]) {
			t.Fatalf("row %q", r)
		}
		if r["Startup (identifiant)"] == "1-eleve-1-stage" {
			eleve = r
		}
	}
	want := map[string]string{"Startup": "1 élève, 1 stage", "Incubateur": "L'incubateur de l'Éducation nationale", "Incubateur (identifiant)": "MEN", "Phase": "Transféré", "Date de début de phase": "19/09/2025"}
	for k, v := range want {
		if eleve[k] != v {
			t.Errorf("1-eleve-1-stage: %s = %q, want %q", k, eleve[k], v)
		}
	}
	for _, r := range readExport(t, export("members-fr.csv", "--preset", "members", "--as-of", "2026-08-20", "--dialect", "excel-fr"), true) {
		if code.MatchString(r["Domaine"]) || code.MatchString(r["Statut de mission"]) || r["En mission"] != "Oui" && r["En mission"] != "Non" {
			t.Fatalf("row %q", r)
		}
	}
	for _, r := range readExport(t, export("committees-fr.csv", "--preset", "committees", "--dialect", "excel-fr"), true) {
		if code.MatchString(r["Décision"]) || r["Origine"] != "Importé" || r["Incubateur"] == r["Incubateur (identifiant)"] || !frDate.MatchString(r["Prochain comité dû"]) {
			t.Fatalf("row %q", r)
		}
	}
}
