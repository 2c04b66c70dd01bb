package review

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// What a page says of its records (DESIGN.md, "The records' date"): the
// day they describe, from where, and, for the demo, that they are
// fictitious, on every page and in print. A page asked for a date more
// than staleDays after the records says so plainly; a page whose address
// gives no date shows the records' own day when they are that old, rather
// than today's figures of records that cannot know today.

// staleDays is how much older than the page's date the records may be
// before the page says so.
const staleDays = 7

// datasetQuery asks what the page needs to know of the records.
const datasetQuery = `query ReviewDataset { dataset { kind source ref commit committedAt recordsAsOf recordsAsOfBasis lastSyncError } }`

// datasetView is what the pages show of the records.
type datasetView struct {
	Kind          string         `json:"kind"`
	Source        string         `json:"source"`
	Ref           string         `json:"ref"`
	Commit        string         `json:"commit"`
	CommittedAt   string         `json:"committedAt"`
	RecordsAsOf   portfolio.Date `json:"recordsAsOf"`
	Basis         string         `json:"recordsAsOfBasis"`
	LastSyncError string         `json:"lastSyncError"`

	// Set for the page's date (atDate).
	Stale       int    // days between the records and the page's date, when more than staleDays
	Defaulted   bool   // the page shows the records' day because its address gave no date
	TodayURL    string // the page at today, when Defaulted
	RecordsURL  string // the page at the records' day, when Stale
	Today       portfolio.Date
	PageAsOf    portfolio.Date
	ShortCommit string
}

// Fictitious reports whether the records are the demo's invented network.
func (d *datasetView) Fictitious() bool { return d != nil && d.Kind == "DEMO" }

// EmptyMeansRecords reports whether a page asked without a date shows the
// records' day rather than today: they are more than staleDays old.
func (d *datasetView) EmptyMeansRecords() bool {
	return d != nil && !d.Today.IsZero() && d.Today.DaysSince(d.RecordsAsOf) > staleDays
}

// Described says in French what the records are, after « Données du … ».
func (d *datasetView) Described() string {
	switch d.Kind {
	case "DEMO":
		return "réseau de démonstration fictif"
	case "SYNCED":
		s := "fiches du réseau beta.gouv.fr, dépôt suivi"
		if d.ShortCommit != "" {
			s += ", commit " + d.ShortCommit
		}
		return s
	case "IMPORTED":
		if d.Basis == "LOAD_DAY" {
			return "fiches du réseau beta.gouv.fr, date de l'import (les fiches ne portent pas de date)"
		}
		return "fiches du réseau beta.gouv.fr"
	case "MIXED":
		return "fiches réelles et fictives mêlées"
	}
	return "aucune fiche"
}

// dataset reads what the records are, with the caller's context (the
// field is public); nil when it cannot be read: the page goes on without.
func (h *handler) dataset(ctx context.Context) *datasetView {
	if h.cfg.GraphQL == nil {
		return nil // pages without an API (tests of the sign-in form)
	}
	if portfolio.IdentityFrom(ctx) == nil {
		ctx = portfolio.WithIdentity(ctx, portfolio.Anonymous)
	}
	resp, err := h.runner.Run(ctx, export.Query{Query: datasetQuery})
	if err != nil || len(resp.Errors) > 0 {
		h.cfg.Logger.WarnContext(ctx, "review: dataset", "err", err, "errors", fmt.Sprint(resp.Errors))
		return nil
	}
	var data struct{ Dataset *datasetView }
	if err := json.Unmarshal(resp.Data, &data); err != nil || data.Dataset == nil {
		return nil
	}
	d := data.Dataset
	if len(d.Commit) >= 7 {
		d.ShortCommit = d.Commit[:7]
	}
	return d
}

// atDate sets the page's date from the records: when the address gives
// none and the records are more than staleDays old, the records' day
// (said on the page, with a link to today's); then how much older than
// the page's date they are.
func (d *datasetView) atDate(p *params, today portfolio.Date) {
	if d == nil || d.Kind == "EMPTY" || d.RecordsAsOf.IsZero() {
		return
	}
	d.Today = today
	if !p.asOfGiven && today.DaysSince(d.RecordsAsOf) > staleDays && d.RecordsAsOf < today {
		p.AsOf = d.RecordsAsOf
		if !p.fromGiven {
			p.From = defaultFrom(p.AsOf)
		}
		d.Defaulted = true
		d.TodayURL = p.link("", func(q url.Values) { q.Set("asOf", today.String()) })
	}
	d.PageAsOf = p.AsOf
	if n := p.AsOf.DaysSince(d.RecordsAsOf); n > staleDays {
		d.Stale = n
		d.RecordsURL = p.link("", func(q url.Values) { q.Set("asOf", d.RecordsAsOf.String()) })
	}
}
