package ratelimit

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// DefaultMemoryKeys bounds the buckets one process keeps in memory.
const DefaultMemoryKeys = 100_000

// Memory keeps buckets in this process: limits hold per process. At most
// its bound of keys are kept; the key used longest ago is forgotten first
// (a forgotten bucket starts full again), so that a flood of addresses
// cannot grow it without end. Its buckets follow the same GCRA as the
// Redis backend's script, so that a process falling back to memory when
// Redis goes away limits as Redis did.
type Memory struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *memBucket, most recently used first
	keys  map[string]*list.Element
	now   func() time.Time
}

// memBucket is one key's theoretical arrival time (GCRA): the bucket is
// full when tat is not after now, and each token taken moves it one
// interval later.
type memBucket struct {
	key string
	tat time.Time
}

// NewMemory returns a Memory of at most max keys.
func NewMemory(max int) *Memory {
	return &Memory{max: max, order: list.New(), keys: map[string]*list.Element{}, now: time.Now}
}

// Take takes n tokens of key's bucket (0 looks, fewer than 0 gives -n
// back).
func (m *Memory) Take(_ context.Context, key string, r Rate, n int) (int, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	e, ok := m.keys[key]
	if ok {
		m.order.MoveToFront(e)
	} else {
		e = m.order.PushFront(&memBucket{key: key, tat: now})
		m.keys[key] = e
		for m.order.Len() > m.max {
			old := m.order.Back()
			m.order.Remove(old)
			delete(m.keys, old.Value.(*memBucket).key)
		}
	}
	b := e.Value.(*memBucket)
	interval := r.interval()
	burst := time.Duration(r.N) * interval
	tat := b.tat
	if tat.Before(now) {
		tat = now
	}
	left := func(tat time.Time) int { return int(now.Sub(tat.Add(-burst)) / interval) }
	if n <= 0 {
		if n < 0 {
			tat = tat.Add(time.Duration(n) * interval)
			if tat.Before(now) {
				tat = now
			}
			b.tat = tat
		}
		return left(tat), max(tat.Add(interval-burst).Sub(now), 0), nil
	}
	next := tat.Add(time.Duration(n) * interval)
	if allowAt := next.Add(-burst); now.Before(allowAt) {
		return left(tat), allowAt.Sub(now), nil
	}
	b.tat = next
	return left(next), 0, nil
}

// Len is how many keys are kept.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
