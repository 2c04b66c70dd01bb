package export

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvWriter writes RFC 4180 CSV, or its excel-fr dialect.
type csvWriter struct {
	w       io.Writer
	csv     *csv.Writer
	dialect Dialect
	cols    []Column
	buf     []string
}

func newCSV(w io.Writer, d Dialect) *csvWriter {
	c := csv.NewWriter(w)
	c.UseCRLF = true
	if d == ExcelFR {
		c.Comma = ';'
	}
	return &csvWriter{w: w, csv: c, dialect: d}
}

func (c *csvWriter) Objects() bool { return false }

func (c *csvWriter) WriteHeader(cols []Column) error {
	c.cols = cols
	if c.dialect == ExcelFR {
		if _, err := io.WriteString(c.w, "\uFEFF"); err != nil {
			return fmt.Errorf("export: write: %w", err)
		}
	}
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Name
	}
	return c.write(names)
}

func (c *csvWriter) WriteRow(r Row) error {
	if c.dialect != ExcelFR {
		return c.write(r.Cells)
	}
	c.buf = c.buf[:0]
	for i, v := range r.Cells {
		c.buf = append(c.buf, excelFR(c.cols[i], v))
	}
	return c.write(c.buf)
}

func (c *csvWriter) write(rec []string) error {
	if err := c.csv.Write(rec); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

func (c *csvWriter) Flush() error {
	c.csv.Flush()
	if err := c.csv.Error(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

func (c *csvWriter) Close() error { return c.Flush() }

func (c *csvWriter) Abort() {}

// excelFR adapts a cell to French Excel: decimal commas in non-integer
// numbers, and text that Excel would read as a formula made text.
func excelFR(col Column, v string) string {
	switch {
	case v == "":
		return v
	case col.Kind == KindFloat && col.List:
		parts := strings.Split(v, "|")
		for i, p := range parts {
			parts[i] = decimalComma(p)
		}
		return strings.Join(parts, "|")
	case col.Kind == KindFloat:
		return decimalComma(v)
	case col.Kind == KindString && strings.ContainsRune("=+-@\t\r", rune(v[0])):
		return "'" + v
	}
	return v
}

// decimalComma writes a number with a decimal comma and no exponent.
func decimalComma(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strings.Replace(strconv.FormatFloat(f, 'f', -1, 64), ".", ",", 1)
}
