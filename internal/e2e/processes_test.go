package e2e

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/requesttest"
	"github.com/generia/generia/internal/servicetest"
)

// binary builds cmd/generia once for the tests that run real processes.
var binary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "generia-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "generia")
	out, err := exec.Command("go", "build", "-o", bin, "../../cmd/generia").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("building generia: %v\n%s", err, out)
	}
	return bin, nil
})

// process is a running generia process.
type process struct {
	name   string
	cmd    *exec.Cmd
	log    string
	exited chan struct{} // closed when the process has ended
	// from is where this run's output starts in the log, which an earlier
	// run of the same name may have begun.
	from int64
}

// run starts `generia args…` with env, its output in a log file that the
// test prints if it fails.
func run(t *testing.T, dir, name string, env []string, args ...string) *process {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, name+".log")
	f, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	p := &process{name: name, cmd: cmd, log: logPath, exited: make(chan struct{}), from: info.Size()}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- %s log:\n%s", name, b)
		}
	})
	return p
}

// announced waits for the line of the process's output that starts with
// prefix, and returns the rest of it. Processes bind port 0 and say where
// they listen: a port picked by the test and bound later by the process
// could be taken in between by any other program.
func (p *process) announced(t *testing.T, prefix string) string {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		b, _ := os.ReadFile(p.log)
		for line := range strings.Lines(string(b[min(p.from, int64(len(b))):])) {
			if rest, ok := strings.CutPrefix(line, prefix); ok && strings.HasSuffix(line, "\n") {
				return strings.TrimSpace(rest)
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("%s ended before it said %q", p.name, prefix)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not say %q within a minute", p.name, prefix)
		}
	}
}

// runTemporal starts `generia temporal` on a port of its choosing and
// returns its address.
func runTemporal(t *testing.T, dir string, env []string) string {
	t.Helper()
	p := run(t, dir, "temporal", append(slices.Clip(env), "TEMPORAL_ADDRESS=127.0.0.1:0"), "temporal", "--temporal-ui-addr", "off")
	addr, _, _ := strings.Cut(p.announced(t, "Temporal is running at "), " ")
	return addr
}

// runAPI starts `generia api` on a port of its choosing, waits until it is
// ready and returns it and its base URL.
func runAPI(t *testing.T, dir, name string, env []string) (*process, string) {
	t.Helper()
	p := run(t, dir, name, env, "api", "--addr", "127.0.0.1:0")
	base := strings.TrimSuffix(p.announced(t, "  API:          "), "/api/v1")
	waitHTTP(t, apiclient.New(base, ""), "/readyz")
	return p, base
}

// kill stops the process at once, as kill -9 does.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// waitHTTP waits until url answers 200.
func waitHTTP(t *testing.T, c *apiclient.Client, path string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if err := c.Do(context.Background(), "GET", path, nil, nil); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s%s did not come up", c.BaseURL, path)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// postJSONFrom posts a JSON body to url as the client at address from,
// behind a trusted proxy (X-Forwarded-For), and returns the answer's status.
func postJSONFrom(t *testing.T, from, url, body string) int {
	t.Helper()
	return requesttest.Send(t, requesttest.Request{Method: "POST", URL: url, Body: body, ContentType: "application/json",
		Header: http.Header{"X-Forwarded-For": {from}}}).Status
}

// A cluster of real processes on loopback: the Temporal server, the API and
// two workers on every queue, sharing one data dir.
type cluster struct {
	dir     string
	env     []string
	api     *process
	workers []*process
	client  *apiclient.Client
}

// startCluster starts the cluster; env (NAME=value) goes to the API and the
// workers.
func startCluster(t *testing.T, env ...string) *cluster {
	t.Helper()
	c := &cluster{dir: t.TempDir()}
	c.env = []string{"GENERIA_DATA_DIR=" + c.dir, "GENERIA_LOG_LEVEL=warn", "GENERIA_NO_SAMPLE=true"}
	c.env = append(c.env, "TEMPORAL_ADDRESS="+runTemporal(t, c.dir, c.env))
	c.env = append(c.env, env...)
	c.client = apiclient.New("", "")
	c.startAPI(t)
	for i := range 2 {
		c.workers = append(c.workers, run(t, c.dir, fmt.Sprint("worker", i+1), c.env,
			"worker", "--queues", "main,llm,images,progress,services"))
	}
	sess, err := c.client.Register(context.Background(), "operator2", "op@example.com", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	c.client.Token = sess.Token
	return c
}

// startAPI starts the API process (again), and points the cluster's client
// at it.
func (c *cluster) startAPI(t *testing.T) {
	t.Helper()
	c.api, c.client.BaseURL = runAPI(t, c.dir, "api", c.env)
}

// checkExact checks that a completed world has exactly its planned
// characters and posts, none twice.
func checkExact(t *testing.T, c *apiclient.Client, id string, chars, posts int) {
	t.Helper()
	gotChars, gotPosts := contents(t, c, id)
	seen := map[string]bool{}
	for _, ch := range gotChars {
		if seen[ch.ID] || seen["@"+ch.Username] {
			t.Errorf("character %s (@%s) twice", ch.ID, ch.Username)
		}
		seen[ch.ID], seen["@"+ch.Username] = true, true
	}
	for _, p := range gotPosts {
		if seen[p.ID] {
			t.Errorf("post %s twice", p.ID)
		}
		seen[p.ID] = true
	}
	if len(gotChars) != chars || len(gotPosts) != posts {
		t.Errorf("%d characters and %d posts, want exactly %d and %d", len(gotChars), len(gotPosts), chars, posts)
	}
}

// kill -9 of a worker in the middle of a 10/60 world: the other worker takes
// over (heartbeats reveal the dead one's calls within seconds) and the world
// completes with exactly its planned items.
func TestKilledWorkerMidWorld(t *testing.T) {
	c := startCluster(t, "GENERIA_OFFLINE_LLM_LATENCY=300ms", "GENERIA_OFFLINE_IMAGE_LATENCY=400ms")
	w := createWorld(t, c.client, apiclient.NewWorld{Prompt: "Ferrymen of a river that flows uphill", CharactersCount: 10, PostsCount: 60})
	waitFor(t, c.client, w.ID, 2*time.Minute, "some posts", func(st apiclient.Status) bool { return st.PostsCreated >= 5 })
	c.workers[0].kill()
	waitCompleted(t, c.client, w.ID, 3*time.Minute)
	checkExact(t, c.client, w.ID, 10, 60)
}

// The API process killed and started again during a world: the workers go
// on, and the new API sees the world complete.
func TestKilledAPIMidWorld(t *testing.T) {
	c := startCluster(t, "GENERIA_OFFLINE_LLM_LATENCY=300ms", "GENERIA_OFFLINE_IMAGE_LATENCY=400ms")
	w := createWorld(t, c.client, apiclient.NewWorld{Prompt: "Bakers on a drifting iceberg", CharactersCount: 10, PostsCount: 60})
	waitFor(t, c.client, w.ID, 2*time.Minute, "some characters", func(st apiclient.Status) bool { return st.CharactersCreated >= 2 })
	c.api.kill()
	time.Sleep(2 * time.Second)
	c.startAPI(t)
	waitCompleted(t, c.client, w.ID, 3*time.Minute)
	checkExact(t, c.client, w.ID, 10, 60)
}

// Two API processes behind one balancer share their rate limits through
// Redis: registrations from one address are limited across both, the web
// form and the API in the same bucket.
func TestRateLimitsHoldAcrossAPIProcesses(t *testing.T) {
	redisURL := servicetest.Env(t, "GENERIA_TEST_REDIS_URL", "the shared rate limit test")
	dir := t.TempDir()
	env := []string{"GENERIA_DATA_DIR=" + dir, "GENERIA_LOG_LEVEL=warn", "GENERIA_NO_SAMPLE=true",
		"REDIS_URL=" + redisURL, "GENERIA_TRUSTED_PROXIES=127.0.0.1", "GENERIA_REGISTER_RATE=4/1h"}
	env = append(env, "TEMPORAL_ADDRESS="+runTemporal(t, dir, env))
	var apis []string
	for i := range 2 {
		_, base := runAPI(t, dir, fmt.Sprint("api", i+1), env)
		apis = append(apis, base)
	}
	// One client behind the balancer, with an address of its own for this
	// run (a shared Redis remembers earlier runs' addresses for an hour).
	client := fmt.Sprintf("198.18.%d.%d", rand.IntN(250)+1, rand.IntN(250)+1)
	created := 0
	for i := range 8 {
		body := fmt.Sprintf(`{"username":"limited%d_%d","email":"l%d_%d@example.com","password":"correct horse battery"}`, i, rand.IntN(1e6), i, rand.IntN(1e6))
		switch code := postJSONFrom(t, client, apis[i%2]+"/api/v1/auth/register", body); code {
		case http.StatusCreated:
			created++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("registration %d: HTTP %d", i+1, code)
		}
	}
	if created != 4 {
		t.Errorf("%d registrations from one address through two API processes with a limit of 4 an hour, want 4", created)
	}
	// The web form of either process is in the same bucket: spent.
	jar, _ := cookiejar.New(nil)
	web := &http.Client{Jar: jar}
	form, err := web.Get(apis[1] + "/register")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(form.Body)
	form.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("the registration form has no CSRF token")
	}
	req, _ := http.NewRequest("POST", apis[1]+"/register", strings.NewReader(url.Values{"_csrf": {string(m[1])},
		"username": {"webform"}, "email": {"webform@example.com"}, "password": {"correct horse battery"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", client)
	resp, err := web.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("the web registration form after the API's limit was spent: HTTP %d, want 429", resp.StatusCode)
	}
}
