package seed

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"math"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// hashSink hashes every record it receives, in order, as JSON.
type hashSink struct{ h hash.Hash }

func newHashSink() *hashSink { return &hashSink{h: sha256.New()} }

func (s *hashSink) put(kind string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.h, "%s %s\n", kind, b)
	return nil
}

func (s *hashSink) sum() string { return hex.EncodeToString(s.h.Sum(nil)) }

func (s *hashSink) PutPhaseDefinition(_ context.Context, p *portfolio.PhaseDefinition) error {
	return s.put("phase", p)
}
func (s *hashSink) PutOrganisation(_ context.Context, o *portfolio.Organisation) error {
	return s.put("organisation", o)
}
func (s *hashSink) PutIncubator(_ context.Context, i *portfolio.Incubator) error {
	return s.put("incubator", i)
}
func (s *hashSink) PutTeam(_ context.Context, t *portfolio.Team) error { return s.put("team", t) }
func (s *hashSink) PutStartup(_ context.Context, x *portfolio.Startup) error {
	return s.put("startup", x)
}
func (s *hashSink) PutMember(_ context.Context, m *portfolio.Member) error {
	return s.put("member", m)
}

// recordSink keeps every record and checks, as they arrive, that each
// reference names a record written earlier and that slugs are unique.
type recordSink struct {
	phaseDefs     []*portfolio.PhaseDefinition
	organisations map[string]*portfolio.Organisation
	incubators    map[string]*portfolio.Incubator
	teams         map[string]*portfolio.Team
	startupSlugs  map[string]bool
	memberSlugs   map[string]bool
	startups      []*portfolio.Startup
	members       []*portfolio.Member
	problems      []string
}

func newRecordSink() *recordSink {
	return &recordSink{
		organisations: map[string]*portfolio.Organisation{},
		incubators:    map[string]*portfolio.Incubator{},
		teams:         map[string]*portfolio.Team{},
		startupSlugs:  map[string]bool{},
		memberSlugs:   map[string]bool{},
	}
}

func (s *recordSink) problem(format string, args ...any) {
	if len(s.problems) < 20 {
		s.problems = append(s.problems, fmt.Sprintf(format, args...))
	}
}

func (s *recordSink) PutPhaseDefinition(_ context.Context, p *portfolio.PhaseDefinition) error {
	s.phaseDefs = append(s.phaseDefs, p)
	return nil
}

func (s *recordSink) PutOrganisation(_ context.Context, o *portfolio.Organisation) error {
	if s.organisations[o.Slug] != nil {
		s.problem("organisation %s written twice", o.Slug)
	}
	s.organisations[o.Slug] = o
	return nil
}

func (s *recordSink) PutIncubator(_ context.Context, i *portfolio.Incubator) error {
	if s.incubators[i.Slug] != nil {
		s.problem("incubator %s written twice", i.Slug)
	}
	if s.organisations[i.OwnerSlug] == nil {
		s.problem("incubator %s: owner %q not written before", i.Slug, i.OwnerSlug)
	}
	s.incubators[i.Slug] = i
	return nil
}

func (s *recordSink) PutTeam(_ context.Context, t *portfolio.Team) error {
	if s.teams[t.Slug] != nil {
		s.problem("team %s written twice", t.Slug)
	}
	if s.incubators[t.IncubatorSlug] == nil {
		s.problem("team %s: incubator %q not written before", t.Slug, t.IncubatorSlug)
	}
	s.teams[t.Slug] = t
	return nil
}

func (s *recordSink) PutStartup(_ context.Context, x *portfolio.Startup) error {
	if s.startupSlugs[x.Slug] {
		s.problem("startup %s written twice", x.Slug)
	}
	if s.incubators[x.IncubatorSlug] == nil {
		s.problem("startup %s: incubator %q not written before", x.Slug, x.IncubatorSlug)
	}
	for _, sp := range x.Sponsors {
		if s.organisations[sp] == nil {
			s.problem("startup %s: sponsor %q not written before", x.Slug, sp)
		}
	}
	for _, c := range x.Committees {
		if c.StartupSlug != x.Slug {
			s.problem("committee %s: startup slug %q, want %q", c.Slug, c.StartupSlug, x.Slug)
		}
	}
	s.startupSlugs[x.Slug] = true
	s.startups = append(s.startups, x)
	return nil
}

func (s *recordSink) PutMember(_ context.Context, m *portfolio.Member) error {
	if s.memberSlugs[m.Slug] {
		s.problem("member %s written twice", m.Slug)
	}
	for _, ms := range m.Missions {
		for _, st := range ms.Startups {
			if !s.startupSlugs[st] {
				s.problem("mission %s: startup %q not written before", ms.Slug, st)
			}
		}
	}
	for _, t := range m.Teams {
		if s.teams[t] == nil {
			s.problem("member %s: team %q not written before", m.Slug, t)
		}
	}
	s.memberSlugs[m.Slug] = true
	s.members = append(s.members, m)
	return nil
}

// discardSink drops every record.
type discardSink struct{}

func (discardSink) PutPhaseDefinition(context.Context, *portfolio.PhaseDefinition) error { return nil }
func (discardSink) PutOrganisation(context.Context, *portfolio.Organisation) error       { return nil }
func (discardSink) PutIncubator(context.Context, *portfolio.Incubator) error             { return nil }
func (discardSink) PutTeam(context.Context, *portfolio.Team) error                       { return nil }
func (discardSink) PutStartup(context.Context, *portfolio.Startup) error                 { return nil }
func (discardSink) PutMember(context.Context, *portfolio.Member) error                   { return nil }

// generated caches one recorded run per scale for the tests that only read.
var generated = map[int]*recordSink{}

func record(t *testing.T, scale int) *recordSink {
	t.Helper()
	if s := generated[scale]; s != nil {
		return s
	}
	s := newRecordSink()
	if _, err := Generate(context.Background(), s, Options{Scale: scale}); err != nil {
		t.Fatalf("Generate(scale %d): %v", scale, err)
	}
	generated[scale] = s
	return s
}

func allMissions(s *recordSink) []portfolio.Mission {
	var all []portfolio.Mission
	for _, m := range s.members {
		all = append(all, m.Missions...)
	}
	return all
}

func hashOf(t *testing.T, scale int) string {
	t.Helper()
	s := newHashSink()
	if _, err := Generate(context.Background(), s, Options{Scale: scale}); err != nil {
		t.Fatalf("Generate(scale %d): %v", scale, err)
	}
	return s.sum()
}

func TestDeterministic(t *testing.T) {
	hashes := map[int]string{}
	for _, scale := range []int{1, 2} {
		a, b := hashOf(t, scale), hashOf(t, scale)
		if a != b {
			t.Errorf("scale %d: two runs differ: %s and %s", scale, a, b)
		}
		hashes[scale] = a
	}
	if hashes[1] == hashes[2] {
		t.Errorf("scales 1 and 2 give the same output %s", hashes[1])
	}
}

// TestStartupIsPureFunctionOfIndex checks that startup i, computed alone
// from (scale, i) as members do to place their missions, is the one
// Generate wrote after all the records before it.
func TestStartupIsPureFunctionOfIndex(t *testing.T) {
	s := record(t, 2)
	for _, i := range []int{0, 1, 661, 662, 1323} {
		p := planOf(2, i)
		alone, _ := json.Marshal(startupRecord(2, &p))
		written, _ := json.Marshal(s.startups[i])
		if string(alone) != string(written) {
			t.Errorf("startup %d computed alone differs from the one written:\n%s\n%s", i, alone, written)
		}
	}
}

func within(got, want int, tolerance float64) bool {
	return math.Abs(float64(got-want)) <= tolerance*float64(want)
}

func TestCountsAtScale1(t *testing.T) {
	s := newRecordSink()
	c, err := Generate(context.Background(), s, Options{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		got, want int
	}{
		{"organisations", c.Organisations, 143},
		{"incubators", c.Incubators, 23},
		{"teams", c.Teams, 36},
		{"startups", c.Startups, 662},
		{"members", c.Members, 3484},
		{"missions", c.Missions, 4761},
		{"phases", c.Phases, 1695},
		{"committees", c.Committees, 215},
		{"events", c.Events, 562},
		{"organisations written", len(s.organisations), c.Organisations},
		{"startups written", len(s.startups), c.Startups},
		{"members written", len(s.members), c.Members},
		{"phase definitions", len(s.phaseDefs), 8},
	}
	for _, tt := range tests {
		if !within(tt.got, tt.want, 0.10) {
			t.Errorf("%s = %d, want %d ±10%%", tt.name, tt.got, tt.want)
		}
	}
}

func TestCountsScaleLinearly(t *testing.T) {
	c1, err := Generate(context.Background(), discardSink{}, Options{Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	c5, err := Generate(context.Background(), discardSink{}, Options{Scale: 5})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		c1, c5 int
		exact  bool
	}{
		{"organisations", c1.Organisations, c5.Organisations, true},
		{"incubators", c1.Incubators, c5.Incubators, true},
		{"teams", c1.Teams, c5.Teams, true},
		{"startups", c1.Startups, c5.Startups, true},
		{"members", c1.Members, c5.Members, true},
		{"missions", c1.Missions, c5.Missions, false},
		{"committees", c1.Committees, c5.Committees, false},
	}
	for _, tt := range tests {
		if tt.exact && tt.c5 != 5*tt.c1 || !within(tt.c5, 5*tt.c1, 0.10) {
			t.Errorf("%s: %d at scale 5, want about 5×%d", tt.name, tt.c5, tt.c1)
		}
	}
}

func TestShapeAtScale1(t *testing.T) {
	s := record(t, 1)
	phases := map[portfolio.Phase]int{}
	for _, x := range s.startups {
		phases[x.Phases[portfolio.PhaseAt(x.Phases, RefDate)].Phase]++
	}
	domains := map[portfolio.Domain]int{}
	for _, m := range s.members {
		domains[m.Domain]++
	}
	orgTypes := map[string]int{}
	for _, o := range s.organisations {
		orgTypes[o.Type]++
	}
	tests := []struct {
		name      string
		got, want int
	}{
		{"investigation abandoned", phases[portfolio.PhaseInvestigationAbandoned], 203},
		{"abandoned", phases[portfolio.PhaseAbandoned], 124},
		{"transferred", phases[portfolio.PhaseTransferred], 99},
		{"operated", phases[portfolio.PhaseOperated], 14},
		{"construction", phases[portfolio.PhaseConstruction], 105},
		{"acceleration", phases[portfolio.PhaseAcceleration], 70},
		{"development", domains[portfolio.DomainDevelopment], 968},
		{"intrapreneurship", domains[portfolio.DomainIntrapreneur], 637},
		{"deployment", domains[portfolio.DomainDeployment], 493},
		{"other", domains[portfolio.DomainOther], 312},
		{"product", domains[portfolio.DomainProduct], 300},
		{"design", domains[portfolio.DomainDesign], 257},
		{"coaching", domains[portfolio.DomainCoaching], 212},
		{"animation", domains[portfolio.DomainAnimation], 141},
		{"data", domains[portfolio.DomainData], 105},
		{"support", domains[portfolio.DomainSupport], 38},
		{"attributaire", domains[portfolio.DomainAttributaire], 21},
		{"administration-centrale", orgTypes["administration-centrale"], 81},
		{"autre", orgTypes["autre"], 23},
		{"operateur", orgTypes["operateur"], 18},
		{"service-deconcentre", orgTypes["service-deconcentre"], 13},
	}
	for _, tt := range tests {
		if !within(tt.got, tt.want, 0.10) {
			t.Errorf("%s: %d, want %d ±10%%", tt.name, tt.got, tt.want)
		}
	}
}

func TestReferencesAndSlugs(t *testing.T) {
	s := record(t, 2)
	for _, p := range s.problems {
		t.Error(p)
	}
	var (
		slugRE    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
		personRE  = regexp.MustCompile(`^[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*[0-9]*$`)
		missionRE = regexp.MustCompile(`^(.+)/([1-9][0-9]*)$`)
	)
	check := func(kind, slug string, re *regexp.Regexp) {
		if !re.MatchString(slug) {
			t.Errorf("%s slug %q is not lowercase ASCII with '-'", kind, slug)
		}
	}
	for slug := range s.organisations {
		check("organisation", slug, slugRE)
	}
	for slug := range s.incubators {
		check("incubator", slug, slugRE)
	}
	for slug := range s.teams {
		check("team", slug, slugRE)
	}
	committees := map[string]bool{}
	for _, x := range s.startups {
		check("startup", x.Slug, slugRE)
		for _, c := range x.Committees {
			if want := x.Slug + "/" + c.Date.String(); c.Slug != want {
				t.Errorf("committee slug %q, want %q", c.Slug, want)
			}
			if committees[c.Slug] {
				t.Errorf("committee %s twice", c.Slug)
			}
			committees[c.Slug] = true
		}
	}
	for _, m := range s.members {
		check("member", m.Slug, personRE)
		for k, ms := range m.Missions {
			sub := missionRE.FindStringSubmatch(ms.Slug)
			if sub == nil || sub[1] != m.Slug || sub[2] != fmt.Sprint(k+1) || ms.MemberSlug != m.Slug {
				t.Errorf("mission %d of %s: slug %q, member %q", k+1, m.Slug, ms.Slug, ms.MemberSlug)
			}
			if ms.Source != portfolio.SourceImported || !ms.Status.Valid() {
				t.Errorf("mission %s: source %q, status %q", ms.Slug, ms.Source, ms.Status)
			}
		}
	}
	for k, d := range s.phaseDefs {
		if want := portfolio.Phases[k]; d.Phase != want || d.Label != want.Label() || d.Order != k+1 {
			t.Errorf("phase definition %d = %+v, want %s %q order %d", k, d, want, want.Label(), k+1)
		}
	}
}

// TestSlugsUniqueAtScale100 checks the naming functions alone at scale 100,
// where names come back in later cycles.
func TestSlugsUniqueAtScale100(t *testing.T) {
	const scale = 100
	tests := []struct {
		kind string
		n    int
		slug func(int) string
	}{
		{"organisation", scale * orgsPerBlock, orgSlug},
		{"incubator", scale * incubatorsPerBlock, incubatorSlug},
		{"team", scale * teamsPerBlock, func(t int) string { return teamSlug(teamOf(t)) }},
		{"startup", scale * startupsPerBlock, func(i int) string { _, s := startupName(i); return s }},
		{"member", scale * membersPerBlock, func(j int) string { _, s := personName(j); return s }},
	}
	for _, tt := range tests {
		seen := make(map[string]int, tt.n)
		for i := range tt.n {
			s := tt.slug(i)
			if j, dup := seen[s]; dup {
				t.Errorf("%s slug %q for %d and %d", tt.kind, s, j, i)
				break
			}
			seen[s] = i
		}
	}
}

// TestSlugsMatchNames checks the precomputed slugs against slugify of the
// names they stand for. The fixture organisations are left out: their slugs
// are the real network's (dinum), not made from their names.
func TestSlugsMatchNames(t *testing.T) {
	for o := range 3 * orgsPerBlock {
		if orgFixtureAt(o) != nil {
			continue
		}
		name, _, _ := orgName(o)
		if got, want := orgSlug(o), slugify(name); got != want {
			t.Errorf("orgSlug(%d) = %q, slugify(%q) = %q", o, got, name, want)
		}
	}
	for i := range len(namePrefixes) * len(nameSuffixes) {
		name, slug := startupName(i)
		if want := slugify(name); slug != want {
			t.Errorf("startup %d: slug %q, slugify(%q) = %q", i, slug, name, want)
		}
	}
	for _, w := range [][]string{firstNames, lastNames, places, subjectNames} {
		seen := map[string]string{}
		for _, x := range w {
			if y, dup := seen[slugify(x)]; dup {
				t.Errorf("%q and %q have the same slug", x, y)
			}
			seen[slugify(x)] = x
		}
	}
}

// allowedSequence reports whether phases follow an order the network
// allows: investigation, construction, acceleration, consolidation in order
// (possibly starting directly in construction), then at most one final
// phase: abandon-investigation right after investigation, abandon, transfer
// or operated after construction or later.
func allowedSequence(phases []portfolio.PhasePeriod) bool {
	var last portfolio.Phase
	k := 0
	for ; k < len(phases) && phases[k].Phase.Active(); k++ {
		ph := phases[k].Phase
		switch {
		case last == "" && ph != portfolio.PhaseInvestigation && ph != portfolio.PhaseConstruction:
			return false
		case last != "" && ph.Rank() != last.Rank()+1:
			return false
		}
		last = ph
	}
	switch {
	case k == len(phases):
		return k > 0
	case k != len(phases)-1:
		return false
	}
	switch phases[k].Phase {
	case portfolio.PhaseInvestigationAbandoned:
		return last == "" || last == portfolio.PhaseInvestigation
	case portfolio.PhaseAbandoned, portfolio.PhaseTransferred, portfolio.PhaseOperated:
		return last.Rank() >= portfolio.PhaseConstruction.Rank()
	}
	return false
}

func TestAllowedSequence(t *testing.T) {
	seq := func(ps ...portfolio.Phase) []portfolio.PhasePeriod {
		out := make([]portfolio.PhasePeriod, len(ps))
		for i, p := range ps {
			out[i].Phase = p
		}
		return out
	}
	tests := []struct {
		phases []portfolio.PhasePeriod
		want   bool
	}{
		{seq(inv, cons, acc, consol, portfolio.PhaseTransferred), true},
		{seq(cons, acc), true},
		{seq(inv, portfolio.PhaseInvestigationAbandoned), true},
		{seq(inv, portfolio.PhaseAbandoned), false},
		{seq(inv, acc), false},
		{seq(cons, inv), false},
		{seq(inv, cons, portfolio.PhaseInvestigationAbandoned), false},
		{seq(portfolio.PhaseTransferred, inv), false},
		{seq(), false},
	}
	for _, tt := range tests {
		if got := allowedSequence(tt.phases); got != tt.want {
			t.Errorf("allowedSequence(%v) = %v, want %v", tt.phases, got, tt.want)
		}
	}
}

func TestPhaseHistories(t *testing.T) {
	s := record(t, 2)
	for _, x := range s.startups {
		ph := x.Phases
		if !allowedSequence(ph) {
			t.Errorf("%s: phase sequence %v not allowed", x.Slug, ph)
		}
		for k, p := range ph {
			switch {
			case !p.Phase.Valid() || p.Source != portfolio.SourceImported:
				t.Errorf("%s: phase %d is %q from %q", x.Slug, k, p.Phase, p.Source)
			case p.Start.IsZero() || p.Start > RefDate || p.Start < portfolio.MustDate("2010-01-01"):
				t.Errorf("%s: phase %s starts %s", x.Slug, p.Phase, p.Start)
			case k > 0 && p.Start < ph[k-1].Start:
				t.Errorf("%s: phase %s starts %s, before %s", x.Slug, p.Phase, p.Start, ph[k-1].Start)
			case k+1 < len(ph) && p.End != ph[k+1].Start:
				t.Errorf("%s: phase %s ends %s, the next starts %s", x.Slug, p.Phase, p.End, ph[k+1].Start)
			}
		}
	}
}

func TestTeamsAndActiveShareAtRefDate(t *testing.T) {
	s := record(t, 1)
	missions := allMissions(s)
	var sizes []int
	for _, x := range s.startups {
		if portfolio.ActiveAt(x.Phases, RefDate) {
			sizes = append(sizes, len(portfolio.TeamAt(missions, x.Slug, RefDate)))
		}
	}
	share := float64(len(sizes)) / float64(len(s.startups))
	if share < 0.25 || share > 0.45 {
		t.Errorf("active share at RefDate = %.2f, want 0.25–0.45", share)
	}
	if len(sizes) == 0 {
		t.Fatal("no active startup")
	}
	slices.Sort(sizes)
	if median := sizes[len(sizes)/2]; median < 2 || median > 12 {
		t.Errorf("median team size of active startups = %d, want 2–12 (sizes %v)", median, sizes)
	}
}

func TestMissionsWithinActiveLife(t *testing.T) {
	s := record(t, 1)
	startups := map[string]*portfolio.Startup{}
	for _, x := range s.startups {
		startups[x.Slug] = x
	}
	var onStartups, bad, open, future int
	for _, m := range s.members {
		for _, ms := range m.Missions {
			if ms.End.IsZero() {
				open++
			} else if ms.End > RefDate {
				future++
			}
			if !ms.End.IsZero() && ms.End < ms.Start {
				t.Errorf("mission %s ends %s before it starts %s", ms.Slug, ms.End, ms.Start)
			}
			if len(ms.Startups) > 0 {
				onStartups++
			}
			for _, slug := range ms.Startups {
				x := startups[slug]
				last := x.Phases[len(x.Phases)-1]
				inside := ms.Start >= portfolio.EarliestStart(x.Phases) &&
					(last.Phase.Active() || (!ms.End.IsZero() && ms.End <= last.Start))
				if !inside {
					bad++
					if bad <= 5 {
						t.Errorf("mission %s (%s to %s) outside the active life of %s %v", ms.Slug, ms.Start, ms.End, slug, x.Phases)
					}
				}
			}
		}
	}
	n := len(allMissions(s))
	if share := float64(onStartups) / float64(n); share < 0.75 || share > 0.88 {
		t.Errorf("share of missions on startups = %.2f, want about 0.8", share)
	}
	if open == 0 || future == 0 {
		t.Errorf("%d open-ended missions and %d ending after RefDate, want some of both", open, future)
	}
}

func TestMissionStatusShares(t *testing.T) {
	missions := allMissions(record(t, 1))
	counts := map[portfolio.MissionStatus]int{}
	for _, m := range missions {
		counts[m.Status]++
	}
	tests := []struct {
		status portfolio.MissionStatus
		want   float64
	}{
		{portfolio.StatusAdmin, 1574.0 / 4761},
		{portfolio.StatusIndependent, 2581.0 / 4761},
		{portfolio.StatusService, 606.0 / 4761},
	}
	for _, tt := range tests {
		got := float64(counts[tt.status]) / float64(len(missions))
		if math.Abs(got-tt.want) > 0.03 {
			t.Errorf("%s share = %.3f, want %.3f ±0.03", tt.status, got, tt.want)
		}
	}
}

func TestCommittees(t *testing.T) {
	s := record(t, 1)
	var overdue, withBudget, total int
	decisions := map[portfolio.Decision]int{}
	for _, x := range s.startups {
		var committees []*portfolio.Committee
		events := 0
		for _, e := range x.Events {
			if e.Name == "committee" {
				events++
			}
		}
		if events != len(x.Committees) {
			t.Errorf("%s: %d committee events for %d committees", x.Slug, events, len(x.Committees))
		}
		for k, c := range x.Committees {
			total++
			decisions[c.Decision]++
			committees = append(committees, &x.Committees[k])
			if c.BudgetEuros != nil {
				withBudget++
				if b := *c.BudgetEuros; b < 50_000 || b > 1_200_000 || b%10_000 != 0 {
					t.Errorf("committee %s: budget %d", c.Slug, b)
				}
			}
			if !c.Decision.Valid() || c.Source != portfolio.SourceImported || c.Comment == "" {
				t.Errorf("committee %s: decision %q, source %q, comment %q", c.Slug, c.Decision, c.Source, c.Comment)
			}
			if k > 0 && c.Date <= x.Committees[k-1].Date {
				t.Errorf("committee %s: not after the previous one", c.Slug)
			}
			if !portfolio.ActiveAt(x.Phases, c.Date) {
				t.Errorf("committee %s: startup not active then", c.Slug)
			}
			// The phase the startup moves to next, after the committee.
			var next portfolio.Phase
			for _, p := range x.Phases {
				if p.Start > c.Date {
					next = p.Phase
					break
				}
			}
			switch c.Decision {
			case portfolio.DecisionAdvance, portfolio.DecisionStop, portfolio.DecisionTransfer:
				if c.NextPhase != next {
					t.Errorf("committee %s: %s to %q, but the startup moves on to %q", c.Slug, c.Decision, c.NextPhase, next)
				}
			}
			if c.Decision == portfolio.DecisionStop && next != portfolio.PhaseAbandoned && next != portfolio.PhaseInvestigationAbandoned {
				t.Errorf("committee %s: STOP before %q", c.Slug, next)
			}
			if due := c.NextCommitteeDue; !due.IsZero() && (due.DaysSince(c.Date) < 170 || due.DaysSince(c.Date) > 190) {
				t.Errorf("committee %s: next due %s", c.Slug, due)
			}
		}
		if portfolio.ReviewStatusAt(x.Phases, committees, RefDate) == portfolio.ReviewOverdue {
			overdue++
		}
	}
	if overdue == 0 {
		t.Error("no startup is overdue for a committee at RefDate")
	}
	if withBudget < total*7/10 {
		t.Errorf("%d of %d committees have a budget, want most", withBudget, total)
	}
	for _, d := range []portfolio.Decision{portfolio.DecisionContinue, portfolio.DecisionAdvance, portfolio.DecisionAdjust,
		portfolio.DecisionStop, portfolio.DecisionTransfer, portfolio.DecisionUnspecified} {
		if decisions[d] == 0 {
			t.Errorf("no committee decides %s", d)
		}
	}
	if decisions[portfolio.DecisionContinue] < total/3 {
		t.Errorf("%d of %d committees CONTINUE, want the most common", decisions[portfolio.DecisionContinue], total)
	}
}

func TestEventsAndFast(t *testing.T) {
	s := record(t, 1)
	names := map[string]int{}
	fast := 0
	for _, x := range s.startups {
		for k, e := range x.Events {
			names[e.Name]++
			if k > 0 && e.Date < x.Events[k-1].Date {
				t.Errorf("%s: events not in date order", x.Slug)
			}
		}
		if x.Fast != nil {
			fast++
			if x.Fast.Promotion < 1 || x.Fast.AmountEuros <= 0 {
				t.Errorf("%s: FAST %+v", x.Slug, *x.Fast)
			}
		}
		if n := len(x.Sponsors); n > 3 {
			t.Errorf("%s: %d sponsors", x.Slug, n)
		}
	}
	for _, n := range []string{"committee", "product_launch", "national_impact", "fast", "end", "other"} {
		if names[n] == 0 {
			t.Errorf("no %s event", n)
		}
	}
	if share := float64(fast) / float64(len(s.startups)); share < 0.04 || share > 0.10 {
		t.Errorf("FAST share = %.3f, want about 0.07", share)
	}
}

func TestNamesAreWords(t *testing.T) {
	s := record(t, 1)
	for _, x := range s.startups[:50] {
		if x.Name == "" || x.Pitch == "" || !strings.HasSuffix(x.Pitch, ".") || strings.Contains(x.Pitch, "%!") {
			t.Errorf("%s: name %q, pitch %q", x.Slug, x.Name, x.Pitch)
		}
	}
	for _, m := range s.members[:50] {
		if f := strings.Fields(m.Fullname); len(f) < 2 || m.Role == "" {
			t.Errorf("%s: fullname %q, role %q", m.Slug, m.Fullname, m.Role)
		}
	}
}

func TestOptions(t *testing.T) {
	ctx := context.Background()
	if _, err := Generate(ctx, discardSink{}, Options{Scale: 0}); err == nil {
		t.Error("Generate(scale 0): no error")
	}

	var calls, last, total int
	monotone := true
	_, err := Generate(ctx, discardSink{}, Options{Scale: 1, Progress: func(done, tot int) {
		calls++
		monotone = monotone && done > last
		last, total = done, tot
	}})
	if err != nil {
		t.Fatal(err)
	}
	if want := startupsPerBlock + membersPerBlock; calls < 2 || !monotone || last != want || total != want {
		t.Errorf("progress: %d calls, monotone %v, last (%d, %d), want (%d, %d)", calls, monotone, last, total, want, want)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, discardSink{}, Options{Scale: 1}); !errors.Is(err, context.Canceled) {
		t.Errorf("Generate(cancelled): %v, want context.Canceled", err)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	c, err := Generate(ctx, discardSink{}, Options{Scale: 5, Progress: func(done, _ int) {
		if done >= 2*progressEvery {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Generate cancelled midway: %v, want context.Canceled", err)
	}
	if n := c.Startups + c.Members; n != 2*progressEvery {
		t.Errorf("cancelled midway after %d records, want %d", n, 2*progressEvery)
	}
}

// failSink fails on the first startup.
type failSink struct{ discardSink }

var errFull = errors.New("disk full")

func (failSink) PutStartup(context.Context, *portfolio.Startup) error { return errFull }

func TestSinkError(t *testing.T) {
	c, err := Generate(context.Background(), failSink{}, Options{Scale: 1})
	if !errors.Is(err, errFull) {
		t.Errorf("Generate: %v, want it to wrap %v", err, errFull)
	}
	if c.Startups != 0 || c.Members != 0 || c.Organisations != orgsPerBlock {
		t.Errorf("counts after failure = %+v", c)
	}
}

// TestStreaming generates scale 20 into a discarding sink and samples the
// heap during the run: it must stay small, as the generator keeps no record
// (holding them all takes some 65 MB after a GC).
func TestStreaming(t *testing.T) {
	if testing.Short() {
		t.Skip("scale 20 in -short mode")
	}
	const bound = 32 << 20
	clear(generated) // the other tests' records
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	samples := 0
	_, err := Generate(context.Background(), discardSink{}, Options{Scale: 20, Progress: func(done, _ int) {
		if done%(8*progressEvery) == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			samples++
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if samples < 5 {
		t.Fatalf("only %d heap samples", samples)
	}
	if peak > bound {
		t.Errorf("peak HeapInuse %d MB, want under %d MB", peak>>20, bound>>20)
	}
	t.Logf("peak HeapInuse %.1f MB over %d samples (%.1f MB before the run)", float64(peak)/(1<<20), samples, float64(base)/(1<<20))
}

func BenchmarkGenerate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Generate(context.Background(), discardSink{}, Options{Scale: 10}); err != nil {
			b.Fatal(err)
		}
	}
}
