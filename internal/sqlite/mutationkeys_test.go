package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// keyed returns alice's context running under the idempotency key k for
// an input fingerprinted input.
func keyed(ctx context.Context, k, input string) context.Context {
	return portfolio.WithMutationKey(alice(ctx), portfolio.MutationKey{Key: k, Input: input})
}

// rawCount runs a count query on the database file.
func rawCount(t *testing.T, db *sqlite.DB, q string, args ...any) int {
	t.Helper()
	raw, err := sql.Open("sqlite", db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var n int
	if err := raw.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestMutationKeyReplaysTheWholeAnswer(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	patch := func(s *portfolio.Startup) error {
		s.Pitch, s.Thematiques, s.Usertypes = "Arroser juste", []string{"Jardin", "Eau"}, []string{}
		return nil
	}
	first, err := db.UpdateStartup(keyed(ctx, "k1", "input-1"), "arrosoir", 1, patch)
	if err != nil {
		t.Fatal(err)
	}
	audit := rawCount(t, db, "SELECT count(*) FROM audit_log")
	// The retry sends the version it read then, now stale: it is answered,
	// not refused.
	again, err := db.UpdateStartup(keyed(ctx, "k1", "input-1"), "arrosoir", 1, patch)
	if err != nil {
		t.Fatalf("the retry: %v", err)
	}
	if !reflect.DeepEqual(again, first) {
		t.Errorf("the retry answered\n%+v\nthe first attempt\n%+v", again, first)
	}
	if got := rawCount(t, db, "SELECT count(*) FROM audit_log"); got != audit {
		t.Errorf("%d audit entries after the retry, want %d", got, audit)
	}
	if got := rawCount(t, db, "SELECT version FROM startups WHERE slug = 'arrosoir'"); got != 2 {
		t.Errorf("version %d after one write and its retry, want 2", got)
	}
}

// TestMutationKeysAreKeptWithTheirWrite: the key and the write commit
// together: a write that fails keeps no key (so it can be sent again with
// it), and a key that cannot be stored undoes the write.
func TestMutationKeysAreKeptWithTheirWrite(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	committees, audit := rawCount(t, db, "SELECT count(*) FROM committees"), rawCount(t, db, "SELECT count(*) FROM audit_log")

	future := &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.Today().AddDays(5), Decision: portfolio.DecisionContinue}
	if _, err := db.RecordCommittee(keyed(ctx, "form-1", "future"), future, false); portfolio.ErrorCode(err) != portfolio.EInvalid {
		t.Fatalf("a committee in the future: %v, want BAD_USER_INPUT", err)
	}
	if n := rawCount(t, db, "SELECT count(*) FROM mutation_keys"); n != 0 {
		t.Errorf("%d keys kept after a failed write, want 0", n)
	}
	// Corrected, under the same key: it runs.
	fixed := &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2024-02-01"), Decision: portfolio.DecisionContinue}
	if _, err := db.RecordCommittee(keyed(ctx, "form-1", "fixed"), fixed, false); err != nil {
		t.Fatalf("the corrected write under the key of a failed one: %v", err)
	}
	if n := rawCount(t, db, "SELECT count(*) FROM mutation_keys WHERE key = 'form-1' AND mutation = 'recordCommittee'"); n != 1 {
		t.Errorf("%d keys form-1 after the write, want 1", n)
	}

	// A key that cannot be stored: the committee is not written either.
	rawExec(t, db.Path, `CREATE TRIGGER no_keys BEFORE INSERT ON mutation_keys BEGIN SELECT RAISE(ABORT, 'keys refused'); END`)
	other := &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2024-03-01"), Decision: portfolio.DecisionContinue}
	if _, err := db.RecordCommittee(keyed(ctx, "form-2", "other"), other, false); err == nil {
		t.Fatal("the write succeeded although its key could not be stored")
	}
	rawExec(t, db.Path, `DROP TRIGGER no_keys`)
	if got := rawCount(t, db, "SELECT count(*) FROM committees"); got != committees+1 {
		t.Errorf("%d committees, want %d: the write whose key failed was kept", got, committees+1)
	}
	if got := rawCount(t, db, "SELECT count(*) FROM audit_log"); got != audit+1 {
		t.Errorf("%d audit entries, want %d", got, audit+1)
	}
}

func TestMutationKeysExpire(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	m := func(start string) *portfolio.Mission {
		return &portfolio.Mission{MemberSlug: "jeanne.pioche", Start: portfolio.MustDate(start), Status: portfolio.StatusAdmin, Startups: []string{"arrosoir"}}
	}
	if _, err := db.AddMission(keyed(ctx, "old", "a"), m("2024-06-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddMission(keyed(ctx, "old", "b"), m("2024-07-01")); portfolio.ErrorCode(err) != portfolio.EInvalid {
		t.Fatalf("the same key with another input, within its lifetime: %v, want BAD_USER_INPUT", err)
	}
	// A day and a minute later, the key is gone.
	aged := time.Now().UTC().Add(-portfolio.MutationKeyLifetime - time.Minute).Format("2006-01-02T15:04:05.000Z")
	rawExec(t, db.Path, "UPDATE mutation_keys SET created_at = '"+aged+"' WHERE key = 'old'")
	if _, err := db.AddMission(alice(ctx), m("2024-08-01")); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, db, "SELECT count(*) FROM mutation_keys"); n != 0 {
		t.Errorf("%d keys after a write, want 0: the expired one was not pruned", n)
	}
	if _, err := db.AddMission(keyed(ctx, "old", "b"), m("2024-07-01")); err != nil {
		t.Errorf("an expired key with another input: %v, want a new write", err)
	}
	if n := rawCount(t, db, "SELECT count(*) FROM missions m JOIN members b ON b.id = m.member_id WHERE b.slug = 'jeanne.pioche' AND m.source = 'RECORDED'"); n != 3 {
		t.Errorf("%d recorded missions, want 3", n)
	}
}

func TestMutationKeyTooLong(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("k", portfolio.MaxMutationKeyLength+1)
	_, err := db.RecordCommittee(keyed(ctx, long, "x"), &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2024-02-01"), Decision: portfolio.DecisionContinue}, false)
	var perr *portfolio.Error
	if portfolio.ErrorCode(err) != portfolio.EInvalid || !errors.As(err, &perr) || perr.Field != "clientMutationId" {
		t.Errorf("a %d-character key: %v, want BAD_USER_INPUT on clientMutationId", len(long), err)
	}
}
