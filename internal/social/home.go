package social

import (
	"context"

	"github.com/generia/generia/internal/generia"
)

// Follow makes the viewer follow a character (follow) or stop following
// it. The character must be one the viewer sees (Character): another's
// gives KindNotFound, as if it did not exist. A person may follow their own
// characters. Following twice, or unfollowing a character one does not
// follow, is a no-op.
func (s *Service) Follow(ctx context.Context, viewerID, characterID string, follow bool) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	if _, _, err := s.seenCharacter(ctx, viewerID, characterID); err != nil {
		return err
	}
	if follow {
		return s.Store.FollowCharacter(ctx, viewerID, characterID, s.now())
	}
	return s.Store.UnfollowCharacter(ctx, viewerID, characterID)
}

// HomePage is a page of a person's home feed.
type HomePage struct {
	// Posts are newest first, each with whether the viewer likes it.
	Posts []generia.Post
	// Worlds are the worlds the posts are from, by ID.
	Worlds map[string]generia.World
	// Next is the cursor of the next page, empty on the last.
	Next string
}

// Home returns a page of the viewer's home feed: the posts of the worlds
// they own or joined and of the characters they follow in worlds they see,
// newest first. A post under review shows only to its person, as in a
// world's feed (moderators see those in the worlds themselves).
func (s *Service) Home(ctx context.Context, viewerID string, page generia.Page) (HomePage, error) {
	if err := signedIn(viewerID); err != nil {
		return HomePage{}, err
	}
	posts, next, err := s.Store.HomeFeed(ctx, viewerID, page.Normalize())
	if err != nil {
		return HomePage{}, err
	}
	worlds := map[string]generia.World{}
	kept := posts[:0]
	for _, p := range posts {
		if _, ok := worlds[p.WorldID]; !ok {
			w, err := s.Store.World(ctx, p.WorldID)
			if generia.IsKind(err, generia.KindNotFound) {
				continue // deleted since the page was read
			}
			if err != nil {
				return HomePage{}, err
			}
			worlds[w.ID] = w
		}
		kept = append(kept, p)
	}
	return HomePage{Posts: kept, Worlds: worlds, Next: next}, nil
}
