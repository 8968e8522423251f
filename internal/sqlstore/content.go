package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
)

// characterColumns are the columns of a character.
const characterColumns = `id, world_id, owner_id, username, display_name, bio, avatar_media_id, profile, position, created_at,
	review_state, review_labels, review_reason, silenced`

// characterByID reads a character.
const characterByID = `SELECT ` + characterColumns + ` FROM characters WHERE id = ?`

func scanCharacter(row scanner) (generia.Character, error) {
	var c generia.Character
	var owner, profile sql.NullString
	err := row.Scan(&c.ID, &c.WorldID, &owner, &c.Username, &c.DisplayName, &c.Bio, &c.AvatarMediaID, &profile, &c.Position, timeInto(&c.CreatedAt),
		&c.Review.State, labelsInto(&c.Review.Labels), &c.Review.Reason, &c.Silenced)
	if err != nil {
		return generia.Character{}, err
	}
	c.OwnerID = owner.String
	c.Profile = fromJSON(profile)
	return c, nil
}

// countCreated adds one to a created-item counter of a world's status record.
func (s *Store) countCreated(ctx context.Context, tx handle, worldID, column string) error {
	_, err := tx.Exec(ctx, `UPDATE generation_status SET `+column+` = `+column+` + 1, updated_at = `+s.d.Greatest+`(updated_at, ?)
		WHERE world_id = ?`, s.at(s.now()), worldID)
	return err
}

// createInWorld runs a create of an item of a world keyed by a caller-chosen
// ID, in a transaction that locks the world's status record first (see
// lockStatus). byID reads the stored item of the ID: when there is one, it is
// returned with created=false, whatever the state of the generation.
// Otherwise, with keepWorld, the world must exist (KindNotFound) and is kept
// from being deleted, for the items that hang on the world itself rather
// than on another row that insert checks. Then insert writes the item and
// returns it and whether it inserted it; before it writes an item the
// generation made, it calls generating, which gives KindNotFound when the
// world has no status record and KindStopped when the generation takes no
// more work. An insert that finds the ID taken by a concurrent create outside
// the world's lock (the same ID in another world) returns sql.ErrNoRows, and
// the create returns the stored item. Errors read "creating what: ...".
func createInWorld[T any](ctx context.Context, s *Store, worldID, what string, keepWorld bool, scan func(scanner) (T, error),
	byID stmt, insert func(tx handle, generating func() error) (T, bool, error)) (T, bool, error) {
	var out T
	var created bool
	err := s.write(ctx, func(tx handle) error {
		st, found, err := s.lockStatus(ctx, tx, worldID)
		if err != nil {
			return err
		}
		stored, isStored, err := existing(scan, tx.QueryRow(ctx, byID.query, byID.args...))
		if isStored || err != nil {
			out, created = stored, false
			return err
		}
		if keepWorld {
			if err := s.keepWorld(ctx, tx, worldID); err != nil {
				return err
			}
		}
		out, created, err = insert(tx, func() error {
			if !found {
				return generia.Errorf(generia.KindNotFound, "generation status of world %s not found", worldID)
			}
			return st.Stopped()
		})
		if errors.Is(err, sql.ErrNoRows) {
			out, err = scan(tx.QueryRow(ctx, byID.query, byID.args...))
			created = false
		}
		return err
	})
	if err != nil {
		var none T
		return none, false, fmt.Errorf("creating %s: %w", what, s.translate(err))
	}
	return out, created, nil
}

// CreateCharacter creates a character with a caller-chosen ID; an existing ID
// gives the stored character and created=false, whatever the state of the
// generation. A generated character (empty OwnerID) counts users_created in
// the same transaction, and fails with KindStopped, writing nothing, when the
// generation ended or a cancel was requested. A username already used by
// another character of the world gives KindConflict; an unknown world
// KindNotFound. A zero CreatedAt is the store's clock.
//
// The world's status record is locked first, so creates in one world run
// one at a time, and a cancel cannot come between the check and the insert.
func (s *Store) CreateCharacter(ctx context.Context, c generia.Character) (generia.Character, bool, error) {
	if err := required("character ID", c.ID, "world ID", c.WorldID, "username", c.Username); err != nil {
		return generia.Character{}, false, err
	}
	profile, err := jsonArg("character profile", c.Profile)
	if err != nil {
		return generia.Character{}, false, err
	}
	c.CreatedAt = s.stamp(c.CreatedAt)
	return createInWorld(ctx, s, c.WorldID, "character "+c.ID, true, scanCharacter, stmt{characterByID, []any{c.ID}},
		func(tx handle, generating func() error) (generia.Character, bool, error) {
			if c.IsAI() {
				if err := generating(); err != nil {
					return generia.Character{}, false, err
				}
			}
			var taken bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM characters WHERE world_id = ? AND username = ?)`,
				c.WorldID, c.Username).Scan(&taken)
			if err != nil {
				return generia.Character{}, false, err
			}
			if taken {
				return generia.Character{}, false, generia.Errorf(generia.KindConflict, "the username %s is taken in world %s", c.Username, c.WorldID)
			}
			labels, err := labelsArg(c.Review.Labels)
			if err != nil {
				return generia.Character{}, false, err
			}
			out, err := scanCharacter(tx.QueryRow(ctx, `INSERT INTO characters (id, world_id, owner_id, username, display_name, bio, avatar_media_id, profile, position,
				review_state, review_labels, review_reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING RETURNING `+characterColumns,
				c.ID, c.WorldID, nullString(c.OwnerID), c.Username, c.DisplayName, c.Bio, c.AvatarMediaID, profile, c.Position,
				c.Review.State, labels, c.Review.Reason, s.at(c.CreatedAt)))
			if s.d.UniqueViolation(err) {
				return generia.Character{}, false, generia.WrapError(generia.KindConflict, err, "the username "+c.Username+" is taken")
			}
			if err != nil {
				return generia.Character{}, false, err
			}
			if c.IsAI() {
				if err := s.countCreated(ctx, tx, c.WorldID, "users_created"); err != nil {
					return generia.Character{}, false, err
				}
			}
			return out, true, nil
		})
}

// SetCharacterAvatar attaches an avatar to a character.
func (s *Store) SetCharacterAvatar(ctx context.Context, characterID, mediaID string) error {
	tag, err := s.writes.Exec(ctx, `UPDATE characters SET avatar_media_id = ? WHERE id = ?`, mediaID, characterID)
	if err != nil {
		return fmt.Errorf("setting the avatar of character %s: %w", characterID, s.translate(err))
	}
	if !changed(tag) {
		return generia.Errorf(generia.KindNotFound, "character %s not found", characterID)
	}
	return nil
}

// EditCharacter sets a character's display name, bio and avatar.
func (s *Store) EditCharacter(ctx context.Context, characterID, displayName, bio, avatarMediaID string) error {
	tag, err := s.writes.Exec(ctx, `UPDATE characters SET display_name = ?, bio = ?, avatar_media_id = ? WHERE id = ?`,
		displayName, bio, avatarMediaID, characterID)
	if err != nil {
		return fmt.Errorf("editing character %s: %w", characterID, s.translate(err))
	}
	if !changed(tag) {
		return generia.Errorf(generia.KindNotFound, "character %s not found", characterID)
	}
	return nil
}

// DeleteCharacter deletes a character and all it said and did: its posts
// go by cascade with their likes and comments; the comments spoken as it
// and the likes it gave are deleted first, with the counts of the posts
// they were on, since their keys do not cascade (a reply to a deleted
// comment stays, answering nothing).
func (s *Store) DeleteCharacter(ctx context.Context, characterID string) error {
	return s.deleteRow(ctx, "characters", "character", characterID, func(tx handle) error {
		for _, q := range []string{
			`UPDATE posts SET comments_count = comments_count -
				(SELECT COUNT(*) FROM comments c WHERE c.post_id = posts.id AND c.character_id = ? AND c.review_state = '' AND c.deleted_at IS NULL)
			 WHERE id IN (SELECT post_id FROM comments WHERE character_id = ?)`,
			`UPDATE posts SET likes_count = likes_count -
				(SELECT COUNT(*) FROM likes l WHERE l.post_id = posts.id AND l.character_id = ?)
			 WHERE id IN (SELECT post_id FROM likes WHERE character_id = ?)`,
		} {
			if _, err := tx.Exec(ctx, q, characterID, characterID); err != nil {
				return err
			}
		}
		for _, q := range []string{`DELETE FROM comments WHERE character_id = ?`, `DELETE FROM likes WHERE character_id = ?`} {
			if _, err := tx.Exec(ctx, q, characterID); err != nil {
				return err
			}
		}
		return nil
	})
}

// deleteRow deletes the row of table with id, after first (what must go
// before it, in the same transaction); no such row gives KindNotFound.
func (s *Store) deleteRow(ctx context.Context, table, what, id string, first func(tx handle) error) error {
	err := s.write(ctx, func(tx handle) error {
		if first != nil {
			if err := first(tx); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE id = ?`, id)
		if err == nil && !changed(tag) {
			err = generia.Errorf(generia.KindNotFound, "%s %s not found", what, id)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("deleting %s %s: %w", what, id, s.translate(err))
	}
	return nil
}

// Character returns a character.
func (s *Store) Character(ctx context.Context, id string) (generia.Character, error) {
	return readOne(ctx, s, scanCharacter, "character "+id, characterByID, id)
}

// characterPages pages the characters of a world.
var characterPages = keyset[generia.Character]{list: listCharacters, columns: `position, created_at, id`, pos: true, scan: scanCharacter,
	key: func(c generia.Character) cursor { return cursor{Pos: c.Position, Time: micros(c.CreatedAt), ID: c.ID} }}

// ListCharacters returns a world's characters by position, then creation
// time, then ID. An unknown world gives KindNotFound.
func (s *Store) ListCharacters(ctx context.Context, worldID string, page generia.Page) ([]generia.Character, string, error) {
	return listPage(ctx, s, characterPages, page, "the characters of world "+worldID, func(args *sqlArgs) (string, error) {
		return `SELECT ` + characterColumns + ` FROM characters WHERE world_id = ` + args.add(worldID), nil
	}, func() error { return worldExists(ctx, s.reads, worldID) })
}

// newPostSelect returns the statement that reads posts with their author
// fields, their counts and whether a viewer likes them, in one statement: its
// two arguments are the viewer's ID, and the EXISTS looks up one row of the
// likes' primary key per post.
func newPostSelect(d Dialect) string {
	return `SELECT p.id, p.world_id, p.character_id, p.caption, ` + d.StringsJSON("p.hashtags") + `, p.media_id, p.created_at,
	c.username, c.display_name, c.avatar_media_id, c.owner_id IS NULL, p.likes_count, p.comments_count,
	? <> '' AND EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.who = ?),
	COALESCE(m.width, 0), COALESCE(m.height, 0), p.review_state, p.review_labels, p.review_reason
	FROM posts p JOIN characters c ON c.id = p.character_id LEFT JOIN media m ON m.id = p.media_id`
}

func scanPost(row scanner) (generia.Post, error) {
	var p generia.Post
	err := row.Scan(&p.ID, &p.WorldID, &p.CharacterID, &p.Caption, jsonStrings{&p.Hashtags}, &p.MediaID, timeInto(&p.CreatedAt),
		&p.Username, &p.DisplayName, &p.AvatarMediaID, &p.IsAI, &p.LikesCount, &p.CommentsCount, &p.Liked,
		&p.MediaWidth, &p.MediaHeight, &p.Review.State, labelsInto(&p.Review.Labels), &p.Review.Reason)
	if err != nil {
		return generia.Post{}, err
	}
	if len(p.Hashtags) == 0 {
		p.Hashtags = nil
	}
	return p, nil
}

// CreatePost creates a post with a caller-chosen ID; an existing ID gives the
// stored post and created=false, whatever the state of the generation. The
// returned post has its author fields. A post by a generated character counts
// posts_created in the same transaction, and fails with KindStopped, writing
// nothing, when the generation ended or a cancel was requested. An unknown
// character gives KindNotFound, a character of another world KindInvalid. A
// zero CreatedAt is the store's clock; an empty hashtag list reads back as
// nil. Like CreateCharacter, it locks the world's status record first.
func (s *Store) CreatePost(ctx context.Context, p generia.Post) (generia.Post, bool, error) {
	if err := required("post ID", p.ID, "world ID", p.WorldID, "character ID", p.CharacterID); err != nil {
		return generia.Post{}, false, err
	}
	hashtags, err := s.d.Strings(p.Hashtags)
	if err != nil {
		return generia.Post{}, false, err
	}
	p.CreatedAt = s.stamp(p.CreatedAt)
	byID := stmt{s.postSelect + ` WHERE p.id = ?`, []any{"", "", p.ID}}
	return createInWorld(ctx, s, p.WorldID, "post "+p.ID, false, scanPost, byID,
		func(tx handle, generating func() error) (generia.Post, bool, error) {
			var worldID string
			var owner sql.NullString
			err := tx.QueryRow(ctx, `SELECT world_id, owner_id FROM characters WHERE id = ? `+s.d.ForKeyShare, p.CharacterID).Scan(&worldID, &owner)
			if errors.Is(err, sql.ErrNoRows) {
				return generia.Post{}, false, generia.Errorf(generia.KindNotFound, "character %s not found", p.CharacterID)
			}
			if err != nil {
				return generia.Post{}, false, err
			}
			if worldID != p.WorldID {
				return generia.Post{}, false, generia.Errorf(generia.KindInvalid, "character %s is not in world %s", p.CharacterID, p.WorldID)
			}
			generated := (!owner.Valid || owner.String == "") && !p.Life
			if p.Life && owner.Valid && owner.String != "" {
				return generia.Post{}, false, generia.Errorf(generia.KindInvalid, "a post of the world's life is by an AI character")
			}
			if generated {
				if err := generating(); err != nil {
					return generia.Post{}, false, err
				}
			}
			labels, err := labelsArg(p.Review.Labels)
			if err != nil {
				return generia.Post{}, false, err
			}
			tag, err := tx.Exec(ctx, `INSERT INTO posts (id, world_id, character_id, caption, hashtags, media_id,
				review_state, review_labels, review_reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
				p.ID, p.WorldID, p.CharacterID, p.Caption, hashtags, p.MediaID, p.Review.State, labels, p.Review.Reason, s.at(p.CreatedAt))
			if err != nil {
				return generia.Post{}, false, err
			}
			if !changed(tag) {
				return generia.Post{}, false, sql.ErrNoRows // created meanwhile: createInWorld reads it
			}
			for _, t := range tagKeys(p.Hashtags) {
				if _, err := tx.Exec(ctx, `INSERT INTO post_hashtags (post_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING`, p.ID, t); err != nil {
					return generia.Post{}, false, err
				}
			}
			if generated {
				if err := s.countCreated(ctx, tx, p.WorldID, "posts_created"); err != nil {
					return generia.Post{}, false, err
				}
			}
			if p.Review.State == generia.ReviewNone {
				if err := s.notifyPost(ctx, tx, p); err != nil {
					return generia.Post{}, false, err
				}
			}
			// Read back for the author fields and counts.
			out, err := scanPost(tx.QueryRow(ctx, byID.query, byID.args...))
			return out, true, err
		})
}

// Post returns a post with its author fields, its counts, and whether
// viewerID (which may be empty, for a visitor) likes it.
func (s *Store) Post(ctx context.Context, id, viewerID string) (generia.Post, error) {
	return readOne(ctx, s, scanPost, "post "+id, s.postSelect+` WHERE p.id = ?`, viewerID, viewerID, id)
}

// postPages pages posts.
var postPages = keyset[generia.Post]{list: listPosts, columns: `p.created_at, p.id`, desc: true, scan: scanPost,
	key: func(p generia.Post) cursor { return cursor{Time: micros(p.CreatedAt), ID: p.ID} }}

// ListPosts returns the posts of a world, or of one character (within the
// world, if WorldID is set too), newest first and then by ID descending, each
// as Post returns it. A page is one statement, whatever its size. Pages
// follow the sort key of the previous page's last post, so posts added later
// never shift a page. A filter without WorldID and CharacterID gives
// KindInvalid; an unknown world, or a character unknown or of another world,
// KindNotFound.
func (s *Store) ListPosts(ctx context.Context, f generia.PostFilter, page generia.Page) ([]generia.Post, string, error) {
	if f.WorldID == "" && f.CharacterID == "" {
		return nil, "", generia.Errorf(generia.KindInvalid, "listing posts needs a world or a character")
	}
	return listPage(ctx, s, postPages, page, "posts", func(args *sqlArgs) (string, error) {
		*args = append(*args, f.ViewerID, f.ViewerID)
		// The leading condition picks the index: posts_character_feed for a
		// character's posts, posts_feed for a world's.
		if f.CharacterID == "" {
			query := s.postSelect + ` WHERE p.world_id = ` + args.add(f.WorldID)
			if f.Hashtag != "" {
				query += ` AND EXISTS (SELECT 1 FROM post_hashtags h WHERE h.post_id = p.id AND h.tag = ` + args.add(tagKey(f.Hashtag)) + `)`
			}
			return query, nil
		}
		query := s.postSelect + ` WHERE p.character_id = ` + args.add(f.CharacterID)
		if f.WorldID != "" {
			query += ` AND p.world_id = ` + args.add(f.WorldID)
		}
		return query, nil
	}, func() error { return postsOwnerExists(ctx, s.reads, f) })
}

// postsOwnerExists returns KindNotFound when the world or character a post
// filter names does not exist, or the character is not in the world.
func postsOwnerExists(ctx context.Context, q handle, f generia.PostFilter) error {
	if f.CharacterID == "" {
		return worldExists(ctx, q, f.WorldID)
	}
	var worldID string
	err := q.QueryRow(ctx, `SELECT world_id FROM characters WHERE id = ?`, f.CharacterID).Scan(&worldID)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && f.WorldID != "" && worldID != f.WorldID) {
		if f.WorldID != "" {
			return generia.Errorf(generia.KindNotFound, "character %s not found in world %s", f.CharacterID, f.WorldID)
		}
		return generia.Errorf(generia.KindNotFound, "character %s not found", f.CharacterID)
	}
	return err
}

// ListUserCharacters returns the characters a user owns in a world, by
// creation and then by ID. An unknown world gives KindNotFound.
func (s *Store) ListUserCharacters(ctx context.Context, worldID, userID string) ([]generia.Character, error) {
	if err := required("world ID", worldID, "user ID", userID); err != nil {
		return nil, err
	}
	out, err := list(ctx, s.reads, scanCharacter, `SELECT `+characterColumns+` FROM characters
		WHERE owner_id = ? AND world_id = ? ORDER BY created_at, id`, userID, worldID)
	if err == nil && len(out) == 0 {
		err = worldExists(ctx, s.reads, worldID)
	}
	if err != nil {
		return nil, fmt.Errorf("listing the characters of user %s in world %s: %w", userID, worldID, s.translate(err))
	}
	return out, nil
}

// CountCharacterPosts returns how many posts a character has. An unknown
// character gives KindNotFound.
func (s *Store) CountCharacterPosts(ctx context.Context, characterID string) (int, error) {
	var found bool
	var n int
	err := s.reads.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM characters WHERE id = ?),
			(SELECT COUNT(*) FROM posts WHERE character_id = ?)`, characterID, characterID).Scan(&found, &n)
	if err != nil {
		return 0, fmt.Errorf("counting the posts of character %s: %w", characterID, s.translate(err))
	}
	if !found {
		return 0, generia.Errorf(generia.KindNotFound, "character %s not found", characterID)
	}
	return n, nil
}

// CountContent returns how many characters, posts and media a world has. An
// unknown world gives KindNotFound.
func (s *Store) CountContent(ctx context.Context, worldID string) (generia.ContentCounts, error) {
	var found bool
	var n generia.ContentCounts
	err := s.reads.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM worlds WHERE id = ?),
			(SELECT COUNT(*) FROM characters WHERE world_id = ?),
			(SELECT COUNT(*) FROM posts WHERE world_id = ?),
			(SELECT COUNT(*) FROM media WHERE world_id = ?)`,
		worldID, worldID, worldID, worldID).Scan(&found, &n.Characters, &n.Posts, &n.Media)
	if err != nil {
		return generia.ContentCounts{}, fmt.Errorf("counting the content of world %s: %w", worldID, s.translate(err))
	}
	if !found {
		return generia.ContentCounts{}, generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	return n, nil
}

const mediaColumns = `id, world_id, character_id, owner_id, kind, content_type, size, width, height, object_key, created_at`

// mediaByID reads a media record.
const mediaByID = `SELECT ` + mediaColumns + ` FROM media WHERE id = ?`

func scanMedia(row scanner) (generia.Media, error) {
	var m generia.Media
	var owner sql.NullString
	err := row.Scan(&m.ID, &m.WorldID, &m.CharacterID, &owner, &m.Kind, &m.ContentType, &m.Size, &m.Width, &m.Height, &m.ObjectKey, timeInto(&m.CreatedAt))
	if err != nil {
		return generia.Media{}, err
	}
	m.OwnerID = owner.String
	return m, nil
}

// CreateMedia records a stored image with a caller-chosen ID; an existing ID
// gives the stored record and created=false. A generated image (empty
// OwnerID) counts images_created in the same transaction, an upload
// replaces its reservation (ReserveUpload). Unlike characters
// and posts, media are recorded even after the generation stopped: the image
// exists and was paid for. An unknown world gives KindNotFound. A zero
// CreatedAt is the store's clock. Like CreateCharacter, it locks the world's
// status record first.
func (s *Store) CreateMedia(ctx context.Context, m generia.Media) (generia.Media, bool, error) {
	if err := required("media ID", m.ID, "world ID", m.WorldID); err != nil {
		return generia.Media{}, false, err
	}
	m.CreatedAt = s.stamp(m.CreatedAt)
	return createInWorld(ctx, s, m.WorldID, "media "+m.ID, true, scanMedia, stmt{mediaByID, []any{m.ID}},
		func(tx handle, _ func() error) (generia.Media, bool, error) {
			out, err := scanMedia(tx.QueryRow(ctx, `INSERT INTO media (`+mediaColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING RETURNING `+mediaColumns,
				m.ID, m.WorldID, m.CharacterID, nullString(m.OwnerID), m.Kind, m.ContentType, m.Size, m.Width, m.Height, m.ObjectKey, s.at(m.CreatedAt)))
			if err != nil {
				return generia.Media{}, false, err
			}
			if m.OwnerID != "" {
				if _, err := tx.Exec(ctx, `DELETE FROM upload_reservations WHERE id = ?`, m.ID); err != nil {
					return generia.Media{}, false, err
				}
			}
			if m.OwnerID == "" {
				if !m.Life {
					if err := s.countCreated(ctx, tx, m.WorldID, "images_created"); err != nil {
						return generia.Media{}, false, err
					}
				}
				if _, err := tx.Exec(ctx, `DELETE FROM paid_images WHERE id = ?`, m.ID); err != nil {
					return generia.Media{}, false, err
				}
			}
			return out, true, nil
		})
}

// Media returns a media record.
func (s *Store) Media(ctx context.Context, id string) (generia.Media, error) {
	return readOne(ctx, s, scanMedia, "media "+id, mediaByID, id)
}

// UploadUsage is how many images a user uploaded since a time, and their
// bytes.
func (s *Store) UploadUsage(ctx context.Context, ownerID string, since time.Time) (int, int64, error) {
	var n int
	var size int64
	err := s.reads.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM media WHERE owner_id = ? AND created_at >= ?`,
		ownerID, s.at(since)).Scan(&n, &size)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the uploads of user %s: %w", ownerID, s.translate(err))
	}
	return n, size, nil
}

// ReserveUpload records an upload reservation if the owner's quota allows
// it. The owner's user row is locked first (the dialect's ForUpdate; SQLite
// runs one writer at a time), so that the count, the check and the insert
// are one step for the owner in every process; the owner's reservations
// older than the period are dropped on the way (those of processes that
// died mid-upload).
func (s *Store) ReserveUpload(ctx context.Context, r generia.UploadReservation, limit generia.UploadLimit) (generia.UploadUsage, bool, error) {
	if err := required("reservation ID", r.ID, "owner ID", r.OwnerID); err != nil {
		return generia.UploadUsage{}, false, err
	}
	r.CreatedAt = s.stamp(r.CreatedAt)
	var used generia.UploadUsage
	var reserved bool
	err := s.write(ctx, func(tx handle) error {
		used, reserved = generia.UploadUsage{}, false
		if err := mustExist(ctx, tx, "users", "user", r.OwnerID, s.d.ForUpdate); err != nil {
			return err
		}
		since := s.at(limit.Since)
		if _, err := tx.Exec(ctx, `DELETE FROM upload_reservations WHERE owner_id = ? AND created_at < ?`, r.OwnerID, since); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM (
				SELECT size FROM media WHERE owner_id = ? AND created_at >= ?
				UNION ALL
				SELECT size FROM upload_reservations WHERE owner_id = ? AND created_at >= ? AND id <> ?) used`,
			r.OwnerID, since, r.OwnerID, since, r.ID).Scan(&used.Images, &used.Bytes)
		if err != nil {
			return err
		}
		if used.Images+1 > limit.Images || used.Bytes+r.Size > limit.Bytes {
			return nil
		}
		_, err = tx.Exec(ctx, `INSERT INTO upload_reservations (id, owner_id, size, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET size = excluded.size`, r.ID, r.OwnerID, r.Size, s.at(r.CreatedAt))
		reserved = err == nil
		return err
	})
	if err != nil {
		return generia.UploadUsage{}, false, fmt.Errorf("reserving an upload of user %s: %w", r.OwnerID, s.translate(err))
	}
	return used, reserved, nil
}

// ReleaseUpload drops an upload reservation.
func (s *Store) ReleaseUpload(ctx context.Context, id string) error {
	if _, err := s.writes.Exec(ctx, `DELETE FROM upload_reservations WHERE id = ?`, id); err != nil {
		return fmt.Errorf("releasing upload reservation %s: %w", id, s.translate(err))
	}
	return nil
}

// unusedUpload is the condition of an upload that nothing uses.
const unusedUpload = `owner_id IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM posts WHERE posts.media_id = media.id)
	AND NOT EXISTS (SELECT 1 FROM characters WHERE characters.avatar_media_id = media.id)`

// UnusedUploads lists the oldest uploads made before a time that nothing
// uses.
func (s *Store) UnusedUploads(ctx context.Context, before time.Time, n int) ([]generia.Media, error) {
	out, err := list(ctx, s.reads, scanMedia, `SELECT `+mediaColumns+` FROM media
		WHERE created_at < ? AND `+unusedUpload+` ORDER BY created_at, id`+limit(n), s.at(before))
	if err != nil {
		return nil, fmt.Errorf("listing unused uploads: %w", s.translate(err))
	}
	return out, nil
}

// DeleteUnusedUpload deletes an upload if nothing uses it.
func (s *Store) DeleteUnusedUpload(ctx context.Context, id string) (string, bool, error) {
	var key string
	err := s.writes.QueryRow(ctx, `DELETE FROM media WHERE id = ? AND `+unusedUpload+` RETURNING object_key`, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("deleting unused upload %s: %w", id, s.translate(err))
	}
	return key, true, nil
}

// tagKey is how a hashtag is found: without its #, in lower case.
func tagKey(tag string) string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(tag), "#"))
}

// tagKeys are the distinct keys of a post's hashtags.
func tagKeys(tags []string) []string {
	var out []string
	for _, t := range tags {
		if k := tagKey(t); k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}
