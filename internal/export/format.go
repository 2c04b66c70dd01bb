package export

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Format is a file format of exports.
type Format string

// The formats.
const (
	CSV    Format = "csv"    // RFC 4180, or the excel-fr dialect
	XLSX   Format = "xlsx"   // an Excel workbook with typed cells
	NDJSON Format = "ndjson" // one JSON object per line
	JSON   Format = "json"   // one JSON array
)

// Formats lists the formats.
var Formats = []Format{CSV, XLSX, NDJSON, JSON}

// ParseFormat returns the format named s (case ignored).
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	return "", badRequest("unknown format %q: want %s", s, formatList())
}

func formatList() string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}

// ContentType returns the media type of the format.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8; header=present"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case NDJSON:
		return "application/x-ndjson"
	case JSON:
		return "application/json"
	}
	return "application/octet-stream"
}

// Dialect is a variant of CSV.
type Dialect string

// The CSV dialects.
const (
	// RFC4180 is plain CSV: ",", CRLF, no byte-order mark.
	RFC4180 Dialect = ""
	// ExcelFR is what French Excel opens on a double-click: a UTF-8
	// byte-order mark, ";", CRLF, decimal commas.
	ExcelFR Dialect = "excel-fr"
)

// ParseDialect returns the dialect named s; "" is RFC 4180.
func ParseDialect(s string) (Dialect, error) {
	switch strings.ToLower(s) {
	case "", "rfc4180":
		return RFC4180, nil
	case string(ExcelFR):
		return ExcelFR, nil
	}
	return "", badRequest("unknown dialect %q: want excel-fr (or none, for RFC 4180 CSV)", s)
}

// Writer writes a table in one format. WriteHeader comes first, then the
// rows; Flush sends what is buffered (after each page); Close ends the
// file, or Abort, after an error, drops it: one of the two must be called.
type Writer interface {
	// WriteHeader starts the file with the columns.
	WriteHeader(cols []Column) error
	// WriteRow writes one row.
	WriteRow(r Row) error
	// Flush writes out what is buffered, and reports a failed write.
	Flush() error
	// Close ends the file (an XLSX file is written out here).
	Close() error
	// Abort releases the writer's resources without ending the file.
	Abort()
	// Objects tells that the writer reads Row.Object rather than Row.Cells.
	Objects() bool
	// French tells that the writer writes for people reading French
	// (excel-fr CSV, XLSX): French headers (Column.Label) and values (see
	// French); the others (RFC 4180 CSV, NDJSON, JSON) keep the machine
	// names and codes, for scripts.
	French() bool
}

// WriterOptions tune NewWriter.
type WriterOptions struct {
	// Dialect is the CSV dialect.
	Dialect Dialect
	// Sheet names the XLSX worksheet; empty gives "export".
	Sheet string
	// About, when not nil, says what the records are: an XLSX file gets
	// an « À propos » sheet of it.
	About *About
}

// About says what an export's records are, for whoever reads the file
// (DESIGN.md, "The records' date"): how old, from where, and whether they
// are the demo's fictitious network.
type About struct {
	// Fictitious marks the synthetic demo network: « Données fictives »
	// heads the sheet and ends the file's name.
	Fictitious bool
	// Lines are its label and value pairs, in French, in order.
	Lines [][2]string
}

// AboutSheet is the name of the XLSX sheet that says what the records are.
const AboutSheet = "À propos"

// NewWriter returns a writer of format f to w.
func NewWriter(w io.Writer, f Format, opts WriterOptions) (Writer, error) {
	if opts.Dialect != RFC4180 && f != CSV {
		return nil, badRequest("dialect %s applies to csv only", opts.Dialect)
	}
	switch f {
	case CSV:
		return newCSV(w, opts.Dialect), nil
	case XLSX:
		x, err := newXLSX(w, opts.Sheet)
		if err == nil {
			x.about = opts.About
		}
		return x, err
	case NDJSON:
		return newJSONWriter(w, false), nil
	case JSON:
		return newJSONWriter(w, true), nil
	}
	return nil, fmt.Errorf("export: unknown format %q", f)
}

// FrenchDate is the layout of dates in excel-fr CSV and XLSX cells
// (26/11/2026): what French Excel reads as a date and shows as it is.
const FrenchDate = "02/01/2006"

// French renders a cell for people reading French: a value of an enum with
// French labels (Column.Enum) by its label, a boolean « Oui » or « Non »,
// a date DD/MM/YYYY; each value of a joined list likewise. Other cells,
// and values it does not know, are returned as they are.
func French(col Column, v string) string {
	if v == "" || col.Enum == "" && col.Kind != KindBool && col.Kind != KindDate {
		return v
	}
	if !col.List {
		return frenchValue(col, v)
	}
	// Lists are joined with "|", and lists within them with ",": enum
	// values, booleans and dates hold neither.
	var b strings.Builder
	start := 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) && v[i] != '|' && v[i] != ',' {
			continue
		}
		b.WriteString(frenchValue(col, v[start:i]))
		if i < len(v) {
			b.WriteByte(v[i])
		}
		start = i + 1
	}
	return b.String()
}

func frenchValue(col Column, v string) string {
	switch {
	case v == "":
	case col.Enum != "":
		if l, ok := portfolio.EnumLabel(col.Enum, v); ok {
			return l
		}
	case col.Kind == KindBool:
		switch v {
		case "true":
			return portfolio.YesNo(true)
		case "false":
			return portfolio.YesNo(false)
		}
	case col.Kind == KindDate:
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t.Format(FrenchDate)
		}
	}
	return v
}
