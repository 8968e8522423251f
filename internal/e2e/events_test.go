package e2e

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/generia"
)

// A world's live stream sends what is added to it as it happens: a
// person's comment, the character's reply, a new post, and its life's
// state; a reader who reconnects after an event gets what came after it;
// an open stream keeps the world awake; a private world's stream is as
// hidden as the world.
func TestTheWorldStreamSendsWhatIsNew(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{"GENERIA_LIFE_IDLE": "2s", "GENERIA_LIFE_ACTIONS_PER_HOUR": "0"}})
	defer s.app.Close()
	ctx := context.Background()
	a, b := signUp(t, s, "ada"), signUp(t, s, "bob")
	anon := apiclient.New(s.app.URL, "")
	w := createWorld(t, a, apiclient.NewWorld{Prompt: "Lighthouse keepers of a sea of sand", CharactersCount: 2, PostsCount: 2, Visibility: "public"})
	waitCompleted(t, a, w.ID, time.Minute)
	posts, _, err := anon.Posts(ctx, w.ID, 10, "")
	if err != nil || len(posts) != 2 {
		t.Fatalf("feed = %v, %v", posts, err)
	}
	post := posts[0]

	events := make(chan apiclient.Event, 100)
	streamCtx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		_ = anon.Events(streamCtx, w.ID, "", func(e apiclient.Event) bool { events <- e; return true })
	}()
	next := func(what string, match func(apiclient.Event) bool) apiclient.Event {
		t.Helper()
		timeout := time.After(30 * time.Second)
		for {
			select {
			case e := <-events:
				if match(e) {
					return e
				}
			case <-timeout:
				t.Fatalf("no %s in the stream in 30 s", what)
			}
		}
	}
	next("life state", func(e apiclient.Event) bool { return e.Kind == "life" && e.State == generia.LifeAwake })

	// The stream is open before the comment: it sends the comment, then
	// the reply, each once.
	var comment apiclient.Comment
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts/"+post.ID+"/comments", map[string]string{"text": "Who keeps the light when the dunes move?"}, &comment); err != nil {
		t.Fatal(err)
	}
	mine := next("the person's comment", func(e apiclient.Event) bool { return e.Kind == "comment" })
	if mine.Comment.ID != comment.ID || mine.Comment.Text != comment.Text || mine.Comment.PostID != post.ID || mine.ID == "" {
		t.Errorf("first comment event = %+v %+v, want the person's comment %+v", mine, mine.Comment, comment)
	}
	reply := next("the reply", func(e apiclient.Event) bool { return e.Kind == "comment" })
	if !reply.Comment.IsAI || reply.Comment.ParentID != comment.ID || reply.Comment.CharacterID != post.CharacterID {
		t.Errorf("second comment event = %+v, want the character's reply to the comment", reply.Comment)
	}

	// A person's new post.
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/join", nil, nil); err != nil {
		t.Fatal(err)
	}
	var mineChar apiclient.Character
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/characters", map[string]string{"display_name": "Bob Sand", "bio": "Sweeps the stairs."}, &mineChar); err != nil {
		t.Fatal(err)
	}
	photo, err := b.Upload(ctx, w.ID, pngBytes(t, 128, 128))
	if err != nil {
		t.Fatal(err)
	}
	var newPost apiclient.Post
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts", map[string]any{"character_id": mineChar.ID, "caption": "Swept the stairs again.", "media_id": photo}, &newPost); err != nil {
		t.Fatal(err)
	}
	got := next("the new post", func(e apiclient.Event) bool { return e.Kind == "post" })
	if got.Post.ID != newPost.ID || got.Post.Caption != newPost.Caption || got.Post.DisplayName != "Bob Sand" {
		t.Errorf("post event = %+v, want the new post %+v", got.Post, newPost)
	}

	// Watched for longer than the idle time, the world stays awake.
	time.Sleep(3 * time.Second)
	if v := life(t, a, w.ID); v.State != generia.LifeAwake {
		t.Errorf("life with a stream open past the idle time: %s, want awake", v.State)
	}

	// A reader that reconnects after the person's comment gets the reply
	// (and nothing it had before the comment).
	resumed := make(chan apiclient.Event, 100)
	resumeCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_ = anon.Events(resumeCtx, w.ID, mine.ID, func(e apiclient.Event) bool {
		resumed <- e
		return !(e.Kind == "comment" && e.Comment.ID == reply.Comment.ID)
	})
	close(resumed)
	var replayed []string
	for e := range resumed {
		if e.Kind == "comment" {
			replayed = append(replayed, e.Comment.ID)
		}
		if e.Kind == "comment" && e.Comment.CreatedAt.Before(comment.CreatedAt) {
			t.Errorf("resumed after the comment, the stream sent an older comment %+v", e.Comment)
		}
	}
	if len(replayed) == 0 || replayed[len(replayed)-1] != reply.Comment.ID {
		t.Errorf("resumed stream sent comments %v, want the reply %s", replayed, reply.Comment.ID)
	}

	// The world's page goes out gzipped to a browser, and the image of its
	// post as it is.
	for path, want := range map[string]string{"/worlds/" + w.ID: "gzip", "/api/v1/media/" + post.MediaID: ""} {
		req, _ := http.NewRequest("GET", s.app.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if got := res.Header.Get("Content-Encoding"); res.StatusCode != 200 || got != want {
			t.Errorf("GET %s: %d, Content-Encoding %q, want %q", path, res.StatusCode, got, want)
		}
	}

	// A private world's stream is not found by a stranger.
	private := createWorld(t, a, apiclient.NewWorld{Prompt: "A diary", CharactersCount: 1, PostsCount: 1, Visibility: "private"})
	err = b.Events(ctx, private.ID, "", func(apiclient.Event) bool { return false })
	if apiErr, ok := err.(*apiclient.Error); !ok || apiErr.Status != 404 {
		t.Errorf("a stranger's stream of a private world: %v, want 404", err)
	}
}
