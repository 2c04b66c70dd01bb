package portfolio

import "testing"

func TestCheckPhaseMove(t *testing.T) {
	tests := []struct {
		from, to Phase
		ok       bool
	}{
		{"", PhaseInvestigation, true},
		{"", PhaseConstruction, true},
		{"", PhaseAbandoned, false},
		{PhaseInvestigation, PhaseConstruction, true},
		{PhaseInvestigation, PhaseAcceleration, true}, // skipping a phase is allowed
		{PhaseInvestigation, PhaseInvestigationAbandoned, true},
		{PhaseConstruction, PhaseInvestigationAbandoned, false},
		{PhaseConstruction, PhaseInvestigation, false},
		{PhaseConsolidation, PhaseAcceleration, false},
		{PhaseAcceleration, PhaseTransferred, true},
		{PhaseConsolidation, PhaseOperated, true},
		{PhaseConstruction, PhaseAbandoned, true},
		{PhaseConstruction, PhaseConstruction, false},
		{PhaseTransferred, PhaseAbandoned, true},
		{PhaseOperated, PhaseAbandoned, true},
		{PhaseTransferred, PhaseConstruction, false},
		{PhaseAbandoned, PhaseInvestigation, false},
		{PhaseInvestigationAbandoned, PhaseInvestigation, false},
		{PhaseInvestigation, Phase("SLEEPING"), false},
		// UNKNOWN is imported, never recorded; a startup leaves it for any
		// phase, what it stood for not being known.
		{"", PhaseUnknown, false},
		{PhaseConstruction, PhaseUnknown, false},
		{PhaseAbandoned, PhaseUnknown, false},
		{PhaseUnknown, PhaseConstruction, true},
		{PhaseUnknown, PhaseInvestigation, true},
		{PhaseUnknown, PhaseAbandoned, true},
		{PhaseUnknown, PhaseUnknown, false},
	}
	for _, tt := range tests {
		err := CheckPhaseMove(tt.from, tt.to)
		if (err == nil) != tt.ok {
			t.Errorf("%q -> %q: error %v, want ok=%v", tt.from, tt.to, err, tt.ok)
		}
		if err != nil && ErrorCode(err) != EInvalid {
			t.Errorf("%q -> %q: code %s, want %s", tt.from, tt.to, ErrorCode(err), EInvalid)
		}
	}
}
