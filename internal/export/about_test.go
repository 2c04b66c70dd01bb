package export_test

import (
	"bytes"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestAboutSheet checks that an XLSX export says what its records are in
// an « À propos » sheet, « Données fictives » first for the demo, and that
// the demo's file names say so too.
func TestAboutSheet(t *testing.T) {
	for _, fictitious := range []bool{false, true} {
		var b bytes.Buffer
		about := &export.About{Fictitious: fictitious, Lines: [][2]string{{"Fiches à jour au", "20/08/2026"}, {"Source", "/data/content"}}}
		w, err := export.NewWriter(&b, export.XLSX, export.WriterOptions{Sheet: "Startups", About: about})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.WriteHeader([]export.Column{{Name: "slug", Label: "Startup"}}); err != nil {
			t.Fatal(err)
		}
		if err := w.WriteRow(export.Row{Cells: []string{"a"}}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.GetSheetList(); len(got) != 2 || got[0] != "Startups" || got[1] != export.AboutSheet {
			t.Fatalf("sheets %q, want the list then %q", got, export.AboutSheet)
		}
		rows, err := f.GetRows(export.AboutSheet)
		if err != nil {
			t.Fatal(err)
		}
		want := [][]string{{"Fiches à jour au", "20/08/2026"}, {"Source", "/data/content"}}
		if fictitious {
			if len(rows) == 0 || rows[0][0] != "Données fictives" {
				t.Fatalf("demo: the sheet starts with %q, want « Données fictives »", rows)
			}
			rows = rows[1:]
		}
		if len(rows) != len(want) || rows[0][0] != want[0][0] || rows[1][1] != want[1][1] {
			t.Errorf("fictitious %v: rows %q, want %q", fictitious, rows, want)
		}
		f.Close()
	}
	day, _ := portfolio.ParseDate("2026-12-06")
	if got := export.FileName("startups", day, export.CSV, true); got != "portfolio-startups-2026-12-06-donnees-fictives.csv" {
		t.Errorf("demo file name %q", got)
	}
	if got := export.FileName("startups", day, export.CSV, false); got != "portfolio-startups-2026-12-06.csv" {
		t.Errorf("file name %q", got)
	}
}
