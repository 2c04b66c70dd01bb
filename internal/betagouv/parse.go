package betagouv

import (
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// parsed is what one file yields before references are checked: at most
// one record, and the file's problems.
type parsed struct {
	problems  []Problem
	phase     *phaseRec
	org       *portfolio.Organisation
	incubator *incubatorRec
	team      *portfolio.Team
	startup   *startupRec
	member    *portfolio.Member
}

// phaseRec is a _phases record: a definition of today's vocabulary (def),
// or of an older one, whose label names it in problems and summaries.
type phaseRec struct {
	slug   string
	status string // lower case
	label  string
	def    *portfolio.PhaseDefinition
}

type incubatorRec struct {
	portfolio.Incubator
	owner *orgRef
}

type startupRec struct {
	portfolio.Startup
	file     string
	sponsors []orgRef
	owner    *orgRef
	// mapped are the entries of portfolio.PhaseMappings its phases used,
	// one per phase; unknown its phases of neither vocabulary.
	mapped  []*portfolio.PhaseMapping
	unknown []unknownPhase
}

// unknownPhase is a phase of a record whose name is in neither vocabulary:
// it is imported as UNKNOWN, and reported once the _phases labels are
// known.
type unknownPhase struct {
	field string // "phases[3].name"
	name  string // as written, "" when missing
}

// orgRef is a reference to an organisation as a record gives it: a path
// ("/organisations/x"), a bare slug or name, or an inline object.
type orgRef struct {
	field  string
	text   string // the reference as written, for messages and name matching
	slug   string // the slug it names, when it is a path or may be a slug
	path   bool   // written as a path: only a slug match counts
	inline *portfolio.Organisation
}

// parseOrgRef reads one organisation reference.
func parseOrgRef(v any, field string, r *report) (orgRef, bool) {
	if m, ok := asMap(v); ok {
		o := &portfolio.Organisation{
			Name:               str(m, "name", field+".name", r),
			Acronym:            str(m, "acronym", field+".acronym", r),
			Type:               str(m, "type", field+".type", r),
			DomaineMinisteriel: str(m, "domaine_ministeriel", field+".domaine_ministeriel", r),
		}
		if o.Name == "" {
			o.Name = o.Acronym
		}
		if o.Name == "" {
			r.skip(field, "inline organisation without a name or acronym")
			return orgRef{}, false
		}
		return orgRef{field: field, text: o.Name, inline: o}, true
	}
	s, ok := scalar(v)
	if !ok {
		r.skip(field, "is %s, not an organisation reference", describe(v))
		return orgRef{}, false
	}
	s = r.field(field, s, portfolio.TextLine)
	if s == "" {
		return orgRef{}, false
	}
	return orgRef{field: field, text: s, slug: refSlug(s), path: strings.Contains(s, "/")}, true
}

// name reads a record's required name field, falling back on the slug.
func name(m map[string]any, key, slug string, r *report) string {
	v := m[key]
	s, ok := scalar(v)
	if ok {
		s = r.field(key, s, portfolio.TextLine)
	}
	switch {
	case !ok:
		r.warn(key, "is %s, not a text; the slug %q is used", describe(v), slug)
	case s == "":
		r.warn(key, "missing; the slug %q is used", slug)
	default:
		return s
	}
	return slug
}

// parsePhaseDefinition reads a _phases record: today's vocabulary gives a
// phase definition; the older one (portfolio.PhaseMappings) and names of
// neither give the label that problems and summaries name the records'
// phases by.
func parsePhaseDefinition(slug string, m map[string]any, r *report) *phaseRec {
	status := str(m, "status", "status", r)
	if status == "" {
		status = slug
	}
	rec := &phaseRec{slug: slug, status: strings.ToLower(status), label: str(m, "label", "label", r)}
	p, ok := portfolio.PhaseFromSlug(rec.status)
	if !ok {
		if !portfolio.OlderPhaseName(rec.status) {
			r.warn("status", "%s is in neither today's vocabulary nor the older one: no phase definition stored; the records' phases of that name are imported as %s", quoteLabel(status, rec.label), portfolio.PhaseUnknown)
		}
		return rec
	}
	def := portfolio.PhaseDefinition{
		Phase:            p,
		Label:            rec.label,
		ShortDescription: prose(m, "short_description", "short_description", r),
	}
	if def.Label == "" {
		def.Label = p.Label()
	}
	if v, ok := m["order"]; ok && v != nil {
		n, err := intValue(v)
		if err != nil {
			r.warn("order", "%v: ignored", err)
		}
		def.Order = int(n)
	}
	rec.def = &def
	return rec
}

// quoteLabel writes a phase name with its label: "alumni" (« Partenariats
// terminés »), or "alumni" alone without one.
func quoteLabel(name, label string) string {
	if label == "" {
		return strconv.Quote(name)
	}
	return strconv.Quote(name) + " (« " + label + " »)"
}

func parseOrganisation(slug string, m map[string]any, r *report) *portfolio.Organisation {
	return &portfolio.Organisation{
		Slug:               slug,
		Name:               name(m, "name", slug, r),
		Acronym:            str(m, "acronym", "acronym", r),
		Type:               str(m, "type", "type", r),
		DomaineMinisteriel: str(m, "domaine_ministeriel", "domaine_ministeriel", r),
	}
}

func parseIncubator(slug string, m map[string]any, body string, r *report) *incubatorRec {
	inc := &incubatorRec{Incubator: portfolio.Incubator{
		Slug:             slug,
		Title:            name(m, "title", slug, r),
		ShortDescription: prose(m, "short_description", "short_description", r),
		Description:      body,
		Contact:          str(m, "contact", "contact", r),
		Website:          str(m, "website", "website", r),
		Github:           str(m, "github", "github", r),
		Address:          prose(m, "address", "address", r),
	}}
	if v, ok := m["owner"]; ok && v != nil {
		if ref, ok := parseOrgRef(v, "owner", r); ok {
			inc.owner = &ref
		}
	}
	return inc
}

func parseTeam(slug string, m map[string]any, r *report) *portfolio.Team {
	return &portfolio.Team{
		Slug:          slug,
		Name:          name(m, "name", slug, r),
		Mission:       prose(m, "mission", "mission", r),
		IncubatorSlug: refSlug(str(m, "incubator", "incubator", r)),
	}
}

func parseStartup(slug string, m map[string]any, body string, r *report) *startupRec {
	s := &startupRec{file: r.file, Startup: portfolio.Startup{
		Slug:                slug,
		Name:                name(m, "title", slug, r),
		Pitch:               prose(m, "mission", "mission", r),
		Description:         body,
		IncubatorSlug:       refSlug(str(m, "incubator", "incubator", r)),
		Thematiques:         strList(m, "thematiques", "thematiques", r),
		Usertypes:           strList(m, "usertypes", "usertypes", r),
		Techno:              strList(m, "techno", "techno", r),
		Link:                str(m, "link", "link", r),
		Repository:          str(m, "repository", "repository", r),
		Contact:             str(m, "contact", "contact", r),
		AccessibilityStatus: str(m, "accessibility_status", "accessibility_status", r),
		StatsURL:            str(m, "stats_url", "stats_url", r),
		ImpactURL:           str(m, "impact_url", "impact_url", r),
		BudgetURL:           str(m, "budget_url", "budget_url", r),
		DashlordURL:         str(m, "dashlord_url", "dashlord_url", r),
	}}
	parseReview(&s.Startup, m, r)
	switch v := m["sponsors"].(type) {
	case nil:
	case []any:
		for i, it := range v {
			if ref, ok := parseOrgRef(it, fmt.Sprintf("sponsors[%d]", i), r); ok {
				s.sponsors = append(s.sponsors, ref)
			}
		}
	default: // a single sponsor, not in a list
		if ref, ok := parseOrgRef(v, "sponsors", r); ok {
			s.sponsors = append(s.sponsors, ref)
		}
	}
	if v, ok := m["owner"]; ok && v != nil {
		if ref, ok := parseOrgRef(v, "owner", r); ok {
			s.owner = &ref
		}
	}
	s.Events, s.Committees = parseEvents(slug, m, r)
	parsePhases(s, m, lastEnd(s.Events), r)
	s.Fast = parseFast(m, r)
	checkFastEvents(s.Fast, m, r)
	return s
}

// parsePhases reads a startup's phases into s. A name of the older
// vocabulary is mapped (portfolio.MapPhaseName), and one of neither
// vocabulary, or none, is kept as UNKNOWN: no phase is dropped. The
// record's word is kept (PhasePeriod.SourceName) when it is not the
// phase's slug.
//
// A phase without a start takes the previous phase's end when there is
// one; else, for the last phase listed when it is out of incubation, the
// date of the record's last "end" event, end, when there is one and no
// phase listed before starts after it (the network dated such phases so
// when it rewrote its records). Otherwise it is kept without a start, and
// never counts as the phase at a date.
func parsePhases(s *startupRec, m map[string]any, end portfolio.Date, r *report) {
	items, index := phaseItems(m, r)
	var before []portfolio.Phase
	for k, it := range items {
		field := fmt.Sprintf("phases[%d]", index[k])
		name := str(it, "name", field+".name", r)
		p, mapping, ok := portfolio.MapPhaseName(name, before)
		switch {
		case !ok:
			p = portfolio.PhaseUnknown
			s.unknown = append(s.unknown, unknownPhase{field: field + ".name", name: name})
		case mapping != nil:
			s.mapped = append(s.mapped, mapping)
		}
		before = append(before, p)
		pp := portfolio.PhasePeriod{Phase: p, Source: portfolio.SourceImported, Comment: prose(it, "comment", field+".comment", r)}
		if name != p.Slug() {
			pp.SourceName = name
		}
		e, _, err := dateValue(it["end"])
		if err != nil {
			r.warn(field+".end", "%v: ignored", err)
		}
		pp.End = e
		start, present, err := dateValue(it["start"])
		why := "missing"
		if err != nil {
			why = err.Error()
		}
		phases := s.Phases
		switch {
		case present && err == nil:
			pp.Start = start
		case len(phases) > 0 && !phases[len(phases)-1].End.IsZero():
			pp.Start = phases[len(phases)-1].End
			r.warn(field+".start", "%s; start inferred from previous phase's end (%s)", why, pp.Start)
		case k == len(items)-1 && !end.IsZero() && !p.Active() && p != portfolio.PhaseUnknown && !startsAfter(phases, end):
			pp.Start = end
			r.warn(field+".start", "%s; start taken from the end event (%s), the day the partnership ended", why, pp.Start)
		default:
			r.warn(field+".start", "%s; phase kept without a start: it is listed but never counts as the phase at a date", why)
		}
		s.Phases = append(s.Phases, pp)
	}
}

// phaseItems returns the items of a record's phases list with their
// positions. An item written as a bare name ("- construction") is read as
// a phase of that name without a start, and reported.
func phaseItems(m map[string]any, r *report) (items []map[string]any, index []int) {
	list, ok := m["phases"].([]any)
	if !ok {
		return mapList(m, "phases", "phases", r)
	}
	for i, it := range list {
		field := fmt.Sprintf("phases[%d]", i)
		if name, ok := it.(string); ok && strings.TrimSpace(name) != "" {
			r.warn(field, "is the text %q, not a mapping of fields: read as the phase's name", shorten(name))
			it = map[string]any{"name": name}
		}
		if it == nil {
			continue
		}
		mm, ok := asMap(it)
		if !ok {
			r.skip(field, "is %s, not a mapping of fields", describe(it))
			continue
		}
		items = append(items, mm)
		index = append(index, i)
	}
	return items, index
}

// startsAfter reports whether one of the phases starts after d.
func startsAfter(phases []portfolio.PhasePeriod, d portfolio.Date) bool {
	for _, p := range phases {
		if p.Start > d {
			return true
		}
	}
	return false
}

// lastEnd returns the date of the latest "end" event, the day the
// partnership with the network ended; zero for none.
func lastEnd(events []portfolio.StartupEvent) portfolio.Date {
	var d portfolio.Date
	for _, e := range events {
		if strings.EqualFold(e.Name, "end") && e.Date > d {
			d = e.Date
		}
	}
	return d
}

// parseEvents reads a startup's events; each "committee" event also
// becomes a Committee. Older records sometimes split an event in two list
// items, "- name: end" then "- date: 2021-09-01": such a pair is read as
// one event. An event without a name is kept as an "other" event (the
// network's name for events of no listed kind); one without a valid date
// is not loaded. Each case is reported.
func parseEvents(slug string, m map[string]any, r *report) ([]portfolio.StartupEvent, []portfolio.Committee) {
	items, index := mapList(m, "events", "events", r)
	var events []portfolio.StartupEvent
	var committees []portfolio.Committee
	perDay := map[portfolio.Date]int{}
	for k := 0; k < len(items); k++ {
		it := items[k]
		field := fmt.Sprintf("events[%d]", index[k])
		dateField := field + ".date"
		if k+1 < len(items) && index[k+1] == index[k]+1 && splitEvent(it, items[k+1]) {
			next := fmt.Sprintf("events[%d]", index[k+1])
			merged := maps.Clone(it)
			maps.Copy(merged, items[k+1])
			it, dateField = merged, next+".date"
			k++
			d, _ := scalar(merged["date"])
			n, _ := scalar(merged["name"])
			r.warn(field, "a name without a date, then a date without a name (%s): read as one event, %q on %s", next, n, d)
		}
		ev := portfolio.StartupEvent{
			Name:    str(it, "name", field+".name", r),
			Comment: prose(it, "comment", field+".comment", r),
		}
		d, present, err := dateValue(it["date"])
		switch {
		case err != nil:
			r.skip(dateField, "%v", err)
			continue
		case !present:
			r.skip(dateField, "missing")
			continue
		}
		if ev.Name == "" {
			ev.Name = "other"
			r.warn(field+".name", "missing; kept as an \"other\" event, the network's name for events of no listed kind")
		}
		ev.Date = d
		events = append(events, ev)
		if strings.ToLower(ev.Name) != "committee" {
			continue
		}
		perDay[d]++
		cslug := slug + "/" + d.String()
		if n := perDay[d]; n > 1 {
			cslug += "-" + strconv.Itoa(n)
		}
		decision, next := portfolio.ClassifyCommittee(ev.Comment)
		committees = append(committees, portfolio.Committee{
			Slug:        cslug,
			StartupSlug: slug,
			Date:        d,
			Decision:    decision,
			NextPhase:   next,
			Comment:     ev.Comment,
			Source:      portfolio.SourceImported,
		})
	}
	return events, committees
}

// splitEvent reports whether a and b are one event split in two list
// items: a has a name and no date, b a date and no name, and they share no
// field.
func splitEvent(a, b map[string]any) bool {
	name, _ := scalar(a["name"])
	date, _ := scalar(b["date"])
	other, _ := scalar(b["name"])
	if name == "" || a["date"] != nil || date == "" || other != "" {
		return false
	}
	for k := range b {
		if _, ok := a[k]; ok {
			return false
		}
	}
	return true
}

// parseFast reads the FAST grant {promotion, montant}.
func parseFast(m map[string]any, r *report) *portfolio.Fast {
	v, ok := m["fast"]
	if !ok || v == nil {
		return nil
	}
	fm, ok := asMap(v)
	if !ok {
		r.warn("fast", "is %s, not a mapping {promotion, montant}: ignored", describe(v))
		return nil
	}
	var f portfolio.Fast
	found := false
	if v, ok := fm["promotion"]; ok && v != nil {
		n, err := intValue(v)
		if err != nil {
			r.warn("fast.promotion", "%v: ignored", err)
		} else {
			f.Promotion, found = int(n), true
		}
	}
	if v, ok := fm["montant"]; ok && v != nil {
		n, err := intValue(v)
		if err != nil {
			r.warn("fast.montant", "%v: ignored", err)
		} else {
			f.AmountEuros, found = n, true
		}
	}
	if !found {
		return nil
	}
	return &f
}

func parseMember(slug string, m map[string]any, body string, r *report) *portfolio.Member {
	mb := &portfolio.Member{
		Slug:             slug,
		Fullname:         name(m, "fullname", slug, r),
		Role:             str(m, "role", "role", r),
		Competences:      strList(m, "competences", "competences", r),
		Github:           str(m, "github", "github", r),
		Link:             str(m, "link", "link", r),
		MemberType:       str(m, "memberType", "memberType", r),
		Bio:              body,
		Teams:            refList(m, "teams", "teams", r),
		LegacyStartups:   refList(m, "startups", "startups", r),
		PreviousStartups: refList(m, "previously", "previously", r),
	}
	label := str(m, "domaine", "domaine", r)
	d, ok := portfolio.DomainFromLabel(label)
	switch {
	case ok:
		mb.Domain = d
	case label == "":
		mb.Domain = portfolio.DomainOther
		r.warn("domaine", "missing; %s (%s) used", portfolio.DomainOther.Label(), portfolio.DomainOther)
	default:
		mb.Domain = portfolio.DomainOther
		r.warn("domaine", "unknown domain %q; %s (%s) used", label, portfolio.DomainOther.Label(), portfolio.DomainOther)
	}
	if _, ok := m["missions"]; !ok {
		// The oldest records describe one engagement at the top level.
		if _, ok := m["start"]; ok {
			r.warn("missions", "missing; one mission built from the top-level start, end and employer")
			if ms, ok := parseMission(slug, 1, m, "", false, r); ok {
				mb.Missions = append(mb.Missions, ms)
			}
		}
		return mb
	}
	items, index := mapList(m, "missions", "missions", r)
	for k, it := range items {
		if ms, ok := parseMission(slug, index[k]+1, it, fmt.Sprintf("missions[%d].", index[k]), true, r); ok {
			mb.Missions = append(mb.Missions, ms)
		}
	}
	return mb
}

// parseMission reads the mission at position n (1-based) of a member's
// record from m, whose fields are named prefix+"start" and so on.
// withStartups says whether m's startups belong to the mission.
func parseMission(member string, n int, m map[string]any, prefix string, withStartups bool, r *report) (portfolio.Mission, bool) {
	ms := portfolio.Mission{
		Slug:       member + "/" + strconv.Itoa(n),
		MemberSlug: member,
		Employer:   str(m, "employer", prefix+"employer", r),
		Source:     portfolio.SourceImported,
	}
	start, present, err := dateValue(m["start"])
	switch {
	case err != nil:
		r.skip(prefix+"start", "%v", err)
		return ms, false
	case !present:
		r.skip(prefix+"start", "missing")
		return ms, false
	}
	ms.Start = start
	end, _, err := dateValue(m["end"])
	if err != nil {
		r.warn(prefix+"end", "%v: ignored, so the mission reads as open-ended", err)
	}
	ms.End = end
	if !end.IsZero() && end < start {
		r.warn(prefix+"end", "%s is before the start %s: kept, so the mission never covers a date", end, start)
	}
	status := str(m, "status", prefix+"status", r)
	if status == "" {
		// Older records wrote the status in the employer: "independent/octo".
		if kind, rest, ok := strings.Cut(ms.Employer, "/"); ok {
			if st, ok := portfolio.MissionStatusFromSlug(strings.TrimSpace(kind)); ok {
				r.warn(prefix+"status", "missing; %q taken from employer %q", kind, ms.Employer)
				ms.Status, ms.Employer = st, strings.TrimSpace(rest)
			}
		}
		if ms.Status == "" {
			r.warn(prefix+"status", "missing; left empty")
		}
	} else if st, ok := portfolio.MissionStatusFromSlug(status); ok {
		ms.Status = st
	} else {
		r.warn(prefix+"status", "unknown status %q; left empty", status)
	}
	if withStartups {
		ms.Startups = refList(m, "startups", prefix+"startups", r)
	}
	return ms, true
}
