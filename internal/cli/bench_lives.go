package cli

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/google/uuid"
	enums "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"golang.org/x/sync/errgroup"
	_ "modernc.org/sqlite" // the Temporal server's own database, read for its pending timers

	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline"
)

// livesBench measures many worlds' lives on one worker process: the
// Temporal server runs in a child process of its own (`generia temporal`),
// so that what this process uses is the worker's (and its store's).
type livesBench struct {
	n       int
	watched bool
	// warmup is how long watched lives run before they are measured:
	// their first actions come 0.5 to 1.5 of the pace's interval after
	// they wake.
	warmup time.Duration
	window time.Duration
	chars  int
	posts  int
	out    io.Writer
}

// runLivesBench runs the lives benchmark over a fresh data dir.
func runLivesBench(ctx context.Context, cfg config.Config, env Env, b livesBench) error {
	dir, err := os.MkdirTemp("", "generia-bench-lives-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DataDir, cfg.Addr, cfg.TemporalUIAddr = dir, "127.0.0.1:0", "off"
	cfg.NoSample, cfg.LogLevel = true, "warn"
	temporal, err := startTemporalChild(ctx, dir)
	if err != nil {
		return err
	}
	defer temporal.stop()
	cfg.TemporalAddr = temporal.addr
	if err := cfg.Validate(); err != nil {
		return err
	}
	a, err := app.Start(ctx, cfg, app.Roles{Queues: pipeline.Queues}, nil, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	life := a.Pipeline.LifeDefaults
	fmt.Fprintf(b.out, "%d lives, %s, on one worker process (Temporal in a child process); providers %s/%s; pace %g actions/h, idle %v, ceilings %d calls and $%.2f a day; GOMAXPROCS %d\n",
		b.n, map[bool]string{true: "each watched", false: "none watched"}[b.watched], a.Providers.LLM, a.Providers.Image,
		life.Settings.ActionsPerHour, life.Idle, life.Settings.DailyCalls, life.Settings.DailyBudgetUSD, runtime.GOMAXPROCS(0))

	started := time.Now()
	var worlds []string
	if b.watched {
		worlds, err = generateWorlds(ctx, a, b.n, b.chars, b.posts)
	} else {
		worlds, err = bareWorlds(ctx, a, b.n)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "%d worlds made in %v\n", len(worlds), time.Since(started).Round(time.Millisecond))
	started = time.Now()
	// A server busy with thousands of new lives may time out a start: it
	// is tried again, as a person's request would be.
	var retried atomic.Int64
	if err := parallel(ctx, worlds, 8, func(id string) error {
		for attempt := 1; ; attempt++ {
			err := a.Pipeline.SetLife(ctx, id, life.Settings)
			if err == nil || attempt == 5 || ctx.Err() != nil {
				return err
			}
			retried.Add(1)
			if err := sleep(ctx, time.Duration(attempt)*time.Second); err != nil {
				return err
			}
		}
	}); err != nil {
		return err
	}
	if n := retried.Load(); n > 0 {
		fmt.Fprintf(b.out, "(%d starts timed out and were tried again)\n", n)
	}
	fmt.Fprintf(b.out, "%d lives started in %v (%.0f a second)\n", len(worlds), time.Since(started).Round(time.Millisecond),
		float64(len(worlds))/time.Since(started).Seconds())

	// Watched worlds are viewed as a reader of each would, every minute;
	// unwatched ones are left to fall asleep, then measured asleep.
	stopViews := func() {}
	if b.watched {
		viewCtx, cancel := context.WithCancel(ctx)
		stopViews = cancel
		go func() {
			for {
				for _, id := range worlds {
					a.Pipeline.Viewed(viewCtx, id)
				}
				select {
				case <-viewCtx.Done():
					return
				case <-time.After(time.Minute):
				}
			}
		}()
	} else {
		wait := life.Idle + 30*time.Second
		fmt.Fprintf(b.out, "waiting %v for every life to fall asleep…\n", wait)
		if err := sleep(ctx, wait); err != nil {
			return err
		}
		if err := waitAsleep(ctx, a, worlds, b.out); err != nil {
			return err
		}
	}
	defer stopViews()
	if b.watched && b.warmup > 0 {
		fmt.Fprintf(b.out, "warming up for %v…\n", b.warmup)
		if err := sleep(ctx, b.warmup); err != nil {
			return err
		}
	}

	before, err := sampleLives(ctx, a, temporal, worlds, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "at the start: %d lives' timers pending, %d history events, %d timer tasks in the server's store\n",
		before.lifeTimers, before.events, before.timers)
	fmt.Fprintf(b.out, "measuring for %v…\n", b.window)
	if err := sleep(ctx, b.window); err != nil {
		return err
	}
	after, err := sampleLives(ctx, a, temporal, worlds, dir)
	if err != nil {
		return err
	}
	after.report(b.out, before, len(worlds))
	return nil
}

// livesSample is what the lives have done and use at one moment.
type livesSample struct {
	at                     time.Time
	workerCPU, temporalCPU time.Duration
	workerRSS, temporalRSS int64 // bytes
	heap                   uint64
	goroutines             int
	running                int64
	timers                 int64
	// events and lifeTimers are the lives' history events, and the timers
	// they started and have not seen fire or cancelled, from their
	// histories.
	events, lifeTimers   int64
	llmCalls, imageCalls int
	costUSD              float64
	timerErr, countErr   error
}

func sampleLives(ctx context.Context, a *app.App, t *temporalChild, worlds []string, dir string) (livesSample, error) {
	s := livesSample{at: time.Now(), workerCPU: selfCPU(), workerRSS: rss("self"), goroutines: runtime.NumGoroutine()}
	s.temporalCPU, s.temporalRSS = procCPU(t.pid), rss(strconv.Itoa(t.pid))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.heap = ms.HeapInuse
	res, err := a.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
		Query: "WorkflowType = '" + pipeline.LifeWorkflowName + "' AND ExecutionStatus = 'Running'"})
	if err == nil {
		s.running = res.GetCount()
	}
	s.countErr = err
	s.timers, s.timerErr = pendingTimers(ctx, filepath.Join(dir, "temporal", "temporal.db"))
	var mu sync.Mutex
	err = parallel(ctx, worlds, 16, func(id string) error {
		events, timers, _, err := lifeHistory(ctx, a, id)
		mu.Lock()
		defer mu.Unlock()
		s.events, s.lifeTimers = s.events+events, s.lifeTimers+timers
		return err
	})
	if err != nil {
		return s, err
	}
	err = parallel(ctx, worlds, 8, func(id string) error {
		calls, err := a.Store.ProviderCalls(ctx, id)
		if err != nil {
			return err
		}
		var llm, images int
		var cost float64
		for _, c := range calls {
			if c.LifeDay == "" {
				continue // the world's generation
			}
			if c.Kind == generia.CallLLM {
				llm++
			} else {
				images++
			}
			cost += c.CostUSD
		}
		mu.Lock()
		defer mu.Unlock()
		s.llmCalls, s.imageCalls, s.costUSD = s.llmCalls+llm, s.imageCalls+images, s.costUSD+cost
		return nil
	})
	return s, err
}

func (s livesSample) report(w io.Writer, before livesSample, n int) {
	wall := s.at.Sub(before.at)
	cores := func(d time.Duration) float64 { return d.Seconds() / wall.Seconds() }
	llm, images := s.llmCalls-before.llmCalls, s.imageCalls-before.imageCalls
	cost := s.costUSD - before.costUSD
	fmt.Fprintf(w, "over %v:\n", wall.Round(time.Second))
	fmt.Fprintf(w, "  worker process:   %.1f%% of a core, RSS %d MB, Go heap %d MB, %d goroutines\n",
		100*cores(s.workerCPU-before.workerCPU), s.workerRSS>>20, s.heap>>20, s.goroutines)
	fmt.Fprintf(w, "  Temporal server:  %.1f%% of a core, RSS %d MB\n", 100*cores(s.temporalCPU-before.temporalCPU), s.temporalRSS>>20)
	if s.countErr == nil {
		fmt.Fprintf(w, "  running lives:    %d of %d\n", s.running, n)
	} else {
		fmt.Fprintf(w, "  running lives:    unknown (%v)\n", s.countErr)
	}
	fmt.Fprintf(w, "  lives' timers:    %d pending at the end (started and neither fired nor cancelled, from every life's history)\n", s.lifeTimers)
	fmt.Fprintf(w, "  history events:   %d new in the lives' histories (%d in all)\n", s.events-before.events, s.events)
	if s.timerErr == nil {
		fmt.Fprintf(w, "  timer tasks:      %d in the Temporal server's store (every kind: the lives' timers, and timeouts of tasks in flight)\n", s.timers)
	} else {
		fmt.Fprintf(w, "  timer tasks:      unknown (%v)\n", s.timerErr)
	}
	fmt.Fprintf(w, "  provider calls:   %d LLM, %d images, $%.4f (%.2f calls and $%.4f per world-hour)\n",
		llm, images, cost, float64(llm+images)/float64(n)/wall.Hours(), cost/float64(n)/wall.Hours())
	if llm+images > 0 {
		perCall := cost / float64(llm+images)
		fmt.Fprintf(w, "  per world-day, watched all day at this pace: %.0f calls, $%.3f (before the daily ceilings)\n",
			float64(llm+images)/float64(n)/wall.Hours()*24, perCall*float64(llm+images)/float64(n)/wall.Hours()*24)
	}
}

// lifeHistory reads a world's life history (every run of it, over
// continue-as-new): its events, its timers still pending, and whether it
// has settled (its last event a completed workflow task: nothing it was
// told waits to be handled).
func lifeHistory(ctx context.Context, a *app.App, worldID string) (events, pending int64, settled bool, err error) {
	it := a.Temporal.GetWorkflowHistory(ctx, generia.LifeWorkflowID(worldID), "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	started := map[string]bool{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return events, 0, false, err
		}
		events++
		settled = e.GetEventType() == enums.EVENT_TYPE_WORKFLOW_TASK_COMPLETED
		switch e.GetEventType() {
		case enums.EVENT_TYPE_TIMER_STARTED:
			started[e.GetTimerStartedEventAttributes().GetTimerId()] = true
		case enums.EVENT_TYPE_TIMER_FIRED:
			delete(started, e.GetTimerFiredEventAttributes().GetTimerId())
		case enums.EVENT_TYPE_TIMER_CANCELED:
			delete(started, e.GetTimerCanceledEventAttributes().GetTimerId())
		}
	}
	return events, int64(len(started)), settled, nil
}

// generateWorlds makes n worlds through the pipeline, 16 at a time.
func generateWorlds(ctx context.Context, a *app.App, n, chars, posts int) ([]string, error) {
	ids := make([]string, n)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i := range ids {
		g.Go(func() error {
			w, err := a.Pipeline.Create(gctx, "", generia.NewWorld{Prompt: fmt.Sprintf("Benchmark harbour number %d, where ferry pilots gossip", i+1),
				CharactersCount: chars, PostsCount: posts}, a.Providers)
			if err != nil {
				return err
			}
			_ = a.Temporal.GetWorkflow(gctx, w.WorkflowID, "").Get(gctx, nil)
			st, err := a.Store.GenerationStatus(gctx, w.ID)
			if err != nil || st.Status != generia.StatusCompleted {
				return fmt.Errorf("world %d did not complete: %s %v", i+1, st.Status, err)
			}
			ids[i] = w.ID
			return nil
		})
	}
	err := g.Wait()
	return ids, err
}

// bareWorlds makes n complete worlds without content in the store: lives
// that are never watched need nothing more, for they never act.
func bareWorlds(ctx context.Context, a *app.App, n int) ([]string, error) {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = uuid.NewString()
	}
	now := time.Now().UTC()
	err := parallel(ctx, ids, 8, func(id string) error {
		w := generia.World{ID: id, Prompt: "An unwatched benchmark world", CharactersCount: 1, PostsCount: 1,
			Visibility: generia.VisibilityPublic, Providers: a.Providers, WorkflowID: generia.WorldWorkflowID(id), CreatedAt: now, UpdatedAt: now}
		if err := a.Store.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(1, 1))); err != nil {
			return err
		}
		_, err := a.Store.FinishGeneration(ctx, id, generia.StatusCompleted, "", "", now)
		return err
	})
	return ids, err
}

// waitAsleep waits until every unwatched life has settled with no timer
// pending (awake, it waits on one until it falls asleep; a life whose first
// task has not run has none yet), reading their histories: a query
// would wake each life's workflow on the busy worker. A read that fails is
// tried again on the next round.
//
// With 100,000 lives the server's backlog of first tasks and idle timers
// takes longer than their starts: the reads go 4 at a time with a pause
// between rounds, so as not to slow the server they wait on.
func waitAsleep(ctx context.Context, a *app.App, worlds []string, out io.Writer) error {
	deadline := time.Now().Add(90 * time.Minute)
	pending := worlds
	for len(pending) > 0 {
		var mu sync.Mutex
		var awake []string
		err := parallel(ctx, pending, 4, func(id string) error {
			_, timers, settled, err := lifeHistory(ctx, a, id)
			if err != nil || timers > 0 || !settled {
				mu.Lock()
				awake = append(awake, id)
				mu.Unlock()
			}
			return nil
		})
		if err != nil {
			return err
		}
		if pending = awake; len(pending) > 0 {
			fmt.Fprintf(out, "%d lives not asleep yet…\n", len(pending))
			if time.Now().After(deadline) {
				return fmt.Errorf("%d lives still not asleep", len(pending))
			}
			if err := sleep(ctx, 30*time.Second); err != nil {
				return err
			}
		}
	}
	return nil
}

// parallel runs fn for each item, at most n at once, and returns the first
// error.
func parallel(ctx context.Context, items []string, n int, fn func(string) error) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	for _, it := range items {
		if ctx.Err() != nil {
			break // one failed: the rest is not started
		}
		g.Go(func() error { return fn(it) })
	}
	return g.Wait()
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// pendingTimers counts the timer tasks the Temporal server has yet to fire:
// user timers, and the timeouts of tasks in flight.
func pendingTimers(ctx context.Context, file string) (int64, error) {
	db, err := sql.Open("sqlite", "file:"+file+"?mode=ro")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int64
	err = db.QueryRowContext(ctx, `SELECT COUNT(*) FROM timer_tasks`).Scan(&n)
	return n, err
}

// temporalChild is a `generia temporal` process.
type temporalChild struct {
	cmd  *exec.Cmd
	pid  int
	addr string
}

// startTemporalChild starts this binary's Temporal server in a child
// process over dir, on a free port, and waits until it says where.
func startTemporalChild(ctx context.Context, dir string) (*temporalChild, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, exe, "temporal", "--temporal-ui-addr", "off")
	cmd.Env = append(os.Environ(), "GENERIA_DATA_DIR="+dir, "TEMPORAL_ADDRESS=127.0.0.1:0", "GENERIA_LOG_LEVEL=error")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	t := &temporalChild{cmd: cmd, pid: cmd.Process.Pid}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "Temporal is running at "); ok {
			t.addr, _, _ = strings.Cut(rest, " ")
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return t, nil
		}
	}
	t.stop()
	return nil, errors.New("the Temporal server did not start (see its errors above)")
}

func (t *temporalChild) stop() {
	_ = t.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = t.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = t.cmd.Process.Kill()
		<-done
	}
}

// selfCPU is the CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is the CPU time a process has used, from /proc (Linux).
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command's name, which is in parentheses.
	_, rest, _ := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	const ticks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticks
}

// rss is a process's resident memory, from /proc (Linux): "self" or a PID.
func rss(pid string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
