// Package graph is the GraphQL layer: the code gqlgen generates from
// schema.graphqls and thin resolvers that map arguments, call the store or
// the request's loaders, and return domain values.
package graph

//go:generate go -C .. run ./graph/gen

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"

	"github.com/incubateurs/portfolio/graph/model"
	"github.com/incubateurs/portfolio/internal/loader"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Resolver holds the dependencies of the resolvers.
type Resolver struct {
	DB *sqlite.DB
}

// today is the day the request answers for (portfolio.WithToday).
func today(ctx context.Context) portfolio.Date { return portfolio.TodayIn(ctx) }

// asOf returns the date a field answers for: its own asOf argument, else
// the asOf of the nearest enclosing field that has one, else today.
func asOf(ctx context.Context, arg *portfolio.Date) portfolio.Date {
	if arg != nil {
		return *arg
	}
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		switch v := fc.Args["asOf"].(type) {
		case *portfolio.Date:
			if v != nil {
				return *v
			}
		case portfolio.Date:
			if v != 0 {
				return v
			}
		}
	}
	return today(ctx)
}

func loaders(ctx context.Context) *loader.Loaders { return loader.From(ctx) }

// str returns nil for "", so that absent text reads null.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// date returns nil for the zero date.
func date(d portfolio.Date) *portfolio.Date {
	if d.IsZero() {
		return nil
	}
	return &d
}

func window(first, last *int, after, before *string) (portfolio.Window, error) {
	return portfolio.WindowOf(first, last, after, before)
}

// edges makes the edges of a page at w: each item with its cursor.
func edges[N, E any](w portfolio.Window, items []N, edge func(cursor string, n N) E) []E {
	out := make([]E, len(items))
	for i, n := range items {
		out[i] = edge(portfolio.Cursor(w.Offset+i), n)
	}
	return out
}

// pageInfo describes a page of n items at w of a list of total items (total
// < 0 when not counted; more then says whether items follow).
func pageInfo(w portfolio.Window, n, total int, more ...bool) *model.PageInfo {
	pi := &model.PageInfo{HasPreviousPage: w.Offset > 0 && total != 0, HasNextPage: (total >= 0 && w.Offset+n < total) || (len(more) > 0 && more[0])}
	if n > 0 {
		s, e := portfolio.Cursor(w.Offset), portfolio.Cursor(w.Offset+n-1)
		pi.StartCursor, pi.EndCursor = &s, &e
	}
	return pi
}

// startupConnection is a page of startups; its edges (an object and a
// cursor per node) are made only when the query selects them.
func startupConnection(ctx context.Context, w portfolio.Window, p *sqlite.Page[*portfolio.Startup]) *model.StartupConnection {
	c := &model.StartupConnection{Nodes: p.Items, TotalCount: p.Total, PageInfo: pageInfo(w, len(p.Items), p.Total, p.More)}
	if wantsField(ctx, "edges") {
		c.Edges = edges(w, p.Items, func(c string, s *portfolio.Startup) *model.StartupEdge { return &model.StartupEdge{Cursor: c, Node: s} })
	}
	return c
}

// missionConnection is a page of missions, its edges made as
// startupConnection's.
func missionConnection(ctx context.Context, w portfolio.Window, items []*portfolio.Mission, total int) *model.MissionConnection {
	c := &model.MissionConnection{Nodes: items, TotalCount: total, PageInfo: pageInfo(w, len(items), total)}
	if wantsField(ctx, "edges") {
		c.Edges = edges(w, items, func(c string, m *portfolio.Mission) *model.MissionEdge { return &model.MissionEdge{Cursor: c, Node: m} })
	}
	return c
}

// windowFor resolves a window whose "last" without "before" needs the
// list's length: it is resolved against total when known.
func windowOrLast(first, last *int, after, before *string, total int) (portfolio.Window, error) {
	if last != nil && before == nil && total >= 0 {
		c := portfolio.Cursor(total)
		before = &c
	}
	return portfolio.WindowOf(first, last, after, before)
}

// startupQuery builds the store query of a startups field.
func startupQuery(ctx context.Context, filter *portfolio.StartupFilter, orderBy []*portfolio.StartupOrder, at *portfolio.Date, w portfolio.Window) sqlite.StartupQuery {
	return sqlite.StartupQuery{Filter: filter, Order: orderBy, AsOf: asOf(ctx, at), Window: w, WantTotal: wantsField(ctx, "totalCount")}
}

// wantsField reports whether the query selects name under the field being
// resolved, so that costly parts of an answer (a count over every row) are
// computed only when asked for.
func wantsField(ctx context.Context, name string) bool {
	for _, f := range graphql.CollectFieldsCtx(ctx, nil) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// wantsSibling reports whether the object of the field being resolved is
// asked for one of names too (aliases, fragments and directives as gqlgen
// reads them); true when that cannot be told.
func wantsSibling(ctx context.Context, names ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Parent == nil || fc.Parent.Field.Field == nil {
		return true
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Parent.Field.Selections, []string{fc.Object}) {
		if slices.Contains(names, f.Name) {
			return true
		}
	}
	return false
}

// phasePeriods gives each phase its duration as seen at d.
func phasePeriods(phases []portfolio.PhasePeriod, d portfolio.Date) []*model.PhasePeriod {
	periods := make([]model.PhasePeriod, len(phases)) // one allocation for the values, one for the list
	out := make([]*model.PhasePeriod, len(phases))
	for i, p := range phases {
		periods[i] = model.PhasePeriod{PhasePeriod: p, DurationDays: portfolio.DaysInPhase(phases, i, d)}
		out[i] = &periods[i]
	}
	return out
}

func counts[T any](cs []sqlite.Count, mk func(sqlite.Count) T) []T {
	out := make([]T, len(cs))
	for i, c := range cs {
		out[i] = mk(c)
	}
	return out
}

// asOfArg is asOf for a field that takes the argument itself.
func asOfArg(ctx context.Context, arg *portfolio.Date) portfolio.Date { return asOf(ctx, arg) }

// nonNil turns a nil list into an empty one, for non-null list fields.
func nonNil[T any](list []T, err error) ([]T, error) {
	if list == nil {
		list = []T{}
	}
	return list, err
}

func nonNilStrings(list []string) []string {
	if list == nil {
		return []string{}
	}
	return list
}

func phaseCounts(cs []sqlite.Count) []*model.PhaseCount {
	return counts(cs, func(c sqlite.Count) *model.PhaseCount {
		return &model.PhaseCount{Phase: portfolio.Phase(c.Key), Count: c.Count}
	})
}

// registerNode announces a node lookup so that nodes(ids:) loads each type
// in one statement.
func registerNode(ctx context.Context, typ, slug string) {
	l := loaders(ctx)
	switch typ {
	case "Startup":
		l.RegisterStartup(slug)
	case "Incubator":
		l.RegisterIncubator(slug)
	case "Organisation":
		l.RegisterOrganisation(slug)
	case "Member":
		l.RegisterMember(slug)
	case "Team":
		l.RegisterTeam(slug)
	}
}

// nodeBySlug returns the object of the given type and slug, or nil.
func (r *Resolver) nodeBySlug(ctx context.Context, typ, slug string) (model.Node, error) {
	l := loaders(ctx)
	// Each case returns a typed nil as an untyped nil, so that a missing
	// object reads null.
	switch typ {
	case "Startup":
		if v, err := l.Startup(ctx, slug); v != nil || err != nil {
			return v, err
		}
	case "Incubator":
		if v, err := l.Incubator(ctx, slug); v != nil || err != nil {
			return v, err
		}
	case "Organisation":
		if v, err := l.Organisation(ctx, slug); v != nil || err != nil {
			return v, err
		}
	case "Member":
		if v, err := l.Member(ctx, slug); v != nil || err != nil {
			return v, err
		}
	case "Team":
		if v, err := l.Team(ctx, slug); v != nil || err != nil {
			return v, err
		}
	case "Mission":
		m, err := r.DB.MissionsBySlug(ctx, []string{slug})
		if err != nil || m[slug] == nil {
			return nil, err
		}
		return m[slug], nil
	case "Committee":
		c, err := r.DB.CommitteesBySlug(ctx, []string{slug})
		if err != nil || c[slug] == nil {
			return nil, err
		}
		return c[slug], nil
	}
	return nil, nil
}

// rootWindow resolves the paging arguments of a root list; count, which
// gives the list's length, is called only when "last" comes without
// "before".
func rootWindow(first, last *int, after, before *string, count func() (int, error)) (portfolio.Window, error) {
	total := -1
	if last != nil && before == nil {
		n, err := count()
		if err != nil {
			return portfolio.Window{}, err
		}
		total = n
	}
	return windowOrLast(first, last, after, before, total)
}

// rootPage reads the page of a root list that the connection's arguments
// ask for: fetch reads a window of the list with its length; "last"
// without "before" first asks it for one item, to learn the length.
func rootPage[T any](first, last *int, after, before *string, fetch func(portfolio.Window) (*sqlite.Page[T], error)) (*sqlite.Page[T], portfolio.Window, error) {
	w, err := rootWindow(first, last, after, before, func() (int, error) {
		p, err := fetch(portfolio.Window{Limit: 1})
		if err != nil {
			return 0, err
		}
		return p.Total, nil
	})
	if err != nil {
		return nil, w, err
	}
	p, err := fetch(w)
	return p, w, err
}

// teamStats computes the team figures of a portfolio once per request.
func (r *Resolver) teamStats(ctx context.Context, p *model.Portfolio) (*sqlite.TeamStats, error) {
	return p.TeamStats(func() (*sqlite.TeamStats, error) { return r.DB.TeamStats(ctx, p.Filter, p.AsOf) })
}
