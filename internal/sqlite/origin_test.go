package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// orgs returns a fill writing organisations with the given slugs.
func orgs(slugs ...string) func(portfolio.Sink) error {
	return func(s portfolio.Sink) error {
		for _, slug := range slugs {
			if err := s.PutOrganisation(context.Background(), &portfolio.Organisation{Slug: slug, Name: slug}); err != nil {
				return err
			}
		}
		return nil
	}
}

type load struct {
	kind sqlite.OriginKind
	add  bool
	slug string // an organisation the load writes
}

func TestLoadKeepsOriginsApart(t *testing.T) {
	seedL := load{kind: sqlite.OriginSeeded, slug: "inventee"}
	addL := load{kind: sqlite.OriginSeeded, add: true, slug: "inventee-2"}
	importL := load{kind: sqlite.OriginImported, slug: "reelle"}
	import2L := load{kind: sqlite.OriginImported, slug: "reelle-2"}
	tests := []struct {
		name     string
		before   []load // all accepted
		then     load
		refused  bool
		wantKind sqlite.OriginKind
	}{
		{"seed into an empty database", nil, seedL, false, sqlite.OriginSeeded},
		{"import into an empty database", nil, importL, false, sqlite.OriginImported},
		{"import again", []load{importL}, import2L, false, sqlite.OriginImported},
		{"seed into an imported database", []load{importL}, seedL, true, sqlite.OriginImported},
		{"seed --add into an imported database", []load{importL}, addL, true, sqlite.OriginImported},
		{"seed again without add", []load{seedL}, addL.withoutAdd(), true, sqlite.OriginSeeded},
		{"seed again with add", []load{seedL}, addL, false, sqlite.OriginSeeded},
		{"import into a seeded database", []load{seedL}, importL, true, sqlite.OriginSeeded},
		{"import into a database seeded twice", []load{seedL, addL}, importL, true, sqlite.OriginSeeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := MustOpenDB(t)
			do := func(l load) error {
				ev := &sqlite.OriginEvent{Kind: l.kind, Scale: 1, Source: "/snapshots/" + l.slug, Counts: map[string]int{"organisations": 1}}
				_, err := db.Load(ctx, sqlite.LoadOptions{Origin: ev, Add: l.add}, orgs(l.slug))
				return err
			}
			for _, l := range tt.before {
				if err := do(l); err != nil {
					t.Fatalf("load %+v: %v", l, err)
				}
			}
			orgsBefore := count(t, db, "organisations")
			eventsBefore := count(t, db, "origin")
			err := do(tt.then)
			var oe *sqlite.OriginError
			if tt.refused {
				if !errors.As(err, &oe) {
					t.Fatalf("load %+v: %v, want an *OriginError", tt.then, err)
				}
				if oe.Path != db.Path || oe.Want != tt.then.kind || !strings.Contains(err.Error(), db.Path) {
					t.Errorf("refusal %+v: %q", oe, err)
				}
				if n := count(t, db, "organisations"); n != orgsBefore {
					t.Errorf("the refused load wrote: %d organisations, %d before", n, orgsBefore)
				}
				if n := count(t, db, "origin"); n != eventsBefore {
					t.Errorf("the refused load recorded an origin: %d rows, %d before", n, eventsBefore)
				}
			} else if err != nil {
				t.Fatalf("load %+v: %v", tt.then, err)
			}
			o, err := db.Origin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if o.Kind != tt.wantKind {
				t.Errorf("origin %s, want %s", o.Kind, tt.wantKind)
			}
			wantEvents := len(tt.before)
			if !tt.refused {
				wantEvents++
			}
			if len(o.Events) != wantEvents {
				t.Errorf("%d origin events, want %d: %+v", len(o.Events), wantEvents, o.Events)
			}
		})
	}
}

func (l load) withoutAdd() load { l.add = false; return l }

func TestOriginString(t *testing.T) {
	ctx := context.Background()
	db := MustOpenDB(t)
	o, err := db.Origin(ctx)
	if err != nil || o.Kind != sqlite.OriginEmpty {
		t.Fatalf("a new database: %v, %v", o, err)
	}
	ev := &sqlite.OriginEvent{Kind: sqlite.OriginImported, Source: "/data/beta/content", Counts: map[string]int{"startups": 1, "organisations": 2}}
	if _, err := db.Load(ctx, sqlite.LoadOptions{Origin: ev}, orgs("a")); err != nil {
		t.Fatal(err)
	}
	if o, err = db.Origin(ctx); err != nil {
		t.Fatal(err)
	}
	if got := o.String(); !strings.HasPrefix(got, "imported from /data/beta/content on 20") || !strings.HasSuffix(got, " UTC") {
		t.Errorf("String() = %q", got)
	}
	if got := o.Events[0].CountsLine(); got != "organisations 2, startups 1" {
		t.Errorf("CountsLine() = %q", got)
	}
	ev.Source = "/data/beta-2"
	if _, err := db.Load(ctx, sqlite.LoadOptions{Origin: ev}, orgs("a")); err != nil {
		t.Fatal(err)
	}
	if o, err = db.Origin(ctx); err != nil {
		t.Fatal(err)
	}
	if got := o.String(); !strings.HasPrefix(got, "imported from /data/beta-2 on ") || !strings.Contains(got, " (2 imports, the first on ") {
		t.Errorf("String() after a second import = %q", got)
	}
}

// legacyDB writes fill into a new database without recording an origin,
// as the program did before origins were recorded, and reopens it.
func legacyDB(t *testing.T, fills ...func(portfolio.Sink) error) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "legacy.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, fill := range fills {
		if _, err := db.Load(ctx, sqlite.LoadOptions{}, fill); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	rawExec(t, path, "DELETE FROM origin")
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func seedFill(scale int) func(portfolio.Sink) error {
	return func(s portfolio.Sink) error {
		_, err := seed.Generate(context.Background(), s, seed.Options{Scale: scale})
		return err
	}
}

func TestLegacyDatabaseClassifiedFromContents(t *testing.T) {
	tests := []struct {
		name  string
		fills []func(portfolio.Sink) error
		want  sqlite.OriginKind
		// what a seed and an import may then do
		seedOK, importOK bool
	}{
		{"empty", nil, sqlite.OriginEmpty, true, true},
		{"real records", []func(portfolio.Sink) error{sample()}, sqlite.OriginImported, false, true},
		{"only organisations", []func(portfolio.Sink) error{orgs("a", "b")}, sqlite.OriginImported, false, true},
		{"the seed's network", []func(portfolio.Sink) error{seedFill(1)}, sqlite.OriginSeeded, false, false},
		{"real records, then a seed (issue 13)", []func(portfolio.Sink) error{sample(), seedFill(1)}, sqlite.OriginMixed, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db := legacyDB(t, tt.fills...)
			o, err := db.Origin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if o.Kind != tt.want {
				t.Fatalf("origin %s (%s), want %s", o.Kind, o, tt.want)
			}
			if tt.want != sqlite.OriginEmpty && (len(o.Events) != 1 || !o.Events[0].Legacy || !strings.Contains(o.String(), "before origins were recorded")) {
				t.Errorf("origin %q, events %+v: want one legacy event", o, o.Events)
			}
			// Opening for writing recorded the classification once.
			if n := count(t, db, "origin"); n != len(o.Events) {
				t.Errorf("%d origin rows, want %d", n, len(o.Events))
			}
			if got := o.Admits(sqlite.OriginSeeded, false); got != tt.seedOK {
				t.Errorf("admits a seed: %v, want %v", got, tt.seedOK)
			}
			if got := o.Admits(sqlite.OriginImported, false); got != tt.importOK {
				t.Errorf("admits an import: %v, want %v", got, tt.importOK)
			}
		})
	}
}

func TestOpenExistingClassifiesAnOlderSchema(t *testing.T) {
	ctx := context.Background()
	db := legacyDB(t, seedFill(1))
	path := db.Path
	db.Close()
	// The schema before origins: no table, no migration row.
	rawExec(t, path, "DROP TABLE origin", "DELETE FROM schema_migrations WHERE name LIKE '%_origin.sql'")
	ro, err := sqlite.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	o, err := ro.Origin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if o.Kind != sqlite.OriginSeeded || !o.Events[0].Legacy {
		t.Errorf("origin %s (%+v), want seeded, classified", o.Kind, o.Events)
	}
}

func TestOpenAppliesAMigrationMissingBelowTheVersion(t *testing.T) {
	// Branches merged in another order than they were numbered: a database
	// may lack a migration below its version; Open applies it.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	rawExec(t, path, "DROP INDEX phases_next", "DELETE FROM schema_migrations WHERE name = '0004_current_phases.sql'")
	ro, err := sqlite.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := ro.Ready(ctx); err == nil || !strings.Contains(err.Error(), "without migration 0004_current_phases.sql") {
		t.Errorf("Ready with a migration missing: %v", err)
	}
	ro.Close()
	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ready(ctx); err != nil {
		t.Errorf("Ready after Open: %v", err)
	}
	if n := count(t, db, "sqlite_schema WHERE name = 'phases_next'"); n != 1 {
		t.Errorf("index phases_next: %d, want 1", n)
	}
}
