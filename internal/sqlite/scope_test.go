package sqlite_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The scopes of writes cannot be widened by the writer itself (issue 20):
// a manager of serre who attaches louis.greffe (of verger) to a startup of
// serre with addMission may not then change louis's record, nor take a
// startup of verger, nor write its committees. These tests play every path
// a manager could try, each as a sequence of writes with the answer each
// must get; a refused write must change nothing.

// scopeWorld is two incubators: serre (startups arrosoir and binette;
// jeanne.pioche works on arrosoir) and verger (startup pommier, with a
// committee; louis.greffe works on pommier).
type scopeWorld struct {
	*records
	verger  portfolio.Incubator
	binette portfolio.Startup
	pommier portfolio.Startup
	louis   portfolio.Member
}

func newScopeWorld() *scopeWorld {
	d := portfolio.MustDate
	return &scopeWorld{
		records: sampleRecords(),
		verger:  portfolio.Incubator{Slug: "verger", Title: "Le Verger"},
		binette: portfolio.Startup{Slug: "binette", Name: "Binette", IncubatorSlug: "serre",
			Phases: []portfolio.PhasePeriod{{Phase: portfolio.PhaseInvestigation, Start: d("2024-01-01")}}},
		pommier: portfolio.Startup{Slug: "pommier", Name: "Pommier", IncubatorSlug: "verger",
			Phases:     []portfolio.PhasePeriod{{Phase: portfolio.PhaseConstruction, Start: d("2023-01-01")}},
			Committees: []portfolio.Committee{{Slug: "pommier/2023-03-01", Date: d("2023-03-01"), Decision: portfolio.DecisionContinue}}},
		louis: portfolio.Member{Slug: "louis.greffe", Fullname: "Louis Greffe", Domain: portfolio.DomainDevelopment,
			Missions: []portfolio.Mission{{Slug: "louis.greffe/1", Start: d("2023-02-01"), Status: portfolio.StatusAdmin, Startups: []string{"pommier"}}}},
	}
}

func (w *scopeWorld) fill(s portfolio.Sink) error {
	ctx := context.Background()
	if err := w.records.fill()(s); err != nil {
		return err
	}
	for _, err := range []error{
		s.PutIncubator(ctx, &w.verger),
		s.PutStartup(ctx, &w.binette),
		s.PutStartup(ctx, &w.pommier),
		s.PutMember(ctx, &w.louis),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func as(name string, role portfolio.Role, incubators ...string) context.Context {
	return portfolio.WithIdentity(context.Background(), &portfolio.Identity{TokenName: name, Role: role, Incubators: incubators})
}

// The callers: two managers of serre (manon and marc), one of verger, one
// of both, and an admin.
var (
	manon = as("manon", portfolio.RoleManager, "serre")
	marc  = as("marc", portfolio.RoleManager, "serre")
	vera  = as("vera", portfolio.RoleManager, "verger")
	bea   = as("bea", portfolio.RoleManager, "serre", "verger")
	adele = as("adele", portfolio.RoleAdmin)
)

// scopeStep is one write and the answer it must get: an error code ("" for
// success) and, for a refusal, words its message must hold.
type scopeStep struct {
	what string
	do   func(*sqlite.DB) error
	code string
	says []string
}

func missionVersion(db *sqlite.DB, slug string) int64 {
	ms, err := db.MissionsBySlug(context.Background(), []string{slug})
	if err != nil || ms[slug] == nil {
		return -1
	}
	return ms[slug].Version
}

func memberVersion(db *sqlite.DB, slug string) int64 {
	ms, err := db.MembersBySlug(context.Background(), []string{slug})
	if err != nil || ms[slug] == nil {
		return -1
	}
	return ms[slug].Version
}

func startupVersion(db *sqlite.DB, slug string) int64 {
	ss, err := db.StartupsBySlug(context.Background(), []string{slug})
	if err != nil || ss[slug] == nil {
		return -1
	}
	return ss[slug].Version
}

func addMission(ctx context.Context, member string, start, end string, startups ...string) func(*sqlite.DB) error {
	return func(db *sqlite.DB) error {
		m := &portfolio.Mission{MemberSlug: member, Start: portfolio.MustDate(start), Status: portfolio.StatusIndependent, Startups: startups}
		if end != "" {
			m.End = portfolio.MustDate(end)
		}
		_, err := db.AddMission(ctx, m)
		return err
	}
}

func updateMission(ctx context.Context, mutation, slug string, patch func(*portfolio.Mission)) func(*sqlite.DB) error {
	return func(db *sqlite.DB) error {
		_, err := db.UpdateMission(ctx, mutation, slug, missionVersion(db, slug), func(m *portfolio.Mission) error {
			patch(m)
			return nil
		})
		return err
	}
}

func setStartups(startups ...string) func(*portfolio.Mission) {
	return func(m *portfolio.Mission) { m.Startups = startups }
}

func rename(ctx context.Context, member string) func(*sqlite.DB) error {
	return func(db *sqlite.DB) error {
		_, err := db.UpdateMember(ctx, member, memberVersion(db, member), func(m *portfolio.Member) error {
			m.Fullname = "Renommé par " + portfolio.IdentityFrom(ctx).TokenName
			return nil
		})
		return err
	}
}

func moveStartup(ctx context.Context, slug, incubator string) func(*sqlite.DB) error {
	return func(db *sqlite.DB) error {
		_, err := db.UpdateStartup(ctx, slug, startupVersion(db, slug), func(s *portfolio.Startup) error {
			s.IncubatorSlug = incubator
			return nil
		})
		return err
	}
}

func reimport(w *scopeWorld) func(*sqlite.DB) error {
	return func(db *sqlite.DB) error {
		_, err := db.Load(context.Background(), sqlite.LoadOptions{}, w.fill)
		return err
	}
}

// confers reads the flag of a mission, straight from the file.
func confers(t *testing.T, db *sqlite.DB, slug string) bool {
	t.Helper()
	raw, err := sql.Open("sqlite", db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var c bool
	if err := raw.QueryRow("SELECT confers_rights FROM missions WHERE slug = ?", slug).Scan(&c); err != nil {
		t.Fatalf("mission %s: %v", slug, err)
	}
	return c
}

func TestScopesCannotBeSelfWidened(t *testing.T) {
	const forbidden = portfolio.EForbidden
	// A re-import in which the records now put louis on arrosoir too.
	onArrosoir := newScopeWorld()
	onArrosoir.louis.Missions = append(onArrosoir.louis.Missions, portfolio.Mission{Slug: "louis.greffe/2",
		Start: portfolio.MustDate("2025-01-06"), Status: portfolio.StatusAdmin, Startups: []string{"arrosoir"}})
	// A re-import in which jeanne's mission on arrosoir is gone.
	jeanneGone := newScopeWorld()
	jeanneGone.mb.Missions = nil
	for _, tt := range []struct {
		name  string
		steps []scopeStep
	}{
		{"a mission from the records confers rights", []scopeStep{
			{what: "manon renames jeanne (imported mission on arrosoir)", do: rename(manon, "jeanne.pioche")},
			{what: "vera renames louis (imported mission on pommier)", do: rename(vera, "louis.greffe")},
		}},
		{"a member of another incubator", []scopeStep{
			{what: "manon renames louis", do: rename(manon, "louis.greffe"), code: forbidden, says: []string{"louis.greffe has none"}},
		}},
		{"addMission then updateMember (the attack of issue 20)", []scopeStep{
			{what: "manon attaches louis to arrosoir in 2010", do: addMission(manon, "louis.greffe", "2010-01-04", "2010-01-05", "arrosoir")},
			{what: "manon renames louis", do: rename(manon, "louis.greffe"), code: forbidden,
				says: []string{"louis.greffe/1001 was written by your token (manon) with addMission", "never widen its scope", "ask an admin"}},
			{what: "another manager of serre renames louis", do: rename(marc, "louis.greffe"), code: forbidden,
				says: []string{"louis.greffe/1001 was written by manager token manon with addMission"}},
			{what: "vera still renames louis", do: rename(vera, "louis.greffe")},
		}},
		{"addMission, then updateMission and endMission of it, then updateMember", []scopeStep{
			{what: "manon attaches louis to arrosoir", do: addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir")},
			{what: "manon moves that mission to binette", do: updateMission(manon, "updateMission", "louis.greffe/1001", setStartups("binette", "arrosoir"))},
			{what: "manon ends it", do: updateMission(manon, "endMission", "louis.greffe/1001", func(m *portfolio.Mission) { m.End = portfolio.MustDate("2026-02-01") })},
			{what: "manon renames louis", do: rename(manon, "louis.greffe"), code: forbidden, says: []string{"louis.greffe/1001"}},
		}},
		{"updateMission adding a startup of serre to louis's mission on pommier", []scopeStep{
			{what: "manon adds arrosoir to louis.greffe/1", do: updateMission(manon, "updateMission", "louis.greffe/1", setStartups("pommier", "arrosoir")),
				code: forbidden, says: []string{`incubator "verger"`}},
			{what: "manon replaces pommier by arrosoir", do: updateMission(manon, "updateMission", "louis.greffe/1", setStartups("arrosoir")),
				code: forbidden, says: []string{`incubator "verger"`}},
			{what: "manon ends louis.greffe/1", do: updateMission(manon, "endMission", "louis.greffe/1", func(m *portfolio.Mission) { m.End = portfolio.MustDate("2024-01-01") }),
				code: forbidden},
		}},
		{"addMission, then updateMission of the member's other missions", []scopeStep{
			{what: "manon attaches louis to arrosoir", do: addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir")},
			{what: "manon moves louis.greffe/1 to arrosoir", do: updateMission(manon, "updateMission", "louis.greffe/1", setStartups("arrosoir")),
				code: forbidden},
		}},
		{"a mission on startups of both incubators", []scopeStep{
			{what: "manon attaches louis to arrosoir and pommier", do: addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir", "pommier"), code: forbidden},
		}},
		{"createMember by a manager: the person belongs to its incubator", []scopeStep{
			{what: "manon creates paul on arrosoir", do: func(db *sqlite.DB) error {
				_, err := db.CreateMember(manon, &portfolio.Member{Slug: "paul.rateau", Fullname: "Paul Rateau", Domain: portfolio.DomainData},
					&portfolio.Mission{Start: portfolio.MustDate("2026-01-05"), Status: portfolio.StatusService, Startups: []string{"arrosoir"}})
				return err
			}},
			{what: "manon renames paul", do: rename(manon, "paul.rateau")},
			{what: "marc renames paul", do: rename(marc, "paul.rateau")},
			{what: "vera renames paul", do: rename(vera, "paul.rateau"), code: forbidden, says: []string{"paul.rateau has none"}},
			{what: "vera attaches paul to pommier", do: addMission(vera, "paul.rateau", "2026-02-02", "", "pommier")},
			{what: "vera renames paul", do: rename(vera, "paul.rateau"), code: forbidden, says: []string{"paul.rateau/1002 was written by your token (vera)"}},
		}},
		{"createMember with the slug of a member of another incubator", []scopeStep{
			{what: "manon creates louis.greffe", do: func(db *sqlite.DB) error {
				_, err := db.CreateMember(manon, &portfolio.Member{Slug: "louis.greffe", Fullname: "Louis", Domain: portfolio.DomainData},
					&portfolio.Mission{Start: portfolio.MustDate("2026-01-05"), Status: portfolio.StatusService, Startups: []string{"arrosoir"}})
				return err
			}, code: portfolio.EConflict},
		}},
		{"an admin's mission confers rights", []scopeStep{
			{what: "adele attaches louis to arrosoir", do: addMission(adele, "louis.greffe", "2026-01-05", "", "arrosoir")},
			{what: "manon renames louis", do: rename(manon, "louis.greffe")},
		}},
		{"an admin who changes the startups of a manager's mission vouches for it", []scopeStep{
			{what: "manon attaches louis to arrosoir", do: addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir")},
			{what: "manon renames louis", do: rename(manon, "louis.greffe"), code: forbidden},
			{what: "adele moves the mission to binette", do: updateMission(adele, "updateMission", "louis.greffe/1001", setStartups("binette"))},
			{what: "manon renames louis", do: rename(manon, "louis.greffe")},
		}},
		{"an admin who only ends a manager's mission does not vouch for it", []scopeStep{
			{what: "manon attaches louis to arrosoir", do: addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir")},
			{what: "adele ends the mission", do: updateMission(adele, "endMission", "louis.greffe/1001", func(m *portfolio.Mission) { m.End = portfolio.MustDate("2026-01-31") })},
			{what: "manon renames louis", do: rename(manon, "louis.greffe"), code: forbidden},
		}},
		{"a manager with rights over a person: its new missions confer", []scopeStep{
			{what: "manon attaches jeanne to binette", do: addMission(manon, "jeanne.pioche", "2026-01-05", "", "binette")},
			{what: "the records drop jeanne's mission on arrosoir", do: reimport(jeanneGone)},
			{what: "marc renames jeanne", do: rename(marc, "jeanne.pioche")},
		}},
		{"a manager of both incubators: its missions confer for both", []scopeStep{
			{what: "bea attaches louis to arrosoir", do: addMission(bea, "louis.greffe", "2026-01-05", "", "arrosoir")},
			{what: "manon renames louis", do: rename(manon, "louis.greffe")},
		}},
		{"a re-import keeps the flag; the records' own missions confer", []scopeStep{
			{what: "manon attaches louis to arrosoir", do: addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir")},
			{what: "manon edits jeanne's imported mission", do: updateMission(manon, "updateMission", "jeanne.pioche/1", setStartups("arrosoir", "binette"))},
			{what: "the same records again", do: reimport(newScopeWorld())},
			{what: "manon renames louis", do: rename(manon, "louis.greffe"), code: forbidden},
			{what: "manon renames jeanne", do: rename(manon, "jeanne.pioche")},
			{what: "the records now put louis on arrosoir", do: reimport(onArrosoir)},
			{what: "manon renames louis", do: rename(manon, "louis.greffe")},
		}},
		{"startups: taking one, giving one away, or squatting a slug", []scopeStep{
			{what: "manon moves pommier to serre", do: moveStartup(manon, "pommier", "serre"), code: forbidden, says: []string{`incubator "verger"`}},
			{what: "manon gives arrosoir to verger", do: moveStartup(manon, "arrosoir", "verger"), code: forbidden, says: []string{`incubator "verger"`}},
			{what: "manon creates a startup in verger", do: func(db *sqlite.DB) error {
				_, err := db.CreateStartup(manon, &portfolio.Startup{Slug: "poirier", Name: "Poirier", IncubatorSlug: "verger"}, nil)
				return err
			}, code: forbidden},
			{what: "manon creates pommier in serre", do: func(db *sqlite.DB) error {
				_, err := db.CreateStartup(manon, &portfolio.Startup{Slug: "pommier", Name: "Pommier", IncubatorSlug: "serre"}, nil)
				return err
			}, code: portfolio.EConflict},
			{what: "bea moves pommier to serre", do: moveStartup(bea, "pommier", "serre")},
			{what: "manon renames louis, whose mission from the records is now on serre's pommier", do: rename(manon, "louis.greffe")},
		}},
		{"committees and phases of another incubator's startup", []scopeStep{
			{what: "manon records a committee of pommier", do: func(db *sqlite.DB) error {
				_, err := db.RecordCommittee(manon, &portfolio.Committee{StartupSlug: "pommier", Date: portfolio.MustDate("2024-01-10"), Decision: portfolio.DecisionContinue}, false)
				return err
			}, code: forbidden},
			{what: "manon changes pommier's committee", do: func(db *sqlite.DB) error {
				_, err := db.UpdateCommittee(manon, "pommier/2023-03-01", 1, func(c *portfolio.Committee) error { c.Comment = "x"; return nil })
				return err
			}, code: forbidden},
			{what: "manon deletes pommier's committee", do: func(db *sqlite.DB) error {
				_, err := db.DeleteCommittee(manon, "pommier/2023-03-01", 1)
				return err
			}, code: forbidden},
			{what: "manon moves pommier on", do: func(db *sqlite.DB) error {
				_, err := db.StartPhase(manon, "pommier", nil, portfolio.PhaseAcceleration, portfolio.MustDate("2024-02-01"))
				return err
			}, code: forbidden},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := db.Load(context.Background(), sqlite.LoadOptions{}, newScopeWorld().fill); err != nil {
				t.Fatal(err)
			}
			for i, st := range tt.steps {
				before := rows(t, db)
				err := st.do(db)
				if code := portfolio.ErrorCode(err); code != st.code {
					t.Fatalf("step %d, %s: code %q (%v), want %q", i+1, st.what, code, err, st.code)
				}
				for _, w := range st.says {
					if err == nil || !strings.Contains(err.Error(), w) {
						t.Errorf("step %d, %s: message %q, want it to say %q", i+1, st.what, err, w)
					}
				}
				if err != nil {
					if after := rows(t, db); after != before {
						t.Errorf("step %d, %s: a refused write changed the database:\n%s", i+1, st.what, lineDiff(before, after))
					}
				}
			}
		})
	}
}

// TestMissionsConferRights checks the flag each kind of write leaves on a
// mission.
func TestMissionsConferRights(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := db.Load(context.Background(), sqlite.LoadOptions{}, newScopeWorld().fill); err != nil {
		t.Fatal(err)
	}
	steps := []func(*sqlite.DB) error{
		addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir"), // louis.greffe/1001
		addMission(adele, "louis.greffe", "2026-01-05", "", "binette"),  // louis.greffe/1002
		addMission(manon, "jeanne.pioche", "2026-01-05", "", "binette"), // jeanne.pioche/1001
		updateMission(manon, "updateMission", "louis.greffe/1001", setStartups("binette")),
	}
	for i, do := range steps {
		if err := do(db); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	// louis.greffe/1001's startups changed after adele's mission gave
	// manon rights over louis: it confers now.
	for slug, want := range map[string]bool{
		"jeanne.pioche/1": true, "louis.greffe/1": true, "louis.greffe/1001": true, "louis.greffe/1002": true, "jeanne.pioche/1001": true,
	} {
		if got := confers(t, db, slug); got != want {
			t.Errorf("%s confers %v, want %v", slug, got, want)
		}
	}
}

// TestMigrationMarksMissionsThatConfer checks the backfill of migration
// 0011 on missions written before it: created by a manager, they confer
// nothing unless an admin vouched for them since.
func TestMigrationMarksMissionsThatConfer(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, newScopeWorld().fill); err != nil {
		t.Fatal(err)
	}
	for i, do := range []func(*sqlite.DB) error{
		addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir"),                    // louis.greffe/1001: manager, no rights
		addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir"),                    // louis.greffe/1002: vouched below
		updateMission(adele, "updateMission", "louis.greffe/1002", setStartups("binette")), // an admin changed its startups
		addMission(manon, "louis.greffe", "2026-01-05", "", "arrosoir"),                    // louis.greffe/1003: only ended by an admin
		updateMission(adele, "endMission", "louis.greffe/1003", func(m *portfolio.Mission) { m.End = portfolio.MustDate("2026-02-01") }),
		addMission(adele, "louis.greffe", "2026-01-05", "", "pommier"),                               // louis.greffe/1004: admin
		addMission(manon, "jeanne.pioche", "2026-01-05", "", "binette"),                              // jeanne.pioche/1001: manager with rights (safe: no)
		updateMission(manon, "updateMission", "jeanne.pioche/1", setStartups("binette", "arrosoir")), // imported, then edited
		func(db *sqlite.DB) error {
			_, err := db.CreateMember(manon, &portfolio.Member{Slug: "paul.rateau", Fullname: "Paul Rateau", Domain: portfolio.DomainData},
				&portfolio.Mission{Start: portfolio.MustDate("2026-01-05"), Status: portfolio.StatusService, Startups: []string{"arrosoir"}})
			return err
		}, // paul.rateau/1001: createMember
	} {
		if err := do(db); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	path := db.Path
	db.Close()
	// The database as the binary of before left it: no flag, migration
	// 0011 not applied. A recorded mission without any audit entry too.
	rawExec(t, path, "ALTER TABLE missions DROP COLUMN confers_rights",
		"DELETE FROM schema_migrations WHERE version = 11",
		`INSERT INTO missions (slug, member_id, seq, start, status, source) SELECT 'louis.greffe/1005', id, 1004, '2026-01-05', 'ADMIN', 'RECORDED' FROM members WHERE slug = 'louis.greffe'`)
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for slug, want := range map[string]bool{
		"louis.greffe/1": true, "jeanne.pioche/1": true, // from the records
		"louis.greffe/1001": false, "louis.greffe/1002": true, "louis.greffe/1003": false, "louis.greffe/1004": true,
		"louis.greffe/1005": false, "jeanne.pioche/1001": false, "paul.rateau/1001": true,
	} {
		if got := confers(t, db, slug); got != want {
			t.Errorf("%s confers %v after the migration, want %v", slug, got, want)
		}
	}
	if _, err := db.UpdateMember(manon, "louis.greffe", memberVersion(db, "louis.greffe"), func(m *portfolio.Member) error { m.Bio = "x"; return nil }); err != nil {
		t.Errorf("manon on louis, vouched for by an admin on binette: %v", err)
	}
}
