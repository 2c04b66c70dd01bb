package portfolio

import "testing"

func TestClassifyCommittee(t *testing.T) {
	const (
		cont  = DecisionContinue
		adj   = DecisionAdjust
		adv   = DecisionAdvance
		stop  = DecisionStop
		trans = DecisionTransfer
		unsp  = DecisionUnspecified
	)
	tests := []struct {
		comment string
		want    Decision
		phase   Phase
	}{
		// Empty and blank.
		{"", unsp, ""},
		{"   \n\t ", unsp, ""},

		// CONTINUE.
		{"Poursuite", cont, ""},
		{"poursuite du projet", cont, ""},
		{"  POURSUITE  ", cont, ""},
		{"Financements complémentaires pour continuer la construction jusqu'en Janvier 2026", cont, ""},
		{"Point d'étape pour poursuivre les travaux", cont, ""},
		{"Reconduction du budget pour 6 mois", cont, ""},

		// ADVANCE, with the phase moved to.
		{"passage en construction", adv, PhaseConstruction},
		{"Passage en construction", adv, PhaseConstruction},
		{"Validation du passage en construction", adv, PhaseConstruction},
		{" Validation du passage en construction  sur le volet «contentieux»", adv, PhaseConstruction},
		{"validation du prototype et passage en construction de la version V0", adv, PhaseConstruction},
		{"Lancement en phase de construction", adv, PhaseConstruction},
		{"lancement en phase d'accélération", adv, PhaseAcceleration},
		{"lancement en phase d’accélération", adv, PhaseAcceleration},
		{"Passage en accélération ", adv, PhaseAcceleration},
		{"PASSAGE EN ACCELERATION", adv, PhaseAcceleration},
		{"Passage en croissance", adv, PhaseAcceleration},
		{"✅ GO pour l'accélération du vivier", adv, PhaseAcceleration},
		{"Comité d'investigation, avis concluant pour un passage en phase de construction", adv, PhaseConstruction},
		{"Comité de fin d'investigation - Passage en construction", adv, PhaseConstruction},
		{"Passage de l'investigation à la construction", adv, PhaseConstruction},
		{"Lancement de la phase de consolidation", adv, PhaseConsolidation},
		{"Entrée\u00a0en\u00a0accélération", adv, PhaseAcceleration},
		{"Poursuite et passage en accélération", adv, PhaseAcceleration}, // CONTINUE gives way to ADVANCE
		{"Passage en construction. Passage en construction confirmé", adv, PhaseConstruction},

		// STOP.
		{"arrêt", stop, ""},
		{"Arrêt du produit", stop, ""},
		{"ARRET DU SERVICE", stop, ""},
		{"décision de mettre fin", stop, ""},
		{"Décision de mettre fin à l'accompagnement", stop, ""},
		{"Abandon du projet", stop, ""},
		{"Décision d'arrêter le service", stop, ""},
		{"Arrêt de l'investigation", stop, ""},

		// TRANSFER.
		{"transfert", trans, ""},
		{"Décision de transfert total à l'Anah", trans, ""},
		{"Décision de transférer le service à l'administration", trans, ""},
		{"Lancement en phase de transfert", trans, ""},

		// ADJUST.
		{"  Demande de retravailler la future phase", adj, ""},
		{"Réserves à travailler (budget et capacité d'embauche de freelance)", adj, ""},
		{"Prolongement de l'investigation jusqu'à mi avril", adj, ""},
		{"Prolongation de la phase de construction", adj, ""},
		{"Poursuite avec réserves à lever", adj, ""}, // CONTINUE gives way to ADJUST

		// Unclear wording.
		{"Comité d'investissement", unsp, ""},
		{"1er comité d'investissement", unsp, ""},
		{"Comité d'investissement #2", unsp, ""},
		{"https://docs.numerique.gouv.fr/docs/53f0faa3/", unsp, ""},
		{"Comité de fin d'investigation", unsp, ""},
		{"fin d'investigation", unsp, ""},
		{"Comité de fin de la 1ère phase de construction", unsp, ""},
		{"GO du comité pour un KO le 01/09/2025", unsp, ""},
		{"construction", unsp, ""}, // a bare phase name records no move
		{"Construction du MVP", unsp, ""},
		{"Kick-off de l'investigation", unsp, ""},
		{"Passage en expérimentation", unsp, ""},
		{"Passage en comité d'investissement ALLiaNCE", unsp, ""},
		{"Décision de mettre le produit en maintenance", unsp, ""},
		{"Date à arrêter", unsp, ""},
		{"Chantiers engagés vers la pérennisation", unsp, ""},
		{"Acceptation d'une phase exploratoire complémentaire", unsp, ""},

		// Negations, hedges and conditions.
		{"Pas d'arrêt", unsp, ""},
		{"Non-passage en construction", unsp, ""},
		{"Le comité ne valide pas le passage en construction", unsp, ""},
		{"Refus du passage en accélération", unsp, ""},
		{"Passage en construction refusé", unsp, ""},
		{"Passage en construction reporté", unsp, ""},
		{"Passage en construction sous réserve du recrutement", unsp, ""},
		{"Proposition de passage en accélération", unsp, ""},
		{"Passage en construction ?", unsp, ""},
		{"Comité d'investigation, avis non-concluant pour un passage en phase de construction, poursuite dans un cadre local", unsp, ""},
		{"L'investigation n'est plus poursuivie", unsp, ""},

		// Mixed wording.
		{"arrêt de l'investigation et passage en construction", unsp, ""},
		{"Transfert ou arrêt", unsp, ""},
		{"Poursuite ou arrêt du produit", unsp, ""},
		{"Acceptation du passage en phase de construction/ accélération", unsp, ""},
		{"Passage en construction, puis passage en accélération", unsp, ""},
		{"Comité de fin d'investigation. Validé pour poursuite / construction MVP", unsp, ""},
		{"✅ Transfert de la partie «Promotion de Profil» à une direction métier", unsp, ""},
		{"Arrêt partiel du service", unsp, ""},
		{"Transfert de compétences à l'équipe interne", unsp, ""},
		{"Poursuite malgré l'arrêt maladie de l'intrapreneuse", cont, ""},
		{"Transfert de compétences puis transfert du service à la DGFiP", trans, ""},
		{"Passage en accélération avec réserves à lever", unsp, ""},
	}
	for _, tt := range tests {
		gotD, gotP := ClassifyCommittee(tt.comment)
		if gotD != tt.want || gotP != tt.phase {
			t.Errorf("ClassifyCommittee(%q) = %s, %q; want %s, %q", tt.comment, gotD, gotP, tt.want, tt.phase)
		}
	}
}

// TestClassifyCommitteeInvariants checks that only ADVANCE carries a phase,
// that the phase is an active one, and that the answer is always valid.
func TestClassifyCommitteeInvariants(t *testing.T) {
	for _, c := range []string{
		"", "Poursuite", "passage en construction", "Passage en consolidation",
		"Passage en investigation", "arrêt", "transfert", "retravailler", "n'importe quoi",
	} {
		d, p := ClassifyCommittee(c)
		if !d.Valid() {
			t.Errorf("ClassifyCommittee(%q) decision %q is not valid", c, d)
		}
		if (d == DecisionAdvance) != (p != "") {
			t.Errorf("ClassifyCommittee(%q) = %s, %q: a phase goes with ADVANCE and only with it", c, d, p)
		}
		if p != "" && !p.Active() {
			t.Errorf("ClassifyCommittee(%q) phase %s is not an active phase", c, p)
		}
	}
}
