package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
)

// People edit what is theirs through the API, and only that: their
// world's name, description and visibility, their character's name, bio
// and avatar, their post's caption and hashtags (which the hashtag list
// follows). Bad input is a 400 that changes nothing.
func TestPeopleEditWhatIsTheirs(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	defer s.app.Close()
	ctx := context.Background()
	ada, bob := signUp(t, s, "ada"), signUp(t, s, "bob")
	w := createWorld(t, ada, apiclient.NewWorld{Prompt: "A library that rearranges itself at night", CharactersCount: 1, PostsCount: 1})
	waitCompleted(t, ada, w.ID, time.Minute)
	worldPath := "/api/v1/worlds/" + w.ID

	// The world: its owner renames it and makes it private; bob may not.
	var edited apiclient.World
	if err := ada.Do(ctx, "PATCH", worldPath, map[string]string{"name": "  Night Stacks ", "visibility": "private"}, &edited); err != nil {
		t.Fatal(err)
	}
	if edited.Name != "Night Stacks" || edited.Visibility != "private" || edited.Prompt != w.Prompt {
		t.Errorf("edited world: %q %q %q", edited.Name, edited.Visibility, edited.Prompt)
	}
	if err := bob.Do(ctx, "GET", worldPath, nil, nil); status(err) != 404 {
		t.Errorf("bob reads the world made private: %v, want 404", err)
	}
	for _, bad := range []map[string]any{{"name": ""}, {"name": strings.Repeat("n", 101)}, {"visibility": "secret"}, {"description": strings.Repeat("d", 2001)}} {
		if err := ada.Do(ctx, "PATCH", worldPath, bad, nil); status(err) != 400 {
			t.Errorf("PATCH world %v: %v, want 400", bad, err)
		}
	}
	if err := ada.Do(ctx, "PATCH", worldPath, map[string]string{"visibility": "public"}, &edited); err != nil || edited.Name != "Night Stacks" {
		t.Errorf("after the refused edits the world is %q (%v), want Night Stacks", edited.Name, err)
	}
	if err := bob.Do(ctx, "PATCH", worldPath, map[string]string{"name": "Bob's now"}, nil); status(err) != 403 {
		t.Errorf("bob renames ada's world: %v, want 403", err)
	}

	// A character: bob's own, with a new avatar; not ada's AI character.
	if err := bob.Do(ctx, "POST", worldPath+"/join", nil, nil); err != nil {
		t.Fatal(err)
	}
	var char apiclient.Character
	if err := bob.Do(ctx, "POST", worldPath+"/characters", map[string]string{"display_name": "Bob the Binder"}, &char); err != nil {
		t.Fatal(err)
	}
	avatar, err := bob.Upload(ctx, w.ID, pngBytes(t, 128, 128))
	if err != nil {
		t.Fatal(err)
	}
	charPath := "/api/v1/characters/" + char.ID
	var ec apiclient.Character
	if err := bob.Do(ctx, "PATCH", charPath, map[string]string{"bio": "I glue spines.", "avatar_media_id": avatar}, &ec); err != nil {
		t.Fatal(err)
	}
	if ec.DisplayName != "Bob the Binder" || ec.Bio != "I glue spines." || ec.AvatarMediaID != avatar || ec.Username != char.Username {
		t.Errorf("edited character: %+v", ec)
	}
	if err := bob.Do(ctx, "PATCH", charPath, map[string]string{"display_name": " "}, nil); status(err) != 400 {
		t.Errorf("an empty display name: %v, want 400", err)
	}
	if err := ada.Do(ctx, "PATCH", charPath, map[string]string{"display_name": "Ada's now"}, nil); status(err) != 403 {
		t.Errorf("ada renames bob's character: %v, want 403", err)
	}
	chars, posts := contents(t, ada, w.ID)
	if err := ada.Do(ctx, "PATCH", "/api/v1/characters/"+chars[0].ID, map[string]string{"bio": "rewritten"}, nil); status(err) != 403 {
		t.Errorf("the owner rewrites an AI character: %v, want 403", err)
	}

	// A post: bob's own, whose new hashtag finds it.
	photo, err := bob.Upload(ctx, w.ID, pngBytes(t, 256, 200))
	if err != nil {
		t.Fatal(err)
	}
	var post apiclient.Post
	if err := bob.Do(ctx, "POST", worldPath+"/posts", map[string]any{"character_id": char.ID, "media_id": photo, "caption": "Glue day", "hashtags": []string{"glue"}}, &post); err != nil {
		t.Fatal(err)
	}
	if post.MediaWidth != 256 || post.MediaHeight != 200 {
		t.Errorf("the post's image is %d×%d, want 256×200", post.MediaWidth, post.MediaHeight)
	}
	postPath := worldPath + "/posts/" + post.ID
	var ep apiclient.Post
	if err := bob.Do(ctx, "PATCH", postPath, map[string]any{"caption": "Glue night", "hashtags": []string{"#Spines"}}, &ep); err != nil {
		t.Fatal(err)
	}
	if ep.Caption != "Glue night" || len(ep.Hashtags) != 1 || ep.Hashtags[0] != "Spines" {
		t.Errorf("edited post: %q %v", ep.Caption, ep.Hashtags)
	}
	tagged := func(tag string) int {
		var page struct {
			Posts []apiclient.Post `json:"posts"`
		}
		if err := bob.Do(ctx, "GET", worldPath+"/posts?hashtag="+tag, nil, &page); err != nil {
			t.Fatal(err)
		}
		return len(page.Posts)
	}
	if g, s := tagged("glue"), tagged("spines"); g != 0 || s != 1 {
		t.Errorf("after the edit: %d posts tagged glue, %d spines; want 0 and 1", g, s)
	}
	if err := bob.Do(ctx, "PATCH", postPath, map[string]any{"caption": strings.Repeat("c", 2201)}, nil); status(err) != 400 {
		t.Errorf("a caption too long: %v, want 400", err)
	}
	if err := ada.Do(ctx, "PATCH", postPath, map[string]any{"caption": "moderated"}, nil); status(err) != 403 {
		t.Errorf("the world's owner edits bob's post: %v, want 403 (she may remove it, not put words in it)", err)
	}
	if err := ada.Do(ctx, "PATCH", worldPath+"/posts/"+posts[0].ID, map[string]any{"caption": "rewritten"}, nil); status(err) != 403 {
		t.Errorf("the owner rewrites an AI character's post: %v, want 403", err)
	}
	var again apiclient.Post
	if err := bob.Do(ctx, "GET", postPath, nil, &again); err != nil || again.Caption != "Glue night" {
		t.Errorf("after the refused edits the caption is %q (%v), want Glue night", again.Caption, err)
	}
}
