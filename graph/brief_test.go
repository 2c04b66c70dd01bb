package graph_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCommitteeBrief: Startup.committeeBrief over the agenda's network
// (agenda_test.go), one startup per case of its period: since the last
// committee held (alpha, whose team did not change), with a committee
// planned (delta, whose intrapreneur arrives before it), with a member
// gone (beta), and since the start of incubation (phi).
func TestCommitteeBrief(t *testing.T) {
	e := newAgendaAPI(t)
	const q = `query($slug: String!, $asOf: Date) { startup(slug: $slug) { committeeBrief(asOf: $asOf) {
		asOf since sinceBasis lastCommittee { date } plannedCommittee { date state } nextCommitteeDue reviewStatus
		phases { phase start durationDays }
		teamThen { date size byDomain { domain count } byStatus { status count } publicAgents freelancers intrapreneurs { slug } }
		teamNow { date size byDomain { domain count } intrapreneurs { slug } }
		arrivals { member { slug } } departures { member { slug } }
		events { name date } fast { amountEuros }
		checks { check label passed verdict } } } }`
	type brief struct {
		AsOf, Since, SinceBasis string
		LastCommittee           *struct{ Date string }
		PlannedCommittee        *struct{ Date, State string }
		NextCommitteeDue        *string
		ReviewStatus            *string
		Phases                  []struct {
			Phase, Start string
			DurationDays int
		}
		TeamThen, TeamNow struct {
			Date     *string
			Size     int
			ByDomain []struct {
				Domain string
				Count  int
			}
			PublicAgents, Freelancers *int
			Intrapreneurs             []struct{ Slug string }
		}
		Arrivals, Departures []struct{ Member struct{ Slug string } }
		Fast                 *struct{ AmountEuros int }
		Checks               []struct {
			Check, Label, Verdict string
			Passed                *bool
		}
	}
	get := func(slug, asOf string) brief {
		var out struct {
			Startup struct{ CommitteeBrief brief }
		}
		e.query(t, q, map[string]any{"slug": slug, "asOf": asOf}, &out)
		return out.Startup.CommitteeBrief
	}
	checks := func(b brief) string {
		var s []string
		for _, c := range b.Checks {
			v := "null"
			if c.Passed != nil {
				v = map[bool]string{true: "yes", false: "no"}[*c.Passed]
			}
			s = append(s, c.Check+"="+v)
		}
		return strings.Join(s, " ")
	}
	slugs := func(l []struct{ Member struct{ Slug string } }) string {
		var s []string
		for _, m := range l {
			s = append(s, m.Member.Slug)
		}
		return strings.Join(s, ",")
	}

	a := get("alpha", "2026-08-20")
	if a.Since != "2026-03-01" || a.SinceBasis != "LAST_COMMITTEE" || a.LastCommittee == nil || a.LastCommittee.Date != "2026-03-01" {
		t.Errorf("alpha: since %s (%s), last %+v; want 2026-03-01 LAST_COMMITTEE", a.Since, a.SinceBasis, a.LastCommittee)
	}
	if a.TeamThen.Size != 2 || a.TeamNow.Size != 2 || len(a.Arrivals)+len(a.Departures) != 0 {
		t.Errorf("alpha: team %d then %d now, %d arrivals %d departures; want 2, 2, none", a.TeamThen.Size, a.TeamNow.Size, len(a.Arrivals), len(a.Departures))
	}
	if len(a.TeamNow.Intrapreneurs) != 1 || a.TeamNow.Intrapreneurs[0].Slug != "ines.intra" || a.Fast == nil || a.Fast.AmountEuros != 100000 {
		t.Errorf("alpha: intrapreneurs %+v, fast %+v", a.TeamNow.Intrapreneurs, a.Fast)
	}
	if got := checks(a); got != "INTRAPRENEUR=yes SPONSOR=yes STATS_PAGE=no SECURITY_HOMOLOGATION=null" {
		t.Errorf("alpha checks: %s", got)
	}
	if a.Checks[0].Verdict != "Oui : Inès Intra" || a.Checks[1].Verdict != "Oui : Ministère" {
		t.Errorf("alpha verdicts: %q, %q", a.Checks[0].Verdict, a.Checks[1].Verdict)
	}
	if len(a.Phases) != 1 || a.Phases[0].Phase != "CONSTRUCTION" || a.Phases[0].DurationDays != 596 {
		t.Errorf("alpha phases: %+v", a.Phases)
	}
	if a.PlannedCommittee != nil || deref(a.ReviewStatus) != "DUE_SOON" || deref(a.NextCommitteeDue) != "2026-08-31" {
		t.Errorf("alpha: planned %+v, status %s, due %s", a.PlannedCommittee, deref(a.ReviewStatus), deref(a.NextCommitteeDue))
	}

	d := get("delta", "2026-09-10")
	if d.PlannedCommittee == nil || d.PlannedCommittee.Date != "2026-09-15" || d.PlannedCommittee.State != "PLANNED" {
		t.Errorf("delta: planned %+v; want 2026-09-15", d.PlannedCommittee)
	}
	if got := slugs(d.Arrivals); got != "lea.bientot" || len(d.Departures) != 0 {
		t.Errorf("delta: arrivals %s, departures %d; want lea.bientot, 0", got, len(d.Departures))
	}
	if got := checks(d); !strings.HasPrefix(got, "INTRAPRENEUR=yes SPONSOR=yes") {
		t.Errorf("delta checks: %s", got)
	}

	b := get("beta", "2026-08-20")
	if got := slugs(b.Departures); got != "olga.partie" {
		t.Errorf("beta: departures %s; want olga.partie", got)
	}
	if b.Checks[0].Verdict != "Non : aucun intrapreneur en mission au 20/08/2026" || b.Checks[1].Verdict != "Non : aucun sponsor désigné" {
		t.Errorf("beta verdicts: %q, %q", b.Checks[0].Verdict, b.Checks[1].Verdict)
	}

	p := get("phi", "2026-08-20")
	if p.Since != "2025-01-01" || p.SinceBasis != "INCUBATION_START" || p.LastCommittee != nil || deref(p.ReviewStatus) != "NONE_RECORDED" {
		t.Errorf("phi: since %s (%s), last %+v, status %s", p.Since, p.SinceBasis, p.LastCommittee, deref(p.ReviewStatus))
	}

	// Statuses are a viewer's: anonymous callers get them refused.
	resp := decodeResponse(t, func() []byte {
		_, body := postGraphQL(t, e.url, "", `{ startup(slug: "alpha") { committeeBrief(asOf: "2026-08-20") { teamNow { size publicAgents } } } }`, nil)
		return body
	}())
	if len(resp.Errors) == 0 || !strings.Contains(string(mustJSON(resp.Errors)), "FORBIDDEN") {
		t.Errorf("anonymous publicAgents: errors %+v; want FORBIDDEN", resp.Errors)
	}
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
