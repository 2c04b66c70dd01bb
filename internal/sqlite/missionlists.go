package sqlite

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// missionListMask are the columns of a mission and its member (in
// missionSelection's mask) that the lists of migrations/0028 hold: a
// request that reads no other is answered from them.
const missionListMask = uint32(MissionStart|MissionEnd|MissionStatus|MissionEmployer) |
	uint32(MemberFullname|MemberRole|MemberDomain)<<memberShift

// missionEntry is a mission of a startup's list with its member.
type missionEntry struct {
	mi portfolio.Mission
	mb portfolio.Member
}

// missionEntries are the slices lists are cut into, kept between
// requests: a startup's list is cut whole before its entries are added
// (they may need sorting), and growing a slice to a hundred entries of
// both records costs more than the rest of the cutting.
var missionEntries = sync.Pool{New: func() any { return new([]missionEntry) }}

// missionsFromLists reads the missions of the startups ids from their
// lists (one row per startup) and gives each to add in the order of their
// ids, the order of MissionsByStartup's statement; reserve is told how
// many a startup has before they come.
func (db *DB) missionsFromLists(ctx context.Context, ids []int64, reserve func(startup int64, n int), add func(startup int64, mi *portfolio.Mission, mb *portfolio.Member)) error {
	pooled := missionEntries.Get().(*[]missionEntry)
	entries := *pooled
	defer func() {
		clear(entries) // the texts are parts of the statement's values
		*pooled = entries[:0]
		missionEntries.Put(pooled)
	}()
	return db.eachList(ctx, "mission_lists", "missions", ids, func(id int64, packed string) error {
		var err error
		if entries, err = unpackMissions(packed, entries[:0]); err != nil {
			return fmt.Errorf("missions of startup %d: %w", id, err)
		}
		reserve(id, len(entries))
		for i := range entries {
			add(id, &entries[i].mi, &entries[i].mb)
		}
		return nil
	})
}

// unpackMissions cuts a list of missions (migrations/0028) into its
// entries, appended to out, sorted by mission id. The texts are parts of
// packed, not copies.
func unpackMissions(packed string, out []missionEntry) ([]missionEntry, error) {
	bad := func() ([]missionEntry, error) {
		return out, fmt.Errorf("sqlite: mission list cut short: %.60q", packed)
	}
	rest := packed
	var v [11]string
	sorted := true
	for rest != "" {
		for k := range v {
			var ok bool
			if v[k], rest, ok = cutPacked(rest); !ok {
				return bad()
			}
		}
		mid, err1 := strconv.ParseInt(v[0], 10, 64)
		bid, err2 := strconv.ParseInt(v[6], 10, 64)
		if err1 != nil || err2 != nil {
			return bad()
		}
		out = append(out, missionEntry{
			mi: portfolio.Mission{ID: mid, Slug: v[1], Start: parseDate(v[2]), End: parseDate(v[3]),
				Status: portfolio.MissionStatus(v[4]), Employer: v[5]},
			mb: portfolio.Member{ID: bid, Slug: v[7], Fullname: v[8], Role: v[9], Domain: portfolio.Domain(v[10])},
		})
		if n := len(out); n > 1 && out[n-2].mi.ID > mid {
			sorted = false
		}
	}
	if !sorted {
		slices.SortFunc(out, func(a, b missionEntry) int { return cmp.Compare(a.mi.ID, b.mi.ID) })
	}
	return out, nil
}
