package sqlite

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// teamSweep bounds the team of a startup on one day by a sweep over its
// missions' starts and ends, a day's starts before its ends since a
// mission covers its last day (a member with two overlapping missions
// counts twice: still a bound). It is the costly part of the reading (0.3 s
// for the 10× seed's 47,000 missions).
const teamSweep = `(SELECT coalesce(max(run), 0) FROM (
   SELECT sum(delta) OVER (PARTITION BY sid ORDER BY d, delta DESC ROWS UNBOUNDED PRECEDING) AS run FROM (
     SELECT ms.startup_id AS sid, m.start AS d, 1 AS delta FROM mission_startups ms JOIN missions m ON m.id = ms.mission_id
     UNION ALL
     SELECT ms.startup_id, m."end", -1 FROM mission_startups ms JOIN missions m ON m.id = ms.mission_id WHERE m."end" IS NOT NULL)))`

// teamEver bounds the team of a startup on one day by its missions ever:
// looser than the sweep, read in milliseconds, for the first reading.
const teamEver = `(SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM mission_startups GROUP BY startup_id))`

// boundsSQL reads the longest list of each kind in one statement; %s is
// the team's bound (teamSweep or teamEver).
const boundsSQL = `SELECT
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM startup_sponsors GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM phases GROUP BY startup_id)),
 %s,
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM committees GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM events GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM startup_tags WHERE kind = 'thematique' GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM startup_tags WHERE kind = 'usertype' GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM startup_tags WHERE kind = 'techno' GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM teams WHERE incubator_id IS NOT NULL GROUP BY incubator_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM incubators WHERE owner_id IS NOT NULL GROUP BY owner_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM member_teams GROUP BY team_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM member_competences GROUP BY member_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT member_id, sum(c) c FROM (
   SELECT m.member_id, count(DISTINCT ms.startup_id) c FROM missions m JOIN mission_startups ms ON ms.mission_id = m.id GROUP BY m.member_id
   UNION ALL
   SELECT member_id, count(DISTINCT startup_id) FROM member_startups GROUP BY member_id) GROUP BY member_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM member_teams GROUP BY member_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM mission_startups GROUP BY mission_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM startups WHERE incubator_id IS NOT NULL GROUP BY incubator_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM startup_sponsors GROUP BY organisation_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM missions GROUP BY member_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM mission_startups GROUP BY startup_id)),
 (SELECT count(*) FROM startups),
 (SELECT count(*) FROM incubators),
 (SELECT count(*) FROM organisations),
 (SELECT count(*) FROM members),
 (SELECT count(*) FROM committees),
 (SELECT count(*) FROM audit_log),
 (SELECT count(DISTINCT label) FROM startup_tags WHERE kind = 'thematique'),
 (SELECT 1 + coalesce(max(c), 0) FROM (SELECT count(*) c FROM startup_incubators GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM startup_redirects GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM startup_contacts GROUP BY startup_id)),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(DISTINCT startup_id) c FROM startup_contacts GROUP BY member_slug)),
 (SELECT (SELECT count(*) FROM events WHERE name <> 'committee') + (SELECT count(*) FROM committees)),
 (SELECT count(DISTINCT coalesce(fast_promotion, -1)) FROM startups WHERE fast_promotion IS NOT NULL OR fast_amount IS NOT NULL),
 (SELECT count(*) FROM missions),
 (SELECT count(*) FROM phases),
 (SELECT coalesce(max(length(CAST(description AS BLOB))), 0) FROM startups),
 (SELECT coalesce(max(length(CAST(bio AS BLOB))), 0) FROM members),
 (SELECT coalesce(max(length(CAST(description AS BLOB))), 0) FROM incubators),
 (SELECT count(*) FROM mission_startups),
 (SELECT count(*) FROM startup_sponsors),
 (SELECT count(*) FROM startup_tags),
 (SELECT count(*) FROM member_teams),
 (SELECT count(*) FROM member_competences),
 (SELECT (SELECT count(*) FROM member_startups) + (SELECT count(*) FROM mission_startups)),
 (SELECT count(*) FROM startup_contacts),
 (SELECT count(*) FROM startup_redirects),
 (SELECT count(*) FROM teams),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(*) c FROM committee_attendees GROUP BY committee_id)),
 (SELECT coalesce(max(max(json_array_length(hypotheses)), max(json_array_length(success_criteria))), 0) FROM committees),
 (SELECT count(*) FROM committee_attendees),
 (SELECT coalesce(max(c), 0) FROM (SELECT count(DISTINCT mi.member_id) c FROM mission_startups ms JOIN missions mi ON mi.id = ms.mission_id
   JOIN members mb ON mb.id = mi.member_id WHERE mb.domain = 'INTRAPRENEURSHIP' GROUP BY ms.startup_id))`

// readBounds computes the list bounds of the data, the team's by the sweep
// when precise, else by the missions ever.
func (db *DB) readBounds(ctx context.Context, precise bool) (portfolio.ListBounds, error) {
	var b portfolio.ListBounds
	team := teamEver
	if precise {
		team = teamSweep
	}
	err := db.read.QueryRowContext(ctx, fmt.Sprintf(boundsSQL, team)).Scan(
		&b.Sponsors, &b.Phases, &b.Team, &b.Committees, &b.Events, &b.Thematiques, &b.Usertypes, &b.Techno,
		&b.IncubatorTeams, &b.OrganisationIncubators, &b.TeamMembers, &b.MemberCompetences, &b.MemberStartups,
		&b.MemberTeams, &b.MissionStartups, &b.IncubatorStartups, &b.SponsorStartups, &b.MemberMissions, &b.StartupMissions,
		&b.Startups, &b.Incubators, &b.Organisations, &b.Members, &b.AllCommittees, &b.AuditEntries, &b.ThemeLabels,
		&b.StartupIncubators, &b.FormerSlugs, &b.Managers, &b.FollowedStartups, &b.AllEvents, &b.Promotions,
		&b.AllMissions, &b.AllPhases, &b.StartupText, &b.MemberText, &b.IncubatorText,
		&b.AllMissionStartups, &b.AllSponsorLinks, &b.AllTags, &b.AllTeamMembers, &b.AllCompetences,
		&b.AllMemberStartups, &b.AllContacts, &b.AllRedirects, &b.AllTeams,
		&b.Attendees, &b.CommitteeItems, &b.AllAttendees, &b.Intrapreneurs)
	if err != nil {
		return b, fmt.Errorf("list bounds: %w", err)
	}
	return b, nil
}

// boundsCache keeps the list bounds with the data version they were read
// at.
type boundsCache struct {
	cur        atomic.Pointer[boundsAt]
	refreshing atomic.Bool
	mu         sync.Mutex // one synchronous first read at a time
}

type boundsAt struct {
	version string
	bounds  portfolio.ListBounds
	at      time.Time     // when the reading started
	took    time.Duration // how long the precise reading took (0: not precise)
}

// minRefresh is the least time between two readings of the bounds; a
// reading waits at least ten times as long as the last one took, so that
// frequent writes on a large network do not keep a core busy reading them.
const minRefresh = time.Second

// ListBounds returns the longest lists of the data (see
// portfolio.ListBounds). The first call reads them quickly (the team by the
// missions of a startup ever); later calls return the last reading at once
// and read them anew, precisely, in the background: right after the first
// call, then when the data has changed, at most every second or ten times
// as long as a reading takes (28 ms on the real network, 0.3 s at 10×). So
// a request never waits for it, and a bound may lag a few writes behind
// (a write lengthens a list by one), which the answer-size cap covers.
func (db *DB) ListBounds(ctx context.Context) (portfolio.ListBounds, error) {
	v, err := db.Version(ctx)
	if err != nil {
		return portfolio.ListBounds{}, err
	}
	if cur := db.bounds.cur.Load(); cur != nil {
		stale := cur.version != v || cur.took == 0
		if stale && time.Since(cur.at) >= max(minRefresh, 10*cur.took) && db.bounds.refreshing.CompareAndSwap(false, true) {
			go func() {
				defer db.bounds.refreshing.Store(false)
				db.refreshBounds(context.WithoutCancel(ctx), v) //nolint:errcheck // kept as they were on failure
			}()
		}
		return cur.bounds, nil
	}
	db.bounds.mu.Lock()
	defer db.bounds.mu.Unlock()
	if cur := db.bounds.cur.Load(); cur != nil {
		return cur.bounds, nil
	}
	// The first reading is the quick one; the precise one follows in the
	// background.
	b, err := db.readBounds(ctx, false)
	if err != nil {
		return b, err
	}
	db.bounds.cur.Store(&boundsAt{version: v, bounds: b})
	if db.bounds.refreshing.CompareAndSwap(false, true) {
		go func() {
			defer db.bounds.refreshing.Store(false)
			db.refreshBounds(context.WithoutCancel(ctx), v)
		}()
	}
	return b, nil
}

// ReadListBounds reads the list bounds precisely now, waiting for the
// reading, and keeps them as ListBounds would: for benchmarks and tools
// that must not measure the background reading alongside their own work.
func (db *DB) ReadListBounds(ctx context.Context) (portfolio.ListBounds, error) {
	v, err := db.Version(ctx)
	if err != nil {
		return portfolio.ListBounds{}, err
	}
	return db.refreshBounds(ctx, v)
}

// CachedListBounds returns the last bounds ListBounds read, without
// reading or refreshing them (zero before the first ListBounds).
func (db *DB) CachedListBounds() portfolio.ListBounds {
	if cur := db.bounds.cur.Load(); cur != nil {
		return cur.bounds
	}
	return portfolio.ListBounds{}
}

// refreshBounds reads the bounds anew; v is the data version they were
// asked for (the reading sees that version or a newer one).
// On failure the bounds are kept as they were; the next request tries again.
func (db *DB) refreshBounds(ctx context.Context, v string) (portfolio.ListBounds, error) {
	start := time.Now()
	b, err := db.readBounds(ctx, true)
	if err != nil {
		return b, err
	}
	db.bounds.cur.Store(&boundsAt{version: v, bounds: b, at: start, took: max(time.Since(start), time.Nanosecond)})
	return b, nil
}
