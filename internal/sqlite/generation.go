package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/generia/generia/internal/generia"
)

const statusColumns = `world_id, workflow_id, status, current_stage, stages,
	users_created, users_predicted, posts_created, posts_predicted, images_created, images_predicted,
	call_limit_llm, call_limit_images, budget_usd, calls_llm, calls_images, tokens_in, tokens_out,
	llm_cost_usd, image_cost_usd, llm_provider, image_provider, cancel_requested, error,
	created_at, updated_at, started_at, finished_at, answers_repaired, answers_invalid, answers_invalid_cost_usd, error_public`

func scanStatus(row scanner) (generia.GenerationStatus, error) {
	var st generia.GenerationStatus
	var stages string
	var created, updated int64
	var started, finished sql.NullInt64
	err := row.Scan(&st.WorldID, &st.WorkflowID, &st.Status, &st.CurrentStage, &stages,
		&st.CharactersCreated, &st.CharactersPredicted, &st.PostsCreated, &st.PostsPredicted, &st.ImagesCreated, &st.ImagesPredicted,
		&st.CallLimitLLM, &st.CallLimitImages, &st.BudgetUSD, &st.CallsLLM, &st.CallsImages, &st.TokensIn, &st.TokensOut,
		&st.LLMCostUSD, &st.ImageCostUSD, &st.Providers.LLM, &st.Providers.Image, &st.CancelRequested, &st.Error,
		&created, &updated, &started, &finished, &st.AnswersRepaired, &st.AnswersInvalid, &st.AnswersInvalidCostUSD, &st.PublicError)
	if err != nil {
		return generia.GenerationStatus{}, err
	}
	if err := json.Unmarshal([]byte(stages), &st.Stages); err != nil {
		return generia.GenerationStatus{}, fmt.Errorf("reading the stages of world %s: %w", st.WorldID, err)
	}
	if len(st.Stages) == 0 {
		st.Stages = nil
	}
	st.CreatedAt = fromMicros(created)
	st.UpdatedAt = fromMicros(updated)
	st.StartedAt = fromNullMicros(started)
	st.FinishedAt = fromNullMicros(finished)
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

func normTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := normTime(*t)
	return &n
}

// insertStatus inserts a world's status record.
func insertStatus(ctx context.Context, tx *sql.Tx, st generia.GenerationStatus) error {
	stages, err := stagesJSON(st.Stages)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO generation_status (`+statusColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.WorldID, st.WorkflowID, st.Status, st.CurrentStage, stages,
		st.CharactersCreated, st.CharactersPredicted, st.PostsCreated, st.PostsPredicted, st.ImagesCreated, st.ImagesPredicted,
		st.CallLimitLLM, st.CallLimitImages, st.BudgetUSD, st.CallsLLM, st.CallsImages, st.TokensIn, st.TokensOut,
		st.LLMCostUSD, st.ImageCostUSD, st.Providers.LLM, st.Providers.Image, st.CancelRequested, st.Error,
		micros(normTime(st.CreatedAt)), micros(normTime(st.UpdatedAt)), nullMicros(normTimePtr(st.StartedAt)), nullMicros(normTimePtr(st.FinishedAt)), st.AnswersRepaired, st.AnswersInvalid, st.AnswersInvalidCostUSD, st.PublicError)
	return err
}

// readStatus reads a world's status record; a missing one gives KindNotFound.
func readStatus(ctx context.Context, q querier, worldID string) (generia.GenerationStatus, error) {
	st, err := scanStatus(q.QueryRowContext(ctx, `SELECT `+statusColumns+` FROM generation_status WHERE world_id = ?`, worldID))
	if errors.Is(err, sql.ErrNoRows) {
		return generia.GenerationStatus{}, generia.Errorf(generia.KindNotFound, "generation status of world %s not found", worldID)
	}
	return st, err
}

// stopped returns KindStopped when a generation takes no more work: it ended
// or a cancel was requested.
func stopped(st generia.GenerationStatus) error {
	switch {
	case generia.IsTerminal(st.Status):
		return generia.Errorf(generia.KindStopped, "the generation of world %s is %s", st.WorldID, st.Status)
	case st.CancelRequested:
		return generia.Errorf(generia.KindStopped, "the generation of world %s is being cancelled", st.WorldID)
	}
	return nil
}

// GenerationStatus returns a world's status record.
func (s *Store) GenerationStatus(ctx context.Context, worldID string) (generia.GenerationStatus, error) {
	st, err := readStatus(ctx, s.read, worldID)
	if err != nil {
		return generia.GenerationStatus{}, fmt.Errorf("reading the generation status of world %s: %w", worldID, err)
	}
	return st, nil
}

// ListActiveGenerations returns the IDs of worlds whose generation is pending
// or in progress, oldest first.
func (s *Store) ListActiveGenerations(ctx context.Context) ([]string, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT world_id FROM generation_status
		WHERE status IN ('pending', 'in_progress') ORDER BY created_at, world_id`)
	if err != nil {
		return nil, fmt.Errorf("listing active generations: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("listing active generations: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing active generations: %w", err)
	}
	return ids, nil
}

// validStageStatus reports whether status is a stage status.
func validStageStatus(status string) bool {
	switch status {
	case generia.StagePending, generia.StageInProgress, generia.StageCompleted, generia.StageFailed, generia.StageCancelled:
		return true
	}
	return false
}

// setStage sets a stage's status and its times: a stage going in_progress
// starts (once) and is no longer finished; one going completed, failed or
// cancelled finishes (once); one going back to pending loses both times.
func setStage(st *generia.Stage, status string, now time.Time) {
	st.Status = status
	switch status {
	case generia.StagePending:
		st.StartedAt, st.FinishedAt = nil, nil
	case generia.StageInProgress:
		if st.StartedAt == nil {
			st.StartedAt = &now
		}
		st.FinishedAt = nil
	default:
		if st.FinishedAt == nil {
			st.FinishedAt = &now
		}
	}
}

// AdvanceGeneration applies stage changes and moves a pending generation to
// in_progress, setting its StartedAt. A stage's StartedAt is set when it
// first goes in_progress and its FinishedAt when it goes completed, failed or
// cancelled. The current stage becomes the last stage set in_progress and is
// otherwise unchanged. A cancel request does not stop it, so the pipeline can
// record its stages while it winds down; a generation that ended gives
// KindStopped. An unknown stage or stage status gives KindInvalid.
func (s *Store) AdvanceGeneration(ctx context.Context, worldID string, changes []generia.StageChange, now time.Time) (generia.GenerationStatus, error) {
	for _, c := range changes {
		if !slices.Contains(generia.Stages, c.Stage) {
			return generia.GenerationStatus{}, generia.Errorf(generia.KindInvalid, "unknown stage %q", c.Stage)
		}
		if !validStageStatus(c.Status) {
			return generia.GenerationStatus{}, generia.Errorf(generia.KindInvalid, "unknown status %q for stage %s", c.Status, c.Stage)
		}
	}
	now = normTime(now)
	var st generia.GenerationStatus
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if st, err = readStatus(ctx, tx, worldID); err != nil {
			return err
		}
		if generia.IsTerminal(st.Status) {
			return generia.Errorf(generia.KindStopped, "the generation of world %s is %s", worldID, st.Status)
		}
		if st.Status == generia.StatusPending {
			st.Status = generia.StatusInProgress
		}
		if st.StartedAt == nil {
			st.StartedAt = &now
		}
		for _, c := range changes {
			i := slices.IndexFunc(st.Stages, func(st generia.Stage) bool { return st.Name == c.Stage })
			if i < 0 {
				st.Stages = append(st.Stages, generia.Stage{Name: c.Stage})
				i = len(st.Stages) - 1
			}
			setStage(&st.Stages[i], c.Status, now)
			if c.Status == generia.StageInProgress {
				st.CurrentStage = c.Stage
			}
		}
		st.UpdatedAt = laterOf(st.UpdatedAt, now)
		return saveProgress(ctx, tx, st)
	})
	if err != nil {
		return generia.GenerationStatus{}, fmt.Errorf("advancing the generation of world %s: %w", worldID, err)
	}
	return st, nil
}

// FinishGeneration ends a generation with a terminal status and an error
// message. Stages still in progress become failed when the status is failed,
// cancelled when it is cancelled and completed when it is completed; a
// completed generation's current stage becomes finishing. It is a no-op on a
// generation that already ended and returns the stored record. A status that
// is not terminal gives KindInvalid.
func (s *Store) FinishGeneration(ctx context.Context, worldID, status, errMsg, publicMsg string, now time.Time) (generia.GenerationStatus, error) {
	if !generia.IsTerminal(status) {
		return generia.GenerationStatus{}, generia.Errorf(generia.KindInvalid, "%q is not a final generation status", status)
	}
	now = normTime(now)
	var st generia.GenerationStatus
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		if st, err = readStatus(ctx, tx, worldID); err != nil {
			return err
		}
		if generia.IsTerminal(st.Status) {
			return nil
		}
		st.Status = status
		st.Error, st.PublicError = errMsg, publicMsg
		st.FinishedAt = &now
		for i := range st.Stages {
			if st.Stages[i].Status == generia.StageInProgress {
				// The stage statuses share their names with the
				// terminal generation statuses.
				setStage(&st.Stages[i], status, now)
			}
		}
		if status == generia.StatusCompleted {
			st.CurrentStage = generia.StageFinishing
		}
		st.UpdatedAt = laterOf(st.UpdatedAt, now)
		return saveProgress(ctx, tx, st)
	})
	if err != nil {
		return generia.GenerationStatus{}, fmt.Errorf("finishing the generation of world %s: %w", worldID, err)
	}
	return st, nil
}

// laterOf returns the later of two times.
func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// saveProgress writes the status fields that AdvanceGeneration and
// FinishGeneration change; the counters are left to their own updates.
func saveProgress(ctx context.Context, tx *sql.Tx, st generia.GenerationStatus) error {
	stages, err := stagesJSON(st.Stages)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE generation_status SET status = ?, current_stage = ?, stages = ?, error = ?, error_public = ?,
		updated_at = ?, started_at = ?, finished_at = ? WHERE world_id = ?`,
		st.Status, st.CurrentStage, stages, st.Error, st.PublicError,
		micros(st.UpdatedAt), nullMicros(st.StartedAt), nullMicros(st.FinishedAt), st.WorldID)
	return err
}

// RequestCancel marks a generation as cancelling. Requesting it again is not
// an error. It returns KindStopped when the generation has already ended.
func (s *Store) RequestCancel(ctx context.Context, worldID string, now time.Time) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		st, err := readStatus(ctx, tx, worldID)
		if err != nil {
			return err
		}
		if generia.IsTerminal(st.Status) {
			return generia.Errorf(generia.KindStopped, "the generation of world %s is already %s", worldID, st.Status)
		}
		_, err = tx.ExecContext(ctx, `UPDATE generation_status SET cancel_requested = 1, updated_at = MAX(updated_at, ?)
			WHERE world_id = ?`, micros(now), worldID)
		return err
	})
	if err != nil {
		return fmt.Errorf("cancelling the generation of world %s: %w", worldID, err)
	}
	return nil
}

const generationColumns = `world_id, key, step, prompt, output, provider, model, created_at`

func scanGeneration(row scanner) (generia.Artifact, error) {
	var g generia.Artifact
	var output sql.NullString
	var created int64
	if err := row.Scan(&g.WorldID, &g.Key, &g.Step, &g.Prompt, &output, &g.Provider, &g.Model, &created); err != nil {
		return generia.Artifact{}, err
	}
	g.Output = fromJSONText(output)
	g.CreatedAt = fromMicros(created)
	return g, nil
}

// Artifact returns a stored artifact by world and key.
func (s *Store) Artifact(ctx context.Context, worldID, key string) (generia.Artifact, error) {
	g, err := scanGeneration(s.read.QueryRowContext(ctx, `SELECT `+generationColumns+` FROM generations
		WHERE world_id = ? AND key = ?`, worldID, key))
	if errors.Is(err, sql.ErrNoRows) {
		return generia.Artifact{}, generia.Errorf(generia.KindNotFound, "artifact %s of world %s not found", key, worldID)
	}
	if err != nil {
		return generia.Artifact{}, fmt.Errorf("reading artifact %s of world %s: %w", key, worldID, err)
	}
	return g, nil
}

// SaveArtifact stores an artifact. If one with the same world and key
// exists, the stored one is kept and returned. A zero CreatedAt is the
// store's clock; an unknown world gives KindNotFound.
func (s *Store) SaveArtifact(ctx context.Context, g generia.Artifact) (generia.Artifact, error) {
	if err := required("world ID", g.WorldID, "generation key", g.Key); err != nil {
		return generia.Artifact{}, err
	}
	output, err := jsonText("generation output", g.Output)
	if err != nil {
		return generia.Artifact{}, err
	}
	g.CreatedAt = s.stamp(g.CreatedAt)
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := worldExists(ctx, tx, g.WorldID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO generations (`+generationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (world_id, key) DO NOTHING`,
			g.WorldID, g.Key, g.Step, g.Prompt, output, g.Provider, g.Model, micros(g.CreatedAt))
		if err != nil {
			return err
		}
		g, err = scanGeneration(tx.QueryRowContext(ctx, `SELECT `+generationColumns+` FROM generations
			WHERE world_id = ? AND key = ?`, g.WorldID, g.Key))
		return err
	})
	if err != nil {
		return generia.Artifact{}, fmt.Errorf("saving artifact %s of world %s: %w", g.Key, g.WorldID, err)
	}
	return g, nil
}
