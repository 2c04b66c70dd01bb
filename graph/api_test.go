package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// apiEnv serves a database seeded with the synthetic network at scale 1.
type apiEnv struct {
	url   string
	db    *sqlite.DB
	token string // a viewer's: reads everything
}

// seededDB opens a new database holding the synthetic network at scale 1,
// closed when the test ends.
func seededDB(t testing.TB) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "seeded.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Recorded as `portfolio seed` records it: a database without a
	// recorded load is classified at each reading, its importedAt the
	// present second, which two requests may read differently.
	origin := &sqlite.OriginEvent{Kind: sqlite.OriginSeeded, Scale: 1, Method: sqlite.MethodSeed,
		RecordsAsOf: seed.RefDate, RecordsBasis: sqlite.BasisSeed}
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true, Origin: origin}, func(s portfolio.Sink) error {
		_, err := seed.Generate(ctx, s, seed.Options{Scale: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return db
}

func newAPI(t testing.TB) *apiEnv {
	t.Helper()
	ctx := context.Background()
	db := seededDB(t)
	token, _, err := db.CreateToken(ctx, "tests", portfolio.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The precise list bounds now: the quick first reading costs the deep
	// questions of these tests more, near the limit, until the precise one
	// lands in the background, sooner or later on a busy machine.
	if _, err := db.ReadListBounds(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), SQLStats: true, PublicRead: true}))
	t.Cleanup(srv.Close)
	return &apiEnv{url: srv.URL, db: db, token: token}
}

type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		SQL struct {
			Statements int     `json:"statements"`
			MS         float64 `json:"ms"`
		} `json:"sql"`
	} `json:"extensions"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// postGraphQL posts a query to the server at url with token ("" asks
// anonymously) and returns the status and the body.
func postGraphQL(t testing.TB, url, token, query string, vars map[string]any) (int, []byte) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// decodeResponse decodes a GraphQL response.
func decodeResponse(t testing.TB, b []byte) *gqlResponse {
	t.Helper()
	var out gqlResponse
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("decode: %v: %.200s", err, b)
	}
	return &out
}

// do posts a query and returns the whole response.
func (e *apiEnv) do(t testing.TB, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	_, b := postGraphQL(t, e.url, e.token, query, vars)
	return decodeResponse(t, b)
}

// query posts a query that must succeed and decodes its data into dst.
func (e *apiEnv) query(t testing.TB, query string, vars map[string]any, dst any) *gqlResponse {
	t.Helper()
	out := e.do(t, query, vars)
	if len(out.Errors) > 0 {
		t.Fatalf("errors: %+v\nquery: %s", out.Errors, query)
	}
	if dst != nil {
		if err := json.Unmarshal(out.Data, dst); err != nil {
			t.Fatalf("decode data: %v", err)
		}
	}
	return out
}

const q1 = `query Q1($n: Int) { startups(first: $n, orderBy: [{field: NAME}]) { nodes {
	name pitch incubator { title } sponsors { name acronym } phases { phase start end } } } }`

const q3 = `query Q3($n: Int) { incubators(first: 50) { nodes { title
	startups(first: $n, orderBy: [{field: NAME}]) { nodes { name phases { phase start end } sponsors { name } } } } } }`

const deep = `query Deep($n: Int) { startups(first: $n, asOf: "2025-06-30") { nodes {
	slug phase active teamSize committeeOverdue lastCommittee { date decision startup { slug } }
	team { role status member { slug domain competences teams { slug }
		missions(first: 5) { nodes { start startups { slug incubator { slug owner { slug } } } } } } }
	missions(first: 3) { totalCount nodes { member { fullname } } }
	events { name } thematiques committees { phase } } } }`

// TestStatementsDependOnShapeOnly checks that the number of SQL statements a
// query runs does not grow with the number of rows it returns.
func TestStatementsDependOnShapeOnly(t *testing.T) {
	e := newAPI(t)
	tests := []struct {
		name       string
		query      string
		small      int
		large      int
		wantAtMost int
	}{
		// The page (or the incubators, then their startups), the
		// incubators, the sponsors' links, their organisations, the
		// phases: the sponsors take two plain statements, cheaper than one
		// (Q3: 1.4 to 0.6 ms).
		{"Q1 portfolio page", q1, 10, 1000, 5},
		{"Q3 whole portfolio", q3, 2, 1000, 5},
		{"nested five levels", deep, 3, 100, 16}, // 300 costs more than the limit: the cost bounds every nested list
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.query(t, tt.query, map[string]any{"n": tt.small}, nil).Extensions.SQL.Statements
			b := e.query(t, tt.query, map[string]any{"n": tt.large}, nil).Extensions.SQL.Statements
			if a != b {
				t.Errorf("%d statements with %d rows, %d with %d: the count depends on the rows", a, tt.small, b, tt.large)
			}
			if b > tt.wantAtMost || b == 0 {
				t.Errorf("%d statements, want between 1 and %d", b, tt.wantAtMost)
			}
		})
	}
}

func TestStatementCounts(t *testing.T) {
	e := newAPI(t)
	var one struct {
		Startups struct{ Nodes []struct{ Slug string } }
	}
	e.query(t, `{startups(first: 1, filter: {active: true}) { nodes { slug } } }`, nil, &one)
	slug := one.Startups.Nodes[0].Slug
	tests := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"Q2 startup detail", `query($slug: String!) { startup(slug: $slug) { name pitch phases { phase start end } committees { date comment }
			missions(first: 1000) { nodes { start end status member { fullname domain } } } } }`, map[string]any{"slug": slug}, 3}, // the phases come with the startup
		{"portfolio, every breakdown", `{ portfolio { startupCount byPhase { phase count } byIncubator { incubator { title } count }
			bySponsor { organisation { name } count } byThematique { label count } committeeOverdueCount activeMemberCount
			membersByDomain { domain count } membersByStatus { status count } phaseDurations { phase medianDays }
			committeeDecisions { decision count } } }`, nil, 7}, // the phases, the overdue count, the members and the durations count over the dated index: no statement
		// The phases' sweep runs in memory over the dated index; without
		// activeMemberCount, the members' sweep (one statement) is not run.
		{"timeline over 12 points", `{ portfolio(asOf: "2025-01-01") { timeline(from: "2024-01-01", every: MONTH) { date startupCount } } }`, nil, 0},
		{"timeline over 12 points with members", `{ portfolio(asOf: "2025-01-01") { timeline(from: "2024-01-01", every: MONTH) { date startupCount activeMemberCount } } }`, nil, 1},
		{"timeline over 61 points", `{ portfolio(asOf: "2026-01-01") { timeline(from: "2021-01-01", every: MONTH) { date activeMemberCount byPhase { count } } } }`, nil, 1},
		{"members page with missions", `{ members(first: 200, filter: {active: true}) { totalCount nodes { fullname missions { nodes { startups { name } } } } } }`, nil, 3},
		{"committees with startups", `{ committees(first: 500) { totalCount nodes { date decision startup { name incubator { title } } } } }`, nil, 2}, // the incubators' titles come with the startups
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.query(t, tt.query, tt.vars, nil).Extensions.SQL.Statements
			if got != tt.want {
				t.Errorf("%d statements, want %d", got, tt.want)
			}
		})
	}
}
