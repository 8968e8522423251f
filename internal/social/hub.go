package social

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/generia/generia/internal/generia"
)

// A world's hub: one poller per world and process, however many streams
// watch it. Each tick it reads what is new (posts, comments, the life's
// state, the status record), then the world's visibility and owner, then
// gives each stream what its viewer may see by the same rule as a page
// read (mayView, forViewer). A stream whose viewer lost access (the world
// made private, deleted, the viewer left it) ends with nothing more. The
// world is read after what is new, so that nothing read before a world
// went private reaches a stream once it is private.

// StatusPoll is how often a world's status streams look for changes.
const StatusPoll = 250 * time.Millisecond

// hubs are the process's world hubs, its open streams' slots, and who
// its notifier tells (notifier.go).
type hubs struct {
	mu     sync.Mutex
	worlds map[string]*worldHub
	slots  streamSlots
	bell   bell
}

// worldHub feeds one world's streams.
type worldHub struct {
	id   string
	subs map[*subscriber]struct{} // under hubs.mu
	life string                   // the last life state sent; under hubs.mu
	wake chan struct{}

	// The hub's goroutine's own.
	posts, comments *tail
	eventsAt        time.Time
	lifeAt          time.Time
	carry           []Event // read, but not yet given: the world could not be read
}

// subscriber is one open stream of a world.
type subscriber struct {
	viewerID, address string
	events            *Stream[Event]                    // an event stream, or
	status            *Stream[generia.GenerationStatus] // a status stream
	since             time.Time
	stop              func() bool // stops waiting for the reader's context
	left              bool        // under hubs.mu
	// hub is the world hub it joined; nil for an account stream, which
	// only the notifier feeds.
	hub *worldHub
	// told are the notifications a resumed account stream was given when
	// it opened, which the notifier does not give again.
	told map[string]bool

	// While a resumed stream catches up it reads from its own tails; for
	// watchOverlap after, they drop what it already sent. The hub's
	// goroutine's own.
	own      *ownTails
	catching bool
	caughtAt time.Time
}

type ownTails struct{ posts, comments *tail }

// join adds a stream to its world's hub, starting the hub if it is the
// first. The stream ends with ctx.
func (s *Service) join(ctx context.Context, worldID string, sub *subscriber) {
	h := &s.hubs
	h.mu.Lock()
	if h.worlds == nil {
		h.worlds = map[string]*worldHub{}
	}
	wh, ok := h.worlds[worldID]
	if !ok {
		now := s.now()
		wh = &worldHub{id: worldID, subs: map[*subscriber]struct{}{}, wake: make(chan struct{}, 1),
			posts: newTail(now), comments: newTail(now)}
		h.worlds[worldID] = wh
		go s.runHub(wh)
	}
	// Set before the hub sees the stream, which it may end at once; a
	// context already done calls leave in a goroutine of its own, which
	// waits for the lock.
	leave := func() { s.leave(wh, sub) }
	if sub.events != nil {
		sub.events.leave = leave
	} else {
		sub.status.leave = leave
	}
	sub.stop = context.AfterFunc(ctx, leave)
	sub.hub = wh
	wh.subs[sub] = struct{}{}
	s.listen(sub)
	if sub.events != nil && wh.life != "" {
		sub.events.push(Event{Kind: EventLife, Life: wh.life})
	}
	h.mu.Unlock()
	select {
	case wh.wake <- struct{}{}:
	default:
	}
}

// leave takes a stream out of its hub and gives back its slot; drop ends
// it without what its reader has not taken.
func (s *Service) leave(wh *worldHub, sub *subscriber) { s.endSub(wh, sub, true) }

func (s *Service) endSub(wh *worldHub, sub *subscriber, drop bool) {
	h := &s.hubs
	h.mu.Lock()
	if sub.left {
		h.mu.Unlock()
		return
	}
	sub.left = true
	if wh != nil {
		delete(wh.subs, sub)
	}
	s.unlisten(sub)
	h.slots.give(sub.viewerID, sub.address)
	s.streamsOpen(h.slots.open) // under the lock: the gauge's last word is the count's
	h.mu.Unlock()
	if sub.stop != nil {
		sub.stop()
	}
	if sub.events != nil {
		sub.events.end(drop)
	} else {
		sub.status.end(drop)
	}
}

func (s *Service) streamsOpen(n int) {
	if s.StreamMetrics != nil {
		s.StreamMetrics.StreamsOpen(n)
	}
}

// runHub polls for a world while it has streams.
func (s *Service) runHub(wh *worldHub) {
	ctx := context.Background()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-timer.C:
		case <-wh.wake:
		}
		subs := s.subscribers(wh)
		if subs == nil {
			return
		}
		next := s.tick(ctx, wh, subs)
		timer.Reset(next)
	}
}

// subscribers are a hub's streams now; nil, and the hub removed, when
// none is left.
func (s *Service) subscribers(wh *worldHub) []*subscriber {
	h := &s.hubs
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(wh.subs) == 0 {
		delete(h.worlds, wh.id)
		return nil
	}
	return subsOf(wh)
}

// joined are a hub's streams now: those of events, and those of the
// status.
func (s *Service) joined(wh *worldHub) (watchers, statusWatchers []*subscriber) {
	s.hubs.mu.Lock()
	defer s.hubs.mu.Unlock()
	return split(subsOf(wh))
}

// subsOf lists a hub's streams; under hubs.mu.
func subsOf(wh *worldHub) []*subscriber {
	subs := make([]*subscriber, 0, len(wh.subs))
	for sub := range wh.subs {
		subs = append(subs, sub)
	}
	return subs
}

// split parts streams of events from streams of the status.
func split(subs []*subscriber) (watchers, statusWatchers []*subscriber) {
	for _, sub := range subs {
		if sub.events != nil {
			watchers = append(watchers, sub)
		} else {
			statusWatchers = append(statusWatchers, sub)
		}
	}
	return watchers, statusWatchers
}

// tick reads what is new of a world and gives it to its streams; it
// returns when the next tick is due.
func (s *Service) tick(ctx context.Context, wh *worldHub, subs []*subscriber) time.Duration {
	now := time.Now()
	next := WatchPoll
	watchers, statusWatchers := split(subs)

	// What is new.
	own := map[*subscriber][]Event{}
	batch := wh.carry
	wh.carry = nil
	var err error
	if len(watchers) > 0 && now.Sub(wh.eventsAt) >= WatchPoll-StatusPoll/2 {
		wh.eventsAt = now
		s.viewed(ctx, wh.id) // an open stream is a view: the world stays awake
		for _, sub := range watchers {
			if sub.catching && sub.events.pending() < watchBatch {
				var full bool
				own[sub], full, err = readNew(ctx, s.Store, wh.id, sub.own.posts, sub.own.comments)
				if err != nil {
					break
				}
				if !full {
					sub.catching, sub.caughtAt = false, now
				}
			}
		}
		if err == nil {
			var fresh []Event
			fresh, _, err = readNew(ctx, s.Store, wh.id, wh.posts, wh.comments)
			batch = append(batch, fresh...)
		}
		if err == nil && s.Life != nil && now.Sub(wh.lifeAt) >= watchLifeEvery {
			wh.lifeAt = now
			if v, lerr := s.Life.Life(ctx, wh.id); lerr == nil && v.State != s.lifeOf(wh) {
				s.setLife(wh, v.State)
				batch = append(batch, Event{Kind: EventLife, Life: v.State})
			}
		}
	}
	var st generia.GenerationStatus
	readStatus := err == nil && len(statusWatchers) > 0
	if readStatus {
		next = StatusPoll
		st, err = s.Store.GenerationStatus(ctx, wh.id)
	}
	// A stream that joined while this tick read gets what it read too: its
	// tails have moved past it, and what was made before the stream began
	// is left out by its since, as for every stream.
	watchers, statusWatchers = s.joined(wh)
	subs = append(slices.Clip(watchers), statusWatchers...)
	var w worldRef
	if err == nil {
		w, err = s.ref(ctx, wh.id)
	}
	if generia.IsKind(err, generia.KindNotFound) {
		for _, sub := range subs {
			s.endSub(wh, sub, true) // the world is gone
		}
		return next
	}

	// Who may see it, by the page's rule, once per viewer.
	may := map[string]bool{}
	for _, sub := range subs {
		if err != nil {
			break
		}
		if _, seen := may[sub.viewerID]; !seen {
			may[sub.viewerID], err = s.mayView(ctx, w, sub.viewerID)
		}
	}
	if err != nil {
		s.hold(wh, subs, batch, own, err)
		return next
	}
	for _, sub := range subs {
		if !may[sub.viewerID] {
			s.endSub(wh, sub, true)
		}
	}

	for _, sub := range statusWatchers {
		if !may[sub.viewerID] || !readStatus {
			continue // a status stream that joined meanwhile gets the next tick's read
		}
		sub.status.push(forViewer(st, w.OwnerID, sub.viewerID))
		if generia.IsTerminal(st.Status) {
			s.endSub(wh, sub, false) // the generation has ended: so does its stream
		}
	}
	for _, sub := range watchers {
		if !may[sub.viewerID] {
			continue
		}
		give := s.heldOut(ctx, w, sub.viewerID, own[sub])
		for _, e := range batch {
			switch {
			case e.Kind == EventLife:
			case sub.catching, e.At.Before(sub.since):
				continue
			case sub.own != nil && !sub.own.fresh(e):
				continue
			case !s.getsEvent(ctx, w, sub.viewerID, e):
				continue
			}
			give = append(give, e)
		}
		if sub.own != nil && !sub.catching && now.Sub(sub.caughtAt) > watchOverlap {
			sub.own = nil // caught up long enough: the hub's tails alone
		}
		if !sub.events.push(give...) {
			s.endSub(wh, sub, false) // a reader too far behind resumes from the store
		}
		if sub.catching {
			next = min(next, StatusPoll) // catch up quickly
		}
	}
	return next
}

// hold keeps what a tick read for the next, when it could not tell who may
// see it: nothing is given this time.
func (s *Service) hold(wh *worldHub, subs []*subscriber, batch []Event, own map[*subscriber][]Event, err error) {
	if s.deserted(wh) {
		return // its readers left while it read (a server closing)
	}
	slog.Warn("watching a world", "world_id", wh.id, "error", err)
	for sub := range own {
		s.endSub(wh, sub, true) // what it caught up on is lost: it resumes from the store
	}
	wh.carry = batch
	if len(wh.carry) > maxQueue {
		for _, sub := range subs {
			s.endSub(wh, sub, true) // its readers resume from the store
		}
		wh.carry = nil
	}
}

// fresh says whether a resumed stream has not sent e yet.
func (o *ownTails) fresh(e Event) bool {
	switch e.Kind {
	case EventPost:
		return o.posts.fresh(e.Post.ID, e.At)
	case EventComment:
		return o.comments.fresh(e.Comment.ID, e.At)
	}
	return true
}

// deserted says whether a hub's streams have all ended.
func (s *Service) deserted(wh *worldHub) bool {
	s.hubs.mu.Lock()
	defer s.hubs.mu.Unlock()
	return len(wh.subs) == 0
}

func (s *Service) lifeOf(wh *worldHub) string {
	s.hubs.mu.Lock()
	defer s.hubs.mu.Unlock()
	return wh.life
}

func (s *Service) setLife(wh *worldHub, state string) {
	s.hubs.mu.Lock()
	defer s.hubs.mu.Unlock()
	wh.life = state
}

// readNew reads the posts and comments added to a world past its tails;
// full says a read filled its batch, and there is more to read.
func readNew(ctx context.Context, store generia.Store, worldID string, posts, comments *tail) ([]Event, bool, error) {
	var out []Event
	pfull, err := follow(ctx, posts, worldID, store.PostsSince, &out, func(p generia.Post) (string, Event) {
		return p.ID, Event{Kind: EventPost, Post: &p, At: p.CreatedAt}
	})
	if err != nil {
		return nil, false, err
	}
	cfull, err := follow(ctx, comments, worldID, store.CommentsSince, &out, func(c generia.Comment) (string, Event) {
		return c.ID, Event{Kind: EventComment, Comment: &c, At: c.CreatedAt}
	})
	if err != nil {
		return nil, false, err
	}
	return out, pfull || cfull, nil
}

// opening takes a stream's slot, or says which cap refuses it.
func (s *Service) opening(viewerID, address string) (release func(), err error) {
	h := &s.hubs
	h.mu.Lock()
	cap, n := h.slots.take(s.StreamCaps, viewerID, address)
	s.streamsOpen(h.slots.open)
	h.mu.Unlock()
	if cap != "" {
		if s.StreamMetrics != nil {
			s.StreamMetrics.StreamRefused(cap)
		}
		return nil, refusal(cap, n)
	}
	return func() {
		h.mu.Lock()
		h.slots.give(viewerID, address)
		s.streamsOpen(h.slots.open)
		h.mu.Unlock()
	}, nil
}

// getsEvent reports whether a viewer gets an event of a post or comment
// under review: its person and moderators do, by the rule pages follow.
// A failure to tell gives nothing.
func (s *Service) getsEvent(ctx context.Context, w worldRef, viewerID string, e Event) bool {
	var ok bool
	var err error
	switch {
	case e.Post != nil && !e.Post.Review.Visible():
		ok, err = s.sees(ctx, viewerID, e.Post.Review, s.postAuthor(ctx, *e.Post, w.OwnerID))
	case e.Comment != nil && !e.Comment.Review.Visible():
		author := e.Comment.UserID
		if e.Comment.IsAI {
			author = w.OwnerID
		}
		ok, err = s.sees(ctx, viewerID, e.Comment.Review, author)
	default:
		return true
	}
	return ok && err == nil
}

// heldOut drops from events those the viewer does not get (getsEvent).
func (s *Service) heldOut(ctx context.Context, w worldRef, viewerID string, events []Event) []Event {
	return slices.DeleteFunc(events, func(e Event) bool { return !s.getsEvent(ctx, w, viewerID, e) })
}
