// Package rawtext finds, in what a request carries, text that is not valid
// Unicode, before anything decodes it: invalid UTF-8 and lone UTF-16
// surrogate escapes ("\udc00") in JSON (a request body, its variables), in a
// GraphQL document (its bytes, and the \u escapes of its string literals),
// and in plain values (a URL's parameters, a form's fields). Decoders do not
// refuse such text: encoding/json and gqlparser turn it into U+FFFD
// silently, and a name would be stored damaged. Each entrance (the server's
// /graphql and /export, the review pages, the command line) refuses it with
// BAD_USER_INPUT naming where it sits: a variable's path
// ("variables.in.name"), a JSON member, or a line and column of the
// document with the argument whose value holds it.
package rawtext

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Problem is text that is not valid Unicode, and where it sits.
type Problem struct {
	// Field names where the text is: a JSON member's path
	// ("variables.in.name", "variables.ids[2]", "query"), a parameter
	// ("operationName").
	Field string
	// Pos is the position of the first bad character in the field's
	// decoded text, from 1, counting characters (an invalid byte counts as
	// one); Line and Column are the same position as lines and columns,
	// from 1 (a document's line and column).
	Pos, Line, Column int
	// What says what is wrong: "invalid UTF-8 (byte 0xFF)", "the escape
	// \udc00, a lone UTF-16 surrogate".
	What string
	// InKey is true when the bad text is in a JSON object's key, under
	// Field.
	InKey bool
	// Argument, for a GraphQL document, names the argument whose string
	// value holds the bad text: "createStartup(input.name)".
	Argument string
	// Document is true for a GraphQL document, whose position is given as
	// a line and column (and GraphQL "locations").
	Document bool
}

// Error says where and what, for a person.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Field)
	b.WriteString(": ")
	b.WriteString(p.What)
	switch {
	case p.InKey:
		b.WriteString(" in a key of the object")
	case p.Document || p.Line > 1:
		fmt.Fprintf(&b, " at line %d, column %d", p.Line, p.Column)
	default:
		fmt.Fprintf(&b, " at character %d", p.Pos)
	}
	if p.Argument != "" {
		b.WriteString(", in the argument ")
		b.WriteString(p.Argument)
	}
	b.WriteString(": send text as valid UTF-8 (JSON escapes of characters outside the Basic Multilingual Plane come in surrogate pairs)")
	return b.String()
}

// extensions are the GraphQL error's extensions: the code, the field, the
// position and, in a document, the argument.
func (p *Problem) extensions() map[string]any {
	ext := map[string]any{"code": portfolio.EInvalid, "field": p.Field}
	if !p.InKey {
		ext["position"] = p.Pos
	}
	if p.Argument != "" {
		ext["argument"] = p.Argument
	}
	return ext
}

// GraphQLError is the problem as a GraphQL error: BAD_USER_INPUT with
// extensions.field, and the line and column in "locations" for a document.
func (p *Problem) GraphQLError() httperror.GraphQLError {
	e := httperror.GraphQLError{Message: p.Error(), Extensions: p.extensions()}
	if p.Document {
		e.Locations = []httperror.Location{{Line: p.Line, Column: p.Column}}
	}
	return e
}

// Answer is the problem as the HTTP answer of an entrance that refuses a
// request before GraphQL answers it: a 400 with one GraphQL error.
func (p *Problem) Answer() httperror.Answer {
	return httperror.Answer{Code: portfolio.EInvalid, Message: p.Error(), Errors: []httperror.GraphQLError{p.GraphQLError()}}
}

// String checks a plain value, such as a URL parameter: nil when it is
// valid UTF-8 (a plain value has no escapes).
func String(field, s string) *Problem {
	if utf8.ValidString(s) {
		return nil
	}
	t := newTracker()
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return t.problem(field, invalidByte(s[i]))
		}
		t.add(r)
		i += size
	}
	return nil
}

// Values checks every value of a URL's parameters or a form's fields, the
// names first, in a stable order; json names the parameters that hold
// JSON (variables, extensions), checked with JSON under their name.
func Values(vals map[string][]string, json ...string) *Problem {
	names := make([]string, 0, len(vals))
	for k := range vals {
		names = append(names, k)
	}
	sortStrings(names)
	for _, k := range names {
		if p := String("parameter names", k); p != nil {
			p.Field, p.InKey = "parameters", true
			return p
		}
	}
	for _, k := range names {
		isJSON := false
		for _, j := range json {
			isJSON = isJSON || j == k
		}
		for _, v := range vals[k] {
			var p *Problem
			if isJSON {
				p = JSON([]byte(v), k)
			} else {
				p = String(k, v)
			}
			if p != nil {
				return p
			}
		}
	}
	return nil
}

// sortStrings sorts a few strings (insertion sort: no import for so few).
func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// tracker counts characters, lines and columns in decoded text, as
// gqlparser does: a line break is \n, \r or \r\n; columns count
// characters.
type tracker struct {
	pos, line, col int
	afterCR        bool
}

func newTracker() tracker { return tracker{pos: 1, line: 1, col: 1} }

// add moves past r.
func (t *tracker) add(r rune) {
	t.pos++
	switch {
	case r == '\n' && t.afterCR:
		// The \n of \r\n: the line already moved on.
	case r == '\n' || r == '\r':
		t.line++
		t.col = 1
	default:
		t.col++
	}
	t.afterCR = r == '\r'
}

// problem is a problem at the tracker's position.
func (t *tracker) problem(field, what string) *Problem {
	return &Problem{Field: field, Pos: t.pos, Line: t.line, Column: t.col, What: what}
}

func invalidByte(b byte) string { return fmt.Sprintf("invalid UTF-8 (byte 0x%02X)", b) }

func loneSurrogate(escape string) string {
	return fmt.Sprintf(`the escape \%s, a lone UTF-16 surrogate (half of a pair), which is not a character`, escape)
}

// hex4 reads four hex digits.
func hex4(s string) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:4], 16, 32)
	return rune(n), err == nil
}

func isHigh(r rune) bool { return r >= 0xD800 && r < 0xDC00 }
func isLow(r rune) bool  { return r >= 0xDC00 && r <= 0xDFFF }

// ---------------------------------------------------------------- JSON

// JSON checks the strings of a JSON document, keys included, and names the
// first bad one by its path under prefix: "variables.in.name",
// "variables.ids[2]"; with an empty prefix, the path starts at the
// document's members ("query", "variables.in.name"). data should be
// valid JSON (check it with a decoder first): on anything else JSON stops
// and returns what it found so far, so that the decoder's own message
// stands.
func JSON(data []byte, prefix string) *Problem {
	if utf8.Valid(data) && !bytes.Contains(data, []byte(`\u`)) {
		return nil // the common case, at the speed of utf8.Valid
	}
	s := &jsonScanner{data: data}
	p, _ := s.value(prefix, 0)
	return p
}

type jsonScanner struct {
	data []byte
	i    int
}

// maxDepth bounds the nesting JSON follows (encoding/json's own limit).
const maxDepth = 10_000

func (s *jsonScanner) ws() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value scans one value at path; ok is false when the input is not JSON.
func (s *jsonScanner) value(path string, depth int) (p *Problem, ok bool) {
	s.ws()
	if s.i >= len(s.data) || depth > maxDepth {
		return nil, false
	}
	switch s.data[s.i] {
	case '{':
		s.i++
		for {
			s.ws()
			if s.i < len(s.data) && s.data[s.i] == '}' {
				s.i++
				return nil, true
			}
			if s.i >= len(s.data) || s.data[s.i] != '"' {
				return nil, false
			}
			key, p, ok := s.str(path, true)
			if p != nil {
				p.InKey = true
				if p.Field == "" {
					p.Field = "the request"
				}
				return p, true
			}
			if !ok {
				return nil, false
			}
			s.ws()
			if s.i >= len(s.data) || s.data[s.i] != ':' {
				return nil, false
			}
			s.i++
			child := key
			if path != "" {
				child = path + "." + key
			}
			if p, ok := s.value(child, depth+1); p != nil || !ok {
				return p, ok
			}
			s.ws()
			if s.i < len(s.data) && s.data[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(s.data) && s.data[s.i] == '}' {
				s.i++
				return nil, true
			}
			return nil, false
		}
	case '[':
		s.i++
		for n := 0; ; n++ {
			s.ws()
			if s.i < len(s.data) && s.data[s.i] == ']' {
				s.i++
				return nil, true
			}
			if p, ok := s.value(path+"["+strconv.Itoa(n)+"]", depth+1); p != nil || !ok {
				return p, ok
			}
			s.ws()
			if s.i < len(s.data) && s.data[s.i] == ',' {
				s.i++
				continue
			}
			if s.i < len(s.data) && s.data[s.i] == ']' {
				s.i++
				return nil, true
			}
			return nil, false
		}
	case '"':
		_, p, ok := s.str(path, false)
		return p, ok
	}
	// A number, true, false or null.
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ',', ']', '}', ' ', '\t', '\n', '\r':
			return nil, true
		}
		s.i++
	}
	return nil, true
}

// str scans a string at path, from its opening quote, and returns its
// decoded text when asked (for keys).
func (s *jsonScanner) str(path string, text bool) (string, *Problem, bool) {
	s.i++ // the opening quote
	t := newTracker()
	var b strings.Builder
	put := func(r rune) {
		if text {
			b.WriteRune(r)
		}
		t.add(r)
	}
	field := path
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			s.i++
			return b.String(), nil, true
		case c == '\\':
			if s.i+1 >= len(s.data) {
				return "", nil, false
			}
			e := s.data[s.i+1]
			if e != 'u' {
				r := rune(e)
				switch e {
				case 'n':
					r = '\n'
				case 'r':
					r = '\r'
				case 't':
					r = '\t'
				case 'b':
					r = '\b'
				case 'f':
					r = '\f'
				}
				put(r)
				s.i += 2
				continue
			}
			r, ok := hex4(string(s.data[s.i+2 : min(s.i+6, len(s.data))]))
			if !ok {
				return "", nil, false
			}
			switch {
			case isHigh(r):
				rest := s.data[s.i+6:]
				if len(rest) >= 6 && rest[0] == '\\' && rest[1] == 'u' {
					if r2, ok := hex4(string(rest[2:6])); ok && isLow(r2) {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						s.i += 6
						break
					}
				}
				return "", t.problem(field, loneSurrogate(string(s.data[s.i+1:s.i+6]))), true
			case isLow(r):
				return "", t.problem(field, loneSurrogate(string(s.data[s.i+1:s.i+6]))), true
			}
			put(r)
			s.i += 6
		case c < utf8.RuneSelf:
			put(rune(c))
			s.i++
		default:
			r, size := utf8.DecodeRune(s.data[s.i:])
			if r == utf8.RuneError && size == 1 {
				return "", t.problem(field, invalidByte(c)), true
			}
			put(r)
			s.i += size
		}
	}
	return "", nil, false
}

// ---------------------------------------------------------------- GraphQL documents

// Document checks a GraphQL document: its bytes must be UTF-8, and the \u
// escapes of its string literals must name characters (a lone surrogate
// escape, which gqlparser turns into U+FFFD, is refused). The problem
// gives the line and column, and the argument whose value holds the bad
// text when the document parses. field names the document ("query").
func Document(field, doc string) *Problem {
	if utf8.ValidString(doc) && !strings.Contains(doc, `\u`) {
		return nil
	}
	p := scanDocument(doc)
	if p == nil {
		return nil
	}
	p.Field, p.Document = field, true
	p.Argument = ArgumentAt(doc, p.Pos-1)
	return p
}

// InDocument marks a problem found in the JSON string that holds a GraphQL
// document (a request's "query" member): its position becomes a line and
// column of the document, and the argument whose value holds it is named.
// doc is the decoded document (with U+FFFD where the bad text was, as
// encoding/json leaves it: one character for one, so positions agree).
func (p *Problem) InDocument(doc string) *Problem {
	p.Document = true
	p.Argument = ArgumentAt(doc, p.Pos-1)
	return p
}

// scanDocument finds the first invalid byte, or lone surrogate escape in a
// string literal, of a GraphQL document. Comments and block strings have
// no escapes.
func scanDocument(doc string) *Problem {
	const (
		code = iota
		comment
		str
		block
	)
	state := code
	t := newTracker()
	for i := 0; i < len(doc); {
		c := doc[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(doc[i:])
			if r == utf8.RuneError && size == 1 {
				return t.problem("", invalidByte(c))
			}
			t.add(r)
			i += size
			continue
		}
		step := 1
		switch state {
		case code:
			switch {
			case c == '#':
				state = comment
			case strings.HasPrefix(doc[i:], `"""`):
				state, step = block, 3
			case c == '"':
				state = str
			}
		case comment:
			if c == '\n' || c == '\r' {
				state = code
			}
		case block:
			switch {
			case strings.HasPrefix(doc[i:], `\"""`):
				step = 4
			case strings.HasPrefix(doc[i:], `"""`):
				state, step = code, 3
			}
		case str:
			switch {
			case c == '"' || c == '\n' || c == '\r':
				state = code
			case c == '\\' && strings.HasPrefix(doc[i:], `\u{`):
				end := strings.IndexByte(doc[i:], '}')
				if end > 3 && end <= 12 {
					if n, err := strconv.ParseUint(doc[i+3:i+end], 16, 32); err == nil && (isHigh(rune(n)) || isLow(rune(n))) {
						return t.problem("", loneSurrogate(doc[i+1:i+end+1]))
					}
				}
				step = 3 // the digits are ASCII: they are scanned as plain text
			case c == '\\' && strings.HasPrefix(doc[i:], `\u`):
				r, ok := hex4(doc[i+2:])
				if !ok {
					step = 2
					break
				}
				if isHigh(r) {
					if rest := doc[i+6:]; strings.HasPrefix(rest, `\u`) {
						if r2, ok := hex4(rest[2:]); ok && isLow(r2) {
							step = 12
							break
						}
					}
					return t.problem("", loneSurrogate(doc[i+1:i+6]))
				}
				if isLow(r) {
					return t.problem("", loneSurrogate(doc[i+1:i+6]))
				}
				step = 6
			case c == '\\' && i+1 < len(doc):
				step = 2
			}
		}
		for _, b := range []byte(doc[i : i+min(step, len(doc)-i)]) {
			t.add(rune(b))
		}
		i += step
	}
	return nil
}

// ArgumentAt names the argument whose string value covers the character
// at offset (from 0) of a GraphQL document, as "field(argument.path)":
// "createStartup(input.name)", "startups(filter.or[1].search)"; a
// variable's default value is "$name". It is "" when the document does
// not parse or no string value covers offset.
func ArgumentAt(doc string, offset int) string {
	parsed, err := parser.ParseQuery(&ast.Source{Input: doc})
	if err != nil {
		return ""
	}
	for _, op := range parsed.Operations {
		for _, vd := range op.VariableDefinitions {
			if p, ok := valuePath(vd.DefaultValue, offset); ok {
				return "$" + vd.Variable + p
			}
		}
		if a := directivesArgument(op.Directives, offset); a != "" {
			return a
		}
		if a := selectionArgument(op.SelectionSet, offset); a != "" {
			return a
		}
	}
	for _, fr := range parsed.Fragments {
		if a := directivesArgument(fr.Directives, offset); a != "" {
			return a
		}
		if a := selectionArgument(fr.SelectionSet, offset); a != "" {
			return a
		}
	}
	return ""
}

func selectionArgument(set ast.SelectionSet, offset int) string {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			for _, arg := range s.Arguments {
				if p, ok := valuePath(arg.Value, offset); ok {
					return s.Name + "(" + arg.Name + p + ")"
				}
			}
			if a := directivesArgument(s.Directives, offset); a != "" {
				return a
			}
			if a := selectionArgument(s.SelectionSet, offset); a != "" {
				return a
			}
		case *ast.InlineFragment:
			if a := directivesArgument(s.Directives, offset); a != "" {
				return a
			}
			if a := selectionArgument(s.SelectionSet, offset); a != "" {
				return a
			}
		case *ast.FragmentSpread:
			if a := directivesArgument(s.Directives, offset); a != "" {
				return a
			}
		}
	}
	return ""
}

func directivesArgument(ds ast.DirectiveList, offset int) string {
	for _, d := range ds {
		for _, arg := range d.Arguments {
			if p, ok := valuePath(arg.Value, offset); ok {
				return "@" + d.Name + "(" + arg.Name + p + ")"
			}
		}
	}
	return ""
}

// valuePath returns the path inside v (".name", "[2]") of the string value
// that covers offset.
func valuePath(v *ast.Value, offset int) (string, bool) {
	if v == nil {
		return "", false
	}
	switch v.Kind {
	case ast.StringValue, ast.BlockValue:
		return "", v.Position != nil && v.Position.Start <= offset && offset < v.Position.End
	case ast.ListValue:
		for i, c := range v.Children {
			if p, ok := valuePath(c.Value, offset); ok {
				return "[" + strconv.Itoa(i) + "]" + p, true
			}
		}
	case ast.ObjectValue:
		for _, c := range v.Children {
			if p, ok := valuePath(c.Value, offset); ok {
				return "." + c.Name + p, true
			}
		}
	}
	return "", false
}
