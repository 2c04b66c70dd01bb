package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// The small network the filter fuzzer queries, kept in Go too so that a
// filter's answer can be worked out without SQL. Slugs, names and tags hold
// quotes, LIKE wildcards, backslashes and SQL on purpose.
var (
	fuzzOrgs = []portfolio.Organisation{
		{Slug: "min-jardins", Name: "Ministère des Jardins"},
		{Slug: "agence-eau", Name: "Agence de l'eau"},
		{Slug: "o'rg_%", Name: "Organisation ' OR 1=1 --"},
	}
	fuzzIncubators = []portfolio.Incubator{
		{Slug: "serre", Title: "La Serre", OwnerSlug: "min-jardins"},
		{Slug: "verger", Title: "Le Verger"},
		{Slug: "o'neil_100%", Title: "L'incubateur \\ 100 %"},
	}
	fuzzStartups = []portfolio.Startup{
		{Slug: "arrosoir", Name: "Arrosoir", Pitch: "Arroser à l'heure", IncubatorSlug: "serre",
			Sponsors: []string{"min-jardins"}, Thematiques: []string{"Jardin", "Eau"}, Usertypes: []string{"particulier"}, Techno: []string{"go"},
			Phases:     []portfolio.PhasePeriod{{Phase: portfolio.PhaseInvestigation, Start: fd("2023-01-01")}, {Phase: portfolio.PhaseConstruction, Start: fd("2023-06-01")}},
			Committees: []portfolio.Committee{{Slug: "arrosoir/2023-05-20", Date: fd("2023-05-20"), Decision: portfolio.DecisionAdvance}}},
		{Slug: "binette", Name: "Binette", Pitch: "Désherber sans produits, 100% bio", IncubatorSlug: "serre",
			Sponsors: []string{"min-jardins", "agence-eau"}, Thematiques: []string{"Jardin"},
			Phases: []portfolio.PhasePeriod{{Phase: portfolio.PhaseInvestigation, Start: fd("2021-01-01")}, {Phase: portfolio.PhaseAbandoned, Start: fd("2022-01-01")}}},
		{Slug: "l'ete_<&>", Name: "L'Été « chaud »", Pitch: `Mots_clés à 50 % et \ barre`, IncubatorSlug: "verger",
			Usertypes: []string{"agent'public", "%"},
			Phases:    []portfolio.PhasePeriod{{Phase: portfolio.PhaseConstruction, Start: fd("2020-01-01")}}},
		{Slug: "semoir", Name: "SEMOIR", Pitch: "DROP TABLE startups; -- ' OR 1=1", Thematiques: []string{"Eau", "' OR ''='"}},
		{Slug: "pelle", Name: "Pelle", Pitch: "Œuvrer au cœur du potager", IncubatorSlug: "verger",
			Sponsors: []string{"agence-eau", "o'rg_%"}, Techno: []string{"rust", "go", `\`},
			Phases: []portfolio.PhasePeriod{{Phase: portfolio.PhaseInvestigation}, {Phase: portfolio.PhaseAcceleration, Start: fd("2024-01-01")},
				{Phase: portfolio.PhaseConsolidation, Start: fd("2024-01-01")}},
			Committees: []portfolio.Committee{{Slug: "pelle/2024-03-01", Date: fd("2024-03-01"), Decision: portfolio.DecisionContinue},
				{Slug: "pelle/2025-01-01", Date: fd("2025-01-01"), Decision: portfolio.DecisionContinue}}},
		{Slug: "compost", Name: "Compost", Pitch: "Recycler", IncubatorSlug: "o'neil_100%",
			Phases: []portfolio.PhasePeriod{{Phase: portfolio.PhaseConsolidation, Start: fd("2019-05-05")}, {Phase: portfolio.PhaseTransferred, Start: fd("2026-01-01")}}},
	}
	fuzzDates = []portfolio.Date{fd("2019-01-01"), fd("2020-03-01"), fd("2020-07-02"), fd("2022-06-15"), fd("2023-05-31"),
		fd("2023-06-01"), fd("2024-01-01"), fd("2024-06-30"), fd("2025-12-31"), fd("2026-06-01")}
)

func fd(s string) portfolio.Date { return portfolio.MustDate(s) }

// fuzzPool is what list items and searches are drawn from, besides the
// fuzzed strings: the network's own values (so that filters match
// something) and hostile ones.
var fuzzPool = func() []string {
	pool := []string{"' OR 1=1 --", `"); DROP TABLE startups; --`, "%", "_", `\`, `\%`, "\x00", "a\x00b", "\xff\xfe", "NULL",
		"?1", "$1", ":x", "@x", "SELECT", "' || '", "eau", "jardin", "ARROSOIR", "été", "œuvrer", "100%", "50 %", "mots_cles", ""}
	for _, o := range fuzzOrgs {
		pool = append(pool, o.Slug)
	}
	for _, i := range fuzzIncubators {
		pool = append(pool, i.Slug)
	}
	for _, s := range fuzzStartups {
		pool = append(pool, s.Slug)
		pool = append(pool, s.Thematiques...)
		pool = append(pool, s.Usertypes...)
		pool = append(pool, s.Techno...)
	}
	return pool
}()

// filterGen builds a StartupFilter from fuzz bytes: each byte read decides
// a field, a length or a value; when the bytes run out, filters are empty.
type filterGen struct {
	data  []byte
	strs  []string // fuzzed strings, then fuzzPool
	nodes int
}

// maxFuzzNodes bounds the filters in one tree; maxFuzzDepth lets some trees
// nest past the compiler's limit.
const (
	maxFuzzNodes = 48
	maxFuzzDepth = 15
)

func (g *filterGen) next() byte {
	if len(g.data) == 0 {
		return 0
	}
	b := g.data[0]
	g.data = g.data[1:]
	return b
}

func (g *filterGen) str() string { return g.strs[int(g.next())%len(g.strs)] }

// list returns a list of 0 to 3 items (never nil: an empty list matches
// nothing).
func (g *filterGen) list() []string {
	n := int(g.next() % 4)
	out := make([]string, 0, n)
	for range n {
		out = append(out, g.str())
	}
	return out
}

func (g *filterGen) phases() []portfolio.Phase {
	n := int(g.next() % 4)
	out := make([]portfolio.Phase, 0, n)
	for range n {
		b := g.next()
		if int(b) < 4*len(portfolio.Phases) {
			out = append(out, portfolio.Phases[int(b)%len(portfolio.Phases)])
		} else {
			out = append(out, portfolio.Phase(g.str()))
		}
	}
	return out
}

func (g *filterGen) children(depth int) []*portfolio.StartupFilter {
	n := int(g.next() % 4)
	out := make([]*portfolio.StartupFilter, 0, n)
	for range n {
		if g.next()%8 == 7 {
			out = append(out, nil)
		} else {
			out = append(out, g.filter(depth+1))
		}
	}
	return out
}

func (g *filterGen) filter(depth int) *portfolio.StartupFilter {
	g.nodes++
	f := &portfolio.StartupFilter{}
	a, b := g.next(), g.next()
	nest := depth < maxFuzzDepth && g.nodes < maxFuzzNodes
	if a&1 != 0 && nest {
		f.And = g.children(depth)
	}
	if a&2 != 0 && nest {
		f.Or = g.children(depth)
	}
	if a&4 != 0 && nest {
		f.Not = g.filter(depth + 1)
	}
	if a&8 != 0 {
		f.Slugs = g.list()
	}
	if a&16 != 0 {
		f.Incubators = g.list()
	}
	if a&32 != 0 {
		f.Sponsors = g.list()
	}
	if a&64 != 0 {
		f.Phases = g.phases()
	}
	if a&128 != 0 {
		v := g.next()%2 == 1
		f.Active = &v
	}
	if b&1 != 0 {
		f.Thematiques = g.list()
	}
	if b&2 != 0 {
		f.Usertypes = g.list()
	}
	if b&4 != 0 {
		f.Techno = g.list()
	}
	if b&8 != 0 {
		s := g.str()
		if b&16 != 0 {
			s += " " + g.str()
		}
		f.Search = &s
	}
	if b&32 != 0 {
		v := g.next()%2 == 1
		f.CommitteeOverdue = &v
	}
	if b&64 != 0 {
		f.ReviewStatus = g.statuses()
	}
	if b&128 != 0 {
		v := g.next()%2 == 1
		f.WithoutIntrapreneur = &v
	}
	return f
}

// statuses returns a list of 0 to 3 review statuses, some of them not one
// (the compiler binds them; they match nothing).
func (g *filterGen) statuses() []portfolio.ReviewStatus {
	n := int(g.next() % 4)
	out := make([]portfolio.ReviewStatus, 0, n)
	for range n {
		b := g.next()
		if int(b) < 4*len(portfolio.ReviewStatuses) {
			out = append(out, portfolio.ReviewStatuses[int(b)%len(portfolio.ReviewStatuses)])
		} else {
			out = append(out, portfolio.ReviewStatus(g.str()))
		}
	}
	return out
}

// depthOf returns how deep and/or/not nest in f (0 for a flat filter), as
// the compiler counts.
func depthOf(f *portfolio.StartupFilter) int {
	if f == nil {
		return 0
	}
	d := 0
	for _, g := range slices.Concat(f.And, f.Or) {
		if g != nil {
			d = max(d, 1+depthOf(g))
		}
	}
	if f.Not != nil {
		d = max(d, 1+depthOf(f.Not))
	}
	return d
}

// neutral returns a copy of f with every string replaced by another one of
// the same shape: lists keep their lengths and searches their number of
// words. Values are bound parameters, so both compile to the same SQL.
func neutral(f *portfolio.StartupFilter) *portfolio.StartupFilter {
	if f == nil {
		return nil
	}
	list := func(l []string) []string {
		if l == nil {
			return nil
		}
		out := make([]string, len(l))
		for i := range out {
			out[i] = "v"
		}
		return out
	}
	subs := func(l []*portfolio.StartupFilter) []*portfolio.StartupFilter {
		if l == nil {
			return nil
		}
		out := make([]*portfolio.StartupFilter, len(l))
		for i, g := range l {
			out[i] = neutral(g)
		}
		return out
	}
	n := &portfolio.StartupFilter{
		And: subs(f.And), Or: subs(f.Or), Not: neutral(f.Not),
		Slugs: list(f.Slugs), Incubators: list(f.Incubators), Sponsors: list(f.Sponsors),
		Thematiques: list(f.Thematiques), Usertypes: list(f.Usertypes), Techno: list(f.Techno),
		Active: f.Active, CommitteeOverdue: f.CommitteeOverdue,
	}
	if f.ReviewStatus != nil {
		n.ReviewStatus = make([]portfolio.ReviewStatus, len(f.ReviewStatus))
		for i := range n.ReviewStatus {
			n.ReviewStatus[i] = "S"
		}
	}
	n.WithoutIntrapreneur = f.WithoutIntrapreneur
	if f.Phases != nil {
		n.Phases = make([]portfolio.Phase, len(f.Phases))
		for i := range n.Phases {
			n.Phases[i] = "P"
		}
	}
	if f.Search != nil {
		words := strings.FieldsFunc(portfolio.Fold(*f.Search), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
		s := strings.Repeat("w ", len(words))
		n.Search = &s
	}
	return n
}

// strs returns every string f holds.
func strs(f *portfolio.StartupFilter) []string {
	if f == nil {
		return nil
	}
	out := slices.Concat(f.Slugs, f.Incubators, f.Sponsors, f.Thematiques, f.Usertypes, f.Techno)
	for _, p := range f.Phases {
		out = append(out, string(p))
	}
	for _, st := range f.ReviewStatus {
		out = append(out, string(st))
	}
	if f.Search != nil {
		out = append(out, *f.Search)
		out = append(out, strings.Fields(portfolio.Fold(*f.Search))...)
	}
	for _, g := range slices.Concat(f.And, f.Or, []*portfolio.StartupFilter{f.Not}) {
		out = append(out, strs(g)...)
	}
	return out
}

// likeStopsAtNUL says that the search matches as SQLite's LIKE does with a
// NUL in the pattern: the pattern ends there, so "ab\x00cd" matches any
// text that ends with "ab". That is a bug of searchSQL (filter.go), reported
// but not fixed here; the model follows it until it is, so that the fuzzer
// looks for other differences. Set it to false once searchSQL no longer
// passes NUL to LIKE.
const likeStopsAtNUL = false

// want works out in Go whether f selects the startup s at d.
func want(f *portfolio.StartupFilter, s *portfolio.Startup, d portfolio.Date) bool {
	if f == nil {
		return true
	}
	for _, g := range f.And {
		if !want(g, s, d) {
			return false
		}
	}
	if f.Or != nil && !slices.ContainsFunc(f.Or, func(g *portfolio.StartupFilter) bool { return want(g, s, d) }) {
		return false
	}
	if f.Not != nil && want(f.Not, s, d) {
		return false
	}
	anyIn := func(values, list []string) bool {
		return slices.ContainsFunc(values, func(v string) bool { return slices.Contains(list, v) })
	}
	if f.Slugs != nil && !slices.Contains(f.Slugs, s.Slug) {
		return false
	}
	if f.Incubators != nil && (s.IncubatorSlug == "" || !slices.Contains(f.Incubators, s.IncubatorSlug)) {
		return false
	}
	if f.Sponsors != nil && !anyIn(s.Sponsors, f.Sponsors) {
		return false
	}
	phase := phaseAt(s, d)
	if f.Phases != nil && (phase == "" || !slices.Contains(f.Phases, phase)) {
		return false
	}
	if f.Active != nil && *f.Active != phase.Active() {
		return false
	}
	if f.Thematiques != nil && !anyIn(s.Thematiques, f.Thematiques) ||
		f.Usertypes != nil && !anyIn(s.Usertypes, f.Usertypes) ||
		f.Techno != nil && !anyIn(s.Techno, f.Techno) {
		return false
	}
	if f.Search != nil {
		text := portfolio.Fold(s.Name + " " + s.Pitch)
		for _, w := range strings.FieldsFunc(portfolio.Fold(*f.Search), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
			if i := strings.IndexByte(w, 0); likeStopsAtNUL && i >= 0 {
				if !strings.HasSuffix(text, w[:i]) {
					return false
				}
			} else if !strings.Contains(text, w) {
				return false
			}
		}
	}
	if f.CommitteeOverdue != nil && *f.CommitteeOverdue != overdueAt(s, d) {
		return false
	}
	// A startup out of incubation has no review status (null): it
	// matches no value, "" included.
	if st := reviewStatusAt(s, d); f.ReviewStatus != nil && (st == "" || !slices.Contains(f.ReviewStatus, st)) {
		return false
	}
	// The network has no members: a startup in incubation has no
	// intrapreneur.
	if f.WithoutIntrapreneur != nil && *f.WithoutIntrapreneur != phase.Active() {
		return false
	}
	return true
}

// reviewStatusAt is where s, in incubation at d, stands with its
// committees: none held by d, NONE_RECORDED; else due 183 days after the
// last (the network records no due dates), OVERDUE before d, DUE_SOON up
// to 60 days after it, UP_TO_DATE later; "" (a status no filter names)
// out of incubation.
func reviewStatusAt(s *portfolio.Startup, d portfolio.Date) portfolio.ReviewStatus {
	if !phaseAt(s, d).Active() {
		return ""
	}
	var last portfolio.Date
	for _, c := range s.Committees {
		if c.Date <= d && c.Date > last {
			last = c.Date
		}
	}
	switch due := last.AddDays(183); {
	case last.IsZero():
		return "NONE_RECORDED"
	case due < d:
		return "OVERDUE"
	case due <= d.AddDays(60):
		return "DUE_SOON"
	}
	return "UP_TO_DATE"
}

// phaseAt is the phase of s at d: the last one started by then (a tie on
// the start goes to the later one in the record); "" before the first.
func phaseAt(s *portfolio.Startup, d portfolio.Date) portfolio.Phase {
	var p portfolio.Phase
	var start portfolio.Date
	for _, pp := range s.Phases {
		if !pp.Start.IsZero() && pp.Start <= d && pp.Start >= start {
			p, start = pp.Phase, pp.Start
		}
	}
	return p
}

// overdueAt says whether s, active at d, has gone more than
// OverdueAfterDays without a committee (or, before its first, since its
// first phase began).
func overdueAt(s *portfolio.Startup, d portfolio.Date) bool {
	if !phaseAt(s, d).Active() {
		return false
	}
	var since portfolio.Date
	for _, c := range s.Committees {
		if c.Date <= d && c.Date > since {
			since = c.Date
		}
	}
	if since.IsZero() {
		for _, pp := range s.Phases {
			if !pp.Start.IsZero() && (since.IsZero() || pp.Start < since) {
				since = pp.Start
			}
		}
	}
	return !since.IsZero() && d.DaysSince(since) > portfolio.OverdueAfterDays
}

// FuzzStartupFilter compiles filters built from fuzz bytes and strings and
// runs them on a small network: the filter compiler must bind every value
// as a parameter, refuse only filters nested too deep (BAD_USER_INPUT), and
// select exactly the startups a plain Go evaluation selects; f and not f
// split the startups in two.
func FuzzStartupFilter(f *testing.F) {
	ctx := context.Background()
	db := MustOpenDB(f)
	if _, err := db.Load(ctx, sqlite.LoadOptions{Fresh: true}, func(s portfolio.Sink) error {
		var errs []error
		for i := range fuzzOrgs {
			errs = append(errs, s.PutOrganisation(ctx, &fuzzOrgs[i]))
		}
		for i := range fuzzIncubators {
			errs = append(errs, s.PutIncubator(ctx, &fuzzIncubators[i]))
		}
		for i := range fuzzStartups {
			errs = append(errs, s.PutStartup(ctx, &fuzzStartups[i]))
		}
		return errors.Join(errs...)
	}); err != nil {
		f.Fatal(err)
	}
	var all []string
	for _, s := range fuzzStartups {
		all = append(all, s.Slug)
	}
	slices.Sort(all)

	// Seeds: shape bytes (see filterGen.filter: two flag bytes, then
	// lengths and choices; items 0, 1, 2 are the strings a, b, c), the
	// strings, and the date's index.
	for _, seed := range []struct {
		shape   string
		a, b, c string
		day     uint8
	}{
		{"", "", "", "", 0},
		{"\x08\x00\x03\x00\x01\x02", "arrosoir", "binette", "x", 6},  // slugs
		{"\x10\x00\x02\x00\x01", "serre", "o'neil_100%", "", 4},      // incubators
		{"\x20\x00\x01\x00", "o'rg_%", "", "", 4},                    // sponsors
		{"\x00\x08\x00", "ARRO", "", "", 3},                          // search
		{"\x00\x18\x00\x01", "arro", "heure", "", 3},                 // search, two words
		{"\x00\x08\x00", "50 %", "", "", 3},                          // LIKE wildcards are literal
		{"\x00\x08\x00", "mots_cles", "", "", 3},                     //
		{"\x00\x08\x00", "ete « chaud", "", "", 3},                   // folded accents
		{"\x00\x08\x00", "heure\x00zz", "", "", 3},                   // NUL in a search (see likeStopsAtNUL)
		{"\x00\x02\x01\x00", "%", "", "", 0},                         // usertypes
		{"\x00\x05\x01\x00\x02\x01\x02", "Eau", `\`, "go", 0},        // thematiques, techno
		{"\x04\x00\x00\x08\x00", "' OR 1=1 --", "%", "_", 7},         // not, search
		{"\x08\x00\x02\x00\x01", "\xff\xfe\\%_'\"", "a\x00b", "", 0}, // invalid UTF-8, NUL
		{"\x03\x00\x02\x00\xc0\x00\x02\x01\x02\x01\x00\x00\x20\x01" + // and: [{phases, active}, {committeeOverdue}]
			"\x02\x00\x08\x00\x01\x00\x00\x10\x00\x01\x02", "arrosoir", "", "serre", 7}, // or: [{slugs}, {incubators}]
		{"\x00\x20\x01", "", "", "", 2},                         // committeeOverdue
		{"\x00\x40\x02\x00\x01", "", "", "", 8},                 // reviewStatus: [OVERDUE, NONE_RECORDED]
		{"\x00\x40\x02\x02\xff", "UP_TO_DATE", "", "", 7},       // reviewStatus: [DUE_SOON, a string]
		{"\x00\x80\x01", "", "", "", 6},                         // withoutIntrapreneur: true
		{"\x04\x00\x00\xc0\x01\x03\x00", "", "", "", 9},         // not: {reviewStatus: [UP_TO_DATE], withoutIntrapreneur: false}
		{"\x40\x00\x03\x03\x04\x40\x01", "", "", "", 7},         // phases, one of them not a phase
		{strings.Repeat("\x04\x00", 14), "", "", "", 0},         // not, 14 deep: refused
		{strings.Repeat("\x04\x00", 12), "", "", "", 0},         // not, 12 deep: the limit
		{strings.Repeat("\x01\x00\x01\x00", 13), "", "", "", 0}, // and, 13 deep: refused
		{"\x01\x00\x03\x07\x00\x00\x00\x07", "", "", "", 0},     // and: [null, {}, null]
	} {
		f.Add([]byte(seed.shape), seed.a, seed.b, seed.c, seed.day)
	}

	f.Fuzz(func(t *testing.T, shape []byte, a, b, c string, day uint8) {
		g := &filterGen{data: shape, strs: append([]string{a, b, c}, fuzzPool...)}
		filter := g.filter(0)
		d := fuzzDates[int(day)%len(fuzzDates)]
		depth := depthOf(filter)

		sqlText, args, err := sqlite.CompileStartupFilter(filter, d)
		if depth > 12 {
			var pe *portfolio.Error
			if !errors.As(err, &pe) || pe.Code != portfolio.EInvalid || pe.Field != "filter" {
				t.Fatalf("a filter %d deep: error %v, want BAD_USER_INPUT on filter", depth, err)
			}
			if _, err := db.StartupCount(ctx, filter, d); portfolio.ErrorCode(err) != portfolio.EInvalid {
				t.Fatalf("StartupCount of a filter %d deep: %v, want BAD_USER_INPUT", depth, err)
			}
			return
		}
		if err != nil && searchPastBounds(filter) {
			var pe *portfolio.Error
			if !errors.As(err, &pe) || pe.Code != portfolio.EInvalid || pe.Field != "search" {
				t.Fatalf("a search past its bounds: error %v, want BAD_USER_INPUT on search", err)
			}
			return
		}
		if err != nil {
			t.Fatalf("compile (depth %d): %v", depth, err)
		}

		// Values are bound, never written into the SQL: the text is the same
		// whatever the strings, and none of them shows in it.
		neutralSQL, _, err := sqlite.CompileStartupFilter(neutral(filter), d)
		if err != nil {
			t.Fatalf("compile the neutral filter: %v", err)
		}
		if sqlText != neutralSQL {
			t.Fatalf("the SQL depends on the values:\n%s\nwith neutral values:\n%s", sqlText, neutralSQL)
		}
		for _, s := range strs(filter) {
			if len(s) > 3 && strings.Contains(sqlText, s) && !strings.Contains(neutralSQL, s) {
				t.Fatalf("value %q is in the SQL:\n%s", s, sqlText)
			}
		}
		for i, arg := range args {
			switch arg.(type) {
			case string, int, int64:
			default:
				t.Fatalf("argument %d is a %T", i+1, arg)
			}
		}

		got, err := db.StartupSlugsMatching(ctx, filter, d)
		if err != nil {
			t.Fatalf("query: %v\n%s", err, sqlText)
		}
		var wantSlugs []string
		for i := range fuzzStartups {
			if want(filter, &fuzzStartups[i], d) {
				wantSlugs = append(wantSlugs, fuzzStartups[i].Slug)
			}
		}
		slices.Sort(wantSlugs)
		if !slices.Equal(got, wantSlugs) {
			t.Fatalf("at %s the filter selects %q, want %q\nfilter: %s\nSQL: %s\nargs: %q", d, got, wantSlugs, describeFilter(filter), sqlText, args)
		}
		if n, err := db.StartupCount(ctx, filter, d); err != nil || n != len(got) {
			t.Fatalf("StartupCount = %d, %v; want %d", n, err, len(got))
		}
		// The API's statements select the same startups, the conditions at
		// a date evaluated in memory.
		if sel, err := db.StartupSlugsSelected(ctx, filter, d); err != nil || !slices.Equal(sel, got) {
			t.Fatalf("selected in memory: %q, %v; in SQL %q\nfilter: %s", sel, err, got, describeFilter(filter))
		}

		// f and not f split the startups in two.
		if depth < 12 {
			rest, err := db.StartupSlugsMatching(ctx, &portfolio.StartupFilter{Not: filter}, d)
			if err != nil {
				t.Fatalf("not: %v", err)
			}
			union := slices.Concat(got, rest)
			slices.Sort(union)
			if !slices.Equal(union, all) {
				t.Fatalf("f selects %q and not f %q: not a partition of %q\nfilter: %s", got, rest, all, describeFilter(filter))
			}
		}

		// A timeline evaluates the same filter at a column of dates.
		points, err := db.Timeline(ctx, filter, []portfolio.Date{d, fuzzDates[0]}, true)
		if err != nil {
			t.Fatalf("timeline: %v", err)
		}
		inPhase := 0
		for i := range fuzzStartups {
			if slices.Contains(got, fuzzStartups[i].Slug) && phaseAt(&fuzzStartups[i], d) != "" {
				inPhase++
			}
		}
		n := 0
		for _, c := range points[0].ByPhase {
			n += c.Count
		}
		if n != inPhase {
			t.Fatalf("timeline at %s counts %d startups with a phase, want %d\nfilter: %s", d, n, inPhase, describeFilter(filter))
		}
	})
}

// searchPastBounds reports whether a search of f, anywhere in it, has more
// words (20) or a longer word (100 bytes) than a filter may ask for: the
// compiler refuses it (the generator joins two strings, which may pass the
// bound together).
func searchPastBounds(f *portfolio.StartupFilter) bool {
	if f == nil {
		return false
	}
	if f.Search != nil {
		words := strings.FieldsFunc(portfolio.Fold(*f.Search), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
		if len(words) > 20 {
			return true
		}
		for _, w := range words {
			if len(w) > 100 {
				return true
			}
		}
	}
	for _, g := range slices.Concat(f.And, f.Or, []*portfolio.StartupFilter{f.Not}) {
		if searchPastBounds(g) {
			return true
		}
	}
	return false
}

// describeFilter prints a filter for failure messages.
func describeFilter(f *portfolio.StartupFilter) string {
	if f == nil {
		return "null"
	}
	var parts []string
	sub := func(name string, l []*portfolio.StartupFilter) {
		if l != nil {
			var s []string
			for _, g := range l {
				s = append(s, describeFilter(g))
			}
			parts = append(parts, name+": ["+strings.Join(s, ", ")+"]")
		}
	}
	sub("and", f.And)
	sub("or", f.Or)
	if f.Not != nil {
		parts = append(parts, "not: "+describeFilter(f.Not))
	}
	for _, l := range []struct {
		name string
		v    []string
	}{{"slugs", f.Slugs}, {"incubators", f.Incubators}, {"sponsors", f.Sponsors}, {"thematiques", f.Thematiques}, {"usertypes", f.Usertypes}, {"techno", f.Techno}} {
		if l.v != nil {
			parts = append(parts, fmt.Sprintf("%s: %q", l.name, l.v))
		}
	}
	if f.Phases != nil {
		parts = append(parts, fmt.Sprintf("phases: %q", f.Phases))
	}
	if f.Active != nil {
		parts = append(parts, fmt.Sprintf("active: %v", *f.Active))
	}
	if f.Search != nil {
		parts = append(parts, fmt.Sprintf("search: %q", *f.Search))
	}
	if f.CommitteeOverdue != nil {
		parts = append(parts, fmt.Sprintf("committeeOverdue: %v", *f.CommitteeOverdue))
	}
	if f.ReviewStatus != nil {
		parts = append(parts, fmt.Sprintf("reviewStatus: %q", f.ReviewStatus))
	}
	if f.WithoutIntrapreneur != nil {
		parts = append(parts, fmt.Sprintf("withoutIntrapreneur: %v", *f.WithoutIntrapreneur))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
