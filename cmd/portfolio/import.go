package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/gitsync"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func cmdImport(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("import", "import [--db PATH] [--strict] [--prune] [--records-date YYYY-MM-DD] DIR", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database file, created if missing (env PORTFOLIO_DB); never one holding a seeded network")
	strict := fs.Bool("strict", false, "fail, writing nothing, if the content has any problem")
	prune := fs.Bool("prune", false, "also delete the records the folder no longer has (with what hangs off them), and rename the startups renamed with redirect_from,\nas a sync does; what was written through the API is kept and reported. Without it, an import never deletes")
	recordsDate := fs.String("records-date", "", "the day the records describe (the snapshot's date), when you know it; otherwise the newest date found in the records,\nup to today, the newest thousandth set aside (plans and typos)")
	if err := fs.parse(args); err != nil {
		return err
	}
	var asOf portfolio.Date
	if *recordsDate != "" {
		d, err := portfolio.ParseDate(*recordsDate)
		if err != nil {
			return usageError{fmt.Sprintf("--records-date %q: %v", *recordsDate, err)}
		}
		asOf = d
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{"import takes one folder: a beta.gouv.fr repository or its content/ folder"}
	}
	dir := fs.Arg(0)
	if err := checkOrigin(ctx, e, *dbPath, sqlite.OriginImported, false, dir); err != nil {
		return err
	}
	start := time.Now()
	bar := newProgress(stderr, "reading")
	snap, err := betagouv.Read(ctx, dir, betagouv.Options{Progress: bar.update})
	bar.done()
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	readTime := time.Since(start)
	skipped := 0
	for _, p := range snap.Problems {
		if p.Skipped {
			skipped++
		}
	}
	if len(snap.Problems) > 0 {
		fmt.Fprintf(stdout, "%d problems (%d records or items skipped, the others mapped):\n", len(snap.Problems), skipped)
		for _, p := range snap.Problems {
			mark := "mapped "
			if p.Skipped {
				mark = "skipped"
			}
			fmt.Fprintf(stdout, "  %s %s\n", mark, p)
		}
	}
	if *strict && len(snap.Problems) > 0 {
		return fmt.Errorf("import: --strict: %d problems in %s, nothing written", len(snap.Problems), dir)
	}
	db, err := sqlite.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	counts := snap.Counts()
	source, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	origin := &sqlite.OriginEvent{Kind: sqlite.OriginImported, Source: source, Counts: counts, Method: sqlite.MethodImport,
		RecordsAsOf: asOf, RecordsBasis: sqlite.BasisStated}
	if asOf.IsZero() {
		origin.RecordsAsOf, origin.RecordsBasis = snap.RecordsDate(portfolio.Today()), sqlite.BasisRecords
		if origin.RecordsAsOf.IsZero() {
			origin.RecordsAsOf, origin.RecordsBasis = portfolio.Today(), sqlite.BasisImportDay
		}
	}
	opts := sqlite.LoadOptions{Origin: origin}
	fill := func(sink portfolio.Sink) error { return snap.WriteTo(ctx, sink) }
	if *prune {
		origin.Method = sqlite.MethodPrune
		fill, opts.Follow = gitsync.FullComparison(snap)
	}
	res, err := db.Load(ctx, opts, fill)
	if err != nil {
		if r := explainOrigin(e, err, dir); r != err {
			return r
		}
		return fmt.Errorf("import: nothing written: %w", err)
	}
	fmt.Fprintf(stdout, "imported %s into %s in %s (read %s)\n", dir, *dbPath, time.Since(start).Round(time.Millisecond), readTime.Round(time.Millisecond))
	fmt.Fprintf(stdout, "records dated %s (%s)\n", origin.RecordsAsOf, basisText(origin.RecordsBasis))
	printCounts(stdout, counts, res)
	printVocabulary(stdout, snap.Vocabulary)
	printLoadReport(stdout, res)
	return nil
}

// basisText says what dated the records, for the command line.
func basisText(basis string) string {
	switch basis {
	case sqlite.BasisCommit:
		return "the commit's date"
	case sqlite.BasisRecords:
		return "the newest date found in the records; --records-date to state it"
	case sqlite.BasisStated:
		return "--records-date"
	case sqlite.BasisSeed:
		return "the synthetic network's fixed today"
	}
	return "the day of the import: the records hold no date"
}

// printCounts prints the counts per kind of a snapshot, with what the load
// did to each kind of top-level record.
func printCounts(stdout io.Writer, counts map[string]int, res *sqlite.LoadResult) {
	for _, k := range []string{"startups", "incubators", "organisations", "members", "missions", "committees", "teams", "phases", "events"} {
		line := fmt.Sprintf("  %-14s %6d", k, counts[k])
		if _, top := res.Created[k]; top || res.Updated[k]+res.Unchanged[k] > 0 {
			line += fmt.Sprintf("   (%d new, %d updated, %d unchanged)", res.Created[k], res.Updated[k], res.Unchanged[k])
		}
		fmt.Fprintln(stdout, line)
	}
}

// printLoadReport prints what a load did besides writing: the records
// deleted, renamed and kept when it followed its source, what the API
// wrote that it did not undo, and the records it did not mention.
func printLoadReport(stdout io.Writer, res *sqlite.LoadResult) {
	if len(res.Deleted) > 0 {
		fmt.Fprintf(stdout, "%d %s deleted (no longer in the source):", len(res.Deleted), plural(len(res.Deleted), "record", "records"))
		for i, r := range res.Deleted {
			if i == 20 {
				fmt.Fprintf(stdout, " … and %d more", len(res.Deleted)-20)
				break
			}
			fmt.Fprint(stdout, " ", r)
		}
		fmt.Fprintln(stdout)
	}
	for _, r := range res.Renamed {
		fmt.Fprintf(stdout, "renamed (redirect_from): %s\n", r)
	}
	if len(res.Kept) > 0 {
		fmt.Fprintf(stdout, "%d %s deleted in the source kept (written through the API, or still referred to):\n", len(res.Kept), plural(len(res.Kept), "record", "records"))
		for _, k := range res.Kept {
			fmt.Fprintf(stdout, "  %s: %s\n", recordFile(k.Record), k.Reason)
		}
	}
	if len(res.Skipped) > 0 {
		fmt.Fprintf(stdout, "%d %s of the snapshot deleted through the API (not re-created):\n", len(res.Skipped), plural(len(res.Skipped), "record", "records"))
		for _, s := range res.Skipped {
			fmt.Fprintf(stdout, "  %s: %s\n", recordFile(s.In), s)
		}
	}
	if len(res.Disagreements) > 0 {
		fmt.Fprintf(stdout, "%d %s written through the API where the snapshot disagrees (kept as written):\n", len(res.Disagreements), plural(len(res.Disagreements), "field", "fields"))
		for _, d := range res.Disagreements {
			fmt.Fprintf(stdout, "  %s: %s\n", recordFile(d.In), d)
		}
	}
	for _, k := range sqlite.Kinds {
		if a := res.Absent[k]; len(a) > 0 {
			fmt.Fprintf(stdout, "%d %s in the database are absent from this snapshot (kept, not deleted):", len(a), k)
			for i, s := range a {
				if i == 20 {
					fmt.Fprintf(stdout, " … and %d more", len(a)-20)
					break
				}
				fmt.Fprint(stdout, " ", s)
			}
			fmt.Fprintln(stdout)
		}
	}
}

// printVocabulary lists the phase names of the records that are not
// today's: each mapping of the older vocabulary applied, then each name of
// neither vocabulary, with their counts.
func printVocabulary(w io.Writer, uses []betagouv.VocabularyUse) {
	var mapped, unknown []betagouv.VocabularyUse
	for _, u := range uses {
		if u.Mapping != nil {
			mapped = append(mapped, u)
		} else {
			unknown = append(unknown, u)
		}
	}
	name := func(u betagouv.VocabularyUse) string {
		if u.Name == "" {
			return "(no name)"
		}
		if u.Label == "" {
			return u.Name
		}
		return u.Name + " « " + u.Label + " »"
	}
	if len(mapped) > 0 {
		fmt.Fprintln(w, "phases named in an older vocabulary, mapped onto today's (the record's word is kept: PhasePeriod.sourceName):")
		for _, u := range mapped {
			line := "  " + padRight(name(u)+" → "+string(u.Phase), 60) + fmt.Sprintf(" %6d", u.Count)
			if u.Mapping.When != "" {
				line += "   (" + u.Mapping.When + ")"
			}
			fmt.Fprintln(w, line)
		}
	}
	if len(unknown) > 0 {
		fmt.Fprintln(w, "phases named in neither vocabulary, imported as UNKNOWN, out of incubation (each reported above):")
		for _, u := range unknown {
			fmt.Fprintf(w, "  %s %6d\n", padRight(name(u), 60), u.Count)
		}
	}
}

// padRight pads s with spaces to n characters (runes, not bytes: the
// labels are French).
func padRight(s string, n int) string {
	return s + strings.Repeat(" ", max(0, n-utf8.RuneCountInString(s)))
}

// contentFolders maps the kinds of top-level records to their folder of
// beta.gouv.fr content.
var contentFolders = map[string]string{
	"organisations": "_organisations", "incubators": "_incubators", "teams": "_teams", "startups": "_startups", "members": "_authors",
}

// recordFile returns the file of the snapshot that holds a top-level
// record, relative to the content folder.
func recordFile(r sqlite.Ref) string {
	if f, ok := contentFolders[r.Kind]; ok {
		return f + "/" + r.Slug + ".md"
	}
	return r.String()
}
