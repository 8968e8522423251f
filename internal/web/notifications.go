package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/httpstatus"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/sse"
)

// notificationsPageSize is how many groups of notifications a page lists.
const notificationsPageSize = 20

// unread is the header bell's count of the viewer's unread notifications:
// one count, for a signed-in person only (a visitor's pages, which are
// kept and shared, show none). A count that cannot be read shows as none.
func (h *Handler) unread(r *http.Request, v viewer) int {
	if !v.SignedIn() {
		return 0
	}
	n, err := h.social.UnreadNotifications(r.Context(), v.ID)
	if err != nil {
		if !httpstatus.ClientGone(r, err) {
			h.log.Warn("counting unread notifications", "user_id", v.ID, "error", err) // the page goes on without
		}
		return 0
	}
	return n
}

// notificationItems is a page of notifications and what loads the next.
type notificationItems struct {
	Items []social.NotificationView
	// Viewer sends the invitations' Accept forms.
	Viewer viewer
	Next   string
	// MoreURL is the next page without JavaScript, FragmentURL its items
	// alone for the script to append.
	MoreURL, FragmentURL string
}

// notificationSetting is one kind's box of the settings form.
type notificationSetting struct {
	Kind, Label string
	On          bool
}

type notificationsData struct {
	List     notificationItems
	Paged    bool
	Settings []notificationSetting
	// Saved says the settings were just saved.
	Saved bool
}

// notificationLabels say what each kind of notification is about, on the
// settings form.
var notificationLabels = map[string]string{
	generia.NotifyReply:          "Replies to your comments or your characters'",
	generia.NotifyMention:        "Mentions of you or your characters",
	generia.NotifyComment:        "Comments on your posts",
	generia.NotifyLike:           "Likes of your posts",
	generia.NotifyJoined:         "People joining your worlds",
	generia.NotifyWorldCompleted: "Your world is ready",
	generia.NotifyWorldFailed:    "Your world failed",
	generia.NotifyInvitation:     "Invitations to worlds",
	generia.NotifyStrike:         "Strikes from moderators",
	generia.NotifyAppeal:         "Answers to your appeals",
}

// notificationPage reads a page of the viewer's notifications.
func (h *Handler) notificationPage(r *http.Request, v viewer) (notificationItems, error) {
	items, next, err := h.social.Notifications(r.Context(), v.ID, generia.Page{Limit: notificationsPageSize, Cursor: r.URL.Query().Get("cursor")})
	if err != nil {
		return notificationItems{}, err
	}
	l := notificationItems{Items: items, Viewer: v, Next: next}
	if next != "" {
		q := url.Values{"cursor": {next}}.Encode()
		l.MoreURL, l.FragmentURL = "/notifications?"+q, "/notifications/items?"+q
	}
	return l, nil
}

// notifications is the viewer's notifications, newest first, grouped, and
// their settings. Opening the page reads what it shows: those unread are
// marked read, and shown as new this once.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	list, err := h.notificationPage(r, v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.markShown(r.Context(), v, list.Items); err != nil {
		h.fail(w, r, err)
		return
	}
	on, err := h.social.NotificationSettings(r.Context(), v.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := notificationsData{List: list, Paged: r.URL.Query().Get("cursor") != "", Saved: r.URL.Query().Get("saved") != ""}
	for _, k := range generia.NotificationKinds {
		d.Settings = append(d.Settings, notificationSetting{Kind: k, Label: notificationLabels[k], On: on[k]})
	}
	h.render(w, r, http.StatusOK, "notifications", h.newPage(r, v, "Notifications", d))
}

// markShown marks read the unread notifications a page shows.
func (h *Handler) markShown(ctx context.Context, v viewer, items []social.NotificationView) error {
	var ids []string
	for _, n := range items {
		if !n.Read {
			ids = append(ids, n.IDs...)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := h.social.MarkNotificationsRead(ctx, v.ID, ids, false)
	return err
}

// notificationItemsPage is the next page of notifications, for "load
// more"; what it shows is read, as on the page.
func (h *Handler) notificationItemsPage(w http.ResponseWriter, r *http.Request, req request) {
	list, err := h.notificationPage(r, req.viewer)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.markShown(r.Context(), req.viewer, list.Items); err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderFragment(w, r, "notification_items_page", list)
}

// markRead marks notifications read: those of the form's id fields, or all
// with all=1. Then it goes to the form's next (a local path: the thing a
// notification links to), or back. Someone else's ID marks nothing (404).
func (h *Handler) markRead(w http.ResponseWriter, r *http.Request, req request) {
	if _, err := h.social.MarkNotificationsRead(r.Context(), req.viewer.ID, r.PostForm["id"], r.PostFormValue("all") == "1"); err != nil {
		h.fail(w, r, err)
		return
	}
	if next := localPath(r.PostFormValue("next")); next != "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	redirectBack(w, r, "/notifications")
}

// setNotificationSettings turns kinds of notifications on and off: a box
// not ticked is off.
func (h *Handler) setNotificationSettings(w http.ResponseWriter, r *http.Request, req request) {
	on := make(map[string]bool, len(generia.NotificationKinds))
	for _, k := range generia.NotificationKinds {
		on[k] = false
	}
	for _, k := range r.PostForm["on"] {
		on[k] = true // an unknown kind is refused by social
	}
	if err := h.social.SetNotificationSettings(r.Context(), req.viewer.ID, on); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications?saved=1#settings", http.StatusSeeOther)
}

// invited is the page an invitation's notification links to, where its
// person accepts it: the notification among their latest, with the form.
func (h *Handler) invited(w http.ResponseWriter, r *http.Request, req request) {
	v, id := req.viewer, r.PathValue("id")
	items, _, err := h.social.Notifications(r.Context(), v.ID, generia.Page{Limit: generia.MaxPageSize})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, n := range items {
		if n.Kind == generia.NotifyInvitation && slices.Contains(n.IDs, id) {
			n.ID = id
			h.render(w, r, http.StatusOK, "invited", h.newPage(r, v, n.Sentence, n))
			return
		}
	}
	h.fail(w, r, generia.Errorf(generia.KindNotFound, "no invitation %s among your notifications", id))
}

// acceptInvited accepts the invitation a notification offers, and goes to
// the world, at its character form.
func (h *Handler) acceptInvited(w http.ResponseWriter, r *http.Request, req request) {
	world, err := h.social.AcceptInvitedNotification(r.Context(), req.viewer.ID, r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/worlds/"+url.PathEscape(world.ID)+"#new-character", http.StatusSeeOther)
}

// accountLive is a signed-in person's own live stream, for the pages that
// follow no world: what social.WatchAccount sends, "notification" events
// rendered as liveNotification does.
func (h *Handler) accountLive(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	events, err := h.social.WatchAccount(context.WithoutCancel(r.Context()), v.ID, h.limits.Address(r), sse.LastTime(r))
	if err != nil {
		sse.RetryAfter(w, err)
		h.fail(w, r, err)
		return
	}
	sse.Serve(h.streams, r.Context(), w, events, func(e social.Event) (sse.Event, bool) {
		if e.Kind != social.EventNotification || e.Notification == nil {
			return sse.Event{}, false
		}
		data, err := h.liveNotification(e, v)
		if err != nil {
			h.log.Error("rendering a live notification", "user_id", v.ID, "error", err)
			return sse.Event{}, false
		}
		// Resumed from its newest notification, the stream misses none after.
		return sse.Event{Name: e.Kind, ID: sse.TimeID(e.Notification.CreatedAt), Data: data}, true
	})
}

// liveNotification renders a notification event as its JSON data:
// {id, unread, html}, the list item the notifications page shows.
func (h *Handler) liveNotification(e social.Event, v viewer) ([]byte, error) {
	out := map[string]any{"unread": e.Unread}
	if n := e.Notification; n != nil {
		var html bytes.Buffer
		if err := h.views.fragment(&html, "notification", map[string]any{"N": *n, "V": v}); err != nil {
			return nil, err
		}
		out["id"], out["html"] = n.ID, html.String()
	}
	return json.Marshal(out)
}
