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
	"github.com/generia/generia/internal/generia"
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

// leavingLife is a world's life read by a client that goes away meanwhile:
// reading it cancels the request, and fails as a cancelled read does.
type leavingLife struct {
	fakeLife
	leave context.CancelFunc
}

func (l *leavingLife) Life(ctx context.Context, id string) (generia.LifeView, error) {
	l.leave()
	return generia.LifeView{}, ctx.Err()
}

// A client that goes away while its world page reads the world's life is
// no warning either: the page's reader has gone, nothing failed.
func TestClientThatLeavesWhileTheLifeIsReadIsNoWarning(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.social.Life = &leavingLife{fakeLife: fakeLife{settings: map[string]generia.LifeSettings{}}, leave: cancel}
	var logs bytes.Buffer
	h, err := New(Options{Social: f.social, Sessions: &auth.Sessions{Store: f.store}, Limits: f.limits,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(ctx, http.MethodGet, "/worlds/tidewater", nil))
	if ctx.Err() == nil {
		t.Fatal("the page never read the world's life")
	}
	if strings.Contains(logs.String(), "level=WARN") || strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("a client that went away while the life was read is logged as a warning or an error:\n%s", logs.String())
	}
}
