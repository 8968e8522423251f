// Package httpapi serves Generia's JSON API under /api/v1. Every route
// authorizes through internal/social; errors are JSON.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/bodylimit"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/httpstatus"
	"github.com/generia/generia/internal/metrics"
	"github.com/generia/generia/internal/pipeline/timeleft"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/sse"
)

// Server holds the API's dependencies.
type Server struct {
	// Social is the one way to the data: every route and stream reads and
	// writes through it, which applies access; the API holds no store.
	Social   *social.Service
	Tokens   *auth.Tokens
	Sessions *auth.Sessions
	Logger   *slog.Logger
	// Limits rate-limits sign-in, registration and world creation;
	// required.
	Limits *ratelimit.Limits
	// MediaRedirect serves media by redirect to a presigned URL when the
	// media store can make one.
	MediaRedirect bool
	// Metrics counts requests per route; nil counts nothing.
	Metrics *metrics.Metrics
	// Capacity is how many provider calls the workers make at once and per
	// second, which a stream's time left is measured with; zero: no cap known.
	Capacity timeleft.Capacity
	// Streams holds the open event streams of HTTP/1.x readers, off
	// net/http (nil: sse.Shared); the caller closes it after the server.
	Streams *sse.Pool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// decode reads a JSON body into v. A malformed body gives KindInvalid; one
// past its route's cap KindTooLarge.
func decode(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return generia.Errorf(generia.KindInvalid, "send the body as application/json")
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		if tooLarge, ok := bodylimit.Is(err); ok {
			return tooLarge
		}
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
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // keep the usual sizes, let a rare huge one go
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		var body errorBody
		body.Error.Code, body.Error.Message = string(generia.KindInternal), "the answer could not be encoded"
		_ = json.NewEncoder(buf).Encode(body)
	}
	writeEncoded(w, status, buf.Bytes())
}

// writeEncoded answers with JSON already encoded. Encoded whole, an answer
// goes out in one write with its length, not in chunks as it is encoded.
func writeEncoded(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// jsonBuffers are reused for encoding answers.
var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		// Field is the request's field the error refuses, if one.
		Field string `json:"field,omitempty"`
	} `json:"error"`
}

// writeError answers with the error's kind and client-safe message; server
// errors are logged with their full chain.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	kind := generia.ErrorKind(err)
	status := httpstatus.Of(kind)
	switch {
	case httpstatus.ClientGone(r, err):
		s.Logger.Debug("request ended: the client went away", "method", r.Method, "path", r.URL.Path, "error", err)
		return // nobody to answer
	case status >= 500:
		s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	var body errorBody
	body.Error.Code = string(kind)
	body.Error.Message = generia.ErrorMessage(err)
	body.Error.Field = generia.ErrorField(err)
	writeJSON(w, status, body)
}

type ctxKey struct{}

// caller is who a request comes from: the user, and the token family of
// their access token (none for a browser's session).
type caller struct{ user, family string }

// viewer returns the authenticated user of a request, or "".
func viewer(r *http.Request) string {
	c, _ := r.Context().Value(ctxKey{}).(caller)
	return c.user
}

// family returns the token family of a request's access token, or "".
func family(r *http.Request) string {
	c, _ := r.Context().Value(ctxKey{}).(caller)
	return c.family
}

// authenticate finds the user of a request: a bearer token (API clients),
// or the web UI's session cookie, whose unsafe requests must carry the
// session's CSRF token in the X-CSRF-Token header (never in the body, which
// nothing reads before the route has capped it). A bad bearer token is
// refused rather than ignored, so a client learns its token expired.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var who caller
		if h := r.Header.Get("Authorization"); h != "" {
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				s.writeError(w, r, generia.Errorf(generia.KindUnauthorized, "send the token as Authorization: Bearer <token>"))
				return
			}
			c, err := s.Tokens.Verify(r.Context(), strings.TrimSpace(token))
			if err != nil {
				s.writeError(w, r, err)
				return
			}
			who = caller{user: c.UserID, family: c.FamilyID}
		} else if s.Sessions != nil {
			if sess, ok := s.Sessions.Read(r); ok {
				if !auth.Safe(r.Method) {
					if err := auth.CheckCSRF(r.Header.Get(auth.CSRFHeader), sess); err != nil {
						s.writeError(w, r, err)
						return
					}
				}
				who.user = sess.UserID
			}
		}
		if who.user != "" {
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, who))
		}
		next.ServeHTTP(w, r)
	})
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

// pageOf reads limit and cursor query parameters. A limit above the maximum
// is lowered to it.
func pageOf(r *http.Request) (generia.Page, error) {
	p := generia.Page{Cursor: r.URL.Query().Get("cursor")}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, generia.Errorf(generia.KindInvalid, "limit must be a whole number from 1 to %d", generia.MaxPageSize)
		}
		p.Limit = n
	}
	return p.Normalize(), nil
}

// create decodes a request, makes what it asks for and answers 201 with it.
func create[Req, T, J any](w http.ResponseWriter, r *http.Request, build func(Req) (T, error), toJSON func(T) J) error {
	return decoded(w, r, http.StatusCreated, build, toJSON)
}

// change decodes a request, makes the change it asks for and answers 200
// with what changed.
func change[Req, T, J any](w http.ResponseWriter, r *http.Request, apply func(Req) (T, error), toJSON func(T) J) error {
	return decoded(w, r, http.StatusOK, apply, toJSON)
}

// decoded decodes a request, does it and answers status with the result.
func decoded[Req, T, J any](w http.ResponseWriter, r *http.Request, status int, do func(Req) (T, error), toJSON func(T) J) error {
	var req Req
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := do(req)
	return answer(w, status, v, err, toJSON)
}

// answer writes v as toJSON shapes it with status, unless err.
func answer[T, J any](w http.ResponseWriter, status int, v T, err error, toJSON func(T) J) error {
	if err != nil {
		return err
	}
	writeJSON(w, status, toJSON(v))
	return nil
}

// list answers one page of a list: the page the query asks for, as fetch
// finds it, written as page writes it.
func list[T, J any](w http.ResponseWriter, r *http.Request, name string, fetch func(generia.Page) ([]T, string, error), toJSON func(T) J) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	items, next, err := fetch(pg)
	if err != nil {
		return err
	}
	page(w, name, items, next, toJSON)
	return nil
}

// page writes one page of a list as {<name>: [...], next_cursor, has_more}.
func page[T, J any](w http.ResponseWriter, name string, items []T, next string, toJSON func(T) J) {
	writeJSON(w, http.StatusOK, pageBody(name, items, next, toJSON))
}

// pageBody is a page of items as the API sends it.
func pageBody[T, J any](name string, items []T, next string, toJSON func(T) J) map[string]any {
	out := make([]J, len(items))
	for i, item := range items {
		out[i] = toJSON(item)
	}
	return map[string]any{name: out, "next_cursor": next, "has_more": next != ""}
}
