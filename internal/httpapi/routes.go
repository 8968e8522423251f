package httpapi

import (
	"net/http"

	"github.com/generia/generia/internal/ratelimit"
)

// route is one route of the API.
type route struct {
	method, pattern string
	handler         http.HandlerFunc
}

// routes lists every route of the API, in one place; the OpenAPI document
// (openapi.json) describes exactly these, which a test holds it to.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/api/v1/openapi.json", s.openAPI},

		{"POST", "/api/v1/auth/register", s.limit(ratelimit.Register, s.register)},
		{"POST", "/api/v1/auth/login", s.limit(ratelimit.Login, s.login)},
		{"POST", "/api/v1/auth/refresh", s.refresh},
		{"POST", "/api/v1/auth/logout", s.logout},
		{"GET", "/api/v1/auth/me", s.me},

		{"GET", "/api/v1/worlds", s.listWorlds},
		{"POST", "/api/v1/worlds", s.limit(ratelimit.Worlds, s.createWorld)},
		{"GET", "/api/v1/worlds/{id}", s.getWorld},
		{"DELETE", "/api/v1/worlds/{id}", s.deleteWorld},
		{"GET", "/api/v1/worlds/{id}/status", s.getStatus},
		{"GET", "/api/v1/worlds/{id}/status/stream", s.streamStatus},
		{"POST", "/api/v1/worlds/{id}/cancel", s.cancelWorld},
		{"POST", "/api/v1/worlds/{id}/join", s.joinWorld},
		{"POST", "/api/v1/worlds/{id}/leave", s.leaveWorld},

		{"GET", "/api/v1/worlds/{id}/characters", s.listCharacters},
		{"POST", "/api/v1/worlds/{id}/characters", s.createCharacter},
		{"GET", "/api/v1/worlds/{id}/users/{user_id}/characters", s.userCharacters},
		{"GET", "/api/v1/characters/{id}", s.getCharacter},
		{"GET", "/api/v1/characters/{id}/posts", s.characterPosts},

		{"GET", "/api/v1/worlds/{id}/posts", s.feed},
		{"POST", "/api/v1/worlds/{id}/posts", s.createPost},
		{"GET", "/api/v1/worlds/{id}/posts/{post_id}", s.getPost},
		{"POST", "/api/v1/worlds/{id}/posts/{post_id}/like", s.like},
		{"DELETE", "/api/v1/worlds/{id}/posts/{post_id}/like", s.unlike},
		{"GET", "/api/v1/worlds/{id}/posts/{post_id}/likes", s.likes},
		{"GET", "/api/v1/worlds/{id}/posts/{post_id}/comments", s.comments},
		{"POST", "/api/v1/worlds/{id}/posts/{post_id}/comments", s.addComment},
		{"DELETE", "/api/v1/worlds/{id}/posts/{post_id}/comments/{comment_id}", s.deleteComment},

		{"POST", "/api/v1/worlds/{id}/media", s.upload},
		{"GET", "/api/v1/media/{id}", s.getMedia},
	}
}

// Handler returns the API: every route, with JSON answers for unknown
// routes and methods.
func (s *Server) Handler() http.Handler {
	if s.Limits == nil {
		s.Limits = ratelimit.New(ratelimit.DefaultLoginRate, ratelimit.DefaultRegisterRate, ratelimit.DefaultWorldRate)
	}
	mux := http.NewServeMux()
	paths := map[string][]string{}
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.pattern, s.Metrics.Route(rt.pattern, rt.handler))
		paths[rt.pattern] = append(paths[rt.pattern], rt.method)
	}
	for pattern, methods := range paths {
		mux.HandleFunc(pattern, s.methodNotAllowed(methods))
	}
	mux.HandleFunc("/api/", s.notFound)
	return s.recoverPanics(s.authenticate(mux))
}
