package server

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// The playground is GraphiQL 4 with the explorer plugin, on a page of our own
// rather than gqlgen's playground.Handler: gqlgen's page cannot open a
// default tab (only a query persisted in the URL), nor leave an unfilled
// Authorization placeholder out of requests. The page loads the very files
// gqlgen's page loads, with the same subresource-integrity hashes
// (TestPlaygroundCDNAssetsMatchGqlgen keeps them in step).

// cdnBase is where the GraphiQL files come from when no mirror is set.
const cdnBase = "https://cdn.jsdelivr.net/npm"

// PlaygroundAsset is one file the playground loads: its path under the base
// URL, laid out as on the CDN and in the npm packages
// (PACKAGE@VERSION/FILE), and its subresource-integrity hash.
type PlaygroundAsset struct {
	Path      string
	Integrity string
}

// The files, in loading order. React first, then GraphiQL (which needs
// React), then the explorer (which needs both).
var (
	assetReact    = PlaygroundAsset{"react@18.2.0/umd/react.production.min.js", "sha256-S0lp+k7zWUMk2ixteM6HZvu8L9Eh//OVrt+ZfbCpmgY="}
	assetReactDOM = PlaygroundAsset{"react-dom@18.2.0/umd/react-dom.production.min.js", "sha256-IXWO0ITNDjfnNXIu5POVfqlgYoop36bDzhodR6LW5Pc="}
	assetJS       = PlaygroundAsset{"graphiql@4.1.2/graphiql.min.js", "sha256-hnImuor1znlJkD/FOTL3jayfS/xsyNoP04abi8bFJWs="}
	assetCSS      = PlaygroundAsset{"graphiql@4.1.2/graphiql.min.css", "sha256-MEh+B2NdMSpj9kexQNN3QKc8UzMrCXW/Sx/phcpuyIU="}
	assetPluginJS = PlaygroundAsset{"@graphiql/plugin-explorer@4.0.6/dist/index.umd.js", "sha256-UM8sWOS0Xa9yLY85q6Clh0pF4qpxX+TOcJ41flECqBs="}
	// The CDN's dist/style.min.css is minified by jsDelivr on the fly: the
	// npm package only has dist/style.css, so a mirror serves that one.
	assetPluginCSSCDN    = PlaygroundAsset{"@graphiql/plugin-explorer@4.0.6/dist/style.min.css", "sha256-b0izygy8aEMY3fCLmtNkm9PKdE3kRD4Qjn6Q8gw5xKI="}
	assetPluginCSSMirror = PlaygroundAsset{"@graphiql/plugin-explorer@4.0.6/dist/style.css", "sha256-aJCaSuI7+t/EWRrLTis8jU9EFTua5/o7fnwxnroxDvE="}
)

// PlaygroundMirrorAssets lists the files a mirror given to
// Config.PlaygroundAssets must serve, each at BASE/Path: the files of the
// npm packages graphiql, react, react-dom and @graphiql/plugin-explorer, at
// the same paths as on https://cdn.jsdelivr.net/npm.
func PlaygroundMirrorAssets() []PlaygroundAsset {
	return []PlaygroundAsset{assetReact, assetReactDOM, assetJS, assetCSS, assetPluginJS, assetPluginCSSMirror}
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
    # active, last committee >183 days
    committeeOverdueCount
  }
  # Those overdue startups, the oldest
  # last committee first (never one:
  # last). asOf and incubators work
  # here as above; committeeOverdue:
  # false lists those up to date.
  # first: 10 is the page size.
  startups(filter: {active: true, committeeOverdue: true}, orderBy: [{field: LAST_COMMITTEE, direction: ASC}], first: 10) {
    totalCount
    nodes { name incubator { title } phase lastCommittee { date decision } teamSize }
  }
}
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
	Config  playgroundConfig
}

// assetLink is a file's full URL and its integrity hash.
type assetLink struct {
	URL       string
	Integrity string
}

// playgroundTemplate is the page. Scripts are classic UMD bundles that set
// the globals React, ReactDOM, GraphiQL and GraphiQLPluginExplorer.
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
</style>
{{- range .Styles}}
<link rel="stylesheet" href="{{.URL}}" integrity="{{.Integrity}}" crossorigin="anonymous">
{{- end}}
</head>
<body>
<div id="graphiql"><div class="loading">Loading GraphiQL…</div></div>
{{- range .Scripts}}
<script src="{{.URL}}" integrity="{{.Integrity}}" crossorigin="anonymous"></script>
{{- end}}
<script>
(function () {
  "use strict";
  const config = {{.Config}};
  const root = document.getElementById("graphiql");
  if (!window.React || !window.ReactDOM || !window.GraphiQL || !window.GraphiQLPluginExplorer) {
    root.firstChild.textContent = "GraphiQL did not load: its files are blocked or differ from the expected ones (see the browser console).";
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
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: config.defaultQuery,
      defaultHeaders: config.defaultHeaders,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      plugins: [explorer],
      storage: storage,
      inputValueDeprecation: true,
    }),
  );
})();
</script>
</body>
</html>
`))

// playgroundHandler serves GraphiQL with the explorer plugin, talking to
// /graphql, with the files from the CDN or, when assets is set, from that
// mirror (see PlaygroundMirrorAssets).
func playgroundHandler(assets string) http.Handler {
	page := newPlaygroundPage(assets)
	var buf bytes.Buffer
	if err := playgroundTemplate.Execute(&buf, page); err != nil {
		panic(fmt.Sprintf("playground page: %v", err)) // a bug in the template, caught by the tests
	}
	body := buf.Bytes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(body)
	})
}

// newPlaygroundPage returns the page's data for the given mirror base URL
// (empty: the CDN).
func newPlaygroundPage(assets string) playgroundPage {
	base, pluginCSS := cdnBase, assetPluginCSSCDN
	if assets != "" {
		base, pluginCSS = strings.TrimRight(assets, "/"), assetPluginCSSMirror
	}
	link := func(a PlaygroundAsset) assetLink {
		return assetLink{URL: base + "/" + a.Path, Integrity: a.Integrity}
	}
	return playgroundPage{
		Title:   "Portfolio — GraphQL",
		Styles:  []assetLink{link(assetCSS), link(pluginCSS)},
		Scripts: []assetLink{link(assetReact), link(assetReactDOM), link(assetJS), link(assetPluginJS)},
		Config: playgroundConfig{
			Endpoint:       "/graphql",
			DefaultQuery:   exampleQuery,
			DefaultHeaders: "{\n  \"Authorization\": \"" + tokenPlaceholder + "\"\n}",
			StoragePrefix:  "portfolio:",
		},
	}
}
