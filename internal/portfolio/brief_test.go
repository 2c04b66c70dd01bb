package portfolio

import (
	"reflect"
	"testing"
)

func TestBriefPeriod(t *testing.T) {
	d := MustDate
	phases := []PhasePeriod{{Phase: PhaseInvestigation, Start: d("2024-01-01")}, {Phase: PhaseConstruction, Start: d("2024-06-01")}}
	held := &Committee{Date: d("2025-03-01"), Decision: DecisionContinue}
	planned := &Committee{Date: d("2025-09-01"), State: CommitteePlanned}
	cancelled := &Committee{Date: d("2025-05-01"), State: CommitteeCancelled}
	for _, tc := range []struct {
		name       string
		phases     []PhasePeriod
		committees []*Committee
		asOf       string
		since      string
		basis      string
		last       int
	}{
		{"since the last committee held", phases, []*Committee{held, cancelled, planned}, "2025-10-01", "2025-03-01", BriefSinceLastCommittee, 0},
		{"a planned or cancelled one is no committee", phases, []*Committee{cancelled, planned}, "2025-10-01", "2024-01-01", BriefSinceIncubationStart, -1},
		{"a committee after asOf is not yet held", phases, []*Committee{held}, "2025-02-28", "2024-01-01", BriefSinceIncubationStart, -1},
		{"the committee's own day counts", phases, []*Committee{held}, "2025-03-01", "2025-03-01", BriefSinceLastCommittee, 0},
		{"incubation not started by asOf", phases, nil, "2023-12-31", "", BriefSinceNone, -1},
		{"nothing dated", nil, nil, "2025-10-01", "", BriefSinceNone, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			since, basis, last := BriefPeriod(tc.phases, tc.committees, d(tc.asOf))
			want := Date(0)
			if tc.since != "" {
				want = d(tc.since)
			}
			if since != want || basis != tc.basis || last != tc.last {
				t.Errorf("BriefPeriod = %v, %s, %d; want %v, %s, %d", since, basis, last, want, tc.basis, tc.last)
			}
		})
	}
}

func TestBriefPhases(t *testing.T) {
	d := MustDate
	phases := []PhasePeriod{{Phase: PhaseInvestigation, Start: d("2024-01-01")}, {Phase: PhaseConstruction, Start: d("2024-06-01")},
		{Phase: PhaseAcceleration, Start: d("2025-06-01")}, {Phase: PhaseConsolidation, Start: d("2026-06-01")}}
	for _, tc := range []struct {
		name        string
		since, asOf Date
		want        []int
	}{
		{"the phase in course on since, then those started up to asOf", d("2024-07-01"), d("2025-12-31"), []int{1, 2}},
		{"a phase starting on since is the one in course", d("2024-06-01"), d("2024-12-31"), []int{1}},
		{"none started after asOf", d("2024-01-01"), d("2026-05-31"), []int{0, 1, 2}},
		{"no since: the phase at asOf", 0, d("2025-07-01"), []int{2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := BriefPhases(phases, tc.since, tc.asOf); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("BriefPhases = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPlannedCommittee(t *testing.T) {
	d := MustDate
	cs := []*Committee{
		{Date: d("2026-10-01"), State: CommitteePlanned},
		{Date: d("2026-09-01"), State: CommitteeCancelled},
		{Date: d("2026-09-15"), State: CommitteePlanned},
		{Date: d("2026-08-01"), State: CommitteePlanned},
		{Date: d("2026-09-10")},
	}
	if got := PlannedCommittee(cs, d("2026-08-20")); got != 2 {
		t.Errorf("PlannedCommittee = %d, want 2 (the earliest planned on or after the day)", got)
	}
	if got := PlannedCommittee(cs, d("2026-10-02")); got != -1 {
		t.Errorf("PlannedCommittee after every plan = %d, want -1", got)
	}
}

func TestBriefChecks(t *testing.T) {
	yes, no := true, false
	for _, tc := range []struct {
		name string
		in   BriefChecksInput
		want []string
	}{
		{"everything", BriefChecksInput{AsOf: MustDate("2026-08-20"), Intrapreneurs: []string{"Anne Martin"}, Sponsors: []string{"DINUM"},
			StatsURL: "https://example.org/stats", SecurityHomologation: &yes},
			[]string{"true Oui : Anne Martin", "true Oui : DINUM", "true Oui : https://example.org/stats", "true Oui : le service est homologué (MonServiceSécurisé)"}},
		{"nothing", BriefChecksInput{AsOf: MustDate("2026-08-20"), SecurityHomologation: &no},
			[]string{"false Non : aucun intrapreneur en mission au 20/08/2026", "false Non : aucun sponsor désigné",
				"false Non : aucune page de statistiques dans la fiche", "false Non : le service n'est pas homologué"}},
		{"a marker left blank", BriefChecksInput{AsOf: MustDate("2026-08-20")},
			[]string{"false Non : aucun intrapreneur en mission au 20/08/2026", "false Non : aucun sponsor désigné",
				"false Non : aucune page de statistiques dans la fiche", "null Non renseigné : la fiche ne dit pas si le service est homologué"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range BriefChecks(tc.in) {
				p := "null"
				if c.Passed != nil {
					p = map[bool]string{true: "true", false: "false"}[*c.Passed]
				}
				got = append(got, p+" "+c.Verdict)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("BriefChecks:\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
