package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// newOwnedWorlds creates five worlds a minute apart, oldest first: the
// public and private ones of the owner alice, those of the owner bob, and a
// private world without an owner (w-alice-public, w-alice-private,
// w-bob-public, w-bob-private, w-unowned-private).
func newOwnedWorlds(t *testing.T, s generia.Store, alice, bob string) {
	t.Helper()
	worlds := []struct {
		id, owner, visibility string
	}{
		{"w-alice-public", alice, generia.VisibilityPublic},
		{"w-alice-private", alice, generia.VisibilityPrivate},
		{"w-bob-public", bob, generia.VisibilityPublic},
		{"w-bob-private", bob, generia.VisibilityPrivate},
		{"w-unowned-private", "", generia.VisibilityPrivate},
	}
	for i, w := range worlds {
		newWorld(t, s, w.id, func(nw *generia.World, _ *generia.GenerationStatus) {
			nw.OwnerID, nw.Visibility = w.owner, w.visibility
			nw.CreatedAt = at(time.Duration(i) * time.Minute)
		})
	}
}

// seedScopes creates the users alice, bob and carol, and the worlds of
// newOwnedWorlds, alice's and bob's owned by those users. Bob joined alice's
// private world, carol her public one.
func seedScopes(t *testing.T, s generia.Store) {
	t.Helper()
	for _, name := range []string{"alice", "bob", "carol"} {
		newUser(t, s, name)
	}
	newOwnedWorlds(t, s, "u-alice", "u-bob")
	ok(t, s.JoinWorld(t.Context(), "w-alice-private", "u-bob", t0), "bob joins alice's private world")
	ok(t, s.JoinWorld(t.Context(), "w-alice-public", "u-carol", t0), "carol joins alice's public world")
}

func testListWorldsScopes(t *testing.T, s generia.Store) {
	seedScopes(t, s)
	cases := []struct {
		viewer, scope string
		want          []string
	}{
		{"", "", []string{"w-bob-public", "w-alice-public"}},
		{"", generia.ScopeAll, []string{"w-bob-public", "w-alice-public"}},
		{"", generia.ScopePublic, []string{"w-bob-public", "w-alice-public"}},
		{"", generia.ScopeMine, nil},
		{"", generia.ScopeJoined, nil},
		{"u-alice", generia.ScopeAll, []string{"w-bob-public", "w-alice-private", "w-alice-public"}},
		{"u-alice", generia.ScopePublic, []string{"w-bob-public", "w-alice-public"}},
		{"u-alice", generia.ScopeMine, []string{"w-alice-private", "w-alice-public"}},
		{"u-alice", generia.ScopeJoined, nil},
		{"u-bob", generia.ScopeAll, []string{"w-bob-private", "w-bob-public", "w-alice-private", "w-alice-public"}},
		{"u-bob", generia.ScopePublic, []string{"w-bob-public", "w-alice-public"}},
		{"u-bob", generia.ScopeMine, []string{"w-bob-private", "w-bob-public"}},
		{"u-bob", generia.ScopeJoined, []string{"w-alice-private"}},
		{"u-carol", "", []string{"w-bob-public", "w-alice-public"}},
		{"u-carol", generia.ScopeMine, nil},
		{"u-carol", generia.ScopeJoined, []string{"w-alice-public"}},
		{"u-stranger", generia.ScopeAll, []string{"w-bob-public", "w-alice-public"}},
		{"u-stranger", generia.ScopeJoined, nil},
	}
	for _, tc := range cases {
		t.Run("viewer "+tc.viewer+" scope "+tc.scope, func(t *testing.T) {
			got := worldIDs(t, s, generia.WorldFilter{ViewerID: tc.viewer, Scope: tc.scope})
			if !slices.Equal(got, tc.want) {
				t.Errorf("worlds = %v, want %v", got, tc.want)
			}
		})
	}

	// Once bob leaves alice's private world he no longer sees it.
	ok(t, s.LeaveWorld(t.Context(), "w-alice-private", "u-bob"), "LeaveWorld")
	if got, want := worldIDs(t, s, generia.WorldFilter{ViewerID: "u-bob"}), []string{"w-bob-private", "w-bob-public", "w-alice-public"}; !slices.Equal(got, want) {
		t.Errorf("bob's worlds after leaving = %v, want %v", got, want)
	}
	if got := worldIDs(t, s, generia.WorldFilter{ViewerID: "u-bob", Scope: generia.ScopeJoined}); len(got) != 0 {
		t.Errorf("bob's joined worlds after leaving = %v, want none", got)
	}

	for _, scope := range []string{"friends", "ALL", " mine"} {
		_, _, err := s.ListWorlds(t.Context(), generia.WorldFilter{ViewerID: "u-alice", Scope: scope}, generia.Page{})
		wantKind(t, err, generia.KindInvalid, "ListWorlds with scope "+scope)
	}
}

func testListWorldsStatus(t *testing.T, s generia.Store) {
	statuses := []string{generia.StatusPending, generia.StatusInProgress, generia.StatusCompleted, generia.StatusFailed, generia.StatusCompleted}
	for i, st := range statuses {
		newWorld(t, s, "w"+string(rune('a'+i)), func(w *generia.World, gs *generia.GenerationStatus) {
			gs.Status = st
			w.CreatedAt = at(time.Duration(i) * time.Minute)
			if i == 4 {
				w.OwnerID, w.Visibility = "u-owner", generia.VisibilityPrivate
			}
		})
	}
	cases := []struct {
		filter generia.WorldFilter
		want   []string
	}{
		{generia.WorldFilter{Status: generia.StatusCompleted}, []string{"wc"}},
		{generia.WorldFilter{ViewerID: "u-owner", Status: generia.StatusCompleted}, []string{"we", "wc"}},
		{generia.WorldFilter{ViewerID: "u-owner", Scope: generia.ScopeMine, Status: generia.StatusCompleted}, []string{"we"}},
		{generia.WorldFilter{ViewerID: "u-owner", Scope: generia.ScopeMine, Status: generia.StatusPending}, nil},
		{generia.WorldFilter{Scope: generia.ScopePublic, Status: generia.StatusInProgress}, []string{"wb"}},
		{generia.WorldFilter{Status: generia.StatusCancelled}, nil},
		{generia.WorldFilter{}, []string{"wd", "wc", "wb", "wa"}},
	}
	for _, tc := range cases {
		got := worldIDs(t, s, tc.filter)
		if !slices.Equal(got, tc.want) {
			t.Errorf("ListWorlds(%+v) = %v, want %v", tc.filter, got, tc.want)
		}
		for _, w := range got {
			if tc.filter.Status != "" {
				world, err := s.World(t.Context(), w)
				ok(t, err, "World")
				if world.Status != tc.filter.Status {
					t.Errorf("world %s has status %q, listed for %q", w, world.Status, tc.filter.Status)
				}
			}
		}
	}
	_, _, err := s.ListWorlds(t.Context(), generia.WorldFilter{Status: "done"}, generia.Page{})
	wantKind(t, err, generia.KindInvalid, "ListWorlds with an unknown status")
}

func testWorldMadeCounts(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	newWorld(t, s, "w2")
	var cast []generia.Character
	for i := range 2 {
		cast = append(cast, createCharacter(t, s, newCharacter(fmt.Sprint("c", i), w.ID, i)))
	}
	human := createCharacter(t, s, newUserCharacter("c-human", w.ID, 5))
	for i := range 3 {
		createPost(t, s, newPost(fmt.Sprint("p", i), cast[i%2], at(time.Duration(i)*time.Minute)))
	}
	createPost(t, s, newPost("p-human", human, t0))
	_, err := s.AdvanceGeneration(t.Context(), w.ID, []generia.StageChange{{Stage: generia.StageCharacters, Status: generia.StageInProgress}}, t0)
	ok(t, err, "AdvanceGeneration")

	// Only generated items count, as in the status record.
	want := map[string][3]any{
		"w1": {generia.StatusInProgress, 2, 3},
		"w2": {generia.StatusPending, 0, 0},
	}
	got, err := s.World(t.Context(), w.ID)
	ok(t, err, "World")
	if g := [3]any{got.Status, got.CharactersMade, got.PostsMade}; g != want["w1"] {
		t.Errorf("World: status, characters made, posts made = %v, want %v", g, want["w1"])
	}
	list, _, err := s.ListWorlds(t.Context(), generia.WorldFilter{}, generia.Page{})
	ok(t, err, "ListWorlds")
	if len(list) != 2 {
		t.Fatalf("ListWorlds gave %d worlds, want 2", len(list))
	}
	for _, w := range list {
		if g := [3]any{w.Status, w.CharactersMade, w.PostsMade}; g != want[w.ID] {
			t.Errorf("ListWorlds: world %s status, characters made, posts made = %v, want %v", w.ID, g, want[w.ID])
		}
	}
	// Posts counts every post, as the feed shows them.
	if got.Posts != 4 {
		t.Errorf("World: %d posts, want 4 (3 generated, 1 of a person's character)", got.Posts)
	}
}

// Worlds list newest first, oldest first or with the most posts first,
// ties by age, each order paging by its own cursors.
func testListWorldsSorted(t *testing.T, s generia.Store) {
	posts := map[string]int{"w1": 1, "w2": 3, "w3": 0, "w4": 1}
	for i, id := range []string{"w1", "w2", "w3", "w4"} {
		w, _ := newWorld(t, s, id, func(w *generia.World, _ *generia.GenerationStatus) { w.CreatedAt = at(time.Duration(i) * time.Hour) })
		c := createCharacter(t, s, newCharacter("c-"+id, w.ID, 0))
		for n := range posts[id] {
			createPost(t, s, newPost(fmt.Sprintf("p-%s-%d", id, n), c, at(time.Duration(i)*time.Hour+time.Minute)))
		}
	}
	for _, tc := range []struct {
		sort string
		want []string
	}{
		{"", []string{"w4", "w3", "w2", "w1"}},
		{generia.SortNewest, []string{"w4", "w3", "w2", "w1"}},
		{generia.SortOldest, []string{"w1", "w2", "w3", "w4"}},
		{generia.SortPosts, []string{"w2", "w4", "w1", "w3"}},
	} {
		same(t, fmt.Sprintf("worlds in order %q (pages of 2)", tc.sort), worldIDs(t, s, generia.WorldFilter{Sort: tc.sort}), tc.want)
	}
	list, _, err := s.ListWorlds(t.Context(), generia.WorldFilter{Sort: generia.SortPosts}, generia.Page{})
	ok(t, err, "ListWorlds by posts")
	for _, w := range list {
		if w.Posts != posts[w.ID] {
			t.Errorf("world %s has %d posts, want %d", w.ID, w.Posts, posts[w.ID])
		}
	}
	_, next, err := s.ListWorlds(t.Context(), generia.WorldFilter{Sort: generia.SortPosts}, generia.Page{Limit: 1})
	ok(t, err, "a first page by posts")
	_, _, err = s.ListWorlds(t.Context(), generia.WorldFilter{Sort: generia.SortOldest}, generia.Page{Limit: 1, Cursor: next})
	wantKind(t, err, generia.KindInvalid, "a cursor of the posts order in the oldest order")
	_, _, err = s.ListWorlds(t.Context(), generia.WorldFilter{Sort: "popular"}, generia.Page{})
	wantKind(t, err, generia.KindInvalid, "ListWorlds in an unknown order")
}

func testJoinLeave(t *testing.T, s generia.Store) {
	newUser(t, s, "owner")
	newUser(t, s, "mara")
	w, _ := newWorld(t, s, "w1", func(w *generia.World, _ *generia.GenerationStatus) {
		w.OwnerID, w.Visibility = "u-owner", generia.VisibilityPrivate
	})
	member := func(user string) bool {
		t.Helper()
		m, err := s.IsMember(t.Context(), w.ID, user)
		ok(t, err, "IsMember "+user)
		return m
	}
	joined := func(user string) []string {
		t.Helper()
		return worldIDs(t, s, generia.WorldFilter{ViewerID: user, Scope: generia.ScopeJoined})
	}

	if member("u-mara") || member("") || !member("u-owner") {
		t.Errorf("before joining: mara %v, visitor %v, owner %v; want false, false, true", member("u-mara"), member(""), member("u-owner"))
	}
	for range 2 {
		ok(t, s.JoinWorld(t.Context(), w.ID, "u-mara", t0), "JoinWorld")
	}
	if !member("u-mara") {
		t.Error("mara is not a member after joining")
	}
	if got := joined("u-mara"); !slices.Equal(got, []string{w.ID}) {
		t.Errorf("mara's joined worlds = %v, want [%s] once", got, w.ID)
	}
	for range 2 {
		ok(t, s.LeaveWorld(t.Context(), w.ID, "u-mara"), "LeaveWorld")
	}
	if member("u-mara") || len(joined("u-mara")) != 0 {
		t.Error("mara is still a member after leaving")
	}

	// The owner is a member by owning the world: joining changes nothing and
	// leaving is refused.
	ok(t, s.JoinWorld(t.Context(), w.ID, "u-owner", t0), "the owner joins")
	if got := joined("u-owner"); len(got) != 0 {
		t.Errorf("the owner's joined worlds = %v, want none: owned worlds are not joined", got)
	}
	err := s.LeaveWorld(t.Context(), w.ID, "u-owner")
	wantKind(t, err, generia.KindInvalid, "the owner leaves")
	if msg := generia.ErrorMessage(err); msg != "the creator of a world cannot leave it" {
		t.Errorf("message = %q", msg)
	}
	if !member("u-owner") {
		t.Error("the owner is no longer a member after a refused leave")
	}

	wantKind(t, s.JoinWorld(t.Context(), "w-nowhere", "u-mara", t0), generia.KindNotFound, "JoinWorld of an unknown world")
	wantKind(t, s.LeaveWorld(t.Context(), "w-nowhere", "u-mara"), generia.KindNotFound, "LeaveWorld of an unknown world")
	_, err = s.IsMember(t.Context(), "w-nowhere", "u-mara")
	wantKind(t, err, generia.KindNotFound, "IsMember of an unknown world")
	wantKind(t, s.JoinWorld(t.Context(), w.ID, "u-nobody", t0), generia.KindNotFound, "JoinWorld by an unknown user")
}

// seedWorldContent fills a world with everything a world holds: a member,
// characters, posts, likes, comments, media, artifacts and ledger entries.
// It returns the media object keys, oldest first.
func seedWorldContent(t *testing.T, s generia.Store, worldID string) []string {
	t.Helper()
	ctx := t.Context()
	ok(t, s.JoinWorld(ctx, worldID, "u-mara", t0), "JoinWorld")
	c := createCharacter(t, s, newCharacter(worldID+"-c1", worldID, 0))
	human := createCharacter(t, s, newUserCharacter(worldID+"-c2", worldID, 1))
	var keys []string
	for i, kind := range []string{generia.MediaWorldHeader, generia.MediaCharacterAvatar, generia.MediaPostImage} {
		m := generia.Media{ID: fmt.Sprintf("%s-m%d", worldID, i), WorldID: worldID, Kind: kind, ContentType: "image/png",
			ObjectKey: fmt.Sprintf("worlds/%s/%d.png", worldID, i), CreatedAt: at(time.Duration(i) * time.Second)}
		_, _, err := s.CreateMedia(ctx, m)
		ok(t, err, "CreateMedia")
		keys = append(keys, m.ObjectKey)
	}
	for i, author := range []generia.Character{c, human} {
		p := createPost(t, s, newPost(fmt.Sprintf("%s-p%d", worldID, i), author, at(time.Duration(i)*time.Minute)))
		_, err := s.Like(ctx, p.ID, "u-mara", t0)
		ok(t, err, "Like")
		_, err = s.AddComment(ctx, generia.Comment{ID: p.ID + "-comment", PostID: p.ID, UserID: "u-mara", Text: "Lovely."})
		ok(t, err, "AddComment")
	}
	_, err := s.SaveArtifact(ctx, generia.Artifact{WorldID: worldID, Key: "world/description", Output: json.RawMessage(`{}`)})
	ok(t, err, "SaveArtifact")
	ok(t, s.RecordCall(ctx, newCall(worldID, generia.CallLLM, 0.01)), "RecordCall")
	return keys
}

func testDeleteWorld(t *testing.T, s generia.Store) {
	ctx := t.Context()
	newUser(t, s, "mara")
	w, _ := newWorld(t, s, "w1")
	kept, _ := newWorld(t, s, "w2")
	keys := seedWorldContent(t, s, w.ID)
	seedWorldContent(t, s, kept.ID)
	keptPost := postByID(t, s, "w2-p0")
	keptComments, _, err := s.ListComments(ctx, keptPost.ID, generia.Page{})
	ok(t, err, "ListComments")

	got, err := s.DeleteWorld(ctx, w.ID)
	ok(t, err, "DeleteWorld")
	if !slices.Equal(got, keys) {
		t.Errorf("media keys = %v, want %v", got, keys)
	}

	// Nothing of the world is left.
	gone := map[string]error{}
	_, gone["World"] = s.World(ctx, w.ID)
	_, gone["GenerationStatus"] = s.GenerationStatus(ctx, w.ID)
	_, gone["CountContent"] = s.CountContent(ctx, w.ID)
	_, gone["IsMember"] = s.IsMember(ctx, w.ID, "u-mara")
	_, _, gone["ListPosts"] = s.ListPosts(ctx, generia.PostFilter{WorldID: w.ID}, generia.Page{})
	_, _, gone["ListPosts of a character"] = s.ListPosts(ctx, generia.PostFilter{CharacterID: "w1-c1"}, generia.Page{})
	_, _, gone["ListCharacters"] = s.ListCharacters(ctx, w.ID, generia.Page{})
	_, gone["ListUserCharacters"] = s.ListUserCharacters(ctx, w.ID, "u-mara")
	_, gone["Character"] = s.Character(ctx, "w1-c1")
	_, gone["Character of a person"] = s.Character(ctx, "w1-c2")
	_, gone["Post"] = s.Post(ctx, "w1-p0", "u-mara")
	_, gone["Comment"] = s.Comment(ctx, "w1-p0-comment")
	_, _, gone["ListComments"] = s.ListComments(ctx, "w1-p0", generia.Page{})
	_, _, gone["ListLikes"] = s.ListLikes(ctx, "w1-p1", generia.Page{})
	_, gone["Like"] = s.Like(ctx, "w1-p0", "u-mara", t0)
	_, gone["Media"] = s.Media(ctx, "w1-m0")
	_, gone["Generation"] = s.Artifact(ctx, w.ID, "world/description")
	_, gone["ProviderCalls"] = s.ProviderCalls(ctx, w.ID)
	_, gone["DeleteWorld again"] = s.DeleteWorld(ctx, w.ID)
	for what, err := range gone {
		wantKind(t, err, generia.KindNotFound, what+" after DeleteWorld")
	}
	if got := worldIDs(t, s, generia.WorldFilter{ViewerID: "u-mara"}); !slices.Equal(got, []string{kept.ID}) {
		t.Errorf("worlds after DeleteWorld = %v, want [%s]", got, kept.ID)
	}
	if got := worldIDs(t, s, generia.WorldFilter{ViewerID: "u-mara", Scope: generia.ScopeJoined}); !slices.Equal(got, []string{kept.ID}) {
		t.Errorf("joined worlds after DeleteWorld = %v, want [%s]", got, kept.ID)
	}

	// The other world and the user are untouched.
	same(t, "content of the other world", counts(t, s, kept.ID), generia.ContentCounts{Characters: 2, Posts: 2, Media: 3})
	same(t, "post of the other world", postByID(t, s, keptPost.ID), keptPost)
	comments, _, err := s.ListComments(ctx, keptPost.ID, generia.Page{})
	ok(t, err, "ListComments of the other world")
	same(t, "comments of the other world", comments, keptComments)
	if m, err := s.IsMember(ctx, kept.ID, "u-mara"); err != nil || !m {
		t.Errorf("membership of the other world = %v, %v; want true", m, err)
	}
	if calls, err := s.ProviderCalls(ctx, kept.ID); err != nil || len(calls) != 1 {
		t.Errorf("ledger of the other world = %d calls, %v; want 1", len(calls), err)
	}
	_, err = s.UserByID(ctx, "u-mara")
	ok(t, err, "UserByID after DeleteWorld")
	if n, err := s.CountWorlds(ctx); err != nil || n != 1 {
		t.Errorf("CountWorlds = %d, %v; want 1", n, err)
	}

	// A world without media gives no keys.
	empty, _ := newWorld(t, s, "w-empty")
	got, err = s.DeleteWorld(ctx, empty.ID)
	ok(t, err, "DeleteWorld of an empty world")
	if len(got) != 0 {
		t.Errorf("media keys of an empty world = %v, want none", got)
	}
}

// A search keeps the worlds whose name, description or prompt holds it, in
// any case; its % and _ are letters like any other; private worlds stay
// hidden from strangers.
func testListWorldsSearch(t *testing.T, s generia.Store) {
	for _, w := range []struct{ id, name, prompt, owner string }{
		{"w1", "Tidewater", "A harbour city on a tide that never ebbs", ""},
		{"w2", "Glass Gardens", "Night gardeners of a glass city", ""},
		{"w3", "Sandlight", "Lighthouse keepers of a sea of sand, 100% dunes", ""},
		{"w4", "Secret Harbour", "A private harbour", "u-owner"},
	} {
		newWorld(t, s, w.id, func(nw *generia.World, _ *generia.GenerationStatus) {
			nw.Name, nw.Prompt = w.name, w.prompt
			if w.owner != "" {
				nw.OwnerID, nw.Visibility = w.owner, generia.VisibilityPrivate
			}
		})
	}
	ok(t, s.SetWorldDescription(t.Context(), "w2", "Glass Gardens", "Where the greenhouses hum at dusk.", nil), "describing w2")
	for _, tc := range []struct {
		filter generia.WorldFilter
		want   []string
	}{
		{generia.WorldFilter{Search: "HARBOUR"}, []string{"w1"}},
		{generia.WorldFilter{Search: "harbour", ViewerID: "u-owner"}, []string{"w4", "w1"}},
		{generia.WorldFilter{Search: "city"}, []string{"w2", "w1"}},
		{generia.WorldFilter{Search: "greenhouses"}, []string{"w2"}},
		{generia.WorldFilter{Search: "100%"}, []string{"w3"}},
		{generia.WorldFilter{Search: "%"}, []string{"w3"}},
		{generia.WorldFilter{Search: "_"}, []string{}},
		{generia.WorldFilter{Search: "nowhere at all"}, []string{}},
	} {
		got := worldIDs(t, s, tc.filter)
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		same(t, fmt.Sprintf("worlds searched for %q", tc.filter.Search), got, want)
	}
}
