package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// The transports of /graphql follow the GraphQL-over-HTTP specification,
// as the draft that graphql-http's audit checks (.ci/audit: 1.23.1, the
// draft of 2025) has it; the draft's later versions answer validation
// failures 422 and clients of application/json with the same statuses as
// the others, which the audit would warn about. Statuses come from the
// edge's one table (httperror.Status), by these rules:
//
//   - A request that is not a well-formed GraphQL-over-HTTP request (a
//     body that is not JSON, a parameter of the wrong type, no query) is
//     a 400 BAD_USER_INPUT, whatever the media type; a mutation sent by
//     GET a 405, another method a 405, a POST of another media type a 415.
//   - A well-formed request whose operation does not run (it does not
//     parse or validate, its variables cannot be coerced, or a guard
//     refuses it before execution: over a limit, introspection closed, a
//     document not trusted…) is a request error: the answer has no "data".
//     A client that accepts application/graphql-response+json gets the
//     table's status of the first error's code (400 for
//     GRAPHQL_PARSE_FAILED and GRAPHQL_VALIDATION_FAILED, 403 FORBIDDEN,
//     422 COMPLEXITY_LIMIT, 504 TIMEOUT…); one that gets application/json
//     gets 200, as the specification asks of that media type (a legacy
//     client cannot tell a 4xx of the server from an intermediary's: it
//     reads the errors in the body).
//   - An operation that ran is a 200, its errors at their fields, but for
//     a costly request shed before it ran (the costly requests' gate),
//     which is the table's 503 UNAVAILABLE with Retry-After on every media
//     type, as the concurrency guard in front of GraphQL answers.

const graphQLResponseJSON = "application/graphql-response+json"

// postJSON is the transport of POST requests with a JSON body, as gqlgen's
// transport.POST, except for its statuses (above) and that it writes the
// answer's data as the executor made it instead of re-encoding it: an
// answer is then held in memory once, not three times (gqlgen's writer
// compacts the data into a new buffer and copies that).
type postJSON struct{}

var _ graphql.Transport = postJSON{}

// Supports takes POSTs of JSON.
func (postJSON) Supports(r *http.Request) bool {
	if r.Header.Get("Upgrade") != "" || r.Method != http.MethodPost {
		return false
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// Do runs the request.
func (postJSON) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctype := responseType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", ctype)
	start := graphql.Now()
	var params graphql.RawParams
	var err error
	if checked, ok := r.Context().Value(checkedBodyKey{}).(*checkedBody); ok {
		params, err = checked.params() // guardHTTP read and decoded the body
	} else {
		var body []byte
		if body, err = io.ReadAll(r.Body); err != nil {
			malformed(w, r, exec, "the request body could not be read")
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		err = dec.Decode(&params)
	}
	if err != nil {
		malformed(w, r, exec, "the request body could not be decoded as JSON: "+err.Error())
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	run(w, r, exec, &params, ctype, false)
}

// getQuery is the transport of GET requests, their parameters in the URL
// (application/x-www-form-urlencoded): queries only, with the statuses of
// postJSON.
type getQuery struct{}

var _ graphql.Transport = getQuery{}

// Supports takes GETs.
func (getQuery) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && r.Method == http.MethodGet
}

// Do runs the request.
func (getQuery) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctype := responseType(r.Header.Get("Accept"))
	w.Header().Set("Content-Type", ctype)
	start := graphql.Now()
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		malformed(w, r, exec, "the URL's parameters could not be read: "+err.Error())
		return
	}
	params := graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName"), Headers: r.Header}
	for _, p := range []struct {
		name string
		into *map[string]any
	}{{"variables", &params.Variables}, {"extensions", &params.Extensions}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(v))
		dec.UseNumber()
		if err := dec.Decode(p.into); err != nil {
			malformed(w, r, exec, p.name+" must be a JSON object, encoded in the URL")
			return
		}
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	run(w, r, exec, &params, ctype, true)
}

// otherRequests answers what the other transports do not take: OPTIONS
// (the methods /graphql allows), another method (405, with Allow), a POST
// of another media type (415).
type otherRequests struct{}

var _ graphql.Transport = otherRequests{}

const graphQLMethods = "GET, POST, OPTIONS"

// Supports takes everything: it is the last transport.
func (otherRequests) Supports(r *http.Request) bool { return true }

// Do answers the request.
func (otherRequests) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	switch r.Method {
	case http.MethodOptions:
		w.Header().Set("Allow", graphQLMethods)
		w.WriteHeader(http.StatusOK)
	case http.MethodPost:
		httperror.Write(w, httperror.Answer{Code: portfolio.EInvalid, Status: http.StatusUnsupportedMediaType,
			Message: "send the request as JSON (Content-Type: application/json)"})
	default:
		w.Header().Set("Allow", graphQLMethods)
		httperror.Write(w, httperror.Answer{Code: portfolio.EInvalid, Status: http.StatusMethodNotAllowed,
			Message: "use POST, or GET for a query"})
	}
}

// run runs a well-formed request and writes its answer as ctype; get
// refuses mutations (a GET must not change anything).
func run(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, params *graphql.RawParams, ctype string, get bool) {
	ctx := r.Context()
	if params.Query == "" && params.Extensions["persistedQuery"] == nil {
		malformed(w, r, exec, `the request has no query: send {"query": "…"}`)
		return
	}
	rc, opErr := exec.CreateOperationContext(ctx, params)
	if opErr != nil {
		noteRefused(ctx)
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, rc), opErr)
		w.WriteHeader(requestErrorStatus(resp.Errors, ctype))
		writeResponse(w, resp, false)
		return
	}
	if get && rc.Operation != nil && rc.Operation.Operation != ast.Query {
		noteRefused(ctx)
		w.Header().Set("Allow", "POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, rc), gqlerror.List{{
			Message:    "a GET runs queries only: send a " + string(rc.Operation.Operation) + " by POST",
			Extensions: map[string]any{"code": portfolio.EInvalid},
		}})
		writeResponse(w, resp, false)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, rc)
	resp := responses(ctx)
	if resp == nil {
		// gqlgen's end of stream: the request's context ended before any
		// answer was made.
		resp = &graphql.Response{Errors: gqlerror.List{{Message: "the request was cancelled or took too long",
			Extensions: map[string]any{"code": portfolio.ETimeout}}}}
	}
	if after, ok := retryAfter(resp); ok {
		// Shed before it ran (the costly requests' gate): as the
		// concurrency guard answers, a 503 the client may retry.
		w.Header().Set("Retry-After", after)
		w.WriteHeader(httperror.Status(portfolio.EUnavailable))
		writeResponse(w, resp, false)
		return
	}
	writeResponse(w, resp, true)
}

// malformed answers a request that is not a well-formed GraphQL-over-HTTP
// request: a 400 BAD_USER_INPUT, on every media type.
func malformed(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, msg string) {
	resp := exec.DispatchError(r.Context(), gqlerror.List{{Message: msg, Extensions: map[string]any{"code": portfolio.EInvalid}}})
	w.WriteHeader(httperror.Status(portfolio.EInvalid))
	writeResponse(w, resp, false)
}

// noteRefused records, for the request's log line and metrics, that its
// operation did not run: its outcome is "rejected" whatever its status.
func noteRefused(ctx context.Context) {
	if info := infoFrom(ctx); info != nil {
		info.mu.Lock()
		info.refused = true
		info.mu.Unlock()
	}
}

// requestErrorStatus is the status of an answer to a well-formed request
// whose operation did not run, sent as ctype: the table's status of its
// first error's code to a client of application/graphql-response+json,
// 200 to one of application/json.
func requestErrorStatus(errs gqlerror.List, ctype string) int {
	if ctype != graphQLResponseJSON {
		return http.StatusOK
	}
	code := ""
	if len(errs) > 0 {
		code, _ = errs[0].Extensions["code"].(string)
	}
	return httperror.Status(code)
}

// retryAfter returns the seconds a response with no data and one
// UNAVAILABLE error carrying extensions.retryAfter tells the client to
// wait.
func retryAfter(resp *graphql.Response) (string, bool) {
	if len(resp.Errors) != 1 || (len(resp.Data) > 0 && string(resp.Data) != "null") {
		return "", false
	}
	e := resp.Errors[0]
	if e.Extensions["code"] != portfolio.EUnavailable {
		return "", false
	}
	if n, ok := e.Extensions["retryAfter"].(int); ok && n > 0 {
		return strconv.Itoa(n), true
	}
	return "", false
}

// responseType is the content type of the answer: of the media types the
// client accepts (Accept), the one it prefers (its highest q, then the
// first listed) among application/graphql-response+json and
// application/json (*/* and application/* mean application/json);
// application/json when it accepts neither, or says nothing.
func responseType(accept string) string {
	best, bestQ := "application/json", 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 0 && v <= 1 {
				q = v
			}
		}
		var t string
		switch mt {
		case graphQLResponseJSON:
			t = graphQLResponseJSON
		case "application/json", "*/*", "application/*":
			t = "application/json"
		default:
			continue
		}
		if q > bestQ {
			best, bestQ = t, q
		}
	}
	return best
}

// writeResponse writes a response as JSON, its data as they are. An
// answer whose operation did not run (withData false) has no "data" entry,
// as the GraphQL specification says of request errors; one that ran has
// it, null when it holds none.
//
// The answer is written at once, with its length: net/http then sends it
// in one or two writes to the connection, where the parts written one by
// one went out chunked, in three or four.
func writeResponse(w io.Writer, resp *graphql.Response, withData bool) {
	buf := answerBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledAnswer {
			buf.Reset()
			answerBuffers.Put(buf)
		}
	}()
	buf.WriteByte('{')
	if len(resp.Errors) > 0 {
		buf.WriteString(`"errors":`)
		b, _ := json.Marshal(resp.Errors)
		buf.Write(b)
	}
	if withData {
		if len(resp.Errors) > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`"data":`)
		if len(resp.Data) == 0 {
			buf.WriteString("null")
		} else {
			buf.Write(resp.Data)
		}
	}
	if len(resp.Extensions) > 0 {
		b, _ := json.Marshal(resp.Extensions)
		if withData || len(resp.Errors) > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(`"extensions":`)
		buf.Write(b)
	}
	buf.WriteString("}\n")
	if hw, ok := w.(http.ResponseWriter); ok {
		hw.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	}
	w.Write(buf.Bytes())
}

// answerBuffers are the buffers answers are made in before they are
// written; those grown past maxPooledAnswer are left to the collector.
var answerBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const maxPooledAnswer = 1 << 20
