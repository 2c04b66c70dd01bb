package graph_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestTextThatCannotDeceive writes names that hold invisible or reordering
// characters, and text that is not valid Unicode, through every mutation
// that takes a short field: each is refused with BAD_USER_INPUT naming the
// field and the character, and nothing is written. Long texts keep what a
// quotation in another script needs.
func TestTextThatCannotDeceive(t *testing.T) {
	e := newAccess(t)
	const (
		createStartup = `mutation($in: CreateStartupInput!) { createStartup(input: $in) { startup { slug name } } }`
		updateStartup = `mutation($in: UpdateStartupInput!) { updateStartup(input: $in) { startup { slug name } } }`
		createMember  = `mutation($in: CreateMemberInput!) { createMember(input: $in) { member { slug fullname } } }`
		updateMember  = `mutation($in: UpdateMemberInput!) { updateMember(input: $in) { member { slug fullname } } }`
		upsertInc     = `mutation($in: UpsertIncubatorInput!) { upsertIncubator(input: $in) { incubator { slug } } }`
		upsertOrg     = `mutation($in: UpsertOrganisationInput!) { upsertOrganisation(input: $in) { organisation { slug } } }`
		addMission    = `mutation($in: AddMissionInput!) { addMission(input: $in) { mission { slug } } }`
	)
	var cur struct {
		Startup struct {
			ID, Name string
			Version  int
		}
		Member struct {
			ID, Fullname string
			Version      int
		}
	}
	e.must(t, e.viewer, `query($s: String!, $m: String!) { startup(slug: $s) { id name version } member(slug: $m) { id fullname version } }`,
		map[string]any{"s": e.startupA, "m": e.memberX}, &cur)
	newStartup := func(name string) map[string]any {
		return map[string]any{"slug": "texte-trompeur", "name": name, "incubator": e.incA}
	}
	newMember := func(fullname string) map[string]any {
		return map[string]any{"slug": "texte.trompeur", "fullname": fullname, "domain": "DEVELOPMENT"}
	}
	tests := []struct {
		name, query string
		in          map[string]any
		field, char string // extensions.field and extensions.character
	}{
		{"createStartup, right-to-left override", createStartup, newStartup("Facture\u202Efdp.exe"), "name", "U+202E"},
		{"createStartup, isolate", createStartup, newStartup("\u2066Dinum"), "name", "U+2066"},
		{"createStartup, zero-width space", createStartup, newStartup("Din\u200Bum"), "name", "U+200B"},
		{"createStartup, thematique with a BOM", createStartup, map[string]any{"slug": "texte-trompeur", "name": "Texte", "incubator": e.incA, "thematiques": []string{"Santé", "\uFEFFEmploi"}}, "thematiques", "U+FEFF"},
		{"createStartup, override in the pitch", createStartup, map[string]any{"slug": "texte-trompeur", "name": "Texte", "incubator": e.incA, "pitch": "Un service \u202Dqui ment"}, "pitch", "U+202D"},
		{"createStartup, replacement character", createStartup, newStartup("Cr\uFFFDteil"), "name", "U+FFFD"},
		{"updateStartup, right-to-left override", updateStartup, map[string]any{"id": cur.Startup.ID, "version": cur.Startup.Version, "name": "Nom\u202E"}, "name", "U+202E"},
		{"updateStartup, line break in the link", updateStartup, map[string]any{"id": cur.Startup.ID, "version": cur.Startup.Version, "link": "https://a.example\nhttps://b.example"}, "link", "U+000A"},
		{"createMember, zero-width space", createMember, newMember("Jean\u200BDupont"), "fullname", "U+200B"},
		{"createMember, right-to-left mark in the role", createMember, map[string]any{"slug": "texte.trompeur", "fullname": "Jean Dupont", "domain": "DEVELOPMENT", "role": "Dev\u200F"}, "role", "U+200F"},
		{"updateMember, joiner between Latin letters", updateMember, map[string]any{"id": cur.Member.ID, "version": cur.Member.Version, "fullname": "Ja\u200Dne"}, "fullname", "U+200D"},
		{"upsertIncubator, word joiner", upsertInc, map[string]any{"slug": "incubateur-trompeur", "title": "Incu\u2060bateur"}, "title", "U+2060"},
		{"upsertOrganisation, Arabic letter mark", upsertOrg, map[string]any{"slug": "orga-trompeuse", "name": "Orga", "acronym": "OR\u061CG"}, "acronym", "U+061C"},
		{"addMission, tag characters in the employer", addMission, map[string]any{"member": e.memberX, "start": "2025-05-01", "status": "ADMIN", "startups": []string{e.startupA}, "employer": "Octo\U000E0041"}, "employer", "U+E0041"},
	}
	audit := e.countRows(t, "audit")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, out := e.post(t, e.admin, tt.query, map[string]any{"in": tt.in})
			if codeOf(out) != "BAD_USER_INPUT" {
				t.Fatalf("code %q, want BAD_USER_INPUT (%+v)", codeOf(out), out.Errors)
			}
			ext := out.Errors[0].Extensions
			if ext["field"] != tt.field || ext["character"] != tt.char || ext["position"] == nil {
				t.Errorf("extensions %v, want field %s, character %s and a position", ext, tt.field, tt.char)
			}
			if !strings.Contains(out.Errors[0].Message, tt.char) {
				t.Errorf("message %q does not name %s", out.Errors[0].Message, tt.char)
			}
		})
	}
	if got := e.countRows(t, "audit"); got != audit {
		t.Errorf("%d audit entries after refused writes, want %d", got, audit)
	}

	// Text that is not valid Unicode never reaches a resolver: invalid
	// bytes in the variables, in the query, and lone surrogate escapes.
	raw := func(body string) (int, *gqlResponse) {
		req, _ := http.NewRequest(http.MethodPost, e.url+"/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+e.admin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if bytes.ContainsRune(b, '\uFFFD') {
			t.Errorf("the answer holds U+FFFD: %s", b)
		}
		return resp.StatusCode, decodeResponse(t, b)
	}
	for _, c := range []struct{ name, body, field, argument string }{
		{"invalid bytes in a variable", `{"query":"` + createStartup + `","variables":{"in":{"slug":"texte-trompeur","incubator":"` + e.incA + "\",\"name\":\"Cr\xe9teil\"}}}", "variables.in.name", ""},
		{"lone surrogate in a variable", `{"query":"` + createMember + `","variables":{"in":{"slug":"texte.trompeur","domain":"DEVELOPMENT","fullname":"Jean \udc00"}}}`, "variables.in.fullname", ""},
		{"invalid bytes in the query", "{\"query\":\"mutation { createStartup(input: {slug: \\\"texte-trompeur\\\", incubator: \\\"" + e.incA + "\\\", name: \\\"\xff\\\"}) { startup { slug } } }\"}", "query", "createStartup(input.name)"},
		{"lone surrogate escape in the query", `{"query":"mutation { createMember(input: {slug: \"texte.trompeur\", domain: DEVELOPMENT, fullname: \"\\ud800\"}) { member { slug } } }"}`, "query", "createMember(input.fullname)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, out := raw(c.body)
			if status != http.StatusBadRequest || codeOf(out) != "BAD_USER_INPUT" {
				t.Fatalf("status %d, code %q, want 400 BAD_USER_INPUT (%+v)", status, codeOf(out), out.Errors)
			}
			if ext := out.Errors[0].Extensions; ext["field"] != c.field || (c.argument != "" && ext["argument"] != c.argument) {
				t.Errorf("extensions %v, want field %s, argument %q", ext, c.field, c.argument)
			}
		})
	}
	if got := e.countRows(t, "audit"); got != audit {
		t.Errorf("%d audit entries after refused writes, want %d", got, audit)
	}
	var after struct {
		Startup *struct{ Name string }
		Member  *struct{ Fullname string }
	}
	e.must(t, e.viewer, `{ startup(slug: "texte-trompeur") { name } member(slug: "texte.trompeur") { fullname } }`, nil, &after)
	if after.Startup != nil || after.Member != nil {
		t.Errorf("a refused record was written: %+v %+v", after.Startup, after.Member)
	}

	// Long texts keep what an Arabic quotation, an emoji or pasted text
	// needs: direction marks, balanced isolates, joiners, zero-width spaces.
	pitch := "Un service cité «\u2067مرحبا بكم\u2069» (\u200Fالعربية\u200E), 👩\u200d💻 et col\u200Blé"
	var ok struct {
		CreateStartup struct{ Startup struct{ Slug, Pitch string } }
	}
	e.must(t, e.admin, `mutation($in: CreateStartupInput!) { createStartup(input: $in) { startup { slug pitch } } }`,
		map[string]any{"in": map[string]any{"slug": "texte-honnete", "name": "Texte 👩\u200d💻 honnête", "incubator": e.incA, "pitch": pitch}}, &ok)
	if ok.CreateStartup.Startup.Pitch != pitch {
		t.Errorf("pitch stored as %q, want %q", ok.CreateStartup.Startup.Pitch, pitch)
	}
}
