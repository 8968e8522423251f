package pipeline

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/generia"
)

// A world lives after its generation: one WorldLife workflow per world
// (generia.LifeWorkflowID) answers people's comments and, while someone
// watches, lets its characters act on their own. It sleeps when nobody has
// viewed the world for the idle time: then it waits on a signal only, with
// no timer and no activity, so that an unwatched world costs nothing. A
// view or a comment wakes it. Each day's provider calls and their cost are
// capped by the world's ceilings, which the store checks atomically before
// each call; at a ceiling the world rests until its next day.
//
// Every action has a key derived from what it answers or from its place in
// the day, so a retried activity, a restarted worker or a continue-as-new
// never duplicates a comment nor pays twice.
//
// What a person wrote is checked before it wakes a character, and what a
// character writes before it is posted (see life_checks.go); people's
// words reach the model only as fenced data (content.Spotlight).

// Names of the life workflow, its query and its signals.
const (
	LifeWorkflowName = "WorldLife"
	// LifeQuery answers the world's generia.LifeView.
	LifeQuery = "life"
	// SignalViewed says someone viewed the world (no payload).
	SignalViewed = "viewed"
	// SignalCommented carries a Commented: a comment that may want an
	// answer.
	SignalCommented = "commented"
	// SignalPosted carries a Posted: a person's new post, which draws
	// reactions.
	SignalPosted = "posted"
	// SignalLifeSettings carries the owner's new generia.LifeSettings.
	SignalLifeSettings = "life-settings"
)

// LifeInput starts a world's life, and carries it over a continue-as-new.
type LifeInput struct {
	WorldID string
	// LLM and Image name the world's providers.
	LLM, Image string
	Settings   generia.LifeSettings
	// Idle is how long the world stays awake after its last view.
	Idle time.Duration
	// What the life carries over a continue-as-new.
	LastViewedAt time.Time `json:",omitempty"`
	LastActionAt time.Time `json:",omitempty"`
	// Day is what the store counted of today's calls, as the last activity
	// reported it; Actions numbers today's actions (the keys of its own,
	// tried or not), Made counts those that made something.
	Day     generia.LifeDay
	Actions int
	Made    int `json:",omitempty"`
	// Waiting are the comments that wait for an answer, oldest first;
	// Answered the latest answered (at most maxAnswered), so that a comment
	// told twice is answered once.
	Waiting  []string `json:",omitempty"`
	Answered []string `json:",omitempty"`
	// AnsweredAt are when the answers of the last minute started.
	AnsweredAt []time.Time `json:",omitempty"`
	// RestingDay is the day a ceiling refused a call, if it did.
	RestingDay string `json:",omitempty"`
}

// Commented is the payload of SignalCommented.
type Commented struct {
	CommentID string
}

// Posted is the payload of SignalPosted.
type Posted struct {
	PostID string
}

// LifeStep is one action of a world's life: an answer to a comment or an
// action of the world's own, under its key.
type LifeStep struct {
	WorldRef
	// Key is the action's place: "life/reply/<comment>" or
	// "life/<day>/<n>".
	Key string
	// CommentID is the comment answered, for a reply; Number is the
	// action's place in the day, for an action of the world's own.
	CommentID string `json:",omitempty"`
	Number    int    `json:",omitempty"`
	// PostID is a person's new post the step reacts to.
	PostID string `json:",omitempty"`
	// Image is the world's image provider.
	Image string `json:",omitempty"`
	// Day and Settings are the day the action's calls count in, and the
	// ceilings they must stay under.
	Day      string
	Settings generia.LifeSettings
}

// LifeReply is one character's action planned by PlanLife, under its key:
// a comment (answering ParentID, if set) under PostID, or, with NewPost,
// a post of its own.
type LifeReply struct {
	LifeStep
	CharacterID string
	// ParentID is the comment answered; PostID the post of its thread.
	ParentID, PostID string
	NewPost          bool `json:",omitempty"`
	// Again numbers a reply's rewrite after a check flagged it (0 for the
	// first writing), Flagged the categories it was flagged for; Labels
	// are the categories a reply is posted with a label for.
	Again   int                `json:",omitempty"`
	Flagged []generia.Category `json:",omitempty"`
	Labels  []generia.Category `json:",omitempty"`
}

// image is the image job of a life post.
func (r LifeReply) image() ImageJob {
	return ImageJob{WorldRef: WorldRef{WorldID: r.WorldID, Provider: r.Image}, Kind: generia.MediaPostImage,
		Life: &LifeImage{Key: r.Key, CharacterID: r.CharacterID, Day: r.Day, Settings: r.Settings}}
}

// maxAnswered is how many answered comments a life remembers.
const maxAnswered = 200

// How fast a world answers, and how many comments wait at most.
const (
	AnswersPerMinute = generia.LifeAnswersPerMinute
	MaxWaiting       = generia.LifeMaxWaiting
)

// answerSlot is when the world may start its next answer, and forgets the
// answers older than a minute.
func (l *life) answerSlot(now time.Time) time.Time {
	recent := l.in.AnsweredAt[:0]
	for _, t := range l.in.AnsweredAt {
		if now.Sub(t) < time.Minute {
			recent = append(recent, t)
		}
	}
	l.in.AnsweredAt = recent
	if len(recent) < AnswersPerMinute {
		return now
	}
	return recent[len(recent)-AnswersPerMinute].Add(time.Minute)
}

// maxLifeIterations bounds one run's loop before it continues as new, when
// the server has not suggested it sooner.
const maxLifeIterations = 500

// life is the state of one running WorldLife.
type life struct {
	in LifeInput
	// next is when the world acts on its own next, if it is awake.
	next time.Time
	// acting is set while a step runs: the world is awake until what the
	// step wrote is saved, even if its last call spent the day's ceiling.
	acting bool
	// records is set when the life records its state in the store (runs
	// begun before it did not; see recordChange); recorded is what it
	// recorded last.
	records  bool
	recorded lifeMark
	// checks is set when the life checks people's text before it answers
	// it and its replies before it posts them (runs begun before it did
	// not; see lifeChecksChange); besides is set when the check of a
	// person's text runs beside the writing of its answers (see
	// personCheck).
	checks, besides bool
}

// recordChange versions the life's record in the store: a run begun before
// it records nothing, so that its history replays as it ran.
const recordChange = "life-records-its-state"

// lifeMark is what of the life, changed, makes it record itself again:
// its state, its day's actions, its next action and whether it declines
// comments. A view alone is not one (views come every half minute while
// someone reads; the record's last view is written with the next change),
// nor a call (the day's calls are read from the store's ledger), so that a
// history grows by one activity per change a reader can see, not per step.
type lifeMark struct {
	State   string
	Day     string
	Actions int
	Next    time.Time
	Full    bool
}

// WorldLife runs a world's life until the world is deleted; see the
// comment at the top of this file.
func WorldLife(ctx workflow.Context, in LifeInput) error {
	l := &life{in: in}
	if l.in.LastViewedAt.IsZero() {
		l.in.LastViewedAt = workflow.Now(ctx) // a world is born watched by its owner
	}
	l.records = workflow.GetVersion(ctx, recordChange, workflow.DefaultVersion, 1) == 1
	l.checks = workflow.GetVersion(ctx, lifeChecksChange, workflow.DefaultVersion, 1) == 1
	l.besides = l.checks && workflow.GetVersion(ctx, checkBesidesChange, workflow.DefaultVersion, 1) == 1
	if err := workflow.SetQueryHandler(ctx, LifeQuery, func() (generia.LifeView, error) {
		return l.view(workflow.Now(ctx)), nil
	}); err != nil {
		return err
	}
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err // the life was cancelled: the world was deleted
		}
		// Every signal that came takes effect before the life decides what
		// to do, and is part of the state carried over a continue-as-new.
		for s := l.signals(ctx); s.HasPending(); {
			s.Select(ctx)
		}
		if i >= maxLifeIterations || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			return workflow.NewContinueAsNewError(ctx, WorldLife, l.in)
		}
		now := workflow.Now(ctx)
		l.newDay(now)
		switch l.state(now) {
		case generia.LifeOff, generia.LifePaused, generia.LifeAsleep:
			l.next = time.Time{}
			if err := l.record(ctx, now); err != nil {
				return err
			}
			l.signals(ctx).Select(ctx) // no timer: only a signal moves it
			continue
		case generia.LifeResting:
			l.next = time.Time{}
			if err := l.record(ctx, now); err != nil {
				return err
			}
			l.waitUntil(ctx, generia.NextDay(now))
			continue
		}
		if len(l.in.Waiting) > 0 {
			if err := l.record(ctx, now); err != nil {
				return err
			}
			if next := l.answerSlot(now); now.Before(next) {
				l.waitUntil(ctx, next) // answering as fast as a world may
				continue
			}
			id := l.in.Waiting[0]
			l.in.AnsweredAt = append(l.in.AnsweredAt, now)
			done, err := l.answer(ctx, id)
			if err != nil {
				return err
			}
			if done {
				l.in.Waiting = l.in.Waiting[1:]
				l.in.Answered = append(l.in.Answered, id)
				l.in.Answered = l.in.Answered[max(0, len(l.in.Answered)-maxAnswered):]
			}
			continue
		}
		idleAt := l.in.LastViewedAt.Add(l.in.Idle)
		if l.in.Settings.ActionsPerHour <= 0 {
			l.next = time.Time{}
			if err := l.record(ctx, now); err != nil {
				return err
			}
			l.waitUntil(ctx, idleAt)
			continue
		}
		if l.next.IsZero() {
			l.next = l.nextAction(now)
		}
		if err := l.record(ctx, now); err != nil {
			return err
		}
		if now.Before(l.next) {
			l.waitUntil(ctx, minTime(l.next, idleAt))
			continue
		}
		if err := l.act(ctx); err != nil {
			return err
		}
		l.in.LastActionAt, l.next = workflow.Now(ctx), time.Time{}
	}
}

// signals is a selector of the life's three signals and its cancellation;
// each handler updates the state, and the loop then decides what to do.
func (l *life) signals(ctx workflow.Context) workflow.Selector {
	s := workflow.NewSelector(ctx)
	s.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) {})
	s.AddReceive(workflow.GetSignalChannel(ctx, SignalViewed), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, nil)
		l.in.LastViewedAt = workflow.Now(ctx)
	})
	s.AddReceive(workflow.GetSignalChannel(ctx, SignalCommented), func(c workflow.ReceiveChannel, _ bool) {
		var m Commented
		c.Receive(ctx, &m)
		l.wait(ctx, m.CommentID)
	})
	s.AddReceive(workflow.GetSignalChannel(ctx, SignalPosted), func(c workflow.ReceiveChannel, _ bool) {
		var m Posted
		c.Receive(ctx, &m)
		if m.PostID != "" {
			l.wait(ctx, waitingPost+m.PostID)
		}
	})
	s.AddReceive(workflow.GetSignalChannel(ctx, SignalLifeSettings), func(c workflow.ReceiveChannel, _ bool) {
		c.Receive(ctx, &l.in.Settings)
		l.in.RestingDay, l.next = "", time.Time{} // new ceilings are tried again
	})
	return s
}

// wait queues what a person did for an answer: a comment's ID, or a post's
// (waitingPost and its ID); what waits or was answered already is not
// queued again, nor anything past MaxWaiting.
func (l *life) wait(ctx workflow.Context, id string) {
	l.in.LastViewedAt = workflow.Now(ctx) // who comments or posts is watching
	switch {
	case id == "" || slices.Contains(l.in.Waiting, id) || slices.Contains(l.in.Answered, id):
	case len(l.in.Waiting) >= MaxWaiting:
		workflow.GetLogger(ctx).Warn("too much waits for an answer; this will not be answered", "world_id", l.in.WorldID, "waiting", id)
	default:
		l.in.Waiting = append(l.in.Waiting, id)
	}
}

// waitingPost marks a person's post among what waits for an answer.
const waitingPost = "post:"

// waitUntil waits for a signal or until t, whichever comes first.
func (l *life) waitUntil(ctx workflow.Context, t time.Time) {
	d := t.Sub(workflow.Now(ctx))
	if d <= 0 {
		return
	}
	timerCtx, cancel := workflow.WithCancel(ctx)
	defer cancel() // a signal came first: the timer is not needed
	s := l.signals(ctx)
	s.AddFuture(workflow.NewTimer(timerCtx, d), func(workflow.Future) {})
	s.Select(ctx)
}

// state is the life's state at now.
func (l *life) state(now time.Time) string {
	s := l.in.Settings
	switch {
	case !s.Enabled:
		return generia.LifeOff
	case s.Paused:
		return generia.LifePaused
	case l.in.RestingDay == generia.DayOf(now) || l.in.Day.Refuse(s) != nil:
		return generia.LifeResting
	case len(l.in.Waiting) == 0 && !now.Before(l.in.LastViewedAt.Add(l.in.Idle)):
		return generia.LifeAsleep
	}
	return generia.LifeAwake
}

// newDay starts the counters of a new day.
func (l *life) newDay(now time.Time) {
	if day := generia.DayOf(now); l.in.Day.Day != day {
		l.in.Day = generia.LifeDay{WorldID: l.in.WorldID, Day: day}
		l.in.Actions, l.in.Made = 0, 0
	}
}

// nextAction is when the world next acts on its own: the pace's interval
// after the last action, spread from half to one and a half of it, the
// same for the same world and day's action.
func (l *life) nextAction(now time.Time) time.Time {
	interval := time.Duration(float64(time.Hour) / l.in.Settings.ActionsPerHour)
	if WorldNight(l.in.WorldID, now) {
		interval *= nightSlowdown // the world's people mostly sleep
	}
	spread := 0.5 + float64(keyHash(fmt.Sprintf("%s/%s/%d", l.in.WorldID, l.in.Day.Day, l.in.Actions), 1000))/1000
	from := l.in.LastActionAt
	if from.IsZero() {
		from = now
	}
	return maxTime(now, from.Add(time.Duration(spread*float64(interval))))
}

// nightSlowdown is how much slower a world acts in its night.
const nightSlowdown = 4

// WorldHour is the hour of a world's own clock at t: each world keeps the
// time of a zone of its own (by its ID), so that worlds do not all sleep
// at once.
func WorldHour(worldID string, t time.Time) int {
	return (t.UTC().Hour() + keyHash(worldID+"/zone", 24)) % 24
}

// WorldNight reports whether it is night in the world, 23:00 to 07:00 of
// its clock.
func WorldNight(worldID string, t time.Time) bool {
	h := WorldHour(worldID, t)
	return h >= 23 || h < 7
}

func (l *life) step(key string) LifeStep {
	return LifeStep{WorldRef: WorldRef{WorldID: l.in.WorldID, Provider: l.in.LLM}, Image: l.in.Image, Key: key, Day: l.in.Day.Day, Settings: l.in.Settings}
}

// answer answers one waiting comment: PlanLife says which characters
// answer it, each reply is written and saved. It reports whether the
// comment is done with (answered, or nothing to answer); a ceiling leaves
// it waiting for the next day.
func (l *life) answer(ctx workflow.Context, id string) (bool, error) {
	if postID, ok := strings.CutPrefix(id, waitingPost); ok {
		st := l.step("life/react/" + postID)
		st.PostID = postID
		return l.run(ctx, st)
	}
	st := l.step("life/reply/" + id)
	st.CommentID = id
	return l.run(ctx, st)
}

// act is one action of the world's own, at its place in the day.
func (l *life) act(ctx workflow.Context) error {
	st := l.step(fmt.Sprintf("life/%s/%d", l.in.Day.Day, l.in.Actions))
	st.Number = l.in.Actions
	_, err := l.run(ctx, st)
	l.in.Actions++ // an action that could not be done is not tried again
	return err
}

// run plans a life step and makes its replies. Errors that end a world's
// life (it was deleted) end the workflow; a ceiling makes it rest; other
// failures lose the step, which a person may ask for again.
func (l *life) run(ctx workflow.Context, st LifeStep) (bool, error) {
	l.acting = true
	defer func() { l.acting = false }()
	services := workflow.WithActivityOptions(ctx, servicesOptions)
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	var replies []LifeReply
	if err := workflow.ExecuteActivity(services, a.PlanLife, st).Get(ctx, &replies); err != nil {
		return l.failed(ctx, st, err)
	}
	var person *personCheck
	if l.checks && len(replies) > 0 && (st.CommentID != "" || st.PostID != "") {
		// What a person wrote is checked before anything answering it is
		// (see personCheck).
		person = &personCheck{f: workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, lifeCheckOptions), a.CheckPerson, st)}
		if !l.besides {
			if err := l.clear(ctx, person); err != nil {
				return l.failed(ctx, st, err)
			}
		}
	}
	made := false
	for _, r := range replies {
		if r.NewPost && l.checks {
			posted, err := l.postChecked(ctx, r, person)
			if err != nil {
				return l.failed(ctx, st, err)
			}
			made = made || posted
			continue
		}
		if r.NewPost {
			if err := l.post(ctx, r); err != nil {
				return l.failed(ctx, st, err)
			}
			made = true
			continue
		}
		if l.checks {
			posted, err := l.reply(ctx, r, person)
			if err != nil {
				return l.failed(ctx, st, err)
			}
			made = made || posted
			continue
		}
		if err := workflow.ExecuteActivity(llm, a.WriteReply, r).Get(ctx, &l.in.Day); err != nil {
			return l.failed(ctx, st, err)
		}
		if err := workflow.ExecuteActivity(services, a.SaveReply, r).Get(ctx, nil); err != nil {
			return l.failed(ctx, st, err)
		}
		made = true
	}
	if made {
		l.in.Made++
		if st.CommentID != "" || st.PostID != "" {
			l.in.Actions++
		}
	}
	return true, nil
}

// post makes a character's own post: its text, its image, then the post.
func (l *life) post(ctx workflow.Context, r LifeReply) error {
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, llmOptions), a.WriteLifePost, r).Get(ctx, &l.in.Day); err != nil {
		return err
	}
	return l.paintAndSave(ctx, r)
}

// paintAndSave paints a written life post's image and posts it.
func (l *life) paintAndSave(ctx workflow.Context, r LifeReply) error {
	var mediaID string
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, imageOptions), a.PaintImage, r.image()).Get(ctx, &mediaID); err != nil {
		return err
	}
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, servicesOptions), a.SaveLifePost, LifePost{LifeReply: r, MediaID: mediaID}).Get(ctx, nil)
}

// LifePost is a life post to save, with its image.
type LifePost struct {
	LifeReply
	MediaID string
}

// failed decides what a failed step means for the life.
func (l *life) failed(ctx workflow.Context, st LifeStep, err error) (bool, error) {
	if errors.Is(err, errUnanswered) {
		return true, nil // not a failure: the step is done
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch app.Type() {
		case errLimit:
			l.in.RestingDay = st.Day
			return false, nil
		case errWorldGone:
			return false, err
		}
	}
	workflow.GetLogger(ctx).Warn("a life step failed", "world_id", l.in.WorldID, "key", st.Key, "error", err)
	return true, nil
}

// record stores the life's state for pages and streams to read, when
// what a reader sees of it changed since it last did (see lifeMark). It is
// called where the life has decided what to do next, before it waits or
// acts. A world that is gone ends the life; a record that cannot be
// written is tried again at the next change or step, and never stops the
// life.
func (l *life) record(ctx workflow.Context, now time.Time) error {
	if !l.records {
		return nil
	}
	v := l.view(now)
	mark := lifeMark{State: v.State, Day: v.Day, Actions: v.ActionsToday, Full: v.Waiting >= MaxWaiting}
	if v.NextActionAt != nil {
		mark.Next = *v.NextActionAt
	}
	if mark == l.recorded {
		return nil
	}
	r := generia.LifeRecord{WorldID: l.in.WorldID, State: v.State, Day: v.Day, ActionsToday: v.ActionsToday,
		CallsToday: v.CallsToday, CostTodayUSD: v.CostTodayUSD, Waiting: v.Waiting, NextActionAt: mark.Next,
		LastViewedAt: l.in.LastViewedAt, UpdatedAt: now}
	if v.RestsUntil != nil {
		r.RestsUntil = *v.RestsUntil
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, progressOptions), a.RecordLife, r).Get(ctx, nil)
	var app *temporal.ApplicationError
	switch {
	case err == nil:
		l.recorded = mark
	case errors.As(err, &app) && app.Type() == errWorldGone:
		return err
	default:
		workflow.GetLogger(ctx).Warn("recording the life's state", "world_id", l.in.WorldID, "state", v.State, "error", err)
	}
	return nil
}

// view is the life as the query answers it.
func (l *life) view(now time.Time) generia.LifeView {
	state := l.state(now)
	if l.acting {
		state = generia.LifeAwake
	}
	v := generia.LifeView{State: state, Settings: l.in.Settings, Day: l.in.Day.Day, ActionsToday: l.in.Made,
		CallsToday: l.in.Day.Calls, CostTodayUSD: l.in.Day.CostUSD, Waiting: len(l.in.Waiting)}
	if v.Day != generia.DayOf(now) {
		v.Day, v.ActionsToday, v.CallsToday, v.CostTodayUSD = generia.DayOf(now), 0, 0, 0
	}
	if seen := l.in.LastViewedAt; !seen.IsZero() {
		v.LastViewedAt = &seen
	}
	if next := l.next; !next.IsZero() && v.State == generia.LifeAwake && !l.acting {
		v.NextActionAt = &next
	}
	if v.State == generia.LifeResting {
		until := generia.NextDay(now)
		v.RestsUntil = &until
	}
	return v
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
