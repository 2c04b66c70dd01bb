package sqlite_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// TestReimportDecodesEntities plays a database imported before entities
// were decoded (its rows hold « l&#x27;heure »), one of whose fields was
// then written through the API: a re-import of the same records stores
// the decoded text in every field the API did not write, and keeps the
// written one, reporting it; a second re-import changes nothing.
func TestReimportDecodesEntities(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	// As an import made before the decoding stored the records.
	_, err := db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error {
		if err := s.PutIncubator(ctx, &portfolio.Incubator{Slug: "serre", Title: "La Serre &amp; le Potager"}); err != nil {
			return err
		}
		if err := s.PutStartup(ctx, &portfolio.Startup{Slug: "arrosoir", Name: "L&#x27;Arrosoir", Pitch: "Arroser &quot;à l&#x27;heure&quot;",
			IncubatorSlug: "serre", Link: "https:&#x2F;&#x2F;arrosoir.example.org"}); err != nil {
			return err
		}
		return s.PutMember(ctx, &portfolio.Member{Slug: "jeanne.pioche", Fullname: "Jeanne Pioche", Role: "UX&amp;#x2F;UI Designer",
			Domain: portfolio.DomainDesign, Missions: []portfolio.Mission{{Slug: "jeanne.pioche/1", Start: portfolio.MustDate("2024-01-10"),
				Employer: "Ministère de l&#x27;Intérieur &#x2F; DNUM", Startups: []string{"arrosoir"}}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	// The pitch is written through the API, entities and all.
	if _, err := db.UpdateStartup(alice(ctx), "arrosoir", 1, func(s *portfolio.Startup) error {
		s.Pitch = "Arroser à l&#x27;heure, écrit par l'API"
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	for name, text := range map[string]string{
		"_incubators/serre.md": "---\ntitle: La Serre &amp; le Potager\n---\n",
		"_startups/arrosoir.md": "---\ntitle: L&#x27;Arrosoir\nmission: Arroser &quot;à l&#x27;heure&quot;\nincubator: serre\n" +
			"link: \"https:&#x2F;&#x2F;arrosoir.example.org \"\n---\n",
		"_authors/jeanne.pioche.md": "---\nfullname: Jeanne Pioche\nrole: UX&amp;#x2F;UI Designer\ndomaine: Design\nmissions:\n" +
			"  - start: 2024-01-10\n    status: independent\n    employer: Ministère de l&#x27;Intérieur &#x2F; DNUM\n    startups: [arrosoir]\n---\n",
	} {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := betagouv.Read(ctx, dir, betagouv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error { return snap.WriteTo(ctx, s) })
	if err != nil {
		t.Fatal(err)
	}
	for kind, n := range map[string]int{"incubators": 1, "startups": 1, "members": 1} {
		if res.Updated[kind] != n {
			t.Errorf("%s updated: %d, want %d (%v)", kind, res.Updated[kind], n, res.Updated)
		}
	}
	var said []string
	for _, d := range res.Disagreements {
		said = append(said, d.String())
	}
	if len(said) != 1 || !strings.HasPrefix(said[0], `startup arrosoir: pitch: kept "Arroser à l&#x27;heure, écrit par l'API" (updateStartup by alice`) ||
		!strings.HasSuffix(said[0], `snapshot "Arroser \"à l'heure\""`) {
		t.Errorf("disagreements: %q, want the pitch written through the API", said)
	}

	st, err := db.StartupsBySlug(ctx, []string{"arrosoir"})
	if err != nil {
		t.Fatal(err)
	}
	s := st["arrosoir"]
	equalText(t, "name", s.Name, "L'Arrosoir")
	equalText(t, "link", s.Link, "https://arrosoir.example.org")
	equalText(t, "pitch (written through the API)", s.Pitch, "Arroser à l&#x27;heure, écrit par l'API")
	ms, err := db.MembersBySlug(ctx, []string{"jeanne.pioche"})
	if err != nil {
		t.Fatal(err)
	}
	equalText(t, "role", ms["jeanne.pioche"].Role, "UX/UI Designer")
	missions, err := db.MissionsByMember(ctx, []int64{ms["jeanne.pioche"].ID})
	if err != nil {
		t.Fatal(err)
	}
	equalText(t, "employer", missions[ms["jeanne.pioche"].ID][0].Employer, "Ministère de l'Intérieur / DNUM")
	is, err := db.IncubatorsBySlug(ctx, []string{"serre"})
	if err != nil {
		t.Fatal(err)
	}
	equalText(t, "incubator", is["serre"].Title, "La Serre & le Potager")
	checkNameKeys(t, db.Path)

	again, err := db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error { return snap.WriteTo(ctx, s) })
	if err != nil {
		t.Fatal(err)
	}
	if n := again.Updated["startups"] + again.Updated["members"] + again.Updated["incubators"]; n != 0 {
		t.Errorf("a second re-import updated %v", again.Updated)
	}
}

func equalText(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s: %q, want %q", what, got, want)
	}
}
