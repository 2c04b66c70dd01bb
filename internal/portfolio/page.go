package portfolio

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Page sizes of connections.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// Window is a slice of an ordered list: skip Offset items, take at most
// Limit.
type Window struct {
	Offset int
	Limit  int
}

// Cursor returns the opaque cursor of the item at position pos (0-based) of
// an ordered list.
func Cursor(pos int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o:" + strconv.Itoa(pos)))
}

// ParseCursor returns the position a Cursor stands for.
func ParseCursor(c, arg string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	s, ok := strings.CutPrefix(string(b), "o:")
	n, aerr := strconv.Atoi(s)
	if err != nil || !ok || aerr != nil || n < 0 {
		return 0, FieldErrorf(arg, "%s: %q is not a cursor of this list", arg, c)
	}
	return n, nil
}

// WindowOf turns Relay paging arguments into a Window over a list of total
// items (total < 0 when not known yet: then last without before is refused).
// first and last are capped at MaxPageSize: more is a BAD_USER_INPUT error,
// not a silent cut. With neither, a page is DefaultPageSize items.
func WindowOf(first, last *int, after, before *string) (Window, error) {
	for _, a := range []struct {
		name string
		v    *int
	}{{"first", first}, {"last", last}} {
		if a.v == nil {
			continue
		}
		if *a.v < 0 {
			return Window{}, FieldErrorf(a.name, "%s must not be negative (got %d)", a.name, *a.v)
		}
		if *a.v > MaxPageSize {
			return Window{}, FieldErrorf(a.name, "%s is at most %d (got %d): page through the list with after", a.name, MaxPageSize, *a.v)
		}
	}
	if first != nil && last != nil {
		return Window{}, FieldErrorf("last", "give first or last, not both")
	}
	lo, hi := 0, -1 // items in [lo, hi) ; hi < 0 means "to the end"
	if after != nil {
		n, err := ParseCursor(*after, "after")
		if err != nil {
			return Window{}, err
		}
		lo = n + 1
	}
	if before != nil {
		n, err := ParseCursor(*before, "before")
		if err != nil {
			return Window{}, err
		}
		hi = n
		if hi < lo {
			hi = lo
		}
	}
	switch {
	case last != nil:
		if hi < 0 {
			return Window{}, FieldErrorf("last", "last needs before (a cursor) here; use first to page forward")
		}
		if hi-*last > lo {
			lo = hi - *last
		}
		return Window{Offset: lo, Limit: hi - lo}, nil
	default:
		n := DefaultPageSize
		if first != nil {
			n = *first
		}
		if hi >= 0 && hi-lo < n {
			n = hi - lo
		}
		return Window{Offset: lo, Limit: n}, nil
	}
}
