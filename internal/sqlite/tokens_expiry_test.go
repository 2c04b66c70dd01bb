package sqlite_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// A token created with an expiry is accepted until that instant, by the
// store's clock, and refused from it on with a message saying when it
// expired; the expiry is only told to a caller holding the right secret.
// A token without an expiry never expires.
func TestTokenExpiry(t *testing.T) {
	db := tokenDB(t)
	ctx := context.Background()
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	clock := created
	db.SetTokenClock(func() time.Time { return clock })
	expires := created.Add(90 * 24 * time.Hour)
	secret, tok, err := db.CreateExpiringToken(ctx, "quarter", portfolio.RoleViewer, nil, expires)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresAt != "2026-05-30T09:00:00Z" {
		t.Errorf("ExpiresAt %q", tok.ExpiresAt)
	}
	forever, _ := mustCreate(t, db, "forever", portfolio.RoleViewer)
	revoked, _, err := db.CreateExpiringToken(ctx, "revoked", portfolio.RoleViewer, nil, created.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(ctx, "revoked"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		at      time.Time
		token   string
		wantErr string // "" accepted; else a part of the UNAUTHENTICATED message
		expired bool   // the error says when the token expired
	}{
		{"just created", created, secret, "", false},
		{"a second before", expires.Add(-time.Second), secret, "", false},
		{"at the expiry", expires, secret, "this token expired on 2026-05-30 09:00 UTC", true},
		{"a year after", expires.AddDate(1, 0, 0), secret, "expired on 2026-05-30 09:00 UTC", true},
		{"a wrong secret of an expired token", expires.AddDate(1, 0, 0), secret[:len(secret)-1] + "x", "invalid or revoked token", false},
		{"revoked before its expiry, asked after it", created.Add(2 * time.Hour), revoked, "invalid or revoked token", false},
		{"never expires", created.AddDate(100, 0, 0), forever, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock = tt.at
			id, err := db.Authenticate(ctx, tt.token)
			if tt.wantErr == "" {
				if err != nil || id == nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			checkError(t, err, portfolio.EUnauthenticated, tt.wantErr)
			at, ok := portfolio.TokenExpiry(err)
			if ok != tt.expired || (ok && !at.Equal(expires)) {
				t.Errorf("TokenExpiry: %v %v, want %v", at, ok, tt.expired)
			}
		})
	}

	clock = created
	toks, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tk := range toks {
		got[tk.Name] = tk.ExpiresAt
	}
	if got["quarter"] != "2026-05-30T09:00:00Z" || got["forever"] != "" || got["revoked"] != "2026-03-01T10:00:00Z" {
		t.Errorf("ListTokens expiries: %v", got)
	}
}

// An expiry that is not in the future is refused at creation, naming the
// argument, and nothing is created.
func TestCreateTokenPastExpiry(t *testing.T) {
	db := tokenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.SetTokenClock(func() time.Time { return now })
	for _, tt := range []struct {
		name    string
		expires time.Time
	}{
		{"now", now},
		{"yesterday", now.AddDate(0, 0, -1)},
		{"long ago", time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := db.CreateExpiringToken(ctx, "t-"+tt.name, portfolio.RoleViewer, nil, tt.expires)
			var perr *portfolio.Error
			if !errors.As(err, &perr) || perr.Code != portfolio.EInvalid || perr.Field != "expires" {
				t.Fatalf("error %v, want BAD_USER_INPUT on expires", err)
			}
		})
	}
	if toks, err := db.ListTokens(ctx); err != nil || len(toks) != 0 {
		t.Errorf("tokens after refused creations: %v %v", toks, err)
	}
}
