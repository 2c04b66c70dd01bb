package export

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvWriter writes RFC 4180 CSV, or its excel-fr dialect, which is French
// (see Writer.French): French headers and values. In every
// dialect, a text cell that a spreadsheet would run as a formula (it starts
// with =, +, -, @, a tab or a carriage return) is written with a leading
// apostrophe, as OWASP advises against CSV injection; numbers keep their
// sign. Cells are quoted when they hold the separator, a quote, a carriage
// return or a line feed, and written otherwise byte for byte (a lone
// carriage return is kept, unlike encoding/csv's CRLF mode, which drops it).
type csvWriter struct {
	w       *bufio.Writer
	comma   byte
	dialect Dialect
	cols    []Column
	buf     []string
}

func newCSV(w io.Writer, d Dialect) *csvWriter {
	c := &csvWriter{w: bufio.NewWriterSize(w, 64<<10), comma: ',', dialect: d}
	if d == ExcelFR {
		c.comma = ';'
	}
	return c
}

func (c *csvWriter) Objects() bool { return false }

func (c *csvWriter) French() bool { return c.dialect == ExcelFR }

func (c *csvWriter) WriteHeader(cols []Column) error {
	c.cols = cols
	if c.dialect == ExcelFR {
		if _, err := c.w.WriteString("\uFEFF"); err != nil {
			return fmt.Errorf("export: write: %w", err)
		}
	}
	names := make([]string, len(cols))
	for i, col := range cols {
		names[i] = col.Header(c.French())
	}
	return c.write(names)
}

func (c *csvWriter) WriteRow(r Row) error {
	c.buf = c.buf[:0]
	for i, v := range r.Cells {
		var col Column
		if i < len(c.cols) {
			col = c.cols[i]
		}
		if c.dialect == ExcelFR {
			v = excelFR(col, v)
		}
		c.buf = append(c.buf, defuse(col, v))
	}
	return c.write(c.buf)
}

// write writes one record, CRLF-terminated.
func (c *csvWriter) write(rec []string) error {
	for i, f := range rec {
		if i > 0 {
			c.w.WriteByte(c.comma)
		}
		if !strings.ContainsAny(f, "\"\r\n") && strings.IndexByte(f, c.comma) < 0 {
			c.w.WriteString(f)
			continue
		}
		c.w.WriteByte('"')
		c.w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		c.w.WriteByte('"')
	}
	if _, err := c.w.WriteString("\r\n"); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

func (c *csvWriter) Flush() error {
	if err := c.w.Flush(); err != nil {
		return fmt.Errorf("export: write: %w", err)
	}
	return nil
}

// defuse neutralises a cell that a spreadsheet would take for a formula:
// text starting with =, +, -, @, a tab or a carriage return gets a leading
// apostrophe. A number (an Int or Float column's value) is left as it is.
func defuse(col Column, v string) string {
	if v == "" || !strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return v
	}
	if (col.Kind == KindInt || col.Kind == KindFloat) && !col.List {
		if _, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64); err == nil {
			return v
		}
	}
	return "'" + v
}

func (c *csvWriter) Close() error { return c.Flush() }

func (c *csvWriter) Abort() {}

// excelFR adapts a cell to French Excel: French labels, booleans and
// dates (see French), decimal commas in non-integer numbers.
func excelFR(col Column, v string) string {
	switch {
	case v == "":
		return v
	case col.Enum != "" || col.Kind == KindBool || col.Kind == KindDate:
		return French(col, v)
	case col.Kind == KindFloat && col.List:
		parts := strings.Split(v, "|")
		for i, p := range parts {
			parts[i] = decimalComma(p)
		}
		return strings.Join(parts, "|")
	case col.Kind == KindFloat:
		return decimalComma(v)
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
