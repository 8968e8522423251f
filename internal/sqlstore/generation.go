package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/generia/generia/internal/generia"
)

const statusColumns = `world_id, workflow_id, status, current_stage, stages,
	users_created, users_predicted, posts_created, posts_predicted, images_created, images_predicted,
	call_limit_llm, call_limit_images, budget_usd, calls_llm, calls_images, tokens_in, tokens_out,
	llm_cost_usd, image_cost_usd, llm_provider, image_provider, cancel_requested, error,
	created_at, updated_at, started_at, finished_at, answers_repaired, answers_invalid, answers_invalid_cost_usd, error_public,
	llm_calls_done, llm_busy_us, image_calls_done, image_busy_us,
	llm_calls_failed, llm_failed_busy_us, image_calls_failed, image_failed_busy_us`

// statusRead reads a status record: its columns and the counters that only
// the store's own updates change.
const statusRead = statusColumns + `, items_held`

func scanStatus(row scanner) (generia.GenerationStatus, error) {
	var st generia.GenerationStatus
	var stages []byte
	var llmBusy, imageBusy, llmFailedBusy, imageFailedBusy int64
	err := row.Scan(&st.WorldID, &st.WorkflowID, &st.Status, &st.CurrentStage, &stages,
		&st.CharactersCreated, &st.CharactersPredicted, &st.PostsCreated, &st.PostsPredicted, &st.ImagesCreated, &st.ImagesPredicted,
		&st.CallLimitLLM, &st.CallLimitImages, &st.BudgetUSD, &st.CallsLLM, &st.CallsImages, &st.TokensIn, &st.TokensOut,
		&st.LLMCostUSD, &st.ImageCostUSD, &st.Providers.LLM, &st.Providers.Image, &st.CancelRequested, &st.Error,
		timeInto(&st.CreatedAt), timeInto(&st.UpdatedAt), optTimeInto(&st.StartedAt), optTimeInto(&st.FinishedAt), &st.AnswersRepaired, &st.AnswersInvalid, &st.AnswersInvalidCostUSD, &st.PublicError,
		&st.LLMCallsDone, &llmBusy, &st.ImageCallsDone, &imageBusy,
		&st.LLMCallsFailed, &llmFailedBusy, &st.ImageCallsFailed, &imageFailedBusy, &st.ItemsHeld)
	if err != nil {
		return generia.GenerationStatus{}, err
	}
	st.LLMBusy, st.ImageBusy = time.Duration(llmBusy)*time.Microsecond, time.Duration(imageBusy)*time.Microsecond
	st.LLMFailedBusy, st.ImageFailedBusy = time.Duration(llmFailedBusy)*time.Microsecond, time.Duration(imageFailedBusy)*time.Microsecond
	if err := json.Unmarshal(stages, &st.Stages); err != nil {
		return generia.GenerationStatus{}, fmt.Errorf("reading the stages of world %s: %w", st.WorldID, err)
	}
	if len(st.Stages) == 0 {
		st.Stages = nil
	}
	for i := range st.Stages {
		st.Stages[i].StartedAt = normTimePtr(st.Stages[i].StartedAt)
		st.Stages[i].FinishedAt = normTimePtr(st.Stages[i].FinishedAt)
	}
	return st, nil
}

// stagesJSON is the stored form of the stages, with their times in UTC at the
// stored precision.
func stagesJSON(stages []generia.Stage) (string, error) {
	out := make([]generia.Stage, len(stages))
	for i, st := range stages {
		out[i] = generia.Stage{Name: st.Name, Status: st.Status, StartedAt: normTimePtr(st.StartedAt), FinishedAt: normTimePtr(st.FinishedAt)}
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// insertStatus inserts a world's status record.
func (s *Store) insertStatus(ctx context.Context, tx handle, st generia.GenerationStatus) error {
	stages, err := stagesJSON(st.Stages)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO generation_status (`+statusColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
			?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.WorldID, st.WorkflowID, st.Status, st.CurrentStage, stages,
		st.CharactersCreated, st.CharactersPredicted, st.PostsCreated, st.PostsPredicted, st.ImagesCreated, st.ImagesPredicted,
		st.CallLimitLLM, st.CallLimitImages, st.BudgetUSD, st.CallsLLM, st.CallsImages, st.TokensIn, st.TokensOut,
		st.LLMCostUSD, st.ImageCostUSD, st.Providers.LLM, st.Providers.Image, st.CancelRequested, st.Error,
		s.at(st.CreatedAt), s.at(st.UpdatedAt), s.atOpt(st.StartedAt), s.atOpt(st.FinishedAt), st.AnswersRepaired, st.AnswersInvalid, st.AnswersInvalidCostUSD, st.PublicError,
		st.LLMCallsDone, st.LLMBusy.Microseconds(), st.ImageCallsDone, st.ImageBusy.Microseconds(),
		st.LLMCallsFailed, st.LLMFailedBusy.Microseconds(), st.ImageCallsFailed, st.ImageFailedBusy.Microseconds())
	return err
}

// readStatus reads a world's status record; a missing one gives KindNotFound.
// lock is appended to the query: the dialect's ForUpdate in a transaction
// that changes the record, which keeps it locked until the transaction ends.
func readStatus(ctx context.Context, q handle, worldID, lock string) (generia.GenerationStatus, error) {
	st, err := scanStatus(q.QueryRow(ctx, `SELECT `+statusRead+` FROM generation_status WHERE world_id = ? `+lock, worldID))
	if errors.Is(err, sql.ErrNoRows) {
		return generia.GenerationStatus{}, generia.Errorf(generia.KindNotFound, "generation status of world %s not found", worldID)
	}
	return st, err
}

// GenerationStatus returns a world's status record.
func (s *Store) GenerationStatus(ctx context.Context, worldID string) (generia.GenerationStatus, error) {
	st, err := readStatus(ctx, s.reads, worldID, "")
	if err != nil {
		return generia.GenerationStatus{}, fmt.Errorf("reading the generation status of world %s: %w", worldID, s.translate(err))
	}
	return st, nil
}

// ListActiveGenerations returns the IDs of worlds whose generation is pending
// or in progress, oldest first.
func (s *Store) ListActiveGenerations(ctx context.Context) ([]string, error) {
	ids, err := list(ctx, s.reads, scanString, `SELECT world_id FROM generation_status
		WHERE status IN ('pending', 'in_progress') ORDER BY created_at, world_id`)
	if err != nil {
		return nil, fmt.Errorf("listing active generations: %w", s.translate(err))
	}
	return ids, nil
}

// AdvanceGeneration applies stage changes as GenerationStatus.Advance
// does. The record is read with the dialect's ForUpdate lock, so concurrent
// changes apply one after the other.
func (s *Store) AdvanceGeneration(ctx context.Context, worldID string, changes []generia.StageChange, now time.Time) (generia.GenerationStatus, error) {
	if err := generia.CheckStageChanges(changes); err != nil {
		return generia.GenerationStatus{}, err
	}
	st, err := s.changeStatus(ctx, worldID, func(st *generia.GenerationStatus) (bool, error) {
		return true, st.Advance(changes, normTime(now))
	})
	if err != nil {
		return generia.GenerationStatus{}, fmt.Errorf("advancing the generation of world %s: %w", worldID, s.translate(err))
	}
	return st, nil
}

// FinishGeneration ends a generation as GenerationStatus.Finish does. It is
// a no-op on a generation that already ended and returns the stored record.
func (s *Store) FinishGeneration(ctx context.Context, worldID, status, errMsg, publicMsg string, now time.Time) (generia.GenerationStatus, error) {
	if !generia.IsTerminal(status) {
		return generia.GenerationStatus{}, generia.Errorf(generia.KindInvalid, "%q is not a final generation status", status)
	}
	st, err := s.changeStatus(ctx, worldID, func(st *generia.GenerationStatus) (bool, error) {
		return st.Finish(status, errMsg, publicMsg, normTime(now))
	})
	if err != nil {
		return generia.GenerationStatus{}, fmt.Errorf("finishing the generation of world %s: %w", worldID, s.translate(err))
	}
	return st, nil
}

// changeStatus reads a world's status record locked, lets change change it,
// and writes the fields that change when it reports that it changed them;
// the counters are left to their own updates. A status that turns completed
// or failed tells the world's owner (notifyGeneration).
func (s *Store) changeStatus(ctx context.Context, worldID string, change func(*generia.GenerationStatus) (bool, error)) (generia.GenerationStatus, error) {
	var st generia.GenerationStatus
	err := s.write(ctx, func(tx handle) error {
		var err error
		if st, err = readStatus(ctx, tx, worldID, s.d.ForUpdate); err != nil {
			return err
		}
		before := st.Status
		if changed, err := change(&st); err != nil || !changed {
			return err
		}
		if st.Status != before {
			if err := s.notifyGeneration(ctx, tx, st); err != nil {
				return err
			}
		}
		stages, err := stagesJSON(st.Stages)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE generation_status SET status = ?, current_stage = ?, stages = ?, error = ?, error_public = ?,
			updated_at = ?, started_at = ?, finished_at = ? WHERE world_id = ?`,
			st.Status, st.CurrentStage, stages, st.Error, st.PublicError,
			s.at(st.UpdatedAt), s.atOpt(st.StartedAt), s.atOpt(st.FinishedAt), st.WorldID)
		return err
	})
	return st, err
}

// RequestCancel marks a generation as cancelling. Requesting it again is not
// an error. It returns KindStopped when the generation has already ended.
func (s *Store) RequestCancel(ctx context.Context, worldID string, now time.Time) error {
	err := s.write(ctx, func(tx handle) error {
		st, err := readStatus(ctx, tx, worldID, s.d.ForUpdate)
		if err != nil {
			return err
		}
		if generia.IsTerminal(st.Status) {
			return generia.Errorf(generia.KindStopped, "the generation of world %s is already %s", worldID, st.Status)
		}
		_, err = tx.Exec(ctx, `UPDATE generation_status SET cancel_requested = TRUE, updated_at = `+s.d.Greatest+`(updated_at, ?)
			WHERE world_id = ?`, s.at(now), worldID)
		return err
	})
	if err != nil {
		return fmt.Errorf("cancelling the generation of world %s: %w", worldID, s.translate(err))
	}
	return nil
}

// generationColumns are the columns of an artifact.
const generationColumns = `world_id, key, step, prompt, output, provider, model, created_at`

func scanGeneration(row scanner) (generia.Artifact, error) {
	var g generia.Artifact
	var output sql.NullString
	if err := row.Scan(&g.WorldID, &g.Key, &g.Step, &g.Prompt, &output, &g.Provider, &g.Model, timeInto(&g.CreatedAt)); err != nil {
		return generia.Artifact{}, err
	}
	g.Output = fromJSON(output)
	return g, nil
}

// Artifact returns a stored artifact by world and key.
func (s *Store) Artifact(ctx context.Context, worldID, key string) (generia.Artifact, error) {
	return readOne(ctx, s, scanGeneration, fmt.Sprintf("artifact %s of world %s", key, worldID), `SELECT `+generationColumns+` FROM generations
		WHERE world_id = ? AND key = ?`, worldID, key)
}

// SaveArtifact stores an artifact. If one with the same world and key
// exists, the stored one is kept and returned; of two concurrent saves, the
// second waits for the first and returns its artifact. A zero CreatedAt is
// the store's clock; an unknown world gives KindNotFound.
func (s *Store) SaveArtifact(ctx context.Context, g generia.Artifact) (generia.Artifact, error) {
	if err := required("world ID", g.WorldID, "generation key", g.Key); err != nil {
		return generia.Artifact{}, err
	}
	output, err := jsonArg("generation output", g.Output)
	if err != nil {
		return generia.Artifact{}, err
	}
	g.CreatedAt = s.stamp(g.CreatedAt)
	var out generia.Artifact
	err = s.write(ctx, func(tx handle) error {
		if err := s.keepWorld(ctx, tx, g.WorldID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO generations (world_id, key, step, prompt, output, provider, model, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (world_id, key) DO NOTHING`,
			g.WorldID, g.Key, g.Step, g.Prompt, output, g.Provider, g.Model, s.at(g.CreatedAt))
		if err != nil {
			return err
		}
		out, err = scanGeneration(tx.QueryRow(ctx, `SELECT `+generationColumns+` FROM generations
			WHERE world_id = ? AND key = ?`, g.WorldID, g.Key))
		return err
	})
	if err != nil {
		return generia.Artifact{}, fmt.Errorf("saving artifact %s of world %s: %w", g.Key, g.WorldID, s.translate(err))
	}
	return out, nil
}

// lockStatus locks a world's status record until the end of the transaction
// and returns it; found is false when the world has none. Every create of a
// world's characters, posts and media takes this lock first, so that they
// serialize per world, and so that a cancel cannot slip between the check
// and the insert.
func (s *Store) lockStatus(ctx context.Context, tx handle, worldID string) (st generia.GenerationStatus, found bool, err error) {
	st, err = readStatus(ctx, tx, worldID, s.d.ForUpdate)
	if generia.IsKind(err, generia.KindNotFound) {
		return generia.GenerationStatus{}, false, nil
	}
	return st, err == nil, err
}
