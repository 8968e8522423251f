package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/generia/generia/internal/generia"
)

// characterColumns are the columns of a character, its profile read as text.
const characterColumns = `id, world_id, owner_id, username, display_name, bio, avatar_media_id, profile::text, position, created_at`

func scanCharacter(row scanner) (generia.Character, error) {
	var c generia.Character
	var owner, profile *string
	err := row.Scan(&c.ID, &c.WorldID, &owner, &c.Username, &c.DisplayName, &c.Bio, &c.AvatarMediaID, &profile, &c.Position, &c.CreatedAt)
	if err != nil {
		return generia.Character{}, err
	}
	c.OwnerID = fromNull(owner)
	c.Profile = fromJSON(profile)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, nil
}

// countCreated adds one to a created-item counter of a world's status record.
func (s *Store) countCreated(ctx context.Context, tx pgx.Tx, worldID, column string) error {
	_, err := tx.Exec(ctx, `UPDATE generation_status SET `+column+` = `+column+` + 1, updated_at = GREATEST(updated_at, $1)
		WHERE world_id = $2`, normTime(s.now()), worldID)
	return err
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
	var out generia.Character
	var created bool
	err = s.write(ctx, func(tx pgx.Tx) error {
		created = false
		st, found, err := lockStatus(ctx, tx, c.WorldID)
		if err != nil {
			return err
		}
		stored, err := scanCharacter(tx.QueryRow(ctx, `SELECT `+characterColumns+` FROM characters WHERE id = $1`, c.ID))
		if err == nil {
			out = stored
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := keepWorld(ctx, tx, c.WorldID); err != nil {
			return err
		}
		if c.IsAI() {
			if !found {
				return generia.Errorf(generia.KindNotFound, "generation status of world %s not found", c.WorldID)
			}
			if err := stopped(st); err != nil {
				return err
			}
		}
		var taken bool
		err = tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM characters WHERE world_id = $1 AND username = $2)`,
			c.WorldID, c.Username).Scan(&taken)
		if err != nil {
			return err
		}
		if taken {
			return generia.Errorf(generia.KindConflict, "the username %s is taken in world %s", c.Username, c.WorldID)
		}
		out, err = scanCharacter(tx.QueryRow(ctx, `INSERT INTO characters (id, world_id, owner_id, username, display_name, bio, avatar_media_id, profile, position, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO NOTHING RETURNING `+characterColumns,
			c.ID, c.WorldID, nullString(c.OwnerID), c.Username, c.DisplayName, c.Bio, c.AvatarMediaID, profile, c.Position, c.CreatedAt))
		if errors.Is(err, pgx.ErrNoRows) {
			// Created meanwhile outside this world's lock (the same ID
			// in another world): keep that one.
			out, err = scanCharacter(tx.QueryRow(ctx, `SELECT `+characterColumns+` FROM characters WHERE id = $1`, c.ID))
			return err
		}
		if isUniqueViolation(err) {
			return generia.WrapError(generia.KindConflict, err, "the username "+c.Username+" is taken")
		}
		if err != nil {
			return err
		}
		if c.IsAI() {
			if err := s.countCreated(ctx, tx, c.WorldID, "users_created"); err != nil {
				return err
			}
		}
		created = true
		return nil
	})
	if err != nil {
		return generia.Character{}, false, fmt.Errorf("creating character %s: %w", c.ID, translate(err))
	}
	return out, created, nil
}

// SetCharacterAvatar attaches an avatar to a character.
func (s *Store) SetCharacterAvatar(ctx context.Context, characterID, mediaID string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE characters SET avatar_media_id = $1 WHERE id = $2`, mediaID, characterID)
	if err != nil {
		return fmt.Errorf("setting the avatar of character %s: %w", characterID, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return generia.Errorf(generia.KindNotFound, "character %s not found", characterID)
	}
	return nil
}

// Character returns a character.
func (s *Store) Character(ctx context.Context, id string) (generia.Character, error) {
	c, err := scanCharacter(s.pool.QueryRow(ctx, `SELECT `+characterColumns+` FROM characters WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return generia.Character{}, generia.Errorf(generia.KindNotFound, "character %s not found", id)
	}
	if err != nil {
		return generia.Character{}, fmt.Errorf("reading character %s: %w", id, translate(err))
	}
	return c, nil
}

// ListCharacters returns a world's characters by position, then creation
// time, then ID. An unknown world gives KindNotFound.
func (s *Store) ListCharacters(ctx context.Context, worldID string, page generia.Page) ([]generia.Character, string, error) {
	page = page.Normalize()
	after, ok, err := decodeCursor(page.Cursor, listCharacters)
	if err != nil {
		return nil, "", err
	}
	var args sqlArgs
	query := `SELECT ` + characterColumns + ` FROM characters WHERE world_id = ` + args.add(worldID)
	if ok {
		query += ` AND (position, created_at, id) > (` + args.add(after.Pos) + `, ` + args.add(fromMicros(after.Time)) + `, ` + args.add(after.ID) + `)`
	}
	query += ` ORDER BY position, created_at, id LIMIT ` + args.add(page.Limit+1)
	out, err := list(ctx, s.pool, scanCharacter, query, args...)
	if err == nil && len(out) == 0 {
		err = worldExists(ctx, s.pool, worldID)
	}
	if err != nil {
		return nil, "", fmt.Errorf("listing the characters of world %s: %w", worldID, translate(err))
	}
	if len(out) <= page.Limit {
		return out, "", nil
	}
	out = out[:page.Limit]
	last := out[len(out)-1]
	return out, encodeCursor(cursor{List: listCharacters, Pos: last.Position, Time: micros(last.CreatedAt), ID: last.ID}), nil
}

// postSelect reads posts with their author fields, their counts and whether
// a viewer likes them, in one statement: $1 is the viewer's ID, and the
// EXISTS looks up one row of the likes' primary key per post.
const postSelect = `SELECT p.id, p.world_id, p.character_id, p.caption, p.hashtags, p.media_id, p.created_at,
	c.username, c.display_name, c.avatar_media_id, c.owner_id IS NULL, p.likes_count, p.comments_count,
	$1 <> '' AND EXISTS (SELECT 1 FROM likes l WHERE l.post_id = p.id AND l.user_id = $1)
	FROM posts p JOIN characters c ON c.id = p.character_id`

func scanPost(row scanner) (generia.Post, error) {
	var p generia.Post
	err := row.Scan(&p.ID, &p.WorldID, &p.CharacterID, &p.Caption, &p.Hashtags, &p.MediaID, &p.CreatedAt,
		&p.Username, &p.DisplayName, &p.AvatarMediaID, &p.IsAI, &p.LikesCount, &p.CommentsCount, &p.Liked)
	if err != nil {
		return generia.Post{}, err
	}
	if len(p.Hashtags) == 0 {
		p.Hashtags = nil
	}
	p.CreatedAt = p.CreatedAt.UTC()
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
	hashtags := p.Hashtags
	if hashtags == nil {
		hashtags = []string{}
	}
	p.CreatedAt = s.stamp(p.CreatedAt)
	var out generia.Post
	var created bool
	err := s.write(ctx, func(tx pgx.Tx) error {
		created = false
		st, found, err := lockStatus(ctx, tx, p.WorldID)
		if err != nil {
			return err
		}
		stored, err := scanPost(tx.QueryRow(ctx, postSelect+` WHERE p.id = $2`, "", p.ID))
		if err == nil {
			out = stored
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var worldID string
		var owner *string
		err = tx.QueryRow(ctx, `SELECT world_id, owner_id FROM characters WHERE id = $1 FOR KEY SHARE`, p.CharacterID).Scan(&worldID, &owner)
		if errors.Is(err, pgx.ErrNoRows) {
			return generia.Errorf(generia.KindNotFound, "character %s not found", p.CharacterID)
		}
		if err != nil {
			return err
		}
		if worldID != p.WorldID {
			return generia.Errorf(generia.KindInvalid, "character %s is not in world %s", p.CharacterID, p.WorldID)
		}
		generated := fromNull(owner) == ""
		if generated {
			if !found {
				return generia.Errorf(generia.KindNotFound, "generation status of world %s not found", p.WorldID)
			}
			if err := stopped(st); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `INSERT INTO posts (id, world_id, character_id, caption, hashtags, media_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
			p.ID, p.WorldID, p.CharacterID, p.Caption, hashtags, p.MediaID, p.CreatedAt)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			if generated {
				if err := s.countCreated(ctx, tx, p.WorldID, "posts_created"); err != nil {
					return err
				}
			}
			created = true
		}
		// Created meanwhile outside this world's lock when nothing was
		// inserted: the stored post is returned all the same.
		out, err = scanPost(tx.QueryRow(ctx, postSelect+` WHERE p.id = $2`, "", p.ID))
		return err
	})
	if err != nil {
		return generia.Post{}, false, fmt.Errorf("creating post %s: %w", p.ID, translate(err))
	}
	return out, created, nil
}

// Post returns a post with its author fields, its counts, and whether
// viewerID (which may be empty, for a visitor) likes it.
func (s *Store) Post(ctx context.Context, id, viewerID string) (generia.Post, error) {
	p, err := scanPost(s.pool.QueryRow(ctx, postSelect+` WHERE p.id = $2`, viewerID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return generia.Post{}, generia.Errorf(generia.KindNotFound, "post %s not found", id)
	}
	if err != nil {
		return generia.Post{}, fmt.Errorf("reading post %s: %w", id, translate(err))
	}
	return p, nil
}

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
	page = page.Normalize()
	after, ok, err := decodeCursor(page.Cursor, listPosts)
	if err != nil {
		return nil, "", err
	}
	args := sqlArgs{f.ViewerID}
	query := postSelect + ` WHERE `
	// The leading condition picks the index: posts_character_feed for a
	// character's posts, posts_feed for a world's.
	if f.CharacterID != "" {
		query += `p.character_id = ` + args.add(f.CharacterID)
		if f.WorldID != "" {
			query += ` AND p.world_id = ` + args.add(f.WorldID)
		}
	} else {
		query += `p.world_id = ` + args.add(f.WorldID)
	}
	if ok {
		query += ` AND (p.created_at, p.id) < (` + args.add(fromMicros(after.Time)) + `, ` + args.add(after.ID) + `)`
	}
	query += ` ORDER BY p.created_at DESC, p.id DESC LIMIT ` + args.add(page.Limit+1)
	out, err := list(ctx, s.pool, scanPost, query, args...)
	if err == nil && len(out) == 0 {
		// Only an empty page tells a missing world or character from one
		// without posts.
		err = postsOwnerExists(ctx, s.pool, f)
	}
	if err != nil {
		return nil, "", fmt.Errorf("listing posts: %w", translate(err))
	}
	if len(out) <= page.Limit {
		return out, "", nil
	}
	out = out[:page.Limit]
	last := out[len(out)-1]
	return out, encodeCursor(cursor{List: listPosts, Time: micros(last.CreatedAt), ID: last.ID}), nil
}

// postsOwnerExists returns KindNotFound when the world or character a post
// filter names does not exist, or the character is not in the world.
func postsOwnerExists(ctx context.Context, q querier, f generia.PostFilter) error {
	if f.CharacterID == "" {
		return worldExists(ctx, q, f.WorldID)
	}
	var worldID string
	err := q.QueryRow(ctx, `SELECT world_id FROM characters WHERE id = $1`, f.CharacterID).Scan(&worldID)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && f.WorldID != "" && worldID != f.WorldID) {
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
	out, err := list(ctx, s.pool, scanCharacter, `SELECT `+characterColumns+` FROM characters
		WHERE owner_id = $1 AND world_id = $2 ORDER BY created_at, id`, userID, worldID)
	if err == nil && len(out) == 0 {
		err = worldExists(ctx, s.pool, worldID)
	}
	if err != nil {
		return nil, fmt.Errorf("listing the characters of user %s in world %s: %w", userID, worldID, translate(err))
	}
	return out, nil
}

// CountCharacterPosts returns how many posts a character has. An unknown
// character gives KindNotFound.
func (s *Store) CountCharacterPosts(ctx context.Context, characterID string) (int, error) {
	var found bool
	var n int
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM characters WHERE id = $1),
			(SELECT COUNT(*) FROM posts WHERE character_id = $1)`, characterID).Scan(&found, &n)
	if err != nil {
		return 0, fmt.Errorf("counting the posts of character %s: %w", characterID, translate(err))
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
	err := s.pool.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM worlds WHERE id = $1),
			(SELECT COUNT(*) FROM characters WHERE world_id = $1),
			(SELECT COUNT(*) FROM posts WHERE world_id = $1),
			(SELECT COUNT(*) FROM media WHERE world_id = $1)`,
		worldID).Scan(&found, &n.Characters, &n.Posts, &n.Media)
	if err != nil {
		return generia.ContentCounts{}, fmt.Errorf("counting the content of world %s: %w", worldID, translate(err))
	}
	if !found {
		return generia.ContentCounts{}, generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	return n, nil
}

const mediaColumns = `id, world_id, character_id, owner_id, kind, content_type, size, width, height, object_key, created_at`

func scanMedia(row scanner) (generia.Media, error) {
	var m generia.Media
	var owner *string
	err := row.Scan(&m.ID, &m.WorldID, &m.CharacterID, &owner, &m.Kind, &m.ContentType, &m.Size, &m.Width, &m.Height, &m.ObjectKey, &m.CreatedAt)
	if err != nil {
		return generia.Media{}, err
	}
	m.OwnerID = fromNull(owner)
	m.CreatedAt = m.CreatedAt.UTC()
	return m, nil
}

// CreateMedia records a stored image with a caller-chosen ID; an existing ID
// gives the stored record and created=false. A generated image (empty
// OwnerID) counts images_created in the same transaction. Unlike characters
// and posts, media are recorded even after the generation stopped: the image
// exists and was paid for. An unknown world gives KindNotFound. A zero
// CreatedAt is the store's clock. Like CreateCharacter, it locks the world's
// status record first.
func (s *Store) CreateMedia(ctx context.Context, m generia.Media) (generia.Media, bool, error) {
	if err := required("media ID", m.ID, "world ID", m.WorldID); err != nil {
		return generia.Media{}, false, err
	}
	m.CreatedAt = s.stamp(m.CreatedAt)
	var out generia.Media
	var created bool
	err := s.write(ctx, func(tx pgx.Tx) error {
		created = false
		if _, _, err := lockStatus(ctx, tx, m.WorldID); err != nil {
			return err
		}
		stored, err := scanMedia(tx.QueryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = $1`, m.ID))
		if err == nil {
			out = stored
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if err := keepWorld(ctx, tx, m.WorldID); err != nil {
			return err
		}
		out, err = scanMedia(tx.QueryRow(ctx, `INSERT INTO media (`+mediaColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (id) DO NOTHING RETURNING `+mediaColumns,
			m.ID, m.WorldID, m.CharacterID, nullString(m.OwnerID), m.Kind, m.ContentType, m.Size, m.Width, m.Height, m.ObjectKey, m.CreatedAt))
		if errors.Is(err, pgx.ErrNoRows) {
			// Created meanwhile outside this world's lock: keep that one.
			out, err = scanMedia(tx.QueryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = $1`, m.ID))
			return err
		}
		if err != nil {
			return err
		}
		if m.OwnerID == "" {
			if err := s.countCreated(ctx, tx, m.WorldID, "images_created"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM paid_images WHERE id = $1`, m.ID); err != nil {
				return err
			}
		}
		created = true
		return nil
	})
	if err != nil {
		return generia.Media{}, false, fmt.Errorf("creating media %s: %w", m.ID, translate(err))
	}
	return out, created, nil
}

// Media returns a media record.
func (s *Store) Media(ctx context.Context, id string) (generia.Media, error) {
	m, err := scanMedia(s.pool.QueryRow(ctx, `SELECT `+mediaColumns+` FROM media WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return generia.Media{}, generia.Errorf(generia.KindNotFound, "media %s not found", id)
	}
	if err != nil {
		return generia.Media{}, fmt.Errorf("reading media %s: %w", id, translate(err))
	}
	return m, nil
}

// UploadUsage is how many images a user uploaded since a time, and their
// bytes.
func (s *Store) UploadUsage(ctx context.Context, ownerID string, since time.Time) (int, int64, error) {
	var n int
	var size int64
	err := s.pool.QueryRow(ctx, `SELECT COUNT(*), COALESCE(SUM(size), 0) FROM media WHERE owner_id = $1 AND created_at >= $2`,
		ownerID, normTime(since)).Scan(&n, &size)
	if err != nil {
		return 0, 0, fmt.Errorf("reading the uploads of user %s: %w", ownerID, translate(err))
	}
	return n, size, nil
}

// unusedUpload is the condition of an upload that nothing uses.
const unusedUpload = `owner_id IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM posts WHERE posts.media_id = media.id)
	AND NOT EXISTS (SELECT 1 FROM characters WHERE characters.avatar_media_id = media.id)`

// UnusedUploads lists the oldest uploads made before a time that nothing
// uses.
func (s *Store) UnusedUploads(ctx context.Context, before time.Time, limit int) ([]generia.Media, error) {
	out, err := list(ctx, s.pool, scanMedia, `SELECT `+mediaColumns+` FROM media
		WHERE created_at < $1 AND `+unusedUpload+` ORDER BY created_at, id LIMIT $2`, normTime(before), limit)
	if err != nil {
		return nil, fmt.Errorf("listing unused uploads: %w", translate(err))
	}
	return out, nil
}

// DeleteUnusedUpload deletes an upload if nothing uses it.
func (s *Store) DeleteUnusedUpload(ctx context.Context, id string) (string, bool, error) {
	var key string
	err := s.pool.QueryRow(ctx, `DELETE FROM media WHERE id = $1 AND `+unusedUpload+` RETURNING object_key`, id).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("deleting unused upload %s: %w", id, translate(err))
	}
	return key, true, nil
}
