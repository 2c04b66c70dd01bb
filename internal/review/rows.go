package review

import (
	"html/template"
	"net/url"
	"strconv"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The rows of the portfolio page's long tables (the startups, the three
// lists of the agenda and the startups without an intrapreneur) are
// written here rather than by the templates. Each table shows up to
// maxRows rows, and html/template spends about 25 µs on each (reflection
// for every field, method and escaper): at 100 times the network, the
// page's 4,400 rows were a quarter of its CPU. The tables' heads and
// texts stay in sections.html.
//
// The rows escape as html/template does in the same places (htmlEscape,
// startupURLs), so that the page is byte for byte what the templates
// wrote; rows_test.go holds the escaping to html/template's.

// rowWriter appends a table's rows.
type rowWriter struct{ b []byte }

// raw appends s as it is: the rows' own markup.
func (w *rowWriter) raw(s string) { w.b = append(w.b, s...) }

// text appends s escaped for an element's text or a quoted attribute.
func (w *rowWriter) text(s string) { w.b = htmlEscape(w.b, s) }

// int appends n.
func (w *rowWriter) int(n int) { w.b = strconv.AppendInt(w.b, int64(n), 10) }

// date appends d as 2026-11-29, nothing for none.
func (w *rowWriter) isoDate(d portfolio.Date) { w.b = append(w.b, d.String()...) }

// html returns the rows written.
func (w *rowWriter) html() template.HTML { return template.HTML(w.b) }

// htmlEscape appends s to b with the characters html/template escapes in
// text and quoted attributes replaced: & < > " ' + and NUL.
func htmlEscape(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case 0:
			rep = "\uFFFD"
		case '"':
			rep = "&#34;"
		case '&':
			rep = "&amp;"
		case '\'':
			rep = "&#39;"
		case '+':
			rep = "&#43;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		default:
			continue
		}
		b = append(b, s[last:i]...)
		b = append(b, rep...)
		last = i + 1
	}
	return append(b, s[last:]...)
}

// startupURLs returns the address of a startup's page at the page's
// parameters, as params.StartupURL does, with the query made once for a
// whole table, and normalised as html/template normalises an href.
func (p *params) startupURLs() func(slug string) string {
	query := p.link("", func(q url.Values) { q.Del("from") })
	return func(slug string) string {
		return normalizeURL("/review/startups/" + url.PathEscape(slug) + query)
	}
}

// normalizeURL percent-encodes the bytes of s that a URL may not hold, as
// html/template does with an address in an href (existing escapes kept).
func normalizeURL(s string) string {
	var b []byte
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		}
		switch c {
		case '!', '#', '$', '&', '*', '+', ',', '/', ':', ';', '=', '?', '@', '[', ']', '-', '.', '_', '~':
			continue
		case '%':
			if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				continue
			}
		}
		b = append(b, s[written:i]...)
		b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		written = i + 1
	}
	if b == nil {
		return s
	}
	return string(append(b, s[written:]...))
}

const hexDigits = "0123456789abcdef"

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// rowStart writes a row's opening, its startup's name linked to its page,
// and the incubator's cell when the table has one (class: the cell's).
func (w *rowWriter) rowStart(p *params, urlOf func(string) string, r *startupRow, incubatorClass string) {
	w.raw("\n        <tr data-slug=\"")
	w.text(r.Slug)
	w.raw("\">\n          <th scope=\"row\"><a href=\"")
	w.text(urlOf(r.Slug))
	w.raw("\">")
	w.text(r.Name)
	w.raw("</a></th>")
	if p.ShowIncubator() {
		w.raw("\n          <td")
		w.raw(incubatorClass)
		w.raw(">")
		if r.Incubator != nil {
			w.text(r.Incubator.Title)
		}
		w.raw("</td>")
	}
}

// phaseCell writes the phase and since when (before: what precedes the
// date, its class and wording differing between tables).
func (w *rowWriter) phaseCell(r *startupRow, before string) {
	w.raw("\n          <td data-value=\"")
	w.int(r.Phase.Rank())
	w.raw("\">")
	w.text(r.Phase.Label())
	if r.CurrentPhase != nil {
		w.raw(before)
		w.text(shortDate(r.CurrentPhase.Start))
		w.raw("</span>")
	}
	w.raw("</td>")
}

// teamCell writes the team's size.
func (w *rowWriter) teamCell(r *startupRow) {
	w.raw("\n          <td class=\"review-num\" data-value=\"")
	w.int(r.TeamSize)
	w.raw("\">")
	w.text(number(r.TeamSize))
	w.raw("</td>")
}

// managersCell writes the portfolio managers' names, « — » for none.
func (w *rowWriter) managersCell(r *startupRow) {
	w.raw("\n          <td data-managers>")
	if m := r.Managers(); m != "" {
		w.text(m)
	} else {
		w.raw("—")
	}
	w.raw("</td>")
}

// lastCommittee writes the last committee's date and decision, « jamais »
// for none.
func (w *rowWriter) lastCommittee(r *startupRow) {
	w.raw("\n          \n")
	if c := r.LastCommittee; c != nil {
		w.raw("<td data-value=\"")
		w.isoDate(c.Date)
		w.raw("\">")
		w.text(shortDate(c.Date))
		w.raw(" <span class=\"review-decision\">")
		w.text(c.Decision.Label())
		w.raw("</span></td>")
		return
	}
	w.raw("<td data-value=\"\">jamais</td>")
}

// badge writes the review status's badge.
func (w *rowWriter) badge(r *startupRow, label string) {
	w.raw("<span class=\"fr-badge fr-badge--sm fr-badge--no-icon ")
	w.text(r.StatusBadge())
	w.raw("\">")
	w.text(label)
	w.raw("</span>")
}

// statusOpen writes the review status cell's opening.
func (w *rowWriter) statusOpen(r *startupRow) {
	w.raw("<td data-value=\"")
	w.int(r.StatusRank())
	w.raw("\" data-review-status=\"")
	w.text(string(r.ReviewStatus))
	w.raw("\"")
}

// incubatedSince writes since when a startup with no committee on record
// has been in incubation, when known.
func (w *rowWriter) incubatedSince(r *startupRow) {
	w.raw(" <span class=\"review-since\">(en incubation depuis le ")
	w.text(shortDate(r.IncubatedSince))
	w.raw(")</span>")
}

// agendaListRows writes the rows of the agenda's lists: overdue, due soon,
// none recorded (the template "agenda-table").
func agendaListRows(p *params, rows []startupRow) template.HTML {
	w := &rowWriter{b: make([]byte, 0, 700*len(rows))}
	urlOf := p.startupURLs()
	for i := range rows {
		r := &rows[i]
		w.rowStart(p, urlOf, r, "")
		w.phaseCell(r, " <span class=\"review-since\">depuis le ")
		w.managersCell(r)
		w.lastCommittee(r)
		// The next committee due.
		w.raw("\n          <td data-value=\"")
		w.isoDate(r.NextCommitteeDue)
		w.raw("\" data-due=\"")
		w.isoDate(r.NextCommitteeDue)
		w.raw("\">")
		w.text(shortDate(r.NextCommitteeDue))
		w.raw("</td>")
		// The review status.
		w.raw("\n          ")
		w.statusOpen(r)
		w.raw(">")
		if label := r.StatusLabel(); label != "" {
			w.badge(r, label)
			if r.NoneRecorded() && !r.IncubatedSince.IsZero() {
				w.incubatedSince(r)
			}
		} else {
			w.raw("—")
		}
		w.raw("</td>\n        </tr>")
	}
	return w.html()
}

// startupRows writes the rows of the startup table (section-startups).
func startupRows(p *params, rows []startupRow) template.HTML {
	w := &rowWriter{b: make([]byte, 0, 1400*len(rows))}
	urlOf := p.startupURLs()
	for i := range rows {
		r := &rows[i]
		w.rowStart(p, urlOf, r, " class=\"review-incubator\"")
		w.phaseCell(r, "<span class=\"review-since review-print-only\"> depuis le ")
		// Since when, on screen.
		w.raw("\n          <td data-value=\"")
		if r.CurrentPhase != nil {
			w.isoDate(r.CurrentPhase.Start)
		}
		w.raw("\" class=\"review-screen-only\">")
		if r.CurrentPhase != nil {
			w.text(shortDate(r.CurrentPhase.Start))
		} else {
			w.raw("—")
		}
		w.raw("</td>")
		w.teamCell(r)
		w.lastCommittee(r)
		// The review status and the next committee due.
		w.raw("\n          ")
		w.statusOpen(r)
		w.raw(" data-due=\"")
		w.isoDate(r.NextCommitteeDue)
		w.raw("\">")
		if label := r.StatusLabel(); label != "" {
			w.badge(r, label)
			switch {
			case !r.NextCommitteeDue.IsZero():
				w.raw(" <span class=\"review-since\">dû le ")
				w.text(shortDate(r.NextCommitteeDue))
				w.raw("</span>")
			case r.NoneRecorded() && !r.IncubatedSince.IsZero():
				w.incubatedSince(r)
			}
		} else {
			w.raw("—")
		}
		w.raw("</td>")
		w.managersCell(r)
		// The FAST grant.
		w.raw("\n          <td class=\"review-num\" data-value=\"")
		if r.Fast != nil {
			w.int(r.Fast.AmountEuros)
		}
		w.raw("\" data-fast=\"")
		if r.Fast != nil {
			w.int(r.Fast.AmountEuros)
		}
		w.raw("\">")
		if r.Fast != nil {
			w.text(euros(r.Fast.AmountEuros))
			w.raw(" <span class=\"review-since\">promo ")
			w.int(r.Fast.Promotion)
			w.raw("</span>")
		} else {
			w.raw("—")
		}
		w.raw("</td>")
		// The quality markers.
		markers := r.Markers()
		w.raw("\n          <td data-value=\"")
		w.int(len(markers))
		w.raw("\" data-markers=\"")
		w.int(len(markers))
		w.raw("\">")
		if len(markers) > 0 {
			w.raw("<ul class=\"review-markers\">")
			for _, m := range markers {
				w.raw("<li title=\"")
				w.text(m.Long)
				w.raw("\">")
				w.text(m.Short)
				w.raw("</li>")
			}
			w.raw("</ul>")
		} else {
			w.raw("—")
		}
		w.raw("</td>\n        </tr>")
	}
	return w.html()
}

// withoutIntrapreneurRows writes the rows of the startups without an
// intrapreneur (section-sans-intrapreneur).
func withoutIntrapreneurRows(p *params, rows []startupRow) template.HTML {
	w := &rowWriter{b: make([]byte, 0, 600*len(rows))}
	urlOf := p.startupURLs()
	for i := range rows {
		r := &rows[i]
		w.rowStart(p, urlOf, r, "")
		w.phaseCell(r, " <span class=\"review-since\">depuis le ")
		w.teamCell(r)
		w.managersCell(r)
		w.raw("\n          <td data-value=\"")
		w.isoDate(r.IncubatedSince)
		w.raw("\">")
		w.text(shortDate(r.IncubatedSince))
		w.raw("</td>\n        </tr>")
	}
	return w.html()
}
