package sqlite

import (
	"context"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestMissionWithoutStart checks the mission no store holds: one without a
// start covers no day (OnMissionAt), which the SQL of the team, reading
// start <= D from a column that is never null, could not say (it stored an empty start
// and counted the member on every day); so a load refuses it (the importer
// skips such a mission and reports it).
func TestMissionWithoutStart(t *testing.T) {
	m := portfolio.Mission{Slug: "sans-debut/1", MemberSlug: "sans-debut", End: portfolio.MustDate("2026-12-31")}
	if portfolio.OnMissionAt(&m, portfolio.MustDate("2026-08-20")) {
		t.Error("a mission without a start covers a day")
	}
	db := openMemoryDB(t)
	_, err := db.Load(context.Background(), LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		return s.PutMember(context.Background(), &portfolio.Member{Slug: "sans-debut", Fullname: "Sans début", Missions: []portfolio.Mission{m}})
	})
	if portfolio.ErrorCode(err) != portfolio.EInvalid {
		t.Errorf("loading a mission without a start: %v, want an %s error", err, portfolio.EInvalid)
	}
}
