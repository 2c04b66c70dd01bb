package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/frorder"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// frenchNames are names in French order, with their slugs: accents and
// case stay in their letter, ligatures read as their letters, words
// compare one by one; two startups share a name (ties: by slug).
var frenchNames = []struct{ slug, name string }{
	{"aether", "aether"},
	{"aether-2", "Æther"},
	{"cote", "cote"},
	{"cote-2", "côte"},
	{"edouard", "Édouard"},
	{"elie", "Élie"},
	{"emma", "emma"},
	{"jean-luc", "Jean-Luc"},
	{"jeanne", "Jeanne"},
	{"l-usine", "L'Usine"},
	{"la-poste", "La Poste"},
	{"oeuvre", "Œuvre"},
	{"oeuvres", "oeuvres"},
	{"zoe-a", "Zoé"},
	{"zoe-b", "Zoé"},
	{"zoeline", "Zoéline"},
}

// loadFrenchNames loads the names as startups (of one incubator), members
// and organisations, in the reverse of their order.
func loadFrenchNames(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	_, err := db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error {
		if err := s.PutIncubator(ctx, &portfolio.Incubator{Slug: "serre", Title: "La Serre"}); err != nil {
			return err
		}
		for _, n := range slices.Backward(frenchNames) {
			if err := s.PutOrganisation(ctx, &portfolio.Organisation{Slug: n.slug, Name: n.name}); err != nil {
				return err
			}
			if err := s.PutStartup(ctx, &portfolio.Startup{Slug: n.slug, Name: n.name, IncubatorSlug: "serre"}); err != nil {
				return err
			}
			if err := s.PutMember(ctx, &portfolio.Member{Slug: n.slug, Fullname: n.name, Domain: portfolio.DomainDesign}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func wantSlugs(desc bool) []string {
	var out []string
	for _, n := range frenchNames {
		out = append(out, n.slug)
	}
	if desc { // names reversed, ties still by slug
		slices.Reverse(out)
		i := slices.Index(out, "zoe-b")
		out[i], out[i+1] = out[i+1], out[i]
	}
	return out
}

// pages reads a whole list page by page, size items at a time, and
// returns the slugs in order.
func pages(t *testing.T, size int, read func(w portfolio.Window) ([]string, error)) []string {
	t.Helper()
	var out []string
	for off := 0; ; off += size {
		got, err := read(portfolio.Window{Offset: off, Limit: size})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, got...)
		if len(got) < size {
			return out
		}
	}
}

func startupSlugs(m map[int64]*sqlite.Page[*portfolio.Startup], key int64, size int) []string {
	var out []string
	if p := m[key]; p != nil {
		for i, s := range p.Items {
			if i < size {
				out = append(out, s.Slug)
			}
		}
	}
	return out
}

// TestNamesInFrenchOrder pages through every list ordered by name, in
// pages of 1 to 5, both directions where the API has them, and wants the
// French order, ties by slug.
func TestNamesInFrenchOrder(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	loadFrenchNames(t, db)
	inc, err := db.IncubatorsBySlug(ctx, []string{"serre"})
	if err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 2, 3, 5} {
		for _, desc := range []bool{false, true} {
			dir := portfolio.Asc
			if desc {
				dir = portfolio.Desc
			}
			order := []*portfolio.StartupOrder{{Field: portfolio.StartupOrderName, Direction: dir}}
			for _, total := range []bool{false, true} {
				got := pages(t, size, func(w portfolio.Window) ([]string, error) {
					m, err := db.Startups(ctx, sqlite.StartupQuery{Order: order, Window: w, WantTotal: total})
					return startupSlugs(m, 0, w.Limit), err
				})
				equalSlugs(t, "startups", size, desc, got)
				got = pages(t, size, func(w portfolio.Window) ([]string, error) {
					m, err := db.Startups(ctx, sqlite.StartupQuery{Order: order, Window: w, WantTotal: total,
						Parent: "incubator", ParentIDs: []int64{inc["serre"].ID}})
					return startupSlugs(m, inc["serre"].ID, w.Limit), err
				})
				equalSlugs(t, "an incubator's startups", size, desc, got)
			}
			got := pages(t, size, func(w portfolio.Window) ([]string, error) {
				p, err := db.Members(ctx, nil, []*portfolio.MemberOrder{{Field: portfolio.MemberOrderName, Direction: dir}}, portfolio.MustDate("2026-01-01"), w)
				var out []string
				if p != nil {
					for _, m := range p.Items {
						out = append(out, m.Slug)
					}
				}
				return out, err
			})
			equalSlugs(t, "members", size, desc, got)
		}
		got := pages(t, size, func(w portfolio.Window) ([]string, error) {
			p, err := db.Organisations(ctx, "", w)
			var out []string
			if p != nil {
				for _, o := range p.Items {
					out = append(out, o.Slug)
				}
			}
			return out, err
		})
		equalSlugs(t, "organisations", size, false, got)
	}
	// The default order of startups and members is by name.
	m, err := db.Startups(ctx, sqlite.StartupQuery{Window: portfolio.Window{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	equalSlugs(t, "startups by default", 100, false, startupSlugs(m, 0, 100))
}

func equalSlugs(t *testing.T, what string, size int, desc bool, got []string) {
	t.Helper()
	if want := wantSlugs(desc); !slices.Equal(got, want) {
		t.Errorf("%s in pages of %d (desc %v):\n got %s\nwant %s", what, size, desc, strings.Join(got, " "), strings.Join(want, " "))
	}
}

// TestNameKeysFollowWrites renames records through the API and checks
// that every stored key is the key of the stored name.
func TestNameKeysFollowWrites(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	loadFrenchNames(t, db)
	a := alice(ctx)
	if _, err := db.UpdateStartup(a, "zoeline", 1, func(s *portfolio.Startup) error { s.Name = "Ébène"; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateStartup(a, &portfolio.Startup{Slug: "ecole", Name: "École", IncubatorSlug: "serre"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateMember(a, "zoeline", 1, func(m *portfolio.Member) error { m.Fullname = "Ébène"; return nil }); err != nil {
		t.Fatal(err)
	}
	v := int64(1)
	if _, err := db.UpsertOrganisation(a, &portfolio.Organisation{Slug: "zoeline", Name: "Ébène"}, &v); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertOrganisation(a, &portfolio.Organisation{Slug: "ecole", Name: "École"}, nil); err != nil {
		t.Fatal(err)
	}
	is, err := db.IncubatorsBySlug(ctx, []string{"serre"})
	if err != nil {
		t.Fatal(err)
	}
	i := *is["serre"]
	i.Title = "Écloserie"
	if _, err := db.UpsertIncubator(a, &i, &i.Version); err != nil {
		t.Fatal(err)
	}
	checkNameKeys(t, db.Path)
	m, err := db.Startups(ctx, sqlite.StartupQuery{Window: portfolio.Window{Limit: 7}})
	if err != nil {
		t.Fatal(err)
	}
	if got := startupSlugs(m, 0, 7); !slices.Equal(got, []string{"aether", "aether-2", "cote", "cote-2", "zoeline", "ecole", "edouard"}) { // Ébène, École, Édouard
		t.Errorf("startups after the renames: %v", got)
	}
}

// checkNameKeys wants every name_key to be the key of its row's name.
func checkNameKeys(t *testing.T, path string) {
	t.Helper()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	n := 0
	for table, col := range map[string]string{"startups": "name", "members": "fullname", "organisations": "name", "incubators": "title"} {
		rows, err := raw.Query("SELECT slug, " + col + ", name_key FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var slug, name string
			var key []byte
			if err := rows.Scan(&slug, &name, &key); err != nil {
				t.Fatal(err)
			}
			if n++; !bytes.Equal(key, frorder.Key(name)) {
				t.Errorf("%s %s: the key of %q is not its name's", table, slug, name)
			}
		}
		rows.Close()
	}
	if n == 0 {
		t.Fatal("no rows")
	}
}

// TestNameKeysMadeOnOpen plays a database whose keys are missing (rows
// written before migration 0015, or by another tool) or were made under
// another version of the ordering: opening it makes them again.
func TestNameKeysMadeOnOpen(t *testing.T) {
	for _, c := range []struct{ name, damage string }{
		{"missing keys", "UPDATE startups SET name_key = x''; UPDATE members SET name_key = x''"},
		{"another version", "UPDATE name_keys SET version = 'fr cldr-22 unicode-6.0.0 1'; UPDATE startups SET name_key = x'ff'; UPDATE organisations SET name_key = x'00'; UPDATE incubators SET name_key = x'01'"},
		{"no version", "DELETE FROM name_keys; UPDATE members SET name_key = CAST(slug AS BLOB)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "k.db")
			db, err := sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			loadFrenchNames(t, db)
			db.Close()
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := raw.Exec(c.damage); err != nil {
				t.Fatal(err)
			}
			raw.Close()
			db, err = sqlite.Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			checkNameKeys(t, path)
			m, err := db.Startups(ctx, sqlite.StartupQuery{Window: portfolio.Window{Limit: 100}})
			if err != nil {
				t.Fatal(err)
			}
			equalSlugs(t, "startups", 100, false, startupSlugs(m, 0, 100))
		})
	}
}
