// Package assets holds the front-end files the server's pages load, taken
// byte for byte from pinned npm packages and embedded in the binary, and
// serves them.
//
// The files live in npm/PACKAGE@VERSION/FILE (a scoped package's
// PACKAGE is @scope/name), beside each package's licence file and
// package.json. packages.txt lists what is taken; update.sh re-fetches it
// with "npm pack", checks each tarball's integrity against the npm
// registry, and records the integrity in npm.sum. A page asks for a file by
// package name and path (Lookup), without the version, so that upgrading a
// package is an edit of packages.txt and a run of update.sh.
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed npm
var embedded embed.FS

// FS returns the embedded files, at their paths PACKAGE@VERSION/FILE.
func FS() fs.FS {
	sub, err := fs.Sub(embedded, "npm")
	if err != nil {
		panic(err) // "npm" is a valid path: cannot happen
	}
	return sub
}

// File is one embedded file: its path PACKAGE@VERSION/FILE, which is also
// its URL path under the handler's prefix and under a mirror's base URL,
// and its subresource-integrity hash (sha256-BASE64).
type File struct {
	Path      string
	Integrity string
}

// entry is a file as served.
type entry struct {
	data        []byte
	integrity   string
	etag        string
	contentType string
	gzipOnce    sync.Once
	gzipped     []byte // nil when gzip does not make it smaller
}

// catalogue is every embedded file, by path, and the version of each
// package.
type catalogue struct {
	files    map[string]*entry
	versions map[string][]string // package name → versions embedded
}

// theCatalogue is the embedded tree, read once.
var theCatalogue = sync.OnceValue(func() *catalogue {
	c, err := newCatalogue(FS())
	if err != nil {
		panic(err) // the embedded tree is fixed at build time, and tested
	}
	return c
})

// newCatalogue reads a tree of PACKAGE@VERSION/FILE.
func newCatalogue(root fs.FS) (*catalogue, error) {
	c := &catalogue{files: map[string]*entry{}, versions: map[string][]string{}}
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name, version, ok := splitSpec(p); ok {
				c.versions[name] = append(c.versions[name], version)
			}
			return nil
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		c.files[p] = &entry{
			data:        data,
			integrity:   "sha256-" + base64.StdEncoding.EncodeToString(sum[:]),
			etag:        `"` + hex.EncodeToString(sum[:16]) + `"`,
			contentType: contentType(p),
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("assets: reading the files: %w", err)
	}
	return c, nil
}

// splitSpec splits a directory path of the tree that names a package,
// "name@version" or "@scope/name@version", into name and version.
func splitSpec(p string) (name, version string, ok bool) {
	scope := ""
	if strings.HasPrefix(p, "@") {
		i := strings.IndexByte(p, '/')
		if i < 0 {
			return "", "", false // the scope's own folder
		}
		scope, p = p[:i+1], p[i+1:]
	}
	if strings.Contains(p, "/") {
		return "", "", false // a folder inside a package
	}
	i := strings.LastIndexByte(p, '@')
	if i <= 0 || i == len(p)-1 {
		return "", "", false
	}
	return scope + p[:i], p[i+1:], true
}

// Lookup returns the embedded file at path file (e.g. "umd/react.production.min.js")
// of the npm package pkg (e.g. "react"), whichever version is embedded.
func Lookup(pkg, file string) (File, error) {
	return theCatalogue().lookup(pkg, file)
}

func (c *catalogue) lookup(pkg, file string) (File, error) {
	versions := c.versions[pkg]
	switch len(versions) {
	case 0:
		return File{}, fmt.Errorf("assets: no npm package %s is embedded (see packages.txt)", pkg)
	case 1:
	default:
		return File{}, fmt.Errorf("assets: %s is embedded at several versions (%s): run update.sh", pkg, strings.Join(versions, ", "))
	}
	p := pkg + "@" + versions[0] + "/" + file
	e, ok := c.files[p]
	if !ok {
		return File{}, fmt.Errorf("assets: %s is not embedded (see packages.txt)", p)
	}
	return File{Path: p, Integrity: e.integrity}, nil
}

// MustLookup is Lookup for files a page cannot do without: it panics when
// the file is not embedded, which any test of the page shows.
func MustLookup(pkg, file string) File {
	f, err := Lookup(pkg, file)
	if err != nil {
		panic(err)
	}
	return f
}

// contentTypes are the types of the files served, by extension; a file
// without an extension (LICENSE) is text.
var contentTypes = map[string]string{
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".txt":   "text/plain; charset=utf-8",
	".md":    "text/markdown; charset=utf-8",
	"":       "text/plain; charset=utf-8",
}

func contentType(p string) string {
	if ct, ok := contentTypes[strings.ToLower(path.Ext(p))]; ok {
		return ct
	}
	return "application/octet-stream"
}

// CacheControl is the caching header of every file served: a file's path
// carries its package's version, so a path always names the same bytes.
const CacheControl = "public, max-age=31536000, immutable"

// Handler serves the embedded files at their paths PACKAGE@VERSION/FILE
// (mount it under a prefix with http.StripPrefix): with their content
// type, CacheControl, an ETag, X-Content-Type-Options: nosniff,
// Access-Control-Allow-Origin: * (so that pages of other origins can load
// them with an integrity check, as from a CDN), and gzip-compressed to
// clients that accept it. Anything else is a 404.
func Handler() http.Handler {
	return theCatalogue().handler()
}

func (c *catalogue) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			h.Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		e, ok := c.files[strings.TrimPrefix(r.URL.Path, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		h.Set("Content-Type", e.contentType)
		h.Set("Cache-Control", CacheControl)
		h.Set("Access-Control-Allow-Origin", "*") // public files: any page may load them, as from a CDN
		h.Set("Vary", "Accept-Encoding")
		body, etag := e.data, e.etag
		if acceptsGzip(r.Header.Values("Accept-Encoding")) {
			if gz := e.gzip(); gz != nil {
				body, etag = gz, e.etag[:len(e.etag)-1]+`-gz"`
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body)) // no Last-Modified: the ETag serves
	})
}

// gzip returns the file compressed, made on first use, or nil when
// compressing does not save a tenth of it (already compressed formats).
func (e *entry) gzip() []byte {
	e.gzipOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // a valid level: no error
		zw.Write(e.data)                                         // writes to memory: no error
		zw.Close()
		if buf.Len() < len(e.data)*9/10 {
			e.gzipped = buf.Bytes()
		}
	})
	return e.gzipped
}

// acceptsGzip reports whether Accept-Encoding values list gzip with a
// non-zero weight.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for part := range strings.SplitSeq(v, ",") {
			name, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
				continue
			}
			q, hasQ := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q=")
			if !hasQ || strings.Trim(q, "0.") != "" {
				return true
			}
			return false
		}
	}
	return false
}
