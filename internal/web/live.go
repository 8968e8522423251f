package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/sse"
)

// live is a world's live stream for its open pages: what social.Watch
// sends, rendered as the page renders it for this viewer, so that the
// script only inserts it; it ends when social ends it (the viewer may no
// longer see the world). Events: "post" {id, html} (a post card),
// "comment" {id, post_id, parent_id, html} (a comment; parent_id the one
// it answers, if any), "life" {state, help}, and the viewer's own
// "notification" {id, unread, html} (see liveNotification).
func (h *Handler) live(w http.ResponseWriter, r *http.Request, req request) {
	v := req.viewer
	// The stream outlives the request when sse.Serve takes its
	// connection over; sse.Serve closes it when it ends.
	events, err := h.social.Watch(context.WithoutCancel(r.Context()), v.ID, h.limits.Address(r), r.PathValue("id"), sse.LastTime(r))
	if err != nil {
		sse.RetryAfter(w, err)
		h.fail(w, r, err)
		return
	}
	view, err := h.social.World(r.Context(), v.ID, r.PathValue("id"))
	if err != nil {
		events.Close()
		h.fail(w, r, err)
		return
	}
	// A signed-in viewer's comments come with their Reply form, speaking
	// as the page's "Comment as" starts (the script then follows it).
	var as *replyAs
	if v.SignedIn() {
		mine, err := h.social.UserCharacters(r.Context(), v.ID, view.World.ID, v.ID)
		if err != nil {
			events.Close()
			h.fail(w, r, err)
			return
		}
		a := newReplyAs(v, mine, commentAs(r, view.World.ID, mine), social.MaxCommentLength)
		as = &a
	}
	sse.Serve(h.streams, r.Context(), w, events, func(e social.Event) (sse.Event, bool) {
		data, err := h.liveEvent(e, view, v, as)
		if err != nil {
			h.log.Error("rendering a live event", "world_id", view.World.ID, "kind", e.Kind, "error", err)
			return sse.Event{}, false
		}
		return sse.Event{Name: e.Kind, ID: sse.TimeID(e.At), Data: data}, true
	})
}

// liveEvent renders one event of the live stream as its JSON data; a
// comment with its Reply form speaking as as, if set.
func (h *Handler) liveEvent(e social.Event, view social.WorldView, v viewer, as *replyAs) ([]byte, error) {
	var html bytes.Buffer
	switch e.Kind {
	case social.EventPost:
		if err := h.views.fragment(&html, "post_card", map[string]any{"P": *e.Post, "V": v}); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"id": e.Post.ID, "html": html.String()})
	case social.EventComment:
		c := newCommentView(*e.Comment, v, stewardOf(view))
		data := map[string]any{"C": c, "W": view.World.ID, "P": c.PostID, "V": v}
		if as != nil {
			data["As"] = *as
		}
		if err := h.views.fragment(&html, "comment", data); err != nil {
			return nil, err
		}
		return json.Marshal(map[string]string{"id": c.ID, "post_id": c.PostID, "parent_id": c.ParentID, "html": html.String()})
	case social.EventNotification:
		return h.liveNotification(e, v)
	default:
		return json.Marshal(map[string]string{"state": e.Life, "help": lifeHelp(e.Life)})
	}
}
