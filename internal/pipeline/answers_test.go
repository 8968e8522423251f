package pipeline

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/fakeprovidertest"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/localtest"
	"github.com/generia/generia/internal/openrouter"
	"github.com/generia/generia/internal/runware"
)

// flakyStore is the real store, refusing the next writes of paid answers and
// images as a database does while it restarts or drops its connections.
type flakyStore struct {
	generia.Store
	refuse atomic.Int32 // how many more such writes to refuse
}

var errDropped = errors.New("the connection to the database was dropped")

func (s *flakyStore) SaveAnswer(ctx context.Context, c generia.ProviderCall, g generia.Artifact) error {
	if s.refuse.Add(-1) >= 0 {
		return errDropped
	}
	return s.Store.SaveAnswer(ctx, c, g)
}

func (s *flakyStore) SavePaidImage(ctx context.Context, c generia.ProviderCall, img generia.PaidImage) error {
	if s.refuse.Add(-1) >= 0 {
		return errDropped
	}
	return s.Store.SavePaidImage(ctx, c, img)
}

// awayMedia is the real media store, away while down is set.
type awayMedia struct {
	generia.MediaStore
	down atomic.Bool
	puts atomic.Int32
}

func (m *awayMedia) Put(ctx context.Context, key, contentType string, data []byte) error {
	m.puts.Add(1)
	if m.down.Load() {
		return errors.New("dial tcp 127.0.0.1:9000: connection refused")
	}
	return m.MediaStore.Put(ctx, key, contentType, data)
}

// bench is a world's activities over the real SQLite store and media on
// disk, with the real clients of both providers against their fakes.
type bench struct {
	acts   *Activities
	store  *flakyStore
	media  *awayMedia
	llm    *fakeprovider.OpenRouter
	images *fakeprovider.Runware
	ref    WorldRef
}

// primaryModel is the bench's LLM_MODEL, one the fake OpenRouter knows.
const primaryModel = "google/gemini-2.5-flash-lite"

func newBench(t *testing.T, llm fakeprovider.OpenRouterOptions, fallbacks ...string) *bench {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db := localtest.Store(t, filepath.Join(dir, "generia.db"))
	llm.APIKey = "sk-test"
	fakeLLM, llmSrv := fakeprovidertest.OpenRouter(t, llm)
	fakeImages, imgSrv := fakeprovidertest.Runware(t, fakeprovider.RunwareOptions{APIKey: "rw-test", CostPerImage: 0.002})
	b := &bench{store: &flakyStore{Store: db}, media: &awayMedia{MediaStore: localtest.Media(t, filepath.Join(dir, "media"))},
		llm: fakeLLM, images: fakeImages}
	text, err := openrouter.New(openrouter.Options{APIKey: "sk-test", BaseURL: llmSrv.URL + "/api/v1", Model: primaryModel, OpenRouter: true, Fallbacks: fallbacks})
	if err != nil {
		t.Fatal(err)
	}
	paint, err := runware.New(runware.Options{APIKey: "rw-test", BaseURL: imgSrv.URL + "/v1", Model: "runware:100@1"})
	if err != nil {
		t.Fatal(err)
	}
	b.acts = &Activities{Store: b.store, Media: b.media,
		Text:   map[string]generia.TextGenerator{text.Name(): text},
		Images: map[string]generia.ImageGenerator{paint.Name(): paint}}
	now := time.Now().UTC()
	w := generia.World{ID: "w1", Name: "Tidewell", Prompt: "A harbour city on a tide that never ebbs", CharactersCount: 4, PostsCount: 4,
		Visibility: generia.VisibilityPublic, Providers: generia.Providers{LLM: text.Name(), Image: paint.Name()},
		WorkflowID: generia.WorldWorkflowID("w1"), CreatedAt: now, UpdatedAt: now}
	if err := db.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(4, 4))); err != nil {
		t.Fatal(err)
	}
	b.ref = WorldRef{WorldID: w.ID, Provider: text.Name()}
	return b
}

// paid counts the requests the fake answered with 200: each one is paid.
func paid(reqs []fakeprovider.Recorded) int {
	n := 0
	for _, r := range reqs {
		if r.Status == 200 {
			n++
		}
	}
	return n
}

func (b *bench) ledger(t *testing.T) []generia.ProviderCall {
	t.Helper()
	calls, err := b.store.ProviderCalls(context.Background(), b.ref.WorldID)
	if err != nil {
		t.Fatal(err)
	}
	return calls
}

// describe makes the world's description and its cast's first batch of four.
func (b *bench) cast(t *testing.T) error {
	t.Helper()
	ctx := context.Background()
	if err := b.acts.DescribeWorld(ctx, b.ref); err != nil {
		t.Fatal(err)
	}
	return b.acts.PlanCast(ctx, CastBatch{WorldRef: b.ref, Batch: 0, Batches: 1, First: 0, Count: 4, Total: 4})
}

func (b *bench) castPlan(t *testing.T) content.CastPlan {
	t.Helper()
	plan, err := artifact[content.CastPlan](context.Background(), b.acts, b.ref.WorldID, keyCastBatch(0))
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// A short cast plan keeps what it has and is topped up with a call for the
// missing characters alone; the top-up failing with a 503 does not lose the
// part already paid for: the retried activity asks only for the rest.
func TestShortListIsToppedUpAndItsPieceSurvivesARetry(t *testing.T) {
	var casts atomic.Int32
	b := newBench(t, fakeprovider.OpenRouterOptions{Decide: func(body []byte) fakeprovider.Fault {
		if !bytesContain(body, `"name":"cast_plan"`) {
			return fakeprovider.FaultNone
		}
		switch casts.Add(1) {
		case 1:
			return fakeprovider.FaultTooFew
		case 2:
			return fakeprovider.Fault503
		}
		return fakeprovider.FaultNone
	}})
	if err := b.cast(t); err == nil {
		t.Fatal("the cast plan succeeded although its top-up met a 503")
	}
	if err := b.cast(t); err != nil { // Temporal's retry
		t.Fatalf("the retried cast plan: %v", err)
	}
	plan := b.castPlan(t)
	if len(plan.Characters) != 4 {
		t.Fatalf("the cast has %d characters, want 4", len(plan.Characters))
	}
	names := map[string]bool{}
	for _, c := range plan.Characters {
		if names[c.Name] {
			t.Errorf("%q twice in the cast", c.Name)
		}
		names[c.Name] = true
	}
	var castCalls, okCalls int
	for _, c := range b.ledger(t) {
		if c.Step == "cast_plan" {
			castCalls++
			if c.Outcome == generia.OutcomeOK {
				okCalls++
			}
		}
	}
	if casts.Load() != 3 || castCalls != 3 || okCalls != 2 {
		t.Errorf("%d cast requests, %d in the ledger (%d answered); want 3: the short one, the 503, the top-up", casts.Load(), castCalls, okCalls)
	}
	if p := paid(b.llm.Requests()); p != 3 { // description, short cast, top-up
		t.Errorf("%d paid LLM answers, want 3", p)
	}
}

// A paid answer the store refuses to save (its connection dropped) is saved
// again and again, not asked for again: it is paid once.
func TestPaidAnswerIsStoredNotBoughtAgain(t *testing.T) {
	b := newBench(t, fakeprovider.OpenRouterOptions{})
	b.store.refuse.Store(3)
	if err := b.cast(t); err != nil {
		t.Fatal(err)
	}
	if p := paid(b.llm.Requests()); p != 2 {
		t.Errorf("%d paid LLM answers for a description and a cast, want 2", p)
	}
	if n := len(b.ledger(t)); n != 2 {
		t.Errorf("%d ledger rows, want 2", n)
	}
	if len(b.castPlan(t).Characters) != 4 {
		t.Error("the cast was not stored")
	}
}

// An image paid for while the media store is away waits in the store with
// its ledger row: the upload is tried again, in the same attempt and after
// the activity gave up, and the image is never bought twice.
func TestPaidImageWaitsOutTheMediaStore(t *testing.T) {
	b := newBench(t, fakeprovider.OpenRouterOptions{})
	if err := b.acts.DescribeWorld(context.Background(), b.ref); err != nil {
		t.Fatal(err)
	}
	if err := b.acts.PromptWorldImages(context.Background(), b.ref); err != nil {
		t.Fatal(err)
	}
	job := ImageJob{WorldRef: WorldRef{WorldID: b.ref.WorldID, Provider: "runware"}, Kind: generia.MediaWorldHeader}

	// The media store is away for the whole attempt: the activity ends
	// with its deadline, the image kept. The deadline comes once the
	// upload was tried again (or after half a minute, when it never is).
	b.media.down.Store(true)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	go func() {
		for b.media.puts.Load() < 2 && ctx.Err() == nil {
			time.Sleep(5 * time.Millisecond)
		}
		cancel()
	}()
	_, err := b.acts.PaintImage(ctx, job)
	cancel()
	if err == nil {
		t.Fatal("PaintImage succeeded with the media store away")
	}
	if b.media.puts.Load() < 2 {
		t.Errorf("the upload was tried %d times in the attempt, want it tried again", b.media.puts.Load())
	}
	// The store refuses the image's write once too, then the media store
	// comes back during the next attempt.
	b.store.refuse.Store(1)
	go func() { time.Sleep(300 * time.Millisecond); b.media.down.Store(false) }()
	id, err := b.acts.PaintImage(context.Background(), job)
	if err != nil {
		t.Fatalf("PaintImage after the media store came back: %v", err)
	}
	if n := b.images.TotalGenerations(); n != 1 {
		t.Errorf("the image was generated %d times, want once", n)
	}
	m, err := b.store.Media(context.Background(), id)
	if err != nil || m.Size == 0 {
		t.Fatalf("media %s: %+v, %v", id, m, err)
	}
	if _, err := b.store.PaidImage(context.Background(), id); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("the paid image still waits after its media row exists: %v", err)
	}
	st, err := b.store.GenerationStatus(context.Background(), b.ref.WorldID)
	if err != nil || st.CallsImages != 1 || st.ImageCostUSD != 0.002 {
		t.Errorf("status: %d image calls costing $%v (%v), want 1 and $0.002", st.CallsImages, st.ImageCostUSD, err)
	}
}

// Answers that stay invalid are asked of the fallback model, and a list
// still invalid is asked for in halves; only then does an item fail, named.
func TestInvalidListsHealByFallbackThenSplit(t *testing.T) {
	// Every answer for more than two characters at once is cut off.
	b := newBench(t, fakeprovider.OpenRouterOptions{Decide: func(body []byte) fakeprovider.Fault {
		if bytesContain(body, `"name":"cast_plan"`) && !bytesContain(body, "exactly 1 characters") && !bytesContain(body, "exactly 2 characters") {
			return fakeprovider.FaultTruncated
		}
		return fakeprovider.FaultNone
	}}, "fallback/model-b")
	if err := b.cast(t); err != nil {
		t.Fatalf("the cast did not heal: %v", err)
	}
	if n := len(b.castPlan(t).Characters); n != 4 {
		t.Fatalf("%d characters, want 4", n)
	}
	var seen []string
	for _, c := range b.ledger(t) {
		if c.Step != "cast_plan" {
			continue
		}
		switch {
		case c.Outcome == generia.OutcomeInvalid:
			seen = append(seen, "invalid:"+c.Model)
		case len(c.Repairs) > 0:
			seen = append(seen, "ok:"+joinRepairs(c.Repairs))
		default:
			seen = append(seen, "ok")
		}
	}
	primary := "invalid:" + primaryModel
	want := []string{primary, primary, primary, "invalid:fallback/model-b", "ok:split", "ok:split"}
	if joinRepairs(seen) != joinRepairs(want) {
		t.Errorf("cast calls %v, want %v", seen, want)
	}

	// A single item that stays invalid fails, saying which and why.
	b2 := newBench(t, fakeprovider.OpenRouterOptions{Decide: func(body []byte) fakeprovider.Fault {
		if bytesContain(body, `"name":"cast_plan"`) {
			return fakeprovider.FaultRefusal
		}
		return fakeprovider.FaultNone
	}})
	err := b2.cast(t)
	if err == nil || !contains(err.Error(), "item 1 of 4") || !contains(err.Error(), "the model refused") {
		t.Errorf("err = %v; want the first character named and the refusal", err)
	}
}

func bytesContain(b []byte, s string) bool { return strings.Contains(string(b), s) }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func joinRepairs(r []string) string { return strings.Join(r, " ") }
