package pipeline

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/generia/generia/internal/generia"
)

// Application error types. Those in nonRetryable end an activity at once;
// those in fatal also stop the whole world, since no other item could
// succeed either.
const (
	errStopped      = "GenerationStopped"
	errLimit        = "LimitReached"
	errInvalid      = "InvalidRequest"
	errUnauthorized = "ProviderUnauthorized"
	errOutOfCredits = "OutOfCredits"
	errBadAnswer    = "InvalidAnswer"
	errNoProvider   = "ProviderNotConfigured"
	errNotFound     = "NotFound"
	errUnavailable  = "Unavailable"
	errVerifyFailed = "VerificationFailed"
	errWorldGone    = "WorldGone" // a world's life ends with its world
	// errRefused is content a provider refused (its moderation, a
	// guardrail, a content filter, an image it would not paint): asking the
	// same again cannot help; the item is made again under a new take, and
	// fails only itself, never the world.
	errRefused = "ContentRefused"
)

var nonRetryable = []string{errStopped, errLimit, errInvalid, errUnauthorized, errOutOfCredits, errBadAnswer, errNoProvider, errNotFound, errWorldGone, errRefused}

var fatal = map[string]bool{errStopped: true, errLimit: true, errUnauthorized: true, errOutOfCredits: true, errNoProvider: true, errNotFound: true}

// storeError turns a store error into an activity error: stopped and limit
// errors are final, anything else is retried; nil stays nil.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	switch generia.ErrorKind(err) {
	case generia.KindStopped:
		return temporal.NewNonRetryableApplicationError(generia.ErrorMessage(err), errStopped, err)
	case generia.KindLimit:
		return temporal.NewNonRetryableApplicationError(generia.ErrorMessage(err), errLimit, err)
	case generia.KindNotFound:
		return temporal.NewNonRetryableApplicationError(generia.ErrorMessage(err), errNotFound, err)
	case generia.KindInvalid:
		return temporal.NewNonRetryableApplicationError(generia.ErrorMessage(err), errInvalid, err)
	}
	return temporal.NewApplicationErrorWithCause(err.Error(), errUnavailable, err)
}

// providerError turns a provider error into an activity error, by kind:
// requests retrying cannot fix, content the provider refused, bad keys and
// exhausted credits are final;
// anything else (rate limits, timeouts, 5xx) is retried with backoff, after
// the delay the provider asked for, if any.
func providerError(provider string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := generia.ErrorMessage(err)
	if msg == "internal error" {
		msg = provider + ": " + err.Error()
	}
	switch generia.ErrorKind(err) {
	case generia.KindInvalid:
		return temporal.NewNonRetryableApplicationError(msg, errInvalid, err)
	case generia.KindRefused:
		return temporal.NewNonRetryableApplicationError(msg, errRefused, err)
	case generia.KindUnauthorized, generia.KindForbidden:
		return temporal.NewNonRetryableApplicationError(msg+" (check the provider's API key)", errUnauthorized, err)
	}
	var pe *generia.ProviderError
	isProvider := errors.As(err, &pe)
	if generia.ErrorKind(err) == generia.KindLimit {
		if !isProvider {
			msg = provider + " is out of credits: " + msg
		}
		return temporal.NewNonRetryableApplicationError(msg, errOutOfCredits, err)
	}
	var delay time.Duration
	if isProvider {
		delay = min(pe.RetryAfter, maxRetryAfter)
	}
	return temporal.NewApplicationErrorWithOptions(msg, errUnavailable, temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: delay})
}

// maxRetryAfter caps a provider's Retry-After.
const maxRetryAfter = 5 * time.Minute

// errorType returns the application error type in an activity error chain.
func errorType(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Type()
	}
	return ""
}

// publicReason is why a step failed as anyone may read it: the class of its
// error, named for the provider or store it came from, never a provider's
// own words, which may echo a key or name a private address. Generia's own
// refusals (limits, budgets, a provider not configured) are safe and kept.
func publicReason(err error) string {
	source := "the store"
	var actErr *temporal.ActivityError
	if errors.As(err, &actErr) {
		switch actErr.ActivityType().Name {
		case "DescribeWorld", "PromptWorldImages", "PlanCast", "DetailCharacter", "PlanPosts", "DetailPost":
			source = "the text provider"
		case "PaintImage":
			source = "the image provider"
		case "CheckPrompt", "CheckText", "CheckImage":
			source = "the moderation service"
		}
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		switch appErr.Type() {
		case errLimit, errNoProvider, errStopped, errNotFound:
			return appErr.Message()
		case errUnauthorized:
			return source + " refused the API key"
		case errOutOfCredits:
			return source + " is out of credits"
		case errBadAnswer:
			return "the text model's answers stayed invalid"
		case errInvalid:
			return source + " refused the request"
		case errRefused:
			return source + " refused the content, as often as it was asked"
		case errUnavailable:
			return source + " was unavailable"
		}
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return source + " did not answer in time"
	}
	return "an internal error"
}

// errorMessage returns the most useful message of an activity error chain:
// the application error's own message, without the SDK's wrapping.
func errorMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	var timeoutErr *temporal.TimeoutError
	if errors.As(err, &timeoutErr) {
		return "timed out: " + timeoutErr.Error()
	}
	return err.Error()
}
