// Package betagouv reads the content of the beta.gouv.fr repository
// (markdown files with YAML front matter, one folder per kind of record) into
// the domain types of package portfolio.
//
// Read loads a content folder into a Snapshot: every record that can be
// loaded, references checked, the older shapes of the repository mapped onto
// the model, and a Problem for everything that could not be loaded as it
// stands. Snapshot.WriteTo then hands the records to a portfolio.Sink in
// dependency order.
package betagouv

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Options tune Read.
type Options struct {
	// Progress, when not nil, is called while files are read with the number
	// of files done so far and the total. Calls come from one goroutine at a
	// time, in increasing order of done.
	Progress func(done, total int)
	// Cache, when not nil, keeps what each file parsed to, by its path and
	// content: a file read again unchanged (the same commit read twice,
	// or two commits of a repository) is not parsed again.
	Cache *Cache
	// ContentKey, when not nil, names the content of a file (its path in
	// the file system read) without reading it, as a git blob hash does:
	// the cache then finds a file by it, and reads it only when it does
	// not hold it.
	ContentKey func(path string) (string, bool)
}

// Problem is one thing in the content that could not be loaded as it stands.
type Problem struct {
	// File is the path of the file (or folder) relative to the content
	// folder, with forward slashes: "_startups/x.md", "_teams".
	File string
	// Field names the offending field, with 0-based list indexes:
	// "phases[2].start", "missions[0].startups". It is "" when the problem
	// concerns the whole file.
	Field string
	// Reason says what is wrong and what was done about it.
	Reason string
	// Skipped is true when the record (or the list item named by Field) was
	// not loaded; otherwise it was loaded, mapped or repaired as Reason says.
	Skipped bool
}

// String formats the problem as "file: field: reason", followed by
// " (skipped)" when the record or item was not loaded.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	if p.Skipped {
		b.WriteString(" (skipped)")
	}
	return b.String()
}

// Snapshot is everything read from one content folder, references checked.
// Each list is sorted by slug (phase definitions by their file's slug);
// Problems are sorted by file, then field.
type Snapshot struct {
	PhaseDefinitions []portfolio.PhaseDefinition
	Organisations    []portfolio.Organisation
	Incubators       []portfolio.Incubator
	Teams            []portfolio.Team
	Startups         []portfolio.Startup
	Members          []portfolio.Member
	Problems         []Problem
	// Vocabulary lists the phase names of the records that are not
	// today's: each entry of portfolio.PhaseMappings that applied (the
	// older vocabulary), then each name of neither vocabulary (imported as
	// UNKNOWN and reported in Problems), with their counts.
	Vocabulary []VocabularyUse
	// Unreadable lists, by kind ("organisations", "incubators", "teams",
	// "startups", "members"), the slugs of the record files that exist but
	// yielded no record (Problems say why): their records are not in the
	// snapshot, yet were not deleted from the source.
	Unreadable map[string][]string
}

// kind is a kind of record, one per content folder.
type kind int

const (
	kindPhase kind = iota
	kindOrganisation
	kindIncubator
	kindTeam
	kindStartup
	kindMember
)

// folders lists the content folders in the order they are read.
var folders = []struct {
	name string
	kind kind
}{
	{"_phases", kindPhase},
	{"_organisations", kindOrganisation},
	{"_incubators", kindIncubator},
	{"_teams", kindTeam},
	{"_startups", kindStartup},
	{"_authors", kindMember},
}

// Folders returns the names of the content folders Read reads, in the
// order it reads them.
func Folders() []string {
	out := make([]string, len(folders))
	for i, f := range folders {
		out[i] = f.name
	}
	return out
}

// ErrNoContent is returned (wrapped) by Read when the folder holds none of
// the beta.gouv.fr content folders.
var ErrNoContent = errors.New("no beta.gouv.fr content folder (_startups, _authors, _incubators, _organisations, _teams, _phases)")

// job is one record file to parse.
type job struct {
	kind kind
	slug string
	rel  string // relative to the content folder, forward slashes
	path string // in the file system read, slash-separated
}

// Read loads the beta.gouv.fr content under dir, which is either a
// repository root (holding content/) or the content folder itself. It
// returns an error only when dir is unusable (it does not exist, is not a
// folder, or holds none of the known folders) or when ctx is done; anything
// wrong inside the content is reported in Snapshot.Problems.
func Read(ctx context.Context, dir string, opts Options) (*Snapshot, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("betagouv: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("betagouv: %s is not a folder", dir)
	}
	root, ok := contentRoot(os.DirFS(dir))
	if !ok {
		return nil, fmt.Errorf("betagouv: %s: %w", dir, ErrNoContent)
	}
	return read(ctx, os.DirFS(dir), root, opts)
}

// ReadFS is Read over a file system: fsys holds a repository root (with
// content/) or the content folder itself, as a git tree does.
func ReadFS(ctx context.Context, fsys fs.FS, opts Options) (*Snapshot, error) {
	root, ok := contentRoot(fsys)
	if !ok {
		return nil, fmt.Errorf("betagouv: %w", ErrNoContent)
	}
	return read(ctx, fsys, root, opts)
}

// ContentRoot returns the folder of fsys that holds the content folders:
// "content" when it holds one of the known folders, else "." when it
// does; false when neither does.
func ContentRoot(fsys fs.FS) (string, bool) { return contentRoot(fsys) }

func read(ctx context.Context, fsys fs.FS, root string, opts Options) (*Snapshot, error) {
	var problems []Problem
	var jobs []job
	for _, f := range folders {
		js, ps := list(fsys, root, f.name, f.kind)
		jobs = append(jobs, js...)
		problems = append(problems, ps...)
	}
	results, err := parseAll(ctx, fsys, jobs, opts)
	if err != nil {
		return nil, err
	}
	s := assemble(jobs, results)
	s.Problems = append(s.Problems, problems...)
	sortProblems(s.Problems)
	return s, nil
}

// contentRoot finds the content folder: content when it holds one of the
// known folders, else the root itself when it does.
func contentRoot(fsys fs.FS) (string, bool) {
	for _, root := range []string{"content", "."} {
		for _, f := range folders {
			if fi, err := fs.Stat(fsys, path.Join(root, f.name)); err == nil && fi.IsDir() {
				return root, true
			}
		}
	}
	return "", false
}

// list returns the record files of one folder, sorted by slug, and a
// Problem for the folder if it is missing and for every file that is not a
// record.
func list(fsys fs.FS, root, name string, k kind) ([]job, []Problem) {
	entries, err := fs.ReadDir(fsys, path.Join(root, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, []Problem{{File: name, Reason: "folder missing; no " + kindNoun(k) + " loaded from it"}}
	}
	if err != nil {
		// A folder that exists but cannot be listed is reported like a
		// missing one: the rest of the content is still worth loading.
		return nil, []Problem{{File: name, Reason: fmt.Sprintf("folder cannot be read: %v", err), Skipped: true}}
	}
	var jobs []job
	var problems []Problem
	for _, e := range entries {
		rel := path.Join(name, e.Name())
		switch {
		case e.IsDir():
			problems = append(problems, Problem{File: rel, Reason: "a folder, not a record: ignored", Skipped: true})
		case !strings.HasSuffix(e.Name(), ".md") || e.Name() == ".md":
			problems = append(problems, Problem{File: rel, Reason: "not a .md record: ignored", Skipped: true})
		default:
			jobs = append(jobs, job{kind: k, slug: strings.TrimSuffix(e.Name(), ".md"), rel: rel, path: path.Join(root, name, e.Name())})
		}
	}
	slices.SortFunc(jobs, func(a, b job) int { return strings.Compare(a.slug, b.slug) })
	return jobs, problems
}

func kindNoun(k kind) string {
	switch k {
	case kindPhase:
		return "phase definitions"
	case kindOrganisation:
		return "organisations"
	case kindIncubator:
		return "incubators"
	case kindTeam:
		return "teams"
	case kindStartup:
		return "startups"
	default:
		return "members"
	}
}

// parseAll parses the files with one worker per CPU. Results are indexed
// like jobs, so the output order does not depend on scheduling.
func parseAll(ctx context.Context, fsys fs.FS, jobs []job, opts Options) ([]parsed, error) {
	progress := opts.Progress
	results := make([]parsed, len(jobs))
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	var next atomic.Int64
	done := make(chan struct{}, len(jobs))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) || ctx.Err() != nil {
					return
				}
				results[i] = parseFile(fsys, jobs[i], opts)
				done <- struct{}{}
			}
		})
	}
	for n := 1; n <= len(jobs); n++ {
		select {
		case <-done:
			if progress != nil {
				progress(n, len(jobs))
			}
		case <-ctx.Done():
			wg.Wait()
			return nil, fmt.Errorf("betagouv: read: %w", ctx.Err())
		}
	}
	wg.Wait()
	return results, nil
}

// parseFile reads and parses one record file.
func parseFile(fsys fs.FS, j job, opts Options) parsed {
	var named string
	if opts.Cache != nil && opts.ContentKey != nil {
		if key, ok := opts.ContentKey(j.path); ok {
			named = key
			if p, ok := opts.Cache.get(namedKey(j, key)); ok {
				return p
			}
		}
	}
	data, err := fs.ReadFile(fsys, j.path)
	if err != nil {
		r := &report{file: j.rel}
		r.skip("", "cannot be read: %v", err)
		return parsed{problems: r.problems}
	}
	if named != "" {
		p := parseData(j.kind, j.slug, j.rel, data)
		opts.Cache.put(namedKey(j, named), p)
		return p
	}
	return opts.Cache.parse(j, data)
}

// sortProblems sorts problems by file, then field (list indexes in
// numeric order: phases[2] before phases[10]), keeping the order in which
// they were found otherwise.
func sortProblems(ps []Problem) {
	slices.SortStableFunc(ps, func(a, b Problem) int {
		return cmp.Or(strings.Compare(a.File, b.File), compareField(a.Field, b.Field))
	})
}

// compareField compares two field names, runs of digits by their value.
func compareField(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), strings.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digits returns the length of the run of ASCII digits that starts s.
func digits(s string) int {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n
}
