package temporalserver

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// The UI's guard passes on only requests that name the UI by an IP
// address or localhost, at its port: a page that reached it through a name
// of its own (DNS rebinding) gets 421 and never reaches the UI.
func TestUIAnswersOnlyItsOwnAddress(t *testing.T) {
	reached := 0
	h := LocalHostOnly(8233, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached++ }))
	for host, ok := range map[string]bool{
		"127.0.0.1:8233": true, "localhost:8233": true, "LOCALHOST:8233": true, "[::1]:8233": true, "192.168.1.5:8233": true,
		"evil.example:8233": false, "evil.example": false, "127.0.0.1": false, "127.0.0.1:80": false, "localhost.evil.example:8233": false,
		"127.0.0.1.nip.io:8233": false, "": false, "[::1]": false,
	} {
		before := reached
		w := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/api/v1/namespaces/default/workflows/world-life-w/signal/settings", nil)
		r.Host = host
		h.ServeHTTP(w, r)
		if passed := reached > before; passed != ok {
			t.Errorf("Host %q: passed on %v, want %v", host, passed, ok)
		}
		if !ok && w.Code != http.StatusMisdirectedRequest {
			t.Errorf("Host %q: HTTP %d, want 421", host, w.Code)
		}
	}
}

// The frontend's HTTP API is off unless a port is asked for.
func TestFrontendHTTPIsOffUnlessAsked(t *testing.T) {
	conf, err := serverConfig("127.0.0.1", 0, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := conf.Services["frontend"].RPC.HTTPPort; p != 0 {
		t.Errorf("the frontend's HTTP port is %d by default, want 0 (off)", p)
	}
	if a := conf.ClusterMetadata.ClusterInformation[clusterName].HTTPAddress; a != "" {
		t.Errorf("the cluster's HTTP address is %q by default, want none", a)
	}
	conf, err = serverConfig("127.0.0.1", 0, 17243, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := conf.Services["frontend"].RPC.HTTPPort; p != 17243 {
		t.Errorf("the frontend's HTTP port is %d when asked for 17243", p)
	}
	for name, svc := range conf.Services {
		if name != "frontend" && (svc.RPC.GRPCPort == 17243 || svc.RPC.HTTPPort != 0) {
			t.Errorf("%s: %+v", name, svc.RPC)
		}
	}
}

// A real embedded server: its UI answers at its address, and refuses a
// request that names another host.
func TestEmbeddedUIRefusesOtherHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal server")
	}
	srv, err := Start(Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", UIAddr: "127.0.0.1:0", Namespace: "default",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	get := func(host string) int {
		req, _ := http.NewRequest("GET", "http://"+srv.UIAddr()+"/api/v1/settings", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(srv.UIAddr()); code != http.StatusOK {
		t.Errorf("the UI at its own address: HTTP %d, want 200", code)
	}
	_, port, _ := net.SplitHostPort(srv.UIAddr())
	if code := get("rebound.evil.example:" + port); code != http.StatusMisdirectedRequest {
		t.Errorf("the UI reached by another name: HTTP %d, want 421", code)
	}
}
