package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
)

// An LLM step turns what a model answers into an artifact, healing what a
// real model gets wrong before it gives up on an item:
//
//  1. The answer is parsed with repairs (content.Step.Parse): a fenced or
//     prefixed document, a surplus, duplicate names, over-long texts,
//     missing fields.
//  2. An answer that stays invalid is asked again with the reason, twice;
//     then of each fallback model in turn (LLM_FALLBACK_MODELS).
//  3. A list (a cast batch, a post plan) that comes back short keeps what it
//     has and asks only for the missing items, naming the ones it has.
//  4. A list whose answers stay invalid is asked for in halves, down to one
//     item at a time.
//
// Every paid answer is stored with its ledger row in one transaction before
// anything else can fail, and a list's partial answers are stored as pieces,
// so a retried activity never pays for an answer it already has.

// maxAnswerTokens caps the token limit an answer cut off is asked again
// with.
const maxAnswerTokens = 16384

// errAnswers is the end of an item whose answers all stayed invalid.
type errAnswers struct {
	calls int
	last  error
}

func (e *errAnswers) Error() string {
	return fmt.Sprintf("%d answers were invalid, the last because %s", e.calls, generia.ErrorMessage(e.last))
}

// runStep runs one LLM step for one item: if the item's artifact exists it
// is done (a retry pays nothing); otherwise it asks the world's text
// provider, healing the answers as the comment above says, and stores the
// artifact.
func runStep[In, Out any](ctx context.Context, a *Activities, ref WorldRef, key string, step *content.Step[In, Out], input func() (In, error)) error {
	return runStepFrom(ctx, a, ref, nil, "", key, step, input)
}

// lifePurse is where a life step's calls count: a day of the world's life,
// under its ceilings, rather than the generation's limits.
type lifePurse struct {
	day      string
	settings generia.LifeSettings
}

// runStepFrom runs a step as runStep does, its calls counted in the life
// day of purse, or in the generation's status record when purse is nil, and
// made for the person who wrote the comment answering names, if a person
// did (see Activities.safetyID).
func runStepFrom[In, Out any](ctx context.Context, a *Activities, ref WorldRef, purse *lifePurse, answering, key string, step *content.Step[In, Out], input func() (In, error)) error {
	if _, err := a.Store.Artifact(ctx, ref.WorldID, key); err == nil {
		return nil
	} else if !generia.IsKind(err, generia.KindNotFound) {
		return storeError(err)
	}
	gen, ok := a.Text[ref.Provider]
	if !ok {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("the text provider %q of this world is not configured on this worker", ref.Provider), errNoProvider, nil)
	}
	in, err := input()
	if err != nil {
		return storeError(err)
	}
	user, err := a.safetyID(ctx, ref.WorldID, answering)
	if err != nil {
		return storeError(err)
	}
	r := &stepRun[In, Out]{a: a, worldID: ref.WorldID, key: key, step: step, gen: gen, purse: purse, user: user}
	if fb, ok := gen.(generia.FallbackModels); ok {
		r.fallbacks = fb.FallbackModels()
	}
	stop := heartbeat(ctx)
	defer stop()
	if step.IsList() {
		err = r.collect(ctx, in)
	} else {
		_, err = r.ask(ctx, in, nil, func(Out) string { return key })
	}
	var bad *errAnswers
	if errors.As(err, &bad) {
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s %s: %v", step.Name, key, err), errBadAnswer, bad.last)
	}
	return err
}

// stepRun is one item's step under way.
type stepRun[In, Out any] struct {
	a         *Activities
	worldID   string
	key       string
	step      *content.Step[In, Out]
	gen       generia.TextGenerator
	fallbacks []string
	invalid   int // answers found invalid so far
	// purse is the life day the calls count in; nil for a generation.
	purse *lifePurse
	// user is the SafetyID the calls are made for.
	user string
}

// reserve counts one call before it is made, where the step's calls count.
func (r *stepRun[In, Out]) reserve(ctx context.Context) error {
	if r.purse != nil {
		_, err := r.a.Store.ReserveLifeCall(ctx, r.worldID, r.purse.day, r.purse.settings)
		return err
	}
	return r.a.Store.ReserveCall(ctx, r.worldID, generia.CallLLM)
}

// collect makes a list step's artifact from as many answers as it takes:
// the pieces stored by earlier attempts first, then answers for the missing
// items, in smaller requests when answers stay invalid.
func (r *stepRun[In, Out]) collect(ctx context.Context, in In) error {
	want := r.step.Count(in)
	var have Out
	pieces := 0
	for ; ; pieces++ {
		piece, err := artifact[Out](ctx, r.a, r.worldID, r.pieceKey(pieces))
		if generia.IsKind(err, generia.KindNotFound) {
			break
		}
		if err != nil {
			return storeError(err)
		}
		r.step.Merge(&have, piece)
	}
	chunk := want
	for r.step.Items(have) < want {
		got := r.step.Items(have)
		k := min(chunk, want-got)
		sub := in
		var how []string
		if got > 0 || k < want {
			sub = r.step.Rest(in, have, k)
			if got > 0 && chunk == want {
				how = append(how, content.RepairToppedUp)
			}
			if chunk < want {
				how = append(how, content.RepairSplit)
			}
		}
		n := pieces
		complete := got == 0 && k == want
		out, err := r.ask(ctx, sub, how, func(out Out) string {
			if complete && r.step.Items(out) == want {
				return r.key
			}
			return r.pieceKey(n)
		})
		var bad *errAnswers
		if errors.As(err, &bad) && k > 1 {
			chunk = (k + 1) / 2
			r.a.log().Warn("answers stay invalid; asking for fewer items at once", "world_id", r.worldID, "key", r.key, "items", chunk, "error", err)
			continue
		}
		if errors.As(err, &bad) {
			return &errAnswers{calls: bad.calls, last: generia.WrapError(generia.KindInvalid, bad.last, fmt.Sprintf("item %d of %d: %s", got+1, want, generia.ErrorMessage(bad.last)))}
		}
		if err != nil {
			return err
		}
		if complete && r.step.Items(out) == want {
			return nil // stored as the artifact itself
		}
		r.step.Merge(&have, out)
		pieces++
	}
	return r.save(ctx, have)
}

func (r *stepRun[In, Out]) pieceKey(n int) string { return keyPiece(r.key, n) }

// keyPiece is the key of the nth piece of the list artifact at key.
func keyPiece(key string, n int) string { return fmt.Sprintf("%s/piece/%d", key, n) }

// save stores a list's artifact made of its pieces.
func (r *stepRun[In, Out]) save(ctx context.Context, out Out) error {
	data, err := json.Marshal(out)
	if err != nil {
		return err
	}
	g := generia.Artifact{WorldID: r.worldID, Key: r.key, Step: r.step.Name, Output: data, Provider: r.gen.Name(), CreatedAt: r.a.now()}
	return storeError(r.a.durably(ctx, "a list made of its pieces", func() error {
		_, err := r.a.Store.SaveArtifact(ctx, g)
		return err
	}))
}

// try is one way of asking: a model ("" for the primary one), with the
// reason the previous answer was rejected.
type try struct {
	model  string
	reason bool
}

// primaryTries is how many answers the primary model gives a request before
// the fallback models are asked: a model that answers nothing or refuses
// now and then usually answers the next time.
const primaryTries = 3

func (r *stepRun[In, Out]) tries() []try {
	out := []try{{"", false}}
	for range primaryTries - 1 {
		out = append(out, try{"", true})
	}
	for _, m := range r.fallbacks {
		out = append(out, try{m, true})
	}
	return out
}

// ask asks for one answer to in, trying again with the reason and then with
// each fallback model while the answers stay invalid. The first valid answer
// is stored, with its call and the repairs it needed plus how (how it was
// asked for), under keyFor(answer). Answers that all stay invalid give an
// *errAnswers; a provider's failure to answer gives its activity error.
func (r *stepRun[In, Out]) ask(ctx context.Context, in In, how []string, keyFor func(Out) string) (Out, error) {
	var zero Out
	req, err := r.step.Request(r.worldID, r.key, in)
	if err != nil {
		return zero, temporal.NewNonRetryableApplicationError(err.Error(), errInvalid, err)
	}
	req.UserID = r.user
	prompt, maxTokens := req.Prompt, req.MaxTokens
	var invalid error
	tries := r.tries()
	for i, t := range tries {
		req.Model, req.Prompt, req.MaxTokens = t.model, prompt, maxTokens
		if t.reason && invalid != nil {
			req.Prompt = prompt + "\nYour previous answer was rejected: " + generia.ErrorMessage(invalid) +
				". Answer again with one JSON object that matches the schema exactly.\n"
		}
		if err := r.reserve(ctx); err != nil {
			return zero, storeError(err)
		}
		started := time.Now()
		res, err := r.gen.GenerateJSON(ctx, req)
		call := generia.ProviderCall{
			WorldID: r.worldID, Key: r.key, Step: r.step.Name, Kind: generia.CallLLM, Provider: r.gen.Name(), Model: res.Model,
			Attempt: attempt(ctx), TokensIn: res.TokensIn, TokensOut: res.TokensOut, CostUSD: res.CostUSD,
			Duration: time.Since(started), Outcome: generia.OutcomeOK, CreatedAt: r.a.now(),
		}
		if r.purse != nil {
			call.LifeDay = r.purse.day
		}
		if call.Model == "" {
			call.Model = t.model
		}
		if err != nil {
			call.Outcome, call.Error = generia.OutcomeError, err.Error()
			r.a.recordCall(ctx, call)
			return zero, providerError(r.gen.Name(), err)
		}
		ans, err := r.judge(in, req, res)
		if err != nil {
			call.Outcome, call.Error, call.Repairs = generia.OutcomeInvalid, generia.ErrorMessage(err), ans.Repairs
			r.a.recordCall(ctx, call)
			invalid = err
			r.invalid++
			if res.FinishReason == "length" {
				maxTokens = min(2*max(maxTokens, 1024), maxAnswerTokens)
			}
			if i+1 < len(tries) {
				r.a.log().Info("an answer was invalid; asking again", "world_id", r.worldID, "key", r.key, "error", generia.ErrorMessage(err))
			}
			continue
		}
		call.Repairs = append(append([]string(nil), ans.Repairs...), how...)
		if t.model != "" {
			call.Repairs = append(call.Repairs, content.RepairFallbackModel)
		}
		data, err := json.Marshal(ans.Value)
		if err != nil {
			return zero, err
		}
		g := generia.Artifact{WorldID: r.worldID, Key: keyFor(ans.Value), Step: r.step.Name, Prompt: req.Prompt, Output: data,
			Provider: r.gen.Name(), Model: call.Model, CreatedAt: r.a.now()}
		r.a.observeCall(call)
		if err := r.a.durably(ctx, "a paid answer", func() error { return r.a.Store.SaveAnswer(ctx, call, g) }); err != nil {
			return zero, storeError(err)
		}
		return ans.Value, nil
	}
	return zero, &errAnswers{calls: r.invalid, last: invalid}
}

// judge turns a provider's answer into the step's value, or says why it
// cannot be used.
func (r *stepRun[In, Out]) judge(in In, req generia.TextRequest, res generia.TextResult) (content.Answer[Out], error) {
	switch {
	case res.FinishReason == "length":
		return content.Answer[Out]{}, generia.Errorf(generia.KindInvalid, "the answer was cut off at the limit of %d tokens; answer more briefly", req.MaxTokens)
	case len(strings.TrimSpace(string(res.JSON))) == 0 && res.Refusal != "":
		return content.Answer[Out]{}, generia.Errorf(generia.KindInvalid, "the model refused: %s", res.Refusal)
	}
	return r.step.Parse(in, res.JSON)
}

// durably runs a write that keeps what a provider was paid for, again and
// again while the store fails for a reason that may pass (a dropped
// connection, a database restarting, a media store away), until it succeeds
// or the activity ends: returning the error would make the retry pay again.
func (a *Activities) durably(ctx context.Context, what string, write func() error) error {
	wait := 50 * time.Millisecond
	for {
		err := write()
		switch {
		case err == nil:
			return nil
		case generia.IsKind(err, generia.KindInvalid), generia.IsKind(err, generia.KindNotFound), ctx.Err() != nil:
			return err
		}
		a.log().Warn("storing "+what+" failed; trying again", "error", err, "retry_in", wait)
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// Overpaid lists the items of a world that were paid for more than once,
// by its ledger and artifacts: an image generated twice, or an LLM answer
// accepted for an item that already had it (an item made of pieces accepts
// one answer per piece). It is how tests and the benchmark prove that
// faults never make a world pay twice.
func Overpaid(ctx context.Context, store generia.Store, worldID string) ([]string, error) {
	calls, err := store.ProviderCalls(ctx, worldID)
	if err != nil {
		return nil, err
	}
	accepted := map[string]int{}
	var keys []string
	for _, c := range calls {
		if c.Outcome != generia.OutcomeOK {
			continue
		}
		k := c.Kind + " " + c.Key
		if accepted[k] == 0 {
			keys = append(keys, k)
		}
		accepted[k]++
	}
	var out []string
	for _, k := range keys {
		want := 1
		if kind, key, _ := strings.Cut(k, " "); kind == generia.CallLLM {
			pieces := 0
			for ; ; pieces++ {
				_, err := store.Artifact(ctx, worldID, keyPiece(key, pieces))
				if generia.IsKind(err, generia.KindNotFound) {
					break
				}
				if err != nil {
					return nil, err
				}
			}
			want = max(1, pieces)
		}
		if accepted[k] > want {
			out = append(out, fmt.Sprintf("%s (%d answers for %d)", k, accepted[k], want))
		}
	}
	return out, nil
}
