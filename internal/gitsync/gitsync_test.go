package gitsync_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/gitsync"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// testRepo is a git repository of beta.gouv.fr content made in a test,
// with go-git (no git binary): files written, commits at fixed dates.
type testRepo struct {
	t     *testing.T
	dir   string
	r     *git.Repository
	w     *git.Worktree
	clock time.Time
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "beta.gouv.fr")
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	// The branch is main, whatever the defaults of the machine.
	if err := r.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main"))); err != nil {
		t.Fatal(err)
	}
	w, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	return &testRepo{t: t, dir: dir, r: r, w: w, clock: time.Date(2026, 8, 20, 9, 0, 0, 0, time.FixedZone("CEST", 2*3600))}
}

func (tr *testRepo) write(rel, content string) {
	tr.t.Helper()
	p := filepath.Join(tr.dir, "content", rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tr.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		tr.t.Fatal(err)
	}
}

func (tr *testRepo) remove(rel string) {
	tr.t.Helper()
	if err := os.Remove(filepath.Join(tr.dir, "content", rel)); err != nil {
		tr.t.Fatal(err)
	}
}

// commit commits every change of the worktree, a day after the last.
func (tr *testRepo) commit(msg string) plumbing.Hash {
	tr.t.Helper()
	if err := tr.w.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		tr.t.Fatal(err)
	}
	tr.clock = tr.clock.Add(24 * time.Hour)
	sig := &object.Signature{Name: "Jardinier", Email: "jardin@example.org", When: tr.clock}
	h, err := tr.w.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		tr.t.Fatal(err)
	}
	return h
}

// resetTo moves the branch back to an older commit, its files with it: the
// next commit rewrites the history, as a force-push does.
func (tr *testRepo) resetTo(h plumbing.Hash) {
	tr.t.Helper()
	if err := tr.w.Reset(&git.ResetOptions{Commit: h, Mode: git.HardReset}); err != nil {
		tr.t.Fatal(err)
	}
}

func startupFile(title, incubator string, sponsors []string, phases string, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: %s\nmission: %s au quotidien\nincubator: %s\n", title, title, incubator)
	if len(sponsors) > 0 {
		b.WriteString("sponsors:\n")
		for _, s := range sponsors {
			fmt.Fprintf(&b, "  - /organisations/%s\n", s)
		}
	}
	b.WriteString("phases:\n" + phases)
	b.WriteString(extra)
	b.WriteString("---\nUn service pour les jardins.\n")
	return b.String()
}

func memberFile(name, role, domain string, missions ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "---\nfullname: %s\nrole: %s\ndomaine: %s\nmissions:\n", name, role, domain)
	for _, m := range missions {
		b.WriteString(m)
	}
	b.WriteString("---\n")
	return b.String()
}

func mission(start, status string, startups ...string) string {
	s := fmt.Sprintf("  - start: %s\n    status: %s\n    startups:\n", start, status)
	for _, st := range startups {
		s += "      - " + st + "\n"
	}
	return s
}

const (
	investigation = "  - name: investigation\n    start: 2025-01-06\n"
	construction  = investigation + "  - name: construction\n    start: 2025-09-01\n"
)

// seedRepo writes the first state of the network.
func seedRepo(tr *testRepo) {
	tr.write("_phases/investigation.md", "---\nstatus: investigation\nlabel: Investigation\norder: 1\n---\n")
	tr.write("_phases/construction.md", "---\nstatus: construction\nlabel: Construction\norder: 2\n---\n")
	tr.write("_organisations/min-jardins.md", "---\nname: Ministère des Jardins\nacronym: MJ\ntype: administration-centrale\n---\n")
	tr.write("_organisations/agence-eau.md", "---\nname: Agence de l'eau\ntype: operateur\n---\n")
	tr.write("_incubators/serre.md", "---\ntitle: La Serre\nowner: /organisations/min-jardins\n---\nL'incubateur des jardins.\n")
	tr.write("_incubators/verger.md", "---\ntitle: Le Verger\nowner: /organisations/agence-eau\n---\n")
	tr.write("_teams/serre-anim.md", "---\nname: Animation\nincubator: serre\n---\n")
	tr.write("_startups/arrosoir.md", startupFile("Arrosoir", "serre", []string{"min-jardins"}, construction,
		"events:\n  - name: committee\n    date: 2025-08-28\n    comment: Passage en construction\n"))
	tr.write("_startups/binette.md", startupFile("Binette", "verger", []string{"agence-eau"}, investigation, ""))
	tr.write("_startups/compost.md", startupFile("Compost", "serre", []string{"min-jardins", "agence-eau"}, investigation, ""))
	tr.write("_authors/ana.jardin.md", memberFile("Ana Jardin", "Designer", "Design", mission("2025-01-06", "independent", "arrosoir")))
	tr.write("_authors/bruno.compost.md", memberFile("Bruno Compost", "Développeur", "Développement",
		mission("2025-02-01", "admin", "compost", "binette")))
	tr.write("_authors/chloe.graine.md", memberFile("Chloé Graine", "Coach", "Coaching", mission("2025-03-01", "service", "binette")))
}

// importPrune is what the sync is compared with: the worktree read as a
// folder and loaded into db as import --prune does.
func importPrune(t *testing.T, db *sqlite.DB, dir string) *sqlite.LoadResult {
	t.Helper()
	snap, err := betagouv.Read(context.Background(), dir, betagouv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fill, follow := gitsync.FullComparison(snap)
	res, err := db.Load(context.Background(), sqlite.LoadOptions{Origin: &sqlite.OriginEvent{Kind: sqlite.OriginImported, Source: dir, Counts: snap.Counts()}, Follow: follow}, fill)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func openDB(t *testing.T, name string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func dump(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	lines, err := db.DumpRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// diffLines lists the lines only one side has: "-" want, "+" got.
func diffLines(want, got []string) string {
	var b strings.Builder
	for _, l := range want {
		if !slices.Contains(got, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

func refsOf(rs []sqlite.Ref) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

// TestSyncFollowsCommits syncs a repository after each of its commits
// (records added, changed, deleted, renamed with redirect_from; a broken
// file, then fixed; a force-push) and compares the database, every time,
// with one that import --prune brought through the same trees (and, before
// the API writes, with a fresh import --prune of the tree). What the API
// wrote is written on both and kept. It runs with one Syncer for every
// sync, as a server does, and with a new one each time, as the command
// line does (reading what the last one parsed from the clone's folder).
func TestSyncFollowsCommits(t *testing.T) {
	t.Run("one syncer", func(t *testing.T) { testSyncFollowsCommits(t, false) })
	t.Run("a syncer per sync", func(t *testing.T) { testSyncFollowsCommits(t, true) })
}

func testSyncFollowsCommits(t *testing.T, perSync bool) {
	ctx := context.Background()
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	tr := newTestRepo(t)
	dir := t.TempDir()
	db := openDB(t, "synced.db")
	pruned := openDB(t, "pruned.db")
	opts := gitsync.Options{Repo: tr.dir, Dir: gitsync.CloneDir(filepath.Join(dir, "synced.db"))}
	s, err := gitsync.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	renew := func() {
		if perSync {
			if s, err = gitsync.New(opts); err != nil {
				t.Fatal(err)
			}
		}
	}
	var commits []plumbing.Hash
	steps := []struct {
		name    string
		change  func()
		mode    gitsync.Mode
		deleted []string // records the sync deleted
		renamed []string
		kept    []string
		problem string // a problem the sync reports
	}{
		{"the first commit", func() { seedRepo(tr) }, gitsync.Full, nil, nil, nil, ""},
		{"a startup and a member added", func() {
			tr.write("_startups/dplanter.md", startupFile("Planter", "verger", nil, investigation, ""))
			tr.write("_authors/dora.semis.md", memberFile("Dora Semis", "Développeuse", "Développement", mission("2026-01-05", "independent", "dplanter")))
		}, gitsync.Incremental, nil, nil, nil, ""},
		{"records changed", func() {
			tr.write("_startups/binette.md", startupFile("Binette", "verger", []string{"agence-eau"}, construction, ""))
			tr.write("_authors/ana.jardin.md", memberFile("Ana Jardin", "Designer senior", "Design", mission("2025-01-06", "independent", "arrosoir", "binette")))
			tr.write("_organisations/agence-eau.md", "---\nname: Agence de l'eau et des jardins\ntype: operateur\n---\n")
		}, gitsync.Incremental, nil, nil, nil, ""},
		{"a member removed, a startup deleted with a committee recorded through the API", func() {
			tr.remove("_authors/chloe.graine.md")
			tr.remove("_startups/compost.md")
			tr.remove("_startups/dplanter.md")
			tr.write("_authors/dora.semis.md", memberFile("Dora Semis", "Développeuse", "Développement", mission("2026-01-05", "independent", "binette")))
		}, gitsync.Incremental, []string{"member chloe.graine", "startup dplanter"}, nil,
			[]string{"startup compost was deleted in the source but kept: 1 committees recorded through the API"},
			`_authors/bruno.compost.md: missions[0].startups: unknown startup "compost"; reference dropped`},
		{"a startup renamed with redirect_from", func() {
			tr.remove("_startups/arrosoir.md")
			tr.write("_startups/arrosoir-malin.md", startupFile("Arrosoir malin", "serre", []string{"min-jardins"}, construction,
				"redirect_from:\n  - /startups/arrosoir\nevents:\n  - name: committee\n    date: 2025-08-28\n    comment: Passage en construction\n"))
			tr.write("_authors/ana.jardin.md", memberFile("Ana Jardin", "Designer senior", "Design", mission("2025-01-06", "independent", "arrosoir-malin", "binette")))
		}, gitsync.Incremental, nil, []string{"startup arrosoir → arrosoir-malin"}, nil, ""},
		{"a broken file, and a change beside it", func() {
			tr.write("_authors/bruno.compost.md", "---\nfullname: Bruno Compost\n\trole: oops\n---\n")
			tr.write("_incubators/verger.md", "---\ntitle: Le Grand Verger\nowner: /organisations/agence-eau\n---\n")
		}, gitsync.Incremental, nil, nil, nil, `_authors/bruno.compost.md: YAML does not parse`},
		{"the broken file fixed", func() {
			tr.write("_authors/bruno.compost.md", memberFile("Bruno Compost", "Développeur", "Développement", mission("2025-02-01", "admin", "binette")))
		}, gitsync.Incremental, nil, nil, nil, ""},
		{"nothing changed", func() {}, gitsync.Incremental, nil, nil, nil, ""},
	}
	for i, st := range steps {
		st.change()
		commits = append(commits, tr.commit(st.name))
		if i == 3 {
			// What the API writes is written on both databases.
			for _, d := range []*sqlite.DB{db, pruned} {
				if _, err := d.RecordCommittee(admin, &portfolio.Committee{StartupSlug: "compost", Date: portfolio.MustDate("2026-02-02"),
					Decision: portfolio.DecisionContinue, Comment: "Poursuite"}, false); err != nil {
					t.Fatal(err)
				}
			}
		}
		renew()
		res, err := s.Sync(ctx, db)
		if err != nil {
			t.Fatalf("%s: sync: %v", st.name, err)
		}
		if _, err := os.Stat(filepath.Join(opts.Dir, "parsed.gob")); err != nil {
			t.Errorf("%s: the parse cache was not kept in the clone's folder: %v", st.name, err)
		}
		if res.Mode != st.mode || res.Commit != commits[i].String() {
			t.Errorf("%s: mode %s at %s (%s), want %s at %s", st.name, res.Mode, res.Commit, res.Why, st.mode, commits[i])
		}
		if got := refsOf(res.Load.Deleted); !slices.Equal(got, st.deleted) {
			t.Errorf("%s: deleted %q, want %q", st.name, got, st.deleted)
		}
		var renamed, kept, problems []string
		for _, r := range res.Load.Renamed {
			renamed = append(renamed, r.String())
		}
		for _, k := range res.Load.Kept {
			kept = append(kept, k.String())
		}
		for _, p := range res.Problems {
			problems = append(problems, p.String())
		}
		if !slices.Equal(renamed, st.renamed) || !slices.Equal(kept, st.kept) {
			t.Errorf("%s: renamed %q, kept %q; want %q, %q", st.name, renamed, kept, st.renamed, st.kept)
		}
		if st.problem != "" && !strings.Contains(strings.Join(problems, "\n"), st.problem) {
			t.Errorf("%s: problems %q, want one saying %q", st.name, problems, st.problem)
		}
		importPrune(t, pruned, tr.dir)
		if got, want := dump(t, db), dump(t, pruned); !slices.Equal(got, want) {
			t.Errorf("%s: the synced database differs from import --prune of the same trees:\n%s", st.name, diffLines(want, got))
		}
		if i < 3 { // before the API wrote: the same as a fresh import --prune of the tree
			fresh := openDB(t, fmt.Sprintf("fresh-%d.db", i))
			importPrune(t, fresh, tr.dir)
			if got, want := dump(t, db), dump(t, fresh); !slices.Equal(got, want) {
				t.Errorf("%s: the synced database differs from a fresh import --prune:\n%s", st.name, diffLines(want, got))
			}
		}
		ds, err := db.Dataset(ctx, portfolio.MustDate("2026-12-06"))
		if err != nil {
			t.Fatal(err)
		}
		if ds.Kind != sqlite.DatasetSynced || ds.Commit != commits[i].String() || ds.RecordsAsOf != portfolio.DateOf(tr.clock) ||
			ds.RecordsBasis != sqlite.BasisCommit || ds.Sync == nil || ds.Sync.Error != "" {
			t.Errorf("%s: dataset %+v, want synced at %s of %s", st.name, ds, commits[i], portfolio.DateOf(tr.clock))
		}
	}

	// A sync with no new commit reads and writes nothing.
	renew()
	res, err := s.Sync(ctx, db)
	if err != nil || res.Mode != gitsync.Unchanged {
		t.Fatalf("a sync without a new commit: %v, mode %s", err, res.Mode)
	}

	// A force-push: the branch rewritten from the third commit. The sync
	// compares the whole tree with the database.
	tr.resetTo(commits[2])
	tr.write("_startups/binette.md", startupFile("Binette", "verger", []string{"agence-eau"}, investigation, ""))
	tr.remove("_authors/chloe.graine.md")
	rewritten := tr.commit("rewritten")
	renew()
	res, err = s.Sync(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != gitsync.Full || !strings.Contains(res.Why, "history was rewritten") || res.Commit != rewritten.String() {
		t.Errorf("after a force-push: mode %s (%s) at %s, want a full comparison at %s", res.Mode, res.Why, res.Commit, rewritten)
	}
	importPrune(t, pruned, tr.dir)
	if got, want := dump(t, db), dump(t, pruned); !slices.Equal(got, want) {
		t.Errorf("after a force-push the synced database differs from import --prune:\n%s", diffLines(want, got))
	}
	// Back before the rename, arrosoir-malin is gone and arrosoir is back
	// (its file does not list the later slug: not a rename).
	if got := refsOf(res.Load.Deleted); !slices.Equal(got, []string{"startup arrosoir-malin"}) || len(res.Load.Renamed) != 0 {
		t.Errorf("after a force-push back before the rename: deleted %q, renamed %v; want arrosoir-malin deleted", got, res.Load.Renamed)
	}
}

// TestSyncFailureWritesNothing: an unreachable repository, a refused
// rename: the database stays as it was, the failure is noted, the clone's
// synced commit does not move; the next sync that can succeed does.
func TestSyncFailureWritesNothing(t *testing.T) {
	ctx := context.Background()
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	tr := newTestRepo(t)
	seedRepo(tr)
	first := tr.commit("first")
	dbPath := filepath.Join(t.TempDir(), "p.db")
	db, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clone := gitsync.CloneDir(dbPath)
	s, err := gitsync.New(gitsync.Options{Repo: tr.dir, Ref: "main", Dir: clone})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sync(ctx, db); err != nil {
		t.Fatal(err)
	}
	synced := func() string {
		r, err := git.PlainOpen(clone)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := r.Reference("refs/portfolio/synced", true)
		if err != nil {
			t.Fatal(err)
		}
		return ref.Hash().String()
	}
	if got := synced(); got != first.String() {
		t.Fatalf("the clone's synced commit is %s, want %s", got, first)
	}

	// A refused rename: binette takes compost's slug while both hold
	// committees recorded through the API.
	for _, slug := range []string{"binette", "compost"} {
		if _, err := db.RecordCommittee(admin, &portfolio.Committee{StartupSlug: slug, Date: portfolio.MustDate("2026-02-02"),
			Decision: portfolio.DecisionContinue}, false); err != nil {
			t.Fatal(err)
		}
	}
	before := dump(t, db)
	tr.remove("_startups/compost.md")
	tr.write("_startups/binette.md", startupFile("Binette", "verger", []string{"agence-eau"}, investigation, "redirect_from:\n  - compost\n"))
	tr.write("_authors/ana.jardin.md", memberFile("Ana Jardin", "Designer senior", "Design", mission("2025-01-06", "independent", "arrosoir")))
	tr.commit("merge compost into binette")
	_, err = s.Sync(ctx, db)
	var re *sqlite.RenameError
	if !errors.As(err, &re) {
		t.Fatalf("sync: %v, want a refused rename", err)
	}
	if after := dump(t, db); !slices.Equal(before, after) {
		t.Errorf("a refused rename wrote:\n%s", diffLines(before, after))
	}
	if got := synced(); got != first.String() {
		t.Errorf("after a failure the clone's synced commit moved to %s", got)
	}
	ds, err := db.Dataset(ctx, portfolio.MustDate("2026-12-06"))
	if err != nil {
		t.Fatal(err)
	}
	if ds.Commit != first.String() || ds.Sync == nil || !strings.Contains(ds.Sync.Error, "rename of startup compost to binette refused") {
		t.Errorf("after a refused rename: commit %s, sync %+v; want %s and the refusal", ds.Commit, ds.Sync, first)
	}

	// Unreachable: the repository moved away.
	moved := tr.dir + ".moved"
	if err := os.Rename(tr.dir, moved); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sync(ctx, db); err == nil {
		t.Fatal("a sync of a repository that is gone succeeded")
	}
	if after := dump(t, db); !slices.Equal(before, after) {
		t.Errorf("a failed fetch wrote:\n%s", diffLines(before, after))
	}
	if ds, _ := db.Dataset(ctx, portfolio.MustDate("2026-12-06")); ds.Sync == nil || !strings.Contains(ds.Sync.Error, "fetch") {
		t.Errorf("after a failed fetch: %+v", ds.Sync)
	}

	// Back, the conflict resolved through the API: the sync succeeds and
	// clears the failure.
	if err := os.Rename(moved, tr.dir); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteCommittee(admin, "compost/2026-02-02", 1); err != nil {
		t.Fatal(err)
	}
	res, err := s.Sync(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Load.Renamed) != 0 || !slices.Contains(refsOf(res.Load.Deleted), "startup compost") {
		t.Errorf("after the conflict was resolved: renamed %v, deleted %v; want compost deleted (binette already exists)", res.Load.Renamed, res.Load.Deleted)
	}
	if ds, _ := db.Dataset(ctx, portfolio.MustDate("2026-12-06")); ds.Sync.Error != "" || ds.Commit != res.Commit {
		t.Errorf("after a success: %+v, %+v", ds, ds.Sync)
	}
	if got := synced(); got != res.Commit {
		t.Errorf("the clone's synced commit is %s, want %s", got, res.Commit)
	}
}

// TestSyncRefusesDemo: the repository's records never go into a demo
// database.
func TestSyncRefusesDemo(t *testing.T) {
	ctx := context.Background()
	tr := newTestRepo(t)
	seedRepo(tr)
	tr.commit("first")
	db := openDB(t, "demo.db")
	if _, err := db.Load(ctx, sqlite.LoadOptions{Origin: &sqlite.OriginEvent{Kind: sqlite.OriginSeeded, Scale: 1}}, func(portfolio.Sink) error { return nil }); err != nil {
		t.Fatal(err)
	}
	s, err := gitsync.New(gitsync.Options{Repo: tr.dir, Dir: filepath.Join(t.TempDir(), "clone")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Sync(ctx, db)
	var oe *sqlite.OriginError
	if !errors.As(err, &oe) {
		t.Fatalf("sync into a demo database: %v, want an OriginError", err)
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:secret@github.com/betagouv/beta.gouv.fr": "https://github.com/betagouv/beta.gouv.fr",
		"https://github.com/betagouv/beta.gouv.fr":             "https://github.com/betagouv/beta.gouv.fr",
		"/data/beta.gouv.fr":                                   "/data/beta.gouv.fr",
		"file:///data/beta.gouv.fr":                            "file:///data/beta.gouv.fr",
	} {
		if got := gitsync.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSyncNewBuild: the first sync by another build of the program
// compares the whole tree, even without a new commit (its reader may read
// the files otherwise: a sync fixes what an older reader stored); the
// next one by the same build has nothing to do.
func TestSyncNewBuild(t *testing.T) {
	ctx := context.Background()
	tr := newTestRepo(t)
	seedRepo(tr)
	tr.commit("first")
	db := openDB(t, "p.db")
	clone := filepath.Join(t.TempDir(), "clone")
	for i, c := range []struct {
		program string
		mode    gitsync.Mode
	}{{"build-a", gitsync.Full}, {"build-a", gitsync.Unchanged}, {"build-b", gitsync.Full}, {"build-b", gitsync.Unchanged}} {
		s, err := gitsync.New(gitsync.Options{Repo: tr.dir, Dir: clone, Program: c.program})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Sync(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if res.Mode != c.mode {
			t.Errorf("sync %d by %s: %s (%s), want %s", i+1, c.program, res.Mode, res.Why, c.mode)
		}
		if i == 2 && !strings.Contains(res.Why, "another build of the program") {
			t.Errorf("sync %d by %s: why %q", i+1, c.program, res.Why)
		}
	}
}

// TestSyncHidesCredentials: an address with credentials is recorded, noted
// and reported without them.
func TestSyncHidesCredentials(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "p.db")
	// Nothing listens on port 1: the fetch fails at once.
	repo := "http://jardinier:s3cr3t-t0ken@127.0.0.1:1/beta.gouv.fr.git"
	s, err := gitsync.New(gitsync.Options{Repo: repo, Ref: "main", Dir: filepath.Join(t.TempDir(), "clone")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Sync(ctx, db)
	if err == nil {
		t.Fatal("a sync of an address where nothing listens succeeded")
	}
	ds, derr := db.Dataset(ctx, portfolio.MustDate("2026-12-06"))
	if derr != nil {
		t.Fatal(derr)
	}
	for what, text := range map[string]string{"error": err.Error(), "noted error": ds.Sync.Error, "noted repository": ds.Sync.Repo} {
		if strings.Contains(text, "s3cr3t") || strings.Contains(text, "jardinier") {
			t.Errorf("the %s shows the token: %s", what, text)
		}
	}
	if ds.Sync.Repo != "http://127.0.0.1:1/beta.gouv.fr.git" {
		t.Errorf("noted repository %q", ds.Sync.Repo)
	}
}

// TestSyncRefusesAForeignFolder: a folder of other files is not made a
// clone.
func TestSyncRefusesAForeignFolder(t *testing.T) {
	tr := newTestRepo(t)
	seedRepo(tr)
	tr.commit("first")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := gitsync.New(gitsync.Options{Repo: tr.dir, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sync(context.Background(), openDB(t, "p.db")); err == nil || !strings.Contains(err.Error(), "is not a clone of a repository and holds other files (notes.txt)") {
		t.Errorf("sync with a foreign folder as its clone: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		t.Error("the foreign folder was made a repository")
	}
}
