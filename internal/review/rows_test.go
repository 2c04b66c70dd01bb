package review

import (
	"html/template"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestRowsEscapeAsTemplates holds the rows' escaping to html/template's: the
// same text in an element, in a quoted attribute and in an href must come
// out as the templates would write it.
func TestRowsEscapeAsTemplates(t *testing.T) {
	tmpl := template.Must(template.New("").Parse(`<p title="{{.}}">{{.}}</p><a href="/review/startups/{{.}}">`))
	for _, s := range []string{
		"",
		"plain-slug",
		`<script>alert('x')</script>`,
		`a+b & "c" > d`,
		"nul\x00byte",
		"accentué ’ et espace insécable\u00a0",
		"déjà%20encodé%zz?x=1&y=2#frag",
		"tab\tnew\nline",
	} {
		var want strings.Builder
		if err := tmpl.Execute(&want, s); err != nil {
			t.Fatal(err)
		}
		w := &rowWriter{}
		w.raw(`<p title="`)
		w.text(s)
		w.raw(`">`)
		w.text(s)
		w.raw(`</p><a href="`)
		w.text(normalizeURL("/review/startups/" + s))
		w.raw(`">`)
		if got := string(w.html()); got != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", s, got, want.String())
		}
	}
}

// TestRowsEscapeEveryField writes rows whose every text is hostile and
// checks that none of them comes out as markup.
func TestRowsEscapeEveryField(t *testing.T) {
	const hostile = `<i>"'+&`
	row := startupRow{
		Slug: "slug" + hostile, Name: "name" + hostile,
		Incubator:         &incubatorRef{Slug: "inc", Title: "incubator" + hostile},
		Phase:             portfolio.PhaseConstruction,
		CurrentPhase:      &struct{ Start portfolio.Date }{portfolio.NewDate(2026, 1, 2)},
		TeamSize:          1234,
		LastCommittee:     &committeeRef{Date: portfolio.NewDate(2026, 2, 3), Decision: portfolio.DecisionAdvance},
		NextCommitteeDue:  portfolio.NewDate(2026, 8, 3),
		ReviewStatus:      portfolio.ReviewOverdue,
		PortfolioManagers: []memberRef{{Slug: "m", Fullname: "manager" + hostile}},
		Fast:              &fastRef{Promotion: 3, AmountEuros: 50000},
	}
	p := &params{AsOf: portfolio.NewDate(2026, 8, 20), asOfGiven: true} // every incubator: the column is shown
	for name, rows := range map[string]func(*params, []startupRow) template.HTML{
		"agenda": agendaListRows, "startups": startupRows, "without intrapreneur": withoutIntrapreneurRows,
	} {
		out := string(rows(p, []startupRow{row}))
		if strings.Contains(out, "<i>") || strings.Contains(out, `"'`) {
			t.Errorf("%s: a hostile text came out unescaped:\n%s", name, out)
		}
		for _, want := range []string{
			`data-slug="slug&lt;i&gt;&#34;&#39;&#43;&amp;"`,
			`name&lt;i&gt;&#34;&#39;&#43;&amp;</a>`,
			`incubator&lt;i&gt;&#34;&#39;&#43;&amp;</td>`,
			`manager&lt;i&gt;&#34;&#39;&#43;&amp;</td>`,
			`href="/review/startups/slug%3Ci%3E%22%27&#43;&amp;?asOf=2026-08-20"`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %s in\n%s", name, want, out)
			}
		}
	}
}
