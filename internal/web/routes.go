package web

import (
	"net/http"

	"github.com/generia/generia/internal/bodylimit"
)

// route is one route of the web UI.
type route struct {
	method, pattern string
	// body caps the request body, before anything reads it: a form's
	// fields, or a form with an image.
	body    int64
	handler http.HandlerFunc
}

// Body caps of the routes.
const (
	small  = bodylimit.Small
	upload = bodylimit.Upload
)

// routes lists every page and form of the web UI, in one place. The forms
// work without JavaScript; the script sends the same actions to the JSON
// API instead, and fetches the fragments (feed, cards) to append.
func (h *Handler) routes() []route {
	return []route{
		{"GET", "/{$}", small, h.catalog},
		{"GET", "/worlds/cards", small, h.catalogCards}, // fragment: the next world cards

		{"GET", "/worlds/new", small, h.newWorld},
		{"POST", "/worlds/new", small, h.createWorld},

		{"GET", "/worlds/{id}", small, h.world},
		{"GET", "/worlds/{id}/feed", small, h.feed}, // fragment: the next post cards
		{"GET", "/worlds/{id}/about", small, h.about},
		{"POST", "/worlds/{id}/join", small, h.join},
		{"POST", "/worlds/{id}/leave", small, h.leave},
		{"POST", "/worlds/{id}/cancel", small, h.cancel},
		{"POST", "/worlds/{id}/posts", upload, h.createPost},
		{"POST", "/worlds/{id}/characters", upload, h.createCharacter},

		{"GET", "/worlds/{id}/posts/{postID}", small, h.post},
		{"POST", "/worlds/{id}/posts/{postID}/like", small, h.like},
		{"POST", "/worlds/{id}/posts/{postID}/comments", small, h.addComment},
		{"POST", "/worlds/{id}/posts/{postID}/comments/{commentID}/delete", small, h.deleteComment},

		{"GET", "/characters/{id}", small, h.character},
		{"GET", "/characters/{id}/posts", small, h.characterPosts}, // fragment: the next grid items

		{"GET", "/login", small, h.loginForm},
		{"POST", "/login", small, h.login},
		{"GET", "/register", small, h.registerForm},
		{"POST", "/register", small, h.register},
		{"POST", "/logout", small, h.logout},
	}
}
