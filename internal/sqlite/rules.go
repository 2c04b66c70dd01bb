package sqlite

import (
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The rules of internal/portfolio (rules.go, review.go) in SQL, built from
// the domain's definitions (its list of active phases, its overdue delay)
// so that a rule changes in one place: each function below is the SQL of
// one domain function, and the statements of this package use them, never
// their own copy. Dates are SQL expressions (a bound parameter or a
// column); id is the column holding the startup's id. One table of cases
// per rule runs through the Go function, these expressions and every
// statement built on them (rules*_test.go).

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

// phaseEntersSQL and phaseExitsSQL are portfolio.FlowsIn for a row p of
// phases and the period [from, to]: its phase is entered when it starts
// in the period, and left when the next phase starts in it (next_start;
// null for the last phase and for a phase without a start).
func phaseEntersSQL(p, from, to string) string {
	return p + ".start >= " + from + " AND " + p + ".start <= " + to
}

func phaseExitsSQL(p, from, to string) string {
	return p + ".next_start >= " + from + " AND " + p + ".next_start <= " + to
}

// missionCoversSQL is portfolio.OnMissionAt for a row m of missions (the
// store holds no mission without a start: see loader.putMember).
func missionCoversSQL(m, d string) string {
	return m + `.start <= ` + d + ` AND (` + m + `."end" IS NULL OR ` + m + `."end" >= ` + d + `)`
}

// heldSQL is portfolio.Committee.Held for a row c of committees: only a
// held committee counts in the rules (a planned or cancelled one moves
// nothing).
func heldSQL(c string) string { return c + `.state = '` + string(portfolio.CommitteeHeld) + `'` }

// lastCommitteeSQL is the date of portfolio.LastCommittee: the date of the
// startup's last committee held on or before d, or null.
func lastCommitteeSQL(id, d string) string {
	return `(SELECT max(c.date) FROM committees c WHERE c.startup_id = ` + id + ` AND c.date <= ` + d + ` AND ` + heldSQL("c") + `)`
}

// earliestStartSQL is portfolio.EarliestStart.
func earliestStartSQL(id string) string {
	return `(SELECT min(q.start) FROM phases q WHERE q.startup_id = ` + id + `)`
}

// sqlDays is a modifier of SQLite's date(): '+183 days'.
func sqlDays(n int) string { return "'+" + strconv.Itoa(n) + " days'" }

// committeeDueSQL is portfolio's Committee.NextDue for a row c of
// committees: the date it recorded (next_committee_due), else
// OverdueAfterDays days after it, whatever it decided.
func committeeDueSQL(c string) string {
	return `coalesce(` + c + `.next_committee_due, date(` + c + `.date, ` + sqlDays(portfolio.OverdueAfterDays) + `))`
}

// lastDueSQL is the next committee due that the last committee of the
// startup on or before d gives (portfolio's lastDue: committeeDueSQL of
// portfolio.LastCommittee, ties going to the later slug); null when no
// committee was held by d.
func lastDueSQL(id, d string) string {
	return `(SELECT ` + committeeDueSQL("c") + ` FROM committees c
			WHERE c.startup_id = ` + id + ` AND c.date <= ` + d + ` AND ` + heldSQL("c") + ` ORDER BY c.date DESC, c.slug DESC LIMIT 1)`
}

// nextDueSQL is portfolio.NextCommitteeDueAt, given active, the condition
// "the startup is active at d": the next committee due that its last
// committee on or before d gives (lastDueSQL); NULL when it is not active
// or had no committee by d.
func nextDueSQL(active, id, d string) string {
	return `(CASE WHEN ` + active + ` THEN ` + lastDueSQL(id, d) + ` END)`
}

// reviewStatusSQL is portfolio.ReviewStatusAt, given active: NULL when the
// startup is not active at d, 'NONE_RECORDED' when it had no committee by
// d, else 'OVERDUE', 'DUE_SOON' or 'UP_TO_DATE' as its next committee due
// (lastDueSQL, read once) compares with d.
func reviewStatusSQL(active, id, d string) string {
	return `(CASE WHEN ` + active + ` THEN coalesce((SELECT CASE WHEN x.due < ` + d + ` THEN '` + string(portfolio.ReviewOverdue) + `'
			WHEN x.due <= date(` + d + `, ` + sqlDays(portfolio.DueSoonDays) + `) THEN '` + string(portfolio.ReviewDueSoon) + `'
			ELSE '` + string(portfolio.ReviewUpToDate) + `' END FROM (SELECT ` + lastDueSQL(id, d) + ` AS due) x WHERE x.due IS NOT NULL),
		'` + string(portfolio.ReviewNoneRecorded) + `') END)`
}

// reviewRankSQL is portfolio.ReviewStatus.Rank of the status expression
// status: its position in portfolio.ReviewStatuses, NULL for none.
func reviewRankSQL(status string) string {
	var b strings.Builder
	b.WriteString("(CASE " + status)
	for i, s := range portfolio.ReviewStatuses {
		b.WriteString(" WHEN '" + string(s) + "' THEN " + strconv.Itoa(i))
	}
	b.WriteString(" END)")
	return b.String()
}

// overdueSQL is the deprecated portfolio.OverdueAt: OVERDUE, or
// NONE_RECORDED (no committee by d) with the earliest phase start more
// than OverdueAfterDays days before d.
func overdueSQL(active, id, d string) string {
	return `coalesce((CASE WHEN ` + active + ` THEN coalesce(` + lastDueSQL(id, d) + `,
		date(` + earliestStartSQL(id) + `, ` + sqlDays(portfolio.OverdueAfterDays) + `)) END) < ` + d + `, 0)`
}

// withoutIntrapreneurSQL is portfolio.WithoutIntrapreneurAt, given active:
// the startup is active at d and no member whose domain is
// INTRAPRENEURSHIP has a mission on it covering d
// (portfolio.IntrapreneurAt).
//
// The startups with an intrapreneur on the day are found once, from the
// few members of that domain (members_domain), not startup by startup
// through every mission of each team: on the real network the filter's
// statement took 10 ms in the sqlite3 shell and takes 2; at 100 times,
// 0.70 s and 0.14 s.
func withoutIntrapreneurSQL(active, id, d string) string {
	return `(` + active + ` AND ` + id + ` NOT IN (SELECT ims.startup_id FROM members imb
			JOIN missions im ON im.member_id = imb.id JOIN mission_startups ims ON ims.mission_id = im.id
		WHERE ` + intrapreneurSQL("imb", "im", d) + `))`
}

// intrapreneurSQL is portfolio.IntrapreneurAt for a member row mb and one
// of its missions, m, on the startup: the member's domain is
// INTRAPRENEURSHIP and the mission covers d.
func intrapreneurSQL(mb, m, d string) string {
	return mb + `.domain = '` + string(portfolio.DomainIntrapreneur) + `' AND ` + missionCoversSQL(m, d)
}

// neverReviewedSQL is portfolio.NeverReviewedAt: no committee held on or
// before d.
func neverReviewedSQL(id, d string) string {
	return `NOT EXISTS (SELECT 1 FROM committees c WHERE c.startup_id = ` + id + ` AND c.date <= ` + d + ` AND ` + heldSQL("c") + `)`
}
