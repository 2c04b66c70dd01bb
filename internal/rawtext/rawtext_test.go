package rawtext

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// describe writes a problem as "field pos line:col what", or "" for nil.
func describe(p *Problem) string {
	if p == nil {
		return ""
	}
	s := fmt.Sprintf("%s %d %d:%d %s", p.Field, p.Pos, p.Line, p.Column, p.What)
	if p.InKey {
		s += " (key)"
	}
	if p.Argument != "" {
		s += " in " + p.Argument
	}
	return s
}

func TestJSON(t *testing.T) {
	const lone = "a lone UTF-16 surrogate"
	for _, c := range []struct {
		name, body, prefix string
		want               string // a prefix of describe's text; "" for none
	}{
		{"valid", `{"query":"{ a }","variables":{"in":{"name":"Élise 👩\u200d💻 \u00e9 \ud83d\ude00"}}}`, "", ""},
		{"invalid byte in a variable", "{\"query\":\"q\",\"variables\":{\"in\":{\"name\":\"ab\xffc\"}}}", "", "variables.in.name 3 1:3 invalid UTF-8 (byte 0xFF)"},
		{"invalid byte in a list", "{\"variables\":{\"ids\":[\"a\",\"b\",\"\xc3(\"]}}", "", "variables.ids[2] 1 1:1 invalid UTF-8 (byte 0xC3)"},
		{"overlong encoding", "{\"variables\":{\"s\":\"..\xc0\xaf\"}}", "", "variables.s 3 1:3 invalid UTF-8 (byte 0xC0)"},
		{"lone low surrogate", `{"variables":{"in":{"name":"x\udc00"}}}`, "", `variables.in.name 2 1:2 the escape \udc00, ` + lone},
		{"lone high surrogate at the end", `{"variables":{"s":"\uD800"}}`, "", `variables.s 1 1:1 the escape \uD800, ` + lone},
		{"high surrogate before a letter", `{"variables":{"s":"\ud800\u0041"}}`, "", `variables.s 1 1:1 the escape \ud800, ` + lone},
		{"two high surrogates", `{"variables":{"s":"\ud800\ud800"}}`, "", `variables.s 1 1:1 the escape \ud800, ` + lone},
		{"in the query, after escaped line breaks", "{\"query\":\"mutation {\\n  createStartup(input: {name: \\\"a\xffb\\\"})\\n}\"}", "", "query 44 2:33 invalid UTF-8 (byte 0xFF)"},
		{"CR LF is one line break", `{"query":"a\r\n\r\nb\udc00"}`, "", `query 7 3:2 the escape \udc00`},
		{"in a key", "{\"variables\":{\"n\xffm\":1}}", "", "variables 2 1:2 invalid UTF-8 (byte 0xFF) (key)"},
		{"in a top-level key", "{\"q\xff\":1}", "", "the request 2 1:2 invalid UTF-8 (byte 0xFF) (key)"},
		{"with a prefix", "{\"in\":{\"name\":\"\xff\"}}", "variables", "variables.in.name 1 1:1 invalid UTF-8"},
		{"escaped quote and backslash before", "{\"s\":\"\\\"\\\\\xff\"}", "", "s 3 1:3 invalid UTF-8"},
		{"numbers, literals, nesting", "{\"a\":[1,-2.5e3,true,null,{\"b\":[[\"\xfe\"]]}]}", "", "a[4].b[0][0] 1 1:1 invalid UTF-8 (byte 0xFE)"},
		{"not JSON: stops", "{\"a\":\"x\" \"b\":\"\xff\"}", "", ""},
		{"truncated: stops", "{\"a\":\"x", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := describe(JSON([]byte(c.body), c.prefix))
			if (c.want == "") != (got == "") || !strings.HasPrefix(got, c.want) {
				t.Errorf("JSON(%q) = %q, want %q", c.body, got, c.want)
			}
		})
	}
}

// TestJSONAgreesWithDecoder checks that a body JSON passes decodes to the
// same text as it holds: encoding/json changed nothing.
func TestJSONAgreesWithDecoder(t *testing.T) {
	for _, body := range []string{
		`{"s":"é \u00e9 \ud83d\ude00 \n\t\"\\\/ \u2028"}`,
		`{"s":["", "a", {"b": "c"}], "n": 1.5e10}`,
	} {
		if p := JSON([]byte(body), ""); p != nil {
			t.Fatalf("JSON(%q) = %v", body, p)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		if out, _ := json.Marshal(v); strings.Contains(string(out), "\ufffd") || strings.Contains(string(out), `\ufffd`) {
			t.Errorf("%q decoded with U+FFFD: %s", body, out)
		}
	}
}

func TestDocument(t *testing.T) {
	const lone = "a lone UTF-16 surrogate"
	for _, c := range []struct {
		name, doc, want string
	}{
		{"valid", "mutation { createStartup(input: {name: \"Élise \\u00e9 \\ud83d\\ude00 \\u{1F600}\"}) { startup { slug } } }", ""},
		{"invalid byte in a string literal", "mutation {\n  createStartup(input: {slug: \"x\", name: \"a\xffb\"}) { startup { slug } }\n}", "query 55 2:44 invalid UTF-8 (byte 0xFF) in createStartup(input.name)"},
		{"invalid byte where syntax goes", "{ startups(filter: {search: \xff}) { totalCount } }", "query 29 1:29 invalid UTF-8 (byte 0xFF)"},
		{"lone surrogate escape", `{ startups(filter: {or: [{search: "a"}, {search: "b\udc00"}]}) { totalCount } }`, `query 52 1:52 the escape \udc00, ` + lone + "$startups(filter.or[1].search)"},
		{"high surrogate without its pair", `{ startup(slug: "\uD83Dx") { slug } }`, `query 18 1:18 the escape \uD83D, ` + lone + "$startup(slug)"},
		{"braced surrogate", `{ startup(slug: "\u{DC00}") { slug } }`, `query 18 1:18 the escape \u{DC00}, ` + lone},
		{"escaped backslash is not an escape", `{ startup(slug: "\\udc00") { slug } }`, ""},
		{"in a comment: no escapes", "# \\udc00\n{ __typename }", ""},
		{"in a block string: no escapes", `{ startup(slug: """\udc00""") { slug } }`, ""},
		{"invalid byte in a comment", "# caf\xe9\n{ __typename }", "query 6 1:6 invalid UTF-8 (byte 0xE9)"},
		{"in a variable's default value", "query($n: String = \"\xff\") { startup(slug: $n) { slug } }", "query 21 1:21 invalid UTF-8 (byte 0xFF) in $n"},
		{"in a directive's argument", "{ startups @skip(if: false) { nodes { name @deprecated(reason: \"\\udfff\") } } }", `query 65 1:65 the escape \udfff, ` + lone + "$@deprecated(reason)"},
		{"in a fragment", "query { ...F } fragment F on Query { startup(slug: \"\xff\") { slug } }", "query 53 1:53 invalid UTF-8 (byte 0xFF) in startup(slug)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := describe(Document("query", c.doc))
			// "$" in want stands for the rest of the description, up to
			// " in " and the argument.
			head, arg, _ := strings.Cut(c.want, "$")
			if !strings.HasPrefix(got, head) || !strings.HasSuffix(got, arg) || (c.want == "") != (got == "") {
				t.Errorf("Document(%q) = %q, want %q", c.doc, got, c.want)
			}
		})
	}
}

// TestInDocument checks that a problem JSON finds in a request's query
// member names the argument in the decoded document.
func TestInDocument(t *testing.T) {
	body := "{\"query\":\"mutation {\\n createMember(input: {slug: \\\"x\\\", fullname: \\\"\\udc00\\\"}) { member { slug } }\\n}\"}"
	p := JSON([]byte(body), "")
	if p == nil {
		t.Fatal("no problem found")
	}
	var req struct{ Query string }
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	p.InDocument(req.Query)
	if p.Argument != "createMember(input.fullname)" || p.Line != 2 || p.Column != 45 {
		t.Errorf("problem %q, want line 2, column 45, in createMember(input.fullname)", describe(p))
	}
	e := p.GraphQLError()
	if e.Code() != "BAD_USER_INPUT" || e.Extensions["field"] != "query" || len(e.Locations) != 1 || e.Locations[0].Line != 2 || e.Extensions["argument"] != "createMember(input.fullname)" {
		t.Errorf("GraphQL error %+v", e)
	}
	for _, want := range []string{"query:", "line 2, column 45", "createMember(input.fullname)", `\udc00`} {
		if !strings.Contains(e.Message, want) {
			t.Errorf("message %q does not say %q", e.Message, want)
		}
	}
}

func TestValues(t *testing.T) {
	for _, c := range []struct {
		name string
		vals map[string][]string
		want string
	}{
		{"valid", map[string][]string{"query": {"{ a }"}, "variables": {`{"s":"é"}`}}, ""},
		{"a plain parameter", map[string][]string{"operationName": {"ok", "Op\xff"}}, "operationName 3 1:3 invalid UTF-8 (byte 0xFF)"},
		{"variables as JSON", map[string][]string{"variables": {"{\"in\":{\"name\":\"\xfe\"}}"}}, "variables.in.name 1 1:1 invalid UTF-8 (byte 0xFE)"},
		{"a lone surrogate in variables", map[string][]string{"variables": {`{"s":"\udc00"}`}}, `variables.s 1 1:1 the escape \udc00`},
		{"a parameter's name", map[string][]string{"a\xff": {"x"}}, "parameters 2 1:2 invalid UTF-8 (byte 0xFF) (key)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := describe(Values(c.vals, "variables", "extensions"))
			if (c.want == "") != (got == "") || !strings.HasPrefix(got, c.want) {
				t.Errorf("Values = %q, want %q", got, c.want)
			}
		})
	}
}
