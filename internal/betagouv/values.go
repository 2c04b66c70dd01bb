package betagouv

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/goccy/go-yaml"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// report collects the problems of one file.
type report struct {
	file     string
	problems []Problem
}

// warn records a problem after which the record or item was still loaded.
func (r *report) warn(field, format string, args ...any) {
	r.problems = append(r.problems, Problem{File: r.file, Field: field, Reason: fmt.Sprintf(format, args...)})
}

// skip records a problem for which the record or item was not loaded.
func (r *report) skip(field, format string, args ...any) {
	r.problems = append(r.problems, Problem{File: r.file, Field: field, Reason: fmt.Sprintf(format, args...), Skipped: true})
}

// field returns the text of a front-matter field as it is stored: its HTML
// entities decoded (decodeEntities), then the characters it may not hold
// removed and reported (clean), then its surrounding spaces trimmed. The
// checks come after the decoding, so that they see the characters the
// field will hold: « &#x202E; » is refused as the override it stands for.
func (r *report) field(field, s string, kind portfolio.TextKind) string {
	d := decodeEntities(s)
	return strings.TrimSpace(r.clean(field, d, kind, d != s))
}

// clean returns s without the characters a field of this kind may not
// hold (portfolio.TextFlaws: invalid UTF-8, controls, bidirectional
// overrides, and in a single-line field anything invisible), and reports
// them: they are not stored, the rest of the text is. A name is still
// needed, and what shows of it is what its author meant; dropping the
// record would lose it for a character nobody sees. decoded says the
// text is s once its HTML entities were decoded: the positions reported
// count in that text.
func (r *report) clean(field, s string, kind portfolio.TextKind, decoded bool) string {
	out, flaws := portfolio.CleanText(s, kind)
	if len(flaws) == 0 {
		return s
	}
	in := ""
	if decoded {
		in = " (counting in the text with its HTML entities decoded)"
	}
	r.warn(field, "held %s%s: removed, the rest kept", portfolio.DescribeFlaws(flaws), in)
	if kind == portfolio.TextLine {
		out = strings.TrimSpace(out)
	}
	return out
}

// decode splits a record file into its front matter, decoded as a YAML
// mapping, and its markdown body. It reports why when the file has no usable
// front matter.
func decode(data []byte, r *report) (map[string]any, string, bool) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if bytes.IndexByte(data, '\r') >= 0 {
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	}
	first, rest, _ := bytes.Cut(data, []byte("\n"))
	if string(bytes.TrimRight(first, " \t")) != "---" {
		r.skip("", "no front matter (the file must start with a --- line)")
		return nil, "", false
	}
	front, body, ok := cutFence(rest)
	if !ok {
		r.skip("", "front matter not closed (no --- line after it)")
		return nil, "", false
	}
	if i := invalidUTF8(front); i >= 0 {
		// The YAML decoder makes such bytes U+FFFD without a word: say
		// where they are; clean then reports the field that holds them.
		r.warn("", "invalid UTF-8 (byte 0x%02X) on line %d: the text is not UTF-8 there (Latin-1?); the character is removed from its field",
			front[i], 2+bytes.Count(front[:i], []byte("\n")))
	}
	var v any
	err := yaml.Unmarshal(front, &v)
	if key, line, ok := duplicateKey(err); ok {
		r.warn(key, "defined twice (again on line %d); the last value is used", line)
		v = nil
		err = yaml.UnmarshalWithOptions(front, &v, yaml.AllowDuplicateMapKey())
	}
	if err != nil {
		r.skip("", "YAML does not parse: %s", yamlMessage(err))
		return nil, "", false
	}
	if v == nil {
		return map[string]any{}, body, true
	}
	m, ok := asMap(v)
	if !ok {
		r.skip("", "front matter is %s, not a mapping of fields", describe(v))
		return nil, "", false
	}
	return m, body, true
}

// invalidUTF8 returns the offset of the first byte of b that is not valid
// UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// cutFence splits the text after the opening --- line at the closing ---
// (or ...) line.
func cutFence(rest []byte) (front []byte, body string, ok bool) {
	off := 0
	for off <= len(rest) {
		line := rest[off:]
		end := bytes.IndexByte(line, '\n')
		if end >= 0 {
			line = line[:end]
		}
		if t := string(bytes.TrimRight(line, " \t")); t == "---" || t == "..." {
			front = rest[:off]
			if end < 0 {
				return front, "", true
			}
			return front, trimBody(rest[off+end+1:]), true
		}
		if end < 0 {
			break
		}
		off += end + 1
	}
	return nil, "", false
}

// trimBody drops the blank lines around the markdown body.
func trimBody(b []byte) string {
	b = bytes.TrimLeft(b, "\n")
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 || len(bytes.TrimSpace(b[:i])) > 0 {
			break
		}
		b = b[i+1:]
	}
	return string(bytes.TrimRight(b, " \t\n"))
}

// duplicateKey reports whether err is about a key defined twice in a
// mapping, and which key, on which line of the file.
func duplicateKey(err error) (key string, line int, ok bool) {
	var ye yaml.Error
	if err == nil || !errors.As(err, &ye) {
		return "", 0, false
	}
	var dup *yaml.DuplicateKeyError
	if !errors.As(err, &dup) && !strings.Contains(ye.GetMessage(), "already defined") {
		return "", 0, false
	}
	tk := ye.GetToken()
	if tk == nil || tk.Position == nil {
		return "", 0, false
	}
	return tk.Value, tk.Position.Line + 1, true
}

// yamlMessage returns the parser's message with its position in the file
// (the front matter starts on the file's second line).
func yamlMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			return fmt.Sprintf("line %d, column %d: %s", tk.Position.Line+1, tk.Position.Column, printable(ye.GetMessage()))
		}
		return printable(ye.GetMessage())
	}
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return printable(msg)
}

// printable spells out the tabs a parser message may quote.
func printable(s string) string { return strings.ReplaceAll(s, "\t", `\t`) }

// asMap returns v as a mapping with string keys.
func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, x := range m {
			out[fmt.Sprint(k)] = x
		}
		return out, true
	}
	return nil, false
}

// describe names the YAML shape of v for a problem's reason.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "empty"
	case string:
		return fmt.Sprintf("the text %q", shorten(x))
	case []any:
		return "a list"
	case map[string]any, map[any]any:
		return "a mapping"
	case time.Time:
		return "a timestamp"
	default:
		return fmt.Sprintf("the value %v", x)
	}
}

func shorten(s string) string {
	if len(s) <= 40 {
		return s
	}
	for i := range s {
		if i >= 37 {
			return s[:i] + "…"
		}
	}
	return s
}

// scalar returns v as text when it is a scalar (string, number, boolean,
// timestamp); nil is "".
func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return strings.TrimSpace(x), true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case uint64:
		return strconv.FormatUint(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format(time.DateOnly), true
		}
		return x.Format(time.RFC3339), true
	}
	return "", false
}

// str reads a single-line text field (a name, a reference, a link…); any
// other shape is reported and read as "". HTML entities are decoded,
// characters such a field may not hold removed and reported, surrounding
// spaces trimmed (report.field).
func str(m map[string]any, key, field string, r *report) string {
	return text(m, key, field, r, portfolio.TextLine)
}

// prose reads a long text field (a pitch, a comment, a description) as
// str does, with the characters long texts may hold.
func prose(m map[string]any, key, field string, r *report) string {
	return text(m, key, field, r, portfolio.TextProse)
}

func text(m map[string]any, key, field string, r *report, kind portfolio.TextKind) string {
	v, ok := m[key]
	if !ok {
		return ""
	}
	s, ok := scalar(v)
	if !ok {
		r.warn(field, "is %s, not a text: ignored", describe(v))
	}
	return r.field(field, s, kind)
}

// strList reads a list of texts. A single text is a list of one; empty
// items and duplicates are dropped; items that are not texts are reported
// and dropped.
func strList(m map[string]any, key, field string, r *report) []string {
	v, ok := m[key]
	if !ok || v == nil {
		return nil
	}
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	default:
		if s, ok := scalar(x); ok {
			if s = r.field(field, s, portfolio.TextLine); s == "" {
				return nil
			}
			return []string{s}
		}
		r.warn(field, "is %s, not a list: ignored", describe(v))
		return nil
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		s, ok := scalar(it)
		if !ok {
			r.skip(fmt.Sprintf("%s[%d]", field, i), "is %s, not a text", describe(it))
			continue
		}
		s = r.field(fmt.Sprintf("%s[%d]", field, i), s, portfolio.TextLine)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// refList reads a list of references (paths such as "/teams/x" or slugs)
// as slugs, dropping duplicates.
func refList(m map[string]any, key, field string, r *report) []string {
	list := strList(m, key, field, r)
	out := list[:0]
	for _, s := range list {
		if slug := refSlug(s); slug != "" && !slices.Contains(out, slug) {
			out = append(out, slug)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// refSlug returns the slug a reference names: the last element of a path
// such as "/organisations/dinum", without a ".md" or ".html" suffix.
func refSlug(s string) string {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimSuffix(s, ".md")
	s = strings.TrimSuffix(s, ".html")
	return strings.TrimSpace(s)
}

// dateValue reads a date written YYYY-MM-DD (or a timestamp, of which the
// date is kept). present is false when the field is absent or empty. Years
// outside 0001–9999 are refused: portfolio.Date cannot hold them, and
// 0000-12-31 would read as "no date".
func dateValue(v any) (d portfolio.Date, present bool, err error) {
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case time.Time:
		if y := x.Year(); y < 1 || y > 9999 {
			return 0, true, fmt.Errorf("%q is not a date of the years 0001 to 9999", x.Format(time.RFC3339))
		}
		return portfolio.DateOf(x), true, nil
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return 0, false, nil
		}
		d, err := portfolio.ParseDate(s)
		if err != nil {
			return 0, true, err
		}
		if d < 1 {
			return 0, true, fmt.Errorf("%q is not a date of the years 0001 to 9999", s)
		}
		return d, true, nil
	}
	if s, ok := scalar(v); ok {
		return 0, true, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return 0, true, fmt.Errorf("%s is not a date (want YYYY-MM-DD)", describe(v))
}

// intValue reads a whole number, written as a number or as digits in a text
// (spaces allowed: "300 000").
func intValue(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("%d is too large", x)
		}
		return int64(x), nil
	case float64:
		if x != math.Trunc(x) || math.Abs(x) > 1<<53 {
			return 0, fmt.Errorf("%v is not a whole number", x)
		}
		return int64(x), nil
	case string:
		s := strings.Map(func(r rune) rune {
			switch r {
			case ' ', '\u00a0', '\u202f', '_':
				return -1
			}
			return r
		}, x)
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a whole number", x)
		}
		return n, nil
	}
	return 0, fmt.Errorf("%s is not a whole number", describe(v))
}

// mapList reads a list of mappings; items of another shape are reported
// and dropped (their index is kept in the returned positions).
func mapList(m map[string]any, key, field string, r *report) (items []map[string]any, index []int) {
	v, ok := m[key]
	if !ok || v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		r.skip(field, "is %s, not a list: ignored", describe(v))
		return nil, nil
	}
	for i, it := range list {
		if it == nil {
			continue
		}
		mm, ok := asMap(it)
		if !ok {
			r.skip(fmt.Sprintf("%s[%d]", field, i), "is %s, not a mapping of fields", describe(it))
			continue
		}
		items = append(items, mm)
		index = append(index, i)
	}
	return items, index
}
