package reliability

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// The scopes of issue 20 (§3): a manager whose own writes widen its own
// scope. The binary of before refused updateMember on a member of another
// incubator, but let the manager addMission that member on one of its own
// startups (any dates, even 2010) and then rename them. TestHostileScope
// tries every path a manager of one incubator has to move a person or a
// startup of another into its scope, on the real snapshot, and checks that
// each is refused and leaves the record as it was.

// scopeTargets are the records of the database the attacks aim at.
type scopeTargets struct {
	foreign []string // members with missions, none on a startup of the manager's incubator
	mission string   // a mission from the records of foreign[3], on startups of other incubators
	own     string   // a member with a mission from the records on a startup of the manager's incubator
	taken   string   // a startup of another incubator
	other   string   // that incubator
}

func findScopeTargets(t *testing.T, f *fixture) *scopeTargets {
	t.Helper()
	db, err := openReadOnly(f.DB)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	strs := func(q string, args ...any) []string { return column(t, db, q, args...) }
	const onInc = `SELECT 1 FROM missions m2 JOIN mission_startups ms2 ON ms2.mission_id = m2.id JOIN startups s2 ON s2.id = ms2.startup_id
		JOIN incubators i2 ON i2.id = s2.incubator_id WHERE m2.member_id = mb.id AND i2.slug = ?`
	g := &scopeTargets{}
	g.foreign = strs(`SELECT mb.slug FROM members mb
		WHERE EXISTS (SELECT 1 FROM missions mi JOIN mission_startups ms ON ms.mission_id = mi.id WHERE mi.member_id = mb.id AND mi.source = 'IMPORTED')
		  AND NOT EXISTS (`+onInc+`) ORDER BY mb.slug LIMIT 5`, f.Incubator)
	if own := strs(`SELECT mb.slug FROM members mb WHERE EXISTS (`+onInc+`) ORDER BY mb.slug LIMIT 1`, f.Incubator); len(own) == 1 {
		g.own = own[0]
	}
	if len(g.foreign) == 5 {
		if ms := strs(`SELECT mi.slug FROM missions mi JOIN members mb ON mb.id = mi.member_id JOIN mission_startups ms ON ms.mission_id = mi.id
			WHERE mb.slug = ? AND mi.source = 'IMPORTED' ORDER BY mi.seq LIMIT 1`, g.foreign[3]); len(ms) == 1 {
			g.mission = ms[0]
		}
	}
	if taken := strs(`SELECT s.slug || ' ' || i.slug FROM startups s JOIN incubators i ON i.id = s.incubator_id WHERE i.slug <> ? ORDER BY s.slug LIMIT 1`, f.Incubator); len(taken) == 1 {
		g.taken, g.other, _ = strings.Cut(taken[0], " ")
	}
	if len(g.foreign) < 5 || g.mission == "" || g.own == "" || g.taken == "" || len(f.Own) < 2 {
		t.Fatalf("the database lacks the records the attacks need: %+v, %d own startups", g, len(f.Own))
	}
	return g
}

func TestHostileScope(t *testing.T) {
	requireSuite(t, "Hostile")
	binary(t)
	path, source := newDatabase(t, true)
	f := newFixture(t, path, source)
	g := findScopeTargets(t, f)
	marc := createToken(t, path, "reliability-manager-2", "manager", f.Incubator) // a second manager of the same incubator
	s := startServer(t, path)
	c := newClient(2)
	ctx := context.Background()
	t.Logf("scope attacks against %s, a manager of %s (%d startups)", source, f.Incubator, len(f.Own))

	// write sends a mutation and logs its answer with the server's CPU.
	write := func(t *testing.T, what, token, query string, in map[string]any) *reply {
		t.Helper()
		before := cpuSeconds(s.Pid())
		r, err := gql(ctx, c, s.URL, token, query, map[string]any{"in": in})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		msg := ""
		if len(r.Errors) > 0 {
			msg = truncate(r.Errors[0].Message, 160)
		}
		t.Logf("%s: status %d %s %.3f s CPU, %v: %s", what, r.Status, r.firstCode(), cpuSeconds(s.Pid())-before, r.Elapsed.Round(1e6), msg)
		return r
	}
	mustWrite := func(t *testing.T, what, token, query string, in map[string]any) json.RawMessage {
		t.Helper()
		r := write(t, what, token, query, in)
		if r.Status != 200 || len(r.Errors) > 0 {
			t.Fatalf("%s: status %d, errors %+v: the setup of the attack must go through", what, r.Status, r.Errors)
		}
		return r.Data
	}
	refused := func(t *testing.T, what string, r *reply, code string, says ...string) {
		t.Helper()
		if r.Status != 200 || r.firstCode() != code {
			t.Errorf("%s: status %d code %q, want %s", what, r.Status, r.firstCode(), code)
			return
		}
		for _, w := range says {
			if !strings.Contains(r.Errors[0].Message, w) {
				t.Errorf("%s: message %q, want it to say %q", what, r.Errors[0].Message, w)
			}
		}
	}
	type memberState struct {
		Fullname, Role, Bio string
		Version             int
	}
	member := func(t *testing.T, slug string) memberState {
		t.Helper()
		var d struct{ Member *memberState }
		mustQuery(t, c, s.URL, f.Viewer, `query($s: String!) { member(slug: $s) { fullname role bio version } }`, map[string]any{"s": slug}, &d)
		if d.Member == nil {
			t.Fatalf("no member %s", slug)
		}
		return *d.Member
	}
	missionVersion := func(t *testing.T, memberSlug, slug string) int {
		t.Helper()
		var d struct {
			Member struct {
				Missions struct {
					Nodes []struct {
						Slug    string
						Version int
					}
				}
			}
		}
		mustQuery(t, c, s.URL, f.Viewer, `query($s: String!) { member(slug: $s) { missions(first: 1000) { nodes { slug version } } } }`, map[string]any{"s": memberSlug}, &d)
		for _, n := range d.Member.Missions.Nodes {
			if n.Slug == slug {
				return n.Version
			}
		}
		t.Fatalf("member %s has no mission %s", memberSlug, slug)
		return 0
	}
	type startupState struct {
		Name      string
		Version   int
		Incubator struct{ Slug string }
	}
	startup := func(t *testing.T, slug string) startupState {
		t.Helper()
		var d struct{ Startup *startupState }
		mustQuery(t, c, s.URL, f.Viewer, `query($s: String!) { startup(slug: $s) { name version incubator { slug } } }`, map[string]any{"s": slug}, &d)
		if d.Startup == nil {
			t.Fatalf("no startup %s", slug)
		}
		return *d.Startup
	}
	const (
		addMission    = `mutation($in: AddMissionInput!) { addMission(input: $in) { mission { slug version } } }`
		updateMission = `mutation($in: UpdateMissionInput!) { updateMission(input: $in) { mission { slug version } } }`
		endMission    = `mutation($in: EndMissionInput!) { endMission(input: $in) { mission { slug version } } }`
		updateMember  = `mutation($in: UpdateMemberInput!) { updateMember(input: $in) { member { fullname version } } }`
		createMember  = `mutation($in: CreateMemberInput!) { createMember(input: $in) { member { slug version } } }`
		updateStartup = `mutation($in: UpdateStartupInput!) { updateStartup(input: $in) { startup { version incubator { slug } } } }`
		createStartup = `mutation($in: CreateStartupInput!) { createStartup(input: $in) { startup { slug } } }`
		record        = `mutation($in: RecordCommitteeInput!) { recordCommittee(input: $in) { committee { slug } } }`
	)
	attach := func(t *testing.T, token, who string, start, end string) string {
		t.Helper()
		in := map[string]any{"member": who, "start": start, "status": "INDEPENDENT", "startups": []string{f.Own[0]}}
		if end != "" {
			in["end"] = end
		}
		var d struct {
			AddMission struct{ Mission struct{ Slug string } }
		}
		if err := json.Unmarshal(mustWrite(t, "addMission "+who+" on "+f.Own[0], token, addMission, in), &d); err != nil {
			t.Fatal(err)
		}
		return d.AddMission.Mission.Slug
	}
	rename := func(t *testing.T, token, who string) *reply {
		t.Helper()
		return write(t, "updateMember "+who, token, updateMember, map[string]any{"id": who, "version": member(t, who).Version,
			"fullname": "Renommé par le responsable", "bio": "écrit par un autre incubateur"})
	}
	unchanged := func(t *testing.T, who string, was memberState) {
		t.Helper()
		if now := member(t, who); now != was {
			t.Errorf("member %s changed: %+v, was %+v", who, now, was)
		}
	}

	t.Run("addMission in 2010 then updateMember", func(t *testing.T) {
		who := g.foreign[0]
		was := member(t, who)
		refused(t, "updateMember before", rename(t, f.Manager, who), "FORBIDDEN")
		slug := attach(t, f.Manager, who, "2010-01-04", "2010-01-05")
		refused(t, "updateMember after addMission", rename(t, f.Manager, who), "FORBIDDEN", slug, "reliability-manager", "never widen its scope")
		refused(t, "updateMember by another manager of the incubator", rename(t, marc, who), "FORBIDDEN", slug)
		unchanged(t, who, was)
	})

	t.Run("addMission, updateMission and endMission, then updateMember", func(t *testing.T) {
		who := g.foreign[1]
		was := member(t, who)
		slug := attach(t, f.Manager, who, "2026-01-05", "")
		mustWrite(t, "updateMission "+slug+" onto two startups", f.Manager, updateMission, map[string]any{"id": slug, "version": 1,
			"start": "2015-03-02", "startups": []string{f.Own[1], f.Own[0]}})
		mustWrite(t, "endMission "+slug, f.Manager, endMission, map[string]any{"id": slug, "version": 2, "end": "2015-03-31"})
		refused(t, "updateMember after", rename(t, f.Manager, who), "FORBIDDEN", slug)
		unchanged(t, who, was)
	})

	t.Run("still open: a person the manager created, a member from the records", func(t *testing.T) {
		// Legit: a person created by the manager belongs to its incubator.
		who := "reliability.scope-" + strings.ReplaceAll(pastDay(0), "-", "")
		mustWrite(t, "createMember "+who, f.Manager, createMember, map[string]any{"slug": who, "fullname": "Personne Créée", "domain": "DATA",
			"mission": map[string]any{"start": "2026-01-05", "status": "SERVICE", "startups": []string{f.Own[0]}}})
		if r := rename(t, marc, who); r.Status != 200 || len(r.Errors) > 0 {
			t.Errorf("another manager of the incubator on a person it created: status %d %+v, want allowed", r.Status, r.Errors)
		}
		// Legit: a member with a mission from the records on its startups.
		if r := rename(t, f.Manager, g.own); r.Status != 200 || len(r.Errors) > 0 {
			t.Errorf("updateMember %s (a mission from the records on %s): status %d %+v, want allowed", g.own, f.Incubator, r.Status, r.Errors)
		}
	})

	t.Run("updateMission adding its startup to a foreign mission, then updateMember", func(t *testing.T) {
		who := g.foreign[3]
		was := member(t, who)
		v := missionVersion(t, who, g.mission)
		r := write(t, "updateMission "+g.mission+" adding "+f.Own[0], f.Manager, updateMission, map[string]any{"id": g.mission, "version": v,
			"startups": []string{f.Own[0]}})
		refused(t, "updateMission of a foreign mission", r, "FORBIDDEN")
		refused(t, "updateMember after", rename(t, f.Manager, who), "FORBIDDEN")
		unchanged(t, who, was)
	})

	t.Run("addMission, then updateMission of the member's other missions, then updateMember", func(t *testing.T) {
		who := g.foreign[4]
		was := member(t, who)
		attach(t, f.Manager, who, "2012-06-04", "2012-06-05")
		var d struct {
			Member struct {
				Missions struct {
					Nodes []struct {
						Slug    string
						Version int
						Source  string
					}
				}
			}
		}
		mustQuery(t, c, s.URL, f.Viewer, `query($s: String!) { member(slug: $s) { missions(first: 1000) { nodes { slug version source } } } }`, map[string]any{"s": who}, &d)
		for _, m := range d.Member.Missions.Nodes {
			if m.Source != "IMPORTED" {
				continue
			}
			r := write(t, "updateMission "+m.Slug, f.Manager, updateMission, map[string]any{"id": m.Slug, "version": m.Version, "startups": []string{f.Own[0]}})
			refused(t, "updateMission of the member's mission "+m.Slug, r, "FORBIDDEN")
		}
		refused(t, "updateMember after", rename(t, f.Manager, who), "FORBIDDEN")
		unchanged(t, who, was)
	})

	t.Run("createMember with a foreign member's slug", func(t *testing.T) {
		who := g.foreign[2]
		was := member(t, who)
		r := write(t, "createMember "+who, f.Manager, createMember, map[string]any{"slug": who, "fullname": "Usurpé", "domain": "DATA",
			"mission": map[string]any{"start": "2026-01-05", "status": "SERVICE", "startups": []string{f.Own[0]}}})
		refused(t, "createMember over "+who, r, "CONFLICT")
		refused(t, "updateMember after", rename(t, f.Manager, who), "FORBIDDEN")
		unchanged(t, who, was)
	})

	t.Run("startups: take one, give one away, squat a slug, write a foreign committee", func(t *testing.T) {
		taken, given := startup(t, g.taken), startup(t, f.Own[1])
		refused(t, "updateStartup taking "+g.taken, write(t, "updateStartup "+g.taken+" to "+f.Incubator, f.Manager, updateStartup,
			map[string]any{"id": g.taken, "version": taken.Version, "incubator": f.Incubator}), "FORBIDDEN")
		refused(t, "updateStartup giving "+f.Own[1]+" away", write(t, "updateStartup "+f.Own[1]+" to "+g.other, f.Manager, updateStartup,
			map[string]any{"id": f.Own[1], "version": given.Version, "incubator": g.other}), "FORBIDDEN")
		refused(t, "createStartup over "+g.taken, write(t, "createStartup "+g.taken, f.Manager, createStartup,
			map[string]any{"slug": g.taken, "name": "Reprise", "incubator": f.Incubator}), "CONFLICT")
		refused(t, "createStartup in "+g.other, write(t, "createStartup in "+g.other, f.Manager, createStartup,
			map[string]any{"slug": "reliability-scope-squat", "name": "Ailleurs", "incubator": g.other}), "FORBIDDEN")
		refused(t, "recordCommittee on "+g.taken, write(t, "recordCommittee "+g.taken, f.Manager, record,
			map[string]any{"startup": g.taken, "date": pastDay(3), "decision": "CONTINUE"}), "FORBIDDEN")
		if now := startup(t, g.taken); now != taken {
			t.Errorf("startup %s changed: %+v, was %+v", g.taken, now, taken)
		}
		if now := startup(t, f.Own[1]); now != given {
			t.Errorf("startup %s changed: %+v, was %+v", f.Own[1], now, given)
		}
		var d struct{ Startup *struct{ Slug string } }
		mustQuery(t, c, s.URL, f.Viewer, `{ startup(slug: "reliability-scope-squat") { slug } }`, nil, &d)
		if d.Startup != nil {
			t.Errorf("a startup was created in %s", g.other)
		}
	})

	if !t.Failed() {
		t.Log("every scope attack refused, every record unchanged")
	}
}
