package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// runAs runs the program invoked as arg0.
func runAs(arg0 string, args ...string) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	err = run(context.Background(), append([]string{arg0}, args...), func(string) string { return "" }, &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestHelpIsAnAnswer(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"seed", "-h"}, "Usage: portfolio seed [--db PATH] [--scale N] [--add]\n\nFlags:\n"},
		{[]string{"seed", "--help"}, "Usage: portfolio seed "},
		{[]string{"help", "seed"}, "Usage: portfolio seed "},
		{[]string{"serve", "-help"}, "Usage: portfolio serve "},
		{[]string{"import", "-h"}, "Usage: portfolio import "},
		{[]string{"check", "-h"}, "Usage: portfolio check "},
		{[]string{"backup", "--help"}, "Usage: portfolio backup "},
		{[]string{"export", "-h"}, "Examples:\n  portfolio export --preset startups"},
		{[]string{"help", "export"}, "Usage: portfolio export "},
		{[]string{"token", "create", "-h"}, "Usage: portfolio token create "},
		{[]string{"token", "revoke", "--help"}, "Usage: portfolio token revoke "},
		{[]string{"help", "token"}, "  portfolio token list "},
		{[]string{"help"}, "  portfolio serve "},
		{[]string{"--help"}, "  portfolio serve "},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, err := runAs("portfolio", tt.args...)
			if err != nil {
				t.Errorf("error %v (exit %d), want none (exit 0)", err, exitCode(err))
			}
			if !strings.Contains(stdout, tt.want) {
				t.Errorf("stdout lacks %q:\n%s", tt.want, stdout)
			}
			if stderr != "" {
				t.Errorf("stderr: %q", stderr)
			}
		})
	}
}

func TestFlagMistakes(t *testing.T) {
	for _, args := range [][]string{{"seed", "--nope"}, {"seed", "--scale", "many"}, {"token", "list", "-x"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, err := runAs("portfolio", args...)
			if err == nil || exitCode(err) != 2 {
				t.Fatalf("error %v, want a usage error (exit 2)", err)
			}
			if stdout != "" {
				t.Errorf("stdout: %q", stdout)
			}
			if !strings.HasPrefix(stderr, "Usage: portfolio "+args[0]) {
				t.Errorf("stderr does not start with the usage:\n%s", stderr)
			}
			// main prints the message, once.
			if strings.Contains(stderr, err.Error()) {
				t.Errorf("stderr repeats the error %q:\n%s", err, stderr)
			}
		})
	}
}

func TestProgName(t *testing.T) {
	for arg0, want := range map[string]string{
		"portfolio":                            "portfolio",
		"./portfolio":                          "./portfolio",
		"/usr/local/bin/portfolio":             "/usr/local/bin/portfolio",
		"":                                     "portfolio",
		"/tmp/go-build2911/b001/exe/portfolio": "go run ./cmd/portfolio",
		"/var/tmp/x/go-build1/b001/exe/portfolio": "go run ./cmd/portfolio",
		"/root/.cache/go-build/dc/dc532550be9edb3a24b006f346d9fe7b1158c63bd305464fe42374042488c1a2-d/portfolio": "go run ./cmd/portfolio",
		"/home/me/exe/portfolio":   "/home/me/exe/portfolio",
		"/srv/ab/cafe-d/portfolio": "/srv/ab/cafe-d/portfolio",
	} {
		if got := progName(arg0); got != want {
			t.Errorf("progName(%q) = %q, want %q", arg0, got, want)
		}
	}
}

func TestHintsNameTheCommandAsInvoked(t *testing.T) {
	db := tokenTestDB(t)
	for arg0, prog := range map[string]string{
		"/tmp/go-build2911/b001/exe/portfolio": "go run ./cmd/portfolio",
		"./portfolio":                          "./portfolio",
	} {
		t.Run(prog, func(t *testing.T) {
			stdout, _, err := runAs(arg0, "help")
			if err != nil || !strings.Contains(stdout, "\n  "+prog+" serve ") || !strings.Contains(stdout, `Run "`+prog+` COMMAND -h"`) {
				t.Errorf("help: %v\n%s", err, stdout)
			}
			stdout, _, err = runAs(arg0, "seed", "-h")
			if err != nil || !strings.HasPrefix(stdout, "Usage: "+prog+" seed ") {
				t.Errorf("seed -h: %v\n%s", err, stdout)
			}
			stdout, _, err = runAs(arg0, "token", "list", "--db", db)
			if err != nil || !strings.Contains(stdout, "create one with: "+prog+" token create --db "+db+" --role admin") {
				t.Errorf("token list: %v\n%s", err, stdout)
			}
			_, _, err = runAs(arg0, "token", "list", "--db", filepath.Join(t.TempDir(), "none.db"))
			if err == nil || !strings.Contains(err.Error(), "create it with "+prog+" serve") {
				t.Errorf("token list of a missing database: %v", err)
			}
		})
	}
}
