package review

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/incubateurs/portfolio/internal/auth"
	"github.com/incubateurs/portfolio/internal/export"
	"github.com/incubateurs/portfolio/internal/portfolio"
	"github.com/incubateurs/portfolio/internal/rawtext"
)

// Recording a committee from the pages (issue 19 §4): a signed-in manager
// (or admin) plans a committee, records a planned one as held (decision,
// next phase, ask, success criteria, attendees, presentation) or cancels
// one, through forms on the startup page and on the agenda. Each form
// runs the API's own mutation (planCommittee, holdCommittee,
// cancelCommittee) in process with the caller's identity: the same store
// functions, rights, scopes, audit and idempotency as /graphql.
//
// A form is refused, writing nothing, unless:
//   - it comes from a page of this server (http.CrossOriginProtection in
//     Handler: a browser's Origin or Sec-Fetch-Site naming another site
//     is a 403);
//   - it carries the page's anti-forgery token (csrf), an HMAC of the
//     caller's own token, which no other site can read or compute;
//   - the caller may write (a manager within its incubators, or an admin:
//     the store says so, as for the API).
//
// Only then is the sign-in cookie's mark lifted for that one mutation
// (auth.VouchedByForm): /graphql still refuses the cookie every mutation.
// Each form holds an idempotency key (a hidden field, the mutation's
// clientMutationId): sent twice, it writes once. Errors come back in
// French beside their field, the form filled as it was sent.

// maxCommitteeForm bounds the body of a committee form.
const maxCommitteeForm = 64 << 10

// csrfToken returns the anti-forgery token of a caller's credential ("" for
// none): an HMAC-SHA256 of a fixed label keyed by the token itself.
func csrfToken(credential string) string {
	if credential == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(credential))
	m.Write([]byte("portfolio review form v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// credential returns the token r authenticates with: the Authorization
// header's, else the sign-in cookie's.
func credential(r *http.Request) string {
	if v := r.Header.Get("Authorization"); v != "" {
		if scheme, rest, ok := strings.Cut(v, " "); ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(rest)
		}
		return ""
	}
	if c, err := r.Cookie(auth.CookieName); err == nil {
		return c.Value
	}
	return ""
}

// newKey returns a fresh idempotency key for a form.
func newKey() string {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand)
	return "revue-" + hex.EncodeToString(b)
}

// formsView is what the forms of a page need: who asks, the anti-forgery
// token, the address to come back to, and the form that was sent back
// with its errors.
type formsView struct {
	Identity *portfolio.Identity
	CSRF     string
	Back     string // the page the forms are on
	Sent     *formState
	Done     string // what the last form did, in French
}

// formState is a form sent back: which one, its values and its errors by
// field ("" for the whole form).
type formState struct {
	Form   string // "planifier", "tenir-<id>", "annuler-<id>"
	Values url.Values
	Errors map[string]string
	Key    string
}

// Writer reports whether the caller may write the startups of incubator.
func (f *formsView) Writer(incubator string) bool {
	return f != nil && f.Identity != nil && f.Identity.CanWriteIncubator(incubator)
}

// CanWrite reports whether the caller may write some startups: a manager
// or an admin.
func (f *formsView) CanWrite() bool {
	return f != nil && f.Identity != nil && (f.Identity.Role == portfolio.RoleManager || f.Identity.Role == portfolio.RoleAdmin)
}

// Refusal says in French why the caller may not use the forms of a
// startup of incubator ("" when it may).
func (f *formsView) Refusal(incubator string) string {
	switch {
	case f == nil || f.Identity == nil || f.Identity.Role == portfolio.RoleAnonymous:
		return "Connectez-vous avec un jeton de gestion pour planifier ou enregistrer un comité."
	case f.Identity.Role == portfolio.RoleViewer:
		return "Votre jeton (" + f.Identity.TokenName + ") est en lecture seule : seul un jeton de gestion ou d’administration enregistre un comité."
	case incubator == "" && f.CanWrite():
		return ""
	case !f.Identity.CanWriteIncubator(incubator):
		return "Votre jeton (" + f.Identity.TokenName + ") gère d’autres incubateurs que celui de cette startup : il ne peut pas enregistrer ses comités."
	}
	return ""
}

// Key returns the idempotency key of a form: the one sent back, else a
// new one.
func (f *formsView) Key(form string) string {
	if f != nil && f.Sent != nil && f.Sent.Form == form && f.Sent.Key != "" {
		return f.Sent.Key
	}
	return newKey()
}

// Value returns the value a form was sent with for a field, else def.
func (f *formsView) Value(form, field, def string) string {
	if f != nil && f.Sent != nil && f.Sent.Form == form {
		return f.Sent.Values.Get(field)
	}
	return def
}

// Checked reports whether a checkbox of a form was sent checked (def for
// a form not sent back).
func (f *formsView) Checked(form, field, value string, def bool) bool {
	if f != nil && f.Sent != nil && f.Sent.Form == form {
		for _, v := range f.Sent.Values[field] {
			if v == value {
				return true
			}
		}
		return false
	}
	return def
}

// Error returns the error of a form's field ("" for the whole form).
func (f *formsView) Error(form, field string) string {
	if f != nil && f.Sent != nil && f.Sent.Form == form {
		return f.Sent.Errors[field]
	}
	return ""
}

// Open reports whether a form was sent back (its details open).
func (f *formsView) Open(form string) bool { return f != nil && f.Sent != nil && f.Sent.Form == form }

// forms returns the forms' view of a page.
func (h *handler) forms(r *http.Request, id *portfolio.Identity) *formsView {
	f := &formsView{Identity: id, Back: r.URL.RequestURI()}
	if id != nil && id.TokenID != 0 {
		f.CSRF = csrfToken(credential(r))
	}
	switch r.URL.Query().Get("enregistre") {
	case "planifie":
		f.Done = "Le comité est planifié."
	case "tenu":
		f.Done = "Le comité est enregistré comme tenu."
	case "annule":
		f.Done = "Le comité est annulé."
	}
	return f
}

// ---------------------------------------------------------------- the startup page's section

// startupCommitteeForms: the committees planned for the startup, with the
// forms to record or cancel each, and the form to plan one.
var startupCommitteeForms = newSection[committeeFormsData](section{
	ID:    "comites-formulaires",
	Title: "Planifier ou enregistrer un comité",
	Query: `query ReviewCommitteeForms($slug: String!, $asOf: Date) {
  startup(slug: $slug) {
    slug
    incubator { slug }
    committees { id slug date state version }
    intrapreneurs(asOf: $asOf) { slug fullname }
    sponsors { slug name acronym }
    portfolioManagers { slug fullname }
  }
}`,
	Vars: func(p *params) map[string]any { return map[string]any{"slug": p.slug, "asOf": p.AsOf.String()} },
})

type committeeFormsData struct {
	Startup *struct {
		Slug       string
		Incubator  *incubatorRef
		Committees []struct {
			ID, Slug string
			Date     portfolio.Date
			State    portfolio.CommitteeState
			Version  int
		}
		Intrapreneurs     []memberRef
		Sponsors          []organisationRef
		PortfolioManagers []memberRef
	}
}

// plannedRef is a planned committee as the forms name it.
type plannedRef struct {
	ID      string
	Date    portfolio.Date
	Version int
}

// Planned returns the committees planned, by date.
func (d *committeeFormsData) Planned() []plannedRef {
	var out []plannedRef
	if d.Startup == nil {
		return nil
	}
	for _, c := range d.Startup.Committees {
		if c.State == portfolio.CommitteePlanned {
			out = append(out, plannedRef{ID: c.ID, Date: c.Date, Version: c.Version})
		}
	}
	return out
}

// IncubatorSlug returns the startup's incubator ("" for none).
func (d *committeeFormsData) IncubatorSlug() string {
	if d.Startup == nil || d.Startup.Incubator == nil {
		return ""
	}
	return d.Startup.Incubator.Slug
}

// attendeeChoice is a participant a hold form offers to tick.
type attendeeChoice struct {
	Value, Label string
}

// Attendees returns who the records expect at the committee: the
// intrapreneurs, the sponsors and the portfolio managers.
func (d *committeeFormsData) Attendees() []attendeeChoice {
	var out []attendeeChoice
	if d.Startup == nil {
		return nil
	}
	for _, m := range d.Startup.Intrapreneurs {
		out = append(out, attendeeChoice{"member:" + m.Slug + ":INTRAPRENEUR", m.Fullname + " (intrapreneur)"})
	}
	for _, o := range d.Startup.Sponsors {
		name := o.Name
		if o.Acronym != "" {
			name = o.Acronym
		}
		out = append(out, attendeeChoice{"organisation:" + o.Slug + ":SPONSOR", name + " (sponsor)"})
	}
	for _, m := range d.Startup.PortfolioManagers {
		out = append(out, attendeeChoice{"member:" + m.Slug + ":PORTFOLIO_MANAGER", m.Fullname + " (responsable de portefeuille)"})
	}
	return out
}

// Decisions are the decisions a hold form offers, with their labels.
func (d *committeeFormsData) Decisions() []portfolio.Decision {
	return []portfolio.Decision{portfolio.DecisionContinue, portfolio.DecisionAdjust, portfolio.DecisionAdvance,
		portfolio.DecisionStop, portfolio.DecisionTransfer}
}

// Phases are the phases a hold form offers as the next one.
func (d *committeeFormsData) Phases() []portfolio.Phase { return portfolio.Phases }

// ---------------------------------------------------------------- posting

// The mutations the forms run.
const (
	planMutation = `mutation ReviewPlanCommittee($input: PlanCommitteeInput!) {
  planCommittee(input: $input) { committee { slug date state } }
}`
	holdMutation = `mutation ReviewHoldCommittee($input: HoldCommitteeInput!) {
  holdCommittee(input: $input) { committee { slug date state } }
}`
	cancelMutation = `mutation ReviewCancelCommittee($input: CancelCommitteeInput!) {
  cancelCommittee(input: $input) { committee { slug state } }
}`
)

// committeeForm serves POST /review/startups/{slug}/comites: the three
// forms, told apart by their action field.
func (h *handler) committeeForm(w http.ResponseWriter, r *http.Request) {
	ctx, id, ok := h.identify(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCommitteeForm)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, id, portfolio.EInvalid, "Formulaire incorrect", "Le formulaire envoyé n’a pas pu être lu : rechargez la page et recommencez.")
		return
	}
	if p := rawtext.Values(r.PostForm); p != nil {
		h.errorPage(w, r, id, portfolio.EInvalid, "Formulaire incorrect", "Le formulaire contient du texte invalide (UTF-8) : recopiez-le.")
		return
	}
	want := ""
	if id != nil && id.TokenID != 0 {
		want = csrfToken(credential(r))
	}
	got := r.PostForm.Get("csrf")
	if want == "" || !hmac.Equal([]byte(got), []byte(want)) {
		h.cfg.Logger.WarnContext(ctx, "review form refused", "reason", "csrf", "path", r.URL.Path)
		h.errorPage(w, r, id, portfolio.EForbidden, "Formulaire refusé",
			"Ce formulaire ne vient pas d’une page de ce serveur ouverte avec votre jeton (jeton anti-falsification absent ou périmé) : rien n’a été enregistré. Rouvrez la page et recommencez.")
		return
	}
	if id.Role == portfolio.RoleViewer || id.Role == portfolio.RoleAnonymous {
		h.errorPage(w, r, id, portfolio.EForbidden, "Écriture refusée",
			"Votre jeton est en lecture seule : seul un jeton de gestion ou d’administration enregistre un comité. Rien n’a été enregistré.")
		return
	}
	slug := r.PathValue("slug")
	f := r.PostForm
	st := &formState{Values: f, Errors: map[string]string{}, Key: strings.TrimSpace(f.Get("cle"))}
	var query string
	var input map[string]any
	var done string
	switch f.Get("action") {
	case "planifier":
		st.Form = "planifier"
		input, query, done = planInput(slug, f, st), planMutation, "planifie"
	case "tenir":
		st.Form = "tenir-" + f.Get("id")
		input, query, done = holdInput(f, st), holdMutation, "tenu"
	case "annuler":
		st.Form = "annuler-" + f.Get("id")
		input, query, done = cancelInput(f, st), cancelMutation, "annule"
	default:
		h.errorPage(w, r, id, portfolio.EInvalid, "Formulaire incorrect", "Ce formulaire ne dit pas quoi faire (planifier, tenir ou annuler un comité).")
		return
	}
	if len(st.Errors) == 0 {
		if st.Key != "" {
			input["clientMutationId"] = st.Key
		}
		h.mutate(auth.VouchedByForm(ctx), query, input, st)
	}
	back := nextTarget(f.Get("suite"))
	if len(st.Errors) > 0 {
		h.cfg.Logger.InfoContext(ctx, "review form", "action", f.Get("action"), "startup", slug, "errors", len(st.Errors))
		h.startupPageWith(w, r, ctx, id, slug, st)
		return
	}
	h.cfg.Logger.InfoContext(ctx, "review form", "action", f.Get("action"), "startup", slug, "token", id.TokenName)
	u, _ := url.Parse(back)
	q := u.Query()
	q.Set("enregistre", done)
	u.RawQuery = encode(q)
	w.Header().Set("Cache-Control", "no-store")
	seeOther(w, u.String()+"#comites-formulaires")
}

// mutate runs a form's mutation and records its errors in st, in French.
func (h *handler) mutate(ctx context.Context, query string, input map[string]any, st *formState) {
	resp, err := h.runner.Run(ctx, export.Query{Query: query, Variables: map[string]any{"input": input}})
	if err != nil {
		st.Errors[""] = "Le serveur n’a pas pu enregistrer le formulaire : réessayez dans un instant."
		return
	}
	for _, e := range resp.Errors {
		field, _ := e.Extensions["field"].(string)
		field = strings.TrimPrefix(field, "input.")
		formField, msg := frenchError(e.Code(), field, e.Message)
		if _, seen := st.Errors[formField]; !seen {
			st.Errors[formField] = msg
		}
	}
}

// formFields maps the API's fields to the forms'.
var formFields = map[string]string{
	"date": "date", "decision": "decision", "nextPhase": "nextPhase", "budgetEuros": "budgetEuros",
	"nextCommitteeDue": "nextCommitteeDue", "ask.teamProfile": "teamProfile", "ask.envelopeEuros": "envelopeEuros",
	"ask.months": "months", "hypotheses": "hypotheses", "successCriteria": "successCriteria", "attendees": "attendees",
	"documentUrl": "documentUrl", "comment": "comment",
}

// frenchError says an API error in French, with the form's field it is
// about ("" for the whole form).
func frenchError(code, field, message string) (string, string) {
	formField := formFields[field]
	if strings.HasPrefix(field, "attendees") {
		formField = "attendees"
	}
	switch code {
	case portfolio.EForbidden:
		return "", "Votre jeton ne peut pas écrire les comités de cette startup (elle relève d’un autre incubateur que les vôtres) : rien n’a été enregistré."
	case portfolio.EUnauthenticated:
		return "", "Votre jeton n’est plus valable : reconnectez-vous."
	case portfolio.ENotFound:
		return "", "Ce comité ou cette startup n’existe plus : rechargez la page."
	case portfolio.EConflict:
		if field == "date" || strings.Contains(message, "same day") || strings.Contains(message, "already") {
			return "date", "Un comité est déjà enregistré ce jour-là pour cette startup : choisissez un autre jour, ou modifiez celui-là."
		}
		return "", "Ce comité a changé depuis l’affichage de la page (ou n’est plus prévu) : rechargez-la pour voir son état."
	case portfolio.EReadOnlyReplica:
		return "", "Ce serveur est une copie en lecture seule de la base : enregistrez le comité sur le serveur principal. Rien n’a été enregistré."
	case portfolio.EInvalid:
	default:
		return "", fmt.Sprintf("Le serveur n’a pas pu enregistrer le formulaire (code %s) : réessayez dans un instant.", code)
	}
	if field == "clientMutationId" {
		return "", "Ce formulaire a déjà servi à un autre enregistrement : rechargez la page pour en remplir un nouveau."
	}
	switch formField {
	case "date":
		if strings.Contains(message, "after today") {
			return "date", "Un comité tenu a déjà eu lieu : sa date ne peut pas être après aujourd’hui. Pour un jour à venir, planifiez-le."
		}
		return "date", "Date refusée : donnez un jour entre 2000 et 2099."
	case "decision":
		return "decision", "Choisissez la décision du comité."
	case "nextPhase":
		return "nextPhase", "Phase suivante incohérente avec la décision : un passage mène à une phase d’incubation, un arrêt à l’abandon, un transfert à « Transférée » ou « Opérée » ; les autres décisions n’en ont pas."
	case "nextCommitteeDue":
		return "nextCommitteeDue", "Le prochain comité doit venir après celui-ci."
	case "budgetEuros", "envelopeEuros":
		return formField, "Donnez un montant en euros entre 0 et 1 000 000 000."
	case "months":
		return "months", "Donnez une durée en mois, de 1 à " + strconv.Itoa(portfolio.MaxAskMonths) + "."
	case "documentUrl":
		return "documentUrl", "Donnez l’adresse complète du support, commençant par https:// (ou http://)."
	case "hypotheses", "successCriteria", "attendees", "teamProfile", "comment":
		return formField, "Texte refusé par le serveur : trop long, trop d’éléments ou caractères non permis (" + message + ")."
	}
	return "", "Le serveur refuse le formulaire : " + message
}

// formDate reads a date field: "" for none, an error in French for a bad one.
func formDate(f url.Values, field string, st *formState, required bool) string {
	v := strings.TrimSpace(f.Get(field))
	if v == "" {
		if required {
			st.Errors[field] = "Donnez une date."
		}
		return ""
	}
	if _, err := portfolio.ParseDate(v); err != nil || len(v) != len("2006-01-02") {
		st.Errors[field] = "« " + v + " » n’est pas une date (AAAA-MM-JJ, par exemple 2026-09-15)."
		return ""
	}
	return v
}

// formInt reads a whole number field (spaces allowed: « 150 000 »).
func formInt(f url.Values, field string, st *formState) (int, bool) {
	v := strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '\u202f' || r == '€' {
			return -1
		}
		return r
	}, f.Get(field))
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		st.Errors[field] = "« " + f.Get(field) + " » n’est pas un nombre entier."
		return 0, false
	}
	return n, true
}

// formLines reads a textarea of one item a line, blank lines dropped.
func formLines(f url.Values, field string) []string {
	out := []string{}
	for _, l := range strings.Split(f.Get(field), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// content adds to input the committee's content a form gives: ask,
// hypotheses, criteria, attendees, presentation, comment.
func formContent(f url.Values, st *formState, input map[string]any) {
	ask := map[string]any{}
	if v := strings.TrimSpace(f.Get("teamProfile")); v != "" {
		ask["teamProfile"] = v
	}
	if n, ok := formInt(f, "envelopeEuros", st); ok {
		ask["envelopeEuros"] = n
	}
	if n, ok := formInt(f, "months", st); ok {
		ask["months"] = n
	}
	if len(ask) > 0 {
		input["ask"] = ask
	}
	if l := formLines(f, "hypotheses"); len(l) > 0 {
		input["hypotheses"] = l
	}
	if l := formLines(f, "successCriteria"); len(l) > 0 {
		input["successCriteria"] = l
	}
	var attendees []any
	for _, v := range f["attendee"] {
		parts := strings.SplitN(v, ":", 3)
		if len(parts) != 3 || (parts[0] != "member" && parts[0] != "organisation") {
			st.Errors["attendees"] = "Participant inconnu : rechargez la page."
			continue
		}
		attendees = append(attendees, map[string]any{parts[0]: parts[1], "role": parts[2]})
	}
	for _, name := range formLines(f, "otherAttendees") {
		attendees = append(attendees, map[string]any{"name": name, "role": "OTHER"})
	}
	if len(attendees) > 0 {
		input["attendees"] = attendees
	}
	if v := strings.TrimSpace(f.Get("documentUrl")); v != "" {
		input["documentUrl"] = v
	}
	if v := strings.TrimSpace(f.Get("comment")); v != "" {
		input["comment"] = v
	}
}

func planInput(slug string, f url.Values, st *formState) map[string]any {
	input := map[string]any{"startup": slug}
	if d := formDate(f, "date", st, true); d != "" {
		input["date"] = d
	}
	formContent(f, st, input)
	return input
}

// committeeRefOf reads the committee a form is about.
func committeeRefOf(f url.Values, st *formState, input map[string]any) {
	input["id"] = f.Get("id")
	v, err := strconv.Atoi(f.Get("version"))
	if err != nil || f.Get("id") == "" {
		st.Errors[""] = "Ce formulaire ne dit pas de quel comité il s’agit : rechargez la page."
	}
	input["version"] = v
}

func holdInput(f url.Values, st *formState) map[string]any {
	input := map[string]any{}
	committeeRefOf(f, st, input)
	if d := formDate(f, "date", st, false); d != "" {
		input["date"] = d
	}
	switch dec := portfolio.Decision(f.Get("decision")); {
	case dec == "":
		st.Errors["decision"] = "Choisissez la décision du comité."
	case !dec.Valid():
		st.Errors["decision"] = "Décision inconnue : choisissez-en une de la liste."
	default:
		input["decision"] = string(dec)
	}
	if ph := f.Get("nextPhase"); ph != "" {
		input["nextPhase"] = ph
	}
	if n, ok := formInt(f, "budgetEuros", st); ok {
		input["budgetEuros"] = n
	}
	if d := formDate(f, "nextCommitteeDue", st, false); d != "" {
		input["nextCommitteeDue"] = d
	}
	formContent(f, st, input)
	return input
}

func cancelInput(f url.Values, st *formState) map[string]any {
	input := map[string]any{}
	committeeRefOf(f, st, input)
	if v := strings.TrimSpace(f.Get("comment")); v != "" {
		input["comment"] = v
	}
	return input
}

// startupPageWith answers a form sent back: the startup page with the
// form filled as sent and its errors, with BAD_USER_INPUT's status.
func (h *handler) startupPageWith(w http.ResponseWriter, r *http.Request, ctx context.Context, id *portfolio.Identity, slug string, st *formState) {
	p, err := parseParams(url.Values{}, h.cfg.Today())
	if err != nil {
		h.badRequest(w, r, id, err)
		return
	}
	if u, err := url.Parse(nextTarget(r.PostForm.Get("suite"))); err == nil {
		if q, err := parseParams(u.Query(), h.cfg.Today()); err == nil {
			p = q
		}
	}
	p.dataset = h.dataset(ctx)
	p.dataset.atDate(p, h.cfg.Today())
	p.slug = slug
	h.serveStartup(w, r, ctx, id, p, st, time.Now())
}
