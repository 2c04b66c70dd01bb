package sqlite

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// API tokens are "pf_<id>_<secret>": the id finds the row by its primary key
// and the secret, 32 random bytes in unpadded base64url (43 characters), makes
// the token unguessable. Only SHA-256 of the whole token is stored.
const (
	tokenPrefix        = "pf_"
	tokenSecretBytes   = 32
	tokenSecretChars   = 43 // base64.RawURLEncoding.EncodedLen(tokenSecretBytes)
	maxTokenNameLength = 100

	// tokenUseInterval is how often, at most, last_used_at is written for
	// one token.
	tokenUseInterval = time.Minute
	// tokenUseTimeout bounds one write of last_used_at.
	tokenUseTimeout = 5 * time.Second
)

// errBadToken is the one answer to a token that is malformed, unknown or
// revoked, so that a caller cannot tell which ids exist. It says what a
// first hour most often gets wrong: a token made on another database file
// (token create --db real.db, then serve --db portfolio.db) is unknown
// here. It names the file by its base name only, the same for every
// refusal (no path of the server's disk, nothing about the token).
func (db *DB) errBadToken() error {
	return portfolio.Errorf(portfolio.EUnauthenticated,
		"invalid or revoked token: a token works only on the database it was created on (this server's is %s: token create --db %s)",
		filepath.Base(db.Path), filepath.Base(db.Path))
}

// CreateToken creates an API token that never expires and returns its
// secret, the whole token to send as "Authorization: Bearer <secret>",
// which is never stored and cannot be shown again. A manager needs at
// least one incubator and only a manager may have incubators. A name
// already taken is a CONFLICT; any other invalid argument is a
// BAD_USER_INPUT error naming it.
func (db *DB) CreateToken(ctx context.Context, name string, role portfolio.Role, incubators []string) (secret string, tok *portfolio.Token, err error) {
	return db.CreateExpiringToken(ctx, name, role, incubators, time.Time{})
}

// CreateExpiringToken is CreateToken for a token that Authenticate refuses
// from expires on (the zero time: never). An expiry that is not in the
// future is a BAD_USER_INPUT error on "expires".
func (db *DB) CreateExpiringToken(ctx context.Context, name string, role portfolio.Role, incubators []string, expires time.Time) (secret string, tok *portfolio.Token, err error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", nil, portfolio.FieldErrorf("name", "a token needs a name")
	case utf8.RuneCountInString(name) > maxTokenNameLength:
		return "", nil, portfolio.FieldErrorf("name", "a token name has at most %d characters", maxTokenNameLength)
	case portfolio.CheckText("name", name, portfolio.TextLine) != nil:
		// No control, nothing invisible: the name is shown in token list
		// and in every log line of the token's requests.
		return "", nil, portfolio.CheckText("name", name, portfolio.TextLine)
	case strings.Trim(name, "0123456789") == "":
		return "", nil, portfolio.FieldErrorf("name", "a token name cannot be only digits: it would read as a token id")
	}
	if role != portfolio.RoleViewer && role != portfolio.RoleManager && role != portfolio.RoleAdmin {
		return "", nil, portfolio.FieldErrorf("role", "role %q: want VIEWER, MANAGER or ADMIN", role)
	}
	var slugs []string
	for _, s := range incubators {
		s = strings.TrimSpace(s)
		if s == "" {
			return "", nil, portfolio.FieldErrorf("incubators", "an empty incubator slug")
		}
		if !slices.Contains(slugs, s) {
			slugs = append(slugs, s)
		}
	}
	switch {
	case role == portfolio.RoleManager && len(slugs) == 0:
		return "", nil, portfolio.FieldErrorf("incubators", "a manager token needs at least one incubator")
	case role != portfolio.RoleManager && len(slugs) > 0:
		return "", nil, portfolio.FieldErrorf("incubators", "only a manager token has incubators (a viewer reads everything, an admin writes everything)")
	}

	nowT := db.uses.clock()
	var expiresAt any // NULL: never
	expiresText := ""
	if !expires.IsZero() {
		if !expires.After(nowT) {
			return "", nil, portfolio.FieldErrorf("expires", "the expiry %s is not in the future", expires.UTC().Format(time.RFC3339))
		}
		expiresText = expires.UTC().Truncate(time.Second).Format(time.RFC3339)
		expiresAt = expiresText
	}

	random := make([]byte, tokenSecretBytes)
	if _, err := rand.Read(random); err != nil {
		return "", nil, fmt.Errorf("create token: random secret: %w", err)
	}
	now := nowT.UTC().Format(time.RFC3339)

	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return "", nil, fmt.Errorf("create token: begin: %w", err)
	}
	defer tx.Rollback()
	var taken bool
	if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM tokens WHERE name = ?)", name).Scan(&taken); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	if taken {
		return "", nil, portfolio.Errorf(portfolio.EConflict, "a token named %q already exists", name)
	}
	if len(slugs) > 0 {
		missing, err := missingIncubators(ctx, tx, slugs)
		if err != nil {
			return "", nil, fmt.Errorf("create token: %w", err)
		}
		if len(missing) > 0 {
			return "", nil, portfolio.FieldErrorf("incubators", "unknown incubator %s", strings.Join(missing, ", "))
		}
	}
	// The writer runs its transactions one at a time and takes the write lock
	// when they begin, so the next id is ours (ids are never reused while
	// rows are only revoked, not deleted).
	var id int64
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(id), 0) + 1 FROM tokens").Scan(&id); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	secret = tokenPrefix + strconv.FormatInt(id, 10) + "_" + base64.RawURLEncoding.EncodeToString(random)
	hash := sha256.Sum256([]byte(secret))
	if _, err := tx.ExecContext(ctx, "INSERT INTO tokens (id, name, role, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
		id, name, string(role), hash[:], now, expiresAt); err != nil {
		return "", nil, fmt.Errorf("create token: %w", err)
	}
	if len(slugs) > 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO token_incubators (token_id, incubator_id)
			SELECT ?, id FROM incubators WHERE slug IN (SELECT value FROM json_each(?))`, id, jsonList(slugs)); err != nil {
			return "", nil, fmt.Errorf("create token: incubators: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return "", nil, fmt.Errorf("create token: commit: %w", err)
	}
	db.changed()

	sorted := slices.Sorted(slices.Values(slugs))
	return secret, &portfolio.Token{ID: id, Name: name, Role: role, Incubators: sorted, CreatedAt: now, ExpiresAt: expiresText}, nil
}

// missingIncubators returns, in the order given, the slugs of slugs that no
// incubator has.
func missingIncubators(ctx context.Context, tx *sql.Tx, slugs []string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT j.value FROM json_each(?) j
		WHERE NOT EXISTS (SELECT 1 FROM incubators i WHERE i.slug = j.value) ORDER BY j.key`, jsonList(slugs))
	if err != nil {
		return nil, fmt.Errorf("incubators: %w", err)
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("incubators: %w", err)
		}
		missing = append(missing, strconv.Quote(s))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("incubators: %w", err)
	}
	return missing, nil
}

// tokenIncubatorsCol is the JSON array of a token's incubator slugs, in
// slug order, for the token row aliased t.
const tokenIncubatorsCol = `(SELECT json_group_array(slug) FROM (SELECT i.slug FROM token_incubators ti
	JOIN incubators i ON i.id = ti.incubator_id WHERE ti.token_id = t.id ORDER BY i.slug))`

// ListTokens returns every token, revoked and expired ones included, in the
// order they were created. Secrets are never stored, so never listed.
func (db *DB) ListTokens(ctx context.Context) ([]*portfolio.Token, error) {
	var out []*portfolio.Token
	q := `SELECT t.id, t.name, t.role, t.created_at, coalesce(t.revoked_at, ''), coalesce(t.last_used_at, ''), coalesce(t.expires_at, ''), ` +
		tokenIncubatorsCol + ` FROM tokens t ORDER BY t.id`
	err := db.each(ctx, q, nil, func(rows *sql.Rows) error {
		t := &portfolio.Token{}
		var role, incs string
		if err := rows.Scan(&t.ID, &t.Name, &role, &t.CreatedAt, &t.RevokedAt, &t.LastUsedAt, &t.ExpiresAt, &incs); err != nil {
			return fmt.Errorf("scan token: %w", err)
		}
		t.Role = portfolio.Role(role)
		if err := json.Unmarshal([]byte(incs), &t.Incubators); err != nil {
			return fmt.Errorf("token %d incubators: %w", t.ID, err)
		}
		if len(t.Incubators) == 0 {
			t.Incubators = nil
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	return out, nil
}

// RevokeToken revokes the token with this name or id, for good: requests
// sending it are refused from then on. Revoking a revoked token changes
// nothing; no token with this name or id is a NOT_FOUND error.
func (db *DB) RevokeToken(ctx context.Context, nameOrID string) error {
	id := int64(-1)
	if n, err := strconv.ParseInt(nameOrID, 10, 64); err == nil && n > 0 {
		id = n
	}
	now := db.uses.clock().UTC().Format(time.RFC3339)
	// Names are never only digits, so a name and an id never both match.
	res, err := db.write.ExecContext(ctx, "UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE name = ? OR id = ?", now, nameOrID, id)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if n == 0 {
		return portfolio.Errorf(portfolio.ENotFound, "no token named %q or with that id", nameOrID)
	}
	return nil
}

// HasAdminToken reports whether a valid (not revoked) admin token exists:
// until one does, nothing can be written through the API.
func (db *DB) HasAdminToken(ctx context.Context) (bool, error) {
	var ok bool
	err := db.each(ctx, "SELECT EXISTS (SELECT 1 FROM tokens WHERE role = 'ADMIN' AND revoked_at IS NULL)", nil,
		func(rows *sql.Rows) error { return rows.Scan(&ok) })
	if err != nil {
		return false, fmt.Errorf("admin token: %w", err)
	}
	return ok, nil
}

// Authenticate returns the identity of the caller sending token. A
// malformed, unknown or revoked token, or a wrong secret, is one and the
// same UNAUTHENTICATED error; a token whose expiry has come (by the
// store's clock) is UNAUTHENTICATED too, saying when it expired
// (portfolio.TokenExpired), once its secret matched. Every entrance asks
// here, so every entrance applies the expiry. Any other error is internal.
// It reads through the read pool and records the token's last use at most
// once a minute, in the background: a failure to record it never fails
// the request.
func (db *DB) Authenticate(ctx context.Context, token string) (*portfolio.Identity, error) {
	id, ok := parseToken(token)
	if !ok {
		return nil, db.errBadToken()
	}
	var (
		found          bool
		name, role     string
		stored         []byte
		revoked        bool
		expires        string
		incubatorsJSON string
	)
	q := `SELECT t.name, t.role, t.secret_hash, t.revoked_at IS NOT NULL, coalesce(t.expires_at, ''), ` + tokenIncubatorsCol + ` FROM tokens t WHERE t.id = ?`
	err := db.each(ctx, q, []any{id}, func(rows *sql.Rows) error {
		found = true
		return rows.Scan(&name, &role, &stored, &revoked, &expires, &incubatorsJSON)
	})
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	hash := sha256.Sum256([]byte(token))
	if !found {
		stored = make([]byte, sha256.Size) // compare anyway: the same work for an unknown id
	}
	match := subtle.ConstantTimeCompare(hash[:], stored) == 1
	if !found || !match || revoked {
		return nil, db.errBadToken()
	}
	if expires != "" {
		at, err := time.Parse(time.RFC3339, expires)
		if err != nil {
			return nil, fmt.Errorf("authenticate: token %d expiry %q: %w", id, expires, err)
		}
		if !db.uses.clock().Before(at) {
			return nil, portfolio.TokenExpired(at)
		}
	}
	ident := &portfolio.Identity{TokenID: id, TokenName: name, Role: portfolio.Role(role)}
	if !ident.Role.Valid() || ident.Role == portfolio.RoleAnonymous {
		return nil, fmt.Errorf("authenticate: token %d has role %q", id, role)
	}
	if err := json.Unmarshal([]byte(incubatorsJSON), &ident.Incubators); err != nil {
		return nil, fmt.Errorf("authenticate: token %d incubators: %w", id, err)
	}
	if len(ident.Incubators) == 0 {
		ident.Incubators = nil
	}
	if !db.followed { // a replica's copy is read-only: the primary records uses
		db.uses.record(db.write, id)
	}
	return ident, nil
}

// parseToken returns the id of a well-formed token "pf_<id>_<43 base64url
// characters>".
func parseToken(token string) (int64, bool) {
	rest, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok || len(rest) > 20+1+tokenSecretChars {
		return 0, false
	}
	idPart, secret, ok := strings.Cut(rest, "_")
	if !ok || idPart == "" || idPart[0] == '0' || len(secret) != tokenSecretChars {
		return 0, false
	}
	for _, c := range []byte(idPart) {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(idPart, 10, 64)
	if err != nil {
		return 0, false
	}
	for _, c := range []byte(secret) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return 0, false
		}
	}
	return id, true
}

// tokenUses remembers, per token, when its last_used_at was last written, so
// that a token used by every request costs one write a minute, not one a
// request. Writes go through the single writer connection, in the
// background; Close waits for them.
type tokenUses struct {
	mu      sync.Mutex
	written map[int64]time.Time
	closed  bool
	wg      sync.WaitGroup
	now     func() time.Time // nil: time.Now; tests set a fake clock
}

func (u *tokenUses) clock() time.Time {
	u.mu.Lock()
	now := u.now
	u.mu.Unlock()
	if now == nil {
		return time.Now()
	}
	return now()
}

// record writes the token's last use unless it was written less than a
// minute ago. A failed write is not retried before the next minute.
func (u *tokenUses) record(w *sql.DB, id int64) {
	now := u.clock()
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.closed {
		return
	}
	if last, ok := u.written[id]; ok && now.Sub(last) < tokenUseInterval {
		return
	}
	if u.written == nil {
		u.written = map[int64]time.Time{}
	}
	u.written[id] = now
	at := now.UTC().Format(time.RFC3339)
	u.wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), tokenUseTimeout)
		defer cancel()
		// Never move it back: another process may have written a later use.
		_, _ = w.ExecContext(ctx, "UPDATE tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)", at, id, at)
	})
}

// close stops recording and waits for the writes under way.
func (u *tokenUses) close() {
	u.mu.Lock()
	u.closed = true
	u.mu.Unlock()
	u.wg.Wait()
}

// TokenValid reports whether the token with this id still authenticates:
// it exists, is not revoked and has not expired. A subscription opened
// with a token ends once it does not (internal/live).
func (db *DB) TokenValid(ctx context.Context, id int64) (bool, error) {
	var revoked bool
	var expires string
	err := db.read.QueryRowContext(ctx, "SELECT revoked_at IS NOT NULL, coalesce(expires_at, '') FROM tokens WHERE id = ?", id).Scan(&revoked, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("token %d: %w", id, db.note(err))
	}
	if revoked {
		return false, nil
	}
	if expires != "" {
		at, err := time.Parse(time.RFC3339, expires)
		if err != nil {
			return false, fmt.Errorf("token %d expiry %q: %w", id, expires, err)
		}
		return db.uses.clock().Before(at), nil
	}
	return true, nil
}
