package graph_test

// The oracle: a second, independent reading of a beta.gouv.fr snapshot and of
// the rules of DESIGN.md ("Semantics: the rules every answer follows"),
// written straight from the markdown files. It deliberately uses neither
// internal/betagouv nor the rule functions of internal/portfolio, which are
// what the real-data tests check.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/goccy/go-yaml"
)

// day is a calendar date as a number of days since 1970-01-01.
type day int

func parseDay(s string) (day, error) {
	s = strings.TrimSpace(s)
	if len(s) > 10 { // a timestamp: keep its date part
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			s = t.Format(time.DateOnly)
		}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a date", s)
	}
	return day(t.Unix() / 86400), nil
}

func mustDay(s string) day {
	d, err := parseDay(s)
	if err != nil {
		panic(err)
	}
	return d
}

func (d day) String() string {
	return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly)
}

// addMonths returns the same day of the month n months later (d must be a
// first of the month or a day that exists in every month).
func (d day) addMonths(n int) day {
	t := time.Unix(int64(d)*86400, 0).UTC()
	return day(t.AddDate(0, n, 0).Unix() / 86400)
}

// phaseEnum maps the beta.gouv.fr phase slugs to the GraphQL enum.
var phaseEnum = map[string]string{
	"investigation":         "INVESTIGATION",
	"construction":          "CONSTRUCTION",
	"acceleration":          "ACCELERATION",
	"consolidation":         "CONSOLIDATION",
	"transfere":             "TRANSFERRED",
	"opere":                 "OPERATED",
	"abandon":               "ABANDONED",
	"abandon-investigation": "INVESTIGATION_ABANDONED",
}

var activePhase = map[string]bool{"INVESTIGATION": true, "CONSTRUCTION": true, "ACCELERATION": true, "CONSOLIDATION": true}

// phaseOf maps a record's phase name onto the enum, with the older
// vocabulary as issue 23 states it (alumni after investigations only, or
// nothing: INVESTIGATION_ABANDONED; any other alumni: ABANDONED; success:
// TRANSFERRED; transfer, and perennisation, today's consolidation under
// another name: CONSOLIDATION — transfer as the network's rewrite of May
// 2026 mapped it) and UNKNOWN for any other name, or none. before are the
// enums of the phases listed before it.
func phaseOf(name string, before []string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if e, ok := phaseEnum[name]; ok {
		return e
	}
	switch name {
	case "alumni":
		for _, b := range before {
			if b != "INVESTIGATION" {
				return "ABANDONED"
			}
		}
		return "INVESTIGATION_ABANDONED"
	case "success":
		return "TRANSFERRED"
	case "transfer", "perennisation":
		return "CONSOLIDATION"
	}
	return "UNKNOWN"
}

// domainEnum maps the `domaine` labels to the GraphQL enum; anything else
// (or nothing) is OTHER.
var domainEnum = map[string]string{
	"Développement":  "DEVELOPMENT",
	"Design":         "DESIGN",
	"Coaching":       "COACHING",
	"Produit":        "PRODUCT",
	"Déploiement":    "DEPLOYMENT",
	"Data":           "DATA",
	"Intraprenariat": "INTRAPRENEURSHIP",
	"Animation":      "ANIMATION",
	"Support":        "SUPPORT",
	"Autre":          "OTHER",
	"Attributaire":   "ATTRIBUTAIRE",
}

// statusEnum maps mission statuses to the GraphQL enum ("" is null).
var statusEnum = map[string]string{"admin": "ADMIN", "independent": "INDEPENDENT", "service": "SERVICE"}

type oPhase struct {
	phase    string // enum
	word     string // the name the record wrote, trimmed
	start    day
	hasStart bool
}

// oEvent is a dated event of a record.
type oEvent struct {
	name    string
	date    day
	comment string
}

type oStartup struct {
	slug, name, pitch string
	incubator         string
	sponsors          []string
	phases            []oPhase // in the record's order
	events            []oEvent // those with a date, in the record's order
	committees        []day
	themes            []string
	// intrapreneurMissions are the missions naming the startup of the
	// members whose domaine is « Intraprenariat ».
	intrapreneurMissions []*oMission
}

type oMission struct {
	start, end day
	hasEnd     bool
	status     string // enum, "" when none
	startups   []string
}

type oMember struct {
	slug     string
	domain   string     // enum
	missions []oMission // in the record's order
}

// oracle is the snapshot as the test reads it.
type oracle struct {
	startups    []*oStartup // by slug
	bySlug      map[string]*oStartup
	members     []*oMember
	incubators  []string
	missions    int
	committees  int
	missionsFor map[string][]missionRef // startup slug → missions naming it
}

type missionRef struct {
	member *oMember
	index  int // in member.missions
}

func (r missionRef) m() *oMission { return &r.member.missions[r.index] }

// errNoFrontMatter: a file that is not a record (older archives hold a
// few), which the import skips too.
var errNoFrontMatter = errors.New("no front matter")

// frontMatter splits a record into its YAML front matter.
func frontMatter(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	if !bytes.HasPrefix(b, []byte("---\n")) {
		return nil, fmt.Errorf("%s: %w", path, errNoFrontMatter)
	}
	rest := b[4:]
	end := bytes.Index(rest, []byte("\n---"))
	if end < 0 {
		return nil, fmt.Errorf("%s: front matter not closed", path)
	}
	return rest[:end+1], nil
}

// records lists the *.md records of a content folder, slug → path.
func records(dir string) (map[string]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		out[strings.TrimSuffix(e.Name(), ".md")] = filepath.Join(dir, e.Name())
	}
	return out, nil
}

// lastSegment turns a reference ("/organisations/x", "x", "x.md") into a slug.
func lastSegment(ref string) string {
	ref = strings.TrimSpace(ref)
	ref = strings.TrimSuffix(ref, "/")
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		ref = ref[i+1:]
	}
	return strings.TrimSuffix(ref, ".md")
}

type yStartup struct {
	Title     string `yaml:"title"`
	Mission   string `yaml:"mission"`
	Incubator string `yaml:"incubator"`
	Sponsors  []any  `yaml:"sponsors"` // paths; older records also give objects, left out here
	// Phases and Events are read item by item: older records write a
	// phase as a bare name, or split an event in two items.
	Phases      []any    `yaml:"phases"`
	Events      []any    `yaml:"events"`
	Thematiques []string `yaml:"thematiques"`
}

type yMember struct {
	Domaine  string `yaml:"domaine"`
	Missions []struct {
		Start    string   `yaml:"start"`
		End      string   `yaml:"end"`
		Status   string   `yaml:"status"`
		Startups []string `yaml:"startups"`
	} `yaml:"missions"`
}

// field returns the text of a field of a YAML mapping ("" when absent or
// not a mapping).
func field(item any, key string) string {
	m, ok := item.(map[string]any)
	if !ok || m[key] == nil {
		return ""
	}
	switch v := m[key].(type) {
	case time.Time:
		return v.Format(time.DateOnly)
	default:
		return strings.TrimSpace(fmt.Sprint(v))
	}
}

// readEvents reads a record's events: an item with a name and no date
// followed by one with a date and no name is one event (older records),
// an event without a name is "other", one without a date is left out. A
// committee's date that does not read is an error (the snapshots have
// none).
func (s *oStartup) readEvents(items []any) error {
	for i := 0; i < len(items); i++ {
		name, date, comment := field(items[i], "name"), field(items[i], "date"), field(items[i], "comment")
		if name != "" && date == "" && i+1 < len(items) && field(items[i+1], "name") == "" && field(items[i+1], "date") != "" &&
			(comment == "" || field(items[i+1], "comment") == "") {
			i++
			date = field(items[i], "date")
			if comment == "" {
				comment = field(items[i], "comment")
			}
		}
		if date == "" {
			continue
		}
		d, err := parseDay(date)
		if err != nil {
			if name == "committee" {
				return fmt.Errorf("committee: %w", err)
			}
			continue
		}
		if name == "" {
			name = "other"
		}
		s.events = append(s.events, oEvent{name: name, date: d, comment: comment})
	}
	return nil
}

// readPhases reads a record's phases, every item one (a bare text is a
// name): a phase without a start takes the previous one's end; failing
// that, the last one, when it is out of incubation (and not UNKNOWN),
// takes the date of the last "end" event if no phase before starts later.
func (s *oStartup) readPhases(items []any) {
	var end day
	hasEnd := false
	for _, e := range s.events {
		if e.name == "end" && (!hasEnd || e.date > end) {
			end, hasEnd = e.date, true
		}
	}
	var before []string
	for k, it := range items {
		if it == nil {
			continue
		}
		name := field(it, "name")
		if t, ok := it.(string); ok {
			name = strings.TrimSpace(t)
		}
		ph := oPhase{phase: phaseOf(name, before), word: name}
		before = append(before, ph.phase)
		if st, err := parseDay(field(it, "start")); err == nil {
			ph.start, ph.hasStart = st, true
		} else if n := len(s.phases); n > 0 && field(items[k-1], "end") != "" {
			if pe, err := parseDay(field(items[k-1], "end")); err == nil {
				ph.start, ph.hasStart = pe, true
			}
		}
		if !ph.hasStart && k == len(items)-1 && hasEnd && !activePhase[ph.phase] && ph.phase != "UNKNOWN" {
			later := false
			for _, p := range s.phases {
				later = later || (p.hasStart && p.start > end)
			}
			if !later {
				ph.start, ph.hasStart = end, true
			}
		}
		s.phases = append(s.phases, ph)
	}
}

// readOracle reads the content folder dir.
func readOracle(dir string) (*oracle, error) {
	o := &oracle{bySlug: map[string]*oStartup{}, missionsFor: map[string][]missionRef{}}

	incs, err := records(filepath.Join(dir, "_incubators"))
	if err != nil {
		return nil, err
	}
	for slug := range incs {
		o.incubators = append(o.incubators, slug)
	}
	sort.Strings(o.incubators)

	sts, err := records(filepath.Join(dir, "_startups"))
	if err != nil {
		return nil, err
	}
	for slug, path := range sts {
		fm, err := frontMatter(path)
		if errors.Is(err, errNoFrontMatter) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var y yStartup
		if err := yaml.UnmarshalWithOptions(fm, &y, yaml.AllowDuplicateMapKey()); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s := &oStartup{slug: slug, name: y.Title, pitch: y.Mission, incubator: lastSegment(y.Incubator)}
		seen := map[string]bool{}
		for _, v := range y.Sponsors {
			sp, ok := v.(string)
			if !ok {
				continue
			}
			if sp = lastSegment(sp); !seen[sp] {
				seen[sp] = true
				s.sponsors = append(s.sponsors, sp)
			}
		}
		if err := s.readEvents(y.Events); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s.readPhases(y.Phases)
		for _, ev := range s.events {
			if ev.name == "committee" {
				s.committees = append(s.committees, ev.date)
				o.committees++
			}
		}
		seen = map[string]bool{}
		for _, th := range y.Thematiques {
			// Labels are compared trimmed: one record quotes
			// 'développement durable ' with a trailing space.
			th = strings.TrimSpace(th)
			if th != "" && !seen[th] {
				seen[th] = true
				s.themes = append(s.themes, th)
			}
		}
		o.startups = append(o.startups, s)
		o.bySlug[slug] = s
	}
	sort.Slice(o.startups, func(i, j int) bool { return o.startups[i].slug < o.startups[j].slug })
	// A reference to an incubator without a record names none (the 2021
	// archive writes "ANSSI" for one).
	for _, s := range o.startups {
		if _, ok := incs[s.incubator]; !ok {
			s.incubator = ""
		}
	}

	ms, err := records(filepath.Join(dir, "_authors"))
	if err != nil {
		return nil, err
	}
	for slug, path := range ms {
		fm, err := frontMatter(path)
		if errors.Is(err, errNoFrontMatter) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var y yMember
		if err := yaml.UnmarshalWithOptions(fm, &y, yaml.AllowDuplicateMapKey()); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		m := &oMember{slug: slug, domain: "OTHER"}
		if e, ok := domainEnum[strings.TrimSpace(y.Domaine)]; ok {
			m.domain = e
		}
		for _, ym := range y.Missions {
			var mi oMission
			if mi.start, err = parseDay(ym.Start); err != nil {
				return nil, fmt.Errorf("%s: mission start: %w", path, err)
			}
			if ym.End != "" {
				if mi.end, err = parseDay(ym.End); err != nil {
					return nil, fmt.Errorf("%s: mission end: %w", path, err)
				}
				mi.hasEnd = true
			}
			if ym.Status != "" {
				e, ok := statusEnum[ym.Status]
				if !ok {
					return nil, fmt.Errorf("%s: unknown status %q", path, ym.Status)
				}
				mi.status = e
			}
			for _, st := range ym.Startups {
				mi.startups = append(mi.startups, lastSegment(st))
			}
			m.missions = append(m.missions, mi)
		}
		o.missions += len(m.missions)
		o.members = append(o.members, m)
	}
	sort.Slice(o.members, func(i, j int) bool { return o.members[i].slug < o.members[j].slug })
	for _, m := range o.members {
		for i, mi := range m.missions {
			named := map[string]bool{}
			for _, st := range mi.startups {
				if !named[st] {
					named[st] = true
					o.missionsFor[st] = append(o.missionsFor[st], missionRef{m, i})
					if s := o.bySlug[st]; s != nil && m.domain == "INTRAPRENEURSHIP" {
						s.intrapreneurMissions = append(s.intrapreneurMissions, &m.missions[i])
					}
				}
			}
		}
	}
	return o, nil
}

// ---------------------------------------------------------------- rules

// phaseIndexAt is the phase at d: among the phases started on or before d,
// the latest to start, a tie going to the one listed later; -1 for none.
func (s *oStartup) phaseIndexAt(d day) int {
	best := -1
	for i, p := range s.phases {
		if !p.hasStart || p.start > d {
			continue
		}
		if best == -1 || p.start >= s.phases[best].start {
			best = i
		}
	}
	return best
}

// phaseAt is the enum of the phase at d, "" for none.
func (s *oStartup) phaseAt(d day) string {
	if i := s.phaseIndexAt(d); i >= 0 {
		return s.phases[i].phase
	}
	return ""
}

func (s *oStartup) activeAt(d day) bool { return activePhase[s.phaseAt(d)] }

// lastCommitteeAt is the last committee on or before d.
func (s *oStartup) lastCommitteeAt(d day) (day, bool) {
	var last day
	found := false
	for _, c := range s.committees {
		if c <= d && (!found || c > last) {
			last, found = c, true
		}
	}
	return last, found
}

// overdueAt: active at d, and the last committee by d (or, with none, the
// earliest phase start) is more than 183 days before d.
func (s *oStartup) overdueAt(d day) bool {
	if !s.activeAt(d) {
		return false
	}
	ref, ok := s.lastCommitteeAt(d)
	if !ok {
		for _, p := range s.phases {
			if p.hasStart && (!ok || p.start < ref) {
				ref, ok = p.start, true
			}
		}
	}
	return ok && int(d-ref) > 183
}

// reviewStatusAt is where the startup stands with its committees at d
// (DESIGN.md, "Review status at D"), "" when not in incubation: with no
// committee on or before d, NONE_RECORDED; else its next one is due 183
// days after the last (the records carry no recorded due dates), and it is
// OVERDUE before d, DUE_SOON up to 60 days after d, UP_TO_DATE later.
func (s *oStartup) reviewStatusAt(d day) string {
	if !s.activeAt(d) {
		return ""
	}
	last, ok := s.lastCommitteeAt(d)
	if !ok {
		return "NONE_RECORDED"
	}
	switch due := last + 183; {
	case due < d:
		return "OVERDUE"
	case due <= d+60:
		return "DUE_SOON"
	}
	return "UP_TO_DATE"
}

// withoutIntrapreneurAt: in incubation at d, and no mission of an
// « Intraprenariat » member naming the startup covers d.
func (s *oStartup) withoutIntrapreneurAt(d day) bool {
	if !s.activeAt(d) {
		return false
	}
	for _, m := range s.intrapreneurMissions {
		if m.covers(d) {
			return false
		}
	}
	return true
}

// intrapreneurAt: an « Intraprenariat » member has a mission naming the
// startup that covers d (DESIGN.md, "Intrapreneur at D").
func (s *oStartup) intrapreneurAt(d day) bool {
	for _, m := range s.intrapreneurMissions {
		if m.covers(d) {
			return true
		}
	}
	return false
}

// oAgendaEntry is an entry of the committee agenda as the second reading
// sees it: the startup, the day its next committee falls due, and whether
// an intrapreneur is on its team on the day the committee can be held
// (that day, or the window's first day for one already late).
type oAgendaEntry struct {
	slug         string
	date         day
	intrapreneur bool
}

// agenda is the committee agenda of the window from–to: the records hold
// only committees that took place, so nothing is planned and every entry
// is a committee due. A startup in incubation on from with a committee by
// then is due 183 days after its last one (the records carry no recorded
// due date); it is listed when that is on or before to, late ones
// included. Those with no committee on record have no due date.
func (o *oracle) agenda(from, to day) []oAgendaEntry {
	var out []oAgendaEntry
	for _, s := range o.startups {
		if !s.activeAt(from) {
			continue
		}
		last, ok := s.lastCommitteeAt(from)
		if !ok || last+183 > to {
			continue
		}
		e := oAgendaEntry{slug: s.slug, date: last + 183}
		e.intrapreneur = s.intrapreneurAt(max(e.date, from))
		out = append(out, e)
	}
	return out
}

// covers: the mission started on or before d and has no end or ends on or
// after d.
func (m *oMission) covers(d day) bool { return m.start <= d && (!m.hasEnd || m.end >= d) }

// teamAt is the set of members on the startup's team at d.
func (o *oracle) teamAt(slug string, d day) map[string]bool {
	team := map[string]bool{}
	for _, r := range o.missionsFor[slug] {
		if r.m().covers(d) {
			team[r.member.slug] = true
		}
	}
	return team
}

// periodDurations returns, for each phase period of s that started on or
// before d, its phase and its time in phase capped at d: from its start to
// the start of the period that follows it in time (periods ordered by start,
// ties in the record's order), or to d when that one starts after d or there
// is none.
func (s *oStartup) periodDurations(d day) (phases []string, days []int) {
	idx := []int{}
	for i, p := range s.phases {
		if p.hasStart {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.phases[idx[a]].start < s.phases[idx[b]].start })
	for k, i := range idx {
		p := s.phases[i]
		if p.start > d {
			continue
		}
		end := d
		if k+1 < len(idx) && s.phases[idx[k+1]].start < d {
			end = s.phases[idx[k+1]].start
		}
		phases = append(phases, p.phase)
		days = append(days, int(end-p.start))
	}
	return phases, days
}

// ---------------------------------------------------------------- filters

// sf is a StartupFilter, both sent to the API and evaluated here.
type sf struct {
	And, Or             []sf
	Not                 *sf
	Slugs               []string
	Incubators          []string
	Sponsors            []string
	Phases              []string
	Thematiques         []string
	Active              *bool
	CommitteeOverdue    *bool
	Search              *string
	ReviewStatus        []string
	WithoutIntrapreneur *bool
}

func ptr[T any](v T) *T { return &v }

// gql is the filter as a GraphQL variable.
func (f sf) gql() map[string]any {
	m := map[string]any{}
	list := func(key string, v []string) {
		if v != nil {
			m[key] = v
		}
	}
	if f.And != nil {
		var l []any
		for _, g := range f.And {
			l = append(l, g.gql())
		}
		m["and"] = l
	}
	if f.Or != nil {
		var l []any
		for _, g := range f.Or {
			l = append(l, g.gql())
		}
		m["or"] = l
	}
	if f.Not != nil {
		m["not"] = f.Not.gql()
	}
	list("slugs", f.Slugs)
	list("incubators", f.Incubators)
	list("sponsors", f.Sponsors)
	list("phases", f.Phases)
	list("thematiques", f.Thematiques)
	if f.Active != nil {
		m["active"] = *f.Active
	}
	if f.CommitteeOverdue != nil {
		m["committeeOverdue"] = *f.CommitteeOverdue
	}
	if f.Search != nil {
		m["search"] = *f.Search
	}
	list("reviewStatus", f.ReviewStatus)
	if f.WithoutIntrapreneur != nil {
		m["withoutIntrapreneur"] = *f.WithoutIntrapreneur
	}
	return m
}

func anyIn(values, want []string) bool {
	for _, v := range values {
		if slices.Contains(want, v) {
			return true
		}
	}
	return false
}

// match evaluates the filter on s at d.
func (f sf) match(s *oStartup, d day) bool {
	for _, g := range f.And {
		if !g.match(s, d) {
			return false
		}
	}
	if f.Or != nil {
		ok := false
		for _, g := range f.Or {
			ok = ok || g.match(s, d)
		}
		if !ok {
			return false
		}
	}
	if f.Not != nil && f.Not.match(s, d) {
		return false
	}
	if f.Slugs != nil && !slices.Contains(f.Slugs, s.slug) {
		return false
	}
	if f.Incubators != nil && !slices.Contains(f.Incubators, s.incubator) {
		return false
	}
	if f.Sponsors != nil && !anyIn(s.sponsors, f.Sponsors) {
		return false
	}
	if f.Phases != nil && !slices.Contains(f.Phases, s.phaseAt(d)) {
		return false
	}
	if f.Thematiques != nil && !anyIn(s.themes, f.Thematiques) {
		return false
	}
	if f.Active != nil && s.activeAt(d) != *f.Active {
		return false
	}
	if f.CommitteeOverdue != nil && s.overdueAt(d) != *f.CommitteeOverdue {
		return false
	}
	if f.ReviewStatus != nil && !slices.Contains(f.ReviewStatus, s.reviewStatusAt(d)) {
		return false
	}
	if f.WithoutIntrapreneur != nil && s.withoutIntrapreneurAt(d) != *f.WithoutIntrapreneur {
		return false
	}
	if f.Search != nil {
		name, pitch := fold(s.name), fold(s.pitch)
		for _, w := range strings.Fields(fold(*f.Search)) {
			if !strings.Contains(name, w) && !strings.Contains(pitch, w) {
				return false
			}
		}
	}
	return true
}

// String writes the filter as JSON, for messages and subtest names.
func (f sf) String() string {
	b, err := json.Marshal(f.gql())
	if err != nil {
		return fmt.Sprint(f.gql())
	}
	return string(b)
}

// fold lowers case and strips the accents of French (and its neighbours),
// with its own table.
func fold(s string) string {
	const from = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ"
	const to = "aaaaaaceeeeiiiinooooouuuuyy"
	tbl := map[rune]rune{}
	fr, tr := []rune(from), []rune(to)
	for i := range fr {
		tbl[fr[i]] = tr[i]
	}
	var b strings.Builder
	for _, r := range s {
		if unicode.Is(unicode.Mn, r) { // combining accent
			continue
		}
		r = unicode.ToLower(r)
		switch r {
		case 'œ':
			b.WriteString("oe")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		case '’', '‘', 'ʼ':
			r = '\''
		}
		if t, ok := tbl[r]; ok {
			r = t
		}
		b.WriteRune(r)
	}
	return b.String()
}

// matching returns the startups the filter selects at d.
func (o *oracle) matching(f sf, d day) []*oStartup {
	var out []*oStartup
	for _, s := range o.startups {
		if f.match(s, d) {
			out = append(out, s)
		}
	}
	return out
}

// ---------------------------------------------------------------- aggregates

type durationFig struct {
	Startups int
	Median   float64
	Mean     float64
}

// figures are the Portfolio numbers the tests compare.
type figures struct {
	StartupCount          int
	ByPhase               map[string]int
	ByIncubator           map[string]int
	BySponsor             map[string]int
	ByThematique          map[string]int
	ActiveMemberCount     int
	MembersByDomain       map[string]int
	MembersByStatus       map[string]int // "" is null
	CommitteeOverdueCount int
	// ReviewStatuses counts the startups in incubation by review status;
	// WithoutIntrapreneurCount those in incubation without an intrapreneur.
	ReviewStatuses           map[string]int
	WithoutIntrapreneurCount int
	PhaseDurations           map[string]durationFig
	Committees               map[string]int // period key → committees in it
}

// period is a [from, to] range of committeeDecisions, under an alias.
type period struct {
	alias    string
	from, to day
}

// portfolioAt computes the Portfolio figures of the startups f selects at d.
func (o *oracle) portfolioAt(f sf, d day, periods []period) figures {
	fg := figures{
		ByPhase: map[string]int{}, ByIncubator: map[string]int{}, BySponsor: map[string]int{},
		ByThematique: map[string]int{}, MembersByDomain: map[string]int{}, MembersByStatus: map[string]int{},
		PhaseDurations: map[string]durationFig{}, Committees: map[string]int{}, ReviewStatuses: map[string]int{},
	}
	sel := o.matching(f, d)
	matching := map[string]bool{}
	durations := map[string][]int{}
	for _, s := range sel {
		matching[s.slug] = true
		fg.StartupCount++
		if p := s.phaseAt(d); p != "" {
			fg.ByPhase[p]++
		}
		if s.incubator != "" {
			fg.ByIncubator[s.incubator]++
		}
		for _, sp := range s.sponsors {
			fg.BySponsor[sp]++
		}
		for _, th := range s.themes {
			fg.ByThematique[th]++
		}
		if s.overdueAt(d) {
			fg.CommitteeOverdueCount++
		}
		if st := s.reviewStatusAt(d); st != "" {
			fg.ReviewStatuses[st]++
		}
		if s.withoutIntrapreneurAt(d) {
			fg.WithoutIntrapreneurCount++
		}
		ps, ds := s.periodDurations(d)
		for i := range ps {
			durations[ps[i]] = append(durations[ps[i]], ds[i])
		}
		for _, c := range s.committees {
			for _, p := range periods {
				if p.from <= c && c <= p.to {
					fg.Committees[p.alias]++
				}
			}
		}
	}
	for ph, ds := range durations {
		fg.PhaseDurations[ph] = summarise(ds)
	}
	// Members on the team at d of a matching startup, each with the status
	// of the covering mission on a matching startup that started last (a
	// tie: the later-listed mission).
	for _, m := range o.members {
		best := -1
		for i := range m.missions {
			mi := &m.missions[i]
			if !mi.covers(d) || !anyMatching(mi.startups, matching) {
				continue
			}
			if best == -1 || mi.start >= m.missions[best].start {
				best = i
			}
		}
		if best < 0 {
			continue
		}
		fg.ActiveMemberCount++
		fg.MembersByDomain[m.domain]++
		fg.MembersByStatus[m.missions[best].status]++
	}
	return fg
}

func anyMatching(slugs []string, set map[string]bool) bool {
	for _, s := range slugs {
		if set[s] {
			return true
		}
	}
	return false
}

// summarise gives the count, median (the mean of the two middle values for
// an even count) and mean of ds.
func summarise(ds []int) durationFig {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	var median float64
	if n%2 == 1 {
		median = float64(s[n/2])
	} else {
		median = float64(s[n/2-1]+s[n/2]) / 2
	}
	sum := 0
	for _, v := range s {
		sum += v
	}
	return durationFig{Startups: n, Median: median, Mean: float64(sum) / float64(n)}
}

func closeEnough(a, b float64) bool { return math.Abs(a-b) <= 1e-9 }
