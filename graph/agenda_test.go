package graph_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The committee agenda (Query.committeeAgenda, issue 19), over a small
// network where each startup is one case of its rules, seen from
// 2026-08-20 to 2026-10-19.

const agendaFrom, agendaTo = "2026-08-20", "2026-10-19"

// agendaNetwork writes the cases: a startup each (its name says the
// case), all in construction since 2025 unless said otherwise.
func agendaNetwork(ctx context.Context, s portfolio.Sink) error {
	d := portfolio.MustDate
	cons := []portfolio.PhasePeriod{{Phase: portfolio.PhaseConstruction, Start: d("2025-01-01")}}
	held := func(slug, date, due string) portfolio.Committee {
		c := portfolio.Committee{Slug: slug + "/" + date, Date: d(date), Decision: portfolio.DecisionContinue}
		if due != "" {
			c.NextCommitteeDue = d(due)
		}
		return c
	}
	other := func(slug, date string, st portfolio.CommitteeState) portfolio.Committee {
		return portfolio.Committee{Slug: slug + "/" + date, Date: d(date), Decision: portfolio.DecisionUnspecified, State: st}
	}
	startups := []portfolio.Startup{
		{Slug: "alpha", Name: "Alpha (due in the window, everyone there)", IncubatorSlug: "inc-a", Sponsors: []string{"min"}, Phases: cons,
			Fast: &portfolio.Fast{Promotion: 3, AmountEuros: 100000}, ContactDINUM: []string{"manon.suivi"},
			Committees: []portfolio.Committee{held("alpha", "2026-03-01", "")}},
		{Slug: "beta", Name: "Bêta (late: due before the window)", IncubatorSlug: "inc-b", Phases: cons,
			Committees: []portfolio.Committee{held("beta", "2026-01-01", "")}},
		{Slug: "gamma", Name: "Gamma (due after the window)", IncubatorSlug: "inc-a", Phases: cons,
			Committees: []portfolio.Committee{held("gamma", "2026-06-01", "")}},
		{Slug: "delta", Name: "Delta (planned in the window)", IncubatorSlug: "inc-a", Sponsors: []string{"min"}, Phases: cons,
			Committees: []portfolio.Committee{held("delta", "2026-03-01", ""), other("delta", "2026-09-15", portfolio.CommitteePlanned)}},
		{Slug: "epsilon", Name: "Epsilon (planned after the window)", IncubatorSlug: "inc-a", Phases: cons,
			Committees: []portfolio.Committee{held("epsilon", "2026-03-01", ""), other("epsilon", "2026-11-30", portfolio.CommitteePlanned)}},
		{Slug: "phi", Name: "Phi (no committee on record)", IncubatorSlug: "inc-a", Phases: cons},
		{Slug: "gateau", Name: "Gâteau (out of incubation, planned)", IncubatorSlug: "inc-a",
			Phases:     []portfolio.PhasePeriod{{Phase: portfolio.PhaseConstruction, Start: d("2024-01-01")}, {Phase: portfolio.PhaseAbandoned, Start: d("2026-01-01")}},
			Committees: []portfolio.Committee{other("gateau", "2026-09-01", portfolio.CommitteePlanned)}},
		{Slug: "hetre", Name: "Hêtre (cancelled in the window)", IncubatorSlug: "inc-a", Phases: cons,
			Committees: []portfolio.Committee{held("hetre", "2026-03-01", ""), other("hetre", "2026-09-01", portfolio.CommitteeCancelled)}},
		{Slug: "iota", Name: "Iota (planned before the window, never held)", IncubatorSlug: "inc-a", Phases: cons,
			Committees: []portfolio.Committee{held("iota", "2026-01-01", ""), other("iota", "2026-05-01", portfolio.CommitteePlanned)}},
		{Slug: "jade", Name: "Jade (due on the window's last day)", IncubatorSlug: "inc-a", Phases: cons,
			Committees: []portfolio.Committee{held("jade", "2026-03-15", "2026-10-19")}},
		{Slug: "kappa", Name: "Kappa (due the day after the window)", IncubatorSlug: "inc-a", Phases: cons,
			Committees: []portfolio.Committee{held("kappa", "2026-04-20", "")}},
		{Slug: "lambda", Name: "Lambda (no incubator)", Phases: cons,
			Committees: []portfolio.Committee{held("lambda", "2026-03-01", "")}},
	}
	members := []portfolio.Member{
		{Slug: "ines.intra", Fullname: "Inès Intra", Domain: portfolio.DomainIntrapreneur,
			Missions: []portfolio.Mission{{Slug: "ines.intra/1", Start: d("2025-01-01"), Startups: []string{"alpha"}}}},
		{Slug: "olga.partie", Fullname: "Olga Partie", Domain: portfolio.DomainIntrapreneur,
			Missions: []portfolio.Mission{{Slug: "olga.partie/1", Start: d("2025-01-01"), End: d("2026-08-01"), Startups: []string{"beta"}}}},
		{Slug: "lea.bientot", Fullname: "Léa Bientôt", Domain: portfolio.DomainIntrapreneur,
			Missions: []portfolio.Mission{{Slug: "lea.bientot/1", Start: d("2026-09-10"), Startups: []string{"delta"}}}},
		{Slug: "dev.alpha", Fullname: "Dev Alpha", Domain: portfolio.DomainDevelopment,
			Missions: []portfolio.Mission{{Slug: "dev.alpha/1", Start: d("2025-01-01"), Startups: []string{"alpha", "beta"}}}},
		{Slug: "manon.suivi", Fullname: "Manon Suivi", Domain: portfolio.DomainOther},
	}
	errs := []error{
		s.PutOrganisation(ctx, &portfolio.Organisation{Slug: "dinum", Name: "Direction interministérielle du numérique", Acronym: "DINUM"}),
		s.PutOrganisation(ctx, &portfolio.Organisation{Slug: "min", Name: "Ministère"}),
		s.PutIncubator(ctx, &portfolio.Incubator{Slug: "inc-a", Title: "Incubateur A", OwnerSlug: "min"}),
		s.PutIncubator(ctx, &portfolio.Incubator{Slug: "inc-b", Title: "Incubateur B"}),
	}
	for i := range startups {
		errs = append(errs, s.PutStartup(ctx, &startups[i]))
	}
	for i := range members {
		errs = append(errs, s.PutMember(ctx, &members[i]))
	}
	return errors.Join(errs...)
}

func newAgendaAPI(t *testing.T) *apiEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agenda.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error { return agendaNetwork(ctx, s) }); err != nil {
		t.Fatal(err)
	}
	token, _, err := db.CreateToken(ctx, "tests", portfolio.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ReadListBounds(ctx); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), SQLStats: true, PublicRead: true}))
	t.Cleanup(srv.Close)
	return &apiEnv{url: srv.URL, db: db, token: token}
}

const agendaQuery = `query($from: Date!, $to: Date!, $filter: StartupFilter, $first: Int, $after: String) {
  committeeAgenda(from: $from, to: $to, filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { startup { slug } date state committee { slug state } reviewStatus nextCommitteeDue attendeesAsOf
      expectedAttendees { member { slug } organisation { slug } name role }
      missingRoles { role label } } } }`

type agendaEntry struct {
	Startup          struct{ Slug string }
	Date, State      string
	Committee        *struct{ Slug, State string }
	ReviewStatus     *string
	NextCommitteeDue *string
	AttendeesAsOf    string
	Expected         []apiAttendee `json:"expectedAttendees"`
	MissingRoles     []struct{ Role, Label string }
}

type agendaPage struct {
	CommitteeAgenda struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   string
		}
		Nodes []agendaEntry
	}
}

func (e agendaEntry) line() string {
	var who []string
	for _, a := range e.Expected {
		switch {
		case a.Member != nil:
			who = append(who, a.Role+":"+a.Member.Slug)
		case a.Organisation != nil:
			who = append(who, a.Role+":"+a.Organisation.Slug)
		default:
			who = append(who, a.Role+":"+deref(a.Name))
		}
	}
	var missing []string
	for _, m := range e.MissingRoles {
		missing = append(missing, m.Label)
	}
	return fmt.Sprintf("%s %s %s %s status=%s due=%s at=%s [%s] missing=[%s]", e.Date, e.State, e.Startup.Slug,
		func() string {
			if e.Committee == nil {
				return "-"
			}
			return e.Committee.Slug + "/" + e.Committee.State
		}(), deref(e.ReviewStatus), deref(e.NextCommitteeDue), e.AttendeesAsOf, strings.Join(who, " "), strings.Join(missing, "; "))
}

func TestCommitteeAgenda(t *testing.T) {
	e := newAgendaAPI(t)
	var page agendaPage
	e.query(t, agendaQuery, map[string]any{"from": agendaFrom, "to": agendaTo, "first": 20}, &page)
	var got []string
	for _, n := range page.CommitteeAgenda.Nodes {
		got = append(got, n.line())
	}
	want := []string{
		// Late on the window's first day: listed on its due date, its
		// attendees read on the window's first day.
		"2026-07-03 DUE beta - status=OVERDUE due=2026-07-03 at=2026-08-20 [] missing=[aucun intrapreneur en mission; aucun sponsor désigné; incubateur sans organisation porteuse; aucun responsable de portefeuille désigné]",
		// A plan made before the window and never held is no plan.
		"2026-07-03 DUE iota - status=OVERDUE due=2026-07-03 at=2026-08-20 [INCUBATOR_LEAD:min] missing=[aucun intrapreneur en mission; aucun sponsor désigné; aucun responsable de portefeuille désigné]",
		"2026-08-31 DUE alpha - status=DUE_SOON due=2026-08-31 at=2026-08-31 [INTRAPRENEUR:ines.intra SPONSOR:min INCUBATOR_LEAD:min PORTFOLIO_MANAGER:manon.suivi DINUM_BOARD:dinum] missing=[]",
		// A cancelled committee is no plan.
		"2026-08-31 DUE hetre - status=DUE_SOON due=2026-08-31 at=2026-08-31 [INCUBATOR_LEAD:min] missing=[aucun intrapreneur en mission; aucun sponsor désigné; aucun responsable de portefeuille désigné]",
		"2026-08-31 DUE lambda - status=DUE_SOON due=2026-08-31 at=2026-08-31 [] missing=[aucun intrapreneur en mission; aucun sponsor désigné; aucun incubateur; aucun responsable de portefeuille désigné]",
		// Planned for a startup out of incubation: listed, without a status.
		"2026-09-01 PLANNED gateau gateau/2026-09-01/PLANNED status=<null> due=<null> at=2026-09-01 [INCUBATOR_LEAD:min] missing=[aucun intrapreneur en mission; aucun sponsor désigné; aucun responsable de portefeuille désigné]",
		// The intrapreneur arrives before the committee's day.
		"2026-09-15 PLANNED delta delta/2026-09-15/PLANNED status=DUE_SOON due=2026-08-31 at=2026-09-15 [INTRAPRENEUR:lea.bientot SPONSOR:min INCUBATOR_LEAD:min] missing=[aucun responsable de portefeuille désigné]",
		"2026-10-19 DUE jade - status=DUE_SOON due=2026-10-19 at=2026-10-19 [INCUBATOR_LEAD:min] missing=[aucun intrapreneur en mission; aucun sponsor désigné; aucun responsable de portefeuille désigné]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("agenda:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if page.CommitteeAgenda.TotalCount != len(want) || page.CommitteeAgenda.PageInfo.HasNextPage {
		t.Errorf("totalCount %d, hasNextPage %v; want %d, false", page.CommitteeAgenda.TotalCount, page.CommitteeAgenda.PageInfo.HasNextPage, len(want))
	}

	// Paged: the same entries, page after page.
	var paged []string
	var after any
	for range 3 {
		var p agendaPage
		e.query(t, agendaQuery, map[string]any{"from": agendaFrom, "to": agendaTo, "first": 3, "after": after}, &p)
		for _, n := range p.CommitteeAgenda.Nodes {
			paged = append(paged, n.line())
		}
		after = p.CommitteeAgenda.PageInfo.EndCursor
	}
	if strings.Join(paged, "\n") != strings.Join(want, "\n") {
		t.Errorf("paged agenda:\n%s", strings.Join(paged, "\n"))
	}
	// As many statements for 4 entries as for 8 (the last four of which
	// need no record of a kind the first four do not): none per entry.
	statements := map[int]int{}
	for _, n := range []int{6, 7, 8} {
		var p agendaPage
		out := e.query(t, agendaQuery, map[string]any{"from": agendaFrom, "to": agendaTo, "first": n}, &p)
		statements[n] = out.Extensions.SQL.Statements
	}
	if statements[6] != statements[8] || statements[7] != statements[8] {
		t.Errorf("statements by page size %v: they must not depend on the rows", statements)
	}

	// A filter selects the startups, at the window's first day.
	var one agendaPage
	e.query(t, agendaQuery, map[string]any{"from": agendaFrom, "to": agendaTo, "filter": map[string]any{"incubators": []string{"inc-b"}}}, &one)
	if n := one.CommitteeAgenda.Nodes; len(n) != 1 || n[0].Startup.Slug != "beta" {
		t.Errorf("inc-b's agenda: %+v", n)
	}
	// A wrong window is the caller's mistake.
	for _, w := range [][2]string{{agendaTo, agendaFrom}, {"2026-01-01", "2030-01-01"}, {"2009-01-01", "2009-02-01"}} {
		out := e.do(t, agendaQuery, map[string]any{"from": w[0], "to": w[1]})
		if len(out.Errors) == 0 || out.Errors[0].Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("window %v: errors %+v", w, out.Errors)
		}
	}
}

// TestCommitteeAgendaExport: the agenda is a list like the others for
// /export: every entry a row, its lists joined, in French for people.
func TestCommitteeAgendaExport(t *testing.T) {
	e := newAgendaAPI(t)
	q := `{ committeeAgenda(from: "` + agendaFrom + `", to: "` + agendaTo + `") { nodes { startup { slug } date state reviewStatus missingRoles { label } } } }`
	get := func(extra string) string {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, e.url+"/export?format=csv&path=committeeAgenda&query="+url.QueryEscape(q)+extra, nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	rows := strings.Split(strings.TrimSpace(get("")), "\n")
	if len(rows) != 9 || rows[0] != "startup.slug,date,state,reviewStatus,missingRoles.label" ||
		rows[8] != "jade,2026-10-19,DUE,DUE_SOON,aucun intrapreneur en mission|aucun sponsor désigné|aucun responsable de portefeuille désigné" {
		t.Errorf("CSV:\n%s", strings.Join(rows, "\n"))
	}
	fr := get("&dialect=excel-fr")
	if !strings.Contains(fr, "delta;15/09/2026;Prévu;Bientôt dû;aucun responsable de portefeuille désigné") ||
		!strings.Contains(fr, "beta;03/07/2026;À planifier;En retard;") {
		t.Errorf("excel-fr CSV:\n%s", fr)
	}
}
