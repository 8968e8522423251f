package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
)

// postLikes returns a post's like count, or KindNotFound.
func postLikes(ctx context.Context, q handle, postID string) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT likes_count FROM posts WHERE id = ?`, postID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, generia.Errorf(generia.KindNotFound, "post %s not found", postID)
	}
	return n, err
}

// Like records that a user likes a post and returns the post's like count.
// Liking again is a no-op: the like keeps its first time and counts once,
// even when the same like arrives twice at once (the second insert waits for
// the first and then inserts nothing). An unknown post or user gives
// KindNotFound. A zero now is the store's clock.
func (s *Store) Like(ctx context.Context, postID, userID string, now time.Time) (int, error) {
	if err := required("post ID", postID, "user ID", userID); err != nil {
		return 0, err
	}
	return s.addLike(ctx, postID, now, func(tx handle) error { return s.keepUser(ctx, tx, userID) },
		`INSERT INTO likes (post_id, user_id, who, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (post_id, who) DO NOTHING`, userID, false)
}

// LikeAsCharacter records that an AI character likes a post of its world,
// as Like does for a person. A person's character or one of another world
// gives KindInvalid; an unknown post or character KindNotFound.
func (s *Store) LikeAsCharacter(ctx context.Context, postID, characterID string, now time.Time) (int, error) {
	if err := required("post ID", postID, "character ID", characterID); err != nil {
		return 0, err
	}
	return s.addLike(ctx, postID, now, func(tx handle) error {
		var postWorld, charWorld string
		var owner sql.NullString
		if err := tx.QueryRow(ctx, `SELECT world_id FROM posts WHERE id = ?`, postID).Scan(&postWorld); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT world_id, owner_id FROM characters WHERE id = ? `+s.d.ForKeyShare, characterID).Scan(&charWorld, &owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return generia.Errorf(generia.KindNotFound, "character %s not found", characterID)
		case err != nil:
			return err
		case owner.Valid:
			return generia.Errorf(generia.KindInvalid, "character %s is a person's: people like as themselves", characterID)
		case charWorld != postWorld:
			return generia.Errorf(generia.KindInvalid, "character %s is not of the post's world", characterID)
		}
		return nil
	}, `INSERT INTO likes (post_id, character_id, who, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (post_id, who) DO NOTHING`, characterID, true)
}

// addLike adds the like of who with insert, once check allowed it, and
// returns the post's like count. Liking again is a no-op: the like keeps
// its first time and counts once, even when the same like arrives twice at
// once (the second insert waits for the first and then inserts nothing).
// A like inserted tells the post's author (notifyLike); who is a character
// when byCharacter.
func (s *Store) addLike(ctx context.Context, postID string, now time.Time, check func(tx handle) error, insert, who string, byCharacter bool) (int, error) {
	var count int
	now = s.stamp(now)
	err := s.write(ctx, func(tx handle) error {
		if _, err := postLikes(ctx, tx, postID); err != nil {
			return err
		}
		if err := check(tx); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, insert, postID, who, who, s.at(now))
		if err != nil {
			return err
		}
		if !changed(tag) {
			// Read after the insert, which waited for a concurrent
			// like, so the count includes it.
			count, err = postLikes(ctx, tx, postID)
			return err
		}
		if err := tx.QueryRow(ctx, `UPDATE posts SET likes_count = likes_count + 1 WHERE id = ? RETURNING likes_count`,
			postID).Scan(&count); err != nil {
			return err
		}
		return s.notifyLike(ctx, tx, postID, who, byCharacter, now)
	})
	if err != nil {
		return 0, fmt.Errorf("liking post %s: %w", postID, s.translate(err))
	}
	return count, nil
}

// Unlike removes a like and returns the post's like count; unliking a post
// one does not like is a no-op. An unknown post gives KindNotFound.
func (s *Store) Unlike(ctx context.Context, postID, userID string) (int, error) {
	var count int
	err := s.write(ctx, func(tx handle) error {
		if _, err := postLikes(ctx, tx, postID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM likes WHERE post_id = ? AND who = ? AND user_id IS NOT NULL`, postID, userID)
		if err != nil {
			return err
		}
		if !changed(tag) {
			count, err = postLikes(ctx, tx, postID)
			return err
		}
		return tx.QueryRow(ctx, `UPDATE posts SET likes_count = likes_count - 1 WHERE id = ? RETURNING likes_count`,
			postID).Scan(&count)
	})
	if err != nil {
		return 0, fmt.Errorf("unliking post %s: %w", postID, s.translate(err))
	}
	return count, nil
}

func scanLike(row scanner) (generia.Like, error) {
	var l generia.Like
	if err := row.Scan(&l.PostID, &l.UserID, &l.Username, &l.CharacterID, &l.CharacterUsername, &l.DisplayName, timeInto(&l.CreatedAt)); err != nil {
		return generia.Like{}, err
	}
	return l, nil
}

// likePages pages the likes of a post.
var likePages = keyset[generia.Like]{list: listLikes, columns: `l.created_at, l.who`, desc: true, scan: scanLike,
	key: func(l generia.Like) cursor { return cursor{Time: micros(l.CreatedAt), ID: l.UserID + l.CharacterID} }}

// ListLikes returns who likes a post, people and characters, newest first
// and then by their ID descending, with their names. An unknown post gives
// KindNotFound.
func (s *Store) ListLikes(ctx context.Context, postID string, page generia.Page) ([]generia.Like, string, error) {
	return listPage(ctx, s, likePages, page, "the likes of post "+postID, func(args *sqlArgs) (string, error) {
		return `SELECT l.post_id, COALESCE(l.user_id, ''), COALESCE(u.username, ''), COALESCE(l.character_id, ''),
			COALESCE(c.username, ''), COALESCE(c.display_name, ''), l.created_at
		FROM likes l LEFT JOIN users u ON u.id = l.user_id LEFT JOIN characters c ON c.id = l.character_id
		WHERE l.post_id = ` + args.add(postID), nil
	}, func() error {
		_, err := postLikes(ctx, s.reads, postID)
		return err
	})
}

// commentSelect reads comments with their speakers' names: the person's
// username, the character's handle and name.
const commentSelect = `SELECT m.id, m.post_id, COALESCE(m.user_id, ''), COALESCE(u.username, ''),
		COALESCE(m.character_id, ''), COALESCE(ch.username, ''), COALESCE(ch.display_name, ''),
		m.is_ai, COALESCE(m.parent_id, ''), m.text, m.created_at, m.review_state, m.review_labels, m.review_reason,
		m.deleted_at IS NOT NULL
	FROM comments m LEFT JOIN users u ON u.id = m.user_id LEFT JOIN characters ch ON ch.id = m.character_id`

func scanComment(row scanner) (generia.Comment, error) {
	var c generia.Comment
	if err := row.Scan(&c.ID, &c.PostID, &c.UserID, &c.Username, &c.CharacterID, &c.CharacterUsername, &c.DisplayName,
		&c.IsAI, &c.ParentID, &c.Text, timeInto(&c.CreatedAt), &c.Review.State, labelsInto(&c.Review.Labels), &c.Review.Reason,
		&c.Deleted); err != nil {
		return generia.Comment{}, err
	}
	if c.Deleted { // a place in its thread: who wrote it is gone with it
		c = generia.Comment{ID: c.ID, PostID: c.PostID, ParentID: c.ParentID, CreatedAt: c.CreatedAt, Review: c.Review, Deleted: true}
	}
	return c, nil
}

// AddComment adds a comment with a caller-chosen ID and returns it with its
// speakers' names. An existing ID returns the stored comment and counts
// nothing, so a retried request never duplicates, even when the retries
// arrive at once. A blank text, a speaker that does not fit (an AI comment
// by a person's character, a person speaking as a character not theirs or
// of another world) or a parent under another post or deleted give
// KindInvalid; an
// unknown post, user, character or parent KindNotFound. A zero CreatedAt is
// the store's clock.
func (s *Store) AddComment(ctx context.Context, c generia.Comment) (generia.Comment, error) {
	if err := required("comment ID", c.ID, "post ID", c.PostID); err != nil {
		return generia.Comment{}, err
	}
	switch {
	case strings.TrimSpace(c.Text) == "":
		return generia.Comment{}, generia.Errorf(generia.KindInvalid, "a comment needs a text")
	case c.IsAI && (c.CharacterID == "" || c.UserID != ""):
		return generia.Comment{}, generia.Errorf(generia.KindInvalid, "an AI comment has a character and no user")
	case !c.IsAI && c.UserID == "":
		return generia.Comment{}, generia.Errorf(generia.KindInvalid, "user ID is required")
	}
	c.CreatedAt = s.stamp(c.CreatedAt)
	var out generia.Comment
	err := s.write(ctx, func(tx handle) error {
		stored, isStored, err := existing(scanComment, tx.QueryRow(ctx, commentSelect+` WHERE m.id = ?`, c.ID))
		if isStored || err != nil {
			out = stored
			return err
		}
		if err := s.checkSpeaker(ctx, tx, c); err != nil {
			return err
		}
		labels, err := labelsArg(c.Review.Labels)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO comments (id, post_id, user_id, character_id, is_ai, parent_id, text,
			review_state, review_labels, review_reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			c.ID, c.PostID, nullString(c.UserID), nullString(c.CharacterID), c.IsAI, nullString(c.ParentID), c.Text,
			c.Review.State, labels, c.Review.Reason, s.at(c.CreatedAt))
		if err != nil {
			return err
		}
		if changed(tag) && c.Review.State == generia.ReviewNone { // a post counts the comments shown
			if _, err := tx.Exec(ctx, `UPDATE posts SET comments_count = comments_count + 1 WHERE id = ?`, c.PostID); err != nil {
				return err
			}
			if err := s.notifyComment(ctx, tx, c.ID, c.CreatedAt); err != nil {
				return err
			}
		}
		// Nothing inserted: a concurrent retry added it first, and the
		// insert waited for it; return that one.
		out, err = scanComment(tx.QueryRow(ctx, commentSelect+` WHERE m.id = ?`, c.ID))
		return err
	})
	if err != nil {
		return generia.Comment{}, fmt.Errorf("adding comment %s: %w", c.ID, s.translate(err))
	}
	return out, nil
}

// checkSpeaker checks, in the transaction that adds a comment, that its
// post, user, character and parent exist and fit together, and keeps them
// until it ends.
func (s *Store) checkSpeaker(ctx context.Context, tx handle, c generia.Comment) error {
	var worldID string
	err := tx.QueryRow(ctx, `SELECT world_id FROM posts WHERE id = ? `+s.d.ForKeyShare, c.PostID).Scan(&worldID)
	if errors.Is(err, sql.ErrNoRows) {
		return generia.Errorf(generia.KindNotFound, "post %s not found", c.PostID)
	}
	if err != nil {
		return err
	}
	if c.UserID != "" {
		if err := s.keepUser(ctx, tx, c.UserID); err != nil {
			return err
		}
	}
	if c.CharacterID != "" {
		var charWorld string
		var owner sql.NullString
		err := tx.QueryRow(ctx, `SELECT world_id, owner_id FROM characters WHERE id = ? `+s.d.ForKeyShare, c.CharacterID).Scan(&charWorld, &owner)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return generia.Errorf(generia.KindNotFound, "character %s not found", c.CharacterID)
		case err != nil:
			return err
		case charWorld != worldID:
			return generia.Errorf(generia.KindInvalid, "character %s is not of the post's world", c.CharacterID)
		case c.IsAI && owner.Valid:
			return generia.Errorf(generia.KindInvalid, "character %s is a person's, not an AI character", c.CharacterID)
		case !c.IsAI && owner.String != c.UserID:
			return generia.Errorf(generia.KindInvalid, "you can speak only as a character of your own")
		}
	}
	if c.ParentID != "" {
		var parentPost string
		var deleted bool
		err := tx.QueryRow(ctx, `SELECT post_id, deleted_at IS NOT NULL FROM comments WHERE id = ? `+s.d.ForKeyShare, c.ParentID).Scan(&parentPost, &deleted)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return generia.Errorf(generia.KindNotFound, "comment %s not found", c.ParentID)
		case err != nil:
			return err
		case parentPost != c.PostID:
			return generia.Errorf(generia.KindInvalid, "comment %s is under another post", c.ParentID)
		case deleted:
			return generia.Errorf(generia.KindInvalid, "comment %s was deleted", c.ParentID)
		}
	}
	return nil
}

// Comment returns a comment with its speakers' names.
func (s *Store) Comment(ctx context.Context, id string) (generia.Comment, error) {
	return readOne(ctx, s, scanComment, "comment "+id, commentSelect+` WHERE m.id = ?`, id)
}

// commentPages pages the comments of a post.
var commentPages = keyset[generia.Comment]{list: listComments, columns: `m.created_at, m.id`, scan: scanComment,
	key: func(c generia.Comment) cursor { return cursor{Time: micros(c.CreatedAt), ID: c.ID} }}

// ListComments returns a post's comments, oldest first and then by ID, with
// their authors' usernames. An unknown post gives KindNotFound.
func (s *Store) ListComments(ctx context.Context, postID string, page generia.Page) ([]generia.Comment, string, error) {
	return listPage(ctx, s, commentPages, page, "the comments of post "+postID, func(args *sqlArgs) (string, error) {
		return commentSelect + ` WHERE m.post_id = ` + args.add(postID), nil
	}, func() error {
		_, err := postLikes(ctx, s.reads, postID)
		return err
	})
}

// PostsSince returns the posts added to a world from since on.
func (s *Store) PostsSince(ctx context.Context, worldID string, since time.Time, n int) ([]generia.Post, error) {
	out, err := list(ctx, s.reads, scanPost, s.postSelect+` WHERE p.world_id = ? AND p.created_at >= ?
		ORDER BY p.created_at, p.id LIMIT ?`, "", "", worldID, s.at(since), n)
	if err == nil && len(out) == 0 {
		err = worldExists(ctx, s.reads, worldID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the new posts of world %s: %w", worldID, s.translate(err))
	}
	return out, nil
}

// CommentsSince returns the comments added to a world's posts from since
// on.
func (s *Store) CommentsSince(ctx context.Context, worldID string, since time.Time, n int) ([]generia.Comment, error) {
	out, err := list(ctx, s.reads, scanComment, commentSelect+` JOIN posts p ON p.id = m.post_id
		WHERE p.world_id = ? AND m.created_at >= ? ORDER BY m.created_at, m.id LIMIT ?`, worldID, s.at(since), n)
	if err == nil && len(out) == 0 {
		err = worldExists(ctx, s.reads, worldID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the new comments of world %s: %w", worldID, s.translate(err))
	}
	return out, nil
}

// DeletePost deletes a post; its likes, comments and hashtags go with it
// (ON DELETE CASCADE).
func (s *Store) DeletePost(ctx context.Context, id string) error {
	return s.deleteRow(ctx, "posts", "post", id, nil)
}

// EditPost sets a post's caption and hashtags, and its rows of
// post_hashtags with them, in one transaction.
func (s *Store) EditPost(ctx context.Context, id, caption string, hashtags []string) error {
	stored, err := s.d.Strings(hashtags)
	if err != nil {
		return err
	}
	err = s.write(ctx, func(tx handle) error {
		tag, err := tx.Exec(ctx, `UPDATE posts SET caption = ?, hashtags = ? WHERE id = ?`, caption, stored, id)
		if err == nil && !changed(tag) {
			err = generia.Errorf(generia.KindNotFound, "post %s not found", id)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM post_hashtags WHERE post_id = ?`, id); err != nil {
			return err
		}
		for _, t := range tagKeys(hashtags) {
			if _, err := tx.Exec(ctx, `INSERT INTO post_hashtags (post_id, tag) VALUES (?, ?)`, id, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("editing post %s: %w", id, s.translate(err))
	}
	return nil
}

// DeleteComment deletes a comment and takes it off its post's count (if it
// was shown). A comment that has replies stays, without its text and
// speaker, as a deleted place in its thread (Deleted), so that its replies
// keep answering it; the last reply to such a place deleted, the place goes
// too. An unknown comment, or one already deleted, gives KindNotFound.
func (s *Store) DeleteComment(ctx context.Context, id string) error {
	err := s.write(ctx, func(tx handle) error {
		var postID, state, parentID string
		var deleted, replied bool
		err := tx.QueryRow(ctx, `SELECT post_id, review_state, COALESCE(parent_id, ''), deleted_at IS NOT NULL,
				EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = comments.id)
			FROM comments WHERE id = ? `+s.d.ForUpdate, id).Scan(&postID, &state, &parentID, &deleted, &replied)
		if errors.Is(err, sql.ErrNoRows) || deleted {
			return generia.Errorf(generia.KindNotFound, "comment %s not found", id)
		}
		if err != nil {
			return err
		}
		if replied {
			_, err = tx.Exec(ctx, `UPDATE comments SET deleted_at = ?, text = '' WHERE id = ?`, s.at(s.stamp(time.Time{})), id)
		} else {
			_, err = tx.Exec(ctx, `DELETE FROM comments WHERE id = ?`, id)
		}
		if err != nil {
			return err
		}
		if state == generia.ReviewNone { // a comment not shown was not counted
			if _, err := tx.Exec(ctx, `UPDATE posts SET comments_count = comments_count - 1 WHERE id = ?`, postID); err != nil {
				return err
			}
		}
		if replied {
			return nil
		}
		// A deleted place left with no reply has nothing to keep in shape,
		// and its going may leave the place it answered with none.
		for parentID != "" {
			var up sql.NullString
			err := tx.QueryRow(ctx, `DELETE FROM comments WHERE id = ? AND deleted_at IS NOT NULL
				AND NOT EXISTS (SELECT 1 FROM comments r WHERE r.parent_id = ?) RETURNING parent_id`, parentID, parentID).Scan(&up)
			if errors.Is(err, sql.ErrNoRows) {
				return nil
			}
			if err != nil {
				return err
			}
			parentID = up.String
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("deleting comment %s: %w", id, s.translate(err))
	}
	return nil
}

// CreateSession stores a session of the web UI. An unknown user gives
// KindNotFound, a token hash already stored KindConflict, a zero ExpiresAt
// KindInvalid. A zero CreatedAt is the store's clock.
func (s *Store) CreateSession(ctx context.Context, sess generia.Session) error {
	if err := required("token hash", sess.TokenHash, "user ID", sess.UserID); err != nil {
		return err
	}
	if sess.ExpiresAt.IsZero() {
		return generia.Errorf(generia.KindInvalid, "a session needs an expiry time")
	}
	err := s.insertForUser(ctx, sess.UserID, "the session exists",
		stmt{`INSERT INTO sessions (token_hash, user_id, csrf, expires_at, created_at) VALUES (?, ?, ?, ?, ?)`,
			[]any{sess.TokenHash, sess.UserID, sess.CSRF, s.at(sess.ExpiresAt), s.at(s.stamp(sess.CreatedAt))}})
	if err != nil {
		return fmt.Errorf("creating a session of user %s: %w", sess.UserID, s.translate(err))
	}
	return nil
}

// SessionByToken returns the session with a token hash. An unknown session,
// or one that expired at or before now, gives KindUnauthorized.
func (s *Store) SessionByToken(ctx context.Context, tokenHash string, now time.Time) (generia.Session, error) {
	var sess generia.Session
	err := s.reads.QueryRow(ctx, `SELECT token_hash, user_id, csrf, expires_at, created_at FROM sessions WHERE token_hash = ?`,
		tokenHash).Scan(&sess.TokenHash, &sess.UserID, &sess.CSRF, timeInto(&sess.ExpiresAt), timeInto(&sess.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return generia.Session{}, generia.Errorf(generia.KindUnauthorized, "the session is unknown or ended")
	}
	if err != nil {
		return generia.Session{}, fmt.Errorf("reading a session: %w", s.translate(err))
	}
	if !sess.ExpiresAt.After(normTime(now)) {
		return generia.Session{}, generia.Errorf(generia.KindUnauthorized, "the session expired")
	}
	return sess, nil
}

// DeleteSession ends a session; ending an unknown one is a no-op.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.writes.Exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return fmt.Errorf("deleting a session: %w", s.translate(err))
	}
	return nil
}

// LikedPosts returns which of the posts the user likes. The IDs go in as
// one argument, so that every page size shares one prepared statement; the
// CROSS JOIN keeps the list the outer loop (SQLite does not reorder it), so
// each ID is one primary-key lookup (a user's ID is never a character's,
// so who is the user).
func (s *Store) LikedPosts(ctx context.Context, userID string, postIDs []string) (map[string]bool, error) {
	liked := map[string]bool{}
	if userID == "" || len(postIDs) == 0 {
		return liked, nil
	}
	ids, err := s.d.Strings(postIDs)
	if err != nil {
		return nil, err
	}
	found, err := list(ctx, s.reads, scanString, `SELECT l.post_id FROM `+s.d.StringRows+`
		CROSS JOIN likes l WHERE l.post_id = j.value AND l.who = ?`, ids, userID)
	if err != nil {
		return nil, fmt.Errorf("reading the likes of user %s: %w", userID, s.translate(err))
	}
	for _, id := range found {
		liked[id] = true
	}
	return liked, nil
}
