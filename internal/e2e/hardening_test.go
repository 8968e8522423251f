package e2e

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/requesttest"
)

// counting is a request body of n bytes (a JSON text that goes on and on,
// or form field's) that counts how many the client sent before the server
// answered.
type counting struct {
	prefix string
	left   int64
	sent   atomic.Int64
}

func (c *counting) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, io.EOF
	}
	if c.prefix != "" {
		n := copy(p, c.prefix)
		c.prefix = c.prefix[n:]
		c.left -= int64(n)
		c.sent.Add(int64(n))
		return n, nil
	}
	n := int64(len(p))
	if n > c.left {
		n = c.left
	}
	for i := range p[:n] {
		p[i] = 'a'
	}
	c.left -= n
	c.sent.Add(n)
	return int(n), nil
}

// post sends a body of size bytes, declared or (chunked) not, and returns
// the status and how much of the body the server took.
func post(t *testing.T, url, contentType string, size int64, declared bool, header http.Header) (int, int64) {
	t.Helper()
	body := &counting{left: size, prefix: `{"username": "`}
	req, err := http.NewRequest("POST", url, body)
	if err != nil {
		t.Fatal(err)
	}
	if declared {
		req.ContentLength = size
	} else {
		req.ContentLength = -1 // chunked: the server learns the size by reading
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		// The server may close the connection before the client has
		// written everything: the client then sees the write fail.
		return 0, body.sent.Load()
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("POST %s: answer without X-Content-Type-Options: nosniff", url)
	}
	return resp.StatusCode, body.sent.Load()
}

// Every route caps its body before anything reads it: a body declared too
// large gets 413 at once, one of unknown length is read only up to the cap;
// five anonymous 60 MB form posts leave the server's memory as it was.
func TestBodiesAreCappedBeforeTheyAreRead(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	defer s.app.Close()
	const big = 60 << 20
	form := "application/x-www-form-urlencoded"

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range 5 {
		status, sent := post(t, s.app.URL+"/login", form, big, i%2 == 0, nil)
		if (status != http.StatusRequestEntityTooLarge && status != 0) || sent > 8<<20 {
			t.Errorf("60 MB to /login: HTTP %d after %d MB sent; want 413 before 8 MB", status, sent>>20)
		}
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 32<<20 {
		t.Errorf("five 60 MB posts grew the heap by %d MB", grew>>20)
	}

	cases := []struct {
		name, path, contentType string
		size                    int64
		declared                bool
		header                  http.Header
	}{
		{"register form, declared", "/register", form, 1 << 20, true, nil},
		{"register form, chunked", "/register", form, 1 << 20, false, nil},
		{"API JSON, declared", "/api/v1/auth/login", "application/json", 1 << 20, true, nil},
		{"API JSON, chunked", "/api/v1/auth/register", "application/json", 1 << 20, false, nil},
		{"API upload over 8 MB", "/api/v1/worlds/w/media", "image/png", 20 << 20, true, nil},
		{"web upload over 8 MB", "/worlds/w/posts", "multipart/form-data; boundary=x", 20 << 20, true, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, sent := post(t, s.app.URL+tc.path, tc.contentType, tc.size, tc.declared, tc.header)
			if status != http.StatusRequestEntityTooLarge && !(status == 0 && !tc.declared) {
				t.Errorf("HTTP %d, want 413", status)
			}
			if tc.declared && sent > 1<<20 && sent == tc.size {
				t.Errorf("the whole %d MB body was taken before the 413", tc.size>>20)
			}
		})
	}

	// A cookie-authenticated API call carries its CSRF token in the header;
	// without it the call is refused without its body being parsed as a
	// form, whatever its type.
	token, hash, err := auth.NewRefreshToken()
	if err != nil {
		t.Fatal(err)
	}
	anon := apiclient.New(s.app.URL, "")
	ada, err := anon.Register(context.Background(), "ada", "ada@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := s.app.Store.CreateSession(context.Background(), generia.Session{TokenHash: hash, UserID: ada.User.ID, CSRF: "the-csrf", ExpiresAt: now.Add(time.Hour), CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	_ = mw.WriteField(auth.CSRFField, "the-csrf")
	_ = mw.Close()
	cookie := http.Header{"Cookie": {auth.SessionCookie + "=" + token}}
	if a := requesttest.Send(t, requesttest.Request{Method: "POST", URL: s.app.URL + "/api/v1/worlds", Body: mp.String(),
		ContentType: mw.FormDataContentType(), Header: cookie}); a.Status != http.StatusForbidden {
		t.Errorf("the CSRF token in a form body: HTTP %d, want 403: the API takes it from X-CSRF-Token only", a.Status)
	}
	withToken := cookie.Clone()
	withToken.Set(auth.CSRFHeader, "the-csrf")
	if a := requesttest.Send(t, requesttest.Request{Method: "POST", URL: s.app.URL + "/api/v1/worlds",
		Body: `{"prompt":"A quiet harbour","characters_count":1,"posts_count":1}`, ContentType: "application/json", Header: withToken}); a.Status != http.StatusCreated {
		t.Errorf("with the token in X-CSRF-Token: HTTP %d, want 201", a.Status)
	}

	// Every answer says nosniff, the operator routes' too.
	for _, path := range []string{"/healthz", "/api/v1/worlds", "/", "/static/app.css"} {
		resp, err := http.Get(s.app.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no X-Content-Type-Options: nosniff", path)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the log lines of many goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A text provider whose 401 echoes the key it refused: the key never
// leaves the process. Not in the status record (the owner reads the
// scrubbed detail, anyone else the class of the error), not in the world
// page, not in the log, not in the store's or Temporal's files.
func TestSecretsNeverLeaveTheProcess(t *testing.T) {
	const wrongKey = "sk-or-v1-5ecre7-wr0ng-key-0123456789"
	f := startFakes(t, fakeprovider.OpenRouterOptions{EchoKey: true}, fakeprovider.RunwareOptions{})
	var logs syncBuffer
	dir := t.TempDir()
	s := start(t, settings{dataDir: dir, env: f.with("OPENROUTER_API_KEY", wrongKey), logs: &logs})
	ctx := context.Background()
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "A lighthouse that keeps secrets", CharactersCount: 1, PostsCount: 1})
	owner := waitEnd(t, s.client, w.ID, time.Minute)
	if owner.Status != "failed" || !strings.Contains(owner.Error, "API key") {
		t.Fatalf("world ended %s with %q; want failed on the API key", owner.Status, owner.Error)
	}
	if strings.Contains(owner.Error, "5ecre7") {
		t.Errorf("the owner's status shows the key: %q", owner.Error)
	}
	public, err := apiclient.New(s.app.URL, "").Status(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "world description: the text provider refused the API key"; public.Error != want {
		t.Errorf("a visitor reads the error %q, want %q", public.Error, want)
	}
	if strings.Contains(public.Error, "127.0.0.1") {
		t.Errorf("a visitor reads the provider's address: %q", public.Error)
	}
	page, err := http.Get(s.app.URL + "/worlds/" + w.ID)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if bytes.Contains(html, []byte("5ecre7")) || bytes.Contains(html, []byte("Incorrect API key")) {
		t.Errorf("the world page shows the provider's answer")
	}
	// The history too, before the server stops.
	iter := s.app.Temporal.GetWorkflowHistory(ctx, w.WorkflowID, "", false, 0)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(ev.String(), "5ecre7") {
			t.Errorf("Temporal's history holds the key in %s", ev.GetEventType())
		}
	}
	s.app.Close()
	if strings.Contains(logs.String(), "5ecre7") {
		t.Errorf("the log holds the key")
	}
	if !strings.Contains(logs.String(), "[redacted]") {
		t.Errorf("the log does not show the provider's answer, scrubbed")
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte("5ecre7")) {
			t.Errorf("%s holds the key", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The data dir is its owner's alone: the directory 0700, every file in it
// 0600 (the store, Temporal's database, the secrets, every image).
func TestDataDirIsPrivate(t *testing.T) {
	dir := t.TempDir() + "/data"
	s := start(t, settings{dataDir: dir, sample: true})
	final := waitFor(t, s.client, s.app.SampleWorldID, time.Minute, "the sample world", func(st apiclient.Status) bool { return st.Terminal() })
	s.app.Close()
	if final.Status != "completed" {
		t.Fatalf("sample world ended %s", final.Status)
	}
	files := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		want := os.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		} else {
			files++
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", strings.TrimPrefix(path, dir), got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 17 { // two databases, the secrets, 15 images
		t.Errorf("only %d files in the data dir", files)
	}
}

// /metrics on the API's address takes the operator's token; with an
// address of its own it is served there alone.
func TestMetricsNeedTheOperator(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	ctx := context.Background()
	get := func(url, token string) (int, string) {
		t.Helper()
		a := requesttest.Send(t, requesttest.Request{URL: url, Bearer: token})
		return a.Status, string(a.Body)
	}
	ada, err := apiclient.New(s.app.URL, "").Register(ctx, "ada", "ada@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	for name, token := range map[string]string{"no token": "", "a person's token": ada.Token, "a forged token": "x.y.z"} {
		if code, _ := get(s.app.URL+"/metrics", token); code != http.StatusUnauthorized {
			t.Errorf("/metrics with %s: HTTP %d, want 401", name, code)
		}
	}
	if code, body := get(s.app.URL+"/metrics", s.client.Token); code != http.StatusOK || !strings.Contains(body, "generia_") {
		t.Errorf("/metrics with the operator token: HTTP %d", code)
	}
	if _, err := apiclient.New(s.app.URL, "").Register(ctx, "Operator", "op@example.com", "correct horse battery"); status(err) != http.StatusConflict {
		t.Errorf("registering the operator's name: %v, want 409", err)
	}
	if code, _ := get(s.app.URL+"/healthz", ""); code != http.StatusOK {
		t.Errorf("/healthz: HTTP %d, want 200 for anyone", code)
	}
	s.app.Close()

	s = start(t, settings{dataDir: t.TempDir(), env: map[string]string{"GENERIA_METRICS_ADDR": "127.0.0.1:0"}})
	defer s.app.Close()
	if code, _ := get(s.app.URL+"/metrics", s.client.Token); code != http.StatusNotFound {
		t.Errorf("/metrics on the API's address with a metrics address set: HTTP %d, want 404", code)
	}
	if code, body := get(s.app.MetricsURL+"/metrics", ""); code != http.StatusOK || !strings.Contains(body, "# HELP") {
		t.Errorf("/metrics on the metrics address: HTTP %d", code)
	}
}

// Logout and refresh end access at once: the access token before a refresh
// stops working, a logout ends its sign-in, and a replayed refresh token
// ends every token issued after it.
func TestTokensAreRevokedAtOnce(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir()})
	defer s.app.Close()
	ctx := context.Background()
	anon := apiclient.New(s.app.URL, "")
	works := func(token string) bool {
		t.Helper()
		_, _, err := apiclient.New(s.app.URL, token).Worlds(ctx, 1, "")
		if err != nil && status(err) != http.StatusUnauthorized {
			t.Fatal(err)
		}
		err = apiclient.New(s.app.URL, token).Do(ctx, "GET", "/api/v1/auth/me", nil, nil)
		return err == nil
	}
	first, err := anon.Register(ctx, "ada", "ada@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	second, err := anon.Refresh(ctx, first.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if works(first.Token) || !works(second.Token) {
		t.Errorf("after a refresh: the old token works %v, the new one %v; want only the new", works(first.Token), works(second.Token))
	}
	if err := apiclient.New(s.app.URL, second.Token).Logout(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if works(second.Token) {
		t.Error("the access token works after its logout")
	}
	if _, err := anon.Refresh(ctx, second.RefreshToken); status(err) != http.StatusUnauthorized {
		t.Errorf("refreshing after the logout: %v, want 401", err)
	}

	// Someone replays a refresh token the client already spent.
	login, err := anon.Login(ctx, "ada@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	mine, err := anon.Refresh(ctx, login.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := anon.Refresh(ctx, login.RefreshToken); status(err) != http.StatusUnauthorized {
		t.Errorf("a replayed refresh token: %v, want 401", err)
	}
	if works(mine.Token) {
		t.Error("the tokens issued after a replayed refresh token still work")
	}
	if _, err := anon.Refresh(ctx, mine.RefreshToken); status(err) != http.StatusUnauthorized {
		t.Errorf("refreshing with the token issued after the replayed one: %v, want 401", err)
	}
	// Other sign-ins of the person go on.
	other, err := anon.Login(ctx, "ada", "correct horse battery")
	if err != nil || !works(other.Token) {
		t.Errorf("a new sign-in after all that: %v", err)
	}
	if !works(s.client.Token) {
		t.Error("the operator token stopped working")
	}
}

// Wrong passwords from elsewhere cannot lock a person out: the address that
// sends them is refused, the person's own address gets in; the account's
// username and email count as one.
func TestSignInCannotBeLockedFromElsewhere(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{"GENERIA_TRUSTED_PROXIES": "127.0.0.1"}})
	defer s.app.Close()
	ctx := context.Background()
	if _, err := apiclient.New(s.app.URL, "").Register(ctx, "ada", "ada@example.com", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	login := func(from, who, password string) int {
		t.Helper()
		return postJSONFrom(t, from, s.app.URL+"/api/v1/auth/login", `{"email_or_username":"`+who+`","password":"`+password+`"}`)
	}
	const attacker, owner = "198.51.100.9", "203.0.113.5"
	for i, who := range []string{"ada", "ADA", "ada@example.com", "Ada@Example.com", "ada"} {
		if code := login(attacker, who, "wrong password "+who); code != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: HTTP %d, want 401", i+1, code)
		}
	}
	if code := login(attacker, "ada@example.com", "correct horse battery"); code != http.StatusTooManyRequests {
		t.Errorf("after 5 failures by username and email from one address: HTTP %d, want 429 (one account, one bucket)", code)
	}
	if code := login(owner, "ada", "correct horse battery"); code != http.StatusOK {
		t.Errorf("the owner from their own address: HTTP %d, want 200", code)
	}
	// IPv6 clients count per /64.
	for i := range 5 {
		login("2001:db8:1:2::"+strconv.Itoa(i+1), "ada", "wrong")
	}
	if code := login("2001:db8:1:2::99", "ada", "correct horse battery"); code != http.StatusTooManyRequests {
		t.Errorf("another address of the same IPv6 /64: HTTP %d, want 429", code)
	}
}

// Uploads are decoded whole and written again: a PNG header over random
// bytes is refused, a photo's metadata does not survive, and an account's
// uploads are held to its quota.
func TestUploadsAreCleanAndWithinQuota(t *testing.T) {
	s := start(t, settings{dataDir: t.TempDir(), env: map[string]string{"GENERIA_UPLOAD_RATE": "2/1h"}})
	defer s.app.Close()
	ctx := context.Background()
	w := createWorld(t, s.client, apiclient.NewWorld{Prompt: "A darkroom at the end of the world", CharactersCount: 1, PostsCount: 1})
	waitEnd(t, s.client, w.ID, time.Minute)
	good := pngBytes(t, 200, 150)
	bomb := append(append([]byte{}, good[:33]...), bytes.Repeat([]byte{0xA7, 0x13, 0x5C}, 20000)...)
	if _, err := s.client.Upload(ctx, w.ID, bomb); status(err) != http.StatusBadRequest {
		t.Errorf("a PNG header over random bytes: %v, want 400", err)
	}
	marked := append(append([]byte{}, good...), []byte("GPS 52.5200N 13.4050E")...)
	id, err := s.client.Upload(ctx, w.ID, marked)
	if err != nil {
		t.Fatal(err)
	}
	data, ctype, err := s.client.Media(ctx, id)
	if err != nil || ctype != "image/png" || bytes.Contains(data, []byte("GPS")) {
		t.Errorf("the stored upload (%s, %v) keeps what came after the image", ctype, err)
	}
	if _, err := s.client.Upload(ctx, w.ID, good); err != nil {
		t.Fatal(err)
	}
	if _, err := s.client.Upload(ctx, w.ID, good); status(err) != http.StatusTooManyRequests {
		t.Errorf("a 3rd upload in an hour with a quota of 2: %v, want 429", err)
	}
}
