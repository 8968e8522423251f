package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
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
	// raw is the event's data as sent, for the fields that are not strings.
	raw string
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
				e.raw = strings.TrimPrefix(line, "data: ")
				_ = json.Unmarshal([]byte(e.raw), &e.data)
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

// untilEnd reads a live stream until it ends; it fails the test after
// 30 s.
func untilEnd(t *testing.T, events <-chan liveEvent) []liveEvent {
	t.Helper()
	var got []liveEvent
	deadline := time.After(30 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return got
			}
			got = append(got, e)
		case <-deadline:
			t.Fatalf("the live stream is still open after 30 s, with %d events", len(got))
		}
	}
}

// When its owner makes a world private, the open pages of a visitor and
// of a stranger lose their live stream and get nothing after; a member's
// goes on with what is new.
func TestLiveStreamEndsWhenTheWorldIsMadePrivate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	visitor, _ := f.browser().openLive(t, "/worlds/tidewater/live")
	stranger, _ := f.signedIn(f.bob).openLive(t, "/worlds/tidewater/live")
	member, _ := f.signedIn(f.cy).openLive(t, "/worlds/tidewater/live")

	private := generia.VisibilityPrivate
	_, err := f.social.EditWorld(t.Context(), f.ada.ID, "tidewater", social.WorldEdit{Visibility: &private})
	f.ok(err, "ada makes Tidewater private")
	p := generia.Post{ID: "post-private", WorldID: "tidewater", CharacterID: f.chars[1].ID, Caption: "Only for us",
		MediaID: f.media("tidewater", "img-private", generia.MediaPostImage), Life: true, CreatedAt: time.Now().UTC()}
	_, _, err = f.store.CreatePost(t.Context(), p)
	f.ok(err, "a post after")

	if e := nextLive(t, member, "post"); e.data["id"] != p.ID {
		t.Errorf("the member's post event = %+v", e)
	}
	for who, events := range map[string]<-chan liveEvent{"a visitor": visitor, "a stranger": stranger} {
		for _, e := range untilEnd(t, events) {
			if e.kind == "post" {
				t.Errorf("%s's stream sent a post of the private world: %+v", who, e)
			}
		}
	}
}

// The 21st live stream from one address is refused with 429 and a
// Retry-After, before the world is read.
func TestTheTwentyFirstLiveStreamIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	for i := range 20 {
		if _, status := b.openLive(t, "/worlds/tidewater/live"); status != http.StatusOK {
			t.Fatalf("live stream %d: %d", i+1, status)
		}
	}
	res, err := b.client.Get(f.srv.URL + "/worlds/tidewater/live")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Errorf("the 21st live stream: %d, Retry-After %q; want 429 with Retry-After", res.StatusCode, res.Header.Get("Retry-After"))
	}
}
