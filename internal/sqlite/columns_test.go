package sqlite

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestPackedColumns reads text columns packed by SQLite (selection.sql) and
// cut by unpack: NULL, empty, multi-byte and separator-bearing texts come
// back as they were stored.
func TestPackedColumns(t *testing.T) {
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "p.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type row struct{ a, b, c string }
	sel := &selection[row]{cols: []column[row]{
		{sql: "x.a", text: func(r *row) *string { return &r.a }},
		{sql: "x.b", text: func(r *row) *string { return &r.b }},
		{sql: "x.c", text: func(r *row) *string { return &r.c }},
	}}
	var packed string
	sel.packed = func(*row) *string { return &packed }
	cases := []struct {
		name    string
		a, b, c any
		want    row
	}{
		{"plain", "un", "deux", "trois", row{"un", "deux", "trois"}},
		{"null and empty", nil, "", nil, row{"", "", ""}},
		{"separators inside", "1:2", ":", "12:", row{"1:2", ":", "12:"}},
		{"multi-byte", "élan", "œuvre", "Ça", row{"élan", "œuvre", "Ça"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got row
			dest, cut := sel.dest(0, &got)
			q := "SELECT " + sel.sql(0) + " FROM (SELECT ? AS a, ? AS b, ? AS c) x"
			if err := db.read.QueryRowContext(context.Background(), q, tc.a, tc.b, tc.c).Scan(dest...); err != nil {
				t.Fatal(err)
			}
			if err := cut(); err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
	for _, bad := range []string{"3:ab", "x:ab", "-1:ab", "ab"} {
		var a, b string
		if err := unpack(bad, []*string{&a, &b}); err == nil {
			t.Errorf("unpack(%q): no error", bad)
		}
	}
}

// TestWhereIDs checks when a list of ids is read as a range, and that the
// rows a range lets through without being asked for are not kept.
func TestWhereIDs(t *testing.T) {
	seq := func(from, n, step int64) []int64 {
		var out []int64
		for i := int64(0); i < n; i++ {
			out = append(out, from+i*step)
		}
		return out
	}
	tests := []struct {
		name    string
		ids     []int64
		asRange bool
	}{
		{"a page of 100 spread over 660", seq(1, 100, 6), false},
		{"every one of 662", seq(1, 662, 1), true},
		{"every other one: twice the rows", seq(1, 300, 2), false},
		{"few, even if dense", seq(5, 31, 1), false},
		{"dense with gaps", append(seq(1, 60, 1), seq(70, 30, 1)...), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := whereIDs(&builder{}, "x", tt.ids)
			if got := in.want != nil; got != tt.asRange {
				t.Fatalf("range %v (%s), want %v", got, in.sql, tt.asRange)
			}
			asked := map[int64]bool{}
			for _, id := range tt.ids {
				asked[id] = true
				if !in.keep(id) {
					t.Errorf("id %d asked for, not kept", id)
				}
			}
			for id := tt.ids[0]; tt.asRange && id <= slices.Max(tt.ids); id++ {
				if !asked[id] && in.keep(id) { // a list lets through only what it names
					t.Errorf("id %d kept, not asked for", id)
				}
			}
		})
	}
}

// TestOneKeyReadsAsMany reads records one key at a time (the statements'
// single-key form, byKeys and whereIDs) and all keys at once (a JSON
// list), and checks that both give the same records, for readers of each
// form: by slug, grouped by id, a list per startup, and a statement that
// names its argument twice (which keeps the list form).
func TestOneKeyReadsAsMany(t *testing.T) {
	ctx := context.Background()
	db, _ := seededDB(t)
	ids := columnOf[int64](t, db, "SELECT id FROM startups ORDER BY id LIMIT 40")
	slugs := columnOf[string](t, db, "SELECT slug FROM startups ORDER BY id LIMIT 40")
	members := columnOf[int64](t, db, "SELECT DISTINCT member_id FROM missions ORDER BY member_id LIMIT 40")
	readers := map[string]func(keys int) (map[string]string, error){
		"StartupsBySlug": func(k int) (map[string]string, error) {
			m, err := db.StartupsBySlug(ctx, pick(slugs, k))
			return describeMap(m, func(s *portfolio.Startup) string { return s.Name + "|" + s.Pitch }), err
		},
		"CommitteesByStartup": func(k int) (map[string]string, error) {
			m, err := db.CommitteesByStartup(ctx, pick(ids, k))
			return describeMap(m, func(cs []*portfolio.Committee) string {
				return describeAll(cs, func(c *portfolio.Committee) string { return c.Slug + " " + c.Date.String() })
			}), err
		},
		"MissionsByStartup": func(k int) (map[string]string, error) {
			m, _, err := db.MissionsByStartup(ctx, pick(ids, k), portfolio.Window{Limit: 1000})
			return describeMap(m, func(p *Page[*portfolio.Mission]) string {
				return fmt.Sprint(p.Total, " ", describeAll(p.Items, func(mi *portfolio.Mission) string { return mi.Slug + " " + mi.MemberSlug }))
			}), err
		},
		"StartupsByMember": func(k int) (map[string]string, error) {
			m, err := db.StartupsByMember(ctx, pick(members, k))
			return describeMap(m, func(ss []*portfolio.Startup) string {
				return describeAll(ss, func(s *portfolio.Startup) string { return s.Slug + " " + s.IncubatorSlug })
			}), err
		},
	}
	for name, read := range readers {
		t.Run(name, func(t *testing.T) {
			all, err := read(-1)
			if err != nil {
				t.Fatal(err)
			}
			one := map[string]string{}
			for k := range 40 {
				got, err := read(k)
				if err != nil {
					t.Fatal(err)
				}
				maps.Copy(one, got)
			}
			if len(all) < 3 {
				t.Fatalf("only %d keys have records: %v", len(all), all)
			}
			if !maps.Equal(one, all) {
				t.Errorf("one key at a time:\n%v\nall at once:\n%v", one, all)
			}
		})
	}
}

// pick returns the key k of keys alone, or every key for k < 0.
func pick[K any](keys []K, k int) []K {
	if k < 0 {
		return keys
	}
	return keys[k : k+1]
}

// describeMap describes each value of m, by its key.
func describeMap[K comparable, V any](m map[K]V, describe func(V) string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[fmt.Sprint(k)] = describe(v)
	}
	return out
}

// describeAll describes each of xs, in order.
func describeAll[T any](xs []T, describe func(T) string) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = describe(x)
	}
	return strings.Join(parts, ", ")
}
