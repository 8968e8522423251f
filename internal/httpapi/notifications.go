package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/sse"
)

func toNotification(v social.NotificationView) apiv1.Notification {
	return apiv1.Notification{ID: v.ID, IDs: v.IDs, Kind: v.Kind, Actors: nonNil(v.Actors), Count: v.Count, Sentence: v.Sentence,
		Excerpt: v.Excerpt, Link: v.Link, WorldID: v.WorldID, WorldName: v.WorldName, CreatedAt: v.CreatedAt, Read: v.Read}
}

// nonNil is a list that JSON writes as [] when empty.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// notificationEvent is the data of a stream's notification event.
func notificationEvent(e social.Event) ([]byte, error) {
	return json.Marshal(apiv1.NotificationEvent{Notification: toNotification(*e.Notification), Unread: e.Unread})
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request) error {
	return list(w, r, "notifications", func(pg generia.Page) ([]social.NotificationView, string, error) {
		return s.Social.Notifications(r.Context(), viewer(r), pg)
	}, toNotification)
}

func (s *Server) unreadNotifications(w http.ResponseWriter, r *http.Request) error {
	n, err := s.Social.UnreadNotifications(r.Context(), viewer(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"count": n})
	return nil
}

func (s *Server) markNotificationsRead(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(req apiv1.MarkRead) (apiv1.Marked, error) {
		marked, unread, err := s.Social.ReadNotifications(r.Context(), viewer(r), req.IDs, req.All)
		return apiv1.Marked{Marked: marked, Unread: unread}, err
	}, func(m apiv1.Marked) apiv1.Marked { return m })
}

func (s *Server) notificationSettings(w http.ResponseWriter, r *http.Request) error {
	on, err := s.Social.NotificationSettings(r.Context(), viewer(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, apiv1.NotificationSettings{Kinds: on})
	return nil
}

func (s *Server) setNotificationSettings(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(req apiv1.NotificationSettings) (map[string]bool, error) {
		if req.Kinds == nil {
			return nil, generia.FieldErrorf("kinds", "send kinds: an object of kinds of notification, each true (on) or false (off)")
		}
		if err := s.Social.SetNotificationSettings(r.Context(), viewer(r), req.Kinds); err != nil {
			return nil, err
		}
		return s.Social.NotificationSettings(r.Context(), viewer(r))
	}, func(on map[string]bool) apiv1.NotificationSettings { return apiv1.NotificationSettings{Kinds: on} })
}

func (s *Server) acceptInvitedNotification(w http.ResponseWriter, r *http.Request) error {
	world, err := s.Social.AcceptInvitedNotification(r.Context(), viewer(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "is_joined": true, "world": toWorld(world)})
	return nil
}

// streamAccount sends the viewer's notifications, from every world, as
// server-sent events while the reader stays: "notification" ({notification,
// unread}). A reader that reconnects with Last-Event-ID gets what came
// after it.
func (s *Server) streamAccount(w http.ResponseWriter, r *http.Request) error {
	// The stream outlives the request when sse.Serve takes its
	// connection over; sse.Serve closes it when it ends.
	events, err := s.Social.WatchAccount(context.WithoutCancel(r.Context()), viewer(r), s.Limits.Address(r), sse.LastTime(r))
	if err != nil {
		sse.RetryAfter(w, err)
		return err
	}
	sse.Serve(s.pool(), r.Context(), w, events, func(e social.Event) (sse.Event, bool) {
		if e.Kind != social.EventNotification {
			return sse.Event{}, false
		}
		b, err := notificationEvent(e)
		return sse.Event{Name: e.Kind, ID: sse.TimeID(e.Notification.CreatedAt), Data: b}, err == nil
	})
	return nil
}
