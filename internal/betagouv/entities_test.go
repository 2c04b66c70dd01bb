package betagouv

import (
	"strings"
	"testing"
)

func TestDecodeEntities(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"GIP Plateforme de l&#x27;inclusion", "GIP Plateforme de l'inclusion"},
		{"experte métier champ de l&#39;insertion", "experte métier champ de l'insertion"},
		{"Data analyst &amp; Data engineer", "Data analyst & Data engineer"},
		{"https:&#x2F;&#x2F;x.example.org&#x2F;a", "https://x.example.org/a"},
		{"Intrapreneur &quot;Impact&quot;", `Intrapreneur "Impact"`},
		{"&lt;script&gt;", "<script>"},
		{"des&nbsp;repas", "des\u00a0repas"},
		{"&#X4E;otre", "Notre"},
		// Escaped twice, or more: each pass undoes one.
		{"Opérateur de validation &amp;#x2F; Support", "Opérateur de validation / Support"},
		{"UX&amp;#x2F;UI Designer", "UX/UI Designer"},
		{"&amp;amp;amp;lt;", "<"},
		{"&amp;amp;amp;amp;amp;", "&amp;"}, // four passes at most
		// A reference needs its semicolon; what is not one stays.
		{"?a=1&region=fr&not=2&copy=3&amp", "?a=1&region=fr&not=2&copy=3&amp"},
		{"&region;", "&region;"},
		{"&ampx;", "&ampx;"},
		{"&unknown; &#; &#x; & ;", "&unknown; &#; &#x; & ;"},
		{"AT&T, R&D, Pass'Sport", "AT&T, R&D, Pass'Sport"},
		{"&NotEqualTilde;", "\u2242\u0338"},
		// Decoded, then checked by the field's rules (not here).
		{"a&#x202E;b", "a\u202eb"},
		{"&#0;", "\ufffd"},
		{"", ""},
	} {
		if got := decodeEntities(c.in); got != c.want {
			t.Errorf("decodeEntities(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestEntities imports records holding HTML entities, some escaped twice,
// and stray spaces (testdata/entities): every text field is stored decoded
// and trimmed, references found once decoded; markdown bodies stay as
// written; a decoded character a field may not hold is reported, the
// reason saying its position counts in the decoded text.
func TestEntities(t *testing.T) {
	s := mustRead(t, "testdata/entities")
	st := startup(t, s, "cantine")
	equal(t, "name", st.Name, "La cantine d'à côté")
	equal(t, "pitch", st.Pitch, "Des repas \"faits maison\" & locaux\u00a0!")
	equal(t, "link", st.Link, "https://cantine.example.org/?utm_source=betagouv&region=sud&lang=fr")
	equal(t, "incubator", st.IncubatorSlug, "sud-est")
	equal(t, "sponsors", st.Sponsors, []string{"gip-inclusion"})
	equal(t, "thematiques", st.Thematiques, []string{"Alimentation & santé"})
	equal(t, "phase comment", st.Phases[0].Comment, "Lancée à l'automne")
	equal(t, "committee comment", st.Committees[0].Comment, "Poursuite forcée")
	equal(t, "description", st.Description, "Une **cantine&#x20;**&#x70;artagée, &lt;sans&gt; balise.")

	m := member(t, s, "lea.martin")
	equal(t, "fullname", m.Fullname, "Léa\u00a0Martin")
	equal(t, "role", m.Role, "Opérateur de validation / Support utilisateur")
	equal(t, "employer", m.Missions[0].Employer, "Ministère de l'Intérieur / DNUM")
	equal(t, "bio", m.Bio, "Développeuse depuis 2007. &lt;3")

	equal(t, "incubator", s.Incubators[0].Title, "Incubateur Sud/Est")
	equal(t, "short description", s.Incubators[0].ShortDescription, `Cellule pour des services "produit"`)
	equal(t, "website", s.Incubators[0].Website, "https://sud-est.example.org/")
	equal(t, "owner", s.Incubators[0].OwnerSlug, "gip-inclusion")
	equal(t, "organisation", []string{s.Organisations[0].Name, s.Organisations[0].Acronym}, []string{"GIP Plateforme de l'inclusion", "GIP&I"})

	var got []string
	for _, p := range s.Problems {
		if strings.HasPrefix(p.File, "_phases") || strings.HasPrefix(p.File, "_teams") {
			continue
		}
		got = append(got, p.File+": "+p.Field+": "+strings.SplitN(p.Reason, " (", 2)[0]+
			map[bool]string{true: " [decoded]"}[strings.Contains(p.Reason, "HTML entities decoded")])
	}
	equal(t, "problems", got, []string{
		"_startups/cantine.md: events[0].comment: held U+202E RIGHT-TO-LEFT OVERRIDE at character 11 [decoded]",
		"_startups/cantine.md: thematiques[1]: held U+200B ZERO WIDTH SPACE at character 1 [decoded]",
	})
}
