// Package review serves the « Revue de portefeuille »: the pages a
// portfolio manager looks at, prints and brings to an investment
// committee. /review shows the portfolio of the network, or of a selection
// of incubators and sponsors, at a date (key figures, the portfolio over
// time, the flows per year, the FAST investment, the quality of the
// services, the committee agenda with the startups late and those with no
// committee on record apart, the startups without an intrapreneur, the
// startups in incubation);
// /review/startups/{slug} one startup (its situation and quality, its
// phases, its team over time, its committees and events).
//
// The pages are built on the API only: each section of a page is one
// GraphQL query run in process through the server's GraphQL handler, with
// the caller's rights and the server's limits, never a read of the
// database; a « Voir la requête » link opens that query in the playground,
// and an « Exporter » link downloads the section's list as XLSX. A section
// is a unit of three things (section.go): its query, the type its answer
// decodes into, and its template; sections.go lists them.
//
// The pages are in French, in the Système de Design de l'État (the DSFR,
// embedded with package assets), with charts drawn here as SVG and each
// chart's data in a table; a print stylesheet lays them out on A4. A
// browser signs in with a form that keeps the token in an HttpOnly,
// SameSite=Strict cookie (package auth), used for reading only.
package review

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
	"github.com/incubateurs/portfolio/internal/server/assets"
)

// Config is what the pages need.
type Config struct {
	// GraphQL is the server's GraphQL handler without authentication, the
	// one exports run their pages through (server.GraphQL): the caller's
	// identity is in each request's context. Every section's query runs
	// through it.
	GraphQL http.Handler
	// Tokens authenticates the caller's token (from the Authorization
	// header or the sign-in cookie) and the token the sign-in form is given.
	Tokens auth.Authenticator
	// Limiter, when not nil, limits the failed authentications of each
	// client address (the pages' cookie and header, and the sign-in
	// form): past its limit, an attempt is refused with a 429 page before
	// Tokens is asked.
	Limiter *auth.Limiter
	// PublicRead lets callers without a token read the pages, as anonymous
	// callers; without it they are sent to the sign-in form.
	PublicRead bool
	// Guard, when not nil, wraps the rendering of a page (GET /review and
	// the startup pages): the server's guards of load and time.
	Guard func(http.Handler) http.Handler
	// Logger gets a line per page and the sections' failures; nil discards.
	Logger *slog.Logger
	// Today returns the date of the figures when the address gives none
	// (nil: today in Europe/Paris).
	Today func() portfolio.Date
	// Playground is the path of the GraphQL playground ("" for "/").
	Playground string
	// Assets is the path where the server serves the embedded npm files
	// ("" for "/assets/npm").
	Assets string
	// About, when not nil, says what the records are, for the « À
	// propos » sheet of the sections' French exports (export.go).
	About func(ctx context.Context, day portfolio.Date) *export.About
}

// Handler serves the pages: GET /review and GET /review/startups/{slug};
// the sign-in form, GET and POST /review/connexion, and POST
// /review/deconnexion; the pages' own files, GET /review/static/{file}.
func Handler(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Today == nil {
		cfg.Today = portfolio.Today
	}
	if cfg.Playground == "" {
		cfg.Playground = "/"
	}
	if cfg.Assets == "" {
		cfg.Assets = "/assets/npm"
	}
	guard := cfg.Guard
	if guard == nil {
		guard = func(h http.Handler) http.Handler { return h }
	}
	h := &handler{cfg: cfg, runner: export.HandlerRunner(cfg.GraphQL), assets: pageAssets(cfg.Assets)}
	// Forms are posted from this server's pages only: a POST that a
	// browser says comes from another site is refused (403).
	csrf := http.NewCrossOriginProtection()
	mux := http.NewServeMux()
	mux.Handle("GET /review", guard(http.HandlerFunc(h.portfolioPage)))
	mux.Handle("GET /review/startups/{slug}", guard(http.HandlerFunc(h.startupPage)))
	mux.Handle("GET /review/startups/{slug}/comite", guard(http.HandlerFunc(h.briefPage)))
	mux.Handle("POST /review/startups/{slug}/comites", csrf.Handler(http.HandlerFunc(h.committeeForm)))
	mux.HandleFunc("GET /review/connexion", h.signInForm)
	mux.Handle("POST /review/connexion", csrf.Handler(http.HandlerFunc(h.signIn)))
	mux.Handle("POST /review/deconnexion", csrf.Handler(http.HandlerFunc(h.signOut)))
	mux.HandleFunc("GET /review/static/{file}", serveStatic)
	mux.Handle("GET /review/export/{file}", guard(http.HandlerFunc(h.exportPortfolio)))
	mux.Handle("GET /review/startups/{slug}/export/{file}", guard(http.HandlerFunc(h.exportStartup)))
	mux.HandleFunc("GET /review/{$}", func(w http.ResponseWriter, r *http.Request) {
		target := "/review"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
	mux.HandleFunc("/review/", func(w http.ResponseWriter, r *http.Request) {
		h.errorPage(w, r, nil, portfolio.ENotFound, "Page introuvable", "Cette adresse ne correspond à aucune page de la revue de portefeuille.")
	})
	return mux
}

// handler serves the pages.
type handler struct {
	cfg    Config
	runner export.Runner
	assets assetsView
}

//go:embed templates/*.html
var templateFiles embed.FS

// base is the templates every page shares: the layout, its partials and
// the sections' templates.
var base = template.Must(template.New("").Funcs(funcs).ParseFS(templateFiles,
	"templates/layout.html", "templates/partials.html", "templates/sections.html", "templates/forms.html"))

// pageTemplates are the pages, each the base with its "content".
var pageTemplates = func() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"portfolio", "startup", "brief", "signin", "error"} {
		out[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFiles, "templates/"+name+".html"))
	}
	return out
}()

// page is what the layout and a page's content read.
type page struct {
	Title      string // the document's title
	Heading    string // the page's h1, where the content does not write its own
	Today      portfolio.Date
	Assets     assetsView
	Identity   *portfolio.Identity // nil on a page shown to a refused caller
	ViaCookie  bool                // the identity came from the sign-in cookie
	Params     *params
	Breadcrumb []crumb
	// HasSelection is set on the pages with the selection form.
	HasSelection bool
	Selection    *sectionView
	Head         *sectionView
	Sections     []*sectionView
	Scope        string // what the portfolio page covers, in words
	Message      string // an error page's explanation
	SignIn       signInView
	SignInURL    string
	// Dataset is what the records are, for the banner of the demo and the
	// line that dates them; nil when unknown.
	Dataset *datasetView
}

// crumb is a link of the breadcrumb; the current page has no URL.
type crumb struct{ Label, URL string }

// SignedIn reports whether the caller sent a token.
func (p *page) SignedIn() bool { return p.Identity != nil && p.Identity.TokenID != 0 }

// RoleLabel names the caller's role in French.
func (p *page) RoleLabel() string {
	if p.Identity == nil {
		return ""
	}
	return map[portfolio.Role]string{
		portfolio.RoleAnonymous: "public", portfolio.RoleViewer: "lecture",
		portfolio.RoleManager: "gestion", portfolio.RoleAdmin: "administration",
	}[p.Identity.Role]
}

// IncubatorTitle returns the title of an incubator of the selection, or
// its slug when the selection form's query did not list it.
func (p *page) IncubatorTitle(slug string) string {
	if p.Selection != nil {
		if d, ok := p.Selection.Data.(*selectionData); ok {
			for _, i := range d.Incubators.Nodes {
				if i.Slug == slug {
					return i.Title
				}
			}
		}
	}
	return slug
}

// SponsorName returns the name (with acronym) of a sponsor of the
// selection, or its slug.
func (p *page) SponsorName(slug string) string {
	if p.Selection != nil {
		if d, ok := p.Selection.Data.(*selectionData); ok {
			for _, o := range d.Sponsors() {
				if o.Slug == slug {
					if o.Acronym != "" && o.Acronym != o.Name {
						return o.Name + " (" + o.Acronym + ")"
					}
					return o.Name
				}
			}
		}
	}
	return slug
}

// scope says in words what the portfolio page covers.
func (p *page) scope() string {
	var parts []string
	if n := len(p.Params.Incubators); n > 0 {
		var names []string
		for _, s := range p.Params.Incubators {
			names = append(names, p.IncubatorTitle(s))
		}
		label := "Incubateur"
		if n > 1 {
			label = "Incubateurs"
		}
		parts = append(parts, label+" "+strings.Join(names, ", "))
	}
	if n := len(p.Params.Sponsors); n > 0 {
		var names []string
		for _, s := range p.Params.Sponsors {
			names = append(names, p.SponsorName(s))
		}
		label := "startups sponsorisées par "
		if len(parts) == 0 {
			label = "Startups sponsorisées par "
		}
		parts = append(parts, label+strings.Join(names, " ou "))
	}
	if len(parts) == 0 {
		return "Tout le réseau"
	}
	return strings.Join(parts, " ; ")
}

// identify authenticates the caller of a page (Authorization header, else
// the sign-in cookie, else anonymous where public reading is on). It
// answers itself when the caller is refused: to the sign-in form when the
// cookie's token is no longer valid (deleting it) or when the server needs
// a token, with a 401 page for a bad Authorization header.
func (h *handler) identify(w http.ResponseWriter, r *http.Request) (context.Context, *portfolio.Identity, bool) {
	ctx, id, err := auth.Identify(h.cfg.Tokens, auth.Options{PublicRead: h.cfg.PublicRead, Cookie: true, Limiter: h.cfg.Limiter}, r)
	if err == nil {
		return ctx, id, true
	}
	if portfolio.ErrorCode(err) == portfolio.ERateLimited {
		h.rateLimited(w, r, err, nil)
		return nil, nil, false
	}
	if portfolio.ErrorCode(err) != portfolio.EUnauthenticated {
		h.cfg.Logger.ErrorContext(r.Context(), "authenticate", "err", err)
		h.errorPage(w, r, nil, portfolio.EInternal, "Erreur du serveur", "Le serveur n’a pas pu vérifier votre jeton. Réessayez dans un instant.")
		return nil, nil, false
	}
	if len(r.Header.Values("Authorization")) > 0 {
		h.errorPage(w, r, nil, portfolio.EUnauthenticated, "Jeton refusé", "Le jeton envoyé dans l’en-tête Authorization est refusé : "+portfolio.ErrorMessage(err))
		return nil, nil, false
	}
	reason := "connexion"
	if c, cerr := r.Cookie(auth.CookieName); cerr == nil && c.Value != "" {
		auth.ClearCookie(w, r)
		reason = "session"
		if _, expired := portfolio.TokenExpiry(err); expired {
			reason = "expiration"
		}
	}
	q := url.Values{"suite": {r.URL.RequestURI()}, "motif": {reason}}
	http.Redirect(w, r, "/review/connexion?"+q.Encode(), http.StatusSeeOther)
	return nil, nil, false
}

// begin identifies the caller of a page and reads its parameters; when ok
// is false, the answer was written (the sign-in form, or a page saying
// what is wrong).
func (h *handler) begin(w http.ResponseWriter, r *http.Request) (context.Context, *portfolio.Identity, *params, bool) {
	ctx, id, ok := h.identify(w, r)
	if !ok {
		return nil, nil, nil, false
	}
	p, err := parseParams(r.URL.Query(), h.cfg.Today())
	if err != nil {
		h.badRequest(w, r, id, err)
		return nil, nil, nil, false
	}
	p.dataset = h.dataset(ctx)
	p.dataset.atDate(p, h.cfg.Today())
	return ctx, id, p, true
}

// portfolioPage serves /review.
func (h *handler) portfolioPage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx, id, p, ok := h.begin(w, r)
	if !ok {
		return
	}
	p.forms = h.forms(r, id)
	// Each section is rendered as soon as its answer is decoded, beside
	// the queries of the others (the selection's by the page's layout).
	t := pageTemplates["portfolio"]
	views := run(ctx, h.runner, h.cfg.Logger, h.cfg.Playground, p, append([]*section{selection}, portfolioSections()...), func(v *sectionView) {
		if v.section != selection {
			h.renderSection(ctx, t, v)
		}
	})
	pg := h.newPage(ctx, r, id, p)
	pg.Title = "Revue de portefeuille"
	pg.HasSelection = true
	pg.Selection, pg.Sections = views[0], views[1:]
	markGroups(pg.Sections)
	pg.Scope = pg.scope()
	pg.Breadcrumb = []crumb{{Label: "Revue de portefeuille"}}
	h.render(w, r, "portfolio", pg, http.StatusOK, start)
}

// startupPage serves /review/startups/{slug}.
func (h *handler) startupPage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx, id, p, ok := h.begin(w, r)
	if !ok {
		return
	}
	p.slug = r.PathValue("slug")
	if bad := rawtext.String("slug", p.slug); bad != nil {
		h.badRequest(w, r, id, &badParam{fmt.Sprintf("L'adresse de la page n'est pas du texte valide (UTF-8) au caractère %d de l'identifiant de la startup : recopiez-la.", bad.Pos)})
		return
	}
	h.serveStartup(w, r, ctx, id, p, nil, start)
}

// serveStartup renders a startup's page, with a committee form sent back
// (st, its errors beside its fields) or none.
func (h *handler) serveStartup(w http.ResponseWriter, r *http.Request, ctx context.Context, id *portfolio.Identity, p *params, st *formState, start time.Time) {
	p.forms = h.forms(r, id)
	p.forms.Sent = st
	if st != nil {
		p.forms.Back = p.StartupURL(p.slug)
	}
	head := runOne(ctx, h.runner, h.cfg.Logger, h.cfg.Playground, p, startupHead)
	pg := h.newPage(ctx, r, id, p)
	pg.Head = head
	pg.Breadcrumb = []crumb{{Label: "Revue de portefeuille", URL: p.link("/review", func(q url.Values) { q.Del("from") })}}
	d, _ := head.Data.(*startupHeadData)
	if head.Failure == "" && (d == nil || d.Startup == nil) {
		h.errorPage(w, r, id, portfolio.ENotFound, "Startup introuvable", fmt.Sprintf("Aucune startup n’a l’identifiant « %s ».", p.slug))
		return
	}
	if d != nil && d.Startup != nil {
		p.name = d.Startup.Name
		if first := d.firstStart(); !p.fromGiven && !first.IsZero() && first <= p.AsOf {
			p.From = portfolio.NewDate(first.Year(), time.January, 1)
		}
	} else {
		p.name = p.slug
	}
	pg.Title, pg.Heading = p.name, p.name
	pg.Breadcrumb = append(pg.Breadcrumb, crumb{Label: p.name})
	pg.Sections = run(ctx, h.runner, h.cfg.Logger, h.cfg.Playground, p, startupSections(), nil)
	status := http.StatusOK
	if st != nil {
		status = httperror.Status(portfolio.EInvalid)
	}
	h.render(w, r, "startup", pg, status, start)
}

// newPage returns the frame of a page for the caller; ctx is the
// request's, with the caller's identity.
func (h *handler) newPage(ctx context.Context, r *http.Request, id *portfolio.Identity, p *params) *page {
	return &page{
		Today: h.cfg.Today(), Assets: h.assets, Identity: id, ViaCookie: auth.ViaCookie(ctx),
		Params: p, SignInURL: "/review/connexion?" + url.Values{"suite": {r.URL.RequestURI()}}.Encode(),
		Dataset: p.dataset,
	}
}

// badRequest answers a page's bad address.
func (h *handler) badRequest(w http.ResponseWriter, r *http.Request, id *portfolio.Identity, err error) {
	var bad *badParam
	if errors.As(err, &bad) {
		h.errorPage(w, r, id, portfolio.EInvalid, "Adresse incorrecte", bad.msg)
		return
	}
	h.errorPage(w, r, id, portfolio.EInvalid, "Adresse incorrecte", err.Error())
}

// errorPage answers with a page saying what went wrong, with the status of
// the error's code (portfolio.ENotFound, …) in the edge's table.
func (h *handler) errorPage(w http.ResponseWriter, r *http.Request, id *portfolio.Identity, code, heading, message string) {
	pg := &page{Title: heading, Heading: heading, Message: message, Today: h.cfg.Today(), Assets: h.assets, Identity: id,
		SignInURL: "/review/connexion", Breadcrumb: []crumb{{Label: "Revue de portefeuille", URL: "/review"}, {Label: heading}}}
	h.render(w, r, "error", pg, httperror.Status(code), time.Now())
}

// render executes a page's template into a buffer (each section's first),
// then writes it.
// renderSection executes a section's template into its Body, unless the
// section failed; a template that fails makes the section fail.
func (h *handler) renderSection(ctx context.Context, t *template.Template, v *sectionView) {
	v.rendered = true
	if v.Failure != "" {
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "section-"+v.ID, v); err != nil {
		h.cfg.Logger.ErrorContext(ctx, "review template", "section", v.ID, "err", err)
		v.Failure = failure(portfolio.EInternal)
		return
	}
	v.Body = template.HTML(buf.String())
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, name string, pg *page, status int, start time.Time) {
	if pg.Dataset == nil {
		pg.Dataset = h.dataset(r.Context()) // the sign-in and error pages too: the demo is labelled everywhere
	}
	t := pageTemplates[name]
	failed := 0
	views := append([]*sectionView{pg.Head}, pg.Sections...)
	for _, v := range views {
		if v == nil {
			continue
		}
		if v.Failure != "" {
			failed++
			continue
		}
		if v == pg.Head {
			continue // the page's template shows it
		}
		if !v.rendered {
			h.renderSection(r.Context(), t, v)
		}
		if v.Failure != "" {
			failed++
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", pg); err != nil {
		h.cfg.Logger.ErrorContext(r.Context(), "review template", "page", name, "err", err)
		http.Error(w, "erreur interne", httperror.Status(portfolio.EInternal))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// Pages may hold protected values, and depend on the cookie.
	hd.Set("Cache-Control", "no-store")
	hd.Set("Vary", "Cookie, Authorization")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	attrs := []slog.Attr{slog.String("path", r.URL.Path), slog.Int("status", status),
		slog.Float64("ms", float64(time.Since(start).Microseconds())/1000), slog.Int("sections", len(pg.Sections)), slog.Int("failed", failed)}
	if pg.Identity != nil {
		attrs = append(attrs, slog.String("role", string(pg.Identity.Role)))
		if pg.Identity.TokenName != "" {
			attrs = append(attrs, slog.String("token", pg.Identity.TokenName))
		}
	}
	if status == httperror.Status(portfolio.ERateLimited) {
		return // refused by the limiter, which logs once per burst
	}
	h.cfg.Logger.LogAttrs(r.Context(), slog.LevelInfo, "review page", attrs...)
}

// contentSecurityPolicy lets the pages load from their own server only,
// run no inline script, be framed by no one, and post forms to
// themselves.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// ---------------------------------------------------------------- files

// assetsView holds the files the layout loads, with their integrity.
type assetsView struct {
	DSFR, DSFRModule, CSS, JS fileLink
	// Live refreshes the figures when a change arrives (static/live.js).
	Live    fileLink
	Licence string
}

// fileLink is the address of a file and its subresource-integrity hash.
type fileLink struct{ URL, Integrity string }

// pageAssets returns the files of the layout: the DSFR's stylesheet and
// module from the embedded npm files, the pages' own files from static/.
func pageAssets(prefix string) assetsView {
	npm := func(file string) fileLink {
		f := assets.MustLookup("@gouvfr/dsfr", file)
		return fileLink{URL: prefix + "/" + f.Path, Integrity: f.Integrity}
	}
	own := func(name string) fileLink {
		f := staticFiles[name]
		return fileLink{URL: "/review/static/" + name + "?v=" + f.etag[1:9], Integrity: f.integrity}
	}
	return assetsView{
		DSFR: npm("dist/dsfr.min.css"), DSFRModule: npm("dist/dsfr.module.min.js"),
		CSS: own("review.css"), JS: own("review.js"), Live: own("live.js"),
		Licence: prefix + "/" + assets.MustLookup("@gouvfr/dsfr", "LICENSE.md").Path,
	}
}

//go:embed static
var staticFS embed.FS

// staticFile is one of the pages' own files.
type staticFile struct {
	data                         []byte
	contentType, etag, integrity string
}

// staticFiles are the pages' own files, by name.
var staticFiles = func() map[string]*staticFile {
	out := map[string]*staticFile{}
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		panic(err) // embedded: cannot fail
	}
	for _, e := range entries {
		data, err := fs.ReadFile(staticFS, "static/"+e.Name())
		if err != nil {
			panic(err)
		}
		sum := sha256.Sum256(data)
		ext := e.Name()[strings.LastIndexByte(e.Name(), '.'):]
		out[e.Name()] = &staticFile{data: data, contentType: types[ext],
			etag:      fmt.Sprintf(`"%x"`, sum[:8]),
			integrity: "sha256-" + base64.StdEncoding.EncodeToString(sum[:])}
	}
	return out
}()

// serveStatic serves the pages' own files.
func serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := staticFiles[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", f.etag)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.data))
}
