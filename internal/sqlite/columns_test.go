package sqlite

import (
	"context"
	"path/filepath"
	"testing"
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
