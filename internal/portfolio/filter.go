package portfolio

import "io"

// StartupFilter selects startups. Conditions set on one filter must all
// hold; a list condition holds when any of its values matches; And, Or and
// Not compose filters. Time-dependent conditions (Phases, Active,
// CommitteeOverdue and the dated review conditions) are evaluated at the
// date of the enclosing query.
// A nil field is no condition; an empty list matches nothing.
type StartupFilter struct {
	And              []*StartupFilter
	Or               []*StartupFilter
	Not              *StartupFilter
	Slugs            []string
	Incubators       []string // incubator slugs
	Sponsors         []string // organisation slugs
	Phases           []Phase  // phase at the date
	Active           *bool    // in an active phase at the date
	Thematiques      []string
	Usertypes        []string
	Techno           []string
	Search           *string // words of the name or pitch, accents and case ignored
	CommitteeOverdue *bool   // overdue at the date by the deprecated rule (OverdueAt)
	// The conditions of a portfolio review (review.go).
	ReviewConditions
}

// MemberFilter selects members; it composes like StartupFilter. Startups,
// Incubators and Statuses look at the missions covering the date of the
// enclosing query.
type MemberFilter struct {
	And        []*MemberFilter
	Or         []*MemberFilter
	Not        *MemberFilter
	Slugs      []string
	Domains    []Domain
	Statuses   []MissionStatus // status of a mission covering the date
	Active     *bool           // has a mission covering the date
	Startups   []string        // on the team of one of these startups at the date
	Incubators []string        // on the team of a startup of one of these incubators at the date
	Search     *string         // words of the full name, accents and case ignored
}

// CommitteeFilter selects investment committees; it composes like
// StartupFilter.
type CommitteeFilter struct {
	And        []*CommitteeFilter
	Or         []*CommitteeFilter
	Not        *CommitteeFilter
	Startups   []string // startup slugs
	Incubators []string // incubator slugs of the startups
	Decisions  []Decision
	Sources    []Source
	States     []CommitteeState // PLANNED, HELD, CANCELLED
	From       *Date            // on or after
	To         *Date            // on or before
}

// OrderDirection is the direction of an ordering.
type OrderDirection string

// The directions of orderings.
const (
	Asc  OrderDirection = "ASC"
	Desc OrderDirection = "DESC"
)

// StartupOrderField is what startups can be ordered by.
type StartupOrderField string

// The orderings of startups. Ties are always broken by slug, ascending.
const (
	StartupOrderName          StartupOrderField = "NAME"
	StartupOrderPhaseStart    StartupOrderField = "PHASE_START"    // start of the phase at the date
	StartupOrderLastCommittee StartupOrderField = "LAST_COMMITTEE" // last committee on or before the date
	StartupOrderTeamSize      StartupOrderField = "TEAM_SIZE"      // team at the date
	StartupOrderSlug          StartupOrderField = "SLUG"
	StartupOrderFastAmount    StartupOrderField = "FAST_AMOUNT"        // the FAST grant's amount
	StartupOrderNextDue       StartupOrderField = "NEXT_COMMITTEE_DUE" // next committee due at the date
	// StartupOrderReviewStatus orders by review status at the date, in
	// the order of ReviewStatuses (late first), not in incubation last.
	StartupOrderReviewStatus   StartupOrderField = "REVIEW_STATUS"
	StartupOrderIncubatedSince StartupOrderField = "INCUBATED_SINCE" // the earliest phase start
)

// StartupOrder is one key of an ordering of startups.
type StartupOrder struct {
	Field     StartupOrderField
	Direction OrderDirection
}

// MemberOrderField is what members can be ordered by.
type MemberOrderField string

// The orderings of members. Ties are broken by slug.
const (
	MemberOrderName         MemberOrderField = "NAME"
	MemberOrderSlug         MemberOrderField = "SLUG"
	MemberOrderFirstMission MemberOrderField = "FIRST_MISSION"
)

// MemberOrder is one key of an ordering of members.
type MemberOrder struct {
	Field     MemberOrderField
	Direction OrderDirection
}

// CommitteeOrderField is what committees can be ordered by.
type CommitteeOrderField string

// The orderings of committees. Ties are broken by slug.
const (
	CommitteeOrderDate    CommitteeOrderField = "DATE"
	CommitteeOrderStartup CommitteeOrderField = "STARTUP"
)

// CommitteeOrder is one key of an ordering of committees.
type CommitteeOrder struct {
	Field     CommitteeOrderField
	Direction OrderDirection
}

// Every is the step of a timeline.
type Every string

// The steps of timelines.
const (
	EveryMonth   Every = "MONTH"
	EveryQuarter Every = "QUARTER"
	EveryYear    Every = "YEAR"
	EveryWeek    Every = "WEEK"
	EveryDay     Every = "DAY"
)

// MaxTimelinePoints bounds the number of points of a timeline.
const MaxTimelinePoints = 400

// TimelineDates returns the dates of a timeline from from to to (both
// included when they fall on a step) every step.
func TimelineDates(from, to Date, every Every) ([]Date, error) {
	if to < from {
		return nil, FieldErrorf("to", "to (%s) is before from (%s)", to, from)
	}
	if !every.valid() {
		return nil, FieldErrorf("every", "unknown step %q", every)
	}
	var out []Date
	for i := 0; ; i++ {
		d := every.Step(from, i)
		if d > to {
			break
		}
		if len(out) == MaxTimelinePoints {
			return nil, FieldErrorf("to", "a timeline has at most %d points: shorten the range or take a longer step", MaxTimelinePoints)
		}
		out = append(out, d)
	}
	return out, nil
}

func validIn[T ~string](v T, all ...T) bool {
	for _, a := range all {
		if v == a {
			return true
		}
	}
	return false
}

// MarshalGQL writes the direction as a GraphQL enum value.
func (d OrderDirection) MarshalGQL(w io.Writer) { writeEnum(w, string(d)) }

// UnmarshalGQL reads a direction from a GraphQL enum value.
func (d *OrderDirection) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "OrderDirection", func(s string) bool {
		ok := validIn(OrderDirection(s), Asc, Desc)
		if ok {
			*d = OrderDirection(s)
		}
		return ok
	})
}

// MarshalGQL writes the field as a GraphQL enum value.
func (f StartupOrderField) MarshalGQL(w io.Writer) { writeEnum(w, string(f)) }

// UnmarshalGQL reads the field from a GraphQL enum value.
func (f *StartupOrderField) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "StartupOrderField", func(s string) bool {
		ok := validIn(StartupOrderField(s), StartupOrderName, StartupOrderSlug, StartupOrderPhaseStart, StartupOrderLastCommittee, StartupOrderTeamSize,
			StartupOrderFastAmount, StartupOrderNextDue, StartupOrderReviewStatus, StartupOrderIncubatedSince)
		if ok {
			*f = StartupOrderField(s)
		}
		return ok
	})
}

// MarshalGQL writes the field as a GraphQL enum value.
func (f MemberOrderField) MarshalGQL(w io.Writer) { writeEnum(w, string(f)) }

// UnmarshalGQL reads the field from a GraphQL enum value.
func (f *MemberOrderField) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "MemberOrderField", func(s string) bool {
		ok := validIn(MemberOrderField(s), MemberOrderName, MemberOrderSlug, MemberOrderFirstMission)
		if ok {
			*f = MemberOrderField(s)
		}
		return ok
	})
}

// MarshalGQL writes the field as a GraphQL enum value.
func (f CommitteeOrderField) MarshalGQL(w io.Writer) { writeEnum(w, string(f)) }

// UnmarshalGQL reads the field from a GraphQL enum value.
func (f *CommitteeOrderField) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "CommitteeOrderField", func(s string) bool {
		ok := validIn(CommitteeOrderField(s), CommitteeOrderDate, CommitteeOrderStartup)
		if ok {
			*f = CommitteeOrderField(s)
		}
		return ok
	})
}

// MarshalGQL writes the step as a GraphQL enum value.
func (e Every) MarshalGQL(w io.Writer) { writeEnum(w, string(e)) }

// UnmarshalGQL reads the step from a GraphQL enum value.
func (e *Every) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "Every", func(s string) bool {
		ok := Every(s).valid()
		if ok {
			*e = Every(s)
		}
		return ok
	})
}
