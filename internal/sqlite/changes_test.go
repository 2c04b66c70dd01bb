package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// feedSince renders the changes after position after as "Kind slug OP".
func feedSince(t *testing.T, db *sqlite.DB, after int64) ([]string, int64) {
	t.Helper()
	cs, newest, gap, err := db.ChangesSince(context.Background(), after, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if gap {
		t.Fatalf("a gap after %d", after)
	}
	var out []string
	for _, c := range cs {
		if c.At.IsZero() {
			t.Errorf("change %d has no time", c.Seq)
		}
		out = append(out, fmt.Sprintf("%s %s %s", c.Kind, c.Slug, c.Operation))
	}
	return out, newest
}

// TestChangeFeed: each write notes, in its transaction, the records it
// created, updated or deleted; a load its top-level records and a Dataset
// change; a replayed mutation (idempotency key) and a refused one nothing.
func TestChangeFeed(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	got, pos := feedSince(t, db, 0)
	want := []string{
		"Organisation min-jardins CREATED", "Incubator serre CREATED", "Team serre-anim CREATED",
		"Startup arrosoir CREATED", "Member jeanne.pioche CREATED", "Dataset import UPDATED",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("after a first load\n got %q\nwant %q", got, want)
	}

	if _, err := db.UpdateStartup(alice(ctx), "arrosoir", 1, func(s *portfolio.Startup) error {
		s.Pitch = "Arroser mieux"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteCommittee(alice(ctx), "arrosoir/2023-05-20", 1); err != nil {
		t.Fatal(err)
	}
	// Refused: nothing written, nothing noted.
	if _, err := db.UpdateStartup(alice(ctx), "arrosoir", 1, func(s *portfolio.Startup) error { return nil }); portfolio.ErrorCode(err) != portfolio.EConflict {
		t.Fatalf("a stale version: %v, want CONFLICT", err)
	}
	got, pos2 := feedSince(t, db, pos)
	want = []string{"Startup arrosoir UPDATED", "Committee arrosoir/2023-05-20 DELETED"}
	if !slices.Equal(got, want) {
		t.Errorf("after two mutations\n got %q\nwant %q", got, want)
	}
	if p, err := db.ChangePosition(ctx); err != nil || p != pos2 {
		t.Errorf("ChangePosition %d, %v; want %d", p, err, pos2)
	}

	// The same load again: the records are unchanged, but what hangs off
	// them is rewritten: only the Dataset change.
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	got, _ = feedSince(t, db, pos2)
	if want := []string{"Dataset import UPDATED"}; !slices.Equal(got, want) {
		t.Errorf("after the same load\n got %q\nwant %q", got, want)
	}

	// A reader ahead of the feed (a file replaced by an older state) has
	// a gap.
	if _, _, gap, err := db.ChangesSince(ctx, pos2+100, 10); err != nil || !gap {
		t.Errorf("ahead of the feed: gap %v, %v; want a gap", gap, err)
	}
}
