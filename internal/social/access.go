package social

import (
	"context"

	"github.com/generia/generia/internal/generia"
)

// worldRef is what access checks need of a world.
type worldRef struct {
	ID, OwnerID, Visibility string
	// Review is the world's moderation state; Frozen whether moderators
	// froze it.
	Review generia.Review
	Frozen bool
}

// ref returns a world's ref, read at each check: a world its owner makes
// private is hidden at once from every process, and a deleted one is gone.
func (s *Service) ref(ctx context.Context, id string) (worldRef, error) {
	w, err := s.Store.World(ctx, id)
	if err != nil {
		return worldRef{}, err
	}
	return refOf(w), nil
}

// refOf is a world's ref.
func refOf(w generia.World) worldRef {
	return worldRef{ID: w.ID, OwnerID: w.OwnerID, Visibility: w.Visibility, Review: w.Review, Frozen: w.Frozen}
}

// visible returns the ref of a world the viewer may see.
func (s *Service) visible(ctx context.Context, viewerID, ref string) (worldRef, error) {
	id := generia.WorldIDFromRef(ref)
	w, err := s.ref(ctx, id)
	if err != nil {
		return w, err
	}
	ok, err := s.mayView(ctx, w, viewerID)
	if err != nil {
		return worldRef{}, err
	}
	if !ok {
		return worldRef{}, generia.Errorf(generia.KindNotFound, "world %s not found", id)
	}
	return w, nil
}

// mayView is the rule of who sees a world: anyone a public one, its owner
// and members a private one; a world held or hidden by moderation its
// owner and moderators only. Pages and every event a stream sends go
// through it.
func (s *Service) mayView(ctx context.Context, w worldRef, viewerID string) (bool, error) {
	if !w.Review.Visible() {
		return s.sees(ctx, viewerID, w.Review, w.OwnerID)
	}
	if w.Visibility != generia.VisibilityPrivate || w.OwnerID == viewerID {
		return true, nil
	}
	if viewerID == "" {
		return false, nil
	}
	return s.Store.IsMember(ctx, w.ID, viewerID)
}

// signedIn refuses visitors.
func signedIn(viewerID string) error {
	if viewerID == "" {
		return generia.Errorf(generia.KindUnauthorized, "sign in first")
	}
	return nil
}

// owned returns a world the viewer may see and owns.
func (s *Service) owned(ctx context.Context, viewerID, ref, what string) (worldRef, error) {
	if err := signedIn(viewerID); err != nil {
		return worldRef{}, err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return w, err
	}
	if w.OwnerID != viewerID {
		return worldRef{}, generia.Errorf(generia.KindForbidden, "only the world's creator can %s it", what)
	}
	return w, nil
}

// steward returns a world the viewer may see and looks after: its owner, or
// a co-owner of its life settings and moderation.
func (s *Service) steward(ctx context.Context, viewerID, ref, what string) (worldRef, error) {
	if err := signedIn(viewerID); err != nil {
		return worldRef{}, err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return w, err
	}
	ok, err := s.stewards(ctx, w, viewerID)
	if err != nil {
		return worldRef{}, err
	}
	if !ok {
		return worldRef{}, generia.Errorf(generia.KindForbidden, "only the world's creator and its co-owners can %s it", what)
	}
	return w, nil
}

// stewards reports whether the viewer owns or co-owns a world.
func (s *Service) stewards(ctx context.Context, w worldRef, viewerID string) (bool, error) {
	if viewerID == "" {
		return false, nil
	}
	if w.OwnerID == viewerID {
		return true, nil
	}
	return s.Store.IsCoOwner(ctx, w.ID, viewerID)
}

// open refuses new content in a world moderators froze.
func (w worldRef) open() error {
	if w.Frozen {
		return generia.Errorf(generia.KindForbidden, "this world is frozen by its moderators: it takes no new posts, comments or characters")
	}
	return nil
}

// member returns a world the viewer belongs to (owner or member).
func (s *Service) member(ctx context.Context, viewerID, ref string) (worldRef, error) {
	if err := signedIn(viewerID); err != nil {
		return worldRef{}, err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return w, err
	}
	ok, err := s.Store.IsMember(ctx, w.ID, viewerID)
	if err != nil {
		return w, err
	}
	if !ok {
		return worldRef{}, generia.Errorf(generia.KindForbidden, "join the world first")
	}
	return w, nil
}

// contributor returns a world the viewer belongs to and may add to: one
// moderators did not freeze, by a viewer they did not suspend.
func (s *Service) contributor(ctx context.Context, viewerID, ref string) (worldRef, error) {
	w, err := s.member(ctx, viewerID, ref)
	if err != nil {
		return w, err
	}
	if err := w.open(); err != nil {
		return w, err
	}
	return w, s.active(ctx, viewerID)
}

// active refuses a suspended account anything but reading and appealing.
func (s *Service) active(ctx context.Context, viewerID string) error {
	u, err := s.Store.UserByID(ctx, viewerID)
	if err != nil {
		return err
	}
	if u.Standing == generia.StandingSuspended {
		return generia.Errorf(generia.KindForbidden, "your account is suspended: you may read and appeal your strikes, nothing else")
	}
	return nil
}
