package sqlite

import (
	"context"
	"slices"
	"sort"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The phases' part of flows and of timelines, counted in memory over a
// selection of the dated index: each phase period of a selected startup
// is an entry on its start and an exit on the next phase's start
// (portfolio.NextPhaseStart), each put in the period or at the first
// point it falls in. In SQL, the same counts group every row of the
// phases table by date: at 100 times the network (175,733 phase periods),
// 0.25–0.45 s for each of the review page's flows and timeline. The SQL
// remains under WithSQLRules, and the rule tables run both.

// phaseMoves calls fn with every phase period of the selected startups
// that has a start: its phase, its start, and the start of the next phase
// (zero for the last one). The phases of the index are sorted by start,
// ties in the record's order, which is the order NextPhaseStart reads
// ties in.
func (s *datedSelection) phaseMoves(fn func(p portfolio.Phase, start, next portfolio.Date)) {
	s.each(func(i int) {
		phases := s.idx.phases[i]
		for k := range phases {
			if phases[k].Start.IsZero() {
				continue
			}
			fn(phases[k].Phase, phases[k].Start, portfolio.NextPhaseStart(phases, k))
		}
	})
}

// phaseCounter counts phases per slot (a period, a point).
type phaseCounter []map[portfolio.Phase]int

func (c phaseCounter) add(slot int, p portfolio.Phase, n int) {
	if c[slot] == nil {
		c[slot] = map[portfolio.Phase]int{}
	}
	c[slot][p] += n
}

// counts returns a slot's non-zero counts in the order of the phases
// (sortByPhase).
func (c phaseCounter) counts(slot int) []Count {
	var out []Count
	for p, n := range c[slot] {
		if n != 0 {
			out = append(out, Count{Key: string(p), Count: n})
		}
	}
	sortByPhase(out)
	return out
}

// flowsInMemory fills the entries, exits and committees (parts) of out,
// one per period of periods, over the selection (portfolio.FlowsIn,
// period by period; a committee counts in the period holding its date).
func (s *datedSelection) flowsInMemory(out []FlowPeriod, periods []portfolio.Period, parts FlowParts) {
	find := periodFinder(periods)
	entered, exited := make(phaseCounter, len(out)), make(phaseCounter, len(out))
	s.phaseMoves(func(p portfolio.Phase, start, next portfolio.Date) {
		if parts.Entered {
			find(start, func(i int) { entered.add(i, p, 1) })
		}
		if parts.Exited && !next.IsZero() {
			find(next, func(i int) { exited.add(i, p, 1) })
		}
	})
	for i := range out {
		if parts.Entered {
			out[i].Entered = entered.counts(i)
		}
		if parts.Exited {
			out[i].Exited = exited.counts(i)
		}
	}
	if !parts.Committees {
		return
	}
	// The committees held in each period, by decision (the index holds
	// the held ones only).
	decisions := make([]map[string]int, len(out))
	s.each(func(i int) {
		for _, c := range s.idx.committees[i] {
			find(c.Date, func(k int) {
				if decisions[k] == nil {
					decisions[k] = map[string]int{}
				}
				decisions[k][string(c.Decision)]++
			})
		}
	})
	for k, m := range decisions {
		for d, n := range m {
			out[k].Committees += n
			out[k].CommitteeDecisions = append(out[k].CommitteeDecisions, Count{Key: d, Count: n})
		}
		sortByDecision(out[k].CommitteeDecisions)
	}
}

// periodFinder returns a function that calls fn with every period that
// holds a date: by binary search when the periods are in order and do not
// overlap (as portfolio.FlowPeriods cuts them), else by trying each.
func periodFinder(periods []portfolio.Period) func(d portfolio.Date, fn func(i int)) {
	ordered := true
	for i := 1; i < len(periods); i++ {
		if periods[i].Start <= periods[i-1].End {
			ordered = false
			break
		}
	}
	if !ordered {
		return func(d portfolio.Date, fn func(i int)) {
			for i, p := range periods {
				if p.Holds(d) {
					fn(i)
				}
			}
		}
	}
	return func(d portfolio.Date, fn func(i int)) {
		i := sort.Search(len(periods), func(i int) bool { return periods[i].End >= d })
		if i < len(periods) && periods[i].Holds(d) {
			fn(i)
		}
	}
}

// timelinePhases counts the selected startups by phase at each of dates
// (in ascending order), as portfolio.PhaseAt places them: a phase period
// counts from its start to the day before the next phase's start.
func (s *datedSelection) timelinePhases(dates []portfolio.Date) phaseCounter {
	diff := make(phaseCounter, len(dates)+1) // per first point a move is seen at
	first := func(d portfolio.Date) int { return sort.Search(len(dates), func(k int) bool { return dates[k] >= d }) }
	s.phaseMoves(func(p portfolio.Phase, start, next portfolio.Date) {
		if !next.IsZero() && next == start {
			return // a later phase listed the same day replaces it at once
		}
		diff.add(first(start), p, 1)
		if !next.IsZero() {
			diff.add(first(next), p, -1)
		}
	})
	out := make(phaseCounter, len(dates))
	run := map[portfolio.Phase]int{}
	for k := range dates {
		for p, n := range diff[k] {
			run[p] += n
		}
		out[k] = make(map[portfolio.Phase]int, len(run))
		for p, n := range run {
			if n != 0 {
				out[k][p] = n
			}
		}
	}
	return out
}

// phaseDurations is DB.PhaseDurations over the selection: per phase, the
// days each phase period started by d lasted (portfolio.DaysInPhase), their
// count, mean and median.
func (s *datedSelection) phaseDurations(d portfolio.Date) []PhaseDuration {
	days := map[portfolio.Phase][]int{}
	s.each(func(i int) {
		phases := s.idx.phases[i]
		for k := range phases {
			if st := phases[k].Start; !st.IsZero() && st <= d {
				days[phases[k].Phase] = append(days[phases[k].Phase], portfolio.DaysInPhase(phases, k, d))
			}
		}
	})
	var out []PhaseDuration
	for _, p := range portfolio.Phases {
		ds := days[p]
		if len(ds) == 0 {
			continue
		}
		slices.Sort(ds)
		n, sum := len(ds), 0
		for _, x := range ds {
			sum += x
		}
		out = append(out, PhaseDuration{Phase: p, Startups: n, MeanDays: float64(sum) / float64(n),
			MedianDays: float64(ds[(n-1)/2]+ds[n/2]) / 2})
	}
	return out
}

// teamStats is DB.TeamStats over the selection: the members with a
// mission covering d (portfolio.OnMissionAt) on a selected startup, each
// counted once, by domain and by the status of that covering mission
// which started last (ties: the higher mission id). With all false, only
// Members is counted.
func (s *datedSelection) teamStats(stretches []memberStretch, d portfolio.Date, all bool) *TeamStats {
	ts := &TeamStats{}
	domains, statuses := map[string]int{}, map[string]int{}
	eachMember(stretches, func(member []memberStretch) {
		var best *memberStretch
		for k := range member {
			st := &member[k]
			if (s.set != nil && !s.set.has(int(st.startup))) || !st.covers(d) {
				continue
			}
			if best == nil || st.start > best.start || (st.start == best.start && st.mission > best.mission) {
				best = st
			}
			if !all {
				break
			}
		}
		if best != nil {
			ts.Members++
			if all {
				domains[best.domain]++
				statuses[best.status]++
			}
		}
	})
	if all {
		ts.ByDomain, ts.ByStatus = sortedCounts(domains), sortedCounts(statuses)
	}
	return ts
}

// teamSizesInMemory is DB.TeamSizesAt over the member stretches: one pass
// over them, each member counted once per startup whose team they are on
// at d (portfolio.OnMissionAt).
func (db *DB) teamSizesInMemory(ctx context.Context, ids []int64, d portfolio.Date) (map[int64]int, error) {
	idx, err := db.datedIndex(ctx)
	if err != nil {
		return nil, err
	}
	stretches, err := db.memberStretches(ctx, idx)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int, len(ids))
	want := newBitset(len(idx.ids))
	for _, id := range ids {
		if i, ok := idx.pos[id]; ok {
			want.set(int(i))
			out[id] = 0
		}
	}
	counts := make(map[int32]int, len(out))
	var seen []int32 // the startups of the member counted so far
	eachMember(stretches, func(member []memberStretch) {
		seen = seen[:0]
		for k := range member {
			st := &member[k]
			if !want.has(int(st.startup)) || slices.Contains(seen, st.startup) || !st.covers(d) {
				continue
			}
			seen = append(seen, st.startup)
			counts[st.startup]++
		}
	})
	for i, n := range counts {
		out[idx.ids[i]] = n
	}
	return out, nil
}
