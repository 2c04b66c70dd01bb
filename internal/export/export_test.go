package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// env is a server over the synthetic network at scale 1, shared by the
// tests of the package (they only read).
type env struct {
	url    string
	db     *sqlite.DB
	viewer string // a viewer's token
}

var shared *env

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "export-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		ctx := context.Background()
		db, err := sqlite.Open(ctx, filepath.Join(dir, "export.db"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer db.Close()
		if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
			_, err := seed.Generate(ctx, s, seed.Options{Scale: 1})
			return err
		}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		token, _, err := db.CreateToken(ctx, "export-tests", portfolio.RoleViewer, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		srv := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), PublicRead: true}))
		defer srv.Close()
		shared = &env{url: srv.URL, db: db, viewer: token}
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// get fetches a path of the server with a token ("" for anonymous).
func (e *env) get(t *testing.T, path, token string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// exportURL is /export with a query and more parameters.
func exportURL(query string, kv ...string) string {
	v := url.Values{"query": {query}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return "/export?" + v.Encode()
}

// graphql runs a query on /graphql as a viewer and decodes its data.
func (e *env) graphql(t *testing.T, query string, dst any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.viewer)
	_, b := do(t, req)
	var out struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Errors) > 0 {
		t.Fatalf("graphql: %v %s", err, b)
	}
	if err := json.Unmarshal(out.Data, dst); err != nil {
		t.Fatal(err)
	}
}

// golden compares got with testdata/NAME.golden, or rewrites it with
// -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/export -update to write it)", err)
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s differs (-want +got); go test ./internal/export -update rewrites it:\n%s", path, lineDiff(string(want), string(got)))
	}
}

// lineDiff shows the lines that differ between want and got (a longest
// common subsequence of lines), with a line of context, at most 40.
func lineDiff(want, got string) string {
	a, b := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	if len(a)*len(b) > 4_000_000 {
		return fmt.Sprintf("(too long to diff: %d and %d lines)", len(a), len(b))
	}
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out strings.Builder
	shown := 0
	i, j := 0, 0
	for (i < len(a) || j < len(b)) && shown < 40 {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			i, j = i+1, j+1
			continue
		case j < len(b) && (i == len(a) || lcs[i][j+1] >= lcs[i+1][j]):
			fmt.Fprintf(&out, "+%4d %q\n", j+1, b[j])
			j++
		default:
			fmt.Fprintf(&out, "-%4d %q\n", i+1, a[i])
			i++
		}
		shown++
	}
	return out.String()
}
