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

// A post page shows its comments in threads: a reply under the comment it
// answers, a reply to a reply in the same level "replying to @name"; every
// comment has a Reply form; a deleted comment with replies stays as
// "deleted"; a reply to it is refused and stores nothing.
func TestCommentThreads(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := cyCharacter(t, f)
	post := "/worlds/tidewater/posts/" + f.posts[5].ID
	ai := f.chars[1]
	for i, c := range []generia.Comment{
		{ID: "m-root", UserID: f.cy.ID, Text: "Who lit the lanterns?"},
		{ID: "m-ai", CharacterID: ai.ID, IsAI: true, ParentID: "m-root", Text: "Mara did, at dusk."},
		{ID: "m-again", UserID: f.cy.ID, ParentID: "m-ai", Text: "Did she now?"},
		{ID: "m-alone", UserID: f.cy.ID, Text: "Quiet tonight."},
	} {
		c.PostID, c.CreatedAt = f.posts[5].ID, time.Now().Add(time.Duration(i-10)*time.Minute)
		_, err := f.store.AddComment(t.Context(), c)
		f.ok(err, "comment "+c.ID)
	}

	page := f.browser().get(post).want(http.StatusOK, `<ul class="comment-replies"`, "replying to @"+ai.Username,
		`id="comment-m-ai" data-comment data-parent="m-root"`).body
	order := []string{`id="comment-m-root"`, `<ul class="comment-replies"`, `id="comment-m-ai"`, `id="comment-m-again"`, `</ul>`, `id="comment-m-alone"`}
	last := -1
	for _, s := range order {
		i := strings.Index(page[last+1:], s)
		if i < 0 {
			t.Fatalf("the page lacks %q after the thread's earlier parts (want %v)", s, order)
		}
		last += 1 + i
	}
	if strings.Count(page, "replying to @") != 1 {
		t.Errorf("want one \"replying to\" (the reply to a reply), got %d", strings.Count(page, "replying to @"))
	}
	if strings.Contains(page, `name="parent_id"`) {
		t.Error("a visitor sees Reply forms")
	}

	cy := f.signedIn(f.cy)
	cy.get(post).want(http.StatusOK, `<summary>Reply</summary>`, `name="parent_id" value="m-ai"`,
		`<label for="reply-m-ai">Reply to <span data-reply-to>@`+ai.Username+`</span> as <span data-reply-as>Cy the Diver (@cy_the_diver)</span></label>`,
		`<textarea id="reply-m-ai" name="text"`, `name="character_id" value="`+mine.ID+`"`)
	cy.postForm(post+"/comments", url.Values{"text": {"She did."}, "parent_id": {"m-ai"}, "character_id": {mine.ID}, "_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	if n := strings.Count(cy.get(post).body, "replying to @"+ai.Username); n != 2 {
		t.Errorf("after cy's reply to the AI's reply, %d replies name @%s, want 2", n, ai.Username)
	}

	cy.postForm(post+"/comments/m-root/delete", url.Values{"_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	cy.get(post).want(http.StatusOK, "This comment was deleted.", `id="comment-m-root"`, "Mara did, at dusk.").
		lacks("Who lit the lanterns?", "comments/m-root/delete", `name="parent_id" value="m-root"`)
	cy.postForm(post+"/comments", url.Values{"text": {"Hello, anyone?"}, "parent_id": {"m-root"}, "_csrf": {cy.csrf}}).
		want(http.StatusBadRequest, "was deleted")
	cy.get(post).lacks("Hello, anyone?")
	cy.postForm(post+"/comments/m-alone/delete", url.Values{"_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	cy.get(post).lacks(`id="comment-m-alone"`)
}

// "Comment as" starts at the person's own character in the world and
// then keeps their last choice there.
func TestCommentAsRemembersTheLastChoice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cyCharacter(t, f)
	cy := f.signedIn(f.cy)
	post := "/worlds/tidewater/posts/" + f.posts[5].ID
	cy.get(post).want(http.StatusOK, `<option value="cy-char" selected>`).lacks(`<option value="" selected>`)
	cy.postForm(post+"/comments", url.Values{"text": {"As myself."}, "character_id": {""}, "_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	cy.get(post).want(http.StatusOK, `<option value="" selected>`).lacks(`<option value="cy-char" selected>`)
	cy.postForm(post+"/comments", url.Values{"text": {"As the diver."}, "character_id": {"cy-char"}, "_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	cy.get(post).want(http.StatusOK, `<option value="cy-char" selected>`)
	// A forged choice of someone else's character is not taken up.
	cy.client.Jar.SetCookies(mustURL(t, f.srv.URL), []*http.Cookie{{Name: commentAsCookie, Value: url.QueryEscape("tidewater " + f.chars[0].ID), Path: "/"}})
	cy.get(post).want(http.StatusOK, `<option value="cy-char" selected>`).lacks(`value="` + f.chars[0].ID + `"`)
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A reply comes on the live stream with the comment it answers, so that
// the page puts it in its thread.
func TestLiveReplyNamesItsParent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.social.Life = &fakeLife{settings: map[string]generia.LifeSettings{"tidewater": {Enabled: true}}}
	events, _ := f.signedIn(f.ada).openLive(t, "/worlds/tidewater/live")
	asked, err := f.social.AddComment(t.Context(), f.cy.ID, "tidewater", f.posts[3].ID, social.NewComment{Text: "Anyone out?"})
	f.ok(err, "cy comments")
	if e := nextLive(t, events, "comment"); e.data["id"] != asked.ID || e.data["parent_id"] != "" {
		t.Errorf("the first comment's event = %+v, want no parent", e.data)
	}
	reply, err := f.social.AddComment(t.Context(), f.ada.ID, "tidewater", f.posts[3].ID, social.NewComment{Text: "Always.", ParentID: asked.ID})
	f.ok(err, "ada replies")
	if e := nextLive(t, events, "comment"); e.data["id"] != reply.ID || e.data["parent_id"] != asked.ID {
		t.Errorf("the reply's event = %+v, want parent_id %s", e.data, asked.ID)
	}
}

// A reply whose comment is on an earlier page of comments stands at the
// first level and names whom it answers; one whose comment the viewer
// does not see says only that, naming no one.
func TestRepliesNameCommentsNotOnThePage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	post := f.posts[5]
	at := time.Now().Add(-time.Hour)
	add := func(c generia.Comment) {
		t.Helper()
		at = at.Add(time.Second)
		c.PostID, c.CreatedAt = post.ID, at
		_, err := f.store.AddComment(t.Context(), c)
		f.ok(err, "comment "+c.ID)
	}
	add(generia.Comment{ID: "e-root", CharacterID: f.chars[1].ID, IsAI: true, Text: "High water again."})
	add(generia.Comment{ID: "e-held", UserID: f.bob.ID, Text: "Something held.", Review: generia.Review{State: generia.ReviewHeld}})
	add(generia.Comment{ID: "e-to-held", UserID: f.cy.ID, ParentID: "e-held", Text: "Answering the held one."})
	for i := range commentsPageSize {
		add(generia.Comment{ID: fmt.Sprintf("e-fill-%02d", i), UserID: f.cy.ID, Text: fmt.Sprintf("Filler %02d.", i)})
	}
	add(generia.Comment{ID: "e-late", UserID: f.cy.ID, ParentID: "e-root", Text: "Late answer to the root."})

	cy := f.signedIn(f.cy)
	first := cy.get("/worlds/tidewater/posts/"+post.ID).want(http.StatusOK, "Answering the held one.", "replying to a comment not shown here").
		lacks("Something held.", "@bob", "Late answer to the root.")
	next := strings.ReplaceAll(first.match(`href="(/worlds/tidewater/posts/`+post.ID+`\?comments=[^"#]+)`), "&amp;", "&")
	second := cy.get(next).want(http.StatusOK, "Late answer to the root.", "replying to @"+f.chars[1].Username).lacks("High water again.")
	wantInOrder(t, second.body, `id="comment-e-late"`, `class="comment-replying muted">replying to @`+f.chars[1].Username)
	if strings.Contains(second.body, `<ul class="comment-replies"`) {
		t.Error("the late reply is nested under nothing on its page")
	}
	// Its author sees their held comment, with the reply under it.
	f.signedIn(f.bob).get("/worlds/tidewater/posts/"+post.ID).want(http.StatusOK, "Something held.", "Answering the held one.").
		lacks("replying to a comment not shown here")
}

// Comments that arrive on the live stream come with their Reply form,
// speaking as the person's "Comment as" choice; a visitor's have none.
func TestLiveCommentsComeWithReplyForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := cyCharacter(t, f)
	cyEvents, _ := f.signedIn(f.cy).openLive(t, "/worlds/tidewater/live")
	visitorEvents, _ := f.browser().openLive(t, "/worlds/tidewater/live")
	c, err := f.social.AddComment(t.Context(), f.ada.ID, "tidewater", f.posts[3].ID, social.NewComment{Text: "Tide's turning."})
	f.ok(err, "ada comments")
	e := nextLive(t, cyEvents, "comment")
	for _, want := range []string{`class="form reply-form"`, `name="parent_id" value="` + c.ID + `"`, `name="character_id" value="` + mine.ID + `"`,
		`Reply to <span data-reply-to>@ada</span> as <span data-reply-as>Cy the Diver (@cy_the_diver)</span>`} {
		if !strings.Contains(e.data["html"], want) {
			t.Errorf("cy's live comment lacks %q:\n%s", want, e.data["html"])
		}
	}
	if e := nextLive(t, visitorEvents, "comment"); strings.Contains(e.data["html"], "reply-form") {
		t.Errorf("a visitor's live comment has a Reply form:\n%s", e.data["html"])
	}
}
