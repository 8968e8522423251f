package web

import "net/http"

// route is one route of the web UI.
type route struct {
	method, pattern string
	handler         http.HandlerFunc
}

// routes lists every page and form of the web UI, in one place. The forms
// work without JavaScript; the script sends the same actions to the JSON
// API instead, and fetches the fragments (feed, cards) to append.
func (h *Handler) routes() []route {
	return []route{
		{"GET", "/{$}", h.catalog},
		{"GET", "/worlds/cards", h.catalogCards}, // fragment: the next world cards

		{"GET", "/worlds/new", h.newWorld},
		{"POST", "/worlds/new", h.createWorld},

		{"GET", "/worlds/{id}", h.world},
		{"GET", "/worlds/{id}/feed", h.feed}, // fragment: the next post cards
		{"GET", "/worlds/{id}/about", h.about},
		{"POST", "/worlds/{id}/join", h.join},
		{"POST", "/worlds/{id}/leave", h.leave},
		{"POST", "/worlds/{id}/cancel", h.cancel},
		{"POST", "/worlds/{id}/posts", h.createPost},
		{"POST", "/worlds/{id}/characters", h.createCharacter},

		{"GET", "/worlds/{id}/posts/{postID}", h.post},
		{"POST", "/worlds/{id}/posts/{postID}/like", h.like},
		{"POST", "/worlds/{id}/posts/{postID}/comments", h.addComment},
		{"POST", "/worlds/{id}/posts/{postID}/comments/{commentID}/delete", h.deleteComment},

		{"GET", "/characters/{id}", h.character},
		{"GET", "/characters/{id}/posts", h.characterPosts}, // fragment: the next grid items

		{"GET", "/login", h.loginForm},
		{"POST", "/login", h.login},
		{"GET", "/register", h.registerForm},
		{"POST", "/register", h.register},
		{"POST", "/logout", h.logout},
	}
}
