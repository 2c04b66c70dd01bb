// Package frorder orders names as a French reader expects: accents and
// case do not move a name out of its letter (« Édouard » sits among the E,
// « Zoé » after « Zoe »: they decide only between names that are otherwise
// equal), ligatures read as their letters (« Œuvre » with « oeuvre »), and
// names compare word by word: a space, a hyphen or an apostrophe ends a
// word and sorts before any letter (« Jean-Luc », « Jean-Zoé », « Jeanne »;
// « L'Usine », « La Poste »), as French indexes do (« rien avant quelque
// chose »). It is the French collation of the Unicode Collation Algorithm
// (CLDR, punctuation not ignored), from golang.org/x/text/collate, not
// hand-written folding.
//
// Key makes a name's sort key: keys compare byte by byte in the names'
// order, so the database stores them beside the names and orders its
// lists, with paging, on an index of them. Compare orders names read into
// memory the same way. Both are safe for concurrent use.
package frorder

import (
	"bytes"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

// Version names the ordering Key follows: keys made under another version
// must be made again before they are compared with new ones. It changes
// with the collation tables (CLDR and Unicode versions of
// golang.org/x/text) and with the options below (the last number).
const Version = "fr cldr-" + collate.CLDRVersion + " unicode-" + collate.UnicodeVersion + " 1"

// collator is one collator with its buffer: a collate.Collator is not
// safe for concurrent use, so each goroutine takes one from the pool.
type collator struct {
	c   *collate.Collator
	buf collate.Buffer
}

var pool = sync.Pool{New: func() any { return &collator{c: collate.New(language.French)} }}

// Key returns the sort key of s: bytes.Compare(Key(a), Key(b)) is
// Compare(a, b). Texts that differ only in their Unicode normalisation
// (« é » written as one character or as e and a combining accent) have
// the same key.
func Key(s string) []byte {
	c := pool.Get().(*collator)
	k := bytes.Clone(c.c.KeyFromString(&c.buf, s))
	c.buf.Reset()
	pool.Put(c)
	return k
}

// Compare returns -1, 0 or 1 as a sorts before, with or after b in French
// order.
func Compare(a, b string) int {
	c := pool.Get().(*collator)
	n := c.c.CompareString(a, b)
	pool.Put(c)
	return n
}
