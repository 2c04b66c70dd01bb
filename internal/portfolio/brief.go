package portfolio

import (
	"strings"
)

// The brief of an investment committee (« dossier de comité », issue 19):
// the period since the last committee held, or since the start of
// incubation when none is on record, and the checks the network's guide
// asks of a committee, each with a plain verdict in French.

// The bases of a brief's period; the values are the GraphQL enum names.
const (
	BriefSinceLastCommittee   = "LAST_COMMITTEE"
	BriefSinceIncubationStart = "INCUBATION_START"
	BriefSinceNone            = "NONE"
)

// BriefPeriod returns the first day of a brief's period at asOf and what
// it is: the day of the last committee held on or before asOf (its index
// in committees), else the earliest start of the phases (-1), else zero
// and BriefSinceNone.
func BriefPeriod(phases []PhasePeriod, committees []*Committee, asOf Date) (since Date, basis string, last int) {
	if last = LastCommittee(committees, asOf); last >= 0 {
		return committees[last].Date, BriefSinceLastCommittee, last
	}
	if first := EarliestStart(phases); !first.IsZero() && first <= asOf {
		return first, BriefSinceIncubationStart, -1
	}
	return 0, BriefSinceNone, -1
}

// BriefPhases returns the indexes of the phases of a period: the phase in
// course on since, then those started after it up to asOf, in the order of
// phases (by start). With no since, the phase at asOf alone.
func BriefPhases(phases []PhasePeriod, since, asOf Date) []int {
	var out []int
	if since.IsZero() {
		if i := PhaseAt(phases, asOf); i >= 0 {
			out = append(out, i)
		}
		return out
	}
	first := PhaseAt(phases, since)
	for i, p := range phases {
		if i == first || (!p.Start.IsZero() && p.Start > since && p.Start <= asOf) {
			out = append(out, i)
		}
	}
	return out
}

// PlannedCommittee returns the index of the first committee planned on or
// after d (the one a brief prepares), the earliest, a tie going to the one
// listed first; -1 when none is.
func PlannedCommittee(committees []*Committee, d Date) int {
	best := -1
	for i, c := range committees {
		if c.State == CommitteePlanned && c.Date >= d && (best < 0 || c.Date < committees[best].Date) {
			best = i
		}
	}
	return best
}

// The checks of a brief; the values are the GraphQL enum names.
const (
	CheckIntrapreneur         = "INTRAPRENEUR"
	CheckSponsor              = "SPONSOR"
	CheckStatsPage            = "STATS_PAGE"
	CheckSecurityHomologation = "SECURITY_HOMOLOGATION"
)

// BriefCheck is one check of a brief: its name in French, whether it
// passes (nil when the records do not say) and its verdict in French.
type BriefCheck struct {
	Check, Label string
	Passed       *bool
	Verdict      string
}

// BriefChecksInput is what the checks read of a startup at a date.
type BriefChecksInput struct {
	AsOf                 Date
	Intrapreneurs        []string // the names of the intrapreneurs on the team at AsOf
	Sponsors             []string // the names of the sponsors
	StatsURL             string
	SecurityHomologation *bool
}

// BriefChecks returns the checks of a brief, in the guide's order: an
// intrapreneur on the team (the committee requires one), a sponsor named,
// a statistics page, a security homologation.
func BriefChecks(in BriefChecksInput) []BriefCheck {
	yes, no := true, false
	verdict := func(ok bool, detail string) (*bool, string) {
		if ok {
			return &yes, "Oui : " + detail
		}
		return &no, "Non : " + detail
	}
	var out []BriefCheck
	c := BriefCheck{Check: CheckIntrapreneur, Label: "Intrapreneur dans l'équipe"}
	if len(in.Intrapreneurs) > 0 {
		c.Passed, c.Verdict = verdict(true, strings.Join(in.Intrapreneurs, ", "))
	} else {
		c.Passed, c.Verdict = verdict(false, MissingIntrapreneur+" au "+in.AsOf.Time().Format("02/01/2006"))
	}
	out = append(out, c)
	c = BriefCheck{Check: CheckSponsor, Label: "Sponsor désigné"}
	if len(in.Sponsors) > 0 {
		c.Passed, c.Verdict = verdict(true, strings.Join(in.Sponsors, ", "))
	} else {
		c.Passed, c.Verdict = verdict(false, MissingSponsor)
	}
	out = append(out, c)
	c = BriefCheck{Check: CheckStatsPage, Label: "Page de statistiques"}
	if in.StatsURL != "" {
		c.Passed, c.Verdict = verdict(true, in.StatsURL)
	} else {
		c.Passed, c.Verdict = verdict(false, "aucune page de statistiques dans la fiche")
	}
	out = append(out, c)
	c = BriefCheck{Check: CheckSecurityHomologation, Label: "Homologation de sécurité"}
	switch {
	case in.SecurityHomologation == nil:
		c.Verdict = "Non renseigné : la fiche ne dit pas si le service est homologué"
	case *in.SecurityHomologation:
		c.Passed, c.Verdict = verdict(true, "le service est homologué (MonServiceSécurisé)")
	default:
		c.Passed, c.Verdict = verdict(false, "le service n'est pas homologué")
	}
	return append(out, c)
}
