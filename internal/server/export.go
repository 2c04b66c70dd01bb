package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
	"github.com/incubateurs/portfolio/internal/sqlite"
)

// exportHandler serves /export and /export/{preset}.{ext}: the queries are
// checked as /graphql checks them, then run in process through gql, a
// GraphQL handler without authentication (the caller's identity is in the
// context) that runs the export's rewritten pages.
func exportHandler(cfg Config, gql http.Handler, m *metrics) http.Handler {
	return export.Handler(export.Config{
		Schema: cfg.Schema.Schema(), GraphQL: gql, Logger: cfg.Logger,
		Check: ExportChecker(cfg), Price: ExportPricer(cfg), About: ExportAbout(cfg.DB), WriteTimeout: positive(cfg.Limits.WriteTimeout),
		Done: func(r *http.Request, s export.Summary) {
			if info := infoFrom(r.Context()); info != nil {
				info.mu.Lock()
				info.export = &s
				info.errCode = s.Code
				info.mu.Unlock()
			}
		},
	})
}

// GraphQL returns the server's GraphQL handler without authentication: the
// caller's identity (portfolio.WithIdentity) must be in each request's
// context. It serves POSTs of JSON, with the loaders, @auth, limits and
// error mapping of /graphql, but neither persisted queries nor the
// trusted-documents list: it runs the pages of exports, whose queries
// ExportChecker checked first. The export command runs its queries through
// it.
func GraphQL(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Limits = cfg.Limits.withDefaults()
	return perRequest(cfg.DB, cfg.Limits, newAnswerPool(cfg.Limits.MaxAnswerPool), newGraphQL(internalGraphQL(cfg)))
}

// internalGraphQL is the configuration of the GraphQL handler that runs
// the pages of exports.
func internalGraphQL(cfg Config) Config {
	cfg.TrustedDocuments = nil
	cfg.internal = true
	return cfg
}

// ExportChecker returns the check an export's query passes before it is
// planned, with the limits of /graphql: the trusted-documents list (but for
// the server's ready-made exports), the parser's token limit, depth and
// fields measured with each fragment once, validation, and the cost with
// the data's list bounds. It works in time linear in the document but for
// validation, which sees at most MaxFields fields.
func ExportChecker(cfg Config) export.Checker {
	l := cfg.Limits.withDefaults()
	var trusted *trustedDocuments
	if cfg.TrustedDocuments != nil {
		trusted = &trustedDocuments{docs: cfg.TrustedDocuments}
	}
	docs := newDocumentGuard(l, cfg.NoIntrospection)
	es := cfg.Schema
	schema := es.Schema()
	return func(ctx context.Context, q export.Query, own bool) (*ast.QueryDocument, error) {
		if trusted != nil && !own {
			if gerr := trusted.MutateOperationParameters(ctx, &graphql.RawParams{Query: q.Query}); gerr != nil {
				return nil, refused(gerr)
			}
		}
		if p := rawtext.Document("query", q.Query); p != nil {
			// Text the parser would turn into U+FFFD: the export's HTTP
			// entrance refuses it first; this guards the command line.
			return nil, &export.RequestError{Code: portfolio.EInvalid, Message: p.Error(), Errors: []export.GraphQLError{p.GraphQLError()}}
		}
		if gerr := prescan(q.Query, l.MaxFields, l.MaxDepth); gerr != nil {
			return nil, refused(gerr)
		}
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q.Query}, max(l.MaxTokens, 0))
		if err != nil {
			var gerr *gqlerror.Error
			if ge, ok := err.(*gqlerror.Error); ok {
				gerr = ge
			} else {
				gerr = gqlerror.Errorf("%s", err.Error())
			}
			re := export.InvalidQuery(gqlerror.List{gerr})
			re.Code = portfolio.EParseFailed
			re.Errors[0].Extensions["code"] = re.Code
			return nil, re
		}
		if gerr := docs.checkDocument(doc); gerr != nil {
			return nil, refused(gerr)
		}
		if errs := validator.Validate(schema, doc); len(errs) > 0 {
			return nil, export.InvalidQuery(errs)
		}
		if _, err := cfg.DB.ListBounds(ctx); err != nil {
			return nil, refused(boundsError(ctx, err))
		}
		for _, op := range doc.Operations {
			if q.OperationName != "" && op.Name != q.OperationName {
				continue
			}
			vars, verr := validator.VariableValues(schema, op, q.Variables)
			if verr != nil {
				continue // the plan says what is wrong with them
			}
			if gerr := l.checkCost(OperationCost(ctx, es, op, vars), reads(op.SelectionSet, fragmentsOf(doc))); gerr != nil {
				return nil, refused(gerr)
			}
		}
		return doc, nil
	}
}

// refused turns a refusal of the document guards into an export error, with
// the status of its code.
func refused(gerr *gqlerror.Error) *export.RequestError {
	code, _ := gerr.Extensions["code"].(string)
	return &export.RequestError{Code: code, Message: gerr.Message,
		Errors: []export.GraphQLError{{Message: gerr.Message, Extensions: map[string]any{"code": code}}}}
}

// ExportPricer returns the pricing of an export as a whole, before its
// first row: the cost of its query with its list at the length it will
// have (the caller's first, else every row: the cost model caps it at the
// longest such list in the data) must stay within MaxExportCost, and each
// page holds as many rows as keep its own cost within MaxCost, the limit
// of one request to /graphql. So an export costs what a request would,
// page by page, and no more than its budget in all; its pages are sized
// once, never shrunk to get a refused page through.
func ExportPricer(cfg Config) export.Pricer {
	l := cfg.Limits.withDefaults()
	es := cfg.Schema
	return func(ctx context.Context, p *export.Plan, maxRows int) (export.Price, error) {
		price := export.Price{Limit: l.MaxExportCost, PageSize: maxRows}
		if _, err := cfg.DB.ListBounds(ctx); err != nil {
			return price, refused(boundsError(ctx, err))
		}
		q := p.PageQuery(-1, true)
		doc, errs := gqlparser.LoadQuery(es.Schema(), q.Query)
		if len(errs) > 0 {
			return price, fmt.Errorf("export: the rewritten query is invalid: %w", errs[0])
		}
		op := doc.Operations.ForName(q.OperationName)
		if op == nil && len(doc.Operations) == 1 {
			op = doc.Operations[0]
		}
		if op == nil {
			return price, fmt.Errorf("export: the rewritten query has no operation %q", q.OperationName)
		}
		cost := func(n int, count bool) (int, error) {
			vars, verr := validator.VariableValues(es.Schema(), op, p.PageQuery(n, count).Variables)
			if verr != nil {
				return 0, &export.RequestError{Code: portfolio.EInvalid, Message: "variables: " + verr.Error()}
			}
			return OperationCost(ctx, es, op, vars), nil
		}
		total, err := cost(-1, true)
		if err != nil {
			return price, err
		}
		// Each row of an export is decoded from its page's answer and
		// written again (CSV, XLSX…): about three times the work of the
		// answer (exportFactor).
		total = portfolio.MulCost(total, exportFactor)
		if p.Paged() {
			// Every page runs the list's statement again (its filter and
			// order on every row): the pages' number times a page's
			// overhead, the cost of one row less that of a row more.
			one, err1 := cost(1, false)
			two, err2 := cost(2, false)
			all, err3 := cost(-1, false)
			if err := errors.Join(err1, err2, err3); err != nil {
				return price, err
			}
			if perRow := two - one; perRow > 0 && l.MaxCost > 0 {
				rows := (all-one)/perRow + 1
				pageRows := max(min(maxRows, (l.MaxCost-one)/perRow+1), 1)
				pages := (rows + pageRows - 1) / pageRows
				total = portfolio.AddCost(total, portfolio.MulCost(max(pages-1, 0), one-perRow))
			}
		}
		price.Cost = total
		if l.MaxExportCost > 0 && total > l.MaxExportCost {
			return price, exportTooCostly(total, l.MaxExportCost)
		}
		if !p.Paged() || l.MaxCost <= 0 {
			return price, nil
		}
		// The largest page within MaxCost: the cost grows with the rows.
		lo, hi := 0, maxRows
		for lo < hi {
			mid := (lo + hi + 1) / 2
			c, err := cost(mid, true)
			if err != nil {
				return price, err
			}
			if c <= l.MaxCost {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		if lo == 0 {
			one, _ := cost(1, true)
			return price, refused(refuse(portfolio.EComplexity, "one row of this export could cost %d; the limit of a request is %d: select fewer nested lists", one, l.MaxCost))
		}
		price.PageSize = lo
		return price, nil
	}
}

// exportFactor is what a unit of an export's answer costs, in units:
// decoding a page's answer and writing its rows take about three times
// the work of making it (measured on the ready-made exports of the real
// network: 4 to 8 µs per unit of the answer's cost, against 1 to 2 µs for
// the same answer through /graphql).
const exportFactor = 4

// exportTooCostly is the refusal of an export whose whole cost passes the
// budget of exports.
func exportTooCostly(cost, limit int) *export.RequestError {
	re := refused(refuse(portfolio.EComplexity, "the export could cost %d in all (every row of its list, times what each selects: see the schema's description of the cost); the limit of an export is %d: export fewer rows (first), fewer nested lists, or narrow the filter", cost, limit))
	re.Errors[0].Extensions["cost"] = map[string]int{"requested": cost, "limit": limit}
	return re
}

// ExportAbout returns what exports say of their records (the « À propos »
// sheet of XLSX files, the demo's file names): read from db at each
// export, nil when it cannot be read (the export goes on without it).
func ExportAbout(db *sqlite.DB) func(ctx context.Context, day portfolio.Date) *export.About {
	return func(ctx context.Context, day portfolio.Date) *export.About {
		ds, err := db.Dataset(ctx, portfolio.TodayIn(ctx))
		if err != nil {
			return nil
		}
		return AboutDataset(ds, day, time.Now())
	}
}

// StaleDays is how much older than the date asked the records may be
// before a page or an export says so plainly.
const StaleDays = 7

// AboutDataset says in French what the records of ds are, for an export
// answering for day and made at now.
func AboutDataset(ds *sqlite.Dataset, day portfolio.Date, now time.Time) *export.About {
	a := &export.About{Fictitious: ds.Kind == sqlite.DatasetDemo}
	add := func(label, value string) {
		if value != "" {
			a.Lines = append(a.Lines, [2]string{label, value})
		}
	}
	switch ds.Kind {
	case sqlite.DatasetDemo:
		add("Données", "réseau de démonstration, synthétique (portfolio seed) : aucune de ses fiches n'est réelle")
	case sqlite.DatasetImported:
		add("Données", "fiches du réseau beta.gouv.fr, importées d'un dossier (portfolio import)")
	case sqlite.DatasetSynced:
		add("Données", "fiches du réseau beta.gouv.fr, suivies depuis leur dépôt git (portfolio sync)")
	case sqlite.DatasetMixed:
		add("Données", "fiches réelles et synthétiques mêlées avant que la base n'enregistre leur origine")
	default:
		add("Données", "aucune fiche : la base est vide")
	}
	add("Source", ds.Source)
	add("Branche", ds.Ref)
	if ds.Commit != "" {
		c := ds.Commit
		if !ds.CommittedAt.IsZero() {
			c += " (" + ds.CommittedAt.In(portfolio.Paris()).Format("02/01/2006 15:04") + ")"
		}
		add("Commit", c)
	}
	add("Fiches à jour au", frenchDate(ds.RecordsAsOf)+" ("+basisInFrench(ds.RecordsBasis)+")")
	if !ds.WrittenAt.IsZero() {
		add("Écrites dans la base le", ds.WrittenAt.In(portfolio.Paris()).Format("02/01/2006 à 15:04"))
	}
	add("Export à la date du", frenchDate(day))
	add("Exporté le", now.In(portfolio.Paris()).Format("02/01/2006 à 15:04"))
	if n := day.DaysSince(ds.RecordsAsOf); n > StaleDays && ds.Kind != sqlite.DatasetEmpty {
		add("Attention", fmt.Sprintf("les fiches datent du %s, %d jours avant la date de l'export : ce qui a changé depuis (comités, équipes, phases) n'y est pas.", frenchDate(ds.RecordsAsOf), n))
	}
	return a
}

// frenchDate writes a date as French readers do: 20/08/2026.
func frenchDate(d portfolio.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.Time().Format("02/01/2006")
}

// basisInFrench says what dated the records.
func basisInFrench(basis string) string {
	switch basis {
	case sqlite.BasisCommit:
		return "date du commit"
	case sqlite.BasisRecords:
		return "date la plus récente trouvée dans les fiches"
	case sqlite.BasisStated:
		return "date donnée à l'import"
	case sqlite.BasisSeed:
		return "date du réseau de démonstration"
	case sqlite.BasisToday:
		return "base vide"
	}
	return "jour de l'import : les fiches ne portent pas de date"
}
