package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/cli"
	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/pipeline"
)

// The roles run as separate parts: the Temporal server alone, the API, and
// workers split over the queues (two of them on the provider queues), as
// `generia temporal`, `generia api` and `generia worker --queues …` do.
func TestSplitRolesGenerateAWorld(t *testing.T) {
	dir := t.TempDir()
	logger := testLogger(t, slog.LevelWarn)
	base := onOwnTemporal(t, dir, logger, func(cfg *config.Config) { cfg.LogLevel = "warn" })
	var apps []*app.App
	defer func() {
		for i := len(apps) - 1; i >= 0; i-- {
			apps[i].Close()
		}
	}()
	for _, roles := range []app.Roles{
		{Queues: []string{"ai-worker-main", "ai-worker-progress", "ai-worker-services"}},
		{Queues: []string{"ai-worker-llm", "ai-worker-images"}},
		{Queues: []string{"ai-worker-llm", "ai-worker-images"}},
		{API: true, OperatorToken: true},
	} {
		a, err := app.Start(context.Background(), base, roles, nil, logger)
		if err != nil {
			t.Fatalf("starting %+v: %v", roles, err)
		}
		apps = append(apps, a)
	}
	api := apps[len(apps)-1]
	s := &stack{app: api, client: apiclient.New(api.URL, token(t, dir)), cfg: base}
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "Lighthouse keepers on a chain of volcanic islands", CharactersCount: 4, PostsCount: 12})
	final := waitEnd(t, s.client, w.ID, time.Minute)
	if final.Status != "completed" || final.CharactersCreated != 4 || final.PostsCreated != 12 {
		t.Fatalf("world ended %s with %d characters and %d posts: %s", final.Status, final.CharactersCreated, final.PostsCreated, final.Error)
	}
}

// The CLI, as a person runs it against a running `generia up`.
func TestCLI(t *testing.T) {
	dir := t.TempDir()
	s := start(t, settings{dataDir: dir})
	defer s.app.Close()
	run := func(args ...string) (string, int) {
		var out, errOut bytes.Buffer
		code := cli.Main(context.Background(), append(args, "--server", s.app.URL, "--data-dir", dir), cli.Env{Stdout: &out, Stderr: &errOut})
		if errOut.Len() > 0 {
			t.Logf("generia %s: stderr: %s", strings.Join(args, " "), errOut.String())
		}
		return out.String(), code
	}

	out, code := run("world", "create", "--prompt", "Beekeepers of a city on stilts", "--characters", "2", "--posts", "3", "--wait", "--json")
	if code != 0 {
		t.Fatalf("world create --wait exited %d: %s", code, out)
	}
	var st struct {
		WorldID           string `json:"world_id"`
		WorkflowID        string `json:"workflow_id"`
		Status            string `json:"status"`
		CharactersCreated int    `json:"users_created"`
		PostsCreated      int    `json:"posts_created"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("--json printed %q: %v", out, err)
	}
	if st.Status != "completed" || st.CharactersCreated != 2 || st.PostsCreated != 3 || st.WorkflowID != "world-generation-"+st.WorldID {
		t.Fatalf("final status %+v", st)
	}

	out, code = run("world", "status", st.WorkflowID)
	if code != 0 || !strings.Contains(out, "completed (100%)") || !strings.Contains(out, "Posts       3/3") ||
		!strings.Contains(out, "Life        ") || !strings.Contains(out, "at most 200 calls and $0.50 a day") {
		t.Errorf("world status by workflow ID (exit %d):\n%s", code, out)
	}
	out, code = run("world", "list")
	if code != 0 || !strings.Contains(out, st.WorldID) || !strings.Contains(out, "completed") {
		t.Errorf("world list (exit %d):\n%s", code, out)
	}
	out, code = run("world", "show", st.WorldID)
	if code != 0 || strings.Count(out, "\n    #") != 3 || !strings.Contains(out, "Characters\n") {
		t.Errorf("world show (exit %d) should list 2 characters and 3 posts with hashtags:\n%s", code, out)
	}
	out, code = run("world", "cancel", st.WorldID)
	if code == 0 {
		t.Errorf("cancelling a completed world exited 0: %s", out)
	}
	if _, code = run("world", "create", "--characters", "2"); code != 2 {
		t.Errorf("world create without a prompt exited %d, want 2 (usage)", code)
	}
	if _, code = run("world", "status", "no-such-world"); code != 1 {
		t.Errorf("status of an unknown world exited %d, want 1", code)
	}

	// A world that is cancelled makes --wait exit non-zero.
	slow := start(t, settings{dataDir: t.TempDir(), llmLatency: 200 * time.Millisecond})
	defer slow.app.Close()
	w := createWorld(t, slow.client, apiclient.NewWorld{Prompt: "A slow world", CharactersCount: 3, PostsCount: 10})
	go func() {
		time.Sleep(500 * time.Millisecond)
		_, _ = slow.client.Cancel(context.Background(), w.ID)
	}()
	var out2 bytes.Buffer
	code = cli.Main(context.Background(), []string{"world", "status", w.ID, "--watch", "--server", slow.app.URL, "--data-dir", slow.cfg.DataDir},
		cli.Env{Stdout: &out2, Stderr: &out2})
	if code == 0 || !strings.Contains(out2.String(), "cancelled") {
		t.Errorf("watching a cancelled world exited %d:\n%s", code, out2.String())
	}
}

func token(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, app.OperatorTokenFile))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// testLogger logs to the test's output from level up.
func testLogger(t *testing.T, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: level}))
}

// emptyEnvConfig is the configuration of an environment that sets nothing.
func emptyEnvConfig(t *testing.T) config.Config {
	t.Helper()
	cfg, err := config.FromEnv(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// onOwnTemporal starts an embedded Temporal server alone, its data in
// dir/temporal, stopped when the test ends, and returns the configuration
// of roles started apart against it: dir as their data dir, the API on a
// free port, then changed by set and validated.
func onOwnTemporal(t *testing.T, dir string, logger *slog.Logger, set func(*config.Config)) config.Config {
	t.Helper()
	srv, err := startTemporal(app.TemporalOptions{DataDir: filepath.Join(dir, "temporal"), Addr: "127.0.0.1:0", Namespace: "default"}, logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	cfg := emptyEnvConfig(t)
	cfg.DataDir, cfg.Addr, cfg.TemporalAddr = dir, "127.0.0.1:0", srv.Addr()
	set(&cfg)
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestUnknownNamespaceFailsAtStart(t *testing.T) {
	logger := testLogger(t, slog.LevelWarn)
	cfg := onOwnTemporal(t, t.TempDir(), logger, func(cfg *config.Config) { cfg.TemporalNamespace = "no-such-namespace" })
	a, err := app.Start(context.Background(), cfg, app.Roles{API: true}, nil, logger)
	if err == nil {
		a.Close()
		t.Fatal("started against a namespace that does not exist")
	}
	if !strings.Contains(err.Error(), `namespace "no-such-namespace" does not exist`) || !strings.Contains(err.Error(), "temporal operator namespace create") {
		t.Errorf("error = %v; want one that names the namespace and how to create it", err)
	}
}

// A second embedded Temporal on a port in use (another `generia up`, or a
// Temporal dev server) fails with an error that says so, instead of
// crashing the process.
func TestTemporalPortInUseFailsAtStart(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	logger := testLogger(t, slog.LevelError)
	cfg := emptyEnvConfig(t)
	cfg.DataDir, cfg.Addr, cfg.TemporalAddr, cfg.TemporalUIAddr = t.TempDir(), "127.0.0.1:0", l.Addr().String(), "off"
	roles := app.Roles{Embedded: true, API: true, Queues: pipeline.Queues, Sample: true, OperatorToken: true}
	a, err := app.Start(context.Background(), cfg, roles, startTemporal, logger)
	if err == nil {
		a.Close()
		t.Fatal("started on a port in use")
	}
	if msg := err.Error(); !strings.Contains(msg, "address already in use") || !strings.Contains(msg, l.Addr().String()) || !strings.Contains(msg, "--temporal-addr") {
		t.Errorf("error = %v; want one naming the address in use and --temporal-addr", err)
	}
}
