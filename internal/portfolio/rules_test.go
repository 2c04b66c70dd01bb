package portfolio

import (
	"slices"
	"testing"
)

// ph returns a phase period; start "" means no start.
func ph(p Phase, start string) PhasePeriod {
	var d Date
	if start != "" {
		d = MustDate(start)
	}
	return PhasePeriod{Phase: p, Start: d}
}

// dates parses each of ss.
func dates(ss ...string) []Date {
	ds := make([]Date, len(ss))
	for i, s := range ss {
		ds[i] = MustDate(s)
	}
	return ds
}

// optDate parses s, or returns the zero date for "".
func optDate(s string) Date {
	if s == "" {
		return 0
	}
	return MustDate(s)
}

var (
	inv    = PhaseInvestigation
	cons   = PhaseConstruction
	acc    = PhaseAcceleration
	consol = PhaseConsolidation
	transf = PhaseTransferred
	opere  = PhaseOperated
	aband  = PhaseAbandoned
	abInv  = PhaseInvestigationAbandoned
)

func TestPhaseAt(t *testing.T) {
	ordered := []PhasePeriod{ph(inv, "2024-01-01"), ph(cons, "2024-06-01"), ph(acc, "2025-01-01")}
	shuffled := []PhasePeriod{ph(acc, "2025-01-01"), ph(inv, "2024-01-01"), ph(cons, "2024-06-01")}
	tie := []PhasePeriod{ph(inv, "2024-01-01"), ph(abInv, "2024-01-01")}
	tieReversed := []PhasePeriod{ph(abInv, "2024-01-01"), ph(inv, "2024-01-01")}
	undated := []PhasePeriod{ph(inv, ""), ph(cons, "2024-06-01")}
	withEnd := []PhasePeriod{{Phase: inv, Start: MustDate("2024-01-01"), End: MustDate("2024-02-01")}, ph(cons, "2024-06-01")}

	tests := []struct {
		name   string
		phases []PhasePeriod
		d      string
		want   int
	}{
		{"no phases", nil, "2024-01-01", -1},
		{"before the first start", ordered, "2023-12-31", -1},
		{"on the first start", ordered, "2024-01-01", 0},
		{"during the first", ordered, "2024-05-31", 0},
		{"on the second start", ordered, "2024-06-01", 1},
		{"later phase starting after D is ignored", ordered, "2024-12-31", 1},
		{"last", ordered, "2030-01-01", 2},
		{"out of order: before all", shuffled, "2023-06-01", -1},
		{"out of order: investigation", shuffled, "2024-03-01", 1},
		{"out of order: construction", shuffled, "2024-07-01", 2},
		{"out of order: acceleration", shuffled, "2025-01-01", 0},
		{"tie: later listed wins", tie, "2024-01-01", 1},
		{"tie: later listed wins, still later", tie, "2025-01-01", 1},
		{"tie reversed: later listed wins", tieReversed, "2024-01-01", 1},
		{"undated phase is never current", undated, "2024-01-01", -1},
		{"undated phase is skipped", undated, "2024-07-01", 1},
		{"only undated", []PhasePeriod{ph(inv, "")}, "2024-07-01", -1},
		{"end date is informative", withEnd, "2024-03-01", 0},
	}
	for _, tt := range tests {
		if got := PhaseAt(tt.phases, MustDate(tt.d)); got != tt.want {
			t.Errorf("%s: PhaseAt(%s) = %d, want %d", tt.name, tt.d, got, tt.want)
		}
	}
}

func TestActiveAt(t *testing.T) {
	tests := []struct {
		name   string
		phases []PhasePeriod
		d      string
		want   bool
	}{
		{"no phases", nil, "2024-01-01", false},
		{"before the first start", []PhasePeriod{ph(inv, "2024-01-01")}, "2023-12-31", false},
		{"investigation", []PhasePeriod{ph(inv, "2024-01-01")}, "2024-01-01", true},
		{"construction", []PhasePeriod{ph(inv, "2023-01-01"), ph(cons, "2024-01-01")}, "2024-02-01", true},
		{"acceleration", []PhasePeriod{ph(acc, "2024-01-01")}, "2024-02-01", true},
		{"consolidation", []PhasePeriod{ph(consol, "2024-01-01")}, "2024-02-01", true},
		{"transferred", []PhasePeriod{ph(cons, "2023-01-01"), ph(transf, "2024-01-01")}, "2024-02-01", false},
		{"operated", []PhasePeriod{ph(acc, "2023-01-01"), ph(opere, "2024-01-01")}, "2024-02-01", false},
		{"abandoned", []PhasePeriod{ph(cons, "2023-01-01"), ph(aband, "2024-01-01")}, "2024-02-01", false},
		{"investigation abandoned", []PhasePeriod{ph(inv, "2023-01-01"), ph(abInv, "2024-01-01")}, "2024-02-01", false},
		{"active the day before the abandon", []PhasePeriod{ph(inv, "2023-01-01"), ph(abInv, "2024-01-01")}, "2023-12-31", true},
		{"abandon listed first, out of order", []PhasePeriod{ph(aband, "2024-01-01"), ph(cons, "2023-01-01")}, "2024-02-01", false},
		{"tie: later-listed abandon wins", []PhasePeriod{ph(inv, "2024-01-01"), ph(abInv, "2024-01-01")}, "2024-01-01", false},
		{"tie: later-listed investigation wins", []PhasePeriod{ph(abInv, "2024-01-01"), ph(inv, "2024-01-01")}, "2024-01-01", true},
		{"only undated phases", []PhasePeriod{ph(cons, "")}, "2024-02-01", false},
	}
	for _, tt := range tests {
		if got := ActiveAt(tt.phases, MustDate(tt.d)); got != tt.want {
			t.Errorf("%s: ActiveAt(%s) = %v, want %v", tt.name, tt.d, got, tt.want)
		}
	}
}

func TestOnMissionAt(t *testing.T) {
	tests := []struct {
		name       string
		start, end string
		d          string
		want       bool
	}{
		{"before start", "2024-01-01", "2024-06-30", "2023-12-31", false},
		{"starting on D", "2024-01-01", "2024-06-30", "2024-01-01", true},
		{"during", "2024-01-01", "2024-06-30", "2024-03-15", true},
		{"ending on D", "2024-01-01", "2024-06-30", "2024-06-30", true},
		{"after end", "2024-01-01", "2024-06-30", "2024-07-01", false},
		{"open-ended", "2024-01-01", "", "2030-01-01", true},
		{"open-ended, before start", "2024-01-01", "", "2023-12-31", false},
		{"one-day mission", "2024-01-01", "2024-01-01", "2024-01-01", true},
		{"no start", "", "2024-06-30", "2024-03-15", false},
	}
	for _, tt := range tests {
		m := &Mission{Start: optDate(tt.start), End: optDate(tt.end)}
		if got := OnMissionAt(m, MustDate(tt.d)); got != tt.want {
			t.Errorf("%s: OnMissionAt([%s, %s], %s) = %v, want %v", tt.name, tt.start, tt.end, tt.d, got, tt.want)
		}
	}
}

func TestTeamAt(t *testing.T) {
	mission := func(member, start, end string, startups ...string) Mission {
		return Mission{MemberSlug: member, Start: optDate(start), End: optDate(end), Startups: startups}
	}
	missions := []Mission{
		mission("alice", "2024-01-01", "2024-06-30", "s1"),
		mission("bob", "2024-06-30", "", "s2", "s1"),
		mission("carol", "2024-01-01", "2024-12-31", "s2"),
		mission("alice", "2024-03-01", "2024-12-31", "s1"), // overlaps her first one
		mission("dave", "2024-07-01", "", "s1"),
		mission("erin", "2023-01-01", "2024-06-29", "s1"),
		mission("frank", "", "2025-01-01", "s1"),
		mission("gina", "2024-01-01", "", ""),
	}
	tests := []struct {
		name    string
		startup string
		d       string
		want    []string
	}{
		{"alice twice, erin ending on D", "s1", "2024-04-01", []string{"alice", "erin"}},
		{"erin ends on D", "s1", "2024-06-29", []string{"alice", "erin"}},
		{"alice ends on D, bob starts on D", "s1", "2024-06-30", []string{"alice", "bob"}},
		{"alice by her second mission, dave starts on D", "s1", "2024-07-01", []string{"bob", "alice", "dave"}},
		{"alice's second mission ends on D", "s1", "2024-12-31", []string{"bob", "alice", "dave"}},
		{"open-ended missions only", "s1", "2025-01-01", []string{"bob", "dave"}},
		{"another startup", "s2", "2024-07-01", []string{"bob", "carol"}},
		{"another startup, before bob", "s2", "2024-06-29", []string{"carol"}},
		{"nobody before every mission", "s1", "2022-01-01", nil},
		{"unknown startup", "s3", "2024-07-01", nil},
	}
	for _, tt := range tests {
		if got := TeamAt(missions, tt.startup, MustDate(tt.d)); !slices.Equal(got, tt.want) {
			t.Errorf("%s: TeamAt(%s, %s) = %v, want %v", tt.name, tt.startup, tt.d, got, tt.want)
		}
	}
	if got := TeamAt(nil, "s1", MustDate("2024-01-01")); len(got) != 0 {
		t.Errorf("TeamAt(nil) = %v, want none", got)
	}
}

func TestLastCommitteeAt(t *testing.T) {
	committees := dates("2024-01-10", "2024-07-01", "2023-05-05") // not sorted
	tests := []struct {
		name       string
		committees []Date
		d          string
		want       string
	}{
		{"none", nil, "2024-01-01", ""},
		{"all after D", committees, "2023-01-01", ""},
		{"first on D", committees, "2023-05-05", "2023-05-05"},
		{"between", committees, "2024-06-30", "2024-01-10"},
		{"on D", committees, "2024-07-01", "2024-07-01"},
		{"latest long after", committees, "2030-01-01", "2024-07-01"},
	}
	for _, tt := range tests {
		if got := LastCommitteeAt(tt.committees, MustDate(tt.d)); got != optDate(tt.want) {
			t.Errorf("%s: LastCommitteeAt(%s) = %q, want %q", tt.name, tt.d, got, tt.want)
		}
	}
}

// TestLastCommittee checks which committee is the last: two on the same
// day are told apart by their order (the second of the day is the last).
func TestLastCommittee(t *testing.T) {
	var committees []*Committee
	for _, d := range dates("2024-01-10", "2024-07-01", "2024-01-10", "2023-05-05") {
		committees = append(committees, &Committee{Date: d})
	}
	tests := []struct {
		d    string
		want int
	}{
		{"2023-01-01", -1},
		{"2023-05-05", 3},
		{"2024-01-10", 2}, // the later listed of the two that day
		{"2024-06-30", 2},
		{"2030-01-01", 1},
	}
	for _, tt := range tests {
		if got := LastCommittee(committees, MustDate(tt.d)); got != tt.want {
			t.Errorf("LastCommittee(%s) = %d, want %d", tt.d, got, tt.want)
		}
	}
}

func TestCommitteeOverdueAt(t *testing.T) {
	// From 2024-01-01, 2024-07-02 is 183 days later (31+29+31+30+31+30 = 182
	// to 2024-07-01) and 2024-07-03 is 184 days later.
	inCons := []PhasePeriod{ph(inv, "2023-06-01"), ph(cons, "2023-12-01")}
	invFrom := []PhasePeriod{ph(inv, "2024-01-01")}
	tests := []struct {
		name       string
		phases     []PhasePeriod
		committees []Date
		d          string
		want       bool
	}{
		{"committee 183 days before", inCons, dates("2024-01-01"), "2024-07-02", false},
		{"committee 184 days before", inCons, dates("2024-01-01"), "2024-07-03", true},
		{"committee on D", inCons, dates("2024-01-01", "2024-07-03"), "2024-07-03", false},
		{"latest committee counts, not the first", inCons, dates("2024-07-01", "2023-01-01"), "2024-07-03", false},
		{"committee after D ignored", inCons, dates("2024-01-01", "2024-08-01"), "2024-07-03", true},
		{"no committee, phase start 183 days before", invFrom, nil, "2024-07-02", false},
		{"no committee, phase start 184 days before", invFrom, nil, "2024-07-03", true},
		{"only committees after D: phase start", invFrom, dates("2024-08-01"), "2024-07-03", true},
		{"no committee: earliest start, not current phase's", []PhasePeriod{ph(cons, "2024-03-01"), ph(inv, "2024-01-01")}, nil, "2024-07-03", true},
		{"no committee, undated phase ignored", []PhasePeriod{ph(inv, ""), ph(cons, "2024-01-01")}, nil, "2024-07-03", true},
		{"no committee, recent start", []PhasePeriod{ph(inv, "2024-05-01")}, nil, "2024-07-03", false},
		{"inactive: abandoned", []PhasePeriod{ph(inv, "2023-01-01"), ph(aband, "2023-06-01")}, nil, "2024-07-03", false},
		{"inactive: transferred", []PhasePeriod{ph(cons, "2022-01-01"), ph(transf, "2023-01-01")}, dates("2022-06-01"), "2025-01-01", false},
		{"inactive: investigation abandoned", []PhasePeriod{ph(inv, "2020-01-01"), ph(abInv, "2020-06-01")}, nil, "2024-07-03", false},
		{"inactive: not started", []PhasePeriod{ph(inv, "2025-01-01")}, nil, "2024-07-03", false},
		{"inactive: no phases", nil, dates("2020-01-01"), "2024-07-03", false},
	}
	for _, tt := range tests {
		if got := CommitteeOverdueAt(tt.phases, tt.committees, MustDate(tt.d)); got != tt.want {
			t.Errorf("%s: CommitteeOverdueAt(%s) = %v, want %v", tt.name, tt.d, got, tt.want)
		}
	}
}

func TestNextCommitteeDue(t *testing.T) {
	tests := []struct {
		name, date string
		decision   Decision
		next       Phase
		recorded   string
		want       string // "" for none
	}{
		// 2024-01-01 + 183 days = 2024-07-02: the last day it is not overdue.
		{"none recorded: 183 days after", "2024-01-01", DecisionContinue, "", "", "2024-07-02"},
		{"none recorded, across a year end", "2025-09-01", DecisionUnspecified, "", "", "2026-03-03"},
		{"moving to an active phase", "2024-01-01", DecisionAdvance, PhaseAcceleration, "", "2024-07-02"},
		{"recorded: its date", "2024-01-01", DecisionAdjust, "", "2024-03-15", "2024-03-15"},
		{"recorded later than 183 days: its date still", "2024-01-01", DecisionContinue, "", "2025-01-01", "2025-01-01"},
		{"a stop: none", "2024-01-01", DecisionStop, PhaseAbandoned, "", ""},
		{"a stop without next phase: none", "2024-01-01", DecisionStop, "", "", ""},
		{"a transfer: none", "2024-01-01", DecisionTransfer, "", "", ""},
		{"an advance out of incubation: none", "2024-01-01", DecisionAdvance, PhaseOperated, "", ""},
		{"a stop with a recorded date: that date", "2024-01-01", DecisionStop, "", "2024-02-01", "2024-02-01"},
	}
	for _, tt := range tests {
		c := &Committee{Date: MustDate(tt.date), Decision: tt.decision, NextPhase: tt.next}
		if tt.recorded != "" {
			c.NextCommitteeDue = MustDate(tt.recorded)
		}
		got := NextCommitteeDue(c)
		if tt.want == "" && !got.IsZero() || tt.want != "" && got.String() != tt.want {
			t.Errorf("%s: NextCommitteeDue = %s, want %q", tt.name, got, tt.want)
		}
	}
	// Consistent with the overdue rule: due at D, overdue the day after.
	phases := []PhasePeriod{ph(cons, "2023-06-01")}
	c := &Committee{Date: MustDate("2024-01-01"), Decision: DecisionContinue}
	due := NextCommitteeDue(c)
	if CommitteeOverdueAt(phases, dates("2024-01-01"), due) || !CommitteeOverdueAt(phases, dates("2024-01-01"), due.AddDays(1)) {
		t.Errorf("due %s: not overdue that day and overdue the next, as CommitteeOverdueAt says", due)
	}
}

func TestEarliestStart(t *testing.T) {
	tests := []struct {
		name   string
		phases []PhasePeriod
		want   string
	}{
		{"none", nil, ""},
		{"only undated", []PhasePeriod{ph(inv, "")}, ""},
		{"single", []PhasePeriod{ph(cons, "2024-03-01")}, "2024-03-01"},
		{"out of order, undated ignored", []PhasePeriod{ph(cons, "2024-03-01"), ph(inv, ""), ph(inv, "2024-01-01"), ph(acc, "2025-01-01")}, "2024-01-01"},
	}
	for _, tt := range tests {
		if got := EarliestStart(tt.phases); got != optDate(tt.want) {
			t.Errorf("%s: EarliestStart = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNextPhaseStart(t *testing.T) {
	ordered := []PhasePeriod{ph(inv, "2024-01-01"), ph(cons, "2024-06-01"), ph(acc, "2025-01-01")}
	shuffled := []PhasePeriod{ph(acc, "2025-01-01"), ph(inv, "2024-01-01"), ph(cons, "2024-06-01")}
	tie := []PhasePeriod{ph(inv, "2024-01-01"), ph(abInv, "2024-01-01"), ph(cons, "2024-06-01")}
	tieReversed := []PhasePeriod{ph(abInv, "2024-01-01"), ph(inv, "2024-01-01")}
	undatedNext := []PhasePeriod{ph(inv, "2024-01-01"), ph(cons, "")}
	tests := []struct {
		name   string
		phases []PhasePeriod
		i      int
		want   string
	}{
		{"first", ordered, 0, "2024-06-01"},
		{"second", ordered, 1, "2025-01-01"},
		{"last", ordered, 2, ""},
		{"out of order: last listed first", shuffled, 0, ""},
		{"out of order: first in time", shuffled, 1, "2024-06-01"},
		{"out of order: middle", shuffled, 2, "2025-01-01"},
		{"tie: the earlier listed ends the same day", tie, 0, "2024-01-01"},
		{"tie: the later listed runs on", tie, 1, "2024-06-01"},
		{"tie reversed: first listed ends at once", tieReversed, 0, "2024-01-01"},
		{"tie reversed: later listed is last", tieReversed, 1, ""},
		{"undated phase is no next phase", undatedNext, 0, ""},
		{"single", []PhasePeriod{ph(inv, "2024-01-01")}, 0, ""},
	}
	for _, tt := range tests {
		if got := NextPhaseStart(tt.phases, tt.i); got != optDate(tt.want) {
			t.Errorf("%s: NextPhaseStart(%d) = %q, want %q", tt.name, tt.i, got, tt.want)
		}
	}
}

func TestDaysInPhase(t *testing.T) {
	// Day counts: 2024-01-01 → 2024-03-01 is 60 (31+29), → 2024-06-01 is 152,
	// 2024-06-01 → 2024-12-31 is 213, → 2025-01-01 is 214, 2025-01-01 →
	// 2025-01-31 is 30, → 2025-03-01 is 59.
	ordered := []PhasePeriod{ph(inv, "2024-01-01"), ph(cons, "2024-06-01"), ph(acc, "2025-01-01")}
	shuffled := []PhasePeriod{ph(acc, "2025-01-01"), ph(inv, "2024-01-01"), ph(cons, "2024-06-01")}
	tie := []PhasePeriod{ph(inv, "2024-01-01"), ph(abInv, "2024-01-01")}
	withEnd := []PhasePeriod{{Phase: inv, Start: MustDate("2024-01-01"), End: MustDate("2024-02-01")}, ph(cons, "2024-06-01")}
	tests := []struct {
		name   string
		phases []PhasePeriod
		i      int
		d      string
		want   int
	}{
		{"current, on its start", ordered, 0, "2024-01-01", 0},
		{"current, to D", ordered, 0, "2024-03-01", 60},
		{"ended, to the next start", ordered, 0, "2024-12-31", 152},
		{"ended on D", ordered, 0, "2024-06-01", 152},
		{"second, current", ordered, 1, "2024-12-31", 213},
		{"second, ended", ordered, 1, "2025-03-01", 214},
		{"not started by D", ordered, 2, "2024-12-31", 0},
		{"starting on D", ordered, 2, "2025-01-01", 0},
		{"last, current", ordered, 2, "2025-01-31", 30},
		{"out of order: investigation", shuffled, 1, "2025-03-01", 152},
		{"out of order: construction", shuffled, 2, "2025-03-01", 214},
		{"out of order: acceleration", shuffled, 0, "2025-03-01", 59},
		{"tie: earlier listed lasts no day", tie, 0, "2024-02-01", 0},
		{"tie: later listed runs to D", tie, 1, "2024-02-01", 31},
		{"undated phase", []PhasePeriod{ph(inv, ""), ph(cons, "2024-06-01")}, 0, "2025-01-01", 0},
		{"end date is informative", withEnd, 0, "2024-12-31", 152},
	}
	for _, tt := range tests {
		if got := DaysInPhase(tt.phases, tt.i, MustDate(tt.d)); got != tt.want {
			t.Errorf("%s: DaysInPhase(%d, %s) = %d, want %d", tt.name, tt.i, tt.d, got, tt.want)
		}
	}
}

// TestDaysInPhaseSum checks that the days in each dated phase add up to the
// days since the earliest start.
func TestDaysInPhaseSum(t *testing.T) {
	phases := []PhasePeriod{ph(acc, "2025-01-01"), ph(inv, "2024-01-01"), ph(inv, ""), ph(abInv, "2024-01-01"), ph(cons, "2024-06-01")}
	for _, s := range []string{"2023-12-31", "2024-01-01", "2024-03-01", "2024-06-01", "2025-03-01"} {
		d := MustDate(s)
		sum := 0
		for i := range phases {
			sum += DaysInPhase(phases, i, d)
		}
		want := max(0, d.DaysSince(EarliestStart(phases)))
		if sum != want {
			t.Errorf("at %s: days in phases sum to %d, want %d", s, sum, want)
		}
	}
}
