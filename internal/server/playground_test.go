package server

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"html"
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

	"github.com/incubateurs/portfolio/internal/server/assets"

	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// theExampleQuery is the example query's body as agreed, without comments.
const theExampleQuery = `query Dashboard {
  portfolio {
    asOf
    startupCount
    byPhase { phase count }
    activeMemberCount
    membersByDomain { domain count }
    reviewStatuses { status count }
  }
  startups(filter: {reviewStatus: [OVERDUE]}, orderBy: [{field: LAST_COMMITTEE, direction: ASC}], first: 10) {
    totalCount
    nodes { name incubator { title } phase lastCommittee { date decision } nextCommitteeDue teamSize }
  }
}
`

var (
	tagRE    = regexp.MustCompile(`<(script|link)\b[^>]*>`)
	attrRE   = regexp.MustCompile(`\b(src|href|integrity)="([^"]*)"`)
	configRE = regexp.MustCompile(`(?m)^\s*const config = (.*);$`)
)

// pageAssets returns the URL and integrity of every script and stylesheet
// of the page, in order, as "URL integrity".
func pageAssets(t *testing.T, page string) []string {
	t.Helper()
	var out []string
	for _, tag := range tagRE.FindAllString(page, -1) {
		attrs := map[string]string{}
		for _, m := range attrRE.FindAllStringSubmatch(tag, -1) {
			attrs[m[1]] = html.UnescapeString(m[2])
		}
		u := attrs["src"] + attrs["href"]
		if u == "" || strings.HasPrefix(u, "data:") {
			continue // an inline script, the empty favicon
		}
		if attrs["integrity"] == "" {
			t.Errorf("%s has no integrity hash", u)
		}
		out = append(out, u+" "+attrs["integrity"])
	}
	return out
}

// pageConfig decodes the JSON object the page's script reads.
func pageConfig(t *testing.T, page string) playgroundConfig {
	t.Helper()
	m := configRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no `const config = …;` line in the page")
	}
	var cfg playgroundConfig
	if err := json.Unmarshal([]byte(m[1]), &cfg); err != nil {
		t.Fatalf("config is not JSON: %v\n%s", err, m[1])
	}
	return cfg
}

// get serves GET path from h and returns the response and its body.
func get(t *testing.T, h http.Handler, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// recordedFile returns the path and hash npm.sum records for file of the
// npm package pkg: the expected values, read from what update.sh wrote
// rather than from the code that looks files up.
func recordedFile(t *testing.T, pkg, file string) (path, integrity string) {
	t.Helper()
	data, err := os.ReadFile("assets/npm.sum")
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		f := strings.Fields(line)
		if len(f) != 3 || f[0] != "file" {
			continue
		}
		rest, ok := strings.CutPrefix(f[1], pkg+"@")
		if version, ok2 := strings.CutSuffix(rest, "/"+file); ok && ok2 && !strings.Contains(version, "/") {
			return f[1], f[2]
		}
	}
	t.Fatalf("npm.sum records no %s of %s", file, pkg)
	return "", ""
}

// wantAssets returns the page's files, in order, as "URL integrity", for
// the given base URL.
func wantAssets(t *testing.T, base string) []string {
	var out []string
	for _, f := range [][2]string{
		{"graphiql", "graphiql.min.css"},
		{"@graphiql/plugin-explorer", "dist/style.css"},
		{"react", "umd/react.production.min.js"},
		{"react-dom", "umd/react-dom.production.min.js"},
		{"graphiql", "graphiql.min.js"},
		{"@graphiql/plugin-explorer", "dist/index.umd.js"},
	} {
		path, integrity := recordedFile(t, f[0], f[1])
		out = append(out, base+"/"+path+" "+integrity)
	}
	return out
}

var failureRE = regexp.MustCompile(`(?s)<div id="asset-failure" role="alert" hidden>\s*<div lang="en">(.*?)</div>\s*<div lang="fr">(.*?)</div>`)

func TestPlaygroundPage(t *testing.T) {
	tests := []struct {
		name   string
		assets string
		base   string
	}{
		{"the server's own files by default", "", "/assets/npm"},
		{"mirror URL", "https://static.example.gouv.fr/npm", "https://static.example.gouv.fr/npm"},
		{"mirror URL with a slash", "https://cdn.jsdelivr.net/npm/", "https://cdn.jsdelivr.net/npm"},
		{"mirror path on the same host", "/graphiql-assets", "/graphiql-assets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Through New, to check the route too; GET / needs no database.
			resp, page := get(t, New(Config{PlaygroundAssets: tt.assets}), "/")
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET / = %d", resp.StatusCode)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q", ct)
			}
			if got, want := pageAssets(t, page), wantAssets(t, tt.base); !slices.Equal(got, want) {
				t.Errorf("assets:\n got %q\nwant %q", got, want)
			}
			if tt.assets != "" && strings.Contains(page, "/assets/npm") {
				t.Error("the page refers to the server's own files, not to the mirror")
			}
			if tt.assets == "" && strings.Contains(page, "://") {
				t.Error("the page refers to another site")
			}

			// The message shown when a file fails, in English and French,
			// names the option, and the mirror when there is one.
			m := failureRE.FindStringSubmatch(page)
			if m == nil {
				t.Fatal("the page has no hidden #asset-failure message in English then French")
			}
			for i, lang := range []string{"en", "fr"} {
				msg := m[i+1]
				for _, s := range []string{`class="failed-files"`, "--playground-assets", tt.assets} {
					if !strings.Contains(msg, s) {
						t.Errorf("the %s message lacks %s:\n%s", lang, s, msg)
					}
				}
			}
			advice := [2]string{"Reload the page", "Rechargez la page"} // the server's own files
			if tt.assets != "" {
				advice = [2]string{"without <code>--playground-assets</code> to use the copy built into it", "sans <code>--playground-assets</code> pour utiliser la copie intégrée"}
			}
			for i, a := range advice {
				if !strings.Contains(m[i+1], a) {
					t.Errorf("the message does not say %q:\n%s", a, m[i+1])
				}
			}
			for _, s := range []string{
				`crossorigin="anonymous"`,
				`data-global="React"`,
				`data-global="GraphiQLPluginExplorer"`,
				`addEventListener("error"`,
				"GraphiQLPluginExplorer.explorerPlugin()",
				"plugins: [explorer]",
				`aria-label="Show ' + explorer.title + '"`,
				`defaultEditorToolsVisibility: "headers"`,
				"isHeadersEditorEnabled: true",
			} {
				if !strings.Contains(page, s) {
					t.Errorf("the page lacks %s", s)
				}
			}

			cfg := pageConfig(t, page)
			if cfg.Endpoint != "/graphql" {
				t.Errorf("endpoint = %q, want /graphql", cfg.Endpoint)
			}
			if got := withoutComments(cfg.DefaultQuery); got != theExampleQuery {
				t.Errorf("default query without its comments:\n%s\nwant\n%s", got, theExampleQuery)
			}
			if !strings.HasPrefix(cfg.DefaultQuery, "# ") {
				t.Errorf("the default query does not start with its documentation:\n%s", cfg.DefaultQuery)
			}
			var headers map[string]string
			if err := json.Unmarshal([]byte(cfg.DefaultHeaders), &headers); err != nil {
				t.Fatalf("default headers are not a JSON object (GraphiQL would refuse every request): %v", err)
			}
			if want := map[string]string{"Authorization": "Bearer <your token>"}; !maps.Equal(headers, want) {
				t.Errorf("default headers = %v, want %v", headers, want)
			}
		})
	}
}

// withoutComments drops the lines that are only a comment.
func withoutComments(q string) string {
	var b strings.Builder
	for line := range strings.Lines(q) {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func TestPlaygroundOnlyAtRoot(t *testing.T) {
	h := New(Config{})
	for _, path := range []string{"/index.html", "/graphiql", "/x/", "/assets/", "/assets/npm/", "/assets/npm/react@0.0.1/umd/react.production.min.js", "/assets/react@18.2.0/LICENSE"} {
		if resp, _ := get(t, h, path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

// The example query must stay valid as the schema moves.
func TestPlaygroundExampleQueryIsValid(t *testing.T) {
	src, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(src)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	if _, errs := gqlparser.LoadQuery(schema, exampleQuery); len(errs) > 0 {
		t.Errorf("the example query does not validate against schema.graphqls: %v", errs)
	}
	// What its comments suggest.
	for _, q := range []string{
		`{ portfolio(asOf: "2025-01-01") { asOf } }`,
		`{ portfolio(filter: {incubators: ["SLUG"]}) { asOf } }`,
		`{ portfolio(filter: {phases: [CONSTRUCTION], sponsors: ["s"], search: "w", and: [{active: true}], or: [{active: false}], not: {active: true}}) { asOf } }`,
		`{ incubators { nodes { slug } } }`,
		`{ startups(asOf: "2025-01-01", filter: {incubators: ["SLUG"], active: true, committeeOverdue: false}, first: 10) { totalCount } }`,
	} {
		if _, errs := gqlparser.LoadQuery(schema, q); len(errs) > 0 {
			t.Errorf("%s: %v", q, errs)
		}
	}
}

// Where the embedded files are of the versions gqlgen's own playground
// pins, they are the bytes it pins: a witness, independent of npm.sum,
// that they are the packages' files. (gqlgen loads the explorer's
// dist/style.min.css, which jsDelivr minifies on the fly; the package
// ships dist/style.css, which we embed.)
func TestPlaygroundAssetsMatchGqlgen(t *testing.T) {
	_, theirs := get(t, playground.Handler("t", "/graphql", playground.WithGraphiqlEnablePluginExplorer(true)), "/")
	ours := map[string]string{}
	for _, a := range pageAssets(t, pageFor(t, "")) {
		u, integrity, _ := strings.Cut(a, " ")
		ours[strings.TrimPrefix(u, "/assets/npm/")] = integrity
	}
	compared := 0
	for _, a := range pageAssets(t, theirs) {
		u, integrity, _ := strings.Cut(a, " ")
		path, ok := strings.CutPrefix(u, "https://cdn.jsdelivr.net/npm/")
		if !ok {
			t.Errorf("gqlgen's page loads %s, not from jsDelivr: update this test", u)
			continue
		}
		if strings.HasSuffix(path, "/dist/style.min.css") {
			continue
		}
		got, ok := ours[path]
		if !ok {
			t.Logf("gqlgen's page loads %s, which we do not embed (another version?)", path)
			continue
		}
		compared++
		if got != integrity {
			t.Errorf("%s: embedded with hash %s, gqlgen pins %s", path, got, integrity)
		}
	}
	if compared == 0 {
		t.Skip("no file in common with gqlgen's page: nothing to compare")
	}
	t.Logf("%d files compared with gqlgen's pins", compared)
}

// pageFor returns the playground page for the given mirror base URL.
func pageFor(t *testing.T, assets string) string {
	t.Helper()
	_, page := get(t, playgroundHandler(assets, nil), "/")
	return page
}

func TestPlaygroundMirrorAssets(t *testing.T) {
	page := pageFor(t, "http://m")
	var want []string
	for _, a := range PlaygroundMirrorAssets() {
		if strings.HasPrefix(a.Path, "/") || !strings.Contains(a.Path, "@") {
			t.Errorf("path %q is not PACKAGE@VERSION/FILE", a.Path)
		}
		if !strings.HasPrefix(a.Integrity, "sha256-") {
			t.Errorf("%s: integrity %q", a.Path, a.Integrity)
		}
		want = append(want, "http://m/"+a.Path+" "+a.Integrity)
	}
	got := pageAssets(t, page)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the page loads\n%q\nthe mirror list says\n%q", got, want)
	}
}

// Every file the page loads is served by the server itself, byte for byte
// as embedded, with the hash the page checks, its content type, a long
// cache and nosniff; and it is the same file a mirror would serve.
func TestPlaygroundAssetsServed(t *testing.T) {
	h := New(Config{}) // no database: the page and its files need none
	_, page := get(t, h, "/")
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	links := pageAssets(t, page)
	if len(links) != 6 {
		t.Fatalf("the page loads %d files, want 6: %q", len(links), links)
	}
	for _, a := range links {
		u, integrity, _ := strings.Cut(a, " ")
		resp, body := get(t, h, u)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d", u, resp.StatusCode)
			continue
		}
		sum := sha256.Sum256([]byte(body))
		if got := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); got != integrity {
			t.Errorf("GET %s: the body hashes to %s, the page expects %s", u, got, integrity)
		}
		embedded, err := fs.ReadFile(assets.FS(), strings.TrimPrefix(u, "/assets/npm/"))
		if err != nil {
			t.Errorf("%s: %v", u, err)
		} else if body != string(embedded) {
			t.Errorf("GET %s: %d bytes, not the embedded file (%d bytes)", u, len(body), len(embedded))
		}
		if ct, want := resp.Header.Get("Content-Type"), types[path.Ext(u)]; ct != want {
			t.Errorf("GET %s: Content-Type %q, want %q", u, ct, want)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") || !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: Cache-Control %q, want a year, immutable", u, cc)
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options %q", u, got)
		}
	}
	// The files are served when the page takes them from a mirror, too, and
	// to pages of other origins, whatever the API's CORS origins: another
	// server can be the mirror.
	for _, cfg := range []Config{{PlaygroundAssets: "https://m.example.org"}, {CORSOrigins: []string{"https://dash.example.org"}}} {
		req := httptest.NewRequest(http.MethodGet, "/assets/npm/"+PlaygroundMirrorAssets()[0].Path, nil)
		req.Header.Set("Origin", "https://other.example.org")
		rec := httptest.NewRecorder()
		New(cfg).ServeHTTP(rec, req)
		if rec.Code != http.StatusOK || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%+v: GET of an embedded file from another origin = %d, Access-Control-Allow-Origin %q", cfg, rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
		}
	}
}

func TestCheckPlaygroundAssets(t *testing.T) {
	tests := []struct {
		base string
		ok   bool
	}{
		{"", true},
		{"https://static.example.gouv.fr/npm", true},
		{"http://127.0.0.1:9000/", true},
		{"/graphiql-assets", true},
		{"ftp://example.org/npm", false},
		{"static/npm", false},
		{"//cdn.example.org/npm", false},
		{"https:///npm", false},
		{"https://example.org/npm?v=1", false},
		{"https://example.org/npm#x", false},
		{"http://[::1", false},
	}
	for _, tt := range tests {
		err := CheckPlaygroundAssets(tt.base)
		if (err == nil) != tt.ok {
			t.Errorf("CheckPlaygroundAssets(%q) = %v, want ok=%v", tt.base, err, tt.ok)
		}
	}
}

// TestPlaygroundFictitious checks that the first tab says « Données
// fictives » on the demo network, and only there.
func TestPlaygroundFictitious(t *testing.T) {
	for _, demo := range []bool{true, false} {
		_, page := get(t, playgroundHandler("", func(context.Context) bool { return demo }), "/")
		if got := strings.Contains(page, "DONNÉES FICTIVES"); got != demo {
			t.Errorf("demo %v: the first tab says DONNÉES FICTIVES: %v", demo, got)
		}
		if !strings.Contains(page, "reviewStatuses") {
			t.Errorf("demo %v: the first tab lost its example", demo)
		}
	}
}
