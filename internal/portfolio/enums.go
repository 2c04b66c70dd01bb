package portfolio

import (
	"io"
	"slices"
)

// Phase is a stage of a startup's life in the incubation programme. Its
// value is the GraphQL enum name; Slug gives the beta.gouv.fr spelling.
type Phase string

// The phases of the beta.gouv.fr approach, in their usual order, then
// PhaseUnknown.
const (
	PhaseInvestigation          Phase = "INVESTIGATION"
	PhaseConstruction           Phase = "CONSTRUCTION"
	PhaseAcceleration           Phase = "ACCELERATION"
	PhaseConsolidation          Phase = "CONSOLIDATION"
	PhaseTransferred            Phase = "TRANSFERRED"
	PhaseOperated               Phase = "OPERATED"
	PhaseAbandoned              Phase = "ABANDONED"
	PhaseInvestigationAbandoned Phase = "INVESTIGATION_ABANDONED"
	// PhaseUnknown is no phase of the network: it stands for a phase an
	// older archive names that is in neither today's vocabulary nor the
	// older one (PhaseMappings), so that the period is kept, out of
	// incubation, rather than dropped. Its period's SourceName says which.
	// It has no slug, and is never recorded through the API.
	PhaseUnknown Phase = "UNKNOWN"
)

type phaseInfo struct {
	slug, label string
}

var phaseInfos = map[Phase]phaseInfo{
	PhaseInvestigation:          {"investigation", "Investigation"},
	PhaseConstruction:           {"construction", "Construction"},
	PhaseAcceleration:           {"acceleration", "Accélération"},
	PhaseConsolidation:          {"consolidation", "En consolidation"},
	PhaseTransferred:            {"transfere", "Transféré"},
	PhaseOperated:               {"opere", "Opéré au sein du réseau"},
	PhaseAbandoned:              {"abandon", "Service arrêté"},
	PhaseInvestigationAbandoned: {"abandon-investigation", "Investigation non concluante"},
	PhaseUnknown:                {"", "Phase inconnue"},
}

// Phases lists every phase: the network's, in its order (NetworkPhases),
// then PhaseUnknown. A count by phase has one place per value of Phases.
var Phases = []Phase{
	PhaseInvestigation, PhaseConstruction, PhaseAcceleration, PhaseConsolidation,
	PhaseTransferred, PhaseOperated, PhaseAbandoned, PhaseInvestigationAbandoned,
	PhaseUnknown,
}

// NetworkPhases lists the phases of the network, in its order: Phases
// without PhaseUnknown.
var NetworkPhases = Phases[: len(Phases)-1 : len(Phases)-1]

// ActivePhases lists the phases in which a startup is still in incubation:
// the one definition of "active" (Phase.Active, ActiveAt, and their SQL in
// internal/sqlite/rules.go read it).
var ActivePhases = []Phase{PhaseInvestigation, PhaseConstruction, PhaseAcceleration, PhaseConsolidation}

// PhaseFromSlug maps a beta.gouv.fr phase slug of today's vocabulary
// ("construction", "transfere", …) to its Phase. The older vocabulary is
// MapPhaseName's.
func PhaseFromSlug(slug string) (Phase, bool) {
	for p, info := range phaseInfos {
		if info.slug == slug && slug != "" {
			return p, true
		}
	}
	return "", false
}

// Valid reports whether p is one of the known phases.
func (p Phase) Valid() bool { _, ok := phaseInfos[p]; return ok }

// Slug returns the beta.gouv.fr slug of the phase ("" for PhaseUnknown).
func (p Phase) Slug() string { return phaseInfos[p].slug }

// Label returns the French label of the phase.
func (p Phase) Label() string { return phaseInfos[p].label }

// Active reports whether a startup in phase p is still in incubation.
func (p Phase) Active() bool { return slices.Contains(ActivePhases, p) }

// Rank returns the position of p in Phases (0 for investigation), or -1.
func (p Phase) Rank() int {
	for i, q := range Phases {
		if q == p {
			return i
		}
	}
	return -1
}

// MarshalGQL writes the phase as a GraphQL enum value.
func (p Phase) MarshalGQL(w io.Writer) { writeEnum(w, string(p)) }

// UnmarshalGQL reads a phase from a GraphQL enum value.
func (p *Phase) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "Phase", func(s string) bool {
		ok := Phase(s).Valid()
		if ok {
			*p = Phase(s)
		}
		return ok
	})
}

// Domain is a member's field of work (the "domaine" of beta.gouv.fr).
type Domain string

// The domains of the network; the value is the GraphQL enum name.
const (
	DomainDevelopment  Domain = "DEVELOPMENT"
	DomainDesign       Domain = "DESIGN"
	DomainCoaching     Domain = "COACHING"
	DomainProduct      Domain = "PRODUCT"
	DomainDeployment   Domain = "DEPLOYMENT"
	DomainData         Domain = "DATA"
	DomainIntrapreneur Domain = "INTRAPRENEURSHIP"
	DomainAnimation    Domain = "ANIMATION"
	DomainSupport      Domain = "SUPPORT"
	DomainOther        Domain = "OTHER"
	DomainAttributaire Domain = "ATTRIBUTAIRE"
)

var domainLabels = map[Domain]string{
	DomainDevelopment:  "Développement",
	DomainDesign:       "Design",
	DomainCoaching:     "Coaching",
	DomainProduct:      "Produit",
	DomainDeployment:   "Déploiement",
	DomainData:         "Data",
	DomainIntrapreneur: "Intraprenariat",
	DomainAnimation:    "Animation",
	DomainSupport:      "Support",
	DomainOther:        "Autre",
	DomainAttributaire: "Attributaire",
}

// Domains lists every domain.
var Domains = []Domain{
	DomainDevelopment, DomainDesign, DomainCoaching, DomainProduct, DomainDeployment, DomainData,
	DomainIntrapreneur, DomainAnimation, DomainSupport, DomainOther, DomainAttributaire,
}

// DomainFromLabel maps a beta.gouv.fr "domaine" label (accents and case
// ignored) to its Domain.
func DomainFromLabel(label string) (Domain, bool) {
	k := Fold(label)
	for d, l := range domainLabels {
		if Fold(l) == k {
			return d, true
		}
	}
	return "", false
}

// Valid reports whether d is one of the known domains.
func (d Domain) Valid() bool { _, ok := domainLabels[d]; return ok }

// Label returns the French label of the domain.
func (d Domain) Label() string { return domainLabels[d] }

// MarshalGQL writes the domain as a GraphQL enum value.
func (d Domain) MarshalGQL(w io.Writer) { writeEnum(w, string(d)) }

// UnmarshalGQL reads a domain from a GraphQL enum value.
func (d *Domain) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "Domain", func(s string) bool {
		ok := Domain(s).Valid()
		if ok {
			*d = Domain(s)
		}
		return ok
	})
}

// MissionStatus says how a member is engaged on a mission.
type MissionStatus string

// The mission statuses; the value is the GraphQL enum name.
const (
	StatusAdmin       MissionStatus = "ADMIN"       // public agent
	StatusIndependent MissionStatus = "INDEPENDENT" // freelancer
	StatusService     MissionStatus = "SERVICE"     // through a contractor
)

var statusInfos = map[MissionStatus][2]string{
	StatusAdmin:       {"admin", "Agent public"},
	StatusIndependent: {"independent", "Indépendant"},
	StatusService:     {"service", "Prestataire"},
}

// MissionStatuses lists every mission status.
var MissionStatuses = []MissionStatus{StatusAdmin, StatusIndependent, StatusService}

// MissionStatusFromSlug maps a beta.gouv.fr status slug to its MissionStatus.
func MissionStatusFromSlug(slug string) (MissionStatus, bool) {
	for s, info := range statusInfos {
		if info[0] == slug {
			return s, true
		}
	}
	return "", false
}

// Valid reports whether s is one of the known statuses.
func (s MissionStatus) Valid() bool { _, ok := statusInfos[s]; return ok }

// Slug returns the beta.gouv.fr slug of the status.
func (s MissionStatus) Slug() string { return statusInfos[s][0] }

// Label returns the French label of the status.
func (s MissionStatus) Label() string { return statusInfos[s][1] }

// MarshalGQL writes the status as a GraphQL enum value.
func (s MissionStatus) MarshalGQL(w io.Writer) { writeEnum(w, string(s)) }

// UnmarshalGQL reads a status from a GraphQL enum value.
func (s *MissionStatus) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "MissionStatus", func(x string) bool {
		ok := MissionStatus(x).Valid()
		if ok {
			*s = MissionStatus(x)
		}
		return ok
	})
}

// Decision is what an investment committee decided.
type Decision string

// The committee decisions; the value is the GraphQL enum name.
const (
	DecisionContinue    Decision = "CONTINUE"
	DecisionAdjust      Decision = "ADJUST"
	DecisionAdvance     Decision = "ADVANCE"
	DecisionStop        Decision = "STOP"
	DecisionTransfer    Decision = "TRANSFER"
	DecisionUnspecified Decision = "UNSPECIFIED"
)

// Decisions lists every decision.
var Decisions = []Decision{DecisionContinue, DecisionAdjust, DecisionAdvance, DecisionStop, DecisionTransfer, DecisionUnspecified}

var decisionLabels = map[Decision]string{
	DecisionContinue:    "Poursuite",
	DecisionAdjust:      "Ajustement",
	DecisionAdvance:     "Passage",
	DecisionStop:        "Arrêt",
	DecisionTransfer:    "Transfert",
	DecisionUnspecified: "Non précisé",
}

// Valid reports whether d is one of the known decisions.
func (d Decision) Valid() bool { _, ok := decisionLabels[d]; return ok }

// Label returns the French label of the decision.
func (d Decision) Label() string { return decisionLabels[d] }

// MarshalGQL writes the decision as a GraphQL enum value.
func (d Decision) MarshalGQL(w io.Writer) { writeEnum(w, string(d)) }

// UnmarshalGQL reads a decision from a GraphQL enum value.
func (d *Decision) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "Decision", func(s string) bool {
		ok := Decision(s).Valid()
		if ok {
			*d = Decision(s)
		}
		return ok
	})
}

// Source says where a record comes from.
type Source string

// The sources of records.
const (
	SourceImported Source = "IMPORTED" // read from beta.gouv.fr content or a seed
	SourceRecorded Source = "RECORDED" // written through the API; imports never overwrite it
)

var sourceLabels = map[Source]string{
	SourceImported: "Importé",
	SourceRecorded: "Saisi dans l'outil",
}

// Valid reports whether s is a known source.
func (s Source) Valid() bool { _, ok := sourceLabels[s]; return ok }

// Label returns the French label of the source.
func (s Source) Label() string { return sourceLabels[s] }

// MarshalGQL writes the source as a GraphQL enum value.
func (s Source) MarshalGQL(w io.Writer) { writeEnum(w, string(s)) }

// UnmarshalGQL reads a source from a GraphQL enum value.
func (s *Source) UnmarshalGQL(v any) error {
	return unmarshalEnum(v, "Source", func(x string) bool {
		ok := Source(x).Valid()
		if ok {
			*s = Source(x)
		}
		return ok
	})
}

// EnumLabel returns the French label of value, a value of the GraphQL enum
// named enum (Phase, Domain, MissionStatus, Decision, Source, Accessibility,
// ReviewStatus, CommitteeState, AttendeeRole or AgendaState), or of the exports' EventKind (an event's name) and
// InvestmentKind, for what people read (exports). It returns false for an
// unknown enum or value.
func EnumLabel(enum, value string) (string, bool) {
	var l string
	switch enum {
	case "Phase":
		l = Phase(value).Label()
	case "Domain":
		l = Domain(value).Label()
	case "MissionStatus":
		l = MissionStatus(value).Label()
	case "Decision":
		l = Decision(value).Label()
	case "Source":
		l = Source(value).Label()
	case "Accessibility":
		l = Accessibility(value).Label()
	case "ReviewStatus":
		l = ReviewStatus(value).Label()
	case "CommitteeState":
		l = CommitteeState(value).Label()
	case "AttendeeRole":
		l = AttendeeRole(value).Label()
	case "AgendaState":
		l = AgendaState(value).Label()
	case "EventKind":
		l = eventKindLabels[value]
	case "InvestmentKind":
		l = investmentKindLabels[value]
	}
	return l, l != ""
}

// YesNo returns the French for a yes-or-no value: « Oui » or « Non ».
func YesNo(b bool) string {
	if b {
		return "Oui"
	}
	return "Non"
}

func writeEnum(w io.Writer, s string) {
	if s == "" {
		_, _ = io.WriteString(w, "null")
		return
	}
	// An enum value is a GraphQL name: nothing in it to escape.
	_, _ = io.WriteString(w, `"`)
	_, _ = io.WriteString(w, s)
	_, _ = io.WriteString(w, `"`)
}

func unmarshalEnum(v any, name string, set func(string) bool) error {
	s, ok := v.(string)
	if !ok || !set(s) {
		return Errorf(EInvalid, "%v is not a valid %s", v, name)
	}
	return nil
}
