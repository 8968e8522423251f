// Package metrics holds Generia's Prometheus metrics: HTTP requests, world
// generations, provider calls, and the Temporal SDK's worker metrics, all on
// one registry served at /metrics.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	sdkotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// Metrics are the process's metrics.
type Metrics struct {
	reg *prometheus.Registry

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec

	worlds        *prometheus.CounterVec
	stageDuration *prometheus.HistogramVec

	calls       *prometheus.CounterVec
	callLatency *prometheus.HistogramVec
	tokens      *prometheus.CounterVec
	cost        *prometheus.CounterVec

	limitFallbacks prometheus.Counter
	streamsOpen    prometheus.Gauge
	streamsRefused *prometheus.CounterVec

	temporal client.MetricsHandler
}

// New registers every metric on a fresh registry.
func New() (*Metrics, error) {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		httpRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "generia_http_requests_total", Help: "HTTP requests by route, method and status code.",
		}, []string{"route", "method", "code"}),
		httpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "generia_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route", "method"}),
		worlds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "generia_worlds_total", Help: "World generations by event: started, completed, failed, cancelled.",
		}, []string{"event"}),
		stageDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "generia_stage_duration_seconds", Help: "How long each generation stage took.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 14),
		}, []string{"stage", "status"}),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "generia_provider_calls_total", Help: "Provider calls by provider, kind (llm, image) and outcome (ok, invalid_answer, error).",
		}, []string{"provider", "kind", "outcome"}),
		callLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "generia_provider_call_duration_seconds", Help: "Provider call latency.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 15),
		}, []string{"provider", "kind"}),
		tokens: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "generia_provider_tokens_total", Help: "LLM tokens by provider and direction (in, out).",
		}, []string{"provider", "direction"}),
		cost: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "generia_provider_cost_usd_total", Help: "Provider cost in USD.",
		}, []string{"provider", "kind"}),
		limitFallbacks: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "generia_ratelimit_fallbacks_total",
			Help: "Rate-limit checks answered from this process's memory because the shared Redis could not be reached.",
		}),
		streamsOpen: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "generia_streams_open", Help: "Live streams (world events, generation status) open in this process.",
		}),
		streamsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "generia_streams_refused_total", Help: "Live streams refused by a cap: address, account or all.",
		}, []string{"cap"}),
	}
	reg.MustRegister(m.httpRequests, m.httpDuration, m.worlds, m.stageDuration, m.calls, m.callLatency, m.tokens, m.cost, m.limitFallbacks,
		m.streamsOpen, m.streamsRefused,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exporter, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, err
	}
	provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	m.temporal = sdkotel.NewMetricsHandler(sdkotel.MetricsHandlerOptions{
		Meter: provider.Meter("temporal-sdk-go"), OnError: func(error) {},
	})
	return m, nil
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Temporal is the SDK metrics handler for the Temporal client: worker task
// slots, poll latencies, activity and workflow task counts and latencies.
func (m *Metrics) Temporal() client.MetricsHandler { return m.temporal }

// World counts a generation event: started, completed, failed, cancelled.
func (m *Metrics) World(event string) {
	if m != nil {
		m.worlds.WithLabelValues(event).Inc()
	}
}

// StreamsOpen says how many live streams are open.
func (m *Metrics) StreamsOpen(n int) {
	if m != nil {
		m.streamsOpen.Set(float64(n))
	}
}

// StreamRefused counts a live stream refused by a cap.
func (m *Metrics) StreamRefused(cap string) {
	if m != nil {
		m.streamsRefused.WithLabelValues(cap).Inc()
	}
}

// Stage records how long a stage took.
func (m *Metrics) Stage(stage, status string, d time.Duration) {
	if m != nil {
		m.stageDuration.WithLabelValues(stage, status).Observe(d.Seconds())
	}
}

// Call records one provider call.
func (m *Metrics) Call(provider, kind, outcome string, d time.Duration, tokensIn, tokensOut int64, costUSD float64) {
	if m == nil {
		return
	}
	m.calls.WithLabelValues(provider, kind, outcome).Inc()
	m.callLatency.WithLabelValues(provider, kind).Observe(d.Seconds())
	if tokensIn > 0 {
		m.tokens.WithLabelValues(provider, "in").Add(float64(tokensIn))
	}
	if tokensOut > 0 {
		m.tokens.WithLabelValues(provider, "out").Add(float64(tokensOut))
	}
	if costUSD > 0 {
		m.cost.WithLabelValues(provider, kind).Add(costUSD)
	}
}

// LimitFallback counts one rate-limit check answered from memory because
// Redis could not be reached.
func (m *Metrics) LimitFallback() {
	if m == nil {
		return
	}
	m.limitFallbacks.Inc()
}

// Route wraps the handler of one route to count its requests and
// latency, labelled by the route's pattern so the labels stay few.
func (m *Metrics) Route(route string, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		m.httpRequests.WithLabelValues(route, r.Method, strconv.Itoa(sw.code)).Inc()
		m.httpDuration.WithLabelValues(route, r.Method).Observe(time.Since(start).Seconds())
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach Flush and deadlines (SSE).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
