package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strings"

	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Runner runs one GraphQL request with the rights of the identity in its
// context.
type Runner interface {
	Run(ctx context.Context, q Query) (*Response, error)
}

// Query is one GraphQL request.
type Query struct {
	Query         string         `json:"query"`
	OperationName string         `json:"operationName,omitempty"`
	Variables     map[string]any `json:"variables,omitempty"`
}

// Response is the answer to a GraphQL request.
type Response struct {
	Data   json.RawMessage `json:"data"`
	Errors []GraphQLError  `json:"errors,omitempty"`
}

// GraphQLError is an error of a GraphQL answer.
type GraphQLError = httperror.GraphQLError

// HandlerRunner returns a Runner that has h serve each request in process,
// as a POST of JSON to /graphql with the caller's context: h is the GraphQL
// handler of the server (its loaders, @auth and limits apply), and the
// identity comes from the context. Each page is buffered (a page is at most
// PageSize nodes).
func HandlerRunner(h http.Handler) Runner { return handlerRunner{h} }

type handlerRunner struct{ h http.Handler }

func (r handlerRunner) Run(ctx context.Context, q Query) (*Response, error) {
	body, err := json.Marshal(q)
	if err != nil {
		return nil, fmt.Errorf("export: variables: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "/graphql", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	rec := &recorder{header: http.Header{}, status: http.StatusOK}
	r.h.ServeHTTP(rec, req)
	var resp Response
	if err := json.Unmarshal(rec.body.Bytes(), &resp); err != nil {
		return nil, fmt.Errorf("export: the GraphQL handler answered %d with no GraphQL response: %w", rec.status, err)
	}
	return &resp, nil
}

// recorder is a ResponseWriter that keeps the body.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// Options tune Run.
type Options struct {
	// PageSize is the number of nodes per run of the query; 0 means
	// PageSize (the API's largest page). A Pricer gives the size at which
	// each page passes the server's cost limit; Run never shrinks it to get
	// under a limit: a refused page is an error.
	PageSize int
	// Progress, when not nil, is called after each page with the rows
	// written so far and the number expected (-1 when unknown).
	Progress func(done, total int)
}

// Stats says what Run did.
type Stats struct {
	Rows  int // rows written
	Pages int // runs of the query
}

// Run reads the plan's list through r, page after page, and writes its rows
// to w, flushing after each page. It stops at the first error: a failed
// write, ctx done, a failing page. An error of the first page (before
// anything was written) is a *RequestError when the query is at fault.
// Run ends w: Close on success, Abort on error.
func (p *Plan) Run(ctx context.Context, r Runner, w Writer, opts Options) (Stats, error) {
	var st Stats
	fail := func(err error) (Stats, error) {
		w.Abort()
		return st, err
	}
	size := opts.PageSize
	if size <= 0 || size > PageSize {
		size = PageSize
	}
	cursor := p.after
	total := -1
	cols := p.ColumnsFor(w.French())
	for {
		if err := ctx.Err(); err != nil {
			return fail(fmt.Errorf("export: %w", err))
		}
		vars := maps.Clone(p.vars)
		if p.paged {
			n := size
			if p.limit >= 0 {
				n = min(n, p.limit-st.Rows)
			}
			vars[p.firstVar], vars[p.afterVar] = n, cursor
			if p.countVar != "" {
				vars[p.countVar] = st.Pages == 0
			}
		}
		resp, err := r.Run(ctx, Query{Query: p.query, OperationName: p.opName, Variables: vars})
		if err != nil {
			return fail(err)
		}
		if err := ctx.Err(); err != nil {
			return fail(fmt.Errorf("export: %w", err))
		}
		st.Pages++
		if err := p.check(resp, st.Rows == 0 && st.Pages == 1); err != nil {
			return fail(err)
		}
		pg, err := p.extract(resp.Data)
		if err != nil {
			return fail(err)
		}
		if st.Pages == 1 {
			if err := w.WriteHeader(cols); err != nil {
				return fail(err)
			}
		}
	nodes:
		for _, raw := range pg.nodes {
			rows, err := p.rowsOf(raw, w.Objects(), cols)
			if err != nil {
				return fail(err)
			}
			for _, row := range rows {
				if p.limit >= 0 && st.Rows >= p.limit {
					break nodes
				}
				if err := w.WriteRow(row); err != nil {
					return fail(err)
				}
				st.Rows++
			}
		}
		if err := w.Flush(); err != nil {
			return fail(err)
		}
		if opts.Progress != nil {
			if st.Pages == 1 {
				total = pg.total
				if !p.paged {
					total = len(pg.nodes)
				}
				if p.limit >= 0 && total >= 0 {
					total = min(total, p.limit)
				}
			}
			opts.Progress(st.Rows, total)
		}
		if !p.paged || !pg.hasNext || pg.endCursor == "" || len(pg.nodes) == 0 || (p.limit >= 0 && st.Rows >= p.limit) {
			break
		}
		cursor = pg.endCursor
	}
	if err := w.Close(); err != nil {
		return st, err
	}
	return st, nil
}

// Paged reports whether Run reads the plan's list page after page (a
// connection with first and after), rather than in one run.
func (p *Plan) Paged() bool { return p.paged }

// PageQuery returns the query Run sends for a page of n rows (n < 0: as
// many as the export holds, its first or all), with the list's total count
// when count is set: what a Pricer prices.
func (p *Plan) PageQuery(n int, count bool) Query {
	vars := maps.Clone(p.vars)
	if vars == nil {
		vars = map[string]any{}
	}
	if p.paged {
		if n < 0 {
			n = p.limit
			if n < 0 {
				n = AllRows
			}
		}
		vars[p.firstVar], vars[p.afterVar] = n, nil
		if p.countVar != "" {
			vars[p.countVar] = count
		}
	}
	return Query{Query: p.query, OperationName: p.opName, Variables: vars}
}

// AllRows stands for "every row of the list" in a priced page: the cost
// model caps a page at the longest such list in the data.
const AllRows = 1 << 30

// Pricer prices a whole export before its first row, against the
// server's budget for exports, and sizes its pages so that each passes the
// cost limit of a single request (at most max rows). Its refusals are
// *RequestError (COMPLEXITY_LIMIT).
type Pricer func(ctx context.Context, p *Plan, max int) (Price, error)

// Price is what a Pricer found.
type Price struct {
	Cost     int // of the whole export
	Limit    int // the budget of an export
	PageSize int // rows a page holds
}

// check returns the error a response stands for: none when it has only
// FORBIDDEN errors on fields of the rows.
func (p *Plan) check(resp *Response, first bool) error {
	var bad []GraphQLError
	for _, e := range resp.Errors {
		if e.Code() == portfolio.EForbidden && len(e.Path) > 0 && !p.onPath(e.Path) {
			continue // an empty cell
		}
		bad = append(bad, e)
	}
	if len(bad) == 0 && !isNull(resp.Data) {
		return nil
	}
	if len(bad) == 0 {
		// No data: the errors are the list's, be they at a cell's path
		// (an argument of the list, such as a protected filter).
		bad = resp.Errors
	}
	code := failedCode(bad)
	msg := "the GraphQL answer has no data"
	if len(bad) > 0 {
		msg = bad[0].String()
		if len(bad) > 1 {
			msg += fmt.Sprintf(" (and %d more errors)", len(bad)-1)
		}
	}
	if !first {
		return fmt.Errorf("export: a later page failed: %s", msg)
	}
	switch code {
	case portfolio.EForbidden:
		msg = "the list cannot be exported with your rights: " + msg
	case portfolio.EDamaged:
		msg = "the database is damaged; see the server log"
	default:
		msg = "the query failed: " + msg
	}
	return &RequestError{Code: code, Message: msg, Errors: bad}
}

// failedCode is the code of an export whose first page failed with errs:
// a damaged database first, then a list the caller may not read, else the
// first error's code.
func failedCode(errs []GraphQLError) string {
	for _, want := range []string{portfolio.EDamaged, portfolio.EForbidden} {
		for _, e := range errs {
			if e.Code() == want {
				return want
			}
		}
	}
	if len(errs) > 0 && errs[0].Code() != "" {
		return errs[0].Code()
	}
	return portfolio.EInvalid
}

// onPath reports whether an error path is the exported list or above it.
func (p *Plan) onPath(path []any) bool {
	var names []string
	for _, x := range path {
		if s, ok := x.(string); ok {
			names = append(names, s)
		}
	}
	if len(names) > len(p.keys) {
		return false
	}
	for i, n := range names {
		if p.keys[i] != n {
			return false
		}
	}
	return true
}

// page is one page of the list.
type page struct {
	nodes     []json.RawMessage
	hasNext   bool
	endCursor string
	total     int // -1 when unknown
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || bytes.Equal(raw, []byte("null"))
}

// extract finds the nodes and the paging information in a page's data.
func (p *Plan) extract(data json.RawMessage) (*page, error) {
	pg := &page{total: -1}
	v := data
	for _, k := range p.keys {
		if isNull(v) {
			return pg, nil
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v, &m); err != nil {
			return nil, fmt.Errorf("export: read the answer at %s: %w", k, err)
		}
		v = m[k]
	}
	if isNull(v) {
		return pg, nil
	}
	if p.rowKeys == nil {
		if err := json.Unmarshal(v, &pg.nodes); err != nil {
			return nil, fmt.Errorf("export: read the list: %w", err)
		}
		return pg, nil
	}
	var conn map[string]json.RawMessage
	if err := json.Unmarshal(v, &conn); err != nil {
		return nil, fmt.Errorf("export: read the connection: %w", err)
	}
	if p.paged {
		var info struct {
			HasNextPage bool
			EndCursor   *string
		}
		if raw := conn[p.pageKey]; !isNull(raw) {
			if err := json.Unmarshal(raw, &info); err != nil {
				return nil, fmt.Errorf("export: read pageInfo: %w", err)
			}
		}
		pg.hasNext = info.HasNextPage
		if info.EndCursor != nil {
			pg.endCursor = *info.EndCursor
		}
		if raw := conn[p.totalKey]; p.totalKey != "" && !isNull(raw) {
			if err := json.Unmarshal(raw, &pg.total); err != nil {
				return nil, fmt.Errorf("export: read totalCount: %w", err)
			}
		}
	}
	list := conn[p.rowKeys[0]]
	if isNull(list) {
		return pg, nil
	}
	if len(p.rowKeys) == 1 {
		if err := json.Unmarshal(list, &pg.nodes); err != nil {
			return nil, fmt.Errorf("export: read the nodes: %w", err)
		}
		return pg, nil
	}
	var edges []map[string]json.RawMessage
	if err := json.Unmarshal(list, &edges); err != nil {
		return nil, fmt.Errorf("export: read the edges: %w", err)
	}
	pg.nodes = make([]json.RawMessage, len(edges))
	for i, e := range edges {
		pg.nodes[i] = e[p.rowKeys[1]]
	}
	return pg, nil
}

// rowsOf turns a node into its rows: one, but for a preset that makes
// several of a node (or none); cols are the columns of a preset's table.
func (p *Plan) rowsOf(raw json.RawMessage, objects bool, cols []Column) ([]Row, error) {
	if objects && p.rows == nil {
		return []Row{{Object: raw}}, nil
	}
	var node any
	if !isNull(raw) {
		var err error
		if node, err = decode(raw); err != nil {
			return nil, fmt.Errorf("export: read a node: %w", err)
		}
	}
	if p.rows == nil {
		return []Row{{Cells: p.Flatten(node)}}, nil
	}
	m, _ := node.(map[string]any)
	var out []Row
	for _, byName := range p.rows(m) {
		if objects {
			values := make([]any, len(cols))
			for i, c := range cols {
				values[i] = byName[c.Name]
			}
			out = append(out, Row{Object: flatObject(cols, values)})
			continue
		}
		cells := make([]string, len(cols))
		for i, c := range cols {
			cells[i] = text(byName[c.Name])
		}
		out = append(out, Row{Cells: cells})
	}
	return out, nil
}

// text renders a computed value as a cell.
func text(v any) string {
	if l, ok := v.([]string); ok {
		return strings.Join(l, "|")
	}
	return scalar(v)
}

// IsRequestError reports whether err is a mistake of the caller's, and
// returns it.
func IsRequestError(err error) (*RequestError, bool) {
	var re *RequestError
	ok := errors.As(err, &re)
	return re, ok
}
