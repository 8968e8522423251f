// Package bodylimit caps request bodies before anything reads them, so that
// no request can make the server buffer more than its route needs.
package bodylimit

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/generia/generia/internal/generia"
)

// Caps of the bodies Generia's routes take.
const (
	// Small caps JSON bodies and web forms without a file: the largest
	// field, a world's prompt, is 4,000 characters.
	Small = 64 << 10
	// Upload caps a body that carries one image (at most 8 MB) and a few
	// form fields.
	Upload = 8<<20 + Small
)

// Cap answers a request whose declared body is larger than limit with
// tooLarge at once, without reading it, and makes any read past limit of a
// body of unknown length fail (see Error). Requests without a body pass.
func Cap(limit int64, tooLarge func(http.ResponseWriter, *http.Request, error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			tooLarge(w, r, Error(limit))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(w, r)
	})
}

// Error is the KindTooLarge error of a body over limit.
func Error(limit int64) error {
	return generia.Errorf(generia.KindTooLarge, "the request body is larger than %s, the most this request takes", size(limit))
}

// Is reports whether err is a read past a Cap, and then returns its
// KindTooLarge error.
func Is(err error) (error, bool) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return Error(mb.Limit), true
	}
	return err, false
}

func size(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 20, "MB"}, {1 << 10, "KB"}} {
		if n >= u.size {
			return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/float64(u.size)), ".0") + " " + u.name
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
