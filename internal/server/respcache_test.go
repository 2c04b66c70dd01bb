package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"

	"github.com/incubateurs/portfolio/graph"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func post(t *testing.T, h http.Handler, token, body string) (string, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Header().Get("X-Portfolio-Cache"), rec.Body.String()
}

func TestResponseCache(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	admin, _, err := db.CreateToken(ctx, "admin", portfolio.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	read := q(`{ committees(first: 1000) { totalCount } }`)
	if c, _ := post(t, h, "", read); c != "miss" {
		t.Fatalf("first read: %q, want miss", c)
	}
	c, before := post(t, h, "", read)
	if c != "hit" {
		t.Fatalf("same read again: %q, want hit", c)
	}
	if c, _ := post(t, h, admin, read); c != "miss" {
		t.Errorf("another caller's read: %q, want miss (answers depend on the caller)", c)
	}
	// A write through the API invalidates at once.
	var slug struct{}
	_ = slug
	_, out := post(t, h, admin, q(`{ startups(first: 1, filter: {active: true}) { nodes { slug } } }`))
	s := out[strings.Index(out, `"slug":"`)+8:]
	s = s[:strings.Index(s, `"`)]
	_, w := post(t, h, admin, `{"query":"mutation { recordCommittee(input: {startup: \"`+s+`\", date: \"2025-02-03\", decision: CONTINUE}) { committee { slug } } }"}`)
	if !strings.Contains(w, "recordCommittee") || strings.Contains(w, "errors") {
		t.Fatalf("write: %s", w)
	}
	c, after := post(t, h, "", read)
	if c != "miss" || after == before {
		t.Errorf("read after a write: %q, same answer %v: the cache served stale data", c, after == before)
	}
	// A write by another process (another connection) invalidates within the poll.
	other, err := sqlite.Open(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	post(t, h, "", read) // cache it again
	if _, err := other.Load(ctx, sqlite.LoadOptions{}, func(sk portfolio.Sink) error {
		return sk.PutOrganisation(ctx, &portfolio.Organisation{Slug: "nouvelle-orga", Name: "Nouvelle"})
	}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if c, _ := post(t, h, "", read); c != "miss" {
		t.Errorf("read after another process wrote: %q, want miss", c)
	}
	// Answers with errors are not kept.
	bad := q(`{ startups(first: 5000) { totalCount } }`)
	post(t, h, "", bad)
	if c, _ := post(t, h, "", bad); c == "hit" {
		t.Error("an answer with errors was cached")
	}
}

// TestResponseCacheDropsWhatAWriteTouched: a write drops the answers that
// read its kind of record, and only those; a load drops everything. And
// the hit rate of cached pages during a stream of writes, against the
// cache that dropped everything at each write.
func TestResponseCacheDropsWhatAWriteTouched(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	admin, _, err := db.CreateToken(ctx, "admin", portfolio.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	var slug string
	{
		h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
		_, out := post(t, h, admin, q(`{ startups(first: 1, filter: {active: true}) { nodes { slug } } }`))
		slug = out[strings.Index(out, `"slug":"`)+8:]
		slug = slug[:strings.Index(slug, `"`)]
	}
	members := q(`{ members(first: 20) { totalCount nodes { slug fullname domain } } }`)
	incubators := q(`{ incubators(first: 50) { nodes { slug title } } }`)
	review := q(`{ startups(first: 20, filter: {active: true}) { nodes { slug reviewStatus nextCommitteeDue } } }`)
	committees := q(`{ committees(first: 1000) { totalCount } }`)
	// Pages of one startup: another than the one written, as a dashboard
	// of one startup asks; the same; and one reaching other startups.
	var other string
	{
		h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
		_, out := post(t, h, admin, q(`{ startups(first: 2, filter: {active: true}) { nodes { slug } } }`))
		var a struct {
			Data struct {
				Startups struct{ Nodes []struct{ Slug string } }
			}
		}
		if err := json.Unmarshal([]byte(out), &a); err != nil || len(a.Data.Startups.Nodes) < 2 {
			t.Fatalf("%s: %v", out, err)
		}
		other = a.Data.Startups.Nodes[1].Slug
	}
	onePage := `query($s: String!) { startup(slug: $s) { name phase reviewStatus nextCommitteeDue committees { date decision } team { member { fullname } mission { start } } incubator { title } sponsors { name } } }`
	otherStartup := func(slug string) string {
		b, _ := json.Marshal(map[string]any{"query": onePage, "variables": map[string]any{"s": slug}})
		return string(b)
	}
	reaching := q(fmt.Sprintf(`{ startup(slug: %q) { name incubator { startups(first: 5) { nodes { slug reviewStatus } } } } }`, other))
	day := 0
	write := func(h http.Handler) {
		t.Helper()
		day++
		_, w := post(t, h, admin, q(fmt.Sprintf(`mutation { recordCommittee(input: {startup: %q, date: "2025-%02d-%02d", decision: CONTINUE, anotherOnSameDay: true}) { committee { slug } } }`,
			slug, 1+day/28, 1+day%28)))
		if strings.Contains(w, "errors") {
			t.Fatalf("write: %s", w)
		}
	}

	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	for _, body := range []string{members, incubators, review, committees, otherStartup(other), otherStartup(slug), reaching} {
		post(t, h, "", body)
	}
	write(h) // a committee: it changes committees and what is computed from them
	for _, tt := range []struct {
		name, body, want string
	}{
		{"members", members, "hit"},
		{"incubators", incubators, "hit"},
		{"review statuses (read committees)", review, "miss"},
		{"committees", committees, "miss"},
		{"another startup's page", otherStartup(other), "hit"},
		{"the page of the startup written", otherStartup(slug), "miss"},
		{"another startup's page reaching its incubator's startups", reaching, "miss"},
	} {
		if c, _ := post(t, h, "", tt.body); c != tt.want {
			t.Errorf("%s after a committee was recorded: %s, want %s", tt.name, c, tt.want)
		}
	}
	// A load (another process's import) drops everything.
	proc, err := sqlite.Open(ctx, db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer proc.Close()
	if _, err := proc.Load(ctx, sqlite.LoadOptions{}, func(sk portfolio.Sink) error {
		return sk.PutOrganisation(ctx, &portfolio.Organisation{Slug: "nouvelle-orga", Name: "Nouvelle"})
	}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c, _ := post(t, h, "", members); c != "miss"; c, _ = post(t, h, "", members) {
		if time.Now().After(deadline) {
			t.Fatal("an import by another process never dropped the members' page")
		}
		time.Sleep(10 * time.Millisecond)
	}

	// The hit rate of a dashboard's pages during a stream of writes: a
	// committee recorded, then each page read twice, 40 times over.
	rate := func(dropAll bool) map[string]float64 {
		h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, cacheDropAll: dropAll})
		pages := map[string]string{"members": members, "incubators": incubators, "review": review, "a startup": otherStartup(other)}
		hits := map[string]int{}
		for range 40 {
			write(h)
			for name, body := range pages {
				for range 2 {
					if c, _ := post(t, h, "", body); c == "hit" {
						hits[name]++
					}
				}
			}
		}
		out := map[string]float64{}
		for name := range pages {
			out[name] = float64(hits[name]) / 80
		}
		return out
	}
	before, after := rate(true), rate(false)
	for _, name := range []string{"members", "incubators", "review", "a startup"} {
		t.Logf("%-10s hit rate during a stream of writes: %3.0f%% when a write dropped everything, %3.0f%% now", name, 100*before[name], 100*after[name])
	}
	if after["members"] < 0.95 || after["incubators"] < 0.95 || after["a startup"] < 0.95 || before["members"] > 0.55 {
		t.Errorf("hit rates %v before, %v after: want the pages a committee does not touch kept", before, after)
	}
	if after["review"] > 0.55 {
		t.Errorf("the review statuses' page was kept across committees: %v", after["review"])
	}
}

// TestStartupScope: which queries are about one startup alone, and so
// stay cached across the writes of other startups.
func TestStartupScope(t *testing.T) {
	schema := graph.Schema()
	for _, tt := range []struct {
		query string
		vars  map[string]any
		want  string
	}{
		{`{ startup(slug: "a") { name phase reviewStatus committees { date attendees { name } } team { member { fullname teams { name } } } } }`, nil, "a"},
		{`query($s: String!) { one: startup(slug: $s) { name } two: startup(slug: $s) { slug } __typename }`, map[string]any{"s": "b"}, "b"},
		{`{ startup(slug: "a") { ...F } } fragment F on Startup { incubator { title owner { name } } events { name } }`, nil, "a"},
		{`{ a: startup(slug: "a") { name } b: startup(slug: "b") { name } }`, nil, ""},
		{`{ startup(slug: "a") { name } startups(first: 1) { totalCount } }`, nil, ""},
		{`{ startup(slug: "a") { incubator { startups(first: 1) { nodes { slug } } } } }`, nil, ""},
		{`{ startup(slug: "a") { incubator { portfolio { startupCount } } } }`, nil, ""},
		{`{ startup(slug: "a") { team { member { startups { slug } } } } }`, nil, ""},
		{`{ startup(slug: "a") { events { committee { date } } } }`, nil, ""},
		{`{ startup(slug: "a") { committees { startup { slug } } } }`, nil, ""},
		{`{ member(slug: "m") { fullname } }`, nil, ""},
	} {
		doc, errs := gqlparser.LoadQuery(schema, tt.query)
		if errs != nil {
			t.Fatalf("%s: %v", tt.query, errs)
		}
		op := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: tt.vars}
		if got := startupScope(op); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.query, got, tt.want)
		}
	}
}
