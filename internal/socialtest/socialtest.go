// Package socialtest builds the social service that the tests of its HTTP
// surfaces (the JSON API and the web UI) serve: over the store and media
// they open, generating offline, with a Pipeline that starts no workflow.
package socialtest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
)

// Pipeline stores each new world with its status record, as the real one
// does before it starts the workflow, and records the worlds asked for and
// the cancels; Temporal is out of these tests' scope. The worlds it makes
// are new-world-1, new-world-2, …
type Pipeline struct {
	store generia.Store

	mu        sync.Mutex
	created   []generia.NewWorld
	cancelled []string
}

// Create validates req, records it and stores the world.
func (p *Pipeline) Create(ctx context.Context, ownerID string, req generia.NewWorld, providers generia.Providers) (generia.World, error) {
	if err := req.Validate(); err != nil {
		return generia.World{}, err
	}
	p.mu.Lock()
	p.created = append(p.created, req)
	n := len(p.created)
	p.mu.Unlock()
	now := time.Now().UTC()
	id := fmt.Sprintf("new-world-%d", n)
	w := generia.World{ID: id, OwnerID: ownerID, Name: req.Name, Prompt: req.Prompt, CharactersCount: req.CharactersCount,
		PostsCount: req.PostsCount, Visibility: req.Visibility, Providers: providers, WorkflowID: generia.WorldWorkflowID(id),
		CreatedAt: now, UpdatedAt: now}
	if err := p.store.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(w.CharactersCount, w.PostsCount))); err != nil {
		return generia.World{}, err
	}
	return w, nil
}

// Cancel records the cancel and asks the store to stop the world.
func (p *Pipeline) Cancel(ctx context.Context, worldID string) error {
	p.mu.Lock()
	p.cancelled = append(p.cancelled, worldID)
	p.mu.Unlock()
	return p.store.RequestCancel(ctx, worldID, time.Now())
}

// Created returns the worlds asked for, in order.
func (p *Pipeline) Created() []generia.NewWorld {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]generia.NewWorld(nil), p.created...)
}

// Cancelled returns the IDs of the worlds whose cancel was asked for, in
// order.
func (p *Pipeline) Cancelled() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.cancelled...)
}

// Service is a social service over store and files that generates offline,
// with its Pipeline.
func Service(store generia.Store, files generia.MediaStore) (*social.Service, *Pipeline) {
	p := &Pipeline{store: store}
	return &social.Service{Store: store, Files: files, Pipeline: p,
		Providers: generia.Providers{LLM: generia.OfflineProvider, Image: generia.OfflineProvider}}, p
}

// Life keeps each world's life settings in memory and answers them as its
// life, awake, as the pipeline's client would with a running workflow;
// Temporal is out of these tests' scope.
type Life struct {
	mu       sync.Mutex
	settings map[string]generia.LifeSettings
}

// Viewed does nothing: a world of these tests is always awake.
func (l *Life) Viewed(context.Context, string) {}

// Commented does nothing: nobody answers in these tests.
func (l *Life) Commented(context.Context, string, string) error { return nil }

// Posted does nothing: nobody reacts in these tests.
func (l *Life) Posted(context.Context, string, string) error { return nil }

// EndLife forgets the world's settings.
func (l *Life) EndLife(_ context.Context, id string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.settings, id)
	return nil
}

// CeilingsChanged does nothing: the settings kept are the owner's.
func (l *Life) CeilingsChanged(context.Context, string) error { return nil }

// SetLife validates and keeps a world's settings.
func (l *Life) SetLife(_ context.Context, id string, s generia.LifeSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.settings == nil {
		l.settings = map[string]generia.LifeSettings{}
	}
	l.settings[id] = s
	return nil
}

// LifeSettings returns a world's settings: those set, or a new world's.
func (l *Life) LifeSettings(_ context.Context, id string) (generia.LifeSettings, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s, ok := l.settings[id]; ok {
		return s, nil
	}
	return generia.LifeSettings{Enabled: true, ActionsPerHour: 6, DailyCalls: 200, DailyBudgetUSD: 0.5}, nil
}

// Life returns the world's life, awake (paused when paused).
func (l *Life) Life(ctx context.Context, id string) (generia.LifeView, error) {
	s, _ := l.LifeSettings(ctx, id)
	state := generia.LifeAwake
	if s.Paused {
		state = generia.LifePaused
	}
	return generia.LifeView{State: state, Settings: s}, nil
}
