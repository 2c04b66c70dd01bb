package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// editRealSnapshot imports the real snapshot into a new database, then, as
// the admin token "alice", deletes the committee acces-cible/2024-10-07,
// renames dossierfacile and changes its pitch, and retitles the incubator
// anct. It returns the database's path.
func editRealSnapshot(t testing.TB, dir string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.db")
	if out, err := runCmd(t, "import", "--db", path, dir); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "alice", Role: portfolio.RoleAdmin})
	if _, err := db.DeleteCommittee(admin, "acces-cible/2024-10-07", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateStartup(admin, "dossierfacile", 1, func(s *portfolio.Startup) error {
		s.Name, s.Pitch = "DossierFacile.logement.gouv.fr", "Un dossier de location complet et vérifié, en quelques minutes"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	is, err := db.IncubatorsBySlug(ctx, []string{"anct"})
	if err != nil {
		t.Fatal(err)
	}
	inc := *is["anct"]
	inc.Title = "Incubateur des territoires"
	if _, err := db.UpsertIncubator(admin, &inc, &inc.Version); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReimportRealSnapshotKeepsWhatTheAPIDid(t *testing.T) {
	dir := snapshotDir(t)
	path := editRealSnapshot(t, dir)
	before := dump(t, path)
	out, err := runCmd(t, "import", "--db", path, dir)
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	// The origin table records each import; every other row stays.
	before, _ = withoutOrigin(before)
	if after, _ := withoutOrigin(dump(t, path)); after != before {
		t.Errorf("re-importing the snapshot the edits started from changed the database (%d bytes of rows before, %d after)", len(before), len(after))
	}
	for _, want := range []string{
		"(0 new, 0 updated, 662 unchanged)",
		"(0 new, 0 updated, 23 unchanged)",
		// the deleted committee, its file, and why it was skipped
		"_startups/acces-cible.md: committee acces-cible/2024-10-07 was deleted through the API (deleteCommittee by alice",
		// per record and field, the edited value and the snapshot's
		`_startups/dossierfacile.md: startup dossierfacile: name: kept "DossierFacile.logement.gouv.fr" (updateStartup by alice`,
		`snapshot "DossierFacile"`,
		`_startups/dossierfacile.md: startup dossierfacile: pitch: kept "Un dossier de location complet et vérifié, en quelques minutes"`,
		`_incubators/anct.md: incubator anct: title: kept "Incubateur des territoires" (upsertIncubator by alice`,
		`snapshot "L'Incubateur des Territoires (ANCT)"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the re-import's summary lacks %q:\n%s", want, out)
		}
	}
}

func TestReimportRealSnapshotUpdatesUneditedFieldsAndAuditsEditedRecords(t *testing.T) {
	dir := snapshotDir(t)
	path := editRealSnapshot(t, dir)
	// Play an older database: the links of an edited startup and of an
	// unedited one differ from the snapshot's.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE startups SET link = 'https://ancien.example' WHERE slug IN ('dossierfacile', 'mon-suivi-justice')"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	out, err := runCmd(t, "import", "--db", path, dir)
	if err != nil {
		t.Fatalf("re-import: %v\n%s", err, out)
	}
	if !strings.Contains(out, "(0 new, 2 updated, 660 unchanged)") {
		t.Errorf("want 2 startups updated:\n%s", out)
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ss, err := db.StartupsBySlug(ctx, []string{"dossierfacile", "mon-suivi-justice"})
	if err != nil {
		t.Fatal(err)
	}
	if s := ss["dossierfacile"]; s.Name != "DossierFacile.logement.gouv.fr" || !strings.HasPrefix(s.Link, "https://www.dossierfacile.logement.gouv.fr/") {
		t.Errorf("dossierfacile after re-import: name %q (want the edited one), link %q (want the snapshot's)", s.Name, s.Link)
	}
	if s := ss["mon-suivi-justice"]; s.Link != "https://mon-suivi-justice.beta.gouv.fr/" {
		t.Errorf("mon-suivi-justice after re-import: link %q, want the snapshot's", s.Link)
	}
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "alice", Role: portfolio.RoleAdmin})
	p, err := db.AuditLog(admin, sqlite.AuditFilter{Mutations: []string{"import"}}, portfolio.Window{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Items) != 1 || p.Items[0].ObjectType != "Startup" || p.Items[0].ObjectSlug != "dossierfacile" {
		for _, e := range p.Items {
			t.Logf("import entry: %s %s", e.ObjectType, e.ObjectSlug)
		}
		t.Fatalf("%d import entries in the audit log, want one, for the edited startup dossierfacile (none for mon-suivi-justice)", len(p.Items))
	}
	e := p.Items[0]
	var b, a struct{ Name, Link string }
	if err := json.Unmarshal([]byte(e.Before), &b); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(e.After), &a); err != nil {
		t.Fatal(err)
	}
	if e.TokenName != "import" || b.Link != "https://ancien.example" || a.Link != ss["dossierfacile"].Link || a.Name != "DossierFacile.logement.gouv.fr" {
		t.Errorf("import entry by %q: before %+v, after %+v", e.TokenName, b, a)
	}
}

// BenchmarkReimportEditedRealSnapshot re-imports the real snapshot into a
// database where a committee was deleted and a startup and an incubator
// were edited through the API: tombstones and edits are read, the edited
// records merged, read before and after, and compared.
func BenchmarkReimportEditedRealSnapshot(b *testing.B) {
	dir := snapshotDir(b)
	path := editRealSnapshot(b, dir)
	for b.Loop() {
		if out, err := runCmd(b, "import", "--db", path, dir); err != nil {
			b.Fatalf("import: %v\n%s", err, out)
		}
	}
}
