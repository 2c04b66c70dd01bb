package sqlite

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// A filter with a condition evaluated at a date (phases, active,
// committeeOverdue, the review's dated conditions) compiles to correlated
// subqueries that SQL evaluates for every startup row: at 100 times the
// network, a page of the overdue startups with its count took 0.23 s, and
// the review page runs five such lists and figures. At one date, such a
// filter is instead evaluated in memory over the dated index, with the
// domain's rules (datedFilter, as timelines with such a filter are); the
// conditions that do not depend on the date are asked of SQL in one
// statement, and the statements of the request (a page, its count, a
// figure) read the startups selected by id. The figures that are the
// rules themselves at one date (review statuses, startups without an
// intrapreneur, the deprecated overdue count) are counted over the same
// selection. The SQL of each rule remains: orderings use it, and tests
// compare the two (WithSQLRules).

type sqlRulesKey struct{}

// WithSQLRules returns a context in which filters and figures that depend
// on a date are evaluated in SQL rather than in memory over the dated
// index: tests run the same questions both ways and compare.
func WithSQLRules(ctx context.Context) context.Context {
	return context.WithValue(ctx, sqlRulesKey{}, true)
}

// sqlRules reports whether ctx asks for the SQL evaluation (WithSQLRules).
func sqlRules(ctx context.Context) bool {
	v, _ := ctx.Value(sqlRulesKey{}).(bool)
	return v
}

// inMemory reports whether the startups f selects at a date are evaluated
// in memory: f has a condition evaluated at a date, and ctx does not ask
// for SQL.
func inMemory(ctx context.Context, f *portfolio.StartupFilter) bool {
	return f != nil && timeDependent(f) && !sqlRules(ctx)
}

// datedSelection is the startups a filter selects at a date, as positions in
// a dated index.
type datedSelection struct {
	idx *datedIndex
	set bitset // nil: every startup of the index
}

// each calls fn with the position of every selected startup, ascending.
func (s *datedSelection) each(fn func(i int)) {
	if s.set == nil {
		for i := range s.idx.ids {
			fn(i)
		}
		return
	}
	s.set.each(fn)
}

// ids returns the selected startups' ids, ascending.
func (s *datedSelection) ids() []int64 {
	var out []int64
	s.each(func(i int) { out = append(out, s.idx.ids[i]) })
	return out
}

// where binds the selected ids into b and returns the condition on a
// startup row aliased s that holds for them.
func (s *datedSelection) where(b *builder) string {
	if s.set == nil {
		return "1"
	}
	return "s.id IN (SELECT value FROM json_each(" + b.arg(jsonInts(s.ids())) + "))"
}

// selections holds the selections made for one request (in its filter
// cache), so that a page, its count and each figure share one evaluation.
type selections struct {
	mu sync.Mutex
	m  map[filterKey]*selectionResult
}

type selectionResult struct {
	once sync.Once
	sel  *datedSelection
	err  error
}

// selectionAt returns the startups f selects at d, evaluated in memory:
// once per request when ctx has a filter cache (WithFilterCache).
func (db *DB) selectionAt(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (*datedSelection, error) {
	c, _ := ctx.Value(filterCacheKey{}).(*filterCache)
	if c == nil {
		return db.evalSelection(ctx, f, d)
	}
	c.sels.mu.Lock()
	k := filterKey{f, d}
	r := c.sels.m[k]
	if r == nil {
		r = &selectionResult{}
		if c.sels.m == nil {
			c.sels.m = map[filterKey]*selectionResult{}
		}
		c.sels.m[k] = r
	}
	c.sels.mu.Unlock()
	r.once.Do(func() { r.sel, r.err = db.evalSelection(ctx, f, d) })
	return r.sel, r.err
}

// evalSelection evaluates f at d over the dated index of the current data
// version (read first when the data changed).
func (db *DB) evalSelection(ctx context.Context, f *portfolio.StartupFilter, d portfolio.Date) (*datedSelection, error) {
	idx, err := db.datedIndex(ctx)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return &datedSelection{idx: idx}, nil
	}
	df, err := db.newDatedFilter(ctx, idx, f)
	if err != nil {
		return nil, err
	}
	set := newBitset(len(idx.ids))
	for i := range idx.ids {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if df.holds(0, i, d) {
			set.set(i)
		}
	}
	return &datedSelection{idx: idx, set: set}, nil
}

// reviewStatusesAt counts the selected startups in incubation at d by
// review status (portfolio.ReviewStatusAt), in the order of
// portfolio.ReviewStatuses.
func (s *datedSelection) reviewStatusesAt(d portfolio.Date) []int {
	out := make([]int, len(portfolio.ReviewStatuses))
	s.each(func(i int) {
		if st := portfolio.ReviewStatusAt(s.idx.phases[i], s.idx.committees[i], d); st != "" {
			if r := st.Rank(); r < len(out) {
				out[r]++
			}
		}
	})
	return out
}

// countAt counts the selected startups for which holds is true.
func (s *datedSelection) countAt(holds func(i int) bool) int {
	n := 0
	s.each(func(i int) {
		if holds(i) {
			n++
		}
	})
	return n
}

// The lists ordered by the rules (the start of the phase at the date, the
// last committee, the next committee due, the review status, the
// incubation's start, then the slug) are ordered in memory too, over the
// selection: in SQL each key is a correlated subquery per selected row
// (at 100 times the network, 80-116 ms for each of the review page's
// lists), here a function of the startup's phases and committees. The
// statement then reads the page's rows by id. So are the lists of a
// selection made in memory by name or slug (the index holds both orders).
// An order on another key (the team's size, the FAST amount) stays in
// SQL.

// orderedInMemory reports whether every key of orders is a rule's, the
// name or the slug, and at least one is a rule's or the selection is made
// in memory anyway (selected): SQL reads the names' and the slugs' order
// from their indexes, and stops at the page, when it selects too.
func orderedInMemory(orders []*portfolio.StartupOrder, selected bool) bool {
	rule := selected
	for _, o := range orders {
		switch o.Field {
		case portfolio.StartupOrderSlug, portfolio.StartupOrderName:
		case portfolio.StartupOrderPhaseStart, portfolio.StartupOrderLastCommittee, portfolio.StartupOrderNextDue,
			portfolio.StartupOrderReviewStatus, portfolio.StartupOrderIncubatedSince:
			rule = true
		default:
			return false
		}
	}
	return rule
}

// orderKey is one key of a startup in a list's order: null, or a value.
type orderKey struct {
	null bool
	v    int64
}

// orderKeyAt is the value of field for startup i at d, as startupOrderSQL
// computes it (null where SQL's expression is NULL).
func (idx *datedIndex) orderKeyAt(field portfolio.StartupOrderField, i int, d portfolio.Date) orderKey {
	phases, committees := idx.phases[i], idx.committees[i]
	date := func(x portfolio.Date) orderKey { return orderKey{null: x.IsZero(), v: int64(x)} }
	switch field {
	case portfolio.StartupOrderSlug:
		return orderKey{v: int64(idx.slugRank[i])}
	case portfolio.StartupOrderName:
		return orderKey{v: int64(idx.nameRank[i])}
	case portfolio.StartupOrderPhaseStart:
		if k := portfolio.PhaseAt(phases, d); k >= 0 {
			return date(phases[k].Start)
		}
	case portfolio.StartupOrderLastCommittee:
		if k := portfolio.LastCommittee(committees, d); k >= 0 {
			return date(committees[k].Date)
		}
	case portfolio.StartupOrderNextDue:
		return date(portfolio.NextCommitteeDueAt(phases, committees, d))
	case portfolio.StartupOrderReviewStatus:
		if st := portfolio.ReviewStatusAt(phases, committees, d); st != "" {
			return orderKey{v: int64(st.Rank())}
		}
	case portfolio.StartupOrderIncubatedSince:
		return date(portfolio.EarliestStart(phases))
	}
	return orderKey{null: true}
}

// sorted returns the positions of the selected startups in the order of
// orders at d (each key ascending or descending, nulls last either way),
// ties by slug, as startupOrderSQL orders them.
func (s *datedSelection) sorted(orders []*portfolio.StartupOrder, d portfolio.Date) []int32 {
	if len(orders) == 0 { // by name, as startupOrderSQL
		orders = []*portfolio.StartupOrder{{Field: portfolio.StartupOrderName}}
	}
	type row struct {
		pos  int32
		keys []orderKey
	}
	var rows []row
	s.each(func(i int) {
		r := row{pos: int32(i), keys: make([]orderKey, len(orders))}
		for k, o := range orders {
			r.keys[k] = s.idx.orderKeyAt(o.Field, i, d)
		}
		rows = append(rows, r)
	})
	slices.SortFunc(rows, func(a, b row) int {
		for k, o := range orders {
			x, y := a.keys[k], b.keys[k]
			switch {
			case x.null && y.null:
				continue
			case x.null:
				return 1
			case y.null:
				return -1
			}
			c := cmp.Compare(x.v, y.v)
			if o.Direction == portfolio.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return cmp.Compare(s.idx.slugRank[a.pos], s.idx.slugRank[b.pos])
	})
	out := make([]int32, len(rows))
	for k, r := range rows {
		out[k] = r.pos
	}
	return out
}
