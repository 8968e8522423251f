package httpapi

import (
	"net/http"

	"github.com/generia/generia/internal/bodylimit"
	"github.com/generia/generia/internal/ratelimit"
)

// route is one route of the API.
type route struct {
	method, pattern string
	// body caps the request body, before anything reads it.
	body int64
	// limit is the rate-limit rule a request spends before its handler
	// runs (see ratelimit.Limits.Guard): refused with 429 and Retry-After
	// when spent, given back when the request is refused as invalid.
	limit   string
	handler handler
}

// handler serves one route. An error it returns is answered as the API's
// error body (writeError), so a handler only says what went wrong.
type handler func(w http.ResponseWriter, r *http.Request) error

// Body caps of the routes.
const (
	small  = bodylimit.Small
	upload = bodylimit.Upload
)

// routes lists every route of the API, in one place; the OpenAPI document
// (openapi.json) describes exactly these, which a test holds it to.
func (s *Server) routes() []route {
	return []route{
		{"GET", "/api/v1/openapi.json", small, "", s.openAPI},

		{"POST", "/api/v1/auth/register", small, ratelimit.Register, s.register},
		{"POST", "/api/v1/auth/login", small, "", s.login}, // limited in SignIn
		{"POST", "/api/v1/auth/refresh", small, "", s.refresh},
		{"POST", "/api/v1/auth/logout", small, "", s.logout},
		{"GET", "/api/v1/auth/me", small, "", s.me},

		{"GET", "/api/v1/worlds", small, "", s.listWorlds},
		{"POST", "/api/v1/worlds", small, ratelimit.Worlds, s.createWorld},
		{"GET", "/api/v1/worlds/{id}", small, "", s.getWorld},
		{"PATCH", "/api/v1/worlds/{id}", small, "", s.editWorld},
		{"DELETE", "/api/v1/worlds/{id}", small, "", s.deleteWorld},
		{"GET", "/api/v1/worlds/{id}/status", small, "", s.getStatus},
		{"GET", "/api/v1/worlds/{id}/status/stream", small, ratelimit.Streams, s.streamStatus},
		{"POST", "/api/v1/worlds/{id}/cancel", small, "", s.cancelWorld},
		{"POST", "/api/v1/worlds/{id}/join", small, "", s.joinWorld},
		{"POST", "/api/v1/worlds/{id}/leave", small, "", s.leaveWorld},
		{"GET", "/api/v1/worlds/{id}/events", small, ratelimit.Streams, s.streamEvents},
		{"GET", "/api/v1/worlds/{id}/life", small, "", s.getLife},
		{"POST", "/api/v1/worlds/{id}/life", small, ratelimit.Life, s.setLife},
		{"GET", "/api/v1/worlds/{id}/invitations", small, "", s.listInvitations},
		{"POST", "/api/v1/worlds/{id}/invitations", small, ratelimit.Invitations, s.createInvitation},
		{"DELETE", "/api/v1/worlds/{id}/invitations/{code}", small, "", s.revokeInvitation},
		{"POST", "/api/v1/invitations/{code}/accept", small, ratelimit.Invitations, s.acceptInvitation},
		{"GET", "/api/v1/worlds/{id}/members", small, "", s.members},
		{"DELETE", "/api/v1/worlds/{id}/members/{user_id}", small, "", s.removeMember},
		{"PUT", "/api/v1/worlds/{id}/members/{user_id}/co-owner", small, "", s.makeCoOwner},
		{"DELETE", "/api/v1/worlds/{id}/members/{user_id}/co-owner", small, "", s.unmakeCoOwner},

		{"GET", "/api/v1/worlds/{id}/characters", small, "", s.listCharacters},
		{"POST", "/api/v1/worlds/{id}/characters", small, "", s.createCharacter},
		{"GET", "/api/v1/worlds/{id}/users/{user_id}/characters", small, "", s.userCharacters},
		{"GET", "/api/v1/characters/{id}", small, "", s.getCharacter},
		{"PATCH", "/api/v1/characters/{id}", small, "", s.editCharacter},
		{"DELETE", "/api/v1/characters/{id}", small, "", s.deleteCharacter},
		{"GET", "/api/v1/characters/{id}/posts", small, "", s.characterPosts},
		{"POST", "/api/v1/characters/{id}/follow", small, "", s.follow},
		{"DELETE", "/api/v1/characters/{id}/follow", small, "", s.unfollow},
		{"GET", "/api/v1/home", small, "", s.home},

		{"GET", "/api/v1/worlds/{id}/posts", small, "", s.feed},
		{"POST", "/api/v1/worlds/{id}/posts", small, ratelimit.Posts, s.createPost},
		{"GET", "/api/v1/worlds/{id}/posts/{post_id}", small, "", s.getPost},
		{"PATCH", "/api/v1/worlds/{id}/posts/{post_id}", small, "", s.editPost},
		{"DELETE", "/api/v1/worlds/{id}/posts/{post_id}", small, "", s.deletePost},
		{"POST", "/api/v1/worlds/{id}/posts/{post_id}/like", small, "", s.like},
		{"DELETE", "/api/v1/worlds/{id}/posts/{post_id}/like", small, "", s.unlike},
		{"GET", "/api/v1/worlds/{id}/posts/{post_id}/likes", small, "", s.likes},
		{"GET", "/api/v1/worlds/{id}/posts/{post_id}/comments", small, "", s.comments},
		{"POST", "/api/v1/worlds/{id}/posts/{post_id}/comments", small, ratelimit.Comments, s.addComment},
		{"DELETE", "/api/v1/worlds/{id}/posts/{post_id}/comments/{comment_id}", small, "", s.deleteComment},

		{"POST", "/api/v1/worlds/{id}/media", upload, ratelimit.Uploads, s.upload},
		{"GET", "/api/v1/media/{id}", small, "", s.getMedia},

		{"POST", "/api/v1/reports", small, ratelimit.Reports, s.report},
		{"GET", "/api/v1/me/strikes", small, "", s.myStrikes},
		{"POST", "/api/v1/me/strikes/{id}/appeal", small, "", s.appeal},
		{"GET", "/api/v1/me/events", small, ratelimit.Streams, s.streamAccount},

		{"GET", "/api/v1/notifications", small, "", s.notifications},
		{"GET", "/api/v1/notifications/unread", small, "", s.unreadNotifications},
		{"POST", "/api/v1/notifications/read", small, "", s.markNotificationsRead},
		{"GET", "/api/v1/notifications/settings", small, "", s.notificationSettings},
		{"PUT", "/api/v1/notifications/settings", small, "", s.setNotificationSettings},
		{"POST", "/api/v1/notifications/{id}/accept", small, ratelimit.Invitations, s.acceptInvitedNotification},

		{"GET", "/api/v1/admin/accounts/{id}/ceilings", small, "", s.accountCeilings},
		{"PUT", "/api/v1/admin/accounts/{id}/ceilings", small, "", s.setAccountCeilings},
		{"GET", "/api/v1/admin/cases", small, "", s.listCases},
		{"GET", "/api/v1/admin/cases/{id}", small, "", s.getCase},
		{"POST", "/api/v1/admin/cases/{id}/actions", small, "", s.act},
		{"POST", "/api/v1/admin/strikes/{id}/decision", small, "", s.decideAppeal},
		{"GET", "/api/v1/admin/audit", small, "", s.auditLog},
		{"GET", "/api/v1/admin/spend", small, "", s.spend},
		{"GET", "/api/v1/admin/users", small, "", s.findAccounts},
		{"POST", "/api/v1/admin/users/{id}/roles", small, "", s.grantRole},
	}
}

// Handler returns the API: every route, with JSON answers for unknown
// routes and methods. It panics without s.Limits: an API without rate
// limits is a mistake of its caller.
func (s *Server) Handler() http.Handler {
	if s.Limits == nil {
		panic("httpapi: Server.Limits is required")
	}
	mux := http.NewServeMux()
	paths := map[string][]string{}
	for _, rt := range s.routes() {
		if rt.limit != "" && !s.Limits.Has(rt.limit) {
			panic("httpapi: route " + rt.pattern + " declares an unknown rate limit " + rt.limit)
		}
		mux.Handle(rt.method+" "+rt.pattern, s.Metrics.Route(rt.pattern, bodylimit.Cap(rt.body, s.writeError, s.serve(rt))))
		paths[rt.pattern] = append(paths[rt.pattern], rt.method)
	}
	for pattern, methods := range paths {
		mux.HandleFunc(pattern, s.methodNotAllowed(methods))
	}
	mux.HandleFunc("/api/", s.notFound)
	return s.recoverPanics(s.authenticate(mux))
}
