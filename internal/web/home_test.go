package web

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Signed in, / is the home: empty, it says what to do; following a
// character from its profile (a form, without JavaScript) brings its posts
// there, each saying its world, with the next page one scroll away; the
// catalog is the Explore tab. A visitor keeps the catalog at /.
func TestHome(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.browser().get("/").want(http.StatusOK, "Tidewater", `href="/worlds/tidewater"`).lacks(`href="/explore"`, "Nothing here yet")
	f.browser().get("/home").redirects("/login?next=%2Fhome")

	bob := f.signedIn(f.bob)
	bob.get("/").want(http.StatusOK, "Nothing here yet", `href="/explore"`, `href="/worlds/new"`, `aria-current="page">Home`).
		lacks(`class="card post-card"`)
	bob.get("/explore").want(http.StatusOK, `href="/worlds/tidewater"`, `href="/explore?tab=mine"`, `aria-current="page">Explore`)
	// Links made before the home still reach the catalog.
	bob.get("/?tab=joined").want(http.StatusOK, "You have not joined a world yet")

	mara := "/characters/" + f.chars[0].ID
	bob.get(mara).want(http.StatusOK, `action="`+mara+`/follow"`, `name="follow" value="1"`, ">Follow</button>")
	follow := func(value string) response {
		t.Helper()
		return bob.postForm(mara+"/follow", url.Values{"_csrf": {bob.csrf}, "follow": {value}})
	}
	follow("1").redirects(mara)
	follow("1").redirects(mara) // again: still one follow
	bob.get(mara).want(http.StatusOK, `name="follow" value="0"`, ">Following</button>")

	home := bob.get("/").want(http.StatusOK, "Caption 14 from the docks", `data-post-world>in Tidewater</a>`).
		lacks("Nothing here yet", "Caption 15 from the docks") // Oren's, not followed
	if n := strings.Count(home.body, `class="card post-card"`); n != 10 {
		t.Errorf("the home's first page has %d posts, want 10", n)
	}
	more := html.UnescapeString(home.match(`data-more="([^"]+)"`))
	page := html.UnescapeString(home.match(`<a class="btn btn-ghost" href="([^"]+)" data-more=`))
	if !strings.HasPrefix(more, "/home/feed?cursor=") || !strings.HasPrefix(page, "/home?cursor=") {
		t.Fatalf("load more links %q and %q", page, more)
	}
	bob.get(more).want(http.StatusOK, "Caption 04 from the docks", "Caption 00 from the docks", `data-next-cursor=""`, "in Tidewater").
		lacks("<html", "Caption 14 from the docks")
	bob.get(page).want(http.StatusOK, "Caption 00 from the docks").lacks("Caption 14 from the docks")
	bob.get("/home/feed?cursor=garbage").want(http.StatusBadRequest)

	// Unfollowed, the home is empty again; a character of a private world
	// bob is not in is not found, and nothing changes.
	bob.get(mara)
	follow("0").redirects(mara)
	bob.get(mara).want(http.StatusOK, ">Follow</button>")
	bob.get("/").want(http.StatusOK, "Nothing here yet")
	bob.postForm("/characters/grove-char/follow", url.Values{"_csrf": {bob.csrf}, "follow": {"1"}}).want(http.StatusNotFound)
	bob.get("/").want(http.StatusOK, "Nothing here yet")
	f.browser().postForm(mara+"/follow", url.Values{"follow": {"1"}}).redirects("/login")

	// The owner's home holds both her worlds, the newest post first.
	ada := f.signedIn(f.ada)
	adaHome := ada.get("/").want(http.StatusOK, "Secret song", "in Hidden Grove", "in Tidewater")
	if i, j := strings.Index(adaHome.body, "Secret song"), strings.Index(adaHome.body, "Newest &lt;script&gt;"); i < 0 || j < 0 || i > j {
		t.Errorf("ada's home: the newest post (Secret song) is not first")
	}
}
