// Package httpstatus maps error kinds to HTTP statuses, once, for the JSON
// API and the web UI alike (the client reads the kind from the answer's
// error code).
package httpstatus

import (
	"net/http"

	"github.com/generia/generia/internal/generia"
)

// Of is the HTTP status of an error kind; the one place that says it.
func Of(kind generia.Kind) int {
	switch kind {
	case generia.KindInvalid:
		return http.StatusBadRequest
	case generia.KindUnauthorized:
		return http.StatusUnauthorized
	case generia.KindForbidden:
		return http.StatusForbidden
	case generia.KindNotFound:
		return http.StatusNotFound
	case generia.KindConflict, generia.KindStopped:
		return http.StatusConflict
	case generia.KindLimit:
		return http.StatusTooManyRequests
	case generia.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case generia.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
