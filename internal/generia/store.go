package generia

import (
	"context"
	"encoding/json"
	"io"
	"time"
)

// Store is Generia's persistent data. Every backend (SQLite, PostgreSQL)
// passes the same conformance suite (internal/storetest).
//
// Unless a method says otherwise, a missing row gives a KindNotFound error and
// a bad argument a KindInvalid error. Methods that create rows keyed by a
// caller-chosen ID are idempotent: creating the same ID again returns the
// stored row and created=false, so a retried activity never duplicates.
type Store interface {
	UserStore
	WorldStore
	GenerationStore
	ContentStore
	SocialStore
	SessionStore
	LifeStore
	CeilingStore
	TrustStore
	InvitationStore
	NotificationStore
	FollowStore
	// Close releases the store's connections.
	Close() error
}

// UserStore holds accounts and refresh tokens.
type UserStore interface {
	// CreateUser creates an account. It returns KindConflict when the
	// username or email is taken (compared case-insensitively).
	CreateUser(ctx context.Context, u User, passwordHash string) (User, error)
	// UserByLogin finds an account by email or username (case-insensitive)
	// and returns it with its password hash.
	UserByLogin(ctx context.Context, emailOrUsername string) (User, string, error)
	// UserByID returns an account.
	UserByID(ctx context.Context, id string) (User, error)
	// StartTokenFamily begins an API client's sign-in: the family f (at
	// generation 1) and its first refresh token, stored by hash. An
	// unknown user gives KindNotFound, a family or hash that exists
	// KindConflict.
	StartTokenFamily(ctx context.Context, f TokenFamily, refreshHash string) error
	// RotateRefreshToken spends a refresh token and stores its successor,
	// in one transaction: the family moves to its next generation, which
	// ends every access token issued before, and lives until
	// nextExpires; the family is returned. An unknown or expired token, or
	// one of a revoked or expired family, gives KindUnauthorized. A token
	// already spent gives KindUnauthorized and revokes its family: someone
	// replays it, and every token issued after it ends too.
	RotateRefreshToken(ctx context.Context, hash, nextHash string, now, nextExpires time.Time) (TokenFamily, error)
	// TokenFamily returns a family.
	TokenFamily(ctx context.Context, id string) (TokenFamily, error)
	// RevokeTokenFamily ends a family at once: none of its access or
	// refresh tokens works any more. Revoking it again is a no-op; an
	// unknown family gives KindNotFound.
	RevokeTokenFamily(ctx context.Context, id string, now time.Time) error
	// RefreshTokenFamily returns the family of a refresh token, spent or
	// not; an unknown one gives KindNotFound.
	RefreshTokenFamily(ctx context.Context, hash string) (string, error)
}

// WorldStore holds worlds.
type WorldStore interface {
	// CreateWorld creates a world together with its initial status record,
	// in one transaction.
	CreateWorld(ctx context.Context, w World, status GenerationStatus) error
	// World returns a world.
	World(ctx context.Context, id string) (World, error)
	// ListWorlds returns worlds newest first, as the filter says. A viewer
	// never sees a private world that is not theirs (owned or joined).
	ListWorlds(ctx context.Context, f WorldFilter, page Page) ([]World, string, error)
	// DeleteWorld deletes a world and everything in it (characters, posts,
	// media records, likes, comments, members, follows, status, artifacts,
	// ledger) in one transaction, and returns the object keys of its media,
	// for the caller to delete from the media store.
	DeleteWorld(ctx context.Context, worldID string) ([]string, error)
	// JoinWorld makes a user a member of a world; joining again is a no-op.
	JoinWorld(ctx context.Context, worldID, userID string, now time.Time) error
	// LeaveWorld ends a membership; leaving a world one is not a member of
	// is a no-op. The owner cannot leave their own world (KindInvalid).
	LeaveWorld(ctx context.Context, worldID, userID string) error
	// IsMember reports whether a user is the owner or a member of a world.
	IsMember(ctx context.Context, worldID, userID string) (bool, error)
	// CountWorlds returns how many worlds exist.
	CountWorlds(ctx context.Context) (int, error)
	// SetWorldDescription stores a world's generated description. The name
	// is replaced only when the world has none.
	SetWorldDescription(ctx context.Context, worldID, name, description string, params json.RawMessage) error
	// SetWorldImages attaches the header and icon media to a world.
	SetWorldImages(ctx context.Context, worldID, headerMediaID, iconMediaID string) error
	// EditWorld sets a world's name, description and visibility, as its
	// owner changed them. An unknown world gives KindNotFound.
	EditWorld(ctx context.Context, worldID, name, description, visibility string) error
}

// GenerationStore holds generation status records and generated artifacts.
type GenerationStore interface {
	// GenerationStatus returns a world's status record.
	GenerationStatus(ctx context.Context, worldID string) (GenerationStatus, error)
	// ListActiveGenerations returns the IDs of worlds whose generation is
	// pending or in progress.
	ListActiveGenerations(ctx context.Context) ([]string, error)
	// AdvanceGeneration applies stage changes and moves a pending generation
	// to in_progress. The current stage becomes the last stage set
	// in_progress. It returns KindStopped when the generation has ended.
	AdvanceGeneration(ctx context.Context, worldID string, changes []StageChange, now time.Time) (GenerationStatus, error)
	// FinishGeneration ends a generation with a terminal status (completed,
	// failed or cancelled) and an error message (empty when completed), in
	// two forms: errMsg with the detail for the world's owner, publicMsg
	// for anyone else (see GenerationStatus.PublicError). Stages still in
	// progress become failed or cancelled. It is a no-op on a generation
	// that already ended and returns the stored record.
	FinishGeneration(ctx context.Context, worldID, status, errMsg, publicMsg string, now time.Time) (GenerationStatus, error)
	// RequestCancel marks a generation as cancelling: from then on
	// ReserveCall and the creation of generated items fail with KindStopped.
	// It returns KindStopped when the generation has already ended.
	RequestCancel(ctx context.Context, worldID string, now time.Time) error
	// ReserveCall counts one provider call of the kind ("llm" or "image")
	// before it is made, in one atomic step with its checks. It returns
	// KindLimit when the world's call limit for that kind is reached, or
	// when the world has a budget (BudgetUSD > 0) and the cost spent so far
	// plus the average cost of a call of that kind so far would exceed it;
	// the message says which limit. It returns KindStopped when the
	// generation has ended or a cancel was requested.
	ReserveCall(ctx context.Context, worldID, kind string) error
	// RecordCall adds a provider call to the world's ledger and its tokens
	// and cost to the status record, in one transaction; a call with
	// repairs counts in AnswersRepaired.
	RecordCall(ctx context.Context, c ProviderCall) error
	// SaveAnswer records an answered call as RecordCall does and, in the
	// same transaction, saves the artifact made of its answer as
	// SaveArtifact does: a paid answer is never stored without its ledger
	// row, nor its ledger row without the answer.
	SaveAnswer(ctx context.Context, c ProviderCall, g Artifact) error
	// SavePaidImage records an image call as RecordCall does and, in the
	// same transaction, keeps the image it paid for until CreateMedia
	// records it, so that an image whose upload failed is not paid for
	// again. Saving an image that waits already keeps the stored one.
	SavePaidImage(ctx context.Context, c ProviderCall, img PaidImage) error
	// PaidImage returns a paid image that waits for its media row.
	PaidImage(ctx context.Context, id string) (PaidImage, error)
	// ProviderCalls returns a world's ledger, oldest first.
	ProviderCalls(ctx context.Context, worldID string) ([]ProviderCall, error)
	// RecentCallCost is what a provider's calls of a kind have cost lately,
	// across all worlds: the average of its most recent RecentCallsCounted
	// calls with a cost above zero, and how many there were.
	RecentCallCost(ctx context.Context, kind, provider string) (CallCost, error)
	// Artifact returns a stored artifact by world and key.
	Artifact(ctx context.Context, worldID, key string) (Artifact, error)
	// SaveArtifact stores an artifact. If one with the same world and key
	// exists, the stored one is kept and returned.
	SaveArtifact(ctx context.Context, g Artifact) (Artifact, error)
}

// ContentStore holds characters, posts and media.
type ContentStore interface {
	// CreateCharacter creates a character with a caller-chosen ID. For a
	// generated character it counts users_created in the same transaction,
	// and fails with KindStopped when the generation was cancelled or ended.
	CreateCharacter(ctx context.Context, c Character) (Character, bool, error)
	// SetCharacterAvatar attaches an avatar to a character.
	SetCharacterAvatar(ctx context.Context, characterID, mediaID string) error
	// EditCharacter sets a character's display name, bio and avatar, as
	// its person changed them. An unknown character gives KindNotFound.
	EditCharacter(ctx context.Context, characterID, displayName, bio, avatarMediaID string) error
	// DeleteCharacter deletes a character with its posts (and their likes
	// and comments), the comments spoken as it, the likes it gave and its
	// follows, in one transaction. An unknown character gives KindNotFound.
	DeleteCharacter(ctx context.Context, characterID string) error
	// Character returns a character.
	Character(ctx context.Context, id string) (Character, error)
	// ListCharacters returns a world's characters in cast order, then by
	// creation.
	ListCharacters(ctx context.Context, worldID string, page Page) ([]Character, string, error)
	// CreatePost creates a post with a caller-chosen ID. For a post by a
	// generated character it counts posts_created in the same transaction,
	// and fails with KindStopped when the generation was cancelled or ended;
	// a post of the world's life (Life) is neither counted nor refused.
	CreatePost(ctx context.Context, p Post) (Post, bool, error)
	// Post returns a post with its author fields, its counts, and whether
	// viewerID (which may be empty) likes it.
	Post(ctx context.Context, id, viewerID string) (Post, error)
	// ListPosts returns the posts of a world, or of one character, newest
	// first, each as Post returns it, in a constant number of queries. The
	// cursor is stable: posts added later never shift a page.
	ListPosts(ctx context.Context, f PostFilter, page Page) ([]Post, string, error)
	// ListUserCharacters returns the characters a user owns in a world.
	ListUserCharacters(ctx context.Context, worldID, userID string) ([]Character, error)
	// CountCharacterPosts returns how many posts a character has.
	CountCharacterPosts(ctx context.Context, characterID string) (int, error)
	// CountContent returns how many characters, posts and media a world has.
	CountContent(ctx context.Context, worldID string) (ContentCounts, error)
	// CreateMedia records a stored image with a caller-chosen ID. For a
	// generated image it counts images in the status record (not an image
	// of the world's life), and the paid image waiting under the same ID is
	// dropped in the same transaction; for an upload, the upload
	// reservation of the same ID is.
	CreateMedia(ctx context.Context, m Media) (Media, bool, error)
	// Media returns a media record.
	Media(ctx context.Context, id string) (Media, error)
	// UploadUsage is how many images a user uploaded since a time, and
	// their bytes.
	UploadUsage(ctx context.Context, ownerID string, since time.Time) (int, int64, error)
	// ReserveUpload records the reservation r if its owner's uploads and
	// reservations made since limit.Since, with r, stay within the limit's
	// images and bytes, and returns the owner's usage without r and
	// whether r was recorded. The check and the record are one step for
	// the owner, whatever the processes: concurrent reservations never pass
	// the limit together. Reserving an ID again resizes its reservation
	// (counted once). An unknown owner gives KindNotFound.
	ReserveUpload(ctx context.Context, r UploadReservation, limit UploadLimit) (UploadUsage, bool, error)
	// ReleaseUpload drops a reservation, when its upload failed; one that is
	// gone is no error.
	ReleaseUpload(ctx context.Context, id string) error
	// UnusedUploads lists, oldest first, at most limit uploads made before
	// a time that no post and no character uses.
	UnusedUploads(ctx context.Context, before time.Time, limit int) ([]Media, error)
	// DeleteUnusedUpload deletes an upload if nothing uses it, in one
	// statement, and returns its object key for the caller to delete from
	// the media store; deleted is false when something uses it or it is
	// gone.
	DeleteUnusedUpload(ctx context.Context, id string) (objectKey string, deleted bool, err error)
}

// SocialStore holds likes and comments. Counts live on the post and change
// in the same transaction as the like or comment.
type SocialStore interface {
	// Like records that a user likes a post and returns the post's like
	// count; liking again is a no-op.
	Like(ctx context.Context, postID, userID string, now time.Time) (int, error)
	// LikeAsCharacter records that an AI character likes a post of its
	// world, as Like does for a person.
	LikeAsCharacter(ctx context.Context, postID, characterID string, now time.Time) (int, error)
	// Unlike removes a like and returns the post's like count; unliking a
	// post one does not like is a no-op.
	Unlike(ctx context.Context, postID, userID string) (int, error)
	// LikedPosts returns which of the posts the user likes, in one query
	// whatever their number.
	LikedPosts(ctx context.Context, userID string, postIDs []string) (map[string]bool, error)
	// ListLikes returns who likes a post, newest first.
	ListLikes(ctx context.Context, postID string, page Page) ([]Like, string, error)
	// AddComment adds a comment with a caller-chosen ID (idempotent: adding
	// it again returns the stored one). A person's comment has a UserID,
	// and a CharacterID when they speak as one of their characters; an AI
	// character's has IsAI and its CharacterID. A ParentID names the
	// comment answered, which must be under the same post.
	AddComment(ctx context.Context, c Comment) (Comment, error)
	// Comment returns a comment with its speakers' names.
	Comment(ctx context.Context, id string) (Comment, error)
	// ListComments returns a post's comments, oldest first, with their
	// speakers' names.
	ListComments(ctx context.Context, postID string, page Page) ([]Comment, string, error)
	// DeleteComment deletes a comment; one that has replies stays as
	// Deleted, with no text or speaker, until its last reply goes.
	DeleteComment(ctx context.Context, id string) error
	// DeletePost deletes a post with its likes and comments. An unknown
	// post gives KindNotFound.
	DeletePost(ctx context.Context, id string) error
	// EditPost sets a post's caption and hashtags (which the hashtag
	// lists follow), as its person changed them. An unknown post gives
	// KindNotFound.
	EditPost(ctx context.Context, id, caption string, hashtags []string) error
	// PostsSince returns the posts added to a world from since on, oldest
	// first (the oldest n), as Post returns them for no viewer; and
	// CommentsSince the comments on any of its posts. An unknown world
	// gives KindNotFound.
	PostsSince(ctx context.Context, worldID string, since time.Time, n int) ([]Post, error)
	CommentsSince(ctx context.Context, worldID string, since time.Time, n int) ([]Comment, error)
}

// LifeStore holds the worlds' life settings, what each day of their life
// spent, and the record of each life's state that pages read.
type LifeStore interface {
	// LifeSettings returns the life settings a world's owner set; it
	// returns KindNotFound when they set none.
	LifeSettings(ctx context.Context, worldID string) (LifeSettings, error)
	// SetLifeSettings stores a world's life settings.
	SetLifeSettings(ctx context.Context, worldID string, s LifeSettings, now time.Time) error
	// ReserveLifeCall counts one provider call in a day of a world's life
	// before it is made, in one atomic step with the day's ceilings: it
	// returns KindLimit, saying which, when LifeDay.Refuse refuses it. The
	// call's cost is added when it is recorded (ProviderCall.LifeDay).
	ReserveLifeCall(ctx context.Context, worldID, day string, s LifeSettings) (LifeDay, error)
	// LifeDay returns what a day of a world's life spent; a day without a
	// call is zero.
	LifeDay(ctx context.Context, worldID, day string) (LifeDay, error)
	// RecordLife stores a world's life record, replacing the one before;
	// an unknown world gives KindNotFound, a record LifeRecord.Validate
	// refuses KindInvalid.
	RecordLife(ctx context.Context, r LifeRecord) error
	// LifeRecord returns a world's life record: one read by the world's
	// key. A world whose life recorded nothing yet gives KindNotFound.
	LifeRecord(ctx context.Context, worldID string) (LifeRecord, error)
	// WakeLife records a world's life awake and viewed at at, in one
	// conditional write, when its record says asleep or it has none; a
	// life recorded in another state (awake, resting, paused, off) keeps
	// it. It reports whether it woke the record. An unknown world gives
	// KindNotFound.
	WakeLife(ctx context.Context, worldID string, at time.Time) (bool, error)
}

// CeilingStore holds the operator's ceilings of each account, and counts
// what each day of an account's worlds spends: ReserveCall and
// ReserveLifeCall count a call of a world in its owner's day, and refuse it
// with KindLimit past the owner's DailyCalls or DailyBudgetUSD, in the same
// atomic step as the world's own ceilings; ReserveLifeCall lives by the
// settings clamped to the owner's life ceilings as they are at that moment.
type CeilingStore interface {
	// UseCeilings sets the operator's ceilings, every account's unless the
	// operator set other ones for it; none (all zero) until it is called.
	UseCeilings(c Ceilings)
	// AccountCeilings returns an account's ceilings and what its worlds
	// spent today; an unknown account gives KindNotFound.
	AccountCeilings(ctx context.Context, userID string) (AccountCeilings, error)
	// SetAccountCeilings sets some of an account's ceilings over the
	// operator's (Reset first returns it to them); invalid numbers give
	// KindInvalid and change nothing.
	SetAccountCeilings(ctx context.Context, userID string, ch CeilingsChange, now time.Time) (AccountCeilings, error)
	// WorldCeilings returns the ceilings of a world's owner, or the
	// operator's for a world without one; an unknown world gives
	// KindNotFound.
	WorldCeilings(ctx context.Context, worldID string) (Ceilings, error)
}

// SessionStore holds the web UI's sessions: they are found by the hash of
// their token; an unknown or expired one gives KindUnauthorized.
type SessionStore interface {
	CreateSession(ctx context.Context, s Session) error
	SessionByToken(ctx context.Context, tokenHash string, now time.Time) (Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error
}

// WorldFilter selects worlds for a viewer.
type WorldFilter struct {
	// ViewerID is the user asking; empty for a visitor.
	ViewerID string
	// Scope is ScopeAll (public worlds and the viewer's own and joined
	// ones), ScopePublic, ScopeMine (owned) or ScopeJoined (member of, not
	// owned).
	Scope string
	// Status keeps only worlds whose generation has this status, if set.
	Status string
	// Search keeps only worlds whose name, description or prompt holds
	// it, in any case, if set.
	Search string
	// Sort is the order: SortNewest (also when empty), SortOldest or
	// SortPosts (most posts first).
	Sort string
}

// World list orders.
const (
	SortNewest = "newest"
	SortOldest = "oldest"
	SortPosts  = "posts"
)

// World list scopes.
const (
	ScopeAll    = "all"
	ScopePublic = "public"
	ScopeMine   = "mine"
	ScopeJoined = "joined"
)

// PostFilter selects posts.
type PostFilter struct {
	WorldID string
	// CharacterID, if set, keeps one character's posts.
	CharacterID string
	// ViewerID is the user asking, for Post.Liked.
	ViewerID string
	// Hashtag, if set, keeps a world's posts with this hashtag (with or
	// without its #, in any case).
	Hashtag string
}

// Like is a like of a post: a person's (UserID), or an AI character's
// (CharacterID).
type Like struct {
	PostID   string
	UserID   string
	Username string
	// CharacterID, CharacterUsername and DisplayName are the character who
	// likes it, for a character's like.
	CharacterID       string
	CharacterUsername string
	DisplayName       string
	CreatedAt         time.Time
}

// Comment is a comment on a post: a person's, or an AI character's reply.
type Comment struct {
	ID     string
	PostID string
	// UserID and Username are the person who wrote it; empty for an AI
	// character's comment.
	UserID   string
	Username string
	// CharacterID is the character who speaks: the AI character, or the
	// person's own character they comment as; empty when a person speaks
	// as themselves. CharacterUsername and DisplayName are its handle and
	// name.
	CharacterID       string
	CharacterUsername string
	DisplayName       string
	IsAI              bool
	// ParentID is the comment answered, if any.
	ParentID string
	Text     string
	// Review is the comment's moderation state.
	Review    Review
	CreatedAt time.Time
	// Deleted says the comment was deleted but stays, for the replies
	// that answer it, as a place in its thread: it has no text and no
	// speaker.
	Deleted bool
}

// Speaker is how a comment's speaker is shown: the character's handle
// and name, or the person's username.
func (c Comment) Speaker() (username, name string) {
	if c.CharacterID != "" {
		return c.CharacterUsername, c.DisplayName
	}
	return c.Username, c.Username
}

// TokenFamily is one sign-in of an API client: the access and refresh
// tokens issued for it since, each refresh moving it to its next
// generation. An access token carries its family and generation and works
// only while the family lives at that generation, so a refresh ends the
// access token before it, and revoking the family (a sign-out, a replayed
// refresh token) ends them all at once.
type TokenFamily struct {
	ID         string
	UserID     string
	Generation int
	ExpiresAt  time.Time
	CreatedAt  time.Time
	// RevokedAt is when the family was ended, if it was.
	RevokedAt *time.Time
}

// Valid reports whether a family's tokens of a generation work at now.
func (f TokenFamily) Valid(generation int, now time.Time) bool {
	return f.RevokedAt == nil && f.Generation == generation && now.Before(f.ExpiresAt)
}

// Session is a signed-in browser.
type Session struct {
	TokenHash string
	UserID    string
	// CSRF is the token the browser's forms and scripts send back.
	CSRF      string
	ExpiresAt time.Time
	CreatedAt time.Time
}

// ContentCounts is how many items a world has.
type ContentCounts struct {
	Characters int
	Posts      int
	Media      int
}

// RecentCallsCounted is how many of a provider's latest paid calls
// RecentCallCost averages.
const RecentCallsCounted = 500

// CallCost is the average cost of a provider's recent paid calls.
type CallCost struct {
	Calls      int
	AverageUSD float64
}

// ProviderCall is one call to a paid (or offline) provider, as the ledger
// records it.
type ProviderCall struct {
	WorldID string
	// Key is the item the call was for, e.g. "character/2/detail".
	Key      string
	Step     string // e.g. "character_detail", "post_image"
	Kind     string // CallLLM or CallImage
	Provider string
	Model    string
	// Attempt counts the calls for one item, from 1.
	Attempt   int
	TokensIn  int64
	TokensOut int64
	CostUSD   float64
	Duration  time.Duration
	// Outcome is OutcomeOK, OutcomeInvalid (an answer that failed
	// validation, still paid for) or OutcomeError.
	Outcome string
	Error   string
	// Repairs lists what the call's answer needed before it could be used
	// (the content package's Repair* names), or how it was asked for
	// (topped_up, split, fallback_model).
	Repairs []string
	// LifeDay is the day of the world's life a call counts in (its cost is
	// added to that day's); empty for a generation's calls, which count in
	// the status record.
	LifeDay   string
	CreatedAt time.Time
}

// PaidImage is a generated image kept from the moment it is paid for until
// it is in the media store and recorded as Media with the same ID.
type PaidImage struct {
	ID          string
	WorldID     string
	ContentType string
	Data        []byte
	Model       string
	CreatedAt   time.Time
}

// Provider call outcomes.
const (
	OutcomeOK      = "ok"
	OutcomeInvalid = "invalid_answer"
	OutcomeError   = "error"
)

// Provider call kinds.
const (
	CallLLM   = "llm"
	CallImage = "image"
)

// Artifact is a stored artifact of the pipeline: the prompt sent for one
// step and the JSON it produced, keyed by world and the step's place in the
// plan (e.g. "character/3/detail").
type Artifact struct {
	WorldID   string
	Key       string
	Step      string
	Prompt    string
	Output    json.RawMessage
	Provider  string
	Model     string
	CreatedAt time.Time
}

// MediaStore holds media bytes. Both backends (local directory, S3) pass the
// same conformance suite.
type MediaStore interface {
	// Put stores data under key, replacing any previous object.
	Put(ctx context.Context, key, contentType string, data []byte) error
	// Open returns the object's bytes. A missing key gives KindNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes an object; a missing key is not an error.
	Delete(ctx context.Context, key string) error
}
