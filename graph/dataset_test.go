package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// TestDataset asks Query.dataset of databases of each kind.
func TestDataset(t *testing.T) {
	ctx := context.Background()
	committed := time.Date(2026, 8, 20, 18, 5, 0, 0, time.FixedZone("", 2*3600))
	at := time.Date(2026, 12, 6, 9, 30, 0, 0, time.UTC)
	none := func(portfolio.Sink) error { return nil }
	tests := []struct {
		name  string
		setup func(t *testing.T, db *sqlite.DB)
		want  string
	}{
		{"empty", func(*testing.T, *sqlite.DB) {},
			`{"kind":"EMPTY","source":null,"ref":null,"commit":null,"committedAt":null,"importedAt":null,"method":null,"checkedAt":null,"recordsAsOf":"TODAY","recordsAsOfBasis":"TODAY","lastSyncError":null,"lastSyncErrorAt":null}`},
		{"demo", func(t *testing.T, db *sqlite.DB) {
			ev := &sqlite.OriginEvent{Kind: sqlite.OriginSeeded, Scale: 1, At: at, Method: sqlite.MethodSeed, RecordsAsOf: portfolio.MustDate("2026-09-01"), RecordsBasis: sqlite.BasisSeed}
			if _, err := db.Load(ctx, sqlite.LoadOptions{Origin: ev}, none); err != nil {
				t.Fatal(err)
			}
		}, `{"kind":"DEMO","source":null,"ref":null,"commit":null,"committedAt":null,"importedAt":"2026-12-06T09:30:00Z","method":"seed","checkedAt":null,"recordsAsOf":"2026-09-01","recordsAsOfBasis":"SEED_TODAY","lastSyncError":null,"lastSyncErrorAt":null}`},
		{"a folder", func(t *testing.T, db *sqlite.DB) {
			ev := &sqlite.OriginEvent{Kind: sqlite.OriginImported, Source: "/data/content", At: at, Method: sqlite.MethodImport, RecordsAsOf: portfolio.MustDate("2026-08-24"), RecordsBasis: sqlite.BasisRecords}
			if _, err := db.Load(ctx, sqlite.LoadOptions{Origin: ev}, none); err != nil {
				t.Fatal(err)
			}
		}, `{"kind":"IMPORTED","source":"/data/content","ref":null,"commit":null,"committedAt":null,"importedAt":"2026-12-06T09:30:00Z","method":"import","checkedAt":null,"recordsAsOf":"2026-08-24","recordsAsOfBasis":"NEWEST_RECORD","lastSyncError":null,"lastSyncErrorAt":null}`},
		{"synced, the last sync failed", func(t *testing.T, db *sqlite.DB) {
			ev := &sqlite.OriginEvent{Kind: sqlite.OriginImported, Source: "https://github.com/betagouv/beta.gouv.fr", Ref: "master", At: at,
				Commit: "0123456789abcdef0123456789abcdef01234567", CommittedAt: committed, Method: sqlite.MethodSync,
				RecordsAsOf: portfolio.MustDate("2026-08-20"), RecordsBasis: sqlite.BasisCommit}
			if _, err := db.Load(ctx, sqlite.LoadOptions{Origin: ev}, none); err != nil {
				t.Fatal(err)
			}
			if err := db.NoteSync(ctx, ev.Source, "master", at, nil); err != nil {
				t.Fatal(err)
			}
			if err := db.NoteSync(ctx, ev.Source, "master", at.Add(time.Hour), errors.New("fetch master: repository not found")); err != nil {
				t.Fatal(err)
			}
		}, `{"kind":"SYNCED","source":"https://github.com/betagouv/beta.gouv.fr","ref":"master","commit":"0123456789abcdef0123456789abcdef01234567","committedAt":"2026-08-20T18:05:00+02:00","importedAt":"2026-12-06T09:30:00Z","method":"sync","checkedAt":"2026-12-06T09:30:00Z","recordsAsOf":"2026-08-20","recordsAsOfBasis":"COMMIT_DATE","lastSyncError":"fetch master: repository not found","lastSyncErrorAt":"2026-12-06T10:30:00Z"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			tt.setup(t, db)
			srv := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), PublicRead: true}))
			defer srv.Close()
			before := portfolio.Today().String()
			_, b := postGraphQL(t, srv.URL, "", `{ dataset { kind source ref commit committedAt importedAt method checkedAt recordsAsOf recordsAsOfBasis lastSyncError lastSyncErrorAt } }`, nil)
			var out struct {
				Data struct {
					Dataset json.RawMessage `json:"dataset"`
				} `json:"data"`
				Errors []gqlError `json:"errors"`
			}
			if err := json.Unmarshal(b, &out); err != nil || len(out.Errors) > 0 {
				t.Fatalf("%v %+v: %s", err, out.Errors, b)
			}
			// An empty database is dated the day asked (the clock's).
			got, after := string(out.Data.Dataset), portfolio.Today().String()
			if got != strings.Replace(tt.want, `"recordsAsOf":"TODAY"`, `"recordsAsOf":"`+before+`"`, 1) &&
				got != strings.Replace(tt.want, `"recordsAsOf":"TODAY"`, `"recordsAsOf":"`+after+`"`, 1) {
				t.Errorf("dataset:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}
