package main

import (
	"net/http"
	"strings"
	"testing"
)

// serve's flags tune the limit of failed authentications, or turn it off.
func TestServeAuthLimitFlags(t *testing.T) {
	db := tokenTestDB(t)
	wrong := func(url string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, url+"/graphql", strings.NewReader(`{"query":"{__typename}"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer pf_1_wrong")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Retry-After")
	}
	url, _ := serveOutput(t, db, nil, "--auth-failures", "2", "--auth-refill", "1m")
	for i, want := range []int{401, 401, 429, 429} {
		if got, after := wrong(url); got != want || (want == 429 && after != "60") {
			t.Errorf("attempt %d with --auth-failures 2: status %d, Retry-After %q; want %d", i+1, got, after, want)
		}
	}
	url, _ = serveOutput(t, db, nil, "--auth-failures", "0")
	for i := range 30 {
		if got, _ := wrong(url); got != 401 {
			t.Fatalf("attempt %d with --auth-failures 0: status %d", i+1, got)
		}
	}
	for _, args := range [][]string{{"--auth-failures", "-1"}, {"--auth-refill", "0s"}, {"--auth-clients", "0"}} {
		_, _, err := portfolioCmd(nil, append([]string{"serve", "--db", db}, args...)...)
		if exitCode(err) != 2 {
			t.Errorf("serve %v: %v, want a usage error", args, err)
		}
	}
}
