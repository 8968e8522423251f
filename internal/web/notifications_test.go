package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// answer has cy comment on a post and who reply to it, which tells cy; it
// returns cy's comment and the reply.
func answer(t *testing.T, f *fixture, post string, who ...generia.User) (generia.Comment, []generia.Comment) {
	t.Helper()
	asked, err := f.social.AddComment(t.Context(), f.cy.ID, "tidewater", post, social.NewComment{Text: "Anyone seen the ferry?"})
	f.ok(err, "cy comments")
	var replies []generia.Comment
	for _, u := range who {
		r, err := f.social.AddComment(t.Context(), u.ID, "tidewater", post, social.NewComment{Text: "It left at dawn, " + u.Username, ParentID: asked.ID})
		f.ok(err, u.Username+" replies")
		replies = append(replies, r.Comment)
	}
	return asked.Comment, replies
}

// The header's bell counts a person's unread notifications on every page,
// theirs alone: a visitor's page, kept and shared, has no bell, and
// another person's shows their own count.
func TestTheBellCountsUnread(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cy, ada, visitor := f.signedIn(f.cy), f.signedIn(f.ada), f.browser()
	cy.get("/worlds/tidewater").want(http.StatusOK, `href="/notifications" data-bell`, `aria-label="Notifications"`, `data-bell-count hidden>0</span>`)

	answer(t, f, f.posts[5].ID, f.bob)
	visitor.get("/worlds/tidewater").want(http.StatusOK).lacks("data-bell", "unread")
	for _, path := range []string{"/worlds/tidewater", "/", "/worlds/tidewater/posts/" + f.posts[5].ID, "/no/such/page"} {
		res := cy.get(path)
		for _, want := range []string{`aria-label="Notifications, 1 unread"`, `data-bell-count>1</span>`} {
			if !strings.Contains(res.body, want) {
				t.Errorf("cy's %s lacks %q", path, want)
			}
		}
	}
	visitor.get("/worlds/tidewater").want(http.StatusOK).lacks("data-bell", "1 unread")
	// Ada's own count, whatever it is, is hers.
	n, err := f.social.UnreadNotifications(t.Context(), f.ada.ID)
	f.ok(err, "ada's count")
	ada.get("/worlds/tidewater").want(http.StatusOK, fmt.Sprintf(`aria-label="Notifications, %d unread"`, n))
	if n == 1 {
		t.Fatal("ada's count is cy's; the test tells nothing")
	}
}

// The notifications page lists a person's notifications newest first,
// grouped, each linking to the thing itself and marked new until seen:
// opening the page reads them. "Mark all read" reads the rest; someone
// else's are not theirs to mark (404, nothing changes); a reply deleted
// since is not there.
func TestNotificationsPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cy, bob := f.signedIn(f.cy), f.signedIn(f.bob)
	post := f.posts[5].ID
	asked, _ := answer(t, f, post, f.bob, f.ada)
	_, gone := answer(t, f, f.posts[6].ID, f.bob)

	views, _, err := f.social.Notifications(t.Context(), f.cy.ID, generia.Page{})
	f.ok(err, "cy's notifications")
	if len(views) != 2 {
		t.Fatalf("cy has %d groups of notifications, want 2: %+v", len(views), views)
	}
	// Someone else's: refused, nothing marked.
	bob.get("/notifications")
	bob.postForm("/notifications/read", url.Values{"_csrf": {bob.csrf}, "id": {views[0].ID}}).want(http.StatusNotFound)
	if n, _ := f.social.UnreadNotifications(t.Context(), f.cy.ID); n != 3 {
		t.Fatalf("cy has %d unread after bob marked one of theirs, want 3", n)
	}
	// A reply deleted since is not there.
	f.ok(f.social.DeleteComment(t.Context(), f.bob.ID, "tidewater", f.posts[6].ID, gone[0].ID), "bob deletes his reply")

	page := cy.get("/notifications").want(http.StatusOK, "<h1", "Notifications", "ada and bob replied to your comment",
		`href="/worlds/tidewater/posts/`+post+`#comment-`, `class="badge notification-new">New</span>`, "Mark all read",
		"Tidewater · ", `data-bell-count hidden>0</span>`).lacks(gone[0].ID)
	if n := strings.Count(page.body, "data-notification "); n != 1 {
		t.Errorf("cy's page lists %d groups, want 1 (the deleted reply's is gone)", n)
	}
	// Opened, they are read: the bell is quiet and they are not new.
	cy.get("/notifications").want(http.StatusOK, `data-bell-count hidden>0</span>`, "ada and bob replied").lacks(">New</span>")

	// A new one, then "Mark all read".
	f.ok(f.store.JoinWorld(t.Context(), "tidewater", f.bob.ID, time.Now()), "bob joins")
	_, err = f.social.AddComment(t.Context(), f.bob.ID, "tidewater", post, social.NewComment{Text: "Also, @cyd, the tide.", ParentID: asked.ID})
	f.ok(err, "bob replies again")
	cy.get("/worlds/tidewater").want(http.StatusOK, "1 unread")
	cy.postForm("/notifications/read", url.Values{"_csrf": {cy.csrf}, "all": {"1"}}).want(http.StatusSeeOther)
	if n, _ := f.social.UnreadNotifications(t.Context(), f.cy.ID); n != 0 {
		t.Errorf("cy has %d unread after marking all read", n)
	}
	cy.postForm("/notifications/read", url.Values{"_csrf": {cy.csrf}}).want(http.StatusBadRequest)
	f.browser().get("/notifications").redirects("/login?" + url.Values{"next": {"/notifications"}}.Encode())
}

// The page shows the newest notifications first and loads older ones by
// cursor, as a page without the script and as items for it.
func TestNotificationsLoadMore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for i := range notificationsPageSize + 5 {
		_, err := f.store.Notify(t.Context(), generia.Notification{UserID: f.ada.ID, Kind: generia.NotifyJoined, Key: fmt.Sprintf("joined:tidewater:p%02d", i),
			WorldID: "tidewater", ActorName: fmt.Sprintf("person%02d", i), CreatedAt: time.Now().Add(time.Duration(i-100) * time.Minute)})
		f.ok(err, "notifying ada")
	}
	ada := f.signedIn(f.ada)
	// The fixture's world finished just now, which told ada too.
	first := ada.get("/notifications").want(http.StatusOK, "Your world Tidewater is ready", "person24 joined Tidewater", `href="/worlds/tidewater/members"`).
		lacks("person05 joined")
	wantInOrder(t, first.body, "Your world Tidewater is ready", "person24 joined", "person23 joined", "person06 joined")
	more := strings.ReplaceAll(first.match(`data-more="(/notifications/items\?cursor=[^"]+)"`), "&amp;", "&")
	items := ada.get(more).want(http.StatusOK, `class="fragment" data-next-cursor=`, "person05 joined", "person00 joined").lacks("person06 joined", "person24 joined")
	wantInOrder(t, items.body, "person05 joined", "person04 joined", "person00 joined")
	next := strings.ReplaceAll(first.match(`href="(/notifications\?cursor=[^"]+)"`), "&amp;", "&")
	ada.get(next).want(http.StatusOK, "person00 joined").lacks("person24 joined")
}

// Per-kind settings: a box not ticked is off, and that kind is not told;
// an unknown kind is refused and changes nothing.
func TestNotificationSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cy := f.signedIn(f.cy)
	cy.get("/notifications").want(http.StatusOK, `name="on" value="reply" checked`, `name="on" value="like" checked`)
	form := url.Values{"_csrf": {cy.csrf}, "on": {"like", "mention"}}
	cy.postForm("/notifications/settings", form).redirects("/notifications?saved=1#settings")
	cy.get("/notifications?saved=1").want(http.StatusOK, "Saved.", `name="on" value="like" checked`, `name="on" value="reply">`).
		lacks(`value="reply" checked`)
	answer(t, f, f.posts[5].ID, f.bob)
	if n, _ := f.social.UnreadNotifications(t.Context(), f.cy.ID); n != 0 {
		t.Errorf("with replies off, cy has %d unread", n)
	}
	cy.postForm("/notifications/settings", url.Values{"_csrf": {cy.csrf}, "on": {"reply", "gossip"}}).want(http.StatusBadRequest, "gossip")
	on, err := f.social.NotificationSettings(t.Context(), f.cy.ID)
	f.ok(err, "cy's settings")
	if on[generia.NotifyReply] || !on[generia.NotifyLike] {
		t.Errorf("after a refused form, cy's settings are %v", on)
	}
}

// An invitation by name, made on the members page, comes as a
// notification: its link opens a page
// that accepts it, and accepting lets the person in at the character
// form; someone else may not accept it, nor see it.
func TestAcceptingAnInvitationFromANotification(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ada, bob, cy := f.signedIn(f.ada), f.signedIn(f.bob), f.signedIn(f.cy)
	ada.get("/worlds/tidewater/members")
	ada.postForm("/worlds/tidewater/invitations", url.Values{"_csrf": {ada.csrf}, "username": {"@nobody_here"}}).want(http.StatusBadRequest).lacks("/invite/")
	ada.postForm("/worlds/tidewater/invitations", url.Values{"_csrf": {ada.csrf}, "username": {"@bob"}}).want(http.StatusCreated, "/invite/")
	list := bob.get("/notifications").want(http.StatusOK, "ada invited you to Tidewater", "Accept and join")
	accept := list.match(`href="(/notifications/[^/"]+/accept)"`)
	cy.get(accept).want(http.StatusNotFound).lacks("invited you")
	cy.postForm(accept, url.Values{"_csrf": {cy.csrf}}).want(http.StatusNotFound)
	bob.get(accept).want(http.StatusOK, "ada invited you to Tidewater", `action="`+accept+`"`, "Accept and join")
	bob.postForm(accept, url.Values{"_csrf": {bob.csrf}}).redirects("/worlds/tidewater#new-character")
	bob.get("/worlds/tidewater").want(http.StatusOK, `action="/worlds/tidewater/leave"`, "Create your character")
	if m, _ := f.store.IsMember(t.Context(), "tidewater", f.bob.ID); !m {
		t.Error("bob accepted, and is not a member")
	}
}

// A notification comes live on the person's world stream and on their
// account stream, with the unread count and the item to show.
func TestNotificationsComeLive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cy := f.signedIn(f.cy)
	world, _ := cy.openLive(t, "/worlds/tidewater/live")
	account, _ := cy.openLive(t, "/account/live")
	_, replies := answer(t, f, f.posts[5].ID, f.bob)
	for name, events := range map[string]<-chan liveEvent{"world": world, "account": account} {
		e := nextLive(t, events, "notification")
		if !strings.Contains(e.raw, `"unread":1`) || !strings.Contains(e.data["html"], "bob replied to your comment") ||
			!strings.Contains(e.data["html"], "#comment-"+replies[0].ID) || !strings.Contains(e.data["html"], "is-unread") {
			t.Errorf("the %s stream's notification = %+v", name, e.data)
		}
	}
	f.browser().get("/account/live").redirects("/login?" + url.Values{"next": {"/account/live"}}.Encode())
}
