// Package apiv1 is Generia's HTTP API on the wire: the JSON bodies the server
// writes (httpapi) and its Go client reads (apiclient), declared once so
// that the two cannot drift apart.
package apiv1

import (
	"encoding/json"
	"time"

	"github.com/generia/generia/internal/generia"
)

// User is an account.
type User struct {
	ID        string    `json:"id"`
	Username  string    `json:"username"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"created_at"`
	// Role is moderator or admin; absent for everyone else.
	Role string `json:"role,omitempty"`
	// Standing is limited or suspended; absent for an account in good
	// standing.
	Standing string `json:"standing,omitempty"`
}

// Review is the moderation state of a post, comment, character or world,
// sent only when it has one: held (waiting for a moderator) or hidden (by
// one), which only its person and moderators see, and the labels of
// content shown behind a notice.
type Review struct {
	State  string             `json:"state,omitempty"`
	Reason string             `json:"reason,omitempty"`
	Labels []generia.Category `json:"labels,omitempty"`
}

// ReviewOf is an item's review as the API sends it: nil when it has none.
func ReviewOf(r generia.Review) *Review {
	if r.State == "" && r.Reason == "" && len(r.Labels) == 0 {
		return nil
	}
	return &Review{State: r.State, Reason: r.Reason, Labels: r.Labels}
}

// Session is the answer of register, login and refresh.
type Session struct {
	Token        string    `json:"token"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"expires_at"`
	User         User      `json:"user"`
}

// World is a world with, when asked for one world, its generation status.
type World struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Prompt          string            `json:"prompt"`
	Description     string            `json:"description"`
	Params          json.RawMessage   `json:"params"`
	CharactersCount int               `json:"characters_count"`
	PostsCount      int               `json:"posts_count"`
	CharactersMade  int               `json:"characters_created"`
	PostsMade       int               `json:"posts_created"`
	Posts           int               `json:"posts_total"`
	HeaderMediaID   string            `json:"header_media_id,omitempty"`
	IconMediaID     string            `json:"icon_media_id,omitempty"`
	Visibility      string            `json:"visibility"`
	OwnerID         string            `json:"owner_id"`
	Providers       generia.Providers `json:"providers"`
	WorkflowID      string            `json:"workflow_id"`
	Status          string            `json:"generation_status"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	IsOwner         *bool             `json:"is_owner,omitempty"`
	IsJoined        *bool             `json:"is_joined,omitempty"`
	Generation      *Status           `json:"generation,omitempty"`
	Review          *Review           `json:"review,omitempty"`
}

// Status is a world's generation status record. The counters keep the
// original system's JSON names (users_created counts characters).
type Status struct {
	WorldID             string          `json:"world_id"`
	WorkflowID          string          `json:"workflow_id"`
	Status              string          `json:"status"`
	CurrentStage        string          `json:"current_stage"`
	Stages              []generia.Stage `json:"stages"`
	ProgressPercent     int             `json:"progress_percent"`
	CharactersCreated   int             `json:"users_created"`
	CharactersPredicted int             `json:"users_predicted"`
	PostsCreated        int             `json:"posts_created"`
	PostsPredicted      int             `json:"posts_predicted"`
	ImagesCreated       int             `json:"images_created"`
	ImagesPredicted     int             `json:"images_predicted"`
	// ItemsHeld counts the generated items a moderation check held for
	// review: they exist, seen only by the world's owner and moderators.
	ItemsHeld       int `json:"items_held"`
	CallLimitLLM    int `json:"api_call_limits_llm"`
	CallLimitImages int `json:"api_call_limits_images"`
	CallsLLM        int `json:"api_calls_made_llm"`
	CallsImages     int `json:"api_calls_made_images"`
	// Of the calls made, those that failed or whose answers could not be
	// used; their steps are made again.
	CallsFailedLLM    int     `json:"api_calls_failed_llm"`
	CallsFailedImages int     `json:"api_calls_failed_images"`
	TokensIn          int64   `json:"tokens_in"`
	TokensOut         int64   `json:"tokens_out"`
	LLMCost           float64 `json:"llm_cost_total"`
	ImageCost         float64 `json:"image_cost_total"`
	BudgetUSD         float64 `json:"budget_usd"`
	// What the models' answers needed: calls whose answers were repaired,
	// and calls whose answers could not be used, with what those cost.
	AnswersRepaired    int               `json:"answers_repaired"`
	AnswersInvalid     int               `json:"answers_invalid"`
	AnswersInvalidCost float64           `json:"answers_invalid_cost"`
	Providers          generia.Providers `json:"providers"`
	CancelRequested    bool              `json:"cancel_requested"`
	Error              string            `json:"error"`
	CreatedAt          time.Time         `json:"created_at"`
	UpdatedAt          time.Time         `json:"updated_at"`
	StartedAt          *time.Time        `json:"started_at"`
	FinishedAt         *time.Time        `json:"finished_at"`
	ElapsedSeconds     float64           `json:"elapsed_seconds"`
	// ETASeconds is how much longer the generation is expected to take, from
	// the speed of its calls so far; absent when it is not running or has no
	// speed to go by yet.
	ETASeconds *float64 `json:"eta_seconds,omitempty"`
}

// Terminal reports whether the generation has ended.
func (s Status) Terminal() bool {
	return s.Status == generia.StatusCompleted || s.Status == generia.StatusFailed || s.Status == generia.StatusCancelled
}

// Character is a character of a world: an AI one, or a person's own.
type Character struct {
	ID            string          `json:"id"`
	WorldID       string          `json:"world_id"`
	Username      string          `json:"username"`
	DisplayName   string          `json:"display_name"`
	Bio           string          `json:"bio"`
	AvatarMediaID string          `json:"avatar_media_id,omitempty"`
	AvatarURL     string          `json:"avatar_url,omitempty"`
	IsAI          bool            `json:"is_ai"`
	RealUserID    string          `json:"real_user_id,omitempty"`
	Profile       json.RawMessage `json:"profile"`
	PostsCount    *int            `json:"posts_count,omitempty"`
	// Following is whether the viewer follows the character, on its
	// profile.
	Following *bool     `json:"following,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	Review    *Review   `json:"review,omitempty"`
}

// Post is a post of a world's feed.
type Post struct {
	ID            string    `json:"id"`
	WorldID       string    `json:"world_id"`
	CharacterID   string    `json:"character_id"`
	Username      string    `json:"username"`
	DisplayName   string    `json:"display_name"`
	AvatarMediaID string    `json:"avatar_media_id,omitempty"`
	AvatarURL     string    `json:"avatar_url,omitempty"`
	IsAI          bool      `json:"is_ai"`
	Caption       string    `json:"caption"`
	Hashtags      []string  `json:"hashtags"`
	MediaID       string    `json:"media_id"`
	MediaURL      string    `json:"media_url"`
	MediaWidth    int       `json:"media_width,omitempty"`
	MediaHeight   int       `json:"media_height,omitempty"`
	LikesCount    int       `json:"likes_count"`
	CommentsCount int       `json:"comments_count"`
	UserLiked     bool      `json:"user_liked"`
	CreatedAt     time.Time `json:"created_at"`
	Review        *Review   `json:"review,omitempty"`
	// WorldName is the name of the post's world, in the home feed, where
	// posts of several worlds meet.
	WorldName string `json:"world_name,omitempty"`
}

// Comment is a comment on a post: a person's (user_id), possibly spoken as
// one of their characters (character_id), or an AI character's (is_ai).
type Comment struct {
	ID                string    `json:"id"`
	PostID            string    `json:"post_id"`
	UserID            string    `json:"user_id,omitempty"`
	Username          string    `json:"username,omitempty"`
	CharacterID       string    `json:"character_id,omitempty"`
	CharacterUsername string    `json:"character_username,omitempty"`
	DisplayName       string    `json:"display_name,omitempty"`
	IsAI              bool      `json:"is_ai"`
	ParentID          string    `json:"parent_id,omitempty"`
	Text              string    `json:"text"`
	CreatedAt         time.Time `json:"created_at"`
	// Deleted marks a deleted comment kept as the place its replies
	// answer: it has no text and no speaker.
	Deleted bool `json:"deleted,omitempty"`
	// Answer is in the answer to a new comment only: whether the world's
	// characters will answer it, and when.
	Answer *Answer `json:"answer,omitempty"`
	Review *Review `json:"review,omitempty"`
}

// Answer says whether a new comment will be answered: status "coming"
// (within seconds), "queued" (when the world resumes or its next day
// begins) or "none", with a message for people.
type Answer struct {
	Status  string `json:"status"`
	Message string `json:"message"`
}

// Like is a like of a post: a person's (user_id), or an AI character's
// (character_id).
type Like struct {
	UserID            string    `json:"user_id,omitempty"`
	Username          string    `json:"username,omitempty"`
	CharacterID       string    `json:"character_id,omitempty"`
	CharacterUsername string    `json:"character_username,omitempty"`
	DisplayName       string    `json:"display_name,omitempty"`
	CreatedAt         time.Time `json:"created_at"`
}

// Life is a world's life: its state, and for its owner its settings and
// what today cost.
type Life = generia.LifeView

// AccountCeilings is one account's ceilings, as the operator reads and
// sets them.
type AccountCeilings = generia.AccountCeilings

// ReportFiled is what a reporter learns of their report: the case it went
// into and whether that is open. The case's score, and who else reported,
// are for moderators.
type ReportFiled struct {
	CaseID string `json:"id"`
	Status string `json:"status"`
}

// Subject names what a report or action is about: a post, comment,
// character, world or user, by ID.
type Subject = generia.Subject

// Snapshot is reported or acted-on content as it was then.
type Snapshot = generia.Snapshot

// Verdict is an automatic check's answer.
type Verdict = generia.Verdict

// Case gathers the reports and automatic holds of one subject, for
// moderators.
type Case struct {
	ID      string  `json:"id"`
	Subject Subject `json:"subject"`
	WorldID string  `json:"world_id,omitempty"`
	Status  string  `json:"status"`
	// Source is report (people's reports) or check (an automatic hold).
	Source string `json:"source"`
	// Score is the sum of the reports' weights; Reports how many there are.
	Score      float64    `json:"score"`
	Reports    int        `json:"reports"`
	Snapshot   Snapshot   `json:"snapshot"`
	Verdict    *Verdict   `json:"verdict,omitempty"`
	Resolution string     `json:"resolution,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// CaseDetail is one case with its reports.
type CaseDetail struct {
	Case    Case     `json:"case"`
	Reports []Report `json:"reports"`
}

// Report is one person's report in a case, for moderators.
type Report struct {
	ID         string  `json:"id"`
	ReporterID string  `json:"reporter_id"`
	Reason     string  `json:"reason"`
	Note       string  `json:"note,omitempty"`
	Weight     float64 `json:"weight"`
	// Snapshot is the subject as this reporter saw it.
	Snapshot  Snapshot  `json:"snapshot"`
	CreatedAt time.Time `json:"created_at"`
}

// Strike is an action on a person's content or account, as its person
// sees it, with their appeal.
type Strike struct {
	ID       string   `json:"id"`
	UserID   string   `json:"user_id"`
	CaseID   string   `json:"case_id,omitempty"`
	Action   string   `json:"action"`
	Subject  Subject  `json:"subject"`
	Reason   string   `json:"reason"`
	Snapshot Snapshot `json:"snapshot"`
	// AppealUntil is the last moment the person may appeal.
	AppealUntil time.Time `json:"appeal_until"`
	CreatedAt   time.Time `json:"created_at"`
	Appeal      *Appeal   `json:"appeal,omitempty"`
}

// Appeal is a person's one appeal of a strike and its answer.
type Appeal struct {
	Text string `json:"text"`
	// State is pending, accepted or rejected.
	State     string    `json:"state"`
	CreatedAt time.Time `json:"created_at"`
	// DecidedAt and Decision are the moderators' answer and its reason.
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	Decision  string     `json:"decision,omitempty"`
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID string `json:"id"`
	// Actor is the account that acted, operator or system.
	Actor     string          `json:"actor"`
	Verb      string          `json:"verb"`
	Subject   Subject         `json:"subject"`
	CaseID    string          `json:"case_id,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Snapshot  *Snapshot       `json:"snapshot,omitempty"`
	Detail    json.RawMessage `json:"detail,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// Spend is what providers cost over the last days, for the console.
type Spend struct {
	// Days are every day of the period, oldest first, 0 for a day without
	// calls.
	Days        []DaySpend `json:"days"`
	TopAccounts []Spender  `json:"top_accounts"`
	TopWorlds   []Spender  `json:"top_worlds"`
	// Awake are the IDs of the worlds whose life runs now.
	Awake []string `json:"awake"`
}

// DaySpend is what providers cost on one day (UTC).
type DaySpend struct {
	Day     string  `json:"day"`
	CostUSD float64 `json:"cost_usd"`
	Calls   int     `json:"calls"`
}

// Spender is an account or world and what it cost in the period.
type Spender struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	CostUSD float64 `json:"cost_usd"`
	Calls   int     `json:"calls"`
}
