package storetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/generia"
)

func testWorldRoundTrip(t *testing.T, s generia.Store) {
	w := generia.World{
		ID:              "w-full",
		OwnerID:         "u-mara",
		Name:            "Tidewell",
		Prompt:          "A harbour city on a tide that never ebbs",
		Description:     "A city that floats.",
		Params:          json.RawMessage(`{"name": "Tidewell", "conflicts": ["guild war"], "depth": 3}`),
		CharactersCount: 12,
		PostsCount:      48,
		HeaderMediaID:   "m-header",
		IconMediaID:     "m-icon",
		Visibility:      generia.VisibilityPrivate,
		Providers:       generia.Providers{LLM: "openrouter:google/gemini-2.5-flash", Image: "runware:flux"},
		WorkflowID:      generia.WorldWorkflowID("w-full"),
		CreatedAt:       t0,
		UpdatedAt:       at(time.Second),
	}
	st := generia.NewGenerationStatus(w, generia.NewPlan(12, 48))
	st.Status = generia.StatusInProgress
	st.CurrentStage = generia.StageWorldDescription
	st.Stages[0] = generia.Stage{Name: generia.StageInitializing, Status: generia.StageCompleted, StartedAt: ptr(t0), FinishedAt: ptr(at(time.Millisecond))}
	st.Stages[1] = generia.Stage{Name: generia.StageWorldDescription, Status: generia.StageInProgress, StartedAt: ptr(at(time.Millisecond))}
	st.CallsLLM, st.CallsImages = 3, 1
	st.TokensIn, st.TokensOut = 1200, 3400
	st.LLMCostUSD, st.ImageCostUSD = 0.015625, 0.25
	st.BudgetUSD = 2.5
	st.CreatedAt, st.UpdatedAt = t0, at(2*time.Second)
	st.StartedAt = ptr(t0)
	ok(t, s.CreateWorld(t.Context(), w, st), "CreateWorld")

	got, err := s.World(t.Context(), w.ID)
	ok(t, err, "World")
	w.Status = st.Status // the world reads its status from the status record
	same(t, "world", got, w)
	same(t, "status", status(t, s, w.ID), st)
}

func testCreateWorldIdempotent(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	advanced, err := s.AdvanceGeneration(t.Context(), w.ID, []generia.StageChange{{Stage: generia.StageInitializing, Status: generia.StageInProgress}}, at(time.Second))
	ok(t, err, "AdvanceGeneration")

	again := w
	again.Name = "Another name"
	ok(t, s.CreateWorld(t.Context(), again, generia.NewGenerationStatus(again, generia.NewPlan(1, 1))), "CreateWorld again")
	got, err := s.World(t.Context(), w.ID)
	ok(t, err, "World")
	w.Status = advanced.Status
	same(t, "world", got, w)
	same(t, "status", status(t, s, w.ID), advanced)
	n, err := s.CountWorlds(t.Context())
	ok(t, err, "CountWorlds")
	if n != 1 {
		t.Errorf("CountWorlds = %d, want 1", n)
	}
}

func testWorldNotFound(t *testing.T, s generia.Store) {
	_, err := s.World(t.Context(), "w-nowhere")
	wantKind(t, err, generia.KindNotFound, "World")
	err = s.SetWorldDescription(t.Context(), "w-nowhere", "Name", "Description", json.RawMessage(`{}`))
	wantKind(t, err, generia.KindNotFound, "SetWorldDescription")
	err = s.SetWorldImages(t.Context(), "w-nowhere", "m-1", "m-2")
	wantKind(t, err, generia.KindNotFound, "SetWorldImages")
	_, err = s.CountContent(t.Context(), "w-nowhere")
	wantKind(t, err, generia.KindNotFound, "CountContent")
}

func testCountWorlds(t *testing.T, s generia.Store) {
	n, err := s.CountWorlds(t.Context())
	ok(t, err, "CountWorlds")
	if n != 0 {
		t.Errorf("CountWorlds of an empty store = %d, want 0", n)
	}
	newWorld(t, s, "w1")
	newWorld(t, s, "w2", func(w *generia.World, _ *generia.GenerationStatus) { w.Visibility = generia.VisibilityPrivate })
	newWorld(t, s, "w3")
	n, err = s.CountWorlds(t.Context())
	ok(t, err, "CountWorlds")
	if n != 3 {
		t.Errorf("CountWorlds = %d, want 3", n)
	}
}

func testSetWorldDescription(t *testing.T, s generia.Store) {
	cases := []struct {
		name, given, want string
	}{
		{"unnamed world takes the generated name", "", "Tidewell"},
		{"named world keeps its name", "My harbour", "My harbour"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := newWorld(t, s, fmt.Sprintf("w%d", i), func(w *generia.World, _ *generia.GenerationStatus) { w.Name = tc.given })
			params := json.RawMessage(`{"name": "Tidewell", "theme": "endless tide"}`)
			ok(t, s.SetWorldDescription(t.Context(), w.ID, "Tidewell", "A city that floats.", params), "SetWorldDescription")
			got, err := s.World(t.Context(), w.ID)
			ok(t, err, "World")
			want := w
			want.Name, want.Description, want.Params = tc.want, "A city that floats.", params
			want.UpdatedAt = got.UpdatedAt
			same(t, "world", got, want)
			if got.UpdatedAt.Before(w.UpdatedAt) {
				t.Errorf("UpdatedAt went back from %v to %v", w.UpdatedAt, got.UpdatedAt)
			}
		})
	}
}

func testSetWorldImages(t *testing.T, s generia.Store) {
	w, _ := newWorld(t, s, "w1")
	ok(t, s.SetWorldImages(t.Context(), w.ID, "m-header", "m-icon"), "SetWorldImages")
	got, err := s.World(t.Context(), w.ID)
	ok(t, err, "World")
	if got.HeaderMediaID != "m-header" || got.IconMediaID != "m-icon" {
		t.Errorf("header, icon = %q, %q; want m-header, m-icon", got.HeaderMediaID, got.IconMediaID)
	}
}

func testListWorldsVisibility(t *testing.T, s generia.Store) {
	newOwnedWorlds(t, s, "alice", "bob")
	cases := []struct {
		viewer string
		want   []string
	}{
		{"", []string{"w-bob-public", "w-alice-public"}},
		{"alice", []string{"w-bob-public", "w-alice-private", "w-alice-public"}},
		{"bob", []string{"w-bob-private", "w-bob-public", "w-alice-public"}},
		{"carol", []string{"w-bob-public", "w-alice-public"}},
	}
	for _, tc := range cases {
		t.Run("viewer "+tc.viewer, func(t *testing.T) {
			got, next, err := s.ListWorlds(t.Context(), generia.WorldFilter{ViewerID: tc.viewer}, generia.Page{})
			ok(t, err, "ListWorlds")
			if g := ids(got, worldID); !slices.Equal(g, tc.want) {
				t.Errorf("worlds = %v, want %v", g, tc.want)
			}
			if next != "" {
				t.Errorf("next cursor = %q on the only page, want none", next)
			}
		})
	}
}

func testListWorldsPaging(t *testing.T, s generia.Store) {
	cases := []struct {
		worlds, limit int
		sizes         []int
	}{
		{7, 3, []int{3, 3, 1}},
		{6, 3, []int{3, 3}},
		{2, 5, []int{2}},
		{0, 5, []int{0}},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%d worlds by %d", tc.worlds, tc.limit), func(t *testing.T) {
			owner := fmt.Sprintf("owner-%d", i)
			var want []string
			for j := range tc.worlds {
				id := fmt.Sprintf("w%d-%d", i, j)
				newWorld(t, s, id, func(w *generia.World, _ *generia.GenerationStatus) {
					// Pairs share a timestamp: the ID breaks the tie.
					w.OwnerID, w.Visibility = owner, generia.VisibilityPrivate
					w.CreatedAt = at(time.Duration(j/2) * time.Second)
				})
				want = append(want, id)
			}
			slices.SortFunc(want, func(a, b string) int {
				// Newest first, then by ID descending: the IDs sort like
				// their index here.
				return strings.Compare(b, a)
			})
			got, sizes := allPages(t, tc.limit, func(p generia.Page) ([]generia.World, string, error) {
				return s.ListWorlds(t.Context(), generia.WorldFilter{ViewerID: owner}, p)
			})
			if g := ids(got, worldID); !slices.Equal(g, want) {
				t.Errorf("worlds = %v, want %v", g, want)
			}
			if !slices.Equal(sizes, tc.sizes) {
				t.Errorf("page sizes = %v, want %v", sizes, tc.sizes)
			}
		})
	}
}

func testListWorldsBadCursor(t *testing.T, s generia.Store) {
	newWorld(t, s, "w1")
	for _, c := range []string{"not a cursor", "eyJ4IjoxfQ", "%%%"} {
		_, _, err := s.ListWorlds(t.Context(), generia.WorldFilter{}, generia.Page{Cursor: c})
		wantKind(t, err, generia.KindInvalid, fmt.Sprintf("ListWorlds with cursor %q", c))
	}
}
