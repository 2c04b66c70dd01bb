package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestListBounds checks the bounds read from a small network whose longest
// lists are known: a startup with three missions of which two cover one
// day (a mission covers its last day), a member on three startups.
func TestListBounds(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := func(s string) portfolio.Date {
		v, err := portfolio.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	_, err = db.Load(ctx, LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		for _, o := range []string{"o1", "o2", "o3"} {
			if err := s.PutOrganisation(ctx, &portfolio.Organisation{Slug: o, Name: o}); err != nil {
				return err
			}
		}
		if err := s.PutIncubator(ctx, &portfolio.Incubator{Slug: "inc", Title: "Inc"}); err != nil {
			return err
		}
		for _, st := range []*portfolio.Startup{
			{Slug: "a", Name: "A", IncubatorSlug: "inc", Sponsors: []string{"o1", "o2", "o3"}, Thematiques: []string{"x", "y"}},
			{Slug: "b", Name: "B", IncubatorSlug: "inc", Sponsors: []string{"o1"}, Thematiques: []string{"y", "z"}},
			{Slug: "c", Name: "C"},
		} {
			if err := s.PutStartup(ctx, st); err != nil {
				return err
			}
		}
		for _, m := range []*portfolio.Member{
			{Slug: "m1", Fullname: "M1", Domain: portfolio.DomainDevelopment, Missions: []portfolio.Mission{
				{Slug: "m1/1", MemberSlug: "m1", Start: d("2024-01-01"), End: d("2024-01-31"), Startups: []string{"a", "b", "c"}},
			}},
			{Slug: "m2", Fullname: "M2", Domain: portfolio.DomainDevelopment, Missions: []portfolio.Mission{
				{Slug: "m2/1", MemberSlug: "m2", Start: d("2024-01-31"), End: d("2024-02-10"), Startups: []string{"a"}},
				{Slug: "m2/2", MemberSlug: "m2", Start: d("2024-02-11"), Startups: []string{"a"}},
			}},
		} {
			if err := s.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	quick, err := db.ListBounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The quick reading bounds the team by the missions ever: 3 on a.
	if quick.Team != 3 {
		t.Errorf("quick team bound %d, want 3 (a's missions ever)", quick.Team)
	}
	// The precise one (ListBounds starts it in the background; read here
	// at once) finds 2 people on a on 2024-01-31 and never 3, and is what
	// ListBounds answers from then on.
	if _, err := db.ReadListBounds(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := db.ListBounds(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := portfolio.ListBounds{
		Sponsors: 3, Phases: 0, Team: 2, Thematiques: 2, StartupIncubators: 1, MissionStartups: 3, MemberMissions: 2, StartupMissions: 3,
		MemberStartups: 3, IncubatorStartups: 2, SponsorStartups: 2, Startups: 3, Incubators: 1, Organisations: 3,
		Members: 2, ThemeLabels: 3,
		// The relations' rows: m1/1, m2/1, m2/2; their 3 + 1 + 1
		// startups; a's 3 sponsors and b's 1; a's 2 themes and b's 2.
		AllMissions: 3, AllMissionStartups: 5, AllMemberStartups: 5, AllSponsorLinks: 4, AllTags: 4,
	}
	if b != want {
		t.Errorf("bounds\n %+v\nwant\n %+v", b, want)
	}
}
