package betagouv

import (
	"context"
	"fmt"
	"slices"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// WriteTo hands the snapshot's records to sink in dependency order: phase
// definitions, organisations, incubators, teams, startups (with their
// phases, events and committees), then members (with their missions). It
// stops at the first error, or when ctx is done.
func (s *Snapshot) WriteTo(ctx context.Context, sink portfolio.Sink) error {
	for i := range s.PhaseDefinitions {
		if err := put(ctx, "phase definition", s.PhaseDefinitions[i].Phase.Slug(), &s.PhaseDefinitions[i], sink.PutPhaseDefinition); err != nil {
			return err
		}
	}
	for i := range s.Organisations {
		if err := put(ctx, "organisation", s.Organisations[i].Slug, &s.Organisations[i], sink.PutOrganisation); err != nil {
			return err
		}
	}
	for i := range s.Incubators {
		if err := put(ctx, "incubator", s.Incubators[i].Slug, &s.Incubators[i], sink.PutIncubator); err != nil {
			return err
		}
	}
	for i := range s.Teams {
		if err := put(ctx, "team", s.Teams[i].Slug, &s.Teams[i], sink.PutTeam); err != nil {
			return err
		}
	}
	for i := range s.Startups {
		if err := put(ctx, "startup", s.Startups[i].Slug, &s.Startups[i], sink.PutStartup); err != nil {
			return err
		}
	}
	for i := range s.Members {
		if err := put(ctx, "member", s.Members[i].Slug, &s.Members[i], sink.PutMember); err != nil {
			return err
		}
	}
	return nil
}

func put[T any](ctx context.Context, noun, slug string, v *T, f func(context.Context, *T) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("betagouv: write: %w", err)
	}
	if err := f(ctx, v); err != nil {
		return fmt.Errorf("betagouv: write %s %q: %w", noun, slug, err)
	}
	return nil
}

// Counts returns the number of records of each kind in the snapshot, under
// the keys "organisations", "incubators", "teams", "startups", "members",
// "missions" (of all members), "phases" (the phase periods of all
// startups), "committees", "events" (of all startups, committee events
// included) and "phaseDefinitions".
func (s *Snapshot) Counts() map[string]int {
	c := map[string]int{
		"organisations":    len(s.Organisations),
		"incubators":       len(s.Incubators),
		"teams":            len(s.Teams),
		"startups":         len(s.Startups),
		"members":          len(s.Members),
		"missions":         0,
		"phases":           0,
		"committees":       0,
		"events":           0,
		"phaseDefinitions": len(s.PhaseDefinitions),
	}
	for i := range s.Startups {
		c["phases"] += len(s.Startups[i].Phases)
		c["committees"] += len(s.Startups[i].Committees)
		c["events"] += len(s.Startups[i].Events)
	}
	for i := range s.Members {
		c["missions"] += len(s.Members[i].Missions)
	}
	return c
}

// RecordsDate dates the snapshot from its records, for a folder that
// carries no other date (a synced repository is dated by its commit): the
// newest date on or before limit (the import's day) among the phase
// starts, the events (committees included) and the mission starts, once
// the newest thousandth of those dates is set aside. Records hold a few
// dates ahead of the day they were written (a mission planned for next
// month, a committee booked, a typo in the year): the 2026-08-20
// snapshot imported in December holds a committee of 2026-11-12, and is
// dated 2026-08-24 once its thousandth is set aside (2026-08-14 when
// imported on 2026-08-20). A snapshot with fewer than a thousand dates
// keeps them all. It returns the zero
// Date when the records hold no date on or before limit.
func (s *Snapshot) RecordsDate(limit portfolio.Date) portfolio.Date {
	var dates []portfolio.Date
	add := func(d portfolio.Date) {
		if !d.IsZero() && d <= limit {
			dates = append(dates, d)
		}
	}
	for i := range s.Startups {
		st := &s.Startups[i]
		for _, p := range st.Phases {
			add(p.Start)
		}
		for _, e := range st.Events {
			add(e.Date)
		}
	}
	for i := range s.Members {
		for _, m := range s.Members[i].Missions {
			add(m.Start)
		}
	}
	if len(dates) == 0 {
		return 0
	}
	slices.Sort(dates)
	return dates[len(dates)-1-len(dates)/1000]
}
