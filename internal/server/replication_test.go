package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

const (
	testMutation = `{"query":"mutation { deleteCommittee(input: {id: \"nope/2020-01-01\", version: 1, clientMutationId: \"k1\"}) { committee { slug } } }"}`
	testQuery    = `{"query":"{ dataset { node role position generation } }"}`
)

func replicationDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "r.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func postTo(t *testing.T, h http.Handler, body string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// dataOf returns the data of a GraphQL answer.
func dataOf(w *httptest.ResponseRecorder) string {
	var out struct{ Data json.RawMessage }
	json.Unmarshal(w.Body.Bytes(), &out)
	return string(out.Data)
}

func replicaNode() portfolio.Node {
	return portfolio.Node{Name: "replica-1", Role: portfolio.NodeReplica, Position: "00000000000000a1", AppliedAt: time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC), Generation: 2}
}

// A primary answers a mutation once Ship returned, and says so when it
// failed; queries do not ship.
func TestPrimaryShipsMutations(t *testing.T) {
	db := replicationDB(t)
	var ships atomic.Int64
	var fail atomic.Bool
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Replication: &Replication{
		Node: func() portfolio.Node { return portfolio.Node{Name: "p", Role: portfolio.NodePrimary} },
		Ship: func(context.Context) error {
			ships.Add(1)
			if fail.Load() {
				return errors.New("store unreachable")
			}
			return nil
		},
	}})
	if w := postTo(t, h, testQuery, nil); w.Code != http.StatusOK || ships.Load() != 0 {
		t.Fatalf("a query: %d %s, %d ships", w.Code, w.Body, ships.Load())
	}
	w := postTo(t, h, testMutation, nil)
	if ships.Load() != 1 || strings.Contains(w.Body.String(), "replica store") {
		t.Fatalf("a mutation: %d ships, %s", ships.Load(), w.Body)
	}
	fail.Store(true)
	w = postTo(t, h, testMutation, nil)
	if ships.Load() != 2 || !strings.Contains(w.Body.String(), `not yet in the replica store, so not acknowledged: store unreachable`) ||
		!strings.Contains(w.Body.String(), portfolio.EUnavailable) {
		t.Fatalf("a mutation the store did not take: %d ships, %s", ships.Load(), w.Body)
	}
}

// A replica without a primary refuses mutations, naming the primary it
// knows; it answers queries, and dataset says which node it is.
func TestReplicaRefusesMutations(t *testing.T) {
	db := replicationDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Replication: &Replication{
		Node: replicaNode, PrimaryNode: func() string { return "node-a" },
	}})
	w := postTo(t, h, testMutation, nil)
	var out struct {
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	json.Unmarshal(w.Body.Bytes(), &out)
	if len(out.Errors) != 1 || out.Errors[0].Extensions["code"] != portfolio.EReadOnlyReplica || !strings.Contains(out.Errors[0].Message, "node-a") {
		t.Fatalf("a mutation on a replica: %d %s", w.Code, w.Body)
	}
	w = postTo(t, h, testQuery, nil)
	if want := `{"dataset":{"node":"replica-1","role":"REPLICA","position":"00000000000000a1","generation":2}}`; dataOf(w) != want {
		t.Errorf("dataset on a replica:\n got %s\nwant %s", w.Body, want)
	}
}

// A replica with a primary forwards each mutation once, with the caller's
// token and body, and answers with the primary's answer; queries stay.
func TestReplicaForwardsMutations(t *testing.T) {
	db := replicationDB(t)
	var mu sync.Mutex
	var got []*http.Request
	var bodies []string
	primary := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, string(b))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Portfolio-Cost", "7")
		w.Write([]byte(`{"data":{"deleteCommittee":null},"errors":[{"message":"from the primary","extensions":{"code":"NOT_FOUND"}}]}`))
	}))
	defer primary.Close()
	// The replica checks the token first (its copy holds the primary's
	// tokens): a bad one never reaches the primary.
	secret, _, err := db.CreateToken(context.Background(), "writer", portfolio.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Replication: &Replication{Node: replicaNode, Primary: primary.URL + "/"}})
	w := postTo(t, h, testQuery, nil)
	if w.Code != http.StatusOK || len(got) != 0 {
		t.Fatalf("a query was forwarded, or failed: %d %s", w.Code, w.Body)
	}
	w = postTo(t, h, testMutation, map[string]string{"Authorization": "Bearer " + secret, "X-Request-Id": "r-9"})
	if len(got) != 1 {
		t.Fatalf("the primary got %d requests, want 1: %d %s", len(got), w.Code, w.Body)
	}
	r := got[0]
	if r.URL.Path != "/graphql" || r.Header.Get("Authorization") != "Bearer "+secret || r.Header.Get("X-Request-Id") != "r-9" ||
		r.Header.Get("Content-Type") != "application/json" || bodies[0] != testMutation || r.Header.Get("X-Forwarded-For") == "" {
		t.Errorf("the forwarded request: %s %v %q", r.URL, r.Header, bodies[0])
	}
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "from the primary") || w.Header().Get("X-Portfolio-Forwarded") != "primary" ||
		w.Header().Get("X-Portfolio-Cost") != "7" || strings.Contains(w.Body.String(), "forwarded to the primary") {
		t.Errorf("the answer: %d %v %s", w.Code, w.Header(), w.Body)
	}
	// A primary that does not answer: the caller is told to send again
	// with the same key, and nothing is retried.
	primary.Close()
	w = postTo(t, h, testMutation, map[string]string{"Authorization": "Bearer " + secret})
	if w.Code != http.StatusBadGateway || !strings.Contains(w.Body.String(), "same clientMutationId") || len(got) != 1 {
		t.Errorf("an unanswered forward: %d %s", w.Code, w.Body)
	}
}

// dataset on a lone server: a primary without a position.
func TestDatasetLoneServer(t *testing.T) {
	db := replicationDB(t)
	h := New(Config{DB: db, Schema: graph.Executable(db), PublicRead: true})
	w := postTo(t, h, testQuery, nil)
	if want := `{"dataset":{"node":"","role":"PRIMARY","position":null,"generation":null}}`; dataOf(w) != want {
		t.Errorf("got %s, want %s", w.Body, want)
	}
}
