package portfolio

import "testing"

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"acceleration", "acceleration"},
		{"Accélération", "acceleration"},
		{"ACCÉLÉRATION", "acceleration"},
		{"Déploiement", "deploiement"},
		{"DÉPLOIEMENT", "deploiement"},
		{"Développement", "developpement"},
		{"Opéré au sein du réseau", "opere au sein du reseau"},
		{"Service arrêté", "service arrete"},
		{"ÀÂÄÉÈÊËÎÏÔÖÙÛÜŸÇ", "aaaeeeeiioouuuyc"},
		{"àâäéèêëîïôöùûüÿç", "aaaeeeeiioouuuyc"},
		{"Œuvre", "oeuvre"},
		{"cœur", "coeur"},
		{"Ça", "ca"},
		{"Noël, maïs", "noel, mais"},
		{"Straße", "strasse"},
		{"Ærø", "aero"},
		{"l’équipe", "l'equipe"},
		{"dʼinvestigation", "d'investigation"},
		{"‘Produit’", "'produit'"},
		{"Comité d'investissement #1", "comite d'investissement #1"},
		{"ABC-123 xyz", "abc-123 xyz"},
		{"«contentieux»", "«contentieux»"},
		{"日本", "日本"},
		{"a\u00a0b", "a\u00a0b"}, // white space is left alone
	}
	for _, tt := range tests {
		got := Fold(tt.in)
		if got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if again := Fold(got); again != got {
			t.Errorf("Fold(Fold(%q)) = %q, want %q (idempotent)", tt.in, again, got)
		}
	}
}

func TestFoldEqual(t *testing.T) {
	pairs := [][2]string{
		{"Accélération", "acceleration"},
		{"INTRAPRENARIAT", "Intraprenariat"},
		{"Transféré", "transfere"},
		{"l’investigation", "l'investigation"},
	}
	for _, p := range pairs {
		if Fold(p[0]) != Fold(p[1]) {
			t.Errorf("Fold(%q) = %q and Fold(%q) = %q differ", p[0], Fold(p[0]), p[1], Fold(p[1]))
		}
	}
}

// TestFoldDecomposed checks accents written as a base letter and a combining
// mark (Unicode NFD), as some records of the network's content hold them
// (e.g. "éle\u0300ves" in a startup description).
func TestFoldDecomposed(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acce\u0301le\u0301ration", "acceleration"},
		{"e\u0301le\u0300ves", "eleves"},
		{"Franc\u0327ais", "francais"},
		{"E\u0301TAT", "etat"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
