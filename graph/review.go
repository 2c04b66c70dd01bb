package graph

// The resolvers of a portfolio review: investment, quality markers, who
// follows whom and what is due, flows, the network's event feed, and the
// writes of people. schema.resolvers.go calls them in one line each.

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// wantsAny reports whether the query selects one of names under the field
// being resolved.
func wantsAny(ctx context.Context, names ...string) bool {
	for _, n := range names {
		if wantsField(ctx, n) {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- startups and members

// startupBySlug finds a startup by its slug, or by a slug it had before.
func (r *Resolver) startupBySlug(ctx context.Context, slug string) (*portfolio.Startup, error) {
	s, err := loaders(ctx).Startup(ctx, slug)
	if s != nil || err != nil {
		return s, err
	}
	return loaders(ctx).StartupByFormerSlug(ctx, slug)
}

func (r *Resolver) portfolioManagers(ctx context.Context, s *portfolio.Startup) ([]*portfolio.Member, error) {
	return nonNil(loaders(ctx).PortfolioManagers(ctx, s))
}

func (r *Resolver) followedStartups(ctx context.Context, m *portfolio.Member) ([]*portfolio.Startup, error) {
	return nonNil(loaders(ctx).FollowedStartups(ctx, m))
}

func (r *Resolver) formerSlugs(ctx context.Context, s *portfolio.Startup) ([]string, error) {
	return nonNil(loaders(ctx).FormerSlugs(ctx, s))
}

// startupIncubators returns the main incubator, then the co-incubators.
func (r *Resolver) startupIncubators(ctx context.Context, s *portfolio.Startup) ([]*portfolio.Incubator, error) {
	out := []*portfolio.Incubator{}
	if s.IncubatorSlug != "" {
		main, err := loaders(ctx).Incubator(ctx, s.IncubatorSlug)
		if err != nil {
			return nil, err
		}
		if main != nil {
			out = append(out, main)
		}
	}
	co, err := loaders(ctx).CoIncubators(ctx, s)
	for _, i := range co {
		if i.Slug != s.IncubatorSlug {
			out = append(out, i)
		}
	}
	return out, err
}

// nextCommitteeDue applies portfolio.NextCommitteeDueAt at the field's
// date.
func (r *Resolver) nextCommitteeDue(ctx context.Context, s *portfolio.Startup, at *portfolio.Date) (*portfolio.Date, error) {
	phases, err := loaders(ctx).Phases(ctx, s)
	if err != nil {
		return nil, err
	}
	cs, err := loaders(ctx).Committees(ctx, s)
	return date(portfolio.NextCommitteeDueAt(phases, cs, asOfArg(ctx, at))), err
}

// reviewStatus applies portfolio.ReviewStatusAt at the field's date: null
// for a startup not in incubation.
func (r *Resolver) reviewStatus(ctx context.Context, s *portfolio.Startup, at *portfolio.Date) (*portfolio.ReviewStatus, error) {
	phases, err := loaders(ctx).Phases(ctx, s)
	if err != nil {
		return nil, err
	}
	cs, err := loaders(ctx).Committees(ctx, s)
	if st := portfolio.ReviewStatusAt(phases, cs, asOfArg(ctx, at)); st != "" && err == nil {
		return &st, nil
	}
	return nil, err
}

// intrapreneurs returns the members of the team at the field's date who
// are intrapreneurs then (portfolio.IntrapreneurAt), in the team's order.
func (r *Resolver) intrapreneurs(ctx context.Context, s *portfolio.Startup, at *portfolio.Date) ([]*portfolio.Member, error) {
	d := asOfArg(ctx, at)
	team, err := loaders(ctx).TeamAt(ctx, s, d)
	out := []*portfolio.Member{}
	for _, t := range team {
		if portfolio.IntrapreneurAt(t.Member.Domain, t.Mission, d) {
			out = append(out, t.Member)
		}
	}
	return out, err
}

// reviewStatuses counts a portfolio's startups in incubation by review
// status, in one statement: every status, in the enum's order.
func (r *Resolver) reviewStatuses(ctx context.Context, p *model.Portfolio) ([]*model.ReviewStatusCount, error) {
	cs, err := r.DB.ReviewStatuses(ctx, p.Filter, p.AsOf)
	if err != nil {
		return nil, err
	}
	out := make([]*model.ReviewStatusCount, len(cs))
	for i, c := range cs {
		out[i] = &model.ReviewStatusCount{Status: portfolio.ReviewStatus(c.Key), Count: c.Count}
	}
	return out, nil
}

// committeeOverdue applies the deprecated portfolio.OverdueAt at the
// field's date.
func (r *Resolver) committeeOverdue(ctx context.Context, s *portfolio.Startup, at *portfolio.Date) (bool, error) {
	phases, err := loaders(ctx).Phases(ctx, s)
	if err != nil {
		return false, err
	}
	cs, err := loaders(ctx).Committees(ctx, s)
	return portfolio.OverdueAt(phases, cs, asOfArg(ctx, at)), err
}

func (r *Resolver) eventStartup(ctx context.Context, e *portfolio.StartupEvent) (*portfolio.Startup, error) {
	return loaders(ctx).Startup(ctx, e.StartupSlug)
}

// ---------------------------------------------------------------- portfolio

// investment computes the FAST figures of a portfolio, in one statement,
// when the query asks for one of them.
func (r *Resolver) investment(ctx context.Context, p *model.Portfolio) (*model.Investment, error) {
	out := &model.Investment{Filter: p.Filter, AsOf: p.AsOf, ByPromotion: []*model.PromotionInvestment{},
		ByIncubator: []*model.IncubatorInvestment{}, BySponsor: []*model.SponsorInvestment{}}
	if !wantsAny(ctx, "fastCount", "fastTotalEuros", "byPromotion", "byIncubator", "bySponsor") {
		return out, nil
	}
	inv, err := r.DB.Investment(ctx, p.Filter, p.AsOf, sqlite.InvestmentParts{
		ByPromotion: wantsAny(ctx, "byPromotion"), ByIncubator: wantsAny(ctx, "byIncubator"), BySponsor: wantsAny(ctx, "bySponsor")})
	if err != nil {
		return nil, err
	}
	out.FastCount, out.FastTotalEuros = inv.FastCount, int(inv.FastTotalEuros)
	for _, c := range inv.ByPromotion {
		pi := &model.PromotionInvestment{StartupCount: c.StartupCount, AmountEuros: int(c.AmountEuros)}
		if n, err := strconv.Atoi(c.Key); err == nil {
			pi.Promotion = &n
		}
		out.ByPromotion = append(out.ByPromotion, pi)
	}
	for _, c := range inv.ByIncubator {
		out.ByIncubator = append(out.ByIncubator, &model.IncubatorInvestment{IncubatorSlug: c.Key, StartupCount: c.StartupCount, AmountEuros: int(c.AmountEuros)})
	}
	for _, c := range inv.BySponsor {
		out.BySponsor = append(out.BySponsor, &model.SponsorInvestment{OrganisationSlug: c.Key, StartupCount: c.StartupCount, AmountEuros: int(c.AmountEuros)})
	}
	return out, nil
}

// committeeBudget sums the committee budgets of a portfolio over a period
// (by default the year up to its date).
func (r *Resolver) committeeBudget(ctx context.Context, inv *model.Investment, from, to *portfolio.Date) (*int, error) {
	t := inv.AsOf
	if to != nil {
		t = *to
	}
	f := t.AddMonths(-12)
	if from != nil {
		f = *from
	}
	if t < f {
		return nil, portfolio.FieldErrorf("to", "to (%s) is before from (%s)", t, f)
	}
	sum, err := r.DB.CommitteeBudgetEuros(ctx, inv.Filter, inv.AsOf, f, t)
	if err != nil {
		return nil, err
	}
	n := int(sum)
	return &n, nil
}

// quality counts the quality markers of a portfolio in one statement.
func (r *Resolver) quality(ctx context.Context, p *model.Portfolio) (*model.Quality, error) {
	q, err := r.DB.Quality(ctx, p.Filter, p.AsOf)
	if err != nil {
		return nil, err
	}
	out := &model.Quality{StartupCount: q.StartupCount, WithStatsURL: q.WithStatsURL, WithImpactURL: q.WithImpactURL,
		WithBudgetURL: q.WithBudgetURL, WithDashlordURL: q.WithDashlordURL, WithSecurityHomologation: q.WithSecurityHomologation,
		WithRiskAnalysis: q.WithRiskAnalysis}
	for i, n := range q.ByAccessibility {
		ac := &model.AccessibilityCount{Count: n}
		if i < len(portfolio.Accessibilities) {
			a := portfolio.Accessibilities[i]
			ac.Accessibility = &a
		}
		out.ByAccessibility = append(out.ByAccessibility, ac)
	}
	return out, nil
}

// flows counts what happened in each period of a portfolio's flow, in one
// statement.
func (r *Resolver) flows(ctx context.Context, p *model.Portfolio, from portfolio.Date, to *portfolio.Date, every portfolio.Every) ([]*model.FlowPeriod, error) {
	t := p.AsOf
	if to != nil {
		t = *to
	}
	periods, err := portfolio.FlowPeriods(from, t, every)
	if err != nil {
		return nil, err
	}
	fs, err := r.DB.Flows(ctx, p.Filter, p.AsOf, periods, flowParts(ctx))
	if err != nil {
		return nil, err
	}
	out := make([]*model.FlowPeriod, len(fs))
	for i, f := range fs {
		out[i] = &model.FlowPeriod{Start: f.Start, End: f.End, Entered: phaseCounts(f.Entered), Exited: phaseCounts(f.Exited),
			ProductLaunches: f.ProductLaunches, NationalImpacts: f.NationalImpacts, FastGrants: f.FastGrants, Committees: f.Committees,
			CommitteeDecisions: counts(f.CommitteeDecisions, func(c sqlite.Count) *model.DecisionCount {
				return &model.DecisionCount{Decision: portfolio.Decision(c.Key), Count: c.Count}
			})}
	}
	return out, nil
}

// flowParts are the parts of the flows that the flows field's selection
// asks for.
func flowParts(ctx context.Context) sqlite.FlowParts {
	var parts sqlite.FlowParts
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		switch f.Name {
		case "entered":
			parts.Entered = true
		case "exited":
			parts.Exited = true
		case "productLaunches", "nationalImpacts", "fastGrants":
			parts.Events = true
		case "committees", "committeeDecisions":
			parts.Committees = true
		}
	}
	return parts
}

// ---------------------------------------------------------------- the event feed

func (r *Resolver) events(ctx context.Context, filter *model.EventFilter, orderBy []*model.EventOrder, first *int, after *string, last *int, before *string) (*model.StartupEventConnection, error) {
	var f *sqlite.EventFilter
	if filter != nil {
		f = &sqlite.EventFilter{Kinds: filter.Kinds, Incubators: filter.Incubators, Startups: filter.Startups, From: filter.From, To: filter.To}
	}
	var order []sqlite.EventOrder
	for _, o := range orderBy {
		order = append(order, sqlite.EventOrder{Field: string(o.Field), Direction: o.Direction})
	}
	p, w, err := rootPage(first, last, after, before, func(w portfolio.Window) (*sqlite.Page[*portfolio.StartupEvent], error) {
		return r.DB.Events(ctx, f, order, w)
	})
	if err != nil {
		return nil, err
	}
	return &model.StartupEventConnection{Nodes: p.Items, TotalCount: p.Total, PageInfo: pageInfo(w, len(p.Items), p.Total),
		Edges: edges(w, p.Items, func(c string, e *portfolio.StartupEvent) *model.StartupEventEdge {
			return &model.StartupEventEdge{Cursor: c, Node: e}
		})}, nil
}

// ---------------------------------------------------------------- people

func (r *Resolver) createMember(ctx context.Context, input model.CreateMemberInput) (*model.MemberPayload, error) {
	ctx, err := keyed(ctx, input.ClientMutationID, input)
	if err != nil {
		return nil, err
	}
	m := &portfolio.Member{Slug: input.Slug, Fullname: input.Fullname, Role: deref(input.Role), Domain: input.Domain,
		Competences: input.Competences, Github: deref(input.Github), Link: deref(input.Link), MemberType: deref(input.MemberType), Bio: deref(input.Bio)}
	var first *portfolio.Mission
	if mi := input.Mission; mi != nil {
		first = &portfolio.Mission{Start: mi.Start, End: deref(mi.End), Status: mi.Status, Employer: deref(mi.Employer), Startups: mi.Startups}
	}
	m, err = r.DB.CreateMember(ctx, m, first)
	if err != nil {
		return nil, err
	}
	return &model.MemberPayload{Member: m, ClientMutationID: input.ClientMutationID}, nil
}

func (r *Resolver) updateMember(ctx context.Context, input model.UpdateMemberInput) (*model.MemberPayload, error) {
	ctx, err := keyed(ctx, input.ClientMutationID, input)
	if err != nil {
		return nil, err
	}
	slug, err := ref("Member", "id", input.ID)
	if err != nil {
		return nil, err
	}
	m, err := r.DB.UpdateMember(ctx, slug, int64(input.Version), func(m *portfolio.Member) error {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&m.Fullname, input.Fullname)
		set(&m.Role, input.Role)
		set(&m.Github, input.Github)
		set(&m.Link, input.Link)
		set(&m.MemberType, input.MemberType)
		set(&m.Bio, input.Bio)
		if input.Domain != nil {
			m.Domain = *input.Domain
		}
		if input.Competences != nil {
			m.Competences = input.Competences
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &model.MemberPayload{Member: m, ClientMutationID: input.ClientMutationID}, nil
}

// ---------------------------------------------------------------- costs

// reviewComplexity adds the costs of the review's lists to c (see
// Complexity): lists bounded by the data, lists the schema fixes, a
// flow's periods by its arguments, the feed by its page and the number of
// events.
func reviewComplexity(c *ComplexityRoot, bounds func() portfolio.ListBounds) {
	list := func(n func(b portfolio.ListBounds) int) func(int) int {
		return func(child int) int { return portfolio.ListCost(child, n(bounds())) }
	}
	fixed := func(n int) func(int) int {
		return func(child int) int { return portfolio.ListCost(child, n) }
	}
	phases, decisions := len(portfolio.Phases), len(portfolio.Decisions)
	c.Startup.PortfolioManagers = list(func(b portfolio.ListBounds) int { return b.Managers })
	c.Startup.Incubators = list(func(b portfolio.ListBounds) int { return b.StartupIncubators })
	c.Startup.FormerSlugs = list(func(b portfolio.ListBounds) int { return b.FormerSlugs })
	c.Member.FollowedStartups = list(func(b portfolio.ListBounds) int { return b.FollowedStartups })
	c.Investment.ByPromotion = list(func(b portfolio.ListBounds) int { return b.Promotions })
	c.Investment.ByIncubator = list(func(b portfolio.ListBounds) int { return b.Incubators })
	c.Investment.BySponsor = list(func(b portfolio.ListBounds) int { return b.Organisations })
	c.Quality.ByAccessibility = fixed(len(portfolio.Accessibilities) + 1)
	c.Portfolio.Flows = func(child int, from portfolio.Date, to *portfolio.Date, every portfolio.Every) int {
		return portfolio.ListCost(child, flowPeriods(from, to, every))
	}
	c.FlowPeriod.Entered = fixed(phases)
	c.FlowPeriod.Exited = fixed(phases)
	c.FlowPeriod.CommitteeDecisions = fixed(decisions)
	c.Query.Events = func(child int, _ *model.EventFilter, _ []*model.EventOrder, first *int, _ *string, last *int, _ *string) int {
		return connection(child, first, last, bounds().AllEvents)
	}
}

// flowPeriods is the number of periods a flow may have: from its arguments
// when both ends are given, else (to defaults to an enclosing asOf the cost
// model cannot see) the most a flow may have.
func flowPeriods(from portfolio.Date, to *portfolio.Date, every portfolio.Every) int {
	if to == nil {
		return portfolio.MaxPeriods
	}
	ps, err := portfolio.FlowPeriods(from, *to, every)
	if err != nil {
		return portfolio.MaxPeriods
	}
	return len(ps)
}
