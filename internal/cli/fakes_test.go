package cli

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/moderation"
)

// lockedBuffer is a bytes.Buffer written by one goroutine and read by
// another.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestFakeProvidersServeModeration follows what `generia fake-providers`
// prints: the moderation settings it names reach a fake that flags by its
// markers, as /moderations and as a guard model.
func TestFakeProvidersServeModeration(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- runFakes(ctx, []string{"--addr", "127.0.0.1:0", "--key", "fake-key-123"}, config.Config{}, Env{Stdout: &out, Stderr: &out})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	re := regexp.MustCompile(`MODERATION_BASE_URL=(\S+) MODERATION_API_KEY=(\S+)`)
	var m []string
	for deadline := time.Now().Add(5 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		m = re.FindStringSubmatch(out.String())
	}
	if m == nil {
		t.Fatalf("no moderation settings printed:\n%s", out.String())
	}
	for _, backend := range []string{moderation.BackendOpenAI, moderation.BackendGuard} {
		mod, err := moderation.New(moderation.Config{Backend: backend, BaseURL: m[1], APIKey: m[2]})
		if err != nil {
			t.Fatal(err)
		}
		v, err := mod.CheckText(context.Background(), generia.TextCheck{Text: "they are " + fakeprovider.MarkerHate})
		if err != nil || !slices.Contains(v.Flagged, generia.CategoryHate) {
			t.Errorf("%s: %+v, %v", backend, v, err)
		}
	}
}
