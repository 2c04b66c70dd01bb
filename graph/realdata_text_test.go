package graph_test

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

// entityRE finds an HTML character reference in a text.
var entityRE = regexp.MustCompile(`&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);`)

// TestRealDataCleanText reads every plain text field of the real snapshot
// through the API (names, titles, roles, pitches, links, employers,
// comments, tags; not the markdown descriptions and biographies, kept as
// written) and wants none to hold an HTML entity or surrounding spaces;
// members listed by name keep « É » among the E.
func TestRealDataCleanText(t *testing.T) {
	e := realData(t)
	var texts []string
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case string:
			texts = append(texts, x)
			if m := entityRE.FindString(x); m != "" {
				t.Errorf("%s holds the entity %s: %q", path, m, x)
			}
			if strings.TrimFunc(x, unicode.IsSpace) != x {
				t.Errorf("%s has surrounding spaces: %q", path, x)
			}
		case []any:
			for _, y := range x {
				walk(path, y)
			}
		case map[string]any:
			for k, y := range x {
				walk(path+"."+k, y)
			}
		}
	}
	var out map[string]any
	e.query(t, `{
		startups(first: 1000) { nodes { name pitch link repository contact statsUrl thematiques usertypes techno
			incubator { title shortDescription website github contact address }
			sponsors { name acronym type }
			phases { comment } committees { comment } events { name comment } } }
		organisations(first: 1000) { nodes { name acronym type ministerialDomain } }
	}`, nil, &out)
	walk("", out)
	var names []string
	for after := ""; ; {
		var page struct {
			Members struct {
				Nodes []struct {
					Fullname, Role, Github, Link string
					Competences                  []string
					Missions                     struct{ Nodes []struct{ Employer *string } }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		vars := map[string]any{}
		if after != "" {
			vars["after"] = after
		}
		e.query(t, `query($after: String) { members(first: 1000, after: $after, orderBy: [{field: NAME}]) {
			nodes { fullname role github link competences missions { nodes { employer } } }
			pageInfo { hasNextPage endCursor } } }`, vars, &page)
		for _, m := range page.Members.Nodes {
			names = append(names, m.Fullname)
			fields := []any{m.Fullname, m.Role, m.Github, m.Link}
			for _, c := range m.Competences {
				fields = append(fields, c)
			}
			for _, ms := range m.Missions.Nodes {
				if ms.Employer != nil {
					fields = append(fields, *ms.Employer)
				}
			}
			walk("members."+m.Fullname, fields)
		}
		if !page.Members.PageInfo.HasNextPage {
			break
		}
		after = page.Members.PageInfo.EndCursor
	}
	if len(texts) < 10000 {
		t.Errorf("%d texts read, want the whole snapshot's", len(texts))
	}
	// « Édouard » sits among the E: every name that starts with É comes
	// after the first E and before the first F.
	firstE, firstF := -1, -1
	for i, n := range names {
		switch {
		case firstE < 0 && strings.HasPrefix(n, "E"):
			firstE = i
		case firstF < 0 && strings.HasPrefix(n, "F"):
			firstF = i
		}
	}
	accented := 0
	for i, n := range names {
		if strings.HasPrefix(n, "É") {
			accented++
			if i < firstE || i > firstF {
				t.Errorf("%q is at %d, outside the E (%d to %d)", n, i, firstE, firstF)
			}
		}
	}
	if accented == 0 {
		t.Errorf("no member name starts with É: the check checks nothing")
	}
	t.Logf("%d texts, %d members; %d names starting with É, between positions %d and %d", len(texts), len(names), accented, firstE, firstF)
}
