package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline/timeleft"
	"github.com/generia/generia/internal/social"
)

// stageLabels name the pipeline's stages for people.
var stageLabels = map[string]string{
	generia.StageInitializing:     "Getting ready",
	generia.StageWorldDescription: "Writing the world",
	generia.StageWorldImages:      "Painting the header and icon",
	generia.StageCharacters:       "Inventing the characters",
	generia.StagePosts:            "Writing their posts",
	generia.StageFinishing:        "Finishing touches",
}

// stageStates name a stage's status for people.
var stageStates = map[string]string{
	generia.StagePending:    "waiting",
	generia.StageInProgress: "working…",
	generia.StageCompleted:  "done",
	generia.StageFailed:     "failed",
	generia.StageCancelled:  "cancelled",
}

// statusLabels name a generation's status for people.
var statusLabels = map[string]string{
	generia.StatusPending:    "Queued",
	generia.StatusInProgress: "Generating",
	generia.StatusCompleted:  "Complete",
	generia.StatusFailed:     "Failed",
	generia.StatusCancelled:  "Cancelled",
}

type stageView struct {
	Name, Label, Status, State string
}

// progressView is the live-progress panel: rendered by the server with the
// state at load time, then updated by the script from the status stream.
type progressView struct {
	WorldID     string
	Status      string
	StatusLabel string
	Stages      []stageView
	Percent     int

	CharactersCreated, CharactersPredicted int
	PostsCreated, PostsPredicted           int
	ImagesCreated, ImagesPredicted         int
	CallsLLM, CallsImages                  int
	// CallsFailed are the calls that failed or were answered unusably, made
	// again: why a generation takes longer than its time left said.
	CallsFailed int

	Cost    string
	Elapsed string
	ETA     string
	Error   string
	// RetryURL opens the create page filled in as this world was asked for.
	RetryURL string
	// CanCancel shows the cancel button (the owner, while it runs).
	CanCancel bool
	CSRF      string
	// Placeholder is the panel of the create page before a world exists.
	Placeholder bool
}

// newProgress builds the panel of a world's status record.
func newProgress(w generia.World, st generia.GenerationStatus, isOwner bool, csrf string, now time.Time) progressView {
	p := progressView{
		WorldID: w.ID, Status: st.Status, StatusLabel: statusLabels[st.Status], Percent: st.Percent(),
		CharactersCreated: st.CharactersCreated, CharactersPredicted: st.CharactersPredicted,
		PostsCreated: st.PostsCreated, PostsPredicted: st.PostsPredicted,
		ImagesCreated: st.ImagesCreated, ImagesPredicted: st.ImagesPredicted,
		CallsLLM: st.CallsLLM, CallsImages: st.CallsImages, CallsFailed: st.LLMCallsFailed + st.ImageCallsFailed,
		Cost: cost(st), Error: st.Error, RetryURL: retryURL(w),
		CanCancel: isOwner && !generia.IsTerminal(st.Status) && !st.CancelRequested, CSRF: csrf,
	}
	byName := map[string]string{}
	for _, s := range st.Stages {
		byName[s.Name] = s.Status
	}
	for _, name := range generia.Stages {
		status := byName[name]
		if status == "" {
			status = generia.StagePending
		}
		p.Stages = append(p.Stages, stageView{Name: name, Label: stageLabels[name], Status: status, State: stageStates[status]})
	}
	p.Elapsed, p.ETA = "—", "—"
	if st.StartedAt != nil {
		end := now
		if st.FinishedAt != nil {
			end = *st.FinishedAt
		}
		elapsed := end.Sub(*st.StartedAt)
		p.Elapsed = duration(elapsed)
		if left, ok := timeleft.TimeLeft(st, nil, now); ok {
			p.ETA = "about " + duration(left)
		}
	}
	return p
}

// placeholderProgress is the create page's panel before the world exists:
// every stage waiting.
func placeholderProgress(csrf string) progressView {
	p := progressView{Status: generia.StatusPending, StatusLabel: "Starting…", Placeholder: true, CSRF: csrf,
		Cost: "—", Elapsed: "—", ETA: "—", CanCancel: true}
	for _, name := range generia.Stages {
		p.Stages = append(p.Stages, stageView{Name: name, Label: stageLabels[name], Status: generia.StagePending, State: stageStates[generia.StagePending]})
	}
	return p
}

// cost is what a generation has cost so far; free with offline providers.
func cost(st generia.GenerationStatus) string {
	total := st.LLMCostUSD + st.ImageCostUSD
	if total == 0 && st.Providers.Free() {
		return "free (offline)"
	}
	return fmt.Sprintf("$%.3f", total)
}

// retryURL is the create page filled in with what a world was asked for.
func retryURL(w generia.World) string {
	q := url.Values{
		"prompt":     {w.Prompt},
		"characters": {strconv.Itoa(w.CharactersCount)},
		"posts":      {strconv.Itoa(w.PostsCount)},
		"visibility": {w.Visibility},
	}
	return "/worlds/new?" + q.Encode()
}

// estimate is the create page's forecast of a world's provider calls.
type estimate struct {
	LLM, Images int
	// PerCharacter is how many posts each character gets, at most.
	PerCharacter int
}

// costView is the create page's forecast of a world's cost.
type costView struct {
	Free bool
	// Known says every paid provider has recent prices to estimate from;
	// USD is then the forecast of the form's world.
	Known bool
	USD   float64
	// LLMAverage and ImageAverage are the prices per call the script
	// multiplies as the sliders move.
	LLMAverage, ImageAverage float64
	Providers                string // "openrouter and runware"
	Basis                    string // what the averages come from
	BudgetUSD                float64
}

// costView forecasts the cost of e's calls with the providers new worlds use.
// When the prices cannot be read, the page still shows, without a figure.
func (h *Handler) costView(ctx context.Context, e estimate) costView {
	est, err := h.social.EstimateCost(ctx)
	if err != nil {
		h.log.Warn("reading the recent prices of providers", "error", err)
		est = social.CostEstimate{Providers: h.social.Providers}
	}
	cv := costView{Free: est.Free(), Known: est.Known(), USD: est.USD(e.LLM, e.Images),
		LLMAverage: est.LLM.AverageUSD, ImageAverage: est.Image.AverageUSD, BudgetUSD: h.budget}
	var paid, basis []string
	for _, p := range []struct {
		name, what string
		c          generia.CallCost
	}{{est.Providers.LLM, "LLM call", est.LLM}, {est.Providers.Image, "image", est.Image}} {
		if p.name == generia.OfflineProvider {
			continue
		}
		if !slices.Contains(paid, p.name) {
			paid = append(paid, p.name)
		}
		if p.c.Calls == 0 {
			basis = append(basis, "no paid "+p.what+" yet")
		} else {
			basis = append(basis, fmt.Sprintf("%s per %s over the last %d", usd(p.c.AverageUSD), p.what, p.c.Calls))
		}
	}
	cv.Providers, cv.Basis = strings.Join(paid, " and "), strings.Join(basis, ", ")
	return cv
}

// usd formats an amount of dollars, with more digits for small ones.
func usd(v float64) string {
	if v > 0 && v < 0.01 {
		return fmt.Sprintf("$%.4f", v)
	}
	return fmt.Sprintf("$%.2f", v)
}

// estimateCalls forecasts the calls of a world of c characters and p
// posts, as the pipeline plans it; the script computes the same formula.
func estimateCalls(c, p int) estimate {
	plan := generia.NewPlan(c, p)
	llm, images := generia.ExpectedCalls(plan)
	e := estimate{LLM: llm, Images: images}
	if len(plan.Posts) > 0 {
		e.PerCharacter = plan.Posts[0]
	}
	return e
}
