package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline"
	"github.com/generia/generia/internal/runware"
)

// Real models are sloppy: with 30% of the answers sloppy (wrong counts,
// fences, prose around the JSON, duplicate names, over-long texts, missing
// fields, wrong case, empty answers, refusals) and 10% of all calls failing
// with 429 or 5xx, worlds still complete with exactly their planned
// characters and posts, the repairs are in the ledger, and no answer or
// image is paid for twice.
func TestWorldsCompleteThroughASloppyModel(t *testing.T) {
	mix := []fakeprovider.Fault{fakeprovider.Fault429, fakeprovider.Fault500, fakeprovider.Fault502, fakeprovider.Fault503}
	sloppy := fakeprovider.NewFaults(12).SetRate(0.3, fakeprovider.SloppyFaults...)
	f := startFakes(t,
		fakeprovider.OpenRouterOptions{Faults: fakeprovider.NewFaults(11).SetRate(0.1, mix...), Sloppy: sloppy},
		fakeprovider.RunwareOptions{Faults: fakeprovider.NewFaults(13).SetRate(0.1, mix...)})
	s := start(t, settings{dataDir: t.TempDir(), env: f.env})
	defer s.app.Close()

	const worlds, chars, posts = 2, 6, 30
	var ids []string
	for i := range worlds {
		w := createWorld(t, s.client, apiclient.NewWorld{Prompt: fmt.Sprintf("Glassblowers of a desert city, generation %d", i+1), CharactersCount: chars, PostsCount: posts})
		ids = append(ids, w.ID)
	}
	repaired, ledgerRows := 0, 0
	for _, id := range ids {
		final := waitCompleted(t, s.client, id, 3*time.Minute)
		checkExact(t, s.client, id, chars, posts)
		ledgerRows += checkPaidOnce(t, s.app.Store, f, id, chars, posts)
		repaired += final.AnswersRepaired
	}
	injected := sloppy.Injected()
	t.Logf("%d answers repaired; sloppy answers injected: %v", repaired, injected)
	if repaired == 0 || len(injected) < 6 {
		t.Errorf("%d repaired answers with these sloppy faults injected: %v; want repairs of many kinds", repaired, injected)
	}
	if made := f.calls(); made != ledgerRows {
		t.Errorf("the fakes got %d calls, the ledgers hold %d: a paid call went unrecorded", made, ledgerRows)
	}
}

// checkPaidOnce checks that a world bought no answer and no image twice: the
// fake generated each image once, and each accepted LLM answer is the
// artifact of its item or one piece of a list's artifact. It returns the
// world's ledger size.
func checkPaidOnce(t *testing.T, s generia.Store, f *fakes, worldID string, chars, posts int) int {
	t.Helper()
	ctx := context.Background()
	images := []string{"world/header", "world/icon"}
	for pos, n := range generia.NewPlan(chars, posts).Posts {
		images = append(images, fmt.Sprintf("character/%d/avatar", pos))
		for i := range n {
			images = append(images, fmt.Sprintf("character/%d/post/%d/image", pos, i))
		}
	}
	for _, key := range images {
		if n := f.images.Generations(runware.TaskUUID(worldID, key)); n != 1 {
			t.Errorf("%s was generated %d times, want once", key, n)
		}
	}
	over, err := pipeline.Overpaid(ctx, s, worldID)
	if err != nil || len(over) > 0 {
		t.Errorf("paid for twice: %v (%v)", over, err)
	}
	calls, err := s.ProviderCalls(ctx, worldID)
	if err != nil {
		t.Fatal(err)
	}
	return len(calls)
}
