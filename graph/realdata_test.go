package graph_test

// Real-data tests: the API, serving an import of the real beta.gouv.fr
// snapshot named by PORTFOLIO_SNAPSHOT, must give the numbers an independent
// reading of the same files gives (realdata_oracle_test.go). They skip when
// PORTFOLIO_SNAPSHOT is unset.

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
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// realEnv is the served import and the oracle, built once per test binary.
type realEnv struct {
	url    string
	log    *lockedBuffer // the server's log, shown with INTERNAL errors
	token  string        // a VIEWER token: some figures (membersByStatus) need one
	oracle *oracle
	srv    *httptest.Server
	db     *sqlite.DB
	tmp    string
}

var (
	realOnce sync.Once
	realErr  error
	rd       *realEnv
)

func TestMain(m *testing.M) {
	code := m.Run()
	if rd != nil {
		if rd.srv != nil {
			rd.srv.Close()
		}
		if rd.db != nil {
			rd.db.Close()
		}
		os.RemoveAll(rd.tmp)
	}
	os.Exit(code)
}

// realData returns the environment, or skips when PORTFOLIO_SNAPSHOT is
// unset.
func realData(t *testing.T) *realEnv {
	t.Helper()
	dir := os.Getenv("PORTFOLIO_SNAPSHOT")
	if dir == "" {
		t.Skip("PORTFOLIO_SNAPSHOT is not set; set it to the content folder of a beta.gouv.fr snapshot to run the real-data tests")
	}
	realOnce.Do(func() { rd, realErr = setupReal(dir) })
	if realErr != nil {
		t.Fatalf("real data: %v", realErr)
	}
	return rd
}

func setupReal(dir string) (*realEnv, error) {
	ctx := context.Background()
	env := &realEnv{log: &lockedBuffer{}}
	o, err := readOracle(dir)
	if err != nil {
		return env, fmt.Errorf("oracle: %w", err)
	}
	env.oracle = o
	snap, err := betagouv.Read(ctx, dir, betagouv.Options{})
	if err != nil {
		return env, fmt.Errorf("read: %w", err)
	}
	if env.tmp, err = os.MkdirTemp("", "portfolio-realdata-"); err != nil {
		return env, err
	}
	if env.db, err = sqlite.Open(ctx, filepath.Join(env.tmp, "portfolio.db")); err != nil {
		return env, fmt.Errorf("open: %w", err)
	}
	if _, err := env.db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error { return snap.WriteTo(ctx, s) }); err != nil {
		return env, fmt.Errorf("load: %w", err)
	}
	// A viewer reads every figure of the dashboards.
	if env.token, _, err = env.db.CreateToken(ctx, "realdata-test", portfolio.RoleViewer, nil); err != nil {
		return env, fmt.Errorf("token: %w", err)
	}
	env.srv = httptest.NewServer(server.New(server.Config{DB: env.db, Schema: graph.Executable(env.db), Logger: slog.New(slog.NewTextHandler(env.log, nil))}))
	env.url = env.srv.URL + "/graphql"
	return env, nil
}

// query posts a GraphQL query and decodes its data into out; any GraphQL
// error fails the test.
func (e *realEnv) query(t *testing.T, q string, vars map[string]any, out any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	logFrom := e.log.Len()
	req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("POST /graphql: status %s, decoding the response: %v", resp.Status, err)
	}
	if len(r.Errors) > 0 {
		var msgs []string
		for i, e := range r.Errors {
			if i == 5 {
				msgs = append(msgs, fmt.Sprintf("… and %d more", len(r.Errors)-5))
				break
			}
			msgs = append(msgs, fmt.Sprintf("%s (path %v, code %v)", e.Message, e.Path, e.Extensions["code"]))
		}
		vj, _ := json.Marshal(vars)
		logged := ""
		if l := e.log.From(logFrom); l != "" {
			logged = "\nserver log:\n" + l
		}
		t.Fatalf("GraphQL errors (variables %s):\n\t%s%s", vj, strings.Join(msgs, "\n\t"), logged)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		t.Fatalf("decoding data: %v\n%s", err, r.Data)
	}
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

// From returns what was logged from offset n on (at most a few lines).
func (b *lockedBuffer) From(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()[n:]
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return s
}

// ---------------------------------------------------------------- diffs

// diffs collects readable mismatches.
type diffs []string

func (d *diffs) add(format string, args ...any) { *d = append(*d, fmt.Sprintf(format, args...)) }

func (d *diffs) int(key string, want, got int) {
	if want != got {
		d.add("%s: want %d, got %d", key, want, got)
	}
}

// counts compares two count maps, a missing key counting as zero.
func (d *diffs) counts(key string, want, got map[string]int) {
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if want[k] != got[k] {
			name := k
			if name == "" {
				name = "(null)"
			}
			d.add("%s[%s]: want %d, got %d", key, name, want[k], got[k])
		}
	}
}

// sets compares two sets of slugs.
func (d *diffs) sets(key string, want, got map[string]bool) {
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		d.add("%s: missing (want but not got) %d: %s", key, len(missing), abbreviate(missing))
	}
	if len(extra) > 0 {
		d.add("%s: extra (got but not want) %d: %s", key, len(extra), abbreviate(extra))
	}
}

func abbreviate(l []string) string {
	if len(l) > 15 {
		return strings.Join(l[:15], ", ") + fmt.Sprintf(", … (%d more)", len(l)-15)
	}
	return strings.Join(l, ", ")
}

func (d diffs) report(t *testing.T, context string) {
	t.Helper()
	if len(d) == 0 {
		return
	}
	const max = 40
	shown := d
	more := ""
	if len(shown) > max {
		shown, more = shown[:max], fmt.Sprintf("\n\t… and %d more", len(d)-max)
	}
	t.Errorf("%s: %d mismatch(es) (want = computed from the files, got = API):\n\t%s%s", context, len(d), strings.Join(shown, "\n\t"), more)
}

// countList turns a list of {key, count} into a map, noting duplicates.
func countList[T any](d *diffs, key string, l []T, get func(T) (string, int)) map[string]int {
	m := map[string]int{}
	for _, it := range l {
		k, n := get(it)
		if _, dup := m[k]; dup {
			d.add("%s: key %q listed twice", key, k)
		}
		m[k] += n
	}
	return m
}

// ---------------------------------------------------------------- the dates and filters

var realDates = []string{"2019-06-30", "2022-01-01", "2024-03-15", "2026-08-20"}

// portfolioFilters are the filters the aggregates are compared under.
var portfolioFilters = []sf{
	{},
	{Incubators: []string{"dinum"}},
	{Incubators: []string{"anct"}},
	{Incubators: []string{"mtes", "sgmas"}},
	{Phases: []string{"CONSTRUCTION", "ACCELERATION"}},
	{Phases: []string{"INVESTIGATION"}},
	{Active: ptr(true)},
	{Not: &sf{Active: ptr(true)}},
	{Sponsors: []string{"dinum"}},
	{And: []sf{{Incubators: []string{"anct"}}, {Active: ptr(true)}}},
}

// ---------------------------------------------------------------- portfolio

type apiPortfolio struct {
	AsOf         string `json:"asOf"`
	StartupCount int    `json:"startupCount"`
	ByPhase      []struct {
		Phase string `json:"phase"`
		Count int    `json:"count"`
	} `json:"byPhase"`
	ByIncubator []struct {
		Incubator struct{ Slug string } `json:"incubator"`
		Count     int                   `json:"count"`
	} `json:"byIncubator"`
	BySponsor []struct {
		Organisation struct{ Slug string } `json:"organisation"`
		Count        int                   `json:"count"`
	} `json:"bySponsor"`
	ByThematique []struct {
		Label string `json:"label"`
		Count int    `json:"count"`
	} `json:"byThematique"`
	ActiveMemberCount int `json:"activeMemberCount"`
	MembersByDomain   []struct {
		Domain string `json:"domain"`
		Count  int    `json:"count"`
	} `json:"membersByDomain"`
	MembersByStatus []struct {
		Status *string `json:"status"`
		Count  int     `json:"count"`
	} `json:"membersByStatus"`
	CommitteeOverdueCount int `json:"committeeOverdueCount"`
	ReviewStatuses        []struct {
		Status string `json:"status"`
		Count  int    `json:"count"`
	} `json:"reviewStatuses"`
	WithoutIntrapreneurCount int `json:"withoutIntrapreneurCount"`
	PhaseDurations           []struct {
		Phase      string  `json:"phase"`
		Startups   int     `json:"startups"`
		MedianDays float64 `json:"medianDays"`
		MeanDays   float64 `json:"meanDays"`
	} `json:"phaseDurations"`
	// Committee decisions per period alias, filled from the raw JSON.
	Decisions map[string][]struct {
		Decision string `json:"decision"`
		Count    int    `json:"count"`
	} `json:"-"`
}

func (p *apiPortfolio) UnmarshalJSON(b []byte) error {
	type plain apiPortfolio
	if err := json.Unmarshal(b, (*plain)(p)); err != nil {
		return err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	p.Decisions = map[string][]struct {
		Decision string `json:"decision"`
		Count    int    `json:"count"`
	}{}
	for k, v := range raw {
		if !strings.HasPrefix(k, "cd_") {
			continue
		}
		var l []struct {
			Decision string `json:"decision"`
			Count    int    `json:"count"`
		}
		if err := json.Unmarshal(v, &l); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
		p.Decisions[k] = l
	}
	return nil
}

// periodsFor gives the committeeDecisions ranges asked at asOf d; the alias
// "cd_default" asks with no arguments (a year before d to d).
func periodsFor(d day) []period {
	t := d.String()
	yearBefore := mustDay(fmt.Sprintf("%04d%s", atoi(t[:4])-1, t[4:]))
	return []period{
		{"cd_default", yearBefore, d},
		{"cd_all", mustDay("2000-01-01"), d},
		{"cd_2024", mustDay("2024-01-01"), mustDay("2024-12-31")},
		{"cd_2025h1", mustDay("2025-01-01"), mustDay("2025-06-30")},
		{"cd_future", d, mustDay("2030-12-31")},
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

const portfolioFields = `asOf startupCount
	byPhase { phase count }
	byIncubator { incubator { slug } count }
	bySponsor { organisation { slug } count }
	byThematique { label count }
	activeMemberCount
	membersByDomain { domain count }
	membersByStatus { status count }
	committeeOverdueCount
	reviewStatuses { status count }
	withoutIntrapreneurCount
	phaseDurations { phase startups medianDays meanDays }`

func decisionFields(periods []period) string {
	var b strings.Builder
	for _, p := range periods {
		if p.alias == "cd_default" {
			b.WriteString("\n\tcd_default: committeeDecisions { decision count }")
			continue
		}
		fmt.Fprintf(&b, "\n\t%s: committeeDecisions(from: %q, to: %q) { decision count }", p.alias, p.from, p.to)
	}
	return b.String()
}

// comparePortfolio compares the API's figures with the oracle's.
func comparePortfolio(d *diffs, asOf day, want figures, got apiPortfolio, periods []period) {
	if got.AsOf != asOf.String() {
		d.add("asOf: want %s, got %s", asOf, got.AsOf)
	}
	d.int("startupCount", want.StartupCount, got.StartupCount)
	d.counts("byPhase", want.ByPhase, countList(d, "byPhase", got.ByPhase, func(x struct {
		Phase string `json:"phase"`
		Count int    `json:"count"`
	}) (string, int) {
		return x.Phase, x.Count
	}))
	d.counts("byIncubator", want.ByIncubator, countList(d, "byIncubator", got.ByIncubator, func(x struct {
		Incubator struct{ Slug string } `json:"incubator"`
		Count     int                   `json:"count"`
	}) (string, int) {
		return x.Incubator.Slug, x.Count
	}))
	d.counts("bySponsor", want.BySponsor, countList(d, "bySponsor", got.BySponsor, func(x struct {
		Organisation struct{ Slug string } `json:"organisation"`
		Count        int                   `json:"count"`
	}) (string, int) {
		return x.Organisation.Slug, x.Count
	}))
	d.counts("byThematique", want.ByThematique, countList(d, "byThematique", got.ByThematique, func(x struct {
		Label string `json:"label"`
		Count int    `json:"count"`
	}) (string, int) {
		return x.Label, x.Count
	}))
	d.int("activeMemberCount", want.ActiveMemberCount, got.ActiveMemberCount)
	d.counts("membersByDomain", want.MembersByDomain, countList(d, "membersByDomain", got.MembersByDomain, func(x struct {
		Domain string `json:"domain"`
		Count  int    `json:"count"`
	}) (string, int) {
		return x.Domain, x.Count
	}))
	d.counts("membersByStatus", want.MembersByStatus, countList(d, "membersByStatus", got.MembersByStatus, func(x struct {
		Status *string `json:"status"`
		Count  int     `json:"count"`
	}) (string, int) {
		if x.Status == nil {
			return "", x.Count
		}
		return *x.Status, x.Count
	}))
	d.int("committeeOverdueCount", want.CommitteeOverdueCount, got.CommitteeOverdueCount)
	// Every status, zeros included, in the enum's order.
	order := []string{"OVERDUE", "NONE_RECORDED", "DUE_SOON", "UP_TO_DATE"}
	if len(got.ReviewStatuses) != len(order) {
		d.add("reviewStatuses: %d entries, want %d", len(got.ReviewStatuses), len(order))
	}
	for i, rs := range got.ReviewStatuses {
		if i < len(order) && rs.Status != order[i] {
			d.add("reviewStatuses[%d]: %s, want %s", i, rs.Status, order[i])
		}
		d.int("reviewStatuses "+rs.Status, want.ReviewStatuses[rs.Status], rs.Count)
	}
	d.int("withoutIntrapreneurCount", want.WithoutIntrapreneurCount, got.WithoutIntrapreneurCount)

	gotDur := map[string]durationFig{}
	for _, pd := range got.PhaseDurations {
		if _, dup := gotDur[pd.Phase]; dup {
			d.add("phaseDurations: phase %s listed twice", pd.Phase)
		}
		gotDur[pd.Phase] = durationFig{Startups: pd.Startups, Median: pd.MedianDays, Mean: pd.MeanDays}
	}
	for _, ph := range []string{"INVESTIGATION", "CONSTRUCTION", "ACCELERATION", "CONSOLIDATION", "TRANSFERRED", "OPERATED", "ABANDONED", "INVESTIGATION_ABANDONED", "UNKNOWN"} {
		w, wok := want.PhaseDurations[ph]
		g, gok := gotDur[ph]
		switch {
		case !wok && !gok:
		case !wok && g.Startups == 0:
		case !wok || !gok:
			d.add("phaseDurations[%s]: want %+v, got %+v", ph, w, g)
		default:
			if w.Startups != g.Startups || !closeEnough(w.Median, g.Median) || !closeEnough(w.Mean, g.Mean) {
				d.add("phaseDurations[%s]: want {startups %d median %.6f mean %.6f}, got {startups %d median %.6f mean %.6f}",
					ph, w.Startups, w.Median, w.Mean, g.Startups, g.Median, g.Mean)
			}
		}
	}

	for _, p := range periods {
		total := 0
		for _, dc := range got.Decisions[p.alias] {
			total += dc.Count
		}
		d.int(fmt.Sprintf("committeeDecisions(from %s, to %s) total", p.from, p.to), want.Committees[p.alias], total)
	}
}

func TestRealDataPortfolio(t *testing.T) {
	env := realData(t)
	for _, ds := range realDates {
		d := mustDay(ds)
		periods := periodsFor(d)
		q := `query($f: StartupFilter, $d: Date) { portfolio(filter: $f, asOf: $d) { ` + portfolioFields + decisionFields(periods) + ` } }`
		for _, f := range portfolioFilters {
			t.Run(ds+" "+f.String(), func(t *testing.T) {
				var out struct{ Portfolio apiPortfolio }
				env.query(t, q, map[string]any{"f": f.gql(), "d": ds}, &out)
				var dd diffs
				want := env.oracle.portfolioAt(f, d, periods)
				comparePortfolio(&dd, d, want, out.Portfolio, periods)
				// Asked without the members' breakdowns, the count takes
				// another statement (DB.ActiveMemberCount): the same figure.
				var alone struct {
					Portfolio struct{ ActiveMemberCount int }
				}
				env.query(t, `query($f: StartupFilter, $d: Date) { portfolio(filter: $f, asOf: $d) { activeMemberCount } }`, map[string]any{"f": f.gql(), "d": ds}, &alone)
				dd.int("activeMemberCount asked alone", want.ActiveMemberCount, alone.Portfolio.ActiveMemberCount)
				dd.report(t, fmt.Sprintf("portfolio(asOf: %s, filter: %s)", ds, f))
			})
		}
	}
}

// TestRealDataIncubatorPortfolio checks Incubator.portfolio, which must be
// the portfolio of the incubator's startups.
func TestRealDataIncubatorPortfolio(t *testing.T) {
	env := realData(t)
	for _, ds := range []string{"2022-01-01", "2026-08-20"} {
		d := mustDay(ds)
		periods := periodsFor(d)
		q := `query($i: String!, $f: StartupFilter, $d: Date) { incubator(slug: $i) { portfolio(filter: $f, asOf: $d) { ` + portfolioFields + decisionFields(periods) + ` } } }`
		for _, c := range []struct {
			inc string
			f   sf
		}{{"dinum", sf{}}, {"anct", sf{}}, {"mtes", sf{Active: ptr(true)}}} {
			t.Run(ds+" "+c.inc+" "+c.f.String(), func(t *testing.T) {
				var out struct {
					Incubator struct{ Portfolio apiPortfolio }
				}
				env.query(t, q, map[string]any{"i": c.inc, "f": c.f.gql(), "d": ds}, &out)
				f := sf{And: []sf{{Incubators: []string{c.inc}}, c.f}}
				var dd diffs
				comparePortfolio(&dd, d, env.oracle.portfolioAt(f, d, periods), out.Incubator.Portfolio, periods)
				dd.report(t, fmt.Sprintf("incubator(%s).portfolio(asOf: %s, filter: %s)", c.inc, ds, c.f))
			})
		}
	}
}

// ---------------------------------------------------------------- timeline

func TestRealDataTimeline(t *testing.T) {
	env := realData(t)
	cases := []struct {
		from, to, every string
		f               sf
	}{
		{"2021-01-01", "2026-01-01", "MONTH", sf{}},
		{"2021-01-01", "2026-01-01", "MONTH", sf{Incubators: []string{"dinum"}}},
		{"2021-01-01", "2026-01-01", "MONTH", sf{Phases: []string{"CONSTRUCTION"}}},
		{"2021-01-01", "2026-01-01", "MONTH", sf{Active: ptr(true)}},
		// Filters that depend on the date, evaluated in memory (sqlite/timeline.go).
		{"2021-01-01", "2026-01-01", "MONTH", sf{CommitteeOverdue: ptr(true)}},
		{"2019-01-01", "2026-01-01", "QUARTER", sf{Or: []sf{
			{Incubators: []string{"dinum"}, Active: ptr(false)},
			{Not: &sf{Phases: []string{"INVESTIGATION", "CONSTRUCTION"}}, Thematiques: []string{"Logement"}},
			{And: []sf{{Search: ptr("dossier")}, {CommitteeOverdue: ptr(false)}}},
		}}},
		{"2021-01-01", "2026-01-01", "MONTH", sf{Not: &sf{Active: ptr(true)}, Sponsors: []string{"dinum"}}},
		{"2021-01-01", "2026-01-01", "QUARTER", sf{Incubators: []string{"anct"}}},
		{"2014-01-01", "2026-01-01", "YEAR", sf{}},
	}
	const q = `query($f: StartupFilter, $from: Date!, $to: Date, $every: Every!) {
		portfolio(filter: $f, asOf: "2026-08-20") {
			timeline(from: $from, to: $to, every: $every) { date byPhase { phase count } startupCount activeMemberCount }
		}
	}`
	for _, c := range cases {
		t.Run(c.every+" "+c.from+".."+c.to+" "+c.f.String(), func(t *testing.T) {
			var out struct {
				Portfolio struct {
					Timeline []struct {
						Date    string `json:"date"`
						ByPhase []struct {
							Phase string `json:"phase"`
							Count int    `json:"count"`
						} `json:"byPhase"`
						StartupCount      int `json:"startupCount"`
						ActiveMemberCount int `json:"activeMemberCount"`
					}
				}
			}
			env.query(t, q, map[string]any{"f": c.f.gql(), "from": c.from, "to": c.to, "every": c.every}, &out)
			step := map[string]int{"MONTH": 1, "QUARTER": 3, "YEAR": 12}[c.every]
			var want []day
			for d := mustDay(c.from); d <= mustDay(c.to); d = d.addMonths(step) {
				want = append(want, d)
			}
			var dd diffs
			got := out.Portfolio.Timeline
			if len(got) != len(want) {
				dd.add("number of points: want %d, got %d", len(want), len(got))
			}
			for i := 0; i < len(want) && i < len(got); i++ {
				d := want[i]
				p := got[i]
				if p.Date != d.String() {
					dd.add("point %d: date: want %s, got %s", i, d, p.Date)
					continue
				}
				fg := env.oracle.portfolioAt(c.f, d, nil)
				started := 0
				for _, n := range fg.ByPhase {
					started += n
				}
				var pd diffs
				pd.int("startupCount", started, p.StartupCount)
				pd.int("activeMemberCount", fg.ActiveMemberCount, p.ActiveMemberCount)
				pd.counts("byPhase", fg.ByPhase, countList(&pd, "byPhase", p.ByPhase, func(x struct {
					Phase string `json:"phase"`
					Count int    `json:"count"`
				}) (string, int) {
					return x.Phase, x.Count
				}))
				for _, l := range pd {
					dd.add("%s: %s", d, l)
				}
			}
			dd.report(t, fmt.Sprintf("portfolio(filter: %s).timeline(from: %s, to: %s, every: %s)", c.f, c.from, c.to, c.every))
		})
	}
}

// ---------------------------------------------------------------- startups

type apiStartup struct {
	Slug             string  `json:"slug"`
	TeamSize         int     `json:"teamSize"`
	Phase            *string `json:"phase"`
	Active           bool    `json:"active"`
	CommitteeOverdue bool    `json:"committeeOverdue"`
	LastCommittee    *struct {
		Date string `json:"date"`
	} `json:"lastCommittee"`
	ReviewStatus   *string `json:"reviewStatus"`
	IncubatedSince *string `json:"incubatedSince"`
	Intrapreneurs  []struct {
		Slug string `json:"slug"`
	} `json:"intrapreneurs"`
}

// allStartups pages through startups(filter, asOf) and returns the nodes and
// the totalCount of the first page.
func (e *realEnv) allStartups(t *testing.T, f *sf, asOf string, pageSize int) ([]apiStartup, int) {
	t.Helper()
	const q = `query($f: StartupFilter, $d: Date, $first: Int, $after: String) {
		startups(filter: $f, asOf: $d, first: $first, after: $after) {
			totalCount
			pageInfo { hasNextPage endCursor }
			nodes { slug teamSize phase active committeeOverdue lastCommittee { date } reviewStatus incubatedSince intrapreneurs { slug } }
		}
	}`
	var all []apiStartup
	total := -1
	var after any
	for page := 0; ; page++ {
		if page > 50 {
			t.Fatalf("startups(asOf: %s): more than 50 pages", asOf)
		}
		vars := map[string]any{"d": asOf, "first": pageSize, "after": after}
		if f != nil {
			vars["f"] = f.gql()
		}
		var out struct {
			Startups struct {
				TotalCount int `json:"totalCount"`
				PageInfo   struct {
					HasNextPage bool    `json:"hasNextPage"`
					EndCursor   *string `json:"endCursor"`
				} `json:"pageInfo"`
				Nodes []apiStartup `json:"nodes"`
			}
		}
		e.query(t, q, vars, &out)
		if total < 0 {
			total = out.Startups.TotalCount
		}
		all = append(all, out.Startups.Nodes...)
		if !out.Startups.PageInfo.HasNextPage {
			break
		}
		if out.Startups.PageInfo.EndCursor == nil || len(out.Startups.Nodes) == 0 {
			t.Fatalf("startups(asOf: %s): hasNextPage with no endCursor or an empty page", asOf)
		}
		after = *out.Startups.PageInfo.EndCursor
	}
	return all, total
}

// orEmpty is a nullable string, "" for null.
func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestRealDataStartups(t *testing.T) {
	env := realData(t)
	o := env.oracle
	for _, c := range []struct {
		date string
		page int
	}{
		{"2019-06-30", 1000}, {"2024-03-15", 1000}, {"2026-08-20", 1000}, {"2022-01-01", 250},
		// The 183-day boundary: three startups had a committee on
		// 2024-07-03, 183 days before 2025-01-02 and 184 before 2025-01-03.
		{"2025-01-02", 1000}, {"2025-01-03", 1000},
	} {
		t.Run(fmt.Sprintf("%s first %d", c.date, c.page), func(t *testing.T) {
			d := mustDay(c.date)
			nodes, total := env.allStartups(t, nil, c.date, c.page)
			var dd diffs
			dd.int("totalCount", len(o.startups), total)
			dd.int("nodes over all pages", len(o.startups), len(nodes))
			got := map[string]apiStartup{}
			gotSet := map[string]bool{}
			for _, n := range nodes {
				if gotSet[n.Slug] {
					dd.add("%s listed twice", n.Slug)
				}
				got[n.Slug], gotSet[n.Slug] = n, true
			}
			wantSet := map[string]bool{}
			for _, s := range o.startups {
				wantSet[s.slug] = true
			}
			dd.sets("slugs", wantSet, gotSet)
			for _, s := range o.startups {
				n, ok := got[s.slug]
				if !ok {
					continue
				}
				dd.int(s.slug+" teamSize", len(o.teamAt(s.slug, d)), n.TeamSize)
				gotPhase := ""
				if n.Phase != nil {
					gotPhase = *n.Phase
				}
				if w := s.phaseAt(d); w != gotPhase {
					dd.add("%s phase: want %q, got %q (phases %v)", s.slug, w, gotPhase, s.phases)
				}
				if w := s.activeAt(d); w != n.Active {
					dd.add("%s active: want %v, got %v", s.slug, w, n.Active)
				}
				if w := s.overdueAt(d); w != n.CommitteeOverdue {
					dd.add("%s committeeOverdue: want %v, got %v (last committee %v)", s.slug, w, n.CommitteeOverdue, n.LastCommittee)
				}
				if w, g := s.reviewStatusAt(d), orEmpty(n.ReviewStatus); w != g {
					dd.add("%s reviewStatus: want %q, got %q (last committee %v)", s.slug, w, g, n.LastCommittee)
				}
				since := ""
				for _, p := range s.phases {
					if p.hasStart && (since == "" || p.start.String() < since) {
						since = p.start.String()
					}
				}
				if g := orEmpty(n.IncubatedSince); g != since {
					dd.add("%s incubatedSince: want %q, got %q", s.slug, since, g)
				}
				wantIntra := map[string]bool{}
				for _, r := range o.missionsFor[s.slug] {
					if r.member.domain == "INTRAPRENEURSHIP" && r.m().covers(d) {
						wantIntra[r.member.slug] = true
					}
				}
				gotIntra := map[string]bool{}
				for _, m := range n.Intrapreneurs {
					if gotIntra[m.Slug] {
						dd.add("%s intrapreneurs: %s twice", s.slug, m.Slug)
					}
					gotIntra[m.Slug] = true
				}
				dd.sets(s.slug+" intrapreneurs", wantIntra, gotIntra)
				wantLast := ""
				if c, ok := s.lastCommitteeAt(d); ok {
					wantLast = c.String()
				}
				gotLast := ""
				if n.LastCommittee != nil {
					gotLast = n.LastCommittee.Date
				}
				if wantLast != gotLast {
					dd.add("%s lastCommittee: want %q, got %q", s.slug, wantLast, gotLast)
				}
			}
			dd.report(t, "startups(asOf: "+c.date+")")
		})
	}
}

// TestRealDataTeams compares startup.team for the startups with the biggest
// teams (and a few with tied phases) at a few dates.
func TestRealDataTeams(t *testing.T) {
	env := realData(t)
	o := env.oracle
	const q = `query($s: String!, $d: Date) { startup(slug: $s) { slug teamSize(asOf: $d) team(asOf: $d) { member { slug } start end } } }`
	for _, ds := range []string{"2022-01-01", "2024-03-15", "2026-08-20"} {
		d := mustDay(ds)
		slugs := make([]string, 0, len(o.startups))
		size := map[string]int{}
		for _, s := range o.startups {
			slugs = append(slugs, s.slug)
			size[s.slug] = len(o.teamAt(s.slug, d))
		}
		sort.SliceStable(slugs, func(i, j int) bool { return size[slugs[i]] > size[slugs[j]] })
		pick := append(slugs[:6:6], "pitchou", "sppnaut")
		for _, slug := range pick {
			t.Run(ds+" "+slug, func(t *testing.T) {
				var out struct {
					Startup *struct {
						Slug     string `json:"slug"`
						TeamSize int    `json:"teamSize"`
						Team     []struct {
							Member struct{ Slug string } `json:"member"`
							Start  string                `json:"start"`
							End    *string               `json:"end"`
						} `json:"team"`
					}
				}
				env.query(t, q, map[string]any{"s": slug, "d": ds}, &out)
				if out.Startup == nil {
					t.Fatalf("startup(slug: %q) is null", slug)
				}
				var dd diffs
				want := o.teamAt(slug, d)
				got := map[string]bool{}
				for _, m := range out.Startup.Team {
					if got[m.Member.Slug] {
						dd.add("member %s listed twice", m.Member.Slug)
					}
					got[m.Member.Slug] = true
					if m.Start > ds || (m.End != nil && *m.End < ds) {
						dd.add("member %s: mission %s..%v does not cover %s", m.Member.Slug, m.Start, m.End, ds)
					}
				}
				dd.sets("team members", want, got)
				dd.int("teamSize", len(want), out.Startup.TeamSize)
				dd.report(t, fmt.Sprintf("startup(%s).team(asOf: %s)", slug, ds))
			})
		}
	}
}

// ---------------------------------------------------------------- filters

func TestRealDataFilters(t *testing.T) {
	env := realData(t)
	o := env.oracle
	filters := []sf{
		{Active: ptr(true)},
		{Active: ptr(false)},
		{CommitteeOverdue: ptr(true)},
		{CommitteeOverdue: ptr(false)},
		{Phases: []string{"CONSTRUCTION"}},
		{Phases: []string{"TRANSFERRED", "ABANDONED", "INVESTIGATION_ABANDONED"}},
		{Sponsors: []string{"dinum"}},
		{Sponsors: []string{"dgaln", "anct"}},
		{Thematiques: []string{"Écologie", "Santé"}},
		{Not: &sf{Active: ptr(true)}},
		{Or: []sf{{Incubators: []string{"dinum"}}, {Phases: []string{"ACCELERATION"}}}},
		{And: []sf{{Incubators: []string{"anct"}}, {Active: ptr(true)}}},
		{Incubators: []string{"dinum"}, CommitteeOverdue: ptr(true)},
		{Not: &sf{Or: []sf{{Active: ptr(true)}, {Sponsors: []string{"dinum"}}}}},
		{Incubators: []string{}},
		{Slugs: []string{"dossierfacile", "pix", "bourse", "no-such-startup"}},
		{Search: ptr("accelerat")},
		{Search: ptr("ACCÉLÉR")},
		{Search: ptr("numérique")},
		{Search: ptr("service public")},
		{ReviewStatus: []string{"OVERDUE"}},
		{ReviewStatus: []string{"NONE_RECORDED"}},
		{ReviewStatus: []string{"DUE_SOON", "UP_TO_DATE"}},
		{Incubators: []string{"dinum"}, ReviewStatus: []string{"OVERDUE", "NONE_RECORDED"}},
		{WithoutIntrapreneur: ptr(true)},
		{WithoutIntrapreneur: ptr(false), Active: ptr(true)},
		{Or: []sf{{ReviewStatus: []string{"NONE_RECORDED"}}, {WithoutIntrapreneur: ptr(true)}}},
	}
	const q = `query($f: StartupFilter, $d: Date) { startups(filter: $f, asOf: $d, first: 1000) { totalCount nodes { slug } } }`
	for _, ds := range []string{"2022-01-01", "2026-08-20"} {
		d := mustDay(ds)
		for _, f := range filters {
			t.Run(ds+" "+f.String(), func(t *testing.T) {
				var out struct {
					Startups struct {
						TotalCount int `json:"totalCount"`
						Nodes      []struct{ Slug string }
					}
				}
				env.query(t, q, map[string]any{"f": f.gql(), "d": ds}, &out)
				want := map[string]bool{}
				for _, s := range o.matching(f, d) {
					want[s.slug] = true
				}
				got := map[string]bool{}
				var dd diffs
				for _, n := range out.Startups.Nodes {
					if got[n.Slug] {
						dd.add("%s listed twice", n.Slug)
					}
					got[n.Slug] = true
				}
				dd.int("totalCount", len(want), out.Startups.TotalCount)
				dd.sets("slugs", want, got)
				dd.report(t, fmt.Sprintf("startups(asOf: %s, filter: %s)", ds, f))
			})
		}
	}
}

// ---------------------------------------------------------------- the oracle itself

// TestRealDataOracle checks the independent computation against known facts
// of the snapshot, so that a broken oracle cannot make the comparisons pass
// vacuously.
func TestRealDataOracle(t *testing.T) {
	env := realData(t)
	o := env.oracle
	var dd diffs
	dd.int("startups", 662, len(o.startups))
	dd.int("members", 3484, len(o.members))
	dd.int("missions", 4761, o.missions)
	dd.int("committees", 215, o.committees)
	dd.int("incubators", 23, len(o.incubators))

	d := mustDay("2026-08-20")
	fg := o.portfolioAt(sf{}, d, periodsFor(d))
	dd.int("startupCount at 2026-08-20", 662, fg.StartupCount)
	dd.int("committees on or before 2026-08-20", 213, fg.Committees["cd_all"]) // two are planned for later
	if fg.CommitteeOverdueCount < 24 {
		dd.add("overdue at 2026-08-20: want dozens, got %d", fg.CommitteeOverdueCount)
	}
	if fg.ActiveMemberCount < 200 {
		dd.add("active members at 2026-08-20: want hundreds, got %d", fg.ActiveMemberCount)
	}
	inPhase, members := 0, 0
	for _, n := range fg.ByPhase {
		inPhase += n
	}
	for _, n := range fg.MembersByStatus {
		members += n
	}
	dd.int("startups with a phase at 2026-08-20", 661, inPhase) // api-telerecours starts 2026-09-07
	dd.int("membersByStatus total", fg.ActiveMemberCount, members)
	if len(fg.ByIncubator) < 20 || len(fg.BySponsor) < 50 || len(fg.MembersByDomain) < 8 {
		dd.add("too few groups: %d incubators, %d sponsors, %d domains", len(fg.ByIncubator), len(fg.BySponsor), len(fg.MembersByDomain))
	}

	// Phase at a date, with the tie rule (the later listed wins).
	for _, c := range []struct{ slug, date, want string }{
		{"dossierfacile", "2017-12-31", ""},
		{"dossierfacile", "2018-01-01", "INVESTIGATION"},
		{"dossierfacile", "2024-10-13", "ACCELERATION"},
		{"dossierfacile", "2024-10-14", "CONSOLIDATION"},
		{"bourse", "2015-03-01", "INVESTIGATION"}, // construction and investigation both start 2015-03-01
		{"clara", "2022-11-30", "TRANSFERRED"},    // abandon and transfere both start 2022-11-30
		{"fichiers", "2025-08-26", "CONSTRUCTION"},
	} {
		s := o.bySlug[c.slug]
		if s == nil {
			dd.add("no startup %s", c.slug)
			continue
		}
		if got := s.phaseAt(mustDay(c.date)); got != c.want {
			dd.add("%s phase at %s: want %q, got %q", c.slug, c.date, c.want, got)
		}
	}
	// Time in phase: a phase tied with the next one lasted 0 days.
	if ps, ds := o.bySlug["bourse"].periodDurations(mustDay("2026-08-20")); fmt.Sprint(ps, ds) != "[CONSTRUCTION INVESTIGATION ABANDONED] [0 1037 3153]" {
		dd.add("bourse durations: got %v %v", ps, ds)
	}
	// Committees: acces-cible has four, the first on 2024-10-07.
	ac := o.bySlug["acces-cible"]
	if last, ok := ac.lastCommitteeAt(mustDay("2024-10-07")); !ok || last != mustDay("2024-10-07") {
		dd.add("acces-cible last committee at 2024-10-07: got %v %v", last, ok)
	}
	if _, ok := ac.lastCommitteeAt(mustDay("2024-10-06")); ok {
		dd.add("acces-cible has a committee before 2024-10-07")
	}
	// Teams: only per-mission startups count, never member-level lists.
	if !o.teamAt("pitchou", mustDay("2024-01-01"))["maitane.lenoir"] {
		dd.add("maitane.lenoir not on pitchou's team at 2024-01-01")
	}
	if o.teamAt("sppnaut", mustDay("2024-01-01"))["maitane.lenoir"] {
		dd.add("maitane.lenoir on sppnaut's team at 2024-01-01 (member-level list counted)")
	}
	if o.teamAt("pitchou", mustDay("2026-04-19"))["maitane.lenoir"] {
		dd.add("maitane.lenoir on pitchou's team after her mission ended")
	}
	if !o.teamAt("pitchou", mustDay("2026-04-18"))["maitane.lenoir"] {
		dd.add("maitane.lenoir not on pitchou's team on her mission's last day")
	}
	// The dates of TestRealDataStartups straddle the 183-day boundary.
	atBoundary := func(date string, days int) int {
		d, n := mustDay(date), 0
		for _, s := range o.startups {
			if c, ok := s.lastCommitteeAt(d); ok && s.activeAt(d) && int(d-c) == days {
				n++
			}
		}
		return n
	}
	if n := atBoundary("2025-01-02", 183); n < 3 {
		dd.add("startups 183 days after their last committee on 2025-01-02: want ≥ 3, got %d", n)
	}
	if n := atBoundary("2025-01-03", 184); n < 3 {
		dd.add("startups 184 days after their last committee on 2025-01-03: want ≥ 3, got %d", n)
	}
	// Folding.
	if got := fold("Accélération Économie Œuvre ÇA"); got != "acceleration economie oeuvre ca" {
		dd.add("fold: got %q", got)
	}
	if n := len(o.matching(sf{Search: ptr("accelerat")}, d)); n == 0 {
		dd.add(`search "accelerat" finds nothing`)
	}
	dd.report(t, "oracle")
}

// ---------------------------------------------------------------- phases and time in phase

// TestRealDataPhases compares every startup's phase history (ordered by
// start, ties in the record's order), each period's durationDays (to the
// next phase's start, or to the date of the question for the phase going
// on then), and
// currentPhase at a date.
func TestRealDataPhases(t *testing.T) {
	env := realData(t)
	o := env.oracle
	const q = `query($d: Date) { startups(asOf: $d, first: 1000) { nodes {
		slug phases { phase start durationDays } currentPhase { phase start }
	} } }`
	// durationDays is time in phase as seen at the question's date: the
	// enclosing asOf, or today without one.
	for _, ds := range []string{"", "2019-06-30", "2026-08-20"} {
		name := ds
		if name == "" {
			name = "today"
		}
		t.Run(name, func(t *testing.T) {
			before := todayParis()
			var d day
			var asOf any
			if ds == "" {
				d = before
			} else {
				d, asOf = mustDay(ds), ds
			}
			var out struct {
				Startups struct {
					Nodes []struct {
						Slug   string `json:"slug"`
						Phases []struct {
							Phase        string  `json:"phase"`
							Start        *string `json:"start"`
							DurationDays int     `json:"durationDays"`
						} `json:"phases"`
						CurrentPhase *struct {
							Phase string  `json:"phase"`
							Start *string `json:"start"`
						} `json:"currentPhase"`
					}
				}
			}
			env.query(t, q, map[string]any{"d": asOf}, &out)
			after := todayParis()
			if ds == "" && after != before {
				t.Skip("midnight passed during the query")
			}
			var dd diffs
			dd.int("nodes", len(o.startups), len(out.Startups.Nodes))
			for _, n := range out.Startups.Nodes {
				s := o.bySlug[n.Slug]
				if s == nil {
					dd.add("unknown startup %q", n.Slug)
					continue
				}
				// The history, by start, ties in the record's order.
				var want []string
				idx := make([]int, len(s.phases))
				for i := range idx {
					idx[i] = i
				}
				sort.SliceStable(idx, func(a, b int) bool { return s.phases[idx[a]].start < s.phases[idx[b]].start })
				for _, i := range idx {
					want = append(want, s.phases[i].phase+"@"+s.phases[i].start.String())
				}
				var got []string
				for _, p := range n.Phases {
					st := "null"
					if p.Start != nil {
						st = *p.Start
					}
					got = append(got, p.Phase+"@"+st)
				}
				if strings.Join(want, " ") != strings.Join(got, " ") {
					dd.add("%s phases: want [%s], got [%s]", n.Slug, strings.Join(want, " "), strings.Join(got, " "))
					continue
				}
				// durationDays, as of the question's date (DESIGN's time in
				// phase: to the next start, or to D for the phase going on
				// at D); a phase not started by D lasted 0 days. Without an
				// asOf, D is today (either day if midnight passed).
				wantPh, wantBefore := s.periodDurations(d)
				wantAfter := wantBefore
				if ds == "" {
					_, wantAfter = s.periodDurations(after)
				}
				for i, p := range n.Phases {
					want, want2 := 0, 0
					if i < len(wantPh) {
						want, want2 = wantBefore[i], wantAfter[i]
					}
					if p.DurationDays != want && p.DurationDays != want2 {
						dd.add("%s %s (start %s) durationDays at %s: want %d (to the next start or %s), got %d", n.Slug, p.Phase, deref(p.Start), d, want, d, p.DurationDays)
					}
				}
				// currentPhase at the date.
				wantCur := ""
				if i := s.phaseIndexAt(d); i >= 0 {
					wantCur = s.phases[i].phase + "@" + s.phases[i].start.String()
				}
				gotCur := ""
				if c := n.CurrentPhase; c != nil {
					st := "null"
					if c.Start != nil {
						st = *c.Start
					}
					gotCur = c.Phase + "@" + st
				}
				if wantCur != gotCur {
					dd.add("%s currentPhase: want %q, got %q", n.Slug, wantCur, gotCur)
				}
			}
			dd.report(t, "startups(asOf: "+name+") phases")
		})
	}
}

// todayParis is today's date in Europe/Paris.
func todayParis() day {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		loc = time.UTC
	}
	return mustDay(time.Now().In(loc).Format(time.DateOnly))
}

// ---------------------------------------------------------------- members

// mf is a MemberFilter, both sent to the API and evaluated here.
type mf struct {
	Active     *bool
	Startups   []string
	Incubators []string
	Domains    []string
	Statuses   []string
	Not        *mf
}

func (f mf) gql() map[string]any {
	m := map[string]any{}
	if f.Active != nil {
		m["active"] = *f.Active
	}
	if f.Startups != nil {
		m["startups"] = f.Startups
	}
	if f.Incubators != nil {
		m["incubators"] = f.Incubators
	}
	if f.Domains != nil {
		m["domains"] = f.Domains
	}
	if f.Statuses != nil {
		m["statuses"] = f.Statuses
	}
	if f.Not != nil {
		m["not"] = f.Not.gql()
	}
	return m
}

func (f mf) String() string {
	b, _ := json.Marshal(f.gql())
	return string(b)
}

// match: a member is active when a mission covers d; on the team of a
// startup (or of an incubator's startup) through a covering mission naming
// it; with a status when a covering mission has it.
func (f mf) match(o *oracle, m *oMember, d day) bool {
	if f.Not != nil && f.Not.match(o, m, d) {
		return false
	}
	covering := []*oMission{}
	for i := range m.missions {
		if m.missions[i].covers(d) {
			covering = append(covering, &m.missions[i])
		}
	}
	if f.Active != nil && (len(covering) > 0) != *f.Active {
		return false
	}
	if f.Domains != nil && !slices.Contains(f.Domains, m.domain) {
		return false
	}
	if f.Startups != nil {
		ok := false
		for _, mi := range covering {
			ok = ok || anyIn(mi.startups, f.Startups)
		}
		if !ok {
			return false
		}
	}
	if f.Incubators != nil {
		ok := false
		for _, mi := range covering {
			for _, st := range mi.startups {
				if s := o.bySlug[st]; s != nil && slices.Contains(f.Incubators, s.incubator) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	if f.Statuses != nil {
		ok := false
		for _, mi := range covering {
			ok = ok || slices.Contains(f.Statuses, mi.status)
		}
		if !ok {
			return false
		}
	}
	return true
}

func TestRealDataMembers(t *testing.T) {
	env := realData(t)
	o := env.oracle
	filters := []mf{
		{Active: ptr(true)},
		{Active: ptr(false)},
		{Startups: []string{"pitchou", "dossierfacile", "sppnaut"}},
		{Incubators: []string{"dinum"}},
		{Incubators: []string{"anct", "mtes"}, Domains: []string{"DEVELOPMENT", "DESIGN"}},
		{Statuses: []string{"INDEPENDENT"}},
		{Statuses: []string{"ADMIN", "SERVICE"}, Incubators: []string{"dinum"}},
		{Not: &mf{Active: ptr(true)}, Domains: []string{"COACHING"}},
	}
	const q = `query($f: MemberFilter, $d: Date, $after: String) {
		members(filter: $f, asOf: $d, first: 1000, after: $after) {
			totalCount pageInfo { hasNextPage endCursor } nodes { slug }
		}
	}`
	for _, ds := range []string{"2022-01-01", "2026-08-20"} {
		d := mustDay(ds)
		for _, f := range filters {
			t.Run(ds+" "+f.String(), func(t *testing.T) {
				var dd diffs
				got := map[string]bool{}
				total := -1
				var after any
				for page := 0; ; page++ {
					if page > 20 {
						t.Fatal("more than 20 pages")
					}
					var out struct {
						Members struct {
							TotalCount int `json:"totalCount"`
							PageInfo   struct {
								HasNextPage bool    `json:"hasNextPage"`
								EndCursor   *string `json:"endCursor"`
							} `json:"pageInfo"`
							Nodes []struct{ Slug string }
						}
					}
					env.query(t, q, map[string]any{"f": f.gql(), "d": ds, "after": after}, &out)
					if total < 0 {
						total = out.Members.TotalCount
					}
					for _, n := range out.Members.Nodes {
						if got[n.Slug] {
							dd.add("%s listed twice", n.Slug)
						}
						got[n.Slug] = true
					}
					if !out.Members.PageInfo.HasNextPage {
						break
					}
					if out.Members.PageInfo.EndCursor == nil || len(out.Members.Nodes) == 0 {
						t.Fatal("hasNextPage with no endCursor or an empty page")
					}
					after = *out.Members.PageInfo.EndCursor
				}
				want := map[string]bool{}
				for _, m := range o.members {
					if f.match(o, m, d) {
						want[m.slug] = true
					}
				}
				dd.int("totalCount", len(want), total)
				dd.sets("slugs", want, got)
				dd.report(t, fmt.Sprintf("members(asOf: %s, filter: %s)", ds, f))
			})
		}
	}
}

// ---------------------------------------------------------------- committees

// TestRealDataCommittees compares every committee's date, startup and phase
// on its day (the phase at that date).
func TestRealDataCommittees(t *testing.T) {
	env := realData(t)
	o := env.oracle
	const q = `{ committees(first: 1000) { totalCount nodes { slug date phase startup { slug } } } }`
	var out struct {
		Committees struct {
			TotalCount int `json:"totalCount"`
			Nodes      []struct {
				Slug    string  `json:"slug"`
				Date    string  `json:"date"`
				Phase   *string `json:"phase"`
				Startup struct{ Slug string }
			}
		}
	}
	env.query(t, q, nil, &out)
	var dd diffs
	dd.int("totalCount", o.committees, out.Committees.TotalCount)
	want := map[string]string{} // slug → phase at its date
	for _, s := range o.startups {
		for _, c := range s.committees {
			want[s.slug+"/"+c.String()] = s.phaseAt(c)
		}
	}
	got := map[string]bool{}
	wantSet := map[string]bool{}
	for k := range want {
		wantSet[k] = true
	}
	for _, n := range out.Committees.Nodes {
		if got[n.Slug] {
			dd.add("%s listed twice", n.Slug)
		}
		got[n.Slug] = true
		if n.Startup.Slug+"/"+n.Date != n.Slug {
			dd.add("%s: startup %s, date %s", n.Slug, n.Startup.Slug, n.Date)
		}
		w, ok := want[n.Slug]
		if !ok {
			continue
		}
		g := ""
		if n.Phase != nil {
			g = *n.Phase
		}
		if w != g {
			dd.add("%s phase on its day: want %q, got %q", n.Slug, w, g)
		}
	}
	dd.sets("committees", wantSet, got)
	dd.report(t, "committees")
}

// ---------------------------------------------------------------- orderings

// TestRealDataOrderings checks that the orderings that depend on the rules
// (team size, phase start, last committee at the date) follow the oracle's
// values, ties broken by slug.
func TestRealDataOrderings(t *testing.T) {
	env := realData(t)
	o := env.oracle
	const q = `query($d: Date, $o: [StartupOrder!]) { startups(asOf: $d, orderBy: $o, first: 1000) { nodes { slug } } }`
	for _, ds := range []string{"2022-01-01", "2026-08-20"} {
		d := mustDay(ds)
		for _, c := range []struct {
			field, dir string
			key        func(s *oStartup) (int, bool) // value, present
		}{
			{"TEAM_SIZE", "DESC", func(s *oStartup) (int, bool) { return len(o.teamAt(s.slug, d)), true }},
			{"TEAM_SIZE", "ASC", func(s *oStartup) (int, bool) { return len(o.teamAt(s.slug, d)), true }},
			{"PHASE_START", "ASC", func(s *oStartup) (int, bool) {
				if i := s.phaseIndexAt(d); i >= 0 {
					return int(s.phases[i].start), true
				}
				return 0, false
			}},
			{"LAST_COMMITTEE", "DESC", func(s *oStartup) (int, bool) {
				c, ok := s.lastCommitteeAt(d)
				return int(c), ok
			}},
		} {
			t.Run(ds+" "+c.field+" "+c.dir, func(t *testing.T) {
				var out struct {
					Startups struct{ Nodes []struct{ Slug string } }
				}
				env.query(t, q, map[string]any{"d": ds, "o": []any{map[string]any{"field": c.field, "direction": c.dir}}}, &out)
				want := slices.Clone(o.startups)
				sort.SliceStable(want, func(i, j int) bool {
					a, aok := c.key(want[i])
					b, bok := c.key(want[j])
					if aok != bok {
						return aok // empty values last
					}
					if a != b {
						if c.dir == "DESC" {
							return a > b
						}
						return a < b
					}
					return want[i].slug < want[j].slug
				})
				var dd diffs
				dd.int("nodes", len(want), len(out.Startups.Nodes))
				for i := 0; i < len(want) && i < len(out.Startups.Nodes); i++ {
					if g := out.Startups.Nodes[i].Slug; g != want[i].slug {
						wv, _ := c.key(want[i])
						gv := -1
						if s := o.bySlug[g]; s != nil {
							gv, _ = c.key(s)
						}
						dd.add("position %d: want %s (key %d), got %s (key %d)", i, want[i].slug, wv, g, gv)
						break
					}
				}
				dd.report(t, fmt.Sprintf("startups(asOf: %s, orderBy: %s %s)", ds, c.field, c.dir))
			})
		}
	}
}
