package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/internal/gitsync"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func cmdSync(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("sync", "sync [--db PATH] --repo URL [--ref BRANCH] [--clone DIR]", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database file, created if missing (env PORTFOLIO_DB); never one holding a seeded network")
	repo := fs.String("repo", e.get("PORTFOLIO_SYNC_REPO"), "the network's git repository: a local path, file:// or https:// URL, e.g. https://github.com/betagouv/beta.gouv.fr (env PORTFOLIO_SYNC_REPO)")
	ref := fs.String("ref", e.get("PORTFOLIO_SYNC_REF"), "the branch to follow; default: the repository's default branch (env PORTFOLIO_SYNC_REF)")
	clone := fs.String("clone", "", "the folder of the bare clone kept between syncs; default: the database's path followed by .sync")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("sync takes no arguments (got %q); the repository is --repo", fs.Args())}
	}
	if *repo == "" {
		fs.Usage()
		return usageError{"sync needs --repo: the network's git repository (a local path, file:// or https:// URL)"}
	}
	if *clone == "" {
		*clone = gitsync.CloneDir(*dbPath)
	}
	if err := checkOrigin(ctx, e, *dbPath, sqlite.OriginImported, false, *repo); err != nil {
		return syncRefusal(e, err, *dbPath, *repo)
	}
	s, err := gitsync.New(gitsync.Options{Repo: *repo, Ref: *ref, Dir: *clone})
	if err != nil {
		return usageError{err.Error()}
	}
	db, err := sqlite.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stderr, "syncing %s into %s (clone: %s)…\n", s.Repo(), *dbPath, *clone)
	res, err := s.Sync(ctx, db)
	if err != nil {
		if r := syncRefusal(e, err, *dbPath, *repo); r != err {
			return r
		}
		return fmt.Errorf("%w; nothing written", err)
	}
	printSync(stdout, *dbPath, res)
	return nil
}

// printSync prints what a sync did.
func printSync(stdout io.Writer, dbPath string, res *gitsync.Result) {
	fmt.Fprintf(stdout, "synced %s (%s) at commit %s of %s into %s in %s\n", res.Repo, res.Ref, shortHash(res.Commit),
		res.CommittedAt.Format("2006-01-02 15:04 -0700"), dbPath, res.Duration.Round(time.Millisecond))
	switch res.Mode {
	case gitsync.Unchanged:
		fmt.Fprintln(stdout, "  unchanged: the branch's head is the commit already synced; nothing read or written")
		return
	case gitsync.Incremental:
		fmt.Fprintf(stdout, "  %d %s changed since %s: the records that differ written (read %s, written in %s)\n", res.Files,
			plural(res.Files, "file", "files"), shortHash(res.Previous), res.Read.Round(time.Millisecond), res.Apply.Round(time.Millisecond))
	case gitsync.Full:
		fmt.Fprintf(stdout, "  the whole tree compared with the database (%s; read %s, written in %s)\n", res.Why,
			res.Read.Round(time.Millisecond), res.Apply.Round(time.Millisecond))
	}
	fmt.Fprintf(stdout, "records dated %s (the commit's date)\n", res.CommittedAt.Format("2006-01-02"))
	printCounts(stdout, res.Counts, res.Load)
	if len(res.Problems) > 0 {
		skipped := 0
		for _, p := range res.Problems {
			if p.Skipped {
				skipped++
			}
		}
		fmt.Fprintf(stdout, "%d problems in the files read (%d records or items skipped, the others mapped; %d in the whole tree):\n",
			len(res.Problems), skipped, res.AllProblems)
		for _, p := range res.Problems {
			mark := "mapped "
			if p.Skipped {
				mark = "skipped"
			}
			fmt.Fprintf(stdout, "  %s %s\n", mark, p)
		}
	}
	printLoadReport(stdout, res.Load)
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// syncRefusal turns the refusal of a sync into a database holding a
// synthetic network into advice; other errors are returned as they are.
func syncRefusal(e env, err error, dbPath, repo string) error {
	var oe *sqlite.OriginError
	if !errors.As(err, &oe) {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "sync: refusing to write the repository's records into %s: it holds %s.\n", dbPath, oe.Have)
	b.WriteString("  Real records would mix with invented ones, for good. Nothing was written.\n")
	fmt.Fprintf(&b, "  sync into a new file:  %s", e.cmdline("sync --db "+shellQuote(freshName(dbPath, "synced"))+" --repo "+shellQuote(repo)))
	return originRefusal{msg: b.String(), err: oe}
}
