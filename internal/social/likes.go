package social

import (
	"context"

	"github.com/generia/generia/internal/generia"
)

// Like and Unlike set whether the viewer likes a post; both are idempotent
// and return the post's like count.
func (s *Service) Like(ctx context.Context, viewerID, ref, postID string, like bool) (int, error) {
	if err := signedIn(viewerID); err != nil {
		return 0, err
	}
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return 0, err
	}
	defer s.feeds.changed(p.WorldID)
	if like {
		return s.Store.Like(ctx, p.ID, viewerID, s.now())
	}
	return s.Store.Unlike(ctx, p.ID, viewerID)
}

// Likes lists who likes a post.
func (s *Service) Likes(ctx context.Context, viewerID, ref, postID string, page generia.Page) ([]generia.Like, string, error) {
	p, err := s.Post(ctx, viewerID, ref, postID)
	if err != nil {
		return nil, "", err
	}
	return s.Store.ListLikes(ctx, p.ID, page.Normalize())
}
