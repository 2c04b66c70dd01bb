package reliability

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The dashboard workload of the readers: each query takes its variables
// from a random source seeded per reader.
var dashboardQueries = []struct {
	name  string
	query string
	vars  func(f *fixture, r *rand.Rand) map[string]any
}{
	{"portfolio", `query($inc: [String!]) { portfolio(filter: {incubators: $inc}) {
		asOf startupCount committeeOverdueCount activeMemberCount
		byPhase { phase count } byIncubator { incubator { slug } count } bySponsor { organisation { slug } count }
		byThematique { label count } membersByDomain { domain count } membersByStatus { status count }
		phaseDurations { phase startups medianDays meanDays } committeeDecisions { decision count } } }`,
		incubatorOrNetwork},
	{"startups", `query($inc: [String!], $phases: [Phase!]) {
		startups(filter: {active: true, incubators: $inc, phases: $phases}, orderBy: [{field: TEAM_SIZE, direction: DESC}], first: 50) {
			totalCount pageInfo { hasNextPage endCursor }
			nodes { slug name phase teamSize committeeOverdue lastCommittee { date decision } sponsors { acronym } incubator { title } } } }`,
		func(f *fixture, r *rand.Rand) map[string]any {
			v := incubatorOrNetwork(f, r)
			phases := [][]string{nil, {"CONSTRUCTION"}, {"ACCELERATION", "CONSOLIDATION"}}
			if p := phases[r.IntN(len(phases))]; p != nil {
				v["phases"] = p
			}
			return v
		}},
	{"startup", `query($s: String!) { startup(slug: $s) {
		name pitch currentPhase { phase start durationDays } phases { phase start end }
		team { member { slug fullname } role domain status start end }
		committees { date decision budgetEuros comment } events { name date } sponsors { slug name } } }`,
		func(f *fixture, r *rand.Rand) map[string]any {
			all := f.Others
			if r.IntN(2) == 0 {
				all = f.Own
			}
			return map[string]any{"s": all[r.IntN(len(all))]}
		}},
	{"timeline", `query($inc: [String!]) { portfolio(filter: {incubators: $inc}) {
		timeline(from: "2022-01-01", every: QUARTER) { date startupCount activeMemberCount byPhase { phase count } } } }`,
		incubatorOrNetwork},
	{"members", `query($inc: [String!]) { members(filter: {active: true, incubators: $inc}, first: 50) {
		totalCount nodes { slug fullname domain missions(first: 3) { nodes { start end status employer } } } } }`,
		incubatorOrNetwork},
	{"committees", `query($inc: [String!]) { committees(filter: {incubators: $inc}, orderBy: [{field: DATE, direction: DESC}], first: 50) {
		totalCount nodes { slug date decision budgetEuros nextCommitteeDue startup { slug name } } } }`,
		incubatorOrNetwork},
}

// incubatorOrNetwork filters on one incubator, or (one time in four) on
// none: the whole network.
func incubatorOrNetwork(f *fixture, r *rand.Rand) map[string]any {
	if r.IntN(4) == 0 {
		return map[string]any{}
	}
	return map[string]any{"inc": []string{f.Incubators[r.IntN(len(f.Incubators))]}}
}

// loadStats gathers what the workers saw.
type loadStats struct {
	mu          sync.Mutex
	reads       []time.Duration
	writes      []time.Duration
	byQuery     map[string][]time.Duration
	statuses    map[int]int
	shed        int // 503
	server5xx   int // other 5xx
	locked      int // answers that mention a locked database
	transport   int // requests without an answer
	errorCodes  map[string]int
	examples    []string
	acked       map[string]string // slug → comment of every acknowledged write
	writeFailed int
}

// newLoadStats returns empty statistics.
func newLoadStats() *loadStats {
	return &loadStats{byQuery: map[string][]time.Duration{}, statuses: map[int]int{}, errorCodes: map[string]int{}, acked: map[string]string{}}
}

// note records one answer (or err), and reports whether it was a success.
func (s *loadStats) note(kind string, r *reply, err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	example := func(msg string) {
		if len(s.examples) < 10 {
			s.examples = append(s.examples, kind+": "+truncate(msg, 300))
		}
	}
	if err != nil {
		s.transport++
		example(err.Error())
		return false
	}
	s.statuses[r.Status]++
	if mentionsLocked(string(r.Body)) {
		s.locked++
		example(string(r.Body))
	}
	switch {
	case r.Status == http.StatusServiceUnavailable:
		s.shed++
		return false
	case r.Status >= 500:
		s.server5xx++
		example(fmt.Sprintf("status %d: %s", r.Status, r.Body))
		return false
	case r.Status != http.StatusOK || len(r.Errors) > 0:
		for _, e := range r.Errors {
			s.errorCodes[e.code()]++
		}
		if len(r.Errors) == 0 {
			s.errorCodes[fmt.Sprintf("status %d", r.Status)]++
		}
		example(string(r.Body))
		return false
	}
	return true
}

// loadReport is what TestLoad writes to its artifact.
type loadReport struct {
	Database        string             `json:"database"`
	Seconds         float64            `json:"seconds"`
	Readers         int                `json:"readers"`
	Writers         int                `json:"writers"`
	Requests        int                `json:"requests"`
	ThroughputRPS   float64            `json:"throughput_rps"`
	Reads           latency            `json:"reads"`
	ReadsByQuery    map[string]latency `json:"reads_by_query"`
	Writes          latency            `json:"writes"`
	WritesAcked     int                `json:"writes_acknowledged"`
	WritesFound     int                `json:"writes_found"`
	WritesLost      int                `json:"writes_lost"`
	WritesFailed    int                `json:"writes_not_acknowledged"`
	Statuses        map[int]int        `json:"statuses"`
	Shed503         int                `json:"shed_503"`
	Other5xx        int                `json:"other_5xx"`
	Locked          int                `json:"database_locked"`
	NoAnswer        int                `json:"no_answer"`
	ErrorCodes      map[string]int     `json:"error_codes"`
	PeakRSSKiB      int                `json:"peak_rss_kib"`
	ServerErrorLogs int                `json:"server_error_log_lines"`
	Cores           int                `json:"cores"`               // shared by the server and the load generator
	LoadAverage     string             `json:"load_average_before"` // /proc/loadavg when the load began: other work on the machine
}

// TestLoad runs 32 readers of a mixed dashboard workload and 4 writers
// recording committees against the real server for PORTFOLIO_LOAD_SECONDS
// (default 60), then checks that nothing failed and that every
// acknowledged write is in the database.
func TestLoad(t *testing.T) {
	requireSuite(t, "Load")
	const readers, writers = 32, 4
	const perWorkerCap = 1_000_000 // bounds every loop, whatever the duration
	duration := time.Duration(envInt(t, "PORTFOLIO_LOAD_SECONDS", 60)) * time.Second
	binary(t)
	path, source := newDatabase(t, true)
	f := newFixture(t, path, source)
	s := startServer(t, path)
	client := newClient(readers + writers)
	runID := time.Now().UTC().Format("20060102T150405.000")
	prefix := "reliability load " + runID + " "

	// Warm up: every query once, so that a broken one fails fast.
	for _, q := range dashboardQueries {
		mustQuery(t, client, s.URL, f.Viewer, q.query, q.vars(f, rand.New(rand.NewPCG(1, 1))), nil)
	}

	loadAvg := loadAverage()
	stats := newLoadStats()
	ctx, cancel := context.WithTimeout(context.Background(), duration+time.Minute)
	defer cancel()
	start := time.Now()
	deadline := start.Add(duration)
	var wg sync.WaitGroup
	for i := range readers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(i), 42))
			for n := 0; n < perWorkerCap && time.Now().Before(deadline); n++ {
				q := dashboardQueries[r.IntN(len(dashboardQueries))]
				rctx, rcancel := context.WithTimeout(ctx, 30*time.Second)
				rep, err := gql(rctx, client, s.URL, f.Viewer, q.query, q.vars(f, r))
				rcancel()
				if stats.note("read "+q.name, rep, err) {
					stats.mu.Lock()
					stats.reads = append(stats.reads, rep.Elapsed)
					stats.byQuery[q.name] = append(stats.byQuery[q.name], rep.Elapsed)
					stats.mu.Unlock()
				} else if rep != nil && rep.Status == http.StatusServiceUnavailable {
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}
	for w := range writers {
		wg.Go(func() {
			targets, token := f.Others, f.Admin
			if w%2 == 1 {
				targets, token = f.Own, f.Manager
			}
			for n := 0; n < perWorkerCap && time.Now().Before(deadline); n++ {
				target := writeTarget{Slug: targets[(n*7+w*13)%len(targets)], Token: token}
				comment := fmt.Sprintf("%sw%d #%d", prefix, w, n)
				rctx, rcancel := context.WithTimeout(ctx, 30*time.Second)
				rep, slug, err := recordCommittee(rctx, client, s.URL, target, pastDay((n*writers+w)%5000), comment)
				rcancel()
				ok := stats.note("write", rep, err)
				stats.mu.Lock()
				switch {
				case ok && slug != "":
					stats.writes = append(stats.writes, rep.Elapsed)
					stats.acked[slug] = comment
				default:
					stats.writeFailed++
				}
				stats.mu.Unlock()
				if rep != nil && rep.Status == http.StatusServiceUnavailable {
					time.Sleep(100 * time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	rss := s.peakRSS()
	if err := s.stop(); err != nil {
		t.Errorf("stop the server: %v", err)
	}
	logErrors, logLocked, logExamples := s.stderr.counts()

	if err := checkDB(path); err != nil {
		t.Errorf("after the load: %v", err)
	}
	found, err := committeeComments(path, prefix)
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for slug, comment := range stats.acked {
		if found[slug] != comment {
			lost++
			if lost <= 10 {
				t.Errorf("acknowledged write %s (%q) is not in the database (found %q)", slug, comment, found[slug])
			}
		}
	}

	rep := loadReport{
		Database: f.Source, Seconds: elapsed.Seconds(), Readers: readers, Writers: writers,
		Reads: summarize(stats.reads), ReadsByQuery: map[string]latency{}, Writes: summarize(stats.writes),
		WritesAcked: len(stats.acked), WritesFound: len(stats.acked) - lost, WritesLost: lost, WritesFailed: stats.writeFailed,
		Statuses: stats.statuses, Shed503: stats.shed, Other5xx: stats.server5xx, Locked: stats.locked + logLocked,
		NoAnswer: stats.transport, ErrorCodes: stats.errorCodes, PeakRSSKiB: rss, ServerErrorLogs: logErrors,
		Cores: runtime.NumCPU(), LoadAverage: loadAvg,
	}
	for name, ds := range stats.byQuery {
		rep.ReadsByQuery[name] = summarize(ds)
	}
	for _, n := range stats.statuses {
		rep.Requests += n
	}
	rep.Requests += stats.transport
	rep.ThroughputRPS = float64(rep.Requests) / elapsed.Seconds()
	t.Logf("load on %s for %s: %d requests, %.0f requests/s; reads %d (p50 %.1f ms, p99 %.1f ms; by query: %s); writes acknowledged %d (p50 %.1f ms, p99 %.1f ms), found %d, lost %d, not acknowledged %d; statuses %v; 503 %d; other 5xx %d; database locked %d; no answer %d; errors %v; server peak RSS %.1f MiB; server ERROR log lines %d; load average before %s",
		rep.Database, elapsed.Round(time.Millisecond), rep.Requests, rep.ThroughputRPS,
		rep.Reads.Count, rep.Reads.P50ms, rep.Reads.P99ms, perQuery(rep.ReadsByQuery),
		rep.WritesAcked, rep.Writes.P50ms, rep.Writes.P99ms, rep.WritesFound, rep.WritesLost, rep.WritesFailed,
		rep.Statuses, rep.Shed503, rep.Other5xx, rep.Locked, rep.NoAnswer, rep.ErrorCodes, float64(rss)/1024, logErrors, loadAvg)
	writeArtifact(t, "reliability-load.json", rep)

	if rep.Other5xx > 0 || rep.Locked > 0 || rep.NoAnswer > 0 || len(rep.ErrorCodes) > 0 {
		t.Errorf("the load saw %d 5xx (besides %d 503), %d locked-database answers or log lines, %d requests without an answer, errors %v; examples:\n%s",
			rep.Other5xx, rep.Shed503, rep.Locked, rep.NoAnswer, rep.ErrorCodes, strings.Join(stats.examples, "\n"))
	}
	if logErrors > 0 {
		t.Errorf("the server logged %d ERROR lines, e.g.:\n%s", logErrors, strings.Join(logExamples, "\n"))
	}
	if rep.WritesAcked == 0 || rep.Reads.Count == 0 {
		t.Errorf("the load did nothing: %d reads, %d acknowledged writes", rep.Reads.Count, rep.WritesAcked)
	}
	if rep.Shed503 > rep.Requests/100 {
		t.Logf("note: the server shed %d requests (%.1f%%) with the default limits", rep.Shed503, 100*float64(rep.Shed503)/float64(rep.Requests))
	}
}

// perQuery formats the latency of each query of the workload.
func perQuery(m map[string]latency) string {
	var parts []string
	for _, name := range slices.Sorted(maps.Keys(m)) {
		l := m[name]
		parts = append(parts, fmt.Sprintf("%s %d p50 %.0f p99 %.0f ms", name, l.Count, l.P50ms, l.P99ms))
	}
	return strings.Join(parts, ", ")
}

// loadAverage returns the first three fields of /proc/loadavg, or "".
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}
