package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/postgres"
	"github.com/generia/generia/internal/servicetest"
)

// The LLM provider answers 503 for a minute, then recovers: the world waits
// (retrying with backoff) and completes.
func TestWorldWaitsOutAProviderOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the one-minute outage test did not run")
	}
	outageEnds := time.Now().Add(time.Minute)
	f := startFakes(t, fakeprovider.OpenRouterOptions{Decide: func([]byte) fakeprovider.Fault {
		if time.Now().Before(outageEnds) {
			return fakeprovider.Fault503
		}
		return fakeprovider.FaultNone
	}}, fakeprovider.RunwareOptions{})
	s := start(t, settings{dataDir: t.TempDir(), env: f.env})
	defer s.app.Close()
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "Lighthouse keepers during a long storm", CharactersCount: 2, PostsCount: 3})
	final := waitEnd(t, s.client, w.ID, 4*time.Minute)
	if final.Status != "completed" {
		t.Fatalf("world ended %s after the outage: %s", final.Status, final.Error)
	}
	if time.Now().Before(outageEnds) {
		t.Fatal("the world completed during the outage")
	}
	failed := 0
	for _, r := range f.llm.Requests() {
		if r.Status == 503 {
			failed++
		}
	}
	if failed < 5 {
		t.Errorf("only %d calls met the outage; the world should have retried through it", failed)
	}
	checkExact(t, s.client, w.ID, 2, 3)
}

// ownDB is a schema of the test database of this test's own, and a
// connection that can drop the store's connections to it.
type ownDB struct {
	url    string // the store's DATABASE_URL
	schema string
	app    string // the store's connections' application_name
	admin  *pgx.Conn
}

// ownSchema makes a schema for one test in GENERIA_TEST_DATABASE_URL, or
// skips the test without it (see servicetest); what names the test.
func ownSchema(t *testing.T, what string) ownDB {
	t.Helper()
	dbURL := servicetest.Env(t, "GENERIA_TEST_DATABASE_URL", what)
	ctx := context.Background()
	schema := fmt.Sprintf("e2e_%d", rand.Uint32())
	pg, err := postgres.Open(ctx, dbURL, postgres.Schema(schema))
	if err != nil {
		t.Fatal(err)
	}
	pg.Close()
	admin, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
		admin.Close(ctx)
	})
	db := ownDB{app: "generia-" + schema, schema: schema, admin: admin}
	u, _ := url.Parse(dbURL)
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("application_name", db.app)
	u.RawQuery = q.Encode()
	db.url = u.String()
	return db
}

// PostgreSQL drops every connection of the store a few times during a
// world: activities retry, and nothing is lost or duplicated.
func TestStoreConnectionsDroppedMidWorld(t *testing.T) {
	ctx := context.Background()
	db := ownSchema(t, "the dropped-connection test")

	s := start(t, settings{dataDir: t.TempDir(), llmLatency: 100 * time.Millisecond, imgLatency: 150 * time.Millisecond,
		env: map[string]string{"DATABASE_URL": db.url}})
	defer s.app.Close()
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "Miners who map a singing cave", CharactersCount: 3, PostsCount: 10})
	waitFor(t, s.client, w.ID, time.Minute, "the first character", func(st apiclient.Status) bool { return st.CharactersCreated >= 1 })
	dropped := 0
	for range 3 {
		var n int
		// Only this test's connections: other packages' tests share the database.
		err := db.admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, db.app).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		dropped += n
		time.Sleep(time.Second)
	}
	if dropped == 0 {
		t.Fatal("no store connection was dropped")
	}
	final := waitEnd(t, s.client, w.ID, 2*time.Minute)
	if final.Status != "completed" {
		t.Fatalf("world ended %s after %d dropped connections: %s", final.Status, dropped, final.Error)
	}
	checkExact(t, s.client, w.ID, 3, 10)
}

// 20 worlds of 3/10 generated at once on one machine: all complete, none
// duplicated.
func TestTwentyWorldsAtOnce(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{"GENERIA_WORLD_RATE": "100/1h"}})
	defer s.app.Close()
	ctx := context.Background()
	ids := make([]string, 20)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	started := time.Now()
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := s.client.CreateWorld(ctx, apiclient.NewWorld{Prompt: fmt.Sprintf("World number %d of a crowded sky", i), CharactersCount: 3, PostsCount: 10})
			ids[i] = w.ID
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range ids {
		// Each item's check doubles the activities of a world: 20 at once
		// on two loaded cores take minutes (about six in CI; a machine
		// busy with more than this test takes longer, and the bound is
		// only there to end a stuck run).
		final := waitEnd(t, s.client, id, 15*time.Minute)
		if final.Status != "completed" {
			t.Errorf("world %s ended %s: %s", id, final.Status, final.Error)
			continue
		}
		checkExact(t, s.client, id, 3, 10)
	}
	t.Logf("20 worlds of 3/10 in %v", time.Since(started).Round(100*time.Millisecond))
}

// PostgreSQL drops the store's connections right as the providers answer,
// so the worker's next write after a paid call meets a dead connection:
// the paid answers and images are written again, never bought again.
func TestStoreDropsItsConnectionsAfterPaidCalls(t *testing.T) {
	ctx := context.Background()
	db := ownSchema(t, "the dropped-connection test")

	var mu sync.Mutex
	var calls, dropped int
	drop := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost {
				mu.Lock()
				if calls++; calls%3 == 0 {
					var n int
					if err := db.admin.QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`, db.app).Scan(&n); err == nil {
						dropped += n
					}
				}
				mu.Unlock()
			}
			h.ServeHTTP(w, r)
		})
	}
	f := &fakes{
		llm:    fakeprovider.NewOpenRouter(fakeprovider.OpenRouterOptions{APIKey: fakeKey}),
		images: fakeprovider.NewRunware(fakeprovider.RunwareOptions{APIKey: fakeKey, CostPerImage: 0.001}),
	}
	llmSrv, imgSrv := httptest.NewServer(drop(f.llm)), httptest.NewServer(drop(f.images))
	t.Cleanup(llmSrv.Close)
	t.Cleanup(imgSrv.Close)
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{"DATABASE_URL": db.url,
		"OPENROUTER_API_KEY": fakeKey, "OPENROUTER_BASE_URL": llmSrv.URL + "/api/v1",
		"RUNWARE_API_KEY": fakeKey, "RUNWARE_BASE_URL": imgSrv.URL + "/v1"}})
	defer s.app.Close()
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "Ropemakers of a harbour without ships", CharactersCount: 3, PostsCount: 10})
	waitCompleted(t, s.client, w.ID, 2*time.Minute)
	mu.Lock()
	n := dropped
	mu.Unlock()
	if n == 0 {
		t.Fatal("no store connection was dropped")
	}
	checkExact(t, s.client, w.ID, 3, 10)
	rows := checkPaidOnce(t, s.app.Store, f, w.ID, 3, 10)
	if made := f.calls(); made != rows {
		t.Errorf("the fakes answered %d calls, the ledger holds %d", made, rows)
	}
	t.Logf("%d connections dropped over %d provider calls", n, rows)
}
