package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReviewLiveInChromium: the review page, open in headless Chromium,
// subscribes to the change feed (static/live.js, under the pages'
// Content-Security-Policy); a committee recorded through the API then
// moves the page's figure of startups overdue for a committee without a
// reload, and a live region says so. Without Chromium it skips, unless
// PORTFOLIO_E2E=1.
func TestReviewLiveInChromium(t *testing.T) {
	chromium := needChromium(t, "review")
	db := filepath.Join(t.TempDir(), "live.db")
	asOf := "2026-07-01"
	if out, err := runCmd(t, "seed", "--db", db); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := runCmd(t, "token", "create", "--db", db, "--role", "admin", "--name", "e2e-admin")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	token := lines[len(lines)-1]
	base := startServe(t, db)

	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	trap := newTrapProxy(t)
	var b browserLog
	defer b.dump(t)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, offlineChromium(t, chromium, trap.addr, 1280, 1000, chromedp.Flag("lang", "fr-FR"))...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithListener(b.listen))
	defer cancelBrowser()
	if err := chromedp.Do(browser, chromedp.Navigate(base+"/review?asOf="+asOf), chromedp.WaitVisible(chromedp.CSS("#startups"))); err != nil {
		screenshot(t, browser, "review-live-failed.png")
		t.Fatalf("the page did not come up: %v", err)
	}
	before := domFigures(t, browser)["reviewOverdue"]

	// The page's subscription is open.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(metrics(t, base), "portfolio_subscriptions_open 1") {
		if time.Now().After(deadline) {
			t.Fatalf("the page opened no subscription:\n%s", metrics(t, base))
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A committee held on the eve of the page's date for a startup
	// overdue then.
	api := postQuery(t, base, fmt.Sprintf(`{ startups(first: 1, filter: {reviewStatus: [OVERDUE]}, asOf: %q) { nodes { slug } } }`, asOf))
	nodes, _ := at(api, "data", "startups", "nodes").([]any)
	if len(nodes) == 0 || before == 0 {
		t.Fatalf("no startup overdue on %s (the page shows %d)", asOf, before)
	}
	slug := at(nodes[0], "slug").(string)
	written := time.Now()
	postQueryAs(t, base, token, fmt.Sprintf(`mutation { recordCommittee(input: {startup: %q, date: "2026-06-30", decision: CONTINUE}) { committee { slug } } }`, slug))

	_, err = chromedp.Run(browser, chromedp.Poll[bool](fmt.Sprintf(`(() => {
		const f = document.querySelector('[data-figure="reviewOverdue"]');
		const s = document.querySelector('.review-live');
		return !!f && Number(f.textContent.replace(/\s/g, '')) === %d && !!s && s.textContent.startsWith('Chiffres mis à jour');
	})()`, before-1), chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		screenshot(t, browser, "review-live-failed.png")
		t.Fatalf("the page did not show the committee (overdue %d before): %v", before, err)
	}
	t.Logf("the page showed the new figure %s after the mutation was sent (its refresh waits at least 1 s after a change)", time.Since(written).Round(time.Millisecond))
	if n, err := chromedp.Run(browser, chromedp.Evaluate[int](`document.querySelectorAll('button.review-sort').length`)); err != nil || n == 0 {
		t.Errorf("the tables of the refreshed sections sort no more: %d buttons, %v", n, err)
	}
	b.mu.Lock()
	events := append([]string{}, b.events...)
	b.mu.Unlock()
	for _, e := range events {
		if strings.Contains(e, "Content Security Policy") || strings.HasPrefix(e, "exception") || strings.Contains(e, "console.error") {
			t.Errorf("the browser reported: %s", e)
		}
	}
}

// metrics returns the server's /metrics.
func metrics(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
