package loader

import (
	"context"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// reviewLoaders batch the reads of a portfolio review: co-incubators, old
// slugs and portfolio managers of startups, startups followed by members,
// startups found by an old slug.
type reviewLoaders struct {
	coIncubators *batch[int64, []*portfolio.Incubator]
	formerSlugs  *batch[int64, []string]
	managers     *batch[int64, []*portfolio.Member]
	followed     *batch[int64, []*portfolio.Startup]
	byFormerSlug *batch[string, *portfolio.Startup]
}

func newReviewLoaders(l *Loaders, db *sqlite.DB) reviewLoaders {
	return reviewLoaders{
		coIncubators: byID(db.CoIncubatorsByStartup, func(is []*portfolio.Incubator) { l.SeeIncubators(is...) }),
		formerSlugs:  byID(db.FormerSlugsByStartup, nil),
		managers:     byID(db.ManagersByStartup, func(ms []*portfolio.Member) { l.SeeMembers(ms...) }),
		followed:     byID(db.FollowedByMember, func(ss []*portfolio.Startup) { l.SeeStartups(ss...) }),
		byFormerSlug: bySlug(l, db.StartupsByFormerSlug, l.SeeStartups),
	}
}

func (r *reviewLoaders) seeStartups(ids []int64) {
	r.coIncubators.register(ids...)
	r.formerSlugs.register(ids...)
	r.managers.register(ids...)
}

func (r *reviewLoaders) seeMembers(ids []int64) {
	r.followed.register(ids...)
}

// CoIncubators returns the incubators of a startup's co-incubation,
// besides its main one.
func (l *Loaders) CoIncubators(ctx context.Context, s *portfolio.Startup) ([]*portfolio.Incubator, error) {
	return l.review.coIncubators.load(ctx, s.ID)
}

// FormerSlugs returns the slugs a startup had before.
func (l *Loaders) FormerSlugs(ctx context.Context, s *portfolio.Startup) ([]string, error) {
	return l.review.formerSlugs.load(ctx, s.ID)
}

// PortfolioManagers returns the members who follow a startup.
func (l *Loaders) PortfolioManagers(ctx context.Context, s *portfolio.Startup) ([]*portfolio.Member, error) {
	return l.review.managers.load(ctx, s.ID)
}

// FollowedStartups returns the startups a member follows.
func (l *Loaders) FollowedStartups(ctx context.Context, m *portfolio.Member) ([]*portfolio.Startup, error) {
	return l.review.followed.load(ctx, m.ID)
}

// StartupByFormerSlug returns the startup that had this slug before, or
// nil.
func (l *Loaders) StartupByFormerSlug(ctx context.Context, slug string) (*portfolio.Startup, error) {
	return l.review.byFormerSlug.load(ctx, slug)
}

// SeeStartupEvents registers events of the network's feed the request
// holds: their startups and committees.
func (l *Loaders) SeeStartupEvents(es ...*portfolio.StartupEvent) {
	es = fresh(l, es)
	if len(es) == 0 {
		return
	}
	for _, e := range es {
		l.startupBySlug.register(e.StartupSlug)
		if e.Committee != nil {
			l.SeeCommittees(e.Committee)
		}
	}
}
