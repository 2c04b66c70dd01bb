package portfolio

import (
	"regexp"
	"strings"
	"unicode"
)

// The committee comment rules below read text that Fold has lowered and
// stripped of accents and whose runs of white space are single spaces.
var (
	// classifyHedge marks a negated, refused, postponed, conditional or
	// merely proposed decision: no confident answer can be read from it.
	classifyHedge = regexp.MustCompile(`\b(?:non|pas|ne|ni|aucun|aucune|jamais|ko|` +
		`refus|refuse|refusee|rejet|rejete|rejetee|` +
		`report|reporte|reportee|ajourne|ajournee|ajournement|` +
		`suspendu|suspendue|suspension|attente|` +
		`eventuel|eventuelle|eventuellement|envisage|envisagee|envisager|` +
		`propose|proposee|proposition|` +
		`sous reserves?|sous conditions?|a condition|` +
		`a confirmer|a valider|a decider|a definir|a arreter)\b|\bn'|\?`)

	// classifyPartial marks a decision about part of a product only: a
	// partial transfer or stop does not end the startup's incubation.
	classifyPartial = regexp.MustCompile(`\b(?:partie|parties|partiel|partielle|partiels|partielles|partiellement)\b`)

	// classifyPhaseEnd marks the end of a phase ("fin d'investigation",
	// "fin de la 1ere phase"), after which "poursuite" may mean going on to
	// the next phase as well as staying.
	classifyPhaseEnd = regexp.MustCompile(`\bfin (?:de|du|d')`)

	// classifyIdiom are phrases that look like a decision and are not one
	// (knowledge transfer, sick leave); they are removed before matching.
	classifyIdiom = regexp.MustCompile(`\btransferts? (?:de|des) (?:competences|connaissances|savoir-faire)\b|` +
		`\barrets? (?:maladie|de travail)\b`)

	classifyContinue = regexp.MustCompile(`\b(?:poursuite|poursuivre|continuer|continuation|reconduction|reconduit|reconduite)\b`)

	classifyAdjust = regexp.MustCompile(`\b(?:retravailler|` +
		`reserves? a (?:travailler|lever)|avec reserves?|` +
		`prolongement|prolongation|prolonger|prolonge|prolongee|` +
		`ajustement|ajustements|ajuster|` +
		`reorientation|reorienter)\b`)

	classifyStop = regexp.MustCompile(`\b(?:arret|d' ?arreter|` +
		`(?:mettre|met|mis|mise|mettant) fin|` +
		`abandon|abandonne|abandonnee|abandonner|` +
		`cessation|fermeture|` +
		`(?:service|produit|projet) arrete)\b`)

	classifyTransfer = regexp.MustCompile(`\btransfer(?:t|ts|er|e|ee|es|ees)?\b`)

	// classifyAdvance is a move word followed by where to: "passage en
	// construction", "passage en phase d'acceleration", "lancement en phase
	// de construction", "GO pour l'acceleration", "passage de
	// l'investigation a la construction", and a second target joined by
	// "/", "ou", "et" or "," ("passage en construction/ acceleration"), which
	// makes the answer ambiguous.
	classifyAdvance = regexp.MustCompile(`\b(?:passage|passer|transition|bascule|basculer|` +
		`entree|entrer|lancement|lancer|demarrage|demarrer|go|feu vert) ` +
		`(?:(?:de |d' ?|du )` + phaseTarget + `(?:` + phaseWords + `) )?` +
		`(?:en|vers|dans|a|au|pour) ` + phaseTarget + `(` + phaseWords + `)` +
		`(?: ?(?:/|,|ou|et) ?` + phaseTarget + `(` + phaseWords + `))?\b`)

	// classifyLaunch is a launch of a named phase: "lancement de la
	// construction", "demarrage de la phase d'acceleration".
	classifyLaunch = regexp.MustCompile(`\b(?:lancement|lancer|demarrage|demarrer) ` +
		`(?:de (?:la |l' ?)?|d' ?|du )(?:phase (?:de |d' ?))?(` + phaseWords + `)\b`)
)

const (
	// phaseTarget is what may stand between a move word and a phase name.
	phaseTarget = `(?:la |l' ?)?(?:phase (?:de (?:la |l' ?)?|d' ?))?(?:l' ?)?`
	// phaseWords are the phase names a committee can move a startup to.
	// "croissance" is the older name of acceleration.
	phaseWords = `construction|acceleration|croissance|consolidation|investigation`
)

var classifyPhases = map[string]Phase{
	"construction":  PhaseConstruction,
	"acceleration":  PhaseAcceleration,
	"croissance":    PhaseAcceleration,
	"consolidation": PhaseConsolidation,
	"investigation": PhaseInvestigation,
}

// ClassifyCommittee reads the free-text comment of an imported committee
// event and returns the decision it records and, for an advance, the phase
// decided. Anything unclear is DecisionUnspecified with no phase.
//
// The comment is compared after Fold and with white space collapsed. The
// rules are deliberately conservative:
//
//   - ADVANCE needs a move word and a phase name: "passage en construction",
//     "lancement en phase d'accélération", "GO pour l'accélération",
//     "lancement de la construction"; "croissance" counts as accélération.
//     A bare phase name ("construction") is not a decision. Two different
//     target phases ("passage en construction/ accélération") are unclear.
//   - STOP: "arrêt", "d'arrêter", "mettre fin", "abandon", "cessation",
//     "fermeture", "service arrêté".
//   - TRANSFER: "transfert", "transférer".
//   - ADJUST: "retravailler", "réserves à travailler/lever", "avec
//     réserves", "prolongement", "prolongation", "ajustement",
//     "réorientation".
//   - CONTINUE: "poursuite", "poursuivre", "continuer", "reconduction".
//
// Precedences: CONTINUE gives way to ADVANCE or ADJUST when both are read
// ("poursuite et passage en construction" is an advance, "poursuite avec
// réserves à travailler" an adjustment). Any other two different decisions
// give UNSPECIFIED ("arrêt de l'investigation et passage en construction").
// A negation, refusal, postponement, condition or proposal ("non", "pas",
// "refus", "report", "sous réserve", "proposition", "KO", a question mark)
// gives UNSPECIFIED, and so does a STOP or TRANSFER about part of a product
// ("transfert de la partie …") and a CONTINUE next to the end of a phase
// ("fin d'investigation, validé pour poursuite"). "Transfert de compétences"
// and "arrêt maladie" are not decisions.
func ClassifyCommittee(comment string) (Decision, Phase) {
	s := classifyIdiom.ReplaceAllString(normaliseComment(comment), " ")
	if s == "" || classifyHedge.MatchString(s) {
		return DecisionUnspecified, ""
	}

	found := map[Decision]bool{}
	var phase Phase
	ambiguous := false
	setPhase := func(p Phase) {
		if phase != "" && phase != p {
			ambiguous = true
		}
		phase = p
	}
	for _, m := range classifyAdvance.FindAllStringSubmatch(s, -1) {
		found[DecisionAdvance] = true
		setPhase(classifyPhases[m[1]])
		if m[2] != "" {
			setPhase(classifyPhases[m[2]])
		}
	}
	for _, m := range classifyLaunch.FindAllStringSubmatch(s, -1) {
		found[DecisionAdvance] = true
		setPhase(classifyPhases[m[1]])
	}
	if ambiguous {
		return DecisionUnspecified, ""
	}
	partial := classifyPartial.MatchString(s)
	if classifyStop.MatchString(s) {
		if partial {
			return DecisionUnspecified, ""
		}
		found[DecisionStop] = true
	}
	if classifyTransfer.MatchString(s) {
		if partial {
			return DecisionUnspecified, ""
		}
		found[DecisionTransfer] = true
	}
	if classifyAdjust.MatchString(s) {
		found[DecisionAdjust] = true
	}
	if classifyContinue.MatchString(s) {
		found[DecisionContinue] = true
	}

	if found[DecisionContinue] && (found[DecisionAdvance] || found[DecisionAdjust]) {
		delete(found, DecisionContinue)
	}
	if len(found) != 1 {
		return DecisionUnspecified, ""
	}
	for d := range found {
		switch d {
		case DecisionAdvance:
			return d, phase
		case DecisionContinue:
			if classifyPhaseEnd.MatchString(s) {
				return DecisionUnspecified, ""
			}
		}
		return d, ""
	}
	return DecisionUnspecified, ""
}

// normaliseComment folds s and collapses its white space (including
// no-break spaces) to single spaces, trimmed.
func normaliseComment(s string) string {
	return strings.Join(strings.FieldsFunc(Fold(s), unicode.IsSpace), " ")
}
