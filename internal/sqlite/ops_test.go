package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// putOrgs loads the new organisations prefix-from … prefix-(to-1) in one
// transaction (Fresh: no need to list the records it leaves out).
func putOrgs(ctx context.Context, db *sqlite.DB, prefix string, from, to int) error {
	_, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		for i := from; i < to; i++ {
			slug := fmt.Sprintf("%s-%d", prefix, i)
			if err := s.PutOrganisation(ctx, &portfolio.Organisation{Slug: slug, Name: "Organisation " + slug}); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

// rawExec runs statements on the file at path through a plain connection,
// without the program's pragmas (so foreign keys are not enforced).
func rawExec(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "live.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rawExec(t, path, `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19999)
		INSERT INTO organisations (slug, name) SELECT 'base-' || i, 'Organisation base-' || i FROM n`)

	// Another writer on the same file, as another process would be: one
	// small transaction after another until told to stop.
	writer, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	var committed atomic.Int64 // live-0 … live-(committed-1) are committed
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var writeErr error
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := putOrgs(ctx, writer, "live", i, i+1); err != nil {
				writeErr = err
				return
			}
			committed.Store(int64(i + 1))
		}
	})
	waitFor := func(n int64) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for committed.Load() < n {
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("the writer committed %d transactions in 20 s (error %v)", committed.Load(), writeErr)
			}
			time.Sleep(time.Millisecond)
		}
	}

	type backup struct {
		path          string
		before, after int64 // transactions committed before the backup started, and when it ended
	}
	var backups []backup
	for i := range 3 {
		waitFor(int64(10 * (i + 1)))
		b := backup{path: filepath.Join(dir, fmt.Sprintf("copy-%d.db", i)), before: committed.Load()}
		if err := db.Backup(ctx, b.path); err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		b.after = committed.Load()
		backups = append(backups, b)
	}
	after := committed.Load()
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writer: %v", writeErr)
	}
	if after < 30 {
		t.Fatalf("only %d writes", after)
	}

	for _, b := range backups {
		cp, err := sqlite.OpenExisting(ctx, b.path)
		if err != nil {
			t.Fatal(err)
		}
		problems, err := cp.Check(ctx)
		if err != nil || len(problems) > 0 {
			t.Errorf("%s: check: %v %q", b.path, err, problems)
		}
		raw, err := sql.Open("sqlite", b.path)
		if err != nil {
			t.Fatal(err)
		}
		var base, live, maxLive int64
		if err := raw.QueryRow(`SELECT count(*) FILTER (WHERE slug LIKE 'base-%'), count(*) FILTER (WHERE slug LIKE 'live-%'),
			coalesce(max(CAST(substr(slug, 6) AS INTEGER)) FILTER (WHERE slug LIKE 'live-%'), -1) FROM organisations`).Scan(&base, &live, &maxLive); err != nil {
			t.Fatal(err)
		}
		raw.Close()
		cp.Close()
		if base != 20000 {
			t.Errorf("%s: %d base rows, want 20000", b.path, base)
		}
		// Every transaction committed before the backup began is in it, and
		// what it holds is a prefix of the writer's transactions.
		if live < b.before || live != maxLive+1 {
			t.Errorf("%s: %d live rows (highest live-%d), want at least the %d committed before the backup, without gaps", b.path, live, maxLive, b.before)
		}
		t.Logf("%s: %d writes committed before it, %d in it, %d when it ended", filepath.Base(b.path), b.before, live, b.after)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestBackupNeverOverwrites(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "exists.db")
	if err := os.WriteFile(out, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := db.Backup(ctx, out)
	if !errors.Is(err, sqlite.ErrExists) {
		t.Fatalf("Backup onto an existing file: %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(out); string(b) != "precious" {
		t.Errorf("the existing file was changed: %q", b)
	}
	if err := db.Backup(ctx, filepath.Join(dir, "no-such-folder", "x.db")); err == nil {
		t.Errorf("Backup into a missing folder succeeded")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name  string
		setup []string // raw statements, foreign keys not enforced
		want  []string // substrings, one per expected problem
	}{
		{name: "clean"},
		{
			name:  "startup with a missing incubator",
			setup: []string{`INSERT INTO startups (slug, name, incubator_id) VALUES ('orpheline', 'Orpheline', 999)`},
			want:  []string{"foreign key: startups (incubator_id) → incubators (id): 1 row has no parent row (rowid "},
		},
		{
			name: "sponsors of a missing organisation",
			setup: []string{
				`INSERT INTO startups (id, slug, name) VALUES (50, 'a', 'A')`,
				`INSERT INTO startup_sponsors (startup_id, organisation_id, seq) VALUES (50, 998, 0), (50, 999, 1)`,
			},
			want: []string{"foreign key: startup_sponsors (organisation_id) → organisations (id): 2 rows have no parent row"},
		},
		{
			name: "a phase list its phases do not give",
			setup: []string{
				`INSERT INTO startups (id, slug, name) VALUES (50, 'a', 'A')`,
				`INSERT INTO phase_lists (startup_id, phases) VALUES (50, '0,investigation,2024-01-01,')`,
			},
			want: []string{"derived lists: phase_lists differs from the phases for 1 startup(s) (a): rewrite them with portfolio check --repair-lists"},
		},
		{
			name: "lists of a startup that is gone, and a missing list",
			setup: []string{
				`INSERT INTO mission_lists (startup_id, missions, last_mission) VALUES (77, '1:7', 7)`,
				`INSERT INTO startups (id, slug, name) VALUES (50, 'a', 'A')`,
				`INSERT INTO organisations (id, slug, name, acronym, type, domaine_ministeriel) VALUES (5, 'o', 'O', '', '', '')`,
				`INSERT INTO startup_sponsors (startup_id, organisation_id, seq) VALUES (50, 5, 0)`,
				`DELETE FROM sponsor_lists`,
			},
			want: []string{
				"derived lists: mission_lists differs from the missions and their members for 1 startup(s) (#77)",
				"derived lists: sponsor_lists differs from the sponsors for 1 startup(s) (a)",
			},
		},
		{
			name:  "schema behind",
			setup: []string{`DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)`},
			want:  []string{fmt.Sprintf(", want %d", sqlite.SchemaVersion())}, // the version before may be any lower number
		},
		{
			name:  "not a portfolio database",
			setup: []string{`DROP TABLE schema_migrations`},
			want:  []string{"no such table: schema_migrations"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.db")
			db, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			db.Close()
			rawExec(t, path, tt.setup...)
			db, err = sqlite.OpenExisting(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			got, err := db.Check(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Check: %q, want %d problems", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("problem %d: %q, want it to contain %q", i, got[i], w)
				}
			}
		})
	}
}

func TestCheckCorruptFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := putOrgs(ctx, db, "o", 0, 2000); err != nil {
		t.Fatal(err)
	}
	db.Close()
	// Overwrite a page in the middle of the file with garbage.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	if _, err := f.WriteAt([]byte(strings.Repeat("\xde\xad\xbe\xef", 1024)), fi.Size()/2/4096*4096); err != nil {
		t.Fatal(err)
	}
	f.Close()
	db, err = sqlite.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	problems, err := db.Check(ctx)
	if err == nil && len(problems) == 0 {
		t.Fatal("Check found nothing wrong in a corrupted file")
	}
	t.Logf("problems %q, error %v", problems, err)
}

func TestOpenExisting(t *testing.T) {
	ctx := context.Background()
	missing := filepath.Join(t.TempDir(), "missing.db")
	if _, err := sqlite.OpenExisting(ctx, missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenExisting(missing): %v, want not exist", err)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Errorf("OpenExisting created the file")
	}
	db := MustOpenDB(t)
	ro, err := sqlite.OpenExisting(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if err := putOrgs(ctx, ro, "x", 0, 1); err == nil {
		t.Errorf("a write through OpenExisting succeeded")
	}
	if err := ro.Ready(ctx); err != nil {
		t.Errorf("Ready: %v", err)
	}
}
