package social

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// address is where the tests' viewers connect from.
const address = "192.0.2.1"

// watchUntil reads a stream until done says it has what it waits for, or
// the stream ends; it fails the test after 30 s (a deadline for a loaded
// machine, not a measure of speed).
func watchUntil[T any](t *testing.T, st *Stream[T], done func(got []T) bool) (got []T, open bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		select {
		case <-st.Ready():
			items, open := st.Take()
			got = append(got, items...)
			if !open || done(got) {
				return got, open
			}
		case <-deadline:
			t.Fatalf("after 30 s the stream is open and has not sent what the test waits for; got %d items", len(got))
		}
	}
}

// hasPost says whether events hold the post id.
func hasPost(events []Event, id string) bool {
	for _, e := range events {
		if e.Kind == EventPost && e.Post.ID == id {
			return true
		}
	}
	return false
}

// never is a done that waits for the stream's end.
func never[T any]([]T) bool { return false }

// newPost adds a post by w's AI character, a minute after the town's now.
func newPost(t *testing.T, s *Service, w, id string) {
	t.Helper()
	_, _, err := s.Store.CreatePost(context.Background(), generia.Post{ID: id, WorldID: w, CharacterID: aiCharacter(w), Caption: "News",
		CreatedAt: s.now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
}

// makePrivate has the owner make the public world private.
func makePrivate(t *testing.T, s *Service) {
	t.Helper()
	name, v := "Harbour", generia.VisibilityPrivate // the town's worlds were made without a name
	if _, err := s.EditWorld(context.Background(), owner, public, WorldEdit{Name: &name, Visibility: &v}); err != nil {
		t.Fatal(err)
	}
}

// A stream is a page read that goes on: its events go by the page's rule.
// When a public world is made private, a visitor's and a stranger's
// streams (events and status) end and send nothing after, while its
// owner's and members' go on and get what is new.
func TestStreamsEndWhenTheWorldIsMadePrivate(t *testing.T) {
	tw := newTown(t)
	for _, who := range []string{anon, owner, member, stranger, operator} {
		t.Run(nameOf(who), func(t *testing.T) {
			t.Parallel()
			ctx := t.Context()
			s := tw.service(t)
			events, err := s.Watch(ctx, who, address, public, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			defer events.Close()
			status, err := s.WatchStatus(ctx, who, address, public)
			if err != nil {
				t.Fatal(err)
			}
			defer status.Close()
			if got, _ := watchUntil(t, status, func(got []generia.GenerationStatus) bool { return len(got) > 0 }); got[0].WorldID != public {
				t.Fatalf("the status stream's first record is of %q", got[0].WorldID)
			}

			makePrivate(t, s)
			newPost(t, s, public, "post-after")
			insider := who == owner || who == member
			if insider {
				got, open := watchUntil(t, events, func(got []Event) bool { return hasPost(got, "post-after") })
				if !open || !hasPost(got, "post-after") {
					t.Errorf("the %s's stream ended, or has not the new post", nameOf(who))
				}
				if _, open := status.Take(); !open {
					t.Errorf("the %s's status stream ended", nameOf(who))
				}
				return
			}
			if got, _ := watchUntil(t, events, never); hasPost(got, "post-after") {
				t.Errorf("the %s's stream sent a post of the world made private", nameOf(who))
			}
			if _, open := watchUntil(t, status, never); open {
				t.Errorf("the %s's status stream is still open", nameOf(who))
			}
		})
	}
}

// A deleted world's streams end, everyone's.
func TestStreamsOfADeletedWorldEnd(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	var streams []*Stream[Event]
	for _, who := range []string{anon, owner, member, stranger} {
		st, err := s.Watch(ctx, who, address, public, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, st)
	}
	status, err := s.WatchStatus(ctx, anon, address, public)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteWorld(ctx, owner, public); err != nil {
		t.Fatal(err)
	}
	for i, st := range streams {
		if _, open := watchUntil(t, st, never); open {
			t.Errorf("stream %d of the deleted world is open", i)
		}
	}
	if _, open := watchUntil(t, status, never); open {
		t.Error("the status stream of the deleted world is open")
	}
	waitFor(t, "every slot given back", func() bool { return s.OpenStreams() == 0 })
}

// A member who leaves a private world loses its stream, and what comes
// after; the owner's goes on.
func TestLeavingAPrivateWorldEndsTheStream(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	mine, err := s.Watch(ctx, member, address, private, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	owners, err := s.Watch(ctx, owner, address, private, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LeaveWorld(ctx, member, private); err != nil {
		t.Fatal(err)
	}
	newPost(t, s, private, "post-after")
	if got, open := watchUntil(t, mine, never); open || hasPost(got, "post-after") {
		t.Errorf("the stream of a member who left: open %v, sent the new post %v", open, hasPost(got, "post-after"))
	}
	if got, _ := watchUntil(t, owners, func(got []Event) bool { return hasPost(got, "post-after") }); !hasPost(got, "post-after") {
		t.Error("the owner's stream has not the new post")
	}
}

// A status stream gives why a generation failed in detail to the owner
// only, also when it fails while the stream is open.
func TestStatusStreamKeepsTheFailureDetailTheOwners(t *testing.T) {
	tw := newTown(t)
	for _, who := range []string{anon, owner, member, stranger, operator} {
		t.Run(nameOf(who), func(t *testing.T) {
			t.Parallel()
			s := tw.service(t)
			st, err := s.WatchStatus(t.Context(), who, address, public)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			watchUntil(t, st, func(got []generia.GenerationStatus) bool { return len(got) > 0 })
			detail := "openrouter: 402 Bearer sk-or-v1-0123456789abcdef"
			if _, err := s.Store.FinishGeneration(t.Context(), public, generia.StatusFailed, detail, "the LLM provider is out of credits", s.now()); err != nil {
				t.Fatal(err)
			}
			got, open := watchUntil(t, st, never)
			if open || len(got) == 0 || got[len(got)-1].Status != generia.StatusFailed {
				t.Fatalf("the stream ends with %d records, open %v", len(got), open)
			}
			want := "the LLM provider is out of credits"
			if who == owner {
				want = detail
			}
			if e := got[len(got)-1].Error; e != want {
				t.Errorf("the %s reads the failure as %q, want %q", nameOf(who), e, want)
			}
		})
	}
}

// Open streams are capped per address, per account and in all; a refusal
// says when to try again, and a closed stream gives its slot back.
func TestOpenStreamsAreCapped(t *testing.T) {
	s := newTown(t).service(t)
	s.StreamCaps = StreamCaps{PerAddress: 3, PerAccount: 2, Max: 6}
	counted := &streamCounts{refused: map[string]int{}}
	s.StreamMetrics = counted
	ctx := t.Context()
	open := func(who, from string) (*Stream[Event], error) {
		return s.Watch(ctx, who, from, public, time.Time{})
	}
	refused := func(err error, what string) {
		t.Helper()
		var r interface{ RetryAfter() time.Duration }
		if !generia.IsKind(err, generia.KindLimit) || !errors.As(err, &r) || r.RetryAfter() <= 0 {
			t.Errorf("%s: %v, want a limit saying when to try again", what, err)
		}
	}
	var first *Stream[Event]
	for i := range 3 {
		st, err := open(anon, address)
		if err != nil {
			t.Fatalf("stream %d: %v", i+1, err)
		}
		if first == nil {
			first = st
		}
	}
	_, err := open(anon, address)
	refused(err, "the 4th stream from one address")
	// A stream refused for access spends no slot (three more would fill
	// the process's six).
	for range 10 {
		if _, err := s.Watch(ctx, anon, "203.0.113.2", private, time.Time{}); !generia.IsKind(err, generia.KindNotFound) {
			t.Fatalf("a visitor's stream of the private world: %v, want not found", err)
		}
	}
	for i := range 2 {
		if _, err := open(member, fmt.Sprintf("198.51.100.%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = open(member, "198.51.100.9")
	refused(err, "an account's 3rd stream")
	if _, err := open(stranger, "203.0.113.1"); err != nil {
		t.Fatal(err)
	}
	_, err = open(operator, "203.0.113.3")
	refused(err, "the 7th stream of the process")

	first.Close()
	if _, err := open(operator, "203.0.113.3"); err != nil {
		t.Errorf("after one closed: %v", err)
	}
	if n := s.OpenStreams(); n != 6 {
		t.Errorf("%d streams counted open, want 6", n)
	}
	counted.mu.Lock()
	defer counted.mu.Unlock()
	if counted.open != 6 || counted.refused["address"] != 1 || counted.refused["account"] != 1 || counted.refused["all"] != 1 {
		t.Errorf("metrics: %d open, refused %v; want 6 open, one refused by each cap", counted.open, counted.refused)
	}
}

// streamCounts records what the streams tell the metrics.
type streamCounts struct {
	mu      sync.Mutex
	open    int
	refused map[string]int
}

func (c *streamCounts) StreamsOpen(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open = n
}

func (c *streamCounts) StreamRefused(cap string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refused[cap]++
}

// waitFor polls cond until it holds; it fails the test after 30 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: not %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// countingStore counts the reads of what is new in a world.
type countingStore struct {
	generia.Store
	reads atomic.Int64
}

func (c *countingStore) PostsSince(ctx context.Context, worldID string, since time.Time, n int) ([]generia.Post, error) {
	c.reads.Add(1)
	return c.Store.PostsSince(ctx, worldID, since, n)
}

// Fifty streams of one world are fed by one poller: the store is read for
// them as for one, not fifty times over.
func TestStreamsOfAWorldShareOnePoller(t *testing.T) {
	s := newTown(t).service(t)
	counting := &countingStore{Store: s.Store}
	s.Store = counting
	ctx := t.Context()
	var streams []*Stream[Event]
	for i := range 50 {
		st, err := s.Watch(ctx, anon, fmt.Sprintf("198.51.100.%d", i), public, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		streams = append(streams, st)
	}
	newPost(t, s, public, "post-new")
	for i, st := range streams {
		if got, _ := watchUntil(t, st, func(got []Event) bool { return hasPost(got, "post-new") }); !hasPost(got, "post-new") {
			t.Fatalf("stream %d has not the new post", i)
		}
	}
	if n := counting.reads.Load(); n >= 50 {
		t.Errorf("the posts were read %d times for 50 streams until the new post reached them all, want a few (one a second)", n)
	}
}

// A stream resumed from its last event's time gets what it missed, then
// what is new, each once.
func TestAResumedStreamMissesNothingAndRepeatsNothing(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	// The town's post was made at now: resume from a minute before.
	st, err := s.Watch(ctx, anon, address, public, s.now().Add(-time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// Another stream, live, so that the hub's own tails run beside the
	// resumed one's.
	if _, err := s.Watch(ctx, member, address, public, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, _ := watchUntil(t, st, func(got []Event) bool { return hasPost(got, postOf(public)) })
	newPost(t, s, public, "post-new")
	more, _ := watchUntil(t, st, func(got []Event) bool { return hasPost(got, "post-new") })
	got = append(got, more...)
	seen := map[string]int{}
	for _, e := range got {
		switch e.Kind {
		case EventPost:
			seen[e.Post.ID]++
		case EventComment:
			seen[e.Comment.ID]++
		}
	}
	for _, id := range []string{postOf(public), commentOf(owner, public), commentOf(member, public), "post-new"} {
		if seen[id] != 1 {
			t.Errorf("%s sent %d times, want once", id, seen[id])
		}
	}
}

// flakyStore fails to read worlds while down is set.
type flakyStore struct {
	generia.Store
	down, failed atomic.Int64
}

func (f *flakyStore) World(ctx context.Context, id string) (generia.World, error) {
	if f.down.Load() == 1 {
		f.failed.Add(1)
		return generia.World{}, fmt.Errorf("reading world %s: the database is unreachable", id)
	}
	return f.Store.World(ctx, id)
}

// While who may see a world cannot be read, its streams get nothing, and
// what was added meanwhile comes once it can, once.
func TestAStreamWaitsOutAFailedRead(t *testing.T) {
	s := newTown(t).service(t)
	flaky := &flakyStore{Store: s.Store}
	s.Store = flaky
	st, err := s.Watch(t.Context(), stranger, address, public, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	flaky.down.Store(1)
	newPost(t, s, public, "post-during")
	waitFor(t, "two failed reads of the world", func() bool { return flaky.failed.Load() >= 2 })
	if got, open := st.Take(); !open || hasPost(got, "post-during") {
		t.Fatalf("while the world cannot be read: open %v, sent the new post %v", open, hasPost(got, "post-during"))
	}
	flaky.down.Store(0)
	got, _ := watchUntil(t, st, func(got []Event) bool { return hasPost(got, "post-during") })
	n := 0
	for _, e := range got {
		if e.Kind == EventPost && e.Post.ID == "post-during" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the post made while the world could not be read was sent %d times, want once", n)
	}
}
