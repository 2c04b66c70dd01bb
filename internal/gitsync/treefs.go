package gitsync

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/incubateurs/portfolio/internal/betagouv"
)

// treeFS is the content of one commit as betagouv reads it: the record
// folders of its tree (content/_startups, … or _startups, … at the root).
// A file's content is read from the repository when the reader asks for
// it, one at a time (go-git's object storage is not read from several
// goroutines); the reader's cache finds most files by their blob hash
// (ContentKey) without reading them.
type treeFS struct {
	repo  *git.Repository
	mu    sync.Mutex               // reads of the repository
	files map[string]plumbing.Hash // path -> blob; the zero hash for a file never read (not a record)
	dirs  map[string][]fs.DirEntry // path -> entries, sorted by name
	root  string                   // "content" or "."
}

// ContentKey names a record file's content by its blob hash.
func (t *treeFS) ContentKey(name string) (string, bool) {
	h, ok := t.files[name]
	if !ok || h.IsZero() {
		return "", false
	}
	return h.String(), true
}

// blobs returns the record files (relative to the content folder) and
// their blob hashes, to compare two commits.
func (t *treeFS) blobs() map[string]plumbing.Hash {
	out := map[string]plumbing.Hash{}
	for p, h := range t.files {
		if !h.IsZero() {
			rel := p
			if t.root != "." {
				rel = strings.TrimPrefix(p, t.root+"/")
			}
			out[rel] = h
		}
	}
	return out
}

func (t *treeFS) read(name string) ([]byte, error) {
	h := t.files[name]
	if h.IsZero() {
		return nil, nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	blob, err := t.repo.BlobObject(h)
	if err != nil {
		return nil, err
	}
	r, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// errNoContent says a commit holds none of the content folders.
var errNoContent = errors.New("the commit holds no beta.gouv.fr content folder (content/_startups, content/_authors, … or the same at its root)")

// loadTree lists the record folders of a commit's tree.
func loadTree(repo *git.Repository, tree *object.Tree) (*treeFS, error) {
	t := &treeFS{repo: repo, files: map[string]plumbing.Hash{}, dirs: map[string][]fs.DirEntry{}}
	folders := betagouv.Folders()
	for _, root := range []string{"content", "."} {
		for _, f := range folders {
			if sub, err := subtree(tree, path.Join(root, f)); err == nil && sub != nil {
				t.root = root
				break
			}
		}
		if t.root != "" {
			break
		}
	}
	if t.root == "" {
		return nil, errNoContent
	}
	t.addDir(".")
	if t.root != "." {
		t.addDir(t.root)
		t.dirs["."] = append(t.dirs["."], dirEntry{name: t.root, dir: true})
	}
	for _, f := range folders {
		dir := path.Join(t.root, f)
		sub, err := subtree(tree, dir)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", dir, err)
		}
		if sub == nil {
			continue
		}
		t.addDir(dir)
		t.dirs[t.root] = append(t.dirs[t.root], dirEntry{name: f, dir: true})
		for _, e := range sub.Entries {
			p := path.Join(dir, e.Name)
			switch {
			case e.Mode == filemode.Dir:
				// A folder inside a record folder is reported, not read.
				t.addDir(p)
				t.dirs[dir] = append(t.dirs[dir], dirEntry{name: e.Name, dir: true})
			case e.Mode == filemode.Submodule || !strings.HasSuffix(e.Name, ".md"):
				t.files[p] = plumbing.ZeroHash // listed and reported, never read
				t.dirs[dir] = append(t.dirs[dir], dirEntry{name: e.Name})
			default:
				t.files[p] = e.Hash
				t.dirs[dir] = append(t.dirs[dir], dirEntry{name: e.Name})
			}
		}
	}
	for d := range t.dirs {
		slices.SortFunc(t.dirs[d], func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
	return t, nil
}

// subtree returns the tree at p, nil when there is none (or a file is
// there).
func subtree(tree *object.Tree, p string) (*object.Tree, error) {
	if p == "." {
		return tree, nil
	}
	e, err := tree.FindEntry(p)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if e.Mode != filemode.Dir {
		return nil, nil
	}
	return tree.Tree(p)
}

func (t *treeFS) addDir(p string) {
	if _, ok := t.dirs[p]; !ok {
		t.dirs[p] = []fs.DirEntry{}
	}
}

// Open opens a file or a folder of the tree.
func (t *treeFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if _, ok := t.files[name]; ok {
		b, err := t.read(name)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &memFile{name: path.Base(name), r: bytes.NewReader(b)}, nil
	}
	if es, ok := t.dirs[name]; ok {
		return &memDir{name: path.Base(name), entries: es}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadFile returns a file's content.
func (t *treeFS) ReadFile(name string) ([]byte, error) {
	if _, ok := t.files[name]; ok {
		b, err := t.read(name)
		if err != nil {
			return nil, &fs.PathError{Op: "read", Path: name, Err: err}
		}
		return b, nil
	}
	if _, ok := t.dirs[name]; ok {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("is a directory")}
	}
	return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
}

// ReadDir lists a folder, sorted by name.
func (t *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if es, ok := t.dirs[name]; ok {
		return slices.Clone(es), nil
	}
	return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
}

// Stat describes a file or a folder. Sizes are not known without reading
// the files: they are 0.
func (t *treeFS) Stat(name string) (fs.FileInfo, error) {
	if _, ok := t.files[name]; ok {
		return dirEntry{name: path.Base(name)}, nil
	}
	if _, ok := t.dirs[name]; ok {
		return dirEntry{name: path.Base(name), dir: true}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

// dirEntry is both the fs.DirEntry and the fs.FileInfo of a tree entry.
type dirEntry struct {
	name string
	dir  bool
}

func (e dirEntry) Name() string               { return e.name }
func (e dirEntry) IsDir() bool                { return e.dir }
func (e dirEntry) Type() fs.FileMode          { return e.Mode().Type() }
func (e dirEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e dirEntry) Size() int64                { return 0 }
func (e dirEntry) ModTime() time.Time         { return time.Time{} }
func (e dirEntry) Sys() any                   { return nil }
func (e dirEntry) Mode() fs.FileMode {
	if e.dir {
		return fs.ModeDir | 0o555
	}
	return 0o444
}

type memFile struct {
	name string
	r    *bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return dirEntry{name: f.name}, nil }
func (f *memFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	name    string
	entries []fs.DirEntry
	off     int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return dirEntry{name: d.name, dir: true}, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.name, Err: errors.New("is a directory")}
}
func (d *memDir) Close() error { return nil }

// ReadDir lists the folder's entries, n at a time (all when n <= 0).
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return slices.Clone(rest[:n]), nil
}
