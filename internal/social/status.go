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
