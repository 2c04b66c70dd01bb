package sqlite

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Bounds on one filter: the nesting of and/or/not, its conditions in all,
// and a search's words and their length (SQLite refuses expressions and
// LIKE patterns past its own limits; these are far below them).
const (
	maxFilterDepth      = 12
	maxFilterConditions = 500
	maxSearchWords      = 20
	maxSearchWordLength = 100
)

// builder assembles one SQL statement and its numbered parameters (?1, ?2,
// …), so fragments can be written in any order and a value used twice is
// bound once.
type builder struct {
	args  []any
	dates map[portfolio.Date]string
	conds int   // conditions compiled, to bound a filter's breadth
	err   error // the first bound a filter broke
}

// arg binds v and returns its placeholder.
func (b *builder) arg(v any) string {
	b.args = append(b.args, v)
	return "?" + strconv.Itoa(len(b.args))
}

// date binds a date once per statement and returns its placeholder.
func (b *builder) date(d portfolio.Date) string {
	if p, ok := b.dates[d]; ok {
		return p
	}
	if b.dates == nil {
		b.dates = map[portfolio.Date]string{}
	}
	p := b.arg(d.String())
	b.dates[d] = p
	return p
}

// at is the date a time-dependent condition is evaluated at: a bound value,
// or a column of the statement (a timeline's dates).
type at struct {
	b   *builder
	d   portfolio.Date
	col string
}

func (a at) sql() string {
	if a.col != "" {
		return a.col
	}
	return a.b.date(a.d)
}

// Correlated expressions on a startup row aliased s.

// phaseAtSQL is the phase of startup s at the date: the one period with
// start <= D < next_start (see migration 0003).
func phaseAtSQL(a at) string {
	return `(SELECT p.phase FROM phases p WHERE p.startup_id = s.id AND ` + phaseCoversSQL("p", a.sql()) + `)`
}

func phaseStartAtSQL(a at) string {
	return `(SELECT p.start FROM phases p WHERE p.startup_id = s.id AND ` + phaseCoversSQL("p", a.sql()) + `)`
}

func activeAtSQL(a at) string { return activePhaseSQL(phaseAtSQL(a)) }

func lastCommitteeAtSQL(a at) string { return lastCommitteeSQL("s.id", a.sql()) }

// nextDueAtSQL is when startup s's next committee is due at the date.
func nextDueAtSQL(a at) string { return nextDueSQL(activeAtSQL(a), "s.id", a.sql()) }

// overdueAtSQL holds when startup s is overdue at the date (the
// deprecated rule).
func overdueAtSQL(a at) string { return overdueSQL(activeAtSQL(a), "s.id", a.sql()) }

// reviewStatusAtSQL is startup s's review status at the date.
func reviewStatusAtSQL(a at) string { return reviewStatusSQL(activeAtSQL(a), "s.id", a.sql()) }

// withoutIntrapreneurAtSQL holds when startup s is in incubation at the
// date without an intrapreneur.
func withoutIntrapreneurAtSQL(a at) string {
	return withoutIntrapreneurSQL(activeAtSQL(a), "s.id", a.sql())
}

func teamSizeAtSQL(a at) string {
	return `(SELECT count(DISTINCT m.member_id) FROM mission_startups ms JOIN missions m ON m.id = ms.mission_id
		WHERE ms.startup_id = s.id AND ` + missionCoversSQL("m", a.sql()) + `)`
}

func inList(b *builder, expr string, values []string) string {
	if len(values) == 0 {
		return "0"
	}
	return expr + " IN (SELECT value FROM json_each(" + b.arg(jsonList(values)) + "))"
}

func enumStrings[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

// searchSQL matches every word of q in the folded column col.
func searchSQL(b *builder, col, q string) string {
	// Control characters separate words too: SQLite's LIKE would read a NUL
	// as the end of the pattern.
	words := strings.FieldsFunc(portfolio.Fold(q), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	if len(words) == 0 {
		return "1"
	}
	if len(words) > maxSearchWords {
		b.err = portfolio.FieldErrorf("search", "search has %d words; at most %d", len(words), maxSearchWords)
	}
	for _, w := range words {
		if len(w) > maxSearchWordLength {
			b.err = portfolio.FieldErrorf("search", "a word of search is longer than %d characters", maxSearchWordLength)
		}
	}
	var parts []string
	for _, w := range words {
		w = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(w)
		parts = append(parts, col+" LIKE "+b.arg("%"+w+"%")+` ESCAPE '\'`)
	}
	return "(" + strings.Join(parts, " AND ") + ")"
}

func boolSQL(cond string, want bool) string {
	if want {
		return "coalesce(" + cond + ", 0)"
	}
	return "NOT coalesce(" + cond + ", 0)"
}

// compose joins the SQL of sub-filters of an and/or.
func compose[F any](fs []*F, op string, depth int, one func(*F, int) (string, error)) (string, error) {
	if len(fs) == 0 {
		if op == " AND " {
			return "1", nil
		}
		return "0", nil
	}
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		s, err := one(f, depth+1)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return "(" + strings.Join(parts, op) + ")", nil
}

// logic checks a filter of any kind against the bounds (depth, number of
// parts), then compiles its and, or and not with one, the compiler of that
// kind, into the conditions they add.
func logic[F any](b *builder, and, or []*F, not *F, depth int, one func(*F, int) (string, error)) ([]string, error) {
	if err := tooDeep(depth); err != nil {
		return nil, err
	}
	if err := b.counted(); err != nil {
		return nil, err
	}
	var conds []string
	if and != nil {
		s, err := compose(and, " AND ", depth, one)
		if err != nil {
			return nil, err
		}
		conds = append(conds, s)
	}
	if or != nil {
		s, err := compose(or, " OR ", depth, one)
		if err != nil {
			return nil, err
		}
		conds = append(conds, s)
	}
	if not != nil {
		s, err := one(not, depth+1)
		if err != nil {
			return nil, err
		}
		conds = append(conds, "NOT coalesce("+s+", 0)")
	}
	return conds, nil
}

func tooDeep(depth int) error {
	if depth > maxFilterDepth {
		return portfolio.FieldErrorf("filter", "filter nests and/or/not more than %d deep", maxFilterDepth)
	}
	return nil
}

// counted notes one more filter and reports a broken bound.
func (b *builder) counted() error {
	b.conds++
	if b.conds > maxFilterConditions {
		return portfolio.FieldErrorf("filter", "the filter has more than %d parts (and/or/not branches)", maxFilterConditions)
	}
	return b.err
}

// startupFilterSQL compiles f into a condition on a startup row aliased s.
func startupFilterSQL(b *builder, f *portfolio.StartupFilter, a at, depth int) (string, error) {
	if f == nil {
		return "1", nil
	}
	conds, err := logic(b, f.And, f.Or, f.Not, depth, func(g *portfolio.StartupFilter, d int) (string, error) { return startupFilterSQL(b, g, a, d) })
	if err != nil {
		return "", err
	}
	static, err := startupStaticConds(b, f)
	if err != nil {
		return "", err
	}
	conds = append(conds, static...)
	if f.Phases != nil {
		conds = append(conds, "coalesce("+inList(b, phaseAtSQL(a), enumStrings(f.Phases))+", 0)")
	}
	if f.Active != nil {
		conds = append(conds, boolSQL(activeAtSQL(a), *f.Active))
	}
	if f.CommitteeOverdue != nil {
		conds = append(conds, boolSQL(overdueAtSQL(a), *f.CommitteeOverdue))
	}
	dated, err := reviewDatedConds(b, &f.ReviewConditions, a)
	if err != nil {
		return "", err
	}
	conds = append(conds, dated...)
	if len(conds) == 0 {
		return "1", nil
	}
	return "(" + strings.Join(conds, " AND ") + ")", nil
}

// startupStaticConds compiles the conditions of f itself (not those of its
// and, or and not) that do not depend on the date.
func startupStaticConds(b *builder, f *portfolio.StartupFilter) ([]string, error) {
	var conds []string
	if f.Slugs != nil {
		conds = append(conds, inList(b, "s.slug", f.Slugs))
	}
	if f.Incubators != nil {
		conds = append(conds, "coalesce(s.incubator_id IN (SELECT id FROM incubators WHERE "+inList(b, "slug", f.Incubators)+"), 0)")
	}
	if f.Sponsors != nil {
		conds = append(conds, "EXISTS (SELECT 1 FROM startup_sponsors ss JOIN organisations o ON o.id = ss.organisation_id WHERE ss.startup_id = s.id AND "+inList(b, "o.slug", f.Sponsors)+")")
	}
	for _, tag := range []struct {
		kind   string
		labels []string
	}{{"thematique", f.Thematiques}, {"usertype", f.Usertypes}, {"techno", f.Techno}} {
		if kind, labels := tag.kind, tag.labels; labels != nil {
			conds = append(conds, "EXISTS (SELECT 1 FROM startup_tags t WHERE t.startup_id = s.id AND t.kind = '"+kind+"' AND "+inList(b, "t.label", labels)+")")
		}
	}
	if f.Search != nil {
		conds = append(conds, searchSQL(b, "s.search_text", *f.Search))
		if b.err != nil {
			return nil, b.err
		}
	}
	return append(conds, reviewStaticConds(b, &f.ReviewConditions)...), nil
}

// onTeamAtSQL is the condition "member mb has a mission covering the date"
// with an extra condition on the mission row mi.
func coveringMissionSQL(a at, extra string) string {
	return `EXISTS (SELECT 1 FROM missions mi WHERE mi.member_id = mb.id AND ` + missionCoversSQL("mi", a.sql()) + extra + `)`
}

// memberFilterSQL compiles f into a condition on a member row aliased mb.
func memberFilterSQL(b *builder, f *portfolio.MemberFilter, a at, depth int) (string, error) {
	if f == nil {
		return "1", nil
	}
	conds, err := logic(b, f.And, f.Or, f.Not, depth, func(g *portfolio.MemberFilter, d int) (string, error) { return memberFilterSQL(b, g, a, d) })
	if err != nil {
		return "", err
	}
	if f.Slugs != nil {
		conds = append(conds, inList(b, "mb.slug", f.Slugs))
	}
	if f.Domains != nil {
		conds = append(conds, inList(b, "mb.domain", enumStrings(f.Domains)))
	}
	if f.Statuses != nil {
		conds = append(conds, coveringMissionSQL(a, " AND "+inList(b, "mi.status", enumStrings(f.Statuses))))
	}
	if f.Active != nil {
		conds = append(conds, boolSQL(coveringMissionSQL(a, ""), *f.Active))
	}
	if f.Startups != nil {
		conds = append(conds, coveringMissionSQL(a, " AND EXISTS (SELECT 1 FROM mission_startups ms JOIN startups st ON st.id = ms.startup_id WHERE ms.mission_id = mi.id AND "+inList(b, "st.slug", f.Startups)+")"))
	}
	if f.Incubators != nil {
		conds = append(conds, coveringMissionSQL(a, " AND EXISTS (SELECT 1 FROM mission_startups ms JOIN startups st ON st.id = ms.startup_id JOIN incubators ic ON ic.id = st.incubator_id WHERE ms.mission_id = mi.id AND "+inList(b, "ic.slug", f.Incubators)+")"))
	}
	if f.Search != nil {
		conds = append(conds, searchSQL(b, "mb.search_text", *f.Search))
		if b.err != nil {
			return "", b.err
		}
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return "(" + strings.Join(conds, " AND ") + ")", nil
}

// committeeFilterSQL compiles f into a condition on a committee row aliased
// c (with its startup aliased s).
func committeeFilterSQL(b *builder, f *portfolio.CommitteeFilter, depth int) (string, error) {
	if f == nil {
		return "1", nil
	}
	conds, err := logic(b, f.And, f.Or, f.Not, depth, func(g *portfolio.CommitteeFilter, d int) (string, error) { return committeeFilterSQL(b, g, d) })
	if err != nil {
		return "", err
	}
	if f.Startups != nil {
		conds = append(conds, inList(b, "s.slug", f.Startups))
	}
	if f.Incubators != nil {
		conds = append(conds, "coalesce(s.incubator_id IN (SELECT id FROM incubators WHERE "+inList(b, "slug", f.Incubators)+"), 0)")
	}
	if f.Decisions != nil {
		conds = append(conds, inList(b, "c.decision", enumStrings(f.Decisions)))
	}
	if f.Sources != nil {
		conds = append(conds, inList(b, "c.source", enumStrings(f.Sources)))
	}
	if f.States != nil {
		conds = append(conds, inList(b, "c.state", enumStrings(f.States)))
	}
	if f.From != nil {
		conds = append(conds, "c.date >= "+b.date(*f.From))
	}
	if f.To != nil {
		conds = append(conds, "c.date <= "+b.date(*f.To))
	}
	if len(conds) == 0 {
		return "1", nil
	}
	return "(" + strings.Join(conds, " AND ") + ")", nil
}

func direction(d portfolio.OrderDirection) string {
	if d == portfolio.Desc {
		return " DESC NULLS LAST"
	}
	return " ASC NULLS LAST"
}

// startupOrderSQL compiles an ordering of startup rows s; ties by slug.
func startupOrderSQL(orders []*portfolio.StartupOrder, a at) string {
	var keys []string
	for _, o := range orders {
		var e string
		switch o.Field {
		case portfolio.StartupOrderName:
			e = "s.name_key" // French order (namekeys.go)
		case portfolio.StartupOrderSlug:
			e = "s.slug"
		case portfolio.StartupOrderPhaseStart:
			e = phaseStartAtSQL(a)
		case portfolio.StartupOrderLastCommittee:
			e = lastCommitteeAtSQL(a)
		case portfolio.StartupOrderTeamSize:
			e = teamSizeAtSQL(a)
		default:
			if e = reviewOrderSQL(o.Field, a); e == "" {
				continue
			}
		}
		keys = append(keys, e+direction(o.Direction))
	}
	if len(keys) == 0 {
		keys = append(keys, "s.name_key ASC")
	}
	return strings.Join(append(keys, "s.slug ASC"), ", ")
}

func memberOrderSQL(orders []*portfolio.MemberOrder) string {
	var keys []string
	for _, o := range orders {
		var e string
		switch o.Field {
		case portfolio.MemberOrderName:
			e = "mb.name_key" // French order (namekeys.go)
		case portfolio.MemberOrderSlug:
			e = "mb.slug"
		case portfolio.MemberOrderFirstMission:
			e = "(SELECT min(mi.start) FROM missions mi WHERE mi.member_id = mb.id)"
		default:
			continue
		}
		keys = append(keys, e+direction(o.Direction))
	}
	if len(keys) == 0 {
		keys = append(keys, "mb.name_key ASC")
	}
	return strings.Join(append(keys, "mb.slug ASC"), ", ")
}

func committeeOrderSQL(orders []*portfolio.CommitteeOrder) string {
	var keys []string
	for _, o := range orders {
		switch o.Field {
		case portfolio.CommitteeOrderDate:
			keys = append(keys, "c.date"+direction(o.Direction))
		case portfolio.CommitteeOrderStartup:
			keys = append(keys, "s.slug"+direction(o.Direction))
		}
	}
	if len(keys) == 0 {
		keys = append(keys, "c.date DESC")
	}
	return strings.Join(append(keys, "c.slug ASC"), ", ")
}

// A request compiles each of its filters once. The statements that read
// a filter's startups (a page, its count, each figure of a portfolio)
// start their builder with the filter compiled: its placeholders first,
// numbered from 1, so that the text and arguments of one compilation are
// right at the start of every statement.

type filterCacheKey struct{}

// filterKey is a filter evaluated at a date.
type filterKey struct {
	f *portfolio.StartupFilter
	d portfolio.Date
}

// compiledFilter is a filter compiled at a date: its condition, its
// arguments and the placeholders of its dates.
type compiledFilter struct {
	where string
	args  []any
	dates map[portfolio.Date]string
	err   error
}

// filterCache holds the filters compiled for one request.
type filterCache struct {
	sels     selections // the filters evaluated in memory
	mu       sync.Mutex
	m        map[filterKey]*compiledFilter
	compiled int // compilations (tests)
}

// WithFilterCache returns ctx in which a filter is compiled to SQL once,
// whatever the statements of the request that use it.
func WithFilterCache(ctx context.Context) context.Context {
	if _, ok := ctx.Value(filterCacheKey{}).(*filterCache); ok {
		return ctx
	}
	return context.WithValue(ctx, filterCacheKey{}, &filterCache{})
}

// FiltersCompiled tells how many filters were compiled under ctx
// (WithFilterCache), for tests.
func FiltersCompiled(ctx context.Context) int {
	c, _ := ctx.Value(filterCacheKey{}).(*filterCache)
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.compiled
}

// selectedAt compiles f at d into b, a builder no argument was bound to
// yet: from the request's cache when ctx has one (WithFilterCache). A
// filter with a condition evaluated at a date selects its startups in
// memory (selection.go), and the condition reads them by id.
func (db *DB) selectedAt(ctx context.Context, b *builder, f *portfolio.StartupFilter, d portfolio.Date) (string, error) {
	c, _ := ctx.Value(filterCacheKey{}).(*filterCache)
	if c == nil || f == nil || len(b.args) > 0 {
		return db.compileFilter(ctx, b, f, d)
	}
	k := filterKey{f, d}
	c.mu.Lock()
	cf := c.m[k]
	if cf == nil {
		fb := &builder{}
		where, err := db.compileFilter(ctx, fb, f, d)
		cf = &compiledFilter{where: where, args: fb.args, dates: fb.dates, err: err}
		if c.m == nil {
			c.m = map[filterKey]*compiledFilter{}
		}
		c.m[k] = cf
		c.compiled++
	}
	c.mu.Unlock()
	if cf.err != nil {
		return "", cf.err
	}
	b.args = append(b.args, cf.args...)
	if len(cf.dates) > 0 {
		b.dates = make(map[portfolio.Date]string, len(cf.dates))
		for d, p := range cf.dates {
			b.dates[d] = p
		}
	}
	return cf.where, nil
}

// compileFilter compiles f at d into b: in SQL, or as the ids of the
// startups it selects in memory (inMemory).
func (db *DB) compileFilter(ctx context.Context, b *builder, f *portfolio.StartupFilter, d portfolio.Date) (string, error) {
	if !inMemory(ctx, f) {
		return startupFilterSQL(b, f, at{b: b, d: d}, 0)
	}
	sel, err := db.selectionAt(ctx, f, d)
	if err != nil {
		return "", err
	}
	return sel.where(b), nil
}
