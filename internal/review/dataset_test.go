package review

import (
	"net/url"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestPageDateFromRecords checks the page's date against its records': an
// address without a date shows records more than a week old at their own
// day (and says so); a date asked more than a week after the records gets
// a warning; fresh records and an empty database change nothing.
func TestPageDateFromRecords(t *testing.T) {
	d := func(s string) portfolio.Date {
		v, err := portfolio.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	today := d("2026-12-06")
	for _, tt := range []struct {
		name, kind, records, asOf string
		wantAsOf                  string
		defaulted                 bool
		stale                     int
	}{
		{"old records, no date", "IMPORTED", "2026-08-20", "", "2026-08-20", true, 0},
		{"old records, today asked", "IMPORTED", "2026-08-20", "2026-12-06", "2026-12-06", false, 108},
		{"old records, their own day asked", "IMPORTED", "2026-08-20", "2026-08-20", "2026-08-20", false, 0},
		{"old records, a past date asked", "IMPORTED", "2026-08-20", "2025-01-01", "2025-01-01", false, 0},
		{"records of a week ago", "SYNCED", "2026-11-29", "", "2026-12-06", false, 0},
		{"records of eight days ago", "SYNCED", "2026-11-28", "", "2026-11-28", true, 0},
		{"the demo", "DEMO", "2026-09-01", "", "2026-09-01", true, 0},
		{"an empty database", "EMPTY", "2026-12-06", "", "2026-12-06", false, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{}
			if tt.asOf != "" {
				q.Set("asOf", tt.asOf)
			}
			p, err := parseParams(q, today)
			if err != nil {
				t.Fatal(err)
			}
			ds := &datasetView{Kind: tt.kind, RecordsAsOf: d(tt.records)}
			ds.atDate(p, today)
			if p.AsOf != d(tt.wantAsOf) || ds.Defaulted != tt.defaulted || ds.Stale != tt.stale {
				t.Errorf("asOf %s defaulted %v stale %d, want %s %v %d", p.AsOf, ds.Defaulted, ds.Stale, tt.wantAsOf, tt.defaulted, tt.stale)
			}
			if tt.defaulted && (ds.TodayURL != "?asOf=2026-12-06" || p.From != defaultFrom(p.AsOf)) {
				t.Errorf("defaulted: link to today %q, charts from %s", ds.TodayURL, p.From)
			}
			if tt.stale > 0 && ds.RecordsURL != "?asOf="+tt.records {
				t.Errorf("stale: link to the records' day %q", ds.RecordsURL)
			}
		})
	}
	var none *datasetView // the records could not be read: the page goes on
	p, _ := parseParams(url.Values{}, today)
	none.atDate(p, today)
	if p.AsOf != today || none.Fictitious() {
		t.Errorf("unknown records: asOf %s", p.AsOf)
	}
}
