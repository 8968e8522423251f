package social

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"time"

	"github.com/generia/generia/internal/generia"
)

// NotificationView is one group of a person's notifications as they are
// shown: those of one Group that follow each other in a page ("Tove and 3
// others liked your post"), or one alone.
type NotificationView struct {
	// ID is the newest's; IDs are all of the group's, newest first.
	ID  string
	IDs []string
	// Kind is the notifications' kind (generia.NotifyReply, …).
	Kind string
	// Actors are the names of up to three of who did it, newest first;
	// Count is how many different ones did.
	Actors []string
	Count  int
	// Sentence says it in a line: "Tove and 3 others liked your post".
	Sentence string
	// Excerpt is the newest's text: a comment's first words, a world's
	// name.
	Excerpt string
	// Link is the web page of the thing itself: a post, a comment on its
	// post's page (#comment-<id>), a world, its members, the account's
	// strikes, or the invitation's page (NotificationsPath + "/" + id +
	// "/accept").
	Link               string
	WorldID, WorldName string
	// CreatedAt is the newest's.
	CreatedAt time.Time
	// Read is whether all of them are read.
	Read bool
}

// NotificationsPath is the web path of the notifications page; an
// invitation's notification links to NotificationsPath + "/" + id +
// "/accept", where its person accepts it (AcceptInvitedNotification).
const NotificationsPath = "/notifications"

// MaxMarkRead is how many notifications one request marks read by ID.
const MaxMarkRead = 500

// Notifications lists the viewer's notifications, newest first, grouped:
// a group is notifications of one Group that follow each other in the
// page. The cursor goes on after the page's last notification.
func (s *Service) Notifications(ctx context.Context, viewerID string, page generia.Page) ([]NotificationView, string, error) {
	if err := signedIn(viewerID); err != nil {
		return nil, "", err
	}
	list, next, err := s.Store.Notifications(ctx, viewerID, page.Normalize())
	if err != nil {
		return nil, "", err
	}
	names := s.worldNames(ctx, list)
	var out []NotificationView
	for start := 0; start < len(list); {
		end := start + 1
		for end < len(list) && list[end].Group != "" && list[end].Group == list[start].Group {
			end++
		}
		out = append(out, viewOf(list[start:end], names[list[start].WorldID]))
		start = end
	}
	return out, next, nil
}

// UnreadNotifications counts the viewer's unread notifications.
func (s *Service) UnreadNotifications(ctx context.Context, viewerID string) (int, error) {
	if err := signedIn(viewerID); err != nil {
		return 0, err
	}
	return s.Store.UnreadNotifications(ctx, viewerID)
}

// MarkNotificationsRead marks the viewer's notifications read, as
// ReadNotifications does, and returns how many are unread after.
func (s *Service) MarkNotificationsRead(ctx context.Context, viewerID string, ids []string, all bool) (int, error) {
	_, unread, err := s.ReadNotifications(ctx, viewerID, ids, all)
	return unread, err
}

// ReadNotifications marks the viewer's notifications read: those of ids,
// or all of them when all is set (one or the other, else KindInvalid). An
// ID that is not one of theirs gives KindNotFound and marks nothing. It
// returns how many it marked and how many are unread after.
func (s *Service) ReadNotifications(ctx context.Context, viewerID string, ids []string, all bool) (marked, unread int, err error) {
	if err := signedIn(viewerID); err != nil {
		return 0, 0, err
	}
	switch {
	case all && len(ids) > 0:
		return 0, 0, generia.FieldErrorf("ids", "send either ids or all, not both")
	case !all && len(ids) == 0:
		return 0, 0, generia.FieldErrorf("ids", "send the ids of the notifications to mark read, or all: true")
	case len(ids) > MaxMarkRead:
		return 0, 0, generia.FieldErrorf("ids", "mark at most %d notifications at once, or all: true", MaxMarkRead)
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if ids != nil && ids[0] == "" {
		return 0, 0, generia.Errorf(generia.KindNotFound, "notification not found")
	}
	if marked, err = s.Store.MarkNotificationsRead(ctx, viewerID, ids, all, s.now()); err != nil {
		return 0, 0, err
	}
	unread, err = s.Store.UnreadNotifications(ctx, viewerID)
	return marked, unread, err
}

// NotificationSettings says of every kind whether the viewer is told of
// it.
func (s *Service) NotificationSettings(ctx context.Context, viewerID string) (map[string]bool, error) {
	if err := signedIn(viewerID); err != nil {
		return nil, err
	}
	muted, err := s.Store.MutedKinds(ctx, viewerID)
	if err != nil {
		return nil, err
	}
	on := make(map[string]bool, len(generia.NotificationKinds))
	for _, k := range generia.NotificationKinds {
		on[k] = !slices.Contains(muted, k)
	}
	return on, nil
}

// SetNotificationSettings turns kinds of notifications on or off for the
// viewer; kinds it leaves out keep their setting. An unknown kind gives
// KindInvalid and changes nothing.
func (s *Service) SetNotificationSettings(ctx context.Context, viewerID string, on map[string]bool) error {
	if err := signedIn(viewerID); err != nil {
		return err
	}
	for k := range on {
		if !slices.Contains(generia.NotificationKinds, k) {
			return generia.FieldErrorf("kinds", "there is no kind of notification %q", k)
		}
	}
	current, err := s.NotificationSettings(ctx, viewerID)
	if err != nil {
		return err
	}
	var muted []string
	for _, k := range generia.NotificationKinds {
		setting, changed := on[k]
		if !changed {
			setting = current[k]
		}
		if !setting {
			muted = append(muted, k)
		}
	}
	return s.Store.SetMutedKinds(ctx, viewerID, muted)
}

// AcceptInvitedNotification accepts the invitation a notification of the
// viewer's carries (NotifyInvitation), as AcceptInvitation accepts its
// code, marks the notification read and returns the world. A notification
// that is not the viewer's gives KindNotFound; one that is no invitation
// KindInvalid.
func (s *Service) AcceptInvitedNotification(ctx context.Context, viewerID, notificationID string) (generia.World, error) {
	if err := signedIn(viewerID); err != nil {
		return generia.World{}, err
	}
	n, err := s.Store.Notification(ctx, notificationID)
	if generia.IsKind(err, generia.KindNotFound) || (err == nil && n.UserID != viewerID) {
		return generia.World{}, generia.Errorf(generia.KindNotFound, "notification not found")
	}
	if err != nil {
		return generia.World{}, err
	}
	if n.Kind != generia.NotifyInvitation || n.InvitationHash == "" {
		return generia.World{}, generia.Errorf(generia.KindInvalid, "this notification is not an invitation")
	}
	if err := s.active(ctx, viewerID); err != nil {
		return generia.World{}, err
	}
	_, w, err := s.invitationByHash(ctx, n.InvitationHash)
	if err != nil {
		return generia.World{}, err
	}
	if _, err := s.Store.AcceptInvitation(ctx, n.InvitationHash, viewerID, s.now()); err != nil {
		return generia.World{}, err
	}
	if n.ReadAt == nil {
		if _, err := s.Store.MarkNotificationsRead(ctx, viewerID, []string{n.ID}, false, s.now()); err != nil {
			slog.Warn("marking an accepted invitation read", "notification_id", n.ID, "error", err)
		}
	}
	return w, nil
}

// worldNames are the names of the worlds of notifications; a world that
// cannot be read has none.
func (s *Service) worldNames(ctx context.Context, list []generia.Notification) map[string]string {
	names := map[string]string{}
	for _, n := range list {
		if _, ok := names[n.WorldID]; ok || n.WorldID == "" {
			continue
		}
		w, err := s.Store.World(ctx, n.WorldID)
		if err != nil && !generia.IsKind(err, generia.KindNotFound) {
			slog.Warn("reading a notification's world", "world_id", n.WorldID, "error", err)
		}
		names[n.WorldID] = w.Name
	}
	return names
}

// viewOf shows a group of notifications (newest first, at least one) of a
// world named worldName.
func viewOf(group []generia.Notification, worldName string) NotificationView {
	newest := group[0]
	v := NotificationView{ID: newest.ID, Kind: newest.Kind, WorldID: newest.WorldID, WorldName: worldName,
		CreatedAt: newest.CreatedAt, Read: true, Link: linkOf(newest)}
	if v.WorldName == "" && (newest.Kind == generia.NotifyWorldCompleted || newest.Kind == generia.NotifyWorldFailed || newest.Kind == generia.NotifyInvitation) {
		v.WorldName = newest.Text // the name it had when told
	}
	actors := map[string]bool{}
	for _, n := range group {
		v.IDs = append(v.IDs, n.ID)
		v.Read = v.Read && n.ReadAt != nil
		if v.Excerpt == "" {
			v.Excerpt = n.Text
		}
		who := actorOf(n)
		if who == "" || actors[who] {
			continue
		}
		actors[who] = true
		if len(v.Actors) < 3 && n.ActorName != "" {
			v.Actors = append(v.Actors, n.ActorName)
		}
	}
	v.Count = len(actors)
	v.Sentence = sentence(v)
	return v
}

// actorOf names who did what a notification tells: a person or a
// character, or "" when nobody did (a world that finished).
func actorOf(n generia.Notification) string {
	switch {
	case n.ActorCharacterID != "":
		return "character:" + n.ActorCharacterID
	case n.ActorUserID != "":
		return "user:" + n.ActorUserID
	case n.ActorName != "":
		return "name:" + n.ActorName
	}
	return ""
}

// who is the actors of a group in words: "Tove", "Tove and Mara", "Tove
// and 3 others".
func who(v NotificationView) string {
	switch {
	case len(v.Actors) == 0:
		return "Someone"
	case v.Count <= 1:
		return v.Actors[0]
	case v.Count == 2 && len(v.Actors) >= 2:
		return v.Actors[0] + " and " + v.Actors[1]
	case v.Count == 2:
		return v.Actors[0] + " and 1 other"
	}
	return fmt.Sprintf("%s and %d others", v.Actors[0], v.Count-1)
}

// sentence says what a group of notifications tells, in a line.
func sentence(v NotificationView) string {
	world := "your world"
	if v.WorldName != "" {
		world = v.WorldName
	}
	switch v.Kind {
	case generia.NotifyReply:
		return who(v) + " replied to your comment"
	case generia.NotifyMention:
		return who(v) + " mentioned you"
	case generia.NotifyComment:
		return who(v) + " commented on your post"
	case generia.NotifyLike:
		return who(v) + " liked your post"
	case generia.NotifyJoined:
		return who(v) + " joined " + world
	case generia.NotifyWorldCompleted:
		if v.WorldName == "" {
			return "Your world is ready"
		}
		return "Your world " + v.WorldName + " is ready"
	case generia.NotifyWorldFailed:
		if v.WorldName == "" {
			return "Your world could not be made"
		}
		return "Your world " + v.WorldName + " could not be made"
	case generia.NotifyInvitation:
		if v.WorldName == "" {
			return who(v) + " invited you to a world"
		}
		return who(v) + " invited you to " + v.WorldName
	case generia.NotifyStrike:
		return "You got a strike"
	case generia.NotifyAppeal:
		return "A moderator answered your appeal"
	}
	return "Something happened"
}

// linkOf is the web page of what a notification is about.
func linkOf(n generia.Notification) string {
	world := "/worlds/" + url.PathEscape(n.WorldID)
	switch n.Kind {
	case generia.NotifyStrike, generia.NotifyAppeal:
		return "/account/strikes"
	case generia.NotifyInvitation:
		return NotificationsPath + "/" + url.PathEscape(n.ID) + "/accept"
	case generia.NotifyJoined:
		return world + "/members"
	case generia.NotifyWorldCompleted, generia.NotifyWorldFailed:
		return world
	}
	switch {
	case n.WorldID == "":
		return NotificationsPath
	case n.PostID == "":
		return world
	case n.CommentID == "":
		return world + "/posts/" + url.PathEscape(n.PostID)
	}
	return world + "/posts/" + url.PathEscape(n.PostID) + "#comment-" + url.PathEscape(n.CommentID)
}
