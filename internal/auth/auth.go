// Package auth authenticates the callers of the API: it reads the bearer
// token of each request, asks the token store whose it is, and puts the
// caller's identity in the request's context for the resolvers (and for
// anything that logs the request) to read with portfolio.IdentityFrom.
package auth

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Authenticator returns the identity behind an API token; *sqlite.DB is
// one. It refuses a token it does not accept with a *portfolio.Error of code
// UNAUTHENTICATED; any other error is a failure of the store.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (*portfolio.Identity, error)
}

// Options tune Middleware. The zero value requires a token on every request.
type Options struct {
	// PublicRead lets requests without an Authorization header through, as
	// portfolio.Anonymous. A header that is there but not a valid token is
	// refused either way: a bad token never falls back to anonymous.
	PublicRead bool
	// Logger receives the failures of the token store; nil discards them.
	Logger *slog.Logger
}

// Middleware authenticates each request from its "Authorization: Bearer
// <token>" header before handing it to next, with the caller's identity in
// its context (portfolio.WithIdentity). A request it refuses gets a 401 with
// "WWW-Authenticate: Bearer" and a GraphQL-shaped JSON body:
// {"errors":[{"message":"…","extensions":{"code":"UNAUTHENTICATED"}}]}.
func Middleware(tokens Authenticator, opts Options, next http.Handler) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("Authorization")
		if len(values) == 0 {
			if !opts.PublicRead {
				httperror.Write(w, httperror.Answer{Code: portfolio.EUnauthenticated, Message: "this server needs a token: send Authorization: Bearer <token>"})
				return
			}
			next.ServeHTTP(w, r.WithContext(portfolio.WithIdentity(r.Context(), portfolio.Anonymous)))
			return
		}
		token, ok := bearer(values)
		if !ok {
			httperror.Write(w, httperror.Answer{Code: portfolio.EUnauthenticated, Message: `malformed Authorization header: want one "Authorization: Bearer <token>"`})
			return
		}
		id, err := tokens.Authenticate(r.Context(), token)
		if err != nil {
			if portfolio.ErrorCode(err) == portfolio.EUnauthenticated {
				httperror.Write(w, httperror.Answer{Code: portfolio.EUnauthenticated, Message: portfolio.ErrorMessage(err)})
				return
			}
			log.ErrorContext(r.Context(), "authenticate", "err", err)
			httperror.Write(w, httperror.Answer{Code: portfolio.EInternal, Message: "internal error"})
			return
		}
		next.ServeHTTP(w, r.WithContext(portfolio.WithIdentity(r.Context(), id)))
	})
}

// bearer returns the token of the one Authorization header values holds,
// when it reads "Bearer <token>" (the scheme in any case, RFC 7235).
func bearer(values []string) (string, bool) {
	if len(values) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	token = strings.TrimLeft(token, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}
