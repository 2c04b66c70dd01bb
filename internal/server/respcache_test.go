package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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
