package httpapi

import (
	"net/http"

	"github.com/generia/generia/internal/ratelimit"
)

// limit wraps a handler with the rule's per-address limit, and for world
// creation also the per-account one.
func (s *Server) limit(rule string, h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		err := s.Limits.Allow(w, r, rule, s.Limits.Address(r))
		if err == nil && rule == ratelimit.Worlds && viewer(r) != "" {
			err = s.Limits.Allow(w, r, ratelimit.WorldsUser, viewer(r))
		}
		if err != nil {
			return err
		}
		return h(w, r)
	}
}
