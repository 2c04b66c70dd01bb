package graph

// The resolvers of the investment committee's life and content (issue
// 19): the mutations that plan, hold and cancel a committee, the content
// they carry (attendees, the team's ask, hypotheses, success criteria, the
// presentation), and the committee agenda. schema.resolvers.go calls them
// in one line each.

import (
	"context"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// ---------------------------------------------------------------- inputs

// attendeesIn turns the attendees of an input into the domain's: members
// and organisations named by slug or global id.
func attendeesIn(in []*model.CommitteeAttendeeInput) []portfolio.CommitteeAttendee {
	if in == nil {
		return nil
	}
	out := make([]portfolio.CommitteeAttendee, 0, len(in))
	for _, a := range in {
		if a == nil {
			continue
		}
		x := portfolio.CommitteeAttendee{Name: deref(a.Name), Role: a.Role, Label: deref(a.Label)}
		if s := deref(a.Member); s != "" {
			x.MemberSlug, _ = ref("Member", "attendees", s)
		}
		if s := deref(a.Organisation); s != "" {
			x.OrganisationSlug, _ = ref("Organisation", "attendees", s)
		}
		out = append(out, x)
	}
	return out
}

// askIn turns an ask of an input into the domain's; nil when it states
// nothing.
func askIn(in *model.CommitteeAskInput) *portfolio.CommitteeAsk {
	if in == nil {
		return nil
	}
	a := &portfolio.CommitteeAsk{TeamProfile: deref(in.TeamProfile), EnvelopeEuros: budget(in.EnvelopeEuros), Months: in.Months}
	if a.Empty() {
		return nil
	}
	return a
}

// content is what a committee input holds besides its outcome; a field
// left out (nil) changes nothing.
type content struct {
	attendees       []*model.CommitteeAttendeeInput
	ask             *model.CommitteeAskInput
	hypotheses      []string
	successCriteria []string
	documentURL     *string
}

// apply sets on c the fields the input gives: lists given replace the old
// ones, an ask given replaces the old one.
func (in content) apply(c *portfolio.Committee) {
	if in.attendees != nil {
		c.Attendees = attendeesIn(in.attendees)
	}
	if in.ask != nil {
		c.Ask = askIn(in.ask)
	}
	if in.hypotheses != nil {
		c.HypothesesList = in.hypotheses
	}
	if in.successCriteria != nil {
		c.SuccessCriteriaList = in.successCriteria
	}
	if in.documentURL != nil {
		c.DocumentURL = *in.documentURL
	}
}

// committeePayload answers a committee mutation, its committee registered
// with the request's loaders.
func committeePayload(ctx context.Context, c *portfolio.Committee, err error, clientMutationID *string) (*model.CommitteePayload, error) {
	if err != nil {
		return nil, err
	}
	loaders(ctx).SeeCommittees(c)
	return &model.CommitteePayload{Committee: c, ClientMutationID: clientMutationID}, nil
}

// ---------------------------------------------------------------- mutations

func (r *Resolver) recordCommittee(ctx context.Context, input model.RecordCommitteeInput) (*model.CommitteePayload, error) {
	ctx, slug, err := keyedRef(ctx, input.ClientMutationID, input, "Startup", "startup", input.Startup)
	if err != nil {
		return nil, err
	}
	c := &portfolio.Committee{
		StartupSlug: slug, Date: input.Date, Decision: input.Decision, NextPhase: deref(input.NextPhase),
		BudgetEuros: budget(input.BudgetEuros), NextCommitteeDue: deref(input.NextCommitteeDue), Comment: deref(input.Comment),
	}
	content{input.Attendees, input.Ask, input.Hypotheses, input.SuccessCriteria, input.DocumentURL}.apply(c)
	c, err = r.DB.RecordCommittee(ctx, c, deref(input.AnotherOnSameDay))
	return committeePayload(ctx, c, err, input.ClientMutationID)
}

func (r *Resolver) planCommittee(ctx context.Context, input model.PlanCommitteeInput) (*model.CommitteePayload, error) {
	ctx, slug, err := keyedRef(ctx, input.ClientMutationID, input, "Startup", "startup", input.Startup)
	if err != nil {
		return nil, err
	}
	c := &portfolio.Committee{StartupSlug: slug, Date: input.Date, Comment: deref(input.Comment)}
	content{input.Attendees, input.Ask, input.Hypotheses, input.SuccessCriteria, input.DocumentURL}.apply(c)
	c, err = r.DB.PlanCommittee(ctx, c, deref(input.AnotherOnSameDay))
	return committeePayload(ctx, c, err, input.ClientMutationID)
}

func (r *Resolver) updateCommittee(ctx context.Context, input model.UpdateCommitteeInput) (*model.CommitteePayload, error) {
	ctx, slug, err := keyedRef(ctx, input.ClientMutationID, input, "Committee", "id", input.ID)
	if err != nil {
		return nil, err
	}
	c, err := r.DB.UpdateCommittee(ctx, slug, int64(input.Version), func(c *portfolio.Committee) error {
		if input.Date != nil {
			c.Date = *input.Date
		}
		if input.Decision != nil {
			c.Decision = *input.Decision
			if *input.Decision != portfolio.DecisionAdvance && input.NextPhase == nil {
				c.NextPhase = ""
			}
		}
		if input.NextPhase != nil {
			c.NextPhase = *input.NextPhase
		}
		if input.BudgetEuros != nil {
			c.BudgetEuros = budget(input.BudgetEuros)
		}
		if input.NextCommitteeDue != nil {
			c.NextCommitteeDue = *input.NextCommitteeDue
		}
		if input.Comment != nil {
			c.Comment = *input.Comment
		}
		content{input.Attendees, input.Ask, input.Hypotheses, input.SuccessCriteria, input.DocumentURL}.apply(c)
		return nil
	})
	return committeePayload(ctx, c, err, input.ClientMutationID)
}

func (r *Resolver) holdCommittee(ctx context.Context, input model.HoldCommitteeInput) (*model.CommitteePayload, error) {
	ctx, slug, err := keyedRef(ctx, input.ClientMutationID, input, "Committee", "id", input.ID)
	if err != nil {
		return nil, err
	}
	c, err := r.DB.HoldCommittee(ctx, slug, int64(input.Version), func(c *portfolio.Committee) error {
		if input.Date != nil {
			c.Date = *input.Date
		}
		c.Decision, c.NextPhase = input.Decision, deref(input.NextPhase)
		c.BudgetEuros, c.NextCommitteeDue = budget(input.BudgetEuros), deref(input.NextCommitteeDue)
		if input.Comment != nil {
			c.Comment = *input.Comment
		}
		content{input.Attendees, input.Ask, input.Hypotheses, input.SuccessCriteria, input.DocumentURL}.apply(c)
		return nil
	})
	return committeePayload(ctx, c, err, input.ClientMutationID)
}

func (r *Resolver) cancelCommittee(ctx context.Context, input model.CancelCommitteeInput) (*model.CommitteePayload, error) {
	ctx, slug, err := keyedRef(ctx, input.ClientMutationID, input, "Committee", "id", input.ID)
	if err != nil {
		return nil, err
	}
	c, err := r.DB.CancelCommittee(ctx, slug, int64(input.Version), input.Comment)
	return committeePayload(ctx, c, err, input.ClientMutationID)
}

func (r *Resolver) deleteCommittee(ctx context.Context, input model.DeleteCommitteeInput) (*model.CommitteePayload, error) {
	ctx, slug, err := keyedRef(ctx, input.ClientMutationID, input, "Committee", "id", input.ID)
	if err != nil {
		return nil, err
	}
	c, err := r.DB.DeleteCommittee(ctx, slug, int64(input.Version))
	return committeePayload(ctx, c, err, input.ClientMutationID)
}

// ---------------------------------------------------------------- content

// attendeesOut gives attendees as the schema's list, registering the
// members and organisations they name so that each kind is read once.
func attendeesOut(ctx context.Context, as []portfolio.CommitteeAttendee) []*portfolio.CommitteeAttendee {
	loaders(ctx).SeeAttendees(as)
	out := make([]*portfolio.CommitteeAttendee, len(as))
	for i := range as {
		out[i] = &as[i]
	}
	return out
}

func (r *Resolver) committeeAttendees(ctx context.Context, c *portfolio.Committee) ([]*portfolio.CommitteeAttendee, error) {
	as, err := loaders(ctx).CommitteeAttendees(ctx, c)
	return attendeesOut(ctx, as), err
}

func (r *Resolver) attendeeMember(ctx context.Context, a *portfolio.CommitteeAttendee) (*portfolio.Member, error) {
	if a.MemberSlug == "" {
		return nil, nil
	}
	return loaders(ctx).Member(ctx, a.MemberSlug)
}

func (r *Resolver) attendeeOrganisation(ctx context.Context, a *portfolio.CommitteeAttendee) (*portfolio.Organisation, error) {
	if a.OrganisationSlug == "" {
		return nil, nil
	}
	return loaders(ctx).Organisation(ctx, a.OrganisationSlug)
}

// ---------------------------------------------------------------- the agenda

func (r *Resolver) committeeAgenda(ctx context.Context, from, to portfolio.Date, filter *portfolio.StartupFilter, first *int, after *string, last *int, before *string) (*model.CommitteeAgendaConnection, error) {
	p, w, err := rootPage(first, last, after, before, func(w portfolio.Window) (*sqlite.Page[*portfolio.CommitteeAgendaEntry], error) {
		return r.DB.CommitteeAgenda(ctx, filter, from, to, w)
	})
	if err != nil {
		return nil, err
	}
	l := loaders(ctx)
	for _, e := range p.Items {
		l.RegisterStartup(e.StartupSlug)
		l.RegisterIntrapreneursOn(e.StartupID, e.AttendeesAsOf)
		if e.CommitteeSlug != "" {
			l.RegisterCommittee(e.CommitteeSlug)
		}
	}
	return &model.CommitteeAgendaConnection{Nodes: p.Items, TotalCount: p.Total, PageInfo: pageInfo(w, len(p.Items), p.Total),
		Edges: edges(w, p.Items, func(c string, x *portfolio.CommitteeAgendaEntry) *model.CommitteeAgendaEdge {
			return &model.CommitteeAgendaEdge{Cursor: c, Node: x}
		})}, nil
}

func (r *Resolver) agendaStartup(ctx context.Context, e *portfolio.CommitteeAgendaEntry) (*portfolio.Startup, error) {
	return loaders(ctx).Startup(ctx, e.StartupSlug)
}

func (r *Resolver) agendaCommittee(ctx context.Context, e *portfolio.CommitteeAgendaEntry) (*portfolio.Committee, error) {
	if e.CommitteeSlug == "" {
		return nil, nil
	}
	return loaders(ctx).CommitteeBySlug(ctx, e.CommitteeSlug)
}

// agendaRecords reads what ExpectedAttendees needs of an entry's startup
// on the day its attendees are read at, through the request's loaders
// (each kind of record read once for the page).
func (r *Resolver) agendaRecords(ctx context.Context, e *portfolio.CommitteeAgendaEntry) (portfolio.AgendaRecords, error) {
	var rec portfolio.AgendaRecords
	l := loaders(ctx)
	l.RegisterOrganisation(portfolio.DinumSlug)
	s, err := l.Startup(ctx, e.StartupSlug)
	if err != nil || s == nil {
		return rec, err
	}
	intra, err := l.IntrapreneursOn(ctx, s.ID, e.AttendeesAsOf)
	if err != nil {
		return rec, err
	}
	for _, m := range intra {
		rec.Intrapreneurs = append(rec.Intrapreneurs, m.Slug)
	}
	sponsors, err := l.Sponsors(ctx, s)
	if err != nil {
		return rec, err
	}
	l.Known(intra, sponsors)
	for _, o := range sponsors {
		rec.Sponsors = append(rec.Sponsors, o.Slug)
	}
	if rec.Incubator = s.IncubatorSlug; rec.Incubator != "" {
		inc, err := l.Incubator(ctx, s.IncubatorSlug)
		if err != nil {
			return rec, err
		}
		if inc == nil {
			rec.Incubator = ""
		} else {
			rec.IncubatorOwner = inc.OwnerSlug
		}
	}
	managers, err := l.PortfolioManagers(ctx, s)
	if err != nil {
		return rec, err
	}
	l.Known(managers, nil)
	for _, m := range managers {
		rec.Managers = append(rec.Managers, m.Slug)
	}
	// The DINUM is read for every page, FAST or not (one lookup a page,
	// announced above): the statements a page runs depend on its shape
	// only, not on whether one of its startups is co-financed.
	dinum, err := l.Organisation(ctx, portfolio.DinumSlug)
	if err != nil {
		return rec, err
	}
	if rec.Fast = s.Fast != nil; rec.Fast && dinum != nil {
		rec.Dinum = dinum.Slug
	}
	return rec, nil
}

func (r *Resolver) agendaExpected(ctx context.Context, e *portfolio.CommitteeAgendaEntry) ([]*portfolio.CommitteeAttendee, error) {
	rec, err := r.agendaRecords(ctx, e)
	if err != nil {
		return nil, err
	}
	as, _ := portfolio.ExpectedAttendees(rec)
	return attendeesOut(ctx, as), nil
}

func (r *Resolver) agendaMissing(ctx context.Context, e *portfolio.CommitteeAgendaEntry) ([]*portfolio.MissingRole, error) {
	rec, err := r.agendaRecords(ctx, e)
	if err != nil {
		return nil, err
	}
	_, missing := portfolio.ExpectedAttendees(rec)
	out := make([]*portfolio.MissingRole, len(missing))
	for i := range missing {
		out[i] = &missing[i]
	}
	return out, nil
}

// ---------------------------------------------------------------- cost

// committeeComplexity adds the lists of committees' content and of the
// agenda to the cost model: a committee's attendees, hypotheses and
// criteria their longest in the data; the agenda a page of at most one
// entry per startup and per committee; an entry's expected attendees its
// intrapreneurs (at most the most a startup ever had), sponsors and managers, the
// incubator and the DINUM's seat; its missing roles the four the records
// can leave empty.
func committeeComplexity(c *ComplexityRoot, bounds func() portfolio.ListBounds) {
	list := func(n func(b portfolio.ListBounds) int) func(int) int {
		return func(child int) int { return portfolio.ListCost(child, n(bounds())) }
	}
	c.Committee.Attendees = list(func(b portfolio.ListBounds) int { return b.Attendees })
	c.Committee.Hypotheses = list(func(b portfolio.ListBounds) int { return b.CommitteeItems })
	c.Committee.SuccessCriteria = list(func(b portfolio.ListBounds) int { return b.CommitteeItems })
	c.Query.CommitteeAgenda = func(child int, _, _ portfolio.Date, _ *portfolio.StartupFilter, first *int, _ *string, last *int, _ *string) int {
		b := bounds()
		return connection(child, first, last, b.Startups+b.AllCommittees)
	}
	c.CommitteeAgendaEntry.ExpectedAttendees = list(expectedAttendeesBound)
	c.CommitteeAgendaEntry.MissingRoles = func(child int) int { return portfolio.ListCost(child, missingRolesBound) }
}

// expectedAttendeesBound is the most expected attendees an agenda entry
// has: its intrapreneurs (at most the most a startup ever had), sponsors
// and managers, the incubator's owner and the DINUM's seat.
func expectedAttendeesBound(b portfolio.ListBounds) int {
	return portfolio.Bound(b.Intrapreneurs) + portfolio.Bound(b.Sponsors) + portfolio.Bound(b.Managers) + 2
}

// missingRolesBound is the most roles an entry's records leave empty.
const missingRolesBound = 4
