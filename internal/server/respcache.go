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
	"sync"

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
// names, and the volatile ones. A Dataset change (an import, a sync), a gap
// in the feed, or a feed that cannot be read drops everything.
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
	body     []byte
	ctype    string
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
	var mask uint32
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
		}
		for _, ch := range changes {
			mask |= sqlite.KindMask(ch.Kind)
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
		mask = ^uint32(0)
		c.dropsAll++
	}
	for bit := range c.dropped {
		if mask&(1<<bit) != 0 {
			c.dropped[bit] = c.epoch
		}
	}
	for el := c.lru.Front(); el != nil; {
		next := el.Next()
		if e := el.Value.(*cacheEntry); e.volatile || e.mask&mask != 0 {
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
		stats := info.stats
		info.mu.Unlock()
		if ok {
			mask, volatile := stats.Reads()
			c.put(&cacheEntry{key: key, mask: mask, volatile: volatile, body: bytes.Clone(rec.buf.Bytes()), ctype: w.Header().Get("Content-Type")}, epoch)
		}
	})
}
