package betagouv

import "github.com/incubateurs/portfolio/internal/portfolio"

// parseData parses the bytes of one record file: the front matter, then the
// record of kind k whose slug is the file's name. rel is the file's path
// relative to the content folder, for problems. It is parseFile without the
// reading, so that tests and fuzzing reach the importer's parsing with
// bytes of their own.
func parseData(k kind, slug, rel string, data []byte) parsed {
	r := &report{file: rel}
	p := parsed{}
	if flaws := portfolio.TextFlaws(slug, portfolio.TextLine); len(flaws) > 0 {
		// A slug cannot be cleaned: references name the record by it.
		r.skip("", "the file's name, the record's slug, holds %s: rename the file", portfolio.DescribeFlaws(flaws))
		p.problems = r.problems
		return p
	}
	fm, body, ok := decode(data, r)
	switch k {
	case kindIncubator, kindStartup, kindMember:
		// The markdown body: a description or a biography, kept as written
		// (its entities are markdown: see decodeEntities).
		body = r.clean("body", body, portfolio.TextProse, false)
	}
	if ok {
		switch k {
		case kindPhase:
			p.phase = parsePhaseDefinition(slug, fm, r)
		case kindOrganisation:
			p.org = parseOrganisation(slug, fm, r)
		case kindIncubator:
			p.incubator = parseIncubator(slug, fm, body, r)
		case kindTeam:
			p.team = parseTeam(slug, fm, r)
		case kindStartup:
			p.startup = parseStartup(slug, fm, body, r)
		case kindMember:
			p.member = parseMember(slug, fm, body, r)
		}
	}
	p.problems = r.problems
	return p
}
