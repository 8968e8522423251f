package social

import (
	"testing"

	"github.com/generia/generia/internal/generia"
)

// A reply answers a comment the person sees, not deleted, under the same
// post; anything else is refused with nothing stored, and tells nothing of
// comments they may not see.
func TestRepliesAnswerOnlyCommentsTheySee(t *testing.T) {
	s, ctx := trustTown(t, &markers{})
	held, err := s.AddComment(ctx, member, public, postOf(public), NewComment{Text: "buy now spamword"})
	if err != nil || held.Review.State != generia.ReviewHeld {
		t.Fatalf("the held comment: %+v, %v", held.Review, err)
	}
	if _, _, err := s.Store.CreatePost(ctx, generia.Post{ID: "post-pub-2", WorldID: public, CharacterID: aiCharacter(public), Caption: "Noon", CreatedAt: s.now()}); err != nil {
		t.Fatal(err)
	}
	// ada's comment gets bea's reply, then ada deletes hers.
	if _, err := s.AddComment(ctx, member, public, postOf(public), NewComment{Text: "Hi Ada", ParentID: commentOf(owner, public)}); err != nil {
		t.Fatal("a reply to a comment seen:", err)
	}
	if err := s.DeleteComment(ctx, owner, public, postOf(public), commentOf(owner, public)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, who, post, parent string
		want                    generia.Kind
		field                   string
	}{
		{"a held comment, by someone who cannot see it", owner, postOf(public), held.ID, notFound, ""},
		{"a deleted comment", member, postOf(public), commentOf(owner, public), invalid, "parent_id"},
		{"a comment of another post", member, "post-pub-2", commentOf(member, public), notFound, ""},
		{"a comment of a private world", stranger, postOf(public), commentOf(member, private), notFound, ""},
		{"an unknown comment", member, postOf(public), "comment-nowhere", notFound, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := commentsOf(t, s, tc.who, tc.post)
			_, err := s.AddComment(ctx, tc.who, public, tc.post, NewComment{Text: "Answer", ParentID: tc.parent})
			if kindOf(err) != tc.want || generia.ErrorField(err) != tc.field {
				t.Errorf("AddComment answering %s = %v (field %q), want %s (field %q)", tc.parent, err, generia.ErrorField(err), tc.want, tc.field)
			}
			if after := commentsOf(t, s, tc.who, tc.post); len(after) != len(before) {
				t.Errorf("a refused reply changed the comments: %d, then %d", len(before), len(after))
			}
		})
	}
	// Its author may answer their own held comment.
	if _, err := s.AddComment(ctx, member, public, postOf(public), NewComment{Text: "More", ParentID: held.ID}); err != nil {
		t.Errorf("the author answering their held comment: %v", err)
	}
}

// A deleted comment with replies is listed as deleted, with no text or
// speaker, before the reply that answers it; deleting it again is refused.
func TestDeletedCommentKeepsItsThread(t *testing.T) {
	s, ctx := trustTown(t, &markers{})
	reply, err := s.AddComment(ctx, member, public, postOf(public), NewComment{Text: "Hi Ada", ParentID: commentOf(owner, public)})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteComment(ctx, owner, public, postOf(public), commentOf(owner, public)); err != nil {
		t.Fatal(err)
	}
	got := commentsOf(t, s, stranger, postOf(public))
	var place *generia.Comment
	for i, c := range got {
		if c.ID == commentOf(owner, public) {
			place = &got[i]
		}
	}
	if place == nil || !place.Deleted || place.Text != "" || place.UserID != "" || place.Username != "" {
		t.Fatalf("the deleted comment with a reply is listed as %+v, want a deleted place", place)
	}
	if err := s.DeleteComment(ctx, owner, public, postOf(public), commentOf(owner, public)); kindOf(err) != notFound {
		t.Errorf("deleting the deleted place again = %v, want not found", err)
	}
	if c, err := s.Store.Comment(ctx, reply.ID); err != nil || c.ParentID != commentOf(owner, public) {
		t.Errorf("the reply after its parent was deleted = %+v, %v; want it answering the deleted place", c, err)
	}
}

func commentsOf(t *testing.T, s *Service, who, postID string) []generia.Comment {
	t.Helper()
	list, _, err := s.Comments(t.Context(), who, public, postID, generia.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return list
}
