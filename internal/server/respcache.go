package server

import (
	"bytes"
	"container/list"
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
// request body, the caller and the day, and valid while the data has not
// changed: dashboards ask the same questions again and again, and an answer
// is the same until a write or an import. Writes of this process invalidate
// it at once, those of other processes within a quarter of a second.
type responseCache struct {
	db       *sqlite.DB
	maxBytes int

	mu      sync.Mutex
	bytes   int
	lru     *list.List // of *cacheEntry, most recent first
	entries map[[32]byte]*list.Element
	hits    int64
	misses  int64
}

type cacheEntry struct {
	key     [32]byte
	version string
	body    []byte
	ctype   string
}

// maxCachedAnswer is the largest answer the cache keeps.
const maxCachedAnswer = 8 << 20

func newResponseCache(db *sqlite.DB, maxBytes int) *responseCache {
	return &responseCache{db: db, maxBytes: maxBytes, lru: list.New(), entries: map[[32]byte]*list.Element{}}
}

func (c *responseCache) get(key [32]byte, version string) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		c.misses++
		return nil
	}
	e := el.Value.(*cacheEntry)
	if e.version != version {
		c.remove(el)
		c.misses++
		return nil
	}
	c.lru.MoveToFront(el)
	c.hits++
	return e
}

func (c *responseCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*cacheEntry)
	delete(c.entries, e.key)
	c.bytes -= len(e.body)
}

func (c *responseCache) put(e *cacheEntry) {
	if len(e.body) > maxCachedAnswer || len(e.body) > c.maxBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		c.remove(el)
	}
	c.entries[e.key] = c.lru.PushFront(e)
	c.bytes += len(e.body)
	for c.bytes > c.maxBytes {
		c.remove(c.lru.Back())
	}
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
		version, err := c.db.Version(r.Context())
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
		if e := c.get(key, version); e != nil {
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
		ok := info.readOnly && info.errCode == ""
		info.mu.Unlock()
		if ok {
			c.put(&cacheEntry{key: key, version: version, body: bytes.Clone(rec.buf.Bytes()), ctype: w.Header().Get("Content-Type")})
		}
	})
}
