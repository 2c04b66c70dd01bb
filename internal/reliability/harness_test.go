package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite" // driver "sqlite", for the checksums and the durability checks
)

// optIn is the environment variable that makes every suite run, as
// .ci/run does. Without it a suite runs only when -run names it, so that
// the README's "go test ./..." stays fast.
const optIn = "PORTFOLIO_RELIABILITY"

// requireSuite skips the test unless PORTFOLIO_RELIABILITY=1 or the -run
// pattern names the suite (e.g. "go test ./internal/reliability -run
// TestLoad").
func requireSuite(t *testing.T, name string) {
	t.Helper()
	if os.Getenv(optIn) == "1" {
		return
	}
	if f := flag.Lookup("test.run"); f != nil && strings.Contains(f.Value.String(), name) {
		return
	}
	t.Skipf("reliability suite %s: run it with go test ./internal/reliability -run Test%s, or set %s=1", name, name, optIn)
}

// envInt reads a positive integer from the environment, or returns def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		t.Fatalf("%s=%q: want a positive integer", name, v)
	}
	return n
}

// ---------------------------------------------------------------- the binary

var build struct {
	once sync.Once
	dir  string // temporary directory holding the binary
	root string // module root
	bin  string
	err  error
}

// TestMain runs the suites, then removes the binary they built.
func TestMain(m *testing.M) {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	os.Exit(code)
}

// moduleRoot returns the directory of the module's go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside a module")
	}
	return filepath.Dir(gomod), nil
}

// binary builds cmd/portfolio once per test binary and returns its path;
// PORTFOLIO_BINARY names another build to test instead (an older one, to
// see a suite fail on it).
func binary(t *testing.T) string {
	t.Helper()
	build.once.Do(func() {
		if bin := os.Getenv("PORTFOLIO_BINARY"); bin != "" {
			build.bin = bin
			return
		}
		build.root, build.err = moduleRoot()
		if build.err != nil {
			return
		}
		build.dir, build.err = os.MkdirTemp("", "portfolio-reliability-")
		if build.err != nil {
			return
		}
		bin := filepath.Join(build.dir, "portfolio")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/portfolio")
		cmd.Dir = build.root
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build ./cmd/portfolio: %w\n%s", err, out)
			return
		}
		build.bin = bin
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

// cleanEnv is the environment of the processes started: this one's, less
// the PORTFOLIO_* variables, so that every setting comes from flags.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PORTFOLIO_") {
			env = append(env, kv)
		}
	}
	return env
}

// cli runs a portfolio command to completion and returns its standard
// output.
func cli(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cliErr(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// cliErr runs a portfolio command to completion (two minutes at most) and
// returns its standard output, or an error with its standard error.
func cliErr(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, build.bin, args...)
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("portfolio %s: %w\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// createToken makes a token with the CLI and returns its secret, which
// "token create" prints alone on its last line.
func createToken(t *testing.T, db, name, role string, incubators ...string) string {
	t.Helper()
	args := []string{"token", "create", "--db", db, "--role", role, "--name", name}
	for _, inc := range incubators {
		args = append(args, "--incubator", inc)
	}
	lines := strings.Split(strings.TrimSpace(cli(t, args...)), "\n")
	secret := strings.TrimSpace(lines[len(lines)-1])
	if secret == "" || strings.ContainsAny(secret, " \t") {
		t.Fatalf("token create printed %q as its last line, want the secret", secret)
	}
	return secret
}

// newDatabase writes a database for a suite: the real snapshot imported
// when PORTFOLIO_SNAPSHOT is set and snapshot is true, else the synthetic
// network at scale 1. It returns the path and what it holds.
func newDatabase(t *testing.T, snapshot bool) (path, source string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "portfolio.db")
	if dir := os.Getenv("PORTFOLIO_SNAPSHOT"); snapshot && dir != "" {
		cli(t, "import", "--db", path, dir)
		return path, "real snapshot (" + filepath.Base(filepath.Dir(dir)) + ")"
	}
	cli(t, "seed", "--db", path, "--scale", "1")
	return path, "seed --scale 1"
}

// ---------------------------------------------------------------- the server

// server is a running "portfolio serve".
type server struct {
	cmd     *exec.Cmd
	URL     string // http://127.0.0.1:PORT
	stderr  *logTail
	done    chan struct{}
	waitErr error
}

// startServer starts "portfolio serve" on db, on a free loopback port,
// with the extra flags, and waits for its "listening on" line. The process
// is killed when the test ends, if it still runs.
func startServer(t *testing.T, db string, extra ...string) *server {
	t.Helper()
	args := append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, extra...)
	cmd := exec.Command(binary(t), args...)
	cmd.Env = cleanEnv()
	ready := make(chan string, 1)
	cmd.Stdout = &lineWatcher{fn: func(line string) {
		if u, ok := strings.CutPrefix(line, "listening on "); ok {
			select {
			case ready <- strings.TrimSpace(u):
			default:
			}
		}
	}}
	s := &server{cmd: cmd, stderr: &logTail{max: 64 << 10}, done: make(chan struct{})}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the server: %v", err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(s.kill)
	select {
	case u := <-ready:
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Fatalf("the server listens on %s, want loopback", u)
		}
		s.URL = u
	case <-s.done:
		t.Fatalf("the server stopped before listening: %v\n%s", s.waitErr, s.stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("the server did not print its address within a minute\n%s", s.stderr.String())
	}
	return s
}

// Pid returns the server's process id.
func (s *server) Pid() int { return s.cmd.Process.Pid }

// kill sends SIGKILL, unless the process has ended, and waits for it.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// stop asks the server to stop (SIGTERM, letting requests finish), and
// kills it if it has not stopped within 20 s.
func (s *server) stop() error {
	select {
	case <-s.done:
		return s.waitErr
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-s.done:
		return s.waitErr
	case <-time.After(20 * time.Second):
		s.kill()
		return errors.New("the server did not stop within 20 s of SIGTERM")
	}
}

// peakRSS returns the process's peak resident set size in KiB (VmHWM of
// /proc/PID/status), or 0 where there is no /proc.
func (s *server) peakRSS() int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.Pid()))
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

// lineWatcher is an io.Writer that calls fn with each complete line.
type lineWatcher struct {
	mu  sync.Mutex
	buf []byte
	fn  func(string)
}

// Write splits p into lines.
func (w *lineWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.fn(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// logTail keeps the last max bytes of the server's log, and counts the
// lines logged at level ERROR and those that say the database was locked.
type logTail struct {
	mu            sync.Mutex
	max           int
	buf           []byte
	partial       []byte
	errors        int
	locked        int
	errorExamples []string
	lines         int // complete lines
}

// Write keeps p and counts its complete lines.
func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if len(l.buf) > l.max {
		l.buf = l.buf[len(l.buf)-l.max:]
	}
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		l.lines++
		if strings.Contains(line, "level=ERROR") {
			l.errors++
			if len(l.errorExamples) < 5 {
				l.errorExamples = append(l.errorExamples, truncate(line, 300))
			}
		}
		if mentionsLocked(line) {
			l.locked++
		}
	}
	return len(p), nil
}

// String returns the last bytes of the log.
func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
}

// counts returns the number of ERROR lines, of "database is locked" lines,
// and a few ERROR lines.
func (l *logTail) counts() (errs, locked int, examples []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.errors, l.locked, slices.Clone(l.errorExamples)
}

// lineCount returns the number of complete lines logged so far.
func (l *logTail) lineCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lines
}

// mentionsLocked reports whether s tells of SQLite's busy or locked errors.
func mentionsLocked(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "database is locked") || strings.Contains(s, "sqlite_busy") || strings.Contains(s, "database table is locked")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + fmt.Sprintf("… (%d bytes)", len(s))
}

// ---------------------------------------------------------------- GraphQL over HTTP

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// code returns the error's extensions.code, or "".
func (e gqlError) code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// reply is what the server answered to one request.
type reply struct {
	Status  int
	Header  http.Header
	Body    []byte
	Data    json.RawMessage
	Errors  []gqlError
	Elapsed time.Duration
	JSON    bool // the body is a JSON object
}

// firstCode returns the code of the first error, or "".
func (r *reply) firstCode() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[0].code()
}

// newClient returns an HTTP client for many concurrent requests to one
// loopback server.
func newClient(conns int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        conns,
			MaxIdleConnsPerHost: conns,
			IdleConnTimeout:     30 * time.Second,
			DisableCompression:  true,
		},
	}
}

// send sends req and reads the whole answer (64 MiB at most).
func send(c *http.Client, req *http.Request) (*reply, error) {
	start := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	r := &reply{Status: resp.StatusCode, Header: resp.Header, Body: body, Elapsed: time.Since(start)}
	var env struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if json.Unmarshal(body, &env) == nil && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		r.JSON, r.Data, r.Errors = true, env.Data, env.Errors
	}
	return r, nil
}

// acceptGraphQL is the Accept header of the suites' GraphQL requests, the
// one the GraphQL-over-HTTP specification recommends to clients: the
// answer is application/graphql-response+json, whose status tells a
// refused request (the table's status of its code; a client of
// application/json only gets a 200 with the errors).
const acceptGraphQL = "application/graphql-response+json, application/json;q=0.9"

// gql posts a GraphQL request with an optional bearer token.
func gql(ctx context.Context, c *http.Client, url, token, query string, vars map[string]any) (*reply, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, fmt.Errorf("encode the request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", acceptGraphQL)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(c, req)
}

// mustQuery runs a query that must succeed and decodes its data into dst.
func mustQuery(t *testing.T, c *http.Client, url, token, query string, vars map[string]any, dst any) {
	t.Helper()
	r, err := gql(context.Background(), c, url, token, query, vars)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %+v\nquery: %s", r.Status, r.Errors, query)
	}
	if dst != nil {
		if err := json.Unmarshal(r.Data, dst); err != nil {
			t.Fatalf("decode %s: %v", r.Data, err)
		}
	}
}

// ---------------------------------------------------------------- the database

// openReadOnly opens an SQLite database read-only.
func openReadOnly(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// checksumSkip lists the columns left out of the checksum: a token's last
// use is written (at most once a minute) by any authenticated request, and
// is not data a request may change.
var checksumSkip = map[string]bool{"tokens.last_used_at": true}

// checksum returns a SHA-256 over every row of every table of the database
// at path, in a stable order (tables by name, rows by all their columns),
// and the number of rows per table. The columns of checksumSkip are left
// out.
func checksum(path string) (string, map[string]int, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return "", nil, err
	}
	defer db.Close()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
	if err != nil {
		return "", nil, fmt.Errorf("list the tables: %w", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return "", nil, fmt.Errorf("list the tables: %w", err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return "", nil, fmt.Errorf("list the tables: %w", err)
	}
	h := sha256.New()
	counts := map[string]int{}
	for _, table := range tables {
		n, err := hashTable(ctx, db, h, table)
		if err != nil {
			return "", nil, err
		}
		counts[table] = n
	}
	return hex.EncodeToString(h.Sum(nil)), counts, nil
}

// quoteIdent quotes an SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// hashTable writes the table's name, columns and rows to h.
func hashTable(ctx context.Context, db *sql.DB, h hash.Hash, table string) (int, error) {
	cols, err := columns(ctx, db, table)
	if err != nil {
		return 0, err
	}
	var kept []string
	for _, c := range cols {
		if !checksumSkip[table+"."+c] {
			kept = append(kept, quoteIdent(c))
		}
	}
	order := make([]string, len(kept))
	for i := range kept {
		order[i] = strconv.Itoa(i + 1)
	}
	fmt.Fprintf(h, "table %q %q\n", table, kept)
	rows, err := db.QueryContext(ctx, "SELECT "+strings.Join(kept, ", ")+" FROM "+quoteIdent(table)+" ORDER BY "+strings.Join(order, ", "))
	if err != nil {
		return 0, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	vals := make([]any, len(kept))
	ptrs := make([]any, len(kept))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return 0, fmt.Errorf("read %s: %w", table, err)
		}
		for _, v := range vals {
			switch v := v.(type) {
			case []byte:
				fmt.Fprintf(h, "b%d:", len(v))
				h.Write(v)
			case string:
				fmt.Fprintf(h, "s%d:", len(v))
				io.WriteString(h, v)
			default:
				fmt.Fprintf(h, "%T:%v", v, v)
			}
			h.Write([]byte{0})
		}
		h.Write([]byte{'\n'})
		n++
	}
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read %s: %w", table, err)
	}
	return n, nil
}

// columns returns the names of the table's columns, in order.
func columns(ctx context.Context, db *sql.DB, table string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT name FROM pragma_table_info(?) ORDER BY cid", table)
	if err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", table, err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("columns of %s: %w", table, err)
	}
	return cols, nil
}

// committeeComments returns the comment of each committee of the database
// whose comment starts with prefix, by slug.
func committeeComments(path, prefix string) (map[string]string, error) {
	db, err := openReadOnly(path)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query("SELECT slug, comment FROM committees WHERE substr(comment, 1, length(?)) = ?", prefix, prefix)
	if err != nil {
		return nil, fmt.Errorf("read the committees: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var slug, comment string
		if err := rows.Scan(&slug, &comment); err != nil {
			return nil, fmt.Errorf("read the committees: %w", err)
		}
		out[slug] = comment
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the committees: %w", err)
	}
	return out, nil
}

// checkDB runs "portfolio check --db path", which must print "ok".
func checkDB(path string) error {
	out, err := cliErr("check", "--db", path)
	if err != nil {
		return err
	}
	// It prints the database's origin, then ok.
	if lines := strings.Split(strings.TrimSpace(out), "\n"); lines[len(lines)-1] != "ok" {
		return fmt.Errorf("portfolio check printed %q, want ok on its last line", out)
	}
	return nil
}

// ---------------------------------------------------------------- figures

// latency summarises a set of durations.
type latency struct {
	Count int     `json:"count"`
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
	Maxms float64 `json:"max_ms"`
}

// summarize returns the count, median, 99th percentile and maximum of ds.
func summarize(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	at := func(q float64) time.Duration { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return latency{Count: len(s), P50ms: ms(at(0.50)), P99ms: ms(at(0.99)), Maxms: ms(s[len(s)-1])}
}

// writeArtifact writes v as indented JSON to testdata/artifacts/NAME at the
// module root (git-ignored), for docs/reliability.md to quote.
func writeArtifact(t *testing.T, name string, v any) {
	t.Helper()
	dir := filepath.Join(build.root, "testdata", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("artifacts: %v", err)
		return
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Errorf("artifacts: %v", err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		t.Errorf("artifacts: %v", err)
		return
	}
	t.Logf("figures written to %s", path)
}

// pastDay returns the day back+1 days before today in Europe/Paris, the
// zone the server takes "today" in, so that no committee written by the
// suites is in the future.
func pastDay(back int) string {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	return time.Now().In(loc).AddDate(0, 0, -1-back).Format(time.DateOnly)
}

// writeTarget is a startup a writer may record committees on, with the
// token allowed to.
type writeTarget struct {
	Slug  string
	Token string
}

const recordMutation = `mutation($in: RecordCommitteeInput!) { recordCommittee(input: $in) { committee { slug comment } } }`

// recordCommittee records a committee with a unique comment and returns its
// slug when the server acknowledged it (200, no errors, a slug and the
// comment echoed).
func recordCommittee(ctx context.Context, c *http.Client, url string, w writeTarget, date, comment string) (*reply, string, error) {
	r, err := gql(ctx, c, url, w.Token, recordMutation, map[string]any{"in": map[string]any{
		"startup": w.Slug, "date": date, "decision": "CONTINUE", "budgetEuros": 100000, "comment": comment,
		"anotherOnSameDay": true, // every write is a new committee, even on a day drawn twice
	}})
	if err != nil {
		return nil, "", err
	}
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		return r, "", nil
	}
	var d struct {
		RecordCommittee struct {
			Committee struct{ Slug, Comment string }
		}
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		return r, "", fmt.Errorf("decode %s: %w", r.Data, err)
	}
	if d.RecordCommittee.Committee.Slug == "" || d.RecordCommittee.Committee.Comment != comment {
		return r, "", fmt.Errorf("recordCommittee answered %s", r.Data)
	}
	return r, d.RecordCommittee.Committee.Slug, nil
}

// ---------------------------------------------------------------- fixture

// fixture is a database with what the suites need to know of it, and a
// token per role made with the CLI.
type fixture struct {
	DB         string
	Source     string   // what the database holds
	Incubator  string   // the manager's incubator: the one with most startups
	Incubators []string // every incubator
	Own        []string // startups of the manager's incubator
	Others     []string // startups of the other incubators
	Advanced   string   // a startup of the manager's incubator now in CONSTRUCTION or later
	Members    []string // a few hundred member slugs
	Committee  string   // a committee of a startup of the manager's incubator
	Admin      string
	Viewer     string
	Manager    string
	Revoked    string // a viewer token, revoked
}

// column returns the first column of the rows a query reads, as strings.
func column(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// newFixture reads the database at path and creates the tokens.
func newFixture(t *testing.T, path, source string) *fixture {
	t.Helper()
	f := &fixture{DB: path, Source: source}
	db, err := openReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	strs := func(q string, args ...any) []string { return column(t, db, q, args...) }
	top := strs(`SELECT i.slug FROM startups s JOIN incubators i ON i.id = s.incubator_id GROUP BY i.slug ORDER BY count(*) DESC, i.slug LIMIT 1`)
	if len(top) == 0 {
		t.Fatal("the database has no startup with an incubator")
	}
	f.Incubator = top[0]
	f.Incubators = strs(`SELECT slug FROM incubators ORDER BY slug`)
	f.Own = strs(`SELECT s.slug FROM startups s JOIN incubators i ON i.id = s.incubator_id WHERE i.slug = ? ORDER BY s.slug`, f.Incubator)
	f.Others = strs(`SELECT s.slug FROM startups s LEFT JOIN incubators i ON i.id = s.incubator_id WHERE i.slug IS NULL OR i.slug <> ? ORDER BY s.slug`, f.Incubator)
	adv := strs(`SELECT s.slug FROM startups s JOIN incubators i ON i.id = s.incubator_id JOIN phases p ON p.startup_id = s.id
		WHERE i.slug = ? AND p."end" IS NULL AND p.phase IN ('CONSTRUCTION', 'ACCELERATION', 'CONSOLIDATION') ORDER BY s.slug LIMIT 1`, f.Incubator)
	if len(adv) > 0 {
		f.Advanced = adv[0]
	}
	f.Members = strs(`SELECT slug FROM members ORDER BY slug LIMIT 500`)
	if cs := strs(`SELECT c.slug FROM committees c JOIN startups s ON s.id = c.startup_id JOIN incubators i ON i.id = s.incubator_id
		WHERE i.slug = ? ORDER BY c.slug LIMIT 1`, f.Incubator); len(cs) > 0 {
		f.Committee = cs[0]
	} else {
		f.Committee = "no-committee/2020-01-01"
	}
	db.Close()
	if len(f.Own) == 0 || len(f.Others) == 0 || len(f.Members) == 0 || f.Advanced == "" {
		t.Fatalf("the database lacks startups or members to work on: %d own, %d others, %d members, advanced %q", len(f.Own), len(f.Others), len(f.Members), f.Advanced)
	}
	f.Admin = createToken(t, path, "reliability-admin", "admin")
	f.Viewer = createToken(t, path, "reliability-viewer", "viewer")
	f.Manager = createToken(t, path, "reliability-manager", "manager", f.Incubator)
	f.Revoked = createToken(t, path, "reliability-revoked", "viewer")
	cli(t, "token", "revoke", "--db", path, "reliability-revoked")
	return f
}
