package main

// The README's examples must answer where the reader runs them: on the demo
// database a first `serve` creates (seed scale 1) and on an import of the
// real beta.gouv.fr snapshot (PORTFOLIO_SNAPSHOT). TestReadmeExamples reads
// every GraphQL document of README.md (the ```graphql blocks, the queries of
// the curl commands and of shell variables in ```sh blocks), runs the
// queries through the server's handler and checks that each answers without
// error and with something in it; mutations are only validated against the
// schema.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/99designs/gqlgen/graphql"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// readmeExample is one GraphQL document of the README.
type readmeExample struct {
	line      int    // where it starts in README.md
	section   string // the heading above it
	query     string
	variables map[string]any
	// token: the example sends a token (a curl command with an
	// Authorization header) or says it needs one (a comment of a graphql
	// block that mentions a token).
	token bool
	// block: a ```graphql block, whose comment must say whether it needs a
	// token (the test checks it both ways).
	block    bool
	mutation bool
}

func (e readmeExample) String() string {
	return fmt.Sprintf("README.md:%d (%s)", e.line, e.section)
}

var (
	fenceRE   = regexp.MustCompile("^```([a-z]*)\\s*$")
	headingRE = regexp.MustCompile(`^#+\s+(.*)$`)
	// A curl body: -d '{"query": …}'.
	curlBodyRE = regexp.MustCompile(`(?:-d|--data|--data-raw)\s+'(\{.*?\})'`)
	// A shell variable holding a document: Q='{ … }'.
	shellVarRE = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*)='(.*)'$`)
)

// readmeExamples extracts the GraphQL documents of the README.
func readmeExamples(t *testing.T, path string) []readmeExample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		out     []readmeExample
		section string
		lang    string // the language of the fenced block we are in
		inBlock bool
		start   int
		body    []string
		n       int
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		n++
		line := sc.Text()
		if m := fenceRE.FindStringSubmatch(line); m != nil {
			if !inBlock {
				inBlock, lang, start, body = true, m[1], n+1, nil
				continue
			}
			if m[1] == "" {
				inBlock = false
				switch lang {
				case "graphql":
					out = append(out, graphqlExample(t, section, start, body))
				case "sh", "bash", "shell":
					out = append(out, shellExamples(t, section, start, body)...)
				}
				continue
			}
		}
		if inBlock {
			body = append(body, line)
			continue
		}
		if m := headingRE.FindStringSubmatch(line); m != nil {
			section = m[1]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func graphqlExample(t *testing.T, section string, start int, body []string) readmeExample {
	t.Helper()
	e := readmeExample{line: start, section: section, block: true, query: strings.Join(body, "\n")}
	for _, l := range body {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "#") && strings.Contains(strings.ToLower(l), "token") {
			e.token = true
		}
	}
	e.mutation = isMutation(t, e)
	return e
}

// shellExamples finds the documents of a shell block: the bodies of curl
// commands and the shell variables that hold a document.
func shellExamples(t *testing.T, section string, start int, body []string) []readmeExample {
	t.Helper()
	// Join the lines continued with a backslash.
	type logical struct {
		line int
		text string
	}
	var lines []logical
	for i := 0; i < len(body); i++ {
		l := logical{line: start + i, text: body[i]}
		for strings.HasSuffix(strings.TrimRight(l.text, " "), `\`) && i+1 < len(body) {
			i++
			l.text = strings.TrimSuffix(strings.TrimRight(l.text, " "), `\`) + " " + strings.TrimSpace(body[i])
		}
		lines = append(lines, l)
	}
	var out []readmeExample
	for _, l := range lines {
		if m := shellVarRE.FindStringSubmatch(strings.TrimSpace(l.text)); m != nil && looksLikeGraphQL(m[2]) {
			// The variable's document is run as the commands using it are:
			// with a token if one of them sends one.
			e := readmeExample{line: l.line, section: section, query: m[2]}
			for _, u := range lines {
				if strings.Contains(u.text, "$"+m[1]) && strings.Contains(u.text, "Authorization: Bearer") {
					e.token = true
				}
			}
			e.mutation = isMutation(t, e)
			out = append(out, e)
			continue
		}
		for _, m := range curlBodyRE.FindAllStringSubmatch(l.text, -1) {
			var req struct {
				Query     string         `json:"query"`
				Variables map[string]any `json:"variables"`
			}
			if err := json.Unmarshal([]byte(m[1]), &req); err != nil {
				t.Errorf("README.md:%d: the body of the curl command is not JSON: %v", l.line, err)
				continue
			}
			if req.Query == "" {
				continue
			}
			e := readmeExample{line: l.line, section: section, query: req.Query, variables: req.Variables,
				token: strings.Contains(l.text, "Authorization: Bearer")}
			e.mutation = isMutation(t, e)
			out = append(out, e)
		}
	}
	return out
}

func looksLikeGraphQL(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "{") || strings.HasPrefix(s, "query") || strings.HasPrefix(s, "mutation")
}

func isMutation(t *testing.T, e readmeExample) bool {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: e.query})
	if err != nil {
		t.Errorf("%s: does not parse: %v\n%s", e, err, e.query)
		return false
	}
	for _, op := range doc.Operations {
		if op.Operation == ast.Mutation {
			return true
		}
	}
	return false
}

// readmeEnv serves one database as `serve` does (public reading on), with
// the viewer token the README has the reader create.
type readmeEnv struct {
	handler http.Handler
	token   string
	schema  graphql.ExecutableSchema
}

// newReadmeEnv makes a database with the program's commands (fill runs
// seed or import) and serves it.
func newReadmeEnv(t *testing.T, fill ...string) *readmeEnv {
	t.Helper()
	db := filepath.Join(t.TempDir(), "readme.db")
	args := append([]string{fill[0], "--db", db}, fill[1:]...)
	if out, err := runCmd(t, args...); err != nil {
		t.Fatalf("%v: %v\n%s", fill, err, out)
	}
	// The command of the README, for the viewer token.
	out, err := runCmd(t, "token", "create", "--db", db, "--role", "viewer", "--name", "me")
	if err != nil {
		t.Fatalf("token create: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	d, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	es := graph.Executable(d)
	return &readmeEnv{handler: server.New(server.Config{DB: d, Schema: es, PublicRead: true}), token: lines[len(lines)-1], schema: es}
}

type readmeAnswer struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (a *readmeAnswer) codes() map[string]int {
	c := map[string]int{}
	for _, e := range a.Errors {
		code, _ := e.Extensions["code"].(string)
		c[code]++
	}
	return c
}

// post runs the example through the handler, with the viewer token or
// anonymously.
func (env *readmeEnv) post(t *testing.T, e readmeExample, withToken bool) *readmeAnswer {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": e.query, "variables": e.variables})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if withToken {
		req.Header.Set("Authorization", "Bearer "+env.token)
	}
	rec := httptest.NewRecorder()
	env.handler.ServeHTTP(rec, req)
	var a readmeAnswer
	dec := json.NewDecoder(rec.Body)
	dec.UseNumber()
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("%s: status %d, answer not JSON: %v", e, rec.Code, err)
	}
	return &a
}

// emptyParts lists what makes an answer empty: a null, an empty list or a
// totalCount of 0 anywhere from the root down to the first list (inside a
// list, a null lastCommittee or an empty sponsors list is data).
func emptyParts(path string, v any) []string {
	switch v := v.(type) {
	case nil:
		return []string{path + " is null"}
	case []any:
		if len(v) == 0 {
			return []string{path + " is an empty list"}
		}
	case map[string]any:
		var out []string
		for _, k := range slices.Sorted(maps.Keys(v)) {
			x := v[k]
			p := path + "." + k
			if path == "" {
				p = k
			}
			if n, ok := x.(json.Number); ok && k == "totalCount" && n.String() == "0" {
				out = append(out, p+" is 0")
			}
			out = append(out, emptyParts(p, x)...)
		}
		return out
	}
	return nil
}

// checkExample runs one example and reports what is wrong with it.
func checkExample(t *testing.T, env *readmeEnv, e readmeExample) {
	t.Helper()
	if e.block && !e.mutation {
		anon := env.post(t, e, false)
		forbidden := anon.codes()["FORBIDDEN"]
		switch {
		case e.token && forbidden == 0 && len(emptyParts("", anon.Data)) == 0:
			// (An empty answer has nothing to forbid: it is reported below.)
			t.Errorf("%s says it needs a token, but answers an anonymous caller without FORBIDDEN (errors %v): drop the comment", e, anon.Errors)
		case !e.token && len(anon.Errors) > 0:
			t.Errorf("%s needs a token without saying so: anonymously it answers %d errors (%v); say so in a # comment of the block", e, len(anon.Errors), anon.codes())
		}
	}
	a := env.post(t, e, e.token)
	if len(a.Errors) > 0 {
		t.Errorf("%s answers %d errors %v, the first: %s at %v\n%s", e, len(a.Errors), a.codes(), a.Errors[0].Message, a.Errors[0].Path, e.query)
		return
	}
	if len(a.Data) == 0 {
		t.Errorf("%s answers no data\n%s", e, e.query)
	}
	if empty := emptyParts("", a.Data); len(empty) > 0 {
		t.Errorf("%s answers nothing: %s\n%s", e, strings.Join(empty, "; "), e.query)
	}
}

func TestReadmeExamples(t *testing.T) {
	examples := readmeExamples(t, "../../README.md")
	var queries, mutations []readmeExample
	for _, e := range examples {
		if e.mutation {
			mutations = append(mutations, e)
		} else {
			queries = append(queries, e)
		}
	}
	// The reader's way in, the example queries, the writes: if the
	// extraction finds fewer, it has stopped seeing them.
	if len(queries) < 8 || len(mutations) < 2 {
		t.Fatalf("found %d queries and %d mutations in README.md, want at least 8 and 2", len(queries), len(mutations))
	}
	withToken := 0
	for _, e := range queries {
		if e.token {
			withToken++
		}
	}
	t.Logf("README.md: %d queries, %d of them with a viewer token; %d mutations", len(queries), withToken, len(mutations))

	t.Run("mutations-valid", func(t *testing.T) {
		schema := graph.Schema()
		for _, e := range mutations {
			if _, errs := gqlparser.LoadQuery(schema, e.query); len(errs) > 0 {
				t.Errorf("%s is not valid against the schema: %v\n%s", e, errs, e.query)
			}
		}
	})
	t.Run("demo", func(t *testing.T) {
		env := newReadmeEnv(t, "seed")
		for _, e := range queries {
			checkExample(t, env, e)
		}
	})
	t.Run("snapshot", func(t *testing.T) {
		dir := os.Getenv("PORTFOLIO_SNAPSHOT")
		if dir == "" {
			t.Skip("PORTFOLIO_SNAPSHOT is not set: the README's examples are run on the demo data only")
		}
		env := newReadmeEnv(t, "import", dir)
		for _, e := range queries {
			checkExample(t, env, e)
		}
	})
}
