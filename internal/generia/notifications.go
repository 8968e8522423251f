package generia

import (
	"context"
	"time"
)

// Notification kinds: what a person is told about.
const (
	// NotifyReply: a reply to their comment or their character's.
	NotifyReply = "reply"
	// NotifyMention: a comment or post that names them (@username) or
	// their character (@handle).
	NotifyMention = "mention"
	// NotifyComment: a comment on their post or their character's.
	NotifyComment = "comment"
	// NotifyLike: a like of their post or their character's.
	NotifyLike = "like"
	// NotifyJoined: someone joined their world.
	NotifyJoined = "joined"
	// NotifyWorldCompleted and NotifyWorldFailed: their world finished
	// generating, or failed.
	NotifyWorldCompleted = "world_completed"
	NotifyWorldFailed    = "world_failed"
	// NotifyInvitation: a world's owner invited them by name.
	NotifyInvitation = "invitation"
	// NotifyStrike: a moderator gave them a strike.
	NotifyStrike = "strike"
	// NotifyAppeal: a moderator answered their appeal of a strike.
	NotifyAppeal = "appeal"
)

// NotificationKinds lists every kind, in the order settings show them.
var NotificationKinds = []string{
	NotifyReply, NotifyMention, NotifyComment, NotifyLike, NotifyJoined,
	NotifyWorldCompleted, NotifyWorldFailed, NotifyInvitation, NotifyStrike, NotifyAppeal,
}

// Notification tells one person (UserID) of one event. Key names the
// event: a person has at most one notification per key, however often the
// event is written (a retried activity, a restarted worker, several API
// processes), so notifications are stored in the transaction that stores
// their event, keyed by it.
type Notification struct {
	ID     string
	UserID string
	Kind   string
	Key    string
	// Group is what notifications are shown together by ("Tove and 3
	// others liked your post"): the kind and the thing they are about
	// ("like:post:<id>"). A notification shown alone has its Key as Group.
	Group string

	// What it is about; any may be empty. A notification whose world,
	// post or comment is deleted, hidden or held, or whose world its
	// person may no longer see, is not listed or counted.
	WorldID     string
	PostID      string
	CommentID   string
	CharacterID string // the character it is about (one of theirs, or followed)
	StrikeID    string
	// InvitationHash is the code hash of the invitation a NotifyInvitation
	// offers, so that its person can accept it from the notification.
	InvitationHash string

	// Who did it: a person (ActorUserID) or a character (ActorCharacterID);
	// ActorName is the username or the character's name as it was then.
	ActorUserID      string
	ActorCharacterID string
	ActorName        string
	// Text is a short excerpt: a comment's first words, a world's name.
	Text string

	CreatedAt time.Time
	// ReadAt is when its person marked it read; nil while unread.
	ReadAt *time.Time
}

// NotificationStore holds people's notifications and their settings.
//
// Besides Notify, the store writes notifications itself, in the
// transaction of their event: a shown comment (AddComment, or a held one
// released) tells the author of the comment it answers (NotifyReply), else
// the people it names (NotifyMention), else its post's author
// (NotifyComment); a like (Like, LikeAsCharacter) tells the post's author;
// joining (JoinWorld, AcceptInvitation) tells the world's owner; a status
// record reaching completed or failed tells the world's owner; AddStrike
// and DecideAppeal tell the struck person. A person's own actions, and
// their own characters', never notify them. A kind the person turned off
// is not written.
type NotificationStore interface {
	// Notify stores n unless its person has one with its key, or turned
	// its kind off; it reports whether it stored it. An unknown user gives
	// KindNotFound.
	Notify(ctx context.Context, n Notification) (bool, error)
	// Notification returns one notification.
	Notification(ctx context.Context, id string) (Notification, error)
	// Notifications lists a person's notifications, newest first, leaving
	// out those of deleted, hidden or held content and of worlds they may
	// no longer see.
	Notifications(ctx context.Context, userID string, page Page) ([]Notification, string, error)
	// NotificationsSince returns everyone's notifications created after
	// since, oldest first, at most n, for live streams; the same rule as
	// Notifications leaves some out.
	NotificationsSince(ctx context.Context, since time.Time, n int) ([]Notification, error)
	// UnreadNotifications counts a person's unread notifications, by the
	// same rule as Notifications.
	UnreadNotifications(ctx context.Context, userID string) (int, error)
	// MarkNotificationsRead marks notifications of a person read: those
	// of ids, or all of them when all is set. An ID that is not theirs
	// gives KindNotFound and marks nothing. It returns how many it marked.
	MarkNotificationsRead(ctx context.Context, userID string, ids []string, all bool, now time.Time) (int, error)
	// MutedKinds returns the kinds a person turned off.
	MutedKinds(ctx context.Context, userID string) ([]string, error)
	// SetMutedKinds sets the kinds a person turned off; an unknown kind
	// gives KindInvalid.
	SetMutedKinds(ctx context.Context, userID string, kinds []string) error
}
