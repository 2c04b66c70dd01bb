package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

const fixture = "../../internal/betagouv/testdata/current"

// fileBytes reads the database file and its log, to show that a refused
// command wrote nothing.
func fileBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(path + "-wal")
	return append(b, wal...)
}

func TestSeedAndImportNeverMix(t *testing.T) {
	tests := []struct {
		name    string
		setup   [][]string // commands that succeed, on the database
		run     []string
		refused bool
		// what the refusal says, beside the database's name
		want []string
		// the origin check reports afterwards
		origin string
	}{
		{
			name:   "seed into a new file",
			run:    []string{"seed"},
			origin: "origin: seeded at scale 1 on ",
		},
		{
			name:   "import into a new file",
			run:    []string{"import", fixture},
			origin: "origin: imported from " + mustAbs(t, fixture) + " on ",
		},
		{
			name:   "import again",
			setup:  [][]string{{"import", fixture}},
			run:    []string{"import", fixture},
			origin: " (2 imports, the first on ",
		},
		{
			name:    "seed into imported records, issue 13",
			setup:   [][]string{{"import", fixture}},
			run:     []string{"seed"},
			refused: true,
			want:    []string{"refusing to write synthetic records into", "it holds real records, imported from", "Nothing was written", "portfolio seed --db " + "DIR/demo.db --scale 1"},
			origin:  "origin: imported from ",
		},
		{
			name:    "seed --add into imported records",
			setup:   [][]string{{"import", fixture}},
			run:     []string{"seed", "--add"},
			refused: true,
			want:    []string{"refusing to write synthetic records into", "Nothing was written"},
			origin:  "origin: imported from ",
		},
		{
			name:    "seed into a seeded database",
			setup:   [][]string{{"seed"}},
			run:     []string{"seed", "--scale", "2"},
			refused: true,
			want:    []string{"already holds a synthetic network, seeded at scale 1 on ", "Nothing was written", "seed --db DB --scale 2 --add", "portfolio seed --db DIR/demo.db --scale 2"},
			origin:  "origin: seeded at scale 1 on ",
		},
		{
			name:   "seed --add into a seeded database",
			setup:  [][]string{{"seed"}},
			run:    []string{"seed", "--add"},
			origin: " (2 seeds, the first on ",
		},
		{
			name:    "import into a seeded database",
			setup:   [][]string{{"seed"}},
			run:     []string{"import", fixture},
			refused: true,
			want:    []string{"refusing to import into", "it holds a synthetic network, seeded at scale 1", "Nothing was written", "portfolio import --db DIR/imported.db " + fixture},
			origin:  "origin: seeded at scale 1 on ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			db := filepath.Join(dir, "x.db")
			with := func(args []string) []string {
				return append([]string{args[0], "--db", db}, args[1:]...)
			}
			for _, s := range tt.setup {
				if out, err := runCmd(t, with(s)...); err != nil {
					t.Fatalf("%v: %v\n%s", s, err, out)
				}
			}
			var before []byte
			if len(tt.setup) > 0 {
				before = fileBytes(t, db)
			}
			out, err := runCmd(t, with(tt.run)...)
			switch {
			case tt.refused && err == nil:
				t.Fatalf("%v was not refused:\n%s", tt.run, out)
			case tt.refused:
				if exitCode(err) != 1 {
					t.Errorf("exit %d, want 1", exitCode(err))
				}
				msg := strings.ReplaceAll(strings.ReplaceAll(err.Error(), dir, "DIR"), "DIR/x.db", "DB")
				if !strings.Contains(msg, "DB") {
					t.Errorf("the refusal does not name the database:\n%s", msg)
				}
				for _, w := range tt.want {
					if !strings.Contains(msg, w) {
						t.Errorf("the refusal lacks %q:\n%s", w, msg)
					}
				}
				if !bytes.Equal(fileBytes(t, db), before) {
					t.Errorf("the refused %v changed the database file", tt.run)
				}
			case err != nil:
				t.Fatalf("%v: %v\n%s", tt.run, err, out)
			}
			check, err := runCmd(t, "check", "--db", db)
			if err != nil {
				t.Fatalf("check: %v\n%s", err, check)
			}
			if !strings.Contains(check, tt.origin) {
				t.Errorf("check says:\n%s\nwant %q", check, tt.origin)
			}
		})
	}
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestServeRecordsItsDemoDataAsSeeded(t *testing.T) {
	db := filepath.Join(t.TempDir(), "demo.db")
	url := startServe(t, db)
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "ready (seeded at scale 1 on ") {
		t.Errorf("/readyz: %d %q", resp.StatusCode, body)
	}
	// The demo database takes no import.
	out, err := runCmd(t, "import", "--db", db, fixture)
	if err == nil || !strings.Contains(err.Error(), "refusing to import into "+db) {
		t.Errorf("import into the demo database: %v\n%s", err, out)
	}
}

func TestReadyzShowsTheImport(t *testing.T) {
	db := fixtureDB(t)
	url := startServe(t, db)
	resp, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	want := "ready (imported from " + mustAbs(t, fixture) + " on "
	if resp.StatusCode != 200 || !strings.HasPrefix(string(body), want) {
		t.Errorf("/readyz: %d %q, want it to start with %q", resp.StatusCode, body, want)
	}
}

func TestMixedDatabaseOfEarlierVersions(t *testing.T) {
	// What issue 13 reported: real records, then a seed into the same file,
	// by a version of portfolio that recorded no origin.
	ctx := context.Background()
	db := fixtureDB(t)
	w, err := sqlite.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error {
		_, err := seed.Generate(ctx, s, seed.Options{Scale: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	w.Close()
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("DELETE FROM origin"); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	check, err := runCmd(t, "check", "--db", db)
	if err != nil || !strings.Contains(check, "origin: synthetic and real records mixed before origins were recorded (662 synthetic startups, 2 others)") {
		t.Errorf("check: %v\n%s", err, check)
	}
	before := fileBytes(t, db)
	for _, args := range [][]string{{"seed", "--db", db, "--add"}, {"import", "--db", db, fixture}} {
		out, err := runCmd(t, args...)
		if err == nil || !strings.Contains(err.Error(), "refusing to write into "+db+": it holds synthetic and real records mixed") ||
			!strings.Contains(err.Error(), "Nothing was written") {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
	}
	if !bytes.Equal(fileBytes(t, db), before) {
		t.Errorf("a refused command changed the database file")
	}
}
