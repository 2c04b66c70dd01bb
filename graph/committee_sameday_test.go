package graph_test

import (
	"bytes"
	"strings"
	"testing"
)

const recordCommitteeFull = `mutation($in: RecordCommitteeInput!) {
	recordCommittee(input: $in) { clientMutationId committee { id slug date decision budgetEuros comment source version } } }`

// TestResubmittedCommitteeIsAConflict: a recordCommittee sent twice (a
// double click, a form submitted again) made a second committee,
// startup/date-2, which every export then counted twice.
func TestResubmittedCommitteeIsAConflict(t *testing.T) {
	e := newAccess(t)
	const day = "2025-06-12"
	in := map[string]any{"startup": e.startupA, "date": day, "decision": "CONTINUE", "budgetEuros": 90000, "comment": "Poursuite"}
	var first struct {
		RecordCommittee struct {
			Committee struct {
				ID, Slug string
				Version  int
			}
		}
	}
	e.must(t, e.managerA, recordCommitteeFull, map[string]any{"in": in}, &first)
	c := first.RecordCommittee.Committee
	if c.Slug != e.startupA+"/"+day {
		t.Fatalf("first committee %q, want %s/%s", c.Slug, e.startupA, day)
	}
	committees, audit := e.countRows(t, "committees"), e.countRows(t, "audit")

	again := map[string]any{"the same form": in}
	other := map[string]any{}
	for k, v := range in {
		other[k] = v
	}
	other["decision"], other["comment"] = "ADJUST", "Un autre formulaire pour le même comité"
	again["another form for the same day"] = other
	for name, in := range again {
		t.Run(name, func(t *testing.T) {
			_, out := e.post(t, e.managerA, recordCommitteeFull, map[string]any{"in": in})
			if codeOf(out) != "CONFLICT" {
				t.Fatalf("code %q, want CONFLICT (data %s, errors %+v)", codeOf(out), out.Data, out.Errors)
			}
			existing, _ := out.Errors[0].Extensions["existing"].(map[string]any)
			if existing["slug"] != c.Slug || existing["id"] != c.ID || existing["version"] != float64(c.Version) {
				t.Errorf("extensions.existing %v, want slug %s, id %s, version %d", out.Errors[0].Extensions["existing"], c.Slug, c.ID, c.Version)
			}
			msg := out.Errors[0].Message
			for _, want := range []string{c.Slug, "updateCommittee", "anotherOnSameDay: true"} {
				if !strings.Contains(msg, want) {
					t.Errorf("message %q does not say %q", msg, want)
				}
			}
			if !bytes.Contains(out.Data, []byte(`"recordCommittee":null`)) && string(out.Data) != "null" {
				t.Errorf("data %s, want no committee", out.Data)
			}
		})
	}
	if got := e.countRows(t, "committees"); got != committees {
		t.Errorf("%d committees after the refused resubmissions, want %d", got, committees)
	}
	if got := e.countRows(t, "audit"); got != audit {
		t.Errorf("%d audit entries after the refused resubmissions, want %d", got, audit)
	}

	// Asked for explicitly, a second committee that day is recorded.
	second := map[string]any{"anotherOnSameDay": true}
	for k, v := range other {
		second[k] = v
	}
	var rec struct {
		RecordCommittee struct {
			Committee struct{ Slug, Decision string }
		}
	}
	e.must(t, e.managerA, recordCommitteeFull, map[string]any{"in": second}, &rec)
	if got := rec.RecordCommittee.Committee; got.Slug != c.Slug+"-2" || got.Decision != "ADJUST" {
		t.Errorf("second committee that day: %+v, want %s-2, ADJUST", got, c.Slug)
	}
	if got := e.countRows(t, "committees"); got != committees+1 {
		t.Errorf("%d committees after an explicit second one, want %d", got, committees+1)
	}
	if got := e.countRows(t, "audit"); got != audit+1 {
		t.Errorf("%d audit entries after an explicit second one, want %d", got, audit+1)
	}
}
