package portfolio

// Organisation is a public body: a startup's sponsor, an incubator's owner.
type Organisation struct {
	ID                 int64
	Slug               string
	Name               string
	Acronym            string
	Type               string // administration-centrale, operateur, service-deconcentre, …
	DomaineMinisteriel string
	Version            int64
}

// Incubator is a programme that hosts startups; an organisation owns it.
type Incubator struct {
	ID               int64
	Slug             string
	Title            string
	OwnerSlug        string // organisation slug, "" when unknown
	ShortDescription string
	Description      string // markdown body
	Contact          string
	Website          string
	Github           string
	Address          string
	Version          int64
}

// PhasePeriod is one phase of a startup's history. End is informative: the
// next phase's start is what moves a startup on.
type PhasePeriod struct {
	Phase   Phase
	Start   Date
	End     Date
	Source  Source
	Comment string `json:",omitempty"` // the record's comment on the phase
	// SourceName is the phase's name as the record wrote it when it is not
	// the phase's slug: an older archive's "alumni" mapped onto
	// PhaseAbandoned, the name of a PhaseUnknown period. "" otherwise
	// (Name gives the name either way).
	SourceName string `json:",omitempty"`
}

// Name returns the phase's name as the record wrote it: SourceName, else
// the phase's slug.
func (p PhasePeriod) Name() string {
	if p.SourceName != "" {
		return p.SourceName
	}
	return p.Phase.Slug()
}

// StartupEvent is a dated event of a startup's life (product_launch,
// national_impact, fast, end, committee, …).
type StartupEvent struct {
	Name    string
	Date    Date
	Comment string
	// StartupSlug and Committee are set on the events of the network's
	// feed (Query.events): the startup, and for a committee its record.
	StartupSlug string     `json:",omitempty"`
	Committee   *Committee `json:",omitempty"`
}

// Fast is a grant of the Fonds d'accélération des startups d'État.
type Fast struct {
	Promotion   int
	AmountEuros int64
}

// Committee is an investment committee: the steering body that, at least
// every six months, reviews a startup and decides what comes next.
type Committee struct {
	ID               int64
	Slug             string // startup slug, "/", date, and "-N" for a second one that day
	StartupSlug      string
	Date             Date
	Decision         Decision
	NextPhase        Phase // "" when none was decided
	BudgetEuros      *int64
	NextCommitteeDue Date
	Comment          string
	Source           Source
	Version          int64

	// The committee's life and content (issue 19): what a committee
	// recorded through the API holds besides its outcome. Imported
	// committees have none of it: they are HELD ("" reads as HELD).
	State               CommitteeState
	Ask                 *CommitteeAsk // nil when none was stated
	HypothesesList      []string      `json:"Hypotheses"`      // the hypotheses to test in the next period (Hypotheses)
	SuccessCriteriaList []string      `json:"SuccessCriteria"` // how the next committee will judge the period (SuccessCriteria)
	DocumentURL         string        // the presentation, an http(s) address
	// Attendees are who attended (HELD) or is expected (PLANNED). The
	// readers of committee lists leave it nil (a loader reads it when
	// asked); a write fills it, empty or not.
	Attendees []CommitteeAttendee
}

// Startup is a startup d'État or a product of the network.
type Startup struct {
	ID                  int64
	Slug                string
	Name                string
	Pitch               string // "mission" in the records
	Description         string // markdown body
	IncubatorSlug       string
	Sponsors            []string // organisation slugs
	Phases              []PhasePeriod
	Events              []StartupEvent
	Committees          []Committee
	Fast                *Fast
	Thematiques         []string
	Usertypes           []string
	Techno              []string
	Link                string
	Repository          string
	Contact             string
	AccessibilityStatus string
	StatsURL            string
	ImpactURL           string
	BudgetURL           string
	DashlordURL         string
	Version             int64

	// Quality markers, as the record gives them: nil when it says nothing.
	SecurityHomologation *bool  // mon_service_securise
	RiskAnalysis         *bool  // analyse_risques
	RiskAnalysisURL      string // analyse_risques_url
	Stats                *bool  // stats: the service has a /stats page at its link
	// CoIncubators are the incubators of a co-incubation (the record's
	// incubators list), besides IncubatorSlug, the main one.
	CoIncubators []string
	// RedirectFrom are the slugs the startup had before (redirect_from).
	RedirectFrom []string
	// ContactDINUM and ContactIncubator name the members (usernames) who
	// follow the startup for the DINUM and for its incubator.
	ContactDINUM     []string
	ContactIncubator []string
	// Listed are lists the record was read with, for the readers to use
	// rather than ask for them again; nil when it was read with none.
	Listed *StartupLists
}

// StartupLists are lists a startup's record was read with.
type StartupLists struct {
	Phases       []PhasePeriod   // without their details, by start (when PhasesRead)
	Sponsors     []*Organisation // in the record's order (when SponsorsRead)
	Incubator    *Incubator      // its id, slug and title only; nil for none (when IncubatorRead)
	PhasesRead   bool
	SponsorsRead bool
	// IncubatorRead is set only when the reader was told that no other
	// column of the incubator is needed.
	IncubatorRead bool
}

// Mission is a member's engagement over a period, possibly on startups.
type Mission struct {
	ID         int64
	Slug       string // member slug, "/", position in the member's record
	MemberSlug string
	Start      Date
	End        Date // zero when open-ended
	Status     MissionStatus
	Employer   string
	Startups   []string // startup slugs
	Source     Source
	Version    int64
}

// Member is a person of the network (an "author" in the records).
type Member struct {
	ID          int64
	Slug        string // username, the record's file name
	Fullname    string
	Role        string
	Domain      Domain
	Competences []string
	Github      string
	Link        string
	MemberType  string
	Bio         string // markdown: the record's body
	Version     int64
	Missions    []Mission
	Teams       []string // team slugs
	// LegacyStartups and PreviousStartups keep the older records' member-level
	// startup lists. They carry no dates, so they never count in a team at a
	// date; Member.startups shows them.
	LegacyStartups   []string
	PreviousStartups []string
}

// Team is a team of an incubator (animation, portfolio management, …).
type Team struct {
	ID            int64
	Slug          string
	Name          string
	Mission       string
	IncubatorSlug string
}

// PhaseDefinition is one of the network's phase records (label, order).
type PhaseDefinition struct {
	Phase            Phase
	Label            string
	Order            int
	ShortDescription string
}
