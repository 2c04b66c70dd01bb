package betagouv

import (
	"fmt"
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

type phaseRec struct {
	slug string
	def  portfolio.PhaseDefinition
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

func parsePhaseDefinition(slug string, m map[string]any, r *report) *phaseRec {
	status := str(m, "status", "status", r)
	if status == "" {
		status = slug
	}
	p, ok := portfolio.PhaseFromSlug(status)
	if !ok {
		r.skip("status", "unknown phase %q", status)
		return nil
	}
	def := portfolio.PhaseDefinition{
		Phase:            p,
		Label:            str(m, "label", "label", r),
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
	return &phaseRec{slug: slug, def: def}
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
	s.Phases = parsePhases(m, r)
	s.Events, s.Committees = parseEvents(slug, m, r)
	s.Fast = parseFast(m, r)
	checkFastEvents(s.Fast, m, r)
	return s
}

// parsePhases reads a startup's phases. A phase without a start takes the
// previous phase's end when there is one; otherwise it is kept without a
// start, and never counts as the phase at a date.
func parsePhases(m map[string]any, r *report) []portfolio.PhasePeriod {
	items, index := mapList(m, "phases", "phases", r)
	var phases []portfolio.PhasePeriod
	for k, it := range items {
		field := fmt.Sprintf("phases[%d]", index[k])
		slug := str(it, "name", field+".name", r)
		if slug == "" {
			r.skip(field+".name", "missing")
			continue
		}
		p, ok := portfolio.PhaseFromSlug(strings.ToLower(slug))
		if !ok {
			r.skip(field+".name", "unknown phase %q", slug)
			continue
		}
		pp := portfolio.PhasePeriod{Phase: p, Source: portfolio.SourceImported, Comment: prose(it, "comment", field+".comment", r)}
		end, _, err := dateValue(it["end"])
		if err != nil {
			r.warn(field+".end", "%v: ignored", err)
		}
		pp.End = end
		start, present, err := dateValue(it["start"])
		why := "missing"
		if err != nil {
			why = err.Error()
		}
		switch {
		case present && err == nil:
			pp.Start = start
		case len(phases) > 0 && !phases[len(phases)-1].End.IsZero():
			pp.Start = phases[len(phases)-1].End
			r.warn(field+".start", "%s; start inferred from previous phase's end (%s)", why, pp.Start)
		default:
			r.warn(field+".start", "%s; phase kept without a start: it is listed but never counts as the phase at a date", why)
		}
		phases = append(phases, pp)
	}
	return phases
}

// parseEvents reads a startup's events; each "committee" event also
// becomes a Committee. Events without a valid date are not loaded.
func parseEvents(slug string, m map[string]any, r *report) ([]portfolio.StartupEvent, []portfolio.Committee) {
	items, index := mapList(m, "events", "events", r)
	var events []portfolio.StartupEvent
	var committees []portfolio.Committee
	perDay := map[portfolio.Date]int{}
	for k, it := range items {
		field := fmt.Sprintf("events[%d]", index[k])
		ev := portfolio.StartupEvent{
			Name:    str(it, "name", field+".name", r),
			Comment: prose(it, "comment", field+".comment", r),
		}
		if ev.Name == "" {
			r.skip(field+".name", "missing")
			continue
		}
		d, present, err := dateValue(it["date"])
		switch {
		case err != nil:
			r.skip(field+".date", "%v", err)
			continue
		case !present:
			r.skip(field+".date", "missing")
			continue
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
