package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/generia"
)

// Checks in a world's life. What a person wrote is checked before any
// answer to it is checked or posted (the answer is written meanwhile): a
// comment (or a person's post) that the operator's policy holds or blocks
// is not answered. What a character writes in
// answer is checked before it is posted: a reply flagged is written again,
// at most maxRewrites times, and then not posted at all (a life's reply
// is not worth holding for a moderator); the log and the audit log say so.
// A moderation service that fails is asked again until it answers: the
// life waits, and nothing is posted unchecked. A check that cannot judge
// the text at all (the service refuses it as invalid) counts as flagged.

// lifeChecksChange versions the checks: a life begun before them replays
// without them.
const lifeChecksChange = "life-checks-people-and-replies"

// checkBesidesChange versions when a person's text is checked: a life
// begun before it checks the text before it writes any answer; after it,
// the answers are written while the check runs, and none is checked or
// posted before the check passed (see personCheck).
const checkBesidesChange = "life-checks-person-beside-writing"

// maxRewrites is how many times a flagged reply is written again.
const maxRewrites = 2

// lifeCheckOptions run a life's checks on the LLM queue, beside the calls they guard,
// retried without end while the moderation service fails; as checkOptions,
// a check whose worker died is retried within seconds.
var lifeCheckOptions = workflow.ActivityOptions{
	TaskQueue:           QueueLLM,
	StartToCloseTimeout: time.Minute,
	HeartbeatTimeout:    20 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 2 * time.Minute,
		NonRetryableErrorTypes: []string{errWorldGone, errNotFound}},
}

// LifeCheck is a check's answer: whether the text may go on (to wake a
// character, or to be posted), and the policy's decision and the
// categories that led to it.
type LifeCheck struct {
	Allowed    bool
	Decision   generia.Decision   `json:",omitempty"`
	Categories []generia.Category `json:",omitempty"`
	// Reason says why it may not, for the log.
	Reason string `json:",omitempty"`
}

// Audit verbs of the life's checks.
const (
	VerbUnanswered = "unanswered" // a person's text flagged: no character answers it
	VerbWithheld   = "withheld"   // a character's reply flagged after its rewrites: not posted
)

// LLM queue.

// CheckPerson checks what a person wrote that a life step answers, before
// any character is asked to: the comment st.CommentID, or the post
// st.PostID. Text already held or hidden is not answered; with no
// Moderator (moderation off) the rest is.
func (a *Activities) CheckPerson(ctx context.Context, st LifeStep) (LifeCheck, error) {
	defer heartbeat(ctx)()
	var chk generia.TextCheck
	var subject generia.Subject
	switch {
	case st.CommentID != "":
		c, err := a.Store.Comment(ctx, st.CommentID)
		if err != nil {
			return LifeCheck{}, storeError(err)
		}
		if !c.Review.Visible() {
			return LifeCheck{Reason: "the comment is " + c.Review.State}, nil
		}
		subject = generia.Subject{Type: generia.SubjectComment, ID: c.ID}
		chk = generia.TextCheck{Kind: generia.CheckComment, Text: c.Text, UserID: generia.SafetyID(c.UserID)}
	case st.PostID != "":
		p, err := a.Store.Post(ctx, st.PostID, "")
		if err != nil {
			return LifeCheck{}, storeError(err)
		}
		if !p.Review.Visible() {
			return LifeCheck{Reason: "the post is " + p.Review.State}, nil
		}
		subject = generia.Subject{Type: generia.SubjectPost, ID: p.ID}
		chk = generia.TextCheck{Kind: generia.CheckPost, Text: p.Caption}
		if ch, err := a.Store.Character(ctx, p.CharacterID); err == nil {
			chk.UserID = generia.SafetyID(ch.OwnerID)
		}
	default:
		return LifeCheck{Allowed: true}, nil
	}
	res, err := a.check(ctx, chk)
	if err != nil || res.Allowed {
		return res, err
	}
	a.log().Info("a person's text was flagged; no character answers it", "world_id", st.WorldID, "subject", subject.String(),
		"decision", res.Decision, "categories", res.Categories, "reason", res.Reason)
	a.auditLife(ctx, generia.AuditEntry{Actor: generia.ActorSystem, Verb: VerbUnanswered, Subject: subject,
		Reason: "flagged before a character could answer it: " + res.Reason}, res)
	return res, nil
}

// CheckReply checks a character's written reply (at its rewrite r.Again)
// before it is posted, in the conversation it answers. A reply flagged at
// its last rewrite is recorded as withheld.
func (a *Activities) CheckReply(ctx context.Context, r LifeReply) (LifeCheck, error) {
	defer heartbeat(ctx)()
	reply, err := artifact[content.Reply](ctx, a, r.WorldID, r.replyKey())
	if err != nil {
		return LifeCheck{}, storeError(err)
	}
	chk := generia.TextCheck{Kind: generia.CheckReply, Text: reply.Text}
	subject := generia.Subject{Type: generia.SubjectPost, ID: r.PostID}
	if r.ParentID != "" {
		c, err := a.Store.Comment(ctx, r.ParentID)
		if err != nil && !generia.IsKind(err, generia.KindNotFound) {
			return LifeCheck{}, storeError(err)
		}
		chk.Answers, chk.UserID = c.Text, generia.SafetyID(c.UserID)
		subject = generia.Subject{Type: generia.SubjectComment, ID: r.ParentID}
	} else if p, err := a.Store.Post(ctx, r.PostID, ""); err == nil {
		chk.Answers = p.Caption
	} else if !generia.IsKind(err, generia.KindNotFound) {
		return LifeCheck{}, storeError(err)
	}
	res, err := a.check(ctx, chk)
	if err != nil || res.Allowed {
		return res, err
	}
	if r.Again < maxRewrites {
		a.log().Info("a reply was flagged; writing it again", "world_id", r.WorldID, "key", r.Key, "rewrite", r.Again+1,
			"decision", res.Decision, "categories", res.Categories)
		return res, nil
	}
	a.log().Warn("a reply stayed flagged after its rewrites; it is not posted", "world_id", r.WorldID, "key", r.Key,
		"character_id", r.CharacterID, "written", r.Again+1, "decision", res.Decision, "categories", res.Categories)
	a.auditLife(ctx, generia.AuditEntry{Actor: generia.ActorSystem, Verb: VerbWithheld, Subject: subject,
		Reason:   fmt.Sprintf("the reply of character %s was flagged %d times (%s); it was not posted", r.CharacterID, r.Again+1, res.Reason),
		Snapshot: &generia.Snapshot{Subject: subject, WorldID: r.WorldID, Text: reply.Text, Generated: true, TakenAt: a.now()}}, res)
	return res, nil
}

// CheckLifePost checks a character's new life post (its caption and
// hashtags, at its rewrite r.Again) before its image is painted and it is
// posted. A post flagged at its last rewrite is recorded as withheld.
func (a *Activities) CheckLifePost(ctx context.Context, r LifeReply) (LifeCheck, error) {
	defer heartbeat(ctx)()
	d, err := artifact[content.PostDetail](ctx, a, r.WorldID, lifePostKey(r.Key))
	if err != nil {
		return LifeCheck{}, storeError(err)
	}
	text := strings.TrimSpace(d.Caption + " " + strings.Join(d.Hashtags, " "))
	res, err := a.check(ctx, generia.TextCheck{Kind: generia.CheckPost, Text: text})
	if err != nil || res.Allowed {
		return res, err
	}
	if r.Again < maxRewrites {
		a.log().Info("a life post was flagged; writing it again", "world_id", r.WorldID, "key", r.Key, "rewrite", r.Again+1,
			"decision", res.Decision, "categories", res.Categories)
		return res, nil
	}
	a.log().Warn("a life post stayed flagged after its rewrites; it is not posted", "world_id", r.WorldID, "key", r.Key,
		"character_id", r.CharacterID, "written", r.Again+1, "decision", res.Decision, "categories", res.Categories)
	subject := generia.Subject{Type: generia.SubjectCharacter, ID: r.CharacterID}
	a.auditLife(ctx, generia.AuditEntry{Actor: generia.ActorSystem, Verb: VerbWithheld, Subject: subject,
		Reason:   fmt.Sprintf("a life post of character %s was flagged %d times (%s); it was not posted", r.CharacterID, r.Again+1, res.Reason),
		Snapshot: &generia.Snapshot{Subject: subject, WorldID: r.WorldID, Text: text, Generated: true, TakenAt: a.now()}}, res)
	return res, nil
}

// check asks the Moderator about a text and applies the policy. An error
// the service may get over is returned to be retried; a text it cannot
// judge is not allowed.
func (a *Activities) check(ctx context.Context, chk generia.TextCheck) (LifeCheck, error) {
	if a.Moderator == nil {
		return LifeCheck{Allowed: true}, nil
	}
	v, err := a.Moderator.CheckText(ctx, chk)
	if generia.IsKind(err, generia.KindInvalid) {
		return LifeCheck{Decision: generia.DecisionHold, Reason: "the moderation service could not judge it: " + generia.ErrorMessage(err)}, nil
	}
	if err != nil {
		return LifeCheck{}, providerError("moderation ("+a.Moderator.Name()+")", err)
	}
	policy := a.Policy
	if policy == nil {
		policy = generia.DefaultPolicy()
	}
	d := v.Decide(policy)
	res := LifeCheck{Allowed: d == generia.DecisionAllow || d == generia.DecisionLabel, Decision: d, Categories: v.Flagged}
	if !res.Allowed {
		names := make([]string, len(v.Flagged))
		for i, c := range v.Flagged {
			names[i] = string(c)
		}
		res.Reason = fmt.Sprintf("%s by %s: %s", d, v.Checker, strings.Join(names, ", "))
	}
	return res, nil
}

// audit appends to the audit log what a check decided, with its verdict.
// The decision stands if the log cannot be written; the log line says so.
func (a *Activities) auditLife(ctx context.Context, e generia.AuditEntry, res LifeCheck) {
	e.Detail, _ = json.Marshal(res)
	e.CreatedAt = a.now()
	if err := a.Store.Audit(ctx, e); err != nil {
		a.log().Warn("the audit log did not take a check's decision", "verb", e.Verb, "subject", e.Subject.String(), "error", err)
	}
}

// personCheck is the check of the person's text a life step answers. It
// starts before the answers are written and is waited for before the first
// of them is checked or posted, so that a reply takes the time of its
// writing, not of the check and then the writing. A text flagged costs the
// writing of one answer, which is never posted; text that reaches a life
// was checked when it was posted (social), so that is rare.
type personCheck struct {
	f    workflow.Future
	done bool
	res  LifeCheck
	err  error
}

// errUnanswered ends a life step whose person's text was flagged: nobody
// answers it, and the step is done.
var errUnanswered = errors.New("the person's text was flagged: nobody answers it")

// clear waits for the check of the person's text p (nil: the step answers
// no person) and returns errUnanswered if it was flagged, or the check's
// error.
func (l *life) clear(ctx workflow.Context, p *personCheck) error {
	if p == nil {
		return nil
	}
	if !p.done {
		p.err, p.done = p.f.Get(ctx, &p.res), true
		if p.err == nil && !p.res.Allowed {
			workflow.GetLogger(ctx).Info("a person's text was flagged; nobody answers it", "world_id", l.in.WorldID, "reason", p.res.Reason)
		}
	}
	if p.err != nil {
		return p.err
	}
	if !p.res.Allowed {
		return errUnanswered
	}
	return nil
}

// replyKey is where the reply's text is stored: its key, or for a rewrite
// the key and the rewrite's number.
func (r LifeReply) replyKey() string {
	if r.Again == 0 {
		return r.Key
	}
	return fmt.Sprintf("%s/again/%d", r.Key, r.Again)
}

// reply writes a reply, checks it (once the person's text it answers
// passed its check), writes it again while it is flagged (at most
// maxRewrites times) and posts it once it passes. It reports whether the
// reply was posted.
func (l *life) reply(ctx workflow.Context, r LifeReply, person *personCheck) (bool, error) {
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	checks := workflow.WithActivityOptions(ctx, lifeCheckOptions)
	services := workflow.WithActivityOptions(ctx, servicesOptions)
	for ; ; r.Again++ {
		if err := workflow.ExecuteActivity(llm, a.WriteReply, r).Get(ctx, &l.in.Day); err != nil {
			return false, err
		}
		if err := l.clear(ctx, person); err != nil {
			return false, err
		}
		var c LifeCheck
		if err := workflow.ExecuteActivity(checks, a.CheckReply, r).Get(ctx, &c); err != nil {
			return false, err
		}
		if c.Allowed {
			if c.Decision == generia.DecisionLabel {
				r.Labels = c.Categories
			}
			return true, workflow.ExecuteActivity(services, a.SaveReply, r).Get(ctx, nil)
		}
		if r.Again >= maxRewrites {
			workflow.GetLogger(ctx).Warn("a reply stayed flagged; it is not posted", "world_id", l.in.WorldID, "key", r.Key)
			return false, nil
		}
		r.Flagged = c.Categories
	}
}

// postChecked makes a character's own post as post does, its text checked
// before its image is painted: a flagged text is written again, at most
// maxRewrites times, each rewrite a post of its own key (nothing of the
// flagged one was posted), and one still flagged is not posted. It
// reports whether the post was made. A post that reacts to a person's post
// is checked once that post passed its check.
func (l *life) postChecked(ctx workflow.Context, r LifeReply, person *personCheck) (bool, error) {
	llm := workflow.WithActivityOptions(ctx, llmOptions)
	checks := workflow.WithActivityOptions(ctx, lifeCheckOptions)
	base := r.Key
	for ; ; r.Again++ {
		if r.Again > 0 {
			r.Key = fmt.Sprintf("%s/again/%d", base, r.Again)
		}
		if err := workflow.ExecuteActivity(llm, a.WriteLifePost, r).Get(ctx, &l.in.Day); err != nil {
			return false, err
		}
		if err := l.clear(ctx, person); err != nil {
			return false, err
		}
		var c LifeCheck
		if err := workflow.ExecuteActivity(checks, a.CheckLifePost, r).Get(ctx, &c); err != nil {
			return false, err
		}
		if c.Allowed {
			if c.Decision == generia.DecisionLabel {
				r.Labels = c.Categories
			}
			return true, l.paintAndSave(ctx, r)
		}
		if r.Again >= maxRewrites {
			workflow.GetLogger(ctx).Warn("a life post stayed flagged; it is not posted", "world_id", l.in.WorldID, "key", base)
			return false, nil
		}
		r.Flagged = c.Categories
	}
}
