package live_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/live"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func as(ctx context.Context, id int64) context.Context {
	return portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: fmt.Sprintf("t%d", id), Role: portfolio.RoleAdmin})
}

func upsertOrg(t *testing.T, db *sqlite.DB, slug string) {
	t.Helper()
	if _, err := db.UpsertOrganisation(as(context.Background(), 1), &portfolio.Organisation{Slug: slug, Name: "Org " + slug, Type: "autre"}, nil); err != nil {
		t.Fatal(err)
	}
}

// next waits for a change.
func next(t *testing.T, ch <-chan sqlite.Change) sqlite.Change {
	t.Helper()
	select {
	case c, ok := <-ch:
		if !ok {
			t.Fatal("the subscription ended")
		}
		return c
	case <-time.After(hang):
		t.Fatalf("no change within %s", hang)
	}
	return sqlite.Change{}
}

// TestFeed: a subscriber gets the changes committed after it subscribed,
// those its filter selects, as soon as the database says it changed; the
// limits per caller and in all refuse more; ending the context ends the
// subscription and frees its place.
func TestFeed(t *testing.T) {
	db := openDB(t)
	upsertOrg(t, db, "before") // before the feed: not announced
	f := live.New(db, live.Options{MaxPerCaller: 2, MaxSubscriptions: 3, Poll: -1})
	db.OnChange(f.Changed)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	all, err := f.Subscribe(as(ctx, 7), live.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	onlyX, err := f.Subscribe(as(ctx, 7), live.Filter{Slugs: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Subscribe(as(ctx, 7), live.Filter{}); portfolio.ErrorCode(err) != portfolio.ERateLimited {
		t.Errorf("a third subscription of one token: %v, want RATE_LIMITED", err)
	}
	sctx, endOther := context.WithCancel(ctx)
	other, err := f.Subscribe(as(sctx, 8), live.Filter{Kinds: []string{"Startup"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Subscribe(as(ctx, 9), live.Filter{}); portfolio.ErrorCode(err) != portfolio.EUnavailable {
		t.Errorf("past the feed's limit: %v, want UNAVAILABLE", err)
	}

	upsertOrg(t, db, "y")
	upsertOrg(t, db, "x")
	if c := next(t, all); c.Kind != "Organisation" || c.Slug != "y" || c.Operation != sqlite.OpCreated || c.At.IsZero() {
		t.Errorf("first change %+v, want Organisation y CREATED", c)
	}
	if c := next(t, all); c.Slug != "x" {
		t.Errorf("second change %+v, want x", c)
	}
	if c := next(t, onlyX); c.Slug != "x" {
		t.Errorf("the filtered subscription got %+v, want x only", c)
	}
	endOther()
	select {
	case c, ok := <-other:
		if ok {
			t.Errorf("a Startup-only subscription got %+v", c)
		}
	case <-time.After(hang):
		t.Fatal("an ended subscription's channel stayed open")
	}
	if _, err := f.Subscribe(as(ctx, 9), live.Filter{}); err != nil {
		t.Errorf("a place freed, a subscription is refused: %v", err)
	}
	if st := f.Stats(); st.Open != 3 || st.Delivered != 3 {
		t.Errorf("stats %+v, want 3 open, 3 delivered", st)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, ok := <-all; ok {
		t.Error("a subscription outlived its feed")
	}
}

// TestFeedGated: a gated feed (a replicating primary) announces nothing
// until Notify (a position reached the store).
func TestFeedGated(t *testing.T) {
	db := openDB(t)
	f := live.New(db, live.Options{Gated: true})
	db.OnChange(f.Changed)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	ch, err := f.Subscribe(as(ctx, 1), live.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	upsertOrg(t, db, "a")
	if st := f.Stats(); st.Delivered != 0 || st.Position != 0 {
		t.Errorf("before Notify: %+v, want nothing read", st)
	}
	f.Notify()
	if c := next(t, ch); c.Slug != "a" {
		t.Errorf("after Notify: %+v", c)
	}
}

// TestFeedGap: a feed that fell more than the table keeps behind (here,
// three loads of 4,000 records while it was not told) tells its
// subscribers that anything may have changed: one Dataset change without
// a slug, then the changes that follow.
func TestFeedGap(t *testing.T) {
	db := openDB(t)
	f := live.New(db, live.Options{Poll: -1, Buffer: 16})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go f.Run(ctx)
	ch, err := f.Subscribe(as(ctx, 1), live.Filter{Kinds: []string{"Organisation"}})
	if err != nil {
		t.Fatal(err)
	}
	for round := range 3 {
		if _, err := db.Load(context.Background(), sqlite.LoadOptions{}, func(s portfolio.Sink) error {
			for i := range 4000 {
				if err := s.PutOrganisation(context.Background(), &portfolio.Organisation{Slug: fmt.Sprintf("o%d-%d", round, i), Name: "O"}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	f.Notify()
	if c := next(t, ch); c.Kind != sqlite.KindDataset || c.Slug != "" {
		t.Fatalf("after a gap: %+v, want a Dataset change without a slug", c)
	}
	db.OnChange(f.Changed)
	upsertOrg(t, db, "after")
	if c := next(t, ch); c.Slug != "after" {
		t.Errorf("after the gap: %+v, want the next change", c)
	}
	if st := f.Stats(); st.Gaps != 1 {
		t.Errorf("stats %+v, want one gap", st)
	}
}

// TestFeedEndsRevokedTokens: a subscription lasts, but not past its
// token: once the token is revoked, the next check ends it; another
// token's stays.
func TestFeedEndsRevokedTokens(t *testing.T) {
	db := openDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, revoked, err := db.CreateToken(ctx, "soon-revoked", portfolio.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, kept, err := db.CreateToken(ctx, "kept", portfolio.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	f := live.New(db, live.Options{Poll: -1, TokenCheck: 10 * time.Millisecond})
	go f.Run(ctx)
	sub := func(tok *portfolio.Token) <-chan sqlite.Change {
		ch, err := f.Subscribe(portfolio.WithIdentity(ctx, &portfolio.Identity{TokenID: tok.ID, TokenName: tok.Name, Role: tok.Role}), live.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return ch
	}
	a, b := sub(revoked), sub(kept)
	if err := db.RevokeToken(ctx, "soon-revoked"); err != nil {
		t.Fatal(err)
	}
	select {
	case _, ok := <-a:
		if ok {
			t.Fatal("a change instead of the end")
		}
	case <-time.After(hang):
		t.Fatalf("the revoked token's subscription still open after %s", hang)
	}
	select {
	case <-b:
		t.Error("the other token's subscription ended")
	default:
	}
	if n := f.Stats().Open; n != 1 {
		t.Errorf("%d subscriptions open, want 1", n)
	}
}

// hang is how long a test waits for an event before it calls the wait a
// hang: it only stops a test that would never end, and is long enough
// for a loaded machine (the events come in milliseconds).
const hang = 30 * time.Second
