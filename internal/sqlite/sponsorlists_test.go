package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestSponsorListsFollowSponsors checks the lists of migrations/0030
// against the links and the organisations, read a second way (a join of
// the tables), after each kind of write: a load, a reload, direct updates
// of each column the lists hold and of one they do not, links added (INSERT
// OR IGNORE, as the loads write them), reordered, moved and removed, and a
// startup's cascade.
func TestSponsorListsFollowSponsors(t *testing.T) {
	ctx := context.Background()
	db, fill := seededDB(t)
	check := func(step string) {
		t.Helper()
		ids := columnOf[int64](t, db, "SELECT id FROM startups")
		lists, err := db.SponsorsByStartup(ctx, ids)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		want := map[int64][]string{}
		err = db.each(ctx, `SELECT ss.startup_id, o.id, o.slug, o.name, o.acronym, o.type, o.domaine_ministeriel, o.version
			FROM startup_sponsors ss JOIN organisations o ON o.id = ss.organisation_id ORDER BY ss.startup_id, ss.seq`, nil, func(r *sql.Rows) error {
			var s int64
			var o portfolio.Organisation
			if err := r.Scan(&s, &o.ID, &o.Slug, &o.Name, &o.Acronym, &o.Type, &o.DomaineMinisteriel, &o.Version); err != nil {
				return err
			}
			want[s] = append(want[s], fmt.Sprintf("%+v", o))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		links := 0
		for _, id := range ids {
			var got []string
			for _, o := range lists[id] {
				got = append(got, fmt.Sprintf("%+v", *o))
			}
			links += len(want[id])
			if fmt.Sprint(got) != fmt.Sprint(want[id]) {
				t.Errorf("%s: startup %d: the list gives\n%q\nthe tables\n%q", step, id, got, want[id])
			}
		}
		orphans := columnOf[int64](t, db, "SELECT count(*) FROM sponsor_lists WHERE startup_id NOT IN (SELECT startup_id FROM startup_sponsors)")
		if orphans[0] != 0 || links == 0 {
			t.Errorf("%s: %d lists without sponsors, %d links", step, orphans[0], links)
		}
	}
	check("seed")
	if _, err := db.Load(ctx, LoadOptions{Add: true}, fill); err != nil {
		t.Fatal(err)
	}
	check("reload")

	sponsor := `(SELECT organisation_id FROM startup_sponsors ORDER BY startup_id, seq LIMIT 1 OFFSET %d)`
	link := `(SELECT startup_id, organisation_id FROM startup_sponsors ORDER BY startup_id, seq LIMIT 1 OFFSET %d)`
	writeAndCheck(t, db, []string{
		`UPDATE organisations SET name = name || ' (ancien nom)' WHERE id = ` + fmt.Sprintf(sponsor, 0),
		`UPDATE organisations SET acronym = 'NOUV', type = 'operator' WHERE id = ` + fmt.Sprintf(sponsor, 5),
		`UPDATE organisations SET domaine_ministeriel = 'Culture', version = version + 1 WHERE id = ` + fmt.Sprintf(sponsor, 9),
		`UPDATE organisations SET slug = slug || '-renommee' WHERE id = ` + fmt.Sprintf(sponsor, 12),
		`UPDATE organisations SET name_key = x'00'`,
		`INSERT OR IGNORE INTO startup_sponsors (startup_id, organisation_id, seq)
			SELECT s.id, (SELECT max(id) FROM organisations), 99 FROM startups s ORDER BY s.id LIMIT 5`,
		`UPDATE startup_sponsors SET seq = 100 - seq WHERE startup_id IN (SELECT startup_id FROM startup_sponsors GROUP BY startup_id HAVING count(*) > 1 LIMIT 3)`,
		`UPDATE startup_sponsors SET startup_id = (SELECT max(id) FROM startups)
			WHERE (startup_id, organisation_id) = (SELECT startup_id, organisation_id FROM startup_sponsors
				WHERE organisation_id NOT IN (SELECT organisation_id FROM startup_sponsors WHERE startup_id = (SELECT max(id) FROM startups)) LIMIT 1)`,
		`DELETE FROM startup_sponsors WHERE (startup_id, organisation_id) IN ` + fmt.Sprintf(link, 3),
	}, check)

	// A startup's deletion cascades to its links: the first startup with
	// sponsors that nothing else refers to.
	for _, id := range columnOf[int64](t, db, "SELECT DISTINCT startup_id FROM startup_sponsors ORDER BY 1 DESC") {
		if _, err := db.write.ExecContext(ctx, "DELETE FROM startups WHERE id = ?", id); err == nil {
			check("a startup deleted")
			return
		}
	}
	t.Fatal("no startup could be deleted")
}

// TestUnpackSponsors cuts lists in and out of the record's order, with
// values empty and in several bytes a character, and refuses a damaged one.
func TestUnpackSponsors(t *testing.T) {
	a := pack("4", "0", "dinum", "Direction interministérielle du numérique", "DINUM", "administration-centrale", "Services du Premier ministre", "3")
	b := pack("17", "1", "ademe", "Agence de la transition écologique", "", "", "", "1")
	dinum := portfolio.Organisation{ID: 4, Slug: "dinum", Name: "Direction interministérielle du numérique", Acronym: "DINUM",
		Type: "administration-centrale", DomaineMinisteriel: "Services du Premier ministre", Version: 3}
	ademe := portfolio.Organisation{ID: 17, Slug: "ademe", Name: "Agence de la transition écologique", Version: 1}
	for _, packed := range []string{a + b, b + a} {
		got, err := unpackSponsors(packed, nil)
		if err != nil || len(got) != 2 || got[0].org != dinum || got[1].org != ademe {
			t.Errorf("unpackSponsors(%q) = %+v, %v", packed, got, err)
		}
	}
	if got, err := unpackSponsors("", nil); err != nil || len(got) != 0 {
		t.Errorf("unpackSponsors(\"\") = %v, %v", got, err)
	}
	for _, bad := range []string{a[:len(a)-1], "x" + a, "999:" + a, pack("x", "0", "s", "n", "", "", "", "1"), a + "3:"} {
		if got, err := unpackSponsors(bad, nil); err == nil {
			t.Errorf("unpackSponsors(%q) = %v, want an error", bad, got)
		}
	}
}

// TestStartupsCarryTheirLists reads startups with the lists their row may
// carry (phases, sponsors, the incubator's title) and compares them with
// the readers of each, and checks that a request for the phases' or the
// incubator's details gets neither without them.
func TestStartupsCarryTheirLists(t *testing.T) {
	ctx := context.Background()
	db, _ := seededDB(t)
	slugs := columnOf[string](t, db, "SELECT slug FROM startups")
	ids := columnOf[int64](t, db, "SELECT id FROM startups")
	lists := WithColumns(ctx, &Columns{Startup: StartupPhaseList | StartupSponsorList | StartupIncubator})
	got, err := db.StartupsBySlug(lists, slugs)
	if err != nil {
		t.Fatal(err)
	}
	phases, err := db.PhasesByStartup(WithColumns(ctx, &Columns{}), ids)
	if err != nil {
		t.Fatal(err)
	}
	sponsors, err := db.SponsorsByStartup(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	incubators, err := db.IncubatorsBySlug(ctx, columnOf[string](t, db, "SELECT slug FROM incubators"))
	if err != nil {
		t.Fatal(err)
	}
	withPhases, withSponsors, withIncubator := 0, 0, 0
	for _, slug := range slugs {
		s := got[slug]
		if s == nil || s.Listed == nil || !s.Listed.PhasesRead || !s.Listed.SponsorsRead || !s.Listed.IncubatorRead {
			t.Fatalf("%s: read without its lists: %+v", slug, s)
		}
		if i, want := s.Listed.Incubator, incubators[s.IncubatorSlug]; i == nil && want != nil || i != nil &&
			(want == nil || i.ID != want.ID || i.Slug != want.Slug || i.Title != want.Title) {
			t.Errorf("%s: incubator %+v, want %+v", slug, i, want)
		} else if i != nil {
			withIncubator++
		}
		if fmt.Sprint(s.Listed.Phases) != fmt.Sprint(phases[s.ID]) {
			t.Errorf("%s: phases %v, want %v", slug, s.Listed.Phases, phases[s.ID])
		}
		var a, b []string
		for _, o := range s.Listed.Sponsors {
			a = append(a, fmt.Sprintf("%+v", *o))
		}
		for _, o := range sponsors[s.ID] {
			b = append(b, fmt.Sprintf("%+v", *o))
		}
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("%s: sponsors %v, want %v", slug, a, b)
		}
		withPhases += min(len(phases[s.ID]), 1)
		withSponsors += min(len(b), 1)
	}
	if withPhases == 0 || withSponsors == 0 || withIncubator == 0 || withPhases == len(slugs) && withSponsors == len(slugs) {
		t.Errorf("%d startups with phases, %d with sponsors, of %d: the lists were not all tried, nor their absence", withPhases, withSponsors, len(slugs))
	}
	details, err := db.StartupsBySlug(WithColumns(ctx, &Columns{Startup: StartupPhaseList | StartupIncubator, PhaseDetails: true,
		Incubator: IncubatorDetails}), slugs[:1])
	if err != nil {
		t.Fatal(err)
	}
	if l := details[slugs[0]].Listed; l != nil && (l.PhasesRead || l.IncubatorRead) {
		t.Errorf("phases or incubator listed though their details were asked for: %+v", l)
	}
}
