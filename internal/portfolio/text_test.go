package portfolio

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// flawList writes flaws as "4:U+202E 7:byte 0xFF", for comparison.
func flawList(fs []Flaw) string {
	var parts []string
	for _, f := range fs {
		parts = append(parts, strconv.Itoa(f.Pos)+":"+f.Char())
	}
	return strings.Join(parts, " ")
}

func TestTextFlaws(t *testing.T) {
	for _, c := range []struct {
		name        string
		in          string
		line, prose string // the flaws found in a single-line field, in a long text
	}{
		{"plain French", "Société « Œuvre » d’État : 12 000 €", "", ""},
		{"no-break spaces of French typography", "Revue\u202f: n°\u00a01", "", ""},
		{"empty", "", "", ""},
		{"Arabic and Hebrew names", "مريم الحسيني שלום", "", ""},
		{"CJK and emoji", "東京 🚀 ✅", "", ""},
		{"right-to-left override", "abc\u202Egpj.exe", "4:U+202E", "4:U+202E"},
		{"left-to-right override", "\u202Dx", "1:U+202D", "1:U+202D"},
		{"embeddings and their pop", "a\u202Ab\u202Bc\u202C", "2:U+202A 4:U+202B 6:U+202C", "2:U+202A 4:U+202B 6:U+202C"},
		{"balanced isolate", "cité \u2067مرحبا\u2069 ici", "6:U+2067 12:U+2069", ""},
		{"unclosed isolate", "a\u2066b", "2:U+2066", "2:U+2066"},
		{"isolate closed in the next paragraph only", "a\u2068b\nc\u2069", "2:U+2068 4:U+000A 6:U+2069", "2:U+2068 6:U+2069"},
		{"isolate closing nothing", "a\u2069b", "2:U+2069", "2:U+2069"},
		{"nested isolates", "\u2066a\u2067b\u2069\u2069", "1:U+2066 3:U+2067 5:U+2069 6:U+2069", ""},
		{"direction marks", "(\u200Fשלום\u200E) \u061C", "2:U+200F 7:U+200E 10:U+061C", ""},
		{"zero-width space", "Mes\u200BServices", "4:U+200B", ""},
		{"word joiner, BOM, soft hyphen", "a\u2060b\uFEFFc\u00ADd", "2:U+2060 4:U+FEFF 6:U+00AD", ""},
		{"joiner in an emoji sequence", "Dev 👩\u200d💻 et 🏊\u200d♂️ 👨🏻\u200d💻", "", ""},
		{"joiner after an emoji variation selector", "👁️\u200d🗨️", "", ""},
		{"joiner between Latin letters", "di\u200Dnum", "3:U+200D", ""},
		{"joiner at the end", "👩\u200D", "2:U+200D", ""},
		{"non-joiner in Persian", "می\u200Cخواهم", "", ""},
		{"non-joiner in Latin", "a\u200Cb", "2:U+200C", ""},
		{"tab and line breaks", "a\tb\nc\rd", "2:U+0009 4:U+000A 6:U+000D", ""},
		{"line and paragraph separators", "a\u2028b\u2029c", "2:U+2028 4:U+2029", ""},
		{"NUL, escape, DEL", "a\x00b\x1bc\x7f", "2:U+0000 4:U+001B 6:U+007F", "2:U+0000 4:U+001B 6:U+007F"},
		{"C1 controls", "a\u0085b\u009b", "2:U+0085 4:U+009B", "2:U+0085 4:U+009B"},
		{"tag characters", "flag\U000E0067\U000E007F", "5:U+E0067 6:U+E007F", "5:U+E0067 6:U+E007F"},
		{"invisible operators and annotations", "a\u2062b\uFFF9", "2:U+2062 4:U+FFF9", "2:U+2062 4:U+FFF9"},
		{"Hangul filler", "\u3164name", "1:U+3164", "1:U+3164"},
		{"variation selector after a Latin letter", "din\uFE0Fum", "4:U+FE0F", ""},
		{"keycap and emoji presentation", "1\uFE0F\u20E3 ❤\uFE0F", "", ""},
		{"noncharacters", "a\uFDD0b\uFFFF", "2:U+FDD0 4:U+FFFF", "2:U+FDD0 4:U+FFFF"},
		{"replacement character", "Cr\uFFFDteil", "3:U+FFFD", "3:U+FFFD"},
		{"invalid bytes count one character each", "Cr\xe9teil \xff\xfe", "3:byte 0xE9 9:byte 0xFF 10:byte 0xFE", "3:byte 0xE9 9:byte 0xFF 10:byte 0xFE"},
		{"an encoded surrogate is invalid", "a\xed\xa0\x80", "2:byte 0xED 3:byte 0xA0 4:byte 0x80", "2:byte 0xED 3:byte 0xA0 4:byte 0x80"},
		{"overlong encoding", "\xc0\xaf", "1:byte 0xC0 2:byte 0xAF", "1:byte 0xC0 2:byte 0xAF"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := flawList(TextFlaws(c.in, TextLine)); got != c.line {
				t.Errorf("TextLine: %q has flaws %q, want %q", c.in, got, c.line)
			}
			if got := flawList(TextFlaws(c.in, TextProse)); got != c.prose {
				t.Errorf("TextProse: %q has flaws %q, want %q", c.in, got, c.prose)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	err := CheckText("name", "abc\u202Egpj.exe", TextLine)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("CheckText = %v, want a *Error", err)
	}
	if e.Code != EInvalid || e.Field != "name" || e.Extensions["character"] != "U+202E" || e.Extensions["position"] != 4 {
		t.Errorf("CheckText = %+v, want BAD_USER_INPUT on name, U+202E at 4", e)
	}
	for _, want := range []string{"name", "U+202E RIGHT-TO-LEFT OVERRIDE", "character 4", "reorders"} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q does not say %q", e.Message, want)
		}
	}
	err = CheckText("bio", "ok\xff", TextProse)
	if !errors.As(err, &e) || e.Extensions["byte"] != "0xFF" || e.Extensions["position"] != 3 || !strings.Contains(e.Message, "not valid UTF-8") {
		t.Errorf("CheckText(invalid) = %v (%+v), want byte 0xFF at 3", err, e)
	}
	if err := CheckText("bio", "👩\u200d💻 ligne\nautre", TextProse); err != nil {
		t.Errorf("CheckText(prose) = %v, want nil", err)
	}
}

func TestCleanText(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind TextKind
		want string
		n    int
	}{
		{"Growth Marketer à Mes\u200bServices\u200bCyber", TextLine, "Growth Marketer à MesServicesCyber", 2},
		{"abc\u202Egpj.exe", TextLine, "abcgpj.exe", 1},
		{"deux\nlignes\tici", TextLine, "deux lignes ici", 2},
		{"Cr\xe9teil", TextLine, "Crteil", 1},
		{"texte\u202E long\n\u2067ouvert", TextProse, "texte long\nouvert", 2},
		{"propre 👩\u200d💻", TextLine, "propre 👩\u200d💻", 0},
	} {
		got, flaws := CleanText(c.in, c.kind)
		if got != c.want || len(flaws) != c.n {
			t.Errorf("CleanText(%q) = %q with %d flaws, want %q with %d", c.in, got, len(flaws), c.want, c.n)
		}
		if again := TextFlaws(got, c.kind); len(again) > 0 {
			t.Errorf("CleanText(%q) = %q still has flaws %s", c.in, got, flawList(again))
		}
	}
}

func TestDescribeFlaws(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Growth Marketer à Mes\u200bServices\u200bCyber", "U+200B ZERO WIDTH SPACE at characters 22, 31 (" + whyInvisible + ")"},
		{"a\u202Eb\xffc", "U+202E RIGHT-TO-LEFT OVERRIDE at character 2 (" + whyOverride + "); byte 0xFF at character 4 (" + whyInvalid + ")"},
		{strings.Repeat("\u200b", 7), "U+200B ZERO WIDTH SPACE at characters 1, 2, 3, 4, 5, … (" + whyInvisible + ")"},
		{"\u200b\u200b\u202e\t\u2060\u2060", "U+200B ZERO WIDTH SPACE at characters 1, 2 (" + whyInvisible + "); U+202E RIGHT-TO-LEFT OVERRIDE at character 3 (" + whyOverride + "); U+0009 CHARACTER TABULATION at character 4 (" + whyLineBreak + "); and 2 more characters"},
	} {
		if got := DescribeFlaws(TextFlaws(c.in, TextLine)); got != c.want {
			t.Errorf("DescribeFlaws(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
