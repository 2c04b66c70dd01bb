package seed

import (
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// outcome is the phase a startup is in at RefDate, with the phase histories
// that lead to it and their weights.
type outcome struct {
	phase    portfolio.Phase
	perBlock int // startups of this outcome among startupsPerBlock
	seqs     [][]portfolio.Phase
	weights  *table
}

var (
	inv    = portfolio.PhaseInvestigation
	cons   = portfolio.PhaseConstruction
	acc    = portfolio.PhaseAcceleration
	consol = portfolio.PhaseConsolidation
)

// outcomes follow the current phases of the real network's 662 startups:
// about a third still in incubation.
var outcomes = []outcome{
	{portfolio.PhaseInvestigationAbandoned, 203, [][]portfolio.Phase{
		{inv, portfolio.PhaseInvestigationAbandoned}, {portfolio.PhaseInvestigationAbandoned},
	}, newTable(950, 50)},
	{portfolio.PhaseAbandoned, 124, [][]portfolio.Phase{
		{inv, cons, portfolio.PhaseAbandoned}, {cons, portfolio.PhaseAbandoned},
		{inv, cons, acc, portfolio.PhaseAbandoned}, {inv, cons, acc, consol, portfolio.PhaseAbandoned},
	}, newTable(560, 150, 230, 60)},
	{portfolio.PhaseTransferred, 99, [][]portfolio.Phase{
		{inv, cons, acc, portfolio.PhaseTransferred}, {inv, cons, acc, consol, portfolio.PhaseTransferred},
		{inv, cons, portfolio.PhaseTransferred}, {cons, acc, consol, portfolio.PhaseTransferred}, {cons, acc, portfolio.PhaseTransferred},
	}, newTable(350, 300, 200, 100, 50)},
	{portfolio.PhaseOperated, 14, [][]portfolio.Phase{
		{inv, cons, acc, portfolio.PhaseOperated}, {inv, cons, acc, consol, portfolio.PhaseOperated},
	}, newTable(600, 400)},
	{inv, 25, [][]portfolio.Phase{{inv}}, newTable(1)},
	{cons, 105, [][]portfolio.Phase{{inv, cons}, {cons}}, newTable(850, 150)},
	{acc, 70, [][]portfolio.Phase{{inv, cons, acc}, {cons, acc}}, newTable(850, 150)},
	{consol, 22, [][]portfolio.Phase{{inv, cons, acc, consol}, {cons, acc, consol}}, newTable(750, 250)},
}

// outcomeLayout maps a startup's position in its block to its outcome, so
// that every block has exactly the shares above.
var outcomeLayout = func() (l [startupsPerBlock]uint8) {
	n := 0
	for k, o := range outcomes {
		for range o.perBlock {
			l[n] = uint8(k)
			n++
		}
	}
	if n != startupsPerBlock {
		panic("seed: outcomes do not add up to a block")
	}
	return l
}()

var outcomePerm = newPerm(startupsPerBlock)

// startYears weights the years in which startups begin, from firstYear to
// 2026, more recent ones more numerous (the real network's first phase
// starts).
var startYears = newTable(2, 7, 12, 9, 15, 44, 55, 79, 111, 76, 81, 82, 67, 22)

const firstYear = 2013

// incubatorOf weights the incubators of a block as hosts of startups.
var incubatorOf = func() *table {
	w := make([]int, len(incubatorBase))
	for i, b := range incubatorBase {
		w[i] = b.weight
	}
	return newTable(w...)
}()

const (
	// projectedDays is how long an active startup is expected to run on
	// after RefDate: its missions may end up to then.
	projectedDays = 540
	// startLeadDays lets missions on an active startup start a little after
	// RefDate.
	startLeadDays = 30
	// coverDays is how far past RefDate missions on an active startup are
	// drawn to cover, so that teams do not thin out towards RefDate.
	coverDays = 300
	// maxWindow bounds the mission window used to weight startups.
	maxWindow = 3000
)

// span is one phase of a plan.
type span struct {
	phase portfolio.Phase
	start portfolio.Date
}

// plan is the skeleton of startup i: its phases and where it lives. It is a
// pure function of (scale, i), cheap to compute, so that members can place
// their missions on a startup without the generator keeping startups.
type plan struct {
	index     int
	n         int
	spans     [5]span
	incubator int // global incubator index
	block     int // the block of its incubator and most of its sponsors
	// Missions on the startup cover dates in [winStart, winEnd), start by
	// startCap and end by endCap.
	winStart, winEnd, startCap, endCap portfolio.Date
}

// planOf computes the plan of startup i at the given scale.
func planOf(scale, i int) plan {
	if f := startupFixtureAt(i); f != nil {
		return f.plan(i)
	}
	r := newRNG(streamPlan, i)
	p := plan{index: i}
	p.block = r.intn(scale)
	p.incubator = p.block*incubatorsPerBlock + r.pick(incubatorOf)

	o := &outcomes[outcomeLayout[outcomePerm.at(i%startupsPerBlock, i/startupsPerBlock)]]
	seq := o.seqs[r.pick(o.weights)]
	p.n = len(seq)
	// Days from each phase's start to the next one's.
	var dur [5]int
	total := 0
	for k := 0; k < p.n-1; k++ {
		dur[k] = phaseDays(&r, seq[k])
		total += dur[k]
	}
	last := seq[p.n-1]
	var lastStart portfolio.Date
	if last.Active() {
		lastStart = RefDate.AddDays(-elapsedDays(&r, last))
	} else {
		first := portfolio.NewDate(firstYear+r.pick(startYears), 1, 1).AddDays(r.intn(365))
		lastStart = first.AddDays(total)
		if latest := RefDate.AddDays(-5); lastStart > latest {
			lastStart = latest.AddDays(-r.intn(400))
		}
	}
	start := lastStart.AddDays(-total)
	for k := 0; k < p.n; k++ {
		p.spans[k] = span{seq[k], start}
		start = start.AddDays(dur[k])
	}
	p.setWindow()
	return p
}

// setWindow sets where missions on the startup may lie, from its spans:
// through its active life, and past RefDate while it is still active.
func (p *plan) setWindow() {
	p.winStart = p.spans[0].start
	if last := p.spans[p.n-1]; last.phase.Active() {
		p.winEnd, p.startCap, p.endCap = RefDate.AddDays(coverDays), RefDate.AddDays(startLeadDays), RefDate.AddDays(projectedDays)
	} else {
		p.winEnd, p.startCap, p.endCap = last.start, last.start, last.start
	}
}

// phaseDays draws how long a phase lasts before the next one starts.
func phaseDays(r *rng, ph portfolio.Phase) int {
	switch ph {
	case portfolio.PhaseInvestigation:
		if r.chance(700) {
			return r.between(80, 200)
		}
		return r.between(200, 420)
	case portfolio.PhaseConstruction:
		return r.between(150, 720)
	case portfolio.PhaseAcceleration:
		return r.between(250, 1100)
	default:
		return r.between(120, 600)
	}
}

// elapsedDays draws how long an active startup has been in its current
// phase at RefDate.
func elapsedDays(r *rng, ph portfolio.Phase) int {
	switch ph {
	case portfolio.PhaseInvestigation:
		return r.between(7, 200)
	case portfolio.PhaseConstruction:
		return r.between(15, 650)
	case portfolio.PhaseAcceleration:
		return r.between(20, 1000)
	default:
		return r.between(15, 500)
	}
}

// phaseAt returns the phase of the plan at d, or "" before its start.
func (p *plan) phaseAt(d portfolio.Date) portfolio.Phase {
	var ph portfolio.Phase
	for k := 0; k < p.n; k++ {
		if p.spans[k].start <= d {
			ph = p.spans[k].phase
		}
	}
	return ph
}

// nextStart returns the first phase start after d and its phase, or zero.
func (p *plan) nextStart(d portfolio.Date) (portfolio.Date, portfolio.Phase) {
	for k := 0; k < p.n; k++ {
		if p.spans[k].start > d {
			return p.spans[k].start, p.spans[k].phase
		}
	}
	return 0, ""
}

// activeEnd returns the day the startup left incubation, or RefDate when it
// is still active.
func (p *plan) activeEnd() portfolio.Date {
	if last := p.spans[p.n-1]; !last.phase.Active() {
		return last.start
	}
	return RefDate
}

// staffing is how much of a team, per mille, a startup has in each phase.
func staffing(ph portfolio.Phase) int {
	switch ph {
	case portfolio.PhaseInvestigation:
		return 350
	case portfolio.PhaseConstruction:
		return 850
	case portfolio.PhaseAcceleration:
		return 1000
	case portfolio.PhaseConsolidation:
		return 800
	}
	return 0
}
