package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReplicationMark(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "m.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if m, err := db.ReplicationMark(ctx); err != nil || m != nil {
		t.Fatalf("a new file's mark: %+v, %v; want none", m, err)
	}
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	for _, want := range []ReplicationMark{
		{Generation: 1, Store: "file:///s", Node: "a", StartedAt: at},
		{Generation: 2, Store: "file:///s", Node: "b", StartedAt: at.Add(time.Hour), FromPosition: 227},
	} {
		v0, _ := db.Version(ctx)
		if err := db.SetReplicationMark(ctx, want); err != nil {
			t.Fatal(err)
		}
		got, err := db.ReplicationMark(ctx)
		if err != nil || got == nil || *got != want {
			t.Errorf("mark: %+v, %v; want %+v", got, err, want)
		}
		if v1, _ := db.Version(ctx); v1 == v0 {
			t.Errorf("the version did not change with the mark")
		}
	}
	if err := db.SetReplicationMark(ctx, ReplicationMark{Generation: 0, StartedAt: at}); err == nil {
		t.Error("generation 0 was accepted")
	}
	// The mark reads on a file opened for inspection.
	ex, err := OpenExisting(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ex.Close()
	if m, err := ex.ReplicationMark(ctx); err != nil || m == nil || m.Generation != 2 {
		t.Errorf("the mark read by OpenExisting: %+v, %v", m, err)
	}
}

// OpenFollowed takes a replica's copy (rollback-journal mode) and refuses
// a primary's WAL file; it writes nothing.
func TestOpenFollowed(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "f.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := OpenFollowed(ctx, path); err == nil || !strings.Contains(err.Error(), `journal mode is "wal"`) {
		t.Fatalf("a WAL file: %v, want refused", err)
	}
	if err := toRollback(path); err != nil {
		t.Fatal(err)
	}
	f, err := OpenFollowed(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !f.Followed() {
		t.Error("Followed() is false")
	}
	if err := f.Ready(ctx); err != nil {
		t.Errorf("Ready: %v", err)
	}
	if err := f.SetReplicationMark(ctx, ReplicationMark{Generation: 1, StartedAt: time.Now()}); err == nil {
		t.Error("a write through a followed copy succeeded")
	}
}

// toRollback leaves WAL mode, as a replica's follower finds its copy.
func toRollback(path string) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	var mode string
	return db.QueryRow("PRAGMA journal_mode = DELETE").Scan(&mode)
}
