package pipeline

import (
	"context"
	"errors"
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
