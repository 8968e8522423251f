package storetest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

func testSaveArtifact(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	first := generia.Artifact{
		WorldID:   w.ID,
		Key:       "character/3/detail",
		Step:      "character_detail",
		Prompt:    "Describe character 4 of Tidewell.",
		Output:    json.RawMessage(`{"username": "mara_k", "interests": ["knots", "nets"]}`),
		Provider:  "offline",
		Model:     "offline-1",
		CreatedAt: t0,
	}
	got, err := s.SaveArtifact(t.Context(), first)
	ok(t, err, "SaveArtifact")
	same(t, "saved generation", got, first)

	second := first
	second.Output = json.RawMessage(`{"username": "someone_else"}`)
	second.CreatedAt = at(time.Minute)
	got, err = s.SaveArtifact(t.Context(), second)
	ok(t, err, "SaveArtifact again")
	same(t, "generation saved again", got, first)
	got, err = s.Artifact(t.Context(), w.ID, first.Key)
	ok(t, err, "Generation")
	same(t, "stored generation", got, first)

	other := first
	other.Key = "character/4/detail"
	other.Output = json.RawMessage(`[1, 2, 3]`)
	got, err = s.SaveArtifact(t.Context(), other)
	ok(t, err, "SaveArtifact of another key")
	same(t, "generation of another key", got, other)

	_, err = s.Artifact(t.Context(), w.ID, "character/9/detail")
	wantKind(t, err, generia.KindNotFound, "Generation of an unknown key")
	_, err = s.Artifact(t.Context(), "w-nowhere", first.Key)
	wantKind(t, err, generia.KindNotFound, "Generation of an unknown world")
	unknown := first
	unknown.WorldID = "w-nowhere"
	_, err = s.SaveArtifact(t.Context(), unknown)
	wantKind(t, err, generia.KindNotFound, "SaveArtifact for an unknown world")
}

func testCharacterRoundTrip(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	cases := []struct {
		name string
		c    generia.Character
	}{
		{"generated", generia.Character{
			ID: "c-ai", WorldID: w.ID, Username: "mara_k", DisplayName: "Mara K", Bio: "Net mender.",
			AvatarMediaID: "m-avatar", Profile: json.RawMessage(`{"traits": ["stubborn"], "relationships": [{"name": "Ilo"}]}`),
			Position: 7, CreatedAt: at(time.Second),
		}},
		{"a person's", generia.Character{
			ID: "c-human", WorldID: w.ID, OwnerID: "u-mara", Username: "Ilo.Venn", DisplayName: "Ilo Venn ⚓",
			Position: 0, CreatedAt: at(2 * time.Second),
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, created, err := s.CreateCharacter(t.Context(), tc.c)
			ok(t, err, "CreateCharacter")
			if !created {
				t.Error("CreateCharacter did not report created")
			}
			same(t, "created character", got, tc.c)
			got, err = s.Character(t.Context(), tc.c.ID)
			ok(t, err, "Character")
			same(t, "stored character", got, tc.c)
			if got.IsAI() != (tc.c.OwnerID == "") {
				t.Errorf("IsAI = %v for owner %q", got.IsAI(), tc.c.OwnerID)
			}
		})
	}
}

func testCreateCharacterIdempotent(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	c := newCharacter("c1", w.ID, 0)
	again := c
	again.Bio = "Another bio"
	again.Username = "renamed"
	createTwice(t, "CreateCharacter", s.CreateCharacter, c, again)
	createCharacter(t, s, newUserCharacter("c2", w.ID, 1))

	// Only the generated character counts as created, and once.
	same(t, "characters created, stored", []int{status(t, s, w.ID).CharactersCreated, counts(t, s, w.ID).Characters}, []int{1, 2})
}

func testCharacterConflict(t *testing.T, s generia.Store) {
	w1, _ := newWorld(t, s, "w1")
	w2, _ := newWorld(t, s, "w2")
	c := newCharacter("c1", w1.ID, 0)
	c.Username = "mara_k"
	createCharacter(t, s, c)

	dup := newCharacter("c2", w1.ID, 1)
	dup.Username = "mara_k"
	_, _, err := s.CreateCharacter(t.Context(), dup)
	wantKind(t, err, generia.KindConflict, "CreateCharacter with a taken username")
	_, err = s.Character(t.Context(), dup.ID)
	wantKind(t, err, generia.KindNotFound, "Character that conflicted")
	if st := status(t, s, w1.ID); st.CharactersCreated != 1 {
		t.Errorf("users created = %d after a conflict, want 1", st.CharactersCreated)
	}

	elsewhere := newCharacter("c3", w2.ID, 0)
	elsewhere.Username = "mara_k"
	_, created, err := s.CreateCharacter(t.Context(), elsewhere)
	ok(t, err, "CreateCharacter with the same username in another world")
	if !created {
		t.Error("CreateCharacter in another world did not create")
	}
}

func testCharacterNotFound(t *testing.T, s generia.Store) {
	_, _, err := s.CreateCharacter(t.Context(), newCharacter("c1", "w-nowhere", 0))
	wantKind(t, err, generia.KindNotFound, "CreateCharacter in an unknown world")
	_, err = s.Character(t.Context(), "c-nobody")
	wantKind(t, err, generia.KindNotFound, "Character")
	wantKind(t, s.SetCharacterAvatar(t.Context(), "c-nobody", "m-1"), generia.KindNotFound, "SetCharacterAvatar")
	_, _, err = s.ListCharacters(t.Context(), "w-nowhere", generia.Page{})
	wantKind(t, err, generia.KindNotFound, "ListCharacters of an unknown world")
}

func testSetCharacterAvatar(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	c := createCharacter(t, s, newCharacter("c1", w.ID, 0))
	p := createPost(t, s, newPost("p1", c, t0))
	if p.AvatarMediaID != "" {
		t.Errorf("post avatar = %q before the avatar exists", p.AvatarMediaID)
	}
	ok(t, s.SetCharacterAvatar(t.Context(), c.ID, "m-avatar"), "SetCharacterAvatar")
	got, err := s.Character(t.Context(), c.ID)
	ok(t, err, "Character")
	if got.AvatarMediaID != "m-avatar" {
		t.Errorf("avatar = %q, want m-avatar", got.AvatarMediaID)
	}
	p, err = s.Post(t.Context(), p.ID, "")
	ok(t, err, "Post")
	if p.AvatarMediaID != "m-avatar" {
		t.Errorf("post author avatar = %q, want m-avatar", p.AvatarMediaID)
	}
}

func testListCharacters(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	empty, _ := newWorld(t, s, "w-empty")
	other, _ := newWorld(t, s, "w-other")
	createCharacter(t, s, newCharacter("c-other", other.ID, 0))

	// Cast order is position, then creation, then ID.
	specs := []struct {
		id       string
		position int
		created  time.Duration
	}{
		{"c-e", 2, 0},
		{"c-d", 1, time.Second},
		{"c-c", 1, time.Second},
		{"c-b", 1, 0},
		{"c-a", 0, time.Hour},
		{"c-f", 3, 0},
		{"c-g", 3, 0},
	}
	for _, sp := range specs {
		c := newCharacter(sp.id, w.ID, sp.position)
		c.CreatedAt = at(sp.created)
		createCharacter(t, s, c)
	}
	want := []string{"c-a", "c-b", "c-c", "c-d", "c-e", "c-f", "c-g"}
	for _, limit := range []int{2, 3, 7, 0} {
		t.Run(fmt.Sprintf("pages of %d", limit), func(t *testing.T) {
			got, _ := allPages(t, limit, func(p generia.Page) ([]generia.Character, string, error) {
				return s.ListCharacters(t.Context(), w.ID, p)
			})
			if g := ids(got, characterID); !slices.Equal(g, want) {
				t.Errorf("characters = %v, want %v", g, want)
			}
		})
	}
	got, next, err := s.ListCharacters(t.Context(), empty.ID, generia.Page{})
	if err != nil || len(got) != 0 || next != "" {
		t.Errorf("ListCharacters of a world without characters = %v, %q, %v; want nothing", ids(got, characterID), next, err)
	}
	_, _, err = s.ListCharacters(t.Context(), w.ID, generia.Page{Cursor: "garbage!"})
	wantKind(t, err, generia.KindInvalid, "ListCharacters with a malformed cursor")
}

func testPostRoundTrip(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	c := newCharacter("c1", w.ID, 0)
	c.AvatarMediaID = "m-avatar"
	c = createCharacter(t, s, c)
	cases := []struct {
		name string
		p    generia.Post
	}{
		{"full", generia.Post{ID: "p-full", WorldID: w.ID, CharacterID: c.ID, Caption: "Low tide never comes. 🌊",
			Hashtags: []string{"tide", "Tidewell", "nets"}, MediaID: "m-post", CreatedAt: at(time.Hour)}},
		{"bare", generia.Post{ID: "p-bare", WorldID: w.ID, CharacterID: c.ID, Caption: "Just words.", CreatedAt: at(2 * time.Hour)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := withAuthor(tc.p, c)
			got, created, err := s.CreatePost(t.Context(), tc.p)
			ok(t, err, "CreatePost")
			if !created {
				t.Error("CreatePost did not report created")
			}
			same(t, "created post", got, want)
			got, err = s.Post(t.Context(), tc.p.ID, "")
			ok(t, err, "Post")
			same(t, "stored post", got, want)
		})
	}
	// Once its image is stored, a post reads the image's size with it.
	_, _, err := s.CreateMedia(t.Context(), generia.Media{ID: "m-post", WorldID: w.ID, Kind: generia.MediaPostImage, ContentType: "image/png",
		Size: 1000, Width: 410, Height: 512, ObjectKey: "worlds/w1/post.png", CreatedAt: t0})
	ok(t, err, "CreateMedia of the post's image")
	got, err := s.Post(t.Context(), "p-full", "")
	ok(t, err, "Post with its image stored")
	if got.MediaWidth != 410 || got.MediaHeight != 512 {
		t.Errorf("post image size %d×%d, want 410×512", got.MediaWidth, got.MediaHeight)
	}
	_, err = s.Post(t.Context(), "p-nowhere", "")
	wantKind(t, err, generia.KindNotFound, "Post of an unknown ID")
}

func testCreatePostIdempotent(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	ai := createCharacter(t, s, newCharacter("c-ai", w.ID, 0))
	human := createCharacter(t, s, newUserCharacter("c-human", w.ID, 1))

	again := newPost("p1", ai, at(time.Hour))
	again.Caption = "Changed"
	createTwice(t, "CreatePost", s.CreatePost, newPost("p1", ai, t0), again)
	createPost(t, s, newPost("p2", ai, t0))
	createPost(t, s, newPost("p3", human, t0))

	// Only posts by generated characters count as created, and once.
	same(t, "posts created, stored", []int{status(t, s, w.ID).PostsCreated, counts(t, s, w.ID).Posts}, []int{2, 3})
}

func testPostInvalidCharacter(t *testing.T, s generia.Store) {
	w1, _ := newWorld(t, s, "w1")
	w2, _ := newWorld(t, s, "w2")
	c := createCharacter(t, s, newCharacter("c1", w1.ID, 0))

	ghost := newPost("p-ghost", c, t0)
	ghost.CharacterID = "c-nobody"
	_, _, err := s.CreatePost(t.Context(), ghost)
	wantKind(t, err, generia.KindNotFound, "CreatePost by an unknown character")

	foreign := newPost("p-foreign", c, t0)
	foreign.WorldID = w2.ID
	_, _, err = s.CreatePost(t.Context(), foreign)
	wantKind(t, err, generia.KindInvalid, "CreatePost in another world than its character's")

	if n := counts(t, s, w2.ID); n.Posts != 0 {
		t.Errorf("posts in w2 = %d, want 0", n.Posts)
	}
}

// feedOrder sorts posts as the feed shows them: newest first, then by ID
// descending.
func feedOrder(posts []generia.Post) {
	slices.SortFunc(posts, func(a, b generia.Post) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

// seedFeed creates three characters and n posts spread over them, with every
// timestamp shared by two or three posts, and returns the posts in feed
// order with their author fields.
func seedFeed(t *testing.T, s generia.Store, worldID string, n int) []generia.Post {
	t.Helper()
	var cast []generia.Character
	for i := range 3 {
		c := newCharacter(fmt.Sprintf("%s-c%d", worldID, i), worldID, i)
		c.AvatarMediaID = fmt.Sprintf("avatar-%d", i)
		cast = append(cast, createCharacter(t, s, c))
	}
	posts := make([]generia.Post, n)
	for i := range n {
		c := cast[i%len(cast)]
		p := newPost(fmt.Sprintf("%s-p%03d", worldID, i), c, at(time.Duration(i*2/5)*time.Minute))
		createPost(t, s, p)
		posts[i] = withAuthor(p, c)
	}
	feedOrder(posts)
	return posts
}

func testListPostsPaging(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	other, _ := newWorld(t, s, "w-other")
	seedFeed(t, s, other.ID, 4)
	want := seedFeed(t, s, w.ID, 25)
	cases := []struct {
		limit int
		sizes []int
	}{
		{10, []int{10, 10, 5}},
		{5, []int{5, 5, 5, 5, 5}},
		{25, []int{25}},
		{24, []int{24, 1}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("pages of %d", tc.limit), func(t *testing.T) {
			got, sizes := allPages(t, tc.limit, func(p generia.Page) ([]generia.Post, string, error) {
				return s.ListPosts(t.Context(), generia.PostFilter{WorldID: w.ID}, p)
			})
			same(t, "feed", got, want)
			if !slices.Equal(sizes, tc.sizes) {
				t.Errorf("page sizes = %v, want %v", sizes, tc.sizes)
			}
		})
	}
}

func testListPostsStable(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	want := seedFeed(t, s, w.ID, 12)
	c, err := s.Character(t.Context(), want[0].CharacterID)
	ok(t, err, "Character")

	page1, next, err := s.ListPosts(t.Context(), generia.PostFilter{WorldID: w.ID}, generia.Page{Limit: 5})
	ok(t, err, "ListPosts page 1")
	same(t, "page 1", ids(page1, postID), ids(want[:5], postID))

	// New posts arrive: two newer than everything, and two with the time of
	// the last post shown: "w1-p" has a smaller ID, so it sorts after that
	// post, and "w1-p999" a larger one, so it sorts before.
	last := page1[len(page1)-1]
	createPost(t, s, newPost("w1-p900", c, at(time.Hour)))
	createPost(t, s, newPost("w1-p901", c, at(time.Hour)))
	createPost(t, s, newPost("w1-p", c, last.CreatedAt))
	createPost(t, s, newPost("w1-p999", c, last.CreatedAt))

	rest, _ := allPages(t, 5, func(p generia.Page) ([]generia.Post, string, error) {
		if p.Cursor == "" {
			p.Cursor = next
		}
		return s.ListPosts(t.Context(), generia.PostFilter{WorldID: w.ID}, p)
	})
	// The later pages hold exactly the posts that sort after page 1's last
	// one: the old ones and "w1-p", none of the newer ones and not "w1-p999".
	wantRest := append([]string{}, ids(want[5:], postID)...)
	wantRest = append(wantRest, "w1-p")
	slices.SortFunc(wantRest, func(a, b string) int {
		pa, pb := postByID(t, s, a), postByID(t, s, b)
		if c := pb.CreatedAt.Compare(pa.CreatedAt); c != 0 {
			return c
		}
		return cmp.Compare(b, a)
	})
	if g := ids(rest, postID); !slices.Equal(g, wantRest) {
		t.Errorf("posts after page 1 = %v, want %v", g, wantRest)
	}
}

// postByID reads a post and fails the test on error.
func postByID(t *testing.T, s generia.Store, id string) generia.Post {
	t.Helper()
	p, err := s.Post(t.Context(), id, "")
	ok(t, err, "Post "+id)
	return p
}

func testListPostsEqualTimes(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	c := createCharacter(t, s, newCharacter("c1", w.ID, 0))
	var want []string
	for i := range 9 {
		id := fmt.Sprintf("p%d", i)
		createPost(t, s, newPost(id, c, t0))
		want = append([]string{id}, want...)
	}
	got, sizes := allPages(t, 2, func(p generia.Page) ([]generia.Post, string, error) {
		return s.ListPosts(t.Context(), generia.PostFilter{WorldID: w.ID}, p)
	})
	if g := ids(got, postID); !slices.Equal(g, want) {
		t.Errorf("feed = %v, want %v", g, want)
	}
	if !slices.Equal(sizes, []int{2, 2, 2, 2, 1}) {
		t.Errorf("page sizes = %v", sizes)
	}
}

func testListPostsPageSizes(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	seedFeed(t, s, w.ID, generia.MaxPageSize+5)
	cases := []struct {
		limit, want int
	}{
		{0, generia.DefaultPageSize},
		{-3, generia.DefaultPageSize},
		{1, 1},
		{generia.MaxPageSize, generia.MaxPageSize},
		{generia.MaxPageSize + 1, generia.MaxPageSize},
		{100000, generia.MaxPageSize},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("limit %d", tc.limit), func(t *testing.T) {
			got, next, err := s.ListPosts(t.Context(), generia.PostFilter{WorldID: w.ID}, generia.Page{Limit: tc.limit})
			ok(t, err, "ListPosts")
			if len(got) != tc.want || next == "" {
				t.Errorf("got %d posts and next cursor %q, want %d and a cursor", len(got), next, tc.want)
			}
		})
	}
}

func testListPostsInvalid(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	got, next, err := s.ListPosts(t.Context(), generia.PostFilter{WorldID: w.ID}, generia.Page{})
	if err != nil || len(got) != 0 || next != "" {
		t.Errorf("ListPosts of a world without posts = %v, %q, %v; want nothing", ids(got, postID), next, err)
	}
	_, _, err = s.ListPosts(t.Context(), generia.PostFilter{WorldID: "w-nowhere"}, generia.Page{})
	wantKind(t, err, generia.KindNotFound, "ListPosts of an unknown world")
	for _, c := range []string{"garbage!", "eyJ4IjoxfQ"} {
		_, _, err = s.ListPosts(t.Context(), generia.PostFilter{WorldID: w.ID}, generia.Page{Cursor: c})
		wantKind(t, err, generia.KindInvalid, fmt.Sprintf("ListPosts with cursor %q", c))
	}
}

func testCreateMedia(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	generated := generia.Media{
		ID: "m-header", WorldID: w.ID, Kind: generia.MediaWorldHeader, ContentType: "image/png",
		Size: 123456, Width: 1536, Height: 512, ObjectKey: "worlds/w1/header.png", CreatedAt: t0,
	}
	uploaded := generia.Media{
		ID: "m-upload", WorldID: w.ID, CharacterID: "c1", OwnerID: "u-mara", Kind: generia.MediaCharacterAvatar,
		ContentType: "image/webp", Size: 42, Width: 64, Height: 64, ObjectKey: "worlds/w1/c1.webp", CreatedAt: at(time.Second),
	}
	for _, m := range []generia.Media{generated, uploaded} {
		got, created, err := s.CreateMedia(t.Context(), m)
		ok(t, err, "CreateMedia "+m.ID)
		if !created {
			t.Errorf("CreateMedia %s did not report created", m.ID)
		}
		same(t, "created media", got, m)
		got, err = s.Media(t.Context(), m.ID)
		ok(t, err, "Media "+m.ID)
		same(t, "stored media", got, m)
	}
	again := generated
	again.Size = 1
	createAgain(t, "CreateMedia again", s.CreateMedia, again, generated)

	// Only generated media count as created, and once.
	same(t, "images created, media stored", []int{status(t, s, w.ID).ImagesCreated, counts(t, s, w.ID).Media}, []int{1, 2})
	_, err := s.Media(t.Context(), "m-nowhere")
	wantKind(t, err, generia.KindNotFound, "Media of an unknown ID")
	lost := generated
	lost.ID, lost.WorldID = "m-lost", "w-nowhere"
	_, _, err = s.CreateMedia(t.Context(), lost)
	wantKind(t, err, generia.KindNotFound, "CreateMedia in an unknown world")
}

func testCountersMatchRows(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	const workers, characters, postsEach = 6, 4, 3
	// Every worker creates the same items, as retried activities would.
	created := make(chan string, workers*characters*(2+postsEach))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range characters {
				c, isNew, err := s.CreateCharacter(t.Context(), newCharacter(fmt.Sprintf("c%d", i), w.ID, i))
				if err != nil {
					t.Errorf("CreateCharacter: %v", err)
					return
				}
				if isNew {
					created <- c.ID
				}
				m := generia.Media{ID: "m-" + c.ID, WorldID: w.ID, CharacterID: c.ID, Kind: generia.MediaCharacterAvatar, CreatedAt: t0}
				if _, isNew, err := s.CreateMedia(t.Context(), m); err != nil {
					t.Errorf("CreateMedia: %v", err)
				} else if isNew {
					created <- m.ID
				}
				for j := range postsEach {
					p, isNew, err := s.CreatePost(t.Context(), newPost(fmt.Sprintf("p%d-%d", i, j), c, at(time.Duration(j)*time.Minute)))
					if err != nil {
						t.Errorf("CreatePost: %v", err)
					} else if isNew {
						created <- p.ID
					}
				}
			}
		})
	}
	wg.Wait()
	close(created)
	seen := map[string]int{}
	for id := range created {
		seen[id]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s reported created %d times", id, n)
		}
	}
	if want := characters * (2 + postsEach); len(seen) != want {
		t.Errorf("%d items reported created, want %d", len(seen), want)
	}
	st, n := status(t, s, w.ID), counts(t, s, w.ID)
	same(t, "status counters", []int{st.CharactersCreated, st.PostsCreated, st.ImagesCreated}, []int{n.Characters, n.Posts, n.Media})
	same(t, "rows", n, generia.ContentCounts{Characters: characters, Posts: characters * postsEach, Media: characters})
}

func testListCharacterPosts(t *testing.T, s generia.Store) {
	w1, _ := newWorld(t, s, "w1")
	w2, _ := newWorld(t, s, "w2")
	c1 := createCharacter(t, s, newCharacter("c1", w1.ID, 0))
	c2 := createCharacter(t, s, newCharacter("c2", w1.ID, 1))
	c3 := createCharacter(t, s, newCharacter("c3", w2.ID, 0))
	silent := createCharacter(t, s, newCharacter("c-silent", w1.ID, 2))
	// c1's posts share timestamps in pairs, interleaved with the others'.
	var want []generia.Post
	for i := range 9 {
		when := at(time.Duration(i/2) * time.Minute)
		want = append(want, withAuthor(createPost(t, s, newPost(fmt.Sprintf("p1-%d", i), c1, when)), c1))
		createPost(t, s, newPost(fmt.Sprintf("p2-%d", i), c2, when))
		createPost(t, s, newPost(fmt.Sprintf("p3-%d", i), c3, when))
	}
	feedOrder(want)
	for _, f := range []generia.PostFilter{
		{CharacterID: c1.ID},
		{CharacterID: c1.ID, WorldID: w1.ID},
		{CharacterID: c1.ID, ViewerID: "u-mara"},
	} {
		t.Run(fmt.Sprintf("%+v", f), func(t *testing.T) {
			got, sizes := allPages(t, 4, func(p generia.Page) ([]generia.Post, string, error) {
				return s.ListPosts(t.Context(), f, p)
			})
			same(t, "posts", got, want)
			if !slices.Equal(sizes, []int{4, 4, 1}) {
				t.Errorf("page sizes = %v, want [4 4 1]", sizes)
			}
		})
	}
	for _, tc := range []struct {
		c    generia.Character
		want int
	}{{c1, 9}, {c3, 9}, {silent, 0}} {
		n, err := s.CountCharacterPosts(t.Context(), tc.c.ID)
		ok(t, err, "CountCharacterPosts")
		if n != tc.want {
			t.Errorf("CountCharacterPosts(%s) = %d, want %d", tc.c.ID, n, tc.want)
		}
	}
	_, err := s.CountCharacterPosts(t.Context(), "c-nobody")
	wantKind(t, err, generia.KindNotFound, "CountCharacterPosts of an unknown character")

	got, next, err := s.ListPosts(t.Context(), generia.PostFilter{CharacterID: silent.ID}, generia.Page{})
	if err != nil || len(got) != 0 || next != "" {
		t.Errorf("posts of a character without posts = %v, %q, %v; want nothing", ids(got, postID), next, err)
	}
	// A character is only found in its own world.
	_, _, err = s.ListPosts(t.Context(), generia.PostFilter{WorldID: w2.ID, CharacterID: c1.ID}, generia.Page{})
	wantKind(t, err, generia.KindNotFound, "ListPosts of a character in another world")
	_, _, err = s.ListPosts(t.Context(), generia.PostFilter{CharacterID: "c-nobody"}, generia.Page{})
	wantKind(t, err, generia.KindNotFound, "ListPosts of an unknown character")
	_, _, err = s.ListPosts(t.Context(), generia.PostFilter{ViewerID: "u-mara"}, generia.Page{})
	wantKind(t, err, generia.KindInvalid, "ListPosts without a world or character")
}

func testListUserCharacters(t *testing.T, s generia.Store) {
	w1, _ := newWorld(t, s, "w1")
	w2, _ := newWorld(t, s, "w2")
	createCharacter(t, s, newCharacter("c-ai", w1.ID, 0))
	person := func(id, worldID, owner string, created time.Duration) generia.Character {
		c := newCharacter(id, worldID, 0)
		c.OwnerID, c.CreatedAt = owner, at(created)
		return createCharacter(t, s, c)
	}
	later := person("c-a", w1.ID, "u-mara", time.Hour)
	earlier := person("c-b", w1.ID, "u-mara", time.Minute)
	tied := person("c-c", w1.ID, "u-mara", time.Hour)
	person("c-ilo", w1.ID, "u-ilo", 0)
	person("c-elsewhere", w2.ID, "u-mara", 0)

	got, err := s.ListUserCharacters(t.Context(), w1.ID, "u-mara")
	ok(t, err, "ListUserCharacters")
	same(t, "mara's characters in w1", got, []generia.Character{earlier, later, tied})
	got, err = s.ListUserCharacters(t.Context(), w2.ID, "u-ilo")
	if err != nil || len(got) != 0 {
		t.Errorf("characters of a user without any in the world = %v, %v; want none", ids(got, characterID), err)
	}
	_, err = s.ListUserCharacters(t.Context(), "w-nowhere", "u-mara")
	wantKind(t, err, generia.KindNotFound, "ListUserCharacters of an unknown world")
}

// upload returns an image a user uploaded to a world at a time.
func upload(id, worldID, ownerID string, size int64, when time.Time) generia.Media {
	return generia.Media{ID: id, WorldID: worldID, OwnerID: ownerID, Kind: generia.MediaUpload, ContentType: "image/png",
		Size: size, Width: 64, Height: 64, ObjectKey: "worlds/" + worldID + "/uploads/" + id + ".png", CreatedAt: when}
}

func testUploadUsage(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	for _, m := range []generia.Media{
		upload("m1", w.ID, "u-mara", 100, at(-2*time.Hour)),
		upload("m2", w.ID, "u-mara", 200, at(-30*time.Minute)),
		upload("m3", w.ID, "u-mara", 300, at(-time.Minute)),
		upload("m4", w.ID, "u-ilo", 400, at(-time.Minute)),
		{ID: "m-generated", WorldID: w.ID, Kind: generia.MediaPostImage, ContentType: "image/png", Size: 1000, ObjectKey: "g.png", CreatedAt: t0},
	} {
		_, _, err := s.CreateMedia(t.Context(), m)
		ok(t, err, "CreateMedia "+m.ID)
	}
	n, size, err := s.UploadUsage(t.Context(), "u-mara", at(-time.Hour))
	ok(t, err, "UploadUsage")
	if n != 2 || size != 500 {
		t.Errorf("mara's last hour: %d uploads of %d bytes, want 2 of 500", n, size)
	}
	if n, size, _ := s.UploadUsage(t.Context(), "u-nobody", at(-time.Hour)); n != 0 || size != 0 {
		t.Errorf("a user without uploads: %d of %d bytes", n, size)
	}
}

func testReserveUpload(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	mara := newUser(t, s, "mara")
	_, _, err := s.CreateMedia(t.Context(), upload("m-old", w.ID, mara.ID, 100, at(-2*time.Hour)))
	ok(t, err, "CreateMedia m-old")
	_, _, err = s.CreateMedia(t.Context(), upload("m-recent", w.ID, mara.ID, 100, at(-30*time.Minute)))
	ok(t, err, "CreateMedia m-recent")
	limit := generia.UploadLimit{Since: at(-time.Hour), Images: 3, Bytes: 1000}
	reserve := func(id string, size int64) (generia.UploadUsage, bool) {
		t.Helper()
		used, reserved, err := s.ReserveUpload(t.Context(), generia.UploadReservation{ID: id, OwnerID: mara.ID, Size: size, CreatedAt: t0}, limit)
		ok(t, err, "ReserveUpload "+id)
		return used, reserved
	}
	if used, reserved := reserve("r1", 500); !reserved || used != (generia.UploadUsage{Images: 1, Bytes: 100}) {
		t.Errorf("a first reservation: %v with usage %+v, want reserved over 1 upload of 100 bytes", reserved, used)
	}
	if used, reserved := reserve("r2", 401); reserved || used != (generia.UploadUsage{Images: 2, Bytes: 600}) {
		t.Errorf("a reservation past the bytes: %v with usage %+v, want refused over 2 of 600 bytes", reserved, used)
	}
	// r1 is stored smaller than sent: resized, counted once.
	if used, reserved := reserve("r1", 300); !reserved || used != (generia.UploadUsage{Images: 1, Bytes: 100}) {
		t.Errorf("resizing a reservation: %v with usage %+v, want reserved over 1 of 100 bytes", reserved, used)
	}
	if _, reserved := reserve("r2", 400); !reserved {
		t.Error("a reservation within the bytes once another shrank was refused")
	}
	if used, reserved := reserve("r3", 1); reserved || used.Images != 3 {
		t.Errorf("a 4th upload in the period: %v with usage %+v, want refused over 3", reserved, used)
	}
	// Stored: the media row replaces the reservation, and is counted once.
	_, _, err = s.CreateMedia(t.Context(), upload("r1", w.ID, mara.ID, 300, t0))
	ok(t, err, "CreateMedia r1")
	if n, size, _ := s.UploadUsage(t.Context(), mara.ID, at(-time.Hour)); n != 2 || size != 400 {
		t.Errorf("uploads after storing r1: %d of %d bytes, want 2 of 400", n, size)
	}
	ok(t, s.ReleaseUpload(t.Context(), "r2"), "ReleaseUpload r2")
	ok(t, s.ReleaseUpload(t.Context(), "r2"), "ReleaseUpload r2 again")
	if used, reserved := reserve("r3", 600); !reserved || used != (generia.UploadUsage{Images: 2, Bytes: 400}) {
		t.Errorf("a reservation once another was released: %v with usage %+v, want reserved over 2 of 400 bytes", reserved, used)
	}
	// A reservation older than the period no longer counts.
	limit.Since = at(time.Minute)
	if used, reserved := reserve("r4", 1000); !reserved || used != (generia.UploadUsage{}) {
		t.Errorf("a reservation after the period: %v with usage %+v, want reserved over none", reserved, used)
	}
	_, _, err = s.ReserveUpload(t.Context(), generia.UploadReservation{ID: "r5", OwnerID: "u-nobody", Size: 1}, limit)
	wantKind(t, err, generia.KindNotFound, "ReserveUpload of an unknown user")
	_, _, err = s.ReserveUpload(t.Context(), generia.UploadReservation{OwnerID: mara.ID, Size: 1}, limit)
	wantKind(t, err, generia.KindInvalid, "ReserveUpload without an ID")
}

func testReserveUploadConcurrent(t *testing.T, s generia.Store) {
	const images, uploaders = 30, 40
	mara := newUser(t, s, "mara")
	limit := generia.UploadLimit{Since: at(-time.Hour), Images: images, Bytes: 1 << 40}
	reserved := make([]bool, uploaders)
	errs := make([]error, uploaders)
	var wg sync.WaitGroup
	for i := range uploaders {
		wg.Go(func() {
			_, reserved[i], errs[i] = s.ReserveUpload(t.Context(), generia.UploadReservation{
				ID: fmt.Sprintf("r%d", i), OwnerID: mara.ID, Size: 1 << 20, CreatedAt: t0}, limit)
		})
	}
	wg.Wait()
	n := 0
	for i := range uploaders {
		ok(t, errs[i], "ReserveUpload")
		if reserved[i] {
			n++
		}
	}
	if n != images {
		t.Errorf("%d concurrent uploads under a quota of %d: %d reserved, want %d", uploaders, images, n, images)
	}
	// And by bytes: 10 MB under a quota of 30 MB already used by the above.
	limit = generia.UploadLimit{Since: at(-time.Hour), Images: 1000, Bytes: images<<20 + 10<<20}
	n = 0
	for i := range uploaders {
		wg.Go(func() {
			_, reserved[i], errs[i] = s.ReserveUpload(t.Context(), generia.UploadReservation{
				ID: fmt.Sprintf("b%d", i), OwnerID: mara.ID, Size: 1 << 20, CreatedAt: t0}, limit)
		})
	}
	wg.Wait()
	for i := range uploaders {
		ok(t, errs[i], "ReserveUpload")
		if reserved[i] {
			n++
		}
	}
	if n != 10 {
		t.Errorf("%d concurrent uploads of 1 MB with 10 MB left: %d reserved, want 10", uploaders, n)
	}
}

func testUnusedUploads(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	c := createCharacter(t, s, newCharacter("c1", w.ID, 0))
	for _, m := range []generia.Media{
		upload("m-old-unused", w.ID, "u-mara", 1, at(-48*time.Hour)),
		upload("m-old-post", w.ID, "u-mara", 1, at(-47*time.Hour)),
		upload("m-old-avatar", w.ID, "u-mara", 1, at(-46*time.Hour)),
		upload("m-new-unused", w.ID, "u-mara", 1, at(-time.Hour)),
		{ID: "m-generated", WorldID: w.ID, Kind: generia.MediaPostImage, ContentType: "image/png", Size: 1, ObjectKey: "g.png", CreatedAt: at(-72 * time.Hour)},
	} {
		_, _, err := s.CreateMedia(t.Context(), m)
		ok(t, err, "CreateMedia "+m.ID)
	}
	p := newPost("p1", c, t0)
	p.MediaID = "m-old-post"
	createPost(t, s, p)
	ok(t, s.SetCharacterAvatar(t.Context(), c.ID, "m-old-avatar"), "SetCharacterAvatar")

	unused, err := s.UnusedUploads(t.Context(), at(-24*time.Hour), 10)
	ok(t, err, "UnusedUploads")
	if len(unused) != 1 || unused[0].ID != "m-old-unused" {
		t.Fatalf("unused uploads = %s; want only the old one nothing uses", show(unused))
	}
	key, deleted, err := s.DeleteUnusedUpload(t.Context(), "m-old-unused")
	ok(t, err, "DeleteUnusedUpload")
	if !deleted || key != "worlds/w1/uploads/m-old-unused.png" {
		t.Errorf("DeleteUnusedUpload = %q, %v", key, deleted)
	}
	if _, err := s.Media(t.Context(), "m-old-unused"); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("the unused upload is still there: %v", err)
	}
	for _, id := range []string{"m-old-unused", "m-old-post", "m-old-avatar", "m-generated", "m-nowhere"} {
		if _, deleted, err := s.DeleteUnusedUpload(t.Context(), id); err != nil || deleted {
			t.Errorf("DeleteUnusedUpload(%s) = %v, %v; want nothing deleted", id, deleted, err)
		}
	}
}

// A world's posts with a hashtag, newest first, found whatever the case
// and with or without the #; pages of them as of every feed.
func testPostsByHashtag(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	c := createCharacter(t, s, newCharacter("c1", w.ID, 0))
	tagged := func(id string, when time.Duration, tags ...string) generia.Post {
		p := newPost(id, c, at(when))
		p.Hashtags = tags
		return createPost(t, s, p)
	}
	tagged("p1", time.Minute, "Lanterns", "river")
	tagged("p2", 2*time.Minute, "river")
	tagged("p3", 3*time.Minute, "lanterns", "LANTERNS")
	tagged("p4", 4*time.Minute)
	other, _ := newWorld(t, s, "w2")
	elsewhere := createCharacter(t, s, newCharacter("c2", other.ID, 0))
	p := newPost("p-elsewhere", elsewhere, at(5*time.Minute))
	p.Hashtags = []string{"lanterns"}
	createPost(t, s, p)

	for _, tag := range []string{"lanterns", "#Lanterns", "LANTERNS"} {
		got, _ := allPages(t, 1, func(pg generia.Page) ([]generia.Post, string, error) {
			return s.ListPosts(t.Context(), generia.PostFilter{WorldID: "w1", Hashtag: tag}, pg)
		})
		same(t, "posts tagged "+tag, ids(got, postID), []string{"p3", "p1"})
	}
	got, _, err := s.ListPosts(t.Context(), generia.PostFilter{WorldID: "w1", Hashtag: "nothing"}, generia.Page{})
	if err != nil || len(got) != 0 {
		t.Errorf("posts of a hashtag nobody used = %v, %v", ids(got, postID), err)
	}
	if got, _ := s.Post(t.Context(), "p3", ""); !slices.Equal(got.Hashtags, []string{"lanterns", "LANTERNS"}) {
		t.Errorf("the post keeps its hashtags as written: %q", got.Hashtags)
	}
}

// A person's edits of their post, character and world are stored, the
// hashtag lists follow a post's new tags, and an unknown ID is not found.
func testEdits(t *testing.T, s generia.Store) {
	ctx := t.Context()
	w, _ := newWorld(t, s, "w1")
	c := createCharacter(t, s, newUserCharacter("c-mine", w.ID, 1000))
	p := createPost(t, s, newPost("p1", c, t0)) // tagged #tide and #p1

	ok(t, s.EditPost(ctx, p.ID, "The tide came back.", []string{"Ebb", "tide"}), "EditPost")
	got := postByID(t, s, p.ID)
	same(t, "edited caption and hashtags", []any{got.Caption, got.Hashtags}, []any{"The tide came back.", []string{"Ebb", "tide"}})
	tagged := func(tag string) int {
		posts, _, err := s.ListPosts(ctx, generia.PostFilter{WorldID: w.ID, Hashtag: tag}, generia.Page{})
		ok(t, err, "ListPosts #"+tag)
		return len(posts)
	}
	same(t, "posts tagged #ebb, #tide, #p1 after the edit", []int{tagged("ebb"), tagged("tide"), tagged("p1")}, []int{1, 1, 0})

	ok(t, s.EditCharacter(ctx, c.ID, "Mira Vale", "Keeps the lamps.", "m-new"), "EditCharacter")
	ch, err := s.Character(ctx, c.ID)
	ok(t, err, "Character")
	same(t, "edited character", []string{ch.DisplayName, ch.Bio, ch.AvatarMediaID, ch.Username}, []string{"Mira Vale", "Keeps the lamps.", "m-new", c.Username})

	ok(t, s.EditWorld(ctx, w.ID, "Lamplight", "A harbour of lamps.", generia.VisibilityPrivate), "EditWorld")
	world, err := s.World(ctx, w.ID)
	ok(t, err, "World")
	same(t, "edited world", []string{world.Name, world.Description, world.Visibility, world.Prompt}, []string{"Lamplight", "A harbour of lamps.", generia.VisibilityPrivate, w.Prompt})

	wantKind(t, s.EditPost(ctx, "p-nowhere", "x", nil), generia.KindNotFound, "EditPost of an unknown post")
	wantKind(t, s.EditCharacter(ctx, "c-nowhere", "x", "", ""), generia.KindNotFound, "EditCharacter of an unknown character")
	wantKind(t, s.EditWorld(ctx, "w-nowhere", "x", "", generia.VisibilityPublic), generia.KindNotFound, "EditWorld of an unknown world")
}
