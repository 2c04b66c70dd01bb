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
	// ReviewStatus selects the startups whose review status at the date
	// (ReviewStatusAt) is one of these; one not in incubation has none.
	ReviewStatus []ReviewStatus
	// WithoutIntrapreneur selects the startups in incubation without an
	// intrapreneur at the date (WithoutIntrapreneurAt: true), or the
	// others (false).
	WithoutIntrapreneur *bool
}

// TimeDependent reports whether the conditions are evaluated at a date
// (neverReviewed, nextCommitteeDue, reviewStatus, withoutIntrapreneur).
func (c *ReviewConditions) TimeDependent() bool {
	return c.NeverReviewed != nil || c.NextCommitteeDue != nil || c.ReviewStatus != nil || c.WithoutIntrapreneur != nil
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

// DueSoonDays is how far ahead a committee is due soon: a startup whose
// next committee is due from D to D + DueSoonDays is DUE_SOON at D.
const DueSoonDays = 60

// ReviewStatus is where a startup in incubation stands with its
// investment committees at a date (DESIGN.md, "Review status at D").
type ReviewStatus string

// The review statuses; the value is the GraphQL enum name.
const (
	ReviewOverdue      ReviewStatus = "OVERDUE"       // its next committee was due before the date
	ReviewNoneRecorded ReviewStatus = "NONE_RECORDED" // no committee held on or before the date
	ReviewDueSoon      ReviewStatus = "DUE_SOON"      // its next committee is due within DueSoonDays
	ReviewUpToDate     ReviewStatus = "UP_TO_DATE"    // its next committee is due later
)

// ReviewStatuses lists the statuses in their fixed order, the one of the
// REVIEW_STATUS ordering and of Portfolio.reviewStatuses: late first, then
// none recorded (unknown, which is not late), due soon, up to date.
var ReviewStatuses = []ReviewStatus{ReviewOverdue, ReviewNoneRecorded, ReviewDueSoon, ReviewUpToDate}

var reviewStatusLabels = map[ReviewStatus]string{
	ReviewOverdue:      "En retard",
	ReviewNoneRecorded: "Aucun comité enregistré",
	ReviewDueSoon:      "Bientôt dû",
	ReviewUpToDate:     "À jour",
}

// Valid reports whether s is one of the statuses.
func (s ReviewStatus) Valid() bool { _, ok := reviewStatusLabels[s]; return ok }

// Label returns the French label of the status, « Aucun comité enregistré ».
func (s ReviewStatus) Label() string { return reviewStatusLabels[s] }

// Rank returns the position of the status in ReviewStatuses, or
// len(ReviewStatuses) for none (a startup not in incubation comes last).
func (s ReviewStatus) Rank() int {
	for i, x := range ReviewStatuses {
		if x == s {
			return i
		}
	}
	return len(ReviewStatuses)
}

// MarshalGQL writes the status as a GraphQL enum value ("" as null).
func (s ReviewStatus) MarshalGQL(w io.Writer) { writeEnum(w, string(s)) }

// UnmarshalGQL reads a status from a GraphQL enum value.
func (s *ReviewStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "ReviewStatus", func(x string) bool {
		ok := ReviewStatus(x).Valid()
		if ok {
			*s = ReviewStatus(x)
		}
		return ok
	})
}

// IncubatedSince returns since when a startup has been in incubation: the
// earliest start among its phases (the zero date when none has a start).
func IncubatedSince(phases []PhasePeriod) Date { return EarliestStart(phases) }

// lastDue returns the next committee due that the last committee on or
// before d gives (Committee.NextDue); the zero date when no committee was
// held by d. committees are in date order (ties by slug, the later one
// last).
func lastDue(committees []*Committee, d Date) Date {
	i := LastCommittee(committees, d)
	if i < 0 {
		return 0
	}
	return committees[i].NextDue()
}

// NextCommitteeDueAt returns when a startup's next investment committee is
// due as seen at d (DESIGN.md, "Next committee due at D"): the last
// committee held on or before d gives it (Committee.NextDue: the date it
// recorded, else OverdueAfterDays days after it). A startup not
// in incubation at d, or with no committee held by d (NONE_RECORDED: not
// the same as late), has none: the zero date. committees are in date order
// (ties by slug, the later one last).
func NextCommitteeDueAt(phases []PhasePeriod, committees []*Committee, d Date) Date {
	if !ActiveAt(phases, d) {
		return 0
	}
	return lastDue(committees, d)
}

// ReviewStatusAt returns the review status of a startup at d (DESIGN.md,
// "Review status at D"), "" when it is not in incubation at d:
// NONE_RECORDED when no committee was held on or before d; else, with its
// next committee due (NextCommitteeDueAt), OVERDUE when that is before d,
// DUE_SOON when it is from d to d + DueSoonDays, UP_TO_DATE after. This is
// the one overdue rule; internal/sqlite's reviewStatusSQL is it in SQL.
func ReviewStatusAt(phases []PhasePeriod, committees []*Committee, d Date) ReviewStatus {
	if !ActiveAt(phases, d) {
		return ""
	}
	due := lastDue(committees, d)
	switch {
	case due.IsZero():
		return ReviewNoneRecorded
	case due < d:
		return ReviewOverdue
	case due <= d.AddDays(DueSoonDays):
		return ReviewDueSoon
	}
	return ReviewUpToDate
}

// OverdueAt is the older, deprecated "committee overdue" rule
// (Startup.committeeOverdue): a startup in incubation at d that is OVERDUE
// (ReviewStatusAt), or that has had no committee by d (NONE_RECORDED) and
// has been in incubation for more than OverdueAfterDays days
// (IncubatedSince). It counts as late a startup whose committees the
// records do not hold; ReviewStatusAt tells the two apart.
func OverdueAt(phases []PhasePeriod, committees []*Committee, d Date) bool {
	switch ReviewStatusAt(phases, committees, d) {
	case ReviewOverdue:
		return true
	case ReviewNoneRecorded:
		return IncubatedSince(phases).AddDays(OverdueAfterDays) < d
	}
	return false
}

// NeverReviewedAt reports whether a startup had no committee held on or
// before d (a planned or cancelled one is none).
func NeverReviewedAt(committees []*Committee, d Date) bool {
	for _, c := range committees {
		if c.Held() && c.Date <= d {
			return false
		}
	}
	return true
}

// ---------------------------------------------------------------- intrapreneurs

// IntrapreneurAt reports whether a member of this domain, with mission m
// on a startup, is an intrapreneur of that startup at d (DESIGN.md,
// "Intrapreneur at D"): the domain is INTRAPRENEURSHIP (« Intraprenariat »)
// and the mission covers d (OnMissionAt).
func IntrapreneurAt(domain Domain, m *Mission, d Date) bool {
	return domain == DomainIntrapreneur && OnMissionAt(m, d)
}

// IntrapreneursAt returns the intrapreneurs of startup at d, each once, in
// the order of their first covering mission: the members on its team at d
// (TeamAt) whose domain (domainOf their slug) is INTRAPRENEURSHIP.
func IntrapreneursAt(missions []Mission, domainOf func(member string) Domain, startup string, d Date) []string {
	var out []string
	seen := map[string]bool{}
	for i := range missions {
		m := &missions[i]
		if !seen[m.MemberSlug] && onStartup(m, startup) && IntrapreneurAt(domainOf(m.MemberSlug), m, d) {
			seen[m.MemberSlug] = true
			out = append(out, m.MemberSlug)
		}
	}
	return out
}

// WithoutIntrapreneurAt reports whether a startup is in incubation at d
// (ActiveAt) with no intrapreneur (IntrapreneursAt): a portfolio alert, as
// the committee requires « l'intra (obligatoirement) ».
func WithoutIntrapreneurAt(phases []PhasePeriod, missions []Mission, domainOf func(member string) Domain, startup string, d Date) bool {
	return ActiveAt(phases, d) && len(IntrapreneursAt(missions, domainOf, startup, d)) == 0
}

func onStartup(m *Mission, startup string) bool {
	for _, s := range m.Startups {
		if s == startup {
			return true
		}
	}
	return false
}

// ---------------------------------------------------------------- flows

// MaxPeriods bounds the number of periods of a flow, as MaxTimelinePoints
// bounds a timeline.
const MaxPeriods = MaxTimelinePoints

// Period is a period of days, both ends included.
type Period struct {
	Start, End Date
}

// Holds reports whether d is in the period, both ends included.
func (p Period) Holds(d Date) bool { return !d.IsZero() && p.Start <= d && d <= p.End }

// FlowsIn returns the moves of a startup with these phases in period p
// (DESIGN.md, "Flows in a period"): the phases of its phase periods that
// start in p (entered), and of those whose next phase (NextPhaseStart)
// starts in p (exited), each in the order of phases. A phase period
// without a start neither enters nor exits; two starting the same day
// make the earlier listed enter and exit that day. So, phase by phase,
// entries minus exits equal the count at p.End (PhaseAt) minus the count
// on the day before p.Start.
func FlowsIn(phases []PhasePeriod, p Period) (entered, exited []Phase) {
	for i, x := range phases {
		if p.Holds(x.Start) {
			entered = append(entered, x.Phase)
		}
		if !x.Start.IsZero() && p.Holds(NextPhaseStart(phases, i)) {
			exited = append(exited, x.Phase)
		}
	}
	return entered, exited
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
