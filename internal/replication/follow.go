package replication

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/superfly/ltx"
)

// The follower: Litestream's restore in follow mode (Replica.Restore with
// Follow), in a process of its own. Litestream applies each new LTX file
// by writing its pages into the copy under SQLite's EXCLUSIVE lock, and
// SQLite's locks are POSIX record locks, which belong to a process: in the
// server's process they would not keep its readers out, and closing any
// descriptor of the file would drop them. So portfolio replica runs the
// follower as a child ("portfolio follow") and reads what it applies.

// FollowOptions configure Follow.
type FollowOptions struct {
	Store *Store
	// Path is the copy: restored from the store when missing, then kept
	// current.
	Path string
	// Interval is how often the store is asked for new positions.
	Interval time.Duration
	// Reseed restores the store's newest state into Path in place, under
	// the database's lock, before following: what a follower that stopped
	// advancing needs (Litestream issue #1515: resuming from the same
	// position stops there again).
	Reseed bool
	Logger *slog.Logger
}

// errFollowerRunning is returned when another follower holds the copy.
var errFollowerRunning = errors.New("another follower runs on this copy")

// PositionFile is the file beside a copy where its follower writes the
// position applied last (Litestream's -txid file).
func PositionFile(path string) string { return litestream.TXIDPath(path) }

// Applied returns the position a copy's follower applied last, 0 when none
// is recorded.
func Applied(path string) (Position, error) {
	return litestream.ReadTXIDFile(path)
}

// lockPath is the file a follower holds locked while it runs.
func lockPath(path string) string { return path + "-follow.lock" }

// FollowerRunning reports whether a follower holds the copy at path.
func FollowerRunning(path string) bool {
	f, err := lockFollower(lockPath(path))
	if err != nil {
		return errors.Is(err, errFollowerRunning)
	}
	f.Close()
	return false
}

// Follow makes Path a copy of the store's newest state when it is missing
// (or o.Reseed), then applies each new position the store receives, until
// ctx ends (nil) or following fails. The position applied last is in
// PositionFile(Path).
func Follow(ctx context.Context, o FollowOptions) error {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	lock, err := lockFollower(lockPath(o.Path))
	if err != nil {
		return fmt.Errorf("follow %s: %w", o.Path, err)
	}
	defer lock.Close()
	if err := o.Store.Init(ctx); err != nil {
		return err
	}
	if _, err := os.Stat(o.Path); errors.Is(err, os.ErrNotExist) {
		if err := restoreCopy(ctx, o.Store, o.Path, o.Logger); err != nil {
			return err
		}
		o.Reseed = false
	} else if err != nil {
		return fmt.Errorf("follow: %w", err)
	} else if pos, err := Applied(o.Path); err != nil {
		return fmt.Errorf("follow %s: %w", o.Path, err)
	} else if pos == 0 && !o.Reseed {
		return fmt.Errorf("follow %s: the file exists but its follower's position (%s) does not: it is not a replica's copy; give a new --db, or delete it to restore it from the store", o.Path, PositionFile(o.Path))
	}
	// The descriptor the invalidating client and reseed write through,
	// kept open until the process ends: closing a descriptor of the file
	// would release the locks Litestream holds on it.
	dbf, err := os.OpenFile(o.Path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("follow: %w", err)
	}
	defer runtime.KeepAlive(dbf)
	if o.Reseed {
		if err := reseed(ctx, o.Store, o.Path, dbf, o.Logger); err != nil {
			return err
		}
	}
	client := &invalidatingClient{ReplicaClient: o.Store.Client, db: dbf}
	r := litestream.NewReplicaWithClient(nil, client)
	opt := litestream.NewRestoreOptions()
	opt.OutputPath = o.Path
	opt.Follow = true
	opt.FollowInterval = o.Interval
	pos, _ := Applied(o.Path)
	o.Logger.Info("following", "store", o.Store.URL, "copy", o.Path, "position", pos.String(), "every", o.Interval)
	if err := r.Restore(ctx, opt); err != nil && ctx.Err() == nil {
		return fmt.Errorf("follow %s: %w", o.Store.URL, err)
	}
	return nil
}

// restoreCopy restores the store's newest state into the new file path.
func restoreCopy(ctx context.Context, st *Store, path string, log *slog.Logger) error {
	start := time.Now()
	tmp := path + ".restoring"
	removeCopy(tmp)
	pos, err := st.restoreNewest(ctx, tmp, log)
	if err != nil {
		removeCopy(tmp)
		return err
	}
	// The position first, then the copy's name: a crash between them
	// leaves no copy, which is restored again.
	if err := litestream.WriteTXIDFile(path, pos); err != nil {
		removeCopy(tmp)
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	log.Info("restored", "store", st.URL, "copy", path, "position", pos.String(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// reseed restores the store's newest state into a temporary file, then
// copies it over path in place, under the database's EXCLUSIVE lock: the
// server reading path keeps its descriptors, and sees the new state at its
// next read transaction.
func reseed(ctx context.Context, st *Store, path string, dst *os.File, log *slog.Logger) error {
	start := time.Now()
	tmp := path + ".reseed"
	removeCopy(tmp)
	defer removeCopy(tmp)
	pos, err := st.restoreNewest(ctx, tmp, log)
	if err != nil {
		return err
	}
	src, err := os.Open(tmp)
	if err != nil {
		return fmt.Errorf("reseed: %w", err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return fmt.Errorf("reseed: %w", err)
	}
	if err := lockExclusive(dst); err != nil {
		return fmt.Errorf("reseed: %w", err)
	}
	err = func() error {
		// The counter the readers saw last, before the copy brings the
		// primary's (which a WAL primary seldom changes, and which may be
		// one the readers saw before): one more than it tells them.
		var seen [4]byte
		if _, err := dst.ReadAt(seen[:], 24); err != nil {
			return err
		}
		if _, err := io.Copy(io.NewOffsetWriter(dst, 0), src); err != nil {
			return err
		}
		if err := dst.Truncate(fi.Size()); err != nil {
			return err
		}
		binary.BigEndian.PutUint32(seen[:], binary.BigEndian.Uint32(seen[:])+1)
		if _, err := dst.WriteAt(seen[:], 24); err != nil {
			return err
		}
		return dst.Sync()
	}()
	if uerr := unlock(dst); err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("reseed %s: %w", path, err)
	}
	if err := litestream.WriteTXIDFile(path, pos); err != nil {
		return fmt.Errorf("reseed: %w", err)
	}
	log.Info("reseeded", "store", st.URL, "copy", path, "position", pos.String(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// removeCopy removes a database file and what SQLite may have left beside
// it.
func removeCopy(path string) {
	for _, s := range []string{"", "-journal", "-wal", "-shm"} {
		os.Remove(path + s)
	}
}

// rollbackMode marks a restored database, which has no WAL beside it, as
// being in rollback-journal mode (header bytes 18 and 19 set to 1, as
// SQLite does when it leaves WAL mode; Litestream's follower writes the
// same into each page 1 it applies): its readers then take the file's
// locks, and see the follower's writes.
func rollbackMode(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("rollback mode: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte{1, 1}, 18); err != nil {
		return fmt.Errorf("rollback mode %s: %w", path, err)
	}
	return f.Sync()
}

// bumpChangeCounter writes a new file change counter (header bytes 24 to
// 27) into the database f: SQLite's readers compare it with the one they
// saw last when a read transaction starts, and drop their page cache when
// it differs. The caller holds the EXCLUSIVE lock.
func bumpChangeCounter(f *os.File) error {
	var b [4]byte
	if _, err := f.ReadAt(b[:], 24); err != nil {
		return fmt.Errorf("change counter: %w", err)
	}
	binary.BigEndian.PutUint32(b[:], binary.BigEndian.Uint32(b[:])+1)
	if _, err := f.WriteAt(b[:], 24); err != nil {
		return fmt.Errorf("change counter: %w", err)
	}
	return nil
}

// invalidatingClient is the store's client as the follower sees it: when
// an LTX file it serves has been read to its end, it bumps the copy's
// change counter (bumpChangeCounter).
//
// Why: Litestream's follower writes a new change counter only when the
// file it applies holds page 1, and a commit on a WAL-mode primary seldom
// writes page 1 (the counter is a rollback-journal device): readers in
// another process then keep stale pages in their caches, and answer from
// them, mixing old pages with new ones (tested in follow_test.go).
//
// When: Litestream (v0.5.18, Replica.applyLTXFile) decodes a file's header,
// takes the EXCLUSIVE lock, writes the pages, truncates, and reads the rest
// of the file to its end (ltx.Decoder.Close reads it whole) before it
// releases the lock; this process holds that lock, so the bump lands under
// it, after the pages. The follower reads store files only to apply them.
//
// It also keeps the listings of levels 1 to 8 for upperListingAge: when the
// store holds no new level-0 file, Litestream's follower lists every one of
// those levels to look for a file that bridges a gap (Replica.fillFollowGap),
// nine listings a poll where one would do; on S3 each is a billed request.
// Compactions write those levels every 30 s at the most often, and a gap
// waits that long at worst before it is bridged.
type invalidatingClient struct {
	litestream.ReplicaClient
	db    *os.File
	bumps atomic.Int64

	mu    sync.Mutex
	upper map[int]upperListing
	now   func() time.Time // nil: time.Now
}

// upperListing is a listing of a level above 0, and when it was made.
type upperListing struct {
	at    time.Time
	infos []*ltx.FileInfo
}

// upperListingAge is how long a listing of levels 1 to 8 is kept.
const upperListingAge = 30 * time.Second

// LTXFiles lists a level; those above 0 and below the snapshots' from a
// listing at most upperListingAge old.
func (c *invalidatingClient) LTXFiles(ctx context.Context, level int, seek ltx.TXID, useMetadata bool) (ltx.FileIterator, error) {
	if level < 1 || level >= litestream.SnapshotLevel || useMetadata {
		return c.ReplicaClient.LTXFiles(ctx, level, seek, useMetadata)
	}
	now := time.Now()
	if c.now != nil {
		now = c.now()
	}
	c.mu.Lock()
	l, ok := c.upper[level]
	c.mu.Unlock()
	if !ok || now.Sub(l.at) >= upperListingAge {
		itr, err := c.ReplicaClient.LTXFiles(ctx, level, 0, false)
		if err != nil {
			return nil, err
		}
		l = upperListing{at: now}
		for itr.Next() {
			l.infos = append(l.infos, itr.Item())
		}
		err = itr.Err()
		if cerr := itr.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, err
		}
		c.mu.Lock()
		if c.upper == nil {
			c.upper = map[int]upperListing{}
		}
		c.upper[level] = l
		c.mu.Unlock()
	}
	var out []*ltx.FileInfo
	for _, info := range l.infos {
		if info.MinTXID >= seek {
			out = append(out, info)
		}
	}
	return ltx.NewFileInfoSliceIterator(out), nil
}

// forget drops the listings kept (a file they named is gone).
func (c *invalidatingClient) forget() {
	c.mu.Lock()
	c.upper = nil
	c.mu.Unlock()
}

// OpenLTXFile opens the file, and bumps the copy's change counter when it
// has been read whole.
func (c *invalidatingClient) OpenLTXFile(ctx context.Context, level int, minTXID, maxTXID ltx.TXID, offset, size int64) (io.ReadCloser, error) {
	rc, err := c.ReplicaClient.OpenLTXFile(ctx, level, minTXID, maxTXID, offset, size)
	if err != nil && level > 0 {
		c.forget()
	}
	if err != nil || offset != 0 || size != 0 {
		return rc, err
	}
	return &atEOF{ReadCloser: rc, fn: func() error {
		c.bumps.Add(1)
		return bumpChangeCounter(c.db)
	}}, nil
}

// atEOF calls fn once, when the stream reaches its end.
type atEOF struct {
	io.ReadCloser
	fn   func() error
	done bool
}

// Read reads, and calls fn at the end of the stream; its error, if any,
// is the read's.
func (r *atEOF) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if err == io.EOF && !r.done {
		r.done = true
		if ferr := r.fn(); ferr != nil {
			return n, ferr
		}
	}
	return n, err
}
