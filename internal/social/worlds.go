package social

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/generia/generia/internal/generia"
)

// WorldView is a world as a viewer sees it.
type WorldView struct {
	World  generia.World
	Status generia.GenerationStatus
	// IsOwner, IsMember and IsCoOwner (of the world's life settings and
	// moderation) describe the viewer.
	IsOwner, IsMember, IsCoOwner bool
}

// Moderates reports whether the viewer looks after the world: its owner
// or a co-owner, who delete any post or comment in it.
func (v WorldView) Moderates() bool { return v.IsOwner || v.IsCoOwner }

// World returns a world the viewer may see, with its status and the
// viewer's relation to it. ref may be a world ID or its workflow ID.
func (s *Service) World(ctx context.Context, viewerID, ref string) (WorldView, error) {
	r, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return WorldView{}, err
	}
	w, err := s.Store.World(ctx, r.ID)
	if err != nil {
		return WorldView{}, err
	}
	st, err := s.Store.GenerationStatus(ctx, w.ID)
	if err != nil {
		return WorldView{}, err
	}
	s.viewed(ctx, w.ID)
	v := WorldView{World: w, Status: forViewer(st, w.OwnerID, viewerID), IsOwner: viewerID != "" && w.OwnerID == viewerID}
	if viewerID != "" {
		if v.IsMember, err = s.Store.IsMember(ctx, w.ID, viewerID); err != nil {
			return WorldView{}, err
		}
	}
	if v.IsMember && !v.IsOwner {
		if v.IsCoOwner, err = s.Store.IsCoOwner(ctx, w.ID, viewerID); err != nil {
			return WorldView{}, err
		}
	}
	return v, nil
}

// WorldQuery is which worlds a list shows, and in which order: Scope is
// all, public, mine or joined; Status, if set, a generation status; Search,
// if set, words their name, description or prompt holds; Sort newest (also
// when empty), oldest or posts (most first).
type WorldQuery struct {
	Scope, Status, Search, Sort string
}

// MaxSearchLength bounds a catalog search.
const MaxSearchLength = 100

// Worlds lists worlds for the viewer, in the query's order.
func (s *Service) Worlds(ctx context.Context, viewerID string, q WorldQuery, page generia.Page) ([]generia.World, string, error) {
	scope, status := q.Scope, q.Status
	search := strings.Join(strings.Fields(q.Search), " ")
	if utf8.RuneCountInString(search) > MaxSearchLength {
		return nil, "", generia.Errorf(generia.KindInvalid, "a search is at most %d characters", MaxSearchLength)
	}
	switch scope {
	case "", generia.ScopeAll, generia.ScopePublic:
	case generia.ScopeMine, generia.ScopeJoined:
		if err := signedIn(viewerID); err != nil {
			return nil, "", err
		}
	default:
		return nil, "", generia.Errorf(generia.KindInvalid, "scope must be all, public, mine or joined")
	}
	switch status {
	case "", generia.StatusPending, generia.StatusInProgress, generia.StatusCompleted, generia.StatusFailed, generia.StatusCancelled:
	default:
		return nil, "", generia.Errorf(generia.KindInvalid, "status must be pending, in_progress, completed, failed or cancelled")
	}
	switch q.Sort {
	case "", generia.SortNewest, generia.SortOldest, generia.SortPosts:
	default:
		return nil, "", generia.Errorf(generia.KindInvalid, "sort must be newest, oldest or posts")
	}
	worlds, next, err := s.Store.ListWorlds(ctx, generia.WorldFilter{ViewerID: viewerID, Scope: scope, Status: status, Search: search, Sort: q.Sort}, page.Normalize())
	if err != nil {
		return nil, "", err
	}
	worlds, err = seen(ctx, s, viewerID, worlds, func(w generia.World) (generia.Review, string) { return w.Review, w.OwnerID })
	return worlds, next, err
}

// CreateWorld asks for a world to be generated with the configured
// providers.
func (s *Service) CreateWorld(ctx context.Context, viewerID string, req generia.NewWorld) (generia.World, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.World{}, err
	}
	if err := s.active(ctx, viewerID); err != nil {
		return generia.World{}, err
	}
	return s.Pipeline.Create(ctx, viewerID, req, s.Providers)
}

// CancelWorld cancels the generation of the viewer's world.
func (s *Service) CancelWorld(ctx context.Context, viewerID, ref string) (generia.GenerationStatus, error) {
	w, err := s.owned(ctx, viewerID, ref, "cancel")
	if err != nil {
		return generia.GenerationStatus{}, err
	}
	if err := s.Pipeline.Cancel(ctx, w.ID); err != nil {
		if generia.IsKind(err, generia.KindStopped) {
			err = generia.Errorf(generia.KindConflict, "the generation has already ended")
		}
		return generia.GenerationStatus{}, err
	}
	return s.Store.GenerationStatus(ctx, w.ID)
}

// DeleteWorld deletes the viewer's world and its media. A generation still
// running is cancelled first.
func (s *Service) DeleteWorld(ctx context.Context, viewerID, ref string) error {
	w, err := s.owned(ctx, viewerID, ref, "delete")
	if err != nil {
		return err
	}
	if st, err := s.Store.GenerationStatus(ctx, w.ID); err == nil && !generia.IsTerminal(st.Status) {
		if err := s.Pipeline.Cancel(ctx, w.ID); err != nil && !generia.IsKind(err, generia.KindStopped) && !generia.IsKind(err, generia.KindNotFound) {
			return err
		}
	}
	if s.Life != nil {
		if err := s.Life.EndLife(ctx, w.ID); err != nil {
			return err
		}
	}
	keys, err := s.Store.DeleteWorld(ctx, w.ID)
	if err != nil {
		return err
	}
	s.feeds.changed(w.ID)
	for _, k := range keys {
		if err := s.deleteMedia(ctx, k); err != nil {
			return fmt.Errorf("deleting media of world %s: %w", w.ID, err)
		}
	}
	return nil
}
