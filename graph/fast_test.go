package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// twoExecutors serves one database twice: through Executable (the fast
// path in front of gqlgen's executor) and through gqlgen's executor alone.
type twoExecutors struct {
	// fast calls an object's resolvers at the same time, oneByOne one
	// after the other (the fast path when the server is idle, and busy).
	fast, oneByOne, slow string // server URLs
	fastSchema           graphql.ExecutableSchema
	viewer               string // a viewer's token ("" asks anonymously)
	admin                string // an admin's token: reads every field
}

func newTwoExecutors(t *testing.T, db *sqlite.DB) *twoExecutors {
	t.Helper()
	token, _, err := db.CreateToken(context.Background(), "fast-path-tests", portfolio.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := db.CreateToken(context.Background(), "fast-path-tests-admin", portfolio.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	fast := graph.ExecutableResolving(db, true)
	// No response cache: every request executes.
	f := httptest.NewServer(server.New(server.Config{DB: db, Schema: fast, PublicRead: true, ResponseCacheBytes: -1}))
	o := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.ExecutableResolving(db, false), PublicRead: true, ResponseCacheBytes: -1}))
	s := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.ExecutableWithoutFastPath(db), PublicRead: true, ResponseCacheBytes: -1}))
	t.Cleanup(f.Close)
	t.Cleanup(o.Close)
	t.Cleanup(s.Close)
	return &twoExecutors{fast: f.URL, oneByOne: o.URL, slow: s.URL, fastSchema: fast, viewer: token, admin: admin}
}

func postRaw(t *testing.T, url, token, query string, vars map[string]any) []byte {
	t.Helper()
	_, b := postGraphQL(t, url, token, query, vars)
	return b
}

// same asks both executors and fails unless the answers are the same
// bytes; it reports whether the fast path answered.
//
// An error folded over the rows of a list (FORBIDDEN on a protected field)
// stands at the path of the first row gqlgen's goroutines reached, which
// may differ from run to run: paths are compared without their indices.
func (e *twoExecutors) same(t *testing.T, token, query string, vars map[string]any) bool {
	t.Helper()
	before := graph.FastAnswers(e.fastSchema)
	got := comparable(t, postRaw(t, e.fast, token, query, vars))
	taken := graph.FastAnswers(e.fastSchema) > before
	want := comparable(t, postRaw(t, e.slow, token, query, vars))
	if one := comparable(t, postRaw(t, e.oneByOne, token, query, vars)); !bytes.Equal(one, got) {
		t.Errorf("answers differ with an object's resolvers called together and one by one\nquery: %s\nvars: %v\ntogether:   %.1000s\none by one: %.1000s", query, vars, got, one)
	}
	if !bytes.Equal(got, want) {
		// From a little before where they part.
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		i = max(0, i-300)
		t.Errorf("answers differ (fast path taken: %v)\nquery: %s\nvars: %v\nfrom byte %d:\nfast path: %.1000s\ngqlgen:    %.1000s", taken, query, vars, i, got[i:], want[i:])
	}
	return taken
}

// comparable returns an answer as it is, but for its errors: their list
// indices are left out of their paths, and they are sorted (gqlgen's
// goroutines meet them in any order). The data stay the bytes written.
func comparable(t *testing.T, b []byte) []byte {
	t.Helper()
	var a struct {
		Errors     []json.RawMessage `json:"errors"`
		Data       json.RawMessage   `json:"data"`
		Extensions json.RawMessage   `json:"extensions"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("not an answer: %v: %.300s", err, b)
	}
	if len(a.Errors) == 0 {
		return b
	}
	errs := make([]string, len(a.Errors))
	for i, e := range a.Errors {
		errs[i] = string(pathIndex.ReplaceAll(e, []byte(`$1"#"`)))
	}
	slices.Sort(errs)
	return fmt.Appendf(nil, "errors %s\ndata %s\nextensions %s", strings.Join(errs, "\n"), a.Data, a.Extensions)
}

// pathIndex is a list index in an error's path.
var pathIndex = regexp.MustCompile(`([\[,])[0-9]+`)

// fastCorpus are questions the fast path must answer, each as gqlgen's
// executor does: the peers' benchmark questions, then each shape of
// selection gqlgen reads (aliases, fragments, directives, __typename,
// paging, arguments inherited through asOf, nulls).
var fastCorpus = []struct {
	name  string
	query string
	vars  map[string]any
}{
	{"Q1", q1, map[string]any{"n": 100}},
	{"Q3", q3, map[string]any{"n": 1000}},
	{"Q2", `query Q2($slug: String!) { startup(slug: $slug) { name pitch phases { phase start end }
		committees { date comment } missions(first: 1000) { nodes { start end status member { fullname domain } } } } }`, nil},
	{"every field", `{ startups(first: 7, orderBy: [{field: NAME, direction: DESC}]) { totalCount
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }
		edges { cursor node { id slug } }
		nodes { __typename id slug name pitch description contact version link repository accessibilityStatus statsUrl
			impactUrl budgetUrl dashlordUrl riskAnalysisUrl securityHomologation riskAnalysis accessibility
			incubator { __typename id slug title shortDescription description contact version website github address
				owner { id slug name acronym type ministerialDomain version } }
			sponsors { id slug name acronym type ministerialDomain version }
			phases { __typename phase label start end durationDays source comment }
			currentPhase { phase start durationDays } phase active committeeOverdue teamSize reviewStatus incubatedSince
			committees { __typename id slug date decision nextPhase nextCommitteeDue nextDue source version comment budgetEuros phase }
			missions(first: 4) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { slug } }
				nodes { __typename id slug start end version source status employer
					member { __typename id slug fullname role domain github link memberType bio version } } } } } }`, nil},
	{"aliases and fragments", `query A($skip: Boolean!, $with: Boolean!) { __typename
		a: startups(first: 3) { nodes { ...S x: name } }
		b: startups(first: 2, after: "bzoy") { nodes { slug ... on Startup { pitch @skip(if: $skip) name @include(if: $with) } } }
		startups(first: 2) { nodes { slug, slug, n: phases { p: phase } phases { start } } } }
		fragment S on Startup { slug name incubator { ...I } i2: incubator { slug } }
		fragment I on Incubator { title t: title }`, map[string]any{"skip": true, "with": false}},
	{"dated", `{ startups(first: 5, asOf: "2020-01-01") { nodes { slug phase active committeeOverdue teamSize
		phases { durationDays } currentPhase { phase durationDays } p2: phase(asOf: "2024-06-30") } } }`, nil},
	{"review status", `{ startups(first: 30, asOf: "2026-08-20", orderBy: [{field: REVIEW_STATUS}]) { nodes { slug reviewStatus incubatedSince
		r2020: reviewStatus(asOf: "2020-01-01") } } }`, nil},
	{"filter and order", `{ startups(first: 5, filter: {phases: [ACCELERATION, CONSTRUCTION], active: true},
		orderBy: [{field: NAME}], asOf: "2025-01-01") { totalCount nodes { slug phase } } }`, nil},
	{"last page", `{ startups(last: 3) { pageInfo { hasPreviousPage hasNextPage startCursor } nodes { slug } } }`, nil},
	{"incubators", `{ incubators(first: 4, after: "bzox") { totalCount pageInfo { hasNextPage } edges { cursor }
		nodes { slug startups(first: 2, orderBy: [{field: NAME}]) { totalCount nodes { slug } }
			owner { slug sponsoredStartups(first: 2) { totalCount nodes { slug } } } } } }`, nil},
	{"by slug", `query($s: String!, $i: String!, $o: String!, $m: String!) { startup(slug: $s) { slug }
		none: startup(slug: "no-such-startup") { slug } incubator(slug: $i) { slug } organisation(slug: $o) { slug }
		member(slug: $m) { slug fullname } nobody: member(slug: "no.body") { slug } }`, nil},
	{"empty page", `{ startups(first: 0) { totalCount pageInfo { hasNextPage startCursor } nodes { slug } edges { cursor } } }`, nil},
}

// TestFastPathSameAnswers holds the fast path to gqlgen's executor: the
// corpus, then questions drawn at random over the fields the fast path
// knows, must come out the same, byte for byte (data, errors and
// extensions), as a viewer and anonymously; and the fast path must have
// answered them (else the comparison proves nothing). Questions it must
// decline are answered by gqlgen alone.
func TestFastPathSameAnswers(t *testing.T) {
	db := seededDB(t)
	e := newTwoExecutors(t, db)
	slugs := firstSlugs(t, e)
	for _, c := range fastCorpus {
		t.Run(c.name, func(t *testing.T) {
			vars := map[string]any{"slug": slugs["startup"], "s": slugs["startup"], "i": slugs["incubator"], "o": slugs["organisation"], "m": slugs["member"]}
			for k, v := range c.vars {
				vars[k] = v
			}
			if !e.same(t, e.viewer, c.query, vars) {
				t.Errorf("the fast path did not answer %s", c.name)
			}
			e.same(t, "", c.query, vars) // anonymous: protected fields are null, with FORBIDDEN
		})
	}
	t.Run("random", func(t *testing.T) {
		g := newQueryGen(rand.New(rand.NewPCG(1, 2)), slugs)
		taken, n := 0, 0
		for n < 150 || (len(g.undrawn()) > 0 && n < 600) {
			q := g.query()
			b := postRaw(t, e.slow, e.admin, q, nil)
			if bytes.Contains(b, []byte(`"COMPLEXITY_LIMIT"`)) {
				continue // refused by both, before any read: another one
			}
			if bytes.Contains(b, []byte(`"errors"`)) {
				t.Fatalf("a random question fails: %.500s\nquery: %s", b, q)
			}
			g.accept()
			n++
			if e.same(t, e.admin, q, nil) {
				taken++
			}
			if t.Failed() {
				return
			}
		}
		if u := g.undrawn(); len(u) > 0 {
			t.Errorf("%d questions drew no question on %s", n, strings.Join(u, ", "))
		}
		if taken < n*9/10 {
			t.Errorf("the fast path answered %d of %d random questions; want at least 90%%", taken, n)
		}
		t.Logf("%d random questions, %d answered by the fast path, drawn from the %d planned fields a question reaches", n, taken, g.reachable())
	})
	t.Run("declined", func(t *testing.T) {
		for _, q := range []string{
			`{ startups(first: 2) { nodes { slug ... @defer { name } } } }`, // @defer
			`{ __schema { queryType { name } } }`,                           // introspection
			`{ startups(first: -1) { nodes { slug } } }`,                    // the resolver's error
			`{ startup(slug: 3) { slug } }`,                                 // a bad argument
		} {
			before := graph.FastAnswers(e.fastSchema)
			e.same(t, e.viewer, q, nil)
			if graph.FastAnswers(e.fastSchema) != before {
				t.Errorf("the fast path answered %s", q)
			}
		}
		// A protected field an anonymous caller asks for is null, with
		// FORBIDDEN at its path, on both.
		if !e.same(t, "", `{ startups(first: 3) { nodes { slug missions(first: 2) { nodes { status } } } } }`, nil) {
			t.Error("the fast path did not answer a protected field to an anonymous caller")
		}
	})
}

// TestFastPathRealData compares the two executors on the real snapshot
// (PORTFOLIO_SNAPSHOT), whose text has every kind of character, null and
// edge the synthetic network may lack.
func TestFastPathRealData(t *testing.T) {
	dir := os.Getenv("PORTFOLIO_SNAPSHOT")
	if dir == "" {
		t.Skip("PORTFOLIO_SNAPSHOT is not set")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "real.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	snap, err := betagouv.Read(ctx, dir, betagouv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error { return snap.WriteTo(ctx, s) }); err != nil {
		t.Fatal(err)
	}
	e := newTwoExecutors(t, db)
	all := `{ startups(first: 1000) { totalCount nodes { slug name pitch description contact link repository accessibilityStatus
		statsUrl impactUrl budgetUrl dashlordUrl riskAnalysisUrl securityHomologation riskAnalysis accessibility phase active
		committeeOverdue teamSize incubator { slug title owner { name acronym } } sponsors { slug name acronym type ministerialDomain }
		phases { phase label start end durationDays source comment } committees { date decision nextPhase nextCommitteeDue comment budgetEuros phase }
		missions(first: 1000) { totalCount nodes { slug start end status employer member { slug fullname role domain github link memberType } } } } } }`
	for _, q := range []string{q1, q3, all} {
		if !e.same(t, e.viewer, q, map[string]any{"n": 1000}) && !strings.Contains(q, "description") {
			t.Errorf("the fast path did not answer %.60s", q)
		}
	}
	g := newQueryGen(rand.New(rand.NewPCG(3, 4)), firstSlugs(t, e))
	for range 60 {
		e.same(t, e.viewer, g.query(), nil)
		if t.Failed() {
			return
		}
	}
}

// firstSlugs finds a startup, incubator, organisation and member of the
// network.
func firstSlugs(t *testing.T, e *twoExecutors) map[string]string {
	t.Helper()
	var out struct {
		Data struct {
			Startups struct {
				Nodes []struct {
					Slug      string
					Incubator *struct {
						Slug  string
						Owner *struct{ Slug string }
					}
					Missions struct {
						Nodes []struct{ Member struct{ Slug string } }
					}
				}
			}
		}
	}
	b := postRaw(t, e.slow, e.viewer, `{ startups(first: 50) { nodes { slug incubator { slug owner { slug } } missions(first: 1) { nodes { member { slug } } } } } }`, nil)
	var more struct {
		Data struct {
			Startups   struct{ Nodes []struct{ ID string } }
			Incubators struct{ Nodes []struct{ ID string } }
			Committees struct{ Nodes []struct{ Slug string } }
		}
	}
	if err := json.Unmarshal(postRaw(t, e.slow, e.viewer, `{ startups(first: 1) { nodes { id } } incubators(first: 1) { nodes { id } } committees(first: 1) { nodes { slug } } }`, nil), &more); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	slugs := map[string]string{}
	for _, s := range out.Data.Startups.Nodes {
		if slugs["startup"] == "" && len(s.Missions.Nodes) > 0 {
			slugs["startup"], slugs["member"] = s.Slug, s.Missions.Nodes[0].Member.Slug
		}
		if slugs["organisation"] == "" && s.Incubator != nil && s.Incubator.Owner != nil {
			slugs["incubator"], slugs["organisation"] = s.Incubator.Slug, s.Incubator.Owner.Slug
		}
	}
	if len(slugs) != 4 || len(more.Data.Startups.Nodes) == 0 || len(more.Data.Incubators.Nodes) == 0 || len(more.Data.Committees.Nodes) == 0 {
		t.Fatalf("the network lacks a startup with missions or an incubator with an owner: %v", slugs)
	}
	slugs["id"], slugs["incubatorId"], slugs["committee"] = more.Data.Startups.Nodes[0].ID, more.Data.Incubators.Nodes[0].ID, more.Data.Committees.Nodes[0].Slug
	return slugs
}

// TestTotalWhenAnotherSelectionSkipsIt checks that a page of an incubator's
// startups asked with its total has it, when the same page (same
// arguments) is asked without it elsewhere in the question, and read
// first: the two shared one batch of the loaders, whose last registration
// decided for both (the totals came out -1 or not depending on the order
// the executor met them). On both executors.
func TestTotalWhenAnotherSelectionSkipsIt(t *testing.T) {
	db := seededDB(t)
	e := newTwoExecutors(t, db)
	const q = `{ a: startups(first: 5) { nodes { incubator { startups(first: 2) { nodes { slug } } } } }
		b: incubators(first: 50) { nodes { slug startups(first: 2) { totalCount } } } }`
	want := map[string]int{}
	var counts struct {
		Data struct {
			Incubators struct {
				Nodes []struct {
					Slug     string
					Startups struct{ TotalCount int }
				}
			}
		}
	}
	if err := json.Unmarshal(postRaw(t, e.slow, e.viewer, `{ incubators(first: 50) { nodes { slug startups { totalCount } } } }`, nil), &counts); err != nil {
		t.Fatal(err)
	}
	for _, n := range counts.Data.Incubators.Nodes {
		want[n.Slug] = n.Startups.TotalCount
	}
	for name, url := range map[string]string{"fast path": e.fast, "gqlgen": e.slow} {
		var got struct {
			Data struct {
				B struct {
					Nodes []struct {
						Slug     string
						Startups struct{ TotalCount int }
					}
				}
			}
		}
		if err := json.Unmarshal(postRaw(t, url, e.viewer, q, nil), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Data.B.Nodes) == 0 {
			t.Fatalf("%s: no incubators", name)
		}
		for _, n := range got.Data.B.Nodes {
			if n.Startups.TotalCount != want[n.Slug] {
				t.Errorf("%s: %s has %d startups, totalCount says %d", name, n.Slug, want[n.Slug], n.Startups.TotalCount)
			}
		}
	}
}
