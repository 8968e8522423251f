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

// forget makes the next view of the world due.
func (v *viewSignals) forget(worldID string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.last, worldID)
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

// lifeTTL is how long a process keeps a life it read: a crowd on one
// world reads the store once a second, not once a page. What the process
// itself changes of a life (a view that woke it, new settings) shows at
// once; what other processes and the workflow change, within lifeTTL.
const lifeTTL = time.Second

// lifeCache keeps the lives a process read, for lifeTTL.
type lifeCache struct {
	mu    sync.Mutex
	lives map[string]cachedLife
}

type cachedLife struct {
	v       generia.LifeView
	expires time.Time
}

func (c *lifeCache) get(worldID string, now time.Time) (generia.LifeView, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.lives[worldID]
	if !ok || !now.Before(l.expires) {
		return generia.LifeView{}, false
	}
	return l.v, true
}

func (c *lifeCache) put(worldID string, v generia.LifeView, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lives == nil || len(c.lives) >= 100_000 { // forget, rather than grow without end
		c.lives = map[string]cachedLife{}
	}
	c.lives[worldID] = cachedLife{v: v, expires: now.Add(lifeTTL)}
}

// forget drops a world's life, which this process just changed.
func (c *lifeCache) forget(worldID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.lives, worldID)
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
// wakes it; a world generating has no life yet. At most once in a while
// per world and process, it records a sleeping world awake in the store
// at once (one conditional write), so that the page that viewed it and
// the owner's panel read it awake; the life itself is told in the
// background. A life that cannot be told is logged, never failing the
// read that viewed it.
func (g *Client) Viewed(ctx context.Context, worldID string) {
	now := time.Now()
	if !g.views.due(worldID, now, g.viewEvery()) {
		return
	}
	w, err := g.Store.World(ctx, worldID)
	if err != nil || w.Status != generia.StatusCompleted {
		if err != nil && ctx.Err() == nil {
			g.log().Warn("reading a viewed world", "world_id", worldID, "error", err)
		}
		return
	}
	// A world whose owner's account has spent its day is not woken into
	// calls its ceilings would refuse.
	if spent, err := g.ownerSpent(ctx, w); err != nil || spent {
		if err != nil {
			g.views.forget(worldID)
			g.log().Warn("reading a viewed world's owner's day", "world_id", worldID, "error", err)
		}
		return
	}
	if err := g.wake(ctx, w.ID); err != nil {
		g.log().Warn("recording a viewed world's life awake", "world_id", worldID, "error", err)
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := g.signalLife(ctx, w, SignalViewed, nil); err != nil {
			g.views.forget(worldID) // the next view tells it again
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

// wake records a living world's life awake if it was recorded asleep (or
// never), as the life will once it is told; a world whose owner turned
// its life off or paused it, or that rests, stays as it is.
func (g *Client) wake(ctx context.Context, worldID string) error {
	s, err := g.LifeSettings(ctx, worldID)
	if err != nil || !s.Enabled || s.Paused {
		return err
	}
	// Read first: most views find the world awake, and a read takes no
	// write lock.
	if rec, err := g.Store.LifeRecord(ctx, worldID); err == nil && rec.State != generia.LifeAsleep {
		return nil
	} else if err != nil && !generia.IsKind(err, generia.KindNotFound) {
		return err
	}
	woke, err := g.Store.WakeLife(ctx, worldID, g.now())
	if woke {
		g.lives.forget(worldID)
	}
	return err
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
	g.lives.forget(w.ID)
	if w.Status != generia.StatusCompleted {
		return nil // it starts with these settings once the world is made
	}
	return g.signalLife(ctx, w, SignalLifeSettings, s)
}

// Life returns a world's life as the store records it: the state the
// life workflow last recorded (see generia.LifeRecord), the owner's
// settings and the day's calls and cost from the store's ledger. It asks
// Temporal nothing, and a process keeps what it read for lifeTTL, so that
// every page may show it. The owner's settings say at once when the life
// is off or paused; a world whose life has recorded nothing yet is off
// while it generates, and asleep after.
func (g *Client) Life(ctx context.Context, worldID string) (generia.LifeView, error) {
	if v, ok := g.lives.get(worldID, time.Now()); ok {
		return v, nil
	}
	w, err := g.Store.World(ctx, worldID)
	if err != nil {
		return generia.LifeView{}, err
	}
	s, err := g.effectiveSettings(ctx, w.ID)
	if err != nil {
		return generia.LifeView{}, err
	}
	rec, err := g.Store.LifeRecord(ctx, w.ID)
	if err != nil && !generia.IsKind(err, generia.KindNotFound) {
		return generia.LifeView{}, err
	}
	now := g.now()
	day, err := g.Store.LifeDay(ctx, w.ID, generia.DayOf(now))
	if err != nil {
		return generia.LifeView{}, err
	}
	v := lifeView(w, s, rec, day, now)
	g.lives.put(w.ID, v, time.Now())
	return v, nil
}

// lifeView is a world's life as a reader sees it at now, from its record.
func lifeView(w generia.World, s generia.LifeSettings, rec generia.LifeRecord, day generia.LifeDay, now time.Time) generia.LifeView {
	v := generia.LifeView{State: rec.State, Settings: s, Day: day.Day, CallsToday: day.Calls, CostTodayUSD: day.CostUSD, Waiting: rec.Waiting}
	if rec.Day == day.Day {
		v.ActionsToday = rec.ActionsToday
	}
	if !rec.LastViewedAt.IsZero() {
		seen := rec.LastViewedAt
		v.LastViewedAt = &seen
	}
	switch {
	case w.Status != generia.StatusCompleted || !s.Enabled:
		v.State = generia.LifeOff
	case s.Paused:
		v.State = generia.LifePaused
	case v.State == generia.LifeAwake:
		// An awake life may be saving its last step of the day: it says
		// itself when it rests.
	case day.Refuse(s) != nil:
		// A life at rest or off, whose day's ceilings (maybe new ones)
		// are spent: resting is what it records once it is told.
		v.State = generia.LifeResting
	case v.State == "", v.State == generia.LifeOff, v.State == generia.LifePaused:
		// Nothing recorded yet, or settings newer than the record: the
		// life records what it does with them in a moment.
		v.State = generia.LifeAsleep
	case v.State == generia.LifeResting && !now.Before(rec.RestsUntil):
		v.State = generia.LifeAsleep // its day is over; it wakes when viewed
	}
	switch v.State {
	case generia.LifeAwake:
		if next := rec.NextActionAt; !next.IsZero() {
			v.NextActionAt = &next
		}
	case generia.LifeResting:
		until := generia.NextDay(now)
		v.RestsUntil = &until
	}
	return v
}

// QueryLife asks a world's running life workflow for its life, for
// operators and tests: pages and the API read Life, from the store.
func (g *Client) QueryLife(ctx context.Context, worldID string) (generia.LifeView, error) {
	res, err := g.Client.QueryWorkflow(ctx, generia.LifeWorkflowID(worldID), "", LifeQuery)
	if err != nil {
		return generia.LifeView{}, generia.WrapError(generia.KindUnavailable, err, "the world's life cannot be asked now; try again")
	}
	var v generia.LifeView
	return v, res.Get(&v)
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
