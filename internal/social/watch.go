package social

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/generia/generia/internal/generia"
)

// A world's live stream: what is added to it while someone watches (new
// posts, new comments, its life's state), read from the store, so that it
// shows what any worker of any process wrote.

// Event is one thing a world's live stream sends.
type Event struct {
	// Kind is EventPost, EventComment or EventLife.
	Kind    string
	Post    *generia.Post
	Comment *generia.Comment
	// Life is the life's state, for EventLife.
	Life string
	// At is when the post or comment was made: a stream resumed from it
	// (Last-Event-ID) misses nothing after it.
	At time.Time
}

// Kinds of events.
const (
	EventPost    = "post"
	EventComment = "comment"
	EventLife    = "life"
)

// How a stream watches its world: it reads what was added every
// WatchPoll, looking back watchOverlap each time, for a write stamped a
// moment before another's may be committed after it; and it sends the
// life's state every watchLifeEvery.
const (
	WatchPoll      = time.Second
	watchOverlap   = 10 * time.Second
	watchLifeEvery = 15 * time.Second
	watchBatch     = 100
)

// Watch streams what is added to a world the viewer may see, from since on
// (the zero time: from now), until ctx ends or the world is deleted; the
// channel is closed then. An open stream is a view of the world: the
// world stays awake while someone watches. Each event is sent once, in
// the order things were made, within a kind.
func (s *Service) Watch(ctx context.Context, viewerID, ref string, since time.Time) (<-chan Event, error) {
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if since.IsZero() || since.After(now) {
		since = now
	}
	since = maxTime(since, now.Add(-24*time.Hour)) // a stream is not an archive
	out := make(chan Event, 16)
	go s.watch(ctx, w.ID, since, out)
	return out, nil
}

func (s *Service) watch(ctx context.Context, worldID string, since time.Time, out chan<- Event) {
	defer close(out)
	send := func(e Event) bool {
		select {
		case out <- e:
			return true
		case <-ctx.Done():
			return false
		}
	}
	posts, comments := newTail(since), newTail(since)
	lastLife, lifeAt := "", time.Time{}
	ticker := time.NewTicker(WatchPoll)
	defer ticker.Stop()
	for {
		s.viewed(ctx, worldID)
		if s.Life != nil && time.Since(lifeAt) >= watchLifeEvery {
			lifeAt = time.Now()
			if v, err := s.Life.Life(ctx, worldID); err == nil && v.State != lastLife {
				lastLife = v.State
				if !send(Event{Kind: EventLife, Life: v.State}) {
					return
				}
			}
		}
		err := follow(ctx, posts, worldID, s.Store.PostsSince, send, func(p generia.Post) (string, Event) {
			return p.ID, Event{Kind: EventPost, Post: &p, At: p.CreatedAt}
		})
		if err == nil {
			err = follow(ctx, comments, worldID, s.Store.CommentsSince, send, func(c generia.Comment) (string, Event) {
				return c.ID, Event{Kind: EventComment, Comment: &c, At: c.CreatedAt}
			})
		}
		if err != nil {
			s.watchEnded(ctx, worldID, err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// errLeft is a stream whose reader has gone.
var errLeft = errors.New("the reader left")

// follow reads what was added to one table since its tail's place and
// sends what is new of it, as event says (the item's ID and its event).
func follow[T any](ctx context.Context, t *tail, worldID string, since func(context.Context, string, time.Time, int) ([]T, error),
	send func(Event) bool, event func(T) (string, Event)) error {
	items, err := since(ctx, worldID, t.from(), watchBatch)
	if err != nil {
		return err
	}
	for _, it := range items {
		id, e := event(it)
		if t.fresh(id, e.At) && !send(e) {
			return errLeft
		}
	}
	t.read(len(items))
	return nil
}

// watchEnded logs why a stream ended, unless its reader left or the world
// was deleted.
func (s *Service) watchEnded(ctx context.Context, worldID string, err error) {
	if ctx.Err() == nil && !errors.Is(err, errLeft) && !generia.IsKind(err, generia.KindNotFound) {
		slog.Warn("watching a world", "world_id", worldID, "error", err)
	}
}

// tail follows what is added to a table: each read looks back overlap from
// the newest seen, for a write stamped a moment before another may be
// committed after it; seen keeps what was sent in that window.
type tail struct {
	floor, newest time.Time
	overlap       time.Duration
	seen          map[string]time.Time
}

func newTail(since time.Time) *tail {
	return &tail{floor: since, newest: since, overlap: watchOverlap, seen: map[string]time.Time{}}
}

// from is where the next read starts.
func (t *tail) from() time.Time { return maxTime(t.floor, t.newest.Add(-t.overlap)) }

// fresh reports whether id is new, and remembers it.
func (t *tail) fresh(id string, at time.Time) bool {
	if _, ok := t.seen[id]; ok {
		return false
	}
	t.seen[id], t.newest = at, maxTime(t.newest, at)
	return true
}

// read ends a read of n rows. After a full batch the next read goes on
// from the newest, so that a burst longer than a batch is not read again
// and again; and what is older than the window is forgotten.
func (t *tail) read(n int) {
	t.overlap = watchOverlap
	if n == watchBatch {
		t.overlap = 0
	}
	for id, at := range t.seen {
		if at.Before(t.newest.Add(-watchOverlap)) {
			delete(t.seen, id)
		}
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
