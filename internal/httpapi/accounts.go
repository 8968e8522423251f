package httpapi

import (
	"net/http"
	"strings"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
)

func toUser(u generia.User) apiv1.User {
	return apiv1.User{ID: u.ID, Username: u.Username, Email: u.Email, CreatedAt: u.CreatedAt, Role: u.Role, Standing: u.Standing}
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Username string `json:"username"`
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	u, err := s.Social.Register(r.Context(), req.Username, req.Email, req.Password)
	if err != nil {
		return err
	}
	return s.writeSession(w, r, http.StatusCreated, u)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		EmailOrUsername string `json:"email_or_username"`
		Password        string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	account, err := s.Social.AccountKey(r.Context(), req.EmailOrUsername)
	if err != nil {
		return err
	}
	var u generia.User
	err = s.Limits.SignIn(w, r, account, func() (err error) {
		u, err = s.Social.Authenticate(r.Context(), req.EmailOrUsername, req.Password)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeSession(w, r, http.StatusOK, u)
}

// refresh spends a refresh token for a new pair: tokens rotate, and the
// access token before stops working. A refresh token used twice ends its
// sign-in.
func (s *Server) refresh(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	u, f, next, err := s.Social.RotateSession(r.Context(), req.RefreshToken)
	if err != nil {
		return err
	}
	return s.writeTokens(w, r, http.StatusOK, u, f, next)
}

// logout ends the sign-in of the request's access token and of the given
// refresh token, at once, and the browser's session, if any.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			return err
		}
	}
	if err := s.Social.EndSessions(r.Context(), family(r), req.RefreshToken); err != nil {
		return err
	}
	if s.Sessions != nil {
		if err := s.Sessions.End(w, r); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writeSession signs a user in: a new token family, its access token and
// its first refresh token.
func (s *Server) writeSession(w http.ResponseWriter, r *http.Request, status int, u generia.User) error {
	f, refresh, err := s.Social.StartSession(r.Context(), u)
	if err != nil {
		return err
	}
	return s.writeTokens(w, r, status, u, f, refresh)
}

// writeTokens answers with an access token of the family's generation and
// its refresh token.
func (s *Server) writeTokens(w http.ResponseWriter, r *http.Request, status int, u generia.User, f generia.TokenFamily, refresh string) error {
	token, exp, err := s.Tokens.Issue(f, auth.AccessTokenTTL)
	if err != nil {
		return err
	}
	writeJSON(w, status, apiv1.Session{Token: token, RefreshToken: refresh, ExpiresAt: exp, User: toUser(u)})
	return nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	u, err := s.Social.Me(r.Context(), viewer(r))
	return answer(w, http.StatusOK, u, err, toUser)
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, generia.Errorf(generia.KindNotFound, "no route %s %s; see /api/v1/openapi.json", r.Method, r.URL.Path))
}

func (s *Server) methodNotAllowed(methods []string) http.HandlerFunc {
	allow := strings.Join(methods, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allow)
		var body errorBody
		body.Error.Code = "method_not_allowed"
		body.Error.Message = r.Method + " is not allowed here; use " + allow
		writeJSON(w, http.StatusMethodNotAllowed, body)
	}
}

// accountCeilings answers one account's ceilings, to the operator.
func (s *Server) accountCeilings(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Social.AccountCeilings(r.Context(), viewer(r), r.PathValue("id"))
	return answer(w, http.StatusOK, a, err, ceilingsJSON)
}

// setAccountCeilings sets one account's ceilings, by the operator.
func (s *Server) setAccountCeilings(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(ch generia.CeilingsChange) (generia.AccountCeilings, error) {
		return s.Social.SetAccountCeilings(r.Context(), viewer(r), r.PathValue("id"), ch)
	}, ceilingsJSON)
}

func ceilingsJSON(a generia.AccountCeilings) apiv1.AccountCeilings { return a }
