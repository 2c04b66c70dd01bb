package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// A timeline whose filter depends on the date (phases, active,
// committeeOverdue, the dated review conditions) selects other startups at each of its points, so the
// running sums of timelineSweep do not apply. Evaluating the filter in SQL
// for every startup at every point scanned the phases, committees and
// missions once per point: over 10 s for 5 years by month at 100 times the
// network. Here the filter is evaluated in memory with the domain's rules
// (portfolio.PhaseAt, ActiveAt, OverdueAt, NeverReviewedAt,
// NextCommitteeDueAt, ReviewStatusAt, IntrapreneurAt, OnMissionAt: the same
// functions as the resolvers), over what every such timeline reads: each
// startup's phases and committees (their dates and recorded next due
// dates), each mission's stretch on each of its startups, and the
// missions of the intrapreneurs on each startup (datedIndex), read once
// per data version and then held (about 10 MB at 100 times the network). Only the conditions that do not
// depend on the date are asked of SQL, in one statement per timeline.

// datedIndex is what timelines with a date-dependent filter read, as of a
// data version.
type datedIndex struct {
	version    string          // the data version it was read at (DB.Version)
	feed       string          // the change feed's newest row then (feedPosition)
	ids        []int64         // every startup id, ascending
	pos        map[int64]int32 // startup id -> position in ids
	slugRank   []int32         // per position: the rank of the startup's slug in SQLite's order
	nameRank   []int32         // per position: the rank of the startup in the order of names (name_key, then slug)
	phases     [][]portfolio.PhasePeriod
	committees [][]*portfolio.Committee // the held ones' dates, decisions and recorded next due dates, by date (ties by slug)
	// stretches are every mission's stretch on each of its startups, by
	// member, read when first needed (memberStretches).
	stretchMu     sync.Mutex
	stretchesRead bool
	stretches     []memberStretch
	// intrapreneurs holds, per startup, the missions (their start and
	// end) on it of the members whose domain is INTRAPRENEURSHIP, read
	// when first needed (withIntrapreneurs).
	intraMu       sync.Mutex
	intraRead     bool
	intrapreneurs [][]span
}

// span is a mission's start and end (zero: none), all the index keeps of
// an intrapreneur's mission (a portfolio.Mission is ten times its size).
type span struct{ start, end portfolio.Date }

// memberStretch is a mission of a member on one of its startups.
type memberStretch struct {
	member     int64
	startup    int32          // position in datedIndex.ids
	start, end portfolio.Date // the mission's
	mission    int64          // the mission's id
	status     string         // the mission's status ("" for none)
	domain     string         // the member's domain
}

// covers reports whether the stretch's mission covers d (portfolio.OnMissionAt).
func (s *memberStretch) covers(d portfolio.Date) bool {
	return portfolio.OnMissionAt(&portfolio.Mission{Start: s.start, End: s.end}, d)
}

// eachMember calls fn with the stretches of each member in turn
// (stretches are sorted by member).
func eachMember(stretches []memberStretch, fn func(member []memberStretch)) {
	for lo := 0; lo < len(stretches); {
		hi := lo + 1
		for hi < len(stretches) && stretches[hi].member == stretches[lo].member {
			hi++
		}
		fn(stretches[lo:hi])
		lo = hi
	}
}

// datedIndexReads are the kinds of records the index is read from
// (startups, phases, committees, members, missions): a request answered
// from it read them.
var datedIndexReads = kindBits["Startup"] | kindBits["Committee"] | kindBits["Member"] | kindBits["Mission"]

// datedCache holds the index of the current data version.
type datedCache struct {
	mu  sync.Mutex
	cur *datedIndex
}

// datedIndex returns the index of the current data version, reading it
// when the data changed (a write of this process at once, of another
// within the version poll).
func (db *DB) datedIndex(ctx context.Context) (*datedIndex, error) {
	v, err := db.Version(ctx)
	if err != nil {
		return nil, err
	}
	// What the index is read from, for the response cache.
	noteMask(ctx, datedIndexReads)
	db.dated.mu.Lock()
	defer db.dated.mu.Unlock()
	if cur := db.dated.cur; cur != nil && cur.version == v {
		return cur, nil
	}
	// The file changed; the records, not necessarily: a token's last use
	// (written once a minute per token), the audit log and sign-ins write
	// too. Every write of the records adds to the change feed in its
	// transaction (changes.go): its newest row tells whether the records
	// moved. Read before the index, so that a write during the reading
	// shows next time.
	feed, err := indexRead(ctx, db.feedPosition)
	if err != nil {
		feed = "" // unknown: read the index again
	}
	if cur := db.dated.cur; cur != nil && feed != "" && cur.feed == feed {
		cur.version = v
		return cur, nil
	}
	db.dated.cur = nil // the old one is stale: let it go before reading
	// The index's statements are counted apart from the request's: they
	// are run once per data version, by whichever request comes first,
	// and a question's statements depend on its shape only.
	idx, err := indexRead(ctx, db.readDatedIndex)
	if err != nil {
		return nil, err
	}
	idx.version, idx.feed = v, feed
	db.dated.cur = idx
	return idx, nil
}

// feedPosition is the change feed's newest row, its position and time (""
// when the feed is empty): the same as long as no write touched the
// records.
func (db *DB) feedPosition(ctx context.Context) (string, error) {
	var pos string
	err := db.each(ctx, "SELECT seq || '/' || at FROM changes ORDER BY seq DESC LIMIT 1", nil, func(rows *sql.Rows) error {
		return rows.Scan(&pos)
	})
	return pos, err
}

// indexRead runs read, a reading of the dated index, with its statements
// counted apart from the request's (Stats.IndexStatements).
func indexRead[T any](ctx context.Context, read func(context.Context) (T, error)) (T, error) {
	rctx, rs := WithStats(ctx)
	v, err := read(rctx)
	if s := StatsFrom(ctx); s != nil {
		s.indexStatements.Add(rs.statements.Load())
	}
	return v, err
}

func (db *DB) readDatedIndex(ctx context.Context) (*datedIndex, error) {
	idx := &datedIndex{}
	var id int64
	// The ids from the index on slugs, sorted here: the table's own order
	// would read every page of its rows (142 ms at 100 times the network
	// on a cold cache, against 16 ms).
	err := db.each(ctx, "SELECT id FROM startups ORDER BY slug", nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("scan startup: %w", err)
		}
		idx.ids = append(idx.ids, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	bySlug := slices.Clone(idx.ids)
	slices.Sort(idx.ids)
	idx.pos = make(map[int64]int32, len(idx.ids))
	for i, id := range idx.ids {
		idx.pos[id] = int32(i)
	}
	idx.slugRank = make([]int32, len(idx.ids))
	for r, id := range bySlug {
		idx.slugRank[idx.pos[id]] = int32(r)
	}
	// The names' French order (namekeys.go), from the index on it.
	idx.nameRank = make([]int32, len(idx.ids))
	r := int32(0)
	err = db.each(ctx, "SELECT id FROM startups ORDER BY name_key, slug", nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("scan startup: %w", err)
		}
		if i, ok := idx.pos[id]; ok {
			idx.nameRank[i], r = r, r+1
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	idx.phases = make([][]portfolio.PhasePeriod, len(idx.ids))
	idx.committees = make([][]*portfolio.Committee, len(idx.ids))
	// A startup's phases as one row of phase_lists (migration 0026): at
	// 100 times the network, 66,200 rows rather than 175,733.
	var packed, start, end string
	err = db.each(ctx, `SELECT startup_id, phases FROM phase_lists ORDER BY startup_id`, nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &packed); err != nil {
			return fmt.Errorf("scan phases: %w", err)
		}
		i, ok := idx.pos[id]
		if !ok {
			return nil
		}
		ps, err := unpackPhases(packed)
		if err != nil {
			return err
		}
		for k := range ps {
			ps[k].End = 0 // the rules read the next phase's start
		}
		// By start, ties in the record's order (as PhasesByStartup).
		slices.SortStableFunc(ps, func(a, b portfolio.PhasePeriod) int { return cmp.Compare(a.Start, b.Start) })
		idx.phases[i] = ps
		return nil
	})
	if err != nil {
		return nil, err
	}
	var decision string
	err = db.each(ctx, `SELECT startup_id, date, coalesce(next_committee_due, ''), coalesce(decision, '') FROM committees c WHERE `+heldSQL("c")+` ORDER BY startup_id, date, slug`, nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &start, &end, &decision); err != nil {
			return fmt.Errorf("scan committee: %w", err)
		}
		if i, ok := idx.pos[id]; ok {
			idx.committees[i] = append(idx.committees[i], &portfolio.Committee{Date: parseDate(start), NextCommitteeDue: parseDate(end), Decision: portfolio.Decision(decision)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return idx, nil
}

// withIntrapreneurs reads, once per index, the missions of the
// intrapreneurs on each startup (idx.intrapreneurs): only the questions
// about intrapreneurs need them (at 100 times the network, 91,927
// missions reached through their members, 0.2–0.5 s).
func (db *DB) withIntrapreneurs(ctx context.Context, idx *datedIndex) error {
	idx.intraMu.Lock()
	defer idx.intraMu.Unlock()
	if idx.intraRead {
		return nil
	}
	_, err := indexRead(ctx, func(ctx context.Context) (struct{}, error) {
		out := make([][]span, len(idx.ids))
		var id int64
		var start, end string
		err := db.each(ctx, `SELECT ms.startup_id, m.start, coalesce(m."end", '') FROM members mb JOIN missions m ON m.member_id = mb.id
			JOIN mission_startups ms ON ms.mission_id = m.id WHERE mb.domain = ?`, []any{string(portfolio.DomainIntrapreneur)}, func(rows *sql.Rows) error {
			if err := rows.Scan(&id, &start, &end); err != nil {
				return fmt.Errorf("scan intrapreneur: %w", err)
			}
			if i, ok := idx.pos[id]; ok {
				out[i] = append(out[i], span{parseDate(start), parseDate(end)})
			}
			return nil
		})
		if err == nil {
			idx.intrapreneurs, idx.intraRead = out, true
		}
		return struct{}{}, err
	})
	return err
}

// memberStretches returns each mission's stretch on each of its startups,
// by member, with the mission's status and the member's domain, read once
// per index: only the members' figures need them (at 100 times the
// network, 478,183 missions, about two thirds of what the index read
// when it held them from the start).
// Their statements are counted apart from the request's (indexRead).
func (db *DB) memberStretches(ctx context.Context, idx *datedIndex) ([]memberStretch, error) {
	idx.stretchMu.Lock()
	defer idx.stretchMu.Unlock()
	if idx.stretchesRead {
		return idx.stretches, nil
	}
	stretches, err := indexRead(ctx, func(ctx context.Context) ([]memberStretch, error) { return db.readMemberStretches(ctx, idx) })
	if err != nil {
		return nil, err
	}
	idx.stretches, idx.stretchesRead = stretches, true
	return stretches, nil
}

// readMemberStretches reads what memberStretches holds, for idx.
func (db *DB) readMemberStretches(ctx context.Context, idx *datedIndex) ([]memberStretch, error) {
	// The missions and their startups are read apart, each table in the
	// order of its key (no join, no sort in SQL: at 100 times the network
	// the join took four times as long), and merged here on the mission.
	type mission struct {
		id, member int64
		start, end portfolio.Date
		status     string
	}
	intern := map[string]string{} // statuses and domains: a few values, held once
	interned := func(v string) string {
		if w, ok := intern[v]; ok {
			return w
		}
		intern[v] = v
		return v
	}
	var missions []mission
	var m mission
	var id int64
	var start, end, status string
	err := db.each(ctx, `SELECT id, member_id, start, coalesce("end", ''), coalesce(status, '') FROM missions ORDER BY id`, nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&m.id, &m.member, &start, &end, &status); err != nil {
			return fmt.Errorf("scan mission: %w", err)
		}
		m.start, m.end, m.status = parseDate(start), parseDate(end), interned(status)
		missions = append(missions, m)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var stretches []memberStretch
	var missionID int64
	k := 0
	err = db.each(ctx, `SELECT mission_id, startup_id FROM mission_startups ORDER BY mission_id`, nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&missionID, &id); err != nil {
			return fmt.Errorf("scan mission startup: %w", err)
		}
		for k < len(missions) && missions[k].id < missionID {
			k++
		}
		i, ok := idx.pos[id]
		if k == len(missions) || missions[k].id != missionID || !ok {
			return nil // a row written between the two reads: the next version has it
		}
		mi := missions[k]
		stretches = append(stretches, memberStretch{member: mi.member, startup: i, start: mi.start, end: mi.end, mission: mi.id, status: mi.status})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(stretches, func(a, b memberStretch) int { return cmp.Compare(a.member, b.member) })
	// The members' domains, merged on the member in the order of both.
	k = 0
	var domain string
	err = db.each(ctx, `SELECT id, domain FROM members ORDER BY id`, nil, func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &domain); err != nil {
			return fmt.Errorf("scan member: %w", err)
		}
		for k < len(stretches) && stretches[k].member < id {
			k++
		}
		for ; k < len(stretches) && stretches[k].member == id; k++ {
			stretches[k].domain = interned(domain)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return stretches, nil
}

// datedFilter is a filter to evaluate in memory: its nodes (the filter and
// every and/or/not under it, depth first) and, per node with conditions
// that do not depend on the date, the startups that meet them.
type datedFilter struct {
	idx    *datedIndex
	nodes  []*portfolio.StartupFilter
	child  map[*portfolio.StartupFilter]int // node -> index in nodes
	static []bitset                         // per node: nil when it has no such condition
}

// newDatedFilter reads, in one statement, which startups meet the
// conditions of each node of f that do not depend on the date.
func (db *DB) newDatedFilter(ctx context.Context, idx *datedIndex, f *portfolio.StartupFilter) (*datedFilter, error) {
	// The whole filter compiles first: its bounds and errors are the SQL
	// path's.
	b := &builder{}
	if _, err := startupFilterSQL(b, f, at{b: b, d: 0}, 0); err != nil {
		return nil, err
	}
	df := &datedFilter{idx: idx, child: map[*portfolio.StartupFilter]int{}}
	var walk func(g *portfolio.StartupFilter)
	walk = func(g *portfolio.StartupFilter) {
		if g == nil { // a nil part of and/or/not selects every startup, as in SQL
			df.child[nil] = -1
			return
		}
		df.child[g] = len(df.nodes)
		df.nodes = append(df.nodes, g)
		for _, c := range g.And {
			walk(c)
		}
		for _, c := range g.Or {
			walk(c)
		}
		if g.Not != nil {
			walk(g.Not)
		}
	}
	walk(f)
	for _, g := range df.nodes {
		if g.WithoutIntrapreneur != nil {
			if err := db.withIntrapreneurs(ctx, idx); err != nil {
				return nil, err
			}
			break
		}
	}
	df.static = make([]bitset, len(df.nodes))
	b = &builder{}
	var cols []string
	var which []int
	for n, g := range df.nodes {
		conds, err := startupStaticConds(b, g)
		if err != nil {
			return nil, err
		}
		if len(conds) > 0 {
			cols = append(cols, "coalesce("+strings.Join(conds, " AND ")+", 0)")
			which = append(which, n)
			df.static[n] = newBitset(len(idx.ids))
		}
	}
	if len(cols) == 0 {
		return df, nil
	}
	var id int64
	holds := make([]bool, len(cols))
	dest := []any{&id}
	for i := range holds {
		dest = append(dest, &holds[i])
	}
	err := db.each(ctx, "SELECT s.id, "+strings.Join(cols, ", ")+" FROM startups s", b.args, func(rows *sql.Rows) error {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan filter: %w", err)
		}
		i, ok := idx.pos[id]
		if !ok {
			return nil // a startup created after the index was read: the next version has it
		}
		for k, h := range holds {
			if h {
				df.static[which[k]].set(int(i))
			}
		}
		return nil
	})
	return df, err
}

// holds reports whether startup i meets node n of the filter at d, as
// startupFilterSQL's condition would (n < 0: a nil filter, met by all).
func (df *datedFilter) holds(n, i int, d portfolio.Date) bool {
	if n < 0 {
		return true
	}
	if s := df.static[n]; s != nil && !s.has(i) {
		return false
	}
	f := df.nodes[n]
	phases := df.idx.phases[i]
	if f.Phases != nil {
		k := portfolio.PhaseAt(phases, d)
		if k < 0 || !slices.Contains(f.Phases, phases[k].Phase) {
			return false
		}
	}
	if f.Active != nil && portfolio.ActiveAt(phases, d) != *f.Active {
		return false
	}
	committees := df.idx.committees[i]
	if f.CommitteeOverdue != nil && portfolio.OverdueAt(phases, committees, d) != *f.CommitteeOverdue {
		return false
	}
	if f.NeverReviewed != nil && portfolio.NeverReviewedAt(committees, d) != *f.NeverReviewed {
		return false
	}
	if r := f.NextCommitteeDue; r != nil {
		due := portfolio.NextCommitteeDueAt(phases, committees, d)
		if due.IsZero() || (r.From != nil && due < *r.From) || (r.To != nil && due > *r.To) {
			return false
		}
	}
	if f.ReviewStatus != nil {
		st := portfolio.ReviewStatusAt(phases, committees, d)
		if st == "" || !slices.Contains(f.ReviewStatus, st) {
			return false
		}
	}
	if f.WithoutIntrapreneur != nil && df.idx.withoutIntrapreneur(i, d) != *f.WithoutIntrapreneur {
		return false
	}
	for _, c := range f.And {
		if !df.holds(df.child[c], i, d) {
			return false
		}
	}
	if f.Or != nil {
		any := false
		for _, c := range f.Or {
			if df.holds(df.child[c], i, d) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	return f.Not == nil || !df.holds(df.child[f.Not], i, d)
}

// withoutIntrapreneur is portfolio.WithoutIntrapreneurAt for startup i:
// in incubation at d, and none of its intrapreneurs' missions covers d
// (portfolio.IntrapreneurAt).
func (idx *datedIndex) withoutIntrapreneur(i int, d portfolio.Date) bool {
	if !portfolio.ActiveAt(idx.phases[i], d) {
		return false
	}
	for _, sp := range idx.intrapreneurs[i] {
		if portfolio.IntrapreneurAt(portfolio.DomainIntrapreneur, &portfolio.Mission{Start: sp.start, End: sp.end}, d) {
			return false
		}
	}
	return true
}

// timelineDated fills a timeline whose filter depends on the date: each
// startup is tested at each point in memory, then each member counts at
// the points where one of their missions covers the day on a startup
// selected that day.
func (db *DB) timelineDated(ctx context.Context, f *portfolio.StartupFilter, out []TimelinePoint, withMembers bool) ([]TimelinePoint, error) {
	idx, err := db.datedIndex(ctx)
	if err != nil {
		return nil, err
	}
	df, err := db.newDatedFilter(ctx, idx, f)
	if err != nil {
		return nil, err
	}
	// The points in date order; bit k of a mask is the k-th of them.
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return out[order[i]].Date < out[order[j]].Date })
	dates := make([]portfolio.Date, len(order))
	for k, i := range order {
		dates[k] = out[i].Date
	}
	n := len(dates)
	byPhase := make([][]int, n) // per point, per rank of phase
	for k := range byPhase {
		byPhase[k] = make([]int, len(portfolio.Phases))
	}
	selected := make([]bitset, len(idx.ids)) // per startup: the points it is selected at
	for i := range idx.ids {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var sel bitset
		for k, d := range dates {
			if !df.holds(0, i, d) {
				continue
			}
			if sel == nil {
				sel = newBitset(n)
			}
			sel.set(k)
			if p := portfolio.PhaseAt(idx.phases[i], d); p >= 0 {
				byPhase[k][idx.phases[i][p].Phase.Rank()]++
			}
		}
		selected[i] = sel
	}
	var stretches []memberStretch
	if withMembers {
		if stretches, err = db.memberStretches(ctx, idx); err != nil {
			return nil, err
		}
	}
	members := make([]int, n)
	mask, cover := newBitset(n), newBitset(n)
	eachMember(stretches, func(member []memberStretch) {
		mask.clear()
		for _, s := range member {
			sel := selected[s.startup]
			if sel == nil {
				continue
			}
			// The points the mission covers (portfolio.OnMissionAt), a range
			// of the sorted points.
			first := sort.Search(n, func(k int) bool { return dates[k] >= s.start })
			last := n
			if !s.end.IsZero() {
				last = sort.Search(n, func(k int) bool { return dates[k] > s.end })
			}
			if first >= last || !s.covers(dates[first]) {
				continue
			}
			cover.clear()
			cover.setRange(first, last)
			mask.orAnd(cover, sel)
		}
		mask.each(func(k int) { members[k]++ })
	})
	for k, i := range order {
		out[i].ActiveMemberCount = members[k]
		out[i].ByPhase = nil
		for r, p := range portfolio.Phases {
			if c := byPhase[k][r]; c > 0 {
				out[i].ByPhase = append(out[i].ByPhase, Count{Key: string(p), Count: c})
			}
		}
	}
	return out, nil
}

// bitset is a set of small non-negative integers.
type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) clear()         { clear(b) }
func (b bitset) orAnd(x, y bitset) { // b |= x & y
	for w := range b {
		b[w] |= x[w] & y[w]
	}
}

// setRange adds [lo, hi).
func (b bitset) setRange(lo, hi int) {
	for lo < hi {
		w, bit := lo/64, lo%64
		n := min(64-bit, hi-lo)
		b[w] |= (^uint64(0) >> (64 - n)) << bit
		lo += n
	}
}

// each calls f with every member, ascending.
func (b bitset) each(f func(int)) {
	for w, word := range b {
		for word != 0 {
			f(w*64 + bits.TrailingZeros64(word))
			word &= word - 1
		}
	}
}
