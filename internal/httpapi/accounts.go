package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/ratelimit"
)

type userJSON struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
}

func toUserJSON(u generia.User) userJSON {
	return userJSON{ID: u.ID, Username: u.Username, Email: u.Email, CreatedAt: u.CreatedAt}
}

type sessionJSON struct {
	Token        string    `json:"token"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"expires_at"`
	User         userJSON  `json:"user"`
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Username string `json:"username"`
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.Social.Register(r.Context(), req.Username, req.Email, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSession(w, r, http.StatusCreated, u)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		EmailOrUsername string `json:"email_or_username"`
		Password        string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Limits.Allow(w, ratelimit.LoginAccount, strings.ToLower(strings.TrimSpace(req.EmailOrUsername))); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.Social.Authenticate(r.Context(), req.EmailOrUsername, req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSession(w, r, http.StatusOK, u)
}

// refresh spends a refresh token for a new pair: tokens rotate.
func (s *Server) refresh(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if err := decode(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := s.Store.ConsumeRefreshToken(r.Context(), auth.HashRefreshToken(req.RefreshToken), s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.Store.UserByID(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeSession(w, r, http.StatusOK, u)
}

// logout spends the given refresh token and ends the browser's session, if
// any. Access tokens expire by themselves within a day.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if req.RefreshToken != "" {
		if _, err := s.Store.ConsumeRefreshToken(r.Context(), auth.HashRefreshToken(req.RefreshToken), s.now()); err != nil && !generia.IsKind(err, generia.KindUnauthorized) {
			s.writeError(w, r, err)
			return
		}
	}
	if s.Sessions != nil {
		if err := s.Sessions.End(w, r); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// writeSession issues an access token and a fresh refresh token.
func (s *Server) writeSession(w http.ResponseWriter, r *http.Request, status int, u generia.User) {
	token, exp, err := s.Tokens.Issue(u.ID, auth.AccessTokenTTL)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	refresh, hash, err := auth.NewRefreshToken()
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.Store.SaveRefreshToken(r.Context(), u.ID, hash, s.now().Add(auth.RefreshTokenTTL)); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, sessionJSON{Token: token, RefreshToken: refresh, ExpiresAt: exp, User: toUserJSON(u)})
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	if viewer(r) == "" {
		s.writeError(w, r, generia.Errorf(generia.KindUnauthorized, "sign in: this route needs an access token"))
		return
	}
	u, err := s.Store.UserByID(r.Context(), viewer(r))
	if generia.IsKind(err, generia.KindNotFound) {
		err = generia.Errorf(generia.KindUnauthorized, "the account of this token no longer exists")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserJSON(u))
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
