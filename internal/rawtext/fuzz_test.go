package rawtext

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
)

// damaged reports whether a decoder left U+FFFD in s where its input
// (raw) held none of its own: neither the character nor an escape of it.
func damaged(raw, s string) bool {
	own := strings.ContainsRune(raw, utf8.RuneError) || strings.Contains(strings.ToLower(raw), "fffd")
	return !own && strings.ContainsRune(s, utf8.RuneError)
}

// strings of a decoded JSON value, keys included.
func jsonStrings(v any, out *[]string) {
	switch x := v.(type) {
	case string:
		*out = append(*out, x)
	case []any:
		for _, e := range x {
			jsonStrings(e, out)
		}
	case map[string]any:
		for k, e := range x {
			*out = append(*out, k)
			jsonStrings(e, out)
		}
	}
}

// FuzzJSON checks JSON against encoding/json: on valid JSON, JSON finds a
// problem exactly when the decoder would leave a U+FFFD the input did not
// hold.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{
		`{"query":"{ a }","variables":{"in":{"name":"Élise \ud83d\ude00"}}}`,
		"{\"variables\":{\"s\":\"\xff\"}}",
		`{"s":"\udc00"}`, `{"s":"\ud800\u0041"}`, `["a",{"b":["\ud800"]}]`,
		"{\"k\xfe\":1}", `"\u00e9"`, `1`, `{"a":"\\udc00"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := JSON(data, "")
		if !json.Valid(data) {
			return
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return
		}
		var ss []string
		jsonStrings(v, &ss)
		bad := false
		for _, s := range ss {
			bad = bad || damaged(string(data), s)
		}
		// damaged(data, "\ufffd"): the input holds no U+FFFD of its own.
		if clean := damaged(string(data), "\ufffd"); clean && bad != (p != nil) {
			t.Fatalf("JSON(%q) = %v, but the decoder left U+FFFD: %v", data, p, bad)
		}
	})
}

// FuzzDocument checks Document against gqlparser's lexer: when Document
// finds nothing, no string the lexer reads holds a U+FFFD the document did
// not hold.
func FuzzDocument(f *testing.F) {
	for _, s := range []string{
		`{ startup(slug: "a\udc00") { slug } }`,
		"{ startup(slug: \"a\xffb\") { slug } }",
		`{ startup(slug: "\ud83d\ude00 \u{1F600}") { slug } }`,
		`{ startup(slug: """\udc00""") { slug } } # \ud800`,
		`{ a(b: "\u{D800}") }`, `{ a(b: "\\udc00") }`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		p := Document("query", doc)
		if p != nil || !damaged(doc, "\ufffd") {
			return
		}
		lx := lexer.New(&ast.Source{Input: doc})
		for range 10_000 {
			tok, err := lx.ReadToken()
			if err != nil || tok.Kind == lexer.EOF {
				return
			}
			if (tok.Kind == lexer.String || tok.Kind == lexer.BlockString) && damaged(doc, tok.Value) {
				t.Fatalf("Document(%q) found nothing, but the lexer read %q", doc, tok.Value)
			}
		}
	})
}
