package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/pipeline"
)

// runServer runs a server role until ctx ends (Ctrl-C), then stops
// gracefully.
func runServer(ctx context.Context, role string, args []string, cfg config.Config, env Env) error {
	fs := newFlagSet(role, env)
	cfg.BindServer(fs)
	queues := cfg.Queues
	switch role {
	case "up", "temporal":
		fs.StringVar(&cfg.TemporalUIAddr, "temporal-ui-addr", cfg.TemporalUIAddr, "Temporal Web UI address, or off (GENERIA_TEMPORAL_UI_ADDR)")
	}
	if role == "up" {
		fs.BoolVar(&cfg.NoSample, "no-sample", cfg.NoSample, "do not generate the sample world on the first start (GENERIA_NO_SAMPLE)")
	}
	if role != "temporal" && role != "migrate" {
		fs.StringVar(&cfg.MetricsAddr, "metrics-addr", cfg.MetricsAddr, "serve /metrics, /healthz and /readyz here, unauthenticated, e.g. 127.0.0.1:9464 (GENERIA_METRICS_ADDR)")
	}
	if role == "worker" {
		fs.StringVar(&queues, "queues", queues, "comma list of task queues: main,llm,images,progress,services (GENERIA_QUEUES)")
	}
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	logger := newLogger(cfg, env.Stderr)

	switch role {
	case "migrate":
		s, err := app.OpenStore(ctx, cfg)
		if err != nil {
			return err
		}
		where := "the SQLite store in " + cfg.DataDir
		if cfg.DatabaseURL != "" {
			where = "the PostgreSQL store"
		}
		fmt.Fprintln(env.Stdout, where, "is up to date")
		return s.Close()
	case "temporal":
		if env.StartTemporal == nil {
			return errors.New("this build has no embedded Temporal server")
		}
		srv, err := env.StartTemporal(app.TemporalOptionsOf(cfg), logger)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Temporal is running at %s (namespace %s)\n", srv.Addr(), cfg.TemporalNamespace)
		if srv.UIAddr() != "" {
			fmt.Fprintf(env.Stdout, "Temporal Web UI: http://%s\n", srv.UIAddr())
		}
		fmt.Fprintln(env.Stdout, "Press Ctrl-C to stop.")
		<-ctx.Done()
		fmt.Fprintln(env.Stdout, "stopping…")
		srv.Stop()
		return nil
	}

	roles := app.Roles{}
	switch role {
	case "up":
		roles = app.Roles{Embedded: true, API: true, Queues: pipeline.Queues, Sample: true, OperatorToken: true}
	case "api":
		roles = app.Roles{API: true}
	case "worker":
		qs, err := pipeline.ParseQueues(strings.Split(queues, ","))
		if err != nil {
			return err
		}
		roles = app.Roles{Queues: qs}
	}
	a, err := app.Start(ctx, cfg, roles, env.StartTemporal, logger)
	if err != nil {
		return err
	}
	printBanner(env, a, role, roles)
	<-ctx.Done()
	fmt.Fprintln(env.Stdout, "stopping… (running steps get up to", pipeline.StopTimeout, "to finish; Ctrl-C again to force)")
	a.Close()
	fmt.Fprintln(env.Stdout, "stopped")
	return nil
}

func printBanner(env Env, a *app.App, role string, roles app.Roles) {
	w := env.Stdout
	switch role {
	case "up":
		fmt.Fprintln(w, "Generia is running.")
	case "api":
		fmt.Fprintln(w, "Generia API is running.")
	case "worker":
		fmt.Fprintf(w, "Generia worker is running on %s.\n", strings.Join(roles.Queues, ", "))
	}
	if roles.API {
		fmt.Fprintf(w, "  Web UI:       %s\n  API:          %s/api/v1\n", a.URL, a.URL)
	}
	switch {
	case a.MetricsURL != "":
		fmt.Fprintf(w, "  Metrics:      %s/metrics (and /healthz, /readyz)\n", a.MetricsURL)
	case roles.API:
		fmt.Fprintf(w, "  Metrics:      %s/metrics (send the operator token: Authorization: Bearer <token>)\n", a.URL)
	}
	fmt.Fprintf(w, "  Temporal:     %s (namespace %s)\n", a.Config.TemporalAddr, a.Config.TemporalNamespace)
	if ui := a.TemporalUIAddr(); ui != "" {
		fmt.Fprintf(w, "  Temporal UI:  http://%s\n", ui)
	}
	fmt.Fprintf(w, "  Data:         %s\n", a.Config.DataDir)
	if roles.OperatorToken {
		fmt.Fprintf(w, "  Token:        %s (the CLI reads it with --data-dir)\n", filepath.Join(a.Config.DataDir, app.OperatorTokenFile))
	}
	if a.SampleWorldID != "" {
		fmt.Fprintf(w, "  Sample world: %s — follow it with: generia world status %s --watch --data-dir %s\n",
			a.SampleWorldID, a.SampleWorldID, a.Config.DataDir)
	}
	fmt.Fprintln(w, "Press Ctrl-C to stop.")
}
