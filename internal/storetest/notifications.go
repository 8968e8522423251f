package storetest

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// seedNotices creates the people owner, mara and ilo; the public world w1
// of owner with the AI character c1 and mara's character cm (handle
// "mara_c", named "Mara's Captain"); the post p1 of c1 and the post pm of
// cm.
func seedNotices(t *testing.T, s generia.Store) {
	t.Helper()
	for _, name := range []string{"owner", "mara", "ilo"} {
		newUser(t, s, name)
	}
	w, _ := newWorld(t, s, "w1", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID = "u-owner" })
	c1 := createCharacter(t, s, newCharacter("c1", w.ID, 0))
	cm := newUserCharacter("cm", w.ID, 1)
	cm.Username, cm.DisplayName = "mara_c", "Mara's Captain"
	cm = createCharacter(t, s, cm)
	createPost(t, s, newPost("p1", c1, t0))
	createPost(t, s, newPost("pm", cm, at(time.Second)))
}

// comment adds a comment and fails the test on error.
func comment(t *testing.T, s generia.Store, c generia.Comment) {
	t.Helper()
	_, err := s.AddComment(t.Context(), c)
	ok(t, err, "AddComment "+c.ID)
}

// notices lists every notification of a person, newest first, following
// every page, and fails the test on error.
func notices(t *testing.T, s generia.Store, userID string) []generia.Notification {
	t.Helper()
	got, _ := allPages(t, 2, func(p generia.Page) ([]generia.Notification, string, error) {
		return s.Notifications(t.Context(), userID, p)
	})
	return got
}

// unread counts a person's unread notifications and fails the test on
// error.
func unread(t *testing.T, s generia.Store, userID string) int {
	t.Helper()
	n, err := s.UnreadNotifications(t.Context(), userID)
	ok(t, err, "UnreadNotifications of "+userID)
	return n
}

// notice is what a test checks of a notification.
type notice struct {
	Kind, Key, Group, Post, Comment, Character, ActorUser, ActorCharacter, Actor string
}

func noticeOf(n generia.Notification) notice {
	return notice{n.Kind, n.Key, n.Group, n.PostID, n.CommentID, n.CharacterID, n.ActorUserID, n.ActorCharacterID, n.ActorName}
}

// wantNotices fails the test unless a person's listed notifications are
// want, newest first, and as many are unread.
func wantNotices(t *testing.T, s generia.Store, userID, what string, want ...notice) {
	t.Helper()
	got := notices(t, s, userID)
	list := make([]notice, len(got))
	for i, n := range got {
		list[i] = noticeOf(n)
		if n.UserID != userID {
			t.Errorf("%s: a notification of %s listed for %s", what, n.UserID, userID)
		}
	}
	if want == nil {
		want = []notice{}
	}
	same(t, what+": the notifications of "+userID, list, want)
	if n := unread(t, s, userID); n != len(want) {
		t.Errorf("%s: %s has %d unread, want %d", what, userID, n, len(want))
	}
}

// A comment added twice, also at once, tells its post's author once.
func testNotifyOncePerComment(t *testing.T, s generia.Store) {
	seedNotices(t, s)
	c := generia.Comment{ID: "m1", PostID: "pm", UserID: "u-ilo", Text: "Fair winds!", CreatedAt: at(time.Minute)}
	comment(t, s, c)
	comment(t, s, c)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			c := c
			c.ID = "m2"
			_, err := s.AddComment(t.Context(), c)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		ok(t, err, "a concurrent AddComment")
	}
	want := func(id string) notice {
		return notice{Kind: generia.NotifyComment, Key: "comment:" + id, Group: "comment:pm", Post: "pm", Comment: id, Character: "cm",
			ActorUser: "u-ilo", Actor: "ilo"}
	}
	got := notices(t, s, "u-mara")
	wantNotices(t, s, "u-mara", "two comments, added ten times", want(got[0].CommentID), want(got[1].CommentID))
	if ids := []string{got[0].CommentID, got[1].CommentID}; !slices.Contains(ids, "m1") || !slices.Contains(ids, "m2") {
		t.Errorf("notified of comments %v, want m1 and m2", ids)
	}
	if got[0].Text != "Fair winds!" || got[0].WorldID != "w1" {
		t.Errorf("text, world = %q, %q; want the comment's text and w1", got[0].Text, got[0].WorldID)
	}
	wantNotices(t, s, "u-ilo", "the commenter")
	wantNotices(t, s, "u-owner", "the world's owner")
}

// A comment tells each person once: a reply to them first, else a mention
// of them or their character, else a comment on their post; never its own
// speaker.
func testNotifyPrecedence(t *testing.T, s generia.Store) {
	seedNotices(t, s)
	ctx := t.Context()
	min := func(n int) time.Time { return at(time.Duration(n) * time.Minute) }
	// Mara on her own post, naming herself: nobody is told.
	comment(t, s, generia.Comment{ID: "m1", PostID: "pm", UserID: "u-mara", Text: "Ahoy @mara and @Mara_C", CreatedAt: min(1)})
	wantNotices(t, s, "u-mara", "her own comment")
	// Ilo answers her, naming her too: one reply, no mention, no comment.
	comment(t, s, generia.Comment{ID: "m2", PostID: "pm", UserID: "u-ilo", ParentID: "m1", Text: "@mara ahoy", CreatedAt: min(2)})
	reply := notice{Kind: generia.NotifyReply, Key: "comment:m2", Group: "reply:m1", Post: "pm", Comment: "m2", ActorUser: "u-ilo", Actor: "ilo"}
	wantNotices(t, s, "u-mara", "a reply naming her on her post", reply)
	// Ilo names her character on her post: a mention of the character.
	comment(t, s, generia.Comment{ID: "m3", PostID: "pm", UserID: "u-ilo", Text: "Hey @MARA_C, and @nobody", CreatedAt: min(3)})
	mention := notice{Kind: generia.NotifyMention, Key: "comment:m3", Group: "comment:m3", Post: "pm", Comment: "m3", Character: "cm",
		ActorUser: "u-ilo", Actor: "ilo"}
	wantNotices(t, s, "u-mara", "a mention of her character", mention, reply)
	// A plain comment on her post.
	comment(t, s, generia.Comment{ID: "m4", PostID: "pm", UserID: "u-ilo", Text: "Nice", CreatedAt: min(4)})
	onPost := notice{Kind: generia.NotifyComment, Key: "comment:m4", Group: "comment:pm", Post: "pm", Comment: "m4", Character: "cm",
		ActorUser: "u-ilo", Actor: "ilo"}
	wantNotices(t, s, "u-mara", "a comment on her post", onPost, mention, reply)
	// Mara answers Ilo as her character: Ilo is told, by the character's
	// name; she is not, though it is her post.
	comment(t, s, generia.Comment{ID: "m5", PostID: "pm", UserID: "u-mara", CharacterID: "cm", ParentID: "m4", Text: "Thanks @ilo", CreatedAt: min(5)})
	wantNotices(t, s, "u-ilo", "a reply by her character",
		notice{Kind: generia.NotifyReply, Key: "comment:m5", Group: "reply:m4", Post: "pm", Comment: "m5",
			ActorUser: "u-mara", ActorCharacter: "cm", Actor: "Mara's Captain"})
	wantNotices(t, s, "u-mara", "her character's reply on her post", onPost, mention, reply)
	// An AI character answers her character's comment on an AI post: a
	// reply to her character; the owner of the world is not the post's
	// author and is not told.
	comment(t, s, generia.Comment{ID: "m6", PostID: "p1", UserID: "u-mara", CharacterID: "cm", Text: "Who goes there?", CreatedAt: min(6)})
	comment(t, s, generia.Comment{ID: "m7", PostID: "p1", CharacterID: "c1", IsAI: true, ParentID: "m6", Text: "Only me, @owner", CreatedAt: min(7)})
	aiReply := notice{Kind: generia.NotifyReply, Key: "comment:m7", Group: "reply:m6", Post: "p1", Comment: "m7", Character: "cm",
		ActorCharacter: "c1", Actor: "User c1"}
	wantNotices(t, s, "u-mara", "an AI reply to her character", aiReply, onPost, mention, reply)
	wantNotices(t, s, "u-owner", "a mention of the owner",
		notice{Kind: generia.NotifyMention, Key: "comment:m7", Group: "comment:m7", Post: "p1", Comment: "m7", ActorCharacter: "c1", Actor: "User c1"})

	// In a private world, only its people are named: Ilo is not, until
	// he joins.
	w, _ := newWorld(t, s, "w2", func(w *generia.World, _ *generia.GenerationStatus) {
		w.OwnerID, w.Visibility = "u-owner", generia.VisibilityPrivate
	})
	c2 := createCharacter(t, s, newCharacter("c2", w.ID, 0))
	createPost(t, s, newPost("q1", c2, t0))
	comment(t, s, generia.Comment{ID: "m8", PostID: "q1", UserID: "u-owner", Text: "@ilo come see", CreatedAt: min(8)})
	ok(t, s.JoinWorld(ctx, w.ID, "u-ilo", min(9)), "JoinWorld")
	comment(t, s, generia.Comment{ID: "m9", PostID: "q1", UserID: "u-owner", Text: "@ilo welcome", CreatedAt: min(10)})
	got := notices(t, s, "u-ilo")
	if len(got) != 2 || got[0].Key != "comment:m9" || got[1].Key != "comment:m5" {
		t.Errorf("Ilo's notifications = %+v, want the mention in w2 after he joined, then the reply of m5", got)
	}

	// A character's post naming a person tells them.
	createPost(t, s, generia.Post{ID: "p2", WorldID: "w1", CharacterID: "c1", Caption: "Dawn with @ilo and @mara_c", CreatedAt: min(11)})
	got = notices(t, s, "u-mara")
	if len(got) == 0 || noticeOf(got[0]) != (notice{Kind: generia.NotifyMention, Key: "post:p2", Group: "post:p2", Post: "p2", Character: "cm",
		ActorCharacter: "c1", Actor: "User c1"}) {
		t.Errorf("Mara's newest notification = %+v, want the mention of her character in post p2", got)
	}
}

// A like tells the post's author once, however often it is undone and
// done again; their own like does not.
func testNotifyLikes(t *testing.T, s generia.Store) {
	seedNotices(t, s)
	ctx := t.Context()
	like(t, s, "pm", "u-mara", at(time.Minute))
	like(t, s, "pm", "u-ilo", at(2*time.Minute))
	like(t, s, "pm", "u-ilo", at(3*time.Minute))
	_, err := s.Unlike(ctx, "pm", "u-ilo")
	ok(t, err, "Unlike")
	like(t, s, "pm", "u-ilo", at(4*time.Minute))
	_, err = s.LikeAsCharacter(ctx, "pm", "c1", at(5*time.Minute))
	ok(t, err, "LikeAsCharacter")
	like(t, s, "p1", "u-ilo", at(6*time.Minute)) // an AI post: nobody to tell
	wantNotices(t, s, "u-mara", "likes of her post",
		notice{Kind: generia.NotifyLike, Key: "like:pm:c1", Group: "like:pm", Post: "pm", Character: "cm", ActorCharacter: "c1", Actor: "User c1"},
		notice{Kind: generia.NotifyLike, Key: "like:pm:u-ilo", Group: "like:pm", Post: "pm", Character: "cm", ActorUser: "u-ilo", Actor: "ilo"})
	wantNotices(t, s, "u-owner", "the world's owner")
}

// A held comment tells nobody until it is shown; a comment hidden,
// deleted, or on a post deleted, is no longer listed or counted.
func testNotifyHeldComment(t *testing.T, s generia.Store) {
	seedNotices(t, s)
	ctx := t.Context()
	sub := generia.Subject{Type: generia.SubjectComment, ID: "m1"}
	comment(t, s, generia.Comment{ID: "m1", PostID: "pm", UserID: "u-ilo", Text: "Held back", CreatedAt: at(time.Minute),
		Review: generia.Review{State: generia.ReviewHeld}})
	wantNotices(t, s, "u-mara", "a held comment")
	ok(t, s.SetReview(ctx, sub, generia.Review{State: generia.ReviewHeld, Reason: "still unsure"}), "SetReview held again")
	wantNotices(t, s, "u-mara", "a comment held again")
	ok(t, s.SetReview(ctx, sub, generia.Review{}), "SetReview shown")
	shown := notice{Kind: generia.NotifyComment, Key: "comment:m1", Group: "comment:pm", Post: "pm", Comment: "m1", Character: "cm",
		ActorUser: "u-ilo", Actor: "ilo"}
	wantNotices(t, s, "u-mara", "the comment released", shown)
	ok(t, s.SetReview(ctx, sub, generia.Review{State: generia.ReviewHidden}), "SetReview hidden")
	wantNotices(t, s, "u-mara", "the comment hidden")
	ok(t, s.SetReview(ctx, sub, generia.Review{}), "SetReview shown again")
	wantNotices(t, s, "u-mara", "the comment shown again", shown)
	ok(t, s.DeleteComment(ctx, "m1"), "DeleteComment")
	wantNotices(t, s, "u-mara", "the comment deleted")

	// A deleted place that keeps its thread is not listed either.
	comment(t, s, generia.Comment{ID: "m2", PostID: "pm", UserID: "u-ilo", Text: "Again", CreatedAt: at(2 * time.Minute)})
	comment(t, s, generia.Comment{ID: "m3", PostID: "pm", UserID: "u-mara", ParentID: "m2", Text: "Yes?", CreatedAt: at(3 * time.Minute)})
	ok(t, s.DeleteComment(ctx, "m2"), "DeleteComment with a reply")
	wantNotices(t, s, "u-mara", "a deleted place")
	wantNotices(t, s, "u-ilo", "the reply to the deleted place",
		notice{Kind: generia.NotifyReply, Key: "comment:m3", Group: "reply:m2", Post: "pm", Comment: "m3", ActorUser: "u-mara", Actor: "mara"})
	like(t, s, "pm", "u-ilo", at(4*time.Minute))
	ok(t, s.SetReview(ctx, generia.Subject{Type: generia.SubjectPost, ID: "pm"}, generia.Review{State: generia.ReviewHidden}), "hiding the post")
	wantNotices(t, s, "u-mara", "a like of a hidden post")
	ok(t, s.DeletePost(ctx, "pm"), "DeletePost")
	wantNotices(t, s, "u-ilo", "a reply on a deleted post")
}

// A member of a private world removed from it no longer sees its
// notifications; back, they are there again. A deleted world's go.
func testNotifyWorldAccess(t *testing.T, s generia.Store) {
	for _, name := range []string{"owner", "ilo"} {
		newUser(t, s, name)
	}
	ctx := t.Context()
	w, _ := newWorld(t, s, "w2", func(w *generia.World, _ *generia.GenerationStatus) {
		w.OwnerID, w.Visibility = "u-owner", generia.VisibilityPrivate
	})
	c := createCharacter(t, s, newCharacter("c2", w.ID, 0))
	createPost(t, s, newPost("q1", c, t0))
	ok(t, s.JoinWorld(ctx, w.ID, "u-ilo", at(time.Minute)), "JoinWorld")
	comment(t, s, generia.Comment{ID: "m1", PostID: "q1", CharacterID: "c2", IsAI: true, Text: "Hello @ilo", CreatedAt: at(2 * time.Minute)})
	got := notices(t, s, "u-ilo")
	if len(got) != 1 || got[0].Key != "comment:m1" {
		t.Fatalf("Ilo's notifications = %+v, want the mention", got)
	}
	id := got[0].ID
	ok(t, s.LeaveWorld(ctx, w.ID, "u-ilo"), "LeaveWorld")
	wantNotices(t, s, "u-ilo", "removed from the private world")
	since, err := s.NotificationsSince(ctx, t0, 100)
	ok(t, err, "NotificationsSince")
	for _, n := range since {
		if n.UserID == "u-ilo" {
			t.Errorf("NotificationsSince has Ilo's notification of a world he left: %+v", n)
		}
	}
	ok(t, s.JoinWorld(ctx, w.ID, "u-ilo", at(3*time.Minute)), "JoinWorld again")
	if got := notices(t, s, "u-ilo"); len(got) != 1 {
		t.Errorf("Ilo's notifications back in the world = %+v, want the mention", got)
	}
	wantNotices(t, s, "u-owner", "the owner told once of Ilo, who joined twice", notice{Kind: generia.NotifyJoined,
		Key: "joined:w2:u-ilo", Group: "joined:w2", ActorUser: "u-ilo", Actor: "ilo"})

	_, err = s.DeleteWorld(ctx, w.ID)
	ok(t, err, "DeleteWorld")
	_, err = s.Notification(ctx, id)
	wantKind(t, err, generia.KindNotFound, "a notification of a deleted world")
	wantNotices(t, s, "u-owner", "the deleted world's owner")
}

// A kind a person turned off is not written, not even later once they
// turn it on; the others are.
func testNotifyMuted(t *testing.T, s generia.Store) {
	seedNotices(t, s)
	ctx := t.Context()
	ok(t, s.SetMutedKinds(ctx, "u-mara", []string{generia.NotifyLike, generia.NotifyJoined, generia.NotifyLike}), "SetMutedKinds")
	muted, err := s.MutedKinds(ctx, "u-mara")
	ok(t, err, "MutedKinds")
	same(t, "muted kinds", muted, []string{generia.NotifyLike, generia.NotifyJoined})
	wantKind(t, s.SetMutedKinds(ctx, "u-mara", []string{"likes"}), generia.KindInvalid, "muting an unknown kind")
	wantKind(t, s.SetMutedKinds(ctx, "u-nobody", nil), generia.KindNotFound, "muting for an unknown user")
	muted, err = s.MutedKinds(ctx, "u-mara")
	ok(t, err, "MutedKinds")
	same(t, "muted kinds after a refused change", muted, []string{generia.NotifyLike, generia.NotifyJoined})

	like(t, s, "pm", "u-ilo", at(time.Minute))
	stored, err := s.Notify(ctx, generia.Notification{UserID: "u-mara", Kind: generia.NotifyLike, Key: "like:x"})
	ok(t, err, "Notify of a muted kind")
	if stored {
		t.Error("Notify stored a notification of a muted kind")
	}
	comment(t, s, generia.Comment{ID: "m1", PostID: "pm", UserID: "u-ilo", Text: "Hi", CreatedAt: at(2 * time.Minute)})
	got := notices(t, s, "u-mara")
	if len(got) != 1 || got[0].Kind != generia.NotifyComment {
		t.Errorf("Mara's notifications = %+v, want only the comment", got)
	}
	ok(t, s.SetMutedKinds(ctx, "u-mara", nil), "SetMutedKinds none")
	if muted, _ := s.MutedKinds(ctx, "u-mara"); len(muted) != 0 {
		t.Errorf("muted kinds after turning all on = %v", muted)
	}
}

// Marking read is all or nothing: another person's ID marks nothing.
func testMarkNotificationsRead(t *testing.T, s generia.Store) {
	for _, name := range []string{"mara", "ilo"} {
		newUser(t, s, name)
	}
	ctx := t.Context()
	for i, n := range []generia.Notification{
		{ID: "n1", UserID: "u-mara", Kind: generia.NotifyInvitation, Key: "a", CreatedAt: at(time.Second)},
		{ID: "n2", UserID: "u-mara", Kind: generia.NotifyInvitation, Key: "b", CreatedAt: at(2 * time.Second)},
		{ID: "n3", UserID: "u-ilo", Kind: generia.NotifyInvitation, Key: "a", CreatedAt: at(3 * time.Second)},
	} {
		stored, err := s.Notify(ctx, n)
		ok(t, err, fmt.Sprint("Notify ", i))
		if !stored {
			t.Errorf("Notify %s reported not stored", n.ID)
		}
	}
	_, err := s.MarkNotificationsRead(ctx, "u-mara", []string{"n1", "n3"}, false, at(time.Hour))
	wantKind(t, err, generia.KindNotFound, "marking another's notification")
	_, err = s.MarkNotificationsRead(ctx, "u-mara", []string{"n1", "n-none"}, false, at(time.Hour))
	wantKind(t, err, generia.KindNotFound, "marking an unknown notification")
	if n := unread(t, s, "u-mara"); n != 2 {
		t.Errorf("Mara's unread after refused marks = %d, want 2", n)
	}
	if n := unread(t, s, "u-ilo"); n != 1 {
		t.Errorf("Ilo's unread after Mara's refused mark = %d, want 1", n)
	}
	marked, err := s.MarkNotificationsRead(ctx, "u-mara", []string{"n1", "n1"}, false, at(time.Hour))
	ok(t, err, "MarkNotificationsRead")
	if marked != 1 || unread(t, s, "u-mara") != 1 {
		t.Errorf("marked %d, unread %d; want 1 and 1", marked, unread(t, s, "u-mara"))
	}
	marked, err = s.MarkNotificationsRead(ctx, "u-mara", []string{"n1"}, false, at(2*time.Hour))
	ok(t, err, "MarkNotificationsRead again")
	if marked != 0 {
		t.Errorf("marking a read notification again marked %d", marked)
	}
	marked, err = s.MarkNotificationsRead(ctx, "u-mara", nil, true, at(3*time.Hour))
	ok(t, err, "MarkNotificationsRead all")
	if marked != 1 || unread(t, s, "u-mara") != 0 || unread(t, s, "u-ilo") != 1 {
		t.Errorf("marking all marked %d; unread %d and Ilo's %d, want 1, 0, 1", marked, unread(t, s, "u-mara"), unread(t, s, "u-ilo"))
	}
	n1, err := s.Notification(ctx, "n1")
	ok(t, err, "Notification")
	if n1.ReadAt == nil || !n1.ReadAt.Equal(at(time.Hour)) {
		t.Errorf("n1 read at %v, want its first marking %v", n1.ReadAt, at(time.Hour))
	}
}

// Notify stores one per key, refuses bad input; the lists page newest first
// and NotificationsSince reads oldest first.
func testNotify(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	ctx := t.Context()
	n := generia.Notification{ID: "n0", UserID: "u-mara", Kind: generia.NotifyInvitation, Key: "invitation:w9", WorldID: "",
		InvitationHash: "hash", ActorUserID: "u-owner", ActorName: "owner", Text: "Come", CreatedAt: at(time.Second)}
	stored, err := s.Notify(ctx, n)
	ok(t, err, "Notify")
	got, err := s.Notification(ctx, "n0")
	ok(t, err, "Notification")
	want := n
	want.Group = n.Key
	if !stored {
		t.Error("Notify reported not stored")
	}
	same(t, "the stored notification", got, want)
	again := n
	again.ID, again.Text = "n-again", "Again"
	if stored, err := s.Notify(ctx, again); err != nil || stored {
		t.Errorf("Notify of a stored key = %v, %v; want not stored", stored, err)
	}
	_, err = s.Notify(ctx, generia.Notification{UserID: "u-nobody", Kind: generia.NotifyLike, Key: "k"})
	wantKind(t, err, generia.KindNotFound, "Notify of an unknown user")
	_, err = s.Notify(ctx, generia.Notification{UserID: "u-mara", Kind: "likes", Key: "k"})
	wantKind(t, err, generia.KindInvalid, "Notify of an unknown kind")
	_, err = s.Notify(ctx, generia.Notification{UserID: "u-mara", Kind: generia.NotifyLike})
	wantKind(t, err, generia.KindInvalid, "Notify without a key")

	for i := 1; i <= 4; i++ {
		_, err := s.Notify(ctx, generia.Notification{ID: fmt.Sprint("n", i), UserID: "u-mara", Kind: generia.NotifyLike,
			Key: fmt.Sprint("k", i), CreatedAt: at(time.Duration(i+1) * time.Second)})
		ok(t, err, "Notify")
	}
	list, sizes := allPages(t, 2, func(p generia.Page) ([]generia.Notification, string, error) {
		return s.Notifications(ctx, "u-mara", p)
	})
	same(t, "pages newest first", ids(list, func(n generia.Notification) string { return n.ID }), []string{"n4", "n3", "n2", "n1", "n0"})
	same(t, "page sizes", sizes, []int{2, 2, 1})
	_, _, err = s.Notifications(ctx, "u-mara", generia.Page{Cursor: "nonsense"})
	wantKind(t, err, generia.KindInvalid, "a malformed cursor")
	since, err := s.NotificationsSince(ctx, at(2*time.Second), 2)
	ok(t, err, "NotificationsSince")
	same(t, "since, oldest first", ids(since, func(n generia.Notification) string { return n.ID }), []string{"n2", "n3"})
}

// Joining, a status reaching its end, a strike and an appeal's answer tell
// their person once.
func testNotifyEvents(t *testing.T, s generia.Store) {
	for _, name := range []string{"owner", "mara", "ilo"} {
		newUser(t, s, name)
	}
	ctx := t.Context()
	w, _ := newWorld(t, s, "w1", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID, w.Name = "u-owner", "Tidewater" })
	ok(t, s.JoinWorld(ctx, w.ID, "u-owner", at(time.Second)), "the owner joins")
	for range 2 {
		ok(t, s.JoinWorld(ctx, w.ID, "u-ilo", at(2*time.Second)), "JoinWorld")
	}
	ok(t, s.CreateInvitation(ctx, invitation("i1", w.ID, 24, 2), "hash-1"), "CreateInvitation")
	_, err := s.AcceptInvitation(ctx, "hash-1", "u-mara", at(3*time.Second))
	ok(t, err, "AcceptInvitation")
	for range 2 {
		_, err := s.FinishGeneration(ctx, w.ID, generia.StatusCompleted, "", "", at(time.Hour))
		ok(t, err, "FinishGeneration")
	}
	wantNotices(t, s, "u-owner", "joins and the end",
		notice{Kind: generia.NotifyWorldCompleted, Key: "world:w1:completed", Group: "world:w1:completed"},
		notice{Kind: generia.NotifyJoined, Key: "joined:w1:u-mara", Group: "joined:w1", ActorUser: "u-mara", Actor: "mara"},
		notice{Kind: generia.NotifyJoined, Key: "joined:w1:u-ilo", Group: "joined:w1", ActorUser: "u-ilo", Actor: "ilo"})
	if got := notices(t, s, "u-owner"); got[0].Text != "Tidewater" || got[0].WorldID != w.ID {
		t.Errorf("the end's text, world = %q, %q; want the world's name and ID", got[0].Text, got[0].WorldID)
	}
	failed, _ := newWorld(t, s, "w2", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID = "u-ilo" })
	for range 2 {
		_, err := s.FinishGeneration(ctx, failed.ID, generia.StatusFailed, "boom", "It failed", at(time.Hour))
		ok(t, err, "FinishGeneration failed")
	}
	cancelled, _ := newWorld(t, s, "w3", func(w *generia.World, _ *generia.GenerationStatus) { w.OwnerID = "u-ilo" })
	_, err = s.FinishGeneration(ctx, cancelled.ID, generia.StatusCancelled, "", "", at(time.Hour))
	ok(t, err, "FinishGeneration cancelled")
	wantNotices(t, s, "u-ilo", "a failed and a cancelled world",
		notice{Kind: generia.NotifyWorldFailed, Key: "world:w2:failed", Group: "world:w2:failed"})

	st, err := s.AddStrike(ctx, generia.Strike{ID: "s1", UserID: "u-mara", Action: generia.ActionWarn, Reason: "spam",
		CreatedAt: at(2 * time.Hour)}, generia.AuditEntry{Actor: "u-owner"})
	ok(t, err, "AddStrike")
	_, err = s.AppealStrike(ctx, st.ID, "it was not", at(3*time.Hour))
	ok(t, err, "AppealStrike")
	_, err = s.DecideAppeal(ctx, st.ID, true, "u-owner", "fair enough", at(4*time.Hour))
	ok(t, err, "DecideAppeal")
	got := notices(t, s, "u-mara")
	if len(got) != 2 || noticeOf(got[0]) != (notice{Kind: generia.NotifyAppeal, Key: "appeal:s1", Group: "appeal:s1"}) ||
		noticeOf(got[1]) != (notice{Kind: generia.NotifyStrike, Key: "strike:s1", Group: "strike:s1"}) ||
		got[0].StrikeID != "s1" || got[1].StrikeID != "s1" || got[1].Text != "spam" {
		t.Errorf("Mara's notifications = %+v, want the appeal's answer and the strike", got)
	}
}
