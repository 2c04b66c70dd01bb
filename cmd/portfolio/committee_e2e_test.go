package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"
)

// TestCommitteeInChromium follows an investment committee end to end
// (issue 19) in headless Chromium, its network cut off as in
// TestReviewInChromium, on the real snapshot (PORTFOLIO_SNAPSHOT) or,
// without it, on the demo data, signed in with a manager's token of the
// incubator of the startup with the largest team:
//
//   - plans a committee on the records' day from the startup's page;
//   - opens its brief: the committee planned, the last one held, the team
//     then and now, public agents, FAST and the four checks agree with
//     Startup.committeeBrief;
//   - records it as held with an ask and two success criteria;
//   - sees the agenda and the review status change;
//   - exports every section of both pages and checks each file's headers
//     are French, with its « À propos » sheet;
//   - prints the network's review to an A4 PDF and finds, with pdftotext,
//     the startup table's header row on a later page than its first;
//   - finds no table wider than its page at 1,280 px, nor on A4;
//
// and fails on any browser error or breach of the pages' CSP.
func TestCommitteeInChromium(t *testing.T) {
	chromium := needChromium(t, "committee")
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("PORTFOLIO_E2E") == "1" {
			t.Fatal("pdftotext (poppler-utils) is not installed")
		}
		t.Skip("pdftotext (poppler-utils) is not installed")
	}
	start := time.Now()
	db := filepath.Join(t.TempDir(), "committee.db")
	asOf, data := "2026-07-01", "demo"
	if dir := os.Getenv("PORTFOLIO_SNAPSHOT"); dir != "" {
		asOf, data = "2026-08-20", "real"
		if out, err := runCmd(t, "import", "--db", db, dir); err != nil {
			t.Fatalf("import: %v\n%s", err, out)
		}
	} else if out, err := runCmd(t, "seed", "--db", db); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	admin := createToken(t, db, "--role", "admin", "--name", "e2e-admin")
	base0 := startServe(t, db)
	pick := postQueryAs(t, base0, admin, fmt.Sprintf(`{ startups(filter: {active: true}, asOf: %q, first: 1, orderBy: [{field: TEAM_SIZE, direction: DESC}]) { nodes { slug incubator { slug } } } }`, asOf))
	nodes, _ := at(pick, "data", "startups", "nodes").([]any)
	if len(nodes) != 1 {
		t.Fatalf("no startup in incubation: %v", pick)
	}
	slug, incubator := at(nodes[0], "slug").(string), at(nodes[0], "incubator", "slug").(string)
	manager := createToken(t, db, "--role", "manager", "--incubator", incubator, "--name", "e2e-manager")
	base := base0
	t.Logf("%s data, %s (%s), served at %s after %s", data, slug, incubator, base, time.Since(start).Round(time.Millisecond))

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
	mark := b.mark()
	startupPage := base + "/review/startups/" + slug + "?asOf=" + asOf
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		c, cancel := context.WithTimeout(browser, 120*time.Second)
		defer cancel()
		if err := chromedp.Do(c, actions...); err != nil {
			screenshot(t, browser, "committee-e2e-failed.png")
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string) string {
		t.Helper()
		c, cancel := context.WithTimeout(browser, 60*time.Second)
		defer cancel()
		v, err := chromedp.Run(c, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	noOverflow := func(where string) {
		t.Helper()
		wide := eval(`[...document.querySelectorAll('table')].filter((t) => t.getClientRects().length > 0 &&
			(t.getBoundingClientRect().right > document.documentElement.clientWidth + 1 || t.scrollWidth > t.parentElement.clientWidth + 1)).map((t) => t.id || t.caption?.textContent).join(', ')`)
		if wide != "" {
			t.Errorf("%s: tables wider than the page: %s", where, wide)
		}
	}
	noOverflowOnA4 := func(where string) {
		t.Helper()
		c, cancel := context.WithTimeout(browser, 60*time.Second)
		defer cancel()
		// A4 less the page's margins (12 mm each side) at 96 px an inch.
		if _, err := chromedp.Call(c, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(c, chromedp.EmulateViewport(703, 1000)); err != nil {
			t.Fatal(err)
		}
		noOverflow(where + " on A4")
		if _, err := chromedp.Call(c, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""}); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(c, chromedp.EmulateViewport(1280, 1000)); err != nil {
			t.Fatal(err)
		}
	}

	// Signing in with the manager's token.
	step("signing in",
		chromedp.Navigate(base+"/review/connexion?suite="+strings.ReplaceAll(strings.TrimPrefix(startupPage, base), "&", "%26")),
		chromedp.WaitVisible(chromedp.CSS("#jeton")),
		chromedp.SendKeys(chromedp.CSS("#jeton"), manager),
		chromedp.Click(chromedp.CSS(`form[action="/review/connexion"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#comites-formulaires")),
	)
	before := postQueryAs(t, base, manager, fmt.Sprintf(`{ startup(slug: %q) { reviewStatus(asOf: %q) committees { date state } } }`, slug, asOf))
	statusBefore, _ := at(before, "data", "startup", "reviewStatus").(string)

	// Planning the committee on the records' day.
	eval(`document.querySelector('details:has(form[data-form="planifier"])').open = true; ''`)
	step("planning",
		chromedp.SetValue(chromedp.CSS(`form[data-form="planifier"] input[name="date"]`), asOf),
		chromedp.Click(chromedp.CSS(`form[data-form="planifier"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-form-done]`)),
	)
	if got := eval(`[...document.querySelectorAll('[data-planned]')].map((e) => e.dataset.planned).join(',')`); got != asOf {
		t.Fatalf("planned committees shown: %q, want %s", got, asOf)
	}
	noOverflow("the startup's page at 1,280 px")
	noOverflowOnA4("the startup's page")

	// The agenda lists it, planned.
	step("the agenda", chromedp.Navigate(base+"/review?asOf="+asOf), chromedp.WaitVisible(chromedp.CSS("#comites-prevus")))
	if got := eval(fmt.Sprintf(`[...document.querySelectorAll('#tableau-comites-prevus tr[data-slug=%q]')].map((r) => r.dataset.agendaState + ' ' + r.dataset.agendaDate).join(',')`, slug)); !strings.Contains(got, "PLANNED "+asOf) {
		t.Errorf("the agenda lists %s as %q, want PLANNED %s", slug, got, asOf)
	}
	noIntra := eval(`document.querySelector('[data-agenda-no-intrapreneur]').dataset.agendaNoIntrapreneur`)
	t.Logf("the agenda of %s: %s entries, %s without an intrapreneur", asOf, eval(`document.querySelector('[data-agenda-count]').dataset.agendaCount`), noIntra)

	// The brief agrees with the API.
	step("the brief", chromedp.Navigate(base+"/review/startups/"+slug+"/comite?asOf="+asOf), chromedp.WaitVisible(chromedp.CSS("#dossier-verifications")))
	brief := postQueryAs(t, base, manager, fmt.Sprintf(`{ startup(slug: %q) { committeeBrief(asOf: %q) {
		since plannedCommittee { date } lastCommittee { date } teamThen { size publicAgents } teamNow { size freelancers }
		fast { amountEuros } checks { check passed } } } }`, slug, asOf))
	cb := at(brief, "data", "startup", "committeeBrief")
	str := func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case float64:
			return fmt.Sprint(int(x))
		case bool:
			return fmt.Sprint(x)
		}
		return fmt.Sprint(v)
	}
	for attr, want := range map[string]string{
		"briefPlanned": str(at(cb, "plannedCommittee", "date")), "briefSince": str(at(cb, "since")),
		"briefLast": str(at(cb, "lastCommittee", "date")), "briefTeamThen": str(at(cb, "teamThen", "size")),
		"briefTeamNow": str(at(cb, "teamNow", "size")), "briefPublicThen": str(at(cb, "teamThen", "publicAgents")),
		"briefFreelancersNow": str(at(cb, "teamNow", "freelancers")), "briefFast": str(at(cb, "fast", "amountEuros")),
	} {
		if got := eval(fmt.Sprintf(`document.querySelector('[data-%s]')?.dataset.%s ?? 'absent'`, kebab(attr), attr)); got != want {
			t.Errorf("brief %s: the page says %q, the API %q", attr, got, want)
		}
	}
	if want := str(at(cb, "plannedCommittee", "date")); want != asOf {
		t.Errorf("the brief's committee planned: %q, want %s", want, asOf)
	}
	var checks []string
	for _, c := range at(cb, "checks").([]any) {
		checks = append(checks, str(at(c, "check"))+"="+str(at(c, "passed")))
	}
	if got := eval(`[...document.querySelectorAll('[data-check]')].map((r) => r.dataset.check + '=' + r.dataset.passed).join(' ')`); got != strings.Join(checks, " ") {
		t.Errorf("the brief's checks: %q, the API %q", got, strings.Join(checks, " "))
	}
	noOverflow("the brief at 1,280 px")
	noOverflowOnA4("the brief")
	savePDF(t, browser, "committee-e2e-brief.pdf")

	// Recording it as held, with an ask and two criteria.
	step("the startup's page again", chromedp.Navigate(startupPage), chromedp.WaitReady(chromedp.CSS(`form[data-form="tenir"]`)))
	eval(`document.querySelector('details:has(form[data-form="tenir"])').open = true; ''`)
	step("holding",
		chromedp.SetValue(chromedp.CSS(`form[data-form="tenir"] select[name="decision"]`), "CONTINUE"),
		chromedp.SetValue(chromedp.CSS(`form[data-form="tenir"] input[name="teamProfile"]`), "2 développeurs, 1 designer"),
		chromedp.SetValue(chromedp.CSS(`form[data-form="tenir"] input[name="envelopeEuros"]`), "450 000"),
		chromedp.SetValue(chromedp.CSS(`form[data-form="tenir"] textarea[name="successCriteria"]`), "10 000 dossiers déposés par mois\nUn second ministère sponsor"),
		chromedp.Click(chromedp.CSS(`form[data-form="tenir"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-form-done]`)),
	)
	after := postQueryAs(t, base, manager, fmt.Sprintf(`{ startup(slug: %q) { reviewStatus(asOf: %q) lastCommittee(asOf: %[2]q) { date state decision successCriteria ask { teamProfile envelopeEuros months } } } }`, slug, asOf))
	last := at(after, "data", "startup", "lastCommittee")
	if str(at(last, "date")) != asOf || at(last, "state") != "HELD" || len(at(last, "successCriteria").([]any)) != 2 || intAt(last, "ask", "envelopeEuros") != 450000 {
		t.Errorf("the committee held: %v", last)
	}
	statusAfter, _ := at(after, "data", "startup", "reviewStatus").(string)
	if statusAfter != "UP_TO_DATE" {
		t.Errorf("review status after the committee: %q (before: %q), want UP_TO_DATE", statusAfter, statusBefore)
	}
	if got := eval(`document.querySelector('[data-due][data-review-status]').dataset.reviewStatus`); got != statusAfter {
		t.Errorf("the startup's page says %q, the API %q", got, statusAfter)
	}
	step("the agenda after", chromedp.Navigate(base+"/review?asOf="+asOf), chromedp.WaitVisible(chromedp.CSS("#comites-prevus")))
	if got := eval(fmt.Sprintf(`[...document.querySelectorAll('#tableau-comites-prevus tr[data-slug=%q]')].map((r) => r.dataset.agendaState).join(',')`, slug)); got != "" {
		t.Errorf("after the committee, the agenda still lists %s: %q", slug, got)
	}
	noOverflow("the portfolio page at 1,280 px")
	noOverflowOnA4("the portfolio page")

	// Every export of both pages, in French.
	exports := strings.Split(eval(`[...document.querySelectorAll('a[data-export]')].map((a) => a.href).join('\n')`), "\n")
	step("the startup's page", chromedp.Navigate(startupPage), chromedp.WaitVisible(chromedp.CSS("#comites-formulaires")))
	exports = append(exports, strings.Split(eval(`[...document.querySelectorAll('a[data-export]')].map((a) => a.href).join('\n')`), "\n")...)
	if len(exports) < 12 {
		t.Errorf("only %d exports on both pages", len(exports))
	}
	technical := regexp.MustCompile(`^[a-z]+([._][a-z]+|[A-Z][a-z]+)+$|^(slug|count|name|date|phase)$`)
	for _, href := range exports {
		headers, sheets := exportHeaders(t, href, manager)
		for _, h := range headers {
			if technical.MatchString(h) {
				t.Errorf("%s: technical header %q", href, h)
			}
		}
		if len(headers) == 0 || !strings.Contains(strings.Join(sheets, ","), "À propos") {
			t.Errorf("%s: headers %q, sheets %q", href, headers, sheets)
		}
	}

	// The network's review, printed: the startup table's header row on a
	// later page than its first.
	step("the network's review", chromedp.Navigate(base+"/review?asOf="+asOf), chromedp.WaitVisible(chromedp.CSS("#startups")))
	head := strings.Split(eval(`[...document.querySelectorAll('#tableau-startups thead th:not(.review-screen-only)')].map((h) => (h.querySelector('.review-print-label') || h).textContent.trim()).join('\n')`), "\n")
	c, cancelPDF := context.WithTimeout(browser, 120*time.Second)
	yes := true
	res, err := chromedp.Call(c, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PrintBackground: &yes, PreferCSSPageSize: &yes})
	cancelPDF()
	if err != nil {
		t.Fatalf("printing: %v", err)
	}
	saveArtifact(t, "committee-e2e-review.pdf", res.Data)
	pdf := filepath.Join(t.TempDir(), "review.pdf")
	os.WriteFile(pdf, res.Data, 0o644)
	out, err := exec.Command(pdftotext, "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	// A page holds the header row when it holds the first word of each
	// of its cells (pdftotext lays a row's words out by their columns,
	// which differ from page to page).
	pages := strings.Split(string(out), "\f")
	var withHead []int
	for i, p := range pages {
		words := map[string]bool{}
		for _, w := range strings.Fields(p) {
			words[w] = true
		}
		all := len(head) > 5
		for _, h := range head {
			if w := strings.Fields(h); len(w) == 0 || !words[w[0]] {
				all = false
			}
		}
		if all {
			withHead = append(withHead, i+1)
		}
	}
	t.Logf("the review prints on %d A4 pages; the startup table's header is on pages %v", len(pages)-1, withHead)
	if len(withHead) < 3 {
		t.Errorf("the startup table's header row is on pages %v of %d: not repeated on a later page", withHead, len(pages)-1)
	}

	b.checkHosts(t, mark, base)
	b.mu.Lock()
	events := append([]string{}, b.events...)
	b.mu.Unlock()
	for _, e := range events {
		if strings.Contains(e, "Content Security Policy") || strings.HasPrefix(e, "exception") || strings.HasPrefix(e, "load failed") || strings.Contains(e, "console.error") {
			t.Errorf("the browser reported: %s", e)
		}
	}
	t.Logf("done after %s", time.Since(start).Round(time.Millisecond))
}

// createToken creates a token with the CLI and returns its secret.
func createToken(t *testing.T, db string, args ...string) string {
	t.Helper()
	out, err := runCmd(t, append([]string{"token", "create", "--db", db}, args...)...)
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// kebab writes a dataset name as its attribute: briefTeamNow → brief-team-now.
func kebab(s string) string {
	return strings.ToLower(regexp.MustCompile(`([A-Z])`).ReplaceAllString(s, "-$1"))
}

// exportHeaders downloads an XLSX export with a token and returns its
// first sheet's header row and its sheets.
func exportHeaders(t *testing.T, href, token string) ([]string, []string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, href, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Errorf("%s: status %d: %.300s", href, resp.StatusCode, body)
		return nil, nil
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Errorf("%s: %v", href, err)
		return nil, nil
	}
	defer f.Close()
	rows, _ := f.GetRows(f.GetSheetList()[0])
	if len(rows) == 0 {
		return nil, f.GetSheetList()
	}
	return rows[0], f.GetSheetList()
}
