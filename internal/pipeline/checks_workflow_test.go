package pipeline

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/generia/generia/internal/generia"
)

// holdCheck and allowCheck are check answers of the mocked moderator.
var (
	allowCheck = Check{Decision: generia.DecisionAllow}
	holdCheck  = Check{Decision: generia.DecisionHold, Reason: "held for review: flagged as violence by the test check"}
)

// isPostText reports whether a check is of the text of post n of the
// character at pos, and which take.
func isPostText(name string, arg any, pos, n int) (int, bool) {
	if name != "CheckText" {
		return 0, false
	}
	j := arg.(TextJob)
	return j.Take, j.Key == keyPost(pos, n)+"/detail"
}

func finalStatus(t *testing.T, r *recorder) Finish {
	t.Helper()
	fin := r.calls("FinishGeneration")
	if len(fin) != 1 {
		t.Fatalf("FinishGeneration ran %d times, want once", len(fin))
	}
	return fin[0].arg.(Finish)
}

func createdPost(t *testing.T, r *recorder, pos, n int) NewPost {
	t.Helper()
	for _, c := range r.calls("CreatePost") {
		if p := c.arg.(NewPost); p.Position == pos && p.Number == n {
			return p
		}
	}
	t.Fatalf("post %d of character %d was not published", n, pos)
	return NewPost{}
}

func queryStatus(t *testing.T, r *recorder) QueryStatus {
	t.Helper()
	v, err := r.env.QueryWorkflow(StatusQuery)
	if err != nil {
		t.Fatal(err)
	}
	var q QueryStatus
	if err := v.Get(&q); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestFlaggedPostTextIsMadeAgain(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
	r.judge = func(name string, arg any) Check {
		if take, ok := isPostText(name, arg, 1, 2); ok && take == 0 {
			return holdCheck
		}
		return allowCheck
	}
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	var takes []int
	for _, c := range r.calls("DetailPost") {
		if p := c.arg.(PostRef); p.Position == 1 && p.Number == 2 {
			takes = append(takes, p.Take)
		}
	}
	if len(takes) != 2 || takes[0] != 0 || takes[1] != 1 {
		t.Errorf("the flagged post's text was written as takes %v; want 0 then 1", takes)
	}
	p := createdPost(t, r, 1, 2)
	if p.Check == nil || p.Check.Decision != generia.DecisionAllow {
		t.Errorf("the post was published with check %+v; want the clean second answer, allowed", p.Check)
	}
	if n := r.count("DetailPost"); n != 11 {
		t.Errorf("%d post texts written; want 10 and one more for the flagged one", n)
	}
	if f := finalStatus(t, r); f.Status != generia.StatusCompleted {
		t.Errorf("finish = %+v, want completed", f)
	}
	if q := queryStatus(t, r); q.ItemsHeld != 0 {
		t.Errorf("items_held = %d, want 0", q.ItemsHeld)
	}
}

func TestPostFlaggedThreeTimesIsPublishedHeld(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
	r.judge = func(name string, arg any) Check {
		if _, ok := isPostText(name, arg, 0, 1); ok {
			return holdCheck
		}
		return allowCheck
	}
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	checks := 0
	for _, c := range r.calls("CheckText") {
		if _, ok := isPostText(c.name, c.arg, 0, 1); ok {
			checks++
		}
	}
	if checks != 3 {
		t.Errorf("the post's text was checked %d times; want 3 (made twice again)", checks)
	}
	p := createdPost(t, r, 0, 1)
	if p.Check == nil || p.Check.Decision != generia.DecisionHold || !strings.Contains(p.Check.Reason, "violence") {
		t.Errorf("the post was published with check %+v; want held, saying why", p.Check)
	}
	if n := r.count("CreatePost"); n != 10 {
		t.Errorf("%d posts published; want all 10, one of them held", n)
	}
	if f := finalStatus(t, r); f.Status != generia.StatusCompleted {
		t.Errorf("finish = %+v; want completed with an item held", f)
	}
	if q := queryStatus(t, r); q.ItemsHeld != 1 || q.Status != generia.StatusCompleted {
		t.Errorf("status: items_held %d, %s; want 1, completed", q.ItemsHeld, q.Status)
	}
}

func TestBlockedPromptPaysNothing(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
	const reason = "the prompt was refused: it asks for sexual content involving minors"
	r.judge = func(name string, arg any) Check {
		if name == "CheckPrompt" {
			return Check{Decision: generia.DecisionBlock, Reason: reason}
		}
		return allowCheck
	}
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if env.GetWorkflowError() == nil {
		t.Fatal("a world with a blocked prompt completed")
	}
	f := finalStatus(t, r)
	if f.Status != generia.StatusFailed || f.PublicError != reason || f.Error != reason {
		t.Errorf("finish = %+v; want failed with the public reason %q", f, reason)
	}
	for _, c := range r.log {
		switch c.name {
		case "DescribeWorld", "PromptWorldImages", "PlanCast", "DetailCharacter", "PlanPosts", "DetailPost", "PaintImage":
			t.Errorf("%s ran for a refused prompt: a provider was paid", c.name)
		}
	}
}

func TestHeldPromptHoldsTheWorld(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
	r.judge = func(name string, arg any) Check {
		if name == "CheckPrompt" {
			return holdCheck
		}
		return allowCheck
	}
	env.ExecuteWorkflow(WorldGeneration, input(1, 1))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	reviews := r.calls("ReviewItem")
	if len(reviews) != 1 {
		t.Fatalf("ReviewItem ran %d times, want once: %+v", len(reviews), reviews)
	}
	rv := reviews[0].arg.(ItemReview)
	if rv.Subject != (generia.Subject{Type: generia.SubjectWorld, ID: "w1"}) || rv.Check.Decision != generia.DecisionHold {
		t.Errorf("review = %+v; want the world held", rv)
	}
	if reviews[0].at.After(r.calls("DescribeWorld")[0].at) {
		t.Errorf("the world was held after its description was written; want before anything")
	}
	if q := queryStatus(t, r); q.ItemsHeld != 1 {
		t.Errorf("items_held = %d, want 1 (the world)", q.ItemsHeld)
	}
}

func TestModeratorOutageWaitsAndPublishesNothingUnchecked(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
	failures := 0
	r.fail = func(name string, arg any) error {
		if _, ok := isPostText(name, arg, 2, 0); ok && failures < 4 {
			failures++
			return temporal.NewApplicationError("moderation (openai): 502 bad gateway", errUnavailable)
		}
		if name == "CheckImage" && arg.(ImageJob).Kind == generia.MediaCharacterAvatar && failures < 6 {
			failures++
			return temporal.NewApplicationError("moderation (openai): 429 too many requests", errUnavailable)
		}
		return nil
	}
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed although the moderation service recovered: %v", err)
	}
	if failures != 6 {
		t.Fatalf("the moderation service failed %d times; the test wants 6", failures)
	}
	var lastTextCheck, published time.Time
	for _, c := range r.log {
		if _, ok := isPostText(c.name, c.arg, 2, 0); ok {
			lastTextCheck = c.at
		}
		if c.name == "CreatePost" && c.arg.(NewPost).Position == 2 && c.arg.(NewPost).Number == 0 {
			published = c.at
		}
	}
	if published.IsZero() || published.Before(lastTextCheck) {
		t.Errorf("the post was published at %v, before its text's check answered at %v", published, lastTextCheck)
	}
	if n := r.count("AttachAvatar"); n != 3 {
		t.Errorf("%d avatars attached, want 3 once the service answered", n)
	}
	if f := finalStatus(t, r); f.Status != generia.StatusCompleted {
		t.Errorf("finish = %+v, want completed", f)
	}
}

func TestFlaggedImageIsPaintedAgain(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
	r.judge = func(name string, arg any) Check {
		if name == "CheckImage" {
			if j := arg.(ImageJob); j.Kind == generia.MediaPostImage && j.Position == 0 && j.Number == 0 && j.Take == 0 {
				return Check{Decision: generia.DecisionHold, Reason: "held for review: flagged as sexual by the runware check"}
			}
		}
		return allowCheck
	}
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed: %v", err)
	}
	p := createdPost(t, r, 0, 0)
	want := "media-" + keyPostImage(0, 0) + "/take/1"
	if p.MediaID != want || p.Check == nil || p.Check.flagged() {
		t.Errorf("the post was published with image %s and check %+v; want the second image %s, allowed", p.MediaID, p.Check, want)
	}
	if n := r.count("PaintImage"); n != 2+3+10+1 {
		t.Errorf("%d images painted; want 15 and one more", n)
	}
}

func TestRefusedItemIsMadeAgainThenFails(t *testing.T) {
	refused := temporal.NewNonRetryableApplicationError("openrouter: the request was refused by moderation", errRefused, nil)
	t.Run("refused once", func(t *testing.T) {
		env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
		r.fail = func(name string, arg any) error {
			if name == "DetailCharacter" && arg.(CharacterRef).Position == 1 && arg.(CharacterRef).Take == 0 {
				return refused
			}
			return nil
		}
		env.ExecuteWorkflow(WorldGeneration, input(3, 10))
		if err := env.GetWorkflowError(); err != nil {
			t.Fatalf("workflow failed: %v", err)
		}
		if n := r.count("DetailCharacter"); n != 4 {
			t.Errorf("%d profiles written; want 3 and one more for the refused one", n)
		}
	})
	t.Run("refused every time", func(t *testing.T) {
		env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
		r.fail = func(name string, arg any) error {
			if name == "DetailPost" && arg.(PostRef).Position == 0 && arg.(PostRef).Number == 0 {
				return refused
			}
			return nil
		}
		env.ExecuteWorkflow(WorldGeneration, input(3, 10))
		var appErr *temporal.ApplicationError
		if err := env.GetWorkflowError(); !errors.As(err, &appErr) {
			t.Fatalf("workflow error = %v; want the world failed", err)
		}
		f := finalStatus(t, r)
		if f.Status != generia.StatusFailed || !strings.Contains(f.Error, "1 of 10 posts") {
			t.Errorf("finish = %+v; want failed with the one post missing", f)
		}
		if n := r.count("CreatePost"); n != 9 {
			t.Errorf("%d posts published; want the 9 others", n)
		}
		if n := r.count("DetailPost"); n != 12 {
			t.Errorf("%d post texts asked for; want 10 and two more for the refused one", n)
		}
	})
}

// The checks run beside the next steps where they can: a 3/10 world at 3 s
// per LLM call and 4 s per image, with a 300 ms check, is at most 10%
// slower than without checks.
func TestChecksCostAtMostATenth(t *testing.T) {
	run := func(check time.Duration) time.Duration {
		env, r := newEnv(t, latency{llm: 3 * time.Second, image: 4 * time.Second, check: check})
		start := env.Now()
		env.ExecuteWorkflow(WorldGeneration, input(3, 10))
		if err := env.GetWorkflowError(); err != nil {
			t.Fatal(err)
		}
		return r.calls("FinishGeneration")[0].at.Sub(start)
	}
	off, on := run(0), run(300*time.Millisecond)
	t.Logf("3/10 world: %v without checks, %v with 300 ms checks (+%.1f%%)", off, on, 100*float64(on-off)/float64(off))
	if off != 5*3*time.Second+4*time.Second {
		t.Errorf("without checks the world took %v; its critical path is 19s", off)
	}
	if on > off+off/10 {
		t.Errorf("with checks the world took %v, more than 10%% over %v", on, off)
	}
}
