package sqlite

import (
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The rules of internal/portfolio/rules.go in SQL, built from the domain's
// definitions (its list of active phases, its overdue delay) so that a
// rule changes in one place: each function below is the SQL of one domain
// function, and the statements of this package use them, never their own
// copy. Dates are SQL expressions (a bound parameter or a column); id is
// the column holding the startup's id.

// activePhasesSQL is portfolio.ActivePhases as an SQL list.
var activePhasesSQL = func() string {
	q := make([]string, len(portfolio.ActivePhases))
	for i, p := range portfolio.ActivePhases {
		q[i] = "'" + string(p) + "'"
	}
	return "(" + strings.Join(q, ", ") + ")"
}()

// activePhaseSQL is Phase.Active of the phase expression phase, which
// may be null (no phase yet: not active).
func activePhaseSQL(phase string) string {
	return "coalesce(" + phase + " IN " + activePhasesSQL + ", 0)"
}

// phaseCoversSQL is portfolio.PhaseAt for a row p of phases: p is the
// phase its startup is in at d, from its start to the start of the next
// one (next_start, kept by the store: migration 0003).
func phaseCoversSQL(p, d string) string {
	return p + ".start <= " + d + " AND (" + p + ".next_start IS NULL OR " + p + ".next_start > " + d + ")"
}

// missionCoversSQL is portfolio.OnMissionAt for a row m of missions.
func missionCoversSQL(m, d string) string {
	return m + `.start <= ` + d + ` AND (` + m + `."end" IS NULL OR ` + m + `."end" >= ` + d + `)`
}

// lastCommitteeSQL is portfolio.LastCommitteeAt: the date of the
// startup's last committee on or before d, or null.
func lastCommitteeSQL(id, d string) string {
	return `(SELECT max(c.date) FROM committees c WHERE c.startup_id = ` + id + ` AND c.date <= ` + d + `)`
}

// earliestStartSQL is portfolio.EarliestStart.
func earliestStartSQL(id string) string {
	return `(SELECT min(q.start) FROM phases q WHERE q.startup_id = ` + id + `)`
}

// nextDueSQL is portfolio.NextCommitteeDueAt, given active, the condition
// "the startup is active at d": the date its last committee on or before d
// recorded (next_committee_due), else OverdueAfterDays days after that
// committee, else after its earliest phase start; NULL when it is not
// active.
func nextDueSQL(active, id, d string) string {
	days := "'+" + strconv.Itoa(portfolio.OverdueAfterDays) + " days'"
	return `(CASE WHEN ` + active + ` THEN coalesce(
		(SELECT coalesce(c.next_committee_due, date(c.date, ` + days + `)) FROM committees c
			WHERE c.startup_id = ` + id + ` AND c.date <= ` + d + ` ORDER BY c.date DESC, c.slug DESC LIMIT 1),
		date(` + earliestStartSQL(id) + `, ` + days + `)) END)`
}

// overdueSQL is portfolio.OverdueAt: the next committee (nextDueSQL) was
// due before d.
func overdueSQL(active, id, d string) string {
	return `coalesce(` + nextDueSQL(active, id, d) + ` < ` + d + `, 0)`
}

// neverReviewedSQL is portfolio.NeverReviewedAt: no committee on or
// before d.
func neverReviewedSQL(id, d string) string {
	return `NOT EXISTS (SELECT 1 FROM committees c WHERE c.startup_id = ` + id + ` AND c.date <= ` + d + `)`
}
