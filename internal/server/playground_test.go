package server

import (
	"encoding/json"
	"html"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

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
    committeeOverdueCount
  }
  startups(filter: {active: true, committeeOverdue: true}, orderBy: [{field: LAST_COMMITTEE, direction: ASC}], first: 10) {
    totalCount
    nodes { name incubator { title } phase lastCommittee { date decision } teamSize }
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

func TestPlaygroundPage(t *testing.T) {
	cdn := []string{
		"https://cdn.jsdelivr.net/npm/graphiql@4.1.2/graphiql.min.css sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU=",
		"https://cdn.jsdelivr.net/npm/@graphiql/plugin-explorer@4.0.6/dist/style.min.css sha256-b0izygy8aEMY3fCLmtNkm9PKdE3kRD4Qjn6Q8gw5xKI=",
		"https://cdn.jsdelivr.net/npm/react@18.2.0/umd/react.production.min.js sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY=",
		"https://cdn.jsdelivr.net/npm/react-dom@18.2.0/umd/react-dom.production.min.js sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc=",
		"https://cdn.jsdelivr.net/npm/graphiql@4.1.2/graphiql.min.js sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs=",
		"https://cdn.jsdelivr.net/npm/@graphiql/plugin-explorer@4.0.6/dist/index.umd.js sha256-UM8sWOS0Xa9yLY85q6Clh0pF4qpxX+TOcJ41flECqBs=",
	}
	mirror := func(base string) []string {
		return []string{
			base + "/graphiql@4.1.2/graphiql.min.css sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU=",
			base + "/@graphiql/plugin-explorer@4.0.6/dist/style.css sha256-aJCaSuI7+t/EWRrLTis8jU9EFTua5/o7fnwxnroxDvE=",
			base + "/react@18.2.0/umd/react.production.min.js sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY=",
			base + "/react-dom@18.2.0/umd/react-dom.production.min.js sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc=",
			base + "/graphiql@4.1.2/graphiql.min.js sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs=",
			base + "/@graphiql/plugin-explorer@4.0.6/dist/index.umd.js sha256-UM8sWOS0Xa9yLY85q6Clh0pF4qpxX+TOcJ41flECqBs=",
		}
	}
	tests := []struct {
		name   string
		assets string
		want   []string
	}{
		{"cdn by default", "", cdn},
		{"mirror URL", "https://static.example.gouv.fr/npm", mirror("https://static.example.gouv.fr/npm")},
		{"mirror URL with a trailing slash", "http://127.0.0.1:9000/", mirror("http://127.0.0.1:9000")},
		{"mirror path on the same host", "/graphiql-assets", mirror("/graphiql-assets")},
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
			if got := pageAssets(t, page); !slices.Equal(got, tt.want) {
				t.Errorf("assets:\n got %q\nwant %q", got, tt.want)
			}
			if tt.assets != "" && strings.Contains(page, "cdn.jsdelivr.net") {
				t.Error("the page still refers to the CDN")
			}
			for _, s := range []string{
				`crossorigin="anonymous"`,
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
	for _, path := range []string{"/index.html", "/graphiql", "/x/"} {
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

// The CDN files must be gqlgen's, so that an upgrade of gqlgen that moves to
// other GraphiQL files is noticed here (and the template checked against
// them).
func TestPlaygroundCDNAssetsMatchGqlgen(t *testing.T) {
	_, theirs := get(t, playground.Handler("t", "/graphql", playground.WithGraphiqlEnablePluginExplorer(true)), "/")
	got, want := pageAssets(t, theirs), pageAssets(t, pageFor(t, ""))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("gqlgen's page loads\n%q\nours\n%q", got, want)
	}
}

// pageFor returns the playground page for the given mirror base URL.
func pageFor(t *testing.T, assets string) string {
	t.Helper()
	_, page := get(t, playgroundHandler(assets), "/")
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

// The README tells administrators what a mirror serves.
func TestPlaygroundMirrorAssetsInREADME(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ")
	for _, a := range PlaygroundMirrorAssets() {
		if !strings.Contains(text, "`URL/"+a.Path+"`") {
			t.Errorf("README.md does not list URL/%s", a.Path)
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
