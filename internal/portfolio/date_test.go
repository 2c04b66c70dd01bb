package portfolio

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means an error is expected
	}{
		{"2024-02-29", "2024-02-29"},
		{"2024-01-01", "2024-01-01"},
		{"1969-12-31", "1969-12-31"},
		{"0001-01-01", "0001-01-01"},
		{"9999-12-31", "9999-12-31"},
		{"2024-03-01T10:00:00Z", "2024-03-01"},
		{"2024-03-01T01:30:00+02:00", "2024-03-01"}, // 2024-02-29 in UTC: the written date is kept
		{"2024-03-01T23:30:00-05:00", "2024-03-01"}, // 2024-03-02 in UTC
		{"2024-03-01T10:00:00.123Z", "2024-03-01"},
		{"2024-03-01 10:00:00", "2024-03-01"},

		{"2023-02-29", ""},
		{"2024-02-30", ""},
		{"2024-13-01", ""},
		{"2024-00-10", ""},
		{"2024-01-32", ""},
		{"2024-1-5", ""},
		{"2024/02/29", ""},
		{"29/02/2024", ""},
		{"20240229", ""},
		{" 2024-02-29", ""},
		{"2024-02-29 ", ""},
		{"", ""},
		{"garbage", ""},
		{"not a date at all", ""},
		{"2023-02-29T10:00:00Z", ""},
		{"2024-03-01T10:00:00", ""},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseDate(%q) = %s, want an error", tt.in, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		if got.String() != tt.want {
			t.Errorf("ParseDate(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestMustDatePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustDate(\"2023-02-29\") did not panic")
		}
	}()
	MustDate("2023-02-29")
}

// TestDateRoundTrip walks every day of three centuries and checks String,
// ParseDate, Time and ordering against the time package.
func TestDateRoundTrip(t *testing.T) {
	start := time.Date(1899, time.December, 25, 0, 0, 0, 0, time.UTC)
	d0 := MustDate("1899-12-25")
	prev := Date(0)
	for i := 0; i < 300*366; i++ {
		tm := start.AddDate(0, 0, i)
		d := d0.AddDays(i)
		s := d.String()
		if want := tm.Format(time.DateOnly); s != want {
			t.Fatalf("day %d: String() = %q, want %q", i, s, want)
		}
		p, err := ParseDate(s)
		if err != nil || p != d {
			t.Fatalf("ParseDate(%q) = %d, %v; want %d", s, p, err, d)
		}
		if !d.Time().Equal(tm) {
			t.Fatalf("%s.Time() = %v, want %v", s, d.Time(), tm)
		}
		if NewDate(tm.Date()) != d || DateOf(tm) != d {
			t.Fatalf("NewDate/DateOf(%v) differ from %d", tm, d)
		}
		if d <= prev {
			t.Fatalf("%s is not after %s", d, prev)
		}
		prev = d
	}
}

func TestNewDateNormalises(t *testing.T) {
	tests := []struct {
		y    int
		m    time.Month
		d    int
		want string
	}{
		{2024, time.February, 29, "2024-02-29"},
		{2024, time.February, 30, "2024-03-01"},
		{2023, time.February, 29, "2023-03-01"},
		{2024, 13, 1, "2025-01-01"},
		{2024, time.January, 0, "2023-12-31"},
	}
	for _, tt := range tests {
		if got := NewDate(tt.y, tt.m, tt.d).String(); got != tt.want {
			t.Errorf("NewDate(%d, %d, %d) = %s, want %s", tt.y, tt.m, tt.d, got, tt.want)
		}
	}
}

func TestDateOfKeepsLocalDate(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	tm := time.Date(2024, time.March, 1, 0, 30, 0, 0, paris) // 2024-02-29 23:30 UTC
	if got := DateOf(tm).String(); got != "2024-03-01" {
		t.Errorf("DateOf(%v) = %s, want 2024-03-01", tm, got)
	}
	if got := DateOf(tm.UTC()).String(); got != "2024-02-29" {
		t.Errorf("DateOf(%v) = %s, want 2024-02-29", tm.UTC(), got)
	}
}

func TestToday(t *testing.T) {
	utc := DateOf(time.Now().UTC())
	got := Today()
	// Paris is one or two hours ahead of UTC: today there is today or
	// tomorrow in UTC (the test may also straddle midnight).
	if got < utc || got > utc.AddDays(1) {
		t.Errorf("Today() = %s, want %s or the day after", got, utc)
	}
}

func TestDateAddMonths(t *testing.T) {
	tests := []struct {
		d    string
		n    int
		want string
	}{
		{"2024-01-31", 1, "2024-02-29"},
		{"2023-01-31", 1, "2023-02-28"},
		{"2024-01-15", 1, "2024-02-15"},
		{"2024-03-31", -1, "2024-02-29"},
		{"2024-05-31", 1, "2024-06-30"},
		{"2024-12-31", 2, "2025-02-28"},
		{"2024-02-29", 12, "2025-02-28"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2024-01-01", -1, "2023-12-01"},
		{"2024-08-31", 6, "2025-02-28"},
		{"2024-10-31", -8, "2024-02-29"},
		{"2024-01-31", 0, "2024-01-31"},
		{"2024-06-15", -18, "2022-12-15"},
	}
	for _, tt := range tests {
		if got := MustDate(tt.d).AddMonths(tt.n).String(); got != tt.want {
			t.Errorf("%s.AddMonths(%d) = %s, want %s", tt.d, tt.n, got, tt.want)
		}
	}
}

func TestDateAddDaysAndDaysSince(t *testing.T) {
	tests := []struct {
		d    string
		n    int
		want string
	}{
		{"2024-02-28", 1, "2024-02-29"},
		{"2024-02-28", 2, "2024-03-01"},
		{"2023-02-28", 1, "2023-03-01"},
		{"2024-01-01", -1, "2023-12-31"},
		{"2024-01-01", 366, "2025-01-01"},
		{"2024-01-01", 0, "2024-01-01"},
	}
	for _, tt := range tests {
		d, want := MustDate(tt.d), MustDate(tt.want)
		if got := d.AddDays(tt.n); got != want {
			t.Errorf("%s.AddDays(%d) = %s, want %s", tt.d, tt.n, got, tt.want)
		}
		if got := want.DaysSince(d); got != tt.n {
			t.Errorf("%s.DaysSince(%s) = %d, want %d", tt.want, tt.d, got, tt.n)
		}
		if got := d.DaysSince(want); got != -tt.n {
			t.Errorf("%s.DaysSince(%s) = %d, want %d", tt.d, tt.want, got, -tt.n)
		}
	}
}

func TestDateYear(t *testing.T) {
	for s, want := range map[string]int{"2024-01-01": 2024, "2023-12-31": 2023, "1969-07-20": 1969} {
		if got := MustDate(s).Year(); got != want {
			t.Errorf("%s.Year() = %d, want %d", s, got, want)
		}
	}
}

func TestDateZero(t *testing.T) {
	var z Date
	if !z.IsZero() {
		t.Error("zero Date: IsZero() = false")
	}
	if MustDate("0001-01-01").IsZero() {
		t.Error("0001-01-01: IsZero() = true")
	}
	if !(z < MustDate("0001-01-01")) {
		t.Error("the zero Date is not before every date")
	}
	if s := z.String(); s != "" {
		t.Errorf("zero Date String() = %q, want \"\"", s)
	}
	b, err := z.MarshalJSON()
	if err != nil || string(b) != "null" {
		t.Errorf("zero Date MarshalJSON() = %s, %v; want null", b, err)
	}
	var buf bytes.Buffer
	z.MarshalGQL(&buf)
	if buf.String() != "null" {
		t.Errorf("zero Date MarshalGQL wrote %s, want null", buf.String())
	}
}

func TestDateMarshal(t *testing.T) {
	d := MustDate("2024-02-29")
	b, err := json.Marshal(struct{ D Date }{d})
	if err != nil || string(b) != `{"D":"2024-02-29"}` {
		t.Errorf("json.Marshal = %s, %v; want {\"D\":\"2024-02-29\"}", b, err)
	}
	var buf bytes.Buffer
	d.MarshalGQL(&buf)
	if buf.String() != `"2024-02-29"` {
		t.Errorf("MarshalGQL wrote %s, want \"2024-02-29\"", buf.String())
	}
}

func TestDateUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{`"2024-02-29"`, "2024-02-29", false},
		{`null`, "", false},
		{`""`, "", false},
		{`"2024-03-01T10:00:00Z"`, "2024-03-01", false},
		{`"2023-02-29"`, "", true},
		{`"garbage"`, "", true},
		{`20240229`, "", true},
		{`2024-02-29`, "", true},
	}
	for _, tt := range tests {
		d := MustDate("2000-01-01")
		err := d.UnmarshalJSON([]byte(tt.in))
		if tt.wantErr {
			if err == nil {
				t.Errorf("UnmarshalJSON(%s) = %s, want an error", tt.in, d)
			}
			continue
		}
		if err != nil || d.String() != tt.want {
			t.Errorf("UnmarshalJSON(%s) = %q, %v; want %q", tt.in, d, err, tt.want)
		}
	}
}

func TestDateUnmarshalGQL(t *testing.T) {
	tests := []struct {
		in   any
		want string // "" means an error is expected
	}{
		{"2024-02-29", "2024-02-29"},
		{"1999-12-31", "1999-12-31"},
		{"2023-02-29", ""},
		{"2024-02-30", ""},
		{"2024-2-29", ""},
		{"2024-02-29T00:00:00Z", ""},
		{"2024-02-29 00:00:00", ""},
		{" 2024-02-29", ""},
		{"29/02/2024", ""},
		{"", ""},
		{"garbage", ""},
		{20240229, ""},
		{nil, ""},
	}
	for _, tt := range tests {
		before := MustDate("2000-01-01")
		d := before
		err := d.UnmarshalGQL(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("UnmarshalGQL(%#v) = %s, want an error", tt.in, d)
			}
			if d != before {
				t.Errorf("UnmarshalGQL(%#v) failed but changed the date to %s", tt.in, d)
			}
			continue
		}
		if err != nil || d.String() != tt.want {
			t.Errorf("UnmarshalGQL(%#v) = %s, %v; want %s", tt.in, d, err, tt.want)
		}
	}
}

func TestParseDateRefusesYearZero(t *testing.T) {
	for _, s := range []string{"0000-01-01", "0000-12-31", "0000-06-15T10:00:00Z"} {
		if d, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error: year 0 is not a date", s, d)
		}
	}
}
