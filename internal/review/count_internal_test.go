package review

import (
	"strings"
	"testing"
)

// A list says how many startups it holds when it holds them all, and that
// there are more otherwise (its query asks whether there are more, not how
// many).
func TestListCount(t *testing.T) {
	for _, tt := range []struct {
		shown int
		more  bool
		want  string
	}{
		{0, false, `<strong data-figure="n">0</strong>`},
		{231, false, `<strong data-figure="n">231</strong>`},
		{1000, true, "<strong>Plus de 1\u202f000</strong>"},
	} {
		d := &startupList{}
		d.Startups.Nodes = make([]startupRow, tt.shown)
		d.Startups.PageInfo.HasNextPage = tt.more
		var b strings.Builder
		if err := base.ExecuteTemplate(&b, "list-count", []any{"n", d}); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(b.String()); got != tt.want {
			t.Errorf("%d shown, more %v: %q, want %q", tt.shown, tt.more, got, tt.want)
		}
	}
}
