package frorder

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestOrder sorts tables of names, shuffled, with Compare and with Key,
// and wants the order a French reader expects.
func TestOrder(t *testing.T) {
	for _, c := range []struct {
		name string
		want []string // in order
	}{
		{"accents stay in their letter", []string{"Anne", "Édouard", "Élie", "Emma", "Zoe", "Zoé", "Zoéline"}},
		{"byte order would put them last", []string{"Éric", "Eve", "Ève", "Evelyne", "Florent"}},
		{"case and accent decide only between equal letters", []string{"emile", "Emile", "Émile", "ÉMILE", "Emilie"}},
		{"accents compared from the start", []string{"cote", "coté", "côte", "côté", "cotes"}},
		{"ligatures read as their letters", []string{"aether", "Æther", "aetiologie", "oeuvre", "Œuvre", "Oeuvres", "ouvrage"}},
		// Word by word: a space, a hyphen or an apostrophe ends a word, and
		// a shorter word comes first (« rien avant quelque chose »).
		{"word by word", []string{"Jean Luc", "Jean-Luc", "Jean-Zoé", "Jeanne", "Jeannette"}},
		{"apostrophes end a word", []string{"L'Arrosoir", "L'Usine", "La Bonne Boîte", "Lamie", "Le Marché"}},
		{"digits before letters", []string{"1 jeune 1 solution", "3D", "Aides", "Zoom"}},
		{"ç and ß", []string{"Français", "France", "François", "Strasse", "Straße", "Strassen"}},
		{"the issue's names", []string{"Adèle", "Édouard", "Élie", "Zoé"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			for range 5 {
				got := slices.Clone(c.want)
				r.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
				slices.SortFunc(got, Compare)
				if !slices.Equal(got, c.want) {
					t.Errorf("Compare: %q, want %q", got, c.want)
				}
				r.Shuffle(len(got), func(i, j int) { got[i], got[j] = got[j], got[i] })
				slices.SortFunc(got, func(a, b string) int { return bytes.Compare(Key(a), Key(b)) })
				if !slices.Equal(got, c.want) {
					t.Errorf("Key: %q, want %q", got, c.want)
				}
			}
		})
	}
}

// TestKeyAgreesWithCompare checks every pair of a set of names.
func TestKeyAgreesWithCompare(t *testing.T) {
	names := []string{"", " ", "a", "A", "à", "Ä", "ab", "æ", "ae", "Œ", "oe", "e\u0301", "é", "É", "L'a", "La", "l-a", "la",
		"Zoé", "zoe", "ZOE", "Ñ", "n", "ß", "ss", "日本", "🙂", "x\u00a0y", "x y", "1", "10", "9"}
	for _, a := range names {
		for _, b := range names {
			if c, k := Compare(a, b), bytes.Compare(Key(a), Key(b)); c != k {
				t.Errorf("%q vs %q: Compare %d, keys %d", a, b, c, k)
			}
		}
	}
	if !bytes.Equal(Key("e\u0301"), Key("é")) {
		t.Errorf("a decomposed é has another key than a composed one")
	}
}

// TestConcurrent uses the pool from many goroutines (run with -race).
func TestConcurrent(t *testing.T) {
	want := Key("Édouard")
	done := make(chan bool)
	for range 8 {
		go func() {
			ok := true
			for range 200 {
				ok = ok && bytes.Equal(Key("Édouard"), want) && Compare("Élie", "Zoé") < 0
			}
			done <- ok
		}()
	}
	for range 8 {
		if !<-done {
			t.Errorf("a concurrent Key or Compare answered otherwise")
		}
	}
}

func BenchmarkKey(b *testing.B) {
	for b.Loop() {
		Key("Marie-Hélène de La Tour d'Auvergne")
	}
}
