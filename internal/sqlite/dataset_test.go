package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

func TestDatasetOf(t *testing.T) {
	d := portfolio.MustDate
	at := time.Date(2026, 12, 6, 23, 30, 0, 0, time.UTC) // already 7 December in Paris
	committed := time.Date(2026, 8, 20, 18, 5, 0, 0, time.FixedZone("", 2*3600))
	seeded := OriginEvent{Kind: OriginSeeded, At: at, Scale: 1, RecordsAsOf: d("2026-09-01"), RecordsBasis: BasisSeed, Method: MethodSeed}
	imported := OriginEvent{Kind: OriginImported, At: at, Source: "/data/content", RecordsAsOf: d("2026-08-24"), RecordsBasis: BasisRecords, Method: MethodImport}
	synced := OriginEvent{Kind: OriginImported, At: at, Source: "https://github.com/betagouv/beta.gouv.fr", Ref: "master",
		Commit: "0123456789abcdef0123456789abcdef01234567", CommittedAt: committed, RecordsAsOf: d("2026-08-20"), RecordsBasis: BasisCommit, Method: MethodSync}
	legacy := OriginEvent{Kind: OriginImported, At: at, Source: "/old", Legacy: true}
	tests := []struct {
		name   string
		origin Origin
		want   Dataset
	}{
		{"empty", Origin{Kind: OriginEmpty}, Dataset{Kind: DatasetEmpty, RecordsAsOf: d("2026-12-10"), RecordsBasis: BasisToday}},
		{"demo", Origin{Kind: OriginSeeded, Events: []OriginEvent{seeded}},
			Dataset{Kind: DatasetDemo, WrittenAt: at, Method: MethodSeed, RecordsAsOf: d("2026-09-01"), RecordsBasis: BasisSeed}},
		{"folder", Origin{Kind: OriginImported, Events: []OriginEvent{imported}},
			Dataset{Kind: DatasetImported, Source: "/data/content", WrittenAt: at, Method: MethodImport, RecordsAsOf: d("2026-08-24"), RecordsBasis: BasisRecords}},
		{"synced after a folder import", Origin{Kind: OriginImported, Events: []OriginEvent{imported, synced}},
			Dataset{Kind: DatasetSynced, Source: synced.Source, Ref: "master", Commit: synced.Commit, CommittedAt: committed,
				WrittenAt: at, Method: MethodSync, RecordsAsOf: d("2026-08-20"), RecordsBasis: BasisCommit}},
		{"a folder import after a sync", Origin{Kind: OriginImported, Events: []OriginEvent{synced, imported}},
			Dataset{Kind: DatasetImported, Source: "/data/content", WrittenAt: at, Method: MethodImport, RecordsAsOf: d("2026-08-24"), RecordsBasis: BasisRecords}},
		{"recorded before records were dated: the day of the import, in Paris", Origin{Kind: OriginImported, Events: []OriginEvent{legacy}},
			Dataset{Kind: DatasetImported, Source: "/old", WrittenAt: at, RecordsAsOf: d("2026-12-07"), RecordsBasis: BasisImportDay}},
		{"mixed", Origin{Kind: OriginMixed, Events: []OriginEvent{{Kind: OriginMixed, At: at, Legacy: true}}},
			Dataset{Kind: DatasetMixed, WrittenAt: at, RecordsAsOf: d("2026-12-07"), RecordsBasis: BasisImportDay}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := datasetOf(tt.origin, nil, d("2026-12-10"))
			if *got != tt.want {
				t.Errorf("datasetOf:\n got %+v\nwant %+v", *got, tt.want)
			}
		})
	}
	if got, want := synced.String(), "synced from https://github.com/betagouv/beta.gouv.fr (master) at commit 0123456789ab of 2026-08-20 16:05 UTC on 2026-12-06 23:30 UTC"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestNoteSync records syncs in the database: a failure keeps the last
// success, a success clears the failure; the origin keeps what a sync
// recorded.
func TestNoteSync(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if st, err := db.SyncState(ctx); st != nil || err != nil {
		t.Fatalf("a new database: %+v, %v; want no sync state", st, err)
	}
	t1 := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	if err := db.NoteSync(ctx, "file:///repo", "main", t1, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.NoteSync(ctx, "file:///repo", "main", t2, errors.New("unreachable")); err != nil {
		t.Fatal(err)
	}
	st, err := db.SyncState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := SyncState{Repo: "file:///repo", Ref: "main", AttemptedAt: t2, CheckedAt: t1, Error: "unreachable", FailedAt: t2}
	if *st != want {
		t.Errorf("after a failure: %+v, want %+v", *st, want)
	}
	if err := db.NoteSync(ctx, "file:///repo", "main", t2.Add(time.Minute), nil); err != nil {
		t.Fatal(err)
	}
	if st, _ = db.SyncState(ctx); st.Error != "" || !st.FailedAt.IsZero() || !st.CheckedAt.Equal(t2.Add(time.Minute)) {
		t.Errorf("after a success: %+v", *st)
	}
	ev := &OriginEvent{Kind: OriginImported, Source: "file:///repo", Ref: "main", Commit: "abc", CommittedAt: t1.In(time.FixedZone("", 3600)),
		RecordsAsOf: portfolio.MustDate("2026-12-06"), RecordsBasis: BasisCommit, Method: MethodSyncFull, Counts: map[string]int{"startups": 0}}
	if _, err := db.Load(ctx, LoadOptions{Origin: ev}, func(portfolio.Sink) error { return nil }); err != nil {
		t.Fatal(err)
	}
	ds, err := db.Dataset(ctx, portfolio.MustDate("2026-12-10"))
	if err != nil {
		t.Fatal(err)
	}
	if ds.Kind != DatasetSynced || ds.Commit != "abc" || !ds.CommittedAt.Equal(t1) || ds.RecordsAsOf != portfolio.MustDate("2026-12-06") ||
		ds.Method != MethodSyncFull || ds.Sync == nil || ds.Sync.Error != "" {
		t.Errorf("dataset: %+v", ds)
	}
}
