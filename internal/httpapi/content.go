package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/generia/generia/internal/generia"
)

type characterJSON struct {
	ID            string          `json:"id"`
	WorldID       string          `json:"world_id"`
	Username      string          `json:"username"`
	DisplayName   string          `json:"display_name"`
	Bio           string          `json:"bio"`
	AvatarMediaID string          `json:"avatar_media_id,omitempty"`
	IsAI          bool            `json:"is_ai"`
	Profile       json.RawMessage `json:"profile"`
	CreatedAt     time.Time       `json:"created_at"`
}

func toCharacterJSON(c generia.Character) characterJSON {
	profile := c.Profile
	if len(profile) == 0 {
		profile = json.RawMessage("null")
	}
	return characterJSON{ID: c.ID, WorldID: c.WorldID, Username: c.Username, DisplayName: c.DisplayName, Bio: c.Bio,
		AvatarMediaID: c.AvatarMediaID, IsAI: c.IsAI(), Profile: profile, CreatedAt: c.CreatedAt}
}

type postJSON struct {
	ID            string    `json:"id"`
	WorldID       string    `json:"world_id"`
	CharacterID   string    `json:"character_id"`
	Username      string    `json:"username"`
	DisplayName   string    `json:"display_name"`
	AvatarMediaID string    `json:"avatar_media_id,omitempty"`
	Caption       string    `json:"caption"`
	Hashtags      []string  `json:"hashtags"`
	MediaID       string    `json:"media_id"`
	CreatedAt     time.Time `json:"created_at"`
}

func toPostJSON(p generia.Post) postJSON {
	tags := p.Hashtags
	if tags == nil {
		tags = []string{}
	}
	return postJSON{ID: p.ID, WorldID: p.WorldID, CharacterID: p.CharacterID, Username: p.Username, DisplayName: p.DisplayName,
		AvatarMediaID: p.AvatarMediaID, Caption: p.Caption, Hashtags: tags, MediaID: p.MediaID, CreatedAt: p.CreatedAt}
}

func (s *Server) listCharacters(w http.ResponseWriter, r *http.Request) {
	listInWorld(s, w, r, "characters", s.Store.ListCharacters, toCharacterJSON)
}

func (s *Server) listPosts(w http.ResponseWriter, r *http.Request) {
	listInWorld(s, w, r, "posts", s.Store.ListPosts, toPostJSON)
}

// listInWorld answers one page of a list in a world the requester may see,
// as {<name>: [...], next_cursor, has_more}.
func listInWorld[T, J any](s *Server, w http.ResponseWriter, r *http.Request, name string,
	list func(context.Context, string, generia.Page) ([]T, string, error), toJSON func(T) J) {
	world, err := s.world(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	page, err := pageOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	items, next, err := list(r.Context(), world.ID, page)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]J, len(items))
	for i, item := range items {
		out[i] = toJSON(item)
	}
	writeJSON(w, http.StatusOK, map[string]any{name: out, "next_cursor": next, "has_more": next != ""})
}

// getMedia serves an image's bytes. Media never change once stored, so they
// are cached for long.
func (s *Server) getMedia(w http.ResponseWriter, r *http.Request) {
	m, err := s.Store.Media(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	world, err := s.Store.World(r.Context(), m.WorldID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if world.Visibility == generia.VisibilityPrivate && world.OwnerID != userID(r) {
		s.writeError(w, r, generia.Errorf(generia.KindNotFound, "media %s not found", m.ID))
		return
	}
	etag := `"` + m.ID + `"`
	w.Header().Set("ETag", etag)
	cache := "public, max-age=31536000, immutable"
	if world.Visibility == generia.VisibilityPrivate {
		cache = "private, max-age=31536000, immutable"
	}
	w.Header().Set("Cache-Control", cache)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, err := s.Media.Open(r.Context(), m.ObjectKey)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer body.Close()
	w.Header().Set("Content-Type", m.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(m.Size, 10))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = io.Copy(w, body)
	}
}
