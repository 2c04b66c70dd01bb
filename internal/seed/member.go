package seed

import (
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// domainSpec says how the members of one domain are drawn.
type domainSpec struct {
	domain    portfolio.Domain
	perBlock  int    // members of the domain among membersPerBlock
	status    *table // admin, independent, service
	noStartup int    // per mille of missions on no startup
	team      int    // per mille of members in an incubator team
	roles     []string
	skills    []string
}

// domainSpecs follow the real network's 3,484 members. The statuses are set
// per domain (intrapreneurs are public agents, developers mostly
// freelancers) so that the missions come out about 33% admin, 54%
// independent and 13% service.
var domainSpecs = []domainSpec{
	{portfolio.DomainDevelopment, 968, newTable(80, 700, 220), 100, 0,
		[]string{"Développeur·se", "Développeur full-stack", "Développeuse back-end", "Tech lead"},
		[]string{"Go", "Python", "JavaScript", "TypeScript", "Ruby", "DevOps", "PostgreSQL", "Sécurité"}},
	{portfolio.DomainIntrapreneur, 637, newTable(950, 40, 10), 120, 0,
		[]string{"Intrapreneur", "Intrapreneuse", "Porteur de projet"},
		[]string{"Pilotage", "Connaissance métier", "Conduite du changement", "Achats publics"}},
	{portfolio.DomainDeployment, 493, newTable(250, 650, 100), 150, 0,
		[]string{"Chargé de déploiement", "Chargée de déploiement", "Business developer"},
		[]string{"Déploiement", "Animation de réseau", "Formation", "Relation usagers"}},
	{portfolio.DomainOther, 312, newTable(450, 400, 150), 450, 50,
		[]string{"Chargé de mission", "Juriste", "Chargée de communication"},
		[]string{"Juridique", "Communication", "Gestion administrative"}},
	{portfolio.DomainProduct, 300, newTable(150, 700, 150), 120, 0,
		[]string{"Product manager", "Product owner", "Cheffe de produit"},
		[]string{"Product management", "Mesure d'impact", "Priorisation", "Ateliers"}},
	{portfolio.DomainDesign, 257, newTable(80, 770, 150), 120, 0,
		[]string{"Designer UX", "Designer UI", "Designer de services"},
		[]string{"Recherche utilisateur", "UX", "UI", "Accessibilité", "Design system"}},
	{portfolio.DomainCoaching, 212, newTable(100, 850, 50), 350, 200,
		[]string{"Coach", "Coach produit", "Coach agile"},
		[]string{"Coaching", "Facilitation", "Méthode agile"}},
	{portfolio.DomainAnimation, 141, newTable(600, 350, 50), 700, 500,
		[]string{"Animateur de l'incubateur", "Responsable de portefeuille", "Chargée d'animation"},
		[]string{"Animation", "Comités d'investissement", "Suivi de portefeuille"}},
	{portfolio.DomainData, 105, newTable(150, 600, 250), 200, 0,
		[]string{"Data scientist", "Data analyst", "Data engineer"},
		[]string{"Data science", "SQL", "Visualisation", "Open data"}},
	{portfolio.DomainSupport, 38, newTable(300, 500, 200), 500, 0,
		[]string{"Chargé de support", "Support usagers"},
		[]string{"Support", "Documentation"}},
	{portfolio.DomainAttributaire, 21, newTable(1, 100, 899), 300, 0,
		[]string{"Attributaire"},
		[]string{"Gestion de marché"}},
}

// domainLayout maps a member's position in its block to its domain, so that
// every block has exactly the shares above.
var domainLayout = func() (l [membersPerBlock]uint8) {
	n := 0
	for k, d := range domainSpecs {
		for range d.perBlock {
			l[n] = uint8(k)
			n++
		}
	}
	if n != membersPerBlock {
		panic("seed: domains do not add up to a block")
	}
	return l
}()

var (
	domainPerm = newPerm(membersPerBlock)
	// missionCounts: most members have one mission, some two to eight
	// (1.37 on average, as in the real network).
	missionCounts = newTable(805, 110, 39, 20, 14, 6, 4, 2)
	// extraStartups: how many startups beyond the first a mission lists.
	extraStartups = newTable(870, 85, 28, 12, 5)
	// missionYears weights the start year of missions on no startup,
	// 2014 to 2026.
	missionYears    = newTable(13, 17, 38, 83, 204, 232, 318, 600, 669, 699, 830, 640, 414)
	missionDuration = newTable(400, 400, 200)
	earliestMission = portfolio.MustDate("2014-01-01")
)

const (
	maxMissions = 8
	// missionSpan is about how many days of a startup's life a mission
	// covers.
	missionSpan = 400
)

// memberRecord builds member j. Its missions are placed on startups drawn
// by recomputing their plans, weighted by how long and how staffed their
// active life is, so that teams at a date look like the network's.
func memberRecord(scale, j int) *portfolio.Member {
	r := newRNG(streamMember, j)
	fullname, slug := personName(j)
	spec := &domainSpecs[domainLayout[domainPerm.at(j%membersPerBlock, j/membersPerBlock)]]
	m := &portfolio.Member{
		Slug:     slug,
		Fullname: fullname,
		Role:     spec.roles[r.intn(len(spec.roles))],
		Domain:   spec.domain,
		Bio:      memberBioOf(j),
	}
	if r.chance(650) {
		m.Competences = pickDistinct(&r, spec.skills, r.between(1, min(4, len(spec.skills))))
	}
	if r.chance(450) {
		m.Github = strings.ReplaceAll(slug, ".", "-")
	}
	if r.chance(350) {
		m.Link = "https://profils.example.org/" + slug
	}
	switch {
	case spec.domain == portfolio.DomainAttributaire:
		m.MemberType = "attributaire"
	case r.chance(200):
		m.MemberType = "beta"
	case r.chance(50):
		m.MemberType = "autre"
	}

	g := missionGen{r: &r, scale: scale, nStartups: scale * startupsPerBlock, spec: spec, incubator: -1}
	if f := memberFixtureAt(j); f != nil {
		m.Missions = f.records()
	} else {
		m.Missions = g.missions(1 + r.pick(missionCounts))
	}
	for k := range m.Missions {
		ms := &m.Missions[k]
		ms.Slug = slug + "/" + strconv.Itoa(k+1)
		ms.MemberSlug = slug
		ms.Source = portfolio.SourceImported
	}

	if r.chance(spec.team) {
		inc := g.incubator
		if inc < 0 {
			inc = (j%scale)*incubatorsPerBlock + r.intn(incubatorsPerBlock)
		}
		kind := 0
		if inc%incubatorsPerBlock < incubatorsWithTwoTeams && r.chance(400) {
			kind = 1
		}
		m.Teams = []string{teamSlug(inc, kind)}
	}
	return m
}

// missionGen draws the missions of one member.
type missionGen struct {
	r         *rng
	scale     int
	nStartups int
	spec      *domainSpec
	incubator int // incubator of the member's first startup, or -1
}

// missions returns n missions sorted by start, the last one open-ended
// sometimes when it runs past RefDate.
func (g *missionGen) missions(n int) []portfolio.Mission {
	r := g.r
	ms := make([]portfolio.Mission, 0, n)
	var primary [maxMissions]int         // the first startup of each mission, or -1
	var caps [maxMissions]portfolio.Date // by when each mission must end
	earliest := RefDate
	status := portfolio.MissionStatuses[r.pick(g.spec.status)]
	for k := 0; k < n; k++ {
		if k > 0 && r.chance(300) {
			status = portfolio.MissionStatuses[r.pick(g.spec.status)]
		}
		var ms1 portfolio.Mission
		primary[k] = -1
		block := -1 // the block of the mission's first startup
		switch {
		case k == 0 && r.chance(g.spec.noStartup):
			ms1 = g.free(freeStart(r))
		case k == 0:
			// A mission covering a date drawn in the startup's active life,
			// so that coverage is even over that life.
			p, u := g.pickStartup()
			d := g.days()
			ms1, caps[k] = g.onStartup(&p, max(u.AddDays(-r.intn(d)), p.winStart), d)
			primary[k], block = p.index, p.block
		default:
			prev := &ms[k-1]
			if primary[k-1] >= 0 && r.chance(550) {
				// A renewal on the same startups, sometimes overlapping,
				// while they are all still in incubation.
				p := planOf(g.scale, primary[k-1])
				limit := min(p.startCap, caps[k-1])
				s := prev.End.AddDays(r.between(1, 20))
				if r.chance(150) {
					s = prev.End.AddDays(-r.between(10, 60))
				}
				s = max(s, p.winStart, prev.Start)
				if s < limit {
					caps[k] = caps[k-1]
					ms1 = portfolio.Mission{Start: s, End: g.end(s, caps[k]), Startups: append([]string(nil), prev.Startups...)}
					primary[k], block = p.index, p.block
					break
				}
			}
			// A new engagement around the end of the previous one, or an
			// earlier one when that would be in the future.
			t := prev.End.AddDays(r.between(-45, 90))
			if t > RefDate.AddDays(startLeadDays) {
				t = earliest.AddDays(-r.between(60, 900))
			}
			if t < earliestMission {
				t = earliestMission.AddDays(r.intn(365))
			}
			if !r.chance(g.spec.noStartup) {
				if p, ok := g.startupAt(t); ok {
					ms1, caps[k] = g.onStartup(&p, t, g.days())
					primary[k], block = p.index, p.block
					break
				}
			}
			ms1 = g.free(t)
		}
		ms1.Status = status
		ms1.Employer = g.employer(status, block)
		ms = append(ms, ms1)
		earliest = min(earliest, ms1.Start)
	}
	// Sort by start (insertion sort, stable: a member has a few missions).
	for a := 1; a < len(ms); a++ {
		for b := a; b > 0 && ms[b].Start < ms[b-1].Start; b-- {
			ms[b], ms[b-1] = ms[b-1], ms[b]
		}
	}
	if last := &ms[len(ms)-1]; last.End > RefDate && r.chance(250) {
		last.End = 0
	}
	return ms
}

// pickStartup draws a startup and a date in its active life, weighted by
// the length of that life (short lives count as missionSpan, since their
// missions are cut short) and its staffing at the date.
func (g *missionGen) pickStartup() (plan, portfolio.Date) {
	r := g.r
	var p plan
	var s portfolio.Date
	for range 100_000 {
		p = planOf(g.scale, r.intn(g.nStartups))
		w := p.winEnd.DaysSince(p.winStart)
		if w <= 0 {
			continue
		}
		s = p.winStart.AddDays(r.intn(w))
		if r.intn(maxWindow*1000) < min(max(w, missionSpan), maxWindow)*staffing(p.phaseAt(s)) {
			break
		}
	}
	return p, s
}

// startupAt draws a startup in its active life at t, if it finds one.
func (g *missionGen) startupAt(t portfolio.Date) (plan, bool) {
	r := g.r
	for range 60 {
		p := planOf(g.scale, r.intn(g.nStartups))
		if p.winStart <= t && t < p.startCap && r.intn(1000) < staffing(p.phaseAt(t)) {
			return p, true
		}
	}
	return plan{}, false
}

// onStartup returns a mission of d days starting at s on startup p, and
// sometimes on other startups active then; it ends by the end of their
// active lives, which it returns too.
func (g *missionGen) onStartup(p *plan, s portfolio.Date, d int) (portfolio.Mission, portfolio.Date) {
	r := g.r
	if g.incubator < 0 {
		g.incubator = p.incubator
	}
	_, slug := startupName(p.index)
	s = min(s, p.startCap)
	endCap := p.endCap
	var sts []string
	if extra := r.pick(extraStartups); extra == 0 {
		sts = []string{slug}
	} else {
		sts = make([]string, 1, 1+extra)
		sts[0] = slug
		for range extra {
			q, ok := g.startupAt(s)
			if !ok {
				continue
			}
			if _, qs := startupName(q.index); !contains(sts, qs) {
				sts = append(sts, qs)
				endCap = min(endCap, q.endCap)
			}
		}
	}
	return portfolio.Mission{Start: s, End: min(s.AddDays(d), max(endCap, s)), Startups: sts}, endCap
}

// free returns a mission starting at s on no startup.
func (g *missionGen) free(s portfolio.Date) portfolio.Mission {
	return portfolio.Mission{Start: s, End: s.AddDays(g.days())}
}

// end returns the end of a mission starting at s, by endCap.
func (g *missionGen) end(s, endCap portfolio.Date) portfolio.Date {
	e := s.AddDays(g.days())
	if e > endCap {
		e = max(endCap, s)
	}
	return e
}

// days draws the length of a mission: months to years.
func (g *missionGen) days() int {
	switch g.r.pick(missionDuration) {
	case 0:
		return g.r.between(60, 365)
	case 1:
		return g.r.between(365, 900)
	default:
		return g.r.between(900, 1800)
	}
}

// freeStart draws the start of a mission on no startup.
func freeStart(r *rng) portfolio.Date {
	s := portfolio.NewDate(2014+r.pick(missionYears), 1, 1).AddDays(r.intn(365))
	if s > RefDate {
		s = RefDate.AddDays(-r.intn(60))
	}
	return s
}

// employer names who employs the member on a mission: an organisation of
// the network for public agents, a cooperative or a contractor otherwise.
// block is the block of the mission's startup, or -1.
func (g *missionGen) employer(status portfolio.MissionStatus, block int) string {
	r := g.r
	switch status {
	case portfolio.StatusAdmin:
		if !r.chance(850) {
			return ""
		}
		if block < 0 {
			block = r.intn(g.scale)
		}
		name, _, _ := orgName(block*orgsPerBlock + r.pick(sponsorLocals))
		return name
	case portfolio.StatusIndependent:
		if r.chance(400) {
			return ""
		}
		return freelanceEmployers[r.intn(len(freelanceEmployers))]
	default:
		return serviceEmployers[r.intn(len(serviceEmployers))]
	}
}
