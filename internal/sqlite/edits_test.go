package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// disagreements renders a load's disagreements as "record field: kept | snapshot".
func disagreements(res *sqlite.LoadResult) []string {
	var out []string
	for _, d := range res.Disagreements {
		out = append(out, fmt.Sprintf("%s %s: %s | %s", d.Record, d.Field, d.Kept, d.Snapshot))
	}
	return out
}

func auditObjects(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	var out []string
	for _, e := range importAudit(t, db) {
		out = append(out, e.ObjectType+" "+e.ObjectSlug)
	}
	return out
}

func TestReimportKeepsCommitteeAndMissionFieldsOneByOne(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateCommittee(alice(ctx), "arrosoir/2023-05-20", 1, func(c *portfolio.Committee) error {
		c.Comment = "Passage en construction, avec réserves"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateMission(alice(ctx), "endMission", "jeanne.pioche/1", 1, func(m *portfolio.Mission) error {
		m.End = portfolio.MustDate("2024-05-31")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r := sampleRecords()
	c := &r.st.Committees[0]
	c.Decision, c.NextPhase, c.Comment = portfolio.DecisionContinue, "", "Poursuite"
	m := &r.mb.Missions[0]
	m.End, m.Employer = portfolio.MustDate("2024-12-31"), "Jardins SA"
	res, err := db.Load(ctx, sqlite.LoadOptions{}, r.fill())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`committee arrosoir/2023-05-20 comment: "Passage en construction, avec réserves" | "Poursuite"`,
		`mission jeanne.pioche/1 end: "2024-05-31" | "2024-12-31"`,
	}
	if got := disagreements(res); !slices.Equal(got, want) {
		t.Errorf("disagreements\n got %q\nwant %q", got, want)
	}
	cs, err := db.CommitteesBySlug(ctx, []string{"arrosoir/2023-05-20"})
	if err != nil {
		t.Fatal(err)
	}
	if c := cs["arrosoir/2023-05-20"]; c.Comment != "Passage en construction, avec réserves" || c.Decision != portfolio.DecisionContinue ||
		c.NextPhase != "" || c.Source != portfolio.SourceRecorded || c.Version != 3 {
		t.Errorf("committee after re-import: %+v; want the edited comment, the snapshot's decision, RECORDED, version 3", c)
	}
	ms, err := db.MissionsBySlug(ctx, []string{"jeanne.pioche/1"})
	if err != nil {
		t.Fatal(err)
	}
	if m := ms["jeanne.pioche/1"]; m.End != portfolio.MustDate("2024-05-31") || m.Employer != "Jardins SA" || m.Source != portfolio.SourceRecorded {
		t.Errorf("mission after re-import: %+v; want the edited end, the snapshot's employer, RECORDED", m)
	}
	if got, want := auditObjects(t, db), []string{"Committee arrosoir/2023-05-20", "Mission jeanne.pioche/1"}; !slices.Equal(got, want) {
		t.Errorf("import audit entries %q, want %q", got, want)
	}
}

func TestReimportOfAStartupCreatedThroughTheAPI(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateStartup(alice(ctx), &portfolio.Startup{Slug: "binette", Name: "Binette", Pitch: "Biner sans se baisser", IncubatorSlug: "serre"},
		&portfolio.PhasePeriod{Phase: portfolio.PhaseInvestigation, Start: portfolio.MustDate("2024-02-01")}); err != nil {
		t.Fatal(err)
	}
	// Absent from the snapshot: untouched.
	before := rows(t, db)
	res, err := db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	if after := rows(t, db); after != before {
		t.Errorf("a re-import changed a startup created through the API and absent from the snapshot:\n%s", lineDiff(before, after))
	}
	if got := strings.Join(res.Absent["startups"], ","); got != "binette" {
		t.Errorf("absent startups %q, want binette", got)
	}
	// Later in the snapshot: what createStartup wrote stays, the rest
	// follows the snapshot.
	r := sampleRecords()
	loadBoth := func(s portfolio.Sink) error {
		if err := r.fill()(s); err != nil {
			return err
		}
		return s.PutStartup(ctx, &portfolio.Startup{Slug: "binette", Name: "Binette numérique", Pitch: "Biner sans se baisser",
			IncubatorSlug: "serre", Description: "Désherber sans produits.", Link: "https://binette.example",
			Phases: []portfolio.PhasePeriod{{Phase: portfolio.PhaseInvestigation, Start: portfolio.MustDate("2024-02-01")}}})
	}
	if res, err = db.Load(ctx, sqlite.LoadOptions{}, loadBoth); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`startup binette name: "Binette" | "Binette numérique"`,
		`startup binette link: "" | "https://binette.example"`,
	}
	if got := disagreements(res); !slices.Equal(got, want) {
		t.Errorf("disagreements\n got %q\nwant %q", got, want)
	}
	ss, err := db.StartupsBySlug(ctx, []string{"binette"})
	if err != nil {
		t.Fatal(err)
	}
	s := ss["binette"]
	if s.Name != "Binette" || s.Link != "" || s.Version != 2 {
		t.Errorf("binette after re-import: %+v; want the name and link createStartup gave, version 2", s)
	}
	phases, err := db.PhasesByStartup(ctx, []int64{s.ID})
	if err != nil {
		t.Fatal(err)
	}
	if p := phases[s.ID]; len(p) != 1 || p[0].Source != portfolio.SourceRecorded {
		t.Errorf("binette's phases %+v: want the one recorded through the API, not twice", p)
	}
	entries := importAudit(t, db)
	if len(entries) != 1 || entries[0].ObjectSlug != "binette" || field(t, entries[0].After, "Description") != "Désherber sans produits." {
		t.Errorf("import audit entries %+v: want one, binette's description from the snapshot", entries)
	}
}

func TestReimportKeepsOrganisationEdits(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	v := int64(1)
	if _, err := db.UpsertOrganisation(alice(ctx), &portfolio.Organisation{Slug: "min-jardins", Name: "Ministère des Jardins", Acronym: "MinJ"}, &v); err != nil {
		t.Fatal(err)
	}
	r := sampleRecords()
	r.org.Name, r.org.Type = "Ministère des Jardins et Vergers", "administration-centrale"
	res, err := db.Load(ctx, sqlite.LoadOptions{}, r.fill())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := disagreements(res), []string{`organisation min-jardins acronym: "MinJ" | "MJ"`}; !slices.Equal(got, want) {
		t.Errorf("disagreements\n got %q\nwant %q", got, want)
	}
	os, err := db.OrganisationsBySlug(ctx, []string{"min-jardins"})
	if err != nil {
		t.Fatal(err)
	}
	if o := os["min-jardins"]; o.Acronym != "MinJ" || o.Name != "Ministère des Jardins et Vergers" || o.Type != "administration-centrale" {
		t.Errorf("organisation after re-import: %+v; want the edited acronym, the snapshot's name and type", o)
	}
	if got := auditObjects(t, db); !slices.Equal(got, []string{"Organisation min-jardins"}) {
		t.Errorf("import audit entries %q", got)
	}
}

func TestDisagreementsShortenLongValues(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("Arroser le potager au bon moment, ", 10)
	if _, err := db.UpdateStartup(alice(ctx), "arrosoir", 1, func(s *portfolio.Startup) error {
		s.Pitch = long
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	res, err := db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Disagreements) != 1 {
		t.Fatalf("disagreements %q, want the pitch", disagreements(res))
	}
	d := res.Disagreements[0]
	if !strings.HasPrefix(d.Kept, `"Arroser le potager au bon moment, Arroser`) || !strings.HasSuffix(d.Kept, `…"`) || utf8.RuneCountInString(d.Kept) != 82 {
		t.Errorf("kept %q (%d characters): want the start of the pitch, 80 characters with the ellipsis, quoted", d.Kept, utf8.RuneCountInString(d.Kept))
	}
	if d.Snapshot != `"Arroser à l'heure"` {
		t.Errorf("snapshot %q: a short value is shown whole", d.Snapshot)
	}
	ss, err := db.StartupsBySlug(ctx, []string{"arrosoir"})
	if err != nil {
		t.Fatal(err)
	}
	if ss["arrosoir"].Pitch != long {
		t.Errorf("the pitch kept is not whole: %q", ss["arrosoir"].Pitch)
	}
}

// apiWork returns the rows of api_edits and tombstones, without the edit
// times of the migration's fallback, which says when it ran.
func apiWork(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	raw, err := sql.Open("sqlite", db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rs, err := raw.Query(`SELECT 'edit ' || kind || ' ' || slug || ' ' || field || ' ' || mutation || ' ' || token_name || iif(mutation = 'migration', '', ' ' || edited_at) FROM api_edits
		UNION ALL SELECT 'tombstone ' || kind || ' ' || slug || ' ' || mutation || ' ' || token_name || ' ' || deleted_at FROM tombstones ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		var s string
		if err := rs.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestMigrationNotesEarlierAPIWork plays a database written before
// migration 0005: the audit log holds the writes, api_edits and tombstones
// do not exist yet. The migration must find the same edited fields and
// deletions as the mutations note.
func TestMigrationNotesEarlierAPIWork(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	a := alice(ctx)
	steps := []func() error{
		func() error {
			_, err := db.UpdateStartup(a, "arrosoir", 1, func(s *portfolio.Startup) error {
				s.Name, s.Thematiques = "Arrosoir connecté", []string{"Jardin", "Eau"}
				return nil
			})
			return err
		},
		func() error {
			_, err := db.StartPhase(a, "arrosoir", nil, portfolio.PhaseAcceleration, portfolio.MustDate("2024-06-01"))
			return err
		},
		func() error {
			_, err := db.CreateStartup(a, &portfolio.Startup{Slug: "binette", Name: "Binette", IncubatorSlug: "serre"}, nil)
			return err
		},
		func() error {
			_, err := db.UpsertIncubator(a, &portfolio.Incubator{Slug: "verger", Title: "Le Verger"}, nil)
			return err
		},
		func() error {
			_, err := db.DeleteCommittee(a, "arrosoir/2023-05-20", 1)
			return err
		},
		func() error {
			_, err := db.RecordCommittee(a, &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2024-01-10"), Decision: portfolio.DecisionContinue}, false)
			return err
		},
		func() error {
			_, err := db.UpdateMission(a, "updateMission", "jeanne.pioche/1", 1, func(m *portfolio.Mission) error {
				m.Employer = "Jardins SA"
				return nil
			})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	// The committee fields of migration 0018 (state, ask, criteria,
	// attendees…) came after 0005: no write before it noted them, and it
	// cannot recover them.
	var noted []string
	for _, l := range apiWork(t, db) {
		if f := strings.Fields(l); len(f) < 4 || f[1] != "committees" || !slices.Contains([]string{"state", "ask", "hypotheses", "successCriteria", "documentUrl", "attendees"}, f[3]) {
			noted = append(noted, l)
		}
	}
	path := db.Path
	db.Close()

	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DROP TABLE api_edits", "DROP TABLE tombstones", "DELETE FROM schema_migrations WHERE version = 5",
		// A committee recorded through the API with no audit entry: kept whole.
		`INSERT INTO committees (slug, startup_id, date, decision, comment, source) VALUES ('arrosoir/2022-12-01', 1, '2022-12-01', 'CONTINUE', '', 'RECORDED')`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	migrated := apiWork(t, db)

	var kinds []string
	for _, l := range migrated {
		f := strings.Fields(l)
		kinds = append(kinds, strings.Join(f[:min(len(f), 4)], " "))
	}
	wantKinds := []string{
		"edit committees arrosoir/2022-12-01 budgetEuros", "edit committees arrosoir/2022-12-01 comment",
		"edit committees arrosoir/2022-12-01 date", "edit committees arrosoir/2022-12-01 decision",
		"edit committees arrosoir/2022-12-01 nextCommitteeDue", "edit committees arrosoir/2022-12-01 nextPhase",
		"edit committees arrosoir/2024-01-10 budgetEuros", "edit committees arrosoir/2024-01-10 comment",
		"edit committees arrosoir/2024-01-10 date", "edit committees arrosoir/2024-01-10 decision",
		"edit committees arrosoir/2024-01-10 nextCommitteeDue", "edit committees arrosoir/2024-01-10 nextPhase",
		"edit incubators verger address", "edit incubators verger contact", "edit incubators verger github",
		"edit incubators verger owner", "edit incubators verger shortDescription", "edit incubators verger title",
		"edit incubators verger website",
		"edit missions jeanne.pioche/1 employer",
		"edit startups arrosoir name", "edit startups arrosoir phases", "edit startups arrosoir thematiques",
		"edit startups binette incubator", "edit startups binette link", "edit startups binette name",
		"edit startups binette pitch", "edit startups binette repository", "edit startups binette sponsors",
		"edit startups binette thematiques", "edit startups binette usertypes",
		"tombstone committees arrosoir/2023-05-20 deleteCommittee",
	}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("after the migration:\n got %q\nwant %q", kinds, wantKinds)
	}
	// Apart from the fallback, exactly what the mutations noted, to the
	// millisecond and the token.
	var fromAudit []string
	for _, l := range migrated {
		if !strings.Contains(l, "arrosoir/2022-12-01") {
			fromAudit = append(fromAudit, l)
		}
	}
	if !slices.Equal(fromAudit, noted) {
		t.Errorf("the migration found\n%s\nthe mutations noted\n%s", strings.Join(fromAudit, "\n"), strings.Join(noted, "\n"))
	}
}
