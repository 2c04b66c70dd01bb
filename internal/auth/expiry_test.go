package auth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// expiring is a token store whose every token expired at a fixed time.
type expiring struct{ at time.Time }

func (e expiring) Authenticate(context.Context, string) (*portfolio.Identity, error) {
	return nil, portfolio.TokenExpired(e.at)
}

// An expired token is refused UNAUTHENTICATED with a message saying when it
// expired and extensions.expiredAt, from a header and from the cookie (the
// cookie deleted), and counts as a failure of its address.
func TestMiddlewareExpired(t *testing.T) {
	at := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	l := auth.NewLimiter(auth.LimitConfig{})
	h := auth.Middleware(expiring{at}, auth.Options{PublicRead: true, Cookie: true, Limiter: l}, http.NotFoundHandler())
	for _, tt := range []struct {
		name           string
		header, cookie string
		says           string
	}{
		{"header", "Bearer pf_1_x", "", "this token expired on 2027-03-01 00:00 UTC"},
		{"cookie", "", "pf_1_x", "the token this browser signed in with is no longer valid (this token expired on 2027-03-01 00:00 UTC"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
			if tt.header != "" {
				r.Header.Set("Authorization", tt.header)
			}
			if tt.cookie != "" {
				r.AddCookie(&http.Cookie{Name: auth.CookieName, Value: tt.cookie})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var body errorBody
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || len(body.Errors) != 1 {
				t.Fatalf("body %s", rec.Body)
			}
			e := body.Errors[0]
			if rec.Code != http.StatusUnauthorized || e.Extensions["code"] != portfolio.EUnauthenticated ||
				e.Extensions["expiredAt"] != "2027-03-01T00:00:00Z" || !strings.Contains(e.Message, tt.says) {
				t.Errorf("status %d, error %+v", rec.Code, e)
			}
			cleared := false
			for _, c := range rec.Result().Cookies() {
				cleared = cleared || (c.Name == auth.CookieName && c.MaxAge < 0)
			}
			if cleared != (tt.cookie != "") {
				t.Errorf("cookie cleared: %v", cleared)
			}
		})
	}
	if l.Failures() != 2 {
		t.Errorf("%d failures counted, want 2", l.Failures())
	}
}
