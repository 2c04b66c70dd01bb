package portfolio

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Bounds on what writes accept.
const (
	MaxCommentLength = 10000
	MaxNameLength    = 200
	MaxTextLength    = 2000
	MaxBudgetEuros   = 1_000_000_000
	MaxListItems     = 50
)

// EarliestDate is the earliest date a write accepts: the network began in 2013.
var EarliestDate = NewDate(2010, 1, 1)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,99}$`)

// CheckSlug reports whether s can be the slug of a new record: lower-case
// letters, digits, '.', '_' and '-', starting with a letter or digit.
func CheckSlug(field, s string) error {
	if !slugRE.MatchString(s) {
		return FieldErrorf(field, "%q is not a slug: lower-case letters, digits, '.', '_' and '-', at most 100, starting with a letter or digit", s)
	}
	return nil
}

// checkText checks a text field a write sets: present when required, the
// characters its kind may hold (TextFlaws: valid UTF-8, no control, and
// nothing invisible in a single-line field), at most max characters.
func checkText(field, s string, max int, required bool, kind TextKind) error {
	if required && strings.TrimSpace(s) == "" {
		return FieldErrorf(field, "%s is required", field)
	}
	if err := CheckText(field, s, kind); err != nil {
		return err
	}
	if utf8.RuneCountInString(s) > max {
		return FieldErrorf(field, "%s is longer than %d characters", field, max)
	}
	return nil
}

func checkDate(field string, d Date, required bool) error {
	switch {
	case d.IsZero() && required:
		return FieldErrorf(field, "%s is required", field)
	case d.IsZero():
		return nil
	case d < EarliestDate || d > NewDate(2100, 1, 1):
		return FieldErrorf(field, "%s %s is out of range (%s to 2100-01-01)", field, d, EarliestDate)
	}
	return nil
}

func checkList(field string, items []string, max int) error {
	if len(items) > MaxListItems {
		return FieldErrorf(field, "%s has more than %d items", field, MaxListItems)
	}
	for _, it := range items {
		if err := checkText(field, it, max, true, TextLine); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks a committee about to be written, today being the date of
// the write. Every committee: its date within the bounds of writes, its
// content (ask, hypotheses, success criteria, presentation, attendees) and
// comment. A held one (HELD, or no state): its date is not in the future,
// the decision is known, a next phase goes with ADVANCE (and may name the
// phase of a STOP or TRANSFER), the budget is not negative, the next
// committee falls after this one. A planned or cancelled one: any date
// within the bounds (planned for a day to come), and no outcome.
func (c *Committee) Validate(today Date) error {
	if err := checkDate("date", c.Date, true); err != nil {
		return err
	}
	if c.State != "" && !c.State.Valid() {
		return FieldErrorf("state", "%q is not a committee state", c.State)
	}
	if err := c.validateContent(); err != nil {
		return err
	}
	if err := checkText("comment", c.Comment, MaxCommentLength, false, TextProse); err != nil {
		return err
	}
	if !c.Held() {
		return c.validateNoOutcome()
	}
	if c.Date > today {
		return FieldErrorf("date", "the committee's date %s is after today (%s): record a committee once it has taken place (planCommittee sets one for a day to come)", c.Date, today)
	}
	if !c.Decision.Valid() {
		return FieldErrorf("decision", "%q is not a decision", c.Decision)
	}
	switch c.Decision {
	case DecisionAdvance:
		if c.NextPhase == "" {
			return FieldErrorf("nextPhase", "an ADVANCE decision says which phase comes next (nextPhase)")
		}
		if !c.NextPhase.Active() {
			return FieldErrorf("nextPhase", "an ADVANCE moves to an active phase, not %s (use STOP or TRANSFER)", c.NextPhase)
		}
	case DecisionStop:
		if c.NextPhase != "" && c.NextPhase != PhaseAbandoned && c.NextPhase != PhaseInvestigationAbandoned {
			return FieldErrorf("nextPhase", "a STOP leads to ABANDONED or INVESTIGATION_ABANDONED, not %s", c.NextPhase)
		}
	case DecisionTransfer:
		if c.NextPhase != "" && c.NextPhase != PhaseTransferred && c.NextPhase != PhaseOperated {
			return FieldErrorf("nextPhase", "a TRANSFER leads to TRANSFERRED or OPERATED, not %s", c.NextPhase)
		}
	default:
		if c.NextPhase != "" {
			return FieldErrorf("nextPhase", "nextPhase goes with ADVANCE, STOP or TRANSFER, not %s", c.Decision)
		}
	}
	if c.NextPhase != "" && !c.NextPhase.Valid() {
		return FieldErrorf("nextPhase", "%q is not a phase", c.NextPhase)
	}
	if b := c.BudgetEuros; b != nil && (*b < 0 || *b > MaxBudgetEuros) {
		return FieldErrorf("budgetEuros", "budgetEuros must be between 0 and %d (got %d)", MaxBudgetEuros, *b)
	}
	if err := checkDate("nextCommitteeDue", c.NextCommitteeDue, false); err != nil {
		return err
	}
	if !c.NextCommitteeDue.IsZero() && c.NextCommitteeDue <= c.Date {
		return FieldErrorf("nextCommitteeDue", "the next committee (%s) must come after this one (%s)", c.NextCommitteeDue, c.Date)
	}
	return nil
}

// ValidateEdit checks the fields of a startup that the API writes.
func (s *Startup) ValidateEdit() error {
	if err := CheckSlug("slug", s.Slug); err != nil {
		return err
	}
	if err := checkText("name", s.Name, MaxNameLength, true, TextLine); err != nil {
		return err
	}
	if err := checkText("pitch", s.Pitch, MaxTextLength, false, TextProse); err != nil {
		return err
	}
	if err := checkText("description", s.Description, 100_000, false, TextProse); err != nil {
		return err
	}
	for _, f := range []struct {
		name  string
		items []string
	}{{"sponsors", s.Sponsors}, {"thematiques", s.Thematiques}, {"usertypes", s.Usertypes}, {"techno", s.Techno}} {
		if err := checkList(f.name, f.items, MaxNameLength); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{{"link", s.Link}, {"repository", s.Repository}, {"contact", s.Contact}} {
		if err := checkText(f.name, f.v, MaxTextLength, false, TextLine); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks a mission about to be written.
func (m *Mission) Validate() error {
	if err := checkDate("start", m.Start, true); err != nil {
		return err
	}
	if err := checkDate("end", m.End, false); err != nil {
		return err
	}
	if !m.End.IsZero() && m.End < m.Start {
		return FieldErrorf("end", "the mission ends (%s) before it starts (%s)", m.End, m.Start)
	}
	if !m.Status.Valid() {
		return FieldErrorf("status", "status is required: ADMIN, INDEPENDENT or SERVICE")
	}
	if err := checkText("employer", m.Employer, MaxNameLength, false, TextLine); err != nil {
		return err
	}
	return checkList("startups", m.Startups, 100)
}

// ValidateEdit checks an incubator the API writes.
func (i *Incubator) ValidateEdit() error {
	if err := CheckSlug("slug", i.Slug); err != nil {
		return err
	}
	if err := checkText("title", i.Title, MaxNameLength, true, TextLine); err != nil {
		return err
	}
	for _, f := range []struct {
		name, v string
		kind    TextKind
	}{{"shortDescription", i.ShortDescription, TextProse}, {"contact", i.Contact, TextLine}, {"website", i.Website, TextLine}, {"github", i.Github, TextLine}, {"address", i.Address, TextProse}} {
		if err := checkText(f.name, f.v, MaxTextLength, false, f.kind); err != nil {
			return err
		}
	}
	return nil
}

// ValidateEdit checks an organisation the API writes.
func (o *Organisation) ValidateEdit() error {
	if err := CheckSlug("slug", o.Slug); err != nil {
		return err
	}
	if err := checkText("name", o.Name, MaxNameLength, true, TextLine); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"acronym", o.Acronym}, {"type", o.Type}, {"ministerialDomain", o.DomaineMinisteriel}} {
		if err := checkText(f.name, f.v, MaxNameLength, false, TextLine); err != nil {
			return err
		}
	}
	return nil
}
