package betagouv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

var d = portfolio.MustDate

func mustRead(t *testing.T, dir string) *Snapshot {
	t.Helper()
	s, err := Read(context.Background(), dir, Options{})
	if err != nil {
		t.Fatalf("Read(%s): %v", dir, err)
	}
	return s
}

func bySlug[T any](t *testing.T, list []T, slug string, get func(*T) string) *T {
	t.Helper()
	for i := range list {
		if get(&list[i]) == slug {
			return &list[i]
		}
	}
	t.Fatalf("%q not found", slug)
	return nil
}

func startup(t *testing.T, s *Snapshot, slug string) *portfolio.Startup {
	t.Helper()
	return bySlug(t, s.Startups, slug, func(x *portfolio.Startup) string { return x.Slug })
}

func member(t *testing.T, s *Snapshot, slug string) *portfolio.Member {
	t.Helper()
	return bySlug(t, s.Members, slug, func(x *portfolio.Member) string { return x.Slug })
}

func slugs[T any](list []T, get func(*T) string) []string {
	out := []string{}
	for i := range list {
		out = append(out, get(&list[i]))
	}
	return out
}

func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %#v\nwant %#v", what, got, want)
	}
}

func committee(slug, startup, date, comment string) portfolio.Committee {
	dec, next := portfolio.ClassifyCommittee(comment)
	return portfolio.Committee{
		Slug: slug, StartupSlug: startup, Date: d(date), Decision: dec, NextPhase: next,
		Comment: comment, Source: portfolio.SourceImported,
	}
}

func TestRead(t *testing.T) {
	imported := portfolio.SourceImported
	tests := []struct {
		name     string
		dir      string
		counts   map[string]int
		problems []string
		check    func(t *testing.T, s *Snapshot)
	}{
		{
			name: "current shape, repository root",
			dir:  "testdata/current",
			counts: map[string]int{
				"organisations": 2, "incubators": 2, "teams": 2, "startups": 2, "members": 3,
				"missions": 4, "phases": 5, "committees": 2, "events": 4, "phaseDefinitions": 2,
			},
			problems: []string{
				`_authors/ana.jardin.md: missions[1].start: missing (skipped)`,
				`_authors/ana.jardin.md: missions[2].startups: unknown startup "rateau"; reference dropped`,
				`_authors/ana.jardin.md: missions[2].status: unknown status "freelance"; left empty`,
				`_authors/ana.jardin.md: teams: unknown team "cave-animation"; reference dropped`,
				`_authors/bruno.compost.md: domaine: unknown domain "Jardinage"; Autre (OTHER) used`,
				`_authors/bruno.compost.md: missions[0].end: 2023-12-31 is before the start 2024-01-01: kept, so the mission never covers a date`,
				`_authors/chloe.graine.md: domaine: missing; Autre (OTHER) used`,
				`_authors/chloe.graine.md: missions[0].end: "2025-13-01" is not a date (want YYYY-MM-DD): ignored, so the mission reads as open-ended`,
				`_incubators/verger.md: owner: unknown organisation "arboriculture"; reference dropped`,
				`_organisations/notes.txt: not a .md record: ignored (skipped)`,
				`_startups/arrosoir.md: events[3].date: "12/06/2023" is not a date (want YYYY-MM-DD) (skipped)`,
				`_startups/arrosoir.md: sponsors[3]: unknown organisation "ministere-des-nuages"; reference dropped`,
				`_startups/binette.md: incubator: unknown incubator "cave"; reference dropped`,
				`_startups/binette.md: phases[1].name: "pousse" is in neither today's vocabulary nor the older one, and no _phases definition names it: imported as UNKNOWN, out of incubation`,
				`_teams/fantome.md: incubator: unknown incubator "cave"; reference dropped`,
			},
			check: func(t *testing.T, s *Snapshot) {
				equal(t, "phase definitions", s.PhaseDefinitions, []portfolio.PhaseDefinition{
					{Phase: portfolio.PhaseConstruction, Label: "Construction", Order: 2, ShortDescription: "L'équipe construit un premier service.\nElle le met entre les mains d'usagers."},
					{Phase: portfolio.PhaseInvestigation, Label: "Investigation", Order: 1, ShortDescription: "L'équipe vérifie que le problème existe."},
				})
				equal(t, "organisations", s.Organisations, []portfolio.Organisation{
					{Slug: "agence-des-jardins", Name: "Agence nationale des jardins partagés", Acronym: "ANJP", Type: "operateur", DomaineMinisteriel: "agriculture"},
					{Slug: "dnum-potagers", Name: "Direction du numérique des potagers", Acronym: "DNUMP", Type: "administration-centrale", DomaineMinisteriel: "agriculture"},
				})
				equal(t, "incubators", s.Incubators, []portfolio.Incubator{
					{
						Slug: "serre", Title: "La Serre", OwnerSlug: "dnum-potagers",
						ShortDescription: "L'incubateur des services publics du jardinage.",
						Description:      "La Serre accompagne les **équipes** qui veulent faire pousser des services.",
						Contact:          "contact@serre.example", Website: "https://serre.example",
						Github: "https://github.com/serre-example", Address: "1 allée des Tomates, 75000 Paris",
					},
					{Slug: "verger", Title: "Le Verger", Contact: "verger@example.org"},
				})
				equal(t, "teams", s.Teams, []portfolio.Team{
					{Slug: "fantome", Name: "Équipe fantôme"},
					{Slug: "serre-animation", Name: "Animation", Mission: "Animer la communauté des jardiniers.", IncubatorSlug: "serre"},
				})
				equal(t, "arrosoir", *startup(t, s, "arrosoir"), portfolio.Startup{
					Slug:          "arrosoir",
					Name:          "Arrosoir",
					Pitch:         "Arroser les jardins partagés au bon moment",
					Description:   "## Le problème\n\nLes jardins partagés sont arrosés trop ou trop peu.",
					IncubatorSlug: "serre",
					Sponsors:      []string{"dnum-potagers", "agence-des-jardins"},
					Phases: []portfolio.PhasePeriod{
						{Phase: portfolio.PhaseInvestigation, Start: d("2022-01-10"), End: d("2022-06-30"), Source: imported},
						{Phase: portfolio.PhaseConstruction, Start: d("2022-07-01"), Source: imported},
						{Phase: portfolio.PhaseAcceleration, Start: d("2024-03-15"), Source: imported},
					},
					Events: []portfolio.StartupEvent{
						{Name: "product_launch", Date: d("2022-09-01")},
						{Name: "committee", Date: d("2023-01-12"), Comment: "Poursuite en construction"},
						{Name: "committee", Date: d("2023-01-12"), Comment: "Second passage le même jour : passage en accélération"},
						{Name: "fast", Date: d("2023-05-01"), Comment: "Montant de 150000€ pour la promotion 9"},
					},
					Committees: []portfolio.Committee{
						committee("arrosoir/2023-01-12", "arrosoir", "2023-01-12", "Poursuite en construction"),
						committee("arrosoir/2023-01-12-2", "arrosoir", "2023-01-12", "Second passage le même jour : passage en accélération"),
					},
					Fast:                &portfolio.Fast{Promotion: 9, AmountEuros: 150000},
					Thematiques:         []string{"Environnement", "Agriculture"},
					Usertypes:           []string{"particulier"},
					Techno:              []string{"go"},
					Link:                "https://arrosoir.example",
					Repository:          "https://github.com/serre-example/arrosoir",
					Contact:             "arrosoir@example.org",
					AccessibilityStatus: "partiellement conforme",
					StatsURL:            "https://arrosoir.example/stats",
					ImpactURL:           "https://arrosoir.example/impact",
					BudgetURL:           "https://arrosoir.example/budget",
					DashlordURL:         "https://dashlord.example/arrosoir",
				})
				b := startup(t, s, "binette")
				equal(t, "binette incubator", b.IncubatorSlug, "")
				equal(t, "binette phases", b.Phases, []portfolio.PhasePeriod{
					{Phase: portfolio.PhaseInvestigation, Start: d("2025-02-01"), Source: imported},
					{Phase: portfolio.PhaseUnknown, Start: d("2025-06-01"), Source: imported, SourceName: "pousse"},
				})
				equal(t, "vocabulary", s.Vocabulary, []VocabularyUse{{Name: "pousse", Phase: portfolio.PhaseUnknown, Count: 1}})
				equal(t, "ana.jardin", *member(t, s, "ana.jardin"), portfolio.Member{
					Slug:        "ana.jardin",
					Fullname:    "Ana Jardin",
					Role:        "Développeuse",
					Domain:      portfolio.DomainDevelopment,
					Competences: []string{"Go", "SQL"},
					Github:      "anajardin",
					Link:        "https://ana.example",
					MemberType:  "beta",
					Bio:         "Je fais pousser du code.",
					Teams:       []string{"serre-animation"},
					Missions: []portfolio.Mission{
						{Slug: "ana.jardin/1", MemberSlug: "ana.jardin", Start: d("2022-01-10"), End: d("2022-12-31"), Status: portfolio.StatusIndependent, Employer: "Malt", Startups: []string{"arrosoir"}, Source: imported},
						{Slug: "ana.jardin/3", MemberSlug: "ana.jardin", Start: d("2023-01-01"), Employer: "Octo", Startups: []string{"arrosoir"}, Source: imported},
					},
				})
				equal(t, "bruno.compost domain", member(t, s, "bruno.compost").Domain, portfolio.DomainOther)
				chloe := member(t, s, "chloe.graine")
				equal(t, "chloe.graine mission", chloe.Missions, []portfolio.Mission{
					{Slug: "chloe.graine/1", MemberSlug: "chloe.graine", Start: d("2025-02-01"), Status: portfolio.StatusService, Employer: "Studio", Startups: []string{"binette"}, Source: imported},
				})
			},
		},
		{
			name: "members with top-level startups and previously",
			dir:  "testdata/legacy-members",
			counts: map[string]int{
				"organisations": 0, "incubators": 0, "teams": 0, "startups": 3, "members": 3,
				"missions": 4, "phases": 0, "committees": 0, "events": 0, "phaseDefinitions": 0,
			},
			problems: []string{
				`_authors/denise.bouture.md: startups: unknown startup "serre-froide"; reference dropped`,
				`_authors/emile.greffe.md: missions: missing; one mission built from the top-level start, end and employer`,
				`_authors/emile.greffe.md: status: missing; "independent" taken from employer "independent/octo"`,
				`_incubators: folder missing; no incubators loaded from it`,
				`_organisations: folder missing; no organisations loaded from it`,
				`_phases: folder missing; no phase definitions loaded from it`,
				`_teams: folder missing; no teams loaded from it`,
			},
			check: func(t *testing.T, s *Snapshot) {
				denise := member(t, s, "denise.bouture")
				equal(t, "denise legacy", denise.LegacyStartups, []string{"pelle"})
				equal(t, "denise previous", denise.PreviousStartups, []string{"rateau"})
				equal(t, "denise missions", denise.Missions, []portfolio.Mission{
					{Slug: "denise.bouture/1", MemberSlug: "denise.bouture", Start: d("2019-03-01"), End: d("2020-02-29"), Status: portfolio.StatusAdmin, Employer: "Ministère des Potagers", Source: imported},
					{Slug: "denise.bouture/2", MemberSlug: "denise.bouture", Start: d("2020-03-01"), Status: portfolio.StatusIndependent, Employer: "Denise Conseil", Source: imported},
				})
				emile := member(t, s, "emile.greffe")
				equal(t, "emile legacy", emile.LegacyStartups, []string{"semoir"})
				equal(t, "emile missions", emile.Missions, []portfolio.Mission{
					{Slug: "emile.greffe/1", MemberSlug: "emile.greffe", Start: d("2017-05-02"), End: d("2018-04-30"), Status: portfolio.StatusIndependent, Employer: "octo", Source: imported},
				})
				fanny := member(t, s, "fanny.tuteur")
				equal(t, "fanny previous", fanny.PreviousStartups, []string{"pelle"})
				equal(t, "fanny legacy", fanny.LegacyStartups, []string(nil))
				equal(t, "fanny mission startups", fanny.Missions[0].Startups, []string{"semoir"})
				// Legacy lists carry no dates: they never make a team.
				var missions []portfolio.Mission
				for _, m := range s.Members {
					missions = append(missions, m.Missions...)
				}
				equal(t, "team of pelle", portfolio.TeamAt(missions, "pelle", d("2020-06-01")), []string(nil))
				equal(t, "team of semoir", portfolio.TeamAt(missions, "semoir", d("2022-01-01")), []string{"fanny.tuteur"})
			},
		},
		{
			name: "inline sponsors and owner",
			dir:  "testdata/inline-sponsors",
			counts: map[string]int{
				"organisations": 4, "incubators": 1, "teams": 0, "startups": 5, "members": 0,
				"missions": 0, "phases": 0, "committees": 0, "events": 0, "phaseDefinitions": 0,
			},
			problems: []string{
				`_authors: folder missing; no members loaded from it`,
				`_phases: folder missing; no phase definitions loaded from it`,
				`_startups/arrosoir.md: sponsors[0]: no organisation matches "Ministère de l'Écologie Potagère"; organisation "ministere-de-l-ecologie-potagere" created`,
				`_startups/arrosoir.md: sponsors[2]: no organisation matches "Agence de l'Eau de Pluie"; organisation "agence-de-l-eau-de-pluie" created`,
				`_startups/semoir.md: owner: no organisation matches "Office Français de la Graine"; organisation "office-francais-de-la-graine" created`,
				`_startups/tuteur.md: sponsors[0]: inline organisation without a name or acronym (skipped)`,
				`_startups/tuteur.md: sponsors[2]: unknown organisation "Ministère des Nuages"; reference dropped`,
				`_teams: folder missing; no teams loaded from it`,
			},
			check: func(t *testing.T, s *Snapshot) {
				equal(t, "organisations", s.Organisations, []portfolio.Organisation{
					{Slug: "agence-de-l-eau-de-pluie", Name: "Agence de l'Eau de Pluie", Acronym: "AEP", Type: "operateur", DomaineMinisteriel: "ecologie"},
					{Slug: "dnum-potagers", Name: "Direction du numérique des potagers", Acronym: "DNUMP", Type: "administration-centrale", DomaineMinisteriel: "agriculture"},
					{Slug: "ministere-de-l-ecologie-potagere", Name: "Ministère de l'Écologie Potagère", Type: "administration-centrale", DomaineMinisteriel: "ecologie"},
					{Slug: "office-francais-de-la-graine", Name: "Office Français de la Graine"},
				})
				sponsors := map[string][]string{}
				for _, st := range s.Startups {
					sponsors[st.Slug] = st.Sponsors
				}
				equal(t, "sponsors", sponsors, map[string][]string{
					// owner "Ministère des Nuages" ignored: the startup has sponsors.
					"arrosoir": {"ministere-de-l-ecologie-potagere", "dnum-potagers", "agence-de-l-eau-de-pluie"},
					"binette":  {"ministere-de-l-ecologie-potagere", "dnum-potagers", "agence-de-l-eau-de-pluie"},
					"compost":  {"dnum-potagers"},
					"semoir":   {"office-francais-de-la-graine"},
					"tuteur":   {"dnum-potagers"}, // "dnump" matches the acronym
				})
				equal(t, "incubator owner (matched by name)", s.Incubators[0].OwnerSlug, "dnum-potagers")
			},
		},
		{
			name: "phases without a start",
			dir:  "testdata/phases-no-start",
			counts: map[string]int{
				"organisations": 0, "incubators": 0, "teams": 0, "startups": 2, "members": 0,
				"missions": 0, "phases": 8, "committees": 0, "events": 0, "phaseDefinitions": 0,
			},
			problems: []string{
				`_authors: folder missing; no members loaded from it`,
				`_incubators: folder missing; no incubators loaded from it`,
				`_organisations: folder missing; no organisations loaded from it`,
				`_phases: folder missing; no phase definitions loaded from it`,
				`_startups/pousse.md: phases[1].start: missing; start inferred from previous phase's end (2020-06-30)`,
				`_startups/pousse.md: phases[2].start: missing; phase kept without a start: it is listed but never counts as the phase at a date`,
				`_startups/pousse.md: phases[3].name: "germination" is in neither today's vocabulary nor the older one, and no _phases definition names it: imported as UNKNOWN, out of incubation`,
				`_startups/pousse.md: phases[4].start: "2023-02-30" is not a date (want YYYY-MM-DD); phase kept without a start: it is listed but never counts as the phase at a date`,
				`_startups/pousse.md: phases[5].end: "demain" is not a date (want YYYY-MM-DD): ignored`,
				`_startups/racine.md: phases[0].start: missing; phase kept without a start: it is listed but never counts as the phase at a date`,
				`_teams: folder missing; no teams loaded from it`,
			},
			check: func(t *testing.T, s *Snapshot) {
				p := startup(t, s, "pousse")
				equal(t, "pousse phases", p.Phases, []portfolio.PhasePeriod{
					{Phase: portfolio.PhaseInvestigation, Start: d("2020-01-06"), End: d("2020-06-30"), Source: imported},
					{Phase: portfolio.PhaseConstruction, Start: d("2020-06-30"), Source: imported},
					{Phase: portfolio.PhaseAcceleration, Source: imported},
					{Phase: portfolio.PhaseUnknown, Start: d("2021-01-01"), Source: imported, SourceName: "germination"},
					{Phase: portfolio.PhaseConsolidation, Source: imported},
					{Phase: portfolio.PhaseTransferred, Start: d("2024-01-01"), Source: imported},
				})
				i := portfolio.PhaseAt(p.Phases, d("2020-12-31"))
				equal(t, "pousse phase at 2020-12-31", p.Phases[i].Phase, portfolio.PhaseConstruction)
				i = portfolio.PhaseAt(p.Phases, d("2022-01-01"))
				equal(t, "pousse phase at 2022-01-01", p.Phases[i].Phase, portfolio.PhaseUnknown)
				r := startup(t, s, "racine")
				equal(t, "racine phase at 2022-01-01", portfolio.PhaseAt(r.Phases, d("2022-01-01")), -1)
				equal(t, "racine phases", len(r.Phases), 2)
			},
		},
		{
			name: "broken files",
			dir:  "testdata/broken",
			counts: map[string]int{
				"organisations": 0, "incubators": 0, "teams": 0, "startups": 5, "members": 0,
				"missions": 0, "phases": 0, "committees": 1, "events": 2, "phaseDefinitions": 0,
			},
			problems: []string{
				`_authors: folder missing; no members loaded from it`,
				`_incubators: folder missing; no incubators loaded from it`,
				`_organisations: folder missing; no organisations loaded from it`,
				`_phases: folder missing; no phase definitions loaded from it`,
				`_startups/brouillons: a folder, not a record: ignored (skipped)`,
				`_startups/doublon.md: title: defined twice (again on line 4); the last value is used`,
				// "- name: committee" then "- date: 2024-01-01": one event.
				`_startups/formes.md: events[0]: a name without a date, then a date without a name (events[1]): read as one event, "committee" on 2024-01-01`,
				`_startups/formes.md: events[2]: is the text "juste du texte", not a mapping of fields (skipped)`,
				`_startups/formes.md: fast: is the value 3, not a mapping {promotion, montant}: ignored`,
				`_startups/formes.md: techno[1]: is a mapping, not a text (skipped)`,
				`_startups/formes.md: title: is a list, not a text; the slug "formes" is used`,
				`_startups/liste.md: front matter is a list, not a mapping of fields (skipped)`,
				`_startups/montant.md: fast.promotion: "douze" is not a whole number: ignored`,
				`_startups/pas-ferme.md: front matter not closed (no --- line after it) (skipped)`,
				`_startups/sans-entete.md: no front matter (the file must start with a --- line) (skipped)`,
				`_startups/tabulations.md: YAML does not parse: line 4, column 1: found character '\t' that cannot start any token (skipped)`,
				`_startups/vide.md: title: missing; the slug "vide" is used`,
				`_teams: folder missing; no teams loaded from it`,
			},
			check: func(t *testing.T, s *Snapshot) {
				equal(t, "startups", slugs(s.Startups, func(x *portfolio.Startup) string { return x.Slug }),
					[]string{"doublon", "formes", "montant", "vide", "windows"})
				doublon := startup(t, s, "doublon")
				equal(t, "doublon name", doublon.Name, "Second titre")
				equal(t, "doublon pitch", doublon.Pitch, "Un doublon")
				formes := startup(t, s, "formes")
				equal(t, "formes name", formes.Name, "formes")
				equal(t, "formes pitch", formes.Pitch, "42")
				equal(t, "formes thematiques", formes.Thematiques, []string{"Environnement"})
				equal(t, "formes techno", formes.Techno, []string{"go"})
				equal(t, "formes events", formes.Events, []portfolio.StartupEvent{{Name: "committee", Date: d("2024-01-01")}, {Name: "other", Date: d("2024-02-01")}})
				equal(t, "formes committees", formes.Committees, []portfolio.Committee{committee("formes/2024-01-01", "formes", "2024-01-01", "")})
				equal(t, "formes fast", formes.Fast, (*portfolio.Fast)(nil))
				equal(t, "montant fast", startup(t, s, "montant").Fast, &portfolio.Fast{AmountEuros: 120000})
				equal(t, "vide description", startup(t, s, "vide").Description, "Juste un corps.")
				w := startup(t, s, "windows")
				equal(t, "windows", []string{w.Name, w.Pitch, w.Description}, []string{"Fins de ligne Windows", "CRLF", "Corps"})
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mustRead(t, tt.dir)
			var got []string
			for _, p := range s.Problems {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.problems, "\n") {
				t.Errorf("problems:\n got:\n\t%s\nwant:\n\t%s", strings.Join(got, "\n\t"), strings.Join(tt.problems, "\n\t"))
			}
			equal(t, "counts", s.Counts(), tt.counts)
			tt.check(t, s)
		})
	}
}

func TestReadUnusableDir(t *testing.T) {
	tmp := t.TempDir()
	file := filepath.Join(tmp, "file.md")
	if err := os.WriteFile(file, []byte("---\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(tmp, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		is   error
	}{
		{"missing", filepath.Join(tmp, "nowhere"), os.ErrNotExist},
		{"a file", file, nil},
		{"no known folder", empty, ErrNoContent},
		{"fixtures parent", "testdata", ErrNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Read(context.Background(), tt.dir, Options{})
			if err == nil || s != nil {
				t.Fatalf("Read(%s) = %v, %v; want an error", tt.dir, s, err)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("Read(%s) error %v; want one wrapping %v", tt.dir, err, tt.is)
			}
		})
	}
}

func TestReadContentFolderOrRoot(t *testing.T) {
	root := mustRead(t, "testdata/current")
	content := mustRead(t, "testdata/current/content")
	equal(t, "snapshots", root, content)
}

func TestReadDeterministic(t *testing.T) {
	want := mustRead(t, "testdata/current")
	for _, procs := range []int{1, 2, 7} {
		t.Run(fmt.Sprint(procs), func(t *testing.T) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			for range 5 {
				equal(t, "snapshot", mustRead(t, "testdata/current"), want)
			}
		})
	}
}

func TestReadProgress(t *testing.T) {
	var calls [][2]int
	_, err := Read(context.Background(), "testdata/current", Options{Progress: func(done, total int) {
		calls = append(calls, [2]int{done, total})
	}})
	if err != nil {
		t.Fatal(err)
	}
	const files = 13 // the .md files of the fixture
	if len(calls) != files {
		t.Fatalf("%d progress calls, want %d: %v", len(calls), files, calls)
	}
	for i, c := range calls {
		if c != [2]int{i + 1, files} {
			t.Errorf("call %d = %v, want [%d %d]", i, c, i+1, files)
		}
	}
}

func TestReadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Read(ctx, "testdata/current", Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a cancelled context: %v, want context.Canceled", err)
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		fields   map[string]any
		body     string
		problems []string
	}{
		{"plain", "---\ntitle: A\n---\nBody\n", map[string]any{"title": "A"}, "Body", nil},
		{"closed at end of file", "---\nname: A\n---", map[string]any{"name": "A"}, "", nil},
		{"dots close", "---\nname: A\n...\nBody", map[string]any{"name": "A"}, "Body", nil},
		{"byte order mark", "\ufeff---\nname: A\n---\n", map[string]any{"name": "A"}, "", nil},
		{"blank lines around body", "---\nname: A\n---\n\n  \nBody\n  indented\n\n", map[string]any{"name": "A"}, "Body\n  indented", nil},
		{"empty front matter", "---\n---\nBody", map[string]any{}, "Body", nil},
		{"dates stay text", "---\nstart: 2024-01-02\n---\n", map[string]any{"start": "2024-01-02"}, "", nil},
		{"no front matter", "title: A\n", nil, "", []string{"f.md: no front matter (the file must start with a --- line) (skipped)"}},
		{"empty file", "", nil, "", []string{"f.md: no front matter (the file must start with a --- line) (skipped)"}},
		{"not closed", "---\ntitle: A\n", nil, "", []string{"f.md: front matter not closed (no --- line after it) (skipped)"}},
		{"scalar", "---\nhello\n---\n", nil, "", []string{`f.md: front matter is the text "hello", not a mapping of fields (skipped)`}},
		{"tab", "---\ntitle: A\n\tx: 1\n---\n", nil, "", []string{`f.md: YAML does not parse: line 3, column 1: found character '\t' that cannot start any token (skipped)`}},
		{"unclosed list", "---\na: [x, y\n---\n", nil, "", []string{`f.md: YAML does not parse: line 2, column 4: sequence end token ']' not found (skipped)`}},
		{"duplicate key", "---\na: 1\nb: 2\na: 3\n---\n", map[string]any{"a": uint64(3), "b": uint64(2)}, "", []string{`f.md: a: defined twice (again on line 4); the last value is used`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &report{file: "f.md"}
			fields, body, ok := decode([]byte(tt.in), r)
			var got []string
			for _, p := range r.problems {
				got = append(got, p.String())
			}
			equal(t, "problems", got, tt.problems)
			equal(t, "fields", fields, tt.fields)
			equal(t, "body", body, tt.body)
			if ok != (tt.fields != nil) {
				t.Errorf("ok = %v", ok)
			}
		})
	}
}

func TestDateValue(t *testing.T) {
	tests := []struct {
		in      any
		want    portfolio.Date
		present bool
		err     bool
	}{
		{nil, 0, false, false},
		{"", 0, false, false},
		{"2024-02-29", d("2024-02-29"), true, false},
		{" 2024-02-29 ", d("2024-02-29"), true, false},
		{"2024-02-29T23:30:00Z", d("2024-02-29"), true, false},
		{portfolio.NewDate(2024, 3, 1).Time(), d("2024-03-01"), true, false},
		{"2023-02-29", 0, true, true},
		{"29/02/2024", 0, true, true},
		{"2024-2-9", 0, true, true},
		{uint64(2024), 0, true, true},
		{[]any{"2024-01-01"}, 0, true, true},
		{"0001-01-01", portfolio.NewDate(1, 1, 1), true, false},
		// Year 0 would read as no date (0000-12-31) or as a date before the
		// first one portfolio.Date holds; years past 9999 overflow it.
		{"0000-12-31", 0, true, true},
		{"0000-01-01", 0, true, true},
		{time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC), 0, true, true},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), 0, true, true},
		{time.Date(6_000_000, 1, 1, 0, 0, 0, 0, time.UTC), 0, true, true},
	}
	for _, tt := range tests {
		got, present, err := dateValue(tt.in)
		if got != tt.want || present != tt.present || (err != nil) != tt.err {
			t.Errorf("dateValue(%#v) = %v, %v, %v; want %v, %v, error %v", tt.in, got, present, err, tt.want, tt.present, tt.err)
		}
	}
}

func TestIntValue(t *testing.T) {
	tests := []struct {
		in   any
		want int64
		err  bool
	}{
		{uint64(300000), 300000, false},
		{int64(-3), -3, false},
		{float64(12), 12, false},
		{"300 000", 300000, false},
		{"300\u202f000", 300000, false},
		{float64(1.5), 0, true},
		{"douze", 0, true},
		{true, 0, true},
	}
	for _, tt := range tests {
		got, err := intValue(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("intValue(%#v) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestSlugify(t *testing.T) {
	tests := map[string]string{
		"Ministère de l'Intérieur":         "ministere-de-l-interieur",
		"  DINUM  ":                        "dinum",
		"Agence nationale (ANCT) — Région": "agence-nationale-anct-region",
		"Caisse d’Allocations Familiales":  "caisse-d-allocations-familiales",
		"Œuvre 2024":                       "oeuvre-2024",
		"---":                              "",
	}
	for in, want := range tests {
		if got := Slugify(in); got != want {
			t.Errorf("Slugify(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRefSlug(t *testing.T) {
	tests := map[string]string{
		"/organisations/dinum":  "dinum",
		"/organisations/dinum/": "dinum",
		"/teams/x.md":           "x",
		"/startups/y.html":      "y",
		" mtes ":                "mtes",
		"":                      "",
	}
	for in, want := range tests {
		if got := refSlug(in); got != want {
			t.Errorf("refSlug(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCompareField(t *testing.T) {
	fields := []Problem{
		{File: "b", Field: "phases[10].start"},
		{File: "a", Field: "title"},
		{File: "b", Field: "phases[2].start"},
		{File: "b", Field: ""},
		{File: "b", Field: "phases[2].end"},
		{File: "b", Field: "phases[2].end", Reason: "second"},
	}
	sortProblems(fields)
	var got []string
	for _, p := range fields {
		got = append(got, p.File+":"+p.Field+":"+p.Reason)
	}
	equal(t, "order", got, []string{"a:title:", "b::", "b:phases[2].end:", "b:phases[2].end:second", "b:phases[2].start:", "b:phases[10].start:"})
}

func TestProblemString(t *testing.T) {
	tests := []struct {
		p    Problem
		want string
	}{
		{Problem{File: "_startups/x.md", Field: "phases[2].start", Reason: "missing"}, "_startups/x.md: phases[2].start: missing"},
		{Problem{File: "_startups/x.md", Reason: "no front matter", Skipped: true}, "_startups/x.md: no front matter (skipped)"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
