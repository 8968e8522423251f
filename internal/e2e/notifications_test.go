package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/apiv1"
)

// notified is one notification event a person's stream gave, and when.
type notified struct {
	apiv1.NotificationEvent
	at time.Time
}

// listen follows a stream into a channel of its notification events until
// the test ends. It returns once the stream is open: it has sent its first
// event (the world's life, the account's unread count).
func listen(t *testing.T, follow func(ctx context.Context, fn func(apiclient.Event) bool) error) <-chan notified {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	ended := make(chan struct{})
	t.Cleanup(func() { stop(); <-ended })
	got, opened := make(chan notified, 64), make(chan struct{})
	go func() {
		defer close(ended)
		once := false
		err := follow(ctx, func(e apiclient.Event) bool {
			if !once {
				once = true
				close(opened)
			}
			if e.Notification != nil {
				got <- notified{*e.Notification, time.Now()}
			}
			return true
		})
		if ctx.Err() == nil && err != nil {
			t.Logf("a stream ended: %v", err)
		}
		close(got)
	}()
	select {
	case <-opened:
	case <-ended:
		t.Fatal("a stream ended before it opened")
	case <-time.After(30 * time.Second):
		t.Fatal("a stream sent nothing in 30 s")
	}
	return got
}

// accountOf follows a person's account stream, as listen wants it.
func accountOf(c *apiclient.Client) func(ctx context.Context, fn func(apiclient.Event) bool) error {
	return func(ctx context.Context, fn func(apiclient.Event) bool) error { return c.AccountEvents(ctx, "", fn) }
}

// nextNotification waits for the next notification of a stream.
func nextNotification(t *testing.T, from <-chan notified, within time.Duration, what string) notified {
	t.Helper()
	select {
	case n, ok := <-from:
		if !ok {
			t.Fatalf("%s ended", what)
		}
		return n
	case <-time.After(within):
		t.Fatalf("no notification on %s in %s", what, within)
		return notified{}
	}
}

// unread reads a person's count of unread notifications.
func unread(t *testing.T, c *apiclient.Client) int {
	t.Helper()
	var n struct{ Count int }
	if err := c.Do(context.Background(), "GET", "/api/v1/notifications/unread", nil, &n); err != nil {
		t.Fatal(err)
	}
	return n.Count
}

// notifications reads a person's first page of notifications.
func notifications(t *testing.T, c *apiclient.Client) []apiv1.Notification {
	t.Helper()
	var page struct{ Notifications []apiv1.Notification }
	if err := c.Do(context.Background(), "GET", "/api/v1/notifications?limit=100", nil, &page); err != nil {
		t.Fatal(err)
	}
	return page.Notifications
}

// percentile returns the p-th percentile of durations (nearest rank).
func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[max(0, (len(s)*p+99)/100-1)]
}

// A person's comments get a character's replies, and the person's open
// pages hear of each reply as it is stored: the account stream and the
// world stream each carry one notification per reply, which links to the
// reply; the unread count follows, and marking all read empties it. The
// time from a stored reply to its notification on the stream is the
// issue's number: reported, and its median held to a second.
func TestAReplyNotifiesThePersonLive(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{
		"GENERIA_LIFE_IDLE": "5m", "GENERIA_LIFE_ACTIONS_PER_HOUR": "0", "GENERIA_COMMENT_RATE": "100/1h",
	}})
	defer s.app.Close()
	ctx := context.Background()
	ada := signUp(t, s, "ada")
	w := createWorld(t, ada, apiclient.NewWorld{Prompt: "A lantern market on a frozen river", CharactersCount: 2, PostsCount: 2, Visibility: "public"})
	waitCompleted(t, ada, w.ID, 2*time.Minute)
	posts, _, err := ada.Posts(ctx, w.ID, 10, "")
	if err != nil || len(posts) != 2 {
		t.Fatalf("feed = %v, %v", posts, err)
	}
	post := posts[0]
	// The world's completion is told too; from here on, only replies.
	if err := ada.Do(ctx, "POST", "/api/v1/notifications/read", apiv1.MarkRead{All: true}, nil); err != nil {
		t.Fatal(err)
	}

	account := listen(t, accountOf(ada))
	world := listen(t, func(ctx context.Context, fn func(apiclient.Event) bool) error {
		return ada.Events(ctx, w.ID, "", fn)
	})
	const count = 5
	var lags []time.Duration
	for i := range count {
		var comment apiclient.Comment
		path := "/api/v1/worlds/" + w.ID + "/posts/" + post.ID + "/comments"
		if err := ada.Do(ctx, "POST", path, map[string]string{"text": fmt.Sprintf("Who lit lantern number %d?", i+1)}, &comment); err != nil {
			t.Fatal(err)
		}
		n := nextNotification(t, account, 30*time.Second, "the account stream")
		onWorld := nextNotification(t, world, 5*time.Second, "the world stream")
		if n.Notification.Kind != "reply" || onWorld.Notification.ID != n.Notification.ID {
			t.Fatalf("reply %d: the account stream says %+v, the world stream %+v", i+1, n.Notification, onWorld.Notification)
		}
		var reply apiclient.Comment
		for deadline := time.Now().Add(10 * time.Second); reply.ID == ""; time.Sleep(20 * time.Millisecond) {
			if got := replies(t, ada, w.ID, post.ID, comment.ID); len(got) > 0 {
				reply = got[0]
			} else if time.Now().After(deadline) {
				t.Fatalf("a notification of reply %d, and no reply", i+1)
			}
		}
		if !strings.Contains(n.Notification.Link, reply.ID) || n.Notification.WorldID != w.ID {
			t.Errorf("the notification of reply %d links to %q, want the reply %s", i+1, n.Notification.Link, reply.ID)
		}
		if n.Unread != i+1 {
			t.Errorf("with reply %d the stream says %d unread", i+1, n.Unread)
		}
		lags = append(lags, n.at.Sub(reply.CreatedAt))
	}
	t.Logf("stored reply → notification on the open stream, %d replies: p50 %s, p95 %s, max %s", count,
		percentile(lags, 50).Round(time.Millisecond), percentile(lags, 95).Round(time.Millisecond), slices.Max(lags).Round(time.Millisecond))
	if p50 := percentile(lags, 50); p50 > time.Second {
		t.Errorf("the median notification came %s after its reply was stored, want within a second", p50)
	}
	select {
	case n := <-account:
		t.Errorf("a notification more than the replies: %+v", n.Notification)
	case <-time.After(time.Second):
	}

	if n := unread(t, ada); n != count {
		t.Errorf("%d unread, want %d", n, count)
	}
	list := notifications(t, ada)
	if len(list) != count+1 || list[0].Kind != "reply" || list[0].Read || list[count].Kind != "world_completed" || !list[count].Read {
		t.Errorf("the notifications: %+v, want %d unread replies and the world's completion, read", list, count)
	}
	var marked apiv1.Marked
	if err := ada.Do(ctx, "POST", "/api/v1/notifications/read", apiv1.MarkRead{All: true}, &marked); err != nil {
		t.Fatal(err)
	}
	if marked.Marked != count || marked.Unread != 0 || unread(t, ada) != 0 {
		t.Errorf("marking all read: %+v, then %d unread", marked, unread(t, ada))
	}
}

// A worker killed while it writes a character's reply: another worker
// writes it again, and the person gets the reply once and its notification
// once, on the stream and in the list.
func TestOneNotificationWhenAWorkerDiesMidReply(t *testing.T) {
	c := startCluster(t, "GENERIA_OFFLINE_LLM_LATENCY=200ms", "GENERIA_OFFLINE_IMAGE_LATENCY=200ms",
		"GENERIA_LIFE_IDLE=5m", "GENERIA_LIFE_ACTIONS_PER_HOUR=0")
	ctx := context.Background()
	w := createWorld(t, c.client, apiclient.NewWorld{Prompt: "Ferrymen of a river that flows uphill", CharactersCount: 1, PostsCount: 1})
	waitCompleted(t, c.client, w.ID, 2*time.Minute)
	posts, _, err := c.client.Posts(ctx, w.ID, 10, "")
	if err != nil || len(posts) != 1 {
		t.Fatalf("feed = %v, %v", posts, err)
	}
	if err := c.client.Do(ctx, "POST", "/api/v1/notifications/read", apiv1.MarkRead{All: true}, nil); err != nil {
		t.Fatal(err)
	}
	// Slow writers from here on: a reply takes seconds to write, and the
	// worker writing it is killed in the middle.
	for _, p := range c.workers {
		p.kill()
	}
	slow := append(slices.Clip(c.env), "GENERIA_OFFLINE_LLM_LATENCY=4s")
	writer := run(t, c.dir, "worker3", slow, "worker", "--queues", "main,llm,images,progress,services")

	account := listen(t, accountOf(c.client))
	var comment apiclient.Comment
	if err := c.client.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts/"+posts[0].ID+"/comments", map[string]string{"text": "Which way is downstream?"}, &comment); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // the life heard the comment and writes its reply
	writer.kill()
	run(t, c.dir, "worker4", slow, "worker", "--queues", "main,llm,images,progress,services")

	n := nextNotification(t, account, 2*time.Minute, "the account stream")
	if n.Notification.Kind != "reply" || !strings.Contains(n.Notification.Link, comment.PostID) {
		t.Fatalf("the notification: %+v, want the reply's", n.Notification)
	}
	time.Sleep(3 * time.Second) // a second notification would come by now
	select {
	case again := <-account:
		t.Errorf("a second notification: %+v", again.Notification)
	default:
	}
	if got := replies(t, c.client, w.ID, posts[0].ID, comment.ID); len(got) != 1 {
		t.Errorf("%d replies to one comment, want 1", len(got))
	}
	if list := notifications(t, c.client); len(list) != 2 || list[0].Kind != "reply" || len(list[0].IDs) != 1 || list[1].Kind != "world_completed" {
		t.Errorf("the notifications: %+v, want the one reply's and the world's completion", list)
	}
	if got := unread(t, c.client); got != 1 {
		t.Errorf("%d unread, want 1", got)
	}
}
