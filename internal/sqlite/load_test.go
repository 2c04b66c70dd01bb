package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// records is the small, complete set of records that sample loads; tests
// change a copy of it to play a newer snapshot.
type records struct {
	org  portfolio.Organisation
	inc  portfolio.Incubator
	team portfolio.Team
	st   portfolio.Startup
	mb   portfolio.Member
}

func sampleRecords() *records {
	d := portfolio.MustDate
	budget := int64(250000)
	return &records{
		org:  portfolio.Organisation{Slug: "min-jardins", Name: "Ministère des Jardins", Acronym: "MJ"},
		inc:  portfolio.Incubator{Slug: "serre", Title: "La Serre", OwnerSlug: "min-jardins"},
		team: portfolio.Team{Slug: "serre-anim", Name: "Animation", IncubatorSlug: "serre"},
		st: portfolio.Startup{
			Slug: "arrosoir", Name: "Arrosoir", Pitch: "Arroser à l'heure", IncubatorSlug: "serre",
			Sponsors: []string{"min-jardins", "inconnue"}, Thematiques: []string{"Jardin"},
			Phases: []portfolio.PhasePeriod{
				{Phase: portfolio.PhaseInvestigation, Start: d("2023-01-01")},
				{Phase: portfolio.PhaseConstruction, Start: d("2023-06-01")},
			},
			Events: []portfolio.StartupEvent{{Name: "committee", Date: d("2023-05-20"), Comment: "Passage en construction"}},
			Committees: []portfolio.Committee{{Slug: "arrosoir/2023-05-20", Date: d("2023-05-20"),
				Decision: portfolio.DecisionAdvance, NextPhase: portfolio.PhaseConstruction, BudgetEuros: &budget, Comment: "Passage en construction"}},
		},
		mb: portfolio.Member{Slug: "jeanne.pioche", Fullname: "Jeanne Pioche", Domain: portfolio.DomainDesign,
			Teams: []string{"serre-anim"}, Competences: []string{"UX"},
			Missions: []portfolio.Mission{{Slug: "jeanne.pioche/1", Start: d("2023-01-15"), Status: portfolio.StatusIndependent, Startups: []string{"arrosoir"}}}},
	}
}

// fill loads the records into a sink.
func (r *records) fill() func(portfolio.Sink) error {
	return func(s portfolio.Sink) error {
		ctx := context.Background()
		steps := []error{
			s.PutPhaseDefinition(ctx, &portfolio.PhaseDefinition{Phase: portfolio.PhaseConstruction, Label: "Construction", Order: 2}),
			s.PutOrganisation(ctx, &r.org),
			s.PutIncubator(ctx, &r.inc),
			s.PutTeam(ctx, &r.team),
			s.PutStartup(ctx, &r.st),
			s.PutMember(ctx, &r.mb),
		}
		return errors.Join(steps...)
	}
}

// sample returns a small, complete set of records.
func sample() func(portfolio.Sink) error { return sampleRecords().fill() }

func count(t *testing.T, db *sqlite.DB, table string) int {
	t.Helper()
	raw, err := sql.Open("sqlite", db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestLoadIsIdempotent(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	res, err := db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	if res.Created["startups"] != 1 || res.Created["members"] != 1 || res.Created["organisations"] != 1 {
		t.Errorf("first load created %v", res.Created)
	}
	want := map[string]int{"startups": 1, "phases": 2, "startup_sponsors": 1, "committees": 1, "missions": 1, "mission_startups": 1, "member_teams": 1}
	for table, n := range want {
		if got := count(t, db, table); got != n {
			t.Errorf("%s: %d rows, want %d", table, got, n)
		}
	}
	res, err = db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Created) != 0 || len(res.Updated) != 0 {
		t.Errorf("second load created %v, updated %v; want nothing", res.Created, res.Updated)
	}
	if res.Unchanged["startups"] != 1 || res.Unchanged["members"] != 1 {
		t.Errorf("second load unchanged %v", res.Unchanged)
	}
	for table, n := range want {
		if got := count(t, db, table); got != n {
			t.Errorf("after reload %s: %d rows, want %d", table, got, n)
		}
	}
}

func TestLoadUpdatesAndListsAbsent(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	res, err := db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error {
		return s.PutOrganisation(ctx, &portfolio.Organisation{Slug: "min-jardins", Name: "Ministère des Jardins et Vergers"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Updated["organisations"] != 1 {
		t.Errorf("updated %v, want one organisation", res.Updated)
	}
	if got := strings.Join(res.Absent["startups"], ","); got != "arrosoir" {
		t.Errorf("absent startups %q, want arrosoir", got)
	}
	if count(t, db, "startups") != 1 {
		t.Error("a load deleted a startup absent from it")
	}
}

func TestLoadFailureWritesNothing(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	boom := errors.New("boom")
	_, err := db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error {
		if err := sample()(s); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Load returned %v, want boom", err)
	}
	for _, table := range []string{"startups", "members", "organisations", "missions", "phases"} {
		if n := count(t, db, table); n != 0 {
			t.Errorf("%s has %d rows after a failed load", table, n)
		}
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "p.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = sqlite.Open(ctx, path)
	if err == nil || !strings.Contains(err.Error(), "newer version") {
		t.Fatalf("Open of a newer database: %v, want a newer-version error", err)
	}
}
