// Package web serves Generia's web UI: server-rendered html/template pages,
// embedded with go:embed, that work without JavaScript, and one small script
// that enhances them (live progress over server-sent events, infinite
// scroll, likes and comments in place) through the JSON API under /api/v1.
//
// Every read and write goes through social.Service, which holds the
// authorization rules; the web UI only adds cookie sessions (auth.Sessions),
// CSRF checks and the rate limits it shares with the API, declared beside
// each route (routes.go).
package web

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/bodylimit"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/httpstatus"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/sse"
)

// Options are the web UI's dependencies.
type Options struct {
	Social   *social.Service
	Sessions *auth.Sessions
	Logger   *slog.Logger
	// WorldBudgetUSD is the most one world may spend (0: no budget), which
	// the create page says.
	WorldBudgetUSD float64
	// Limits rate-limits sign-in, registration and world creation, in the
	// same buckets as the API.
	Limits *ratelimit.Limits
	// Streams holds the open live streams of HTTP/1.x readers, off
	// net/http (nil: sse.Shared); the caller closes it after the server.
	Streams *sse.Pool
}

// Handler serves the web UI. Mount it at "/" next to the JSON API at
// "/api/": it answers every other path, with a friendly 404 page for the
// unknown ones.
type Handler struct {
	social   *social.Service
	sessions *auth.Sessions
	log      *slog.Logger
	budget   float64
	views    *views
	mux      *http.ServeMux
	limits   *ratelimit.Limits
	now      func() time.Time
	// pages keeps the pages visitors get of the most read route, a world's
	// feed.
	pages pageCache
	// streams holds the live streams taken off net/http.
	streams *sse.Pool
}

// New returns the web UI. It fails when a dependency is missing or the
// embedded templates do not parse.
func New(o Options) (*Handler, error) {
	if o.Social == nil || o.Sessions == nil || o.Limits == nil {
		return nil, errors.New("web: Social, Sessions and Limits are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Handler{social: o.Social, sessions: o.Sessions, log: o.Logger, budget: o.WorldBudgetUSD, limits: o.Limits, now: time.Now, streams: o.Streams}
	if h.streams == nil {
		h.streams = sse.Shared
	}
	var err error
	if h.views, err = parseViews(h.funcs()); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	h.mux = http.NewServeMux()
	for _, rt := range h.routes() {
		if rt.limit != "" && !h.limits.Has(rt.limit) {
			return nil, fmt.Errorf("web: route %s declares an unknown rate limit %s", rt.pattern, rt.limit)
		}
		h.mux.Handle(rt.method+" "+rt.pattern, h.serve(rt))
	}
	h.mux.Handle("GET /static/", staticHandler())
	h.mux.HandleFunc("/", h.notFound)
	return h, nil
}

// ServeHTTP serves a request with the UI's security headers, turning a
// panic into the 500 page.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.fail(w, r, fmt.Errorf("panic: %v", v))
		}
	}()
	h.mux.ServeHTTP(w, r)
}

// parseForm reads a posted form, under its route's body cap, before the
// handler looks at any field: a form over the cap is a 413 page, one that
// does not parse a 400 page. File parts above 1 MB wait in a temporary file.
func (h *Handler) parseForm(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next(w, r)
			return
		}
		var err error
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
			err = r.ParseMultipartForm(1 << 20)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			if tooLarge, ok := bodylimit.Is(err); ok {
				h.fail(w, r, tooLarge)
				return
			}
			h.fail(w, r, generia.WrapError(generia.KindInvalid, err, "the form could not be read; send it again"))
			return
		}
		next(w, r)
	}
}

// viewer is the signed-in person of a request; the zero value is a visitor.
type viewer struct {
	ID       string
	Username string
	// CSRF is the session's token, sent back by forms and scripts.
	CSRF string
	// Role is their role in moderation (generia.Role*), which shows the
	// console's link; the service decides what they may do.
	Role string
}

// SignedIn reports whether the request has a session.
func (v viewer) SignedIn() bool { return v.ID != "" }

// Staff reports whether the viewer moderates: a moderator or an admin.
func (v viewer) Staff() bool { return v.Role == generia.RoleModerator || v.Role == generia.RoleAdmin }

// Admin reports whether the viewer is an admin.
func (v viewer) Admin() bool { return v.Role == generia.RoleAdmin }

// viewerOf reads the request's session. A session whose account no longer
// exists counts as none.
func (h *Handler) viewerOf(r *http.Request) viewer {
	sess, ok := h.sessions.Read(r)
	if !ok {
		return viewer{}
	}
	u, err := h.social.User(r.Context(), sess.UserID)
	if err != nil {
		if !generia.IsKind(err, generia.KindNotFound) && !httpstatus.ClientGone(r, err) {
			h.log.Error("reading the signed-in account", "user_id", sess.UserID, "error", err)
		}
		return viewer{}
	}
	role := u.Role
	if u.Username == social.OperatorUsername {
		role = generia.RoleAdmin // the operator outranks admins: the console is theirs
	}
	return viewer{ID: u.ID, Username: u.Username, CSRF: sess.CSRF, Role: role}
}

// page is what every page template gets: the layout's fields and the
// page's own data.
type page struct {
	Title  string
	Viewer viewer
	// Path is the page's local URL, where sign-in returns to; empty on the
	// sign-in pages themselves.
	Path string
	// Assets versions the static files' URLs.
	Assets string
	// Unread is the signed-in person's count of unread notifications, on
	// the header's bell; 0 for a visitor, whose pages may be kept and
	// shared (pageCache).
	Unread int
	Data   any
	// Description says what the page shows, for search engines and link
	// previews; Image is the absolute URL of its preview image, if any;
	// URL its own absolute URL.
	Description, Image, URL string
}

// siteDescription describes pages that say nothing of their own.
const siteDescription = "Generia: social networks of worlds that AI writes, paints and fills with characters who post, comment and answer you."

func (h *Handler) newPage(r *http.Request, v viewer, title string, data any) page {
	return page{Title: title, Viewer: v, Path: r.URL.RequestURI(), Assets: assetVersion, Data: data, Unread: h.unread(r, v),
		Description: siteDescription, URL: origin(r) + r.URL.RequestURI()}
}

// describe gives the page a description (cut to a preview's length) and a
// preview image, a media ID.
func (p page) describe(r *http.Request, text, mediaID string) page {
	if text = strings.Join(strings.Fields(text), " "); text != "" {
		p.Description = truncate(text, 160)
	}
	if mediaID != "" {
		p.Image = origin(r) + mediaURL(mediaID)
	}
	return p
}

// origin is the scheme and host the request came to, for the absolute URLs
// that link previews need.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// render writes a page. It renders into a buffer first, so that a template
// error gives a clean 500 page rather than half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	body, err := h.renderBytes(name, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeHTML(w, status, body)
}

// renderBytes renders a page into bytes.
func (h *Handler) renderBytes(name string, p page) ([]byte, error) {
	var buf bytes.Buffer
	if err := h.views.page(&buf, name, p); err != nil {
		return nil, fmt.Errorf("rendering %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// renderFragment writes a named template on its own: the cards that
// infinite scroll and "load more" append.
func (h *Handler) renderFragment(w http.ResponseWriter, r *http.Request, name string, data any) {
	var buf bytes.Buffer
	if err := h.views.fragment(&buf, name, data); err != nil {
		h.fail(w, r, fmt.Errorf("rendering %s: %w", name, err))
		return
	}
	writeHTML(w, http.StatusOK, buf.Bytes())
}

func writeHTML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// errorPage is the data of the error page.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// fail answers a request that went wrong; the one place that says what the
// browser sees of an error kind, with its status from httpstatus. A visitor
// who must sign in is sent to the sign-in page and back; a missing (or
// private) thing is a 404 page; input errors that no form could show are a
// 400 page with the reason; anything else is logged with its full chain and
// is a 500 page.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	kind := generia.ErrorKind(err)
	if kind == generia.KindUnauthorized {
		ratelimit.Refused(w) // refused, though answered by a redirect: it spends no limit
		http.Redirect(w, r, loginURL(returnPath(r)), http.StatusSeeOther)
		return
	}
	e := errorPage{Status: httpstatus.Of(kind), Heading: "That did not work", Message: message(err)}
	switch kind {
	case generia.KindNotFound:
		e.Heading, e.Message = "Nothing here", "This page does not exist, or it belongs to a private world you are not part of."
	case generia.KindForbidden:
		e.Heading = "Not allowed"
	case generia.KindLimit:
		e.Heading = "Limit reached"
	case generia.KindTooLarge:
		e.Heading = "Too large"
	case generia.KindRefused:
		e.Heading = "Not published"
	case generia.KindUnavailable:
		e.Heading, e.Message = "Temporarily unavailable", "A service Generia needs is not answering. Try again in a moment."
	case generia.KindInvalid, generia.KindConflict, generia.KindStopped:
	default:
		e.Heading, e.Message = "Something went wrong", "We could not show this page. Try again in a moment; if it keeps happening, the server's log says why."
	}
	switch {
	case httpstatus.ClientGone(r, err):
		h.log.Debug("web request ended: the client went away", "method", r.Method, "path", r.URL.Path, "error", err)
		return // nobody to show a page to
	case e.Status >= 500:
		h.log.Error("web request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	var buf bytes.Buffer
	v := h.viewerOf(r)
	p := page{Title: e.Heading, Viewer: v, Path: r.URL.RequestURI(), Assets: assetVersion, Data: e, Unread: h.unread(r, v)}
	if rerr := h.views.page(&buf, "error", p); rerr != nil {
		h.log.Error("rendering the error page", "error", rerr)
		http.Error(w, e.Heading, e.Status)
		return
	}
	writeHTML(w, e.Status, buf.Bytes())
}

// isFormError reports whether an error is about what the person typed or
// chose, so the form is shown again with the message.
func isFormError(err error) bool {
	switch generia.ErrorKind(err) {
	case generia.KindInvalid, generia.KindConflict, generia.KindLimit, generia.KindStopped, generia.KindForbidden, generia.KindTooLarge,
		generia.KindRefused:
		return true
	}
	return false
}

// formStatus is the HTTP status of a form shown again after an error.
func formStatus(err error) int { return httpstatus.Of(generia.ErrorKind(err)) }

func (h *Handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, generia.Errorf(generia.KindNotFound, "no page %s", r.URL.Path))
}

// checkCSRF verifies the CSRF token of a form posted with a session (see
// Handler.serve). A visitor has no session to protect, so the action that
// follows refuses them as it should (sign in first).
func (h *Handler) checkCSRF(r *http.Request, v viewer) error {
	if !v.SignedIn() {
		return nil
	}
	return auth.CheckCSRF(r.PostFormValue(auth.CSRFField), generia.Session{UserID: v.ID, CSRF: v.CSRF})
}

// localPath returns p, normalised, when it is a path on this site, else
// "". Browsers read a backslash as a slash and drop tabs and newlines, and
// http.Redirect cleans the path it is given, so "/./\evil.example" would
// reach the browser as "/\evil.example", that is "//evil.example", another
// site. So the path is judged as it will be sent: cleaned, and also
// percent-decoded (twice, for what a proxy may decode again); anything
// with a backslash, a control character, a scheme, a host or a leading
// "//" in any of these forms is refused.
func localPath(p string) string {
	if p == "" || p[0] != '/' || strings.HasPrefix(p, "//") || unsafeInPath(p) {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return ""
	}
	twice, err := url.PathUnescape(u.Path)
	for _, d := range []string{u.Path, twice} {
		if err != nil || unsafeInPath(d) || strings.HasPrefix(d, "//") {
			return ""
		}
	}
	clean := path.Clean(u.Path)
	if strings.HasSuffix(u.Path, "/") && clean != "/" {
		clean += "/"
	}
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return ""
	}
	out := (&url.URL{Path: clean, RawQuery: u.RawQuery}).String()
	if strings.HasPrefix(out, "//") || unsafeInPath(out) {
		return ""
	}
	return out
}

// unsafeInPath reports a backslash or a control character, which a
// browser may read as a slash or drop.
func unsafeInPath(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r == '\\' || r < 0x20 || r == 0x7f || unicode.IsControl(r) })
}

// returnPath is where a person goes back to after signing in: the page
// itself for a GET, else the page the form was on.
func returnPath(r *http.Request) string {
	if auth.Safe(r.Method) {
		return r.URL.RequestURI()
	}
	return backPath(r, "/")
}

// backPath is the local page a form was posted from (its Referer), or
// fallback.
func backPath(r *http.Request, fallback string) string {
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || ref.Path == "" {
		return fallback
	}
	if p := localPath(ref.RequestURI()); p != "" {
		return p
	}
	return fallback
}

func loginURL(next string) string {
	if next == "" || next == "/" {
		return "/login"
	}
	return "/login?" + url.Values{"next": {next}}.Encode()
}

// redirectBack answers a successful form post with a redirect (303) to the
// page it came from, or to fallback.
func redirectBack(w http.ResponseWriter, r *http.Request, fallback string) {
	http.Redirect(w, r, backPath(r, fallback), http.StatusSeeOther)
}
