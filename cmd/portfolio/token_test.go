package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// tokenTestDB creates a database holding the incubators "serre" and
// "verger" and returns its path.
func tokenTestDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tokens.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		return errors.Join(
			s.PutIncubator(ctx, &portfolio.Incubator{Slug: "serre", Title: "La Serre"}),
			s.PutIncubator(ctx, &portfolio.Incubator{Slug: "verger", Title: "Le Verger"}),
		)
	}); err != nil {
		t.Fatal(err)
	}
	return path
}

// portfolioCmd runs the program with args (without the program name) and
// an environment of env.
func portfolioCmd(env map[string]string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{"portfolio"}, args...), func(k string) string { return env[k] }, &out, &errOut)
	return out.String(), errOut.String(), err
}

// harnessToken is what the bench-peers harness takes as the token:
// grep -oE '[A-Za-z0-9_.-]{24,}' | tail -n 1.
func harnessToken(stdout string) string {
	all := regexp.MustCompile(`[A-Za-z0-9_.-]{24,}`).FindAllString(stdout, -1)
	if len(all) == 0 {
		return ""
	}
	return all[len(all)-1]
}

var secretLine = regexp.MustCompile(`^pf_[1-9][0-9]*_[A-Za-z0-9_-]{43}$`)

func TestTokenCreateListRevoke(t *testing.T) {
	db := tokenTestDB(t)
	out, _, err := portfolioCmd(nil, "token", "create", "--db", db, "--role", "viewer", "--name", "bench")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	secret := lines[len(lines)-1]
	if !secretLine.MatchString(secret) {
		t.Fatalf("the last line %q is not the token alone:\n%s", secret, out)
	}
	if got := harnessToken(out); got != secret {
		t.Errorf("the harness's grep takes %q, not the token %q", got, secret)
	}
	for _, want := range []string{`"bench"`, "role:       viewer", "shown this once", "only its SHA-256 hash is kept", "Authorization: Bearer"} {
		if !strings.Contains(out, want) {
			t.Errorf("create output lacks %q:\n%s", want, out)
		}
	}

	// The environment gives the database too; a manager lists its incubators.
	env := map[string]string{"PORTFOLIO_DB": db}
	out, _, err = portfolioCmd(env, "token", "create", "--role", "MANAGER", "--incubator", "verger", "--incubator", "serre", "--name", "lead")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "incubators: serre, verger") {
		t.Errorf("create output lacks the incubators:\n%s", out)
	}
	managerSecret := harnessToken(out)

	list := func() string {
		t.Helper()
		out, _, err := portfolioCmd(env, "token", "list")
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	out = list()
	for _, s := range []string{secret, managerSecret} {
		if strings.Contains(out, s[len(s)-43:]) {
			t.Fatalf("token list shows a secret:\n%s", out)
		}
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if len(rows) != 3 || !strings.HasPrefix(rows[0], "ID") {
		t.Fatalf("token list:\n%s\nwant a header and two rows", out)
	}
	for i, want := range [][]string{{"ID", "NAME", "ROLE", "INCUBATORS", "CREATED", "EXPIRES", "LAST", "USED", "REVOKED"},
		{"1", "bench", "viewer", "-"}, {"2", "lead", "manager", "serre,verger"}} {
		fields := strings.Fields(rows[i])
		if len(fields) < len(want) || !slices.Equal(fields[:len(want)], want) {
			t.Errorf("row %d %q, want it to start with %q", i, rows[i], want)
		}
		if i > 0 && !slices.Equal(fields[len(fields)-3:], []string{"-", "-", "-"}) {
			t.Errorf("row %d %q: a new token made without --expires never expires, and is neither used nor revoked", i, rows[i])
		}
	}

	out, _, err = portfolioCmd(env, "token", "revoke", "bench")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `revoked token "bench"`) || !strings.Contains(out, "has no admin token") {
		t.Errorf("revoke output:\n%s", out)
	}
	if _, _, err := portfolioCmd(env, "token", "revoke", "bench"); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	if _, _, err := portfolioCmd(env, "token", "revoke", "2"); err != nil {
		t.Errorf("revoking by id: %v", err)
	}
	for _, row := range strings.Split(strings.TrimSpace(list()), "\n")[1:] {
		if !regexp.MustCompile(`  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`).MatchString(row) {
			t.Errorf("row %q does not end with a revocation date", row)
		}
	}
	_, _, err = portfolioCmd(env, "token", "revoke", "nobody")
	if err == nil || exitCode(err) != 3 || !strings.Contains(err.Error(), "nobody") {
		t.Errorf("revoking an unknown token: %v (exit %d), want exit 3 (NOT_FOUND) naming it", err, exitCode(err))
	}

	// The revoked token no longer opens the database.
	sdb, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	if _, err := sdb.Authenticate(context.Background(), secret); portfolio.ErrorCode(err) != portfolio.EUnauthenticated {
		t.Errorf("a revoked token authenticates: %v", err)
	}
}

func TestTokenErrors(t *testing.T) {
	db := tokenTestDB(t)
	if _, _, err := portfolioCmd(nil, "token", "create", "--db", db, "--role", "admin", "--name", "taken"); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing.db")
	tests := []struct {
		name     string
		args     []string
		wantExit int
		wantMsg  string
	}{
		{"no subcommand", []string{"token"}, 2, "create, list or revoke"},
		{"unknown subcommand", []string{"token", "delete", "x"}, 2, `"delete"`},
		{"bad role", []string{"token", "create", "--db", db, "--role", "owner", "--name", "x"}, 2, `"owner"`},
		{"anonymous role", []string{"token", "create", "--db", db, "--role", "anonymous", "--name", "x"}, 2, `"anonymous"`},
		{"no role", []string{"token", "create", "--db", db, "--name", "x"}, 2, "--role is required"},
		{"no name", []string{"token", "create", "--db", db, "--role", "viewer"}, 2, "--name is required"},
		{"unknown flag", []string{"token", "create", "--db", db, "--role", "viewer", "--name", "x", "--secret", "s"}, 2, "secret"},
		{"argument", []string{"token", "create", "--db", db, "--role", "viewer", "--name", "x", "extra"}, 2, "no arguments"},
		{"manager without incubator", []string{"token", "create", "--db", db, "--role", "manager", "--name", "x"}, 2, "at least one incubator"},
		{"unknown incubator", []string{"token", "create", "--db", db, "--role", "manager", "--incubator", "serre", "--incubator", "potager", "--name", "x"}, 2, `unknown incubator "potager"`},
		{"viewer with incubator", []string{"token", "create", "--db", db, "--role", "viewer", "--incubator", "serre", "--name", "x"}, 2, "only a manager"},
		{"name taken", []string{"token", "create", "--db", db, "--role", "viewer", "--name", "taken"}, 5, `"taken" already exists`}, // CONFLICT
		{"missing database", []string{"token", "create", "--db", missing, "--role", "admin", "--name", "x"}, 1, "does not exist"},
		{"list, missing database", []string{"token", "list", "--db", missing}, 1, "does not exist"},
		{"revoke without token", []string{"token", "revoke", "--db", db}, 2, "one token"},
		{"revoke, missing database", []string{"token", "revoke", "--db", missing, "x"}, 1, "does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, _, err := portfolioCmd(nil, tt.args...)
			if err == nil {
				t.Fatalf("no error; stdout:\n%s", stdout)
			}
			if got := exitCode(err); got != tt.wantExit {
				t.Errorf("exit %d, want %d (%v)", got, tt.wantExit, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("error %q does not say %q", err, tt.wantMsg)
			}
			if harnessToken(stdout) != "" && secretLine.MatchString(harnessToken(stdout)) {
				t.Errorf("a failed create printed a token:\n%s", stdout)
			}
		})
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a token command created %s", missing)
	}
	out, _, err := portfolioCmd(nil, "token", "list", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(strings.TrimSpace(out), "\n"); n != 1 {
		t.Errorf("failed creations left tokens:\n%s", out)
	}
}

// serveOutput runs serve with env on dbPath and returns its URL and what it
// printed before "listening on"; the server stops when the test ends.
func serveOutput(t *testing.T, dbPath string, env map[string]string, extra ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	args := append([]string{"portfolio", "serve", "--db", dbPath, "--addr", "127.0.0.1:0"}, extra...)
	go func() {
		err := run(ctx, args, func(k string) string { return env[k] }, pw, io.Discard)
		pw.CloseWithError(err)
		done <- err
	}()
	t.Cleanup(func() { stopServe(t, cancel, done) })
	var before strings.Builder
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if url, ok := strings.CutPrefix(sc.Text(), "listening on "); ok {
			go io.Copy(io.Discard, pr)
			return url, before.String()
		}
		before.WriteString(sc.Text() + "\n")
	}
	t.Fatalf("serve never printed its address: %v\n%s", sc.Err(), before.String())
	return "", ""
}

func TestServeAccess(t *testing.T) {
	db := tokenTestDB(t)
	query := func(url, token string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(`{"query":"{__typename}"}`))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	url, out := serveOutput(t, db, nil)
	hint := "portfolio token create --db " + db + " --role admin --name NAME"
	if !strings.Contains(out, hint) || !strings.Contains(out, "nothing is writable") {
		t.Errorf("serve without an admin token does not say how to create one:\n%s", out)
	}
	if got := query(url, ""); got != http.StatusOK {
		t.Errorf("anonymous read by default: status %d", got)
	}
	if got := query(url, "pf_1_nope"); got != http.StatusUnauthorized {
		t.Errorf("a bad token: status %d, want 401", got)
	}

	out, _, err := portfolioCmd(nil, "token", "create", "--db", db, "--role", "admin", "--name", "root")
	if err != nil {
		t.Fatal(err)
	}
	admin := harnessToken(out)
	for _, tt := range []struct {
		name  string
		env   map[string]string
		extra []string
	}{
		{"env", map[string]string{"PORTFOLIO_PUBLIC_READ": "0"}, nil},
		{"flag", nil, []string{"--public-read=false"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url, out := serveOutput(t, db, tt.env, tt.extra...)
			if strings.Contains(out, "token create") {
				t.Errorf("serve with an admin token still asks for one:\n%s", out)
			}
			if got := query(url, ""); got != http.StatusUnauthorized {
				t.Errorf("anonymous read with public reading off: status %d, want 401", got)
			}
			if got := query(url, admin); got != http.StatusOK {
				t.Errorf("admin token: status %d", got)
			}
		})
	}
	_, _, err = portfolioCmd(map[string]string{"PORTFOLIO_PUBLIC_READ": "maybe"}, "serve", "--db", db)
	if exitCode(err) != 2 {
		t.Errorf("PORTFOLIO_PUBLIC_READ=maybe: %v, want a usage error", err)
	}
}
