// Package config loads Generia's one configuration struct from command-line
// flags, the environment and a .env file in the working directory, in that
// order of precedence, and else the defaults. One table of settings
// (Config.Settings) says each variable's name, default and meaning, for
// loading, for `generia config` and for the README.
package config

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/joho/godotenv"
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

	Queues      string // GENERIA_QUEUES: comma list (worker role)
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

// Load reads the .env file of the working directory (variables already set
// win) and then the environment, applying defaults.
func Load() (Config, error) {
	if err := godotenv.Load(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return Config{}, fmt.Errorf("reading .env: %w", err)
	}
	return FromEnv(os.LookupEnv)
}

// FromEnv builds a Config from an environment lookup: each setting's
// variable, or its default when the variable is unset or empty. The error
// names every variable that does not parse.
func FromEnv(lookup func(string) (string, bool)) (Config, error) {
	var c Config
	var errs []error
	for _, s := range c.Settings() {
		v, _ := lookup(s.Env)
		if v == "" {
			v = s.Default
		}
		if err := s.value.set(s.Env, v); err != nil {
			errs = append(errs, err)
		}
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

// Secrets are the secret values of the configuration, for scrubbing them
// from whatever leaves the process: every secret setting, and the
// passwords of the URLs of the others.
func (c *Config) Secrets() []string {
	var out []string
	for _, s := range c.Settings() {
		v := s.Value()
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
