package review

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
)

// The French exports of the sections whose list is not one of the
// server's ready-made exports (issue 19 §5): the startups by phase, the
// portfolio over time (a column per phase, numbers in the cells), the
// flows, the review statuses, the committees planned and due, a startup's
// phases and events. Each runs its section's query, as the page does,
// with the caller's rights, and writes the rows the page's table shows:
// French headers and labels, dates and numbers as typed cells, and the
// « À propos » sheet that dates the records (Config.About). The other
// sections export through the server's ready-made exports (startups,
// members, committees, investment), French already.
//
//	GET /review/export/{id}.xlsx?incubator=…&sponsor=…&asOf=…&from=…
//	GET /review/startups/{slug}/export/{id}.xlsx?asOf=…&from=…

// sheet is a section's table as its export writes it.
type sheet struct {
	Name    string // the sheet's (and the file's) name
	Columns []export.Column
	Rows    [][]string
}

// sheetOf is what a section's data gives its export.
type sheetOf interface {
	sheet(p *params) sheet
}

// pagedData is the data of a section whose export reads every page.
type pagedData interface {
	next() (after string, more bool)
}

// exportable sections, by page.
var (
	portfolioExports = []*section{keyFigures, timeline, flows, reviewSummary, committeeAgendaSection}
	startupExports   = []*section{startupPhases, startupEvents}
)

// sectionExport returns the address of a section's French export, at the
// page's date and period.
func sectionExport(p *params, id string) string {
	path := "/review/export/" + id + ".xlsx"
	if p.slug != "" {
		path = "/review/startups/" + url.PathEscape(p.slug) + "/export/" + id + ".xlsx"
	}
	return p.link(path, func(q url.Values) {
		q.Set("asOf", p.AsOf.String())
		q.Set("from", p.From.String())
	})
}

// exportPortfolio serves GET /review/export/{file}.
func (h *handler) exportPortfolio(w http.ResponseWriter, r *http.Request) {
	h.exportSection(w, r, "", portfolioExports)
}

// exportStartup serves GET /review/startups/{slug}/export/{file}.
func (h *handler) exportStartup(w http.ResponseWriter, r *http.Request) {
	h.exportSection(w, r, r.PathValue("slug"), startupExports)
}

func (h *handler) exportSection(w http.ResponseWriter, r *http.Request, slug string, sections []*section) {
	ctx, id, p, ok := h.begin(w, r)
	if !ok {
		return
	}
	if bad := rawtext.String("slug", slug); bad != nil {
		h.errorPage(w, r, id, portfolio.EInvalid, "Adresse incorrecte", "L'adresse n'est pas du texte valide (UTF-8) : recopiez-la.")
		return
	}
	p.slug, p.name = slug, slug
	name, ok := strings.CutSuffix(r.PathValue("file"), ".xlsx")
	var s *section
	for _, x := range sections {
		if ok && x.ID == name {
			s = x
		}
	}
	if s == nil {
		h.errorPage(w, r, id, portfolio.ENotFound, "Export introuvable", "Cette partie de la page n’a pas d’export à cette adresse.")
		return
	}
	var out sheet
	after := ""
	for page := 0; ; page++ {
		// The API's largest page, whatever the page shows.
		run := *s
		run.Vars = func(p *params) map[string]any {
			v := s.Vars(p)
			if _, ok := v["first"]; ok {
				v["first"] = maxRows
			}
			if after != "" {
				v["after"] = after
			}
			return v
		}
		v := runOne(ctx, h.runner, h.cfg.Logger, h.cfg.Playground, p, &run)
		if v.Failure != "" {
			h.errorPage(w, r, id, portfolio.EInternal, "Export impossible", v.Failure)
			return
		}
		sh := v.Data.(sheetOf).sheet(p)
		if page == 0 {
			out = sh
		} else {
			out.Rows = append(out.Rows, sh.Rows...)
		}
		pd, paged := v.Data.(pagedData)
		if !paged {
			break
		}
		var more bool
		if after, more = pd.next(); !more || page >= 100 {
			break
		}
	}
	var about *export.About
	if h.cfg.About != nil {
		about = h.cfg.About(ctx, p.AsOf)
	}
	var buf bytes.Buffer
	xw, err := export.NewWriter(&buf, export.XLSX, export.WriterOptions{Sheet: out.Name, About: about})
	if err == nil {
		err = xw.WriteHeader(out.Columns)
	}
	for _, row := range out.Rows {
		if err != nil {
			break
		}
		err = xw.WriteRow(export.Row{Cells: row})
	}
	if err == nil {
		err = xw.Flush()
	}
	if err == nil {
		err = xw.Close()
	} else if xw != nil {
		xw.Abort()
	}
	if err != nil {
		h.cfg.Logger.ErrorContext(ctx, "review export", "section", s.ID, "err", err)
		h.errorPage(w, r, id, portfolio.EInternal, "Export impossible", "Le fichier n’a pas pu être écrit.")
		return
	}
	file := s.ID
	if slug != "" {
		file = slug + "-" + s.ID
	}
	hd := w.Header()
	hd.Set("Content-Type", export.XLSX.ContentType())
	hd.Set("Content-Disposition", `attachment; filename="`+export.FileName(file, p.AsOf, export.XLSX, about != nil && about.Fictitious)+`"`)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}

// Column helpers.
func textCol(label string) export.Column { return export.Column{Name: label, Label: label} }
func intCol(label string) export.Column {
	return export.Column{Name: label, Label: label, Kind: export.KindInt}
}
func dateCol(label string) export.Column {
	return export.Column{Name: label, Label: label, Kind: export.KindDate}
}

// cellDate writes a date cell ("" for none).
func cellDate(d portfolio.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// ---------------------------------------------------------------- the sheets

func (d *keyFiguresData) sheet(p *params) sheet {
	s := sheet{Name: "Startups par phase", Columns: []export.Column{textCol("Phase"), textCol("En incubation"), intCol("Startups")}}
	for _, c := range d.Portfolio.ByPhase {
		s.Rows = append(s.Rows, []string{c.Phase.Label(), portfolio.YesNo(c.Phase.Active()), strconv.Itoa(c.Count)})
	}
	return s
}

func (d *timelineData) sheet(p *params) sheet {
	s := sheet{Name: "Portefeuille dans le temps", Columns: []export.Column{dateCol("Date")}}
	for _, ph := range portfolio.ActivePhases {
		s.Columns = append(s.Columns, intCol(ph.Label()))
	}
	s.Columns = append(s.Columns, intCol("En incubation"), intCol("Hors incubation"))
	rows := d.Rows()
	for i := len(rows) - 1; i >= 0; i-- { // oldest first, as a sheet reads
		r := rows[i]
		row := []string{r.Date.String()}
		for _, n := range r.Active {
			row = append(row, strconv.Itoa(n))
		}
		s.Rows = append(s.Rows, append(row, strconv.Itoa(r.InIncubation), strconv.Itoa(r.Out)))
	}
	return s
}

func (d *flowsData) sheet(p *params) sheet {
	s := sheet{Name: "Flux par an", Columns: []export.Column{textCol("Période"), dateCol("Début"), dateCol("Fin"),
		intCol("Investigations commencées")}}
	for _, ph := range portfolio.ActivePhases[1:] {
		s.Columns = append(s.Columns, intCol("Passages en "+strings.ToLower(ph.Label())))
	}
	s.Columns = append(s.Columns, intCol("Abandons"), intCol("Transferts"), intCol("Opérées"), intCol("Phases inconnues"),
		intCol("Lancements"), intCol("Impacts nationaux"), intCol("Comités"))
	rows := d.Rows()
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i]
		row := []string{r.Label, r.Start.String(), r.End.String()}
		for _, n := range r.Entered {
			row = append(row, strconv.Itoa(n))
		}
		for _, n := range []int{r.Abandons, r.Transfers, r.Operated, r.Unknown, r.Launches, r.Impacts, r.Committees} {
			row = append(row, strconv.Itoa(n))
		}
		s.Rows = append(s.Rows, row)
	}
	return s
}

func (d *reviewSummaryData) sheet(p *params) sheet {
	s := sheet{Name: "Suivi des comités", Columns: []export.Column{textCol("Suivi des comités"), intCol("Startups en incubation"), textCol("Part")}}
	for _, r := range d.Rows() {
		s.Rows = append(s.Rows, []string{r.Label, strconv.Itoa(r.Count), r.Share})
	}
	return s
}

func (d *committeeAgendaData) sheet(p *params) sheet {
	s := sheet{Name: "Comités prévus et dus", Columns: []export.Column{dateCol("Date"), textCol("Situation"), textCol("Startup"),
		textCol("Incubateur"), textCol("Suivi des comités au " + shortDate(p.AsOf)), dateCol("Prochain comité dû"),
		textCol("Participants attendus"), textCol("Rôles manquants"), textCol("Startup (identifiant)")}}
	for _, e := range d.CommitteeAgenda.Nodes {
		inc := ""
		if e.Startup.Incubator != nil {
			inc = e.Startup.Incubator.Title
		}
		status := e.StatusLabel()
		if status == "" {
			status = "Hors incubation"
		}
		s.Rows = append(s.Rows, []string{e.Date.String(), e.StateLabel(), e.Startup.Name, inc, status, cellDate(e.NextCommitteeDue),
			e.Expected(), e.Missing(), e.Startup.Slug})
	}
	return s
}

func (d *committeeAgendaData) next() (string, bool) {
	return d.CommitteeAgenda.PageInfo.EndCursor, d.CommitteeAgenda.PageInfo.HasNextPage
}

func (d *startupPhasesData) sheet(p *params) sheet {
	s := sheet{Name: "Phases", Columns: []export.Column{textCol("Phase"), dateCol("Début"), dateCol("Fin annoncée"),
		intCol("Durée au " + shortDate(p.AsOf) + " (jours)"), textCol("En cours au " + shortDate(p.AsOf)), textCol("Nom dans la fiche")}}
	for _, r := range d.Rows(p) {
		s.Rows = append(s.Rows, []string{r.Phase.Label(), cellDate(r.Start), cellDate(r.End), strconv.Itoa(r.DurationDays),
			portfolio.YesNo(r.Current), r.SourceName})
	}
	return s
}

func (d *startupEventsData) sheet(p *params) sheet {
	s := sheet{Name: "Événements", Columns: []export.Column{dateCol("Date"), textCol("Événement"), textCol("Commentaire")}}
	for _, e := range d.Events(p) {
		s.Rows = append(s.Rows, []string{cellDate(e.Date), eventLabel(e.Name), e.Comment})
	}
	return s
}
