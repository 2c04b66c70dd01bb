package portfolio

import "testing"

// The rules' tables of cases are in internal/sqlite (rules*_test.go),
// where each runs through the Go function and every SQL implementation.
// What is left here are properties of the helpers.

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

var (
	inv   = PhaseInvestigation
	cons  = PhaseConstruction
	acc   = PhaseAcceleration
	abInv = PhaseInvestigationAbandoned
)

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
