package pipeline

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/generia/generia/internal/generia"
)

// LifeDefaults are how a world lives when its owner set nothing: the
// operator's configuration.
type LifeDefaults struct {
	Settings generia.LifeSettings
	// Idle is how long a world stays awake after its last view.
	Idle time.Duration
}

// viewSignals remembers when this process last told each world's life it
// was viewed, so that a busy feed sends one signal in a while, not one per
// read.
type viewSignals struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// due reports whether a view of the world at now should be signalled, and
// if so records it.
func (v *viewSignals) due(worldID string, now time.Time, every time.Duration) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.last == nil {
		v.last = map[string]time.Time{}
	}
	if now.Sub(v.last[worldID]) < every {
		return false
	}
	if len(v.last) > 100_000 { // forget, rather than grow without end
		clear(v.last)
	}
	v.last[worldID] = now
	return true
}

// viewEvery is how often a process signals views of one world: often
// enough that a world never falls asleep while someone reads it.
func (g *Client) viewEvery() time.Duration {
	return min(30*time.Second, g.LifeDefaults.Idle/4)
}

// LifeSettings returns a world's life settings: its owner's, or the
// operator's defaults.
func (g *Client) LifeSettings(ctx context.Context, worldID string) (generia.LifeSettings, error) {
	s, err := g.Store.LifeSettings(ctx, worldID)
	if generia.IsKind(err, generia.KindNotFound) {
		return g.LifeDefaults.Settings, nil
	}
	return s, err
}

// Viewed tells a completed world's life that someone viewed it, which
// wakes it; a world generating has no life yet. It returns at once: the
// life is told in the background, at most once in a while per world and
// process, and a life that cannot be told is logged, never failing the
// read that viewed it.
func (g *Client) Viewed(ctx context.Context, worldID string) {
	if !g.views.due(worldID, time.Now(), g.viewEvery()) {
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		w, err := g.Store.World(ctx, worldID)
		if err == nil && w.Status == generia.StatusCompleted {
			var spent bool
			if spent, err = g.ownerSpent(ctx, w); err == nil && !spent {
				err = g.signalLife(ctx, w, SignalViewed, nil)
			}
		}
		if err != nil {
			g.log().Warn("telling a world's life of a view", "world_id", worldID, "error", err)
		}
	}()
}

// ownerSpent reports whether the account of a world's owner has spent
// what it may today, so that a view does not wake the world into calls its
// ceilings would refuse.
func (g *Client) ownerSpent(ctx context.Context, w generia.World) (bool, error) {
	if w.OwnerID == "" || w.Providers.Free() {
		return false, nil
	}
	a, err := g.Store.AccountCeilings(ctx, w.OwnerID)
	if generia.IsKind(err, generia.KindNotFound) {
		return false, nil // an owner gone: the world's own ceilings hold
	}
	if err != nil {
		return false, err
	}
	return a.Spent(), nil
}

// Commented tells a completed world's life of a person's comment, which
// it answers.
func (g *Client) Commented(ctx context.Context, worldID, commentID string) error {
	w, err := g.Store.World(ctx, worldID)
	if err != nil || w.Status != generia.StatusCompleted {
		return err
	}
	return g.signalLife(ctx, w, SignalCommented, Commented{CommentID: commentID})
}

// Posted tells a completed world's life of a person's new post, which its
// characters react to.
func (g *Client) Posted(ctx context.Context, worldID, postID string) error {
	w, err := g.Store.World(ctx, worldID)
	if err != nil || w.Status != generia.StatusCompleted {
		return err
	}
	return g.signalLife(ctx, w, SignalPosted, Posted{PostID: postID})
}

// SetLife stores a world's new life settings and tells its life, starting
// it if it does not run.
func (g *Client) SetLife(ctx context.Context, worldID string, s generia.LifeSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	w, err := g.Store.World(ctx, worldID)
	if err != nil {
		return err
	}
	if err := g.Store.SetLifeSettings(ctx, w.ID, s, g.now()); err != nil {
		return err
	}
	if w.Status != generia.StatusCompleted {
		return nil // it starts with these settings once the world is made
	}
	return g.signalLife(ctx, w, SignalLifeSettings, s)
}

// Life returns a world's life as its workflow sees it; a world whose life
// has not started yet is off while it generates, and asleep after.
func (g *Client) Life(ctx context.Context, worldID string) (generia.LifeView, error) {
	w, err := g.Store.World(ctx, worldID)
	if err != nil {
		return generia.LifeView{}, err
	}
	res, err := g.Client.QueryWorkflow(ctx, generia.LifeWorkflowID(w.ID), "", LifeQuery)
	var notFound *serviceerror.NotFound
	if err == nil {
		var v generia.LifeView
		return v, res.Get(&v)
	}
	if !errors.As(err, &notFound) {
		return generia.LifeView{}, generia.WrapError(generia.KindUnavailable, err, "the world's life cannot be asked now; try again")
	}
	s, err := g.effectiveSettings(ctx, w.ID)
	if err != nil {
		return generia.LifeView{}, err
	}
	now := g.now()
	day, err := g.Store.LifeDay(ctx, w.ID, generia.DayOf(now))
	if err != nil {
		return generia.LifeView{}, err
	}
	v := generia.LifeView{State: generia.LifeAsleep, Settings: s, Day: day.Day, CallsToday: day.Calls, CostTodayUSD: day.CostUSD}
	switch {
	case !s.Enabled || w.Status != generia.StatusCompleted:
		v.State = generia.LifeOff
	case s.Paused:
		v.State = generia.LifePaused
	}
	return v, nil
}

// CeilingsChanged tells a running life the settings it lives by, after
// the ceilings of its owner changed; a life that does not run is not
// started (it starts with them when told of a view or a comment).
func (g *Client) CeilingsChanged(ctx context.Context, worldID string) error {
	s, err := g.effectiveSettings(ctx, worldID)
	if err != nil {
		return err
	}
	err = g.Client.SignalWorkflow(ctx, generia.LifeWorkflowID(worldID), "", SignalLifeSettings, s)
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return generia.WrapError(generia.KindUnavailable, err, "the world's life cannot be told now")
	}
	return nil
}

// EndLife ends a world's life, as when the world is deleted.
func (g *Client) EndLife(ctx context.Context, worldID string) error {
	err := g.Client.CancelWorkflow(ctx, generia.LifeWorkflowID(worldID), "")
	var notFound *serviceerror.NotFound
	if err != nil && !errors.As(err, &notFound) {
		return fmt.Errorf("ending the life of world %s: %w", worldID, err)
	}
	return nil
}

// effectiveSettings are the settings a world lives by: its owner's (or
// the defaults) within the ceilings of its owner as they are now.
func (g *Client) effectiveSettings(ctx context.Context, worldID string) (generia.LifeSettings, error) {
	s, err := g.LifeSettings(ctx, worldID)
	if err != nil {
		return s, err
	}
	c, err := g.Store.WorldCeilings(ctx, worldID)
	if err != nil {
		return s, err
	}
	return c.Clamp(s), nil
}

// signalLife signals a world's life, starting it first if it does not run,
// with the settings it lives by.
func (g *Client) signalLife(ctx context.Context, w generia.World, signal string, arg any) error {
	s, err := g.effectiveSettings(ctx, w.ID)
	if err != nil {
		return err
	}
	if signal == SignalLifeSettings {
		arg = s
	}
	in := LifeInput{WorldID: w.ID, LLM: w.Providers.LLM, Image: w.Providers.Image, Settings: s, Idle: g.LifeDefaults.Idle}
	_, err = g.Client.SignalWithStartWorkflow(ctx, generia.LifeWorkflowID(w.ID), signal, arg,
		client.StartWorkflowOptions{ID: generia.LifeWorkflowID(w.ID), TaskQueue: QueueMain}, LifeWorkflowName, in)
	if err != nil {
		return generia.WrapError(generia.KindUnavailable, err, "the world's life cannot be told now")
	}
	return nil
}
