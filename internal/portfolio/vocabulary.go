package portfolio

import (
	"slices"
	"strings"
)

// The network renamed its phases in May 2026: the beta.gouv.fr repository
// rewrote every startup's phases with new names (11 May) and replaced its
// _phases definitions (investigation, construction, acceleration, alumni,
// success, transfer) by today's (12 May), calling consolidation
// "perennisation" until 28 May. Archives made before, and the repository's
// history, use the older names. PhaseMappings maps them onto today's
// phases from what the rewrite did: the figures of its reasons compare
// each startup's phases just before the rewrite and just after, matched by
// their start.

// PhaseMapping is one entry of the table that maps a phase name of the
// network's older vocabulary onto today's phases.
type PhaseMapping struct {
	// Name is the name the records write (phases[].name, and the status of
	// its _phases definition): "alumni".
	Name string
	// Label is the older vocabulary's label for it (its _phases file).
	Label string
	// When says in which case the entry applies, "" when always: a name
	// may have several entries, tried in order, the last one without a
	// condition.
	When string
	// Phase is today's phase the name maps onto.
	Phase Phase
	// Reason says why, with the evidence.
	Reason string
	// applies, when not nil, reports whether the entry applies to a phase
	// that the record lists after the phases before (already mapped).
	applies func(before []Phase) bool
}

// PhaseMappings is the table of the older vocabulary: the one place where
// it is mapped, wherever records arrive (an import, a sync).
var PhaseMappings = []PhaseMapping{
	{
		Name: "alumni", Label: "Partenariats terminés",
		When:  "nothing but investigations before it",
		Phase: PhaseInvestigationAbandoned,
		Reason: "the partnership ended before anything was built: the rewrite made 199 of the 200 such alumni " +
			"abandon-investigation (the other one changed its date), those with no phase before included (10)",
		applies: func(before []Phase) bool {
			return !slices.ContainsFunc(before, func(p Phase) bool { return p != PhaseInvestigation })
		},
	},
	{
		Name: "alumni", Label: "Partenariats terminés",
		When:  "after a construction or a later phase",
		Phase: PhaseAbandoned,
		Reason: "the partnership ended after the service was built: the rewrite made 112 of the 142 such alumni " +
			"abandon; 26 became transfere, which the word alone does not tell apart",
	},
	{
		Name: "success", Label: "Pérennisé",
		Phase: PhaseTransferred,
		Reason: "« the service became a national digital public service available to all »: the rewrite made 55 of " +
			"the 75 success transfere, 11 opere (operated within the network), 2 abandon, 2 perennisation",
	},
	{
		Name: "transfer", Label: "Transfert",
		Phase: PhaseConsolidation,
		Reason: "« the service, mature, joins a structure that will sustain it »: the phase of leaving incubation, " +
			"named consolidation until June 2020, which the network still counted as in incubation; the rewrite " +
			"made 64 of the 77 transfer perennisation, renamed consolidation two weeks later (11 transfere, 2 abandon)",
	},
	{
		Name: "perennisation", Label: "En pérennisation",
		Phase: PhaseConsolidation,
		Reason: "today's consolidation under the name it had from 12 to 28 May 2026: the repository then renamed " +
			"_phases/perennisation.md consolidation.md (same order and description) and the records with it",
	},
}

// MapPhaseName maps a phase name of a record (phases[].name: today's
// slug or the older vocabulary's name, case and surrounding spaces
// ignored) onto today's phases. before are the phases the record lists
// before it, already mapped. It returns the phase, and for a name of the
// older vocabulary the entry of PhaseMappings that applied (nil for
// today's). ok is false for a name of neither vocabulary, which a reader
// keeps as PhaseUnknown.
func MapPhaseName(name string, before []Phase) (p Phase, m *PhaseMapping, ok bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	if p, ok := PhaseFromSlug(name); ok {
		return p, nil, true
	}
	for i := range PhaseMappings {
		m := &PhaseMappings[i]
		if m.Name == name && (m.applies == nil || m.applies(before)) {
			return m.Phase, m, true
		}
	}
	return "", nil, false
}

// OlderPhaseName reports whether name is a phase name of the older
// vocabulary (case and surrounding spaces ignored).
func OlderPhaseName(name string) bool {
	name = strings.ToLower(strings.TrimSpace(name))
	return slices.ContainsFunc(PhaseMappings, func(m PhaseMapping) bool { return m.Name == name })
}
