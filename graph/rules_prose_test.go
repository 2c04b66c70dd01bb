package graph_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestSchemaStatesTheRules checks that the schema's descriptions state the
// rules' delays as the domain defines them (DESIGN.md, "Semantics"): every
// "N days" in schema.graphqls is the delay after a committee
// (portfolio.OverdueAfterDays) or the window of DUE_SOON
// (portfolio.DueSoonDays). The rules themselves are held to their tables
// of cases in internal/sqlite.
func TestSchemaStatesTheRules(t *testing.T) {
	b, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]int{}
	for _, m := range regexp.MustCompile(`(\d+) days`).FindAllSubmatch(b, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		seen[n]++
		if n != portfolio.OverdueAfterDays && n != portfolio.DueSoonDays {
			t.Errorf("the schema says %q: no rule has %d days", m[0], n)
		}
	}
	if seen[portfolio.OverdueAfterDays] == 0 || seen[portfolio.DueSoonDays] == 0 {
		t.Errorf("the schema states neither delay, or one only: %v", seen)
	}
}
