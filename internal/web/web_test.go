package web

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
)

func TestCatalog(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	t.Run("a visitor sees public worlds only", func(t *testing.T) {
		f.browser().get("/").want(http.StatusOK,
			"Tidewater", "A harbour where the tide never goes out.", "3 characters", "25 posts",
			`src="/api/v1/media/tw-header?w=640"`, `srcset="/api/v1/media/tw-header?w=320 320w, /api/v1/media/tw-header?w=480 480w, `,
			`src="/api/v1/media/tw-icon?w=160"`, `sizes="80px"`, `href="/worlds/tidewater"`, "Sign in",
		).lacks("Hidden Grove", `href="/?tab=mine"`, `name="csrf-token"`)
	})
	t.Run("the owner explores their private world, generating, and the tabs", func(t *testing.T) {
		b := f.signedIn(f.ada)
		b.get("/explore").want(http.StatusOK, "Hidden Grove", "generating… ", "private", `href="/explore?tab=mine"`, "@ada", `action="/logout"`)
		b.get("/?tab=mine").want(http.StatusOK, "Hidden Grove", "Tidewater")
		b.get("/?tab=joined").want(http.StatusOK, "You have not joined a world yet")
	})
	t.Run("a member sees the world under joined", func(t *testing.T) {
		f.signedIn(f.cy).get("/?tab=joined").want(http.StatusOK, "Tidewater").lacks("Hidden Grove")
	})
	t.Run("a stranger never sees the private world", func(t *testing.T) {
		f.signedIn(f.bob).get("/?tab=mine").want(http.StatusOK, "You have not made a world yet", `href="/worlds/new"`).lacks("Hidden Grove")
	})
	t.Run("mine needs a sign-in", func(t *testing.T) {
		f.browser().get("/?tab=mine").redirects("/login?next=%2F%3Ftab%3Dmine")
	})
}

func TestCatalogEmptyAndPaged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	// 13 more public worlds: with Tidewater, 14 public ones, more than a page.
	for i := range 13 {
		id := fmt.Sprintf("extra-%02d", i)
		w := generia.World{ID: id, OwnerID: f.bob.ID, Name: fmt.Sprintf("Extra world %02d", i), Prompt: "p", CharactersCount: 1, PostsCount: 1,
			Visibility: generia.VisibilityPublic, WorkflowID: generia.WorldWorkflowID(id), CreatedAt: t0.Add(time.Duration(i+1) * time.Hour), UpdatedAt: t0}
		f.ok(f.store.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(1, 1))), "creating "+id)
	}
	b := f.browser()
	first := b.get("/").want(http.StatusOK, "Extra world 12", "Load more worlds").lacks("Tidewater")
	more := html.UnescapeString(first.match(`data-more="([^"]+)"`))
	page := html.UnescapeString(first.match(`<a class="btn btn-ghost" href="([^"]+)" data-more=`))
	if !strings.HasPrefix(more, "/worlds/cards?cursor=") || !strings.HasPrefix(page, "/?cursor=") {
		t.Fatalf("load more links %q and %q", page, more)
	}
	// Without JavaScript: the next page.
	b.get(page).want(http.StatusOK, "Tidewater", "Extra world 00").lacks("Extra world 12")
	// With it: the cards alone, and the end of the list.
	frag := b.get(more).want(http.StatusOK, "Tidewater", "Extra world 00", `data-next-cursor=""`).lacks("<html", "Extra world 12")
	if strings.Count(frag.body, `class="card world-card"`) != 2 {
		t.Errorf("the last page has %d cards, want 2", strings.Count(frag.body, `class="card world-card"`))
	}
	b.get("/?cursor=garbage").want(http.StatusBadRequest, "That did not work")

	// Most posts first: Tidewater's 25 come before the empty extras, and its
	// "load more" keeps the order.
	byPosts := b.get("/?sort=posts").want(http.StatusOK, `<option value="posts" selected>Most posts</option>`, "Tidewater")
	if i, j := strings.Index(byPosts.body, "Tidewater"), strings.Index(byPosts.body, "Extra world"); i > j {
		t.Error("sorted by posts, Tidewater (25 posts) comes after a world with none")
	}
	if more := html.UnescapeString(byPosts.match(`data-more="([^"]+)"`)); !strings.Contains(more, "sort=posts") {
		t.Errorf("load more of the posts order is %q, want it to keep sort=posts", more)
	}
	b.get("/?sort=oldest").want(http.StatusOK, `<option value="oldest" selected>Oldest</option>`, "Tidewater").lacks("Extra world 12")
	b.get("/?sort=popular").want(http.StatusBadRequest, "That did not work")

	// A site with no worlds at all.
	g := newFixture(t)
	f.ok(g.social.DeleteWorld(ctx, g.ada.ID, "tidewater"), "deleting Tidewater")
	g.browser().get("/").want(http.StatusOK, "No worlds yet — create one", `href="/worlds/new"`)
}

func TestWorldPageAndFeed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	res := b.get("/worlds/tidewater").want(http.StatusOK,
		"<title>Tidewater · Generia</title>", "A harbour where the tide never goes out.",
		`src="/api/v1/media/tw-header?w=960" srcset="/api/v1/media/tw-header?w=480 480w, `, `fetchpriority="high"`, `href="/worlds/tidewater/about"`, "Sign in to join",
		"Caption 23 from the docks", "Caption 15 from the docks", `href="/characters/char-1"`, "Oren Vale",
		`src="/api/v1/media/img-23?w=640"`, `sizes="(min-width: 672px) 640px, 100vw" width="64" height="64"`, `loading="lazy"`, "#tide", "#day23",
		`href="/worlds/tidewater/posts/post-23#comments"`,
		// The caption with markup is shown as text.
		`Newest &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; post`,
	).lacks(`<script>alert("x")</script>`, "Caption 14 from the docks", "data-progress", `name="csrf-token"`)
	// Sel Brine has no avatar yet: a placeholder with the initial.
	if !strings.Contains(res.body, `avatar-ph" role="img" aria-label="Sel Brine has no avatar yet">S</span>`) {
		t.Error("no avatar placeholder for a character without one")
	}

	// Infinite scroll: the next cards and the cursor.
	cursor := html.UnescapeString(res.match(`data-more="/worlds/tidewater/feed\?cursor=([^"]+)"`))
	frag := b.get("/worlds/tidewater/feed?cursor="+url.QueryEscape(cursor)).want(http.StatusOK,
		"Caption 14 from the docks", "Caption 05 from the docks").lacks("<html", "Caption 15 from the docks", "Caption 04 from the docks")
	next := frag.match(`data-next-cursor="([^"]+)"`)
	last := b.get("/worlds/tidewater/feed?cursor="+url.QueryEscape(html.UnescapeString(next))).want(http.StatusOK, "Caption 04 from the docks", "Caption 00 from the docks", `data-next-cursor=""`)
	if n := strings.Count(last.body, `class="card post-card"`); n != 5 {
		t.Errorf("the last page has %d cards, want 5", n)
	}
	// Without JavaScript: older posts as a page.
	b.get("/worlds/tidewater?cursor="+url.QueryEscape(cursor)).want(http.StatusOK, "Caption 14 from the docks").lacks("Caption 23 from the docks")

	t.Run("a member with no character is asked to create one", func(t *testing.T) {
		f.signedIn(f.cy).get("/worlds/tidewater").want(http.StatusOK, "Create your character", `action="/worlds/tidewater/leave"`).lacks(`data-compose`)
	})
	t.Run("a signed-in stranger can join", func(t *testing.T) {
		f.signedIn(f.bob).get("/worlds/tidewater").want(http.StatusOK, `action="/worlds/tidewater/join"`, "Join this world").lacks("Create your character")
	})
}

func TestPrivateWorldIsHiddenFromStrangers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	paths := []string{"/worlds/hidden-grove", "/worlds/hidden-grove/about", "/worlds/hidden-grove/feed",
		"/worlds/hidden-grove/posts/grove-post", "/characters/grove-char", "/characters/grove-char/posts"}
	for _, b := range map[string]*browser{"visitor": f.browser(), "stranger": f.signedIn(f.bob)} {
		for _, p := range paths {
			b.get(p).want(http.StatusNotFound, "Nothing here", `href="/"`).lacks("Secret song", "Willow Hush", "Hidden Grove")
		}
	}
	owner := f.signedIn(f.ada)
	owner.get("/worlds/hidden-grove").want(http.StatusOK, "Hidden Grove", "Secret song", "data-progress", `data-world-id="hidden-grove"`,
		"Inventing the characters", "working…", "1 / 4", "2 LLM · 0 image · 1 failed, made again", "Cancel generation", "free (offline)", "Your world")
	owner.get("/characters/grove-char").want(http.StatusOK, "Willow Hush", "Secret song")
}

func TestAboutPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.browser().get("/worlds/tidewater/about").want(http.StatusOK,
		"About Tidewater", "<p>The sea stands at the doorsteps.</p>", "<p>Boats are streets.</p>",
		"Endless high water", "Clockwork pumps and sail", "The Harbour Guilds rule", "Net-mending songs", "A drowned delta",
		"Teal and brass", "The Great Flood of 300", "Pumpers against Sailors", "Mending nets at dawn", "A lost boat comes home",
		"Characters <span class=\"muted\">(3)</span>", `href="/characters/char-0"`, `href="/characters/char-2"`, "Bio of Oren Vale",
		"A harbour city on a tide that never ebbs", "offline", "English",
	)
}

func TestCharacterPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	b.get("/characters/char-0").want(http.StatusOK,
		"<h1>Mara Quill</h1>", "@mara_quill", "Bio of Mara Quill", "Patient as the tide, says Mara Quill", "Salt in the hair",
		"Short sentences", "knots", "boats", "15 posts", `href="/worlds/tidewater"`,
		// Relationships link to characters of the world, by name.
		`<a href="/characters/char-1"><strong>Oren Vale</strong></a>`, "<strong>Nobody Known</strong>", "We race every morning.",
		`href="/worlds/tidewater/posts/post-14"`, `src="/api/v1/media/img-03?w=320"`, `/api/v1/media/img-03?w=160 160w`, "More posts",
	).lacks(`href="/characters/"><strong>Nobody Known`, "post-02", "post-15")
	frag := b.get("/characters/char-0/posts?cursor=" + url.QueryEscape(html.UnescapeString(b.get("/characters/char-0").match(`data-more="/characters/char-0/posts\?cursor=([^"]+)"`))))
	frag.want(http.StatusOK, `href="/worlds/tidewater/posts/post-02"`, `href="/worlds/tidewater/posts/post-00"`, `data-next-cursor=""`).lacks("post-03", "<html")
	b.get("/characters/nobody").want(http.StatusNotFound, "Nothing here")
}

func TestPostPageCommentsAndLikes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cy := f.signedIn(f.cy)
	post := "/worlds/tidewater/posts/post-03"

	f.browser().get(post).want(http.StatusOK, "Caption 03 from the docks", "Mara Quill", "#day3", "No comments yet.", "Sign in</a> to comment").
		lacks(`data-comment-form`)

	cy.postForm(post+"/comments", url.Values{"text": {"Lovely <b>boats</b>"}, "_csrf": {cy.csrf}}).want(http.StatusSeeOther)
	page := cy.get(post).want(http.StatusOK, "@cyd", "Lovely &lt;b&gt;boats&lt;/b&gt;", "Delete")
	commentID := page.match(`id="comment-([^"]+)" data-comment data-handle="@cyd">`)

	// A character's reply shows the character who speaks, marked AI.
	p3, err := f.social.Post(t.Context(), "", "tidewater", "post-03")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddComment(t.Context(), generia.Comment{ID: "reply-1", PostID: p3.ID, CharacterID: p3.CharacterID, IsAI: true,
		ParentID: commentID, Text: "Thank you, Cyd."}); err != nil {
		t.Fatal(err)
	}
	f.browser().get(post).want(http.StatusOK, `<a href="/characters/`+p3.CharacterID+`">Mara Quill</a>`, "· AI", "Thank you, Cyd.")
	if err := f.store.DeleteComment(t.Context(), "reply-1"); err != nil {
		t.Fatal(err)
	}

	// The comment count shows on the feed's card.
	f.browser().get("/worlds/tidewater").want(http.StatusOK)
	if c, err := f.social.Post(t.Context(), "", "tidewater", "post-03"); err != nil || c.CommentsCount != 1 {
		t.Fatalf("comments count %d, %v", c.CommentsCount, err)
	}

	// An empty comment re-renders with the error.
	cy.postForm(post+"/comments", url.Values{"text": {"   "}, "_csrf": {cy.csrf}}).want(http.StatusBadRequest, "A comment is 1 to 1000 characters")

	// Bob sees no delete button and may not delete it; the owner may.
	bob := f.signedIn(f.bob)
	bob.get(post).want(http.StatusOK, "@cyd").lacks(`/comments/` + commentID + `/delete`)
	bob.postForm(post+"/comments/"+commentID+"/delete", url.Values{"_csrf": {bob.csrf}}).want(http.StatusForbidden, "You can delete only your own comments")
	ada := f.signedIn(f.ada)
	ada.get(post).want(http.StatusOK, `/comments/`+commentID+`/delete`, "Remove (owner)", `<h1 class="page-title">`)
	cy.get(post).want(http.StatusOK, ">Delete</button>").lacks("Remove (owner)")
	ada.postForm(post+"/comments/"+commentID+"/delete", url.Values{"_csrf": {ada.csrf}}).redirects(post + "#comments")
	cy.get(post).want(http.StatusOK, "No comments yet.").lacks("Lovely")

	// Likes: idempotent and shown.
	cy.get(post)
	for range 2 {
		cy.postForm(post+"/like", url.Values{"like": {"1"}, "_csrf": {cy.csrf}}).redirects(post)
	}
	cy.get(post).want(http.StatusOK, `aria-pressed="true"`, `<span class="count" data-like-count>1</span>`, `name="like" value="0"`)
	cy.postForm(post+"/like", url.Values{"like": {"0"}, "_csrf": {cy.csrf}}).redirects(post)
	cy.get(post).want(http.StatusOK, `aria-pressed="false"`, `data-like-count>0</span>`)

	// A visitor is sent to sign in.
	visitor := f.browser()
	visitor.get(post)
	visitor.postForm(post+"/like", url.Values{"like": {"1"}}).redirects("/login?next=%2Fworlds%2Ftidewater%2Fposts%2Fpost-03")
	f.browser().get("/worlds/tidewater/posts/nope").want(http.StatusNotFound)
}

// The feed, served to everyone from one cached page, shows each viewer
// their own likes, and a like's count at once.
func TestFeedShowsEachViewerTheirLikes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cy, bob := f.signedIn(f.cy), f.signedIn(f.bob)
	card := func(b *browser) string {
		t.Helper()
		return b.get("/worlds/tidewater").want(http.StatusOK).match(`(?s)id="post-post-24"(.*?)</article>`)
	}
	check := func(who, card string, liked bool, count int) {
		t.Helper()
		if want := fmt.Sprintf(`aria-pressed="%t"`, liked); who != "a visitor" && !strings.Contains(card, want) {
			t.Errorf("%s's feed: the newest post lacks %s", who, want)
		}
		if want := fmt.Sprintf(`>%d</span><span class="sr-only"> likes`, count); !strings.Contains(card, want) {
			t.Errorf("%s's feed: the newest post lacks %s", who, want)
		}
	}
	check("bob", card(bob), false, 0) // the page is cached now
	cy.postForm("/worlds/tidewater/posts/post-24/like", url.Values{"like": {"1"}, "_csrf": {cy.csrf}})
	check("cyd", card(cy), true, 1)
	check("bob", card(bob), false, 1)
	check("a visitor", f.browser().get("/worlds/tidewater").want(http.StatusOK).match(`(?s)id="post-post-24"(.*?)</article>`), false, 1)
	cy.postForm("/worlds/tidewater/posts/post-24/like", url.Values{"like": {"0"}, "_csrf": {cy.csrf}})
	check("cyd", card(cy), false, 0)
}

func TestLogin(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	t.Run("signs in and returns to a local page", func(t *testing.T) {
		b := f.browser()
		res := b.postForm("/login", url.Values{"login": {"ada@example.com"}, "password": {password}, "next": {"/worlds/tidewater"}, "_csrf": {b.formToken("/login?next=/worlds/tidewater")}})
		res.redirects("/worlds/tidewater")
		if !strings.Contains(strings.Join(res.header.Values("Set-Cookie"), "\n"), auth.SessionCookie+"=") {
			t.Errorf("no session cookie in %v", res.header.Values("Set-Cookie"))
		}
		b.get("/").want(http.StatusOK, "@ada", `<meta name="csrf-token"`)
		b.get("/login").redirects("/")
	})
	t.Run("never redirects off the site", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil.example", "/./\\evil.example", "/%5Cevil.example", "/\t/evil.example"} {
			b := f.browser()
			b.postForm("/login", url.Values{"login": {"ada"}, "password": {password}, "next": {next}, "_csrf": {b.formToken("/login")}}).redirects("/")
		}
	})
	t.Run("a wrong password shows the form again with the error", func(t *testing.T) {
		b := f.browser()
		b.postForm("/login", url.Values{"login": {"ada"}, "password": {"wrong password!"}, "_csrf": {b.formToken("/login")}}).
			want(http.StatusUnauthorized, "Wrong email, username or password", `value="ada"`).lacks("wrong password!")
		b.get("/").lacks("@ada")
	})
	t.Run("refuses a form without its CSRF token", func(t *testing.T) {
		b := f.browser()
		b.formToken("/login") // the cookie is set, but the field is missing
		res := b.postForm("/login", url.Values{"login": {"ada"}, "password": {password}}).want(http.StatusForbidden, "This form expired")
		if strings.Contains(strings.Join(res.header.Values("Set-Cookie"), ""), auth.SessionCookie+"=") {
			t.Error("signed in without the token")
		}
		// Another site's form: a field, but no cookie.
		f.browser().postForm("/login", url.Values{"login": {"ada"}, "password": {password}, "_csrf": {"0123456789abcdef0123456789abcdef"}}).want(http.StatusForbidden)
	})
	t.Run("the token cookie is strict and short-lived", func(t *testing.T) {
		req, _ := http.NewRequest("GET", f.srv.URL+"/login", nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		var c *http.Cookie
		for _, ck := range res.Cookies() {
			if ck.Name == formCookie {
				c = ck
			}
		}
		if c == nil || c.SameSite != http.SameSiteStrictMode || !c.HttpOnly || c.MaxAge <= 0 || c.MaxAge > 3600 {
			t.Errorf("form cookie %+v", c)
		}
	})
	t.Run("sign-in attempts are rate-limited like the API's", func(t *testing.T) {
		b := f.browser()
		tok := b.formToken("/login")
		// The fixture allows 10 a minute per address and per account name;
		// the 11th attempt on one name is refused, whatever its password.
		limited := false
		for i := 0; i < 11 && !limited; i++ {
			res := b.postForm("/login", url.Values{"login": {"cyd"}, "password": {"nope nope"}, "_csrf": {tok}})
			limited = res.status == http.StatusTooManyRequests
		}
		if !limited {
			t.Fatal("11 sign-in attempts on one account were all answered")
		}
		b.postForm("/login", url.Values{"login": {"cyd"}, "password": {password}, "_csrf": {tok}}).want(http.StatusTooManyRequests, "Too many requests")
	})
}

func TestRegisterAndLogout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	b.postForm("/register", url.Values{"username": {"dee"}, "email": {"dee@example.com"}, "password": {password}, "next": {"/worlds/new"}, "_csrf": {b.formToken("/register")}}).
		redirects("/worlds/new")
	csrf := b.get("/").want(http.StatusOK, "@dee").match(`<meta name="csrf-token" content="([^"]+)">`)

	// Sign out needs the session's token.
	b.postForm("/logout", url.Values{}).want(http.StatusForbidden)
	b.postForm("/logout", url.Values{"_csrf": {csrf}}).redirects("/")
	b.get("/").want(http.StatusOK, "Sign in").lacks("@dee")

	c := f.browser()
	c.postForm("/register", url.Values{"username": {"ada"}, "email": {"other@example.com"}, "password": {password}, "_csrf": {c.formToken("/register")}}).
		want(http.StatusConflict, "That username or email already has an account", `value="ada"`, `value="other@example.com"`).lacks(password)
	c.postForm("/register", url.Values{"username": {"x"}, "email": {"x@example.com"}, "password": {password}, "_csrf": {c.formToken("/register")}}).
		want(http.StatusBadRequest, "Username must be 3 to 30")
	// A password under 8 characters, or among the 10,000 most common, is
	// refused with its rule (NIST SP 800-63B), and no account is made.
	for pw, rule := range map[string]string{"password": "most common passwords", "12345678": "most common passwords", "PassWord": "most common passwords", "tide7": "at least 8 characters"} {
		c.postForm("/register", url.Values{"username": {"eve"}, "email": {"eve@example.com"}, "password": {pw}, "_csrf": {c.formToken("/register")}}).
			want(http.StatusBadRequest, rule).lacks(`value="` + pw + `"`)
	}
	if _, _, err := f.store.UserByLogin(t.Context(), "eve"); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("an account was made with a refused password: %v", err)
	}
}

func TestCSRFOnSignedInForms(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	bob := f.signedIn(f.bob)
	for _, path := range []string{"/worlds/tidewater/join", "/worlds/new", "/worlds/tidewater/posts/post-01/like", "/worlds/tidewater/posts/post-01/comments", "/logout"} {
		bob.postForm(path, url.Values{"text": {"hi"}, "prompt": {"a world"}, "characters_count": {"2"}, "posts_count": {"2"}}).want(http.StatusForbidden, "CSRF")
		bob.postForm(path, url.Values{"_csrf": {"not-the-token"}}).want(http.StatusForbidden)
	}
	if len(f.gens.Created()) != 0 {
		t.Errorf("a world was created without the token")
	}
	if ok, _ := f.store.IsMember(t.Context(), "tidewater", f.bob.ID); ok {
		t.Errorf("joined without the token")
	}
	bob.get("/worlds/tidewater")
	bob.postForm("/worlds/tidewater/join", url.Values{"_csrf": {bob.csrf}}).redirects("/worlds/tidewater#new-character")
	bob.get("/worlds/tidewater").want(http.StatusOK, `action="/worlds/tidewater/leave"`, "Create your character")
	bob.postForm("/worlds/tidewater/leave", url.Values{"_csrf": {bob.csrf}}).want(http.StatusSeeOther)
	bob.get("/worlds/tidewater").want(http.StatusOK, `action="/worlds/tidewater/join"`)
	// The owner cannot leave their world.
	ada := f.signedIn(f.ada)
	ada.postForm("/worlds/tidewater/leave", url.Values{"_csrf": {ada.csrf}}).want(http.StatusBadRequest)
}

// With paid providers, the create page forecasts a world's cost from what
// their calls have cost lately, and says the budget.
func TestCreatePageCostEstimate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.social.Providers = generia.Providers{LLM: "openrouter", Image: "runware"}
	b := f.signedIn(f.bob)
	b.get("/worlds/new?characters=3&posts=10").want(http.StatusOK,
		"Billed by openrouter and runware", "no recent price to estimate from", "no paid LLM call yet, no paid image yet",
		"A world stops before it spends more than $2.00").lacks("data-cost-llm", "Free (offline", "data-est-cost")

	call := func(kind, provider string, cost float64) {
		t.Helper()
		c := generia.ProviderCall{WorldID: f.world.ID, Key: "k", Step: "s", Kind: kind, Provider: provider, Model: "m",
			Attempt: 1, CostUSD: cost, Outcome: generia.OutcomeOK, CreatedAt: t0}
		if err := f.store.RecordCall(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	call(generia.CallLLM, "openrouter", 0.001)
	call(generia.CallLLM, "openrouter", 0.003)
	call(generia.CallLLM, "openrouter", 0) // a failed call costs nothing and is not a price
	call(generia.CallImage, "runware", 0.0006)
	llm, images := generia.ExpectedCalls(generia.NewPlan(3, 10)) // 19 and 15
	want := usd(float64(llm)*0.002 + float64(images)*0.0006)
	b.get("/worlds/new?characters=3&posts=10").want(http.StatusOK,
		"About <strong data-est-cost>"+want+"</strong> with openrouter and runware",
		"$0.0020 per LLM call over the last 2, $0.0006 per image over the last 1",
		`data-cost-llm="0.002" data-cost-image="0.0006"`, "more than $2.00")
	if want != "$0.05" {
		t.Errorf("19 LLM calls at $0.002 and 15 images at $0.0006 come to %s, want $0.05", want)
	}

	// Text from a paid provider, offline images: only the text is billed.
	f.social.Providers.Image = generia.OfflineProvider
	b.get("/worlds/new?characters=3&posts=10").want(http.StatusOK,
		"About <strong data-est-cost>$0.04</strong> with openrouter", "$0.0020 per LLM call over the last 2)")
}

func TestCreateWorld(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.browser().get("/worlds/new").redirects("/login?next=%2Fworlds%2Fnew")

	b := f.signedIn(f.bob)
	llm, images := generia.ExpectedCalls(generia.NewPlan(3, 10))
	b.get("/worlds/new").want(http.StatusOK,
		`maxlength="4000"`, `min="1" max="40" value="3"`, `min="1" max="250" value="10"`,
		fmt.Sprintf("<strong data-est-llm>%d</strong>", llm), fmt.Sprintf("<strong data-est-images>%d</strong>", images),
		"Free (offline providers)", "data-progress", "Getting ready", "Finishing touches", `name="_csrf" value="`+b.csrf+`"`)

	for _, tc := range []struct{ c, p int }{{1, 1}, {7, 23}, {11, 250}, {40, 250}, {40, 1}} {
		e := estimateCalls(tc.c, tc.p)
		llm, images := generia.ExpectedCalls(generia.NewPlan(tc.c, tc.p))
		b.get(fmt.Sprintf("/worlds/new?characters=%d&posts=%d", tc.c, tc.p)).want(http.StatusOK,
			fmt.Sprintf("<strong data-est-llm>%d</strong>", llm), fmt.Sprintf("<strong data-est-images>%d</strong>", images),
			fmt.Sprintf("<span data-est-per>%d</span>", e.PerCharacter))
	}
	// Out-of-range prefills are clamped to the real limits.
	b.get("/worlds/new?characters=50&posts=0&prompt=Reef").want(http.StatusOK, `max="40" value="40"`, `max="250" value="1"`, ">Reef</textarea>")

	// Without JavaScript the form creates the world and shows it.
	b.postForm("/worlds/new", url.Values{"prompt": {"A reef city"}, "name": {"Reefhome"}, "characters_count": {"4"}, "posts_count": {"12"},
		"visibility": {"private"}, "_csrf": {b.csrf}}).redirects("/worlds/new-world-1")
	if got := f.gens.Created(); len(got) != 1 || got[0].Prompt != "A reef city" || got[0].CharactersCount != 4 || got[0].PostsCount != 12 || got[0].Visibility != "private" {
		t.Fatalf("created %+v", got)
	}
	b.get("/worlds/new-world-1").want(http.StatusOK, "Reefhome", "data-progress", "Queued", "0 / 4", "0 / 12", "Cancel generation")

	// Cancel (without JavaScript).
	b.postForm("/worlds/new-world-1/cancel", url.Values{"_csrf": {b.csrf}}).want(http.StatusSeeOther)
	if len(f.gens.Cancelled()) != 1 {
		t.Errorf("cancelled %v", f.gens.Cancelled())
	}
	// Only the owner cancels.
	cy := f.signedIn(f.cy)
	cy.postForm("/worlds/tidewater/cancel", url.Values{"_csrf": {cy.csrf}}).want(http.StatusForbidden)

	// Errors show the form again with what was typed.
	b.postForm("/worlds/new", url.Values{"prompt": {"  "}, "name": {"Named <i>"}, "characters_count": {"5"}, "posts_count": {"9"}, "_csrf": {b.csrf}}).
		want(http.StatusBadRequest, `aria-describedby="prompt-hint prompt-error" aria-invalid="true"`,
			`<p class="field-error" id="prompt-error" role="alert">Prompt is required`, `value="Named &lt;i&gt;"`, `max="40" value="5"`).
		lacks(`class="alert alert-error"`)
	b.postForm("/worlds/new", url.Values{"prompt": {"ok"}, "characters_count": {"41"}, "posts_count": {"9"}, "_csrf": {b.csrf}}).
		want(http.StatusBadRequest, `<p class="field-error" id="characters-error" role="alert">Choose 1 to 40 characters</p>`, ">ok</textarea>")
	if len(f.gens.Created()) != 1 {
		t.Errorf("an invalid world was created")
	}
}

func TestFailedWorld(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.store.FinishGeneration(t.Context(), "hidden-grove", generia.StatusFailed, "the image provider refused the key", "the image provider refused the key", time.Now())
	f.ok(err, "failing Hidden Grove")
	f.signedIn(f.ada).get("/worlds/hidden-grove").want(http.StatusOK, "generation failed", "the image provider refused the key",
		"Create it again", "/worlds/new?characters=4&amp;posts=8").lacks("data-progress")
}

func TestComposeWithoutJavaScript(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cy := f.signedIn(f.cy)
	avatar := pngBytes(t, 80, 80)

	cy.postMultipart("/worlds/tidewater/characters", url.Values{"display_name": {"Cy Harbour"}, "bio": {"New in town"}, "_csrf": {cy.csrf}}, avatar).
		redirects("/worlds/tidewater#compose")
	page := cy.get("/worlds/tidewater").want(http.StatusOK, "data-compose", "Cy Harbour (@cy_harbour)", "Create another character")
	charID := page.match(`(?s)name="character_id".*?<option value="([^"]+)"`)

	// A post needs an image; the error stands beside the image field and
	// the form keeps the caption.
	cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {charID}, "caption": {"Hello, harbour"}, "_csrf": {cy.csrf}}, nil).
		want(http.StatusBadRequest, `aria-invalid="true" aria-describedby="compose-file-error"`,
			`<p class="field-error" id="compose-file-error" role="alert">Choose an image to post</p>`, ">Hello, harbour</textarea>").
		lacks(`class="alert alert-error"`)
	// A file that is not an image is refused, beside the image field.
	cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {charID}, "caption": {"x"}, "_csrf": {cy.csrf}}, []byte("not an image")).
		want(http.StatusBadRequest, `<p class="field-error" id="compose-file-error" role="alert">Upload a PNG, JPEG, WebP or GIF image`)
	// Too long a caption and too many hashtags are refused beside their fields.
	cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {charID}, "caption": {strings.Repeat("a", 2201)}, "_csrf": {cy.csrf}}, pngBytes(t, 64, 64)).
		want(http.StatusBadRequest, `aria-invalid="true" aria-describedby="compose-caption-error"`,
			`<p class="field-error" id="compose-caption-error" role="alert">Caption must be at most 2200 characters</p>`)
	cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {charID}, "caption": {"x"}, "hashtags": {strings.Repeat("#t ", 40)}, "_csrf": {cy.csrf}}, pngBytes(t, 64, 64)).
		want(http.StatusBadRequest, `aria-describedby="compose-tags-error"`, `<p class="field-error" id="compose-tags-error" role="alert">At most`)
	// A character of another world is refused beside the character's
	// field, though its message does not begin with the field's name: the
	// error carries its field.
	cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {"grove-char"}, "caption": {"x"}, "_csrf": {cy.csrf}}, pngBytes(t, 64, 64)).
		want(http.StatusBadRequest, `aria-invalid="true" aria-describedby="compose-character-error"`,
			`<p class="field-error" id="compose-character-error" role="alert">Character grove-char is not in this world</p>`)
	// A character's name is required, beside its field.
	cy.postMultipart("/worlds/tidewater/characters", url.Values{"display_name": {" "}, "bio": {"Still here"}, "_csrf": {cy.csrf}}, nil).
		want(http.StatusBadRequest, `aria-invalid="true" aria-describedby="char-name-error"`,
			`<p class="field-error" id="char-name-error" role="alert">Display name must be 1 to`, ">Still here</textarea>")

	res := cy.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {charID}, "caption": {"Hello, harbour"}, "hashtags": {"#first, arrival"}, "_csrf": {cy.csrf}}, pngBytes(t, 64, 64))
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/worlds/tidewater/posts/") {
		t.Fatalf("posting: %d %s\n%s", res.status, res.header.Get("Location"), res.body)
	}
	cy.get(res.header.Get("Location")).want(http.StatusOK, "Hello, harbour", "Cy Harbour", "#first", "#arrival", "person")
	f.browser().get("/worlds/tidewater").want(http.StatusOK, "Hello, harbour")
	f.browser().get("/characters/"+charID).want(http.StatusOK, "Cy Harbour", "@cy_harbour", "New in town", "1 post")

	// Bob is no member: he may not post, even with Cy's character.
	bob := f.signedIn(f.bob)
	bob.postMultipart("/worlds/tidewater/posts", url.Values{"character_id": {charID}, "caption": {"x"}, "_csrf": {bob.csrf}}, pngBytes(t, 64, 64)).
		want(http.StatusForbidden, "Join the world first")
}

func TestErrorPagesAndAssets(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.browser()
	b.get("/no/such/page").want(http.StatusNotFound, "Nothing here", "Back to the worlds", `href="/static/app.css?v=`+assetVersion)
	b.get("/worlds/nope").want(http.StatusNotFound, "Nothing here")
	for _, p := range []string{"/static/app.css", "/static/app.js", "/static/icon.svg"} {
		res := b.get(p + "?v=" + assetVersion)
		if res.status != http.StatusOK || !strings.Contains(res.header.Get("Cache-Control"), "immutable") || len(res.body) < 100 {
			t.Errorf("%s: %d %q, %d bytes", p, res.status, res.header.Get("Cache-Control"), len(res.body))
		}
	}
	res := b.get("/")
	if csp := res.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("CSP %q", csp)
	}
}

// TestEstimateFormula holds the create page's formula (in the script and
// in the page) to the pipeline's plan for every world one may ask for.
func TestEstimateFormula(t *testing.T) {
	t.Parallel()
	ceil := func(a, b int) int { return (a + b - 1) / b }
	for c := generia.MinCharacters; c <= generia.MaxCharacters; c++ {
		for p := generia.MinPosts; p <= generia.MaxPosts; p++ {
			llm := 2 + ceil(c, 10) + c + p
			for i := range c {
				pi := p / c
				if i < p%c {
					pi++
				}
				llm += ceil(pi, 10)
			}
			wantLLM, wantImages := generia.ExpectedCalls(generia.NewPlan(c, p))
			if e := estimateCalls(c, p); llm != wantLLM || 2+c+p != wantImages || e.LLM != wantLLM || e.Images != wantImages || e.PerCharacter != ceil(p, c) {
				t.Fatalf("c=%d p=%d: formula %d/%d, estimate %+v, pipeline %d/%d", c, p, llm, 2+c+p, e, wantLLM, wantImages)
			}
		}
	}

	node, err := exec.LookPath("node")
	if err != nil {
		t.Log("node is not installed; the script's copy of the formula is not run")
		return
	}
	script, err := os.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	prog := string(script) + `
const out = [];
for (let c = 1; c <= 40; c++) for (let p = 1; p <= 250; p++) { const e = globalThis.generiaEstimate(c, p); out.push([c, p, e.llm, e.images, e.perCharacter]); }
console.log(JSON.stringify(out));`
	got, err := exec.CommandContext(t.Context(), node, "-e", prog).Output()
	if err != nil {
		t.Fatalf("running the script in node: %v", err)
	}
	var rows [][5]int
	if err := json.Unmarshal(got, &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 40*250 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, r := range rows {
		e := estimateCalls(r[0], r[1])
		if r[2] != e.LLM || r[3] != e.Images || r[4] != e.PerCharacter {
			t.Fatalf("c=%d p=%d: the script says %v, the server %+v", r[0], r[1], r[2:], e)
		}
	}
}

func TestTimeago(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 10, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "just now"}, {30 * time.Second, "just now"}, {time.Minute, "1 minute ago"}, {45 * time.Minute, "45 minutes ago"},
		{3 * time.Hour, "3 hours ago"}, {3 * 24 * time.Hour, "3 days ago"}, {24 * time.Hour, "1 day ago"},
		{65 * 24 * time.Hour, "2 months ago"}, {800 * 24 * time.Hour, "2 years ago"}, {-2 * time.Hour, "in 2 hours"},
	} {
		if got := timeago(now, now.Add(-tc.d)); got != tc.want {
			t.Errorf("timeago(%v ago) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if got := fulltime(now); got != "Tuesday, 10 June 2025 at 12:00 UTC" {
		t.Errorf("fulltime = %q", got)
	}
}

func TestHashtags(t *testing.T) {
	t.Parallel()
	if got := strings.Join(hashtags([]string{"tide", "#dawn", " ", "##x"}), " "); got != "#tide #dawn #x" {
		t.Errorf("hashtags = %q", got)
	}
	if got := strings.Join(parseHashtags("#first, arrival  ##x,,"), " "); got != "first arrival x" {
		t.Errorf("parseHashtags = %q", got)
	}
}

// Only same-site paths survive, normalised as http.Redirect will send them;
// every way of spelling another site gives "".
func TestLocalPath(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/worlds/x?y=1": "/worlds/x?y=1", "/": "/", "/worlds/x/": "/worlds/x/", "/worlds/./x/../y": "/worlds/y",
		"/worlds/tidewater/tags/caf%C3%A9": "/worlds/tidewater/tags/caf%C3%A9", "/../../etc": "/etc",
		"": "", "worlds": "", "//evil": "", "///evil.example": "", "https://evil/": "", "javascript:alert(1)": "",
		"/\\evil": "", "/./\\evil.example": "", "/.\\/evil.example": "", "\\\\evil.example": "", "/x/../\\evil.example": "",
		"/%2F%2Fevil.example": "", "/%2f/evil.example": "", "/%5Cevil.example": "", "/%5cevil.example": "", "/%252F%252Fevil.example": "",
		"/%255Cevil.example": "", "/\tevil": "", "/\t/evil.example": "", "/\n/evil.example": "", "/\r//evil.example": "",
		"/%09/evil.example": "", "/%0A/evil.example": "", "/%00": "", "/\x7f": "", "/\u2028/evil.example": "/%E2%80%A8/evil.example",
		"http:/evil.example": "", "/ /evil.example": "/%20/evil.example", "//evil.example/%2e%2e": "", "/@evil.example": "/@evil.example",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
