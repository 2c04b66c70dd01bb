package review_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// TestOlderArchive: on an import of an archive in the older phase
// vocabulary, the flows' table has a column for the phases of no
// vocabulary (UNKNOWN), which the demo's pages do not show, and a
// startup's phases say the record's word.
func TestOlderArchive(t *testing.T) {
	ctx := context.Background()
	snap, err := betagouv.Read(ctx, filepath.Join("..", "betagouv", "testdata", "old-vocabulary"), betagouv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "old.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, func(s portfolio.Sink) error { return snap.WriteTo(ctx, s) }); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.New(server.Config{DB: db, Schema: graph.Executable(db), PublicRead: true}))
	defer srv.Close()

	_, doc := page(t, srv.URL, "/review?asOf=2023-04-03&from=2019-01-01", anonymous, http.StatusOK)
	head := findAll(byID(t, doc, "donnees-flux"), tag("thead"))
	if len(head) != 1 || !strings.Contains(text(head[0]), "Phases incon\u00adnues") {
		t.Fatalf("the flows' table has no column for UNKNOWN: %q", text(head[0]))
	}
	// Columns: period, 4 phases of incubation, abandons, transfers,
	// operated, UNKNOWN, launches, impacts, committees. Entries into
	// UNKNOWN: serfouette (pivot, 2021), greffe (hibernation, 2022), motte
	// (no name, 2023).
	want := map[string]string{"2021": "1", "2022": "1", "2023 (au 03/04)": "1", "2020": "0", "2019": "0"}
	for _, row := range rowsOf(t, doc, "donnees-flux", false) {
		if len(row) != 12 || row[8] != want[row[0]] {
			t.Errorf("flows row %q: UNKNOWN %q, want %q", row, row[8], want[row[0]])
		}
	}
	if foot := rowsOf(t, doc, "donnees-flux", true); foot[0][8] != "3" {
		t.Errorf("flows total %q: UNKNOWN %q, want 3", foot[0], foot[0][8])
	}
	// The demo network has no UNKNOWN: no column.
	_, demo := page(t, shared.public, "/review?asOf="+asOf, anonymous, http.StatusOK)
	if strings.Contains(text(byID(t, demo, "donnees-flux")), "incon\u00adnues") {
		t.Error("the demo's flows show a column for UNKNOWN")
	}

	_, doc = page(t, srv.URL, "/review/startups/rateau?asOf=2023-04-03", anonymous, http.StatusOK)
	var phases []string
	for _, row := range rowsOf(t, doc, "tableau-phases", false) {
		phases = append(phases, row[0])
	}
	if got, want := strings.Join(phases, " | "), "Investigation | Construction | Service arrêté (« alumni » dans la fiche) en cours"; got != want {
		t.Errorf("rateau's phases: %q, want %q", got, want)
	}
	_, doc = page(t, srv.URL, "/review/startups/serfouette?asOf=2023-04-03", anonymous, http.StatusOK)
	if rows := rowsOf(t, doc, "tableau-phases", false); rows[2][0] != "Phase inconnue (« pivot » dans la fiche) en cours" {
		t.Errorf("serfouette's last phase: %q", rows[2][0])
	}
}
