package httpapi

import "net/http"

// Handler returns the API with every route.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /{$}", s.index)

	mux.HandleFunc("POST /api/v1/auth/register", s.register)
	mux.HandleFunc("POST /api/v1/auth/login", s.login)
	mux.HandleFunc("POST /api/v1/auth/refresh", s.refresh)
	mux.HandleFunc("GET /api/v1/auth/me", s.requireUser(s.me))

	mux.HandleFunc("POST /api/v1/worlds", s.requireUser(s.createWorld))
	mux.HandleFunc("GET /api/v1/worlds", s.listWorlds)
	mux.HandleFunc("GET /api/v1/worlds/{id}", s.getWorld)
	mux.HandleFunc("GET /api/v1/worlds/{id}/status", s.getStatus)
	mux.HandleFunc("GET /api/v1/worlds/{id}/status/stream", s.streamStatus)
	mux.HandleFunc("POST /api/v1/worlds/{id}/cancel", s.requireUser(s.cancelWorld))
	mux.HandleFunc("GET /api/v1/worlds/{id}/characters", s.listCharacters)
	mux.HandleFunc("GET /api/v1/worlds/{id}/posts", s.listPosts)

	mux.HandleFunc("GET /api/v1/media/{id}", s.getMedia)

	mux.HandleFunc("/api/", s.notFound)
	return s.recoverPanics(s.authenticate(mux))
}
