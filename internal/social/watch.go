package social

import (
	"context"
	"time"

	"github.com/generia/generia/internal/generia"
)

// A world's live stream: what is added to it while someone watches (new
// posts, new comments, its life's state), read from the store by the
// world's hub (hub.go), so that it shows what any worker of any process
// wrote.

// Event is one thing a world's live stream, or an account's, sends.
type Event struct {
	// Kind is EventPost, EventComment, EventLife or EventNotification.
	Kind    string
	Post    *generia.Post
	Comment *generia.Comment
	// Life is the life's state, for EventLife.
	Life string
	// Notification is a notification of the stream's viewer, from any
	// world, for EventNotification (see notifier.go); Unread is how many of
	// theirs are unread with it.
	Notification *NotificationView
	Unread       int
	// At is when the post or comment was made: a stream resumed from it
	// (Last-Event-ID) misses nothing after it. Zero for the other events,
	// which a world stream does not resume by.
	At time.Time
}

// Kinds of events.
const (
	EventPost         = "post"
	EventComment      = "comment"
	EventLife         = "life"
	EventNotification = "notification"
)

// How a hub watches its world: it reads what was added every WatchPoll,
// looking back watchOverlap each time, for a write stamped a moment before
// another's may be committed after it; and it reads the life's state every
// watchLifeEvery.
const (
	WatchPoll      = time.Second
	watchOverlap   = 10 * time.Second
	watchLifeEvery = 15 * time.Second
	watchBatch     = 100
)

// Watch streams what is added to a world the viewer may see, from since on
// (the zero time: from now), for as long as they may see it: the stream
// ends when ctx ends, the world is deleted, or the viewer loses access to
// it (the world made private, the viewer left it), each event given by
// the same rule as a page read. An open stream is a view of the world:
// the world stays awake while someone watches. Each event is sent once,
// in the order things were made, within a kind. address is where the
// viewer connects from: open streams are capped per address, per account
// and in all (StreamCaps), a stream past a cap refused with KindLimit and
// a *RefusedError saying when to try again.
func (s *Service) Watch(ctx context.Context, viewerID, address, ref string, since time.Time) (*Stream[Event], error) {
	release, err := s.opening(viewerID, address)
	if err != nil {
		return nil, err
	}
	w, err := s.visible(ctx, viewerID, ref)
	if err != nil {
		release()
		return nil, err
	}
	now := s.now()
	if since.IsZero() || since.After(now) {
		since = now
	}
	since = maxTime(since, now.Add(-24*time.Hour)) // a stream is not an archive
	sub := &subscriber{viewerID: viewerID, address: address, events: newStream[Event](false), since: since}
	if since.Before(now) {
		// A resumed stream reads what it missed from its own tails first.
		sub.own = &ownTails{posts: newTail(since), comments: newTail(since)}
		sub.catching = true
	}
	s.join(ctx, w.ID, sub)
	return sub.events, nil
}

// follow reads what was added to one table since its tail's place and
// adds what is new of it to out, as event says (the item's ID and its
// event); full says the read filled its batch.
func follow[T any](ctx context.Context, t *tail, worldID string, since func(context.Context, string, time.Time, int) ([]T, error),
	out *[]Event, event func(T) (string, Event)) (bool, error) {
	items, err := since(ctx, worldID, t.from(), watchBatch)
	if err != nil {
		return false, err
	}
	for _, it := range items {
		id, e := event(it)
		if t.fresh(id, e.At) {
			*out = append(*out, e)
		}
	}
	t.read(len(items))
	return len(items) == watchBatch, nil
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
