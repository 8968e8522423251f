// Command generia runs Generia: see `generia help`.
package main

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/generia/generia/internal/app"
	"github.com/generia/generia/internal/cli"
	"github.com/generia/generia/internal/temporalserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first Ctrl-C the process stops gracefully; a second one
		// kills it at once.
		<-ctx.Done()
		stop()
	}()
	os.Exit(cli.Main(ctx, os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, StartTemporal: startTemporal}))
}

func startTemporal(o app.TemporalOptions, logger *slog.Logger) (app.TemporalServer, error) {
	srv, err := temporalserver.Start(temporalserver.Options{DataDir: o.DataDir, Addr: o.Addr, UIAddr: o.UIAddr, HTTPPort: o.HTTPPort,
		Namespace: o.Namespace, Logger: logger})
	if err != nil {
		return nil, err // not a nil *Server in a non-nil interface
	}
	return srv, nil
}
