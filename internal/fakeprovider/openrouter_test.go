package fakeprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/jsonschema-go/jsonschema"

	"github.com/generia/generia/internal/content"
)

const testModel = "google/gemini-2.5-flash-lite"

// chatBody builds a request like Generia's client sends: a system and a
// user message and a strict json_schema response format.
func chatBody(prompt, schemaName string, schema map[string]any) map[string]any {
	return map[string]any{
		"model": testModel,
		"messages": []any{
			map[string]any{"role": "system", "content": "Answer with exactly one JSON object that matches the given JSON schema, and nothing else."},
			map[string]any{"role": "user", "content": prompt},
		},
		"response_format": map[string]any{
			"type":        "json_schema",
			"json_schema": map[string]any{"name": schemaName, "strict": true, "schema": schema},
		},
		"temperature": 0.8,
		"max_tokens":  4096,
		"provider":    map[string]any{"require_parameters": true},
	}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

// post sends body (JSON-encoded unless it is already bytes) to path.
func post(t *testing.T, ctx context.Context, url string, body any, header map[string]string) (answer, error) {
	t.Helper()
	raw, ok := body.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, b}, nil
}

func mustPost(t *testing.T, url string, body any, header map[string]string) answer {
	t.Helper()
	a, err := post(t, context.Background(), url, body, header)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// wireCompletion is the success body as a client reads it.
type wireCompletion struct {
	ID       string  `json:"id"`
	Object   string  `json:"object"`
	Created  int64   `json:"created"`
	Model    string  `json:"model"`
	Provider string  `json:"provider"`
	Error    *wireOE `json:"error"`
	Choices  []struct {
		Index        int    `json:"index"`
		FinishReason string `json:"finish_reason"`
		Message      struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"message"`
		Error *wireOE `json:"error"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int64    `json:"prompt_tokens"`
		CompletionTokens int64    `json:"completion_tokens"`
		TotalTokens      int64    `json:"total_tokens"`
		Cost             *float64 `json:"cost"`
	} `json:"usage"`
}

type wireOE struct {
	Code     int            `json:"code"`
	Message  string         `json:"message"`
	Metadata map[string]any `json:"metadata"`
}

func decodeCompletion(t *testing.T, a answer) wireCompletion {
	t.Helper()
	var c wireCompletion
	if err := json.Unmarshal(a.body, &c); err != nil {
		t.Fatalf("body is not a completion: %v\n%s", err, a.body)
	}
	return c
}

func decodeError(t *testing.T, a answer) wireOE {
	t.Helper()
	var e struct {
		Error *wireOE `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error == nil {
		t.Fatalf("body is not an error envelope (%v): %s", err, a.body)
	}
	return *e.Error
}

// validate checks doc against schema with an independent validator.
func validate(t *testing.T, schema map[string]any, doc string) {
	t.Helper()
	raw, err := json.Marshal(schema)
	if err != nil {
		t.Fatal(err)
	}
	var s jsonschema.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatal(err)
	}
	resolved, err := s.Resolve(nil)
	if err != nil {
		t.Fatal(err)
	}
	var instance any
	if err := json.Unmarshal([]byte(doc), &instance); err != nil {
		t.Fatalf("content is not JSON: %v\n%s", err, doc)
	}
	if err := resolved.Validate(instance); err != nil {
		t.Fatalf("content does not match its schema: %v\n%s", err, doc)
	}
}

var (
	sampleWorld = content.WorldDescription{
		Name: "Tidewell", Language: "English", DescriptionShort: "A harbour city on a tide that never ebbs.",
		Description: "Lanterns float over flooded streets.", Theme: "endless tide", TechnologyLevel: "steam and sails",
		SocialStructure: "guilds of boatmen", Culture: "salt festivals", Geography: "islands and canals",
		VisualStyle: "watercolour", History: "the great flood",
		Conflicts: []string{"guild war"}, CommonActivities: []string{"fishing"}, TypicalStories: []string{"rescue"},
	}
	sampleMember    = content.CastMember{Name: "Mara Quell", Concept: "Mends nets.", Role: "net mender", Traits: []string{"stubborn"}, Interests: []string{"knots"}}
	sampleCharacter = content.CharacterDetail{Username: "mara_q", DisplayName: "Mara Quell", Bio: "Net mender.",
		Interests: []string{"knots"}, Topics: []string{"nets"}}
)

func castPrompt(t *testing.T, count int) string {
	t.Helper()
	p, err := content.CastStep.Prompt(content.CastInput{World: sampleWorld, Batch: 0, Batches: 1, First: 0, Count: count, Total: count})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func postPlanPrompt(t *testing.T, count int) string {
	t.Helper()
	p, err := content.PostPlanStep.Prompt(content.PostPlanInput{World: sampleWorld, Character: sampleCharacter, Batch: 1, Batches: 2, First: 4, Count: count, Total: 4 + count})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// stepCase is one of the pipeline's steps with a rendered prompt.
type stepCase struct {
	name   string
	prompt string
	schema map[string]any
	decode func([]byte) error
}

func stepCases(t *testing.T) []stepCase {
	t.Helper()
	must := func(s string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ignore := func(_ any, err error) error { return err }
	return []stepCase{
		{content.WorldStep.Name, must(content.WorldStep.Prompt(content.WorldInput{Prompt: "A city of endless tide", Name: "Tidewell"})),
			content.WorldStep.Schema(), func(b []byte) error { return ignore(content.WorldStep.Decode(b)) }},
		{content.WorldImagesStep.Name, must(content.WorldImagesStep.Prompt(content.WorldImagesInput{World: sampleWorld})),
			content.WorldImagesStep.Schema(), func(b []byte) error { return ignore(content.WorldImagesStep.Decode(b)) }},
		{content.CastStep.Name, castPrompt(t, 3),
			content.CastStep.Schema(), func(b []byte) error { return ignore(content.CastStep.Decode(b)) }},
		{content.CharacterStep.Name, must(content.CharacterStep.Prompt(content.CharacterInput{World: sampleWorld, Position: 0, Member: sampleMember, Cast: []content.CastMember{sampleMember}})),
			content.CharacterStep.Schema(), func(b []byte) error { return ignore(content.CharacterStep.Decode(b)) }},
		{content.PostPlanStep.Name, postPlanPrompt(t, 4),
			content.PostPlanStep.Schema(), func(b []byte) error { return ignore(content.PostPlanStep.Decode(b)) }},
		{content.PostStep.Name, must(content.PostStep.Prompt(content.PostInput{World: sampleWorld, Character: sampleCharacter, Concept: content.PostConcept{Topic: "storm"}, Number: 0, Total: 3,
			Others: []content.Handle{{Username: "ilo", DisplayName: "Ilo Venn"}}})),
			content.PostStep.Schema(), func(b []byte) error { return ignore(content.PostStep.Decode(b)) }},
	}
}

func TestOpenRouterRejectsInvalidRequests(t *testing.T) {
	schema := content.PostStep.Schema()
	withFormat := func(rf any) map[string]any {
		b := chatBody("hello", "x", schema)
		b["response_format"] = rf
		return b
	}
	with := func(key string, v any) map[string]any {
		b := chatBody("hello", "post_detail", schema)
		if v == nil {
			delete(b, key)
		} else {
			b[key] = v
		}
		return b
	}
	loose := map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}}}
	cases := []struct {
		name string
		body any
		want string // in the message
	}{
		{"not JSON", []byte("{model: x"), "Invalid JSON"},
		{"an array", []byte(`[1]`), "Invalid JSON"},
		{"no messages", with("messages", nil), "messages"},
		{"empty messages", with("messages", []any{}), "messages"},
		{"no model", with("model", nil), "model"},
		{"models instead of model", func() any { b := with("model", nil); b["models"] = []string{}; return b }(), "model"},
		{"role missing", with("messages", []any{map[string]any{"content": "hi"}}), "role"},
		{"unknown role", with("messages", []any{map[string]any{"role": "bot", "content": "hi"}}), "role"},
		{"content a number", with("messages", []any{map[string]any{"role": "user", "content": 42}}), "content"},
		{"content missing", with("messages", []any{map[string]any{"role": "user"}}), "content"},
		{"temperature too high", with("temperature", 2.5), "temperature"},
		{"max_tokens zero", with("max_tokens", 0), "max_tokens"},
		{"stream", with("stream", true), "stream"},
		{"unknown format type", withFormat(map[string]any{"type": "yaml"}), "response_format.type"},
		{"json_schema missing", withFormat(map[string]any{"type": "json_schema"}), "json_schema"},
		{"name missing", withFormat(map[string]any{"type": "json_schema", "json_schema": map[string]any{"schema": schema}}), "name"},
		{"name with a space", withFormat(map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "post detail", "schema": schema}}), "name"},
		{"name too long", withFormat(map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": strings.Repeat("a", 65), "schema": schema}}), "name"},
		{"schema missing", withFormat(map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "x"}}), "schema"},
		{"schema not an object", withFormat(map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "x", "schema": "object"}}), "schema"},
		{"schema invalid", withFormat(map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "x", "schema": map[string]any{"$ref": "#/$defs/missing"}}}), "Invalid schema"},
		{"strict schema without additionalProperties false", withFormat(map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "x", "strict": true, "schema": loose}}), "additionalProperties"},
	}
	faults := NewFaults(1).Script(Fault500)
	fake := NewOpenRouter(OpenRouterOptions{Faults: faults})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := mustPost(t, srv.URL+"/api/v1/chat/completions", c.body, nil)
			if a.status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400: %s", a.status, a.body)
			}
			e := decodeError(t, a)
			if e.Code != 400 || e.Metadata["error_type"] != "invalid_request" || !strings.Contains(e.Message, c.want) {
				t.Errorf("error = %+v, want code 400, error_type invalid_request and a message about %q", e, c.want)
			}
		})
	}
	// Invalid requests do not use up the scripted faults.
	if got := faults.Pending(); got != 1 {
		t.Errorf("pending faults = %d, want 1", got)
	}
	if fake.Answered() != 0 {
		t.Errorf("answered = %d, want 0", fake.Answered())
	}
}

func TestOpenRouterAcceptsLooseSchemasWhenNotStrict(t *testing.T) {
	srv := httptest.NewServer(NewOpenRouter(OpenRouterOptions{}))
	defer srv.Close()
	schema := map[string]any{"type": "object", "properties": map[string]any{"a": map[string]any{"type": "string"}}}
	body := chatBody("hello", "loose", schema)
	body["response_format"].(map[string]any)["json_schema"].(map[string]any)["strict"] = false
	body["messages"] = []any{map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "Name a harbour."}}}}
	a := mustPost(t, srv.URL+"/api/v1/chat/completions", body, nil)
	if a.status != http.StatusOK {
		t.Fatalf("status = %d: %s", a.status, a.body)
	}
	validate(t, schema, decodeCompletion(t, a).Choices[0].Message.Content)
}

var usernameRe = regexp.MustCompile(`^[a-z0-9_]{3,24}$`)

// walk calls fn for every string of doc with the name of its property.
func walk(doc any, name string, fn func(name, s string)) {
	switch v := doc.(type) {
	case map[string]any:
		for k, e := range v {
			walk(e, k, fn)
		}
	case []any:
		for _, e := range v {
			walk(e, name, fn)
		}
	case string:
		fn(name, v)
	}
}

func TestOpenRouterAnswersEveryStepWithValidJSON(t *testing.T) {
	fake := NewOpenRouter(OpenRouterOptions{})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	for _, c := range stepCases(t) {
		t.Run(c.name, func(t *testing.T) {
			a := mustPost(t, srv.URL+"/api/v1/chat/completions", chatBody(c.prompt, c.name, c.schema), nil)
			if a.status != http.StatusOK {
				t.Fatalf("status = %d: %s", a.status, a.body)
			}
			if ct := a.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type = %q", ct)
			}
			comp := decodeCompletion(t, a)
			if !strings.HasPrefix(comp.ID, "gen-") || a.header.Get("X-Generation-Id") != comp.ID {
				t.Errorf("id = %q, X-Generation-Id = %q; want the same gen-… id", comp.ID, a.header.Get("X-Generation-Id"))
			}
			if comp.Object != "chat.completion" || comp.Model != testModel || comp.Provider != "Google" || comp.Created == 0 {
				t.Errorf("object %q, model %q, provider %q, created %d", comp.Object, comp.Model, comp.Provider, comp.Created)
			}
			if len(comp.Choices) != 1 || comp.Choices[0].FinishReason != "stop" || comp.Choices[0].Message.Role != "assistant" || comp.Choices[0].Error != nil {
				t.Fatalf("choices = %+v", comp.Choices)
			}
			u := comp.Usage
			if u.PromptTokens <= 0 || u.CompletionTokens <= 0 || u.TotalTokens != u.PromptTokens+u.CompletionTokens {
				t.Errorf("usage = %+v", u)
			}
			wantCost := float64(u.PromptTokens)*DefaultPromptPricePerToken + float64(u.CompletionTokens)*DefaultCompletionPricePerToken
			if u.Cost == nil || math.Abs(*u.Cost-wantCost) > 1e-12 || *u.Cost <= 0 {
				t.Errorf("cost = %v, want %g", u.Cost, wantCost)
			}
			doc := comp.Choices[0].Message.Content
			validate(t, c.schema, doc)
			if err := c.decode([]byte(doc)); err != nil {
				t.Errorf("the step rejects the answer: %v", err)
			}
			var instance any
			_ = json.Unmarshal([]byte(doc), &instance)
			walk(instance, "", func(name, s string) {
				switch {
				case strings.TrimSpace(s) == "":
					t.Errorf("%s is empty", name)
				case name == "hashtags" && (strings.ContainsAny(s, "# ") || s == ""):
					t.Errorf("hashtag %q is not a single word without #", s)
				case name == "username" && !usernameRe.MatchString(s):
					t.Errorf("username %q is not a handle", s)
				}
			})
		})
	}
	if got := fake.Answered(); got != 6 {
		t.Errorf("answered = %d, want 6", got)
	}
}

func TestOpenRouterGivesExactlyTheNumberAskedFor(t *testing.T) {
	srv := httptest.NewServer(NewOpenRouter(OpenRouterOptions{}))
	defer srv.Close()
	cases := []struct {
		name   string
		prompt string
		schema map[string]any
		list   string
		want   int
	}{
		{"cast of 1", castPrompt(t, 1), content.CastStep.Schema(), "characters", 1},
		{"cast of 5", castPrompt(t, 5), content.CastStep.Schema(), "characters", 5},
		{"cast of 9", castPrompt(t, 9), content.CastStep.Schema(), "characters", 9},
		{"post plan of 3", postPlanPrompt(t, 3), content.PostPlanStep.Schema(), "posts", 3},
		{"post plan of 12", postPlanPrompt(t, 12), content.PostPlanStep.Schema(), "posts", 12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(c.prompt, "exactly "+strconv.Itoa(c.want)) {
				t.Fatalf("the prompt does not ask for exactly %d:\n%s", c.want, c.prompt)
			}
			a := mustPost(t, srv.URL+"/api/v1/chat/completions", chatBody(c.prompt, "plan", c.schema), nil)
			doc := decodeCompletion(t, a).Choices[0].Message.Content
			validate(t, c.schema, doc)
			var m map[string]any
			if err := json.Unmarshal([]byte(doc), &m); err != nil {
				t.Fatal(err)
			}
			if items, _ := m[c.list].([]any); len(items) != c.want {
				t.Errorf("%s has %d items, want %d:\n%s", c.list, len(items), c.want, doc)
			}
		})
	}
}

func TestOpenRouterIsDeterministicPerRequest(t *testing.T) {
	srv := httptest.NewServer(NewOpenRouter(OpenRouterOptions{}))
	defer srv.Close()
	url := srv.URL + "/api/v1/chat/completions"
	ask := func(prompt string) wireCompletion {
		return decodeCompletion(t, mustPost(t, url, chatBody(prompt, "cast_plan", content.CastStep.Schema()), nil))
	}
	first, again, other := ask(castPrompt(t, 3)), ask(castPrompt(t, 3)), ask(castPrompt(t, 4))
	if first.Choices[0].Message.Content != again.Choices[0].Message.Content {
		t.Errorf("the same request got different answers:\n%s\n%s", first.Choices[0].Message.Content, again.Choices[0].Message.Content)
	}
	if first.ID == again.ID {
		t.Errorf("two generations share the id %s", first.ID)
	}
	if first.Choices[0].Message.Content == other.Choices[0].Message.Content {
		t.Error("different requests got the same answer")
	}
}

func TestOpenRouterInjectsFaults(t *testing.T) {
	schema := content.PostStep.Schema()
	body := chatBody("A post about the storm over Tidewell harbour.", "post_detail", schema)
	okAnswer := func(t *testing.T) string {
		t.Helper()
		srv := httptest.NewServer(NewOpenRouter(OpenRouterOptions{}))
		defer srv.Close()
		return decodeCompletion(t, mustPost(t, srv.URL+"/api/v1/chat/completions", body, nil)).Choices[0].Message.Content
	}(t)
	errorCase := func(status int, errorType string) func(*testing.T, answer) {
		return func(t *testing.T, a answer) {
			t.Helper()
			if a.status != status {
				t.Fatalf("status = %d, want %d: %s", a.status, status, a.body)
			}
			e := decodeError(t, a)
			if e.Code != status || e.Metadata["error_type"] != errorType || e.Message == "" {
				t.Errorf("error = %+v, want code %d and error_type %s", e, status, errorType)
			}
		}
	}
	cases := []struct {
		fault  Fault
		checks []func(*testing.T, answer) // one per injection, in order
	}{
		{Fault429, []func(*testing.T, answer){func(t *testing.T, a answer) {
			errorCase(429, "rate_limit_exceeded")(t, a)
			if a.header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After = %q, want 1", a.header.Get("Retry-After"))
			}
			for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
				if a.header.Get(h) == "" {
					t.Errorf("no %s header", h)
				}
			}
		}}},
		{Fault500, []func(*testing.T, answer){errorCase(500, "server")}},
		{Fault503, []func(*testing.T, answer){errorCase(503, "provider_overloaded")}},
		{Fault402, []func(*testing.T, answer){func(t *testing.T, a answer) {
			errorCase(402, "payment_required")(t, a)
			want := `{"error":{"code":402,"message":"Insufficient credits. Add more using https://openrouter.ai/credits","metadata":{"error_type":"payment_required"}}}`
			if string(a.body) != want {
				t.Errorf("body = %s, want %s", a.body, want)
			}
		}}},
		{Fault502, []func(*testing.T, answer){
			errorCase(502, "provider_unavailable"),
			func(t *testing.T, a answer) {
				if a.status != 502 || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") || json.Valid(a.body) || !strings.Contains(string(a.body), "cloudflare") {
					t.Errorf("second 502: status %d, Content-Type %q, body %s; want Cloudflare's HTML", a.status, a.header.Get("Content-Type"), a.body)
				}
			},
		}},
		{FaultErrorIn200, []func(*testing.T, answer){
			func(t *testing.T, a answer) {
				c := decodeCompletion(t, a)
				if a.status != 200 || c.Error == nil || c.Error.Code == 0 || c.Error.Message == "" || len(c.Choices) != 0 {
					t.Errorf("first error in 200: status %d, body %s; want a top-level error and no choices", a.status, a.body)
				}
			},
			func(t *testing.T, a answer) {
				c := decodeCompletion(t, a)
				if a.status != 200 || c.Error != nil || len(c.Choices) != 1 || c.Choices[0].FinishReason != "error" || c.Choices[0].Error == nil || c.Choices[0].Error.Message == "" {
					t.Errorf("second error in 200: status %d, body %s; want a choice that finished with an error", a.status, a.body)
				}
				if !strings.HasPrefix(okAnswer, c.Choices[0].Message.Content) {
					t.Errorf("partial content %q is not the start of the answer", c.Choices[0].Message.Content)
				}
			},
		}},
		{FaultInvalidJSON, []func(*testing.T, answer){func(t *testing.T, a answer) {
			c := decodeCompletion(t, a)
			if a.status != 200 || c.Choices[0].FinishReason != "stop" || json.Valid([]byte(c.Choices[0].Message.Content)) {
				t.Errorf("status %d, finish %q, content %q; want stop with content that is not JSON", a.status, c.Choices[0].FinishReason, c.Choices[0].Message.Content)
			}
		}}},
		{FaultTruncated, []func(*testing.T, answer){func(t *testing.T, a answer) {
			c := decodeCompletion(t, a)
			got := c.Choices[0].Message.Content
			if a.status != 200 || c.Choices[0].FinishReason != "length" || json.Valid([]byte(got)) || got == "" || !strings.HasPrefix(okAnswer, got) || len(got) >= len(okAnswer) {
				t.Errorf("status %d, finish %q, content %q; want length with the answer cut short", a.status, c.Choices[0].FinishReason, got)
			}
		}}},
		{Fault("unknown"), []func(*testing.T, answer){errorCase(500, "server")}},
	}
	for _, c := range cases {
		t.Run(string(c.fault), func(t *testing.T) {
			faults := NewFaults(1)
			for range c.checks {
				faults.Script(c.fault)
			}
			fake := NewOpenRouter(OpenRouterOptions{Faults: faults})
			srv := httptest.NewServer(fake)
			defer srv.Close()
			url := srv.URL + "/api/v1/chat/completions"
			for _, check := range c.checks {
				check(t, mustPost(t, url, body, nil))
			}
			if fake.Answered() != 0 {
				t.Errorf("answered = %d after faults, want 0", fake.Answered())
			}
			// Once the script is used up, the same request succeeds.
			a := mustPost(t, url, body, nil)
			if a.status != 200 || decodeCompletion(t, a).Choices[0].Message.Content != okAnswer {
				t.Errorf("after the faults: status %d, body %s", a.status, a.body)
			}
			if fake.Answered() != 1 {
				t.Errorf("answered = %d, want 1", fake.Answered())
			}
			if got := faults.Injected()[c.fault]; got != len(c.checks) {
				t.Errorf("injected %d, want %d", got, len(c.checks))
			}
		})
	}
}

func TestOpenRouterChecksTheKey(t *testing.T) {
	fake := NewOpenRouter(OpenRouterOptions{APIKey: "sk-or-v1-test"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	url := srv.URL + "/api/v1/chat/completions"
	body := chatBody("hello", "post_detail", content.PostStep.Schema())
	cases := []struct {
		name   string
		header map[string]string
		status int
		body   string
	}{
		{"no header", nil, 401, `{"error":{"code":401,"message":"Missing Authentication header"}}`},
		{"not bearer", map[string]string{"Authorization": "Basic c2stb3I="}, 401, `{"error":{"code":401,"message":"Missing Authentication header"}}`},
		{"wrong key", map[string]string{"Authorization": "Bearer sk-or-v1-other"}, 401, ""},
		{"right key", map[string]string{"Authorization": "Bearer sk-or-v1-test"}, 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := mustPost(t, url, body, c.header)
			if a.status != c.status {
				t.Fatalf("status = %d, want %d: %s", a.status, c.status, a.body)
			}
			if c.body != "" && string(a.body) != c.body {
				t.Errorf("body = %s, want %s", a.body, c.body)
			}
			if c.status == 401 && decodeError(t, a).Code != 401 {
				t.Errorf("body = %s", a.body)
			}
		})
	}
	// Auth comes before validation, as on the real API.
	if a := mustPost(t, url, []byte("not json"), nil); a.status != 401 {
		t.Errorf("invalid body without a key: status %d, want 401", a.status)
	}
	reqs := fake.Requests()
	if len(reqs) != len(cases)+1 {
		t.Fatalf("recorded %d requests, want %d", len(reqs), len(cases)+1)
	}
	if r := reqs[3]; r.Status != 200 || r.Header.Get("Authorization") != "Bearer sk-or-v1-test" || r.Method != http.MethodPost || r.Path != "/api/v1/chat/completions" {
		t.Errorf("recorded %s %s status %d", r.Method, r.Path, r.Status)
	}
	var sent map[string]any
	if err := json.Unmarshal(reqs[3].Body, &sent); err != nil || sent["model"] != testModel {
		t.Errorf("recorded body %s", reqs[3].Body)
	}
}

func TestOpenRouterServesEveryBaseURL(t *testing.T) {
	fake := NewOpenRouter(OpenRouterOptions{PromptPricePerToken: 1e-6, CompletionPricePerToken: 2e-6})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	body := chatBody("hello", "post_detail", content.PostStep.Schema())
	body["model"] = nil
	body["models"] = []string{"openai/gpt-4o-mini", testModel}
	for _, path := range []string{"/api/v1/chat/completions", "/v1/chat/completions", "/chat/completions"} {
		a := mustPost(t, srv.URL+path, body, nil)
		if a.status != 200 {
			t.Fatalf("%s: status %d: %s", path, a.status, a.body)
		}
		c := decodeCompletion(t, a)
		if c.Model != "openai/gpt-4o-mini" || c.Provider != "OpenAI" {
			t.Errorf("%s: model %q provider %q, want the first of models", path, c.Model, c.Provider)
		}
		want := float64(c.Usage.PromptTokens)*1e-6 + float64(c.Usage.CompletionTokens)*2e-6
		if math.Abs(*c.Usage.Cost-want) > 1e-12 {
			t.Errorf("cost = %g, want %g", *c.Usage.Cost, want)
		}
	}

	resp, err := http.Get(srv.URL + "/api/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var models struct {
		Data []struct {
			ID      string            `json:"id"`
			Pricing map[string]string `json:"pricing"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&models); err != nil || resp.StatusCode != 200 || len(models.Data) == 0 {
		t.Fatalf("models: status %d, err %v, %+v", resp.StatusCode, err, models)
	}
	for _, m := range models.Data {
		p, err1 := strconv.ParseFloat(m.Pricing["prompt"], 64)
		c, err2 := strconv.ParseFloat(m.Pricing["completion"], 64)
		if m.ID == "" || err1 != nil || err2 != nil || p != 1e-6 || c != 2e-6 {
			t.Errorf("model %q pricing %v", m.ID, m.Pricing)
		}
	}
}

func TestOpenRouterLatency(t *testing.T) {
	fake := NewOpenRouter(OpenRouterOptions{Latency: 300 * time.Millisecond})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	url := srv.URL + "/api/v1/chat/completions"
	body := chatBody("hello", "post_detail", content.PostStep.Schema())

	start := time.Now()
	if a := mustPost(t, url, body, nil); a.status != 200 {
		t.Fatalf("status %d", a.status)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("answered after %v, want at least 300ms", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err := post(t, ctx, url, body, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the client's deadline", err)
	}
	// The fake stops waiting when the client goes away: the request is
	// recorded without an answer well before the latency is over.
	deadline := time.Now().Add(2 * time.Second)
	for len(fake.Requests()) < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[1].Status != 0 {
		t.Fatalf("recorded %+v, want a second request without an answer", reqs)
	}
	if d := time.Since(start); d >= 300*time.Millisecond {
		t.Errorf("the cancelled request took %v to end", d)
	}
	if fake.Answered() != 1 {
		t.Errorf("answered = %d, want 1", fake.Answered())
	}
}

func TestOpenRouterServesConcurrentClients(t *testing.T) {
	faults := NewFaults(7).SetRate(0.5, Fault429, Fault503, FaultTruncated)
	fake := NewOpenRouter(OpenRouterOptions{Faults: faults, Latency: 10 * time.Millisecond})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	const n = 40
	statuses := make(chan int, n)
	for i := range n {
		go func() {
			body := chatBody("Post number "+strconv.Itoa(i)+" about the harbour.", "post_detail", content.PostStep.Schema())
			a, err := post(t, context.Background(), srv.URL+"/api/v1/chat/completions", body, nil)
			if err != nil {
				t.Error(err)
			}
			statuses <- a.status
		}()
	}
	for range n {
		<-statuses
	}
	injected := 0
	for _, c := range faults.Injected() {
		injected += c
	}
	if got := fake.Answered() + injected; got != n || fake.Answered() == 0 || injected == 0 {
		t.Errorf("answered %d + injected %d, want %d with both above 0", fake.Answered(), injected, n)
	}
	if got := len(fake.Requests()); got != n {
		t.Errorf("recorded %d requests, want %d", got, n)
	}
}

func TestOpenRouterRejectsHugeBodies(t *testing.T) {
	srv := httptest.NewServer(NewOpenRouter(OpenRouterOptions{}))
	defer srv.Close()
	body := chatBody(strings.Repeat("tide ", orMaxRequestBody/5+1), "post_detail", content.PostStep.Schema())
	a := mustPost(t, srv.URL+"/api/v1/chat/completions", body, nil)
	if a.status != http.StatusRequestEntityTooLarge || decodeError(t, a).Metadata["error_type"] != "payload_too_large" {
		t.Errorf("status %d: %s", a.status, a.body)
	}
}
