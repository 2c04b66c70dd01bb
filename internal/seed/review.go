package seed

import (
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The fields of a portfolio review: quality markers, portfolio managers,
// co-incubation, old slugs, phase comments, members' biographies. They are
// drawn from streams of their own (streamReviewStartup,
// streamReviewMember), so that every other field is what it was before
// they existed. The shares follow the real network in August 2026: a
// quarter of the startups say whether they have a security homologation
// (71 of 662 yes) or a risk analysis (67 yes), half whether they publish
// statistics (143 yes); a few dozen active startups name who follows them
// for the DINUM (34) or their incubator (19); 1,466 of 3,484 members have
// a biography.

// The shares of the review's fields, per mille.
const (
	homologationSaid = 255 // of which yes: homologationYes
	homologationYes  = 420
	riskSaid         = 263
	riskYes          = 385
	riskURL          = 70 // of the yes
	statsSaid        = 506
	statsYes         = 427
	dinumContact     = 150 // of the active startups
	incubatorContact = 85
	coIncubation     = 3
	formerSlug       = 77
	phaseComment     = 11
	memberBio        = 420
)

// dinumFollowers are the members (local indexes of a block) who follow
// startups for the DINUM, with their weights: a few follow most of them.
var (
	dinumFollowers = []int{7, 297, 587, 877, 1167, 1457, 1747, 2037, 2327, 2617, 2907, 3197}
	dinumWeights   = newTable(11, 7, 6, 2, 2, 1, 1, 1, 1, 1, 1, 1)
)

// incubatorFollower returns the member who follows startups for incubator
// k (a global index): one per incubator, in the incubator's block.
func incubatorFollower(k int) int {
	block, local := k/incubatorsPerBlock, k%incubatorsPerBlock
	return block*membersPerBlock + 100 + local*37
}

func dinumFollower(block, w int) string {
	_, slug := personName(block*membersPerBlock + dinumFollowers[w])
	return slug
}

var phaseComments = []string{
	"Entretiens avec les usagers et les agents ; le problème est confirmé.",
	"Premier prototype testé avec une administration pilote.",
	"Investigation non concluante : le besoin est déjà couvert.",
	"Recrutement de l'équipe plus long que prévu.",
}

var bioTemplates = []string{
	"Passionnée par les services publics numériques, j'ai rejoint le réseau pour construire des outils utiles aux agents.",
	"Après dix ans dans le privé, je mets mon expérience au service de l'État.",
	"J'aime comprendre les usagers avant d'écrire la première ligne de code.",
	"Ancien agent de terrain, je fais le lien entre les équipes et les administrations.",
}

// reviewFields draws the review's fields of generated startup p.
func reviewFields(p *plan, s *portfolio.Startup) {
	r := newRNG(streamReviewStartup, p.index)
	said := func(perMille, yes int) *bool {
		if !r.chance(perMille) {
			return nil
		}
		b := r.chance(yes)
		return &b
	}
	s.SecurityHomologation = said(homologationSaid, homologationYes)
	s.RiskAnalysis = said(riskSaid, riskYes)
	if s.RiskAnalysis != nil && *s.RiskAnalysis && r.chance(riskURL) {
		s.RiskAnalysisURL = "https://git.example.org/" + s.IncubatorSlug + "/" + s.Slug + "/SECURITY.md"
	}
	s.Stats = said(statsSaid, statsYes)
	if p.spans[p.n-1].phase.Active() {
		if r.chance(dinumContact) {
			s.ContactDINUM = []string{dinumFollower(p.block, r.pick(dinumWeights))}
		}
		if r.chance(incubatorContact) {
			_, slug := personName(incubatorFollower(p.incubator))
			s.ContactIncubator = []string{slug}
		}
	}
	if r.chance(coIncubation) {
		other := p.block*incubatorsPerBlock + r.intn(incubatorsPerBlock)
		if other != p.incubator {
			s.CoIncubators = []string{incubatorSlug(other)}
		}
	}
	if r.chance(formerSlug) {
		s.RedirectFrom = []string{s.Slug + "-v1"}
	}
	for k := range s.Phases {
		if r.chance(phaseComment) {
			s.Phases[k].Comment = phaseComments[r.intn(len(phaseComments))]
		}
	}
}

// reviewFixture are the review's fields of a fixed startup.
type reviewFixture struct {
	homologation, riskAnalysis, stats *bool
	redirectFrom                      []string
	dinumContact, incubatorContact    bool // followed by the first DINUM follower, by its incubator's
	phaseComment                      string
}

func boolp(b bool) *bool { return &b }

func (f reviewFixture) apply(p *plan, s *portfolio.Startup) {
	s.SecurityHomologation, s.RiskAnalysis, s.Stats = f.homologation, f.riskAnalysis, f.stats
	s.RedirectFrom = f.redirectFrom
	if f.dinumContact {
		s.ContactDINUM = []string{dinumFollower(p.block, 0)}
	}
	if f.incubatorContact {
		_, slug := personName(incubatorFollower(p.incubator))
		s.ContactIncubator = []string{slug}
	}
	if f.phaseComment != "" && len(s.Phases) > 0 {
		s.Phases[0].Comment = f.phaseComment
	}
}

// memberBioOf draws the biography of member j, or "".
func memberBioOf(j int) string {
	r := newRNG(streamReviewMember, j)
	if !r.chance(memberBio) {
		return ""
	}
	return bioTemplates[r.intn(len(bioTemplates))]
}
