package seed

import (
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The network at scale 1 is one block; scale N repeats the block N times,
// each with its own names, so that every count is multiplied by N.
const (
	orgsPerBlock           = 143
	incubatorsPerBlock     = 23
	incubatorsWithTwoTeams = 13
	teamsPerBlock          = incubatorsPerBlock + incubatorsWithTwoTeams // 36
	startupsPerBlock       = 662
	membersPerBlock        = 3484
)

// slugify lowers s, removes its accents and keeps ASCII letters and digits,
// every other run of characters becoming one '-'.
func slugify(s string) string {
	f := portfolio.Fold(s)
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

// withCycle appends the cycle number (2, 3, …) to a name used again in a
// later block, or returns it as is in the first.
func withCycle(s, sep string, cycle int) string {
	if cycle == 0 {
		return s
	}
	return s + sep + strconv.Itoa(cycle+1)
}

// orgLayout gives, for each local index of a block, the organisation's kind
// and its rank among the block's organisations of that kind. It is the
// same in every block.
var orgLayout = func() (l [orgsPerBlock]struct{ kind, rank int }) {
	p := newPerm(orgsPerBlock)
	for local := range orgsPerBlock {
		pos := p.at(local, 0)
		for k, kind := range orgKinds {
			if pos < kind.perBlock {
				l[local].kind, l[local].rank = k, pos
				break
			}
			pos -= kind.perBlock
		}
	}
	return l
}()

// orgNamePerms scatter the name combinations of each organisation kind.
var orgNamePerms = func() []perm {
	ps := make([]perm, len(orgKinds))
	for k, kind := range orgKinds {
		ps[k] = newPerm(len(kind.nouns) * len(orgItems(kind)))
	}
	return ps
}()

// subjectNames are the names of the subjects.
var subjectNames = func() []string {
	s := make([]string, len(subjects))
	for i, x := range subjects {
		s[i] = x.name
	}
	return s
}()

func orgItems(kind orgKind) []string {
	if kind.byPlace {
		return places
	}
	return subjectNames
}

// orgParts returns the kind, the noun and item indexes, and the cycle of
// organisation o's name.
func orgParts(o int) (kind, noun, item, cycle int) {
	block, local := o/orgsPerBlock, o%orgsPerBlock
	lay := orgLayout[local]
	k := &orgKinds[lay.kind]
	n := block*k.perBlock + lay.rank // rank among all organisations of the kind
	combos := len(k.nouns) * len(orgItems(*k))
	c := orgNamePerms[lay.kind].at(n%combos, 0)
	return lay.kind, c % len(k.nouns), c / len(k.nouns), n / combos
}

// orgName returns the name and type of organisation o, and its domaine
// ministériel when its subject gives one.
func orgName(o int) (name, typ, domaine string) {
	if f := orgFixtureAt(o); f != nil {
		return f.name, f.typ, f.domaine
	}
	kind, noun, item, cycle := orgParts(o)
	k := &orgKinds[kind]
	if !k.byPlace {
		domaine = subjects[item].domaine
	}
	return withCycle(k.nouns[noun]+" "+orgItems(*k)[item], " ", cycle), k.typ, domaine
}

// orgSlug returns the slug of organisation o: slugify of its name, built
// from the slugs of its parts.
func orgSlug(o int) string {
	if f := orgFixtureAt(o); f != nil {
		return f.slug
	}
	kind, noun, item, cycle := orgParts(o)
	items := subjectSlugs
	if orgKinds[kind].byPlace {
		items = placeSlugs
	}
	return withCycle(nounSlugs[kind][noun]+"-"+items[item], "-", cycle)
}

// Slugs of the word lists, computed once: slugify is too slow to run on
// every reference.
var (
	subjectSlugs = slugifyAll(subjectNames)
	placeSlugs   = slugifyAll(places)
	prefixSlugs  = slugifyAll(namePrefixes)
	suffixSlugs  = slugifyAll(nameSuffixes)
	firstSlugs   = slugifyAll(firstNames)
	lastSlugs    = slugifyAll(lastNames)
	nounSlugs    = func() [][]string {
		s := make([][]string, len(orgKinds))
		for k, kind := range orgKinds {
			s[k] = slugifyAll(kind.nouns)
		}
		return s
	}()
)

func slugifyAll(words []string) []string {
	s := make([]string, len(words))
	for i, w := range words {
		s[i] = slugify(w)
	}
	return s
}

// acronym returns the initials of the significant words of name.
func acronym(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return r == ' ' || r == '\'' || r == '-' }) {
		switch portfolio.Fold(w) {
		case "de", "des", "du", "la", "le", "les", "l", "d", "et", "aux", "au", "sur", "pour", "a":
			continue
		}
		if c := portfolio.Fold(w)[0]; 'a' <= c && c <= 'z' {
			b.WriteByte(c - 'a' + 'A')
		} else if '0' <= c && c <= '9' {
			b.WriteString(w)
		}
	}
	return b.String()
}

// ownerLocals are the local indexes of the organisations that own the
// incubators of a block: the first central administrations and operators.
var ownerLocals = func() (owners [incubatorsPerBlock]int) {
	n := 0
	for local := 0; local < orgsPerBlock && n < incubatorsPerBlock; local++ {
		if k := orgLayout[local].kind; orgKinds[k].typ == "administration-centrale" || orgKinds[k].typ == "operateur" {
			owners[n] = local
			n++
		}
	}
	return owners
}()

// incubatorOwner returns the organisation that owns incubator k.
func incubatorOwner(k int) int {
	return k/incubatorsPerBlock*orgsPerBlock + ownerLocals[k%incubatorsPerBlock]
}

// incubatorSlug returns the slug and title of incubator k. Later blocks add
// an invented place, then a number.
func incubatorName(k int) (slug, title string) {
	if slug, title, ok := incubatorFixtureAt(k); ok {
		return slug, title
	}
	block, local := k/incubatorsPerBlock, k%incubatorsPerBlock
	base := incubatorBase[local]
	if block == 0 {
		return base.slug, base.title
	}
	place := places[(block-1)%len(places)]
	cycle := (block - 1) / len(places)
	return withCycle(base.slug+"-"+placeSlugs[(block-1)%len(places)], "-", cycle), withCycle(base.title+" "+place, " ", cycle)
}

// incubatorSlug returns the slug of incubator k.
func incubatorSlug(k int) string {
	s, _ := incubatorName(k)
	return s
}

// teamOf returns the incubator and the kind of team t.
func teamOf(t int) (incubator, kind int) {
	block, local := t/teamsPerBlock, t%teamsPerBlock
	if local < incubatorsPerBlock {
		return block*incubatorsPerBlock + local, 0
	}
	return block*incubatorsPerBlock + local - incubatorsPerBlock, 1
}

// teamSlug returns the slug of the team of the given kind of incubator k.
func teamSlug(incubator, kind int) string {
	return incubatorSlug(incubator) + "-" + teamKinds[kind].slug
}

var (
	startupNamePerm = newPerm(len(namePrefixes) * len(nameSuffixes))
	personNamePerm  = newPerm(len(firstNames) * len(lastNames))
)

// startupName returns the coined name and the slug of startup i. Names come
// back in later cycles; slugs then take a number and stay unique.
func startupName(i int) (name, slug string) {
	if f := startupFixtureAt(i); f != nil {
		return f.name, f.slug
	}
	combos := len(namePrefixes) * len(nameSuffixes)
	cycle := i / combos
	k := startupNamePerm.at(i%combos, cycle)
	a, b := k%len(namePrefixes), k/len(namePrefixes)
	return namePrefixes[a] + nameSuffixes[b], withCycle(prefixSlugs[a]+suffixSlugs[b], "-", cycle)
}

// personName returns the full name and the slug ("firstname.lastname", with
// a number from the second cycle on) of member j.
func personName(j int) (fullname, slug string) {
	combos := len(firstNames) * len(lastNames)
	cycle := j / combos
	k := personNamePerm.at(j%combos, cycle)
	a, b := k%len(firstNames), k/len(firstNames)
	return firstNames[a] + " " + lastNames[b], withCycle(firstSlugs[a]+"."+lastSlugs[b], "", cycle)
}
