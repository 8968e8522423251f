package social

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Life is the worlds' life as the pipeline runs it: told of views and of
// people's comments, asked and changed by owners.
type Life interface {
	// Viewed says someone viewed a world; it returns at once.
	Viewed(ctx context.Context, worldID string)
	// Commented says a person commented in a world, which its characters
	// answer.
	Commented(ctx context.Context, worldID, commentID string) error
	// Posted says a person posted in a world, which its characters react
	// to.
	Posted(ctx context.Context, worldID, postID string) error
	Life(ctx context.Context, worldID string) (generia.LifeView, error)
	LifeSettings(ctx context.Context, worldID string) (generia.LifeSettings, error)
	SetLife(ctx context.Context, worldID string, s generia.LifeSettings) error
	EndLife(ctx context.Context, worldID string) error
	// CeilingsChanged tells a running life the settings it lives by, after
	// the ceilings of its owner changed; a life that does not run stays so.
	CeilingsChanged(ctx context.Context, worldID string) error
}

// Lives reports whether worlds live on this server.
func (s *Service) Lives() bool { return s.Life != nil }

// viewed tells the world's life it was viewed, if worlds live here.
func (s *Service) viewed(ctx context.Context, worldID string) {
	if s.Life != nil {
		s.Life.Viewed(ctx, worldID)
	}
}

// Answer says whether a person's comment will be answered, and when.
type Answer struct {
	// Status is AnswerComing, AnswerQueued or AnswerNone.
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Answer statuses.
const (
	// AnswerComing: the characters it speaks to answer within seconds.
	AnswerComing = "coming"
	// AnswerQueued: it waits, while the world is paused or resting.
	AnswerQueued = "queued"
	// AnswerNone: nobody will answer it.
	AnswerNone = "none"
)

// AnswerFor is what a comment may expect of a world whose life is v.
func AnswerFor(v generia.LifeView) Answer {
	switch v.State {
	case generia.LifeAwake, generia.LifeAsleep:
		if v.Waiting >= generia.LifeMaxWaiting {
			return Answer{AnswerNone, fmt.Sprintf("%d comments already wait for an answer in this world: this one will not be answered.", v.Waiting)}
		}
		return Answer{AnswerComing, "The characters you speak to answer in a few seconds."}
	case generia.LifePaused:
		return Answer{AnswerQueued, "This world is paused by its owner: its characters answer when it resumes."}
	case generia.LifeResting:
		until := "tomorrow"
		if v.RestsUntil != nil {
			until = v.RestsUntil.UTC().Format("15:04 MST")
		}
		return Answer{AnswerQueued, "This world has spent what it may today: its characters answer after " + until + "."}
	}
	return Answer{AnswerNone, "This world's characters do not answer: its life is off."}
}

// tellLife tells a world's life of a comment, unless it would decline it
// anyway, and says what the comment may expect.
func (s *Service) tellLife(ctx context.Context, worldID, commentID string) Answer {
	if s.Life == nil {
		return Answer{AnswerNone, "Worlds do not live on this server: nobody answers comments."}
	}
	qctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	v, err := s.Life.Life(qctx, worldID)
	cancel()
	if err != nil {
		slog.Warn("reading a world's life", "world_id", worldID, "error", err)
		v = generia.LifeView{State: generia.LifeAwake}
	}
	if v.State == generia.LifeAwake || v.State == generia.LifeAsleep {
		// The world's life knows its own day, not its owner's: a world
		// whose owner's account has spent the day rests, whatever it says.
		if spent, err := s.ownerSpent(ctx, worldID); err != nil {
			slog.Warn("reading the day of a world's owner", "world_id", worldID, "error", err)
		} else if spent {
			until := generia.NextDay(s.now())
			v.State, v.RestsUntil = generia.LifeResting, &until
		}
	}
	answer := AnswerFor(v)
	if answer.Status == AnswerNone {
		return answer
	}
	if err := s.Life.Commented(ctx, worldID, commentID); err != nil {
		// The comment stands; only its answer is lost.
		slog.Warn("telling a world's life of a comment", "world_id", worldID, "comment_id", commentID, "error", err)
		return Answer{AnswerNone, "The world could not be told of your comment: it may not be answered."}
	}
	return answer
}

// ownerSpent reports whether the account of a world's owner has spent
// what its worlds may today (a world of the offline providers, or of no
// account, spends nothing of an account's).
func (s *Service) ownerSpent(ctx context.Context, worldID string) (bool, error) {
	w, err := s.Store.World(ctx, worldID)
	if err != nil || w.OwnerID == "" || w.Providers.Free() {
		return false, err
	}
	a, err := s.Store.AccountCeilings(ctx, w.OwnerID)
	if generia.IsKind(err, generia.KindNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return a.Spent(), nil
}

// LifeOf returns the life of a world the viewer may see. Its settings and
// spending are the owner's to read: anyone else reads its state.
func (s *Service) LifeOf(ctx context.Context, viewerID, ref string) (generia.LifeView, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return generia.LifeView{}, err
	}
	if s.Life == nil {
		return generia.LifeView{State: generia.LifeOff}, nil
	}
	v, err := s.Life.Life(ctx, w.ID)
	if err != nil {
		return v, err
	}
	if ok, err := s.stewards(ctx, w, viewerID); err != nil || !ok {
		return generia.LifeView{State: v.State, LastViewedAt: v.LastViewedAt}, err
	}
	// The owner sees what the world lives by: their settings within the
	// ceilings as they are now, and the ceilings themselves.
	c, err := s.Store.WorldCeilings(ctx, w.ID)
	if err != nil {
		return generia.LifeView{}, err
	}
	v.Settings, v.Ceilings = c.Clamp(v.Settings), &c
	return v, nil
}

// LifeCeilings returns the ceilings of the life of the viewer's own world:
// what its owner may choose.
func (s *Service) LifeCeilings(ctx context.Context, viewerID, ref string) (generia.Ceilings, error) {
	w, err := s.steward(ctx, viewerID, ref, "change the life of")
	if err != nil {
		return generia.Ceilings{}, err
	}
	return s.Store.WorldCeilings(ctx, w.ID)
}

// LifeChange is what an owner changes of their world's life; a nil field
// stays as it is.
type LifeChange struct {
	Enabled        *bool    `json:"enabled"`
	Paused         *bool    `json:"paused"`
	ActionsPerHour *float64 `json:"actions_per_hour"`
	DailyCalls     *int     `json:"daily_calls"`
	DailyBudgetUSD *float64 `json:"daily_budget_usd"`
}

// SetLife changes the life of the viewer's own world and returns it.
// Values out of range, not finite, or above the ceilings of the world's
// owner give KindInvalid (naming the ceiling) and change nothing.
func (s *Service) SetLife(ctx context.Context, viewerID, ref string, ch LifeChange) (generia.LifeView, error) {
	w, err := s.steward(ctx, viewerID, ref, "change the life of")
	if err != nil {
		return generia.LifeView{}, err
	}
	if s.Life == nil {
		return generia.LifeView{}, generia.Errorf(generia.KindUnavailable, "worlds do not live on this server")
	}
	l, err := s.Life.LifeSettings(ctx, w.ID)
	if err != nil {
		return generia.LifeView{}, err
	}
	set(&l.Enabled, ch.Enabled)
	set(&l.Paused, ch.Paused)
	set(&l.ActionsPerHour, ch.ActionsPerHour)
	set(&l.DailyCalls, ch.DailyCalls)
	set(&l.DailyBudgetUSD, ch.DailyBudgetUSD)
	if err := l.Validate(); err != nil {
		return generia.LifeView{}, err
	}
	c, err := s.Store.WorldCeilings(ctx, w.ID)
	if err != nil {
		return generia.LifeView{}, err
	}
	// Only the values asked for are held to the ceilings: a value chosen
	// under a higher ceiling is kept, and lived by clamped, until the owner
	// changes it.
	if err := c.Allow(ch.asked(c.Clamp(l))); err != nil {
		return generia.LifeView{}, err
	}
	if err := s.Life.SetLife(ctx, w.ID, l); err != nil {
		return generia.LifeView{}, err
	}
	// The life takes the new settings in a moment: the answer shows them,
	// with the state the life reports by then.
	v, err := s.Life.Life(ctx, w.ID)
	v.Settings, v.Ceilings = c.Clamp(l), &c
	return v, err
}

// asked returns base with the values the change sets.
func (ch LifeChange) asked(base generia.LifeSettings) generia.LifeSettings {
	set(&base.ActionsPerHour, ch.ActionsPerHour)
	set(&base.DailyCalls, ch.DailyCalls)
	set(&base.DailyBudgetUSD, ch.DailyBudgetUSD)
	return base
}

func set[T any](to *T, v *T) {
	if v != nil {
		*to = *v
	}
}
