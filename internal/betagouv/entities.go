package betagouv

import (
	"html"
	"regexp"
	"strings"
	"unicode/utf8"
)

// HTML entities in the records.
//
// The site's editing form escaped what it saved, so the records hold HTML
// entities in plain text fields: « GIP Plateforme de l&#x27;inclusion »,
// « https:&#x2F;&#x2F;… », and some escaped twice: « UX&amp;#x2F;UI
// Designer ». The import stores the text they stand for.
//
// html.UnescapeString alone is not enough, for two reasons:
//
//   - it follows the HTML rules for text, which decode some named
//     references without their closing semicolon (the legacy ones: &amp,
//     &lt, &copy, &reg, &not, &para, &times…), so a link's query
//     « ?a=1&region=fr » would become « ?a=1®ion=fr » and « &not=1 »
//     « ¬=1 ». Here only a complete reference, closed by its semicolon, is
//     decoded: each one is handed to html.UnescapeString on its own (which
//     knows every HTML5 name and the numeric rules), and anything that is
//     not a reference stays as written (html.UnescapeString would still
//     read « &region; » as « ®ion; », the legacy « &reg » and the rest:
//     a named reference stands for one or two characters, so a longer
//     result is no reference and the text stays);
//   - a text escaped twice needs two passes: decoding repeats while it
//     changes something, a few times at most.
//
// What a reference stands for may be a character a field may not hold
// (&#x202E;, &#x200B;, &#0;): decoding comes first, then the field's
// checks (portfolio.TextFlaws) see the characters as they will be stored.
//
// Markdown bodies (a startup's or an incubator's description, a member's
// biography) are not decoded: in markdown a reference is part of the
// syntax (« **mot&#x20;**&#x70;… » is how an editor keeps bold text
// before a letter), and decoding « &lt;script&gt; » would turn text into
// markup. They are kept as written, the one raw text the database holds.

// entityRE matches one complete character reference: numeric, decimal or
// hexadecimal, or named (the longest HTML5 name has 31 characters).
var entityRE = regexp.MustCompile(`&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[A-Za-z][A-Za-z0-9]{1,31});`)

// maxEntityPasses bounds the passes over a text escaped several times.
const maxEntityPasses = 4

// decodeEntities returns s with its complete HTML character references
// decoded, repeatedly for a text escaped more than once.
func decodeEntities(s string) string {
	for range maxEntityPasses {
		if !strings.Contains(s, "&") {
			return s
		}
		d := entityRE.ReplaceAllStringFunc(s, decodeRef)
		if d == s {
			return s
		}
		s = d
	}
	return s
}

// decodeRef decodes one reference that entityRE matched, or returns it as
// written when it is none (an unknown name, or a legacy name followed by
// more letters).
func decodeRef(ref string) string {
	d := html.UnescapeString(ref)
	if utf8.RuneCountInString(d) > 2 {
		return ref
	}
	return d
}
