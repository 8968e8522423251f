package httpapi

import (
	"net/http"
)

// serve runs a route's handler under its declared rate limit, and answers
// the error it returns. The limit is spent here, by the router, so that no
// handler can forget it: a request over it is answered 429 with
// Retry-After and its handler does not run; one its handler refuses with a
// client error gets its tokens back (see ratelimit.Limits.Guard).
func (s *Server) serve(rt route) http.HandlerFunc {
	run := func(w http.ResponseWriter, r *http.Request) {
		if err := rt.handler(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
	if rt.limit == "" {
		return run
	}
	return func(w http.ResponseWriter, r *http.Request) {
		s.Limits.Guard(w, r, rt.limit, viewer(r),
			func(err error) { s.writeError(w, r, err) },
			func(w http.ResponseWriter) { run(w, r) })
	}
}
