package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The origin of a database: whether its records are a synthetic network
// written by the seed or real records imported from a snapshot. The two
// never mix: an import never deletes, so invented records added to real
// ones (or real ones to a demo) could not be taken out again.

// OriginKind says where the records of a database came from.
type OriginKind string

// The kinds of origin.
const (
	// OriginEmpty: nothing seeded or imported yet.
	OriginEmpty OriginKind = "empty"
	// OriginSeeded: a synthetic network written by the seed.
	OriginSeeded OriginKind = "seeded"
	// OriginImported: records imported from snapshots of the network.
	OriginImported OriginKind = "imported"
	// OriginMixed: synthetic and real records together, written before
	// origins were recorded. Neither a seed nor an import may add to it.
	OriginMixed OriginKind = "mixed"
)

// OriginEvent is one seed or import recorded in the database, or the
// classification of a database made before origins were recorded.
type OriginEvent struct {
	Kind   OriginKind
	At     time.Time
	Source string         // imported: the snapshot's folder, or the repository synced (without credentials)
	Scale  int            // seeded: the scale
	Counts map[string]int // records written, by kind ("startups", …)
	// Legacy marks the classification, from its contents, of a database
	// made before origins were recorded; Counts then holds "startups" and
	// "synthetic startups".
	Legacy bool
	// Ref, Commit and CommittedAt name, for a sync, the branch followed,
	// the commit synced and its commit date (with the committer's offset).
	Ref, Commit string
	CommittedAt time.Time
	// RecordsAsOf is the day the records describe, and RecordsBasis what
	// gave it (one of the Basis… constants); zero and "" for an event
	// recorded before the records were dated.
	RecordsAsOf  portfolio.Date
	RecordsBasis string
	// Method says how the records were written: MethodImport,
	// MethodPrune, MethodSync, MethodSyncFull or MethodSeed ("" before it
	// was recorded).
	Method string
	// Program identifies the build of the program that wrote a sync.
	Program string
}

// What dated the records of an origin event (OriginEvent.RecordsBasis).
const (
	BasisCommit    = "commit"     // the synced commit's date
	BasisRecords   = "records"    // the newest date found in the records of a folder
	BasisStated    = "stated"     // given by whoever imported (import --records-date)
	BasisSeed      = "seed"       // the synthetic network's fixed today
	BasisImportDay = "import-day" // nothing better: the day of the import, said as such
)

// How the records of an origin event were written (OriginEvent.Method).
const (
	MethodImport   = "import"         // a folder, never deleting
	MethodPrune    = "import --prune" // a folder, deleting what it no longer has
	MethodSync     = "sync"           // the records a commit changed since the last one synced
	MethodSyncFull = "sync (full)"    // a commit's whole tree compared with the database
	MethodSeed     = "seed"           // the synthetic network
)

// Synced reports whether the event is a sync of a git repository.
func (e OriginEvent) Synced() bool { return e.Commit != "" }

// ShortCommit returns the commit's first 12 hexadecimal digits.
func (e OriginEvent) ShortCommit() string {
	if len(e.Commit) > 12 {
		return e.Commit[:12]
	}
	return e.Commit
}

// Origin is where the records of a database came from.
type Origin struct {
	Kind   OriginKind
	Events []OriginEvent // oldest first; none when empty
}

// Admits reports whether a seed (kind OriginSeeded) or an import
// (OriginImported) may write into a database of this origin: anything into
// an empty one, an import into an imported one, a seed into a seeded one
// only when add says so explicitly; nothing into a mixed one.
func (o Origin) Admits(kind OriginKind, add bool) bool {
	switch o.Kind {
	case OriginEmpty:
		return true
	case OriginImported:
		return kind == OriginImported
	case OriginSeeded:
		return kind == OriginSeeded && add
	}
	return false
}

// String says in one line where the records came from: "imported from DIR
// on 2026-08-21 09:30 UTC", with the number of imports or seeds when there
// were several.
func (o Origin) String() string {
	if o.Kind == OriginEmpty || len(o.Events) == 0 {
		return "empty: nothing seeded or imported yet"
	}
	last := o.Events[len(o.Events)-1]
	s := last.String()
	if n := len(o.Events); n > 1 {
		noun := "imports"
		if o.Kind == OriginSeeded {
			noun = "seeds"
		}
		first := o.Events[0]
		when := "on " + first.When()
		if first.Legacy {
			when = "before origins were recorded"
		}
		s += fmt.Sprintf(" (%d %s, the first %s)", n, noun, when)
	}
	if o.Kind == OriginMixed && !last.Legacy {
		s = "records of mixed origin, the last " + s
	}
	return s
}

// When is the event's time as the command line and /readyz show it.
func (e OriginEvent) When() string { return e.At.UTC().Format("2006-01-02 15:04 UTC") }

// String describes the event in one line.
func (e OriginEvent) String() string {
	if e.Legacy {
		n, syn := e.Counts["startups"], e.Counts["synthetic startups"]
		switch e.Kind {
		case OriginSeeded:
			return fmt.Sprintf("seeded before origins were recorded (%d startups, all synthetic)", n)
		case OriginImported:
			return fmt.Sprintf("imported before origins were recorded (%d startups, none synthetic)", n)
		}
		return fmt.Sprintf("synthetic and real records mixed before origins were recorded (%d synthetic startups, %d others)", syn, n-syn)
	}
	switch e.Kind {
	case OriginSeeded:
		return fmt.Sprintf("seeded at scale %d on %s", e.Scale, e.When())
	case OriginImported:
		if e.Synced() {
			return fmt.Sprintf("synced from %s (%s) at commit %s of %s on %s", e.Source, e.Ref, e.ShortCommit(),
				e.CommittedAt.UTC().Format("2006-01-02 15:04 UTC"), e.When())
		}
		return fmt.Sprintf("imported from %s on %s", e.Source, e.When())
	}
	return fmt.Sprintf("%s on %s", e.Kind, e.When())
}

// CountsLine lists the event's counts, "startups 662, members 3484, …",
// in a fixed order.
func (e OriginEvent) CountsLine() string {
	keys := make([]string, 0, len(e.Counts))
	for k := range e.Counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %d", k, e.Counts[k])
	}
	return strings.Join(parts, ", ")
}

// OriginError is the refusal of a seed or an import into a database whose
// records come from elsewhere (errors.As finds it in Load's error).
type OriginError struct {
	Path string     // the database file
	Have Origin     // what it holds
	Want OriginKind // what the refused load would have written
}

// Error says what was refused and why, without the command-line advice
// (the commands add it).
func (e *OriginError) Error() string {
	switch {
	case e.Have.Kind == OriginSeeded && e.Want == OriginSeeded:
		return fmt.Sprintf("%s already holds a synthetic network, %s; nothing written", e.Path, e.Have)
	case e.Have.Kind == OriginImported:
		return fmt.Sprintf("%s holds real records, %s: synthetic ones would mix with them, for good (an import never deletes); nothing written", e.Path, e.Have)
	case e.Have.Kind == OriginSeeded:
		return fmt.Sprintf("%s holds a synthetic network, %s: real records would mix with invented ones; nothing written", e.Path, e.Have)
	}
	return fmt.Sprintf("%s holds %s; nothing written", e.Path, e.Have)
}

// Origin returns where the records of the database came from. A database
// made before origins were recorded is classified from its contents.
func (db *DB) Origin(ctx context.Context) (Origin, error) {
	noteVolatile(ctx)
	o, err := readOrigin(ctx, db.read)
	if err != nil {
		return Origin{}, fmt.Errorf("origin: %w", err)
	}
	return o, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// readOrigin reads the recorded events or, when there are none (or no
// origin table: a database of an older schema opened for inspection),
// classifies the contents.
func readOrigin(ctx context.Context, q querier) (Origin, error) {
	var hasTable int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'origin'").Scan(&hasTable); err != nil {
		return Origin{}, err
	}
	var events []OriginEvent
	if hasTable > 0 {
		var err error
		if events, err = originEvents(ctx, q); err != nil {
			return Origin{}, err
		}
	}
	if len(events) == 0 {
		ev, err := classify(ctx, q, time.Now())
		if err != nil || ev == nil {
			return Origin{Kind: OriginEmpty}, err
		}
		events = []OriginEvent{*ev}
	}
	o := Origin{Kind: events[0].Kind, Events: events}
	for _, e := range events[1:] {
		if e.Kind != o.Kind {
			o.Kind = OriginMixed
		}
	}
	return o, nil
}

func originEvents(ctx context.Context, q querier) ([]OriginEvent, error) {
	// A database of an older schema, opened for inspection without its
	// migrations, lacks the columns of 0012.
	var dated int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM pragma_table_info('origin') WHERE name = 'program'").Scan(&dated); err != nil {
		return nil, err
	}
	cols := "ref, commit_hash, committed_at, records_as_of, records_basis, method, program"
	if dated == 0 {
		cols = "'', '', '', '', '', '', ''"
	}
	rows, err := q.QueryContext(ctx, "SELECT kind, at, source, coalesce(scale, 0), counts, legacy, "+cols+" FROM origin ORDER BY id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OriginEvent
	for rows.Next() {
		var e OriginEvent
		var kind, at, counts, committed, asOf string
		if err := rows.Scan(&kind, &at, &e.Source, &e.Scale, &counts, &e.Legacy,
			&e.Ref, &e.Commit, &committed, &asOf, &e.RecordsBasis, &e.Method, &e.Program); err != nil {
			return nil, err
		}
		e.Kind = OriginKind(kind)
		if e.At, err = time.Parse(time.RFC3339, at); err != nil {
			return nil, fmt.Errorf("origin row at %q: %w", at, err)
		}
		if committed != "" {
			if e.CommittedAt, err = time.Parse(time.RFC3339, committed); err != nil {
				return nil, fmt.Errorf("origin row committed_at %q: %w", committed, err)
			}
		}
		if asOf != "" {
			if e.RecordsAsOf, err = portfolio.ParseDate(asOf); err != nil {
				return nil, fmt.Errorf("origin row records_as_of %q: %w", asOf, err)
			}
		}
		if err := json.Unmarshal([]byte(counts), &e.Counts); err != nil {
			return nil, fmt.Errorf("origin row counts %q: %w", counts, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// syntheticMarker is in the description of every startup the seed wrote
// before origins were recorded (internal/seed, startupRecord); no real
// record has it, nor a link or contact on example.org, a domain reserved
// for examples. Only databases of that time are classified this way, so
// the marker need not follow later changes of the seed.
const syntheticMarker = "leur propose un service simple, construit avec eux et amélioré en continu."

// classify tells, from its contents, where the records of a database made
// before origins were recorded came from: nil when it holds none.
func classify(ctx context.Context, q querier, now time.Time) (*OriginEvent, error) {
	var startups, synthetic, others int
	err := q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM startups),
		(SELECT count(*) FROM startups WHERE instr(description, ?) > 0 OR link LIKE '%.example.org' OR contact LIKE '%.example.org'),
		(SELECT count(*) FROM members) + (SELECT count(*) FROM organisations) + (SELECT count(*) FROM incubators) + (SELECT count(*) FROM teams)`,
		syntheticMarker).Scan(&startups, &synthetic, &others)
	if err != nil {
		return nil, fmt.Errorf("classify: %w", err)
	}
	if startups == 0 && others == 0 {
		return nil, nil
	}
	ev := &OriginEvent{At: now.UTC().Truncate(time.Second), Legacy: true,
		Counts: map[string]int{"startups": startups, "synthetic startups": synthetic}}
	switch {
	case synthetic == 0:
		ev.Kind = OriginImported // the seed always writes startups
	case synthetic == startups:
		ev.Kind = OriginSeeded
	default:
		ev.Kind = OriginMixed
	}
	return ev, nil
}

// execer runs statements: the write pool or a transaction.
type execer interface {
	querier
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

// adoptLegacy records the classification of a database made before
// origins were recorded, once: it does nothing when an origin is recorded
// or the database is empty.
func adoptLegacy(ctx context.Context, x execer) error {
	var n int
	if err := x.QueryRowContext(ctx, "SELECT count(*) FROM origin").Scan(&n); err != nil {
		return fmt.Errorf("origin: %w", err)
	}
	if n > 0 {
		return nil
	}
	ev, err := classify(ctx, x, time.Now())
	if err != nil || ev == nil {
		return err
	}
	return insertOrigin(ctx, x, ev)
}

func insertOrigin(ctx context.Context, x execer, ev *OriginEvent) error {
	counts, err := json.Marshal(ev.Counts)
	if err != nil {
		return err
	}
	if ev.Counts == nil {
		counts = []byte("{}")
	}
	var scale any
	if ev.Kind == OriginSeeded && !ev.Legacy {
		scale = ev.Scale
	}
	var committed, asOf string
	if !ev.CommittedAt.IsZero() {
		committed = ev.CommittedAt.Format(time.RFC3339)
	}
	if !ev.RecordsAsOf.IsZero() {
		asOf = ev.RecordsAsOf.String()
	}
	if _, err := x.ExecContext(ctx, `INSERT INTO origin (kind, at, source, scale, counts, legacy, ref, commit_hash, committed_at, records_as_of, records_basis, method, program)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(ev.Kind), ev.At.UTC().Format(time.RFC3339), ev.Source, scale, string(counts), ev.Legacy,
		ev.Ref, ev.Commit, committed, asOf, ev.RecordsBasis, ev.Method, ev.Program); err != nil {
		return fmt.Errorf("origin: record: %w", err)
	}
	return nil
}

// admitOrigin checks, in the load's transaction, that the database may
// take a load of the given origin, and returns what it holds.
func admitOrigin(ctx context.Context, tx execer, path string, ev *OriginEvent, add bool) (Origin, error) {
	if ev.Kind != OriginSeeded && ev.Kind != OriginImported {
		return Origin{}, fmt.Errorf("load: origin %q: want seeded or imported", ev.Kind)
	}
	if err := adoptLegacy(ctx, tx); err != nil {
		return Origin{}, err
	}
	have, err := readOrigin(ctx, tx)
	if err != nil {
		return Origin{}, fmt.Errorf("origin: %w", err)
	}
	if !have.Admits(ev.Kind, add) {
		return have, &OriginError{Path: path, Have: have, Want: ev.Kind}
	}
	return have, nil
}

// recordOrigin adds the load's event, as it is once the load has run (at
// the present time when it has none).
func recordOrigin(ctx context.Context, tx execer, ev *OriginEvent) error {
	e := *ev
	e.Legacy = false
	if e.At.IsZero() {
		e.At = time.Now()
	}
	return insertOrigin(ctx, tx, &e)
}
