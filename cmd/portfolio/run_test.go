package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startServe runs "portfolio serve" on port 0 with the given database and
// returns its base URL; the server stops when the test ends.
func startServe(t *testing.T, dbPath string, extra ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	args := append([]string{"portfolio", "serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, extra...)
	go func() {
		err := run(ctx, args, func(string) string { return "" }, pw, io.Discard)
		pw.CloseWithError(err)
		done <- err
	}()
	t.Cleanup(func() { stopServe(t, cancel, done) })
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if url, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			go io.Copy(io.Discard, pr)
			return url
		}
	}
	t.Fatalf("serve never printed its address: %v", sc.Err())
	return ""
}

func postQuery(t *testing.T, url, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	resp, err := http.Post(url+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %v", resp.StatusCode, out)
	}
	return out
}

func TestServeNewDatabaseHasDemoData(t *testing.T) {
	url := startServe(t, filepath.Join(t.TempDir(), "demo.db"))
	out := postQuery(t, url, `{startups(first:5){edges{node{name}}}}`)
	edges := out["data"].(map[string]any)["startups"].(map[string]any)["edges"].([]any)
	if len(edges) != 5 {
		t.Fatalf("got %d startups, want 5: %v", len(edges), out)
	}
	for _, e := range edges {
		if name, _ := e.(map[string]any)["node"].(map[string]any)["name"].(string); name == "" {
			t.Errorf("startup without a name: %v", e)
		}
	}
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(page, []byte("graphiql")) {
		t.Errorf("GET / does not serve GraphiQL")
	}
}

func TestRunUsage(t *testing.T) {
	tests := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"portfolio"}, 2, ""},
		{[]string{"portfolio", "nope"}, 2, ""},
		{[]string{"portfolio", "help"}, 0, "portfolio serve"},
		{[]string{"portfolio", "version"}, 0, "portfolio "},
		{[]string{"portfolio", "seed", "--scale", "0"}, 2, ""},
		{[]string{"portfolio", "import"}, 2, ""},
		{[]string{"portfolio", "serve", "extra"}, 2, ""},
		{[]string{"portfolio", "help", "replica"}, 0, "replica --from URL --db FILE"},
		{[]string{"portfolio", "serve", "--replicate-to", "relative/dir"}, 2, ""},
		{[]string{"portfolio", "serve", "--replicate-to", "sftp://user@host/srv/store"}, 2, ""}, // no key, no password
		{[]string{"portfolio", "replica", "--db", "r.db"}, 2, ""},
		{[]string{"portfolio", "replica", "--db", "r.db", "--from", "file:///tmp/s", "--primary", "ftp://p"}, 2, ""},
		{[]string{"portfolio", "replica", "--db", "r.db", "--from", "file:///tmp/s", "--stall-after", "0s"}, 2, ""},
		{[]string{"portfolio", "replica", "--sync-repo", "x"}, 2, ""}, // serve's own flags
		{[]string{"portfolio", "promote", "--db", "r.db"}, 2, ""},
		{[]string{"portfolio", "follow", "--from", "file:///tmp/s"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout bytes.Buffer
			err := run(context.Background(), tt.args, func(string) string { return "" }, &stdout, io.Discard)
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d (%v), want %d", code, err, tt.wantCode)
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout %q does not contain %q", stdout.String(), tt.wantOut)
			}
		})
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:6060": true, "localhost:0": true, "[::1]:6060": true,
		"0.0.0.0:6060": false, ":6060": false, "10.0.0.1:6060": false, "nope": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

// stopServe cancels a serve started by a test and waits for it to end,
// reporting its error. The wait is bounded only so that a server that never
// stops fails the test instead of hanging it: two minutes, far past the
// shutdown timeout (10 s), so that a loaded machine cannot miss it.
func stopServe(t *testing.T, cancel context.CancelFunc, done <-chan error) {
	t.Helper()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve ended with %v", err)
		}
	case <-time.After(2 * time.Minute):
		t.Error("serve did not shut down within 2 minutes")
	}
}
