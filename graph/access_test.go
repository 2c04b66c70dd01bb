package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// accessEnv is a seeded server with a token per role; managerA may write
// the startups of incubator incA only.
type accessEnv struct {
	url                         string
	db                          *sqlite.DB
	viewer, managerA, admin     string
	incA, incB                  string
	startupA, startupB, memberX string
}

func newAccess(t *testing.T) *accessEnv {
	t.Helper()
	ctx := context.Background()
	db := seededDB(t)
	e := &accessEnv{db: db}
	srv := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), PublicRead: true}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	// Two incubators with active startups, and a member.
	var page struct {
		Startups struct {
			Nodes []struct {
				Slug      string
				Incubator struct{ Slug string }
			}
		}
		Members struct{ Nodes []struct{ Slug string } }
	}
	e.must(t, "", `{ startups(first: 1000, filter: {active: true}) { nodes { slug incubator { slug } } } members(first: 1) { nodes { slug } } }`, nil, &page)
	for _, n := range page.Startups.Nodes {
		switch {
		case e.incA == "":
			e.incA, e.startupA = n.Incubator.Slug, n.Slug
		case e.incB == "" && n.Incubator.Slug != e.incA:
			e.incB, e.startupB = n.Incubator.Slug, n.Slug
		}
	}
	e.memberX = page.Members.Nodes[0].Slug
	mk := func(name string, role portfolio.Role, incs ...string) string {
		secret, _, err := db.CreateToken(ctx, name, role, incs)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	e.viewer = mk("viewer", portfolio.RoleViewer)
	e.managerA = mk("manager-a", portfolio.RoleManager, e.incA)
	e.admin = mk("admin", portfolio.RoleAdmin)
	return e
}

func (e *accessEnv) post(t *testing.T, token, query string, vars map[string]any) (int, *gqlResponse) {
	t.Helper()
	code, b := postGraphQL(t, e.url, token, query, vars)
	return code, decodeResponse(t, b)
}

func (e *accessEnv) must(t *testing.T, token, query string, vars map[string]any, dst any) {
	t.Helper()
	code, out := e.post(t, token, query, vars)
	if code != 200 || len(out.Errors) > 0 {
		t.Fatalf("status %d, errors %+v\nquery: %s", code, out.Errors, query)
	}
	if dst != nil {
		if err := json.Unmarshal(out.Data, dst); err != nil {
			t.Fatal(err)
		}
	}
}

// codeOf returns the code of the first error, or "".
func codeOf(out *gqlResponse) string {
	if len(out.Errors) == 0 {
		return ""
	}
	c, _ := out.Errors[0].Extensions["code"].(string)
	return c
}

func (e *accessEnv) countRows(t *testing.T, table string) int {
	t.Helper()
	var n int
	var out struct{ AuditLog struct{ TotalCount int } }
	switch table {
	case "audit":
		e.must(t, e.admin, `{ auditLog { totalCount } }`, nil, &out)
		return out.AuditLog.TotalCount
	case "committees":
		var c struct{ Committees struct{ TotalCount int } }
		e.must(t, e.viewer, `{ committees { totalCount } }`, nil, &c)
		n = c.Committees.TotalCount
	}
	return n
}

const recordCommittee = `mutation($in: RecordCommitteeInput!) { recordCommittee(input: $in) { committee { slug version decision budgetEuros source } } }`

func TestProtectedFields(t *testing.T) {
	e := newAccess(t)
	q := `{ committees(first: 3) { nodes { date decision budgetEuros comment } }
		startup(slug: "` + e.startupA + `") { name missions(first: 2) { nodes { start status employer } } } }`
	t.Run("anonymous gets FORBIDDEN on protected fields and the rest", func(t *testing.T) {
		code, out := e.post(t, "", q, nil)
		if code != 200 {
			t.Fatalf("status %d", code)
		}
		var data struct {
			Committees struct {
				Nodes []struct {
					Date        string
					BudgetEuros *int
					Comment     *string
				}
			}
			Startup struct{ Name string }
		}
		json.Unmarshal(out.Data, &data)
		if len(data.Committees.Nodes) == 0 || data.Committees.Nodes[0].Date == "" || data.Startup.Name == "" {
			t.Fatalf("the public fields are missing: %s", out.Data)
		}
		for _, n := range data.Committees.Nodes {
			if n.BudgetEuros != nil || n.Comment != nil {
				t.Errorf("a protected field reached an anonymous caller: %+v", n)
			}
		}
		paths := map[string]bool{}
		for _, er := range out.Errors {
			if er.Extensions["code"] != "FORBIDDEN" {
				t.Errorf("error %q has code %v, want FORBIDDEN", er.Message, er.Extensions["code"])
			}
			last := fmt.Sprint(er.Path[len(er.Path)-1])
			paths[last] = true
		}
		for _, f := range []string{"budgetEuros", "comment", "status", "employer"} {
			if !paths[f] {
				t.Errorf("no FORBIDDEN error at a path ending in %s (got %v)", f, paths)
			}
		}
	})
	t.Run("viewer reads everything", func(t *testing.T) {
		e.must(t, e.viewer, q, nil, nil)
	})
	t.Run("audit log is for admins", func(t *testing.T) {
		for _, tok := range []string{"", e.viewer, e.managerA} {
			_, out := e.post(t, tok, `{ auditLog { totalCount } }`, nil)
			if codeOf(out) != "FORBIDDEN" {
				t.Errorf("auditLog with token %.10q: code %q, want FORBIDDEN", tok, codeOf(out))
			}
		}
		e.must(t, e.admin, `{ auditLog { totalCount } }`, nil, nil)
	})
}

func TestBadTokensAreRejected(t *testing.T) {
	e := newAccess(t)
	if err := e.db.RevokeToken(context.Background(), "viewer"); err != nil {
		t.Fatal(err)
	}
	for name, header := range map[string]string{
		"unknown":  "pf_999_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"garbage":  "hello",
		"tampered": e.admin[:len(e.admin)-2] + "xx",
		"revoked":  e.viewer,
	} {
		t.Run(name, func(t *testing.T) {
			code, out := e.post(t, header, `{ viewer { role } }`, nil)
			if code != http.StatusUnauthorized || codeOf(out) != "UNAUTHENTICATED" {
				t.Errorf("status %d code %q, want 401 UNAUTHENTICATED", code, codeOf(out))
			}
		})
	}
	var v struct{ Viewer struct{ Role string } }
	e.must(t, e.admin, `{ viewer { role } }`, nil, &v)
	if v.Viewer.Role != "ADMIN" {
		t.Errorf("admin token: role %s", v.Viewer.Role)
	}
}

func TestWritesByRole(t *testing.T) {
	e := newAccess(t)
	today := portfolio.Today().String()
	in := func(startup string) map[string]any {
		return map[string]any{"in": map[string]any{"startup": startup, "date": today, "decision": "CONTINUE", "budgetEuros": 120000, "comment": "Poursuite"}}
	}
	tests := []struct {
		name, token, startup, wantCode string
	}{
		{"anonymous", "", "A", "UNAUTHENTICATED"},
		{"viewer", "viewer", "A", "FORBIDDEN"},
		{"manager of A on A", "managerA", "A", ""},
		{"manager of A on B", "managerA", "B", "FORBIDDEN"},
		{"admin on B", "admin", "B", ""},
	}
	tokens := map[string]string{"": "", "viewer": e.viewer, "managerA": e.managerA, "admin": e.admin}
	startups := map[string]string{"A": e.startupA, "B": e.startupB}
	writes := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auditBefore := e.countRows(t, "audit")
			_, out := e.post(t, tokens[tt.token], recordCommittee, in(startups[tt.startup]))
			if got := codeOf(out); got != tt.wantCode {
				t.Fatalf("code %q, want %q (%+v)", got, tt.wantCode, out.Errors)
			}
			if tt.wantCode == "" {
				writes++
			}
			want := auditBefore
			if tt.wantCode == "" {
				want++
			}
			if got := e.countRows(t, "audit"); got != want {
				t.Errorf("audit log has %d entries, want %d", got, want)
			}
		})
	}
	var log struct {
		AuditLog struct {
			Nodes []struct {
				TokenName, Role, Mutation, ObjectType, ObjectSlug string
				Before, After                                     *string
			}
		}
	}
	e.must(t, e.admin, `{ auditLog { nodes { tokenName role mutation objectType objectSlug before after } } }`, nil, &log)
	if len(log.AuditLog.Nodes) != writes {
		t.Fatalf("%d audit entries, want %d", len(log.AuditLog.Nodes), writes)
	}
	first := log.AuditLog.Nodes[len(log.AuditLog.Nodes)-1]
	if first.TokenName != "manager-a" || first.Role != "MANAGER" || first.Mutation != "recordCommittee" || first.Before != nil || first.After == nil ||
		!strings.Contains(*first.After, `"Decision":"CONTINUE"`) {
		t.Errorf("first audit entry: %+v", first)
	}
}

func TestFailedWritesChangeNothing(t *testing.T) {
	e := newAccess(t)
	future := portfolio.Today().AddDays(3).String()
	tests := []struct {
		name  string
		query string
		in    map[string]any
		code  string
		field string
	}{
		{"committee in the future", recordCommittee, map[string]any{"startup": e.startupA, "date": future, "decision": "CONTINUE"}, "BAD_USER_INPUT", "date"},
		{"advance without phase", recordCommittee, map[string]any{"startup": e.startupA, "date": "2025-01-10", "decision": "ADVANCE"}, "BAD_USER_INPUT", "nextPhase"},
		{"negative budget", recordCommittee, map[string]any{"startup": e.startupA, "date": "2025-01-10", "decision": "CONTINUE", "budgetEuros": -5}, "BAD_USER_INPUT", "budgetEuros"},
		{"unknown startup", recordCommittee, map[string]any{"startup": "nope-nope", "date": "2025-01-10", "decision": "CONTINUE"}, "NOT_FOUND", "startup"},
		{"phase going back", `mutation($in: StartPhaseInput!) { startPhase(input: $in) { startup { slug } } }`,
			map[string]any{"startup": e.startupA, "phase": "INVESTIGATION", "start": "2026-08-01"}, "BAD_USER_INPUT", "phase"},
		{"phase before the current one", `mutation($in: StartPhaseInput!) { startPhase(input: $in) { startup { slug } } }`,
			map[string]any{"startup": e.startupA, "phase": "ABANDONED", "start": "2011-01-01"}, "BAD_USER_INPUT", "start"},
		{"bad slug", `mutation($in: CreateStartupInput!) { createStartup(input: $in) { startup { slug } } }`,
			map[string]any{"slug": "Bad Slug!", "name": "X", "incubator": e.incA}, "BAD_USER_INPUT", "slug"},
		{"mission ending before it starts", `mutation($in: AddMissionInput!) { addMission(input: $in) { mission { slug } } }`,
			map[string]any{"member": e.memberX, "start": "2025-05-01", "end": "2025-04-01", "status": "ADMIN", "startups": []string{e.startupA}}, "BAD_USER_INPUT", "end"},
	}
	committees, audit := e.countRows(t, "committees"), e.countRows(t, "audit")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out := e.post(t, e.admin, tt.query, map[string]any{"in": tt.in})
			if codeOf(out) != tt.code {
				t.Fatalf("code %q, want %q (%+v)", codeOf(out), tt.code, out.Errors)
			}
			if f := out.Errors[0].Extensions["field"]; f != tt.field {
				t.Errorf("field %v, want %s", f, tt.field)
			}
		})
	}
	if got := e.countRows(t, "committees"); got != committees {
		t.Errorf("committees %d after failed writes, want %d", got, committees)
	}
	if got := e.countRows(t, "audit"); got != audit {
		t.Errorf("audit entries %d after failed writes, want %d", got, audit)
	}
}

func TestConcurrentUpdatesConflict(t *testing.T) {
	e := newAccess(t)
	var rec struct {
		RecordCommittee struct {
			Committee struct {
				Slug    string
				Version int
			}
		}
	}
	e.must(t, e.managerA, recordCommittee, map[string]any{"in": map[string]any{"startup": e.startupA, "date": "2025-03-03", "decision": "CONTINUE"}}, &rec)
	c := rec.RecordCommittee.Committee
	upd := `mutation($in: UpdateCommitteeInput!) { updateCommittee(input: $in) { committee { version comment source } } }`
	var ok struct {
		UpdateCommittee struct {
			Committee struct {
				Version int
				Comment string
			}
		}
	}
	e.must(t, e.managerA, upd, map[string]any{"in": map[string]any{"id": c.Slug, "version": c.Version, "comment": "first"}}, &ok)
	if ok.UpdateCommittee.Committee.Version != c.Version+1 || ok.UpdateCommittee.Committee.Comment != "first" {
		t.Fatalf("update: %+v", ok)
	}
	_, out := e.post(t, e.managerA, upd, map[string]any{"in": map[string]any{"id": c.Slug, "version": c.Version, "comment": "second, stale"}})
	if codeOf(out) != "CONFLICT" {
		t.Fatalf("a stale update: code %q, want CONFLICT", codeOf(out))
	}
	var now struct{ Committee struct{ Comment string } }
	e.must(t, e.viewer, `query($s: String!) { committee(slug: $s) { comment } }`, map[string]any{"s": c.Slug}, &now)
	if now.Committee.Comment != "first" {
		t.Errorf("the stale update overwrote the comment: %q", now.Committee.Comment)
	}
}

func TestManagerWritesOnlyItsStartups(t *testing.T) {
	e := newAccess(t)
	sp := `mutation($in: StartPhaseInput!) { startPhase(input: $in) { startup { version phases { phase start end source } } } }`
	// A's current phase, then move it on.
	var st struct {
		Startup struct {
			Version      int
			CurrentPhase struct{ Phase, Start string }
		}
	}
	e.must(t, e.viewer, `query($s: String!) { startup(slug: $s) { version currentPhase { phase start } } }`, map[string]any{"s": e.startupA}, &st)
	start := portfolio.Today().String()
	auditBefore := e.countRows(t, "audit")
	_, out := e.post(t, e.managerA, sp, map[string]any{"in": map[string]any{"startup": e.startupB, "phase": "ABANDONED", "start": start}})
	if codeOf(out) != "FORBIDDEN" {
		t.Errorf("manager of A moving a startup of B: code %q, want FORBIDDEN", codeOf(out))
	}
	var moved struct {
		StartPhase struct {
			Startup struct {
				Version int
				Phases  []struct {
					Phase, Start, Source string
					End                  *string
				}
			}
		}
	}
	e.must(t, e.managerA, sp, map[string]any{"in": map[string]any{"startup": e.startupA, "phase": "ABANDONED", "start": start, "version": st.Startup.Version}}, &moved)
	ph := moved.StartPhase.Startup.Phases
	last := ph[len(ph)-1]
	if last.Phase != "ABANDONED" || last.Start != start || last.Source != "RECORDED" {
		t.Errorf("new phase: %+v", last)
	}
	prev := ph[len(ph)-2]
	if prev.Phase != st.Startup.CurrentPhase.Phase || prev.End == nil || *prev.End != start {
		t.Errorf("the previous phase was not closed on %s: %+v", start, prev)
	}
	_, out = e.post(t, e.managerA, `mutation($in: UpsertIncubatorInput!) { upsertIncubator(input: $in) { incubator { slug } } }`,
		map[string]any{"in": map[string]any{"slug": "new-inc", "title": "New"}})
	if codeOf(out) != "FORBIDDEN" {
		t.Errorf("manager upserting an incubator: code %q, want FORBIDDEN", codeOf(out))
	}
	var inc struct {
		UpsertIncubator struct {
			Incubator struct {
				Slug    string
				Version int
			}
		}
	}
	e.must(t, e.admin, `mutation($in: UpsertIncubatorInput!) { upsertIncubator(input: $in) { incubator { slug version } } }`,
		map[string]any{"in": map[string]any{"slug": "new-inc", "title": "New"}}, &inc)
	if inc.UpsertIncubator.Incubator.Version != 1 {
		t.Errorf("new incubator: %+v", inc)
	}
	// Missions: on A yes, on B no.
	am := `mutation($in: AddMissionInput!) { addMission(input: $in) { mission { slug version status startups { slug } } } }`
	var m struct {
		AddMission struct {
			Mission struct {
				Slug    string
				Version int
			}
		}
	}
	e.must(t, e.managerA, am, map[string]any{"in": map[string]any{"member": e.memberX, "start": "2026-01-05", "status": "INDEPENDENT", "startups": []string{e.startupA}}}, &m)
	_, out = e.post(t, e.managerA, am, map[string]any{"in": map[string]any{"member": e.memberX, "start": "2026-01-05", "status": "INDEPENDENT", "startups": []string{e.startupB}}})
	if codeOf(out) != "FORBIDDEN" {
		t.Errorf("manager of A adding a mission on B: code %q, want FORBIDDEN", codeOf(out))
	}
	var ended struct {
		EndMission struct {
			Mission struct {
				End     string
				Version int
			}
		}
	}
	e.must(t, e.managerA, `mutation($in: EndMissionInput!) { endMission(input: $in) { mission { end version } } }`,
		map[string]any{"in": map[string]any{"id": m.AddMission.Mission.Slug, "version": m.AddMission.Mission.Version, "end": "2026-03-31"}}, &ended)
	if ended.EndMission.Mission.End != "2026-03-31" {
		t.Errorf("endMission: %+v", ended)
	}
	var log struct {
		AuditLog struct{ Nodes []struct{ Mutation string } }
	}
	e.must(t, e.admin, `{ auditLog(first: 10) { nodes { mutation } } }`, nil, &log)
	var got []string
	for _, n := range log.AuditLog.Nodes[:len(log.AuditLog.Nodes)-auditBefore] {
		got = append(got, n.Mutation)
	}
	if want := "endMission addMission upsertIncubator startPhase"; strings.Join(got, " ") != want {
		t.Errorf("audit entries (latest first) %v, want %s: one per successful write, none for refused ones", got, want)
	}
}

// TestProtectedFilters checks that a filter or an aggregate on a protected
// value needs the role that reads the value: the statuses filter told an
// anonymous caller a person's status at any date (with slugs and asOf), on
// /graphql and through /export.
func TestProtectedFilters(t *testing.T) {
	e := newAccess(t)
	tests := []struct {
		name, query string
	}{
		{"statuses filter", `{ members(first: 5, filter: {statuses: [SERVICE]}) { totalCount nodes { slug } } }`},
		{"statuses filter, nested", `{ members(first: 5, filter: {or: [{statuses: [ADMIN]}, {not: {statuses: [INDEPENDENT]}}]}) { totalCount } }`},
		{"statuses filter, one person at a date", `{ members(asOf: "2024-01-01", filter: {slugs: ["` + e.memberX + `"], statuses: [SERVICE]}) { totalCount } }`},
		{"statuses in a portfolio's member count", `{ portfolio { membersByStatus { status count } } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, who := range []struct {
				role, token string
				allowed     bool
			}{{"anonymous", "", false}, {"viewer", e.viewer, true}, {"manager", e.managerA, true}} {
				code, out := e.post(t, who.token, tt.query, nil)
				switch {
				case code != 200:
					t.Errorf("%s: status %d", who.role, code)
				case who.allowed && len(out.Errors) > 0:
					t.Errorf("%s: errors %+v", who.role, out.Errors)
				case !who.allowed && codeOf(out) != "FORBIDDEN":
					t.Errorf("%s: code %q, want FORBIDDEN (data %s)", who.role, codeOf(out), out.Data)
				case !who.allowed && strings.Contains(string(out.Data), `"totalCount"`):
					t.Errorf("%s: a count came back: %s", who.role, out.Data)
				}
			}
		})
	}
	// Through /export, as anonymous: refused, no rows.
	resp, err := http.Get(e.url + "/export?format=csv&query=" + url.QueryEscape(`{ members(filter: {statuses: [SERVICE]}) { nodes { slug } } }`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == 200 || !strings.Contains(string(body), "FORBIDDEN") {
		t.Errorf("/export with the statuses filter as anonymous: status %d, %.200s", resp.StatusCode, body)
	}
}

// scopeMembers finds, in the seeded network, a member with no mission on
// a startup of incubator inc (foreign) and one with a mission from the
// records on one (own).
func (e *accessEnv) scopeMembers(t *testing.T, inc string) (foreign, own string) {
	t.Helper()
	var page struct {
		Members struct {
			Nodes []struct {
				Slug     string
				Missions struct {
					Nodes []struct {
						Source   string
						Startups []struct{ Incubator struct{ Slug string } }
					}
				}
			}
		}
	}
	e.must(t, e.viewer, `{ members(first: 1000) { nodes { slug missions(first: 100) { nodes { source startups { incubator { slug } } } } } } }`, nil, &page)
	for _, m := range page.Members.Nodes {
		on := false
		for _, ms := range m.Missions.Nodes {
			for _, s := range ms.Startups {
				on = on || s.Incubator.Slug == inc
			}
		}
		switch {
		case !on && foreign == "" && len(m.Missions.Nodes) > 0:
			foreign = m.Slug
		case on && own == "":
			own = m.Slug
		}
	}
	if foreign == "" || own == "" {
		t.Fatalf("the seeded network lacks a member outside %s (%q) or one inside (%q)", inc, foreign, own)
	}
	return foreign, own
}

// TestManagerCannotWidenItsScope plays, through the API, the attack of
// issue 20 (a manager attaches a member of another incubator to one of its
// startups, then changes the person's record) and the paths that stay
// open: a member with a mission from the records, one the manager created,
// one an admin attached.
func TestManagerCannotWidenItsScope(t *testing.T) {
	e := newAccess(t)
	foreign, own := e.scopeMembers(t, e.incA)
	const (
		am = `mutation($in: AddMissionInput!) { addMission(input: $in) { mission { slug version } } }`
		um = `mutation($in: UpdateMemberInput!) { updateMember(input: $in) { member { fullname version } } }`
		mm = `mutation($in: UpdateMissionInput!) { updateMission(input: $in) { mission { slug version } } }`
		us = `mutation($in: UpdateStartupInput!) { updateStartup(input: $in) { startup { incubator { slug } } } }`
	)
	member := func(slug string) (fullname string, version int) {
		var d struct {
			Member struct {
				Fullname string
				Version  int
			}
		}
		e.must(t, e.viewer, `query($s: String!) { member(slug: $s) { fullname version } }`, map[string]any{"s": slug}, &d)
		return d.Member.Fullname, d.Member.Version
	}
	rename := func(token, slug, name string) *gqlResponse {
		t.Helper()
		_, v := member(slug)
		_, out := e.post(t, token, um, map[string]any{"in": map[string]any{"id": slug, "version": v, "fullname": name}})
		return out
	}
	addMission := func(token, slug string) string {
		t.Helper()
		var d struct {
			AddMission struct{ Mission struct{ Slug string } }
		}
		e.must(t, token, am, map[string]any{"in": map[string]any{"member": slug, "start": "2010-01-04", "end": "2010-01-05",
			"status": "INDEPENDENT", "startups": []string{e.startupA}}}, &d)
		return d.AddMission.Mission.Slug
	}
	forbidden := func(what string, out *gqlResponse, says ...string) {
		t.Helper()
		if codeOf(out) != "FORBIDDEN" {
			t.Errorf("%s: code %q (%+v), want FORBIDDEN", what, codeOf(out), out.Errors)
			return
		}
		for _, s := range says {
			if !strings.Contains(out.Errors[0].Message, s) {
				t.Errorf("%s: message %q, want it to say %q", what, out.Errors[0].Message, s)
			}
		}
	}
	name, _ := member(foreign)

	// The attack: refused before and after the manager attaches the person.
	forbidden("updateMember on a member of another incubator", rename(e.managerA, foreign, "Pris"), foreign+" has none")
	slug := addMission(e.managerA, foreign)
	out := rename(e.managerA, foreign, "Pris")
	forbidden("updateMember after addMission", out, slug+" was written by your token (manager-a) with addMission", "never widen its scope")
	if len(out.Errors) > 0 && fmt.Sprint(out.Errors[0].Extensions["missions"]) != "["+slug+"]" {
		t.Errorf("updateMember after addMission: extensions %v, want missions [%s]", out.Errors[0].Extensions, slug)
	}
	e.must(t, e.managerA, mm, map[string]any{"in": map[string]any{"id": slug, "version": 1, "start": "2010-01-02", "startups": []string{e.startupA}}}, nil)
	forbidden("updateMember after addMission and updateMission", rename(e.managerA, foreign, "Pris"), slug)
	if got, _ := member(foreign); got != name {
		t.Errorf("%s renamed %q, want %q unchanged", foreign, got, name)
	}
	// Taking a startup of another incubator.
	var sb struct{ Startup struct{ Version int } }
	e.must(t, e.viewer, `query($s: String!) { startup(slug: $s) { version } }`, map[string]any{"s": e.startupB}, &sb)
	_, out = e.post(t, e.managerA, us, map[string]any{"in": map[string]any{"id": e.startupB, "version": sb.Startup.Version, "incubator": e.incA}})
	forbidden("updateStartup taking a startup of another incubator", out, e.incB)

	// What stays open.
	if out := rename(e.managerA, own, "Nom changé"); len(out.Errors) > 0 {
		t.Errorf("updateMember on a member with a mission from the records on A: %+v", out.Errors)
	}
	e.must(t, e.managerA, `mutation($in: CreateMemberInput!) { createMember(input: $in) { member { slug } } }`, map[string]any{"in": map[string]any{
		"slug": "paule.exemple", "fullname": "Paule Exemple", "domain": "DEVELOPMENT",
		"mission": map[string]any{"start": "2026-01-05", "status": "INDEPENDENT", "startups": []string{e.startupA}}}}, nil)
	if out := rename(e.managerA, "paule.exemple", "Paule Exemple-Martin"); len(out.Errors) > 0 {
		t.Errorf("updateMember on a member the manager created: %+v", out.Errors)
	}
	addMission(e.admin, foreign)
	if out := rename(e.managerA, foreign, "Nom changé"); len(out.Errors) > 0 {
		t.Errorf("updateMember on a member an admin attached to A: %+v", out.Errors)
	}
}
