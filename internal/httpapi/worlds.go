package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/generia/generia/internal/generia"
)

type worldJSON struct {
	ID              string            `json:"id"`
	Name            string            `json:"name"`
	Prompt          string            `json:"prompt"`
	Description     string            `json:"description"`
	Params          json.RawMessage   `json:"params"`
	CharactersCount int               `json:"characters_count"`
	PostsCount      int               `json:"posts_count"`
	HeaderMediaID   string            `json:"header_media_id,omitempty"`
	IconMediaID     string            `json:"icon_media_id,omitempty"`
	Visibility      string            `json:"visibility"`
	OwnerID         string            `json:"owner_id"`
	Providers       generia.Providers `json:"providers"`
	WorkflowID      string            `json:"workflow_id"`
	Status          string            `json:"generation_status"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	Generation      *statusJSON       `json:"generation,omitempty"`
}

func toWorldJSON(w generia.World) worldJSON {
	params := w.Params
	if len(params) == 0 {
		params = json.RawMessage("null")
	}
	return worldJSON{
		ID: w.ID, Name: w.Name, Prompt: w.Prompt, Description: w.Description, Params: params,
		CharactersCount: w.CharactersCount, PostsCount: w.PostsCount, HeaderMediaID: w.HeaderMediaID,
		IconMediaID: w.IconMediaID, Visibility: w.Visibility, OwnerID: w.OwnerID, Providers: w.Providers,
		WorkflowID: w.WorkflowID, Status: w.Status, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
	}
}

type statusJSON struct {
	WorldID         string            `json:"world_id"`
	WorkflowID      string            `json:"workflow_id"`
	Status          string            `json:"status"`
	CurrentStage    string            `json:"current_stage"`
	Stages          []generia.Stage   `json:"stages"`
	ProgressPercent int               `json:"progress_percent"`
	UsersCreated    int               `json:"users_created"`
	UsersPredicted  int               `json:"users_predicted"`
	PostsCreated    int               `json:"posts_created"`
	PostsPredicted  int               `json:"posts_predicted"`
	ImagesCreated   int               `json:"images_created"`
	ImagesPredicted int               `json:"images_predicted"`
	CallLimitLLM    int               `json:"api_call_limits_llm"`
	CallLimitImages int               `json:"api_call_limits_images"`
	CallsLLM        int               `json:"api_calls_made_llm"`
	CallsImages     int               `json:"api_calls_made_images"`
	TokensIn        int64             `json:"tokens_in"`
	TokensOut       int64             `json:"tokens_out"`
	LLMCost         float64           `json:"llm_cost_total"`
	ImageCost       float64           `json:"image_cost_total"`
	Providers       generia.Providers `json:"providers"`
	CancelRequested bool              `json:"cancel_requested"`
	Error           string            `json:"error"`
	CreatedAt       time.Time         `json:"created_at"`
	UpdatedAt       time.Time         `json:"updated_at"`
	StartedAt       *time.Time        `json:"started_at"`
	FinishedAt      *time.Time        `json:"finished_at"`
	ElapsedSeconds  float64           `json:"elapsed_seconds"`
}

func toStatusJSON(st generia.GenerationStatus, now time.Time) statusJSON {
	out := statusJSON{
		WorldID: st.WorldID, WorkflowID: st.WorkflowID, Status: st.Status, CurrentStage: st.CurrentStage,
		Stages: st.Stages, ProgressPercent: st.Percent(), UsersCreated: st.UsersCreated, UsersPredicted: st.UsersPredicted,
		PostsCreated: st.PostsCreated, PostsPredicted: st.PostsPredicted, ImagesCreated: st.ImagesCreated,
		ImagesPredicted: st.ImagesPredicted, CallLimitLLM: st.CallLimitLLM, CallLimitImages: st.CallLimitImages,
		CallsLLM: st.CallsLLM, CallsImages: st.CallsImages, TokensIn: st.TokensIn, TokensOut: st.TokensOut,
		LLMCost: st.LLMCostUSD, ImageCost: st.ImageCostUSD, Providers: st.Providers, CancelRequested: st.CancelRequested,
		Error: st.Error, CreatedAt: st.CreatedAt, UpdatedAt: st.UpdatedAt, StartedAt: st.StartedAt, FinishedAt: st.FinishedAt,
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

// world returns a world the requester may see: public ones, and private
// ones to their owner. To anyone else a private world does not exist.
func (s *Server) world(r *http.Request) (generia.World, error) {
	id := generia.WorldIDFromRef(r.PathValue("id"))
	w, err := s.Store.World(r.Context(), id)
	if err != nil {
		return w, err
	}
	if w.Visibility == generia.VisibilityPrivate && w.OwnerID != userID(r) {
		return generia.World{}, generia.Errorf(generia.KindNotFound, "world %s not found", id)
	}
	return w, nil
}

func (s *Server) createWorld(w http.ResponseWriter, r *http.Request) {
	var req generia.NewWorld
	if err := decode(r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	world, err := s.Generations.Create(r.Context(), userID(r), req, s.Providers)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, toWorldJSON(world))
}

func (s *Server) listWorlds(w http.ResponseWriter, r *http.Request) {
	page, err := pageOf(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	worlds, next, err := s.Store.ListWorlds(r.Context(), userID(r), page)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]worldJSON, len(worlds))
	for i, wd := range worlds {
		out[i] = toWorldJSON(wd)
	}
	writeJSON(w, http.StatusOK, map[string]any{"worlds": out, "next_cursor": next, "has_more": next != ""})
}

func (s *Server) getWorld(w http.ResponseWriter, r *http.Request) {
	world, st, err := s.worldStatus(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := toWorldJSON(world)
	sj := toStatusJSON(st, s.now())
	out.Generation = &sj
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getStatus(w http.ResponseWriter, r *http.Request) {
	_, st, err := s.worldStatus(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toStatusJSON(st, s.now()))
}

// worldStatus returns a world the requester may see, with its status
// record.
func (s *Server) worldStatus(r *http.Request) (generia.World, generia.GenerationStatus, error) {
	world, err := s.world(r)
	if err != nil {
		return world, generia.GenerationStatus{}, err
	}
	st, err := s.Store.GenerationStatus(r.Context(), world.ID)
	return world, st, err
}

// streamStatus sends the status record as server-sent events: one event per
// change, and the stream ends after the generation has ended.
func (s *Server) streamStatus(w http.ResponseWriter, r *http.Request) {
	world, err := s.world(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	poll := s.StatusPoll
	if poll <= 0 {
		poll = 250 * time.Millisecond
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	lastBeat := time.Now()
	var last []byte
	for {
		st, err := s.Store.GenerationStatus(r.Context(), world.ID)
		if err != nil {
			if r.Context().Err() == nil {
				s.Logger.Error("status stream", "world_id", world.ID, "error", err)
			}
			return
		}
		sj := toStatusJSON(st, s.now())
		sj.ElapsedSeconds, sj.UpdatedAt = 0, time.Time{} // change detection ignores the clock
		key, _ := json.Marshal(sj)
		if !bytes.Equal(key, last) {
			last = key
			data, _ := json.Marshal(toStatusJSON(st, s.now()))
			if _, err := fmt.Fprintf(w, "event: status\ndata: %s\n\n", data); err != nil {
				return
			}
			_ = rc.Flush()
			lastBeat = time.Now()
		}
		if generia.IsTerminal(st.Status) {
			return
		}
		if time.Since(lastBeat) > 15*time.Second {
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
			_ = rc.Flush()
			lastBeat = time.Now()
		}
		select {
		case <-r.Context().Done():
			return
		case <-ticker.C:
		}
	}
}

func (s *Server) cancelWorld(w http.ResponseWriter, r *http.Request) {
	world, err := s.world(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if world.OwnerID != userID(r) {
		s.writeError(w, r, generia.Errorf(generia.KindForbidden, "only the world's creator can cancel its generation"))
		return
	}
	if err := s.Generations.Cancel(r.Context(), world.ID); err != nil {
		if generia.IsKind(err, generia.KindStopped) {
			err = generia.Errorf(generia.KindConflict, "the generation has already ended")
		}
		s.writeError(w, r, err)
		return
	}
	st, err := s.Store.GenerationStatus(r.Context(), world.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, toStatusJSON(st, s.now()))
}

// pageOf reads limit and cursor query parameters. A limit above the maximum
// is lowered to it.
func pageOf(r *http.Request) (generia.Page, error) {
	p := generia.Page{Cursor: r.URL.Query().Get("cursor")}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			return p, generia.Errorf(generia.KindInvalid, "limit must be a whole number from 1 to %d", generia.MaxPageSize)
		}
		p.Limit = n
	}
	return p.Normalize(), nil
}
