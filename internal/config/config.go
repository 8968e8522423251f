// Package config loads Generia's one configuration struct from the
// environment, a .env file in the working directory and command-line flags,
// in that order of increasing precedence.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/joho/godotenv"

	"github.com/generia/generia/internal/secret"
)

// Config is every setting of every role.
type Config struct {
	DataDir string // GENERIA_DATA_DIR
	Addr    string // GENERIA_ADDR: the HTTP API and web UI
	// MetricsAddr serves /metrics, /healthz and /readyz on an address of
	// the operator's, for every role; empty: a worker serves none, and the
	// API serves /metrics on its own address to the operator's token only.
	// GENERIA_METRICS_ADDR
	MetricsAddr string
	// DatabaseURL selects PostgreSQL (postgres://…) instead of the SQLite
	// file in the data dir. DATABASE_URL
	DatabaseURL string
	// S3 media store, used when S3Endpoint is set; else media live in the
	// data dir. S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY, S3_SECRET_KEY,
	// S3_REGION, S3_USE_PATH_STYLE
	S3Endpoint, S3Bucket, S3AccessKey, S3SecretKey, S3Region string
	S3PathStyle                                              bool
	// MediaRedirect serves media by redirect to a presigned S3 URL instead
	// of through the API. GENERIA_MEDIA_REDIRECT
	MediaRedirect bool

	TemporalAddr      string // TEMPORAL_ADDRESS: embedded frontend (up) or the cluster (api, worker)
	TemporalUIAddr    string // GENERIA_TEMPORAL_UI_ADDR: "off" disables it
	TemporalNamespace string // TEMPORAL_NAMESPACE
	// TLS and API key of an external Temporal: TEMPORAL_TLS_CA,
	// TEMPORAL_TLS_CERT, TEMPORAL_TLS_KEY (files), TEMPORAL_TLS_SERVER_NAME,
	// TEMPORAL_API_KEY (Temporal Cloud; implies TLS).
	TemporalTLSCA, TemporalTLSCert, TemporalTLSKey, TemporalTLSServerName, TemporalAPIKey string
	NoSample                                                                              bool // GENERIA_NO_SAMPLE

	Queues      []string // GENERIA_QUEUES (worker role)
	Concurrency Concurrency

	OfflineLLMLatency   time.Duration // GENERIA_OFFLINE_LLM_LATENCY
	OfflineImageLatency time.Duration // GENERIA_OFFLINE_IMAGE_LATENCY

	OpenRouterAPIKey  string   // OPENROUTER_API_KEY
	OpenRouterBaseURL string   // OPENROUTER_BASE_URL
	LLMModel          string   // LLM_MODEL
	LLMFallbackModels []string // LLM_FALLBACK_MODELS
	RunwareAPIKey     string   // RUNWARE_API_KEY
	RunwareBaseURL    string   // RUNWARE_BASE_URL
	ImageModel        string   // IMAGE_MODEL

	WorldBudgetUSD float64 // GENERIA_WORLD_BUDGET_USD; 0: no budget

	JWTSecret string // GENERIA_JWT_SECRET; empty: a secret kept in the data dir
	// LoginRate, RegisterRate and WorldRate rate-limit sign-in (per address
	// and per account), registration (per address) and world creation (per
	// account), as "n/period". GENERIA_LOGIN_RATE, GENERIA_REGISTER_RATE,
	// GENERIA_WORLD_RATE
	LoginRate, RegisterRate, WorldRate string
	// UploadRate is how many images one account may upload, as
	// "n/period", and UploadMB how many megabytes in that period.
	// GENERIA_UPLOAD_RATE, GENERIA_UPLOAD_MB
	UploadRate string
	UploadMB   int
	// TrustedProxies lists the reverse proxies in front of the API whose
	// X-Forwarded-For names the client (GENERIA_TRUSTED_PROXIES), as
	// addresses and CIDR ranges.
	TrustedProxies string
	// RedisURL keeps the rate limits in Redis, shared by every API process;
	// empty: each process keeps its own. REDIS_URL
	RedisURL string
	// SecureCookies marks the web UI's cookies Secure (GENERIA_SECURE_COOKIES):
	// set it when Generia is served over HTTPS.
	SecureCookies bool
	LogLevel      string // GENERIA_LOG_LEVEL: debug, info, warn, error
	LogFormat     string // GENERIA_LOG_FORMAT: text or json

	// Client settings of the CLI.
	Server string // GENERIA_SERVER
	Token  string // GENERIA_TOKEN
}

// Concurrency is how much a process runs at once, in the seed's
// MAX_CONCURRENT_* settings; the app hands it to the pipeline's workers.
type Concurrency struct {
	Tasks               int // MAX_CONCURRENT_TASKS: activities at once in this process, all queues
	LLM                 int // MAX_CONCURRENT_LLM_REQUESTS: the llm queue
	Images              int // MAX_CONCURRENT_IMAGE_REQUESTS: the images queue
	Services            int // MAX_CONCURRENT_GRPC_CALLS: the services queue
	Progress            int // MAX_CONCURRENT_DB_OPERATIONS: the progress queue
	WorkflowTasks       int // MAX_WORKFLOW_TASKS_PER_WORKER
	ActivitiesPerWorker int // MAX_ACTIVITIES_PER_WORKER: the main queue and the cap of every other

	// LLMPerSecond and ImagesPerSecond cap the provider calls started per
	// second across all workers of the queue; 0 means no cap.
	// LLM_REQUESTS_PER_SECOND, IMAGE_REQUESTS_PER_SECOND
	LLMPerSecond    float64
	ImagesPerSecond float64
}

// Setting documents one setting for the README table and `generia config`.
type Setting struct {
	Env, Flag, Default, Help string
	Secret                   bool
	get                      func(*Config) string
}

// Settings lists every setting.
var Settings = []Setting{
	{"GENERIA_DATA_DIR", "--data-dir", "./data", "where the SQLite store, media, the embedded Temporal database and the local operator token live", false, func(c *Config) string { return c.DataDir }},
	{"GENERIA_ADDR", "--addr", "127.0.0.1:8080", "HTTP address of the API and web UI", false, func(c *Config) string { return c.Addr }},
	{"DATABASE_URL", "--database-url", "(SQLite in the data dir)", "PostgreSQL store, e.g. postgres://generia@db:5432/generia", true, func(c *Config) string { return c.DatabaseURL }},
	{"S3_ENDPOINT", "", "(media in the data dir)", "S3-compatible endpoint of the media store, e.g. https://s3.eu-west-1.amazonaws.com or http://minio:9000", false, func(c *Config) string { return c.S3Endpoint }},
	{"S3_BUCKET", "", "generia-media", "bucket of the media (created if missing)", false, func(c *Config) string { return c.S3Bucket }},
	{"S3_ACCESS_KEY", "", "", "S3 access key", true, func(c *Config) string { return c.S3AccessKey }},
	{"S3_SECRET_KEY", "", "", "S3 secret key", true, func(c *Config) string { return c.S3SecretKey }},
	{"S3_REGION", "", "us-east-1", "S3 region", false, func(c *Config) string { return c.S3Region }},
	{"S3_USE_PATH_STYLE", "", "false", "path-style bucket URLs (MinIO, versitygw, most self-hosted servers)", false, func(c *Config) string { return strconv.FormatBool(c.S3PathStyle) }},
	{"GENERIA_MEDIA_REDIRECT", "", "false", "serve media by redirect to presigned S3 URLs instead of through the API", false, func(c *Config) string { return strconv.FormatBool(c.MediaRedirect) }},
	{"GENERIA_METRICS_ADDR", "--metrics-addr", "(none)", "where any role serves /metrics, /healthz and /readyz, unauthenticated (without it, the API serves /metrics only to the operator token)", false, func(c *Config) string { return c.MetricsAddr }},
	{"TEMPORAL_ADDRESS", "--temporal-addr", "127.0.0.1:7233", "Temporal frontend: where `up` serves it, where `api` and `worker` connect", false, func(c *Config) string { return c.TemporalAddr }},
	{"GENERIA_TEMPORAL_UI_ADDR", "--temporal-ui-addr", "127.0.0.1:8233", "Temporal Web UI of the embedded server; `off` disables it", false, func(c *Config) string { return c.TemporalUIAddr }},
	{"TEMPORAL_NAMESPACE", "--temporal-namespace", "default", "Temporal namespace", false, func(c *Config) string { return c.TemporalNamespace }},
	{"TEMPORAL_TLS_CA", "", "(system roots)", "CA file to verify an external Temporal's certificate", false, func(c *Config) string { return c.TemporalTLSCA }},
	{"TEMPORAL_TLS_CERT", "", "", "client certificate file (mTLS), with TEMPORAL_TLS_KEY", false, func(c *Config) string { return c.TemporalTLSCert }},
	{"TEMPORAL_TLS_KEY", "", "", "client key file (mTLS)", false, func(c *Config) string { return c.TemporalTLSKey }},
	{"TEMPORAL_TLS_SERVER_NAME", "", "", "server name to verify, when it differs from the address", false, func(c *Config) string { return c.TemporalTLSServerName }},
	{"TEMPORAL_API_KEY", "", "", "API key (e.g. Temporal Cloud); turns TLS on", true, func(c *Config) string { return c.TemporalAPIKey }},
	{"GENERIA_NO_SAMPLE", "--no-sample", "false", "do not generate the sample world on the first start", false, func(c *Config) string { return strconv.FormatBool(c.NoSample) }},
	{"GENERIA_QUEUES", "--queues", "main,llm,images,progress,services", "task queues a `worker` serves", false, func(c *Config) string { return strings.Join(c.Queues, ",") }},
	{"MAX_CONCURRENT_TASKS", "", "500", "activities running at once in one process, all queues together", false, func(c *Config) string { return strconv.Itoa(c.Concurrency.Tasks) }},
	{"MAX_CONCURRENT_LLM_REQUESTS", "", "50", "LLM activities at once per process (ai-worker-llm)", false, func(c *Config) string { return strconv.Itoa(c.Concurrency.LLM) }},
	{"MAX_CONCURRENT_IMAGE_REQUESTS", "", "30", "image activities at once per process (ai-worker-images)", false, func(c *Config) string { return strconv.Itoa(c.Concurrency.Images) }},
	{"MAX_CONCURRENT_GRPC_CALLS", "", "100", "data-writing activities at once per process (ai-worker-services)", false, func(c *Config) string { return strconv.Itoa(c.Concurrency.Services) }},
	{"MAX_CONCURRENT_DB_OPERATIONS", "", "20", "status activities at once per process (ai-worker-progress)", false, func(c *Config) string { return strconv.Itoa(c.Concurrency.Progress) }},
	{"MAX_WORKFLOW_TASKS_PER_WORKER", "", "100", "workflow tasks at once per worker", false, func(c *Config) string { return strconv.Itoa(c.Concurrency.WorkflowTasks) }},
	{"MAX_ACTIVITIES_PER_WORKER", "", "200", "activities at once on any one worker (ai-worker-main, and a cap on the others)", false, func(c *Config) string { return strconv.Itoa(c.Concurrency.ActivitiesPerWorker) }},
	{"GENERIA_OFFLINE_LLM_LATENCY", "", "0", "simulated latency of each offline LLM call (Go duration, e.g. 3s)", false, func(c *Config) string { return c.OfflineLLMLatency.String() }},
	{"GENERIA_OFFLINE_IMAGE_LATENCY", "", "0", "simulated latency of each offline image (Go duration)", false, func(c *Config) string { return c.OfflineImageLatency.String() }},
	{"OPENROUTER_API_KEY", "", "(none: offline text)", "key of OpenRouter (or of another OpenAI-compatible API); new worlds use it", true, func(c *Config) string { return c.OpenRouterAPIKey }},
	{"OPENROUTER_BASE_URL", "", DefaultLLMBaseURL, "OpenAI-compatible chat-completions API; set it without a key for Ollama, vLLM or llama.cpp", false, func(c *Config) string { return c.OpenRouterBaseURL }},
	{"LLM_MODEL", "", DefaultLLMModel, "model of every LLM call", false, func(c *Config) string { return c.LLMModel }},
	{"LLM_FALLBACK_MODELS", "", "(none)", "comma list of models OpenRouter tries when LLM_MODEL fails", false, func(c *Config) string { return strings.Join(c.LLMFallbackModels, ",") }},
	{"RUNWARE_API_KEY", "", "(none: offline images)", "key of Runware; new worlds use it", true, func(c *Config) string { return c.RunwareAPIKey }},
	{"RUNWARE_BASE_URL", "", DefaultImageBaseURL, "Runware REST API", false, func(c *Config) string { return c.RunwareBaseURL }},
	{"IMAGE_MODEL", "", DefaultImageModel, "Runware model (AIR id) of every image", false, func(c *Config) string { return c.ImageModel }},
	{"LLM_REQUESTS_PER_SECOND", "", "0 (no limit)", "LLM calls per second across all workers (Temporal's task-queue rate)", false, func(c *Config) string { return strconv.FormatFloat(c.Concurrency.LLMPerSecond, 'g', -1, 64) }},
	{"IMAGE_REQUESTS_PER_SECOND", "", "0 (no limit)", "image calls per second across all workers", false, func(c *Config) string { return strconv.FormatFloat(c.Concurrency.ImagesPerSecond, 'g', -1, 64) }},
	{"GENERIA_WORLD_BUDGET_USD", "", "2.00", "most a world may spend on providers; a world that would exceed it stops and keeps what it made; 0: no budget", false, func(c *Config) string { return strconv.FormatFloat(c.WorldBudgetUSD, 'f', 2, 64) }},
	{"GENERIA_JWT_SECRET", "", "(generated, kept in the data dir)", "secret that signs access tokens; set it when several API processes share users", true, func(c *Config) string { return c.JWTSecret }},
	{"GENERIA_LOGIN_RATE", "", "10/1m", "sign-in attempts allowed per address and per account", false, func(c *Config) string { return c.LoginRate }},
	{"GENERIA_REGISTER_RATE", "", "5/1h", "registrations allowed per address", false, func(c *Config) string { return c.RegisterRate }},
	{"GENERIA_UPLOAD_RATE", "", "30/1h", "images one account may upload", false, func(c *Config) string { return c.UploadRate }},
	{"GENERIA_UPLOAD_MB", "", "100", "megabytes one account may upload in GENERIA_UPLOAD_RATE's period", false, func(c *Config) string { return strconv.Itoa(c.UploadMB) }},
	{"GENERIA_WORLD_RATE", "", "20/1h", "worlds one account may create (an address may create half again as many)", false, func(c *Config) string { return c.WorldRate }},
	{"REDIS_URL", "", "(none: limits per process)", "Redis that keeps the rate limits for every API process together, e.g. redis://127.0.0.1:6379/0", false, func(c *Config) string { return c.RedisURL }},
	{"GENERIA_TRUSTED_PROXIES", "", "(none)", "reverse proxies and load balancers (addresses, CIDR ranges) whose X-Forwarded-For gives the client address for rate limits", false, func(c *Config) string { return c.TrustedProxies }},
	{"GENERIA_SECURE_COOKIES", "", "false", "mark the web UI's cookies Secure; set it when serving over HTTPS", false, func(c *Config) string { return strconv.FormatBool(c.SecureCookies) }},
	{"GENERIA_LOG_LEVEL", "--log-level", "info", "debug, info, warn or error", false, func(c *Config) string { return c.LogLevel }},
	{"GENERIA_LOG_FORMAT", "--log-format", "text", "text or json", false, func(c *Config) string { return c.LogFormat }},
	{"GENERIA_SERVER", "--server", "http://127.0.0.1:8080", "the API the CLI talks to", false, func(c *Config) string { return c.Server }},
	{"GENERIA_TOKEN", "--token", "(the local operator token in --data-dir)", "access token of the CLI", true, func(c *Config) string { return c.Token }},
}

// Provider defaults.
const (
	DefaultLLMBaseURL   = "https://openrouter.ai/api/v1"
	DefaultLLMModel     = "google/gemini-2.5-flash-lite"
	DefaultImageBaseURL = "https://api.runware.ai/v1"
	DefaultImageModel   = "runware:100@1"
)

// Load reads the .env file of the working directory (variables already set
// win) and then the environment, applying defaults.
func Load() (Config, error) {
	if err := godotenv.Load(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("reading .env: %w", err)
	}
	return FromEnv(os.LookupEnv)
}

// FromEnv builds a Config from an environment lookup, applying defaults.
func FromEnv(lookup func(string) (string, bool)) (Config, error) {
	env := func(name, def string) string {
		if v, ok := lookup(name); ok && v != "" {
			return v
		}
		return def
	}
	var errs []error
	num := func(name string, def int) int {
		s := env(name, "")
		if s == "" {
			return def
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("%s=%q: want a positive whole number", name, s))
			return def
		}
		return n
	}
	dur := func(name string) time.Duration {
		s := env(name, "0")
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a Go duration such as 3s or 250ms", name, s))
		}
		return d
	}
	float := func(name string, def float64) float64 {
		s := env(name, "")
		if s == "" {
			return def
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 {
			errs = append(errs, fmt.Errorf("%s=%q: want a number ≥ 0", name, s))
			return def
		}
		return f
	}
	list := func(name string) []string {
		var out []string
		for _, v := range strings.Split(env(name, ""), ",") {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	secure, err := strconv.ParseBool(env("GENERIA_SECURE_COOKIES", "false"))
	if err != nil {
		errs = append(errs, fmt.Errorf("GENERIA_SECURE_COOKIES: want true or false"))
	}
	boolean := func(name string) bool {
		v, err := strconv.ParseBool(env(name, "false"))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: want true or false", name))
		}
		return v
	}
	noSample, err := strconv.ParseBool(env("GENERIA_NO_SAMPLE", "false"))
	if err != nil {
		errs = append(errs, fmt.Errorf("GENERIA_NO_SAMPLE: want true or false"))
	}
	c := Config{
		DataDir:               env("GENERIA_DATA_DIR", "./data"),
		Addr:                  env("GENERIA_ADDR", "127.0.0.1:8080"),
		MetricsAddr:           env("GENERIA_METRICS_ADDR", ""),
		DatabaseURL:           env("DATABASE_URL", ""),
		S3Endpoint:            env("S3_ENDPOINT", ""),
		S3Bucket:              env("S3_BUCKET", "generia-media"),
		S3AccessKey:           env("S3_ACCESS_KEY", ""),
		S3SecretKey:           env("S3_SECRET_KEY", ""),
		S3Region:              env("S3_REGION", "us-east-1"),
		S3PathStyle:           boolean("S3_USE_PATH_STYLE"),
		MediaRedirect:         boolean("GENERIA_MEDIA_REDIRECT"),
		TemporalAddr:          env("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalUIAddr:        env("GENERIA_TEMPORAL_UI_ADDR", "127.0.0.1:8233"),
		TemporalNamespace:     env("TEMPORAL_NAMESPACE", "default"),
		TemporalTLSCA:         env("TEMPORAL_TLS_CA", ""),
		TemporalTLSCert:       env("TEMPORAL_TLS_CERT", ""),
		TemporalTLSKey:        env("TEMPORAL_TLS_KEY", ""),
		TemporalTLSServerName: env("TEMPORAL_TLS_SERVER_NAME", ""),
		TemporalAPIKey:        env("TEMPORAL_API_KEY", ""),
		NoSample:              noSample,
		SecureCookies:         secure,
		LoginRate:             env("GENERIA_LOGIN_RATE", "10/1m"),
		RegisterRate:          env("GENERIA_REGISTER_RATE", "5/1h"),
		WorldRate:             env("GENERIA_WORLD_RATE", "20/1h"),
		UploadRate:            env("GENERIA_UPLOAD_RATE", "30/1h"),
		UploadMB:              num("GENERIA_UPLOAD_MB", 100),
		TrustedProxies:        env("GENERIA_TRUSTED_PROXIES", ""),
		RedisURL:              env("REDIS_URL", ""),
		Queues:                strings.Split(env("GENERIA_QUEUES", "main,llm,images,progress,services"), ","),
		Concurrency: Concurrency{
			Tasks:               num("MAX_CONCURRENT_TASKS", 500),
			LLM:                 num("MAX_CONCURRENT_LLM_REQUESTS", 50),
			Images:              num("MAX_CONCURRENT_IMAGE_REQUESTS", 30),
			Services:            num("MAX_CONCURRENT_GRPC_CALLS", 100),
			Progress:            num("MAX_CONCURRENT_DB_OPERATIONS", 20),
			WorkflowTasks:       num("MAX_WORKFLOW_TASKS_PER_WORKER", 100),
			ActivitiesPerWorker: num("MAX_ACTIVITIES_PER_WORKER", 200),
			LLMPerSecond:        float("LLM_REQUESTS_PER_SECOND", 0),
			ImagesPerSecond:     float("IMAGE_REQUESTS_PER_SECOND", 0),
		},
		OfflineLLMLatency:   dur("GENERIA_OFFLINE_LLM_LATENCY"),
		OfflineImageLatency: dur("GENERIA_OFFLINE_IMAGE_LATENCY"),
		OpenRouterAPIKey:    env("OPENROUTER_API_KEY", ""),
		OpenRouterBaseURL:   env("OPENROUTER_BASE_URL", ""),
		LLMModel:            env("LLM_MODEL", DefaultLLMModel),
		LLMFallbackModels:   list("LLM_FALLBACK_MODELS"),
		RunwareAPIKey:       env("RUNWARE_API_KEY", ""),
		RunwareBaseURL:      env("RUNWARE_BASE_URL", DefaultImageBaseURL),
		ImageModel:          env("IMAGE_MODEL", DefaultImageModel),
		WorldBudgetUSD:      float("GENERIA_WORLD_BUDGET_USD", 2),
		JWTSecret:           env("GENERIA_JWT_SECRET", ""),
		LogLevel:            env("GENERIA_LOG_LEVEL", "info"),
		LogFormat:           env("GENERIA_LOG_FORMAT", "text"),
		Server:              env("GENERIA_SERVER", "http://127.0.0.1:8080"),
		Token:               env("GENERIA_TOKEN", ""),
	}
	return c, errors.Join(errs...)
}

// BindServer adds the flags of the server roles to fs, with the loaded
// values as defaults so that flags override the environment.
func (c *Config) BindServer(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (GENERIA_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "PostgreSQL store instead of SQLite (DATABASE_URL)")
	fs.StringVar(&c.Addr, "addr", c.Addr, "HTTP address of the API and web UI (GENERIA_ADDR)")
	fs.StringVar(&c.TemporalAddr, "temporal-addr", c.TemporalAddr, "Temporal frontend address (TEMPORAL_ADDRESS)")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", c.TemporalNamespace, "Temporal namespace (TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (GENERIA_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (GENERIA_LOG_FORMAT)")
}

// BindClient adds the CLI client's flags to fs.
func (c *Config) BindClient(fs *flag.FlagSet) {
	fs.StringVar(&c.Server, "server", c.Server, "Generia API URL (GENERIA_SERVER)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data dir of a local `generia up`, to use its operator token (GENERIA_DATA_DIR)")
	fs.StringVar(&c.Token, "token", c.Token, "access token (GENERIA_TOKEN)")
}

// Validate checks settings that every role needs.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("the data dir must not be empty")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format %q: want text or json", c.LogFormat)
	}
	var err error
	c.DataDir, err = filepath.Abs(c.DataDir)
	return err
}

// LLMConfigured reports whether a real LLM is configured: a key, or a base
// URL of a server that needs none.
func (c *Config) LLMConfigured() bool { return c.OpenRouterAPIKey != "" || c.OpenRouterBaseURL != "" }

// LLMBaseURL is the chat-completions API to call.
func (c *Config) LLMBaseURL() string {
	if c.OpenRouterBaseURL != "" {
		return c.OpenRouterBaseURL
	}
	return DefaultLLMBaseURL
}

// ImagesConfigured reports whether Runware is configured.
func (c *Config) ImagesConfigured() bool { return c.RunwareAPIKey != "" }

// UIEnabled reports whether the embedded Temporal Web UI runs.
func (c *Config) UIEnabled() bool { return c.TemporalUIAddr != "" && c.TemporalUIAddr != "off" }

// Print writes the effective configuration, secrets redacted: a secret
// setting shows only that it is set, and any other shows its URLs without
// their credentials.
func (c *Config) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, s := range Settings {
		v := s.get(c)
		switch {
		case s.Secret && v != "":
			v = "(set, redacted)"
		default:
			v = secret.URL(v)
		}
		fmt.Fprintf(tw, "%s\t%s\n", s.Env, v)
	}
	tw.Flush()
}

// Secrets are the secret values of the configuration, for scrubbing them
// from whatever leaves the process: every secret setting, and the
// passwords of the URLs of the others.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range Settings {
		v := s.get(c)
		if s.Secret {
			out = append(out, v)
		}
		if u, err := url.Parse(v); err == nil && u.User != nil {
			if p, ok := u.User.Password(); ok {
				out = append(out, p)
			}
		}
	}
	return out
}
