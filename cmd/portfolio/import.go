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
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func cmdImport(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("import", "import [--db PATH] [--strict] DIR", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database file, created if missing (env PORTFOLIO_DB); never one holding a seeded network")
	strict := fs.Bool("strict", false, "fail, writing nothing, if the content has any problem")
	if err := fs.parse(args); err != nil {
		return err
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
	origin := &sqlite.OriginEvent{Kind: sqlite.OriginImported, Source: source, Counts: counts}
	res, err := db.Load(ctx, sqlite.LoadOptions{Origin: origin}, func(sink portfolio.Sink) error { return snap.WriteTo(ctx, sink) })
	if err != nil {
		if r := explainOrigin(e, err, dir); r != err {
			return r
		}
		return fmt.Errorf("import: nothing written: %w", err)
	}
	fmt.Fprintf(stdout, "imported %s into %s in %s (read %s)\n", dir, *dbPath, time.Since(start).Round(time.Millisecond), readTime.Round(time.Millisecond))
	for _, k := range []string{"startups", "incubators", "organisations", "members", "missions", "committees", "teams", "phases", "events"} {
		line := fmt.Sprintf("  %-14s %6d", k, counts[k])
		if _, top := res.Created[k]; top || res.Updated[k]+res.Unchanged[k] > 0 {
			line += fmt.Sprintf("   (%d new, %d updated, %d unchanged)", res.Created[k], res.Updated[k], res.Unchanged[k])
		}
		fmt.Fprintln(stdout, line)
	}
	printVocabulary(stdout, snap.Vocabulary)
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
	return nil
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
