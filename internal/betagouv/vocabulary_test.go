package betagouv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestOlderVocabulary reads an archive in the shape of the network's
// repository before May 2026 (testdata/old-vocabulary, made for this
// test): _phases defines alumni, success and transfer, and startups end in
// each.
func TestOlderVocabulary(t *testing.T) {
	s := mustRead(t, "testdata/old-vocabulary")
	var got []string
	for _, p := range s.Problems {
		got = append(got, p.String())
	}
	equal(t, "problems", got, []string{
		`_authors/bruno.compost.md: missions: missing; one mission built from the top-level start, end and employer`,
		`_authors/bruno.compost.md: status: missing; "independent" taken from employer "independent/octo"`,
		`_organisations: folder missing; no organisations loaded from it`,
		// A definition of neither vocabulary: its label names the records' phases.
		`_phases/pivot.md: status: "pivot" (« Pivot ») is in neither today's vocabulary nor the older one: no phase definition stored; the records' phases of that name are imported as UNKNOWN`,
		`_startups/arrosoir.md: owner: no organisation matches "Agence de l'eau de pluie"; organisation "agence-de-l-eau-de-pluie" created`,
		`_startups/binette.md: events[0].name: missing; kept as an "other" event, the network's name for events of no listed kind`,
		`_startups/binette.md: events[1].date: missing (skipped)`,
		`_startups/compost.md: phases[1].start: missing; start inferred from previous phase's end (2020-01-30)`,
		`_startups/geotopo.md: events[0]: a name without a date, then a date without a name (events[1]): read as one event, "end" on 2019-09-01`,
		`_startups/geotopo.md: phases[2].start: missing; start taken from the end event (2019-09-01), the day the partnership ended`,
		`_startups/greffe.md: phases[1].name: "hibernation" is in neither today's vocabulary nor the older one, and no _phases definition names it: imported as UNKNOWN, out of incubation`,
		`_startups/motte.md: phases[1]: is the text "construction", not a mapping of fields: read as the phase's name`,
		`_startups/motte.md: phases[1].start: missing; start inferred from previous phase's end (2022-05-31)`,
		`_startups/motte.md: phases[2].name: missing; the phase is imported as UNKNOWN, out of incubation`,
		`_startups/semis.md: owner: no organisation matches "DNUMP"; organisation "dnump" created`,
		`_startups/serfouette.md: phases[2].name: "pivot" (« Pivot »), defined in _phases/pivot.md, is in neither today's vocabulary nor the older one: imported as UNKNOWN, out of incubation`,
		`_startups/tuteur.md: phases[2].start: missing; phase kept without a start: it is listed but never counts as the phase at a date`,
		`_teams: folder missing; no teams loaded from it`,
	})
	equal(t, "counts", s.Counts(), map[string]int{
		"organisations": 2, "incubators": 2, "teams": 0, "startups": 15, "members": 3,
		"missions": 4, "phases": 42, "committees": 5, "events": 10, "phaseDefinitions": 3,
	})
	// The older vocabulary's definitions are not today's: only
	// investigation, construction and acceleration are stored.
	equal(t, "phase definitions", slugs(s.PhaseDefinitions, func(d *portfolio.PhaseDefinition) string { return string(d.Phase) }),
		[]string{"ACCELERATION", "CONSTRUCTION", "INVESTIGATION"})

	m := func(name string, p portfolio.Phase) *portfolio.PhaseMapping {
		for i := range portfolio.PhaseMappings {
			if e := &portfolio.PhaseMappings[i]; e.Name == name && e.Phase == p {
				return e
			}
		}
		t.Fatalf("no mapping %s -> %s", name, p)
		return nil
	}
	equal(t, "vocabulary", s.Vocabulary, []VocabularyUse{
		{Name: "alumni", Label: "Partenariats terminés", Mapping: m("alumni", portfolio.PhaseInvestigationAbandoned), Phase: portfolio.PhaseInvestigationAbandoned, Count: 3},
		{Name: "alumni", Label: "Partenariats terminés", Mapping: m("alumni", portfolio.PhaseAbandoned), Phase: portfolio.PhaseAbandoned, Count: 3},
		{Name: "success", Label: "Pérennisé", Mapping: m("success", portfolio.PhaseTransferred), Phase: portfolio.PhaseTransferred, Count: 3},
		{Name: "transfer", Label: "Transfert", Mapping: m("transfer", portfolio.PhaseConsolidation), Phase: portfolio.PhaseConsolidation, Count: 3},
		{Name: "", Phase: portfolio.PhaseUnknown, Count: 1},
		{Name: "hibernation", Phase: portfolio.PhaseUnknown, Count: 1},
		{Name: "pivot", Label: "Pivot", Phase: portfolio.PhaseUnknown, Count: 1},
	})

	imported := portfolio.SourceImported
	type pp = portfolio.PhasePeriod
	inv, cons, acc := portfolio.PhaseInvestigation, portfolio.PhaseConstruction, portfolio.PhaseAcceleration
	for _, c := range []struct {
		slug   string
		phases []pp
	}{
		{"semis", []pp{
			{Phase: inv, Start: d("2020-01-06"), Source: imported},
			{Phase: portfolio.PhaseInvestigationAbandoned, Start: d("2020-07-01"), Source: imported, SourceName: "alumni"},
		}},
		// Nothing before it: the investigation was abandoned.
		{"bouture", []pp{{Phase: portfolio.PhaseInvestigationAbandoned, Start: d("2019-05-01"), Source: imported, SourceName: "alumni"}}},
		{"rateau", []pp{
			{Phase: inv, Start: d("2018-02-01"), Source: imported},
			{Phase: cons, Start: d("2018-06-01"), Source: imported},
			{Phase: portfolio.PhaseAbandoned, Start: d("2020-02-01"), Source: imported, SourceName: "alumni"},
		}},
		{"arrosoir", []pp{
			{Phase: inv, Start: d("2019-01-07"), Source: imported},
			{Phase: cons, Start: d("2019-05-01"), Source: imported},
			{Phase: acc, Start: d("2020-09-01"), Source: imported},
			{Phase: portfolio.PhaseConsolidation, Start: d("2022-03-01"), Source: imported, SourceName: "transfer", Comment: "L'agence reprend le service."},
		}},
		// "- name: end" then "- date: 2019-09-01": the end event dates
		// the last phase, which the record left without a start.
		{"geotopo", []pp{
			{Phase: inv, Start: d("2015-01-01"), Source: imported},
			{Phase: cons, Start: d("2015-01-01"), Source: imported},
			{Phase: portfolio.PhaseAbandoned, Start: d("2019-09-01"), Source: imported, SourceName: "alumni"},
		}},
		// No date to take: listed, never the phase at a date. The record's
		// capital is kept.
		{"tuteur", []pp{
			{Phase: inv, Start: d("2016-06-01"), Source: imported},
			{Phase: cons, Start: d("2016-09-01"), Source: imported},
			{Phase: portfolio.PhaseTransferred, Source: imported, SourceName: "Success"},
		}},
		{"secateur", []pp{
			{Phase: inv, Start: d("2018-01-08"), Source: imported},
			{Phase: cons, Start: d("2018-06-04"), Source: imported},
			{Phase: acc, Start: d("2019-01-07"), Source: imported},
			{Phase: portfolio.PhaseConsolidation, Start: d("2020-06-01"), Source: imported, SourceName: "transfer"},
			{Phase: portfolio.PhaseTransferred, Start: d("2022-01-03"), Source: imported, SourceName: "success"},
		}},
		// alumni after a transfer: the service was stopped.
		{"arrosage", []pp{
			{Phase: inv, Start: d("2018-09-03"), Source: imported},
			{Phase: cons, Start: d("2019-02-04"), Source: imported},
			{Phase: portfolio.PhaseConsolidation, Start: d("2021-01-04"), Source: imported, SourceName: "transfer"},
			{Phase: portfolio.PhaseAbandoned, Start: d("2022-06-01"), Source: imported, SourceName: "alumni"},
		}},
		{"serfouette", []pp{
			{Phase: inv, Start: d("2020-03-02"), Source: imported},
			{Phase: cons, Start: d("2020-09-01"), Source: imported},
			{Phase: portfolio.PhaseUnknown, Start: d("2021-05-03"), Source: imported, SourceName: "pivot"},
		}},
		{"motte", []pp{
			{Phase: inv, Start: d("2022-02-01"), End: d("2022-05-31"), Source: imported},
			{Phase: cons, Start: d("2022-05-31"), Source: imported},
			{Phase: portfolio.PhaseUnknown, Start: d("2023-01-10"), Source: imported},
		}},
	} {
		equal(t, c.slug+" phases", startup(t, s, c.slug).Phases, c.phases)
	}
	equal(t, "geotopo events", startup(t, s, "geotopo").Events, []portfolio.StartupEvent{{Name: "end", Date: d("2019-09-01")}})
	equal(t, "binette events", startup(t, s, "binette").Events, []portfolio.StartupEvent{{Name: "other", Date: d("2022-05-02"), Comment: "Premier atelier avec les jardiniers."}})

	// Phase at a date and active, as the records say.
	for _, c := range []struct {
		slug, date string
		want       portfolio.Phase
	}{
		{"semis", "2020-06-30", inv}, {"semis", "2020-07-01", portfolio.PhaseInvestigationAbandoned},
		{"rateau", "2022-01-01", portfolio.PhaseAbandoned},
		{"brouette", "2021-05-31", acc}, {"brouette", "2021-06-01", portfolio.PhaseTransferred},
		{"arrosoir", "2023-01-01", portfolio.PhaseConsolidation},
		{"geotopo", "2019-08-31", cons}, {"geotopo", "2019-09-01", portfolio.PhaseAbandoned},
		{"tuteur", "2023-01-01", cons},
		{"greffe", "2022-06-01", portfolio.PhaseUnknown},
		{"secateur", "2021-01-01", portfolio.PhaseConsolidation}, {"secateur", "2022-01-03", portfolio.PhaseTransferred},
	} {
		st := startup(t, s, c.slug)
		i := portfolio.PhaseAt(st.Phases, d(c.date))
		if i < 0 || st.Phases[i].Phase != c.want {
			t.Errorf("%s at %s: phase %d of %v, want %s", c.slug, c.date, i, st.Phases, c.want)
		}
		if active := portfolio.ActiveAt(st.Phases, d(c.date)); active != c.want.Active() {
			t.Errorf("%s at %s: active %v, want %v", c.slug, c.date, active, c.want.Active())
		}
	}
}

// TestNoPhaseDropped: the phase count of a read equals the number of phase
// entries in the files, counted here with a YAML reader of its own. It
// reads testdata/old-vocabulary, and the archive named by
// PORTFOLIO_OLD_SNAPSHOT when it is set (a content folder of the network's
// repository before May 2026).
func TestNoPhaseDropped(t *testing.T) {
	dirs := []string{"testdata/old-vocabulary/content"}
	if dir := os.Getenv("PORTFOLIO_OLD_SNAPSHOT"); dir != "" {
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			files, err := filepath.Glob(filepath.Join(dir, "_startups", "*.md"))
			if err != nil || len(files) == 0 {
				t.Fatalf("no startups in %s: %v", dir, err)
			}
			entries := 0
			for _, f := range files {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				parts := bytes.SplitN(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), []byte("\n---"), 2)
				var rec struct {
					Phases []any `yaml:"phases"`
				}
				if err := yaml.UnmarshalWithOptions(bytes.TrimPrefix(parts[0], []byte("---\n")), &rec, yaml.AllowDuplicateMapKey()); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				for _, p := range rec.Phases {
					if p != nil {
						entries++
					}
				}
			}
			s := mustRead(t, dir)
			if got := s.Counts()["phases"]; got != entries {
				t.Errorf("%s: %d phases read, %d phase entries in the files", dir, got, entries)
			}
			for _, p := range s.Problems {
				if p.Skipped && strings.HasPrefix(p.Field, "phases") {
					t.Errorf("a phase skipped: %s", p)
				}
			}
		})
	}
}
