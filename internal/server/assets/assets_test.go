package assets

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// sri is the subresource-integrity hash of data, computed here rather
// than by the package.
func sri(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// npmSum is what npm.sum records.
type npmSum struct {
	tarballs  []string          // PACKAGE@VERSION, in order
	integrity map[string]string // PACKAGE@VERSION → tarball integrity
	files     map[string]string // PACKAGE@VERSION/FILE → sha256-…
}

func readNpmSum(t *testing.T) npmSum {
	t.Helper()
	f, err := os.Open("npm.sum")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := npmSum{integrity: map[string]string{}, files: map[string]string{}}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch {
		case len(fields) == 3 && fields[0] == "tarball" && strings.HasPrefix(fields[2], "sha512-"):
			s.tarballs = append(s.tarballs, fields[1])
			s.integrity[fields[1]] = fields[2]
		case len(fields) == 3 && fields[0] == "file" && strings.HasPrefix(fields[2], "sha256-"):
			s.files[fields[1]] = fields[2]
		default:
			t.Fatalf("npm.sum:%d: %q is neither `tarball SPEC sha512-…` nor `file PATH sha256-…`", n, line)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return s
}

// listed is one line of packages.txt.
type listed struct {
	spec, name string
	files      []string
}

func readPackagesList(t *testing.T) []listed {
	t.Helper()
	data, err := os.ReadFile("packages.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []listed
	// A line ending in \ goes on on the next one.
	joined := strings.ReplaceAll(string(data), "\\\n", " ")
	for line := range strings.Lines(joined) {
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(fields[0], "#") {
			continue
		}
		i := strings.LastIndexByte(fields[0], '@')
		if i <= 0 || len(fields) < 2 {
			t.Fatalf("packages.txt: %q is not PACKAGE@VERSION FILE…", line)
		}
		out = append(out, listed{spec: fields[0], name: fields[0][:i], files: fields[1:]})
	}
	return out
}

// licenceRE matches the names of licence files update.sh keeps.
var licenceRE = regexp.MustCompile(`(?i)^licen[cs]e`)

// The embedded files are exactly those npm.sum records, with its hashes,
// each package with a tarball integrity and its licence.
func TestEmbeddedFilesMatchNpmSum(t *testing.T) {
	sum := readNpmSum(t)
	if len(sum.tarballs) == 0 {
		t.Fatal("npm.sum records no package")
	}
	embedded := map[string]string{}
	err := fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(FS(), p)
		embedded[p] = sri(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for p, want := range sum.files {
		got, ok := embedded[p]
		switch {
		case !ok:
			t.Errorf("npm.sum records %s, which is not embedded", p)
		case got != want:
			t.Errorf("%s has hash %s, npm.sum records %s", p, got, want)
		}
	}
	for p := range embedded {
		if _, ok := sum.files[p]; !ok {
			t.Errorf("%s is embedded but not recorded in npm.sum", p)
		}
	}
	for _, spec := range sum.tarballs {
		var licence, packageJSON bool
		for p := range sum.files {
			file, ok := strings.CutPrefix(p, spec+"/")
			licence = licence || ok && licenceRE.MatchString(file)
			packageJSON = packageJSON || ok && file == "package.json"
		}
		if !packageJSON {
			t.Errorf("%s: no package.json kept", spec)
			continue
		}
		var meta struct{ Name, Version, License string }
		data, err := fs.ReadFile(FS(), spec+"/package.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &meta); err != nil {
			t.Fatalf("%s/package.json: %v", spec, err)
		}
		if meta.Name+"@"+meta.Version != spec {
			t.Errorf("%s/package.json is that of %s@%s", spec, meta.Name, meta.Version)
		}
		if !licence && meta.License == "" {
			t.Errorf("%s: no licence file, and its package.json names no licence", spec)
		}
	}
}

// packages.txt, the list edited by hand, and npm.sum, written by update.sh,
// agree: update.sh was run after the last edit.
func TestPackagesListMatchesNpmSum(t *testing.T) {
	sum := readNpmSum(t)
	list := readPackagesList(t)
	var specs []string
	for _, l := range list {
		specs = append(specs, l.spec)
		want := map[string]bool{l.spec + "/package.json": true}
		for _, f := range l.files {
			want[l.spec+"/"+f] = true
		}
		got := map[string]bool{}
		for p := range sum.files {
			if file, ok := strings.CutPrefix(p, l.spec+"/"); ok && !licenceRE.MatchString(file) {
				got[p] = true
			}
		}
		if !maps.Equal(got, want) {
			t.Errorf("%s: npm.sum has %v, packages.txt lists %v (run update.sh)", l.spec, slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
		}
	}
	if !slices.Equal(specs, sum.tarballs) {
		t.Errorf("packages.txt lists %q, npm.sum %q (run update.sh)", specs, sum.tarballs)
	}
}

func TestLookup(t *testing.T) {
	sum := readNpmSum(t)
	for _, l := range readPackagesList(t) {
		for _, file := range l.files {
			f, err := Lookup(l.name, file)
			if err != nil {
				t.Errorf("Lookup(%q, %q): %v", l.name, file, err)
				continue
			}
			if want := l.spec + "/" + file; f.Path != want {
				t.Errorf("Lookup(%q, %q).Path = %q, want %q", l.name, file, f.Path, want)
			}
			if f.Integrity != sum.files[f.Path] {
				t.Errorf("Lookup(%q, %q).Integrity = %q, npm.sum records %q", l.name, file, f.Integrity, sum.files[f.Path])
			}
		}
	}

	c, err := newCatalogue(fstest.MapFS{
		"a@1.0.0/x.js":              {Data: []byte("a1")},
		"b@1.0.0/x.js":              {Data: []byte("b1")},
		"b@2.0.0/x.js":              {Data: []byte("b2")},
		"@s/c@3.1.4-beta.1/d/x.css": {Data: []byte("c")},
		"@s/c@3.1.4-beta.1/d@2/y":   {Data: []byte("not a package")},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pkg, file string
		want      string // path, or a part of the error
		ok        bool
	}{
		{"a", "x.js", "a@1.0.0/x.js", true},
		{"@s/c", "d/x.css", "@s/c@3.1.4-beta.1/d/x.css", true},
		{"@s/c", "d@2/y", "@s/c@3.1.4-beta.1/d@2/y", true},
		{"b", "x.js", "several versions (1.0.0, 2.0.0)", false},
		{"c", "d/x.css", "no npm package c", false},
		{"d", "y", "no npm package d", false},
		{"a", "y.js", "a@1.0.0/y.js is not embedded", false},
		{"a", "", "a@1.0.0/ is not embedded", false},
	}
	for _, tt := range tests {
		f, err := c.lookup(tt.pkg, tt.file)
		switch {
		case tt.ok && err != nil:
			t.Errorf("lookup(%q, %q): %v", tt.pkg, tt.file, err)
		case tt.ok && f.Path != tt.want:
			t.Errorf("lookup(%q, %q).Path = %q, want %q", tt.pkg, tt.file, f.Path, tt.want)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("lookup(%q, %q) = %v, %v; want an error with %q", tt.pkg, tt.file, f, err, tt.want)
		}
	}
	if f, _ := c.lookup("a", "x.js"); f.Integrity != sri([]byte("a1")) {
		t.Errorf("integrity of a@1.0.0/x.js = %q, want %q", f.Integrity, sri([]byte("a1")))
	}
}

func TestHandler(t *testing.T) {
	big := bytes.Repeat([]byte("function f(){return 1}\n"), 1000)
	c, err := newCatalogue(fstest.MapFS{
		"p@1.0.0/a.js":         {Data: big},
		"p@1.0.0/a.css":        {Data: []byte("body{}")},
		"p@1.0.0/LICENSE":      {Data: []byte("MIT")},
		"p@1.0.0/f.woff2":      {Data: []byte{0x77, 0x4f, 0x46, 0x32}},
		"p@1.0.0/package.json": {Data: []byte("{}")},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := http.StripPrefix("/assets/npm", c.handler())
	gz := func(s string) string {
		zr, err := gzip.NewReader(strings.NewReader(s))
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		data, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("not gzip: %v", err)
		}
		return string(data)
	}
	tests := []struct {
		name, method, path string
		header             http.Header
		status             int
		contentType        string
		gzipped            bool
		body               string // the decoded body, when the status is 200
	}{
		{"script", "GET", "/assets/npm/p@1.0.0/a.js", nil, 200, "text/javascript; charset=utf-8", false, string(big)},
		{"script, gzip", "GET", "/assets/npm/p@1.0.0/a.js", http.Header{"Accept-Encoding": {"gzip, deflate, br"}}, 200, "text/javascript; charset=utf-8", true, string(big)},
		{"script, gzip refused", "GET", "/assets/npm/p@1.0.0/a.js", http.Header{"Accept-Encoding": {"br, gzip;q=0"}}, 200, "text/javascript; charset=utf-8", false, string(big)},
		{"small file: never gzipped", "GET", "/assets/npm/p@1.0.0/a.css", http.Header{"Accept-Encoding": {"gzip"}}, 200, "text/css; charset=utf-8", false, "body{}"},
		{"licence", "GET", "/assets/npm/p@1.0.0/LICENSE", nil, 200, "text/plain; charset=utf-8", false, "MIT"},
		{"font", "GET", "/assets/npm/p@1.0.0/f.woff2", nil, 200, "font/woff2", false, "wOF2"},
		{"package.json", "GET", "/assets/npm/p@1.0.0/package.json", nil, 200, "application/json", false, "{}"},
		{"head", "HEAD", "/assets/npm/p@1.0.0/a.css", nil, 200, "text/css; charset=utf-8", false, ""},
		{"another version", "GET", "/assets/npm/p@2.0.0/a.js", nil, 404, "", false, ""},
		{"a folder", "GET", "/assets/npm/p@1.0.0/", nil, 404, "", false, ""},
		{"the root", "GET", "/assets/npm/", nil, 404, "", false, ""},
		{"out of the tree", "GET", "/assets/npm/p@1.0.0/../../assets.go", nil, 404, "", false, ""},
		{"post", "POST", "/assets/npm/p@1.0.0/a.js", nil, 405, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.path, nil)
			maps.Copy(req.Header, tt.header)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			resp := rec.Result()
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options = %q", got)
			}
			if tt.status != 200 {
				if cc := resp.Header.Get("Cache-Control"); cc != "" {
					t.Errorf("an error is cached: Cache-Control %q", cc)
				}
				return
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type = %q, want %q", got, tt.contentType)
			}
			if got := resp.Header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
				t.Errorf("Cache-Control = %q", got)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "*" {
				t.Errorf("Access-Control-Allow-Origin = %q", got)
			}
			if got := resp.Header.Get("Vary"); got != "Accept-Encoding" {
				t.Errorf("Vary = %q", got)
			}
			if resp.Header.Get("ETag") == "" {
				t.Error("no ETag")
			}
			body := rec.Body.String()
			if enc := resp.Header.Get("Content-Encoding"); (enc == "gzip") != tt.gzipped {
				t.Errorf("Content-Encoding = %q, want gzip: %v", enc, tt.gzipped)
			} else if tt.gzipped {
				if len(body) >= len(tt.body)/2 {
					t.Errorf("gzip sent %d bytes for %d", len(body), len(tt.body))
				}
				body = gz(body)
			}
			if body != tt.body {
				t.Errorf("body differs: %d bytes, want %d", len(body), len(tt.body))
			}
		})
	}

	// A revalidation with the ETag of each representation gets a 304.
	for _, enc := range []string{"", "gzip"} {
		get := func(etag string) *http.Response {
			req := httptest.NewRequest("GET", "/assets/npm/p@1.0.0/a.js", nil)
			req.Header.Set("Accept-Encoding", enc)
			if etag != "" {
				req.Header.Set("If-None-Match", etag)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec.Result()
		}
		etag := get("").Header.Get("ETag")
		if resp := get(etag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("Accept-Encoding %q: If-None-Match %s answered %d, want 304", enc, etag, resp.StatusCode)
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		values []string
		want   bool
	}{
		{nil, false},
		{[]string{""}, false},
		{[]string{"gzip"}, true},
		{[]string{"GZIP"}, true},
		{[]string{"deflate, gzip;q=1.0, *;q=0.5"}, true},
		{[]string{"br", "gzip ; q=0.8"}, true},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip;q=0.000"}, false},
		{[]string{"identity, br"}, false},
		{[]string{"x-gzip"}, false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.values); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.values, got, tt.want)
		}
	}
}

// cssURL matches the url() references of a stylesheet.
var cssURL = regexp.MustCompile(`url\(\s*["']?([^"')]+)["']?\s*\)`)

// Every file an embedded stylesheet refers to is embedded beside it, so
// that a page styled with it reaches no other server: but for data: URLs,
// and the .woff fallbacks of fonts whose .woff2 is embedded (a @font-face
// lists woff2 first; every browser the pages support reads it).
func TestStylesheetReferencesAreEmbedded(t *testing.T) {
	sheets := 0
	err := fs.WalkDir(FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".css") {
			return err
		}
		sheets++
		data, err := fs.ReadFile(FS(), p)
		if err != nil {
			return err
		}
		for _, m := range cssURL.FindAllStringSubmatch(string(data), -1) {
			ref := m[1]
			if strings.HasPrefix(ref, "data:") || strings.HasPrefix(ref, "#") {
				continue
			}
			if strings.Contains(ref, "://") || strings.HasPrefix(ref, "//") {
				t.Errorf("%s refers to another server: %s", p, ref)
				continue
			}
			target := path.Join(path.Dir(p), ref)
			if _, err := fs.Stat(FS(), target); err == nil {
				continue
			}
			if strings.HasSuffix(target, ".woff") {
				if _, err := fs.Stat(FS(), target+"2"); err == nil {
					continue
				}
			}
			t.Errorf("%s refers to %s, which is not embedded (add it to packages.txt)", p, ref)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if sheets == 0 {
		t.Fatal("no stylesheet is embedded")
	}
}
