package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// TestListStatementsDependOnShapeOnly runs every list field of the schema
// a question can reach, under the shortest path of fields from Query that
// goes through a list (so that the list field is read for many parents),
// on two databases: a tiny one (a few startups of the synthetic network,
// with their incubators, sponsors, teams and members) and the network at
// scale 1. The SQL statements a question runs must be as many on both, on
// both executors: a list whose loader keys nobody announced would cost a
// statement per parent, more on the larger data. No list is listed by
// hand: the fields come from the schema.
func TestListStatementsDependOnShapeOnly(t *testing.T) {
	small, large := statsServers(t, tinyDB(t)), statsServers(t, seededDB(t))
	schema := graph.Schema()
	planned, _, _ := graph.FastFields()
	isPlanned := map[string]bool{}
	for _, f := range planned {
		isPlanned[f] = true
	}
	paths := shortestPaths(schema, isPlanned)
	n := 0
	for _, key := range slices.Sorted(mapKeysOf(isPlanned)) {
		typ, name, _ := strings.Cut(key, ".")
		f := schema.Types[typ].Fields.ForName(name)
		if f.Type.Elem == nil {
			continue
		}
		path, ok := paths[typ]
		if !ok {
			continue // not reachable by a question (the mutations' payloads)
		}
		n++
		t.Run(key, func(t *testing.T) {
			for _, first := range []int{100, 30, 10} {
				q := listQuery(schema, path, f, first)
				a, errA := small.statements(t, q)
				b, errB := large.statements(t, q)
				if strings.Contains(errA+errB, "COMPLEXITY_LIMIT") {
					continue // a smaller page
				}
				if errA != "" || errB != "" {
					t.Fatalf("errors: %s %s\nquery: %s", errA, errB, q)
				}
				if a != b {
					t.Errorf("%v statements on the tiny network, %v at scale 1: the count depends on the rows\nquery: %s", a, b, q)
				}
				return
			}
			t.Errorf("refused for its cost even with pages of 10")
		})
	}
	if n < 40 {
		t.Errorf("only %d list fields reached", n)
	}
	t.Logf("%d list fields, each on two networks and both executors", n)
}

func mapKeysOf(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// perParent are the fields that read the store once per parent by
// design, with why: a path does not go through them under a list (their
// own lists are run under a single parent).
var perParent = map[string]string{
	"Incubator.portfolio": "each portfolio's figures are statements over its own startups (one each, never startup by startup): under a list of incubators, a portfolio per incubator, which the cost model counts",
}

// step is a field of a path from Query.
type step struct {
	typ   string // the type the field is on
	field *ast.FieldDefinition
}

// shortestPaths finds, for each object type a question can reach, the
// shortest path of planned fields from Query to it, preferring one that
// goes through a list; fields with required arguments other than dates
// are not taken.
func shortestPaths(schema *ast.Schema, planned map[string]bool) map[string][]step {
	type state struct {
		typ  string
		list bool
	}
	paths := map[state][]step{{"Query", false}: nil}
	queue := []state{{"Query", false}}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		def := schema.Types[s.typ]
		for _, f := range def.Fields {
			if !planned[s.typ+"."+f.Name] || !datesOnly(f) {
				continue
			}
			next := schema.Types[f.Type.Name()]
			if next.Kind != ast.Object || s.list && perParent[s.typ+"."+f.Name] != "" {
				continue
			}
			ns := state{next.Name, s.list || f.Type.Elem != nil}
			if _, seen := paths[ns]; seen {
				continue
			}
			paths[ns] = append(slices.Clone(paths[s]), step{s.typ, f})
			queue = append(queue, ns)
		}
	}
	out := map[string][]step{}
	for s, p := range paths {
		if _, ok := out[s.typ]; !ok || s.list {
			out[s.typ] = p
		}
	}
	return out
}

// datesOnly reports whether every required argument of f is a date.
func datesOnly(f *ast.FieldDefinition) bool {
	for _, a := range f.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil && a.Type.Name() != "Date" {
			return false
		}
	}
	return true
}

// listQuery writes the question reaching list field f through path, with
// pages of first elements.
func listQuery(schema *ast.Schema, path []step, f *ast.FieldDefinition, first int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for _, s := range path {
		b.WriteString(s.field.Name + pathArgs(s.field, first) + " { ")
	}
	b.WriteString(f.Name + pathArgs(f, first))
	if k := schema.Types[f.Type.Name()].Kind; k == ast.Object || k == ast.Interface || k == ast.Union {
		b.WriteString(" { __typename }")
	}
	for range path {
		b.WriteString(" }")
	}
	b.WriteString(" }")
	return b.String()
}

// pathArgs writes a field's arguments: pages of first, dates where
// required.
func pathArgs(f *ast.FieldDefinition, first int) string {
	var parts []string
	for _, a := range f.Arguments {
		switch {
		case a.Name == "first":
			parts = append(parts, fmt.Sprintf("first: %d", first))
		case a.Name == "ids":
			parts = append(parts, `ids: $ids`)
		case a.Type.NonNull && a.DefaultValue == nil && a.Type.Name() == "Date" && a.Name == "to":
			// A window's end (the agenda's): long enough that both
			// networks have rows in it.
			parts = append(parts, a.Name+`: "2025-12-31"`)
		case a.Type.NonNull && a.DefaultValue == nil && a.Type.Name() == "Date":
			parts = append(parts, a.Name+`: "2024-01-01"`)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// statsServer is the API over one database, both executors, with the
// statements of each answer.
type statsServer struct {
	// fast calls an object's resolvers at the same time, oneByOne one
	// after the other: the fast path as it answers when the server is
	// idle, and when it is busy.
	fast, oneByOne, slow string
	admin                string
	ids                  []string // global ids of some objects, for Query.nodes
}

func statsServers(t *testing.T, db *sqlite.DB) *statsServer {
	t.Helper()
	ctx := context.Background()
	admin, _, err := db.CreateToken(ctx, "statements", portfolio.RoleAdmin, nil)
	if err != nil {
		t.Fatal(err)
	}
	mk := func(es graphql.ExecutableSchema) string {
		s := httptest.NewServer(server.New(server.Config{DB: db, Schema: es, SQLStats: true, PublicRead: true, ResponseCacheBytes: -1}))
		t.Cleanup(s.Close)
		return s.URL
	}
	s := &statsServer{fast: mk(graph.ExecutableResolving(db, true)), oneByOne: mk(graph.ExecutableResolving(db, false)),
		slow: mk(graph.ExecutableWithoutFastPath(db)), admin: admin}
	var out struct {
		Data struct {
			Startups struct{ Nodes []struct{ ID string } }
			Members  struct{ Nodes []struct{ ID string } }
		}
	}
	if err := json.Unmarshal(postRaw(t, s.fast, admin, `{ startups(first: 100) { nodes { id } } members(first: 100) { nodes { id } } }`, nil), &out); err != nil {
		t.Fatal(err)
	}
	for _, n := range out.Data.Startups.Nodes {
		s.ids = append(s.ids, n.ID)
	}
	for _, n := range out.Data.Members.Nodes {
		s.ids = append(s.ids, n.ID)
	}
	return s
}

// statements asks q of both executors, the fast path resolving both
// ways: the statements each ran, or the errors. The fast path runs as
// many statements whether it calls resolvers together or one by one.
func (s *statsServer) statements(t *testing.T, q string) (string, string) {
	t.Helper()
	var counts []int
	var vars map[string]any
	if strings.Contains(q, "$ids") {
		q = strings.Replace(q, "{ ", "query($ids: [ID!]!) { ", 1)
		vars = map[string]any{"ids": s.ids}
	}
	for _, url := range []string{s.fast, s.oneByOne, s.slow} {
		var out struct {
			Errors     []json.RawMessage
			Extensions struct{ SQL struct{ Statements int } }
		}
		b := postRaw(t, url, s.admin, q, vars)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Errors) > 0 {
			return "", string(b)
		}
		counts = append(counts, out.Extensions.SQL.Statements)
	}
	if counts[0] != counts[1] {
		t.Errorf("%d statements with an object's resolvers called together, %d one by one\nquery: %s", counts[0], counts[1], q)
	}
	return fmt.Sprintf("%d (fast path), %d (gqlgen)", counts[0], counts[2]), ""
}

// tinyDB is a few startups of the synthetic network (one in 60), with
// their incubators, sponsors, the teams of those incubators and the
// members with a mission on them; every reference to a record left out
// is dropped.
func tinyDB(t testing.TB) *sqlite.DB {
	t.Helper()
	ctx := context.Background()
	var all seedRecorder
	if _, err := seed.Generate(ctx, &all, seed.Options{Scale: 1}); err != nil {
		t.Fatal(err)
	}
	// And a few startups co-financed by FAST, whose committees expect a
	// seat of the DINUM's board (the agenda reads the DINUM for them).
	keep := map[string]bool{"o:" + portfolio.DinumSlug: true}
	fast := 0
	for i, s := range all.startups {
		if s.Fast != nil && fast < 5 {
			fast++
		} else if i%60 != 0 {
			continue
		}
		{
			keep["s:"+s.Slug] = true
			keep["i:"+s.IncubatorSlug] = true
			for _, c := range s.CoIncubators {
				keep["i:"+c] = true
			}
			for _, o := range s.Sponsors {
				keep["o:"+o] = true
			}
		}
	}
	for _, i := range all.incubators {
		if keep["i:"+i.Slug] && i.OwnerSlug != "" {
			keep["o:"+i.OwnerSlug] = true
		}
	}
	for _, tm := range all.teams {
		if keep["i:"+tm.IncubatorSlug] {
			keep["t:"+tm.Slug] = true
		}
	}
	only := func(prefix string, slugs []string) []string {
		var out []string
		for _, s := range slugs {
			if keep[prefix+s] {
				out = append(out, s)
			}
		}
		return out
	}
	var members []*portfolio.Member
	for _, m := range all.members {
		var ms []portfolio.Mission
		for _, mi := range m.Missions {
			if mi.Startups = only("s:", mi.Startups); len(mi.Startups) > 0 {
				ms = append(ms, mi)
			}
		}
		if len(ms) == 0 {
			continue
		}
		m.Missions, m.Teams = ms, only("t:", m.Teams)
		m.LegacyStartups, m.PreviousStartups = only("s:", m.LegacyStartups), only("s:", m.PreviousStartups)
		keep["m:"+m.Slug] = true
		members = append(members, m)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "tiny.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	_, err = db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(sink portfolio.Sink) error {
		for _, p := range all.phases {
			if err := sink.PutPhaseDefinition(ctx, p); err != nil {
				return err
			}
		}
		for _, o := range all.organisations {
			if keep["o:"+o.Slug] {
				if err := sink.PutOrganisation(ctx, o); err != nil {
					return err
				}
			}
		}
		for _, i := range all.incubators {
			if keep["i:"+i.Slug] {
				if err := sink.PutIncubator(ctx, i); err != nil {
					return err
				}
			}
		}
		for _, tm := range all.teams {
			if keep["t:"+tm.Slug] {
				if err := sink.PutTeam(ctx, tm); err != nil {
					return err
				}
			}
		}
		for _, s := range all.startups {
			if keep["s:"+s.Slug] {
				s.Sponsors, s.CoIncubators = only("o:", s.Sponsors), only("i:", s.CoIncubators)
				s.ContactDINUM, s.ContactIncubator = only("m:", s.ContactDINUM), only("m:", s.ContactIncubator)
				if err := sink.PutStartup(ctx, s); err != nil {
					return err
				}
			}
		}
		for _, m := range members {
			if err := sink.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// seedRecorder is a sink that keeps what it is given.
type seedRecorder struct {
	phases        []*portfolio.PhaseDefinition
	organisations []*portfolio.Organisation
	incubators    []*portfolio.Incubator
	teams         []*portfolio.Team
	startups      []*portfolio.Startup
	members       []*portfolio.Member
}

func (r *seedRecorder) PutPhaseDefinition(_ context.Context, p *portfolio.PhaseDefinition) error {
	r.phases = append(r.phases, p)
	return nil
}

func (r *seedRecorder) PutOrganisation(_ context.Context, o *portfolio.Organisation) error {
	r.organisations = append(r.organisations, o)
	return nil
}

func (r *seedRecorder) PutIncubator(_ context.Context, i *portfolio.Incubator) error {
	r.incubators = append(r.incubators, i)
	return nil
}

func (r *seedRecorder) PutTeam(_ context.Context, t *portfolio.Team) error {
	r.teams = append(r.teams, t)
	return nil
}

func (r *seedRecorder) PutStartup(_ context.Context, s *portfolio.Startup) error {
	r.startups = append(r.startups, s)
	return nil
}

func (r *seedRecorder) PutMember(_ context.Context, m *portfolio.Member) error {
	r.members = append(r.members, m)
	return nil
}
