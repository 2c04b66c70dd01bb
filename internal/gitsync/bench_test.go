package gitsync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/incubateurs/portfolio/internal/gitsync"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// realRepo is a git repository of the real snapshot (PORTFOLIO_SNAPSHOT,
// its content folder), committed with go-git, and a database synced to
// it: made once per test process, shared by the benchmarks.
type realRepo struct {
	top        string // the temporary folder holding it all
	dir, clone string
	w          *git.Worktree
	db         *sqlite.DB
	clock      time.Time
	n          int
}

var (
	realOnce sync.Once
	real     *realRepo
	realErr  error
)

// TestMain removes the repository of the real snapshot once the
// benchmarks that share it ran.
func TestMain(m *testing.M) {
	code := m.Run()
	if real != nil {
		real.db.Close()
		os.RemoveAll(real.top)
	}
	os.Exit(code)
}

func realSnapshotRepo(b *testing.B) *realRepo {
	b.Helper()
	content := os.Getenv("PORTFOLIO_SNAPSHOT")
	if content == "" {
		b.Skip("PORTFOLIO_SNAPSHOT is not set; set it to the content folder of a beta.gouv.fr snapshot to run this")
	}
	realOnce.Do(func() { real, realErr = makeRealRepo(b, content) })
	if realErr != nil {
		b.Fatal(realErr)
	}
	return real
}

func makeRealRepo(b *testing.B, content string) (*realRepo, error) {
	ctx := context.Background()
	top, err := os.MkdirTemp("", "portfolio-sync-bench-")
	if err != nil {
		return nil, err
	}
	r := &realRepo{top: top, dir: filepath.Join(top, "beta.gouv.fr"), clone: filepath.Join(top, "synced.db.sync"),
		clock: time.Date(2026, 8, 20, 18, 0, 0, 0, time.UTC)}
	start := time.Now()
	if err := os.CopyFS(filepath.Join(r.dir, "content"), os.DirFS(content)); err != nil {
		return nil, err
	}
	repo, err := git.PlainInit(r.dir, false)
	if err != nil {
		return nil, err
	}
	if r.w, err = repo.Worktree(); err != nil {
		return nil, err
	}
	if err := r.commit(); err != nil {
		return nil, err
	}
	b.Logf("a repository of %s, committed with go-git in %s", content, time.Since(start).Round(time.Millisecond))
	if r.db, err = sqlite.Open(ctx, filepath.Join(top, "synced.db")); err != nil {
		return nil, err
	}
	s, err := gitsync.New(gitsync.Options{Repo: r.dir, Dir: r.clone})
	if err != nil {
		return nil, err
	}
	start = time.Now()
	res, err := s.Sync(ctx, r.db)
	if err != nil {
		return nil, err
	}
	b.Logf("the first sync (clone, the whole tree): %s (read %s, written in %s)", time.Since(start).Round(time.Millisecond),
		res.Read.Round(time.Millisecond), res.Apply.Round(time.Millisecond))
	return r, nil
}

func (r *realRepo) commit() error {
	if err := r.w.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return err
	}
	r.clock = r.clock.Add(time.Hour)
	sig := &object.Signature{Name: "bench", Email: "bench@example.org", When: r.clock}
	_, err := r.w.Commit("bench", &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	return err
}

// changeOneFile changes one startup's pitch and commits.
func (r *realRepo) changeOneFile() error {
	r.n++
	p := filepath.Join(r.dir, "content", "_startups", "dossierfacile.md")
	data, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	body := fmt.Sprintf("\nUne ligne ajoutée par le banc d'essai (%d).\n", r.n)
	if err := os.WriteFile(p, append(data, body...), 0o644); err != nil {
		return err
	}
	return r.commit()
}

// reportMedian reports the median of the times measured, in ms.
func reportMedian(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkSyncRealSnapshot syncs a repository of the real snapshot
// (4,358 files): with no new commit, and with a commit changing one file,
// as the command line does (a new Syncer each time, reading the parse
// cache the last one left in the clone's folder), as a server does (one
// Syncer), and as the first sync after an upgrade does (no parse cache).
// bench/sync.sh runs it and prints the medians.
func BenchmarkSyncRealSnapshot(b *testing.B) {
	r := realSnapshotRepo(b)
	ctx := context.Background()
	newSyncer := func(b *testing.B) *gitsync.Syncer {
		s, err := gitsync.New(gitsync.Options{Repo: r.dir, Dir: r.clone})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	run := func(b *testing.B, s *gitsync.Syncer, want gitsync.Mode) time.Duration {
		start := time.Now()
		res, err := s.Sync(ctx, r.db)
		d := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if res.Mode != want || (want == gitsync.Incremental && res.Files != 1) {
			b.Fatalf("mode %s, %d files, want %s (%s)", res.Mode, res.Files, want, res.Why)
		}
		return d
	}
	b.Run("unchanged/command-line", func(b *testing.B) {
		var times []time.Duration
		for b.Loop() {
			times = append(times, run(b, newSyncer(b), gitsync.Unchanged))
		}
		reportMedian(b, times)
	})
	b.Run("one-file/command-line", func(b *testing.B) {
		var times []time.Duration
		for range b.N {
			if err := r.changeOneFile(); err != nil {
				b.Fatal(err)
			}
			times = append(times, run(b, newSyncer(b), gitsync.Incremental))
		}
		reportMedian(b, times)
	})
	b.Run("one-file/server", func(b *testing.B) {
		s := newSyncer(b)
		var times []time.Duration
		for range b.N {
			if err := r.changeOneFile(); err != nil {
				b.Fatal(err)
			}
			times = append(times, run(b, s, gitsync.Incremental))
		}
		reportMedian(b, times)
	})
	b.Run("one-file/no-parse-cache", func(b *testing.B) {
		var times []time.Duration
		for range b.N {
			if err := r.changeOneFile(); err != nil {
				b.Fatal(err)
			}
			if err := os.Remove(filepath.Join(r.clone, "parsed.gob")); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
			times = append(times, run(b, newSyncer(b), gitsync.Incremental))
		}
		reportMedian(b, times)
	})
}
