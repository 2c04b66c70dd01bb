package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// env is the server over the synthetic network at scale 1 that the tests
// of the package share (they only read): one that lets anonymous callers
// read, one that does not, and the tokens of a viewer, an admin and a
// revoked viewer. Every line both servers log goes to logs.
type env struct {
	public, private string // base URLs
	viewer, admin   string
	revoked         string
	logs            *syncBuffer
}

var shared *env

// asOf is the date the tests look at: the seed's fixtures are fixed, so
// the pages at this date are too.
const asOf = "2026-07-01"

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "review-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		ctx := context.Background()
		db, err := sqlite.Open(ctx, filepath.Join(dir, "review.db"))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer db.Close()
		if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
			// The demo network has no co-incubation: dossierfacile gets one.
			_, err := seed.Generate(ctx, coIncubating{s, "dossierfacile", coIncubator}, seed.Options{Scale: 1})
			return err
		}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		e := &env{logs: &syncBuffer{}}
		for _, tk := range []struct {
			name string
			role portfolio.Role
			dst  *string
		}{{"review-viewer", portfolio.RoleViewer, &e.viewer}, {"review-admin", portfolio.RoleAdmin, &e.admin}, {"review-revoked", portfolio.RoleViewer, &e.revoked}} {
			if *tk.dst, _, err = db.CreateToken(ctx, tk.name, tk.role, nil); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
		if err := db.RevokeToken(ctx, "review-revoked"); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		public := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Logger: log}))
		defer public.Close()
		private := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), Logger: log}))
		defer private.Close()
		e.public, e.private = public.URL, private.URL
		shared = e
		return m.Run()
	}()
	os.RemoveAll(dir)
	os.Exit(code)
}

// coIncubator is the incubator dossierfacile is co-incubated with in the
// tests' data.
const coIncubator = "dinum"

// coIncubating is a sink that co-incubates one startup with an incubator.
type coIncubating struct {
	portfolio.Sink
	slug, incubator string
}

func (c coIncubating) PutStartup(ctx context.Context, s *portfolio.Startup) error {
	if s.Slug == c.slug {
		s.CoIncubators = append(s.CoIncubators, c.incubator)
	}
	return c.Sink.PutStartup(ctx, s)
}

// syncBuffer is a buffer that servers' goroutines may write at once.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// client follows no redirect: the tests look at them.
var client = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// caller is how a request authenticates.
type caller struct {
	header string // the Authorization header's token
	cookie string // the sign-in cookie's token
}

var anonymous caller

func do(t *testing.T, method, url string, body io.Reader, c caller, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if c.header != "" {
		req.Header.Set("Authorization", "Bearer "+c.header)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: c.cookie})
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(data)
}

// page gets a page and parses it; it fails the test unless the status is want.
func page(t *testing.T, base, path string, c caller, want int) (*http.Response, *html.Node) {
	t.Helper()
	resp, body := do(t, http.MethodGet, base+path, nil, c, nil)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: status %d, want %d:\n%s", path, resp.StatusCode, want, shorten(body))
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, doc
}

func shorten(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}

// graphql runs a query on /graphql as c and returns its data; it fails the
// test on an error.
func graphql(t *testing.T, c caller, query string, vars map[string]any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	resp, body := do(t, http.MethodPost, shared.public+"/graphql", bytes.NewReader(b), c, http.Header{"Content-Type": {"application/json"}})
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || resp.StatusCode != 200 || len(out.Errors) > 0 {
		t.Fatalf("query %s: status %d, %s", query, resp.StatusCode, shorten(body))
	}
	return out.Data
}

// DOM helpers.

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func tag(name string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Data == name }
}

func hasAttr(name, value string) func(*html.Node) bool {
	return func(n *html.Node) bool { v, ok := attr(n, name); return ok && (value == "" || v == value) }
}

func hasClass(class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return slices.Contains(strings.Fields(attrOf(n, "class")), class) }
}

func attr(n *html.Node, name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	// Collapse ASCII white space only: the pages' no-break spaces are
	// meant.
	return strings.Join(strings.FieldsFunc(b.String(), func(r rune) bool { return r == ' ' || r == '\n' || r == '\t' || r == '\r' }), " ")
}

// byID returns the element with that id, failing the test without one.
func byID(t *testing.T, doc *html.Node, id string) *html.Node {
	t.Helper()
	found := findAll(doc, hasAttr("id", id))
	if len(found) != 1 {
		t.Fatalf("%d elements with id %q, want 1", len(found), id)
	}
	return found[0]
}

// figure reads the integer a data-figure element shows ("1 169" with a
// narrow no-break space).
func figure(t *testing.T, doc *html.Node, name string) int {
	t.Helper()
	found := findAll(doc, hasAttr("data-figure", name))
	if len(found) != 1 {
		t.Fatalf("%d elements data-figure=%q, want 1", len(found), name)
	}
	s := strings.NewReplacer("\u202f", "", "\u00a0", "", " ", "").Replace(text(found[0]))
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("figure %s shows %q: %v", name, text(found[0]), err)
	}
	return n
}

// french writes n as the pages should: groups of three digits separated
// by a narrow no-break space (written here independently of the package).
func french(n int) string {
	s := strconv.Itoa(n)
	var parts []string
	for len(s) > 3 {
		parts = append([]string{s[len(s)-3:]}, parts...)
		s = s[:len(s)-3]
	}
	return strings.Join(append([]string{s}, parts...), "\u202f")
}

func num(v any) int {
	f, _ := v.(float64)
	return int(f)
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// ---------------------------------------------------------------- tests

// The portfolio page shows the API's figures, for the caller, at the date
// asked.
func TestPortfolioPageFigures(t *testing.T) {
	for _, tt := range []struct {
		name  string
		query string // the page's parameters
		vars  map[string]any
	}{
		{"network", "asOf=" + asOf, map[string]any{"asOf": asOf}},
		{"two incubators", "incubator=dinum&incubator=mtes&asOf=" + asOf, map[string]any{"asOf": asOf, "incubators": []string{"dinum", "mtes"}}},
		{"a sponsor", "sponsor=dinum&asOf=" + asOf, map[string]any{"asOf": asOf, "sponsors": []string{"dinum"}}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := page(t, shared.public, "/review?"+tt.query, anonymous, http.StatusOK)
			filter := map[string]any{}
			if v, ok := tt.vars["incubators"]; ok {
				filter["incubators"] = v
			}
			if v, ok := tt.vars["sponsors"]; ok {
				filter["sponsors"] = v
			}
			active := map[string]any{"active": true}
			// The lists by other filters than the page's: the deprecated
			// rule's late ones less those it counts late without a
			// committee on record; the active ones with no committee by
			// asOf; those due from asOf to 60 days later (2026-07-01 + 60
			// days); those whose team has no intrapreneur.
			overdue := map[string]any{"committeeOverdue": true, "neverReviewed": false}
			never := map[string]any{"active": true, "neverReviewed": true}
			due := map[string]any{"nextCommitteeDue": map[string]any{"from": asOf, "to": "2026-08-30"}}
			without := map[string]any{"withoutIntrapreneur": true}
			for k, v := range filter {
				active[k], overdue[k], never[k], due[k], without[k] = v, v, v, v, v
			}
			data := graphql(t, anonymous, `query($f: StartupFilter, $a: StartupFilter, $o: StartupFilter, $n: StartupFilter, $d: StartupFilter, $w: StartupFilter, $asOf: Date) {
				portfolio(filter: $f, asOf: $asOf) { activeMemberCount reviewStatuses { status count } byPhase { phase count } investment { fastCount fastTotalEuros } }
				inIncubation: portfolio(filter: $a, asOf: $asOf) { quality { startupCount } }
				active: startups(filter: $a, asOf: $asOf) { totalCount }
				overdue: startups(filter: $o, asOf: $asOf) { totalCount }
				never: startups(filter: $n, asOf: $asOf) { totalCount }
				due: startups(filter: $d, asOf: $asOf) { totalCount }
				without: startups(filter: $w, asOf: $asOf) { totalCount }
			}`, map[string]any{"f": filter, "a": active, "o": overdue, "n": never, "d": due, "w": without, "asOf": asOf})
			statuses := map[string]int{}
			for _, c := range dig(data, "portfolio", "reviewStatuses").([]any) {
				statuses[str(dig(c, "status"))] = num(dig(c, "count"))
			}
			want := map[string]int{
				"inIncubation":              num(dig(data, "active", "totalCount")),
				"activeMemberCount":         num(dig(data, "portfolio", "activeMemberCount")),
				"reviewOverdue":             num(dig(data, "overdue", "totalCount")),
				"reviewNoneRecorded":        num(dig(data, "never", "totalCount")),
				"reviewSummaryOverdue":      num(dig(data, "overdue", "totalCount")),
				"reviewSummaryNoneRecorded": num(dig(data, "never", "totalCount")),
				"reviewTotal":               num(dig(data, "active", "totalCount")),
				"fastTotalEuros":            num(dig(data, "portfolio", "investment", "fastTotalEuros")),
				"fastCount":                 num(dig(data, "portfolio", "investment", "fastCount")),
				"investmentFastTotalEuros":  num(dig(data, "portfolio", "investment", "fastTotalEuros")),
				"investmentFastCount":       num(dig(data, "portfolio", "investment", "fastCount")),
				"qualityStartupCount":       num(dig(data, "inIncubation", "quality", "startupCount")),
				"overdueCount":              num(dig(data, "overdue", "totalCount")),
				"dueSoonCount":              num(dig(data, "due", "totalCount")),
				"noneRecordedCount":         num(dig(data, "never", "totalCount")),
				"withoutIntrapreneurCount":  num(dig(data, "without", "totalCount")),
				"startupsCount":             num(dig(data, "active", "totalCount")),
			}
			// The aggregate agrees with the lists.
			if statuses["OVERDUE"] != want["overdueCount"] || statuses["NONE_RECORDED"] != want["noneRecordedCount"] || statuses["DUE_SOON"] != want["dueSoonCount"] {
				t.Errorf("reviewStatuses %v, the lists count %d late, %d none recorded, %d due soon", statuses, want["overdueCount"], want["noneRecordedCount"], want["dueSoonCount"])
			}
			for name, w := range want {
				if w == 0 && (name == "dueSoonCount" || name == "noneRecordedCount" || name == "overdueCount" || name == "withoutIntrapreneurCount") {
					// An empty list says so, without a figure.
					if n := len(findAll(doc, hasAttr("data-figure", name))); n != 0 {
						t.Errorf("%s: the API counts none, the page shows %d figures", name, n)
					}
					continue
				}
				if got := figure(t, doc, name); got != w {
					t.Errorf("%s: the page shows %d, the API says %d", name, got, w)
				}
			}
			if want["fastCount"] == 0 || want["noneRecordedCount"] == 0 || want["reviewOverdue"] == 0 {
				t.Errorf("the fixture shows little: %v", want)
			}
			if want["inIncubation"] == 0 {
				t.Fatal("no startup in incubation: the test shows nothing")
			}
			// The table of phases: a cell per phase, as the API counts.
			for _, pc := range dig(data, "portfolio", "byPhase").([]any) {
				phase := dig(pc, "phase").(string)
				cells := findAll(doc, hasAttr("data-phase", phase))
				if len(cells) != 1 || text(cells[0]) != french(num(dig(pc, "count"))) {
					t.Errorf("phase %s: cells %d, text %q, want %q", phase, len(cells), func() string {
						if len(cells) > 0 {
							return text(cells[0])
						}
						return ""
					}(), french(num(dig(pc, "count"))))
				}
			}
			// The tables list the startups the API lists.
			rows := findAll(byID(t, doc, "tableau-startups"), hasAttr("data-slug", ""))
			if len(rows) != want["startupsCount"] {
				t.Errorf("the startup table has %d rows, want %d", len(rows), want["startupsCount"])
			}
			for id, name := range map[string]string{"tableau-retards": "overdueCount", "tableau-a-venir": "dueSoonCount", "tableau-sans-comite": "noneRecordedCount",
				"tableau-sans-intrapreneur": "withoutIntrapreneurCount"} {
				if want[name] == 0 {
					continue
				}
				if rows := findAll(byID(t, doc, id), hasAttr("data-slug", "")); len(rows) != want[name] {
					t.Errorf("table %s has %d rows, want %d", id, len(rows), want[name])
				}
			}
		})
	}
}

// The timeline's table holds the API's points, latest first.
func TestTimelineTable(t *testing.T) {
	_, doc := page(t, shared.public, "/review?incubator=dinum&asOf="+asOf+"&from=2024-01-01", anonymous, http.StatusOK)
	data := graphql(t, anonymous, `query($asOf: Date) { portfolio(filter: {incubators: ["dinum"]}, asOf: $asOf) {
		timeline(from: "2024-01-01", every: MONTH) { date byPhase { phase count } } } }`, map[string]any{"asOf": asOf})
	points := dig(data, "portfolio", "timeline").([]any)
	table := byID(t, doc, "donnees-evolution")
	rows := findAll(findAll(table, tag("tbody"))[0], tag("tr"))
	if len(rows) != len(points) || len(points) < 24 {
		t.Fatalf("%d rows for %d points (monthly from 2024-01-01)", len(rows), len(points))
	}
	for i, pt := range points {
		row := rows[len(rows)-1-i]
		cells := findAll(row, func(n *html.Node) bool { return n.Data == "td" || n.Data == "th" })
		date := dig(pt, "date").(string)
		if got := text(cells[0]); got != date[8:10]+"/"+date[5:7]+"/"+date[0:4] {
			t.Errorf("row %d: date %q, want %s", i, got, date)
		}
		counts := map[string]int{}
		for _, pc := range dig(pt, "byPhase").([]any) {
			counts[dig(pc, "phase").(string)] = num(dig(pc, "count"))
		}
		in := 0
		for j, ph := range []string{"INVESTIGATION", "CONSTRUCTION", "ACCELERATION", "CONSOLIDATION"} {
			in += counts[ph]
			if got := text(cells[1+j]); got != french(counts[ph]) {
				t.Errorf("%s %s: %q, want %d", date, ph, got, counts[ph])
			}
		}
		if got := text(cells[5]); got != french(in) {
			t.Errorf("%s in incubation: %q, want %d", date, got, in)
		}
	}
}

// The team's chart of a startup shows its size at each date of the
// period, as Startup.teamSize(asOf:) answers, from the period's start to
// asOf: the start of the year of its first phase unless the address says.
func TestTeamOverTime(t *testing.T) {
	for _, tt := range []struct {
		query string
		first string // the first date of the chart
		step  int    // months
	}{
		{"asOf=" + asOf, "2018-01-01", 3}, // dossierfacile's first phase: 2018-11-05
		{"asOf=" + asOf + "&from=2025-01-01", "2025-01-01", 1},
	} {
		t.Run(tt.query, func(t *testing.T) {
			_, doc := page(t, shared.public, "/review/startups/dossierfacile?"+tt.query, anonymous, http.StatusOK)
			rows := findAll(findAll(byID(t, doc, "donnees-equipe"), tag("tbody"))[0], tag("tr"))
			var dates []string
			for d := portfolio.MustDate(tt.first); d < portfolio.MustDate(asOf); d = d.AddMonths(tt.step) {
				dates = append(dates, d.String())
			}
			dates = append(dates, asOf)
			if len(rows) != len(dates) {
				t.Fatalf("%d rows, want %d (%s to %s every %d months)", len(rows), len(dates), tt.first, asOf, tt.step)
			}
			var q strings.Builder
			q.WriteString(`{ startup(slug: "dossierfacile") {`)
			for i, d := range dates {
				fmt.Fprintf(&q, " p%d: teamSize(asOf: %q)", i, d)
			}
			q.WriteString(" } }")
			sizes := graphql(t, anonymous, q.String(), nil)
			nonZero := 0
			for i, d := range dates {
				row := rows[len(rows)-1-i] // latest first
				cells := findAll(row, func(n *html.Node) bool { return n.Data == "td" || n.Data == "th" })
				want := num(dig(sizes, "startup", fmt.Sprintf("p%d", i)))
				if text(cells[0]) != d[8:10]+"/"+d[5:7]+"/"+d[0:4] || text(cells[1]) != french(want) {
					t.Errorf("row %s: %q %q, want %d", d, text(cells[0]), text(cells[1]), want)
				}
				if want > 0 {
					nonZero++
				}
			}
			if nonZero < len(dates)/2 {
				t.Errorf("only %d of %d dates have a team: the test shows little", nonZero, len(dates))
			}
		})
	}
}

// The pages are accessible: French, one h1 and headings in order, skip
// links to places that exist, tables with captions and scoped headers,
// charts named and described, each with a table of its data in its section.
func TestAccessibility(t *testing.T) {
	for _, path := range []string{
		"/review?asOf=" + asOf,
		"/review/startups/dossierfacile?asOf=" + asOf,
		"/review/startups/acces-cible",
		"/review/connexion",
		"/review/startups/nope",
	} {
		t.Run(path, func(t *testing.T) {
			resp, body := do(t, http.MethodGet, shared.public+path, nil, anonymous, nil)
			doc, err := html.Parse(strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			if lang, _ := attr(findAll(doc, tag("html"))[0], "lang"); lang != "fr" {
				t.Errorf("lang %q, want fr", lang)
			}
			var levels []int
			for _, h := range findAll(doc, func(n *html.Node) bool {
				return len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6'
			}) {
				levels = append(levels, int(h.Data[1]-'0'))
				if text(h) == "" {
					t.Errorf("an empty %s", h.Data)
				}
			}
			if len(levels) == 0 || levels[0] != 1 || slices.Index(levels[1:], 1) >= 0 {
				t.Errorf("headings %v: want one h1, first", levels)
			}
			for i := 1; i < len(levels); i++ {
				if levels[i] > levels[i-1]+1 {
					t.Errorf("headings %v: h%d follows h%d", levels, levels[i], levels[i-1])
				}
			}
			for _, a := range findAll(doc, func(n *html.Node) bool {
				href, _ := attr(n, "href")
				return n.Data == "a" && strings.HasPrefix(href, "#")
			}) {
				href, _ := attr(a, "href")
				if len(findAll(doc, hasAttr("id", href[1:]))) != 1 {
					t.Errorf("skip link %s goes nowhere", href)
				}
			}
			for _, table := range findAll(doc, tag("table")) {
				caps := findAll(table, tag("caption"))
				if len(caps) != 1 || text(caps[0]) == "" {
					t.Errorf("a table without a caption: %s", shorten(text(table)))
				}
				for _, th := range findAll(table, tag("th")) {
					if s, _ := attr(th, "scope"); s != "col" && s != "row" {
						t.Errorf("table %q: a header without scope: %q", text(caps[0]), text(th))
					}
				}
			}
			for _, svg := range findAll(doc, hasAttr("role", "img")) {
				ids, _ := attr(svg, "aria-labelledby")
				for _, id := range strings.Fields(ids) {
					if el := findAll(svg, hasAttr("id", id)); len(el) != 1 || text(el[0]) == "" {
						t.Errorf("chart labelled by %q, which is missing or empty", id)
					}
				}
				if ids == "" {
					t.Error("a chart without a name")
				}
				section := svg.Parent
				for section != nil && section.Data != "section" {
					section = section.Parent
				}
				if section == nil || len(findAll(section, tag("table"))) == 0 {
					t.Errorf("chart %q has no table of its data in its section", ids)
				}
			}
			// The links every section repeats say which section they are of.
			seen := map[string]bool{}
			for _, a := range findAll(doc, func(n *html.Node) bool {
				return n.Data == "a" && (attrOf(n, "data-query") != "" || attrOf(n, "data-export") != "")
			}) {
				label := text(a)
				if seen[label] {
					t.Errorf("two links say %q", label)
				}
				seen[label] = true
			}
		})
	}
}

// Each section's « Voir la requête » link opens its query in the
// playground, and the query answers there as on the page; each
// « Exporter » link downloads an XLSX file.
func TestSectionLinks(t *testing.T) {
	for _, c := range []struct {
		name   string
		caller caller
	}{{"anonymous", anonymous}, {"viewer", caller{cookie: shared.viewer}}} {
		for _, path := range []string{"/review?incubator=mtes&asOf=" + asOf, "/review/startups/dossierfacile?asOf=" + asOf} {
			t.Run(c.name+" "+path, func(t *testing.T) {
				_, doc := page(t, shared.public, path, c.caller, http.StatusOK)
				for _, f := range findAll(doc, hasAttr("data-failure", "")) {
					t.Errorf("section %s failed: %s", attrOf(f, "data-failure"), text(f))
				}
				queries := findAll(doc, hasAttr("data-query", ""))
				if len(queries) < 4 {
					t.Fatalf("%d query links", len(queries))
				}
				for _, a := range queries {
					href, _ := attr(a, "href")
					u, err := url.Parse(href)
					if err != nil || u.Path != "/" || u.Query().Get("query") == "" {
						t.Errorf("query link %q", href)
						continue
					}
					var vars map[string]any
					if v := u.Query().Get("variables"); v != "" {
						if err := json.Unmarshal([]byte(v), &vars); err != nil {
							t.Errorf("variables %q: %v", v, err)
						}
					}
					b, _ := json.Marshal(map[string]any{"query": u.Query().Get("query"), "variables": vars})
					resp, body := do(t, http.MethodPost, shared.public+"/graphql", bytes.NewReader(b), c.caller, http.Header{"Content-Type": {"application/json"}})
					var out struct {
						Data   map[string]any
						Errors []struct{ Extensions map[string]any }
					}
					json.Unmarshal([]byte(body), &out)
					if resp.StatusCode != 200 || out.Data == nil {
						t.Errorf("the query of %s does not answer: %s", attrOf(a, "data-query"), shorten(body))
					}
					for _, e := range out.Errors {
						if e.Extensions["code"] != "FORBIDDEN" || c.caller != anonymous {
							t.Errorf("the query of %s answers an error: %s", attrOf(a, "data-query"), shorten(body))
						}
					}
				}
				exports := findAll(doc, hasAttr("data-export", ""))
				if len(exports) < 3 {
					t.Fatalf("%d export links", len(exports))
				}
				for _, a := range exports {
					href, _ := attr(a, "href")
					resp, body := do(t, http.MethodGet, shared.public+href, nil, c.caller, nil)
					if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !strings.HasPrefix(body, "PK") {
						t.Errorf("export %s: %d %s %s", href, resp.StatusCode, resp.Header.Get("Content-Type"), shorten(body))
						continue
					}
					checkFrenchSheet(t, attrOf(a, "data-export"), []byte(body))
				}
			})
		}
	}
}

func attrOf(n *html.Node, name string) string {
	v, _ := attr(n, name)
	return v
}

// Protected values (committee comments and budgets, mission statuses)
// reach the page for viewers only, whether they send their token in a
// header or signed in with the cookie; anonymous callers read that they
// are reserved, and the rest of the page.
func TestRights(t *testing.T) {
	const path = "/review/startups/dossierfacile?asOf=" + asOf
	data := graphql(t, caller{header: shared.viewer}, `query($asOf: Date) {
		committees(filter: {startups: ["dossierfacile"], to: $asOf}) { nodes { comment budgetEuros } }
		startup(slug: "dossierfacile") { team(asOf: $asOf) { member { fullname } status } }
	}`, map[string]any{"asOf": asOf})
	var comments, budgets []string
	for _, c := range dig(data, "committees", "nodes").([]any) {
		comments = append(comments, dig(c, "comment").(string))
		budgets = append(budgets, french(num(dig(c, "budgetEuros")))+"\u00a0€")
	}
	statusLabel := map[string]string{"ADMIN": "Agent public", "INDEPENDENT": "Indépendant", "SERVICE": "Prestataire"}
	statuses := map[string]string{} // member → status label
	for _, m := range dig(data, "startup", "team").([]any) {
		statuses[dig(m, "member", "fullname").(string)] = statusLabel[dig(m, "status").(string)]
	}
	if len(comments) < 3 || len(statuses) < 3 {
		t.Fatalf("the fixture has %d committees and a team of %d: the test shows little", len(comments), len(statuses))
	}

	for _, tt := range []struct {
		name   string
		caller caller
		viewer bool
	}{
		{"anonymous", anonymous, false},
		{"viewer, header", caller{header: shared.viewer}, true},
		{"viewer, cookie", caller{cookie: shared.viewer}, true},
		{"admin, cookie", caller{cookie: shared.admin}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := page(t, shared.public, path, tt.caller, http.StatusOK)
			committees := text(byID(t, doc, "tableau-comites"))
			for _, c := range comments {
				if strings.Contains(committees, c) != tt.viewer {
					t.Errorf("comment %q shown: %v, want %v", c, !tt.viewer, tt.viewer)
				}
			}
			for _, b := range budgets {
				if strings.Contains(committees, b) != tt.viewer {
					t.Errorf("budget %q shown: %v, want %v", b, !tt.viewer, tt.viewer)
				}
			}
			for _, row := range findAll(findAll(byID(t, doc, "tableau-equipe"), tag("tbody"))[0], tag("tr")) {
				cells := findAll(row, func(n *html.Node) bool { return n.Data == "th" || n.Data == "td" })
				name, status := text(cells[0]), text(cells[3])
				want := "réservé aux personnes connectées"
				if tt.viewer {
					want = statuses[name]
				}
				if status != want {
					t.Errorf("%s: status %q, want %q", name, status, want)
				}
			}
			page := text(doc)
			for _, label := range statusLabel {
				if !tt.viewer && strings.Contains(page, label) {
					t.Errorf("the anonymous page says %q", label)
				}
			}
			if notice := findAll(doc, hasClass("review-public")); (len(notice) == 1) == tt.viewer {
				t.Errorf("notice of public data shown: %v", len(notice) == 1)
			}
		})
	}
}

// A section whose query the server refuses says so, and the others are
// shown.
func TestSectionFailure(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "small.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		_, err := seed.Generate(ctx, s, seed.Options{Scale: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// The startups' lists ask for 1,000 rows: over this cost limit; the
	// key figures are not.
	srv := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), PublicRead: true, Limits: server.Limits{MaxCost: 20000}}))
	defer srv.Close()
	_, doc := page(t, srv.URL, "/review?asOf="+asOf, anonymous, http.StatusOK)
	failed := map[string]string{}
	for _, n := range findAll(doc, hasAttr("data-failure", "")) {
		failed[attrOf(n, "data-failure")] = text(n)
	}
	for _, id := range []string{"startups", "comites-en-retard"} {
		if !strings.Contains(failed[id], "COMPLEXITY_LIMIT") {
			t.Errorf("section %s: failure %q, want one naming COMPLEXITY_LIMIT", id, failed[id])
		}
	}
	if _, ok := failed["chiffres-cles"]; ok || figure(t, doc, "inIncubation") == 0 {
		t.Errorf("the key figures failed too: %v", failed)
	}
}

// Bad addresses get a page that says what is wrong, in French.
func TestBadAddresses(t *testing.T) {
	for _, tt := range []struct {
		path   string
		status int
		says   string
	}{
		{"/review?asof=2026-01-01", 400, "Le paramètre « asof » est inconnu"},
		{"/review?asOf=2026-13-01", 400, "asOf : « 2026-13-01 » n'est pas une date"},
		{"/review?asOf=01/02/2026", 400, "n'est pas une date écrite AAAA-MM-JJ"},
		{"/review?asOf=2026-01-01&asOf=2026-02-01", 400, "donné 2 fois"},
		{"/review?from=2026-02-01&asOf=2026-01-01", 400, "est après asOf"},
		{"/review/startups/nope", 404, "Aucune startup n’a l’identifiant « nope »"},
		{"/review/ailleurs", 404, "aucune page"},
		{"/review/startups/dossierfacile?asOf=hier", 400, "« hier » n'est pas une date"},
		{"/review?from=0001-01-01", 400, "from (0001-01-01) : donnez une date entre le 01/01/2000 et le 31/12/2099"},
		{"/review?asOf=2200-01-01", 400, "asOf (2200-01-01) : donnez une date entre"},
		{"/review?" + strings.Repeat("incubator=x&", 50) + manySlugs(101), 400, "Le paramètre incubator est donné 102 fois : 100 au plus"}, // x counts once
		// Text that is not UTF-8: refused, naming the parameter.
		{"/review?incubator=dinum&sponsor=di%FFnum", 400, "Le paramètre « sponsor » n'est pas du texte valide (UTF-8) au caractère 3"},
		{"/review?incubator%FF=dinum", 400, "Le nom d'un paramètre de l'adresse n'est pas du texte valide"},
		{"/review/startups/dossier%C3facile", 400, "n'est pas du texte valide (UTF-8) au caractère 8 de l'identifiant"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			_, doc := page(t, shared.public, tt.path, anonymous, tt.status)
			if got := text(doc); !strings.Contains(got, tt.says) {
				t.Errorf("the page does not say %q:\n%s", tt.says, shorten(got))
			}
		})
	}
}

// The sort script enhances tables the page marks, the page loads it and
// the DSFR with their integrity, and they are served.
func TestAssets(t *testing.T) {
	resp, doc := page(t, shared.public, "/review?asOf="+asOf, anonymous, http.StatusOK)
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy %q", csp)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q: a page may hold protected values", cc)
	}
	var urls []string
	for _, n := range findAll(doc, func(n *html.Node) bool {
		return n.Data == "script" || n.Data == "link" && attrOf(n, "rel") == "stylesheet"
	}) {
		u := attrOf(n, "src") + attrOf(n, "href")
		if attrOf(n, "integrity") == "" {
			t.Errorf("%s has no integrity hash", u)
		}
		urls = append(urls, u)
		r, body := do(t, http.MethodGet, shared.public+u, nil, anonymous, nil)
		if r.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s: %d", u, r.StatusCode)
		}
	}
	for _, want := range []string{"/assets/npm/@gouvfr/dsfr@", "dsfr.min.css", "dsfr.module.min.js", "/review/static/review.css", "/review/static/review.js", "/review/static/live.js"} {
		if !strings.Contains(strings.Join(urls, " "), want) {
			t.Errorf("the page does not load %s: %q", want, urls)
		}
	}
	// The committees planned and due, the agenda's three lists, the
	// startups without an intrapreneur and the startup table.
	if n := len(findAll(doc, hasAttr("data-sortable", ""))); n != 6 {
		t.Errorf("the portfolio page has %d sortable tables, want 6", n)
	}
}

// manySlugs returns an address's incubators, n different ones.
func manySlugs(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, fmt.Sprintf("incubator=i%d", i))
	}
	return strings.Join(parts, "&")
}

// /review/ is /review.
func TestTrailingSlash(t *testing.T) {
	resp, _ := do(t, http.MethodGet, shared.public+"/review/?incubator=dinum", nil, anonymous, nil)
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/review?incubator=dinum" {
		t.Errorf("status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// TestAgendaStatesTheRule checks that the agenda states the overdue rule
// with the domain's delays (portfolio.OverdueAfterDays, DueSoonDays), not
// figures of its own.
func TestAgendaStatesTheRule(t *testing.T) {
	_, doc := page(t, shared.public, "/review?asOf="+asOf, anonymous, http.StatusOK)
	body := strings.Join(strings.Fields(text(doc)), " ")
	for _, want := range []string{
		fmt.Sprintf("sinon %d jours après lui", portfolio.OverdueAfterDays),
		fmt.Sprintf("Dus dans les %d jours", portfolio.DueSoonDays),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the agenda does not say %q", want)
		}
	}
}
