package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// tokenUsage is the help of "token"; PROG stands for the command as invoked.
const tokenUsage = `Usage:
  PROG token create --role ROLE [--incubator SLUG]… --name NAME [--expires WHEN] [--db PATH]
                                        create a token; its secret is printed once, on the last line
  PROG token list   [--db PATH]    list the tokens (never their secrets), their expiry and last use
  PROG token revoke [--db PATH] NAME|ID
                                        refuse a token from now on

Roles: viewer (reads everything), manager (reads everything, writes the startups
of its incubators: one --incubator or more), admin (everything, tokens included).
Send a token as the header "Authorization: Bearer <token>".
A token never expires unless --expires (or PORTFOLIO_TOKEN_EXPIRES) says when:
90d, 36h, 2027-03-01 (midnight, Paris time) or 2027-03-01T12:00:00Z; "never" for none.
`

func cmdToken(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, withProg(tokenUsage, e))
		return usageError{"token needs a subcommand: create, list or revoke"}
	}
	switch args[0] {
	case "create":
		return cmdTokenCreate(ctx, args[1:], e, stdout, stderr)
	case "list":
		return cmdTokenList(ctx, args[1:], e, stdout, stderr)
	case "revoke":
		return cmdTokenRevoke(ctx, args[1:], e, stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, withProg(tokenUsage, e))
		return nil
	}
	fmt.Fprint(stderr, withProg(tokenUsage, e))
	return usageError{fmt.Sprintf("unknown token subcommand %q: want create, list or revoke", args[0])}
}

func cmdTokenCreate(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("token create", "token create --role ROLE [--incubator SLUG]… --name NAME [--expires WHEN] [--db PATH]", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database file, which must exist (env PORTFOLIO_DB)")
	roleName := fs.String("role", "", "`ROLE` of the token: viewer, manager or admin (required)")
	name := fs.String("name", "", "unique `NAME` saying who or what uses the token, at most 100 characters (required)")
	var incubators listFlag
	fs.Var(&incubators, "incubator", "`SLUG` of an incubator whose startups a manager writes; repeat it for several (managers only, one at least)")
	expiresFlag := fs.String("expires", e.or("PORTFOLIO_TOKEN_EXPIRES", "never"), "`WHEN` the token stops working: a duration from now in days or hours (90d, 36h), a date (2027-03-01: from midnight, Paris time), an RFC 3339 time, or never (env PORTFOLIO_TOKEN_EXPIRES)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("token create takes no arguments (got %q): flags come first", fs.Args())}
	}
	if *roleName == "" {
		return usageError{"token create: --role is required: viewer, manager or admin"}
	}
	role, ok := portfolio.RoleFromName(*roleName)
	if !ok {
		return usageError{fmt.Sprintf("token create: --role %q: want viewer, manager or admin", *roleName)}
	}
	if strings.TrimSpace(*name) == "" {
		return usageError{"token create: --name is required"}
	}
	now := time.Now()
	expires, err := parseExpiry(*expiresFlag, now)
	if err != nil {
		return usageError{"token create: --expires: " + err.Error()}
	}
	db, err := openExisting(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	secret, tok, err := db.CreateExpiringToken(ctx, *name, role, incubators, expires)
	if err != nil {
		if portfolio.ErrorCode(err) == portfolio.EInvalid {
			return usageError{"token create: " + portfolio.ErrorMessage(err)}
		}
		return fmt.Errorf("token create: %w", err)
	}
	fmt.Fprintf(stdout, "created token %d %q in %s\n", tok.ID, tok.Name, *dbPath)
	fmt.Fprintf(stdout, "  role:       %s (%s)\n", roleLabel(tok.Role), roleRights(tok))
	if len(tok.Incubators) > 0 {
		fmt.Fprintf(stdout, "  incubators: %s\n", strings.Join(tok.Incubators, ", "))
	}
	fmt.Fprintf(stdout, "  expires:    %s\n", expiryLabel(tok.ExpiresAt, now))
	fmt.Fprintf(stdout, "  works on:   %s only: a server on another database file refuses it\n", *dbPath)
	fmt.Fprintln(stdout, `The token is on the next line, shown this once: only its SHA-256 hash is kept. Send it as "Authorization: Bearer <token>".`)
	fmt.Fprintln(stdout, secret)
	return nil
}

func cmdTokenList(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("token list", "token list [--db PATH]", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database file, which must exist (env PORTFOLIO_DB)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("token list takes no arguments (got %q)", fs.Args())}
	}
	db, err := openExisting(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	toks, err := db.ListTokens(ctx)
	if err != nil {
		return fmt.Errorf("token list: %w", err)
	}
	if len(toks) == 0 {
		fmt.Fprintf(stdout, "no tokens in %s; create one with: %s\n", *dbPath, e.cmdline("token create --db "+shellQuote(*dbPath)+" --role admin --name NAME"))
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	now := time.Now()
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tINCUBATORS\tCREATED\tEXPIRES\tLAST USED\tREVOKED")
	for _, t := range toks {
		expires := orDash(t.ExpiresAt)
		if at, err := time.Parse(time.RFC3339, t.ExpiresAt); err == nil && !now.Before(at) {
			expires = t.ExpiresAt + " (expired)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, roleLabel(t.Role),
			orDash(strings.Join(t.Incubators, ",")), orDash(t.CreatedAt), expires, orDash(t.LastUsedAt), orDash(t.RevokedAt))
	}
	return tw.Flush()
}

func cmdTokenRevoke(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("token revoke", "token revoke [--db PATH] NAME|ID", e, stdout, stderr)
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database file, which must exist (env PORTFOLIO_DB)")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError{"token revoke takes one token: its name or id (flags come first)"}
	}
	db, err := openExisting(ctx, e, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.RevokeToken(ctx, fs.Arg(0)); err != nil {
		return fmt.Errorf("token revoke: %w", err)
	}
	fmt.Fprintf(stdout, "revoked token %q: requests sending it are refused from now on\n", fs.Arg(0))
	if ok, err := db.HasAdminToken(ctx); err == nil && !ok {
		fmt.Fprint(stdout, noAdminNotice(e, *dbPath))
	}
	return nil
}

// parseExpiry reads --expires, relative to now: "never" (or "") is the
// zero time; "90d" and "36h" (whole days or hours; also any Go duration
// such as 90m) count from now; a date "2027-03-01" is its midnight in
// Paris, the network's time zone; an RFC 3339 time is that instant. An
// expiry not in the future is refused: a token already expired protects
// nothing, and a typo in a date would make one.
func parseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	var at time.Time
	switch {
	case s == "" || strings.EqualFold(s, "never") || strings.EqualFold(s, "none"):
		return time.Time{}, nil
	case strings.HasSuffix(s, "d"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "d"))
		if err != nil || n <= 0 || n > 100*366 {
			return time.Time{}, fmt.Errorf("%q: want a number of days such as 90d", s)
		}
		at = now.AddDate(0, 0, n)
	case len(s) == len(time.DateOnly):
		d, err := time.ParseInLocation(time.DateOnly, s, portfolio.Paris())
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: want a date YYYY-MM-DD", s)
		}
		at = d
	default:
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			at = t
			break
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return time.Time{}, fmt.Errorf("%q: want 90d, 36h, a date (2027-03-01), an RFC 3339 time or never", s)
		}
		at = now.Add(d)
	}
	if !at.After(now) {
		return time.Time{}, fmt.Errorf("%q is %s, not in the future", s, at.UTC().Format(time.RFC3339))
	}
	return at, nil
}

// expiryLabel says when a token expires (RFC 3339, UTC), for people.
func expiryLabel(expiresAt string, now time.Time) string {
	at, err := time.Parse(time.RFC3339, expiresAt)
	if expiresAt == "" || err != nil {
		return "never (--expires sets an expiry)"
	}
	in := fmt.Sprintf("%d %s", int(math.Round(at.Sub(now).Hours()/24)), "days")
	if h := int(math.Round(at.Sub(now).Hours())); h < 48 {
		in = fmt.Sprintf("%d %s", h, plural(h, "hour", "hours"))
	}
	return fmt.Sprintf("%s (in %s; %s, Paris time)", expiresAt, in, at.In(portfolio.Paris()).Format("2006-01-02 15:04"))
}

// openExisting opens the database at path, which must exist: a token in a
// file created by mistake (a typo in --db) would protect nothing.
func openExisting(ctx context.Context, e env, path string) (*sqlite.DB, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("database %s does not exist: create it with %s serve, import or seed first", path, e.prog)
	}
	return sqlite.Open(ctx, path)
}

// noAdminNotice says how to create the first admin token, without which
// nothing can be written through the API.
func noAdminNotice(e env, dbPath string) string {
	return fmt.Sprintf("%s has no admin token: nothing is writable through the API until one exists. Create the first with:\n"+
		"  %s\n", dbPath, e.cmdline("token create --db "+shellQuote(dbPath)+" --role admin --name NAME"))
}

// roleLabel is a role as the command line writes it: "viewer".
func roleLabel(r portfolio.Role) string { return strings.ToLower(string(r)) }

// roleRights says in a few words what a token may do.
func roleRights(t *portfolio.Token) string {
	switch t.Role {
	case portfolio.RoleViewer:
		return "reads everything, writes nothing"
	case portfolio.RoleManager:
		return "reads everything, writes the startups of its incubators"
	case portfolio.RoleAdmin:
		return "reads and writes everything, tokens and audit log included"
	}
	return string(t.Role)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_./:@%+=,-]+$`)

// shellQuote quotes s for a POSIX shell, when it needs it.
func shellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
