package pipeline

import (
	"testing"
	"time"
)

func TestPostTimesFollowTheTimeline(t *testing.T) {
	end := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	prev := end.Add(-timeline - time.Hour)
	for n := range 10 {
		at := postTime(end, keyPost(1, n), n, 10)
		if !at.After(prev) || at.After(end) || at.Before(end.Add(-timeline)) {
			t.Errorf("post %d at %v: out of order or off the 30-day timeline", n, at)
		}
		prev = at
	}
}
