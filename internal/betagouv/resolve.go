package betagouv

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// assemble gathers the parsed records, maps inline organisations onto
// organisation records and checks every reference. It works on copies of
// the parsed records, which a Cache may hand to several reads.
func assemble(jobs []job, results []parsed) *Snapshot {
	s := &Snapshot{Unreadable: map[string][]string{}}
	var incubators []*incubatorRec
	var startups []*startupRec
	var members []*portfolio.Member
	var teams []*portfolio.Team
	var phaseRecs []*phaseRec
	for i, p := range results {
		s.Problems = append(s.Problems, p.problems...)
		found := true
		switch jobs[i].kind {
		case kindPhase:
			if found = p.phase != nil; found {
				phaseRecs = append(phaseRecs, p.phase)
				if p.phase.def != nil {
					s.PhaseDefinitions = append(s.PhaseDefinitions, *p.phase.def)
				}
			}
		case kindOrganisation:
			if found = p.org != nil; found {
				s.Organisations = append(s.Organisations, *p.org)
			}
		case kindIncubator:
			if found = p.incubator != nil; found {
				c := *p.incubator
				incubators = append(incubators, &c)
			}
		case kindTeam:
			if found = p.team != nil; found {
				c := *p.team
				teams = append(teams, &c)
			}
		case kindStartup:
			if found = p.startup != nil; found {
				c := *p.startup
				startups = append(startups, &c)
			}
		case kindMember:
			if found = p.member != nil; found {
				c := *p.member
				c.Missions = slices.Clone(c.Missions) // their startups are checked in place below
				members = append(members, &c)
			}
		}
		if !found && jobs[i].kind != kindPhase {
			k := kindNoun(jobs[i].kind)
			s.Unreadable[k] = append(s.Unreadable[k], jobs[i].slug)
		}
	}

	orgs := newOrgIndex(s.Organisations)
	add := func(file string) func(Problem) {
		return func(p Problem) { p.File = file; s.Problems = append(s.Problems, p) }
	}

	// Organisations first: startups and incubators may create some.
	for _, st := range startups {
		st.Sponsors = orgs.sponsors(st, add(st.file))
	}
	for _, inc := range incubators {
		if inc.owner != nil {
			if slug, ok := orgs.resolve(*inc.owner, true, add("_incubators/"+inc.Slug+".md")); ok {
				inc.OwnerSlug = slug
			}
		}
	}
	s.Organisations = orgs.list

	incubatorSet := setOf(incubators, func(i *incubatorRec) string { return i.Slug })
	teamSet := setOf(teams, func(t *portfolio.Team) string { return t.Slug })
	startupSet := setOf(startups, func(s *startupRec) string { return s.Slug })
	memberSet := setOf(members, func(m *portfolio.Member) string { return m.Slug })

	for _, inc := range incubators {
		s.Incubators = append(s.Incubators, inc.Incubator)
	}
	for _, t := range teams {
		t.IncubatorSlug = checkRef(t.IncubatorSlug, incubatorSet, "incubator", "incubator", add("_teams/"+t.Slug+".md"))
		s.Teams = append(s.Teams, *t)
	}
	s.Vocabulary = vocabulary(phaseRecs, startups, add)
	checkFormerSlugs(startups, add)
	for _, st := range startups {
		st.IncubatorSlug = checkRef(st.IncubatorSlug, incubatorSet, "incubator", "incubator", add(st.file))
		checkReviewRefs(&st.Startup, incubatorSet, memberSet, add(st.file))
		s.Startups = append(s.Startups, st.Startup)
	}
	for _, m := range members {
		report := add("_authors/" + m.Slug + ".md")
		m.Teams = checkRefs(m.Teams, teamSet, "teams", "team", report)
		for i := range m.Missions {
			ms := &m.Missions[i]
			n, _ := strconv.Atoi(strings.TrimPrefix(ms.Slug, m.Slug+"/"))
			field := fmt.Sprintf("missions[%d].startups", n-1)
			ms.Startups = checkRefs(ms.Startups, startupSet, field, "startup", report)
		}
		m.LegacyStartups = checkRefs(m.LegacyStartups, startupSet, "startups", "startup", report)
		m.PreviousStartups = checkRefs(m.PreviousStartups, startupSet, "previously", "startup", report)
		s.Members = append(s.Members, *m)
	}
	return s
}

func setOf[T any](list []T, slug func(T) string) map[string]bool {
	set := make(map[string]bool, len(list))
	for _, x := range list {
		set[slug(x)] = true
	}
	return set
}

// checkRef returns ref if it names a known record, else reports it and
// returns "".
func checkRef(ref string, known map[string]bool, field, noun string, add func(Problem)) string {
	if ref == "" || known[ref] {
		return ref
	}
	add(Problem{Field: field, Reason: fmt.Sprintf("unknown %s %q; reference dropped", noun, ref)})
	return ""
}

// checkRefs keeps the references of a list that name known records, each
// once, and reports the others.
func checkRefs(refs []string, known map[string]bool, field, noun string, add func(Problem)) []string {
	var out []string
	for _, ref := range refs {
		if checkRef(ref, known, field, noun, add) != "" && !slices.Contains(out, ref) {
			out = append(out, ref)
		}
	}
	return out
}

// orgIndex finds organisations by slug, name or acronym, and creates the
// ones that older records give inline.
type orgIndex struct {
	list    []portfolio.Organisation // sorted by slug
	bySlug  map[string]bool
	byName  map[string]string // folded name → slug
	byAcron map[string]string // folded acronym → slug
}

func newOrgIndex(orgs []portfolio.Organisation) *orgIndex {
	x := &orgIndex{
		list:    orgs,
		bySlug:  map[string]bool{},
		byName:  map[string]string{},
		byAcron: map[string]string{},
	}
	for _, o := range orgs {
		x.index(o)
	}
	return x
}

// index adds o to the lookups; the first organisation (by slug) with a
// given name or acronym keeps it.
func (x *orgIndex) index(o portfolio.Organisation) {
	x.bySlug[o.Slug] = true
	if k := foldKey(o.Name); k != "" {
		if _, ok := x.byName[k]; !ok {
			x.byName[k] = o.Slug
		}
	}
	if k := foldKey(o.Acronym); k != "" {
		if _, ok := x.byAcron[k]; !ok {
			x.byAcron[k] = o.Slug
		}
	}
}

func foldKey(s string) string {
	return strings.Join(strings.Fields(portfolio.Fold(s)), " ")
}

// find returns the slug of the organisation that slug, name or acronym
// designate: an organisation of that slug, else one whose name or acronym
// folds equal to name, else one whose name or acronym folds equal to
// acronym.
func (x *orgIndex) find(slug, name, acronym string) (string, bool) {
	if slug != "" && x.bySlug[slug] {
		return slug, true
	}
	for _, k := range []string{foldKey(name), foldKey(acronym)} {
		if k == "" {
			continue
		}
		if s, ok := x.byName[k]; ok {
			return s, true
		}
		if s, ok := x.byAcron[k]; ok {
			return s, true
		}
	}
	return "", false
}

// create adds an organisation, keeping the list sorted by slug.
func (x *orgIndex) create(o portfolio.Organisation) {
	i, _ := slices.BinarySearchFunc(x.list, o.Slug, func(a portfolio.Organisation, s string) int { return strings.Compare(a.Slug, s) })
	x.list = slices.Insert(x.list, i, o)
	x.index(o)
}

// resolve returns the slug of the organisation ref designates. A path must
// name an existing organisation; a bare text or an inline object may match
// one by slug, name or acronym, and otherwise creates one when create is
// true.
func (x *orgIndex) resolve(ref orgRef, create bool, add func(Problem)) (string, bool) {
	if ref.path {
		if x.bySlug[ref.slug] {
			return ref.slug, true
		}
		add(Problem{Field: ref.field, Reason: fmt.Sprintf("unknown organisation %q; reference dropped", ref.slug)})
		return "", false
	}
	o := portfolio.Organisation{Name: ref.text}
	if ref.inline != nil {
		o = *ref.inline
	}
	o.Slug = Slugify(o.Name)
	if slug, ok := x.find(o.Slug, o.Name, o.Acronym); ok {
		return slug, true
	}
	if ref.inline == nil && x.bySlug[ref.slug] {
		return ref.slug, true
	}
	if !create || o.Slug == "" {
		add(Problem{Field: ref.field, Reason: fmt.Sprintf("unknown organisation %q; reference dropped", ref.text)})
		return "", false
	}
	x.create(o)
	add(Problem{Field: ref.field, Reason: fmt.Sprintf("no organisation matches %q; organisation %q created", o.Name, o.Slug)})
	return o.Slug, true
}

// sponsors returns the organisation slugs of a startup's sponsors. With no
// sponsors, an older record's owner stands for its sponsor. Inline sponsors
// and an owner that match no organisation create one.
func (x *orgIndex) sponsors(st *startupRec, add func(Problem)) []string {
	var out []string
	keep := func(slug string, ok bool) {
		if ok && !slices.Contains(out, slug) {
			out = append(out, slug)
		}
	}
	if len(st.sponsors) == 0 && st.owner != nil {
		keep(x.resolve(*st.owner, true, add))
	}
	for _, ref := range st.sponsors {
		// Inline objects create organisations; a bare text in the list
		// must name an existing one.
		keep(x.resolve(ref, ref.inline != nil, add))
	}
	return out
}

// Slugify makes a slug from a name: folded to lower case without accents,
// every run of other characters than a-z and 0-9 turned into one "-", with
// no "-" at either end. "Ministère de l'Intérieur" gives
// "ministere-de-l-interieur".
func Slugify(name string) string {
	f := strings.ToLower(portfolio.Fold(name))
	var b strings.Builder
	b.Grow(len(f))
	dash := false
	for i := 0; i < len(f); i++ {
		c := f[i]
		if ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteByte(c)
			continue
		}
		dash = true
	}
	return b.String()
}

// VocabularyUse is a phase name of the records that is not today's, with
// what the reader made of it and how often.
type VocabularyUse struct {
	// Name is the name as the records write it, in lower case: "alumni".
	Name string
	// Label is the label of its _phases definition in the content, else
	// the older vocabulary's; "" for a name no definition gives.
	Label string
	// Mapping is the entry of portfolio.PhaseMappings that applied; nil
	// for a name of neither vocabulary, imported as UNKNOWN.
	Mapping *portfolio.PhaseMapping
	// Phase is the phase the name became.
	Phase portfolio.Phase
	// Count is the number of phase periods.
	Count int
}

// vocabulary reports the records' phases of neither vocabulary with their
// _phases label, and counts the uses of each entry of
// portfolio.PhaseMappings and of each unknown name: the entries in the
// table's order, then the unknown names by name.
func vocabulary(recs []*phaseRec, startups []*startupRec, add func(string) func(Problem)) []VocabularyUse {
	labels := map[string]*phaseRec{}
	for _, r := range recs {
		if _, ok := labels[r.status]; !ok {
			labels[r.status] = r
		}
	}
	mapped := map[*portfolio.PhaseMapping]int{}
	unknown := map[string]int{}
	for _, st := range startups {
		for _, m := range st.mapped {
			mapped[m]++
		}
		for _, u := range st.unknown {
			key := strings.ToLower(u.name)
			unknown[key]++
			var reason string
			switch def := labels[key]; {
			case u.name == "":
				reason = "missing; the phase is imported as UNKNOWN, out of incubation"
			case def == nil:
				reason = fmt.Sprintf("%q is in neither today's vocabulary nor the older one, and no _phases definition names it: imported as UNKNOWN, out of incubation", u.name)
			default:
				reason = fmt.Sprintf("%s, defined in _phases/%s.md, is in neither today's vocabulary nor the older one: imported as UNKNOWN, out of incubation", quoteLabel(u.name, def.label), def.slug)
			}
			add(st.file)(Problem{Field: u.field, Reason: reason})
		}
	}
	var out []VocabularyUse
	for i := range portfolio.PhaseMappings {
		m := &portfolio.PhaseMappings[i]
		if n := mapped[m]; n > 0 {
			label := m.Label
			if def := labels[m.Name]; def != nil && def.label != "" {
				label = def.label
			}
			out = append(out, VocabularyUse{Name: m.Name, Label: label, Mapping: m, Phase: m.Phase, Count: n})
		}
	}
	for _, name := range slices.Sorted(maps.Keys(unknown)) {
		u := VocabularyUse{Name: name, Phase: portfolio.PhaseUnknown, Count: unknown[name]}
		if def := labels[name]; def != nil {
			u.Label = def.label
		}
		out = append(out, u)
	}
	return out
}
