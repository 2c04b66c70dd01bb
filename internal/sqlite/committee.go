package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The writes of investment committees (issue 19): a committee is recorded
// once held (recordCommittee), or planned (planCommittee), then held
// (holdCommittee) or cancelled (cancelCommittee); it is changed
// (updateCommittee) and deleted (deleteCommittee). Every one is a mutation
// of mutate: a manager's token within its incubators, or an admin's; one
// transaction with its audit entry; an idempotency key; the fields it
// wrote noted for imports (edits.go), which keep them.

// ---------------------------------------------------------------- attendees

const attendeesSQL = `SELECT a.committee_id, a.role, coalesce(m.slug, ''), coalesce(o.slug, ''), a.name, a.label
	FROM committee_attendees a LEFT JOIN members m ON m.id = a.member_id LEFT JOIN organisations o ON o.id = a.organisation_id`

func scanAttendee(rows *sql.Rows, committee *int64) (portfolio.CommitteeAttendee, error) {
	var a portfolio.CommitteeAttendee
	if err := rows.Scan(committee, &a.Role, &a.MemberSlug, &a.OrganisationSlug, &a.Name, &a.Label); err != nil {
		return a, fmt.Errorf("scan attendee: %w", err)
	}
	return a, nil
}

// CommitteeAttendees returns the attendees of each committee (by id), in
// their order; a committee without any has none in the map.
func (db *DB) CommitteeAttendees(ctx context.Context, ids []int64) (map[int64][]portfolio.CommitteeAttendee, error) {
	out := make(map[int64][]portfolio.CommitteeAttendee, len(ids))
	err := db.each(ctx, attendeesSQL+` WHERE a.committee_id IN (SELECT value FROM json_each(?)) ORDER BY a.committee_id, a.seq`,
		[]any{jsonInts(ids)}, func(rows *sql.Rows) error {
			var id int64
			a, err := scanAttendee(rows, &id)
			if err == nil {
				out[id] = append(out[id], a)
			}
			return err
		})
	return out, err
}

// attendees reads a committee's attendees inside the transaction: never
// nil, so that the committee says they were read.
func (w *wtx) attendees(id int64) ([]portfolio.CommitteeAttendee, error) {
	rows, err := w.tx.QueryContext(w.ctx, attendeesSQL+` WHERE a.committee_id = ? ORDER BY a.seq`, id)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	defer rows.Close()
	out := []portfolio.CommitteeAttendee{}
	for rows.Next() {
		var c int64
		a, err := scanAttendee(rows, &c)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// writeAttendees replaces the attendees of committee c with c.Attendees;
// a member or organisation that does not exist is NOT_FOUND on
// attendees.
func (w *wtx) writeAttendees(c *portfolio.Committee) error {
	if _, err := w.exec("DELETE FROM committee_attendees WHERE committee_id = ?", c.ID); err != nil {
		return err
	}
	for i, a := range c.Attendees {
		var member, org any
		for _, ref := range []struct {
			table, kind, slug string
			id                *any
		}{{"members", "member", a.MemberSlug, &member}, {"organisations", "organisation", a.OrganisationSlug, &org}} {
			if ref.slug == "" {
				continue
			}
			id, err := w.exists(ref.table, ref.slug)
			if err != nil {
				return err
			}
			if id == 0 {
				return notFound("attendees", ref.kind, ref.slug)
			}
			*ref.id = id
		}
		if _, err := w.exec(`INSERT INTO committee_attendees (committee_id, seq, role, member_id, organisation_id, name, label) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.ID, i, string(a.Role), member, org, a.Name, a.Label); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------- reading inside a write

// committee reads a committee inside the transaction, with its attendees,
// or fails with NOT_FOUND on id.
func (w *wtx) committee(slug string) (*portfolio.Committee, error) {
	rows, err := w.tx.QueryContext(w.ctx, "SELECT "+committeeCols+" FROM committees c JOIN startups s ON s.id = c.startup_id WHERE c.slug = ?", slug)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	var c *portfolio.Committee
	for rows.Next() {
		if c, err = scanCommittee(rows); err != nil {
			break
		}
	}
	rows.Close()
	if err != nil {
		return nil, err
	}
	if c == nil {
		return nil, notFound("id", "committee", slug)
	}
	c.Attendees, err = w.attendees(c.ID)
	return c, err
}

// clone returns a copy of c that shares nothing a change could modify.
func clone(c *portfolio.Committee) portfolio.Committee {
	out := *c
	if c.Ask != nil {
		a := *c.Ask
		out.Ask = &a
	}
	if c.BudgetEuros != nil {
		b := *c.BudgetEuros
		out.BudgetEuros = &b
	}
	out.HypothesesList, out.SuccessCriteriaList, out.Attendees = slices.Clone(c.HypothesesList), slices.Clone(c.SuccessCriteriaList), slices.Clone(c.Attendees)
	return out
}

// ---------------------------------------------------------------- rows

func askArgs(a *portfolio.CommitteeAsk) (profile string, envelope, months any) {
	if a == nil {
		return "", nil, nil
	}
	if a.EnvelopeEuros != nil {
		envelope = *a.EnvelopeEuros
	}
	if a.Months != nil {
		months = *a.Months
	}
	return a.TeamProfile, envelope, months
}

func (w *wtx) insertCommittee(startupID int64, c *portfolio.Committee) error {
	profile, envelope, months := askArgs(c.Ask)
	res, err := w.exec(`INSERT INTO committees (slug, startup_id, date, decision, next_phase, budget_euros, next_committee_due, comment, source, version,
			state, ask_team_profile, ask_envelope_euros, ask_months, hypotheses, success_criteria, document_url)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.Slug, startupID, c.Date.String(), string(c.Decision), nullString(string(c.NextPhase)),
		budgetArg(c.BudgetEuros), nullDate(c.NextCommitteeDue), c.Comment, string(c.Source), c.Version,
		string(c.StateOrHeld()), profile, envelope, months, jsonList(c.HypothesesList), jsonList(c.SuccessCriteriaList), c.DocumentURL)
	if err != nil {
		return err
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return fmt.Errorf("%s: %w", w.mutation, err)
	}
	return w.writeAttendees(c)
}

// updateCommittee writes c over its row if the row's version is still
// version.
func (w *wtx) updateCommittee(c *portfolio.Committee, version int64) error {
	profile, envelope, months := askArgs(c.Ask)
	res, err := w.exec(`UPDATE committees SET date = ?, decision = ?, next_phase = ?, budget_euros = ?, next_committee_due = ?, comment = ?,
			source = ?, version = ?, state = ?, ask_team_profile = ?, ask_envelope_euros = ?, ask_months = ?, hypotheses = ?, success_criteria = ?,
			document_url = ?
		WHERE id = ? AND version = ?`, c.Date.String(), string(c.Decision), nullString(string(c.NextPhase)),
		budgetArg(c.BudgetEuros), nullDate(c.NextCommitteeDue), c.Comment, string(c.Source), c.Version, string(c.StateOrHeld()),
		profile, envelope, months, jsonList(c.HypothesesList), jsonList(c.SuccessCriteriaList), c.DocumentURL, c.ID, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return conflict("committee", c.Slug, -1, version)
	}
	return w.writeAttendees(c)
}

func budgetArg(b *int64) any {
	if b == nil {
		return nil
	}
	return *b
}

// ---------------------------------------------------------------- new committees

// RecordCommittee records a committee that has taken place (HELD). When
// the startup already has a committee that day, it is a CONFLICT naming
// that committee (a form sent twice), unless anotherOnSameDay: then the
// new one gets the day's next slug (startup/date-2, …).
func (db *DB) RecordCommittee(ctx context.Context, c *portfolio.Committee, anotherOnSameDay bool) (*portfolio.Committee, error) {
	c.State = portfolio.CommitteeHeld
	return db.newCommittee(ctx, "recordCommittee", c, anotherOnSameDay)
}

// PlanCommittee sets a committee for a day, past or to come (PLANNED): it
// has no outcome, and counts in no rule until holdCommittee records it.
// The same day as another committee of the startup is a CONFLICT, as for
// RecordCommittee.
func (db *DB) PlanCommittee(ctx context.Context, c *portfolio.Committee, anotherOnSameDay bool) (*portfolio.Committee, error) {
	c.State, c.Decision = portfolio.CommitteePlanned, portfolio.DecisionUnspecified
	return db.newCommittee(ctx, "planCommittee", c, anotherOnSameDay)
}

func (db *DB) newCommittee(ctx context.Context, mutation string, c *portfolio.Committee, anotherOnSameDay bool) (*portfolio.Committee, error) {
	var out *portfolio.Committee
	err := db.mutate(ctx, mutation, portfolio.RoleManager, &out, func(w *wtx) error {
		s, err := w.startup("startup", c.StartupSlug)
		if err != nil {
			return err
		}
		if err := w.canWrite(s.IncubatorSlug); err != nil {
			return err
		}
		if c.Attendees == nil {
			c.Attendees = []portfolio.CommitteeAttendee{}
		}
		if err := c.Validate(portfolio.Today()); err != nil {
			return err
		}
		if !anotherOnSameDay {
			if err := w.sameDayCommittee(s, c.Date); err != nil {
				return err
			}
		}
		slug := s.Slug + "/" + c.Date.String()
		for n := 2; ; n++ {
			id, err := w.exists("committees", slug)
			if err != nil {
				return err
			}
			if id == 0 {
				break
			}
			slug = s.Slug + "/" + c.Date.String() + "-" + strconv.Itoa(n)
		}
		c.Slug, c.StartupSlug, c.Source, c.Version = slug, s.Slug, portfolio.SourceRecorded, 1
		if err := w.insertCommittee(s.ID, c); err != nil {
			return err
		}
		out = c
		if err := w.edited("committees", slug, nil, c); err != nil {
			return err
		}
		return w.audit("Committee", slug, nil, c)
	})
	return out, err
}

// sameDayCommittee refuses a committee of startup s on day d when s
// already has one that day, with a CONFLICT that names it (in the message
// and in extensions.existing, with its state) and says how to proceed.
func (w *wtx) sameDayCommittee(s *portfolio.Startup, d portfolio.Date) error {
	var slug, state string
	var version int64
	err := w.tx.QueryRowContext(w.ctx, "SELECT slug, version, state FROM committees WHERE startup_id = ? AND date = ? ORDER BY id LIMIT 1",
		s.ID, d.String()).Scan(&slug, &version, &state)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", w.mutation, err)
	}
	hint := "to change it, send updateCommittee with its id and version"
	if portfolio.CommitteeState(state) == portfolio.CommitteePlanned {
		hint = "it is planned: to record its outcome, send holdCommittee with its id and version; to change it, updateCommittee"
	}
	return &portfolio.Error{Code: portfolio.EConflict, Field: "date",
		Message: fmt.Sprintf("startup %s already has a committee on %s (%s, %s, version %d): %s; "+
			"to record another committee the same day, send %s again with anotherOnSameDay: true", s.Slug, d, slug, state, version, hint, w.mutation),
		Extensions: map[string]any{"existing": map[string]any{
			"id": portfolio.GlobalID("Committee", slug), "slug": slug, "version": version, "state": state,
		}}}
}

// ---------------------------------------------------------------- changes

// changeCommittee runs change on the committee with this slug, as
// mutation, if its version is still version: the caller must hold its
// startup's incubator; change edits c (before is the committee as read)
// and may refuse. The result is validated and written: the committee
// becomes RECORDED, its version increases, the fields changed are noted
// for imports (which keep them) and the audit log has both versions.
func (db *DB) changeCommittee(ctx context.Context, mutation, slug string, version int64, change func(before portfolio.Committee, c *portfolio.Committee) error) (*portfolio.Committee, error) {
	var out *portfolio.Committee
	err := db.mutate(ctx, mutation, portfolio.RoleManager, &out, func(w *wtx) error {
		c, err := w.committee(slug)
		if err != nil {
			return err
		}
		s, err := w.startup("id", c.StartupSlug)
		if err != nil {
			return err
		}
		if err := w.canWrite(s.IncubatorSlug); err != nil {
			return err
		}
		if c.Version != version {
			return conflict("committee", slug, c.Version, version)
		}
		before := clone(c)
		if err := change(before, c); err != nil {
			return err
		}
		if c.Attendees == nil {
			c.Attendees = []portfolio.CommitteeAttendee{}
		}
		if err := c.Validate(portfolio.Today()); err != nil {
			return err
		}
		c.Source, c.Version = portfolio.SourceRecorded, c.Version+1
		if err := w.updateCommittee(c, version); err != nil {
			return err
		}
		out = c
		if err := w.edited("committees", slug, &before, c); err != nil {
			return err
		}
		return w.audit("Committee", slug, before, c)
	})
	return out, err
}

// UpdateCommittee applies patch to the committee with this slug if its
// version is still version. The committee becomes RECORDED, and imports
// keep the fields the patch changed. Its state does not change here:
// HoldCommittee and CancelCommittee change it.
func (db *DB) UpdateCommittee(ctx context.Context, slug string, version int64, patch func(*portfolio.Committee) error) (*portfolio.Committee, error) {
	return db.changeCommittee(ctx, "updateCommittee", slug, version, func(before portfolio.Committee, c *portfolio.Committee) error {
		if err := patch(c); err != nil {
			return err
		}
		c.State = before.State
		return nil
	})
}

// notPlanned refuses to hold or cancel a committee that is not PLANNED.
func notPlanned(c *portfolio.Committee, what string) error {
	return portfolio.Errorf(portfolio.EConflict, "committee %s is %s: only a planned committee can be %s (change it with updateCommittee)",
		c.Slug, c.StateOrHeld(), what)
}

// HoldCommittee records that a planned committee took place: it becomes
// HELD, patch sets its outcome (its decision at least) and what a held
// committee records; its date, its own or the one patch gives, must not be
// after today. A committee that is not PLANNED is a CONFLICT.
func (db *DB) HoldCommittee(ctx context.Context, slug string, version int64, patch func(*portfolio.Committee) error) (*portfolio.Committee, error) {
	return db.changeCommittee(ctx, "holdCommittee", slug, version, func(before portfolio.Committee, c *portfolio.Committee) error {
		if before.StateOrHeld() != portfolio.CommitteePlanned {
			return notPlanned(c, "held")
		}
		c.State = portfolio.CommitteeHeld
		return patch(c)
	})
}

// CancelCommittee calls off a planned committee: it becomes CANCELLED and
// stays on record (deleteCommittee removes it); comment, when not nil,
// says why. A committee that is not PLANNED is a CONFLICT.
func (db *DB) CancelCommittee(ctx context.Context, slug string, version int64, comment *string) (*portfolio.Committee, error) {
	return db.changeCommittee(ctx, "cancelCommittee", slug, version, func(before portfolio.Committee, c *portfolio.Committee) error {
		if before.StateOrHeld() != portfolio.CommitteePlanned {
			return notPlanned(c, "cancelled")
		}
		c.State = portfolio.CommitteeCancelled
		if comment != nil {
			c.Comment = *comment
		}
		return nil
	})
}

// DeleteCommittee deletes the committee with this slug (with its
// attendees) if its version is still version, and returns it as it was.
// Imports do not re-create it.
func (db *DB) DeleteCommittee(ctx context.Context, slug string, version int64) (*portfolio.Committee, error) {
	var out *portfolio.Committee
	err := db.mutate(ctx, "deleteCommittee", portfolio.RoleManager, &out, func(w *wtx) error {
		c, err := w.committee(slug)
		if err != nil {
			return err
		}
		s, err := w.startup("id", c.StartupSlug)
		if err != nil {
			return err
		}
		if err := w.canWrite(s.IncubatorSlug); err != nil {
			return err
		}
		if c.Version != version {
			return conflict("committee", slug, c.Version, version)
		}
		if _, err := w.exec("DELETE FROM committees WHERE id = ?", c.ID); err != nil {
			return err
		}
		out = c
		if err := w.deleted("committees", slug); err != nil {
			return err
		}
		return w.audit("Committee", slug, c, nil)
	})
	return out, err
}
