package auth

import (
	"context"
	"crypto/subtle"
	"net/http"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Cookie names of the web UI.
const (
	SessionCookie = "generia_session"
	// CSRFHeader carries a session's CSRF token on the API's unsafe
	// requests from the browser; forms send it as the _csrf field.
	CSRFHeader = "X-CSRF-Token"
	CSRFField  = "_csrf"
)

// SessionTTL is how long a browser stays signed in.
const SessionTTL = 30 * 24 * time.Hour

// SessionStore is what sessions need of the store.
type SessionStore interface {
	CreateSession(ctx context.Context, s generia.Session) error
	SessionByToken(ctx context.Context, tokenHash string, now time.Time) (generia.Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
}

// Sessions signs browsers in with an HttpOnly, SameSite=Lax cookie holding
// a random token; the store keeps only its hash, with the user and a CSRF
// token that forms and scripts must send back on every unsafe request.
type Sessions struct {
	Store SessionStore
	// Secure marks the cookie Secure (serve over HTTPS).
	Secure bool
	Now    func() time.Time
}

func (s *Sessions) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Start signs a user in and sets the cookie.
func (s *Sessions) Start(ctx context.Context, w http.ResponseWriter, userID string) (generia.Session, error) {
	token, hash, err := NewRefreshToken()
	if err != nil {
		return generia.Session{}, err
	}
	csrf, err := RandomSecret(16)
	if err != nil {
		return generia.Session{}, err
	}
	now := s.now()
	sess := generia.Session{TokenHash: hash, UserID: userID, CSRF: csrf, ExpiresAt: now.Add(SessionTTL), CreatedAt: now}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return generia.Session{}, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode,
	})
	return sess, nil
}

// Read returns the request's session; ok is false without a valid one.
func (s *Sessions) Read(r *http.Request) (generia.Session, bool) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return generia.Session{}, false
	}
	sess, err := s.Store.SessionByToken(r.Context(), HashRefreshToken(c.Value), s.now())
	if err != nil {
		return generia.Session{}, false
	}
	return sess, true
}

// End signs the browser out: the session is deleted and the cookie cleared.
func (s *Sessions) End(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		if err := s.Store.DeleteSession(r.Context(), HashRefreshToken(c.Value)); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
	return nil
}

// CheckCSRF verifies the CSRF token an unsafe request made with a session
// sent: the API's in the X-CSRF-Token header, a form's in its _csrf field.
func CheckCSRF(got string, sess generia.Session) error {
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(sess.CSRF)) != 1 {
		return generia.Errorf(generia.KindForbidden, "the request lacks this session's CSRF token; reload the page")
	}
	return nil
}

// Safe reports whether a method changes nothing.
func Safe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}
