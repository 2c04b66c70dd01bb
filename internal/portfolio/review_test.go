package portfolio

import (
	"slices"
	"strings"
	"testing"
)

func TestAccessibilityOf(t *testing.T) {
	for _, tt := range []struct {
		text string
		want Accessibility
	}{
		{"non conforme", AccessibilityNone},
		{" Partiellement  conforme ", AccessibilityPartial},
		{"TOTALEMENT CONFORME", AccessibilityFull},
		{"totalement conformé", AccessibilityFull}, // accents ignored
		{"conforme", ""},
		{"", ""},
		{"en cours d'audit", ""},
	} {
		got := AccessibilityOf(tt.text)
		switch {
		case tt.want == "" && got != nil:
			t.Errorf("AccessibilityOf(%q) = %s, want nil", tt.text, *got)
		case tt.want != "" && (got == nil || *got != tt.want):
			t.Errorf("AccessibilityOf(%q) = %v, want %s", tt.text, got, tt.want)
		}
	}
	if l := AccessibilityPartial.Label(); l != "Partiellement conforme" {
		t.Errorf("label %q", l)
	}
}

func TestStatsPage(t *testing.T) {
	yes, no := true, false
	for _, tt := range []struct {
		statsURL, link string
		stats          *bool
		want           string
	}{
		{"https://a.fr/statistiques", "https://a.fr", &no, "https://a.fr/statistiques"}, // stats_url first
		{"", "https://a.fr", &yes, "https://a.fr/stats"},
		{"", "https://a.fr/", &yes, "https://a.fr/stats"},
		{"", "https://a.fr/?utm_source=betagouv#x", &yes, "https://a.fr/stats"},
		{"", "https://a.fr", &no, ""},
		{"", "https://a.fr", nil, ""},
		{"", "", &yes, ""},
	} {
		if got := StatsPage(tt.statsURL, tt.link, tt.stats); got != tt.want {
			t.Errorf("StatsPage(%q, %q, %v) = %q, want %q", tt.statsURL, tt.link, tt.stats, got, tt.want)
		}
	}
}

func TestPortfolioManagers(t *testing.T) {
	s := &Startup{IncubatorSlug: "mtes", CoIncubators: []string{"ademe", "mtes"},
		ContactDINUM: []string{"julie.guyot", "lucie.zaccardi"}, ContactIncubator: []string{"julie.guyot", "samuel.goldszmidt"}}
	if got := s.PortfolioManagerSlugs(); !slices.Equal(got, []string{"julie.guyot", "lucie.zaccardi", "samuel.goldszmidt"}) {
		t.Errorf("managers %v", got)
	}
	if got := s.IncubatorSlugs(); !slices.Equal(got, []string{"mtes", "ademe"}) {
		t.Errorf("incubators %v", got)
	}
	if got := (&Startup{}).PortfolioManagerSlugs(); got != nil {
		t.Errorf("no contact: %v", got)
	}
}

func TestFlowPeriods(t *testing.T) {
	d := MustDate
	ps, err := FlowPeriods(d("2024-01-31"), d("2024-05-15"), EveryMonth)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Start.String()+".."+p.End.String())
	}
	want := []string{"2024-01-31..2024-02-28", "2024-02-29..2024-03-30", "2024-03-31..2024-04-29", "2024-04-30..2024-05-15"}
	if !slices.Equal(got, want) {
		t.Errorf("monthly from 31 January: %v, want %v", got, want)
	}
	// Periods tile the range: each starts the day after the last ended.
	for _, every := range []Every{EveryDay, EveryWeek, EveryMonth, EveryQuarter, EveryYear} {
		ps, err := FlowPeriods(d("2020-02-29"), d("2021-01-01"), every)
		if err != nil {
			t.Fatalf("%s: %v", every, err)
		}
		if ps[0].Start != d("2020-02-29") || ps[len(ps)-1].End != d("2021-01-01") {
			t.Errorf("%s: %v..%v", every, ps[0].Start, ps[len(ps)-1].End)
		}
		for i := 1; i < len(ps); i++ {
			if ps[i].Start != ps[i-1].End.AddDays(1) || ps[i].End < ps[i].Start {
				t.Fatalf("%s: period %d %v after %v", every, i, ps[i], ps[i-1])
			}
		}
	}
	for _, tt := range []struct {
		from, to string
		every    Every
		field    string
	}{
		{"2026-01-01", "2025-01-01", EveryYear, "to"},
		{"1990-01-01", "2026-08-20", EveryDay, "every"},  // 13,000 periods
		{"2018-01-01", "2026-01-01", EveryWeek, "every"}, // 418
		{"2018-01-01", "2026-01-01", Every("HOUR"), "every"},
	} {
		_, err := FlowPeriods(d(tt.from), d(tt.to), tt.every)
		e, ok := err.(*Error)
		if !ok || e.Code != EInvalid || e.Field != tt.field {
			t.Errorf("%s..%s every %s: %v, want BAD_USER_INPUT on %s", tt.from, tt.to, tt.every, err, tt.field)
		}
	}
	if ps, err := FlowPeriods(d("2018-01-01"), d("2025-08-31"), EveryWeek); err != nil || len(ps) != 400 {
		t.Errorf("400 weeks: %d periods, %v", len(ps), err)
	}
	dates, err := TimelineDates(d("2026-01-01"), d("2026-01-15"), EveryWeek)
	if err != nil || len(dates) != 3 || dates[2] != d("2026-01-15") {
		t.Errorf("weekly timeline: %v, %v", dates, err)
	}
}

func TestMemberValidateEdit(t *testing.T) {
	ok := Member{Slug: "jean.dupont", Fullname: "Jean Dupont", Domain: DomainData}
	if err := ok.ValidateEdit(); err != nil {
		t.Fatalf("a valid member: %v", err)
	}
	for _, tt := range []struct {
		field string
		edit  func(m *Member)
	}{
		{"slug", func(m *Member) { m.Slug = "Jean Dupont" }},
		{"fullname", func(m *Member) { m.Fullname = " " }},
		{"fullname", func(m *Member) { m.Fullname = strings.Repeat("a", 201) }},
		{"domain", func(m *Member) { m.Domain = "GARDENING" }},
		{"competences", func(m *Member) { m.Competences = []string{"Go", ""} }},
		{"bio", func(m *Member) { m.Bio = "nul\x00" }},
		{"link", func(m *Member) { m.Link = strings.Repeat("l", 2001) }},
	} {
		m := ok
		tt.edit(&m)
		err := m.ValidateEdit()
		if e, isErr := err.(*Error); !isErr || e.Field != tt.field {
			t.Errorf("%s: %v, want an error on %s", tt.field, err, tt.field)
		}
	}
}

func TestReviewStatusAt(t *testing.T) {
	d := MustDate
	phases := []PhasePeriod{{Phase: PhaseInvestigation, Start: d("2024-01-10")}, {Phase: PhaseConstruction, Start: d("2024-06-01")},
		{Phase: PhaseAbandoned, Start: d("2026-01-05")}}
	committees := []*Committee{
		{Slug: "x/2024-05-20", Date: d("2024-05-20")},
		{Slug: "x/2025-06-02", Date: d("2025-06-02"), NextCommitteeDue: d("2025-09-30")},
	}
	for _, tt := range []struct {
		at   string
		want ReviewStatus
		old  bool // the deprecated OverdueAt
	}{
		{"2024-01-09", "", false},                 // not in incubation yet
		{"2024-01-10", ReviewNoneRecorded, false}, // in incubation, no committee
		{"2024-05-19", ReviewNoneRecorded, false},
		{"2024-05-20", ReviewUpToDate, false}, // due 2024-11-19, more than 60 days on
		{"2024-09-19", ReviewUpToDate, false}, // 61 days before
		{"2024-09-20", ReviewDueSoon, false},  // 60 days before
		{"2024-11-19", ReviewDueSoon, false},  // due that day
		{"2024-11-20", ReviewOverdue, true},   // the day after
		{"2025-06-02", ReviewUpToDate, false}, // recorded: 2025-09-30, 120 days on
		{"2025-08-01", ReviewDueSoon, false},  // 60 days before the recorded date
		{"2025-10-01", ReviewOverdue, true},   // the day after the recorded date
		{"2026-01-05", "", false},             // abandoned
	} {
		if got := ReviewStatusAt(phases, committees, d(tt.at)); got != tt.want {
			t.Errorf("at %s: %q, want %q", tt.at, got, tt.want)
		}
		if got := OverdueAt(phases, committees, d(tt.at)); got != tt.old {
			t.Errorf("at %s: OverdueAt %v, want %v", tt.at, got, tt.old)
		}
	}
	// The deprecated rule counts a startup with no committee as late once
	// it has been in incubation for more than 183 days; the status says it
	// has none recorded.
	none := []*Committee{}
	if s := ReviewStatusAt(phases, none, d("2024-07-11")); s != ReviewNoneRecorded || OverdueAt(phases, none, d("2024-07-11")) {
		t.Errorf("183 days in: %q, old rule %v", s, OverdueAt(phases, none, d("2024-07-11")))
	}
	if s := ReviewStatusAt(phases, none, d("2024-07-12")); s != ReviewNoneRecorded || !OverdueAt(phases, none, d("2024-07-12")) {
		t.Errorf("184 days in: %q, old rule %v", s, OverdueAt(phases, none, d("2024-07-12")))
	}
	if got := IncubatedSince(phases); got != d("2024-01-10") {
		t.Errorf("IncubatedSince = %s", got)
	}
	for i, s := range ReviewStatuses {
		if s.Rank() != i || !s.Valid() || s.Label() == "" {
			t.Errorf("%s: rank %d, label %q", s, s.Rank(), s.Label())
		}
	}
	if ReviewStatus("").Rank() != len(ReviewStatuses) {
		t.Error("no status is not last")
	}
}

func TestIntrapreneursAt(t *testing.T) {
	d := MustDate
	domains := map[string]Domain{"ines": DomainIntrapreneur, "paul": DomainDevelopment, "zoe": DomainIntrapreneur}
	domainOf := func(m string) Domain { return domains[m] }
	missions := []Mission{
		{MemberSlug: "paul", Start: d("2024-01-01"), Startups: []string{"a"}},
		{MemberSlug: "ines", Start: d("2024-01-01"), End: d("2024-06-30"), Startups: []string{"b", "a"}},
		{MemberSlug: "zoe", Start: d("2024-06-01"), Startups: []string{"b"}},
		{MemberSlug: "ines", Start: d("2024-09-01"), Startups: []string{"a"}},
	}
	phases := []PhasePeriod{{Phase: PhaseConstruction, Start: d("2023-01-01")}}
	for _, tt := range []struct {
		startup, at string
		want        []string
	}{
		{"a", "2023-12-31", nil},
		{"a", "2024-06-30", []string{"ines"}}, // the mission's last day
		{"a", "2024-07-01", nil},              // a developer alone
		{"a", "2024-09-01", []string{"ines"}}, // her next mission
		{"b", "2024-06-15", []string{"ines", "zoe"}},
		{"c", "2024-06-15", nil},
	} {
		got := IntrapreneursAt(missions, domainOf, tt.startup, d(tt.at))
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s at %s: %v, want %v", tt.startup, tt.at, got, tt.want)
		}
		if w := WithoutIntrapreneurAt(phases, missions, domainOf, tt.startup, d(tt.at)); w != (len(tt.want) == 0) {
			t.Errorf("%s at %s: without %v", tt.startup, tt.at, w)
		}
	}
	if WithoutIntrapreneurAt([]PhasePeriod{{Phase: PhaseAbandoned, Start: d("2020-01-01")}}, nil, domainOf, "a", d("2024-01-01")) {
		t.Error("a startup out of incubation is no alert")
	}
}
