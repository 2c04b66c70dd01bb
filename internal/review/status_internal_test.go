package review

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// tokens knows no token, and fails on "broken".
type tokens struct{}

func (tokens) Authenticate(_ context.Context, token string) (*portfolio.Identity, error) {
	if token == "broken" {
		return nil, errors.New("the database does not answer")
	}
	return nil, portfolio.Errorf(portfolio.EUnauthenticated, "invalid or revoked token")
}

// TestErrorPageStatus lists every error code and checks that the review
// pages answer it with the edge's table's status (httperror.Status): the
// error page and the sign-in form, through which every refusal of the
// pages goes; then that the refusals the pages meet give the code they
// should.
func TestErrorPageStatus(t *testing.T) {
	h := &handler{cfg: Config{Tokens: tokens{}, Logger: slog.New(slog.DiscardHandler), Today: portfolio.Today}, assets: pageAssets("/assets/npm")}
	for _, code := range portfolio.Codes() {
		rec := httptest.NewRecorder()
		h.errorPage(rec, httptest.NewRequest(http.MethodGet, "/review", nil), nil, code, "Erreur", "Un message.")
		if rec.Code != httperror.Status(code) {
			t.Errorf("error page of %s: %d, the table says %d", code, rec.Code, httperror.Status(code))
		}
		rec = httptest.NewRecorder()
		h.renderSignIn(rec, httptest.NewRequest(http.MethodGet, "/review/connexion", nil), signInView{Error: "Un message."}, code)
		if rec.Code != httperror.Status(code) {
			t.Errorf("sign-in form of %s: %d, the table says %d", code, rec.Code, httperror.Status(code))
		}
	}

	pages := Handler(Config{Tokens: tokens{}, PublicRead: true, Limiter: auth.NewLimiter(auth.LimitConfig{Failures: -1})})
	tests := []struct {
		name, method, path, authorization, form string
		code                                    string
	}{
		{"an unknown page", "GET", "/review/nope", "", "", portfolio.ENotFound},
		{"an unknown parameter", "GET", "/review?nope=1", "", "", portfolio.EInvalid},
		{"a date that is not one", "GET", "/review?asOf=demain", "", "", portfolio.EInvalid},
		{"a token refused", "GET", "/review", "Bearer pf_1_wrong", "", portfolio.EUnauthenticated},
		{"a token that cannot be checked", "GET", "/review", "Bearer broken", "", portfolio.EInternal},
		{"an empty sign-in form", "POST", "/review/connexion", "", "jeton=", portfolio.EInvalid},
		{"a token refused at sign-in", "POST", "/review/connexion", "", "jeton=pf_1_wrong", portfolio.EUnauthenticated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req *http.Request
			if tt.method == "POST" {
				req = httptest.NewRequest(tt.method, tt.path, strings.NewReader(url.Values{"jeton": {strings.TrimPrefix(tt.form, "jeton=")}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else {
				req = httptest.NewRequest(tt.method, tt.path, nil)
			}
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			rec := httptest.NewRecorder()
			pages.ServeHTTP(rec, req)
			if want := httperror.Status(tt.code); rec.Code != want {
				t.Errorf("%s %s: %d, want %d (%s)", tt.method, tt.path, rec.Code, want, tt.code)
			}
		})
	}
}
