package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
)

// Config is what Handler needs.
type Config struct {
	// Schema is the GraphQL schema the queries are checked against.
	Schema *ast.Schema
	// GraphQL serves GraphQL requests (POST, JSON) with the identity
	// already in the request's context: the server's /graphql handler
	// without its authentication.
	GraphQL http.Handler
	// Logger receives the failures; nil discards them.
	Logger *slog.Logger
	// Today returns the day of file names and the default asOf of the
	// presets; nil means portfolio.Today (Europe/Paris).
	Today func() portfolio.Date
	// MaxBodyBytes caps the body of a POST; 0 means 1 MiB.
	MaxBodyBytes int64
	// MaxConcurrent is how many exports may run at once; more are
	// answered 503 with Retry-After. 0 means 2. An export takes its slot
	// before its query is checked or planned.
	MaxConcurrent int
	// Check checks each query with the limits of the GraphQL endpoint
	// before it is planned; nil checks nothing (tests).
	Check Checker
	// Price prices each export as a whole before its first row and sizes
	// its pages; nil prices nothing (tests), and pages hold PageSize rows.
	Price Pricer
	// Done, when not nil, is told of each export once it ends, for the
	// server's log and metrics.
	Done func(r *http.Request, s Summary)
	// About, when not nil, says what the records are, for the « À propos »
	// sheet of XLSX files and the file names of the demo's exports (day is
	// the date the export answers for).
	About func(ctx context.Context, day portfolio.Date) *About
	// WriteTimeout, when positive, is how long each page may take to be
	// written: the server's write deadline is moved on after each page, so
	// that a long export is not cut while a stalled client still is.
	WriteTimeout time.Duration
}

// Summary is what an export did.
type Summary struct {
	List   string // the exported list's name ("startups"), or "" when refused before planning
	Preset bool   // a ready-made export
	Format Format
	Rows   int
	Pages  int
	Cost   int    // of the whole export, when priced
	Code   string // the error code, "" on success
}

// Handler serves the exports, behind the server's authentication (the
// caller's identity must be in the request's context):
//
//	GET|POST /export?format=csv|xlsx|ndjson|json&query=…[&variables=…][&operationName=…][&path=…][&dialect=excel-fr]
//	GET      /export/{startups,members,committees}.{csv,xlsx,ndjson,json}?asOf=…&filters…[&dialect=excel-fr]
//
// A POST sends the same parameters as a form, or as a JSON object like a
// GraphQL request ({"query", "variables", "operationName", "path",
// "format", "dialect"}). Mistakes are answered before anything is written,
// with the status of their code (400 for BAD_USER_INPUT, …) and a JSON body
// {"error": "…", "code": "…", "errors": [GraphQL errors]}.
func Handler(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Today == nil {
		cfg.Today = portfolio.Today
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 1 << 20
	}
	if cfg.MaxConcurrent <= 0 {
		cfg.MaxConcurrent = 2
	}
	return &handler{cfg: cfg, runner: HandlerRunner(cfg.GraphQL), slots: make(chan struct{}, cfg.MaxConcurrent)}
}

type handler struct {
	cfg    Config
	runner Runner
	slots  chan struct{} // one per export running
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/export/")
	switch {
	case r.URL.Path == "/export" || (ok && rest == ""):
		h.query(w, r)
	case !ok || strings.Contains(rest, "/"):
		writeError(w, &RequestError{Code: portfolio.ENotFound, Message: "no such export"})
	default:
		h.preset(w, r, rest)
	}
}

// queryParams are the parameters of /export.
var queryParams = []string{"query", "variables", "operationName", "path", "format", "dialect"}

func (h *handler) query(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		writeError(w, &RequestError{Code: portfolio.EInvalid, Status: http.StatusMethodNotAllowed, Message: "use GET or POST"})
		return
	}
	if !h.acquire(w) {
		return
	}
	defer h.release()
	sum := Summary{}
	defer h.done(r, &sum)
	vals, vars, err := h.params(w, r)
	if err != nil {
		writeError(w, err)
		return
	}
	for k := range vals {
		if !slices.Contains(queryParams, k) {
			writeError(w, badRequest("unknown parameter %q: /export takes %s", k, strings.Join(queryParams, ", ")))
			return
		}
	}
	format, dialect, err := formatOf(vals.Get("format"), vals.Get("dialect"))
	if err != nil {
		sum.Code = codeOf(err)
		writeError(w, err)
		return
	}
	sum.Format = format
	if vars == nil && vals.Get("variables") != "" {
		if vars, err = decodeVariables([]byte(vals.Get("variables"))); err != nil {
			sum.Code = codeOf(err)
			writeError(w, err)
			return
		}
	}
	req := Request{Query: vals.Get("query"), Variables: vars, OperationName: vals.Get("operationName"), Path: vals.Get("path")}
	var plan *Plan
	if strings.TrimSpace(req.Query) == "" || h.cfg.Check == nil {
		plan, err = NewPlan(h.cfg.Schema, req)
	} else {
		var doc *ast.QueryDocument
		if doc, err = h.cfg.Check(r.Context(), Query{Query: req.Query, OperationName: req.OperationName, Variables: vars}, false); err == nil {
			plan, err = NewCheckedPlan(h.cfg.Schema, doc, req)
		}
	}
	if err != nil {
		sum.Code = codeOf(err)
		h.fail(w, r, err)
		return
	}
	h.serve(w, r, plan, format, dialect, h.cfg.Today(), &sum)
}

// acquire takes an export slot, or answers 503 and returns false.
func (h *handler) acquire(w http.ResponseWriter) bool {
	select {
	case h.slots <- struct{}{}:
		return true
	default:
		w.Header().Set("Retry-After", "5")
		writeError(w, &RequestError{Code: portfolio.EUnavailable, Message: fmt.Sprintf("%d exports are running: retry in a few seconds", cap(h.slots))})
		return false
	}
}

func (h *handler) release() { <-h.slots }

func (h *handler) done(r *http.Request, s *Summary) {
	if h.cfg.Done != nil {
		h.cfg.Done(r, *s)
	}
}

// codeOf is the code of an export's error.
func codeOf(err error) string {
	if re, ok := IsRequestError(err); ok {
		return re.Code
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return portfolio.ETimeout
	}
	return portfolio.EInternal
}

// params reads the parameters of a GET, a form POST, or a JSON POST (whose
// variables come decoded).
//
// Text that is not valid Unicode (invalid UTF-8, a lone surrogate escape)
// is refused with BAD_USER_INPUT naming the parameter, the JSON member or
// the place in the query, before anything decodes it into U+FFFD.
func (h *handler) params(w http.ResponseWriter, r *http.Request) (url.Values, map[string]any, error) {
	vals := r.URL.Query()
	if r.Method != http.MethodPost {
		return vals, nil, checkValues(vals)
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json":
		var body struct {
			Query         string          `json:"query"`
			Variables     json.RawMessage `json:"variables"`
			OperationName string          `json:"operationName"`
			Path          string          `json:"path"`
			Format        string          `json:"format"`
			Dialect       string          `json:"dialect"`
		}
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, badRequest("the body cannot be read: %v", err)
		}
		if err := json.Unmarshal(data, &body); err != nil {
			return nil, nil, badRequest("the body is not a JSON object: %v", err)
		}
		if p := rawtext.JSON(data, ""); p != nil {
			if p.Field == "query" {
				p.InDocument(body.Query)
			}
			return nil, nil, textError(p)
		}
		if err := checkValues(vals); err != nil {
			return nil, nil, err
		}
		for k, v := range map[string]string{"query": body.Query, "operationName": body.OperationName, "path": body.Path, "format": body.Format, "dialect": body.Dialect} {
			if v != "" {
				vals.Set(k, v)
			}
		}
		var vars map[string]any
		if !isNull(body.Variables) {
			var err error
			if vars, err = decodeVariables(body.Variables); err != nil {
				return nil, nil, err
			}
		}
		return vals, vars, nil
	case "application/x-www-form-urlencoded", "multipart/form-data":
		if err := r.ParseMultipartForm(h.cfg.MaxBodyBytes); err != nil && !errors.Is(err, http.ErrNotMultipart) {
			return nil, nil, badRequest("the form cannot be read: %v", err)
		}
		return r.Form, nil, checkValues(r.Form)
	}
	return nil, nil, &RequestError{Code: portfolio.EInvalid, Status: http.StatusUnsupportedMediaType, Message: "send the parameters as application/json, a form, or in the URL of a GET"}
}

// checkValues refuses parameters whose text is not valid Unicode: the
// query (with its line, column and argument), the variables' JSON (with
// the variable's path), any other parameter by its name.
func checkValues(vals url.Values) error {
	p := rawtext.Document("query", vals.Get("query"))
	if p == nil {
		rest := maps.Clone(vals)
		delete(rest, "query")
		p = rawtext.Values(rest, "variables")
	}
	if p != nil {
		return textError(p)
	}
	return nil
}

// textError is a refusal of text that is not valid Unicode.
func textError(p *rawtext.Problem) *RequestError {
	return &RequestError{Code: portfolio.EInvalid, Message: p.Error(), Errors: []GraphQLError{p.GraphQLError()}}
}

func decodeVariables(raw []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var vars map[string]any
	if err := d.Decode(&vars); err != nil {
		return nil, badRequest("variables: not a JSON object: %v", err)
	}
	return vars, nil
}

func formatOf(f, d string) (Format, Dialect, error) {
	format := CSV
	if f != "" {
		var err error
		if format, err = ParseFormat(f); err != nil {
			return "", "", err
		}
	}
	dialect, err := ParseDialect(d)
	if err != nil {
		return "", "", err
	}
	if dialect != RFC4180 && format != CSV {
		return "", "", badRequest("dialect %s applies to csv only", dialect)
	}
	return format, dialect, nil
}

func (h *handler) preset(w http.ResponseWriter, r *http.Request, file string) {
	name, ext, _ := strings.Cut(file, ".")
	pr := PresetNamed(name)
	if pr == nil {
		var names []string
		for _, p := range Presets() {
			names = append(names, "/export/"+p.Name+".csv")
		}
		writeError(w, &RequestError{Code: portfolio.ENotFound, Message: fmt.Sprintf("no export %q: the ready-made exports are %s (xlsx, ndjson and json too)", file, strings.Join(names, ", "))})
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET")
		writeError(w, &RequestError{Code: portfolio.EInvalid, Status: http.StatusMethodNotAllowed, Message: "use GET"})
		return
	}
	if !h.acquire(w) {
		return
	}
	defer h.release()
	sum := Summary{List: pr.Name, Preset: true}
	defer h.done(r, &sum)
	vals := r.URL.Query()
	format, dialect, err := formatOf(ext, vals.Get("dialect"))
	if err == nil && ext == "" {
		err = badRequest("give the format as the extension: /export/%s.csv or .xlsx, .ndjson, .json", name)
	}
	if err != nil {
		sum.Code = codeOf(err)
		writeError(w, err)
		return
	}
	sum.Format = format
	if err := checkValues(vals); err != nil {
		sum.Code = codeOf(err)
		writeError(w, err)
		return
	}
	vals.Del("dialect")
	plan, asOf, err := pr.Plan(r.Context(), h.cfg.Schema, h.cfg.Check, vals, h.cfg.Today(), portfolio.IdentityFrom(r.Context()))
	if err != nil {
		sum.Code = codeOf(err)
		h.fail(w, r, err)
		return
	}
	h.serve(w, r, plan, format, dialect, asOf, &sum)
}

// CostHeader carries the cost an export was priced at, as extensions.cost
// does for a GraphQL answer.
const CostHeader = "X-Portfolio-Cost"

// FileName returns the name of an export's file: portfolio-LIST-DAY.EXT,
// the list's field name in kebab case, and -donnees-fictives before the
// extension for the demo's fictitious records.
func FileName(list string, day portfolio.Date, f Format, fictitious bool) string {
	var b strings.Builder
	for i, r := range list {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('-')
			}
			r = unicode.ToLower(r)
		}
		if r == '_' {
			r = '-'
		}
		b.WriteRune(r)
	}
	if fictitious {
		return fmt.Sprintf("portfolio-%s-%s-donnees-fictives.%s", b.String(), day, f)
	}
	return fmt.Sprintf("portfolio-%s-%s.%s", b.String(), day, f)
}

// serve runs the plan into the response: the headers go out with the
// first bytes, so that an error of the first page is still a 400.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, plan *Plan, f Format, d Dialect, day portfolio.Date, sum *Summary) {
	sum.List, sum.Format = plan.Name, f
	// The whole export is priced before anything is written.
	price := Price{PageSize: PageSize}
	if h.cfg.Price != nil {
		var err error
		if price, err = h.cfg.Price(r.Context(), plan, PageSize); err != nil {
			sum.Code = codeOf(err)
			h.fail(w, r, err)
			return
		}
		sum.Cost = price.Cost
	}
	var about *About
	if h.cfg.About != nil {
		about = h.cfg.About(r.Context(), day)
	}
	out := &lazyWriter{w: w, writeTimeout: h.cfg.WriteTimeout, start: func() {
		hd := w.Header()
		hd.Set("Content-Type", f.ContentType())
		hd.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, FileName(plan.Name, day, f, about != nil && about.Fictitious)))
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Content-Type-Options", "nosniff")
		if price.Cost > 0 {
			// What the export was priced at, before its first row
			// (extensions.cost of a GraphQL answer).
			hd.Set(CostHeader, strconv.Itoa(price.Cost))
		}
		w.WriteHeader(http.StatusOK)
	}}
	wr, err := NewWriter(out, f, WriterOptions{Dialect: d, Sheet: plan.Sheet(), About: about})
	if err != nil {
		sum.Code = codeOf(err)
		h.fail(w, r, err)
		return
	}
	st, err := plan.Run(r.Context(), h.runner, flushing{wr, out}, Options{PageSize: price.PageSize})
	sum.Rows, sum.Pages = st.Rows, st.Pages
	if err == nil {
		return
	}
	sum.Code = codeOf(err)
	if !out.started {
		h.fail(w, r, err)
		return
	}
	if r.Context().Err() == nil {
		h.cfg.Logger.ErrorContext(r.Context(), "export stopped", "list", plan.Name, "rows", st.Rows, "pages", st.Pages, "err", err)
	}
	// The status is gone: cut the response so that the client sees it
	// incomplete rather than a short file.
	panic(http.ErrAbortHandler)
}

// fail answers with the error, before anything was written.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if re, ok := IsRequestError(err); ok {
		writeError(w, re)
		return
	}
	if errors.Is(err, context.Canceled) || r.Context().Err() != nil {
		return // the client has gone
	}
	h.cfg.Logger.ErrorContext(r.Context(), "export failed", "err", err)
	writeError(w, &RequestError{Code: portfolio.EInternal, Message: "internal error"})
}

// writeError answers with err, a *RequestError (any other error is an
// internal one), before anything was written.
func writeError(w http.ResponseWriter, err error) {
	re, ok := IsRequestError(err)
	if !ok {
		re = &RequestError{Code: portfolio.EInternal, Message: "internal error"}
	}
	httperror.Write(w, httperror.Answer{Code: re.Code, Message: re.Message, Status: re.HTTPStatus(), Errors: re.Errors, Summary: true})
}

// lazyWriter sends the response's headers with its first bytes.
type lazyWriter struct {
	w            http.ResponseWriter
	start        func()
	started      bool
	writeTimeout time.Duration
}

func (l *lazyWriter) Write(b []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start()
	}
	return l.w.Write(b)
}

// flush pushes what the response holds to the client.
func (l *lazyWriter) flush() error {
	if !l.started {
		return nil
	}
	rc := http.NewResponseController(l.w)
	if err := rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return fmt.Errorf("export: write: %w", err)
	}
	if l.writeTimeout > 0 {
		if err := rc.SetWriteDeadline(time.Now().Add(l.writeTimeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
			return fmt.Errorf("export: write deadline: %w", err)
		}
	}
	return nil
}

// flushing flushes the response after the writer, at the end of each page.
type flushing struct {
	Writer
	out *lazyWriter
}

func (f flushing) Flush() error {
	if err := f.Writer.Flush(); err != nil {
		return err
	}
	return f.out.flush()
}

var _ io.Writer = (*lazyWriter)(nil)
