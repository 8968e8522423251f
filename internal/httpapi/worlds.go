package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/generia/generia/internal/apiv1"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline/timeleft"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/sse"
)

func toWorld(w generia.World) apiv1.World {
	params := w.Params
	if len(params) == 0 {
		params = json.RawMessage("null")
	}
	return apiv1.World{
		ID: w.ID, Name: w.Name, Prompt: w.Prompt, Description: w.Description, Params: params,
		CharactersCount: w.CharactersCount, PostsCount: w.PostsCount, CharactersMade: w.CharactersMade, PostsMade: w.PostsMade, Posts: w.Posts,
		HeaderMediaID: w.HeaderMediaID, IconMediaID: w.IconMediaID, Visibility: w.Visibility, OwnerID: w.OwnerID,
		Providers: w.Providers, WorkflowID: w.WorkflowID, Status: w.Status, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		Review: apiv1.ReviewOf(w.Review),
	}
}

// status is a status record as the API sends it now.
func (s *Server) status(st generia.GenerationStatus) apiv1.Status { return toStatus(st, nil, s.now()) }

// toStatus is a status record as the API sends it at now; watch is what a
// stream has seen of its calls, which the time left is measured by (nil for
// a single read).
func toStatus(st generia.GenerationStatus, watch *timeleft.CallWatch, now time.Time) apiv1.Status {
	out := statusFields(st, now)
	if left, ok := timeleft.TimeLeft(st, watch, now); ok {
		secs := left.Seconds()
		out.ETASeconds = &secs
	}
	return out
}

// statusFields is a status record as the API sends it at now, without the
// time left.
func statusFields(st generia.GenerationStatus, now time.Time) apiv1.Status {
	out := apiv1.Status{
		WorldID: st.WorldID, WorkflowID: st.WorkflowID, Status: st.Status, CurrentStage: st.CurrentStage,
		Stages: st.Stages, ProgressPercent: st.Percent(), CharactersCreated: st.CharactersCreated, CharactersPredicted: st.CharactersPredicted,
		PostsCreated: st.PostsCreated, PostsPredicted: st.PostsPredicted, ImagesCreated: st.ImagesCreated,
		ImagesPredicted: st.ImagesPredicted, ItemsHeld: st.ItemsHeld, CallLimitLLM: st.CallLimitLLM, CallLimitImages: st.CallLimitImages,
		CallsLLM: st.CallsLLM, CallsImages: st.CallsImages, CallsFailedLLM: st.LLMCallsFailed, CallsFailedImages: st.ImageCallsFailed,
		TokensIn: st.TokensIn, TokensOut: st.TokensOut,
		LLMCost: st.LLMCostUSD, ImageCost: st.ImageCostUSD, BudgetUSD: st.BudgetUSD, Providers: st.Providers,
		AnswersRepaired: st.AnswersRepaired, AnswersInvalid: st.AnswersInvalid, AnswersInvalidCost: st.AnswersInvalidCostUSD,
		CancelRequested: st.CancelRequested, Error: st.Error, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt,
		StartedAt: st.StartedAt, FinishedAt: st.FinishedAt,
	}
	if st.StartedAt != nil {
		end := now
		if st.FinishedAt != nil {
			end = *st.FinishedAt
		}
		out.ElapsedSeconds = end.Sub(*st.StartedAt).Seconds()
	}
	return out
}

func (s *Server) createWorld(w http.ResponseWriter, r *http.Request) error {
	return create(w, r, func(req generia.NewWorld) (generia.World, error) {
		return s.Social.CreateWorld(r.Context(), viewer(r), req)
	}, toWorld)
}

func (s *Server) listWorlds(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	return list(w, r, "worlds", func(pg generia.Page) ([]generia.World, string, error) {
		return s.Social.Worlds(r.Context(), viewer(r), social.WorldQuery{Scope: q.Get("scope"), Status: q.Get("status"), Search: q.Get("q"), Sort: q.Get("sort")}, pg)
	}, toWorld)
}

func (s *Server) getWorld(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Social.World(r.Context(), viewer(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := toWorld(v.World)
	sj := toStatus(v.Status, nil, s.now())
	out.Generation = &sj
	if viewer(r) != "" {
		out.IsOwner, out.IsJoined = &v.IsOwner, &v.IsMember
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) deleteWorld(w http.ResponseWriter, r *http.Request) error {
	if err := s.Social.DeleteWorld(r.Context(), viewer(r), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) joinWorld(w http.ResponseWriter, r *http.Request) error {
	if err := s.Social.JoinWorld(r.Context(), viewer(r), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "is_joined": true})
	return nil
}

func (s *Server) leaveWorld(w http.ResponseWriter, r *http.Request) error {
	if err := s.Social.LeaveWorld(r.Context(), viewer(r), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "is_joined": false})
	return nil
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Social.Status(r.Context(), viewer(r), r.PathValue("id"))
	return answer(w, http.StatusOK, st, err, s.status)
}

func (s *Server) cancelWorld(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Social.CancelWorld(r.Context(), viewer(r), r.PathValue("id"))
	return answer(w, http.StatusAccepted, st, err, s.status)
}

func (s *Server) getLife(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Social.LifeOf(r.Context(), viewer(r), r.PathValue("id"))
	return answer(w, http.StatusOK, v, err, lifeJSON)
}

func (s *Server) editWorld(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(req social.WorldEdit) (generia.World, error) {
		return s.Social.EditWorld(r.Context(), viewer(r), r.PathValue("id"), req)
	}, toWorld)
}

func (s *Server) setLife(w http.ResponseWriter, r *http.Request) error {
	return change(w, r, func(req social.LifeChange) (generia.LifeView, error) {
		return s.Social.SetLife(r.Context(), viewer(r), r.PathValue("id"), req)
	}, lifeJSON)
}

func lifeJSON(v generia.LifeView) apiv1.Life { return v }

// streamStatus sends the status record as server-sent events: one event per
// change, as social gives it to this viewer; the stream ends after the
// generation has ended, or when the viewer may no longer see the world.
func (s *Server) streamStatus(w http.ResponseWriter, r *http.Request) error {
	states, err := s.Social.WatchStatus(r.Context(), viewer(r), s.Limits.Address(r), r.PathValue("id"))
	if err != nil {
		sse.RetryAfter(w, err)
		return err
	}
	defer states.Close()
	stream := sse.Start(w)
	keepAlive := time.NewTicker(sse.KeepAlive)
	defer keepAlive.Stop()
	var last []byte
	watch := timeleft.CallWatch{Capacity: s.Capacity} // what the stream has seen of the calls
	for {
		select {
		case <-states.Ready():
			items, open := states.Take()
			for _, st := range items {
				now := s.now()
				watch.See(st, now)
				sj := statusFields(st, now)
				sj.ElapsedSeconds, sj.UpdatedAt = 0, time.Time{} // change detection ignores the clock
				key, _ := json.Marshal(sj)
				if bytes.Equal(key, last) {
					continue
				}
				last = key
				data, _ := json.Marshal(toStatus(st, &watch, now))
				if stream.Send("status", "", data) != nil {
					return nil
				}
			}
			if !open {
				return nil
			}
		case <-keepAlive.C:
			if stream.Idle() != nil {
				return nil
			}
		case <-r.Context().Done():
			return nil
		}
	}
}

// streamEvents sends what is added to a world as server-sent events while
// the reader stays: "post" (a Post), "comment" (a Comment), "life"
// ({"state": …}) and, for a signed-in viewer, "notification"
// ({notification, unread}: theirs, of any world). A reader that reconnects
// with Last-Event-ID misses no post or comment after it (a notification
// has no ID: the account stream resumes those); an open stream keeps the
// world awake, and ends when its viewer may no longer see the world.
func (s *Server) streamEvents(w http.ResponseWriter, r *http.Request) error {
	// The stream outlives the request when sse.Serve takes its
	// connection over; sse.Serve closes it when it ends.
	events, err := s.Social.Watch(context.WithoutCancel(r.Context()), viewer(r), s.Limits.Address(r), r.PathValue("id"), sse.LastTime(r))
	if err != nil {
		sse.RetryAfter(w, err)
		return err
	}
	sse.Serve(s.pool(), r.Context(), w, events, func(e social.Event) (sse.Event, bool) {
		var data any
		switch e.Kind {
		case social.EventPost:
			data = toPost(*e.Post)
		case social.EventComment:
			data = toComment(*e.Comment)
		case social.EventLife:
			data = map[string]string{"state": e.Life}
		case social.EventNotification:
			b, err := notificationEvent(e)
			return sse.Event{Name: e.Kind, Data: b}, err == nil
		}
		b, err := json.Marshal(data)
		return sse.Event{Name: e.Kind, ID: sse.TimeID(e.At), Data: b}, err == nil
	})
	return nil
}

// pool is the pool that holds the server's open streams.
func (s *Server) pool() *sse.Pool {
	if s.Streams == nil {
		return sse.Shared
	}
	return s.Streams
}
