package betagouv

// parseData parses the bytes of one record file: the front matter, then the
// record of kind k whose slug is the file's name. rel is the file's path
// relative to the content folder, for problems. It is parseFile without the
// reading, so that tests and fuzzing reach the importer's parsing with
// bytes of their own.
func parseData(k kind, slug, rel string, data []byte) parsed {
	r := &report{file: rel}
	p := parsed{}
	fm, body, ok := decode(data, r)
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
