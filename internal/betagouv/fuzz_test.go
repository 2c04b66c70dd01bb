package betagouv

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// fuzzSlug is the file name (without .md) the fuzzed bytes are read under.
const fuzzSlug = "sujet"

// fuzzKinds are the kinds of record the fuzzed bytes are parsed as, each in
// turn, with the file's path relative to the content folder.
var fuzzKinds = []struct {
	kind kind
	rel  string
}{
	{kindStartup, "_startups/" + fuzzSlug + ".md"},
	{kindMember, "_authors/" + fuzzSlug + ".md"},
	{kindIncubator, "_incubators/" + fuzzSlug + ".md"},
	{kindOrganisation, "_organisations/" + fuzzSlug + ".md"},
	{kindTeam, "_teams/" + fuzzSlug + ".md"},
	{kindPhase, "_phases/" + fuzzSlug + ".md"},
}

// fuzzContext returns a few records for the fuzzed one to refer to (fresh
// each time: assemble changes them), as parsed files.
func fuzzContext() ([]job, []parsed) {
	jobs := []job{
		{kind: kindOrganisation, slug: "dnum-potagers", rel: "_organisations/dnum-potagers.md"},
		{kind: kindIncubator, slug: "serre", rel: "_incubators/serre.md"},
		{kind: kindTeam, slug: "serre-animation", rel: "_teams/serre-animation.md"},
		{kind: kindStartup, slug: "arrosoir", rel: "_startups/arrosoir.md"},
		{kind: kindMember, slug: "ana.jardin", rel: "_authors/ana.jardin.md"},
	}
	results := []parsed{
		{org: &portfolio.Organisation{Slug: "dnum-potagers", Name: "Direction du numérique des potagers", Acronym: "DNUM"}},
		{incubator: &incubatorRec{Incubator: portfolio.Incubator{Slug: "serre", Title: "La Serre"}}},
		{team: &portfolio.Team{Slug: "serre-animation", Name: "Animation", IncubatorSlug: "serre"}},
		{startup: &startupRec{file: "_startups/arrosoir.md", Startup: portfolio.Startup{Slug: "arrosoir", Name: "Arrosoir", IncubatorSlug: "serre"}}},
		{member: &portfolio.Member{Slug: "ana.jardin", Fullname: "Ana Jardin", Domain: portfolio.DomainOther}},
	}
	return jobs, results
}

// fuzzRead parses data as the record file of kind k and assembles it with
// the context records, as Read does for a content folder.
func fuzzRead(k kind, rel string, data []byte) (parsed, *Snapshot) {
	p := parseData(k, fuzzSlug, rel, data)
	jobs, results := fuzzContext()
	jobs = append(jobs, job{kind: k, slug: fuzzSlug, rel: rel})
	// assemble changes the records it is given: hand it a parse of its own.
	results = append(results, parseData(k, fuzzSlug, rel, data))
	s := assemble(jobs, results)
	sortProblems(s.Problems)
	return p, s
}

// FuzzFrontMatter feeds arbitrary bytes to the importer as a record file of
// every kind and checks what comes out: no panic, the same result every
// time, a problem for every record left out, valid dates, no empty slug or
// reference, and references that name records.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range []string{
		"",
		"---\n---\n",
		"---\ntitle: Arrosoir\nincubator: /incubators/serre\nsponsors: [/organisations/dnum-potagers, DNUM]\nphases:\n  - name: investigation\n    start: 2022-01-10\n    end: 2022-06-30\n  - name: construction\nevents:\n  - name: committee\n    date: 2023-01-12\n    comment: Passage en accélération\n---\nCorps\n",
		"---\nfullname: Ana\ndomaine: Développement\nteams: [/teams/serre-animation]\nmissions:\n  - start: 2021-03-01\n    end: 2022-02-28\n    status: independent\n    startups: [arrosoir, inconnue]\n---\n",
		"---\nstart: 2020-01-01\nemployer: independent/octo\nstartups: [arrosoir]\n---\n",
		"---\ntitle: La Serre\nowner: {name: Ministère des Jardins, acronym: MJ}\n---\n",
		"\ufeff---\r\ntitle: x\r\n---\r\n",
		"---\ntitle: [a\n---\n",
		"---\na: 1\na: 2\n---\n",
		"---\n- a\n- b\n---\n",
		"---\nphases:\n  - name: investigation\n    start: 0000-12-31\n---\n",
		"---\nfast: {promotion: '9', montant: 1e300}\n---\n",
	} {
		f.Add([]byte(s))
	}
	// Every record file of the fixtures is a seed too.
	filepath.WalkDir("testdata", func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			if b, err := os.ReadFile(path); err == nil {
				f.Add(b)
			}
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, fk := range fuzzKinds {
			p, s := fuzzRead(fk.kind, fk.rel, data)
			p2, s2 := fuzzRead(fk.kind, fk.rel, data)
			if !reflect.DeepEqual(p, p2) {
				t.Fatalf("%s: two parses of the same bytes differ:\n%+v\n%+v", fk.rel, p, p2)
			}
			if !reflect.DeepEqual(s, s2) {
				t.Fatalf("%s: two reads of the same bytes differ:\n%+v\n%+v", fk.rel, s, s2)
			}
			if err := checkParsed(fk.kind, fk.rel, p); err != nil {
				t.Fatalf("%s: %v", fk.rel, err)
			}
			if err := checkSnapshot(s); err != nil {
				t.Fatalf("%s: %v", fk.rel, err)
			}
			if err := checkText(s); err != nil {
				t.Fatalf("%s: %v", fk.rel, err)
			}
		}
	})
}

// checkParsed checks one file's parse: a record, or a problem saying why
// there is none.
func checkParsed(k kind, rel string, p parsed) error {
	present := p.phase != nil || p.org != nil || p.incubator != nil || p.team != nil || p.startup != nil || p.member != nil
	var wholeSkip, anySkip bool
	for _, pr := range p.problems {
		if pr.File != rel {
			return fmt.Errorf("problem of file %q, want %q: %v", pr.File, rel, pr)
		}
		if pr.Reason == "" {
			return fmt.Errorf("problem without a reason: %+v", pr)
		}
		anySkip = anySkip || pr.Skipped
		wholeSkip = wholeSkip || (pr.Skipped && pr.Field == "")
	}
	switch {
	case !present && !anySkip:
		return fmt.Errorf("no record and no problem saying it was skipped: %v", p.problems)
	case present && wholeSkip:
		return fmt.Errorf("a record, and a problem saying the file was skipped: %v", p.problems)
	}
	if k == kindPhase && p.phase != nil && ((p.phase.def != nil && !p.phase.def.Phase.Valid()) || p.phase.slug != fuzzSlug) {
		return fmt.Errorf("phase definition %+v", *p.phase)
	}
	return nil
}

// validDate reports whether d is a real calendar day that reads back as
// itself.
func validDate(d portfolio.Date) bool {
	if d.IsZero() {
		return false
	}
	y := d.Year()
	back, err := portfolio.ParseDate(d.String())
	return y >= 1 && y <= 9999 && err == nil && back == d
}

func checkDate(what string, d portfolio.Date, required bool) error {
	if d.IsZero() && !required {
		return nil
	}
	if !validDate(d) {
		return fmt.Errorf("%s: invalid date %d (%q)", what, int32(d), d.String())
	}
	return nil
}

// checkNames checks a list of labels or references: no empty item, no
// duplicate, and each in known when known is not nil.
func checkNames(what string, list []string, known map[string]bool) error {
	for i, s := range list {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%s[%d] is empty: %q", what, i, list)
		}
		if slices.Contains(list[:i], s) {
			return fmt.Errorf("%s: %q twice", what, s)
		}
		if known != nil && !known[s] {
			return fmt.Errorf("%s: %q names no record", what, s)
		}
	}
	return nil
}

func slugSet[T any](what string, list []T, slug func(*T) string) (map[string]bool, error) {
	set := map[string]bool{}
	for i := range list {
		s := slug(&list[i])
		if strings.TrimSpace(s) == "" || s != strings.TrimSpace(s) {
			return nil, fmt.Errorf("%s with slug %q", what, s)
		}
		if set[s] {
			return nil, fmt.Errorf("two %s with slug %q", what, s)
		}
		set[s] = true
	}
	return set, nil
}

// checkSnapshot checks the records read: slugs, references, dates, enums.
func checkSnapshot(s *Snapshot) error {
	orgs, err := slugSet("organisations", s.Organisations, func(o *portfolio.Organisation) string { return o.Slug })
	if err != nil {
		return err
	}
	incs, err := slugSet("incubators", s.Incubators, func(i *portfolio.Incubator) string { return i.Slug })
	if err != nil {
		return err
	}
	teams, err := slugSet("teams", s.Teams, func(t *portfolio.Team) string { return t.Slug })
	if err != nil {
		return err
	}
	startups, err := slugSet("startups", s.Startups, func(s *portfolio.Startup) string { return s.Slug })
	if err != nil {
		return err
	}
	if _, err := slugSet("members", s.Members, func(m *portfolio.Member) string { return m.Slug }); err != nil {
		return err
	}
	ref := func(what, slug string, known map[string]bool) error {
		if slug != "" && !known[slug] {
			return fmt.Errorf("%s %q names no record", what, slug)
		}
		return nil
	}
	for _, o := range s.Organisations {
		if o.Name == "" {
			return fmt.Errorf("organisation %s without a name", o.Slug)
		}
	}
	for _, i := range s.Incubators {
		if err := cmpErr(i.Title == "", "incubator %s without a title", i.Slug); err != nil {
			return err
		}
		if err := ref("incubator "+i.Slug+" owner", i.OwnerSlug, orgs); err != nil {
			return err
		}
	}
	for _, t := range s.Teams {
		if err := cmpErr(t.Name == "", "team %s without a name", t.Slug); err != nil {
			return err
		}
		if err := ref("team "+t.Slug+" incubator", t.IncubatorSlug, incs); err != nil {
			return err
		}
	}
	for _, st := range s.Startups {
		if err := checkStartup(&st, s.Problems, orgs, incs); err != nil {
			return fmt.Errorf("startup %s: %w", st.Slug, err)
		}
	}
	for _, m := range s.Members {
		if err := checkMember(&m, teams, startups); err != nil {
			return fmt.Errorf("member %s: %w", m.Slug, err)
		}
	}
	// Every phase whose name is not today's is in the vocabulary's counts.
	uses := 0
	for _, st := range s.Startups {
		for _, p := range st.Phases {
			if p.Phase == portfolio.PhaseUnknown || portfolio.OlderPhaseName(p.SourceName) {
				uses++
			}
		}
	}
	for _, v := range s.Vocabulary {
		uses -= v.Count
	}
	if uses != 0 {
		return fmt.Errorf("vocabulary %+v: %d phases more or fewer than counted", s.Vocabulary, uses)
	}
	for _, d := range s.PhaseDefinitions {
		if !d.Phase.Valid() || d.Label == "" {
			return fmt.Errorf("phase definition %+v", d)
		}
	}
	for _, p := range s.Problems {
		if p.File == "" || p.Reason == "" {
			return fmt.Errorf("problem without a file or reason: %+v", p)
		}
	}
	return nil
}

func cmpErr(bad bool, format string, args ...any) error {
	if bad {
		return fmt.Errorf(format, args...)
	}
	return nil
}

func checkStartup(st *portfolio.Startup, problems []Problem, orgs, incs map[string]bool) error {
	if st.Name == "" {
		return fmt.Errorf("no name")
	}
	if st.IncubatorSlug != "" && !incs[st.IncubatorSlug] {
		return fmt.Errorf("incubator %q names no record", st.IncubatorSlug)
	}
	for what, list := range map[string][]string{"sponsors": st.Sponsors, "thematiques": st.Thematiques, "usertypes": st.Usertypes, "techno": st.Techno} {
		known := map[string]bool(nil)
		if what == "sponsors" {
			known = orgs
		}
		if err := checkNames(what, list, known); err != nil {
			return err
		}
	}
	for i, p := range st.Phases {
		if !p.Phase.Valid() || p.Source != portfolio.SourceImported {
			return fmt.Errorf("phases[%d]: %+v", i, p)
		}
		if p.Start.IsZero() && !slices.ContainsFunc(problems, func(pr Problem) bool {
			return pr.File == "_startups/"+st.Slug+".md" && strings.HasPrefix(pr.Field, "phases[") && strings.HasSuffix(pr.Field, "].start")
		}) {
			return fmt.Errorf("phases[%d] has no start, and no problem says so: %v", i, problems)
		}
		if p.Phase == portfolio.PhaseUnknown && !slices.ContainsFunc(problems, func(pr Problem) bool {
			return pr.File == "_startups/"+st.Slug+".md" && strings.HasPrefix(pr.Field, "phases[") && strings.HasSuffix(pr.Field, "].name")
		}) {
			return fmt.Errorf("phases[%d] is UNKNOWN, and no problem says so: %v", i, problems)
		}
		if p.SourceName != "" && p.SourceName == p.Phase.Slug() {
			return fmt.Errorf("phases[%d]: source name %q, the phase's slug", i, p.SourceName)
		}
		if err := checkDate(fmt.Sprintf("phases[%d].start", i), p.Start, false); err != nil {
			return err
		}
		if err := checkDate(fmt.Sprintf("phases[%d].end", i), p.End, false); err != nil {
			return err
		}
	}
	for i, e := range st.Events {
		if e.Name == "" {
			return fmt.Errorf("events[%d] without a name", i)
		}
		if err := checkDate(fmt.Sprintf("events[%d].date", i), e.Date, true); err != nil {
			return err
		}
	}
	var slugs []string
	for i, c := range st.Committees {
		if c.StartupSlug != st.Slug || !strings.HasPrefix(c.Slug, st.Slug+"/"+c.Date.String()) || slices.Contains(slugs, c.Slug) {
			return fmt.Errorf("committees[%d]: slug %q of startup %q", i, c.Slug, c.StartupSlug)
		}
		slugs = append(slugs, c.Slug)
		if !c.Decision.Valid() || (c.NextPhase != "" && !c.NextPhase.Valid()) {
			return fmt.Errorf("committees[%d]: decision %q, next phase %q", i, c.Decision, c.NextPhase)
		}
		if err := checkDate(fmt.Sprintf("committees[%d].date", i), c.Date, true); err != nil {
			return err
		}
	}
	return nil
}

func checkMember(m *portfolio.Member, teams, startups map[string]bool) error {
	if m.Fullname == "" || !m.Domain.Valid() {
		return fmt.Errorf("fullname %q, domain %q", m.Fullname, m.Domain)
	}
	for what, list := range map[string][]string{"teams": m.Teams, "startups": m.LegacyStartups, "previously": m.PreviousStartups, "competences": m.Competences} {
		known := startups
		switch what {
		case "teams":
			known = teams
		case "competences":
			known = nil
		}
		if err := checkNames(what, list, known); err != nil {
			return err
		}
	}
	var slugs []string
	for i, ms := range m.Missions {
		if ms.MemberSlug != m.Slug || !strings.HasPrefix(ms.Slug, m.Slug+"/") || slices.Contains(slugs, ms.Slug) {
			return fmt.Errorf("missions[%d]: slug %q of member %q", i, ms.Slug, ms.MemberSlug)
		}
		slugs = append(slugs, ms.Slug)
		if ms.Status != "" && !ms.Status.Valid() {
			return fmt.Errorf("missions[%d]: status %q", i, ms.Status)
		}
		if err := checkDate(fmt.Sprintf("missions[%d].start", i), ms.Start, true); err != nil {
			return err
		}
		if err := checkDate(fmt.Sprintf("missions[%d].end", i), ms.End, false); err != nil {
			return err
		}
		if err := checkNames(fmt.Sprintf("missions[%d].startups", i), ms.Startups, startups); err != nil {
			return err
		}
	}
	return nil
}

// checkText checks that no text the import stores holds a character its
// field may not hold (portfolio.TextFlaws): the import removes them.
func checkText(s *Snapshot) error {
	type field struct {
		what string
		v    string
		kind portfolio.TextKind
	}
	var fs []field
	line := func(what string, vs ...string) {
		for _, v := range vs {
			fs = append(fs, field{what, v, portfolio.TextLine})
		}
	}
	long := func(what string, vs ...string) {
		for _, v := range vs {
			fs = append(fs, field{what, v, portfolio.TextProse})
		}
	}
	for _, st := range s.Startups {
		line("startup "+st.Slug, st.Name, st.Link, st.Repository, st.Contact, st.AccessibilityStatus, st.StatsURL, st.ImpactURL, st.BudgetURL, st.DashlordURL, st.RiskAnalysisURL)
		line("startup "+st.Slug+" tags", append(append(slices.Clone(st.Thematiques), st.Usertypes...), st.Techno...)...)
		long("startup "+st.Slug, st.Pitch, st.Description)
		for _, p := range st.Phases {
			long("phase comment", p.Comment)
		}
		for _, e := range st.Events {
			line("event name", e.Name)
			long("event comment", e.Comment)
		}
		for _, c := range st.Committees {
			long("committee comment", c.Comment)
		}
	}
	for _, m := range s.Members {
		line("member "+m.Slug, m.Fullname, m.Role, m.Github, m.Link, m.MemberType)
		line("member "+m.Slug+" competences", m.Competences...)
		long("member "+m.Slug+" bio", m.Bio)
		for _, ms := range m.Missions {
			line("mission employer", ms.Employer)
		}
	}
	for _, i := range s.Incubators {
		line("incubator "+i.Slug, i.Title, i.Contact, i.Website, i.Github)
		long("incubator "+i.Slug, i.ShortDescription, i.Description, i.Address)
	}
	for _, o := range s.Organisations {
		line("organisation "+o.Slug, o.Name, o.Acronym, o.Type, o.DomaineMinisteriel)
	}
	for _, tm := range s.Teams {
		line("team "+tm.Slug, tm.Name)
		long("team "+tm.Slug, tm.Mission)
	}
	for _, f := range fs {
		if flaws := portfolio.TextFlaws(f.v, f.kind); len(flaws) > 0 {
			return fmt.Errorf("%s: %q stored with %s", f.what, f.v, portfolio.DescribeFlaws(flaws))
		}
	}
	return nil
}
