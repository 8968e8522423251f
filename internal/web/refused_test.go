package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/socialtest"
)

// A comment a moderation check refuses is shown again in its form with
// the reason and 422 (the text kept, to be changed), not as a server
// error, and is not added.
func TestWebShowsWhyACommentIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.social.Moderator = &socialtest.Words{Flags: map[string]generia.Category{"grooming": generia.CategorySexualMinors}}
	cy := f.signedIn(f.cy)
	post := "/worlds/tidewater/posts/post-03"
	cy.get(post)
	cy.postForm(post+"/comments", url.Values{"text": {"A grooming guide"}, "_csrf": {cy.csrf}}).
		want(http.StatusUnprocessableEntity, "This cannot be published: it falls under sexual/minors", ">A grooming guide</textarea>").lacks("Something went wrong")
	if p, err := f.social.Post(t.Context(), "", "tidewater", "post-03"); err != nil || p.CommentsCount != 0 {
		t.Errorf("post-03 has %d comments (%v), want none", p.CommentsCount, err)
	}
}
