package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version from the build info is shown.
var version = ""

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

// env reads the program's environment.
type env func(string) string

func (g env) or(key, def string) string {
	if v := g(key); v != "" {
		return v
	}
	return def
}

const usage = `portfolio — the GraphQL backend of the incubators' portfolio dashboards

Usage:
  portfolio serve   [--db PATH] [--addr HOST:PORT] [flags]  serve the API (a new database gets demo data)
  portfolio import  [--db PATH] [--strict] DIR               import beta.gouv.fr content (repository root or content/)
  portfolio seed    [--db PATH] [--scale N]                  write deterministic synthetic data
  portfolio token   create|list|revoke [--db PATH] …         manage API tokens ("portfolio token help")
  portfolio export  --query FILE|--preset NAME [-o FILE] …   export a list as CSV, XLSX, NDJSON or JSON (admin rights)
  portfolio backup  [--db PATH] OUT                          copy the database to the new file OUT, even while it is served
  portfolio check   [--db PATH]                              check the database's integrity, foreign keys and schema version
  portfolio version                                          print the version
  portfolio help                                             print this help

Environment: PORTFOLIO_DB (default ./portfolio.db), PORTFOLIO_ADDR (default 127.0.0.1:8080),
PORTFOLIO_PUBLIC_READ (default 1; 0 requires a token to read).
Run "portfolio COMMAND -h" for a command's flags.
`

// run is the whole program: it parses args (args[0] is the program name),
// reads the environment through getenv, and writes to stdout and stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) < 2 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	e := env(getenv)
	cmd, rest := args[1], args[2:]
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, e, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, e, stdout, stderr)
	case "seed":
		return cmdSeed(ctx, rest, e, stdout, stderr)
	case "token":
		return cmdToken(ctx, rest, e, stdout, stderr)
	case "export":
		return cmdExport(ctx, rest, e, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, e, stdout, stderr)
	case "check":
		return cmdCheck(ctx, rest, e, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "portfolio", programVersion())
		return nil
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

func programVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		return v
	}
	return "(devel)"
}

// newFlags returns a flag set for a command that prints its usage to stderr.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: portfolio %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, turning a flag error into a usage error.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError{err.Error()}
	}
	return nil
}

// isTerminal reports whether w is a terminal (for progress bars).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// listFlag is a comma-separated list flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}
