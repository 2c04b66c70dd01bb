package portfolio

import "io"

// The committee agenda (Query.committeeAgenda): the committees planned in a
// window of days and the committees due in it that nobody planned, each
// with who should attend by the records and which roles the records leave
// empty.

// AgendaState says what an entry of the agenda is.
type AgendaState string

// The states of an agenda entry; the value is the GraphQL enum name.
const (
	AgendaPlanned AgendaState = "PLANNED" // a committee planned that day
	AgendaDue     AgendaState = "DUE"     // the next committee falls due that day and none is planned
)

var agendaStateLabels = map[AgendaState]string{
	AgendaPlanned: "Prévu",
	AgendaDue:     "À planifier",
}

// Valid reports whether s is one of the states.
func (s AgendaState) Valid() bool { _, ok := agendaStateLabels[s]; return ok }

// Label returns the French label of the state.
func (s AgendaState) Label() string { return agendaStateLabels[s] }

// MarshalGQL writes the state as a GraphQL enum value.
func (s AgendaState) MarshalGQL(w io.Writer) { writeEnum(w, string(s)) }

// UnmarshalGQL reads a state from a GraphQL enum value.
func (s *AgendaState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "AgendaState", func(x string) bool {
		ok := AgendaState(x).Valid()
		if ok {
			*s = AgendaState(x)
		}
		return ok
	})
}

// CommitteeAgendaEntry is one line of the agenda: a startup and a day, with where
// the startup stands seen from the window's first day.
type CommitteeAgendaEntry struct {
	StartupID   int64
	StartupSlug string
	// Date is the planned committee's day, or the day the next committee
	// falls due; for a startup overdue at the window's first day, a day
	// before the window.
	Date          Date
	State         AgendaState
	CommitteeSlug string // the planned committee, "" for a DUE entry
	// ReviewStatus and NextCommitteeDue are the startup's at the window's
	// first day (ReviewStatusAt, NextCommitteeDueAt).
	ReviewStatus     ReviewStatus
	NextCommitteeDue Date
	// AttendeesAsOf is the day the expected attendees are read at: Date,
	// or the window's first day when Date is before it (a committee
	// overdue can be held no earlier).
	AttendeesAsOf Date
}

// MissingRole is a role of a committee that the records leave empty, with
// the French phrase a person reads (« aucun intrapreneur en mission »).
type MissingRole struct {
	Role  AttendeeRole
	Label string
}

// The phrases of the roles the records leave empty.
const (
	MissingIntrapreneur = "aucun intrapreneur en mission"
	MissingSponsor      = "aucun sponsor désigné"
	MissingIncubator    = "aucun incubateur"
	MissingIncubatorOrg = "incubateur sans organisation porteuse"
	MissingManager      = "aucun responsable de portefeuille désigné"
)

// DinumSlug is the slug of the DINUM's organisation in the network's
// records: a member of its board sits at the committee of a startup the
// FAST co-finances.
const DinumSlug = "dinum"

// AgendaRecords is what the records say of a startup on the day of a
// committee, as ExpectedAttendees reads it.
type AgendaRecords struct {
	Intrapreneurs  []string // members who are intrapreneurs of the startup that day (IntrapreneurAt)
	Sponsors       []string // the sponsor organisations
	Incubator      string   // the incubator's slug; "" for none
	IncubatorOwner string   // the organisation that runs it; "" for none
	Managers       []string // the portfolio managers (members)
	Fast           bool     // the startup has a FAST grant: the FAST co-finances it
	Dinum          string   // the DINUM's organisation when the records hold it (DinumSlug), else ""
}

// ExpectedAttendees returns who should attend a startup's committee by the
// records (the network's guide: the intrapreneur, the sponsor, the
// incubator's head, the portfolio managers, and a member of the DINUM's
// board when the FAST co-finances), in that order, and the roles among
// the first four that the records leave empty. The incubator's head is
// its owner organisation; the DINUM's seat is its organisation, or the
// name « DINUM » when the records do not hold it.
func ExpectedAttendees(r AgendaRecords) ([]CommitteeAttendee, []MissingRole) {
	out := []CommitteeAttendee{}
	var missing []MissingRole
	add := func(role AttendeeRole, members, orgs []string, none string) {
		for _, m := range members {
			out = append(out, CommitteeAttendee{MemberSlug: m, Role: role})
		}
		for _, o := range orgs {
			out = append(out, CommitteeAttendee{OrganisationSlug: o, Role: role})
		}
		if len(members)+len(orgs) == 0 && none != "" {
			missing = append(missing, MissingRole{Role: role, Label: none})
		}
	}
	add(RoleIntrapreneur, r.Intrapreneurs, nil, MissingIntrapreneur)
	add(RoleSponsor, nil, r.Sponsors, MissingSponsor)
	switch {
	case r.Incubator == "":
		add(RoleIncubatorLead, nil, nil, MissingIncubator)
	case r.IncubatorOwner == "":
		add(RoleIncubatorLead, nil, nil, MissingIncubatorOrg)
	default:
		add(RoleIncubatorLead, nil, []string{r.IncubatorOwner}, "")
	}
	add(RolePortfolioManager, r.Managers, nil, MissingManager)
	if r.Fast {
		if r.Dinum != "" {
			out = append(out, CommitteeAttendee{OrganisationSlug: r.Dinum, Role: RoleDinumBoard})
		} else {
			out = append(out, CommitteeAttendee{Name: "DINUM", Role: RoleDinumBoard})
		}
	}
	return out, missing
}
