package web

import (
	"net/http"
	"net/url"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// relationshipView is a tie to another character, with that character's
// ID when one of that name lives in the world.
type relationshipView struct {
	content.Relationship
	CharacterID string
}

// gridItems is a page of a character's posts as a grid.
type gridItems struct {
	Posts                []generia.Post
	Next                 string
	MoreURL, FragmentURL string
}

type characterData struct {
	View social.CharacterView
	// Detail is the generated profile; nil for people's own characters.
	Detail        *content.CharacterDetail
	Relationships []relationshipView
	Grid          gridItems
	// CanEdit says the character is the viewer's; Edit is its form.
	CanEdit bool
	Edit    editForm
}

func (h *Handler) characterGrid(r *http.Request, v viewer, id string) (gridItems, error) {
	posts, next, err := h.social.CharacterPosts(r.Context(), v.ID, id, generia.Page{Limit: gridPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return gridItems{}, err
	}
	g := gridItems{Posts: posts, Next: next}
	if next != "" {
		q := "?" + url.Values{"cursor": {next}}.Encode()
		g.MoreURL, g.FragmentURL = "/characters/"+url.PathEscape(id)+q, "/characters/"+url.PathEscape(id)+"/posts"+q
	}
	return g, nil
}

// character is a character's profile and their posts.
func (h *Handler) character(w http.ResponseWriter, r *http.Request, req request) {
	h.showCharacter(w, r, req.viewer, http.StatusOK, editForm{})
}

func (h *Handler) showCharacter(w http.ResponseWriter, r *http.Request, v viewer, status int, edit editForm) {
	ctx := r.Context()
	cv, err := h.social.Character(ctx, v.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c := cv.Character
	d := characterData{View: cv, CanEdit: v.SignedIn() && c.OwnerID == v.ID,
		Edit: edit.or(map[string]string{"display_name": c.DisplayName, "bio": c.Bio})}
	if detail, ok, err := content.Profile(cv.Character.Profile); err != nil {
		h.log.Warn("a character's profile does not parse", "character_id", cv.Character.ID, "error", err)
	} else if ok {
		d.Detail = &detail
	}
	if d.Detail != nil && len(d.Detail.Relationships) > 0 {
		chars, err := h.allCharacters(ctx, v.ID, cv.World.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		byName := map[string]string{}
		for _, c := range chars {
			byName[content.NameKey(c.DisplayName)] = c.ID
		}
		for _, rel := range d.Detail.Relationships {
			d.Relationships = append(d.Relationships, relationshipView{Relationship: rel, CharacterID: byName[content.NameKey(rel.Name)]})
		}
	}
	if d.Grid, err = h.characterGrid(r, v, cv.Character.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, status, "character", h.newPage(r, v, cv.Character.DisplayName, d).describe(r, cv.Character.Bio, cv.Character.AvatarMediaID))
}

// characterPosts is the next page of a profile's grid, for "load more".
func (h *Handler) characterPosts(w http.ResponseWriter, r *http.Request, req request) {
	g, err := h.characterGrid(r, req.viewer, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderFragment(w, r, "grid_page", g)
}
