package seed

import (
	"slices"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The fixtures (see the package comment) take the place of generated
// records of the first block with the same index: organisations of the
// same kind, the incubators of the same size, startups whose generated
// history ends in the same phase, members of the same domain. Members keep
// their generated names and roles; only their missions are fixed.

// orgFixture is a fixed organisation: organisation index of the first
// block.
type orgFixture struct {
	index                             int
	slug, name, acronym, typ, domaine string
}

// orgFixtures are the owners of incubators 0 and 2 of the first block,
// administrations centrales like the generated organisations they replace;
// the first is the block's most frequent sponsor.
var orgFixtures = []orgFixture{
	{orgDINUM, "dinum", "Direction interministérielle du numérique", "DINUM", "administration-centrale", "spm"},
	{orgMTES, "mtes", "Ministère de la Transition écologique", "MTE", "administration-centrale", "environnement"},
}

// orgFixtureAt returns the fixture that is organisation o, or nil.
func orgFixtureAt(o int) *orgFixture {
	for k := range orgFixtures {
		if orgFixtures[k].index == o {
			return &orgFixtures[k]
		}
	}
	return nil
}

// incubatorFixtures are incubators 0 and 2 of the first block: the largest
// and the third largest, as dinum and mtes are in the real network.
var incubatorFixtures = []struct {
	index       int
	slug, title string
}{
	{incubatorDINUM, "dinum", "Incubateur interministériel du numérique"},
	{incubatorMTES, "mtes", "Fabrique numérique de la transition écologique"},
}

// incubatorFixtureAt returns the slug and title of incubator k if it is a
// fixture.
func incubatorFixtureAt(k int) (slug, title string, ok bool) {
	for _, f := range incubatorFixtures {
		if f.index == k {
			return f.slug, f.title, true
		}
	}
	return "", "", false
}

// Organisation and incubator indexes of the fixtures: each incubator is run
// by the organisation of the same slug (incubatorOwner).
const (
	orgDINUM       = 0
	orgMTES        = 2
	incubatorDINUM = 0
	incubatorMTES  = 2
)

// committeeFixture is a fixed investment committee.
type committeeFixture struct {
	date     string
	decision portfolio.Decision
	next     portfolio.Phase
	budget   int64
	comment  string
}

// startupFixture is a fixed startup.
type startupFixture struct {
	slug, name, pitch string
	// users and action complete the description's problem statement.
	users, action string
	incubator     int   // global incubator index
	sponsors      []int // global organisation indexes
	phases        []span
	committees    []committeeFixture
	events        []portfolio.StartupEvent
	fast          *portfolio.Fast
	thematiques   []string
	usertypes     []string
	techno        []string
	review        reviewFixture
}

var startupFixtures = []startupFixture{
	{
		slug:  "dossierfacile",
		name:  "DossierFacile",
		pitch: "Aider les candidats locataires à constituer un dossier de location complet et vérifié.",
		users: "candidats locataires", action: "constituer un dossier de location que les propriétaires acceptent",
		incubator: incubatorMTES,
		sponsors:  []int{orgMTES},
		phases: []span{
			{portfolio.PhaseInvestigation, portfolio.MustDate("2018-11-05")},
			{portfolio.PhaseConstruction, portfolio.MustDate("2019-04-01")},
			{portfolio.PhaseAcceleration, portfolio.MustDate("2020-06-15")},
			{portfolio.PhaseConsolidation, portfolio.MustDate("2024-10-14")},
		},
		committees: []committeeFixture{
			{"2025-03-11", portfolio.DecisionContinue, "", 600_000, "Poursuite de la consolidation : le service est utilisé dans tous les départements."},
			{"2025-09-16", portfolio.DecisionAdjust, "", 450_000, "Ajustement : préparer la reprise du service par l'administration."},
			{"2026-03-17", portfolio.DecisionContinue, "", 400_000, "Poursuite : la reprise par l'administration est engagée."},
		},
		events: []portfolio.StartupEvent{
			{Name: "product_launch", Date: portfolio.MustDate("2019-09-16"), Comment: "Ouverture aux premiers usagers."},
			{Name: "national_impact", Date: portfolio.MustDate("2021-03-01"), Comment: "Déploiement national."},
			{Name: "fast", Date: portfolio.MustDate("2023-03-06"), Comment: "Lauréat FAST, promotion 3."},
		},
		fast:        &portfolio.Fast{Promotion: 3, AmountEuros: 300_000},
		thematiques: []string{"Logement", "Administratif"},
		usertypes:   []string{"particulier"},
		techno:      []string{"vue", "java", "postgresql"},
		review: reviewFixture{homologation: boolp(true), riskAnalysis: boolp(true), stats: boolp(true), redirectFrom: []string{"locatio"},
			incubatorContact: true, phaseComment: "Entretiens avec des candidats locataires et des propriétaires ; un prototype de dossier testé en agence."},
	},
	{
		slug:  "acces-cible",
		name:  "Accès cible",
		pitch: "Permettre aux administrations de mesurer et d'améliorer l'accessibilité de leurs sites.",
		users: "administrations", action: "savoir si leurs sites sont accessibles à toutes et à tous",
		incubator: incubatorDINUM,
		sponsors:  []int{orgDINUM},
		phases: []span{
			{portfolio.PhaseInvestigation, portfolio.MustDate("2024-05-13")},
			{portfolio.PhaseConstruction, portfolio.MustDate("2024-10-07")},
		},
		committees: []committeeFixture{
			{"2024-09-24", portfolio.DecisionAdvance, portfolio.PhaseConstruction, 300_000, "Validation du passage en construction."},
			{"2025-03-18", portfolio.DecisionContinue, "", 400_000, "Poursuite : premiers audits menés avec trois ministères."},
			{"2025-10-07", portfolio.DecisionAdjust, "", 350_000, "Ajustement : recentrer l'équipe sur l'outil d'audit."},
		},
		thematiques: []string{"Inclusion numérique", "Outil technique"},
		usertypes:   []string{"etat", "collectivite-territoriale"},
		techno:      []string{"ruby", "rails"},
		review:      reviewFixture{homologation: boolp(false), riskAnalysis: boolp(false), stats: boolp(false), dinumContact: true},
	},
}

// startupFixtureIndex gives, for each startup index of the first block,
// 1 + the fixture that takes its place, or 0. A fixture replaces the first
// startup whose generated history ends in the fixture's current phase, so
// that every block keeps the shares of outcomes.
var startupFixtureIndex = func() (ix [startupsPerBlock]int8) {
	for k := range startupFixtures {
		f := &startupFixtures[k]
		want := f.phases[len(f.phases)-1].phase
		for i := range startupsPerBlock {
			if ix[i] == 0 && outcomes[outcomeLayout[outcomePerm.at(i, 0)]].phase == want {
				ix[i] = int8(k + 1)
				break
			}
		}
	}
	return ix
}()

// startupFixtureAt returns the fixture that is startup i, or nil.
func startupFixtureAt(i int) *startupFixture {
	if i < startupsPerBlock {
		if k := startupFixtureIndex[i]; k > 0 {
			return &startupFixtures[k-1]
		}
	}
	return nil
}

// plan returns the plan of the fixture, startup i.
func (f *startupFixture) plan(i int) plan {
	p := plan{index: i, n: len(f.phases), incubator: f.incubator, block: f.incubator / incubatorsPerBlock}
	copy(p.spans[:], f.phases)
	p.setWindow()
	return p
}

// record builds the fixture's startup record. Like a generated one, its
// description ends with the sentence that marks synthetic startups and its
// links are on example.org.
func (f *startupFixture) record(p *plan) *portfolio.Startup {
	site := "https://" + f.slug + ".example.org"
	s := &portfolio.Startup{
		Slug:          f.slug,
		Name:          f.name,
		Pitch:         f.pitch,
		IncubatorSlug: incubatorSlug(f.incubator),
		Description: "## Problème\n\nLes " + f.users + " peinent aujourd'hui à " + f.action + ".\n\n" +
			"## Solution\n\n" + f.name + " leur propose un service simple, construit avec eux et amélioré en continu.\n",
		Thematiques:         slices.Clone(f.thematiques),
		Usertypes:           slices.Clone(f.usertypes),
		Techno:              slices.Clone(f.techno),
		Link:                site,
		Repository:          "https://git.example.org/" + incubatorSlug(f.incubator) + "/" + f.slug,
		Contact:             "contact@" + f.slug + ".example.org",
		AccessibilityStatus: "partiellement conforme",
		StatsURL:            site + "/stats",
	}
	for _, o := range f.sponsors {
		s.Sponsors = append(s.Sponsors, orgSlug(o))
	}
	s.Phases = make([]portfolio.PhasePeriod, p.n)
	for k := 0; k < p.n; k++ {
		s.Phases[k] = portfolio.PhasePeriod{Phase: p.spans[k].phase, Start: p.spans[k].start, Source: portfolio.SourceImported}
		if k+1 < p.n {
			s.Phases[k].End = p.spans[k+1].start
		}
	}
	for _, c := range f.committees {
		d := portfolio.MustDate(c.date)
		b := c.budget
		cm := portfolio.Committee{
			Slug:        f.slug + "/" + c.date,
			StartupSlug: f.slug,
			Date:        d,
			Decision:    c.decision,
			NextPhase:   c.next,
			BudgetEuros: &b,
			Comment:     c.comment,
			Source:      portfolio.SourceImported,
		}
		if c.next == "" || c.next.Active() {
			cm.NextCommitteeDue = d.AddMonths(6)
		}
		s.Committees = append(s.Committees, cm)
		s.Events = append(s.Events, portfolio.StartupEvent{Name: "committee", Date: d, Comment: c.comment})
	}
	s.Events = append(s.Events, f.events...)
	sortEvents(s.Events)
	if f.fast != nil {
		fast := *f.fast
		s.Fast = &fast
	}
	f.review.apply(p, s)
	return s
}

// missionFixture is a fixed mission; an empty end is open-ended.
type missionFixture struct {
	start, end string
	status     portfolio.MissionStatus
	employer   string
	startups   []string
}

// memberFixture gives the missions of a generated member of the given
// domain: its name, slug, role and skills stay those the generator draws.
type memberFixture struct {
	domain   portfolio.Domain
	missions []missionFixture
}

// memberFixtures put a team on the fixed startups whatever the date: their
// missions are open-ended, so the team of dossierfacile today is never
// empty, and it has public agents, freelancers and contractors.
var memberFixtures = []memberFixture{
	{portfolio.DomainIntrapreneur, []missionFixture{
		{"2023-01-09", "", portfolio.StatusAdmin, "Ministère de la Transition écologique", []string{"dossierfacile"}},
	}},
	{portfolio.DomainDevelopment, []missionFixture{
		{"2021-02-01", "2023-12-22", portfolio.StatusIndependent, "Coopérative Tangente", []string{"dossierfacile"}},
		{"2024-01-08", "", portfolio.StatusIndependent, "Coopérative Tangente", []string{"dossierfacile"}},
	}},
	{portfolio.DomainDesign, []missionFixture{
		{"2025-01-06", "", portfolio.StatusService, "Studio Pervenche", []string{"dossierfacile"}},
	}},
	{portfolio.DomainProduct, []missionFixture{
		{"2024-06-03", "2025-05-30", portfolio.StatusIndependent, "", []string{"acces-cible"}},
		{"2025-06-02", "", portfolio.StatusIndependent, "", []string{"dossierfacile", "acces-cible"}},
	}},
	{portfolio.DomainDevelopment, []missionFixture{
		{"2024-10-07", "", portfolio.StatusService, "Octant Services", []string{"acces-cible"}},
	}},
}

// memberFixtureIndex gives, for each member index of the first block, 1 +
// the fixture whose missions it has, or 0: the first members of each
// fixture's domain.
var memberFixtureIndex = func() (ix [membersPerBlock]int8) {
	for k, f := range memberFixtures {
		for j := range membersPerBlock {
			if ix[j] == 0 && domainSpecs[domainLayout[domainPerm.at(j, 0)]].domain == f.domain {
				ix[j] = int8(k + 1)
				break
			}
		}
	}
	return ix
}()

// memberFixtureAt returns the fixture of member j, or nil.
func memberFixtureAt(j int) *memberFixture {
	if j < membersPerBlock {
		if k := memberFixtureIndex[j]; k > 0 {
			return &memberFixtures[k-1]
		}
	}
	return nil
}

// records returns the fixture's missions.
func (f *memberFixture) records() []portfolio.Mission {
	ms := make([]portfolio.Mission, len(f.missions))
	for k, m := range f.missions {
		ms[k] = portfolio.Mission{
			Start:    portfolio.MustDate(m.start),
			Status:   m.status,
			Employer: m.employer,
			Startups: slices.Clone(m.startups),
		}
		if m.end != "" {
			ms[k].End = portfolio.MustDate(m.end)
		}
	}
	return ms
}
