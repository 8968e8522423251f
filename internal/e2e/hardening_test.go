package e2e

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/generia/generia/internal/apiclient"
	"github.com/generia/generia/internal/auth"
	"github.com/generia/generia/internal/generia"
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
	req, _ := http.NewRequest("POST", s.app.URL+"/api/v1/worlds", bytes.NewReader(mp.Bytes()))
	req.Header = cookie.Clone()
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("the CSRF token in a form body: HTTP %d, want 403: the API takes it from X-CSRF-Token only", resp.StatusCode)
	}
	req, _ = http.NewRequest("POST", s.app.URL+"/api/v1/worlds", strings.NewReader(`{"prompt":"A quiet harbour","characters_count":1,"posts_count":1}`))
	req.Header = cookie.Clone()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(auth.CSRFHeader, "the-csrf")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("with the token in X-CSRF-Token: HTTP %d, want 201", resp.StatusCode)
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
