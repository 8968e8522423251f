package httpapi

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/socialtest"
)

// person registers name and returns their token and user ID.
func (a *api) person(t *testing.T, name string) (token, id string) {
	t.Helper()
	var s apiv1.Session
	body := fmt.Sprintf(`{"username":%q,"email":"%s@example.com","password":"correct horse battery"}`, name, name)
	if code := a.callAs(t, "", "POST", "/api/v1/auth/register", body, &s); code != http.StatusCreated {
		t.Fatalf("registering %s: HTTP %d", name, code)
	}
	return s.Token, s.User.ID
}

// callAs calls the API with token ("" for a visitor).
func (a *api) callAs(t *testing.T, token, method, path, body string, out any) int {
	t.Helper()
	saved := a.token
	defer func() { a.token = saved }()
	a.token = token
	return a.call(t, method, path, body, out)
}

// The owner of a private world makes an invitation; a new person accepts it
// and sees the world; the owner lists and removes them, and they no longer
// see it. Everyone else is refused, and the private world stays 404 to
// strangers.
func TestInvitationsAndMembers(t *testing.T) {
	a := newAPI(t)
	a.server.Social.Life = &socialtest.Life{}
	if code := a.call(t, "PATCH", "/api/v1/worlds/"+a.world, `{"name":"Harbour","visibility":"private"}`, nil); code != http.StatusOK {
		t.Fatalf("making the world private: HTTP %d", code)
	}
	bob, bobID := a.person(t, "bob")
	eve, _ := a.person(t, "eve")
	invitations := "/api/v1/worlds/" + a.world + "/invitations"
	members := "/api/v1/worlds/" + a.world + "/members"

	var inv apiv1.Invitation
	if code := a.call(t, "POST", invitations, `{"expires_in_hours":24,"max_uses":1}`, &inv); code != http.StatusCreated {
		t.Fatalf("making an invitation: HTTP %d", code)
	}
	if len(inv.Code) < 26 || !strings.HasSuffix(inv.URL, "/invite/"+inv.Code) || inv.MaxUses != 1 || !inv.Usable {
		t.Fatalf("invitation %+v: want a code, its url, one use", inv)
	}

	// Strangers and visitors learn nothing of the private world.
	for _, c := range []struct {
		token, method, path, body string
		want                      int
	}{
		{bob, "GET", invitations, "", http.StatusNotFound},
		{bob, "POST", invitations, `{}`, http.StatusNotFound},
		{bob, "DELETE", invitations + "/" + inv.ID, "", http.StatusNotFound},
		{bob, "GET", members, "", http.StatusNotFound},
		{bob, "DELETE", members + "/" + bobID, "", http.StatusNotFound},
		{"", "GET", invitations, "", http.StatusUnauthorized},
		{"", "POST", "/api/v1/invitations/" + inv.Code + "/accept", "", http.StatusUnauthorized},
		{a.token, "POST", invitations, `{"expires_in_hours":-1}`, http.StatusBadRequest},
		{a.token, "POST", invitations, `{"max_uses":100000}`, http.StatusBadRequest},
		{a.token, "POST", invitations, `{"max_uses":"many"}`, http.StatusBadRequest},
		{a.token, "POST", invitations, `{"max_uses":1`, http.StatusBadRequest},
		{a.token, "POST", "/api/v1/invitations/" + inv.Code + "/accept", "", http.StatusConflict},
		{bob, "POST", "/api/v1/invitations/not-a-code/accept", "", http.StatusNotFound},
		{a.token, "DELETE", members + "/" + bobID, "", http.StatusNotFound},
	} {
		var e errorBody
		if code := a.callAs(t, c.token, c.method, c.path, c.body, &e); code != c.want {
			t.Errorf("%s %s %s: HTTP %d (%s), want %d", c.method, c.path, c.body, code, e.Error.Message, c.want)
		}
	}
	var list struct{ Invitations []apiv1.Invitation }
	if code := a.call(t, "GET", invitations, "", &list); code != http.StatusOK || len(list.Invitations) != 1 || list.Invitations[0].Code != "" {
		t.Fatalf("the owner's invitations: HTTP %d, %+v; want the one, without its code", code, list)
	}

	// Bob accepts and sees the world; eve finds the invitation used up.
	var joined struct {
		IsJoined bool `json:"is_joined"`
		World    apiv1.World
	}
	if code := a.callAs(t, bob, "POST", "/api/v1/invitations/"+inv.Code+"/accept", "", &joined); code != http.StatusOK || !joined.IsJoined || joined.World.ID != a.world {
		t.Fatalf("bob accepts: HTTP %d, %+v", code, joined)
	}
	if code := a.callAs(t, bob, "GET", "/api/v1/worlds/"+a.world, "", nil); code != http.StatusOK {
		t.Errorf("bob reads the world he joined: HTTP %d", code)
	}
	var e errorBody
	if code := a.callAs(t, eve, "POST", "/api/v1/invitations/"+inv.Code+"/accept", "", &e); code != http.StatusConflict || e.Error.Message != "this invitation has been used up" {
		t.Errorf("eve accepts the used up invitation: HTTP %d, %q", code, e.Error.Message)
	}
	if code := a.callAs(t, eve, "GET", "/api/v1/worlds/"+a.world, "", nil); code != http.StatusNotFound {
		t.Errorf("eve reads the world: HTTP %d, want 404", code)
	}

	var page struct {
		Members []apiv1.Member
		HasMore bool `json:"has_more"`
	}
	if code := a.call(t, "GET", members, "", &page); code != http.StatusOK || len(page.Members) != 1 || page.Members[0].Username != "bob" {
		t.Fatalf("members: HTTP %d, %+v", code, page)
	}
	// A co-owner: only the owner makes one, of a member.
	if code := a.callAs(t, bob, "POST", "/api/v1/worlds/"+a.world+"/life", `{"paused":true}`, nil); code != http.StatusForbidden {
		t.Errorf("a member pauses the life: HTTP %d, want 403", code)
	}
	if code := a.callAs(t, bob, "PUT", members+"/"+bobID+"/co-owner", "", nil); code != http.StatusForbidden {
		t.Errorf("bob makes himself a co-owner: HTTP %d, want 403", code)
	}
	if code := a.callAs(t, eve, "PUT", members+"/"+bobID+"/co-owner", "", nil); code != http.StatusNotFound {
		t.Errorf("eve makes bob a co-owner: HTTP %d, want 404", code)
	}
	if code := a.call(t, "PUT", members+"/nobody/co-owner", "", nil); code != http.StatusNotFound {
		t.Errorf("making a stranger a co-owner: HTTP %d, want 404", code)
	}
	var co struct {
		CoOwner bool `json:"co_owner"`
	}
	if code := a.call(t, "PUT", members+"/"+bobID+"/co-owner", "", &co); code != http.StatusOK || !co.CoOwner {
		t.Fatalf("making bob a co-owner: HTTP %d, %+v", code, co)
	}
	if code := a.call(t, "GET", members, "", &page); code != http.StatusOK || !page.Members[0].CoOwner {
		t.Errorf("members after making bob a co-owner: HTTP %d, %+v", code, page)
	}
	if code := a.callAs(t, bob, "POST", "/api/v1/worlds/"+a.world+"/life", `{"paused":true}`, nil); code != http.StatusOK {
		t.Errorf("the co-owner pauses the life: HTTP %d", code)
	}
	if code := a.call(t, "DELETE", members+"/"+bobID+"/co-owner", "", &co); code != http.StatusOK || co.CoOwner {
		t.Errorf("bob no longer a co-owner: HTTP %d, %+v", code, co)
	}
	if code := a.call(t, "DELETE", members+"/"+bobID, "", nil); code != http.StatusNoContent {
		t.Fatalf("removing bob: HTTP %d", code)
	}
	if code := a.callAs(t, bob, "GET", "/api/v1/worlds/"+a.world, "", nil); code != http.StatusNotFound {
		t.Errorf("removed bob reads the world: HTTP %d, want 404", code)
	}

	// A revoked invitation lets nobody in.
	var second apiv1.Invitation
	if code := a.call(t, "POST", invitations, `{}`, &second); code != http.StatusCreated || second.MaxUses != 10 {
		t.Fatalf("a second invitation: HTTP %d, %+v", code, second)
	}
	if code := a.call(t, "DELETE", invitations+"/"+second.ID, "", nil); code != http.StatusNoContent {
		t.Fatalf("revoking: HTTP %d", code)
	}
	if code := a.callAs(t, eve, "POST", "/api/v1/invitations/"+second.Code+"/accept", "", &e); code != http.StatusConflict || e.Error.Message != "this invitation was revoked" {
		t.Errorf("eve accepts the revoked invitation: HTTP %d, %q", code, e.Error.Message)
	}
}
