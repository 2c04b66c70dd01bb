package reliability

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/httperror"
)

// badCase is one file of testdata/badinput: a request and what the server
// must answer.
type badCase struct {
	Name  string `json:"-"` // the file's name, without .json
	About string `json:"about"`
	// Method and Path default to POST and /graphql.
	Method string `json:"method"`
	Path   string `json:"path"`
	// Headers are sent as they are; when absent, Content-Type:
	// application/json is sent; without Accept, acceptGraphQL. A value
	// may be a list (repeated header).
	Headers map[string]headerValues `json:"headers"`
	// Token adds "Authorization: Bearer <token>" for admin, manager,
	// viewer or revoked (a revoked viewer token).
	Token string `json:"token"`
	// The body is one of: the JSON object made of Query, Variables,
	// OperationName and Extensions (those present), Body verbatim,
	// BodyBase64 decoded, or what Generator makes.
	Query         *string         `json:"query"`
	Variables     json.RawMessage `json:"variables"`
	OperationName *string         `json:"operationName"`
	Extensions    json.RawMessage `json:"extensions"`
	Body          *string         `json:"body"`
	BodyBase64    string          `json:"body_base64"`
	Generator     *generator      `json:"generator"`
	// Chunked sends the body without a Content-Length.
	Chunked bool        `json:"chunked"`
	Expect  expectation `json:"expect"`
	// Private, when set, also sends the case to a --public-read=false
	// server, which must answer this.
	Private *expectation `json:"private"`
	// KnownIssue names a known server defect that makes the case fail: the
	// failure is logged, not fatal, until the defect is fixed.
	KnownIssue string `json:"known_issue"`
}

// headerValues is a header's value, or its values when it is repeated.
type headerValues []string

// UnmarshalJSON accepts a string or a list of strings.
func (h *headerValues) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*h = headerValues{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("a header is a string or a list of strings: %w", err)
	}
	*h = many
	return nil
}

// expectation is what a case must get. Whatever it says, a 5xx, an error
// with code INTERNAL, or an answer slower than MaxMS is a failure.
type expectation struct {
	// Outcome is "error" (the default: a 4xx, or a 200 whose every error
	// has an extensions.code), "ok" (a 200 with data and no error: the
	// hostile-looking input is plain data), or "any" (either).
	Outcome string `json:"outcome"`
	// Status, when set, lists the statuses allowed.
	Status []int `json:"status"`
	// Codes, when set, lists the codes allowed for the first error.
	Codes []string `json:"codes"`
	// Field, when set, is the first error's extensions.field: where the
	// bad input sits ("variables.in.name", "query").
	Field string `json:"field"`
	// Data, for an "ok" outcome, is a part of the data the answer must have.
	Data json.RawMessage `json:"data"`
	// MaxMS is the longest the answer may take, default 5,000 ms.
	MaxMS int `json:"max_ms"`
}

// generator makes a body too big or too repetitive to keep in a file.
type generator struct {
	Name string `json:"name"`
	N    int    `json:"n"`
	W    int    `json:"w"` // a second size, where the generator has one
}

// jsonBody encodes a GraphQL request body.
func jsonBody(query string, vars any) []byte {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		panic(err)
	}
	return b
}

// generators make the bodies of the cases that name them.
var generators = map[string]func(g generator) []byte{
	// padded: a valid request padded to N bytes in total.
	"padded": func(g generator) []byte {
		head, tail := `{"query":"{ __typename }","variables":{"pad":"`, `"}}`
		return []byte(head + strings.Repeat("x", max(g.N-len(head)-len(tail), 0)) + tail)
	},
	// depth: a selection N levels deep (startups → nodes → incubator → …).
	"depth": func(g generator) []byte {
		path := []string{"startups", "nodes", "incubator"}
		leaf := map[string]string{"startups": "totalCount", "nodes": "slug", "incubator": "slug"}
		var b strings.Builder
		last := ""
		for i := range g.N - 1 {
			last = path[i%3]
			b.WriteString(last + " { ")
		}
		b.WriteString(leaf[last])
		b.WriteString(strings.Repeat(" }", g.N-1))
		return jsonBody("{ "+b.String()+" }", nil)
	},
	// aliases: N aliases of one field.
	"aliases": func(g generator) []byte {
		var b strings.Builder
		for i := range g.N {
			fmt.Fprintf(&b, "a%d: __typename ", i)
		}
		return jsonBody("{ "+b.String()+"}", nil)
	},
	// fragment_laughs: N levels of fragments, each spreading the one below
	// W times ("billion laughs").
	"fragment_laughs": func(g generator) []byte {
		var b strings.Builder
		fmt.Fprintf(&b, "{ ...F%d }\n", g.N)
		b.WriteString("fragment F0 on Query {")
		for i := range g.W {
			fmt.Fprintf(&b, " a%d: __typename", i)
		}
		b.WriteString(" }\n")
		for k := 1; k <= g.N; k++ {
			fmt.Fprintf(&b, "fragment F%d on Query {%s }\n", k, strings.Repeat(fmt.Sprintf(" ...F%d", k-1), g.W))
		}
		return jsonBody(b.String(), nil)
	},
	// tokens: a document of N name tokens.
	"tokens": func(g generator) []byte {
		return jsonBody("{"+strings.Repeat(" a", g.N)+" }", nil)
	},
	// directives: one field with N @include directives.
	"directives": func(g generator) []byte {
		return jsonBody("{ __typename"+strings.Repeat(" @include(if: true)", g.N)+" }", nil)
	},
	// nested_list: the variable ids nested N lists deep.
	"nested_list": func(g generator) []byte {
		return []byte(`{"query":"query($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":` +
			strings.Repeat("[", g.N) + `"x"` + strings.Repeat("]", g.N) + `}}`)
	},
	// nested_not: a StartupFilter variable nesting "not" N deep.
	"nested_not": func(g generator) []byte {
		return []byte(`{"query":"query($f: StartupFilter) { startups(filter: $f) { totalCount } }","variables":{"f":` +
			strings.Repeat(`{"not":`, g.N) + `{"slugs":["x"]}` + strings.Repeat("}", g.N) + `}}`)
	},
	// nested_not_literal: a StartupFilter written in the query, nesting
	// "not" N deep.
	"nested_not_literal": func(g generator) []byte {
		return jsonBody("{ startups(filter: "+strings.Repeat("{not: ", g.N)+`{slugs: ["x"]}`+strings.Repeat("}", g.N)+") { totalCount } }", nil)
	},
	// operation_name: a valid query with an operationName of N characters.
	"operation_name": func(g generator) []byte {
		b, _ := json.Marshal(map[string]any{"query": "query Q { __typename }", "operationName": strings.Repeat("Q", g.N)})
		return b
	},
	// filter_or: a StartupFilter of N "or" branches.
	"filter_or": func(g generator) []byte {
		or := make([]any, g.N)
		for i := range or {
			or[i] = map[string]any{"slugs": []string{fmt.Sprintf("s%d", i)}}
		}
		return jsonBody(`query($f: StartupFilter) { startups(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"or": or}})
	},
	// slugs: a StartupFilter listing N slugs that do not exist.
	"slugs": func(g generator) []byte {
		slugs := make([]string, g.N)
		for i := range slugs {
			slugs[i] = fmt.Sprintf("no-such-startup-%d", i)
		}
		return jsonBody(`query($f: StartupFilter) { startups(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"slugs": slugs}})
	},
	// ids: nodes() with N ids.
	"ids": func(g generator) []byte {
		ids := make([]string, g.N)
		for i := range ids {
			ids[i] = fmt.Sprintf("x%d", i)
		}
		return jsonBody(`query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids})
	},
	// search_word: a search for one word of N letters.
	"search_word": func(g generator) []byte {
		return jsonBody(`query($f: StartupFilter) { startups(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"search": strings.Repeat("a", g.N)}})
	},
	// search_words: a search for N words.
	"search_words": func(g generator) []byte {
		return jsonBody(`query($f: StartupFilter) { startups(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"search": strings.TrimSpace(strings.Repeat("ab ", g.N))}})
	},
	// nest: startups(first: W) → team → member → startups, N levels deep
	// (the query that took 4.8 GB before lists were costed).
	"nest": func(g generator) []byte { return jsonBody(nestQuery(g.W, g.N), nil) },
	// committee_nest: committees → startup → team → member → missions →
	// startups → committees, N levels deep.
	"committee_nest": func(g generator) []byte { return jsonBody(committeeNest(g.N), nil) },
	// aliased_lists: N aliases of a startup's team, on 1,000 startups.
	"aliased_lists": func(g generator) []byte { return jsonBody(aliasedLists(g.N), nil) },
	// duplicate_fields: one field N times.
	"duplicate_fields": func(g generator) []byte { return jsonBody(duplicateFields(g.N), nil) },
	// member_search_word: a member search for one word of N letters.
	"member_search_word": func(g generator) []byte {
		return jsonBody(`query($f: MemberFilter) { members(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"search": strings.Repeat("a", g.N)}})
	},
}

// loadCases reads every case of testdata/badinput, with the placeholders
// {{name}} of vars replaced.
func loadCases(t *testing.T, vars map[string]string) []*badCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "badinput", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []*badCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range vars {
			b = bytes.ReplaceAll(b, []byte("{{"+k+"}}"), []byte(v))
		}
		if i := bytes.Index(b, []byte("{{")); i >= 0 && bytes.Contains(b[i:], []byte("}}")) {
			t.Fatalf("%s: unknown placeholder near %q", f, truncate(string(b[i:]), 30))
		}
		c := &badCase{Name: strings.TrimSuffix(filepath.Base(f), ".json")}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(c); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if c.About == "" {
			t.Fatalf("%s: say what the case is about", f)
		}
		if c.BodyBase64 != "" {
			// Placeholders in an encoded body too.
			raw, err := base64.StdEncoding.DecodeString(c.BodyBase64)
			if err != nil {
				t.Fatalf("%s: body_base64: %v", f, err)
			}
			for k, v := range vars {
				raw = bytes.ReplaceAll(raw, []byte("{{"+k+"}}"), []byte(v))
			}
			c.BodyBase64 = base64.StdEncoding.EncodeToString(raw)
		}
		if c.Generator != nil && generators[c.Generator.Name] == nil {
			t.Fatalf("%s: no generator %q", f, c.Generator.Name)
		}
		for _, e := range []*expectation{&c.Expect, c.Private} {
			if e != nil && !slices.Contains([]string{"", "error", "ok", "any"}, e.Outcome) {
				t.Fatalf("%s: outcome %q: want error, ok or any", f, e.Outcome)
			}
		}
		cases = append(cases, c)
	}
	return cases
}

// body returns the case's request body, or nil for none.
func (c *badCase) body() ([]byte, error) {
	switch {
	case c.Generator != nil:
		return generators[c.Generator.Name](*c.Generator), nil
	case c.Body != nil:
		return []byte(*c.Body), nil
	case c.BodyBase64 != "":
		b, err := base64.StdEncoding.DecodeString(c.BodyBase64)
		if err != nil {
			return nil, fmt.Errorf("body_base64: %w", err)
		}
		return b, nil
	case c.Query != nil || c.Variables != nil || c.OperationName != nil || c.Extensions != nil:
		m := map[string]any{}
		if c.Query != nil {
			m["query"] = *c.Query
		}
		if c.Variables != nil {
			m["variables"] = c.Variables
		}
		if c.OperationName != nil {
			m["operationName"] = *c.OperationName
		}
		if c.Extensions != nil {
			m["extensions"] = c.Extensions
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("encode the body: %w", err)
		}
		return b, nil
	}
	return nil, nil
}

// request builds the case's HTTP request to the server at base.
func (c *badCase) request(ctx context.Context, base string, tokens map[string]string) (*http.Request, error) {
	body, err := c.body()
	if err != nil {
		return nil, err
	}
	method := c.Method
	if method == "" {
		method = http.MethodPost
	}
	path := c.Path
	if path == "" {
		path = "/graphql"
	}
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
		if c.Chunked {
			r = struct{ io.Reader }{r} // hides the length: sent chunked
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, r)
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	if c.Headers == nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if _, ok := c.Headers["Accept"]; !ok {
		req.Header.Set("Accept", acceptGraphQL)
	}
	for k, vs := range c.Headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if c.Token != "" {
		tok, ok := tokens[c.Token]
		if !ok {
			return nil, fmt.Errorf("token %q: want admin, manager, viewer or revoked", c.Token)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return req, nil
}

// judge returns what is wrong with the answer r to a case expecting e.
func judge(e expectation, r *reply) []string {
	var bad []string
	if r.Status >= 500 {
		bad = append(bad, fmt.Sprintf("status %d: a 5xx", r.Status))
	}
	for _, er := range r.Errors {
		if er.code() == "INTERNAL" {
			bad = append(bad, fmt.Sprintf("an INTERNAL error: %q", er.Message))
			break
		}
	}
	limit := time.Duration(e.MaxMS) * time.Millisecond
	if e.MaxMS == 0 {
		limit = 5 * time.Second
	}
	if r.Elapsed > limit {
		bad = append(bad, fmt.Sprintf("answered in %s, the limit is %s", r.Elapsed.Round(time.Millisecond), limit))
	}
	if r.refusal() && r.Status != httperror.Status(r.firstCode()) {
		bad = append(bad, fmt.Sprintf("a refusal %s answered %d, the table says %d", r.firstCode(), r.Status, httperror.Status(r.firstCode())))
	}
	if len(e.Status) > 0 && !slices.Contains(e.Status, r.Status) {
		bad = append(bad, fmt.Sprintf("status %d, want one of %v", r.Status, e.Status))
	}
	if len(e.Codes) > 0 && !slices.Contains(e.Codes, r.firstCode()) {
		bad = append(bad, fmt.Sprintf("first error code %q, want one of %v", r.firstCode(), e.Codes))
	}
	if e.Field != "" {
		if len(r.Errors) == 0 || r.Errors[0].Extensions["field"] != e.Field {
			var got any
			if len(r.Errors) > 0 {
				got = r.Errors[0].Extensions["field"]
			}
			bad = append(bad, fmt.Sprintf("first error's field %v, want %q", got, e.Field))
		}
	}
	isError := func() string {
		switch {
		case r.Status >= 400 && r.Status < 500:
			return ""
		case r.Status != http.StatusOK:
			return fmt.Sprintf("status %d, want a 4xx or a 200 with a coded error", r.Status)
		case len(r.Errors) == 0:
			return "a 200 without an error, want a 4xx or a coded error"
		}
		for _, er := range r.Errors {
			if er.code() == "" {
				return fmt.Sprintf("an error without extensions.code: %q", er.Message)
			}
		}
		return ""
	}
	isOK := func() string {
		if r.Status != http.StatusOK || len(r.Errors) > 0 || len(r.Data) == 0 || string(r.Data) == "null" {
			return fmt.Sprintf("status %d with %d errors (%s), want a 200 with data", r.Status, len(r.Errors), codes(r))
		}
		if len(e.Data) > 0 {
			var want, got any
			if err := json.Unmarshal(e.Data, &want); err != nil {
				return fmt.Sprintf("the case's expected data: %v", err)
			}
			if err := json.Unmarshal(r.Data, &got); err != nil {
				return fmt.Sprintf("the answer's data: %v", err)
			}
			if !containsJSON(want, got) {
				return fmt.Sprintf("data %s does not contain %s", truncate(string(r.Data), 300), e.Data)
			}
		}
		return ""
	}
	switch e.Outcome {
	case "", "error":
		if msg := isError(); msg != "" {
			bad = append(bad, msg)
		}
	case "ok":
		if msg := isOK(); msg != "" {
			bad = append(bad, msg)
		}
	case "any":
		if a, b := isError(), isOK(); a != "" && b != "" {
			bad = append(bad, a+"; or "+b)
		}
	}
	return bad
}

// refusal reports whether r is a GraphQL answer refusing the request as
// a whole with a coded error (no data entry, as
// application/graphql-response+json): its status must then be the one
// the edge's table gives its code. A refusal about HTTP itself (413,
// 415, a method) is not one: it says its own status.
func (r *reply) refusal() bool {
	ctype, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
	switch r.Status {
	case http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusMethodNotAllowed:
		return false
	}
	return ctype == "application/graphql-response+json" && r.Data == nil && r.firstCode() != ""
}

// codes lists the codes of the answer's errors.
func codes(r *reply) string {
	var cs []string
	for _, e := range r.Errors {
		cs = append(cs, e.code())
	}
	return strings.Join(cs, ",")
}

// containsJSON reports whether got has everything want has: the keys of
// objects, lists element by element, and equal scalars.
func containsJSON(want, got any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok || !containsJSON(wv, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !containsJSON(w[i], g[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(want, got)
}

// outcomeOf names an answer for the distribution of outcomes: its status
// and the code of its first error, or "data".
func outcomeOf(r *reply) string {
	switch {
	case r == nil:
		return "no answer"
	case len(r.Errors) > 0:
		c := r.firstCode()
		if c == "" {
			c = "no code"
		}
		return fmt.Sprintf("%d %s", r.Status, c)
	case r.Status == http.StatusOK:
		return "200 data"
	}
	return fmt.Sprintf("%d", r.Status)
}

// badInputReport is what TestBadInput writes to its artifact.
type badInputReport struct {
	Cases          int               `json:"cases"`
	PrivateCases   int               `json:"private_cases"`
	Requests       int               `json:"requests"`
	Failed         []string          `json:"failed"`
	KnownIssues    map[string]int    `json:"known_issues"`
	Outcomes       map[string]int    `json:"outcomes"`
	ByCase         map[string]string `json:"by_case"`
	PrivateOutcome map[string]int    `json:"private_outcomes"`
	ServerErrors   int               `json:"server_error_log_lines"`
	Checksum       string            `json:"checksum"`
	Rows           int               `json:"rows"`
	Seconds        float64           `json:"seconds"`
}

// TestBadInput sends every case of testdata/badinput to the real server,
// then a subset to a server that needs a token to read, and checks that
// each got its expected answer, that the server still answers, and that
// the database did not change.
func TestBadInput(t *testing.T) {
	requireSuite(t, "BadInput")
	start := time.Now()
	binary(t)
	path, source := newDatabase(t, false)
	f := newFixture(t, path, source)
	before, rows, err := checksum(path)
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{"admin": f.Admin, "manager": f.Manager, "viewer": f.Viewer, "revoked": f.Revoked}
	vars := map[string]string{
		"admin": f.Admin, "manager": f.Manager, "viewer": f.Viewer, "revoked": f.Revoked,
		"startup": f.Own[0], "advanced": f.Advanced, "other_startup": f.Others[0], "incubator": f.Incubator, "committee": f.Committee,
		"yesterday": pastDay(0), "tomorrow": time.Now().AddDate(0, 0, 2).Format(time.DateOnly),
	}
	cases := loadCases(t, vars)
	if len(cases) < 60 {
		t.Errorf("the corpus has %d cases, want at least 60", len(cases))
	}
	rep := badInputReport{Cases: len(cases), Failed: []string{}, KnownIssues: map[string]int{}, Outcomes: map[string]int{}, ByCase: map[string]string{}, PrivateOutcome: map[string]int{}}

	run := func(t *testing.T, s *server, private bool) {
		client := newClient(4)
		for i, c := range cases {
			e := c.Expect
			if private {
				if c.Private == nil {
					continue
				}
				e = *c.Private
				rep.PrivateCases++
			}
			t.Run(c.Name, func(t *testing.T) {
				rep.Requests++
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				req, err := c.request(ctx, s.URL, tokens)
				if err != nil {
					t.Fatal(err)
				}
				// Each case from an address of its own: the server paces
				// an address whose requests it keeps refusing, and the
				// corpus is mostly refusals, some of them timed.
				from := loopbackClient(fmt.Sprintf("127.1.%d.%d", i/250, i%250+1), 1)
				r, err := send(from, req)
				from.CloseIdleConnections()
				var bad []string
				if err != nil {
					bad = append(bad, fmt.Sprintf("no answer: %v", err))
				} else {
					bad = judge(e, r)
				}
				if private {
					rep.PrivateOutcome[outcomeOf(r)]++
					rep.ByCase[c.Name+" (private)"] = outcomeOf(r)
				} else {
					rep.Outcomes[outcomeOf(r)]++
					rep.ByCase[c.Name] = outcomeOf(r)
				}
				switch {
				case len(bad) > 0 && c.KnownIssue != "":
					rep.KnownIssues[c.KnownIssue]++
					t.Logf("known issue (%s), %s: %s", c.KnownIssue, c.About, strings.Join(bad, "; "))
				case len(bad) > 0:
					body := ""
					if r != nil {
						body = truncate(string(r.Body), 500)
					}
					rep.Failed = append(rep.Failed, c.Name)
					t.Errorf("%s\n  %s\n  answer: %s", c.About, strings.Join(bad, "\n  "), body)
				case c.KnownIssue != "":
					t.Logf("passes now: drop its known_issue %q", c.KnownIssue)
				}
			})
		}
		// The server is still up and answers.
		select {
		case <-s.done:
			t.Fatalf("the server died: %v\n%s", s.waitErr, s.stderr.String())
		default:
		}
		var d struct{ Startups struct{ TotalCount int } }
		mustQuery(t, client, s.URL, f.Viewer, `{ startups(filter: {active: true}) { totalCount } }`, nil, &d)
		if d.Startups.TotalCount == 0 {
			t.Error("after the corpus, no active startup")
		}
		for _, p := range []string{"/healthz", "/readyz"} {
			resp, err := client.Get(s.URL + p)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d after the corpus", p, resp.StatusCode)
			}
		}
		errs, _, _ := s.stderr.counts()
		rep.ServerErrors += errs
	}

	t.Run("public", func(t *testing.T) {
		s := startServer(t, path)
		run(t, s, false)
		if err := s.stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	t.Run("private", func(t *testing.T) {
		s := startServer(t, path, "--public-read=false")
		run(t, s, true)
		if err := s.stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})

	after, rowsAfter, err := checksum(path)
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		var diff []string
		for _, k := range slices.Sorted(maps.Keys(rowsAfter)) {
			if rows[k] != rowsAfter[k] {
				diff = append(diff, fmt.Sprintf("%s: %d → %d rows", k, rows[k], rowsAfter[k]))
			}
		}
		t.Errorf("the database changed: checksum %s → %s; %v", before, after, diff)
	}
	rep.Checksum = after
	for _, n := range rowsAfter {
		rep.Rows += n
	}
	rep.Seconds = time.Since(start).Seconds()
	t.Logf("bad input: %d cases (%d also without public read), %d requests in %.1fs; outcomes %v; private outcomes %v; known issues %v; %d failed; server logged %d ERROR lines; database unchanged: %v (%d rows)",
		rep.Cases, rep.PrivateCases, rep.Requests, rep.Seconds, rep.Outcomes, rep.PrivateOutcome, rep.KnownIssues, len(rep.Failed), rep.ServerErrors, after == before, rep.Rows)
	writeArtifact(t, "reliability-badinput.json", rep)
}
