package ratelimit

import (
	"container/list"
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// DefaultMemoryKeys bounds the buckets one process keeps in memory.
const DefaultMemoryKeys = 100_000

// Memory keeps buckets in this process: limits hold per process. At most
// its bound of keys are kept; the key used longest ago is forgotten first
// (a forgotten bucket starts full again), so that a flood of addresses
// cannot grow it without end.
type Memory struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *memBucket, most recently used first
	keys  map[string]*list.Element
	now   func() time.Time
}

type memBucket struct {
	key string
	l   *rate.Limiter
}

// NewMemory returns a Memory of at most max keys.
func NewMemory(max int) *Memory {
	return &Memory{max: max, order: list.New(), keys: map[string]*list.Element{}, now: time.Now}
}

// Take takes n tokens of key's bucket.
func (m *Memory) Take(_ context.Context, key string, r Rate, n int) (int, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	e, ok := m.keys[key]
	if ok {
		m.order.MoveToFront(e)
	} else {
		e = m.order.PushFront(&memBucket{key: key, l: rate.NewLimiter(rate.Every(r.Period/time.Duration(r.N)), r.N)})
		m.keys[key] = e
		for m.order.Len() > m.max {
			old := m.order.Back()
			m.order.Remove(old)
			delete(m.keys, old.Value.(*memBucket).key)
		}
	}
	l := e.Value.(*memBucket).l
	if n == 0 {
		return int(l.TokensAt(now)), 0, nil
	}
	res := l.ReserveN(now, n)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return int(l.TokensAt(now)), d, nil
	}
	return int(l.TokensAt(now)), 0, nil
}

// Len is how many keys are kept.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.order.Len()
}
