package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// gitFixture is a git repository holding the importer's fixture
// (internal/betagouv/testdata/current), made with go-git.
type gitFixture struct {
	t     *testing.T
	dir   string
	w     *git.Worktree
	clock time.Time
	last  time.Time // the date of the last commit
}

func newGitFixture(t *testing.T) *gitFixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "beta.gouv.fr")
	if err := os.CopyFS(dir, os.DirFS("../../internal/betagouv/testdata/current")); err != nil {
		t.Fatal(err)
	}
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main"))); err != nil {
		t.Fatal(err)
	}
	w, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	g := &gitFixture{t: t, dir: dir, w: w, clock: time.Date(2026, 8, 20, 18, 5, 0, 0, time.FixedZone("", 2*3600))}
	g.commit("the fixture")
	return g
}

// edit changes a file of the content folder: f gets its content and
// returns the new one ("" deletes the file).
func (g *gitFixture) edit(rel string, f func(string) string) {
	g.t.Helper()
	p := filepath.Join(g.dir, "content", rel)
	b, _ := os.ReadFile(p)
	s := f(string(b))
	if s == "" {
		if err := os.Remove(p); err != nil {
			g.t.Fatal(err)
		}
		return
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		g.t.Fatal(err)
	}
}

func (g *gitFixture) commit(msg string) string {
	g.t.Helper()
	if err := g.w.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		g.t.Fatal(err)
	}
	sig := &object.Signature{Name: "Jardinier", Email: "jardin@example.org", When: g.clock}
	g.last, g.clock = g.clock, g.clock.Add(24*time.Hour)
	h, err := g.w.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true})
	if err != nil {
		g.t.Fatal(err)
	}
	return h.String()
}

func TestSyncCommand(t *testing.T) {
	g := newGitFixture(t)
	db := filepath.Join(t.TempDir(), "synced.db")
	out, _, err := portfolioCmd(nil, "sync", "--db", db, "--repo", g.dir)
	if err != nil {
		t.Fatalf("first sync: %v\n%s", err, out)
	}
	for _, want := range []string{"synced " + g.dir + " (main) at commit ", " of 2026-08-20 18:05 +0200 into ", "the whole tree compared with the database (the first sync of this database",
		"records dated 2026-08-20 (the commit's date)", "(2 new, 0 updated, 0 unchanged)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the first sync does not say %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(db + ".sync/HEAD"); err != nil {
		t.Errorf("no clone beside the database: %v", err)
	}
	out, _, err = portfolioCmd(nil, "sync", "--db", db, "--repo", g.dir)
	if err != nil || !strings.Contains(out, "unchanged: the branch's head is the commit already synced") {
		t.Errorf("a second sync: %v\n%s", err, out)
	}

	g.edit("_startups/binette.md", func(s string) string { return strings.Replace(s, "title: Binette", "title: Binette bio", 1) })
	g.edit("_authors/chloe.graine.md", func(string) string { return "" })
	g.commit("binette renamed, chloé removed")
	out, _, err = portfolioCmd(nil, "sync", "--db", db, "--repo", g.dir, "--ref", "main")
	if err != nil {
		t.Fatalf("sync: %v\n%s", err, out)
	}
	for _, want := range []string{"2 files changed since ", "records dated 2026-08-21", "1 record deleted (no longer in the source): member chloe.graine",
		"startups            2   (0 new, 1 updated, 0 unchanged)"} {
		if !strings.Contains(out, want) {
			t.Errorf("the sync does not say %q:\n%s", want, out)
		}
	}

	// The check and the origin say where the records come from.
	out, _, err = portfolioCmd(nil, "check", "--db", db)
	if err != nil || !strings.Contains(out, "synced from "+g.dir+" (main) at commit ") {
		t.Errorf("check: %v\n%s", err, out)
	}
}

func TestSyncCommandRefusals(t *testing.T) {
	g := newGitFixture(t)
	demo := filepath.Join(t.TempDir(), "demo.db")
	if _, _, err := portfolioCmd(nil, "seed", "--db", demo); err != nil {
		t.Fatal(err)
	}
	_, _, err := portfolioCmd(nil, "sync", "--db", demo, "--repo", g.dir)
	if err == nil || exitCode(err) != 1 || !strings.Contains(err.Error(), "refusing to write the repository's records into") ||
		!strings.Contains(err.Error(), "sync --db") {
		t.Errorf("a sync into the demo: %v", err)
	}
	_, _, err = portfolioCmd(nil, "sync", "--db", filepath.Join(t.TempDir(), "x.db"))
	if exitCode(err) != 2 {
		t.Errorf("sync without --repo: %v, want a usage error", err)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	_, _, err = portfolioCmd(nil, "sync", "--db", db, "--repo", filepath.Join(t.TempDir(), "nowhere"))
	if err == nil || !strings.Contains(err.Error(), "nothing written") {
		t.Errorf("a sync of a repository that is not there: %v", err)
	}
}

func TestImportPrune(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "content")
	if err := os.CopyFS(dir, os.DirFS("../../internal/betagouv/testdata/current/content")); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "x.db")
	if out, err := runCmd(t, "import", "--db", db, dir); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	if err := os.Remove(filepath.Join(dir, "_authors", "chloe.graine.md")); err != nil {
		t.Fatal(err)
	}
	out, err := runCmd(t, "import", "--db", db, dir)
	if err != nil || !strings.Contains(out, "1 members in the database are absent from this snapshot (kept, not deleted): chloe.graine") {
		t.Errorf("an import without --prune: %v\n%s", err, out)
	}
	out, err = runCmd(t, "import", "--db", db, "--prune", "--records-date", "2026-08-20", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1 record deleted (no longer in the source): member chloe.graine", "records dated 2026-08-20 (--records-date)"} {
		if !strings.Contains(out, want) {
			t.Errorf("import --prune does not say %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "absent from this snapshot") {
		t.Errorf("import --prune lists absent records:\n%s", out)
	}
	if _, err := runCmd(t, "import", "--db", db, "--records-date", "20/08/2026", dir); exitCode(err) != 2 {
		t.Errorf("--records-date 20/08/2026: %v, want a usage error", err)
	}
}

// TestServeSyncRepo: serve --sync-repo on a local repository shows a new
// commit's change through the API within a sync period, and dataset names
// the new commit; a failure shows in dataset.lastSyncError, /readyz and
// /metrics, the records staying as they were.
func TestServeSyncRepo(t *testing.T) {
	g := newGitFixture(t)
	first := g.commit("empty")
	db := filepath.Join(t.TempDir(), "served.db")
	url := startServe(t, db, "--sync-repo", g.dir, "--sync-every", "100ms")
	type dataset struct{ commit, lastSyncError, name string }
	read := func() dataset {
		out := postQuery(t, url, `{ dataset { commit lastSyncError } startup(slug: "binette") { name } }`)
		data, _ := out["data"].(map[string]any)
		d, _ := data["dataset"].(map[string]any)
		var ds dataset
		ds.commit, _ = d["commit"].(string)
		ds.lastSyncError, _ = d["lastSyncError"].(string)
		if s, ok := data["startup"].(map[string]any); ok {
			ds.name, _ = s["name"].(string)
		}
		return ds
	}
	// Wait for the event, with a generous deadline (a busy machine), not
	// for a fixed time.
	waitFor := func(what string, ok func(dataset) bool) dataset {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for {
			ds := read()
			if ok(ds) {
				return ds
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still %+v after 60 s", what, ds)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("the first sync", func(d dataset) bool { return d.commit == first && d.name == "Binette" })

	g.edit("_startups/binette.md", func(s string) string { return strings.Replace(s, "title: Binette", "title: Binette bio", 1) })
	second := g.commit("binette renamed")
	waitFor("the new commit", func(d dataset) bool { return d.commit == second && d.name == "Binette bio" && d.lastSyncError == "" })

	get := func(path string) string {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if r := get("/readyz"); !strings.Contains(r, "ready (synced from "+g.dir+" (main) at commit "+second[:12]) {
		t.Errorf("/readyz: %s", r)
	}
	if m := get("/metrics"); !strings.Contains(m, "portfolio_syncs_total ") || !strings.Contains(m, "portfolio_sync_failing 0") ||
		!strings.Contains(m, "portfolio_sync_last_commit_timestamp_seconds "+strconv.FormatFloat(float64(g.last.Unix()), 'g', -1, 64)+"\n") {
		t.Errorf("/metrics lacks the syncs:\n%s", grepLines(m, "portfolio_sync"))
	}

	// The repository goes away: the syncs fail, the records stay.
	if err := os.Rename(g.dir, g.dir+".gone"); err != nil {
		t.Fatal(err)
	}
	d := waitFor("a failed sync", func(d dataset) bool { return d.lastSyncError != "" })
	if d.commit != second || d.name != "Binette bio" {
		t.Errorf("after a failed sync: %+v, want the records of %s", d, second)
	}
	if r := get("/readyz"); !strings.Contains(r, "ready (synced from") || !strings.Contains(r, "; the last sync of "+g.dir+" (main) failed on ") {
		t.Errorf("/readyz after a failure: %s", r)
	}
	if m := get("/metrics"); !strings.Contains(m, "portfolio_sync_failing 1") {
		t.Errorf("/metrics after a failure:\n%s", grepLines(m, "portfolio_sync"))
	}
}

func grepLines(s, prefix string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
