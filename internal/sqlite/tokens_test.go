package sqlite_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// tokenDB opens a database holding the incubators "serre" and "verger".
func tokenDB(t *testing.T) *sqlite.DB {
	t.Helper()
	db := MustOpenDB(t)
	_, err := db.Load(context.Background(), sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		ctx := context.Background()
		return errors.Join(
			s.PutIncubator(ctx, &portfolio.Incubator{Slug: "serre", Title: "La Serre"}),
			s.PutIncubator(ctx, &portfolio.Incubator{Slug: "verger", Title: "Le Verger"}),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// mustCreate creates a token or fails the test.
func mustCreate(t *testing.T, db *sqlite.DB, name string, role portfolio.Role, incubators ...string) (string, *portfolio.Token) {
	t.Helper()
	secret, tok, err := db.CreateToken(context.Background(), name, role, incubators)
	if err != nil {
		t.Fatalf("CreateToken(%q, %s, %v): %v", name, role, incubators, err)
	}
	return secret, tok
}

// checkError fails the test unless err is a *portfolio.Error with this code
// (and, when given, a message holding want).
func checkError(t *testing.T, err error, code, want string) {
	t.Helper()
	var perr *portfolio.Error
	switch {
	case err == nil:
		t.Fatalf("no error, want %s", code)
	case !errors.As(err, &perr):
		t.Fatalf("error %v (%T), want a *portfolio.Error %s", err, err, code)
	case perr.Code != code:
		t.Fatalf("error %q has code %s, want %s", perr.Message, perr.Code, code)
	case !strings.Contains(perr.Message, want):
		t.Fatalf("error %q does not say %q", perr.Message, want)
	}
}

var (
	tokenFormat = regexp.MustCompile(`^pf_[1-9][0-9]*_[A-Za-z0-9_-]{43}$`)
	harnessGrep = regexp.MustCompile(`[A-Za-z0-9_.-]{24,}`) // what the bench-peers harness greps for
	tooLongName = strings.Repeat("x", 101)
)

func TestCreateToken(t *testing.T) {
	db := tokenDB(t)
	mustCreate(t, db, "taken", portfolio.RoleViewer)
	tests := []struct {
		name       string
		tokName    string
		role       portfolio.Role
		incubators []string
		wantCode   string // "" for success
		wantMsg    string
		wantName   string
		wantIncs   []string
	}{
		{name: "viewer", tokName: "dashboard", role: portfolio.RoleViewer, wantName: "dashboard"},
		{name: "admin", tokName: "root", role: portfolio.RoleAdmin, wantName: "root"},
		{name: "manager", tokName: "serre-lead", role: portfolio.RoleManager, incubators: []string{"serre"}, wantName: "serre-lead", wantIncs: []string{"serre"}},
		{name: "manager of two, sorted, duplicates dropped", tokName: "two", role: portfolio.RoleManager,
			incubators: []string{"verger", "serre", " verger "}, wantName: "two", wantIncs: []string{"serre", "verger"}},
		{name: "name trimmed", tokName: "  spaced  ", role: portfolio.RoleViewer, wantName: "spaced"},
		{name: "name of 100 characters", tokName: strings.Repeat("é", 100), role: portfolio.RoleViewer, wantName: strings.Repeat("é", 100)},
		{name: "empty name", tokName: "  ", role: portfolio.RoleViewer, wantCode: portfolio.EInvalid, wantMsg: "name"},
		{name: "name too long", tokName: tooLongName, role: portfolio.RoleViewer, wantCode: portfolio.EInvalid, wantMsg: "100"},
		{name: "name of digits", tokName: "42", role: portfolio.RoleViewer, wantCode: portfolio.EInvalid, wantMsg: "digits"},
		{name: "control character", tokName: "a\nb", role: portfolio.RoleViewer, wantCode: portfolio.EInvalid, wantMsg: "control"},
		{name: "right-to-left override", tokName: "ci\u202Etset", role: portfolio.RoleViewer, wantCode: portfolio.EInvalid, wantMsg: "U+202E RIGHT-TO-LEFT OVERRIDE at character 3"},
		{name: "zero-width space", tokName: "admin\u200B", role: portfolio.RoleViewer, wantCode: portfolio.EInvalid, wantMsg: "U+200B"},
		{name: "invalid UTF-8", tokName: "a\xffb", role: portfolio.RoleViewer, wantCode: portfolio.EInvalid, wantMsg: "byte 0xFF"},
		{name: "duplicate name", tokName: "taken", role: portfolio.RoleAdmin, wantCode: portfolio.EConflict, wantMsg: `"taken"`},
		{name: "anonymous role", tokName: "anon", role: portfolio.RoleAnonymous, wantCode: portfolio.EInvalid, wantMsg: "role"},
		{name: "unknown role", tokName: "owner", role: "OWNER", wantCode: portfolio.EInvalid, wantMsg: "OWNER"},
		{name: "lower-case role", tokName: "lower", role: "viewer", wantCode: portfolio.EInvalid, wantMsg: "role"},
		{name: "manager without incubator", tokName: "lost", role: portfolio.RoleManager, wantCode: portfolio.EInvalid, wantMsg: "at least one incubator"},
		{name: "manager of an unknown incubator", tokName: "lost", role: portfolio.RoleManager,
			incubators: []string{"serre", "potager", "ruche"}, wantCode: portfolio.EInvalid, wantMsg: `unknown incubator "potager", "ruche"`},
		{name: "empty incubator slug", tokName: "lost", role: portfolio.RoleManager, incubators: []string{""}, wantCode: portfolio.EInvalid, wantMsg: "empty"},
		{name: "viewer with incubators", tokName: "lost", role: portfolio.RoleViewer, incubators: []string{"serre"}, wantCode: portfolio.EInvalid, wantMsg: "only a manager"},
		{name: "admin with incubators", tokName: "lost", role: portfolio.RoleAdmin, incubators: []string{"serre"}, wantCode: portfolio.EInvalid, wantMsg: "only a manager"},
	}
	created := 1
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, tok, err := db.CreateToken(context.Background(), tt.tokName, tt.role, tt.incubators)
			if tt.wantCode != "" {
				checkError(t, err, tt.wantCode, tt.wantMsg)
				if secret != "" || tok != nil {
					t.Errorf("a failed creation returned %q, %v", secret, tok)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			created++
			if tok.Name != tt.wantName || tok.Role != tt.role || !slices.Equal(tok.Incubators, tt.wantIncs) || tok.ID == 0 {
				t.Errorf("token %+v, want name %q, role %s, incubators %v", tok, tt.wantName, tt.role, tt.wantIncs)
			}
			if _, err := time.Parse(time.RFC3339, tok.CreatedAt); err != nil || tok.RevokedAt != "" || tok.LastUsedAt != "" {
				t.Errorf("created %q, revoked %q, last used %q", tok.CreatedAt, tok.RevokedAt, tok.LastUsedAt)
			}
			if !tokenFormat.MatchString(secret) || !strings.HasPrefix(secret, "pf_"+strconv.FormatInt(tok.ID, 10)+"_") {
				t.Errorf("secret %q is not pf_%d_<43 base64url characters>", secret, tok.ID)
			}
			if got := harnessGrep.FindAllString(secret, -1); len(got) != 1 || got[0] != secret {
				t.Errorf("the harness's grep finds %q in %q", got, secret)
			}
		})
	}
	if n := count(t, db, "tokens"); n != created {
		t.Errorf("%d tokens stored, want %d: a failed creation wrote something", n, created)
	}
}

func TestCreateTokenStoresOnlyTheHash(t *testing.T) {
	db := tokenDB(t)
	secret, tok := mustCreate(t, db, "hashed", portfolio.RoleManager, "serre")
	other, _ := mustCreate(t, db, "other", portfolio.RoleViewer)
	if secret == other {
		t.Fatal("two tokens share a secret")
	}
	raw, err := sql.Open("sqlite", db.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var hash []byte
	var row string
	if err := raw.QueryRow("SELECT secret_hash, concat_ws('|', id, name, role, created_at, revoked_at, last_used_at) FROM tokens WHERE id = ?", tok.ID).Scan(&hash, &row); err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256([]byte(secret)); string(hash) != string(want[:]) {
		t.Errorf("secret_hash %x, want SHA-256 of the token %x", hash, want)
	}
	random := secret[strings.LastIndexByte(secret[:len(secret)-43], '_')+1:]
	if strings.Contains(row, random) || strings.Contains(string(hash), random) {
		t.Errorf("the secret is stored: %q", row)
	}
}

func TestListTokens(t *testing.T) {
	db := tokenDB(t)
	ctx := context.Background()
	if toks, err := db.ListTokens(ctx); err != nil || len(toks) != 0 {
		t.Fatalf("ListTokens on no tokens = %v, %v", toks, err)
	}
	_, admin := mustCreate(t, db, "admin", portfolio.RoleAdmin)
	_, manager := mustCreate(t, db, "lead", portfolio.RoleManager, "verger", "serre")
	_, viewer := mustCreate(t, db, "gone", portfolio.RoleViewer)
	if err := db.RevokeToken(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	toks, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id         int64
		name       string
		role       portfolio.Role
		incubators []string
		revoked    bool
	}{
		{admin.ID, "admin", portfolio.RoleAdmin, nil, false},
		{manager.ID, "lead", portfolio.RoleManager, []string{"serre", "verger"}, false},
		{viewer.ID, "gone", portfolio.RoleViewer, nil, true},
	}
	if len(toks) != len(want) {
		t.Fatalf("%d tokens, want %d", len(toks), len(want))
	}
	for i, w := range want {
		got := toks[i]
		if got.ID != w.id || got.Name != w.name || got.Role != w.role || !slices.Equal(got.Incubators, w.incubators) || (got.RevokedAt != "") != w.revoked || got.CreatedAt == "" {
			t.Errorf("token %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestRevokeToken(t *testing.T) {
	db := tokenDB(t)
	ctx := context.Background()
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.SetTokenClock(func() time.Time { return clock })
	_, byName := mustCreate(t, db, "by-name", portfolio.RoleViewer)
	_, byID := mustCreate(t, db, "by-id", portfolio.RoleAdmin)
	_, kept := mustCreate(t, db, "kept", portfolio.RoleViewer)
	tests := []struct {
		name, arg string
		wantCode  string
		revoked   int64
	}{
		{"by name", "by-name", "", byName.ID},
		{"by id", strconv.FormatInt(byID.ID, 10), "", byID.ID},
		{"twice", "by-name", "", byName.ID},
		{"unknown name", "nobody", portfolio.ENotFound, 0},
		{"unknown id", "999", portfolio.ENotFound, 0},
		{"empty", "", portfolio.ENotFound, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock = clock.Add(time.Hour)
			err := db.RevokeToken(ctx, tt.arg)
			if tt.wantCode != "" {
				checkError(t, err, tt.wantCode, "")
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	toks, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]string{}
	for _, tok := range toks {
		got[tok.ID] = tok.RevokedAt
	}
	want := map[int64]string{byName.ID: "2026-03-01T10:00:00Z", byID.ID: "2026-03-01T11:00:00Z", kept.ID: ""}
	for id, w := range want {
		if got[id] != w {
			t.Errorf("token %d revoked at %q, want %q (a second revocation keeps the first date)", id, got[id], w)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	db := tokenDB(t)
	ctx := context.Background()
	viewerSecret, viewer := mustCreate(t, db, "viewer", portfolio.RoleViewer)
	managerSecret, manager := mustCreate(t, db, "manager", portfolio.RoleManager, "verger", "serre")
	adminSecret, admin := mustCreate(t, db, "admin", portfolio.RoleAdmin)
	revokedSecret, _ := mustCreate(t, db, "revoked", portfolio.RoleAdmin)
	if err := db.RevokeToken(ctx, "revoked"); err != nil {
		t.Fatal(err)
	}
	// flip changes the last character of the secret.
	flip := func(s string) string {
		last := byte('A')
		if s[len(s)-1] == 'A' {
			last = 'B'
		}
		return s[:len(s)-1] + string(last)
	}
	viewerRandom := viewerSecret[len(viewerSecret)-43:]
	tests := []struct {
		name  string
		token string
		want  *portfolio.Identity // nil: refused
	}{
		{"viewer", viewerSecret, &portfolio.Identity{TokenID: viewer.ID, TokenName: "viewer", Role: portfolio.RoleViewer}},
		{"manager", managerSecret, &portfolio.Identity{TokenID: manager.ID, TokenName: "manager", Role: portfolio.RoleManager, Incubators: []string{"serre", "verger"}}},
		{"admin", adminSecret, &portfolio.Identity{TokenID: admin.ID, TokenName: "admin", Role: portfolio.RoleAdmin}},
		{"empty", "", nil},
		{"prefix only", "pf_", nil},
		{"no prefix", strings.TrimPrefix(viewerSecret, "pf_"), nil},
		{"other prefix", "gh" + viewerSecret[2:], nil},
		{"secret too short", viewerSecret[:len(viewerSecret)-1], nil},
		{"secret too long", viewerSecret + "A", nil},
		{"leading zero id", "pf_0" + viewerSecret[3:], nil},
		{"signed id", "pf_+" + viewerSecret[3:], nil},
		{"id not a number", "pf_x_" + viewerRandom, nil},
		{"id overflows", "pf_99999999999999999999_" + viewerRandom, nil},
		{"padding", viewerSecret[:len(viewerSecret)-1] + "=", nil},
		{"space inside", viewerSecret[:10] + " " + viewerSecret[11:], nil},
		{"unknown id", "pf_999_" + viewerRandom, nil},
		{"another token's id", "pf_" + strconv.FormatInt(admin.ID, 10) + "_" + viewerRandom, nil},
		{"wrong secret", flip(viewerSecret), nil},
		{"revoked", revokedSecret, nil},
	}
	var message string
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := db.Authenticate(ctx, tt.token)
			if tt.want == nil {
				checkError(t, err, portfolio.EUnauthenticated, "")
				if got != nil {
					t.Errorf("identity %+v for a refused token", got)
				}
				if message == "" {
					message = err.Error()
				} else if err.Error() != message {
					t.Errorf("message %q differs from %q: the messages tell refusals apart", err.Error(), message)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.TokenID != tt.want.TokenID || got.TokenName != tt.want.TokenName || got.Role != tt.want.Role || !slices.Equal(got.Incubators, tt.want.Incubators) {
				t.Errorf("identity %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestAuthenticateRecordsLastUseOnceAMinute(t *testing.T) {
	db := tokenDB(t)
	ctx := context.Background()
	start := time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
	clock := start
	db.SetTokenClock(func() time.Time { return clock })
	secret, tok := mustCreate(t, db, "busy", portfolio.RoleViewer)
	otherSecret, other := mustCreate(t, db, "other", portfolio.RoleViewer)
	lastUsed := func() map[int64]string {
		t.Helper()
		db.WaitTokenUses()
		toks, err := db.ListTokens(ctx)
		if err != nil {
			t.Fatal(err)
		}
		m := map[int64]string{}
		for _, tk := range toks {
			m[tk.ID] = tk.LastUsedAt
		}
		return m
	}
	if got := lastUsed()[tok.ID]; got != "" {
		t.Fatalf("a new token was last used at %q", got)
	}
	steps := []struct {
		after     time.Duration // since start
		token     string
		wantBusy  string
		wantOther string
	}{
		{0, secret, "2026-05-04T08:00:00Z", ""},
		{10 * time.Second, secret, "2026-05-04T08:00:00Z", ""},
		{59 * time.Second, secret, "2026-05-04T08:00:00Z", ""},
		{30 * time.Second, otherSecret, "2026-05-04T08:00:00Z", "2026-05-04T08:00:30Z"}, // per token
		{61 * time.Second, secret, "2026-05-04T08:01:01Z", "2026-05-04T08:00:30Z"},
		{90 * time.Second, secret, "2026-05-04T08:01:01Z", "2026-05-04T08:00:30Z"},
		{5 * time.Minute, secret, "2026-05-04T08:05:00Z", "2026-05-04T08:00:30Z"},
	}
	for _, s := range steps {
		clock = start.Add(s.after)
		if _, err := db.Authenticate(ctx, s.token); err != nil {
			t.Fatal(err)
		}
		got := lastUsed()
		if got[tok.ID] != s.wantBusy || got[other.ID] != s.wantOther {
			t.Errorf("after a use at +%s: last used %q and %q, want %q and %q", s.after, got[tok.ID], got[other.ID], s.wantBusy, s.wantOther)
		}
	}
	// A refused token records nothing.
	clock = start.Add(time.Hour)
	if _, err := db.Authenticate(ctx, secret[:len(secret)-1]+"!"); err == nil {
		t.Fatal("a malformed token was accepted")
	}
	if got := lastUsed()[tok.ID]; got != "2026-05-04T08:05:00Z" {
		t.Errorf("a refused request moved last use to %q", got)
	}
}

func TestHasAdminToken(t *testing.T) {
	db := tokenDB(t)
	ctx := context.Background()
	steps := []struct {
		name string
		do   func() error
		want bool
	}{
		{"no token", func() error { return nil }, false},
		{"a viewer and a manager", func() error {
			_, _, err := db.CreateToken(ctx, "v", portfolio.RoleViewer, nil)
			if err == nil {
				_, _, err = db.CreateToken(ctx, "m", portfolio.RoleManager, []string{"serre"})
			}
			return err
		}, false},
		{"an admin", func() error { _, _, err := db.CreateToken(ctx, "a", portfolio.RoleAdmin, nil); return err }, true},
		{"the admin revoked", func() error { return db.RevokeToken(ctx, "a") }, false},
		{"another admin", func() error { _, _, err := db.CreateToken(ctx, "b", portfolio.RoleAdmin, nil); return err }, true},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, err := db.HasAdminToken(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want {
			t.Errorf("%s: HasAdminToken = %v, want %v", s.name, got, s.want)
		}
	}
}

// TestTokenOfAnotherDatabase sends a token made on one database to
// another: the refusal says that tokens belong to their database and names
// this one's file (its base name only), and is the same message for every
// refused token, so that it tells nothing about the token or the ids that
// exist.
func TestTokenOfAnotherDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	open := func(name string) *sqlite.DB {
		db, err := sqlite.Open(ctx, filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	real, demo := open("real.db"), open("portfolio.db")
	fromReal, _, err := real.CreateToken(ctx, "me", portfolio.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromDemo, _, err := demo.CreateToken(ctx, "me", portfolio.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := real.Authenticate(ctx, fromReal); err != nil {
		t.Fatalf("refused on its own database: %v", err)
	}
	// Both tokens have id 1: only the secret tells them apart.
	wrong := fromDemo[:len(fromDemo)-1] + "x"
	if wrong == fromDemo {
		wrong = fromDemo[:len(fromDemo)-1] + "y"
	}
	var msgs []string
	for _, tok := range []string{fromReal, wrong, "pf_999_" + fromReal[len(fromReal)-43:], "hello"} {
		_, err := demo.Authenticate(ctx, tok)
		if portfolio.ErrorCode(err) != portfolio.EUnauthenticated {
			t.Fatalf("%v, want UNAUTHENTICATED", err)
		}
		msgs = append(msgs, portfolio.ErrorMessage(err))
	}
	want := "invalid or revoked token: a token works only on the database it was created on (this server's is portfolio.db: token create --db portfolio.db)"
	for _, m := range msgs {
		if m != want {
			t.Errorf("refusal %q, want %q for every refused token", m, want)
		}
		if strings.Contains(m, dir) || strings.Contains(m, "real.db") {
			t.Errorf("refusal %q names more than this database's file", m)
		}
	}
}
