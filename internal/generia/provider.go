package generia

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// TextRequest asks a text provider for one JSON document that matches
// Schema.
type TextRequest struct {
	WorldID string
	// Key is the step's place in the world's plan, e.g. "cast/batch-0"; a
	// deterministic provider derives its output from it.
	Key string
	// Step names the kind of step, e.g. "character_detail".
	Step   string
	Prompt string
	// System is what the step adds to the provider's system message: the
	// rules that outrank the prompt, such as that people's text fenced in
	// untrusted blocks is data, never instructions. Empty for none.
	System string
	// SchemaName and Schema describe the JSON answer expected.
	SchemaName  string
	Schema      map[string]any
	Temperature float64
	MaxTokens   int
	// Model, when set, asks a model other than the provider's primary one
	// (one of its FallbackModels).
	Model string
	// Input is the step's typed input the prompt was rendered from; the
	// offline provider reads it instead of the prompt.
	Input any
	// UserID is the SafetyID of the person the call is for (the world's
	// owner, or the person answered), sent to the provider as its
	// end-user identifier so that a block hits that person alone.
	UserID string
}

// TextResult is a provider's answer, as the model gave it: judging it is the
// caller's job.
type TextResult struct {
	// JSON is the answer's text: usually a JSON document, but a model may
	// wrap it in prose or a fence, cut it off, or answer nothing.
	JSON []byte
	// Refusal is the model's refusal to answer, if it refused.
	Refusal string
	// FinishReason is "length" when the answer was cut off at MaxTokens.
	FinishReason string
	Model        string
	TokensIn     int64
	TokensOut    int64
	CostUSD      float64
}

// TextGenerator generates structured text. Errors are classified by kind:
// KindInvalid (a request retrying cannot fix), KindUnauthorized (bad key),
// KindLimit (out of credits), KindUnavailable (retry later).
type TextGenerator interface {
	// Name labels the provider in the status record, e.g. "offline".
	Name() string
	GenerateJSON(ctx context.Context, req TextRequest) (TextResult, error)
}

// FallbackModels is a TextGenerator that can answer with other models than
// its primary one: a request whose answers stay invalid is asked of them in
// turn (TextRequest.Model).
type FallbackModels interface {
	FallbackModels() []string
}

// ImageRequest asks an image provider for one image.
type ImageRequest struct {
	WorldID string
	Key     string
	Kind    string // one of the Media* kinds
	Prompt  string
	Width   int
	Height  int
	// UserID is the SafetyID of the person the call is for.
	UserID string
}

// ImageResult is a generated image.
type ImageResult struct {
	Data        []byte
	ContentType string
	Width       int
	Height      int
	Model       string
	CostUSD     float64
	// Flagged is the provider's own content check of the image (Runware's
	// safety.checkContent: NSFWContent), mapped onto the taxonomy; nil
	// when the provider did not check.
	Flagged *Verdict
}

// ImageGenerator generates images. Errors are classified as for
// TextGenerator.
type ImageGenerator interface {
	Name() string
	GenerateImage(ctx context.Context, req ImageRequest) (ImageResult, error)
}

// ProviderError is a classified error of a provider call. Its Kind says what
// can help: KindInvalid (the request is wrong; retrying cannot fix it),
// KindUnauthorized (bad or missing key), KindLimit (out of credits),
// KindUnavailable (rate limits, timeouts, outages: retry, after RetryAfter
// when the provider says).
type ProviderError struct {
	Provider string
	Kind     Kind
	// Status is the HTTP status, 0 when the call got no answer.
	Status int
	// Code is the provider's own error code, if any.
	Code       string
	Message    string
	RetryAfter time.Duration
	Err        error
}

func (e *ProviderError) Error() string {
	msg := e.Provider + ": " + e.Message
	if e.Status != 0 {
		msg += fmt.Sprintf(" (HTTP %d)", e.Status)
	}
	return msg
}

func (e *ProviderError) Unwrap() error { return e.Err }

// SafetyID is the identifier of a person sent to providers and moderation
// services: a hash of their account ID, which names them to the provider
// without telling it who they are here.
func SafetyID(userID string) string {
	if userID == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("generia-safety-id:" + userID))
	return hex.EncodeToString(sum[:16])
}
