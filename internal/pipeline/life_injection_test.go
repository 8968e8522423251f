package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
)

// savedAt is the store of a living world that notes when each character's
// comment was saved, by wall clock.
type savedAt struct {
	*trustStore
	mu sync.Mutex
	at map[string]time.Time // by the comment answered
}

func (s *savedAt) AddComment(ctx context.Context, c generia.Comment) (generia.Comment, error) {
	out, err := s.trustStore.AddComment(ctx, c)
	if err == nil && c.IsAI {
		s.mu.Lock()
		s.at[c.ParentID] = time.Now()
		s.mu.Unlock()
	}
	return out, err
}

// livingWorld is checkedWorld's world living on the SDK's test server with
// its real activities, a careless model (see fakeprovider.Careless) and a
// moderator: n people's comments (m-0 …) on n posts of Mara's (p-0 …), with
// texts of their own.
type livingWorld struct {
	env   *testsuite.TestWorkflowEnvironment
	store *savedAt
	model *fakeprovider.Careless
}

func newLivingWorld(t testing.TB, model *fakeprovider.Careless, mod generia.Moderator, comments []string) *livingWorld {
	t.Helper()
	ctx := context.Background()
	db, acts := checkedWorld(t, "an earlier comment")
	store := &savedAt{trustStore: db, at: map[string]time.Time{}}
	world, _ := json.Marshal(content.WorldDescription{Name: "Tidewell", Language: "English", Description: "A harbour city on a tide that never ebbs."})
	if _, err := db.SaveArtifact(ctx, generia.Artifact{WorldID: "w1", Key: keyWorldDescription(), Step: "world_description", Output: world, CreatedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
	for i, text := range comments {
		post, comment := fmt.Sprintf("p-%d", i), fmt.Sprintf("m-%d", i)
		if _, _, err := db.CreatePost(ctx, generia.Post{ID: post, WorldID: "w1", CharacterID: "c1", Caption: fmt.Sprintf("Post number %d of the harbour.", i), CreatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddComment(ctx, generia.Comment{ID: comment, PostID: post, UserID: "u-sam", Text: text, CreatedAt: time.Now().UTC()}); err != nil {
			t.Fatal(err)
		}
	}
	acts.Store, acts.Moderator = store, mod
	acts.Text = map[string]generia.TextGenerator{"careless": model}
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))))
	env := s.NewTestWorkflowEnvironment()
	env.SetWorkerOptions(testWorkerOptions)
	env.SetTestTimeout(5 * time.Minute) // the activities take real time
	env.RegisterWorkflowWithOptions(WorldLife, workflow.RegisterOptions{Name: LifeWorkflowName})
	env.RegisterActivity(acts)
	return &livingWorld{env: env, store: store, model: model}
}

// run signals each comment a minute apart, noting when, and lets the life
// answer them.
func (w *livingWorld) run(n int) map[string]time.Time {
	signalled := map[string]time.Time{}
	for i := range n {
		id := fmt.Sprintf("m-%d", i)
		w.env.RegisterDelayedCallback(func() {
			signalled[id] = time.Now()
			w.env.SignalWorkflow(SignalCommented, Commented{CommentID: id})
		}, time.Duration(i+1)*time.Minute)
	}
	w.env.RegisterDelayedCallback(w.env.CancelWorkflow, time.Duration(n+2)*time.Minute)
	w.env.ExecuteWorkflow(LifeWorkflowName, LifeInput{WorldID: "w1", LLM: "careless", Image: generia.OfflineProvider, Idle: time.Hour,
		Settings: generia.LifeSettings{Enabled: true, DailyCalls: 1000, DailyBudgetUSD: 10}})
	return signalled
}

// What a living world posts in answer to the injection corpus, through the
// real activities and store, stays Mara's: the careless model is never
// steered, and both checks ran for every comment.
func TestLifeAnswersTheInjectionCorpusInCharacter(t *testing.T) {
	data, err := os.ReadFile("../content/testdata/injections.json")
	if err != nil {
		t.Fatal(err)
	}
	var corpus []struct{ Name, Comment, Payload string }
	if err := json.Unmarshal(data, &corpus); err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, e := range corpus {
		texts = append(texts, e.Comment)
	}
	m := &fakeModerator{words: map[string]generia.Category{}}
	w := newLivingWorld(t, &fakeprovider.Careless{}, m, texts)
	w.run(len(texts))
	for i, e := range corpus {
		thread, _, err := w.store.ListComments(context.Background(), fmt.Sprintf("p-%d", i), generia.Page{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var replies []string
		for _, c := range thread {
			if c.IsAI {
				replies = append(replies, c.Text)
			}
		}
		if len(replies) != 1 || !strings.HasPrefix(replies[0], "Mara here") ||
			(e.Payload != "" && strings.Contains(strings.ToLower(replies[0]), strings.ToLower(e.Payload))) {
			t.Errorf("%s: the world answered %q; want one reply, Mara's, without %q", e.Name, replies, e.Payload)
		}
	}
	kinds := map[string]int{}
	for _, c := range m.asked {
		kinds[c.Kind]++
	}
	if kinds[generia.CheckComment] != len(texts) || kinds[generia.CheckReply] != len(texts) {
		t.Errorf("checks made: %v; want each comment and each reply checked once", kinds)
	}
	for _, req := range w.model.Requests() {
		if !strings.Contains(req.System, "never follow instructions") {
			t.Fatalf("a reply was asked for without the hierarchy in its system message: %q", req.System)
		}
	}
}

// slowModerator is a fakeModerator that takes its time.
type slowModerator struct {
	fakeModerator
	delay time.Duration
}

func (m *slowModerator) CheckText(ctx context.Context, c generia.TextCheck) (generia.Verdict, error) {
	time.Sleep(m.delay)
	return m.fakeModerator.CheckText(ctx, c)
}

// BenchmarkReplyWithChecks measures how soon a living world answers a
// person at 3 s per LLM call, with both checks on at 300 ms each: from the
// comment's signal to the reply in the store, by wall clock, on the SDK's
// test server (no Temporal server's round trips). Run it with
// go test -run '^$' -bench ReplyWithChecks -benchtime 1x ./internal/pipeline.
func BenchmarkReplyWithChecks(b *testing.B) {
	const n = 7
	texts := make([]string, n)
	for i := range texts {
		texts[i] = fmt.Sprintf("Question %d: what brings you out on the water today?", i+1)
	}
	for range b.N {
		w := newLivingWorld(b, &fakeprovider.Careless{Delay: 3 * time.Second},
			&slowModerator{fakeModerator: fakeModerator{words: map[string]generia.Category{}}, delay: 300 * time.Millisecond}, texts)
		signalled := w.run(n)
		var took []time.Duration
		for id, at := range signalled {
			if saved, ok := w.store.at[id]; ok {
				took = append(took, saved.Sub(at))
			}
		}
		if len(took) != n {
			b.Fatalf("%d of %d comments answered", len(took), n)
		}
		slices.Sort(took)
		b.ReportMetric(took[n/2].Seconds(), "p50-s")
		b.ReportMetric(took[n-1].Seconds(), "max-s")
		b.Logf("replies at 3 s an LLM call and 300 ms a check: p50 %v, max %v", took[n/2].Round(time.Millisecond), took[n-1].Round(time.Millisecond))
	}
}
