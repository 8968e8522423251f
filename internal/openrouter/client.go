// Package openrouter is Generia's LLM client: any OpenAI-compatible
// chat-completions endpoint, OpenRouter by default, through the official
// openai-go SDK. It asks for JSON-schema structured output and classifies
// every failure once, including the errors OpenRouter sends inside a 200.
package openrouter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/secret"
)

// DefaultTimeout bounds one call when Options.Timeout is not set.
const DefaultTimeout = 3 * time.Minute

// Options configure a client.
type Options struct {
	// APIKey is sent as a bearer token; empty sends no Authorization header
	// (Ollama, vLLM, llama.cpp).
	APIKey string
	// BaseURL is the chat-completions API, such as
	// https://openrouter.ai/api/v1, and Model the model of every call; both
	// are required (their defaults are settings, in config).
	BaseURL string
	Model   string
	// Fallbacks are tried in order when Model fails (OpenRouter's models).
	Fallbacks []string
	HTTP      *http.Client
	// Timeout bounds one call.
	Timeout time.Duration
	// OpenRouter sends OpenRouter's extensions (fallback models, routing
	// only to endpoints that support structured output). It is on by itself
	// for openrouter.ai; set it for a server that speaks OpenRouter's API
	// elsewhere (such as the fake in tests). Other OpenAI-compatible
	// servers may refuse the extra fields.
	OpenRouter bool
}

// Client generates structured text.
type Client struct {
	api        openai.Client
	o          Options
	name       string
	openRouter bool
	// scrub takes the key and any credentials out of what an error says,
	// its cause included (the SDK's own error quotes the body).
	scrub *secret.Scrubber
}

// New returns a client. Its own retries are off: Temporal retries. It fails
// without a model or an http(s) base URL.
func New(o Options) (*Client, error) {
	if o.Model == "" {
		return nil, errors.New("LLM: a model is required")
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("LLM base URL %q: want an http(s) URL such as https://openrouter.ai/api/v1", o.BaseURL)
	}
	c := &Client{o: o, name: "openai-compatible", scrub: secret.New(o.APIKey)}
	if o.OpenRouter || strings.HasSuffix(u.Hostname(), "openrouter.ai") {
		c.name, c.openRouter = "openrouter", true
	}
	opts := []option.RequestOption{
		option.WithBaseURL(o.BaseURL),
		option.WithMaxRetries(0),
		option.WithRequestTimeout(o.Timeout),
		option.WithHeader("X-OpenRouter-Title", "Generia"),
		option.WithMiddleware(c.headers),
	}
	if o.APIKey != "" {
		opts = append(opts, option.WithAPIKey(o.APIKey))
	}
	if o.HTTP != nil {
		opts = append(opts, option.WithHTTPClient(o.HTTP))
	}
	c.api = openai.NewClient(opts...)
	return c, nil
}

// headers keeps the SDK's environment defaults (OPENAI_API_KEY,
// OPENAI_ORG_ID, …) out of requests to a provider they do not belong to.
func (c *Client) headers(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	r.Header.Del("OpenAI-Organization")
	r.Header.Del("OpenAI-Project")
	if c.o.APIKey == "" {
		r.Header.Del("Authorization")
	}
	return next(r)
}

// Name is "openrouter", or "openai-compatible" for other endpoints.
func (c *Client) Name() string { return c.name }

// Model is the primary model.
func (c *Client) Model() string { return c.o.Model }

// FallbackModels are the models a request whose answers stay invalid is
// asked of, in turn.
func (c *Client) FallbackModels() []string { return c.o.Fallbacks }

const systemPrompt = "You write content for Generia, a social network of AI-generated worlds. " +
	"Answer with exactly one JSON object that matches the given JSON schema, and nothing else."

// schemaMarker introduces the schema in the system message to servers other
// than OpenRouter: some (older llama.cpp builds, Ollama's cloud, vLLM before
// 0.6) accept response_format but do not enforce it, and a model that sees
// the schema answers close to it, for Parse to repair. OpenRouter routes
// only to endpoints that enforce it (require_parameters), so it is spared
// the tokens.
const schemaMarker = "\n\nThe JSON schema the answer must match:\n"

// system is the system message of a request: Generia's, then the step's
// own rules (req.System), which outrank everything in the prompt.
func (c *Client) system(req generia.TextRequest) string {
	system := systemPrompt
	if req.System != "" {
		system += "\n\n" + req.System
	}
	if c.openRouter || req.Schema == nil {
		return system
	}
	schema, err := json.Marshal(req.Schema)
	if err != nil {
		return system
	}
	return system + schemaMarker + string(schema)
}

// GenerateJSON asks for one JSON document, of req.Model when it is set and
// of the primary model otherwise, sending req.UserID as the end user. Its
// result carries the answer as is, even when it is cut off (FinishReason
// "length"), empty or a refusal in the message: judging it is the caller's
// job. Errors are the provider's failures to answer, classified; a request
// the provider refused for its content (moderation, a guardrail, a content
// filter, a typed refusal) gives KindRefused, which retrying cannot fix.
func (c *Client) GenerateJSON(ctx context.Context, req generia.TextRequest) (generia.TextResult, error) {
	res, err := c.generate(ctx, req)
	// Every error leaves through the one scrubber: several servers echo the
	// key they refused, in any status's message or page.
	return res, c.scrub.ProviderError(err)
}

func (c *Client) generate(ctx context.Context, req generia.TextRequest) (generia.TextResult, error) {
	model := c.o.Model
	if req.Model != "" {
		model = req.Model
	}
	params := openai.ChatCompletionNewParams{
		Model: model,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage(c.system(req)),
			openai.UserMessage(req.Prompt),
		},
		ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{
			OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
					Name: req.SchemaName, Strict: openai.Bool(true), Schema: req.Schema,
				},
			},
		},
	}
	if req.Temperature > 0 {
		params.Temperature = openai.Float(req.Temperature)
	}
	if req.MaxTokens > 0 {
		params.MaxTokens = openai.Int(int64(req.MaxTokens))
	}
	if req.UserID != "" {
		// OpenRouter passes "user" upstream as the end user's identity, so
		// that a provider's block hits that person and not the whole key.
		// Not safety_identifier: OpenRouter reads it only on its Responses
		// API, and a strict OpenAI-compatible server may refuse a field it
		// does not know, while every one of them takes "user".
		params.User = openai.String(req.UserID)
	}
	if c.openRouter {
		extra := map[string]any{"provider": map[string]any{"require_parameters": true}}
		if len(c.o.Fallbacks) > 0 && req.Model == "" {
			// OpenRouter's own fallbacks, for a primary model that fails.
			extra["models"] = c.o.Fallbacks
		}
		params.SetExtraFields(extra)
	}
	var httpResp *http.Response
	res, err := c.api.Chat.Completions.New(ctx, params, option.WithResponseInto(&httpResp))
	if err != nil {
		return generia.TextResult{}, c.classify(ctx, err)
	}
	out := generia.TextResult{
		Model: res.Model, TokensIn: res.Usage.PromptTokens, TokensOut: res.Usage.CompletionTokens,
		CostUSD: extraFloat(res.Usage.JSON.ExtraFields, "cost"),
	}
	if out.Model == "" {
		out.Model = model
	}
	// OpenRouter reports errors that happen after the answer started inside
	// a 200: as a top-level error, or as a choice that finished with "error".
	if f, ok := res.JSON.ExtraFields["error"]; ok && f.Raw() != "" && f.Raw() != "null" {
		return out, c.inBandError(f.Raw())
	}
	if len(res.Choices) == 0 {
		return out, c.unavailable("the answer has no choices", 0)
	}
	choice := res.Choices[0]
	if choice.FinishReason == "error" {
		// A non-streaming provider error, an output content filter among
		// them.
		raw := ""
		if f, ok := choice.JSON.ExtraFields["error"]; ok {
			raw = f.Raw()
		}
		return out, c.inBandError(raw)
	}
	out.FinishReason = choice.FinishReason
	out.JSON = []byte(strings.TrimSpace(choice.Message.Content))
	out.Refusal = choice.Message.Refusal
	return out, nil
}

// apiError is OpenRouter's error object. Its metadata says why a request
// was refused: a moderation flag (reasons, flagged_input), a guardrail
// (patterns) or a typed error (error_type).
type apiError struct {
	Code     json.RawMessage `json:"code"`
	Message  string          `json:"message"`
	Metadata json.RawMessage `json:"metadata"`
}

// metadata is the part of an error's metadata the client reads. Each field
// is decoded on its own, so that one of an unexpected shape does not hide
// the others.
type metadata struct {
	ErrorType    string
	Reasons      []string
	FlaggedInput bool
	Patterns     []string
	ProviderName string
}

func (e apiError) status() int {
	n, _ := strconv.Atoi(strings.Trim(string(e.Code), `"`))
	return n
}

func (e apiError) metadata() metadata {
	var fields map[string]json.RawMessage
	if json.Unmarshal(e.Metadata, &fields) != nil {
		return metadata{}
	}
	str := func(key string) string {
		var s string
		_ = json.Unmarshal(fields[key], &s)
		return s
	}
	strs := func(key string) []string {
		var ss []string
		if json.Unmarshal(fields[key], &ss) != nil {
			if s := str(key); s != "" {
				ss = []string{s}
			}
		}
		return ss
	}
	_, flagged := fields["flagged_input"]
	return metadata{
		ErrorType: str("error_type"), Reasons: strs("reasons"), FlaggedInput: flagged,
		Patterns: strs("patterns"), ProviderName: str("provider_name"),
	}
}

// refusal says why the provider refused the content of a request, or ""
// when the error is not a content refusal: a moderation flag (a 403 with
// reasons or flagged_input), a guardrail block (a 403 with patterns), a
// content filter or a model's refusal (error_type content_policy_violation
// or refusal, usually a 400), or an error that names a content filter (an
// output filter reports one inside a 200). What the person wrote
// (flagged_input) is left out: the reasons say enough, and the message is
// kept in logs and the ledger.
func refusal(status int, msg string, md metadata) string {
	var why string
	switch {
	case status == http.StatusForbidden && (len(md.Reasons) > 0 || md.FlaggedInput):
		why = "moderation flagged the input"
		if md.ProviderName != "" {
			why = md.ProviderName + "'s moderation flagged the input"
		}
		if len(md.Reasons) > 0 {
			why += ": " + strings.Join(md.Reasons, ", ")
		}
	case status == http.StatusForbidden && len(md.Patterns) > 0:
		why = "a guardrail blocked the request (" + strings.Join(md.Patterns, "; ") + ")"
	case md.ErrorType == "content_policy_violation":
		why = "a content filter flagged it"
	case md.ErrorType == "refusal":
		why = "the model refused to answer"
	case strings.Contains(strings.ToLower(strings.ReplaceAll(msg, "_", " ")), "content filter"):
		why = "a content filter stopped it"
	default:
		return ""
	}
	if msg != "" {
		why += "; it said: " + msg
	}
	return "the provider refused the content: " + why
}

// classify turns an SDK error into a ProviderError by HTTP status.
func (c *Client) classify(ctx context.Context, err error) error {
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// No answer: a timeout or a connection error.
		return &generia.ProviderError{Provider: c.name, Kind: generia.KindUnavailable, Message: "no answer: " + err.Error(), Err: err}
	}
	var body apiError
	_ = json.Unmarshal([]byte(apiErr.RawJSON()), &body)
	md := body.metadata()
	msg := body.Message
	if msg == "" {
		msg = apiErr.Message
	}
	if msg == "" {
		msg = http.StatusText(apiErr.StatusCode)
	}
	pe := &generia.ProviderError{Provider: c.name, Status: apiErr.StatusCode, Code: md.ErrorType, Message: msg, Err: err}
	if apiErr.Response != nil {
		pe.RetryAfter = retryAfter(apiErr.Response.Header.Get("Retry-After"))
	}
	pe.Kind = kindOf(apiErr.StatusCode)
	switch why := refusal(apiErr.StatusCode, msg, md); {
	case why != "":
		pe.Kind, pe.Message, pe.RetryAfter = generia.KindRefused, why, 0
	case pe.Kind == generia.KindLimit:
		pe.Message = "out of credits: " + msg
	}
	return pe
}

// inBandError classifies an error that arrived inside a 200 body.
func (c *Client) inBandError(raw string) error {
	var e apiError
	_ = json.Unmarshal([]byte(raw), &e)
	md := e.metadata()
	pe := &generia.ProviderError{Provider: c.name, Status: http.StatusOK, Code: md.ErrorType}
	if why := refusal(e.status(), e.Message, md); why != "" {
		pe.Kind, pe.Message = generia.KindRefused, why+" (error inside a 200 answer)"
		return pe
	}
	msg := e.Message
	if msg == "" {
		msg = "the provider failed while answering"
	}
	pe.Message = msg + " (error inside a 200 answer)"
	pe.Kind = generia.KindUnavailable
	if s := e.status(); s != 0 && s != http.StatusOK {
		pe.Kind = kindOf(s)
	}
	return pe
}

func (c *Client) unavailable(msg string, status int) error {
	return &generia.ProviderError{Provider: c.name, Kind: generia.KindUnavailable, Status: status, Message: msg}
}

// kindOf classifies an HTTP status: what retrying can and cannot fix.
func kindOf(status int) generia.Kind {
	switch {
	case status == http.StatusPaymentRequired:
		return generia.KindLimit
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return generia.KindUnauthorized
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		return generia.KindUnavailable
	case status >= 400:
		return generia.KindInvalid
	}
	return generia.KindUnavailable
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

func extraFloat[F interface{ Raw() string }](fields map[string]F, key string) float64 {
	f, ok := fields[key]
	if !ok {
		return 0
	}
	v, _ := strconv.ParseFloat(f.Raw(), 64)
	return v
}
