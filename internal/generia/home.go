package generia

import (
	"context"
	"time"
)

// FollowStore holds the characters people follow and reads their home
// feed.
type FollowStore interface {
	// FollowCharacter records that a person follows a character; following
	// again is a no-op. An unknown user or character gives KindNotFound.
	// Whether the person may see the character is the caller's decision.
	FollowCharacter(ctx context.Context, userID, characterID string, now time.Time) error
	// UnfollowCharacter ends a follow; unfollowing a character one does not
	// follow is a no-op.
	UnfollowCharacter(ctx context.Context, userID, characterID string) error
	// Follows returns which of the characters the person follows, in one
	// query whatever their number.
	Follows(ctx context.Context, userID string, characterIDs []string) (map[string]bool, error)
	// FollowersCount returns how many people follow a character.
	FollowersCount(ctx context.Context, characterID string) (int, error)
	// HomeFeed returns a person's home: the posts of the worlds they own or
	// joined and of the characters they follow in the worlds they may see
	// (public, owned or joined), newest first, each as Post returns it for
	// them. It keeps the posts anyone sees (ReviewNone) and the person's
	// own: those of their characters and, in their worlds, of the
	// generated characters; a world moderation holds or hides shows only to
	// its owner. A page is one statement whose cost grows with the number
	// of worlds and characters followed, not with the posts they hold nor
	// the depth of the page; the cursor is stable as ListPosts's.
	HomeFeed(ctx context.Context, userID string, page Page) ([]Post, string, error)
}
