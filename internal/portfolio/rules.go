package portfolio

// The rules every answer follows (DESIGN.md, "Semantics"), one function
// each: phase at a date (PhaseAt), active (ActiveAt), team at a date
// (TeamAt, OnMissionAt), time in phase (DaysInPhase), the next committee
// due (Committee.NextDue, NextCommitteeDueAt), the review status
// (ReviewStatusAt) and the flows of a period (FlowsIn). The statements of
// internal/sqlite that apply them in SQL (filters, orderings, aggregates,
// timelines) build it from these definitions, one expression per rule, in
// internal/sqlite/rules.go: a rule changed here is changed there, in the
// same commit, and one table of cases per rule (internal/sqlite's
// rules*_test.go) runs through the function and every SQL implementation.

// OverdueAfterDays is how long a startup may go without an investment
// committee before it is overdue: a committee at least every six months.
const OverdueAfterDays = 183

// PhaseAt returns the index in phases of the phase a startup is in at date d:
// among the phases whose start is on or before d, the one with the latest
// start, a tie going to the one listed later. It returns -1 when every phase
// starts after d (or has no start).
func PhaseAt(phases []PhasePeriod, d Date) int {
	best := -1
	for i, p := range phases {
		if p.Start.IsZero() || p.Start > d {
			continue
		}
		if best < 0 || p.Start >= phases[best].Start {
			best = i
		}
	}
	return best
}

// ActiveAt reports whether a startup with these phases is still in
// incubation at d: its phase at d is investigation, construction,
// acceleration or consolidation.
func ActiveAt(phases []PhasePeriod, d Date) bool {
	i := PhaseAt(phases, d)
	return i >= 0 && phases[i].Phase.Active()
}

// OnMissionAt reports whether a mission covers date d: it started on or
// before d and has no end or ends on or after d.
func OnMissionAt(m *Mission, d Date) bool {
	return !m.Start.IsZero() && m.Start <= d && (m.End.IsZero() || m.End >= d)
}

// TeamAt returns the slugs of the members on the team of startup at date d,
// each once, in the order of their first covering mission: the members with
// a mission covering d whose startups include startup.
func TeamAt(missions []Mission, startup string, d Date) []string {
	var team []string
	seen := map[string]bool{}
	for i := range missions {
		m := &missions[i]
		if seen[m.MemberSlug] || !OnMissionAt(m, d) {
			continue
		}
		for _, s := range m.Startups {
			if s == startup {
				seen[m.MemberSlug] = true
				team = append(team, m.MemberSlug)
				break
			}
		}
	}
	return team
}

// LastCommittee returns the index of a startup's last committee held on or
// before d (committees in any order): the latest, a tie going to the one
// listed later; -1 when there is none. A planned or cancelled committee is
// never the last (Committee.Held): it moves nothing.
func LastCommittee(committees []*Committee, d Date) int {
	last := -1
	for i, c := range committees {
		if c.Held() && !c.Date.IsZero() && c.Date <= d && (last < 0 || c.Date >= committees[last].Date) {
			last = i
		}
	}
	return last
}

// NextDue returns when the committee after c is due (DESIGN.md, "Next
// committee due at D"): the date c recorded (nextCommitteeDue), else
// OverdueAfterDays days after c, the last day its startup, still in
// incubation, is not overdue. Whatever c decided: a committee deciding a
// stop or a transfer gives a date too, which stops counting once the
// startup's phase is out of incubation (NextCommitteeDueAt).
func (c *Committee) NextDue() Date {
	if !c.NextCommitteeDue.IsZero() {
		return c.NextCommitteeDue
	}
	return c.Date.AddDays(OverdueAfterDays)
}

// EarliestStart returns the earliest start among phases (zero if none).
func EarliestStart(phases []PhasePeriod) Date {
	var first Date
	for _, p := range phases {
		if !p.Start.IsZero() && (first.IsZero() || p.Start < first) {
			first = p.Start
		}
	}
	return first
}

// NextPhaseStart returns the start of the phase that follows phases[i] in
// time: the earliest start after phases[i].Start, or, among phases starting
// the same day, the first one listed after i. It returns the zero date when
// phases[i] is the last.
func NextPhaseStart(phases []PhasePeriod, i int) Date {
	cur := phases[i]
	var next Date
	for j, p := range phases {
		if j == i || p.Start.IsZero() {
			continue
		}
		later := p.Start > cur.Start || (p.Start == cur.Start && j > i)
		if later && (next.IsZero() || p.Start < next) {
			next = p.Start
		}
	}
	return next
}

// DaysInPhase returns how long phases[i] lasted as seen at d, in days: from
// its start to the next phase's start, or to d for the phase still current
// at d. A phase that has not started by d lasted 0 days, and so does one
// without a start.
func DaysInPhase(phases []PhasePeriod, i int, d Date) int {
	p := phases[i]
	if p.Start.IsZero() || p.Start > d {
		return 0
	}
	end := NextPhaseStart(phases, i)
	if end.IsZero() || end > d {
		end = d
	}
	return end.DaysSince(p.Start)
}

// CheckPhaseMove reports whether the network allows a startup in phase from
// ("" before its first phase) to move to phase to. Among the active phases
// a startup only moves forward (investigation, construction, acceleration,
// consolidation, any of them may be skipped); it may leave them for a
// transfer, operation or abandon; "investigation non concluante" only ends
// an investigation; and the phases out of incubation are final, except that
// a transferred or operated service may later be stopped. UNKNOWN is never
// recorded, and a startup leaves it for any phase: what it stood for is
// not known.
func CheckPhaseMove(from, to Phase) error {
	switch {
	case !to.Valid():
		return FieldErrorf("phase", "%q is not a phase", to)
	case to == PhaseUnknown:
		return FieldErrorf("phase", "UNKNOWN stands for a phase an older archive names that is in no vocabulary: it is imported, never recorded")
	case from == PhaseUnknown:
		return nil
	case from == "":
		if !to.Active() {
			return FieldErrorf("phase", "a startup starts in an active phase (investigation, construction, acceleration or consolidation), not %s", to)
		}
		return nil
	case from == to:
		return FieldErrorf("phase", "the startup is already in phase %s", to)
	case from == PhaseTransferred || from == PhaseOperated:
		if to == PhaseAbandoned {
			return nil
		}
		return FieldErrorf("phase", "a %s startup can only be stopped (ABANDONED), not moved to %s", from, to)
	case !from.Active():
		return FieldErrorf("phase", "%s is final: a startup does not leave it for %s", from, to)
	case to == PhaseInvestigationAbandoned && from != PhaseInvestigation:
		return FieldErrorf("phase", "INVESTIGATION_ABANDONED ends an investigation, not %s", from)
	case to.Active() && to.Rank() < from.Rank():
		return FieldErrorf("phase", "a startup does not go back from %s to %s", from, to)
	}
	return nil
}
