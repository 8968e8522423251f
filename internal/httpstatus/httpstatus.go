// Package httpstatus maps error kinds to HTTP statuses, once, for the JSON
// API and the web UI alike (the client reads the kind from the answer's
// error code).
package httpstatus

import (
	"context"
	"errors"
	"net/http"

	"github.com/generia/generia/internal/generia"
)

// statuses are the HTTP statuses of the error kinds; any other kind is a
// server error.
var statuses = map[generia.Kind]int{
	generia.KindInvalid:      http.StatusBadRequest,
	generia.KindUnauthorized: http.StatusUnauthorized,
	generia.KindForbidden:    http.StatusForbidden,
	generia.KindNotFound:     http.StatusNotFound,
	generia.KindConflict:     http.StatusConflict,
	generia.KindStopped:      http.StatusConflict,
	generia.KindLimit:        http.StatusTooManyRequests,
	generia.KindTooLarge:     http.StatusRequestEntityTooLarge,
	generia.KindRefused:      http.StatusUnprocessableEntity,
	generia.KindUnavailable:  http.StatusServiceUnavailable,
}

// Of is the HTTP status of an error kind; the one place that says it.
func Of(kind generia.Kind) int {
	if status, ok := statuses[kind]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// ClientGone reports whether a request failed because its client went away
// (closed the connection, navigated off, gave up): its context is
// cancelled and the error says so. That is no server error, so it is
// logged at debug rather than as a failure.
func ClientGone(r *http.Request, err error) bool {
	return r.Context().Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, r.Context().Err()))
}
