package httperror_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		name       string
		answer     httperror.Answer
		status     int
		keys       []string // top-level keys of the body
		authHeader string
		retryAfter string
	}{
		{"status of the code", httperror.Answer{Code: portfolio.EDamaged, Message: "the database is damaged"}, 503, []string{"errors"}, "", ""},
		{"unauthenticated", httperror.Answer{Code: portfolio.EUnauthenticated, Message: "a token"}, 401, []string{"errors"}, "Bearer", ""},
		{"a status about HTTP itself", httperror.Answer{Code: portfolio.EInvalid, Status: 415, Message: "send JSON"}, 415, []string{"errors"}, "", ""},
		{"busy", httperror.Answer{Code: portfolio.EUnavailable, Message: "busy", RetryAfter: "1"}, 503, []string{"errors"}, "", "1"},
		{"rate limited", httperror.Answer{Code: portfolio.ERateLimited, Message: "too many failed authentications", RetryAfter: "5"}, 429, []string{"errors"}, "", "5"},
		{"export summary", httperror.Answer{Code: portfolio.EComplexity, Message: "too costly", Summary: true}, 422, []string{"code", "error", "errors"}, "", ""},
		{"unknown code", httperror.Answer{Code: "SOMETHING", Message: "?"}, 500, []string{"errors"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			httperror.Write(rec, tt.answer)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			h := rec.Header()
			if h.Get("Content-Type") != "application/json" || h.Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", h)
			}
			if h.Get("WWW-Authenticate") != tt.authHeader || h.Get("Retry-After") != tt.retryAfter {
				t.Errorf("WWW-Authenticate %q, Retry-After %q", h.Get("WWW-Authenticate"), h.Get("Retry-After"))
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if len(body) != len(tt.keys) {
				t.Errorf("body %s, want the keys %v", rec.Body, tt.keys)
			}
			for _, k := range tt.keys {
				if _, ok := body[k]; !ok {
					t.Errorf("body %s has no %q", rec.Body, k)
				}
			}
			var errs []httperror.GraphQLError
			if err := json.Unmarshal(body["errors"], &errs); err != nil || len(errs) != 1 ||
				errs[0].Message != tt.answer.Message || errs[0].Code() != tt.answer.Code {
				t.Errorf("errors %s, want one with the message and code", body["errors"])
			}
		})
	}
}

// TestStatusOfEveryCode checks that the table has a status for every code
// of the domain, an error status, and that Write answers it.
func TestStatusOfEveryCode(t *testing.T) {
	for _, code := range portfolio.Codes() {
		s := httperror.Status(code)
		if !httperror.Known(code) || s < 400 || s > 599 {
			t.Errorf("%s: status %d (known %v)", code, s, httperror.Known(code))
		}
		rec := httptest.NewRecorder()
		httperror.Write(rec, httperror.Answer{Code: code, Message: "m"})
		if rec.Code != s {
			t.Errorf("%s: Write answered %d, the table says %d", code, rec.Code, s)
		}
	}
	if httperror.Known("SOMETHING") || httperror.Status("SOMETHING") != 500 {
		t.Errorf("an unknown code: known %v, status %d; want 500", httperror.Known("SOMETHING"), httperror.Status("SOMETHING"))
	}
}
