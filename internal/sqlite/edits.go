package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// What the API did that an import must not undo. Every mutation notes, in
// its own transaction, the fields it wrote (table api_edits) and the records
// it deleted (table tombstones); Load reads both once, keeps the value of
// every edited field, re-creates no deleted record, and reports where the
// snapshot disagrees.
//
// To give a new kind of record the same rules (createMember, updateMember):
// list its fields in editable, call w.edited (or w.deleted) in its
// mutations, and route its Put through putEdited with a reader.

// editField is a field the API writes: the name the API gives it, and the
// field of the domain struct that holds it ("" when the import merges it
// item by item rather than keeping it whole, as a startup's phases).
type editField struct{ name, goField string }

// apiOnly lists, per kind, the fields the records never hold (a
// committee's ask, criteria, attendees): the import never writes them, so
// they keep the API's value by themselves, and it never compares them (the
// snapshot's silence is no disagreement); a write notes them like the
// others.
var apiOnly = map[string]map[string]bool{
	"committees": {"ask": true, "hypotheses": true, "successCriteria": true, "documentUrl": true, "attendees": true},
}

// editKind describes a kind of record the API writes.
type editKind struct {
	objectType string // as the audit log names it
	fields     []editField
}

// editable lists, per kind (the record's table), the fields the API writes.
// The names are those of the API's inputs; migrations/0005 repeats them
// (members came later, with createMember and updateMember: no earlier
// write to recover).
var editable = map[string]editKind{
	"startups": {"Startup", []editField{
		{"name", "Name"}, {"pitch", "Pitch"}, {"incubator", "IncubatorSlug"}, {"sponsors", "Sponsors"},
		{"thematiques", "Thematiques"}, {"usertypes", "Usertypes"}, {"link", "Link"}, {"repository", "Repository"},
		{"phases", ""},
	}},
	"incubators": {"Incubator", []editField{
		{"title", "Title"}, {"owner", "OwnerSlug"}, {"shortDescription", "ShortDescription"}, {"contact", "Contact"},
		{"website", "Website"}, {"github", "Github"}, {"address", "Address"},
	}},
	"organisations": {"Organisation", []editField{
		{"name", "Name"}, {"acronym", "Acronym"}, {"type", "Type"}, {"ministerialDomain", "DomaineMinisteriel"},
	}},
	"committees": {"Committee", []editField{
		{"date", "Date"}, {"decision", "Decision"}, {"nextPhase", "NextPhase"}, {"budgetEuros", "BudgetEuros"},
		{"nextCommitteeDue", "NextCommitteeDue"}, {"comment", "Comment"}, {"state", "State"},
		{"ask", "Ask"}, {"hypotheses", "HypothesesList"}, {"successCriteria", "SuccessCriteriaList"},
		{"documentUrl", "DocumentURL"}, {"attendees", "Attendees"},
	}},
	"missions": {"Mission", []editField{
		{"start", "Start"}, {"end", "End"}, {"status", "Status"}, {"employer", "Employer"}, {"startups", "Startups"},
	}},
	"members": {"Member", []editField{
		{"fullname", "Fullname"}, {"role", "Role"}, {"domain", "Domain"}, {"competences", "Competences"},
		{"github", "Github"}, {"link", "Link"}, {"memberType", "MemberType"}, {"bio", "Bio"},
	}},
}

// Ref names a record: its kind (its table: "startups", "committees", …)
// and its slug.
type Ref struct{ Kind, Slug string }

// String returns "startup arrosoir".
func (r Ref) String() string { return strings.TrimSuffix(r.Kind, "s") + " " + r.Slug }

// Edit says who last wrote a field, or deleted a record, through the API.
type Edit struct {
	At        string // RFC 3339 UTC
	TokenName string
	Mutation  string
}

// String returns "updateStartup by alice, 2026-08-21".
func (e Edit) String() string {
	s := e.Mutation
	if s == "" {
		s = "through the API"
	}
	if e.TokenName != "" {
		s += " by " + e.TokenName
	}
	if len(e.At) >= 10 {
		s += ", " + e.At[:10]
	}
	return s
}

// Skip is a record of the load that was deleted through the API: the load
// does not re-create it.
type Skip struct {
	Record Ref
	In     Ref // the top-level record holding it; Record itself for a top-level one
	Edit   Edit
}

// String says what was skipped and why.
func (s Skip) String() string {
	return fmt.Sprintf("%s was deleted through the API (%s): not re-created", s.Record, s.Edit)
}

// Disagreement is a field written through the API whose value the load
// has another value for: the load kept the API's.
type Disagreement struct {
	Record Ref
	In     Ref // the top-level record holding it; Record itself for a top-level one
	Field  string
	// Kept and Snapshot are the values, as JSON, shortened when long.
	Kept, Snapshot string
	Edit           Edit
}

// String says which field disagrees, with both values.
func (d Disagreement) String() string {
	return fmt.Sprintf("%s: %s: kept %s (%s); snapshot %s", d.Record, d.Field, d.Kept, d.Edit, d.Snapshot)
}

// maxShown is how many characters of a value a disagreement shows.
const maxShown = 80

// show renders a value for a disagreement: JSON, strings cut to maxShown
// characters.
func show(v any) string {
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		s := rv.String()
		if utf8.RuneCountInString(s) > maxShown {
			s = string([]rune(s)[:maxShown-1]) + "…"
		}
		v = s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSuffix(b.String(), "\n")
	if utf8.RuneCountInString(s) > maxShown+2 {
		s = string([]rune(s)[:maxShown]) + "…"
	}
	return s
}

// fieldOf returns the named field of a struct or pointer to one.
func fieldOf(v any, goField string) reflect.Value {
	return reflect.Indirect(reflect.ValueOf(v)).FieldByName(goField)
}

// same reports whether two field values are equal, a nil list being equal
// to an empty one.
func same(a, b reflect.Value) bool {
	if a.Kind() == reflect.Slice && a.Len() == 0 && b.Len() == 0 {
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}

func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// ---------------------------------------------------------------- mutations

func (w *wtx) at() string { return w.now.Format("2006-01-02T15:04:05.000Z") }

func (w *wtx) tokenID() any {
	if w.id.TokenID == 0 {
		return nil
	}
	return w.id.TokenID
}

// edited notes the fields of a record that the mutation wrote, so that
// imports keep their values: on a creation (before nil) every field the
// API sets, otherwise those whose value changed. A creation also lifts the
// tombstone of an earlier record with the same slug.
func (w *wtx) edited(kind, slug string, before, after any) error {
	var fields []string
	for _, f := range editable[kind].fields {
		if f.goField != "" && (isNil(before) || !same(fieldOf(before, f.goField), fieldOf(after, f.goField))) {
			fields = append(fields, f.name)
		}
	}
	if isNil(before) {
		if _, err := w.exec("DELETE FROM tombstones WHERE kind = ? AND slug = ?", kind, slug); err != nil {
			return err
		}
	}
	return w.markEdited(kind, slug, fields...)
}

// markEdited notes that the mutation wrote these fields of a record.
func (w *wtx) markEdited(kind, slug string, fields ...string) error {
	for _, f := range fields {
		if _, err := w.exec(`INSERT INTO api_edits (kind, slug, field, edited_at, token_id, token_name, mutation) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (kind, slug, field) DO UPDATE SET edited_at = excluded.edited_at, token_id = excluded.token_id,
				token_name = excluded.token_name, mutation = excluded.mutation`,
			kind, slug, f, w.at(), w.tokenID(), w.id.TokenName, w.mutation); err != nil {
			return err
		}
	}
	return nil
}

// deleted writes the tombstone of a record the mutation deleted, so that
// imports do not re-create it, and forgets its edited fields.
func (w *wtx) deleted(kind, slug string) error {
	if _, err := w.exec(`INSERT OR REPLACE INTO tombstones (kind, slug, deleted_at, token_id, token_name, mutation) VALUES (?, ?, ?, ?, ?, ?)`,
		kind, slug, w.at(), w.tokenID(), w.id.TokenName, w.mutation); err != nil {
		return err
	}
	_, err := w.exec("DELETE FROM api_edits WHERE kind = ? AND slug = ?", kind, slug)
	return err
}

// ---------------------------------------------------------------- imports

// importIdentity is who the audit log names for the changes of an import.
var importIdentity = &portfolio.Identity{TokenName: "import", Role: portfolio.RoleAdmin}

// readAPIWork loads the tombstones and edited fields for the load.
func (l *loader) readAPIWork(ctx context.Context) error {
	l.tombs, l.edits = map[Ref]Edit{}, map[Ref]map[string]Edit{}
	rows, err := l.tx.QueryContext(ctx, "SELECT kind, slug, deleted_at, token_name, mutation FROM tombstones")
	if err != nil {
		return fmt.Errorf("tombstones: %w", err)
	}
	for rows.Next() {
		var r Ref
		var e Edit
		if err := rows.Scan(&r.Kind, &r.Slug, &e.At, &e.TokenName, &e.Mutation); err != nil {
			rows.Close()
			return fmt.Errorf("tombstones: %w", err)
		}
		l.tombs[r] = e
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("tombstones: %w", err)
	}
	rows, err = l.tx.QueryContext(ctx, "SELECT kind, slug, field, edited_at, token_name, mutation FROM api_edits")
	if err != nil {
		return fmt.Errorf("api edits: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Ref
		var f string
		var e Edit
		if err := rows.Scan(&r.Kind, &r.Slug, &f, &e.At, &e.TokenName, &e.Mutation); err != nil {
			return fmt.Errorf("api edits: %w", err)
		}
		if l.edits[r] == nil {
			l.edits[r] = map[string]Edit{}
		}
		l.edits[r][f] = e
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("api edits: %w", err)
	}
	return nil
}

// skip reports whether a record of the load was deleted through the API,
// and notes it in the result when so.
func (l *loader) skip(rec, in Ref) bool {
	e, ok := l.tombs[rec]
	if ok {
		l.res.Skipped = append(l.res.Skipped, Skip{Record: rec, In: in, Edit: e})
	}
	return ok
}

// w returns a write transaction on the load's, for the readers and the
// audit log of the mutations.
func (l *loader) w(ctx context.Context) *wtx {
	return &wtx{ctx: ctx, tx: l.tx, id: importIdentity, mutation: "import", now: l.now}
}

// orNil turns a NOT_FOUND error of a reader into a nil record.
func orNil[T any](v *T, err error) (*T, error) {
	if portfolio.ErrorCode(err) == portfolio.ENotFound {
		return nil, nil
	}
	return v, err
}

// putEdited writes snap with put. When fields of the record were written
// through the API, put gets a copy of snap holding the stored value of each
// of them (and the stored source), every disagreement is noted, and a
// change to the record is written to the audit log with the record as read
// before and after. Records nobody edited take the fast path: put(snap).
func putEdited[T any](ctx context.Context, l *loader, rec, in Ref, snap *T, read func(slug string) (*T, error), put func(*T) error) error {
	edits := l.edits[rec]
	if len(edits) == 0 {
		return put(snap)
	}
	before, err := orNil(read(rec.Slug))
	if err != nil {
		return fmt.Errorf("%s: %w", rec, err)
	}
	if before == nil {
		return put(snap)
	}
	merged := *snap
	for _, f := range editable[rec.Kind].fields {
		e, ok := edits[f.name]
		if !ok || f.goField == "" || apiOnly[rec.Kind][f.name] {
			continue
		}
		sv, cv := fieldOf(&merged, f.goField), fieldOf(before, f.goField)
		if !same(sv, cv) {
			l.res.Disagreements = append(l.res.Disagreements, Disagreement{Record: rec, In: in, Field: f.name,
				Kept: show(cv.Interface()), Snapshot: show(sv.Interface()), Edit: e})
			sv.Set(cv)
		}
	}
	if src := fieldOf(&merged, "Source"); src.IsValid() {
		src.Set(fieldOf(before, "Source"))
	}
	if err := put(&merged); err != nil {
		return err
	}
	after, err := read(rec.Slug)
	if err != nil {
		return fmt.Errorf("%s: %w", rec, err)
	}
	b, err := json.Marshal(before)
	if err != nil {
		return fmt.Errorf("%s: %w", rec, err)
	}
	a, err := json.Marshal(after)
	if err != nil {
		return fmt.Errorf("%s: %w", rec, err)
	}
	if bytes.Equal(a, b) {
		return nil
	}
	return l.w(ctx).audit(editable[rec.Kind].objectType, rec.Slug, before, after)
}

// Readers of a record as the audit log shows it, inside the load.

func (l *loader) readStartup(ctx context.Context) func(string) (*portfolio.Startup, error) {
	return func(slug string) (*portfolio.Startup, error) {
		w := l.w(ctx)
		s, err := w.startup("slug", slug)
		if err != nil {
			return nil, err
		}
		rows, err := l.tx.QueryContext(ctx, "SELECT name, coalesce(date, ''), comment FROM events WHERE startup_id = ? ORDER BY seq", s.ID)
		if err != nil {
			return nil, fmt.Errorf("events: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e portfolio.StartupEvent
			var d string
			if err := rows.Scan(&e.Name, &d, &e.Comment); err != nil {
				return nil, fmt.Errorf("events: %w", err)
			}
			e.Date = parseDate(d)
			s.Events = append(s.Events, e)
		}
		return s, rows.Err()
	}
}

func (l *loader) readIncubator(ctx context.Context) func(string) (*portfolio.Incubator, error) {
	return func(slug string) (*portfolio.Incubator, error) { return l.w(ctx).incubator(slug) }
}

func (l *loader) readOrganisation(ctx context.Context) func(string) (*portfolio.Organisation, error) {
	return func(slug string) (*portfolio.Organisation, error) { return l.w(ctx).organisation(slug) }
}

func (l *loader) readCommittee(ctx context.Context) func(string) (*portfolio.Committee, error) {
	return func(slug string) (*portfolio.Committee, error) { return l.w(ctx).committee(slug) }
}

func (l *loader) readMission(ctx context.Context) func(string) (*portfolio.Mission, error) {
	return func(slug string) (*portfolio.Mission, error) { return l.w(ctx).mission(slug) }
}

// incubator reads an incubator inside the transaction; nil when there is
// none with this slug.
func (w *wtx) incubator(slug string) (*portfolio.Incubator, error) {
	return readOne(w, "SELECT "+incubatorCols+" FROM incubators i WHERE i.slug = ?", slug, scanIncubator)
}

// organisation reads an organisation inside the transaction; nil when
// there is none with this slug.
func (w *wtx) organisation(slug string) (*portfolio.Organisation, error) {
	return readOne(w, "SELECT "+organisationCols+" FROM organisations o WHERE o.slug = ?", slug, scanOrganisation)
}

func readOne[T any](w *wtx, q, slug string, scan func(*sql.Rows, ...any) (*T, error)) (*T, error) {
	rows, err := w.tx.QueryContext(w.ctx, q, slug)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	defer rows.Close()
	var v *T
	for rows.Next() {
		if v, err = scan(rows); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", w.mutation, err)
	}
	return v, nil
}
