package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/generia/generia/internal/apiclient"
)

// browserPage is one headless Chromium tab of a test, with the steps the
// browser tests take.
type browserPage struct {
	t     *testing.T
	ctx   context.Context
	shots string
	name  string // the screenshots' prefix, if any
}

// openBrowser starts Chromium with a window of width×height (mobile: a
// phone's touch screen) for the rest of the test.
func openBrowser(t *testing.T, name string, width, height int64, mobile bool) *browserPage {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox,
		chromedp.Flag("disable-gpu", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(int(width), int(height)),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first run starts the browser, on a context without a deadline.
	if err := chromedp.Do(browser, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	var view []chromedp.EmulateViewportOption
	if mobile {
		view = append(view, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulateScale(3))
	}
	if err := chromedp.Do(browser, chromedp.EmulateViewport(width, height, view...)); err != nil {
		t.Fatalf("sizing the window: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(browser, 4*time.Minute)
	t.Cleanup(cancelTimeout)
	return &browserPage{t: t, ctx: ctx, shots: screenshots(t), name: name}
}

// shot saves a screenshot of the whole page.
func (b *browserPage) shot(name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		buf, err := chromedp.FullScreenshot(100)(ctx, tg) // 100: PNG
		if err != nil {
			return chromedp.Void{}, err
		}
		if b.name != "" {
			name = b.name + "-" + name
		}
		path := filepath.Join(b.shots, name+".png")
		b.t.Logf("screenshot %s", path)
		return chromedp.Void{}, os.WriteFile(path, buf, 0o644)
	}
}

// step runs the actions of one step, each within a minute, and ends the
// test with a screenshot if one fails.
func (b *browserPage) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	for i, a := range actions {
		ctx, cancel := context.WithTimeout(b.ctx, time.Minute)
		err := chromedp.Do(ctx, a)
		cancel()
		if err != nil {
			_ = chromedp.Do(b.ctx, b.shot("failed-"+strings.ReplaceAll(name, " ", "-")))
			b.t.Fatalf("%s, action %d: %v", name, i+1, err)
		}
	}
}

// read runs an action that reads something from the page.
func (b *browserPage) read(name string, a chromedp.Action[string]) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, a)
	if err != nil {
		_ = chromedp.Do(b.ctx, b.shot("failed-"+strings.ReplaceAll(name, " ", "-")))
		b.t.Fatalf("%s: %v", name, err)
	}
	return v
}

// visit opens a page and waits until what the step works on is visible.
func visit(url, ready string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(ready)))
}

// settle waits until a script expression is true on the page a click or a
// form leads to: while the browser navigates an evaluation fails, and it
// asks again.
func settle(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		for {
			if ok, err := chromedp.Evaluate[bool](expr)(ctx, tg); err == nil && ok {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// The loop that brings people back, in a real browser on a phone and on a
// desktop, in a world whose life is paused: a new person replies in a thread, and the reply sits under the
// comment it answers; an answer to it lights the bell on the open page,
// live; the bell opens the notification, which leads to the answer; the
// person follows a character, and its next post is on their home.
func TestTheSocialLoopInABrowser(t *testing.T) {
	chromium(t)
	s := start(t, settings{dataDir: t.TempDir(), llmLatency: 100 * time.Millisecond, imgLatency: 100 * time.Millisecond,
		env: map[string]string{"GENERIA_LIFE_ACTIONS_PER_HOUR": "0", "GENERIA_COMMENT_RATE": "100/1h"}})
	defer s.app.Close()
	base, ctx := s.app.URL, context.Background()
	host := signUp(t, s, "hana")
	w := createWorld(t, host, apiclient.NewWorld{Prompt: "A harbour of paper boats", CharactersCount: 1, PostsCount: 2, Visibility: "public"})
	waitCompleted(t, host, w.ID, 2*time.Minute)
	posts, _, err := host.Posts(ctx, w.ID, 10, "")
	if err != nil || len(posts) != 2 {
		t.Fatalf("feed = %v, %v", posts, err)
	}
	// The world's own characters keep still: what the person hears of is
	// Hana's, and only Hana's.
	if err := host.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/life", map[string]any{"paused": true}, nil); err != nil {
		t.Fatal(err)
	}
	avatar, err := host.Upload(ctx, w.ID, pngBytes(t, 256, 256))
	if err != nil {
		t.Fatal(err)
	}
	var keeper apiclient.Character
	if err := host.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/characters", map[string]string{"display_name": "Hana the Harbourmaster", "bio": "I fold the boats.", "avatar_media_id": avatar}, &keeper); err != nil {
		t.Fatal(err)
	}

	for _, device := range []struct {
		name          string
		width, height int64
		mobile        bool
	}{{"phone", 390, 844, true}, {"desktop", 1280, 900, false}} {
		t.Run(device.name, func(t *testing.T) {
			b := openBrowser(t, "loop-"+device.name, device.width, device.height, device.mobile)
			person := "pat_" + device.name
			postPath := "/api/v1/worlds/" + w.ID + "/posts/" + posts[0].ID + "/comments"
			var question apiclient.Comment
			if err := host.Do(ctx, "POST", postPath, map[string]any{"text": "Who folds the night boats, " + device.name + "?", "character_id": keeper.ID}, &question); err != nil {
				t.Fatal(err)
			}

			b.step("register",
				visit(base+"/register", "#username"),
				chromedp.SendKeys(chromedp.CSS("#username"), person),
				chromedp.SendKeys(chromedp.CSS("#email"), person+"@example.com"),
				chromedp.SendKeys(chromedp.CSS("#password"), "a very long password"),
				chromedp.Submit(chromedp.CSS("#password")),
				chromedp.WaitVisible(chromedp.CSS("[data-home-empty]")),
				b.shot("01-empty-home"),
			)

			thread := "#comment-" + question.ID
			const bell = `(() => { const c = document.querySelector('[data-bell-count]'); return c.hidden ? 0 : Number(c.textContent.trim()) })()`
			b.step("open the post", visit(base+"/worlds/"+w.ID+"/posts/"+posts[0].ID, thread))
			if n := b.read("the bell before", chromedp.Evaluate[string](`String(`+bell+`)`)); n != "0" {
				t.Errorf("the bell shows %s before anything happened", n)
			}
			b.step("reply in a thread",
				chromedp.Click(chromedp.CSS(thread+" details.reply > summary")),
				chromedp.WaitVisible(chromedp.CSS("#reply-"+question.ID)),
				chromedp.SendKeys(chromedp.CSS("#reply-"+question.ID), "The tide folds them, I think."),
				chromedp.Click(chromedp.CSS(thread+" .reply-form button[type=submit]")),
				settle(`[...document.querySelectorAll('`+thread+` [data-comment-replies] [data-comment]')].some(li => li.innerText.includes('The tide folds them, I think.'))`),
				b.shot("02-reply-in-thread"),
			)
			comments, err := apiclient.All(func(cursor string) ([]apiclient.Comment, string, error) {
				var page struct {
					Comments []apiclient.Comment `json:"comments"`
					Next     string              `json:"next_cursor"`
				}
				err := host.Do(ctx, "GET", postPath+"?limit=100&cursor="+cursor, nil, &page)
				return page.Comments, page.Next, err
			})
			if err != nil {
				t.Fatal(err)
			}
			var reply apiclient.Comment
			for _, c := range comments {
				if c.ParentID == question.ID && c.Username == person {
					reply = c
				}
			}
			if reply.ID == "" {
				t.Fatalf("no reply of %s under the question among %d comments", person, len(comments))
			}

			// Hana answers; the bell of the open page lights up.
			var answer apiclient.Comment
			if err := host.Do(ctx, "POST", postPath, map[string]any{"text": "The tide, and my two hands.", "character_id": keeper.ID, "parent_id": reply.ID}, &answer); err != nil {
				t.Fatal(err)
			}
			b.step("the bell lights up live",
				chromedp.Poll[chromedp.Void](bell+` === 1`),
				b.shot("03-bell-live"),
			)
			b.step("open the bell",
				chromedp.Click(chromedp.CSS("[data-bell]")),
				settle(`location.pathname === '/notifications' && document.querySelector('[data-notification-list] a') !== null`),
				b.shot("04-notifications"),
			)
			if list := b.read("the notifications", chromedp.Text(chromedp.CSS("[data-notification-list]"))); !strings.Contains(list, "Hana the Harbourmaster") || !strings.Contains(list, "replied") {
				t.Errorf("the notifications page lacks Hana's reply:\n%s", list)
			}
			b.step("the notification leads to the answer",
				chromedp.Click(chromedp.CSS("[data-notification-list] a")),
				settle(`location.hash === '#comment-`+answer.ID+`' && document.querySelector('#comment-`+answer.ID+`') !== null`),
			)

			b.step("follow the character",
				visit(base+"/characters/"+keeper.ID, "[data-follow] button"),
				chromedp.Click(chromedp.CSS("[data-follow] button")),
				settle(`document.querySelector('[data-follow] button') && document.querySelector('[data-follow] button').innerText.trim() === 'Following'`),
				b.shot("05-following"),
			)
			caption := "Night boats launched for the " + device.name + " watch."
			photo, err := host.Upload(ctx, w.ID, pngBytes(t, 320, 240))
			if err != nil {
				t.Fatal(err)
			}
			if err := host.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts", map[string]any{"character_id": keeper.ID, "caption": caption, "media_id": photo}, nil); err != nil {
				t.Fatal(err)
			}
			b.step("the character's post is on the home feed",
				visit(base+"/", "#feed"),
				chromedp.Poll[chromedp.Void](`[...document.querySelectorAll('#feed .post-card')].some(c => c.innerText.includes('`+caption+`'))`),
				b.shot("06-home"),
			)
		})
	}
}
