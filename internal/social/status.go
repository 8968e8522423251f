package social

import (
	"context"

	"github.com/generia/generia/internal/generia"
)

// Status returns the status record of a world the viewer may see; its
// error in detail only for the owner (see forViewer).
func (s *Service) Status(ctx context.Context, viewerID, ref string) (generia.GenerationStatus, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return generia.GenerationStatus{}, err
	}
	st, err := s.Store.GenerationStatus(ctx, w.ID)
	return forViewer(st, w.OwnerID, viewerID), err
}

// WatchStatus streams the status record of a world the viewer may see, as
// Status reads it (the error in detail for the owner only): the record as
// it is now, then again every StatusPoll while the generation runs. The
// stream ends after the generation has ended, or, with nothing more, when
// the viewer loses access to the world (made private, deleted, left) or
// ctx ends. Open streams are capped as Watch's are.
func (s *Service) WatchStatus(ctx context.Context, viewerID, address, ref string) (*Stream[generia.GenerationStatus], error) {
	release, err := s.opening(viewerID, address)
	if err != nil {
		return nil, err
	}
	st, err := s.Status(ctx, viewerID, ref)
	if err != nil {
		release()
		return nil, err
	}
	sub := &subscriber{viewerID: viewerID, address: address, status: newStream[generia.GenerationStatus](true)}
	sub.status.push(st)
	if generia.IsTerminal(st.Status) {
		release()
		sub.status.end(false)
		return sub.status, nil
	}
	s.join(ctx, st.WorldID, sub)
	return sub.status, nil
}

// forViewer is a status record as a viewer may read it: the owner reads
// why the generation failed in detail, anyone else its public form (what
// failed and the class of why). A record from before public errors were
// kept has none, and shows no detail either.
func forViewer(st generia.GenerationStatus, ownerID, viewerID string) generia.GenerationStatus {
	if viewerID == "" || viewerID != ownerID {
		st.Error = st.PublicError
		if st.Error == "" && st.Status == generia.StatusFailed {
			st.Error = "the generation failed"
		}
	}
	return st
}
