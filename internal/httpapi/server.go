// Package httpapi serves Generia's JSON API under /api/v1.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
)

// Generations creates and cancels world generations.
type Generations interface {
	Create(ctx context.Context, ownerID string, req generia.NewWorld, providers generia.Providers) (generia.World, error)
	Cancel(ctx context.Context, worldID string) error
}

// Server holds the API's dependencies.
type Server struct {
	Store       generia.Store
	Media       generia.MediaStore
	Generations Generations
	Tokens      *auth.Tokens
	// Providers are the providers new worlds are generated with.
	Providers generia.Providers
	Logger    *slog.Logger
	// StatusPoll is how often a status stream looks for changes.
	StatusPoll time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// maxBodyBytes caps JSON request bodies.
const maxBodyBytes = 1 << 20

// decode reads a JSON body into v. A malformed body gives KindInvalid.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return generia.Errorf(generia.KindInvalid, "send the body as application/json")
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxBodyBytes+1))
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return generia.Errorf(generia.KindInvalid, "the request body is empty; send a JSON object")
		}
		return generia.WrapError(generia.KindInvalid, err, "the request body is not valid JSON")
	}
	if dec.More() {
		return generia.Errorf(generia.KindInvalid, "the request body has data after its JSON object")
	}
	return nil
}

// writeJSON writes v with a status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// statusOf maps an error kind to its HTTP status; the one place that does.
func statusOf(kind generia.Kind) int {
	switch kind {
	case generia.KindInvalid:
		return http.StatusBadRequest
	case generia.KindUnauthorized:
		return http.StatusUnauthorized
	case generia.KindForbidden:
		return http.StatusForbidden
	case generia.KindNotFound:
		return http.StatusNotFound
	case generia.KindConflict, generia.KindStopped:
		return http.StatusConflict
	case generia.KindLimit:
		return http.StatusTooManyRequests
	case generia.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// writeError answers with the error's kind and client-safe message; server
// errors are logged with their full chain.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := generia.ErrorKind(err)
	status := statusOf(kind)
	if status >= 500 {
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	var body errorBody
	body.Error.Code = string(kind)
	body.Error.Message = generia.ErrorMessage(err)
	writeJSON(w, status, body)
}

type ctxKey struct{}

// userID returns the authenticated user of a request, or "".
func userID(r *http.Request) string {
	id, _ := r.Context().Value(ctxKey{}).(string)
	return id
}

// authenticate reads an optional bearer token. A present but bad token is
// refused rather than ignored, so a client learns its token expired.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			s.writeError(w, r, generia.Errorf(generia.KindUnauthorized, "send the token as Authorization: Bearer <token>"))
			return
		}
		id, err := s.Tokens.Verify(strings.TrimSpace(token))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, id)))
	})
}

// requireUser wraps a handler that needs a signed-in user.
func (s *Server) requireUser(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if userID(r) == "" {
			s.writeError(w, r, generia.Errorf(generia.KindUnauthorized, "sign in: this route needs an access token"))
			return
		}
		h(w, r)
	}
}

// recoverPanics turns a handler panic into a JSON 500.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("handler panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				s.writeError(w, r, errors.New("panic"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}
