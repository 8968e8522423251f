package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
)

const worldColumns = `id, owner_id, name, prompt, description, params, characters_count, posts_count,
	header_media_id, icon_media_id, visibility, llm_provider, image_provider, workflow_id, created_at, updated_at`

// selectWorlds reads worlds with their generation status and created-item
// counters.
const selectWorlds = `SELECT w.id, w.owner_id, w.name, w.prompt, w.description, w.params, w.characters_count, w.posts_count,
	w.header_media_id, w.icon_media_id, w.visibility, w.llm_provider, w.image_provider, w.workflow_id, w.created_at, w.updated_at,
	COALESCE(g.status, ''), COALESCE(g.users_created, 0), COALESCE(g.posts_created, 0), ` + worldPostCount + `,
	w.review_state, w.review_labels, w.review_reason, w.frozen
	FROM worlds w LEFT JOIN generation_status g ON g.world_id = w.id`

func scanWorld(row scanner) (generia.World, error) {
	var w generia.World
	var params sql.NullString
	err := row.Scan(&w.ID, &w.OwnerID, &w.Name, &w.Prompt, &w.Description, &params, &w.CharactersCount, &w.PostsCount,
		&w.HeaderMediaID, &w.IconMediaID, &w.Visibility, &w.Providers.LLM, &w.Providers.Image, &w.WorkflowID, timeInto(&w.CreatedAt), timeInto(&w.UpdatedAt),
		&w.Status, &w.CharactersMade, &w.PostsMade, &w.Posts, &w.Review.State, labelsInto(&w.Review.Labels), &w.Review.Reason, &w.Frozen)
	if err != nil {
		return generia.World{}, err
	}
	w.Params = fromJSON(params)
	return w, nil
}

// CreateWorld creates a world together with its initial status record, in
// one transaction.
//
// An empty visibility means public. A zero CreatedAt is the store's clock, a
// zero UpdatedAt the CreatedAt; the status record's zero times default to the
// world's. The status's created-item counters start at zero whatever they
// say, since no item exists yet; a budget (BudgetUSD) must be 0, for none,
// or a positive amount. Creating an existing world ID again is a no-op that
// returns nil and leaves the stored world and status unchanged, like the
// other creates keyed by a caller-chosen ID; of two concurrent creates of one
// ID, the second waits for the first and then changes nothing.
func (s *Store) CreateWorld(ctx context.Context, w generia.World, status generia.GenerationStatus) error {
	if err := required("world ID", w.ID); err != nil {
		return err
	}
	if status.WorldID != "" && status.WorldID != w.ID {
		return generia.Errorf(generia.KindInvalid, "the status record is for world %s, not %s", status.WorldID, w.ID)
	}
	status.WorldID = w.ID
	switch w.Visibility {
	case "":
		w.Visibility = generia.VisibilityPublic
	case generia.VisibilityPublic, generia.VisibilityPrivate:
	default:
		return generia.Errorf(generia.KindInvalid, "visibility must be %q or %q", generia.VisibilityPublic, generia.VisibilityPrivate)
	}
	if status.Status == "" {
		status.Status = generia.StatusPending
	}
	if b := status.BudgetUSD; b < 0 || math.IsNaN(b) || math.IsInf(b, 0) {
		return generia.Errorf(generia.KindInvalid, "invalid budget %v: want 0 (none) or an amount of dollars", b)
	}
	params, err := jsonArg("world parameters", w.Params)
	if err != nil {
		return err
	}
	w.CreatedAt = s.stamp(w.CreatedAt)
	if w.UpdatedAt.IsZero() {
		w.UpdatedAt = w.CreatedAt
	}
	if status.CreatedAt.IsZero() {
		status.CreatedAt = w.CreatedAt
	}
	if status.UpdatedAt.IsZero() {
		status.UpdatedAt = status.CreatedAt
	}
	status.CharactersCreated, status.PostsCreated, status.ImagesCreated = 0, 0, 0
	err = s.write(ctx, func(tx handle) error {
		tag, err := tx.Exec(ctx, `INSERT INTO worlds (`+worldColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			w.ID, w.OwnerID, w.Name, w.Prompt, w.Description, params, w.CharactersCount, w.PostsCount,
			w.HeaderMediaID, w.IconMediaID, w.Visibility, w.Providers.LLM, w.Providers.Image, w.WorkflowID,
			s.at(w.CreatedAt), s.at(w.UpdatedAt))
		if err != nil {
			return err
		}
		if !changed(tag) {
			return nil // the world exists: keep it and its status as they are
		}
		return s.insertStatus(ctx, tx, status)
	})
	if err != nil {
		return fmt.Errorf("creating world %s: %w", w.ID, s.translate(err))
	}
	return nil
}

// World returns a world.
func (s *Store) World(ctx context.Context, id string) (generia.World, error) {
	return readOne(ctx, s, scanWorld, "world "+id, selectWorlds+` WHERE w.id = ?`, id)
}

// worldPostCount counts a world's posts (an index range of posts_feed).
const worldPostCount = `(SELECT COUNT(*) FROM posts p WHERE p.world_id = w.id)`

// worldPages pages worlds in each order of generia.WorldFilter.Sort.
var worldPages = map[string]keyset[generia.World]{
	generia.SortNewest: {list: listWorlds, columns: `w.created_at, w.id`, desc: true, scan: scanWorld,
		key: func(w generia.World) cursor { return cursor{Time: micros(w.CreatedAt), ID: w.ID} }},
	generia.SortOldest: {list: listWorldsOldest, columns: `w.created_at, w.id`, scan: scanWorld,
		key: func(w generia.World) cursor { return cursor{Time: micros(w.CreatedAt), ID: w.ID} }},
	generia.SortPosts: {list: listWorldsPosts, columns: worldPostCount + `, w.created_at, w.id`, pos: true, desc: true, scan: scanWorld,
		key: func(w generia.World) cursor { return cursor{Pos: w.Posts, Time: micros(w.CreatedAt), ID: w.ID} }},
}

// ListWorlds returns worlds in the filter's order (newest first by default;
// ties by ID), as the filter says:
//
//   - ScopeAll (or an empty scope): the public worlds and those the viewer
//     owns or joined;
//   - ScopePublic: the public worlds only;
//   - ScopeMine: the worlds the viewer owns;
//   - ScopeJoined: the worlds the viewer joined but does not own.
//
// A visitor (empty ViewerID) owns and joined nothing. A Status keeps only the
// worlds whose generation has that status. An unknown scope, status or
// order gives KindInvalid.
func (s *Store) ListWorlds(ctx context.Context, f generia.WorldFilter, page generia.Page) ([]generia.World, string, error) {
	pages, ok := worldPages[cmp.Or(f.Sort, generia.SortNewest)]
	if !ok {
		return nil, "", generia.Errorf(generia.KindInvalid, "unknown world order %q: want %q, %q or %q", f.Sort, generia.SortNewest, generia.SortOldest, generia.SortPosts)
	}
	return listPage(ctx, s, pages, page, "worlds", func(args *sqlArgs) (string, error) {
		where, err := worldsWhere(f, args)
		return selectWorlds + ` WHERE ` + where, err
	}, nil)
}

// worldsWhere is the condition on the worlds a filter shows, with its
// arguments added to args. An unknown scope or status gives KindInvalid.
func worldsWhere(f generia.WorldFilter, args *sqlArgs) (string, error) {
	viewer := func() string { return args.add(f.ViewerID) }
	member := func(viewer string) string {
		return `EXISTS (SELECT 1 FROM world_members m WHERE m.world_id = w.id AND m.user_id = ` + viewer + `)`
	}
	var where string
	switch f.Scope {
	case "", generia.ScopeAll:
		where = `(w.visibility = 'public' OR (` + viewer() + ` <> '' AND (w.owner_id = ` + viewer() + ` OR ` + member(viewer()) + `)))`
	case generia.ScopePublic:
		where = `w.visibility = 'public'`
	case generia.ScopeMine:
		where = viewer() + ` <> '' AND w.owner_id = ` + viewer()
	case generia.ScopeJoined:
		where = `w.owner_id <> ` + viewer() + ` AND ` + member(viewer())
	default:
		return "", generia.Errorf(generia.KindInvalid, "unknown world scope %q: want %q, %q, %q or %q",
			f.Scope, generia.ScopeAll, generia.ScopePublic, generia.ScopeMine, generia.ScopeJoined)
	}
	if f.Status != "" {
		if !knownStatus(f.Status) {
			return "", generia.Errorf(generia.KindInvalid, "unknown generation status %q", f.Status)
		}
		where += ` AND g.status = ` + args.add(f.Status)
	}
	if f.Search != "" {
		pattern := "%" + likeEscaper.Replace(strings.ToLower(f.Search)) + "%"
		var in []string
		for _, column := range []string{"w.name", "w.description", "w.prompt"} {
			in = append(in, `lower(`+column+`) LIKE `+args.add(pattern)+` ESCAPE '\'`)
		}
		where += ` AND (` + strings.Join(in, " OR ") + `)`
	}
	return where, nil
}

// likeEscaper makes a text match itself in a LIKE pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// knownStatus reports whether status is one of the generation statuses.
func knownStatus(status string) bool {
	switch status {
	case generia.StatusPending, generia.StatusInProgress, generia.StatusCompleted, generia.StatusFailed, generia.StatusCancelled:
		return true
	}
	return false
}

// DeleteWorld deletes a world and everything in it in one transaction: the
// foreign keys cascade from the world to its status record, artifacts,
// ledger, members, characters, posts (and their likes and comments) and media
// records; and the notifications of the world. It returns the object keys of the world's media, read in the same
// transaction, oldest first, for the caller to delete from the media store.
// The world is locked before its media are read, so no medium is recorded
// in it between the read and the delete. An unknown world gives
// KindNotFound.
func (s *Store) DeleteWorld(ctx context.Context, worldID string) ([]string, error) {
	var keys []string
	err := s.write(ctx, func(tx handle) error {
		// Status record first, then world: the order in which creates
		// take their locks.
		if _, _, err := s.lockStatus(ctx, tx, worldID); err != nil {
			return err
		}
		if err := mustExist(ctx, tx, "worlds", "world", worldID, s.d.ForUpdate); err != nil {
			return err
		}
		var err error
		keys, err = list(ctx, tx, scanString, `SELECT object_key FROM media
			WHERE world_id = ? AND object_key <> '' ORDER BY created_at, id`, worldID)
		if err != nil {
			return err
		}
		// Comments and likes first: those of characters refer to them
		// without a cascade, and PostgreSQL may cascade to the characters
		// before the posts take their comments and likes along.
		// Notifications have no foreign key to their world: most have
		// one, some (a strike's) none.
		for _, q := range []string{
			`DELETE FROM comments WHERE post_id IN (SELECT id FROM posts WHERE world_id = ?)`,
			`DELETE FROM likes WHERE post_id IN (SELECT id FROM posts WHERE world_id = ?)`,
			`DELETE FROM notifications WHERE world_id = ?`,
		} {
			if _, err := tx.Exec(ctx, q, worldID); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `DELETE FROM worlds WHERE id = ?`, worldID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("deleting world %s: %w", worldID, s.translate(err))
	}
	return keys, nil
}

// JoinWorld makes a user a member of a world and tells its owner
// (NotifyJoined); joining again, or joining one's own world, is a no-op. An unknown world or user gives KindNotFound.
// Whether the user may join (a private world) is the caller's decision.
func (s *Store) JoinWorld(ctx context.Context, worldID, userID string, now time.Time) error {
	if err := required("world ID", worldID, "user ID", userID); err != nil {
		return err
	}
	err := s.write(ctx, func(tx handle) error {
		owner, err := worldOwner(ctx, tx, worldID, s.d.ForKeyShare)
		if err != nil {
			return err
		}
		if owner == userID {
			return nil
		}
		if err := s.keepUser(ctx, tx, userID); err != nil {
			return err
		}
		now = s.stamp(now)
		tag, err := tx.Exec(ctx, `INSERT INTO world_members (world_id, user_id, joined_at) VALUES (?, ?, ?)
			ON CONFLICT (world_id, user_id) DO NOTHING`, worldID, userID, s.at(now))
		if err != nil || !changed(tag) {
			return err
		}
		return s.notifyJoined(ctx, tx, worldID, userID, now)
	})
	if err != nil {
		return fmt.Errorf("joining world %s: %w", worldID, s.translate(err))
	}
	return nil
}

// LeaveWorld ends a membership; leaving a world one is not a member of is a
// no-op. The owner cannot leave (KindInvalid); an unknown world gives
// KindNotFound.
func (s *Store) LeaveWorld(ctx context.Context, worldID, userID string) error {
	if err := required("world ID", worldID, "user ID", userID); err != nil {
		return err
	}
	err := s.write(ctx, func(tx handle) error {
		owner, err := worldOwner(ctx, tx, worldID, "")
		if err != nil {
			return err
		}
		if owner == userID {
			return generia.Errorf(generia.KindInvalid, "the creator of a world cannot leave it")
		}
		_, err = tx.Exec(ctx, `DELETE FROM world_members WHERE world_id = ? AND user_id = ?`, worldID, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("leaving world %s: %w", worldID, s.translate(err))
	}
	return nil
}

// IsMember reports whether a user owns or joined a world. An empty user ID
// (a visitor) is never a member; an unknown world gives KindNotFound.
func (s *Store) IsMember(ctx context.Context, worldID, userID string) (bool, error) {
	var member bool
	err := s.reads.QueryRow(ctx, `SELECT ? <> '' AND (w.owner_id = ?
			OR EXISTS (SELECT 1 FROM world_members m WHERE m.world_id = w.id AND m.user_id = ?))
		FROM worlds w WHERE w.id = ?`, userID, userID, userID, worldID).Scan(&member)
	if errors.Is(err, sql.ErrNoRows) {
		return false, generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	if err != nil {
		return false, fmt.Errorf("checking membership of world %s: %w", worldID, s.translate(err))
	}
	return member, nil
}

// worldOwner returns a world's owner ID, or KindNotFound. lock is appended to
// the query.
func worldOwner(ctx context.Context, q handle, worldID, lock string) (string, error) {
	var owner string
	err := q.QueryRow(ctx, `SELECT owner_id FROM worlds WHERE id = ? `+lock, worldID).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return "", generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	return owner, err
}

// CountWorlds returns how many worlds exist.
func (s *Store) CountWorlds(ctx context.Context) (int, error) {
	var n int
	if err := s.reads.QueryRow(ctx, `SELECT COUNT(*) FROM worlds`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting worlds: %w", s.translate(err))
	}
	return n, nil
}

// SetWorldDescription stores a world's generated description and parameters.
// The name is replaced only when the world has none.
func (s *Store) SetWorldDescription(ctx context.Context, worldID, name, description string, params json.RawMessage) error {
	p, err := jsonArg("world parameters", params)
	if err != nil {
		return err
	}
	err = s.updateWorld(ctx, worldID, `name = CASE WHEN name = '' THEN ? ELSE name END, description = ?, params = ?`,
		name, description, p)
	if err != nil {
		return fmt.Errorf("setting the description of world %s: %w", worldID, s.translate(err))
	}
	return nil
}

// SetWorldImages attaches the header and icon media to a world. An empty ID
// leaves that image as it is, so the two can be attached separately.
func (s *Store) SetWorldImages(ctx context.Context, worldID, headerMediaID, iconMediaID string) error {
	err := s.updateWorld(ctx, worldID,
		`header_media_id = CASE WHEN ? = '' THEN header_media_id ELSE ? END,
		icon_media_id = CASE WHEN ? = '' THEN icon_media_id ELSE ? END`,
		headerMediaID, headerMediaID, iconMediaID, iconMediaID)
	if err != nil {
		return fmt.Errorf("setting the images of world %s: %w", worldID, s.translate(err))
	}
	return nil
}

// EditWorld sets a world's name, description and visibility.
func (s *Store) EditWorld(ctx context.Context, worldID, name, description, visibility string) error {
	if err := s.updateWorld(ctx, worldID, `name = ?, description = ?, visibility = ?`, name, description, visibility); err != nil {
		return fmt.Errorf("editing world %s: %w", worldID, s.translate(err))
	}
	return nil
}

// updateWorld applies set, whose placeholders are args, to a world and stamps updated_at, never moving it backwards.
func (s *Store) updateWorld(ctx context.Context, worldID, set string, args ...any) error {
	a := sqlArgs(args)
	query := `UPDATE worlds SET ` + set + `, updated_at = ` + s.d.Greatest + `(updated_at, ` + a.add(s.at(s.now())) + `)
		WHERE id = ` + a.add(worldID)
	tag, err := s.writes.Exec(ctx, query, a...)
	if err != nil {
		return err
	}
	if !changed(tag) {
		return generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	return nil
}
