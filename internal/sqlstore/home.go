package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/generia/generia/internal/generia"
)

// FollowCharacter records that a person follows a character; following
// again is a no-op. An unknown user or character gives KindNotFound.
func (s *Store) FollowCharacter(ctx context.Context, userID, characterID string, now time.Time) error {
	if err := required("user ID", userID, "character ID", characterID); err != nil {
		return err
	}
	err := s.write(ctx, func(tx handle) error {
		if err := s.keepUser(ctx, tx, userID); err != nil {
			return err
		}
		if err := mustExist(ctx, tx, "characters", "character", characterID, s.d.ForKeyShare); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO follows (user_id, character_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id, character_id) DO NOTHING`, userID, characterID, s.at(s.stamp(now)))
		return err
	})
	if err != nil {
		return fmt.Errorf("following character %s: %w", characterID, s.translate(err))
	}
	return nil
}

// UnfollowCharacter ends a follow; one that does not exist is a no-op.
func (s *Store) UnfollowCharacter(ctx context.Context, userID, characterID string) error {
	if err := required("user ID", userID, "character ID", characterID); err != nil {
		return err
	}
	if _, err := s.writes.Exec(ctx, `DELETE FROM follows WHERE user_id = ? AND character_id = ?`, userID, characterID); err != nil {
		return fmt.Errorf("unfollowing character %s: %w", characterID, s.translate(err))
	}
	return nil
}

// Follows returns which of the characters the person follows, in one
// query. A visitor (empty user ID) follows none.
func (s *Store) Follows(ctx context.Context, userID string, characterIDs []string) (map[string]bool, error) {
	follows := map[string]bool{}
	if userID == "" || len(characterIDs) == 0 {
		return follows, nil
	}
	ids, err := s.d.Strings(characterIDs)
	if err != nil {
		return nil, err
	}
	found, err := list(ctx, s.reads, scanString, `SELECT f.character_id FROM `+s.d.StringRows+`
		CROSS JOIN follows f WHERE f.user_id = ? AND f.character_id = j.value`, ids, userID)
	if err != nil {
		return nil, fmt.Errorf("reading the follows of user %s: %w", userID, s.translate(err))
	}
	for _, id := range found {
		follows[id] = true
	}
	return follows, nil
}

// FollowersCount returns how many people follow a character. An unknown
// character gives KindNotFound.
func (s *Store) FollowersCount(ctx context.Context, characterID string) (int, error) {
	var n int
	err := s.reads.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM follows f WHERE f.character_id = c.id)
		FROM characters c WHERE c.id = ?`, characterID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, generia.Errorf(generia.KindNotFound, "character %s not found", characterID)
	}
	if err != nil {
		return 0, fmt.Errorf("counting the followers of character %s: %w", characterID, s.translate(err))
	}
	return n, nil
}

// homePages pages a home feed.
var homePages = keyset[generia.Post]{list: listHome, columns: `p.created_at, p.id`, desc: true, scan: scanPost,
	key: func(p generia.Post) cursor { return cursor{Time: micros(p.CreatedAt), ID: p.ID} }}

// homeTop is the order of the posts of one source of a home feed, in the
// subqueries that pick its newest.
var homeTop = keyset[generia.Post]{columns: `x.created_at, x.id`, desc: true}

// HomeFeed returns a person's home feed, newest first and then by ID
// descending (see generia.FollowStore). A page is one statement: the
// sources (worlds owned or joined, characters followed in public worlds
// the person did not join) each give their newest posts after the cursor
// through posts_feed or posts_character_feed, at most a page each, and the
// page is the newest of those. So its cost is the number of sources times
// the page size, whatever the depth.
func (s *Store) HomeFeed(ctx context.Context, userID string, page generia.Page) ([]generia.Post, string, error) {
	if err := required("user ID", userID); err != nil {
		return nil, "", err
	}
	page = page.Normalize()
	return listPage(ctx, s, homePages, page, "the home feed of user "+userID, func(args *sqlArgs) (string, error) {
		after, paged, err := decodeCursor(page.Cursor, listHome)
		if err != nil {
			return "", err
		}
		u := func() string { return args.add(userID) }
		// A source's newest posts the person sees, after the cursor.
		newest := func(source, match, shown string) string {
			q := `SELECT x.id, x.created_at FROM posts x WHERE ` + match + ` AND ` + shown
			if paged {
				q += ` AND ` + homeTop.after(s, after, args)
			}
			q += ` ORDER BY ` + homeTop.order() + limit(page.Limit+1)
			if s.d.Lateral {
				return `SELECT t.id, t.created_at FROM ` + source + ` CROSS JOIN LATERAL (` + q + `) t`
			}
			return `SELECT y.id, y.created_at FROM ` + source + ` JOIN posts y ON y.id IN (SELECT id FROM (` + q + `))`
		}
		query := `WITH home_worlds (id, owner_id) AS (
				SELECT w.id, w.owner_id FROM worlds w WHERE w.owner_id = ` + u() + `
				UNION ALL
				SELECT w.id, w.owner_id FROM world_members m JOIN worlds w ON w.id = m.world_id
				WHERE m.user_id = ` + u() + ` AND w.review_state = ''
			), home_characters (id, owner_id) AS (
				SELECT c.id, c.owner_id FROM follows f JOIN characters c ON c.id = f.character_id JOIN worlds w ON w.id = c.world_id
				WHERE f.user_id = ` + u() + ` AND w.visibility = ` + args.add(generia.VisibilityPublic) + ` AND w.review_state = ''
					AND w.owner_id <> ` + u() + `
					AND NOT EXISTS (SELECT 1 FROM world_members m WHERE m.world_id = w.id AND m.user_id = ` + u() + `)
			), home_page (id, created_at) AS (
				SELECT id, created_at FROM (` +
			newest(`home_worlds hw`, `x.world_id = hw.id`, `(x.review_state = '' OR EXISTS (SELECT 1 FROM characters a
				WHERE a.id = x.character_id AND (a.owner_id = `+u()+` OR (a.owner_id IS NULL AND hw.owner_id = `+u()+`))))`) + `
				UNION ALL ` +
			newest(`home_characters hc`, `x.character_id = hc.id`, `(x.review_state = '' OR hc.owner_id = `+u()+`)`) + `
				) candidates ORDER BY created_at DESC, id DESC` + limit(page.Limit+1) + `
			)
			`
		*args = append(*args, userID, userID)
		return query + s.postSelect + ` WHERE p.id IN (SELECT id FROM home_page)`, nil
	}, nil)
}
