package server

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/incubateurs/portfolio/internal/server/assets"
)

// The playground is GraphiQL 4 with the explorer plugin, on a page of our own
// rather than gqlgen's playground.Handler: gqlgen's page cannot open a
// default tab (only a query persisted in the URL), nor leave an unfilled
// Authorization placeholder out of requests, and it loads its files from a
// CDN. The page loads the files embedded in the binary (package assets),
// which the server serves at assetsPrefix, or those of a mirror; either
// way, with their subresource-integrity hashes.

// assetsPrefix is where the server serves the embedded npm files, each at
// assetsPrefix/PACKAGE@VERSION/FILE.
const assetsPrefix = "/assets/npm"

// playgroundFile is one file the page loads; a script's Global is the
// global variable it defines, which the page checks.
type playgroundFile struct {
	assets.File
	Global string
}

// playgroundFiles returns the page's stylesheets and scripts, in loading
// order: React first, then GraphiQL (which needs React), then the explorer
// (which needs both).
func playgroundFiles() (styles, scripts []playgroundFile) {
	f := func(pkg, file, global string) playgroundFile {
		return playgroundFile{File: assets.MustLookup(pkg, file), Global: global}
	}
	styles = []playgroundFile{
		f("graphiql", "graphiql.min.css", ""),
		f("@graphiql/plugin-explorer", "dist/style.css", ""),
	}
	scripts = []playgroundFile{
		f("react", "umd/react.production.min.js", "React"),
		f("react-dom", "umd/react-dom.production.min.js", "ReactDOM"),
		f("graphiql", "graphiql.min.js", "GraphiQL"),
		f("@graphiql/plugin-explorer", "dist/index.umd.js", "GraphiQLPluginExplorer"),
	}
	return styles, scripts
}

// PlaygroundMirrorAssets lists the files a mirror given to
// Config.PlaygroundAssets must serve, each at BASE/Path, byte for byte: the
// files of the npm packages react, react-dom, graphiql and
// @graphiql/plugin-explorer at PACKAGE@VERSION/FILE, as
// https://cdn.jsdelivr.net/npm and the server's own /assets/npm lay them out.
func PlaygroundMirrorAssets() []assets.File {
	styles, scripts := playgroundFiles()
	var out []assets.File
	for _, f := range append(scripts, styles...) {
		out = append(out, f.File)
	}
	return out
}

// CheckPlaygroundAssets reports whether base can serve as the base URL of a
// mirror of the playground's files: an absolute http or https URL, or a path
// on this server starting with "/". The empty string (no mirror) is valid.
func CheckPlaygroundAssets(base string) error {
	if base == "" {
		return nil
	}
	u, err := url.Parse(base)
	if err != nil {
		return fmt.Errorf("playground assets: %w", err)
	}
	switch {
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("playground assets: %q: a base URL takes no query or fragment", base)
	case u.Scheme == "" && u.Host == "" && strings.HasPrefix(u.Path, "/") && !strings.HasPrefix(base, "//"):
		return nil
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host != "":
		return nil
	}
	return fmt.Errorf("playground assets: %q is neither an http(s) URL nor a path starting with /", base)
}

// exampleQuery is the playground's first tab: the dashboard of the whole
// network, with comments on how to change it. The comment lines stay short:
// the editor shares the screen with the explorer and the result.
const exampleQuery = `# The portfolio dashboard, today.
# Run it: ▶ or Ctrl-Enter. Change it
# by clicking in the explorer (left),
# or type: Ctrl-Space completes, and
# Docs (book icon) describes fields.
# Token: if the answer is
# UNAUTHENTICATED, put yours in place
# of <your token> under Headers
# (below); until then none is sent.
query Dashboard {
  # Another day:
  #   portfolio(asOf: "2025-01-01")
  # One incubator:
  #   portfolio(filter:
  #     {incubators: ["SLUG"]})
  # incubators { nodes { slug } }
  # lists the slugs. Filters compose:
  # phases, sponsors, search, and, or,
  # not (see Docs).
  portfolio {
    asOf
    startupCount
    byPhase { phase count }
    # members on a team today; with a
    # token, membersByStatus too
    activeMemberCount
    membersByDomain { domain count }
    # investment committees: late, none
    # on record (not late: unknown), due
    # within 60 days, up to date
    reviewStatuses { status count }
  }
  # The late ones, the oldest last
  # committee first. asOf and
  # incubators work here as above;
  # reviewStatus: [NONE_RECORDED]
  # lists those with no committee on
  # record. first: 10 is the page size.
  startups(filter: {reviewStatus: [OVERDUE]}, orderBy: [{field: LAST_COMMITTEE, direction: ASC}], first: 10) {
    totalCount
    nodes { name incubator { title } phase lastCommittee { date decision } nextCommitteeDue teamSize }
  }
}
`

// fictitiousNote heads the first tab on the demo network: a person reading
// its answers must know they are invented.
const fictitiousNote = `# DONNÉES FICTIVES: this server holds
# the synthetic demo network, invented
# startups, histories and people (some
# with the slugs of real records).
# Nothing here describes the network.
`

// tokenPlaceholder is the value the headers editor starts with; the page
// leaves an Authorization header out of requests while it still holds a
// <…> placeholder, so anonymous queries work until a token is pasted.
const tokenPlaceholder = "Bearer <your token>"

// playgroundConfig is what the page's script reads, as one JSON object.
type playgroundConfig struct {
	Endpoint       string `json:"endpoint"`
	DefaultQuery   string `json:"defaultQuery"`
	DefaultHeaders string `json:"defaultHeaders"`
	StoragePrefix  string `json:"storagePrefix"`
}

// playgroundPage holds what the page template needs.
type playgroundPage struct {
	Title   string
	Scripts []assetLink
	Styles  []assetLink
	// Mirror is the base URL of the files when they come from a mirror
	// (--playground-assets), empty when the server serves them.
	Mirror string
	Config playgroundConfig
}

// assetLink is a file's full URL, its integrity hash and, for a script,
// the global it defines.
type assetLink struct {
	URL       string
	Integrity string
	Global    string
}

// playgroundTemplate is the page. Scripts are classic UMD bundles that set
// the globals React, ReactDOM, GraphiQL and GraphiQLPluginExplorer. A file
// that fails to load (blocked, missing, or not matching its integrity hash)
// replaces GraphiQL with a message, in English and French, that names it
// and says what to do.
var playgroundTemplate = template.Must(template.New("playground").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{{.Title}}</title>
<style>
  body { margin: 0; }
  #graphiql { height: 100vh; }
  #graphiql > .loading { height: 100%; display: flex; align-items: center; justify-content: center; font: 2rem system-ui, sans-serif; }
  #asset-failure { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; font: 1rem/1.5 system-ui, sans-serif; }
  #asset-failure code { white-space: nowrap; }
  #asset-failure li code { white-space: normal; overflow-wrap: anywhere; }
</style>
<script>
  // Note each file that fails to load, as it fails: load errors do not
  // bubble, but a listener on window sees them while capturing.
  window.failedAssets = [];
  window.showFailedAssets = function () {
    const box = document.getElementById("asset-failure");
    if (!box || failedAssets.length === 0) return;
    for (const list of box.querySelectorAll(".failed-files")) {
      list.replaceChildren(...failedAssets.map((u) => {
        const li = document.createElement("li");
        li.appendChild(document.createElement("code")).textContent = u;
        return li;
      }));
    }
    box.hidden = false;
    const app = document.getElementById("graphiql");
    if (app) app.hidden = true;
  };
  addEventListener("error", (e) => {
    const el = e.target;
    if ((el instanceof HTMLScriptElement || el instanceof HTMLLinkElement) && !failedAssets.includes(el.src || el.href)) {
      failedAssets.push(el.src || el.href);
      showFailedAssets();
    }
  }, true);
</script>
{{- range .Styles}}
<link rel="stylesheet" href="{{.URL}}" integrity="{{.Integrity}}" crossorigin="anonymous">
{{- end}}
</head>
<body>
<div id="asset-failure" role="alert" hidden>
<div lang="en">
<p><strong>GraphiQL did not load.</strong> These files could not be loaded (blocked, missing, or not the expected bytes):</p>
<ul class="failed-files"></ul>
{{- if .Mirror}}
<p>This server is set to take them from <code>{{.Mirror}}</code> (<code>--playground-assets</code>). Check that this copy serves each file byte for byte (and, on another site, with <code>Access-Control-Allow-Origin</code>), or start the server without <code>--playground-assets</code> to use the copy built into it.</p>
{{- else}}
<p>This server serves them itself. Reload the page; if it fails again, something between your browser and the server (a proxy, an extension) blocks or alters them. The server's administrator can point the page at another copy with <code>portfolio serve --playground-assets URL</code> (<code>portfolio serve -h</code> lists the files).</p>
{{- end}}
</div>
<div lang="fr">
<p><strong>GraphiQL ne s’est pas chargé.</strong> Ces fichiers n’ont pas pu être chargés (bloqués, absents ou différents de ceux attendus)&nbsp;:</p>
<ul class="failed-files"></ul>
{{- if .Mirror}}
<p>Ce serveur est réglé pour les prendre sur <code>{{.Mirror}}</code> (<code>--playground-assets</code>). Vérifiez que cette copie sert chaque fichier à l’identique (et, sur un autre site, avec <code>Access-Control-Allow-Origin</code>), ou démarrez le serveur sans <code>--playground-assets</code> pour utiliser la copie intégrée.</p>
{{- else}}
<p>Ce serveur les fournit lui-même. Rechargez la page&nbsp;; si l’échec se répète, un intermédiaire entre votre navigateur et le serveur (proxy, extension) les bloque ou les modifie. L’administrateur du serveur peut faire charger une autre copie avec <code>portfolio serve --playground-assets URL</code> (<code>portfolio serve -h</code> en donne la liste).</p>
{{- end}}
</div>
</div>
<div id="graphiql"><div class="loading">Loading GraphiQL…</div></div>
{{- range .Scripts}}
<script src="{{.URL}}" integrity="{{.Integrity}}" crossorigin="anonymous" data-global="{{.Global}}"></script>
{{- end}}
<script>
(function () {
  "use strict";
  const config = {{.Config}};
  const root = document.getElementById("graphiql");
  // A stylesheet that did not apply failed too, even if no error event
  // said so. So did a script that ran but did not define its global,
  // unless another file failed first: then it is that one's fault (the
  // scripts need those before them).
  for (const l of document.querySelectorAll('link[rel="stylesheet"]')) {
    if (!l.sheet && !failedAssets.includes(l.href)) failedAssets.push(l.href);
  }
  if (failedAssets.length === 0) {
    for (const s of document.querySelectorAll("script[data-global]")) {
      if (!window[s.dataset.global]) failedAssets.push(s.src);
    }
  }
  if (failedAssets.length > 0) {
    showFailedAssets();
    return;
  }

  // Requests go without an Authorization header that still holds a <…>
  // placeholder: bearer tokens never contain angle brackets.
  const placeholder = /<[^<>]*>/;
  const send = GraphiQL.createFetcher({ url: new URL(config.endpoint, location.href).href });
  function fetcher(params, options) {
    const headers = Object.assign({}, options && options.headers);
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === "authorization" && placeholder.test(String(headers[name]))) {
        delete headers[name];
      }
    }
    return send(params, Object.assign({}, options, { headers: headers }));
  }

  // GraphiQL's tabs and settings, kept apart from other GraphiQL pages of
  // the same origin.
  const storage = {
    getItem: (key) => localStorage.getItem(config.storagePrefix + key),
    setItem: (key, value) => localStorage.setItem(config.storagePrefix + key, value),
    removeItem: (key) => localStorage.removeItem(config.storagePrefix + key),
    keys: () => Object.keys(localStorage).filter((k) => k.startsWith(config.storagePrefix)),
    clear() { this.keys().forEach((k) => localStorage.removeItem(k)); },
    get length() { return this.keys().length; },
  };

  // A link may open a query in a tab of its own: ?query=…&variables=…
  // (the « Voir la requête » links of the review pages). GraphiQL reuses
  // the tab that already holds the same query and variables.
  const params = new URLSearchParams(location.search);
  const linked = {};
  if (params.get("query")) {
    linked.query = params.get("query");
    if (params.get("variables")) linked.variables = params.get("variables");
  }

  const explorer = GraphiQLPluginExplorer.explorerPlugin();
  // Open the explorer once GraphiQL has drawn its sidebar, by pressing the
  // sidebar's button: GraphiQL 4.1's visiblePlugin prop marks a plugin
  // visible but leaves its pane collapsed.
  const opener = new MutationObserver(() => {
    const button = root.querySelector('.graphiql-sidebar button[aria-label="Show ' + explorer.title + '"]');
    if (button) {
      opener.disconnect();
      button.click();
    }
  });
  opener.observe(root, { childList: true, subtree: true });
  setTimeout(() => opener.disconnect(), 15000);

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, Object.assign({
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      defaultHeaders: config.defaultHeaders,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      plugins: [explorer],
      storage: storage,
      inputValueDeprecation: true,
    }, linked)),
  );
})();
</script>
</body>
</html>
`))

// playgroundHandler serves GraphiQL with the explorer plugin, talking to
// /graphql, with the files the server serves at assetsPrefix or, when
// assets is set, those of that mirror (see PlaygroundMirrorAssets).
func playgroundHandler(assets string, fictitious func(context.Context) bool) http.Handler {
	body := func(example string) []byte {
		page := newPlaygroundPage(assets)
		page.Config.DefaultQuery = example
		var buf bytes.Buffer
		if err := playgroundTemplate.Execute(&buf, page); err != nil {
			panic(fmt.Sprintf("playground page: %v", err)) // a bug in the template, caught by the tests
		}
		return buf.Bytes()
	}
	real, demo := body(exampleQuery), body(fictitiousNote+exampleQuery)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		if fictitious != nil && fictitious(r.Context()) {
			w.Write(demo)
			return
		}
		w.Write(real)
	})
}

// newPlaygroundPage returns the page's data for the given mirror base URL
// (empty: the server's own files).
func newPlaygroundPage(mirror string) playgroundPage {
	base := assetsPrefix
	if mirror != "" {
		base = strings.TrimRight(mirror, "/")
	}
	links := func(files []playgroundFile) []assetLink {
		var out []assetLink
		for _, f := range files {
			out = append(out, assetLink{URL: base + "/" + f.Path, Integrity: f.Integrity, Global: f.Global})
		}
		return out
	}
	styles, scripts := playgroundFiles()
	return playgroundPage{
		Title:   "Portfolio — GraphQL",
		Styles:  links(styles),
		Scripts: links(scripts),
		Mirror:  mirror,
		Config: playgroundConfig{
			Endpoint:       "/graphql",
			DefaultQuery:   exampleQuery,
			DefaultHeaders: "{\n  \"Authorization\": \"" + tokenPlaceholder + "\"\n}",
			StoragePrefix:  "portfolio:",
		},
	}
}
