package portfolio

import (
	"encoding/base64"
	"strings"
)

// GlobalID returns the opaque API identifier of the record of the given
// type ("Startup", "Member", …) and slug. It is stable across databases,
// since slugs are.
func GlobalID(typ, slug string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + slug))
}

// ParseGlobalID returns the type and slug of a GlobalID. It fails with a
// BAD_USER_INPUT error when id is not one.
func ParseGlobalID(id string) (typ, slug string, err error) {
	b, derr := base64.RawURLEncoding.DecodeString(id)
	typ, slug, ok := strings.Cut(string(b), ":")
	if derr != nil || !ok || typ == "" || slug == "" {
		return "", "", FieldErrorf("id", "%q is not a valid id", id)
	}
	return typ, slug, nil
}
