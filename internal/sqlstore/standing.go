package sqlstore

import (
	"context"
	"fmt"

	"github.com/generia/generia/internal/generia"
)

// AwakeWorlds lists the worlds whose life is awake, as their records say.
func (s *Store) AwakeWorlds(ctx context.Context) ([]string, error) {
	rows, err := s.reads.Query(ctx, `SELECT world_id FROM life_records WHERE state = ? ORDER BY updated_at DESC LIMIT 100`, generia.LifeAwake)
	if err != nil {
		return nil, fmt.Errorf("listing awake worlds: %w", s.translate(err))
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
