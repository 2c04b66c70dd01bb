package review

import (
	"fmt"
	"html/template"
	"strconv"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// French formats of what the pages show.

// nnbsp is the narrow no-break space that French writes between groups of
// digits and before « : ».
const nnbsp = "\u202f"

// number writes an integer the French way: 1 169, -12 500.
func number(n int) string {
	s := strconv.Itoa(n)
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, nnbsp...)
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// euros writes an amount: 450 000 €.
func euros(n int) string { return number(n) + "\u00a0€" }

// shortDate writes a date as 29/11/2026, or « — » for none.
func shortDate(d portfolio.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.Time().Format("02/01/2006")
}

var months = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// longDate writes a date as 1er janvier 2026, 29 novembre 2026.
func longDate(d portfolio.Date) string {
	if d.IsZero() {
		return "date inconnue"
	}
	t := d.Time()
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, months[t.Month()-1], t.Year())
}

// eventLabel names a kind of event in French, as the exports do (its
// code when unknown).
func eventLabel(name string) string {
	if l, ok := portfolio.EnumLabel("EventKind", name); ok {
		return l
	}
	return name
}

// funcs are the templates' functions.
var funcs = template.FuncMap{
	"number":    number,
	"euros":     euros,
	"shortDate": shortDate,
	"longDate":  longDate,
	"isoDate":   func(d portfolio.Date) string { return d.String() },
	// days is the number of days from b to a.
	"days":     func(a, b portfolio.Date) int { return a.DaysSince(b) },
	"phase":    func(p portfolio.Phase) string { return p.Label() },
	"decision": func(d portfolio.Decision) string { return d.Label() },
	"status":   func(s portfolio.MissionStatus) string { return s.Label() },
	"domain":   func(d portfolio.Domain) string { return d.Label() },
	"event":    eventLabel,
	// args makes a list of a template's arguments, for a template that
	// takes several.
	"args": func(v ...any) []any { return v },
	// The rows of the portfolio page's long tables (rows.go).
	"agendaListRows":          agendaListRows,
	"startupRows":             startupRows,
	"withoutIntrapreneurRows": withoutIntrapreneurRows,
	// yesNo writes what a record says of a marker: « oui », « non », or
	// « non renseigné » when it says nothing.
	"yesNo": func(b *bool) string {
		switch {
		case b == nil:
			return "non renseigné"
		case *b:
			return "oui"
		}
		return "non"
	},
	"add":         func(a, b int) int { return a + b },
	"sub":         func(a, b int) int { return a - b },
	"signed":      signed,
	"statusLabel": statusLabel,
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"plural": func(n int, one, many string) string {
		if n == 1 || n == 0 {
			return one
		}
		return many
	},
}
