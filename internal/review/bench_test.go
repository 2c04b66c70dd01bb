package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/review"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// BenchmarkPages renders the review pages through the server's whole
// handler, as a browser asks for them: every section's query is executed
// (the pages' queries never go through the response cache). It runs over
// the real snapshot (PORTFOLIO_SNAPSHOT), the seeds of
// PORTFOLIO_BENCH_SCALES (comma-separated, default "10"), and a database
// made beforehand (PORTFOLIO_BENCH_DB, e.g. by `portfolio seed --scale 100`,
// which takes minutes to make; it is only read). Besides ns/op it reports
// the time of each section's query, in ms.
func BenchmarkPages(b *testing.B) {
	// As `portfolio serve` collects garbage (unless GOGC says otherwise).
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(server.DefaultGCPercent))
	}
	for _, data := range benchData() {
		for _, pg := range []struct{ name, path string }{
			{"review", "/review?asOf=2026-08-20"},
			{"startup", "/review/startups/%s?asOf=2026-08-20"},
			{"brief", "/review/startups/%s/comite?asOf=2026-08-20"},
		} {
			b.Run(pg.name+"/"+filepath.Base(data), func(b *testing.B) {
				h, sections := benchServer(b, data)
				path := pg.path
				if strings.Contains(path, "%s") {
					path = fmt.Sprintf(path, busiestStartup(b, h))
				}
				get := func() {
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
					if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), "data-failure") {
						b.Fatalf("GET %s: %d; sections failed: %q", path, rec.Code, failedSections.FindAllString(rec.Body.String(), -1))
					}
				}
				// The first page after the data changed reads the dated index
				// (timeline.go) that later pages share: its time is reported
				// apart (first-ms), and the pages measured are the next ones.
				start := time.Now()
				get()
				first := time.Since(start)
				sections.reset()
				for b.Loop() {
					get()
				}
				b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
				for id, ms := range sections.medians() {
					b.ReportMetric(ms, id+"-ms")
				}
			})
		}
	}
}

// BenchmarkCommitteeAgenda runs the agenda's query of the committees
// planned and due (the portfolio page's section « Comités prévus et à
// planifier », review.CommitteeAgendaQuery) for the 60 days from
// 2026-08-20, a first page of 1,000, 200 (the page's) and 50 entries with
// their expected attendees and missing roles, over the data sets of
// BenchmarkPages (PORTFOLIO_BENCH_DB for 100 times the network), the
// response cache off.
func BenchmarkCommitteeAgenda(b *testing.B) {
	for _, data := range benchData() {
		for _, first := range []int{1000, 200, 50} {
			b.Run(fmt.Sprintf("%s/first=%d", filepath.Base(data), first), func(b *testing.B) {
				h, _ := benchServer(b, data)
				body, _ := json.Marshal(map[string]any{"query": review.CommitteeAgendaQuery,
					"variables": map[string]any{"from": "2026-08-20", "to": "2026-10-19", "first": first}})
				entries := 0
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					// Anonymous, as the benchmark's pages: FORBIDDEN only hides
					// the names the records do not hold (the page tolerates it).
					var out struct {
						Errors []struct{ Extensions struct{ Code string } }
					}
					json.Unmarshal(rec.Body.Bytes(), &out)
					for _, e := range out.Errors {
						if e.Extensions.Code != portfolio.EForbidden {
							b.Fatalf("agenda: %d %.500s", rec.Code, rec.Body.String())
						}
					}
					if rec.Code != http.StatusOK {
						b.Fatalf("agenda: %d %.500s", rec.Code, rec.Body.String())
					}
					entries = strings.Count(rec.Body.String(), `"state":`)
				}
				b.ReportMetric(float64(entries), "entries")
			})
		}
	}
}

// failedSections finds the sections a page says failed, with why.
var failedSections = regexp.MustCompile(`data-failure="[^"]*"><p>[^<]*`)

// benchData lists the data sets: "real", "seedN", or a database's path.
func benchData() []string {
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
	if db := os.Getenv("PORTFOLIO_BENCH_DB"); db != "" {
		out = append(out, db)
	}
	return out
}

// sectionTimes collects the "review section" debug lines of the pages.
type sectionTimes struct {
	mu    sync.Mutex
	times map[string][]float64
}

func (s *sectionTimes) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.times = map[string][]float64{}
}

func (s *sectionTimes) medians() map[string]float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]float64{}
	for id, t := range s.times {
		slices.Sort(t)
		out[id] = t[len(t)/2]
	}
	return out
}

// Handle notes a section's time.
func (s *sectionTimes) Handle(_ context.Context, r slog.Record) error {
	if r.Message != "review section" {
		return nil
	}
	var id string
	var ms float64
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "section":
			id = a.Value.String()
		case "ms":
			ms, _ = strconv.ParseFloat(a.Value.String(), 64)
		}
		return true
	})
	s.mu.Lock()
	s.times[id] = append(s.times[id], ms)
	s.mu.Unlock()
	return nil
}

func (s *sectionTimes) Enabled(context.Context, slog.Level) bool { return true }
func (s *sectionTimes) WithAttrs([]slog.Attr) slog.Handler       { return s }
func (s *sectionTimes) WithGroup(string) slog.Handler            { return s }

var benchServers sync.Map // data set → *benchEntry

type benchEntry struct {
	once     sync.Once
	h        http.Handler
	sections *sectionTimes
	err      error
}

// benchServer returns the server over a data set, made once.
func benchServer(b *testing.B, data string) (http.Handler, *sectionTimes) {
	b.Helper()
	v, _ := benchServers.LoadOrStore(data, &benchEntry{})
	e := v.(*benchEntry)
	e.once.Do(func() {
		ctx := context.Background()
		var db *sqlite.DB
		switch {
		case data == "real" || strings.HasPrefix(data, "seed"):
			dir, err := os.MkdirTemp("", "review-bench-")
			if err != nil {
				e.err = err
				return
			}
			b.Cleanup(func() { os.RemoveAll(dir) })
			if db, e.err = sqlite.Open(ctx, filepath.Join(dir, "bench.db")); e.err != nil {
				return
			}
			// The origin recorded as `portfolio import` and `portfolio
			// seed` record it: without one, every page classifies the
			// records to name their origin (a database made before
			// origins were recorded), about 8 ms of each real page.
			origin := &sqlite.OriginEvent{Kind: sqlite.OriginImported, Source: os.Getenv("PORTFOLIO_SNAPSHOT"), Method: sqlite.MethodImport}
			fill := func(s portfolio.Sink) error {
				snap, err := betagouv.Read(ctx, os.Getenv("PORTFOLIO_SNAPSHOT"), betagouv.Options{})
				if err != nil {
					return err
				}
				origin.Counts = snap.Counts()
				origin.RecordsAsOf, origin.RecordsBasis = snap.RecordsDate(portfolio.Today()), sqlite.BasisRecords
				return snap.WriteTo(ctx, s)
			}
			if scale, err := strconv.Atoi(strings.TrimPrefix(data, "seed")); err == nil {
				origin = &sqlite.OriginEvent{Kind: sqlite.OriginSeeded, Scale: scale, Method: sqlite.MethodSeed,
					RecordsAsOf: seed.RefDate, RecordsBasis: sqlite.BasisSeed}
				fill = func(s portfolio.Sink) error {
					_, err := seed.Generate(ctx, s, seed.Options{Scale: scale})
					return err
				}
			}
			if _, e.err = db.Load(ctx, sqlite.LoadOptions{Fresh: true, Origin: origin}, fill); e.err != nil {
				return
			}
		default:
			if db, e.err = sqlite.Open(ctx, data); e.err != nil {
				return
			}
		}
		if _, e.err = db.ReadListBounds(ctx); e.err != nil { // as a server that has run a while: the precise reading done
			return
		}
		e.sections = &sectionTimes{}
		e.sections.reset()
		// A page's deadline is the server's request timeout (10 s by
		// default): longer here, so that a slow page is measured rather
		// than cut short.
		// PORTFOLIO_BENCH_MAX_COST raises --max-cost, as a team serving a
		// network many times the size of today's would (at 100 times,
		// the key figures' members on teams cost 544,418). The response
		// cache off: every query executed, as the pages' are
		// (BenchmarkCommitteeAgenda posts to /graphql).
		lim := server.Limits{Timeout: 5 * time.Minute}
		if v := os.Getenv("PORTFOLIO_BENCH_MAX_COST"); v != "" {
			if lim.MaxCost, e.err = strconv.Atoi(v); e.err != nil {
				return
			}
		}
		e.h = server.New(server.Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Logger: slog.New(e.sections),
			Limits: lim, ResponseCacheBytes: -1})
	})
	if e.err != nil {
		b.Fatal(e.err)
	}
	return e.h, e.sections
}

// busiestStartup returns the startup with the largest team on the date of
// the pages.
func busiestStartup(b *testing.B, h http.Handler) string {
	b.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(
		`{"query": "{ startups(first: 1, orderBy: [{field: TEAM_SIZE, direction: DESC}], asOf: \"2026-08-20\") { nodes { slug } } }"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body := rec.Body.String()
	i := strings.Index(body, `"slug":"`)
	if i < 0 {
		b.Fatalf("no startup: %s", body)
	}
	slug := body[i+len(`"slug":"`):]
	return slug[:strings.IndexByte(slug, '"')]
}
