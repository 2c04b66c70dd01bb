package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	coderws "github.com/coder/websocket"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/live"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// liveServer serves db with its change feed running.
func liveServer(t *testing.T, db *sqlite.DB, cfg Config, o live.Options) (*httptest.Server, *live.Feed) {
	t.Helper()
	o.Poll = -1
	feed := live.New(db, o)
	db.OnChange(feed.Changed)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); feed.Run(ctx) }()
	cfg.DB, cfg.Schema, cfg.Live = db, graph.ExecutableLive(db, feed), feed
	srv := httptest.NewServer(New(cfg))
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	return srv, feed
}

// waitOpen waits, at most 5 s, until the feed holds n subscriptions.
func waitOpen(t *testing.T, f *live.Feed, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for f.Stats().Open != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions open, want %d", f.Stats().Open, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// sse opens a subscription over SSE; events returns the data of each
// "next" event, and closes at the end of the stream.
func sse(t *testing.T, ctx context.Context, url, token, query string) (*http.Response, <-chan string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url+"/graphql", strings.NewReader(q(query)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan string, 16)
	go func() {
		defer close(events)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "next":
				events <- strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return resp, events
}

func nextEvent(t *testing.T, events <-chan string) string {
	t.Helper()
	select {
	case e, ok := <-events:
		if !ok {
			t.Fatal("the stream ended")
		}
		return e
	case <-time.After(hang):
		t.Fatalf("no event within %s", hang)
	}
	return ""
}

// recordCommittee records a committee on a startup in incubation through
// h, and returns its slug.
func recordCommittee(t *testing.T, url, token string) string {
	t.Helper()
	do := func(body string) string {
		req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	out := do(q(`{ startups(first: 1, filter: {active: true}) { nodes { slug } } }`))
	s := out[strings.Index(out, `"slug":"`)+8:]
	s = s[:strings.Index(s, `"`)]
	w := do(q(`mutation { recordCommittee(input: {startup: "` + s + `", date: "2025-02-03", decision: CONTINUE}) { committee { slug } } }`))
	if strings.Contains(w, "errors") {
		t.Fatalf("write: %s", w)
	}
	return s + "/2025-02-03"
}

// TestSubscriptionSSE: a subscriber over SSE receives the change a
// mutation wrote, as the schema names it, and only what its filter
// selects; the stream is refused what /graphql refuses, before anything
// runs.
func TestSubscriptionSSE(t *testing.T) {
	db := seededDB(t)
	admin, _, err := db.CreateToken(context.Background(), "admin", portfolio.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, feed := liveServer(t, db, Config{PublicRead: true, Limits: Limits{MaxFields: 8}}, live.Options{MaxPerCaller: 2})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, events := sse(t, ctx, srv.URL, "", `subscription { changes(filter: {kinds: [COMMITTEE]}) { at kind id slug operation } }`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" || resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Errorf("Content-Type %q, X-Accel-Buffering %q", ct, resp.Header.Get("X-Accel-Buffering"))
	}
	_, orgs := sse(t, ctx, srv.URL, "", `subscription { changes(filter: {kinds: [ORGANISATION]}) { slug } }`)
	waitOpen(t, feed, 2)

	start := time.Now()
	slug := recordCommittee(t, srv.URL, admin)
	var got struct {
		Data struct {
			Changes struct{ At, Kind, ID, Slug, Operation string }
		}
	}
	e := nextEvent(t, events)
	t.Logf("a change reached the subscriber %s after the mutation was sent", time.Since(start).Round(time.Microsecond))
	if err := json.Unmarshal([]byte(e), &got); err != nil {
		t.Fatalf("%s: %v", e, err)
	}
	c := got.Data.Changes
	if c.Kind != "COMMITTEE" || c.Slug != slug || c.Operation != "CREATED" || c.ID != portfolio.GlobalID("Committee", slug) || !strings.HasSuffix(c.At, "Z") {
		t.Errorf("change %+v, want COMMITTEE %s CREATED", c, slug)
	}
	select {
	case e := <-orgs:
		t.Errorf("an ORGANISATION subscriber got %s", e)
	default:
	}

	// Refused, each before it runs (no subscription opens): a third of the
	// same caller, a query over SSE, a document past the limits.
	for _, tt := range []struct{ name, query, code string }{
		{"a third subscription of one caller", `subscription { changes { slug } }`, portfolio.ERateLimited},
		{"a query over SSE", `{ startups(first: 1) { totalCount } }`, portfolio.EInvalid},
		{"past the fields' limit", `subscription { changes { a: slug b: slug c: slug d: slug e: slug f: slug g: slug h: slug i: slug } }`, portfolio.EComplexity},
	} {
		_, ev := sse(t, ctx, srv.URL, "", tt.query)
		e := nextEvent(t, ev)
		if !strings.Contains(e, `"code":"`+tt.code+`"`) {
			t.Errorf("%s: %s, want %s", tt.name, e, tt.code)
		}
	}
	if n := feed.Stats().Open; n != 2 {
		t.Errorf("%d subscriptions open after the refusals, want 2", n)
	}

	// A subscription sent as a plain request is refused.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(q(`subscription { changes { slug } }`)))
	req.Header.Set("Content-Type", "application/json")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if !strings.Contains(string(b), "Server-Sent Events") {
		t.Errorf("a subscription by plain POST: %s", b)
	}

	// Closing the stream frees its place.
	cancel()
	waitOpen(t, feed, 0)
}

// TestSubscriptionTokens: on a server that needs a token, a stream without
// one is refused; over WebSocket, the token may come in connection_init's
// payload; a bad one there is refused.
func TestSubscriptionTokens(t *testing.T) {
	db := seededDB(t)
	admin, _, err := db.CreateToken(context.Background(), "admin", portfolio.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, feed := liveServer(t, db, Config{PublicRead: false}, live.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, _ := sse(t, ctx, srv.URL, "", `subscription { changes { slug } }`)
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("SSE without a token: %d, want 401", resp.StatusCode)
	}

	wsURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/graphql"
	dial := func(payload map[string]any) (*coderws.Conn, map[string]any) {
		c, _, err := coderws.Dial(ctx, wsURL, &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
		if err != nil {
			t.Fatal(err)
		}
		send(t, ctx, c, map[string]any{"type": "connection_init", "payload": payload})
		return c, recv(t, ctx, c)
	}
	// A page of another site may not open one with the browser's
	// credentials (cross-site WebSocket hijacking): its Origin is refused.
	if c, resp, err := coderws.Dial(ctx, wsURL, &coderws.DialOptions{Subprotocols: []string{"graphql-transport-ws"},
		HTTPHeader: http.Header{"Origin": {"https://evil.example"}, "Authorization": {"Bearer " + admin}}}); err == nil {
		c.CloseNow()
		t.Error("a WebSocket from another origin was accepted")
	} else if resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("a WebSocket from another origin: %v, want 403", err)
	}
	c, ack := dial(map[string]any{"Authorization": "Bearer nope"})
	if ack["type"] == "connection_ack" {
		t.Errorf("a bad token in connection_init: %v", ack)
	}
	c.CloseNow()
	c, ack = dial(nil)
	if ack["type"] == "connection_ack" {
		t.Errorf("no token at all: %v", ack)
	}
	c.CloseNow()

	c, ack = dial(map[string]any{"Authorization": "Bearer " + admin})
	defer c.CloseNow()
	if ack["type"] != "connection_ack" {
		t.Fatalf("with the token: %v", ack)
	}
	send(t, ctx, c, map[string]any{"id": "1", "type": "subscribe", "payload": map[string]any{"query": `subscription { changes(filter: {kinds: [COMMITTEE]}) { kind slug operation } }`}})
	waitOpen(t, feed, 1)
	slug := recordCommittee(t, srv.URL, admin)
	for {
		m := recv(t, ctx, c)
		if m["type"] == "ping" || m["type"] == "pong" {
			continue
		}
		if got := fmt.Sprint(m["payload"]); m["type"] != "next" || !strings.Contains(got, slug) || !strings.Contains(got, "CREATED") {
			t.Errorf("over WebSocket: %v, want the committee %s", m, slug)
		}
		break
	}
	// A query over WebSocket is refused.
	send(t, ctx, c, map[string]any{"id": "2", "type": "subscribe", "payload": map[string]any{"query": `{ startups(first: 1) { totalCount } }`}})
	for {
		m := recv(t, ctx, c)
		if m["id"] != "2" {
			continue
		}
		if !strings.Contains(fmt.Sprint(m["payload"]), portfolio.EInvalid) {
			t.Errorf("a query over WebSocket: %v", m)
		}
		break
	}
}

func send(t *testing.T, ctx context.Context, c *coderws.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := c.Write(ctx, coderws.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func recv(t *testing.T, ctx context.Context, c *coderws.Conn) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		return map[string]any{"type": "closed", "error": err.Error()}
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}
