package graph_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/server"
)

// TestFastPathLargeAnswers checks that an answer past the first MiB is
// still the fast path's when the server's answer budget allows it (it
// used to go to gqlgen's executor, which made it again, four to five
// times slower), and that a budget too small for it still stops it with
// gqlgen's error.
func TestFastPathLargeAnswers(t *testing.T) {
	db := seededDB(t)
	// The members with their missions and startups, three times: past a
	// MiB on the demo.
	one := `members(first: 1000) { nodes { slug fullname role bio github link missions { nodes { start end startups { slug name pitch } } } } }`
	query := `{"query": "{ a: ` + one + ` b: ` + one + ` c: ` + one + ` }"}`
	for _, tt := range []struct {
		name      string
		maxAnswer int64
		fast      bool
		code      string
	}{
		{"default budget: the fast path answers", 0, true, ""},
		{"a budget below the answer: refused", 1 << 20, false, "RESPONSE_TOO_LARGE"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			schema := graph.Executable(db)
			h := server.New(server.Config{DB: db, Schema: schema, PublicRead: true, Limits: server.Limits{MaxAnswerBytes: tt.maxAnswer}})
			rec := httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(query)))
			req.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			bySize := graph.GqlgenAnswers(schema)["size"]
			if tt.fast {
				if rec.Code != http.StatusOK || strings.Contains(body, `"errors"`) {
					t.Fatalf("status %d: %.300s", rec.Code, body)
				}
				if len(body) <= 1<<20 {
					t.Fatalf("the answer is %d bytes: not past the first MiB, the test tests nothing", len(body))
				}
				if bySize != 0 || graph.FastAnswers(schema) != 1 {
					t.Errorf("a %d-byte answer: %d by the fast path, %d by gqlgen for its size; want the fast path's", len(body), graph.FastAnswers(schema), bySize)
				}
				return
			}
			if !strings.Contains(body, tt.code) || bySize != 1 {
				t.Errorf("status %d, gqlgen for its size %d: %.300s; want %s from gqlgen's executor", rec.Code, bySize, body, tt.code)
			}
		})
	}
}
