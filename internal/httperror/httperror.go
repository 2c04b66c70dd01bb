// Package httperror is the HTTP edge's one table of statuses: the HTTP
// status of each error code of the domain (Status), which every entrance
// answers with (/graphql, /export, the review pages; the command's exit
// codes derive from it). It also writes the error answers of the
// entrances that refuse a request before GraphQL answers it (the guards of
// /graphql, authentication, /export): one JSON shape, with the status of
// the error's code, unless the refusal is about HTTP itself (a method, a
// media type, a body too large), which says its own status.
package httperror

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/portfolio"
)

// statuses is the HTTP status of each error code: the one table. An
// entrance that refuses a request answers the status of its code; inside
// a GraphQL answer an error is at its field, and the answer a 200 (the
// rules of /graphql, per media type, are internal/server's transport).
var statuses = map[string]int{
	portfolio.EInvalid:           http.StatusBadRequest,
	portfolio.EParseFailed:       http.StatusBadRequest,
	portfolio.EValidationFailed:  http.StatusBadRequest,
	portfolio.EUnauthenticated:   http.StatusUnauthorized,
	portfolio.EForbidden:         http.StatusForbidden,
	portfolio.ENotFound:          http.StatusNotFound,
	portfolio.EConflict:          http.StatusConflict,
	portfolio.EComplexity:        http.StatusUnprocessableEntity, // a limit of the server: the query is valid
	portfolio.ETooLarge:          http.StatusUnprocessableEntity,
	portfolio.EUnknownDocument:   http.StatusUnprocessableEntity,
	portfolio.EUntrustedDocument: http.StatusUnprocessableEntity,
	portfolio.EUnavailable:       http.StatusServiceUnavailable, // retry
	portfolio.ERateLimited:       http.StatusTooManyRequests,    // retry after Retry-After
	portfolio.ETimeout:           http.StatusGatewayTimeout,     // the database did not answer in time
	portfolio.EDamaged:           http.StatusServiceUnavailable,
	portfolio.EInternal:          http.StatusInternalServerError,
	portfolio.EReadOnlyReplica:   http.StatusMisdirectedRequest, // send it to the primary
}

// Status returns the HTTP status of an error code (500 for a code it does
// not know).
func Status(code string) int {
	if s, ok := statuses[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Known reports whether the table has a status for code.
func Known(code string) bool {
	_, ok := statuses[code]
	return ok
}

// GraphQLError is an error as GraphQL answers carry them.
type GraphQLError struct {
	Message    string         `json:"message"`
	Locations  []Location     `json:"locations,omitempty"`
	Path       []any          `json:"path,omitempty"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// Location is a place in a GraphQL document: line and column, from 1.
type Location struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

// Code returns extensions.code, or "".
func (e GraphQLError) Code() string {
	c, _ := e.Extensions["code"].(string)
	return c
}

// String returns the message with the error's path and code, for people.
func (e GraphQLError) String() string {
	var b strings.Builder
	b.WriteString(e.Message)
	var at []string
	for _, p := range e.Path {
		switch p := p.(type) {
		case string:
			at = append(at, p)
		case float64:
			at = append(at, strconv.Itoa(int(p)))
		case json.Number:
			at = append(at, string(p))
		}
	}
	if len(at) > 0 || e.Code() != "" {
		b.WriteString(" (")
		if len(at) > 0 {
			b.WriteString("at " + strings.Join(at, "."))
			if e.Code() != "" {
				b.WriteString(", ")
			}
		}
		b.WriteString(e.Code())
		b.WriteString(")")
	}
	return b.String()
}

// Answer is an error answer.
type Answer struct {
	// Code is the error's code (portfolio.EInvalid, …).
	Code string
	// Message says what is wrong, for a person.
	Message string
	// Status is the HTTP status; 0 means the code's (Status).
	Status int
	// Errors are the GraphQL errors behind the answer; none means one made
	// of Code and Message.
	Errors []GraphQLError
	// Summary also writes the message and the code at the top of the body
	// ("error", "code"), for the clients of /export, which are scripts and
	// browsers rather than GraphQL clients. GraphQL answers keep to the
	// keys the GraphQL specification allows.
	Summary bool
	// RetryAfter, when not empty, is sent as the Retry-After header
	// (seconds).
	RetryAfter string
}

// StatusOf returns the status the answer is sent with.
func (a Answer) StatusOf() int {
	if a.Status != 0 {
		return a.Status
	}
	return Status(a.Code)
}

// Write sends the answer: {"errors": [{"message", "extensions": {"code"}}]},
// with "error" and "code" first for a Summary, as JSON that is never
// cached; a 401 says "WWW-Authenticate: Bearer".
func Write(w http.ResponseWriter, a Answer) {
	errs := a.Errors
	if len(errs) == 0 {
		errs = []GraphQLError{{Message: a.Message, Extensions: map[string]any{"code": a.Code}}}
	}
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // messages quote "Bearer <token>", queries, …
	if a.Summary {
		enc.Encode(struct {
			Error  string         `json:"error"`
			Code   string         `json:"code"`
			Errors []GraphQLError `json:"errors"`
		}{a.Message, a.Code, errs})
	} else {
		enc.Encode(struct {
			Errors []GraphQLError `json:"errors"`
		}{errs})
	}
	status := a.StatusOf()
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", "Bearer")
	}
	if a.RetryAfter != "" {
		h.Set("Retry-After", a.RetryAfter)
	}
	w.WriteHeader(status)
	w.Write(body.Bytes())
}
