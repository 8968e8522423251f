package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/metrics"
)

// Client creates worlds and starts, cancels and queries their
// generation on Temporal.
type Client struct {
	Client client.Client
	Store  generia.Store
	Logger *slog.Logger
	// BudgetUSD is the provider budget of each new world; 0 means none.
	BudgetUSD float64
	// Metrics counts started worlds; nil counts nothing.
	Metrics *metrics.Metrics
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Life is how worlds live when their owners set nothing.
	LifeDefaults LifeDefaults

	views viewSignals
	lives lifeCache
}

func (g *Client) log() *slog.Logger {
	if g.Logger != nil {
		return g.Logger
	}
	return slog.Default()
}

func (g *Client) now() time.Time {
	if g.Now != nil {
		return g.Now().UTC()
	}
	return time.Now().UTC()
}

// Create validates a request, records the world with its status record and
// starts its generation with the given providers. Bad input gives
// KindInvalid and creates nothing. If Temporal cannot be reached, the world
// is recorded as failed with a reason, and KindUnavailable is returned.
func (g *Client) Create(ctx context.Context, ownerID string, req generia.NewWorld, providers generia.Providers) (generia.World, error) {
	if err := req.Validate(); err != nil {
		return generia.World{}, err
	}
	now := g.now()
	id := uuid.NewString()
	w := generia.World{
		ID: id, OwnerID: ownerID, Name: req.Name, Prompt: req.Prompt,
		CharactersCount: req.CharactersCount, PostsCount: req.PostsCount, Visibility: req.Visibility,
		Providers: providers, WorkflowID: generia.WorldWorkflowID(id), CreatedAt: now, UpdatedAt: now,
	}
	status := generia.NewGenerationStatus(w, generia.NewPlan(w.CharactersCount, w.PostsCount))
	status.BudgetUSD = g.BudgetUSD
	if err := g.Store.CreateWorld(ctx, w, status); err != nil {
		return generia.World{}, fmt.Errorf("creating world: %w", err)
	}
	if err := g.Start(ctx, w); err != nil {
		msg := generia.ErrorMessage(err) // ours, safe for anyone
		if _, ferr := g.Store.FinishGeneration(context.WithoutCancel(ctx), w.ID, generia.StatusFailed, msg, msg, g.now()); ferr != nil {
			g.Logger.Error("recording a generation that could not start", "world_id", w.ID, "error", ferr)
		}
		return w, err
	}
	g.Metrics.World("started")
	g.Logger.Info("world generation started", "world_id", w.ID, "workflow_id", w.WorkflowID,
		"characters", w.CharactersCount, "posts", w.PostsCount, "llm", providers.LLM, "image", providers.Image)
	return w, nil
}

// Start starts a world's generation. Starting one that already runs or ran
// is not an error, so callers can retry and reconcile freely.
func (g *Client) Start(ctx context.Context, w generia.World) error {
	opts := client.StartWorkflowOptions{
		ID:                       generia.WorldWorkflowID(w.ID),
		TaskQueue:                QueueMain,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enums.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
	}
	in := Input{WorldID: w.ID, Characters: w.CharactersCount, Posts: w.PostsCount, LLM: w.Providers.LLM, Image: w.Providers.Image}
	_, err := g.Client.ExecuteWorkflow(ctx, opts, WorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return nil
	}
	if err != nil {
		return generia.WrapError(generia.KindUnavailable, err, "the generation could not be started: Temporal is unavailable")
	}
	return nil
}

// Reconcile starts the generation of every world whose status record says
// it is pending or in progress, in case the process that created it stopped
// before it could start it. Running generations are left as they are.
func (g *Client) Reconcile(ctx context.Context) error {
	ids, err := g.Store.ListActiveGenerations(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		w, err := g.Store.World(ctx, id)
		if err != nil {
			return err
		}
		if err := g.Start(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

// Cancel cancels a world's generation: from the moment it returns, no
// provider is called and no item is created for the world; the workflow then
// records the world as cancelled.
func (g *Client) Cancel(ctx context.Context, worldID string) error {
	if err := g.Store.RequestCancel(ctx, worldID, g.now()); err != nil {
		return err
	}
	err := g.Client.CancelWorkflow(ctx, generia.WorldWorkflowID(worldID), "")
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		// Nothing runs (it never started): record the end here.
		_, err = g.Store.FinishGeneration(ctx, worldID, generia.StatusCancelled, "cancelled", "cancelled", g.now())
		return err
	}
	if err != nil {
		return generia.WrapError(generia.KindUnavailable, err, "the cancel is recorded but Temporal could not be told; the generation stops at its next step")
	}
	return nil
}

// Query asks a running generation for its own view of its progress.
func (g *Client) Query(ctx context.Context, worldID string) (QueryStatus, error) {
	var q QueryStatus
	v, err := g.Client.QueryWorkflow(ctx, generia.WorldWorkflowID(worldID), "", StatusQuery)
	if err != nil {
		return q, fmt.Errorf("querying world %s: %w", worldID, err)
	}
	return q, v.Get(&q)
}
