package social

import (
	"fmt"
	"sync"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Open streams: what each holds, and how many may be open. A stream is fed
// by its world's hub (see hub.go); it holds a short queue and no goroutine
// of its own, so that an open stream costs little more than its
// connection.

// Stream is an open stream of what a viewer may see of a world. Its reader
// waits for Ready, then Takes what came; Close lets it go.
type Stream[T any] struct {
	mu    sync.Mutex
	queue []T
	ended bool
	ready chan struct{}
	// latest keeps only the newest item: a status stream sends the state
	// as it is now, not every state it went through.
	latest bool
	// leave is called once when the reader closes the stream.
	leave func()
	once  sync.Once
	// notify, if set, is called (without blocking) each time ready is
	// signalled: a reader that waits on no channel of its own.
	notify func()
}

// maxQueue is how much a stream holds for a reader that does not take it;
// past it the stream ends, and its reader, reconnecting with the last
// event's ID, reads the rest from the store.
const maxQueue = 4 * watchBatch

func newStream[T any](latest bool) *Stream[T] {
	return &Stream[T]{ready: make(chan struct{}, 1), latest: latest}
}

// Ready is signalled when something came or the stream ended.
func (s *Stream[T]) Ready() <-chan struct{} { return s.ready }

// Notify calls f each time Ready is signalled, from then on, and at once if
// something waits or the stream has ended: a reader that has no goroutine
// waiting on Ready learns of it so. f must not block, nor call back into
// the stream.
func (s *Stream[T]) Notify(f func()) {
	s.mu.Lock()
	s.notify = f
	now := len(s.queue) > 0 || s.ended
	s.mu.Unlock()
	if now {
		f()
	}
}

// Take returns what came since the last Take, and false once the stream
// has ended: the reader sends what it got, and stops.
func (s *Stream[T]) Take() ([]T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.queue
	s.queue = nil
	return items, !s.ended
}

// Close ends the stream for its reader, who has gone.
func (s *Stream[T]) Close() {
	s.once.Do(func() {
		if s.leave != nil {
			s.leave()
		}
	})
}

// push adds items; false when the stream has ended or its reader is too
// far behind.
func (s *Stream[T]) push(items ...T) bool {
	if len(items) == 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return false
	}
	if s.latest {
		s.queue = append(s.queue[:0], items[len(items)-1])
	} else {
		if len(s.queue)+len(items) > maxQueue {
			return false
		}
		s.queue = append(s.queue, items...)
	}
	select {
	case s.ready <- struct{}{}:
	default:
	}
	if s.notify != nil {
		s.notify()
	}
	return true
}

// pending is how many items wait for the reader.
func (s *Stream[T]) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// end ends the stream; drop forgets what the reader has not taken yet
// (the viewer lost access to it).
func (s *Stream[T]) end(drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.ended = true
	if drop {
		s.queue = nil
	}
	close(s.ready)
	if s.notify != nil {
		s.notify()
	}
}

// StreamCaps bound how many streams are open at once: per address, per
// account and in all. They hold per process: behind a load balancer each
// API process holds its own, which bounds what one process spends on
// streams, the point of the caps. Zero takes the default.
type StreamCaps struct {
	PerAddress, PerAccount, Max int
}

// The default caps.
const (
	DefaultStreamsPerAddress = 20
	DefaultStreamsPerAccount = 20
	DefaultStreamsMax        = 10000
)

// StreamRetryAfter is when a refused stream is told to try again: a
// stream held open ends when its reader leaves, which no clock predicts.
const StreamRetryAfter = 15 * time.Second

// StreamMetrics counts streams (internal/metrics implements it).
type StreamMetrics interface {
	// StreamsOpen says how many streams are open now.
	StreamsOpen(n int)
	// StreamRefused counts a stream refused by a cap: "address",
	// "account" or "all".
	StreamRefused(cap string)
}

// RefusedError is a request refused for a while; RetryAfter says how long.
type RefusedError struct {
	Wait time.Duration
	msg  string
}

func (e *RefusedError) Error() string { return e.msg }

// RetryAfter is how long the client should wait before trying again.
func (e *RefusedError) RetryAfter() time.Duration { return e.Wait }

// streamSlots counts the open streams against the caps.
type streamSlots struct {
	open      int
	byAddress map[string]int
	byAccount map[string]int
}

// take takes a slot for a stream of viewerID from address, or says which
// cap refuses it; the caller holds the hub's lock.
func (c *streamSlots) take(caps StreamCaps, viewerID, address string) (string, int) {
	caps = caps.withDefaults()
	switch {
	case c.open >= caps.Max:
		return "all", caps.Max
	case c.byAddress[address] >= caps.PerAddress:
		return "address", caps.PerAddress
	case viewerID != "" && c.byAccount[viewerID] >= caps.PerAccount:
		return "account", caps.PerAccount
	}
	if c.byAddress == nil {
		c.byAddress, c.byAccount = map[string]int{}, map[string]int{}
	}
	c.open++
	c.byAddress[address]++
	if viewerID != "" {
		c.byAccount[viewerID]++
	}
	return "", 0
}

// give gives back a slot taken by take.
func (c *streamSlots) give(viewerID, address string) {
	c.open--
	if c.byAddress[address]--; c.byAddress[address] <= 0 {
		delete(c.byAddress, address)
	}
	if viewerID != "" {
		if c.byAccount[viewerID]--; c.byAccount[viewerID] <= 0 {
			delete(c.byAccount, viewerID)
		}
	}
}

func (c StreamCaps) withDefaults() StreamCaps {
	if c.PerAddress <= 0 {
		c.PerAddress = DefaultStreamsPerAddress
	}
	if c.PerAccount <= 0 {
		c.PerAccount = DefaultStreamsPerAccount
	}
	if c.Max <= 0 {
		c.Max = DefaultStreamsMax
	}
	return c
}

// refusal is the error of a stream refused by a cap.
func refusal(cap string, n int) error {
	var what string
	switch cap {
	case "address":
		what = fmt.Sprintf("too many open streams from your address (at most %d); close one and try again", n)
	case "account":
		what = fmt.Sprintf("too many open streams of your account (at most %d); close one and try again", n)
	default:
		what = "the server holds as many open streams as it can; try again in a moment"
	}
	return generia.WrapError(generia.KindLimit, &RefusedError{Wait: StreamRetryAfter, msg: what}, what)
}

// OpenStreams is how many streams are open in this process.
func (s *Service) OpenStreams() int {
	s.hubs.mu.Lock()
	defer s.hubs.mu.Unlock()
	return s.hubs.slots.open
}
