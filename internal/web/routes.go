package web

import (
	"net/http"

	"github.com/generia/generia/internal/bodylimit"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/ratelimit"
)

// route is one route of the web UI: what it needs is declared here, and
// given to the handler before it runs (see Handler.serve).
type route struct {
	method, pattern string
	// body caps the request body, before anything reads it: a form's
	// fields, or a form with an image.
	body int64
	// who may send it.
	who access
	// limit is the rate-limit rule a request spends before its handler
	// runs: per address, and for the costly writes per account too. Over
	// it, the router answers the refusal (429, Retry-After) and the
	// handler does not run; a request the handler refuses (a 4xx, a
	// visitor sent to sign in) spends nothing (ratelimit.Limits.Guard).
	limit   string
	handler handlerFunc
}

// handlerFunc serves a request with what its route declared.
type handlerFunc func(w http.ResponseWriter, r *http.Request, req request)

// request is what a handler gets besides the HTTP request.
type request struct {
	// viewer is the signed-in person; the zero value is a visitor.
	viewer viewer
	// refused says why a sign-in form's token was refused before its
	// handler ran; the handler shows the form again, renewed, with it. (A
	// route's rate limit is refused by the router: its handler never runs
	// then.)
	refused error
}

// access says who may send a route's requests.
type access int

const (
	// anyone: a visitor gets the page as a visitor; a signed-in person's
	// forms carry their session's CSRF token.
	anyone access = iota
	// signedIn: a visitor is sent to sign in first, and back.
	signedIn
	// signInForm: the sign-in and registration forms, which carry a token
	// double-submitted in a cookie instead of a session's.
	signInForm
)

// errSignIn sends a visitor to sign in (see Handler.fail).
var errSignIn = generia.Errorf(generia.KindUnauthorized, "sign in first")

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
		{"GET", "/{$}", small, anyone, "", h.homeFirst}, // a person's home, a visitor's catalog
		{"GET", "/explore", small, anyone, "", h.catalog},
		{"GET", "/home", small, signedIn, "", h.home},
		{"GET", "/home/feed", small, signedIn, "", h.homeFeed},      // fragment: the next post cards
		{"GET", "/worlds/cards", small, anyone, "", h.catalogCards}, // fragment: the next world cards

		{"GET", "/worlds/new", small, signedIn, "", h.newWorld},
		{"POST", "/worlds/new", small, signedIn, ratelimit.Worlds, h.createWorld},

		{"GET", "/worlds/{id}", small, anyone, "", h.world},
		{"GET", "/worlds/{id}/feed", small, anyone, "", h.feed},                // fragment: the next post cards
		{"GET", "/worlds/{id}/live", small, anyone, ratelimit.Streams, h.live}, // server-sent events: what is new
		{"GET", "/worlds/{id}/tags/{tag}", small, anyone, "", h.tag},
		{"GET", "/worlds/{id}/at/{username}", small, anyone, "", h.mentioned}, // an @mention's link
		{"GET", "/worlds/{id}/about", small, anyone, "", h.about},
		{"POST", "/worlds/{id}/join", small, anyone, "", h.join},
		{"POST", "/worlds/{id}/leave", small, anyone, "", h.leave},
		{"POST", "/worlds/{id}/cancel", small, anyone, "", h.cancel},
		{"POST", "/worlds/{id}/delete", small, signedIn, "", h.deleteWorld},
		{"POST", "/worlds/{id}/edit", small, signedIn, "", h.editWorld},
		{"POST", "/worlds/{id}/life", small, signedIn, ratelimit.Life, h.setLife},
		{"POST", "/worlds/{id}/posts", upload, signedIn, ratelimit.Posts, h.createPost},
		{"POST", "/worlds/{id}/characters", upload, signedIn, ratelimit.Uploads, h.createCharacter},
		{"GET", "/worlds/{id}/members", small, signedIn, "", h.members}, // the owner's invitations and members
		{"POST", "/worlds/{id}/invitations", small, signedIn, ratelimit.Invitations, h.createInvitation},
		{"POST", "/worlds/{id}/invitations/{invitationID}/revoke", small, signedIn, "", h.revokeInvitation},
		{"POST", "/worlds/{id}/members/{userID}/remove", small, signedIn, "", h.removeMember},
		{"POST", "/worlds/{id}/members/{userID}/co-owner", small, signedIn, "", h.setCoOwner},
		{"GET", "/invite/{code}", small, signedIn, "", h.invite},
		{"POST", "/invite/{code}", small, signedIn, ratelimit.Invitations, h.acceptInvitation},

		{"GET", "/worlds/{id}/posts/{postID}", small, anyone, "", h.post},
		{"POST", "/worlds/{id}/posts/{postID}/like", small, anyone, "", h.like},
		{"POST", "/worlds/{id}/posts/{postID}/delete", small, signedIn, "", h.deletePost},
		{"POST", "/worlds/{id}/posts/{postID}/edit", small, signedIn, "", h.editPost},
		{"POST", "/worlds/{id}/posts/{postID}/comments", small, anyone, ratelimit.Comments, h.addComment},
		{"POST", "/worlds/{id}/posts/{postID}/comments/{commentID}/delete", small, anyone, "", h.deleteComment},

		{"GET", "/characters/{id}", small, anyone, "", h.character},
		{"POST", "/characters/{id}/edit", small, signedIn, "", h.editCharacter},
		{"POST", "/characters/{id}/delete", small, signedIn, "", h.deleteCharacter},
		{"POST", "/characters/{id}/follow", small, signedIn, "", h.follow},
		{"GET", "/characters/{id}/posts", small, anyone, "", h.characterPosts}, // fragment: the next grid items

		{"GET", "/notifications", small, signedIn, "", h.notifications},
		{"GET", "/notifications/items", small, signedIn, "", h.notificationItemsPage}, // fragment: the next notifications
		{"POST", "/notifications/read", small, signedIn, "", h.markRead},
		{"POST", "/notifications/settings", small, signedIn, "", h.setNotificationSettings},
		{"GET", "/notifications/{id}/accept", small, signedIn, "", h.invited}, // an invitation's notification links here
		{"POST", "/notifications/{id}/accept", small, signedIn, ratelimit.Invitations, h.acceptInvited},
		{"GET", "/account/live", small, signedIn, ratelimit.Streams, h.accountLive}, // server-sent events: the bell's notifications

		{"POST", "/report", small, signedIn, ratelimit.Reports, h.report},
		{"GET", "/account/strikes", small, signedIn, "", h.strikes},
		{"POST", "/account/strikes/{id}/appeal", small, signedIn, "", h.appeal},

		// The operator's console: the service refuses all but moderators
		// and admins (a 403 page).
		{"GET", "/admin", small, signedIn, "", h.adminQueue},
		{"GET", "/admin/cases/{id}", small, signedIn, "", h.adminCase},
		{"POST", "/admin/cases/{id}/actions", small, signedIn, "", h.adminAct},
		{"POST", "/admin/strikes/{id}/decision", small, signedIn, "", h.adminDecide},
		{"GET", "/admin/people", small, signedIn, "", h.adminPeople},
		{"POST", "/admin/people/{id}/role", small, signedIn, "", h.adminRole},
		{"GET", "/admin/audit", small, signedIn, "", h.adminAudit},
		{"GET", "/admin/spend", small, signedIn, "", h.adminSpend},

		{"GET", "/login", small, anyone, "", h.loginForm},
		{"POST", "/login", small, signInForm, "", h.login}, // limited in ratelimit.Limits.SignIn
		{"GET", "/register", small, anyone, "", h.registerForm},
		{"POST", "/register", small, signInForm, ratelimit.Register, h.register},
		{"POST", "/logout", small, anyone, "", h.logout},
	}
}

// serve is a route's handler with what the route declares done first: its
// body capped and its form read, its viewer found, a visitor sent to sign
// in where the route needs a person, the form's token checked, its rate
// limit spent (and refused here, never by the handler).
func (h *Handler) serve(rt route) http.Handler {
	return bodylimit.Cap(rt.body, h.fail, h.parseForm(func(w http.ResponseWriter, r *http.Request) {
		req := request{viewer: h.viewerOf(r)}
		v := req.viewer
		switch {
		case rt.who == signedIn && !v.SignedIn():
			h.fail(w, r, errSignIn) // to the sign-in page, and back
			return
		case rt.who == signInForm:
			req.refused = checkFormToken(r)
		case r.Method == http.MethodPost:
			if err := h.checkCSRF(r, v); err != nil {
				h.fail(w, r, err)
				return
			}
		}
		if req.refused != nil || rt.limit == "" {
			rt.handler(w, r, req)
			return
		}
		h.limits.Guard(w, r, rt.limit, v.ID,
			func(err error) { h.fail(w, r, err) },
			func(w http.ResponseWriter) { rt.handler(w, r, req) })
	}))
}
