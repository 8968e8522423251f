package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline"
	"github.com/generia/generia/internal/pipeline/timeleft"
)

// runBench generates worlds on the embedded stack (in a scratch data dir)
// and reports wall time per world, activities per second, calls and peak
// memory.
func runBench(ctx context.Context, args []string, cfg config.Config, env Env) error {
	fs := newFlagSet("bench", env)
	chars := fs.Int("characters", 3, "characters per world")
	posts := fs.Int("posts", 10, "posts per world")
	worlds := fs.Int("worlds", 1, "worlds generated at once")
	rounds := fs.Int("rounds", 3, "times the batch of worlds is generated")
	fs.DurationVar(&cfg.OfflineLLMLatency, "llm-latency", cfg.OfflineLLMLatency, "simulated latency of each LLM call")
	fs.DurationVar(&cfg.OfflineImageLatency, "image-latency", cfg.OfflineImageLatency, "simulated latency of each image")
	providers := fs.String("providers", "offline", "offline, or fake: the real OpenRouter and Runware clients against the in-process fakes")
	sloppy := fs.Float64("sloppy", 0, "with --providers fake: share of LLM answers that come back sloppy (wrong counts, fences, prose, duplicate names, over-long texts, missing fields, wrong case, empty, refusals), 0–1")
	replies := fs.Int("replies", 0, "then time this many replies of a world's characters to a person's comments, one after the other")
	lives := fs.Int("lives", 0, "instead of generating rounds: make this many worlds and run their lives on one worker process (Temporal in a child process), measuring CPU, memory, timers and calls")
	watched := fs.Bool("lives-watched", true, "with --lives: each world is viewed every minute (awake); false: none is, and the lives are measured asleep")
	window := fs.Duration("lives-window", 10*time.Minute, "with --lives: how long the lives are measured")
	warmup := fs.Duration("lives-warmup", 10*time.Minute, "with --lives: how long watched lives run before they are measured")
	statusPath := fs.String("status-log", "", "write every status read of the worlds to this file, a JSON line each ({at, status}), to study the time left")
	errorRate := fs.Float64("error-rate", 0, "with --providers fake: share of provider calls that fail with 429, 500, 502 or 503, 0–1")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *sloppy < 0 || *sloppy > 1 || *errorRate < 0 || *errorRate > 1 {
		return errors.New("--sloppy and --error-rate must be between 0 and 1")
	}
	var fakes *benchFakes
	switch *providers {
	case "offline":
		if *sloppy > 0 || *errorRate > 0 {
			return errors.New("--sloppy and --error-rate need --providers fake")
		}
	case "fake":
		var err error
		if fakes, err = serveFakes(&cfg, *sloppy, *errorRate); err != nil {
			return err
		}
		defer fakes.stop()
	default:
		return fmt.Errorf("--providers %q: want offline or fake", *providers)
	}
	if *lives > 0 {
		return runLivesBench(ctx, cfg, env, livesBench{n: *lives, watched: *watched, warmup: *warmup, window: *window, chars: *chars, posts: *posts, out: env.Stdout})
	}
	var log *statusLog
	if *statusPath != "" {
		f, err := os.OpenFile(*statusPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		log = &statusLog{enc: json.NewEncoder(f)}
	}
	dir, err := os.MkdirTemp("", "generia-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg.DataDir, cfg.Addr, cfg.TemporalAddr, cfg.TemporalUIAddr = dir, "127.0.0.1:0", "127.0.0.1:0", "off"
	cfg.NoSample, cfg.LogLevel = true, "warn"
	if err := cfg.Validate(); err != nil {
		return err
	}
	started := time.Now()
	a, err := app.Start(ctx, cfg, app.Roles{Embedded: true, Queues: pipeline.Queues}, env.StartTemporal, newLogger(cfg, env.Stderr))
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintf(env.Stdout, "embedded stack ready in %v; %d×%d world(s) of %d characters/%d posts, providers %s/%s, LLM latency %v, image latency %v, sloppy answers %.0f%%, failing calls %.0f%%, GOMAXPROCS %d\n",
		time.Since(started).Round(time.Millisecond), *rounds, *worlds, *chars, *posts, a.Providers.LLM, a.Providers.Image,
		cfg.OfflineLLMLatency, cfg.OfflineImageLatency, *sloppy*100, *errorRate*100, runtime.GOMAXPROCS(0))

	var sum benchSummary
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "round\tworld\tstatus\twall\tfirst view\tactivities\tactivities/s\tLLM calls\timage calls\trepaired\tinvalid\ttokens in\ttokens out\tLLM $\timages $\thistory events\thistory KB\t")
	for r := 1; r <= *rounds; r++ {
		roundStart := time.Now()
		results := make([]benchResult, *worlds)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = benchWorld(ctx, a, *chars, *posts, log)
			}()
		}
		wg.Wait()
		for i, res := range results {
			if res.err != nil {
				return fmt.Errorf("round %d world %d: %w", r, i+1, res.err)
			}
			sum.add(res)
			fmt.Fprintf(tw, "%d\t%d\t%s\t%.2fs\t+%.2fs\t%d\t%.0f\t%d\t%d\t%d\t%d\t%d\t%d\t%.4f\t%.4f\t%d\t%d\t\n", r, i+1, res.status, res.wall.Seconds(), res.warming.Seconds(), res.activities,
				float64(res.activities)/res.wall.Seconds(), res.st.CallsLLM, res.st.CallsImages, res.st.AnswersRepaired, res.st.AnswersInvalid,
				res.st.TokensIn, res.st.TokensOut, res.st.LLMCostUSD, res.st.ImageCostUSD, res.events, res.historyBytes/1024)
		}
		if *worlds > 1 {
			total := 0
			for _, res := range results {
				total += res.activities
			}
			wall := time.Since(roundStart)
			fmt.Fprintf(tw, "%d\tall\t\t%.2fs\t\t%d\t%.0f\t\t\t\t\t\t\t\t\t\n", r, wall.Seconds(), total, float64(total)/wall.Seconds())
		}
	}
	tw.Flush()
	sum.report(env.Stdout, fakes)
	if *replies > 0 {
		if err := benchReplies(ctx, a, *replies, env.Stdout); err != nil {
			return err
		}
	}
	fmt.Fprintf(env.Stdout, "peak RSS %s\n", peakRSS())
	return nil
}

// benchSummary adds up what the worlds of a benchmark did.
type benchSummary struct {
	worlds, complete                   int
	llm, llmClean, llmAnswered, images int
	repaired, invalid                  int
	overpaid                           []string
	ledger                             int
	eta                                etaError
}

func (s *benchSummary) add(res benchResult) {
	s.worlds++
	if res.exact {
		s.complete++
	}
	clean, _ := generia.ExpectedCalls(generia.NewPlan(res.st.CharactersPredicted, res.st.PostsPredicted))
	s.llm += res.st.CallsLLM
	s.llmClean += clean
	s.llmAnswered += res.llmAnswered
	s.images += res.st.CallsImages
	s.repaired += res.st.AnswersRepaired
	s.invalid += res.st.AnswersInvalid
	s.overpaid = append(s.overpaid, res.overpaid...)
	s.ledger += res.ledger
	s.eta.readings += res.eta.readings
	s.eta.missing += res.eta.missing
	s.eta.measured += res.eta.measured
	s.eta.within += res.eta.within
	s.eta.byTimeMeasured += res.eta.byTimeMeasured
	s.eta.ofLeft = max(s.eta.ofLeft, res.eta.ofLeft)
	s.eta.ofLeftAny = max(s.eta.ofLeftAny, res.eta.ofLeftAny)
	s.eta.byTime = max(s.eta.byTime, res.eta.byTime)
	s.eta.ofTotal = max(s.eta.ofTotal, res.eta.ofTotal)
	s.eta.byPercentOfTotal = max(s.eta.byPercentOfTotal, res.eta.byPercentOfTotal)
}

func (s *benchSummary) report(w io.Writer, fakes *benchFakes) {
	ratio := func(a, b int) float64 { return float64(a) / float64(max(b, 1)) }
	fmt.Fprintf(w, "worlds complete with exactly their planned characters and posts: %d of %d\n", s.complete, s.worlds)
	fmt.Fprintf(w, "LLM calls: %d made, %d answered, for %d in a clean run (%.3f× made, %.3f× answered); %d answers repaired, %d invalid\n",
		s.llm, s.llmAnswered, s.llmClean, ratio(s.llm, s.llmClean), ratio(s.llmAnswered, s.llmClean), s.repaired, s.invalid)
	fmt.Fprintf(w, "items paid for twice: %d %v\n", len(s.overpaid), s.overpaid)
	fmt.Fprintf(w, "time left shown once a third of the items existed (%d readings, %d without an estimate): at worst %.0f%% off the time really left while a tenth of the run and a second were (%d readings, %.0f%% of them within ±30%%; %.0f%% counting the last second), %.0f%% of the run (scaling the elapsed time by the percent left: %.0f%% of the run); once a third of the run had passed: at worst %.0f%% (%d readings)\n",
		s.eta.readings, s.eta.missing, 100*s.eta.ofLeft, s.eta.measured, 100*float64(s.eta.within)/float64(max(1, s.eta.measured)), 100*s.eta.ofLeftAny, 100*s.eta.ofTotal, 100*s.eta.byPercentOfTotal, 100*s.eta.byTime, s.eta.byTimeMeasured)
	if fakes != nil {
		made := 0
		for _, r := range append(fakes.llm.Requests(), fakes.images.Requests()...) {
			if r.Method == http.MethodPost {
				made++
			}
		}
		fmt.Fprintf(w, "provider calls: the fakes got %d, the ledgers hold %d; sloppy answers injected %v, failures %v/%v\n",
			made, s.ledger, fakes.sloppy.Injected(), fakes.llmFaults.Injected(), fakes.imageFaults.Injected())
	}
}

type benchResult struct {
	status string
	// exact: the world has exactly its planned characters and posts.
	exact        bool
	llmAnswered  int
	ledger       int
	overpaid     []string
	wall         time.Duration // until the status said completed
	warming      time.Duration // then until the first view was warmed
	activities   int
	events       int
	historyBytes int
	st           generia.GenerationStatus
	eta          etaError
	err          error
}

// etaReading is the time left a watcher of a world's status was shown at a
// moment.
type etaReading struct {
	at      time.Time
	percent int
	left    time.Duration
	ok      bool
	// byPercent is what the share of items made alone would say, as the
	// page said before: the elapsed time scaled by what is left.
	byPercent time.Duration
}

// watchTimeLeft reads a world's status record every 100 ms until ctx ends,
// as the status stream does, and keeps the time left it would show.
func watchTimeLeft(ctx context.Context, store generia.Store, worldID string, capacity timeleft.Capacity, log *statusLog) []etaReading {
	watch := timeleft.CallWatch{Capacity: capacity}
	var out []etaReading
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return out
		case <-tick.C:
		}
		st, err := store.GenerationStatus(ctx, worldID)
		if err != nil {
			continue
		}
		now := time.Now()
		log.write(now, st)
		watch.See(st, now)
		if st.Status == generia.StatusInProgress {
			left, ok := timeleft.TimeLeft(st, &watch, now)
			r := etaReading{at: now, percent: st.Percent(), left: left, ok: ok}
			if p := r.percent; p > 0 && st.StartedAt != nil {
				r.byPercent = now.Sub(*st.StartedAt) * time.Duration(100-p) / time.Duration(p)
			}
			out = append(out, r)
		}
	}
}

// etaError is how far the time left a world showed was from the truth once
// a third of its items existed, and once a third of its run had passed.
type etaError struct {
	readings, missing int // once a third of the items existed; without an estimate
	// ofLeft is the worst error as a share of the time really left, of the
	// readings (measured of them) while a tenth of the run and a second
	// were left (the page shows whole seconds); ofLeftAny while only the
	// tenth was; ofTotal as a share of the run.
	ofLeft, ofLeftAny, ofTotal float64
	measured, within           int // within: of measured, within ±30%
	// byTime and byTimeMeasured: ofLeft once a third of the run had passed.
	byTime         float64
	byTimeMeasured int
	// byPercentOfTotal is the worst of the percent-based estimate, for
	// comparison.
	byPercentOfTotal float64
}

func etaErrors(readings []etaReading, st generia.GenerationStatus) etaError {
	var e etaError
	if st.StartedAt == nil || st.FinishedAt == nil {
		return e
	}
	total := st.FinishedAt.Sub(*st.StartedAt)
	for _, r := range readings {
		byItems, byTime := r.percent >= 34, r.at.Sub(*st.StartedAt) >= total/3
		if byItems {
			e.readings++
			if !r.ok {
				e.missing++
			}
		}
		if !r.ok || (!byItems && !byTime) {
			continue
		}
		truth := st.FinishedAt.Sub(r.at)
		off := math.Abs(float64(r.left - truth))
		measured := truth >= total/10 && truth >= time.Second
		if byItems {
			e.byPercentOfTotal = max(e.byPercentOfTotal, math.Abs(float64(r.byPercent-truth))/float64(total))
			e.ofTotal = max(e.ofTotal, off/float64(total))
			if truth >= total/10 {
				e.ofLeftAny = max(e.ofLeftAny, off/float64(truth))
			}
			if measured {
				e.ofLeft = max(e.ofLeft, off/float64(truth))
				e.measured++
				if off <= 0.3*float64(truth) {
					e.within++
				}
			}
		}
		if byTime && measured {
			e.byTime = max(e.byTime, off/float64(truth))
			e.byTimeMeasured++
		}
	}
	return e
}

func benchWorld(ctx context.Context, a *app.App, chars, posts int, log *statusLog) benchResult {
	start := time.Now()
	w, err := a.Pipeline.Create(ctx, "", generia.NewWorld{Prompt: "A benchmark city of clockwork gardeners", CharactersCount: chars, PostsCount: posts}, a.Providers)
	if err != nil {
		return benchResult{err: err}
	}
	run := a.Temporal.GetWorkflow(ctx, w.WorkflowID, "")
	watched := make(chan []etaReading, 1)
	watchCtx, stopWatching := context.WithCancel(ctx)
	go func() { watched <- watchTimeLeft(watchCtx, a.Store, w.ID, a.Config.Concurrency.Capacity(), log) }()
	_ = run.Get(ctx, nil) // the status record says how it ended
	res := benchResult{wall: time.Since(start)}
	stopWatching()
	readings := <-watched
	st, err := a.Store.GenerationStatus(ctx, w.ID)
	if err != nil {
		return benchResult{err: err}
	}
	res.status, res.st = st.Status, st
	if st.FinishedAt != nil {
		// The world is done when its status says so; a workflow of its own
		// then warms its first view.
		res.wall = st.FinishedAt.Sub(start)
		if st.Status == generia.StatusCompleted {
			_ = a.Temporal.GetWorkflow(ctx, generia.FirstViewWorkflowID(w.ID), "").Get(ctx, nil)
			res.warming = time.Since(*st.FinishedAt)
		}
	}
	log.write(time.Now(), st)
	res.eta = etaErrors(readings, st)
	if st.Status != generia.StatusCompleted {
		return benchResult{err: errors.New("world ended " + st.Status + ": " + st.Error)}
	}
	counts, err := a.Store.CountContent(ctx, w.ID)
	if err != nil {
		return benchResult{err: err}
	}
	res.exact = counts.Characters == chars && counts.Posts == posts
	calls, err := a.Store.ProviderCalls(ctx, w.ID)
	if err != nil {
		return benchResult{err: err}
	}
	res.ledger = len(calls)
	for _, c := range calls {
		if c.Kind == generia.CallLLM && c.Outcome != generia.OutcomeError {
			res.llmAnswered++
		}
	}
	if res.overpaid, err = pipeline.Overpaid(ctx, a.Store, w.ID); err != nil {
		return benchResult{err: err}
	}
	iter := a.Temporal.GetWorkflowHistory(ctx, w.WorkflowID, "", false, enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			return benchResult{err: err}
		}
		if ev.GetEventType() == enums.EVENT_TYPE_ACTIVITY_TASK_COMPLETED {
			res.activities++
		}
		res.events++
		res.historyBytes += proto.Size(ev)
	}
	return res
}

// benchFakes are the fake providers of a benchmark.
type benchFakes struct {
	llm                            *fakeprovider.OpenRouter
	images                         *fakeprovider.Runware
	sloppy, llmFaults, imageFaults *fakeprovider.Faults
	stop                           func()
}

// serveFakes serves the fake OpenRouter and Runware on loopback with the
// configured latencies, sloppy answers and failing calls, and points cfg's
// providers at them.
func serveFakes(cfg *config.Config, sloppy, errorRate float64) (*benchFakes, error) {
	mix := []fakeprovider.Fault{fakeprovider.Fault429, fakeprovider.Fault500, fakeprovider.Fault502, fakeprovider.Fault503}
	f := &benchFakes{sloppy: fakeprovider.NewFaults(3).SetRate(sloppy, fakeprovider.SloppyFaults...),
		llmFaults: fakeprovider.NewFaults(1).SetRate(errorRate, mix...), imageFaults: fakeprovider.NewFaults(2).SetRate(errorRate, mix...)}
	f.llm = fakeprovider.NewOpenRouter(fakeprovider.OpenRouterOptions{APIKey: "fake-key", Latency: cfg.OfflineLLMLatency, Faults: f.llmFaults, Sloppy: f.sloppy})
	f.images = fakeprovider.NewRunware(fakeprovider.RunwareOptions{APIKey: "fake-key", Latency: cfg.OfflineImageLatency, Faults: f.imageFaults})

	var servers []*http.Server
	serve := func(h http.Handler) (string, error) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		servers = append(servers, srv)
		go srv.Serve(l)
		return "http://" + l.Addr().String(), nil
	}
	f.stop = func() {
		for _, s := range servers {
			_ = s.Close()
		}
	}
	llmURL, err := serve(f.llm)
	if err != nil {
		return nil, err
	}
	imgURL, err := serve(f.images)
	if err != nil {
		f.stop()
		return nil, err
	}
	cfg.OpenRouterAPIKey, cfg.OpenRouterBaseURL = "fake-key", llmURL+"/api/v1"
	cfg.RunwareAPIKey, cfg.RunwareBaseURL = "fake-key", imgURL+"/v1"
	return f, nil
}

// peakRSS reads the process's peak resident memory on Linux.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			if err == nil {
				return fmt.Sprintf("%d MB", kb/1024)
			}
		}
	}
	return "unknown"
}

// statusLog writes status reads as JSON lines, {"at", "status"}; a nil one
// writes nothing.
type statusLog struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func (l *statusLog) write(at time.Time, st generia.GenerationStatus) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.enc.Encode(struct {
		At     time.Time                `json:"at"`
		Status generia.GenerationStatus `json:"status"`
	}{at, st})
}
