package fakeprovider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

type wireModeration struct {
	ID      string `json:"id"`
	Model   string `json:"model"`
	Results []struct {
		Flagged    bool                `json:"flagged"`
		Categories map[string]bool     `json:"categories"`
		Scores     map[string]float64  `json:"category_scores"`
		Applied    map[string][]string `json:"category_applied_input_types"`
	} `json:"results"`
}

func moderate(t *testing.T, url string, input any) (answer, wireModeration) {
	t.Helper()
	a := mustPost(t, url+"/v1/moderations", map[string]any{"model": "omni-moderation-latest", "input": input}, map[string]string{"Authorization": "Bearer k"})
	var m wireModeration
	if a.status == http.StatusOK {
		if err := json.Unmarshal(a.body, &m); err != nil {
			t.Fatalf("answer %s: %v", a.body, err)
		}
	}
	return a, m
}

func TestModerationsAnswersEveryCategory(t *testing.T) {
	srv := httptest.NewServer(NewModerations(ModerationsOptions{APIKey: "k"}))
	defer srv.Close()

	a, m := moderate(t, srv.URL, "a calm text")
	if a.status != http.StatusOK || len(m.Results) != 1 || !strings.HasPrefix(m.ID, "modr-") {
		t.Fatalf("status %d, %s", a.status, a.body)
	}
	r := m.Results[0]
	if r.Flagged || len(r.Categories) != 13 || len(r.Scores) != 13 || len(r.Applied) != 13 {
		t.Errorf("a calm text: %+v", r)
	}
	for _, c := range ModerationCategories {
		if _, ok := r.Categories[c]; !ok {
			t.Errorf("category %q missing", c)
		}
	}

	_, m = moderate(t, srv.URL, "I hate them "+strings.ToUpper(MarkerHate))
	if r := m.Results[0]; !r.Flagged || !r.Categories["hate"] || r.Categories["sexual"] || r.Scores["hate"] < 0.5 {
		t.Errorf("hate marker: %+v", r)
	}
}

func TestModerationsStringArrayIsOneResultEach(t *testing.T) {
	srv := httptest.NewServer(NewModerations(ModerationsOptions{}))
	defer srv.Close()
	_, m := moderate(t, srv.URL, []string{"fine", MarkerViolence, "fine too"})
	if len(m.Results) != 3 || m.Results[0].Flagged || !m.Results[1].Categories["violence"] || m.Results[2].Flagged {
		t.Errorf("three texts: %+v", m.Results)
	}
}

func TestModerationsImages(t *testing.T) {
	srv := httptest.NewServer(NewModerations(ModerationsOptions{MaxImage: 1000}))
	defer srv.Close()
	img := func(data string) map[string]any {
		return map[string]any{"type": "image_url", "image_url": map[string]any{"url": "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte(data))}}
	}

	_, m := moderate(t, srv.URL, []any{img("\x89PNG a picture")})
	r := m.Results[0]
	if r.Flagged || r.Scores["hate"] != 0 || len(r.Applied["hate"]) != 0 || r.Applied["sexual"][0] != "image" {
		t.Errorf("a clean image alone: %+v", r)
	}
	_, m = moderate(t, srv.URL, []any{img("\x89PNG " + MarkerSexual)})
	if r := m.Results[0]; !r.Flagged || !r.Categories["sexual"] {
		t.Errorf("a marked image: %+v", r)
	}
	// A hate marker in an image alone: hate is text only, so not hate.
	_, m = moderate(t, srv.URL, []any{img(MarkerHate)})
	if r := m.Results[0]; r.Categories["hate"] {
		t.Errorf("text-only category flagged on an image alone: %+v", r)
	}

	a, _ := moderate(t, srv.URL, []any{img("one"), img("two")})
	want := `{"error":{"message":"Number of images (2) exceeds maximum of 1","type":"invalid_request_error","param":"input","code":"too_many_images"}}`
	if a.status != http.StatusBadRequest || string(a.body) != want {
		t.Errorf("two images: %d %s", a.status, a.body)
	}
	a, _ = moderate(t, srv.URL, []any{img(strings.Repeat("x", 2000))})
	if a.status != http.StatusBadRequest || !strings.Contains(string(a.body), "image_too_large") {
		t.Errorf("a large image: %d %s", a.status, a.body)
	}
}

func TestModerationsBadDays(t *testing.T) {
	faults := NewFaults(1).Script(Fault429, Fault502, FaultWrongLength, FaultWrongLength, FaultStall)
	srv := httptest.NewServer(NewModerations(ModerationsOptions{Faults: faults}))
	defer srv.Close()

	a, _ := moderate(t, srv.URL, "x")
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") != "1" || !strings.Contains(string(a.body), "<html>") {
		t.Errorf("429: %d %v %s", a.status, a.header, a.body)
	}
	if a, _ = moderate(t, srv.URL, "x"); a.status != http.StatusBadGateway || !strings.Contains(string(a.body), "<html>") {
		t.Errorf("502: %d %s", a.status, a.body)
	}
	if _, m := moderate(t, srv.URL, "x"); len(m.Results) == 1 {
		t.Errorf("wrong length answered one result")
	}
	if _, m := moderate(t, srv.URL, []string{"x", "y"}); len(m.Results) == 2 {
		t.Errorf("wrong length answered two results for two")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, err := post(t, ctx, srv.URL+"/v1/moderations", map[string]any{"input": "x"}, nil); err == nil {
		t.Error("a stalled request was answered")
	}
}

func TestGuardModelAnswersByMarkers(t *testing.T) {
	faults := NewFaults(1)
	srv := httptest.NewServer(NewOpenRouter(OpenRouterOptions{Faults: faults}))
	defer srv.Close()
	ask := func(messages ...string) string {
		t.Helper()
		var msgs []any
		for i, m := range messages {
			role := "user"
			if i%2 == 1 {
				role = "assistant"
			}
			msgs = append(msgs, map[string]any{"role": role, "content": m})
		}
		a := mustPost(t, srv.URL+"/api/v1/chat/completions", map[string]any{"model": "meta-llama/llama-guard-4-12b", "messages": msgs, "temperature": 0, "max_tokens": 10}, nil)
		var c wireCompletion
		if err := json.Unmarshal(a.body, &c); err != nil || len(c.Choices) != 1 {
			t.Fatalf("%d %s", a.status, a.body)
		}
		return c.Choices[0].Message.Content
	}
	for _, tt := range []struct {
		messages []string
		want     string
	}{
		{[]string{"hello"}, "safe"},
		{[]string{"they are " + MarkerHate}, "unsafe\nS10"},
		{[]string{MarkerViolence + " and " + MarkerHate}, "unsafe\nS1,S10"},
		// The last message is judged: a calm reply to a hateful comment is safe.
		{[]string{MarkerHate, "let us talk about the weather"}, "safe"},
		{[]string{"what do you think?", MarkerSelfHarm}, "unsafe\nS11"},
	} {
		if got := ask(tt.messages...); got != tt.want {
			t.Errorf("%q: answered %q, want %q", tt.messages, got, tt.want)
		}
	}
	faults.Script(FaultGuardCase, FaultGuardProse, FaultGuardBlankLines, FaultEmpty)
	for _, want := range []string{"Unsafe\nS10", "I think this is fine", "\n\nunsafe\nS2", ""} {
		if got := ask("hello"); got != want {
			t.Errorf("bad day: answered %q, want %q", got, want)
		}
	}
}
