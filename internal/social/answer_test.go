package social

import (
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// A comment is told whether it will be answered, and when, from the life
// of its world.
func TestAnswerFor(t *testing.T) {
	tomorrow := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		life   generia.LifeView
		status string
		says   string
	}{
		{generia.LifeView{State: generia.LifeAwake}, AnswerComing, "few seconds"},
		{generia.LifeView{State: generia.LifeAsleep}, AnswerComing, "few seconds"},
		{generia.LifeView{State: generia.LifeAwake, Waiting: generia.LifeMaxWaiting}, AnswerNone, "will not be answered"},
		{generia.LifeView{State: generia.LifePaused}, AnswerQueued, "when it resumes"},
		{generia.LifeView{State: generia.LifeResting, RestsUntil: &tomorrow}, AnswerQueued, "after 00:00 UTC"},
		{generia.LifeView{State: generia.LifeOff}, AnswerNone, "life is off"},
	} {
		got := AnswerFor(tc.life)
		if got.Status != tc.status || !strings.Contains(got.Message, tc.says) {
			t.Errorf("AnswerFor(%+v) = %+v, want %s saying %q", tc.life, got, tc.status, tc.says)
		}
	}
}
