// Package temporalserver runs a Temporal server in-process on a SQLite file,
// with the Temporal Web UI beside it: the engine of `generia up`, of the
// end-to-end tests and of the pipeline's worker tests. It is the only
// package that links the Temporal server.
package temporalserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uiserveroptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"

	"github.com/generia/generia/internal/secret"
)

// Options configure the embedded server.
type Options struct {
	// DataDir holds the server's SQLite file, temporal.db.
	DataDir string
	// Addr is the frontend's host:port; port 0 picks a free port.
	Addr string
	// UIAddr is the Web UI's host:port; empty disables the UI. The UI
	// answers only requests that name it by an IP address or localhost
	// (LocalHostOnly), so that no web page can reach it by DNS rebinding.
	UIAddr string
	// HTTPPort is the frontend's HTTP API port; 0, the default, keeps it
	// off. That API takes commands with no CSRF defence: any web page a
	// person on this machine opens could send it a cross-origin POST.
	HTTPPort int
	// Namespace is created on the first start; required.
	Namespace string
	// Logger receives the server's warnings and errors.
	Logger *slog.Logger
}

// Server is a running embedded Temporal server.
type Server struct {
	server temporal.Server
	ui     *uiserver.Server
	// uiGuard is the UI's public listener, which passes on to the UI only
	// the requests that name it by address (LocalHostOnly).
	uiGuard *http.Server
	addr    string
	uiAddr  string
}

const clusterName = "active"

// Start starts the server and returns once its frontend accepts calls. The
// first start over an empty data dir creates the database and namespace;
// later starts keep every workflow.
func Start(o Options) (*Server, error) {
	if o.Namespace == "" {
		return nil, errors.New("temporal: a namespace is required")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	host, port, err := hostPort(o.Addr)
	if err != nil {
		return nil, fmt.Errorf("temporal address %q: %w", o.Addr, err)
	}
	if port != 0 {
		// A port in use is an operator's mistake (another Temporal, another
		// `generia up`): say so before building anything.
		l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			return nil, fmt.Errorf("temporal: %w (is another Temporal server running? use --temporal-addr to pick another port)", err)
		}
		_ = l.Close()
	}
	if err := secret.PrivateDir(o.DataDir); err != nil {
		return nil, err
	}
	sqlConf, err := sqlConfig(filepath.Join(o.DataDir, "temporal.db"), o.Namespace)
	if err != nil {
		return nil, err
	}
	// Made (or left by an earlier version) with the default mode; SQLite
	// gives the files it adds the mode of the database.
	if err := secret.PrivateFile(filepath.Join(o.DataDir, "temporal.db")); err != nil {
		return nil, err
	}
	// The server's internal ports (and the frontend's, given port 0) are
	// picked free, then bound by the server a moment later; another process
	// may take one in between. That start fails at once, and is tried again
	// with other ports.
	var srv temporal.Server
	for attempt := 1; ; attempt++ {
		var frontend int
		srv, frontend, err = startServer(host, port, o.HTTPPort, sqlConf, o.Logger)
		if err == nil {
			port = frontend
			break
		}
		var taken portTakenError
		if !errors.As(err, &taken) || attempt == 3 {
			return nil, err
		}
		o.Logger.Warn("a port picked for the Temporal server was taken; trying other ports", "error", err)
	}
	s := &Server{server: srv, addr: net.JoinHostPort(host, strconv.Itoa(port))}
	if o.UIAddr != "" {
		if err := s.startUI(o.UIAddr, o.Logger); err != nil {
			s.Stop()
			return nil, err
		}
	}
	return s, nil
}

// Addr is the frontend's host:port.
func (s *Server) Addr() string { return s.addr }

// UIAddr is the Web UI's host:port, or empty.
func (s *Server) UIAddr() string { return s.uiAddr }

// Stop stops the UI and the server. Stop workers before.
func (s *Server) Stop() {
	if s.uiGuard != nil {
		_ = s.uiGuard.Close()
	}
	if s.ui != nil {
		s.ui.Stop()
	}
	_ = s.server.Stop()
}

func (s *Server) startUI(addr string, logger *slog.Logger) error {
	host, port, err := hostPort(addr)
	if err != nil {
		return fmt.Errorf("temporal UI address %q: %w", addr, err)
	}
	if port == 0 {
		if port, err = freePort(host); err != nil {
			return err
		}
	}
	// The public address is held by a guard of ours, which refuses requests
	// that name another host (DNS rebinding: a page of evil.example whose
	// name now points at 127.0.0.1 would otherwise reach the UI as its own
	// origin, and command Temporal). The UI itself listens on a loopback
	// port of its own behind it.
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("temporal UI: %w (use --temporal-ui-addr to pick another port, or off)", err)
	}
	inner, err := freePort("127.0.0.1")
	if err != nil {
		_ = l.Close()
		return err
	}
	s.ui = uiserver.NewServer(uiserveroptions.WithConfigProvider(&uiconfig.Config{
		Host:                "127.0.0.1",
		Port:                inner,
		TemporalGRPCAddress: s.addr,
		EnableUI:            true,
		CORS:                uiconfig.CORS{CookieInsecure: true},
		HideLogs:            true,
		DisableNewsFetch:    true,
	}))
	s.uiAddr = net.JoinHostPort(host, strconv.Itoa(port))
	go func() {
		if err := s.ui.Start(); err != nil && !errors.Is(err, net.ErrClosed) {
			logger.Error("temporal UI stopped", "error", err)
		}
	}()
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(inner))})
	s.uiGuard = &http.Server{Handler: LocalHostOnly(port, proxy), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := s.uiGuard.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("temporal UI stopped", "error", err)
		}
	}()
	return nil
}

// LocalHostOnly passes on the requests whose Host names this machine's
// port by an IP address or as localhost (127.0.0.1:PORT, [::1]:PORT,
// localhost:PORT) and answers any other 421 Misdirected Request. A web page
// can make a browser send requests to a loopback port, but through a name
// it controls (DNS rebinding), never with one of these as its Host.
func LocalHostOnly(port int, next http.Handler) http.Handler {
	want := strconv.Itoa(port)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, p, err := net.SplitHostPort(r.Host)
		ok := err == nil && p == want
		if ok && !strings.EqualFold(host, "localhost") {
			_, perr := netip.ParseAddr(host)
			ok = perr == nil
		}
		if !ok {
			http.Error(w, "The Temporal Web UI answers only at its own address, such as http://"+net.JoinHostPort("127.0.0.1", want)+"/.",
				http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// portTakenError is a listener the server could not open.
type portTakenError struct{ err error }

func (e portTakenError) Error() string { return e.err.Error() }
func (e portTakenError) Unwrap() error { return e.err }

// startServer builds and starts the server on free ports (and the frontend
// on port, unless 0). The server reports a listener it cannot open through
// its logger's Fatal, while it is being built; that comes back as a
// portTakenError.
func startServer(host string, port, httpPort int, sqlConf *config.SQL, log *slog.Logger) (srv temporal.Server, frontend int, err error) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		f, ok := v.(fatalError)
		if !ok {
			panic(v)
		}
		err = fmt.Errorf("starting the Temporal server: %w", f)
		if strings.Contains(f.msg, "listener") {
			err = portTakenError{err}
		}
	}()
	conf, err := serverConfig(host, port, httpPort, sqlConf)
	if err != nil {
		return nil, 0, err
	}
	logger := newLogger(log)
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, 0, err
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, 0, err
	}
	hosts := map[primitives.ServiceName]static.Hosts{}
	for name, svc := range conf.Services {
		hosts[primitives.ServiceName(name)] = static.SingleLocalHost(net.JoinHostPort(host, strconv.Itoa(svc.RPC.GRPCPort)))
	}
	dyn := dynamicconfig.StaticClient{
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// One partition per task queue: on a single host more partitions only
		// delay matching.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
	srv, err = temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dyn),
	)
	if err != nil {
		return nil, 0, fmt.Errorf("creating the Temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, 0, fmt.Errorf("starting the Temporal server: %w", err)
	}
	return srv, conf.Services["frontend"].RPC.GRPCPort, nil
}

func sqlConfig(file, namespace string) (*config.SQL, error) {
	conf := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: file,
		// One connection with WAL is the fastest here; more give SQLITE_BUSY.
		ConnectAttributes: map[string]string{"mode": "rwc", "journal_mode": "wal", "synchronous": "normal"},
		MaxConns:          1,
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		if err := sqliteschema.SetupSchema(conf); err != nil {
			return nil, fmt.Errorf("creating the Temporal database: %w", err)
		}
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, nil)
	if err != nil {
		return nil, err
	}
	if err := sqliteschema.CreateNamespaces(conf, ns); err != nil {
		return nil, fmt.Errorf("creating the %s namespace: %w", namespace, err)
	}
	return conf, nil
}

func serverConfig(host string, port, httpPort int, sqlConf *config.SQL) (*config.Config, error) {
	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = host
	conf.Persistence.DefaultStore = "sqlite"
	conf.Persistence.VisibilityStore = "sqlite"
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]config.DataStore{"sqlite": {SQL: sqlConf}}
	// The frontend itself when port is 0, history, matching and worker. The
	// frontend's HTTP API only when asked for (httpPort, else 0: off).
	ports, err := freePorts(host, 4, port, httpPort)
	if err != nil {
		return nil, err
	}
	if port == 0 {
		port = ports[0]
	}
	hp := func(p int) string { return net.JoinHostPort(host, strconv.Itoa(p)) }
	info := cluster.ClusterInformation{Enabled: true, InitialFailoverVersion: 1, RPCAddress: hp(port)}
	if httpPort != 0 {
		info.HTTPAddress = hp(httpPort)
	}
	conf.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation:       map[string]cluster.ClusterInformation{clusterName: info},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{}
	for i, name := range []string{"frontend", "history", "matching", "worker"} {
		var svc config.Service
		svc.RPC.BindOnIP = host
		if name == "frontend" {
			svc.RPC.GRPCPort, svc.RPC.HTTPPort = port, httpPort
		} else {
			svc.RPC.GRPCPort = ports[i]
		}
		conf.Services[name] = svc
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = hp(port)
	return &conf, nil
}

func hostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	if host == "" {
		host = "127.0.0.1"
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("bad port %q", p)
	}
	return host, port, nil
}

// freePorts finds n distinct free ports other than except (the frontend's
// and its HTTP API's, checked free but not held), holding each open until
// all are found so that none is handed out twice.
func freePorts(host string, n int, except ...int) ([]int, error) {
	var ports []int
	for len(ports) < n {
		l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		defer l.Close()
		if p := l.Addr().(*net.TCPAddr).Port; !slices.Contains(except, p) {
			ports = append(ports, p)
		}
	}
	return ports, nil
}

func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
