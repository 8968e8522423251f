package generia

import "time"

// ProgressSample is how many calls of each kind a generation had in flight
// at a moment (reserved and not yet recorded), as a watcher of its status
// record sees them change.
type ProgressSample struct {
	At                          time.Time
	LLMInFlight, ImagesInFlight int
}

// Sample is the status record's calls in flight at now.
func (s GenerationStatus) Sample(now time.Time) ProgressSample {
	return ProgressSample{At: now, LLMInFlight: s.CallsLLM - s.LLMCallsDone, ImagesInFlight: s.CallsImages - s.ImageCallsDone}
}

// Watch adds the record's calls in flight at now to samples when they
// changed since the last one, and drops the samples too old for TimeLeft
// to read again (its window only moves on): what a watcher of a status
// record keeps.
func (s GenerationStatus) Watch(samples []ProgressSample, now time.Time) []ProgressSample {
	if n := len(samples); n == 0 || samples[n-1] != s.Sample(samples[n-1].At) {
		samples = append(samples, s.Sample(now))
	}
	if s.StartedAt != nil {
		since := now.Add(-max(etaWindow, now.Sub(*s.StartedAt)/4))
		drop := 0
		for drop < len(samples)-1 && samples[drop+1].At.Before(since) {
			drop++
		}
		samples = samples[drop:]
	}
	return samples
}

// etaWindow is the least stretch of recent samples the parallelism of a
// generation's calls is read from.
const etaWindow = time.Second

// TimeLeft estimates how much longer a running generation takes, from how
// its calls go: for text and for images, the calls it still expects to be
// answered, each taking the mean time its kind's calls have taken so far,
// as many at once as were in flight at most lately (over the last quarter
// of the run, or the last second if that is longer, read from samples,
// oldest first, and the record itself). A post's picture is made after its
// text, so the pictures end at least one picture after the text; whichever
// kind ends later sets the time left, and half a call of that kind more
// for the last calls, which still run when none is left to start; less the
// time since the record last changed. ok is false for a generation that is
// not running, or that has not had a call of a kind answered yet that it
// still needs.
func TimeLeft(st GenerationStatus, samples []ProgressSample, now time.Time) (left time.Duration, ok bool) {
	if st.Status != StatusInProgress || st.StartedAt == nil {
		return 0, false
	}
	elapsed := now.Sub(*st.StartedAt)
	if elapsed <= 0 {
		return 0, false
	}
	since := now.Add(-max(etaWindow, elapsed/4))
	current := st.Sample(now)
	parLLM, parImages := max(1, current.LLMInFlight), max(1, current.ImagesInFlight)
	for _, s := range samples {
		if !s.At.Before(since) {
			parLLM, parImages = max(parLLM, s.LLMInFlight), max(parImages, s.ImagesInFlight)
		}
	}
	llm, images := ExpectedCalls(NewPlan(st.CharactersPredicted, st.PostsPredicted))
	takes := func(expected, done int, busy time.Duration, parallel int) (time.Duration, bool) {
		if expected <= done {
			return 0, true
		}
		if done == 0 {
			return 0, false // no call answered yet: no speed to go by
		}
		mean := busy / time.Duration(done)
		return mean * time.Duration(expected-done) / time.Duration(parallel), true
	}
	text, okText := takes(llm, st.LLMCallsDone, st.LLMBusy, parLLM)
	pictures, okPictures := takes(images, st.ImageCallsDone, st.ImageBusy, parImages)
	if !okText || !okPictures {
		return 0, false
	}
	meanPicture := st.ImageBusy / time.Duration(max(1, st.ImageCallsDone))
	if text > 0 && pictures > 0 {
		pictures = max(pictures, text+meanPicture)
	}
	// The last calls still run when none is left to start: on average they
	// are halfway through, and what they make is stored after them.
	tail := meanPicture / 2
	if pictures == 0 {
		tail = st.LLMBusy / time.Duration(max(1, st.LLMCallsDone)) / 2
	}
	if text == 0 && pictures == 0 {
		tail = 0
	}
	left = max(text, pictures) + tail
	// The counts are as they were at the record's last change; the calls in
	// flight have run on since.
	if !st.UpdatedAt.IsZero() && st.UpdatedAt.Before(now) {
		left -= now.Sub(st.UpdatedAt)
	}
	return max(0, left), true
}
