package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/generia/generia/internal/generia"
)

// UseCeilings sets the operator's ceilings, which every reservation
// applies from then on to the accounts the operator set none for.
func (s *Store) UseCeilings(c generia.Ceilings) { s.ceilings.Store(&c) }

// operatorCeilings are the ceilings UseCeilings set; none before.
func (s *Store) operatorCeilings() generia.Ceilings {
	if c := s.ceilings.Load(); c != nil {
		return *c
	}
	return generia.Ceilings{}
}

// ceilingsOf returns the ceilings of an account: the operator's, with the
// ones the operator set for this account over them; custom says whether
// there are such.
func (s *Store) ceilingsOf(ctx context.Context, q handle, userID string) (c generia.Ceilings, custom bool, err error) {
	c = s.operatorCeilings()
	var actions, budget, lifeBudget sql.NullFloat64
	var calls, lifeCalls sql.NullInt64
	err = q.QueryRow(ctx, `SELECT life_actions_per_hour, life_daily_calls, life_daily_budget_usd, daily_calls, daily_budget_usd
		FROM account_ceilings WHERE user_id = ?`, userID).Scan(&actions, &lifeCalls, &lifeBudget, &calls, &budget)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	if actions.Valid {
		c.LifeActionsPerHour = actions.Float64
	}
	if lifeCalls.Valid {
		c.LifeDailyCalls = int(lifeCalls.Int64)
	}
	if lifeBudget.Valid {
		c.LifeDailyBudgetUSD = lifeBudget.Float64
	}
	if calls.Valid {
		c.DailyCalls = int(calls.Int64)
	}
	if budget.Valid {
		c.DailyBudgetUSD = budget.Float64
	}
	return c, true, nil
}

// AccountCeilings returns an account's ceilings and what its worlds spent
// today. An unknown account gives KindNotFound.
func (s *Store) AccountCeilings(ctx context.Context, userID string) (generia.AccountCeilings, error) {
	a := generia.AccountCeilings{UserID: userID}
	err := func() error {
		if err := mustExist(ctx, s.reads, "users", "user", userID, ""); err != nil {
			return err
		}
		var err error
		if a.Ceilings, a.Custom, err = s.ceilingsOf(ctx, s.reads, userID); err != nil {
			return err
		}
		a.Today, err = s.accountDay(ctx, s.reads, userID, generia.DayOf(s.now()))
		return err
	}()
	if err != nil {
		return a, fmt.Errorf("reading the ceilings of account %s: %w", userID, s.translate(err))
	}
	return a, nil
}

// SetAccountCeilings sets the operator's ceilings of one account, over
// the operator's settings: the values the change sets replace the
// account's, Reset returns the account to the settings first. Numbers
// that are not finite or are negative give KindInvalid and change
// nothing; an unknown account gives KindNotFound.
func (s *Store) SetAccountCeilings(ctx context.Context, userID string, ch generia.CeilingsChange, now time.Time) (generia.AccountCeilings, error) {
	if _, err := ch.Apply(generia.Ceilings{}); err != nil {
		return generia.AccountCeilings{}, err
	}
	err := s.write(ctx, func(tx handle) error {
		if err := s.keepUser(ctx, tx, userID); err != nil {
			return err
		}
		if ch.Reset {
			if _, err := tx.Exec(ctx, `DELETE FROM account_ceilings WHERE user_id = ?`, userID); err != nil {
				return err
			}
		}
		if ch.Sets() == 0 {
			return nil
		}
		// A NULL argument keeps the stored value (or the setting, when
		// there is none).
		_, err := tx.Exec(ctx, `INSERT INTO account_ceilings (user_id, life_actions_per_hour, life_daily_calls, life_daily_budget_usd,
				daily_calls, daily_budget_usd, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (user_id) DO UPDATE SET
				life_actions_per_hour = COALESCE(excluded.life_actions_per_hour, account_ceilings.life_actions_per_hour),
				life_daily_calls = COALESCE(excluded.life_daily_calls, account_ceilings.life_daily_calls),
				life_daily_budget_usd = COALESCE(excluded.life_daily_budget_usd, account_ceilings.life_daily_budget_usd),
				daily_calls = COALESCE(excluded.daily_calls, account_ceilings.daily_calls),
				daily_budget_usd = COALESCE(excluded.daily_budget_usd, account_ceilings.daily_budget_usd),
				updated_at = excluded.updated_at`,
			userID, nullable(ch.LifeActionsPerHour), nullable(ch.LifeDailyCalls), nullable(ch.LifeDailyBudgetUSD),
			nullable(ch.DailyCalls), nullable(ch.DailyBudgetUSD), s.at(s.stamp(now)))
		return err
	})
	if err != nil {
		return generia.AccountCeilings{}, fmt.Errorf("setting the ceilings of account %s: %w", userID, s.translate(err))
	}
	return s.AccountCeilings(ctx, userID)
}

// nullable is the argument form of an optional value: NULL when nil.
func nullable[T any](v *T) any {
	if v == nil {
		return nil
	}
	return *v
}

// WorldCeilings returns the ceilings a world lives under: its owner's, or
// the operator's for a world without an owner. An unknown world gives
// KindNotFound.
func (s *Store) WorldCeilings(ctx context.Context, worldID string) (generia.Ceilings, error) {
	p, err := s.payerOf(ctx, s.reads, worldID)
	if err != nil {
		return generia.Ceilings{}, fmt.Errorf("reading the ceilings of world %s: %w", worldID, s.translate(err))
	}
	return p.ceilings, nil
}

// payer is the account a world's provider calls are charged to.
type payer struct {
	// userID is the world's owner; empty for a world without one.
	userID string
	// counted: the world's calls count in its owner's day (it has an owner
	// and a provider that is not the offline one).
	counted  bool
	ceilings generia.Ceilings
}

// payerOf finds the account a world's calls are charged to.
func (s *Store) payerOf(ctx context.Context, q handle, worldID string) (payer, error) {
	var p payer
	var llm, image string
	err := q.QueryRow(ctx, `SELECT owner_id, llm_provider, image_provider FROM worlds WHERE id = ?`, worldID).Scan(&p.userID, &llm, &image)
	if errors.Is(err, sql.ErrNoRows) {
		return p, generia.Errorf(generia.KindNotFound, "world %s not found", worldID)
	}
	if err != nil {
		return p, err
	}
	if p.userID == "" {
		p.ceilings = s.operatorCeilings()
		return p, nil
	}
	p.counted = !(generia.Providers{LLM: llm, Image: image}).Free()
	p.ceilings, _, err = s.ceilingsOf(ctx, q, p.userID)
	return p, err
}

// chargeCall counts one call in the payer's day, in one conditional
// UPDATE of the day's row, as ReserveLifeCall counts a world's: concurrent
// reservations of all the account's worlds never pass its ceiling of
// calls. A refusal gives KindLimit saying which ceiling.
func (s *Store) chargeCall(ctx context.Context, tx handle, p payer, day string) error {
	if !p.counted {
		return nil
	}
	if _, err := tx.Exec(ctx, `INSERT INTO account_days (user_id, day) VALUES (?, ?) ON CONFLICT (user_id, day) DO NOTHING`, p.userID, day); err != nil {
		return err
	}
	c := p.ceilings
	update, args := `UPDATE account_days SET calls = calls + 1 WHERE user_id = ? AND day = ?`, []any{p.userID, day}
	if c.DailyCalls > 0 {
		update, args = update+` AND calls < ?`, append(args, c.DailyCalls)
	}
	if c.DailyBudgetUSD > 0 {
		update, args = update+` AND cost_usd < ?`, append(args, c.DailyBudgetUSD)
	}
	tag, err := tx.Exec(ctx, update, args...)
	if err != nil || changed(tag) {
		return err
	}
	d, err := s.accountDay(ctx, tx, p.userID, day)
	if err != nil {
		return err
	}
	if err := d.Refuse(c); err != nil {
		return err
	}
	return generia.Errorf(generia.KindLimit, "the account of this world's owner reached a ceiling of %s", day)
}

// chargeCost adds a recorded call's cost to the payer's day.
func (s *Store) chargeCost(ctx context.Context, tx handle, worldID, day string, cost float64) error {
	if cost <= 0 {
		return nil
	}
	p, err := s.payerOf(ctx, tx, worldID)
	if err != nil || !p.counted {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO account_days (user_id, day, cost_usd) VALUES (?, ?, ?)
		ON CONFLICT (user_id, day) DO UPDATE SET cost_usd = account_days.cost_usd + excluded.cost_usd`, p.userID, day, cost)
	return err
}

// accountDay reads what a day of an account's worlds spent; a day without
// a call is zero.
func (s *Store) accountDay(ctx context.Context, q handle, userID, day string) (generia.AccountDay, error) {
	d := generia.AccountDay{UserID: userID, Day: day}
	err := q.QueryRow(ctx, `SELECT calls, cost_usd FROM account_days WHERE user_id = ? AND day = ?`, userID, day).Scan(&d.Calls, &d.CostUSD)
	if errors.Is(err, sql.ErrNoRows) {
		err = nil
	}
	return d, err
}
