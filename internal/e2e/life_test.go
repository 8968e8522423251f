package e2e

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/generia"
)

// life reads a world's life through the API; reading it is not a view.
func life(t *testing.T, c *apiclient.Client, worldID string) generia.LifeView {
	t.Helper()
	var v generia.LifeView
	if err := c.Do(context.Background(), "GET", "/api/v1/worlds/"+worldID+"/life", nil, &v); err != nil {
		t.Fatalf("reading the life of %s: %v", worldID, err)
	}
	return v
}

// waitLife polls a world's life until cond holds, for up to timeout.
func waitLife(t *testing.T, c *apiclient.Client, worldID string, timeout time.Duration, what string, cond func(generia.LifeView) bool) generia.LifeView {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		v := life(t, c, worldID)
		if cond(v) {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting %s for the life to be %s: %+v", timeout, what, v)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// replies returns the AI replies to a comment.
func replies(t *testing.T, c *apiclient.Client, worldID, postID, commentID string) []apiclient.Comment {
	t.Helper()
	var page struct {
		Comments []apiclient.Comment `json:"comments"`
	}
	if err := c.Do(context.Background(), "GET", "/api/v1/worlds/"+worldID+"/posts/"+postID+"/comments?limit=100", nil, &page); err != nil {
		t.Fatal(err)
	}
	var out []apiclient.Comment
	for _, m := range page.Comments {
		if m.IsAI && m.ParentID == commentID {
			out = append(out, m)
		}
	}
	return out
}

// calls counts a world's provider calls in its ledger.
func calls(t *testing.T, s *stack, worldID string) int {
	t.Helper()
	ledger, err := s.app.Store.ProviderCalls(context.Background(), worldID)
	if err != nil {
		t.Fatal(err)
	}
	return len(ledger)
}

// A world lives after its generation: a person's comment on a character's
// post is answered by that character within seconds, once; unwatched, the
// world falls asleep and makes no call; a view wakes it; its owner pauses
// it, and a paused or spent world does not answer; bad settings and
// strangers change nothing.
func TestAWorldLivesAndAnswers(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{
		"GENERIA_LIFE_IDLE": "3s", "GENERIA_LIFE_ACTIONS_PER_HOUR": "0", "GENERIA_COMMENT_RATE": "4/1h",
	}})
	defer s.app.Close()
	ctx := context.Background()
	anon := apiclient.New(s.app.URL, "")
	a, b := signUp(t, s, "ada"), signUp(t, s, "bob")
	w := createWorld(t, a, apiclient.NewWorld{Prompt: "A lantern market on a frozen river", CharactersCount: 2, PostsCount: 2, Visibility: "public"})
	waitCompleted(t, a, w.ID, 2*time.Minute)
	generated := calls(t, s, w.ID)
	posts, _, err := anon.Posts(ctx, w.ID, 10, "")
	if err != nil || len(posts) != 2 {
		t.Fatalf("feed = %v, %v", posts, err)
	}
	post := posts[0]

	// A person's comment gets the reply of the post's character.
	var comment apiclient.Comment
	asked := time.Now()
	if err := a.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts/"+post.ID+"/comments", map[string]string{"text": "Where do the lanterns come from?"}, &comment); err != nil {
		t.Fatal(err)
	}
	if comment.Answer == nil || comment.Answer.Status != "coming" || comment.Answer.Message == "" {
		t.Errorf("the comment's answer = %+v, want it coming", comment.Answer)
	}
	var got []apiclient.Comment
	for deadline := time.Now().Add(30 * time.Second); len(got) == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no reply to the comment in 30 s")
		}
		got = replies(t, anon, w.ID, post.ID, comment.ID)
	}
	t.Logf("the reply came %s after the comment", time.Since(asked).Round(time.Millisecond))
	r := got[0]
	if r.CharacterID != post.CharacterID || r.DisplayName != post.DisplayName || r.UserID != "" || r.Text == "" {
		t.Errorf("reply = %+v, want the post's character %s speaking", r, post.DisplayName)
	}
	// The life records the answer it made a moment after saving it.
	owner := waitLife(t, a, w.ID, 5*time.Second, "counting its answer", func(v generia.LifeView) bool { return v.ActionsToday == 1 })
	if owner.State != generia.LifeAwake || owner.CallsToday != 1 || owner.ActionsToday != 1 || !owner.Settings.Enabled {
		t.Errorf("the owner's view of the life after one answer: %+v", owner)
	}
	if v := life(t, anon, w.ID); v.State == "" || v.CallsToday != 0 || v.Settings.DailyCalls != 0 {
		t.Errorf("a visitor's view of the life shows more than its state: %+v", v)
	}

	// Unwatched, the world sleeps and calls nothing; a view wakes it.
	waitLife(t, a, w.ID, 20*time.Second, "asleep", func(v generia.LifeView) bool { return v.State == generia.LifeAsleep })
	before := calls(t, s, w.ID)
	time.Sleep(4 * time.Second)
	if n := calls(t, s, w.ID); n != before || n != generated+1 {
		t.Errorf("%d provider calls while asleep (%d by the generation, 1 by the answer)", n-before, generated)
	}
	if v := life(t, a, w.ID); v.State != generia.LifeAsleep {
		t.Errorf("reading the life woke the world: %+v", v)
	}
	if _, _, err := anon.Posts(ctx, w.ID, 10, ""); err != nil {
		t.Fatal(err)
	}
	woke := time.Now()
	waitLife(t, a, w.ID, 5*time.Second, "awake after a view", func(v generia.LifeView) bool { return v.State == generia.LifeAwake })
	t.Logf("a view woke the world in %s", time.Since(woke).Round(time.Millisecond))
	if again := replies(t, anon, w.ID, post.ID, comment.ID); len(again) != 1 {
		t.Errorf("%d replies to one comment", len(again))
	}

	// Bad settings and strangers change nothing.
	path := "/api/v1/worlds/" + w.ID + "/life"
	for _, tc := range []struct {
		who  *apiclient.Client
		body map[string]any
		want int
	}{
		{a, map[string]any{"daily_calls": 0}, 400},
		{a, map[string]any{"actions_per_hour": -1}, 400},
		{a, map[string]any{"daily_budget_usd": 5000}, 400},
		{a, map[string]any{"actions_per_hour": 3600}, 400}, // above GENERIA_LIFE_MAX_ACTIONS_PER_HOUR's 60
		{a, map[string]any{"daily_budget_usd": 1000}, 400}, // above GENERIA_LIFE_MAX_DAILY_BUDGET_USD's $1
		{anon, map[string]any{"paused": true}, 401},
		{b, map[string]any{"paused": true}, 403},
	} {
		if err := tc.who.Do(ctx, "POST", path, tc.body, nil); status(err) != tc.want {
			t.Errorf("POST life %v: %v, want %d", tc.body, err, tc.want)
		}
	}
	if v := life(t, a, w.ID); v.Settings != owner.Settings {
		t.Errorf("settings after refused changes = %+v, want %+v", v.Settings, owner.Settings)
	}
	// Speaking as someone else's character is refused.
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts/"+post.ID+"/comments", map[string]string{"text": "Me!", "character_id": post.CharacterID}, nil); status(err) != 400 {
		t.Errorf("commenting as an AI character: %v, want 400", err)
	}

	// Paused, the world does not answer; at its ceiling it rests.
	var paused generia.LifeView
	if err := a.Do(ctx, "POST", path, map[string]any{"paused": true}, &paused); err != nil || !paused.Settings.Paused {
		t.Fatalf("pausing: %+v, %v", paused, err)
	}
	waitLife(t, a, w.ID, 5*time.Second, "paused", func(v generia.LifeView) bool { return v.State == generia.LifePaused })
	var unanswered apiclient.Comment
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts/"+post.ID+"/comments", map[string]string{"text": "Hello?"}, &unanswered); err != nil {
		t.Fatal(err)
	}
	if ans := unanswered.Answer; ans == nil || ans.Status != "queued" || !strings.Contains(ans.Message, "paused") {
		t.Errorf("a comment's answer in a paused world = %+v, want it queued, saying why", ans)
	}
	var resting generia.LifeView
	if err := a.Do(ctx, "POST", path, map[string]any{"paused": false, "daily_calls": 1}, &resting); err != nil {
		t.Fatal(err)
	}
	waitLife(t, a, w.ID, 5*time.Second, "resting at its ceiling", func(v generia.LifeView) bool { return v.State == generia.LifeResting && v.RestsUntil != nil })
	var late apiclient.Comment
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts/"+post.ID+"/comments", map[string]string{"text": "Still there?"}, &late); err != nil {
		t.Fatal(err)
	}
	if ans := late.Answer; ans == nil || ans.Status != "queued" || !strings.Contains(ans.Message, "after") {
		t.Errorf("a comment's answer in a resting world = %+v, want it queued until the next day", ans)
	}
	time.Sleep(2 * time.Second)
	if n := len(replies(t, anon, w.ID, post.ID, unanswered.ID)); n != 0 || calls(t, s, w.ID) != generated+1 {
		t.Errorf("%d replies and %d calls past the ceiling of 1 call a day", n, calls(t, s, w.ID)-generated-1)
	}

	// A flood of comments is refused past the account's rate, saying when to
	// try again, and the refused ones are not stored.
	var thread struct {
		Comments []apiclient.Comment `json:"comments"`
	}
	commentsPath := "/api/v1/worlds/" + w.ID + "/posts/" + posts[1].ID + "/comments"
	refused := 0
	for i := range 6 {
		err := a.Do(ctx, "POST", commentsPath, map[string]string{"text": fmt.Sprintf("Flood %d", i)}, nil)
		switch status(err) {
		case 200:
		case 429:
			refused++
		default:
			t.Errorf("comment %d of a flood: %v", i, err)
		}
	}
	if err := anon.Do(ctx, "GET", commentsPath, nil, &thread); err != nil {
		t.Fatal(err)
	}
	// The rates are per hour, so that no token comes back during the test.
	// ada wrote 1 comment before the flood, which a rate of 4 an account
	// leaves 3 more; bob commented 3 times from the same address, but the
	// one refused as invalid (as ada's character) spent nothing, so an
	// address's rate of 6 (half again an account's) leaves 3 too.
	people := 0
	for _, m := range thread.Comments {
		if !m.IsAI {
			people++
		}
	}
	if refused != 3 || people != 3 {
		t.Errorf("a flood of 6 comments: %d refused and %d stored, want 3 and 3", refused, people)
	}
	if os.Getenv("GENERIA_RECORD_HISTORY") == "1" { // the life ends as when its world is deleted
		if err := s.app.Pipeline.EndLife(ctx, w.ID); err != nil {
			t.Fatal(err)
		}
		recordHistory(t, s, generia.LifeWorkflowID(w.ID), "life-checks-answered-asleep-woken-paused-resting.json")
	}
}

// A life whose process stops while a reply is being written resumes after
// the restart and answers the comment once.
func TestALifeSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"GENERIA_LIFE_IDLE": "1m", "GENERIA_LIFE_ACTIONS_PER_HOUR": "0"}
	s := start(t, settings{dataDir: dir, env: env})
	ctx := context.Background()
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "A lighthouse keepers' guild on a foggy coast", CharactersCount: 1, PostsCount: 1})
	waitCompleted(t, s.client, w.ID, time.Minute)
	s.app.Close()

	// Slow replies: the process stops while the reply is written.
	s = start(t, settings{dataDir: dir, env: env, llmLatency: 3 * time.Second})
	posts, _, err := s.client.Posts(ctx, w.ID, 1, "")
	if err != nil || len(posts) != 1 {
		s.app.Close()
		t.Fatalf("feed = %v, %v", posts, err)
	}
	var comment apiclient.Comment
	path := "/api/v1/worlds/" + w.ID + "/posts/" + posts[0].ID + "/comments"
	if err := s.client.Do(ctx, "POST", path, map[string]string{"text": "Is the lamp lit tonight?"}, &comment); err != nil {
		s.app.Close()
		t.Fatal(err)
	}
	// The reply's call is reserved (counted in the day) before it is made.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		day, err := s.app.Store.LifeDay(ctx, w.ID, generia.DayOf(time.Now()))
		if err == nil && day.Calls == 1 {
			break
		}
		if time.Now().After(deadline) {
			s.app.Close()
			t.Fatalf("the reply's call was not reserved: %+v, %v", day, err)
		}
	}
	if n := len(replies(t, s.client, w.ID, posts[0].ID, comment.ID)); n != 0 {
		t.Fatalf("%d replies before the stop; make the reply slower", n)
	}
	s.app.Close()

	s = start(t, settings{dataDir: dir, env: env})
	defer s.app.Close()
	var got []apiclient.Comment
	for deadline := time.Now().Add(90 * time.Second); len(got) == 0; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the comment was not answered after the restart")
		}
		got = replies(t, s.client, w.ID, posts[0].ID, comment.ID)
	}
	time.Sleep(time.Second)
	if got = replies(t, s.client, w.ID, posts[0].ID, comment.ID); len(got) != 1 {
		t.Errorf("%d replies to one comment after a restart, want 1", len(got))
	}
}

// While watched, characters act on their own: they comment on each other's
// posts, and every third action is a new post of their own, with its image.
func TestCharactersActOnTheirOwnWhileWatched(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{
		"GENERIA_LIFE_IDLE": "5m", "GENERIA_LIFE_ACTIONS_PER_HOUR": "3600", "GENERIA_LIFE_DAILY_CALLS": "5",
		"GENERIA_LIFE_MAX_ACTIONS_PER_HOUR": "3600", // above the default ceiling, which the operator raises
	}})
	defer s.app.Close()
	ctx := context.Background()
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "Rival bakers of a mountain pass", CharactersCount: 2, PostsCount: 4})
	waitCompleted(t, s.client, w.ID, time.Minute)
	generated, _, err := s.client.Posts(ctx, w.ID, 10, "") // a view: the life starts
	if err != nil || len(generated) != 4 {
		t.Fatalf("feed = %v, %v", generated, err)
	}
	before, err := s.app.Store.GenerationStatus(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	// At one action a second and 5 calls a day: a comment (1 call), a
	// comment (1), a post (its text and its image, 2), a comment (1), and
	// the day's calls are spent: the world rests.
	// (Four times slower if it is night in the world.)
	v := waitLife(t, s.client, w.ID, 2*time.Minute, "resting after its actions", func(v generia.LifeView) bool {
		return v.State == generia.LifeResting
	})
	posts, _, err := s.client.Posts(ctx, w.ID, 20, "")
	if err != nil {
		t.Fatal(err)
	}
	var own []apiclient.Post
	for _, p := range posts {
		if !slices.ContainsFunc(generated, func(g apiclient.Post) bool { return g.ID == p.ID }) {
			own = append(own, p)
		}
	}
	if len(own) != 1 || !own[0].IsAI || own[0].Caption == "" || own[0].MediaID == "" || len(own[0].Hashtags) == 0 {
		t.Fatalf("the world's own posts: %+v, want one by a character, with a caption, hashtags and an image", own)
	}
	if data, _, err := s.client.Media(ctx, own[0].MediaID); err != nil || len(data) == 0 {
		t.Errorf("the new post's image: %d bytes, %v", len(data), err)
	}
	comments, likes := 0, 0
	for _, p := range posts {
		var liked struct {
			Likes []apiclient.Like `json:"likes"`
		}
		if err := s.client.Do(ctx, "GET", "/api/v1/worlds/"+w.ID+"/posts/"+p.ID+"/likes", nil, &liked); err != nil {
			t.Fatal(err)
		}
		// The post itself, not its card in the feed, which is cached for a
		// moment and may not show a like the worker just made.
		var fresh apiclient.Post
		if err := s.client.Do(ctx, "GET", "/api/v1/worlds/"+w.ID+"/posts/"+p.ID, nil, &fresh); err != nil {
			t.Fatal(err)
		}
		if len(liked.Likes) != fresh.LikesCount {
			t.Errorf("post %s counts %d likes and lists %d", p.ID, fresh.LikesCount, len(liked.Likes))
		}
		for _, l := range liked.Likes {
			if l.CharacterID == "" || l.DisplayName == "" || l.CharacterID == p.CharacterID {
				t.Errorf("like %+v of a post by %s is not another character's", l, p.DisplayName)
			}
			likes++
		}
		var page struct {
			Comments []apiclient.Comment `json:"comments"`
		}
		if err := s.client.Do(ctx, "GET", "/api/v1/worlds/"+w.ID+"/posts/"+p.ID+"/comments", nil, &page); err != nil {
			t.Fatal(err)
		}
		byID := map[string]apiclient.Comment{}
		for _, c := range page.Comments {
			byID[c.ID] = c
		}
		for _, c := range page.Comments {
			if !c.IsAI || c.CharacterID == p.CharacterID || c.Text == "" {
				t.Errorf("comment %+v on a post by %s is not a character's own comment on another's post", c, p.DisplayName)
			}
			if parent, ok := byID[c.ParentID]; c.ParentID != "" && (!ok || !parent.IsAI || parent.CharacterID == c.CharacterID || parent.ParentID != "") {
				t.Errorf("reply %+v does not answer another character's comment that is no reply itself", c)
			}
			comments++
		}
	}
	if comments != 3 || v.CallsToday != 5 || likes < 1 || likes > 3 {
		t.Errorf("%d comments and %d likes of the world's own, %d calls today; want 3 comments, each with a like of its post (at most 3), and 5 calls",
			comments, likes, v.CallsToday)
	}
	after, err := s.app.Store.GenerationStatus(ctx, w.ID)
	if err != nil || after.PostsCreated != before.PostsCreated || after.ImagesCreated != before.ImagesCreated || after.CallsLLM != before.CallsLLM {
		t.Errorf("the generation's record counts the life's work: %+v → %+v (%v)", before, after, err)
	}
}

// A person's new post draws the comments of the characters it @mentions and
// of one or two others; a character answers a person's comment on it.
func TestAPersonsPostDrawsReactions(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{"GENERIA_LIFE_ACTIONS_PER_HOUR": "0"}})
	defer s.app.Close()
	ctx := context.Background()
	a := signUp(t, s, "ada")
	w := createWorld(t, a, apiclient.NewWorld{Prompt: "Night gardeners of a glass city", CharactersCount: 3, PostsCount: 3})
	waitCompleted(t, a, w.ID, time.Minute)
	cast, _, err := a.Characters(ctx, w.ID, 10, "")
	if err != nil || len(cast) != 3 {
		t.Fatalf("cast = %v, %v", cast, err)
	}
	photo, err := a.Upload(ctx, w.ID, pngBytes(t, 128, 128))
	if err != nil {
		t.Fatal(err)
	}
	var mine apiclient.Character
	if err := a.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/characters", map[string]string{"display_name": "Ada Bloom", "bio": "New in town."}, &mine); err != nil {
		t.Fatal(err)
	}
	mentioned := cast[2]
	var post apiclient.Post
	caption := "My first night shift among the glass beds. @" + mentioned.Username + ", any advice?"
	if err := a.Do(ctx, "POST", "/api/v1/worlds/"+w.ID+"/posts", map[string]any{"character_id": mine.ID, "caption": caption, "media_id": photo}, &post); err != nil {
		t.Fatal(err)
	}
	var got []apiclient.Comment
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		got = replies(t, a, w.ID, post.ID, "")
		if slices.ContainsFunc(got, func(c apiclient.Comment) bool { return c.CharacterID == mentioned.ID }) && len(got) >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reactions to the post in 30 s: %+v; want the mentioned %s and at least one more", got, mentioned.Username)
		}
	}
	time.Sleep(time.Second) // the rest of the reactions, if any
	got = replies(t, a, w.ID, post.ID, "")
	seen := map[string]bool{}
	for _, c := range got {
		if seen[c.CharacterID] || c.CharacterID == mine.ID || c.Text == "" {
			t.Errorf("reaction %+v: a character reacts once, and never a person's", c)
		}
		seen[c.CharacterID] = true
	}
	if len(got) > 3 {
		t.Errorf("%d reactions to one post, want at most 3", len(got))
	}
}
