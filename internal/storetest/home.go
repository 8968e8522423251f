package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// seedHome makes the home of u-reader: their own world w-own, alice's
// private world w-joined they joined (where they made a character), alice's
// public world w-public and private world w-private where they follow a
// character each, and w-other, public, which they neither joined nor follow
// in. Every world has one character posting a post a minute, the worlds in
// turn; the reader's own character posts too.
func seedHome(t *testing.T, s generia.Store) {
	t.Helper()
	newUser(t, s, "reader")
	newUser(t, s, "alice")
	for _, w := range []struct{ id, owner, visibility string }{
		{"w-own", "u-reader", generia.VisibilityPublic},
		{"w-joined", "u-alice", generia.VisibilityPrivate},
		{"w-public", "u-alice", generia.VisibilityPublic},
		{"w-private", "u-alice", generia.VisibilityPrivate},
		{"w-other", "u-alice", generia.VisibilityPublic},
	} {
		newWorld(t, s, w.id, func(nw *generia.World, _ *generia.GenerationStatus) {
			nw.OwnerID, nw.Visibility = w.owner, w.visibility
		})
		createCharacter(t, s, newCharacter("c-"+w.id, w.id, 0))
	}
	createCharacter(t, s, newCharacter("c-w-public-2", "w-public", 1))
	mine := newCharacter("c-mine", "w-joined", 1)
	mine.OwnerID = "u-reader"
	ok(t, s.JoinWorld(t.Context(), "w-joined", "u-reader", t0), "joining w-joined")
	createCharacter(t, s, mine)
	ok(t, s.FollowCharacter(t.Context(), "u-reader", "c-w-public", t0), "following c-w-public")
	ok(t, s.FollowCharacter(t.Context(), "u-reader", "c-w-private", t0), "following c-w-private")

	// Posts p1 (oldest) to p7 of the characters above, and one of the
	// unfollowed character of w-public.
	for i, c := range []string{"c-w-own", "c-w-joined", "c-w-public", "c-w-private", "c-w-other", "c-mine", "c-w-public-2"} {
		world := map[string]string{"c-mine": "w-joined", "c-w-public-2": "w-public"}[c]
		if world == "" {
			world = c[2:]
		}
		createPost(t, s, newPost("p"+string(rune('1'+i)), generia.Character{ID: c, WorldID: world}, at(time.Duration(i)*time.Minute)))
	}
}

// homeIDs lists u-reader's home, following every page of two posts.
func homeIDs(t *testing.T, s generia.Store) []string {
	t.Helper()
	got, _ := allPages(t, 2, func(p generia.Page) ([]generia.Post, string, error) {
		return s.HomeFeed(t.Context(), "u-reader", p)
	})
	return ids(got, postID)
}

func testHomeFeed(t *testing.T, s generia.Store) {
	seedHome(t, s)
	ctx := t.Context()

	// Following again is one follow.
	ok(t, s.FollowCharacter(ctx, "u-reader", "c-w-public", at(time.Hour)), "following c-w-public again")
	n, err := s.FollowersCount(ctx, "c-w-public")
	ok(t, err, "FollowersCount")
	if n != 1 {
		t.Errorf("followers of c-w-public after following twice = %d, want 1", n)
	}
	follows, err := s.Follows(ctx, "u-reader", []string{"c-w-public", "c-w-other", "c-w-private", "c-unknown"})
	ok(t, err, "Follows")
	same(t, "the reader's follows", follows, map[string]bool{"c-w-public": true, "c-w-private": true})
	if follows, err := s.Follows(ctx, "", []string{"c-w-public"}); err != nil || len(follows) != 0 {
		t.Errorf("a visitor's follows = %v, %v; want none", follows, err)
	}

	// Own world, joined world, the followed character of a public world;
	// not the private world the reader is no member of, nor the other
	// character or world.
	want := []string{"p6", "p3", "p2", "p1"}
	if got := homeIDs(t, s); !slices.Equal(got, want) {
		t.Errorf("home = %v, want %v", got, want)
	}
	page, _, err := s.HomeFeed(ctx, "u-reader", generia.Page{Limit: 1})
	ok(t, err, "the first page of one")
	same(t, "the newest post of the home, as Post reads it", page, []generia.Post{mustPost(t, s, "p6", "u-reader")})

	// Held and hidden posts show to their person only: the reader's own
	// (p6) and, in the reader's world, the generated one (p1); not alice's
	// character's in the joined world (p2).
	for _, id := range []string{"p1", "p2", "p6"} {
		ok(t, s.SetReview(ctx, generia.Subject{Type: generia.SubjectPost, ID: id}, generia.Review{State: generia.ReviewHidden, Reason: "test"}), "hiding "+id)
	}
	if got, want := homeIDs(t, s), []string{"p6", "p3", "p1"}; !slices.Equal(got, want) {
		t.Errorf("home with p1, p2 and p6 hidden = %v, want %v", got, want)
	}
	ok(t, s.SetReview(ctx, generia.Subject{Type: generia.SubjectPost, ID: "p2"}, generia.Review{}), "showing p2 again")

	// A world made private drops its followed characters; a world left
	// drops out; an unfollowed character too.
	ok(t, s.EditWorld(ctx, "w-public", "World w-public", "", generia.VisibilityPrivate), "making w-public private")
	if got, want := homeIDs(t, s), []string{"p6", "p2", "p1"}; !slices.Equal(got, want) {
		t.Errorf("home with w-public private = %v, want %v", got, want)
	}
	ok(t, s.EditWorld(ctx, "w-public", "World w-public", "", generia.VisibilityPublic), "making w-public public again")
	ok(t, s.LeaveWorld(ctx, "w-joined", "u-reader"), "leaving w-joined")
	if got, want := homeIDs(t, s), []string{"p3", "p1"}; !slices.Equal(got, want) {
		t.Errorf("home after leaving w-joined = %v, want %v", got, want)
	}
	ok(t, s.UnfollowCharacter(ctx, "u-reader", "c-w-public"), "unfollowing c-w-public")
	ok(t, s.UnfollowCharacter(ctx, "u-reader", "c-w-public"), "unfollowing c-w-public again")
	if got, want := homeIDs(t, s), []string{"p1"}; !slices.Equal(got, want) {
		t.Errorf("home after unfollowing = %v, want %v", got, want)
	}
	if n, err := s.FollowersCount(ctx, "c-w-public"); err != nil || n != 0 {
		t.Errorf("followers of c-w-public after unfollowing = %d, %v; want 0", n, err)
	}

	// A person without worlds or follows has an empty home.
	newUser(t, s, "nobody")
	if page, next, err := s.HomeFeed(ctx, "u-nobody", generia.Page{}); err != nil || len(page) != 0 || next != "" {
		t.Errorf("an empty home = %v, %q, %v", page, next, err)
	}
}

func testFollowInvalid(t *testing.T, s generia.Store) {
	seedHome(t, s)
	ctx := t.Context()
	wantKind(t, s.FollowCharacter(ctx, "u-reader", "c-unknown", t0), generia.KindNotFound, "following an unknown character")
	wantKind(t, s.FollowCharacter(ctx, "u-unknown", "c-w-own", t0), generia.KindNotFound, "an unknown user following")
	wantKind(t, s.FollowCharacter(ctx, "", "c-w-own", t0), generia.KindInvalid, "following without a user")
	_, err := s.FollowersCount(ctx, "c-unknown")
	wantKind(t, err, generia.KindNotFound, "the followers of an unknown character")
	_, _, err = s.HomeFeed(ctx, "u-reader", generia.Page{Cursor: "garbage"})
	wantKind(t, err, generia.KindInvalid, "a home page with a malformed cursor")
	_, next, err := s.ListPosts(ctx, generia.PostFilter{WorldID: "w-public"}, generia.Page{Limit: 1})
	ok(t, err, "a page of w-public")
	_, _, err = s.HomeFeed(ctx, "u-reader", generia.Page{Cursor: next})
	wantKind(t, err, generia.KindInvalid, "a home page with a cursor of a world's feed")

	// Follows go with their character and with its world.
	ok(t, s.DeleteCharacter(ctx, "c-w-public"), "deleting c-w-public")
	if follows, err := s.Follows(ctx, "u-reader", []string{"c-w-public"}); err != nil || len(follows) != 0 {
		t.Errorf("follows of a deleted character = %v, %v; want none", follows, err)
	}
	_, err = s.DeleteWorld(ctx, "w-private")
	ok(t, err, "deleting a world with a followed character")
	if follows, err := s.Follows(ctx, "u-reader", []string{"c-w-private"}); err != nil || len(follows) != 0 {
		t.Errorf("follows in a deleted world = %v, %v; want none", follows, err)
	}
}

// mustPost reads a post as Post does for a viewer.
func mustPost(t *testing.T, s generia.Store, id, viewerID string) generia.Post {
	t.Helper()
	p, err := s.Post(t.Context(), id, viewerID)
	ok(t, err, "reading post "+id)
	return p
}
