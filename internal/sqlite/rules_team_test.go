package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The rule "team at D" (DESIGN.md, "Semantics"): the members with a
// mission on the startup covering D (portfolio.OnMissionAt: start on or
// before D, end empty or on or after D), each once; the member-level
// startup lists of older records carry no dates and never count.

// teamMission is a mission in a teamCase: its member (a letter), its
// dates, and its startups (the case's startup when none; "$self" names
// it among others).
type teamMission struct {
	member     string
	start, end string
	startups   []string
}

// teamCase is a startup's missions, in the records' order, and a date.
type teamCase struct {
	name     string
	missions []teamMission
	current  []string // members who list the startup in their dateless startups: (older records)
	previous []string // … or in their previously:
	at       string   // ruleDay when ""

	team string // TeamAt: the members, by letter, "a b"
}

// teamAnswer is what an implementation says of a teamCase.
type teamAnswer struct {
	Team string // the members, by letter
	Size int    // how many
}

func (c *teamCase) day() portfolio.Date {
	if c.at == "" {
		return portfolio.MustDate(ruleDay)
	}
	return portfolio.MustDate(c.at)
}

func (c *teamCase) want() teamAnswer {
	return teamAnswer{Team: c.team, Size: len(strings.Fields(c.team))}
}

var teamCases = []teamCase{
	{name: "nobody"},
	{name: "a mission starting on the date", missions: []teamMission{{member: "a", start: ruleDay}}, team: "a"},
	{name: "a mission starting the day after", missions: []teamMission{{member: "a", start: "2026-08-21"}}},
	{name: "a mission ending on the date still covers it", missions: []teamMission{{member: "a", start: "2025-01-01", end: ruleDay}}, team: "a"},
	{name: "a mission that ended the day before", missions: []teamMission{{member: "a", start: "2025-01-01", end: "2026-08-19"}}},
	{name: "open-ended, since long ago", missions: []teamMission{{member: "a", start: "2015-01-01"}}, team: "a"},
	{name: "a one-day mission on the date", missions: []teamMission{{member: "a", start: ruleDay, end: ruleDay}}, team: "a"},
	{name: "two overlapping missions of one member: once", missions: []teamMission{
		{member: "a", start: "2025-01-01", end: "2026-12-31"}, {member: "a", start: "2026-03-01"}}, team: "a"},
	{name: "a mission within another: once", missions: []teamMission{
		{member: "a", start: "2024-01-01", end: "2027-01-01"}, {member: "a", start: "2026-08-01", end: "2026-08-31"}}, team: "a"},
	{name: "one mission ending on the date, the next starting on it: once", missions: []teamMission{
		{member: "a", start: "2025-01-01", end: ruleDay}, {member: "a", start: ruleDay}}, team: "a"},
	{name: "between two missions: ended the day before, the next from the day after", missions: []teamMission{
		{member: "a", start: "2025-01-01", end: "2026-08-19"}, {member: "a", start: "2026-08-21"}}},
	{name: "a mission on another startup", missions: []teamMission{{member: "a", start: "2025-01-01", startups: []string{elsewhere}}}},
	{name: "a mission on another startup and this one", missions: []teamMission{{member: "a", start: "2025-01-01", startups: []string{elsewhere, "$self"}}}, team: "a"},
	{name: "on another startup at the date, on this one until the day before", missions: []teamMission{
		{member: "a", start: "2025-01-01", startups: []string{elsewhere}}, {member: "a", start: "2024-01-01", end: "2026-08-19"}}},
	{name: "the dateless startup lists of older records count in no team", current: []string{"a"}, previous: []string{"b"}},
	{name: "a dateless list and a mission that ended", current: []string{"a"}, missions: []teamMission{{member: "a", start: "2020-01-01", end: "2021-01-01"}}},
	{name: "two members, one on the team", missions: []teamMission{
		{member: "a", start: "2025-01-01"}, {member: "b", start: "2025-01-01", end: "2026-01-01"}}, team: "a"},
	{name: "three members, one with two missions", missions: []teamMission{
		{member: "a", start: "2025-01-01", end: "2026-12-31"}, {member: "b", start: "2024-01-01", end: ruleDay},
		{member: "a", start: "2026-06-01"}, {member: "c", start: ruleDay}, {member: "d", start: "2026-08-21"}}, team: "a b c"},
	{name: "29 February, the last day of a mission", missions: []teamMission{{member: "a", start: "2024-01-01", end: "2024-02-29"}}, at: "2024-02-29", team: "a"},
	{name: "1 March, after a mission ending on 29 February", missions: []teamMission{{member: "a", start: "2024-01-01", end: "2024-02-29"}}, at: "2024-03-01"},
}

// teamSlug is the slug of case i's startup.
func teamSlug(i int) string { return fmt.Sprintf("equipe-%02d", i) }

// teamMember is the slug of member x of case i.
func teamMember(i int, x string) string { return teamSlug(i) + "-" + x }

// records returns the case's startup and members as the store receives
// them: every member of the case, each with their missions in the case's
// order. The startup is in construction since 1990, so that a dated
// filter selects it.
func (c *teamCase) records(i int) (*portfolio.Startup, []*portfolio.Member) {
	slug := teamSlug(i)
	s := &portfolio.Startup{Slug: slug, Name: c.name, Phases: phs(cons, "1990-01-01")}
	byLetter := map[string]*portfolio.Member{}
	var members []*portfolio.Member
	member := func(x string) *portfolio.Member {
		if m := byLetter[x]; m != nil {
			return m
		}
		m := &portfolio.Member{Slug: teamMember(i, x), Fullname: "Membre " + x, Domain: portfolio.DomainDevelopment}
		byLetter[x] = m
		members = append(members, m)
		return m
	}
	for _, tm := range c.missions {
		m := member(tm.member)
		mi := portfolio.Mission{Slug: fmt.Sprintf("%s/%d", m.Slug, len(m.Missions)), MemberSlug: m.Slug,
			Start: dayOf(tm.start), End: dayOf(tm.end), Startups: []string{slug}}
		if tm.startups != nil {
			mi.Startups = nil
			for _, st := range tm.startups {
				mi.Startups = append(mi.Startups, strings.ReplaceAll(st, "$self", slug))
			}
		}
		m.Missions = append(m.Missions, mi)
	}
	for _, x := range c.current {
		member(x).LegacyStartups = []string{slug}
	}
	for _, x := range c.previous {
		member(x).PreviousStartups = []string{slug}
	}
	return s, members
}

// letters turns member slugs of case i into the case's letters, sorted.
func letters(i int, slugs []string) string {
	out := make([]string, len(slugs))
	for k, s := range slugs {
		out[k] = strings.TrimPrefix(s, teamMember(i, ""))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// TestTeamRulesAgree runs teamCases through every implementation of "team
// at D": portfolio.TeamAt, the SQL of teamSize (TEAM_SIZE ordering), the
// store's team reads (Startup.team, teamSize, intrapreneurs), the members
// filter startups, the portfolio's member counts, and the member sweeps of
// timelines.
func TestTeamRulesAgree(t *testing.T) {
	ctx := context.Background()
	db := openMemoryDB(t)
	var startups []*portfolio.Startup
	var members []*portfolio.Member
	for i := range teamCases {
		st, ms := teamCases[i].records(i)
		startups = append(startups, st)
		members = append(members, ms...)
	}
	loadCases(t, db, true, startups, members)
	size := func(name string, f func(t *testing.T, i int, c *teamCase) int) ruleImpl[teamCase, teamAnswer] {
		return ruleImpl[teamCase, teamAnswer]{name: name, tells: []string{"Size"}, answer: func(t *testing.T, i int, c *teamCase) teamAnswer {
			return teamAnswer{Size: f(t, i, c)}
		}}
	}
	only := func(i int) *portfolio.StartupFilter { return &portfolio.StartupFilter{Slugs: []string{teamSlug(i)}} }
	impls := []ruleImpl[teamCase, teamAnswer]{
		{name: "go, the records", answer: func(t *testing.T, i int, c *teamCase) teamAnswer {
			_, ms := c.records(i)
			var missions []portfolio.Mission
			for _, m := range ms {
				missions = append(missions, m.Missions...)
			}
			team := portfolio.TeamAt(missions, teamSlug(i), c.day())
			return teamAnswer{Team: letters(i, team), Size: len(team)}
		}},
		// Startup.team, teamSize and intrapreneurs read the team through
		// the loaders (DB.TeamsAt): a member once, with the covering
		// mission that started last.
		{name: "the store's team (loaders)", answer: func(t *testing.T, i int, c *teamCase) teamAnswer {
			id := startupID(t, db, teamSlug(i))
			teams, err := db.TeamsAt(ctx, []int64{id}, c.day())
			if err != nil {
				t.Fatal(err)
			}
			var slugs []string
			for _, tm := range teams[id] {
				if !portfolio.OnMissionAt(tm.Mission, c.day()) {
					t.Errorf("%s's mission %s to %s does not cover the date", tm.Member.Slug, tm.Mission.Start, tm.Mission.End)
				}
				slugs = append(slugs, tm.Member.Slug)
			}
			return teamAnswer{Team: letters(i, slugs), Size: len(slugs)}
		}},
		// members(filter: {startups: [X]}, asOf: D): the members with a
		// mission on X covering D.
		{name: "the members filter startups", answer: func(t *testing.T, i int, c *teamCase) teamAnswer {
			p, err := db.Members(ctx, &portfolio.MemberFilter{Startups: []string{teamSlug(i)}}, nil, c.day(), portfolio.Window{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var slugs []string
			for _, m := range p.Items {
				slugs = append(slugs, m.Slug)
			}
			if p.Total != len(slugs) {
				t.Errorf("total %d, %d members", p.Total, len(slugs))
			}
			return teamAnswer{Team: letters(i, slugs), Size: len(slugs)}
		}},
		// Startup.teamSize counts it without reading it (DB.TeamSizesAt).
		size("the store's team size (loaders), in SQL", func(t *testing.T, i int, c *teamCase) int {
			id := startupID(t, db, teamSlug(i))
			sizes, err := db.TeamSizesAt(WithSQLRules(ctx), []int64{id}, c.day())
			if err != nil {
				t.Fatal(err)
			}
			return sizes[id]
		}),
		size("the store's team size (loaders), in memory", func(t *testing.T, i int, c *teamCase) int {
			id := startupID(t, db, teamSlug(i))
			sizes, err := db.TeamSizesAt(ctx, []int64{id}, c.day())
			if err != nil {
				t.Fatal(err)
			}
			return sizes[id]
		}),
		size("sql (teamSizeAtSQL)", func(t *testing.T, i int, c *teamCase) int {
			b := &builder{}
			q := "SELECT " + teamSizeAtSQL(at{b: b, d: c.day()}) + " FROM startups s WHERE s.slug = " + b.arg(teamSlug(i))
			var n int
			if err := db.read.QueryRow(q, b.args...).Scan(&n); err != nil {
				t.Fatalf("%v\n%s", err, q)
			}
			return n
		}),
		size("timeline, running sums", func(t *testing.T, i int, c *teamCase) int {
			return timelineAt(t, ctx, db, only(i), c.day(), true).ActiveMemberCount
		}),
		size("timeline, in memory", func(t *testing.T, i int, c *teamCase) int {
			yes := true
			f := only(i)
			f.Active = &yes
			return timelineAt(t, ctx, db, f, c.day(), true).ActiveMemberCount
		}),
	}
	// The portfolio's members: in SQL, and over the dated index's member
	// stretches in memory.
	for _, way := range []struct {
		name string
		ctx  context.Context
	}{{"in SQL", WithSQLRules(ctx)}, {"in memory", ctx}} {
		impls = append(impls,
			size("portfolio activeMemberCount "+way.name, func(t *testing.T, i int, c *teamCase) int {
				n, err := db.ActiveMemberCount(way.ctx, only(i), c.day())
				if err != nil {
					t.Fatal(err)
				}
				return n
			}),
			size("portfolio membersByDomain "+way.name, func(t *testing.T, i int, c *teamCase) int {
				ts, err := db.TeamStats(way.ctx, only(i), c.day())
				if err != nil {
					t.Fatal(err)
				}
				return ts.Members
			}))
	}
	runRule(t, teamCases, func(c *teamCase) string { return c.name }, (*teamCase).want, impls)
}
