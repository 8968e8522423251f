// Package offline provides the text and image generators Generia uses when no
// AI provider is configured. Everything is computed locally and
// deterministically: the text generator builds each step's answer from word
// banks, sentence templates and the person's idea, whose subject (idea.go)
// names the world and runs through its places, groups, people, posts and
// pictures; the image generator paints small procedural PNGs.
package offline

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
)

// ModelName is the model the offline generators report.
const ModelName = "offline"

// Text generates every LLM step's answer offline. It implements
// generia.TextGenerator.
type Text struct {
	latency time.Duration
}

// NewText returns a text generator that waits latency to twice latency
// before each answer (by the request, as real models vary), to make the
// pipeline's progress visible.
func NewText(latency time.Duration) *Text { return &Text{latency: latency} }

// Name returns "offline".
func (*Text) Name() string { return ModelName }

// GenerateJSON answers req from its typed Input, one of the content
// package's step inputs. The same request always gives the same bytes. An
// input of another type or with impossible counts gives KindInvalid; a
// context that ends while waiting gives its error.
func (t *Text) GenerateJSON(ctx context.Context, req generia.TextRequest) (generia.TextResult, error) {
	var out any
	switch in := req.Input.(type) {
	case content.WorldInput:
		out = worldDescription(in, req.WorldID, req.Key)
	case content.WorldImagesInput:
		out = worldImagePrompts(in, req.Key)
	case content.CastInput:
		if in.Count < 0 || in.Count > maxBatch {
			return generia.TextResult{}, generia.Errorf(generia.KindInvalid, "offline: a cast batch of %d characters", in.Count)
		}
		out = castPlan(in, req.Key)
	case content.CharacterInput:
		out = characterDetail(in, req.Key)
	case content.PostPlanInput:
		if in.Count < 0 || in.Count > maxBatch {
			return generia.TextResult{}, generia.Errorf(generia.KindInvalid, "offline: a post plan batch of %d posts", in.Count)
		}
		out = postPlan(in, req.Key)
	case content.PostInput:
		out = postDetail(in, req.Key)
	case content.ReplyInput:
		out = reply(in, req.Key)
	default:
		return generia.TextResult{}, generia.Errorf(generia.KindInvalid, "offline: step %q has an input of unsupported type %T", req.Step, req.Input)
	}
	data, err := json.Marshal(out)
	if err != nil {
		return generia.TextResult{}, fmt.Errorf("offline: encoding the %s answer: %w", req.Step, err)
	}
	if err := wait(ctx, spread(t.latency, req.WorldID, req.Key)); err != nil {
		return generia.TextResult{}, err
	}
	return generia.TextResult{
		JSON:      data,
		Model:     ModelName,
		TokensIn:  int64(len(req.Prompt) / 4),
		TokensOut: int64(len(data) / 4),
	}, nil
}

// maxBatch bounds the items one request may ask for; the banks run out of
// fresh names well after it.
const maxBatch = 500

// wait sleeps d, or less if ctx ends first.
// spread varies a latency as real providers do, from the latency to twice
// it, by the request: the same request always waits as long, and never
// less than the configured latency.
func spread(latency time.Duration, key ...string) time.Duration {
	return time.Duration(float64(latency) * (1 + float64(hashInt(1001, key...))/1000))
}

func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// seed hashes parts into a PCG generator, so that the same parts always give
// the same sequence.
func seed(parts ...string) *rand.Rand {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	sum := h.Sum(nil)
	return rand.New(rand.NewPCG(binary.LittleEndian.Uint64(sum[:8]), binary.LittleEndian.Uint64(sum[8:16])))
}

// pick returns a random element of xs, or the zero value when xs is empty.
func pick[T any](r *rand.Rand, xs []T) T {
	var zero T
	if len(xs) == 0 {
		return zero
	}
	return xs[r.IntN(len(xs))]
}

// pickN returns n distinct elements of xs in random order (all of them when
// n exceeds len(xs)).
func pickN[T any](r *rand.Rand, xs []T, n int) []T {
	idx := r.Perm(len(xs))
	out := make([]T, 0, min(n, len(xs)))
	for _, i := range idx[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

// shuffled returns a shuffled copy of xs.
func shuffled[T any](r *rand.Rand, xs []T) []T {
	return pickN(r, xs, len(xs))
}
