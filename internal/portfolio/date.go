package portfolio

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// Date is a calendar date without a time of day, as the network's records
// use them (YYYY-MM-DD). It counts days from 0001-01-01 plus one, so the zero
// value means "no date" and dates compare with < and ==.
type Date int32

// epochOffset is the number of days between 0001-01-01 and 1970-01-01.
const epochOffset = 719162

// NewDate returns the date of the given year, month and day. Out-of-range
// months and days are normalised the way time.Date does.
func NewDate(year int, month time.Month, day int) Date {
	t := time.Date(year, month, day, 0, 0, 0, 0, time.UTC)
	return Date(t.Unix()/86400 + epochOffset + 1)
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return NewDate(y, m, d)
}

// Today returns today's date in Europe/Paris, the network's time zone
// (falling back to UTC where the zone database is missing).
func Today() Date { return DateOf(time.Now().In(paris())) }

// Paris returns the network's time zone, Europe/Paris (UTC where the zone
// database is missing).
func Paris() *time.Location { return paris() }

// paris is the network's time zone, read from the zone database once (a
// reading costs more than most of a request).
var paris = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return time.UTC
	}
	return loc
})

// ParseDate reads a date written YYYY-MM-DD. It also accepts an RFC 3339
// timestamp and keeps its date part, as some records carry one.
func ParseDate(s string) (Date, error) {
	if d, ok := parseISO(s); ok {
		return d, nil
	}
	if len(s) == 10 {
		t, err := time.Parse(time.DateOnly, s)
		if err == nil {
			return dateOfChecked(t, s)
		}
	}
	if len(s) > 10 {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return dateOfChecked(t, s)
		}
		if t, err := time.Parse("2006-01-02 15:04:05", s); err == nil {
			return dateOfChecked(t, s)
		}
	}
	return 0, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
}

// dateOfChecked is DateOf for parsed times, refusing the years before 1
// that the zero Date stands for.
func dateOfChecked(t time.Time, s string) (Date, error) {
	if t.Year() < 1 {
		return 0, fmt.Errorf("%q is not a date (the year must be 0001 or later)", s)
	}
	return DateOf(t), nil
}

// parseISO reads YYYY-MM-DD without allocating, for the hot paths that
// read stored dates; it refuses anything else, including impossible days.
func parseISO(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	n := 0
	for i, c := range []byte(s) {
		if i == 4 || i == 7 {
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	y, m, d := n/10000, n/100%100, n%100
	if y < 1 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, false
	}
	return NewDate(y, time.Month(m), d), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// MustDate parses s like ParseDate and panics when it is not a date. It is
// meant for constants in code and tests.
func MustDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// IsZero reports whether d is the zero "no date" value.
func (d Date) IsZero() bool { return d == 0 }

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time {
	return time.Unix(int64(d-1-epochOffset)*86400, 0).UTC()
}

// String formats the date as YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	var b [10]byte
	return string(d.appendTo(b[:0]))
}

func (d Date) appendTo(b []byte) []byte {
	if d == 0 {
		return b
	}
	y, m, day := d.Time().Date()
	b = append(b, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-')
	b = append(b, byte('0'+int(m)/10), byte('0'+int(m)%10), '-')
	return append(b, byte('0'+day/10), byte('0'+day%10))
}

// AddDays returns the date n days after d (before, when n is negative).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// AddMonths returns the date n months after d, clamped to the last day of
// the target month (2024-01-31 plus one month is 2024-02-29).
func (d Date) AddMonths(n int) Date {
	y, m, day := d.Time().Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	if day > last {
		day = last
	}
	return NewDate(first.Year(), first.Month(), day)
}

// DaysSince returns the number of days from e to d (negative when e is later).
func (d Date) DaysSince(e Date) int { return int(d - e) }

// Year returns the year of the date.
func (d Date) Year() int { return d.Time().Year() }

// AppendJSON appends the date as a JSON string, or null for the zero date.
func (d Date) AppendJSON(b []byte) []byte {
	if d == 0 {
		return append(b, "null"...)
	}
	b = append(b, '"')
	return append(d.appendTo(b), '"')
}

// MarshalGQL writes the date as a GraphQL string (null for the zero date).
func (d Date) MarshalGQL(w io.Writer) {
	if buf, ok := w.(*bytes.Buffer); ok { // GraphQL answers are made in one: no copy to the heap
		var b [12]byte
		buf.Write(d.AppendJSON(b[:0]))
		return
	}
	_, _ = w.Write(d.AppendJSON(nil))
}

// UnmarshalGQL reads a date from a GraphQL string argument.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return Errorf(EInvalid, "a Date is a string YYYY-MM-DD, not %v", v)
	}
	p, err := ParseDate(s)
	if err != nil || len(s) != 10 || p.String() != s {
		return Errorf(EInvalid, "%q is not a date (want YYYY-MM-DD, a real calendar day)", s)
	}
	*d = p
	return nil
}

// MarshalJSON writes the date as a JSON string (null for the zero date).
func (d Date) MarshalJSON() ([]byte, error) {
	if d == 0 {
		return []byte("null"), nil
	}
	return []byte(strconv.Quote(d.String())), nil
}

// UnmarshalJSON reads a date from a JSON string or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = 0
		return nil
	}
	s, err := strconv.Unquote(string(b))
	if err != nil {
		return fmt.Errorf("date: %w", err)
	}
	if s == "" {
		*d = 0
		return nil
	}
	p, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
