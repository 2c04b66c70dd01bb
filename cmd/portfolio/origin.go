package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/incubateurs/portfolio/internal/seed"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// A seed never goes into real records and an import never into a synthetic
// network: the database records its origin (sqlite.Origin) and Load
// refuses a mix in its transaction. The commands also check before their
// long work (reading a snapshot, generating a network), and turn the
// refusal into advice.

// checkOrigin refuses early, writing nothing, a load of kind into the
// database at path when its origin does not admit it. A missing file
// admits anything.
func checkOrigin(ctx context.Context, e env, path string, kind sqlite.OriginKind, add bool, arg string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	db, err := sqlite.OpenExisting(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	have, err := db.Origin(ctx)
	if err != nil {
		return err
	}
	if !have.Admits(kind, add) {
		return explainOrigin(e, &sqlite.OriginError{Path: path, Have: have, Want: kind}, arg)
	}
	return nil
}

// explainOrigin turns a refusal of Load into an error that says what to
// do, with the commands to run; other errors are returned as they are.
// arg is the folder of a refused import, or the scale of a refused seed.
func explainOrigin(e env, err error, arg string) error {
	var oe *sqlite.OriginError
	if !errors.As(err, &oe) {
		return err
	}
	db, have := oe.Path, oe.Have
	var b strings.Builder
	switch {
	case oe.Want == sqlite.OriginSeeded && have.Kind == sqlite.OriginSeeded:
		fmt.Fprintf(&b, "seed: %s already holds a synthetic network, %s. Nothing was written.\n", db, have)
		fmt.Fprintf(&b, "  to add to it anyway:   %s\n", e.cmdline("seed --db "+shellQuote(db)+" --scale "+arg+" --add"))
		fmt.Fprintf(&b, "  to seed a new file:    %s", e.cmdline("seed --db "+shellQuote(freshName(db, "demo"))+" --scale "+arg))
	case oe.Want == sqlite.OriginSeeded && have.Kind == sqlite.OriginImported:
		fmt.Fprintf(&b, "seed: refusing to write synthetic records into %s: it holds real records, %s.\n", db, have)
		b.WriteString("  Invented startups and members would mix with the real ones (a member of the same username would\n")
		b.WriteString("  get invented missions), and could not be taken out: an import never deletes. Nothing was written.\n")
		fmt.Fprintf(&b, "  for demo data, seed a new file:  %s", e.cmdline("seed --db "+shellQuote(freshName(db, "demo"))+" --scale "+arg))
	case oe.Want == sqlite.OriginImported && have.Kind == sqlite.OriginSeeded:
		fmt.Fprintf(&b, "import: refusing to import into %s: it holds a synthetic network, %s.\n", db, have)
		b.WriteString("  Real records would mix with invented ones, for good: an import never deletes. Nothing was written.\n")
		fmt.Fprintf(&b, "  import into a new file:  %s", e.cmdline("import --db "+shellQuote(freshName(db, "imported"))+" "+shellQuote(arg)))
	default:
		verb := "import"
		if oe.Want == sqlite.OriginSeeded {
			verb = "seed"
		}
		fmt.Fprintf(&b, "%s: refusing to write into %s: it holds %s.\n", verb, db, have)
		b.WriteString("  Synthetic and real records were mixed there before portfolio recorded where records come from;\n")
		b.WriteString("  neither a seed nor an import can take them apart. Nothing was written.\n")
		if oe.Want == sqlite.OriginSeeded {
			fmt.Fprintf(&b, "  seed a new file:          %s", e.cmdline("seed --db "+shellQuote(freshName(db, "demo"))+" --scale "+arg))
		} else {
			fmt.Fprintf(&b, "  import into a new file:   %s", e.cmdline("import --db "+shellQuote(freshName(db, "imported"))+" "+shellQuote(arg)))
		}
	}
	return originRefusal{msg: b.String(), err: oe}
}

// originRefusal is a refusal of Load with its advice.
type originRefusal struct {
	msg string
	err *sqlite.OriginError
}

func (r originRefusal) Error() string { return r.msg }
func (r originRefusal) Unwrap() error { return r.err }

// freshName returns the name of a file that does not exist yet, beside
// the database db: base.db, else base-2.db, base-3.db…
func freshName(db, base string) string {
	dir := filepath.Dir(db)
	for i := 1; ; i++ {
		name := base + ".db"
		if i > 1 {
			name = base + "-" + strconv.Itoa(i) + ".db"
		}
		p := filepath.Join(dir, name)
		if dir == "." {
			p = name
		}
		if _, err := os.Lstat(p); err != nil {
			return p
		}
	}
}

// seedCounts turns the seed's counts into the origin's.
func seedCounts(c seed.Counts) map[string]int {
	return map[string]int{
		"organisations": c.Organisations, "incubators": c.Incubators, "teams": c.Teams,
		"startups": c.Startups, "members": c.Members, "missions": c.Missions,
		"phases": c.Phases, "committees": c.Committees, "events": c.Events,
	}
}
