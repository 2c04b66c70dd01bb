package server

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// responseCache keeps the answers of read-only requests, keyed by the
// request body, the caller and the day: dashboards ask the same questions
// again and again, and an answer is the same until a write changes what it
// read.
//
// What an answer read is what its SQL statements named (sqlite.Stats.Reads):
// the kinds of records of their tables (a startup page reads startups,
// phases, committees, missions and members), and whether they read
// anything the change feed does not describe (the origin, the audit log:
// volatile). A write drops only the answers that read its kind of record:
// when the database's version moves (at once for this process's writes,
// within a quarter of a second for another process's, at each position a
// replica applies), the cache reads the change feed past the position it
// saw last (sqlite.ChangesSince) and drops the answers whose kinds a change
// names, and the volatile ones. An answer about one startup alone
// (startupScope) stays across the writes of other startups and of their
// committees. A Dataset change (an import, a sync), a gap in the feed, or
// a feed that cannot be read drops everything.
//
// An answer made while a write it read was being caught up with is not
// kept: each entry is kept only if no drop touching its kinds happened
// since its request caught up (epochs).
type responseCache struct {
	db       *sqlite.DB
	maxBytes int
	// dropAll drops every answer at each version, as the cache did before
	// it read the change feed (tests measure the difference).
	dropAll bool

	mu      sync.Mutex
	bytes   int
	lru     *list.List // of *cacheEntry, most recent first
	entries map[[32]byte]*list.Element
	hits    int64
	misses  int64

	// Invalidation: caughtUp is the database version the cache has read
	// the feed up to, seen the feed's position then; epoch counts the
	// catch-ups; dropped[k] is the epoch of the last catch-up that dropped
	// the answers of kind bit k, volatileAt that of the last one (every
	// catch-up drops the volatile answers).
	syncMu     sync.Mutex // one catch-up at a time
	caughtUp   string
	seen       int64
	epoch      uint64
	dropped    [32]uint64
	volatileAt uint64
	dropsAll   int64 // catch-ups that dropped everything
}

type cacheEntry struct {
	key      [32]byte
	mask     uint32 // the kinds of records it read (sqlite.KindMask)
	volatile bool
	// scope is the startup the answer is about alone: the writes of
	// other startups and of their committees leave it (startupScope).
	scope string
	body  []byte
	ctype string
}

// maxCachedAnswer is the largest answer the cache keeps.
const maxCachedAnswer = 8 << 20

// feedBatch is how many changes one catch-up reads; more drop everything.
const feedBatch = 1000

func newResponseCache(db *sqlite.DB, maxBytes int) *responseCache {
	return &responseCache{db: db, maxBytes: maxBytes, lru: list.New(), entries: map[[32]byte]*list.Element{}}
}

// catchUp brings the cache to the database's version: it drops the
// answers the writes since touched, and returns the epoch the request
// starts from.
func (c *responseCache) catchUp(ctx context.Context) (uint64, error) {
	version, err := c.db.Version(ctx)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	if version == c.caughtUp {
		e := c.epoch
		c.mu.Unlock()
		return e, nil
	}
	c.mu.Unlock()
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	c.mu.Lock()
	if version == c.caughtUp {
		e := c.epoch
		c.mu.Unlock()
		return e, nil
	}
	first, seen := c.caughtUp == "", c.seen
	c.mu.Unlock()
	cs := changeScope{startups: map[string]bool{}, committees: map[string]bool{}}
	all := c.dropAll
	var newest int64
	if first {
		// An empty cache: it starts from the feed's newest position.
		newest, err = c.db.ChangePosition(ctx)
		if err != nil {
			return 0, err
		}
	} else {
		changes, pos, gap, err := c.db.ChangesSince(ctx, seen, feedBatch)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return 0, err
			}
			all, pos = true, seen // the next catch-up reads again
		case gap || len(changes) == feedBatch:
			all = true
			if gap {
				pos, err = c.db.ChangePosition(ctx) // go on from the newest
				if err != nil {
					pos = seen
				}
			}
		}
		for _, ch := range changes {
			cs.add(ch)
		}
		newest = pos
		if len(changes) == feedBatch {
			newest = changes[len(changes)-1].Seq
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.epoch++
	c.volatileAt = c.epoch
	if all {
		cs.all, cs.others = ^uint32(0), ^uint32(0)
		c.dropsAll++
	}
	for bit := range c.dropped {
		if cs.all&(1<<bit) != 0 {
			c.dropped[bit] = c.epoch
		}
	}
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if e := el.Value.(*cacheEntry); e.volatile || e.mask&cs.maskFor(e.scope) != 0 {
			c.remove(el)
		}
		el = next
	}
	c.caughtUp, c.seen = version, newest
	return c.epoch, nil
}

func (c *responseCache) get(key [32]byte) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		c.misses++
		return nil
	}
	c.lru.MoveToFront(el)
	c.hits++
	return el.Value.(*cacheEntry)
}

func (c *responseCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= len(e.body)
}

// put keeps e, unless a catch-up since epoch (when its request started)
// dropped answers of what it read: it may hold what the write changed, or
// not.
func (c *responseCache) put(e *cacheEntry, epoch uint64) {
	if len(e.body) > maxCachedAnswer || len(e.body) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e.volatile && c.volatileAt > epoch {
		return
	}
	for bit := range c.dropped {
		if e.mask&(1<<bit) != 0 && c.dropped[bit] > epoch {
			return
		}
	}
	if el, ok := c.entries[e.key]; ok {
		c.remove(el)
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.bytes += len(e.body)
	for c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
}

// stats returns the hits and misses counted.
func (c *responseCache) stats() (hits, misses int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses
}

// recorder keeps a copy of what the handler writes.
type recorder struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.buf.Len() <= maxCachedAnswer {
		r.buf.Write(b)
	}
	return r.ResponseWriter.Write(b)
}

// middleware answers from the cache when it can, and stores the answers of
// successful queries (never mutations, never answers with errors: an error
// may be passing, such as a timeout).
func (c *responseCache) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Body == nil {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(r.Body) // already bounded by guardHTTP
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		epoch, err := c.catchUp(r.Context())
		if err != nil {
			next.ServeHTTP(w, r)
			return
		}
		id := portfolio.IdentityFrom(r.Context())
		h := sha256.New()
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], uint64(id.TokenID))
		h.Write(b[:])
		h.Write([]byte(id.Role))
		h.Write([]byte(portfolio.Today().String()))
		h.Write([]byte(r.Header.Get("Content-Type")))
		h.Write([]byte(r.Header.Get("Accept")))
		h.Write(body)
		var key [32]byte
		h.Sum(key[:0])
		if e := c.get(key); e != nil {
			w.Header().Set("Content-Type", e.ctype)
			w.Header().Set("Content-Length", strconv.Itoa(len(e.body)))
			w.Header().Set("X-Portfolio-Cache", "hit")
			w.Write(e.body)
			if info := infoFrom(r.Context()); info != nil {
				info.mu.Lock()
				info.cacheHit = true
				info.mu.Unlock()
			}
			return
		}
		w.Header().Set("X-Portfolio-Cache", "miss")
		rec := &recorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		info := infoFrom(r.Context())
		if info == nil || rec.status != http.StatusOK || rec.buf.Len() > maxCachedAnswer {
			return
		}
		info.mu.Lock()
		ok := info.readOnly && info.errCode == "" && info.stats != nil
		stats, scope := info.stats, info.scope
		info.mu.Unlock()
		if ok {
			mask, volatile := stats.Reads()
			if scope != "" {
				// Scoped only to a startup of that slug: one found by a
				// former slug is another's.
				if exists, err := c.db.StartupSlugExists(context.WithoutCancel(r.Context()), scope); err != nil || !exists {
					scope = ""
				}
			}
			c.put(&cacheEntry{key: key, mask: mask, volatile: volatile, scope: scope, body: bytes.Clone(rec.buf.Bytes()), ctype: w.Header().Get("Content-Type")}, epoch)
		}
	})
}

// ---------------------------------------------------------------- answers about one startup

// A query about one startup alone (startup(slug: S) at its root, and
// under it nothing that reads other startups or their committees) is kept
// across the writes of other startups and of their committees: its
// answer is scoped to S. Changes of the other kinds it read (its team's
// members, its incubator…) drop it as they drop any answer that read them.

// scopeTypes are the types the selection under the startup may reach:
// they read the startup's own rows, or records of other kinds (members,
// missions, incubators, organisations, teams), never other startups nor
// their committees. Committee only right under the startup (its own).
var scopeTypes = map[string]bool{
	"PhasePeriod": true, "TeamMembership": true, "MissionConnection": true, "MissionEdge": true, "PageInfo": true,
	"Mission": true, "Member": true, "Team": true, "Incubator": true, "Organisation": true,
	"Committee": true, "CommitteeAttendee": true, "CommitteeAsk": true, "StartupEvent": true, "Fast": true, "Accessibility": true,
}

// startupScope returns the slug of the startup op asks about alone, or "".
func startupScope(op *graphql.OperationContext) string {
	if op.Operation == nil || op.Operation.Operation != ast.Query {
		return ""
	}
	frags := fragmentsOf(op.Doc)
	slug := ""
	var roots func(set ast.SelectionSet) bool
	roots = func(set ast.SelectionSet) bool {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				if s.Name == "__typename" {
					continue
				}
				if s.Name != "startup" || s.Definition == nil {
					return false
				}
				v, ok := s.ArgumentMap(op.Variables)["slug"].(string)
				if !ok || v == "" || (slug != "" && v != slug) {
					return false
				}
				slug = v
				if !scoped(s.SelectionSet, "Startup", frags, map[string]bool{}) {
					return false
				}
			case *ast.InlineFragment:
				if !roots(s.SelectionSet) {
					return false
				}
			case *ast.FragmentSpread:
				f := frags[s.Name]
				if f == nil || !roots(f.SelectionSet) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	if !roots(op.Operation.SelectionSet) {
		return ""
	}
	return slug
}

// scoped reports whether a selection of an object of type parent reaches
// only scopeTypes (Committee only under Startup).
func scoped(set ast.SelectionSet, parent string, frags map[string]*ast.FragmentDefinition, open map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if len(s.SelectionSet) == 0 {
				continue // a scalar or an enum of the object's own
			}
			if s.Definition == nil {
				return false
			}
			t := s.Definition.Type.Name()
			if !scopeTypes[t] || (t == "Committee" && parent != "Startup") {
				return false
			}
			if !scoped(s.SelectionSet, t, frags, open) {
				return false
			}
		case *ast.InlineFragment:
			if !scoped(s.SelectionSet, parent, frags, open) {
				return false
			}
		case *ast.FragmentSpread:
			f := frags[s.Name]
			if f == nil || open[s.Name] {
				return false
			}
			open[s.Name] = true
			ok := scoped(f.SelectionSet, parent, frags, open)
			delete(open, s.Name)
			if !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// scopeNote notes in the request's info the startup its query asks about
// alone, for the response cache.
type scopeNote struct{}

var _ graphql.OperationContextMutator = scopeNote{}

// ExtensionName names the extension.
func (scopeNote) ExtensionName() string { return "StartupScope" }

// Validate does nothing.
func (scopeNote) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext notes the scope; it refuses nothing.
func (scopeNote) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if info := infoFrom(ctx); info != nil {
		if s := startupScope(op); s != "" {
			info.mu.Lock()
			info.scope = s
			info.mu.Unlock()
		}
	}
	return nil
}

// changeScope is what a catch-up's changes touched: the kinds, and for
// the startups and committees, whose.
type changeScope struct {
	all        uint32          // every kind changed
	others     uint32          // the kinds changed but Startup and Committee
	startups   map[string]bool // the startups changed
	committees map[string]bool // the startups whose committees changed
}

func (cs *changeScope) add(c sqlite.Change) {
	bit := sqlite.KindMask(c.Kind)
	cs.all |= bit
	switch c.Kind {
	case "Startup":
		cs.startups[c.Slug] = true
	case "Committee":
		s, _, _ := strings.Cut(c.Slug, "/")
		cs.committees[s] = true
	default:
		cs.others |= bit
	}
}

// maskFor returns the kinds changed for an answer scoped to the startup
// slug ("" for any answer).
func (cs *changeScope) maskFor(slug string) uint32 {
	if slug == "" {
		return cs.all
	}
	m := cs.others
	if cs.startups[slug] {
		m |= sqlite.KindMask("Startup")
	}
	if cs.committees[slug] {
		m |= sqlite.KindMask("Committee")
	}
	return m
}
