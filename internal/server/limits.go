package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
)

// Limits are the guards on what one request may ask, and on the
// connections that carry requests. The zero value of a field means its
// default (DefaultLimits); a negative value turns it off.
type Limits struct {
	MaxBodyBytes   int64         // request body, default 1 MiB
	MaxTokens      int           // parser tokens of a document, default 10,000
	MaxDepth       int           // nesting of fields, default 15
	MaxFields      int           // fields and aliases after fragments are expanded, default 1,000
	MaxCost        int           // cost, which bounds the values of an answer (graph.Complexity), default 500,000
	MaxReads       int           // fields that select fields (each may run a statement), aliases apart, default 100
	MaxExportCost  int           // cost of a whole export, every page together, default 1,500,000
	MaxCostly      int           // costly requests (CostlyCost or more) running at once on /graphql, default half the cores (at least 1)
	CostlyCost     int           // the cost from which a request is costly, default 100,000
	MaxAnswerBytes int64         // size of an answer, default 32 MiB
	MaxAnswerPool  int64         // answers being made at once, beyond 1 MiB each, together; default 64 MiB
	Timeout        time.Duration // per request, default 10 s
	MaxConcurrent  int           // requests running at once, default 16
	MaxQueued      int           // requests waiting for a slot, default 64
	QueueWait      time.Duration // how long one waits before a 503, default 2 s

	// Connections (see HTTPServer).
	ReadTimeout    time.Duration // to read a request, headers and body, default 15 s
	WriteTimeout   time.Duration // to write an answer (an export: each page), default 60 s
	IdleTimeout    time.Duration // an idle keep-alive connection stays open, default 60 s
	MaxConnections int           // open connections, default 512
	MaxBodyMemory  int64         // request bodies being read at once, all requests together, default 64 MiB

	MaxConnectionsPerClient int // open connections of one client address (IPv4, or IPv6 /64), default 64
}

// DefaultGCPercent is the heap growth between garbage collections that
// `portfolio serve` runs with unless told otherwise (--gc-percent, Go's
// GOGC): fewer collections under load than Go's 100. Benchmarks of the
// server's handlers run with it too.
const DefaultGCPercent = 400

// DefaultLimits are the limits of a server started without flags.
var DefaultLimits = Limits{
	MaxBodyBytes:   1 << 20,
	MaxTokens:      10_000,
	MaxDepth:       15,
	MaxFields:      1_000,
	MaxCost:        500_000,
	MaxReads:       100,
	MaxExportCost:  1_500_000,
	MaxCostly:      max(1, runtime.GOMAXPROCS(0)/2), // the other half for cheap reads
	CostlyCost:     100_000,
	MaxAnswerBytes: 32 << 20,
	MaxAnswerPool:  64 << 20,
	Timeout:        10 * time.Second,
	MaxConcurrent:  16,
	MaxQueued:      64,
	QueueWait:      2 * time.Second,
	ReadTimeout:    15 * time.Second,
	WriteTimeout:   60 * time.Second,
	IdleTimeout:    60 * time.Second,
	MaxConnections: 512,
	MaxBodyMemory:  64 << 20,

	MaxConnectionsPerClient: 64,
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	orDefault(&l.MaxBodyBytes, d.MaxBodyBytes)
	orDefault(&l.MaxTokens, d.MaxTokens)
	orDefault(&l.MaxDepth, d.MaxDepth)
	orDefault(&l.MaxFields, d.MaxFields)
	orDefault(&l.MaxCost, d.MaxCost)
	orDefault(&l.MaxReads, d.MaxReads)
	orDefault(&l.MaxExportCost, d.MaxExportCost)
	orDefault(&l.MaxCostly, d.MaxCostly)
	orDefault(&l.CostlyCost, d.CostlyCost)
	orDefault(&l.MaxAnswerBytes, d.MaxAnswerBytes)
	orDefault(&l.MaxAnswerPool, d.MaxAnswerPool)
	orDefault(&l.Timeout, d.Timeout)
	orDefault(&l.MaxConcurrent, d.MaxConcurrent)
	orDefault(&l.MaxQueued, d.MaxQueued)
	orDefault(&l.QueueWait, d.QueueWait)
	orDefault(&l.ReadTimeout, d.ReadTimeout)
	orDefault(&l.WriteTimeout, d.WriteTimeout)
	orDefault(&l.IdleTimeout, d.IdleTimeout)
	orDefault(&l.MaxConnections, d.MaxConnections)
	orDefault(&l.MaxBodyMemory, d.MaxBodyMemory)
	orDefault(&l.MaxConnectionsPerClient, d.MaxConnectionsPerClient)
	return l
}

// orDefault sets *v to d when it is zero.
func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

// guardHTTP caps the body, sheds load past the concurrency cap with 503 and
// Retry-After, and gives each request its deadline.
func guardHTTP(l Limits, next http.Handler) http.Handler {
	slots := make(chan struct{}, max(l.MaxConcurrent, 1))
	queue := make(chan struct{}, max(l.MaxQueued, 0))
	var bodies atomic.Int64 // bytes of the bodies being read
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.MaxBodyBytes > 0 && r.Body != nil && r.Body != http.NoBody && r.ContentLength <= l.MaxBodyBytes {
			// Bodies are read whole before a request takes a slot: the
			// memory of large ones is bounded for all requests together, so
			// that many slow clients cannot hold it all; small ones (the
			// queries of dashboards) never wait for them.
			n := r.ContentLength
			if n < 0 {
				n = l.MaxBodyBytes
			}
			if n > freeBodyBytes && l.MaxBodyMemory > 0 {
				if bodies.Add(n) > l.MaxBodyMemory {
					bodies.Add(-n)
					shed(w)
					return
				}
				defer bodies.Add(-n)
			}
		}
		if l.MaxBodyBytes > 0 {
			if r.ContentLength > l.MaxBodyBytes {
				httperror.Write(w, httperror.Answer{Code: portfolio.EInvalid, Status: http.StatusRequestEntityTooLarge,
					Message: fmt.Sprintf("the request body is %d bytes; the limit is %d", r.ContentLength, l.MaxBodyBytes)})
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				// Read the body here, bounded, so that a chunked body past
				// the cap is a 413 too and never reaches the parser.
				body, err := readBody(http.MaxBytesReader(w, r.Body, l.MaxBodyBytes), r.ContentLength)
				if err != nil {
					if isBodyTooLarge(err) {
						httperror.Write(w, httperror.Answer{Code: portfolio.EInvalid, Status: http.StatusRequestEntityTooLarge,
							Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", l.MaxBodyBytes)})
					} else {
						httperror.Write(w, httperror.Answer{Code: portfolio.EInvalid, Message: "the request body could not be read"})
					}
					return
				}
				req, err := checkBody(r, body)
				if err != nil {
					a := httperror.Answer{Code: portfolio.EInvalid, Message: err.Error()}
					var p *rawtext.Problem
					switch {
					case errors.Is(err, errMediaType):
						a.Status = http.StatusUnsupportedMediaType
					case errors.As(err, &p):
						a = p.Answer()
					}
					httperror.Write(w, a)
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
				if req != nil {
					// Decoded once: postJSON takes it from here rather
					// than scanning a large query's JSON a second time.
					r = r.WithContext(context.WithValue(r.Context(), checkedBodyKey{}, req))
				}
			}
		}
		if isStreaming(r) {
			// A subscription's stream lasts: no place among the requests
			// running at once, no deadline (the change feed's limits
			// bound the streams; only subscriptions run over them).
			next.ServeHTTP(w, r)
			return
		}
		if l.MaxConcurrent > 0 {
			select {
			case slots <- struct{}{}:
			default:
				select {
				case queue <- struct{}{}:
				default:
					shed(w)
					return
				}
				t := time.NewTimer(l.QueueWait)
				select {
				case slots <- struct{}{}:
					<-queue
					t.Stop()
				case <-t.C:
					<-queue
					shed(w)
					return
				case <-r.Context().Done():
					<-queue
					t.Stop()
					return
				}
			}
			defer func() { <-slots }()
		}
		ctx := r.Context()
		if l.Timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, l.Timeout)
			defer cancel()
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// freeBodyBytes is the size under which a request body does not count in
// MaxBodyMemory.
const freeBodyBytes = 64 << 10

// readBody reads a body of the given length (-1 when unknown) into a
// buffer of that size, not one grown by doubling.
func readBody(r io.Reader, length int64) ([]byte, error) {
	if length < 0 {
		return io.ReadAll(r)
	}
	// Exactly length bytes: a bytes.Buffer of that capacity doubles it to
	// read past the end (it wants 512 bytes free), and a body that
	// stalled near its end held twice what --body-memory counted.
	buf := make([]byte, length)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// shed answers a request the server has no room for.
func shed(w http.ResponseWriter) {
	httperror.Write(w, httperror.Answer{Code: portfolio.EUnavailable, Message: "the server is busy: retry in a second", RetryAfter: "1"})
}

// errMediaType is a POST body that is not JSON: a 415.
var errMediaType = errors.New("unsupported media type")

// checkBody refuses, before GraphQL sees it, a POST body that is not one
// JSON request object: empty, truncated, an array (batches are not
// supported), trailing data, a byte-order mark, or fields of the wrong type;
// and one whose text is not valid Unicode (a *rawtext.Problem): invalid
// UTF-8 or a lone surrogate escape anywhere in the JSON, or in the escapes
// of the query's string literals, which encoding/json and gqlparser would
// turn into U+FFFD without a word.
func checkBody(r *http.Request, body []byte) (*checkedBody, error) {
	if r.Method != http.MethodPost {
		return nil, nil
	}
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if strings.TrimSpace(strings.ToLower(ct)) != "application/json" {
		return nil, fmt.Errorf("%w: send the request as JSON (Content-Type: application/json), not %q", errMediaType, r.Header.Get("Content-Type"))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("the request body is empty: send {\"query\": \"…\"}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	req := new(checkedBody)
	if err := dec.Decode(req); err != nil {
		return nil, fmt.Errorf("the request body is not a JSON object {\"query\", \"variables\", \"operationName\"}: %s", shorten(err.Error(), 200))
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the request body holds something after its JSON object (batches are not supported)")
	}
	for name, raw := range map[string]json.RawMessage{"variables": req.Variables, "extensions": req.Extensions} {
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] != '{' && string(t) != "null" {
			return nil, fmt.Errorf("%s must be a JSON object", name)
		}
	}
	if p := rawtext.JSON(body, ""); p != nil {
		if p.Field == "query" && req.Query != nil {
			p.InDocument(*req.Query)
		}
		return nil, p
	}
	if req.Query != nil {
		if p := rawtext.Document("query", *req.Query); p != nil {
			return nil, p
		}
	}
	return req, nil
}

// checkedBody is a POST's JSON body as checkBody decoded it; the
// variables and extensions are left raw (usually small, they are decoded
// by postJSON).
type checkedBody struct {
	Query         *string         `json:"query"`
	OperationName *string         `json:"operationName"`
	Variables     json.RawMessage `json:"variables"`
	Extensions    json.RawMessage `json:"extensions"`
}

// checkedBodyKey is the context key of a request's checkedBody.
type checkedBodyKey struct{}

// params returns the body as gqlgen's parameters, decoding the variables
// and extensions as gqlgen's JSON transport does (numbers kept as
// json.Number).
func (b *checkedBody) params() (graphql.RawParams, error) {
	var p graphql.RawParams
	if b.Query != nil {
		p.Query = *b.Query
	}
	if b.OperationName != nil {
		p.OperationName = *b.OperationName
	}
	for _, f := range []struct {
		raw json.RawMessage
		to  *map[string]any
	}{{b.Variables, &p.Variables}, {b.Extensions, &p.Extensions}} {
		if len(f.raw) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(f.raw))
		dec.UseNumber()
		if err := dec.Decode(f.to); err != nil {
			return p, err
		}
	}
	return p, nil
}

// checkQueryText refuses a request to /graphql other than a POST (whose
// body checkBody checks) when its parameters hold text that is not valid
// Unicode: the query's bytes and escapes, the variables' and extensions'
// JSON, operationName. gqlgen's GET transport would decode them into
// U+FFFD.
func checkQueryText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost && r.URL.RawQuery != "" {
			q := r.URL.Query()
			p := rawtext.Document("query", q.Get("query"))
			if p == nil {
				rest := maps.Clone(q)
				delete(rest, "query")
				p = rawtext.Values(rest, "variables", "extensions")
			}
			if p != nil {
				httperror.Write(w, p.Answer())
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// shorten cuts s to at most n bytes.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// isBodyTooLarge reports whether err comes from http.MaxBytesReader.
func isBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
