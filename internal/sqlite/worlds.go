package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"

	"github.com/generia/generia/internal/generia"
)

const worldColumns = `id, owner_id, name, prompt, description, params, characters_count, posts_count,
	header_media_id, icon_media_id, visibility, llm_provider, image_provider, workflow_id, created_at, updated_at`

// selectWorlds reads worlds with their generation status.
const selectWorlds = `SELECT w.id, w.owner_id, w.name, w.prompt, w.description, w.params, w.characters_count, w.posts_count,
	w.header_media_id, w.icon_media_id, w.visibility, w.llm_provider, w.image_provider, w.workflow_id, w.created_at, w.updated_at,
	COALESCE(g.status, '')
	FROM worlds w LEFT JOIN generation_status g ON g.world_id = w.id`

func scanWorld(row scanner) (generia.World, error) {
	var w generia.World
	var params sql.NullString
	var created, updated int64
	err := row.Scan(&w.ID, &w.OwnerID, &w.Name, &w.Prompt, &w.Description, &params, &w.CharactersCount, &w.PostsCount,
		&w.HeaderMediaID, &w.IconMediaID, &w.Visibility, &w.Providers.LLM, &w.Providers.Image, &w.WorkflowID, &created, &updated,
		&w.Status)
	if err != nil {
		return generia.World{}, err
	}
	w.Params = fromJSONText(params)
	w.CreatedAt = fromMicros(created)
	w.UpdatedAt = fromMicros(updated)
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
// other creates keyed by a caller-chosen ID.
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
	params, err := jsonText("world parameters", w.Params)
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
	status.UsersCreated, status.PostsCreated, status.ImagesCreated = 0, 0, 0
	err = s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO worlds (`+worldColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			w.ID, w.OwnerID, w.Name, w.Prompt, w.Description, params, w.CharactersCount, w.PostsCount,
			w.HeaderMediaID, w.IconMediaID, w.Visibility, w.Providers.LLM, w.Providers.Image, w.WorkflowID,
			micros(w.CreatedAt), micros(normTime(w.UpdatedAt)))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		if n == 0 {
			return nil // the world exists: keep it and its status as they are
		}
		return insertStatus(ctx, tx, status)
	})
	if err != nil {
		return fmt.Errorf("creating world %s: %w", w.ID, err)
	}
	return nil
}

// World returns a world.
func (s *Store) World(ctx context.Context, id string) (generia.World, error) {
	w, err := scanWorld(s.reader.QueryRowContext(ctx, selectWorlds+` WHERE w.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return generia.World{}, generia.Errorf(generia.KindNotFound, "world %s not found", id)
	}
	if err != nil {
		return generia.World{}, fmt.Errorf("reading world %s: %w", id, err)
	}
	return w, nil
}

// ListWorlds returns worlds newest first (then by ID, descending): the public
// ones and those owned by viewerID, which may be empty.
func (s *Store) ListWorlds(ctx context.Context, viewerID string, page generia.Page) ([]generia.World, string, error) {
	page = page.Normalize()
	after, ok, err := decodeCursor(page.Cursor, listWorlds)
	if err != nil {
		return nil, "", err
	}
	query := selectWorlds + `
		WHERE (w.visibility = 'public' OR (? <> '' AND w.owner_id = ?))`
	args := []any{viewerID, viewerID}
	if ok {
		query += ` AND (w.created_at, w.id) < (?, ?)`
		args = append(args, after.Time, after.ID)
	}
	query += ` ORDER BY w.created_at DESC, w.id DESC LIMIT ?`
	args = append(args, page.Limit+1)
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, "", fmt.Errorf("listing worlds: %w", err)
	}
	defer rows.Close()
	var out []generia.World
	for rows.Next() {
		w, err := scanWorld(rows)
		if err != nil {
			return nil, "", fmt.Errorf("listing worlds: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, "", fmt.Errorf("listing worlds: %w", err)
	}
	if len(out) <= page.Limit {
		return out, "", nil
	}
	out = out[:page.Limit]
	last := out[len(out)-1]
	return out, encodeCursor(cursor{List: listWorlds, Time: micros(last.CreatedAt), ID: last.ID}), nil
}

// CountWorlds returns how many worlds exist.
func (s *Store) CountWorlds(ctx context.Context) (int, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT COUNT(*) FROM worlds`).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting worlds: %w", err)
	}
	return n, nil
}

// SetWorldDescription stores a world's generated description and parameters.
// The name is replaced only when the world has none.
func (s *Store) SetWorldDescription(ctx context.Context, worldID, name, description string, params json.RawMessage) error {
	p, err := jsonText("world parameters", params)
	if err != nil {
		return err
	}
	err = s.updateWorld(ctx, worldID, `name = CASE WHEN name = '' THEN ? ELSE name END, description = ?, params = ?`,
		name, description, p)
	if err != nil {
		return fmt.Errorf("setting the description of world %s: %w", worldID, err)
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
		return fmt.Errorf("setting the images of world %s: %w", worldID, err)
	}
	return nil
}

// updateWorld applies set to a world and stamps updated_at, never moving it
// backwards.
func (s *Store) updateWorld(ctx context.Context, worldID, set string, args ...any) error {
	args = append(args, micros(s.now()), worldID)
	res, err := s.writer.ExecContext(ctx, `UPDATE worlds SET `+set+`, updated_at = MAX(updated_at, ?) WHERE id = ?`, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	return nil
}
