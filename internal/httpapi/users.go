package httpapi

import (
	"net/http"
	"net/mail"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
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

var validUsername = regexp.MustCompile(`^[A-Za-z0-9_]{3,30}$`)

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
	req.Username = strings.TrimSpace(req.Username)
	req.Email = strings.TrimSpace(req.Email)
	if !validUsername.MatchString(req.Username) {
		s.writeError(w, r, generia.Errorf(generia.KindInvalid, "username must be 3 to 30 latin letters, digits or underscores"))
		return
	}
	if addr, err := mail.ParseAddress(req.Email); err != nil || addr.Address != req.Email || len(req.Email) > 254 {
		s.writeError(w, r, generia.Errorf(generia.KindInvalid, "email must be a valid address such as ada@example.com"))
		return
	}
	hash, err := auth.HashPassword(req.Password)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.Store.CreateUser(r.Context(), generia.User{ID: uuid.NewString(), Username: req.Username, Email: req.Email, CreatedAt: s.now()}, hash)
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
	u, hash, err := s.Store.UserByLogin(r.Context(), strings.TrimSpace(req.EmailOrUsername))
	if err != nil && !generia.IsKind(err, generia.KindNotFound) {
		s.writeError(w, r, err)
		return
	}
	// The same answer, after the same work, whether the account exists or
	// not: login never reveals who has an account.
	if !auth.CheckPassword(hash, req.Password) {
		s.writeError(w, r, generia.Errorf(generia.KindUnauthorized, "wrong email, username or password"))
		return
	}
	s.writeSession(w, r, http.StatusOK, u)
}

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
	u, err := s.Store.UserByID(r.Context(), userID(r))
	if generia.IsKind(err, generia.KindNotFound) {
		err = generia.Errorf(generia.KindUnauthorized, "the account of this token no longer exists")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toUserJSON(u))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// index tells a person who opens the server's address where to go.
func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{
		"name":   "Generia",
		"api":    "/api/v1",
		"worlds": "/api/v1/worlds",
		"health": "/healthz",
	})
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, generia.Errorf(generia.KindNotFound, "no route %s %s", r.Method, r.URL.Path))
}
