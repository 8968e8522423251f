package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
)

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 80, 40, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// signUp registers a person and returns their client.
func signUp(t *testing.T, s *stack, name string) *apiclient.Client {
	t.Helper()
	c, _ := signUpWithToken(t, s, name)
	return c
}

func status(err error) int {
	var apiErr *apiclient.Error
	if errors.As(err, &apiErr) {
		return apiErr.Status
	}
	if err == nil {
		return 200
	}
	return -1
}

// A person's path through the platform, through the API: register, create
// a world, watch it finish, join, make a character with an avatar, post,
// like, comment; and what strangers may not do.
func TestSocialPlatformThroughTheAPI(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	defer s.app.Close()
	ctx := context.Background()
	anon := apiclient.New(s.app.URL, "")

	a, b := signUp(t, s, "ada"), signUp(t, s, "bob")
	if _, err := anon.Register(ctx, "ADA", "other@example.com", "correct horse battery"); status(err) != 409 {
		t.Errorf("a username taken in another case: %v, want 409", err)
	}

	pub := createWorld(t, a, apiclient.NewWorld{Prompt: "A library that rearranges itself at night", CharactersCount: 2, PostsCount: 3})
	priv := createWorld(t, a, apiclient.NewWorld{Prompt: "A secret garden", CharactersCount: 1, PostsCount: 1, Visibility: "private"})
	for _, id := range []string{pub.ID, priv.ID} {
		if st := waitEnd(t, a, id, time.Minute); st.Status != "completed" {
			t.Fatalf("world %s ended %s", id, st.Status)
		}
	}

	// Private worlds and everything in them are 404 to strangers.
	for _, path := range []string{"", "/status", "/characters", "/posts"} {
		if err := b.Do(ctx, "GET", "/api/v1/worlds/"+priv.ID+path, nil, nil); status(err) != 404 {
			t.Errorf("a stranger GET private world%s: %v, want 404", path, err)
		}
		if err := anon.Do(ctx, "GET", "/api/v1/worlds/"+priv.ID+path, nil, nil); status(err) != 404 {
			t.Errorf("a visitor GET private world%s: %v, want 404", path, err)
		}
	}
	var privWorld apiclient.World
	if err := a.Do(ctx, "GET", "/api/v1/worlds/"+priv.ID, nil, &privWorld); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Media(ctx, privWorld.HeaderMediaID); status(err) != 404 {
		t.Errorf("a stranger GET a private world's image: %v, want 404", err)
	}
	var catalog struct {
		Worlds []apiclient.World `json:"worlds"`
	}
	if err := b.Do(ctx, "GET", "/api/v1/worlds", nil, &catalog); err != nil || len(catalog.Worlds) != 1 || catalog.Worlds[0].ID != pub.ID {
		t.Errorf("bob's catalog = %+v, %v; want only the public world", catalog.Worlds, err)
	}
	if err := a.Do(ctx, "GET", "/api/v1/worlds?scope=mine&status=completed", nil, &catalog); err != nil || len(catalog.Worlds) != 2 {
		t.Errorf("ada's own completed worlds: %d, %v; want 2", len(catalog.Worlds), err)
	}

	// Only the creator cancels or deletes.
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+pub.ID+"/cancel", nil, nil); status(err) != 403 {
		t.Errorf("bob cancels ada's world: %v, want 403", err)
	}
	if err := b.Do(ctx, "DELETE", "/api/v1/worlds/"+pub.ID, nil, nil); status(err) != 403 {
		t.Errorf("bob deletes ada's world: %v, want 403", err)
	}

	// Bob must join before he makes a character.
	avatarPNG := pngBytes(t, 128, 128)
	if _, err := b.Upload(ctx, pub.ID, avatarPNG); status(err) != 403 {
		t.Errorf("upload before joining: %v, want 403", err)
	}
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+pub.ID+"/join", nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+pub.ID+"/join", nil, nil); err != nil {
		t.Errorf("joining twice: %v", err)
	}
	if _, err := b.Upload(ctx, pub.ID, []byte("<html>not an image</html>")); status(err) != 400 {
		t.Errorf("uploading HTML: %v, want 400", err)
	}
	if _, err := b.Upload(ctx, pub.ID, pngBytes(t, 16, 16)); status(err) != 400 {
		t.Errorf("uploading a 16×16 image: %v, want 400", err)
	}
	avatar, err := b.Upload(ctx, pub.ID, avatarPNG)
	if err != nil {
		t.Fatal(err)
	}
	var char apiclient.Character
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+pub.ID+"/characters", map[string]string{"display_name": "Bob the Binder", "bio": "I glue spines.", "avatar_media_id": avatar}, &char); err != nil {
		t.Fatal(err)
	}
	if char.Username != "bob_the_binder" || char.AvatarMediaID != avatar {
		t.Errorf("character = %+v", char)
	}

	// Bob posts as his character, not as an AI character or Ada's.
	photo, err := b.Upload(ctx, pub.ID, pngBytes(t, 256, 200))
	if err != nil {
		t.Fatal(err)
	}
	chars, _, err := b.Characters(ctx, pub.ID, 50, "")
	if err != nil {
		t.Fatal(err)
	}
	var aiChar string
	for _, c := range chars {
		if c.ID != char.ID {
			aiChar = c.ID
		}
	}
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+pub.ID+"/posts", map[string]any{"character_id": aiChar, "caption": "hijack", "media_id": photo}, nil); status(err) != 403 {
		t.Errorf("posting as an AI character: %v, want 403", err)
	}
	var post apiclient.Post
	if err := b.Do(ctx, "POST", "/api/v1/worlds/"+pub.ID+"/posts", map[string]any{"character_id": char.ID, "caption": "Glued the atlas <b>back</b> together.", "media_id": photo, "hashtags": []string{"#books", "glue"}}, &post); err != nil {
		t.Fatal(err)
	}
	if post.IsAI || post.DisplayName != "Bob the Binder" || len(post.Hashtags) != 2 || post.Hashtags[0] != "books" {
		t.Errorf("post = %+v", post)
	}

	// A visitor's feed page is cached from here on; what follows must show.
	if feed, _, err := anon.Posts(ctx, pub.ID, 2, ""); err != nil || len(feed) != 2 || feed[0].ID != post.ID || feed[0].LikesCount != 0 {
		t.Errorf("the feed's newest post before any like = %+v, %v", feed, err)
	}

	// Likes are idempotent and counted; comments show their authors.
	path := "/api/v1/worlds/" + pub.ID + "/posts/" + post.ID
	var lr struct {
		LikesCount int `json:"likes_count"`
	}
	for range 2 {
		if err := a.Do(ctx, "POST", path+"/like", nil, &lr); err != nil || lr.LikesCount != 1 {
			t.Errorf("ada likes: count %d, %v; want 1 however often", lr.LikesCount, err)
		}
	}
	if err := b.Do(ctx, "POST", path+"/like", nil, &lr); err != nil || lr.LikesCount != 2 {
		t.Errorf("bob likes: %d, %v", lr.LikesCount, err)
	}
	if err := b.Do(ctx, "DELETE", path+"/like", nil, &lr); err != nil || lr.LikesCount != 1 {
		t.Errorf("bob unlikes: %d, %v", lr.LikesCount, err)
	}
	var comment apiclient.Comment
	if err := a.Do(ctx, "POST", path+"/comments", map[string]string{"text": "Lovely work!"}, &comment); err != nil || comment.Username != "ada" {
		t.Fatalf("comment = %+v, %v", comment, err)
	}
	if err := a.Do(ctx, "POST", path+"/comments", map[string]string{"text": "   "}, nil); status(err) != 400 {
		t.Errorf("an empty comment: %v, want 400", err)
	}
	// Bob may not delete Ada's comment on his post (it is Ada's world, not his).
	if err := b.Do(ctx, "DELETE", path+"/comments/"+comment.ID, nil, nil); status(err) != 403 {
		t.Errorf("bob deletes ada's comment: %v, want 403", err)
	}
	var got apiclient.Post
	if err := a.Do(ctx, "GET", path, nil, &got); err != nil || got.LikesCount != 1 || got.CommentsCount != 1 || !got.UserLiked {
		t.Errorf("post as ada sees it: %+v, %v", got, err)
	}
	if err := a.Do(ctx, "DELETE", path+"/comments/"+comment.ID, nil, nil); err != nil {
		t.Errorf("ada deletes her comment: %v", err)
	}
	feed, _, err := anon.Posts(ctx, pub.ID, 2, "")
	if err != nil || len(feed) != 2 || feed[0].ID != post.ID || feed[0].CommentsCount != 0 || feed[0].LikesCount != 1 {
		t.Errorf("the feed's newest post = %+v, %v; want bob's, 1 like, no comment", feed, err)
	}
	// Each signed-in reader sees their own like in the feed.
	for _, tc := range []struct {
		who   string
		c     *apiclient.Client
		liked bool
	}{{"ada", a, true}, {"bob", b, false}, {"a visitor", anon, false}} {
		feed, _, err := tc.c.Posts(ctx, pub.ID, 2, "")
		if err != nil || len(feed) != 2 || feed[0].ID != post.ID || feed[0].UserLiked != tc.liked || feed[0].LikesCount != 1 {
			t.Errorf("the feed as %s sees it: %+v, %v; want bob's post first, 1 like, liked %v", tc.who, feed, err, tc.liked)
		}
	}

	// Deleting a world removes it, its posts and its media.
	if err := a.Do(ctx, "DELETE", "/api/v1/worlds/"+pub.ID, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := a.Do(ctx, "GET", "/api/v1/worlds/"+pub.ID, nil, nil); status(err) != 404 {
		t.Errorf("the deleted world: %v, want 404", err)
	}
	if _, _, err := a.Media(ctx, photo); status(err) != 404 {
		t.Errorf("the deleted world's image: %v, want 404", err)
	}

	// The API describes itself, and answers JSON to what it does not know.
	var doc map[string]any
	if err := anon.Do(ctx, "GET", "/api/v1/openapi.json", nil, &doc); err != nil || doc["openapi"] != "3.1.0" {
		t.Errorf("openapi.json: %v", err)
	}
	if err := anon.Do(ctx, "PUT", "/api/v1/worlds", nil, nil); status(err) != 405 {
		t.Errorf("PUT /worlds: %v, want a JSON 405", err)
	}
}

func TestSignInIsRateLimited(t *testing.T) {
	// 10 an hour: the bucket cannot refill during the test, however slow.
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{"GENERIA_LOGIN_RATE": "10/1h"}})
	defer s.app.Close()
	anon := apiclient.New(s.app.URL, "")
	// Failures on one account from one address: half the attempts.
	codes := map[int]int{}
	for i := range 7 {
		_, err := anon.Login(context.Background(), "nobody", fmt.Sprintf("wrong-%d", i))
		codes[status(err)]++
	}
	if codes[401] != 5 || codes[429] != 2 {
		t.Errorf("7 bad sign-ins to one account answered %v; want 5 × 401 then 429", codes)
	}
	// Attempts from one address, whatever the account: 10, of which 7 so
	// far.
	codes = map[int]int{}
	for i := range 5 {
		_, err := anon.Login(context.Background(), fmt.Sprintf("somebody%d", i), "wrong")
		codes[status(err)]++
	}
	if codes[401] != 3 || codes[429] != 2 {
		t.Errorf("5 more bad sign-ins to other accounts answered %v; want 3 × 401 then 429", codes)
	}
	req, _ := http.NewRequest("POST", s.app.URL+"/api/v1/auth/login", strings.NewReader(`{"email_or_username":"x","password":"y"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("rate-limited sign-in: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}
