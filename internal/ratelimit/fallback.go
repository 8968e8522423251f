package ratelimit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// Fallback keeps buckets in a shared backend (Redis) and, while that cannot
// be reached, in this process's memory: the limits then hold per process,
// never not at all. An outage is logged once, at WARN, when it starts, and
// once at INFO when the shared backend answers again; every take answered
// from memory is counted (Fallback.Counted). While the shared backend is
// out it is tried again at most once every Probe, so that requests do not
// each wait on its timeouts.
type Fallback struct {
	shared Backend
	memory *Memory
	// Logger says when an outage starts and ends; nil logs nothing.
	Logger *slog.Logger
	// Counted is called for every take answered from memory (a metric);
	// nil counts nothing.
	Counted func()
	// Probe is how long after a failure the shared backend is tried again;
	// 0 tries it on every take.
	Probe time.Duration

	mu      sync.Mutex
	down    bool
	retryAt time.Time
	now     func() time.Time
}

// DefaultProbe is the Probe of NewFallback.
const DefaultProbe = time.Second

// NewFallback returns shared, falling back to a Memory of
// DefaultMemoryKeys.
func NewFallback(shared Backend) *Fallback {
	return &Fallback{shared: shared, memory: NewMemory(DefaultMemoryKeys), Probe: DefaultProbe, now: time.Now}
}

// Take takes n tokens of key's bucket in the shared backend, or, when it
// cannot be reached, in memory.
func (f *Fallback) Take(ctx context.Context, key string, r Rate, n int) (int, time.Duration, error) {
	if f.tryShared() {
		left, wait, err := f.shared.Take(ctx, key, r, n)
		if err == nil {
			f.up()
			return left, wait, nil
		}
		if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			return 0, 0, err // the request went away, not the backend
		}
		f.fail(err)
	}
	if f.Counted != nil {
		f.Counted()
	}
	return f.memory.Take(ctx, key, r, n)
}

// tryShared says whether to ask the shared backend: always while it
// answers, once every Probe while it does not.
func (f *Fallback) tryShared() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.down {
		return true
	}
	now := f.now()
	if now.Before(f.retryAt) {
		return false
	}
	f.retryAt = now.Add(f.Probe) // one request probes; the others use memory meanwhile
	return true
}

func (f *Fallback) up() {
	f.mu.Lock()
	was := f.down
	f.down = false
	f.mu.Unlock()
	if was && f.Logger != nil {
		f.Logger.Info("rate limits are shared again: the shared backend answers")
	}
}

func (f *Fallback) fail(err error) {
	f.mu.Lock()
	was := f.down
	f.down, f.retryAt = true, f.now().Add(f.Probe)
	f.mu.Unlock()
	if !was && f.Logger != nil {
		f.Logger.Warn("rate limits cannot reach their shared backend; limiting per process until it answers", "error", err)
	}
}
