package web

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/ratelimit"
)

// The comment form's limit is enforced by the router: within a limit of 3
// comments, refused ones (empty, a visitor's) spend nothing, three go
// through, and the fourth is refused with 429 and not added.
func TestWebCommentLimitIsEnforced(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.limits.Set(ratelimit.Comments, ratelimit.Rate{N: 3, Period: time.Hour})
	cy := f.signedIn(f.cy)
	post := "/worlds/tidewater/posts/post-03"
	for range 5 {
		cy.postForm(post+"/comments", url.Values{"text": {"   "}, "_csrf": {cy.csrf}}).want(http.StatusBadRequest, "A comment is 1 to 1000 characters")
	}
	f.browser().postForm(post+"/comments", url.Values{"text": {"A visitor"}}).redirects("/login")
	for i := range 3 {
		if res := cy.postForm(post+"/comments", url.Values{"text": {"Number " + string(rune('1'+i))}, "_csrf": {cy.csrf}}); res.status != http.StatusSeeOther {
			t.Fatalf("comment %d within a limit of 3, after 6 refused ones: status %d\n%s", i+1, res.status, res.body)
		}
	}
	res := cy.postForm(post+"/comments", url.Values{"text": {"One too many"}, "_csrf": {cy.csrf}}).want(http.StatusTooManyRequests, "Limit reached", "Too many comments")
	if res.header.Get("Retry-After") == "" {
		t.Error("the refusal has no Retry-After")
	}
	if p, err := f.social.Post(t.Context(), "", "tidewater", "post-03"); err != nil || p.CommentsCount != 3 {
		t.Errorf("post-03 has %d comments (%v), want the 3 within the limit", p.CommentsCount, err)
	}
	cy.get(post).want(http.StatusOK, "Number 3").lacks("One too many")
}

// A flood of posts from the compose form is refused at the limit, and the
// refused posts are not made; an invalid post spends nothing.
func TestWebPostFloodIsRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.limits.Set(ratelimit.Posts, ratelimit.Rate{N: 2, Period: time.Hour})
	mine := cyCharacter(t, f)
	cy := f.signedIn(f.cy)
	img := pngBytes(t, 64, 64)
	cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {mine.ID}, "caption": {"No image"}, "_csrf": {cy.csrf}}, nil).
		want(http.StatusBadRequest, "Choose an image to post")
	for i := range 2 {
		if res := cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {mine.ID}, "caption": {"Flood"}, "_csrf": {cy.csrf}}, img); res.status != http.StatusSeeOther {
			t.Fatalf("post %d within a limit of 2: status %d\n%s", i+1, res.status, res.body)
		}
	}
	cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {mine.ID}, "caption": {"Flood"}, "_csrf": {cy.csrf}}, img).
		want(http.StatusTooManyRequests, "Too many posts")
	posts, _, err := f.social.CharacterPosts(t.Context(), "", mine.ID, generia.Page{Limit: 50})
	if err != nil || len(posts) != 2 {
		t.Errorf("cy's character has %d posts (%v), want the 2 within the limit", len(posts), err)
	}
}

// Life changes and live streams are limited by their routes too.
func TestWebLifeAndLiveAreLimited(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.limits.Set(ratelimit.Streams, ratelimit.Rate{N: 1, Period: time.Hour})
	f.limits.Set(ratelimit.Life, ratelimit.Rate{N: 1, Period: time.Hour})
	f.social.Life = &fakeLife{settings: map[string]generia.LifeSettings{"tidewater": {Enabled: true, ActionsPerHour: 6, DailyCalls: 200, DailyBudgetUSD: 0.5}}}
	b := f.browser()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", f.srv.URL+"/worlds/tidewater/live", nil)
	first, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Body.Close()
	if first.StatusCode != http.StatusOK {
		t.Fatalf("the first live stream: status %d", first.StatusCode)
	}
	b.get("/worlds/tidewater/live").want(http.StatusTooManyRequests, "Too many streams opened")

	ada := f.signedIn(f.ada)
	bad := url.Values{"daily_calls": {"0"}, "enabled": {"1"}, "_csrf": {ada.csrf}}
	ada.postForm("/worlds/tidewater/life", bad).want(http.StatusBadRequest) // spends nothing
	for i, want := range []int{http.StatusSeeOther, http.StatusTooManyRequests} {
		if res := ada.postForm("/worlds/tidewater/life", url.Values{"enabled": {"1"}, "actions_per_hour": {"3"}, "daily_calls": {"50"}, "daily_budget_usd": {"0.25"}, "_csrf": {ada.csrf}}); res.status != want {
			t.Errorf("life change %d within a limit of 1: status %d, want %d\n%s", i+1, res.status, want, res.body)
		}
	}
}

// Reports are limited per account: within a limit of 2, a refused report
// spends nothing, two are filed, the third is refused with 429 and opens no
// case.
func TestWebReportLimitIsEnforced(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.limits.Set(ratelimit.Reports, ratelimit.Rate{N: 2, Period: time.Hour})
	bob := f.signedIn(f.bob)
	mod := f.signedIn(f.staff("mia", generia.RoleModerator))
	report := func(postID, reason string) response {
		return bob.postForm("/report", url.Values{"subject_type": {"post"}, "subject_id": {postID}, "reason": {reason}, "_csrf": {bob.csrf}})
	}
	report("post-01", "ugly").want(http.StatusBadRequest)
	report("post-01", "spam").want(http.StatusOK, "Report received")
	report("post-02", "spam").want(http.StatusOK, "Report received")
	if res := report("post-04", "spam").want(http.StatusTooManyRequests, "Limit reached"); res.header.Get("Retry-After") == "" {
		t.Error("the refused report has no Retry-After")
	}
	mod.get("/admin").want(http.StatusOK, "Caption 01", "Caption 02").lacks("Caption 04")
}
