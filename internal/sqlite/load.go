package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// LoadOptions tune Load.
type LoadOptions struct {
	// Fresh says the database holds no records yet (a seed into a new file):
	// Load then skips the work that only an update needs.
	Fresh bool
	// Origin, when not nil, says what the load is, a seed or an import:
	// Load refuses it, writing nothing, when the database holds records of
	// another origin (an *OriginError; see Origin.Admits), and otherwise
	// records it with the data, as it is once fill has run (so fill may
	// set its Counts).
	Origin *OriginEvent
	// Add lets a seed write into a database already seeded.
	Add bool
	// Follow, when not nil, makes the database follow its source (a sync,
	// import --prune): the records the source deleted are deleted, its
	// renames applied, except what was written through the API (see
	// Follow).
	Follow *Follow
}

// LoadResult says what a Load changed, per kind of record ("startups",
// "members", …).
type LoadResult struct {
	Created   map[string]int
	Updated   map[string]int
	Unchanged map[string]int
	// Absent lists, per kind, the slugs of records the database holds but
	// the load did not mention: an import never deletes them.
	Absent map[string][]string
	// Skipped lists the records of the load that were deleted through the
	// API: the load did not re-create them.
	Skipped []Skip
	// Disagreements lists, per record and field, where the load's value
	// differs from the one written through the API, which the load kept.
	Disagreements []Disagreement
	// With Follow: the records deleted, the startups renamed, and the
	// records the source deleted that were kept because of what was
	// written through the API.
	Deleted []Ref
	Renamed []Rename
	Kept    []Kept
}

// Kinds lists the kinds of top-level records, in load order.
var Kinds = []string{"organisations", "incubators", "teams", "startups", "members"}

// Load runs fill in one write transaction, giving it a portfolio.Sink that
// upserts records by slug. Nothing is written when fill or the load fails.
// Records already stored with the same content are left untouched, so
// loading the same data twice changes nothing. What was done through the
// API stays: a record deleted through it is not re-created, a field written
// through it keeps its value (other fields follow the load), phases recorded
// through it stay; the result lists where the load disagrees, and every
// change the load makes to a record edited through the API goes to the
// audit log.
func (db *DB) Load(ctx context.Context, opts LoadOptions, fill func(portfolio.Sink) error) (*LoadResult, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("load: begin: %w", err)
	}
	defer tx.Rollback()
	l := &loader{tx: tx, fresh: opts.Fresh, now: time.Now().UTC(), stmts: map[string]*sql.Stmt{}, changes: &changeLog{}, res: &LoadResult{
		Created: map[string]int{}, Updated: map[string]int{}, Unchanged: map[string]int{}, Absent: map[string][]string{},
	}}
	defer l.close()
	if opts.Origin != nil {
		if _, err := admitOrigin(ctx, tx, db.Path, opts.Origin, opts.Add); err != nil {
			return nil, err
		}
	}
	var follow *following
	if opts.Follow != nil {
		if follow, err = l.follow(ctx, opts.Follow); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	if !opts.Fresh {
		if _, err := tx.ExecContext(ctx, "CREATE TEMP TABLE IF NOT EXISTS load_seen (kind TEXT NOT NULL, slug TEXT NOT NULL, PRIMARY KEY (kind, slug)) WITHOUT ROWID"); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM load_seen"); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
		if err := l.readAPIWork(ctx); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	if err := fill(l); err != nil {
		return nil, err
	}
	if follow != nil {
		if err := l.applyDeletions(ctx, follow); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	if !opts.Fresh && opts.Follow == nil {
		for _, kind := range Kinds {
			rows, err := tx.QueryContext(ctx, "SELECT slug FROM "+kind+" WHERE slug NOT IN (SELECT slug FROM load_seen WHERE kind = ?) ORDER BY slug", kind)
			if err != nil {
				return nil, fmt.Errorf("load: absent %s: %w", kind, err)
			}
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					rows.Close()
					return nil, fmt.Errorf("load: absent %s: %w", kind, err)
				}
				l.res.Absent[kind] = append(l.res.Absent[kind], s)
			}
			rows.Close()
		}
	}
	if !opts.Fresh {
		if _, err := tx.ExecContext(ctx, "DELETE FROM load_seen"); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	if opts.Origin != nil {
		if err := recordOrigin(ctx, tx, opts.Origin); err != nil {
			return nil, err
		}
	}
	// What hangs off records (phases, events, missions) is rewritten
	// whole: a Dataset change says that anything may have changed.
	method := MethodImport
	if opts.Origin != nil && opts.Origin.Method != "" {
		method = opts.Origin.Method
	}
	l.changes.add(KindDataset, method, OpUpdated)
	if err := l.changes.write(ctx, tx, l.now.Format("2006-01-02T15:04:05.000Z")); err != nil {
		return nil, fmt.Errorf("load: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("load: commit: %w", err)
	}
	db.changed()

	return l.res, nil
}

type loader struct {
	tx    *sql.Tx
	fresh bool
	now   time.Time
	stmts map[string]*sql.Stmt
	res   *LoadResult
	// changes are the change feed's rows of the load (changes.go).
	changes *changeLog
	// tombs and edits are what the API did (see edits.go); empty on a
	// fresh load.
	tombs map[Ref]Edit
	edits map[Ref]map[string]Edit
}

func (l *loader) close() {
	for _, s := range l.stmts {
		s.Close()
	}
}

func (l *loader) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	s, ok := l.stmts[q]
	if !ok {
		var err error
		if s, err = l.tx.PrepareContext(ctx, q); err != nil {
			return nil, fmt.Errorf("prepare %.40q: %w", q, err)
		}
		l.stmts[q] = s
	}
	return s.ExecContext(ctx, args...)
}

func (l *loader) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	s, ok := l.stmts[q]
	if !ok {
		var err error
		if s, err = l.tx.PrepareContext(ctx, q); err != nil {
			return l.tx.QueryRowContext(ctx, q, args...) // reports the same error on Scan
		}
		l.stmts[q] = s
	}
	return s.QueryRowContext(ctx, args...)
}

// upsert inserts or updates the row of a top-level record by slug, only
// when one of its columns differs, and returns its id. cols excludes slug.
func (l *loader) upsert(ctx context.Context, kind, slug string, cols []string, vals []any) (int64, error) {
	q := upsertSQL(kind, cols)
	args := append([]any{slug}, vals...)
	var id, version int64
	err := l.queryRow(ctx, q, args...).Scan(&id, &version)
	switch {
	case errors.Is(err, sql.ErrNoRows): // unchanged: the WHERE of DO UPDATE kept the row
		if err := l.queryRow(ctx, "SELECT id FROM "+kind+" WHERE slug = ?", slug).Scan(&id); err != nil {
			return 0, fmt.Errorf("%s %s: %w", kind, slug, err)
		}
		l.res.Unchanged[kind]++
	case err != nil:
		return 0, fmt.Errorf("%s %s: %w", kind, slug, err)
	case version == 1:
		l.res.Created[kind]++
		l.changes.add(kindOfTable[kind], slug, OpCreated)
	default:
		l.res.Updated[kind]++
		l.changes.add(kindOfTable[kind], slug, OpUpdated)
	}
	if !l.fresh {
		if _, err := l.exec(ctx, "INSERT OR IGNORE INTO load_seen (kind, slug) VALUES (?, ?)", kind, slug); err != nil {
			return 0, fmt.Errorf("%s %s: %w", kind, slug, err)
		}
	}
	return id, nil
}

var upsertCache sync.Map // table and columns -> statement

func upsertSQL(table string, cols []string) string {
	key := table + ":" + strings.Join(cols, ",")
	if q, ok := upsertCache.Load(key); ok {
		return q.(string)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "INSERT INTO %s (slug, %s) VALUES (?%s) ON CONFLICT (slug) DO UPDATE SET ",
		table, strings.Join(cols, ", "), strings.Repeat(", ?", len(cols)))
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s = excluded.%s", c, c)
	}
	b.WriteString(", version = version + 1 WHERE (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(table + "." + c)
	}
	b.WriteString(") IS NOT (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("excluded." + c)
	}
	b.WriteString(") RETURNING id, version")
	q := b.String()
	upsertCache.Store(key, q)
	return q
}

func nullDate(d portfolio.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// PutPhaseDefinition stores one of the network's phase records.
func (l *loader) PutPhaseDefinition(ctx context.Context, p *portfolio.PhaseDefinition) error {
	_, err := l.exec(ctx, `INSERT INTO phase_definitions (phase, label, ord, short_description) VALUES (?, ?, ?, ?)
		ON CONFLICT (phase) DO UPDATE SET label = excluded.label, ord = excluded.ord, short_description = excluded.short_description
		WHERE (label, ord, short_description) IS NOT (excluded.label, excluded.ord, excluded.short_description)`,
		string(p.Phase), p.Label, p.Order, p.ShortDescription)
	if err != nil {
		return fmt.Errorf("phase %s: %w", p.Phase, err)
	}
	return nil
}

// PutOrganisation upserts an organisation.
func (l *loader) PutOrganisation(ctx context.Context, o *portfolio.Organisation) error {
	rec := Ref{"organisations", o.Slug}
	if l.skip(rec, rec) {
		return nil
	}
	return putEdited(ctx, l, rec, rec, o, l.readOrganisation(ctx), func(o *portfolio.Organisation) error {
		_, err := l.upsert(ctx, "organisations", o.Slug,
			[]string{"name", "name_key", "acronym", "type", "domaine_ministeriel"},
			[]any{o.Name, nameKey(o.Name), o.Acronym, o.Type, o.DomaineMinisteriel})
		return err
	})
}

// PutIncubator upserts an incubator.
func (l *loader) PutIncubator(ctx context.Context, i *portfolio.Incubator) error {
	rec := Ref{"incubators", i.Slug}
	if l.skip(rec, rec) {
		return nil
	}
	return putEdited(ctx, l, rec, rec, i, l.readIncubator(ctx), func(i *portfolio.Incubator) error {
		owner, err := l.ref(ctx, "organisations", i.OwnerSlug)
		if err != nil {
			return err
		}
		_, err = l.upsert(ctx, "incubators", i.Slug,
			[]string{"title", "name_key", "owner_id", "short_description", "description", "contact", "website", "github", "address"},
			[]any{i.Title, nameKey(i.Title), owner, i.ShortDescription, i.Description, i.Contact, i.Website, i.Github, i.Address})
		return err
	})
}

// PutTeam upserts a team.
func (l *loader) PutTeam(ctx context.Context, t *portfolio.Team) error {
	if rec := (Ref{"teams", t.Slug}); l.skip(rec, rec) {
		return nil
	}
	inc, err := l.ref(ctx, "incubators", t.IncubatorSlug)
	if err != nil {
		return err
	}
	_, err = l.upsert(ctx, "teams", t.Slug, []string{"name", "mission", "incubator_id"}, []any{t.Name, t.Mission, inc})
	return err
}

// ref returns the id of the record of kind with this slug, or nil when the
// slug is empty or unknown.
func (l *loader) ref(ctx context.Context, kind, slug string) (any, error) {
	if slug == "" {
		return nil, nil
	}
	var id int64
	err := l.queryRow(ctx, "SELECT id FROM "+kind+" WHERE slug = ?", slug).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", kind, slug, err)
	}
	return id, nil
}

// PutStartup upserts a startup and replaces its imported phases, events,
// sponsors, tags and committees with the given ones.
func (l *loader) PutStartup(ctx context.Context, s *portfolio.Startup) error {
	rec := Ref{"startups", s.Slug}
	if l.skip(rec, rec) {
		return nil
	}
	return putEdited(ctx, l, rec, rec, s, l.readStartup(ctx), func(s *portfolio.Startup) error { return l.putStartup(ctx, s) })
}

func (l *loader) putStartup(ctx context.Context, s *portfolio.Startup) error {
	inc, err := l.ref(ctx, "incubators", s.IncubatorSlug)
	if err != nil {
		return err
	}
	var fastPromo, fastAmount any
	if s.Fast != nil {
		fastPromo, fastAmount = s.Fast.Promotion, s.Fast.AmountEuros
	}
	id, err := l.upsert(ctx, "startups", s.Slug,
		[]string{"name", "name_key", "pitch", "description", "search_text", "incubator_id", "link", "repository", "contact",
			"accessibility_status", "stats_url", "impact_url", "budget_url", "dashlord_url", "fast_promotion", "fast_amount",
			"security_homologation", "risk_analysis", "risk_analysis_url", "stats", "accessibility"},
		[]any{s.Name, nameKey(s.Name), s.Pitch, s.Description, portfolio.Fold(s.Name + " " + s.Pitch), inc, s.Link, s.Repository, s.Contact,
			s.AccessibilityStatus, s.StatsURL, s.ImpactURL, s.BudgetURL, s.DashlordURL, fastPromo, fastAmount,
			boolArg(s.SecurityHomologation), boolArg(s.RiskAnalysis), s.RiskAnalysisURL, boolArg(s.Stats), accessibilityArg(s)})
	if err != nil {
		return err
	}
	fail := func(what string, err error) error { return fmt.Errorf("startup %s: %s: %w", s.Slug, what, err) }
	if !l.fresh {
		for _, q := range []string{
			"DELETE FROM startup_sponsors WHERE startup_id = ?",
			"DELETE FROM startup_tags WHERE startup_id = ?",
			"DELETE FROM events WHERE startup_id = ?",
			"DELETE FROM phases WHERE startup_id = ? AND source = 'IMPORTED'",
			"DELETE FROM startup_incubators WHERE startup_id = ?",
			"DELETE FROM startup_redirects WHERE startup_id = ?",
			"DELETE FROM startup_contacts WHERE startup_id = ?",
		} {
			if _, err := l.exec(ctx, q, id); err != nil {
				return fail("clear", err)
			}
		}
	}
	for i, o := range s.Sponsors {
		if _, err := l.exec(ctx, "INSERT OR IGNORE INTO startup_sponsors (startup_id, organisation_id, seq) SELECT ?, id, ? FROM organisations WHERE slug = ?", id, i, o); err != nil {
			return fail("sponsors", err)
		}
	}
	for _, tag := range []struct {
		kind   string
		labels []string
	}{{"thematique", s.Thematiques}, {"usertype", s.Usertypes}, {"techno", s.Techno}} {
		kind := tag.kind
		for i, t := range tag.labels {
			if _, err := l.exec(ctx, "INSERT INTO startup_tags (startup_id, kind, seq, label) VALUES (?, ?, ?, ?)", id, kind, i, t); err != nil {
				return fail(kind, err)
			}
		}
	}
	// Phases recorded through the API stay; a snapshot phase equal to one
	// (same phase, same start) is not added twice, and a recorded phase the
	// snapshot lacks or ends otherwise is reported.
	var recorded []recordedPhase
	if !l.fresh {
		if recorded, err = l.recordedPhases(ctx, id); err != nil {
			return fail("phases", err)
		}
	}
	matched := make([]*portfolio.PhasePeriod, len(recorded))
	for i, p := range s.Phases {
		if j := slices.IndexFunc(recorded, func(r recordedPhase) bool { return r.Phase == p.Phase && r.Start == p.Start }); j >= 0 {
			if matched[j] == nil {
				matched[j] = &s.Phases[i]
			}
			continue
		}
		var next any
		if l.fresh && !p.Start.IsZero() {
			next = nullDate(portfolio.NextPhaseStart(s.Phases, i))
		}
		if _, err := l.exec(ctx, `INSERT INTO phases (startup_id, seq, phase, start, "end", source, next_start, comment, source_name) VALUES (?, ?, ?, ?, ?, 'IMPORTED', ?, ?, ?)
			ON CONFLICT DO NOTHING`, id, i, string(p.Phase), nullDate(p.Start), nullDate(p.End), next, p.Comment, p.SourceName); err != nil {
			return fail("phases", err)
		}
	}
	if !l.fresh {
		// Imported and recorded phases mix: work next_start out in SQL.
		if _, err := l.exec(ctx, refreshNextStartsSQL, id); err != nil {
			return fail("phases", err)
		}
	}
	l.phaseDisagreements(s.Slug, recorded, matched)
	if err := l.putReview(ctx, id, s); err != nil {
		return fail("review", err)
	}
	for i, e := range s.Events {
		if _, err := l.exec(ctx, "INSERT INTO events (startup_id, seq, name, date, comment) VALUES (?, ?, ?, ?, ?)", id, i, e.Name, nullDate(e.Date), e.Comment); err != nil {
			return fail("events", err)
		}
	}
	keep := make([]string, 0, len(s.Committees))
	in := Ref{"startups", s.Slug}
	for i := range s.Committees {
		rec := Ref{"committees", s.Committees[i].Slug}
		if l.skip(rec, in) {
			continue
		}
		// The records hold committees that took place: HELD. Their ask,
		// criteria and attendees are the API's alone, never written here.
		s.Committees[i].State = s.Committees[i].StateOrHeld()
		err := putEdited(ctx, l, rec, in, &s.Committees[i], l.readCommittee(ctx), func(c *portfolio.Committee) error {
			var budget any
			if c.BudgetEuros != nil {
				budget = *c.BudgetEuros
			}
			_, err := l.upsertChild(ctx, "committees", c.Slug,
				[]string{"startup_id", "date", "decision", "next_phase", "budget_euros", "next_committee_due", "comment", "source", "state"},
				[]any{id, c.Date.String(), string(c.Decision), nullString(string(c.NextPhase)), budget, nullDate(c.NextCommitteeDue), c.Comment, source(c.Source), string(c.State)})
			return err
		})
		if err != nil {
			return fail("committees", err)
		}
		keep = append(keep, rec.Slug)
	}
	if !l.fresh {
		if err := l.deleteOthers(ctx, "committees", "startup_id", id, keep); err != nil {
			return fail("committees", err)
		}
	}
	return nil
}

// upsertChild upserts a row of committees or missions (tables with a slug
// and a source) without counting it as a top-level record.
func (l *loader) upsertChild(ctx context.Context, table, slug string, cols []string, vals []any) (int64, error) {
	var id, version int64
	err := l.queryRow(ctx, upsertSQL(table, cols), append([]any{slug}, vals...)...).Scan(&id, &version)
	if errors.Is(err, sql.ErrNoRows) { // unchanged
		err = l.queryRow(ctx, "SELECT id FROM "+table+" WHERE slug = ?", slug).Scan(&id)
	}
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", table, slug, err)
	}
	return id, nil
}

// source is the source a load writes: RECORDED only for a row written
// through the API, whose stored source putEdited passes on.
func source(s portfolio.Source) string {
	if s == portfolio.SourceRecorded {
		return string(s)
	}
	return string(portfolio.SourceImported)
}

// deleteOthers removes the imported rows of table under parent whose slug is
// not in keep: a record's children mirror the snapshot.
func (l *loader) deleteOthers(ctx context.Context, table, parentCol string, parent int64, keep []string) error {
	sort.Strings(keep)
	rows, err := l.tx.QueryContext(ctx, "SELECT slug FROM "+table+" WHERE "+parentCol+" = ? AND source = 'IMPORTED'", parent)
	if err != nil {
		return err
	}
	var gone []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		if i := sort.SearchStrings(keep, s); i == len(keep) || keep[i] != s {
			gone = append(gone, s)
		}
	}
	rows.Close()
	for _, s := range gone {
		if _, err := l.exec(ctx, "DELETE FROM "+table+" WHERE slug = ?", s); err != nil {
			return err
		}
	}
	return nil
}

// PutMember upserts a member and replaces their imported missions,
// competences, teams and legacy startup lists with the given ones.
func (l *loader) PutMember(ctx context.Context, m *portfolio.Member) error {
	rec := Ref{"members", m.Slug}
	if l.skip(rec, rec) {
		return nil
	}
	return putEdited(ctx, l, rec, rec, m, l.readMember(ctx), func(m *portfolio.Member) error { return l.putMember(ctx, m) })
}

func (l *loader) putMember(ctx context.Context, m *portfolio.Member) error {
	domain := m.Domain
	if domain == "" {
		domain = portfolio.DomainOther
	}
	id, err := l.upsert(ctx, "members", m.Slug,
		[]string{"fullname", "name_key", "search_text", "role", "domain", "github", "link", "member_type", "bio"},
		[]any{m.Fullname, nameKey(m.Fullname), portfolio.Fold(m.Fullname), m.Role, string(domain), m.Github, m.Link, m.MemberType, m.Bio})
	if err != nil {
		return err
	}
	fail := func(what string, err error) error { return fmt.Errorf("member %s: %s: %w", m.Slug, what, err) }
	if !l.fresh {
		for _, q := range []string{
			"DELETE FROM member_competences WHERE member_id = ?",
			"DELETE FROM member_teams WHERE member_id = ?",
			"DELETE FROM member_startups WHERE member_id = ?",
		} {
			if _, err := l.exec(ctx, q, id); err != nil {
				return fail("clear", err)
			}
		}
	}
	for i, c := range m.Competences {
		if _, err := l.exec(ctx, "INSERT INTO member_competences (member_id, seq, label) VALUES (?, ?, ?)", id, i, c); err != nil {
			return fail("competences", err)
		}
	}
	for _, t := range m.Teams {
		if _, err := l.exec(ctx, "INSERT OR IGNORE INTO member_teams (member_id, team_id) SELECT ?, id FROM teams WHERE slug = ?", id, t); err != nil {
			return fail("teams", err)
		}
	}
	for kind, list := range map[string][]string{"current": m.LegacyStartups, "previous": m.PreviousStartups} {
		for _, s := range list {
			if _, err := l.exec(ctx, "INSERT OR IGNORE INTO member_startups (member_id, startup_id, kind) SELECT ?, id, ? FROM startups WHERE slug = ?", id, kind, s); err != nil {
				return fail("startups", err)
			}
		}
	}
	keep := make([]string, 0, len(m.Missions))
	in := Ref{"members", m.Slug}
	for i := range m.Missions {
		rec := Ref{"missions", m.Missions[i].Slug}
		if m.Missions[i].Start.IsZero() {
			// A mission covers the days from its start (DESIGN.md, "Team
			// at D"): without one it covers none, which the column (NOT
			// NULL, compared with start <= D) cannot say. The importer
			// skips such a mission and reports it.
			return portfolio.Errorf(portfolio.EInvalid, "member %s: mission %s has no start", m.Slug, m.Missions[i].Slug)
		}
		if l.skip(rec, in) {
			continue
		}
		err := putEdited(ctx, l, rec, in, &m.Missions[i], l.readMission(ctx), func(ms *portfolio.Mission) error {
			mid, err := l.upsertChild(ctx, "missions", ms.Slug,
				[]string{"member_id", "seq", "start", `"end"`, "status", "employer", "source"},
				[]any{id, i, ms.Start.String(), nullDate(ms.End), nullString(string(ms.Status)), ms.Employer, source(ms.Source)})
			if err != nil {
				return err
			}
			if !l.fresh {
				// Only the links the record no longer has: the others are
				// kept (and their inserts below ignored), so that a reload
				// does not write the startups' mission lists again
				// (migrations/0028) for links that did not change.
				keep, err := json.Marshal(ms.Startups)
				if err != nil {
					return err
				}
				if _, err := l.exec(ctx, `DELETE FROM mission_startups WHERE mission_id = ?
					AND startup_id NOT IN (SELECT id FROM startups WHERE slug IN (SELECT value FROM json_each(?)))`, mid, string(keep)); err != nil {
					return err
				}
			}
			for _, s := range ms.Startups {
				if _, err := l.exec(ctx, "INSERT OR IGNORE INTO mission_startups (mission_id, startup_id) SELECT ?, id FROM startups WHERE slug = ?", mid, s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fail("missions", err)
		}
		keep = append(keep, rec.Slug)
	}
	if !l.fresh {
		if err := l.deleteOthers(ctx, "missions", "member_id", id, keep); err != nil {
			return fail("missions", err)
		}
	}
	return nil
}

// refreshNextStartsSQL recomputes next_start for the phases of one startup
// (parameter: its id): the earliest later start, or a phase starting the
// same day and listed later.
const refreshNextStartsSQL = `UPDATE phases SET next_start = (
	SELECT min(q.start) FROM phases q
	WHERE q.startup_id = phases.startup_id AND q.start IS NOT NULL
		AND (q.start > phases.start OR (q.start = phases.start AND q.seq > phases.seq))
) WHERE startup_id = ? AND start IS NOT NULL`

// recordedPhase is a phase recorded through the API, as a load finds it.
type recordedPhase struct {
	Phase      portfolio.Phase
	Start, End portfolio.Date
}

func (p recordedPhase) String() string { return phaseText(p.Phase, p.Start, p.End) }

func phaseText(p portfolio.Phase, start, end portfolio.Date) string {
	s := string(p) + " " + start.String() + ".."
	if !end.IsZero() {
		s += end.String()
	}
	return s
}

// recordedPhases returns the phases of a startup recorded through the API.
func (l *loader) recordedPhases(ctx context.Context, startupID int64) ([]recordedPhase, error) {
	rows, err := l.tx.QueryContext(ctx, `SELECT phase, coalesce(start, ''), coalesce("end", '') FROM phases WHERE startup_id = ? AND source = 'RECORDED' ORDER BY start, seq`, startupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recordedPhase
	for rows.Next() {
		var p recordedPhase
		var start, end string
		if err := rows.Scan(&p.Phase, &start, &end); err != nil {
			return nil, err
		}
		p.Start, p.End = parseDate(start), parseDate(end)
		out = append(out, p)
	}
	return out, rows.Err()
}

// phaseDisagreements notes, as one disagreement on the startup's phases,
// the recorded phases that the snapshot lacks (matched[i] nil) or ends on
// another day.
func (l *loader) phaseDisagreements(slug string, recorded []recordedPhase, matched []*portfolio.PhasePeriod) {
	var kept, snap []string
	for i, r := range recorded {
		switch m := matched[i]; {
		case m == nil:
			kept = append(kept, r.String())
			snap = append(snap, "no "+string(r.Phase)+" from "+r.Start.String())
		case m.End != r.End:
			kept = append(kept, r.String())
			snap = append(snap, phaseText(m.Phase, m.Start, m.End))
		}
	}
	if len(kept) == 0 {
		return
	}
	rec := Ref{"startups", slug}
	e := l.edits[rec]["phases"] // none for phases recorded before the edits were noted
	l.res.Disagreements = append(l.res.Disagreements, Disagreement{Record: rec, In: rec, Field: "phases",
		Kept: show(strings.Join(kept, ", ")), Snapshot: show(strings.Join(snap, ", ")), Edit: e})
}
