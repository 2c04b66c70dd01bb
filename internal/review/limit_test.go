package review_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/review"
)

// stubTokens knows a valid token and an expired one, and counts the times
// it is asked.
type stubTokens struct{ asked atomic.Int64 }

// expiredAt is when the stub's expired token expired: 1 March 2027 at
// midnight in Paris.
var expiredAt = time.Date(2027, 2, 28, 23, 0, 0, 0, time.UTC)

func (s *stubTokens) Authenticate(_ context.Context, token string) (*portfolio.Identity, error) {
	s.asked.Add(1)
	switch token {
	case "good":
		return &portfolio.Identity{TokenID: 1, TokenName: "good", Role: portfolio.RoleViewer}, nil
	case "expired":
		return nil, portfolio.TokenExpired(expiredAt)
	}
	return nil, portfolio.Errorf(portfolio.EUnauthenticated, "invalid or revoked token")
}

// The sign-in form says in French that a token expired, and when; a
// browser whose cookie holds an expired token is sent to the form, which
// says so. Past its address's limit of failures, the form answers 429 with
// Retry-After, in French, without asking the token store, and its pages
// too; the refusals are logged once for the burst, not once each.
func TestSignInExpiredAndLimited(t *testing.T) {
	store := &stubTokens{}
	now := time.Date(2027, 3, 2, 9, 0, 0, 0, time.UTC)
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	limiter := auth.NewLimiter(auth.LimitConfig{Failures: 3, Refill: 7 * time.Second, Now: func() time.Time { return now }, Logger: log})
	srv := httptest.NewServer(review.Handler(review.Config{Tokens: store, Limiter: limiter, Logger: log, PublicRead: true}))
	defer srv.Close()
	signIn := func(token string) (*http.Response, *html.Node) {
		t.Helper()
		resp, body := post(t, srv.URL, "/review/connexion", url.Values{"jeton": {token}, "suite": {"/review/startups/x"}}, anonymous, nil)
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return resp, doc
	}

	resp, doc := signIn("expired")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(text(doc), "Ce jeton a expiré le 1er mars 2027 à 00:00 (heure de Paris)") {
		t.Errorf("expired token: status %d, the form says:\n%s", resp.StatusCode, shorten(text(doc)))
	}
	resp, _ = do(t, http.MethodGet, srv.URL+"/review/startups/x", nil, caller{cookie: "expired"}, nil)
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "motif=expiration") || cookieOf(resp) == nil || cookieOf(resp).MaxAge >= 0 {
		t.Fatalf("expired cookie: status %d, Location %q, cookie %v", resp.StatusCode, loc, resp.Header.Values("Set-Cookie"))
	}
	_, doc = page(t, srv.URL, loc, anonymous, http.StatusOK)
	if !strings.Contains(text(doc), "a expiré") {
		t.Errorf("the form after an expired cookie says:\n%s", shorten(text(doc)))
	}

	// Two failures so far (the form and the cookie); one more trips the limit.
	if resp, _ := signIn("pf_1_wrong"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("third failure: status %d", resp.StatusCode)
	}
	asked := store.asked.Load()
	for _, token := range []string{"pf_1_wrong", "good", "expired"} {
		resp, doc := signIn(token)
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" || cookieOf(resp) != nil {
			t.Errorf("%s past the limit: status %d, Retry-After %q, cookie %v", token, resp.StatusCode, resp.Header.Get("Retry-After"), cookieOf(resp))
		}
		if !strings.Contains(text(doc), "Trop de tentatives de connexion ont échoué depuis votre adresse : réessayez dans 7 s.") {
			t.Errorf("the form past the limit says:\n%s", shorten(text(doc)))
		}
	}
	resp, body := do(t, http.MethodGet, srv.URL+"/review/startups/x", nil, caller{cookie: "good"}, nil)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "7" || !strings.Contains(body, "Trop de tentatives") {
		t.Errorf("a page with a cookie past the limit: status %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if store.asked.Load() != asked {
		t.Errorf("the token store was asked %d times past the limit", store.asked.Load()-asked)
	}

	// After Retry-After, the valid token signs in.
	now = now.Add(7 * time.Second)
	if resp, _ := signIn("good"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/review/startups/x" {
		t.Errorf("after the wait: status %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if n := strings.Count(logs.String(), "refusing further attempts"); n != 1 {
		t.Errorf("%d lines say the address was limited, want 1:\n%s", n, logs.String())
	}
	if n := strings.Count(logs.String(), "status=429"); n != 0 {
		t.Errorf("%d page lines for refused attempts, want none:\n%s", n, logs.String())
	}
}
