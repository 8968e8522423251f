package social

import (
	"context"
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

// lifeAwake is a world's life that says it is awake, as a life that has
// not yet tried a call of the day would.
type lifeAwake struct{ told []string }

func (l *lifeAwake) Viewed(context.Context, string) {}
func (l *lifeAwake) Commented(_ context.Context, _, commentID string) error {
	l.told = append(l.told, commentID)
	return nil
}
func (l *lifeAwake) Posted(context.Context, string, string) error { return nil }
func (l *lifeAwake) Life(context.Context, string) (generia.LifeView, error) {
	return generia.LifeView{State: generia.LifeAwake}, nil
}
func (l *lifeAwake) LifeSettings(context.Context, string) (generia.LifeSettings, error) {
	return generia.LifeSettings{}, nil
}
func (l *lifeAwake) SetLife(context.Context, string, generia.LifeSettings) error { return nil }
func (l *lifeAwake) EndLife(context.Context, string) error                       { return nil }
func (l *lifeAwake) CeilingsChanged(context.Context, string) error               { return nil }

// A comment in a world whose owner's account has spent the day is told it
// waits for the next day, not that it is answered in seconds; it is still
// queued.
func TestCommentWaitsWhenTheOwnersDayIsSpent(t *testing.T) {
	ctx := context.Background()
	s := newTown(t).service(t)
	life := &lifeAwake{}
	s.Life = life
	w := generia.World{ID: "paid", OwnerID: owner, Prompt: "A harbour", CharactersCount: 1, PostsCount: 1, Visibility: generia.VisibilityPublic,
		Providers: generia.Providers{LLM: "openrouter", Image: "runware"}, CreatedAt: s.now(), UpdatedAt: s.now()}
	if err := s.Store.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(1, 1))); err != nil {
		t.Fatal(err)
	}
	if got := s.tellLife(ctx, w.ID, "c1"); got.Status != AnswerComing {
		t.Fatalf("before the owner's day is spent: %+v, want coming", got)
	}
	s.Store.UseCeilings(generia.Ceilings{DailyCalls: 1})
	if _, err := s.Store.ReserveLifeCall(ctx, w.ID, generia.DayOf(time.Now()), generia.LifeSettings{Enabled: true, DailyCalls: 10, DailyBudgetUSD: 1}); err != nil {
		t.Fatal(err)
	}
	got := s.tellLife(ctx, w.ID, "c2")
	if got.Status != AnswerQueued || !strings.Contains(got.Message, "after 00:00 UTC") {
		t.Errorf("after the owner's day is spent: %+v, want queued until the next day", got)
	}
	if len(life.told) != 2 {
		t.Errorf("the life was told of %d comments, want both", len(life.told))
	}
}
