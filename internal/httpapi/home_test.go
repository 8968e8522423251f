package httpapi

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/generia/generia/internal/apiv1"
)

// Following a character brings its posts to one's home, each with its
// world's name; a visitor is refused, a character one cannot see (unknown,
// or of a private world) is 404 and nothing changes.
func TestFollowAndHome(t *testing.T) {
	a := newAPI(t)
	if code := a.call(t, "PATCH", "/api/v1/worlds/"+a.world, `{"name":"Harbour","visibility":"public"}`, nil); code != http.StatusOK {
		t.Fatalf("making the world public: HTTP %d", code)
	}
	var c struct{ ID string }
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/characters", `{"username":"ada_w","display_name":"Ada"}`, &c); code != http.StatusCreated {
		t.Fatalf("creating a character: HTTP %d", code)
	}
	var p struct{ ID string }
	body := fmt.Sprintf(`{"character_id":%q,"caption":"Low tide at noon","media_id":%q}`, c.ID, a.upload(t))
	if code := a.call(t, "POST", "/api/v1/worlds/"+a.world+"/posts", body, &p); code != http.StatusCreated {
		t.Fatalf("posting: HTTP %d", code)
	}
	bob, _ := a.person(t, "bob")
	eve, _ := a.person(t, "eve")
	follow := "/api/v1/characters/" + c.ID + "/follow"
	home := func(token string) []apiv1.Post {
		t.Helper()
		var page struct{ Posts []apiv1.Post }
		if code := a.callAs(t, token, "GET", "/api/v1/home", "", &page); code != http.StatusOK {
			t.Fatalf("the home: HTTP %d", code)
		}
		return page.Posts
	}
	following := func(token string) bool {
		t.Helper()
		var ch apiv1.Character
		if code := a.callAs(t, token, "GET", "/api/v1/characters/"+c.ID, "", &ch); code != http.StatusOK || ch.Following == nil {
			t.Fatalf("the character: HTTP %d, %+v; want it with following", code, ch)
		}
		return *ch.Following
	}

	if got := home(bob); len(got) != 0 {
		t.Fatalf("bob's home before following = %+v, want empty", got)
	}
	var res struct{ Following bool }
	for range 2 {
		if code := a.callAs(t, bob, "POST", follow, "", &res); code != http.StatusOK || !res.Following {
			t.Fatalf("bob following: HTTP %d, %+v", code, res)
		}
	}
	if !following(bob) || following(eve) {
		t.Errorf("following: bob %v, eve %v; want bob only", following(bob), following(eve))
	}
	if code := a.callAs(t, bob, "POST", "/api/v1/worlds/"+a.world+"/posts/"+p.ID+"/like", "", nil); code != http.StatusOK {
		t.Fatalf("bob liking the post: HTTP %d", code)
	}
	got := home(bob)
	if len(got) != 1 || got[0].ID != p.ID || got[0].WorldID != a.world || got[0].WorldName != "Harbour" || !got[0].UserLiked || got[0].LikesCount != 1 {
		t.Fatalf("bob's home = %+v, want the post of Harbour, which he likes", got)
	}
	// Ada's home holds her own world's post.
	if got := home(a.token); len(got) != 1 || got[0].ID != p.ID || got[0].UserLiked {
		t.Errorf("ada's home = %+v, want her post", got)
	}

	if code := a.call(t, "PATCH", "/api/v1/worlds/"+a.world, `{"name":"Harbour","visibility":"private"}`, nil); code != http.StatusOK {
		t.Fatalf("making the world private: HTTP %d", code)
	}
	for _, c := range []struct {
		token, method, path string
		want                int
	}{
		{"", "POST", follow, http.StatusUnauthorized},
		{"", "DELETE", follow, http.StatusUnauthorized},
		{"", "GET", "/api/v1/home", http.StatusUnauthorized},
		{eve, "POST", follow, http.StatusNotFound},
		{bob, "DELETE", follow, http.StatusNotFound},
		{bob, "POST", "/api/v1/characters/no-such-character/follow", http.StatusNotFound},
		{bob, "GET", "/api/v1/home?limit=0", http.StatusBadRequest},
		{bob, "GET", "/api/v1/home?cursor=garbage", http.StatusBadRequest},
	} {
		var e errorBody
		if code := a.callAs(t, c.token, c.method, c.path, "", &e); code != c.want {
			t.Errorf("%s %s: HTTP %d (%s), want %d", c.method, c.path, code, e.Error.Message, c.want)
		}
	}
	if got := home(bob); len(got) != 0 {
		t.Errorf("bob's home with the world private = %+v, want empty", got)
	}

	// Public again: nothing the refused calls asked for happened.
	if code := a.call(t, "PATCH", "/api/v1/worlds/"+a.world, `{"name":"Harbour","visibility":"public"}`, nil); code != http.StatusOK {
		t.Fatalf("making the world public again: HTTP %d", code)
	}
	if !following(bob) || following(eve) {
		t.Errorf("after the refused calls: bob following %v, eve %v; want bob only", following(bob), following(eve))
	}
	if code := a.callAs(t, bob, "DELETE", follow, "", &res); code != http.StatusOK || res.Following {
		t.Fatalf("bob unfollowing: HTTP %d, %+v", code, res)
	}
	if following(bob) || len(home(bob)) != 0 {
		t.Errorf("after unfollowing: following %v, home %+v; want neither", following(bob), home(bob))
	}
}
