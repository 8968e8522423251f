package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/generia"
)

// recorder mocks every activity and records what ran, in order, with the
// workflow clock's time.
type recorder struct {
	env *testsuite.TestWorkflowEnvironment
	mu  sync.Mutex
	log []call
	// fail returns an error for an activity call, or nil. It is called with
	// mu held.
	fail func(name string, arg any) error
	// judge is the check activities' answer (CheckPrompt, CheckText,
	// CheckImage), when fail lets them answer; nil passes everything. It
	// is called with mu held.
	judge func(name string, arg any) Check
}

// checkAnswer records a check activity and answers it.
func (r *recorder) checkAnswer(name string, arg any) (Check, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log = append(r.log, call{name, arg, r.env.Now()})
	if r.fail != nil {
		if err := r.fail(name, arg); err != nil {
			return Check{}, err
		}
	}
	if r.judge != nil {
		return r.judge(name, arg), nil
	}
	return Check{Decision: generia.DecisionAllow}, nil
}

type call struct {
	name string
	arg  any
	at   time.Time
}

func (r *recorder) record(name string, arg any) error {
	r.mu.Lock()
	defer r.mu.Unlock() // mocked activities run concurrently; fail runs under the lock too
	r.log = append(r.log, call{name, arg, r.env.Now()})
	if r.fail != nil {
		return r.fail(name, arg)
	}
	return nil
}

func (r *recorder) count(name string) int {
	n := 0
	for _, c := range r.log {
		if c.name == name {
			n++
		}
	}
	return n
}

func (r *recorder) calls(name string) []call {
	var out []call
	for _, c := range r.log {
		if c.name == name {
			out = append(out, c)
		}
	}
	return out
}

// latency of mocked activities, by queue; check is a moderation check's.
type latency struct{ llm, image, check time.Duration }

// testWorkerOptions give the test environment's workflow tasks 30 s before
// they count as deadlocked, not the SDK's 1 s: with the race detector on a
// loaded CI machine a task can take longer than a second, and a real
// deadlock still fails.
var testWorkerOptions = worker.Options{DeadlockDetectionTimeout: 30 * time.Second}

func newEnv(t *testing.T, lat latency) (*testsuite.TestWorkflowEnvironment, *recorder) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))))
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(testWorkerOptions)
	env.RegisterWorkflowWithOptions(WorldGeneration, workflow.RegisterOptions{Name: WorkflowName})
	env.RegisterWorkflowWithOptions(FirstView, workflow.RegisterOptions{Name: FirstViewName})
	env.RegisterActivity(&Activities{})
	r := &recorder{env: env}
	var acts *Activities
	env.OnActivity(acts.AdvanceStages, mock.Anything, mock.Anything).Return(func(_ context.Context, u StageUpdate) error { return r.record("AdvanceStages", u) })
	env.OnActivity(acts.FinishGeneration, mock.Anything, mock.Anything).Return(func(_ context.Context, f Finish) (Result, error) {
		if err := r.record("FinishGeneration", f); err != nil {
			return Result{}, err
		}
		return Result{Status: f.Status, Error: f.Error}, nil
	})
	env.OnActivity(acts.DescribeWorld, mock.Anything, mock.Anything).After(lat.llm).Return(func(_ context.Context, x WorldRef) error { return r.record("DescribeWorld", x) })
	env.OnActivity(acts.PromptWorldImages, mock.Anything, mock.Anything).After(lat.llm).Return(func(_ context.Context, x WorldRef) error { return r.record("PromptWorldImages", x) })
	env.OnActivity(acts.PlanCast, mock.Anything, mock.Anything).After(lat.llm).Return(func(_ context.Context, x CastBatch) error { return r.record("PlanCast", x) })
	env.OnActivity(acts.DetailCharacter, mock.Anything, mock.Anything).After(lat.llm).Return(func(_ context.Context, x CharacterRef) error { return r.record("DetailCharacter", x) })
	env.OnActivity(acts.PlanPosts, mock.Anything, mock.Anything).After(lat.llm).Return(func(_ context.Context, x PostBatch) error { return r.record("PlanPosts", x) })
	env.OnActivity(acts.DetailPost, mock.Anything, mock.Anything).After(lat.llm).Return(func(_ context.Context, x PostRef) error { return r.record("DetailPost", x) })
	env.OnActivity(acts.PaintImage, mock.Anything, mock.Anything).After(lat.image).Return(func(_ context.Context, x ImageJob) (string, error) {
		return "media-" + x.Key(), r.record("PaintImage", x)
	})
	env.OnActivity(acts.SaveWorldDescription, mock.Anything, mock.Anything).Return(func(_ context.Context, x WorldRef) error { return r.record("SaveWorldDescription", x) })
	env.OnActivity(acts.AttachWorldImages, mock.Anything, mock.Anything).Return(func(_ context.Context, x WorldImages) error { return r.record("AttachWorldImages", x) })
	env.OnActivity(acts.CreateCharacter, mock.Anything, mock.Anything).Return(func(_ context.Context, x CharacterRef) (string, error) {
		return fmt.Sprint("char-", x.Position), r.record("CreateCharacter", x)
	})
	env.OnActivity(acts.AttachAvatar, mock.Anything, mock.Anything).Return(func(_ context.Context, x Avatar) error { return r.record("AttachAvatar", x) })
	env.OnActivity(acts.CreatePost, mock.Anything, mock.Anything).Return(func(_ context.Context, x NewPost) (string, error) {
		return "post-" + keyPost(x.Position, x.Number), r.record("CreatePost", x)
	})
	env.OnActivity(acts.CheckPrompt, mock.Anything, mock.Anything).After(lat.check).Return(func(_ context.Context, x WorldRef) (Check, error) {
		return r.checkAnswer("CheckPrompt", x)
	})
	env.OnActivity(acts.CheckText, mock.Anything, mock.Anything).After(lat.check).Return(func(_ context.Context, x TextJob) (Check, error) {
		return r.checkAnswer("CheckText", x)
	})
	env.OnActivity(acts.CheckImage, mock.Anything, mock.Anything).After(lat.check).Return(func(_ context.Context, x ImageJob) (Check, error) {
		return r.checkAnswer("CheckImage", x)
	})
	env.OnActivity(acts.ReviewItem, mock.Anything, mock.Anything).Return(func(_ context.Context, x ItemReview) error { return r.record("ReviewItem", x) })
	env.OnActivity(acts.WarmFirstView, mock.Anything, mock.Anything).Return(func(_ context.Context, worldID string) (int, error) {
		return 0, r.record("WarmFirstView", worldID)
	})
	return env, r
}

func input(chars, posts int) Input {
	return Input{WorldID: "w1", Characters: chars, Posts: posts, LLM: "offline", Image: "offline"}
}

func TestWorldCompletesWithEveryPlannedItem(t *testing.T) {
	for _, tc := range []struct{ chars, posts int }{{3, 10}, {1, 1}, {5, 3}, {1, 25}, {40, 250}, {25, 40}} {
		t.Run(fmt.Sprintf("%d characters %d posts", tc.chars, tc.posts), func(t *testing.T) {
			env, r := newEnv(t, latency{})
			env.ExecuteWorkflow(WorldGeneration, input(tc.chars, tc.posts))
			if err := env.GetWorkflowError(); err != nil {
				t.Fatalf("workflow failed: %v", err)
			}
			var res Result
			if err := env.GetWorkflowResult(&res); err != nil || res.Status != generia.StatusCompleted {
				t.Fatalf("result = %+v, %v; want completed", res, err)
			}
			plan := generia.NewPlan(tc.chars, tc.posts)
			wantLLM, wantImages := generia.ExpectedCalls(plan)
			gotLLM := r.count("DescribeWorld") + r.count("PromptWorldImages") + r.count("PlanCast") + r.count("DetailCharacter") + r.count("PlanPosts") + r.count("DetailPost")
			if gotLLM != wantLLM || r.count("PaintImage") != wantImages {
				t.Errorf("LLM calls %d, images %d; want %d and %d", gotLLM, r.count("PaintImage"), wantLLM, wantImages)
			}
			if r.count("CreateCharacter") != tc.chars || r.count("AttachAvatar") != tc.chars || r.count("CreatePost") != tc.posts {
				t.Errorf("created %d characters (%d avatars), %d posts; want %d, %d",
					r.count("CreateCharacter"), r.count("AttachAvatar"), r.count("CreatePost"), tc.chars, tc.posts)
			}
			// Every post is distinct and belongs to a character with a plan slot.
			seen := map[string]bool{}
			perChar := make([]int, tc.chars)
			for _, c := range r.calls("CreatePost") {
				p := c.arg.(NewPost)
				k := keyPost(p.Position, p.Number)
				if seen[k] {
					t.Errorf("post %s created twice", k)
				}
				seen[k] = true
				perChar[p.Position]++
			}
			for i, n := range perChar {
				if n != plan.Posts[i] {
					t.Errorf("character %d has %d posts, plan says %d", i, n, plan.Posts[i])
				}
				if tc.posts >= tc.chars && n == 0 {
					t.Errorf("character %d has no post although posts >= characters", i)
				}
			}
			// Cast batches of at most 10, in order.
			for i, c := range r.calls("PlanCast") {
				b := c.arg.(CastBatch)
				if b.Batch != i || b.Count > generia.CastBatchSize {
					t.Errorf("cast batch %d = %+v", i, b)
				}
			}
			fin := r.calls("FinishGeneration")
			if len(fin) != 1 || fin[0].arg.(Finish).Status != generia.StatusCompleted {
				t.Errorf("finish calls = %+v, want one completed", fin)
			}
			// The first view is warmed once the status says completed, by
			// a workflow of its own.
			if last := r.log[len(r.log)-1]; last.name != "WarmFirstView" || last.arg != "w1" || r.count("WarmFirstView") != 1 {
				t.Errorf("the last activity is %s(%v), %d warm-ups; want one WarmFirstView(w1) after FinishGeneration", last.name, last.arg, r.count("WarmFirstView"))
			}
		})
	}
}

func TestStagesAdvanceInOrder(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range r.calls("AdvanceStages") {
		for _, ch := range c.arg.(StageUpdate).Changes {
			got = append(got, ch.Stage+"="+ch.Status)
		}
	}
	pos := func(s string) int {
		for i, g := range got {
			if g == s {
				return i
			}
		}
		t.Fatalf("stage change %s never recorded; got %v", s, got)
		return -1
	}
	order := []string{
		"initializing=completed", "world_description=in_progress", "world_description=completed",
		"characters=in_progress", "posts=in_progress", "characters=completed", "posts=completed", "finishing=in_progress",
	}
	for i := 1; i < len(order); i++ {
		if pos(order[i-1]) > pos(order[i]) {
			t.Errorf("%s recorded after %s: %v", order[i-1], order[i], got)
		}
	}
	if pos("world_images=in_progress") > pos("world_images=completed") {
		t.Errorf("world images completed before they started: %v", got)
	}
}

// The characters stage is done once every character has its profile and
// avatar, while their posts are still being made: the page does not say
// "Inventing the characters… working" beside a full cast.
func TestCharactersStageEndsWithTheCast(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: 2 * time.Second})
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var castDone, lastAvatar, lastPost time.Time
	for _, c := range r.log {
		switch c.name {
		case "AttachAvatar":
			lastAvatar = c.at
		case "CreatePost":
			lastPost = c.at
		case "AdvanceStages":
			for _, ch := range c.arg.(StageUpdate).Changes {
				if ch.Stage == generia.StageCharacters && ch.Status == generia.StageCompleted {
					castDone = c.at
				}
			}
		}
	}
	if castDone.IsZero() || castDone.Before(lastAvatar) || !castDone.Before(lastPost) {
		t.Errorf("characters stage completed at %v; want once the last avatar is attached (%v), before the last post (%v)",
			castDone.Sub(env.Now()), lastAvatar.Sub(env.Now()), lastPost.Sub(env.Now()))
	}
}

// The dependency graph is used: world images run beside the characters, and
// each character's posts start as soon as it exists, so a world takes its
// critical path (5 LLM calls and 1 image), not the sum of its calls.
func TestWorldTakesItsCriticalPath(t *testing.T) {
	lat := latency{llm: 3 * time.Second, image: 4 * time.Second}
	for _, tc := range []struct{ chars, posts int }{{3, 10}, {10, 60}} {
		t.Run(fmt.Sprint(tc.chars, "/", tc.posts), func(t *testing.T) {
			env, r := newEnv(t, lat)
			start := env.Now()
			env.ExecuteWorkflow(WorldGeneration, input(tc.chars, tc.posts))
			if err := env.GetWorkflowError(); err != nil {
				t.Fatal(err)
			}
			elapsed := r.calls("FinishGeneration")[0].at.Sub(start)
			critical := 5*lat.llm + lat.image
			if elapsed != critical {
				t.Errorf("world took %v on the workflow clock; its critical path is %v", elapsed, critical)
			}
		})
	}
}

func TestCancelStopsTheWorld(t *testing.T) {
	env, r := newEnv(t, latency{llm: 3 * time.Second, image: 4 * time.Second})
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Second)
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	err := env.GetWorkflowError()
	var canceled *temporal.CanceledError
	if !errors.As(err, &canceled) {
		t.Fatalf("workflow error = %v, want cancelled", err)
	}
	fin := r.calls("FinishGeneration")
	if len(fin) != 1 || fin[0].arg.(Finish).Status != generia.StatusCancelled {
		t.Fatalf("finish = %+v, want one cancelled", fin)
	}
	cancelAt := fin[0].at
	for _, c := range r.log {
		if c.at.After(cancelAt) {
			t.Errorf("%s ran after the cancel", c.name)
		}
	}
	if r.count("CreatePost") == 10 {
		t.Errorf("all posts were created although the world was cancelled early")
	}
}

func TestLimitReachedStopsTheWorld(t *testing.T) {
	env, r := newEnv(t, latency{llm: time.Second, image: time.Second})
	images := 0
	r.fail = func(name string, arg any) error {
		if name == "PaintImage" {
			images++
			if images > 4 {
				return temporal.NewNonRetryableApplicationError("the world reached its limit of 4 image calls", errLimit, nil)
			}
		}
		return nil
	}
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if env.GetWorkflowError() == nil {
		t.Fatal("workflow succeeded past its image limit")
	}
	fin := r.calls("FinishGeneration")
	if len(fin) != 1 {
		t.Fatalf("finish calls: %d", len(fin))
	}
	f := fin[0].arg.(Finish)
	if f.Status != generia.StatusFailed || !strings.Contains(f.Error, "limit of 4 image calls") {
		t.Errorf("finish = %+v, want failed naming the limit", f)
	}
	if n := r.count("PaintImage"); n > 5 {
		t.Errorf("%d image calls after the limit was reached at 5", n)
	}
}

func TestItemFailureKeepsTheRestAndFailsTheWorld(t *testing.T) {
	env, r := newEnv(t, latency{})
	r.fail = func(name string, arg any) error {
		if name == "DetailPost" && arg.(PostRef).Position == 1 && arg.(PostRef).Number == 2 {
			return temporal.NewNonRetryableApplicationError("post_detail character/1/post/2/detail: 2 answers were invalid", errBadAnswer, nil)
		}
		return nil
	}
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if env.GetWorkflowError() == nil {
		t.Fatal("workflow succeeded with a failed post")
	}
	if n := r.count("CreatePost"); n != 9 {
		t.Errorf("created %d posts, want the 9 that could be made", n)
	}
	f := r.calls("FinishGeneration")[0].arg.(Finish)
	want := "0 of 3 characters and 1 of 10 posts could not be generated; first error: character 2 post 3: post_detail"
	if f.Status != generia.StatusFailed || !strings.HasPrefix(f.Error, want) {
		t.Errorf("finish = %+v, want failed with %q", f, want)
	}
	if n := r.count("WarmFirstView"); n != 0 {
		t.Errorf("a failed world's first view was warmed %d times, want none", n)
	}
}

func TestRetryableErrorsAreRetried(t *testing.T) {
	env, r := newEnv(t, latency{})
	attempts := 0
	r.fail = func(name string, arg any) error {
		if name == "DescribeWorld" {
			attempts++
			if attempts < 3 {
				return temporal.NewApplicationError("openrouter: 503 service unavailable", errUnavailable)
			}
		}
		return nil
	}
	env.ExecuteWorkflow(WorldGeneration, input(1, 1))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatalf("workflow failed although the provider recovered: %v", err)
	}
	if attempts != 3 {
		t.Errorf("DescribeWorld ran %d times, want 3", attempts)
	}
}

func TestStatusQuery(t *testing.T) {
	env, _ := newEnv(t, latency{llm: 3 * time.Second, image: 4 * time.Second})
	var mid QueryStatus
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(StatusQuery)
		if err != nil {
			t.Errorf("query: %v", err)
			return
		}
		if err := v.Get(&mid); err != nil {
			t.Error(err)
		}
	}, 13*time.Second)
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if mid.CharactersCreated != 3 || mid.PostsCreated != 0 || mid.CurrentStage != generia.StagePosts || mid.PostsPlanned != 10 {
		t.Errorf("status at 13s = %+v; want 3 characters, no post yet, stage posts", mid)
	}
}

// A post image the provider refused for its content is not retried like an
// outage: it is asked for again under a new take, twice, and then fails
// that image alone: the rest of the world is made.
func TestRefusedImageFailsOnlyItsItem(t *testing.T) {
	env, r := newEnv(t, latency{})
	refused := 0
	r.fail = func(name string, arg any) error {
		if job, ok := arg.(ImageJob); ok && name == "PaintImage" && job.Kind == generia.MediaPostImage && job.Position == 1 && job.Number == 2 {
			refused++
			return temporal.NewNonRetryableApplicationError("runware: Runware refused the content: blocked [code sensitiveContentDetected]", errRefused, nil)
		}
		return nil
	}
	env.ExecuteWorkflow(WorldGeneration, input(3, 10))
	if refused != 3 {
		t.Errorf("the refused image was asked for %d times, want 3 (the first take and two more)", refused)
	}
	if n := r.count("CreatePost"); n != 9 {
		t.Errorf("created %d posts, want the 9 whose images were made", n)
	}
	f := r.calls("FinishGeneration")[0].arg.(Finish)
	want := "1 of 10 posts could not be generated; first error: character 2 post 3 image: the image provider refused the content, as often as it was asked"
	if !strings.Contains(f.PublicError, want) || strings.Contains(f.PublicError, "blocked") {
		t.Errorf("finish = %+v, want the public reason %q, without the provider's words", f, want)
	}
}
