package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// fixtureDB imports the small beta.gouv.fr fixture into a new database and
// returns its path.
func fixtureDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "live.db")
	if out, err := runCmd(t, "import", "--db", path, "../../internal/betagouv/testdata/current"); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	return path
}

func TestBackupWhileAnotherProcessWrites(t *testing.T) {
	ctx := context.Background()
	path := fixtureDB(t)
	before := dump(t, path)

	// Another writer on the file, in its own pools as a server would be:
	// organisations added one transaction at a time until the backup ends.
	w, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	stop, started := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Go(func() {
		for i := 0; ; i++ {
			if i == 5 {
				close(started)
			}
			select {
			case <-stop:
				return
			default:
			}
			_, err := w.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error {
				slug := fmt.Sprintf("zz-writer-%d", i)
				return s.PutOrganisation(ctx, &portfolio.Organisation{Slug: slug, Name: slug})
			})
			if err != nil {
				writeErr = err
				if i < 5 {
					close(started)
				}
				return
			}
		}
	})
	<-started

	out := filepath.Join(t.TempDir(), "copy.db")
	stdout, err := runCmd(t, "backup", "--db", path, out)
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stdout)
	}
	if !regexp.MustCompile(`^backed up .*live\.db to .*copy\.db: [0-9.]+ (B|kB|MB) in [0-9.]+(µs|ms|s) \(integrity check ok\)\n$`).MatchString(stdout) {
		t.Errorf("unexpected output %q", stdout)
	}
	if stdout, err := runCmd(t, "check", "--db", out); err != nil || !strings.HasSuffix(stdout, "\nok\n") || !strings.Contains(stdout, "origin: imported from ") {
		t.Errorf("check of the copy: %v\n%s", err, stdout)
	}
	// The copy is the fixture plus a prefix of the writer's organisations.
	var kept []string
	for _, line := range strings.Split(dump(t, out), "\n") {
		if !strings.Contains(line, "zz-writer-") {
			kept = append(kept, line)
		}
	}
	if got := strings.Join(kept, "\n"); got != before {
		t.Errorf("the copy differs from the database (writer rows aside):\n%s\nwant\n%s", got, before)
	}
	if !strings.Contains(dump(t, out), "zz-writer-4 ") {
		t.Errorf("the copy lacks writes committed before the backup")
	}
}

func TestBackupErrors(t *testing.T) {
	path := fixtureDB(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing.db")
	if err := os.WriteFile(existing, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.db")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"no destination", []string{"backup", "--db", path}, 2, "one argument"},
		{"two destinations", []string{"backup", "--db", path, "a.db", "b.db"}, 2, "one argument"},
		{"destination exists", []string{"backup", "--db", path, existing}, 1, "file exists"},
		{"no database", []string{"backup", "--db", missing, filepath.Join(dir, "x.db")}, 1, "no such file"},
		// The user's path, not that of the temporary file beside it.
		{"destination folder missing", []string{"backup", "--db", path, filepath.Join(dir, "nope", "x.db")}, 1, "cannot write " + filepath.Join(dir, "nope", "x.db") + ": no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, err := runCmd(t, tt.args...)
			if err == nil || exitCode(err) != tt.wantCode || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("err %v (exit %d), want exit %d with %q\n%s", err, exitCode(err), tt.wantCode, tt.wantErr, stdout)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep me" {
		t.Errorf("an existing file was overwritten: %q", b)
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup created the missing database")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left in %s: %v", dir, entries)
	}
}

func TestBackupDatabaseFromEnvironment(t *testing.T) {
	path := fixtureDB(t)
	out := filepath.Join(t.TempDir(), "copy.db")
	stdout, _, err := portfolioCmd(map[string]string{"PORTFOLIO_DB": path}, "backup", out)
	if err != nil {
		t.Fatalf("backup: %v\n%s", err, stdout)
	}
	if dump(t, out) != dump(t, path) {
		t.Errorf("the copy differs from the database")
	}
}

func TestByteSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {999_949, "999.9 kB"}, {999_950, "1.0 MB"},
		{12_345_678, "12.3 MB"}, {4_500_000_000, "4.5 GB"},
	}
	for _, tt := range tests {
		if got := byteSize(tt.n); got != tt.want {
			t.Errorf("byteSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
