package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

const memberCols = `mb.id, mb.slug, mb.fullname, mb.role, mb.domain, mb.github, mb.link, mb.member_type, mb.bio, mb.version`

func memberReader(extra ...any) func(*sql.Rows) (*portfolio.Member, error) {
	var m portfolio.Member
	dest := append([]any{&m.ID, &m.Slug, &m.Fullname, &m.Role, &m.Domain, &m.Github, &m.Link, &m.MemberType, &m.Bio, &m.Version}, extra...)
	return rowReader("member", &m, dest, nil)
}

// MembersBySlug returns the members with these slugs.
func (db *DB) MembersBySlug(ctx context.Context, slugs []string) (map[string]*portfolio.Member, error) {
	out := make(map[string]*portfolio.Member, len(slugs))
	q := "SELECT " + memberCols + " FROM members mb WHERE mb.slug IN (SELECT value FROM json_each(?))"
	scan := memberReader()
	err := db.each(ctx, q, []any{jsonList(slugs)}, func(rows *sql.Rows) error {
		m, err := scan(rows)
		if err == nil {
			out[m.Slug] = m
		}
		return err
	})
	return out, err
}

// Members returns a page of the members f selects at asOf.
func (db *DB) Members(ctx context.Context, f *portfolio.MemberFilter, order []*portfolio.MemberOrder, asOf portfolio.Date, w portfolio.Window) (*Page[*portfolio.Member], error) {
	b := &builder{}
	where, err := memberFilterSQL(b, f, at{b: b, d: asOf}, 0)
	if err != nil {
		return nil, err
	}
	from := " FROM members mb WHERE " + where
	nargs := len(b.args)
	// The total as a subquery run once (see Organisations).
	q := "SELECT " + memberCols + ", (SELECT count(*)" + from + ")" + from + " ORDER BY " + memberOrderSQL(order) +
		" LIMIT " + b.arg(w.Limit) + " OFFSET " + b.arg(w.Offset)
	p := &Page[*portfolio.Member]{}
	scan := memberReader(&p.Total)
	err = db.each(ctx, q, b.args, func(rows *sql.Rows) error {
		m, err := scan(rows)
		p.Items = append(p.Items, m)
		return err
	})
	if err == nil && len(p.Items) == 0 {
		err = db.each(ctx, "SELECT count(*)"+from, b.args[:nargs], func(rows *sql.Rows) error { return rows.Scan(&p.Total) })
	}
	return p, err
}

// CompetencesByMember returns each member's skills in the record's order.
func (db *DB) CompetencesByMember(ctx context.Context, ids []int64) (map[int64][]string, error) {
	out := make(map[int64][]string, len(ids))
	var id int64
	var l string
	err := db.each(ctx, "SELECT member_id, label FROM member_competences WHERE member_id IN (SELECT value FROM json_each(?)) ORDER BY member_id, seq",
		[]any{jsonInts(ids)}, func(rows *sql.Rows) error {
			if err := rows.Scan(&id, &l); err != nil {
				return fmt.Errorf("scan competence: %w", err)
			}
			out[id] = append(out[id], l)
			return nil
		})
	return out, err
}

// MembersByTeam returns the members who list each team, by name.
func (db *DB) MembersByTeam(ctx context.Context, ids []int64) (map[int64][]*portfolio.Member, error) {
	q := "SELECT " + memberCols + ", mt.team_id FROM member_teams mt JOIN members mb ON mb.id = mt.member_id WHERE mt.team_id IN (SELECT value FROM json_each(?)) ORDER BY mt.team_id, mb.name_key, mb.slug"
	return grouped(ctx, db, q, ids, memberReader)
}

// StartupsByMember returns every startup each member has worked on, through
// missions or the dateless lists of older records, by name.
func (db *DB) StartupsByMember(ctx context.Context, ids []int64) (map[int64][]*portfolio.Startup, error) {
	q := "SELECT " + startupCols + `, x.member_id FROM (
			SELECT mi.member_id, ms.startup_id FROM missions mi JOIN mission_startups ms ON ms.mission_id = mi.id WHERE mi.member_id IN (SELECT value FROM json_each(?1))
			UNION
			SELECT member_id, startup_id FROM member_startups WHERE member_id IN (SELECT value FROM json_each(?1))
		) x JOIN startups s ON s.id = x.startup_id` + startupJoins + ` ORDER BY x.member_id, s.name_key, s.slug`
	return grouped(ctx, db, q, ids, startupReader)
}

// ---------------------------------------------------------------- missions

const missionCols = `mi.id, mi.slug, mb.slug, mi.start, coalesce(mi."end", ''), coalesce(mi.status, ''), mi.employer, mi.source, mi.version`

func missionReader(extra ...any) func(*sql.Rows) (*portfolio.Mission, error) {
	var m portfolio.Mission
	var start, end string
	dest := append([]any{&m.ID, &m.Slug, &m.MemberSlug, &start, &end, &m.Status, &m.Employer, &m.Source, &m.Version}, extra...)
	return rowReader("mission", &m, dest, func(out *portfolio.Mission) {
		out.Start, out.End = parseDate(start), parseDate(end)
	})
}

func scanMission(rows *sql.Rows, extra ...any) (*portfolio.Mission, error) {
	return missionReader(extra...)(rows)
}

// MissionsBySlug returns the missions with these slugs.
func (db *DB) MissionsBySlug(ctx context.Context, slugs []string) (map[string]*portfolio.Mission, error) {
	out := make(map[string]*portfolio.Mission, len(slugs))
	q := "SELECT " + missionCols + " FROM missions mi JOIN members mb ON mb.id = mi.member_id WHERE mi.slug IN (SELECT value FROM json_each(?))"
	scan := missionReader()
	err := db.each(ctx, q, []any{jsonList(slugs)}, func(rows *sql.Rows) error {
		m, err := scan(rows)
		if err == nil {
			out[m.Slug] = m
		}
		return err
	})
	return out, err
}

// MissionsByMember returns every mission of each member, by start.
func (db *DB) MissionsByMember(ctx context.Context, ids []int64) (map[int64][]*portfolio.Mission, error) {
	q := "SELECT " + missionCols + ", mi.member_id FROM missions mi JOIN members mb ON mb.id = mi.member_id WHERE mi.member_id IN (SELECT value FROM json_each(?)) ORDER BY mi.member_id, mi.start, mi.seq"
	return grouped(ctx, db, q, ids, missionReader)
}

// MissionsByStartup returns, for each startup, one page of the missions on
// it in the records' order (by mission id), each with its member (Members
// holds them by slug). A startup has at most a few hundred missions, so the
// rows are read whole and the pages cut here: no window over them in SQL.
func (db *DB) MissionsByStartup(ctx context.Context, ids []int64, w portfolio.Window) (map[int64]*Page[*portfolio.Mission], map[string]*portfolio.Member, error) {
	out := make(map[int64]*Page[*portfolio.Mission], len(ids))
	for _, id := range ids {
		out[id] = &Page[*portfolio.Mission]{}
	}
	var members map[string]*portfolio.Member
	var missions slab[portfolio.Mission]
	var people slab[portfolio.Member]
	// add puts a mission of a startup's list, in the list's order, on the
	// startup's page when the window holds it, and its member, read for its
	// first mission of the page.
	add := func(startup int64, mi *portfolio.Mission, mb *portfolio.Member) {
		p := out[startup]
		if n := p.Total; n >= w.Offset && n < w.Offset+w.Limit {
			m := missions.next()
			*m = *mi
			m.MemberSlug = mb.Slug // read once, as the member's
			p.Items = append(p.Items, m)
			if members == nil {
				members = map[string]*portfolio.Member{}
			}
			if members[mb.Slug] == nil {
				mm := people.next()
				*mm = *mb
				members[mb.Slug] = mm
			}
		}
		p.Total++
	}
	c := columnsFrom(ctx)
	mask := uint32(c.Mission) | uint32(c.Member)<<memberShift
	if mask&^missionListMask == 0 {
		// A list's length is known before its entries come: the first
		// sizes the members' map, each its page.
		reserve := func(startup int64, n int) {
			if members == nil {
				members = make(map[string]*portfolio.Member, n)
			}
			if p, k := out[startup], min(n-w.Offset, w.Limit); p.Items == nil && k > 0 {
				p.Items = make([]*portfolio.Mission, 0, k)
			}
		}
		err := db.missionsFromLists(ctx, ids, reserve, add)
		for _, p := range out {
			p.More = w.Offset+len(p.Items) < p.Total
		}
		return out, members, err
	}
	// The mission's columns, then the member's, then the startup: one
	// record of each kind per row. The columns are those the request reads
	// (Columns).
	var x missionRow
	dest, cut := missionSelection.dest(mask, &x)
	q := "SELECT " + missionSelection.sql(mask) + `
		FROM mission_startups ms JOIN missions mi ON mi.id = ms.mission_id JOIN members mb ON mb.id = mi.member_id
		WHERE ms.startup_id IN (SELECT value FROM json_each(?)) ORDER BY ms.startup_id, ms.mission_id` // the index's order: no sort
	err := db.each(ctx, q, []any{jsonInts(ids)}, func(rows *sql.Rows) error {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan mission: %w", err)
		}
		if err := cut(); err != nil {
			return fmt.Errorf("scan mission: %w", err)
		}
		x.mi.Start, x.mi.End = parseDate(x.start), parseDate(x.end)
		add(x.startup, &x.mi, &x.mb)
		return nil
	})
	for _, p := range out {
		p.More = w.Offset+len(p.Items) < p.Total
	}
	return out, members, err
}

// StartupsByMission returns the startups of each mission, by name.
func (db *DB) StartupsByMission(ctx context.Context, ids []int64) (map[int64][]*portfolio.Startup, error) {
	q := "SELECT " + startupCols + ", ms.mission_id FROM mission_startups ms JOIN startups s ON s.id = ms.startup_id" + startupJoins + " WHERE ms.mission_id IN (SELECT value FROM json_each(?)) ORDER BY ms.mission_id, s.name_key, s.slug"
	return grouped(ctx, db, q, ids, startupReader)
}

// TeamMember is a member on a startup's team at a date through a mission.
type TeamMember struct {
	Member  *portfolio.Member
	Mission *portfolio.Mission
}

// TeamsAt returns the team of each startup at date d: one entry per member
// with a mission on the startup covering d (the one that started last), by
// mission start then member name (French order).
func (db *DB) TeamsAt(ctx context.Context, ids []int64, d portfolio.Date) (map[int64][]TeamMember, error) {
	out := make(map[int64][]TeamMember, len(ids))
	q := "SELECT * FROM (SELECT " + missionCols + ", " + memberCols + `, ms.startup_id,
			row_number() OVER (PARTITION BY ms.startup_id, mi.member_id ORDER BY mi.start DESC, mi.id DESC) AS rn, mb.name_key AS nk
		FROM mission_startups ms JOIN missions mi ON mi.id = ms.mission_id JOIN members mb ON mb.id = mi.member_id
		WHERE ms.startup_id IN (SELECT value FROM json_each(?1)) AND ` + missionCoversSQL("mi", "?2") + `)
		WHERE rn = 1 ORDER BY 20, 4, nk, 11`
	var (
		mi          portfolio.Mission
		mb          portfolio.Member
		start, end  string
		startup, rn int64
		nk          []byte
	)
	dest := []any{&mi.ID, &mi.Slug, &mi.MemberSlug, &start, &end, &mi.Status, &mi.Employer, &mi.Source, &mi.Version,
		&mb.ID, &mb.Slug, &mb.Fullname, &mb.Role, &mb.Domain, &mb.Github, &mb.Link, &mb.MemberType, &mb.Bio, &mb.Version, &startup, &rn, &nk}
	err := db.each(ctx, q, []any{jsonInts(ids), d.String()}, func(rows *sql.Rows) error {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan team: %w", err)
		}
		m, p := new(portfolio.Mission), new(portfolio.Member)
		*m, *p = mi, mb
		m.Start, m.End = parseDate(start), parseDate(end)
		out[startup] = append(out[startup], TeamMember{Member: p, Mission: m})
		return nil
	})
	return out, err
}

// TeamSizesAt returns the size of each startup's team at date d: the
// members with a mission on it covering d, without reading them (TeamsAt
// reads them, with their missions). It counts over the dated index's
// member stretches (sweeps.go), or, under WithSQLRules, by the rule's SQL
// (teamSizeAtSQL).
func (db *DB) TeamSizesAt(ctx context.Context, ids []int64, d portfolio.Date) (map[int64]int, error) {
	if !sqlRules(ctx) {
		return db.teamSizesInMemory(ctx, ids, d)
	}
	out := make(map[int64]int, len(ids))
	b := &builder{}
	size := teamSizeAtSQL(at{b: b, d: d})
	in := whereIDs(b, "s.id", ids)
	var id int64
	var n int
	err := db.each(ctx, "SELECT s.id, "+size+" FROM startups s WHERE "+in.sql, b.args, func(rows *sql.Rows) error {
		if err := rows.Scan(&id, &n); err != nil {
			return fmt.Errorf("scan team size: %w", err)
		}
		if in.keep(id) {
			out[id] = n
		}
		return nil
	})
	return out, err
}

// MissionsOnStartups returns every mission on each startup with its
// member, by start then member name (French order): what a startup's team
// is made of at any date (the committee's brief counts it at two).
func (db *DB) MissionsOnStartups(ctx context.Context, ids []int64) (map[int64][]TeamMember, error) {
	out := make(map[int64][]TeamMember, len(ids))
	q := "SELECT " + missionCols + ", " + memberCols + `, ms.startup_id
		FROM mission_startups ms JOIN missions mi ON mi.id = ms.mission_id JOIN members mb ON mb.id = mi.member_id
		WHERE ms.startup_id IN (SELECT value FROM json_each(?1))
		ORDER BY ms.startup_id, mi.start, mb.name_key, mb.slug, mi.id`
	var (
		mi         portfolio.Mission
		mb         portfolio.Member
		start, end string
		startup    int64
	)
	dest := []any{&mi.ID, &mi.Slug, &mi.MemberSlug, &start, &end, &mi.Status, &mi.Employer, &mi.Source, &mi.Version,
		&mb.ID, &mb.Slug, &mb.Fullname, &mb.Role, &mb.Domain, &mb.Github, &mb.Link, &mb.MemberType, &mb.Bio, &mb.Version, &startup}
	err := db.each(ctx, q, []any{jsonInts(ids)}, func(rows *sql.Rows) error {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("scan missions on startups: %w", err)
		}
		m, p := new(portfolio.Mission), new(portfolio.Member)
		*m, *p = mi, mb
		m.Start, m.End = parseDate(start), parseDate(end)
		out[startup] = append(out[startup], TeamMember{Member: p, Mission: m})
		return nil
	})
	return out, err
}

func scanMember(rows *sql.Rows, extra ...any) (*portfolio.Member, error) {
	return memberReader(extra...)(rows)
}
