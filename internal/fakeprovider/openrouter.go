package fakeprovider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/jsonschema-go/jsonschema"
)

// Default prices of the fake OpenRouter, in USD per token: those of a cheap
// model (0.10 and 0.40 USD per million tokens).
const (
	DefaultPromptPricePerToken     = 0.10 / 1e6
	DefaultCompletionPricePerToken = 0.40 / 1e6
)

// Refusals of the fake OpenRouter: the answers OpenRouter gives a request it
// refuses for its content. Each is a Fault (for Faults and Decide) and is
// also answered to any request whose user messages contain its marker.
const (
	// FaultModerated is a 403 of the moderation a provider asks OpenRouter
	// for: metadata reasons, flagged_input, provider_name and model_slug.
	FaultModerated Fault = "moderated"
	// FaultGuardrail is a 403 of OpenRouter's prompt-injection guardrail:
	// metadata patterns.
	FaultGuardrail Fault = "guardrail"
	// FaultContentPolicy is a 400 with error_type content_policy_violation.
	FaultContentPolicy Fault = "content-policy"
	// FaultModelRefusal is a 400 with error_type refusal.
	FaultModelRefusal Fault = "model-refusal"
	// FaultContentFilter is a 200 whose choice finished with "error": the
	// output content filter stopped the answer.
	FaultContentFilter Fault = "content-filter"
)

// Markers that make the fake OpenRouter refuse a request as its Fault of
// the same name does, when a user message contains one: a test puts one in
// a world's prompt to see a refusal reach the pipeline.
const (
	MarkerModerated     = "[fake:moderated]"
	MarkerGuardrail     = "[fake:guardrail]"
	MarkerContentPolicy = "[fake:content-policy]"
	MarkerModelRefusal  = "[fake:model-refusal]"
	MarkerContentFilter = "[fake:content-filter]"
)

// orMarkers maps each marker to its fault.
var orMarkers = []struct {
	marker string
	fault  Fault
}{
	{MarkerModerated, FaultModerated}, {MarkerGuardrail, FaultGuardrail}, {MarkerContentPolicy, FaultContentPolicy},
	{MarkerModelRefusal, FaultModelRefusal}, {MarkerContentFilter, FaultContentFilter},
}

// FlaggedReason is the reason the fake's moderation refusal gives.
const FlaggedReason = "violence/graphic"

// orMaxRequestBody is the largest request body the fake accepts.
const orMaxRequestBody = 10 << 20

// OpenRouterOptions configure a fake OpenRouter.
type OpenRouterOptions struct {
	// APIKey, when set, must come as "Authorization: Bearer <key>" on chat
	// completions; otherwise they are answered 401.
	APIKey string
	// EchoKey makes a 401 quote the key it refused, as several
	// OpenAI-compatible servers do ("Incorrect API key provided: …").
	EchoKey bool
	// Latency delays every chat completion after the auth check, or until
	// the client gives up.
	Latency time.Duration
	// Faults decides which valid chat completions fail; nil injects none.
	Faults *Faults
	// Decide, when set, picks the fault of a valid chat completion from its
	// body (e.g. to fail one item's step); FaultNone falls back to Faults.
	Decide func(body []byte) Fault
	// IgnoreResponseFormat answers as a server that accepts response_format
	// but does not enforce it: the model follows a JSON schema it finds in
	// the messages (the first JSON object after "JSON schema"), as free text
	// in a Markdown fence, and answers a sentence when there is none.
	IgnoreResponseFormat bool
	// Sloppy decides which answers come back sloppy, as a real model's do
	// (see SloppyFaults), among those that Faults and Decide let through;
	// nil makes every answer exactly what the schema asks.
	Sloppy *Faults
	// PromptPricePerToken and CompletionPricePerToken, in USD per token,
	// price usage.cost and the models list; zero means the defaults.
	PromptPricePerToken     float64
	CompletionPricePerToken float64
	// Echo, when set, answers every chat completion with an error that
	// quotes the key it was sent (see KeyEcho), before any other check.
	Echo *KeyEcho
}

// OpenRouter is a fake of OpenRouter's API, an http.Handler to mount on
// httptest.NewServer. It serves POST /api/v1/chat/completions (also under
// /v1 and at the root, so that base URLs with or without /api work) and
// GET /api/v1/models. It validates requests like the real API and answers
// a valid one with a chat.completion whose content is a JSON document
// valid against the request's JSON schema (see FakeJSON), the same for the
// same request body. Safe for concurrent use.
//
// Faults it injects (one Faults.Next per valid chat completion):
//   - Fault429: 429 with Retry-After: 1 and X-RateLimit-* headers.
//   - Fault500, Fault503, Fault402: that status with OpenRouter's error body.
//   - Fault502: alternately OpenRouter's JSON error and a Cloudflare HTML page.
//   - FaultErrorIn200: status 200, alternately a top-level error body and a
//     completion whose choice has finish_reason "error" and an error.
//   - FaultInvalidJSON: a completion whose content is not JSON (the document
//     in a Markdown fence after a sentence), finish_reason "stop".
//   - FaultTruncated: a completion whose content is cut in the middle,
//     finish_reason "length".
//
// And the faults of a sloppy model (SloppyFaults), through Sloppy: a paid
// answer, but with a wrong count, a fence, prose around it, duplicate
// names, an over-long text, a field left out, a closed value in the wrong
// case, no content, or a refusal.
//
// And the refusals (FaultModerated, FaultGuardrail, FaultContentPolicy,
// FaultModelRefusal, FaultContentFilter), also answered to a prompt that
// holds their marker (MarkerModerated, …).
//
// FaultStall answers nothing until the client gives up. Any other fault is
// answered like Fault500.
//
// A model whose name contains "guard" answers as Llama Guard does, judging
// the last message by its markers (see Marker* and guard).
type OpenRouter struct {
	o        OpenRouterOptions
	mux      *http.ServeMux
	rec      recorder
	answered atomic.Int64
	n502     atomic.Int64
	n200     atomic.Int64
}

// NewOpenRouter returns a fake OpenRouter.
func NewOpenRouter(o OpenRouterOptions) *OpenRouter {
	if o.PromptPricePerToken == 0 {
		o.PromptPricePerToken = DefaultPromptPricePerToken
	}
	if o.CompletionPricePerToken == 0 {
		o.CompletionPricePerToken = DefaultCompletionPricePerToken
	}
	f := &OpenRouter{o: o, mux: http.NewServeMux()}
	for _, prefix := range []string{"/api/v1", "/v1", ""} {
		f.mux.HandleFunc("POST "+prefix+"/chat/completions", f.chat)
		f.mux.HandleFunc("GET "+prefix+"/models", f.models)
	}
	return f
}

// ServeHTTP serves the API and records the request.
func (f *OpenRouter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := readBody(r, orMaxRequestBody+1)
	// Record as the answer starts, so that a client that has read its answer
	// finds its request in Requests.
	sw := &recordingWriter{ResponseWriter: w, rec: &f.rec, req: r, body: body, at: at}
	defer sw.finish()
	switch {
	case err != nil:
		orWriteError(sw, http.StatusBadRequest, "Could not read the request body: "+err.Error(), "invalid_request")
	case len(body) > orMaxRequestBody:
		orWriteError(sw, http.StatusRequestEntityTooLarge, "Request body too large", "payload_too_large")
	default:
		f.mux.ServeHTTP(sw, r)
	}
}

// Requests returns the requests received so far, oldest first. A Status of
// 0 means the client went away before it was answered.
func (f *OpenRouter) Requests() []Recorded { return f.rec.requests() }

// Users returns the "user" field of each chat completion received, oldest
// first: "" for a request that sent none, or whose body is not JSON.
func (f *OpenRouter) Users() []string {
	var out []string
	for _, r := range f.rec.requests() {
		if !strings.HasSuffix(r.Path, "/chat/completions") {
			continue
		}
		var req struct {
			User string `json:"user"`
		}
		_ = json.Unmarshal(r.Body, &req)
		out = append(out, req.User)
	}
	return out
}

// Answered returns how many chat completions were answered with a valid
// document: neither rejected nor failed by a fault.
func (f *OpenRouter) Answered() int { return int(f.answered.Load()) }

// orChatRequest is the part of OpenRouter's ChatRequest the fake reads.
type orChatRequest struct {
	Model          string            `json:"model"`
	Models         []string          `json:"models"`
	Messages       []orMessageIn     `json:"messages"`
	ResponseFormat *orResponseFormat `json:"response_format"`
	Temperature    *float64          `json:"temperature"`
	MaxTokens      *int              `json:"max_tokens"`
	MaxCompletion  *int              `json:"max_completion_tokens"`
	Stream         bool              `json:"stream"`
	// User identifies the end user to OpenRouter and its providers.
	User *string `json:"user"`
}

type orMessageIn struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	text    string
}

type orResponseFormat struct {
	Type       string `json:"type"`
	JSONSchema *struct {
		Name   string          `json:"name"`
		Strict *bool           `json:"strict"`
		Schema json.RawMessage `json:"schema"`
	} `json:"json_schema"`
}

var (
	orSchemaNameRe = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	orRoles        = map[string]bool{"system": true, "user": true, "assistant": true, "tool": true, "developer": true}
)

// orParsed is a valid chat request, ready to answer.
type orParsed struct {
	model      string
	prompt     string         // the user messages' text
	messages   string         // every message's text
	last       string         // the last message's text
	allText    int            // characters of every message
	schemaName string         // "" without json_schema
	schema     map[string]any // nil without json_schema
	resolved   *jsonschema.Resolved
	jsonObject bool
}

// orParse validates a chat request body the way OpenRouter does and returns
// the message of a 400 when it is not valid.
func orParse(body []byte) (orParsed, string) {
	var req orChatRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return orParsed{}, "Invalid JSON in request body: " + err.Error()
	}
	if dec.More() {
		return orParsed{}, "Invalid JSON in request body: data after the top-level value"
	}
	if len(req.Messages) == 0 {
		return orParsed{}, `Input required: specify "prompt" or "messages"`
	}
	p := orParsed{model: req.Model}
	if p.model == "" && len(req.Models) > 0 {
		p.model = req.Models[0]
	}
	if p.model == "" {
		return orParsed{}, `No model specified: set "model" or "models"`
	}
	var user, all []string
	for i, m := range req.Messages {
		if !orRoles[m.Role] {
			return orParsed{}, fmt.Sprintf("messages[%d].role: %q is not one of system, user, assistant, tool, developer", i, m.Role)
		}
		text, ok := orMessageText(m.Content)
		if !ok && !(m.Role == "assistant" && orIsNull(m.Content)) {
			return orParsed{}, fmt.Sprintf("messages[%d].content: expected a string or an array of content parts", i)
		}
		all = append(all, text)
		if m.Role == "user" {
			user = append(user, text)
		}
	}
	p.prompt = strings.Join(user, "\n")
	if len(user) == 0 {
		p.prompt = strings.Join(all, "\n")
	}
	for _, t := range all {
		p.allText += len(t)
	}
	p.messages = strings.Join(all, "\n")
	p.last = all[len(all)-1]
	if req.Stream {
		return orParsed{}, "stream: this fake answers only non-streaming requests"
	}
	if t := req.Temperature; t != nil && (*t < 0 || *t > 2) {
		return orParsed{}, "temperature: must be between 0 and 2"
	}
	for _, mt := range []*int{req.MaxTokens, req.MaxCompletion} {
		if mt != nil && *mt < 1 {
			return orParsed{}, "max_tokens: must be at least 1"
		}
	}
	rf := req.ResponseFormat
	if rf == nil {
		return p, ""
	}
	switch rf.Type {
	case "text":
	case "json_object":
		p.jsonObject = true
	case "json_schema":
		js := rf.JSONSchema
		if js == nil {
			return orParsed{}, `response_format.json_schema: required when type is "json_schema"`
		}
		if !orSchemaNameRe.MatchString(js.Name) {
			return orParsed{}, "response_format.json_schema.name: required, a-z, A-Z, 0-9, underscores and dashes, at most 64 characters"
		}
		if len(js.Schema) == 0 || orIsNull(js.Schema) {
			return orParsed{}, "response_format.json_schema.schema: required"
		}
		if err := json.Unmarshal(js.Schema, &p.schema); err != nil {
			return orParsed{}, "response_format.json_schema.schema: expected a JSON object"
		}
		var s jsonschema.Schema
		if err := json.Unmarshal(js.Schema, &s); err != nil {
			return orParsed{}, fmt.Sprintf("Invalid schema for response_format '%s': %v", js.Name, err)
		}
		resolved, err := s.Resolve(nil)
		if err != nil {
			return orParsed{}, fmt.Sprintf("Invalid schema for response_format '%s': %v", js.Name, err)
		}
		if js.Strict != nil && *js.Strict {
			if msg := orCheckStrict(p.schema, nil); msg != "" {
				return orParsed{}, fmt.Sprintf("Invalid schema for response_format '%s': %s", js.Name, msg)
			}
		}
		p.schemaName, p.resolved = js.Name, resolved
	default:
		return orParsed{}, fmt.Sprintf("response_format.type: %q is not one of text, json_object, json_schema", rf.Type)
	}
	return p, ""
}

// orMessageText returns the text of a message's content: a string, or the
// text parts of an array of content parts.
func orMessageText(raw json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var parts []struct {
		Type string  `json:"type"`
		Text *string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil || parts == nil {
		return "", false
	}
	var texts []string
	for _, part := range parts {
		if part.Type == "" {
			return "", false
		}
		if part.Type == "text" {
			if part.Text == nil {
				return "", false
			}
			texts = append(texts, *part.Text)
		}
	}
	return strings.Join(texts, "\n"), true
}

func orIsNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// orCheckStrict applies the rules of strict structured output (OpenAI's,
// which OpenRouter passes on): every object sets additionalProperties to
// false and requires all of its properties. It returns what breaks them.
func orCheckStrict(s map[string]any, path []string) string {
	where := func() string {
		if len(path) == 0 {
			return "the root schema"
		}
		return "context=('" + strings.Join(path, "', '") + "')"
	}
	if props, ok := s["properties"].(map[string]any); ok || s["type"] == "object" {
		if s["additionalProperties"] != false {
			return "In " + where() + ", 'additionalProperties' is required to be supplied and to be false."
		}
		req, _ := s["required"].([]any)
		for _, k := range jfPropertyOrder(s) {
			found := false
			for _, r := range req {
				found = found || r == k
			}
			if !found {
				return fmt.Sprintf("In %s, 'required' is required to be supplied and to be an array including every key in properties. Missing '%s'.", where(), k)
			}
		}
		for _, k := range jfPropertyOrder(s) {
			if ps, ok := props[k].(map[string]any); ok {
				if msg := orCheckStrict(ps, append(path, "properties", k)); msg != "" {
					return msg
				}
			}
		}
	}
	if items, ok := s["items"].(map[string]any); ok {
		if msg := orCheckStrict(items, append(path, "items")); msg != "" {
			return msg
		}
	}
	for _, key := range []string{"anyOf", "$defs", "definitions"} {
		switch sub := s[key].(type) {
		case []any:
			for i, e := range sub {
				if es, ok := e.(map[string]any); ok {
					if msg := orCheckStrict(es, append(path, key, strconv.Itoa(i))); msg != "" {
						return msg
					}
				}
			}
		case map[string]any:
			for _, k := range orSortedKeys(sub) {
				if es, ok := sub[k].(map[string]any); ok {
					if msg := orCheckStrict(es, append(path, key, k)); msg != "" {
						return msg
					}
				}
			}
		}
	}
	return ""
}

func orSortedKeys(m map[string]any) []string {
	return jfPropertyOrder(map[string]any{"properties": m})
}

func (f *OpenRouter) chat(w http.ResponseWriter, r *http.Request) {
	if e := f.o.Echo; e != nil {
		auth := r.Header.Get("Authorization")
		switch {
		case e.HTML:
			e.writeHTML(w, auth)
		case e.Status == http.StatusOK:
			orWriteJSON(w, http.StatusOK, orErrorBody{Error: orError{Code: http.StatusInternalServerError, Message: e.message(auth), Metadata: map[string]any{"error_type": e.quote(auth)}}})
		default:
			orWriteError(w, e.Status, e.message(auth), e.quote(auth))
		}
		return
	}
	if f.o.APIKey != "" {
		auth := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(auth, "Bearer ")
		switch {
		case !ok || strings.TrimSpace(token) == "":
			orWriteJSON(w, http.StatusUnauthorized, orErrorBody{Error: orError{Code: http.StatusUnauthorized, Message: "Missing Authentication header"}})
			return
		case token != f.o.APIKey && f.o.EchoKey:
			orWriteError(w, http.StatusUnauthorized, "Incorrect API key provided: "+auth+". You can find your API key at https://openrouter.ai/keys.", "authentication")
			return
		case token != f.o.APIKey:
			orWriteError(w, http.StatusUnauthorized, "User not found.", "authentication")
			return
		}
	}
	if !sleep(r.Context(), f.o.Latency) {
		return // the client went away
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(r.Body)
	req, msg := orParse(body.Bytes())
	if msg != "" {
		orWriteError(w, http.StatusBadRequest, msg, "invalid_request")
		return
	}
	fault := FaultNone
	for _, m := range orMarkers {
		if strings.Contains(req.prompt, m.marker) {
			fault = m.fault
			break
		}
	}
	if fault == FaultNone && f.o.Decide != nil {
		fault = f.o.Decide(body.Bytes())
	}
	if fault == FaultNone {
		fault = f.o.Faults.Next()
	}
	if fault == FaultNone {
		fault = f.o.Sloppy.Next()
	}
	switch fault {
	case FaultNone, FaultErrorIn200, FaultInvalidJSON, FaultTruncated:
	case FaultTooFew, FaultTooMany, FaultFence, FaultPrefix, FaultTrailer, FaultDuplicateNames,
		FaultOverlong, FaultMissingField, FaultEnumCase, FaultEmpty, FaultRefusal:
	case FaultGuardCase, FaultGuardProse, FaultGuardBlankLines:
	case FaultStall:
		<-r.Context().Done()
		return
	case Fault429:
		h := w.Header()
		h.Set("Retry-After", "1")
		h.Set("X-RateLimit-Limit", "20")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Second).UnixMilli(), 10))
		orWriteError(w, http.StatusTooManyRequests, "Rate limit exceeded: limit_rpm/"+req.model, "rate_limit_exceeded")
		return
	case Fault402:
		orWriteError(w, http.StatusPaymentRequired, "Insufficient credits. Add more using https://openrouter.ai/credits", "payment_required")
		return
	case Fault502:
		if f.n502.Add(1)%2 == 0 {
			w.Header().Set("Content-Type", "text/html; charset=UTF-8")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = fmt.Fprint(w, orCloudflare502)
			return
		}
		orWriteError(w, http.StatusBadGateway, "Provider returned error", "provider_unavailable")
		return
	case Fault503:
		orWriteError(w, http.StatusServiceUnavailable, "Service temporarily unavailable", "provider_overloaded")
		return
	case FaultModerated, FaultGuardrail, FaultContentPolicy, FaultModelRefusal:
		status, body := orRefusal(fault, req)
		orWriteJSON(w, status, body)
		return
	case FaultContentFilter:
	default:
		orWriteError(w, http.StatusInternalServerError, "Internal Server Error", "server")
		return
	}

	if isGuard(req.model) {
		f.guard(w, req, fault)
		return
	}
	seed := orSeedOf(body.Bytes())
	if f.o.IgnoreResponseFormat {
		req = orIgnoreFormat(req)
	}
	content, err := f.content(req, seed)
	if err != nil {
		orWriteError(w, http.StatusBadRequest, fmt.Sprintf("Invalid schema for response_format '%s': %v", req.schemaName, err), "invalid_request")
		return
	}
	id := orGenerationID()
	w.Header().Set("X-Generation-Id", id)
	finish := "stop"
	var choiceErr *orError
	var refusal string
	switch fault {
	case FaultErrorIn200:
		if f.n200.Add(1)%2 == 1 {
			orWriteJSON(w, http.StatusOK, orErrorBody{
				Error:  orError{Code: http.StatusBadGateway, Message: "Provider returned error", Metadata: map[string]any{"error_type": "provider_unavailable", "provider_name": orProviderOf(req.model)}},
				UserID: "user_fake",
			})
			return
		}
		content = orCut(content, 3)
		finish = "error"
		choiceErr = &orError{Code: http.StatusBadGateway, Message: "Upstream error from " + orProviderOf(req.model) + ": connection reset by peer", Metadata: map[string]any{"error_type": "provider_unavailable"}}
	case FaultContentFilter:
		content = orCut(content, 4)
		finish = "error"
		choiceErr = &orError{Code: http.StatusBadRequest, Message: "Output blocked by content filter", Metadata: map[string]any{"provider_name": orProviderOf(req.model)}}
	case FaultInvalidJSON:
		content = "Here is the answer you asked for:\n\n```json\n" + content + "\n```"
	case FaultTruncated:
		content = orCut(content, 2)
		finish = "length"
	case FaultNone:
		f.answered.Add(1)
		if f.o.IgnoreResponseFormat && req.schema != nil {
			content = "```json\n" + content + "\n```"
		}
	default:
		s := makeSloppy(content, req.schema, req.prompt, fault, seed)
		content, refusal = s.content, s.refusal
	}
	completion := f.completion(id, req, content, finish, choiceErr)
	if refusal != "" {
		completion.Choices[0].Message.Refusal = &refusal
	}
	orWriteJSON(w, http.StatusOK, completion)
}

// guard answers as a guard model (Llama Guard) does: "safe", or "unsafe"
// and the hazard codes of the markers in the last message (see Marker*),
// as plain text whatever the response format. Its bad days are malformed
// answers (GuardFaults, FaultEmpty), a cut answer (FaultTruncated) and an
// error inside a 200 (FaultErrorIn200); another sloppy fault answers prose.
func (f *OpenRouter) guard(w http.ResponseWriter, req orParsed, fault Fault) {
	content, finish := guardAnswer(req.last), "stop"
	switch fault {
	case FaultNone:
		f.answered.Add(1)
	case FaultGuardCase:
		content = "Unsafe\nS10"
	case FaultGuardBlankLines:
		content = "\n\nunsafe\nS2"
	case FaultEmpty:
		content = ""
	case FaultTruncated:
		content, finish = "uns", "length"
	case FaultErrorIn200:
		orWriteJSON(w, http.StatusOK, orErrorBody{Error: orError{Code: http.StatusBadGateway, Message: "Provider returned error", Metadata: map[string]any{"error_type": "provider_unavailable"}}})
		return
	default:
		content = "I think this is fine"
	}
	orWriteJSON(w, http.StatusOK, f.completion(orGenerationID(), req, content, finish, nil))
}

// orRefusal is the status and body with which OpenRouter refuses a request
// for its content, in the shapes its documentation gives
// (api_reference/errors-and-debugging).
func orRefusal(fault Fault, req orParsed) (int, orErrorBody) {
	switch fault {
	case FaultModerated:
		return http.StatusForbidden, orErrorBody{Error: orError{Code: http.StatusForbidden,
			Message: orProviderOf(req.model) + " requires moderation on this model. Your input was flagged for \"" + FlaggedReason + "\"",
			Metadata: map[string]any{
				"reasons":       []string{FlaggedReason},
				"flagged_input": orFlaggedInput(req.prompt),
				"provider_name": orProviderOf(req.model),
				"model_slug":    req.model,
			}}}
	case FaultGuardrail:
		return http.StatusForbidden, orErrorBody{Error: orError{Code: http.StatusForbidden,
			Message:  "Request blocked: prompt injection patterns detected",
			Metadata: map[string]any{"patterns": []string{"ignore all previous instructions"}}}}
	case FaultContentPolicy:
		return http.StatusBadRequest, orErrorBody{Error: orError{Code: http.StatusBadRequest,
			Message:  "Your request was flagged by a content filter",
			Metadata: map[string]any{"error_type": "content_policy_violation", "provider_name": orProviderOf(req.model)}}}
	default: // FaultModelRefusal
		return http.StatusBadRequest, orErrorBody{Error: orError{Code: http.StatusBadRequest,
			Message:  "The model refused to answer this request",
			Metadata: map[string]any{"error_type": "refusal", "provider_name": orProviderOf(req.model)}}}
	}
}

// orFlaggedInput is OpenRouter's flagged_input: at most 100 characters, a
// longer input cut in the middle, where "..." stands for what was left out.
func orFlaggedInput(s string) string {
	r := []rune(s)
	if len(r) <= 100 {
		return s
	}
	return string(r[:48]) + "..." + string(r[len(r)-49:])
}

// orIgnoreFormat drops a request's response_format and takes the schema the
// messages show instead, as a model without enforced structured output
// would follow it.
func orIgnoreFormat(req orParsed) orParsed {
	req.schema, req.resolved, req.schemaName, req.jsonObject = nil, nil, "", false
	at := strings.Index(req.messages, "JSON schema")
	if at < 0 {
		return req
	}
	start := strings.IndexByte(req.messages[at:], '{')
	if start < 0 {
		return req
	}
	var schema map[string]any
	if json.NewDecoder(strings.NewReader(req.messages[at+start:])).Decode(&schema) != nil {
		return req
	}
	var s jsonschema.Schema
	raw, _ := json.Marshal(schema)
	if json.Unmarshal(raw, &s) != nil {
		return req
	}
	if resolved, err := s.Resolve(nil); err == nil {
		req.schema, req.resolved = schema, resolved
	}
	return req
}

// content is the assistant's answer: a document valid against the schema,
// a JSON object for json_object, else a sentence.
func (f *OpenRouter) content(req orParsed, seed uint64) (string, error) {
	switch {
	case req.schema != nil:
		var doc []byte
		var err error
		// The generator honours most keywords; the few it cannot (some
		// patterns) get a few more tries with other seeds.
		for i := range uint64(4) {
			if doc, err = FakeJSON(req.schema, req.prompt, seed+i); err != nil {
				return "", err
			}
			var instance any
			if json.Unmarshal(doc, &instance) == nil && req.resolved.Validate(instance) == nil {
				break
			}
		}
		return string(doc), nil
	case req.jsonObject:
		doc, err := FakeJSON(map[string]any{
			"type":       "object",
			"properties": map[string]any{"answer": map[string]any{"type": "string"}},
		}, req.prompt, seed)
		return string(doc), err
	default:
		doc, err := FakeJSON(map[string]any{"type": "string", "description": "sentences"}, req.prompt, seed)
		if err != nil {
			return "", err
		}
		var s string
		err = json.Unmarshal(doc, &s)
		return s, err
	}
}

// orCompletion is OpenRouter's chat.completion.
type orCompletion struct {
	ID                string     `json:"id"`
	Provider          string     `json:"provider"`
	Model             string     `json:"model"`
	Object            string     `json:"object"`
	Created           int64      `json:"created"`
	Choices           []orChoice `json:"choices"`
	SystemFingerprint *string    `json:"system_fingerprint"`
	Usage             orUsage    `json:"usage"`
}

type orChoice struct {
	Logprobs           any       `json:"logprobs"`
	FinishReason       string    `json:"finish_reason"`
	NativeFinishReason string    `json:"native_finish_reason"`
	Index              int       `json:"index"`
	Message            orMessage `json:"message"`
	Error              *orError  `json:"error,omitempty"`
}

type orMessage struct {
	Role      string  `json:"role"`
	Content   string  `json:"content"`
	Refusal   *string `json:"refusal"`
	Reasoning *string `json:"reasoning"`
}

type orUsage struct {
	PromptTokens            int64          `json:"prompt_tokens"`
	CompletionTokens        int64          `json:"completion_tokens"`
	TotalTokens             int64          `json:"total_tokens"`
	Cost                    float64        `json:"cost"`
	IsBYOK                  bool           `json:"is_byok"`
	PromptTokensDetails     map[string]int `json:"prompt_tokens_details"`
	CostDetails             map[string]any `json:"cost_details"`
	CompletionTokensDetails map[string]int `json:"completion_tokens_details"`
}

func (f *OpenRouter) completion(id string, req orParsed, content, finish string, choiceErr *orError) orCompletion {
	// About four characters a token; the schema is part of the prompt.
	in := int64(max(1, (req.allText+orSchemaSize(req.schema))/4))
	out := int64(max(1, len(content)/4))
	// Rounded like the real API's credits, without float noise.
	usd := func(v float64) float64 { return math.Round(v*1e12) / 1e12 }
	inCost, outCost := usd(float64(in)*f.o.PromptPricePerToken), usd(float64(out)*f.o.CompletionPricePerToken)
	return orCompletion{
		ID:       id,
		Provider: orProviderOf(req.model),
		Model:    req.model,
		Object:   "chat.completion",
		Created:  time.Now().Unix(),
		Choices: []orChoice{{
			FinishReason:       finish,
			NativeFinishReason: finish,
			Message:            orMessage{Role: "assistant", Content: content},
			Error:              choiceErr,
		}},
		Usage: orUsage{
			PromptTokens: in, CompletionTokens: out, TotalTokens: in + out,
			Cost:                    usd(inCost + outCost),
			PromptTokensDetails:     map[string]int{"cached_tokens": 0, "cache_write_tokens": 0, "audio_tokens": 0, "video_tokens": 0},
			CompletionTokensDetails: map[string]int{"reasoning_tokens": 0, "audio_tokens": 0, "image_tokens": 0},
			CostDetails: map[string]any{
				"upstream_inference_cost":             nil,
				"upstream_inference_prompt_cost":      inCost,
				"upstream_inference_completions_cost": outCost,
			},
		},
	}
}

func orSchemaSize(s map[string]any) int {
	if s == nil {
		return 0
	}
	b, _ := json.Marshal(s)
	return len(b)
}

// orModels are the models GET /models lists.
var orModels = []struct{ id, name string }{
	{"google/gemini-2.5-flash-lite", "Google: Gemini 2.5 Flash Lite"},
	{"google/gemini-2.5-flash", "Google: Gemini 2.5 Flash"},
	{"openai/gpt-4o-mini", "OpenAI: GPT-4o-mini"},
}

// models lists a few models, each at the fake's prices, as decimal
// strings in USD per token like the real API.
func (f *OpenRouter) models(w http.ResponseWriter, r *http.Request) {
	price := func(p float64) string { return strconv.FormatFloat(p, 'f', -1, 64) }
	data := make([]map[string]any, 0, len(orModels))
	for _, m := range orModels {
		data = append(data, map[string]any{
			"id":             m.id,
			"canonical_slug": m.id,
			"name":           m.name,
			"created":        1750000000,
			"description":    "A model of the fake OpenRouter.",
			"context_length": 1048576,
			"architecture": map[string]any{
				"modality": "text->text", "input_modalities": []string{"text"}, "output_modalities": []string{"text"},
				"tokenizer": "Other", "instruct_type": nil,
			},
			"pricing": map[string]string{
				"prompt": price(f.o.PromptPricePerToken), "completion": price(f.o.CompletionPricePerToken),
				"request": "0", "image": "0",
			},
			"top_provider":         map[string]any{"context_length": 1048576, "max_completion_tokens": 65536, "is_moderated": false},
			"per_request_limits":   nil,
			"supported_parameters": []string{"max_tokens", "temperature", "response_format", "structured_outputs", "seed", "stop"},
			"default_parameters":   map[string]any{},
		})
	}
	orWriteJSON(w, http.StatusOK, map[string]any{"data": data})
}

// orProviderOf names the upstream provider of a model the way OpenRouter's
// "provider" field does.
func orProviderOf(model string) string {
	vendor, _, _ := strings.Cut(model, "/")
	switch vendor {
	case "google":
		return "Google"
	case "openai":
		return "OpenAI"
	case "anthropic":
		return "Anthropic"
	case "meta-llama":
		return "DeepInfra"
	}
	return "Fake"
}

// orCut returns the first 1/n of s, cut between characters: what a model
// had written when it stopped.
func orCut(s string, n int) string {
	r := []rune(s)
	return string(r[:len(r)/n])
}

// orSeedOf hashes a request body into the generator's seed.
func orSeedOf(body []byte) uint64 {
	h := fnv.New64a()
	_, _ = h.Write(body)
	return h.Sum64()
}

// orGenerationID returns a fresh id like OpenRouter's "gen-<unix>-<20 chars>".
func orGenerationID() string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 20)
	for i := range b {
		b[i] = chars[rand.IntN(len(chars))]
	}
	return fmt.Sprintf("gen-%d-%s", time.Now().Unix(), b)
}

// sleep waits d or until ctx is done, and says whether it waited d: a
// fake's latency, cut short when the client gives up.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// orErrorBody is OpenRouter's error envelope.
type orErrorBody struct {
	Error  orError `json:"error"`
	UserID string  `json:"user_id,omitempty"`
}

type orError struct {
	Code     int            `json:"code"`
	Message  string         `json:"message"`
	Metadata map[string]any `json:"metadata,omitempty"`
}

func orWriteError(w http.ResponseWriter, status int, msg, errorType string) {
	orWriteJSON(w, status, orErrorBody{Error: orError{Code: status, Message: msg, Metadata: map[string]any{"error_type": errorType}}})
}

func orWriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":500,"message":"Internal Server Error"}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// orCloudflare502 is the page Cloudflare answers when OpenRouter's origin
// fails: HTML, not JSON.
const orCloudflare502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>cloudflare</center>
</body>
</html>
`
