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
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/generia"
)

// lifeWorld is a world's life on the time-skipping test server, its
// activities mocked: PlanLife answers every comment with one reply, and
// an action with one comment; WriteReply counts the day's calls as a store
// would, refusing past the ceiling.
type lifeWorld struct {
	t   *testing.T
	env *testsuite.TestWorkflowEnvironment

	mu      sync.Mutex
	plans   []LifeStep
	written []LifeReply
	saved   map[string]int // saves by key
	calls   map[string]int // calls by day
	start   time.Time
	// posts makes every third action a new post, as PlanLife does;
	// chain records the post activities in order.
	posts bool
	chain []string
	// plannedAt are the workflow clock's times of the plans.
	plannedAt []time.Time
	// fail, if set, makes WriteReply fail for good for the replies it
	// says, as a provider that refuses a request does.
	fail func(LifeReply) bool
	// onSave, if set, runs as a reply is saved, before it is.
	onSave func(LifeReply)
	// records are the life's records in the store, in order.
	records []generia.LifeRecord
	// flagPerson and flagReply, if set, say whether CheckPerson flags a
	// step's person and CheckReply a written reply; down is how many
	// checks fail first, as a moderation service that is away does.
	flagPerson func(LifeStep) bool
	flagReply  func(LifeReply) bool
	flagPost   func(LifeReply) bool
	down       int
	// checked are the checks made, in order ("person <key>", "reply
	// <key> <again>"), with the time of the first of each.
	checked   []string
	checkedAt map[string]time.Time
}

func newLifeWorld(t *testing.T) *lifeWorld {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))))
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(testWorkerOptions)
	env.SetStartTime(worldMorning("w1"))
	env.RegisterWorkflowWithOptions(WorldLife, workflow.RegisterOptions{Name: LifeWorkflowName})
	env.RegisterActivity(&Activities{})
	w := &lifeWorld{t: t, env: env, saved: map[string]int{}, calls: map[string]int{}, checkedAt: map[string]time.Time{}}
	env.OnActivity(a.PlanLife, mock.Anything, mock.Anything).Return(func(_ context.Context, st LifeStep) ([]LifeReply, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.plans = append(w.plans, st)
		w.plannedAt = append(w.plannedAt, w.env.Now())
		r := LifeReply{LifeStep: st, CharacterID: "c1", ParentID: st.CommentID, PostID: "p1"}
		r.Key = st.Key + "/c1"
		if w.posts && st.CommentID == "" && st.Number%3 == 2 {
			r.NewPost, r.PostID = true, ""
		}
		return []LifeReply{r}, nil
	})
	env.OnActivity(a.WriteLifePost, mock.Anything, mock.Anything).Return(func(_ context.Context, r LifeReply) (generia.LifeDay, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.calls[r.Day]++
		w.chain = append(w.chain, "write "+r.Key)
		return generia.LifeDay{WorldID: r.WorldID, Day: r.Day, Calls: w.calls[r.Day]}, nil
	})
	env.OnActivity(a.PaintImage, mock.Anything, mock.Anything).Return(func(_ context.Context, j ImageJob) (string, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.chain = append(w.chain, "paint "+j.Key())
		return "media-" + j.Key(), nil
	})
	env.OnActivity(a.SaveLifePost, mock.Anything, mock.Anything).Return(func(_ context.Context, p LifePost) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.chain = append(w.chain, "save "+p.Key+" "+p.MediaID)
		return nil
	})
	env.OnActivity(a.WriteReply, mock.Anything, mock.Anything).Return(func(_ context.Context, r LifeReply) (generia.LifeDay, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.calls[r.Day] >= r.Settings.DailyCalls {
			return generia.LifeDay{}, temporal.NewNonRetryableApplicationError("the day's calls are spent", errLimit, nil)
		}
		if w.fail != nil && w.fail(r) {
			return generia.LifeDay{}, temporal.NewNonRetryableApplicationError("the provider refused the request", "ProviderRefused", nil)
		}
		w.calls[r.Day]++
		w.written = append(w.written, r)
		return generia.LifeDay{WorldID: r.WorldID, Day: r.Day, Calls: w.calls[r.Day]}, nil
	})
	moderationDown := func(what string) error {
		if _, seen := w.checkedAt[what]; !seen {
			w.checkedAt[what] = w.env.Now()
		}
		if w.down > 0 {
			w.down--
			return temporal.NewApplicationError("moderation: no answer", errUnavailable)
		}
		w.checked = append(w.checked, what)
		return nil
	}
	env.OnActivity(a.CheckPerson, mock.Anything, mock.Anything).Return(func(_ context.Context, st LifeStep) (LifeCheck, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if err := moderationDown("person " + st.Key); err != nil {
			return LifeCheck{}, err
		}
		if w.flagPerson != nil && w.flagPerson(st) {
			return LifeCheck{Decision: generia.DecisionHold, Categories: []generia.Category{generia.CategoryHarassment}}, nil
		}
		return LifeCheck{Allowed: true, Decision: generia.DecisionAllow}, nil
	})
	env.OnActivity(a.CheckReply, mock.Anything, mock.Anything).Return(func(_ context.Context, r LifeReply) (LifeCheck, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if err := moderationDown(fmt.Sprintf("reply %s %d", r.Key, r.Again)); err != nil {
			return LifeCheck{}, err
		}
		if w.flagReply != nil && w.flagReply(r) {
			return LifeCheck{Decision: generia.DecisionHold, Categories: []generia.Category{generia.CategoryHate}}, nil
		}
		return LifeCheck{Allowed: true, Decision: generia.DecisionAllow}, nil
	})
	env.OnActivity(a.CheckLifePost, mock.Anything, mock.Anything).Return(func(_ context.Context, r LifeReply) (LifeCheck, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		if err := moderationDown(fmt.Sprintf("post %s %d", r.Key, r.Again)); err != nil {
			return LifeCheck{}, err
		}
		w.chain = append(w.chain, "check "+r.Key)
		if w.flagPost != nil && w.flagPost(r) {
			return LifeCheck{Decision: generia.DecisionHold, Categories: []generia.Category{generia.CategoryViolence}}, nil
		}
		return LifeCheck{Allowed: true, Decision: generia.DecisionAllow}, nil
	})
	env.OnActivity(a.RecordLife, mock.Anything, mock.Anything).Return(func(_ context.Context, r generia.LifeRecord) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.records = append(w.records, r)
		return nil
	})
	env.OnActivity(a.SaveReply, mock.Anything, mock.Anything).Return(func(_ context.Context, r LifeReply) error {
		if w.onSave != nil {
			w.onSave(r)
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		w.saved[r.Key]++
		return nil
	})
	return w
}

// at runs fn at d after the life starts, on the workflow's clock.
func (w *lifeWorld) at(d time.Duration, fn func()) { w.env.RegisterDelayedCallback(fn, d) }

func (w *lifeWorld) view() generia.LifeView {
	w.t.Helper()
	res, err := w.env.QueryWorkflow(LifeQuery)
	if err != nil {
		w.t.Fatalf("life query: %v", err)
	}
	var v generia.LifeView
	if err := res.Get(&v); err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *lifeWorld) replies() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.written)
}

// run starts the life and cancels it at end; it returns the workflow's
// error (a cancellation, or a continue-as-new).
func (w *lifeWorld) run(in LifeInput, end time.Duration) error {
	w.at(end, w.env.CancelWorkflow)
	w.env.ExecuteWorkflow(LifeWorkflowName, in)
	if !w.env.IsWorkflowCompleted() {
		w.t.Fatal("the life did not end")
	}
	return w.env.GetWorkflowError()
}

func lifeInput(perHour float64, calls int) LifeInput {
	return LifeInput{WorldID: "w1", LLM: "offline", Image: "offline", Idle: 10 * time.Minute,
		Settings: generia.LifeSettings{Enabled: true, ActionsPerHour: perHour, DailyCalls: calls, DailyBudgetUSD: 1}}
}

// A person's comment is answered at once and once; the world falls asleep
// after the idle time without a view, makes no call while asleep, and a
// view wakes it.
func TestLifeAnswersSleepsAndWakes(t *testing.T) {
	w := newLifeWorld(t)
	var awake, asleep, woken generia.LifeView
	var repliesAsleep int
	w.at(time.Minute, func() {
		w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m1"})
		w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m1"}) // the same comment told twice
	})
	w.at(2*time.Minute, func() { awake = w.view() })
	w.at(30*time.Minute, func() { asleep = w.view(); repliesAsleep = w.replies() })
	w.at(5*time.Hour, func() { w.env.SignalWorkflow(SignalViewed, nil) })
	w.at(5*time.Hour+time.Second, func() { woken = w.view() })
	err := w.run(lifeInput(0, 100), 6*time.Hour)
	if !temporal.IsCanceledError(err) {
		t.Fatalf("the life ended with %v, want its cancellation", err)
	}
	if len(w.written) != 1 || w.saved["life/reply/m1/c1"] != 1 || len(w.saved) != 1 {
		t.Errorf("replies written %v, saved %v; want the comment answered once", w.written, w.saved)
	}
	if awake.State != generia.LifeAwake || awake.CallsToday != 1 || awake.ActionsToday != 1 || awake.Waiting != 0 {
		t.Errorf("after the answer: %+v, want awake with 1 call and 1 action", awake)
	}
	if asleep.State != generia.LifeAsleep || asleep.NextActionAt != nil {
		t.Errorf("after 30 minutes without a view: %+v, want asleep with nothing planned", asleep)
	}
	if repliesAsleep != 1 || len(w.plans) != 1 {
		t.Errorf("%d plans and %d replies, want nothing more than the one answer while asleep", len(w.plans), repliesAsleep)
	}
	if woken.State != generia.LifeAwake {
		t.Errorf("after a view: %+v, want awake", woken)
	}
}

// While watched, characters act at the pace set; unwatched, they stop.
func TestLifeActsAtItsPaceWhileWatched(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(6, 1000) // about one action in 10 minutes
	in.Idle = 2 * time.Hour
	var after2h int
	w.at(2*time.Hour, func() { after2h = w.replies() })
	_ = w.run(in, 8*time.Hour)
	if after2h < 6 || after2h > 30 {
		t.Errorf("%d actions in 2 watched hours at 6 an hour", after2h)
	}
	if n := w.replies(); n != after2h {
		t.Errorf("%d actions after the world fell asleep", n-after2h)
	}
	keys := map[string]bool{}
	for _, p := range w.plans {
		if p.CommentID != "" || keys[p.Key] {
			t.Errorf("action %+v is not a new action of the world's own", p)
		}
		keys[p.Key] = true
	}
}

// An action that fails is not tried again and is not counted in the day's
// actions: actions_today counts what the world made.
func TestLifeCountsWhatItMade(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(60, 1000)
	in.Idle = time.Hour
	w.fail = func(r LifeReply) bool { return r.Number%2 == 1 }
	var seen generia.LifeView
	w.at(50*time.Minute, func() { seen = w.view() })
	_ = w.run(in, 2*time.Hour)
	w.mu.Lock()
	made, tried := len(w.saved), len(w.plans)
	w.mu.Unlock()
	if made == 0 || made >= tried {
		t.Fatalf("%d actions made of %d tried; want about half", made, tried)
	}
	if seen.ActionsToday == 0 || seen.ActionsToday > made || 2*seen.ActionsToday > tried+2 {
		t.Errorf("actions_today = %d after 50 minutes, with %d made and %d tried in all", seen.ActionsToday, made, tried)
	}
	keys := map[string]bool{}
	for _, p := range w.plans {
		if keys[p.Key] {
			t.Errorf("failed action %s tried again", p.Key)
		}
		keys[p.Key] = true
	}
}

// At its ceiling the world rests until its next day, then acts again.
func TestLifeRestsAtItsCeilingUntilTheNextDay(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(60, 3) // one action a minute, three calls a day
	in.Idle = 72 * time.Hour
	var resting generia.LifeView
	var firstDay int
	w.at(time.Hour, func() { resting = w.view(); firstDay = w.replies() })
	start := time.Time{}
	w.at(0, func() { start = w.env.Now() })
	_ = w.run(in, 48*time.Hour)
	if firstDay != 3 {
		t.Errorf("%d calls on a day of 3", firstDay)
	}
	if resting.State != generia.LifeResting || resting.RestsUntil == nil || !resting.RestsUntil.Equal(generia.NextDay(start.Add(time.Hour))) {
		t.Errorf("at the ceiling: %+v, want resting until the next day", resting)
	}
	days := map[string]int{}
	for _, r := range w.written {
		days[r.Day]++
	}
	for day, n := range days {
		if n > 3 {
			t.Errorf("%d calls on %s", n, day)
		}
	}
	if len(days) < 2 {
		t.Errorf("the world acted on %d days in 48 hours, want it to go on after its rest", len(days))
	}
}

// The call that reaches the day's ceiling is saved before the world shows
// itself resting: who sees it resting sees all it made.
func TestLifeRestsOnlyOnceItsLastReplyIsSaved(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(60, 2)
	in.Idle = 72 * time.Hour
	var saving []generia.LifeView
	w.onSave = func(LifeReply) { saving = append(saving, w.view()) }
	var after generia.LifeView
	w.at(time.Hour, func() { after = w.view() })
	_ = w.run(in, 2*time.Hour)
	if len(saving) != 2 {
		t.Fatalf("%d replies saved on a day of 2 calls", len(saving))
	}
	for i, v := range saving {
		if v.State != generia.LifeAwake || v.NextActionAt != nil {
			t.Errorf("while reply %d is saved the life is %+v, want awake with no next action yet", i+1, v)
		}
	}
	if after.State != generia.LifeResting || after.CallsToday != 2 || after.ActionsToday != 2 {
		t.Errorf("after its day's calls: %+v, want resting with 2 calls and 2 actions", after)
	}
}

// Paused or off, nothing runs; the owner's new settings take effect at once.
func TestLifePausedDoesNothing(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(60, 100)
	in.Settings.Paused = true
	in.Idle = 72 * time.Hour
	var paused generia.LifeView
	var whilePaused int
	w.at(time.Hour, func() { paused = w.view(); whilePaused = w.replies() })
	w.at(time.Hour+time.Second, func() {
		s := in.Settings
		s.Paused = false
		w.env.SignalWorkflow(SignalLifeSettings, s)
	})
	_ = w.run(in, 2*time.Hour)
	if paused.State != generia.LifePaused || whilePaused != 0 {
		t.Errorf("paused: %+v with %d actions, want nothing", paused, whilePaused)
	}
	if w.replies() == 0 {
		t.Error("no action after the owner resumed the life")
	}
}

// A long life continues as new, carrying what it must: the day's counters,
// the last view and the comments waiting.
func TestLifeContinuesAsNew(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(0, 100)
	in.Idle = time.Hour
	w.at(time.Minute, func() { w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m1"}) })
	for i := range maxLifeIterations {
		w.at(2*time.Minute+time.Duration(i)*time.Second, func() { w.env.SignalWorkflow(SignalViewed, nil) })
	}
	err := w.run(in, 24*time.Hour)
	var next *workflow.ContinueAsNewError
	if !errors.As(err, &next) {
		t.Fatalf("the life ended with %v, want a continue-as-new", err)
	}
	var carried LifeInput
	if err := converter.GetDefaultDataConverter().FromPayloads(next.Input, &carried); err != nil {
		t.Fatal(err)
	}
	if carried.Day.Calls != 1 || carried.Actions != 1 || carried.LastViewedAt.IsZero() || len(carried.Waiting) != 0 || carried.WorldID != "w1" {
		t.Errorf("carried over: %+v", carried)
	}
}

// A flood of comments is answered at most AnswersPerMinute a minute, each
// once, and those past MaxWaiting are not answered.
func TestLifeAnswersAFloodAtItsPace(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(0, 10_000)
	in.Idle = time.Hour
	flood := MaxWaiting + 20
	w.at(time.Second, func() {
		for i := range flood {
			w.env.SignalWorkflow(SignalCommented, Commented{CommentID: fmt.Sprintf("m%d", i)})
		}
	})
	var firstMinute int
	w.at(time.Second+59*time.Second, func() { firstMinute = w.replies() })
	_ = w.run(in, 50*time.Minute)
	if firstMinute > AnswersPerMinute {
		t.Errorf("%d answers in the first minute, want at most %d", firstMinute, AnswersPerMinute)
	}
	if len(w.saved) > MaxWaiting+1 || len(w.saved) < MaxWaiting {
		t.Errorf("%d comments answered of a flood of %d, want the %d that could wait", len(w.saved), flood, MaxWaiting)
	}
	for key, n := range w.saved {
		if n != 1 {
			t.Errorf("%s answered %d times", key, n)
		}
	}
}

// Every third action of the world's own is a new post: its text, its
// check, then its image (a life image, under the post's key), then the
// post with it.
func TestLifePostsEveryThirdAction(t *testing.T) {
	w := newLifeWorld(t)
	w.posts = true
	in := lifeInput(60, 1000)
	in.Idle = 10 * time.Minute
	_ = w.run(in, 20*time.Minute)
	if len(w.chain) == 0 || len(w.chain)%4 != 0 {
		t.Fatalf("post activities %v, want whole chains of write, check, paint, save", w.chain)
	}
	for i := 0; i < len(w.chain); i += 4 {
		key := strings.TrimPrefix(w.chain[i], "write ")
		if w.chain[i+1] != "check "+key || w.chain[i+2] != "paint "+key+"/image" || w.chain[i+3] != "save "+key+" media-"+key+"/image" {
			t.Errorf("post %s: %v", key, w.chain[i:i+4])
		}
	}
	posts, comments := len(w.chain)/4, w.replies()
	if posts == 0 || comments < 2*posts-1 || comments > 2*posts+2 {
		t.Errorf("%d posts and %d comments, want one post in three actions", posts, comments)
	}
}

// A person's post is reacted to once, however often it is told.
func TestLifeReactsToAPostOnce(t *testing.T) {
	w := newLifeWorld(t)
	w.at(time.Minute, func() {
		w.env.SignalWorkflow(SignalPosted, Posted{PostID: "p9"})
		w.env.SignalWorkflow(SignalPosted, Posted{PostID: "p9"})
	})
	w.at(3*time.Minute, func() { w.env.SignalWorkflow(SignalPosted, Posted{PostID: "p9"}) })
	_ = w.run(lifeInput(0, 100), time.Hour)
	if len(w.plans) != 1 || w.plans[0].PostID != "p9" || w.plans[0].Key != "life/react/p9" || w.saved["life/react/p9/c1"] != 1 {
		t.Errorf("plans %+v, saved %v; want one reaction to p9", w.plans, w.saved)
	}
}

// worldMorning is a time when it is 09:00 in the world.
func worldMorning(worldID string) time.Time {
	t := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for WorldHour(worldID, t) != 9 {
		t = t.Add(time.Hour)
	}
	return t
}

// A world acts slower in its night than in its day.
func TestLifeSlowsDownAtNight(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(12, 10_000)
	in.Idle = 48 * time.Hour
	_ = w.run(in, 24*time.Hour)
	day, night := 0, 0
	for _, c := range w.plannedAt {
		if WorldNight("w1", c) {
			night++
		} else {
			day++
		}
	}
	// 16 hours of day at 12 an hour, 8 of night at 3 an hour.
	if day < 150 || night > 40 || night == 0 {
		t.Errorf("%d actions by day and %d by night, want about 192 and 24", day, night)
	}
}

// The life records its state in the store at each change a reader can
// see (awake, asleep, woken, paused, resting, a new day, off), and only
// then: views that change nothing record nothing, so that pages read the
// store and the history stays small.
func TestLifeRecordsEachChangeOfItsState(t *testing.T) {
	w := newLifeWorld(t)
	start := time.Date(2026, 12, 1, 0, 30, 0, 0, time.UTC) // a long first day
	w.env.SetStartTime(start)
	in := lifeInput(0, 100)
	w.at(time.Minute, func() { w.env.SignalWorkflow(SignalCommented, Commented{CommentID: "m1"}) })
	w.at(5*time.Hour, func() { w.env.SignalWorkflow(SignalViewed, nil) })
	for i := 1; i <= 5; i++ { // a reader's views while it is awake change nothing
		w.at(5*time.Hour+time.Duration(i)*10*time.Second, func() { w.env.SignalWorkflow(SignalViewed, nil) })
	}
	settings := func(d time.Duration, change func(*generia.LifeSettings)) {
		w.at(d, func() {
			s := in.Settings
			change(&s)
			w.env.SignalWorkflow(SignalLifeSettings, s)
		})
	}
	settings(5*time.Hour+time.Minute, func(s *generia.LifeSettings) { s.Paused = true })
	settings(5*time.Hour+2*time.Minute, func(s *generia.LifeSettings) { s.DailyCalls = 1 })
	settings(26*time.Hour, func(s *generia.LifeSettings) { s.Enabled = false })
	_ = w.run(in, 27*time.Hour)

	nextDay := generia.NextDay(start)
	want := []struct {
		state   string
		at      time.Time
		actions int
	}{
		{generia.LifeAwake, start, 0},
		{generia.LifeAwake, start.Add(time.Minute), 1}, // the answer made
		{generia.LifeAsleep, start.Add(11 * time.Minute), 1},
		{generia.LifeAwake, start.Add(5 * time.Hour), 1},
		{generia.LifePaused, start.Add(5*time.Hour + time.Minute), 1},
		{generia.LifeResting, start.Add(5*time.Hour + 2*time.Minute), 1},
		{generia.LifeAsleep, nextDay, 0},
		{generia.LifeOff, start.Add(26 * time.Hour), 0},
	}
	var got []string
	for _, r := range w.records {
		got = append(got, r.State+" at "+r.UpdatedAt.Sub(start).String())
	}
	if len(w.records) != len(want) {
		t.Fatalf("records %v, want %d: awake, awake after its answer, asleep, woken, paused, resting, asleep the next day, off", got, len(want))
	}
	for i, wr := range want {
		r := w.records[i]
		if r.WorldID != "w1" || r.State != wr.state || !r.UpdatedAt.Equal(wr.at) || r.ActionsToday != wr.actions || r.Day != generia.DayOf(wr.at) {
			t.Errorf("record %d = %+v, want %s at %s with %d actions (all: %v)", i, r, wr.state, wr.at, wr.actions, got)
		}
	}
	if r := w.records[1]; r.CallsToday != 1 {
		t.Errorf("the record after the answer counts %d calls, want 1", r.CallsToday)
	}
	if r := w.records[3]; !r.LastViewedAt.Equal(start.Add(5 * time.Hour)) {
		t.Errorf("the record of the view that woke it says it was last viewed at %s", r.LastViewedAt)
	}
	if r := w.records[5]; !r.RestsUntil.Equal(nextDay) {
		t.Errorf("the resting record rests until %s, want %s", r.RestsUntil, nextDay)
	}
}

// While it acts on its own, each action's record names the next one, as
// the query does.
func TestLifeRecordsItsNextAction(t *testing.T) {
	w := newLifeWorld(t)
	in := lifeInput(6, 1000)
	in.Idle = time.Hour
	var queried generia.LifeView
	var asked time.Time
	w.at(30*time.Minute, func() { queried, asked = w.view(), w.env.Now() })
	_ = w.run(in, 40*time.Minute)
	var last generia.LifeRecord
	for _, r := range w.records {
		if !r.UpdatedAt.Before(asked) {
			break
		}
		last = r
	}
	if last.State != generia.LifeAwake || queried.NextActionAt == nil || !last.NextActionAt.Equal(*queried.NextActionAt) || last.ActionsToday != queried.ActionsToday {
		t.Errorf("the last record before the query = %+v, the query %+v; want the same next action and actions", last, queried)
	}
	if n := len(w.records); n > 2*len(w.plans)+2 {
		t.Errorf("%d records for %d actions, want one a change", n, len(w.plans))
	}
}
