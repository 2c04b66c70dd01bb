package export_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestErrorsBeforeAnyRow checks that mistakes are answered 4xx with a JSON
// message, and nothing else.
func TestErrorsBeforeAnyRow(t *testing.T) {
	ok := `{ startups { nodes { slug } } }`
	tests := []struct {
		name   string
		path   string
		token  string
		status int
		want   string // in the message
	}{
		{"invalid query", exportURL(`{ startups { nodes { nope } } }`), shared.viewer, 400, `the query is invalid: Cannot query field "nope"`},
		{"syntax", exportURL(`{ startups {`), shared.viewer, 400, "the query is invalid"},
		{"no query", "/export?format=csv", shared.viewer, 400, "query is missing"},
		{"unknown format", exportURL(ok, "format", "xls"), shared.viewer, 400, `unknown format "xls": want csv, xlsx, ndjson, json`},
		{"unknown dialect", exportURL(ok, "dialect", "excel-de"), shared.viewer, 400, `unknown dialect "excel-de"`},
		{"dialect of xlsx", exportURL(ok, "format", "xlsx", "dialect", "excel-fr"), shared.viewer, 400, "dialect excel-fr applies to csv only"},
		{"unknown path", exportURL(ok, "path", "members"), shared.viewer, 400, `path "members": no field "members" at the top of the query (there: startups)`},
		{"path not a list", exportURL(`{ viewer { role } startups { nodes { slug } } }`, "path", "viewer.role"), shared.viewer, 400, "viewer.role is not a list"},
		{"path across a list", exportURL(`{ incubators { nodes { startups { nodes { slug } } } } }`, "path", "incubators.nodes.startups"), shared.viewer, 400, `crosses the list "incubators"`},
		{"no list", exportURL(`{ viewer { role } }`), shared.viewer, 400, "the query selects no list to export"},
		{"mutation", exportURL(`mutation { deleteCommittee(input: {id: "x", version: 1}) { clientMutationId } }`), shared.viewer, 400, "only queries can be exported"},
		{"two operations", exportURL(`query A { startups { nodes { slug } } } query B { members { nodes { slug } } }`), shared.viewer, 400, "operationName is needed"},
		{"unknown operation", exportURL(`query A { startups { nodes { slug } } }`, "operationName", "B"), shared.viewer, 400, `no operation "B"`},
		{"bad variables", exportURL(`query($n: Int) { startups(first: $n) { nodes { slug } } }`, "variables", `{"n": "ten"}`), shared.viewer, 400, "variables:"},
		{"variables not JSON", exportURL(ok, "variables", `{n: 1}`), shared.viewer, 400, "variables: not a JSON object"},
		{"a field fails", exportURL(`{ startups(asOf: "2026-02-30") { nodes { slug } } }`), shared.viewer, 400, "the query failed: asOf:"},
		{"bad paging", exportURL(`{ startups(last: 5000) { nodes { slug } } }`), shared.viewer, 400, "the query failed: last is at most 1000"},
		{"negative first", exportURL(`{ startups(first: -1) { nodes { slug } } }`), shared.viewer, 400, "first must be a number of rows"},
		{"unknown parameter", exportURL(ok, "fromat", "csv"), shared.viewer, 400, `unknown parameter "fromat"`},
		{"forbidden list", exportURL(`{ auditLog { nodes { mutation } } }`), shared.viewer, 403, "cannot be exported with your rights"},
		{"bad token", exportURL(ok), "nope", 401, ""},
		{"unknown preset", "/export/teams.csv", shared.viewer, 404, "/export/startups.csv"},
		{"preset without format", "/export/startups", shared.viewer, 400, "give the format as the extension"},
		{"preset format", "/export/startups.xls", shared.viewer, 400, `unknown format "xls"`},
		{"preset parameter", "/export/startups.csv?incubator=x", shared.viewer, 400, `unknown parameter "incubator" for the startups export`},
		{"preset date", "/export/startups.csv?asOf=yesterday", shared.viewer, 400, `asOf: "yesterday" is not a date`},
		{"preset boolean", "/export/startups.csv?active=yes", shared.viewer, 400, `active: "yes" is not true or false`},
		{"preset phase", "/export/startups.csv?phases=construction,flying", shared.viewer, 400, `phases: "flying" is not a known value`},
		{"preset dialect", "/export/members.xlsx?dialect=excel-fr", shared.viewer, 400, "applies to csv only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := shared.get(t, tt.path, tt.token)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if resp.Header.Get("Content-Disposition") != "" {
				t.Errorf("an error comes as a download: %s", resp.Header.Get("Content-Disposition"))
			}
			if tt.want == "" {
				return
			}
			var e struct{ Error string }
			if err := json.Unmarshal(body, &e); err != nil {
				t.Fatalf("not a JSON error: %s", body)
			}
			if !strings.Contains(e.Error, tt.want) {
				t.Errorf("error %q, want it to say %q", e.Error, tt.want)
			}
		})
	}
}

// TestPost sends the parameters as JSON and as a form.
func TestPost(t *testing.T) {
	q := `query($n: Int) { startups(first: $n, orderBy: [{field: SLUG}]) { nodes { slug } } }`
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"n": 3}, "format": "ndjson"})
	req, _ := http.NewRequest(http.MethodPost, shared.url+"/export", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+shared.viewer)
	resp, out := do(t, req)
	if resp.StatusCode != 200 || bytes.Count(out, []byte("\n")) != 3 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Errorf("JSON POST: status %d, %s: %q", resp.StatusCode, resp.Header.Get("Content-Type"), out)
	}
	form := url.Values{"query": {q}, "variables": {`{"n": 2}`}}
	req, _ = http.NewRequest(http.MethodPost, shared.url+"/export?format=csv", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, out = do(t, req)
	if resp.StatusCode != 200 || bytes.Count(out, []byte("\r\n")) != 3 {
		t.Errorf("form POST: status %d: %q", resp.StatusCode, out)
	}
	req, _ = http.NewRequest(http.MethodPut, shared.url+"/export", nil)
	if resp, _ := do(t, req); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("PUT: status %d, want 405", resp.StatusCode)
	}
}

// csvRecords exports as CSV and reads the records back, by column name.
func csvRecords(t *testing.T, path, token string) (header []string, rows []map[string]string) {
	t.Helper()
	resp, body := shared.get(t, path, token)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, v := range r {
			m[recs[0][i]] = v
		}
		rows = append(rows, m)
	}
	return recs[0], rows
}

// TestForbiddenFieldsGiveEmptyCells exports protected fields anonymously:
// the export succeeds, with empty cells where the caller may not read.
func TestForbiddenFieldsGiveEmptyCells(t *testing.T) {
	q := `{ startups(first: 200, asOf: "2026-06-30", filter: {active: true}) { nodes { slug contact teamSize team { status } } } }`
	_, anon := csvRecords(t, exportURL(q), "")
	_, viewer := csvRecords(t, exportURL(q), shared.viewer)
	if len(anon) != 200 || len(viewer) != 200 {
		t.Fatalf("%d and %d rows, want 200", len(anon), len(viewer))
	}
	filled := 0
	for i := range anon {
		if anon[i]["contact"] != "" || anon[i]["team.status"] != "" {
			t.Fatalf("an anonymous caller reads %q", anon[i])
		}
		if anon[i]["slug"] != viewer[i]["slug"] || anon[i]["teamSize"] != viewer[i]["teamSize"] {
			t.Fatalf("public cells differ: %q vs %q", anon[i], viewer[i])
		}
		if viewer[i]["team.status"] != "" {
			filled++
		}
	}
	if filled == 0 {
		t.Error("a viewer reads no status either")
	}

	// The ready-made exports leave the protected columns empty.
	for _, tt := range []struct {
		path    string
		columns []string
	}{
		{"/export/startups.csv?asOf=2026-06-30&active=true", []string{"team_admin", "team_independent", "team_service"}},
		{"/export/members.csv?asOf=2026-06-30&active=true", []string{"mission_status", "mission_employer"}},
		{"/export/committees.csv?asOf=2026-06-30", []string{"budget_euros", "comment"}},
	} {
		_, anon := csvRecords(t, tt.path, "")
		_, viewer := csvRecords(t, tt.path, shared.viewer)
		if len(anon) == 0 || len(anon) != len(viewer) {
			t.Fatalf("%s: %d rows anonymous, %d as viewer", tt.path, len(anon), len(viewer))
		}
		for _, c := range tt.columns {
			seen := false
			for i := range anon {
				if anon[i][c] != "" {
					t.Fatalf("%s: anonymous %s = %q", tt.path, c, anon[i][c])
				}
				seen = seen || viewer[i][c] != ""
			}
			if !seen {
				t.Errorf("%s: a viewer has no %s either", tt.path, c)
			}
		}
	}
}

// TestPagingGivesEveryRowOnce exports a list longer than a page (3,484
// members at scale 1: four pages).
func TestPagingGivesEveryRowOnce(t *testing.T) {
	var d struct{ Members struct{ TotalCount int } }
	shared.graphql(t, `{ members { totalCount } }`, &d)
	if d.Members.TotalCount <= 2000 {
		t.Fatalf("%d members: the test needs more than two pages", d.Members.TotalCount)
	}
	_, rows := csvRecords(t, exportURL(`{ members(orderBy: [{field: SLUG}]) { edges { node { slug } } } }`), shared.viewer)
	var slugs []string
	for _, r := range rows {
		slugs = append(slugs, r["slug"])
	}
	if len(slugs) != d.Members.TotalCount {
		t.Errorf("%d rows, want %d", len(slugs), d.Members.TotalCount)
	}
	if !slices.IsSorted(slugs) || len(slices.Compact(slices.Clone(slugs))) != len(slugs) {
		t.Error("rows repeat or come out of order")
	}

	// first caps the rows, after starts later.
	_, rows = csvRecords(t, exportURL(`{ members(first: 1500, orderBy: [{field: SLUG}]) { nodes { slug } } }`), shared.viewer)
	if len(rows) != 1500 || rows[1499]["slug"] != slugs[1499] {
		t.Errorf("first: 1500 gave %d rows", len(rows))
	}
	var c struct {
		Members struct{ Edges []struct{ Cursor string } }
	}
	shared.graphql(t, `{ members(first: 1000, orderBy: [{field: SLUG}]) { edges { cursor } } }`, &c)
	after := c.Members.Edges[999].Cursor
	_, rows = csvRecords(t, exportURL(`query($after: String) { members(after: $after, orderBy: [{field: SLUG}]) { nodes { slug } } }`,
		"variables", `{"after": "`+after+`"}`), shared.viewer)
	if len(rows) != len(slugs)-1000 || rows[0]["slug"] != slugs[1000] {
		t.Errorf("after the 1000th: %d rows from %v", len(rows), rows[0])
	}
}

// TestPresetFilters checks that the parameters reach the filters.
func TestPresetFilters(t *testing.T) {
	inc := firstIncubator(t)
	_, all := csvRecords(t, "/export/startups.csv?asOf=2026-06-30", shared.viewer)
	_, some := csvRecords(t, "/export/startups.csv?asOf=2026-06-30&incubators="+inc+"&phases=construction,ACCELERATION", shared.viewer)
	if len(some) == 0 || len(some) >= len(all) {
		t.Fatalf("%d of %d startups", len(some), len(all))
	}
	for _, r := range some {
		if r["incubator"] != inc || (r["phase"] != "CONSTRUCTION" && r["phase"] != "ACCELERATION") {
			t.Errorf("row %v does not match the filter", r)
		}
	}
	// The deprecated committeeOverdue keeps its meaning: late, or in
	// incubation for more than 183 days with no committee on record.
	_, overdue := csvRecords(t, "/export/startups.csv?asOf=2026-06-30&committeeOverdue=true", shared.viewer)
	for _, r := range overdue {
		if r["review_status"] != "OVERDUE" && (r["review_status"] != "NONE_RECORDED" || r["incubated_since"] >= "2025-12-29") {
			t.Fatalf("row %v is not overdue", r)
		}
	}
	byStatus := map[string]int{}
	for _, st := range []string{"OVERDUE", "NONE_RECORDED", "due_soon", "UP_TO_DATE"} {
		_, rows := csvRecords(t, "/export/startups.csv?asOf=2026-06-30&reviewStatus="+st, shared.viewer)
		for _, r := range rows {
			if r["review_status"] != strings.ToUpper(st) {
				t.Fatalf("reviewStatus=%s: row %v", st, r)
			}
		}
		byStatus[st] = len(rows)
	}
	_, late := csvRecords(t, "/export/startups.csv?asOf=2026-06-30&reviewStatus=OVERDUE,NONE_RECORDED", shared.viewer)
	if len(late) != byStatus["OVERDUE"]+byStatus["NONE_RECORDED"] || byStatus["OVERDUE"] == 0 || byStatus["NONE_RECORDED"] == 0 {
		t.Errorf("reviewStatus=OVERDUE,NONE_RECORDED: %d rows; by status %v", len(late), byStatus)
	}
	_, without := csvRecords(t, "/export/startups.csv?asOf=2026-06-30&withoutIntrapreneur=true", shared.viewer)
	if len(without) == 0 {
		t.Error("no startup without an intrapreneur")
	}
	for _, r := range without {
		if r["intrapreneurs"] != "" || r["review_status"] == "" {
			t.Fatalf("withoutIntrapreneur=true: row %v has one, or is not in incubation", r)
		}
	}
	if resp, body := shared.get(t, "/export/startups.csv?reviewStatus=LATE", shared.viewer); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("reviewStatus=LATE: %d %s, want 400", resp.StatusCode, body)
	}
	_, cs := csvRecords(t, "/export/committees.csv?from=2025-01-01&to=2025-12-31&decisions=continue,ADVANCE", shared.viewer)
	if len(cs) == 0 {
		t.Fatal("no committee in 2025")
	}
	for _, r := range cs {
		if r["date"] < "2025-01-01" || r["date"] > "2025-12-31" || (r["decision"] != "CONTINUE" && r["decision"] != "ADVANCE") {
			t.Errorf("committee %v does not match the filter", r)
		}
	}
	_, capped := csvRecords(t, "/export/committees.csv?from=2025-01-01&asOf=2025-06-30", shared.viewer)
	for _, r := range capped {
		if r["date"] > "2025-06-30" {
			t.Errorf("committee %v is after asOf", r)
		}
	}
	_, ms := csvRecords(t, "/export/members.csv?asOf=2026-06-30&domains=Design,DATA&active=true", shared.viewer)
	if len(ms) == 0 {
		t.Fatal("no active designer or data member")
	}
	for _, r := range ms {
		if (r["domain"] != "DESIGN" && r["domain"] != "DATA") || r["active"] != "true" || r["mission_start"] == "" || r["startups"] == "" && r["mission_start"] == "" {
			t.Errorf("member %v does not match the filter", r)
		}
	}
}

// TestInvalidText checks that /export refuses text that is not valid
// Unicode, on every way in, with BAD_USER_INPUT naming where it sits.
func TestInvalidText(t *testing.T) {
	const search = `query($s: String) { startups(filter: {search: $s}) { nodes { slug } } }`
	post := func(contentType, body string) *http.Request {
		req, _ := http.NewRequest(http.MethodPost, shared.url+"/export", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		return req
	}
	get := func(path string) *http.Request {
		req, _ := http.NewRequest(http.MethodGet, shared.url+path, nil)
		return req
	}
	tests := []struct {
		name  string
		req   *http.Request
		field string
	}{
		{"GET, a query literal", get(exportURL("{ startups(filter: {search: \"\xff\"}) { nodes { slug } } }")), "query"},
		{"GET, a lone surrogate escape in the query", get(exportURL(`{ startups(filter: {search: "\udc00"}) { nodes { slug } } }`)), "query"},
		{"GET, a variable", get(exportURL(search, "variables", "{\"s\":\"\xe9t\xe9\"}")), "variables.s"},
		{"GET, a lone surrogate in a variable", get(exportURL(search, "variables", `{"s":"\ud800"}`)), "variables.s"},
		{"GET, the path", get(exportURL(search, "path", "startups\xff")), "path"},
		{"POST JSON, a variable", post("application/json", "{\"query\":\""+search+"\",\"variables\":{\"s\":\"a\xffb\"}}"), "variables.s"},
		{"POST JSON, a lone surrogate in the query", post("application/json", `{"query":"{ startups(filter: {search: \"\udc00\"}) { nodes { slug } } }"}`), "query"},
		{"POST form, a variable", post("application/x-www-form-urlencoded", url.Values{"query": {search}, "variables": {"{\"s\":\"\xff\"}"}}.Encode()), "variables.s"},
		{"ready-made export, a filter", get("/export/startups.csv?search=%FF"), "search"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := do(t, tt.req)
			var e struct {
				Code   string
				Errors []struct{ Extensions map[string]any }
			}
			if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if resp.StatusCode != 400 || e.Code != "BAD_USER_INPUT" || e.Errors[0].Extensions["field"] != tt.field {
				t.Errorf("status %d, code %s, extensions %v, want 400 BAD_USER_INPUT on %s: %s", resp.StatusCode, e.Code, e.Errors[0].Extensions, tt.field, body)
			}
		})
	}
}
