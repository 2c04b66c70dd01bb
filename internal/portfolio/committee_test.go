package portfolio

import (
	"fmt"
	"testing"
)

// TestExpectedAttendees: who the records expect at a committee, in the
// guide's order, and the roles they leave empty, in French.
func TestExpectedAttendees(t *testing.T) {
	tests := []struct {
		name    string
		r       AgendaRecords
		want    string
		missing string
	}{
		{"everyone", AgendaRecords{Intrapreneurs: []string{"ines"}, Sponsors: []string{"min", "agence"}, Incubator: "inc", IncubatorOwner: "min",
			Managers: []string{"manon"}, Fast: true, Dinum: "dinum"},
			"[{ines   INTRAPRENEUR } { min  SPONSOR } { agence  SPONSOR } { min  INCUBATOR_LEAD } {manon   PORTFOLIO_MANAGER } { dinum  DINUM_BOARD }]", "[]"},
		{"nobody", AgendaRecords{}, "[]",
			"[{INTRAPRENEUR aucun intrapreneur en mission} {SPONSOR aucun sponsor désigné} {INCUBATOR_LEAD aucun incubateur} {PORTFOLIO_MANAGER aucun responsable de portefeuille désigné}]"},
		{"an incubator without an owner, a FAST grant without the DINUM's record", AgendaRecords{Intrapreneurs: []string{"a", "b"}, Sponsors: []string{"min"},
			Incubator: "inc", Managers: []string{"m"}, Fast: true},
			"[{a   INTRAPRENEUR } {b   INTRAPRENEUR } { min  SPONSOR } {m   PORTFOLIO_MANAGER } {  DINUM DINUM_BOARD }]",
			"[{INCUBATOR_LEAD incubateur sans organisation porteuse}]"},
		{"no FAST, no seat for the DINUM's board", AgendaRecords{Intrapreneurs: []string{"a"}, Sponsors: []string{"dinum"}, Incubator: "dinum",
			IncubatorOwner: "dinum", Managers: []string{"m"}, Dinum: "dinum"},
			"[{a   INTRAPRENEUR } { dinum  SPONSOR } { dinum  INCUBATOR_LEAD } {m   PORTFOLIO_MANAGER }]", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as, missing := ExpectedAttendees(tt.r)
			if got := fmt.Sprint(as); got != tt.want {
				t.Errorf("attendees %s\nwant       %s", got, tt.want)
			}
			if got := fmt.Sprint(missing); got != tt.missing {
				t.Errorf("missing %s\nwant    %s", got, tt.missing)
			}
		})
	}
}

// TestCheckURL: a presentation is an absolute http(s) address on one line.
func TestCheckURL(t *testing.T) {
	for s, ok := range map[string]bool{
		"":                                   true,
		"https://docs.example.org/a.pdf":     true,
		"http://intranet.example/p?id=3&x=1": true,
		"javascript:alert(1)":                false,
		"file:///etc/passwd":                 false,
		"/relative/path":                     false,
		"https://":                           false,
		"https://example.org/a b":            false,
		"https://example.org/\u202Efdp.exe":  false,
		"ftp://example.org/a":                false,
	} {
		if err := CheckURL("documentUrl", s); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v", s, err)
		}
	}
}

// TestCommitteeStates: only a held committee counts (no state reads as
// held: the records hold only those).
func TestCommitteeStates(t *testing.T) {
	d := MustDate
	phases := []PhasePeriod{{Phase: PhaseConstruction, Start: d("2025-01-01")}}
	held := &Committee{Date: d("2026-01-01")}
	planned := &Committee{Date: d("2026-06-01"), State: CommitteePlanned}
	cancelled := &Committee{Date: d("2026-07-01"), State: CommitteeCancelled}
	cs := []*Committee{held, planned, cancelled}
	at := d("2026-08-20")
	if i := LastCommittee(cs, at); i != 0 {
		t.Errorf("LastCommittee = %d, want the held one", i)
	}
	if got := NextCommitteeDueAt(phases, cs, at); got != d("2026-07-03") {
		t.Errorf("NextCommitteeDueAt = %s", got)
	}
	if NeverReviewedAt([]*Committee{planned, cancelled}, at) != true || NeverReviewedAt(cs, at) {
		t.Error("NeverReviewedAt counts a planned or cancelled committee")
	}
	if (&Committee{}).StateOrHeld() != CommitteeHeld || planned.Held() || cancelled.Held() || !held.Held() {
		t.Error("Held / StateOrHeld")
	}
}
