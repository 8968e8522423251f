package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// The owner of a private world makes an invitation link from its page; a
// visitor who opens it is sent to sign in and back; bob, signed in, sees
// the world's name and accepts; the owner sees him among the members and
// removes him, and the world is gone for him again. Strangers get 404.
func TestInvitationPages(t *testing.T) {
	f := newFixture(t)
	ada, bob, visitor := f.signedIn(f.ada), f.signedIn(f.bob), f.browser()
	grove := "/worlds/" + f.private.ID

	ada.get(grove).want(http.StatusOK, "Invite people", `action="`+grove+`/invitations"`, grove+"/members")
	bob.get(grove).want(http.StatusNotFound).lacks("Hidden Grove")
	bob.get(grove + "/members").want(http.StatusNotFound).lacks("Hidden Grove")
	bob.postForm(grove+"/invitations", url.Values{"_csrf": {bob.csrf}}).want(http.StatusNotFound).lacks("Hidden Grove")
	f.tidewaterNotBobs(bob)

	// Bad numbers are refused on the form, and make no link.
	ada.get(grove + "/members")
	ada.postForm(grove+"/invitations", url.Values{"_csrf": {ada.csrf}, "max_uses": {"many"}}).want(http.StatusBadRequest, "Max uses must be a whole number").lacks("/invite/")
	ada.postForm(grove+"/invitations", url.Values{"_csrf": {ada.csrf}, "expires_in_hours": {"99999"}}).want(http.StatusBadRequest, "must be 1 to 720").lacks("/invite/")
	ada.postForm(grove+"/invitations", url.Values{"max_uses": {"1"}}).want(http.StatusForbidden).lacks("/invite/")

	made := ada.postForm(grove+"/invitations", url.Values{"_csrf": {ada.csrf}, "expires_in_hours": {"2"}, "max_uses": {"1"}}).want(http.StatusCreated, "shown this once", "0 of 1 used")
	code := made.match(`/invite/([A-Z2-7]{26})"`)
	invite := "/invite/" + code

	visitor.get(invite).redirects("/login?" + url.Values{"next": {invite}}.Encode())
	bob.get(invite).want(http.StatusOK, "You are invited to Hidden Grove", "Accept and join").lacks(code + "\" property")
	bob.postForm(invite, url.Values{}).want(http.StatusForbidden)
	bob.get(grove).want(http.StatusNotFound)
	bob.get(invite)
	bob.postForm(invite, url.Values{"_csrf": {bob.csrf}}).redirects(grove)
	bob.get(grove).want(http.StatusOK, "Hidden Grove")
	bob.get(invite).want(http.StatusOK, "already part of this world")
	// Its owner is told the world is theirs and the link for others; they
	// cannot spend a use of it.
	ada.get(invite).want(http.StatusOK, "Your invitation to Hidden Grove", "You own this world").lacks("already part", "Accept and join", "You are invited")
	ada.postForm(invite, url.Values{"_csrf": {ada.csrf}}).want(http.StatusConflict, "You own this world").lacks("already a member")
	cy := f.signedIn(f.cy)
	cy.get(invite).want(http.StatusConflict, "used up")
	cy.postForm(invite, url.Values{"_csrf": {cy.csrf}}).want(http.StatusConflict, "used up")
	cy.get(grove).want(http.StatusNotFound)

	page := ada.get(grove+"/members").want(http.StatusOK, "@bob", "used up")
	page.match(`action="(` + grove + `/members/` + f.bob.ID + `/remove)"`)
	bob.postForm(grove+"/members/"+f.bob.ID+"/remove", url.Values{"_csrf": {bob.csrf}}).want(http.StatusForbidden)

	// Made a co-owner, bob sees the world's life panel; only ada makes him one.
	bob.postForm(grove+"/members/"+f.bob.ID+"/co-owner", url.Values{"_csrf": {bob.csrf}, "co_owner": {"1"}}).want(http.StatusForbidden)
	ada.get(grove+"/members").want(http.StatusOK, "Make co-owner").lacks("data-co-owner")
	ada.postForm(grove+"/members/"+f.bob.ID+"/co-owner", url.Values{"_csrf": {ada.csrf}, "co_owner": {"1"}}).redirects(grove + "/members#members")
	ada.get(grove+"/members").want(http.StatusOK, "data-co-owner", "No longer co-owner")
	ada.postForm(grove+"/members/"+f.bob.ID+"/co-owner", url.Values{"_csrf": {ada.csrf}, "co_owner": {"0"}}).redirects(grove + "/members#members")
	ada.get(grove+"/members").want(http.StatusOK, "Make co-owner").lacks("data-co-owner")
	ada.postForm(grove+"/members/"+f.bob.ID+"/remove", url.Values{"_csrf": {ada.csrf}}).redirects(grove + "/members#members")
	bob.get(grove).want(http.StatusNotFound)
	ada.get(grove+"/members").want(http.StatusOK, "Nobody has joined yet")

	// A revoked link lets nobody in.
	again := ada.postForm(grove+"/invitations", url.Values{"_csrf": {ada.csrf}}).want(http.StatusCreated, "0 of 10 used")
	second := again.match(`/invite/([A-Z2-7]{26})"`)
	id := again.match(`action="` + grove + `/invitations/([^/"]+)/revoke"`)
	ada.postForm(grove+"/invitations/"+id+"/revoke", url.Values{"_csrf": {ada.csrf}}).redirects(grove + "/members")
	cy.get("/invite/"+second).want(http.StatusConflict, "revoked")
}

// tidewaterNotBobs checks that bob, a stranger, has no invitation page of
// the public world either: it is its owner's.
func (f *fixture) tidewaterNotBobs(bob *browser) {
	f.t.Helper()
	bob.get("/worlds/" + f.world.ID + "/members").want(http.StatusForbidden)
}

// A person's character is in the world's cast, marked as a person's; the
// world's own are not.
func TestPeoplesCharactersAreMarkedInTheCast(t *testing.T) {
	f := newFixture(t)
	cyCharacter(t, f)
	res := f.browser().get("/worlds/tidewater/about").want(http.StatusOK, `Played by people <span class="muted">(1)</span>`, "Played by a person")
	if n := strings.Count(res.body, "data-person"); n != 1 {
		t.Errorf("%d characters marked as a person's, want 1 (cy's)", n)
	}
}

// A co-owner gets the world's life panel and changes its life, and removes
// the world's posts and comments as a co-owner; a member does not.
func TestACoOwnerHasTheLifePanel(t *testing.T) {
	f := newFixture(t)
	f.social.Life = &fakeLife{settings: map[string]generia.LifeSettings{"tidewater": {Enabled: true, ActionsPerHour: 6, DailyCalls: 200, DailyBudgetUSD: 0.5}}}
	cy := f.signedIn(f.cy)
	cy.get("/worlds/tidewater").want(http.StatusOK).lacks("data-life-panel")
	cy.get("/worlds/tidewater/posts/post-00").want(http.StatusOK).lacks("Remove post")
	cy.postForm("/worlds/tidewater/life", url.Values{"_csrf": {cy.csrf}, "enabled": {"1"}, "paused": {"1"}}).want(http.StatusForbidden)
	f.ok(f.social.SetCoOwner(t.Context(), f.ada.ID, "tidewater", f.cy.ID, true), "making cy a co-owner")
	cy.get("/worlds/tidewater").want(http.StatusOK, "data-life-panel")
	cy.postForm("/worlds/tidewater/life", url.Values{"_csrf": {cy.csrf}, "enabled": {"1"}, "paused": {"1"}}).redirects("/worlds/tidewater")
	cy.get("/worlds/tidewater").want(http.StatusOK, `>paused</span>`)
	// What they remove with says what they are: a co-owner, not the owner.
	_, err := f.social.AddComment(t.Context(), f.ada.ID, "tidewater", "post-00", social.NewComment{Text: "Fair winds."})
	f.ok(err, "ada comments")
	cy.get("/worlds/tidewater/posts/post-00").want(http.StatusOK, "Remove post (co-owner)", "Remove (co-owner)").lacks("(owner)")
	cy.postForm("/worlds/tidewater/posts/post-00/delete", url.Values{"_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	cy.get("/worlds/tidewater/posts/post-00").want(http.StatusNotFound)
}

// A new person opens an invitation, registers from the sign-in page's link
// and comes back to it, accepts, and is in the private world.
func TestANewPersonRegistersFromAnInvitation(t *testing.T) {
	f := newFixture(t)
	ada, dee := f.signedIn(f.ada), f.browser()
	grove := "/worlds/" + f.private.ID
	ada.get(grove + "/members")
	invite := "/invite/" + ada.postForm(grove+"/invitations", url.Values{"_csrf": {ada.csrf}}).want(http.StatusCreated).match(`/invite/([A-Z2-7]{26})"`)

	login := "/login?" + url.Values{"next": {invite}}.Encode()
	dee.get(invite).redirects(login)
	register := dee.get(login).want(http.StatusOK).match(`href="(/register\?next=[^"]+)"`)
	dee.postForm("/register", url.Values{"username": {"dee"}, "email": {"dee@example.com"}, "password": {password}, "next": {invite},
		"_csrf": {dee.formToken(strings.ReplaceAll(register, "&amp;", "&"))}}).redirects(invite)
	dee.csrf = dee.get(invite).want(http.StatusOK, "You are invited to Hidden Grove").match(`name="_csrf" value="([^"]+)"`)
	dee.postForm(invite, url.Values{"_csrf": {dee.csrf}}).redirects(grove)
	dee.get(grove).want(http.StatusOK, "Hidden Grove")
}
