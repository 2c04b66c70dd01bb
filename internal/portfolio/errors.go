package portfolio

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes, as the API reports them in extensions.code.
const (
	EInvalid         = "BAD_USER_INPUT"
	ENotFound        = "NOT_FOUND"
	EUnauthenticated = "UNAUTHENTICATED"
	EForbidden       = "FORBIDDEN"
	EConflict        = "CONFLICT"
	EComplexity      = "COMPLEXITY_LIMIT"
	ETooLarge        = "RESPONSE_TOO_LARGE"
	ETimeout         = "TIMEOUT"
	EUnavailable     = "UNAVAILABLE"
	EInternal        = "INTERNAL"
	// EDamaged: the database file is damaged (SQLite found it corrupt);
	// the detail is in the server's log.
	EDamaged = "DATABASE_DAMAGED"
	// EParseFailed and EValidationFailed are gqlgen's codes for a query
	// that does not parse or validate; exports report them too.
	EParseFailed      = "GRAPHQL_PARSE_FAILED"
	EValidationFailed = "GRAPHQL_VALIDATION_FAILED"
	// EUnknownDocument is an automatic persisted query the server does not
	// hold (the client sends the document then); EUntrustedDocument a
	// document outside the server's trusted documents.
	EUnknownDocument   = "PERSISTED_QUERY_NOT_FOUND"
	EUntrustedDocument = "UNTRUSTED_DOCUMENT"
	// ERateLimited: too many failed authentications came from the
	// caller's address; the answer says when to retry (Retry-After).
	ERateLimited = "RATE_LIMITED"
	// EReadOnlyReplica: a mutation sent to a read replica that forwards
	// none (portfolio replica without --primary); the message names the
	// primary when the replica knows it.
	EReadOnlyReplica = "READ_ONLY_REPLICA"
)

// httpStatus is the HTTP status of each code, for the answers that refuse a
// whole request before GraphQL answers it (a token, a body, an export);
// inside a GraphQL answer an error is at its field, and the answer a 200.
var httpStatus = map[string]int{
	EInvalid:           http.StatusBadRequest,
	EParseFailed:       http.StatusBadRequest,
	EValidationFailed:  http.StatusBadRequest,
	EUnauthenticated:   http.StatusUnauthorized,
	EForbidden:         http.StatusForbidden,
	ENotFound:          http.StatusNotFound,
	EConflict:          http.StatusConflict,
	EComplexity:        http.StatusUnprocessableEntity, // a limit of the server: the query is valid
	ETooLarge:          http.StatusUnprocessableEntity,
	EUnknownDocument:   http.StatusUnprocessableEntity,
	EUntrustedDocument: http.StatusUnprocessableEntity,
	EUnavailable:       http.StatusServiceUnavailable, // retry
	ERateLimited:       http.StatusTooManyRequests,    // retry after Retry-After
	ETimeout:           http.StatusGatewayTimeout,     // the database did not answer in time
	EDamaged:           http.StatusServiceUnavailable,
	EInternal:          http.StatusInternalServerError,
	EReadOnlyReplica:   http.StatusMisdirectedRequest, // send it to the primary
}

// HTTPStatus returns the HTTP status of an error code (500 for a code it
// does not know).
func HTTPStatus(code string) int {
	if s, ok := httpStatus[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrDamaged is in the chain of every error caused by a damaged database
// file; the API reports it as DATABASE_DAMAGED.
var ErrDamaged = errors.New("the database is damaged")

// Error is a domain error with a code for the client, a message safe to show
// and, for invalid input, the name of the offending field or argument.
// Extensions holds further details for the client (a CONFLICT's existing
// record, …), shown beside the code in the error's extensions.
type Error struct {
	Code       string
	Message    string
	Field      string
	Extensions map[string]any
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns a BAD_USER_INPUT *Error naming field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, INTERNAL for
// any other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the message of the first *Error in err's chain, and a
// generic text for any other error, so internal details never reach clients.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	}
	return "internal error"
}
