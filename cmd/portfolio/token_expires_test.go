package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/sqlite"
)

// --expires reads durations in days or hours from now, a date (its
// midnight in Paris), an RFC 3339 time, or never; anything else, and an
// expiry not in the future, is refused.
func TestParseExpiry(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 30, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want string // RFC 3339 UTC; "" never; "error"
	}{
		{"", ""},
		{"never", ""},
		{"NEVER", ""},
		{"none", ""},
		{"90d", "2027-03-01T10:30:00Z"},
		{"1d", "2026-12-02T10:30:00Z"},
		{"36h", "2026-12-02T22:30:00Z"},
		{"90m", "2026-12-01T12:00:00Z"},
		{"2027-03-01", "2027-02-28T23:00:00Z"}, // midnight in Paris (winter: UTC+1)
		{"2027-07-01", "2027-06-30T22:00:00Z"}, // summer: UTC+2
		{"2027-03-01T12:00:00Z", "2027-03-01T12:00:00Z"},
		{"2027-03-01T12:00:00+01:00", "2027-03-01T11:00:00Z"},
		{" 30d ", "2026-12-31T10:30:00Z"},
		{"0d", "error"},
		{"-5d", "error"},
		{"-1h", "error"},
		{"0s", "error"},
		{"2026-12-01", "error"}, // today's midnight is past
		{"2020-01-01", "error"},
		{"2026-12-01T10:30:00Z", "error"}, // now is not in the future
		{"2027-02-30", "error"},
		{"tomorrow", "error"},
		{"90", "error"},
		{"90 days", "error"},
		{"1.5d", "error"},
		{"99999999999d", "error"},
	} {
		t.Run(tt.in, func(t *testing.T) {
			at, err := parseExpiry(tt.in, now)
			got := ""
			switch {
			case err != nil:
				got = "error"
			case !at.IsZero():
				got = at.UTC().Format(time.RFC3339)
			}
			if got != tt.want {
				t.Errorf("parseExpiry(%q) = %q (%v), want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// token create --expires stores the expiry, says it, and token list shows
// it; PORTFOLIO_TOKEN_EXPIRES is the default an operator sets, which
// --expires never overrides; a past expiry is a usage error creating
// nothing.
func TestTokenCreateExpires(t *testing.T) {
	db := tokenTestDB(t)
	before := time.Now()
	create := func(env map[string]string, args ...string) string {
		t.Helper()
		out, _, err := portfolioCmd(env, append([]string{"token", "create", "--db", db, "--role", "viewer"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	out := create(nil, "--name", "quarter", "--expires", "90d")
	if !strings.Contains(out, "  expires:    ") || !strings.Contains(out, "(in 90 days; ") {
		t.Errorf("create --expires 90d says:\n%s", out)
	}
	out = create(nil, "--name", "plain")
	if !strings.Contains(out, "expires:    never") {
		t.Errorf("create without --expires says:\n%s", out)
	}
	env := map[string]string{"PORTFOLIO_TOKEN_EXPIRES": "36h"}
	if out = create(env, "--name", "by-env"); !strings.Contains(out, "(in 36 hours; ") {
		t.Errorf("create with PORTFOLIO_TOKEN_EXPIRES=36h says:\n%s", out)
	}
	if out = create(env, "--name", "env-overridden", "--expires", "never"); !strings.Contains(out, "expires:    never") {
		t.Errorf("create --expires never with PORTFOLIO_TOKEN_EXPIRES says:\n%s", out)
	}
	for _, bad := range []string{"2020-01-01", "soon", "-3d"} {
		_, _, err := portfolioCmd(nil, "token", "create", "--db", db, "--role", "viewer", "--name", "bad", "--expires", bad)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "--expires") {
			t.Errorf("--expires %s: %v (exit %d), want a usage error", bad, err, exitCode(err))
		}
	}
	if _, _, err := portfolioCmd(map[string]string{"PORTFOLIO_TOKEN_EXPIRES": "yesterday"}, "token", "create", "--db", db, "--role", "viewer", "--name", "bad"); exitCode(err) != 2 {
		t.Errorf("a bad PORTFOLIO_TOKEN_EXPIRES: %v, want a usage error", err)
	}

	sdb, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	toks, err := sdb.ListTokens(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]time.Duration{}
	for _, tk := range toks {
		got[tk.Name] = -1
		if at, err := time.Parse(time.RFC3339, tk.ExpiresAt); err == nil {
			got[tk.Name] = at.Sub(before).Round(time.Hour)
		}
	}
	want := map[string]time.Duration{"quarter": 90 * 24 * time.Hour, "plain": -1, "by-env": 36 * time.Hour, "env-overridden": -1}
	if len(got) != len(want) {
		t.Errorf("tokens %v, want %v", got, want)
	}
	for name, d := range want {
		if got[name] != d {
			t.Errorf("%s expires %s after its creation, want %s", name, got[name], d)
		}
	}

	// Time passes for "quarter": its expiry moves into the past.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE tokens SET expires_at = '2026-01-01T00:00:00Z' WHERE name = 'quarter'`); err != nil {
		t.Fatal(err)
	}
	out, _, err = portfolioCmd(nil, "token", "list", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	rows := strings.Split(strings.TrimSpace(out), "\n")
	if f := strings.Fields(rows[0]); len(f) < 6 || f[5] != "EXPIRES" {
		t.Errorf("list header %q", rows[0])
	}
	for _, row := range rows[1:] {
		f := strings.Fields(row)
		expires := strings.Join(f[5:len(f)-2], " ") // LAST USED and REVOKED follow
		var want string
		switch f[1] {
		case "quarter":
			want = "2026-01-01T00:00:00Z (expired)"
		case "by-env":
			want = toks[2].ExpiresAt
		default:
			want = "-"
		}
		if expires != want {
			t.Errorf("row %q: EXPIRES %q, want %q", row, expires, want)
		}
	}
}
