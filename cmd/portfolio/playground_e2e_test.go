package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
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
)

// TestPlaygroundInChromium opens the playground in headless Chromium, with
// the GraphiQL files from a local mirror (fetched once from the npm registry
// and cached), runs the example query with the execute button and checks the
// result pane. It leaves a screenshot in testdata/artifacts/ at the root of
// the module (or in $PORTFOLIO_E2E_ARTIFACTS).
//
// It needs chromium and npm; without them it skips, unless PORTFOLIO_E2E=1,
// which makes a missing tool a failure (CI sets it). -short skips it.
func TestPlaygroundInChromium(t *testing.T) {
	required := os.Getenv("PORTFOLIO_E2E") == "1"
	if testing.Short() && !required {
		t.Skip("skipping the browser test in -short mode")
	}
	chromium, npm := findChromium(), lookPath("npm")
	var missing []string
	if chromium == "" {
		missing = append(missing, "chromium (Debian: apt-get install chromium; or set PORTFOLIO_CHROMIUM)")
	}
	if npm == "" {
		missing = append(missing, "npm (to fetch the GraphiQL files from the npm registry)")
	}
	if len(missing) > 0 {
		msg := "the playground browser test needs " + strings.Join(missing, " and ")
		if required {
			t.Fatal(msg + " (PORTFOLIO_E2E=1 makes this a failure)")
		}
		t.Skip("skipping: " + msg + "; set PORTFOLIO_E2E=1 to make this a failure")
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	dir, err := mirrorPlaygroundAssets(ctx, npm, assetCacheDir(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("GraphiQL files ready in %s (%s)", time.Since(start).Round(time.Millisecond), dir)
	mirror := httptest.NewServer(mirrorHandler(dir))
	defer mirror.Close()

	base := startServe(t, filepath.Join(t.TempDir(), "e2e.db"), "--playground-assets", mirror.URL)
	t.Logf("server ready at %s after %s", base, time.Since(start).Round(time.Millisecond))

	var (
		mu      sync.Mutex
		events  []string // console messages, exceptions, failed loads
		authSet []string // Authorization headers sent to /graphql
		posts   int      // requests to /graphql
		urls    = map[network.RequestID]string{}
	)
	listen := func(ev any) {
		mu.Lock()
		defer mu.Unlock()
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
			events = append(events, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			if d.Exception != nil {
				events = append(events, "exception: "+d.Exception.Description)
			} else {
				events = append(events, "exception: "+d.Text)
			}
		case *log.EventEntryAdded:
			events = append(events, fmt.Sprintf("log %s: %s %s", ev.Entry.Level, ev.Entry.Text, ev.Entry.URL))
		case *network.EventLoadingFailed:
			msg := fmt.Sprintf("load failed: %s %s %s", urls[ev.RequestID], ev.ErrorText, ev.BlockedReason)
			if ev.CorsErrorStatus != nil {
				msg += " CORS " + string(ev.CorsErrorStatus.CorsError)
			}
			events = append(events, msg)
		case *network.EventRequestWillBeSent:
			urls[ev.RequestID] = ev.Request.URL
			if strings.HasSuffix(ev.Request.URL, "/graphql") && ev.Request.Method == http.MethodPost {
				posts++
				for k, v := range ev.Request.Headers {
					if strings.EqualFold(k, "Authorization") {
						authSet = append(authSet, fmt.Sprint(v))
					}
				}
			}
		}
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, e := range events {
			t.Log("browser:", e)
		}
	}()

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 960),
	)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(listen))
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil { // starts Chromium, with no timeout of its own
		t.Fatalf("starting %s: %v", chromium, err)
	}
	t.Logf("browser started after %s", time.Since(start).Round(time.Millisecond))

	// Load the page: GraphiQL renders, the explorer opens on the schema.
	step, cancelStep := context.WithTimeout(browser, 20*time.Second)
	defer cancelStep()
	err = chromedp.Do(step,
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
		})()`, chromedp.WithPollingTimeout(10*time.Second)))
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
	})()`, chromedp.WithPollingTimeout(15*time.Second)))
	shown, _ := chromedp.Run(step, chromedp.Text(chromedp.CSS(".result-window")))
	screenshot(t, browser, "playground-e2e.png")
	t.Logf("query answered after %s", time.Since(start).Round(time.Millisecond))
	if pollErr != nil {
		t.Fatalf("no result in the result pane: %v (it shows %q)", pollErr, shown)
	}
	if !regexp.MustCompile(`"startupCount":\s*\d+`).MatchString(result) || strings.Contains(result, `"errors"`) {
		t.Errorf("the result pane does not show data without errors:\n%s", result)
	}
	if !strings.Contains(shown, `"startupCount"`) {
		t.Errorf("startupCount is not in view in the result pane, which shows:\n%s", shown)
	}
	mu.Lock()
	if posts < 2 { // introspection and the query
		t.Errorf("the browser sent %d POST requests to /graphql, want at least 2", posts)
	}
	if len(authSet) > 0 {
		t.Errorf("the unfilled placeholder was sent as Authorization: %q", authSet)
	}
	mu.Unlock()

	// A filled-in token is sent.
	err = chromedp.Do(step,
		chromedp.Evaluate[chromedp.Void](`[...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')]
			.find((e) => e.offsetParent !== null && e.CodeMirror.getValue().includes('Authorization'))
			.CodeMirror.setValue('{"Authorization": "Bearer e2e-token"}')`),
		chromedp.Click(chromedp.CSS(".graphiql-execute-button")),
	)
	if err != nil {
		t.Fatalf("filling in a token and running again: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		sent := slices.Clone(authSet)
		mu.Unlock()
		if len(sent) > 0 {
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
	ctx, cancel := context.WithTimeout(browser, 10*time.Second)
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

// assetCacheDir is where the GraphiQL files are kept between runs:
// $PORTFOLIO_E2E_CACHE, else portfolio/playground-assets in the user's
// cache folder, else a folder of the test.
func assetCacheDir(t *testing.T) string {
	if dir := os.Getenv("PORTFOLIO_E2E_CACHE"); dir != "" {
		return dir
	}
	if dir, err := os.UserCacheDir(); err == nil {
		return filepath.Join(dir, "portfolio", "playground-assets")
	}
	return t.TempDir()
}

// mirrorHandler serves dir as a mirror of the CDN would: the files, with
// their content types, to any origin (the page loads them in CORS mode to
// check their integrity).
func mirrorHandler(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		files.ServeHTTP(w, r)
	})
}

// mirrorPlaygroundAssets makes sure dir holds every file of
// server.PlaygroundMirrorAssets with its expected hash, fetching the missing
// packages with "npm pack" from the npm registry. It returns dir.
func mirrorPlaygroundAssets(ctx context.Context, npm, dir string) (string, error) {
	need := map[string][]server.PlaygroundAsset{} // package spec → files
	var specs []string
	for _, a := range server.PlaygroundMirrorAssets() {
		if fileHasIntegrity(filepath.Join(dir, filepath.FromSlash(a.Path)), a.Integrity) {
			continue
		}
		spec, _, err := splitAssetPath(a.Path)
		if err != nil {
			return "", err
		}
		if need[spec] == nil {
			specs = append(specs, spec)
		}
		need[spec] = append(need[spec], a)
	}
	if len(specs) == 0 {
		return dir, nil
	}

	tmp, err := os.MkdirTemp("", "portfolio-npm-pack-")
	if err != nil {
		return "", fmt.Errorf("npm pack: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd := exec.CommandContext(ctx, npm, append([]string{"pack", "--json", "--pack-destination", tmp}, specs...)...)
	cmd.Dir = tmp
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("npm pack %s: %w\n%s", strings.Join(specs, " "), err, stderr.Bytes())
	}
	var packed []struct {
		Name, Version, Filename string
	}
	if err := json.Unmarshal(out, &packed); err != nil {
		return "", fmt.Errorf("npm pack --json printed something else: %w\n%s", err, out)
	}
	for _, p := range packed {
		spec := p.Name + "@" + p.Version
		files, ok := need[spec]
		if !ok {
			continue
		}
		delete(need, spec)
		if err := extractAssets(filepath.Join(tmp, p.Filename), spec, files, dir); err != nil {
			return "", err
		}
	}
	for spec := range need {
		return "", fmt.Errorf("npm pack did not fetch %s", spec)
	}
	return dir, nil
}

// splitAssetPath splits "PACKAGE@VERSION/FILE" (PACKAGE possibly scoped,
// "@scope/name") into the package spec and the file's path in the package.
func splitAssetPath(p string) (spec, file string, err error) {
	parts := strings.SplitN(p, "/", 3)
	switch {
	case strings.HasPrefix(p, "@") && len(parts) == 3:
		spec, file = parts[0]+"/"+parts[1], parts[2]
	case !strings.HasPrefix(p, "@") && len(parts) >= 2:
		spec, file = parts[0], strings.Join(parts[1:], "/")
	default:
		return "", "", fmt.Errorf("asset path %q is not PACKAGE@VERSION/FILE", p)
	}
	if i := strings.LastIndex(spec, "@"); i <= 0 {
		return "", "", fmt.Errorf("asset path %q has no version", p)
	}
	return spec, file, nil
}

// extractAssets copies the given files of the npm tarball (where they are
// under package/) into dir at their asset paths, checking their hashes.
func extractAssets(tarball, spec string, files []server.PlaygroundAsset, dir string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return fmt.Errorf("%s: %w", spec, err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", spec, err)
	}
	want := map[string]server.PlaygroundAsset{}
	for _, a := range files {
		_, file, err := splitAssetPath(a.Path)
		if err != nil {
			return err
		}
		want["package/"+file] = a
	}
	tr := tar.NewReader(gz)
	for len(want) > 0 {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", spec, err)
		}
		a, ok := want[h.Name]
		if !ok {
			continue
		}
		delete(want, h.Name)
		data, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("%s: %s: %w", spec, h.Name, err)
		}
		if got := integrity(data); got != a.Integrity {
			return fmt.Errorf("%s: %s has integrity %s, want %s", spec, h.Name, got, a.Integrity)
		}
		dst := filepath.Join(dir, filepath.FromSlash(a.Path))
		if err := writeFileAtomic(dst, data); err != nil {
			return fmt.Errorf("%s: %w", spec, err)
		}
	}
	for name := range want {
		return fmt.Errorf("%s: the package has no %s", spec, name)
	}
	return nil
}

// integrity returns the subresource-integrity hash of data.
func integrity(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

func fileHasIntegrity(path, want string) bool {
	data, err := os.ReadFile(path)
	return err == nil && integrity(data) == want
}

// writeFileAtomic writes data to path through a temporary file, so that a
// concurrent run never sees half a file.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), fs.FileMode(0o644)); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
