package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// PromoteOptions configure Promote.
type PromoteOptions struct {
	Store *Store
	// Path is the stopped replica's copy (restored from the store when
	// missing).
	Path string
	// Node names the new primary in its generation mark.
	Node string
	// CatchUp bounds how long following may take to reach the store's
	// newest position; past it the copy is restored whole instead (a
	// follower that cannot bridge a gap, Litestream #1515).
	CatchUp time.Duration
	Logger  *slog.Logger
}

// PromoteResult is what Promote did.
type PromoteResult struct {
	// From is the store's position the copy caught up to, Generation the
	// one it now holds.
	From       Position
	Generation int64
	// How says how it caught up: "already there", "followed from P",
	// "restored".
	How  string
	Took time.Duration
}

// Promote makes a stopped replica's copy the next primary's file: it
// brings it to the store's newest position (by following, else by a whole
// restore), checks that the store did not move meanwhile (a primary still
// writing), then gives it the next generation, from that position, and
// clears what made it a replica (its follower's position). serve --db
// PATH --replicate-to STORE then carries on from there.
func Promote(ctx context.Context, o PromoteOptions) (*PromoteResult, error) {
	start := time.Now()
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.CatchUp <= 0 {
		o.CatchUp = time.Minute
	}
	if err := o.Store.Init(ctx); err != nil {
		return nil, err
	}
	if FollowerRunning(o.Path) {
		return nil, fmt.Errorf("promote: a follower still runs on %s: stop the replica first", o.Path)
	}
	newest, _, err := o.Store.Newest(ctx)
	if err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	if newest == 0 {
		return nil, fmt.Errorf("promote: %w", ErrEmptyStore)
	}
	res := &PromoteResult{}
	if _, err := os.Stat(o.Path); errors.Is(err, os.ErrNotExist) {
		if err := restoreCopy(ctx, o.Store, o.Path, o.Logger); err != nil {
			return nil, fmt.Errorf("promote: %w", err)
		}
		res.How = "restored"
	} else if err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	} else {
		applied, err := Applied(o.Path)
		if err != nil {
			return nil, fmt.Errorf("promote: %w", err)
		}
		if applied == 0 {
			return nil, fmt.Errorf("promote: %s has no follower's position (%s): it is not a replica's copy; give a new --db to start from the store alone", o.Path, PositionFile(o.Path))
		}
		res.How = "already there"
		if applied < newest {
			res.How = "followed from " + applied.String()
			if got := catchUp(ctx, o, newest); got < newest {
				o.Logger.Warn("following did not reach the store's newest position: restoring the copy whole", "position", got.String(), "store_position", newest.String())
				removeCopy(o.Path)
				if err := restoreCopy(ctx, o.Store, o.Path, o.Logger); err != nil {
					return nil, fmt.Errorf("promote: %w", err)
				}
				res.How = "restored (following stopped at " + got.String() + ")"
			}
		}
	}
	applied, err := Applied(o.Path)
	if err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	now2, _, err := o.Store.Newest(ctx)
	if err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	if now2 != applied {
		return nil, fmt.Errorf("promote: the store moved while the copy caught up (position %s, now %s): its primary still writes; stop it, then promote again", applied, now2)
	}
	res.From = applied

	db, err := sqlite.Open(ctx, o.Path)
	if err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	mark, err := db.ReplicationMark(ctx)
	if err == nil {
		gen := int64(1)
		if mark != nil {
			gen = mark.Generation + 1
		}
		res.Generation = gen
		err = db.SetReplicationMark(ctx, sqlite.ReplicationMark{Generation: gen, Store: o.Store.URL, Node: o.Node, StartedAt: now(), FromPosition: uint64(applied)})
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	for _, p := range []string{PositionFile(o.Path), lockPath(o.Path)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("promote: %w", err)
		}
	}
	if err := os.RemoveAll(metaPath(o.Path)); err != nil {
		return nil, fmt.Errorf("promote: %w", err)
	}
	res.Took = time.Since(start)
	return res, nil
}

// catchUp follows the store until the copy reaches target, or CatchUp
// passes; it returns the position reached.
func catchUp(ctx context.Context, o PromoteOptions, target Position) Position {
	fctx, cancel := context.WithTimeout(ctx, o.CatchUp)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Follow(fctx, FollowOptions{Store: o.Store, Path: o.Path, Interval: 50 * time.Millisecond, Logger: o.Logger})
	}()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if pos, _ := Applied(o.Path); pos >= target {
			cancel()
			<-done
			return pos
		}
		select {
		case err := <-done:
			if err != nil {
				o.Logger.Warn("following failed", "err", err)
			}
			pos, _ := Applied(o.Path)
			return pos
		case <-t.C:
		}
	}
}
