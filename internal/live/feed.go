// Package live fans the change feed out to the subscriptions of the API
// (subscription { changes }): it reads the rows of table changes past the
// position it saw last (sqlite.ChangesSince) when told that the database
// changed, or every Poll, and hands each change to the subscribers whose
// filter it matches. It bounds the subscriptions open at once, in all and
// per caller.
//
// What it announces is what the database holds: a primary's own writes;
// on a replica, the primary's rows as its follower applies them (the rows
// travel with the database), in the primary's order.
package live

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Options configure a Feed; the zero value of each is a sane default.
type Options struct {
	// MaxSubscriptions bounds the subscriptions open at once (default
	// 1,000); MaxPerCaller those of one caller: one token, or one client
	// address for callers without a token (default 20).
	MaxSubscriptions, MaxPerCaller int
	// Poll is how often the feed reads the database when nothing told it
	// of a change: the writes of other processes (an import run beside the
	// server). Default 1 s; negative: never.
	Poll time.Duration
	// Gated makes the feed read only when Notify is called: a replicating
	// primary calls it once a position reached the store, so that what a
	// subscriber learns is what a replica can serve, and what a failover
	// keeps.
	Gated bool
	// Buffer is how many changes a subscriber may have waiting; past it the
	// subscription ends (the client subscribes again and reloads). Default 256.
	Buffer int
	// TokenCheck is how often the tokens of the subscriptions open are
	// checked: those of a token revoked or expired since end. Default 30 s.
	TokenCheck time.Duration
	Logger     *slog.Logger
}

// Filter selects changes; an empty list selects every value. Dataset
// changes (a load, or changes the feed missed) match every filter: they
// say that anything may have changed.
type Filter struct {
	Kinds, Slugs, Operations []string
}

// Match reports whether the filter selects c.
func (f Filter) Match(c sqlite.Change) bool {
	if c.Kind == sqlite.KindDataset {
		return true
	}
	return (len(f.Kinds) == 0 || slices.Contains(f.Kinds, c.Kind)) &&
		(len(f.Slugs) == 0 || slices.Contains(f.Slugs, c.Slug)) &&
		(len(f.Operations) == 0 || slices.Contains(f.Operations, c.Operation))
}

// Feed reads the change feed and hands it out to subscribers.
type Feed struct {
	db   *sqlite.DB
	o    Options
	wake chan struct{}

	mu       sync.Mutex
	subs     map[*sub]struct{}
	byCaller map[string]int
	closed   bool

	position  atomic.Int64
	delivered atomic.Int64
	dropped   atomic.Int64
	gaps      atomic.Int64
	started   chan struct{}
	startOnce sync.Once
}

type sub struct {
	ch      chan sqlite.Change
	filter  Filter
	caller  string
	tokenID int64 // 0 without a token
	once    sync.Once
}

// New returns a feed over db; Run makes it read.
func New(db *sqlite.DB, o Options) *Feed {
	if o.MaxSubscriptions <= 0 {
		o.MaxSubscriptions = 1000
	}
	if o.MaxPerCaller <= 0 {
		o.MaxPerCaller = 20
	}
	if o.Poll == 0 {
		o.Poll = time.Second
	}
	if o.Buffer <= 0 {
		o.Buffer = 256
	}
	if o.TokenCheck <= 0 {
		o.TokenCheck = 30 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Feed{db: db, o: o, wake: make(chan struct{}, 1), subs: map[*sub]struct{}{}, byCaller: map[string]int{}, started: make(chan struct{})}
}

// Notify tells the feed that the database may hold new changes. It never
// blocks.
func (f *Feed) Notify() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Changed is what the database's OnChange calls: Notify, unless the feed
// is gated (then the primary's shipping notifies it).
func (f *Feed) Changed() {
	if !f.o.Gated {
		f.Notify()
	}
}

// Run reads the feed from its newest position until ctx ends; the
// subscriptions open then end.
func (f *Feed) Run(ctx context.Context) error {
	defer f.closeAll()
	pos, err := f.db.ChangePosition(ctx)
	if err != nil {
		f.startOnce.Do(func() { close(f.started) })
		return fmt.Errorf("change feed: %w", err)
	}
	f.position.Store(pos)
	f.startOnce.Do(func() { close(f.started) })
	var tick <-chan time.Time
	if f.o.Poll > 0 && !f.o.Gated {
		t := time.NewTicker(f.o.Poll)
		defer t.Stop()
		tick = t.C
	}
	tokens := time.NewTicker(f.o.TokenCheck)
	defer tokens.Stop()
	var loggedAt time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tokens.C:
			f.checkTokens(ctx)
			continue
		case <-f.wake:
		case <-tick:
		}
		if err := f.read(ctx); err != nil && ctx.Err() == nil && time.Since(loggedAt) > 30*time.Second {
			f.o.Logger.Error("change feed: read failed; retrying", "err", err)
			loggedAt = time.Now()
		}
	}
}

// Started is closed once Run knows its starting position: a change
// committed after it is announced.
func (f *Feed) Started() <-chan struct{} { return f.started }

// read hands out the changes past the position seen last.
func (f *Feed) read(ctx context.Context) error {
	for {
		after := f.position.Load()
		cs, newest, gap, err := f.db.ChangesSince(ctx, after, 500)
		if err != nil {
			return err
		}
		if gap {
			// Rows were pruned past us, or the file was replaced (a
			// replica's reseed): say that anything may have changed, and
			// go on from the newest change (those before it are in what
			// a subscriber reloads).
			if newest, err = f.db.ChangePosition(ctx); err != nil {
				return err
			}
			f.gaps.Add(1)
			f.o.Logger.Warn("change feed: changes missed; subscribers are told to reload", "after", after, "newest", newest)
			f.deliver(sqlite.Change{Seq: newest, At: time.Now().UTC(), Kind: sqlite.KindDataset, Operation: sqlite.OpUpdated})
			f.position.Store(newest)
			return nil
		}
		for _, c := range cs {
			f.deliver(c)
			f.position.Store(c.Seq)
		}
		if len(cs) < 500 {
			return nil
		}
	}
}

// checkTokens ends the subscriptions of tokens that no longer
// authenticate (revoked, expired): a stream is authenticated when it
// opens, and lasts. A token the store cannot tell about keeps its
// subscriptions until the next check.
func (f *Feed) checkTokens(ctx context.Context) {
	f.mu.Lock()
	ids := map[int64]bool{}
	for s := range f.subs {
		if s.tokenID != 0 {
			ids[s.tokenID] = true
		}
	}
	f.mu.Unlock()
	for id := range ids {
		ok, err := f.db.TokenValid(ctx, id)
		if err != nil || ok {
			continue
		}
		f.mu.Lock()
		for s := range f.subs {
			if s.tokenID == id {
				f.removeLocked(s)
			}
		}
		f.mu.Unlock()
		f.o.Logger.Info("change feed: the subscriptions of a token no longer valid ended", "token", id)
	}
}

// deliver gives c to every subscriber whose filter matches it; one that
// cannot take it (its buffer is full: a client not reading) is ended.
func (f *Feed) deliver(c sqlite.Change) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for s := range f.subs {
		if !s.filter.Match(c) {
			continue
		}
		select {
		case s.ch <- c:
			f.delivered.Add(1)
		default:
			f.dropped.Add(1)
			f.removeLocked(s)
		}
	}
}

// callerKey names who subscribes: its token, or its client address
// (WithClient) when it has none.
func callerKey(ctx context.Context) string {
	id := portfolio.IdentityFrom(ctx)
	if id.TokenID != 0 || id.TokenName != "" {
		return fmt.Sprintf("token %d %s", id.TokenID, id.TokenName)
	}
	if c, ok := ctx.Value(clientKey{}).(string); ok && c != "" {
		return "client " + c
	}
	return "anonymous"
}

type clientKey struct{}

// WithClient returns a context naming the client address of a caller
// without a token, whose subscriptions count together.
func WithClient(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// Subscribe opens a subscription for the caller of ctx: the changes
// committed from now on that filter matches, until ctx ends (then the
// channel closes) or the feed stops. It refuses a caller at its limit
// (RATE_LIMITED) and a feed at its own (UNAVAILABLE).
func (f *Feed) Subscribe(ctx context.Context, filter Filter) (<-chan sqlite.Change, error) {
	select {
	case <-f.started:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	caller := callerKey(ctx)
	s := &sub{ch: make(chan sqlite.Change, f.o.Buffer), filter: filter, caller: caller, tokenID: portfolio.IdentityFrom(ctx).TokenID}
	f.mu.Lock()
	switch {
	case f.closed:
		f.mu.Unlock()
		return nil, portfolio.Errorf(portfolio.EUnavailable, "the server is stopping: subscribe again in a moment")
	case f.byCaller[caller] >= f.o.MaxPerCaller:
		f.mu.Unlock()
		e := portfolio.Errorf(portfolio.ERateLimited, "you have %d subscriptions open, the most one caller may: close one first", f.o.MaxPerCaller)
		return nil, e
	case len(f.subs) >= f.o.MaxSubscriptions:
		f.mu.Unlock()
		return nil, portfolio.Errorf(portfolio.EUnavailable, "the server holds %d subscriptions, its limit: retry later", f.o.MaxSubscriptions)
	}
	f.subs[s] = struct{}{}
	f.byCaller[caller]++
	f.mu.Unlock()
	context.AfterFunc(ctx, func() {
		f.mu.Lock()
		f.removeLocked(s)
		f.mu.Unlock()
	})
	return s.ch, nil
}

// removeLocked ends a subscription; f.mu is held.
func (f *Feed) removeLocked(s *sub) {
	if _, ok := f.subs[s]; !ok {
		return
	}
	delete(f.subs, s)
	if f.byCaller[s.caller]--; f.byCaller[s.caller] <= 0 {
		delete(f.byCaller, s.caller)
	}
	s.once.Do(func() { close(s.ch) })
}

// closeAll ends every subscription, and refuses new ones.
func (f *Feed) closeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for s := range f.subs {
		f.removeLocked(s)
	}
}

// Stats are a feed's figures, for /metrics.
type Stats struct {
	// Open is the subscriptions open; Position the feed's position.
	Open     int
	Position int64
	// Delivered counts the changes handed to subscribers, Dropped the
	// subscriptions ended for not reading, Gaps the times changes were
	// missed.
	Delivered, Dropped, Gaps int64
}

// Stats returns the feed's figures.
func (f *Feed) Stats() Stats {
	f.mu.Lock()
	open := len(f.subs)
	f.mu.Unlock()
	return Stats{Open: open, Position: f.position.Load(), Delivered: f.delivered.Load(), Dropped: f.dropped.Load(), Gaps: f.gaps.Load()}
}
