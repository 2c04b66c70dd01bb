package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

type portfolioSink = portfolio.Sink

func cmdSeed(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("seed", "seed [--db PATH] [--scale N] [--add]", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database file, created if missing (env PORTFOLIO_DB); never one holding imported records")
	scale := fs.Int("scale", 1, "size of the synthetic network: 1 is about the real one (~660 startups, ~3,500 members)")
	add := fs.Bool("add", false, "write into a database already seeded (by default a seed needs a new or empty one)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if *scale < 1 || *scale > 10000 {
		return usageError{fmt.Sprintf("--scale must be between 1 and 10000 (got %d)", *scale)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("seed takes no arguments (got %q)", fs.Args())}
	}
	scaleArg := strconv.Itoa(*scale)
	if err := checkOrigin(ctx, e, *dbPath, sqlite.OriginSeeded, *add, scaleArg); err != nil {
		return err
	}
	db, err := sqlite.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	bar := newProgress(stderr, "seeding")
	start := time.Now()
	counts, err := seedInto(ctx, db, *scale, *add, bar.update)
	bar.done()
	if err != nil {
		if r := explainOrigin(e, err, scaleArg); r != err {
			return r
		}
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Fprintf(stdout, "seeded %s at scale %d in %s\n", *dbPath, *scale, time.Since(start).Round(time.Millisecond))
	fmt.Fprintf(stdout, "  %d organisations, %d incubators, %d teams, %d startups (%d phases, %d committees, %d events), %d members, %d missions\n",
		counts.Organisations, counts.Incubators, counts.Teams, counts.Startups, counts.Phases, counts.Committees, counts.Events, counts.Members, counts.Missions)
	return nil
}
