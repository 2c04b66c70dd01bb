package sqlite_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

func TestReimportKeepsWhatWasRecorded(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	admin := portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "t", Role: portfolio.RoleAdmin})
	// A new committee, a change to an imported one, a new phase, a new mission.
	rec, err := db.RecordCommittee(admin, &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2024-01-10"),
		Decision: portfolio.DecisionContinue, Comment: "Poursuite, budget reconduit"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateCommittee(admin, "arrosoir/2023-05-20", 1, func(c *portfolio.Committee) error {
		c.Comment = "Passage en construction, avec réserves"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartPhase(admin, "arrosoir", nil, portfolio.PhaseAcceleration, portfolio.MustDate("2024-06-01")); err != nil {
		t.Fatal(err)
	}
	mission, err := db.AddMission(admin, &portfolio.Mission{MemberSlug: "jeanne.pioche", Start: portfolio.MustDate("2024-06-01"),
		Status: portfolio.StatusAdmin, Startups: []string{"arrosoir"}})
	if err != nil {
		t.Fatal(err)
	}

	res, err := db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.CommitteesBySlug(ctx, []string{rec.Slug, "arrosoir/2023-05-20"})
	if err != nil {
		t.Fatal(err)
	}
	if got[rec.Slug] == nil {
		t.Errorf("the re-import lost the recorded committee %s", rec.Slug)
	}
	if c := got["arrosoir/2023-05-20"]; c == nil || c.Comment != "Passage en construction, avec réserves" || c.Source != portfolio.SourceRecorded {
		t.Errorf("the re-import overwrote a committee changed through the API: %+v", c)
	}
	var kept []string
	for _, d := range res.Disagreements {
		kept = append(kept, d.String())
	}
	for _, want := range []string{
		`committee arrosoir/2023-05-20: comment: kept "Passage en construction, avec réserves" (updateCommittee by t, `,
		`; snapshot "Passage en construction"`,
		`startup arrosoir: phases: kept "CONSTRUCTION 2023-06-01..2024-06-01, ACCELERATION 2024-06-01.." (startPhase by t, `,
		`; snapshot "CONSTRUCTION 2023-06-01.., no ACCELERATION from 2024-06-01"`,
	} {
		if !strings.Contains(strings.Join(kept, "\n"), want) {
			t.Errorf("the summary does not say %q:\n%s", want, strings.Join(kept, "\n"))
		}
	}
	if len(kept) != 2 {
		t.Errorf("%d disagreements, want 2 (the committee's comment, the phases):\n%s", len(kept), strings.Join(kept, "\n"))
	}
	s, err := db.StartupsBySlug(ctx, []string{"arrosoir"})
	if err != nil {
		t.Fatal(err)
	}
	phases, err := db.PhasesByStartup(ctx, []int64{s["arrosoir"].ID})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range phases[s["arrosoir"].ID] {
		names = append(names, string(p.Phase)+"@"+p.Start.String())
	}
	if want := "INVESTIGATION@2023-01-01 CONSTRUCTION@2023-06-01 ACCELERATION@2024-06-01"; strings.Join(names, " ") != want {
		t.Errorf("phases after re-import: %v, want %s", names, want)
	}
	ms, err := db.MissionsBySlug(ctx, []string{mission.Slug})
	if err != nil || ms[mission.Slug] == nil {
		t.Errorf("the re-import lost the recorded mission %s (%v)", mission.Slug, err)
	}
}

func TestWritesNeedRights(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	c := &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2024-01-10"), Decision: portfolio.DecisionContinue}
	tests := []struct {
		name string
		id   *portfolio.Identity
		want string
	}{
		{"anonymous", portfolio.Anonymous, portfolio.EUnauthenticated},
		{"viewer", &portfolio.Identity{Role: portfolio.RoleViewer}, portfolio.EForbidden},
		{"manager elsewhere", &portfolio.Identity{Role: portfolio.RoleManager, Incubators: []string{"cave"}}, portfolio.EForbidden},
		{"manager of serre", &portfolio.Identity{Role: portfolio.RoleManager, Incubators: []string{"serre"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc := *c
			_, err := db.RecordCommittee(portfolio.WithIdentity(ctx, tt.id), &cc, false)
			if got := portfolio.ErrorCode(err); got != tt.want {
				t.Errorf("code %q, want %q (%v)", got, tt.want, err)
			}
		})
	}
}

// alice is the admin token the re-import tests write with.
func alice(ctx context.Context) context.Context {
	return portfolio.WithIdentity(ctx, &portfolio.Identity{TokenName: "alice", Role: portfolio.RoleAdmin})
}

// rows returns every row of every table of db, in a stable order, as text.
func rows(t *testing.T, db *sqlite.DB) string {
	t.Helper()
	raw, err := sql.Open("sqlite", db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var tables []string
	rs, err := raw.Query("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var n string
		if err := rs.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rs.Close()
	var b strings.Builder
	for _, n := range tables {
		if n == "changes" || n == "sqlite_sequence" {
			continue // the change feed: every load notes a Dataset change
		}
		rs, err := raw.Query(`SELECT * FROM "` + n + `" ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		vals, ptrs := make([]any, len(cols)), make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rs.Next() {
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", n, vals)
		}
		rs.Close()
	}
	return b.String()
}

// importAudit returns the audit entries written by imports, oldest first.
func importAudit(t *testing.T, db *sqlite.DB) []*sqlite.AuditEntry {
	t.Helper()
	p, err := db.AuditLog(alice(context.Background()), sqlite.AuditFilter{Mutations: []string{"import"}}, portfolio.Window{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(p.Items)
	return p.Items
}

// field reads one field of an audit entry's JSON object.
func field(t *testing.T, object, name string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(object), &m); err != nil {
		t.Fatalf("audit object %q: %v", object, err)
	}
	return m[name]
}

func TestReimportKeepsDeletedRecordsDeleted(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteCommittee(alice(ctx), "arrosoir/2023-05-20", 1); err != nil {
		t.Fatal(err)
	}
	res, err := db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.CommitteesBySlug(ctx, []string{"arrosoir/2023-05-20"})
	if err != nil {
		t.Fatal(err)
	}
	if c := got["arrosoir/2023-05-20"]; c != nil {
		t.Fatalf("the re-import brought back the committee deleted through the API: %+v", c)
	}
	if len(res.Skipped) != 1 {
		t.Fatalf("skipped %v, want the deleted committee", res.Skipped)
	}
	sk := res.Skipped[0]
	if sk.Record != (sqlite.Ref{Kind: "committees", Slug: "arrosoir/2023-05-20"}) || sk.In != (sqlite.Ref{Kind: "startups", Slug: "arrosoir"}) ||
		sk.Edit.TokenName != "alice" || sk.Edit.Mutation != "deleteCommittee" || !validTime(sk.Edit.At) {
		t.Errorf("skip %+v: want the committee, in startup arrosoir, deleted by alice with deleteCommittee", sk)
	}
	if want := "committee arrosoir/2023-05-20 was deleted through the API (deleteCommittee by alice, "; !strings.HasPrefix(sk.String(), want) {
		t.Errorf("skip says %q, want it to start with %q", sk.String(), want)
	}

	// Recorded again through the API, it is a record of the API like any
	// other: the import keeps it.
	if _, err := db.RecordCommittee(alice(ctx), &portfolio.Committee{StartupSlug: "arrosoir", Date: portfolio.MustDate("2023-05-20"),
		Decision: portfolio.DecisionContinue, Comment: "Poursuite"}, false); err != nil {
		t.Fatal(err)
	}
	if res, err = db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 0 {
		t.Errorf("skipped %v after the committee was recorded again", res.Skipped)
	}
	got, err = db.CommitteesBySlug(ctx, []string{"arrosoir/2023-05-20"})
	if err != nil {
		t.Fatal(err)
	}
	if c := got["arrosoir/2023-05-20"]; c == nil || c.Decision != portfolio.DecisionContinue || c.Comment != "Poursuite" {
		t.Errorf("committee recorded again after its deletion, after a re-import: %+v", c)
	}
}

// editSample loads the sample, then edits through the API: the startup's
// name and pitch (updateStartup) and the incubator's title
// (upsertIncubator).
func editSample(t *testing.T, db *sqlite.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, sample()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateStartup(alice(ctx), "arrosoir", 1, func(s *portfolio.Startup) error {
		s.Name, s.Pitch = "Arrosoir connecté", "Arroser juste ce qu'il faut"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v := int64(1)
	if _, err := db.UpsertIncubator(alice(ctx), &portfolio.Incubator{Slug: "serre", Title: "La Grande Serre", OwnerSlug: "min-jardins"}, &v); err != nil {
		t.Fatal(err)
	}
}

// newerSample is the sample as a later snapshot has it: the edited pitch
// changed there too, and fields nobody edited changed.
func newerSample() *records {
	r := sampleRecords()
	r.st.Pitch = "Arroser à la bonne heure"
	r.st.Link = "https://arrosoir.example"
	r.inc.Website = "https://serre.example"
	r.org.Name = "Ministère des Jardins et Vergers"
	r.mb.Fullname = "Jeanne Pioche-Bêche"
	return r
}

func TestReimportKeepsFieldsEditedThroughTheAPI(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	editSample(t, db)
	res, err := db.Load(ctx, sqlite.LoadOptions{}, newerSample().fill())
	if err != nil {
		t.Fatal(err)
	}
	type dis struct{ record, field, kept, snapshot, by string }
	var got []dis
	for _, d := range res.Disagreements {
		if d.In != d.Record {
			t.Errorf("disagreement on %v in %v: want in itself", d.Record, d.In)
		}
		got = append(got, dis{d.Record.String(), d.Field, d.Kept, d.Snapshot, d.Edit.Mutation + " " + d.Edit.TokenName})
	}
	want := []dis{
		{"incubator serre", "title", `"La Grande Serre"`, `"La Serre"`, "upsertIncubator alice"},
		{"startup arrosoir", "name", `"Arrosoir connecté"`, `"Arrosoir"`, "updateStartup alice"},
		{"startup arrosoir", "pitch", `"Arroser juste ce qu'il faut"`, `"Arroser à la bonne heure"`, "updateStartup alice"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("disagreements\n got %v\nwant %v", got, want)
	}
	ss, err := db.StartupsBySlug(ctx, []string{"arrosoir"})
	if err != nil {
		t.Fatal(err)
	}
	s := ss["arrosoir"]
	if s.Name != "Arrosoir connecté" || s.Pitch != "Arroser juste ce qu'il faut" {
		t.Errorf("the re-import overwrote fields edited through the API: name %q, pitch %q", s.Name, s.Pitch)
	}
	if s.Link != "https://arrosoir.example" {
		t.Errorf("link %q: a field not edited through the API must follow the snapshot", s.Link)
	}
	is, err := db.IncubatorsBySlug(ctx, []string{"serre"})
	if err != nil {
		t.Fatal(err)
	}
	if i := is["serre"]; i.Title != "La Grande Serre" || i.Website != "https://serre.example" {
		t.Errorf("incubator after re-import: title %q (want the edited one), website %q (want the snapshot's)", i.Title, i.Website)
	}
}

func TestReimportAuditsWhatItChangesInEditedRecords(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	editSample(t, db)
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, newerSample().fill()); err != nil {
		t.Fatal(err)
	}
	// The organisation and the member changed too, but nobody edited them:
	// no entry for them.
	got := importAudit(t, db)
	var objects []string
	for _, e := range got {
		objects = append(objects, e.ObjectType+" "+e.ObjectSlug)
	}
	if want := "Incubator serre, Startup arrosoir"; strings.Join(objects, ", ") != want {
		t.Fatalf("import audit entries for %q, want %q", strings.Join(objects, ", "), want)
	}
	inc, st := got[0], got[1]
	for _, e := range got {
		if e.TokenName != "import" || e.Mutation != "import" || e.Before == "" || e.After == "" {
			t.Errorf("import entry %+v: want token and mutation \"import\", before and after", e)
		}
	}
	if b, a := field(t, inc.Before, "Website"), field(t, inc.After, "Website"); b != "" || a != "https://serre.example" {
		t.Errorf("incubator entry: website %v -> %v, want \"\" -> https://serre.example", b, a)
	}
	if b, a := field(t, st.Before, "Link"), field(t, st.After, "Link"); b != "" || a != "https://arrosoir.example" {
		t.Errorf("startup entry: link %v -> %v, want \"\" -> https://arrosoir.example", b, a)
	}
	if n := field(t, st.After, "Name"); n != "Arrosoir connecté" {
		t.Errorf("startup entry: name after %v, want the edited name", n)
	}
	// The same snapshot again changes nothing: no new entry.
	if _, err := db.Load(ctx, sqlite.LoadOptions{}, newerSample().fill()); err != nil {
		t.Fatal(err)
	}
	if n := len(importAudit(t, db)); n != 2 {
		t.Errorf("a second import of the same snapshot left %d import entries, want still 2", n)
	}
}

func TestReimportOfTheSameSnapshotChangesNothingAfterEdits(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	editSample(t, db)
	if _, err := db.DeleteCommittee(alice(ctx), "arrosoir/2023-05-20", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.StartPhase(alice(ctx), "arrosoir", nil, portfolio.PhaseAcceleration, portfolio.MustDate("2024-06-01")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateMission(alice(ctx), "endMission", "jeanne.pioche/1", 1, func(m *portfolio.Mission) error {
		m.End = portfolio.MustDate("2024-05-31")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	before := rows(t, db)
	res, err := db.Load(ctx, sqlite.LoadOptions{}, sample())
	if err != nil {
		t.Fatal(err)
	}
	if after := rows(t, db); after != before {
		t.Errorf("a re-import of the snapshot the edits started from changed the database:\n%s", lineDiff(before, after))
	}
	if len(res.Updated) != 0 || len(res.Created) != 0 {
		t.Errorf("re-import created %v, updated %v: want nothing", res.Created, res.Updated)
	}
	if len(res.Skipped) != 1 || len(res.Disagreements) != 5 { // name, pitch, title, phases, the mission's end
		t.Errorf("skipped %v, disagreements %v: want the committee, and 5", res.Skipped, res.Disagreements)
	}
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339, s)
	return err == nil
}

// lineDiff lists the lines only in a (-) and only in b (+).
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ia, ib := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !ib[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ia[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(out, "\n")
}
