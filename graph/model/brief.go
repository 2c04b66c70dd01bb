package model

import "github.com/incubateurs/portfolio/internal/portfolio"

// CommitteeBrief is the brief of a startup's next investment committee
// (Startup.committeeBrief), computed whole by its resolver: its fields are
// values (graph/brief.go).
type CommitteeBrief struct {
	AsOf             portfolio.Date
	Since            *portfolio.Date
	SinceBasis       BriefSince
	LastCommittee    *portfolio.Committee
	PlannedCommittee *portfolio.Committee
	NextCommitteeDue *portfolio.Date
	ReviewStatus     *portfolio.ReviewStatus
	Phases           []*PhasePeriod
	TeamThen         *BriefTeam
	TeamNow          *BriefTeam
	Arrivals         []*TeamMembership
	Departures       []*TeamMembership
	Events           []*portfolio.StartupEvent
	Fast             *portfolio.Fast
	Checks           []*BriefCheck
}

// BriefTeam is a team on one day, counted for a brief.
type BriefTeam struct {
	Date          *portfolio.Date
	Size          int
	ByDomain      []*DomainCount
	ByStatus      []*StatusCount
	PublicAgents  *int
	Freelancers   *int
	Intrapreneurs []*portfolio.Member
}

// BriefCheck is one check of a brief with its verdict.
type BriefCheck struct {
	Check   BriefCheckKind
	Label   string
	Passed  *bool
	Verdict string
}
