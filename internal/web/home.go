package web

import (
	"net/http"
	"net/url"

	"github.com/generia/generia/internal/generia"
)

type homeData struct {
	Feed  feedCards
	Paged bool
}

// homeFirst is the page / shows: a signed-in person's home, unless the
// address asks for the catalog (a tab, a search, an order or a page of
// it), as links made before the home did.
func (h *Handler) homeFirst(w http.ResponseWriter, r *http.Request, req request) {
	q := r.URL.Query()
	if !req.viewer.SignedIn() || q.Has("tab") || q.Has("q") || q.Has("sort") || q.Has("cursor") {
		h.catalog(w, r, req)
		return
	}
	h.home(w, r, req)
}

// home is the posts of the worlds the viewer is in and of the characters
// they follow, newest first.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, req request) {
	f, err := h.homePage(r, req.viewer)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := homeData{Feed: f, Paged: r.URL.Query().Get("cursor") != ""}
	h.render(w, r, http.StatusOK, "home", h.newPage(r, req.viewer, "Home", d))
}

// homeFeed is the next page of the home's post cards, for infinite scroll.
func (h *Handler) homeFeed(w http.ResponseWriter, r *http.Request, req request) {
	f, err := h.homePage(r, req.viewer)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderFragment(w, r, "feed_page", f)
}

func (h *Handler) homePage(r *http.Request, v viewer) (feedCards, error) {
	hp, err := h.social.Home(r.Context(), v.ID, generia.Page{Limit: feedPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return feedCards{}, err
	}
	f := feedCards{Posts: hp.Posts, Worlds: hp.Worlds, Viewer: v, Next: hp.Next}
	if hp.Next != "" {
		q := "?" + url.Values{"cursor": {hp.Next}}.Encode()
		f.MoreURL, f.FragmentURL = "/home"+q, "/home/feed"+q
	}
	return f, nil
}

// follow sets whether the viewer follows a character: the form's follow
// field is "1" to follow and "0" to stop, so that posting it twice changes
// nothing.
func (h *Handler) follow(w http.ResponseWriter, r *http.Request, req request) {
	id := r.PathValue("id")
	if err := h.social.Follow(r.Context(), req.viewer.ID, id, r.PostFormValue("follow") != "0"); err != nil {
		h.fail(w, r, err)
		return
	}
	redirectBack(w, r, "/characters/"+url.PathEscape(id))
}
