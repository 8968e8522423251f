package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/generia/generia/internal/generia"
)

// LifeSettings returns the life settings a world's owner set.
func (s *Store) LifeSettings(ctx context.Context, worldID string) (generia.LifeSettings, error) {
	return readOne(ctx, s, func(row scanner) (generia.LifeSettings, error) {
		var l generia.LifeSettings
		err := row.Scan(&l.Enabled, &l.Paused, &l.ActionsPerHour, &l.DailyCalls, &l.DailyBudgetUSD)
		return l, err
	}, "life settings of world "+worldID, `SELECT enabled, paused, actions_per_hour, daily_calls, daily_budget_usd
		FROM world_life WHERE world_id = ?`, worldID)
}

// SetLifeSettings stores a world's life settings, replacing any before.
func (s *Store) SetLifeSettings(ctx context.Context, worldID string, l generia.LifeSettings, now time.Time) error {
	if err := l.Validate(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx handle) error {
		if err := s.keepWorld(ctx, tx, worldID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO world_life (world_id, enabled, paused, actions_per_hour, daily_calls, daily_budget_usd, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (world_id) DO UPDATE SET enabled = excluded.enabled, paused = excluded.paused,
				actions_per_hour = excluded.actions_per_hour, daily_calls = excluded.daily_calls,
				daily_budget_usd = excluded.daily_budget_usd, updated_at = excluded.updated_at`,
			worldID, l.Enabled, l.Paused, l.ActionsPerHour, l.DailyCalls, l.DailyBudgetUSD, s.at(s.stamp(now)))
		return err
	})
	if err != nil {
		return fmt.Errorf("storing the life settings of world %s: %w", worldID, s.translate(err))
	}
	return nil
}

// ReserveLifeCall counts one call in a life day. The count and its checks
// are one conditional UPDATE of the day's row, which the database applies
// to the row the previous reservation left, so concurrent reservations
// never pass the ceiling of calls. The budget check sees the cost of the
// calls recorded, so calls in flight may pass it by their own cost. The
// settings are clamped to the ceilings of the world's owner as they are
// now, and the call counts in the owner's day too (see ReserveCall).
func (s *Store) ReserveLifeCall(ctx context.Context, worldID, day string, l generia.LifeSettings) (generia.LifeDay, error) {
	if err := required("world ID", worldID, "day", day); err != nil {
		return generia.LifeDay{}, err
	}
	d := generia.LifeDay{WorldID: worldID, Day: day}
	err := s.write(ctx, func(tx handle) error {
		if err := s.keepWorld(ctx, tx, worldID); err != nil {
			return err
		}
		p, err := s.payerOf(ctx, tx, worldID)
		if err != nil {
			return err
		}
		// The world lives under its owner's ceilings as they are now, even
		// if its settings were chosen under higher ones.
		l = p.ceilings.Clamp(l)
		if _, err := tx.Exec(ctx, `INSERT INTO life_days (world_id, day) VALUES (?, ?) ON CONFLICT (world_id, day) DO NOTHING`, worldID, day); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE life_days SET calls = calls + 1
			WHERE world_id = ? AND day = ? AND calls < ? AND (cost_usd < ? OR cost_usd <= 0)`,
			worldID, day, l.DailyCalls, l.DailyBudgetUSD)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT calls, cost_usd FROM life_days WHERE world_id = ? AND day = ?`, worldID, day).Scan(&d.Calls, &d.CostUSD); err != nil {
			return err
		}
		if !changed(tag) {
			if err := d.Refuse(l); err != nil {
				return err
			}
			return generia.Errorf(generia.KindLimit, "the world reached a ceiling of %s", day)
		}
		return s.chargeCall(ctx, tx, p, day)
	})
	if err != nil {
		return d, fmt.Errorf("reserving a life call for world %s: %w", worldID, s.translate(err))
	}
	return d, nil
}

// LifeDay returns what a day of a world's life spent.
func (s *Store) LifeDay(ctx context.Context, worldID, day string) (generia.LifeDay, error) {
	d := generia.LifeDay{WorldID: worldID, Day: day}
	err := s.reads.QueryRow(ctx, `SELECT COALESCE(SUM(calls), 0), COALESCE(SUM(cost_usd), 0) FROM life_days WHERE world_id = ? AND day = ?`,
		worldID, day).Scan(&d.Calls, &d.CostUSD)
	if err == nil && d.Calls == 0 {
		err = worldExists(ctx, s.reads, worldID)
	}
	if err != nil {
		return d, fmt.Errorf("reading the life day %s of world %s: %w", day, worldID, s.translate(err))
	}
	return d, nil
}

// RecordLife stores a world's life record, replacing the one before.
func (s *Store) RecordLife(ctx context.Context, r generia.LifeRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx handle) error {
		if err := s.keepWorld(ctx, tx, r.WorldID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO life_records (world_id, state, day, actions_today, calls_today, cost_today_usd, waiting,
				next_action_at, last_viewed_at, rests_until, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (world_id) DO UPDATE SET state = excluded.state, day = excluded.day,
				actions_today = excluded.actions_today, calls_today = excluded.calls_today,
				cost_today_usd = excluded.cost_today_usd, waiting = excluded.waiting,
				next_action_at = excluded.next_action_at, last_viewed_at = excluded.last_viewed_at,
				rests_until = excluded.rests_until, updated_at = excluded.updated_at`,
			r.WorldID, r.State, r.Day, r.ActionsToday, r.CallsToday, r.CostTodayUSD, r.Waiting,
			s.atZero(r.NextActionAt), s.atZero(r.LastViewedAt), s.atZero(r.RestsUntil), s.at(s.stamp(r.UpdatedAt)))
		return err
	})
	if err != nil {
		return fmt.Errorf("recording the life of world %s: %w", r.WorldID, s.translate(err))
	}
	return nil
}

// LifeRecord returns a world's life record.
func (s *Store) LifeRecord(ctx context.Context, worldID string) (generia.LifeRecord, error) {
	return readOne(ctx, s, func(row scanner) (generia.LifeRecord, error) {
		r := generia.LifeRecord{WorldID: worldID}
		var next, viewed, rests *time.Time
		err := row.Scan(&r.State, &r.Day, &r.ActionsToday, &r.CallsToday, &r.CostTodayUSD, &r.Waiting,
			optTimeInto(&next), optTimeInto(&viewed), optTimeInto(&rests), timeInto(&r.UpdatedAt))
		for _, t := range []struct {
			to   *time.Time
			from *time.Time
		}{{&r.NextActionAt, next}, {&r.LastViewedAt, viewed}, {&r.RestsUntil, rests}} {
			if t.from != nil {
				*t.to = *t.from
			}
		}
		return r, err
	}, "life record of world "+worldID, `SELECT state, day, actions_today, calls_today, cost_today_usd, waiting,
		next_action_at, last_viewed_at, rests_until, updated_at FROM life_records WHERE world_id = ?`, worldID)
}

// WakeLife records a sleeping (or never recorded) life awake, in one
// conditional upsert: a life the workflow recorded in another state in the
// meantime keeps it.
func (s *Store) WakeLife(ctx context.Context, worldID string, at time.Time) (bool, error) {
	woke := false
	err := s.write(ctx, func(tx handle) error {
		if err := s.keepWorld(ctx, tx, worldID); err != nil {
			return err
		}
		at := s.stamp(at)
		tag, err := tx.Exec(ctx, `INSERT INTO life_records (world_id, state, day, last_viewed_at, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (world_id) DO UPDATE SET state = excluded.state, last_viewed_at = excluded.last_viewed_at,
				updated_at = excluded.updated_at
			WHERE life_records.state = ?`,
			worldID, generia.LifeAwake, generia.DayOf(at), s.at(at), s.at(at), generia.LifeAsleep)
		woke = err == nil && changed(tag)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("waking the life of world %s: %w", worldID, s.translate(err))
	}
	return woke, nil
}

// atZero is the argument form of an optional time: NULL when zero.
func (s *Store) atZero(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.at(t)
}
