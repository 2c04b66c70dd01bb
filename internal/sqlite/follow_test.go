package sqlite_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// source is a small network as a repository holds it.
type source struct {
	orgs       []portfolio.Organisation
	incubators []portfolio.Incubator
	teams      []portfolio.Team
	startups   []portfolio.Startup
	members    []portfolio.Member
}

func (s *source) fill(sink portfolio.Sink) error {
	ctx := context.Background()
	for i := range s.orgs {
		if err := sink.PutOrganisation(ctx, &s.orgs[i]); err != nil {
			return err
		}
	}
	for i := range s.incubators {
		if err := sink.PutIncubator(ctx, &s.incubators[i]); err != nil {
			return err
		}
	}
	for i := range s.teams {
		if err := sink.PutTeam(ctx, &s.teams[i]); err != nil {
			return err
		}
	}
	for i := range s.startups {
		if err := sink.PutStartup(ctx, &s.startups[i]); err != nil {
			return err
		}
	}
	for i := range s.members {
		if err := sink.PutMember(ctx, &s.members[i]); err != nil {
			return err
		}
	}
	return nil
}

// present lists the slugs of the source, by kind, plus the unreadable ones.
func (s *source) present(unreadable ...sqlite.Ref) map[string]map[string]bool {
	written := map[string][]string{}
	for _, o := range s.orgs {
		written["organisations"] = append(written["organisations"], o.Slug)
	}
	for _, i := range s.incubators {
		written["incubators"] = append(written["incubators"], i.Slug)
	}
	for _, t := range s.teams {
		written["teams"] = append(written["teams"], t.Slug)
	}
	for _, st := range s.startups {
		written["startups"] = append(written["startups"], st.Slug)
	}
	for _, m := range s.members {
		written["members"] = append(written["members"], m.Slug)
	}
	u := map[string][]string{}
	for _, r := range unreadable {
		u[r.Kind] = append(u[r.Kind], r.Slug)
	}
	return sqlite.PresentSlugs(written, u)
}

func (s *source) renames() map[string]string {
	out := map[string]string{}
	for _, st := range s.startups {
		for _, old := range st.RedirectFrom {
			out[old] = st.Slug
		}
	}
	return out
}

// garden is the source before the changes of each test.
func garden() *source {
	d := portfolio.MustDate
	return &source{
		orgs: []portfolio.Organisation{
			{Slug: "min-jardins", Name: "Ministère des Jardins"},
			{Slug: "agence-eau", Name: "Agence de l'eau"},
		},
		incubators: []portfolio.Incubator{
			{Slug: "serre", Title: "La Serre", OwnerSlug: "min-jardins"},
			{Slug: "verger", Title: "Le Verger", OwnerSlug: "min-jardins"},
		},
		teams: []portfolio.Team{{Slug: "serre-anim", Name: "Animation", IncubatorSlug: "serre"}},
		startups: []portfolio.Startup{
			{Slug: "arrosoir", Name: "Arrosoir", IncubatorSlug: "serre", Sponsors: []string{"min-jardins"},
				Phases:     []portfolio.PhasePeriod{{Phase: portfolio.PhaseInvestigation, Start: d("2024-01-01")}},
				Committees: []portfolio.Committee{{Slug: "arrosoir/2024-05-20", Date: d("2024-05-20"), Decision: portfolio.DecisionContinue}},
				Events:     []portfolio.StartupEvent{{Name: "committee", Date: d("2024-05-20")}}},
			{Slug: "binette", Name: "Binette", IncubatorSlug: "verger", Sponsors: []string{"agence-eau"},
				Phases: []portfolio.PhasePeriod{{Phase: portfolio.PhaseConstruction, Start: d("2024-02-01")}}},
		},
		members: []portfolio.Member{
			{Slug: "ana.jardin", Fullname: "Ana Jardin", Domain: portfolio.DomainDesign, Teams: []string{"serre-anim"},
				Missions: []portfolio.Mission{{Slug: "ana.jardin/1", Start: d("2024-01-01"), Startups: []string{"arrosoir"}}}},
			{Slug: "bruno.compost", Fullname: "Bruno Compost", Domain: portfolio.DomainDevelopment,
				Missions: []portfolio.Mission{{Slug: "bruno.compost/1", Start: d("2024-02-01"), Startups: []string{"binette"}}}},
		},
	}
}

// without returns the source without the records of these slugs, and
// without the references to them.
func (s *source) without(slugs ...string) *source {
	drop := func(x string) bool { return slices.Contains(slugs, x) }
	keep := func(list []string) []string {
		return slices.DeleteFunc(slices.Clone(list), drop)
	}
	out := &source{}
	for _, o := range s.orgs {
		if !drop(o.Slug) {
			out.orgs = append(out.orgs, o)
		}
	}
	for _, i := range s.incubators {
		if !drop(i.Slug) {
			if drop(i.OwnerSlug) {
				i.OwnerSlug = ""
			}
			out.incubators = append(out.incubators, i)
		}
	}
	for _, t := range s.teams {
		if !drop(t.Slug) {
			if drop(t.IncubatorSlug) {
				t.IncubatorSlug = ""
			}
			out.teams = append(out.teams, t)
		}
	}
	for _, st := range s.startups {
		if !drop(st.Slug) {
			if drop(st.IncubatorSlug) {
				st.IncubatorSlug = ""
			}
			st.Sponsors = keep(st.Sponsors)
			out.startups = append(out.startups, st)
		}
	}
	for _, m := range s.members {
		if !drop(m.Slug) {
			m.Teams = keep(m.Teams)
			m.Missions = slices.Clone(m.Missions)
			for i := range m.Missions {
				m.Missions[i].Startups = keep(m.Missions[i].Startups)
			}
			out.members = append(out.members, m)
		}
	}
	return out
}

func loadFull(t *testing.T, db *sqlite.DB, s *source, unreadable ...sqlite.Ref) (*sqlite.LoadResult, error) {
	t.Helper()
	return db.Load(context.Background(), sqlite.LoadOptions{Follow: &sqlite.Follow{Full: true, Present: s.present(unreadable...), Renames: s.renames()}}, s.fill)
}

func dump(t *testing.T, db *sqlite.DB) []string {
	t.Helper()
	lines, err := db.DumpRecords(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

func refs(rs []sqlite.Ref) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.String())
	}
	return out
}

// TestFollowDeletes: a load following its source deletes the records the
// source no longer holds, with what hangs off them, and ends as a fresh
// load of the source would; a record whose file could not be read stays.
func TestFollowDeletes(t *testing.T) {
	tests := []struct {
		name       string
		gone       []string
		unreadable []sqlite.Ref
		deleted    []string
	}{
		{"a member removed at their request", []string{"bruno.compost"}, nil, []string{"member bruno.compost"}},
		{"a startup, its links from missions", []string{"binette"}, nil, []string{"startup binette"}},
		{"an incubator with its team and startups' links", []string{"serre", "serre-anim"}, nil, []string{"team serre-anim", "incubator serre"}},
		{"an organisation no longer sponsoring", []string{"agence-eau"}, nil, []string{"organisation agence-eau"}},
		{"a file that cannot be read is not a deletion", []string{"binette"}, []sqlite.Ref{{Kind: "startups", Slug: "binette"}}, nil},
		{"everything", []string{"min-jardins", "agence-eau", "serre", "verger", "serre-anim", "arrosoir", "binette", "ana.jardin", "bruno.compost"}, nil,
			[]string{"member ana.jardin", "member bruno.compost", "startup arrosoir", "startup binette", "team serre-anim",
				"incubator serre", "incubator verger", "organisation agence-eau", "organisation min-jardins"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFull(t, db, garden()); err != nil {
				t.Fatal(err)
			}
			after := garden().without(tt.gone...)
			res, err := loadFull(t, db, after, tt.unreadable...)
			if err != nil {
				t.Fatal(err)
			}
			if got := refs(res.Deleted); !slices.Equal(got, tt.deleted) {
				t.Errorf("deleted %q, want %q", got, tt.deleted)
			}
			if len(res.Kept) > 0 {
				t.Errorf("kept %v, want none", res.Kept)
			}
			if tt.unreadable != nil {
				return // the database keeps what the source could not give
			}
			fresh := MustOpenDB(t)
			if _, err := loadFull(t, fresh, after); err != nil {
				t.Fatal(err)
			}
			if got, want := dump(t, db), dump(t, fresh); !slices.Equal(got, want) {
				t.Errorf("after the deletions the database differs from a fresh load of the source:\n%s", diffLines(want, got))
			}
		})
	}
}

// diffLines lists the lines only one side has: "-" want, "+" got.
func diffLines(want, got []string) string {
	var b strings.Builder
	for _, l := range want {
		if !slices.Contains(got, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range got {
		if !slices.Contains(want, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// TestFollowKeepsWhatTheAPIWrote: a record the source deleted stays when
// the API wrote on it, or on what hangs off it, and the result says why.
func TestFollowKeepsWhatTheAPIWrote(t *testing.T) {
	ctx := context.Background()
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	d := portfolio.MustDate
	tests := []struct {
		name  string
		api   func(t *testing.T, db *sqlite.DB)
		gone  []string
		kept  string
		still []string // records of these slugs remain
	}{
		{"a startup edited through the API", func(t *testing.T, db *sqlite.DB) {
			if _, err := db.UpdateStartup(admin, "binette", 1, func(s *portfolio.Startup) error { s.Pitch = "Biner mieux"; return nil }); err != nil {
				t.Fatal(err)
			}
		}, []string{"binette"}, "startup binette was deleted in the source but kept: edited through the API (pitch)", []string{"binette"}},
		{"a startup with a committee recorded through the API", func(t *testing.T, db *sqlite.DB) {
			if _, err := db.RecordCommittee(admin, &portfolio.Committee{StartupSlug: "binette", Date: d("2025-01-10"), Decision: portfolio.DecisionContinue}, false); err != nil {
				t.Fatal(err)
			}
		}, []string{"binette"}, "startup binette was deleted in the source but kept: 1 committees recorded through the API", []string{"binette"}},
		{"a member with a mission recorded through the API", func(t *testing.T, db *sqlite.DB) {
			if _, err := db.AddMission(admin, &portfolio.Mission{MemberSlug: "bruno.compost", Start: d("2025-01-01"), Status: portfolio.StatusAdmin, Startups: []string{"binette"}}); err != nil {
				t.Fatal(err)
			}
		}, []string{"bruno.compost"}, "member bruno.compost was deleted in the source but kept: 1 missions recorded through the API", []string{"bruno.compost"}},
		{"a startup a mission recorded through the API is on", func(t *testing.T, db *sqlite.DB) {
			if _, err := db.AddMission(admin, &portfolio.Mission{MemberSlug: "ana.jardin", Start: d("2025-01-01"), Status: portfolio.StatusAdmin, Startups: []string{"binette"}}); err != nil {
				t.Fatal(err)
			}
		}, []string{"binette"}, "startup binette was deleted in the source but kept: 1 missions recorded through the API on it", []string{"binette"}},
		{"an incubator a manager's token is scoped to", func(t *testing.T, db *sqlite.DB) {
			if _, _, err := db.CreateToken(ctx, "manon", portfolio.RoleManager, []string{"verger"}); err != nil {
				t.Fatal(err)
			}
		}, []string{"verger"}, "incubator verger was deleted in the source but kept: still referred to by tokens scoped to it: manon", []string{"verger"}},
		{"an organisation an edited sponsor list keeps", func(t *testing.T, db *sqlite.DB) {
			if _, err := db.UpdateStartup(admin, "arrosoir", 1, func(s *portfolio.Startup) error {
				s.Sponsors = []string{"min-jardins", "agence-eau"}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}, []string{"agence-eau", "binette"}, "organisation agence-eau was deleted in the source but kept: still referred to by startups it sponsors: arrosoir", []string{"agence-eau"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := loadFull(t, db, garden()); err != nil {
				t.Fatal(err)
			}
			tt.api(t, db)
			res, err := loadFull(t, db, garden().without(tt.gone...))
			if err != nil {
				t.Fatal(err)
			}
			var kept []string
			for _, k := range res.Kept {
				kept = append(kept, k.String())
			}
			if !slices.Contains(kept, tt.kept) {
				t.Errorf("kept %q, want %q among them", kept, tt.kept)
			}
			lines := strings.Join(dump(t, db), "\n")
			for _, s := range tt.still {
				if !strings.Contains(lines, `slug="`+s+`"`) {
					t.Errorf("%s was deleted", s)
				}
			}
		})
	}
}

// TestFollowRenames: a startup whose new file lists its old slug in
// redirect_from is renamed, keeping what refers to it: the committee
// recorded through the API, the fields edited, the members' missions.
func TestFollowRenames(t *testing.T) {
	ctx := context.Background()
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	db := MustOpenDB(t)
	if _, err := loadFull(t, db, garden()); err != nil {
		t.Fatal(err)
	}
	rec, err := db.RecordCommittee(admin, &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2025-01-10"), Decision: portfolio.DecisionContinue}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateStartup(admin, "arrosoir", 1, func(s *portfolio.Startup) error { s.Pitch = "Arroser juste"; return nil }); err != nil {
		t.Fatal(err)
	}
	before, err := db.StartupsBySlug(ctx, []string{"arrosoir"})
	if err != nil {
		t.Fatal(err)
	}
	renamed := garden()
	st := &renamed.startups[0]
	st.Slug, st.Name, st.RedirectFrom = "arrosoir-malin", "Arrosoir malin", []string{"arrosoir"}
	st.Committees[0].Slug = "arrosoir-malin/2024-05-20"
	for i := range renamed.members {
		for j := range renamed.members[i].Missions {
			ms := &renamed.members[i].Missions[j]
			if slices.Contains(ms.Startups, "arrosoir") {
				ms.Startups = []string{"arrosoir-malin"}
			}
		}
	}
	res, err := loadFull(t, db, renamed)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Renamed) != 1 || res.Renamed[0].String() != "startup arrosoir → arrosoir-malin" || len(res.Deleted) != 0 {
		t.Fatalf("renamed %v, deleted %v; want arrosoir → arrosoir-malin only", res.Renamed, res.Deleted)
	}
	after, err := db.StartupsBySlug(ctx, []string{"arrosoir-malin", "arrosoir"})
	if err != nil {
		t.Fatal(err)
	}
	s := after["arrosoir-malin"]
	if s == nil || s.ID != before["arrosoir"].ID {
		t.Fatalf("arrosoir-malin = %+v, want the row of arrosoir renamed", s)
	}
	if s.Name != "Arrosoir malin" || s.Pitch != "Arroser juste" {
		t.Errorf("renamed startup: name %q, pitch %q; want the source's name and the pitch edited through the API", s.Name, s.Pitch)
	}
	newSlug := "arrosoir-malin/2025-01-10"
	cs, err := db.CommitteesBySlug(ctx, []string{newSlug, rec.Slug, "arrosoir-malin/2024-05-20", "arrosoir/2024-05-20"})
	if err != nil {
		t.Fatal(err)
	}
	if cs[newSlug] == nil || cs["arrosoir-malin/2024-05-20"] == nil || cs[rec.Slug] != nil || cs["arrosoir/2024-05-20"] != nil {
		t.Errorf("committees after the rename: %v; want the recorded one as %s and the imported one as arrosoir-malin/2024-05-20", keys(cs), newSlug)
	}
	lines := strings.Join(dump(t, db), "\n")
	for _, want := range []string{
		`api_edits: kind="startups" slug="arrosoir-malin" field="pitch"`,
		`mission_startups: mission_id="ana.jardin/1" startup_id="arrosoir-malin"`,
		`startup_redirects: slug="arrosoir" startup_id="arrosoir-malin" seq=0`,
	} {
		if !strings.Contains(lines, want) {
			t.Errorf("the dump lacks %s", want)
		}
	}
	if strings.Contains(lines, `startups: slug="arrosoir" `) || strings.Contains(lines, `slug="arrosoir/`) || strings.Contains(lines, `api_edits: kind="startups" slug="arrosoir" `) {
		t.Errorf("the old slug is still a record's:\n%s", lines)
	}
	// A second load of the same source changes nothing.
	res, err = loadFull(t, db, renamed)
	if err != nil || len(res.Renamed)+len(res.Deleted)+len(res.Kept) != 0 {
		t.Errorf("a second load: %v, renamed %v, deleted %v, kept %v", err, res.Renamed, res.Deleted, res.Kept)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestFollowRefusesRename: when both startups of a rename hold writes of
// the API, the load fails and writes nothing.
func TestFollowRefusesRename(t *testing.T) {
	ctx := context.Background()
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	db := MustOpenDB(t)
	if _, err := loadFull(t, db, garden()); err != nil {
		t.Fatal(err)
	}
	for _, slug := range []string{"arrosoir", "binette"} {
		if _, err := db.RecordCommittee(admin, &portfolio.Committee{StartupSlug: slug, Date: portfolio.MustDate("2025-01-10"), Decision: portfolio.DecisionContinue}, false); err != nil {
			t.Fatal(err)
		}
	}
	before := dump(t, db)
	merged := garden().without("arrosoir")
	merged.startups[0].RedirectFrom = []string{"arrosoir"} // binette now claims arrosoir's slug
	_, err := loadFull(t, db, merged)
	var re *sqlite.RenameError
	if !errors.As(err, &re) || re.From != "arrosoir" || re.To != "binette" {
		t.Fatalf("load: %v, want a RenameError arrosoir → binette", err)
	}
	if !strings.Contains(err.Error(), "nothing written") {
		t.Errorf("the error does not say nothing was written: %v", err)
	}
	if after := dump(t, db); !slices.Equal(before, after) {
		t.Errorf("a refused rename wrote:\n%s", diffLines(before, after))
	}
}

// TestFollowDeletedList: an incremental load deletes the records it is
// told the source deleted, and only those.
func TestFollowDeletedList(t *testing.T) {
	db := MustOpenDB(t)
	if _, err := loadFull(t, db, garden()); err != nil {
		t.Fatal(err)
	}
	after := garden().without("bruno.compost")
	changed := &source{} // the member's file deleted, nothing else changed
	res, err := db.Load(context.Background(), sqlite.LoadOptions{Follow: &sqlite.Follow{
		Deleted: []sqlite.Ref{{Kind: "members", Slug: "bruno.compost"}, {Kind: "members", Slug: "never.here"}},
	}}, changed.fill)
	if err != nil {
		t.Fatal(err)
	}
	if got := refs(res.Deleted); !slices.Equal(got, []string{"member bruno.compost"}) {
		t.Errorf("deleted %v, want member bruno.compost", got)
	}
	fresh := MustOpenDB(t)
	if _, err := loadFull(t, fresh, after); err != nil {
		t.Fatal(err)
	}
	if got, want := dump(t, db), dump(t, fresh); !slices.Equal(got, want) {
		t.Errorf("differs from a fresh load:\n%s", diffLines(want, got))
	}
}
