package portfolio

// ListBounds are the longest lists the data holds, field by field: the most
// sponsors of a startup, the largest team a startup ever had on one day, the
// most startups of a member, and so on. A query's cost multiplies them down
// its tree, so that the cost bounds the number of values an answer can hold
// (a list whose length the schema caps, such as a connection's page, is
// counted by that cap instead). They are read from the data and refreshed
// when it changes; a zero bound counts as one.
type ListBounds struct {
	// Per startup.
	Sponsors    int // sponsors
	Phases      int // phases
	Team        int // team members on one day (overlapping missions of one member may count twice)
	Committees  int // committees
	Events      int // events
	Thematiques int // themes
	Usertypes   int // kinds of users
	Techno      int // technologies

	// Per startup and member, for a portfolio review.
	StartupIncubators int // incubators of a startup (the main one and those of a co-incubation)
	FormerSlugs       int // former slugs of a startup
	Managers          int // portfolio managers of a startup
	FollowedStartups  int // startups a member follows

	// Per committee, and for the agenda.
	Intrapreneurs  int // intrapreneurs a startup ever had (members of the INTRAPRENEURSHIP domain with a mission on it)
	Attendees      int // attendees of a committee
	CommitteeItems int // hypotheses, or success criteria, of a committee

	// Per incubator, organisation, team, member and mission.
	IncubatorTeams         int // teams of an incubator
	OrganisationIncubators int // incubators an organisation runs
	TeamMembers            int // members of a team
	MemberCompetences      int // skills of a member
	MemberStartups         int // startups of a member (missions and dateless lists)
	MemberTeams            int // teams a member lists
	MissionStartups        int // startups of a mission

	// Connections: a page holds no more than the list it pages through.
	IncubatorStartups int // startups of an incubator
	SponsorStartups   int // startups an organisation sponsors
	MemberMissions    int // missions of a member
	StartupMissions   int // missions on a startup

	// Whole-network counts, for root lists and the breakdowns of a
	// portfolio.
	Startups      int // startups
	Incubators    int // incubators
	Organisations int // organisations
	Members       int // members
	AllCommittees int // committees
	AuditEntries  int // audit-log entries
	ThemeLabels   int // distinct themes
	AllEvents     int // events of every startup, committees included
	Promotions    int // distinct FAST promotions

	// Rows that aggregates read, for the work of a request (graph's cost):
	// a breakdown of the members reads every mission, a timeline every
	// phase period.
	AllMissions int // missions
	AllPhases   int // phase periods

	// The rows of each relation: a list under a list of distinct parents
	// (every member's missions, every mission's startups) holds no more
	// elements in all than its relation has rows.
	AllMissionStartups int // (mission, startup) pairs
	AllSponsorLinks    int // (startup, sponsor) pairs
	AllTags            int // themes, kinds of users and technologies of every startup
	AllTeamMembers     int // (team, member) pairs
	AllCompetences     int // skills of every member
	AllMemberStartups  int // startups listed on members (dateless) and through missions
	AllContacts        int // (startup, portfolio manager) pairs
	AllRedirects       int // former slugs
	AllTeams           int // teams
	AllAttendees       int // attendees of every committee

	// The longest texts, in bytes: an answer holding one costs its length
	// (CostOfText), not one value.
	StartupText   int // a startup's description
	MemberText    int // a member's biography
	IncubatorText int // an incubator's description
}

// Bound returns n, or 1 when n is smaller: a list's bound is never taken as
// zero, so that a write that lengthens an empty list is still counted.
func Bound(n int) int {
	if n < 1 {
		return 1
	}
	return n
}

// ListCost is the cost of a list field of at most n elements, each costing
// child (its selection), plus one for the field itself; a list of scalars
// (child 0) costs one per value. It saturates instead of overflowing.
func ListCost(child, n int) int {
	n = Bound(n)
	child = max(child, 1)
	if child > MaxCost/n {
		return MaxCost
	}
	return min(1+n*child, MaxCost)
}

// MaxCost is where costs saturate: far above any limit a server sets.
const MaxCost = 1 << 40

// AddCost adds two costs, saturating at MaxCost; a negative one counts
// nothing.
func AddCost(a, b int) int {
	a, b = max(a, 0), max(b, 0)
	if a > MaxCost-b {
		return MaxCost
	}
	return a + b
}

// MulCost multiplies two costs, saturating at MaxCost; a negative one
// counts nothing.
func MulCost(a, b int) int {
	a, b = max(a, 0), max(b, 0)
	if a != 0 && b > MaxCost/a {
		return MaxCost
	}
	return a * b
}

// ScanCost is the cost of reading rows rows at perRow16 sixteenths of a
// unit each, rounded up.
func ScanCost(rows, perRow16 int) int {
	return (AddCost(MulCost(rows, perRow16), 15)) / 16
}

// CostOfText is what a text of at most n bytes adds to the cost of the
// value holding it: a unit per 192 bytes (reading, escaping and writing
// 18 KB of text take about a hundred microseconds, more on a busy
// machine).
func CostOfText(n int) int {
	return max(n, 0) / 192
}
