package export_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/incubateurs/portfolio/internal/export"
)

// startupsQuery has a bit of everything: nested objects, lists of scalars,
// lists of objects, a list in a list, protected fields, dates, numbers and
// booleans. asOf is fixed so that the goldens do not move with the
// calendar.
const startupsQuery = `{ startups(first: 25, asOf: "2026-06-30", orderBy: [{field: NAME}]) { nodes {
	slug name incubator { title } sponsors { slug acronym } thematiques phase currentPhase { start } teamSize
	team { member { slug competences } status } committeeOverdue lastCommittee { date decision } } } }`

const phaseDurationsQuery = `{ portfolio(asOf: "2026-06-30") { phaseDurations { phase startups medianDays meanDays } } }`

// firstIncubator returns the slug of the first incubator, to keep the
// ready-made exports of the goldens small.
func firstIncubator(t *testing.T) string {
	var d struct {
		Incubators struct{ Nodes []struct{ Slug string } }
	}
	shared.graphql(t, `{ incubators(first: 1) { nodes { slug } } }`, &d)
	return d.Incubators.Nodes[0].Slug
}

func TestGoldenFormats(t *testing.T) {
	inc := firstIncubator(t)
	preset := func(file string, params ...string) string {
		v := url.Values{"asOf": {"2026-06-30"}, "incubators": {inc}}
		for i := 0; i+1 < len(params); i += 2 {
			v.Set(params[i], params[i+1])
		}
		return "/export/" + file + "?" + v.Encode()
	}
	committees := func(file string, params ...string) string {
		v := url.Values{"asOf": {"2026-06-30"}, "from": {"2026-03-01"}}
		for i := 0; i+1 < len(params); i += 2 {
			v.Set(params[i], params[i+1])
		}
		return "/export/" + file + "?" + v.Encode()
	}
	investment := func(file string, params ...string) string {
		v := url.Values{"asOf": {"2026-06-30"}, "incubators": {"dinum,mtes"}, "from": {"2025-07-01"}}
		for i := 0; i+1 < len(params); i += 2 {
			v.Set(params[i], params[i+1])
		}
		return "/export/" + file + "?" + v.Encode()
	}
	events := func(file string, params ...string) string {
		v := url.Values{"asOf": {"2026-06-30"}, "from": {"2026-05-20"}, "incubators": {"dinum,mtes"}}
		for i := 0; i+1 < len(params); i += 2 {
			v.Set(params[i], params[i+1])
		}
		return "/export/" + file + "?" + v.Encode()
	}
	tests := []struct {
		golden      string
		path        string
		contentType string
		filename    string // a regular expression: the shared database is the demo's, whose files say « données fictives »
	}{
		{"startups.csv", exportURL(startupsQuery, "format", "csv"), "text/csv; charset=utf-8; header=present", `portfolio-startups-\d{4}-\d\d-\d\d-donnees-fictives\.csv`},
		{"startups.ndjson", exportURL(startupsQuery, "format", "ndjson"), "application/x-ndjson", `portfolio-startups-\d{4}-\d\d-\d\d-donnees-fictives\.ndjson`},
		{"startups.json", exportURL(startupsQuery, "format", "json"), "application/json", `portfolio-startups-\d{4}-\d\d-\d\d-donnees-fictives\.json`},
		{"startups.xlsx", exportURL(startupsQuery, "format", "xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `portfolio-startups-\d{4}-\d\d-\d\d-donnees-fictives\.xlsx`},
		{"phase-durations.excel-fr.csv", exportURL(phaseDurationsQuery, "format", "csv", "dialect", "excel-fr"), "text/csv; charset=utf-8; header=present", `portfolio-phase-durations-\d{4}-\d\d-\d\d-donnees-fictives\.csv`},
		{"startups.excel-fr.csv", exportURL(startupsQuery, "format", "csv", "dialect", "excel-fr"), "text/csv; charset=utf-8; header=present", `portfolio-startups-\d{4}-\d\d-\d\d-donnees-fictives\.csv`},
		{"preset-startups.csv", preset("startups.csv"), "text/csv; charset=utf-8; header=present", `portfolio-startups-2026-06-30-donnees-fictives\.csv`},
		{"preset-startups.excel-fr.csv", preset("startups.csv", "dialect", "excel-fr"), "text/csv; charset=utf-8; header=present", `portfolio-startups-2026-06-30-donnees-fictives\.csv`},
		{"preset-startups.xlsx", preset("startups.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `portfolio-startups-2026-06-30-donnees-fictives\.xlsx`},
		{"preset-startups.ndjson", preset("startups.ndjson"), "application/x-ndjson", `portfolio-startups-2026-06-30-donnees-fictives\.ndjson`},
		{"preset-members.csv", preset("members.csv", "active", "true"), "text/csv; charset=utf-8; header=present", `portfolio-members-2026-06-30-donnees-fictives\.csv`},
		{"preset-members.excel-fr.csv", preset("members.csv", "active", "true", "dialect", "excel-fr"), "text/csv; charset=utf-8; header=present", `portfolio-members-2026-06-30-donnees-fictives\.csv`},
		{"preset-members.xlsx", preset("members.xlsx", "active", "true"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `portfolio-members-2026-06-30-donnees-fictives\.xlsx`},
		// Committees of every incubator since March: every decision,
		// budgets, next phases.
		{"preset-committees.csv", committees("committees.csv"), "text/csv; charset=utf-8; header=present", `portfolio-committees-2026-06-30-donnees-fictives\.csv`},
		{"preset-committees.excel-fr.csv", committees("committees.csv", "dialect", "excel-fr"), "text/csv; charset=utf-8; header=present", `portfolio-committees-2026-06-30-donnees-fictives\.csv`},
		{"preset-committees.xlsx", committees("committees.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `portfolio-committees-2026-06-30-donnees-fictives\.xlsx`},
		// The investment of two incubators (FAST grants, committee
		// budgets), and their events since 20 May.
		{"preset-investment.csv", investment("investment.csv"), "text/csv; charset=utf-8; header=present", `portfolio-investment-2026-06-30-donnees-fictives\.csv`},
		{"preset-investment.excel-fr.csv", investment("investment.csv", "dialect", "excel-fr"), "text/csv; charset=utf-8; header=present", `portfolio-investment-2026-06-30-donnees-fictives\.csv`},
		{"preset-investment.xlsx", investment("investment.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `portfolio-investment-2026-06-30-donnees-fictives\.xlsx`},
		{"preset-events.csv", events("events.csv"), "text/csv; charset=utf-8; header=present", `portfolio-events-2026-06-30-donnees-fictives\.csv`},
		{"preset-events.excel-fr.csv", events("events.csv", "dialect", "excel-fr"), "text/csv; charset=utf-8; header=present", `portfolio-events-2026-06-30-donnees-fictives\.csv`},
		{"preset-events.xlsx", events("events.xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", `portfolio-events-2026-06-30-donnees-fictives\.xlsx`},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			resp, body := shared.get(t, tt.path, shared.viewer)
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			cd := resp.Header.Get("Content-Disposition")
			if !regexp.MustCompile(`^attachment; filename="` + tt.filename + `"$`).MatchString(cd) {
				t.Errorf("Content-Disposition %q, want a file named like %s", cd, tt.filename)
			}
			if strings.HasSuffix(tt.golden, ".xlsx") {
				body = dumpXLSX(t, body)
			}
			golden(t, tt.golden, body)
		})
	}
}

// TestEdgesAndNodesGiveTheSameRows checks that edges { node } reads like
// nodes, cursors left out.
func TestEdgesAndNodesGiveTheSameRows(t *testing.T) {
	edges := strings.Replace(startupsQuery, "nodes {", "edges { cursor node {", 1) + " }"
	_, a := shared.get(t, exportURL(startupsQuery), shared.viewer)
	resp, b := shared.get(t, exportURL(edges), shared.viewer)
	if resp.StatusCode != 200 || !bytes.Equal(a, b) {
		t.Errorf("status %d; edges export differs from nodes export:\n%s", resp.StatusCode, lineDiff(string(a), string(b)))
	}
}

// dumpXLSX renders the first sheet as text: its name and frozen panes, then
// one line per row, each cell as TYPE:value (s text, n number, b boolean,
// d date — the value as its number format shows it).
func dumpXLSX(t *testing.T, data []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the XLSX does not open: %v", err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "sheet %s, frozen=%v ySplit=%d topLeft=%s\n", sheet, panes.Freeze, panes.YSplit, panes.TopLeftCell)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for r := range rows {
		var cells []string
		for c := range rows[0] {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			kind, shown := cellKind(t, f, sheet, ref)
			cells = append(cells, kind+":"+shown)
		}
		b.WriteString(strings.Join(cells, "\t") + "\n")
	}
	return b.Bytes()
}

// cellKind returns the type of a cell (s, n, b, d or - for an empty one)
// and its value as shown.
func cellKind(t *testing.T, f *excelize.File, sheet, ref string) (string, string) {
	t.Helper()
	typ, err := f.GetCellType(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := f.GetCellValue(sheet, ref)
	raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
	switch {
	case raw == "":
		return "-", ""
	case typ == excelize.CellTypeBool:
		return "b", shown
	case typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber:
		if isDateStyle(t, f, sheet, ref) {
			return "d", shown
		}
		return "n", raw
	}
	return "s", raw
}

func isDateStyle(t *testing.T, f *excelize.File, sheet, ref string) bool {
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil || id == 0 {
		return false
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st.CustomNumFmt != nil && *st.CustomNumFmt == "dd/mm/yyyy"
}

// TestXLSXCells checks the types of the cells, the bold frozen header and
// the fitted widths.
func TestXLSXCells(t *testing.T) {
	resp, body := shared.get(t, exportURL(startupsQuery, "format", "xlsx"), shared.viewer)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	if sheet != "startups" {
		t.Errorf("sheet %q, want startups", sheet)
	}
	rows, _ := f.GetRows(sheet)
	if len(rows) != 26 {
		t.Fatalf("%d rows, want a header and 25", len(rows))
	}
	col := func(name string) string {
		i := slices.Index(rows[0], name)
		if i < 0 {
			t.Fatalf("no column %s in %q", name, rows[0])
		}
		c, _ := excelize.ColumnNumberToName(i + 1)
		return c
	}
	// The second row's cells, by column: a startup in a phase, with a team.
	for _, tt := range []struct{ column, kind string }{
		{"slug", "s"}, {"currentPhase.start", "d"}, {"teamSize", "n"}, {"committeeOverdue", "s"},
		{"thematiques", "s"}, {"sponsors.slug", "s"},
	} {
		ref := col(tt.column) + "2"
		if kind, shown := cellKind(t, f, sheet, ref); kind != tt.kind {
			t.Errorf("%s (%s) is %s:%q, want type %s", tt.column, ref, kind, shown, tt.kind)
		}
	}
	if v, _ := f.GetCellValue(sheet, col("currentPhase.start")+"2", excelize.Options{RawCellValue: true}); !regexp.MustCompile(`^\d{5}$`).MatchString(v) {
		t.Errorf("the date cell holds %q, want an Excel serial day number", v)
	}
	panes, _ := f.GetPanes(sheet)
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes %+v, want the header row frozen", panes)
	}
	id, _ := f.GetCellStyle(sheet, "A1")
	st, _ := f.GetStyle(id)
	if st == nil || st.Font == nil || !st.Font.Bold {
		t.Errorf("the header is not bold (style %d: %+v)", id, st)
	}
	for i := range rows[0] {
		c, _ := excelize.ColumnNumberToName(i + 1)
		w, _ := f.GetColWidth(sheet, c)
		if w < 8 || w > 60 {
			t.Errorf("column %s (%s) is %.0f wide, want 8 to 60", c, rows[0][i], w)
		}
	}
	if w, _ := f.GetColWidth(sheet, col("team.member.competences")); w <= 20 {
		t.Errorf("the competences column is %.0f wide: not fitted to its content", w)
	}

	// Rows after the first page follow on.
	_, body = shared.get(t, exportURL(`{ members(orderBy: [{field: SLUG}]) { nodes { slug } } }`, "format", "xlsx"), shared.viewer)
	f3, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f3.Close()
	all, _ := f3.GetRows(f3.GetSheetName(0))
	var d struct{ Members struct{ TotalCount int } }
	shared.graphql(t, `{ members { totalCount } }`, &d)
	if len(all) != d.Members.TotalCount+1 {
		t.Errorf("%d rows, want a header and %d", len(all), d.Members.TotalCount)
	}
	for i, r := range all {
		if len(r) != 1 || r[0] == "" || i > 1 && r[0] <= all[i-1][0] {
			t.Fatalf("row %d is %q after %q", i+1, r, all[i-1])
		}
	}

	// Floats are numbers.
	_, body = shared.get(t, exportURL(phaseDurationsQuery, "format", "xlsx"), shared.viewer)
	f2, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f2.Close()
	if kind, v := cellKind(t, f2, f2.GetSheetName(0), "D2"); kind != "n" || !strings.Contains(v, ".") {
		t.Errorf("meanDays is %s:%q, want a number with decimals", kind, v)
	}
}

// TestExcelFRBytes checks the bytes French Excel needs.
func TestExcelFRBytes(t *testing.T) {
	resp, body := shared.get(t, exportURL(phaseDurationsQuery, "format", "csv", "dialect", "excel-fr"), shared.viewer)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if !bytes.HasPrefix(body, []byte("\xEF\xBB\xBFphase;startups;medianDays;meanDays\r\n")) {
		t.Errorf("want a BOM, then the header with ; and CRLF; got %q", body[:min(len(body), 60)])
	}
	lines := strings.Split(strings.TrimPrefix(string(body), "\uFEFF"), "\r\n")
	if lines[len(lines)-1] != "" {
		t.Errorf("the file does not end with CRLF: %q", lines[len(lines)-1])
	}
	lines = lines[1 : len(lines)-1]
	if len(lines) != 8 {
		t.Fatalf("%d rows, want one per phase (8)", len(lines))
	}
	decimals := regexp.MustCompile(`^-?\d+(,\d+)?$`)
	sawComma := false
	for _, l := range lines {
		if strings.Contains(l, "\n") || strings.Contains(l, ".") {
			t.Errorf("row %q has a bare LF or a decimal point", l)
		}
		f := strings.Split(l, ";")
		if len(f) != 4 {
			t.Fatalf("row %q: %d fields, want 4", l, len(f))
		}
		for _, v := range f[2:] {
			if !decimals.MatchString(v) {
				t.Errorf("%q is not a number with a decimal comma", v)
			}
			sawComma = sawComma || strings.Contains(v, ",")
		}
		if strings.Contains(f[1], ",") {
			t.Errorf("an integer column has a comma: %q", f[1])
		}
	}
	if !sawComma {
		t.Error("no decimal comma at all")
	}
}

// TestExcelFRCells checks the cell rules of the excel-fr dialect.
func TestExcelFRCells(t *testing.T) {
	tests := []struct {
		col  export.Column
		in   string
		want string
	}{
		{export.Column{Kind: export.KindFloat}, "12.5", "12,5"},
		{export.Column{Kind: export.KindFloat}, "12", "12"},
		{export.Column{Kind: export.KindFloat}, "1e+21", "1000000000000000000000"},
		{export.Column{Kind: export.KindFloat, List: true}, "1.5|2|0.25", "1,5|2|0,25"},
		{export.Column{Kind: export.KindInt}, "-3", "-3"},
		{export.Column{Kind: export.KindString}, "=1+1", "'=1+1"},
		{export.Column{Kind: export.KindString}, "+33 1 23", "'+33 1 23"},
		{export.Column{Kind: export.KindString}, "@x", "'@x"},
		{export.Column{Kind: export.KindString}, "a=b", "a=b"},
		{export.Column{Kind: export.KindDate}, "2026-01-01", "01/01/2026"},
		{export.Column{Kind: export.KindDate}, "2026-11-26", "26/11/2026"},
		{export.Column{Kind: export.KindDate, List: true}, "2026-01-01|2026-11-26", "01/01/2026|26/11/2026"},
		{export.Column{Kind: export.KindBool}, "true", "Oui"},
		{export.Column{Kind: export.KindBool}, "false", "Non"},
		{export.Column{Kind: export.KindInt}, "450000", "450000"},
		{export.Column{Enum: "Phase"}, "CONSOLIDATION", "En consolidation"},
		{export.Column{Enum: "Decision"}, "UNSPECIFIED", "Non précisé"},
		{export.Column{Enum: "Domain"}, "DEVELOPMENT", "Développement"},
		{export.Column{Enum: "Source"}, "IMPORTED", "Importé"},
		{export.Column{Enum: "MissionStatus", List: true}, "ADMIN||SERVICE,INDEPENDENT", "Agent public||Prestataire,Indépendant"},
		{export.Column{Enum: "Role"}, "ADMIN", "ADMIN"},
		{export.Column{Enum: "Phase"}, "NOT_A_PHASE", "NOT_A_PHASE"},
		{export.Column{Kind: export.KindString}, "CONSOLIDATION", "CONSOLIDATION"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		w, err := export.NewWriter(&b, export.CSV, export.WriterOptions{Dialect: export.ExcelFR})
		if err != nil {
			t.Fatal(err)
		}
		col := tt.col
		col.Name = "a"
		if err := w.WriteHeader([]export.Column{col}); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteRow(export.Row{Cells: []string{tt.in}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		recs, err := readCSV(strings.TrimPrefix(b.String(), "\uFEFF"), ';')
		if err != nil || len(recs) != 2 {
			t.Fatalf("%q: %v %q", tt.in, err, b.String())
		}
		if recs[1][0] != tt.want {
			t.Errorf("%v %q is written %q, want %q", tt.col, tt.in, recs[1][0], tt.want)
		}
	}
}

func readCSV(s string, comma rune) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(s))
	r.Comma = comma
	return r.ReadAll()
}

// TestCSVIsRFC4180 reads the CSV back: CRLF everywhere, the same number of
// fields in every record, quotes where needed.
func TestCSVIsRFC4180(t *testing.T) {
	_, body := shared.get(t, exportURL(startupsQuery), shared.viewer)
	if bytes.HasPrefix(body, []byte("\xEF\xBB\xBF")) {
		t.Error("plain CSV has a BOM")
	}
	for i := range body {
		if body[i] == '\n' && (i == 0 || body[i-1] != '\r') {
			t.Fatalf("a bare LF at byte %d", i)
		}
	}
	recs, err := readCSV(string(body), ',')
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 26 {
		t.Errorf("%d records, want a header and 25", len(recs))
	}
	if !bytes.Contains(body, []byte(`"`)) {
		t.Error("no quoted field: the query has values with commas, they should be quoted")
	}
}
