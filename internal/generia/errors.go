package generia

import (
	"errors"
	"fmt"
)

// Kind classifies an error so that every layer can react to it the same way:
// the HTTP API maps kinds to statuses in one place, the pipeline decides from
// the kind whether retrying can help.
type Kind string

// The error kinds.
const (
	KindInternal     Kind = "internal"
	KindNotFound     Kind = "not_found"
	KindInvalid      Kind = "invalid"
	KindConflict     Kind = "conflict"
	KindUnauthorized Kind = "unauthorized"
	KindForbidden    Kind = "forbidden"
	KindUnavailable  Kind = "unavailable"
	// KindLimit means a per-world limit (calls, budget) would be exceeded.
	KindLimit Kind = "limit"
	// KindStopped means the world's generation has ended (cancelled, failed or
	// completed) and takes no more work.
	KindStopped Kind = "stopped"
	// KindTooLarge means a request's body is larger than it may be.
	KindTooLarge Kind = "too_large"
	// KindRefused means content was refused by a moderation check or a
	// provider's content policy: asking again with the same content cannot
	// help (a generated item is regenerated or held; a person is told why).
	KindRefused Kind = "refused"
)

// Error is an error with a kind and a message that is safe to show to a
// client. The wrapped error carries the internal detail for logs.
type Error struct {
	Kind    Kind
	Message string
	// Field names the field of a request the error refuses, as the API
	// spells it ("caption", "display_name"), so that a form puts the
	// message beside it; "" when it is about the request as a whole.
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Message
	}
	if e.Message == "" {
		return e.Err.Error()
	}
	return e.Message + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error of the given kind with a formatted, client-safe
// message.
func Errorf(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns a KindInvalid *Error that refuses one field of a
// request, with a formatted, client-safe message that names the field as
// the API spells it ("caption must be at most …").
func FieldErrorf(field, format string, args ...any) error {
	return &Error{Kind: KindInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorField returns the field that the first *Error in err's chain
// refuses, or "" when it refuses none.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// WrapError returns an *Error of the given kind whose client-safe message is
// msg and whose cause is err.
func WrapError(kind Kind, err error, msg string) error {
	return &Error{Kind: kind, Message: msg, Err: err}
}

// ErrorKind returns the kind of the first *Error or *ProviderError in err's
// chain, or KindInternal when there is none.
func ErrorKind(err error) Kind {
	var e *Error
	var p *ProviderError
	switch {
	case errors.As(err, &e):
		return e.Kind
	case errors.As(err, &p):
		return p.Kind
	}
	return KindInternal
}

// ErrorMessage returns the client-safe message of the first *Error or
// *ProviderError in err's chain, or a generic message for internal errors.
func ErrorMessage(err error) string {
	var e *Error
	var p *ProviderError
	switch {
	case errors.As(err, &e) && e.Kind != KindInternal:
		return e.Message
	case errors.As(err, &p):
		return p.Error()
	}
	return "internal error"
}

// IsKind reports whether err has the given kind.
func IsKind(err error, kind Kind) bool { return ErrorKind(err) == kind }
