package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

func cmdBackup(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("backup", "backup [--db PATH] OUT", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database to copy, which a server may be using (env PORTFOLIO_DB)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{"backup takes one argument: the new file to write (never overwritten)"}
	}
	out := fs.Arg(0)
	start := time.Now()
	db, err := sqlite.OpenExisting(ctx, *dbPath)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if err := db.Backup(ctx, out); err != nil {
		return err
	}
	fi, err := os.Stat(out)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %s in %s (integrity check ok)\n", *dbPath, out, byteSize(fi.Size()), time.Since(start).Round(time.Millisecond))
	return nil
}

// byteSize formats a size in bytes with decimal units: "532 B", "12.3 MB".
func byteSize(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	unit := "kB"
	for _, u := range []string{"MB", "GB", "TB"} {
		if f < 999_950 {
			break
		}
		f /= 1000
		unit = u
	}
	return fmt.Sprintf("%.1f %s", f/1000, unit)
}
