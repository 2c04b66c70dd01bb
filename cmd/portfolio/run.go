package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// the module version from the build info is shown (versionText).
var version = ""

// usageError is a mistake on the command line: exit status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// exitCode is the program's exit status for err: 2 for a mistake on the
// command line, else that of the error's code (errorCode) by its HTTP
// status in the edge's one table (httperror.Status, exitStatuses), so
// that the command says of each code what the server says; 1 for a
// damaged database and any other failure.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	var st exitStatus
	if errors.As(err, &st) {
		return st.code
	}
	code := errorCode(err)
	if code == "" || code == portfolio.EDamaged {
		// A damaged file is not a passing unavailability (its 503): no
		// retry mends it.
		return 1
	}
	if n, ok := exitStatuses[httperror.Status(code)]; ok {
		return n
	}
	return 1
}

// exitStatuses is the exit status of an error code by its HTTP status.
var exitStatuses = map[int]int{
	http.StatusBadRequest:          2, // what was asked is wrong (BAD_USER_INPUT, a query that does not parse or validate): as a usage mistake
	http.StatusNotFound:            3, // NOT_FOUND
	http.StatusUnauthorized:        4, // UNAUTHENTICATED
	http.StatusForbidden:           4, // FORBIDDEN
	http.StatusConflict:            5, // CONFLICT
	http.StatusUnprocessableEntity: 6, // over a limit (COMPLEXITY_LIMIT, RESPONSE_TOO_LARGE…): ask less, or raise it
	http.StatusTooManyRequests:     7, // RATE_LIMITED
	http.StatusServiceUnavailable:  7, // UNAVAILABLE: try again later
	http.StatusGatewayTimeout:      7, // TIMEOUT
	http.StatusMisdirectedRequest:  8, // READ_ONLY_REPLICA: send it to the primary
}

// errorCode returns the code of err: an export's refused request's, a
// domain error's, DATABASE_DAMAGED for a damaged file; "" for an error
// without one.
func errorCode(err error) string {
	if re, ok := export.IsRequestError(err); ok {
		return re.Code
	}
	var pe *portfolio.Error
	switch {
	case errors.As(err, &pe):
		return pe.Code
	case errors.Is(err, portfolio.ErrDamaged):
		return portfolio.EDamaged
	}
	return ""
}

// errHelpShown is returned by a command whose help was asked for (-h,
// --help) and printed: the program then ends with status 0.
var errHelpShown = errors.New("help shown")

// env is what the program gets from its caller: its environment
// variables, and the command it was invoked as.
type env struct {
	getenv func(string) string
	// prog is the command as the user types it, for usage lines and
	// hints: "go run ./cmd/portfolio" under go run, else os.Args[0].
	prog string
}

// get returns the environment variable key, or "".
func (e env) get(key string) string { return e.getenv(key) }

func (e env) or(key, def string) string {
	if v := e.get(key); v != "" {
		return v
	}
	return def
}

// cmdline returns a command line to suggest: the program as invoked, then
// args.
func (e env) cmdline(args string) string { return e.prog + " " + args }

// goRunCached matches the folder of an executable that go run keeps in
// the build cache (since Go 1.24): $GOCACHE/xx/<64 hex digits>-d/portfolio.
var goRunCached = regexp.MustCompile(`^[0-9a-f]{64}-d$`)

// progName returns how to invoke the program again, from its args[0]: a
// binary built by go run, in its temporary folder
// ($GOTMPDIR/go-build…/b001/exe/portfolio) or in the build cache, is
// "go run ./cmd/portfolio"; anything else is args[0] as given
// ("portfolio", "./portfolio").
func progName(arg0 string) string {
	if arg0 == "" {
		return "portfolio"
	}
	dir := filepath.Dir(arg0)
	if filepath.Base(dir) == "exe" {
		for d := filepath.Dir(dir); d != filepath.Dir(d); d = filepath.Dir(d) {
			if strings.HasPrefix(filepath.Base(d), "go-build") {
				return "go run ./cmd/portfolio"
			}
		}
	}
	if goRunCached.MatchString(filepath.Base(dir)) && len(filepath.Base(filepath.Dir(dir))) == 2 {
		return "go run ./cmd/portfolio"
	}
	return arg0
}

// usage is the program's help; PROG stands for the command as invoked.
const usage = `portfolio — the GraphQL backend of the incubators' portfolio dashboards

Usage:
  PROG serve   [--db PATH] [--addr HOST:PORT] [flags]  serve the API (a new database gets demo data);
                                                        --replicate-to URL ships it to a replica store
  PROG replica --from URL --db PATH [--primary URL]     serve reads from a copy that follows a replica store
  PROG promote --db PATH --from URL                     make a stopped replica's copy the next primary's file
  PROG follow  --from URL --db PATH                     the replica's follower alone: restore, then apply each new position
  PROG import  [--db PATH] [--strict] [--prune] DIR     import beta.gouv.fr content (repository root or content/)
  PROG sync    [--db PATH] --repo URL [--ref BRANCH]    bring the database to the state of the network's git repository
  PROG seed    [--db PATH] [--scale N] [--add]          write deterministic synthetic data (never into imported data)
  PROG token   create|list|revoke [--db PATH] …         manage API tokens ("PROG token help")
  PROG export  --query FILE|--preset NAME [-o FILE] …   export a list as CSV, XLSX, NDJSON or JSON (admin rights)
  PROG backup  [--db PATH] OUT                          copy the database to the new file OUT, even while it is served
  PROG check   [--db PATH]                              check the database's integrity, foreign keys, schema version; show its origin
  PROG version                                          print the version and the commit it was built from
  PROG help [COMMAND]                                   print this help, or a command's

Environment: PORTFOLIO_DB (default ./portfolio.db), PORTFOLIO_ADDR (default 127.0.0.1:8080),
PORTFOLIO_PUBLIC_READ (default 1; 0 requires a token to read).
Run "PROG COMMAND -h" for a command's flags.
`

// withProg puts the command as invoked in a help text's PROG.
func withProg(text string, e env) string { return strings.ReplaceAll(text, "PROG", e.prog) }

// run is the whole program: it parses args (args[0] is the program name),
// reads the environment through getenv, and writes to stdout and stderr.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	arg0 := ""
	if len(args) > 0 {
		arg0 = args[0]
	}
	e := env{getenv: getenv, prog: progName(arg0)}
	if len(args) < 2 {
		fmt.Fprint(stderr, withProg(usage, e))
		return usageError{"no command given"}
	}
	err := dispatch(ctx, args[1], args[2:], e, stdout, stderr)
	if errors.Is(err, errHelpShown) {
		return nil
	}
	return err
}

func dispatch(ctx context.Context, cmd string, rest []string, e env, stdout, stderr io.Writer) error {
	switch cmd {
	case "serve":
		return cmdServe(ctx, rest, e, stdout, stderr)
	case "replica":
		return cmdReplica(ctx, rest, e, stdout, stderr)
	case "follow":
		return cmdFollow(ctx, rest, e, stdout, stderr)
	case "promote":
		return cmdPromote(ctx, rest, e, stdout, stderr)
	case "import":
		return cmdImport(ctx, rest, e, stdout, stderr)
	case "sync":
		return cmdSync(ctx, rest, e, stdout, stderr)
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
		if len(rest) > 0 && cmd == "help" {
			switch rest[0] {
			case "help", "version":
			default:
				return dispatch(ctx, rest[0], []string{"-h"}, e, stdout, stderr)
			}
		}
		fmt.Fprint(stdout, withProg(usage, e))
		return nil
	}
	fmt.Fprint(stderr, withProg(usage, e))
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}

func programVersion() string {
	bi, ok := debug.ReadBuildInfo()
	return versionText(version, bi, ok)
}

// versionText says which program this is, on one line: the version set at
// build time (-ldflags -X main.version=…) or else the module's version,
// then the commit it was built from with its date and whether the
// checkout had uncommitted changes, then the Go version. A binary built
// without version control information (-buildvcs=false, go run, a build
// outside the git checkout) says its commit is unknown.
func versionText(set string, bi *debug.BuildInfo, ok bool) string {
	if !ok || bi == nil {
		bi = &debug.BuildInfo{}
	}
	v := set
	if v == "" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	commit := "commit unknown (built without version control information: go run, -buildvcs=false, a git worktree, or outside a git checkout)"
	if rev := vcs["vcs.revision"]; rev != "" {
		commit = "commit " + rev
		if t, err := time.Parse(time.RFC3339, vcs["vcs.time"]); err == nil {
			commit += " of " + t.UTC().Format("2006-01-02 15:04 UTC")
		}
		if vcs["vcs.modified"] == "true" {
			commit += ", with uncommitted changes"
		}
	}
	out := v + ", " + commit
	if bi.GoVersion != "" {
		out += ", built with " + bi.GoVersion
	}
	return out
}

// flagSet is the flag set of a command: its Usage prints to its output,
// stderr, except when asked for with -h or --help (stdout).
type flagSet struct {
	*flag.FlagSet
	stdout, stderr io.Writer
}

// newFlags returns the flag set of a command; synopsis follows the
// program's name in its usage line.
func newFlags(name, synopsis string, e env, stdout, stderr io.Writer) *flagSet {
	fs := &flagSet{flag.NewFlagSet(name, flag.ContinueOnError), stdout, stderr}
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s %s\n\nFlags:\n", e.prog, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags. On -h or --help it prints the usage to stdout and
// returns errHelpShown; a mistake prints the usage to stderr and returns a
// usage error with flag's message (which the program prints once, last).
func (fs *flagSet) parse(args []string) error {
	usage := fs.Usage
	fs.Usage = func() {} // flag calls it before returning; printed below
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.Usage = usage
	switch {
	case err == nil:
		fs.SetOutput(fs.stderr)
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(fs.stdout)
		fs.Usage()
		fs.SetOutput(fs.stderr)
		return errHelpShown
	}
	fs.SetOutput(fs.stderr)
	fs.Usage()
	return usageError{err.Error()}
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
