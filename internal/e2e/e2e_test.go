// Package e2e runs Generia end to end: the real composition (app.Start) on
// a real embedded Temporal server, SQLite and media on disk, driven through
// the HTTP API.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	_ "image/png"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/pipeline"
	"github.com/generia/generia/internal/requesttest"
	"github.com/generia/generia/internal/temporalserver"
)

func startTemporal(o app.TemporalOptions, logger *slog.Logger) (app.TemporalServer, error) {
	srv, err := temporalserver.Start(temporalserver.Options{DataDir: o.DataDir, Addr: o.Addr, UIAddr: o.UIAddr, HTTPPort: o.HTTPPort,
		Namespace: o.Namespace, Logger: logger})
	if err != nil {
		return nil, err // not a nil *Server in a non-nil interface
	}
	return srv, nil
}

// stack is one running `generia up` over a data dir.
type stack struct {
	app    *app.App
	client *apiclient.Client
	cfg    config.Config
}

// settings of a test stack.
type settings struct {
	dataDir                string
	llmLatency, imgLatency time.Duration
	sample                 bool
	// env holds further settings, as environment variables.
	env map[string]string
	// logs, when set, gets the stack's log lines too.
	logs io.Writer
}

func start(t *testing.T, s settings) *stack {
	t.Helper()
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := s.env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DataDir = s.dataDir
	cfg.Addr = "127.0.0.1:0"
	cfg.TemporalAddr = "127.0.0.1:0"
	cfg.TemporalUIAddr = "off"
	cfg.NoSample = !s.sample
	cfg.OfflineLLMLatency = s.llmLatency
	cfg.OfflineImageLatency = s.imgLatency
	cfg.LogLevel = "warn"
	if _, set := s.env["GENERIA_NEWCOMER_HOURS"]; !set {
		// The tests' accounts are made for what each test checks, which is
		// not a newcomer's first day (the tier has tests of its own).
		cfg.NewcomerHours = 0
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var out io.Writer = newTestWriter(t)
	if s.logs != nil {
		out = io.MultiWriter(out, s.logs)
	}
	logger := slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: slog.LevelWarn}))
	roles := app.Roles{Embedded: true, API: true, Queues: pipeline.Queues, Sample: true, OperatorToken: true}
	a, err := app.Start(context.Background(), cfg, roles, startTemporal, logger)
	if err != nil {
		t.Fatalf("starting generia: %v", err)
	}
	token, err := os.ReadFile(filepath.Join(cfg.DataDir, app.OperatorTokenFile))
	if err != nil {
		t.Fatalf("operator token: %v", err)
	}
	return &stack{app: a, cfg: cfg, client: apiclient.New(a.URL, string(bytes.TrimSpace(token)))}
}

// testWriter writes a stack's log lines to its test's log until the test
// ends: work in the background (a first view being warmed, an activity
// cancelled as the stack stops) may log after that, and a test's log takes
// no lines then.
type testWriter struct {
	t    *testing.T
	mu   *sync.Mutex
	done *bool
}

func newTestWriter(t *testing.T) testWriter {
	w := testWriter{t: t, mu: new(sync.Mutex), done: new(bool)}
	t.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		*w.done = true
	})
	return w
}

func (w testWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !*w.done {
		w.t.Log(string(bytes.TrimRight(p, "\n")))
	}
	return len(p), nil
}

// waitFor polls a world's status until cond holds or the deadline passes.
func waitFor(t *testing.T, c *apiclient.Client, id string, timeout time.Duration, what string, cond func(apiclient.Status) bool) apiclient.Status {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st, err := c.Status(context.Background(), id)
		if err == nil && cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: last status %+v, error %v", what, st, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// createWorld asks for a world through c and fails the test if it is
// refused.
func createWorld(t *testing.T, c *apiclient.Client, nw apiclient.NewWorld) apiclient.World {
	t.Helper()
	w, err := c.CreateWorld(context.Background(), nw)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// waitEnd waits up to timeout for a world to end, however it ends.
func waitEnd(t *testing.T, c *apiclient.Client, id string, timeout time.Duration) apiclient.Status {
	t.Helper()
	return waitFor(t, c, id, timeout, "the end", apiclient.Status.Terminal)
}

// waitCompleted waits up to timeout for a world to end, and fails the test
// unless it completed.
func waitCompleted(t *testing.T, c *apiclient.Client, id string, timeout time.Duration) apiclient.Status {
	t.Helper()
	final := waitFor(t, c, id, timeout, "completion", apiclient.Status.Terminal)
	if final.Status != "completed" {
		t.Fatalf("world ended %s: %s", final.Status, final.Error)
	}
	return final
}

// waitForQuery polls a running generation's status query until cond holds.
func waitForQuery(t *testing.T, s *stack, id, what string, cond func(pipeline.QueryStatus) bool) pipeline.QueryStatus {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		q, err := s.app.Pipeline.Query(context.Background(), id)
		if err == nil && cond(q) {
			return q
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: last query %+v, error %v", what, q, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// contents reads every character and post of a world through the API.
func contents(t *testing.T, c *apiclient.Client, id string) ([]apiclient.Character, []apiclient.Post) {
	t.Helper()
	ctx := context.Background()
	chars := allPages(t, func(cursor string) ([]apiclient.Character, string, error) { return c.Characters(ctx, id, 7, cursor) })
	posts := allPages(t, func(cursor string) ([]apiclient.Post, string, error) { return c.Posts(ctx, id, 3, cursor) })
	return chars, posts
}

// allPages reads a list page by page, from the first cursor to the last.
func allPages[T any](t *testing.T, page func(cursor string) ([]T, string, error)) []T {
	t.Helper()
	var all []T
	for cursor := ""; ; {
		items, next, err := page(cursor)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, items...)
		if cursor = next; cursor == "" {
			return all
		}
	}
}

func TestWorldCompletesThroughTheAPI(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	defer s.app.Close()
	ctx := context.Background()

	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "A mountain monastery where monks brew weather in copper kettles", CharactersCount: 3, PostsCount: 10})
	if w.WorkflowID != "world-generation-"+w.ID {
		t.Errorf("workflow ID = %q", w.WorkflowID)
	}
	var events []apiclient.Status
	streamCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	final, err := s.client.Watch(streamCtx, w.ID, func(st apiclient.Status) { events = append(events, st) })
	if err != nil {
		t.Fatalf("status stream: %v", err)
	}
	if final.Status != "completed" {
		t.Fatalf("world ended %s: %s", final.Status, final.Error)
	}
	if len(events) < 3 {
		t.Errorf("the status stream sent %d events; want one per change", len(events))
	}
	for _, st := range final.Stages {
		if st.Status != "completed" {
			t.Errorf("stage %s is %s in a completed world", st.Name, st.Status)
		}
	}

	chars, posts := contents(t, s.client, w.ID)
	if len(chars) != 3 || len(posts) != 10 {
		t.Fatalf("world has %d characters and %d posts, want 3 and 10", len(chars), len(posts))
	}
	if final.CharactersCreated != len(chars) || final.PostsCreated != len(posts) || final.CharactersPredicted != 3 || final.PostsPredicted != 10 {
		t.Errorf("status counters %d/%d characters, %d/%d posts do not match the rows (%d, %d)",
			final.CharactersCreated, final.CharactersPredicted, final.PostsCreated, final.PostsPredicted, len(chars), len(posts))
	}
	wantLLM := 2 + 1 + 3 + 3 + 10 // description, image prompts, cast, profiles, post plans, posts
	if final.CallsLLM != wantLLM || final.CallsImages != 15 || final.ImagesCreated != 15 {
		t.Errorf("calls: %d LLM, %d images (%d stored); want %d, 15, 15", final.CallsLLM, final.CallsImages, final.ImagesCreated, wantLLM)
	}

	world, err := s.client.World(ctx, w.WorkflowID) // the workflow ID works as a reference too
	if err != nil {
		t.Fatal(err)
	}
	if world.Name == "" || world.Description == "" || len(world.Params) < 10 {
		t.Errorf("world lacks its generated description: %+v", world)
	}
	media := []string{world.HeaderMediaID, world.IconMediaID}
	ids := map[string]bool{}
	for _, c := range chars {
		media = append(media, c.AvatarMediaID)
		if ids[c.ID] || c.Username == "" || c.Bio == "" {
			t.Errorf("character %+v is duplicated or incomplete", c)
		}
		ids[c.ID] = true
	}
	for _, p := range posts {
		media = append(media, p.MediaID)
		if ids[p.ID] || p.Caption == "" || len(p.Hashtags) == 0 || p.DisplayName == "" {
			t.Errorf("post %+v is duplicated or incomplete", p)
		}
		ids[p.ID] = true
	}
	seen := map[string]bool{}
	for _, id := range media {
		if id == "" || seen[id] {
			t.Errorf("media ID %q missing or shared", id)
			continue
		}
		seen[id] = true
		data, ctype, err := s.client.Media(ctx, id)
		if err != nil {
			t.Errorf("media %s: %v", id, err)
			continue
		}
		if _, format, err := image.Decode(bytes.NewReader(data)); err != nil || "image/"+format != ctype {
			t.Errorf("media %s (%s) does not decode as its content type: %v", id, ctype, err)
		}
	}
	if len(seen) != 15 {
		t.Errorf("%d distinct images, want 15", len(seen))
	}

	recordHistory(t, s, w.WorkflowID, "world-3x10-completed-checks.json")

	// Temporal sees the workflow, as `temporal workflow show -w` would. The
	// status record says completed from the workflow's last activity, a
	// moment before the workflow itself closes: wait for it to close.
	closing, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := s.app.Temporal.GetWorkflow(closing, w.WorkflowID, "").Get(closing, nil); err != nil {
		t.Fatalf("the workflow did not end well: %v", err)
	}
	desc, err := s.app.Temporal.DescribeWorkflowExecution(ctx, w.WorkflowID, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := desc.WorkflowExecutionInfo.Status.String(); got != "Completed" {
		t.Errorf("Temporal says the workflow is %s", got)
	}
}

func TestCancelEndsTheWorldAndNothingFollows(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), llmLatency: 150 * time.Millisecond, imgLatency: 200 * time.Millisecond})
	defer s.app.Close()
	ctx := context.Background()
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "Night markets on a river of glass", CharactersCount: 3, PostsCount: 10})
	waitFor(t, s.client, w.ID, time.Minute, "the first character", func(st apiclient.Status) bool { return st.CharactersCreated >= 1 })
	// The workflow answers a status query with its own view. That view learns
	// of a character when the activity that stored it completes, after the
	// store's counter: wait for it rather than compare the two at one instant.
	q := waitForQuery(t, s, w.ID, "the first character in the workflow's view", func(q pipeline.QueryStatus) bool { return q.CharactersCreated >= 1 })
	if q.CharactersPlanned != 3 || q.PostsPlanned != 10 || len(q.Stages) != 6 {
		t.Errorf("status query = %+v", q)
	}
	if _, err := s.client.Cancel(ctx, w.ID); err != nil {
		t.Fatal(err)
	}
	atCancel, err := s.client.Status(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	final := waitFor(t, s.client, w.ID, time.Minute, "the cancelled end", func(st apiclient.Status) bool { return st.Terminal() })
	if final.Status != "cancelled" {
		t.Fatalf("world ended %s (%s), want cancelled", final.Status, final.Error)
	}
	// Wait past any activity that was in flight, then check nothing was
	// created or called after the cancel.
	time.Sleep(time.Second)
	later, err := s.client.Status(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if later.CharactersCreated != atCancel.CharactersCreated || later.PostsCreated != atCancel.PostsCreated ||
		later.CallsLLM != atCancel.CallsLLM || later.CallsImages != atCancel.CallsImages {
		t.Errorf("after the cancel: characters %d→%d, posts %d→%d, LLM calls %d→%d, image calls %d→%d",
			atCancel.CharactersCreated, later.CharactersCreated, atCancel.PostsCreated, later.PostsCreated,
			atCancel.CallsLLM, later.CallsLLM, atCancel.CallsImages, later.CallsImages)
	}
	recordHistory(t, s, w.WorkflowID, "world-3x10-cancelled-checks.json")
	chars, posts := contents(t, s.client, w.ID)
	if len(chars) != later.CharactersCreated || len(posts) != later.PostsCreated {
		t.Errorf("rows (%d characters, %d posts) differ from the status counters (%d, %d)", len(chars), len(posts), later.CharactersCreated, later.PostsCreated)
	}
	if _, err := s.client.Cancel(ctx, w.ID); err == nil {
		t.Errorf("cancelling an ended world succeeded")
	}
}

func TestGenerationSurvivesARestart(t *testing.T) {
	dir := t.TempDir()
	s := start(t, settings{dataDir: dir, llmLatency: 100 * time.Millisecond, imgLatency: 150 * time.Millisecond})
	ctx := context.Background()
	w, err := s.client.CreateWorld(ctx, apiclient.NewWorld{Prompt: "A desert railway whose trains are pulled by wind", CharactersCount: 3, PostsCount: 10})
	if err != nil {
		s.app.Close()
		t.Fatal(err)
	}
	mid := waitFor(t, s.client, w.ID, time.Minute, "some posts", func(st apiclient.Status) bool { return st.PostsCreated >= 2 })
	s.app.Close()
	if mid.Terminal() {
		t.Fatalf("the world ended before the restart; make it slower")
	}
	// Midway, with text and images answered, the status says how long is left.
	if mid.ETASeconds == nil || *mid.ETASeconds < 0 {
		t.Errorf("midway (%d characters, %d posts) the status gives no time left: %v", mid.CharactersCreated, mid.PostsCreated, mid.ETASeconds)
	}

	s2 := start(t, settings{dataDir: dir})
	defer s2.app.Close()
	final := waitFor(t, s2.client, w.ID, time.Minute, "completion after the restart", func(st apiclient.Status) bool { return st.Terminal() })
	if final.Status != "completed" {
		t.Fatalf("world ended %s after the restart: %s", final.Status, final.Error)
	}
	if final.ETASeconds != nil {
		t.Errorf("a completed world has %.1f s left", *final.ETASeconds)
	}
	chars, posts := contents(t, s2.client, w.ID)
	if len(chars) != 3 || len(posts) != 10 || final.CharactersCreated != 3 || final.PostsCreated != 10 {
		t.Fatalf("after the restart: %d characters, %d posts (status %d, %d); want exactly 3 and 10",
			len(chars), len(posts), final.CharactersCreated, final.PostsCreated)
	}
	seen := map[string]bool{}
	for _, p := range posts {
		key := p.CharacterID + "|" + p.Caption
		if seen[p.ID] || seen[key] {
			t.Errorf("duplicate post %s", p.ID)
		}
		seen[p.ID], seen[key] = true, true
	}
	worlds, _, err := s2.client.Worlds(ctx, 10, "")
	if err != nil || len(worlds) != 1 {
		t.Errorf("after the restart the catalog has %d worlds (%v), want the one", len(worlds), err)
	}
}

func TestFirstStartGeneratesTheSampleWorld(t *testing.T) {
	dir := t.TempDir()
	s := start(t, settings{dataDir: dir, sample: true})
	id := s.app.SampleWorldID
	if id == "" {
		s.app.Close()
		t.Fatal("no sample world on the first start")
	}
	final := waitFor(t, s.client, id, time.Minute, "the sample world", func(st apiclient.Status) bool { return st.Terminal() })
	if final.Status != "completed" || final.Providers.LLM != "offline" || final.Providers.Image != "offline" {
		t.Errorf("sample world: %s with providers %v", final.Status, final.Providers)
	}
	s.app.Close()
	s2 := start(t, settings{dataDir: dir, sample: true})
	defer s2.app.Close()
	if s2.app.SampleWorldID != "" {
		t.Errorf("a second start generated another sample world")
	}
	info, err := os.Stat(filepath.Join(dir, app.OperatorTokenFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("operator token file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
}

func TestBadInputCreatesNothing(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	defer s.app.Close()
	ctx := context.Background()
	long := strings.Repeat("a", 4001)
	cases := []struct {
		name   string
		body   string
		token  string
		status int
	}{
		{"empty prompt", `{"prompt": "  ", "characters_count": 3, "posts_count": 10}`, s.client.Token, 400},
		{"prompt too long", `{"prompt": "` + long + `", "characters_count": 3, "posts_count": 10}`, s.client.Token, 400},
		{"no characters", `{"prompt": "x", "characters_count": 0, "posts_count": 10}`, s.client.Token, 400},
		{"41 characters", `{"prompt": "x", "characters_count": 41, "posts_count": 10}`, s.client.Token, 400},
		{"251 posts", `{"prompt": "x", "characters_count": 3, "posts_count": 251}`, s.client.Token, 400},
		{"counts as text", `{"prompt": "x", "characters_count": "3", "posts_count": 10}`, s.client.Token, 400},
		{"bad visibility", `{"prompt": "x", "characters_count": 3, "posts_count": 3, "visibility": "secret"}`, s.client.Token, 400},
		{"malformed JSON", `{"prompt": "x", "characters_count": 3,`, s.client.Token, 400},
		{"empty body", ``, s.client.Token, 400},
		{"no token", `{"prompt": "x", "characters_count": 3, "posts_count": 10}`, "", 401},
		{"bad token", `{"prompt": "x", "characters_count": 3, "posts_count": 10}`, "not-a-token", 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := requesttest.Send(t, requesttest.Request{Method: "POST", URL: s.app.URL + "/api/v1/worlds", Body: tc.body,
				ContentType: "application/json", Bearer: tc.token})
			var body struct {
				Error struct{ Code, Message string } `json:"error"`
			}
			if err := json.NewDecoder(bytes.NewReader(a.Body)).Decode(&body); err != nil || a.Status != tc.status || body.Error.Message == "" {
				t.Errorf("got HTTP %d %+v (%v), want a %d JSON error", a.Status, body, err, tc.status)
			}
		})
	}
	for _, path := range []string{"/api/v1/worlds/nope", "/api/v1/worlds/nope/status", "/api/v1/worlds/nope/posts", "/api/v1/media/nope", "/api/v1/nothing"} {
		err := s.client.Do(ctx, "GET", path, nil, nil)
		if apiErr, ok := err.(*apiclient.Error); !ok || apiErr.Status != 404 || apiErr.Code != "not_found" {
			t.Errorf("GET %s: %v, want a 404 JSON error", path, err)
		}
	}
	worlds, _, err := s.client.Worlds(ctx, 10, "")
	if err != nil || len(worlds) != 0 {
		t.Errorf("bad requests created %d worlds (%v)", len(worlds), err)
	}
}

// recordHistory writes a workflow's history into the pipeline's testdata,
// for its replay test, when GENERIA_RECORD_HISTORY=1. After a deliberate,
// versioned change to the workflow, record under new names (the change's)
// and keep the old files: both kinds of run must replay.
func recordHistory(t *testing.T, s *stack, workflowID, name string) {
	t.Helper()
	if os.Getenv("GENERIA_RECORD_HISTORY") != "1" {
		return
	}
	ctx := context.Background()
	_ = s.app.Temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, nil) // wait for it to close
	hist := &historypb.History{}
	iter := s.app.Temporal.GetWorkflowHistory(ctx, workflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		hist.Events = append(hist.Events, ev)
	}
	b, err := temporalproto.CustomJSONMarshalOptions{Indent: " "}.Marshal(hist)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "pipeline", "testdata", name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %d events of %s in %s", len(hist.Events), workflowID, path)
}
