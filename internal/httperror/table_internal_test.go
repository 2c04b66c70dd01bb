package httperror

import (
	"slices"
	"testing"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestTableHoldsTheDomainsCodes checks that the table has no code the
// domain does not declare (a stale or misspelt one).
func TestTableHoldsTheDomainsCodes(t *testing.T) {
	codes := portfolio.Codes()
	for code := range statuses {
		if !slices.Contains(codes, code) {
			t.Errorf("the table has %s, which portfolio.Codes does not list", code)
		}
	}
}
