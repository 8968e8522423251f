package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Pages describe themselves to search engines and link previews: a post by
// its caption and image, a world by its description and header, anything
// else by the site; all with absolute URLs, escaped.
func TestPagesDescribeThemselves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	newest := f.posts[24]
	b.get("/worlds/tidewater/posts/"+newest.ID).want(http.StatusOK,
		`<meta name="description" content="Newest &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; post">`,
		`<meta property="og:image" content="`+f.srv.URL+`/api/v1/media/`+newest.MediaID+`">`,
		`<meta property="og:url" content="`+f.srv.URL+`/worlds/tidewater/posts/`+newest.ID+`">`,
		`<meta name="twitter:card" content="summary_large_image">`).lacks("<script>alert")
	b.get("/worlds/tidewater").want(http.StatusOK, `<meta name="description" content="A harbour where the tide never goes out.">`,
		`<meta property="og:title" content="Tidewater">`, `<meta property="og:image" content="`+f.srv.URL+`/api/v1/media/tw-header">`)
	b.get("/").want(http.StatusOK, `<meta name="description" content="Generia: social networks`, `<meta name="twitter:card" content="summary">`)
}

// A post's hashtags link to the world's posts with them; that page lists
// them newest first and pages on; a bad hashtag is a clear 400.
func TestHashtagPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	// Every Tidewater post has #tide and #day<N>.
	b.get("/worlds/tidewater/posts/"+f.posts[3].ID).want(http.StatusOK,
		`<a class="tag" href="/worlds/tidewater/tags/tide">#tide</a>`, `<a class="tag" href="/worlds/tidewater/tags/day3">#day3</a>`)
	page := b.get("/worlds/tidewater/tags/day3").want(http.StatusOK, "<h1", "#day3", `id="post-`+f.posts[3].ID+`"`)
	if n := strings.Count(page.body, `class="card post-card"`); n != 1 {
		t.Errorf("#day3 lists %d posts, want 1", n)
	}
	all := b.get("/worlds/tidewater/tags/TIDE").want(http.StatusOK, `id="post-`+f.posts[24].ID+`"`, "/worlds/tidewater/feed?cursor=")
	if n := strings.Count(all.body, `class="card post-card"`); n != feedPageSize {
		t.Errorf("#tide's first page lists %d posts, want %d", n, feedPageSize)
	}
	next := all.match(`data-more="(/worlds/tidewater/feed\?[^"]+)"`)
	more := b.get(strings.ReplaceAll(next, "&amp;", "&")).want(http.StatusOK)
	want := min(feedPageSize, 25-feedPageSize)
	if n := strings.Count(more.body, `class="card post-card"`); n != want || !strings.Contains(more.body, `id="post-`+f.posts[24-feedPageSize].ID+`"`) ||
		strings.Contains(more.body, `id="post-`+f.posts[24].ID+`"`) {
		t.Errorf("#tide's next page lists %d posts, want the %d after the first page", n, want)
	}
	b.get("/worlds/tidewater/tags/nothing").want(http.StatusOK, "No posts with #nothing")
	b.get("/worlds/tidewater/tags/" + strings.Repeat("x", 61)).want(http.StatusBadRequest)
	f.browser().get("/worlds/hidden-grove/tags/tide").want(http.StatusNotFound)
}

// In captions and comments, @mentions link to the characters and #hashtags
// to the world's posts with them; the rest stays escaped text.
func TestMentionsAndHashtagsInTextAreLinks(t *testing.T) {
	t.Parallel()
	got := string(linked("tidewater", `Ask @oren_vale about #Tide & <b>boats</b>, not @ab or foo@bar`))
	want := `Ask <a href="/worlds/tidewater/at/oren_vale">@oren_vale</a> about <a href="/worlds/tidewater/tags/Tide">#Tide</a> &amp; &lt;b&gt;boats&lt;/b&gt;, not @ab or foo@bar`
	if got != want {
		t.Errorf("linked =\n%s\nwant\n%s", got, want)
	}
	f := newFixture(t)
	b := f.browser()
	b.get("/worlds/tidewater/at/" + f.chars[1].Username).redirects("/characters/" + f.chars[1].ID)
	b.get("/worlds/tidewater/at/nobody_here").want(http.StatusNotFound)
	f.browser().get("/worlds/hidden-grove/at/anyone").want(http.StatusNotFound)
}

// A member with a character of their own comments as it, from the post
// page's form; someone else's character is refused and nothing is added.
func TestCommentAsYourCharacter(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := cyCharacter(t, f)
	cy := f.signedIn(f.cy)
	post := "/worlds/tidewater/posts/" + f.posts[5].ID
	cy.get(post).want(http.StatusOK, `<select id="comment-as" name="character_id">`, `<option value="cy-char" selected>Cy the Diver (@cy_the_diver)</option>`)
	cy.postForm(post+"/comments", url.Values{"text": {"Down at the wreck again."}, "character_id": {mine.ID}, "_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	cy.get(post).want(http.StatusOK, `<a href="/characters/cy-char">Cy the Diver</a>`, "Down at the wreck again.")
	cy.postForm(post+"/comments", url.Values{"text": {"Pretending."}, "character_id": {f.chars[0].ID}, "_csrf": {cy.csrf}}).want(http.StatusBadRequest)
	cy.get(post).lacks("Pretending.")
}

// The owner deletes their world from its About page, and it is gone; no
// one else may, nor sees the button; the About page counts the world's own
// characters apart from people's.
func TestOwnerDeletesTheirWorld(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cyCharacter(t, f)
	ada, bob := f.signedIn(f.ada), f.signedIn(f.bob)
	ada.get("/worlds/tidewater/about").want(http.StatusOK, "Delete Tidewater", `Characters <span class="muted">(3)</span>`,
		`Played by people <span class="muted">(1)</span>`)
	bob.get("/worlds/tidewater/about").want(http.StatusOK).lacks("Delete Tidewater")
	bob.postForm("/worlds/tidewater/delete", url.Values{"_csrf": {bob.csrf}}).want(http.StatusForbidden)
	ada.postForm("/worlds/tidewater/delete", url.Values{"_csrf": {"forged"}}).want(http.StatusForbidden)
	ada.get("/worlds/tidewater").want(http.StatusOK)
	ada.postForm("/worlds/tidewater/delete", url.Values{"_csrf": {ada.csrf}}).redirects("/?tab=mine")
	ada.get("/worlds/tidewater").want(http.StatusNotFound)
}

// A member deletes a post of their own character; the owner may remove
// any post of their world, labelled as moderation; anyone else may not.
func TestDeletePosts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := cyCharacter(t, f)
	own, _, err := f.store.CreatePost(t.Context(), generia.Post{ID: "cy-post", WorldID: "tidewater", CharacterID: mine.ID, Caption: "My dive.",
		MediaID: f.media("tidewater", "cy-img", generia.MediaPostImage), CreatedAt: time.Now()})
	f.ok(err, "cy's post")
	ada, bob, cy := f.signedIn(f.ada), f.signedIn(f.bob), f.signedIn(f.cy)
	cy.get("/worlds/tidewater/posts/"+own.ID).want(http.StatusOK, "Delete post").lacks("Remove post (owner)")
	cy.get("/worlds/tidewater/posts/"+f.posts[2].ID).lacks("Delete post", "Remove post")
	ada.get("/worlds/tidewater/posts/"+f.posts[2].ID).want(http.StatusOK, "Remove post (owner)")
	cy.postForm("/worlds/tidewater/posts/"+f.posts[2].ID+"/delete", url.Values{"_csrf": {cy.csrf}}).want(http.StatusForbidden)
	bob.postForm("/worlds/tidewater/posts/"+own.ID+"/delete", url.Values{"_csrf": {bob.csrf}}).want(http.StatusForbidden)
	cy.postForm("/worlds/tidewater/posts/"+own.ID+"/delete", url.Values{"_csrf": {cy.csrf}}).redirects("/worlds/tidewater")
	cy.get("/worlds/tidewater/posts/" + own.ID).want(http.StatusNotFound)
	ada.postForm("/worlds/tidewater/posts/"+f.posts[2].ID+"/delete", url.Values{"_csrf": {ada.csrf}}).redirects("/worlds/tidewater")
	ada.get("/worlds/tidewater/posts/" + f.posts[2].ID).want(http.StatusNotFound)
}

// The catalog is searched by name, description or idea; a search that finds
// nothing says so; one too long is a clear 400.
func TestCatalogSearch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	b.get("/").want(http.StatusOK, `<input id="search" type="search" name="q"`, `href="/worlds/tidewater"`)
	b.get("/?q=TIDE").want(http.StatusOK, `href="/worlds/tidewater"`, `value="TIDE"`)
	b.get("/?q=volcano").want(http.StatusOK, "No world matches “volcano”").lacks(`href="/worlds/tidewater"`)
	b.get("/?q=" + strings.Repeat("x", 101)).want(http.StatusBadRequest)
	f.signedIn(f.ada).get("/?tab=mine&q=singing").want(http.StatusOK, `href="/worlds/hidden-grove"`).lacks(`href="/worlds/tidewater"`)
	b.get("/?q=singing").lacks(`href="/worlds/hidden-grove"`)
}

// People edit their character, its posts and their world from the pages
// that show them; a refused edit shows the form again, open, with what was
// sent and the error beside its field; nobody sees another's edit form.
func TestEditsFromThePages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := cyCharacter(t, f)
	own, _, err := f.store.CreatePost(t.Context(), generia.Post{ID: "cy-post", WorldID: "tidewater", CharacterID: mine.ID, Caption: "My dive.",
		Hashtags: []string{"wreck"}, MediaID: f.media("tidewater", "cy-img", generia.MediaPostImage), CreatedAt: time.Now()})
	f.ok(err, "cy's post")
	ada, cy := f.signedIn(f.ada), f.signedIn(f.cy)
	postPage := "/worlds/tidewater/posts/" + own.ID

	// A post.
	cy.get(postPage).want(http.StatusOK, "Edit post", `<textarea id="edit-caption" name="caption" rows="3" maxlength="2200">My dive.</textarea>`, `value="wreck"`)
	ada.get(postPage).want(http.StatusOK).lacks("Edit post")
	cy.postForm(postPage+"/edit", url.Values{"caption": {strings.Repeat("x", 2201)}, "hashtags": {"deep"}, "_csrf": {cy.csrf}}).want(http.StatusBadRequest,
		`<details class="edit" open>`, `aria-invalid="true" aria-describedby="edit-caption-error"`,
		`<p class="field-error" id="edit-caption-error" role="alert">Caption must be at most 2200 characters</p>`, `value="deep"`)
	cy.postForm(postPage+"/edit", url.Values{"caption": {"Deeper today."}, "hashtags": {"#deep, wreck"}, "_csrf": {cy.csrf}}).redirects(postPage)
	cy.get(postPage).want(http.StatusOK, "Deeper today.", `href="/worlds/tidewater/tags/deep"`).lacks("My dive.")
	ada.postForm(postPage+"/edit", url.Values{"caption": {"Moderated."}, "_csrf": {ada.csrf}}).want(http.StatusForbidden)

	// A character.
	cy.get("/characters/cy-char").want(http.StatusOK, "Edit profile", `value="Cy the Diver"`)
	ada.get("/characters/cy-char").want(http.StatusOK).lacks("Edit profile")
	ada.get("/characters/" + f.chars[0].ID).want(http.StatusOK).lacks("Edit profile")
	cy.postForm("/characters/cy-char/edit", url.Values{"display_name": {" "}, "bio": {"Dives."}, "_csrf": {cy.csrf}}).want(http.StatusBadRequest,
		`id="edit-name-error" role="alert">Display name must be 1 to 60 characters</p>`, "Dives.")
	cy.postForm("/characters/cy-char/edit", url.Values{"display_name": {"Cy Deepwater"}, "bio": {"Dives at dawn."}, "_csrf": {cy.csrf}}).redirects("/characters/cy-char")
	cy.get("/characters/cy-char").want(http.StatusOK, "<h1>Cy Deepwater</h1>", "Dives at dawn.", "@cy_the_diver",
		`action="/characters/cy-char/delete"`, "Delete character")
	ada.get("/characters/cy-char").want(http.StatusOK).lacks("Delete character")
	ada.postForm("/characters/cy-char/delete", url.Values{"_csrf": {ada.csrf}}).want(http.StatusForbidden)
	ada.postForm("/characters/"+f.chars[0].ID+"/delete", url.Values{"_csrf": {ada.csrf}}).want(http.StatusForbidden)
	cy.postForm("/characters/cy-char/delete", url.Values{}).want(http.StatusForbidden) // no CSRF token: refused

	// The world.
	ada.get("/worlds/tidewater/about").want(http.StatusOK, "Edit this world", `<option value="public" selected>`)
	cy.get("/worlds/tidewater/about").want(http.StatusOK).lacks("Edit this world")
	ada.postForm("/worlds/tidewater/edit", url.Values{"name": {""}, "description": {"Still here."}, "visibility": {"public"}, "_csrf": {ada.csrf}}).want(http.StatusBadRequest,
		`id="edit-name-error" role="alert">Name must be 1 to 100 characters</p>`, "Still here.")
	ada.postForm("/worlds/tidewater/edit", url.Values{"name": {"Tidewell"}, "description": {"A harbour that keeps its water."}, "visibility": {"sometimes"}, "_csrf": {ada.csrf}}).want(http.StatusBadRequest,
		`id="edit-visibility-error" role="alert">Visibility must be public or private</p>`)
	cy.postForm("/worlds/tidewater/edit", url.Values{"name": {"Cy's"}, "description": {""}, "visibility": {"public"}, "_csrf": {cy.csrf}}).want(http.StatusForbidden)
	// Deleting one's character takes its posts with it.
	cy.postForm("/characters/cy-char/delete", url.Values{"_csrf": {cy.csrf}}).redirects("/worlds/tidewater")
	cy.get("/characters/cy-char").want(http.StatusNotFound)
	cy.get(postPage).want(http.StatusNotFound)
	ada.get("/characters/" + f.chars[0].ID).want(http.StatusOK)
	ada.postForm("/worlds/tidewater/edit", url.Values{"name": {"Tidewell"}, "description": {"A harbour that keeps its water."}, "visibility": {"private"}, "_csrf": {ada.csrf}}).redirects("/worlds/tidewater/about")
	ada.get("/worlds/tidewater").want(http.StatusOK, "Tidewell", "A harbour that keeps its water.", "private")
	f.browser().get("/worlds/tidewater").want(http.StatusNotFound)
}

// cyCharacter makes Cy's own character in Tidewater, @cy_the_diver.
func cyCharacter(t *testing.T, f *fixture) generia.Character {
	t.Helper()
	c, _, err := f.store.CreateCharacter(t.Context(), generia.Character{ID: "cy-char", WorldID: "tidewater", OwnerID: f.cy.ID,
		Username: "cy_the_diver", DisplayName: "Cy the Diver", CreatedAt: t0})
	f.ok(err, "cy's character")
	return c
}

// Joining says what to do next: the world page opens at its character
// form, open at the top of the feed's column, saying why; once the person
// has a character, it is closed and offers another.
func TestJoiningOpensTheCharacterForm(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bob := f.signedIn(f.bob)
	bob.get("/worlds/tidewater").lacks(`id="new-character"`)
	bob.postForm("/worlds/tidewater/join", url.Values{"_csrf": {bob.csrf}}).redirects("/worlds/tidewater#new-character")
	page := bob.get("/worlds/tidewater").want(http.StatusOK,
		`<details class="card create-character" id="new-character" open>`, "Create your character", "You joined Tidewater.")
	wantInOrder(t, page.body, `<div class="world-main">`, `id="new-character"`, `action="/worlds/tidewater/characters"`, `id="feed"`)

	bob.postMultipart("/worlds/tidewater/characters", url.Values{"_csrf": {bob.csrf}, "display_name": {"Bob Oar"}}, nil).want(http.StatusSeeOther)
	bob.get("/worlds/tidewater").want(http.StatusOK, `<details class="card create-character" id="new-character">`, "Create another character").
		lacks("You joined Tidewater.")
	// The owner, who made the world, is not pressed to.
	f.signedIn(f.ada).get("/worlds/tidewater").want(http.StatusOK, `<details class="card create-character" id="new-character">`).
		lacks("You joined")
}

// The owner's life and invitation panels sit in the feed's column, at its
// width, on every screen.
func TestOwnersPanelsSitInTheFeedColumn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.social.Life = &fakeLife{settings: map[string]generia.LifeSettings{"tidewater": {Enabled: true, ActionsPerHour: 6, DailyCalls: 200, DailyBudgetUSD: 0.5}}}
	page := f.signedIn(f.ada).get("/worlds/tidewater").want(http.StatusOK)
	wantInOrder(t, page.body, `<div class="world-columns">`, `<div class="world-main">`, "data-life-panel", "data-invite-panel", `id="feed"`)
	css := f.browser().get("/static/app.css").want(http.StatusOK).body
	if !strings.Contains(css, ".world-columns { max-width: 640px;") {
		t.Error("the feed's column has no width of its own")
	}
}

// wantInOrder fails unless page holds each of parts, one after the other.
func wantInOrder(t *testing.T, page string, parts ...string) {
	t.Helper()
	at := 0
	for _, s := range parts {
		i := strings.Index(page[at:], s)
		if i < 0 {
			t.Fatalf("the page lacks %q after %q (want %q in order)", s, page[max(0, at-80):at], parts)
		}
		at += i + len(s)
	}
}
