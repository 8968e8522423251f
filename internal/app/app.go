// Package app is Generia's composition root: from one Config it builds the
// store, media store, providers, Temporal client, workers and HTTP server
// that a role needs, and stops them in order.
//
// app.go builds the parts, temporal.go connects to Temporal, boot.go holds
// the jobs of a start (the operator token, resuming worlds, the sample
// world) and those that run every so often, and health.go the operator's
// routes (/healthz, /readyz, /metrics).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"go.temporal.io/sdk/client"

	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/fsmedia"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/httpapi"
	"github.com/generia/generia/internal/metrics"
	"github.com/generia/generia/internal/moderation"
	"github.com/generia/generia/internal/offline"
	"github.com/generia/generia/internal/openrouter"
	"github.com/generia/generia/internal/pipeline"
	"github.com/generia/generia/internal/postgres"
	"github.com/generia/generia/internal/ratelimit"
	"github.com/generia/generia/internal/runware"
	"github.com/generia/generia/internal/s3media"
	"github.com/generia/generia/internal/secret"
	"github.com/generia/generia/internal/social"
	"github.com/generia/generia/internal/sqlite"
	"github.com/generia/generia/internal/sse"
	"github.com/generia/generia/internal/web"
)

// TemporalServer is a running embedded Temporal server.
type TemporalServer interface {
	Addr() string
	UIAddr() string
	Stop()
}

// TemporalOptions are what an embedded Temporal server starts with.
type TemporalOptions struct {
	DataDir, Addr, Namespace string
	// UIAddr is the Web UI's address; empty: no UI.
	UIAddr string
	// HTTPPort is the frontend's HTTP API port; 0: off.
	HTTPPort int
}

// TemporalOptionsOf is the embedded Temporal server's options in cfg.
func TemporalOptionsOf(cfg config.Config) TemporalOptions {
	o := TemporalOptions{DataDir: filepath.Join(cfg.DataDir, "temporal"), Addr: cfg.TemporalAddr, Namespace: cfg.TemporalNamespace,
		HTTPPort: cfg.TemporalHTTPPort}
	if cfg.UIEnabled() {
		o.UIAddr = cfg.TemporalUIAddr
	}
	return o
}

// StartTemporal starts an embedded Temporal server. The binary passes it in,
// so that only the binary and the end-to-end tests link the server.
type StartTemporal func(o TemporalOptions, logger *slog.Logger) (TemporalServer, error)

// Roles says what a process runs.
type Roles struct {
	// Embedded starts the Temporal server in-process (generia up).
	Embedded bool
	// API serves the HTTP API.
	API bool
	// Queues are the task queues this process works on.
	Queues []string
	// Sample generates the sample world over an empty data dir.
	Sample bool
	// OperatorToken writes a local operator token into the data dir.
	OperatorToken bool
}

// App is a running Generia process.
type App struct {
	Config   config.Config
	Logger   *slog.Logger
	Store    generia.Store
	Media    generia.MediaStore
	Temporal client.Client
	Pipeline *pipeline.Client
	Tokens   *auth.Tokens
	// URL is the HTTP API's base URL, when the API runs.
	URL string
	// MetricsURL is the base URL of the metrics address
	// (GENERIA_METRICS_ADDR), when one is served.
	MetricsURL string
	// SampleWorldID is the sample world generated at this start, if any.
	SampleWorldID string
	// Providers are the providers new worlds are generated with: the
	// configured ones, else the offline ones.
	Providers generia.Providers
	// Moderator checks content where it enters, by Policy
	// (GENERIA_MODERATION, GENERIA_MODERATION_ACTIONS).
	Moderator generia.Moderator
	Policy    generia.Policy
	// Metrics are the process's Prometheus metrics.
	Metrics *metrics.Metrics

	embedded TemporalServer
	workers  *pipeline.Workers
	servers  []server
	// closers close what else the process opened, last.
	closers []func() error
	// streams holds the event streams taken off net/http, which
	// http.Server.Shutdown does not close.
	streams *sse.Pool
	// stopJobs ends the jobs that run every so often; jobs waits for them.
	stopJobs context.CancelFunc
	jobCtx   context.Context
	jobs     sync.WaitGroup
}

// server is one of the process's HTTP servers.
type server struct {
	srv  *http.Server
	done chan error
}

// Start builds and starts what the roles need. On error everything started
// is stopped again.
func Start(ctx context.Context, cfg config.Config, roles Roles, startTemporal StartTemporal, logger *slog.Logger) (_ *App, err error) {
	// No configured secret reaches a log line, whatever logs it.
	logger = slog.New(secret.New(cfg.Secrets()...).Handler(logger.Handler()))
	a := &App{streams: &sse.Pool{}, Config: cfg, Logger: logger, Providers: generia.Providers{LLM: generia.OfflineProvider, Image: generia.OfflineProvider}}
	defer func() {
		if err != nil {
			a.Close()
		}
	}()
	if err := secret.PrivateDir(cfg.DataDir); err != nil {
		return nil, fmt.Errorf("creating the data dir: %w", err)
	}
	if roles.Embedded {
		if startTemporal == nil {
			return nil, errors.New("this build has no embedded Temporal server")
		}
		a.embedded, err = startTemporal(TemporalOptionsOf(cfg), logger)
		if err != nil {
			return nil, err
		}
		a.Config.TemporalAddr = a.embedded.Addr()
	}
	if a.Store, err = OpenStore(ctx, cfg); err != nil {
		return nil, err
	}
	if a.Media, err = openMedia(ctx, cfg); err != nil {
		return nil, err
	}
	if a.Metrics, err = metrics.New(); err != nil {
		return nil, err
	}
	a.Temporal, err = dialTemporal(ctx, a.Config, logger, a.Metrics)
	if err != nil {
		return nil, err
	}
	life := cfg.Life
	a.Pipeline = &pipeline.Client{Client: a.Temporal, Store: a.Store, Logger: logger, BudgetUSD: cfg.WorldBudgetUSD, Metrics: a.Metrics,
		LifeDefaults: pipeline.LifeDefaults{Idle: life.Idle, Settings: generia.LifeSettings{Enabled: life.Enabled,
			ActionsPerHour: life.ActionsPerHour, DailyCalls: life.DailyCalls, DailyBudgetUSD: life.DailyBudgetUSD}}}
	if err := a.Pipeline.LifeDefaults.Settings.Validate(); err != nil {
		return nil, fmt.Errorf("the GENERIA_LIFE_* settings: %w", err)
	}
	if err := cfg.Ceilings.Allow(a.Pipeline.LifeDefaults.Settings); err != nil {
		return nil, fmt.Errorf("the GENERIA_LIFE_* settings, a new world's, are above the operator's ceilings: %w", err)
	}
	if life.Idle < time.Second {
		return nil, fmt.Errorf("GENERIA_LIFE_IDLE=%s: want at least 1s", life.Idle)
	}
	text, images, err := providers(cfg)
	if err != nil {
		return nil, err
	}
	// A moderation setting that cannot work refuses to start, naming it.
	if a.Moderator, err = Moderator(cfg); err != nil {
		return nil, err
	}
	a.Policy = cfg.Moderation.Policy
	for name := range text {
		if name != generia.OfflineProvider {
			a.Providers.LLM = name
		}
	}
	for name := range images {
		if name != generia.OfflineProvider {
			a.Providers.Image = name
		}
	}
	if len(roles.Queues) > 0 {
		acts := &pipeline.Activities{Store: a.Store, Media: a.Media, Logger: logger, Text: text, Images: images, Metrics: a.Metrics,
			Moderator: a.Moderator, Policy: a.Policy}
		a.workers, err = pipeline.StartWorkers(a.Temporal, acts, roles.Queues, cfg.Concurrency)
		if err != nil {
			return nil, err
		}
	}
	if roles.API || roles.OperatorToken {
		secret, err := jwtSecret(cfg)
		if err != nil {
			return nil, err
		}
		if a.Tokens, err = auth.NewTokens(secret, a.Store); err != nil {
			return nil, err
		}
	}
	var operator generia.User
	if roles.OperatorToken {
		if operator, err = a.writeOperatorToken(ctx); err != nil {
			return nil, err
		}
	}
	if roles.API {
		if err := a.resumeWorlds(ctx); err != nil {
			return nil, err
		}
		if err := a.serveHTTP(); err != nil {
			return nil, err
		}
	}
	if cfg.MetricsAddr != "" {
		if err := a.serveOps(cfg.MetricsAddr); err != nil {
			return nil, err
		}
	}
	if roles.Sample && !cfg.NoSample {
		if err := a.createSample(ctx, operator.ID); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// TemporalUIAddr is the embedded Web UI's address, if it runs.
func (a *App) TemporalUIAddr() string {
	if a.embedded == nil {
		return ""
	}
	return a.embedded.UIAddr()
}

// Close stops everything gracefully: the jobs that run every so often, the
// HTTP servers, then the workers (letting running activities finish), then
// the Temporal client and server, then the stores.
func (a *App) Close() {
	if a.stopJobs != nil {
		a.stopJobs()
		a.jobs.Wait()
	}
	for _, s := range a.servers {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if err := s.srv.Shutdown(ctx); err != nil {
			_ = s.srv.Close()
		}
		cancel()
		<-s.done
	}
	a.streams.Close()
	if a.workers != nil {
		a.workers.Stop()
	}
	if a.Temporal != nil {
		a.Temporal.Close()
	}
	if a.embedded != nil {
		a.embedded.Stop()
	}
	if a.Store != nil {
		_ = a.Store.Close()
	}
	for _, c := range a.closers {
		_ = c()
	}
}

func (a *App) serveHTTP() error {
	uploads, err := ratelimit.ParseRate(a.Config.UploadRate)
	if err != nil {
		return fmt.Errorf("GENERIA_UPLOAD_RATE: %w", err)
	}
	if a.Config.UploadMB < 1 {
		return fmt.Errorf("GENERIA_UPLOAD_MB must be at least 1, got %d", a.Config.UploadMB)
	}
	svc := &social.Service{Store: a.Store, Files: a.Media, Pipeline: a.Pipeline, Life: a.Pipeline, Providers: a.Providers,
		Moderator: a.Moderator, Policy: a.Policy, Rechecker: a.Pipeline,
		UploadQuota:   social.UploadQuota{Images: uploads.N, Bytes: int64(a.Config.UploadMB) << 20, Period: uploads.Period},
		StreamCaps:    social.StreamCaps{PerAddress: a.Config.Streams.PerAddress, PerAccount: a.Config.Streams.PerAccount, Max: a.Config.Streams.Max},
		StreamMetrics: a.Metrics}
	a.removeUnusedUploads(svc)
	sessions := &auth.Sessions{Store: a.Store, Secure: a.Config.SecureCookies}
	var rates [3]ratelimit.Rate
	for i, r := range []struct{ env, value string }{
		{"GENERIA_LOGIN_RATE", a.Config.LoginRate}, {"GENERIA_REGISTER_RATE", a.Config.RegisterRate}, {"GENERIA_WORLD_RATE", a.Config.WorldRate},
	} {
		if rates[i], err = ratelimit.ParseRate(r.value); err != nil {
			return fmt.Errorf("%s: %w", r.env, err)
		}
	}
	var backend ratelimit.Backend
	if a.Config.RedisURL != "" {
		r, err := ratelimit.NewRedis(context.Background(), a.Config.RedisURL)
		if err != nil {
			return err
		}
		a.closers = append(a.closers, r.Close)
		// An outage of Redis limits per process, never not at all.
		f := ratelimit.NewFallback(r)
		f.Logger, f.Counted = a.Logger, a.Metrics.LimitFallback
		backend = f
	}
	limits := ratelimit.New(backend, rates[0], rates[1], rates[2])
	limits.Set(ratelimit.Uploads, uploads)
	for _, r := range []struct{ env, value, rule string }{
		{"GENERIA_COMMENT_RATE", a.Config.CommentRate, ratelimit.Comments},
		{"GENERIA_POST_RATE", a.Config.PostRate, ratelimit.Posts},
		{"GENERIA_LIFE_RATE", a.Config.LifeRate, ratelimit.Life},
		{"GENERIA_STREAM_RATE", a.Config.StreamRate, ratelimit.Streams},
		{"GENERIA_REPORT_RATE", a.Config.ReportRate, ratelimit.Reports},
		{"GENERIA_INVITATION_RATE", a.Config.InvitationRate, ratelimit.Invitations},
	} {
		rate, err := ratelimit.ParseRate(r.value)
		if err != nil {
			return fmt.Errorf("%s: %w", r.env, err)
		}
		limits.Set(r.rule, rate)
	}
	newcomers, err := ratelimit.ParseNewcomerRates(a.Config.NewcomerRates)
	if err != nil {
		return fmt.Errorf("GENERIA_NEWCOMER_RATES: %w", err)
	}
	limits.SetNewcomers(svc.Newcomer(time.Duration(a.Config.NewcomerHours)*time.Hour), newcomers)
	proxies, err := ratelimit.ParseProxies(a.Config.TrustedProxies)
	if err != nil {
		return fmt.Errorf("GENERIA_TRUSTED_PROXIES: %w", err)
	}
	limits.TrustedProxies = proxies
	api := &httpapi.Server{Social: svc, Tokens: a.Tokens, Sessions: sessions, Logger: a.Logger, Metrics: a.Metrics,
		Limits: limits, MediaRedirect: a.Config.MediaRedirect, Capacity: a.Config.Concurrency.Capacity(), Streams: a.streams}
	ui, err := web.New(web.Options{Social: svc, Sessions: sessions, Logger: a.Logger, WorldBudgetUSD: a.Config.WorldBudgetUSD, Limits: limits, Streams: a.streams})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/api/", api.Handler())
	// Metrics tell much about a deployment: on the public address they take
	// the operator's token, unless they have an address of their own.
	var metricsHere http.Handler
	if a.Config.MetricsAddr == "" {
		metricsHere = a.operatorOnly(a.Metrics.Handler())
	}
	a.ops(mux, metricsHere)
	mux.Handle("/", ui)
	compressed, err := compress(mux)
	if err != nil {
		return err
	}
	if a.URL, err = a.serve(a.Config.Addr, compressed); err != nil {
		return fmt.Errorf("%w (use --addr to pick another)", err)
	}
	return nil
}

// compress gzips the pages, styles, scripts and JSON a browser takes gzipped
// (not images, already compressed, nor event streams, which must reach the
// reader as they are written). Compressed answers get a few bytes of jitter,
// so that their size does not tell a secret in a page apart from what an
// attacker made the page reflect (BREACH).
func compress(h http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(1024), gzhttp.RandomJitter(32, 0, false),
		gzhttp.ContentTypes([]string{"text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml", "text/plain"}))
	if err != nil {
		return nil, err
	}
	return wrap(h), nil
}

// serve runs one of the process's HTTP servers on addr and returns its base
// URL.
func (a *App) serve(addr string, handler http.Handler) (string, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("HTTP address %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           nosniff(handler),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	s := server{srv: srv, done: make(chan error, 1)}
	a.servers = append(a.servers, s)
	go func() {
		err := srv.Serve(l)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		if err != nil {
			a.Logger.Error("HTTP server stopped", "error", err)
		}
		s.done <- err
	}()
	return "http://" + l.Addr().String(), nil
}

// nosniff tells browsers to take every answer as its declared type.
func nosniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// OpenStore opens the configured store, applying its migrations:
// PostgreSQL when DATABASE_URL is set, else SQLite in the data dir.
func OpenStore(ctx context.Context, cfg config.Config) (generia.Store, error) {
	if err := cfg.Ceilings.Validate(); err != nil {
		return nil, fmt.Errorf("the operator's ceilings (GENERIA_LIFE_MAX_*, GENERIA_ACCOUNT_DAILY_*): %w", err)
	}
	var s generia.Store
	var err error
	if cfg.DatabaseURL != "" {
		if s, err = postgres.Open(ctx, cfg.DatabaseURL); err != nil {
			return nil, fmt.Errorf("opening the PostgreSQL store: %w", err)
		}
	} else if s, err = sqlite.Open(ctx, filepath.Join(cfg.DataDir, "generia.db")); err != nil {
		return nil, fmt.Errorf("opening the SQLite store: %w", err)
	}
	// Every reservation of every role applies the operator's ceilings.
	s.UseCeilings(cfg.Ceilings)
	return s, nil
}

// openMedia opens the configured media store: S3 when S3_ENDPOINT is set,
// else a directory in the data dir.
func openMedia(ctx context.Context, cfg config.Config) (generia.MediaStore, error) {
	if cfg.S3Endpoint != "" {
		s, err := s3media.New(ctx, s3media.Options{
			Endpoint: cfg.S3Endpoint, Bucket: cfg.S3Bucket, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
			Region: cfg.S3Region, PathStyle: cfg.S3PathStyle, CreateBucket: true,
		})
		if err != nil {
			return nil, fmt.Errorf("opening the S3 media store: %w", err)
		}
		return s, nil
	}
	s, err := fsmedia.New(filepath.Join(cfg.DataDir, "media"))
	if err != nil {
		return nil, fmt.Errorf("opening the media store: %w", err)
	}
	return s, nil
}

// providers builds the text and image providers by name: the offline ones
// always (the sample world and worlds made offline keep working), and the
// configured real ones.
func providers(cfg config.Config) (map[string]generia.TextGenerator, map[string]generia.ImageGenerator, error) {
	text := map[string]generia.TextGenerator{generia.OfflineProvider: offline.NewText(cfg.OfflineLLMLatency)}
	images := map[string]generia.ImageGenerator{generia.OfflineProvider: offline.NewImages(cfg.OfflineImageLatency)}
	if cfg.LLMConfigured() {
		c, err := openrouter.New(openrouter.Options{APIKey: cfg.OpenRouterAPIKey, BaseURL: cfg.LLMBaseURL(), Model: cfg.LLMModel, Fallbacks: cfg.LLMFallbackModels})
		if err != nil {
			return nil, nil, err
		}
		text[c.Name()] = c
	}
	if cfg.ImagesConfigured() {
		c, err := runware.New(runware.Options{APIKey: cfg.RunwareAPIKey, BaseURL: cfg.RunwareBaseURL, Model: cfg.ImageModel})
		if err != nil {
			return nil, nil, err
		}
		images[c.Name()] = c
	}
	return text, images, nil
}

// Moderator builds the checker of content the operator chose
// (GENERIA_MODERATION, MODERATION_BASE_URL, MODERATION_API_KEY,
// MODERATION_MODEL); its error says which setting is wrong.
func Moderator(cfg config.Config) (generia.Moderator, error) {
	m := cfg.Moderation
	return moderation.New(moderation.Config{Backend: m.Backend, BaseURL: m.BaseURL, APIKey: m.APIKey, Model: m.Model})
}

// jwtSecret returns the configured token secret, or the one kept in the data
// dir, creating it on first use.
func jwtSecret(cfg config.Config) ([]byte, error) {
	if cfg.JWTSecret != "" {
		if len(cfg.JWTSecret) < 32 {
			return nil, errors.New("GENERIA_JWT_SECRET must be at least 32 characters")
		}
		return []byte(cfg.JWTSecret), nil
	}
	path := filepath.Join(cfg.DataDir, "jwt-secret")
	b, err := os.ReadFile(path)
	if err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading the token secret: %w", err)
	}
	secret, err := auth.RandomSecret(32)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("writing the token secret: %w", err)
	}
	return []byte(secret), nil
}
