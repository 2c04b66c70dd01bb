package portfolio

// ClassifyCommittee reads the free-text comment of an imported committee
// event and returns the decision it records and, for an advance, the phase
// decided. Anything unclear is DecisionUnspecified with no phase.
func ClassifyCommittee(comment string) (Decision, Phase) {
	return DecisionUnspecified, ""
}
