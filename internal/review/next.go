package review

import (
	"net/http"
	"net/url"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Where the sign-in form goes once a browser is signed in: the page the
// form was opened from (its "suite" parameter), when that is a page of the
// review on this server, else the portfolio page. The target is computed
// exactly as it is sent (decoded, cleaned, encoded again), then checked,
// and written into the Location header as is: nothing cleans it after the
// check (http.Redirect cleans a path after any check made before it, which
// turned "/x/../\evil.example/" into "/\evil.example/", a browser's
// "//evil.example/").

// homePage is the portfolio page, where a refused target goes.
const homePage = "/review"

// nextTarget returns the page to go to after signing in: next cleaned
// (path.Clean on its decoded path, the query kept as given) when it is a
// page of the review on this server, else homePage. It accepts only a path
// "/review" or "/review/…" (not the sign-in and sign-out pages, which
// would loop), and refuses any backslash (raw or %5C), control character
// (raw or encoded), fragment, scheme, host, double encoding, non-ASCII
// byte in the raw text, and any decoded character of the path other than
// ASCII letters, digits and URL punctuation, or Unicode letters, marks and
// digits (slugs may be accented; look-alike slashes are refused).
func nextTarget(next string) string {
	p, q, ok := cleanTarget(next)
	if !ok {
		return homePage
	}
	if q != "" {
		return p + "?" + q
	}
	return p
}

// cleanTarget returns the encoded, cleaned path and the raw query of next,
// and whether next is an acceptable target.
func cleanTarget(next string) (escapedPath, rawQuery string, ok bool) {
	if next == "" || next[0] != '/' || len(next) > 2048 {
		return "", "", false
	}
	for i := 0; i < len(next); i++ {
		c := next[i]
		// Controls (browsers drop tabs and line breaks from an address,
		// which can join "/" and "/"), backslashes (a browser's slash),
		// fragments, and anything not ASCII: the pages' own addresses
		// are sent encoded.
		if c < 0x21 || c > 0x7e || c == '\\' || c == '#' {
			return "", "", false
		}
	}
	if strings.Contains(strings.ToLower(next), "%5c") {
		return "", "", false
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || u.Fragment != "" || u.ForceQuery {
		return "", "", false
	}
	// u.Path is decoded once: "%2e%2e" is "..", "%2F" a slash, and they
	// are cleaned as such. A "%" left after decoding was encoded twice.
	if !strings.HasPrefix(u.Path, "/") || !pathCharsOK(u.Path) {
		return "", "", false
	}
	clean := path.Clean(u.Path)
	if clean != homePage && !strings.HasPrefix(clean, homePage+"/") {
		return "", "", false
	}
	switch clean {
	case "/review/connexion", "/review/deconnexion":
		return "", "", false
	}
	if !queryOK(u.RawQuery) {
		return "", "", false
	}
	escaped := (&url.URL{Path: clean}).EscapedPath()
	// What is sent must read back as the path checked.
	if back, err := url.PathUnescape(escaped); err != nil || back != clean || !strings.HasPrefix(escaped, "/") || strings.HasPrefix(escaped, "//") {
		return "", "", false
	}
	return escaped, u.RawQuery, true
}

// pathCharsOK reports whether every character of a decoded path is an
// ASCII letter, digit or URL punctuation other than "%", "\" and controls,
// or a Unicode letter, mark or digit.
func pathCharsOK(p string) bool {
	if !utf8.ValidString(p) {
		return false
	}
	for _, r := range p {
		switch {
		case r < utf8.RuneSelf:
			if r < 0x21 || r == 0x7f || r == '\\' || r == '%' || r == '#' || r == '?' {
				return false
			}
		case unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r):
		default:
			return false // U+FF0F, U+2215, U+2044, format and space characters, …
		}
	}
	return true
}

// queryOK reports whether a raw query (already known printable ASCII
// without backslash or "#") decodes without error into text free of
// control characters and backslashes.
func queryOK(raw string) bool {
	if raw == "" {
		return true
	}
	dec, err := url.QueryUnescape(raw)
	if err != nil || !utf8.ValidString(dec) {
		return false
	}
	for _, r := range dec {
		if r < 0x20 || r == 0x7f || r == '\\' || (r >= 0x80 && r <= 0x9f) {
			return false
		}
	}
	return true
}

// seeOther sends the browser to target, a path nextTarget (or the code)
// made: the Location header is written as is, without http.Redirect's
// cleaning, which would change what was checked.
func seeOther(w http.ResponseWriter, target string) {
	w.Header().Set("Location", target)
	w.WriteHeader(http.StatusSeeOther)
}
