package storetest

import (
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// A deleted comment with replies stays as a place in its thread, with no
// text and no speaker, no longer counted; a comment without replies goes;
// the last reply to a deleted place deleted, the place goes too.
func testDeletedThread(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	p := seedPost(t, s)
	ctx := t.Context()
	for _, c := range []generia.Comment{
		{ID: "m1", PostID: p.ID, UserID: "u-mara", Text: "Who lit the lanterns?", CreatedAt: at(time.Minute)},
		{ID: "m2", PostID: p.ID, CharacterID: "c1", IsAI: true, ParentID: "m1", Text: "Mara did.", CreatedAt: at(2 * time.Minute)},
		{ID: "m3", PostID: p.ID, UserID: "u-mara", ParentID: "m2", Text: "Did I?", CreatedAt: at(3 * time.Minute)},
		{ID: "m4", PostID: p.ID, UserID: "u-mara", Text: "Alone.", CreatedAt: at(4 * time.Minute)},
	} {
		_, err := s.AddComment(ctx, c)
		ok(t, err, "AddComment "+c.ID)
	}

	ok(t, s.DeleteComment(ctx, "m1"), "DeleteComment of a comment with a reply")
	ok(t, s.DeleteComment(ctx, "m4"), "DeleteComment of a comment without replies")
	got, _, err := s.ListComments(ctx, p.ID, generia.Page{})
	ok(t, err, "ListComments")
	want := []generia.Comment{{ID: "m1", PostID: p.ID, CreatedAt: at(time.Minute), Deleted: true}}
	if len(got) != 3 {
		t.Fatalf("ListComments after the deletes = %+v, want m1 (deleted), m2, m3", got)
	}
	same(t, "the deleted place", got[0], want[0])
	if got[1].ID != "m2" || got[1].ParentID != "m1" || got[1].Deleted || got[2].ID != "m3" || got[2].ParentID != "m2" {
		t.Errorf("replies after their parent was deleted = %+v, want m2 answering m1 and m3 answering m2", got[1:])
	}
	c, err := s.Comment(ctx, "m1")
	ok(t, err, "Comment of the deleted place")
	same(t, "Comment of the deleted place", c, want[0])
	if n := commentCount(t, s, p.ID); n != 2 {
		t.Errorf("CommentsCount = %d, want 2 (the deleted place is not counted)", n)
	}
	wantKind(t, s.DeleteComment(ctx, "m1"), generia.KindNotFound, "DeleteComment of a comment already deleted")
	if n := commentCount(t, s, p.ID); n != 2 {
		t.Errorf("CommentsCount after deleting it again = %d, want 2", n)
	}

	// m2 has a reply too: it stays; m3, the last reply, goes and takes
	// the places it kept (m2, then m1) with it.
	ok(t, s.DeleteComment(ctx, "m2"), "DeleteComment of a reply with a reply")
	ok(t, s.DeleteComment(ctx, "m3"), "DeleteComment of the last reply")
	got, _, err = s.ListComments(ctx, p.ID, generia.Page{})
	ok(t, err, "ListComments")
	if len(got) != 0 {
		t.Errorf("ListComments after the last reply was deleted = %+v, want none", got)
	}
	if n := commentCount(t, s, p.ID); n != 0 {
		t.Errorf("CommentsCount = %d, want 0", n)
	}
}

// A reply to a deleted comment is refused and stores nothing; a deleted
// place is not counted back when a moderator reviews it.
func testReplyToDeleted(t *testing.T, s generia.Store) {
	newUser(t, s, "mara")
	p := seedPost(t, s)
	ctx := t.Context()
	for _, c := range []generia.Comment{
		{ID: "m1", PostID: p.ID, UserID: "u-mara", Text: "Hi"},
		{ID: "m2", PostID: p.ID, UserID: "u-mara", ParentID: "m1", Text: "Again"},
	} {
		_, err := s.AddComment(ctx, c)
		ok(t, err, "AddComment "+c.ID)
	}
	ok(t, s.DeleteComment(ctx, "m1"), "DeleteComment")
	_, err := s.AddComment(ctx, generia.Comment{ID: "m3", PostID: p.ID, UserID: "u-mara", ParentID: "m1", Text: "Hello?"})
	wantKind(t, err, generia.KindInvalid, "AddComment answering a deleted comment")
	_, err = s.Comment(ctx, "m3")
	wantKind(t, err, generia.KindNotFound, "the refused reply")
	sub := generia.Subject{Type: generia.SubjectComment, ID: "m1"}
	ok(t, s.SetReview(ctx, sub, generia.Review{State: generia.ReviewHidden}), "hiding the deleted place")
	ok(t, s.SetReview(ctx, sub, generia.Review{}), "showing the deleted place")
	if n := commentCount(t, s, p.ID); n != 1 {
		t.Errorf("CommentsCount = %d, want 1 (only the reply)", n)
	}
}
