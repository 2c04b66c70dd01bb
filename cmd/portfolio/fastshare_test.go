package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// answerCounter is the executable schema's count of answers: by the fast
// path, and by gqlgen's executor with the reason.
type answerCounter interface {
	FastAnswers() int64
	GqlgenAnswers() map[string]int64
}

// TestFastPathShare measures the share of the questions the fast path
// answers, on the demo: the README's example queries (with the token
// they say they need), the review pages' sections (the network's page
// and the page of a startup) and the peer harness's three questions
// (bench/queries). Each group must be answered at least 95% by the fast
// path; what gqlgen's executor answered is reported by reason.
func TestFastPathShare(t *testing.T) {
	env := newReadmeEnv(t, "seed")
	counter := env.schema.(answerCounter)
	slug := busiest(t, env) // the demo has no dossierfacile
	measure := func(name string, ask func()) {
		fast0, slow0 := counter.FastAnswers(), counter.GqlgenAnswers()
		ask()
		fast := counter.FastAnswers() - fast0
		var slow int64
		var why []string
		for reason, n := range counter.GqlgenAnswers() {
			if d := n - slow0[reason]; d > 0 {
				slow += d
				why = append(why, reason+": "+itoa(d))
			}
		}
		total := fast + slow
		if total == 0 {
			t.Fatalf("%s: no question asked", name)
		}
		t.Logf("%s: %d of %d questions on the fast path (%.0f%%); gqlgen's executor: %s", name, fast, total, 100*float64(fast)/float64(total), strings.Join(why, ", "))
		if fast*100 < total*95 {
			t.Errorf("%s: the fast path answered %d of %d questions, want at least 95%%", name, fast, total)
		}
	}
	measure("README", func() {
		for _, e := range readmeExamples(t, "../../README.md") {
			if !e.mutation {
				env.post(t, e, e.token)
			}
		}
	})
	measure("review pages", func() {
		for _, path := range []string{"/review?asOf=2026-08-20", "/review/startups/" + slug + "?asOf=2026-08-20"} {
			rec := httptest.NewRecorder()
			env.handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "data-failure") {
				t.Fatalf("GET %s: %d", path, rec.Code)
			}
		}
	})
	measure("peer harness", func() {
		dir := "../../bench/queries"
		for _, q := range []string{"q1", "q2", "q3"} {
			doc, err := os.ReadFile(filepath.Join(dir, q+".graphql"))
			if err != nil {
				t.Fatal(err)
			}
			vars := map[string]any{}
			if b, err := os.ReadFile(filepath.Join(dir, q+".variables.json")); err == nil {
				if err := json.Unmarshal(b, &vars); err != nil {
					t.Fatal(err)
				}
				vars["slug"] = slug
			}
			env.post(t, readmeExample{query: string(doc), variables: vars}, true)
		}
	})
}

// busiest returns the demo's startup with the largest team.
func busiest(t *testing.T, env *readmeEnv) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": `{ startups(first: 1, orderBy: [{field: TEAM_SIZE, direction: DESC}], asOf: "2026-08-20") { nodes { slug } } }`})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	var out struct {
		Data struct {
			Startups struct{ Nodes []struct{ Slug string } }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Data.Startups.Nodes) == 0 {
		t.Fatalf("no startup: %s", rec.Body.String())
	}
	return out.Data.Startups.Nodes[0].Slug
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
