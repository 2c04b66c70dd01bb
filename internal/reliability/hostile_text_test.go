package reliability

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestHostileText sends names that deceive (a right-to-left override, an
// isolate, a zero-width space) and text that is not valid Unicode (invalid
// UTF-8 in the variables and in the query, lone surrogate escapes), through
// /graphql (POST and GET) and /export, to the real binary. Each must be
// refused with BAD_USER_INPUT naming the field, and the database must hold
// none of it afterwards. The binary of before stored the names, and made
// the rest U+FFFD without a word.
func TestHostileText(t *testing.T) {
	requireSuite(t, "Hostile")
	binary(t)
	path, source := newDatabase(t, true)
	f := newFixture(t, path, source)
	s := startServer(t, path)
	c := newClient(4)
	t.Logf("hostile text against %s", source)

	// The startup and member updateStartup and updateMember aim at.
	var cur struct {
		Startup struct {
			ID      string
			Version int
		}
		Member struct {
			ID      string
			Version int
		}
	}
	mustQuery(t, c, s.URL, f.Viewer, `query($s: String!, $m: String!) { startup(slug: $s) { id version } member(slug: $m) { id version } }`,
		map[string]any{"s": f.Own[0], "m": f.Members[0]}, &cur)

	const (
		createStartup = `mutation($in: CreateStartupInput!) { createStartup(input: $in) { startup { slug name } } }`
		updateStartup = `mutation($in: UpdateStartupInput!) { updateStartup(input: $in) { startup { slug name } } }`
		createMember  = `mutation($in: CreateMemberInput!) { createMember(input: $in) { member { slug fullname } } }`
		updateMember  = `mutation($in: UpdateMemberInput!) { updateMember(input: $in) { member { slug fullname } } }`
		search        = `query($s: String) { startups(filter: {search: $s}) { nodes { slug name } } }`
	)
	// jsonBody with variables written as they are: raw bytes and escapes
	// that encoding/json would not produce.
	rawBody := func(query, variables string) []byte {
		return []byte(`{"query":` + rawJSONString(query) + `,"variables":` + variables + `}`)
	}
	vars := func(in map[string]any) []byte {
		b, _ := json.Marshal(map[string]any{"in": in})
		return b
	}
	startupIn := func(slug, name string) map[string]any {
		return map[string]any{"slug": slug, "name": name, "incubator": f.Incubator}
	}
	memberIn := func(slug, fullname string) map[string]any {
		return map[string]any{"slug": slug, "fullname": fullname, "domain": "DEVELOPMENT",
			"mission": map[string]any{"start": pastDay(30), "status": "INDEPENDENT", "startups": []string{f.Own[0]}}}
	}

	type attack struct {
		name   string
		method string // POST by default
		path   string // /graphql by default
		token  string
		body   []byte // POST
		field  string // the extensions.field the refusal names
	}
	post := func(name, token, query string, variables []byte, field string) attack {
		return attack{name: name, token: token, body: rawBody(query, string(variables)), field: field}
	}
	attacks := []attack{
		post("createStartup, U+202E in the name", f.Admin, createStartup, vars(startupIn("hostile-text-rlo", "Facture\u202Efdp.exe")), "name"),
		post("createStartup, U+2066 in the name", f.Admin, createStartup, vars(startupIn("hostile-text-lri", "\u2066Dinum")), "name"),
		post("createStartup, U+200B in the name", f.Admin, createStartup, vars(startupIn("hostile-text-zwsp", "Din\u200Bum")), "name"),
		post("createStartup as manager, U+202E in the name", f.Manager, createStartup, vars(startupIn("hostile-text-manager", "\u202EKO")), "name"),
		post("updateStartup, U+202E in the name", f.Admin, updateStartup, vars(map[string]any{"id": cur.Startup.ID, "version": cur.Startup.Version, "name": "hostile-text \u202Eeman"}), "name"),
		post("updateStartup, U+2066 in the name", f.Admin, updateStartup, vars(map[string]any{"id": cur.Startup.ID, "version": cur.Startup.Version, "name": "hostile-text \u2066x"}), "name"),
		post("createMember, U+202E in the fullname", f.Admin, createMember, vars(memberIn("hostile.text.rlo", "Jean\u202E Dupont")), "fullname"),
		post("createMember, U+2066 in the fullname", f.Admin, createMember, vars(memberIn("hostile.text.lri", "Jean \u2066Dupont")), "fullname"),
		post("createMember, U+200B in the fullname", f.Admin, createMember, vars(memberIn("hostile.text.zwsp", "Jean\u200BDupont")), "fullname"),
		post("updateMember, U+200B in the fullname", f.Admin, updateMember, vars(map[string]any{"id": cur.Member.ID, "version": cur.Member.Version, "fullname": "hostile-text\u200B"}), "fullname"),
		post("createStartup, invalid UTF-8 in the variables", f.Admin, createStartup,
			[]byte(`{"in":{"slug":"hostile-text-latin1","incubator":"`+f.Incubator+"\",\"name\":\"Cr\xe9teil \xff\"}}"), "variables.in.name"),
		post("createMember, overlong UTF-8 in the variables", f.Admin, createMember,
			[]byte("{\"in\":{\"slug\":\"hostile.text.overlong\",\"domain\":\"DEVELOPMENT\",\"fullname\":\"a\xc0\xafb\"}}"), "variables.in.fullname"),
		post("createStartup, invalid UTF-8 in a query literal", f.Admin,
			"mutation { createStartup(input: {slug: \"hostile-text-literal\", incubator: \""+f.Incubator+"\", name: \"Cr\xe9teil\"}) { startup { slug } } }", []byte("null"), "query"),
		post("createMember, lone surrogate escape in the variables", f.Admin, createMember,
			[]byte(`{"in":{"slug":"hostile.text.surrogate","domain":"DEVELOPMENT","fullname":"Jean \udc00"}}`), "variables.in.fullname"),
		post("createStartup, lone surrogate escape in a query literal", f.Admin,
			`mutation { createStartup(input: {slug: "hostile-text-escape", incubator: "`+f.Incubator+`", name: "x\ud800"}) { startup { slug } } }`, []byte("null"), "query"),
		post("updateStartup, high surrogate then a letter in the variables", f.Admin, updateStartup,
			[]byte(fmt.Sprintf(`{"in":{"id":%q,"version":%d,"name":"hostile-text \ud83dA"}}`, cur.Startup.ID, cur.Startup.Version)), "variables.in.name"),
		{name: "GET /graphql, invalid UTF-8 in the variables", method: http.MethodGet,
			path: "/graphql?" + url.Values{"query": {search}, "variables": {"{\"s\":\"\xff\"}"}}.Encode(), field: "variables.s"},
		{name: "GET /graphql, invalid UTF-8 in the query", method: http.MethodGet,
			path: "/graphql?" + url.Values{"query": {"{ startup(slug: \"\xfe\") { slug } }"}}.Encode(), field: "query"},
		{name: "GET /export, invalid UTF-8 in the query", method: http.MethodGet,
			path: "/export?" + url.Values{"format": {"csv"}, "query": {"{ startups(filter: {search: \"\xff\"}) { nodes { slug } } }"}}.Encode(), field: "query"},
		{name: "GET /export, lone surrogate in the variables", method: http.MethodGet,
			path: "/export?" + url.Values{"format": {"csv"}, "query": {search}, "variables": {`{"s":"\udc00"}`}}.Encode(), field: "variables.s"},
		{name: "POST /export, invalid UTF-8 in the variables", path: "/export", body: rawBody(search, "{\"s\":\"\xe9t\xe9\"}"), field: "variables.s"},
		{name: "GET /export/startups.csv, invalid UTF-8 in a filter", method: http.MethodGet, path: "/export/startups.csv?search=%FF", field: "search"},
	}

	before := countStored(t, f.DB)
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			method, target := a.method, a.path
			if method == "" {
				method = http.MethodPost
			}
			if target == "" {
				target = "/graphql"
			}
			var body *bytes.Reader
			if a.body != nil {
				body = bytes.NewReader(a.body)
			} else {
				body = bytes.NewReader(nil)
			}
			req, err := http.NewRequestWithContext(context.Background(), method, s.URL+target, body)
			if err != nil {
				t.Fatal(err)
			}
			if method == http.MethodPost {
				req.Header.Set("Content-Type", "application/json")
			}
			if a.token != "" {
				req.Header.Set("Authorization", "Bearer "+a.token)
			}
			cpu := cpuSeconds(s.Pid())
			r, err := send(c, req)
			cpu = cpuSeconds(s.Pid()) - cpu
			if err != nil {
				t.Fatal(err)
			}
			var field any
			if len(r.Errors) > 0 {
				field = r.Errors[0].Extensions["field"]
			}
			t.Logf("%s: status %d, %s, field %v, %.2f s CPU, %s", a.name, r.Status, r.firstCode(), field, cpu, r.Elapsed.Round(time.Millisecond))
			if (r.Status != http.StatusOK && r.Status != http.StatusBadRequest) || r.firstCode() != "BAD_USER_INPUT" || field != a.field {
				t.Errorf("status %d, code %q, field %v, want BAD_USER_INPUT on %s: %.300s", r.Status, r.firstCode(), field, a.field, r.Body)
			}
			if len(r.Data) > 0 && string(r.Data) != "null" && !bytes.Contains(r.Data, []byte(":null")) {
				t.Errorf("the answer carries data: %.300s", r.Data)
			}
			if bytes.ContainsRune(r.Body, '\uFFFD') {
				t.Errorf("the answer holds U+FFFD: %.300s", r.Body)
			}
		})
	}

	// Nothing of it was stored: no record of the attacks' slugs, no name
	// holding the characters or U+FFFD, no audit entry, no other row.
	if err := s.stop(); err != nil {
		t.Fatalf("stop the server: %v", err)
	}
	after := countStored(t, f.DB)
	if after.hostile != 0 || after.deceptive != 0 {
		t.Errorf("the database holds %d records of the attacks' slugs and %d names with a deceptive or replaced character", after.hostile, after.deceptive)
	}
	if after.audit != before.audit || after.startups != before.startups || after.members != before.members {
		t.Errorf("rows changed: audit %d → %d, startups %d → %d, members %d → %d", before.audit, after.audit, before.startups, after.startups, before.members, after.members)
	}
}

// rawJSONString quotes s as a JSON string, escaping what JSON requires but
// keeping its bytes as they are: encoding/json would write invalid UTF-8
// as U+FFFD, which is what the server must see for itself.
func rawJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// stored counts what the attacks of TestHostileText could have left.
type stored struct {
	startups, members, audit int
	hostile                  int // records whose slug or name says hostile-text
	deceptive                int // names holding U+202E, U+2066, U+200B or U+FFFD
}

// countStored reads the database (read-only).
func countStored(t *testing.T, path string) stored {
	t.Helper()
	db, err := openReadOnly(path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var st stored
	chars := []string{"\u202E", "\u2066", "\u200B", "\uFFFD"}
	var like []string
	var args []any
	for _, ch := range chars {
		like = append(like, "name LIKE ?")
		args = append(args, "%"+ch+"%")
	}
	for _, q := range []struct {
		dst  *int
		sql  string
		args []any
	}{
		{&st.startups, `SELECT count(*) FROM startups`, nil},
		{&st.members, `SELECT count(*) FROM members`, nil},
		{&st.audit, `SELECT count(*) FROM audit_log`, nil},
		{&st.hostile, `SELECT (SELECT count(*) FROM startups WHERE slug LIKE 'hostile-text%' OR name LIKE 'hostile-text%')
			+ (SELECT count(*) FROM members WHERE slug LIKE 'hostile.text%' OR fullname LIKE 'hostile-text%')`, nil},
		{&st.deceptive, `SELECT (SELECT count(*) FROM startups WHERE ` + strings.Join(like, " OR ") + `)
			+ (SELECT count(*) FROM members WHERE ` + strings.ReplaceAll(strings.Join(like, " OR "), "name", "fullname") + `)`, append(args, args...)},
	} {
		if err := db.QueryRow(q.sql, q.args...).Scan(q.dst); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return st
}
