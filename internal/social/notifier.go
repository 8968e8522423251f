package social

import (
	"context"
	"log/slog"
	"slices"
	"time"

	"github.com/generia/generia/internal/generia"
)

// The notifier: one poller per process, however many streams are open,
// reads the notifications the store holds (whichever process or worker
// wrote them) every StatusPoll while someone signed in has a stream open,
// and gives each to the open streams of its person: their world streams
// (Watch) and their account streams (WatchAccount). Nothing in memory is
// the source of truth: each process reads the shared store, and a
// notification reaches a stream of whichever process holds it.

// bell is who the notifier tells; under hubs.mu.
type bell struct {
	// people are the open event streams of each signed-in viewer.
	people  map[string]map[*subscriber]struct{}
	running bool
}

// accountCatchUp is how many of their latest notifications a resumed
// account stream is given at most.
const accountCatchUp = 50

// WatchAccount streams the viewer's notifications as they come
// (EventNotification), from whatever world, for as long as ctx lasts. A
// stream resumed from since (a reconnecting reader's last event) first
// gives what came after it, up to accountCatchUp of the latest and a day
// back. Open streams are capped as Watch's are; a visitor gets
// KindUnauthorized.
func (s *Service) WatchAccount(ctx context.Context, viewerID, address string, since time.Time) (*Stream[Event], error) {
	if err := signedIn(viewerID); err != nil {
		return nil, err
	}
	release, err := s.opening(viewerID, address)
	if err != nil {
		return nil, err
	}
	sub := &subscriber{viewerID: viewerID, address: address, events: newStream[Event](false)}
	now := s.now()
	if !since.IsZero() && since.Before(now) {
		missed, err := s.missed(ctx, viewerID, maxTime(since, now.Add(-24*time.Hour)))
		if err != nil {
			release()
			return nil, err
		}
		sub.told = map[string]bool{}
		for _, e := range missed {
			sub.told[e.Notification.ID] = true
		}
		sub.events.push(missed...)
	}
	h := &s.hubs
	h.mu.Lock()
	leave := func() { s.endSub(nil, sub, true) }
	sub.events.leave = leave
	sub.stop = context.AfterFunc(ctx, leave)
	s.listen(sub)
	h.mu.Unlock()
	return sub.events, nil
}

// missed are the viewer's notifications made after since, oldest first,
// each with the unread count now.
func (s *Service) missed(ctx context.Context, viewerID string, since time.Time) ([]Event, error) {
	list, _, err := s.Store.Notifications(ctx, viewerID, generia.Page{Limit: accountCatchUp})
	if err != nil {
		return nil, err
	}
	list = slices.DeleteFunc(list, func(n generia.Notification) bool { return !n.CreatedAt.After(since) })
	if len(list) == 0 {
		return nil, nil
	}
	unread, err := s.Store.UnreadNotifications(ctx, viewerID)
	if err != nil {
		return nil, err
	}
	names := s.worldNames(ctx, list)
	out := make([]Event, 0, len(list))
	for _, n := range slices.Backward(list) {
		v := viewOf([]generia.Notification{n}, names[n.WorldID])
		out = append(out, Event{Kind: EventNotification, Notification: &v, Unread: unread})
	}
	return out, nil
}

// listen adds an event stream of a signed-in viewer to those the notifier
// tells, starting the notifier if it is the first; under hubs.mu.
func (s *Service) listen(sub *subscriber) {
	if sub.events == nil || sub.viewerID == "" {
		return
	}
	b := &s.hubs.bell
	if b.people == nil {
		b.people = map[string]map[*subscriber]struct{}{}
	}
	if b.people[sub.viewerID] == nil {
		b.people[sub.viewerID] = map[*subscriber]struct{}{}
	}
	b.people[sub.viewerID][sub] = struct{}{}
	if !b.running {
		b.running = true
		go s.runNotifier()
	}
}

// unlisten takes a stream out of those the notifier tells; under hubs.mu.
func (s *Service) unlisten(sub *subscriber) {
	b := &s.hubs.bell
	subs := b.people[sub.viewerID]
	delete(subs, sub)
	if len(subs) == 0 {
		delete(b.people, sub.viewerID)
	}
}

// listening says whether anyone listens; when no one does, the notifier
// stops, and the next stream to listen starts another.
func (s *Service) listening() bool {
	h := &s.hubs
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.bell.people) == 0 {
		h.bell.running = false
		return false
	}
	return true
}

// listeners are the open streams of each of people now.
func (s *Service) listeners(people []string) map[string][]*subscriber {
	h := &s.hubs
	h.mu.Lock()
	defer h.mu.Unlock()
	out := map[string][]*subscriber{}
	for _, p := range people {
		if _, ok := out[p]; ok {
			continue
		}
		out[p] = nil
		for sub := range h.bell.people[p] {
			out[p] = append(out[p], sub)
		}
	}
	return out
}

// runNotifier polls for notifications while someone listens.
func (s *Service) runNotifier() {
	ctx := context.Background()
	t := newTail(s.now())
	timer := time.NewTimer(0)
	defer timer.Stop()
	for range timer.C {
		if !s.listening() {
			return
		}
		timer.Reset(s.ring(ctx, t))
	}
}

// ring reads the notifications made since the tail's place and gives each
// to its person's open streams; it returns when the next read is due.
func (s *Service) ring(ctx context.Context, t *tail) time.Duration {
	items, err := s.Store.NotificationsSince(ctx, t.from(), watchBatch)
	if err != nil {
		slog.Warn("reading new notifications", "error", err)
		return WatchPoll
	}
	var fresh []generia.Notification
	var people []string
	for _, n := range items {
		if t.fresh(n.ID, n.CreatedAt) {
			fresh = append(fresh, n)
			people = append(people, n.UserID)
		}
	}
	t.read(len(items))
	next := StatusPoll
	if len(items) == watchBatch {
		next = 0 // a burst: read on at once
	}
	if len(fresh) == 0 {
		return next
	}
	subs := s.listeners(people)
	worlds := map[string]notifiedWorld{}
	unread := map[string]int{}
	for _, n := range fresh {
		if len(subs[n.UserID]) == 0 {
			continue
		}
		w, ok := s.notifiedWorld(ctx, worlds, n)
		if !ok {
			continue
		}
		count, seen := unread[n.UserID]
		if !seen {
			if count, err = s.Store.UnreadNotifications(ctx, n.UserID); err != nil {
				slog.Warn("counting unread notifications", "user_id", n.UserID, "error", err)
				continue
			}
			unread[n.UserID] = count
		}
		v := viewOf([]generia.Notification{n}, w.name)
		e := Event{Kind: EventNotification, Notification: &v, Unread: count}
		for _, sub := range subs[n.UserID] {
			if sub.told[n.ID] {
				continue
			}
			if !sub.events.push(e) {
				s.endSub(sub.hub, sub, false) // a reader too far behind resumes from the store
			}
		}
	}
	return next
}

// notifiedWorld is what the notifier read of a notification's world.
type notifiedWorld struct {
	ref  worldRef
	name string
	err  error
}

// notifiedWorld says whether a notification's person may still see its
// world, with the world's name, reading each world once per read: the
// store left out what they could not see when it read, and this holds the
// page's rule at the moment the notification is given. An invitation is
// of a world its person may not see yet: it goes while the world is one
// moderators let people see.
func (s *Service) notifiedWorld(ctx context.Context, worlds map[string]notifiedWorld, n generia.Notification) (notifiedWorld, bool) {
	if n.WorldID == "" {
		return notifiedWorld{}, true
	}
	w, ok := worlds[n.WorldID]
	if !ok {
		world, err := s.Store.World(ctx, n.WorldID)
		w = notifiedWorld{ref: refOf(world), name: world.Name, err: err}
		worlds[n.WorldID] = w
	}
	if w.err != nil {
		if !generia.IsKind(w.err, generia.KindNotFound) {
			slog.Warn("reading a notification's world", "world_id", n.WorldID, "error", w.err)
		}
		return w, false
	}
	if n.Kind == generia.NotifyInvitation {
		return w, w.ref.Review.Visible()
	}
	may, err := s.mayView(ctx, w.ref, n.UserID)
	if err != nil {
		slog.Warn("checking a notification's world", "world_id", n.WorldID, "user_id", n.UserID, "error", err)
	}
	return w, may && err == nil
}
