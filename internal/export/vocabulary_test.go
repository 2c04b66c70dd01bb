package export_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/betagouv"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// TestOlderVocabularyExport: the startups export of an archive in the
// older phase vocabulary gives each startup's phase, its French label
// (« Phase inconnue » for UNKNOWN) and, in a raw column, the record's word.
func TestOlderVocabularyExport(t *testing.T) {
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
	e := &env{url: srv.URL, db: db}

	read := func(path string, comma rune) map[string]map[string]string {
		t.Helper()
		resp, body := e.get(t, path, "")
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff"))))
		r.Comma = comma
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]map[string]string{}
		for _, row := range rows[1:] {
			m := map[string]string{}
			for i, h := range rows[0] {
				m[h] = row[i]
			}
			out[m["slug"]+m["Startup (identifiant)"]] = m
		}
		return out
	}
	raw := read("/export/startups.csv?asOf=2023-04-03", ',')
	fr := read("/export/startups.csv?asOf=2023-04-03&dialect=excel-fr", ';')
	for _, c := range []struct{ slug, phase, label, word string }{
		{"rateau", "ABANDONED", "Service arrêté", "alumni"},
		{"semis", "INVESTIGATION_ABANDONED", "Investigation non concluante", "alumni"},
		{"brouette", "TRANSFERRED", "Transféré", "success"},
		{"arrosoir", "CONSOLIDATION", "En consolidation", "transfer"},
		{"serfouette", "UNKNOWN", "Phase inconnue", "pivot"},
		{"motte", "UNKNOWN", "Phase inconnue", ""},
		{"binette", "CONSTRUCTION", "Construction", "construction"},
	} {
		if r := raw[c.slug]; r["phase"] != c.phase || r["phase_source_name"] != c.word {
			t.Errorf("%s raw: phase %q, source name %q; want %s, %q", c.slug, r["phase"], r["phase_source_name"], c.phase, c.word)
		}
		if r := fr[c.slug]; r["Phase"] != c.label || r["Phase (nom dans la fiche)"] != c.word {
			t.Errorf("%s French: %q, %q; want %q, %q", c.slug, r["Phase"], r["Phase (nom dans la fiche)"], c.label, c.word)
		}
	}
	unknown := read("/export/startups.csv?asOf=2023-04-03&phases=UNKNOWN", ',')
	var slugs []string
	for s := range unknown {
		slugs = append(slugs, s)
	}
	slices.Sort(slugs)
	if got := strings.Join(slugs, " "); got != "greffe motte serfouette" {
		t.Errorf("phases=UNKNOWN: %s", got)
	}
}
