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

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/pipeline/timeleft"
)

// Config is every setting of every role. Settings says which variable
// sets each field, and its default.
type Config struct {
	DataDir string
	Addr    string // the HTTP API and web UI
	// MetricsAddr serves /metrics, /healthz and /readyz on an address of
	// the operator's, for every role; empty: a worker serves none, and the
	// API serves /metrics on its own address to the operator's token only.
	MetricsAddr string
	// DatabaseURL selects PostgreSQL (postgres://…) instead of the SQLite
	// file in the data dir.
	DatabaseURL string
	// S3 media store, used when S3Endpoint is set; else media live in the
	// data dir.
	S3Endpoint, S3Bucket, S3AccessKey, S3SecretKey, S3Region string
	S3PathStyle                                              bool
	// MediaRedirect serves media by redirect to a presigned S3 URL instead
	// of through the API.
	MediaRedirect bool

	TemporalAddr      string // embedded frontend (up) or the cluster (api, worker)
	TemporalUIAddr    string // "off" disables it
	TemporalNamespace string
	// TemporalHTTPPort is the embedded Temporal frontend's HTTP API port;
	// 0, the default, keeps it off.
	TemporalHTTPPort int
	// TLS and API key of an external Temporal: CA, client certificate and
	// key files, the server name to verify, and an API key (Temporal
	// Cloud); any of them but the key file turns TLS on.
	TemporalTLSCA, TemporalTLSCert, TemporalTLSKey, TemporalTLSServerName, TemporalAPIKey string
	NoSample                                                                              bool

	Queues      string // comma list (worker role)
	Concurrency Concurrency

	OfflineLLMLatency   time.Duration
	OfflineImageLatency time.Duration

	OpenRouterAPIKey string
	// OpenRouterBaseURL stays empty unless set, for LLMConfigured;
	// LLMBaseURL is the URL to call.
	OpenRouterBaseURL string
	LLMModel          string
	LLMFallbackModels []string
	RunwareAPIKey     string
	RunwareBaseURL    string
	ImageModel        string

	// Moderation chooses the Moderator and what it does with flagged
	// content.
	Moderation Moderation

	WorldBudgetUSD float64 // 0: no budget
	// Life is how worlds live after their generation, by default.
	Life Life
	// Ceilings bound what owners may choose of their worlds' life and what
	// one account may spend a day; the operator may set other ones for one
	// account.
	Ceilings generia.Ceilings

	JWTSecret string // empty: a secret kept in the data dir
	// LoginRate, RegisterRate and WorldRate rate-limit sign-in (per address
	// and per account), registration (per address) and world creation (per
	// account), as "n/period".
	LoginRate, RegisterRate, WorldRate string
	// CommentRate is how many comments one account may write, as
	// "n/period".
	CommentRate string
	// PostRate, LifeRate and StreamRate are how many posts one account may
	// publish, changes to life settings make and streams open, as
	// "n/period" (an address half again as many).
	PostRate, LifeRate, StreamRate string
	// NewcomerRates are what an account may do in its first NewcomerHours
	// (ratelimit.ParseNewcomerRates), and an account moderators limited.
	NewcomerRates string
	NewcomerHours int
	// ReportRate is how many reports one account may file, as "n/period"
	// (an address half again as many).
	ReportRate string
	// InvitationRate is how many invitations one account may make or
	// accept, as "n/period" (an address half again as many).
	InvitationRate string
	// UploadRate is how many images one account may upload, as
	// "n/period", and UploadMB how many megabytes in that period.
	UploadRate string
	UploadMB   int
	// Streams caps the event and status streams open at once in one API
	// process: per client address, per account and in all.
	Streams Streams
	// TrustedProxies lists the reverse proxies in front of the API whose
	// X-Forwarded-For names the client, as addresses and CIDR ranges.
	TrustedProxies string
	// RedisURL keeps the rate limits in Redis, shared by every API process;
	// empty: each process keeps its own.
	RedisURL string
	// SecureCookies marks the web UI's cookies Secure: set it when Generia
	// is served over HTTPS.
	SecureCookies bool
	LogLevel      string // debug, info, warn, error
	LogFormat     string // text or json

	// Client settings of the CLI: the API's URL and an access token.
	Server string
	Token  string
}

// Streams are the caps on open streams (GENERIA_STREAMS_*).
type Streams struct {
	PerAddress, PerAccount, Max int
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

// Capacity is what one worker process calls at once and per second, of each
// kind (the time left is measured with it).
func (c Concurrency) Capacity() timeleft.Capacity {
	return timeleft.Capacity{LLM: c.LLM, Images: c.Images, LLMPerSecond: c.LLMPerSecond, ImagesPerSecond: c.ImagesPerSecond}
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

// Moderation is how content is checked before it is published
// (GENERIA_MODERATION, MODERATION_*, GENERIA_MODERATION_ACTIONS).
type Moderation struct {
	// Backend is offline, openai, guard or off.
	Backend string
	// BaseURL, APIKey and Model are the service of openai and guard; an
	// empty Model is the backend's default.
	BaseURL, APIKey, Model string
	// Policy is the decision per category of flagged content.
	Policy generia.Policy
}

// Life is the operator's defaults of the worlds' life: whether a world
// lives, its pace and its daily ceilings (each owner may change theirs),
// and how long a world stays awake without a viewer.
type Life struct {
	Enabled        bool
	ActionsPerHour float64
	Idle           time.Duration
	DailyCalls     int
	DailyBudgetUSD float64
}
