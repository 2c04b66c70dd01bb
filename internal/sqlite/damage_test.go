package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
	"github.com/incubateurs/portfolio/internal/sqlite/sqlitetest"
)

func sampleDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, seedFill(1)); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestQuickCheckFindsDamage(t *testing.T) {
	ctx := context.Background()
	path := sampleDB(t)
	db, err := sqlite.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := db.QuickCheck(ctx)
	db.Close()
	if err != nil || len(problems) != 0 {
		t.Fatalf("a sound file: %q, %v", problems, err)
	}
	sqlitetest.Corrupt(t, path, "missions")
	db, err = sqlite.OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	problems, err = db.QuickCheck(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) == 0 {
		t.Fatal("QuickCheck found nothing in a damaged file")
	}
}

func TestDamageFoundByAQueryIsRemembered(t *testing.T) {
	ctx := context.Background()
	path := sampleDB(t)
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ready(ctx); err != nil {
		t.Fatal(err)
	}
	sqlitetest.Corrupt(t, path, "startups")

	// Another table still reads; the startups do not.
	if _, err := db.IncubatorsBySlug(ctx, []string{"x"}); err != nil {
		t.Fatalf("incubators: %v", err)
	}
	if err := db.Damaged(); err != nil {
		t.Fatalf("damaged before any query met the damage: %v", err)
	}
	_, err = db.Startups(ctx, sqlite.StartupQuery{Window: portfolio.Window{Limit: 100}, AsOf: portfolio.MustDate("2026-01-01")})
	if !errors.Is(err, portfolio.ErrDamaged) {
		t.Fatalf("startups on damaged pages: %v, want an error that is portfolio.ErrDamaged", err)
	}
	if !strings.Contains(err.Error(), "malformed") {
		t.Errorf("the error lost SQLite's message: %v", err)
	}
	err = db.Ready(ctx)
	if !errors.Is(err, portfolio.ErrDamaged) || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("Ready after the damage was found: %v", err)
	}
}
