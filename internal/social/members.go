package social

import "context"

// JoinWorld makes the viewer a member of a world they can see.
func (s *Service) JoinWorld(ctx context.Context, viewerID, ref string) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return err
	}
	return s.Store.JoinWorld(ctx, w.ID, viewerID, s.now())
}

// LeaveWorld ends the viewer's membership.
func (s *Service) LeaveWorld(ctx context.Context, viewerID, ref string) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return err
	}
	return s.Store.LeaveWorld(ctx, w.ID, viewerID)
}
