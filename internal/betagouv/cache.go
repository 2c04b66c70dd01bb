package betagouv

import (
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Cache holds parsed files across reads (Options.Cache), keyed by their
// kind, path and content (or the name of their content, Options.ContentKey).
// It is safe for concurrent use and grows with the distinct files it sees;
// Prune bounds it. Save and LoadCache keep it in a file between runs of
// the program: only the program that saved it may load it (a newer parser
// may read the same file otherwise).
type Cache struct {
	mu      sync.Mutex
	m       map[[sha256.Size]byte]parsed
	used    map[[sha256.Size]byte]bool // since the last Prune
	changed bool                       // since the last Save or LoadCache
}

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{m: map[[sha256.Size]byte]parsed{}, used: map[[sha256.Size]byte]bool{}}
}

// Len returns the number of files the cache holds.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// Changed reports whether the cache gained or lost files since it was
// loaded or saved.
func (c *Cache) Changed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.changed
}

// Prune forgets the files that no read used since the previous Prune.
func (c *Cache) Prune() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.m {
		if !c.used[k] {
			delete(c.m, k)
			c.changed = true
		}
	}
	clear(c.used)
}

func contentKey(j job, data []byte) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte{byte(j.kind), 'c'})
	h.Write([]byte(j.rel))
	h.Write([]byte{0})
	h.Write(data)
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func namedKey(j job, name string) [sha256.Size]byte {
	h := sha256.New()
	h.Write([]byte{byte(j.kind), 'n'})
	h.Write([]byte(j.rel))
	h.Write([]byte{0})
	h.Write([]byte(name))
	var k [sha256.Size]byte
	h.Sum(k[:0])
	return k
}

func (c *Cache) get(k [sha256.Size]byte) (parsed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p, ok := c.m[k]
	if ok {
		c.used[k] = true
	}
	return p, ok
}

func (c *Cache) put(k [sha256.Size]byte, p parsed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[k] = p
	c.used[k] = true
	c.changed = true
}

// parse returns what data parses to, from the cache when it holds it.
// What parsing returns is never changed afterwards (assemble works on
// copies), so one result may serve several reads.
func (c *Cache) parse(j job, data []byte) parsed {
	if c == nil {
		return parseData(j.kind, j.slug, j.rel, data)
	}
	k := contentKey(j, data)
	if p, ok := c.get(k); ok {
		return p
	}
	p := parseData(j.kind, j.slug, j.rel, data)
	c.put(k, p)
	return p
}

// The cache's file holds each parsed file in this exported form (gob
// reads and writes exported fields only). TestCacheWireCoversParsed
// checks that it holds every field of the types parsing returns.
type (
	wireEntry struct {
		Key       [sha256.Size]byte
		Problems  []Problem
		Phase     *wirePhase
		Org       *portfolio.Organisation
		Incubator *wireIncubator
		Team      *portfolio.Team
		Startup   *wireStartup
		Member    *portfolio.Member
	}
	wirePhase struct {
		Slug, Status, Label string
		Def                 *portfolio.PhaseDefinition
	}
	wireIncubator struct {
		Incubator portfolio.Incubator
		Owner     *wireOrgRef
	}
	wireStartup struct {
		Startup  portfolio.Startup
		File     string
		Sponsors []wireOrgRef
		Owner    *wireOrgRef
		Mapped   []int // indices in portfolio.PhaseMappings: the entries are counted by identity
		Unknown  []wireUnknownPhase
	}
	wireUnknownPhase struct {
		Field, Name string
	}
	wireOrgRef struct {
		Field, Text, Slug string
		Path              bool
		Inline            *portfolio.Organisation
	}
	wireHeader struct {
		Format  int
		Version string
		Entries int
	}
)

// cacheFormat is the version of the cache file's layout.
const cacheFormat = 2

func toWireRef(r *orgRef) *wireOrgRef {
	if r == nil {
		return nil
	}
	return &wireOrgRef{Field: r.field, Text: r.text, Slug: r.slug, Path: r.path, Inline: r.inline}
}

func fromWireRef(r *wireOrgRef) *orgRef {
	if r == nil {
		return nil
	}
	return &orgRef{field: r.Field, text: r.Text, slug: r.Slug, path: r.Path, inline: r.Inline}
}

func toWire(k [sha256.Size]byte, p parsed) wireEntry {
	e := wireEntry{Key: k, Problems: p.problems, Org: p.org, Team: p.team, Member: p.member}
	if p.phase != nil {
		e.Phase = &wirePhase{Slug: p.phase.slug, Status: p.phase.status, Label: p.phase.label, Def: p.phase.def}
	}
	if p.incubator != nil {
		e.Incubator = &wireIncubator{Incubator: p.incubator.Incubator, Owner: toWireRef(p.incubator.owner)}
	}
	if p.startup != nil {
		s := &wireStartup{Startup: p.startup.Startup, File: p.startup.file, Owner: toWireRef(p.startup.owner)}
		for i := range p.startup.sponsors {
			s.Sponsors = append(s.Sponsors, *toWireRef(&p.startup.sponsors[i]))
		}
		for _, m := range p.startup.mapped {
			s.Mapped = append(s.Mapped, mappingIndex(m))
		}
		for _, u := range p.startup.unknown {
			s.Unknown = append(s.Unknown, wireUnknownPhase{Field: u.field, Name: u.name})
		}
		e.Startup = s
	}
	return e
}

func fromWire(e wireEntry) parsed {
	p := parsed{problems: e.Problems, org: e.Org, team: e.Team, member: e.Member}
	if e.Phase != nil {
		p.phase = &phaseRec{slug: e.Phase.Slug, status: e.Phase.Status, label: e.Phase.Label, def: e.Phase.Def}
	}
	if e.Incubator != nil {
		p.incubator = &incubatorRec{Incubator: e.Incubator.Incubator, owner: fromWireRef(e.Incubator.Owner)}
	}
	if e.Startup != nil {
		s := &startupRec{Startup: e.Startup.Startup, file: e.Startup.File, owner: fromWireRef(e.Startup.Owner)}
		for i := range e.Startup.Sponsors {
			s.sponsors = append(s.sponsors, *fromWireRef(&e.Startup.Sponsors[i]))
		}
		for _, i := range e.Startup.Mapped {
			if i >= 0 && i < len(portfolio.PhaseMappings) {
				s.mapped = append(s.mapped, &portfolio.PhaseMappings[i])
			}
		}
		for _, u := range e.Startup.Unknown {
			s.unknown = append(s.unknown, unknownPhase{field: u.Field, name: u.Name})
		}
		p.startup = s
	}
	return p
}

// mappingIndex is the index of m in portfolio.PhaseMappings, -1 if none.
func mappingIndex(m *portfolio.PhaseMapping) int {
	for i := range portfolio.PhaseMappings {
		if &portfolio.PhaseMappings[i] == m {
			return i
		}
	}
	return -1
}

// Save writes the cache to w, marked with version: the identity of the
// program that parsed (LoadCache refuses another).
func (c *Cache) Save(w io.Writer, version string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	enc := gob.NewEncoder(w)
	if err := enc.Encode(wireHeader{Format: cacheFormat, Version: version, Entries: len(c.m)}); err != nil {
		return fmt.Errorf("betagouv: save the cache: %w", err)
	}
	for k, p := range c.m {
		if err := enc.Encode(toWire(k, p)); err != nil {
			return fmt.Errorf("betagouv: save the cache: %w", err)
		}
	}
	c.changed = false
	return nil
}

// ErrCacheVersion is returned (wrapped) by LoadCache for a file another
// program, or another layout, wrote.
var ErrCacheVersion = errors.New("the cache was written by another version of the program")

// LoadCache reads a cache that Save wrote with the same version.
func LoadCache(r io.Reader, version string) (*Cache, error) {
	dec := gob.NewDecoder(r)
	var h wireHeader
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("betagouv: load the cache: %w", err)
	}
	if h.Format != cacheFormat || h.Version != version {
		return nil, fmt.Errorf("betagouv: load the cache: %w", ErrCacheVersion)
	}
	c := NewCache()
	for range h.Entries {
		var e wireEntry
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("betagouv: load the cache: %w", err)
		}
		c.m[e.Key] = fromWire(e)
	}
	return c, nil
}
