package storetest

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// newCall returns a successful provider call of a world that cost cost.
func newCall(worldID, kind string, cost float64) generia.ProviderCall {
	return generia.ProviderCall{
		WorldID:   worldID,
		Key:       "character/1/detail",
		Step:      "character_detail",
		Kind:      kind,
		Provider:  "openrouter",
		Model:     "google/gemini-2.5-flash",
		Attempt:   1,
		TokensIn:  100,
		TokensOut: 20,
		CostUSD:   cost,
		Duration:  1500 * time.Millisecond,
		Outcome:   generia.OutcomeOK,
		CreatedAt: t0,
	}
}

// record records a call and fails the test on error.
func record(t *testing.T, s generia.Store, c generia.ProviderCall) {
	t.Helper()
	ok(t, s.RecordCall(t.Context(), c), "RecordCall")
}

// makeCall reserves a call of c's kind and, when the reservation succeeds,
// records c as the provider's answer, as the pipeline does. It returns the
// reservation's error.
func makeCall(t *testing.T, s generia.Store, c generia.ProviderCall) error {
	t.Helper()
	if err := s.ReserveCall(t.Context(), c.WorldID, c.Kind); err != nil {
		return err
	}
	record(t, s, c)
	return nil
}

// ledger reads a world's provider calls and fails the test on error.
func ledger(t *testing.T, s generia.Store, worldID string) []generia.ProviderCall {
	t.Helper()
	calls, err := s.ProviderCalls(t.Context(), worldID)
	ok(t, err, "ProviderCalls of "+worldID)
	return calls
}

// near compares costs, which are sums of floats.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// spent is the cost a status record accounts for.
func spent(st generia.GenerationStatus) float64 { return st.LLMCostUSD + st.ImageCostUSD }

// withBudget gives a new world a budget and room for many calls, so that only
// the budget limits them.
func withBudget(budget float64) func(*generia.World, *generia.GenerationStatus) {
	return func(_ *generia.World, st *generia.GenerationStatus) {
		st.BudgetUSD = budget
		st.CallLimitLLM, st.CallLimitImages = 1000, 1000
	}
}

// wantBudgetRefusal fails the test unless err is the KindLimit refusal of a
// budget, with a message that names the budget.
func wantBudgetRefusal(t *testing.T, err error, budget, what string) {
	t.Helper()
	wantKind(t, err, generia.KindLimit, what)
	if msg := generia.ErrorMessage(err); !strings.Contains(msg, "budget") || !strings.Contains(msg, budget) {
		t.Errorf("%s: message %q does not name the budget of %s", what, msg, budget)
	}
}

func testReserveCallLimit(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1", func(_ *generia.World, st *generia.GenerationStatus) {
		st.CallLimitLLM, st.CallLimitImages = 3, 2
	})
	cases := []struct {
		kind  string
		limit int
	}{
		{generia.CallLLM, 3},
		{generia.CallImage, 2},
	}
	for _, tc := range cases {
		t.Run(tc.kind, func(t *testing.T) {
			for i := range tc.limit {
				ok(t, s.ReserveCall(t.Context(), w.ID, tc.kind), fmt.Sprintf("ReserveCall %d", i+1))
			}
			err := s.ReserveCall(t.Context(), w.ID, tc.kind)
			wantKind(t, err, generia.KindLimit, "ReserveCall past the limit")
			if msg := generia.ErrorMessage(err); !strings.Contains(msg, fmt.Sprintf("limit of %d", tc.limit)) {
				t.Errorf("message %q does not name the limit of %d", msg, tc.limit)
			}
		})
	}
	st := status(t, s, w.ID)
	if st.CallsLLM != 3 || st.CallsImages != 2 {
		t.Errorf("LLM, image calls = %d, %d; want 3, 2", st.CallsLLM, st.CallsImages)
	}
	if st.Status != generia.StatusPending {
		t.Errorf("status = %s; reserving calls must not change it", st.Status)
	}
}

func testReserveCallInvalid(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	wantKind(t, s.ReserveCall(t.Context(), w.ID, "video"), generia.KindInvalid, "ReserveCall of an unknown kind")
	wantKind(t, s.ReserveCall(t.Context(), "w-nowhere", generia.CallLLM), generia.KindNotFound, "ReserveCall for an unknown world")
	if st := status(t, s, w.ID); st.CallsLLM != 0 || st.CallsImages != 0 {
		t.Errorf("LLM, image calls = %d, %d; want none", st.CallsLLM, st.CallsImages)
	}
}

func testReserveCallConcurrent(t *testing.T, s generia.Store) {
	const limit, callers = 20, 50
	w, _ := newWorld(t, s, "w1", func(_ *generia.World, st *generia.GenerationStatus) { st.CallLimitLLM = limit })
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { errs[i] = s.ReserveCall(t.Context(), w.ID, generia.CallLLM) })
	}
	wg.Wait()
	reserved, limited := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			reserved++
		case generia.IsKind(err, generia.KindLimit):
			limited++
		default:
			t.Errorf("ReserveCall: unexpected error %v", err)
		}
	}
	if reserved != limit || limited != callers-limit {
		t.Errorf("%d reserved and %d limited, want %d and %d", reserved, limited, limit, callers-limit)
	}
	if st := status(t, s, w.ID); st.CallsLLM != limit {
		t.Errorf("LLM calls = %d, want %d", st.CallsLLM, limit)
	}
}

func testProviderCallsRoundTrip(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	other, _ := newWorld(t, s, "w2")
	empty, _ := newWorld(t, s, "w3")
	calls := []generia.ProviderCall{
		{
			WorldID: w.ID, Key: "world/description", Step: "world_description", Kind: generia.CallLLM,
			Provider: "openrouter", Model: "google/gemini-2.5-flash", Attempt: 1,
			TokensIn: 1200, TokensOut: 340, CostUSD: 0.001953125, Duration: 2345678 * time.Microsecond,
			Outcome: generia.OutcomeOK, Repairs: []string{"unfenced", "shortened"}, CreatedAt: at(time.Second),
		},
		{
			WorldID: w.ID, Key: "character/2/detail", Step: "character_detail", Kind: generia.CallLLM,
			Provider: "openrouter", Model: "google/gemini-2.5-flash", Attempt: 1,
			TokensIn: 800, TokensOut: 90, CostUSD: 0.0009765625, Duration: 987 * time.Millisecond,
			Outcome: generia.OutcomeInvalid, Error: "the answer has no bio", CreatedAt: at(2 * time.Second),
		},
		// Same time as the one before: the ledger keeps the order of recording.
		{
			WorldID: w.ID, Key: "character/2/detail", Step: "character_detail", Kind: generia.CallLLM,
			Provider: "openrouter", Model: "google/gemini-2.5-flash", Attempt: 2,
			Duration: 30 * time.Second, Outcome: generia.OutcomeError,
			Error: "openrouter: rate limited (HTTP 429)", CreatedAt: at(2 * time.Second),
		},
		{
			WorldID: w.ID, Key: "post/3/image", Step: "post_image", Kind: generia.CallImage,
			Provider: "runware", Model: "runware:100@1", Attempt: 1,
			CostUSD: 0.0625, Duration: 800 * time.Millisecond,
			Outcome: generia.OutcomeOK, CreatedAt: at(3 * time.Second),
		},
	}
	for i, c := range calls {
		record(t, s, c)
		if i == 1 {
			record(t, s, newCall(other.ID, generia.CallLLM, 1))
		}
	}
	same(t, "ledger", ledger(t, s, w.ID), calls)
	if got := ledger(t, s, other.ID); len(got) != 1 || got[0].WorldID != other.ID {
		t.Errorf("ledger of the other world = %s, want its one call", show(got))
	}
	if got := ledger(t, s, empty.ID); len(got) != 0 {
		t.Errorf("ledger of a world without calls = %s, want it empty", show(got))
	}

	// A call without a time is stamped when it is recorded.
	c := newCall(w.ID, generia.CallImage, 0.25)
	c.CreatedAt = time.Time{}
	record(t, s, c)
	got := ledger(t, s, w.ID)
	if len(got) != len(calls)+1 || got[len(got)-1].CreatedAt.IsZero() {
		t.Errorf("ledger after a call without a time = %s; want it last, with a time", show(got))
	}
}

func testRecordCallTotals(t *testing.T, s generia.Store) {
	w, initial := newWorld(t, s, "w1")
	calls := []generia.ProviderCall{
		{Kind: generia.CallLLM, TokensIn: 1000, TokensOut: 200, CostUSD: 0.25, Duration: 2 * time.Second},
		{Kind: generia.CallLLM, TokensIn: 10, TokensOut: 2, CostUSD: 0.5, Duration: 1500 * time.Millisecond},
		{Kind: generia.CallImage, CostUSD: 0.125, Duration: 4 * time.Second},
		{Kind: generia.CallImage, TokensIn: 5, CostUSD: 0.125, Duration: 250 * time.Millisecond},
		{Kind: generia.CallImage, Duration: 750 * time.Millisecond},
	}
	for _, c := range calls {
		c.WorldID, c.Outcome, c.CreatedAt = w.ID, generia.OutcomeOK, at(time.Minute)
		record(t, s, c)
	}
	st := status(t, s, w.ID)
	got := []any{st.TokensIn, st.TokensOut, st.LLMCostUSD, st.ImageCostUSD}
	want := []any{int64(1015), int64(202), 0.75, 0.25}
	same(t, "tokens in, out, LLM cost, image cost", got, want)
	same(t, "calls done and the time they took", []any{st.LLMCallsDone, st.LLMBusy, st.ImageCallsDone, st.ImageBusy},
		[]any{2, 3500 * time.Millisecond, 3, 5 * time.Second})
	// Calls are counted when they are reserved, not when they are recorded.
	if st.CallsLLM != 0 || st.CallsImages != 0 || st.Status != initial.Status {
		t.Errorf("LLM, image calls, status = %d, %d, %s; want 0, 0, %s unchanged", st.CallsLLM, st.CallsImages, st.Status, initial.Status)
	}
	if n := len(ledger(t, s, w.ID)); n != len(calls) {
		t.Errorf("ledger has %d calls, want %d", n, len(calls))
	}
	// Calls that failed or were answered unusably are done, and counted
	// apart: their steps are still to do.
	for _, c := range []generia.ProviderCall{
		{Kind: generia.CallLLM, Outcome: generia.OutcomeError, Error: "HTTP 502", Duration: 300 * time.Millisecond},
		{Kind: generia.CallLLM, Outcome: generia.OutcomeInvalid, Error: "no JSON", CostUSD: 0.25, Duration: 2 * time.Second},
		{Kind: generia.CallImage, Outcome: generia.OutcomeError, Error: "HTTP 429", Duration: 100 * time.Millisecond},
	} {
		c.WorldID, c.CreatedAt = w.ID, at(2*time.Minute)
		record(t, s, c)
	}
	st = status(t, s, w.ID)
	same(t, "calls done, failed and the time they took", []any{st.LLMCallsDone, st.LLMCallsFailed, st.LLMBusy, st.LLMFailedBusy,
		st.ImageCallsDone, st.ImageCallsFailed, st.ImageBusy, st.ImageFailedBusy},
		[]any{4, 2, 5800 * time.Millisecond, 2300 * time.Millisecond, 4, 1, 5100 * time.Millisecond, 100 * time.Millisecond})
}

func testRecordCallAfterEnd(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	ok(t, s.ReserveCall(t.Context(), w.ID, generia.CallLLM), "ReserveCall")
	ok(t, s.RequestCancel(t.Context(), w.ID, at(time.Minute)), "RequestCancel")
	// The call reserved before the cancel answers after it: it is paid for.
	record(t, s, newCall(w.ID, generia.CallLLM, 0.5))
	_, err := s.FinishGeneration(t.Context(), w.ID, generia.StatusCancelled, "", "", at(time.Hour))
	ok(t, err, "FinishGeneration")
	record(t, s, newCall(w.ID, generia.CallImage, 0.25))

	st := status(t, s, w.ID)
	if st.LLMCostUSD != 0.5 || st.ImageCostUSD != 0.25 || st.TokensIn != 200 {
		t.Errorf("LLM cost, image cost, tokens in = %v, %v, %d; want 0.5, 0.25, 200", st.LLMCostUSD, st.ImageCostUSD, st.TokensIn)
	}
	if st.Status != generia.StatusCancelled {
		t.Errorf("status = %s, want it kept cancelled", st.Status)
	}
	if n := len(ledger(t, s, w.ID)); n != 2 {
		t.Errorf("ledger has %d calls, want 2", n)
	}
}

func testRecordCallInvalid(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	cases := []struct {
		name string
		edit func(*generia.ProviderCall)
	}{
		{"unknown kind", func(c *generia.ProviderCall) { c.Kind = "video" }},
		{"no world", func(c *generia.ProviderCall) { c.WorldID = "" }},
		{"unknown outcome", func(c *generia.ProviderCall) { c.Outcome = "maybe" }},
		{"negative cost", func(c *generia.ProviderCall) { c.CostUSD = -0.5 }},
		{"negative tokens", func(c *generia.ProviderCall) { c.TokensOut = -1 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newCall(w.ID, generia.CallLLM, 0.5)
			tc.edit(&c)
			wantKind(t, s.RecordCall(t.Context(), c), generia.KindInvalid, "RecordCall")
		})
	}
	wantKind(t, s.RecordCall(t.Context(), newCall("w-nowhere", generia.CallLLM, 0.5)), generia.KindNotFound, "RecordCall for an unknown world")
	if got := ledger(t, s, w.ID); len(got) != 0 {
		t.Errorf("ledger after refused calls = %s, want it empty", show(got))
	}
	if st := status(t, s, w.ID); st.TokensIn != 0 || spent(st) != 0 {
		t.Errorf("tokens in, cost = %d, %v after refused calls; want none", st.TokensIn, spent(st))
	}
}

func testBudgetRoundTrip(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1", withBudget(0.75))
	if got := status(t, s, w.ID).BudgetUSD; got != 0.75 {
		t.Errorf("budget = %v, want 0.75", got)
	}
	free, _ := newWorld(t, s, "w2")
	if got := status(t, s, free.ID).BudgetUSD; got != 0 {
		t.Errorf("budget of a new status record = %v, want 0 (none)", got)
	}

	bad := generia.World{ID: "w-bad", Visibility: generia.VisibilityPublic, CreatedAt: t0}
	st := generia.NewGenerationStatus(bad, generia.NewPlan(1, 1))
	st.BudgetUSD = -1
	wantKind(t, s.CreateWorld(t.Context(), bad, st), generia.KindInvalid, "CreateWorld with a negative budget")
	_, err := s.World(t.Context(), bad.ID)
	wantKind(t, err, generia.KindNotFound, "World refused for its budget")
}

func testNoBudget(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1", func(_ *generia.World, st *generia.GenerationStatus) {
		st.CallLimitLLM, st.CallLimitImages = 3, 3
	})
	for range 3 {
		ok(t, makeCall(t, s, newCall(w.ID, generia.CallLLM, 100)), "a call of $100 without a budget")
	}
	ok(t, makeCall(t, s, newCall(w.ID, generia.CallImage, 100)), "an image call of $100 without a budget")
	err := s.ReserveCall(t.Context(), w.ID, generia.CallLLM)
	wantKind(t, err, generia.KindLimit, "ReserveCall past the call limit")
	if msg := generia.ErrorMessage(err); !strings.Contains(msg, "limit of 3") {
		t.Errorf("message %q does not name the limit of 3 calls", msg)
	}
}

func testBudgetRefuses(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1", withBudget(1))
	// $0.25 a call: the fourth call brings the cost to the budget exactly,
	// a fifth would exceed it.
	made := 0
	var err error
	for range 100 {
		if err = makeCall(t, s, newCall(w.ID, generia.CallLLM, 0.25)); err != nil {
			break
		}
		made++
	}
	wantBudgetRefusal(t, err, "$1.00", "ReserveCall past the budget")
	if made != 4 {
		t.Errorf("%d calls made within a budget of $1.00 at $0.25, want 4", made)
	}
	// The budget is spent: no call of any kind is made any more, even one
	// whose cost is not known yet.
	wantBudgetRefusal(t, s.ReserveCall(t.Context(), w.ID, generia.CallImage), "$1.00", "an image call after the budget is spent")

	st := status(t, s, w.ID)
	if spent(st) != 1 || st.CallsLLM != 4 || st.CallsImages != 0 {
		t.Errorf("cost, LLM calls, image calls = %v, %d, %d; want 1, 4, 0 (refused calls are not counted)", spent(st), st.CallsLLM, st.CallsImages)
	}
}

func testBudgetAverage(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1", withBudget(1))
	ok(t, makeCall(t, s, newCall(w.ID, generia.CallLLM, 0.5)), "the first LLM call")
	// Failed calls cost nothing and do not lower the average of a paid
	// call, which stays $0.50.
	for range 2 {
		failed := newCall(w.ID, generia.CallLLM, 0)
		failed.Outcome, failed.Error, failed.TokensIn, failed.TokensOut = generia.OutcomeError, "timeout", 0, 0
		ok(t, makeCall(t, s, failed), "a failed LLM call")
	}
	ok(t, makeCall(t, s, newCall(w.ID, generia.CallImage, 0.125)), "the first image call")
	// Spent $0.625: one more LLM call at $0.50 would exceed $1.00, one more
	// image call at $0.125 would not.
	wantBudgetRefusal(t, s.ReserveCall(t.Context(), w.ID, generia.CallLLM), "$1.00", "an LLM call over the budget")
	ok(t, s.ReserveCall(t.Context(), w.ID, generia.CallImage), "an image call within the budget")

	st := status(t, s, w.ID)
	if spent(st) != 0.625 || st.CallsLLM != 3 || st.CallsImages != 2 {
		t.Errorf("cost, LLM calls, image calls = %v, %d, %d; want 0.625, 3, 2", spent(st), st.CallsLLM, st.CallsImages)
	}
}

func testBudgetInFlight(t *testing.T, s generia.Store) {
	// Three calls are kept in flight, as three workers would: each is
	// reserved while the others have not answered yet.
	const budget, cost, inFlight = 1.0, 0.25, 3
	w, _ := newWorld(t, s, "w1", withBudget(budget))
	pending, refused := 0, false
	reserve := func() {
		err := s.ReserveCall(t.Context(), w.ID, generia.CallLLM)
		switch {
		case err == nil:
			pending++
		case generia.IsKind(err, generia.KindLimit):
			refused = true
		default:
			t.Fatalf("ReserveCall: %v", err)
		}
	}
	for !refused && pending < inFlight {
		reserve()
	}
	for pending > 0 {
		pending--
		record(t, s, newCall(w.ID, generia.CallLLM, cost))
		if !refused {
			reserve()
		}
	}
	if !refused {
		t.Fatal("the budget never refused a call")
	}
	st := status(t, s, w.ID)
	if got, most := spent(st), budget+(inFlight-1)*cost; got < budget || got > most {
		t.Errorf("spent $%v; want at least the budget of $%v and at most $%v (the calls in flight)", got, budget, most)
	}
	if n := len(ledger(t, s, w.ID)); n != st.CallsLLM {
		t.Errorf("ledger has %d calls, %d reserved; want every reserved call recorded", n, st.CallsLLM)
	}
}

func testBudgetConcurrent(t *testing.T, s generia.Store) {
	const budget, cost, workers = 2.0, 0.125, 8
	w, _ := newWorld(t, s, "w1", withBudget(budget))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			for range 1000 {
				if errs[i] = s.ReserveCall(t.Context(), w.ID, generia.CallLLM); errs[i] != nil {
					return
				}
				if err := s.RecordCall(t.Context(), newCall(w.ID, generia.CallLLM, cost)); err != nil {
					t.Errorf("RecordCall: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		wantBudgetRefusal(t, err, "$2.00", "the last reservation of a worker")
	}
	st := status(t, s, w.ID)
	if got, most := spent(st), budget+(workers-1)*cost; got < budget || got > most {
		t.Errorf("spent $%v; want at least the budget of $%v and at most $%v (the calls in flight)", got, budget, most)
	}
	calls := ledger(t, s, w.ID)
	if len(calls) != st.CallsLLM || spent(st) != float64(len(calls))*cost {
		t.Errorf("ledger has %d calls, %d reserved, $%v spent; want every reserved call recorded at $%v", len(calls), st.CallsLLM, spent(st), cost)
	}
}

func testRecentCallCost(t *testing.T, s generia.Store) {
	w1, _ := newWorld(t, s, "w1")
	w2, _ := newWorld(t, s, "w2")
	record(t, s, newCall(w1.ID, generia.CallLLM, 0.002))
	record(t, s, newCall(w2.ID, generia.CallLLM, 0.004))
	failed := newCall(w2.ID, generia.CallLLM, 0)
	failed.Outcome, failed.Error = generia.OutcomeError, "HTTP 503"
	record(t, s, failed) // free: left out of the average
	img := newCall(w1.ID, generia.CallImage, 0.0006)
	img.Provider = "runware"
	record(t, s, img)

	for _, tc := range []struct {
		kind, provider string
		want           generia.CallCost
	}{
		{generia.CallLLM, "openrouter", generia.CallCost{Calls: 2, AverageUSD: 0.003}},
		{generia.CallImage, "runware", generia.CallCost{Calls: 1, AverageUSD: 0.0006}},
		{generia.CallImage, "openrouter", generia.CallCost{}},
		{generia.CallLLM, "offline", generia.CallCost{}},
	} {
		got, err := s.RecentCallCost(t.Context(), tc.kind, tc.provider)
		ok(t, err, "RecentCallCost")
		if got.Calls != tc.want.Calls || !near(got.AverageUSD, tc.want.AverageUSD) {
			t.Errorf("%s calls of %s: %+v, want %+v", tc.kind, tc.provider, got, tc.want)
		}
	}
	_, err := s.RecentCallCost(t.Context(), "video", "openrouter")
	wantKind(t, err, generia.KindInvalid, "an unknown kind")

	// Only the latest calls count: an old price is forgotten.
	for range generia.RecentCallsCounted {
		record(t, s, newCall(w1.ID, generia.CallLLM, 0.01))
	}
	got, err := s.RecentCallCost(t.Context(), generia.CallLLM, "openrouter")
	ok(t, err, "RecentCallCost")
	if got.Calls != generia.RecentCallsCounted || !near(got.AverageUSD, 0.01) {
		t.Errorf("after %d calls at $0.01: %+v", generia.RecentCallsCounted, got)
	}
}

func testSaveAnswer(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	c := newCall(w.ID, generia.CallLLM, 0.002)
	c.Key, c.Repairs = "cast/0", []string{"unfenced", "trimmed"}
	g := generia.Artifact{Key: "cast/0", Step: "cast_plan", Prompt: "Plan 3.", Output: []byte(`{"characters":[]}`), Provider: "openrouter", Model: c.Model, CreatedAt: t0}
	ok(t, s.SaveAnswer(t.Context(), c, g), "SaveAnswer")
	got, err := s.Artifact(t.Context(), w.ID, "cast/0")
	ok(t, err, "Generation")
	g.WorldID = w.ID
	same(t, "artifact saved with its call", got, g)
	same(t, "ledger", ledger(t, s, w.ID), []generia.ProviderCall{c})
	st := status(t, s, w.ID)
	if st.AnswersRepaired != 1 || !near(st.LLMCostUSD, 0.002) || st.TokensIn != c.TokensIn {
		t.Errorf("status after a repaired answer: repaired %d, cost %v, tokens %d", st.AnswersRepaired, st.LLMCostUSD, st.TokensIn)
	}

	// The same artifact answered again (a race of two workers): the call is
	// recorded, since it was paid, and the first artifact kept.
	again := c
	again.Repairs = nil
	other := g
	other.Output = []byte(`{"characters":[{"name":"x"}]}`)
	ok(t, s.SaveAnswer(t.Context(), again, other), "SaveAnswer again")
	got, _ = s.Artifact(t.Context(), w.ID, "cast/0")
	same(t, "artifact kept", got, g)
	if n := len(ledger(t, s, w.ID)); n != 2 || status(t, s, w.ID).AnswersRepaired != 1 {
		t.Errorf("%d ledger rows and %d repaired, want 2 and 1", n, status(t, s, w.ID).AnswersRepaired)
	}

	// Nothing is half-written: an artifact the store refuses leaves no call,
	// a call it refuses leaves no artifact.
	bad := g
	bad.Key, bad.Output = "cast/1", []byte(`{not json`)
	if err := s.SaveAnswer(t.Context(), newCall(w.ID, generia.CallLLM, 1), bad); err == nil {
		t.Error("SaveAnswer of invalid JSON succeeded")
	}
	badCall := newCall(w.ID, generia.CallLLM, -1)
	good := g
	good.Key = "cast/2"
	wantKind(t, s.SaveAnswer(t.Context(), badCall, good), generia.KindInvalid, "SaveAnswer of a negative cost")
	if _, err := s.Artifact(t.Context(), w.ID, "cast/2"); !generia.IsKind(err, generia.KindNotFound) {
		t.Errorf("an artifact was saved without its call: %v", err)
	}
	if n := len(ledger(t, s, w.ID)); n != 2 {
		t.Errorf("refused answers left %d ledger rows, want 2", n)
	}
	wantKind(t, s.SaveAnswer(t.Context(), newCall("w-nowhere", generia.CallLLM, 0), good), generia.KindNotFound, "SaveAnswer of an unknown world")

	// Answers that could not be used are counted with what they cost.
	rejected := newCall(w.ID, generia.CallLLM, 0.003)
	rejected.Outcome, rejected.Error = generia.OutcomeInvalid, "the answer is empty"
	record(t, s, rejected)
	record(t, s, rejected)
	if st := status(t, s, w.ID); st.AnswersInvalid != 2 || !near(st.AnswersInvalidCostUSD, 0.006) || st.AnswersRepaired != 1 {
		t.Errorf("after two invalid answers: %d invalid for $%v, %d repaired; want 2 for $0.006, 1", st.AnswersInvalid, st.AnswersInvalidCostUSD, st.AnswersRepaired)
	}
}

func testSavePaidImage(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	c := newCall(w.ID, generia.CallImage, 0.01)
	img := generia.PaidImage{ID: "m-avatar", ContentType: "image/png", Data: []byte("\x89PNG fake bytes"), Model: "runware:100@1", CreatedAt: t0}
	ok(t, s.SavePaidImage(t.Context(), c, img), "SavePaidImage")
	got, err := s.PaidImage(t.Context(), "m-avatar")
	ok(t, err, "PaidImage")
	img.WorldID = w.ID
	same(t, "paid image", got, img)
	if st := status(t, s, w.ID); !near(st.ImageCostUSD, 0.01) || len(ledger(t, s, w.ID)) != 1 {
		t.Errorf("image cost %v with %d ledger rows, want 0.01 and 1", st.ImageCostUSD, len(ledger(t, s, w.ID)))
	}
	// Saved again, the first bytes stay.
	second := img
	second.Data = []byte("other")
	ok(t, s.SavePaidImage(t.Context(), c, second), "SavePaidImage again")
	got, _ = s.PaidImage(t.Context(), "m-avatar")
	same(t, "paid image kept", got, img)

	// Once its media row exists, it no longer waits.
	_, _, err = s.CreateMedia(t.Context(), generia.Media{ID: "m-avatar", WorldID: w.ID, Kind: generia.MediaCharacterAvatar,
		ContentType: "image/png", Size: int64(len(img.Data)), ObjectKey: "worlds/w1/m-avatar.png", CreatedAt: t0})
	ok(t, err, "CreateMedia")
	_, err = s.PaidImage(t.Context(), "m-avatar")
	wantKind(t, err, generia.KindNotFound, "PaidImage after CreateMedia")
	wantKind(t, s.SavePaidImage(t.Context(), c, generia.PaidImage{ID: "m-empty", ContentType: "image/png"}), generia.KindInvalid, "SavePaidImage without bytes")
	wantKind(t, s.SavePaidImage(t.Context(), newCall("w-nowhere", generia.CallImage, 0), img), generia.KindNotFound, "SavePaidImage of an unknown world")
}
