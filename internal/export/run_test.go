package export_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
)

// countingHandler counts the GraphQL requests the export runs.
type countingHandler struct {
	next http.Handler
	runs atomic.Int64
}

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.runs.Add(1)
	c.next.ServeHTTP(w, r)
}

func newCounting() *countingHandler {
	return &countingHandler{next: server.GraphQL(server.Config{DB: shared.db, Schema: graph.Executable(shared.db)})}
}

// asViewer is a context with a viewer's identity.
func asViewer() context.Context {
	return portfolio.WithIdentity(context.Background(), &portfolio.Identity{Role: portfolio.RoleViewer})
}

const membersQuery = `{ members(orderBy: [{field: SLUG}]) { nodes { slug fullname domain } } }`

func plan(t *testing.T, query string) *export.Plan {
	t.Helper()
	p, err := export.NewPlan(graph.Schema(), export.Request{Query: query})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// failingWriter fails once it has taken n bytes, as a connection to a
// client that went away.
type failingWriter struct {
	n       int
	written int
}

func (f *failingWriter) Write(b []byte) (int, error) {
	if f.written+len(b) > f.n {
		return 0, errors.New("connection reset by peer")
	}
	f.written += len(b)
	return len(b), nil
}

func TestRunPagesThroughAConnection(t *testing.T) {
	c := newCounting()
	var progress [][2]int
	w, _ := export.NewWriter(io.Discard, export.CSV, export.WriterOptions{})
	st, err := plan(t, membersQuery).Run(asViewer(), export.HandlerRunner(c), w, export.Options{
		Progress: func(done, total int) { progress = append(progress, [2]int{done, total}) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows < 3000 || st.Pages != (st.Rows+999)/1000 || int(c.runs.Load()) != st.Pages {
		t.Errorf("%d rows in %d pages (%d runs)", st.Rows, st.Pages, c.runs.Load())
	}
	if len(progress) != st.Pages || progress[0] != [2]int{1000, st.Rows} || progress[len(progress)-1] != [2]int{st.Rows, st.Rows} {
		t.Errorf("progress %v", progress)
	}
}

// TestRunStopsWhenTheClientGoes checks that a failed write or a cancelled
// context stops the export: the number of pages run stops growing.
func TestRunStopsWhenTheClientGoes(t *testing.T) {
	for _, f := range export.Formats {
		t.Run("write fails/"+string(f), func(t *testing.T) {
			if f == export.XLSX {
				t.Skip("an XLSX file is written at the end: only the context stops it")
			}
			c := newCounting()
			w, _ := export.NewWriter(&failingWriter{n: 2000}, f, export.WriterOptions{})
			st, err := plan(t, membersQuery).Run(asViewer(), export.HandlerRunner(c), w, export.Options{})
			if err == nil || !strings.Contains(err.Error(), "connection reset") {
				t.Errorf("err %v, want the write error", err)
			}
			if c.runs.Load() != 1 || st.Pages != 1 {
				t.Errorf("%d runs, want the first page only", c.runs.Load())
			}
		})
		t.Run("context done/"+string(f), func(t *testing.T) {
			c := newCounting()
			ctx, cancel := context.WithCancel(asViewer())
			defer cancel()
			w, _ := export.NewWriter(io.Discard, f, export.WriterOptions{})
			_, err := plan(t, membersQuery).Run(ctx, export.HandlerRunner(c), w, export.Options{
				Progress: func(int, int) { cancel() },
			})
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err %v, want context.Canceled", err)
			}
			if c.runs.Load() != 1 {
				t.Errorf("%d runs, want 1", c.runs.Load())
			}
		})
	}
}

// brokenResponse is a ResponseWriter whose client is gone after n bytes.
type brokenResponse struct {
	header http.Header
	failingWriter
}

func (b *brokenResponse) Header() http.Header { return b.header }
func (b *brokenResponse) WriteHeader(int)     {}

// TestHandlerStopsWhenTheClientGoes serves an export to a client that goes
// away: the handler stops after the page it could not send, and cuts the
// response.
func TestHandlerStopsWhenTheClientGoes(t *testing.T) {
	c := newCounting()
	h := export.Handler(export.Config{Schema: graph.Schema(), GraphQL: c})
	req := httptest.NewRequestWithContext(asViewer(), http.MethodGet, "/export?"+url.Values{"query": {membersQuery}}.Encode(), nil)
	w := &brokenResponse{header: http.Header{}, failingWriter: failingWriter{n: 5000}}
	func() {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Errorf("the handler ended with %v, want http.ErrAbortHandler (a cut response)", v)
			}
		}()
		h.ServeHTTP(w, req)
	}()
	if n := c.runs.Load(); n != 1 {
		t.Errorf("%d pages run after the client went away, want 1", n)
	}
}

// TestPagesAreSizedOnce checks that an export's pages are sized before the
// first (server.ExportPricer) so that each passes the cost limit of a
// request, and that a page the server refuses is an error, never asked
// again smaller: an export costs its whole price, not whatever fits.
func TestPagesAreSizedOnce(t *testing.T) {
	q := `{ members(orderBy: [{field: SLUG}]) { nodes { slug bio missions(first: 1000) { nodes { slug start startups { slug description phases { phase } team { role member { bio fullname missions { nodes { start } } } } } } } } } }`
	p := plan(t, q)
	if _, err := shared.db.ReadListBounds(asViewer()); err != nil { // the precise bounds, at once
		t.Fatal(err)
	}
	cfg := server.Config{DB: shared.db, Schema: graph.Executable(shared.db), Limits: server.Limits{MaxExportCost: -1}}
	price, err := server.ExportPricer(cfg)(asViewer(), p, export.PageSize)
	if err != nil {
		t.Fatal(err)
	}
	if price.PageSize >= export.PageSize || price.PageSize < 1 {
		t.Fatalf("pages of %d rows, want fewer than %d: a page of %d would cost more than a request may", price.PageSize, export.PageSize, export.PageSize)
	}
	c := newCounting()
	var b bytes.Buffer
	w, _ := export.NewWriter(&b, export.CSV, export.WriterOptions{})
	st, err := p.Run(asViewer(), export.HandlerRunner(c), w, export.Options{PageSize: price.PageSize})
	if err != nil {
		t.Fatal(err)
	}
	if st.Rows < 3000 || int(c.runs.Load()) != st.Pages || st.Pages != (st.Rows+price.PageSize-1)/price.PageSize {
		t.Errorf("%d rows in %d pages of %d, %d runs: want every page run once", st.Rows, st.Pages, price.PageSize, c.runs.Load())
	}
	if got := bytes.Count(b.Bytes(), []byte("\r\n")); got != st.Rows+1 {
		t.Errorf("%d lines for %d rows", got, st.Rows)
	}
	// Without the pricing, the first page of 1,000 is refused, and the
	// export fails at once.
	c = newCounting()
	b.Reset()
	w, _ = export.NewWriter(&b, export.CSV, export.WriterOptions{})
	if _, err := p.Run(asViewer(), export.HandlerRunner(c), w, export.Options{}); err == nil || !strings.Contains(err.Error(), "COMPLEXITY_LIMIT") && !strings.Contains(err.Error(), "could cost") {
		t.Errorf("a refused page: %v, want the refusal", err)
	}
	if n := c.runs.Load(); n != 1 {
		t.Errorf("%d runs after a refused page, want 1", n)
	}
}

// blockingHandler holds every GraphQL request until released.
type blockingHandler struct {
	next    http.Handler
	started chan struct{}
	release chan struct{}
}

func (b *blockingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.started <- struct{}{}
	<-b.release
	b.next.ServeHTTP(w, r)
}

// TestConcurrentExportsAreCapped checks that exports past MaxConcurrent
// are turned away with a 503 rather than queued.
func TestConcurrentExportsAreCapped(t *testing.T) {
	b := &blockingHandler{next: server.GraphQL(server.Config{DB: shared.db, Schema: graph.Executable(shared.db)}), started: make(chan struct{}, 1), release: make(chan struct{})}
	h := export.Handler(export.Config{Schema: graph.Schema(), GraphQL: b, MaxConcurrent: 1})
	path := "/export?" + url.Values{"query": {`{ startups(first: 3) { nodes { slug } } }`}}.Encode()
	first := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		h.ServeHTTP(first, httptest.NewRequestWithContext(asViewer(), http.MethodGet, path, nil))
		close(done)
	}()
	<-b.started
	second := httptest.NewRecorder()
	h.ServeHTTP(second, httptest.NewRequestWithContext(asViewer(), http.MethodGet, path, nil))
	close(b.release)
	<-done
	if second.Code != http.StatusServiceUnavailable || second.Header().Get("Retry-After") == "" {
		t.Errorf("the second export: status %d, Retry-After %q", second.Code, second.Header().Get("Retry-After"))
	}
	if first.Code != http.StatusOK || strings.Count(first.Body.String(), "\r\n") != 4 {
		t.Errorf("the first export: status %d: %q", first.Code, first.Body.String())
	}
}
