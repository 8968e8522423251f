package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/generia/generia/internal/generia"
)

// notificationColumns are the columns scanNotification reads, of the table
// as n.
const notificationColumns = `n.id, n.user_id, n.kind, n.key, n.group_key, n.world_id, n.post_id, n.comment_id,
	n.character_id, n.strike_id, n.invitation_hash, n.actor_user_id, n.actor_character_id, n.actor_name, n.text,
	n.created_at, n.read_at`

func scanNotification(row scanner) (generia.Notification, error) {
	var n generia.Notification
	err := row.Scan(&n.ID, &n.UserID, &n.Kind, &n.Key, &n.Group, &n.WorldID, &n.PostID, &n.CommentID,
		&n.CharacterID, &n.StrikeID, &n.InvitationHash, &n.ActorUserID, &n.ActorCharacterID, &n.ActorName, &n.Text,
		timeInto(&n.CreatedAt), optTimeInto(&n.ReadAt))
	return n, err
}

// notificationShown is the condition on the notifications (as n) that are
// listed and counted: those of no comment, post or world, or of a comment
// and post still there and shown, and of a world their person may see (a
// public world, or one they own or joined; a world hidden or held only by
// its owner).
const notificationShown = `(n.comment_id = '' OR EXISTS (SELECT 1 FROM comments nc
		WHERE nc.id = n.comment_id AND nc.deleted_at IS NULL AND nc.review_state = ''))
	AND (n.post_id = '' OR EXISTS (SELECT 1 FROM posts np WHERE np.id = n.post_id AND np.review_state = ''))
	AND (n.world_id = '' OR EXISTS (SELECT 1 FROM worlds nw WHERE nw.id = n.world_id
		AND (nw.owner_id = n.user_id OR (nw.review_state = '' AND (nw.visibility = 'public'
			OR EXISTS (SELECT 1 FROM world_members nm WHERE nm.world_id = nw.id AND nm.user_id = n.user_id))))))`

// notificationPages pages a person's notifications, newest first.
var notificationPages = keyset[generia.Notification]{list: listNotifications, columns: `n.created_at, n.id`, desc: true,
	scan: scanNotification,
	key:  func(n generia.Notification) cursor { return cursor{Time: micros(n.CreatedAt), ID: n.ID} }}

// notify stores n, in the transaction of its event, unless its person has
// one with its key, turned its kind off, or does not exist (an event may
// name a world's owner that is no account, as a world made from the command
// line has none); it reports whether it stored it. An empty ID is made up,
// an empty Group is the Key, a zero CreatedAt is the store's clock.
func (s *Store) notify(ctx context.Context, tx handle, n generia.Notification) (bool, error) {
	if n.UserID == "" {
		return false, nil
	}
	if n.ID == "" {
		n.ID = rand.Text()
	}
	if n.Group == "" {
		n.Group = n.Key
	}
	n.CreatedAt = s.stamp(n.CreatedAt)
	// The SELECT needs its WHERE clause: SQLite parses an upsert after a
	// SELECT only when it has one.
	tag, err := tx.Exec(ctx, `INSERT INTO notifications (id, user_id, kind, key, group_key, world_id, post_id, comment_id,
			character_id, strike_id, invitation_hash, actor_user_id, actor_character_id, actor_name, text, created_at)
		SELECT ?, u.id, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM users u
		WHERE u.id = ? AND NOT EXISTS (SELECT 1 FROM notification_mutes x WHERE x.user_id = u.id AND x.kind = ?)
		ON CONFLICT (user_id, key) DO NOTHING`,
		n.ID, n.Kind, n.Key, n.Group, n.WorldID, n.PostID, n.CommentID,
		n.CharacterID, n.StrikeID, n.InvitationHash, n.ActorUserID, n.ActorCharacterID, n.ActorName, n.Text, s.at(n.CreatedAt),
		n.UserID, n.Kind)
	if err != nil {
		return false, fmt.Errorf("notifying user %s of %s: %w", n.UserID, n.Key, err)
	}
	return changed(tag), nil
}

// checkNotification returns KindInvalid for a notification without a
// person, a known kind or a key.
func checkNotification(n generia.Notification) error {
	if err := required("user ID", n.UserID, "notification key", n.Key); err != nil {
		return err
	}
	if !slices.Contains(generia.NotificationKinds, n.Kind) {
		return generia.Errorf(generia.KindInvalid, "unknown notification kind %q: want one of %q", n.Kind, generia.NotificationKinds)
	}
	return nil
}

// Notify stores n unless its person has one with its key, or turned its
// kind off, and reports whether it stored it. An empty ID is made up, an
// empty Group is the Key, a zero CreatedAt is the store's clock. A
// notification without a person or a key, or of an unknown kind, gives
// KindInvalid; an unknown user KindNotFound.
func (s *Store) Notify(ctx context.Context, n generia.Notification) (bool, error) {
	if err := checkNotification(n); err != nil {
		return false, err
	}
	n.ReadAt = nil
	var stored bool
	err := s.write(ctx, func(tx handle) error {
		if err := s.keepUser(ctx, tx, n.UserID); err != nil {
			return err
		}
		var err error
		stored, err = s.notify(ctx, tx, n)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("notifying user %s: %w", n.UserID, s.translate(err))
	}
	return stored, nil
}

// Notification returns one notification, whether or not it is listed.
func (s *Store) Notification(ctx context.Context, id string) (generia.Notification, error) {
	return readOne(ctx, s, scanNotification, "notification "+id, `SELECT `+notificationColumns+` FROM notifications n WHERE n.id = ?`, id)
}

// Notifications lists a person's notifications, newest first and then by
// ID descending, leaving out those notificationShown leaves out. An unknown
// person has none.
func (s *Store) Notifications(ctx context.Context, userID string, page generia.Page) ([]generia.Notification, string, error) {
	return listPage(ctx, s, notificationPages, page, "the notifications of user "+userID, func(args *sqlArgs) (string, error) {
		return `SELECT ` + notificationColumns + ` FROM notifications n WHERE n.user_id = ` + args.add(userID) +
			` AND ` + notificationShown, nil
	}, nil)
}

// NotificationsSince returns everyone's notifications created after since,
// oldest first and then by ID, at most n, leaving out those
// notificationShown leaves out.
func (s *Store) NotificationsSince(ctx context.Context, since time.Time, n int) ([]generia.Notification, error) {
	out, err := list(ctx, s.reads, scanNotification, `SELECT `+notificationColumns+` FROM notifications n
		WHERE n.created_at > ? AND `+notificationShown+` ORDER BY n.created_at, n.id`+limit(max(n, 0)), s.at(since))
	if err != nil {
		return nil, fmt.Errorf("reading the new notifications: %w", s.translate(err))
	}
	return out, nil
}

// UnreadNotifications counts a person's unread notifications that
// Notifications lists.
func (s *Store) UnreadNotifications(ctx context.Context, userID string) (int, error) {
	var count int
	err := s.reads.QueryRow(ctx, `SELECT COUNT(*) FROM notifications n
		WHERE n.user_id = ? AND n.read_at IS NULL AND `+notificationShown, userID).Scan(&count)
	if err != nil {
		return 0, fmt.Errorf("counting the unread notifications of user %s: %w", userID, s.translate(err))
	}
	return count, nil
}

// MarkNotificationsRead marks a person's notifications read, those of ids
// or, when all is set, every one, in one transaction; it returns how many
// were unread. An ID that is not one of theirs gives KindNotFound and marks
// nothing. Those read already keep their first ReadAt. A zero now is the
// store's clock.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID string, ids []string, all bool, now time.Time) (int, error) {
	if err := required("user ID", userID); err != nil {
		return 0, err
	}
	now = s.stamp(now)
	var marked int
	err := s.write(ctx, func(tx handle) error {
		if all {
			tag, err := tx.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, s.at(now), userID)
			if err != nil {
				return err
			}
			n, err := tag.RowsAffected()
			marked = int(n)
			return err
		}
		ids := slices.Compact(slices.Sorted(slices.Values(ids)))
		if len(ids) == 0 {
			return nil
		}
		list, err := s.d.Strings(ids)
		if err != nil {
			return err
		}
		var theirs, unread int
		err = tx.QueryRow(ctx, `SELECT COUNT(*), COUNT(*) - COUNT(n.read_at) FROM `+s.d.StringRows+`
			JOIN notifications n ON n.id = j.value WHERE n.user_id = ?`, list, userID).Scan(&theirs, &unread)
		if err != nil {
			return err
		}
		if theirs != len(ids) {
			return generia.Errorf(generia.KindNotFound, "%d of the %d notifications not found", len(ids)-theirs, len(ids))
		}
		if unread == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE notifications SET read_at = ?
			WHERE user_id = ? AND read_at IS NULL AND id IN (SELECT j.value FROM `+s.d.StringRows+`)`, s.at(now), userID, list)
		marked = unread
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("marking the notifications of user %s read: %w", userID, s.translate(err))
	}
	return marked, nil
}

// MutedKinds returns the kinds a person turned off, in the order of
// generia.NotificationKinds.
func (s *Store) MutedKinds(ctx context.Context, userID string) ([]string, error) {
	muted, err := list(ctx, s.reads, scanString, `SELECT kind FROM notification_mutes WHERE user_id = ?`, userID)
	if err != nil {
		return nil, fmt.Errorf("reading the muted notifications of user %s: %w", userID, s.translate(err))
	}
	var out []string
	for _, k := range generia.NotificationKinds {
		if slices.Contains(muted, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

// SetMutedKinds replaces the kinds a person turned off. An unknown kind
// gives KindInvalid, an unknown user KindNotFound; either changes nothing.
func (s *Store) SetMutedKinds(ctx context.Context, userID string, kinds []string) error {
	if err := required("user ID", userID); err != nil {
		return err
	}
	for _, k := range kinds {
		if !slices.Contains(generia.NotificationKinds, k) {
			return generia.Errorf(generia.KindInvalid, "unknown notification kind %q: want one of %q", k, generia.NotificationKinds)
		}
	}
	err := s.write(ctx, func(tx handle) error {
		if err := s.keepUser(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM notification_mutes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		for _, k := range slices.Compact(slices.Sorted(slices.Values(kinds))) {
			if _, err := tx.Exec(ctx, `INSERT INTO notification_mutes (user_id, kind) VALUES (?, ?)`, userID, k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("setting the muted notifications of user %s: %w", userID, s.translate(err))
	}
	return nil
}

// The events the store tells people of, in their transactions.

// excerptLength is the most runes of a text a notification keeps.
const excerptLength = 140

// excerpt is the start of a text for a notification: its first
// excerptLength runes, cut at a space when one is near, with an ellipsis.
func excerpt(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= excerptLength {
		return text
	}
	cut, n := text, 0
	for i := range text {
		if n == excerptLength {
			cut = text[:i]
			break
		}
		n++
	}
	if sp := strings.LastIndexByte(cut, ' '); sp > len(cut)*3/4 {
		cut = cut[:sp]
	}
	return strings.TrimRight(cut, " ") + "…"
}

// maxMentioned bounds the @mentions of one text that notify, so that a
// text of a hundred names costs a hundred lookups at most once.
const maxMentioned = 20

// mentioned returns the people a text of a world names, each once, in the
// order named: by their username (@username), or by the handle of their
// character in that world (@handle, with the character). Only people who
// may see the world are named: a private world's owner and members.
func (s *Store) mentioned(ctx context.Context, tx handle, worldID, text string) ([]mention, error) {
	var out []mention
	seen := map[string]bool{}
	for _, m := range generia.FindMentions(text) {
		word := strings.ToLower(m.Word)
		if seen[word] {
			continue
		}
		seen[word] = true
		if len(seen) > maxMentioned {
			break
		}
		rows, err := list(ctx, tx, func(r scanner) (mention, error) {
			var m mention
			return m, r.Scan(&m.userID, &m.characterID)
		}, `SELECT id, '' FROM users WHERE username_key = ?
			UNION ALL
			SELECT owner_id, id FROM characters WHERE world_id = ? AND lower(username) = ? AND owner_id IS NOT NULL AND owner_id <> ''`,
			word, worldID, word)
		if err != nil {
			return nil, err
		}
		for _, m := range rows {
			see, err := maySee(ctx, tx, worldID, m.userID)
			if err != nil {
				return nil, err
			}
			if see {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// A mention is a person a text names, by their character when characterID
// is set.
type mention struct{ userID, characterID string }

// maySee reports whether a person may see a world: it is public, or theirs,
// or they joined it.
func maySee(ctx context.Context, q handle, worldID, userID string) (bool, error) {
	var see bool
	err := q.QueryRow(ctx, `SELECT w.visibility = 'public' OR w.owner_id = ?
			OR EXISTS (SELECT 1 FROM world_members m WHERE m.world_id = w.id AND m.user_id = ?)
		FROM worlds w WHERE w.id = ?`, userID, userID, worldID).Scan(&see)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return see, err
}

// speaker is who wrote a comment or a post as a notification names it, and
// the person it is (none for an AI character), whom it never notifies.
type speaker struct {
	person, userID, characterID, name string
}

// characterSpeaker reads a character as a speaker.
func characterSpeaker(ctx context.Context, q handle, characterID string) (speaker, error) {
	var sp speaker
	var name, handle string
	err := q.QueryRow(ctx, `SELECT COALESCE(owner_id, ''), display_name, username FROM characters WHERE id = ?`,
		characterID).Scan(&sp.person, &name, &handle)
	sp.characterID, sp.name = characterID, name
	if sp.name == "" {
		sp.name = handle
	}
	return sp, err
}

// userSpeaker reads a person speaking as themselves.
func userSpeaker(ctx context.Context, q handle, userID string) (speaker, error) {
	sp := speaker{person: userID, userID: userID}
	err := q.QueryRow(ctx, `SELECT username FROM users WHERE id = ?`, userID).Scan(&sp.name)
	return sp, err
}

// author returns the person behind a comment (its person, or the owner of
// its character) and its character.
func author(ctx context.Context, q handle, commentID string) (person, characterID string, err error) {
	err = q.QueryRow(ctx, `SELECT COALESCE(m.user_id, c.owner_id, ''), COALESCE(m.character_id, '')
		FROM comments m LEFT JOIN characters c ON c.id = m.character_id WHERE m.id = ?`, commentID).Scan(&person, &characterID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", nil
	}
	return person, characterID, err
}

// notifyComment tells, in the transaction that shows a comment, the people
// it concerns, each once, by the first that fits of: a reply to their
// comment or their character's (NotifyReply), a text naming them or their
// character (NotifyMention), a comment on their post or their character's
// (NotifyComment). Its speaker is never told; a person who turned the kind
// that fits them off is told nothing.
func (s *Store) notifyComment(ctx context.Context, tx handle, commentID string, at time.Time) error {
	var c generia.Comment
	var worldID, postCharacter, postAuthor string
	err := tx.QueryRow(ctx, `SELECT m.post_id, COALESCE(m.user_id, ''), COALESCE(m.character_id, ''), COALESCE(m.parent_id, ''), m.text,
			p.world_id, p.character_id, COALESCE(pc.owner_id, '')
		FROM comments m JOIN posts p ON p.id = m.post_id JOIN characters pc ON pc.id = p.character_id
		WHERE m.id = ?`, commentID).Scan(&c.PostID, &c.UserID, &c.CharacterID, &c.ParentID, &c.Text,
		&worldID, &postCharacter, &postAuthor)
	if err != nil {
		return err
	}
	var sp speaker
	if c.CharacterID != "" {
		sp, err = characterSpeaker(ctx, tx, c.CharacterID)
	} else {
		sp, err = userSpeaker(ctx, tx, c.UserID)
	}
	if err != nil {
		return err
	}
	if c.UserID != "" {
		sp.person, sp.userID = c.UserID, c.UserID
	}
	told := map[string]bool{sp.person: true, "": true}
	tell := func(person, kind, group, characterID string) error {
		if told[person] {
			return nil
		}
		told[person] = true
		_, err := s.notify(ctx, tx, generia.Notification{UserID: person, Kind: kind, Key: "comment:" + commentID, Group: group,
			WorldID: worldID, PostID: c.PostID, CommentID: commentID, CharacterID: characterID,
			ActorUserID: sp.userID, ActorCharacterID: sp.characterID, ActorName: sp.name, Text: excerpt(c.Text), CreatedAt: at})
		return err
	}
	if c.ParentID != "" {
		person, characterID, err := author(ctx, tx, c.ParentID)
		if err != nil {
			return err
		}
		if err := tell(person, generia.NotifyReply, "reply:"+c.ParentID, characterID); err != nil {
			return err
		}
	}
	named, err := s.mentioned(ctx, tx, worldID, c.Text)
	if err != nil {
		return err
	}
	for _, m := range named {
		if err := tell(m.userID, generia.NotifyMention, "", m.characterID); err != nil {
			return err
		}
	}
	return tell(postAuthor, generia.NotifyComment, "comment:"+c.PostID, postCharacter)
}

// notifyPost tells, in the transaction that stores a shown post, the people
// its caption names (NotifyMention), except its own character's person.
func (s *Store) notifyPost(ctx context.Context, tx handle, p generia.Post) error {
	named, err := s.mentioned(ctx, tx, p.WorldID, p.Caption)
	if err != nil || len(named) == 0 {
		return err
	}
	sp, err := characterSpeaker(ctx, tx, p.CharacterID)
	if err != nil {
		return err
	}
	told := map[string]bool{sp.person: true}
	for _, m := range named {
		if told[m.userID] {
			continue
		}
		told[m.userID] = true
		_, err := s.notify(ctx, tx, generia.Notification{UserID: m.userID, Kind: generia.NotifyMention, Key: "post:" + p.ID,
			WorldID: p.WorldID, PostID: p.ID, CharacterID: m.characterID,
			ActorCharacterID: sp.characterID, ActorName: sp.name, Text: excerpt(p.Caption), CreatedAt: p.CreatedAt})
		if err != nil {
			return err
		}
	}
	return nil
}

// notifyLike tells a post's author, in the transaction that adds a like,
// that who (a person, or a character when byCharacter) likes it.
func (s *Store) notifyLike(ctx context.Context, tx handle, postID, who string, byCharacter bool, at time.Time) error {
	var worldID, characterID, author string
	err := tx.QueryRow(ctx, `SELECT p.world_id, p.character_id, COALESCE(c.owner_id, '')
		FROM posts p JOIN characters c ON c.id = p.character_id WHERE p.id = ?`, postID).Scan(&worldID, &characterID, &author)
	if err != nil || author == "" {
		return err
	}
	var sp speaker
	if byCharacter {
		sp, err = characterSpeaker(ctx, tx, who)
	} else {
		sp, err = userSpeaker(ctx, tx, who)
	}
	if err != nil || sp.person == author {
		return err
	}
	_, err = s.notify(ctx, tx, generia.Notification{UserID: author, Kind: generia.NotifyLike, Key: "like:" + postID + ":" + who,
		Group: "like:" + postID, WorldID: worldID, PostID: postID, CharacterID: characterID,
		ActorUserID: sp.userID, ActorCharacterID: sp.characterID, ActorName: sp.name, CreatedAt: at})
	return err
}

// notifyJoined tells a world's owner, in the transaction of a new
// membership, that a person joined it.
func (s *Store) notifyJoined(ctx context.Context, tx handle, worldID, userID string, at time.Time) error {
	var owner, name string
	if err := tx.QueryRow(ctx, `SELECT owner_id, name FROM worlds WHERE id = ?`, worldID).Scan(&owner, &name); err != nil {
		return err
	}
	if owner == "" || owner == userID {
		return nil
	}
	sp, err := userSpeaker(ctx, tx, userID)
	if err != nil {
		return err
	}
	_, err = s.notify(ctx, tx, generia.Notification{UserID: owner, Kind: generia.NotifyJoined, Key: "joined:" + worldID + ":" + userID,
		Group: "joined:" + worldID, WorldID: worldID, ActorUserID: userID, ActorName: sp.name, Text: excerpt(name), CreatedAt: at})
	return err
}

// notifyGeneration tells a world's owner, in the transaction that ends its
// generation, that it completed or failed; other statuses tell nothing.
func (s *Store) notifyGeneration(ctx context.Context, tx handle, st generia.GenerationStatus) error {
	kind := map[string]string{generia.StatusCompleted: generia.NotifyWorldCompleted, generia.StatusFailed: generia.NotifyWorldFailed}[st.Status]
	if kind == "" {
		return nil
	}
	var owner, name string
	if err := tx.QueryRow(ctx, `SELECT owner_id, name FROM worlds WHERE id = ?`, st.WorldID).Scan(&owner, &name); err != nil {
		return err
	}
	_, err := s.notify(ctx, tx, generia.Notification{UserID: owner, Kind: kind, Key: "world:" + st.WorldID + ":" + st.Status,
		WorldID: st.WorldID, Text: excerpt(name), CreatedAt: st.UpdatedAt})
	return err
}

// notifyStrike tells the struck person, in the transaction of a strike, of
// it (NotifyStrike, key "strike:<id>") or of the answer to its appeal
// (NotifyAppeal, key "appeal:<id>"). The moderator is not named.
func (s *Store) notifyStrike(ctx context.Context, tx handle, st generia.Strike, kind, text string, at time.Time) error {
	prefix := map[string]string{generia.NotifyStrike: "strike:", generia.NotifyAppeal: "appeal:"}[kind]
	_, err := s.notify(ctx, tx, generia.Notification{UserID: st.UserID, Kind: kind, Key: prefix + st.ID, StrikeID: st.ID,
		Text: excerpt(text), CreatedAt: at})
	return err
}
