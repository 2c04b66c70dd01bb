package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("a failed export left files behind: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(dir, "none.db")); err == nil {
		t.Error("export created a missing database")
	}
}
