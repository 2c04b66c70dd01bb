package review_test

import (
	"bytes"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// technicalHeader matches a header written for scripts rather than
// people: dotted response keys (byPhase.phase), snake_case or camelCase
// names, a lone code.
var technicalHeader = regexp.MustCompile(`^[a-z]+([._][a-z]+|[A-Z][a-z]+)+$|^(slug|count|name|date|phase)$`)

// checkFrenchSheet checks that an export of a review page is ready-made
// for people: French headers, no list flattened into one cell
// (« 48|51|25|10 »), and the « À propos » sheet that dates the records.
func checkFrenchSheet(t *testing.T, section string, body []byte) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		t.Errorf("export %s: %v", section, err)
		return
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if !slices.Contains(sheets, "À propos") {
		t.Errorf("export %s: sheets %q, no « À propos »", section, sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil || len(rows) == 0 {
		t.Errorf("export %s: no rows (%v)", section, err)
		return
	}
	for _, h := range rows[0] {
		if technicalHeader.MatchString(h) {
			t.Errorf("export %s: technical header %q in %q", section, h, rows[0])
		}
	}
	for _, r := range rows[1:] {
		for _, c := range r {
			if regexp.MustCompile(`^\d+(\|\d+)+$`).MatchString(c) {
				t.Errorf("export %s: a list in a cell: %q", section, c)
			}
		}
	}
}

// TestTimelineExport: the portfolio over time, a column per phase of
// incubation, numbers in the cells, oldest first, as the page's table.
func TestTimelineExport(t *testing.T) {
	resp, body := do(t, http.MethodGet, shared.public+"/review/export/evolution.xlsx?asOf="+asOf+"&from=2025-01-01", nil, caller{header: shared.viewer}, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, shorten(body))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "evolution") || !strings.Contains(cd, ".xlsx") {
		t.Errorf("Content-Disposition %q", cd)
	}
	f, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(f.GetSheetList()[0])
	want := []string{"Date", "Investigation", "Construction", "Accélération", "En consolidation", "En incubation", "Hors incubation"}
	if !slices.Equal(rows[0], want) {
		t.Errorf("headers %q, want %q", rows[0], want)
	}
	if len(rows) != 20 || rows[1][0] != "01/01/2025" || rows[len(rows)-1][0] != "01/07/2026" {
		t.Errorf("%d rows, from %q to %q; want 19 months from 01/01/2025 to 01/07/2026", len(rows)-1, rows[1][0], rows[len(rows)-1][0])
	}
	cell, _ := f.GetCellType(f.GetSheetList()[0], "C2")
	if cell != excelize.CellTypeNumber && cell != excelize.CellTypeUnset {
		t.Errorf("C2 is of type %v, want a number", cell)
	}
	for _, r := range rows[1:] {
		sum := 0
		for _, c := range r[1:5] {
			sum += atoi(c)
		}
		if sum != atoi(r[5]) {
			t.Errorf("%s: phases sum to %d, « En incubation » says %s", r[0], sum, r[5])
		}
	}
	page(t, shared.public, "/review/export/inconnue.xlsx", anonymous, http.StatusNotFound)
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n = n*10 + int(r-'0')
		}
	}
	return n
}
