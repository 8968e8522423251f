// Package storetest is the conformance suite of generia.Store: every backend
// (SQLite, PostgreSQL) runs it unchanged, so they all keep the contracts
// documented on the interface. It imports only the domain package and the
// standard library.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Run runs the suite. open returns a new, empty store and arranges for it to
// be closed when the test ends; every test opens its own.
func Run(t *testing.T, open func(t *testing.T) generia.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s generia.Store)
	}{
		{"users/create and read back", testCreateUser},
		{"users/login is case-insensitive", testUserByLogin},
		{"users/taken username or email conflicts", testUserConflicts},
		{"users/existing ID returns the stored user", testCreateUserIdempotent},
		{"token families/rotate, and a replay revokes", testTokenFamilyRotates},
		{"token families/expire, are revoked, and refuse bad input", testTokenFamilyEnds},
		{"token families/one of racing refreshes rotates", testTokenFamilyRace},
		{"worlds/every field round-trips", testWorldRoundTrip},
		{"worlds/existing ID keeps the stored world", testCreateWorldIdempotent},
		{"worlds/unknown ID", testWorldNotFound},
		{"worlds/count", testCountWorlds},
		{"worlds/description replaces an empty name only", testSetWorldDescription},
		{"worlds/images", testSetWorldImages},
		{"worlds/list shows public worlds and the viewer's own", testListWorldsVisibility},
		{"worlds/list scopes: a stranger never sees a private world, a member does", testListWorldsScopes},
		{"worlds/list by generation status", testListWorldsStatus},
		{"worlds/list by search", testListWorldsSearch},
		{"worlds/list in three orders", testListWorldsSorted},
		{"edits of posts, characters and worlds", testEdits},
		{"deleting a character and all it did", testDeleteCharacter},
		{"worlds/read with the created counts", testWorldMadeCounts},
		{"worlds/join and leave are idempotent, the owner cannot leave", testJoinLeave},
		{"invitations/let in until used up, expired or revoked; members listed", testInvitations},
		{"invitations/racing accepts never pass the uses", testInvitationRace},
		{"members/co-owners are made, unmade and end with membership", testCoOwners},
		{"home/the worlds one is in and the characters one follows, newest first", testHomeFeed},
		{"home/follows refuse bad input and go with their character", testFollowInvalid},
		{"worlds/delete removes everything and returns the media keys", testDeleteWorld},
		{"worlds/list pages newest first", testListWorldsPaging},
		{"worlds/list rejects a malformed cursor", testListWorldsBadCursor},
		{"status/advance starts the generation and its stages", testAdvanceGeneration},
		{"status/advance rejects unknown stages", testAdvanceInvalid},
		{"status/finish completed", testFinishCompleted},
		{"status/finish failed or cancelled stops running stages", testFinishStopsStages},
		{"status/finish on an ended generation is a no-op", testFinishTwice},
		{"status/finish rejects a status that is not final", testFinishInvalid},
		{"status/ended generation takes no more work", testEndedGeneration},
		{"status/cancel request stops calls and generated items", testRequestCancel},
		{"status/unknown world", testStatusNotFound},
		{"status/active generations", testListActiveGenerations},
		{"calls/reserve up to the limit", testReserveCallLimit},
		{"calls/reserve rejects an unknown kind or world", testReserveCallInvalid},
		{"calls/concurrent reservations never pass the limit", testReserveCallConcurrent},
		{"calls/ledger round-trips every field in order", testProviderCallsRoundTrip},
		{"calls/tokens and costs add up by kind", testRecordCallTotals},
		{"calls/recorded after a cancel or the end", testRecordCallAfterEnd},
		{"calls/unknown world or invalid call", testRecordCallInvalid},
		{"calls/recent cost of a provider's paid calls", testRecentCallCost},
		{"budget/round-trips and must not be negative", testBudgetRoundTrip},
		{"budget/none means no cost limit", testNoBudget},
		{"budget/refuses the call that would exceed it", testBudgetRefuses},
		{"budget/average per kind of the paid calls", testBudgetAverage},
		{"budget/in-flight calls overshoot by their own cost only", testBudgetInFlight},
		{"budget/concurrent callers stop at the budget", testBudgetConcurrent},
		{"generations/the first artifact is kept", testSaveArtifact},
		{"answers/saved with their call in one transaction", testSaveAnswer},
		{"answers/paid images wait for their media row", testSavePaidImage},
		{"characters/every field round-trips", testCharacterRoundTrip},
		{"characters/idempotent and counted once", testCreateCharacterIdempotent},
		{"characters/username taken in the world conflicts", testCharacterConflict},
		{"characters/unknown world or ID", testCharacterNotFound},
		{"characters/avatar", testSetCharacterAvatar},
		{"characters/list in cast order", testListCharacters},
		{"posts/every field round-trips with author fields", testPostRoundTrip},
		{"posts/idempotent and counted once", testCreatePostIdempotent},
		{"posts/unknown or foreign character", testPostInvalidCharacter},
		{"posts/feed pages newest first", testListPostsPaging},
		{"posts/feed cursor is stable when posts are added", testListPostsStable},
		{"posts/feed with equal timestamps", testListPostsEqualTimes},
		{"posts/feed page sizes", testListPostsPageSizes},
		{"posts/feed of an unknown world or with a bad cursor", testListPostsInvalid},
		{"posts/feed carries counts and the viewer's likes", testFeedSocialFields},
		{"posts/of one character, within one world", testListCharacterPosts},
		{"characters/a user's own in a world", testListUserCharacters},
		{"likes/idempotent, counted, liked per viewer", testLikeIdempotent},
		{"likes/concurrent likes count once per user", testLikeConcurrent},
		{"likes/list newest first", testListLikes},
		{"likes/which posts of a page a user likes", testLikedPosts},
		{"comments/add, list, delete with counts", testComments},
		{"comments/invalid, unknown and retried", testCommentsInvalid},
		{"comments/speakers and threads", testCommentSpeakers},
		{"comments/a deleted comment with replies keeps its place", testDeletedThread},
		{"comments/no reply to a deleted comment", testReplyToDeleted},
		{"comments/a world's new posts and comments since a moment", testSince},
		{"posts/by hashtag", testPostsByHashtag},
		{"posts/delete", testDeletePost},
		{"comments/speakers that do not fit", testCommentSpeakersInvalid},
		{"life/settings round-trip, replace and refuse bad values", testLifeSettings},
		{"life/a day's calls stop at its ceilings and count apart", testReserveLifeCall},
		{"life/concurrent reservations never pass the ceiling", testReserveLifeCallConcurrent},
		{"ceilings/one account's concurrent calls of two worlds never pass its day", testAccountCallsConcurrent},
		{"ceilings/one account's budget spans its worlds' generations and lives", testAccountBudget},
		{"ceilings/the operator sets, keeps and resets one account's", testAccountCeilingsSet},
		{"ceilings/a lowered ceiling clamps a world's life at its next call", testLifeClampedByCeilings},
		{"life/posts and images after the generation, counted apart", testLifePosts},
		{"life/characters like posts of their world", testCharacterLikes},
		{"life/the record pages read: round-trip, woken by a view only from asleep", testLifeRecords},
		{"sessions/found until they expire or end", testSessions},
		{"media/round-trip and counted once", testCreateMedia},
		{"media/an account's uploads in a period", testUploadUsage},
		{"media/uploads nothing uses", testUnusedUploads},
		{"media/upload reservations hold the quota, resize, release", testReserveUpload},
		{"media/concurrent upload reservations never pass the quota", testReserveUploadConcurrent},
		{"content/counters match rows under concurrent retries", testCountersMatchRows},
		{"review/set, read back by every read, refused bad input", testSetReview},
		{"review/comments counted while shown", testCommentsCountShown},
		{"review/a held generated item counts once", testHoldGenerated},
		{"review/frozen worlds, silenced characters", testFrozenSilenced},
		{"accounts/roles and standing", testRolesStanding},
		{"accounts/found by the start of a username or email", testFindUsers},
		{"reports/merge into one open case, once per reporter", testFileReport},
		{"reports/20 concurrent reporters make one case", testFileReportConcurrent},
		{"cases/opened by a check, joined by reports", testOpenCase},
		{"cases/the queue by score then age, pages", testListCases},
		{"reports/a reporter's record", testReporterRecord},
		{"cases/resolved in one transaction or not at all", testResolve},
		{"strikes/listed, appealed once within the window, decided", testStrikesAppeals},
		{"audit/appended, listed newest first, filtered", testAudit},
		{"snapshots outlive an edit and the world's deletion", testSnapshotsOutliveContent},
		{"spend/by UTC day, top accounts and worlds", testSpend},
		{"notifications/one per comment, also when added again and at once", testNotifyOncePerComment},
		{"notifications/a reply, else a mention, else a comment; never oneself", testNotifyPrecedence},
		{"notifications/a like once, also undone and done again", testNotifyLikes},
		{"notifications/a held comment tells on release; hidden or deleted content is not listed", testNotifyHeldComment},
		{"notifications/a removed member no longer sees a private world's", testNotifyWorldAccess},
		{"notifications/a muted kind is not written", testNotifyMuted},
		{"notifications/marking read is all or nothing", testMarkNotificationsRead},
		{"notifications/stored once per key, paged, read since a moment", testNotify},
		{"notifications/joins, a generation's end, strikes and appeals", testNotifyEvents},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, open(t))
		})
	}
}

// t0 is the tests' reference time, at the stored precision (microseconds).
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

// at returns t0 plus d.
func at(d time.Duration) time.Time { return t0.Add(d) }

// ptr returns a pointer to t.
func ptr(t time.Time) *time.Time { return &t }

// ok fails the test when err is not nil.
func ok(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantKind fails the test unless err has the given kind.
func wantKind(t *testing.T, err error, kind generia.Kind, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want kind %s", what, kind)
	}
	if !generia.IsKind(err, kind) {
		t.Fatalf("%s: got error %q of kind %s, want kind %s", what, err, generia.ErrorKind(err), kind)
	}
}

// same fails the test unless got and want have the same JSON form: JSON
// fields compare by value whatever their spacing or key order, and times
// must be equal instants in UTC.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := tree(t, got), tree(t, want); !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, show(got), show(want))
	}
}

func tree(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %T: %v", v, err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("decoding %T: %v", v, err)
	}
	return out
}

func show(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

// newWorld creates a public world with the status record of a plan of 3
// characters and 6 posts; edit may change both before they are stored.
func newWorld(t *testing.T, s generia.Store, id string, edit ...func(*generia.World, *generia.GenerationStatus)) (generia.World, generia.GenerationStatus) {
	t.Helper()
	w := generia.World{
		ID:              id,
		OwnerID:         "owner-" + id,
		Name:            "World " + id,
		Prompt:          "A harbour city on a tide that never ebbs",
		CharactersCount: 3,
		PostsCount:      6,
		Visibility:      generia.VisibilityPublic,
		Providers:       generia.Providers{LLM: "offline", Image: "offline"},
		WorkflowID:      generia.WorldWorkflowID(id),
		CreatedAt:       t0,
		UpdatedAt:       t0,
	}
	st := generia.NewGenerationStatus(w, generia.NewPlan(3, 6))
	for _, f := range edit {
		f(&w, &st)
	}
	ok(t, s.CreateWorld(t.Context(), w, st), "creating world "+id)
	w.Status = st.Status // read back from the status record
	return w, st
}

// newCharacter returns a generated character of a world.
func newCharacter(id, worldID string, position int) generia.Character {
	return generia.Character{
		ID:          id,
		WorldID:     worldID,
		Username:    "user_" + id,
		DisplayName: "User " + id,
		Bio:         "Mends nets at dawn.",
		Profile:     json.RawMessage(`{"interests": ["knots"], "age": 31}`),
		Position:    position,
		CreatedAt:   at(time.Duration(position) * time.Second),
	}
}

// newUserCharacter returns a character of a world that the user u-mara made.
func newUserCharacter(id, worldID string, position int) generia.Character {
	c := newCharacter(id, worldID, position)
	c.OwnerID = "u-mara"
	return c
}

// createCharacter stores a character and fails the test on error.
func createCharacter(t *testing.T, s generia.Store, c generia.Character) generia.Character {
	t.Helper()
	got, _, err := s.CreateCharacter(t.Context(), c)
	ok(t, err, "creating character "+c.ID)
	return got
}

// newPost returns a post by a character at a moment of the timeline.
func newPost(id string, c generia.Character, when time.Time) generia.Post {
	return generia.Post{
		ID:          id,
		WorldID:     c.WorldID,
		CharacterID: c.ID,
		Caption:     "Caption of " + id,
		Hashtags:    []string{"tide", id},
		MediaID:     "media-" + id,
		CreatedAt:   when,
	}
}

// createPost stores a post and fails the test on error.
func createPost(t *testing.T, s generia.Store, p generia.Post) generia.Post {
	t.Helper()
	got, _, err := s.CreatePost(t.Context(), p)
	ok(t, err, "creating post "+p.ID)
	return got
}

// createTwice creates item, which must report created, and then again, an
// item of the same ID, which createAgain checks against what the first
// create returned. what names the create in failures.
func createTwice[T any](t *testing.T, what string, create func(context.Context, T) (T, bool, error), item, again T) {
	t.Helper()
	first, created, err := create(t.Context(), item)
	ok(t, err, what)
	if !created {
		t.Errorf("first %s did not report created", what)
	}
	createAgain(t, what+" again", create, again, first)
}

// createAgain creates an item whose ID is stored already, and fails the test
// unless the create reports nothing created and returns the stored item.
func createAgain[T any](t *testing.T, what string, create func(context.Context, T) (T, bool, error), item, stored T) {
	t.Helper()
	got, created, err := create(t.Context(), item)
	ok(t, err, what)
	if created {
		t.Errorf("%s reported created", what)
	}
	same(t, what, got, stored)
}

// withAuthor returns p with the author fields of c.
func withAuthor(p generia.Post, c generia.Character) generia.Post {
	p.Username, p.DisplayName, p.AvatarMediaID, p.IsAI = c.Username, c.DisplayName, c.AvatarMediaID, c.IsAI()
	return p
}

// status reads a world's status record and fails the test on error.
func status(t *testing.T, s generia.Store, worldID string) generia.GenerationStatus {
	t.Helper()
	st, err := s.GenerationStatus(t.Context(), worldID)
	ok(t, err, "reading the status of "+worldID)
	return st
}

// counts reads a world's content counts and fails the test on error.
func counts(t *testing.T, s generia.Store, worldID string) generia.ContentCounts {
	t.Helper()
	n, err := s.CountContent(t.Context(), worldID)
	ok(t, err, "counting the content of "+worldID)
	return n
}

// ids returns the IDs of items.
func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, v := range items {
		out[i] = id(v)
	}
	return out
}

func worldID(w generia.World) string         { return w.ID }
func characterID(c generia.Character) string { return c.ID }
func postID(p generia.Post) string           { return p.ID }

// allPages follows the cursors of a list from the first page and returns
// every item and the size of every page. It fails the test if a page other
// than the last is short, or if the cursors do not end.
func allPages[T any](t *testing.T, limit int, list func(generia.Page) ([]T, string, error)) (items []T, sizes []int) {
	t.Helper()
	cursor := ""
	for range 1000 {
		page, next, err := list(generia.Page{Limit: limit, Cursor: cursor})
		ok(t, err, "listing a page")
		items = append(items, page...)
		sizes = append(sizes, len(page))
		if next == "" {
			return items, sizes
		}
		if len(page) != limit {
			t.Fatalf("page %d has %d items and a next cursor; want %d items", len(sizes), len(page), limit)
		}
		cursor = next
	}
	t.Fatal("the cursors never end")
	return nil, nil
}

// newUser creates an account named name with ID "u-"+name and fails the
// test on error.
func newUser(t *testing.T, s generia.Store, name string) generia.User {
	t.Helper()
	u, err := s.CreateUser(t.Context(), generia.User{ID: "u-" + name, Username: name, Email: name + "@example.com", CreatedAt: t0}, "hash")
	ok(t, err, "creating user "+name)
	return u
}

// worldIDs lists the worlds a filter shows, following every page, and fails
// the test on error.
func worldIDs(t *testing.T, s generia.Store, f generia.WorldFilter) []string {
	t.Helper()
	got, _ := allPages(t, 2, func(p generia.Page) ([]generia.World, string, error) {
		return s.ListWorlds(t.Context(), f, p)
	})
	return ids(got, worldID)
}
