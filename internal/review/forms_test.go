package review_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// formsEnv is a server over a tiny network of its own (the forms write):
// alpha in incubator inc-a, beta in inc-b; an admin, a manager of inc-a
// and a viewer.
type formsEnv struct {
	url                    string
	admin, manager, viewer string
}

func newFormsEnv(t *testing.T) *formsEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "forms.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	d := portfolio.MustDate
	cons := []portfolio.PhasePeriod{{Phase: portfolio.PhaseConstruction, Start: d("2025-01-01")}}
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		return errors.Join(
			s.PutOrganisation(ctx, &portfolio.Organisation{Slug: "min", Name: "Ministère", Acronym: "MIN"}),
			s.PutIncubator(ctx, &portfolio.Incubator{Slug: "inc-a", Title: "Incubateur A", OwnerSlug: "min"}),
			s.PutIncubator(ctx, &portfolio.Incubator{Slug: "inc-b", Title: "Incubateur B"}),
			s.PutStartup(ctx, &portfolio.Startup{Slug: "alpha", Name: "Alpha", IncubatorSlug: "inc-a", Sponsors: []string{"min"}, Phases: cons}),
			s.PutStartup(ctx, &portfolio.Startup{Slug: "beta", Name: "Bêta", IncubatorSlug: "inc-b", Phases: cons,
				Committees: []portfolio.Committee{{Slug: "beta/2026-03-01", Date: d("2026-03-01"), Decision: portfolio.DecisionContinue}}}),
			s.PutMember(ctx, &portfolio.Member{Slug: "ines.intra", Fullname: "Inès Intra", Domain: portfolio.DomainIntrapreneur,
				Missions: []portfolio.Mission{{Slug: "ines.intra/1", Start: d("2025-01-01"), Startups: []string{"alpha"}}}}),
		)
	}); err != nil {
		t.Fatal(err)
	}
	e := &formsEnv{}
	for _, tk := range []struct {
		name string
		role portfolio.Role
		incs []string
		dst  *string
	}{{"forms-admin", portfolio.RoleAdmin, nil, &e.admin}, {"forms-manager", portfolio.RoleManager, []string{"inc-a"}, &e.manager},
		{"forms-viewer", portfolio.RoleViewer, nil, &e.viewer}} {
		if *tk.dst, _, err = db.CreateToken(ctx, tk.name, tk.role, tk.incs); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), PublicRead: true}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// form is a form of a page: its action and its fields as the page wrote
// them.
type form struct {
	action string
	values url.Values
}

// formsOf reads the forms of a page marked data-form=kind.
func formsOf(doc *html.Node, kind string) []form {
	var out []form
	for _, n := range findAll(doc, hasAttr("data-form", kind)) {
		f := form{action: attrOf(n, "action"), values: url.Values{}}
		for _, in := range findAll(n, func(n *html.Node) bool { return n.Data == "input" || n.Data == "textarea" }) {
			name := attrOf(in, "name")
			if name == "" || (attrOf(in, "type") == "checkbox" && !hasAttr("checked", "")(in)) {
				continue
			}
			if in.Data == "textarea" {
				f.values.Add(name, text(in))
			} else {
				f.values.Add(name, attrOf(in, "value"))
			}
		}
		out = append(out, f)
	}
	return out
}

// post sends a form as a browser of this server's pages would, with c's
// credentials and the headers given.
func (e *formsEnv) post(t *testing.T, path string, values url.Values, c caller, header http.Header) (*http.Response, string) {
	t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {e.url}, "Sec-Fetch-Site": {"same-origin"}}
	for k, v := range header {
		h[k] = v
	}
	return do(t, http.MethodPost, e.url+path, strings.NewReader(values.Encode()), c, h)
}

// committees returns the committees of a startup, as the admin reads them.
func (e *formsEnv) committees(t *testing.T, slug string) []map[string]any {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": `query($s: String!) { startup(slug: $s) { committees { slug date state decision successCriteria ask { teamProfile envelopeEuros months } attendees { role member { slug } organisation { slug } name } } } }`,
		"variables": map[string]any{"s": slug}})
	_, body := do(t, http.MethodPost, e.url+"/graphql", bytes.NewReader(b), caller{header: e.admin}, http.Header{"Content-Type": {"application/json"}})
	var out struct {
		Data struct {
			Startup struct{ Committees []map[string]any }
		}
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatal(err, body)
	}
	return out.Data.Startup.Committees
}

// audits counts the audit log's entries.
func (e *formsEnv) audits(t *testing.T) int {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": `{ auditLog(first: 100) { totalCount } }`})
	_, body := do(t, http.MethodPost, e.url+"/graphql", bytes.NewReader(b), caller{header: e.admin}, http.Header{"Content-Type": {"application/json"}})
	var out struct {
		Data struct{ AuditLog struct{ TotalCount int } }
	}
	json.Unmarshal([]byte(body), &out)
	return out.Data.AuditLog.TotalCount
}

func TestCommitteeForms(t *testing.T) {
	e := newFormsEnv(t)
	manager := caller{cookie: e.manager}
	_, doc := page(t, e.url, "/review/startups/alpha?asOf=2026-08-20", manager, http.StatusOK)
	plans := formsOf(doc, "planifier")
	if len(plans) != 1 || plans[0].values.Get("csrf") == "" || plans[0].values.Get("cle") == "" {
		t.Fatalf("plan form: %+v", plans)
	}
	if len(findAll(doc, hasAttr("data-forms-disabled", ""))) != 0 {
		t.Errorf("the manager's forms are disabled")
	}
	plan := plans[0]
	plan.values.Set("date", "2026-09-15")

	// Forged forms write nothing.
	noToken := url.Values{}
	for k, v := range plan.values {
		if k != "csrf" {
			noToken[k] = v
		}
	}
	_, viewerDoc := page(t, e.url, "/review/startups/alpha?asOf=2026-08-20", caller{cookie: e.viewer}, http.StatusOK)
	viewerPlan := formsOf(viewerDoc, "planifier")[0]
	viewerPlan.values.Set("date", "2026-09-15")
	if len(findAll(viewerDoc, hasAttr("data-forms-disabled", ""))) != 1 || !strings.Contains(text(findAll(viewerDoc, hasAttr("data-forms-disabled", ""))[0]), "lecture seule") {
		t.Errorf("the viewer's forms are not disabled with the reason")
	}
	_, betaDoc := page(t, e.url, "/review/startups/beta?asOf=2026-08-20", manager, http.StatusOK)
	if d := findAll(betaDoc, hasAttr("data-forms-disabled", "")); len(d) != 1 || !strings.Contains(text(d[0]), "autres incubateurs") {
		t.Errorf("beta's forms are not disabled for the manager of inc-a")
	}
	betaPlan := plan
	betaPlan.values = url.Values{}
	for k, v := range plan.values {
		betaPlan.values[k] = v
	}
	for _, tc := range []struct {
		name   string
		path   string
		values url.Values
		c      caller
		header http.Header
		status int
	}{
		{"no anti-forgery token", plan.action, noToken, manager, nil, http.StatusForbidden},
		{"another token's anti-forgery token", plan.action, viewerPlan.values, manager, nil, http.StatusForbidden},
		{"another site's origin", plan.action, plan.values, manager, http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"a viewer's cookie", viewerPlan.action, viewerPlan.values, caller{cookie: e.viewer}, nil, http.StatusForbidden},
		{"anonymous", plan.action, plan.values, anonymous, nil, http.StatusForbidden},
		{"a manager outside its scope", "/review/startups/beta/comites", betaPlan.values, manager, nil, http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.post(t, tc.path, tc.values, tc.c, tc.header)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d: %s", resp.StatusCode, tc.status, shorten(body))
			}
			if tc.name == "a manager outside its scope" && !strings.Contains(body, "autre incubateur") {
				t.Errorf("no French refusal: %s", shorten(body))
			}
		})
	}
	if n := len(e.committees(t, "alpha")) + len(e.committees(t, "beta")); n != 1 || e.audits(t) != 0 {
		t.Fatalf("forged forms wrote: %d committees, %d audit entries", n, e.audits(t))
	}

	// The cookie still writes nothing through /graphql.
	b, _ := json.Marshal(map[string]any{"query": `mutation { planCommittee(input: {startup: "alpha", date: "2026-09-15"}) { committee { slug } } }`})
	_, body := do(t, http.MethodPost, e.url+"/graphql", bytes.NewReader(b), manager, http.Header{"Content-Type": {"application/json"}})
	if !strings.Contains(body, "FORBIDDEN") {
		t.Errorf("cookie mutation on /graphql: %s", shorten(body))
	}

	// The manager's form writes once, however many times it is sent.
	for range 2 {
		resp, body := e.post(t, plan.action, plan.values, manager, nil)
		if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "enregistre=planifie") {
			t.Fatalf("plan: %d %s: %s", resp.StatusCode, resp.Header.Get("Location"), shorten(body))
		}
	}
	if cs := e.committees(t, "alpha"); len(cs) != 1 || cs[0]["state"] != "PLANNED" || e.audits(t) != 1 {
		t.Fatalf("after the plan sent twice: %v, %d audit entries", cs, e.audits(t))
	}

	// The agenda: the committee planned, with its cancel form for the
	// manager; beta's, due, without a form (another incubator's); the
	// admin may plan it; the viewer sees why not.
	_, agenda := page(t, e.url, "/review?asOf=2026-08-20", manager, http.StatusOK)
	if f := formsOf(agenda, "annuler-agenda"); len(f) != 1 || f[0].action != "/review/startups/alpha/comites" {
		t.Errorf("manager's agenda: cancel forms %+v", f)
	}
	if f := formsOf(agenda, "planifier-agenda"); len(f) != 0 {
		t.Errorf("manager's agenda: plan forms for another incubator's startup: %+v", f)
	}
	_, agenda = page(t, e.url, "/review?asOf=2026-08-20", caller{cookie: e.admin}, http.StatusOK)
	if f := formsOf(agenda, "planifier-agenda"); len(f) != 1 || f[0].values.Get("date") != "2026-08-31" {
		t.Errorf("admin's agenda: plan forms %+v", f)
	}
	_, agenda = page(t, e.url, "/review?asOf=2026-08-20", caller{cookie: e.viewer}, http.StatusOK)
	if len(formsOf(agenda, "annuler-agenda"))+len(formsOf(agenda, "planifier-agenda")) != 0 || len(findAll(agenda, hasAttr("data-forms-disabled", ""))) != 1 {
		t.Errorf("viewer's agenda: forms shown, or not said why not")
	}

	// Holding it: a missing decision is said beside its field, nothing written.
	_, doc = page(t, e.url, "/review/startups/alpha?asOf=2026-08-20", manager, http.StatusOK)
	holds := formsOf(doc, "tenir")
	if len(holds) != 1 {
		t.Fatalf("%d hold forms, want 1", len(holds))
	}
	hold := holds[0]
	hold.values.Set("date", "2026-08-20")
	hold.values.Set("successCriteria", "1 000 utilisateurs actifs\nUn sponsor qui cofinance")
	hold.values.Set("teamProfile", "2 développeurs, 1 designer")
	hold.values.Set("envelopeEuros", "450 000")
	resp, body := e.post(t, hold.action, hold.values, manager, nil)
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("hold without a decision: %d", resp.StatusCode)
	}
	errDoc, _ := html.Parse(strings.NewReader(body))
	sel := findAll(errDoc, hasAttr("name", "decision"))
	if len(sel) != 1 || !strings.Contains(text(sel[0].Parent), "Choisissez la décision") {
		t.Errorf("no error beside the decision")
	}
	if v := findAll(errDoc, hasAttr("name", "teamProfile")); len(v) != 1 || attrOf(v[0], "value") != "2 développeurs, 1 designer" {
		t.Errorf("the form lost its values")
	}
	hold.values.Set("decision", "CONTINUE")
	hold.values.Set("months", "0")
	resp, body = e.post(t, hold.action, hold.values, manager, nil)
	errDoc, _ = html.Parse(strings.NewReader(body))
	if m := findAll(errDoc, hasAttr("name", "months")); resp.StatusCode != http.StatusBadRequest || len(m) != 1 || !strings.Contains(text(m[0].Parent), "durée en mois") {
		t.Errorf("hold with 0 months: %d, no error beside months", resp.StatusCode)
	}
	hold.values.Set("months", "6")
	resp, body = e.post(t, hold.action, hold.values, manager, nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("hold: %d: %s", resp.StatusCode, shorten(body))
	}
	cs := e.committees(t, "alpha")
	if len(cs) != 1 || cs[0]["state"] != "HELD" || cs[0]["decision"] != "CONTINUE" || len(cs[0]["successCriteria"].([]any)) != 2 {
		t.Fatalf("held: %v", cs)
	}
	ask := cs[0]["ask"].(map[string]any)
	if ask["envelopeEuros"] != float64(450000) || ask["months"] != float64(6) || len(cs[0]["attendees"].([]any)) != 2 {
		t.Errorf("held: ask %v, attendees %v (want the intrapreneur and the sponsor ticked)", ask, cs[0]["attendees"])
	}
	if e.audits(t) != 2 {
		t.Errorf("%d audit entries, want 2", e.audits(t))
	}
}
