package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
)

// Bad requests about notifications are refused with a clear 4xx and change
// nothing: someone else's notification, ids and all at once, an unknown
// kind, a visitor.
func TestNotificationRoutesRefuseBadInput(t *testing.T) {
	a := newAPI(t)
	bob, bobID := a.person(t, "bob")
	n := generia.Notification{ID: "bobs", UserID: bobID, Kind: generia.NotifyJoined, Key: "joined:x", Group: "joined:x",
		WorldID: a.world, ActorName: "eve", ActorUserID: "eve", CreatedAt: time.Now().UTC()}
	if _, err := a.server.Social.Store.Notify(t.Context(), n); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		token, method, path, body string
		want                      int
	}{
		{"", "GET", "/api/v1/notifications", "", http.StatusUnauthorized},
		{"", "GET", "/api/v1/notifications/unread", "", http.StatusUnauthorized},
		{"", "POST", "/api/v1/notifications/read", `{"all":true}`, http.StatusUnauthorized},
		{"", "GET", "/api/v1/notifications/settings", "", http.StatusUnauthorized},
		{"", "PUT", "/api/v1/notifications/settings", `{"kinds":{"like":false}}`, http.StatusUnauthorized},
		{"", "POST", "/api/v1/notifications/bobs/accept", "", http.StatusUnauthorized},
		{"", "GET", "/api/v1/me/events", "", http.StatusUnauthorized},
		{a.token, "POST", "/api/v1/notifications/read", `{"ids":["bobs"]}`, http.StatusNotFound},
		{a.token, "POST", "/api/v1/notifications/read", `{"ids":["bobs"],"all":true}`, http.StatusBadRequest},
		{a.token, "POST", "/api/v1/notifications/read", `{}`, http.StatusBadRequest},
		{a.token, "POST", "/api/v1/notifications/read", `{"ids":"bobs"}`, http.StatusBadRequest},
		{a.token, "PUT", "/api/v1/notifications/settings", `{"kinds":{"gossip":false}}`, http.StatusBadRequest},
		{a.token, "PUT", "/api/v1/notifications/settings", `{"kinds":{"like":"off"}}`, http.StatusBadRequest},
		{a.token, "PUT", "/api/v1/notifications/settings", `{}`, http.StatusBadRequest},
		{a.token, "POST", "/api/v1/notifications/bobs/accept", "", http.StatusNotFound},
		{bob, "POST", "/api/v1/notifications/bobs/accept", "", http.StatusBadRequest}, // not an invitation
		{a.token, "GET", "/api/v1/notifications?limit=0", "", http.StatusBadRequest},
		{a.token, "POST", "/api/v1/worlds/" + a.world + "/invitations", `{"username":"nobody"}`, http.StatusBadRequest},
	} {
		var e errorBody
		if code := a.callAs(t, c.token, c.method, c.path, c.body, &e); code != c.want {
			t.Errorf("%s %s %s: HTTP %d (%s), want %d", c.method, c.path, c.body, code, e.Error.Message, c.want)
		}
	}
	var settings apiv1.NotificationSettings
	if code := a.call(t, "GET", "/api/v1/notifications/settings", "", &settings); code != http.StatusOK || !settings.Kinds[generia.NotifyLike] {
		t.Errorf("ada's settings after refused changes: HTTP %d, %v; want likes on", code, settings.Kinds)
	}
	var invitations struct{ Invitations []apiv1.Invitation }
	if a.call(t, "GET", "/api/v1/worlds/"+a.world+"/invitations", "", &invitations); len(invitations.Invitations) != 0 {
		t.Errorf("inviting nobody made %d invitations", len(invitations.Invitations))
	}

	// bob's notification is still unread, and his to read.
	var count struct{ Count int }
	if code := a.callAs(t, bob, "GET", "/api/v1/notifications/unread", "", &count); code != http.StatusOK || count.Count != 1 {
		t.Errorf("bob's unread: HTTP %d, %d; want 1", code, count.Count)
	}
	var page struct {
		Notifications []apiv1.Notification
		HasMore       bool `json:"has_more"`
	}
	if code := a.callAs(t, bob, "GET", "/api/v1/notifications", "", &page); code != http.StatusOK || len(page.Notifications) != 1 ||
		page.Notifications[0].Sentence == "" || page.Notifications[0].Link != "/worlds/"+a.world+"/members" || page.HasMore {
		t.Errorf("bob's notifications: HTTP %d, %+v", code, page)
	}
	var marked apiv1.Marked
	if code := a.callAs(t, bob, "POST", "/api/v1/notifications/read", `{"ids":["bobs"]}`, &marked); code != http.StatusOK || marked != (apiv1.Marked{Marked: 1}) {
		t.Errorf("bob marks his read: HTTP %d, %+v; want 1 marked, 0 unread", code, marked)
	}
	if code := a.callAs(t, bob, "PUT", "/api/v1/notifications/settings", `{"kinds":{"joined":false}}`, &settings); code != http.StatusOK ||
		settings.Kinds[generia.NotifyJoined] || !settings.Kinds[generia.NotifyReply] {
		t.Errorf("bob turns joins off: HTTP %d, %v", code, settings.Kinds)
	}
}

// ada's world finishes while her account stream and her world's stream
// are open: both tell her, with her unread count.
func TestStreamsTellOfAFinishedWorld(t *testing.T) {
	a := newStreamAPI(t)
	_, account, _ := a.openStream(t, "/api/v1/me/events", a.token)
	_, world, _ := a.openStream(t, "/api/v1/worlds/"+a.world+"/events", a.token)
	if resp, _, _ := a.openStream(t, "/api/v1/me/events", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a visitor's account stream: HTTP %d, want 401", resp.StatusCode)
	}
	if _, err := a.store.FinishGeneration(t.Context(), a.world, generia.StatusCompleted, "", "", time.Now()); err != nil {
		t.Fatal(err)
	}
	for name, events := range map[string]<-chan sseEvent{"account": account, "world": world} {
		deadline := time.After(30 * time.Second)
	read:
		for {
			select {
			case e, ok := <-events:
				if !ok {
					t.Fatalf("ada's %s stream ended", name)
				}
				if e.name != "notification" {
					continue
				}
				var got apiv1.NotificationEvent
				if err := json.Unmarshal([]byte(e.data), &got); err != nil {
					t.Fatal(err)
				}
				if got.Notification.Kind != generia.NotifyWorldCompleted || got.Notification.Link != "/worlds/"+a.world || got.Unread != 1 {
					t.Errorf("ada's %s stream tells %+v", name, got)
				}
				break read
			case <-deadline:
				t.Fatalf("ada's %s stream has not told of the finished world in 30 s", name)
			}
		}
	}
}
