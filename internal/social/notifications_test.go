package social

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

// notify stores a notification for a test, made a minute after the town's
// now plus at: after the notifier's first read.
func notify(t *testing.T, s *Service, n generia.Notification, at time.Duration) generia.Notification {
	t.Helper()
	if n.ID == "" {
		n.ID = "n-" + n.Key
	}
	if n.Group == "" {
		n.Group = n.Key
	}
	n.CreatedAt = s.now().Add(time.Minute + at)
	stored, err := s.Store.Notify(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if !stored {
		t.Fatalf("notification %s was not stored", n.Key)
	}
	return n
}

// likeOf is a notification to ada that someone liked the public world's
// post.
func likeOf(actorID, actorName string) generia.Notification {
	return generia.Notification{UserID: owner, Kind: generia.NotifyLike, Key: "like:" + actorID, Group: "like:post:" + postOf(public),
		WorldID: public, PostID: postOf(public), ActorUserID: actorID, ActorName: actorName, Text: "Morning"}
}

// notifications are the notification events among events.
func notifications(events []Event) []Event {
	return slices.DeleteFunc(slices.Clone(events), func(e Event) bool { return e.Kind != EventNotification })
}

// told says whether events hold the notification id.
func told(events []Event, id string) bool {
	return slices.ContainsFunc(events, func(e Event) bool {
		return e.Kind == EventNotification && slices.Contains(e.Notification.IDs, id)
	})
}

// Notifications of one thing that follow each other are shown as one,
// with who did it in a sentence, and each links to the thing itself.
func TestNotificationsAreGroupedAndSaid(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	notify(t, s, generia.Notification{UserID: owner, Kind: generia.NotifyWorldCompleted, Key: "world:" + public, WorldID: public,
		Text: "Neon Harbor"}, 0)
	for i, name := range []string{"tove", "mara", "ines", "oskar"} {
		notify(t, s, likeOf("user-"+name, name), time.Duration(i+1)*time.Second)
	}
	notify(t, s, generia.Notification{UserID: owner, Kind: generia.NotifyReply, Key: "reply:answer", WorldID: public, PostID: postOf(public),
		CommentID: commentOf(member, public), ActorUserID: member, ActorName: "bea", Text: "Welcome!"}, 10*time.Second)

	views, _, err := s.Notifications(ctx, owner, generia.Page{})
	if err != nil {
		t.Fatal(err)
	}
	type shown struct {
		Sentence, Link string
		Count, IDs     int
		Actors         []string
	}
	var got []shown
	for _, v := range views[:min(3, len(views))] { // after them, bea's joins of the town
		got = append(got, shown{v.Sentence, v.Link, v.Count, len(v.IDs), v.Actors})
	}
	want := []shown{
		{"bea replied to your comment", "/worlds/pub/posts/post-pub#comment-comment-bea-pub", 1, 1, []string{"bea"}},
		{"oskar and 3 others liked your post", "/worlds/pub/posts/post-pub", 4, 4, []string{"oskar", "ines", "mara"}},
		{"Your world Neon Harbor is ready", "/worlds/pub", 0, 1, nil},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ada's notifications:\n got %+v\nwant %+v", got, want)
	}
	if len(views) == 3 && (views[0].Read || views[1].Excerpt != "Morning" || views[1].ID != "n-like:user-oskar") {
		t.Errorf("the likes' group is %+v: want unread, the newest's ID and the post's words", views[1])
	}

	// A group is split where another comes between: the page keeps time's
	// order.
	notify(t, s, likeOf("user-lena", "lena"), 20*time.Second)
	views, _, err = s.Notifications(ctx, owner, generia.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(views) < 4 || views[0].Sentence != "lena liked your post" || views[1].Sentence != "bea replied to your comment" {
		t.Errorf("after a new like: the first group says %q; want lena's like alone, then the reply", views[0].Sentence)
	}

	for name, call := range map[string]func() error{
		"list":     func() error { _, _, err := s.Notifications(ctx, anon, generia.Page{}); return err },
		"count":    func() error { _, err := s.UnreadNotifications(ctx, anon); return err },
		"read":     func() error { _, err := s.MarkNotificationsRead(ctx, anon, nil, true); return err },
		"settings": func() error { _, err := s.NotificationSettings(ctx, anon); return err },
		"set":      func() error { return s.SetNotificationSettings(ctx, anon, map[string]bool{"like": false}) },
		"accept":   func() error { _, err := s.AcceptInvitedNotification(ctx, anon, "n-like:user-lena"); return err },
		"stream":   func() error { _, err := s.WatchAccount(ctx, anon, address, time.Time{}); return err },
	} {
		if err := call(); !generia.IsKind(err, generia.KindUnauthorized) {
			t.Errorf("a visitor's %s: %v, want unauthorized", name, err)
		}
	}
}

// A character's reply to ada's comment reaches, within moments, her open
// world stream (of any world) and her account streams, also those another
// API process holds, with her unread count; nobody else's stream gets it.
func TestAReplyReachesItsPersonsOpenStreams(t *testing.T) {
	s := newTown(t).service(t)
	elsewhere := &Service{Store: s.Store, Files: s.Files, Pipeline: s.Pipeline, Now: s.Now} // another process
	ctx := t.Context()
	open := func(s *Service, who string, world bool) *Stream[Event] {
		t.Helper()
		var st *Stream[Event]
		var err error
		if world {
			st, err = s.Watch(ctx, who, address, private, time.Time{})
		} else {
			st, err = s.WatchAccount(ctx, who, address, time.Time{})
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(st.Close)
		return st
	}
	adaWorld, adaAccount, adaElsewhere := open(s, owner, true), open(s, owner, false), open(elsewhere, owner, false)
	beaWorld, beaAccount := open(s, member, true), open(s, member, false)
	cyAccount := open(elsewhere, stranger, false)

	_, err := s.Store.AddComment(ctx, generia.Comment{ID: "answer", PostID: postOf(public), CharacterID: aiCharacter(public), IsAI: true,
		ParentID: commentOf(owner, public), Text: "Welcome to the harbour!", CreatedAt: s.now().Add(time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	// A second notification after it: once ada has it, the notifier has
	// given out the reply's to everyone it would.
	marker := notify(t, s, generia.Notification{UserID: owner, Kind: generia.NotifyJoined, Key: "joined:marker", WorldID: public,
		ActorUserID: stranger, ActorName: "cy"}, 2*time.Second)
	for name, st := range map[string]*Stream[Event]{"world": adaWorld, "account": adaAccount, "other process's account": adaElsewhere} {
		got, _ := watchUntil(t, st, func(got []Event) bool { return told(got, marker.ID) })
		got = notifications(got)
		if len(got) != 2 {
			t.Fatalf("ada's %s stream has %d notifications, want the reply's and the marker's", name, len(got))
		}
		n := got[0].Notification
		if n.Kind != generia.NotifyReply || n.Link != "/worlds/pub/posts/post-pub#comment-answer" || n.Excerpt == "" || got[0].Unread < 1 {
			t.Errorf("ada's %s stream's first notification is %+v (unread %d); want the reply, linked to it", name, n, got[0].Unread)
		}
		if unread, err := s.UnreadNotifications(ctx, owner); err != nil || got[1].Unread != unread {
			t.Errorf("ada's stream says %d unread, her count %d (%v)", got[1].Unread, unread, err)
		}
	}
	for name, st := range map[string]*Stream[Event]{"bea's world": beaWorld, "bea's account": beaAccount, "cy's account": cyAccount} {
		if got, _ := st.Take(); len(notifications(got)) > 0 {
			t.Errorf("%s stream got %+v", name, notifications(got)[0].Notification)
		}
	}
}

// bea, removed from the private world, is no longer told of it on her open
// account stream; of the public world she still is.
func TestARemovedMemberIsNotToldOfTheWorld(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	st, err := s.WatchAccount(ctx, member, address, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := s.RemoveMember(ctx, owner, private, member); err != nil {
		t.Fatal(err)
	}
	mention := func(w string, at time.Duration) generia.Notification {
		return notify(t, s, generia.Notification{UserID: member, Kind: generia.NotifyMention, Key: "mention:" + w, WorldID: w,
			PostID: postOf(w), ActorCharacterID: aiCharacter(w), ActorName: "AI", Text: "@bea look"}, at)
	}
	hidden, shown := mention(private, 0), mention(public, time.Second)
	got, _ := watchUntil(t, st, func(got []Event) bool { return told(got, shown.ID) })
	if told(got, hidden.ID) {
		t.Error("bea's stream told her of the world she was removed from")
	}
	views, _, err := s.Notifications(ctx, member, generia.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range views {
		if v.WorldID == private {
			t.Errorf("bea's notifications list one of the world she was removed from: %+v", v)
		}
	}
}

// ada reads her notifications one by one or all at once; bea's are not
// hers to mark.
func TestMarkingNotificationsRead(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	before, err := s.UnreadNotifications(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	first := notify(t, s, likeOf("user-tove", "tove"), 0)
	notify(t, s, generia.Notification{UserID: owner, Kind: generia.NotifyJoined, Key: "joined:cy", WorldID: public, ActorUserID: stranger, ActorName: "cy"}, time.Second)
	beas := notify(t, s, generia.Notification{UserID: member, Kind: generia.NotifyMention, Key: "mention:bea", WorldID: public, PostID: postOf(public),
		ActorCharacterID: aiCharacter(public), ActorName: "AI"}, 0)
	if n, err := s.UnreadNotifications(ctx, owner); err != nil || n != before+2 {
		t.Fatalf("ada has %d unread (%v), want %d", n, err, before+2)
	}

	for name, c := range map[string]struct {
		ids  []string
		all  bool
		want generia.Kind
	}{
		"bea's":        {[]string{first.ID, beas.ID}, false, generia.KindNotFound},
		"unknown":      {[]string{"nope"}, false, generia.KindNotFound},
		"ids and all":  {[]string{first.ID}, true, generia.KindInvalid},
		"neither":      {nil, false, generia.KindInvalid},
		"too many ids": {make([]string, MaxMarkRead+1), false, generia.KindInvalid},
	} {
		if _, err := s.MarkNotificationsRead(ctx, owner, c.ids, c.all); !generia.IsKind(err, c.want) {
			t.Errorf("marking %s: %v, want %s", name, err, c.want)
		}
	}
	if n, _ := s.UnreadNotifications(ctx, owner); n != before+2 {
		t.Errorf("refused marks changed ada's unread count to %d, want %d", n, before+2)
	}

	if n, err := s.MarkNotificationsRead(ctx, owner, []string{first.ID}, false); err != nil || n != before+1 {
		t.Errorf("after marking one, ada has %d unread (%v), want %d", n, err, before+1)
	}
	views, _, _ := s.Notifications(ctx, owner, generia.Page{Limit: 2})
	if len(views) != 2 || views[0].Read || !views[1].Read {
		t.Errorf("ada's list reads %+v; want the join unread, the like read", views)
	}
	marked, unread, err := s.ReadNotifications(ctx, owner, nil, true)
	if err != nil || unread != 0 || marked != before+1 {
		t.Errorf("marking all: %d marked, %d unread (%v); want %d, 0", marked, unread, err, before+1)
	}
	if n, _ := s.UnreadNotifications(ctx, member); n < 1 {
		t.Errorf("ada's marks read bea's: she has %d unread", n)
	}
}

// A kind bea turns off is not written for her; an unknown kind changes
// nothing.
func TestNotificationSettingsMute(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	on, err := s.NotificationSettings(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	if len(on) != len(generia.NotificationKinds) || !on[generia.NotifyLike] {
		t.Fatalf("bea's settings at first: %v; want every kind, on", on)
	}
	if err := s.SetNotificationSettings(ctx, member, map[string]bool{generia.NotifyLike: false, "gossip": true}); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("an unknown kind: %v, want invalid", err)
	}
	if on, _ := s.NotificationSettings(ctx, member); !on[generia.NotifyLike] {
		t.Error("a refused change turned likes off")
	}
	if err := s.SetNotificationSettings(ctx, member, map[string]bool{generia.NotifyLike: false}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetNotificationSettings(ctx, member, map[string]bool{generia.NotifyReply: true}); err != nil {
		t.Fatal(err)
	}
	on, _ = s.NotificationSettings(ctx, member)
	if on[generia.NotifyLike] || !on[generia.NotifyReply] || !on[generia.NotifyMention] {
		t.Errorf("bea's settings: %v; want likes off (kept by a change of another kind), the rest on", on)
	}
	n := likeOf("user-tove", "tove")
	n.UserID, n.ID, n.CreatedAt = member, "muted-like", s.now()
	if stored, err := s.Store.Notify(ctx, n); err != nil || stored {
		t.Errorf("a like for bea, who turned likes off, was stored: %v, %v", stored, err)
	}
}

// ada invites cy to her world by name: cy is told, and accepts from the
// notification; nobody else can, and a name nobody has makes no
// invitation.
func TestAnInvitationByName(t *testing.T) {
	s := newTown(t).service(t)
	ctx := t.Context()
	if _, _, err := s.CreateInvitation(ctx, owner, public, NewInvitation{Username: "nobody"}); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("inviting nobody: %v, want invalid", err)
	}
	if list, _ := s.Invitations(ctx, owner, public); len(list) != 0 {
		t.Errorf("inviting nobody made %d invitations", len(list))
	}
	name := "Neon Harbor"
	if _, err := s.EditWorld(ctx, owner, public, WorldEdit{Name: &name}); err != nil {
		t.Fatal(err)
	}
	inv, _, err := s.CreateInvitation(ctx, owner, public, NewInvitation{Username: "CY"})
	if err != nil {
		t.Fatal(err)
	}
	views, _, err := s.Notifications(ctx, stranger, generia.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if len(views) != 1 || views[0].Sentence != "ada invited you to Neon Harbor" {
		t.Fatalf("cy's notifications: %+v; want ada's invitation to Neon Harbor", views)
	}
	id := views[0].ID
	if views[0].Link != "/notifications/"+id+"/accept" {
		t.Errorf("the invitation links to %q", views[0].Link)
	}
	for _, who := range []string{member, owner} {
		if _, err := s.AcceptInvitedNotification(ctx, who, id); !generia.IsKind(err, generia.KindNotFound) {
			t.Errorf("%s accepts cy's invitation: %v, want not found", nameOf(who), err)
		}
	}
	w, err := s.AcceptInvitedNotification(ctx, stranger, id)
	if err != nil || w.ID != public {
		t.Fatalf("cy accepts: %v, %v", w.ID, err)
	}
	if m, _ := s.Store.IsMember(ctx, public, stranger); !m {
		t.Error("cy accepted, and is not a member")
	}
	if list, _ := s.Invitations(ctx, owner, public); len(list) != 1 || list[0].ID != inv.ID || list[0].Uses != 1 {
		t.Errorf("the invitation after cy accepted: %+v; want one use spent", list)
	}
	if n, _ := s.UnreadNotifications(ctx, stranger); n != 0 {
		t.Errorf("cy has %d unread after accepting", n)
	}
}
