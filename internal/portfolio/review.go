package portfolio

import (
	"io"
	"strings"
)

// The rules of a portfolio review: money (FAST grants, committee budgets),
// quality markers, who follows whom, when the next committee is due, and
// the flows of a period (DESIGN.md, "Semantics").

// ReviewConditions are the conditions of StartupFilter that a portfolio
// review asks: FAST grants, quality markers, portfolio managers and
// committees due. Like the others, a nil field is no condition and an
// empty list matches nothing.
type ReviewConditions struct {
	Fast           *bool // has (true) or has not (false) a FAST grant
	FastPromotions []int // the FAST grant is of one of these promotions
	HasStatsURL    *bool // has a public statistics page (StatsPage)
	HasImpactURL   *bool // has an impact page
	HasBudgetURL   *bool // has a budget page
	HasDashlordURL *bool // has a DashLord page
	// SecurityHomologation and RiskAnalysis: true selects the startups
	// whose record says yes; false those whose record says no or nothing.
	SecurityHomologation *bool
	RiskAnalysis         *bool
	// Accessibility selects by compliance; a nil item selects the startups
	// whose compliance is unknown.
	Accessibility     []*Accessibility
	PortfolioManagers []string   // followed by one of these members (usernames)
	NeverReviewed     *bool      // no committee on or before the date (true), or at least one (false)
	NextCommitteeDue  *DateRange // active at the date, next committee due in the range
}

// TimeDependent reports whether the conditions are evaluated at a date
// (neverReviewed, nextCommitteeDue).
func (c *ReviewConditions) TimeDependent() bool {
	return c.NeverReviewed != nil || c.NextCommitteeDue != nil
}

// DateRange is a range of days, both ends included; a nil end is open.
type DateRange struct {
	From *Date
	To   *Date
}

// Check reports a range whose end comes before its start, naming field.
func (r *DateRange) Check(field string) error {
	if r != nil && r.From != nil && r.To != nil && *r.To < *r.From {
		return FieldErrorf(field, "%s: to (%s) is before from (%s)", field, *r.To, *r.From)
	}
	return nil
}

// ---------------------------------------------------------------- quality

// Accessibility is how far a service complies with the accessibility rules
// (RGAA), as its record's accessibility_status says.
type Accessibility string

// The accessibility statuses; the value is the GraphQL enum name.
const (
	AccessibilityNone    Accessibility = "NOT_COMPLIANT"       // « non conforme »
	AccessibilityPartial Accessibility = "PARTIALLY_COMPLIANT" // « partiellement conforme »
	AccessibilityFull    Accessibility = "FULLY_COMPLIANT"     // « totalement conforme »
)

// Accessibilities lists the statuses, least compliant first.
var Accessibilities = []Accessibility{AccessibilityNone, AccessibilityPartial, AccessibilityFull}

var accessibilityLabels = map[Accessibility]string{
	AccessibilityNone:    "non conforme",
	AccessibilityPartial: "partiellement conforme",
	AccessibilityFull:    "totalement conforme",
}

// AccessibilityOf maps the text of a record's accessibility_status to its
// status (case, accents and spacing ignored), or nil when it is empty or
// none of the three.
func AccessibilityOf(status string) *Accessibility {
	k := strings.Join(strings.Fields(Fold(status)), " ")
	for _, a := range Accessibilities {
		if k == accessibilityLabels[a] {
			return &a
		}
	}
	return nil
}

// Valid reports whether a is one of the known statuses.
func (a Accessibility) Valid() bool { _, ok := accessibilityLabels[a]; return ok }

// Label returns the French label of the status, « Partiellement conforme ».
func (a Accessibility) Label() string {
	l := accessibilityLabels[a]
	if l == "" {
		return ""
	}
	return strings.ToUpper(l[:1]) + l[1:]
}

// MarshalGQL writes the status as a GraphQL enum value.
func (a Accessibility) MarshalGQL(w io.Writer) { writeEnum(w, string(a)) }

// UnmarshalGQL reads a status from a GraphQL enum value.
func (a *Accessibility) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "Accessibility", func(s string) bool {
		ok := Accessibility(s).Valid()
		if ok {
			*a = Accessibility(s)
		}
		return ok
	})
}

// Accessibility returns the startup's accessibility status, read from its
// accessibility_status, or nil when unknown.
func (s *Startup) Accessibility() *Accessibility { return AccessibilityOf(s.AccessibilityStatus) }

// StatsPage returns the public statistics page of a service as the network
// computes it: its stats_url, else its link followed by /stats when its
// record says stats: true (the link's query and fragment, such as
// ?utm_source=…, left out); "" when neither.
func StatsPage(statsURL, link string, stats *bool) string {
	if statsURL != "" {
		return statsURL
	}
	if stats == nil || !*stats || link == "" {
		return ""
	}
	if i := strings.IndexAny(link, "?#"); i >= 0 {
		link = link[:i]
	}
	return strings.TrimRight(link, "/") + "/stats"
}

// ---------------------------------------------------------------- who follows whom

// PortfolioManagers returns the members who follow a startup: those of
// contact_dinum, then those of contact_incubator, each once.
func PortfolioManagers(dinum, incubator []string) []string {
	var out []string
	for _, list := range [][]string{dinum, incubator} {
		for _, m := range list {
			if m != "" && !contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}

// PortfolioManagerSlugs returns the members who follow the startup.
func (s *Startup) PortfolioManagerSlugs() []string {
	return PortfolioManagers(s.ContactDINUM, s.ContactIncubator)
}

// IncubatorSlugs returns every incubator of the startup: the main one
// first, then those of a co-incubation, each once.
func (s *Startup) IncubatorSlugs() []string {
	return PortfolioManagers([]string{s.IncubatorSlug}, s.CoIncubators)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- committees due

// NextCommitteeDueAt returns when a startup's next investment committee is
// due as seen at d: the date its last committee on or before d recorded
// (nextCommitteeDue), else OverdueAfterDays days after that committee, or,
// with none by d, after the earliest start among its phases. A startup not
// in incubation at d has none due: the zero date. committees are in date
// order (ties by slug, the later one last).
func NextCommitteeDueAt(phases []PhasePeriod, committees []*Committee, d Date) Date {
	if !ActiveAt(phases, d) {
		return 0
	}
	if i := LastCommittee(committees, d); i >= 0 {
		if due := committees[i].NextCommitteeDue; !due.IsZero() {
			return due
		}
		return committees[i].Date.AddDays(OverdueAfterDays)
	}
	return EarliestStart(phases).AddDays(OverdueAfterDays)
}

// OverdueAt reports whether a startup is overdue for an investment
// committee at d: it is in incubation and its next committee was due
// before d (NextCommitteeDueAt). Without a recorded nextCommitteeDue this
// is CommitteeOverdueAt.
func OverdueAt(phases []PhasePeriod, committees []*Committee, d Date) bool {
	due := NextCommitteeDueAt(phases, committees, d)
	return !due.IsZero() && due < d
}

// NeverReviewedAt reports whether a startup had no committee on or before
// d.
func NeverReviewedAt(committees []*Committee, d Date) bool {
	for _, c := range committees {
		if c.Date <= d {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------- flows

// MaxPeriods bounds the number of periods of a flow, as MaxTimelinePoints
// bounds a timeline.
const MaxPeriods = MaxTimelinePoints

// Period is a period of days, both ends included.
type Period struct {
	Start, End Date
}

// FlowPeriods cuts [from, to] into periods of one step each, the last one
// ending at to: [from, from+step-1], [from+step, from+2·step-1], … A flow
// counts what happened in each (DESIGN.md, "Flows in a period"). It is a
// BAD_USER_INPUT error when to is before from or when there would be more
// than MaxPeriods periods.
func FlowPeriods(from, to Date, every Every) ([]Period, error) {
	if to < from {
		return nil, FieldErrorf("to", "to (%s) is before from (%s)", to, from)
	}
	if !every.valid() {
		return nil, FieldErrorf("every", "unknown step %q", every)
	}
	var out []Period
	for i := 0; ; i++ {
		start := every.Step(from, i)
		if start > to {
			break
		}
		if len(out) == MaxPeriods {
			return nil, FieldErrorf("every", "flows have at most %d periods, and %s to %s every %s makes more: shorten the range or take a longer step",
				MaxPeriods, from, to, every)
		}
		end := every.Step(from, i+1).AddDays(-1)
		if end > to {
			end = to
		}
		out = append(out, Period{start, end})
	}
	return out, nil
}

// Step returns the date i steps after from: months are counted from from
// (clamped to the month's last day, as AddMonths does), weeks and days are
// 7 and 1 days.
func (e Every) Step(from Date, i int) Date {
	switch e {
	case EveryDay:
		return from.AddDays(i)
	case EveryWeek:
		return from.AddDays(7 * i)
	case EveryMonth:
		return from.AddMonths(i)
	case EveryQuarter:
		return from.AddMonths(3 * i)
	}
	return from.AddMonths(12 * i)
}

func (e Every) valid() bool {
	return validIn(e, EveryDay, EveryWeek, EveryMonth, EveryQuarter, EveryYear)
}

// ---------------------------------------------------------------- events and investments

// The kinds of events of the records (an event's name), with their French
// labels for exports; other names are written as they are.
var eventKindLabels = map[string]string{
	"committee":       "Comité d'investissement",
	"product_launch":  "Lancement du produit",
	"national_impact": "Service à impact national",
	"fast":            "FAST",
	"end":             "Fin de l'accompagnement",
	"eig":             "Entrepreneurs d'intérêt général",
	"other":           "Autre",
}

// The kinds of investments of the investment export: a FAST grant, or a
// budget an investment committee granted.
const (
	InvestmentFast            = "FAST"
	InvestmentCommitteeBudget = "COMMITTEE_BUDGET"
)

var investmentKindLabels = map[string]string{
	InvestmentFast:            "Subvention FAST",
	InvestmentCommitteeBudget: "Budget de comité d'investissement",
}

// ---------------------------------------------------------------- members

// ValidateEdit checks the fields of a member that the API writes.
func (m *Member) ValidateEdit() error {
	if err := CheckSlug("slug", m.Slug); err != nil {
		return err
	}
	if err := checkText("fullname", m.Fullname, MaxNameLength, true, TextLine); err != nil {
		return err
	}
	if err := checkText("role", m.Role, MaxNameLength, false, TextLine); err != nil {
		return err
	}
	if !m.Domain.Valid() {
		return FieldErrorf("domain", "%q is not a domain", m.Domain)
	}
	if err := checkList("competences", m.Competences, MaxNameLength); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"github", m.Github}, {"link", m.Link}, {"memberType", m.MemberType}} {
		if err := checkText(f.name, f.v, MaxTextLength, false, TextLine); err != nil {
			return err
		}
	}
	return checkText("bio", m.Bio, 100_000, false, TextProse)
}
