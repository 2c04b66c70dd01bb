package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The requests of issue 20 whose cost did not bound their work: exports
// priced as one page and run in full, filters whose size and search words
// the cost left out, dated filters evaluated at every point of a timeline,
// and aggregates under aliases. TestHostileCost sends each, with variants,
// to the real binary and holds the server to its cost: a refusal costs
// next to nothing, an answer at most maxMicrosPerUnit of CPU per unit of
// the cost it reported (plus a fixed slack for the request itself), and no
// request more than maxRequestCPU.

const (
	// maxMicrosPerUnit is the CPU a unit of reported cost may take. The
	// cost model aims at about a microsecond (graph/cost.go); the
	// measured shapes take 0.3 to 2.2 µs on a loaded 2-core machine.
	maxMicrosPerUnit = 4.0
	// slackCPU is what any request may take besides: parsing,
	// validating, the HTTP exchange.
	slackCPU = 0.05
	// maxRequestCPU is the most one request may take under default
	// limits on the real snapshot.
	maxRequestCPU = 1.5
	// maxRefusedCPU is the most a refusal may take (the body and its
	// variables are still read and parsed).
	maxRefusedCPU = 0.25
)

// costShape is one request of the suite.
type costShape struct {
	class, name string
	// A GraphQL request to /graphql, or an export: GET /export with these
	// parameters (or the ready-made export at path), or the CLI's export
	// of the query (cli).
	query  string
	vars   map[string]any
	export url.Values
	path   string
	cli    bool
	token  string // "viewer" or anonymous
	// legit marks a question dashboards ask: it must be answered.
	legit bool
}

// searchTerms are n search terms of words random letters, each of width
// letters: the longest searches the filter takes.
func searchTerms(n, words, width int) []any {
	r := rand.New(rand.NewPCG(20, 12))
	out := make([]any, n)
	for i := range out {
		ws := make([]string, words)
		for k := range ws {
			b := make([]byte, width)
			for j := range b {
				b[j] = byte('a' + r.IntN(26))
			}
			ws[k] = string(b)
		}
		out[i] = map[string]any{"search": strings.Join(ws, " ")}
	}
	return out
}

// datedParts are n parts of a filter on the rules that depend on the date,
// none of which holds, so that every part is evaluated on every startup at
// every point.
func datedParts(n int) []any {
	out := make([]any, n)
	for i := range out {
		if i%2 == 0 {
			out[i] = map[string]any{"nextCommitteeDue": map[string]any{"from": fmt.Sprintf("2099-01-%02d", 1+i%28)}}
		} else {
			out[i] = map[string]any{"committeeOverdue": true, "neverReviewed": true, "nextCommitteeDue": map[string]any{"to": "2000-01-01"}}
		}
	}
	return out
}

// reviewParts are n parts of a filter on the review status and the
// intrapreneurs (issue 18), dated conditions which hold rarely together.
func reviewParts(n int) []any {
	out := make([]any, n)
	for i := range out {
		if i%2 == 0 {
			out[i] = map[string]any{"withoutIntrapreneur": true, "reviewStatus": []any{"UP_TO_DATE"}}
		} else {
			out[i] = map[string]any{"reviewStatus": []any{"DUE_SOON", "OVERDUE"}, "withoutIntrapreneur": false, "nextCommitteeDue": map[string]any{"to": "2000-01-01"}}
		}
	}
	return out
}

// aliases repeats a field under n aliases, the i-th formatted with i.
func aliases(n int, format func(i int) string) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&b, "a%d: %s ", i, format(i))
	}
	b.WriteString("}")
	return b.String()
}

// day is the i-th day from 2024-01-01, as a date.
func day(i int) string {
	return time.Date(2024, 1, 1+i, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

func costShapes() []costShape {
	search := map[string]any{"f": map[string]any{"or": searchTerms(200, 20, 100)}}
	dated := map[string]any{"f": map[string]any{"or": datedParts(499)}}
	review := map[string]any{"f": map[string]any{"or": reviewParts(499)}}
	members := `{ members(first: 1000) { nodes { slug fullname bio missions { nodes { start end startups { slug name phase teamSize nextCommitteeDue } } } } } }`
	return []costShape{
		// /export priced as one page, then exported in full.
		{class: "export", name: "members, their startups, their incubator's 1,000 startups' descriptions (the 1.2 GB export)",
			export: url.Values{"format": {"csv"}, "query": {`{ members { nodes { startups { incubator { startups(first: 1000) { nodes { description } } } } } } }`}}},
		{class: "export", name: "every startup's team's startups' descriptions",
			export: url.Values{"format": {"csv"}, "query": {`{ startups { nodes { team { member { startups { description } } } } } }`}}},
		{class: "export", name: "pages the server refused, halved until they passed",
			export: url.Values{"format": {"ndjson"}, "query": {`{ members { nodes { slug bio missions(first: 1000) { nodes { start startups { slug description phases { phase } team { role member { bio fullname missions { nodes { start } } } } } } } } } }`}}},
		{class: "export", name: "the 1.2 GB export through portfolio export", cli: true,
			query: `{ members { nodes { startups { incubator { startups(first: 1000) { nodes { description } } } } } } }`},
		{class: "export", name: "the ready-made members export", path: "/export/members.csv", token: "viewer", legit: true},
		{class: "export", name: "the ready-made startups export", path: "/export/startups.xlsx", token: "viewer", legit: true},
		{class: "export", name: "every startup with its description", legit: true,
			export: url.Values{"format": {"csv"}, "query": {`{ startups { nodes { slug name pitch description phase } } }`}}},

		// Filters whose work the cost left out.
		{class: "filter", name: "200 searches of 20 words of 100 letters, under 20 aliases of distinct asOf",
			query: "query($f: StartupFilter) " + aliases(20, func(i int) string {
				return fmt.Sprintf(`startups(asOf: "%s", filter: $f) { totalCount }`, day(i))
			}), vars: search},
		{class: "filter", name: "200 searches of 20 words of 100 letters", query: `query($f: StartupFilter) { startups(filter: $f) { totalCount } }`, vars: search},
		{class: "filter", name: "a 499-part filter on dated rules in a daily timeline",
			query: `query($f: StartupFilter) { portfolio(filter: $f, asOf: "2026-01-01") { timeline(from: "2024-12-01", every: DAY) { date startupCount byPhase { phase count } activeMemberCount } } }`, vars: dated},
		{class: "filter", name: "the same under 5 aliases",
			query: "query($f: StartupFilter) " + aliases(5, func(i int) string {
				return fmt.Sprintf(`portfolio(filter: $f, asOf: "2026-01-0%d") { timeline(from: "2024-12-%02d", every: DAY) { date startupCount } }`, i+1, i+1)
			}), vars: dated},
		{class: "filter", name: "a 499-part dated filter in daily flows with events",
			query: `query($f: StartupFilter) { portfolio(filter: $f, asOf: "2026-01-01") { flows(from: "2025-01-01", every: DAY) { start entered { count } productLaunches committees } } }`, vars: dated},
		{class: "filter", name: "a 499-part dated filter on every incubator's startups",
			query: `query($f: StartupFilter) { incubators(first: 100) { nodes { startups(filter: $f) { totalCount } } } }`, vars: dated},
		{class: "filter", name: "a 499-part filter on review statuses and intrapreneurs on every incubator's startups",
			query: `query($f: StartupFilter) { incubators(first: 100) { nodes { startups(filter: $f) { totalCount } } } }`, vars: review},
		{class: "filter", name: "a 499-part filter on review statuses and intrapreneurs in a daily timeline",
			query: `query($f: StartupFilter) { portfolio(filter: $f, asOf: "2026-01-01") { timeline(from: "2024-12-01", every: DAY) { date startupCount byPhase { phase count } activeMemberCount } } }`, vars: review},
		{class: "filter", name: "200 long member searches",
			query: `query($f: MemberFilter) { members(filter: $f) { totalCount } }`, vars: search},
		{class: "filter", name: "a dashboard's filter", legit: true,
			query: `{ startups(first: 50, filter: {active: true, incubators: ["dinum"], search: "emploi"}, orderBy: [{field: TEAM_SIZE, direction: DESC}]) { totalCount nodes { slug teamSize } } }`},

		// Aggregates and lists near the ceiling.
		{class: "ceiling", name: "49 aliased daily timelines with their members",
			query: aliases(49, func(i int) string {
				return fmt.Sprintf(`portfolio(asOf: "%s") { timeline(from: "2025-01-01", every: DAY) { date startupCount activeMemberCount } }`, day(700+i))
			})},
		{class: "ceiling", name: "45 aliased daily flows with launches",
			query: aliases(45, func(i int) string {
				return fmt.Sprintf(`portfolio(asOf: "%s") { flows(from: "2025-01-01", every: DAY) { start productLaunches } }`, day(700+i))
			})},
		{class: "ceiling", name: "30 aliased pages of 1,000 startups with computed values",
			query: aliases(30, func(i int) string {
				return fmt.Sprintf(`startups(first: 1000, asOf: "%s") { nodes { slug name teamSize phase nextCommitteeDue } }`, day(i))
			})},
		{class: "ceiling", name: "30 aliased pages of 1,000 startups with review statuses and intrapreneurs",
			query: aliases(30, func(i int) string {
				return fmt.Sprintf(`startups(first: 1000, asOf: "%s", orderBy: [{field: REVIEW_STATUS}]) { nodes { slug reviewStatus incubatedSince intrapreneurs { slug fullname } } }`, day(i))
			})},
		{class: "ceiling", name: "45 aliased portfolios by review status, without an intrapreneur", query: aliases(45, func(i int) string {
			return fmt.Sprintf(`portfolio(asOf: "%s") { reviewStatuses { status count } withoutIntrapreneurCount }`, day(i))
		})},
		{class: "ceiling", name: "5 aliases of members with their missions' startups",
			query: aliases(5, func(int) string { return strings.TrimSuffix(strings.TrimPrefix(members, "{ "), " }") })},
		{class: "ceiling", name: "every startup's description, 7 times",
			query: aliases(7, func(i int) string {
				return fmt.Sprintf(`startups(first: 1000, asOf: "%s") { nodes { slug description } }`, day(i))
			})},
		{class: "ceiling", name: "45 aliased portfolios", query: aliases(45, func(i int) string {
			return fmt.Sprintf(`portfolio(asOf: "%s") { startupCount committeeOverdueCount activeMemberCount }`, day(i))
		})},
		{class: "ceiling", name: "members with their missions' startups", query: members, legit: true},
		{class: "ceiling", name: "the portfolio with every breakdown", legit: true,
			query: `{ portfolio(asOf: "2026-01-01") { startupCount byPhase { phase count } byIncubator { count } bySponsor { count } byThematique { count } committeeOverdueCount activeMemberCount membersByDomain { count } phaseDurations { phase } committeeDecisions { count } investment { fastCount byPromotion { startupCount } } quality { startupCount } } }`},
		{class: "ceiling", name: "the review's agenda and alert", legit: true,
			query: `{ portfolio(asOf: "2026-01-01") { reviewStatuses { status count } withoutIntrapreneurCount }
				late: startups(filter: {reviewStatus: [OVERDUE]}, asOf: "2026-01-01", first: 1000, orderBy: [{field: NEXT_COMMITTEE_DUE}]) { nodes { slug reviewStatus nextCommitteeDue } }
				none: startups(filter: {reviewStatus: [NONE_RECORDED]}, asOf: "2026-01-01", first: 1000, orderBy: [{field: INCUBATED_SINCE}]) { nodes { slug incubatedSince } }
				alert: startups(filter: {withoutIntrapreneur: true}, asOf: "2026-01-01", first: 1000) { nodes { slug teamSize } } }`},
		{class: "ceiling", name: "90 aliased committee agendas, each its own window", query: aliases(90, func(i int) string {
			return fmt.Sprintf(`committeeAgenda(from: "%s", to: "%s", first: 1) { totalCount }`, day(i), day(i+60))
		})},
		{class: "ceiling", name: "3 aliased committee agendas of two years with their attendees", query: aliases(3, func(i int) string {
			return fmt.Sprintf(`committeeAgenda(from: "%s", to: "2025-12-31", first: 1000) { nodes { date state reviewStatus startup { slug name }
				expectedAttendees { role member { slug fullname } organisation { slug name } } missingRoles { role label } } }`, day(i))
		})},
		{class: "ceiling", name: "the committee agenda with its attendees", legit: true,
			query: `{ committeeAgenda(from: "2026-01-01", to: "2026-03-01", first: 1000) { totalCount nodes { date state reviewStatus nextCommitteeDue
				startup { slug name incubator { title } } committee { slug } expectedAttendees { role member { slug fullname } organisation { slug name } }
				missingRoles { role label } } } }`},
		{class: "ceiling", name: "a quarterly timeline since 2018", legit: true,
			query: `{ portfolio(asOf: "2026-01-01") { timeline(from: "2018-01-01", every: QUARTER) { date startupCount activeMemberCount byPhase { phase count } } } }`},
	}
}

// reportedCost reads the cost a reply reports: extensions.cost of a
// GraphQL answer, the cost of an export's refusal, or the header of an
// export's answer (its rows stream: the cost comes before them).
func reportedCost(r *reply) int {
	var env struct {
		Extensions struct {
			Cost struct{ Requested int } `json:"cost"`
		} `json:"extensions"`
		Errors []struct {
			Extensions struct {
				Cost struct{ Requested int } `json:"cost"`
			} `json:"extensions"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	if json.Unmarshal(r.Body, &env) == nil {
		if c := env.Extensions.Cost.Requested; c > 0 {
			return c
		}
		for _, e := range env.Errors {
			if c := e.Extensions.Cost.Requested; c > 0 {
				return c
			}
			if m := costInMessage.FindStringSubmatch(e.Message); m != nil {
				c, _ := strconv.Atoi(m[1])
				return c
			}
		}
	}
	if c, err := strconv.Atoi(r.Header.Get("X-Portfolio-Cost")); err == nil {
		return c // an export's, priced before its first row
	}
	return 0
}

var (
	costInMessage = regexp.MustCompile(`could cost (\d+)`)
)

// TestHostileCost sends the shapes of costShapes and checks that the cost
// each reports bounds the CPU the server spent on it.
func TestHostileCost(t *testing.T) {
	requireSuite(t, "Hostile")
	bin := binary(t)
	path, source := newDatabase(t, true)
	f := newFixture(t, path, source)
	// Without the response cache: every request is executed.
	s := startServer(t, path, "--response-cache-mb", "0")
	c := newClient(2)
	c.Timeout = 30 * time.Second
	t.Logf("cost of the hostile shapes against %s", source)
	failed := map[string]bool{}
	worst, worstName := 0.0, ""
	for _, sh := range costShapes() {
		t.Run(sh.class+"/"+sh.name, func(t *testing.T) {
			token := ""
			if sh.token == "viewer" {
				token = f.Viewer
			}
			before := cpuSeconds(s.Pid())
			var r *reply
			var err error
			switch {
			case sh.cli:
				qf := filepath.Join(t.TempDir(), "q.graphql")
				if err := os.WriteFile(qf, []byte(sh.query), 0o644); err != nil {
					t.Fatal(err)
				}
				out, cpu, cerr := cliCPU(bin, "export", "--db", path, "--query", qf, "--format", "csv", "-o", filepath.Join(t.TempDir(), "out.csv"))
				refused := cerr != nil && (strings.Contains(out, "COMPLEXITY_LIMIT") || strings.Contains(out, "could cost"))
				t.Logf("%s: refused %v, %.2f s of CPU: %s", sh.name, refused, cpu, truncate(strings.TrimSpace(out), 200))
				if !refused || cpu > maxRefusedCPU+1 { // the command's start (opening the database) counts here
					failed[sh.class] = true
					t.Errorf("portfolio export of the shape: refused %v after %.2f s of CPU, want a refusal (COMPLEXITY_LIMIT) at once", refused, cpu)
				}
				return
			case sh.path != "":
				req, _ := http.NewRequest(http.MethodGet, s.URL+sh.path, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				r, err = send(c, req)
			case sh.export != nil:
				r, err = exportGet(c, s.URL, token, sh.export)
			default:
				r, err = gql(context.Background(), c, s.URL, token, sh.query, sh.vars)
			}
			cpu := cpuSeconds(s.Pid()) - before
			if cpu > worst {
				worst, worstName = cpu, sh.name
			}
			if err != nil {
				failed[sh.class] = true
				t.Errorf("no answer after %.2f s of CPU: %v", cpu, err)
				return
			}
			cost := reportedCost(r)
			code := r.firstCode()
			if code == "" && !r.JSON && r.Status != 200 {
				code = string(bytes.TrimSpace(r.Body))
			}
			refused := r.Status == 422 || r.Status == 400 || code == "COMPLEXITY_LIMIT" || code == "BAD_USER_INPUT"
			t.Logf("%s: status %d %s, %.3f s of CPU, cost %d, %d bytes", sh.name, r.Status, truncate(code, 80), cpu, cost, len(r.Body))
			switch {
			case r.Status >= 500:
				failed[sh.class] = true
				t.Errorf("status %d", r.Status)
			case refused && sh.legit:
				failed[sh.class] = true
				t.Errorf("a question dashboards ask was refused: %s", truncate(string(r.Body), 300))
			case refused:
				if cpu > maxRefusedCPU {
					failed[sh.class] = true
					t.Errorf("refused after %.2f s of CPU, want under %.2f s", cpu, maxRefusedCPU)
				}
			case cost <= 0:
				failed[sh.class] = true
				t.Errorf("answered (status %d) with no cost reported", r.Status)
			case cpu > maxRequestCPU:
				failed[sh.class] = true
				t.Errorf("%.2f s of CPU, want under %.1f s whatever the cost", cpu, maxRequestCPU)
			case cpu > float64(cost)*maxMicrosPerUnit/1e6+slackCPU:
				failed[sh.class] = true
				t.Errorf("%.3f s of CPU for a reported cost of %d: %.1f µs a unit, want at most %.0f (the cost must bound the work)", cpu, cost, (cpu-slackCPU)*1e6/float64(cost), maxMicrosPerUnit)
			}
		})
	}
	t.Logf("the costliest request: %s, %.2f s of CPU", worstName, worst)
	if rss := s.peakRSS(); rss > 300<<10 {
		t.Errorf("server peak RSS %.0f MiB, want under 300", float64(rss)/1024)
	} else {
		t.Logf("server peak RSS %.0f MiB", float64(rss)/1024)
	}
	for _, class := range []string{"export", "filter", "ceiling"} {
		t.Logf("class %s: %s", class, map[bool]string{true: "FAILED", false: "held"}[failed[class]])
	}
}

// cliCPU runs a portfolio command (a minute at most) and returns what it
// wrote, standard output and error together, and the CPU it took.
func cliCPU(bin string, args ...string) (string, float64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = cleanEnv()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	cpu := 0.0
	if st := cmd.ProcessState; st != nil {
		cpu = (st.UserTime() + st.SystemTime()).Seconds()
	}
	return out.String(), cpu, err
}
