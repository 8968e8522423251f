package social

import (
	"context"

	"github.com/generia/generia/internal/generia"
)

// answerable checks that a person may answer the comment parentID under
// post postID of world w: it is under that post, not deleted (KindInvalid
// on parent_id), and the viewer sees it. A comment they may not see, or
// under another post, is one that is not there (KindNotFound), so that a
// reply tells nothing of held or hidden ones, or of other worlds.
func (s *Service) answerable(ctx context.Context, viewerID string, w worldRef, postID, parentID string) error {
	if parentID == "" {
		return nil
	}
	c, err := s.Store.Comment(ctx, parentID)
	if err != nil {
		return err
	}
	seen, err := s.seenComments(ctx, viewerID, w, []generia.Comment{c})
	switch {
	case err != nil:
		return err
	case len(seen) == 0 || c.PostID != postID:
		// Under another post it may be in a world the viewer may not
		// see: it is not there, as far as this post goes.
		return generia.Errorf(generia.KindNotFound, "comment %s not found under this post", parentID)
	case c.Deleted:
		return generia.FieldErrorf("parent_id", "the comment you answer was deleted")
	}
	return nil
}
