package review

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"log/slog"
	"sync"
	"time"

	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// A section is one part of a page, a unit of three things: the GraphQL
// query that answers it (one named operation, run as the caller), the type
// its answer decodes into, and the template that shows it
// ("section-"+ID, in templates/sections.html). A page is a list of
// sections; adding one is writing these three and putting it in the list.
type section struct {
	// ID names the section: the id of its HTML element (an anchor) and,
	// prefixed with "section-", its template.
	ID string
	// Title is its heading.
	Title string
	// Group, when not nil, is the heading the section is under, with the
	// sections next to it of the same group: the section's own heading is
	// then one level lower.
	Group *group
	// Slow marks a section whose query reads the history of the whole
	// selection (a timeline): its query starts first.
	Slow bool
	// Query is its GraphQL document.
	Query string
	// QueryFor, when not nil, writes the document for the page's
	// parameters instead: a query whose fields depend on them (one alias
	// per date of a chart).
	QueryFor func(p *params) string
	// Vars gives the query's variables for the page's parameters.
	Vars func(p *params) map[string]any
	// data returns a new value for the answer's data to decode into: a
	// pointer to the section's type (see newSection).
	data func() any
	// Export, when not nil, returns the address of the XLSX download of
	// the section's list, for the page's parameters, the section's query
	// and its variables.
	Export func(p *params, query string, vars map[string]any) string
}

// group is a heading over sections next to each other (the committee
// agenda's three lists).
type group struct {
	ID, Title string
}

// newSection returns s answering into a *T.
func newSection[T any](s section) *section {
	s.data = func() any { return new(T) }
	return &s
}

// sectionView is a section as a page shows it: its answer, its links, and
// what went wrong.
type sectionView struct {
	*section
	// Page is the page's parameters.
	Page *params
	// Data is the answer's data, decoded: a pointer to the section's type.
	Data any
	// Errors are the answer's errors.
	Errors []export.GraphQLError
	// Failure, when not empty, says in French why the section cannot be
	// shown; its data is then not shown.
	Failure string
	// QueryURL opens the query, with its variables, in the playground.
	QueryURL string
	// ExportURL downloads the section's list ("" when it has none).
	ExportURL string
	// Body is the section's template, executed.
	Body template.HTML
	// rendered is set once Body was made (or the template failed).
	rendered bool
	// GroupFirst and GroupLast mark the first and the last section of a
	// group on the page: the group's heading opens before the first, and
	// closes after the last.
	GroupFirst, GroupLast bool
}

// markGroups marks, among views in the page's order, the first and the
// last section of each group.
func markGroups(views []*sectionView) {
	for i, v := range views {
		if v.Group == nil {
			continue
		}
		v.GroupFirst = i == 0 || views[i-1].Group != v.Group
		v.GroupLast = i == len(views)-1 || views[i+1].Group != v.Group
	}
}

// FullTitle names the section with its group's title: « Agenda des
// comités d'investissement : En retard ».
func (v *sectionView) FullTitle() string {
	if v.Group != nil {
		return v.Group.Title + " : " + v.Title
	}
	return v.Title
}

// StartupName is the name of the startup of a startup's page.
func (v *sectionView) StartupName() string { return v.Page.name }

// Forbidden reports whether the caller was refused a field of that name
// (FORBIDDEN at a path ending with it): the template then says the value
// is for signed-in users, rather than that it is missing.
func (v *sectionView) Forbidden(field string) bool {
	for _, e := range v.Errors {
		if e.Code() != portfolio.EForbidden || len(e.Path) == 0 {
			continue
		}
		if last, ok := e.Path[len(e.Path)-1].(string); ok && last == field {
			return true
		}
	}
	return false
}

// concurrentQueries is how many of a page's queries run at once: the
// machines this serves have a few cores, which other requests share.
const concurrentQueries = 2

// run runs the sections' queries through r, concurrentQueries at a time,
// the slow ones first, and returns their views in the sections' order. The identity in ctx is the
// caller's: each query has the caller's rights. then, when not nil, is
// called with each view as soon as its answer is decoded, beside the next
// queries (the portfolio page renders its sections so).
func run(ctx context.Context, r export.Runner, log *slog.Logger, playground string, p *params, sections []*section, then func(*sectionView)) []*sectionView {
	views := make([]*sectionView, len(sections))
	var wg sync.WaitGroup
	slots := make(chan struct{}, concurrentQueries)
	order := make([]int, 0, len(sections))
	for _, slow := range []bool{true, false} {
		for i, s := range sections {
			if s.Slow == slow {
				order = append(order, i)
			}
		}
	}
	for _, i := range order {
		slots <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			views[i] = runOne(ctx, r, log, playground, p, sections[i])
			<-slots // the next query starts while this section is rendered
			if then != nil {
				then(views[i])
			}
		}()
	}
	wg.Wait()
	return views
}

// runOne runs one section's query and decodes its answer. An answer with
// an error other than FORBIDDEN (which only hides protected values) is a
// failure of the section, as is an answer without data.
func runOne(ctx context.Context, r export.Runner, log *slog.Logger, playground string, p *params, s *section) *sectionView {
	vars := s.Vars(p)
	query := s.Query
	if s.QueryFor != nil {
		query = s.QueryFor(p)
	}
	v := &sectionView{section: s, Page: p, QueryURL: playgroundLink(playground, query, vars)}
	if s.Export != nil {
		v.ExportURL = s.Export(p, query, vars)
	}
	start := time.Now()
	resp, err := r.Run(ctx, export.Query{Query: query, Variables: vars})
	log.DebugContext(ctx, "review section", "section", s.ID, "ms", float64(time.Since(start).Microseconds())/1000)
	if err != nil {
		log.ErrorContext(ctx, "review section", "section", s.ID, "err", err)
		v.Failure = "Le serveur n'a pas répondu à la requête de cette partie."
		return v
	}
	v.Errors = resp.Errors
	for _, e := range resp.Errors {
		if e.Code() != portfolio.EForbidden {
			if e.Code() == "" || e.Code() == portfolio.EInternal {
				log.ErrorContext(ctx, "review section", "section", s.ID, "err", e.String())
			}
			v.Failure = failure(e.Code())
			return v
		}
	}
	if len(bytes.TrimSpace(resp.Data)) == 0 || string(bytes.TrimSpace(resp.Data)) == "null" {
		v.Failure = failure("")
		return v
	}
	data := s.data()
	if err := json.Unmarshal(resp.Data, data); err != nil {
		log.ErrorContext(ctx, "review section", "section", s.ID, "err", fmt.Errorf("decoding the answer: %w", err))
		v.Failure = failure(portfolio.EInternal)
		return v
	}
	v.Data = data
	return v
}

// failure says in French what an error code means for the reader.
func failure(code string) string {
	switch code {
	case portfolio.ETimeout:
		return "La requête de cette partie a pris trop de temps (code TIMEOUT). Réessayez, ou réduisez la sélection."
	case portfolio.EComplexity:
		return "La requête de cette partie dépasse les limites du serveur (code COMPLEXITY_LIMIT)."
	case portfolio.ETooLarge:
		return "La réponse de cette partie dépasse la taille permise par le serveur (code RESPONSE_TOO_LARGE) : réduisez la sélection."
	case portfolio.EUnavailable:
		return "Le serveur est trop occupé pour cette partie (code UNAVAILABLE) : rechargez la page dans un instant."
	case portfolio.EDamaged:
		return "La base de données du serveur est endommagée (code DATABASE_DAMAGED) : prévenez son administrateur."
	case portfolio.EInvalid:
		return "Le serveur refuse la requête de cette partie (code BAD_USER_INPUT) : vérifiez les paramètres de la page."
	case "":
		return "Cette partie n'a pas pu être chargée."
	}
	return fmt.Sprintf("Cette partie n'a pas pu être chargée (code %s).", code)
}
