package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestReviewInChromium opens the « Revue de portefeuille » in headless
// Chromium with its network cut off as in TestPlaygroundInChromium, on the
// real snapshot (PORTFOLIO_SNAPSHOT) or, without it, on the demo data:
//
//   - /review: the key figures and the tables show what the API answers
//     (queried here): FAST invested, the flows' totals, FAST by promotion,
//     the quality markers, the committee agenda, the startup table's next
//     committee due, FAST and portfolio managers; the committees' budgets
//     are reserved; the DSFR's fonts load from the server, a table sorts
//     in the browser, the print stylesheet hides the navigation and the
//     forms; a screenshot and an A4 PDF;
//   - signing in with the form: the cookie is out of the page's scripts'
//     reach; a startup's page then shows what a viewer reads (mission
//     statuses), its figures as the API answers them (team, committees,
//     portfolio managers, next committee due, FAST, statistics page,
//     events); a screenshot and a PDF;
//   - « Voir la requête » opens the section's query in the playground,
//     whose requests read with the cookie;
//   - signed in, /review shows the committees' budgets; signing out.
//
// No request of the pages leaves the server, and the browser reports no
// error (nor a breach of the pages' Content-Security-Policy). Screenshots
// and PDFs go to testdata/artifacts/ at the module's root (or
// $PORTFOLIO_E2E_ARTIFACTS). Like the playground's, it needs Chromium:
// without it, it skips, unless PORTFOLIO_E2E=1.
func TestReviewInChromium(t *testing.T) {
	chromium := needChromium(t, "review")
	start := time.Now()

	// The data: the real snapshot at its date, or the demo network at a
	// date its fixtures fix.
	db := filepath.Join(t.TempDir(), "review.db")
	asOf, data, slug := "2026-07-01", "demo", "dossierfacile"
	if dir := os.Getenv("PORTFOLIO_SNAPSHOT"); dir != "" {
		asOf, data = "2026-08-20", "real"
		if out, err := runCmd(t, "import", "--db", db, dir); err != nil {
			t.Fatalf("import: %v\n%s", err, out)
		}
	} else if out, err := runCmd(t, "seed", "--db", db); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := runCmd(t, "token", "create", "--db", db, "--role", "viewer", "--name", "e2e-viewer")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	base := startServe(t, db)
	t.Logf("%s data served at %s after %s", data, base, time.Since(start).Round(time.Millisecond))

	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Second)
	defer cancel()
	trap := newTrapProxy(t)
	var b browserLog
	defer b.dump(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, offlineChromium(t, chromium, trap.addr, 1280, 1000, chromedp.Flag("lang", "fr-FR"))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("starting %s: %v", chromium, err)
	}

	t.Run("portfolio page", func(t *testing.T) {
		mark := b.mark()
		step, cancel := context.WithTimeout(browser, 160*time.Second)
		defer cancel()
		loaded := time.Now()
		if err := chromedp.Do(step, chromedp.Navigate(base+"/review?asOf="+asOf), chromedp.WaitVisible(chromedp.CSS("#startups"))); err != nil {
			screenshot(t, browser, "review-e2e-failed.png")
			t.Fatalf("the page did not come up: %v", err)
		}
		t.Logf("/review loaded in the browser in %s", time.Since(loaded).Round(time.Millisecond))
		waitForFonts(t, step)

		// The figures, as the API answers them.
		api := postQuery(t, base, fmt.Sprintf(`{
			portfolio(asOf: %q) { activeMemberCount withoutIntrapreneurCount }
			active: startups(filter: {active: true}, asOf: %[1]q) { totalCount }
			overdue: startups(filter: {reviewStatus: [OVERDUE]}, asOf: %[1]q) { totalCount }
			none: startups(filter: {active: true, neverReviewed: true}, asOf: %[1]q) { totalCount }
		}`, asOf))
		want := map[string]int{
			"inIncubation":             intAt(api, "data", "active", "totalCount"),
			"startupsCount":            intAt(api, "data", "active", "totalCount"),
			"activeMemberCount":        intAt(api, "data", "portfolio", "activeMemberCount"),
			"reviewOverdue":            intAt(api, "data", "overdue", "totalCount"),
			"reviewNoneRecorded":       intAt(api, "data", "none", "totalCount"),
			"overdueCount":             intAt(api, "data", "overdue", "totalCount"),
			"noneRecordedCount":        intAt(api, "data", "none", "totalCount"),
			"withoutIntrapreneurCount": intAt(api, "data", "portfolio", "withoutIntrapreneurCount"),
		}
		shown := domFigures(t, step)
		for name, w := range want {
			if got, ok := shown[name]; !ok || got != w {
				t.Errorf("%s: the page shows %d (found: %v), the API says %d", name, got, ok, w)
			}
		}
		if want["inIncubation"] == 0 {
			t.Fatal("no startup in incubation: nothing was checked")
		}
		rows, err := chromedp.Run(step, chromedp.Evaluate[int](`document.querySelectorAll('#tableau-startups tbody tr').length`))
		if err != nil || rows != min(want["startupsCount"], 1000) {
			t.Errorf("the startup table has %d rows (%v), want %d", rows, err, min(want["startupsCount"], 1000))
		}
		checkReviewSections(t, step, base, asOf, shown)
		if budget, _ := chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector('[data-committee-budget]').textContent`)); !strings.Contains(budget, "réservé aux personnes connectées") {
			t.Errorf("anonymous, the committees' budgets read %q", budget)
		}

		// Sorting by team size, ascending then descending.
		for _, direction := range []string{"ascending", "descending"} {
			values, err := chromedp.Run(step, chromedp.Evaluate[[]float64](`(() => {
				const th = [...document.querySelectorAll('#tableau-startups thead th')].find((h) => h.textContent.includes('Équipe'));
				th.querySelector('button').click();
				if (th.getAttribute('aria-sort') !== '`+direction+`') return null;
				const i = [...th.parentNode.children].indexOf(th);
				return [...document.querySelectorAll('#tableau-startups tbody tr')].map((r) => Number(r.cells[i].dataset.value));
			})()`))
			if err != nil || len(values) != rows {
				t.Fatalf("sorting %s: %v, %d values", direction, err, len(values))
			}
			for i := 1; i < len(values); i++ {
				if direction == "ascending" && values[i] < values[i-1] || direction == "descending" && values[i] > values[i-1] {
					t.Fatalf("sorting %s: %v then %v at row %d", direction, values[i-1], values[i], i)
				}
			}
		}
		if values, _ := chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector('#startups .fr-sr-only[aria-live]').textContent`)); !strings.Contains(values, "ordre décroissant") {
			t.Errorf("the live region says %q", values)
		}

		// The print stylesheet keeps the content and hides the rest.
		printed := printStyles(t, step, map[string]string{
			"selection": "#selection", "links": ".review-links", "tools": ".fr-header__tools", "skiplinks": ".fr-skiplinks",
			"chart": "#evolution svg", "table": "#tableau-startups",
		})
		for name, visible := range map[string]bool{"selection": false, "links": false, "tools": false, "skiplinks": false, "chart": true, "table": true} {
			if printed[name] != visible {
				t.Errorf("printed, %s visible: %v, want %v", name, printed[name], visible)
			}
		}
		saveViewport(t, step, "review-e2e-portfolio.png")
		// The README's picture (docs/review.png, from the demo data): the
		// top of the page down to the chart.
		if err := chromedp.Do(step, chromedp.EmulateViewport(1280, 1880)); err == nil {
			saveViewport(t, step, "review-e2e-readme.png")
		}
		if err := chromedp.Do(step, chromedp.EmulateViewport(1280, 1000)); err != nil {
			t.Fatal(err)
		}
		saveFullPage(t, step, "review-e2e-portfolio-full.png")
		savePrintPreview(t, step, "review-e2e-portfolio-print.png")
		savePDF(t, step, "review-e2e-portfolio.pdf")
		checkRecordsShown(t, step, base, data) // last: it leaves the page for /review without a date
		b.checkHosts(t, mark, base)
	})

	t.Run("sign in and a startup's page", func(t *testing.T) {
		mark := b.mark()
		step, cancel := context.WithTimeout(browser, 160*time.Second)
		defer cancel()
		next := "/review/startups/" + slug + "?asOf=" + asOf
		err := chromedp.Do(step,
			chromedp.Navigate(base+"/review/connexion?suite="+url.QueryEscape(next)),
			chromedp.WaitVisible(chromedp.CSS("#jeton")),
			chromedp.SendKeys(chromedp.CSS("#jeton"), token),
			chromedp.Click(chromedp.CSS(`form[action="/review/connexion"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#equipe")),
		)
		if err != nil {
			screenshot(t, browser, "review-e2e-signin-failed.png")
			t.Fatalf("signing in: %v", err)
		}
		where, _ := chromedp.Run(step, chromedp.Evaluate[string](`location.pathname + location.search`))
		if where != next {
			t.Errorf("signed in, the browser is at %s, want %s", where, next)
		}
		if cookies, _ := chromedp.Run(step, chromedp.Evaluate[string](`document.cookie`)); strings.Contains(cookies, "portfolio_token") || strings.Contains(cookies, token) {
			t.Errorf("the page's scripts read the token: %q", cookies)
		}
		who, _ := chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector('[data-identity]')?.dataset.identity || ''`))
		if who != "VIEWER" {
			t.Errorf("the page says the caller is %q", who)
		}

		api := postQueryAs(t, base, token, fmt.Sprintf(`{
			startup(slug: %q) { name teamSize(asOf: %q) team(asOf: %[2]q) { status } }
			committees(filter: {startups: [%[1]q], to: %[2]q}) { totalCount }
		}`, slug, asOf))
		shown := domFigures(t, step)
		if w := intAt(api, "data", "startup", "teamSize"); shown["headTeamSize"] != w || shown["teamSize"] != w {
			t.Errorf("team size: the page shows %d and %d, the API says %d", shown["headTeamSize"], shown["teamSize"], w)
		}
		statuses, _ := chromedp.Run(step, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#tableau-equipe tbody tr')].map((r) => r.cells[3].textContent.trim())`))
		labels := map[string]string{"ADMIN": "Agent public", "INDEPENDENT": "Indépendant", "SERVICE": "Prestataire", "": "non précisé"}
		wantStatuses := map[string]int{}
		team, _ := at(api, "data", "startup", "team").([]any)
		for _, m := range team {
			s, _ := at(m, "status").(string)
			wantStatuses[labels[s]]++
		}
		gotStatuses := map[string]int{}
		for _, s := range statuses {
			gotStatuses[s]++
		}
		if fmt.Sprint(gotStatuses) != fmt.Sprint(wantStatuses) || len(team) == 0 {
			t.Errorf("statuses shown %v, the API says %v", gotStatuses, wantStatuses)
		}
		committees, _ := chromedp.Run(step, chromedp.Evaluate[int](`document.querySelectorAll('#tableau-comites tbody tr').length`))
		if w := intAt(api, "data", "committees", "totalCount"); committees != w {
			t.Errorf("the page lists %d committees, the API %d", committees, w)
		}
		checkStartupFacts(t, step, base, token, slug, asOf)
		name, _ := chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector('h1').textContent.trim()`))
		if name != at(api, "data", "startup", "name") {
			t.Errorf("h1 %q, the startup's name %q", name, at(api, "data", "startup", "name"))
		}
		waitForFonts(t, step)
		saveViewport(t, step, "review-e2e-startup.png")
		saveFullPage(t, step, "review-e2e-startup-full.png")
		savePrintPreview(t, step, "review-e2e-startup-print.png")
		savePDF(t, step, "review-e2e-startup.pdf")
		b.checkHosts(t, mark, base)
	})

	// The browser's messages while it showed the pages (the playground's
	// explorer has its own).
	pagesTo := b.eventCount()
	t.Run("the query in the playground, with the cookie", func(t *testing.T) {
		mark := b.mark()
		step, cancel := context.WithTimeout(browser, 160*time.Second)
		defer cancel()
		href, err := chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector('a[data-query="comites"]').href`))
		if err != nil || !strings.HasPrefix(href, base+"/?query=") {
			t.Fatalf("the committees' query link: %q %v", href, err)
		}
		err = chromedp.Do(step, chromedp.Navigate(href), chromedp.WaitVisible(chromedp.CSS(".graphiql-execute-button")))
		if err != nil {
			t.Fatalf("the playground did not come up: %v", err)
		}
		editors, err := chromedp.Run(step, chromedp.Poll[map[string]string](`(() => {
			const q = document.querySelector('.graphiql-query-editor .CodeMirror');
			if (!q || !q.CodeMirror.getValue().includes('ReviewStartupCommittees')) return null;
			const v = [...document.querySelectorAll('.graphiql-editor-tool .CodeMirror')].map((e) => e.CodeMirror.getValue()).join('\n');
			return { query: q.CodeMirror.getValue(), variables: v };
		})()`, chromedp.WithPollingTimeout(40*time.Second)))
		if err != nil {
			screenshot(t, browser, "review-e2e-playground-failed.png")
			t.Fatalf("the playground does not show the query: %v", err)
		}
		if !strings.Contains(editors["variables"], slug) {
			t.Errorf("the variables editor holds %q", editors["variables"])
		}
		if err := chromedp.Do(step, chromedp.Click(chromedp.CSS(".graphiql-execute-button"))); err != nil {
			t.Fatal(err)
		}
		result, err := chromedp.Run(step, chromedp.Poll[string](`(() => {
			const cm = document.querySelector('.result-window .CodeMirror');
			const v = cm && cm.CodeMirror ? cm.CodeMirror.getValue() : '';
			return /"(totalCount|errors)"/.test(v) ? v : '';
		})()`, chromedp.WithPollingTimeout(60*time.Second)))
		if err != nil {
			t.Fatalf("no result: %v", err)
		}
		// Read with the cookie: protected fields answer, no FORBIDDEN.
		if strings.Contains(result, "FORBIDDEN") || strings.Contains(result, `"errors"`) {
			t.Errorf("the playground's request did not read as the viewer:\n%s", result)
		}
		b.checkHosts(t, mark, base)
	})

	t.Run("sign out", func(t *testing.T) {
		step, cancel := context.WithTimeout(browser, 120*time.Second)
		defer cancel()
		err := chromedp.Do(step,
			chromedp.Navigate(base+"/review?asOf="+asOf),
			chromedp.WaitVisible(chromedp.CSS(`form[action="/review/deconnexion"] button`)),
		)
		if err != nil {
			screenshot(t, browser, "review-e2e-signout-failed.png")
			t.Fatalf("the portfolio page, signed in: %v", err)
		}
		// Signed in, the page shows the budgets the committees granted,
		// which anonymous callers may not read.
		from := fmt.Sprintf("%d-01-01", mustYear(t, asOf)-5)
		api := postQueryAs(t, base, token, fmt.Sprintf(`{ portfolio(asOf: %q) { investment { committeeBudgetEuros(from: %q, to: %[1]q) } } }`, asOf, from))
		budget, _ := chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector('[data-committee-budget]').textContent`))
		if w := frenchInt(intAt(api, "data", "portfolio", "investment", "committeeBudgetEuros")) + "\u00a0€"; !strings.Contains(budget, w) || strings.Contains(budget, "réservé") {
			t.Errorf("signed in, the budgets read %q, want %q", budget, w)
		}
		err = chromedp.Do(step,
			chromedp.Click(chromedp.CSS(`form[action="/review/deconnexion"] button`)),
			chromedp.WaitVisible(chromedp.CSS(".review-public")),
		)
		if err != nil {
			screenshot(t, browser, "review-e2e-signout-failed.png")
			t.Fatalf("signing out: %v", err)
		}
	})

	b.mu.Lock()
	events := append([]string{}, b.events[:pagesTo]...)
	b.mu.Unlock()
	for _, e := range events {
		if strings.Contains(e, "Content Security Policy") || strings.HasPrefix(e, "exception") || strings.HasPrefix(e, "load failed") || strings.Contains(e, "console.error") {
			t.Errorf("the browser reported: %s", e)
		}
	}
	t.Logf("done after %s; the proxy turned away %d request(s) of the browser's own", time.Since(start).Round(time.Millisecond), len(trap.seen()))
}

// waitForFonts waits until the page's fonts are loaded and Marianne, the
// DSFR's, is among them.
func waitForFonts(t *testing.T, ctx context.Context) {
	t.Helper()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.fonts.status === 'loaded' && document.fonts.check('700 16px Marianne') &&
		[...document.fonts].some((f) => f.family.replace(/"/g, '') === 'Marianne' && f.status === 'loaded')`, chromedp.WithPollingTimeout(40*time.Second)))
	if err != nil {
		t.Errorf("the Marianne font did not load: %v", err)
	}
}

// domFigures reads the numbers of the elements marked data-figure.
func domFigures(t *testing.T, ctx context.Context) map[string]int {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('[data-figure]')].map((e) => [e.dataset.figure, e.textContent]))`))
	if err != nil {
		t.Fatalf("reading the figures: %v", err)
	}
	out := map[string]int{}
	for k, v := range raw {
		n, err := strconv.Atoi(regexp.MustCompile(`[\s\x{a0}\x{202f}]`).ReplaceAllString(v, ""))
		if err != nil {
			t.Errorf("figure %s reads %q", k, v)
			continue
		}
		out[k] = n
	}
	return out
}

// printStyles tells, with the print media emulated, whether each element
// is displayed.
func printStyles(t *testing.T, ctx context.Context, selectors map[string]string) map[string]bool {
	t.Helper()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
	var js strings.Builder
	js.WriteString("({")
	for name, sel := range selectors {
		fmt.Fprintf(&js, "%q: (() => { const e = document.querySelector(%q); return !!e && getComputedStyle(e).display !== 'none' && e.getClientRects().length > 0; })(),", name, sel)
	}
	js.WriteString("})")
	out, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]bool](js.String()))
	if err != nil {
		t.Fatalf("reading the print styles: %v", err)
	}
	return out
}

// artifacts returns the folder of the test's artifacts.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("PORTFOLIO_E2E_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(moduleRoot(t), "testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func saveArtifact(t *testing.T, name string, data []byte) {
	t.Helper()
	path := filepath.Join(artifacts(t), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Errorf("%s: %v", name, err)
		return
	}
	t.Logf("%s: %s (%d KB)", name, path, len(data)>>10)
}

// saveViewport saves what the window shows, at the top of the page.
func saveViewport(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`)); err != nil {
		t.Errorf("scrolling: %v", err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	saveArtifact(t, name, shot)
}

// saveFullPage saves the whole page.
func saveFullPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot: %v", err)
		return
	}
	saveArtifact(t, name, shot)
}

// savePrintPreview saves the whole page as printed: the print media, at
// the width of an A4 page's text (186 mm at 96 dpi).
func savePrintPreview(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(703, 1000),
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
			return err
		}),
	)
	defer chromedp.Do(ctx,
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
			return err
		}),
		chromedp.EmulateViewport(1280, 1000),
	)
	if err != nil {
		t.Errorf("print preview: %v", err)
		return
	}
	// No content sticks out of the page's width: tables wrap their cells.
	// (Grid rows and groups of badges do by their negative margins: they
	// hold the content, which is checked.)
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main :is(table, th, td, svg, p, h1, h2, h3, figure, span, a)')]
		.filter((e) => e.getClientRects().length > 0 && e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
		.map((e) => e.tagName + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 10)`))
	if err != nil || len(wide) > 0 {
		t.Errorf("printed, elements stick out of the page (%d px wide): %v %v", 703, wide, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("print preview: %v", err)
		return
	}
	saveArtifact(t, name, shot)
}

// savePDF prints the page to an A4 PDF, as the browser's print dialog
// would with the page's own @page size, and checks it holds pages.
func savePDF(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{
		PaperWidth: 8.27, PaperHeight: 11.69, // A4, in inches
		PrintBackground: &yes, PreferCSSPageSize: &yes, GenerateTaggedPDF: &yes,
	})
	if err != nil {
		t.Errorf("printing to PDF: %v", err)
		return
	}
	pages := len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(res.Data, -1))
	if !bytes.HasPrefix(res.Data, []byte("%PDF-")) || pages == 0 {
		t.Errorf("%s is not a PDF with pages (%d pages found)", name, pages)
	}
	// A4 is 595 × 842 points.
	if !regexp.MustCompile(`/MediaBox\s*\[\s*0\s+0\s+59[45](\.\d+)?\s+84[12](\.\d+)?\s*\]`).Match(res.Data) {
		t.Errorf("%s: no A4 page (MediaBox) found", name)
	}
	t.Logf("%s: %d pages", name, pages)
	saveArtifact(t, name, res.Data)
}

// postQueryAs runs a query on the server with a token and returns its
// answer; it fails the test on an error.
func postQueryAs(t *testing.T, base, token, query string) map[string]any {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req, err := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || out["errors"] != nil {
		t.Fatalf("status %d, %v: %v", resp.StatusCode, err, out)
	}
	return out
}

// at digs into a decoded JSON answer.
func at(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

func intAt(v any, keys ...string) int {
	f, _ := at(v, keys...).(float64)
	return int(f)
}

// eventCount returns how many messages the browser reported so far.
func (b *browserLog) eventCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.events)
}

// checkReviewSections checks the portfolio page's sections of a portfolio
// review (FAST, flows, quality, the committee agenda, the startup table's
// columns) against the API's answers, queried here; shown are the page's
// data-figure numbers.
func checkReviewSections(t *testing.T, ctx context.Context, base, asOf string, shown map[string]int) {
	t.Helper()
	year := mustYear(t, asOf)
	from := fmt.Sprintf("%d-01-01", year-5) // the charts' default start
	day, _ := time.Parse(time.DateOnly, asOf)
	dueEnd := day.AddDate(0, 0, 60).Format(time.DateOnly)
	api := postQuery(t, base, fmt.Sprintf(`{
		portfolio(asOf: %q) {
			investment { fastCount fastTotalEuros byPromotion { promotion amountEuros } }
			flows(from: %q, every: YEAR) { entered { phase count } productLaunches nationalImpacts committees }
		}
		inIncubation: portfolio(filter: {active: true}, asOf: %[1]q) { quality { startupCount withStatsUrl withSecurityHomologation withRiskAnalysis } }
		due: startups(filter: {nextCommitteeDue: {from: %[1]q, to: %[3]q}}, asOf: %[1]q) { totalCount }
		never: startups(filter: {active: true, neverReviewed: true}, asOf: %[1]q, first: 5, orderBy: [{field: INCUBATED_SINCE, direction: ASC}]) { totalCount nodes { slug } }
		table: startups(filter: {active: true}, asOf: %[1]q, first: 1000) { nodes { slug nextCommitteeDue reviewStatus fast { amountEuros } portfolioManagers { fullname } } }
	}`, asOf, from, dueEnd))
	if api["errors"] != nil {
		t.Fatalf("the API's answer: %v", api["errors"])
	}
	data := at(api, "data")
	want := map[string]int{
		"fastTotalEuros":           intAt(data, "portfolio", "investment", "fastTotalEuros"),
		"fastCount":                intAt(data, "portfolio", "investment", "fastCount"),
		"investmentFastTotalEuros": intAt(data, "portfolio", "investment", "fastTotalEuros"),
		"qualityStartupCount":      intAt(data, "inIncubation", "quality", "startupCount"),
		"dueSoonCount":             intAt(data, "due", "totalCount"),
		"noneRecordedCount":        intAt(data, "never", "totalCount"),
	}
	for name, w := range want {
		if name == "dueSoonCount" && w == 0 {
			continue // an empty list has no figure
		}
		if got, ok := shown[name]; !ok || got != w {
			t.Errorf("%s: the page shows %d (found: %v), the API says %d", name, got, ok, w)
		}
	}
	if want["fastCount"] == 0 || want["noneRecordedCount"] == 0 {
		t.Errorf("the data shows little: %v", want)
	}

	// The flows' total: investigations started, product launches,
	// national impacts, committees, added up over the API's periods.
	var total [4]int
	for _, p := range at(data, "portfolio", "flows").([]any) {
		for _, e := range at(p, "entered").([]any) {
			if at(e, "phase") == "INVESTIGATION" {
				total[0] += intAt(e, "count")
			}
		}
		total[1] += intAt(p, "productLaunches")
		total[2] += intAt(p, "nationalImpacts")
		total[3] += intAt(p, "committees")
	}
	foot, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#donnees-flux tfoot td')].map((c) => c.textContent)`))
	if err != nil || len(foot) != 10 {
		t.Fatalf("the flows' total row: %q %v", foot, err)
	}
	for i, col := range []int{0, 7, 8, 9} {
		if got := domInt(t, foot[col]); got != total[i] {
			t.Errorf("flows' total, column %d: the page shows %d, the API's periods add up to %d", col, got, total[i])
		}
	}

	// FAST by promotion.
	promotions, _ := chromedp.Run(ctx, chromedp.Evaluate[[][]string](`[...document.querySelectorAll('#donnees-fast-promotions tbody tr')].map((r) => [r.dataset.key, r.cells[2].textContent])`))
	byPromotion := at(data, "portfolio", "investment", "byPromotion").([]any)
	if len(promotions) != len(byPromotion) {
		t.Errorf("%d promotions shown, the API has %d", len(promotions), len(byPromotion))
	}
	for i, p := range byPromotion {
		if i < len(promotions) && (promotions[i][0] != fmt.Sprint(intAt(p, "promotion")) || domInt(t, promotions[i][1]) != intAt(p, "amountEuros")) {
			t.Errorf("promotion %d: the page shows %q, the API %v", i, promotions[i], p)
		}
	}

	// Quality: the startups in incubation with each marker.
	quality, _ := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`Object.fromEntries([...document.querySelectorAll('#donnees-qualite tr[data-quality]')].map((r) => [r.dataset.quality, r.cells[1].textContent]))`))
	for key, field := range map[string]string{"statsUrl": "withStatsUrl", "securityHomologation": "withSecurityHomologation", "riskAnalysis": "withRiskAnalysis"} {
		if got := domInt(t, quality[key]); got != intAt(data, "inIncubation", "quality", field) {
			t.Errorf("quality %s: the page shows %d, the API says %d", key, got, intAt(data, "inIncubation", "quality", field))
		}
	}

	// The agenda: the startups with no committee on record, in the API's
	// order (the longest in incubation first).
	first, _ := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#tableau-sans-comite tbody tr')].slice(0, 5).map((r) => r.dataset.slug)`))
	var wantFirst []string
	for _, n := range at(data, "never", "nodes").([]any) {
		wantFirst = append(wantFirst, at(n, "slug").(string))
	}
	if fmt.Sprint(first) != fmt.Sprint(wantFirst) {
		t.Errorf("no committee on record, first rows %v, the API lists %v", first, wantFirst)
	}
	// Late and none recorded apart: the headline names both; a startup
	// with no committee on record is never said late.
	headline, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('[data-figure-group="committees"]').textContent.replace(/\s+/g, ' ').trim()`))
	if !regexp.MustCompile(`^[\d\x{202f}]+ en retard de comité d’investissement, [\d\x{202f}]+ sans comité enregistré$`).MatchString(headline) {
		t.Errorf("the headline reads %q", headline)
	}
	lateNone, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('[data-review-status="NONE_RECORDED"]')].filter((c) => /en retard/i.test(c.textContent)).length`))
	if lateNone != 0 {
		t.Errorf("%d cells of startups with no committee on record say « en retard »", lateNone)
	}

	// The startup table's next committee due, FAST and portfolio managers.
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[map[string][]string](`Object.fromEntries([...document.querySelectorAll('#tableau-startups tbody tr')].map((r) =>
		[r.dataset.slug, [r.querySelector('[data-due]').dataset.due, r.querySelector('[data-review-status]').dataset.reviewStatus,
			r.querySelector('[data-fast]').dataset.fast, r.querySelector('[data-managers]').textContent.trim()]]))`))
	if err != nil {
		t.Fatalf("reading the startup table: %v", err)
	}
	withFast, withManagers := 0, 0
	for _, n := range at(data, "table", "nodes").([]any) {
		slug := at(n, "slug").(string)
		due, _ := at(n, "nextCommitteeDue").(string)
		status, _ := at(n, "reviewStatus").(string)
		fast := ""
		if at(n, "fast") != nil {
			fast = fmt.Sprint(intAt(n, "fast", "amountEuros"))
			withFast++
		}
		var names []string
		for _, m := range at(n, "portfolioManagers").([]any) {
			names = append(names, at(m, "fullname").(string))
		}
		managers := strings.Join(names, ", ")
		if managers == "" {
			managers = "—"
		} else {
			withManagers++
		}
		if got, want := fmt.Sprint(cells[slug]), fmt.Sprint([]string{due, status, fast, managers}); got != want {
			t.Errorf("%s: due, status, FAST, managers %s, the API says %s", slug, got, want)
		}
	}
	if withFast == 0 || withManagers == 0 {
		t.Errorf("the startup table shows little: %d with FAST, %d with managers", withFast, withManagers)
	}
}

// checkStartupFacts checks a startup's page, signed in with token, against
// the API: its portfolio managers, its next committee due, its FAST grant,
// its statistics page and its events by asOf.
func checkStartupFacts(t *testing.T, ctx context.Context, base, token, slug, asOf string) {
	t.Helper()
	api := postQueryAs(t, base, token, fmt.Sprintf(`{
		startup(slug: %q) { portfolioManagers { fullname } nextCommitteeDue(asOf: %q) fast { amountEuros } statsUrl events { date } }
	}`, slug, asOf))
	s := at(api, "data", "startup")
	dom, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`({
		managers: document.querySelector('[data-managers]').textContent.trim(),
		due: document.querySelector('[data-due]').dataset.due,
		fast: document.querySelector('[data-fast]').dataset.fast,
		stats: document.querySelector('#tableau-qualite tr[data-quality="statsUrl"] td').textContent.trim(),
		events: document.querySelectorAll('#tableau-evenements tbody tr').length,
	})`))
	if err != nil {
		t.Fatalf("reading the startup's facts: %v", err)
	}
	var names []string
	for _, m := range at(s, "portfolioManagers").([]any) {
		names = append(names, at(m, "fullname").(string))
	}
	managers := strings.Join(names, ", ")
	if managers == "" {
		managers = "aucun indiqué"
	}
	fast := ""
	if at(s, "fast") != nil {
		fast = fmt.Sprint(intAt(s, "fast", "amountEuros"))
	}
	stats, _ := at(s, "statsUrl").(string)
	if stats == "" {
		stats = "aucune"
	}
	due, _ := at(s, "nextCommitteeDue").(string)
	events := 0 // by asOf
	for _, e := range at(s, "events").([]any) {
		if d, _ := at(e, "date").(string); d <= asOf {
			events++
		}
	}
	want := map[string]any{"managers": managers, "due": due, "fast": fast, "stats": stats, "events": float64(events)}
	if fmt.Sprint(dom) != fmt.Sprint(want) {
		t.Errorf("the startup's facts:\n the page %v\n the API  %v", dom, want)
	}
}

// mustYear returns the year of an ISO date.
func mustYear(t *testing.T, iso string) int {
	t.Helper()
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		t.Fatal(err)
	}
	return d.Year()
}

// domInt reads a number as the pages write it (« 8 627 000 € »).
func domInt(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(regexp.MustCompile(`[\s\x{a0}\x{202f}€]`).ReplaceAllString(s, ""))
	if err != nil {
		t.Errorf("%q is not a number", s)
	}
	return n
}

// frenchInt writes n with groups of three digits separated by a narrow
// no-break space, as the pages do (written here independently).
func frenchInt(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "\u202f" + s[i:]
	}
	return s
}

// checkRecordsShown checks what the page says of its records (issue 18):
// their date, as the API's dataset gives it; « Données fictives » on the
// demo's pages and on no other; no HTML entity left in the text a reader
// sees (the records escaped their text: « l&#x27;inclusion »). Then the
// page without a date, whose records are older than a week: it shows their
// day, says so, and links to today's.
func checkRecordsShown(t *testing.T, step context.Context, base, data string) {
	t.Helper()
	ds := postQuery(t, base, `{ dataset { kind recordsAsOf } }`)
	recordsAsOf, _ := at(ds, "data", "dataset", "recordsAsOf").(string)
	page := func() (records string, fictitious bool, text string) {
		t.Helper()
		var err error
		if records, err = chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector('#donnees')?.dataset.records ?? ''`)); err != nil {
			t.Fatal(err)
		}
		if fictitious, err = chromedp.Run(step, chromedp.Evaluate[bool](`document.querySelector('#donnees-fictives') !== null && document.querySelector('#donnees-fictives').offsetHeight > 0`)); err != nil {
			t.Fatal(err)
		}
		if text, err = chromedp.Run(step, chromedp.Evaluate[string](`document.body.innerText`)); err != nil {
			t.Fatal(err)
		}
		return records, fictitious, text
	}
	records, fictitious, text := page()
	if recordsAsOf == "" || records != recordsAsOf {
		t.Errorf("the page dates its records %q, the API %q", records, recordsAsOf)
	}
	if d, err := time.Parse(time.DateOnly, recordsAsOf); err == nil && !strings.Contains(text, "Données du "+d.Format("02/01/2006")) {
		t.Errorf("the page does not say « Données du %s »", d.Format("02/01/2006"))
	}
	if fictitious != (data == "demo") {
		t.Errorf("%s data: « Données fictives » shown: %v", data, fictitious)
	}
	for _, entity := range []string{"&#x", "&#3", "&amp;", "&quot;", "&lt;"} {
		if i := strings.Index(text, entity); i >= 0 {
			t.Errorf("the page's text holds %q: …%s…", entity, text[max(0, i-60):min(len(text), i+60)])
		}
	}
	// Without a date: records more than a week old are shown at their day.
	if err := chromedp.Do(step, chromedp.Navigate(base+"/review"), chromedp.WaitVisible(chromedp.CSS("#donnees"))); err != nil {
		t.Fatalf("/review without a date: %v", err)
	}
	stale, err := chromedp.Run(step, chromedp.Evaluate[string](`document.querySelector('.review-stale')?.innerText ?? ''`))
	if err != nil {
		t.Fatal(err)
	}
	if d, err := time.Parse(time.DateOnly, recordsAsOf); err == nil && time.Since(d) > 8*24*time.Hour {
		if !strings.Contains(stale, "la page montre le portefeuille à cette date") || !strings.Contains(stale, "aujourd") {
			t.Errorf("/review without a date on records of %s: the notice says %q", recordsAsOf, stale)
		}
		if _, fictitious, _ := page(); fictitious != (data == "demo") {
			t.Errorf("%s data, /review without a date: « Données fictives » shown: %v", data, fictitious)
		}
	}
}

// offlineChromium returns the options of a headless Chromium that reaches
// nothing but the loopback interface: a proxy (trap) for everything else
// (loopback addresses bypass proxies), no name resolved but 127.0.0.1, no
// background requests of its own; a new profile, a window of w×h, and
// the caller's options after.
func offlineChromium(t *testing.T, chromium, trap string, w, h int, more ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	return append([]chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.ProxyServer(trap),
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(w, h),
	}, more...)
}
