package cli

import (
	"context"
	"errors"
	"fmt"
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
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline"
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
	if _, err := parse(fs, args); err != nil {
		return err
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
	fmt.Fprintf(env.Stdout, "embedded stack ready in %v; %d×%d world(s) of %d characters/%d posts, LLM latency %v, image latency %v, GOMAXPROCS %d\n",
		time.Since(started).Round(time.Millisecond), *rounds, *worlds, *chars, *posts, cfg.OfflineLLMLatency, cfg.OfflineImageLatency, runtime.GOMAXPROCS(0))

	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "round\tworld\tstatus\twall\tactivities\tactivities/s\tLLM calls\timage calls\thistory events\thistory KB\t")
	for r := 1; r <= *rounds; r++ {
		roundStart := time.Now()
		results := make([]benchResult, *worlds)
		var wg sync.WaitGroup
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = benchWorld(ctx, a, *chars, *posts)
			}()
		}
		wg.Wait()
		for i, res := range results {
			if res.err != nil {
				return fmt.Errorf("round %d world %d: %w", r, i+1, res.err)
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%.2fs\t%d\t%.0f\t%d\t%d\t%d\t%d\t\n", r, i+1, res.status, res.wall.Seconds(), res.activities,
				float64(res.activities)/res.wall.Seconds(), res.llm, res.images, res.events, res.historyBytes/1024)
		}
		if *worlds > 1 {
			total := 0
			for _, res := range results {
				total += res.activities
			}
			wall := time.Since(roundStart)
			fmt.Fprintf(tw, "%d\tall\t\t%.2fs\t%d\t%.0f\t\t\t\t\t\n", r, wall.Seconds(), total, float64(total)/wall.Seconds())
		}
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "peak RSS %s\n", peakRSS())
	return nil
}

type benchResult struct {
	status       string
	wall         time.Duration
	activities   int
	events       int
	historyBytes int
	llm, images  int
	err          error
}

func benchWorld(ctx context.Context, a *app.App, chars, posts int) benchResult {
	start := time.Now()
	w, err := a.Generations.Create(ctx, "", generia.NewWorld{Prompt: "A benchmark city of clockwork gardeners", CharactersCount: chars, PostsCount: posts},
		generia.Providers{LLM: app.OfflineProvider, Image: app.OfflineProvider})
	if err != nil {
		return benchResult{err: err}
	}
	run := a.Temporal.GetWorkflow(ctx, w.WorkflowID, "")
	_ = run.Get(ctx, nil) // the status record says how it ended
	res := benchResult{wall: time.Since(start)}
	st, err := a.Store.GenerationStatus(ctx, w.ID)
	if err != nil {
		return benchResult{err: err}
	}
	res.status, res.llm, res.images = st.Status, st.CallsLLM, st.CallsImages
	if st.Status != generia.StatusCompleted {
		return benchResult{err: errors.New("world ended " + st.Status + ": " + st.Error)}
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
