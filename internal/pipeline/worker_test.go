package pipeline

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/temporalserver"
)

// The tests here run the workers' slot suppliers on a real Temporal server:
// only a real server's polls show when a slot is taken.

// holds is an activity, Hold, that runs until the test lets it go, and
// counts how many run at once.
type holds struct {
	mu      sync.Mutex
	running map[string]chan struct{} // by key; closed to let it return
	most    int
}

func newHolds() *holds { return &holds{running: map[string]chan struct{}{}} }

func (h *holds) Hold(ctx context.Context, key string) (string, error) {
	done := make(chan struct{})
	h.mu.Lock()
	h.running[key] = done
	h.most = max(h.most, len(h.running))
	h.mu.Unlock()
	select {
	case <-done:
		return key, nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Running lists the keys of the activities running, sorted.
func (h *holds) Running() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var keys []string
	for k := range h.running {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Release lets the activity of key return. It stops counting as running at
// once: the slot it frees is given back only after it returns.
func (h *holds) Release(key string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	close(h.running[key])
	delete(h.running, key)
}

// Most is the largest number of activities that ran at once.
func (h *holds) Most() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.most
}

// hold is one Hold call of holdAll.
type hold struct {
	Queue, Key   string
	StartToClose time.Duration
}

// holdAll runs its holds at once, each tried once, and returns their keys.
func holdAll(ctx workflow.Context, hs []hold) ([]string, error) {
	var fs []workflow.Future
	for _, h := range hs {
		actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			TaskQueue:           h.Queue,
			StartToCloseTimeout: h.StartToClose,
			RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
		})
		fs = append(fs, workflow.ExecuteActivity(actx, "Hold", h.Key))
	}
	var keys []string
	for _, f := range fs {
		var k string
		if err := f.Get(ctx, &k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// startTemporal starts a Temporal server for the test and connects to it.
func startTemporal(t *testing.T) client.Client {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	srv, err := temporalserver.Start(temporalserver.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", Namespace: "default", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	c, err := client.Dial(client.Options{HostPort: srv.Addr(), Namespace: "default", Logger: sdklog.NewStructuredLogger(quiet)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// startWorker starts the worker of queue q as StartWorkers would, running
// holdAll on main and Hold elsewhere.
func startWorker(t *testing.T, c client.Client, q string, conc Concurrency, process *processSlots, h *holds) {
	t.Helper()
	opts, err := workerOptions(q, conc, process)
	if err != nil {
		t.Fatal(err)
	}
	w := worker.New(c, q, opts)
	if q == QueueMain {
		w.RegisterWorkflow(holdAll)
	} else {
		w.RegisterActivityWithOptions(h.Hold, activity.RegisterOptions{Name: "Hold"})
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
}

// waitFor waits until cond holds, failing the test after a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after a minute", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runningAtMost is the number of activities running, failing the test if
// it is over limit.
func runningAtMost(t *testing.T, h *holds, limit int) int {
	t.Helper()
	n := len(h.Running())
	if n > limit {
		t.Fatalf("%d activities run at once (%v), want at most %d", n, h.Running(), limit)
	}
	return n
}

func TestProcessSlotsHoldAcrossQueues(t *testing.T) {
	c := startTemporal(t)
	// Each queue alone may run 2; the process may run 2 in all.
	conc := Concurrency{Tasks: 2, LLM: 2, Images: 2, WorkflowTasks: 10, ActivitiesPerWorker: 10}
	queues := []string{QueueMain, QueueLLM, QueueImages}
	process := newProcessSlots(conc, queues)
	h := newHolds()
	for _, q := range queues {
		startWorker(t, c, q, conc, process, h)
	}
	var hs []hold
	for i := 1; i <= 3; i++ {
		hs = append(hs, hold{QueueLLM, fmt.Sprintf("llm-%d", i), time.Minute}, hold{QueueImages, fmt.Sprintf("images-%d", i), time.Minute})
	}
	ctx := context.Background()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "shared-slots", TaskQueue: QueueMain}, holdAll, hs)
	if err != nil {
		t.Fatal(err)
	}

	// Both slots soon run an activity; then nothing more can start until
	// one ends, and the server shows the other four waiting, although each
	// queue alone may run two.
	waitFor(t, "both of the process's slots running an activity", func() bool {
		n := runningAtMost(t, h, conc.Tasks)
		return n == conc.Tasks && len(process.free) == cap(process.free)
	})
	d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	states := map[enums.PendingActivityState]int{}
	for _, a := range d.GetPendingActivities() {
		states[a.GetState()]++
	}
	if states[enums.PENDING_ACTIVITY_STATE_STARTED] != 2 || states[enums.PENDING_ACTIVITY_STATE_SCHEDULED] != 4 {
		t.Errorf("the server shows %v, want 2 started and 4 scheduled", states)
	}

	// Then let them go one at a time, each as soon as it runs.
	for range hs {
		waitFor(t, "an activity running", func() bool { return runningAtMost(t, h, conc.Tasks) > 0 })
		h.Release(h.Running()[0])
	}
	var keys []string
	if err := run.Get(ctx, &keys); err != nil {
		t.Fatalf("the workflow failed: %v", err)
	}
	if len(keys) != len(hs) {
		t.Errorf("ran %v, want all of %v", keys, hs)
	}
	if got := h.Most(); got != conc.Tasks {
		t.Errorf("at most %d activities ran at once over both queues, want MAX_CONCURRENT_TASKS = %d", got, conc.Tasks)
	}
}

func TestWaitingForASlotKeepsStartToClose(t *testing.T) {
	c := startTemporal(t)
	conc := Concurrency{Tasks: 1, LLM: 1, Images: 1, WorkflowTasks: 10, ActivitiesPerWorker: 10}
	process := newProcessSlots(conc, []string{QueueMain, QueueLLM, QueueImages})
	h := newHolds()
	ctx := context.Background()

	// An LLM call takes the process's only slot.
	startWorker(t, c, QueueMain, conc, process, h)
	startWorker(t, c, QueueLLM, conc, process, h)
	long, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "long", TaskQueue: QueueMain}, holdAll, []hold{{QueueLLM, "long", time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the LLM call running", func() bool { return slices.Equal(h.Running(), []string{"long"}) })

	// An image, with a short StartToClose, must wait for that slot. (Its
	// worker starts now, so that its poller waits for the slot instead of
	// holding it on a queue with nothing to do.)
	startWorker(t, c, QueueImages, conc, process, h)
	const startToClose = time.Second
	short, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "short", TaskQueue: QueueMain}, holdAll, []hold{{QueueImages, "short", startToClose}})
	if err != nil {
		t.Fatal(err)
	}
	// Until its StartToClose has passed twice over, the server must show it
	// scheduled and not started: no worker has taken it without a slot.
	var seen time.Time
	waitFor(t, "the image waiting past its StartToClose", func() bool {
		d, err := c.DescribeWorkflowExecution(ctx, short.GetID(), short.GetRunID())
		if err != nil {
			t.Fatal(err)
		}
		pending := d.GetPendingActivities()
		if len(pending) == 0 {
			return false // not scheduled yet
		}
		if st := pending[0].GetState(); st != enums.PENDING_ACTIVITY_STATE_SCHEDULED {
			t.Fatalf("the image is %v while the process's only slot is taken, want scheduled", st)
		}
		if seen.IsZero() {
			seen = time.Now()
		}
		return time.Since(seen) > 2*startToClose
	})

	h.Release("long")
	waitFor(t, "the image running", func() bool { return slices.Equal(h.Running(), []string{"short"}) })
	h.Release("short")
	var keys []string
	if err := short.Get(ctx, &keys); err != nil {
		t.Fatalf("the image that waited for a slot failed: %v", err)
	}
	if err := long.Get(ctx, &keys); err != nil {
		t.Fatalf("the LLM call failed: %v", err)
	}
}
