// Package model holds the GraphQL-only types that gqlgen generates from
// schema.graphqls (connections, edges, aggregates), and the few written here.
package model

import (
	"sync"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// Node is what the GraphQL Node interface binds to: any domain record that
// has a global id. The generated code picks the concrete type by type switch.
type Node any

// PhasePeriod is a startup's phase with its duration, which depends on the
// startup's other phases and the date of the question.
type PhasePeriod struct {
	portfolio.PhasePeriod
	DurationDays int
}

// Label returns the French label of the phase.
func (p *PhasePeriod) Label() string { return p.Phase.Label() }

// TeamMembership is a member on a startup's team at a date, through one
// mission.
type TeamMembership struct {
	Member  *portfolio.Member
	Mission *portfolio.Mission
}

// Role returns the member's role.
func (t *TeamMembership) Role() string { return t.Member.Role }

// Domain returns the member's domain.
func (t *TeamMembership) Domain() portfolio.Domain { return t.Member.Domain }

// Start returns the mission's start.
func (t *TeamMembership) Start() portfolio.Date { return t.Mission.Start }

// End returns the mission's end (zero when open-ended: null).
func (t *TeamMembership) End() portfolio.Date { return t.Mission.End }

// Status returns the mission's status ("" when the record gives none: null).
func (t *TeamMembership) Status() portfolio.MissionStatus { return t.Mission.Status }

// Portfolio is the question behind the dashboard aggregates: which startups,
// at which date. Each aggregate is resolved on its own, in SQL.
type Portfolio struct {
	Filter *portfolio.StartupFilter
	AsOf   portfolio.Date

	// teamOnce computes the team figures once for the three fields that
	// show them.
	teamOnce sync.Once
	team     *sqlite.TeamStats
	teamErr  error
}

// TeamStats returns the team figures of the portfolio, computing them with
// compute on first use.
func (p *Portfolio) TeamStats(compute func() (*sqlite.TeamStats, error)) (*sqlite.TeamStats, error) {
	p.teamOnce.Do(func() { p.team, p.teamErr = compute() })
	return p.team, p.teamErr
}

// IncubatorCount is a count of startups in one incubator.
type IncubatorCount struct {
	IncubatorSlug string
	Count         int
}

// OrganisationCount is a count of startups sponsored by one organisation.
type OrganisationCount struct {
	OrganisationSlug string
	Count            int
}
