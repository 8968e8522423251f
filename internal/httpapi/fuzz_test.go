package httpapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/localtest"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/socialtest"
)

// api is the JSON API over an in-memory SQLite store, with ada signed in
// and a world of hers that she belongs to.
type api struct {
	srv *httptest.Server
	// handler is the API itself, to serve requests without the network.
	handler http.Handler
	token   string
	world   string
	server  *Server
}

func newAPI(tb testing.TB) *api {
	tb.Helper()
	// Limits high enough that every body reaches its decoder.
	plenty := ratelimit.Rate{N: 1 << 30, Period: time.Second}
	limits := ratelimit.New(nil, plenty, plenty, plenty)
	for _, rule := range []string{ratelimit.Comments, ratelimit.Posts, ratelimit.Uploads, ratelimit.Life, ratelimit.Streams} {
		limits.Set(rule, plenty)
	}
	return newAPIWith(tb, limits)
}

// newAPIWith is newAPI under the given limits.
func newAPIWith(tb testing.TB, limits *ratelimit.Limits) *api {
	tb.Helper()
	return newAPILogged(tb, limits, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// newAPILogged is newAPIWith logging to logger.
func newAPILogged(tb testing.TB, limits *ratelimit.Limits, logger *slog.Logger) *api {
	tb.Helper()
	store := localtest.Store(tb, ":memory:")
	tokens, err := auth.NewTokens([]byte(strings.Repeat("k", 32)), store)
	if err != nil {
		tb.Fatal(err)
	}
	svc, _ := socialtest.Service(store, localtest.Media(tb, tb.TempDir()))
	s := &Server{Social: svc, Tokens: tokens, Sessions: &auth.Sessions{Store: store},
		Logger: logger, Limits: limits}
	h := s.Handler()
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	a := &api{srv: srv, handler: h}
	var session struct{ Token string }
	if code := a.call(tb, "POST", "/api/v1/auth/register", `{"username":"ada","email":"ada@example.com","password":"correct horse battery"}`, &session); code != 201 {
		tb.Fatalf("register: HTTP %d", code)
	}
	a.token = session.Token
	var w struct{ ID string }
	if code := a.call(tb, "POST", "/api/v1/worlds", `{"prompt":"A harbour","characters_count":1,"posts_count":1}`, &w); code != 201 {
		tb.Fatalf("create world: HTTP %d", code)
	}
	a.world = w.ID
	a.server = s
	return a
}

// newAPIServer is newAPI, with its server.
func newAPIServer(tb testing.TB) (*api, *Server) {
	tb.Helper()
	a := newAPI(tb)
	return a, a.server
}

func (a *api) call(tb testing.TB, method, path, body string, out any) int {
	tb.Helper()
	req, err := http.NewRequest(method, a.srv.URL+path, strings.NewReader(body))
	if err != nil {
		return 400 // a path the fuzzer made that is no URL: no request to send
	}
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = decodeJSON(resp.Body, out)
	}
	return resp.StatusCode
}

// bodyRoutes are the routes that read a JSON body.
var bodyRoutes = []string{
	"/api/v1/auth/register", "/api/v1/auth/login", "/api/v1/auth/refresh", "/api/v1/auth/logout",
	"/api/v1/worlds", "/api/v1/worlds/{id}/characters", "/api/v1/worlds/{id}/posts",
	"/api/v1/worlds/{id}/posts/{post}/comments", "/api/v1/reports", "/api/v1/me/strikes/{post}/appeal",
	"/api/v1/worlds/{id}/invitations", "/api/v1/notifications/read",
}

// Every JSON body the API takes, however mangled, gets a 2xx or a 4xx:
// never a 5xx, never a panic.
func FuzzJSONBodies(f *testing.F) {
	for _, seed := range []string{
		`{"username":"bob","email":"bob@example.com","password":"correct horse battery"}`,
		`{"email_or_username":"ada","password":"correct horse battery"}`,
		`{"refresh_token":"x"}`,
		`{"prompt":"A harbour","characters_count":3,"posts_count":10,"visibility":"private","name":"Tide"}`,
		`{"username":"ada_w","display_name":"Ada","bio":"Hi","avatar_media_id":"m1"}`,
		`{"character_id":"c1","caption":"Storm #tide","media_id":"m1","hashtags":["tide"]}`,
		`{"text":"Lovely"}`,
		`{"subject_type":"world","subject_id":"x","reason":"other","note":"Why"}`,
		`{"expires_in_hours":24,"max_uses":3}`, `{"ids":["n1"]}`, `{"all":true}`,
		``, `null`, `[]`, `{`, `{"prompt":1e999}`, `{"characters_count":-1}`, "\xff\xfe", `{"a":` + strings.Repeat("[", 10000),
	} {
		for i := range bodyRoutes {
			f.Add(uint8(i), seed)
		}
	}
	a := newAPI(f)
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		path := strings.NewReplacer("{id}", a.world, "{post}", "p1").Replace(bodyRoutes[int(route)%len(bodyRoutes)])
		if code := a.call(t, "POST", path, body, nil); code >= 500 {
			t.Errorf("POST %s %q: HTTP %d", path, body, code)
		}
	})
}

func decodeJSON(r io.Reader, out any) error { return json.NewDecoder(r).Decode(out) }
