package portfolio

import (
	"strings"
	"testing"
)

func TestMapPhaseName(t *testing.T) {
	inv, cons, acc := PhaseInvestigation, PhaseConstruction, PhaseAcceleration
	tests := []struct {
		name   string
		before []Phase
		want   Phase  // "" when the name is in neither vocabulary
		entry  string // the mapping's When, "-" for today's vocabulary
	}{
		// Today's vocabulary, case and spaces ignored.
		{"investigation", nil, inv, "-"},
		{" Construction ", []Phase{inv}, cons, "-"},
		{"abandon-investigation", []Phase{inv}, PhaseInvestigationAbandoned, "-"},
		{"transfere", nil, PhaseTransferred, "-"},
		// alumni: after investigations only (or nothing), the
		// investigation was abandoned; after anything else, the service.
		{"alumni", []Phase{inv}, PhaseInvestigationAbandoned, "nothing but investigations before it"},
		{"alumni", nil, PhaseInvestigationAbandoned, "nothing but investigations before it"},
		{"alumni", []Phase{inv, inv}, PhaseInvestigationAbandoned, "nothing but investigations before it"},
		{"Alumni", []Phase{inv, cons}, PhaseAbandoned, "after a construction or a later phase"},
		{"alumni", []Phase{cons}, PhaseAbandoned, "after a construction or a later phase"},
		{"alumni", []Phase{inv, acc}, PhaseAbandoned, "after a construction or a later phase"},
		{"alumni", []Phase{inv, PhaseUnknown}, PhaseAbandoned, "after a construction or a later phase"},
		{"success", []Phase{inv, cons, acc}, PhaseTransferred, ""},
		{"SUCCESS", nil, PhaseTransferred, ""},
		{"transfer", []Phase{inv, cons, acc}, PhaseConsolidation, ""},
		{"perennisation", []Phase{acc}, PhaseConsolidation, ""},
		// Neither vocabulary.
		{"pivot", []Phase{inv}, "", ""},
		{"death", nil, "", ""},
		{"", nil, "", ""},
		{"transferred", nil, "", ""},
		{"UNKNOWN", nil, "", ""},
	}
	for _, tt := range tests {
		p, m, ok := MapPhaseName(tt.name, tt.before)
		if ok != (tt.want != "") || p != tt.want {
			t.Errorf("MapPhaseName(%q, %v) = %q, %v; want %q", tt.name, tt.before, p, ok, tt.want)
			continue
		}
		switch {
		case tt.want == "" || tt.entry == "-":
			if m != nil {
				t.Errorf("MapPhaseName(%q, %v): mapping %+v, want none", tt.name, tt.before, m)
			}
		case m == nil || m.When != tt.entry || m.Phase != p || m.Name != strings.ToLower(strings.TrimSpace(tt.name)):
			t.Errorf("MapPhaseName(%q, %v): mapping %+v, want the entry %q", tt.name, tt.before, m, tt.entry)
		}
		if got := OlderPhaseName(tt.name); got != (tt.want != "" && tt.entry != "-") {
			t.Errorf("OlderPhaseName(%q) = %v", tt.name, got)
		}
	}
}

// TestPhaseMappings holds the table to its form: every entry says why, maps
// onto a phase of the network, and a name's entries end with one that
// always applies; no name of today's vocabulary is remapped.
func TestPhaseMappings(t *testing.T) {
	last := map[string]*PhaseMapping{}
	for i := range PhaseMappings {
		m := &PhaseMappings[i]
		if m.Reason == "" || m.Label == "" || !m.Phase.Valid() || m.Phase == PhaseUnknown {
			t.Errorf("entry %d (%s): reason %q, label %q, phase %q", i, m.Name, m.Reason, m.Label, m.Phase)
		}
		if _, ok := PhaseFromSlug(m.Name); ok || m.Name != strings.ToLower(m.Name) {
			t.Errorf("entry %d: %q is a slug of today's vocabulary or not lower case", i, m.Name)
		}
		if prev := last[m.Name]; prev != nil && prev.applies == nil {
			t.Errorf("entry %d (%s) comes after an entry that always applies", i, m.Name)
		}
		if (m.applies == nil) != (m.When == "" || last[m.Name] != nil) {
			t.Errorf("entry %d (%s): condition %q does not match its test", i, m.Name, m.When)
		}
		last[m.Name] = m
	}
	for name, m := range last {
		if m.applies != nil {
			t.Errorf("%s: its last entry has a condition: some phases would map onto nothing", name)
		}
	}
}
