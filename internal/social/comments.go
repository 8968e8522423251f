package social

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/generia"
)

// Comments lists a post's comments, oldest first.
func (s *Service) Comments(ctx context.Context, viewerID, ref, postID string, page generia.Page) ([]generia.Comment, string, error) {
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return nil, "", err
	}
	w, err := s.ref(ctx, p.WorldID)
	if err != nil {
		return nil, "", err
	}
	comments, next, err := s.Store.ListComments(ctx, p.ID, page.Normalize())
	if err != nil {
		return nil, "", err
	}
	comments, err = s.seenComments(ctx, viewerID, w, comments)
	return comments, next, err
}

// DeleteComment deletes a comment: its author's, or any in a world the
// viewer owns or co-owns. One that has replies stays as a deleted place in
// its thread.
func (s *Service) DeleteComment(ctx context.Context, viewerID, ref, postID, commentID string) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return err
	}
	c, err := s.Store.Comment(ctx, commentID)
	if err == nil && (c.PostID != p.ID || c.Deleted) {
		err = generia.Errorf(generia.KindNotFound, "comment %s not found on this post", commentID)
	}
	if err != nil {
		return err
	}
	if c.UserID != viewerID {
		w, err := s.ref(ctx, p.WorldID)
		if err != nil {
			return err
		}
		ok, err := s.stewards(ctx, w, viewerID)
		if err != nil {
			return err
		}
		if !ok {
			return generia.Errorf(generia.KindForbidden, "you can delete only your own comments")
		}
	}
	defer s.feeds.changed(p.WorldID)
	return s.Store.DeleteComment(ctx, c.ID)
}

// NewComment is a person's comment: as themselves, or as one of their
// characters in the world (CharacterID), possibly answering another
// comment of the same post (ParentID).
type NewComment struct {
	Text        string `json:"text"`
	CharacterID string `json:"character_id"`
	ParentID    string `json:"parent_id"`
}

// AddedComment is a comment just made, with what its author may expect of
// the world's characters.
type AddedComment struct {
	generia.Comment
	Answer Answer
}

// AddComment adds the viewer's comment to a post of a world they can see,
// and tells the world's life, whose characters answer it; the answer says
// whether and when they will. A reply (ParentID) answers a comment the
// viewer sees, not deleted, under the same post.
func (s *Service) AddComment(ctx context.Context, viewerID, ref, postID string, nc NewComment) (AddedComment, error) {
	if err := signedIn(viewerID); err != nil {
		return AddedComment{}, err
	}
	text := strings.TrimSpace(nc.Text)
	if text == "" || utf8.RuneCountInString(text) > MaxCommentLength {
		return AddedComment{}, generia.FieldErrorf("text", "a comment is 1 to %d characters", MaxCommentLength)
	}
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return AddedComment{}, err
	}
	w, err := s.ref(ctx, p.WorldID)
	if err != nil {
		return AddedComment{}, err
	}
	if err := w.open(); err != nil {
		return AddedComment{}, err
	}
	if err := s.active(ctx, viewerID); err != nil {
		return AddedComment{}, err
	}
	if err := s.answerable(ctx, viewerID, w, p.ID, nc.ParentID); err != nil {
		return AddedComment{}, err
	}
	if nc.CharacterID != "" {
		if ch, err := s.Store.Character(ctx, nc.CharacterID); err == nil && ch.Silenced {
			return AddedComment{}, generia.Errorf(generia.KindForbidden, "@%s is silenced by moderators", ch.Username)
		}
	}
	review, verdict, err := s.checkContent(ctx, generia.CheckComment, text, "", viewerID)
	if err != nil {
		return AddedComment{}, err
	}
	defer s.feeds.changed(p.WorldID)
	c, err := s.Store.AddComment(ctx, generia.Comment{ID: uuid.NewString(), PostID: p.ID, UserID: viewerID,
		CharacterID: nc.CharacterID, ParentID: nc.ParentID, Text: text, Review: review, CreatedAt: s.now()})
	if err != nil {
		return AddedComment{Comment: c}, err
	}
	s.held(ctx, generia.Snapshot{Subject: generia.Subject{Type: generia.SubjectComment, ID: c.ID}, WorldID: p.WorldID, AuthorID: viewerID,
		Text: text, TakenAt: s.now()}, review, verdict)
	var answer Answer
	if review.Visible() {
		answer = s.tellLife(ctx, p.WorldID, c.ID) // a held comment wakes no one
	}
	c, err = s.Store.Comment(ctx, c.ID)
	return AddedComment{Comment: c, Answer: answer}, err
}
