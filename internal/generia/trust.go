package generia

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Category is one kind of harm in Generia's moderation taxonomy. Every
// moderation backend maps its own categories onto these.
type Category string

// The taxonomy.
const (
	CategorySexual          Category = "sexual"
	CategorySexualMinors    Category = "sexual/minors"
	CategoryViolence        Category = "violence"
	CategoryViolenceGraphic Category = "violence/graphic"
	CategorySelfHarm        Category = "self-harm"
	CategoryHate            Category = "hate"
	CategoryHarassment      Category = "harassment"
	CategoryIllicit         Category = "illicit"
	CategorySpam            Category = "spam"
)

// LabelSensitive is the label a moderator puts on content they mark
// sensitive; it is not a category of the taxonomy.
const LabelSensitive Category = "sensitive"

// Categories lists the taxonomy in a fixed order.
var Categories = []Category{
	CategorySexual, CategorySexualMinors, CategoryViolence, CategoryViolenceGraphic,
	CategorySelfHarm, CategoryHate, CategoryHarassment, CategoryIllicit, CategorySpam,
}

// Decision is what happens to content a check flagged, from the mildest:
// allow it, allow it with a label (shown behind a "sensitive" notice), hold
// it for a moderator's review, or block it (refused, never stored).
type Decision string

// The decisions, mildest first.
const (
	DecisionAllow Decision = "allow"
	DecisionLabel Decision = "label"
	DecisionHold  Decision = "hold"
	DecisionBlock Decision = "block"
)

var decisionRank = map[Decision]int{DecisionAllow: 0, DecisionLabel: 1, DecisionHold: 2, DecisionBlock: 3}

// Stricter reports whether d is stricter than e.
func (d Decision) Stricter(e Decision) bool { return decisionRank[d] > decisionRank[e] }

// Policy is the operator's decision per category
// (GENERIA_MODERATION_ACTIONS); a category it does not name is held.
type Policy map[Category]Decision

// DefaultPolicy blocks sexual content involving minors and holds the rest
// for review.
func DefaultPolicy() Policy {
	p := Policy{}
	for _, c := range Categories {
		p[c] = DecisionHold
	}
	p[CategorySexualMinors] = DecisionBlock
	return p
}

// ParsePolicy reads a policy such as "sexual=label,violence/graphic=block":
// the named categories change, the rest keep DefaultPolicy's decision.
func ParsePolicy(s string) (Policy, error) {
	p := DefaultPolicy()
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		c, d := Category(strings.TrimSpace(name)), Decision(strings.TrimSpace(value))
		if !ok || !slices.Contains(Categories, c) {
			return nil, fmt.Errorf("%q: want category=decision with a category of %s", part, joinCategories())
		}
		if _, known := decisionRank[d]; !known {
			return nil, fmt.Errorf("%q: the decision must be allow, label, hold or block", part)
		}
		p[c] = d
	}
	return p, nil
}

func joinCategories() string {
	names := make([]string, len(Categories))
	for i, c := range Categories {
		names[i] = string(c)
	}
	return strings.Join(names, ", ")
}

// String writes the policy back in ParsePolicy's form, in taxonomy order.
func (p Policy) String() string {
	parts := make([]string, 0, len(Categories))
	for _, c := range Categories {
		parts = append(parts, string(c)+"="+string(p.decision(c)))
	}
	return strings.Join(parts, ",")
}

func (p Policy) decision(c Category) Decision {
	if d, ok := p[c]; ok {
		return d
	}
	return DecisionHold
}

// Verdict is a moderation check's answer about one text or image.
type Verdict struct {
	// Flagged lists the categories the content falls in; none means it
	// passed.
	Flagged []Category `json:"flagged,omitempty"`
	// Terms are what matched, for the moderators' console (the offline
	// word list's words; a guard model's codes such as "S10").
	Terms []string `json:"terms,omitempty"`
	// Checker names the backend that judged it ("offline", "openai",
	// "guard", "runware").
	Checker string `json:"checker"`
	// HoldOnly says the checker may only hold content for review, never
	// block it: the offline word list, which cannot tell a quote from an
	// insult.
	HoldOnly bool `json:"hold_only,omitempty"`
}

// Decide is what the policy does with the verdict: the strictest decision
// over its categories (a hold-only checker's blocks become holds).
func (v Verdict) Decide(p Policy) Decision {
	d := DecisionAllow
	for _, c := range v.Flagged {
		if e := p.decision(c); e.Stricter(d) {
			d = e
		}
	}
	if v.HoldOnly && d == DecisionBlock {
		d = DecisionHold
	}
	return d
}

// What kind of content a check is about.
const (
	CheckPrompt      = "prompt"      // a world's prompt, before anything is paid for
	CheckWorld       = "world"       // a world's name and description
	CheckDescription = "description" // a generated world description
	CheckProfile     = "profile"     // a character's profile
	CheckPost        = "post"        // a post's caption
	CheckComment     = "comment"     // a person's comment
	CheckReply       = "reply"       // a character's reply to a comment
	CheckImage       = "image"
)

// TextCheck asks whether a text may be published.
type TextCheck struct {
	// Kind is one of the Check* kinds.
	Kind string
	Text string
	// Answers is the text Text answers, when it is a reply (a guard model
	// judges a reply in its conversation).
	Answers string
	// UserID is the hashed id of the person the text comes from or answers
	// (SafetyID), sent to the service so that its blocks hit one person.
	UserID string
}

// ImageCheck asks whether an image may be published.
type ImageCheck struct {
	Kind        string
	Data        []byte
	ContentType string
	UserID      string
}

// Moderator checks content before it is published. An error means the
// content could not be checked: a person's content is then held for review
// and generated content waits and retries; an error never lets content
// through. Errors are classified as for TextGenerator.
type Moderator interface {
	// Name labels the backend ("offline", "openai", "guard", "off").
	Name() string
	CheckText(ctx context.Context, c TextCheck) (Verdict, error)
	// CheckImage judges an image; a backend that cannot judge images
	// answers a Verdict with no flags and Checker naming itself.
	CheckImage(ctx context.Context, c ImageCheck) (Verdict, error)
}

// Review states of content (posts, comments, characters, worlds).
const (
	// ReviewNone is content anyone who may see its world sees.
	ReviewNone = ""
	// ReviewHeld is content waiting for a moderator: a check flagged it or
	// could not judge it, or reports on it passed the threshold. Its
	// author and moderators see it, marked; no one else does.
	ReviewHeld = "held"
	// ReviewHidden is content a moderator hid: its author sees it, marked,
	// and moderators; no one else does.
	ReviewHidden = "hidden"
)

// Review is the moderation state of one item.
type Review struct {
	State string `json:"state,omitempty"`
	// Labels are the categories of content allowed with a label, or marked
	// sensitive by a moderator.
	Labels []Category `json:"labels,omitempty"`
	// Reason says why it is held or hidden, for its author and moderators.
	Reason string `json:"reason,omitempty"`
}

// ReasonUnchecked is the reason of a person's item held because its check
// did not answer: it is checked again until the service answers (Recheck).
const ReasonUnchecked = "waiting for a moderation check"

// Recheck asks for a person's item held with ReasonUnchecked to be checked
// again, until the moderation service answers, and released, kept or
// hidden by its answer.
type Recheck struct {
	Subject Subject
	// Kind is the Check* kind of the text; Text what was checked.
	Kind     string
	Text     string
	AuthorID string
	// CaseID is the case the hold opened, which a pass resolves.
	CaseID string
}

// Visible reports whether anyone who may see the item's world sees it.
func (r Review) Visible() bool { return r.State == ReviewNone }

// Subject types: what can be reported and acted on.
const (
	SubjectPost      = "post"
	SubjectComment   = "comment"
	SubjectCharacter = "character"
	SubjectWorld     = "world"
	SubjectUser      = "user"
)

// Subject names one reportable thing.
type Subject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

func (s Subject) String() string { return s.Type + "/" + s.ID }

// Roles of accounts. The operator (its token) is above them all and grants
// them.
const (
	RoleNone      = ""
	RoleModerator = "moderator"
	RoleAdmin     = "admin"
)

// Standing of an account.
const (
	StandingGood      = ""
	StandingLimited   = "limited"   // new-account limits, whatever its age
	StandingSuspended = "suspended" // cannot sign in or act
)

// Report reasons.
const (
	ReasonSpam    = "spam"
	ReasonIllegal = "illegal"
	ReasonRules   = "rules"
	ReasonOther   = "other"
)

// ReportReasons lists the reasons a report may give.
var ReportReasons = []string{ReasonSpam, ReasonIllegal, ReasonRules, ReasonOther}

// Snapshot is reported or acted-on content as it was at that moment: a
// later edit or deletion cannot change what moderators and the audit log
// see.
type Snapshot struct {
	Subject Subject `json:"subject"`
	WorldID string  `json:"world_id,omitempty"`
	// AuthorID is the person responsible: the person who wrote it, owns
	// the character, or owns the world; empty for a generated item of a
	// world whose owner is gone.
	AuthorID string `json:"author_id,omitempty"`
	// Text is what it said (caption, comment, profile, world description,
	// username); MediaID its image, if any.
	Text    string `json:"text"`
	MediaID string `json:"media_id,omitempty"`
	// Generated marks content an AI character made.
	Generated bool      `json:"generated,omitempty"`
	TakenAt   time.Time `json:"taken_at"`
}

// Report is one person's report of a subject.
type Report struct {
	ID         string
	CaseID     string
	ReporterID string
	Subject    Subject
	Reason     string
	Note       string
	// Weight is what the report adds to its case's score: its reporter's
	// record (see ReporterWeight).
	Weight    float64
	Snapshot  Snapshot
	CreatedAt time.Time
}

// Case states.
const (
	CaseOpen     = "open"
	CaseResolved = "resolved"
)

// Case sources: what opened it.
const (
	SourceReport = "report" // people's reports
	SourceCheck  = "check"  // an automatic check held the content
)

// Case gathers the reports and automatic holds of one subject while it is
// open; a subject reported again after its case is resolved opens a new
// one.
type Case struct {
	ID      string
	Subject Subject
	WorldID string
	Status  string
	Source  string
	// Score is the sum of its reports' weights; past the threshold the
	// content is held pending review.
	Score   float64
	Reports int
	// Snapshot is the subject as the first report or check saw it.
	Snapshot Snapshot
	// Verdict is the automatic check's, for a case a check opened.
	Verdict    *Verdict
	Resolution string
	CreatedAt  time.Time
	UpdatedAt  time.Time
	ResolvedAt *time.Time
}

// CaseFilter selects cases.
type CaseFilter struct {
	// Status is CaseOpen, CaseResolved, or "" for both.
	Status string
}

// Moderator actions.
const (
	ActionDismiss       = "dismiss"        // nothing wrong: the case closes, held content is shown
	ActionApprove       = "approve"        // held content is fine: shown, case closed
	ActionHide          = "hide"           // content hidden from everyone but its author
	ActionDelete        = "delete"         // content deleted (the snapshot stays)
	ActionMarkSensitive = "mark_sensitive" // shown behind a sensitive label
	ActionPauseLife     = "pause_life"     // a world's life stops
	ActionFreezeWorld   = "freeze_world"   // a world takes no new content
	ActionSilence       = "silence"        // a character neither posts nor answers
	ActionWarn          = "warn"           // a strike and nothing else
	ActionLimit         = "limit"          // an account gets new-account limits
	ActionSuspend       = "suspend"        // an account cannot sign in or act
)

// Strike is an action on a person's content or account as its person sees
// it: what was done, why, and their appeal.
type Strike struct {
	ID        string
	UserID    string
	CaseID    string
	Action    string
	Subject   Subject
	Reason    string
	Snapshot  Snapshot
	CreatedAt time.Time
	// Appeal is the person's one appeal, if they made it.
	Appeal *Appeal
}

// Appeal states.
const (
	AppealPending  = "pending"
	AppealAccepted = "accepted"
	AppealRejected = "rejected"
)

// AppealWindow is how long after a strike its person may appeal it.
const AppealWindow = 20 * 24 * time.Hour

// Appeal is a person's request to undo a strike.
type Appeal struct {
	Text      string
	State     string
	CreatedAt time.Time
	// DecidedAt, DecidedBy and Decision are the moderator's answer.
	DecidedAt *time.Time
	DecidedBy string
	Decision  string
}

// Audit actors other than accounts.
const (
	ActorOperator = "operator" // the operator's token
	ActorSystem   = "system"   // an automatic check or threshold
)

// AuditEntry is one line of the append-only audit log: every human and
// automatic decision.
type AuditEntry struct {
	ID string
	// Actor is the account that acted, ActorOperator or ActorSystem.
	Actor   string
	Verb    string // an Action*, or report, hold, appeal, grant, …
	Subject Subject
	CaseID  string
	Reason  string
	// Snapshot is the subject as it was when acted on.
	Snapshot *Snapshot
	// Detail carries what else the decision rests on (a verdict, a role).
	Detail    json.RawMessage
	CreatedAt time.Time
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Subject *Subject
	Actor   string
}

// ReporterWeight is what a person's next report weighs, from their record:
// 1 for a new reporter, more for reports that were upheld, less for
// reports that were rejected, never below 0.1 or above 3.
func ReporterWeight(upheld, rejected int) float64 {
	w := (1 + float64(upheld)) / (1 + float64(rejected))
	return min(max(w, 0.1), 3)
}

// ReportThreshold is the case score past which reported content is held
// pending review.
const ReportThreshold = 3.0

// DaySpend is what providers cost on one day, in all.
type DaySpend struct {
	Day     string // YYYY-MM-DD, UTC
	CostUSD float64
	Calls   int
}

// Spender is an account or world and what it cost in a period.
type Spender struct {
	ID      string
	Name    string
	CostUSD float64
	Calls   int
}

// TrustStore holds moderation: review states of content, roles and
// standing of accounts, reports and cases, strikes and appeals, and the
// audit log.
type TrustStore interface {
	// SetReview sets an item's review state. An unknown subject gives
	// KindNotFound; a user subject gives KindInvalid.
	SetReview(ctx context.Context, s Subject, r Review) error
	// HoldGenerated marks a generated item held (as SetReview) and counts
	// it in its world's status record (GenerationStatus.ItemsHeld), once
	// per item, in one transaction.
	HoldGenerated(ctx context.Context, s Subject, r Review) error

	// SetWorldFrozen freezes a world (it takes no new content, its life
	// stops) or thaws it; SetCharacterSilenced silences a character (it
	// neither posts nor answers) or lets it speak again.
	SetWorldFrozen(ctx context.Context, worldID string, frozen bool) error
	SetCharacterSilenced(ctx context.Context, characterID string, silenced bool) error

	// SetRole sets an account's role; SetStanding its standing.
	SetRole(ctx context.Context, userID, role string) error
	SetStanding(ctx context.Context, userID, standing string) error
	// AwakeWorlds lists the worlds whose life is awake now (at most 100).
	AwakeWorlds(ctx context.Context) ([]string, error)
	// FindUsers lists accounts whose username or email starts with q.
	FindUsers(ctx context.Context, q string, page Page) ([]User, string, error)

	// FileReport records a report and merges it into its subject's open
	// case (opening one when there is none), adding its weight to the
	// case's score, in one transaction. A second report of the same open
	// case by the same reporter gives KindConflict.
	FileReport(ctx context.Context, r Report) (Case, error)
	// OpenCase opens a case for an automatic hold, or returns the
	// subject's open case (whose source it keeps).
	OpenCase(ctx context.Context, c Case) (Case, error)
	Case(ctx context.Context, id string) (Case, error)
	// ListCases lists cases, open ones by score then age, others newest
	// first.
	ListCases(ctx context.Context, f CaseFilter, page Page) ([]Case, string, error)
	CaseReports(ctx context.Context, caseID string) ([]Report, error)
	// ReporterRecord counts a reporter's reports in cases resolved with an
	// action (upheld) and dismissed (rejected).
	ReporterRecord(ctx context.Context, userID string) (upheld, rejected int, err error)

	// Resolve closes a case with a decision, in one transaction: the
	// review state of its subject (r, when not nil), the strike (when
	// not nil) and the audit entry. A case already resolved gives
	// KindConflict.
	Resolve(ctx context.Context, caseID, resolution string, r *Review, strike *Strike, entry AuditEntry) (Case, error)
	// AddStrike records a strike outside a case (with its audit entry).
	AddStrike(ctx context.Context, s Strike, entry AuditEntry) (Strike, error)
	Strike(ctx context.Context, id string) (Strike, error)
	// Strikes lists an account's strikes, newest first.
	Strikes(ctx context.Context, userID string) ([]Strike, error)
	// AppealStrike records the one appeal of a strike, made at now: a
	// second gives KindConflict, one after AppealWindow KindInvalid.
	AppealStrike(ctx context.Context, strikeID, text string, now time.Time) (Strike, error)
	// DecideAppeal answers a pending appeal (with its audit entry).
	DecideAppeal(ctx context.Context, strikeID string, accepted bool, by, reason string, now time.Time) (Strike, error)

	// Audit appends to the audit log; ListAudit reads it, newest first.
	Audit(ctx context.Context, e AuditEntry) error
	ListAudit(ctx context.Context, f AuditFilter, page Page) ([]AuditEntry, string, error)

	// SpendByDay is the providers' cost per day since a time; TopAccounts
	// and TopWorlds the most costly in that period.
	SpendByDay(ctx context.Context, since time.Time) ([]DaySpend, error)
	TopAccounts(ctx context.Context, since time.Time, n int) ([]Spender, error)
	TopWorlds(ctx context.Context, since time.Time, n int) ([]Spender, error)
}

// ReviewOf reads the review state of a subject from the store: of a post,
// comment, character or world. Another type of subject gives KindInvalid,
// an unknown item the store's KindNotFound.
func ReviewOf(ctx context.Context, s Store, sub Subject) (Review, error) {
	switch sub.Type {
	case SubjectPost:
		p, err := s.Post(ctx, sub.ID, "")
		return p.Review, err
	case SubjectComment:
		c, err := s.Comment(ctx, sub.ID)
		return c.Review, err
	case SubjectCharacter:
		c, err := s.Character(ctx, sub.ID)
		return c.Review, err
	case SubjectWorld:
		w, err := s.World(ctx, sub.ID)
		return w.Review, err
	}
	return Review{}, Errorf(KindInvalid, "a %s has no review state", sub.Type)
}
