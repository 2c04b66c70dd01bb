package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// benchDBs holds one database per data set, made once per test binary in a
// folder removed at exit by the OS's temp cleaning (benchmarks only).
var benchDBs sync.Map // name -> *benchDB

type benchDB struct {
	once sync.Once
	h    http.Handler
	err  error
}

// benchHandler returns the API over a data set: "real" (the snapshot named
// by PORTFOLIO_SNAPSHOT) or "seedN" (the synthetic network at scale N).
func benchHandler(b testing.TB, name string) http.Handler {
	b.Helper()
	v, _ := benchDBs.LoadOrStore(name, &benchDB{})
	bd := v.(*benchDB)
	bd.once.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "portfolio-bench-")
		if err != nil {
			bd.err = err
			return
		}
		db, err := sqlite.Open(ctx, filepath.Join(dir, name+".db"))
		if err != nil {
			bd.err = err
			return
		}
		var fill func(portfolio.Sink) error
		switch {
		case name == "real":
			snap, err := betagouv.Read(ctx, os.Getenv("PORTFOLIO_SNAPSHOT"), betagouv.Options{})
			if err != nil {
				bd.err = err
				return
			}
			fill = func(s portfolio.Sink) error { return snap.WriteTo(ctx, s) }
		case strings.HasPrefix(name, "seed"):
			scale, _ := strconv.Atoi(strings.TrimPrefix(name, "seed"))
			fill = func(s portfolio.Sink) error {
				_, err := seed.Generate(ctx, s, seed.Options{Scale: scale})
				return err
			}
		}
		if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, fill); err != nil {
			bd.err = err
			return
		}
		token, _, err := db.CreateToken(ctx, "bench", portfolio.RoleViewer, nil)
		if err != nil {
			bd.err = err
			return
		}
		h := server.New(server.Config{DB: db, Schema: graph.Executable(db), SQLStats: true, PublicRead: true})
		// Every benchmark request reads as a viewer, as dashboards do.
		bd.h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+token)
			h.ServeHTTP(w, r)
		})
	})
	if bd.err != nil {
		b.Fatal(bd.err)
	}
	return bd.h
}

// dataSets lists the data sets to benchmark: the real snapshot when
// PORTFOLIO_SNAPSHOT is set, and the seeds of PORTFOLIO_BENCH_SCALES
// (comma-separated scales, default "10").
func dataSets() []string {
	var out []string
	if os.Getenv("PORTFOLIO_SNAPSHOT") != "" {
		out = append(out, "real")
	}
	scales := os.Getenv("PORTFOLIO_BENCH_SCALES")
	if scales == "" {
		scales = "10"
	}
	for _, s := range strings.Split(scales, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, "seed"+s)
		}
	}
	return out
}

// benchQuery runs one GraphQL request per iteration and reports SQL
// statements per operation.
func benchQuery(b *testing.B, h http.Handler, query string, vars map[string]any) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	var statements int
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out struct {
			Errors     []any
			Extensions struct{ SQL struct{ Statements int } }
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || rec.Code != 200 || len(out.Errors) > 0 {
			b.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
		}
		statements = out.Extensions.SQL.Statements
	}
	b.ReportMetric(float64(statements), "statements/op")
}

// BenchQueries are the dashboard questions the benchmarks ask; bench/queries
// holds the same three first ones as files for the peer harness.
var benchQueries = []struct {
	name  string
	query string
	vars  func(data string) map[string]any
}{
	{"Q1", `{ startups(first: 100, orderBy: [{field: NAME}]) { nodes { name pitch incubator { title } sponsors { name acronym } phases { phase start end } } } }`, nil},
	{"Q2", `query($slug: String!) { startup(slug: $slug) { name pitch phases { phase start end } committees { date comment }
		missions(first: 1000) { nodes { start end status member { fullname domain } } } } }`,
		func(data string) map[string]any {
			if data == "real" {
				return map[string]any{"slug": "dossierfacile"}
			}
			return map[string]any{"slug": ""} // set below from the data
		}},
	{"Q3", `{ incubators(first: 50) { nodes { title startups(first: 1000, orderBy: [{field: NAME}]) { nodes { name phases { phase start end } sponsors { name } } } } } }`, nil},
	{"Portfolio", `query($asOf: Date) { portfolio(asOf: $asOf) { startupCount byPhase { phase count } byIncubator { incubator { title } count }
		bySponsor { organisation { name } count } byThematique { label count } committeeOverdueCount activeMemberCount
		membersByDomain { domain count } membersByStatus { status count } phaseDurations { phase startups medianDays meanDays }
		committeeDecisions { decision count } } }`, func(string) map[string]any { return map[string]any{"asOf": "2026-08-20"} }},
	{"Timeline5y", `{ portfolio(asOf: "2026-01-01") { timeline(from: "2021-01-01", every: MONTH) { date startupCount activeMemberCount byPhase { phase count } } } }`, nil},
	// A portfolio review (issue 11): the money, the quality markers and
	// the flows since 2018, every field of each.
	{"Review", reviewBenchQuery, func(string) map[string]any { return map[string]any{"asOf": "2026-08-20"} }},
	{"EventFeed", `{ events(first: 100) { totalCount nodes { name date comment startup { name incubator { title } } committee { decision } } } }`, nil},
	// Members by name (French order, issue 18): the first page with the
	// count, and a page deep in the list (after the 3,000th).
	{"MembersByName", `{ members(first: 100, orderBy: [{field: NAME}]) { totalCount nodes { slug fullname } } }`, nil},
	{"MembersByNameDeep", `query($after: String) { members(first: 100, after: $after, orderBy: [{field: NAME}]) { nodes { slug fullname } } }`,
		func(string) map[string]any { return map[string]any{"after": portfolio.Cursor(2999)} }},
}

const reviewBenchQuery = `query($asOf: Date) { portfolio(asOf: $asOf) {
	investment { fastCount fastTotalEuros byPromotion { promotion startupCount amountEuros }
		byIncubator { incubator { title } startupCount amountEuros } bySponsor { organisation { name } startupCount amountEuros } committeeBudgetEuros }
	quality { startupCount withStatsUrl withImpactUrl withBudgetUrl withDashlordUrl withSecurityHomologation withRiskAnalysis byAccessibility { accessibility count } }
	flows(from: "2018-01-01") { start end entered { phase count } exited { phase count } productLaunches nationalImpacts fastGrants committees committeeDecisions { decision count } } } }`

func BenchmarkQueries(b *testing.B) {
	for _, data := range dataSets() {
		for _, q := range benchQueries {
			b.Run(fmt.Sprintf("%s/%s", q.name, data), func(b *testing.B) {
				h := benchHandler(b, data)
				var vars map[string]any
				if q.vars != nil {
					vars = q.vars(data)
				}
				if q.name == "Q2" && data != "real" {
					vars = map[string]any{"slug": firstActiveSlug(b, h)}
				}
				benchQuery(b, h, q.query, vars)
			})
		}
	}
}

func firstActiveSlug(b *testing.B, h http.Handler) string {
	body, _ := json.Marshal(map[string]any{"query": `{ startups(first: 1, orderBy: [{field: TEAM_SIZE, direction: DESC}], asOf: "2026-08-20") { nodes { slug } } }`})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var out struct {
		Data struct {
			Startups struct{ Nodes []struct{ Slug string } }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Data.Startups.Nodes) == 0 {
		b.Fatalf("no startup: %s", rec.Body.String())
	}
	return out.Data.Startups.Nodes[0].Slug
}
