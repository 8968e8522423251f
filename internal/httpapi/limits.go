package httpapi

import (
	"net/http"
)

// limit wraps a handler with the rule's limits (see Limits.AllowFor).
func (s *Server) limit(rule string, h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.Limits.AllowFor(w, r, rule, viewer(r)); err != nil {
			return err
		}
		return h(w, r)
	}
}
