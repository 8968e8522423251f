package generia

import (
	"testing"
	"time"
)

// midway is a 10/100 world 60 s into its run (123 text calls and 112
// images expected): 60 text calls answered in 120 s of calls (2 s each), 4
// in flight; 40 images in 120 s (3 s each), 6 in flight.
func midway(t0 time.Time) GenerationStatus {
	now := t0.Add(time.Minute)
	return GenerationStatus{Status: StatusInProgress, StartedAt: &t0, UpdatedAt: now, CharactersPredicted: 10, PostsPredicted: 100,
		CallsLLM: 64, LLMCallsDone: 60, LLMBusy: 120 * time.Second, CallsImages: 46, ImageCallsDone: 40, ImageBusy: 120 * time.Second}
}

func TestTimeLeft(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	if llm, images := ExpectedCalls(NewPlan(10, 100)); llm != 123 || images != 112 {
		t.Fatalf("a 10/100 world expects %d text calls and %d images; the cases below assume 123 and 112", llm, images)
	}
	now := t0.Add(time.Minute)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	secs := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	edit := func(f func(*GenerationStatus)) GenerationStatus { st := midway(t0); f(&st); return st }
	cases := []struct {
		name    string
		st      GenerationStatus
		samples []ProgressSample
		want    time.Duration
		ok      bool
	}{
		{"not started", GenerationStatus{Status: StatusPending}, nil, 0, false},
		{"ended", edit(func(s *GenerationStatus) { s.Status = StatusCompleted }), nil, 0, false},
		{"no image answered yet", edit(func(s *GenerationStatus) { s.ImageCallsDone, s.ImageBusy = 0, 0 }), nil, 0, false},
		// Text: 63 calls of 2 s, 4 at once: 31.5 s. Images: 72 of 3 s, 6 at
		// once: 36 s, the later; and half an image for the last ones.
		{"midway", midway(t0), nil, secs(37.5), true},
		// 8 images were in flight at once lately (12 before the last quarter
		// of the run, which does not count): 27 s for the images, but they end
		// an image after the text: 34.5 s, and half an image.
		{"the most in flight lately", midway(t0), []ProgressSample{{at(40), 4, 12}, {at(50), 3, 8}}, secs(36), true},
		// Every text call answered: 12 images of 3 s, 6 at once, and half one.
		{"text done", edit(func(s *GenerationStatus) {
			s.CallsLLM, s.LLMCallsDone, s.CallsImages, s.ImageCallsDone, s.ImageBusy = 123, 123, 106, 100, 300*time.Second
		}), nil, secs(7.5), true},
		// The counts are 2 s old: the calls in flight have run on since.
		{"since the last change", edit(func(s *GenerationStatus) { s.UpdatedAt = now.Add(-2 * time.Second) }), nil, secs(35.5), true},
		{"overdue", edit(func(s *GenerationStatus) { s.UpdatedAt = now.Add(-100 * time.Second) }), nil, 0, true},
	}
	for _, c := range cases {
		got, ok := TimeLeft(c.st, c.samples, now)
		if ok != c.ok || (ok && (got-c.want).Abs() > time.Millisecond) {
			t.Errorf("%s: %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// A watcher keeps a sample each time the calls in flight change, and none
// older than the window TimeLeft reads.
func TestWatch(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	st := midway(t0) // started at t0
	var samples []ProgressSample
	samples = st.Watch(samples, t0.Add(10*time.Second))
	samples = st.Watch(samples, t0.Add(11*time.Second)) // nothing changed
	if len(samples) != 1 {
		t.Fatalf("%d samples of an unchanged record, want 1", len(samples))
	}
	st.CallsImages++
	samples = st.Watch(samples, t0.Add(12*time.Second))
	if len(samples) != 2 || samples[1].ImagesInFlight != 7 {
		t.Fatalf("after a change: %+v", samples)
	}
	// At 80 s the window reaches back to 60 s: of the samples before it, only
	// the last (the state the window starts in) stays.
	st.CallsLLM++
	samples = st.Watch(samples, t0.Add(80*time.Second))
	if len(samples) != 2 || !samples[0].At.Equal(t0.Add(12*time.Second)) {
		t.Errorf("at 80 s the samples are %+v, want the one of 12 s and the new one", samples)
	}
}
