// Package auth authenticates the callers of the API: it reads the bearer
// token of each request (or, where a browser signed in, the token its
// cookie keeps), asks the token store whose it is, and puts the caller's
// identity in the request's context for the resolvers (and for anything
// that logs the request) to read with portfolio.IdentityFrom.
package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

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
	// Cookie lets a request without an Authorization header authenticate
	// with the token that the CookieName cookie keeps (a browser signed in
	// with SetCookie). Such a request's context says so (ViaCookie): a
	// cookie goes with every request the browser sends to the server, so
	// it must only read, and the GraphQL handler refuses it a mutation.
	Cookie bool
	// Limiter, when not nil, limits the failed authentications of each
	// client address: a request sending a credential from an address past
	// its limit is refused RATE_LIMITED before the token store is asked.
	Limiter *Limiter
}

// CookieName is the cookie in which a browser keeps the token it signed in
// with (SetCookie).
const CookieName = "portfolio_token"

// CookieMaxAge is how long a browser keeps the sign-in cookie.
const CookieMaxAge = 12 * time.Hour

// SetCookie signs the browser of r in: the answer keeps token in the
// CookieName cookie, HttpOnly (no script of a page reads it), SameSite=Strict
// (no request another site makes carries it), Secure when r came over TLS
// (directly, or through a proxy that says X-Forwarded-Proto: https), for
// every path of the server, for CookieMaxAge.
func SetCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, cookie(r, token, int(CookieMaxAge/time.Second)))
}

// ClearCookie signs the browser of r out: the answer deletes the cookie.
func ClearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, cookie(r, "", -1))
}

func cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: CookieName, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		// A forged X-Forwarded-Proto can only make the cookie stricter.
		Secure: r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"),
	}
}

type viaCookieKey struct{}

// ViaCookie reports whether the caller of ctx's request authenticated
// with the sign-in cookie rather than an Authorization header.
func ViaCookie(ctx context.Context) bool {
	v, _ := ctx.Value(viaCookieKey{}).(bool)
	return v
}

// VouchedByForm returns ctx without the mark of the sign-in cookie: a
// GraphQL mutation run with it is not refused for the cookie. Only the
// review pages' forms call it, for a request that carried their
// anti-forgery token (derived from the very token of the cookie, which
// no page of another site can read) from a page of this server: the
// cookie then writes through those forms, never through /graphql.
func VouchedByForm(ctx context.Context) context.Context {
	return context.WithValue(ctx, viaCookieKey{}, false)
}

// Identify returns the identity of r's caller, and the context of r
// carrying it (portfolio.WithIdentity, and ViaCookie when the token came
// from the cookie). The Authorization header, when there is one, is the
// only credential looked at; without it, the cookie when opts.Cookie;
// without either, the anonymous caller when opts.PublicRead. A request it
// refuses gets a *portfolio.Error of code UNAUTHENTICATED; any other error
// is a failure of the token store. With opts.Limiter, a request sending a
// credential from an address past its limit gets a RATE_LIMITED error
// (RateLimited) before the store is asked, and each credential refused
// counts against its address.
func Identify(tokens Authenticator, opts Options, r *http.Request) (context.Context, *portfolio.Identity, error) {
	ctx := r.Context()
	values := r.Header.Values("Authorization")
	var token string
	viaCookie, wellFormed := false, true
	switch {
	case len(values) > 0:
		token, wellFormed = bearer(values)
	case opts.Cookie && hasCookie(r):
		c, _ := r.Cookie(CookieName)
		token, viaCookie = c.Value, true
	case opts.PublicRead:
		return portfolio.WithIdentity(ctx, portfolio.Anonymous), portfolio.Anonymous, nil
	default:
		return ctx, nil, portfolio.Errorf(portfolio.EUnauthenticated,
			"this server needs a token: send Authorization: Bearer <token>")
	}
	client := opts.Limiter.Client(r)
	if wait, ok := opts.Limiter.Allow(client); !ok {
		return ctx, nil, RateLimited(wait)
	}
	if !wellFormed {
		opts.Limiter.Fail(client)
		return ctx, nil, portfolio.Errorf(portfolio.EUnauthenticated,
			`malformed Authorization header: want one "Authorization: Bearer <token>"`)
	}
	id, err := tokens.Authenticate(ctx, token)
	if err != nil {
		if portfolio.ErrorCode(err) != portfolio.EUnauthenticated {
			return ctx, nil, err
		}
		opts.Limiter.Fail(client)
		if viaCookie {
			e := portfolio.Errorf(portfolio.EUnauthenticated,
				"the token this browser signed in with is no longer valid (%s): sign in again, or send Authorization: Bearer <token>", portfolio.ErrorMessage(err))
			e.Extensions = extensionsOf(err)
			return ctx, nil, e
		}
		return ctx, nil, err
	}
	ctx = portfolio.WithIdentity(ctx, id)
	if viaCookie {
		ctx = context.WithValue(ctx, viaCookieKey{}, true)
	}
	return ctx, id, nil
}

// extensionsOf returns the extensions of the *portfolio.Error in err's
// chain (when the token expired, when to retry), or nil.
func extensionsOf(err error) map[string]any {
	var e *portfolio.Error
	if errors.As(err, &e) {
		return e.Extensions
	}
	return nil
}

// hasCookie reports whether r carries a non-empty sign-in cookie.
func hasCookie(r *http.Request) bool {
	c, err := r.Cookie(CookieName)
	return err == nil && c.Value != ""
}

// Middleware authenticates each request (Identify) before handing it to
// next, with the caller's identity in its context. A request it refuses
// gets a 401 with "WWW-Authenticate: Bearer" and a GraphQL-shaped JSON
// body: {"errors":[{"message":"…","extensions":{"code":"UNAUTHENTICATED"}}]}
// (with extensions.expiredAt for an expired token); when the refused token
// came from the cookie, the answer also deletes the cookie, so that the
// browser's next requests go without it. A request from an address past
// its limit of failures (opts.Limiter) gets a 429 RATE_LIMITED with
// Retry-After (and extensions.retryAfter), and keeps its cookie.
func Middleware(tokens Authenticator, opts Options, next http.Handler) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, _, err := Identify(tokens, opts, r)
		if err != nil {
			switch code := portfolio.ErrorCode(err); code {
			case portfolio.EUnauthenticated, portfolio.ERateLimited:
				if code == portfolio.EUnauthenticated && opts.Cookie && len(r.Header.Values("Authorization")) == 0 && hasCookie(r) {
					ClearCookie(w, r)
				}
				ext := map[string]any{"code": code}
				for k, v := range extensionsOf(err) {
					ext[k] = v
				}
				httperror.Write(w, httperror.Answer{Code: code, Message: portfolio.ErrorMessage(err), RetryAfter: RetryAfter(err),
					Errors: []httperror.GraphQLError{{Message: portfolio.ErrorMessage(err), Extensions: ext}}})
				return
			}
			log.ErrorContext(r.Context(), "authenticate", "err", err)
			httperror.Write(w, httperror.Answer{Code: portfolio.EInternal, Message: "internal error"})
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
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
