package loader

import (
	"context"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// committeeLoaders batch the reads of committees' content and of the
// committee agenda: a committee's attendees, committees by slug, a
// startup's intrapreneurs on a day (each agenda entry its own day).
type committeeLoaders struct {
	attendees     *batch[int64, []portfolio.CommitteeAttendee]
	bySlug        *batch[string, *portfolio.Committee]
	intrapreneurs *batch[sqlite.StartupDay, []*portfolio.Member]
}

func newCommitteeLoaders(l *Loaders, db *sqlite.DB) committeeLoaders {
	return committeeLoaders{
		attendees: byID(db.CommitteeAttendees, func(as []portfolio.CommitteeAttendee) { l.seeAttendees(as) }),
		bySlug:    bySlug(l, db.CommitteesBySlug, l.SeeCommittees),
		intrapreneurs: newBatch(func(ctx context.Context, keys []sqlite.StartupDay) (map[sqlite.StartupDay][]*portfolio.Member, error) {
			m, err := db.IntrapreneursOn(ctx, keys)
			for _, ms := range m {
				l.SeeMembers(ms...)
			}
			return m, err
		}),
	}
}

// seeAttendees registers the members and organisations attendees name.
func (l *Loaders) seeAttendees(as []portfolio.CommitteeAttendee) {
	for _, a := range as {
		if a.MemberSlug != "" {
			l.memberBySlug.register(a.MemberSlug)
		}
		if a.OrganisationSlug != "" {
			l.organisationBySlug.register(a.OrganisationSlug)
		}
	}
}

// SeeAttendees registers attendees the request holds: the members and
// organisations they name are then read together.
func (l *Loaders) SeeAttendees(as []portfolio.CommitteeAttendee) { l.seeAttendees(as) }

// CommitteeAttendees returns the attendees of a committee, in their order:
// those it holds when a write gave them, else those of the database.
func (l *Loaders) CommitteeAttendees(ctx context.Context, c *portfolio.Committee) ([]portfolio.CommitteeAttendee, error) {
	if c.Attendees != nil {
		l.seeAttendees(c.Attendees)
		return c.Attendees, nil
	}
	return l.committee.attendees.load(ctx, c.ID)
}

// CommitteeBySlug returns the committee with this slug, or nil.
func (l *Loaders) CommitteeBySlug(ctx context.Context, slug string) (*portfolio.Committee, error) {
	return l.committee.bySlug.load(ctx, slug)
}

// RegisterCommittee registers the slug of a committee the request will
// read.
func (l *Loaders) RegisterCommittee(slug string) { l.committee.bySlug.register(slug) }

// IntrapreneursOn returns the intrapreneurs of the startup with this id on
// day d (portfolio.IntrapreneurAt), in the team's order.
func (l *Loaders) IntrapreneursOn(ctx context.Context, startupID int64, d portfolio.Date) ([]*portfolio.Member, error) {
	return l.committee.intrapreneurs.load(ctx, sqlite.StartupDay{StartupID: startupID, Day: d})
}

// RegisterIntrapreneursOn registers a startup and day whose intrapreneurs
// the request will read.
func (l *Loaders) RegisterIntrapreneursOn(startupID int64, d portfolio.Date) {
	l.committee.intrapreneurs.register(sqlite.StartupDay{StartupID: startupID, Day: d})
}

// Known notes members and organisations the request read along with
// something else (a startup's intrapreneurs, sponsors, managers), so that
// looking them up by slug costs no statement.
func (l *Loaders) Known(ms []*portfolio.Member, os []*portfolio.Organisation) {
	for _, m := range ms {
		l.memberBySlug.prime(m.Slug, m)
	}
	for _, o := range os {
		l.organisationBySlug.prime(o.Slug, o)
	}
}
