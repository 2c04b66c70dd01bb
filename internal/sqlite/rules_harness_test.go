package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Every rule of DESIGN.md ("Semantics") has one table of cases, and every
// implementation of the rule answers each case: the Go function of
// internal/portfolio, its SQL expression (rules.go), and every statement
// or sweep that applies it otherwise (filters, aggregates, timelines, the
// store's next_start column as each of its writers keeps it). One suite
// runs every implementation, as litestream's RunWithReplicaClient runs one
// suite over every replica client: none can drift from the others, or from
// what the case says DESIGN.md means.
//
//	rule                          table                     file
//	phase at D, active, time in   phaseCases                rules_phase_test.go
//	phase, incubated since
//	flows of a period             flowCases                 rules_phase_test.go
//	team at D                     teamCases                 rules_team_test.go
//	next committee due, review    ruleCases                 rules_test.go
//	status, the deprecated
//	overdue, intrapreneurs

// ruleImpl is one implementation of a rule, answering the cases of its
// table (C) with an answer (A, a struct of exported fields). tells lists
// the fields of A it answers (nil: all of them): a filter says whether a
// startup is selected, not a date.
type ruleImpl[C, A any] struct {
	name   string
	tells  []string
	answer func(t *testing.T, i int, c *C) A
}

// runRule runs each case of a rule's table through every implementation;
// name and want say what a case is and what DESIGN.md says of it.
func runRule[C, A any](t *testing.T, cases []C, name func(*C) string, want func(*C) A, impls []ruleImpl[C, A]) {
	t.Helper()
	for _, impl := range impls {
		t.Run(impl.name, func(t *testing.T) {
			for i := range cases {
				c := &cases[i]
				t.Run(name(c), func(t *testing.T) {
					got, exp := reflect.ValueOf(impl.answer(t, i, c)), reflect.ValueOf(want(c))
					fields := impl.tells
					if fields == nil {
						for k := range exp.NumField() {
							fields = append(fields, exp.Type().Field(k).Name)
						}
					}
					for _, f := range fields {
						g, w := got.FieldByName(f), exp.FieldByName(f)
						if !w.IsValid() {
							t.Fatalf("the answer has no field %s", f)
						}
						if !reflect.DeepEqual(g.Interface(), w.Interface()) {
							t.Errorf("%s = %v, want %v", f, g, w)
						}
					}
				})
			}
		})
	}
}

// ruleStore is a database holding the cases of a table, named for how it
// was written.
type ruleStore struct {
	name string
	db   *DB
}

// openMemoryDB opens a database in memory, shared by its connections, with
// the migrations applied: the store as Open makes it, without a file.
func openMemoryDB(tb testing.TB) *DB { return openNamedMemoryDB(tb, "") }

// openNamedMemoryDB is openMemoryDB for one of several databases of a test.
func openNamedMemoryDB(tb testing.TB, name string) *DB {
	tb.Helper()
	ctx := context.Background()
	dsn := "file:" + url.PathEscape(strings.ReplaceAll(tb.Name(), "/", "_")+name) + "?mode=memory&cache=shared&_pragma=" + url.QueryEscape("foreign_keys(1)")
	db := &DB{Path: ":memory:", stmts: map[string]*sql.Stmt{}}
	c, err := newConnector(db, dsn)
	if err != nil {
		tb.Fatal(err)
	}
	db.write = sql.OpenDB(c)
	db.write.SetMaxOpenConns(1)
	db.write.SetMaxIdleConns(1)
	db.write.SetConnMaxLifetime(0)
	if err := db.migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	db.read = sql.OpenDB(c)
	db.read.SetMaxOpenConns(2)
	tb.Cleanup(func() { db.Close() })
	return db
}

// elsewhere is a startup of no case, for missions on another startup.
const elsewhere = "ailleurs"

// loadCases writes startups and members into db as an import does: a
// fresh load into a new database (fresh), or an update of one. Either way
// the startup elsewhere is there too.
func loadCases(tb testing.TB, db *DB, fresh bool, startups []*portfolio.Startup, members []*portfolio.Member) {
	tb.Helper()
	ctx := context.Background()
	if _, err := db.Load(ctx, LoadOptions{Fresh: fresh}, func(s portfolio.Sink) error {
		var errs []error
		errs = append(errs, s.PutStartup(ctx, &portfolio.Startup{Slug: elsewhere, Name: "Ailleurs",
			Phases: []portfolio.PhasePeriod{ph(portfolio.PhaseConstruction, "2000-01-01")}}))
		for _, st := range startups {
			errs = append(errs, s.PutStartup(ctx, st))
		}
		for _, m := range members {
			errs = append(errs, s.PutMember(ctx, m))
		}
		return errors.Join(errs...)
	}); err != nil {
		tb.Fatal(err)
	}
}

// phaseStores returns the stores a table of phases runs on: next_start
// (migration 0003), which the SQL of "phase at D" reads, as each of its
// writers keeps it. A fresh import computes it in Go
// (portfolio.NextPhaseStart), an update of the records and startPhase in
// SQL (refreshNextStartsSQL), and migration 0003 in its own SQL, once, for
// the phases written before it.
func phaseStores(t *testing.T, startups []*portfolio.Startup) []ruleStore {
	t.Helper()
	fresh := openNamedMemoryDB(t, "-fresh")
	loadCases(t, fresh, true, startups, nil)
	update := openNamedMemoryDB(t, "-update")
	loadCases(t, update, false, startups, nil)
	migrated := openNamedMemoryDB(t, "-0003")
	loadCases(t, migrated, true, startups, nil)
	text, err := fs.ReadFile(migrationFS, "migrations/0003_next_start.sql")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(text), "UPDATE phases SET next_start")
	j := strings.Index(string(text)[i:], ";")
	if i < 0 || j < 0 {
		t.Fatal("migration 0003 has no UPDATE of next_start")
	}
	for _, q := range []string{"UPDATE phases SET next_start = NULL", string(text)[i : i+j]} {
		if _, err := migrated.write.Exec(q); err != nil {
			t.Fatalf("%v\n%s", err, q)
		}
	}
	return []ruleStore{{"fresh import", fresh}, {"update", update}, {"migration 0003", migrated}}
}

// startupID returns the id of the startup with this slug.
func startupID(t *testing.T, db *DB, slug string) int64 {
	t.Helper()
	var id int64
	if err := db.read.QueryRow("SELECT id FROM startups WHERE slug = ?", slug).Scan(&id); err != nil {
		t.Fatalf("startup %s: %v", slug, err)
	}
	return id
}

// selectsAt says whether f, narrowed to the startup with this slug,
// selects it at d: counted in SQL (StartupCount), or, when dated, by a
// timeline's points (evaluated in memory for a filter that depends on the
// date, with running sums otherwise) around d.
func selectsAt(t *testing.T, ctx context.Context, db *DB, slug string, f portfolio.StartupFilter, d portfolio.Date, timeline bool) bool {
	t.Helper()
	f.Slugs = []string{slug}
	if !timeline {
		n, err := db.StartupCount(ctx, &f, d)
		if err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	pt := timelineAt(t, ctx, db, &f, d, false)
	n := 0
	for _, c := range pt.ByPhase {
		n += c.Count
	}
	return n == 1
}

// timelineAt returns the point at d of a timeline of f whose points are
// the day before d, d and the day after (out of order: callers may give
// them so), which makes the sweeps cross d.
func timelineAt(t *testing.T, ctx context.Context, db *DB, f *portfolio.StartupFilter, d portfolio.Date, members bool) TimelinePoint {
	t.Helper()
	pts, err := db.Timeline(ctx, f, []portfolio.Date{d.AddDays(1), d, d.AddDays(-1)}, members)
	if err != nil {
		t.Fatal(err)
	}
	return pts[1]
}

// phaseCounts writes counts by phase as "INVESTIGATION 1, CONSTRUCTION 2",
// in the order of portfolio.Phases, leaving out zeros ("" when all are).
func phaseCounts(counts map[portfolio.Phase]int) string {
	var out, other []string
	for _, p := range portfolio.Phases {
		if n := counts[p]; n != 0 {
			out = append(out, fmt.Sprintf("%s %d", p, n))
		}
	}
	for p, n := range counts {
		if p.Rank() < 0 && n != 0 {
			other = append(other, fmt.Sprintf("%s %d", p, n))
		}
	}
	slices.Sort(other)
	return strings.Join(append(out, other...), ", ")
}

// countsOf turns the counts of the store into phaseCounts' map.
func countsOf(cs []Count) map[portfolio.Phase]int {
	m := map[portfolio.Phase]int{}
	for _, c := range cs {
		m[portfolio.Phase(c.Key)] += c.Count
	}
	return m
}

// dayOf parses s, "" being the zero date.
func dayOf(s string) portfolio.Date {
	if s == "" {
		return 0
	}
	return portfolio.MustDate(s)
}

// dayString writes d, the zero date as "".
func dayString(d portfolio.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
