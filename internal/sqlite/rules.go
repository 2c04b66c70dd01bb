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

// overdueSQL is portfolio.CommitteeOverdueAt, given active, the condition
// "the startup is active at d": its last committee on or before d, else
// its earliest phase start, is more than OverdueAfterDays days before d.
func overdueSQL(active, id, d string) string {
	return `(` + active + ` AND coalesce(julianday(` + d + `) - julianday(coalesce(` + lastCommitteeSQL(id, d) +
		`, ` + earliestStartSQL(id) + `)) > ` + strconv.Itoa(portfolio.OverdueAfterDays) + `, 0))`
}
