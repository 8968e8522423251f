package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/generia/generia/internal/generia"
)

// Setting is one environment variable of the configuration: FromEnv reads
// it, `generia config` prints it, and the README's configuration table
// documents it (a test holds the README to Settings).
type Setting struct {
	Env string
	// Flag overrides the variable, when the setting has one.
	Flag string
	// Default is the value of an unset or empty variable; "" is none.
	Default string
	// Unset says in words what the default means, where Default alone
	// does not say it (the README shows it).
	Unset string
	// Help says what the setting does, in the README's Markdown.
	Help string
	// Secret settings are printed only as set or not, and scrubbed from
	// whatever leaves the process.
	Secret bool
	// Name settings hold names, never an address with credentials: they
	// are printed as they are (a model such as runware:100@1 is not
	// user:password@host).
	Name bool

	value value
}

// Value is the setting's value in the Config whose Settings it came from,
// as text.
func (s Setting) Value() string { return s.value.String() }

// Provider defaults.
const (
	DefaultLLMBaseURL = "https://openrouter.ai/api/v1"
	// DefaultLLMModel is inexpensive and supports structured outputs.
	DefaultLLMModel     = "google/gemini-2.5-flash-lite"
	DefaultImageBaseURL = "https://api.runware.ai/v1"
	DefaultImageModel   = "runware:100@1"
)

// Settings lists every setting, bound to c, in the order `generia config`
// prints them and the README lists them.
func (c *Config) Settings() []Setting {
	cc := &c.Concurrency
	return []Setting{
		{Env: "GENERIA_DATA_DIR", Flag: "--data-dir", Default: "./data", value: text{&c.DataDir},
			Help: "SQLite store, media, the embedded Temporal database, the local operator token"},
		{Env: "GENERIA_ADDR", Flag: "--addr", Default: "127.0.0.1:8080", value: text{&c.Addr},
			Help: "HTTP address of the API and the web UI (and their `/metrics`, `/healthz`, `/readyz`)"},
		{Env: "DATABASE_URL", Flag: "--database-url", Unset: "SQLite in the data dir", Secret: true, value: text{&c.DatabaseURL},
			Help: "PostgreSQL store, e.g. `postgres://generia:…@db:5432/generia`; migrations apply at start and with `generia migrate`"},
		{Env: "S3_ENDPOINT", Unset: "media in the data dir", value: text{&c.S3Endpoint},
			Help: "S3-compatible media store, e.g. `https://s3.eu-west-1.amazonaws.com` or `http://minio:9000`"},
		{Env: "S3_BUCKET", Default: "generia-media", value: text{&c.S3Bucket},
			Help: "bucket of the media (created if missing)"},
		{Env: "S3_ACCESS_KEY", Secret: true, value: text{&c.S3AccessKey},
			Help: "S3 access key"},
		{Env: "S3_SECRET_KEY", Secret: true, value: text{&c.S3SecretKey},
			Help: "S3 secret key"},
		{Env: "S3_REGION", Default: "us-east-1", value: text{&c.S3Region},
			Help: "S3 region"},
		{Env: "S3_USE_PATH_STYLE", Default: "false", value: boolean{&c.S3PathStyle},
			Help: "path-style bucket URLs (MinIO, versitygw, most self-hosted servers)"},
		{Env: "GENERIA_MEDIA_REDIRECT", Default: "false", value: boolean{&c.MediaRedirect},
			Help: "serve media by a redirect to a presigned S3 URL instead of through the API"},
		{Env: "GENERIA_METRICS_ADDR", Flag: "--metrics-addr", value: text{&c.MetricsAddr},
			Help: "an address of the operator's where any role serves `/metrics`, `/healthz` and `/readyz`, without authentication; " +
				"without it a `worker` serves none and the API serves `/metrics` only to the operator token"},
		{Env: "TEMPORAL_ADDRESS", Flag: "--temporal-addr", Default: "127.0.0.1:7233", value: text{&c.TemporalAddr},
			Help: "Temporal frontend: where `up` serves it, where `api` and `worker` connect"},
		{Env: "GENERIA_TEMPORAL_UI_ADDR", Flag: "--temporal-ui-addr", Default: "127.0.0.1:8233", value: text{&c.TemporalUIAddr},
			Help: "Temporal Web UI of the embedded server; `off` disables it"},
		{Env: "GENERIA_TEMPORAL_HTTP_PORT", Default: "0", value: port{&c.TemporalHTTPPort},
			Help: "the embedded Temporal frontend's HTTP API (it takes commands from any web page that can reach it); `0` keeps it off"},
		{Env: "TEMPORAL_NAMESPACE", Flag: "--temporal-namespace", Default: "default", value: text{&c.TemporalNamespace},
			Help: "Temporal namespace; checked at start, with a clear error if it does not exist"},
		{Env: "TEMPORAL_TLS_CA", Unset: "system roots", value: text{&c.TemporalTLSCA},
			Help: "CA file to verify an external Temporal's certificate (turns TLS on)"},
		{Env: "TEMPORAL_TLS_CERT", value: text{&c.TemporalTLSCert},
			Help: "client certificate file (mTLS), with `TEMPORAL_TLS_KEY` (turns TLS on)"},
		{Env: "TEMPORAL_TLS_KEY", value: text{&c.TemporalTLSKey},
			Help: "client key file (mTLS), with `TEMPORAL_TLS_CERT`"},
		{Env: "TEMPORAL_TLS_SERVER_NAME", Unset: "the address's host", value: text{&c.TemporalTLSServerName},
			Help: "server name to verify (turns TLS on)"},
		{Env: "TEMPORAL_API_KEY", Secret: true, value: text{&c.TemporalAPIKey},
			Help: "API key, e.g. Temporal Cloud (turns TLS on)"},
		{Env: "GENERIA_NO_SAMPLE", Flag: "--no-sample", Default: "false", value: boolean{&c.NoSample},
			Help: "skip the sample world on the first start"},
		{Env: "GENERIA_QUEUES", Flag: "--queues", Default: "main,llm,images,progress,services", value: text{&c.Queues},
			Help: "task queues a `worker` serves"},
		{Env: "MAX_CONCURRENT_TASKS", Default: "500", value: positive{&cc.Tasks},
			Help: "activities at once in one process, all queues together"},
		{Env: "MAX_CONCURRENT_LLM_REQUESTS", Default: "50", value: positive{&cc.LLM},
			Help: "LLM activities at once per process (llm queue)"},
		{Env: "MAX_CONCURRENT_IMAGE_REQUESTS", Default: "30", value: positive{&cc.Images},
			Help: "image activities at once per process (images queue)"},
		{Env: "MAX_CONCURRENT_GRPC_CALLS", Default: "100", value: positive{&cc.Services},
			Help: "data-writing activities at once per process (services queue)"},
		{Env: "MAX_CONCURRENT_DB_OPERATIONS", Default: "20", value: positive{&cc.Progress},
			Help: "status activities at once per process (progress queue)"},
		{Env: "MAX_WORKFLOW_TASKS_PER_WORKER", Default: "100", value: positive{&cc.WorkflowTasks},
			Help: "workflow tasks at once per worker"},
		{Env: "MAX_ACTIVITIES_PER_WORKER", Default: "200", value: positive{&cc.ActivitiesPerWorker},
			Help: "activities at once on any one worker (the main queue's, and a cap on the others')"},
		{Env: "GENERIA_OFFLINE_LLM_LATENCY", Default: "0", value: duration{&c.OfflineLLMLatency},
			Help: "simulated latency of each offline LLM call, varying by call up to twice it as real models do (Go duration, e.g. `3s`)"},
		{Env: "GENERIA_OFFLINE_IMAGE_LATENCY", Default: "0", value: duration{&c.OfflineImageLatency},
			Help: "simulated latency of each offline image, varying by image up to twice it"},
		{Env: "OPENROUTER_API_KEY", Unset: "none: offline text", Secret: true, value: text{&c.OpenRouterAPIKey},
			Help: "key of OpenRouter or another OpenAI-compatible API"},
		// Unset, the base URL stays empty: LLMConfigured tells a server that
		// needs no key by it.
		{Env: "OPENROUTER_BASE_URL", Unset: "`" + DefaultLLMBaseURL + "`", value: text{&c.OpenRouterBaseURL},
			Help: "chat-completions API; alone (no key) for Ollama, vLLM, llama.cpp"},
		{Env: "LLM_MODEL", Name: true, Default: DefaultLLMModel, value: text{&c.LLMModel},
			Help: "model of every LLM call"},
		{Env: "LLM_FALLBACK_MODELS", Name: true, value: list{&c.LLMFallbackModels},
			Help: "comma list of models OpenRouter tries when `LLM_MODEL` fails, and Generia asks in turn when `LLM_MODEL`'s answers stay invalid"},
		{Env: "RUNWARE_API_KEY", Unset: "none: offline images", Secret: true, value: text{&c.RunwareAPIKey},
			Help: "key of Runware"},
		{Env: "RUNWARE_BASE_URL", Default: DefaultImageBaseURL, value: text{&c.RunwareBaseURL},
			Help: "Runware REST API"},
		{Env: "IMAGE_MODEL", Name: true, Default: DefaultImageModel, value: text{&c.ImageModel},
			Help: "Runware model of every image"},
		{Env: "GENERIA_MODERATION", Default: "offline", value: oneOf{&c.Moderation.Backend, []string{"offline", "openai", "guard", "off"}},
			Help: "what checks content before it is published: `offline` (a word list that only holds for review), " +
				"`openai` (an OpenAI-compatible `/moderations`), `guard` (a guard model such as Llama Guard through chat completions), `off`"},
		{Env: "MODERATION_BASE_URL", Unset: "none; required by `openai` and `guard`", value: text{&c.Moderation.BaseURL},
			Help: "API of the moderation service: the base of `/moderations` (e.g. `https://api.openai.com/v1`) or of a guard model's chat completions (e.g. `https://openrouter.ai/api/v1`)"},
		{Env: "MODERATION_API_KEY", Secret: true, value: text{&c.Moderation.APIKey},
			Help: "key of the moderation service; unset sends none (a local server)"},
		{Env: "MODERATION_MODEL", Name: true, Unset: "`omni-moderation-latest` (`openai`), `meta-llama/llama-guard-4-12b` (`guard`)", value: text{&c.Moderation.Model},
			Help: "model of the moderation service"},
		{Env: "GENERIA_MODERATION_ACTIONS", Unset: "hold every category, block `sexual/minors`", value: policy{&c.Moderation.Policy},
			Help: "what happens to flagged content, per category: a comma list of `category=decision`, e.g. `sexual=label,violence/graphic=block`; " +
				"categories `sexual`, `sexual/minors`, `violence`, `violence/graphic`, `self-harm`, `hate`, `harassment`, `illicit`, `spam`; " +
				"decisions `allow`, `label`, `hold`, `block` (the `offline` word list holds what a rule would block)"},
		{Env: "LLM_REQUESTS_PER_SECOND", Default: "0", Unset: "no cap", value: number{&cc.LLMPerSecond, 'g', -1},
			Help: "LLM calls per second, all workers together (Temporal's task-queue rate)"},
		{Env: "IMAGE_REQUESTS_PER_SECOND", Default: "0", Unset: "no cap", value: number{&cc.ImagesPerSecond, 'g', -1},
			Help: "image calls per second, all workers together"},
		{Env: "GENERIA_WORLD_BUDGET_USD", Default: "2", value: number{&c.WorldBudgetUSD, 'f', 2},
			Help: "most one world may spend on providers; a world that would exceed it stops and keeps what it made; `0`: no budget"},
		{Env: "GENERIA_LIFE", Default: "true", value: boolean{&c.Life.Enabled},
			Help: "worlds live after their generation: characters answer comments and act on their own while watched (each owner may turn theirs off)"},
		{Env: "GENERIA_LIFE_ACTIONS_PER_HOUR", Default: "6", value: number{&c.Life.ActionsPerHour, 'g', -1},
			Help: "actions of a world's own per hour while it is awake (a new world's setting; its owner may change it); `0`: answers only"},
		{Env: "GENERIA_LIFE_IDLE", Default: "10m", value: duration{&c.Life.Idle},
			Help: "a world with no viewer for this long sleeps: no call, no timer, until a view or a comment wakes it"},
		{Env: "GENERIA_LIFE_DAILY_CALLS", Default: "200", value: positive{&c.Life.DailyCalls},
			Help: "provider calls a world's life may make per day (UTC), then it rests until the next (a new world's setting)"},
		{Env: "GENERIA_LIFE_DAILY_BUDGET_USD", Default: "0.50", value: number{&c.Life.DailyBudgetUSD, 'f', 2},
			Help: "what a world's life may spend per day (a new world's setting)"},
		{Env: "GENERIA_LIFE_MAX_ACTIONS_PER_HOUR", Default: "60", value: number{&c.Ceilings.LifeActionsPerHour, 'g', -1},
			Help: "the most actions an hour an owner may choose for a world's life; a lower ceiling slows existing worlds at once; `0`: no ceiling"},
		{Env: "GENERIA_LIFE_MAX_DAILY_CALLS", Default: "500", value: count{&c.Ceilings.LifeDailyCalls},
			Help: "the most provider calls a day an owner may choose for a world's life; a lower ceiling holds existing worlds from their next call; `0`: no ceiling"},
		{Env: "GENERIA_LIFE_MAX_DAILY_BUDGET_USD", Default: "1", value: number{&c.Ceilings.LifeDailyBudgetUSD, 'f', 2},
			Help: "the most an owner may choose for a world's life to spend a day; a lower ceiling holds existing worlds from their next call; `0`: no ceiling"},
		{Env: "GENERIA_ACCOUNT_DAILY_CALLS", Default: "2000", value: count{&c.Ceilings.DailyCalls},
			Help: "provider calls one account's worlds may make a day (UTC), generations and lives together (worlds of the offline providers are free); " +
				"the operator raises one account's with `generia account ceilings`; `0`: no ceiling"},
		{Env: "GENERIA_ACCOUNT_DAILY_BUDGET_USD", Default: "5", value: number{&c.Ceilings.DailyBudgetUSD, 'f', 2},
			Help: "what one account's worlds may spend a day (UTC) on providers, generations and lives together; a generation past it fails " +
				"with what it made, a life rests until the next day; `0`: no ceiling"},
		{Env: "GENERIA_JWT_SECRET", Unset: "generated, kept in the data dir", Secret: true, value: text{&c.JWTSecret},
			Help: "signs access tokens; set the same value, of at least 32 characters, on every API process"},
		{Env: "GENERIA_LOGIN_RATE", Default: "10/1m", value: text{&c.LoginRate},
			Help: "sign-in attempts per address (`n/period`); failed ones per account and address half as many (then refused), " +
				"per account from everywhere 20 times as many (then slowed down by 2 s, never refused)"},
		{Env: "GENERIA_REGISTER_RATE", Default: "5/1h", value: text{&c.RegisterRate},
			Help: "registrations per address"},
		{Env: "GENERIA_UPLOAD_RATE", Default: "30/1h", value: text{&c.UploadRate},
			Help: "images one account may upload"},
		{Env: "GENERIA_UPLOAD_MB", Default: "100", value: positive{&c.UploadMB},
			Help: "megabytes one account may upload in `GENERIA_UPLOAD_RATE`'s period"},
		{Env: "GENERIA_WORLD_RATE", Default: "20/1h", value: text{&c.WorldRate},
			Help: "worlds one account may create (an address half again as many)"},
		{Env: "GENERIA_COMMENT_RATE", Default: "30/10m", value: text{&c.CommentRate},
			Help: "comments one account may write, each of which a world's characters may answer (an address half again as many)"},
		{Env: "GENERIA_POST_RATE", Default: "20/10m", value: text{&c.PostRate},
			Help: "posts one account may publish, each of which draws characters' reactions (an address half again as many)"},
		{Env: "GENERIA_LIFE_RATE", Default: "20/10m", value: text{&c.LifeRate},
			Help: "changes to worlds' life settings one account may make (an address half again as many)"},
		{Env: "GENERIA_NEWCOMER_RATES", Default: "worlds=5/24h,lives=10/24h,posts=20/24h,comments=50/24h,uploads=20/24h", value: text{&c.NewcomerRates},
			Help: "what an account may do in its first `GENERIA_NEWCOMER_HOURS` (and an account moderators limited, whatever its age), " +
				"besides its own rates: `kind=n/period` for worlds, lives (changes to a world's life), posts, comments and uploads"},
		{Env: "GENERIA_NEWCOMER_HOURS", Default: "24", value: count{&c.NewcomerHours},
			Help: "how long a new account is held to `GENERIA_NEWCOMER_RATES`; `0`: only accounts moderators limited"},
		{Env: "GENERIA_STREAM_RATE", Default: "60/1m", value: text{&c.StreamRate},
			Help: "event and status streams one account may open (an address half again as many)"},
		{Env: "GENERIA_REPORT_RATE", Default: "20/1h", value: text{&c.ReportRate},
			Help: "reports one account may file (an address half again as many)"},
		{Env: "GENERIA_INVITATION_RATE", Default: "30/1h", value: text{&c.InvitationRate},
			Help: "invitations one account may make or accept (an address half again as many)"},
		{Env: "GENERIA_STREAMS_PER_ADDRESS", Default: "20", value: positive{&c.Streams.PerAddress},
			Help: "live streams (a world's events, a generation's status) one client address may hold open at once on one API process; more get 429"},
		{Env: "GENERIA_STREAMS_PER_ACCOUNT", Default: "20", value: positive{&c.Streams.PerAccount},
			Help: "live streams one account may hold open at once on one API process"},
		{Env: "GENERIA_STREAMS_MAX", Default: "10000", value: positive{&c.Streams.Max},
			Help: "live streams one API process holds open at once, from everyone"},
		{Env: "REDIS_URL", Unset: "none: limits per process", value: text{&c.RedisURL},
			Help: "Redis that keeps every rate limit for all API processes together, e.g. `redis://127.0.0.1:6379/0`"},
		{Env: "GENERIA_TRUSTED_PROXIES", value: text{&c.TrustedProxies},
			Help: "reverse proxies and load balancers (addresses, CIDR ranges) whose `X-Forwarded-For` names the client " +
				"for the per-address limits (IPv6 clients count per /64)"},
		{Env: "GENERIA_SECURE_COOKIES", Default: "false", value: boolean{&c.SecureCookies},
			Help: "mark the web UI's cookies `Secure`; set it behind HTTPS"},
		{Env: "GENERIA_LOG_LEVEL", Flag: "--log-level", Default: "info", value: text{&c.LogLevel},
			Help: "`debug`, `info`, `warn`, `error`"},
		{Env: "GENERIA_LOG_FORMAT", Flag: "--log-format", Default: "text", value: text{&c.LogFormat},
			Help: "`text` or `json`"},
		{Env: "GENERIA_SERVER", Flag: "--server", Default: "http://127.0.0.1:8080", value: text{&c.Server},
			Help: "the API the CLI talks to"},
		{Env: "GENERIA_TOKEN", Flag: "--token", Unset: "the operator token in the data dir", Secret: true, value: text{&c.Token},
			Help: "the CLI's access token"},
	}
}

// value is where a setting goes in a Config: set parses the variable's
// text (its error names the variable and what it wants), String formats
// the value back.
type value interface {
	set(env, s string) error
	String() string
}

type text struct{ p *string }

func (v text) set(_, s string) error { *v.p = s; return nil }
func (v text) String() string        { return *v.p }

// positive is a whole number of at least 1.
type positive struct{ p *int }

func (v positive) set(env, s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("%s=%q: want a positive whole number", env, s)
	}
	*v.p = n
	return nil
}

func (v positive) String() string { return strconv.Itoa(*v.p) }

// port is a TCP port, or 0 for none.
type port struct{ p *int }

func (v port) set(env, s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 {
		return fmt.Errorf("%s=%q: want a port from 1 to 65535, or 0 for off", env, s)
	}
	*v.p = n
	return nil
}

func (v port) String() string { return strconv.Itoa(*v.p) }

// count is a whole number ≥ 0.
type count struct{ p *int }

func (v count) set(env, s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return fmt.Errorf("%s=%q: want a whole number ≥ 0", env, s)
	}
	*v.p = n
	return nil
}

func (v count) String() string { return strconv.Itoa(*v.p) }

// number is a number ≥ 0, printed in strconv.FormatFloat's format and
// precision.
type number struct {
	p      *float64
	format byte
	prec   int
}

func (v number) set(env, s string) error {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= 0) || math.IsInf(f, 0) { // NaN is not ≥ 0
		return fmt.Errorf("%s=%q: want a number ≥ 0", env, s)
	}
	*v.p = f
	return nil
}

func (v number) String() string { return strconv.FormatFloat(*v.p, v.format, v.prec, 64) }

// duration is a Go duration ≥ 0.
type duration struct{ p *time.Duration }

func (v duration) set(env, s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("%s=%q: want a Go duration such as 3s or 250ms", env, s)
	}
	*v.p = d
	return nil
}

func (v duration) String() string { return v.p.String() }

type boolean struct{ p *bool }

func (v boolean) set(env, s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%s: want true or false", env)
	}
	*v.p = b
	return nil
}

func (v boolean) String() string { return strconv.FormatBool(*v.p) }

// oneOf is one of a few words.
type oneOf struct {
	p       *string
	choices []string
}

func (v oneOf) set(env, s string) error {
	if !slices.Contains(v.choices, s) {
		return fmt.Errorf("%s=%q: want one of %s", env, s, strings.Join(v.choices, ", "))
	}
	*v.p = s
	return nil
}

func (v oneOf) String() string { return *v.p }

// policy is the moderation's decision per category (generia.ParsePolicy);
// empty is generia.DefaultPolicy.
type policy struct{ p *generia.Policy }

func (v policy) set(env, s string) error {
	p, err := generia.ParsePolicy(s)
	if err != nil {
		return fmt.Errorf("%s: %w", env, err)
	}
	*v.p = p
	return nil
}

func (v policy) String() string {
	if *v.p == nil {
		return ""
	}
	return v.p.String()
}

// list is a comma list; blanks around and between the commas are dropped.
type list struct{ p *[]string }

func (v list) set(_, s string) error {
	*v.p = nil
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*v.p = append(*v.p, item)
		}
	}
	return nil
}

func (v list) String() string { return strings.Join(*v.p, ",") }
