package portfolio

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text that cannot deceive: what a field may hold beyond valid UTF-8.
//
// A name, a title or a slug is read at a glance, copied into exports and
// compared by eye; a character that does not show, or that reorders the
// characters around it, makes two names that look the same differ, or a
// name display other than it is written (U+202E then "gpj.exe" shows as
// "exe.jpg").
// Such characters are refused in short, single-line fields (TextLine).
// Long texts (TextProse: pitches, descriptions, comments, biographies,
// addresses) keep the invisible characters that only join, break or mark
// direction — they come with text pasted from word processors and web
// pages (the 2026-08-20 snapshot has 137 zero-width spaces, 31 U+FEFF, 19
// zero-width joiners in emoji and 4 line separators in its descriptions
// and biographies) and reorder nothing — but never the overrides and
// embeddings that reorder what follows them.
//
// Per character:
//
//	                                               TextLine   TextProse
//	invalid UTF-8                                  refused    refused
//	U+FFFD (what a decoder leaves of invalid text) refused    refused
//	tab, line feed, carriage return                refused    kept
//	other C0 and C1 controls, DEL                  refused    refused
//	U+2028, U+2029 line and paragraph separators   refused    kept
//	U+202A–U+202E embeddings and overrides         refused    refused
//	U+2066–U+2069 isolates                         refused    kept when each isolate
//	                                                          is closed by U+2069 in
//	                                                          its paragraph
//	U+200E, U+200F, U+061C direction marks         refused    kept
//	U+200B, U+2060, U+FEFF, U+00AD (zero-width     refused    kept
//	  spaces, word joiners, soft hyphen)
//	U+200C, U+200D joiners                         kept between two emoji, or
//	                                               two letters of a script    kept
//	                                               that needs them (Arabic,
//	                                               Persian, Indic…); else
//	                                               refused
//	other format characters (Cf: tags, invisible   refused    refused
//	  operators, interlinear annotations…)
//	fillers (Default_Ignorable: U+3164, U+115F…)   refused    refused
//	variation selectors                            kept after a character that
//	                                               has variants (not after an
//	                                               ASCII letter); else refused kept
//	noncharacters (U+FDD0–U+FDEF, U+xFFFE/F)       refused    refused
//
// The direction marks and isolates are what an Arabic or Hebrew quotation
// in a French description needs to display in the right order; overrides
// (U+202D, U+202E) force an order against the characters' own and are never
// needed in plain text, and embeddings (U+202A, U+202B, U+202C) are the
// older form of isolates that leak into the text after them when left open.

// TextKind is what a text field holds, which decides the characters it may
// hold.
type TextKind int

const (
	// TextLine is a short text on one line: a name, a title, a slug, an
	// acronym, a role, an employer, a link, a tag.
	TextLine TextKind = iota
	// TextProse is a long text that may run over several lines: a pitch, a
	// description, a comment, a biography, an address.
	TextProse
)

// Flaw is one character that a text field may not hold.
type Flaw struct {
	// Pos is the character's position in the text, from 1, counting
	// characters (an invalid byte counts as one).
	Pos int
	// Offset is its byte offset in the text.
	Offset int
	// Rune is the character; for an invalid byte, utf8.RuneError.
	Rune rune
	// Invalid is true for a byte that is not valid UTF-8; Byte is the byte.
	Invalid bool
	Byte    byte
	// Why says what the character is and why it is refused.
	Why string
}

// Char names the character, as U+XXXX, or the invalid byte, as 0xXX.
func (f Flaw) Char() string {
	if f.Invalid {
		return fmt.Sprintf("byte 0x%02X", f.Byte)
	}
	return fmt.Sprintf("U+%04X", f.Rune)
}

// String says which character sits where and why it is refused:
// "U+202E RIGHT-TO-LEFT OVERRIDE at character 4: …".
func (f Flaw) String() string {
	name := f.Char()
	if n := runeNames[f.Rune]; n != "" && !f.Invalid {
		name += " " + n
	}
	return fmt.Sprintf("%s at character %d: %s", name, f.Pos, f.Why)
}

// runeNames are the Unicode names of the characters refused most often.
var runeNames = map[rune]string{
	0x0000: "NULL", 0x0009: "CHARACTER TABULATION", 0x000A: "LINE FEED", 0x000D: "CARRIAGE RETURN",
	0x0085: "NEXT LINE", 0x00AD: "SOFT HYPHEN", 0x061C: "ARABIC LETTER MARK",
	0x200B: "ZERO WIDTH SPACE", 0x200C: "ZERO WIDTH NON-JOINER", 0x200D: "ZERO WIDTH JOINER",
	0x200E: "LEFT-TO-RIGHT MARK", 0x200F: "RIGHT-TO-LEFT MARK",
	0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR",
	0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING", 0x202C: "POP DIRECTIONAL FORMATTING",
	0x202D: "LEFT-TO-RIGHT OVERRIDE", 0x202E: "RIGHT-TO-LEFT OVERRIDE",
	0x2060: "WORD JOINER", 0x2066: "LEFT-TO-RIGHT ISOLATE", 0x2067: "RIGHT-TO-LEFT ISOLATE",
	0x2068: "FIRST STRONG ISOLATE", 0x2069: "POP DIRECTIONAL ISOLATE",
	0x3164: "HANGUL FILLER", 0xFE0F: "VARIATION SELECTOR-16", 0xFEFF: "ZERO WIDTH NO-BREAK SPACE",
	0xFFFD: "REPLACEMENT CHARACTER",
}

// Why a character is refused.
const (
	whyInvalid     = "not valid UTF-8"
	whyReplacement = "the replacement character, which a decoder leaves where text was not valid UTF-8: the text was damaged before it arrived"
	whyLineBreak   = "a control character (a line break or a tab) in a single-line field"
	whyControl     = "a control character"
	whyOverride    = "a bidirectional embedding or override: it reorders how the text after it displays"
	whyBidiLine    = "an invisible bidirectional control in a single-line field: it changes how the text displays"
	whyInvisible   = "an invisible character in a single-line field: two names that look the same would differ"
	whyJoiner      = "an invisible joiner that joins nothing here (it is kept between two emoji, or two letters of a script that needs it)"
	whyFormat      = "an invisible format character"
	whyFiller      = "an invisible filler character"
	whySelector    = "a variation selector after a character that has no variants: invisible"
	whyNonchar     = "a noncharacter, which Unicode reserves for programs' internal use"
	whyUnclosed    = "an isolate not closed by U+2069 POP DIRECTIONAL ISOLATE in its paragraph: it would reorder the text after it"
	whyUnopened    = "closes no isolate"
)

// TextFlaws returns the characters of s that a field of this kind may not
// hold, in order. It is the one rule for every field that the API writes
// and the import stores.
func TextFlaws(s string, kind TextKind) []Flaw {
	var flaws []Flaw
	var open []Flaw // isolates not closed yet in this paragraph (TextProse)
	closeParagraph := func() {
		for _, f := range open {
			f.Why = whyUnclosed
			flaws = append(flaws, f)
		}
		open = open[:0]
	}
	prev := rune(-1)
	pos := 0
	for off := 0; off < len(s); {
		r, size := utf8.DecodeRuneInString(s[off:])
		pos++
		f := Flaw{Pos: pos, Offset: off, Rune: r}
		if r == utf8.RuneError && size == 1 {
			f.Invalid, f.Byte, f.Why = true, s[off], whyInvalid
			flaws = append(flaws, f)
			prev = r
			off++
			continue
		}
		next := rune(-1)
		if off+size < len(s) {
			next, _ = utf8.DecodeRuneInString(s[off+size:])
		}
		if kind == TextProse {
			switch r {
			case '\n', '\r', 0x2029:
				closeParagraph()
			case 0x2066, 0x2067, 0x2068:
				open = append(open, f)
			case 0x2069:
				if len(open) == 0 {
					f.Why = whyUnopened
					flaws = append(flaws, f)
				} else {
					open = open[:len(open)-1]
				}
			}
		}
		if why := refused(kind, prev, r, next); why != "" {
			f.Why = why
			flaws = append(flaws, f)
		}
		prev = r
		off += size
	}
	closeParagraph()
	if kind == TextProse {
		// Unclosed isolates were added at the end of their paragraph: put
		// every flaw back in the order of the text.
		sortFlaws(flaws)
	}
	return flaws
}

// sortFlaws orders flaws by position (few flaws: insertion sort).
func sortFlaws(fs []Flaw) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && fs[j].Pos < fs[j-1].Pos; j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

// refused says why a field of this kind may not hold r between prev and
// next (-1 at either end of the text), or "" when it may. Isolates in
// prose are checked for balance by TextFlaws.
func refused(kind TextKind, prev, r, next rune) string {
	line := kind == TextLine
	switch {
	case r == utf8.RuneError:
		return whyReplacement
	case r == '\t' || r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029:
		if line {
			return whyLineBreak
		}
		return ""
	case unicode.Is(unicode.Cc, r):
		return whyControl
	case r >= 0x202A && r <= 0x202E:
		return whyOverride
	case r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		if line {
			return whyBidiLine
		}
		return ""
	case r == 0x200B, r == 0x2060, r == 0xFEFF, r == 0x00AD:
		if line {
			return whyInvisible
		}
		return ""
	case r == 0x200C, r == 0x200D:
		if line && !(joinable(prev) && joinable(next)) {
			return whyJoiner
		}
		return ""
	case unicode.Is(unicode.Cf, r):
		return whyFormat
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r):
		return whyFiller
	case unicode.Is(unicode.Variation_Selector, r):
		if line && (prev < 0 || (prev < 0x80 && !strings.ContainsRune("0123456789#*", prev))) {
			return whySelector
		}
		return ""
	case unicode.Is(unicode.Noncharacter_Code_Point, r):
		return whyNonchar
	}
	return ""
}

// joiningScripts are the scripts whose spelling needs the zero-width
// joiner or non-joiner between letters (Persian's non-joiner, the
// half-forms of Indic scripts…).
var joiningScripts = []*unicode.RangeTable{
	unicode.Arabic, unicode.Syriac, unicode.Nko, unicode.Mongolian, unicode.Devanagari, unicode.Bengali,
	unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya, unicode.Tamil, unicode.Telugu, unicode.Kannada,
	unicode.Malayalam, unicode.Sinhala, unicode.Khmer, unicode.Myanmar, unicode.Tibetan,
}

// joinable reports whether a zero-width joiner or non-joiner next to r can
// change what shows: r is an emoji (a symbol, a skin tone, the emoji
// presentation selector) or a letter or mark of a joining script.
func joinable(r rune) bool {
	switch {
	case r < 0x80:
		return false
	case unicode.Is(unicode.So, r), r >= 0x1F3FB && r <= 0x1F3FF, r == 0xFE0F:
		return true
	}
	return unicode.In(r, joiningScripts...)
}

// CheckText checks a text field: the first character it may not hold is a
// BAD_USER_INPUT error naming the field, the character (U+XXXX, in
// extensions.character; an invalid byte in extensions.byte) and its
// position (extensions.position, from 1).
func CheckText(field, s string, kind TextKind) error {
	flaws := TextFlaws(s, kind)
	if len(flaws) == 0 {
		return nil
	}
	f := flaws[0]
	e := FieldErrorf(field, "%s: %s", field, f)
	e.Extensions = map[string]any{"position": f.Pos}
	if f.Invalid {
		e.Extensions["byte"] = fmt.Sprintf("0x%02X", f.Byte)
	} else {
		e.Extensions["character"] = fmt.Sprintf("U+%04X", f.Rune)
	}
	return e
}

// CleanText returns s without the characters a field of this kind may not
// hold, and those characters. In a single-line field, a line break or tab
// becomes a space, so that the words it separated stay apart; every other
// flaw is removed. The import stores what it returns and reports the
// flaws.
func CleanText(s string, kind TextKind) (string, []Flaw) {
	flaws := TextFlaws(s, kind)
	if len(flaws) == 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	last := 0
	for _, f := range flaws {
		b.WriteString(s[last:f.Offset])
		size := 1
		if !f.Invalid {
			size = utf8.RuneLen(f.Rune)
			if f.Why == whyLineBreak {
				b.WriteByte(' ')
			}
		}
		last = f.Offset + size
	}
	b.WriteString(s[last:])
	return b.String(), flaws
}

// DescribeFlaws says in one sentence which characters were refused, each
// kind once with its positions: "U+200B ZERO WIDTH SPACE at characters 22,
// 31 (an invisible character …)"; three kinds at most, then how many more.
func DescribeFlaws(flaws []Flaw) string {
	const kinds, positions = 3, 5
	type group struct {
		first Flaw
		pos   []string
		n     int
	}
	var groups []*group
	index := map[string]*group{}
	for _, f := range flaws {
		key := f.Char() + f.Why
		g := index[key]
		if g == nil {
			g = &group{first: f}
			index[key] = g
			groups = append(groups, g)
		}
		g.n++
		switch {
		case len(g.pos) < positions:
			g.pos = append(g.pos, strconv.Itoa(f.Pos))
		case len(g.pos) == positions:
			g.pos = append(g.pos, "…")
		}
	}
	var parts []string
	shown := 0
	for i, g := range groups {
		if i == kinds {
			parts = append(parts, fmt.Sprintf("and %d more characters", len(flaws)-shown))
			break
		}
		shown += g.n
		name := g.first.Char()
		if n := runeNames[g.first.Rune]; n != "" && !g.first.Invalid {
			name += " " + n
		}
		at := "at character " + g.pos[0]
		if len(g.pos) > 1 {
			at = "at characters " + strings.Join(g.pos, ", ")
		}
		parts = append(parts, fmt.Sprintf("%s %s (%s)", name, at, g.first.Why))
	}
	return strings.Join(parts, "; ")
}
