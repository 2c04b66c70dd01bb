package review

import (
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/httperror"
	"github.com/incubateurs/portfolio/internal/portfolio"
)

// Signing in from a browser: a form takes a token and, when the token
// store knows it, keeps it in the sign-in cookie (auth.SetCookie). The
// token only travels in the body of a POST, never in an address, and is
// never logged nor written back into the form. The cookie reads: /review,
// /export and the playground's queries; the GraphQL handler refuses it a
// mutation. The forms are posted from this server's pages only
// (http.CrossOriginProtection, in Handler).

// signInView is what the sign-in form shows.
type signInView struct {
	Next       string // where to go once signed in
	Message    string // why the form is shown, when the server sent the browser to it
	Error      string // what was wrong with the token given
	PublicRead bool   // the pages can be read without signing in
}

// maxFormBytes bounds the body of the sign-in form.
const maxFormBytes = 8 << 10

// signInForm serves the form: GET /review/connexion?suite=PATH&motif=….
func (h *handler) signInForm(w http.ResponseWriter, r *http.Request) {
	v := signInView{Next: nextTarget(r.URL.Query().Get("suite")), PublicRead: h.cfg.PublicRead}
	switch r.URL.Query().Get("motif") {
	case "session":
		v.Message = "Le jeton avec lequel ce navigateur était connecté n’est plus valable (il a pu être révoqué) : connectez-vous à nouveau."
	case "expiration":
		v.Message = "Le jeton avec lequel ce navigateur était connecté a expiré : demandez-en un nouveau à l’administrateur du serveur, puis connectez-vous."
	case "connexion":
		v.Message = "Ce serveur demande un jeton pour lire les données."
	}
	h.renderSignIn(w, r, v, "")
}

// signIn checks the token posted and, when the token store knows it, keeps
// it in the cookie and goes on to the page the form came from.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, nil, portfolio.EInvalid, "Formulaire incorrect", "Le formulaire de connexion envoyé n’a pas pu être lu.")
		return
	}
	v := signInView{Next: nextTarget(r.PostForm.Get("suite")), PublicRead: h.cfg.PublicRead}
	token := strings.TrimSpace(r.PostForm.Get("jeton"))
	if scheme, rest, ok := strings.Cut(token, " "); ok && strings.EqualFold(scheme, "Bearer") {
		token = strings.TrimSpace(rest) // pasted with its scheme, from a header
	}
	if token == "" {
		v.Error = "Collez votre jeton d’accès."
		h.renderSignIn(w, r, v, portfolio.EInvalid)
		return
	}
	if !utf8.ValidString(token) {
		v.Error = "Le jeton collé n’est pas du texte valide (UTF-8) : recopiez-le tel que portfolio token create l’a affiché."
		h.renderSignIn(w, r, v, portfolio.EInvalid)
		return
	}
	// Past its address's limit of failures, the token is not even
	// looked at.
	client := h.cfg.Limiter.Client(r)
	if wait, ok := h.cfg.Limiter.Allow(client); !ok {
		h.rateLimited(w, r, auth.RateLimited(wait), &v)
		return
	}
	id, err := h.cfg.Tokens.Authenticate(r.Context(), token)
	if err != nil {
		if portfolio.ErrorCode(err) == portfolio.EUnauthenticated {
			h.cfg.Limiter.Fail(client)
			v.Error = "Ce jeton est inconnu ou révoqué. Vérifiez qu’il est complet, ou demandez-en un nouveau à l’administrateur du serveur."
			if at, ok := portfolio.TokenExpiry(err); ok {
				v.Error = "Ce jeton a expiré le " + frenchInstant(at) + ". Demandez-en un nouveau à l’administrateur du serveur."
			}
			h.renderSignIn(w, r, v, portfolio.EUnauthenticated)
			return
		}
		h.cfg.Logger.ErrorContext(r.Context(), "sign in", "err", err)
		h.errorPage(w, r, nil, portfolio.EInternal, "Erreur du serveur", "Le serveur n’a pas pu vérifier le jeton. Réessayez dans un instant.")
		return
	}
	auth.SetCookie(w, r, token)
	h.cfg.Logger.InfoContext(r.Context(), "signed in", "token", id.TokenName, "role", string(id.Role))
	w.Header().Set("Cache-Control", "no-store")
	seeOther(w, v.Next)
}

// signOut deletes the cookie and goes back to the portfolio page.
func (h *handler) signOut(w http.ResponseWriter, r *http.Request) {
	auth.ClearCookie(w, r)
	w.Header().Set("Cache-Control", "no-store")
	seeOther(w, homePage)
}

// renderSignIn shows the form: a 200, or the status of code when the
// form says what went wrong.
func (h *handler) renderSignIn(w http.ResponseWriter, r *http.Request, v signInView, code string) {
	pg := &page{Title: "Se connecter", Today: h.cfg.Today(), Assets: h.assets, SignIn: v,
		Breadcrumb: []crumb{{Label: "Revue de portefeuille", URL: "/review"}, {Label: "Se connecter"}}}
	status := http.StatusOK
	if code != "" {
		status = httperror.Status(code)
	}
	h.render(w, r, "signin", pg, status, time.Now())
}

// rateLimited answers an attempt to authenticate refused by the limiter
// (err is auth.RateLimited's): RATE_LIMITED's 429 with Retry-After, the sign-in form
// saying it when v is the form's, else a page saying it.
func (h *handler) rateLimited(w http.ResponseWriter, r *http.Request, err error, v *signInView) {
	after := auth.RetryAfter(err)
	w.Header().Set("Retry-After", after)
	msg := "Trop de tentatives de connexion ont échoué depuis votre adresse : réessayez dans " + after + " s."
	if v != nil {
		v.Error = msg
		h.renderSignIn(w, r, *v, portfolio.ERateLimited)
		return
	}
	h.errorPage(w, r, nil, portfolio.ERateLimited, "Trop de tentatives", msg)
}

// frenchInstant writes an instant as a person in France reads it: « 1er
// mars 2027 à 00:00 (heure de Paris) ».
func frenchInstant(t time.Time) string {
	t = t.In(portfolio.Paris())
	return longDate(portfolio.DateOf(t)) + " à " + t.Format("15:04") + " (heure de Paris)"
}
