package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func cmdCheck(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("check", "check [--db PATH] [--repair-lists]", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database to check, which a server may be using (env PORTFOLIO_DB)")
	repair := fs.Bool("repair-lists", false, "when the derived lists (each startup's phases, missions and sponsors as one row) differ from their tables, write them again from the tables, then check again: the only write check makes")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("check takes no arguments (got %q)", fs.Args())}
	}
	db, err := sqlite.OpenExisting(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("check: %w", err)
	}
	defer db.Close()
	if origin, err := db.Origin(ctx); err != nil {
		fmt.Fprintf(stdout, "origin: unreadable (%v)\n", err)
	} else {
		fmt.Fprintf(stdout, "origin: %s\n", origin)
		if n := len(origin.Events); n > 0 && !origin.Events[n-1].Legacy && len(origin.Events[n-1].Counts) > 0 {
			fmt.Fprintf(stdout, "  %s\n", origin.Events[n-1].CountsLine())
		}
	}
	if ds, err := db.Dataset(ctx, portfolio.Today()); err == nil {
		fmt.Fprintln(stdout, recordsLine(ds, portfolio.Today()))
		if st := ds.Sync; st != nil && st.Error != "" {
			fmt.Fprintf(stdout, "last sync failed on %s: %s\n", st.FailedAt.UTC().Format("2006-01-02 15:04 UTC"), st.Error)
		}
	}
	problems, err := db.Check(ctx)
	if err != nil {
		return err
	}
	if *repair && hasListDrift(problems) {
		db.Close()
		if problems, err = repairLists(ctx, *dbPath, stdout); err != nil {
			return err
		}
	}
	if len(problems) == 0 {
		fmt.Fprintln(stdout, "ok")
		return nil
	}
	for _, p := range problems {
		fmt.Fprintln(stdout, p)
	}
	return fmt.Errorf("check: %d %s in %s", len(problems), plural(len(problems), "problem", "problems"), *dbPath)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// hasListDrift reports whether problems names a derived list that differs
// from its tables (sqlite.ListDrift).
func hasListDrift(problems []string) bool {
	for _, p := range problems {
		if strings.HasPrefix(p, sqlite.ListDriftProblem) {
			return true
		}
	}
	return false
}

// repairLists writes the derived lists of the database at path again from
// their tables (sqlite.DB.RepairLists), says which, and checks the
// database again.
func repairLists(ctx context.Context, path string, stdout io.Writer) ([]string, error) {
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("check: repair lists: %w", err)
	}
	defer db.Close()
	drifts, err := db.RepairLists(ctx)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	for _, d := range drifts {
		fmt.Fprintf(stdout, "rewrote %s from the %s (%d startup(s) differed)\n", d.Table, d.Of, len(d.Startups))
	}
	problems, err := db.Check(ctx)
	if err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	return problems, nil
}
