package e2e

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/sqlite"
)

// gate stands in front of a fake provider and can hold its paid calls (the
// POSTs): a held call whose client goes away never reaches the provider, so
// it is never paid for. Downloads of generated images pass.
type gate struct {
	mu     sync.Mutex
	open   chan struct{} // closed while the gate is open
	inside atomic.Int32  // paid calls past the gate, not answered yet
}

func newGate() *gate {
	g := &gate{open: make(chan struct{})}
	close(g.open)
	return g
}

func (g *gate) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			h.ServeHTTP(w, r)
			return
		}
		// Read the body first: only then does the server watch the
		// connection, and end the request's context when its client dies.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		for {
			g.mu.Lock()
			open := g.open
			select {
			case <-open:
				g.inside.Add(1)
				g.mu.Unlock()
				defer g.inside.Add(-1)
				h.ServeHTTP(w, r)
				return
			default:
			}
			g.mu.Unlock()
			select {
			case <-open:
				if r.Context().Err() != nil {
					return // its client is gone: the provider never sees it
				}
			case <-r.Context().Done():
				return
			}
		}
	})
}

// hold stops new paid calls and waits until the ones under way are answered.
func (g *gate) hold(t *testing.T) {
	t.Helper()
	g.mu.Lock()
	g.open = make(chan struct{})
	g.mu.Unlock()
	deadline := time.Now().Add(30 * time.Second)
	for g.inside.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d provider calls still under way", g.inside.Load())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (g *gate) release() {
	g.mu.Lock()
	defer g.mu.Unlock()
	close(g.open)
}

// kill -9 of a worker while it is paying for answers and images, some of
// them sloppy: nothing paid for is lost and nothing is paid for twice. At
// the kill the providers hold every new call, and each answer the killed
// worker was paid for is in its store; the world completes with each image
// generated once, each accepted answer one item or piece, and every call
// the providers answered in the ledger.
func TestKilledWorkerPaysForNothingTwice(t *testing.T) {
	g := newGate()
	f := &fakes{
		llm: fakeprovider.NewOpenRouter(fakeprovider.OpenRouterOptions{APIKey: fakeKey, Latency: 100 * time.Millisecond,
			Sloppy: fakeprovider.NewFaults(21).SetRate(0.3, fakeprovider.SloppyFaults...)}),
		images: fakeprovider.NewRunware(fakeprovider.RunwareOptions{APIKey: fakeKey, Latency: 150 * time.Millisecond, CostPerImage: 0.001}),
	}
	llmSrv, imgSrv := httptest.NewServer(g.wrap(f.llm)), httptest.NewServer(g.wrap(f.images))
	t.Cleanup(llmSrv.Close)
	t.Cleanup(imgSrv.Close)
	c := startCluster(t, "OPENROUTER_API_KEY="+fakeKey, "OPENROUTER_BASE_URL="+llmSrv.URL+"/api/v1",
		"RUNWARE_API_KEY="+fakeKey, "RUNWARE_BASE_URL="+imgSrv.URL+"/v1")
	ctx := context.Background()
	const chars, posts = 6, 30
	w := createWorld(t, c.client, apiclient.NewWorld{Prompt: "Clockmakers of a city where time runs backwards on Sundays", CharactersCount: chars, PostsCount: posts})
	// The ledger is in the shared data dir; read it through a store of our
	// own on the same file.
	s, err := sqlite.Open(ctx, filepath.Join(c.dir, "generia.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	waitFor(t, c.client, w.ID, 2*time.Minute, "some posts", func(st apiclient.Status) bool { return st.PostsCreated >= 5 })
	g.hold(t)
	// The answers already given reach the workers' stores: wait until the
	// ledger holds every call the providers answered, then kill.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		calls, err := s.ProviderCalls(ctx, w.ID)
		if err == nil && len(calls) >= f.calls() {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the providers stopped, the ledger holds %d of the %d calls they answered (%v)", len(calls), f.calls(), err)
		}
	}
	c.workers[0].kill()
	time.Sleep(300 * time.Millisecond) // the server sees the dead worker's connections close
	g.release()
	waitCompleted(t, c.client, w.ID, 3*time.Minute)
	checkExact(t, c.client, w.ID, chars, posts)
	rows := checkPaidOnce(t, s, f, w.ID, chars, posts)
	if made := f.calls(); made != rows {
		t.Errorf("the fakes answered %d calls, the ledger holds %d: a paid call went unrecorded", made, rows)
	}
}
