package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// TestExitCodes lists every error code and checks the command's exit
// status for it, as the README's Commands section gives them: derived
// from the code's HTTP status in the edge's table, so that the command
// and the server say the same of each code.
func TestExitCodes(t *testing.T) {
	want := map[string]int{
		portfolio.EInvalid:           2,
		portfolio.EParseFailed:       2,
		portfolio.EValidationFailed:  2,
		portfolio.ENotFound:          3,
		portfolio.EUnauthenticated:   4,
		portfolio.EForbidden:         4,
		portfolio.EConflict:          5,
		portfolio.EComplexity:        6,
		portfolio.ETooLarge:          6,
		portfolio.EUnknownDocument:   6,
		portfolio.EUntrustedDocument: 6,
		portfolio.ETimeout:           7,
		portfolio.EUnavailable:       7,
		portfolio.ERateLimited:       7,
		portfolio.EInternal:          1,
		portfolio.EDamaged:           1,
		portfolio.EReadOnlyReplica:   8,
	}
	for _, code := range portfolio.Codes() {
		w, ok := want[code]
		if !ok {
			t.Errorf("%s: no exit status chosen (add it here and to the README)", code)
			continue
		}
		for _, err := range []error{
			fmt.Errorf("token revoke: %w", portfolio.Errorf(code, "m")),
			fmt.Errorf("export: %w", &export.RequestError{Code: code, Message: "m"}),
		} {
			if got := exitCode(err); got != w {
				t.Errorf("%s (%T): exit %d, want %d", code, errors.Unwrap(err), got, w)
			}
		}
	}
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"a usage mistake", usageError{"give --db"}, 2},
		{"a damaged file", fmt.Errorf("serve: %w", portfolio.ErrDamaged), 1},
		{"an error without a code", errors.New("disk full"), 1},
	} {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("%s: exit %d, want %d", tt.name, got, tt.want)
		}
	}
}
