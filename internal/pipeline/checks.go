package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline/timeleft"
)

// Moderation of generated content. A world's prompt is checked before
// anything is paid for; each generated text and image is checked before it
// is published. An item a check flags (hold or block) is made again, at
// most maxRetakes times, each take under a key of its own (keyTake) so
// that a stored answer is not reused; an item still flagged after that is
// published held for review (HoldGenerated). A moderation service that
// fails is retried like a provider outage: nothing is published unchecked.

// maxRetakes is how many times a flagged or refused item is made again.
const maxRetakes = 2

// keyTake is the key of take n of the item at key: take 0 is the key
// itself.
func keyTake(key string, take int) string {
	if take == 0 {
		return key
	}
	return fmt.Sprintf("%s/take/%d", key, take)
}

// retakable reports whether the artifact at key is a checked text that may
// have later takes: the world's description, a character's profile, a
// post's detail.
func retakable(key string) bool {
	return key == keyWorldDescription() || strings.HasPrefix(key, "character/") && strings.HasSuffix(key, "/detail")
}

// latest returns the artifact at key, or its latest take when the item was
// made again: the take that was published.
func (a *Activities) latest(ctx context.Context, worldID, key string) (generia.Artifact, error) {
	if retakable(key) {
		for take := maxRetakes; take > 0; take-- {
			g, err := a.Store.Artifact(ctx, worldID, keyTake(key, take))
			if err == nil || !generia.IsKind(err, generia.KindNotFound) {
				return g, err
			}
		}
	}
	return a.Store.Artifact(ctx, worldID, key)
}

// Check is what moderation decided about one item, as the workflow carries
// it: the decision, the categories it is labelled with, and why.
type Check struct {
	Decision generia.Decision
	Labels   []generia.Category `json:",omitempty"`
	// Reason says why the item is held or refused, for its owner and
	// moderators (a block of a prompt: for anyone).
	Reason string `json:",omitempty"`
}

// flagged reports whether the item may not be published as it is.
func (c Check) flagged() bool {
	return c.Decision == generia.DecisionHold || c.Decision == generia.DecisionBlock
}

// merge is the item's decision when both c and d judged it (its text and
// its image): the stricter decision, with every label.
func (c Check) merge(d Check) Check {
	out := c
	if c.Decision == "" || d.Decision.Stricter(c.Decision) {
		out.Decision, out.Reason = d.Decision, d.Reason
	}
	out.Labels = slices.Clone(c.Labels)
	for _, l := range d.Labels {
		if !slices.Contains(out.Labels, l) {
			out.Labels = append(out.Labels, l)
		}
	}
	return out
}

// review is the review state an item is published with.
func (c Check) review() generia.Review {
	r := generia.Review{Labels: c.Labels}
	if c.flagged() {
		r.State, r.Reason = generia.ReviewHeld, c.Reason
	}
	return r
}

// judge turns a verdict into a Check under the operator's policy.
func (a *Activities) judge(v generia.Verdict) Check {
	policy := a.Policy
	if policy == nil {
		policy = generia.DefaultPolicy()
	}
	c := Check{Decision: v.Decide(policy)}
	for _, cat := range v.Flagged {
		if (generia.Verdict{Flagged: []generia.Category{cat}}).Decide(policy) == generia.DecisionLabel && !slices.Contains(c.Labels, cat) {
			c.Labels = append(c.Labels, cat)
		}
	}
	if c.flagged() {
		c.Reason = fmt.Sprintf("held for review: flagged as %s by the %s check", joinCategories(v.Flagged), v.Checker)
	}
	return c
}

// categoryPhrases say what content of a category is, in a sentence's words.
var categoryPhrases = map[generia.Category]string{
	generia.CategorySexual:          "sexual content",
	generia.CategorySexualMinors:    "sexual content involving minors",
	generia.CategoryViolence:        "violence",
	generia.CategoryViolenceGraphic: "graphic violence",
	generia.CategorySelfHarm:        "self-harm",
	generia.CategoryHate:            "hateful content",
	generia.CategoryHarassment:      "harassment",
	generia.CategoryIllicit:         "illicit activity",
	generia.CategorySpam:            "spam",
}

func joinCategories(cats []generia.Category) string {
	names := make([]string, len(cats))
	for i, c := range cats {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// refusal is the public reason a prompt is refused: the first category
// the policy blocks.
func refusal(v generia.Verdict, policy generia.Policy) string {
	for _, cat := range v.Flagged {
		if (generia.Verdict{Flagged: []generia.Category{cat}}).Decide(policy) == generia.DecisionBlock {
			return "the prompt was refused: it asks for " + categoryPhrases[cat]
		}
	}
	return "the prompt was refused"
}

// moderatorError turns a moderation service's error into an activity
// error. Content that could not be judged is never passed: a bad key is
// final (and stops the world, as a provider's does); anything else is
// retried, after the delay the service asked for.
func moderatorError(name string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return temporal.NewApplicationErrorWithCause("the moderation service did not answer in time", errUnavailable, err)
	}
	msg := "moderation (" + name + "): " + generia.ErrorMessage(err)
	switch generia.ErrorKind(err) {
	case generia.KindUnauthorized, generia.KindForbidden:
		return temporal.NewNonRetryableApplicationError(msg+" (check MODERATION_API_KEY)", errUnauthorized, err)
	}
	var delay time.Duration
	var pe *generia.ProviderError
	if errors.As(err, &pe) {
		delay = min(pe.RetryAfter, maxRetryAfter)
	}
	return temporal.NewApplicationErrorWithOptions(msg, errUnavailable, temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: delay})
}

// unjudgeable reports whether the service answered that it cannot judge
// this content (too large, a format it refuses): asking again cannot help,
// so the item is held for a person to judge.
func unjudgeable(err error) bool {
	return generia.IsKind(err, generia.KindInvalid) || generia.IsKind(err, generia.KindTooLarge)
}

func unjudged(name string, err error) Check {
	return Check{Decision: generia.DecisionHold, Reason: "held for review: the " + name + " check could not judge it (" + generia.ErrorMessage(err) + ")"}
}

// checkOptions are a check's activity options on queue: a check is quick,
// and retried with backoff for as long as the service is down, for it may
// not be skipped. Its heartbeat says it lives, so that a check whose worker
// died is retried elsewhere within seconds, not after its minute.
func checkOptions(queue string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:           queue,
		StartToCloseTimeout: time.Minute,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: timeleft.RetryLongest,
			NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// TextJob asks for the check of a generated text: the item at Key (a
// world's description, a character's profile, a post's detail), take
// WorldRef.Take.
type TextJob struct {
	WorldRef
	Kind string // generia.CheckDescription, CheckProfile or CheckPost
	Key  string
}

// ItemReview applies a check's decision to a published item.
type ItemReview struct {
	WorldID string
	Subject generia.Subject
	Check   Check
}

// CheckPrompt checks a world's prompt (and name) before anything is paid
// for. A block gives a Check whose Reason anyone may read.
func (a *Activities) CheckPrompt(ctx context.Context, ref WorldRef) (Check, error) {
	defer heartbeat(ctx)()
	w, err := a.Store.World(ctx, ref.WorldID)
	if err != nil {
		return Check{}, storeError(err)
	}
	text := w.Prompt
	if w.Name != "" {
		text = w.Name + "\n" + text
	}
	v, err := a.Moderator.CheckText(ctx, generia.TextCheck{Kind: generia.CheckPrompt, Text: text, UserID: generia.SafetyID(w.OwnerID)})
	if unjudgeable(err) {
		return unjudged(a.Moderator.Name(), err), nil
	} else if err != nil {
		return Check{}, moderatorError(a.Moderator.Name(), err)
	}
	c := a.judge(v)
	if c.Decision == generia.DecisionBlock {
		c.Reason = refusal(v, a.policy())
		subject := generia.Subject{Type: generia.SubjectWorld, ID: w.ID}
		err := a.audit(ctx, generia.AuditEntry{ID: ItemID(w.ID, "audit/refuse/prompt"), Actor: generia.ActorSystem, Verb: "refuse", Subject: subject,
			Reason: c.Reason, Snapshot: &generia.Snapshot{Subject: subject, WorldID: w.ID, AuthorID: w.OwnerID, Text: text, TakenAt: a.now()}})
		if err != nil {
			return Check{}, err
		}
	}
	a.logCheck(ref.WorldID, generia.CheckPrompt, "", v, c)
	return c, nil
}

func (a *Activities) policy() generia.Policy {
	if a.Policy == nil {
		return generia.DefaultPolicy()
	}
	return a.Policy
}

// CheckText checks a generated text before it is published: every text of
// the item a reader may see.
func (a *Activities) CheckText(ctx context.Context, job TextJob) (Check, error) {
	defer heartbeat(ctx)()
	key := keyTake(job.Key, job.Take)
	g, err := a.Store.Artifact(ctx, job.WorldID, key)
	if err != nil {
		return Check{}, storeError(err)
	}
	w, err := a.Store.World(ctx, job.WorldID)
	if err != nil {
		return Check{}, storeError(err)
	}
	text, err := textsOf(g.Output)
	if err != nil {
		return Check{}, temporal.NewNonRetryableApplicationError("the artifact "+key+" does not decode", errInvalid, err)
	}
	v, err := a.Moderator.CheckText(ctx, generia.TextCheck{Kind: job.Kind, Text: text, UserID: generia.SafetyID(w.OwnerID)})
	if unjudgeable(err) {
		return unjudged(a.Moderator.Name(), err), nil
	} else if err != nil {
		return Check{}, moderatorError(a.Moderator.Name(), err)
	}
	c := a.judge(v)
	a.logCheck(job.WorldID, job.Kind, key, v, c)
	return c, nil
}

// textsOf joins every string of a generated JSON document, one a line:
// what a reader of the item may see (names, bios, captions, hashtags).
func textsOf(doc []byte) (string, error) {
	var v any
	if err := json.Unmarshal(doc, &v); err != nil {
		return "", err
	}
	var lines []string
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if strings.TrimSpace(v) != "" {
				lines = append(lines, v)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				walk(v[k])
			}
		}
	}
	walk(v)
	return strings.Join(lines, "\n"), nil
}

// CheckImage checks a generated image before it is published: the
// moderator's judgement together with the image provider's own check
// (kept with the image when it was painted); the stricter counts, so the
// provider's check stands alone when the moderator cannot see images.
func (a *Activities) CheckImage(ctx context.Context, job ImageJob) (Check, error) {
	defer heartbeat(ctx)()
	key := job.Key()
	id := ItemID(job.WorldID, key)
	m, err := a.Store.Media(ctx, id)
	if err != nil {
		return Check{}, storeError(err)
	}
	w, err := a.Store.World(ctx, job.WorldID)
	if err != nil {
		return Check{}, storeError(err)
	}
	c := Check{Decision: generia.DecisionAllow}
	if own, err := artifact[generia.Verdict](ctx, a, job.WorldID, keyImageVerdict(key)); err == nil {
		c = a.judge(own)
		a.logCheck(job.WorldID, generia.CheckImage, key, own, c)
	} else if !generia.IsKind(err, generia.KindNotFound) {
		return Check{}, storeError(err)
	}
	data, err := a.mediaBytes(ctx, m.ObjectKey)
	if err != nil {
		return Check{}, temporal.NewApplicationErrorWithCause("reading the image to check", errUnavailable, err)
	}
	v, err := a.Moderator.CheckImage(ctx, generia.ImageCheck{Kind: generia.CheckImage, Data: data, ContentType: m.ContentType, UserID: generia.SafetyID(w.OwnerID)})
	if unjudgeable(err) {
		return c.merge(unjudged(a.Moderator.Name(), err)), nil
	} else if err != nil {
		return Check{}, moderatorError(a.Moderator.Name(), err)
	}
	mine := a.judge(v)
	a.logCheck(job.WorldID, generia.CheckImage, key, v, mine)
	return c.merge(mine), nil
}

// keyImageVerdict is the key of the image provider's own check of the
// image at key.
func keyImageVerdict(key string) string { return key + "/verdict" }

func (a *Activities) mediaBytes(ctx context.Context, objectKey string) ([]byte, error) {
	r, err := a.Media.Open(ctx, objectKey)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func (a *Activities) logCheck(worldID, kind, key string, v generia.Verdict, c Check) {
	if len(v.Flagged) == 0 {
		return
	}
	a.log().Info("a check flagged generated content", "world_id", worldID, "kind", kind, "key", key,
		"checker", v.Checker, "flagged", joinCategories(v.Flagged), "decision", c.Decision)
}

// ReviewItem applies a check's decision to a published item: labelled, or
// held (counted in the world's items held) with a case in the moderators'
// queue and a line in the audit log, so that a moderator can approve it.
// Retried, it opens no second case and writes no second line.
func (a *Activities) ReviewItem(ctx context.Context, r ItemReview) error {
	if !r.Check.flagged() {
		if len(r.Check.Labels) == 0 {
			return nil
		}
		return storeError(a.Store.SetReview(ctx, r.Subject, r.Check.review()))
	}
	if err := a.Store.HoldGenerated(ctx, r.Subject, r.Check.review()); err != nil {
		return storeError(err)
	}
	snap, err := a.snapshot(ctx, r.WorldID, r.Subject)
	if err != nil {
		return storeError(err)
	}
	once := "hold/" + r.Subject.String() + "/" + r.Check.Reason
	c, err := a.Store.OpenCase(ctx, generia.Case{ID: ItemID(r.WorldID, "case/"+once), Subject: r.Subject, WorldID: r.WorldID,
		Source: generia.SourceCheck, Snapshot: snap, CreatedAt: a.now()})
	if err != nil {
		return storeError(err)
	}
	return a.audit(ctx, generia.AuditEntry{ID: ItemID(r.WorldID, "audit/"+once), Actor: generia.ActorSystem, Verb: "hold",
		Subject: r.Subject, CaseID: c.ID, Reason: r.Check.Reason, Snapshot: &snap, CreatedAt: a.now()})
}

// audit appends an automatic decision to the audit log once: an entry a
// retry already wrote is not an error.
func (a *Activities) audit(ctx context.Context, e generia.AuditEntry) error {
	if err := a.Store.Audit(ctx, e); err != nil && !generia.IsKind(err, generia.KindConflict) {
		return storeError(err)
	}
	return nil
}

// snapshot is a generated item as it is published, for its case and the
// audit log.
func (a *Activities) snapshot(ctx context.Context, worldID string, s generia.Subject) (generia.Snapshot, error) {
	w, err := a.Store.World(ctx, worldID)
	if err != nil {
		return generia.Snapshot{}, err
	}
	snap := generia.Snapshot{Subject: s, WorldID: worldID, AuthorID: w.OwnerID, Generated: true, TakenAt: a.now()}
	switch s.Type {
	case generia.SubjectWorld:
		snap.Text, snap.MediaID = strings.TrimSpace(w.Name+"\n"+w.Description), w.HeaderMediaID
	case generia.SubjectCharacter:
		c, err := a.Store.Character(ctx, s.ID)
		if err != nil {
			return generia.Snapshot{}, err
		}
		snap.Text, snap.MediaID = c.DisplayName+" (@"+c.Username+")\n"+c.Bio, c.AvatarMediaID
	case generia.SubjectPost:
		p, err := a.Store.Post(ctx, s.ID, "")
		if err != nil {
			return generia.Snapshot{}, err
		}
		snap.Text, snap.MediaID = p.Caption, p.MediaID
	}
	return snap, nil
}
