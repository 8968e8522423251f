package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/config"
)

// Concurrency is how much a process runs at once: the seed's
// MAX_CONCURRENT_* settings, with their meanings and defaults in config.
type Concurrency = config.Concurrency

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
// runs there: the workflow on main, LLM calls on llm, and so on. The
// queues that check content (llm, images) need acts.Moderator: nothing is
// published unchecked, and no default passes everything.
func StartWorkers(c client.Client, acts *Activities, queues []string, conc Concurrency) (*Workers, error) {
	if acts.Moderator == nil && (slices.Contains(queues, QueueLLM) || slices.Contains(queues, QueueImages)) {
		return nil, fmt.Errorf("the llm and images workers check generated content: they need a Moderator")
	}
	process := newProcessSlots(conc, queues)
	ws := &Workers{}
	for _, q := range queues {
		opts, err := workerOptions(q, conc, process)
		if err != nil {
			ws.Stop()
			return nil, err
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

// workerOptions are the options of queue q's worker in a process whose
// workers share the activity slots of process.
func workerOptions(q string, conc Concurrency, process *processSlots) (worker.Options, error) {
	fixed, err := worker.NewFixedSizeTuner(worker.FixedSizeTunerOptions{NumWorkflowSlots: max(conc.WorkflowTasks, 2)})
	if err != nil {
		return worker.Options{}, fmt.Errorf("the %s worker's slots: %w", q, err)
	}
	acts := process.forQueue(capAt(queueLimit(q, conc), conc.ActivitiesPerWorker))
	tuner, err := worker.NewCompositeTuner(worker.CompositeTunerOptions{
		WorkflowSlotSupplier:        fixed.GetWorkflowTaskSlotSupplier(),
		ActivitySlotSupplier:        acts,
		SessionActivitySlotSupplier: acts,
		LocalActivitySlotSupplier:   fixed.GetLocalActivitySlotSupplier(),
		NexusSlotSupplier:           fixed.GetNexusSlotSupplier(),
	})
	if err != nil {
		return worker.Options{}, fmt.Errorf("the %s worker's slots: %w", q, err)
	}
	opts := worker.Options{
		Tuner:                            tuner,
		MaxConcurrentActivityTaskPollers: process.pollers,
		MaxConcurrentWorkflowTaskPollers: 4,
		// On stop, let running activities finish, so that a provider
		// call under way is not paid for again after a restart.
		WorkerStopTimeout: StopTimeout,
	}
	switch q {
	case QueueMain:
		// The main queue runs no activity (register puts none there).
		// Without activity pollers its worker holds none of the process's
		// activity slots.
		opts.LocalActivityWorkerOnly = true
	case QueueLLM:
		opts.TaskQueueActivitiesPerSecond = conc.LLMPerSecond
	case QueueImages:
		opts.TaskQueueActivitiesPerSecond = conc.ImagesPerSecond
	}
	return opts, nil
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
		w.RegisterWorkflowWithOptions(WorldLife, workflow.RegisterOptions{Name: LifeWorkflowName})
		w.RegisterWorkflowWithOptions(FirstView, workflow.RegisterOptions{Name: FirstViewName})
		w.RegisterWorkflowWithOptions(ContentRecheck, workflow.RegisterOptions{Name: RecheckName})
	case QueueLLM:
		act(acts.DescribeWorld)
		act(acts.PromptWorldImages)
		act(acts.PlanCast)
		act(acts.DetailCharacter)
		act(acts.PlanPosts)
		act(acts.DetailPost)
		act(acts.WriteReply)
		act(acts.WriteLifePost)
		act(acts.CheckPerson)
		act(acts.CheckReply)
		act(acts.CheckLifePost)
		act(acts.CheckPrompt)
		act(acts.CheckText)
		act(acts.RecheckPerson)
	case QueueImages:
		act(acts.PaintImage)
		act(acts.WarmFirstView)
		act(acts.CheckImage)
	case QueueProgress:
		act(acts.AdvanceStages)
		act(acts.FinishGeneration)
		act(acts.RecordLife)
	case QueueServices:
		act(acts.SaveWorldDescription)
		act(acts.AttachWorldImages)
		act(acts.CreateCharacter)
		act(acts.AttachAvatar)
		act(acts.CreatePost)
		act(acts.PlanLife)
		act(acts.SaveReply)
		act(acts.SaveLifePost)
		act(acts.ReviewItem)
		act(acts.ApplyRecheck)
	}
}

// processSlots are the activity slots of one process, shared by all its
// workers: MAX_CONCURRENT_TASKS activities at once, all queues together.
//
// The SDK takes a slot before it polls for a task and gives it back when the
// task is done, so an activity never waits for a slot once it has started
// and its StartToClose timeout runs only while it runs. The price: a poller
// waiting on a quiet queue holds a slot too. So each worker polls with at
// most its share of the process's slots (see pollers), and a busy queue
// always has some left. A process with fewer slots than activity queues
// can still see a quiet queue hold its only slot for one long poll (up to
// a minute) while work waits on another queue.
type processSlots struct {
	free slotPool
	// pollers is the number of activity pollers of each worker: up to 8,
	// and no more than the process's slots split between its activity
	// queues.
	pollers int
}

func newProcessSlots(conc Concurrency, queues []string) *processSlots {
	n := max(conc.Tasks, 1)
	activityQueues := 0
	for _, q := range queues {
		if q != QueueMain {
			activityQueues++
		}
	}
	return &processSlots{free: make(slotPool, n), pollers: min(8, max(1, n/max(activityQueues, 1)))}
}

// forQueue is the activity slot supplier of one worker: a slot takes one of
// the worker's own limit (its queue's MAX_CONCURRENT_*) and one of the
// process's.
func (p *processSlots) forQueue(limit int) *activitySlots {
	return &activitySlots{own: make(slotPool, max(limit, 1)), process: p.free}
}

// activitySlots is a worker.SlotSupplier over two pools: the worker's own
// and the process's. A slot is taken from the own pool first, so a worker
// at its own limit does not queue for the process's slots.
type activitySlots struct {
	own, process slotPool
}

// ReserveSlot waits for a slot of both pools, or returns ctx's error.
func (s *activitySlots) ReserveSlot(ctx context.Context, _ worker.SlotReservationInfo) (*worker.SlotPermit, error) {
	if err := s.own.take(ctx); err != nil {
		return nil, err
	}
	if err := s.process.take(ctx); err != nil {
		s.own.give()
		return nil, err
	}
	return &worker.SlotPermit{}, nil
}

// TryReserveSlot takes a slot of both pools if both have one free, without
// waiting; it returns nil otherwise.
func (s *activitySlots) TryReserveSlot(worker.SlotReservationInfo) *worker.SlotPermit {
	if !s.own.tryTake() {
		return nil
	}
	if !s.process.tryTake() {
		s.own.give()
		return nil
	}
	return &worker.SlotPermit{}
}

// MarkSlotUsed does nothing: a reserved slot counts whether used or not.
func (s *activitySlots) MarkSlotUsed(worker.SlotMarkUsedInfo) {}

// ReleaseSlot gives the slot back to both pools.
func (s *activitySlots) ReleaseSlot(worker.SlotReleaseInfo) {
	s.process.give()
	s.own.give()
}

// MaxSlots is the worker's own limit.
func (s *activitySlots) MaxSlots() int { return cap(s.own) }

// slotPool is a counting semaphore: a buffered channel holds one value per
// slot taken.
type slotPool chan struct{}

func (p slotPool) take(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case p <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (p slotPool) tryTake() bool {
	select {
	case p <- struct{}{}:
		return true
	default:
		return false
	}
}

func (p slotPool) give() { <-p }
