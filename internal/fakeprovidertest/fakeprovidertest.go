// Package fakeprovidertest serves the fake providers on loopback for the
// tests of the real clients and of what calls them: each fake on an
// httptest server of its own, closed when the test ends.
package fakeprovidertest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/generia/generia/internal/fakeprovider"
)

// Runware serves a fake Runware made with o until the test ends.
func Runware(tb testing.TB, o fakeprovider.RunwareOptions) (*fakeprovider.Runware, *httptest.Server) {
	tb.Helper()
	fake := fakeprovider.NewRunware(o)
	return fake, serve(tb, fake)
}

// OpenRouter serves a fake OpenRouter made with o until the test ends.
func OpenRouter(tb testing.TB, o fakeprovider.OpenRouterOptions) (*fakeprovider.OpenRouter, *httptest.Server) {
	tb.Helper()
	fake := fakeprovider.NewOpenRouter(o)
	return fake, serve(tb, fake)
}

func serve(tb testing.TB, fake http.Handler) *httptest.Server {
	srv := httptest.NewServer(fake)
	tb.Cleanup(srv.Close)
	return srv
}
