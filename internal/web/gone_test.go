package web

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/generia/generia/internal/auth"
)

// A client that goes away while its page is made is no server error: the
// log says so at debug, never as an ERROR.
func TestClientThatLeavesIsNotAnError(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var logs bytes.Buffer
	h, err := New(Options{Social: f.social, Sessions: &auth.Sessions{Store: f.store}, Limits: f.limits,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // gone before the store is asked
	for _, path := range []string{"/", "/worlds/tidewater", "/worlds/tidewater/posts/post-03", "/characters/" + f.chars[0].ID} {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil))
	}
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a client that went away is logged as an error:\n%s", logs.String())
	}
	if !strings.Contains(logs.String(), "client went away") {
		t.Errorf("a client that went away is not logged at debug:\n%s", logs.String())
	}
}
