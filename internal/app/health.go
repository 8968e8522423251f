package app

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/generia/generia/internal/generia"
)

// serveOps serves the operator's routes on an address of their own, open to
// whoever reaches it (GENERIA_METRICS_ADDR).
func (a *App) serveOps(addr string) error {
	mux := http.NewServeMux()
	a.ops(mux, a.Metrics.Handler())
	var err error
	a.MetricsURL, err = a.serve(addr, mux)
	return err
}

// operatorOnly serves next to requests that carry the operator account's
// access token (the one `up` writes into the data dir), and answers
// anyone else 401.
func (a *App) operatorOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && a.Tokens != nil {
			if c, err := a.Tokens.Verify(r.Context(), strings.TrimSpace(token)); err == nil {
				if u, err := a.Store.UserByID(r.Context(), c.UserID); err == nil && u.Username == OperatorUsername {
					next.ServeHTTP(w, r)
					return
				}
			}
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		http.Error(w, "metrics need the operator's token (Authorization: Bearer <data-dir/operator-token>), or GENERIA_METRICS_ADDR", http.StatusUnauthorized)
	})
}

// ops adds the operator routes: /healthz (the process runs), /readyz (its
// store, media store and Temporal answer) and, when metrics is not nil,
// /metrics.
func (a *App) ops(mux *http.ServeMux, metrics http.Handler) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}` + "\n"))
	})
	mux.HandleFunc("GET /readyz", a.readyz)
	if metrics != nil {
		mux.Handle("GET /metrics", metrics)
	}
}

// readyz checks each dependency with a short deadline and answers 200 only
// when all answer, with what each said.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	check := func(name string, err error) {
		checks[name] = "ok"
		if err != nil {
			checks[name], ok = err.Error(), false
		}
	}
	_, err := a.Store.World(ctx, "readyz-probe")
	if generia.IsKind(err, generia.KindNotFound) {
		err = nil
	}
	check("store", err)
	rc, err := a.Media.Open(ctx, "readyz/probe")
	if err == nil {
		rc.Close()
	} else if generia.IsKind(err, generia.KindNotFound) {
		err = nil
	}
	check("media", err)
	_, err = a.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{})
	check("temporal", err)
	status := http.StatusOK
	if !ok {
		status = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"ready": ok, "checks": checks})
}
