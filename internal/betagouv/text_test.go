package betagouv

import (
	"strings"
	"testing"
)

// TestDeceptiveText imports records whose fields hold bidirectional
// overrides, invisible characters and text that is not UTF-8
// (testdata/deceptive): each is reported with its file, field and
// character, and what is stored holds none of them; the records are kept,
// and long texts keep the marks, isolates and joiners they may hold.
func TestDeceptiveText(t *testing.T) {
	s := mustRead(t, "testdata/deceptive")
	equal(t, "counts", []int{len(s.Startups), len(s.Members), len(s.Incubators), len(s.Organisations)}, []int{2, 1, 1, 1})

	var got []string
	for _, p := range s.Problems {
		if strings.HasPrefix(p.File, "_phases") || strings.HasPrefix(p.File, "_teams") {
			continue // folders the fixture leaves out
		}
		if p.Skipped {
			t.Errorf("%s: skipped, want the record kept", p)
		}
		// File, field and the characters, without the reasons' words.
		if p.Field == "" {
			got = append(got, p.String())
			continue
		}
		chars := []string{}
		for _, part := range strings.Split(p.Reason, "; ") {
			chars = append(chars, strings.SplitN(part, " (", 2)[0])
		}
		got = append(got, p.File+": "+p.Field+": "+strings.Join(chars, "; "))
	}
	equal(t, "problems", got, []string{
		"_authors/jean.dupont.md: competences[0]: held U+FE0F VARIATION SELECTOR-16 at character 3",
		"_authors/jean.dupont.md: fullname: held U+200B ZERO WIDTH SPACE at character 5",
		"_authors/jean.dupont.md: missions[0].employer: held U+2060 WORD JOINER at character 5",
		"_authors/jean.dupont.md: role: held U+0009 CHARACTER TABULATION at character 12",
		"_incubators/serre.md: title: held U+202E RIGHT-TO-LEFT OVERRIDE at character 9",
		"_organisations/dnum-potagers.md: acronym: held U+E0050 at character 5",
		"_startups/creteil.md: invalid UTF-8 (byte 0xE9) on line 2: the text is not UTF-8 there (Latin-1?); the character is removed from its field",
		"_startups/creteil.md: body: held byte 0xE9 at character 24",
		"_startups/creteil.md: title: held U+FFFD REPLACEMENT CHARACTER at character 3",
		"_startups/facture.md: body: held U+202E RIGHT-TO-LEFT OVERRIDE at character 51",
		"_startups/facture.md: events[0].comment: held U+2066 LEFT-TO-RIGHT ISOLATE at character 11",
		"_startups/facture.md: incubator: held U+200B ZERO WIDTH SPACE at character 6",
		"_startups/facture.md: phases[0].comment: held U+202D LEFT-TO-RIGHT OVERRIDE at character 11",
		"_startups/facture.md: thematiques[1]: held U+200B ZERO WIDTH SPACE at character 1; U+2060 WORD JOINER at character 2",
		"_startups/facture.md: thematiques[2]: held U+200E LEFT-TO-RIGHT MARK at character 7",
		"_startups/facture.md: title: held U+202E RIGHT-TO-LEFT OVERRIDE at character 8",
	})

	f := startup(t, s, "facture")
	equal(t, "name", f.Name, "Facturefdp.exe")
	equal(t, "incubator", f.IncubatorSlug, "serre") // found once the space is gone
	equal(t, "thematiques", f.Thematiques, []string{"Finances", "Impôts"})
	equal(t, "pitch", f.Pitch, "Payer\u200b les factures \u2067مرحبا\u2069 en ligne 👩\u200d💻")
	equal(t, "description", f.Description, "Une description honnête, 👩\u200d💻, (\u200fالعربية\u200e), et une ruse.")
	equal(t, "phase comment", f.Phases[0].Comment, "Ouverture forcée")
	equal(t, "committee comment", f.Committees[0].Comment, "Poursuite sans fin")
	c := startup(t, s, "creteil")
	equal(t, "Latin-1 name", c.Name, "Crteil en ligne")
	equal(t, "Latin-1 body", c.Description, "Un corps en Latin-1 : dmarches.")
	m := member(t, s, "jean.dupont")
	equal(t, "member", []string{m.Fullname, m.Role, strings.Join(m.Competences, ","), m.Missions[0].Employer}, []string{"JeanDupont", "Développeur front", "Go", "Octo"})
	equal(t, "bio", m.Bio, "Je code 🧑\u200d💻 avec \ufeffdes caractères collés.")
	equal(t, "incubator", []string{s.Incubators[0].Title, s.Incubators[0].ShortDescription, s.Incubators[0].Address},
		[]string{"La Serre", "L'incubateur\u2028des jardins", "1 allée des Tomates\n75000 Paris"})
	equal(t, "organisation", s.Organisations[0].Acronym, "DNUM")

	// What is stored passes the rule the API writes with.
	for _, st := range s.Startups {
		if err := st.ValidateEdit(); err != nil {
			t.Errorf("%s: %v", st.Slug, err)
		}
	}
	for _, mb := range s.Members {
		if err := mb.ValidateEdit(); err != nil {
			t.Errorf("%s: %v", mb.Slug, err)
		}
	}
}

// TestDeceptiveSlug checks that a record whose file name (its slug) holds
// a character a slug may not hold is skipped: a slug cannot be cleaned
// without breaking the references to it.
func TestDeceptiveSlug(t *testing.T) {
	p := parseData(kindStartup, "fac\u202Eture", "_startups/fac\u202Eture.md", []byte("---\ntitle: Facture\n---\n"))
	if p.startup != nil || len(p.problems) != 1 || !p.problems[0].Skipped || !strings.Contains(p.problems[0].Reason, "U+202E") {
		t.Errorf("startup %v, problems %v; want none and one skipped problem naming U+202E", p.startup, p.problems)
	}
}
