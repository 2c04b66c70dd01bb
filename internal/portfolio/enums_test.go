package portfolio

import (
	"bytes"
	"io"
	"strconv"
	"testing"
)

func TestPhaseSlugs(t *testing.T) {
	tests := []struct {
		slug   string
		phase  Phase
		label  string
		active bool
	}{
		{"investigation", PhaseInvestigation, "Investigation", true},
		{"construction", PhaseConstruction, "Construction", true},
		{"acceleration", PhaseAcceleration, "Accélération", true},
		{"consolidation", PhaseConsolidation, "En consolidation", true},
		{"transfere", PhaseTransferred, "Transféré", false},
		{"opere", PhaseOperated, "Opéré au sein du réseau", false},
		{"abandon", PhaseAbandoned, "Service arrêté", false},
		{"abandon-investigation", PhaseInvestigationAbandoned, "Investigation non concluante", false},
	}
	if len(tests) != len(NetworkPhases) || len(Phases) != len(NetworkPhases)+1 || Phases[len(Phases)-1] != PhaseUnknown {
		t.Fatalf("%d phases tested, %d in NetworkPhases, Phases %v: want the network's phases, then UNKNOWN", len(tests), len(NetworkPhases), Phases)
	}
	for i, tt := range tests {
		got, ok := PhaseFromSlug(tt.slug)
		if !ok || got != tt.phase {
			t.Errorf("PhaseFromSlug(%q) = %q, %v; want %q, true", tt.slug, got, ok, tt.phase)
		}
		if Phases[i] != tt.phase {
			t.Errorf("Phases[%d] = %s, want %s", i, Phases[i], tt.phase)
		}
		if s := tt.phase.Slug(); s != tt.slug {
			t.Errorf("%s.Slug() = %q, want %q", tt.phase, s, tt.slug)
		}
		if l := tt.phase.Label(); l != tt.label {
			t.Errorf("%s.Label() = %q, want %q", tt.phase, l, tt.label)
		}
		if a := tt.phase.Active(); a != tt.active {
			t.Errorf("%s.Active() = %v, want %v", tt.phase, a, tt.active)
		}
		if !tt.phase.Valid() {
			t.Errorf("%s.Valid() = false", tt.phase)
		}
		if r := tt.phase.Rank(); r != i {
			t.Errorf("%s.Rank() = %d, want %d", tt.phase, r, i)
		}
	}
}

// TestPhaseUnknown: UNKNOWN is a phase out of incubation, last, labelled,
// with no slug, so that no slug (not even "") reads as it.
func TestPhaseUnknown(t *testing.T) {
	p := PhaseUnknown
	if !p.Valid() || p.Active() || p.Slug() != "" || p.Label() != "Phase inconnue" || p.Rank() != len(Phases)-1 {
		t.Errorf("UNKNOWN: Valid %v, Active %v, Slug %q, Label %q, Rank %d", p.Valid(), p.Active(), p.Slug(), p.Label(), p.Rank())
	}
	if got, ok := PhaseFromSlug(""); ok {
		t.Errorf(`PhaseFromSlug("") = %q, true`, got)
	}
	if l, ok := EnumLabel("Phase", "UNKNOWN"); !ok || l != "Phase inconnue" {
		t.Errorf(`EnumLabel("Phase", "UNKNOWN") = %q, %v`, l, ok)
	}
	if len(NetworkPhases) != len(Phases)-1 || cap(NetworkPhases) != len(NetworkPhases) {
		t.Errorf("NetworkPhases %v (cap %d): want Phases without UNKNOWN, full (an append copies)", NetworkPhases, cap(NetworkPhases))
	}
}

func TestPhaseRoundTrip(t *testing.T) {
	for _, p := range NetworkPhases {
		got, ok := PhaseFromSlug(p.Slug())
		if !ok || got != p {
			t.Errorf("PhaseFromSlug(%s.Slug()) = %q, %v", p, got, ok)
		}
	}
}

func TestPhaseFromSlugUnknown(t *testing.T) {
	for _, s := range []string{"", "Construction", "CONSTRUCTION", "transferred", "transféré", "alumni", "success", " investigation"} {
		if p, ok := PhaseFromSlug(s); ok {
			t.Errorf("PhaseFromSlug(%q) = %q, true; want false", s, p)
		}
	}
}

func TestActivePhases(t *testing.T) {
	var active []Phase
	for _, p := range Phases {
		if p.Active() {
			active = append(active, p)
		}
	}
	if len(active) != 4 || len(ActivePhases) != 4 {
		t.Fatalf("active phases %v, ActivePhases %v; want four", active, ActivePhases)
	}
	for i := range active {
		if active[i] != ActivePhases[i] {
			t.Errorf("active phases %v differ from ActivePhases %v", active, ActivePhases)
			break
		}
	}
	for _, p := range []Phase{"", "BOGUS", "construction"} {
		if p.Active() || p.Valid() || p.Rank() != -1 {
			t.Errorf("unknown phase %q: Active %v, Valid %v, Rank %d", p, p.Active(), p.Valid(), p.Rank())
		}
	}
}

func TestDomainFromLabel(t *testing.T) {
	tests := []struct {
		label string
		want  Domain // "" means not found
	}{
		{"Développement", DomainDevelopment},
		{"developpement", DomainDevelopment},
		{"DÉVELOPPEMENT", DomainDevelopment},
		{"Design", DomainDesign},
		{"Coaching", DomainCoaching},
		{"Produit", DomainProduct},
		{"Déploiement", DomainDeployment},
		{"deploiement", DomainDeployment},
		{"DEPLOIEMENT", DomainDeployment},
		{"Data", DomainData},
		{"Intraprenariat", DomainIntrapreneur},
		{"intraprenariat", DomainIntrapreneur},
		{"Animation", DomainAnimation},
		{"Support", DomainSupport},
		{"Autre", DomainOther},
		{"Attributaire", DomainAttributaire},
		{"", ""},
		{"Dev", ""},
		{"Product", ""},
		{"DEPLOYMENT", ""},
		{"Intrapreneuriat", ""},
	}
	for _, tt := range tests {
		got, ok := DomainFromLabel(tt.label)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("DomainFromLabel(%q) = %q, %v; want %q", tt.label, got, ok, tt.want)
		}
	}
	if len(Domains) != 11 {
		t.Errorf("%d domains, want 11", len(Domains))
	}
	for _, d := range Domains {
		got, ok := DomainFromLabel(d.Label())
		if !ok || got != d || !d.Valid() {
			t.Errorf("DomainFromLabel(%s.Label() = %q) = %q, %v", d, d.Label(), got, ok)
		}
	}
}

func TestMissionStatusFromSlug(t *testing.T) {
	tests := []struct {
		slug string
		want MissionStatus // "" means not found
	}{
		{"admin", StatusAdmin},
		{"independent", StatusIndependent},
		{"service", StatusService},
		{"", ""},
		{"Admin", ""},
		{"ADMIN", ""},
		{"freelance", ""},
		{"independant", ""},
	}
	for _, tt := range tests {
		got, ok := MissionStatusFromSlug(tt.slug)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("MissionStatusFromSlug(%q) = %q, %v; want %q", tt.slug, got, ok, tt.want)
		}
	}
	for _, s := range MissionStatuses {
		got, ok := MissionStatusFromSlug(s.Slug())
		if !ok || got != s || !s.Valid() || s.Label() == "" {
			t.Errorf("MissionStatusFromSlug(%s.Slug() = %q) = %q, %v; label %q", s, s.Slug(), got, ok, s.Label())
		}
	}
}

// gqlEnum is what the enum types have in common for GraphQL.
type gqlEnum interface {
	UnmarshalGQL(v any) error
	MarshalGQL(w io.Writer)
}

var gqlEnumTests = []struct {
	name  string
	new   func() gqlEnum
	valid []string
}{
	{"Phase", func() gqlEnum { return new(Phase) }, []string{"INVESTIGATION", "CONSTRUCTION", "ACCELERATION", "CONSOLIDATION", "TRANSFERRED", "OPERATED", "ABANDONED", "INVESTIGATION_ABANDONED"}},
	{"Domain", func() gqlEnum { return new(Domain) }, []string{"DEVELOPMENT", "DESIGN", "COACHING", "PRODUCT", "DEPLOYMENT", "DATA", "INTRAPRENEURSHIP", "ANIMATION", "SUPPORT", "OTHER", "ATTRIBUTAIRE"}},
	{"MissionStatus", func() gqlEnum { return new(MissionStatus) }, []string{"ADMIN", "INDEPENDENT", "SERVICE"}},
	{"Decision", func() gqlEnum { return new(Decision) }, []string{"CONTINUE", "ADJUST", "ADVANCE", "STOP", "TRANSFER", "UNSPECIFIED"}},
	{"Source", func() gqlEnum { return new(Source) }, []string{"IMPORTED", "RECORDED"}},
}

var gqlEnumInvalid = []any{"", "BOGUS", "construction", "admin", "Développement", "continue", " CONSTRUCTION", 42, nil, true}

func TestEnumGQL(t *testing.T) {
	for _, tt := range gqlEnumTests {
		var buf bytes.Buffer
		tt.new().MarshalGQL(&buf)
		if buf.String() != "null" {
			t.Errorf("zero %s MarshalGQL wrote %s, want null", tt.name, buf.String())
		}
		for _, v := range tt.valid {
			e := tt.new()
			if err := e.UnmarshalGQL(v); err != nil {
				t.Errorf("%s.UnmarshalGQL(%q): %v", tt.name, v, err)
				continue
			}
			buf.Reset()
			e.MarshalGQL(&buf)
			if want := strconv.Quote(v); buf.String() != want {
				t.Errorf("%s %s MarshalGQL wrote %s, want %s", tt.name, v, buf.String(), want)
			}
		}
		for _, v := range gqlEnumInvalid {
			if err := tt.new().UnmarshalGQL(v); err == nil {
				t.Errorf("%s.UnmarshalGQL(%#v) = nil, want an error", tt.name, v)
			}
		}
	}
}

func TestEnumUnmarshalGQLKeepsValueOnError(t *testing.T) {
	p := PhaseConstruction
	if err := p.UnmarshalGQL("BOGUS"); err == nil || p != PhaseConstruction {
		t.Errorf("Phase.UnmarshalGQL(\"BOGUS\") = %v, left %q; want an error and CONSTRUCTION", err, p)
	}
	d := DecisionStop
	if err := d.UnmarshalGQL("continue"); err == nil || d != DecisionStop {
		t.Errorf("Decision.UnmarshalGQL(\"continue\") = %v, left %q; want an error and STOP", err, d)
	}
}

func TestEnumValid(t *testing.T) {
	for _, d := range Decisions {
		if !d.Valid() {
			t.Errorf("%s.Valid() = false", d)
		}
	}
	for _, s := range []Source{SourceImported, SourceRecorded} {
		if !s.Valid() {
			t.Errorf("%s.Valid() = false", s)
		}
	}
	if Decision("").Valid() || Decision("continue").Valid() || Source("").Valid() || Domain("").Valid() || MissionStatus("").Valid() {
		t.Error("an empty or misspelt enum value is Valid")
	}
}

// TestEnumLabels checks the French label of every value of the enums that
// people read in exports, and that unknown ones have none.
func TestEnumLabels(t *testing.T) {
	want := map[string]map[string]string{
		"Phase": {
			"INVESTIGATION": "Investigation", "CONSTRUCTION": "Construction", "ACCELERATION": "Accélération",
			"CONSOLIDATION": "En consolidation", "TRANSFERRED": "Transféré", "OPERATED": "Opéré au sein du réseau",
			"ABANDONED": "Service arrêté", "INVESTIGATION_ABANDONED": "Investigation non concluante", "UNKNOWN": "Phase inconnue",
		},
		"Decision": {
			"CONTINUE": "Poursuite", "ADJUST": "Ajustement", "ADVANCE": "Passage", "STOP": "Arrêt",
			"TRANSFER": "Transfert", "UNSPECIFIED": "Non précisé",
		},
		"Domain": {
			"DEVELOPMENT": "Développement", "DESIGN": "Design", "COACHING": "Coaching", "PRODUCT": "Produit",
			"DEPLOYMENT": "Déploiement", "DATA": "Data", "INTRAPRENEURSHIP": "Intraprenariat", "ANIMATION": "Animation",
			"SUPPORT": "Support", "OTHER": "Autre", "ATTRIBUTAIRE": "Attributaire",
		},
		"MissionStatus":  {"ADMIN": "Agent public", "INDEPENDENT": "Indépendant", "SERVICE": "Prestataire"},
		"Source":         {"IMPORTED": "Importé", "RECORDED": "Saisi dans l'outil"},
		"CommitteeState": {"PLANNED": "Prévu", "HELD": "Tenu", "CANCELLED": "Annulé"},
		"AgendaState":    {"PLANNED": "Prévu", "DUE": "À planifier"},
		"AttendeeRole": {
			"INTRAPRENEUR": "Intrapreneur", "TEAM": "Équipe", "SPONSOR": "Sponsor", "INCUBATOR_LEAD": "Direction de l'incubateur",
			"PORTFOLIO_MANAGER": "Responsable de portefeuille", "DINUM_BOARD": "Comité de direction de la DINUM",
			"USER_REPRESENTATIVE": "Représentant des usagers", "OTHER": "Autre",
		},
	}
	all := map[string]int{"Phase": len(Phases), "Decision": len(Decisions), "Domain": len(Domains), "MissionStatus": len(MissionStatuses), "Source": 2,
		"CommitteeState": len(CommitteeStates), "AgendaState": 2, "AttendeeRole": len(AttendeeRoles)}
	for enum, labels := range want {
		if len(labels) != all[enum] {
			t.Errorf("%s: %d labels tested, %d values", enum, len(labels), all[enum])
		}
		for v, l := range labels {
			if got, ok := EnumLabel(enum, v); !ok || got != l {
				t.Errorf("EnumLabel(%s, %s) = %q, %v; want %q", enum, v, got, ok, l)
			}
		}
	}
	for _, tt := range [][2]string{{"Phase", "construction"}, {"Phase", ""}, {"Decision", "Poursuite"}, {"Role", "ADMIN"}, {"OrderDirection", "ASC"}, {"", "IMPORTED"}} {
		if got, ok := EnumLabel(tt[0], tt[1]); ok || got != "" {
			t.Errorf("EnumLabel(%q, %q) = %q, %v; want none", tt[0], tt[1], got, ok)
		}
	}
	if YesNo(true) != "Oui" || YesNo(false) != "Non" {
		t.Errorf("YesNo: %q, %q", YesNo(true), YesNo(false))
	}
}
