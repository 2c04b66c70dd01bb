package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// recordedSeqBase is where the positions of phases and missions recorded
// through the API start, so that they never collide with imported ones and
// sort after them.
const recordedSeqBase = 1000

// wtx is one write transaction of a mutation, with who runs it.
type wtx struct {
	ctx      context.Context
	tx       *sql.Tx
	id       *portfolio.Identity
	mutation string
	now      time.Time
	changes  *changeLog // the change feed's rows of the transaction (changes.go)
}

// mutate runs fn in one write transaction for the caller in ctx, who must
// hold at least a manager's token; fn sets *out (out is a pointer to the
// answer) to the object written. Nothing is written when fn fails.
//
// Under an idempotency key (portfolio.MutationKeyFrom), the answer is
// stored with the key in the same transaction, and a key already used for
// this mutation with this input fills *out with the stored answer instead
// of running fn: nothing is written, no audit entry is added.
func (db *DB) mutate(ctx context.Context, mutation string, min portfolio.Role, out any, fn func(*wtx) error) error {
	id := portfolio.IdentityFrom(ctx)
	if id.Role == portfolio.RoleAnonymous {
		return portfolio.Errorf(portfolio.EUnauthenticated, "%s needs a token: send Authorization: Bearer <token>", mutation)
	}
	if !id.Role.AtLeast(min) {
		return portfolio.Errorf(portfolio.EForbidden, "a %s token cannot run %s", id.Role, mutation)
	}
	key, keyed := portfolio.MutationKeyFrom(ctx)
	if keyed {
		if err := key.Check(keyField); err != nil {
			return err
		}
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin: %w", mutation, err)
	}
	defer tx.Rollback()
	w := &wtx{ctx: ctx, tx: tx, id: id, mutation: mutation, now: time.Now().UTC(), changes: &changeLog{}}
	if err := w.pruneKeys(); err != nil {
		return err
	}
	if keyed {
		// A replay rolls back: it writes nothing (the keys just pruned
		// are pruned again by the next write).
		if replayed, err := w.replay(key, out); err != nil || replayed {
			return err
		}
	}
	if err := fn(w); err != nil {
		return err
	}
	if keyed {
		if err := w.keep(key, out); err != nil {
			return err
		}
	}
	if err := w.changes.write(ctx, tx, w.at()); err != nil {
		return fmt.Errorf("%s: %w", mutation, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", mutation, err)
	}
	db.changed()

	return nil
}

func (w *wtx) exec(q string, args ...any) (sql.Result, error) {
	res, err := w.tx.ExecContext(w.ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	return res, nil
}

// audit appends an entry to the audit log; before is nil for a creation,
// after nil for a deletion. The same write goes to the change feed: every
// write of a record is audited.
func (w *wtx) audit(objType, slug string, before, after any) error {
	w.changes.add(objType, slug, opOf(before, after))
	enc := func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		b, err := json.Marshal(v)
		return string(b), err
	}
	b, err := enc(before)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	a, err := enc(after)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	_, err = w.exec(`INSERT INTO audit_log (at, token_id, token_name, role, mutation, object_type, object_slug, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, w.at(), w.tokenID(), w.id.TokenName, string(w.id.Role),
		w.mutation, objType, slug, b, a)
	return err
}

func forbiddenIncubator(id *portfolio.Identity, inc string) error {
	if inc == "" {
		return portfolio.Errorf(portfolio.EForbidden, "this startup has no incubator: only an admin may write it")
	}
	return portfolio.Errorf(portfolio.EForbidden, "your token may not write the startups of incubator %q", inc)
}

// canWrite checks that the caller may write a startup of incubator inc.
func (w *wtx) canWrite(inc string) error {
	if !w.id.CanWriteIncubator(inc) {
		return forbiddenIncubator(w.id, inc)
	}
	return nil
}

func conflict(kind, slug string, have, want int64) error {
	return portfolio.Errorf(portfolio.EConflict, "%s %s changed since you read it (version %d now, you sent %d): read it again and retry", kind, slug, have, want)
}

// startup reads a startup with its phases, sponsors and tags inside the
// transaction, or fails with NOT_FOUND naming field.
func (w *wtx) startup(field, slug string) (*portfolio.Startup, error) {
	rows, err := w.tx.QueryContext(w.ctx, "SELECT "+startupCols+" FROM startups s"+startupJoins+" WHERE s.slug = ?", slug)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	var s *portfolio.Startup
	for rows.Next() {
		s, err = scanStartup(rows)
	}
	rows.Close()
	if err != nil {
		return nil, err
	}
	if s == nil {
		e := portfolio.FieldErrorf(field, "no startup %q", slug)
		e.Code = portfolio.ENotFound
		return nil, e
	}
	if err := w.tx.QueryRowContext(w.ctx, "SELECT description FROM startups WHERE id = ?", s.ID).Scan(&s.Description); err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	q := func(query string, fn func(*sql.Rows) error) error {
		rows, err := w.tx.QueryContext(w.ctx, query, s.ID)
		if err != nil {
			return fmt.Errorf("%s: %w", w.mutation, err)
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err = q(`SELECT phase, coalesce(start, ''), coalesce("end", ''), source, comment, source_name FROM phases WHERE startup_id = ? ORDER BY start, seq`, func(r *sql.Rows) error {
		var p portfolio.PhasePeriod
		var start, end string
		err := r.Scan(&p.Phase, &start, &end, &p.Source, &p.Comment, &p.SourceName)
		p.Start, p.End = parseDate(start), parseDate(end)
		s.Phases = append(s.Phases, p)
		return err
	})
	if err == nil {
		err = q(`SELECT o.slug FROM startup_sponsors ss JOIN organisations o ON o.id = ss.organisation_id WHERE ss.startup_id = ? ORDER BY ss.seq`, func(r *sql.Rows) error {
			var o string
			err := r.Scan(&o)
			s.Sponsors = append(s.Sponsors, o)
			return err
		})
	}
	if err == nil {
		err = q(`SELECT kind, label FROM startup_tags WHERE startup_id = ? ORDER BY kind, seq`, func(r *sql.Rows) error {
			var kind, label string
			err := r.Scan(&kind, &label)
			switch kind {
			case "thematique":
				s.Thematiques = append(s.Thematiques, label)
			case "usertype":
				s.Usertypes = append(s.Usertypes, label)
			case "techno":
				s.Techno = append(s.Techno, label)
			}
			return err
		})
	}
	return s, err
}

func (w *wtx) exists(table, slug string) (int64, error) {
	var id int64
	err := w.tx.QueryRowContext(w.ctx, "SELECT id FROM "+table+" WHERE slug = ?", slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", w.mutation, err)
	}
	return id, nil
}

func notFound(field, kind, slug string) error {
	e := portfolio.FieldErrorf(field, "no %s %q", kind, slug)
	e.Code = portfolio.ENotFound
	return e
}

// The committees' writes are in committee.go.

// ---------------------------------------------------------------- startups

func (w *wtx) bumpStartup(s *portfolio.Startup) error {
	res, err := w.exec("UPDATE startups SET version = version + 1 WHERE id = ? AND version = ?", s.ID, s.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return conflict("startup", s.Slug, -1, s.Version)
	}
	s.Version++
	return nil
}

// StartPhase moves a startup to phase on start: the current phase (the
// latest to start) ends that day. version, when not nil, must be the
// startup's version.
func (db *DB) StartPhase(ctx context.Context, slug string, version *int64, phase portfolio.Phase, start portfolio.Date) (*portfolio.Startup, error) {
	var out *portfolio.Startup
	err := db.mutate(ctx, "startPhase", portfolio.RoleManager, &out, func(w *wtx) error {
		s, err := w.startup("startup", slug)
		if err != nil {
			return err
		}
		if err := w.canWrite(s.IncubatorSlug); err != nil {
			return err
		}
		if version != nil && *version != s.Version {
			return conflict("startup", slug, s.Version, *version)
		}
		if err := checkDateField("start", start); err != nil {
			return err
		}
		before := *s
		before.Phases = append([]portfolio.PhasePeriod(nil), s.Phases...)
		cur := portfolio.PhaseAt(s.Phases, portfolio.NewDate(9999, 12, 31))
		var from portfolio.Phase
		if cur >= 0 {
			from = s.Phases[cur].Phase
			if start < s.Phases[cur].Start {
				return portfolio.FieldErrorf("start", "the new phase would start (%s) before the current phase %s started (%s)", start, from, s.Phases[cur].Start)
			}
		}
		if err := portfolio.CheckPhaseMove(from, phase); err != nil {
			return err
		}
		if cur >= 0 {
			// Close the current phase the day the next one starts.
			if _, err := w.exec(`UPDATE phases SET "end" = ?, source = 'RECORDED' WHERE startup_id = ? AND phase = ? AND start = ?`,
				start.String(), s.ID, string(from), s.Phases[cur].Start.String()); err != nil {
				return err
			}
			s.Phases[cur].End, s.Phases[cur].Source = start, portfolio.SourceRecorded
		}
		var seq int
		if err := w.tx.QueryRowContext(w.ctx, "SELECT max(?, coalesce(max(seq) + 1, 0)) FROM phases WHERE startup_id = ?", recordedSeqBase, s.ID).Scan(&seq); err != nil {
			return fmt.Errorf("startPhase: %w", err)
		}
		if _, err := w.exec(`INSERT INTO phases (startup_id, seq, phase, start, source) VALUES (?, ?, ?, ?, 'RECORDED')`, s.ID, seq, string(phase), start.String()); err != nil {
			return err
		}
		if _, err := w.exec(refreshNextStartsSQL, s.ID); err != nil {
			return err
		}
		s.Phases = append(s.Phases, portfolio.PhasePeriod{Phase: phase, Start: start, Source: portfolio.SourceRecorded})
		if err := w.bumpStartup(s); err != nil {
			return err
		}
		out = s
		if err := w.markEdited("startups", slug, "phases"); err != nil {
			return err
		}
		return w.audit("Startup", slug, before, s)
	})
	return out, err
}

func checkDateField(field string, d portfolio.Date) error {
	if d.IsZero() {
		return portfolio.FieldErrorf(field, "%s is required", field)
	}
	if d < portfolio.EarliestDate || d > portfolio.NewDate(2100, 1, 1) {
		return portfolio.FieldErrorf(field, "%s %s is out of range", field, d)
	}
	return nil
}

// writeStartupFields writes the editable columns, sponsors and tags of s.
func (w *wtx) writeStartupFields(s *portfolio.Startup, incID int64) error {
	if _, err := w.exec(`UPDATE startups SET name = ?, name_key = ?, pitch = ?, description = ?, search_text = ?, incubator_id = ?, link = ?, repository = ?, contact = ? WHERE id = ?`,
		s.Name, nameKey(s.Name), s.Pitch, s.Description, portfolio.Fold(s.Name+" "+s.Pitch), incID, s.Link, s.Repository, s.Contact, s.ID); err != nil {
		return err
	}
	if _, err := w.exec("DELETE FROM startup_sponsors WHERE startup_id = ?", s.ID); err != nil {
		return err
	}
	for i, o := range s.Sponsors {
		oid, err := w.exists("organisations", o)
		if err != nil {
			return err
		}
		if oid == 0 {
			return notFound("sponsors", "organisation", o)
		}
		if _, err := w.exec("INSERT OR IGNORE INTO startup_sponsors (startup_id, organisation_id, seq) VALUES (?, ?, ?)", s.ID, oid, i); err != nil {
			return err
		}
	}
	if _, err := w.exec("DELETE FROM startup_tags WHERE startup_id = ?", s.ID); err != nil {
		return err
	}
	for _, tag := range []struct {
		kind   string
		labels []string
	}{{"thematique", s.Thematiques}, {"usertype", s.Usertypes}, {"techno", s.Techno}} {
		for i, l := range tag.labels {
			if _, err := w.exec("INSERT INTO startup_tags (startup_id, kind, seq, label) VALUES (?, ?, ?, ?)", s.ID, tag.kind, i, l); err != nil {
				return err
			}
		}
	}
	return nil
}

func (w *wtx) incubatorID(field, slug string) (int64, error) {
	id, err := w.exists("incubators", slug)
	if err == nil && id == 0 {
		err = notFound(field, "incubator", slug)
	}
	return id, err
}

// CreateStartup creates a startup, optionally with its first phase.
func (db *DB) CreateStartup(ctx context.Context, s *portfolio.Startup, first *portfolio.PhasePeriod) (*portfolio.Startup, error) {
	var out *portfolio.Startup
	err := db.mutate(ctx, "createStartup", portfolio.RoleManager, &out, func(w *wtx) error {
		if err := s.ValidateEdit(); err != nil {
			return err
		}
		if err := w.canWrite(s.IncubatorSlug); err != nil {
			return err
		}
		incID, err := w.incubatorID("incubator", s.IncubatorSlug)
		if err != nil {
			return err
		}
		if id, err := w.exists("startups", s.Slug); err != nil {
			return err
		} else if id != 0 {
			return &portfolio.Error{Code: portfolio.EConflict, Field: "slug", Message: fmt.Sprintf("a startup %q already exists", s.Slug)}
		}
		res, err := w.exec("INSERT INTO startups (slug, name, name_key) VALUES (?, ?, ?)", s.Slug, s.Name, nameKey(s.Name))
		if err != nil {
			return err
		}
		if s.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := w.writeStartupFields(s, incID); err != nil {
			return err
		}
		if first != nil {
			if err := portfolio.CheckPhaseMove("", first.Phase); err != nil {
				return err
			}
			if err := checkDateField("start", first.Start); err != nil {
				return err
			}
			if _, err := w.exec(`INSERT INTO phases (startup_id, seq, phase, start, source) VALUES (?, ?, ?, ?, 'RECORDED')`,
				s.ID, recordedSeqBase, string(first.Phase), first.Start.String()); err != nil {
				return err
			}
			s.Phases = []portfolio.PhasePeriod{{Phase: first.Phase, Start: first.Start, Source: portfolio.SourceRecorded}}
		}
		s.Version = 1
		out = s
		if err := w.edited("startups", s.Slug, nil, s); err != nil {
			return err
		}
		if first != nil {
			if err := w.markEdited("startups", s.Slug, "phases"); err != nil {
				return err
			}
		}
		return w.audit("Startup", s.Slug, nil, s)
	})
	return out, err
}

// UpdateStartup applies patch to the startup with this slug if its version
// is still version.
func (db *DB) UpdateStartup(ctx context.Context, slug string, version int64, patch func(*portfolio.Startup) error) (*portfolio.Startup, error) {
	var out *portfolio.Startup
	err := db.mutate(ctx, "updateStartup", portfolio.RoleManager, &out, func(w *wtx) error {
		s, err := w.startup("id", slug)
		if err != nil {
			return err
		}
		if err := w.canWrite(s.IncubatorSlug); err != nil {
			return err
		}
		if s.Version != version {
			return conflict("startup", slug, s.Version, version)
		}
		before := *s
		if err := patch(s); err != nil {
			return err
		}
		if err := s.ValidateEdit(); err != nil {
			return err
		}
		if s.IncubatorSlug != before.IncubatorSlug {
			if err := w.canWrite(s.IncubatorSlug); err != nil {
				return err
			}
		}
		incID, err := w.incubatorID("incubator", s.IncubatorSlug)
		if err != nil {
			return err
		}
		if err := w.writeStartupFields(s, incID); err != nil {
			return err
		}
		if err := w.bumpStartup(s); err != nil {
			return err
		}
		out = s
		if err := w.edited("startups", slug, &before, s); err != nil {
			return err
		}
		return w.audit("Startup", slug, before, s)
	})
	return out, err
}

// ---------------------------------------------------------------- missions

func (w *wtx) mission(slug string) (*portfolio.Mission, error) {
	rows, err := w.tx.QueryContext(w.ctx, "SELECT "+missionCols+", mi.member_id FROM missions mi JOIN members mb ON mb.id = mi.member_id WHERE mi.slug = ?", slug)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	var m *portfolio.Mission
	var member int64
	for rows.Next() {
		m, err = scanMission(rows, &member)
	}
	rows.Close()
	if err != nil {
		return nil, err
	}
	if m == nil {
		return nil, notFound("id", "mission", slug)
	}
	srows, err := w.tx.QueryContext(w.ctx, "SELECT s.slug FROM mission_startups ms JOIN startups s ON s.id = ms.startup_id WHERE ms.mission_id = ? ORDER BY s.slug", m.ID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	defer srows.Close()
	for srows.Next() {
		var s string
		if err := srows.Scan(&s); err != nil {
			return nil, err
		}
		m.Startups = append(m.Startups, s)
	}
	return m, srows.Err()
}

// canWriteMission checks that the caller may write a mission on these
// startups: an admin any; a manager only missions on its own startups.
func (w *wtx) canWriteMission(startups []string) ([]int64, error) {
	ids := make([]int64, 0, len(startups))
	if w.id.Role != portfolio.RoleAdmin && len(startups) == 0 {
		return nil, portfolio.Errorf(portfolio.EForbidden, "a manager records missions on the startups of its incubators: name at least one")
	}
	for _, slug := range startups {
		s, err := w.startup("startups", slug)
		if err != nil {
			return nil, err
		}
		if err := w.canWrite(s.IncubatorSlug); err != nil {
			return nil, err
		}
		ids = append(ids, s.ID)
	}
	return ids, nil
}

func (w *wtx) writeMissionStartups(m *portfolio.Mission, ids []int64) error {
	if _, err := w.exec("DELETE FROM mission_startups WHERE mission_id = ?", m.ID); err != nil {
		return err
	}
	for _, id := range ids {
		if _, err := w.exec("INSERT OR IGNORE INTO mission_startups (mission_id, startup_id) VALUES (?, ?)", m.ID, id); err != nil {
			return err
		}
	}
	return nil
}

// missionConfers returns whether mission id confers rights over its member
// once its startups go from before to after (see rightsOver): unchanged
// startups keep the mission's flag, whoever edits its dates, status or
// employer; new startups confer only when written by a caller who had
// rights over the member before this write (an admin always), so a
// manager's edit never turns a mission it attached into a source of rights.
func (w *wtx) missionConfers(id int64, before, after []string) (bool, error) {
	var memberID int64
	var confers bool
	if err := w.tx.QueryRowContext(w.ctx, "SELECT member_id, confers_rights FROM missions WHERE id = ?", id).Scan(&memberID, &confers); err != nil {
		return false, fmt.Errorf("%s: %w", w.mutation, err)
	}
	if sameSet(before, after) {
		return confers, nil
	}
	return w.rightsOver(memberID)
}

// sameSet reports whether two lists hold the same strings, in any order
// and however often.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// AddMission records a new mission of a member. A manager may attach
// anyone to the startups of its incubators (a team is its business), but
// the mission gives it rights over the person's record only if it had them
// already (rightsOver).
func (db *DB) AddMission(ctx context.Context, m *portfolio.Mission) (*portfolio.Mission, error) {
	var out *portfolio.Mission
	err := db.mutate(ctx, "addMission", portfolio.RoleManager, &out, func(w *wtx) error {
		memberID, err := w.exists("members", m.MemberSlug)
		if err != nil {
			return err
		}
		if memberID == 0 {
			return notFound("member", "member", m.MemberSlug)
		}
		if err := m.Validate(); err != nil {
			return err
		}
		ids, err := w.canWriteMission(m.Startups)
		if err != nil {
			return err
		}
		// The mission confers rights over the person only if the caller
		// already had them: a manager cannot attach someone of another
		// incubator to its startups and then change their record.
		confers, err := w.rightsOver(memberID)
		if err != nil {
			return err
		}
		var seq int
		if err := w.tx.QueryRowContext(w.ctx, "SELECT max(?, coalesce(max(seq) + 1, 0)) FROM missions WHERE member_id = ?", recordedSeqBase, memberID).Scan(&seq); err != nil {
			return fmt.Errorf("addMission: %w", err)
		}
		m.Slug, m.Source, m.Version = m.MemberSlug+"/"+strconv.Itoa(seq+1), portfolio.SourceRecorded, 1
		res, err := w.exec(`INSERT INTO missions (slug, member_id, seq, start, "end", status, employer, source, version, confers_rights)
			VALUES (?, ?, ?, ?, ?, ?, ?, 'RECORDED', 1, ?)`,
			m.Slug, memberID, seq, m.Start.String(), nullDate(m.End), string(m.Status), m.Employer, confers)
		if err != nil {
			return err
		}
		if m.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if err := w.writeMissionStartups(m, ids); err != nil {
			return err
		}
		out = m
		if err := w.edited("missions", m.Slug, nil, m); err != nil {
			return err
		}
		return w.audit("Mission", m.Slug, nil, m)
	})
	return out, err
}

// UpdateMission applies patch to the mission with this slug if its version
// is still version. The mission becomes RECORDED, and imports keep the
// fields the patch changed.
func (db *DB) UpdateMission(ctx context.Context, mutation, slug string, version int64, patch func(*portfolio.Mission) error) (*portfolio.Mission, error) {
	var out *portfolio.Mission
	err := db.mutate(ctx, mutation, portfolio.RoleManager, &out, func(w *wtx) error {
		m, err := w.mission(slug)
		if err != nil {
			return err
		}
		if _, err := w.canWriteMission(m.Startups); err != nil {
			return err
		}
		if m.Version != version {
			return conflict("mission", slug, m.Version, version)
		}
		before := *m
		before.Startups = append([]string(nil), m.Startups...)
		if err := patch(m); err != nil {
			return err
		}
		if err := m.Validate(); err != nil {
			return err
		}
		ids, err := w.canWriteMission(m.Startups)
		if err != nil {
			return err
		}
		confers, err := w.missionConfers(m.ID, before.Startups, m.Startups)
		if err != nil {
			return err
		}
		m.Source, m.Version = portfolio.SourceRecorded, m.Version+1
		if _, err := w.exec(`UPDATE missions SET start = ?, "end" = ?, status = ?, employer = ?, source = 'RECORDED', version = ?, confers_rights = ? WHERE id = ?`,
			m.Start.String(), nullDate(m.End), string(m.Status), m.Employer, m.Version, confers, m.ID); err != nil {
			return err
		}
		if err := w.writeMissionStartups(m, ids); err != nil {
			return err
		}
		out = m
		if err := w.edited("missions", slug, &before, m); err != nil {
			return err
		}
		return w.audit("Mission", slug, before, m)
	})
	return out, err
}

// ---------------------------------------------------------------- incubators, organisations

// checkUpsert checks the version an upsert sends against the record's:
// none to create a record that does not exist, the current one to update
// one that does.
func checkUpsert(kind, slug string, exists bool, cur int64, version *int64) error {
	switch {
	case exists && version == nil:
		return &portfolio.Error{Code: portfolio.EConflict, Field: "version", Message: fmt.Sprintf("%s %q exists: send its version to update it", kind, slug)}
	case exists && *version != cur:
		return conflict(kind, slug, cur, *version)
	case !exists && version != nil:
		return notFound("slug", kind, slug)
	}
	return nil
}

// UpsertIncubator creates an incubator, or updates it when version (its
// current version) is given. Admins only.
func (db *DB) UpsertIncubator(ctx context.Context, i *portfolio.Incubator, version *int64) (*portfolio.Incubator, error) {
	var out *portfolio.Incubator
	err := db.mutate(ctx, "upsertIncubator", portfolio.RoleAdmin, &out, func(w *wtx) error {
		if err := i.ValidateEdit(); err != nil {
			return err
		}
		var owner any
		if i.OwnerSlug != "" {
			id, err := w.exists("organisations", i.OwnerSlug)
			if err != nil {
				return err
			}
			if id == 0 {
				return notFound("owner", "organisation", i.OwnerSlug)
			}
			owner = id
		}
		before, err := w.incubator(i.Slug)
		if err != nil {
			return err
		}
		var cur int64
		if before != nil {
			cur = before.Version
		}
		if err := checkUpsert("incubator", i.Slug, before != nil, cur, version); err != nil {
			return err
		}
		if before == nil {
			if _, err := w.exec(`INSERT INTO incubators (slug, title, name_key, owner_id, short_description, contact, website, github, address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				i.Slug, i.Title, nameKey(i.Title), owner, i.ShortDescription, i.Contact, i.Website, i.Github, i.Address); err != nil {
				return err
			}
		} else if _, err := w.exec(`UPDATE incubators SET title = ?, name_key = ?, owner_id = ?, short_description = ?, contact = ?, website = ?, github = ?, address = ?, version = version + 1 WHERE slug = ?`,
			i.Title, nameKey(i.Title), owner, i.ShortDescription, i.Contact, i.Website, i.Github, i.Address, i.Slug); err != nil {
			return err
		}
		i.Version = cur + 1
		out = i
		if err := w.edited("incubators", i.Slug, before, i); err != nil {
			return err
		}
		if before == nil {
			return w.audit("Incubator", i.Slug, nil, i)
		}
		return w.audit("Incubator", i.Slug, before, i)
	})
	return out, err
}

// UpsertOrganisation creates an organisation, or updates it when version
// (its current version) is given. Admins only.
func (db *DB) UpsertOrganisation(ctx context.Context, o *portfolio.Organisation, version *int64) (*portfolio.Organisation, error) {
	var out *portfolio.Organisation
	err := db.mutate(ctx, "upsertOrganisation", portfolio.RoleAdmin, &out, func(w *wtx) error {
		if err := o.ValidateEdit(); err != nil {
			return err
		}
		before, err := w.organisation(o.Slug)
		if err != nil {
			return err
		}
		var cur int64
		if before != nil {
			cur = before.Version
		}
		if err := checkUpsert("organisation", o.Slug, before != nil, cur, version); err != nil {
			return err
		}
		if before == nil {
			if _, err := w.exec(`INSERT INTO organisations (slug, name, name_key, acronym, type, domaine_ministeriel) VALUES (?, ?, ?, ?, ?, ?)`,
				o.Slug, o.Name, nameKey(o.Name), o.Acronym, o.Type, o.DomaineMinisteriel); err != nil {
				return err
			}
			o.Version = 1
			out = o
			if err := w.edited("organisations", o.Slug, nil, o); err != nil {
				return err
			}
			return w.audit("Organisation", o.Slug, nil, o)
		}
		if _, err := w.exec(`UPDATE organisations SET name = ?, name_key = ?, acronym = ?, type = ?, domaine_ministeriel = ?, version = version + 1 WHERE slug = ?`,
			o.Name, nameKey(o.Name), o.Acronym, o.Type, o.DomaineMinisteriel, o.Slug); err != nil {
			return err
		}
		o.Version = cur + 1
		out = o
		if err := w.edited("organisations", o.Slug, before, o); err != nil {
			return err
		}
		return w.audit("Organisation", o.Slug, before, o)
	})
	return out, err
}
