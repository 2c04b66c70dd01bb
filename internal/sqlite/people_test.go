package sqlite_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func manager(ctx context.Context, incubators ...string) context.Context {
	return portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "manon", Role: portfolio.RoleManager, Incubators: incubators})
}

func member(t *testing.T, db *sqlite.DB, slug string) *portfolio.Member {
	t.Helper()
	ms, err := db.MembersBySlug(context.Background(), []string{slug})
	if err != nil {
		t.Fatal(err)
	}
	return ms[slug]
}

// TestCreateAndUpdateMember covers the rules of member writes: who may
// write whom, the input checked before anything is written, versions, the
// audit log.
func TestCreateAndUpdateMember(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	first := &portfolio.Mission{Start: portfolio.MustDate("2025-01-06"), Status: portfolio.StatusService, Employer: "Octant", Startups: []string{"arrosoir"}}
	newMember := func() *portfolio.Member {
		return &portfolio.Member{Slug: "paul.rateau", Fullname: "Paul Rateau", Role: "Développeur", Domain: portfolio.DomainDevelopment,
			Competences: []string{"Go"}, Bio: "Jardinier du **code**."}
	}
	for _, tt := range []struct {
		name  string
		ctx   context.Context
		m     *portfolio.Member
		first *portfolio.Mission
		code  string
		field string
	}{
		{"anonymous", ctx, newMember(), first, portfolio.EUnauthenticated, ""},
		{"viewer", portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "v", Role: portfolio.RoleViewer}), newMember(), first, portfolio.EForbidden, ""},
		{"manager without a mission", manager(ctx, "serre"), newMember(), nil, portfolio.EInvalid, "mission"},
		{"manager of another incubator", manager(ctx, "verger"), newMember(), first, portfolio.EForbidden, ""},
		{"a slug with capitals", alice(ctx), &portfolio.Member{Slug: "Paul.Rateau", Fullname: "Paul", Domain: portfolio.DomainDesign}, nil, portfolio.EInvalid, "slug"},
		{"no name", alice(ctx), &portfolio.Member{Slug: "paul", Fullname: "  ", Domain: portfolio.DomainDesign}, nil, portfolio.EInvalid, "fullname"},
		{"no domain", alice(ctx), &portfolio.Member{Slug: "paul", Fullname: "Paul"}, nil, portfolio.EInvalid, "domain"},
		{"a mission ending before it starts", alice(ctx), newMember(), &portfolio.Mission{Start: portfolio.MustDate("2025-01-06"),
			End: portfolio.MustDate("2024-01-06"), Status: portfolio.StatusAdmin}, portfolio.EInvalid, "mission.end"},
		{"an existing member", alice(ctx), &portfolio.Member{Slug: "jeanne.pioche", Fullname: "Jeanne", Domain: portfolio.DomainDesign}, nil, portfolio.EConflict, "slug"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := rows(t, db)
			_, err := db.CreateMember(tt.ctx, tt.m, tt.first)
			if code := portfolio.ErrorCode(err); code != tt.code {
				t.Fatalf("code %q (%v), want %q", code, err, tt.code)
			}
			var e *portfolio.Error
			if tt.field != "" && (!asError(err, &e) || e.Field != tt.field) {
				t.Errorf("field %q, want %q (%v)", e.Field, tt.field, err)
			}
			if after := rows(t, db); after != before {
				t.Errorf("a refused write changed the database:\n%s", lineDiff(before, after))
			}
		})
	}

	m, err := db.CreateMember(manager(ctx, "serre"), newMember(), first)
	if err != nil {
		t.Fatal(err)
	}
	if m.Version != 1 || m.ID == 0 {
		t.Errorf("created %+v", m)
	}
	got := member(t, db, "paul.rateau")
	if got == nil || got.Bio != "Jardinier du **code**." || got.Domain != portfolio.DomainDevelopment || got.Version != 1 {
		t.Fatalf("stored %+v", got)
	}
	missions, err := db.MissionsByMember(ctx, []int64{got.ID})
	if err != nil {
		t.Fatal(err)
	}
	if ms := missions[got.ID]; len(ms) != 1 || ms[0].Source != portfolio.SourceRecorded || ms[0].Employer != "Octant" {
		t.Errorf("missions %+v", ms)
	}

	// Updates: a stale version, a manager of another incubator, then one
	// that goes through.
	patch := func(m *portfolio.Member) error {
		m.Role, m.Competences = "Développeur back", []string{"Go", "SQL"}
		return nil
	}
	if _, err := db.UpdateMember(alice(ctx), "paul.rateau", 3, patch); portfolio.ErrorCode(err) != portfolio.EConflict {
		t.Errorf("a stale version: %v, want CONFLICT", err)
	}
	if _, err := db.UpdateMember(manager(ctx, "verger"), "paul.rateau", 1, patch); portfolio.ErrorCode(err) != portfolio.EForbidden {
		t.Errorf("another incubator's manager: %v, want FORBIDDEN", err)
	}
	if _, err := db.UpdateMember(alice(ctx), "nobody", 1, patch); portfolio.ErrorCode(err) != portfolio.ENotFound {
		t.Errorf("an unknown member: %v, want NOT_FOUND", err)
	}
	if _, err := db.UpdateMember(alice(ctx), "paul.rateau", 1, func(m *portfolio.Member) error { m.Fullname = ""; return nil }); portfolio.ErrorCode(err) != portfolio.EInvalid {
		t.Errorf("an empty name: %v, want BAD_USER_INPUT", err)
	}
	up, err := db.UpdateMember(manager(ctx, "serre"), "paul.rateau", 1, patch)
	if err != nil {
		t.Fatal(err)
	}
	got = member(t, db, "paul.rateau")
	if up.Version != 2 || got.Version != 2 || got.Role != "Développeur back" {
		t.Errorf("after the update: %+v, stored %+v", up, got)
	}
	cs, err := db.CompetencesByMember(ctx, []int64{got.ID})
	if err != nil || !slices.Equal(cs[got.ID], []string{"Go", "SQL"}) {
		t.Errorf("competences %v (%v)", cs[got.ID], err)
	}
	p, err := db.AuditLog(alice(ctx), sqlite.AuditFilter{ObjectTypes: []string{"Member", "Mission"}}, portfolio.Window{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var audit []string
	for _, e := range p.Items {
		audit = append(audit, e.Mutation+" "+e.ObjectType+" "+e.ObjectSlug+" "+e.TokenName)
	}
	if want := []string{"updateMember Member paul.rateau manon", "createMember Member paul.rateau manon", "createMember Mission paul.rateau/1001 manon"}; !slices.Equal(audit, want) {
		t.Errorf("audit %q, want %q", audit, want)
	}
	// A manager may write a member with a mission on its startups, even
	// one that ended: jeanne.pioche's is on arrosoir.
	if _, err := db.UpdateMember(manager(ctx, "serre"), "jeanne.pioche", 1, func(m *portfolio.Member) error { m.Bio = "Designer."; return nil }); err != nil {
		t.Errorf("the manager of jeanne.pioche's startup: %v", err)
	}
}

func asError(err error, e **portfolio.Error) bool {
	pe, ok := err.(*portfolio.Error)
	if ok {
		*e = pe
	} else {
		*e = &portfolio.Error{}
	}
	return ok
}

// TestReimportKeepsMemberEdits checks the re-import rules for members:
// fields written through the API keep their value, the others follow the
// snapshot, and the summary lists where the snapshot disagrees.
func TestReimportKeepsMemberEdits(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateMember(alice(ctx), "jeanne.pioche", 1, func(m *portfolio.Member) error {
		m.Fullname, m.Competences = "Jeanne Pioche-Râteau", []string{"UX", "Accessibilité"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateMember(alice(ctx), &portfolio.Member{Slug: "paul.rateau", Fullname: "Paul Rateau", Domain: portfolio.DomainData}, nil); err != nil {
		t.Fatal(err)
	}
	r := sampleRecords()
	r.mb.Role, r.mb.Bio = "Designer", "Dessine des jardins."
	res, err := db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error {
		if err := r.fill()(s); err != nil {
			return err
		}
		return s.PutMember(ctx, &portfolio.Member{Slug: "paul.rateau", Fullname: "Paul R.", Domain: portfolio.DomainDevelopment, Github: "prateau"})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`member jeanne.pioche fullname: "Jeanne Pioche-Râteau" | "Jeanne Pioche"`,
		`member jeanne.pioche competences: ["UX","Accessibilité"] | ["UX"]`,
		`member paul.rateau fullname: "Paul Rateau" | "Paul R."`,
		`member paul.rateau domain: "DATA" | "DEVELOPMENT"`,
		`member paul.rateau github: "" | "prateau"`,
	}
	if got := disagreements(res); !slices.Equal(got, want) {
		t.Errorf("disagreements\n got %q\nwant %q", got, want)
	}
	j := member(t, db, "jeanne.pioche")
	if j.Fullname != "Jeanne Pioche-Râteau" || j.Role != "Designer" || j.Bio != "Dessine des jardins." {
		t.Errorf("jeanne.pioche after re-import: %+v; want the API's name, the snapshot's role and bio", j)
	}
	cs, _ := db.CompetencesByMember(ctx, []int64{j.ID})
	if !slices.Equal(cs[j.ID], []string{"UX", "Accessibilité"}) {
		t.Errorf("competences %v", cs[j.ID])
	}
	p := member(t, db, "paul.rateau")
	if p.Fullname != "Paul Rateau" || p.Domain != portfolio.DomainData || p.Github != "" {
		t.Errorf("paul.rateau after re-import: %+v; want what createMember wrote", p)
	}
	var objs []string
	for _, e := range importAudit(t, db) {
		objs = append(objs, e.ObjectType+" "+e.ObjectSlug)
	}
	if strings.Join(objs, ",") != "Member jeanne.pioche" {
		t.Errorf("import audit %v: want jeanne.pioche's change (its role and bio), paul.rateau's left as written", objs)
	}
}
