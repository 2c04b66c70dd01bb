package sqlite

import (
	"context"
	"fmt"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestMissionListsFollowMissions checks the lists of migrations/0028
// against the missions, their links and their members, read a second way
// (MissionsByStartup with every column joins the tables themselves), after
// each kind of write: a load, a reload, direct updates of the columns the
// lists hold and of one they do not, links added (INSERT OR IGNORE, as the
// loads write them), moved and removed, and the cascades of a mission's
// and a member's deletion.
func TestMissionListsFollowMissions(t *testing.T) {
	ctx := context.Background()
	db, fill := seededDB(t)
	all := portfolio.Window{Limit: 1 << 30}
	listed := WithColumns(ctx, &Columns{Mission: MissionStart | MissionEnd | MissionStatus | MissionEmployer,
		Member: MemberFullname | MemberRole | MemberDomain})
	every := WithColumns(ctx, &Columns{Mission: AllMissionColumns, Member: AllMemberColumns})
	// describe writes what the lists hold of a startup's missions.
	describe := func(ms []*portfolio.Mission, members map[string]*portfolio.Member) []string {
		var out []string
		for _, m := range ms {
			mb := members[m.MemberSlug]
			if mb == nil {
				out = append(out, fmt.Sprintf("%d: member %q not read", m.ID, m.MemberSlug))
				continue
			}
			out = append(out, fmt.Sprintf("%d %s %s %s %s %q | %d %s %q %q %s", m.ID, m.Slug, m.Start, m.End, m.Status, m.Employer,
				mb.ID, mb.Slug, mb.Fullname, mb.Role, mb.Domain))
		}
		return out
	}
	check := func(step string) {
		t.Helper()
		ids := columnOf[int64](t, db, "SELECT id FROM startups")
		table, tableMembers, err := db.MissionsByStartup(every, ids, all)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		lists, listMembers, err := db.MissionsByStartup(listed, ids, all)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		// The lists read directly, so that the comparison holds even if
		// MissionsByStartup stopped choosing them.
		direct := map[int64][]*portfolio.Mission{}
		directMembers := map[string]*portfolio.Member{}
		reserved := map[int64]int{}
		err = db.missionsFromLists(ctx, ids, func(startup int64, n int) { reserved[startup] = n }, func(startup int64, mi *portfolio.Mission, mb *portfolio.Member) {
			m, b := *mi, *mb
			m.MemberSlug = b.Slug
			direct[startup] = append(direct[startup], &m)
			directMembers[b.Slug] = &b
		})
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		missions := 0
		for _, id := range ids {
			want := describe(table[id].Items, tableMembers)
			missions += len(want)
			if reserved[id] != len(want) {
				t.Errorf("%s: startup %d: reserve told %d missions, the tables have %d", step, id, reserved[id], len(want))
			}
			for name, got := range map[string][]string{
				"MissionsByStartup": describe(lists[id].Items, listMembers),
				"the list":          describe(direct[id], directMembers),
			} {
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: startup %d: %s gives\n%q\nthe tables\n%q", step, id, name, got, want)
				}
			}
		}
		orphans := columnOf[int64](t, db, "SELECT count(*) FROM mission_lists WHERE startup_id NOT IN (SELECT startup_id FROM mission_startups)")
		if orphans[0] != 0 || missions == 0 {
			t.Errorf("%s: %d lists without missions, %d missions", step, orphans[0], missions)
		}
	}
	check("seed")
	if _, err := db.Load(ctx, LoadOptions{Add: true}, fill); err != nil {
		t.Fatal(err)
	}
	check("reload")

	linked := `(SELECT mission_id FROM mission_startups ORDER BY startup_id, mission_id LIMIT 1 OFFSET %d)`
	writeAndCheck(t, db, []string{
		`UPDATE members SET fullname = fullname || ' Junior' WHERE id IN (SELECT member_id FROM missions ORDER BY id LIMIT 3)`,
		`UPDATE members SET domain = 'DESIGN', role = 'Coach' WHERE id = (SELECT member_id FROM missions WHERE id = ` + fmt.Sprintf(linked, 10) + `)`,
		`UPDATE members SET slug = slug || '-renommee' WHERE id = (SELECT member_id FROM missions WHERE id = ` + fmt.Sprintf(linked, 20) + `)`,
		`UPDATE members SET bio = 'not in the lists', version = version + 1`,
		`UPDATE missions SET "end" = '2030-01-01', status = NULL WHERE id IN (SELECT mission_id FROM mission_startups ORDER BY mission_id LIMIT 5)`,
		`UPDATE missions SET employer = 'DINUM', start = '2020-02-02' WHERE id = ` + fmt.Sprintf(linked, 7),
		`UPDATE missions SET slug = slug || '-bis' WHERE id = ` + fmt.Sprintf(linked, 8),
		`UPDATE missions SET member_id = (SELECT max(id) FROM members), seq = 1000 WHERE id = ` + fmt.Sprintf(linked, 30),
		`UPDATE missions SET version = version + 1, source = 'RECORDED'`,
		`INSERT OR IGNORE INTO mission_startups (mission_id, startup_id)
			SELECT id, (SELECT min(startup_id) FROM mission_startups) FROM missions ORDER BY id DESC LIMIT 5`,
		`UPDATE mission_startups SET startup_id = (SELECT max(id) FROM startups)
			WHERE (mission_id, startup_id) = (SELECT mission_id, startup_id FROM mission_startups
				WHERE mission_id NOT IN (SELECT mission_id FROM mission_startups WHERE startup_id = (SELECT max(id) FROM startups)) LIMIT 1)`,
		`DELETE FROM mission_startups WHERE (mission_id, startup_id) IN (SELECT mission_id, startup_id FROM mission_startups ORDER BY startup_id LIMIT 4)`,
		`DELETE FROM missions WHERE id IN (SELECT mission_id FROM mission_startups ORDER BY startup_id DESC LIMIT 3)`,
	}, check)

	// A member's deletion cascades to its missions and their links: the
	// first member with linked missions that nothing else refers to.
	for _, id := range columnOf[int64](t, db, "SELECT DISTINCT mi.member_id FROM missions mi JOIN mission_startups ms ON ms.mission_id = mi.id ORDER BY 1") {
		if _, err := db.write.ExecContext(ctx, "DELETE FROM members WHERE id = ?", id); err == nil {
			check("a member deleted")
			return
		}
	}
	t.Fatal("no member could be deleted")
}

// TestUnpackMissions cuts lists in and out of the missions' order, with
// values not on record and in several bytes a character, and refuses a
// damaged one.
func TestUnpackMissions(t *testing.T) {
	d := portfolio.MustDate
	one := pack("12", "léa.b/mission", "2025-01-02", "2025-12-31", "INDEPENDENT", "DINUM", "7", "léa.b", "Léa Bé", "Dev", "DEVELOPMENT")
	two := "1:39:a.z/first10:2024-05-06::0:1:83:a.z3:A Z0:5:OTHER" // a NULL end and status: no length
	tests := []struct {
		packed string
		want   []missionEntry
	}{
		{"", nil},
		{two + one, []missionEntry{
			{portfolio.Mission{ID: 3, Slug: "a.z/first", Start: d("2024-05-06")}, portfolio.Member{ID: 8, Slug: "a.z", Fullname: "A Z", Domain: "OTHER"}},
			{portfolio.Mission{ID: 12, Slug: "léa.b/mission", Start: d("2025-01-02"), End: d("2025-12-31"), Status: "INDEPENDENT", Employer: "DINUM"},
				portfolio.Member{ID: 7, Slug: "léa.b", Fullname: "Léa Bé", Role: "Dev", Domain: "DEVELOPMENT"}},
		}},
	}
	for _, tt := range tests {
		for _, packed := range []string{tt.packed, reorder(tt.packed, two, one)} {
			got, err := unpackMissions(packed, nil)
			if err != nil || fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("unpackMissions(%q) = %v, %v; want %v", packed, got, err, tt.want)
			}
		}
	}
	for _, bad := range []string{one[:len(one)-1], "x" + one, "99:" + one, two[:20], "1:3" + one[3:], "a:b"} {
		if got, err := unpackMissions(bad, nil); err == nil {
			t.Errorf("unpackMissions(%q) = %v, want an error", bad, got)
		}
	}
}

// reorder puts b before a in s when s is a then b.
func reorder(s, a, b string) string {
	if s == a+b {
		return b + a
	}
	return s
}

// pack writes values as the lists do: "length:value", the length in bytes.
func pack(values ...string) string {
	out := ""
	for _, v := range values {
		out += fmt.Sprintf("%d:%s", len(v), v)
	}
	return out
}
