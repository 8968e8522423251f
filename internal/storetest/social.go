package storetest

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// seedPost creates a world with a generated character and one post, and
// returns the post.
func seedPost(t *testing.T, s generia.Store) generia.Post {
	t.Helper()
	w, _ := newWorld(t, s, "w1")
	c := createCharacter(t, s, newCharacter("c1", w.ID, 0))
	return createPost(t, s, newPost("p1", c, t0))
}

// like likes a post and fails the test on error.
func like(t *testing.T, s generia.Store, postID, userID string, when time.Time) int {
	t.Helper()
	n, err := s.Like(t.Context(), postID, userID, when)
	ok(t, err, userID+" likes "+postID)
	return n
}

func testLikeIdempotent(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	newUser(t, s, "ilo")
	newUser(t, s, "sef")
	p := seedPost(t, s)

	steps := []struct {
		what   string
		do     func() (int, error)
		counts int
	}{
		{"mara likes", func() (int, error) { return s.Like(t.Context(), p.ID, "u-mara", t0) }, 1},
		{"mara likes again", func() (int, error) { return s.Like(t.Context(), p.ID, "u-mara", at(time.Hour)) }, 1},
		{"ilo likes", func() (int, error) { return s.Like(t.Context(), p.ID, "u-ilo", at(time.Second)) }, 2},
		{"ilo unlikes", func() (int, error) { return s.Unlike(t.Context(), p.ID, "u-ilo") }, 1},
		{"ilo unlikes again", func() (int, error) { return s.Unlike(t.Context(), p.ID, "u-ilo") }, 1},
		{"sef, who never liked it, unlikes", func() (int, error) { return s.Unlike(t.Context(), p.ID, "u-sef") }, 1},
		{"ilo likes once more", func() (int, error) { return s.Like(t.Context(), p.ID, "u-ilo", at(2*time.Second)) }, 2},
	}
	for _, st := range steps {
		n, err := st.do()
		ok(t, err, st.what)
		if n != st.counts {
			t.Errorf("%s: count = %d, want %d", st.what, n, st.counts)
		}
		if got := postByID(t, s, p.ID).LikesCount; got != st.counts {
			t.Errorf("%s: the post's LikesCount = %d, want %d", st.what, got, st.counts)
		}
	}

	// Liked is per viewer.
	for viewer, want := range map[string]bool{"u-mara": true, "u-ilo": true, "u-sef": false, "": false, "u-nobody": false} {
		got, err := s.Post(t.Context(), p.ID, viewer)
		ok(t, err, "Post")
		if got.Liked != want || got.LikesCount != 2 {
			t.Errorf("Post for viewer %q: liked %v, likes %d; want %v, 2", viewer, got.Liked, got.LikesCount, want)
		}
	}
	// Liking again kept the first like's time.
	likes, _, err := s.ListLikes(t.Context(), p.ID, generia.Page{})
	ok(t, err, "ListLikes")
	same(t, "likes", likes, []generia.Like{
		{PostID: p.ID, UserID: "u-ilo", Username: "ilo", CreatedAt: at(2 * time.Second)},
		{PostID: p.ID, UserID: "u-mara", Username: "mara", CreatedAt: t0},
	})

	_, err = s.Like(t.Context(), "p-nowhere", "u-mara", t0)
	wantKind(t, err, generia.KindNotFound, "Like of an unknown post")
	_, err = s.Unlike(t.Context(), "p-nowhere", "u-mara")
	wantKind(t, err, generia.KindNotFound, "Unlike of an unknown post")
	_, err = s.Like(t.Context(), p.ID, "u-nobody", t0)
	wantKind(t, err, generia.KindNotFound, "Like by an unknown user")
	if got := postByID(t, s, p.ID).LikesCount; got != 2 {
		t.Errorf("LikesCount after refused likes = %d, want 2", got)
	}
}

func testLikeConcurrent(t *testing.T, s generia.Store) {
	const users, repeats = 20, 3
	for i := range users {
		newUser(t, s, fmt.Sprint("fan", i))
	}
	p := seedPost(t, s)
	c, err := s.Character(t.Context(), p.CharacterID)
	ok(t, err, "Character")
	solo := createPost(t, s, newPost("p-solo", c, at(time.Minute)))

	// Every user likes p several times at once, as double clicks and retries
	// would; one user likes p-solo from many requests at once.
	var wg sync.WaitGroup
	for i := range users {
		for range repeats {
			wg.Go(func() {
				if _, err := s.Like(t.Context(), p.ID, fmt.Sprint("u-fan", i), t0); err != nil {
					t.Errorf("Like: %v", err)
				}
			})
		}
	}
	for range 10 {
		wg.Go(func() {
			if _, err := s.Like(t.Context(), solo.ID, "u-fan0", t0); err != nil {
				t.Errorf("Like: %v", err)
			}
		})
	}
	wg.Wait()

	for _, tc := range []struct {
		post string
		want int
	}{{p.ID, users}, {solo.ID, 1}} {
		if got := postByID(t, s, tc.post).LikesCount; got != tc.want {
			t.Errorf("LikesCount of %s = %d, want %d", tc.post, got, tc.want)
		}
		likes, _ := allPages(t, 7, func(pg generia.Page) ([]generia.Like, string, error) {
			return s.ListLikes(t.Context(), tc.post, pg)
		})
		if len(likes) != tc.want {
			t.Errorf("%d likes listed for %s, want %d", len(likes), tc.post, tc.want)
		}
	}

	// Everyone unlikes at once: the count comes back to zero, not below.
	for i := range users {
		for range repeats {
			wg.Go(func() {
				if _, err := s.Unlike(t.Context(), p.ID, fmt.Sprint("u-fan", i)); err != nil {
					t.Errorf("Unlike: %v", err)
				}
			})
		}
	}
	wg.Wait()
	if got := postByID(t, s, p.ID).LikesCount; got != 0 {
		t.Errorf("LikesCount after every unlike = %d, want 0", got)
	}
}

func testListLikes(t *testing.T, s generia.Store) {
	p := seedPost(t, s)
	// Likes at four moments, two of them shared: ties go by user ID,
	// descending.
	specs := []struct {
		user string
		when time.Duration
	}{
		{"a", 0}, {"b", time.Minute}, {"c", time.Minute}, {"d", 2 * time.Minute}, {"e", 2 * time.Minute}, {"f", 3 * time.Minute},
	}
	for _, sp := range specs {
		newUser(t, s, sp.user)
		like(t, s, p.ID, "u-"+sp.user, at(sp.when))
	}
	want := []string{"f", "e", "d", "c", "b", "a"}
	for _, limit := range []int{1, 2, 4, 6, 0} {
		t.Run(fmt.Sprintf("pages of %d", limit), func(t *testing.T) {
			likes, _ := allPages(t, limit, func(pg generia.Page) ([]generia.Like, string, error) {
				return s.ListLikes(t.Context(), p.ID, pg)
			})
			got := ids(likes, func(l generia.Like) string { return l.Username })
			if !slices.Equal(got, want) {
				t.Errorf("likers = %v, want %v", got, want)
			}
		})
	}

	// A like added between pages at the moment of the last one shown does
	// not shift the next page.
	page1, next, err := s.ListLikes(t.Context(), p.ID, generia.Page{Limit: 3})
	ok(t, err, "ListLikes")
	newUser(t, s, "z")
	like(t, s, p.ID, "u-z", page1[2].CreatedAt)
	page2, _, err := s.ListLikes(t.Context(), p.ID, generia.Page{Limit: 3, Cursor: next})
	ok(t, err, "ListLikes page 2")
	if got := ids(page2, func(l generia.Like) string { return l.Username }); !slices.Equal(got, []string{"c", "b", "a"}) {
		t.Errorf("page 2 = %v, want [c b a]", got)
	}

	c, err := s.Character(t.Context(), p.CharacterID)
	ok(t, err, "Character")
	unliked := createPost(t, s, newPost("p-unliked", c, t0))
	got, next, err := s.ListLikes(t.Context(), unliked.ID, generia.Page{})
	if err != nil || len(got) != 0 || next != "" {
		t.Errorf("ListLikes of a post nobody likes = %v, %q, %v; want nothing", got, next, err)
	}
	_, _, err = s.ListLikes(t.Context(), "p-nowhere", generia.Page{})
	wantKind(t, err, generia.KindNotFound, "ListLikes of an unknown post")
	_, _, err = s.ListLikes(t.Context(), p.ID, generia.Page{Cursor: "garbage!"})
	wantKind(t, err, generia.KindInvalid, "ListLikes with a malformed cursor")
}

// commentCount reads a post's CommentsCount.
func commentCount(t *testing.T, s generia.Store, postID string) int {
	t.Helper()
	return postByID(t, s, postID).CommentsCount
}

func testComments(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	newUser(t, s, "ilo")
	p := seedPost(t, s)

	first := generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara", Text: "The tide looks high today.", CreatedAt: at(time.Minute)}
	got, err := s.AddComment(t.Context(), first)
	ok(t, err, "AddComment")
	first.Username = "mara"
	same(t, "added comment", got, first)
	if n := commentCount(t, s, p.ID); n != 1 {
		t.Errorf("CommentsCount = %d, want 1", n)
	}

	// The same ID again, as a retried request, gives the stored comment.
	again := generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-ilo", Text: "Something else", CreatedAt: at(time.Hour)}
	got, err = s.AddComment(t.Context(), again)
	ok(t, err, "AddComment again")
	same(t, "comment added again", got, first)
	if n := commentCount(t, s, p.ID); n != 1 {
		t.Errorf("CommentsCount after a repeated ID = %d, want 1", n)
	}
	got, err = s.Comment(t.Context(), "m1")
	ok(t, err, "Comment")
	same(t, "stored comment", got, first)

	// Oldest first; equal times go by ID.
	for i, sp := range []struct {
		id, user string
		when     time.Duration
	}{
		{"m4", "u-ilo", 2 * time.Minute}, {"m3", "u-mara", 2 * time.Minute}, {"m2", "u-ilo", 0}, {"m5", "u-mara", 3 * time.Minute},
	} {
		_, err := s.AddComment(t.Context(), generia.Comment{ID: sp.id, PostID: p.ID, UserID: sp.user, Text: fmt.Sprint("Comment ", i), CreatedAt: at(sp.when)})
		ok(t, err, "AddComment "+sp.id)
	}
	want := []string{"m2", "m1", "m3", "m4", "m5"}
	for _, limit := range []int{1, 2, 5, 0} {
		t.Run(fmt.Sprintf("pages of %d", limit), func(t *testing.T) {
			comments, _ := allPages(t, limit, func(pg generia.Page) ([]generia.Comment, string, error) {
				return s.ListComments(t.Context(), p.ID, pg)
			})
			if g := ids(comments, func(c generia.Comment) string { return c.ID }); !slices.Equal(g, want) {
				t.Errorf("comments = %v, want %v", g, want)
			}
			for _, c := range comments {
				if c.Username != strings.TrimPrefix(c.UserID, "u-") || c.PostID != p.ID || c.Text == "" {
					t.Errorf("comment %s: user %s, username %q, post %s, text %q", c.ID, c.UserID, c.Username, c.PostID, c.Text)
				}
			}
		})
	}
	if n := commentCount(t, s, p.ID); n != 5 {
		t.Errorf("CommentsCount = %d, want 5", n)
	}

	// A comment added between pages, before the cursor, is not shown later.
	page1, next, err := s.ListComments(t.Context(), p.ID, generia.Page{Limit: 2})
	ok(t, err, "ListComments")
	_, err = s.AddComment(t.Context(), generia.Comment{ID: "m0", PostID: p.ID, UserID: "u-ilo", Text: "Late but early.", CreatedAt: page1[1].CreatedAt})
	ok(t, err, "AddComment between pages")
	page2, _, err := s.ListComments(t.Context(), p.ID, generia.Page{Limit: 10, Cursor: next})
	ok(t, err, "ListComments page 2")
	if g := ids(page2, func(c generia.Comment) string { return c.ID }); !slices.Equal(g, []string{"m3", "m4", "m5"}) {
		t.Errorf("page 2 = %v, want [m3 m4 m5]", g)
	}

	ok(t, s.DeleteComment(t.Context(), "m3"), "DeleteComment")
	if n := commentCount(t, s, p.ID); n != 5 {
		t.Errorf("CommentsCount after adding one and deleting one = %d, want 5", n)
	}
	_, err = s.Comment(t.Context(), "m3")
	wantKind(t, err, generia.KindNotFound, "Comment after DeleteComment")
	wantKind(t, s.DeleteComment(t.Context(), "m3"), generia.KindNotFound, "DeleteComment again")
	if n := commentCount(t, s, p.ID); n != 5 {
		t.Errorf("CommentsCount after deleting twice = %d, want 5", n)
	}
}

// refusedComment is a comment a store must refuse, with the kind of error.
type refusedComment struct {
	name string
	c    generia.Comment
	kind generia.Kind
}

// refuseComments adds comments that must be refused, and checks that
// they changed nothing of the post's count.
func refuseComments(t *testing.T, s generia.Store, postID string, cases []refusedComment) {
	t.Helper()
	for _, tc := range cases {
		_, err := s.AddComment(t.Context(), tc.c)
		wantKind(t, err, tc.kind, "AddComment with "+tc.name)
	}
	if n := commentCount(t, s, postID); n != 0 {
		t.Errorf("CommentsCount after refused comments = %d, want 0", n)
	}
}

func testCommentsInvalid(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	p := seedPost(t, s)
	refuseComments(t, s, p.ID, []refusedComment{
		{"empty text", generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara"}, generia.KindInvalid},
		{"blank text", generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara", Text: " \n\t"}, generia.KindInvalid},
		{"no ID", generia.Comment{PostID: p.ID, UserID: "u-mara", Text: "Hi"}, generia.KindInvalid},
		{"unknown post", generia.Comment{ID: "m1", PostID: "p-nowhere", UserID: "u-mara", Text: "Hi"}, generia.KindNotFound},
		{"unknown user", generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-nobody", Text: "Hi"}, generia.KindNotFound},
	})
	_, err := s.Comment(t.Context(), "m1")
	wantKind(t, err, generia.KindNotFound, "Comment that was refused")
	wantKind(t, s.DeleteComment(t.Context(), "m-nowhere"), generia.KindNotFound, "DeleteComment of an unknown comment")
	_, _, err = s.ListComments(t.Context(), "p-nowhere", generia.Page{})
	wantKind(t, err, generia.KindNotFound, "ListComments of an unknown post")
	got, next, err := s.ListComments(t.Context(), p.ID, generia.Page{})
	if err != nil || len(got) != 0 || next != "" {
		t.Errorf("ListComments of a post without comments = %v, %q, %v; want nothing", got, next, err)
	}
	_, _, err = s.ListComments(t.Context(), p.ID, generia.Page{Cursor: "garbage!"})
	wantKind(t, err, generia.KindInvalid, "ListComments with a malformed cursor")

	// Concurrent retries of one comment add it once.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := s.AddComment(t.Context(), generia.Comment{ID: "m-retried", PostID: p.ID, UserID: "u-mara", Text: "Once"}); err != nil {
				t.Errorf("AddComment: %v", err)
			}
		})
	}
	wg.Wait()
	if n := commentCount(t, s, p.ID); n != 1 {
		t.Errorf("CommentsCount after concurrent retries = %d, want 1", n)
	}
}

// The feed carries each post's counts and the viewer's likes, page after
// page.
func testFeedSocialFields(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	newUser(t, s, "ilo")
	w, _ := newWorld(t, s, "w1")
	posts := seedFeed(t, s, w.ID, 12)
	type social struct {
		Likes, Comments int
		MaraLikes       bool
	}
	want := map[string]social{}
	for i, p := range posts {
		var sc social
		if i%3 == 0 {
			like(t, s, p.ID, "u-mara", t0)
			sc.Likes++
			sc.MaraLikes = true
		}
		if i%2 == 0 {
			like(t, s, p.ID, "u-ilo", t0)
			sc.Likes++
		}
		for j := range i % 4 {
			_, err := s.AddComment(t.Context(), generia.Comment{ID: fmt.Sprintf("%s-m%d", p.ID, j), PostID: p.ID, UserID: "u-ilo", Text: "Yes."})
			ok(t, err, "AddComment")
			sc.Comments++
		}
		want[p.ID] = sc
	}
	for _, viewer := range []string{"u-mara", "u-ilo", ""} {
		got, _ := allPages(t, 5, func(pg generia.Page) ([]generia.Post, string, error) {
			return s.ListPosts(t.Context(), generia.PostFilter{WorldID: w.ID, ViewerID: viewer}, pg)
		})
		if g := ids(got, postID); !slices.Equal(g, ids(posts, postID)) {
			t.Fatalf("feed for %q = %v, want %v", viewer, g, ids(posts, postID))
		}
		for i, p := range got {
			sc := want[p.ID]
			liked := (viewer == "u-mara" && sc.MaraLikes) || (viewer == "u-ilo" && i%2 == 0)
			if p.LikesCount != sc.Likes || p.CommentsCount != sc.Comments || p.Liked != liked {
				t.Errorf("viewer %q, post %s: likes %d, comments %d, liked %v; want %d, %d, %v",
					viewer, p.ID, p.LikesCount, p.CommentsCount, p.Liked, sc.Likes, sc.Comments, liked)
			}
			author := posts[i]
			if p.Username != author.Username || p.DisplayName != author.DisplayName || p.AvatarMediaID != author.AvatarMediaID || !p.IsAI {
				t.Errorf("post %s author fields = %q %q %q AI %v, want %q %q %q AI true",
					p.ID, p.Username, p.DisplayName, p.AvatarMediaID, p.IsAI, author.Username, author.DisplayName, author.AvatarMediaID)
			}
		}
	}
}

func testSessions(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	sess := generia.Session{TokenHash: "hash-1", UserID: "u-mara", CSRF: "csrf-1", ExpiresAt: at(time.Hour), CreatedAt: t0}
	ok(t, s.CreateSession(t.Context(), sess), "CreateSession")
	got, err := s.SessionByToken(t.Context(), "hash-1", at(59*time.Minute))
	ok(t, err, "SessionByToken")
	same(t, "session", got, sess)

	cases := []struct {
		name string
		now  time.Time
	}{
		{"at its expiry", at(time.Hour)},
		{"after its expiry", at(2 * time.Hour)},
	}
	for _, tc := range cases {
		_, err := s.SessionByToken(t.Context(), "hash-1", tc.now)
		wantKind(t, err, generia.KindUnauthorized, "SessionByToken "+tc.name)
	}
	_, err = s.SessionByToken(t.Context(), "hash-unknown", t0)
	wantKind(t, err, generia.KindUnauthorized, "SessionByToken of an unknown token")

	other := generia.Session{TokenHash: "hash-2", UserID: "u-mara", CSRF: "csrf-2", ExpiresAt: at(time.Hour), CreatedAt: t0}
	ok(t, s.CreateSession(t.Context(), other), "CreateSession of a second browser")
	ok(t, s.DeleteSession(t.Context(), "hash-1"), "DeleteSession")
	ok(t, s.DeleteSession(t.Context(), "hash-1"), "DeleteSession again")
	ok(t, s.DeleteSession(t.Context(), "hash-unknown"), "DeleteSession of an unknown token")
	_, err = s.SessionByToken(t.Context(), "hash-1", t0)
	wantKind(t, err, generia.KindUnauthorized, "SessionByToken after DeleteSession")
	got, err = s.SessionByToken(t.Context(), "hash-2", t0)
	ok(t, err, "SessionByToken of the other browser")
	same(t, "other session", got, other)

	err = s.CreateSession(t.Context(), generia.Session{TokenHash: "hash-3", UserID: "u-nobody", ExpiresAt: at(time.Hour)})
	wantKind(t, err, generia.KindNotFound, "CreateSession of an unknown user")
}

func testLikedPosts(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	newUser(t, s, "ilo")
	p1 := seedPost(t, s)
	c, err := s.Character(t.Context(), p1.CharacterID)
	ok(t, err, "Character")
	p2 := createPost(t, s, newPost("p2", c, at(time.Minute)))
	p3 := createPost(t, s, newPost("p3", c, at(2*time.Minute)))
	like(t, s, p1.ID, "u-mara", t0)
	like(t, s, p3.ID, "u-mara", t0)
	like(t, s, p2.ID, "u-ilo", t0)

	for _, tc := range []struct {
		user string
		ids  []string
		want map[string]bool
	}{
		{"u-mara", []string{p1.ID, p2.ID, p3.ID, "no-such-post"}, map[string]bool{p1.ID: true, p3.ID: true}},
		{"u-ilo", []string{p1.ID, p2.ID, p3.ID}, map[string]bool{p2.ID: true}},
		{"u-mara", []string{p2.ID}, map[string]bool{}},
		{"u-mara", nil, map[string]bool{}},
		{"", []string{p1.ID}, map[string]bool{}},
	} {
		got, err := s.LikedPosts(t.Context(), tc.user, tc.ids)
		ok(t, err, "LikedPosts")
		same(t, fmt.Sprintf("posts of %v that %q likes", tc.ids, tc.user), got, tc.want)
	}
}

// What was added to a world from a moment on comes oldest first, at most
// so many, and nothing of another world.
func testSince(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	p := seedPost(t, s) // at t0
	c1, err := s.Character(t.Context(), "c1")
	ok(t, err, "Character")
	later := createPost(t, s, newPost("p2", c1, at(2*time.Minute)))
	latest := createPost(t, s, newPost("p3", c1, at(3*time.Minute)))
	other, _ := newWorld(t, s, "w2")
	elsewhere := createCharacter(t, s, newCharacter("c-elsewhere", other.ID, 0))
	otherPost := createPost(t, s, newPost("p-elsewhere", elsewhere, at(2*time.Minute)))
	for _, c := range []generia.Comment{
		{ID: "m1", PostID: p.ID, UserID: "u-mara", Text: "Early", CreatedAt: at(time.Minute)},
		{ID: "m3", PostID: later.ID, CharacterID: "c1", IsAI: true, Text: "Later", CreatedAt: at(3 * time.Minute)},
		{ID: "m2", PostID: p.ID, UserID: "u-mara", Text: "Then", CreatedAt: at(2 * time.Minute)},
		{ID: "m-elsewhere", PostID: otherPost.ID, CharacterID: elsewhere.ID, IsAI: true, Text: "Elsewhere", CreatedAt: at(2 * time.Minute)},
	} {
		_, err := s.AddComment(t.Context(), c)
		ok(t, err, "AddComment "+c.ID)
	}

	posts, err := s.PostsSince(t.Context(), "w1", at(2*time.Minute), 10)
	ok(t, err, "PostsSince")
	same(t, "posts from 2 min on", ids(posts, postID), []string{later.ID, latest.ID})
	if posts[0].Username != c1.Username || posts[0].Liked {
		t.Errorf("post since = %+v, want it with its author, liked by no viewer", posts[0])
	}
	posts, err = s.PostsSince(t.Context(), "w1", t0, 2)
	ok(t, err, "PostsSince with a limit")
	same(t, "the oldest 2 posts", ids(posts, postID), []string{p.ID, later.ID})

	comments, err := s.CommentsSince(t.Context(), "w1", at(2*time.Minute), 10)
	ok(t, err, "CommentsSince")
	same(t, "comments from 2 min on", ids(comments, func(c generia.Comment) string { return c.ID }), []string{"m2", "m3"})
	if comments[1].DisplayName != c1.DisplayName || comments[1].PostID != later.ID {
		t.Errorf("comment since = %+v, want it with its speaker and post", comments[1])
	}
	comments, err = s.CommentsSince(t.Context(), "w1", at(4*time.Minute), 10)
	if err != nil || len(comments) != 0 {
		t.Errorf("CommentsSince after the last = %v, %v; want nothing", comments, err)
	}

	_, err = s.PostsSince(t.Context(), "w-nowhere", t0, 10)
	wantKind(t, err, generia.KindNotFound, "PostsSince of an unknown world")
	_, err = s.CommentsSince(t.Context(), "w-nowhere", t0, 10)
	wantKind(t, err, generia.KindNotFound, "CommentsSince of an unknown world")
}

// Deleting a post takes its likes, comments and hashtags with it.
func testDeletePost(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	p := seedPost(t, s)
	like(t, s, p.ID, "u-mara", t0)
	_, err := s.AddComment(t.Context(), generia.Comment{ID: "m1", PostID: p.ID, UserID: "u-mara", Text: "Gone soon."})
	ok(t, err, "AddComment")
	ok(t, s.DeletePost(t.Context(), p.ID), "DeletePost")
	_, err = s.Post(t.Context(), p.ID, "")
	wantKind(t, err, generia.KindNotFound, "Post after DeletePost")
	_, err = s.Comment(t.Context(), "m1")
	wantKind(t, err, generia.KindNotFound, "a comment of the deleted post")
	if posts, _, err := s.ListPosts(t.Context(), generia.PostFilter{WorldID: p.WorldID, Hashtag: "tide"}, generia.Page{}); err != nil || len(posts) != 0 {
		t.Errorf("posts tagged #tide after the only one was deleted: %v, %v", ids(posts, postID), err)
	}
	wantKind(t, s.DeletePost(t.Context(), p.ID), generia.KindNotFound, "DeletePost again")
}
