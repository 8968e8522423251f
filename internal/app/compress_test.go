package app

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Pages, styles, scripts and JSON go out gzipped to a browser that takes
// it; images and event streams as they are; a client that does not ask
// gets everything plain.
func TestCompress(t *testing.T) {
	page := strings.Repeat("<p>A harbour where the tide never goes out.</p>\n", 200)
	types := map[string]string{"/page": "text/html; charset=utf-8", "/app.css": "text/css; charset=utf-8",
		"/app.js": "text/javascript; charset=utf-8", "/api": "application/json", "/image": "image/png", "/stream": "text/event-stream"}
	h, err := compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t, ok := types[r.URL.Path]; ok {
			w.Header().Set("Content-Type", t)
		}
		_, _ = io.WriteString(w, page)
	}))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, gz bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip, deflate, br")
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	for _, path := range []string{"/page", "/app.css", "/app.js", "/api"} {
		rec := get(path, true)
		if rec.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding %q, want gzip", path, rec.Header().Get("Content-Encoding"))
			continue
		}
		if rec.Body.Len() > len(page)/4 {
			t.Errorf("%s: %d bytes gzipped of %d", path, rec.Body.Len(), len(page))
		}
		zr, err := gzip.NewReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if body, _ := io.ReadAll(zr); string(body) != page {
			t.Errorf("%s: the gzipped body does not read back as the page", path)
		}
		if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("%s: Vary %q, want Accept-Encoding", path, rec.Header().Get("Vary"))
		}
	}
	for _, path := range []string{"/image", "/stream"} {
		if rec := get(path, true); rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != page {
			t.Errorf("%s went out encoded %q", path, rec.Header().Get("Content-Encoding"))
		}
	}
	if rec := get("/page", false); rec.Header().Get("Content-Encoding") != "" || rec.Body.String() != page {
		t.Errorf("a client that does not take gzip got %q", rec.Header().Get("Content-Encoding"))
	}
}
