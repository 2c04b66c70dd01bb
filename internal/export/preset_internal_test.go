package export

import "testing"

// TestCommitteeRowNextDue checks the committees export's next_committee_due
// on nodes as the API answers them: the recorded date, else 183 days after
// the committee, none after a committee that ends the incubation.
func TestCommitteeRowNextDue(t *testing.T) {
	tests := []struct {
		name string
		node map[string]any
		want any
	}{
		{"none recorded", map[string]any{"date": "2024-01-01", "decision": "CONTINUE", "nextCommitteeDue": nil}, "2024-07-02"},
		{"none recorded, unspecified", map[string]any{"date": "2025-09-01", "decision": "UNSPECIFIED"}, "2026-03-03"},
		{"recorded", map[string]any{"date": "2024-01-01", "decision": "ADJUST", "nextCommitteeDue": "2024-04-01"}, "2024-04-01"},
		{"advance to an active phase", map[string]any{"date": "2024-01-01", "decision": "ADVANCE", "nextPhase": "ACCELERATION"}, "2024-07-02"},
		{"stop", map[string]any{"date": "2024-01-01", "decision": "STOP", "nextPhase": "ABANDONED"}, nil},
		{"transfer", map[string]any{"date": "2024-01-01", "decision": "TRANSFER"}, nil},
		{"no date", map[string]any{"decision": "CONTINUE"}, nil},
	}
	for _, tt := range tests {
		row := committeesPreset.row(tt.node, "2026-06-30", func(string, string) bool { return false })
		if got := row["next_committee_due"]; got != tt.want {
			t.Errorf("%s: next_committee_due = %v, want %v", tt.name, got, tt.want)
		}
	}
}
