package timeleft

import (
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// The shape the time left plays through has the calls a plan is expected to
// need.
func TestShapeHasTheExpectedCalls(t *testing.T) {
	for _, p := range [][2]int{{1, 1}, {3, 10}, {10, 100}, {12, 7}, {25, 260}, {4, 0}} {
		plan := generia.NewPlan(p[0], p[1])
		var calls [stepKinds]int
		for _, k := range shapeOf(plan).kind {
			calls[k]++
		}
		if llm, images := generia.ExpectedCalls(plan); calls[stepLLM] != llm || calls[stepImage] != images {
			t.Errorf("%v: the shape has %d text calls and %d images, generia.ExpectedCalls %d and %d", plan, calls[stepLLM], calls[stepImage], llm, images)
		}
	}
}

// pictures is a 3/10 world with every text written and its ten post
// pictures reserved at t0 (the header, icon and avatars done, 3 s each).
func pictures(t0 time.Time) generia.GenerationStatus {
	return generia.GenerationStatus{Status: generia.StatusInProgress, StartedAt: new(t0.Add(-20 * time.Second)), UpdatedAt: t0,
		CharactersPredicted: 3, PostsPredicted: 10,
		CallsLLM: 19, LLMCallsDone: 19, LLMBusy: 38 * time.Second,
		CallsImages: 15, ImageCallsDone: 5, ImageBusy: 15 * time.Second}
}

func TestTimeLeft(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	secs := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	after := serviceStep + finishing // a post is saved, then the generation finishes
	edit := func(f func(*generia.GenerationStatus)) generia.GenerationStatus {
		st := pictures(t0)
		f(&st)
		return st
	}
	seen := func(st generia.GenerationStatus, at time.Time) *CallWatch {
		var w CallWatch
		w.See(st, at)
		return &w
	}
	// A watch that saw one picture take 5 s alone (the others 2.5 s).
	spread := func() *CallWatch {
		var w CallWatch
		st := pictures(t0)
		st.CallsImages, st.ImageCallsDone, st.ImageBusy = 5, 4, 10*time.Second
		w.See(st, t0.Add(-5*time.Second))
		st.ImageCallsDone, st.ImageBusy = 5, 15*time.Second
		w.See(st, t0.Add(-time.Second))
		w.See(pictures(t0), t0)
		return &w
	}()
	cases := []struct {
		name  string
		st    generia.GenerationStatus
		watch *CallWatch
		now   time.Time
		want  time.Duration
		ok    bool
	}{
		{"not started", generia.GenerationStatus{Status: generia.StatusPending}, nil, t0, 0, false},
		{"ended", edit(func(s *generia.GenerationStatus) { s.Status = generia.StatusCompleted }), nil, t0, 0, false},
		{"no image answered yet", edit(func(s *generia.GenerationStatus) { s.ImageCallsDone, s.ImageBusy = 0, 0 }), nil, t0, 0, false},
		// The ten pictures run side by side: one picture's time, not ten.
		{"pictures just begun", pictures(t0), nil, t0, secs(3) + after, true},
		{"a second later", pictures(t0), seen(pictures(t0), t0), t0.Add(time.Second), secs(2) + after, true},
		// Read once, a second after its last change: the calls are at least
		// that old.
		{"a single read", pictures(t0), nil, t0.Add(time.Second), secs(2) + after, true},
		// Every call answered 0.2 s ago: what is left of the finishing writes.
		{"finishing", edit(func(s *generia.GenerationStatus) { s.ImageCallsDone, s.ImageBusy = 15, 45*time.Second }), nil,
			t0.Add(200 * time.Millisecond), finishing - 200*time.Millisecond, true},
		// Every call recorded, one of them failed: its picture is still to
		// make (the failure's 0.1 s is not a picture's speed), and one call
		// in fifteen fails: it may fail again.
		{"a picture failed", edit(func(s *generia.GenerationStatus) {
			s.ImageCallsDone, s.ImageCallsFailed, s.ImageBusy, s.ImageFailedBusy = 15, 1, 42100*time.Millisecond, 100*time.Millisecond
		}), nil, t0, secs(3) + after, true},
		// Seen failing half a second ago: it is made again once the
		// retry's wait is over.
		{"a picture failed lately", edit(func(s *generia.GenerationStatus) {
			s.ImageCallsDone, s.ImageCallsFailed, s.ImageBusy, s.ImageFailedBusy = 15, 1, 42100*time.Millisecond, 100*time.Millisecond
		}), func() *CallWatch {
			var w CallWatch
			w.See(pictures(t0), t0)
			st := pictures(t0)
			st.ImageCallsDone, st.ImageCallsFailed, st.ImageBusy, st.ImageFailedBusy = 15, 1, 42100*time.Millisecond, 100*time.Millisecond
			st.UpdatedAt = t0.Add(3 * time.Second)
			w.See(st, t0.Add(3*time.Second))
			return &w
		}(), t0.Add(3500 * time.Millisecond), RetryImages - 500*time.Millisecond + secs(3) + after, true},
		// Past the slowest: only the writes are left.
		{"overdue", pictures(t0), nil, t0.Add(time.Minute), after, true},
		// Spread as far as 5 s around the 3 s mean, ten side by side end
		// near the slowest.
		{"the slowest sets the end", pictures(t0), spread, t0, secs(4.9) + after, true},
		// At most two at once: two pictures in flight, eight to come, five
		// rounds in all.
		{"two at once", edit(func(s *generia.GenerationStatus) { s.CallsImages = 7 }), &CallWatch{Capacity: Capacity{Images: 2}}, t0, secs(15) + after, true},
		// Ten post texts left at two starts a second: the last starts 4.5 s
		// on, its picture 2 s (the text's time) later.
		{"two a second", edit(func(s *generia.GenerationStatus) {
			s.CallsLLM, s.LLMCallsDone, s.LLMBusy = 9, 9, 18*time.Second
			s.CallsImages = 5
		}), &CallWatch{Capacity: Capacity{LLMPerSecond: 2}}, t0, secs(4.5+2+3) + after, true},
	}
	for _, c := range cases {
		got, ok := TimeLeft(c.st, c.watch, c.now)
		if ok != c.ok || (ok && (got-c.want).Abs() > 600*time.Millisecond) {
			t.Errorf("%s: %v, %v; want about %v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// A watch takes the reservation times from the record's changes, drops the
// oldest as calls end, and times the calls seen to end alone.
func TestCallWatch(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	var w CallWatch
	st := generia.GenerationStatus{Status: generia.StatusInProgress, UpdatedAt: t0, CallsLLM: 2}
	w.See(st, t0.Add(100*time.Millisecond))
	st.CallsLLM, st.UpdatedAt = 3, t0.Add(time.Second)
	w.See(st, t0.Add(1100*time.Millisecond))
	if got := w.llm.started; len(got) != 3 || !got[0].Equal(t0) || !got[2].Equal(t0.Add(time.Second)) {
		t.Fatalf("reserved at %v, want t0, t0, t0+1s (the record's changes, not the reads)", got)
	}
	st.LLMCallsDone, st.LLMBusy = 1, 2*time.Second
	w.See(st, t0.Add(2*time.Second))
	st.LLMCallsDone, st.LLMBusy = 3, 7*time.Second // two more: 5 s between them, neither timed alone
	w.See(st, t0.Add(3*time.Second))
	if w.llm.slowest != 2*time.Second || len(w.llm.started) != 0 || w.llm.peak != 3 {
		t.Errorf("slowest %v, %d in flight, peak %d; want 2s, 0, 3", w.llm.slowest, len(w.llm.started), w.llm.peak)
	}
	if w.images.reserved != 0 {
		t.Errorf("images reserved %d, want 0", w.images.reserved)
	}
	// A call that failed is not timed (its 0.1 s is no answer's speed), and
	// when it was recorded is kept: it is retried a wait later.
	st.CallsLLM, st.LLMCallsDone, st.LLMCallsFailed, st.LLMBusy, st.LLMFailedBusy, st.UpdatedAt = 4, 4, 1, 7100*time.Millisecond, 100*time.Millisecond, t0.Add(4*time.Second)
	w.See(st, t0.Add(4100*time.Millisecond))
	if w.llm.slowest != 2*time.Second || len(w.llm.failedAt) != 1 || !w.llm.failedAt[0].Equal(t0.Add(4*time.Second)) {
		t.Errorf("after a failure: slowest %v, failed at %v; want 2s, [t0+4s]", w.llm.slowest, w.llm.failedAt)
	}
}

// BenchmarkTimeLeft is one estimate of a 10/100 world halfway, as a status
// stream makes at each change, on a good day and while calls fail.
func BenchmarkTimeLeft(b *testing.B) {
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	st := generia.GenerationStatus{Status: generia.StatusInProgress, StartedAt: new(t0.Add(-time.Minute)), UpdatedAt: t0,
		CharactersPredicted: 10, PostsPredicted: 100,
		CallsLLM: 80, LLMCallsDone: 60, LLMBusy: 120 * time.Second, CallsImages: 50, ImageCallsDone: 40, ImageBusy: 120 * time.Second}
	w := &CallWatch{Capacity: Capacity{LLM: 50, Images: 30}}
	w.See(st, t0)
	b.Run("good day", func(b *testing.B) {
		for b.Loop() {
			TimeLeft(st, w, t0)
		}
	})
	// Calls failing: more playings, to draw which steps fail.
	st.LLMCallsFailed, st.LLMFailedBusy = 6, time.Second
	b.Run("failing calls", func(b *testing.B) {
		for b.Loop() {
			TimeLeft(st, w, t0)
		}
	})
}

// A hundred post pictures side by side while one image call in seven fails:
// a picture failing twice is likely (87%), one failing three times is not
// (25%), and the last of them sets the end — not the average failure spread
// over every picture (3.8 s).
func TestTimeLeftOnADayOfFailingCalls(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	plan := generia.NewPlan(10, 100)
	llm, images := generia.ExpectedCalls(plan)
	st := generia.GenerationStatus{Status: generia.StatusInProgress, StartedAt: new(t0.Add(-30 * time.Second)), UpdatedAt: t0,
		CharactersPredicted: 10, PostsPredicted: 100,
		CallsLLM: llm, LLMCallsDone: llm, LLMBusy: time.Duration(llm) * 2 * time.Second,
		// The header, icon and ten avatars answered in 3 s each, two calls
		// failed; every post picture in flight.
		CallsImages: images + 2, ImageCallsDone: 14, ImageCallsFailed: 2, ImageBusy: 36*time.Second + 200*time.Millisecond,
		ImageFailedBusy: 200 * time.Millisecond}
	got, ok := TimeLeft(st, nil, t0)
	const call = 3 * time.Second
	twice := call + RetryImages + call + 2*RetryImages + call // 15 s
	thrice := twice + 4*RetryImages + call                    // 26 s
	if !ok || got < twice || got > (twice+thrice)/2 {
		t.Errorf("time left %v, %v; want from %v (a picture failing twice in a hundred) to well short of %v (three times)", got, ok, twice, thrice)
	}
	// Without failures the hundred take one picture's time.
	st.ImageCallsDone, st.ImageCallsFailed, st.ImageBusy, st.ImageFailedBusy, st.CallsImages = 12, 0, 36*time.Second, 0, images
	if got, _ := TimeLeft(st, nil, t0); got > call+time.Second {
		t.Errorf("without failures: %v, want about %v", got, call)
	}
}

// The unluckiest draw fails as often as a step may call, each retry waiting
// twice the one before up to the longest wait: a bounded time, however
// often calls fail.
func TestFailuresAreBoundedByTheRetryPolicy(t *testing.T) {
	p := kindPace{failing: 0.5, retry: RetryImages}
	const call = 3 * time.Second
	var want time.Duration
	wait := RetryImages
	for range CallAttempts - 1 {
		want += wait + call
		wait = min(2*wait, RetryLongest)
	}
	if got := p.again(0, call); got != want {
		t.Errorf("luck 0: %v, want %v (%d retries)", got, want, CallAttempts-1)
	}
	if got := p.again(0.2, call); got != RetryImages+call+2*RetryImages+call {
		t.Errorf("luck 0.2 at half failing (under ½ and ¼, not ⅛): %v, want two failures", got)
	}
	if got := (kindPace{retry: RetryImages}).again(0, call); got != 0 {
		t.Errorf("nothing failing: %v, want 0", got)
	}
}
