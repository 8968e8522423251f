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

// callKind is where the status record counts a kind of provider call, and
// how messages name it.
type callKind struct {
	calls string // calls reserved
	limit string // the call limit
	cost  string // the cost total
	paid  string // calls recorded with a cost above zero
	done  string // calls recorded (answered, failed or invalid)
	busy  string // the microseconds they took, in all
	// failed and failedBusy: the calls recorded failed or invalid, and
	// the microseconds they took
	failed, failedBusy string
}

// callKindOf returns the columns of a call kind ("llm" or "image"); another
// kind gives KindInvalid.
func callKindOf(kind string) (callKind, error) {
	switch kind {
	case generia.CallLLM:
		return callKind{"calls_llm", "call_limit_llm", "llm_cost_usd", "llm_calls_paid", "llm_calls_done", "llm_busy_us", "llm_calls_failed", "llm_failed_busy_us"}, nil
	case generia.CallImage:
		return callKind{"calls_images", "call_limit_images", "image_cost_usd", "image_calls_paid", "image_calls_done", "image_busy_us", "image_calls_failed", "image_failed_busy_us"}, nil
	}
	return callKind{}, generia.Errorf(generia.KindInvalid, "unknown call kind %q: want %q or %q", kind, generia.CallLLM, generia.CallImage)
}

// average is the SQL estimate of the cost of the next call of a kind: the
// kind's cost total divided by the number of its calls recorded with a cost
// above zero, or by 1 when there is none. Calls that cost nothing (a failed
// request, a free model) are left out of the count, so the estimate is that
// of a paid call, never lowered by free ones. The division is of a double
// precision by an integer, in double precision, in every dialect.
func (k callKind) average(greatest string) string {
	return k.cost + ` / ` + greatest + `(` + k.paid + `, 1)`
}

// overBudget is the SQL condition under which a call of the kind would
// exceed the world's budget: the world has one, and the cost spent so far
// plus the average cost of a call of that kind is above it. A world that has
// spent its whole budget makes no more calls, even of a kind that has no
// average yet.
func (k callKind) overBudget(greatest string) string {
	return `(budget_usd > 0 AND (llm_cost_usd + image_cost_usd + ` + k.average(greatest) + ` > budget_usd
		OR llm_cost_usd + image_cost_usd >= budget_usd))`
}

// maxReserveAttempts bounds how often ReserveCall tries again when the
// record changed between its refused update and the read that explains the
// refusal (a cost recorded meanwhile may lower the average).
const maxReserveAttempts = 10

// ReserveCall counts one provider call of the kind ("llm" or "image") before
// it is made. The count and all its checks are one conditional UPDATE: when
// concurrent reservations update the same record, the database re-checks the
// conditions of each against the row the previous one left, so they never
// pass the call limit. It returns KindLimit when the world's call limit for
// that kind is reached, or when the world has a budget (BudgetUSD > 0) and
// either the cost spent so far has reached it or
//
//	spent + cost total of the kind / max(calls of the kind recorded with a cost > 0, 1)
//
// is above it. The budget check sees only the calls recorded: calls reserved
// and still in flight are not counted yet, so with n calls in flight the
// world may end past its budget by about the cost of n-1 calls. In the same
// transaction the call counts in the day of the world's owner, which the
// owner's ceilings (generia.Ceilings, DailyCalls and DailyBudgetUSD) may
// refuse with KindLimit; then neither counts it. It returns
// KindStopped when the generation has ended or a cancel was requested, and
// KindInvalid for an unknown kind.
func (s *Store) ReserveCall(ctx context.Context, worldID, kind string) error {
	k, err := callKindOf(kind)
	if err != nil {
		return err
	}
	update := `UPDATE generation_status
		SET ` + k.calls + ` = ` + k.calls + ` + 1, updated_at = ` + s.d.Greatest + `(updated_at, ?)
		WHERE world_id = ? AND ` + k.calls + ` < ` + k.limit + `
			AND status IN ('pending', 'in_progress') AND NOT cancel_requested
			AND NOT ` + k.overBudget(s.d.Greatest)
	for range maxReserveAttempts {
		now := s.now()
		err := s.write(ctx, func(tx handle) error {
			tag, err := tx.Exec(ctx, update, s.at(now), worldID)
			if err != nil {
				return err
			}
			if !changed(tag) {
				return errNotCounted
			}
			// The world allows the call: so must its owner's day, in the
			// same transaction, or neither counts it.
			p, err := s.payerOf(ctx, tx, worldID)
			if err != nil {
				return err
			}
			return s.chargeCall(ctx, tx, p, generia.DayOf(now))
		})
		if err == nil {
			return nil
		}
		if !errors.Is(err, errNotCounted) {
			return fmt.Errorf("reserving an %s call for world %s: %w", kind, worldID, s.translate(err))
		}
		// Nothing was counted: find out why. The record is read after
		// the update, and may have changed since; if it now allows the
		// call, the update runs again.
		err = s.refusal(ctx, worldID, kind, k)
		if !errors.Is(err, errAllowedNow) {
			return fmt.Errorf("reserving an %s call for world %s: %w", kind, worldID, s.translate(err))
		}
	}
	return fmt.Errorf("reserving an %s call for world %s: the status record changed %d times during the reservation", kind, worldID, maxReserveAttempts)
}

// errNotCounted is ReserveCall's transaction's answer when the status
// record refused the call, which refusal then explains.
var errNotCounted = errors.New("the status record refused the call")

// errAllowedNow is refusal's answer when the status record allows the call
// it was asked to explain.
var errAllowedNow = errors.New("the status record allows the call now")

// refusal explains why ReserveCall refused a call of kind k.
func (s *Store) refusal(ctx context.Context, worldID, kind string, k callKind) error {
	var st generia.GenerationStatus
	r := generia.CallRefusal{Kind: kind}
	err := s.reads.QueryRow(ctx, `SELECT status, cancel_requested, `+k.calls+`, `+k.limit+`, `+k.overBudget(s.d.Greatest)+`,
		budget_usd, llm_cost_usd + image_cost_usd, `+k.average(s.d.Greatest)+`
		FROM generation_status WHERE world_id = ?`, worldID).
		Scan(&st.Status, &st.CancelRequested, &r.Calls, &r.Limit, &r.Over, &r.Budget, &r.Spent, &r.Average)
	if errors.Is(err, sql.ErrNoRows) {
		return generia.Errorf(generia.KindNotFound, "generation status of world %s not found", worldID)
	}
	if err != nil {
		return err
	}
	st.WorldID = worldID
	if err := st.Refuse(r); err != nil {
		return err
	}
	return errAllowedNow
}

// RecordCall adds a provider call to the world's ledger, and its tokens and
// cost to the status record (the cost to the LLM or image total by Kind), in
// one transaction; a call whose answer needed repairs counts in
// answers_repaired. It records the call whatever the state of the
// generation, since a call made before a cancel is paid for. A zero
// CreatedAt is the store's clock. An unknown world gives KindNotFound; an
// unknown kind or outcome, or a negative amount, gives KindInvalid.
func (s *Store) RecordCall(ctx context.Context, c generia.ProviderCall) error {
	return s.recordWith(ctx, c, nil)
}

// SaveAnswer records an answered call and the artifact made of its answer in
// one transaction: the call as RecordCall records it, the artifact as
// SaveArtifact saves it (a stored one with the same key is kept).
func (s *Store) SaveAnswer(ctx context.Context, c generia.ProviderCall, g generia.Artifact) error {
	if err := required("generation key", g.Key); err != nil {
		return err
	}
	output, err := jsonArg("generation output", g.Output)
	if err != nil {
		return err
	}
	g.WorldID, g.CreatedAt = c.WorldID, s.stamp(g.CreatedAt)
	return s.recordWith(ctx, c, func(tx handle) error {
		_, err := tx.Exec(ctx, `INSERT INTO generations (world_id, key, step, prompt, output, provider, model, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (world_id, key) DO NOTHING`,
			g.WorldID, g.Key, g.Step, g.Prompt, output, g.Provider, g.Model, s.at(g.CreatedAt))
		return err
	})
}

// SavePaidImage records an image call and the image it paid for in one
// transaction, before the image goes to the media store. The image waits
// under its media ID until CreateMedia records it; saving one that waits
// already keeps the stored bytes.
func (s *Store) SavePaidImage(ctx context.Context, c generia.ProviderCall, img generia.PaidImage) error {
	if err := required("media ID", img.ID, "content type", img.ContentType); err != nil {
		return err
	}
	if len(img.Data) == 0 {
		return generia.Errorf(generia.KindInvalid, "a paid image has no bytes")
	}
	img.WorldID, img.CreatedAt = c.WorldID, s.stamp(img.CreatedAt)
	return s.recordWith(ctx, c, func(tx handle) error {
		_, err := tx.Exec(ctx, `INSERT INTO paid_images (id, world_id, content_type, data, model, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			img.ID, img.WorldID, img.ContentType, img.Data, img.Model, s.at(img.CreatedAt))
		return err
	})
}

// PaidImage returns an image paid for whose media row does not exist yet.
func (s *Store) PaidImage(ctx context.Context, id string) (generia.PaidImage, error) {
	var img generia.PaidImage
	err := s.reads.QueryRow(ctx, `SELECT id, world_id, content_type, data, model, created_at FROM paid_images WHERE id = ?`, id).
		Scan(&img.ID, &img.WorldID, &img.ContentType, &img.Data, &img.Model, timeInto(&img.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return generia.PaidImage{}, generia.Errorf(generia.KindNotFound, "no paid image %s waits", id)
	}
	if err != nil {
		return generia.PaidImage{}, fmt.Errorf("reading paid image %s: %w", id, s.translate(err))
	}
	return img, nil
}

// recordWith records a call and, in the same transaction, runs also.
func (s *Store) recordWith(ctx context.Context, c generia.ProviderCall, also func(tx handle) error) error {
	if err := c.Validate(); err != nil {
		return err
	}
	k, err := callKindOf(c.Kind)
	if err != nil {
		return err
	}
	c.CreatedAt = s.stamp(c.CreatedAt)
	paid, repaired, invalid, invalidCost, failed := 0, 0, 0, 0.0, 0
	if c.CostUSD > 0 {
		paid = 1
	}
	if len(c.Repairs) > 0 {
		repaired = 1
	}
	if c.Outcome == generia.OutcomeInvalid {
		invalid, invalidCost = 1, c.CostUSD
	}
	if c.Outcome != generia.OutcomeOK { // its step is still to do
		failed = 1
	}
	err = s.write(ctx, func(tx handle) error {
		var tag sql.Result
		var err error
		day := c.LifeDay
		if day == "" {
			day = generia.DayOf(c.CreatedAt)
		}
		if err := s.chargeCost(ctx, tx, c.WorldID, day, c.CostUSD); err != nil {
			return err
		}
		if c.LifeDay != "" { // a call of the world's life counts in its day
			tag, err = tx.Exec(ctx, `UPDATE life_days SET cost_usd = cost_usd + ? WHERE world_id = ? AND day = ?`,
				c.CostUSD, c.WorldID, c.LifeDay)
		} else {
			tag, err = tx.Exec(ctx, `UPDATE generation_status
			SET tokens_in = tokens_in + ?, tokens_out = tokens_out + ?,
				`+k.cost+` = `+k.cost+` + ?, `+k.paid+` = `+k.paid+` + ?,
				`+k.done+` = `+k.done+` + 1, `+k.busy+` = `+k.busy+` + ?,
				`+k.failed+` = `+k.failed+` + ?, `+k.failedBusy+` = `+k.failedBusy+` + ?,
				answers_repaired = answers_repaired + ?, answers_invalid = answers_invalid + ?,
				answers_invalid_cost_usd = answers_invalid_cost_usd + ?, updated_at = `+s.d.Greatest+`(updated_at, ?)
			WHERE world_id = ?`,
				c.TokensIn, c.TokensOut, c.CostUSD, paid, c.Duration.Microseconds(), failed, int64(failed)*c.Duration.Microseconds(),
				repaired, invalid, invalidCost, s.at(c.CreatedAt), c.WorldID)
		}
		if err != nil {
			return err
		}
		if !changed(tag) {
			return generia.Errorf(generia.KindNotFound, "world %s not found (or its life day %q)", c.WorldID, c.LifeDay)
		}
		_, err = tx.Exec(ctx, `INSERT INTO provider_calls (`+callColumns+`)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.WorldID, c.Key, c.Step, c.Kind, c.Provider, c.Model, c.Attempt,
			c.TokensIn, c.TokensOut, c.CostUSD, c.Duration.Microseconds(), c.Outcome, c.Error, strings.Join(c.Repairs, ","), c.LifeDay, s.at(c.CreatedAt))
		if err != nil || also == nil {
			return err
		}
		return also(tx)
	})
	if err != nil {
		return fmt.Errorf("recording an %s call of world %s: %w", c.Kind, c.WorldID, s.translate(err))
	}
	return nil
}

const callColumns = `world_id, key, step, kind, provider, model, attempt,
	tokens_in, tokens_out, cost_usd, duration_us, outcome, error, repairs, life_day, created_at`

func scanCall(row scanner) (generia.ProviderCall, error) {
	var c generia.ProviderCall
	var duration int64
	var repairs string
	err := row.Scan(&c.WorldID, &c.Key, &c.Step, &c.Kind, &c.Provider, &c.Model, &c.Attempt,
		&c.TokensIn, &c.TokensOut, &c.CostUSD, &duration, &c.Outcome, &c.Error, &repairs, &c.LifeDay, timeInto(&c.CreatedAt))
	if err != nil {
		return generia.ProviderCall{}, err
	}
	if repairs != "" {
		c.Repairs = strings.Split(repairs, ",")
	}
	c.Duration = time.Duration(duration) * time.Microsecond
	return c, nil
}

// ProviderCalls returns a world's ledger in the order the calls were
// recorded. An unknown world gives KindNotFound.
func (s *Store) ProviderCalls(ctx context.Context, worldID string) ([]generia.ProviderCall, error) {
	out, err := list(ctx, s.reads, scanCall, `SELECT `+callColumns+` FROM provider_calls
		WHERE world_id = ? ORDER BY id`, worldID)
	if err == nil && len(out) == 0 {
		err = worldExists(ctx, s.reads, worldID)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the provider calls of world %s: %w", worldID, s.translate(err))
	}
	return out, nil
}

// RecentCallCost averages the provider's latest paid calls of the kind.
func (s *Store) RecentCallCost(ctx context.Context, kind, provider string) (generia.CallCost, error) {
	if _, err := callKindOf(kind); err != nil {
		return generia.CallCost{}, err
	}
	var c generia.CallCost
	err := s.reads.QueryRow(ctx, `SELECT COUNT(*), COALESCE(AVG(cost_usd), 0) FROM (
		SELECT cost_usd FROM provider_calls WHERE kind = ? AND provider = ? AND cost_usd > 0
		ORDER BY id DESC`+limit(generia.RecentCallsCounted)+`) AS recent`, kind, provider).Scan(&c.Calls, &c.AverageUSD)
	if err != nil {
		return generia.CallCost{}, fmt.Errorf("reading the recent cost of %s calls: %w", provider, s.translate(err))
	}
	return c, nil
}
