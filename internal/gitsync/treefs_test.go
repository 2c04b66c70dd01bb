package gitsync

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// TestTreeFS checks the file system of a commit's record folders with the
// standard library's conformance test: a record folder, a folder inside
// it, a file that is not a record; other files of the repository are not
// in it.
func TestTreeFS(t *testing.T) {
	dir := t.TempDir()
	r, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	for p, c := range map[string]string{
		"content/_startups/a.md":          "---\ntitle: A\n---\n",
		"content/_startups/notes.txt":     "notes",
		"content/_startups/drafts/b.md":   "---\ntitle: B\n---\n",
		"content/_authors/x.y.md":         "---\nfullname: X Y\n---\n",
		"content/other/ignored.md":        "ignored",
		"static/img/logo.svg":             "<svg/>",
		"content/_organisations/dinum.md": "---\nname: DINUM\n---\n",
	} {
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w, _ := r.Worktree()
	if err := w.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.org", When: time.Date(2026, 8, 20, 0, 0, 0, 0, time.UTC)}
	h, err := w.Commit("c", &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := r.CommitObject(h)
	tree, _ := c.Tree()
	fsys, err := loadTree(r, tree)
	if err != nil {
		t.Fatal(err)
	}
	if fsys.root != "content" {
		t.Errorf("root %q, want content", fsys.root)
	}
	if err := fstest.TestFS(fsys, "content/_startups/a.md", "content/_startups/notes.txt", "content/_startups/drafts",
		"content/_authors/x.y.md", "content/_organisations/dinum.md"); err != nil {
		t.Error(err)
	}
	for _, p := range []string{"content/other/ignored.md", "static/img/logo.svg", "content/_startups/drafts/b.md"} {
		if _, err := fsys.Stat(p); err == nil {
			t.Errorf("%s is in the file system of the record folders", p)
		}
	}
	if len(fsys.blobs()) != 3 {
		t.Errorf("%d record files with their blob, want 3: %v", len(fsys.blobs()), fsys.blobs())
	}
}
