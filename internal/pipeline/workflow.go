package pipeline

import (
	"fmt"
	"time"

	"go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline/timeleft"
)

// providerOptions are the options of a provider call's activity on queue: a
// call may be slow (its heartbeat says it lives), and is retried with
// backoff from initial up to a minute.
func providerOptions(queue string, initial time.Duration) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		TaskQueue:           queue,
		StartToCloseTimeout: 3 * time.Minute,
		HeartbeatTimeout:    20 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: initial, BackoffCoefficient: 2, MaximumInterval: timeleft.RetryLongest,
			MaximumAttempts: timeleft.CallAttempts, NonRetryableErrorTypes: nonRetryable,
		},
	}
}

// Activity options per queue. Provider calls may be slow and are retried
// with backoff; store writes are quick and retried more often. Errors
// retrying cannot fix are non-retryable (see errors.go).
var (
	// quickRetry retries the quick activities: store writes and progress.
	quickRetry = &temporal.RetryPolicy{
		InitialInterval: 500 * time.Millisecond, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second,
		MaximumAttempts: 10, NonRetryableErrorTypes: nonRetryable,
	}
	llmOptions      = providerOptions(QueueLLM, timeleft.RetryLLM)
	imageOptions    = providerOptions(QueueImages, timeleft.RetryImages)
	servicesOptions = workflow.ActivityOptions{
		TaskQueue:           QueueServices,
		StartToCloseTimeout: 15 * time.Second,
		RetryPolicy:         quickRetry,
	}
	progressOptions = workflow.ActivityOptions{
		TaskQueue:           QueueProgress,
		StartToCloseTimeout: 15 * time.Second,
		RetryPolicy:         quickRetry,
	}
)

// finishOptions retry recording the end until it is recorded: a world must
// never be left in progress.
var finishOptions = workflow.ActivityOptions{
	TaskQueue:           QueueProgress,
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		NonRetryableErrorTypes: []string{errNotFound},
	},
}

// a names activities for ExecuteActivity; its methods are never called on it.
var a *Activities

// QueryStatus is the workflow's own view of its progress, answered by the
// status query.
type QueryStatus struct {
	Status            string          `json:"status"`
	CurrentStage      string          `json:"current_stage"`
	Stages            []generia.Stage `json:"stages"`
	CharactersCreated int             `json:"users_created"`
	CharactersPlanned int             `json:"users_predicted"`
	PostsCreated      int             `json:"posts_created"`
	PostsPlanned      int             `json:"posts_predicted"`
	ImagesCreated     int             `json:"images_created"`
	// ItemsHeld counts the generated items published held for review.
	ItemsHeld int      `json:"items_held"`
	Errors    []string `json:"errors,omitempty"`
}

// worldRun is the state of one running WorldGeneration.
type worldRun struct {
	in   Input
	plan generia.Plan
	q    QueryStatus
	stop workflow.CancelFunc
	// fatal is the error that stopped the world, if any; fatalPublic and
	// firstPublic are that error and the first item's as anyone may read
	// them.
	fatal, fatalPublic string
	firstPublic        string
	// checks says the run checks its prompt and what it generates (see
	// moderationChange); world is the world's own review so far.
	checks bool
	world  Check
}

// WorldGeneration generates a world: its description, then in parallel its
// images and its characters, each character's posts starting as soon as the
// character exists; then it verifies that everything planned exists.
func WorldGeneration(ctx workflow.Context, in Input) (Result, error) {
	plan := generia.NewPlan(in.Characters, in.Posts)
	g := &worldRun{in: in, plan: plan, world: Check{Decision: generia.DecisionAllow}}
	g.q = QueryStatus{Status: generia.StatusInProgress, CurrentStage: generia.StageInitializing,
		CharactersPlanned: plan.Characters(), PostsPlanned: plan.TotalPosts()}
	for _, s := range generia.Stages {
		g.q.Stages = append(g.q.Stages, generia.Stage{Name: s, Status: generia.StagePending})
	}
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (QueryStatus, error) { return g.q, nil }); err != nil {
		return Result{}, err
	}
	log := workflow.GetLogger(ctx)
	log.Info("generating world", "plan", plan.String()) // the SDK adds workflow_id and world_id

	runCtx, stop := workflow.WithCancel(ctx)
	g.stop = stop
	g.run(runCtx)

	// Record the end even if the workflow was cancelled.
	endCtx, cancelEnd := workflow.NewDisconnectedContext(ctx)
	defer cancelEnd()
	finish := Finish{WorldID: in.WorldID, Status: generia.StatusCompleted}
	switch {
	case ctx.Err() != nil:
		finish.Status = generia.StatusCancelled
		finish.Error = "cancelled"
	case g.fatal != "":
		finish.Status, finish.Error, finish.PublicError = generia.StatusFailed, g.fatal, g.fatalPublic
	case len(g.q.Errors) > 0:
		finish.Status, finish.Error, finish.PublicError = generia.StatusFailed, g.failureSummary(g.q.Errors[0]), g.failureSummary(g.firstPublic)
	default:
		g.advance(endCtx, StageChange{generia.StageFinishing, generia.StageInProgress})
	}
	var res Result
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(endCtx, finishOptions), a.FinishGeneration, finish).Get(endCtx, &res)
	if err != nil {
		return Result{}, fmt.Errorf("recording the end of the generation: %w", err)
	}
	g.q.Status = res.Status
	if res.Status == generia.StatusCompleted && ctx.Err() == nil &&
		workflow.GetVersion(ctx, firstViewChange, workflow.DefaultVersion, 1) == 1 {
		g.startFirstView(ctx)
	}
	switch res.Status {
	case generia.StatusCancelled:
		return res, temporal.NewCanceledError("generation cancelled")
	case generia.StatusFailed:
		return res, temporal.NewNonRetryableApplicationError(res.Error, "GenerationFailed", nil)
	}
	return res, nil
}

// firstViewChange names the version of the workflow that starts the
// warm-up of a completed world's first view; runs that began before it do
// not.
const firstViewChange = "first-view-workflow"

// castStageChange names the version of the workflow whose characters stage
// ends when every character has its profile and avatar; in runs that began
// before it, the stage ended with the last post.
const castStageChange = "characters-stage-ends-with-the-cast"

// moderationChange names the version of the workflow that checks a world's
// prompt before anything is paid for and each generated item before it is
// published; runs that began before it check nothing.
const moderationChange = "moderation-checks"

// startFirstView starts the warm-up of the completed world's first view
// (FirstView) as a workflow of its own that outlives this one: the
// generation ends as its status says, and no one waits for the warm-up.
func (g *worldRun) startFirstView(ctx workflow.Context) {
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:         generia.FirstViewWorkflowID(g.in.WorldID),
		WorkflowRunTimeout: 10 * time.Minute,
		ParentClosePolicy:  enums.PARENT_CLOSE_POLICY_ABANDON,
	}
	run := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), FirstViewName, g.in.WorldID)
	if err := run.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("the warm-up of the first view did not start; its variants are made when first asked for", "error", err)
	}
}

// FirstViewName is the registered name of FirstView.
const FirstViewName = "FirstView"

// warmFirstViewOptions run the warm-up once more if it fails: the variants
// it would have made are made on the first request for them anyway.
var warmFirstViewOptions = workflow.ActivityOptions{
	TaskQueue:           QueueImages,
	StartToCloseTimeout: 5 * time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, MaximumAttempts: 2},
}

// FirstView makes the variants of a completed world's first view before
// anyone asks for them (see Activities.WarmFirstView).
func FirstView(ctx workflow.Context, worldID string) error {
	var made int
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, warmFirstViewOptions), a.WarmFirstView, worldID).Get(ctx, &made)
	if err != nil {
		return err
	}
	workflow.GetLogger(ctx).Info("first view warmed", "world_id", worldID, "variants", made)
	return nil
}

// failureSummary is the error of a world whose items failed: how many, and
// the first reason.
func (g *worldRun) failureSummary(first string) string {
	missingChars := g.plan.Characters() - g.q.CharactersCreated
	missingPosts := g.plan.TotalPosts() - g.q.PostsCreated
	return fmt.Sprintf("%d of %d characters and %d of %d posts could not be generated; first error: %s",
		missingChars, g.plan.Characters(), missingPosts, g.plan.TotalPosts(), first)
}

func (g *worldRun) ref() WorldRef { return WorldRef{WorldID: g.in.WorldID, Provider: g.in.LLM} }

func (g *worldRun) imageRef() WorldRef {
	return WorldRef{WorldID: g.in.WorldID, Provider: g.in.Image}
}

// fail records an item's failure. A fatal error stops the whole world.
func (g *worldRun) fail(ctx workflow.Context, what string, err error) {
	if ctx.Err() != nil && temporal.IsCanceledError(err) {
		return // the world was stopped: not this item's fault
	}
	msg := what + ": " + errorMessage(err)
	public := what + ": " + publicReason(err)
	workflow.GetLogger(ctx).Warn("generation step failed", "step", what, "error", msg)
	if fatal[errorType(err)] {
		if g.fatal == "" {
			g.fatal, g.fatalPublic = msg, public
			g.stop()
		}
		return
	}
	if len(g.q.Errors) == 0 {
		g.firstPublic = public
	}
	if len(g.q.Errors) < 20 {
		g.q.Errors = append(g.q.Errors, msg)
	}
}

// advance records stage changes, in the workflow's view and in the store.
func (g *worldRun) advance(ctx workflow.Context, changes ...StageChange) {
	for _, c := range changes {
		for i := range g.q.Stages {
			if g.q.Stages[i].Name == c.Stage {
				g.q.Stages[i].Status = c.Status
			}
		}
		if c.Status == generia.StageInProgress {
			g.q.CurrentStage = c.Stage
		}
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, progressOptions), a.AdvanceStages,
		StageUpdate{WorldID: g.in.WorldID, Changes: changes}).Get(ctx, nil)
	if err != nil {
		g.fail(ctx, "recording progress", err)
	}
}

func (g *worldRun) stageStatus(name string) string {
	for _, s := range g.q.Stages {
		if s.Name == name {
			return s.Status
		}
	}
	return ""
}

// endStage completes a stage, or fails it when any of its items failed.
func (g *worldRun) endStage(ctx workflow.Context, name string, ok bool) {
	if ctx.Err() != nil {
		return
	}
	status := generia.StageCompleted
	if !ok {
		status = generia.StageFailed
	}
	g.advance(ctx, StageChange{name, status})
}

func (g *worldRun) run(ctx workflow.Context) {
	g.advance(ctx, StageChange{generia.StageInitializing, generia.StageCompleted}, StageChange{generia.StageWorldDescription, generia.StageInProgress})
	if ctx.Err() != nil {
		return
	}
	g.checks = workflow.GetVersion(ctx, moderationChange, workflow.DefaultVersion, 1) == 1
	if g.checks && !g.checkPrompt(ctx) {
		return
	}
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	services := workflow.WithActivityOptions(ctx, servicesOptions)
	_, desc, err := g.made(ctx, "world description", func(take int) (string, error) {
		ref := g.ref()
		ref.Take = take
		return "", workflow.ExecuteActivity(llm, a.DescribeWorld, ref).Get(ctx, nil)
	}, func(take int) (Check, error) {
		return g.checkText(ctx, generia.CheckDescription, keyWorldDescription(), take)
	})
	if err != nil {
		g.fail(ctx, "world description", err)
		g.endStage(ctx, generia.StageWorldDescription, false)
		return
	}
	if err := workflow.ExecuteActivity(services, a.SaveWorldDescription, g.ref()).Get(ctx, nil); err != nil {
		g.fail(ctx, "saving the world description", err)
		g.endStage(ctx, generia.StageWorldDescription, false)
		return
	}
	g.reviewWorld(ctx, desc)
	g.advance(ctx,
		StageChange{generia.StageWorldDescription, generia.StageCompleted},
		StageChange{generia.StageWorldImages, generia.StageInProgress},
		StageChange{generia.StageCharacters, generia.StageInProgress})

	wg := workflow.NewWaitGroup(ctx)
	wg.Add(2)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer wg.Done()
		g.endStage(ctx, generia.StageWorldImages, g.worldImages(ctx))
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer wg.Done()
		g.characters(ctx)
	})
	wg.Wait(ctx)
}

// worldImages makes the header and icon and attaches them to the world.
func (g *worldRun) worldImages(ctx workflow.Context) bool {
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	if err := workflow.ExecuteActivity(llm, a.PromptWorldImages, g.ref()).Get(ctx, nil); err != nil {
		g.fail(ctx, "world image prompts", err)
		return false
	}
	if !g.checks {
		return g.worldImagesUnchecked(ctx)
	}
	var w WorldImages
	w.WorldID = g.in.WorldID
	var errH, errI error
	var checkH, checkI Check
	both := workflow.NewWaitGroup(ctx)
	both.Add(2)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer both.Done()
		w.HeaderMediaID, checkH, errH = g.image(ctx, "world header", ImageJob{WorldRef: g.imageRef(), Kind: generia.MediaWorldHeader})
	})
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer both.Done()
		w.IconMediaID, checkI, errI = g.image(ctx, "world icon", ImageJob{WorldRef: g.imageRef(), Kind: generia.MediaWorldIcon})
	})
	both.Wait(ctx)
	if errH != nil || errI != nil {
		g.fail(ctx, "world images", firstErr(errH, errI))
		return false
	}
	g.q.ImagesCreated += 2
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, servicesOptions), a.AttachWorldImages, w).Get(ctx, nil)
	if err != nil {
		g.fail(ctx, "attaching world images", err)
		return false
	}
	g.reviewWorld(ctx, checkH.merge(checkI))
	return true
}

// worldImagesUnchecked paints and attaches the header and icon as runs
// begun before moderationChange did, command for command.
func (g *worldRun) worldImagesUnchecked(ctx workflow.Context) bool {
	images := workflow.WithActivityOptions(ctx, imageOptions)
	header := workflow.ExecuteActivity(images, a.PaintImage, ImageJob{WorldRef: g.imageRef(), Kind: generia.MediaWorldHeader})
	icon := workflow.ExecuteActivity(images, a.PaintImage, ImageJob{WorldRef: g.imageRef(), Kind: generia.MediaWorldIcon})
	var w WorldImages
	w.WorldID = g.in.WorldID
	errH := header.Get(ctx, &w.HeaderMediaID)
	errI := icon.Get(ctx, &w.IconMediaID)
	if errH != nil || errI != nil {
		g.fail(ctx, "world images", firstErr(errH, errI))
		return false
	}
	g.q.ImagesCreated += 2
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, servicesOptions), a.AttachWorldImages, w).Get(ctx, nil)
	if err != nil {
		g.fail(ctx, "attaching world images", err)
		return false
	}
	return true
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// characters plans the cast batch by batch; each planned character goes on
// at once (profile, avatar, posts) while the next batch is planned. The
// characters stage ends when every character has its profile and avatar,
// the posts stage with the last post.
func (g *worldRun) characters(ctx workflow.Context) {
	castStage := workflow.GetVersion(ctx, castStageChange, workflow.DefaultVersion, 1)
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	batches := generia.Batches(g.plan.Characters(), generia.CastBatchSize)
	wg := workflow.NewWaitGroup(ctx)
	cast := workflow.NewWaitGroup(ctx) // the characters' profiles and avatars
	charsOK, postsOK := true, true
	first := 0
	for b, count := range batches {
		err := workflow.ExecuteActivity(llm, a.PlanCast, CastBatch{WorldRef: g.ref(), Batch: b, Batches: len(batches),
			First: first, Count: count, Total: g.plan.Characters()}).Get(ctx, nil)
		if err != nil {
			g.fail(ctx, fmt.Sprintf("cast plan batch %d", b+1), err)
			charsOK, postsOK = false, false
			break
		}
		for pos := first; pos < first+count; pos++ {
			wg.Add(1)
			cast.Add(1)
			workflow.Go(ctx, func(ctx workflow.Context) {
				defer wg.Done()
				p := g.character(ctx, pos, func(ok bool) {
					charsOK = charsOK && ok
					cast.Done()
				})
				postsOK = postsOK && p
			})
		}
		first += count
	}
	if castStage == 1 {
		cast.Wait(ctx)
		g.endStage(ctx, generia.StageCharacters, charsOK)
	}
	wg.Wait(ctx)
	if castStage == workflow.DefaultVersion {
		g.endStage(ctx, generia.StageCharacters, charsOK)
	}
	if g.stageStatus(generia.StagePosts) == generia.StagePending && ctx.Err() == nil {
		g.advance(ctx, StageChange{generia.StagePosts, generia.StageInProgress})
	}
	g.endStage(ctx, generia.StagePosts, postsOK)
}

// character makes one character: profile, then the character, then its
// avatar and its posts in parallel. made is told once whether the character
// (with avatar) was made, as soon as that is known; character reports
// whether all its posts were.
func (g *worldRun) character(ctx workflow.Context, pos int, made func(ok bool)) (postsOK bool) {
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	services := workflow.WithActivityOptions(ctx, servicesOptions)
	ref := CharacterRef{WorldRef: g.ref(), Position: pos}
	_, profile, err := g.made(ctx, fmt.Sprintf("character %d profile", pos+1), func(take int) (string, error) {
		r := ref
		r.Take = take
		return "", workflow.ExecuteActivity(llm, a.DetailCharacter, r).Get(ctx, nil)
	}, func(take int) (Check, error) {
		return g.checkText(ctx, generia.CheckProfile, keyCharacterDetail(pos), take)
	})
	if err != nil {
		g.fail(ctx, fmt.Sprintf("character %d profile", pos+1), err)
		made(false)
		return g.plan.Posts[pos] == 0
	}
	if err := workflow.ExecuteActivity(services, a.CreateCharacter, ref).Get(ctx, nil); err != nil {
		g.fail(ctx, fmt.Sprintf("creating character %d", pos+1), err)
		made(false)
		return g.plan.Posts[pos] == 0
	}
	g.q.CharactersCreated++
	g.review(ctx, g.characterSubject(pos), Check{Decision: generia.DecisionAllow}, profile)

	wg := workflow.NewWaitGroup(ctx)
	wg.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer wg.Done()
		made(g.avatar(ctx, ref, profile))
	})
	postsOK = g.posts(ctx, ref)
	wg.Wait(ctx)
	return postsOK
}

// avatar paints a character's avatar and attaches it; the character,
// published with its profile's check, is held or labelled further if the
// avatar's check says so.
func (g *worldRun) avatar(ctx workflow.Context, ref CharacterRef, profile Check) bool {
	job := ImageJob{WorldRef: g.imageRef(), Kind: generia.MediaCharacterAvatar, Position: ref.Position}
	mediaID, check, err := g.image(ctx, fmt.Sprintf("character %d avatar", ref.Position+1), job)
	if err != nil {
		g.fail(ctx, fmt.Sprintf("character %d avatar", ref.Position+1), err)
		return false
	}
	g.q.ImagesCreated++
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, servicesOptions), a.AttachAvatar, Avatar{CharacterRef: ref, MediaID: mediaID}).Get(ctx, nil)
	if err != nil {
		g.fail(ctx, fmt.Sprintf("attaching character %d avatar", ref.Position+1), err)
		return false
	}
	g.review(ctx, g.characterSubject(ref.Position), profile, profile.merge(check))
	return true
}

// posts plans a character's posts in batches, all batches at once, and
// makes each post as soon as its batch is planned.
func (g *worldRun) posts(ctx workflow.Context, ref CharacterRef) bool {
	total := g.plan.Posts[ref.Position]
	if total == 0 {
		return true
	}
	if g.stageStatus(generia.StagePosts) == generia.StagePending {
		g.advance(ctx, StageChange{generia.StagePosts, generia.StageInProgress})
	}
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	batches := generia.Batches(total, generia.PostBatchSize)
	ok := true
	wg := workflow.NewWaitGroup(ctx)
	for b, count := range batches {
		first := b * generia.PostBatchSize
		wg.Add(1)
		workflow.Go(ctx, func(ctx workflow.Context) {
			defer wg.Done()
			batch := PostBatch{CharacterRef: ref, Batch: b, Batches: len(batches), First: first, Count: count, Total: total}
			if err := workflow.ExecuteActivity(llm, a.PlanPosts, batch).Get(ctx, nil); err != nil {
				g.fail(ctx, fmt.Sprintf("character %d post plan %d", ref.Position+1, b+1), err)
				ok = false
				return
			}
			inner := workflow.NewWaitGroup(ctx)
			for n := first; n < first+count; n++ {
				inner.Add(1)
				workflow.Go(ctx, func(ctx workflow.Context) {
					defer inner.Done()
					ok = g.post(ctx, PostRef{CharacterRef: ref, Number: n, Total: total}) && ok
				})
			}
			inner.Wait(ctx)
		})
	}
	wg.Wait(ctx)
	return ok
}

// post makes one post: its detail, then its image while the detail's text
// is checked (and made again if flagged), then the post itself.
func (g *worldRun) post(ctx workflow.Context, p PostRef) bool {
	if !g.checks {
		return g.postUnchecked(ctx, p)
	}
	what := fmt.Sprintf("character %d post %d", p.Position+1, p.Number+1)
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	// written is ready when a take of the detail exists: the image's prompt
	// is in it.
	written, wrote := workflow.NewFuture(ctx)
	var text Check
	var textErr error
	textDone := workflow.NewWaitGroup(ctx)
	textDone.Add(1)
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer textDone.Done()
		_, text, textErr = g.made(ctx, what, func(take int) (string, error) {
			q := p
			q.Take = take
			err := workflow.ExecuteActivity(llm, a.DetailPost, q).Get(ctx, nil)
			if err == nil && !written.IsReady() {
				wrote.Set(nil, nil)
			}
			return "", err
		}, func(take int) (Check, error) {
			return g.checkText(ctx, generia.CheckPost, keyPost(p.Position, p.Number)+"/detail", take)
		})
		if !written.IsReady() {
			wrote.Set(nil, textErr)
		}
	})
	if err := written.Get(ctx, nil); err != nil {
		g.fail(ctx, what, err)
		return false
	}
	job := ImageJob{WorldRef: g.imageRef(), Kind: generia.MediaPostImage, Position: p.Position, Number: p.Number}
	mediaID, image, err := g.image(ctx, what+" image", job)
	textDone.Wait(ctx)
	if textErr != nil {
		g.fail(ctx, what, textErr)
		return false
	}
	if err != nil {
		g.fail(ctx, what+" image", err)
		return false
	}
	g.q.ImagesCreated++
	c := text.merge(image)
	post := NewPost{PostRef: p, MediaID: mediaID, Check: &c}
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, servicesOptions), a.CreatePost, post).Get(ctx, nil)
	if err != nil {
		g.fail(ctx, "publishing "+what, err)
		return false
	}
	g.q.PostsCreated++
	if c.flagged() {
		g.q.ItemsHeld++
	}
	return true
}

// postUnchecked makes a post as runs begun before moderationChange did:
// its detail, its image, then the post itself.
func (g *worldRun) postUnchecked(ctx workflow.Context, p PostRef) bool {
	what := fmt.Sprintf("character %d post %d", p.Position+1, p.Number+1)
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, llmOptions), a.DetailPost, p).Get(ctx, nil); err != nil {
		g.fail(ctx, what, err)
		return false
	}
	var mediaID string
	job := ImageJob{WorldRef: g.imageRef(), Kind: generia.MediaPostImage, Position: p.Position, Number: p.Number}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, imageOptions), a.PaintImage, job).Get(ctx, &mediaID); err != nil {
		g.fail(ctx, what+" image", err)
		return false
	}
	g.q.ImagesCreated++
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, servicesOptions), a.CreatePost, NewPost{PostRef: p, MediaID: mediaID}).Get(ctx, nil)
	if err != nil {
		g.fail(ctx, "publishing "+what, err)
		return false
	}
	g.q.PostsCreated++
	return true
}

// checkPrompt checks the world's prompt before anything is paid for: a
// block ends the world with the reason, a hold or label applies to the
// world. It reports whether the generation goes on.
func (g *worldRun) checkPrompt(ctx workflow.Context) bool {
	var c Check
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, checkOptions(QueueLLM)), a.CheckPrompt, g.ref()).Get(ctx, &c)
	if err != nil {
		g.fail(ctx, "checking the prompt", err)
		g.endStage(ctx, generia.StageWorldDescription, false)
		return false
	}
	if c.Decision == generia.DecisionBlock {
		workflow.GetLogger(ctx).Info("the prompt was refused", "reason", c.Reason)
		g.fatal, g.fatalPublic = c.Reason, c.Reason
		g.stop()
		return false
	}
	g.reviewWorld(ctx, c)
	return ctx.Err() == nil
}

// made makes a checked item: make makes take n of it and returns its ID
// (an image's media ID, "" for a text); check checks take n. An item a
// check flags or a provider refuses is made again, up to maxRetakes times;
// one still flagged is published held, one refused every time fails. In a
// run without checks, made makes take 0 only.
func (g *worldRun) made(ctx workflow.Context, what string, make func(take int) (string, error), check func(take int) (Check, error)) (string, Check, error) {
	var flagged *Check
	var flaggedID string
	for take := 0; ; take++ {
		id, err := make(take)
		if errorType(err) == errRefused && g.checks {
			if take < maxRetakes && ctx.Err() == nil {
				workflow.GetLogger(ctx).Info("the provider refused an item; making it again", "item", what, "take", take)
				continue
			}
			if flagged != nil {
				return flaggedID, heldAfterRetakes(*flagged), nil
			}
		}
		if err != nil || !g.checks {
			return id, Check{Decision: generia.DecisionAllow}, err
		}
		c, err := check(take)
		if err != nil {
			return "", Check{}, err
		}
		if !c.flagged() {
			return id, c, nil
		}
		if take == maxRetakes {
			return id, heldAfterRetakes(c), nil
		}
		workflow.GetLogger(ctx).Info("a check flagged an item; making it again", "item", what, "take", take, "reason", c.Reason)
		flagged, flaggedID = &c, id
	}
}

// heldAfterRetakes is the check of an item still flagged when it may not be
// made again: it is published held, never blocked.
func heldAfterRetakes(c Check) Check {
	c.Decision = generia.DecisionHold
	return c
}

// checkText checks take n of the generated text at key.
func (g *worldRun) checkText(ctx workflow.Context, kind, key string, take int) (Check, error) {
	ref := g.ref()
	ref.Take = take
	var c Check
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, checkOptions(QueueLLM)), a.CheckText, TextJob{WorldRef: ref, Kind: kind, Key: key}).Get(ctx, &c)
	return c, err
}

// image paints a checked image and returns its media ID and check.
func (g *worldRun) image(ctx workflow.Context, what string, job ImageJob) (string, Check, error) {
	images := workflow.WithActivityOptions(ctx, imageOptions)
	return g.made(ctx, what, func(take int) (string, error) {
		j := job
		j.Take = take
		var id string
		err := workflow.ExecuteActivity(images, a.PaintImage, j).Get(ctx, &id)
		return id, err
	}, func(take int) (Check, error) {
		j := job
		j.Take = take
		var c Check
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, checkOptions(QueueImages)), a.CheckImage, j).Get(ctx, &c)
		return c, err
	})
}

func (g *worldRun) characterSubject(pos int) generia.Subject {
	return generia.Subject{Type: generia.SubjectCharacter, ID: ItemID(g.in.WorldID, keyCharacter(pos))}
}

// review applies an item's check when it changed from before to after:
// held (and counted) or labelled.
func (g *worldRun) review(ctx workflow.Context, s generia.Subject, before, after Check) {
	if !g.checks || after.Decision == before.Decision && len(after.Labels) == len(before.Labels) {
		return
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, servicesOptions), a.ReviewItem,
		ItemReview{WorldID: g.in.WorldID, Subject: s, Check: after}).Get(ctx, nil)
	if err != nil {
		g.fail(ctx, "holding "+s.String()+" for review", err)
		return
	}
	if after.flagged() && !before.flagged() {
		g.q.ItemsHeld++
	}
}

// reviewWorld adds a check to the world's own review.
func (g *worldRun) reviewWorld(ctx workflow.Context, c Check) {
	before := g.world
	g.world = before.merge(c)
	g.review(ctx, generia.Subject{Type: generia.SubjectWorld, ID: g.in.WorldID}, before, g.world)
}
