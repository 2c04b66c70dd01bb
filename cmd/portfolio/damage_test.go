package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/sqlite/sqlitetest"
)

// serveOrFail runs "portfolio serve" on the database and returns what it
// printed when it ended by itself; a serve that starts listening is
// stopped and reported.
func serveOrFail(t *testing.T, db string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var errOut bytes.Buffer
	var mu sync.Mutex
	done := make(chan error, 1)
	go func() {
		err := run(ctx, []string{"portfolio", "serve", "--db", db, "--addr", "127.0.0.1:0"}, func(string) string { return "" },
			pw, lockedWriter{&mu, &errOut})
		pw.CloseWithError(io.EOF)
		done <- err
	}()
	var out strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "listening on ") {
			cancel()
			go io.Copy(io.Discard, pr)
			select {
			case <-done:
			case <-time.After(15 * time.Second):
			}
			t.Fatalf("serve started on a damaged database:\n%s", out.String())
		}
	}
	err = <-done
	mu.Lock()
	defer mu.Unlock()
	return out.String(), errOut.String(), err
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func TestServeRefusesADamagedDatabase(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, db string)
		says   []string
	}{
		{"pages overwritten", func(t *testing.T, db string) { sqlitetest.Corrupt(t, db, "startups") },
			[]string{"is damaged: not serving it. PRAGMA quick_check says:\n  ", "malformed"}},
		{"not a database", func(t *testing.T, db string) {
			for _, p := range []string{db, db + "-wal", db + "-shm"} {
				os.Remove(p)
			}
			if err := os.WriteFile(db, []byte("portfolio.db: not SQLite at all\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, []string{"is damaged: not serving it. Opening it says:\n  ", "file is not a database"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := fixtureDB(t)
			tt.damage(t, db)
			before := fileBytes(t, db)
			stdout, stderr, err := serveOrFail(t, db)
			if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), db+" is damaged") {
				t.Errorf("serve of a damaged database: %v (exit %d), want exit 1 naming it", err, exitCode(err))
			}
			for _, w := range append(tt.says,
				"The database "+db+" is damaged",
				"portfolio check --db "+db+"\n",
				"portfolio backup --db "+db+" ",
			) {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stdout, "listening") {
				t.Errorf("stdout: %s", stdout)
			}
			if !bytes.Equal(fileBytes(t, db), before) {
				t.Errorf("serve wrote to the damaged file")
			}
		})
	}
}

func TestDamageFoundWhileServing(t *testing.T) {
	db := fixtureDB(t)
	url := startServe(t, db)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/readyz"); code != 200 {
		t.Fatalf("/readyz before the damage: %d %s", code, body)
	}
	// The server has read no startup yet: its connections find the pages
	// damaged.
	sqlitetest.Corrupt(t, db, "startups")

	out := postQuery(t, url, `{startups(first: 10) {nodes {name}}}`)
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("no error from a query of damaged pages: %v", out)
	}
	first, _ := errs[0].(map[string]any)
	ext, _ := first["extensions"].(map[string]any)
	if first["message"] != "the database is damaged; see the server log" || ext["code"] != "DATABASE_DAMAGED" {
		b, _ := json.Marshal(errs)
		t.Errorf("GraphQL errors: %s", b)
	}
	code, body := get("/readyz")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "not ready: the database is damaged since ") || !strings.Contains(body, "malformed") {
		t.Errorf("/readyz after the damage: %d %q", code, body)
	}
	code, body = get("/export/startups.csv")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, `"error":"the database is damaged; see the server log"`) || !strings.Contains(body, `"DATABASE_DAMAGED"`) {
		t.Errorf("/export/startups.csv after the damage: %d %s", code, body)
	}
}
