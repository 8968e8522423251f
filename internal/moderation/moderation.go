// Package moderation holds Generia's Moderator backends: the offline word
// list (the default, needing nothing), an OpenAI-compatible /moderations
// endpoint, a guard model (Llama Guard) behind chat completions, and off.
// Each maps its service's categories onto Generia's taxonomy; a service
// that fails or answers what it should not is an error, never a pass.
package moderation

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

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/secret"
)

// The backends (GENERIA_MODERATION).
const (
	BackendOffline = "offline"
	BackendOpenAI  = "openai"
	BackendGuard   = "guard"
	BackendOff     = "off"
)

// Backends lists the backends, the default first.
var Backends = []string{BackendOffline, BackendOpenAI, BackendGuard, BackendOff}

// Default models of the backends that call a service.
const (
	DefaultOpenAIModel = "omni-moderation-latest"
	DefaultGuardModel  = "meta-llama/llama-guard-4-12b"
)

// DefaultTimeout bounds one call to a moderation service when
// Config.Timeout is not set: a check stands between content and its
// readers, so it may not take long.
const DefaultTimeout = 30 * time.Second

// Provider names moderation services in their errors.
const Provider = "moderation"

// Config chooses and configures a backend.
type Config struct {
	// Backend is one of Backends; empty is BackendOffline.
	Backend string
	// BaseURL is the API of openai and guard (required for them): the base
	// of /moderations, or of /chat/completions, such as
	// https://api.openai.com/v1 or https://openrouter.ai/api/v1.
	BaseURL string
	// APIKey is sent as a bearer token; empty sends none (a local server).
	APIKey string
	// Model is the service's model; empty is DefaultOpenAIModel or
	// DefaultGuardModel.
	Model string
	// HTTP is the client of the calls; nil is the SDK's.
	HTTP *http.Client
	// Timeout bounds one call; zero is DefaultTimeout.
	Timeout time.Duration
}

// New returns the backend cfg names. It fails, saying what to set, on an
// unknown backend or a service backend without an http(s) base URL.
func New(cfg Config) (generia.Moderator, error) {
	switch cfg.Backend {
	case "", BackendOffline:
		return NewOffline(), nil
	case BackendOff:
		return Off{}, nil
	case BackendOpenAI:
		if cfg.Model == "" {
			cfg.Model = DefaultOpenAIModel
		}
		api, err := newAPI(cfg)
		if err != nil {
			return nil, err
		}
		return &OpenAI{api: api, model: cfg.Model, scrub: secret.New(cfg.APIKey)}, nil
	case BackendGuard:
		if cfg.Model == "" {
			cfg.Model = DefaultGuardModel
		}
		api, err := newAPI(cfg)
		if err != nil {
			return nil, err
		}
		return &Guard{api: api, model: cfg.Model, scrub: secret.New(cfg.APIKey)}, nil
	}
	return nil, fmt.Errorf("GENERIA_MODERATION=%q: want one of %s", cfg.Backend, strings.Join(Backends, ", "))
}

// Off passes everything: the operator chose no checks.
type Off struct{}

// Name is "off".
func (Off) Name() string { return BackendOff }

// CheckText passes the text.
func (Off) CheckText(context.Context, generia.TextCheck) (generia.Verdict, error) {
	return generia.Verdict{Checker: BackendOff}, nil
}

// CheckImage passes the image.
func (Off) CheckImage(context.Context, generia.ImageCheck) (generia.Verdict, error) {
	return generia.Verdict{Checker: BackendOff}, nil
}

// newAPI returns an SDK client of cfg's service, with the SDK's own
// retries off: the caller's workflow retries.
func newAPI(cfg Config) (openai.Client, error) {
	u, err := url.Parse(cfg.BaseURL)
	if cfg.BaseURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		what := "an OpenAI-compatible API whose /moderations to call, such as https://api.openai.com/v1"
		if cfg.Backend == BackendGuard {
			what = "a chat-completions API serving a guard model, such as https://openrouter.ai/api/v1"
		}
		return openai.Client{}, fmt.Errorf("GENERIA_MODERATION=%s needs MODERATION_BASE_URL (got %q): %s", cfg.Backend, cfg.BaseURL, what)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	key := cfg.APIKey
	opts := []option.RequestOption{
		option.WithBaseURL(cfg.BaseURL),
		option.WithMaxRetries(0),
		option.WithRequestTimeout(cfg.Timeout),
		option.WithMiddleware(func(r *http.Request, next option.MiddlewareNext) (*http.Response, error) {
			// The SDK's environment defaults (OPENAI_API_KEY, OPENAI_ORG_ID)
			// do not belong to this service.
			r.Header.Del("OpenAI-Organization")
			r.Header.Del("OpenAI-Project")
			if key == "" {
				r.Header.Del("Authorization")
			}
			return next(r)
		}),
	}
	if key != "" {
		opts = append(opts, option.WithAPIKey(key))
	}
	if cfg.HTTP != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTP))
	}
	return openai.NewClient(opts...), nil
}

// classify turns an SDK error into a ProviderError: 429, 408, 5xx and no
// answer are KindUnavailable (retry, after RetryAfter), 401 and 403
// KindUnauthorized, other 4xx KindInvalid (too many images, an image too
// large: retrying cannot help). The message is the service's JSON message
// or the status's name, never the body itself (an HTML page).
func classify(ctx context.Context, err error) error {
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &generia.ProviderError{Provider: Provider, Kind: generia.KindUnavailable, Message: "no answer: " + err.Error(), Err: err}
	}
	// The SDK keeps the "error" object of a JSON answer; of an HTML page,
	// nothing that decodes.
	var body struct {
		Message string `json:"message"`
		Code    any    `json:"code"`
	}
	msg := http.StatusText(apiErr.StatusCode)
	code := ""
	if json.Unmarshal([]byte(apiErr.RawJSON()), &body) == nil && body.Message != "" {
		msg = body.Message
		if s, ok := body.Code.(string); ok {
			code = s
		}
	}
	if msg == "" {
		msg = "HTTP error"
	}
	pe := &generia.ProviderError{Provider: Provider, Status: apiErr.StatusCode, Code: code, Message: msg}
	if apiErr.Response != nil {
		pe.RetryAfter = retryAfter(apiErr.Response.Header.Get("Retry-After"))
	}
	switch s := apiErr.StatusCode; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		pe.Kind = generia.KindUnauthorized
	case s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500:
		pe.Kind = generia.KindUnavailable
	case s == http.StatusPaymentRequired:
		pe.Kind = generia.KindLimit
	case s >= 400:
		pe.Kind = generia.KindInvalid
	default:
		pe.Kind = generia.KindUnavailable
	}
	return pe
}

// unavailable is the error of an answer that cannot be trusted: the check
// did not happen, and the content waits.
func unavailable(format string, args ...any) error {
	return &generia.ProviderError{Provider: Provider, Kind: generia.KindUnavailable, Status: http.StatusOK, Message: fmt.Sprintf(format, args...)}
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// SeesImages says whether a backend judges pictures: only an
// OpenAI-compatible moderation endpoint does. The others are not asked
// about people's images (a word list cannot see them; a guard model is not
// made for generated ones).
func (Off) SeesImages() bool        { return false }
func (o *Offline) SeesImages() bool { return false }
func (g *Guard) SeesImages() bool   { return false }
func (o *OpenAI) SeesImages() bool  { return true }
