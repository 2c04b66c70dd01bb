package export_test

import (
	"strings"
	"testing"
)

// TestInvestmentExport counts the investment export's rows against the
// API: one per FAST grant of the selected startups, one per committee
// budget of the period, and for an anonymous caller the FAST grants only
// (budgets are for viewers and above).
func TestInvestmentExport(t *testing.T) {
	var d struct {
		Portfolio struct {
			Investment struct{ FastCount int }
		}
		Committees struct {
			Nodes []struct {
				BudgetEuros *int
				Startup     struct{ Incubator struct{ Slug string } }
			}
		}
	}
	shared.graphql(t, `{ portfolio(asOf: "2026-06-30", filter: {incubators: ["dinum", "mtes"]}) { investment { fastCount } }
		committees(first: 1000, filter: {incubators: ["dinum", "mtes"], from: "2025-01-01", to: "2025-12-31"}) { nodes { budgetEuros startup { incubator { slug } } } } }`, &d)
	budgets := 0
	for _, c := range d.Committees.Nodes {
		if c.BudgetEuros != nil {
			budgets++
		}
	}
	if d.Portfolio.Investment.FastCount == 0 || budgets == 0 {
		t.Fatalf("%d FAST grants, %d budgets: the seed should have both", d.Portfolio.Investment.FastCount, budgets)
	}
	const path = "/export/investment.csv?asOf=2026-06-30&incubators=dinum,mtes&from=2025-01-01&to=2025-12-31"
	count := func(rows []map[string]string) (fast, committee int) {
		for _, r := range rows {
			switch r["kind"] {
			case "FAST":
				fast++
				if r["amount_euros"] == "" || r["promotion"] == "" || r["date"] != "" {
					t.Errorf("a FAST row: %v", r)
				}
			case "COMMITTEE_BUDGET":
				committee++
				if r["amount_euros"] == "" || r["date"] < "2025-01-01" || r["date"] > "2025-12-31" || r["decision"] == "" {
					t.Errorf("a budget row: %v", r)
				}
			default:
				t.Errorf("a row of kind %q", r["kind"])
			}
		}
		return fast, committee
	}
	_, rows := csvRecords(t, path, shared.viewer)
	if fast, committee := count(rows); fast != d.Portfolio.Investment.FastCount || committee != budgets {
		t.Errorf("viewer: %d FAST rows, %d budget rows; want %d and %d", fast, committee, d.Portfolio.Investment.FastCount, budgets)
	}
	_, rows = csvRecords(t, path, "")
	if fast, committee := count(rows); fast != d.Portfolio.Investment.FastCount || committee != 0 {
		t.Errorf("anonymous: %d FAST rows, %d budget rows; want %d and none", fast, committee, d.Portfolio.Investment.FastCount)
	}
	for _, bad := range []struct{ path, want string }{
		{"/export/investment.csv?fastPromotions=douze", `fastPromotions: "douze" is not a known value`},
		{"/export/investment.csv?from=2026-01-01&to=2025-01-01", "is before from"},
		{"/export/investment.csv?kinds=fast", `unknown parameter "kinds" for the investment export`},
		{"/export/events.csv?from=2026-01-01&to=2025-01-01", "before"},
		{"/export/events.csv?decisions=STOP", `unknown parameter "decisions" for the events export`},
	} {
		resp, body := shared.get(t, bad.path, shared.viewer)
		if resp.StatusCode != 400 || !strings.Contains(string(body), strings.ReplaceAll(bad.want, `"`, `\"`)) {
			t.Errorf("%s: status %d, %s; want 400 saying %q", bad.path, resp.StatusCode, body, bad.want)
		}
	}
}

// TestEventsExport counts the events export's rows against the API's feed
// and checks that a committee's comment, protected, is left out for an
// anonymous caller.
func TestEventsExport(t *testing.T) {
	var d struct {
		Events struct{ TotalCount int }
	}
	shared.graphql(t, `{ events(filter: {from: "2025-01-01", to: "2026-06-30"}) { totalCount } }`, &d)
	const path = "/export/events.csv?asOf=2026-06-30&from=2025-01-01"
	_, viewer := csvRecords(t, path, shared.viewer)
	_, anon := csvRecords(t, path, "")
	if len(viewer) != d.Events.TotalCount || len(anon) != len(viewer) {
		t.Fatalf("%d rows as viewer, %d anonymous; the feed has %d events", len(viewer), len(anon), d.Events.TotalCount)
	}
	committees, commented := 0, 0
	for i, r := range viewer {
		if r["kind"] != "committee" {
			continue
		}
		committees++
		if r["decision"] == "" {
			t.Errorf("committee row without a decision: %v", r)
		}
		if r["comment"] != "" {
			commented++
		}
		if anon[i]["comment"] != "" {
			t.Errorf("an anonymous caller reads a committee's comment: %v", anon[i])
		}
	}
	if committees == 0 || commented == 0 {
		t.Errorf("%d committees, %d with a comment: the check is vacuous", committees, commented)
	}
}
