package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"

	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/metrics"
)

// dialTemporal connects to Temporal, waiting up to 30 s for it to come up.
func dialTemporal(ctx context.Context, cfg config.Config, logger *slog.Logger, m *metrics.Metrics) (client.Client, error) {
	sdkLevel := slog.LevelWarn
	if cfg.LogLevel == "debug" {
		sdkLevel = slog.LevelDebug
	}
	sdkLogger := slog.New(worldAttrs{levelFilter{logger.Handler(), sdkLevel}}).With("component", "temporal-sdk")
	opts := client.Options{
		HostPort: cfg.TemporalAddr, Namespace: cfg.TemporalNamespace, Logger: sdklog.NewStructuredLogger(sdkLogger),
		MetricsHandler: m.Temporal(),
	}
	tlsConf, err := temporalTLS(cfg)
	if err != nil {
		return nil, err
	}
	opts.ConnectionOptions.TLS = tlsConf
	if cfg.TemporalAPIKey != "" {
		opts.Credentials = client.NewAPIKeyStaticCredentials(cfg.TemporalAPIKey)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			if err := checkNamespace(ctx, c, cfg); err != nil {
				c.Close()
				return nil, err
			}
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return nil, fmt.Errorf("cannot reach Temporal at %s (namespace %s): %w", cfg.TemporalAddr, cfg.TemporalNamespace, err)
		}
		logger.Warn("waiting for Temporal", "address", cfg.TemporalAddr, "error", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// temporalTLS builds the TLS configuration of an external Temporal, or nil
// for a plain connection.
func temporalTLS(cfg config.Config) (*tls.Config, error) {
	if cfg.TemporalTLSCA == "" && cfg.TemporalTLSCert == "" && cfg.TemporalAPIKey == "" && cfg.TemporalTLSServerName == "" {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: cfg.TemporalTLSServerName}
	if cfg.TemporalTLSCA != "" {
		pem, err := os.ReadFile(cfg.TemporalTLSCA)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA: %w", err)
		}
		conf.RootCAs = x509.NewCertPool()
		if !conf.RootCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("TEMPORAL_TLS_CA %s holds no PEM certificate", cfg.TemporalTLSCA)
		}
	}
	if cfg.TemporalTLSCert != "" || cfg.TemporalTLSKey != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TemporalTLSCert, cfg.TemporalTLSKey)
		if err != nil {
			return nil, fmt.Errorf("TEMPORAL_TLS_CERT/TEMPORAL_TLS_KEY: %w", err)
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// checkNamespace makes sure the namespace exists, so a typo fails at start
// with what to do, not at the first world.
func checkNamespace(ctx context.Context, c client.Client, cfg config.Config) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: cfg.TemporalNamespace})
	var notFound *serviceerror.NamespaceNotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("the Temporal namespace %q does not exist at %s: create it (temporal operator namespace create --namespace %s) or set TEMPORAL_NAMESPACE",
			cfg.TemporalNamespace, cfg.TemporalAddr, cfg.TemporalNamespace)
	}
	if err != nil {
		return fmt.Errorf("checking the Temporal namespace %q at %s: %w", cfg.TemporalNamespace, cfg.TemporalAddr, err)
	}
	return nil
}

// levelFilter drops records below a level.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

func (f levelFilter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(attrs), f.min}
}

func (f levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(name), f.min}
}

// worldAttrs names the Temporal SDK's WorkflowID attribute as the rest of
// Generia's logs do: workflow_id, plus the world_id it carries, so that one
// filter finds every line of a world, the SDK's own included.
type worldAttrs struct{ slog.Handler }

func (h worldAttrs) Handle(ctx context.Context, r slog.Record) error {
	var attrs []slog.Attr
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, a)
		return true
	})
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	out.AddAttrs(renameWorkflowID(attrs)...)
	return h.Handler.Handle(ctx, out)
}

func (h worldAttrs) WithAttrs(attrs []slog.Attr) slog.Handler {
	return worldAttrs{h.Handler.WithAttrs(renameWorkflowID(attrs))}
}

func (h worldAttrs) WithGroup(name string) slog.Handler {
	return worldAttrs{h.Handler.WithGroup(name)}
}

func renameWorkflowID(attrs []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, 0, len(attrs)+1)
	for _, a := range attrs {
		if a.Key != "WorkflowID" {
			out = append(out, a)
			continue
		}
		id := a.Value.String()
		out = append(out, slog.String("workflow_id", id))
		if world := generia.WorldIDFromRef(id); world != id {
			out = append(out, slog.String("world_id", world))
		}
	}
	return out
}
