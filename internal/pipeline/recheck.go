package pipeline

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/generia"
)

// A person's post, comment, character or world edit is checked in the
// request that stores it; when the moderation service does not answer, the
// item is stored held (generia.ReasonUnchecked) and ContentRecheck checks
// it again, on the LLM queue, retried for as long as the service is down,
// then applies the answer: passed, it is shown (its case resolved);
// held, it waits for a moderator; blocked, it is hidden.

// RecheckName is the registered name of ContentRecheck.
const RecheckName = "ContentRecheck"

// recheckTimeout bounds how long an item waits for the service: past it,
// it stays held for a moderator.
const recheckTimeout = 7 * 24 * time.Hour

// RecheckWorkflowID is the workflow ID of the recheck of one item.
func RecheckWorkflowID(s generia.Subject) string { return "content-recheck-" + s.Type + "-" + s.ID }

// ContentRecheck checks a held item again until the moderation service
// answers, and applies the answer (ApplyRecheck).
func ContentRecheck(ctx workflow.Context, r generia.Recheck) error {
	var c Check
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, checkOptions(QueueLLM)), a.RecheckPerson, r).Get(ctx, &c)
	if err != nil {
		return err
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, servicesOptions), a.ApplyRecheck, RecheckAnswer{Recheck: r, Check: c}).Get(ctx, nil)
}

// RecheckAnswer is a recheck with the check's answer.
type RecheckAnswer struct {
	Recheck generia.Recheck
	Check   Check
}

// RecheckPerson checks a person's held text again. A service that fails is
// retried (the workflow waits); one that cannot judge the text holds it.
func (a *Activities) RecheckPerson(ctx context.Context, r generia.Recheck) (Check, error) {
	defer heartbeat(ctx)()
	if a.Moderator == nil {
		return Check{}, errors.New("no moderator on this worker")
	}
	v, err := a.Moderator.CheckText(ctx, generia.TextCheck{Kind: r.Kind, Text: r.Text, UserID: generia.SafetyID(r.AuthorID)})
	switch {
	case err != nil && unjudgeable(err):
		return unjudged(a.Moderator.Name(), err), nil
	case err != nil:
		return Check{}, moderatorError(a.Moderator.Name(), err)
	}
	return a.judge(v), nil
}

// ApplyRecheck applies a recheck's answer to its item, if the item still
// waits for it (a moderator or an edit may have decided meanwhile), with
// its audit entry: passed or labelled, it is shown and its case resolved;
// held, it waits for a moderator, with the reason; blocked, it is hidden.
func (a *Activities) ApplyRecheck(ctx context.Context, ans RecheckAnswer) error {
	r, c := ans.Recheck, ans.Check
	cur, err := generia.ReviewOf(ctx, a.Store, r.Subject)
	if generia.IsKind(err, generia.KindNotFound) {
		return nil // deleted meanwhile
	}
	if err != nil {
		return storeError(err)
	}
	if cur.State != generia.ReviewHeld || cur.Reason != generia.ReasonUnchecked {
		return nil
	}
	entry := generia.AuditEntry{ID: "recheck-" + r.Subject.Type + "-" + r.Subject.ID, Actor: generia.ActorSystem, Subject: r.Subject,
		CaseID: r.CaseID, Reason: c.Reason, CreatedAt: a.now()}
	switch c.Decision {
	case generia.DecisionBlock:
		entry.Verb = generia.ActionHide
		err = a.Store.SetReview(ctx, r.Subject, generia.Review{State: generia.ReviewHidden, Labels: cur.Labels, Reason: c.Reason})
	case generia.DecisionHold:
		entry.Verb = "hold"
		err = a.Store.SetReview(ctx, r.Subject, c.review())
	default:
		entry.Verb, entry.Reason = generia.ActionApprove, "the moderation check passed it once it answered"
		review := generia.Review{Labels: c.Labels}
		if r.CaseID == "" {
			err = a.Store.SetReview(ctx, r.Subject, review)
			break
		}
		_, err = a.Store.Resolve(ctx, r.CaseID, generia.ActionApprove, &review, nil, entry)
		if generia.IsKind(err, generia.KindConflict) { // a moderator resolved it meanwhile
			err = nil
		}
		return storeError(err)
	}
	if err != nil {
		return storeError(err)
	}
	return a.audit(ctx, entry)
}

// Recheck starts the recheck of a person's item held because its check
// did not answer; a recheck of the item already running is left to run.
func (g *Client) Recheck(ctx context.Context, r generia.Recheck) error {
	opts := client.StartWorkflowOptions{
		ID:                       RecheckWorkflowID(r.Subject),
		TaskQueue:                QueueMain,
		WorkflowExecutionTimeout: recheckTimeout,
		WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
	}
	_, err := g.Client.ExecuteWorkflow(ctx, opts, RecheckName, r)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if err != nil && !errors.As(err, &started) {
		return generia.WrapError(generia.KindUnavailable, err, "the recheck could not be started: Temporal is unavailable")
	}
	return nil
}
