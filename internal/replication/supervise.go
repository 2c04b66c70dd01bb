package replication

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// SupervisorOptions configure a Supervisor.
type SupervisorOptions struct {
	Store *Store
	// Path is the copy the follower keeps current.
	Path string
	// Command returns the follower's command (the program's own "follow"
	// on Path; with reseed, its --reseed).
	Command func(reseed bool) *exec.Cmd
	// Interval is how often the follower asks the store for new
	// positions.
	Interval time.Duration
	// CheckEvery is how often the supervisor asks the store for its
	// newest position, for the lag and to find a stall (default: Interval
	// for a directory or an SFTP store, where a listing costs nothing; 5
	// times it, 10 s at least, on S3, where each is a billed request).
	CheckEvery time.Duration
	// StallAfter is how long the copy may stay at one position while the
	// store holds a newer one before the follower counts as stalled and is
	// restarted, reseeding the copy.
	StallAfter time.Duration
	// OnApplied is called with each new position the follower applied:
	// where a change feed plugs in.
	OnApplied func(Position)
	Logger    *slog.Logger
}

// Supervisor runs a replica's follower as a child process, watches the
// position it applies against the store's newest, and restarts it when it
// dies or stalls (Litestream #1515: a follower can stop advancing for
// good, logging nothing, while its process lives on).
type Supervisor struct {
	o       SupervisorOptions
	restart chan struct{}
	ready   chan struct{}
	once    sync.Once

	mu          sync.Mutex
	applied     Position
	appliedAt   time.Time
	newest      Position
	checkedAt   time.Time
	missingAt   time.Time // when the oldest change the copy lacks was shipped
	stalled     bool
	stalls      int64
	restarts    int64
	pid         int
	lastErr     string
	watch       stallWatch
	restartedAt time.Time
}

// NewSupervisor returns a supervisor; Run starts it.
func NewSupervisor(o SupervisorOptions) *Supervisor {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Interval <= 0 {
		o.Interval = time.Second
	}
	if o.StallAfter <= 0 {
		o.StallAfter = 30 * time.Second
	}
	if o.CheckEvery <= 0 {
		o.CheckEvery = o.Interval
		if o.Store.Client.Type() == "s3" {
			o.CheckEvery = max(5*o.Interval, 10*time.Second)
		}
	}
	return &Supervisor{o: o, restart: make(chan struct{}, 1), ready: make(chan struct{}), watch: stallWatch{after: o.StallAfter}}
}

// Run runs the follower and watches it until ctx ends, then stops it.
func (s *Supervisor) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.manage(ctx) })
	s.observe(ctx)
	wg.Wait()
}

// Ready is closed once the copy exists with a position: the server may
// open it.
func (s *Supervisor) Ready() <-chan struct{} { return s.ready }

// manage starts the follower, and starts it again when it ends or is
// stopped, until ctx ends.
func (s *Supervisor) manage(ctx context.Context) {
	// The follower dies with this thread (Pdeathsig): keep it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	reseed := false
	backoff := time.Second
	for ctx.Err() == nil {
		cmd := s.o.Command(reseed)
		if cmd.SysProcAttr == nil {
			cmd.SysProcAttr = childAttr()
		}
		started := time.Now()
		if err := cmd.Start(); err != nil {
			s.noteErr(fmt.Errorf("start the follower: %w", err))
			if !sleep(ctx, backoff) {
				return
			}
			continue
		}
		s.mu.Lock()
		s.pid = cmd.Process.Pid
		s.mu.Unlock()
		s.o.Logger.Info("follower started", "pid", cmd.Process.Pid, "copy", s.o.Path, "store", s.o.Store.URL, "reseed", reseed)
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		var err error
		stopped := false
		select {
		case err = <-exited:
		case <-s.restart:
			stopped = true
			_ = cmd.Process.Kill() // SIGKILL: a stopped process ignores the rest
			err = <-exited
		case <-ctx.Done():
			_ = cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-exited:
			case <-time.After(10 * time.Second):
				_ = cmd.Process.Kill()
				<-exited
			}
			return
		}
		s.mu.Lock()
		s.pid = 0
		s.restarts++
		s.restartedAt = time.Now()
		s.watch.reset()
		s.mu.Unlock()
		// A follower that ended by itself failed (it follows until told
		// to stop); one stopped for stalling resumes no better from its
		// position: both restart from the store's newest state.
		reseed = true
		if stopped {
			s.o.Logger.Warn("follower stopped; restarting it, the copy reseeded from the store", "copy", s.o.Path)
			continue
		}
		s.noteErr(fmt.Errorf("the follower ended: %v", err))
		s.o.Logger.Error("follower ended; restarting it, the copy reseeded from the store", "err", err, "after", time.Since(started).Round(time.Millisecond), "retry_in", backoff)
		if !sleep(ctx, backoff) {
			return
		}
		if time.Since(started) < time.Minute {
			backoff = min(2*backoff, 30*time.Second)
		} else {
			backoff = time.Second
		}
	}
}

// observe reads the applied position often, and the store's newest every
// CheckEvery, until ctx ends.
func (s *Supervisor) observe(ctx context.Context) {
	fast := time.NewTicker(min(50*time.Millisecond, s.o.Interval))
	defer fast.Stop()
	slow := time.NewTicker(s.o.CheckEvery)
	defer slow.Stop()
	s.readApplied()
	s.checkStore(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-fast.C:
			s.readApplied()
		case <-slow.C:
			s.checkStore(ctx)
		}
	}
}

// readApplied reads the follower's position file.
func (s *Supervisor) readApplied() {
	pos, err := Applied(s.o.Path)
	if err != nil || pos == 0 {
		return
	}
	if _, err := os.Stat(s.o.Path); err != nil {
		return
	}
	s.mu.Lock()
	advanced := pos != s.applied
	if advanced {
		s.applied, s.appliedAt = pos, time.Now()
	}
	s.mu.Unlock()
	s.once.Do(func() { close(s.ready) })
	if advanced && s.o.OnApplied != nil {
		s.o.OnApplied(pos)
	}
}

// checkStore asks the store for its newest position, and stops a follower
// that stalled.
func (s *Supervisor) checkStore(ctx context.Context) {
	// Level 0 holds the newest position (Litestream keeps its newest file
	// there after compaction): one listing.
	newest, newestAt, err := s.o.Store.NewestL0At(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.noteErr(err)
		}
		return
	}
	s.mu.Lock()
	applied := s.applied
	var missing time.Time
	s.mu.Unlock()
	if applied < newest {
		missing = newestAt
		if next, err := s.o.Store.NextAfter(ctx, applied); err == nil && next != nil {
			missing = next.CreatedAt
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.newest, s.checkedAt, s.missingAt = newest, time.Now(), missing
	if s.pid == 0 || time.Since(s.restartedAt) < s.o.StallAfter {
		return // a follower (re)starting restores first: give it its time
	}
	if s.watch.observe(time.Now(), s.applied, newest) && !s.stalled {
		s.stalled = true
		s.stalls++
		s.o.Logger.Error("follower stalled: the copy stays at one position while the store moves on (Litestream #1515); restarting it",
			"position", s.applied.String(), "store_position", newest.String(), "for", s.o.StallAfter, "pid", s.pid)
		select {
		case s.restart <- struct{}{}:
		default:
		}
	} else if s.stalled && s.applied >= newest {
		s.stalled = false
	}
}

// noteErr keeps the last error.
func (s *Supervisor) noteErr(err error) {
	s.mu.Lock()
	s.lastErr = err.Error()
	s.mu.Unlock()
}

// ReplicaStatus is what a replica reports of its copy.
type ReplicaStatus struct {
	Store string
	// Applied is the position the copy holds, AppliedAt when it was
	// applied.
	Applied   Position
	AppliedAt time.Time
	// StoreNewest is the store's newest position when it was last asked,
	// at StoreCheckedAt.
	StoreNewest    Position
	StoreCheckedAt time.Time
	// Lag is how long ago the oldest change the copy lacks was shipped: 0
	// when it holds the store's newest position.
	Lag time.Duration
	// Stalled: the follower stopped advancing and is being restarted.
	Stalled bool
	// Stalls and Restarts count the stalls found and the follower's
	// restarts; FollowerPID is its process (0 between two).
	Stalls, Restarts int64
	FollowerPID      int
	LastError        string
}

// Status returns the replica's status.
func (s *Supervisor) Status() ReplicaStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := ReplicaStatus{
		Store: s.o.Store.URL, Applied: s.applied, AppliedAt: s.appliedAt, StoreNewest: s.newest, StoreCheckedAt: s.checkedAt,
		Stalled: s.stalled, Stalls: s.stalls, Restarts: s.restarts, FollowerPID: s.pid, LastError: s.lastErr,
	}
	if s.applied < s.newest && !s.missingAt.IsZero() {
		st.Lag = max(time.Since(s.missingAt), 0)
	}
	return st
}

// stallWatch tells when a copy has stayed at one position, while the store
// held a newer one, for longer than after.
type stallWatch struct {
	after time.Duration
	at    Position
	since time.Time // when the store was first seen ahead of at
}

// observe notes the copy's and the store's positions at now, and reports
// whether the copy has stalled.
func (w *stallWatch) observe(now time.Time, applied, newest Position) bool {
	if applied >= newest {
		w.at, w.since = applied, time.Time{}
		return false
	}
	if applied != w.at || w.since.IsZero() {
		w.at, w.since = applied, now
		return false
	}
	return now.Sub(w.since) >= w.after
}

// reset forgets what the watch saw (a new follower starts).
func (w *stallWatch) reset() { w.at, w.since = 0, time.Time{} }

// sleep waits d, or until ctx ends (false).
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// errNoFollower is returned by WaitReady when the supervisor stopped first.
var errNoFollower = errors.New("the follower stopped before the copy was restored")

// WaitReady waits until the copy exists with a position, or ctx ends.
func (s *Supervisor) WaitReady(ctx context.Context) error {
	select {
	case <-s.ready:
		return nil
	case <-ctx.Done():
		return errNoFollower
	}
}
