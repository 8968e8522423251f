package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
)

// formCookie holds the sign-in forms' CSRF token. Before signing in there
// is no session to keep a token in, so the forms use a double submit: the
// same random value in this short-lived, SameSite=Strict cookie and in the
// form's hidden field. Another site can make a browser post the form, but
// can neither read nor set the cookie.
const (
	formCookie    = "generia_form"
	formCookieTTL = time.Hour
)

// formToken returns the browser's sign-in form token, creating it when
// missing, and renews the cookie.
func (h *Handler) formToken(w http.ResponseWriter, r *http.Request) (string, error) {
	tok := ""
	if c, err := r.Cookie(formCookie); err == nil && len(c.Value) == 32 {
		tok = c.Value
	} else {
		var err error
		if tok, err = auth.RandomSecret(16); err != nil {
			return "", err
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: formCookie, Value: tok, Path: "/", MaxAge: int(formCookieTTL.Seconds()),
		HttpOnly: true, Secure: h.sessions.Secure, SameSite: http.SameSiteStrictMode,
	})
	return tok, nil
}

// checkFormToken verifies a sign-in form's double-submitted token.
func checkFormToken(r *http.Request) error {
	c, err := r.Cookie(formCookie)
	got := r.PostFormValue(auth.CSRFField)
	if err != nil || c.Value == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(c.Value)) != 1 {
		return generia.Errorf(generia.KindForbidden, "this form expired or came from another site; it has been renewed, so please send it again")
	}
	return nil
}

type authData struct {
	// Token is the form's CSRF token.
	Token string
	Next  string
	Error string
	// Login, Username and Email are what was typed, shown again; never the
	// password.
	Login, Username, Email string
	MinPassword            int
}

// showAuth renders the sign-in or registration form.
func (h *Handler) showAuth(w http.ResponseWriter, r *http.Request, status int, name, title string, d authData) {
	tok, err := h.formToken(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Token, d.MinPassword = tok, auth.MinPasswordLength
	p := h.newPage(r, viewer{}, title, d)
	p.Path = ""
	h.render(w, r, status, name, p)
}

func nextOf(r *http.Request) string {
	next := r.URL.Query().Get("next")
	if r.Method == http.MethodPost {
		next = r.PostFormValue("next")
	}
	return localPath(next)
}

func redirectNext(w http.ResponseWriter, r *http.Request, next string) {
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request, req request) {
	if req.viewer.SignedIn() {
		redirectNext(w, r, nextOf(r))
		return
	}
	h.showAuth(w, r, http.StatusOK, "login", "Sign in", authData{Next: nextOf(r)})
}

// login signs a person in with their email or username and password.
func (h *Handler) login(w http.ResponseWriter, r *http.Request, req request) {
	d := authData{Next: nextOf(r), Login: strings.TrimSpace(r.PostFormValue("login"))}
	if req.refused != nil { // the form's token
		d.Error = message(req.refused)
		h.showAuth(w, r, formStatus(req.refused), "login", "Sign in", d)
		return
	}
	// The same limits as the API's sign-in, in the same buckets.
	account, err := h.social.AccountKey(r.Context(), d.Login)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var u generia.User
	err = h.limits.SignIn(w, r, account, func() (err error) {
		u, err = h.social.Authenticate(r.Context(), d.Login, r.PostFormValue("password"))
		return err
	})
	if err != nil {
		if !generia.IsKind(err, generia.KindUnauthorized) && !isFormError(err) {
			h.fail(w, r, err)
			return
		}
		d.Error = message(err)
		h.showAuth(w, r, formStatus(err), "login", "Sign in", d)
		return
	}
	if _, err := h.sessions.Start(r.Context(), w, u.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	redirectNext(w, r, d.Next)
}

func (h *Handler) registerForm(w http.ResponseWriter, r *http.Request, req request) {
	if req.viewer.SignedIn() {
		redirectNext(w, r, nextOf(r))
		return
	}
	h.showAuth(w, r, http.StatusOK, "register", "Create an account", authData{Next: nextOf(r)})
}

// register creates an account and signs it in.
func (h *Handler) register(w http.ResponseWriter, r *http.Request, req request) {
	d := authData{Next: nextOf(r), Username: strings.TrimSpace(r.PostFormValue("username")), Email: strings.TrimSpace(r.PostFormValue("email"))}
	err := req.refused // the form's token
	var u generia.User
	if err == nil {
		u, err = h.social.Register(r.Context(), d.Username, d.Email, r.PostFormValue("password"))
	}
	if err != nil {
		if !isFormError(err) {
			h.fail(w, r, err)
			return
		}
		d.Error = message(err)
		h.showAuth(w, r, formStatus(err), "register", "Create an account", d)
		return
	}
	if _, err := h.sessions.Start(r.Context(), w, u.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	redirectNext(w, r, d.Next)
}

// logout signs the browser out.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, req request) {
	if req.viewer.SignedIn() {
		if err := h.sessions.End(w, r); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
