package main

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/server/assets"
)

// TestPlaygroundInChromium opens the playground in headless Chromium with
// its network cut off: every host name but 127.0.0.1 fails to resolve, and
// every request that is not for the loopback interface goes to a proxy
// that only notes it and hangs up. Every request the page makes is
// recorded (CDP Network events).
//
//   - With the files the server embeds, the page loads them from the server
//     and from nowhere else, runs the example query with the execute button,
//     and shows the result; a filled-in token is sent, the placeholder not.
//   - With --playground-assets pointing at another server's /assets/npm,
//     the page loads from there (another origin) and GraphiQL comes up.
//   - When a file fails (a proxy in front of the server refuses one; the
//     mirror given with --playground-assets serves one altered; the mirror
//     is the CDN, out of reach here), the page names the failed files and
//     says what to do, with --playground-assets, in English and French.
//
// It leaves screenshots in testdata/artifacts/ at the root of the module
// (or in $PORTFOLIO_E2E_ARTIFACTS).
//
// It needs Chromium; without it, it skips, unless PORTFOLIO_E2E=1, which
// makes a missing browser a failure (CI sets it). -short skips it.
func TestPlaygroundInChromium(t *testing.T) {
	chromium := needChromium(t, "playground")

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 480*time.Second)
	defer cancel()

	// The servers: with the embedded files, reached directly and through a
	// proxy that blocks one; with the first server as mirror; with a mirror
	// that alters one; with the CDN as mirror. They are stopped after the browser, whose open connections
	// would otherwise hold up their shutdown.
	const blocked, altered = "react-dom.production.min.js", "graphiql.min.js"
	const cdn = "https://cdn.jsdelivr.net/npm"
	db := filepath.Join(t.TempDir(), "e2e.db")
	base := startServe(t, db)
	proxy := httptest.NewServer(blockingProxy(t, base, blocked))
	defer proxy.Close()
	mirror := httptest.NewServer(alteredMirror(altered))
	defer mirror.Close()
	withMirror := startServe(t, db, "--playground-assets", mirror.URL)
	withServer := startServe(t, db, "--playground-assets", base+"/assets/npm")
	withCDN := startServe(t, db, "--playground-assets", cdn)
	t.Logf("servers ready at %s after %s", base, time.Since(start).Round(time.Millisecond))

	trap := newTrapProxy(t)
	var b browserLog
	defer b.dump(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, offlineChromium(t, chromium, trap.addr, 1440, 960)...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil { // starts Chromium, with no timeout of its own
		t.Fatalf("starting %s: %v", chromium, err)
	}
	t.Logf("browser started after %s", time.Since(start).Round(time.Millisecond))

	t.Run("embedded files", func(t *testing.T) {
		mark := b.mark()
		runExampleQuery(t, browser, &b, base)
		files := b.checkHosts(t, mark, base)
		if want := len(server.PlaygroundMirrorAssets()); len(files) < want+1 { // the page, its files, /graphql
			t.Errorf("the page made %d requests: %q", len(files), files)
		}
		t.Logf("the page made %d requests, all to %s, after %s", len(files), base, time.Since(start).Round(time.Millisecond))
	})

	t.Run("another server as mirror", func(t *testing.T) {
		mark := b.mark()
		step, cancel := context.WithTimeout(browser, 80*time.Second)
		defer cancel()
		err := chromedp.Do(step,
			chromedp.Navigate(withServer+"/"),
			chromedp.WaitVisible(chromedp.CSS(".graphiql-execute-button")),
		)
		if err != nil {
			screenshot(t, browser, "playground-e2e-mirror-failed.png")
			t.Fatalf("the playground did not come up with its files from %s: %v", base, err)
		}
		var fromMirror int
		for _, r := range b.since(mark) {
			if strings.HasPrefix(r.url, base+"/assets/npm/") && r.status == http.StatusOK {
				fromMirror++
			}
		}
		if want := len(server.PlaygroundMirrorAssets()); fromMirror != want {
			t.Errorf("%d files came from the mirror, want %d", fromMirror, want)
		}
		b.checkHosts(t, mark, withServer, base)
	})

	t.Run("a proxy blocks an embedded file", func(t *testing.T) {
		mark := b.mark()
		var want []string
		for _, a := range server.PlaygroundMirrorAssets() {
			if path.Base(a.Path) == blocked {
				want = append(want, proxy.URL+"/assets/npm/"+a.Path)
			}
		}
		checkFailureMessage(t, browser, proxy.URL, want, "playground-e2e-blocked.png", map[string]string{
			"en": "This server serves them itself. Reload the page",
			"fr": "Ce serveur les fournit lui-même. Rechargez la page",
		})
		b.checkHosts(t, mark, proxy.URL)
	})

	t.Run("altered file on a mirror", func(t *testing.T) {
		mark := b.mark()
		var want []string
		for _, a := range server.PlaygroundMirrorAssets() {
			if path.Base(a.Path) == altered {
				want = append(want, mirror.URL+"/"+a.Path)
			}
		}
		checkFailureMessage(t, browser, withMirror, want, "playground-e2e-altered.png", map[string]string{
			"en": "This server is set to take them from " + mirror.URL,
			"fr": "Ce serveur est réglé pour les prendre sur " + mirror.URL,
		})
		b.checkHosts(t, mark, withMirror, mirror.URL)
	})

	t.Run("mirror out of reach", func(t *testing.T) {
		mark := b.mark()
		var want []string
		for _, a := range server.PlaygroundMirrorAssets() {
			want = append(want, cdn+"/"+a.Path)
		}
		checkFailureMessage(t, browser, withCDN, want, "playground-e2e-offline.png", map[string]string{
			"en": "This server is set to take them from " + cdn,
			"fr": "Ce serveur est réglé pour les prendre sur " + cdn,
		})
		// The page asked the CDN for its files, and got nothing.
		asked := 0
		for _, r := range b.since(mark) {
			if !strings.HasPrefix(r.url, cdn+"/") {
				continue
			}
			asked++
			if r.failed == "" || r.status != 0 {
				t.Errorf("%s was reached: status %d, error %q", r.url, r.status, r.failed)
			}
		}
		if asked != len(want) {
			t.Errorf("the page asked the CDN for %d files, want %d", asked, len(want))
		}
		b.checkHosts(t, mark, withCDN, cdn)
	})
	t.Logf("done after %s", time.Since(start).Round(time.Millisecond))

	// What the browser itself tried to reach (its own services, the CDN
	// above), and the proxy turned away.
	turnedAway := map[string]int{}
	for _, line := range trap.seen() {
		if f := strings.Fields(line); len(f) >= 2 {
			line = f[1]
			if u, err := url.Parse(line); err == nil && u.Host != "" {
				line = u.Host
			}
		}
		turnedAway[line]++
	}
	for _, host := range slices.Sorted(maps.Keys(turnedAway)) {
		t.Logf("the proxy turned away %d request(s) for %s", turnedAway[host], host)
	}
}

// runExampleQuery loads the playground at base, checks its editors, runs
// the example query with the execute button and checks the result, then
// runs it again with a token.
func runExampleQuery(t *testing.T, browser context.Context, b *browserLog, base string) {
	t.Helper()
	mark := b.mark()
	// Load the page: GraphiQL renders, the explorer opens on the schema.
	step, cancelStep := context.WithTimeout(browser, 80*time.Second)
	defer cancelStep()
	err := chromedp.Do(step,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(".graphiql-execute-button")),
	)
	if err == nil {
		// The explorer pane is open (a collapsed pane is moved off-screen)
		// and lists the fields of Query, so introspection worked.
		_, err = chromedp.Run(step, chromedp.Poll[bool](`(() => {
			const e = document.querySelector('.graphiql-explorer-root');
			if (!e) return false;
			const r = e.getBoundingClientRect();
			return r.left >= 0 && r.width > 150 && e.innerText.includes('startups');
		})()`, chromedp.WithPollingTimeout(40*time.Second)))
	}
	if err != nil {
		screenshot(t, browser, "playground-e2e-failed.png")
		t.Fatalf("the playground did not come up: %v", err)
	}
	editors, err := chromedp.Run(step, chromedp.Evaluate[map[string]string](`({
		query: document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror.getValue(),
		headers: [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]
			.filter((e) => e.offsetParent !== null)
			.map((e) => e.CodeMirror.getValue()).join('\n'),
	})`))
	if err != nil {
		t.Fatalf("reading the editors: %v", err)
	}
	if !strings.Contains(editors["query"], "query Dashboard {") || !strings.Contains(editors["query"], "startupCount") {
		t.Errorf("the default tab does not hold the example query:\n%s", editors["query"])
	}
	if !strings.Contains(editors["headers"], `"Authorization": "Bearer <your token>"`) {
		t.Errorf("the visible headers editor holds %q, want the Authorization placeholder", editors["headers"])
	}

	// Run the example query with the execute button, wait for the result.
	if err := chromedp.Do(step, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
		t.Fatalf("clicking the execute button: %v", err)
	}
	result, pollErr := chromedp.Run(step, chromedp.Poll[string](`(() => {
		const cm = document.querySelector('.result-window .CodeMirror');
		const v = cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
		return /"(startupCount|errors)"/.test(v) ? v : '';
	})()`, chromedp.WithPollingTimeout(60*time.Second)))
	shown, _ := chromedp.Run(step, chromedp.Text(chromedp.CSS(".result-window")))
	screenshot(t, browser, "playground-e2e.png")
	if pollErr != nil {
		t.Fatalf("no result in the result pane: %v (it shows %q)", pollErr, shown)
	}
	if !regexp.MustCompile(`"startupCount":\s*\d+`).MatchString(result) || strings.Contains(result, `"errors"`) {
		t.Errorf("the result pane does not show data without errors:\n%s", result)
	}
	if !strings.Contains(shown, `"startupCount"`) {
		t.Errorf("startupCount is not in view in the result pane, which shows:\n%s", shown)
	}
	posts, auth := b.graphqlPosts(mark)
	if posts < 2 { // introspection and the query
		t.Errorf("the browser sent %d POST requests to /graphql, want at least 2", posts)
	}
	if len(auth) > 0 {
		t.Errorf("the unfilled placeholder was sent as Authorization: %q", auth)
	}

	// A filled-in token is sent.
	mark = b.mark()
	err = chromedp.Do(step,
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]
			.find((e) => e.offsetParent !== null && e.CodeMirror.getValue().includes('Authorization'))
			.CodeMirror.setValue('{"Authorization": "Bearer e2e-token"}')`),
		chromedp.Click(chromedp.CSS(".graphiql-execute-button")),
	)
	if err != nil {
		t.Fatalf("filling in a token and running again: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second) // only stops a hang: the post comes or the test fails
	for {
		if _, sent := b.graphqlPosts(mark); len(sent) > 0 {
			if sent[0] != "Bearer e2e-token" {
				t.Errorf("Authorization sent: %q, want Bearer e2e-token", sent)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Error("a filled-in token was not sent")
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkFailureMessage loads the playground at base and checks that it
// shows, in English and French, the message naming exactly the files in
// want and --playground-assets, and saying say[language].
func checkFailureMessage(t *testing.T, browser context.Context, base string, want []string, shot string, say map[string]string) {
	t.Helper()
	step, cancel := context.WithTimeout(browser, 80*time.Second)
	defer cancel()
	err := chromedp.Do(step,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS("#asset-failure")),
	)
	screenshot(t, browser, shot)
	if err != nil {
		t.Fatalf("no message about the files: %v", err)
	}
	shown, err := chromedp.Run(step, chromedp.Evaluate[map[string]any](`(() => {
		const box = document.getElementById('asset-failure');
		const part = (lang) => box.querySelector('[lang="' + lang + '"]');
		return {
			en: part('en').innerText,
			fr: part('fr').innerText,
			files: [...box.querySelectorAll('.failed-files')].map((list) => [...list.children].map((li) => li.textContent)),
			graphiql: document.getElementById('graphiql').offsetParent !== null,
		};
	})()`))
	if err != nil {
		t.Fatalf("reading the message: %v", err)
	}
	t.Logf("the page says:\n%s\n%s", shown["en"], shown["fr"])
	if shown["graphiql"] == true {
		t.Error("the GraphiQL area is still shown beside the message")
	}
	files, _ := shown["files"].([]any)
	if len(files) != 2 {
		t.Fatalf("the message has %d lists of files, want 2 (English, French)", len(files))
	}
	for _, f := range files {
		items, _ := f.([]any)
		var got []string
		for _, it := range items {
			got = append(got, fmt.Sprint(it))
		}
		slices.Sort(got)
		w := slices.Sorted(slices.Values(want))
		if !slices.Equal(got, w) {
			t.Errorf("the message names\n%q\nwant\n%q", got, w)
		}
	}
	for _, lang := range []string{"en", "fr"} {
		text := fmt.Sprint(shown[lang])
		for _, s := range []string{"--playground-assets", say[lang]} {
			if !strings.Contains(text, s) {
				t.Errorf("the %s message does not say %s:\n%s", lang, s, text)
			}
		}
	}
}

// blockingProxy forwards requests to base, as a filtering proxy would,
// except those for a file named blocked, which it refuses.
func blockingProxy(t *testing.T, base, blocked string) http.Handler {
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(u)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path.Base(r.URL.Path) == blocked {
			http.Error(w, "blocked by policy", http.StatusForbidden)
			return
		}
		forward.ServeHTTP(w, r)
	})
}

// alteredMirror serves the embedded files as a mirror on another origin
// would, except that the file named altered gets one more line.
func alteredMirror(altered string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, err := fs.ReadFile(assets.FS(), strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if path.Base(r.URL.Path) == altered {
			data = append(slices.Clip(data), "\n// altered\n"...)
		}
		types := map[string]string{".js": "text/javascript", ".css": "text/css"}
		w.Header().Set("Content-Type", types[path.Ext(r.URL.Path)])
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Write(data)
	})
}

// browserLog records what the browser reports: console messages,
// exceptions, and every request of the page.
type browserLog struct {
	mu       sync.Mutex
	events   []string // console messages, exceptions, failed loads
	requests []*pageRequest
	byID     map[network.RequestID]*pageRequest
}

// pageRequest is one request of the page, and how it ended.
type pageRequest struct {
	url, method string
	auth        []string // Authorization headers sent
	status      int64    // 0 without a response
	failed      string   // the error, if it failed
}

func (b *browserLog) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		b.events = append(b.events, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		if d.Exception != nil {
			b.events = append(b.events, "exception: "+d.Exception.Description)
		} else {
			b.events = append(b.events, "exception: "+d.Text)
		}
	case *log.EventEntryAdded:
		b.events = append(b.events, fmt.Sprintf("log %s: %s %s", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
	case *network.EventRequestWillBeSent:
		r := &pageRequest{url: ev.Request.URL, method: ev.Request.Method}
		for k, v := range ev.Request.Headers {
			if strings.EqualFold(k, "Authorization") {
				r.auth = append(r.auth, fmt.Sprint(v))
			}
		}
		if b.byID == nil {
			b.byID = map[network.RequestID]*pageRequest{}
		}
		b.byID[ev.RequestID] = r
		b.requests = append(b.requests, r)
	case *network.EventResponseReceived:
		if r := b.byID[ev.RequestID]; r != nil {
			r.status = ev.Response.Status
		}
	case *network.EventLoadingFailed:
		r := b.byID[ev.RequestID]
		if r == nil {
			r = &pageRequest{url: "(unknown request " + string(ev.RequestID) + ")"}
		}
		r.failed = strings.TrimSpace(ev.ErrorText + " " + string(ev.BlockedReason))
		if ev.CorsErrorStatus != nil {
			r.failed += " CORS " + string(ev.CorsErrorStatus.CorsError)
		}
		b.events = append(b.events, "load failed: "+r.url+" "+r.failed)
	}
}

// mark returns a position in the list of requests, for since.
func (b *browserLog) mark() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.requests)
}

// since returns copies of the requests made after mark.
func (b *browserLog) since(mark int) []pageRequest {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []pageRequest
	for _, r := range b.requests[mark:] {
		out = append(out, *r)
	}
	return out
}

// graphqlPosts returns how many POST requests went to /graphql since mark,
// and the Authorization headers they sent.
func (b *browserLog) graphqlPosts(mark int) (posts int, auth []string) {
	for _, r := range b.since(mark) {
		if strings.HasSuffix(r.url, "/graphql") && r.method == http.MethodPost {
			posts++
			auth = append(auth, r.auth...)
		}
	}
	return posts, auth
}

// checkHosts fails the test for every request since mark that went to
// another origin than those of the given base URLs (data: URLs, which
// need no network, aside). It returns the requests' URLs.
func (b *browserLog) checkHosts(t *testing.T, mark int, bases ...string) []string {
	t.Helper()
	allowed := map[string]bool{}
	for _, base := range bases {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		allowed[u.Scheme+"://"+u.Host] = true
	}
	var urls []string
	for _, r := range b.since(mark) {
		urls = append(urls, r.url)
		u, err := url.Parse(r.url)
		switch {
		case err != nil:
			t.Errorf("the page requested %q: %v", r.url, err)
		case u.Scheme == "data":
		case !allowed[u.Scheme+"://"+u.Host]:
			t.Errorf("the page requested %s, outside the test servers %q", r.url, bases)
		}
	}
	return urls
}

// dump logs what the browser reported.
func (b *browserLog) dump(t *testing.T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.events {
		t.Log("browser:", e)
	}
}

// trapProxy is the browser's proxy: it notes the first line of every
// request sent to it (a request that would have left the machine) and
// hangs up.
type trapProxy struct {
	addr  string
	mu    sync.Mutex
	lines []string
}

func newTrapProxy(t *testing.T) *trapProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &trapProxy{addr: ln.Addr().String()}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return // closed
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				line, _ := bufio.NewReader(conn).ReadString('\n')
				p.mu.Lock()
				p.lines = append(p.lines, strings.TrimSpace(line))
				p.mu.Unlock()
			}()
		}
	}()
	return p
}

// seen returns the request lines the proxy turned away.
func (p *trapProxy) seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.lines)
}

// needChromium returns the Chromium to run the browser test of what with,
// or skips the test: in -short mode, or without Chromium, unless
// PORTFOLIO_E2E=1, which makes a missing browser a failure (CI sets it).
func needChromium(t *testing.T, what string) string {
	t.Helper()
	required := os.Getenv("PORTFOLIO_E2E") == "1"
	if testing.Short() && !required {
		t.Skip("skipping the browser test in -short mode")
	}
	chromium := findChromium()
	if chromium == "" {
		msg := "the " + what + " browser test needs chromium (Debian: apt-get install chromium; or set PORTFOLIO_CHROMIUM)"
		if required {
			t.Fatal(msg + " (PORTFOLIO_E2E=1 makes this a failure)")
		}
		t.Skip("skipping: " + msg + "; set PORTFOLIO_E2E=1 to make this a failure")
	}
	return chromium
}

// findChromium returns the browser to drive: $PORTFOLIO_CHROMIUM, else the
// first of chromium, chromium-browser, google-chrome on the PATH.
func findChromium() string {
	if p := os.Getenv("PORTFOLIO_CHROMIUM"); p != "" {
		return lookPath(p)
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p := lookPath(name); p != "" {
			return p
		}
	}
	return ""
}

func lookPath(name string) string {
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

// moduleRoot returns the directory of go.mod above the test's directory.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// screenshot saves the browser's viewport as a PNG in the artifacts folder:
// $PORTFOLIO_E2E_ARTIFACTS, or testdata/artifacts/ at the module root
// (git-ignored).
func screenshot(t *testing.T, browser context.Context, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(browser, 40*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	dir := os.Getenv("PORTFOLIO_E2E_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(moduleRoot(t), "testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	t.Logf("screenshot: %s", path)
}
