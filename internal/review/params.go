package review

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
)

// params are what a page's address selects: the startups (by incubator and
// sponsor), the date of the figures and the start of the charts.
type params struct {
	Incubators []string       // incubator slugs: any of them
	Sponsors   []string       // organisation slugs: any of them
	AsOf       portfolio.Date // the date of the figures
	From       portfolio.Date // the first date of the charts
	slug       string         // the startup of a startup's page
	name       string         // its name
	asOfGiven  bool           // AsOf came from the address (else today, or the records' day)
	fromGiven  bool           // From came from the address (else a default)
	dataset    *datasetView   // what the records are; nil when unknown
	forms      *formsView     // the committee forms' view, on the pages that have them
}

// Forms is the committee forms' view of the page (nil on pages without).
func (p *params) Forms() *formsView { return p.forms }

// paramNames are the parameters a page takes, in the order links write them.
var paramNames = []string{"incubator", "sponsor", "asOf", "from", "enregistre"}

// badParam is an address a page cannot answer: its message, in French,
// says why.
type badParam struct{ msg string }

func (e *badParam) Error() string { return e.msg }

// maxSlugs bounds the incubators or sponsors one address may select.
const maxSlugs = 100

// The dates a page may ask for: the charts have a point a year at most, so
// their number stays small.
var (
	firstDate = portfolio.MustDate("2000-01-01")
	lastDate  = portfolio.MustDate("2099-12-31")
)

// parseParams reads a page's parameters from its query string, with today
// as the default date. An unknown parameter, a date that is not
// YYYY-MM-DD, or from after asOf is a *badParam.
func parseParams(q url.Values, today portfolio.Date) (*params, error) {
	if p := rawtext.Values(q); p != nil {
		return nil, invalidText(p)
	}
	for name := range q {
		if !slices.Contains(paramNames, name) {
			return nil, &badParam{fmt.Sprintf("Le paramètre « %s » est inconnu. Cette page prend : incubator (un incubateur, à répéter pour plusieurs), sponsor (de même), asOf et from (des dates AAAA-MM-JJ).", name)}
		}
	}
	p := &params{AsOf: today}
	var err error
	if p.Incubators, err = slugs(q, "incubator"); err != nil {
		return nil, err
	}
	if p.Sponsors, err = slugs(q, "sponsor"); err != nil {
		return nil, err
	}
	date := func(name string) (portfolio.Date, bool, error) {
		v := strings.TrimSpace(q.Get(name))
		if len(q[name]) > 1 {
			return 0, false, &badParam{fmt.Sprintf("Le paramètre %s est donné %d fois : donnez une seule date.", name, len(q[name]))}
		}
		if v == "" {
			return 0, false, nil
		}
		d, err := portfolio.ParseDate(v)
		if err != nil || len(v) != len("2006-01-02") {
			return 0, false, &badParam{fmt.Sprintf("%s : « %s » n'est pas une date écrite AAAA-MM-JJ (par exemple 2026-01-31).", name, v)}
		}
		return d, true, nil
	}
	var d portfolio.Date
	if d, p.asOfGiven, err = date("asOf"); err != nil {
		return nil, err
	} else if p.asOfGiven {
		p.AsOf = d
	}
	if d, p.fromGiven, err = date("from"); err != nil {
		return nil, err
	} else if p.fromGiven {
		p.From = d
	} else {
		p.From = defaultFrom(p.AsOf)
	}
	for _, d := range []struct {
		name string
		date portfolio.Date
	}{{"asOf", p.AsOf}, {"from", p.From}} {
		if d.date < firstDate || d.date > lastDate {
			return nil, &badParam{fmt.Sprintf("%s (%s) : donnez une date entre le %s et le %s (les fiches du réseau commencent en 2013).", d.name, d.date, shortDate(firstDate), shortDate(lastDate))}
		}
	}
	if p.From > p.AsOf {
		return nil, &badParam{fmt.Sprintf("from (%s) est après asOf (%s) : les graphiques vont de from à asOf.", p.From, p.AsOf)}
	}
	return p, nil
}

// invalidText is an address whose text is not valid UTF-8 (a link cut or
// re-encoded on the way): which parameter, where.
func invalidText(p *rawtext.Problem) *badParam {
	if p.InKey {
		return &badParam{"Le nom d'un paramètre de l'adresse n'est pas du texte valide (UTF-8) : l'adresse a été abîmée en chemin ; recopiez-la."}
	}
	return &badParam{fmt.Sprintf("Le paramètre « %s » n'est pas du texte valide (UTF-8) au caractère %d : l'adresse a été abîmée en chemin ; recopiez-la.", p.Field, p.Pos)}
}

// defaultFrom is where the charts start when the address does not say: the
// first of January five years before asOf.
func defaultFrom(asOf portfolio.Date) portfolio.Date {
	return portfolio.NewDate(asOf.Year()-5, 1, 1)
}

// slugs reads a repeated parameter: its non-empty values, trimmed, each once.
func slugs(q url.Values, name string) ([]string, error) {
	var out []string
	for _, v := range q[name] {
		v = strings.TrimSpace(v)
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	if len(out) > maxSlugs {
		return nil, &badParam{fmt.Sprintf("Le paramètre %s est donné %d fois : %d au plus.", name, len(out), maxSlugs)}
	}
	return out, nil
}

// every is the step of the charts over time: a point a month over three
// years at most, a quarter over fifteen, else a year (at most about sixty
// points).
func (p *params) every() string {
	months := (p.AsOf.Year()-p.From.Year())*12 + int(p.AsOf.Time().Month()-p.From.Time().Month())
	switch {
	case months <= 36:
		return "MONTH"
	case months <= 180:
		return "QUARTER"
	}
	return "YEAR"
}

// everyLabel is the step in French, for captions.
func (p *params) everyLabel() string {
	return map[string]string{"MONTH": "par mois", "QUARTER": "par trimestre", "YEAR": "par an"}[p.every()]
}

// filter is the StartupFilter of the selection (nil for the whole network).
func (p *params) filter() map[string]any {
	f := map[string]any{}
	if len(p.Incubators) > 0 {
		f["incubators"] = p.Incubators
	}
	if len(p.Sponsors) > 0 {
		f["sponsors"] = p.Sponsors
	}
	if len(f) == 0 {
		return nil
	}
	return f
}

// and returns the selection's filter with more conditions.
func (p *params) and(more map[string]any) map[string]any {
	f := p.filter()
	if f == nil {
		return more
	}
	return map[string]any{"and": []any{f, more}}
}

// values returns the parameters as a link writes them: the selection, and
// the dates the address gave (a page without them follows today).
func (p *params) values() url.Values {
	q := url.Values{}
	for _, s := range p.Incubators {
		q.Add("incubator", s)
	}
	for _, s := range p.Sponsors {
		q.Add("sponsor", s)
	}
	if p.asOfGiven {
		q.Set("asOf", p.AsOf.String())
	}
	if p.fromGiven {
		q.Set("from", p.From.String())
	}
	return q
}

// link returns path with the page's parameters, changed by edit when not nil.
func (p *params) link(path string, edit func(q url.Values)) string {
	q := p.values()
	if edit != nil {
		edit(q)
	}
	if len(q) == 0 {
		return path
	}
	return path + "?" + encode(q)
}

// encode writes a query string in paramNames' order, then the rest in
// alphabetical order (url.Values.Encode sorts every key).
func encode(q url.Values) string {
	var b strings.Builder
	add := func(k string) {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
	}
	for _, k := range paramNames {
		add(k)
	}
	var rest []string
	for k := range q {
		if !slices.Contains(paramNames, k) {
			rest = append(rest, k)
		}
	}
	slices.Sort(rest)
	for _, k := range rest {
		add(k)
	}
	return b.String()
}

// presetExport returns the address of a ready-made export of the server
// (startups, members or committees) as XLSX, with its filters.
func presetExport(name string, filters url.Values) string {
	return "/export/" + name + ".xlsx?" + filters.Encode()
}

// presetFilters returns the ready-made exports' filters for the page's
// selection at asOf: incubators, and sponsors when the export takes them.
func (p *params) presetFilters(sponsors bool) url.Values {
	q := url.Values{}
	q.Set("asOf", p.AsOf.String())
	if len(p.Incubators) > 0 {
		q.Set("incubators", strings.Join(p.Incubators, ","))
	}
	if sponsors && len(p.Sponsors) > 0 {
		q.Set("sponsors", strings.Join(p.Sponsors, ","))
	}
	return q
}

// queryExport returns the address of the export of a query's list as
// XLSX: the list at path (dot-separated response keys; "" for the first
// list of the answer).
func queryExport(query string, vars map[string]any, path string) string {
	q := url.Values{}
	q.Set("format", "xlsx")
	q.Set("query", query)
	if len(vars) > 0 {
		b, _ := json.Marshal(vars) // maps of strings, numbers and lists: no error
		q.Set("variables", string(b))
	}
	if path != "" {
		q.Set("path", path)
	}
	return "/export?" + q.Encode()
}

// playgroundLink returns the address of the playground opening query with
// its variables in a tab of its own.
func playgroundLink(playground, query string, vars map[string]any) string {
	q := url.Values{}
	q.Set("query", query)
	if len(vars) > 0 {
		b, _ := json.MarshalIndent(vars, "", "  ") // no error, as above
		q.Set("variables", string(b))
	}
	return playground + "?" + q.Encode()
}

// ShowIncubator reports whether the tables have a column for the startups'
// incubator: not when the selection is one incubator, whose startups they
// all are.
func (p *params) ShowIncubator() bool { return len(p.Incubators) != 1 }

// EveryLabel is the step of the charts in French, for captions.
func (p *params) EveryLabel() string { return p.everyLabel() }

// AsOfValue is the date of the figures as the address gave it ("" for
// today), for the selection form.
func (p *params) AsOfValue() string {
	if !p.asOfGiven {
		return ""
	}
	return p.AsOf.String()
}

// FromValue is the start of the charts as the address gave it ("" for the
// default).
func (p *params) FromValue() string {
	if !p.fromGiven {
		return ""
	}
	return p.From.String()
}

// DefaultFrom is the start of the charts when the address gives none.
func (p *params) DefaultFrom() portfolio.Date { return defaultFrom(p.AsOf) }

// Without returns the address of the portfolio page without one value of
// the selection.
func (p *params) Without(name, value string) string {
	return p.link("/review", func(q url.Values) {
		var keep []string
		for _, v := range q[name] {
			if v != value {
				keep = append(keep, v)
			}
		}
		if len(keep) == 0 {
			q.Del(name)
		} else {
			q[name] = keep
		}
	})
}

// StartupURL returns the address of a startup's page, at the page's date
// and with its selection (for the way back).
func (p *params) StartupURL(slug string) string {
	return p.link("/review/startups/"+url.PathEscape(slug), func(q url.Values) { q.Del("from") })
}

// IncubatorURL returns the address of the portfolio page of one incubator
// at the page's date.
func (p *params) IncubatorURL(slug string) string {
	return p.link("/review", func(q url.Values) {
		q.Del("sponsor")
		q.Del("from")
		q["incubator"] = []string{slug}
	})
}

// chartDates are the dates of the charts over time: from From, a step of
// every() at a time, up to AsOf, which ends them.
func (p *params) chartDates() []portfolio.Date {
	step := map[string]int{"MONTH": 1, "QUARTER": 3, "YEAR": 12}[p.every()]
	var out []portfolio.Date
	for i := 0; ; i++ {
		d := p.From.AddMonths(i * step)
		if d >= p.AsOf {
			break
		}
		out = append(out, d)
	}
	return append(out, p.AsOf)
}
