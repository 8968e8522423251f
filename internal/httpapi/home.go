package httpapi

import (
	"net/http"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
)

func (s *Server) follow(w http.ResponseWriter, r *http.Request) error { return s.setFollow(w, r, true) }
func (s *Server) unfollow(w http.ResponseWriter, r *http.Request) error {
	return s.setFollow(w, r, false)
}

func (s *Server) setFollow(w http.ResponseWriter, r *http.Request, follow bool) error {
	if err := s.Social.Follow(r.Context(), viewer(r), r.PathValue("id"), follow); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "following": follow})
	return nil
}

// home answers a page of the viewer's home feed, each post with its
// world's name.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	pg, err := pageOf(r)
	if err != nil {
		return err
	}
	h, err := s.Social.Home(r.Context(), viewer(r), pg)
	if err != nil {
		return err
	}
	page(w, "posts", h.Posts, h.Next, func(p generia.Post) apiv1.Post {
		out := toPost(p)
		out.WorldName = h.Worlds[p.WorldID].Name
		return out
	})
	return nil
}
