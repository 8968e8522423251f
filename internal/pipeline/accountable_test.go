package pipeline

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
)

// seenImages is an image provider that remembers the requests it passed on.
type seenImages struct {
	generia.ImageGenerator
	mu   sync.Mutex
	reqs []generia.ImageRequest
}

func (s *seenImages) GenerateImage(ctx context.Context, req generia.ImageRequest) (generia.ImageResult, error) {
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.mu.Unlock()
	return s.ImageGenerator.GenerateImage(ctx, req)
}

// adasWorld stores a world of Ada's on the bench and returns its ref.
func adasWorld(t *testing.T, b *bench) WorldRef {
	t.Helper()
	ctx := context.Background()
	db := b.store.Store
	if _, err := db.CreateUser(ctx, generia.User{ID: "u-ada", Username: "ada", Email: "ada@example.com", CreatedAt: time.Now().UTC()}, "hash"); err != nil {
		t.Fatal(err)
	}
	return ownedWorld(t, db, "w-ada", "u-ada", generia.Providers{LLM: b.ref.Provider, Image: "runware"})
}

// Every call made for a world, text and image, carries its owner's
// SafetyID, so that a provider's block hits Ada and not the operator's key.
func TestCallsCarryTheOwnersSafetyID(t *testing.T) {
	b := newBench(t, fakeprovider.OpenRouterOptions{})
	images := &seenImages{ImageGenerator: b.acts.Images["runware"]}
	b.acts.Images["runware"] = images
	ref := adasWorld(t, b)
	ctx := context.Background()
	if err := b.acts.DescribeWorld(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if err := b.acts.PromptWorldImages(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := b.acts.PaintImage(ctx, ImageJob{WorldRef: WorldRef{WorldID: ref.WorldID, Provider: "runware"}, Kind: generia.MediaWorldHeader}); err != nil {
		t.Fatal(err)
	}
	want := generia.SafetyID("u-ada")
	users := b.llm.Users()
	if len(users) != 2 {
		t.Fatalf("%d LLM calls, want 2", len(users))
	}
	for i, u := range users {
		if u != want {
			t.Errorf("LLM call %d was made for %q, want Ada's %q", i, u, want)
		}
	}
	if len(images.reqs) != 1 || images.reqs[0].UserID != want {
		t.Errorf("image requests %+v, want one for Ada's %q", images.reqs, want)
	}
}

// A refused world description fails its item at once, without a retry and
// without stopping the world, and says why in words anyone may read.
func TestRefusedContentFailsOnlyItsItem(t *testing.T) {
	b := newBench(t, fakeprovider.OpenRouterOptions{Decide: func([]byte) fakeprovider.Fault { return fakeprovider.FaultModerated }})
	err := b.acts.DescribeWorld(context.Background(), b.ref)
	var app *temporal.ApplicationError
	if !errors.As(err, &app) || app.Type() != errRefused || !app.NonRetryable() {
		t.Fatalf("err = %v, want a non-retryable %s", err, errRefused)
	}
	if fatal[errRefused] {
		t.Error("a refused item stops the whole world")
	}
	if n := len(b.llm.Requests()); n != 1 {
		t.Errorf("%d requests for a refused description, want 1: fallbacks and repairs cannot change its content", n)
	}
	calls := b.ledger(t)
	if len(calls) != 1 || calls[0].Outcome != generia.OutcomeError {
		t.Errorf("ledger %+v, want the refused call recorded as an error", calls)
	}
}

// A character's reply to a person's comment is made for that person, and
// an action of the world's own for the world's owner.
func TestReplyIsMadeForTheCommentsWriter(t *testing.T) {
	b := newBench(t, fakeprovider.OpenRouterOptions{})
	ref := adasWorld(t, b)
	ctx := context.Background()
	db := b.store.Store
	now := time.Now().UTC()
	if err := b.acts.DescribeWorld(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateUser(ctx, generia.User{ID: "u-bob", Username: "bob", Email: "bob@example.com", CreatedAt: now}, "hash"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreateCharacter(ctx, generia.Character{ID: "c1", WorldID: ref.WorldID, Username: "mara", DisplayName: "Mara", Bio: "Mends nets.", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.CreatePost(ctx, generia.Post{ID: "p1", WorldID: ref.WorldID, CharacterID: "c1", Caption: "Nets again.", CreatedAt: now, Life: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddComment(ctx, generia.Comment{ID: "cm1", PostID: "p1", UserID: "u-bob", Text: "How are the nets, Mara?", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	step := LifeStep{WorldRef: ref, Day: generia.DayOf(now), Settings: generia.LifeSettings{Enabled: true, ActionsPerHour: 60, DailyCalls: 100, DailyBudgetUSD: 1}}
	reply := func(key, parentID string) string {
		t.Helper()
		st := step
		st.Key = key
		if _, err := b.acts.WriteReply(ctx, LifeReply{LifeStep: st, CharacterID: "c1", ParentID: parentID, PostID: "p1"}); err != nil {
			t.Fatal(err)
		}
		users := b.llm.Users()
		return users[len(users)-1]
	}
	if got, want := reply("life/reply/cm1", "cm1"), generia.SafetyID("u-bob"); got != want {
		t.Errorf("the reply to Bob's comment was made for %q, want Bob's %q", got, want)
	}
	if got, want := reply("life/"+step.Day+"/0", ""), generia.SafetyID("u-ada"); got != want {
		t.Errorf("a comment of the world's own was made for %q, want its owner Ada's %q", got, want)
	}
	if err := db.DeleteComment(ctx, "cm1"); err != nil {
		t.Fatal(err)
	}
	if got, want := reply("life/reply/cm1/again", "cm1"), generia.SafetyID("u-ada"); got != want {
		t.Errorf("a reply to a comment deleted since was made for %q, want the owner Ada's %q", got, want)
	}
}

// A refusal from either provider ends its activity at once as
// ContentRefused; an outage of the same provider is still retried.
func TestRefusalsAreNotRetried(t *testing.T) {
	refused := providerError("runware", &generia.ProviderError{Provider: "runware", Kind: generia.KindRefused, Status: 400, Code: "sensitiveContentDetected",
		Message: "Runware refused the content: blocked", RetryAfter: time.Minute})
	var app *temporal.ApplicationError
	if !errors.As(refused, &app) || app.Type() != errRefused || !app.NonRetryable() || app.NextRetryDelay() != 0 {
		t.Errorf("refusal: %v, want a non-retryable %s", refused, errRefused)
	}
	if !strings.Contains(app.Message(), "Runware refused the content") {
		t.Errorf("message %q does not say what was refused", app.Message())
	}
	outage := providerError("runware", &generia.ProviderError{Provider: "runware", Kind: generia.KindUnavailable, Status: 503})
	if !errors.As(outage, &app) || app.NonRetryable() {
		t.Errorf("outage: %v, want it retried", outage)
	}
	if !slices.Contains(nonRetryable, errRefused) || fatal[errRefused] {
		t.Error("ContentRefused must be non-retryable in every activity's policy, and fail only its item")
	}
}
