package sqlite_test

import (
	"context"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func TestReimportKeepsWhatWasRecorded(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	// A new committee, a change to an imported one, a new phase, a new mission.
	rec, err := db.RecordCommittee(admin, &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2024-01-10"),
		Decision: portfolio.DecisionContinue, Comment: "Poursuite, budget reconduit"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateCommittee(admin, "arrosoir/2023-05-20", 1, func(c *portfolio.Committee) error {
		c.Comment = "Passage en construction, avec réserves"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartPhase(admin, "arrosoir", nil, portfolio.PhaseAcceleration, portfolio.MustDate("2024-06-01")); err != nil {
		t.Fatal(err)
	}
	mission, err := db.AddMission(admin, &portfolio.Mission{MemberSlug: "jeanne.pioche", Start: portfolio.MustDate("2024-06-01"),
		Status: portfolio.StatusAdmin, Startups: []string{"arrosoir"}})
	if err != nil {
		t.Fatal(err)
	}

	res, err := db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.CommitteesBySlug(ctx, []string{rec.Slug, "arrosoir/2023-05-20"})
	if err != nil {
		t.Fatal(err)
	}
	if got[rec.Slug] == nil {
		t.Errorf("the re-import lost the recorded committee %s", rec.Slug)
	}
	if c := got["arrosoir/2023-05-20"]; c == nil || c.Comment != "Passage en construction, avec réserves" || c.Source != portfolio.SourceRecorded {
		t.Errorf("the re-import overwrote a committee changed through the API: %+v", c)
	}
	if kept := strings.Join(res.Kept, "\n"); !strings.Contains(kept, "arrosoir/2023-05-20") || !strings.Contains(kept, "ACCELERATION") {
		t.Errorf("the summary does not say where the snapshot disagrees:\n%s", kept)
	}
	s, err := db.StartupsBySlug(ctx, []string{"arrosoir"})
	if err != nil {
		t.Fatal(err)
	}
	phases, err := db.PhasesByStartup(ctx, []int64{s["arrosoir"].ID})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range phases[s["arrosoir"].ID] {
		names = append(names, string(p.Phase)+"@"+p.Start.String())
	}
	if want := "INVESTIGATION@2023-01-01 CONSTRUCTION@2023-06-01 ACCELERATION@2024-06-01"; strings.Join(names, " ") != want {
		t.Errorf("phases after re-import: %v, want %s", names, want)
	}
	ms, err := db.MissionsBySlug(ctx, []string{mission.Slug})
	if err != nil || ms[mission.Slug] == nil {
		t.Errorf("the re-import lost the recorded mission %s (%v)", mission.Slug, err)
	}
}

func TestWritesNeedRights(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	c := &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2024-01-10"), Decision: portfolio.DecisionContinue}
	tests := []struct {
		name string
		id   *portfolio.Identity
		want string
	}{
		{"anonymous", portfolio.Anonymous, portfolio.EUnauthenticated},
		{"viewer", &portfolio.Identity{Role: portfolio.RoleViewer}, portfolio.EForbidden},
		{"manager elsewhere", &portfolio.Identity{Role: portfolio.RoleManager, Incubators: []string{"cave"}}, portfolio.EForbidden},
		{"manager of serre", &portfolio.Identity{Role: portfolio.RoleManager, Incubators: []string{"serre"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			_, err := db.RecordCommittee(portfolio.WithIdentity(ctx, tt.id), &cc)
			if got := portfolio.ErrorCode(err); got != tt.want {
				t.Errorf("code %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
}
