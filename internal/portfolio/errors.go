package portfolio

import (
	"errors"
	"fmt"
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

// Codes returns every error code, in the order of the constants above:
// each entrance of the program (the HTTP edge's table of statuses, the
// command's exit codes) has an answer for each, which their tests check.
func Codes() []string {
	return []string{
		EInvalid, ENotFound, EUnauthenticated, EForbidden, EConflict, EComplexity,
		ETooLarge, ETimeout, EUnavailable, EInternal, EDamaged, EParseFailed,
		EValidationFailed, EUnknownDocument, EUntrustedDocument, ERateLimited,
		EReadOnlyReplica,
	}
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
