package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/generia/generia/internal/generia"
)

// SpendByDay is the providers' cost and calls per UTC day since a time,
// from the provider call ledger, oldest day first; a day without calls has
// no entry. The ledger of a deleted world went with it.
func (s *Store) SpendByDay(ctx context.Context, since time.Time) ([]generia.DaySpend, error) {
	out, err := list(ctx, s.reads, func(row scanner) (generia.DaySpend, error) {
		var d generia.DaySpend
		err := row.Scan(&d.Day, &d.CostUSD, &d.Calls)
		return d, err
	}, `SELECT `+s.d.Day("created_at")+` AS day, COALESCE(SUM(cost_usd), 0), COUNT(*) FROM provider_calls
		WHERE created_at >= ? GROUP BY day ORDER BY day`, s.at(since))
	if err != nil {
		return nil, fmt.Errorf("reading the spending by day: %w", s.translate(err))
	}
	return out, nil
}

// TopAccounts lists the n accounts whose worlds cost most since a time,
// most costly first, with their usernames ("" for an account that is
// gone). Worlds without an owner count for no account. An n below 1 gives
// KindInvalid.
func (s *Store) TopAccounts(ctx context.Context, since time.Time, n int) ([]generia.Spender, error) {
	return s.topSpenders(ctx, "accounts", `w.owner_id, COALESCE(u.username, '')`,
		`LEFT JOIN users u ON u.id = w.owner_id WHERE w.owner_id <> '' AND`, since, n)
}

// TopWorlds lists the n worlds that cost most since a time, most costly
// first, with their names. An n below 1 gives KindInvalid.
func (s *Store) TopWorlds(ctx context.Context, since time.Time, n int) ([]generia.Spender, error) {
	return s.topSpenders(ctx, "worlds", `w.id, w.name`, `WHERE`, since, n)
}

// topSpenders groups the ledger since a time by key (its ID and name
// columns) and returns the n most costly groups, ties by ID.
func (s *Store) topSpenders(ctx context.Context, what, key, where string, since time.Time, n int) ([]generia.Spender, error) {
	if n < 1 {
		return nil, generia.Errorf(generia.KindInvalid, "the number of top %s must be at least 1, not %d", what, n)
	}
	out, err := list(ctx, s.reads, func(row scanner) (generia.Spender, error) {
		var sp generia.Spender
		err := row.Scan(&sp.ID, &sp.Name, &sp.CostUSD, &sp.Calls)
		return sp, err
	}, `SELECT `+key+`, SUM(c.cost_usd) AS cost, COUNT(*) FROM provider_calls c JOIN worlds w ON w.id = c.world_id
		`+where+` c.created_at >= ? GROUP BY `+key+` ORDER BY cost DESC, 1`+limit(n), s.at(since))
	if err != nil {
		return nil, fmt.Errorf("reading the top %s by cost: %w", what, s.translate(err))
	}
	return out, nil
}
