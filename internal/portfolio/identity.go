package portfolio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"
)

// Role is what a caller may do.
type Role string

// The roles, from least to most trusted.
const (
	RoleAnonymous Role = "ANONYMOUS" // no token: public fields only, when public reading is on
	RoleViewer    Role = "VIEWER"    // reads everything
	RoleManager   Role = "MANAGER"   // reads everything; writes the startups of its incubators
	RoleAdmin     Role = "ADMIN"     // everything, including incubators, organisations, tokens, audit log
)

// Roles lists the roles from least to most trusted.
var Roles = []Role{RoleAnonymous, RoleViewer, RoleManager, RoleAdmin}

// RoleFromName maps a role's lower-case name ("viewer") to its Role.
func RoleFromName(name string) (Role, bool) {
	for _, r := range Roles[1:] {
		if Fold(string(r)) == Fold(name) {
			return r, true
		}
	}
	return "", false
}

// Rank orders roles: anonymous 0 … admin 3 (-1 for an unknown role).
func (r Role) Rank() int { return slices.Index(Roles, r) }

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.Rank() >= 0 }

// AtLeast reports whether r grants at least what min grants.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.Rank() >= min.Rank() }

// MarshalGQL writes the role as a GraphQL enum value.
func (r Role) MarshalGQL(w io.Writer) { writeEnum(w, string(r)) }

// UnmarshalGQL reads a role from a GraphQL enum value.
func (r *Role) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "Role", func(s string) bool {
		ok := Role(s).Valid()
		if ok {
			*r = Role(s)
		}
		return ok
	})
}

// Identity is who is calling: the token used (none for anonymous callers),
// its role, and for a manager the incubators it may write.
type Identity struct {
	TokenID    int64
	TokenName  string
	Role       Role
	Incubators []string // incubator slugs, for managers
}

// Anonymous is the identity of a caller without a token.
var Anonymous = &Identity{Role: RoleAnonymous}

// CanRead reports whether the identity may read what requires role min.
func (id *Identity) CanRead(min Role) bool { return id != nil && id.Role.AtLeast(min) }

// CanWriteIncubator reports whether the identity may write the startups of
// the incubator (and their committees, phases and missions).
func (id *Identity) CanWriteIncubator(slug string) bool {
	switch {
	case id == nil:
		return false
	case id.Role == RoleAdmin:
		return true
	case id.Role == RoleManager:
		return slug != "" && slices.Contains(id.Incubators, slug)
	}
	return false
}

type identityKey struct{}

// WithIdentity returns a context carrying the caller's identity.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the caller's identity; a context without one is
// anonymous.
func IdentityFrom(ctx context.Context) *Identity {
	if id, ok := ctx.Value(identityKey{}).(*Identity); ok && id != nil {
		return id
	}
	return Anonymous
}

// Token is an API token as stored: never its secret, only a hash of it.
type Token struct {
	ID         int64
	Name       string
	Role       Role
	Incubators []string
	CreatedAt  string // RFC 3339, UTC
	RevokedAt  string // "" while valid
	LastUsedAt string
	ExpiresAt  string // RFC 3339, UTC; "" for a token that never expires
}

// TokenExpired is the error refusing a token whose expiry (at) has come:
// UNAUTHENTICATED, saying when it expired (extensions.expiredAt, RFC 3339
// UTC), so that every entrance can tell its caller.
func TokenExpired(at time.Time) *Error {
	at = at.UTC()
	return &Error{Code: EUnauthenticated,
		Message:    fmt.Sprintf("this token expired on %s: ask the server's administrator for a new one", at.Format("2006-01-02 15:04 MST")),
		Extensions: map[string]any{"expiredAt": at.Format(time.RFC3339)}}
}

// TokenExpiry returns when the token refused by err expired, when err is
// (or wraps) a TokenExpired error.
func TokenExpiry(err error) (time.Time, bool) {
	var e *Error
	if !errors.As(err, &e) || e.Code != EUnauthenticated {
		return time.Time{}, false
	}
	s, _ := e.Extensions["expiredAt"].(string)
	at, perr := time.Parse(time.RFC3339, s)
	return at, perr == nil
}
