package sqlite_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The committee's life in the store (issue 19): what the API writes on
// committees survives imports and syncs, and only held committees count.

func adminCtx() context.Context {
	return portfolio.WithIdentity(context.Background(), &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
}

func intp(n int) *int { return &n }

func i64(n int64) *int64 { return &n }

// TestReimportKeepsCommitteeContent: a committee planned, held or changed
// through the API keeps its state and content across re-imports; the
// records' silence on what they never hold (an ask, attendees) is no
// disagreement; a planned committee whose day the records then fill keeps
// the API's state, and the summary says so.
func TestReimportKeepsCommitteeContent(t *testing.T) {
	db := MustOpenDB(t)
	ctx, admin := context.Background(), adminCtx()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	d := portfolio.MustDate
	plan, err := db.PlanCommittee(admin, &portfolio.Committee{StartupSlug: "arrosoir", Date: d("2030-10-01"),
		Ask:            &portfolio.CommitteeAsk{TeamProfile: "1 développeuse", EnvelopeEuros: i64(200000), Months: intp(6)},
		HypothesesList: []string{"Les jardiniers arrosent moins"}, DocumentURL: "https://example.org/comite",
		Attendees: []portfolio.CommitteeAttendee{{MemberSlug: "jeanne.pioche", Role: portfolio.RoleTeam},
			{OrganisationSlug: "min-jardins", Role: portfolio.RoleSponsor}, {Name: "Paul Râteau", Role: portfolio.RoleOther, Label: "Usager"}},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateCommittee(admin, "arrosoir/2023-05-20", 1, func(c *portfolio.Committee) error {
		c.SuccessCriteriaList = []string{"Deux communes équipées"}
		c.Attendees = []portfolio.CommitteeAttendee{{MemberSlug: "jeanne.pioche", Role: portfolio.RoleTeam}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	res, err := db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Disagreements) != 0 {
		t.Errorf("disagreements %v, want none: the records hold no ask, criteria nor attendees", res.Disagreements)
	}
	got, err := db.CommitteesBySlug(ctx, []string{plan.Slug, "arrosoir/2023-05-20"})
	if err != nil {
		t.Fatal(err)
	}
	p, imp := got[plan.Slug], got["arrosoir/2023-05-20"]
	if p == nil || p.State != portfolio.CommitteePlanned || p.Ask == nil || *p.Ask.EnvelopeEuros != 200000 || p.DocumentURL != "https://example.org/comite" ||
		!slices.Equal(p.HypothesesList, []string{"Les jardiniers arrosent moins"}) {
		t.Errorf("the planned committee after a re-import: %+v", p)
	}
	if imp == nil || imp.State != portfolio.CommitteeHeld || imp.Source != portfolio.SourceRecorded || !slices.Equal(imp.SuccessCriteriaList, []string{"Deux communes équipées"}) {
		t.Errorf("the imported committee changed through the API, after a re-import: %+v", imp)
	}
	att, err := db.CommitteeAttendees(ctx, []int64{p.ID, imp.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(att[p.ID]) != 3 || att[p.ID][1].OrganisationSlug != "min-jardins" || att[p.ID][2].Name != "Paul Râteau" || len(att[imp.ID]) != 1 {
		t.Errorf("attendees after a re-import: %+v", att)
	}

	// The records now hold a committee that day: the API's state stays,
	// and the summary says where they disagree.
	next := sampleRecords()
	next.st.Committees = append(next.st.Committees, portfolio.Committee{Slug: plan.Slug, Date: d("2030-10-01"), Decision: portfolio.DecisionContinue})
	res, err = db.Load(ctx, sqlite.LoadOptions{}, next.fill())
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, x := range res.Disagreements {
		said = append(said, x.String())
	}
	for _, want := range []string{`committee arrosoir/2030-10-01: state: kept "PLANNED" (planCommittee by t`, `committee arrosoir/2030-10-01: decision: kept "UNSPECIFIED"`} {
		if !strings.Contains(strings.Join(said, "\n"), want) {
			t.Errorf("the summary does not say %q:\n%s", want, strings.Join(said, "\n"))
		}
	}
	got, _ = db.CommitteesBySlug(ctx, []string{plan.Slug})
	if c := got[plan.Slug]; c == nil || c.State != portfolio.CommitteePlanned || c.Decision != portfolio.DecisionUnspecified {
		t.Errorf("the planned committee after the records filled its day: %+v", c)
	}
}

// TestPlannedCommitteesCountNowhere: beside the rules of the shared table
// (rules_test.go), the decisions counted, the budgets summed, the flows and
// the events feed count held committees only; the list of committees has
// them all, and filters by state.
func TestPlannedCommitteesCountNowhere(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	r := sampleRecords()
	d := portfolio.MustDate
	// Written as a load writes them: states and budgets the API would
	// refuse on a planned committee, to show they are not read.
	r.st.Committees = append(r.st.Committees,
		portfolio.Committee{Slug: "arrosoir/2024-03-01", Date: d("2024-03-01"), Decision: portfolio.DecisionContinue, BudgetEuros: i64(100)},
		portfolio.Committee{Slug: "arrosoir/2024-04-01", Date: d("2024-04-01"), Decision: portfolio.DecisionAdjust, BudgetEuros: i64(20), State: portfolio.CommitteePlanned},
		portfolio.Committee{Slug: "arrosoir/2024-05-01", Date: d("2024-05-01"), Decision: portfolio.DecisionStop, BudgetEuros: i64(3), State: portfolio.CommitteeCancelled})
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, r.fill()); err != nil {
		t.Fatal(err)
	}
	from, to, asOf := d("2024-01-01"), d("2024-12-31"), d("2024-12-31")
	decisions, err := db.CommitteeDecisions(ctx, nil, asOf, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(decisions) != 1 || decisions[0].Key != "CONTINUE" || decisions[0].Count != 1 {
		t.Errorf("decisions %+v, want CONTINUE: 1", decisions)
	}
	if sum, err := db.CommitteeBudgetEuros(ctx, nil, asOf, from, to); err != nil || sum != 100 {
		t.Errorf("budgets %d (%v), want 100", sum, err)
	}
	flows, err := db.Flows(ctx, nil, asOf, []portfolio.Period{{Start: from, End: to}}, sqlite.AllFlowParts)
	if err != nil {
		t.Fatal(err)
	}
	if flows[0].Committees != 1 {
		t.Errorf("flows count %d committees, want 1", flows[0].Committees)
	}
	feed, err := db.Events(ctx, &sqlite.EventFilter{Kinds: []string{"committee"}, From: &from}, nil, portfolio.Window{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(feed.Items) != 1 || feed.Items[0].Committee == nil || feed.Items[0].Committee.Slug != "arrosoir/2024-03-01" {
		t.Errorf("the feed's committees of 2024: %d", len(feed.Items))
	}
	all, err := db.Committees(ctx, nil, nil, portfolio.Window{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	plannedOnly, err := db.Committees(ctx, &portfolio.CommitteeFilter{States: []portfolio.CommitteeState{portfolio.CommitteePlanned}}, nil, portfolio.Window{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 4 || plannedOnly.Total != 1 || plannedOnly.Items[0].Slug != "arrosoir/2024-04-01" {
		t.Errorf("%d committees, %d planned, want 4 and 1", all.Total, plannedOnly.Total)
	}
}

// TestCommitteeWritesValidate: what a committee holds is checked before
// anything is written (BAD_USER_INPUT naming the field, or NOT_FOUND for
// an attendee that does not exist).
func TestCommitteeWritesValidate(t *testing.T) {
	db := MustOpenDB(t)
	ctx, admin := context.Background(), adminCtx()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	today := portfolio.Today()
	tests := []struct {
		name  string
		c     portfolio.Committee
		code  string
		field string
	}{
		{"a day too far", portfolio.Committee{Date: portfolio.NewDate(2101, 1, 1)}, portfolio.EInvalid, "date"},
		{"before 2010", portfolio.Committee{Date: portfolio.NewDate(2009, 12, 31)}, portfolio.EInvalid, "date"},
		{"an outcome before it is held", portfolio.Committee{Date: today, BudgetEuros: i64(1)}, portfolio.EInvalid, "budgetEuros"},
		{"a presentation that is no web address", portfolio.Committee{Date: today, DocumentURL: "javascript:alert(1)"}, portfolio.EInvalid, "documentUrl"},
		{"a presentation on a file share", portfolio.Committee{Date: today, DocumentURL: "file:///etc/passwd"}, portfolio.EInvalid, "documentUrl"},
		{"a team profile over two lines", portfolio.Committee{Date: today, Ask: &portfolio.CommitteeAsk{TeamProfile: "2 devs\n1 designer"}}, portfolio.EInvalid, "ask.teamProfile"},
		{"a negative envelope", portfolio.Committee{Date: today, Ask: &portfolio.CommitteeAsk{EnvelopeEuros: i64(-1)}}, portfolio.EInvalid, "ask.envelopeEuros"},
		{"no months", portfolio.Committee{Date: today, Ask: &portfolio.CommitteeAsk{Months: intp(0)}}, portfolio.EInvalid, "ask.months"},
		{"a blank hypothesis", portfolio.Committee{Date: today, HypothesesList: []string{"  "}}, portfolio.EInvalid, "hypotheses"},
		{"a criterion that reorders its text", portfolio.Committee{Date: today, SuccessCriteriaList: []string{"abc\u202Edef"}}, portfolio.EInvalid, "successCriteria"},
		{"too many hypotheses", portfolio.Committee{Date: today, HypothesesList: slices.Repeat([]string{"h"}, portfolio.MaxListItems+1)}, portfolio.EInvalid, "hypotheses"},
		{"an attendee who is nobody", portfolio.Committee{Date: today, Attendees: []portfolio.CommitteeAttendee{{Role: portfolio.RoleOther}}}, portfolio.EInvalid, "attendees"},
		{"an attendee who is two", portfolio.Committee{Date: today, Attendees: []portfolio.CommitteeAttendee{{MemberSlug: "jeanne.pioche", Name: "Jeanne", Role: portfolio.RoleTeam}}}, portfolio.EInvalid, "attendees"},
		{"an attendee without a role", portfolio.Committee{Date: today, Attendees: []portfolio.CommitteeAttendee{{Name: "Jeanne"}}}, portfolio.EInvalid, "attendees"},
		{"an invisible character in a name", portfolio.Committee{Date: today, Attendees: []portfolio.CommitteeAttendee{{Name: "Jea\u200Bnne", Role: portfolio.RoleOther}}}, portfolio.EInvalid, "attendees.name"},
		{"a label over two lines", portfolio.Committee{Date: today, Attendees: []portfolio.CommitteeAttendee{{Name: "Jeanne", Role: portfolio.RoleOther, Label: "a\nb"}}}, portfolio.EInvalid, "attendees.label"},
		{"the same attendee twice", portfolio.Committee{Date: today, Attendees: []portfolio.CommitteeAttendee{{Name: "Jeanne", Role: portfolio.RoleOther}, {Name: " jeanne", Role: portfolio.RoleOther}}}, portfolio.EInvalid, "attendees"},
		{"a member who does not exist", portfolio.Committee{Date: today, Attendees: []portfolio.CommitteeAttendee{{MemberSlug: "personne", Role: portfolio.RoleTeam}}}, portfolio.ENotFound, "attendees"},
		{"an organisation that does not exist", portfolio.Committee{Date: today, Attendees: []portfolio.CommitteeAttendee{{OrganisationSlug: "nulle-part", Role: portfolio.RoleSponsor}}}, portfolio.ENotFound, "attendees"},
	}
	before := count(t, db, "committees")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.StartupSlug = "arrosoir"
			_, err := db.PlanCommittee(admin, &c, true)
			var pe *portfolio.Error
			if code := portfolio.ErrorCode(err); code != tt.code || !asError(err, &pe) || pe.Field != tt.field {
				t.Errorf("error %v (code %s), want %s on %s", err, code, tt.code, tt.field)
			}
		})
	}
	if got := count(t, db, "committees"); got != before {
		t.Errorf("%d committees after refused writes, want %d", got, before)
	}
	// A held committee is not in the future; a planned one may be.
	if _, err := db.RecordCommittee(admin, &portfolio.Committee{StartupSlug: "arrosoir", Date: today.AddDays(1), Decision: portfolio.DecisionContinue}, false); portfolio.ErrorCode(err) != portfolio.EInvalid {
		t.Errorf("a committee recorded held tomorrow: %v", err)
	}
	if _, err := db.PlanCommittee(admin, &portfolio.Committee{StartupSlug: "arrosoir", Date: today.AddDays(1)}, false); err != nil {
		t.Errorf("a committee planned for tomorrow: %v", err)
	}
	// A committee recorded the day of a planned one is a conflict that
	// says to hold the planned one.
	if _, err := db.PlanCommittee(admin, &portfolio.Committee{StartupSlug: "arrosoir", Date: today}, false); err != nil {
		t.Fatal(err)
	}
	_, err := db.RecordCommittee(admin, &portfolio.Committee{StartupSlug: "arrosoir", Date: today, Decision: portfolio.DecisionContinue}, false)
	if portfolio.ErrorCode(err) != portfolio.EConflict || !strings.Contains(err.Error(), "holdCommittee") {
		t.Errorf("recording a committee the day of a planned one: %v", err)
	}
}

// TestFollowKeepsAttendees: a member or an organisation the source deleted
// stays while a committee recorded through the API names it.
func TestFollowKeepsAttendees(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := loadFull(t, db, garden()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RecordCommittee(adminCtx(), &portfolio.Committee{StartupSlug: "binette", Date: portfolio.MustDate("2025-01-10"), Decision: portfolio.DecisionContinue,
		Attendees: []portfolio.CommitteeAttendee{{MemberSlug: "ana.jardin", Role: portfolio.RoleOther}, {OrganisationSlug: "agence-eau", Role: portfolio.RoleSponsor}}}, false); err != nil {
		t.Fatal(err)
	}
	res, err := loadFull(t, db, garden().without("ana.jardin", "agence-eau"))
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, k := range res.Kept {
		kept = append(kept, k.String())
	}
	for _, want := range []string{
		"member ana.jardin was deleted in the source but kept: 1 committee attendances recorded through the API",
		"organisation agence-eau was deleted in the source but kept: still referred to by committees it attended (recorded through the API): binette/2025-01-10",
	} {
		if !slices.Contains(kept, want) {
			t.Errorf("kept %q, want %q among them", kept, want)
		}
	}
}
