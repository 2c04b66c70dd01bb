// Package gitsync brings a portfolio database to the state of the
// network's git repository at a branch's head, and keeps it there (DESIGN.md,
// "Following the source"). The first sync clones the repository (a bare
// clone beside the database) and loads its whole tree; later syncs fetch,
// read the last synced commit and the new head, and write only the records
// that differ between them, deleting the records whose files were deleted
// and renaming the startups renamed with redirect_from. What was written
// through the API is kept and reported (package sqlite, Follow). A
// rewritten history (force-push), a last synced commit the clone lacks, or
// a database written by something else since (an import) fall back to a
// full comparison: the whole tree against the database, as import --prune
// does.
//
// Records are read by package betagouv, as an import reads them: a file
// that cannot be read is reported with its path and the rest applied. The
// records are written in one transaction with the origin's new event (the
// repository, branch, commit, commit date and time of the sync); any
// failure leaves the database as it was, and the clone's record of the
// last synced commit moves only once the transaction committed.
package gitsync

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Options say what to follow.
type Options struct {
	// Repo is the repository: a local path, a file:// or https:// URL.
	Repo string
	// Ref is the branch followed; "" follows the repository's default
	// branch (its HEAD).
	Ref string
	// Dir is the bare clone, created by the first sync (by convention the
	// database's path followed by ".sync").
	Dir string
	// Now returns the time of a sync; nil is time.Now.
	Now func() time.Time
	// Program identifies the build of the program; "" is its executable's
	// identity. A sync compares only two commits when the last one was
	// made by the same build: another may read the same files otherwise.
	Program string
}

// CloneDir is the clone's default place for the database at dbPath.
func CloneDir(dbPath string) string { return dbPath + ".sync" }

// Mode says how a sync compared the repository with the database.
type Mode string

// The modes of a sync.
const (
	Unchanged   Mode = "unchanged"   // the head is the commit already synced: nothing read or written
	Incremental Mode = "incremental" // the records that differ between the last synced commit and the head
	Full        Mode = "full"        // the whole tree against the database
)

// Result says what a sync did.
type Result struct {
	Repo, Ref string // the repository (without credentials) and branch
	// Commit is the head synced, CommittedAt its commit date; Previous
	// the commit synced before, "" when none.
	Commit, Previous string
	CommittedAt      time.Time
	Mode             Mode
	// Why says why a sync compared the whole tree.
	Why string
	// Files counts the record files added, changed or deleted between
	// the two commits compared (every file for a full comparison).
	Files int
	// Load is what the load wrote, deleted, renamed and kept; nil when
	// unchanged.
	Load *sqlite.LoadResult
	// Problems are those of the files the sync read anew (every file for
	// a full comparison); AllProblems counts those of the whole tree.
	Problems    []betagouv.Problem
	AllProblems int
	// Counts are the whole tree's (Snapshot.Counts); nil when unchanged.
	Counts map[string]int
	// Read is the time spent fetching and reading, Apply the time of the
	// load's transaction, Duration the whole sync's.
	Read, Apply, Duration time.Duration
}

// Written counts the records created or updated, all kinds together.
func (r *Result) Written() int {
	if r.Load == nil {
		return 0
	}
	n := 0
	for _, m := range []map[string]int{r.Load.Created, r.Load.Updated} {
		for _, c := range m {
			n += c
		}
	}
	return n
}

// Syncer syncs databases from one repository, one sync at a time. It
// keeps what it read (blobs and parsed files) between syncs, so that a
// server syncing every hour reads only what changed.
type Syncer struct {
	opts  Options
	repo  string // normalised
	mu    sync.Mutex
	parse *betagouv.Cache
	// version identifies the program for the origin and the parse
	// cache's file (Options.Program); "" keeps no file.
	version string
	loaded  bool   // the cache's file was tried
	branch  string // the default branch, once found
}

// New returns a Syncer for these options.
func New(opts Options) (*Syncer, error) {
	repo, err := normalizeURL(opts.Repo)
	if err != nil {
		return nil, fmt.Errorf("sync: %w", err)
	}
	if opts.Dir == "" {
		return nil, errors.New("sync: no folder for the clone")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Program == "" {
		opts.Program = programIdentity()
	}
	return &Syncer{opts: opts, repo: repo, parse: betagouv.NewCache(), version: opts.Program}, nil
}

// Repo returns the repository followed, without credentials.
func (s *Syncer) Repo() string { return Redact(s.repo) }

// Sync brings db to the state of the branch's head. Every sync is noted in
// the database (sqlite.NoteSync), the failed ones too; a failure writes no
// record.
func (s *Syncer) Sync(ctx context.Context, db *sqlite.DB) (*Result, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	start, t0 := s.opts.Now(), time.Now()
	res, err := s.sync(ctx, db)
	res.Duration = time.Since(t0)
	noteCtx := context.WithoutCancel(ctx)
	if nerr := db.NoteSync(noteCtx, res.Repo, res.Ref, start, redactError(err, s.repo)); nerr != nil && err == nil {
		err = nerr
	}
	if err != nil {
		return res, redactError(fmt.Errorf("sync %s: %w", res.Repo, err), s.repo)
	}
	return res, nil
}

func (s *Syncer) sync(ctx context.Context, db *sqlite.DB) (*Result, error) {
	res := &Result{Repo: Redact(s.repo), Ref: s.opts.Ref}
	if res.Ref == "" {
		res.Ref = s.branch // until the repository says again
	}
	t0 := time.Now()
	unlock, err := lockClone(ctx, s.opts.Dir)
	if err != nil {
		return res, err
	}
	defer unlock()
	r, err := openClone(s.opts.Dir, s.repo)
	if err != nil {
		return res, err
	}
	branch := s.opts.Ref
	if branch == "" {
		if branch, err = defaultBranch(ctx, r); err != nil {
			return res, fmt.Errorf("fetch: %w", err)
		}
		res.Ref, s.branch = branch, branch
	}
	head, err := fetch(ctx, r, branch)
	if err != nil {
		return res, fmt.Errorf("fetch %s: %w", branch, err)
	}
	res.Commit, res.CommittedAt = head.Hash.String(), head.Committer.When

	origin, err := db.Origin(ctx)
	if err != nil {
		return res, err
	}
	var last *object.Commit
	if ev := origin.Last(); ev == nil || !ev.Synced() {
		res.Why = "the first sync of this database"
		if ev != nil {
			res.Why = "the database was last written by: " + ev.String()
		}
	} else if ev.Source != res.Repo || ev.Ref != branch {
		res.Why = fmt.Sprintf("the database last followed %s (%s)", ev.Source, ev.Ref)
	} else if ev.Program != s.version || s.version == "" {
		res.Previous = ev.Commit
		res.Why = "the last sync was made by another build of the program, whose reader may have read the files otherwise"
	} else {
		res.Previous = ev.Commit
		if ev.Commit == res.Commit {
			res.Mode, res.Read = Unchanged, time.Since(t0)
			return res, s.markSynced(r, head.Hash)
		}
		last, err = r.CommitObject(plumbing.NewHash(ev.Commit))
		switch {
		case errors.Is(err, plumbing.ErrObjectNotFound):
			res.Why = fmt.Sprintf("the last synced commit %s is not in the clone", short(ev.Commit))
			last = nil
		case err != nil:
			return res, err
		default:
			ok, err := isAncestor(last, head)
			if err != nil {
				return res, err
			}
			if !ok {
				res.Why = fmt.Sprintf("the history was rewritten: the last synced commit %s is not an ancestor of %s", short(ev.Commit), short(res.Commit))
				last = nil
			}
		}
	}

	tree, err := head.Tree()
	if err != nil {
		return res, err
	}
	s.loadCache()
	newFS, err := loadTree(r, tree)
	if err != nil {
		return res, fmt.Errorf("commit %s: %w", short(res.Commit), err)
	}
	snap, err := betagouv.ReadFS(ctx, newFS, betagouv.Options{Cache: s.parse, ContentKey: newFS.ContentKey})
	if err != nil {
		return res, fmt.Errorf("commit %s: %w", short(res.Commit), err)
	}
	res.Counts, res.AllProblems = snap.Counts(), len(snap.Problems)
	var plan *plan
	if last != nil {
		oldTree, err := last.Tree()
		if err != nil {
			return res, err
		}
		oldFS, err := loadTree(r, oldTree)
		switch {
		case errors.Is(err, errNoContent):
			res.Why = fmt.Sprintf("the last synced commit %s holds no content", short(last.Hash.String()))
			last = nil
		case err != nil:
			return res, fmt.Errorf("commit %s: %w", short(last.Hash.String()), err)
		default:
			old, err := betagouv.ReadFS(ctx, oldFS, betagouv.Options{Cache: s.parse, ContentKey: oldFS.ContentKey})
			if err != nil {
				return res, fmt.Errorf("commit %s: %w", short(last.Hash.String()), err)
			}
			res.Mode = Incremental
			files := changedPaths(oldFS, newFS)
			res.Files = len(files)
			plan = diff(old, snap)
			// The problems of the files changed and of the records
			// written (a member whose mission names a startup deleted).
			for _, f := range plan.files() {
				files[f] = true
			}
			res.Problems = problemsOf(snap.Problems, files)
		}
	}
	if last == nil {
		res.Mode = Full
		res.Files = len(newFS.blobs())
		plan = full(snap)
		res.Problems = snap.Problems
	}
	s.parse.Prune()
	s.saveCache()
	res.Read = time.Since(t0)

	t1 := time.Now()
	method := sqlite.MethodSync
	if res.Mode == Full {
		method = sqlite.MethodSyncFull
	}
	ev := &sqlite.OriginEvent{Kind: sqlite.OriginImported, At: s.opts.Now(), Source: res.Repo, Ref: branch,
		Commit: res.Commit, CommittedAt: res.CommittedAt, Counts: res.Counts,
		RecordsAsOf: portfolio.DateOf(res.CommittedAt.In(portfolio.Paris())), RecordsBasis: sqlite.BasisCommit, Method: method,
		Program: s.version}
	res.Load, err = db.Load(ctx, sqlite.LoadOptions{Origin: ev, Follow: plan.follow}, plan.fill)
	res.Apply = time.Since(t1)
	if err != nil {
		return res, err
	}
	return res, s.markSynced(r, head.Hash)
}

// markSynced moves the clone's record of the last synced commit, once the
// database committed.
func (s *Syncer) markSynced(r *git.Repository, h plumbing.Hash) error {
	if err := r.Storer.SetReference(plumbing.NewHashReference(syncedRef, h)); err != nil {
		return fmt.Errorf("clone: note the synced commit: %w", err)
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// changedPaths lists the record files (relative to the content folder)
// added, changed or deleted between two trees.
func changedPaths(old, new *treeFS) map[string]bool {
	out := map[string]bool{}
	ob, nb := old.blobs(), new.blobs()
	for p, h := range nb {
		if ob[p] != h {
			out[p] = true
		}
	}
	for p := range ob {
		if _, ok := nb[p]; !ok {
			out[p] = true
		}
	}
	return out
}

// problemsOf keeps the problems of the files changed.
func problemsOf(ps []betagouv.Problem, files map[string]bool) []betagouv.Problem {
	var out []betagouv.Problem
	for _, p := range ps {
		if files[p.File] {
			out = append(out, p)
		}
	}
	return out
}

// plan is what a sync writes: the records to put, and what the load
// follows.
type plan struct {
	defs   []portfolio.PhaseDefinition
	orgs   []portfolio.Organisation
	incs   []portfolio.Incubator
	teams  []portfolio.Team
	sts    []portfolio.Startup
	mbs    []portfolio.Member
	follow *sqlite.Follow
}

// files lists the files of the records the plan writes, relative to the
// content folder.
func (p *plan) files() []string {
	var out []string
	for _, o := range p.orgs {
		out = append(out, "_organisations/"+o.Slug+".md")
	}
	for _, i := range p.incs {
		out = append(out, "_incubators/"+i.Slug+".md")
	}
	for _, t := range p.teams {
		out = append(out, "_teams/"+t.Slug+".md")
	}
	for _, st := range p.sts {
		out = append(out, "_startups/"+st.Slug+".md")
	}
	for _, m := range p.mbs {
		out = append(out, "_authors/"+m.Slug+".md")
	}
	return out
}

func (p *plan) fill(sink portfolio.Sink) error {
	s := &betagouv.Snapshot{PhaseDefinitions: p.defs, Organisations: p.orgs, Incubators: p.incs, Teams: p.teams, Startups: p.sts, Members: p.mbs}
	return s.WriteTo(context.Background(), sink)
}

// renames maps the old slugs the snapshot's startups list to them.
func renames(s *betagouv.Snapshot) map[string]string {
	out := map[string]string{}
	for _, st := range s.Startups {
		for _, old := range st.RedirectFrom {
			if _, claimed := out[old]; !claimed && old != st.Slug {
				out[old] = st.Slug // the first by slug keeps it, as the reader says
			}
		}
	}
	return out
}

// slugsOf lists the slugs of the snapshot's records, by kind.
func slugsOf(s *betagouv.Snapshot) map[string][]string {
	out := map[string][]string{}
	for _, o := range s.Organisations {
		out["organisations"] = append(out["organisations"], o.Slug)
	}
	for _, i := range s.Incubators {
		out["incubators"] = append(out["incubators"], i.Slug)
	}
	for _, t := range s.Teams {
		out["teams"] = append(out["teams"], t.Slug)
	}
	for _, st := range s.Startups {
		out["startups"] = append(out["startups"], st.Slug)
	}
	for _, m := range s.Members {
		out["members"] = append(out["members"], m.Slug)
	}
	return out
}

// full plans a full comparison: every record of the tree, and the
// deletion of the records of the database the tree does not hold.
func full(s *betagouv.Snapshot) *plan {
	return &plan{defs: s.PhaseDefinitions, orgs: s.Organisations, incs: s.Incubators, teams: s.Teams, sts: s.Startups, mbs: s.Members,
		follow: &sqlite.Follow{Full: true, Present: sqlite.PresentSlugs(slugsOf(s), s.Unreadable), Renames: renames(s)}}
}

// FullComparison returns what a full comparison of a snapshot with a
// database writes and follows (import --prune): every record, and the
// deletion of those the snapshot neither holds nor failed to read.
func FullComparison(s *betagouv.Snapshot) (fill func(portfolio.Sink) error, follow *sqlite.Follow) {
	p := full(s)
	return p.fill, p.follow
}

// diff plans an incremental sync: the records of the new snapshot that
// differ from the old one's (references are checked against the whole
// tree, so a record whose file did not change may still differ: a member
// whose mission named a startup deleted since), and the deletion of the
// records the old snapshot held, or could not read, that the new one
// neither holds nor fails to read.
func diff(old, new *betagouv.Snapshot) *plan {
	p := &plan{defs: new.PhaseDefinitions}
	p.orgs = changed(old.Organisations, new.Organisations, func(o *portfolio.Organisation) string { return o.Slug })
	p.incs = changed(old.Incubators, new.Incubators, func(i *portfolio.Incubator) string { return i.Slug })
	p.teams = changed(old.Teams, new.Teams, func(t *portfolio.Team) string { return t.Slug })
	p.sts = changed(old.Startups, new.Startups, func(s *portfolio.Startup) string { return s.Slug })
	p.mbs = changed(old.Members, new.Members, func(m *portfolio.Member) string { return m.Slug })
	now := sqlite.PresentSlugs(slugsOf(new), new.Unreadable)
	var deleted []sqlite.Ref
	for _, m := range []map[string][]string{slugsOf(old), old.Unreadable} {
		for _, kind := range sqlite.Kinds {
			for _, slug := range m[kind] {
				if !now[kind][slug] {
					deleted = append(deleted, sqlite.Ref{Kind: kind, Slug: slug})
				}
			}
		}
	}
	p.follow = &sqlite.Follow{Deleted: deleted, Renames: renames(new)}
	return p
}

// changed returns the records of now that before does not hold as they
// are.
func changed[T any](before, now []T, slug func(*T) string) []T {
	was := make(map[string]*T, len(before))
	for i := range before {
		was[slug(&before[i])] = &before[i]
	}
	var out []T
	for i := range now {
		if w, ok := was[slug(&now[i])]; !ok || !reflect.DeepEqual(*w, now[i]) {
			out = append(out, now[i])
		}
	}
	return out
}
