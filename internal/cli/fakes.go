package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/generia/generia/internal/config"
	"github.com/generia/generia/internal/fakeprovider"
)

// runFakes serves the fake OpenRouter (with its guard model), the fake
// Runware and the fake /moderations on one address, for demos and
// benchmarks with the real clients and no spending.
func runFakes(ctx context.Context, args []string, cfg config.Config, env Env) error {
	fs := newFlagSet("fake-providers", env)
	addr := fs.String("addr", "127.0.0.1:9090", "address of both fakes")
	key := fs.String("key", "fake-key", "API key the fakes expect")
	llmLatency := fs.Duration("llm-latency", 0, "latency of each chat completion")
	imageLatency := fs.Duration("image-latency", 0, "latency of each image")
	rate := fs.Float64("error-rate", 0, "share of requests that fail, 0–1")
	mix := fs.String("errors", "429,500,502,503", "comma list of injected failures: 429, 500, 502, 503, 402, error-in-200, invalid-json, truncated")
	sloppy := fs.Float64("sloppy", 0, "share of LLM answers that come back as a sloppy real model's do (wrong counts, fences, prose around the JSON, duplicate names, over-long texts, missing fields, wrong case, empty answers, refusals), 0–1")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *rate < 0 || *rate > 1 {
		return errors.New("--error-rate must be between 0 and 1")
	}
	if *sloppy < 0 || *sloppy > 1 {
		return errors.New("--sloppy must be between 0 and 1")
	}
	var faults []fakeprovider.Fault
	for _, f := range strings.Split(*mix, ",") {
		if f = strings.TrimSpace(f); f != "" {
			faults = append(faults, fakeprovider.Fault(f))
		}
	}
	llm := fakeprovider.NewOpenRouter(fakeprovider.OpenRouterOptions{APIKey: *key, Latency: *llmLatency,
		Faults: fakeprovider.NewFaults(1).SetRate(*rate, faults...),
		Sloppy: fakeprovider.NewFaults(3).SetRate(*sloppy, fakeprovider.SloppyFaults...)})
	images := fakeprovider.NewRunware(fakeprovider.RunwareOptions{APIKey: *key, Latency: *imageLatency,
		Faults: fakeprovider.NewFaults(2).SetRate(*rate, faults...)})
	mods := fakeprovider.NewModerations(fakeprovider.ModerationsOptions{APIKey: *key, Latency: *llmLatency,
		Faults: fakeprovider.NewFaults(4).SetRate(*rate, faults...)})
	mux := http.NewServeMux()
	mux.Handle("/api/", llm)
	mux.Handle("POST /api/v1/moderations", mods)
	mux.Handle("POST /v1/moderations", mods)
	mux.Handle("/v1", images)
	mux.Handle("/image/", images)
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	base := "http://" + l.Addr().String()
	fmt.Fprintf(env.Stdout, "Fake OpenRouter, Runware and moderation are running. Point Generia at them with:\n\n"+
		"  OPENROUTER_BASE_URL=%s/api/v1 OPENROUTER_API_KEY=%s \\\n  RUNWARE_BASE_URL=%s/v1 RUNWARE_API_KEY=%s \\\n  go run ./cmd/generia up\n\n"+
		"and, to check content with the fake /moderations (or a guard model, with GENERIA_MODERATION=guard MODERATION_MODEL=meta-llama/llama-guard-4-12b):\n\n"+
		"  GENERIA_MODERATION=openai MODERATION_BASE_URL=%s/api/v1 MODERATION_API_KEY=%s\n\n"+
		"Texts holding %s, %s, … are flagged.\n\nPress Ctrl-C to stop.\n",
		base, *key, base, *key, base, *key, fakeprovider.MarkerHate, fakeprovider.MarkerSexual)
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
