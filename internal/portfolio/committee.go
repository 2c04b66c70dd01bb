package portfolio

import (
	"io"
	"net/url"
	"strings"
)

// The investment committee's life (issue 19): a committee is planned, then
// held or cancelled. Only a held committee counts in the rules (the last
// committee, the next one due, the review status, the flows, the decisions
// counted, the budgets summed): a planned committee moves nothing until it
// is held, a cancelled one never does.

// CommitteeState is where a committee stands in its life.
type CommitteeState string

// The states of a committee; the value is the GraphQL enum name.
const (
	CommitteePlanned   CommitteeState = "PLANNED"   // set for a day, not held yet
	CommitteeHeld      CommitteeState = "HELD"      // took place: its outcome is recorded
	CommitteeCancelled CommitteeState = "CANCELLED" // planned, then called off
)

// CommitteeStates lists the states in the order of a committee's life.
var CommitteeStates = []CommitteeState{CommitteePlanned, CommitteeHeld, CommitteeCancelled}

var committeeStateLabels = map[CommitteeState]string{
	CommitteePlanned:   "Prévu",
	CommitteeHeld:      "Tenu",
	CommitteeCancelled: "Annulé",
}

// Valid reports whether s is one of the states.
func (s CommitteeState) Valid() bool { _, ok := committeeStateLabels[s]; return ok }

// Label returns the French label of the state, « Prévu ».
func (s CommitteeState) Label() string { return committeeStateLabels[s] }

// MarshalGQL writes the state as a GraphQL enum value.
func (s CommitteeState) MarshalGQL(w io.Writer) { writeEnum(w, string(s)) }

// UnmarshalGQL reads a state from a GraphQL enum value.
func (s *CommitteeState) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "CommitteeState", func(x string) bool {
		ok := CommitteeState(x).Valid()
		if ok {
			*s = CommitteeState(x)
		}
		return ok
	})
}

// Held reports whether the committee took place: the only committees the
// rules count. No state reads as HELD (the records hold only committees
// that took place).
func (c *Committee) Held() bool { return c.State == "" || c.State == CommitteeHeld }

// StateOrHeld returns the committee's state, HELD when it has none.
func (c *Committee) StateOrHeld() CommitteeState {
	if c.State == "" {
		return CommitteeHeld
	}
	return c.State
}

// AttendeeRole is what an attendee of a committee comes as (the network's
// guide, « Préparer un comité d'investissement »).
type AttendeeRole string

// The roles of attendees; the value is the GraphQL enum name.
const (
	RoleIntrapreneur       AttendeeRole = "INTRAPRENEUR"        // the startup's intrapreneur (mandatory)
	RoleTeam               AttendeeRole = "TEAM"                // another member of the team
	RoleSponsor            AttendeeRole = "SPONSOR"             // the sponsor administration
	RoleIncubatorLead      AttendeeRole = "INCUBATOR_LEAD"      // the incubator's head
	RolePortfolioManager   AttendeeRole = "PORTFOLIO_MANAGER"   // a portfolio manager (DINUM, incubator)
	RoleDinumBoard         AttendeeRole = "DINUM_BOARD"         // a member of the DINUM's board, when the FAST co-finances
	RoleUserRepresentative AttendeeRole = "USER_REPRESENTATIVE" // someone speaking for the users
	RoleOther              AttendeeRole = "OTHER"
)

// AttendeeRoles lists the roles in the guide's order.
var AttendeeRoles = []AttendeeRole{RoleIntrapreneur, RoleTeam, RoleSponsor, RoleIncubatorLead, RolePortfolioManager,
	RoleDinumBoard, RoleUserRepresentative, RoleOther}

var attendeeRoleLabels = map[AttendeeRole]string{
	RoleIntrapreneur:       "Intrapreneur",
	RoleTeam:               "Équipe",
	RoleSponsor:            "Sponsor",
	RoleIncubatorLead:      "Direction de l'incubateur",
	RolePortfolioManager:   "Responsable de portefeuille",
	RoleDinumBoard:         "Comité de direction de la DINUM",
	RoleUserRepresentative: "Représentant des usagers",
	RoleOther:              "Autre",
}

// Valid reports whether r is one of the roles.
func (r AttendeeRole) Valid() bool { _, ok := attendeeRoleLabels[r]; return ok }

// Label returns the French label of the role, « Responsable de portefeuille ».
func (r AttendeeRole) Label() string { return attendeeRoleLabels[r] }

// MarshalGQL writes the role as a GraphQL enum value.
func (r AttendeeRole) MarshalGQL(w io.Writer) { writeEnum(w, string(r)) }

// UnmarshalGQL reads a role from a GraphQL enum value.
func (r *AttendeeRole) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "AttendeeRole", func(x string) bool {
		ok := AttendeeRole(x).Valid()
		if ok {
			*r = AttendeeRole(x)
		}
		return ok
	})
}

// CommitteeAttendee is someone at a committee: a member of the network, an
// organisation (a sponsor, the incubator's owner), or a person the records
// do not hold, by name; exactly one of the three.
type CommitteeAttendee struct {
	MemberSlug       string
	OrganisationSlug string
	Name             string
	Role             AttendeeRole
	Label            string // how the role is put, « Directrice du numérique »; optional
}

// OptName returns the attendee's name, or nil.
func (a *CommitteeAttendee) OptName() *string { return opt(&a.Name) }

// OptLabel returns the attendee's label, or nil.
func (a *CommitteeAttendee) OptLabel() *string { return opt(&a.Label) }

// CommitteeAsk is what a team asks of a committee for its next period: the
// team it needs, the budget envelope and over how many months.
type CommitteeAsk struct {
	TeamProfile   string // « 2 développeurs, 1 designer, un coach à mi-temps »
	EnvelopeEuros *int64
	Months        *int
}

// OptTeamProfile returns the team profile asked for, or nil.
func (a *CommitteeAsk) OptTeamProfile() *string { return opt(&a.TeamProfile) }

// Empty reports whether the ask states nothing.
func (a *CommitteeAsk) Empty() bool {
	return a == nil || (a.TeamProfile == "" && a.EnvelopeEuros == nil && a.Months == nil)
}

// Hypotheses returns the hypotheses, an empty list when none.
func (c *Committee) Hypotheses() []string { return orNone(c.HypothesesList) }

// SuccessCriteria returns the success criteria, an empty list when none.
func (c *Committee) SuccessCriteria() []string { return orNone(c.SuccessCriteriaList) }

func orNone(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}

// OptDocumentURL returns the presentation's address, or nil.
func (c *Committee) OptDocumentURL() *string { return opt(&c.DocumentURL) }

// Bounds on a committee's content.
const (
	MaxAskMonths   = 36 // the period an ask covers, in months
	MaxURLLength   = MaxTextLength
	MaxProfileText = MaxTextLength
)

// CheckURL checks an address a write sets: an absolute http or https URL
// with a host, on one line.
func CheckURL(field, s string) error {
	if err := checkText(field, s, MaxURLLength, false, TextLine); err != nil || s == "" {
		return err
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t") {
		return FieldErrorf(field, "%s %q is not an http(s) address (https://…)", field, s)
	}
	return nil
}

// validateContent checks what a committee holds besides its outcome: its
// ask, hypotheses, success criteria, presentation and attendees.
func (c *Committee) validateContent() error {
	if a := c.Ask; a != nil {
		if err := checkText("ask.teamProfile", a.TeamProfile, MaxProfileText, false, TextLine); err != nil {
			return err
		}
		if e := a.EnvelopeEuros; e != nil && (*e < 0 || *e > MaxBudgetEuros) {
			return FieldErrorf("ask.envelopeEuros", "ask.envelopeEuros must be between 0 and %d (got %d)", MaxBudgetEuros, *e)
		}
		if m := a.Months; m != nil && (*m < 1 || *m > MaxAskMonths) {
			return FieldErrorf("ask.months", "ask.months must be between 1 and %d (got %d)", MaxAskMonths, *m)
		}
	}
	for _, l := range []struct {
		name  string
		items []string
	}{{"hypotheses", c.HypothesesList}, {"successCriteria", c.SuccessCriteriaList}} {
		if len(l.items) > MaxListItems {
			return FieldErrorf(l.name, "%s has more than %d items", l.name, MaxListItems)
		}
		for _, it := range l.items {
			if err := checkText(l.name, it, MaxTextLength, true, TextProse); err != nil {
				return err
			}
		}
	}
	if err := CheckURL("documentUrl", c.DocumentURL); err != nil {
		return err
	}
	return ValidateAttendees(c.Attendees)
}

// ValidateAttendees checks a list of attendees: at most MaxListItems, each
// a member, an organisation or a name (exactly one), with a role, its name
// and label on one line, and none twice.
func ValidateAttendees(as []CommitteeAttendee) error {
	if len(as) > MaxListItems {
		return FieldErrorf("attendees", "attendees has more than %d items", MaxListItems)
	}
	seen := map[CommitteeAttendee]bool{}
	for _, a := range as {
		n := 0
		for _, s := range []string{a.MemberSlug, a.OrganisationSlug, a.Name} {
			if strings.TrimSpace(s) != "" {
				n++
			}
		}
		if n != 1 {
			return FieldErrorf("attendees", "an attendee is a member, an organisation or a name: exactly one of them (got %d)", n)
		}
		if !a.Role.Valid() {
			return FieldErrorf("attendees", "an attendee's role is required (%q is not a role)", a.Role)
		}
		if err := checkText("attendees.name", a.Name, MaxNameLength, false, TextLine); err != nil {
			return err
		}
		if err := checkText("attendees.label", a.Label, MaxNameLength, false, TextLine); err != nil {
			return err
		}
		key := a
		key.Label, key.Name = "", strings.ToLower(strings.TrimSpace(a.Name))
		if seen[key] {
			return FieldErrorf("attendees", "%s is listed twice as %s", a.who(), a.Role)
		}
		seen[key] = true
	}
	return nil
}

// who names an attendee in a message.
func (a CommitteeAttendee) who() string {
	switch {
	case a.MemberSlug != "":
		return "member " + a.MemberSlug
	case a.OrganisationSlug != "":
		return "organisation " + a.OrganisationSlug
	}
	return "« " + a.Name + " »"
}

// validateNoOutcome refuses the outcome fields on a committee that was not
// held: a planned committee has no decision yet, a cancelled one never will.
func (c *Committee) validateNoOutcome() error {
	what := "a planned committee has no outcome yet: holdCommittee records it"
	if c.State == CommitteeCancelled {
		what = "a cancelled committee has no outcome"
	}
	switch {
	case c.Decision != DecisionUnspecified && c.Decision != "":
		return FieldErrorf("decision", "%s (decision %s)", what, c.Decision)
	case c.NextPhase != "":
		return FieldErrorf("nextPhase", "%s (nextPhase %s)", what, c.NextPhase)
	case c.BudgetEuros != nil:
		return FieldErrorf("budgetEuros", "%s (budgetEuros)", what)
	case !c.NextCommitteeDue.IsZero():
		return FieldErrorf("nextCommitteeDue", "%s (nextCommitteeDue)", what)
	}
	return nil
}
