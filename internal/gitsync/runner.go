package gitsync

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Runner syncs a database in the background (serve --sync-repo): once at
// start, then every period, one sync at a time. Reads never wait for it
// (they use their own connections; a sync writes through the database's
// one writer, in one transaction, after reading and comparing the
// commits). Each sync is logged, and its outcome kept for /metrics and
// /readyz (Status).
type Runner struct {
	s     *Syncer
	db    *sqlite.DB
	every time.Duration
	log   *slog.Logger

	mu sync.Mutex
	st Status
}

// Status is what a Runner's syncs did so far.
type Status struct {
	Repo, Ref string
	// Running says a sync is under way.
	Running bool
	// Syncs and Failures count the syncs tried and those that failed.
	Syncs, Failures int64
	// LastSuccess is when the last successful sync started; LastCommit
	// and LastCommitTime the commit it synced and its commit date.
	LastSuccess    time.Time
	LastCommit     string
	LastCommitTime time.Time
	LastMode       Mode
	// LastDuration is how long the last sync took, successful or not.
	LastDuration time.Duration
	// LastError says why the last sync failed, LastErrorAt when; "" when
	// the last sync succeeded.
	LastError   string
	LastErrorAt time.Time
}

// NewRunner returns a Runner syncing db with s every period.
func NewRunner(s *Syncer, db *sqlite.DB, every time.Duration, log *slog.Logger) *Runner {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{s: s, db: db, every: every, log: log, st: Status{Repo: s.Repo(), Ref: s.opts.Ref}}
}

// Status returns what the syncs did so far.
func (r *Runner) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.st
}

// Run syncs now, then every period, until ctx is done.
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTicker(r.every)
	defer t.Stop()
	for {
		r.Once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// maxLoggedProblems bounds the problems a sync logs one by one.
const maxLoggedProblems = 20

// Once runs one sync, logs it and notes its outcome.
func (r *Runner) Once(ctx context.Context) {
	r.mu.Lock()
	r.st.Running = true
	r.mu.Unlock()
	start := time.Now()
	res, err := r.s.Sync(ctx, r.db)
	d := time.Since(start)

	r.mu.Lock()
	r.st.Running = false
	r.st.Syncs++
	r.st.LastDuration = d
	if res != nil && res.Ref != "" {
		r.st.Ref = res.Ref
	}
	if err != nil {
		r.st.Failures++
		r.st.LastError, r.st.LastErrorAt = err.Error(), start
	} else {
		r.st.LastError, r.st.LastErrorAt = "", time.Time{}
		r.st.LastSuccess, r.st.LastMode = start, res.Mode
		r.st.LastCommit, r.st.LastCommitTime = res.Commit, res.CommittedAt
	}
	r.mu.Unlock()

	if err != nil {
		if ctx.Err() != nil {
			return // shutting down
		}
		r.log.Error("sync failed; the records stay as they were", "repo", r.s.Repo(), "ref", res.Ref, "error", err.Error(),
			"duration_ms", d.Milliseconds())
		return
	}
	attrs := []any{"repo", res.Repo, "ref", res.Ref, "commit", short(res.Commit), "committed", res.CommittedAt.UTC().Format(time.RFC3339),
		"mode", string(res.Mode), "duration_ms", d.Milliseconds()}
	if res.Mode != Unchanged {
		attrs = append(attrs, "files", res.Files, "written", res.Written(), "deleted", len(res.Load.Deleted),
			"renamed", len(res.Load.Renamed), "kept", len(res.Load.Kept), "disagreements", len(res.Load.Disagreements),
			"problems", len(res.Problems), "read_ms", res.Read.Milliseconds(), "apply_ms", res.Apply.Milliseconds())
		if res.Why != "" {
			attrs = append(attrs, "why_full", res.Why)
		}
	}
	r.log.Info("sync", attrs...)
	if res.Load == nil {
		return
	}
	for i, p := range res.Problems {
		if i == maxLoggedProblems {
			r.log.Warn("sync problem", "more", len(res.Problems)-i)
			break
		}
		r.log.Warn("sync problem", "problem", p.String())
	}
	for _, x := range res.Load.Renamed {
		r.log.Info("sync renamed", "record", x.String())
	}
	for _, k := range res.Load.Kept {
		r.log.Warn("sync kept", "record", k.Record.String(), "reason", k.Reason)
	}
}
