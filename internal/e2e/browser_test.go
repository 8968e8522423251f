package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/servicetest"
)

// chromium finds the browser: CHROMIUM, else Debian's chromium package.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	servicetest.Skip(t, "no Chromium here (apt-get install chromium, as .ci/run does): the browser test did not run")
	return ""
}

// screenshots is where the browser test writes its screenshots:
// GENERIA_ARTIFACTS, else a temporary directory.
func screenshots(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("GENERIA_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "generia-artifacts")
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A person's path through the web UI in a real headless Chromium: register,
// create a world and watch its progress to the end, open the feed, like a
// post, comment on it, open a character, make a character and post as it.
func TestWebUIInABrowser(t *testing.T) {
	chromium(t)
	s := start(t, settings{dataDir: t.TempDir(), llmLatency: 150 * time.Millisecond, imgLatency: 200 * time.Millisecond})
	defer s.app.Close()
	base := s.app.URL
	b := openBrowser(t, "", 1280, 900, false)
	ctx, step, read, shot := b.ctx, b.step, b.read, b.shot
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	// poll waits until a JavaScript expression is true on the page.
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			_, err := chromedp.Poll[bool](expr)(ctx, tg)
			return chromedp.Void{}, err
		}
	}
	step("register",
		visit(base+"/register", "#username"),
		chromedp.SendKeys(css("#username"), "grace"),
		chromedp.SendKeys(css("#email"), "grace@example.com"),
		chromedp.SendKeys(css("#password"), "a very long password"),
		chromedp.Submit(css("#password")),
		chromedp.WaitReady(css(`meta[name="csrf-token"]`)),
		shot("01-home-signed-in"),
	)

	step("create a world and watch it to the end",
		visit(base+"/worlds/new", "#prompt"),
		chromedp.SendKeys(css("#prompt"), "A town of clockmakers where time runs slower on Sundays"),
		chromedp.SetValue(css("#characters"), "2"),
		chromedp.SetValue(css("#posts"), "3"),
		shot("02-create"),
		chromedp.Click(css("[data-submit]")),
		chromedp.WaitVisible(css("[data-create-progress]")),
		shot("03-progress"),
		chromedp.WaitVisible(css(`[data-end="completed"]`)),
		// The preview shows the whole cast, each with its painted avatar.
		poll(`document.querySelectorAll('[data-live-characters] li img.avatar').length === 2`),
		shot("04-completed"),
	)
	worldURL := read("the world's address", chromedp.Location())
	if !strings.Contains(worldURL, "/worlds/") {
		t.Fatalf("after creating, the page is at %s", worldURL)
	}

	step("open the feed and like a post",
		visit(worldURL, "[data-like] button"),
		shot("05-feed"),
		chromedp.Click(css("[data-like] button")),
		chromedp.WaitVisible(css("[data-like] button.is-liked")),
	)
	if likes := read("the like count", chromedp.Text(css("[data-like] [data-like-count]"))); strings.TrimSpace(likes) != "1" {
		t.Errorf("the liked post shows %q likes, want 1", likes)
	}

	postID, err := chromedp.Run(ctx, chromedp.AttributeValue(css("[data-like]"), "data-post"))
	if err != nil || postID.Value == "" {
		t.Fatalf("the post's ID: %v", err)
	}
	step("comment on the post",
		visit(worldURL+"/posts/"+postID.Value, "#comment-text"),
		chromedp.SendKeys(css("#comment-text"), "The gears here sing at noon."),
		chromedp.Submit(css("#comment-text")),
		chromedp.WaitVisible(css("[data-comment] [data-comment-text]")),
		shot("06-post-with-comment"),
	)
	if comment := read("the comment", chromedp.Text(css("[data-comment] [data-comment-text]"))); comment != "The gears here sing at noon." {
		t.Errorf("the comment reads %q", comment)
	}
	// The post's character answers within seconds, and the open page shows
	// the reply as it comes, without a reload.
	step("see the character's reply appear",
		chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('[data-comment].is-new')].some(li => li.innerText.includes('· AI'))`),
		shot("06b-reply-live"),
	)
	if n := read("the comment count", chromedp.Text(css("[data-comments-count]"))); strings.TrimSpace(n) != "2" {
		t.Errorf("after the live reply the post counts %q comments, want 2", n)
	}
	tag := read("the post's first hashtag", chromedp.Text(css(".post-full .hashtags a.tag")))
	step("open the posts of a hashtag",
		chromedp.Click(css(".post-full .hashtags a.tag")),
		chromedp.WaitVisible(css("h1.page-title")),
		chromedp.WaitVisible(css("#feed .post-card")),
		shot("06c-hashtag"),
	)
	if h := read("the hashtag page's title", chromedp.Text(css("h1.page-title"))); !strings.HasPrefix(h, strings.TrimSpace(tag)) {
		t.Errorf("the page of %s is titled %q", tag, h)
	}

	step("open a character",
		chromedp.Click(css("a.author")),
		chromedp.WaitVisible(css(".profile h1, h1")),
		shot("07-character"),
	)
	if name := read("the character's name", chromedp.Text(css("h1"))); name == "" {
		t.Error("the character page has no name")
	}

	photo := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(photo, pngBytes(t, 320, 240), 0o644); err != nil {
		t.Fatal(err)
	}
	step("make a character and post as it",
		visit(worldURL, "#new-character > summary"),
		chromedp.Click(css("#new-character > summary")), // the forms open on demand
		chromedp.WaitVisible(css("#char-name")),
		chromedp.SendKeys(css("#char-name"), "Grace Gearwright"),
		chromedp.Click(css("[data-character-form] button[type=submit]")),
		chromedp.Sleep(time.Second), // the page reloads with the composer, folded
		chromedp.WaitVisible(css("#compose > summary")),
		shot("08a-composer-folded"),
		chromedp.Click(css("#compose > summary")),
		chromedp.WaitVisible(css("#compose-file-button")),
		chromedp.SetUploadFiles(css("#compose-file"), []string{photo}),
		chromedp.Poll[chromedp.Void](`document.querySelector('#compose [data-file-name]').textContent === 'photo.png'`),
		chromedp.SendKeys(css("#compose-caption"), "My first cog of the season."),
		chromedp.Click(css("[data-compose] button[type=submit]")),
		// The feed refreshes in place with the new post on it.
		chromedp.Poll[chromedp.Void](ownPostCard+" !== undefined"),
		shot("08-own-post-in-feed"),
	)
	postURL := read("the own post's address", chromedp.Evaluate[string](ownPostCard+".querySelector('a.post-image').href"))
	step("open the published post",
		visit(postURL, "#comments"),
		shot("09-own-post"),
	)
	if page := read("the published post", chromedp.Text(css("main"))); !strings.Contains(page, "My first cog of the season.") || !strings.Contains(page, "Grace Gearwright") {
		t.Errorf("the published post's page lacks its caption or author:\n%s", page)
	}

	step("edit the published post",
		chromedp.Click(css("details.edit > summary")),
		chromedp.WaitVisible(css("#edit-caption")),
		chromedp.SetValue(css("#edit-caption"), "My first cog of the season, oiled."),
		chromedp.Submit(css("#edit-caption")),
		settle(`!document.querySelector('details.edit').open && document.querySelector('main').innerText.includes('My first cog of the season, oiled.')`),
		shot("10-post-edited"),
	)

	step("a refusal stands beside its field",
		chromedp.Click(css(".post-full a.author, a.author")),
		chromedp.WaitVisible(css("details.edit > summary")),
		chromedp.Click(css("details.edit > summary")),
		chromedp.WaitVisible(css("#edit-name")),
		chromedp.SetValue(css("#edit-name"), "   "),
		chromedp.Submit(css("#edit-name")),
		settle(`document.querySelector('#edit-name-error') !== null`),
		shot("11-field-error"),
	)
	if invalid := read("the refused field", chromedp.Evaluate[string](`document.querySelector('#edit-name').getAttribute('aria-invalid')`)); invalid != "true" {
		t.Errorf("the refused name field has aria-invalid=%q, want true", invalid)
	}
	characterURL := read("the own character's address", chromedp.Location())

	step("delete the own character",
		poll(`(window.confirm = () => true) && true`), // the page asks first: say yes
		chromedp.Click(css(`form[action$="/delete"] button`)),
		settle(`location.pathname.endsWith('`+strings.TrimPrefix(worldURL, base)+`') && document.querySelector('#feed') !== null`),
		chromedp.WaitVisible(css("#feed")),
		shot("12-character-deleted"),
	)
	if page := read("the feed after the deletion", chromedp.Text(css("main"))); strings.Contains(page, "Grace Gearwright") {
		t.Errorf("the feed still shows the deleted character:\n%s", page)
	}
	step("the deleted character is gone",
		chromedp.Navigate(characterURL),
		chromedp.WaitVisible(css("h1")),
	)
	if h := read("the deleted character's page", chromedp.Text(css("h1"))); strings.Contains(h, "Grace Gearwright") {
		t.Errorf("the deleted character's page still shows %q", h)
	}

	// The console: a moderator reports Grace's comment, finds it in the
	// queue, hides it; Grace sees the strike with its reason.
	signOut := chromedp.Steps(chromedp.Click(css(`form[action="/logout"] button`)), chromedp.WaitVisible(css(`a[href^="/login"]`)))
	signIn := func(name, password string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(visit(base+"/login", "#login"), chromedp.SendKeys(css("#login"), name),
			chromedp.SendKeys(css("#password"), password), chromedp.Submit(css("#password")),
			chromedp.WaitReady(css(`meta[name="csrf-token"]`)))
	}
	step("a moderator signs up",
		signOut,
		visit(base+"/register", "#username"),
		chromedp.SendKeys(css("#username"), "hopper"),
		chromedp.SendKeys(css("#email"), "hopper@example.com"),
		chromedp.SendKeys(css("#password"), "another long password"),
		chromedp.Submit(css("#password")),
		chromedp.WaitReady(css(`meta[name="csrf-token"]`)),
	)
	hopper, _, err := s.app.Store.UserByLogin(context.Background(), "hopper")
	if err != nil {
		t.Fatalf("the moderator's account: %v", err)
	}
	if err := s.app.Store.SetRole(context.Background(), hopper.ID, generia.RoleModerator); err != nil {
		t.Fatalf("making hopper a moderator: %v", err)
	}
	const graceComment = `[...document.querySelectorAll('[data-comment]')].find(li => li.innerText.includes('The gears here sing at noon.'))`
	step("the moderator opens the post",
		visit(worldURL+"/posts/"+postID.Value, "#comments"),
		chromedp.Poll[chromedp.Void](graceComment+` !== undefined`),
	)
	report := "#" + read("Grace's comment", chromedp.Evaluate[string](graceComment+`.id`)) + " details.report"
	step("the moderator reports Grace's comment",
		chromedp.Click(css(report+" > summary")),
		chromedp.WaitVisible(css(report+" select[name=reason]")),
		chromedp.SetValue(css(report+" select[name=reason]"), "spam"),
		chromedp.SendKeys(css(report+" textarea[name=note]"), "Posted in every world"),
		chromedp.Submit(css(report+" textarea[name=note]")),
		settle(`document.querySelector('h1') && document.querySelector('h1').innerText === 'Report received'`),
		shot("13-report-received"),
	)
	const reportedCase = `[...document.querySelectorAll('.case')].find(c => c.innerText.includes('The gears here sing at noon.'))`
	step("the moderator hides it from the console",
		visit(base+"/admin", "main"),
		chromedp.Poll[chromedp.Void](reportedCase+` !== undefined`),
		shot("14-console-queue"),
		poll(`(() => { const c = `+reportedCase+`; c.querySelector('input[name=reason]').value = 'Copied from elsewhere'; c.querySelector('button[value=hide]').click(); return true })()`),
		settle(`location.pathname === '/admin' && document.readyState === 'complete' && `+reportedCase+` === undefined`),
		visit(base+"/admin/spend", ".spend-chart"),
		shot("15-console-spending"),
	)
	step("Grace sees her strike",
		signOut,
		signIn("grace", "a very long password"),
		visit(base+"/account/strikes", ".strike"),
		shot("16-strikes"),
	)
	if page := read("Grace's strikes", chromedp.Evaluate[string](`document.querySelector('main').textContent`)); !strings.Contains(page, "Hidden") || !strings.Contains(page, "Copied from elsewhere") ||
		!strings.Contains(page, "The gears here sing at noon.") {
		t.Errorf("Grace's strikes page lacks the strike, its reason or the snapshot:\n%s", page)
	}
}

// ownPostCard is a script expression: the feed's card of the post the test
// publishes, or undefined.
const ownPostCard = `[...document.querySelectorAll('#feed .post-card')].find(c => c.innerText.includes('My first cog of the season.') && c.innerText.includes('Grace Gearwright'))`
