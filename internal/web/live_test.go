package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// liveEvent is one event of a page's live stream, with its JSON data.
type liveEvent struct {
	kind, id string
	data     map[string]string
}

// openLive opens a world's live stream as the browser, and returns its
// events as they come.
func (b *browser) openLive(t *testing.T, path string) (<-chan liveEvent, int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, "GET", b.f.srv.URL+path, nil)
	res, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan liveEvent, 32)
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		close(events)
		return events, res.StatusCode
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("live stream Content-Type %q", ct)
	}
	go func() {
		defer res.Body.Close()
		defer close(events)
		sc := bufio.NewScanner(res.Body)
		var e liveEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				e.kind = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "id: "):
				e.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "data: "):
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &e.data)
			case line == "" && e.kind != "":
				events <- e
				e = liveEvent{}
			}
		}
	}()
	return events, res.StatusCode
}

func nextLive(t *testing.T, events <-chan liveEvent, kind string) liveEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("the live stream ended before a %s event", kind)
			}
			if e.kind == kind {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event in 10 s", kind)
		}
	}
}

// An open page gets the world's new comments and posts, rendered for its
// viewer and escaped as the page is; a stranger gets no stream of a world
// they may not see.
func TestLiveStreamRendersWhatIsNew(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.social.Life = &fakeLife{settings: map[string]generia.LifeSettings{"tidewater": {Enabled: true}}}
	ada, bob := f.signedIn(f.ada), f.signedIn(f.bob)
	owner, _ := ada.openLive(t, "/worlds/tidewater/live")
	stranger, _ := bob.openLive(t, "/worlds/tidewater/live")
	if e := nextLive(t, owner, "life"); e.data["state"] != generia.LifeAwake || e.data["help"] == "" {
		t.Errorf("life event = %+v", e)
	}

	added, err := f.social.AddComment(t.Context(), f.cy.ID, "tidewater", f.posts[3].ID, social.NewComment{Text: "Tides <b>never</b> lie"})
	f.ok(err, "cy comments")
	c := added.Comment
	for who, events := range map[string]<-chan liveEvent{"the owner": owner, "a stranger": stranger} {
		e := nextLive(t, events, "comment")
		html := e.data["html"]
		if e.data["id"] != c.ID || e.data["post_id"] != f.posts[3].ID || e.id == "" {
			t.Errorf("%s's comment event = %+v", who, e)
		}
		if !strings.Contains(html, `id="comment-`+c.ID+`"`) || !strings.Contains(html, "Tides &lt;b&gt;never&lt;/b&gt; lie") || !strings.Contains(html, "@cyd") {
			t.Errorf("%s's comment HTML, want the comment escaped with its speaker:\n%s", who, html)
		}
		if canDelete := strings.Contains(html, "data-comment-delete"); canDelete != (who == "the owner") {
			t.Errorf("%s's comment HTML has a delete form: %v", who, canDelete)
		}
	}

	p := generia.Post{ID: "post-live", WorldID: "tidewater", CharacterID: f.chars[1].ID, Caption: `Live <img src=x onerror=alert(1)> news`,
		MediaID: f.media("tidewater", "img-live", generia.MediaPostImage), Life: true, CreatedAt: time.Now().UTC()} // a character posts of its own accord
	_, _, err = f.store.CreatePost(t.Context(), p)
	f.ok(err, "a new post")
	e := nextLive(t, owner, "post")
	if html := e.data["html"]; e.data["id"] != p.ID || !strings.Contains(html, `id="post-post-live"`) ||
		!strings.Contains(html, "Live &lt;img src=x onerror=alert(1)&gt; news") || !strings.Contains(html, f.chars[1].DisplayName) {
		t.Errorf("post event = %+v, want the post card, escaped", e)
	}

	if _, status := bob.openLive(t, "/worlds/hidden-grove/live"); status != http.StatusNotFound {
		t.Errorf("a stranger's live stream of a private world: %d, want 404", status)
	}
	ada.get("/worlds/tidewater").want(http.StatusOK, `data-world-live="/worlds/tidewater/live"`)
	ada.get("/worlds/tidewater/posts/"+f.posts[3].ID).want(http.StatusOK, `data-world-live="/worlds/tidewater/live" data-post="`+f.posts[3].ID+`"`,
		"The characters you speak to answer in a few seconds.")
}

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
	mine, _, err := f.store.CreateCharacter(t.Context(), generia.Character{ID: "cy-char", WorldID: "tidewater", OwnerID: f.cy.ID,
		Username: "cy_the_diver", DisplayName: "Cy the Diver", CreatedAt: t0})
	f.ok(err, "cy's character")
	cy := f.signedIn(f.cy)
	post := "/worlds/tidewater/posts/" + f.posts[5].ID
	cy.get(post).want(http.StatusOK, `<select id="comment-as" name="character_id">`, `<option value="cy-char">Cy the Diver (@cy_the_diver)</option>`)
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
	_, _, err := f.store.CreateCharacter(t.Context(), generia.Character{ID: "cy-char", WorldID: "tidewater", OwnerID: f.cy.ID,
		Username: "cy_the_diver", DisplayName: "Cy the Diver", CreatedAt: t0})
	f.ok(err, "cy's character")
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
	mine, _, err := f.store.CreateCharacter(t.Context(), generia.Character{ID: "cy-char", WorldID: "tidewater", OwnerID: f.cy.ID,
		Username: "cy_the_diver", DisplayName: "Cy the Diver", CreatedAt: t0})
	f.ok(err, "cy's character")
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
