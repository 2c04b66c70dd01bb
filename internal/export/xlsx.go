package export

import (
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// MaxXLSXRows is the number of data rows an XLSX sheet holds (Excel's
// 1,048,576 rows less the header).
const MaxXLSXRows = 1_048_575

// XLSXDateFormat is the number format of date cells: French, as the
// excel-fr dialect writes dates.
const XLSXDateFormat = "dd/mm/yyyy"

// Bounds of the fitted column widths, in characters.
const (
	minWidth = 8
	maxWidth = 60
)

// xlsxWriter writes one worksheet through excelize's stream writer, which
// keeps the rows on disk. The rows of the first page are held back until
// its Flush, so that the column widths, which must come before any row,
// fit them.
type xlsxWriter struct {
	out       io.Writer
	f         *excelize.File
	sw        *excelize.StreamWriter
	cols      []Column
	pending   [][]string
	started   bool
	rows      int // data rows taken (written or pending)
	written   int // data rows written
	headStyle int
	dateStyle int
	values    []any
	about     *About // the « À propos » sheet, when not nil
}

func newXLSX(w io.Writer, sheet string) (*xlsxWriter, error) {
	if sheet == "" {
		sheet = "export"
	}
	if len(sheet) > 31 {
		sheet = sheet[:31]
	}
	f := excelize.NewFile()
	x := &xlsxWriter{out: w, f: f}
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	var err error
	if x.headStyle, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err != nil {
		f.Close()
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	dateFormat := XLSXDateFormat
	if x.dateStyle, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFormat}); err != nil {
		f.Close()
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	if x.sw, err = f.NewStreamWriter(sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("export: xlsx: %w", err)
	}
	return x, nil
}

func (x *xlsxWriter) Objects() bool { return false }

// French is true: XLSX files are for people, opened by French offices.
func (x *xlsxWriter) French() bool { return true }

func (x *xlsxWriter) WriteHeader(cols []Column) error {
	x.cols = cols
	x.values = make([]any, len(cols))
	return nil
}

func (x *xlsxWriter) WriteRow(r Row) error {
	if x.rows >= MaxXLSXRows {
		return badRequest("an XLSX sheet holds at most %d rows: export this list as csv", MaxXLSXRows)
	}
	x.rows++
	cells := make([]string, len(r.Cells))
	for i, v := range r.Cells {
		if c := x.cols[i]; c.Kind != KindDate || c.List {
			v = French(c, v) // dates stay ISO until typed
		}
		cells[i] = v
	}
	if !x.started {
		x.pending = append(x.pending, cells)
		return nil
	}
	return x.setRow(cells)
}

// start fits the columns to the header and the pending rows, freezes the
// header and writes it with the pending rows.
func (x *xlsxWriter) start() error {
	x.started = true
	for i, c := range x.cols {
		w := utf8.RuneCountInString(c.Header(true)) + 2 // bold is wider
		for _, r := range x.pending {
			w = max(w, utf8.RuneCountInString(r[i])+1)
		}
		if err := x.sw.SetColWidth(i+1, i+1, float64(min(max(w, minWidth), maxWidth))); err != nil {
			return fmt.Errorf("export: xlsx: %w", err)
		}
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	header := make([]any, len(x.cols))
	for i, c := range x.cols {
		header[i] = excelize.Cell{StyleID: x.headStyle, Value: c.Header(true)}
	}
	if err := x.sw.SetRow("A1", header, excelize.RowOpts{StyleID: x.headStyle}); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	for _, r := range x.pending {
		if err := x.setRow(r); err != nil {
			return err
		}
	}
	x.pending = nil
	return nil
}

func (x *xlsxWriter) setRow(cells []string) error {
	for i, v := range cells {
		x.values[i] = x.cell(x.cols[i], v)
	}
	x.written++
	cell, err := excelize.CoordinatesToCellName(1, x.written+1)
	if err == nil {
		err = x.sw.SetRow(cell, x.values)
	}
	if err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	return nil
}

// cell types a value by its column's kind (v is already French: booleans
// and enum values are text, see French); a value that does not parse as
// its kind stays text.
func (x *xlsxWriter) cell(c Column, v string) any {
	if v == "" {
		return nil
	}
	if c.List {
		return v
	}
	switch c.Kind {
	case KindInt:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case KindFloat:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case KindDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return excelize.Cell{StyleID: x.dateStyle, Value: t}
		}
	}
	return v
}

// Abort removes excelize's temporary files.
func (x *xlsxWriter) Abort() { x.f.Close() }

func (x *xlsxWriter) Flush() error {
	if !x.started {
		return x.start()
	}
	return nil
}

// Close writes the workbook out and removes excelize's temporary files.
func (x *xlsxWriter) Close() error {
	defer x.f.Close()
	if !x.started {
		if err := x.start(); err != nil {
			return err
		}
	}
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if err := x.writeAbout(); err != nil {
		return err
	}
	if _, err := x.f.WriteTo(x.out); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

// writeAbout adds the « À propos » sheet: « Données fictives » first for
// the demo, then each line's label (bold) and value.
func (x *xlsxWriter) writeAbout() error {
	if x.about == nil {
		return nil
	}
	if _, err := x.f.NewSheet(AboutSheet); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	lines := x.about.Lines
	if x.about.Fictitious {
		lines = append([][2]string{{"Données fictives", "Ce réseau de démonstration est inventé : ses startups, leurs historiques et leurs équipes n'existent pas, même quand un nom ressemble à celui d'un service réel."}}, lines...)
	}
	for i, l := range lines {
		row := i + 1
		for c, v := range l {
			cell, err := excelize.CoordinatesToCellName(c+1, row)
			if err != nil {
				return fmt.Errorf("export: xlsx: %w", err)
			}
			if err := x.f.SetCellStr(AboutSheet, cell, v); err != nil {
				return fmt.Errorf("export: xlsx: %w", err)
			}
			if c == 0 {
				if err := x.f.SetCellStyle(AboutSheet, cell, cell, x.headStyle); err != nil {
					return fmt.Errorf("export: xlsx: %w", err)
				}
			}
		}
	}
	if err := x.f.SetColWidth(AboutSheet, "A", "A", 28); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	if err := x.f.SetColWidth(AboutSheet, "B", "B", 90); err != nil {
		return fmt.Errorf("export: xlsx: %w", err)
	}
	return nil
}
