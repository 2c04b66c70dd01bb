package loader

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Loaders are the batch loaders of one request. Make them with New for each
// request, and reach them with From.
type Loaders struct {
	db *sqlite.DB

	startupBySlug      *batch[string, *portfolio.Startup]
	incubatorBySlug    *batch[string, *portfolio.Incubator]
	organisationBySlug *batch[string, *portfolio.Organisation]
	memberBySlug       *batch[string, *portfolio.Member]
	teamBySlug         *batch[string, *portfolio.Team]

	phases       *batch[int64, []portfolio.PhasePeriod]
	descriptions *batch[int64, string]
	sponsors     *batch[int64, []*portfolio.Organisation]
	tags         *batch[int64, *sqlite.Tags]
	events       *batch[int64, []*portfolio.StartupEvent]
	committees   *batch[int64, []*portfolio.Committee]
	teamAt       *family[portfolio.Date, int64, []sqlite.TeamMember]
	teamSizeAt   *family[portfolio.Date, int64, int]
	allMissions  *batch[int64, []sqlite.TeamMember]
	missions     *family[portfolio.Window, int64, *sqlite.Page[*portfolio.Mission]]

	missionStartups *batch[int64, []*portfolio.Startup]
	memberMissions  *batch[int64, []*portfolio.Mission]
	memberStartups  *batch[int64, []*portfolio.Startup]
	memberTeams     *batch[int64, []*portfolio.Team]
	competences     *batch[int64, []string]
	teamMembers     *batch[int64, []*portfolio.Member]
	incubatorTeams  *batch[int64, []*portfolio.Team]
	ownerIncubators *batch[int64, []*portfolio.Incubator]

	// Per-parent pages of startups, one batch per query (filter, order,
	// date, window), keyed by incubator or organisation id.
	incubatorStartups *family[string, int64, *sqlite.Page[*portfolio.Startup]]
	sponsorStartups   *family[string, int64, *sqlite.Page[*portfolio.Startup]]
	queriesMu         sync.Mutex
	queries           map[string]sqlite.StartupQuery

	// The loaders of a portfolio review (review.go).
	review reviewLoaders
	// The loaders of committees' content and the agenda (committee.go).
	committee committeeLoaders

	phaseDefsOnce sync.Once
	phaseDefs     map[portfolio.Phase]*portfolio.PhaseDefinition
	phaseDefsErr  error

	// seen are the objects registered so far (See…): announcing one
	// again, as the graph's plans do with what a loader read and
	// registered already, costs a lookup.
	seenMu sync.Mutex
	seen   map[any]struct{}
}

// Announced reports whether the object v (a pointer to a record) was
// registered already: announcing it again would do nothing.
func (l *Loaders) Announced(v any) bool {
	l.seenMu.Lock()
	defer l.seenMu.Unlock()
	_, ok := l.seen[v]
	return ok
}

// fresh returns the objects of xs not registered yet, and marks them
// registered.
func fresh[T any](l *Loaders, xs []*T) []*T {
	l.seenMu.Lock()
	defer l.seenMu.Unlock()
	if l.seen == nil || len(xs) > 2*len(l.seen)+8 {
		// A long list into a short map: grown once for it, rather than
		// doubled again and again as it is added.
		seen := make(map[any]struct{}, len(l.seen)+len(xs))
		for k := range l.seen {
			seen[k] = struct{}{}
		}
		l.seen = seen
	}
	n := 0
	for _, x := range xs {
		if _, ok := l.seen[x]; !ok {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := xs
	if n < len(xs) {
		out = make([]*T, 0, n)
	}
	for _, x := range xs {
		if _, ok := l.seen[x]; !ok {
			l.seen[x] = struct{}{}
			if n < len(xs) {
				out = append(out, x)
			}
		}
	}
	return out
}

type ctxKey struct{}

// lazy makes the loaders of a request when first asked for: a request
// answered by the graph's fast path (with loaders of its own), or from the
// response cache, never makes them.
type lazy struct {
	once sync.Once
	db   *sqlite.DB
	l    *Loaders
}

// WithLoaders returns a context carrying new loaders over db, made on first
// use.
func WithLoaders(ctx context.Context, db *sqlite.DB) context.Context {
	return context.WithValue(ctx, ctxKey{}, &lazy{db: db})
}

// From returns the loaders of the request.
func From(ctx context.Context) *Loaders {
	z, _ := ctx.Value(ctxKey{}).(*lazy)
	if z == nil {
		return nil
	}
	z.once.Do(func() { z.l = New(z.db) })
	return z.l
}

func bySlug[V any](l *Loaders, get func(context.Context, []string) (map[string]V, error), see func(...V)) *batch[string, V] {
	return newBatch(func(ctx context.Context, keys []string) (map[string]V, error) {
		m, err := get(ctx, keys)
		if err == nil && see != nil {
			vs := make([]V, 0, len(m))
			for _, k := range keys {
				if v, ok := m[k]; ok {
					vs = append(vs, v)
				}
			}
			see(vs...)
		}
		return m, err
	})
}

func byID[V any](get func(context.Context, []int64) (map[int64]V, error), see func(V)) *batch[int64, V] {
	return newBatch(func(ctx context.Context, keys []int64) (map[int64]V, error) {
		m, err := get(ctx, keys)
		if err == nil && see != nil {
			for _, k := range keys {
				if v, ok := m[k]; ok {
					see(v)
				}
			}
		}
		return m, err
	})
}

// New returns loaders over db for one request.
func New(db *sqlite.DB) *Loaders {
	l := &Loaders{db: db, queries: map[string]sqlite.StartupQuery{}}
	l.startupBySlug = bySlug(l, db.StartupsBySlug, l.SeeStartups)
	l.incubatorBySlug = bySlug(l, db.IncubatorsBySlug, l.SeeIncubators)
	l.organisationBySlug = bySlug(l, db.OrganisationsBySlug, l.SeeOrganisations)
	l.memberBySlug = bySlug(l, db.MembersBySlug, l.SeeMembers)
	l.teamBySlug = bySlug(l, db.TeamsBySlug, l.SeeTeams)

	l.phases = byID(db.PhasesByStartup, nil)
	l.descriptions = byID(db.DescriptionsByStartup, nil)
	l.sponsors = byID(db.SponsorsByStartup, func(os []*portfolio.Organisation) { l.SeeOrganisations(os...) })
	l.tags = byID(db.TagsByStartup, nil)
	l.events = byID(db.EventsByStartup, func(es []*portfolio.StartupEvent) { l.SeeStartupEvents(es...) })
	l.committees = byID(db.CommitteesByStartup, func(cs []*portfolio.Committee) { l.SeeCommittees(cs...) })
	l.teamSizeAt = newFamily(func(ctx context.Context, d portfolio.Date, ids []int64) (map[int64]int, error) {
		return db.TeamSizesAt(ctx, ids, d)
	})
	l.teamAt = newFamily(func(ctx context.Context, d portfolio.Date, ids []int64) (map[int64][]sqlite.TeamMember, error) {
		m, err := db.TeamsAt(ctx, ids, d)
		for _, tm := range m {
			for _, t := range tm {
				l.SeeMembers(t.Member)
				l.SeeMissions(t.Mission)
			}
		}
		return m, err
	})
	l.allMissions = byID(db.MissionsOnStartups, func(tm []sqlite.TeamMember) {
		for _, t := range tm {
			l.SeeMembers(t.Member)
			l.SeeMissions(t.Mission)
		}
	})
	l.missions = newFamily(func(ctx context.Context, w portfolio.Window, ids []int64) (map[int64]*sqlite.Page[*portfolio.Mission], error) {
		m, members, err := db.MissionsByStartup(ctx, ids, w)
		// The missions' members came with them: no statement to fetch them.
		l.memberBySlug.primeAll(members)
		ms := make([]*portfolio.Member, 0, len(members))
		for _, mb := range members {
			ms = append(ms, mb)
		}
		l.SeeMembers(ms...)
		for _, p := range m {
			l.SeeMissions(p.Items...)
		}
		return m, err
	})
	l.missionStartups = byID(db.StartupsByMission, func(ss []*portfolio.Startup) { l.SeeStartups(ss...) })
	l.memberMissions = byID(db.MissionsByMember, func(ms []*portfolio.Mission) { l.SeeMissions(ms...) })
	l.memberStartups = byID(db.StartupsByMember, func(ss []*portfolio.Startup) { l.SeeStartups(ss...) })
	l.memberTeams = byID(db.TeamsByMember, func(ts []*portfolio.Team) { l.SeeTeams(ts...) })
	l.competences = byID(db.CompetencesByMember, nil)
	l.teamMembers = byID(db.MembersByTeam, func(ms []*portfolio.Member) { l.SeeMembers(ms...) })
	l.incubatorTeams = byID(db.TeamsByIncubator, func(ts []*portfolio.Team) { l.SeeTeams(ts...) })
	l.ownerIncubators = byID(db.IncubatorsByOwner, func(is []*portfolio.Incubator) { l.SeeIncubators(is...) })
	l.incubatorStartups = newFamily(l.childStartups("incubator"))
	l.sponsorStartups = newFamily(l.childStartups("sponsor"))
	l.review = newReviewLoaders(l, db)
	l.committee = newCommitteeLoaders(l, db)
	return l
}

func (l *Loaders) childStartups(parent string) func(ctx context.Context, key string, ids []int64) (map[int64]*sqlite.Page[*portfolio.Startup], error) {
	return func(ctx context.Context, key string, ids []int64) (map[int64]*sqlite.Page[*portfolio.Startup], error) {
		l.queriesMu.Lock()
		q := l.queries[key]
		l.queriesMu.Unlock()
		q.Parent, q.ParentIDs = parent, ids
		m, err := l.db.Startups(ctx, q)
		for _, p := range m {
			l.SeeStartups(p.Items...)
		}
		return m, err
	}
}

// SeeStartups registers startups the request holds, so that their phases,
// sponsors, teams, … load in one statement each.
func (l *Loaders) SeeStartups(ss ...*portfolio.Startup) {
	ss = fresh(l, ss)
	if len(ss) == 0 {
		return
	}
	ids := make([]int64, len(ss))
	var incs []string
	for i, s := range ss {
		ids[i] = s.ID
		if s.IncubatorSlug != "" {
			incs = append(incs, s.IncubatorSlug)
		}
	}
	l.phases.register(ids...)
	l.descriptions.register(ids...)
	l.sponsors.register(ids...)
	l.tags.register(ids...)
	l.events.register(ids...)
	l.committees.register(ids...)
	l.teamAt.see(ids...)
	l.teamSizeAt.see(ids...)
	l.allMissions.register(ids...)
	l.missions.see(ids...)
	l.incubatorBySlug.register(incs...)
	l.review.seeStartups(ids)
}

// SeeIncubators registers incubators the request holds.
func (l *Loaders) SeeIncubators(is ...*portfolio.Incubator) {
	is = fresh(l, is)
	if len(is) == 0 {
		return
	}
	ids := make([]int64, len(is))
	var owners []string
	for i, x := range is {
		ids[i] = x.ID
		if x.OwnerSlug != "" {
			owners = append(owners, x.OwnerSlug)
		}
	}
	l.organisationBySlug.register(owners...)
	l.incubatorTeams.register(ids...)
	l.incubatorStartups.see(ids...)
}

// SeeOrganisations registers organisations the request holds.
func (l *Loaders) SeeOrganisations(os ...*portfolio.Organisation) {
	os = fresh(l, os)
	if len(os) == 0 {
		return
	}
	ids := make([]int64, len(os))
	for i, o := range os {
		ids[i] = o.ID
	}
	l.ownerIncubators.register(ids...)
	l.sponsorStartups.see(ids...)
}

// SeeMembers registers members the request holds.
func (l *Loaders) SeeMembers(ms ...*portfolio.Member) {
	ms = fresh(l, ms)
	if len(ms) == 0 {
		return
	}
	ids := make([]int64, len(ms))
	for i, m := range ms {
		ids[i] = m.ID
	}
	l.memberMissions.register(ids...)
	l.memberStartups.register(ids...)
	l.memberTeams.register(ids...)
	l.competences.register(ids...)
	l.review.seeMembers(ids)
}

// SeeMissions registers missions the request holds.
func (l *Loaders) SeeMissions(ms ...*portfolio.Mission) {
	ms = fresh(l, ms)
	if len(ms) == 0 {
		return
	}
	ids := make([]int64, len(ms))
	slugs := make([]string, len(ms))
	for i, m := range ms {
		ids[i], slugs[i] = m.ID, m.MemberSlug
	}
	l.missionStartups.register(ids...)
	l.memberBySlug.register(slugs...)
}

// SeeCommittees registers committees the request holds: their startups,
// and their attendees (read together when first asked for).
func (l *Loaders) SeeCommittees(cs ...*portfolio.Committee) {
	cs = fresh(l, cs)
	if len(cs) == 0 {
		return
	}
	slugs := make([]string, len(cs))
	ids := make([]int64, 0, len(cs))
	for i, c := range cs {
		slugs[i] = c.StartupSlug
		if c.Attendees == nil && c.ID != 0 {
			ids = append(ids, c.ID)
		}
	}
	l.startupBySlug.register(slugs...)
	l.committee.attendees.register(ids...)
}

// SeeTeams registers teams the request holds.
func (l *Loaders) SeeTeams(ts ...*portfolio.Team) {
	ts = fresh(l, ts)
	if len(ts) == 0 {
		return
	}
	ids := make([]int64, len(ts))
	var incs []string
	for i, t := range ts {
		ids[i] = t.ID
		if t.IncubatorSlug != "" {
			incs = append(incs, t.IncubatorSlug)
		}
	}
	l.teamMembers.register(ids...)
	l.incubatorBySlug.register(incs...)
}

// Startup returns the startup with this slug, or nil.
func (l *Loaders) Startup(ctx context.Context, slug string) (*portfolio.Startup, error) {
	return l.startupBySlug.load(ctx, slug)
}

// Incubator returns the incubator with this slug, or nil.
func (l *Loaders) Incubator(ctx context.Context, slug string) (*portfolio.Incubator, error) {
	return l.incubatorBySlug.load(ctx, slug)
}

// StartupIncubator returns a startup's incubator, or nil: the one its
// record was read with, when it was.
func (l *Loaders) StartupIncubator(ctx context.Context, s *portfolio.Startup) (*portfolio.Incubator, error) {
	if s.Listed != nil && s.Listed.IncubatorRead {
		return s.Listed.Incubator, nil
	}
	if s.IncubatorSlug == "" {
		return nil, nil
	}
	return l.Incubator(ctx, s.IncubatorSlug)
}

// Organisation returns the organisation with this slug, or nil.
func (l *Loaders) Organisation(ctx context.Context, slug string) (*portfolio.Organisation, error) {
	return l.organisationBySlug.load(ctx, slug)
}

// Member returns the member with this slug, or nil.
func (l *Loaders) Member(ctx context.Context, slug string) (*portfolio.Member, error) {
	return l.memberBySlug.load(ctx, slug)
}

// Team returns the team with this slug, or nil.
func (l *Loaders) Team(ctx context.Context, slug string) (*portfolio.Team, error) {
	return l.teamBySlug.load(ctx, slug)
}

// Phases returns a startup's phases by start.
func (l *Loaders) Phases(ctx context.Context, s *portfolio.Startup) ([]portfolio.PhasePeriod, error) {
	if s.Listed != nil && s.Listed.PhasesRead {
		return s.Listed.Phases, nil
	}
	return l.phases.load(ctx, s.ID)
}

// Description returns a startup's long description.
func (l *Loaders) Description(ctx context.Context, s *portfolio.Startup) (string, error) {
	if s.Description != "" {
		return s.Description, nil
	}
	return l.descriptions.load(ctx, s.ID)
}

// Sponsors returns a startup's sponsors.
func (l *Loaders) Sponsors(ctx context.Context, s *portfolio.Startup) ([]*portfolio.Organisation, error) {
	if s.Listed != nil && s.Listed.SponsorsRead {
		return s.Listed.Sponsors, nil
	}
	return l.sponsors.load(ctx, s.ID)
}

// Tags returns a startup's themes, user types and technologies.
func (l *Loaders) Tags(ctx context.Context, s *portfolio.Startup) (*sqlite.Tags, error) {
	t, err := l.tags.load(ctx, s.ID)
	if t == nil {
		t = &sqlite.Tags{}
	}
	return t, err
}

// Events returns a startup's events by date.
func (l *Loaders) Events(ctx context.Context, s *portfolio.Startup) ([]*portfolio.StartupEvent, error) {
	return l.events.load(ctx, s.ID)
}

// Committees returns a startup's committees by date.
func (l *Loaders) Committees(ctx context.Context, s *portfolio.Startup) ([]*portfolio.Committee, error) {
	return l.committees.load(ctx, s.ID)
}

// TeamAt returns a startup's team at d.
func (l *Loaders) TeamAt(ctx context.Context, s *portfolio.Startup, d portfolio.Date) ([]sqlite.TeamMember, error) {
	return l.teamAt.load(ctx, d, s.ID)
}

// TeamSizeAt returns the size of a startup's team at d, without reading
// the team: a count per startup. A request that reads the team at d as
// well counts it there.
func (l *Loaders) TeamSizeAt(ctx context.Context, s *portfolio.Startup, d portfolio.Date) (int, error) {
	if team, ok := l.teamAt.peek(d, s.ID); ok {
		return len(team), nil
	}
	return l.teamSizeAt.load(ctx, d, s.ID)
}

// MissionsOnStartup returns every mission on a startup with its member, by
// start then member name.
func (l *Loaders) MissionsOnStartup(ctx context.Context, s *portfolio.Startup) ([]sqlite.TeamMember, error) {
	return l.allMissions.load(ctx, s.ID)
}

// StartupMissions returns a page of the missions on a startup.
func (l *Loaders) StartupMissions(ctx context.Context, s *portfolio.Startup, w portfolio.Window) (*sqlite.Page[*portfolio.Mission], error) {
	p, err := l.missions.load(ctx, w, s.ID)
	if p == nil {
		p = &sqlite.Page[*portfolio.Mission]{}
	}
	return p, err
}

// MissionStartups returns a mission's startups.
func (l *Loaders) MissionStartups(ctx context.Context, m *portfolio.Mission) ([]*portfolio.Startup, error) {
	return l.missionStartups.load(ctx, m.ID)
}

// MemberMissions returns all of a member's missions by start.
func (l *Loaders) MemberMissions(ctx context.Context, m *portfolio.Member) ([]*portfolio.Mission, error) {
	return l.memberMissions.load(ctx, m.ID)
}

// MemberStartups returns every startup a member has worked on.
func (l *Loaders) MemberStartups(ctx context.Context, m *portfolio.Member) ([]*portfolio.Startup, error) {
	return l.memberStartups.load(ctx, m.ID)
}

// MemberTeams returns the teams a member lists.
func (l *Loaders) MemberTeams(ctx context.Context, m *portfolio.Member) ([]*portfolio.Team, error) {
	return l.memberTeams.load(ctx, m.ID)
}

// Competences returns a member's skills.
func (l *Loaders) Competences(ctx context.Context, m *portfolio.Member) ([]string, error) {
	return l.competences.load(ctx, m.ID)
}

// TeamMembers returns the members who list a team.
func (l *Loaders) TeamMembers(ctx context.Context, t *portfolio.Team) ([]*portfolio.Member, error) {
	return l.teamMembers.load(ctx, t.ID)
}

// IncubatorTeams returns an incubator's teams.
func (l *Loaders) IncubatorTeams(ctx context.Context, i *portfolio.Incubator) ([]*portfolio.Team, error) {
	return l.incubatorTeams.load(ctx, i.ID)
}

// OwnedIncubators returns the incubators an organisation runs.
func (l *Loaders) OwnedIncubators(ctx context.Context, o *portfolio.Organisation) ([]*portfolio.Incubator, error) {
	return l.ownerIncubators.load(ctx, o.ID)
}

func (l *Loaders) queryKey(q sqlite.StartupQuery) string {
	// Every part of the query is in the key: two selections that differ
	// only by asking for the total are two batches, else the one that
	// registered last would decide for both.
	b, _ := json.Marshal(struct {
		F *portfolio.StartupFilter
		O []*portfolio.StartupOrder
		D portfolio.Date
		W portfolio.Window
		T bool
	}{q.Filter, q.Order, q.AsOf, q.Window, q.WantTotal})
	key := string(b)
	l.queriesMu.Lock()
	l.queries[key] = q
	l.queriesMu.Unlock()
	return key
}

// IncubatorStartups returns a page of the startups an incubator hosts.
func (l *Loaders) IncubatorStartups(ctx context.Context, i *portfolio.Incubator, q sqlite.StartupQuery) (*sqlite.Page[*portfolio.Startup], error) {
	p, err := l.incubatorStartups.load(ctx, l.queryKey(q), i.ID)
	if p == nil {
		p = &sqlite.Page[*portfolio.Startup]{}
	}
	return p, err
}

// SponsoredStartups returns a page of the startups an organisation
// sponsors.
func (l *Loaders) SponsoredStartups(ctx context.Context, o *portfolio.Organisation, q sqlite.StartupQuery) (*sqlite.Page[*portfolio.Startup], error) {
	p, err := l.sponsorStartups.load(ctx, l.queryKey(q), o.ID)
	if p == nil {
		p = &sqlite.Page[*portfolio.Startup]{}
	}
	return p, err
}

// PhaseDefinitions returns the network's phase records, read once per
// request.
func (l *Loaders) PhaseDefinitions(ctx context.Context) (map[portfolio.Phase]*portfolio.PhaseDefinition, error) {
	l.phaseDefsOnce.Do(func() { l.phaseDefs, l.phaseDefsErr = l.db.PhaseDefinitions(ctx) })
	return l.phaseDefs, l.phaseDefsErr
}

// RegisterStartup announces lookups of the startups with these slugs.
func (l *Loaders) RegisterStartup(slugs ...string) { l.startupBySlug.register(slugs...) }

// RegisterIncubator announces lookups of the incubators with these slugs.
func (l *Loaders) RegisterIncubator(slugs ...string) { l.incubatorBySlug.register(slugs...) }

// RegisterOrganisation announces lookups of the organisations with these slugs.
func (l *Loaders) RegisterOrganisation(slugs ...string) { l.organisationBySlug.register(slugs...) }

// RegisterMember announces lookups of the members with these slugs.
func (l *Loaders) RegisterMember(slugs ...string) { l.memberBySlug.register(slugs...) }

// RegisterTeam announces lookups of the teams with these slugs.
func (l *Loaders) RegisterTeam(slugs ...string) { l.teamBySlug.register(slugs...) }
