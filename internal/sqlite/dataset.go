package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// What a database's records are and how old (Query.dataset): the demo
// network, a folder imported, or a git repository followed; where from,
// which commit, and the day the records describe (DESIGN.md, "The records'
// date"): the synced commit's date, the newest date found in a folder's
// records (or the day it was imported, said as such), the seed's fixed
// today for the demo.

// DatasetKind says what the records of a database are.
type DatasetKind string

// The kinds of dataset.
const (
	DatasetDemo     DatasetKind = "DEMO"     // the synthetic network of the seed: fictitious
	DatasetImported DatasetKind = "IMPORTED" // real records imported from a folder
	DatasetSynced   DatasetKind = "SYNCED"   // real records following a git repository
	DatasetMixed    DatasetKind = "MIXED"    // synthetic and real records written together before origins were recorded
	DatasetEmpty    DatasetKind = "EMPTY"    // nothing seeded or imported yet
)

// BasisToday dates an empty database: the day it is asked about.
const BasisToday = "today"

// Dataset describes the records of a database.
type Dataset struct {
	Kind DatasetKind
	// Source is the folder imported or the repository synced (without
	// credentials); "" for the demo.
	Source string
	// Ref, Commit and CommittedAt name the branch, the commit synced and
	// its commit date; empty unless synced.
	Ref, Commit string
	CommittedAt time.Time
	// WrittenAt is when the records were last written by a seed, an
	// import or a sync that changed them.
	WrittenAt time.Time
	// Method is how they were written (OriginEvent.Method).
	Method string
	// RecordsAsOf is the day the records describe; RecordsBasis what gave
	// it (Basis… constants).
	RecordsAsOf  portfolio.Date
	RecordsBasis string
	// Sync is the state of the repository followed, nil when none is.
	Sync *SyncState
}

// SyncState is how the syncs of a database went (table sync_state).
type SyncState struct {
	Repo, Ref string
	// AttemptedAt is when the last sync was tried, CheckedAt when the
	// last one succeeded (the records then matched the branch's head,
	// changed or not).
	AttemptedAt, CheckedAt time.Time
	// Error says why the last sync failed, FailedAt when; "" and zero
	// when it succeeded.
	Error    string
	FailedAt time.Time
}

// Dataset describes the records of the database as of today (which dates
// an empty one).
func (db *DB) Dataset(ctx context.Context, today portfolio.Date) (*Dataset, error) {
	o, err := db.Origin(ctx)
	if err != nil {
		return nil, err
	}
	st, err := db.SyncState(ctx)
	if err != nil {
		return nil, err
	}
	return datasetOf(o, st, today), nil
}

// datasetOf derives the dataset from the origin and the sync state.
func datasetOf(o Origin, st *SyncState, today portfolio.Date) *Dataset {
	d := &Dataset{Kind: DatasetEmpty, Sync: st, RecordsAsOf: today, RecordsBasis: BasisToday}
	if o.Kind == OriginEmpty || len(o.Events) == 0 {
		return d
	}
	last := o.Events[len(o.Events)-1]
	switch {
	case o.Kind == OriginMixed:
		d.Kind = DatasetMixed
	case o.Kind == OriginSeeded:
		d.Kind = DatasetDemo
	case last.Synced():
		d.Kind = DatasetSynced
	default:
		d.Kind = DatasetImported
	}
	if o.Kind != OriginSeeded {
		d.Source = last.Source
	}
	d.Ref, d.Commit, d.CommittedAt = last.Ref, last.Commit, last.CommittedAt
	d.WrittenAt, d.Method = last.At, last.Method
	d.RecordsAsOf, d.RecordsBasis = last.RecordsAsOf, last.RecordsBasis
	if d.RecordsAsOf.IsZero() {
		d.RecordsAsOf, d.RecordsBasis = portfolio.DateOf(last.At.In(portfolio.Paris())), BasisImportDay
	}
	return d
}

// SyncState returns how the syncs of the database went; nil when no sync
// ever ran on it.
func (db *DB) SyncState(ctx context.Context) (*SyncState, error) {
	noteVolatile(ctx)
	var has int
	if err := db.read.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'sync_state'").Scan(&has); err != nil {
		return nil, fmt.Errorf("sync state: %w", err)
	}
	if has == 0 { // an older schema opened for inspection
		return nil, nil
	}
	var st SyncState
	var attempted, checked, failed string
	err := db.read.QueryRowContext(ctx, "SELECT repo, ref, attempted_at, checked_at, error, failed_at FROM sync_state WHERE id = 1").
		Scan(&st.Repo, &st.Ref, &attempted, &checked, &st.Error, &failed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sync state: %w", err)
	}
	for _, f := range []struct {
		s string
		t *time.Time
	}{{attempted, &st.AttemptedAt}, {checked, &st.CheckedAt}, {failed, &st.FailedAt}} {
		if f.s == "" {
			continue
		}
		if *f.t, err = time.Parse(time.RFC3339Nano, f.s); err != nil {
			return nil, fmt.Errorf("sync state: %q: %w", f.s, err)
		}
	}
	return &st, nil
}

// NoteSync records a sync of repo's branch ref tried at at: a success
// (syncErr nil) or why it failed. It writes on its own, outside the
// transaction of the sync (which a failure rolled back).
func (db *DB) NoteSync(ctx context.Context, repo, ref string, at time.Time, syncErr error) error {
	ts := at.UTC().Format(time.RFC3339Nano)
	var err error
	if syncErr == nil {
		_, err = db.write.ExecContext(ctx, `INSERT INTO sync_state (id, repo, ref, attempted_at, checked_at, error, failed_at) VALUES (1, ?, ?, ?, ?, '', '')
			ON CONFLICT (id) DO UPDATE SET repo = excluded.repo, ref = excluded.ref, attempted_at = excluded.attempted_at,
				checked_at = excluded.checked_at, error = '', failed_at = ''`, repo, ref, ts, ts)
	} else {
		_, err = db.write.ExecContext(ctx, `INSERT INTO sync_state (id, repo, ref, attempted_at, error, failed_at) VALUES (1, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET repo = excluded.repo, ref = excluded.ref, attempted_at = excluded.attempted_at,
				error = excluded.error, failed_at = excluded.failed_at`, repo, ref, ts, syncErr.Error(), ts)
	}
	if err != nil {
		return fmt.Errorf("note sync: %w", err)
	}
	db.changed()
	return nil
}

// Last returns the latest event of the origin, nil when there is none.
func (o Origin) Last() *OriginEvent {
	if len(o.Events) == 0 {
		return nil
	}
	return &o.Events[len(o.Events)-1]
}
