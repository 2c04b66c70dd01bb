package review_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// Tests of the sections the portfolio review's questions (issue 11) added:
// flows, investment, quality, the committee agenda, the startup table's
// and the startup page's new columns and facts. Each compares the page
// with the API's answer to a query written here.

// rowsOf returns the cells' texts of a table's body rows (or of its foot's
// when foot), the row header first.
func rowsOf(t *testing.T, doc *html.Node, id string, foot bool) [][]string {
	t.Helper()
	part := "tbody"
	if foot {
		part = "tfoot"
	}
	parts := findAll(byID(t, doc, id), tag(part))
	if len(parts) != 1 {
		t.Fatalf("table %s: %d %s", id, len(parts), part)
	}
	var out [][]string
	for _, tr := range findAll(parts[0], tag("tr")) {
		var cells []string
		for _, c := range findAll(tr, func(n *html.Node) bool { return n.Data == "th" || n.Data == "td" }) {
			cells = append(cells, text(c))
		}
		out = append(out, cells)
	}
	return out
}

// euro writes an amount as the pages should: « 1 360 000 € ».
func euro(n int) string { return french(n) + "\u00a0€" }

// slashDate writes 2026-07-01 as 01/07/2026.
func slashDate(iso string) string {
	if iso == "" {
		return "—"
	}
	return iso[8:10] + "/" + iso[5:7] + "/" + iso[0:4]
}

func str(v any) string { s, _ := v.(string); return s }

// The flows' table has a row per period of the API's flows, latest first,
// with the entries by phase (abandons adding both kinds of abandon), the
// launches, the national impacts and the committees, and a total; the
// chart a group of bars per period.
func TestFlowsTable(t *testing.T) {
	_, doc := page(t, shared.public, "/review?incubator=mtes&asOf="+asOf+"&from=2022-03-01", anonymous, http.StatusOK)
	data := graphql(t, anonymous, `query($asOf: Date) { portfolio(filter: {incubators: ["mtes"]}, asOf: $asOf) {
		flows(from: "2022-03-01", every: YEAR) { start end entered { phase count } productLaunches nationalImpacts committees } } }`,
		map[string]any{"asOf": asOf})
	periods := dig(data, "portfolio", "flows").([]any)
	rows := rowsOf(t, doc, "donnees-flux", false)
	if len(rows) != len(periods) || len(periods) != 5 {
		t.Fatalf("%d rows for %d periods (yearly from 2022-03-01 to %s: 5)", len(rows), len(periods), asOf)
	}
	total := make([]int, 10)
	for i, pd := range periods {
		entered := map[string]int{}
		for _, pc := range dig(pd, "entered").([]any) {
			entered[str(dig(pc, "phase"))] = num(dig(pc, "count"))
		}
		want := []int{entered["INVESTIGATION"], entered["CONSTRUCTION"], entered["ACCELERATION"], entered["CONSOLIDATION"],
			entered["ABANDONED"] + entered["INVESTIGATION_ABANDONED"], entered["TRANSFERRED"], entered["OPERATED"],
			num(dig(pd, "productLaunches")), num(dig(pd, "nationalImpacts")), num(dig(pd, "committees"))}
		row := rows[len(rows)-1-i]
		label := "du " + slashDate(str(dig(pd, "start"))) + " au " + slashDate(str(dig(pd, "end")))
		if row[0] != label {
			t.Errorf("period %d: %q, want %q", i, row[0], label)
		}
		for j, w := range want {
			total[j] += w
			if row[1+j] != french(w) {
				t.Errorf("%s, column %d: %q, want %d", label, j, row[1+j], w)
			}
		}
	}
	foot := rowsOf(t, doc, "donnees-flux", true)
	for j, w := range total {
		if foot[0][1+j] != french(w) {
			t.Errorf("total, column %d: %q, want %d", j, foot[0][1+j], w)
		}
	}
	if total[0] == 0 || total[7] == 0 || total[9] == 0 {
		t.Errorf("the fixture shows little: %v", total)
	}
	// Periods that are not calendar years are named by their dates; the
	// chart has a bar per non-zero value, in groups.
	svg := findAll(byID(t, doc, "flux"), hasAttr("role", "img"))
	bars := 0
	for _, w := range []string{"Investigations lancées", "Lancements de produit", "Impacts nationaux", "Arrêts", "Transferts et services opérés"} {
		for _, r := range findAll(svg[0], tag("rect")) {
			if strings.Contains(text(r), w) {
				bars++
			}
		}
	}
	if bars == 0 || bars > 5*len(periods) {
		t.Errorf("%d bars for %d periods", bars, len(periods))
	}
}

// Calendar years are named by their year, the last one up to asOf.
func TestFlowsYears(t *testing.T) {
	_, doc := page(t, shared.public, "/review?asOf="+asOf+"&from=2024-01-01", anonymous, http.StatusOK)
	var got []string
	for _, r := range rowsOf(t, doc, "donnees-flux", false) {
		got = append(got, r[0])
	}
	if want := []string{"2026 (au 01/07)", "2025", "2024"}; !slices.Equal(got, want) {
		t.Errorf("periods %q, want %q", got, want)
	}
	// Over 27 years, the chart names one year in three under its groups
	// (12 labels at most), each bar still titled with its period.
	_, doc = page(t, shared.public, "/review?asOf="+asOf+"&from=2000-01-01", anonymous, http.StatusOK)
	svg := byID(t, doc, "graphique-flux-titre").Parent
	var labels []string
	for _, txt := range findAll(svg, tag("text")) {
		if attrOf(txt, "text-anchor") == "middle" {
			labels = append(labels, text(txt))
		}
	}
	if want := []string{"2000", "2003", "2006", "2009", "2012", "2015", "2018", "2021", "2024"}; !slices.Equal(labels, want) {
		t.Errorf("the axis says %q, want %q", labels, want)
	}
	if n := len(rowsOf(t, doc, "donnees-flux", false)); n != 27 {
		t.Errorf("%d periods in the table, want 27", n)
	}
}

// The investment section shows the API's FAST grants by promotion and by
// incubator (the first twelve incubators, then the others added up).
func TestInvestmentTables(t *testing.T) {
	_, doc := page(t, shared.public, "/review?asOf="+asOf, anonymous, http.StatusOK)
	data := graphql(t, anonymous, `query($asOf: Date) { portfolio(asOf: $asOf) { investment {
		byPromotion { promotion startupCount amountEuros }
		byIncubator { incubator { title } startupCount amountEuros } } } }`, map[string]any{"asOf": asOf})
	var want [][]string
	for _, p := range dig(data, "portfolio", "investment", "byPromotion").([]any) {
		want = append(want, []string{fmt.Sprintf("Promotion %d", num(dig(p, "promotion"))), french(num(dig(p, "startupCount"))), euro(num(dig(p, "amountEuros")))})
	}
	if got := rowsOf(t, doc, "donnees-fast-promotions", false); fmt.Sprint(got) != fmt.Sprint(want) || len(want) < 3 {
		t.Errorf("by promotion:\n got %q\nwant %q", got, want)
	}
	incubators := dig(data, "portfolio", "investment", "byIncubator").([]any)
	if len(incubators) <= 13 {
		t.Fatalf("%d incubators with FAST grants: the test needs more than 13 to see the others added up", len(incubators))
	}
	want = nil
	restCount, restAmount := 0, 0
	for i, b := range incubators {
		if i < 12 {
			want = append(want, []string{str(dig(b, "incubator", "title")), french(num(dig(b, "startupCount"))), euro(num(dig(b, "amountEuros")))})
			continue
		}
		restCount += num(dig(b, "startupCount"))
		restAmount += num(dig(b, "amountEuros"))
	}
	want = append(want, []string{fmt.Sprintf("Les %d autres incubateurs", len(incubators)-12), french(restCount), euro(restAmount)})
	if got := rowsOf(t, doc, "donnees-fast-incubateurs", false); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("by incubator:\n got %q\nwant %q", got, want)
	}
	// A chart's bars are its table's rows.
	for _, id := range []string{"donnees-fast-promotions", "donnees-fast-incubateurs"} {
		rows := rowsOf(t, doc, id, false)
		chart := "graphique-" + strings.TrimPrefix(id, "donnees-")
		svg := byID(t, doc, chart+"-titre").Parent
		if n := len(findAll(svg, tag("rect"))); n != len(rows) {
			t.Errorf("%s: %d bars for %d rows", chart, n, len(rows))
		}
	}
}

// The quality section counts the markers of the startups in incubation,
// as Portfolio.quality answers for them.
func TestQualityTable(t *testing.T) {
	_, doc := page(t, shared.public, "/review?sponsor=dinum&asOf="+asOf, anonymous, http.StatusOK)
	data := graphql(t, anonymous, `query($asOf: Date) { portfolio(filter: {sponsors: ["dinum"], active: true}, asOf: $asOf) { quality {
		startupCount withStatsUrl withImpactUrl withBudgetUrl withDashlordUrl withSecurityHomologation withRiskAnalysis
		byAccessibility { accessibility count } } } }`, map[string]any{"asOf": asOf})
	q := dig(data, "portfolio", "quality")
	total := num(dig(q, "startupCount"))
	share := func(n int) string { return fmt.Sprintf("%d\u202f%%", (200*n+total)/(2*total)) } // rounded half up
	want := map[string]int{
		"statsUrl": num(dig(q, "withStatsUrl")), "impactUrl": num(dig(q, "withImpactUrl")), "budgetUrl": num(dig(q, "withBudgetUrl")),
		"dashlordUrl": num(dig(q, "withDashlordUrl")), "securityHomologation": num(dig(q, "withSecurityHomologation")),
		"riskAnalysis": num(dig(q, "withRiskAnalysis")),
	}
	for _, a := range dig(q, "byAccessibility").([]any) {
		key := "accessibility:unknown"
		if s := str(dig(a, "accessibility")); s != "" {
			key = "accessibility:" + s
		}
		want[key] = num(dig(a, "count"))
	}
	rows := findAll(byID(t, doc, "donnees-qualite"), hasAttr("data-quality", ""))
	if len(rows) != len(want) || total == 0 {
		t.Fatalf("%d rows, want %d (of %d startups)", len(rows), len(want), total)
	}
	for _, r := range rows {
		key := attrOf(r, "data-quality")
		cells := findAll(r, tag("td"))
		if w, ok := want[key]; !ok || text(cells[0]) != french(w) || text(cells[1]) != share(w) {
			t.Errorf("%s: %q %q, want %d (%s)", key, text(cells[0]), text(cells[1]), w, share(w))
		}
	}
	if figure(t, doc, "qualityStartupCount") != total {
		t.Errorf("the section counts %d startups, the API %d", figure(t, doc, "qualityStartupCount"), total)
	}
}

// The agenda's three lists hold the startups the API lists with the same
// filters, in its order (the next committee due first; the longest in
// incubation first for those with none on record), each with its
// portfolio managers, its last committee, when the next one is due, and
// its review status in French: late and none recorded apart, the latter
// with since when the startup has been in incubation.
func TestAgenda(t *testing.T) {
	_, doc := page(t, shared.public, "/review?asOf="+asOf, anonymous, http.StatusOK)
	labels := map[string]string{"OVERDUE": "En retard", "DUE_SOON": "Bientôt dû", "UP_TO_DATE": "À jour", "NONE_RECORDED": "Aucun comité enregistré"}
	managed, listed := 0, 0 // rows with portfolio managers, of all the lists
	for _, tt := range []struct {
		table   string
		filter  map[string]any
		orderBy string
		status  string
	}{
		{"tableau-retards", map[string]any{"reviewStatus": []string{"OVERDUE"}}, "NEXT_COMMITTEE_DUE", "OVERDUE"},
		{"tableau-a-venir", map[string]any{"nextCommitteeDue": map[string]any{"from": asOf, "to": "2026-08-30"}}, "NEXT_COMMITTEE_DUE", "DUE_SOON"},
		{"tableau-sans-comite", map[string]any{"active": true, "neverReviewed": true}, "INCUBATED_SINCE", "NONE_RECORDED"},
	} {
		t.Run(tt.table, func(t *testing.T) {
			data := graphql(t, anonymous, `query($f: StartupFilter, $asOf: Date, $o: StartupOrderField!) {
				startups(filter: $f, asOf: $asOf, first: 1000, orderBy: [{field: $o, direction: ASC}]) {
					nodes { slug portfolioManagers { fullname } lastCommittee { date } nextCommitteeDue reviewStatus incubatedSince } } }`,
				map[string]any{"f": tt.filter, "asOf": asOf, "o": tt.orderBy})
			nodes := dig(data, "startups", "nodes").([]any)
			rows := findAll(byID(t, doc, tt.table), hasAttr("data-slug", ""))
			if len(rows) != len(nodes) || len(nodes) == 0 {
				t.Fatalf("%d rows, the API lists %d", len(rows), len(nodes))
			}
			for i, n := range nodes {
				r := rows[i]
				slug := str(dig(n, "slug"))
				listed++
				if attrOf(r, "data-slug") != slug {
					t.Errorf("row %d: %s, the API lists %s", i, attrOf(r, "data-slug"), slug)
					continue
				}
				var names []string
				for _, m := range dig(n, "portfolioManagers").([]any) {
					names = append(names, str(dig(m, "fullname")))
				}
				wantManagers := strings.Join(names, ", ")
				if wantManagers == "" {
					wantManagers = "—"
				} else {
					managed++
				}
				if got := text(findAll(r, hasAttr("data-managers", ""))[0]); got != wantManagers {
					t.Errorf("%s: managers %q, want %q", slug, got, wantManagers)
				}
				due := findAll(r, hasAttr("data-due", ""))[0]
				if attrOf(due, "data-due") != str(dig(n, "nextCommitteeDue")) {
					t.Errorf("%s: due %q, want %q", slug, attrOf(due, "data-due"), str(dig(n, "nextCommitteeDue")))
				}
				if dig(n, "nextCommitteeDue") == nil && text(due) != "—" {
					t.Errorf("%s: no committee due, the cell says %q", slug, text(due))
				}
				status := findAll(r, hasAttr("data-review-status", ""))[0]
				want := labels[str(dig(n, "reviewStatus"))]
				if str(dig(n, "reviewStatus")) != tt.status {
					t.Errorf("%s: the API says %v in the %s list", slug, dig(n, "reviewStatus"), tt.status)
				}
				if tt.status == "NONE_RECORDED" {
					want += " (en incubation depuis le " + slashDate(str(dig(n, "incubatedSince"))) + ")"
				}
				if attrOf(status, "data-review-status") != tt.status || text(status) != want {
					t.Errorf("%s: status %q %q, want %q", slug, attrOf(status, "data-review-status"), text(status), want)
				}
				cells := findAll(r, tag("td"))
				last := cells[len(cells)-3]
				if d := str(dig(n, "lastCommittee", "date")); d != attrOf(last, "data-value") {
					t.Errorf("%s: last committee %q, want %q", slug, attrOf(last, "data-value"), d)
				}
			}
		})
	}
	if managed == 0 {
		t.Errorf("the fixture shows little: %d of %d rows with managers", managed, listed)
	}
}

// The alert lists the startups in incubation without an intrapreneur, as
// the API does, none of which has one.
func TestWithoutIntrapreneurAlert(t *testing.T) {
	_, doc := page(t, shared.public, "/review?asOf="+asOf, anonymous, http.StatusOK)
	data := graphql(t, anonymous, `query($asOf: Date) {
		without: startups(filter: {withoutIntrapreneur: true}, asOf: $asOf, first: 1000, orderBy: [{field: INCUBATED_SINCE}]) {
			nodes { slug active intrapreneurs { slug } } }
		portfolio(asOf: $asOf) { withoutIntrapreneurCount } }`, map[string]any{"asOf": asOf})
	nodes := dig(data, "without", "nodes").([]any)
	rows := findAll(byID(t, doc, "tableau-sans-intrapreneur"), hasAttr("data-slug", ""))
	if len(rows) != len(nodes) || len(nodes) == 0 || len(nodes) != num(dig(data, "portfolio", "withoutIntrapreneurCount")) {
		t.Fatalf("%d rows, the API lists %d and counts %v", len(rows), len(nodes), dig(data, "portfolio", "withoutIntrapreneurCount"))
	}
	for i, n := range nodes {
		if attrOf(rows[i], "data-slug") != str(dig(n, "slug")) || dig(n, "active") != true || len(dig(n, "intrapreneurs").([]any)) != 0 {
			t.Errorf("row %d: %s; the API: %v", i, attrOf(rows[i], "data-slug"), n)
		}
	}
	if got := figure(t, doc, "withoutIntrapreneurCount"); got != len(nodes) {
		t.Errorf("the alert says %d, the list has %d", got, len(nodes))
	}
}

// The startup table's new columns: the next committee due, the portfolio
// managers, the FAST grant and how many quality markers (counted here
// from the API's fields).
func TestStartupTableColumns(t *testing.T) {
	_, doc := page(t, shared.public, "/review?asOf="+asOf, anonymous, http.StatusOK)
	data := graphql(t, anonymous, `query($asOf: Date) {
		startups(filter: {active: true}, asOf: $asOf, first: 1000) { nodes {
			slug nextCommitteeDue reviewStatus portfolioManagers { fullname } fast { amountEuros }
			statsUrl impactUrl budgetUrl securityHomologation riskAnalysis accessibility } } }`, map[string]any{"asOf": asOf})
	rows := map[string]*html.Node{}
	for _, r := range findAll(byID(t, doc, "tableau-startups"), hasAttr("data-slug", "")) {
		rows[attrOf(r, "data-slug")] = r
	}
	counted := map[int]int{}
	for _, n := range dig(data, "startups", "nodes").([]any) {
		slug := str(dig(n, "slug"))
		r := rows[slug]
		if r == nil {
			t.Errorf("%s is not in the table", slug)
			continue
		}
		markers := 0
		for _, k := range []string{"statsUrl", "impactUrl", "budgetUrl"} {
			if dig(n, k) != nil {
				markers++
			}
		}
		for _, k := range []string{"securityHomologation", "riskAnalysis"} {
			if b, _ := dig(n, k).(bool); b {
				markers++
			}
		}
		if a := str(dig(n, "accessibility")); a == "FULLY_COMPLIANT" || a == "PARTIALLY_COMPLIANT" {
			markers++
		}
		counted[markers]++
		fast := ""
		if f := dig(n, "fast"); f != nil {
			fast = fmt.Sprint(num(dig(f, "amountEuros")))
		}
		var names []string
		for _, m := range dig(n, "portfolioManagers").([]any) {
			names = append(names, str(dig(m, "fullname")))
		}
		got := []string{attrOf(findAll(r, hasAttr("data-due", ""))[0], "data-due"), attrOf(findAll(r, hasAttr("data-review-status", ""))[0], "data-review-status"),
			attrOf(findAll(r, hasAttr("data-fast", ""))[0], "data-fast"),
			attrOf(findAll(r, hasAttr("data-markers", ""))[0], "data-markers"), text(findAll(r, hasAttr("data-managers", ""))[0])}
		want := []string{str(dig(n, "nextCommitteeDue")), str(dig(n, "reviewStatus")), fast, fmt.Sprint(markers), strings.Join(names, ", ")}
		if want[4] == "" {
			want[4] = "—"
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: due, status, FAST, markers, managers %q, want %q", slug, got, want)
		}
	}
	if len(counted) < 3 {
		t.Errorf("the fixture's startups have few kinds of markers: %v", counted)
	}
}

// With one incubator selected, the tables have no incubator column.
func TestOneIncubatorColumns(t *testing.T) {
	for _, tt := range []struct {
		query string
		want  bool
	}{{"incubator=mtes", false}, {"incubator=mtes&incubator=dinum", true}, {"sponsor=dinum", true}} {
		_, doc := page(t, shared.public, "/review?asOf="+asOf+"&"+tt.query, anonymous, http.StatusOK)
		for _, id := range []string{"tableau-startups", "tableau-retards"} {
			var heads []string
			for _, th := range findAll(findAll(byID(t, doc, id), tag("thead"))[0], tag("th")) {
				heads = append(heads, text(th))
			}
			if got := slices.ContainsFunc(heads, func(h string) bool { return strings.HasPrefix(h, "Incubateur") }); got != tt.want {
				t.Errorf("%s, %s: an incubator column %v, want %v (%q)", tt.query, id, got, tt.want, heads)
			}
		}
	}
}

// A startup's page shows what the API says of its portfolio managers, its
// next committee due, its FAST grant, its quality, its co-incubation, and
// its events by asOf.
func TestStartupPageReview(t *testing.T) {
	_, doc := page(t, shared.public, "/review/startups/dossierfacile?asOf="+asOf, anonymous, http.StatusOK)
	data := graphql(t, anonymous, `query($asOf: Date) {
		startup(slug: "dossierfacile") { portfolioManagers { fullname } nextCommitteeDue(asOf: $asOf) fast { promotion amountEuros }
			statsUrl securityHomologation riskAnalysis accessibility incubators { slug title } }
	}`, map[string]any{"asOf": asOf})
	events := graphql(t, anonymous, `{ startup(slug: "dossierfacile") { events { name date } } }`, nil)
	s := dig(data, "startup")
	var names []string
	for _, m := range dig(s, "portfolioManagers").([]any) {
		names = append(names, str(dig(m, "fullname")))
	}
	if got := text(findAll(doc, hasAttr("data-managers", ""))[0]); got != strings.Join(names, ", ") || len(names) == 0 {
		t.Errorf("managers %q, want %q", got, names)
	}
	due := str(dig(s, "nextCommitteeDue"))
	if got := findAll(doc, hasAttr("data-due", ""))[0]; attrOf(got, "data-due") != due || !strings.Contains(text(got), slashDate(due)) {
		t.Errorf("next committee due %q (%q), want %s", attrOf(got, "data-due"), text(got), due)
	}
	fast := findAll(doc, hasAttr("data-fast", ""))[0]
	if want := fmt.Sprintf("%s, promotion %d", euro(num(dig(s, "fast", "amountEuros"))), num(dig(s, "fast", "promotion"))); text(fast) != want {
		t.Errorf("FAST %q, want %q", text(fast), want)
	}
	quality := map[string]string{}
	for _, r := range findAll(byID(t, doc, "tableau-qualite"), hasAttr("data-quality", "")) {
		quality[attrOf(r, "data-quality")] = text(findAll(r, tag("td"))[0])
	}
	yes := map[bool]string{true: "oui", false: "non"}
	hom, _ := dig(s, "securityHomologation").(bool)
	risk, _ := dig(s, "riskAnalysis").(bool)
	want := map[string]string{"statsUrl": str(dig(s, "statsUrl")), "securityHomologation": yes[hom], "riskAnalysis": yes[risk],
		"accessibility": map[string]string{"PARTIALLY_COMPLIANT": "Partiellement conforme", "FULLY_COMPLIANT": "Totalement conforme", "NOT_COMPLIANT": "Non conforme"}[str(dig(s, "accessibility"))]}
	for k, w := range want {
		if quality[k] != w || w == "" {
			t.Errorf("quality %s: %q, want %q", k, quality[k], w)
		}
	}
	var co []string
	for _, a := range findAll(doc, hasAttr("data-coincubator", "")) {
		co = append(co, attrOf(a, "data-coincubator"))
	}
	incubators := dig(s, "incubators").([]any)
	if len(incubators) != 2 || !slices.Equal(co, []string{str(dig(incubators[1], "slug"))}) || co[0] != coIncubator {
		t.Errorf("co-incubated with %q; the API lists %v", co, incubators)
	}
	// The events by asOf, latest first.
	var kinds, wantKinds []string
	for _, r := range findAll(byID(t, doc, "tableau-evenements"), hasAttr("data-event", "")) {
		kinds = append(kinds, text(findAll(r, tag("th"))[0])+" "+attrOf(r, "data-event"))
	}
	var dated []string
	for _, e := range dig(events, "startup", "events").([]any) {
		if d := str(dig(e, "date")); d <= asOf {
			dated = append(dated, d+" "+str(dig(e, "name")))
		}
	}
	slices.SortStableFunc(dated, func(a, b string) int { return strings.Compare(b[:10], a[:10]) })
	for _, e := range dated {
		wantKinds = append(wantKinds, slashDate(e[:10])+e[10:])
	}
	if !slices.Equal(kinds, wantKinds) || len(kinds) < 2 {
		t.Errorf("events %q, want %q", kinds, wantKinds)
	}
}

// The budgets the committees granted, a protected sum, reach the
// portfolio page for viewers only (header or cookie); anonymous callers
// read that they are reserved.
func TestRightsCommitteeBudgets(t *testing.T) {
	const path = "/review?incubator=mtes&asOf=" + asOf + "&from=2021-01-01"
	data := graphql(t, caller{header: shared.viewer}, `query($asOf: Date) { portfolio(filter: {incubators: ["mtes"]}, asOf: $asOf) {
		investment { committeeBudgetEuros(from: "2021-01-01", to: $asOf) } } }`, map[string]any{"asOf": asOf})
	sum := num(dig(data, "portfolio", "investment", "committeeBudgetEuros"))
	if sum == 0 {
		t.Fatal("no committee budget in the fixture: the test shows nothing")
	}
	for _, tt := range []struct {
		name   string
		caller caller
		viewer bool
	}{
		{"anonymous", anonymous, false},
		{"viewer, header", caller{header: shared.viewer}, true},
		{"viewer, cookie", caller{cookie: shared.viewer}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, doc := page(t, shared.public, path, tt.caller, http.StatusOK)
			got := text(findAll(doc, hasAttr("data-committee-budget", ""))[0])
			reserved := strings.Contains(got, "réservé aux personnes connectées")
			shown := strings.Contains(got, euro(sum))
			if reserved == tt.viewer || shown != tt.viewer {
				t.Errorf("the budgets read %q; want the sum %s shown: %v", got, euro(sum), tt.viewer)
			}
			if !tt.viewer && strings.Contains(text(doc), euro(sum)) {
				t.Errorf("the anonymous page shows %s", euro(sum))
			}
		})
	}
}

// A startup's page tells late from none recorded: the one late says when
// its committee was due and « en retard »; one with no committee on record
// says so, with since when it has been in incubation, and never « en
// retard »; its intrapreneurs are named, or their absence is an alert.
func TestStartupPageReviewStatus(t *testing.T) {
	data := graphql(t, anonymous, `query($asOf: Date) {
		late: startups(filter: {reviewStatus: [OVERDUE]}, asOf: $asOf, first: 1) { nodes { slug nextCommitteeDue intrapreneurs { fullname } } }
		none: startups(filter: {reviewStatus: [NONE_RECORDED], withoutIntrapreneur: true}, asOf: $asOf, first: 1) { nodes { slug incubatedSince } }
		out: startups(filter: {active: false, phases: [ABANDONED]}, asOf: $asOf, first: 1) { nodes { slug } } }`, map[string]any{"asOf": asOf})
	late, none, out := dig(data, "late", "nodes").([]any), dig(data, "none", "nodes").([]any), dig(data, "out", "nodes").([]any)
	if len(late) == 0 || len(none) == 0 || len(out) == 0 {
		t.Fatalf("the fixture has no startup late, with none recorded, or abandoned at %s: %v", asOf, data)
	}
	cell := func(doc *html.Node, attr string) string { return text(findAll(doc, hasAttr(attr, ""))[0]) }
	alerted := func(doc *html.Node) bool { return len(findAll(doc, hasAttr("data-alert", "sans-intrapreneur"))) > 0 }

	_, doc := page(t, shared.public, "/review/startups/"+str(dig(late[0], "slug"))+"?asOf="+asOf, anonymous, http.StatusOK)
	want := "le " + slashDate(str(dig(late[0], "nextCommitteeDue"))) + " : en retard"
	if got := cell(doc, "data-due"); got != want || len(findAll(doc, hasAttr("data-review-status", "OVERDUE"))) < 2 {
		t.Errorf("late: %q, want %q and the badge", got, want)
	}
	var names []string
	for _, m := range dig(late[0], "intrapreneurs").([]any) {
		names = append(names, str(dig(m, "fullname")))
	}
	if got := cell(doc, "data-intrapreneurs"); len(names) > 0 && got != strings.Join(names, ", ") || len(names) == 0 && !strings.HasPrefix(got, "aucun : alerte") {
		t.Errorf("late: intrapreneurs %q, the API %q", got, names)
	}
	if alerted(doc) != (len(names) == 0) {
		t.Errorf("late: the alert badge is %v with intrapreneurs %q", alerted(doc), names)
	}

	_, doc = page(t, shared.public, "/review/startups/"+str(dig(none[0], "slug"))+"?asOf="+asOf, anonymous, http.StatusOK)
	want = "inconnu : aucun comité enregistré (en incubation depuis le " + slashDate(str(dig(none[0], "incubatedSince"))) + ")"
	if got := cell(doc, "data-due"); got != want {
		t.Errorf("none recorded: %q, want %q", got, want)
	}
	if strings.Contains(text(doc), "en retard") || len(findAll(doc, hasAttr("data-review-status", "NONE_RECORDED"))) < 2 {
		t.Errorf("none recorded: the page says late, or has no badge")
	}
	if got := cell(doc, "data-intrapreneurs"); !strings.HasPrefix(got, "aucun : alerte") || !alerted(doc) {
		t.Errorf("none recorded, without an intrapreneur: %q, alert badge %v", got, alerted(doc))
	}

	_, doc = page(t, shared.public, "/review/startups/"+str(dig(out[0], "slug"))+"?asOf="+asOf, anonymous, http.StatusOK)
	if got := cell(doc, "data-due"); got != "aucun (hors incubation)" || alerted(doc) {
		t.Errorf("out of incubation: %q, alert %v", got, alerted(doc))
	}
}
