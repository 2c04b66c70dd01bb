package server

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
)

// exportHandler serves /export and /export/{preset}.{ext}: the queries are
// checked as /graphql checks them, then run in process through gql, a
// GraphQL handler without authentication (the caller's identity is in the
// context) that runs the export's rewritten pages.
func exportHandler(cfg Config, gql http.Handler, m *metrics) http.Handler {
	return export.Handler(export.Config{
		Schema: cfg.Schema.Schema(), GraphQL: gql, Logger: cfg.Logger,
		Check: ExportChecker(cfg), WriteTimeout: positive(cfg.Limits.WriteTimeout),
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
			if gerr := l.checkCost(complexity.Calculate(ctx, es, op, vars), reads(op.SelectionSet, fragmentsOf(doc))); gerr != nil {
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
