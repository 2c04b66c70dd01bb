package graph_test

import (
	"cmp"
	"slices"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/frorder"
)

// TestPagingInFrenchOrder pages with cursors (after) through the startups,
// the members and the organisations of the demo network, by name in both
// directions, and wants every record once, in French order, ties by slug:
// the order frorder.Compare gives the names read whole.
func TestPagingInFrenchOrder(t *testing.T) {
	e := newAPI(t)
	type node struct{ Slug, Name string }
	type conn struct {
		Edges []struct {
			Cursor string
			Node   node
		}
		PageInfo struct {
			HasNextPage bool
			EndCursor   *string
		}
	}
	for _, c := range []struct {
		list, name, order string
		desc              bool
		size              int
	}{
		{"startups", "name", `orderBy: [{field: NAME}]`, false, 97},
		{"startups", "name", `orderBy: [{field: NAME, direction: DESC}]`, true, 250},
		{"startups", "name", ``, false, 1000},
		{"members", "fullname", `orderBy: [{field: NAME}]`, false, 997},
		{"members", "fullname", `orderBy: [{field: NAME, direction: DESC}]`, true, 1000},
		{"organisations", "name", ``, false, 31},
	} {
		var got []node
		var after *string
		for pages := 0; ; pages++ {
			if pages > 100 {
				t.Fatalf("%s: no end", c.list)
			}
			var out map[string]conn
			args := c.order
			if args != "" {
				args += ", "
			}
			e.query(t, `query($after: String, $first: Int) { `+c.list+`(`+args+`first: $first, after: $after) {
				edges { cursor node { slug name: `+c.name+` } } pageInfo { hasNextPage endCursor } } }`,
				map[string]any{"after": after, "first": c.size}, &out)
			p := out[c.list]
			for _, e := range p.Edges {
				got = append(got, e.Node)
			}
			if !p.PageInfo.HasNextPage {
				break
			}
			after = p.PageInfo.EndCursor
		}
		want := slices.Clone(got)
		slices.SortStableFunc(want, func(a, b node) int {
			n := frorder.Compare(a.Name, b.Name)
			if c.desc {
				n = -n
			}
			return cmp.Or(n, strings.Compare(a.Slug, b.Slug))
		})
		if !slices.Equal(got, want) {
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("%s %s: position %d is %v, want %v", c.list, c.order, i, got[i], want[i])
					break
				}
			}
		}
		seen := map[string]bool{}
		for _, n := range got {
			if seen[n.Slug] {
				t.Errorf("%s %s: %s twice", c.list, c.order, n.Slug)
			}
			seen[n.Slug] = true
		}
		accented := 0
		for _, n := range got {
			if strings.ContainsAny(n.Name[:min(2, len(n.Name))], "ÉÈÊÀÂÎÔÛÇéèêàâîôûç") {
				accented++
			}
		}
		t.Logf("%s %s: %d records in pages of %d, %d starting with an accent", c.list, c.order, len(got), c.size, accented)
	}
}
