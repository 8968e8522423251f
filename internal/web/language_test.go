package web

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/offline"
)

const germanIdea = "Ein Alpendorf, in dem jede Glocke den Namen einer Familie läutet"

// The offline writer writes English: the create form says so, and an idea
// in another language gets a notice on the form and on its world's page,
// which a connected model's worlds do not need.
func TestLanguageNotice(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.signedIn(f.bob)
	b.get("/worlds/new").want(http.StatusOK, "the built-in offline writer writes the world in English, a connected model (OpenRouter) in yours").
		lacks("Any language: the world is written in yours", "data-language-notice")
	b.get("/worlds/new?prompt="+url.QueryEscape(germanIdea)).want(http.StatusOK, "data-language-notice", "Your idea is not in English")
	b.get("/worlds/new?prompt=" + url.QueryEscape("An Alpine village where every bell rings a family's name")).
		want(http.StatusOK).lacks("data-language-notice")

	ctx := t.Context()
	for _, w := range []generia.World{
		{ID: "glocken", Providers: generia.Providers{LLM: generia.OfflineProvider, Image: generia.OfflineProvider}},
		{ID: "glocken-model", Providers: generia.Providers{LLM: "openrouter", Image: generia.OfflineProvider}},
	} {
		w.OwnerID, w.Prompt, w.CharactersCount, w.PostsCount, w.Visibility = f.ada.ID, germanIdea, 3, 10, generia.VisibilityPublic
		w.WorkflowID, w.CreatedAt, w.UpdatedAt = generia.WorldWorkflowID(w.ID), t0, t0
		f.ok(f.store.CreateWorld(ctx, w, generia.NewGenerationStatus(w, generia.NewPlan(3, 10))), "creating "+w.ID)
	}
	ada := f.signedIn(f.ada)
	ada.get("/worlds/glocken").want(http.StatusOK, "data-language-notice", "writes worlds in English")
	ada.get("/worlds/glocken-model").want(http.StatusOK).lacks("data-language-notice")
	ada.get("/worlds/tidewater").want(http.StatusOK).lacks("data-language-notice")

	f.social.Providers = generia.Providers{LLM: "openrouter", Image: "runware"}
	b.get("/worlds/new?prompt="+url.QueryEscape(germanIdea)).want(http.StatusOK, "Any language: the model writes the world in yours").
		lacks("data-language-notice", offline.LanguageNotice)
}
