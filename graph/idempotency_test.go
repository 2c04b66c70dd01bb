package graph_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

const addMissionFull = `mutation($in: AddMissionInput!) {
	addMission(input: $in) { clientMutationId mission { id slug start end status employer source version startups { slug } } } }`

// missionCount returns how many missions the member has.
func (e *accessEnv) missionCount(t *testing.T, member string) int {
	t.Helper()
	var m struct {
		Member struct{ Missions struct{ TotalCount int } }
	}
	e.must(t, e.viewer, `query($m: String!) { member(slug: $m) { missions { totalCount } } }`, map[string]any{"m": member}, &m)
	return m.Member.Missions.TotalCount
}

// TestClientMutationIDReplays: a mutation sent again with the same
// clientMutationId (a retry after a network error) answers what the first
// one answered, and writes nothing more.
func TestClientMutationIDReplays(t *testing.T) {
	e := newAccess(t)
	var st struct{ Startup struct{ Version int } }
	e.must(t, e.viewer, `query($s: String!) { startup(slug: $s) { version } }`, map[string]any{"s": e.startupB}, &st)
	tests := []struct {
		name, token, query string
		in                 map[string]any
		state              string // a query whose answer the write changes once
	}{
		{"recordCommittee", e.managerA, recordCommitteeFull,
			map[string]any{"startup": e.startupA, "date": "2025-02-17", "decision": "CONTINUE", "comment": "Reprise"},
			`{ committees { totalCount } }`},
		{"recordCommittee, another on the same day", e.managerA, recordCommitteeFull,
			map[string]any{"startup": e.startupA, "date": "2025-02-17", "decision": "ADJUST", "anotherOnSameDay": true},
			`{ committees { totalCount } }`},
		{"updateStartup", e.admin, `mutation($in: UpdateStartupInput!) { updateStartup(input: $in) {
			clientMutationId startup { id name pitch description version incubator { slug } sponsors { slug } phases { phase start end source } thematiques } } }`,
			map[string]any{"id": e.startupB, "version": st.Startup.Version, "pitch": "Un pitch réécrit"},
			fmt.Sprintf(`{ startup(slug: %q) { version pitch } }`, e.startupB)},
		{"addMission", e.managerA, addMissionFull,
			map[string]any{"member": e.memberX, "start": "2026-02-02", "status": "INDEPENDENT", "employer": "Octo", "startups": []string{e.startupA}},
			fmt.Sprintf(`{ member(slug: %q) { missions { totalCount } } }`, e.memberX)},
		{"createStartup", e.managerA, `mutation($in: CreateStartupInput!) { createStartup(input: $in) { clientMutationId startup { slug name version } } }`,
			map[string]any{"slug": "binette", "name": "Binette", "incubator": e.incA, "phase": "INVESTIGATION", "phaseStart": "2026-01-05"},
			`{ startups(first: 1) { totalCount } }`},
		{"upsertOrganisation", e.admin, `mutation($in: UpsertOrganisationInput!) { upsertOrganisation(input: $in) { clientMutationId organisation { slug name version } } }`,
			map[string]any{"slug": "min-jardins", "name": "Ministère des Jardins"},
			`{ organisations { totalCount } }`},
		{"startPhase", e.managerA, `mutation($in: StartPhaseInput!) { startPhase(input: $in) { clientMutationId startup { slug version phases { phase start end source } } } }`,
			map[string]any{"startup": e.startupA, "phase": "ABANDONED", "start": portfolio.Today().String()},
			fmt.Sprintf(`{ startup(slug: %q) { version phases { phase start } } }`, e.startupA)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("retry-%d", i)
			tt.in["clientMutationId"] = key
			var before, after json.RawMessage
			e.must(t, e.viewer, tt.state, nil, &before)
			audit := e.countRows(t, "audit")
			var answers [2]*gqlResponse
			for n := range answers {
				code, out := e.post(t, tt.token, tt.query, map[string]any{"in": tt.in})
				if code != 200 || len(out.Errors) > 0 {
					t.Fatalf("attempt %d: status %d, errors %+v", n+1, code, out.Errors)
				}
				answers[n] = out
				if n == 0 {
					e.must(t, e.viewer, tt.state, nil, &after)
				}
			}
			if !bytes.Equal(answers[0].Data, answers[1].Data) {
				t.Errorf("the retry answered\n%s\nthe first attempt\n%s", answers[1].Data, answers[0].Data)
			}
			if !bytes.Contains(answers[1].Data, []byte(`"clientMutationId":"`+key+`"`)) {
				t.Errorf("clientMutationId not echoed: %s", answers[1].Data)
			}
			var now json.RawMessage
			e.must(t, e.viewer, tt.state, nil, &now)
			if bytes.Equal(before, after) {
				t.Errorf("the first attempt changed nothing: %s", after)
			}
			if !bytes.Equal(now, after) {
				t.Errorf("the retry wrote again: %s after the first attempt, %s after the retry", after, now)
			}
			if got := e.countRows(t, "audit"); got != audit+1 {
				t.Errorf("%d audit entries, want %d: one for the write, none for its retry", got, audit+1)
			}
		})
	}
}

// TestClientMutationIDWithAnotherInputIsRefused: a key names one write;
// reused for another input or another mutation it is refused, and writes
// nothing.
func TestClientMutationIDWithAnotherInputIsRefused(t *testing.T) {
	e := newAccess(t)
	in := map[string]any{"member": e.memberX, "start": "2026-03-02", "status": "ADMIN", "startups": []string{e.startupA}, "clientMutationId": "form-7"}
	var first struct {
		AddMission struct{ Mission struct{ Slug string } }
	}
	e.must(t, e.managerA, addMissionFull, map[string]any{"in": in}, &first)
	missions, audit := e.missionCount(t, e.memberX), e.countRows(t, "audit")

	changed := map[string]any{}
	for k, v := range in {
		changed[k] = v
	}
	changed["start"] = "2026-03-09"
	tests := []struct {
		name, query string
		in          map[string]any
	}{
		{"another input", addMissionFull, changed},
		{"another mutation", recordCommitteeFull, map[string]any{"startup": e.startupA, "date": "2025-04-04", "decision": "CONTINUE", "clientMutationId": "form-7"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out := e.post(t, e.managerA, tt.query, map[string]any{"in": tt.in})
			if codeOf(out) != "BAD_USER_INPUT" || out.Errors[0].Extensions["field"] != "clientMutationId" {
				t.Fatalf("code %q, field %v, want BAD_USER_INPUT on clientMutationId (data %s, errors %+v)",
					codeOf(out), extField(out), out.Data, out.Errors)
			}
			if msg := out.Errors[0].Message; !strings.Contains(msg, "form-7") || !strings.Contains(msg, "new clientMutationId") {
				t.Errorf("message %q should name the key and ask for a new one", msg)
			}
		})
	}
	if got := e.missionCount(t, e.memberX); got != missions {
		t.Errorf("%d missions after the refusals, want %d", got, missions)
	}
	if got := e.countRows(t, "audit"); got != audit {
		t.Errorf("%d audit entries after the refusals, want %d", got, audit)
	}
	// The key still answers its own input.
	var again struct {
		AddMission struct{ Mission struct{ Slug string } }
	}
	e.must(t, e.managerA, addMissionFull, map[string]any{"in": in}, &again)
	if again.AddMission.Mission.Slug != first.AddMission.Mission.Slug {
		t.Errorf("replay after a refusal: mission %s, want %s", again.AddMission.Mission.Slug, first.AddMission.Mission.Slug)
	}
}

// postBody posts a request body to /graphql with a token; unlike
// accessEnv.post it may run outside the test's goroutine.
func postBody(base, token string, body []byte) (int, *gqlResponse, error) {
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var out gqlResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return resp.StatusCode, nil, fmt.Errorf("decode: %w", err)
	}
	return resp.StatusCode, &out, nil
}

func extField(out *gqlResponse) any {
	if len(out.Errors) == 0 {
		return nil
	}
	return out.Errors[0].Extensions["field"]
}

// TestClientMutationIDIsPerToken: two tokens using the same key are two
// callers: each write runs, and each retry answers its own.
func TestClientMutationIDIsPerToken(t *testing.T) {
	e := newAccess(t)
	in := map[string]any{"member": e.memberX, "start": "2026-04-01", "status": "SERVICE", "startups": []string{e.startupA}, "clientMutationId": "1"}
	missions, audit := e.missionCount(t, e.memberX), e.countRows(t, "audit")
	slug := func(token string) string {
		var m struct {
			AddMission struct{ Mission struct{ Slug string } }
		}
		e.must(t, token, addMissionFull, map[string]any{"in": in}, &m)
		return m.AddMission.Mission.Slug
	}
	admin, manager := slug(e.admin), slug(e.managerA)
	if admin == manager {
		t.Fatalf("the manager's write answered the admin's mission %s", admin)
	}
	if got := slug(e.managerA); got != manager {
		t.Errorf("the manager's retry answered %s, want its own %s", got, manager)
	}
	if got := slug(e.admin); got != admin {
		t.Errorf("the admin's retry answered %s, want its own %s", got, admin)
	}
	if got := e.missionCount(t, e.memberX); got != missions+2 {
		t.Errorf("%d missions, want %d: one per token", got, missions+2)
	}
	if got := e.countRows(t, "audit"); got != audit+2 {
		t.Errorf("%d audit entries, want %d: one per token", got, audit+2)
	}
}

// TestConcurrentClientMutationIDWritesOnce: twenty copies of one request
// arriving together write once, and all answer the same.
func TestConcurrentClientMutationIDWritesOnce(t *testing.T) {
	e := newAccess(t)
	const copies = 20
	tests := []struct {
		name, query string
		in          map[string]any
		count       func() int
	}{
		{"addMission", addMissionFull,
			map[string]any{"member": e.memberX, "start": "2026-05-04", "status": "INDEPENDENT", "startups": []string{e.startupA}, "clientMutationId": "burst-1"},
			func() int { return e.missionCount(t, e.memberX) }},
		{"recordCommittee, another on the same day", recordCommitteeFull,
			map[string]any{"startup": e.startupA, "date": "2025-05-05", "decision": "CONTINUE", "anotherOnSameDay": true, "clientMutationId": "burst-2"},
			func() int { return e.countRows(t, "committees") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, audit := tt.count(), e.countRows(t, "audit")
			var wg sync.WaitGroup
			start := make(chan struct{})
			answers := make([]*gqlResponse, copies)
			statuses := make([]int, copies)
			errs := make([]error, copies)
			body, _ := json.Marshal(map[string]any{"query": tt.query, "variables": map[string]any{"in": tt.in}})
			for i := range copies {
				wg.Go(func() {
					<-start
					statuses[i], answers[i], errs[i] = postBody(e.url, e.managerA, body)
				})
			}
			close(start)
			wg.Wait()
			for i, out := range answers {
				if errs[i] != nil {
					t.Fatalf("copy %d: %v", i, errs[i])
				}
				if statuses[i] != 200 || len(out.Errors) > 0 {
					t.Fatalf("copy %d: status %d, errors %+v", i, statuses[i], out.Errors)
				}
				if !bytes.Equal(out.Data, answers[0].Data) {
					t.Errorf("copy %d answered %s, copy 0 %s", i, out.Data, answers[0].Data)
				}
			}
			if got := tt.count(); got != before+1 {
				t.Errorf("%d records after %d copies of one request, want %d", got, copies, before+1)
			}
			if got := e.countRows(t, "audit"); got != audit+1 {
				t.Errorf("%d audit entries after %d copies of one request, want %d", got, copies, audit+1)
			}
		})
	}
}
