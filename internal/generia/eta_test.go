package generia

import (
	"testing"
	"time"
)

// running is a 10/100 world's status: 110 characters and posts to make,
// 112 images to store, of which items and images exist.
func running(started time.Time, items, images int) GenerationStatus {
	chars := min(items, 10)
	return GenerationStatus{Status: StatusInProgress, StartedAt: &started, CharactersPredicted: 10, PostsPredicted: 100, ImagesPredicted: 112,
		CharactersCreated: chars, PostsCreated: items - chars, ImagesCreated: images}
}

func TestTimeLeft(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	secs := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	cases := []struct {
		name    string
		st      GenerationStatus
		samples []ProgressSample
		now     time.Time
		want    time.Duration
		ok      bool
	}{
		{"not started", GenerationStatus{Status: StatusPending}, nil, at(5), 0, false},
		{"ended", func() GenerationStatus { s := running(t0, 110, 112); s.Status = StatusCompleted; return s }(), nil, at(60), 0, false},
		{"no image yet", running(t0, 3, 0), nil, at(6), 0, false},
		// With no samples, the whole run's speed: 44 items in 30 s leave 66
		// for 45 s; 28 images in 30 s leave 84 for 90 s, the longer.
		{"the whole run", running(t0, 44, 28), nil, at(30), secs(90), true},
		// A slow start, then fast: the last quarter (from 30 s) went at 4
		// items and 4 images a second: 20 items for 5 s, 32 images for 8 s.
		{"the last quarter", running(t0, 90, 80), []ProgressSample{{at(0), 0, 0}, {at(10), 5, 2}, {at(30), 50, 40}, {at(36), 80, 70}},
			at(40), secs(8), true},
		// The window is a second at least: at 2 s it reaches back to 1 s,
		// where the first sample after is at 1.2 s.
		{"a second at least", running(t0, 10, 8), []ProgressSample{{at(0.5), 1, 1}, {at(1.2), 4, 3}}, at(2), secs(0.8 * 104 / 5), true},
		// Every character and post made: the images alone are left.
		{"items done", running(t0, 110, 100), []ProgressSample{{at(40), 110, 80}}, at(60), secs(60.0 * 12 / 100), true},
		// Nothing lately (the providers stalled): the whole run's speed.
		{"stalled", running(t0, 60, 50), []ProgressSample{{at(50), 60, 50}}, at(60), secs(60.0 * 62 / 50), true},
	}
	for _, c := range cases {
		got, ok := TimeLeft(c.st, c.samples, c.now)
		if ok != c.ok || (ok && (got-c.want).Abs() > time.Millisecond) {
			t.Errorf("%s: %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}
