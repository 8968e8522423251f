package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// Concurrency holds the seed's knobs, with its names; their defaults are
// settings (config.Concurrency).
type Concurrency struct {
	Tasks               int // MAX_CONCURRENT_TASKS: activities at once in this process, all queues
	LLM                 int // MAX_CONCURRENT_LLM_REQUESTS: the llm queue
	Images              int // MAX_CONCURRENT_IMAGE_REQUESTS: the images queue
	Services            int // MAX_CONCURRENT_GRPC_CALLS: the services queue
	Progress            int // MAX_CONCURRENT_DB_OPERATIONS: the progress queue
	WorkflowTasks       int // MAX_WORKFLOW_TASKS_PER_WORKER
	ActivitiesPerWorker int // MAX_ACTIVITIES_PER_WORKER: the main queue and the cap of every other

	// LLMPerSecond and ImagesPerSecond cap the provider calls started per
	// second across all workers of the queue (Temporal's task-queue-wide
	// activity rate); 0 means no cap.
	LLMPerSecond    float64
	ImagesPerSecond float64
}

// ParseQueues turns a comma list of queue names — short ("llm") or full
// ("ai-worker-llm") — into full names.
func ParseQueues(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		if n == "" {
			continue
		}
		full := n
		if !slices.Contains(Queues, n) {
			full = "ai-worker-" + n
		}
		if !slices.Contains(Queues, full) {
			return nil, fmt.Errorf("unknown task queue %q: use main, llm, images, progress or services", n)
		}
		if !slices.Contains(out, full) {
			out = append(out, full)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no task queue given: use main, llm, images, progress or services")
	}
	return out, nil
}

// StopTimeout is how long stopping a worker waits for its running
// activities.
const StopTimeout = 10 * time.Second

// Workers runs the workers of some task queues in this process.
type Workers struct {
	workers []worker.Worker
}

// StartWorkers starts one worker per queue on c, registering on each what
// runs there: the workflow on main, LLM calls on llm, and so on.
func StartWorkers(c client.Client, acts *Activities, queues []string, conc Concurrency) (*Workers, error) {
	shared := &taskLimiter{sem: make(chan struct{}, max(conc.Tasks, 1))}
	ws := &Workers{}
	for _, q := range queues {
		opts := worker.Options{
			MaxConcurrentActivityExecutionSize:     capAt(queueLimit(q, conc), conc.ActivitiesPerWorker),
			MaxConcurrentWorkflowTaskExecutionSize: max(conc.WorkflowTasks, 2),
			MaxConcurrentActivityTaskPollers:       8,
			MaxConcurrentWorkflowTaskPollers:       4,
			// On stop, let running activities finish, so that a provider
			// call under way is not paid for again after a restart.
			WorkerStopTimeout: StopTimeout,
			Interceptors:      []interceptor.WorkerInterceptor{shared},
		}
		switch q {
		case QueueLLM:
			opts.TaskQueueActivitiesPerSecond = conc.LLMPerSecond
		case QueueImages:
			opts.TaskQueueActivitiesPerSecond = conc.ImagesPerSecond
		}
		w := worker.New(c, q, opts)
		register(w, q, acts)
		if err := w.Start(); err != nil {
			ws.Stop()
			return nil, fmt.Errorf("starting the %s worker: %w", q, err)
		}
		ws.workers = append(ws.workers, w)
	}
	return ws, nil
}

// Stop stops the workers, letting running activities finish.
func (ws *Workers) Stop() {
	for _, w := range ws.workers {
		w.Stop()
	}
}

func capAt(n, limit int) int {
	if limit > 0 && n > limit {
		return limit
	}
	return max(n, 1)
}

func queueLimit(q string, c Concurrency) int {
	switch q {
	case QueueLLM:
		return c.LLM
	case QueueImages:
		return c.Images
	case QueueServices:
		return c.Services
	case QueueProgress:
		return c.Progress
	}
	return c.ActivitiesPerWorker
}

// register puts on a worker what runs on its queue.
func register(w worker.Registry, queue string, acts *Activities) {
	act := func(f any) { w.RegisterActivity(f) }
	switch queue {
	case QueueMain:
		w.RegisterWorkflowWithOptions(WorldGeneration, workflow.RegisterOptions{Name: WorkflowName})
	case QueueLLM:
		act(acts.DescribeWorld)
		act(acts.PromptWorldImages)
		act(acts.PlanCast)
		act(acts.DetailCharacter)
		act(acts.PlanPosts)
		act(acts.DetailPost)
	case QueueImages:
		act(acts.PaintImage)
	case QueueProgress:
		act(acts.AdvanceStages)
		act(acts.FinishGeneration)
	case QueueServices:
		act(acts.SaveWorldDescription)
		act(acts.AttachWorldImages)
		act(acts.CreateCharacter)
		act(acts.AttachAvatar)
		act(acts.CreatePost)
	}
}

// taskLimiter caps the activities running at once in a process across all
// its workers (MAX_CONCURRENT_TASKS).
type taskLimiter struct {
	interceptor.WorkerInterceptorBase
	sem chan struct{}
}

func (l *taskLimiter) InterceptActivity(ctx context.Context, next interceptor.ActivityInboundInterceptor) interceptor.ActivityInboundInterceptor {
	return &limitedActivity{ActivityInboundInterceptorBase: interceptor.ActivityInboundInterceptorBase{Next: next}, sem: l.sem}
}

type limitedActivity struct {
	interceptor.ActivityInboundInterceptorBase
	sem chan struct{}
}

func (l *limitedActivity) ExecuteActivity(ctx context.Context, in *interceptor.ExecuteActivityInput) (any, error) {
	select {
	case l.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-l.sem }()
	return l.Next.ExecuteActivity(ctx, in)
}
