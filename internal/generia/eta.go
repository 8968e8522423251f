package generia

import "time"

// ProgressSample is how far a generation had come at a moment: the
// characters and posts it had made (items) and the images it had stored,
// as a watcher of its status record sees them change.
type ProgressSample struct {
	At            time.Time
	Items, Images int
}

// Sample is the status record's progress at now.
func (s GenerationStatus) Sample(now time.Time) ProgressSample {
	return ProgressSample{At: now, Items: s.CharactersCreated + s.PostsCreated, Images: s.ImagesCreated}
}

// etaWindow is the least stretch of recent samples the speed of a
// generation is measured over.
const etaWindow = time.Second

// TimeLeft estimates how much longer a running generation takes from how
// fast it has lately been finishing its work: the characters and posts it
// still has to make, and the images it still has to store, each at the
// speed of its own kind, whichever takes longer (text and pictures are made
// side by side, so the slower provider sets the pace). Lately is the last
// quarter of the run, or the last second if that is longer, read from
// samples (oldest first, as a watcher saw them); with no sample so old, or
// nothing finished within it, the whole run since it started. ok is false
// for a generation that is not running, or that has not finished anything
// yet of a kind it still needs.
func TimeLeft(st GenerationStatus, samples []ProgressSample, now time.Time) (left time.Duration, ok bool) {
	if st.Status != StatusInProgress || st.StartedAt == nil {
		return 0, false
	}
	elapsed := now.Sub(*st.StartedAt)
	if elapsed <= 0 {
		return 0, false
	}
	current := st.Sample(now)
	from := ProgressSample{At: *st.StartedAt}
	since := now.Add(-max(etaWindow, elapsed/4))
	for _, s := range samples {
		if !s.At.Before(since) && s.At.Before(now) {
			from = s
			break
		}
	}
	span := now.Sub(from.At)
	need := func(expected, made, before int) (time.Duration, bool) {
		left := expected - made
		if left <= 0 {
			return 0, true
		}
		done := made - before
		window := span
		if done <= 0 || window <= 0 {
			if made == 0 {
				return 0, false // nothing of this kind yet: no speed to go by
			}
			done, window = made, elapsed // nothing lately: the whole run
		}
		return time.Duration(float64(window) * float64(left) / float64(done)), true
	}
	items, okItems := need(st.CharactersPredicted+st.PostsPredicted, current.Items, from.Items)
	images, okImages := need(st.ImagesPredicted, current.Images, from.Images)
	if !okItems || !okImages {
		return 0, false
	}
	return max(items, images), true
}
