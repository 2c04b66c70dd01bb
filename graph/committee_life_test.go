package graph_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The committee's life through the API (issue 19): planned, held or
// cancelled, with its content; rights, scopes, versions, idempotency keys
// and the audit log as for every committee write; a planned or cancelled
// committee moves nothing.

const committeeFields = `id slug date state decision nextPhase budgetEuros nextCommitteeDue comment source version documentUrl
	hypotheses successCriteria ask { teamProfile envelopeEuros months }
	attendees { member { slug } organisation { slug } name role label }`

const planMutation = `mutation($in: PlanCommitteeInput!) { planCommittee(input: $in) { clientMutationId committee { ` + committeeFields + ` } } }`
const holdMutation = `mutation($in: HoldCommitteeInput!) { holdCommittee(input: $in) { committee { ` + committeeFields + ` } } }`
const cancelMutation = `mutation($in: CancelCommitteeInput!) { cancelCommittee(input: $in) { committee { ` + committeeFields + ` } } }`
const updateMutation = `mutation($in: UpdateCommitteeInput!) { updateCommittee(input: $in) { committee { ` + committeeFields + ` } } }`

type apiAttendee struct {
	Member       *struct{ Slug string }
	Organisation *struct{ Slug string }
	Name         *string
	Role         string
	Label        *string
}

type apiCommittee struct {
	ID, Slug, Date, State, Decision, Source string
	NextPhase, NextCommitteeDue, Comment    *string
	BudgetEuros                             *int
	Version                                 int
	DocumentURL                             *string `json:"documentUrl"`
	Hypotheses, SuccessCriteria             []string
	Ask                                     *struct {
		TeamProfile   *string
		EnvelopeEuros *int
		Months        *int
	}
	Attendees []apiAttendee
}

// startupReview is where a startup stands with its committees.
type startupReview struct {
	LastCommittee    *struct{ Date string }
	NextCommitteeDue *string
	ReviewStatus     *string
	Committees       []struct{ Slug, State string }
}

const reviewQuery = `query($s: String!, $d: Date) { startup(slug: $s) { lastCommittee(asOf: $d) { date } nextCommitteeDue(asOf: $d)
	reviewStatus(asOf: $d) committees { slug state } } }`

func (e *accessEnv) review(t *testing.T, slug string, d portfolio.Date) startupReview {
	t.Helper()
	var out struct{ Startup startupReview }
	e.must(t, e.viewer, reviewQuery, map[string]any{"s": slug, "d": d.String()}, &out)
	return out.Startup
}

func (r startupReview) rules() string {
	b, _ := json.Marshal([]any{r.LastCommittee, r.NextCommitteeDue, r.ReviewStatus})
	return string(b)
}

// mutate runs a committee mutation that must succeed and returns the
// committee.
func (e *accessEnv) committeeMutation(t *testing.T, token, q, name string, in map[string]any) apiCommittee {
	t.Helper()
	var out map[string]struct{ Committee apiCommittee }
	e.must(t, token, q, map[string]any{"in": in}, &out)
	return out[name].Committee
}

func TestCommitteeLife(t *testing.T) {
	e := newAccess(t)
	today := portfolio.Today()
	before := e.review(t, e.startupA, today)

	// Planned, a month ahead, with what is known beforehand.
	planned := e.committeeMutation(t, e.managerA, planMutation, "planCommittee", map[string]any{
		"startup": e.startupA, "date": today.AddDays(30).String(), "documentUrl": "https://docs.example.org/comite.pdf",
		"hypotheses":      []string{"Les agents adoptent le service sans formation", "Le coût par dossier baisse de moitié"},
		"successCriteria": []string{"1 000 dossiers par mois", "Un second département"},
		"ask":             map[string]any{"teamProfile": "2 développeurs, 1 designer", "envelopeEuros": 350000, "months": 6},
		"attendees": []map[string]any{
			{"member": e.memberX, "role": "INTRAPRENEUR"},
			{"organisation": "dinum", "role": "SPONSOR", "label": "Direction"},
			{"name": "Camille Martin", "role": "USER_REPRESENTATIVE"},
		},
	})
	if planned.State != "PLANNED" || planned.Decision != "UNSPECIFIED" || planned.Source != "RECORDED" || planned.Version != 1 ||
		planned.Slug != e.startupA+"/"+today.AddDays(30).String() {
		t.Fatalf("planned committee %+v", planned)
	}
	if len(planned.Attendees) != 3 || planned.Attendees[0].Member == nil || planned.Attendees[0].Member.Slug != e.memberX ||
		planned.Attendees[1].Organisation == nil || planned.Attendees[1].Organisation.Slug != "dinum" || deref(planned.Attendees[1].Label) != "Direction" ||
		deref(planned.Attendees[2].Name) != "Camille Martin" || planned.Attendees[2].Role != "USER_REPRESENTATIVE" {
		t.Errorf("attendees %+v", planned.Attendees)
	}
	if planned.Ask == nil || deref(planned.Ask.TeamProfile) != "2 développeurs, 1 designer" || planned.Ask.EnvelopeEuros == nil || *planned.Ask.EnvelopeEuros != 350000 || planned.Ask.Months == nil || *planned.Ask.Months != 6 {
		t.Errorf("ask %+v", planned.Ask)
	}
	if len(planned.Hypotheses) != 2 || len(planned.SuccessCriteria) != 2 || deref(planned.DocumentURL) != "https://docs.example.org/comite.pdf" {
		t.Errorf("hypotheses %q, criteria %q, document %v", planned.Hypotheses, planned.SuccessCriteria, planned.DocumentURL)
	}

	// A planned committee moves nothing, today nor on its own day.
	for _, d := range []portfolio.Date{today, today.AddDays(30), today.AddDays(60)} {
		was := e.review(t, e.startupA, d)
		if d == today && was.rules() != before.rules() {
			t.Errorf("at %s after planning: %s, before %s", d, was.rules(), before.rules())
		}
		if was.LastCommittee != nil && was.LastCommittee.Date == planned.Date {
			t.Errorf("at %s the planned committee is the last one", d)
		}
	}
	if r := e.review(t, e.startupA, today); !strings.Contains(r.committeesString(), planned.Slug+" PLANNED") {
		t.Errorf("Startup.committees %s lacks the planned one", r.committeesString())
	}

	// Changed while planned: its content, not its outcome nor its state.
	changed := e.committeeMutation(t, e.managerA, updateMutation, "updateCommittee", map[string]any{
		"id": planned.ID, "version": planned.Version, "hypotheses": []string{"Une seule hypothèse"}, "date": today.AddDays(20).String(),
	})
	if changed.Version != 2 || changed.State != "PLANNED" || len(changed.Hypotheses) != 1 || changed.Date != today.AddDays(20).String() || len(changed.Attendees) != 3 {
		t.Errorf("updated planned committee %+v", changed)
	}
	_, out := e.post(t, e.managerA, updateMutation, map[string]any{"in": map[string]any{"id": changed.ID, "version": changed.Version, "decision": "CONTINUE"}})
	if codeOf(out) != "BAD_USER_INPUT" || extField(out) != "decision" {
		t.Errorf("a decision on a planned committee: %s %v (errors %+v)", codeOf(out), extField(out), out.Errors)
	}

	// Held: not in the future; then with its outcome.
	_, out = e.post(t, e.managerA, holdMutation, map[string]any{"in": map[string]any{"id": changed.ID, "version": changed.Version, "decision": "CONTINUE"}})
	if codeOf(out) != "BAD_USER_INPUT" || extField(out) != "date" {
		t.Errorf("holding a committee dated in 20 days: %s %v (errors %+v)", codeOf(out), extField(out), out.Errors)
	}
	_, out = e.post(t, e.managerA, holdMutation, map[string]any{"in": map[string]any{"id": changed.ID, "version": 1, "date": today.String(), "decision": "CONTINUE"}})
	if codeOf(out) != "CONFLICT" {
		t.Errorf("holding with an old version: %s (errors %+v)", codeOf(out), out.Errors)
	}
	held := e.committeeMutation(t, e.managerA, holdMutation, "holdCommittee", map[string]any{
		"id": changed.ID, "version": changed.Version, "date": today.String(), "decision": "CONTINUE", "budgetEuros": 300000,
		"successCriteria": []string{"1 000 dossiers par mois"},
		"attendees":       []map[string]any{{"member": e.memberX, "role": "INTRAPRENEUR"}},
	})
	if held.State != "HELD" || held.Decision != "CONTINUE" || held.Version != 3 || held.Date != today.String() || held.Slug != planned.Slug ||
		len(held.Attendees) != 1 || len(held.Hypotheses) != 1 || len(held.SuccessCriteria) != 1 || held.BudgetEuros == nil || *held.BudgetEuros != 300000 {
		t.Errorf("held committee %+v", held)
	}
	after := e.review(t, e.startupA, today)
	if after.LastCommittee == nil || after.LastCommittee.Date != today.String() || deref(after.ReviewStatus) != "UP_TO_DATE" ||
		deref(after.NextCommitteeDue) != today.AddDays(portfolio.OverdueAfterDays).String() {
		t.Errorf("once held: %s", after.rules())
	}
	_, out = e.post(t, e.managerA, holdMutation, map[string]any{"in": map[string]any{"id": held.ID, "version": held.Version, "decision": "ADJUST"}})
	if codeOf(out) != "CONFLICT" || !strings.Contains(out.Errors[0].Message, "HELD") {
		t.Errorf("holding a held committee: %s (errors %+v)", codeOf(out), out.Errors)
	}
	_, out = e.post(t, e.managerA, cancelMutation, map[string]any{"in": map[string]any{"id": held.ID, "version": held.Version}})
	if codeOf(out) != "CONFLICT" {
		t.Errorf("cancelling a held committee: %s (errors %+v)", codeOf(out), out.Errors)
	}

	// Cancelled: stays on record, moves nothing.
	rules := e.review(t, e.startupA, today.AddDays(100)).rules()
	other := e.committeeMutation(t, e.managerA, planMutation, "planCommittee", map[string]any{"startup": e.startupA, "date": today.AddDays(90).String()})
	cancelled := e.committeeMutation(t, e.managerA, cancelMutation, "cancelCommittee", map[string]any{
		"id": other.ID, "version": other.Version, "comment": "Reporté : le sponsor n'était pas disponible",
	})
	if cancelled.State != "CANCELLED" || cancelled.Version != 2 || deref(cancelled.Comment) != "Reporté : le sponsor n'était pas disponible" {
		t.Errorf("cancelled committee %+v", cancelled)
	}
	if got := e.review(t, e.startupA, today.AddDays(100)).rules(); got != rules {
		t.Errorf("after a cancelled committee: %s, before %s", got, rules)
	}
	_, out = e.post(t, e.managerA, holdMutation, map[string]any{"in": map[string]any{"id": cancelled.ID, "version": cancelled.Version, "decision": "CONTINUE"}})
	if codeOf(out) != "CONFLICT" {
		t.Errorf("holding a cancelled committee: %s (errors %+v)", codeOf(out), out.Errors)
	}

	// The audit log has each write, with the committee before and after.
	var log struct {
		AuditLog struct {
			Nodes []struct {
				Mutation, ObjectSlug, TokenName string
				Before, After                   *string
			}
		}
	}
	e.must(t, e.admin, `{ auditLog(filter: {objectTypes: ["Committee"]}, first: 10) { nodes { mutation objectSlug tokenName before after } } }`, nil, &log)
	var muts []string
	for _, n := range log.AuditLog.Nodes {
		muts = append(muts, n.Mutation)
		if n.TokenName != "manager-a" || n.After == nil || (n.Mutation != "planCommittee") != (n.Before != nil) {
			t.Errorf("audit entry %s of %s by %s: before %v, after %v", n.Mutation, n.ObjectSlug, n.TokenName, n.Before != nil, n.After != nil)
		}
	}
	if got := strings.Join(muts, " "); got != "cancelCommittee planCommittee holdCommittee updateCommittee planCommittee" {
		t.Errorf("audit log %q", got)
	}
	if n := log.AuditLog.Nodes[2]; !strings.Contains(deref(n.Before), `"State":"PLANNED"`) || !strings.Contains(deref(n.After), `"State":"HELD"`) ||
		!strings.Contains(deref(n.After), `"SuccessCriteria":["1 000 dossiers par mois"]`) {
		t.Errorf("holdCommittee's audit entry: before %s, after %s", deref(n.Before), deref(n.After))
	}
}

func (r startupReview) committeesString() string {
	var b strings.Builder
	for _, c := range r.Committees {
		b.WriteString(c.Slug + " " + c.State + "; ")
	}
	return b.String()
}

// TestCommitteeLifeRights: planning, holding and cancelling take the
// rights of every committee write: a token, a manager's within its
// incubators, an admin's anywhere.
func TestCommitteeLifeRights(t *testing.T) {
	e := newAccess(t)
	today := portfolio.Today()
	// A planned committee on each incubator's startup, by an admin.
	plan := func(startup string, days int) apiCommittee {
		return e.committeeMutation(t, e.admin, planMutation, "planCommittee", map[string]any{"startup": startup, "date": today.AddDays(days).String()})
	}
	a, b := plan(e.startupA, -1), plan(e.startupB, -1)
	type write struct {
		name, query string
		in          func(c apiCommittee, startup string) map[string]any
	}
	writes := []write{
		{"planCommittee", planMutation, func(_ apiCommittee, s string) map[string]any {
			return map[string]any{"startup": s, "date": today.AddDays(40).String()}
		}},
		{"updateCommittee", updateMutation, func(c apiCommittee, _ string) map[string]any {
			return map[string]any{"id": c.ID, "version": c.Version, "hypotheses": []string{"h"}}
		}},
		{"holdCommittee", holdMutation, func(c apiCommittee, _ string) map[string]any {
			return map[string]any{"id": c.ID, "version": c.Version, "decision": "CONTINUE"}
		}},
		{"cancelCommittee", cancelMutation, func(c apiCommittee, _ string) map[string]any {
			return map[string]any{"id": c.ID, "version": c.Version}
		}},
	}
	for _, w := range writes {
		for _, who := range []struct {
			name, token, code string
			mine              bool
		}{
			{"anonymous", "", "UNAUTHENTICATED", true},
			{"a viewer", e.viewer, "FORBIDDEN", true},
			{"a manager outside its incubators", e.managerA, "FORBIDDEN", false},
		} {
			t.Run(w.name+" by "+who.name, func(t *testing.T) {
				c, s := a, e.startupA
				if !who.mine {
					c, s = b, e.startupB
				}
				committees, audit := e.countRows(t, "committees"), e.countRows(t, "audit")
				_, out := e.post(t, who.token, w.query, map[string]any{"in": w.in(c, s)})
				if codeOf(out) != who.code {
					t.Errorf("code %q, want %q (errors %+v)", codeOf(out), who.code, out.Errors)
				}
				if e.countRows(t, "committees") != committees || e.countRows(t, "audit") != audit {
					t.Errorf("a refused %s wrote", w.name)
				}
			})
		}
	}
	// Within its incubators, the manager does them all.
	c := e.committeeMutation(t, e.managerA, holdMutation, "holdCommittee", map[string]any{"id": a.ID, "version": a.Version, "decision": "ADJUST"})
	if c.State != "HELD" {
		t.Errorf("held by the manager: %+v", c)
	}
	if c := e.committeeMutation(t, e.admin, cancelMutation, "cancelCommittee", map[string]any{"id": b.ID, "version": b.Version}); c.State != "CANCELLED" {
		t.Errorf("cancelled by an admin: %+v", c)
	}
}

// TestCommitteeLifeKeys: a plan, a hold or a cancellation sent again with
// its clientMutationId answers what the first did and writes nothing
// more; the key with another input is refused.
func TestCommitteeLifeKeys(t *testing.T) {
	e := newAccess(t)
	today := portfolio.Today()
	in := map[string]any{"startup": e.startupA, "date": today.String(), "clientMutationId": "plan-1",
		"attendees": []map[string]any{{"member": e.memberX, "role": "INTRAPRENEUR"}, {"name": "Ana", "role": "OTHER"}}}
	send := func(q string, in map[string]any) *gqlResponse {
		t.Helper()
		_, out := e.post(t, e.managerA, q, map[string]any{"in": in})
		if len(out.Errors) > 0 {
			t.Fatalf("errors %+v", out.Errors)
		}
		return out
	}
	audit := e.countRows(t, "audit")
	first, again := send(planMutation, in), send(planMutation, in)
	if string(first.Data) != string(again.Data) || e.countRows(t, "audit") != audit+1 {
		t.Errorf("the plan sent again answered\n%s\nfirst\n%s\n(%d audit entries, want %d)", again.Data, first.Data, e.countRows(t, "audit"), audit+1)
	}
	var p struct {
		PlanCommittee struct{ Committee apiCommittee }
	}
	if err := json.Unmarshal(first.Data, &p); err != nil {
		t.Fatal(err)
	}
	c := p.PlanCommittee.Committee
	hold := map[string]any{"id": c.ID, "version": c.Version, "decision": "CONTINUE", "clientMutationId": "hold-1"}
	first, again = send(holdMutation, hold), send(holdMutation, hold)
	if string(first.Data) != string(again.Data) || e.countRows(t, "audit") != audit+2 {
		t.Errorf("the hold sent again answered\n%s\nfirst\n%s", again.Data, first.Data)
	}
	other := map[string]any{"id": c.ID, "version": c.Version, "decision": "STOP", "clientMutationId": "hold-1"}
	_, out := e.post(t, e.managerA, holdMutation, map[string]any{"in": other})
	if codeOf(out) != "BAD_USER_INPUT" || extField(out) != "clientMutationId" {
		t.Errorf("the key with another input: %s %v", codeOf(out), extField(out))
	}
}

// TestCommitteeContentProtection: the ask's envelope is protected like a
// budget, hypotheses, criteria and the presentation like a comment, a
// name the records do not hold like a contact; the rest is public.
func TestCommitteeContentProtection(t *testing.T) {
	e := newAccess(t)
	c := e.committeeMutation(t, e.admin, planMutation, "planCommittee", map[string]any{
		"startup": e.startupA, "date": portfolio.Today().AddDays(10).String(), "documentUrl": "https://example.org/p",
		"hypotheses": []string{"h"}, "successCriteria": []string{"c"},
		"ask":       map[string]any{"teamProfile": "1 développeuse", "envelopeEuros": 1000, "months": 6},
		"attendees": []map[string]any{{"member": e.memberX, "role": "TEAM"}, {"name": "Ana Martin", "role": "OTHER", "label": "Usagère"}},
	})
	q := `query($s: String!) { committee(slug: $s) { state hypotheses successCriteria documentUrl ask { teamProfile envelopeEuros months }
		attendees { member { slug } name role label } } }`
	_, anon := e.post(t, "", q, map[string]any{"s": c.Slug})
	forbidden := map[string]bool{}
	for _, er := range anon.Errors {
		if er.Extensions["code"] != "FORBIDDEN" {
			t.Errorf("error %+v", er)
		}
		var path []string
		for _, p := range er.Path {
			if s, ok := p.(string); ok {
				path = append(path, s)
			}
		}
		forbidden[strings.Join(path, ".")] = true
	}
	for _, f := range []string{"committee.hypotheses", "committee.successCriteria", "committee.documentUrl", "committee.ask.envelopeEuros",
		"committee.attendees.name", "committee.attendees.label"} {
		if !forbidden[f] {
			t.Errorf("%s is not protected (errors at %v)", f, forbidden)
		}
	}
	var got struct{ Committee apiCommittee }
	if err := json.Unmarshal(anon.Data, &got); err != nil {
		t.Fatal(err)
	}
	a := got.Committee
	if a.State != "PLANNED" || a.Hypotheses != nil || a.DocumentURL != nil || a.Ask == nil || a.Ask.EnvelopeEuros != nil ||
		deref(a.Ask.TeamProfile) != "1 développeuse" || len(a.Attendees) != 2 || a.Attendees[0].Member == nil || a.Attendees[1].Name != nil {
		t.Errorf("anonymously: %s", anon.Data)
	}
	var viewer struct{ Committee apiCommittee }
	e.must(t, e.viewer, q, map[string]any{"s": c.Slug}, &viewer)
	if v := viewer.Committee; len(v.Hypotheses) != 1 || *v.Ask.EnvelopeEuros != 1000 || deref(v.Attendees[1].Name) != "Ana Martin" || deref(v.DocumentURL) == "" {
		t.Errorf("as a viewer: %+v", v)
	}
}
