package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Limits are the guards on what one request may ask. The zero value of a
// field means its default (DefaultLimits); a negative value turns it off.
type Limits struct {
	MaxBodyBytes  int64         // request body, default 1 MiB
	MaxTokens     int           // parser tokens of a document, default 10,000
	MaxDepth      int           // nesting of fields, default 15
	MaxFields     int           // fields and aliases after fragments are expanded, default 1,000
	MaxCost       int           // cost: connections count page size × children, default 500,000
	Timeout       time.Duration // per request, default 10 s
	MaxConcurrent int           // requests running at once, default 16
	MaxQueued     int           // requests waiting for a slot, default 64
	QueueWait     time.Duration // how long one waits before a 503, default 2 s
}

// DefaultLimits are the limits of a server started without flags.
var DefaultLimits = Limits{
	MaxBodyBytes:  1 << 20,
	MaxTokens:     10_000,
	MaxDepth:      15,
	MaxFields:     1_000,
	MaxCost:       500_000,
	Timeout:       10 * time.Second,
	MaxConcurrent: 16,
	MaxQueued:     64,
	QueueWait:     2 * time.Second,
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	orDefault(&l.MaxBodyBytes, d.MaxBodyBytes)
	orDefault(&l.MaxTokens, d.MaxTokens)
	orDefault(&l.MaxDepth, d.MaxDepth)
	orDefault(&l.MaxFields, d.MaxFields)
	orDefault(&l.MaxCost, d.MaxCost)
	orDefault(&l.Timeout, d.Timeout)
	orDefault(&l.MaxConcurrent, d.MaxConcurrent)
	orDefault(&l.MaxQueued, d.MaxQueued)
	orDefault(&l.QueueWait, d.QueueWait)
	return l
}

// orDefault sets *v to d when it is zero.
func orDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

var registerCodes sync.Once

// refuse makes a pre-execution error with COMPLEXITY_LIMIT, answered with
// an HTTP 422 like parse and validation errors.
func refuse(format string, args ...any) *gqlerror.Error {
	registerCodes.Do(func() { errcode.RegisterErrorType(portfolio.EComplexity, errcode.KindProtocol) })
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, portfolio.EComplexity)
	return err
}

// Cost is what the cost guard computed for a request.
type Cost struct {
	Requested int `json:"requested"`
	Limit     int `json:"limit"`
	Depth     int `json:"depth"`
	Fields    int `json:"fields"`
}

const costExtension = "PortfolioCost"

// CostOf returns the cost computed for the request of ctx, or nil.
func CostOf(ctx context.Context) *Cost {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	c, _ := graphql.GetOperationContext(ctx).Stats.GetExtension(costExtension).(*Cost)
	return c
}

// shapeGuard refuses, before execution, an operation nested deeper than
// MaxDepth, with more than MaxFields fields, or costing more than MaxCost.
type shapeGuard struct {
	limits Limits
	schema graphql.ExecutableSchema
}

var (
	_ graphql.HandlerExtension        = &shapeGuard{}
	_ graphql.OperationContextMutator = &shapeGuard{}
)

// ExtensionName names the guard.
func (g *shapeGuard) ExtensionName() string { return "ShapeGuard" }

// Validate keeps the schema for the cost computation.
func (g *shapeGuard) Validate(schema graphql.ExecutableSchema) error {
	g.schema = schema
	return nil
}

// MutateOperationContext measures the operation and refuses it when too big.
func (g *shapeGuard) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	// Depth and fields first: they are cheap to measure, and the cost
	// computation expands fragments without memo.
	depth, fields := measure(op.SelectionSet, 1, map[string][2]int{})
	switch {
	case g.limits.MaxDepth > 0 && depth > g.limits.MaxDepth:
		return refuse("the query nests %d levels deep; the limit is %d", depth, g.limits.MaxDepth)
	case g.limits.MaxFields > 0 && fields > g.limits.MaxFields:
		return refuse("the query selects %d fields (aliases and fragments counted); the limit is %d", fields, g.limits.MaxFields)
	}
	cost := complexity.Calculate(ctx, g.schema, op, opCtx.Variables)
	c := &Cost{Requested: cost, Limit: g.limits.MaxCost, Depth: depth, Fields: fields}
	opCtx.Stats.SetExtension(costExtension, c)
	switch {
	case g.limits.MaxCost > 0 && cost > g.limits.MaxCost:
		return refuse("the query could cost %d (a connection counts its page size times its fields); the limit is %d: ask for smaller pages", cost, g.limits.MaxCost)
	}
	return nil
}

// measure returns the depth and the number of fields of a selection set,
// fragments expanded. Each fragment is measured once (memo), so a
// "billion laughs" of fragments spreading each other costs time linear in
// the document, and counts saturate instead of overflowing. Validation has
// refused fragment cycles already; the path guard keeps this safe anyway.
func measure(set ast.SelectionSet, level int, memo map[string][2]int) (depth, fields int) {
	depth = level - 1
	for _, sel := range set {
		var d, f int
		switch s := sel.(type) {
		case *ast.Field:
			f = 1
			if len(s.SelectionSet) > 0 {
				cd, cf := measure(s.SelectionSet, level+1, memo)
				d, f = cd, satAdd(f, cf)
			} else {
				d = level
			}
		case *ast.InlineFragment:
			d, f = measure(s.SelectionSet, level, memo)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			m, ok := memo[s.Name]
			if !ok {
				memo[s.Name] = [2]int{0, 0} // in progress: a cycle counts nothing
				fd, ff := measure(s.Definition.SelectionSet, 1, memo)
				m = [2]int{fd, ff}
				memo[s.Name] = m
			}
			d, f = level-1+m[0], m[1]
		}
		depth = max(depth, d)
		fields = satAdd(fields, f)
	}
	return depth, fields
}

// satAdd adds, saturating at a billion.
func satAdd(a, b int) int {
	if a+b > 1e9 {
		return 1e9
	}
	return a + b
}

// guardHTTP caps the body, sheds load past the concurrency cap with 503 and
// Retry-After, and gives each request its deadline.
func guardHTTP(l Limits, next http.Handler) http.Handler {
	slots := make(chan struct{}, max(l.MaxConcurrent, 1))
	queue := make(chan struct{}, max(l.MaxQueued, 0))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l.MaxBodyBytes > 0 {
			if r.ContentLength > l.MaxBodyBytes {
				writeJSONError(w, http.StatusRequestEntityTooLarge, portfolio.EInvalid,
					fmt.Sprintf("the request body is %d bytes; the limit is %d", r.ContentLength, l.MaxBodyBytes))
				return
			}
			if r.Body != nil && r.Body != http.NoBody {
				// Read the body here, bounded, so that a chunked body past
				// the cap is a 413 too and never reaches the parser.
				body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, l.MaxBodyBytes))
				if err != nil {
					if isBodyTooLarge(err) {
						writeJSONError(w, http.StatusRequestEntityTooLarge, portfolio.EInvalid,
							fmt.Sprintf("the request body is larger than the limit of %d bytes", l.MaxBodyBytes))
					} else {
						writeJSONError(w, http.StatusBadRequest, portfolio.EInvalid, "the request body could not be read")
					}
					return
				}
				if err := checkBody(r, body); err != nil {
					status := http.StatusBadRequest
					if errors.Is(err, errMediaType) {
						status = http.StatusUnsupportedMediaType
					}
					writeJSONError(w, status, portfolio.EInvalid, err.Error())
					return
				}
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
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

func shed(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	writeJSONError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "the server is busy: retry in a second")
}

// writeJSONError answers with a GraphQL-shaped error body.
func writeJSONError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": code}}}})
}

// errMediaType is a POST body that is not JSON: a 415.
var errMediaType = errors.New("unsupported media type")

// checkBody refuses, before GraphQL sees it, a POST body that is not one
// JSON request object: empty, truncated, an array (batches are not
// supported), trailing data, a byte-order mark, or fields of the wrong type.
func checkBody(r *http.Request, body []byte) error {
	if r.Method != http.MethodPost {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	if strings.TrimSpace(strings.ToLower(ct)) != "application/json" {
		return fmt.Errorf("%w: send the request as JSON (Content-Type: application/json), not %q", errMediaType, r.Header.Get("Content-Type"))
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return errors.New("the request body is empty: send {\"query\": \"…\"}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	var req struct {
		Query         *string         `json:"query"`
		OperationName *string         `json:"operationName"`
		Variables     json.RawMessage `json:"variables"`
		Extensions    json.RawMessage `json:"extensions"`
	}
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("the request body is not a JSON object {\"query\", \"variables\", \"operationName\"}: %s", shorten(err.Error(), 200))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("the request body holds something after its JSON object (batches are not supported)")
	}
	for name, raw := range map[string]json.RawMessage{"variables": req.Variables, "extensions": req.Extensions} {
		if t := bytes.TrimSpace(raw); len(t) > 0 && t[0] != '{' && string(t) != "null" {
			return fmt.Errorf("%s must be a JSON object", name)
		}
	}
	return nil
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
