package review_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// TestBriefPage: the committee's brief of a startup of the seed agrees
// with Startup.committeeBrief, each part with its query, and a viewer
// reads what the public does not.
func TestBriefPage(t *testing.T) {
	const slug = "dossierfacile"
	data := graphql(t, caller{header: shared.viewer}, `query($slug: String!, $asOf: Date) { startup(slug: $slug) { committeeBrief(asOf: $asOf) {
		since sinceBasis lastCommittee { date } teamThen { size publicAgents } teamNow { size freelancers } fast { amountEuros } checks { check passed } } } }`,
		map[string]any{"slug": slug, "asOf": asOf})
	b := data["startup"].(map[string]any)["committeeBrief"].(map[string]any)
	_, doc := page(t, shared.public, "/review/startups/"+slug+"/comite?asOf="+asOf, caller{header: shared.viewer}, http.StatusOK)
	attrOne := func(name string) string {
		t.Helper()
		ns := findAll(doc, hasAttr(name, ""))
		if len(ns) == 0 {
			t.Fatalf("no element with %s", name)
		}
		return attrOf(ns[0], name)
	}
	if got, want := attrOne("data-brief-since"), str(b["since"]); got != want {
		t.Errorf("since: page %q, API %q", got, want)
	}
	wantLast := ""
	if lc, ok := b["lastCommittee"].(map[string]any); ok {
		wantLast = str(lc["date"])
	}
	if got := attrOne("data-brief-last"); got != wantLast {
		t.Errorf("last committee: page %q, API %q", got, wantLast)
	}
	num := func(v any) string {
		if f, ok := v.(float64); ok {
			return strconv.Itoa(int(f))
		}
		return ""
	}
	then, now := b["teamThen"].(map[string]any), b["teamNow"].(map[string]any)
	for name, want := range map[string]string{"data-brief-team-then": num(then["size"]), "data-brief-team-now": num(now["size"]),
		"data-brief-public-then": num(then["publicAgents"]), "data-brief-freelancers-now": num(now["freelancers"])} {
		if got := attrOne(name); got != want {
			t.Errorf("%s: page %q, API %q", name, got, want)
		}
	}
	wantFast := ""
	if f, ok := b["fast"].(map[string]any); ok {
		wantFast = num(f["amountEuros"])
	}
	if got := attrOne("data-brief-fast"); got != wantFast {
		t.Errorf("FAST: page %q, API %q", got, wantFast)
	}
	checks := findAll(doc, hasAttr("data-check", ""))
	if len(checks) != 4 {
		t.Fatalf("%d checks, want 4", len(checks))
	}
	for i, c := range b["checks"].([]any) {
		m := c.(map[string]any)
		want := ""
		if p, ok := m["passed"].(bool); ok {
			want = map[bool]string{true: "true", false: "false"}[p]
		}
		if attrOf(checks[i], "data-check") != str(m["check"]) || attrOf(checks[i], "data-passed") != want {
			t.Errorf("check %d: page %s=%s, API %s=%s", i, attrOf(checks[i], "data-check"), attrOf(checks[i], "data-passed"), m["check"], want)
		}
	}
	for _, id := range []string{"dossier-periode", "dossier-dernier-comite", "dossier-equipe", "dossier-evenements", "dossier-verifications"} {
		if len(findAll(doc, hasAttr("data-query", id))) != 1 {
			t.Errorf("section %s: no « Voir la requête »", id)
		}
		if len(findAll(doc, hasAttr("data-failure", id))) != 0 {
			t.Errorf("section %s failed", id)
		}
	}
	// The public reads the brief without the statuses.
	_, body := do(t, http.MethodGet, shared.public+"/review/startups/"+slug+"/comite?asOf="+asOf, nil, anonymous, nil)
	if !strings.Contains(body, "réservé aux personnes connectées") || strings.Contains(body, "data-brief-public-then") {
		t.Errorf("public brief: statuses not reserved")
	}
	// The startup page links to it.
	_, sp := page(t, shared.public, "/review/startups/"+slug+"?asOf="+asOf, anonymous, http.StatusOK)
	if l := findAll(sp, hasAttr("data-brief-link", "")); len(l) != 1 || attrOf(l[0], "href") != "/review/startups/"+slug+"/comite?asOf="+asOf {
		t.Errorf("startup page: brief link %v", l)
	}
	page(t, shared.public, "/review/startups/inconnue/comite", anonymous, http.StatusNotFound)
}
