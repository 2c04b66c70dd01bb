package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/litestream"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The primary: Litestream's DB and Store over the server's database file,
// driven by this package rather than by Litestream's background monitors,
// so that nothing reaches the store but through Ship, which first checks
// that no other primary wrote there.

// PrimaryOptions configure StartPrimary.
type PrimaryOptions struct {
	Store *Store
	// Path is the database file, which the server has open (sqlite.OpenWith
	// with NoAutoCheckpoint: Litestream checkpoints it).
	Path string
	// ShipEvery is how often writes not made through the API (an import,
	// a sync, token uses) are shipped; a mutation ships its own at once.
	ShipEvery time.Duration
	// OnFenced is called (once, from the background) when another primary
	// is found writing to the store: the server must stop.
	OnFenced func(error)
	// OnShipped is called with each new position shipped: where a change
	// feed of the primary plugs in (a replica's is
	// SupervisorOptions.OnApplied).
	OnShipped func(Position)
	Logger    *slog.Logger
}

// Primary ships the database's committed transactions to the store.
type Primary struct {
	o     PrimaryOptions
	ldb   *litestream.DB
	lst   *litestream.Store
	mu    sync.Mutex // one Ship at a time
	stop  context.CancelFunc
	done  chan struct{}
	close sync.Once

	position  atomic.Uint64
	shippedAt atomic.Int64 // Unix nanoseconds
	ships     atomic.Int64
	failures  atomic.Int64
	lastNanos atomic.Int64
	fenced    atomic.Pointer[FencedError]
	lastErr   atomic.Pointer[string]
}

// Compaction levels of the store: level 0 holds one file per shipped
// transaction; the others merge them (as Litestream's command does by
// default), so that a restore reads few files. Snapshots (level 9) are
// daily.
var compactionLevels = litestream.CompactionLevels{
	{Level: 0},
	{Level: 1, Interval: 30 * time.Second},
	{Level: 2, Interval: 5 * time.Minute},
	{Level: 3, Interval: time.Hour},
}

// localPosition returns the position Litestream's local state beside the
// database (the .NAME-litestream folder) says the file shipped last; 0
// when there is none.
func localPosition(path string) (Position, error) {
	d := litestream.NewDB(path)
	if _, err := os.Stat(d.MetaPath()); errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	pos, err := d.Pos()
	if err != nil {
		return 0, fmt.Errorf("replication state of %s: %w", path, err)
	}
	return pos.TXID, nil
}

// metaPath is the folder of Litestream's local state beside a database.
func metaPath(path string) string {
	dir, base := filepath.Split(path)
	return filepath.Join(dir, "."+base+litestream.MetaDirSuffix)
}

// StartPrimary starts shipping: it opens Litestream on the database, ships
// what it holds (the whole file, the first time), and from then on what is
// committed, every ShipEvery and at each Ship. CheckFence must have passed.
func StartPrimary(ctx context.Context, o PrimaryOptions) (*Primary, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.ShipEvery <= 0 {
		o.ShipEvery = time.Second
	}
	ldb := litestream.NewDB(o.Path)
	ldb.MonitorInterval = 0 // Ship drives the syncs
	r := litestream.NewReplicaWithClient(ldb, o.Store.Client)
	r.MonitorEnabled = false // Ship uploads
	ldb.Replica = r
	lst := litestream.NewStore([]*litestream.DB{ldb}, compactionLevels)
	lst.Logger = o.Logger
	ldb.SetLogger(o.Logger.With("db", filepath.Base(o.Path)))
	if err := lst.Open(ctx); err != nil {
		return nil, fmt.Errorf("replicate to %s: %w", o.Store.URL, err)
	}
	p := &Primary{o: o, ldb: ldb, lst: lst, done: make(chan struct{})}
	if err := p.Ship(ctx); err != nil {
		cctx := context.Background()
		if IsFenced(err) {
			// Nothing may reach the store: a cancelled context fails
			// Litestream's final sync at once.
			c, cancel := context.WithCancel(cctx)
			cancel()
			cctx = c
		}
		lst.Close(cctx)
		return nil, err
	}
	bg, stop := context.WithCancel(context.Background())
	p.stop = stop
	go p.loop(bg)
	return p, nil
}

// loop ships every ShipEvery until stopped.
func (p *Primary) loop(ctx context.Context) {
	defer close(p.done)
	t := time.NewTicker(p.o.ShipEvery)
	defer t.Stop()
	var loggedAt time.Time
	var last walState
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// Nothing committed since the last ship: no request to the store
		// (on S3 each costs; every second, a primary would list 86,400
		// times a day for nothing).
		now := walStateOf(p.o.Path)
		if now == last && p.lastErr.Load() == nil {
			continue
		}
		err := p.Ship(ctx)
		if err == nil {
			last = now
		}
		var fe *FencedError
		switch {
		case err == nil, ctx.Err() != nil:
		case errors.As(err, &fe):
			return
		case time.Since(loggedAt) >= 30*time.Second:
			p.o.Logger.Error("ship to the store failed; retrying", "store", p.o.Store.URL, "err", err)
			loggedAt = time.Now()
		}
	}
}

// walState is what tells that the WAL changed: its size and time.
type walState struct {
	size int64
	mod  time.Time
}

func walStateOf(path string) walState {
	fi, err := os.Stat(path + "-wal")
	if err != nil {
		return walState{}
	}
	return walState{fi.Size(), fi.ModTime()}
}

// Ship returns once every transaction committed before it was called is
// in the store. Before it uploads, it checks that the store holds nothing
// newer than this primary's position: another primary (a promoted
// replica) writing there fences this one (a *FencedError, and OnFenced).
func (p *Primary) Ship(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if fe := p.fenced.Load(); fe != nil {
		return fe
	}
	start := time.Now()
	err := p.ship(ctx)
	p.lastNanos.Store(int64(time.Since(start)))
	p.ships.Add(1)
	if err != nil {
		p.failures.Add(1)
		s := err.Error()
		p.lastErr.Store(&s)
		return err
	}
	p.lastErr.Store(nil)
	return nil
}

func (p *Primary) ship(ctx context.Context) error {
	local, err := p.ldb.Pos()
	if err != nil {
		return fmt.Errorf("ship to %s: %w", p.o.Store.URL, err)
	}
	newest, err := p.o.Store.NewestL0(ctx)
	if err != nil {
		return fmt.Errorf("ship: %w", err)
	}
	if newest > local.TXID && local.TXID > 0 {
		fe := &FencedError{Store: p.o.Store.URL, Local: local.TXID, StoreNewest: newest, Running: true}
		p.fenced.Store(fe)
		p.o.Logger.Error("another primary writes to the store: this one stops", "store", p.o.Store.URL, "position", local.TXID.String(), "store_position", newest.String())
		if p.o.OnFenced != nil {
			go p.o.OnFenced(fe)
		}
		return fe
	}
	if err := p.ldb.SyncAndWait(ctx); err != nil {
		return fmt.Errorf("ship to %s: %w", p.o.Store.URL, err)
	}
	pos, err := p.ldb.Pos()
	if err != nil {
		return fmt.Errorf("ship to %s: %w", p.o.Store.URL, err)
	}
	if uint64(pos.TXID) != p.position.Load() {
		p.position.Store(uint64(pos.TXID))
		p.shippedAt.Store(time.Now().UnixNano())
		if p.o.OnShipped != nil {
			p.o.OnShipped(pos.TXID)
		}
	}
	return nil
}

// EnsureMark gives the database its generation mark when it has none
// (generation 1: the first primary of the store), and records the store it
// ships to. It returns the mark.
func EnsureMark(ctx context.Context, db *sqlite.DB, st *Store, node string) (*sqlite.ReplicationMark, error) {
	m, err := db.ReplicationMark(ctx)
	if err != nil {
		return nil, err
	}
	if m != nil && m.Store == st.URL {
		return m, nil
	}
	if m == nil {
		m = &sqlite.ReplicationMark{Generation: 1, Node: node, StartedAt: now()}
	}
	m.Store = st.URL
	if err := db.SetReplicationMark(ctx, *m); err != nil {
		return nil, err
	}
	return m, nil
}

// PrimaryStatus is what a primary reports of its shipping.
type PrimaryStatus struct {
	Store string
	// Position is the position shipped last, ShippedAt when.
	Position  Position
	ShippedAt time.Time
	// Ships and Failures count the ships tried and those that failed;
	// LastShip is how long the last one took, LastError why it failed.
	Ships, Failures int64
	LastShip        time.Duration
	LastError       string
	Fenced          bool
}

// Status returns the primary's shipping status.
func (p *Primary) Status() PrimaryStatus {
	st := PrimaryStatus{
		Store: p.o.Store.URL, Position: Position(p.position.Load()),
		Ships: p.ships.Load(), Failures: p.failures.Load(), LastShip: time.Duration(p.lastNanos.Load()),
		Fenced: p.fenced.Load() != nil,
	}
	if ns := p.shippedAt.Load(); ns != 0 {
		st.ShippedAt = time.Unix(0, ns)
	}
	if s := p.lastErr.Load(); s != nil {
		st.LastError = *s
	}
	return st
}

// Close stops the background shipping and closes Litestream, which ships
// what is left unless the primary is fenced. Call it after the server
// stopped writing, before the database closes.
func (p *Primary) Close(ctx context.Context) error {
	var err error
	p.close.Do(func() {
		p.stop()
		<-p.done
		if p.fenced.Load() != nil {
			// Nothing more may reach the store: a cancelled context makes
			// Litestream's final sync fail at once.
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			_ = p.lst.Close(cctx)
			return
		}
		err = p.lst.Close(ctx)
	})
	return err
}
