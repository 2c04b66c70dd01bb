package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/incubateurs/portfolio/graph"
	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
	"github.com/incubateurs/portfolio/internal/server"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

const exportHelp = `Exports a list as CSV, XLSX, NDJSON or JSON: the first list (or the one --path
names) of a GraphQL query's answer, one row per node, or a ready-made export.
CSV (RFC 4180), NDJSON and JSON keep the API's names and codes, for scripts;
--dialect excel-fr CSV and XLSX are in French (labels, Oui/Non, DD/MM/YYYY
dates, decimal commas; French headers and names for the ready-made exports).
Ready-made exports, with their columns for scripts / in French:
  startups    slug, name, incubator, sponsors, phase, phase_start, team_size,
              team_admin, team_independent, team_service, last_committee,
              last_decision, next_committee_due, review_status,
              incubated_since, intrapreneurs, fast_promotion, fast_euros,
              security_homologation, risk_analysis, accessibility, stats_url,
              portfolio_managers
              / Startup, Incubateur, Sponsors, Phase, Date de début de phase,
              Taille de l'équipe, Agents publics, Indépendants, Prestataires,
              Dernier comité, Décision du dernier comité, Prochain comité dû,
              Suivi des comités, En incubation depuis, Intrapreneurs,
              Promotion FAST, Subvention FAST (€), Homologation de sécurité,
              Analyse de risques, Accessibilité, Page de statistiques,
              Responsables de portefeuille, Startup (identifiant),
              Incubateur (identifiant), Sponsors (identifiants),
              Intrapreneurs (identifiants),
              Responsables de portefeuille (identifiants)
              filters: incubators, sponsors, phases, active, reviewStatus
              (OVERDUE, NONE_RECORDED, DUE_SOON, UP_TO_DATE),
              withoutIntrapreneur, committeeOverdue (deprecated), search, fast,
              securityHomologation, portfolioManagers
  members     slug, fullname, role, domain, active, startups, mission_start,
              mission_end, mission_status, mission_employer
              / Membre, Rôle, Domaine, En mission, Startups, Début de mission,
              Fin de mission, Statut de mission, Employeur,
              Membre (identifiant), Startups (identifiants)
              filters: domains, active, incubators, startups, search
  committees  startup, startup_name, incubator, date, decision, next_phase,
              budget_euros, next_committee_due, comment, source
              / Startup, Incubateur, Date, Décision, Phase suivante, Budget (€),
              Prochain comité dû, Commentaire, Origine, Startup (identifiant),
              Incubateur (identifiant)
              filters: incubators, startups, decisions, from, to
  investment  kind, startup, startup_name, incubator, sponsors, promotion, date,
              decision, amount_euros: one row per FAST grant (FAST) and per
              committee budget (COMMITTEE_BUDGET) held from from to to
              / Nature, Startup, Incubateur, Sponsors, Promotion FAST,
              Date du comité, Décision du comité, Montant (€),
              Startup (identifiant), Incubateur (identifiant),
              Sponsors (identifiants)
              filters: incubators, sponsors, phases, active, fast,
              fastPromotions, search, from, to
  events      date, kind, startup, startup_name, incubator, decision, comment:
              every event, committees included, latest first
              / Date, Événement, Startup, Incubateur, Décision du comité,
              Commentaire, Startup (identifiant), Incubateur (identifiant)
              filters: kinds, incubators, startups, from, to
The command reads the database file directly, so it runs with admin rights:
protected fields (statuses, employers, budgets, comments) are filled in.

Examples:
  PROG export --preset startups --format xlsx -o portefeuille.xlsx
  PROG export --preset startups --filter incubators=dinum,anct --filter active=true --dialect excel-fr -o dinum.csv
  PROG export --query startups.graphql --format ndjson --as-of 2026-01-01 > startups.ndjson
`

// presetNames lists the ready-made exports: "startups, members or …".
func presetNames() string {
	var names []string
	for _, p := range export.Presets() {
		names = append(names, p.Name)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func cmdExport(ctx context.Context, args []string, e env, stdout, stderr io.Writer) error {
	fs := newFlags("export", "export --query FILE|--preset NAME [--format F] [-o FILE] [flags]", e, stdout, stderr)
	usage := fs.Usage
	fs.Usage = func() { fmt.Fprint(fs.Output(), withProg(exportHelp, e)+"\n"); usage() }
	dbPath := fs.String("db", e.or("PORTFOLIO_DB", "./portfolio.db"), "database file (env PORTFOLIO_DB)")
	queryFile := fs.String("query", "", "`FILE` holding the GraphQL query to export (- reads standard input)")
	presetName := fs.String("preset", "", "a ready-made export: "+presetNames())
	formatName := fs.String("format", "", "csv, xlsx, ndjson or json (default: from the extension of -o, else csv)")
	outPath := fs.String("o", "", "`FILE` to write (default: standard output)")
	asOf := fs.String("as-of", "", "the `DATE` (YYYY-MM-DD) the export answers for; default today (Europe/Paris). With --query, the value of the query's $asOf variable")
	dialect := fs.String("dialect", "", "excel-fr: CSV in French that French Excel opens on a double-click (;, UTF-8 BOM, French labels, DD/MM/YYYY dates, decimal comma)")
	variables := fs.String("variables", "", "the query's variables, as a `JSON` object")
	path := fs.String("path", "", "response keys of the list to export, dot-separated, e.g. incubator.startups (default: the first list)")
	operation := fs.String("operation", "", "the operation to run, when the query file has several")
	pageSize := fs.Int("page-size", export.PageSize, "nodes read per run of the query (at most 1000; fewer when a page of that size would pass the cost limit of a request)")
	maxExportCost := fs.Int("max-export-cost", server.DefaultLimits.MaxExportCost, "highest cost of the whole export, every page together, as serve's --max-export-cost (negative: no limit)")
	var filters kvFlag
	fs.Var(&filters, "filter", "a filter of a preset, `NAME=VALUE` (lists comma-separated); repeat for more, e.g. --filter incubators=dinum,anct --filter active=true")
	if err := fs.parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("export takes no arguments (got %q)", fs.Args())}
	}
	if (*queryFile == "") == (*presetName == "") {
		fs.Usage()
		return usageError{"give --query FILE or --preset NAME"}
	}
	format := export.CSV
	switch {
	case *formatName != "":
		f, err := export.ParseFormat(*formatName)
		if err != nil {
			return usageError{err.Error()}
		}
		format = f
	case *outPath != "":
		if f, err := export.ParseFormat(strings.TrimPrefix(filepath.Ext(*outPath), ".")); err == nil {
			format = f
		}
	}
	d, err := export.ParseDialect(*dialect)
	if err != nil {
		return usageError{err.Error()}
	}
	if d != export.RFC4180 && format != export.CSV {
		return usageError{"--dialect applies to csv only"}
	}
	if format == export.XLSX && *outPath == "" && isTerminal(stdout) {
		return usageError{"an XLSX file is binary: write it with -o FILE"}
	}
	day := portfolio.Today()
	if *asOf != "" {
		if day, err = portfolio.ParseDate(*asOf); err != nil {
			return usageError{"--as-of: " + err.Error()}
		}
	}

	if _, err := os.Stat(*dbPath); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	db, err := sqlite.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	schema := graph.Schema()
	admin := &portfolio.Identity{Role: portfolio.RoleAdmin, TokenName: "portfolio export"}
	ctx = portfolio.WithIdentity(ctx, admin)
	// The query passes the checks of the server's /export before it is
	// planned: the same limits guard every entrance.
	scfg := server.Config{DB: db, Schema: graph.Executable(db), Limits: server.Limits{MaxExportCost: *maxExportCost}}
	check := server.ExportChecker(scfg)

	var plan *export.Plan
	if *presetName != "" {
		pr := export.PresetNamed(*presetName)
		if pr == nil {
			return usageError{fmt.Sprintf("--preset %q: want %s", *presetName, presetNames())}
		}
		if *variables != "" || *path != "" || *operation != "" {
			return usageError{"--variables, --path and --operation go with --query, not --preset"}
		}
		vals := url.Values{}
		for _, kv := range filters {
			vals.Add(kv[0], kv[1])
		}
		if p := rawtext.Values(vals); p != nil {
			return usageError{"--filter " + p.Error()}
		}
		if *asOf != "" {
			vals.Set("asOf", day.String())
		}
		if plan, _, err = pr.Plan(ctx, schema, check, vals, day, admin); err != nil {
			return err
		}
	} else {
		if len(filters) > 0 {
			return usageError{"--filter goes with --preset; write the filters in the query"}
		}
		req, err := queryRequest(*queryFile, *variables, *operation, *path, *asOf, day)
		if err != nil {
			return err
		}
		if strings.TrimSpace(req.Query) == "" {
			return usageError{fmt.Sprintf("--query %s: the file is empty", *queryFile)}
		}
		doc, err := check(ctx, export.Query{Query: req.Query, OperationName: req.OperationName, Variables: req.Variables}, false)
		if err != nil {
			return err
		}
		if plan, err = export.NewCheckedPlan(schema, doc, req); err != nil {
			return err
		}
	}

	// The whole export is priced before anything is written, as /export
	// prices it.
	price, err := server.ExportPricer(scfg)(ctx, plan, min(max(*pageSize, 1), export.PageSize))
	if err != nil {
		return err
	}

	var out io.Writer = stdout
	var file *os.File
	if *outPath != "" {
		file, err = os.CreateTemp(filepath.Dir(*outPath), ".portfolio-export-*")
		if err != nil {
			return writeError(*outPath, err)
		}
		defer func() {
			if file != nil { // not renamed: an error came first
				file.Close()
				os.Remove(file.Name())
			}
		}()
		out = file
	}
	about := server.ExportAbout(db)(ctx, day)
	w, err := export.NewWriter(out, format, export.WriterOptions{Dialect: d, Sheet: plan.Sheet(), About: about})
	if err != nil {
		return err
	}
	bar := newProgress(stderr, "exporting "+plan.Name)
	start := time.Now()
	// Internal errors are logged to stderr: the messages of the answers
	// send there ("see the server log").
	gql := server.GraphQL(server.Config{DB: db, Schema: graph.Executable(db), Logger: slog.New(slog.NewTextHandler(stderr, nil))})
	st, err := plan.Run(ctx, export.HandlerRunner(gql), w, export.Options{Progress: bar.update, PageSize: price.PageSize})
	bar.done()
	if err != nil {
		var pe *iofs.PathError
		if file != nil && errors.As(err, &pe) && pe.Path == file.Name() {
			return writeError(*outPath, err)
		}
		return err
	}
	dest := "standard output"
	if file != nil {
		// A temporary file is private; the export gets the mode of a new file.
		if err := file.Chmod(0o644); err != nil {
			return writeError(*outPath, err)
		}
		if err := file.Close(); err != nil {
			return writeError(*outPath, err)
		}
		if err := os.Rename(file.Name(), *outPath); err != nil {
			return writeError(*outPath, err)
		}
		file = nil
		dest = *outPath
	}
	fmt.Fprintf(stderr, "exported %d rows of %s to %s (%s) in %s\n", st.Rows, plan.Name, dest, format, time.Since(start).Round(time.Millisecond))
	if ds, err := db.Dataset(ctx, portfolio.Today()); err == nil {
		fmt.Fprintln(stderr, recordsLine(ds, day))
	}
	return nil
}

// recordsLine says what the records of a database are and how old, with a
// warning when they are more than server.StaleDays older than day, the
// date an answer is for.
func recordsLine(ds *sqlite.Dataset, day portfolio.Date) string {
	var s string
	switch ds.Kind {
	case sqlite.DatasetDemo:
		s = fmt.Sprintf("records: the demo network's, FICTITIOUS (données fictives), as of %s", ds.RecordsAsOf)
	case sqlite.DatasetEmpty:
		return "records: none (the database is empty)"
	default:
		s = fmt.Sprintf("records: %s from %s, as of %s (%s)", strings.ToLower(string(ds.Kind)), ds.Source, ds.RecordsAsOf, basisText(ds.RecordsBasis))
		if ds.Commit != "" {
			s += ", commit " + ds.Commit[:min(12, len(ds.Commit))]
		}
	}
	if n := day.DaysSince(ds.RecordsAsOf); n > server.StaleDays {
		s += fmt.Sprintf("; they are %d days older than %s: what changed since is not in them", n, day)
	}
	return s
}

// writeError says that the export could not be written to out, the
// user's path, rather than naming the temporary file beside it.
func writeError(out string, err error) error {
	var pe *iofs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		err = pe.Err
	case errors.As(err, &le):
		err = le.Err
	}
	return fmt.Errorf("export: cannot write %s: %w", out, err)
}

// queryRequest reads the query file and its variables; --as-of becomes
// the $asOf variable, which the query must declare.
func queryRequest(file, variables, operation, path, asOf string, day portfolio.Date) (export.Request, error) {
	var src []byte
	var err error
	if file == "-" {
		src, err = io.ReadAll(os.Stdin)
	} else {
		src, err = os.ReadFile(file)
	}
	if err != nil {
		return export.Request{}, fmt.Errorf("export: %w", err)
	}
	// Text that is not valid Unicode would be decoded into U+FFFD: refused,
	// saying where.
	if p := rawtext.Document(file, string(src)); p != nil {
		return export.Request{}, usageError{"--query " + p.Error()}
	}
	if p := rawtext.JSON([]byte(variables), "variables"); p != nil {
		return export.Request{}, usageError{"--variables: " + p.Error()}
	}
	for _, f := range []struct{ flag, v string }{{"operation", operation}, {"path", path}} {
		if p := rawtext.String("--"+f.flag, f.v); p != nil {
			return export.Request{}, usageError{p.Error()}
		}
	}
	req := export.Request{Query: string(src), OperationName: operation, Path: path, Variables: map[string]any{}}
	if variables != "" {
		d := json.NewDecoder(strings.NewReader(variables))
		d.UseNumber()
		if err := d.Decode(&req.Variables); err != nil {
			return req, usageError{"--variables: not a JSON object: " + err.Error()}
		}
	}
	if asOf != "" {
		doc, perr := parser.ParseQuery(&ast.Source{Input: req.Query})
		declared := false
		if perr == nil {
			for _, op := range doc.Operations {
				declared = declared || op.VariableDefinitions.ForName("asOf") != nil
			}
		}
		if !declared && perr == nil {
			return req, usageError{`--as-of needs the query to declare $asOf, e.g. query($asOf: Date) { startups(asOf: $asOf) { nodes { name phase } } }`}
		}
		req.Variables["asOf"] = day.String()
	}
	return req, nil
}

// kvFlag is a repeated NAME=VALUE flag.
type kvFlag [][2]string

func (f *kvFlag) String() string {
	var parts []string
	for _, kv := range *f {
		parts = append(parts, kv[0]+"="+kv[1])
	}
	return strings.Join(parts, " ")
}

func (f *kvFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(k) == "" {
		return errors.New("want NAME=VALUE")
	}
	*f = append(*f, [2]string{strings.TrimSpace(k), v})
	return nil
}
