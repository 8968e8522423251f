package runware

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/fakeprovidertest"
	"github.com/generia/generia/internal/generia"
)

const (
	testKey   = "rw-secret-key-123"
	testModel = "runware:100@1"
)

// fakeServer starts a fake Runware accepting testKey.
func fakeServer(t *testing.T, o fakeprovider.RunwareOptions) (*fakeprovider.Runware, *httptest.Server) {
	t.Helper()
	if o.APIKey == "" {
		o.APIKey = testKey
	}
	return fakeprovidertest.Runware(t, o)
}

func newClient(t *testing.T, o Options) *Client {
	t.Helper()
	if o.APIKey == "" {
		o.APIKey = testKey
	}
	if o.Model == "" {
		o.Model = testModel
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func request(key string) generia.ImageRequest {
	return generia.ImageRequest{
		WorldID: "world-1",
		Key:     key,
		Kind:    generia.MediaPostImage,
		Prompt:  "A lively night photo of a crowd at the fish market",
		Width:   512,
		Height:  384,
	}
}

// providerError asserts that err is a *generia.ProviderError of kind and
// that it does not leak the API key.
func providerError(t *testing.T, err error, kind generia.Kind) *generia.ProviderError {
	t.Helper()
	var pe *generia.ProviderError
	if !errors.As(err, &pe) {
		t.Fatalf("error %v (%T) is not a *generia.ProviderError", err, err)
	}
	if pe.Provider != "runware" {
		t.Errorf("provider %q, want runware", pe.Provider)
	}
	if pe.Kind != kind || generia.ErrorKind(err) != kind {
		t.Errorf("kind %q, want %q (error: %v)", pe.Kind, kind, err)
	}
	if strings.Contains(err.Error(), testKey) || strings.Contains(fmt.Sprintf("%+v", pe), testKey) {
		t.Errorf("error leaks the API key: %v", err)
	}
	return pe
}

func pngBytes(t *testing.T, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// stub starts a server whose POST answers with status, header and body
// (with IMAGE_URL replaced by the URL of GET /img.png, and TASK by the
// task's UUID), and whose GET /img.png serves image.
func stub(t *testing.T, status int, header http.Header, body string, img []byte) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			if r.Header.Get("Authorization") != "" {
				t.Errorf("image download sent an Authorization header")
			}
			_, _ = w.Write(img)
			return
		}
		var tasks []task
		_ = json.NewDecoder(r.Body).Decode(&tasks)
		taskUUID := ""
		if len(tasks) > 0 {
			taskUUID = tasks[0].TaskUUID
		}
		for k, vs := range header {
			w.Header()[k] = vs
		}
		w.WriteHeader(status)
		b := strings.ReplaceAll(body, "IMAGE_URL", srv.URL+"/img.png")
		b = strings.ReplaceAll(b, "TASK", taskUUID)
		_, _ = w.Write([]byte(b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestNewValidatesOptions(t *testing.T) {
	tests := []struct {
		name    string
		o       Options
		wantErr bool
	}{
		{"no key", Options{BaseURL: "https://api.runware.ai/v1", Model: testModel}, true},
		{"blank key", Options{APIKey: "  ", BaseURL: "https://api.runware.ai/v1", Model: testModel}, true},
		{"no URL", Options{APIKey: "k", Model: testModel}, true},
		{"relative URL", Options{APIKey: "k", BaseURL: "/v1", Model: testModel}, true},
		{"ftp URL", Options{APIKey: "k", BaseURL: "ftp://api.runware.ai/v1", Model: testModel}, true},
		{"unparsable URL", Options{APIKey: "k", BaseURL: "http://[::1", Model: testModel}, true},
		{"no model", Options{APIKey: "k", BaseURL: "https://api.runware.ai/v1"}, true},
		{"Runware", Options{APIKey: "k", BaseURL: "https://api.runware.ai/v1", Model: testModel}, false},
		{"custom", Options{APIKey: "k", BaseURL: "http://127.0.0.1:9/v1", Model: "civitai:1@2"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.o)
			if (err != nil) != tt.wantErr {
				t.Fatalf("New: err %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), tt.o.APIKey) && strings.TrimSpace(tt.o.APIKey) != "" {
					t.Errorf("error leaks the key: %v", err)
				}
				return
			}
			if c.Name() != "runware" {
				t.Errorf("Name %q", c.Name())
			}
			if c.endpoint != tt.o.BaseURL || c.model != tt.o.Model {
				t.Errorf("endpoint %q, model %q, want %q and %q", c.endpoint, c.model, tt.o.BaseURL, tt.o.Model)
			}
			if c.maxBytes != DefaultMaxImageBytes || c.http == nil {
				t.Errorf("max bytes %d, http %v", c.maxBytes, c.http)
			}
		})
	}
}

func TestGenerateImageWireFormat(t *testing.T) {
	fake, srv := fakeServer(t, fakeprovider.RunwareOptions{})
	c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
	req := request("posts/3/image")
	req.Prompt = "  \n A harbour at dusk, masts and lanterns \t"
	req.Width, req.Height = 1024, 512

	res, err := c.GenerateImage(context.Background(), req)
	if err != nil {
		t.Fatalf("GenerateImage: %v", err)
	}

	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("fake saw %d requests, want a POST and a GET", len(reqs))
	}
	post, get := reqs[0], reqs[1]
	if post.Method != http.MethodPost || post.Path != "/v1" || post.Status != http.StatusOK {
		t.Errorf("first request %s %s → %d, want POST /v1 → 200", post.Method, post.Path, post.Status)
	}
	if got := post.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization %q", got)
	}
	if got := post.Header.Get("Content-Type"); got != "application/json" {
		t.Errorf("Content-Type %q", got)
	}
	var body []map[string]any
	if err := json.Unmarshal(post.Body, &body); err != nil {
		t.Fatalf("body %s is not a JSON array of objects: %v", post.Body, err)
	}
	if len(body) != 1 {
		t.Fatalf("body holds %d tasks, want 1", len(body))
	}
	want := map[string]any{
		"taskType":       "imageInference",
		"taskUUID":       TaskUUID("world-1", "posts/3/image"),
		"model":          "runware:100@1",
		"positivePrompt": "A harbour at dusk, masts and lanterns",
		"negativePrompt": "blurry, deformed, disfigured, bad anatomy, text, letters, watermark, signature",
		"width":          float64(1024),
		"height":         float64(512),
		"numberResults":  float64(1),
		"outputType":     "URL",
		"outputFormat":   "PNG",
		"includeCost":    true,
		"deliveryMethod": "sync",
		"safety":         map[string]any{"checkContent": true},
	}
	if !reflect.DeepEqual(body[0], want) {
		t.Errorf("task\n got %v\nwant %v", body[0], want)
	}

	if get.Method != http.MethodGet || !strings.HasPrefix(get.Path, "/image/") || get.Status != http.StatusOK {
		t.Errorf("second request %s %s → %d, want GET /image/… → 200", get.Method, get.Path, get.Status)
	}
	if get.Header.Get("Authorization") != "" {
		t.Errorf("the image download sent the API key")
	}

	if res.ContentType != "image/png" || res.Width != 1024 || res.Height != 512 {
		t.Errorf("result %s %dx%d, want image/png 1024x512", res.ContentType, res.Width, res.Height)
	}
	if res.Model != testModel || res.CostUSD != fakeprovider.DefaultRunwareCost {
		t.Errorf("model %q cost %v", res.Model, res.CostUSD)
	}
	img, format, err := image.Decode(bytes.NewReader(res.Data))
	if err != nil || format != "png" || img.Bounds().Dx() != 1024 || img.Bounds().Dy() != 512 {
		t.Errorf("data decodes as %q %v, err %v", format, img.Bounds(), err)
	}
	if fake.Generations(TaskUUID("world-1", "posts/3/image")) != 1 || fake.TotalGenerations() != 1 {
		t.Errorf("fake counted %d generations", fake.TotalGenerations())
	}
}

func TestTaskUUIDIsDeterministicPerImage(t *testing.T) {
	a := TaskUUID("world-1", "header")
	if b := TaskUUID("world-1", "header"); a != b {
		t.Errorf("same image gave %s and %s", a, b)
	}
	seen := map[string][2]string{}
	for _, p := range [][2]string{
		{"world-1", "header"}, {"world-1", "icon"}, {"world-2", "header"},
		{"ab", "c"}, {"a", "bc"}, {"", ""},
	} {
		id := TaskUUID(p[0], p[1])
		if prev, dup := seen[id]; dup {
			t.Errorf("%v and %v share task UUID %s", prev, p, id)
		}
		seen[id] = p
		u, err := uuid.Parse(id)
		if err != nil || u.Version() != 4 || u.Variant() != uuid.RFC4122 {
			t.Errorf("%s is not a v4 UUID (version %d, variant %v, err %v)", id, u.Version(), u.Variant(), err)
		}
	}

	// A retried call sends the same task UUID; the fake accepts it again.
	fake, srv := fakeServer(t, fakeprovider.RunwareOptions{})
	c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
	for range 2 {
		if _, err := c.GenerateImage(context.Background(), request("header")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GenerateImage(context.Background(), request("icon")); err != nil {
		t.Fatal(err)
	}
	if got := fake.Generations(TaskUUID("world-1", "header")); got != 2 {
		t.Errorf("header task generated %d times, want 2", got)
	}
	if got := fake.Generations(TaskUUID("world-1", "icon")); got != 1 {
		t.Errorf("icon task generated %d times, want 1", got)
	}
}

func TestInvalidRequestsFailBeforeCalling(t *testing.T) {
	fake, srv := fakeServer(t, fakeprovider.RunwareOptions{})
	c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
	tests := []struct {
		name          string
		prompt        string
		width, height int
	}{
		{"empty prompt", "", 512, 512},
		{"one-character prompt", "  x\n", 512, 512},
		{"width too small", "a cat", 64, 512},
		{"width too large", "a cat", 2112, 512},
		{"width not a multiple of 64", "a cat", 500, 512},
		{"height zero", "a cat", 512, 0},
		{"height negative", "a cat", 512, -64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request("k")
			req.Prompt, req.Width, req.Height = tt.prompt, tt.width, tt.height
			_, err := c.GenerateImage(context.Background(), req)
			pe := providerError(t, err, generia.KindInvalid)
			if pe.Status != 0 {
				t.Errorf("status %d, want 0 (no call)", pe.Status)
			}
		})
	}
	if n := len(fake.Requests()); n != 0 {
		t.Errorf("fake saw %d requests, want none", n)
	}
}

func TestLongPromptsAreCutAtAWordBoundary(t *testing.T) {
	words := strings.Repeat("lantern ", 500) // 4000 characters
	tests := []struct {
		name, prompt string
		wantLen      int // 0: check the word boundary only
	}{
		{"words", words, 0},
		{"one giant word", strings.Repeat("é", 3500), 3000},
		{"exactly the limit", strings.Repeat("a", 3000), 3000},
		{"space just past the limit", strings.Repeat("a", 3000) + " tail", 3000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, srv := fakeServer(t, fakeprovider.RunwareOptions{})
			c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
			req := request("k")
			req.Prompt = tt.prompt
			if _, err := c.GenerateImage(context.Background(), req); err != nil {
				t.Fatalf("GenerateImage: %v", err)
			}
			var body []task
			if err := json.Unmarshal(fake.Requests()[0].Body, &body); err != nil {
				t.Fatal(err)
			}
			got := []rune(body[0].PositivePrompt)
			if len(got) > MaxPromptChars || !strings.HasPrefix(tt.prompt, string(got)) {
				t.Fatalf("prompt of %d characters is not a prefix within the limit", len(got))
			}
			if tt.wantLen != 0 && len(got) != tt.wantLen {
				t.Errorf("prompt has %d characters, want %d", len(got), tt.wantLen)
			}
			if tt.wantLen == 0 {
				if next := []rune(tt.prompt)[len(got)]; next != ' ' || strings.HasSuffix(string(got), " ") {
					t.Errorf("cut %q|%q is not at a word boundary", string(got[len(got)-10:]), next)
				}
			}
		})
	}
}

func TestFaultsAreClassified(t *testing.T) {
	tests := []struct {
		fault      fakeprovider.Fault
		kind       generia.Kind
		status     int
		code       string
		retryAfter time.Duration
		message    string
	}{
		{fakeprovider.Fault429, generia.KindUnavailable, 429, "rateLimitExceeded", time.Second, "slow down"},
		{fakeprovider.Fault500, generia.KindUnavailable, 500, "internalServerError", 0, "internal server error"},
		{fakeprovider.Fault502, generia.KindUnavailable, 502, "", 0, "502 Bad Gateway"},
		{fakeprovider.Fault503, generia.KindUnavailable, 503, "noAvailableServer", 0, "No server"},
		{fakeprovider.Fault402, generia.KindLimit, 402, "insufficientCredits", 0, "Runware account is out of credits"},
		{fakeprovider.FaultErrorIn200, generia.KindUnavailable, 200, "inferenceError", 0, "code inferenceError"},
		{fakeprovider.FaultInvalidJSON, generia.KindUnavailable, 200, "", 0, "not valid JSON"},
		{fakeprovider.FaultTruncated, generia.KindUnavailable, 200, "", 0, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			faults := fakeprovider.NewFaults(1).Script(tt.fault)
			fake, srv := fakeServer(t, fakeprovider.RunwareOptions{Faults: faults})
			c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
			_, err := c.GenerateImage(context.Background(), request("k"))
			pe := providerError(t, err, tt.kind)
			if pe.Status != tt.status || pe.Code != tt.code || pe.RetryAfter != tt.retryAfter {
				t.Errorf("status %d code %q retry after %v, want %d %q %v", pe.Status, pe.Code, pe.RetryAfter, tt.status, tt.code, tt.retryAfter)
			}
			if !strings.Contains(pe.Message, tt.message) {
				t.Errorf("message %q does not contain %q", pe.Message, tt.message)
			}
			if tt.code != "" && !strings.Contains(pe.Message, tt.code) {
				t.Errorf("message %q does not name the code %q", pe.Message, tt.code)
			}
			// The fault was scripted once: the retry succeeds.
			if _, err := c.GenerateImage(context.Background(), request("k")); err != nil {
				t.Errorf("retry: %v", err)
			}
			if got := fake.Generations(TaskUUID("world-1", "k")); got != 1 {
				t.Errorf("generations %d, want 1", got)
			}
		})
	}
}

func TestRejectedRequestsAreClassified(t *testing.T) {
	t.Run("bad key", func(t *testing.T) {
		_, srv := fakeServer(t, fakeprovider.RunwareOptions{APIKey: "the-right-key"})
		c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
		_, err := c.GenerateImage(context.Background(), request("k"))
		pe := providerError(t, err, generia.KindUnauthorized)
		if pe.Status != 401 || pe.Code != "invalidApiKey" || !strings.Contains(pe.Message, "parameter apiKey") {
			t.Errorf("got %d %q %q", pe.Status, pe.Code, pe.Message)
		}
	})
	t.Run("invalid model", func(t *testing.T) {
		_, srv := fakeServer(t, fakeprovider.RunwareOptions{})
		c := newClient(t, Options{BaseURL: srv.URL + "/v1", Model: "Not An AIR"})
		_, err := c.GenerateImage(context.Background(), request("k"))
		pe := providerError(t, err, generia.KindInvalid)
		if pe.Status != 400 || pe.Code != "invalidModel" || !strings.Contains(pe.Message, "parameter model") {
			t.Errorf("got %d %q %q", pe.Status, pe.Code, pe.Message)
		}
	})
	t.Run("echoed key is redacted", func(t *testing.T) {
		srv := stub(t, 401, nil, `{"errors":[{"code":"invalidApiKey","message":"key `+testKey+` is unknown"}]}`, nil)
		c := newClient(t, Options{BaseURL: srv.URL})
		_, err := c.GenerateImage(context.Background(), request("k"))
		pe := providerError(t, err, generia.KindUnauthorized)
		if !strings.Contains(pe.Message, "[redacted]") {
			t.Errorf("message %q", pe.Message)
		}
	})
}

func TestAnswersAreClassified(t *testing.T) {
	img := pngBytes(t, 8, 8)
	date := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		name       string
		status     int
		header     http.Header
		body       string
		kind       generia.Kind
		code       string
		retryAfter time.Duration // checked to the second
		message    string
	}{
		{"403 without a body", 403, nil, ``, generia.KindUnauthorized, "", 0, "API key was refused"},
		{"422", 422, nil, `{"errors":[{"code":"valueOutOfRange","message":"steps too high","parameter":["steps"]}]}`, generia.KindInvalid, "valueOutOfRange", 0, "parameter steps"},
		{"404 from a wrong base URL", 404, nil, `404 page not found`, generia.KindInvalid, "", 0, "404 page not found"},
		{"408", 408, nil, ``, generia.KindUnavailable, "", 0, ""},
		{"429 with an HTTP date", 429, http.Header{"Retry-After": {date}}, `{"errors":[{"code":"rateLimitExceeded","message":"slow"}]}`, generia.KindUnavailable, "rateLimitExceeded", 90 * time.Second, "slow"},
		{"legacy error object", 429, http.Header{"Retry-After": {"7"}}, `{"error":{"code":"rateLimitExceeded","message":"slow down"}}`, generia.KindUnavailable, "rateLimitExceeded", 7 * time.Second, "slow down"},
		{"legacy error array in a 200", 200, nil, `{"error":[{"code":"insufficientCredits","message":"top up"}]}`, generia.KindLimit, "insufficientCredits", 0, "out of credits"},
		{"balance code in a 400", 400, nil, `{"errors":[{"code":"lowBalance","message":"top up"}]}`, generia.KindLimit, "lowBalance", 0, "out of credits"},
		{"invalid prompt in a 200", 200, nil, `{"errors":[{"code":"invalidPositivePrompt","message":"bad prompt","taskUUID":"TASK"}]}`, generia.KindInvalid, "invalidPositivePrompt", 0, "bad prompt"},
		{"missing parameter", 200, nil, `{"errors":[{"code":"missingWidth","message":"width?"}]}`, generia.KindInvalid, "missingWidth", 0, "width?"},
		{"timeoutProvider in a 200", 200, nil, `{"errors":[{"code":"timeoutProvider","message":"slow upstream"}]}`, generia.KindUnavailable, "timeoutProvider", 0, "slow upstream"},
		{"error item in data", 200, nil, `{"data":[{"taskType":"imageInference","taskUUID":"TASK","status":"error","error":{"code":"modelUnavailable","message":"warming"}}]}`, generia.KindUnavailable, "modelUnavailable", 0, "warming"},
		{"no matching data item", 200, nil, `{"data":[{"taskType":"imageInference","taskUUID":"11111111-1111-4111-8111-111111111111","imageURL":"IMAGE_URL"}]}`, generia.KindUnavailable, "", 0, "no image URL"},
		{"empty data", 200, nil, `{"data":[]}`, generia.KindUnavailable, "", 0, "no image URL"},
		{"our error beside another task's data", 200, nil, `{"data":[{"taskUUID":"11111111-1111-4111-8111-111111111111","imageURL":"IMAGE_URL"}],"errors":[{"code":"invalidHeight","message":"height","taskUUID":"TASK"}]}`, generia.KindInvalid, "invalidHeight", 0, "height"},
		{"502 HTML", 502, nil, `<html><body>Bad gateway</body></html>`, generia.KindUnavailable, "", 0, "Bad gateway"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := stub(t, tt.status, tt.header, tt.body, img)
			c := newClient(t, Options{BaseURL: srv.URL})
			_, err := c.GenerateImage(context.Background(), request("k"))
			pe := providerError(t, err, tt.kind)
			if pe.Status != tt.status || pe.Code != tt.code {
				t.Errorf("status %d code %q, want %d %q", pe.Status, pe.Code, tt.status, tt.code)
			}
			// An HTTP date counts whole seconds, and the test's clock runs on
			// between writing the header and reading it: up to 2 s less.
			if d := pe.RetryAfter - tt.retryAfter; d < -2*time.Second || d > time.Second {
				t.Errorf("retry after %v, want %v", pe.RetryAfter, tt.retryAfter)
			}
			if !strings.Contains(pe.Message, tt.message) {
				t.Errorf("message %q does not contain %q", pe.Message, tt.message)
			}
		})
	}
}

func TestMixedDataAndErrors(t *testing.T) {
	t.Run("fake", func(t *testing.T) {
		faults := fakeprovider.NewFaults(1).Script(fakeprovider.FaultRunwareMixed)
		fake, srv := fakeServer(t, fakeprovider.RunwareOptions{Faults: faults})
		c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
		res, err := c.GenerateImage(context.Background(), request("k"))
		if err != nil {
			t.Fatalf("GenerateImage: %v", err)
		}
		if res.Width != 512 || res.Height != 384 {
			t.Errorf("size %dx%d", res.Width, res.Height)
		}
		if fake.Requests()[0].Status != 200 || faults.Injected()[fakeprovider.FaultRunwareMixed] != 1 {
			t.Errorf("mixed fault not injected")
		}
	})
	t.Run("stub", func(t *testing.T) {
		body := `{"data":[{"taskType":"imageInference","taskUUID":"TASK","imageURL":"IMAGE_URL","cost":0.002}],` +
			`"errors":[{"code":"inferenceError","message":"other task","taskUUID":"11111111-1111-4111-8111-111111111111"}]}`
		srv := stub(t, 200, nil, body, pngBytes(t, 64, 32))
		c := newClient(t, Options{BaseURL: srv.URL})
		res, err := c.GenerateImage(context.Background(), request("k"))
		if err != nil {
			t.Fatalf("GenerateImage: %v", err)
		}
		if res.CostUSD != 0.002 || res.Width != 64 || res.Height != 32 || res.ContentType != "image/png" {
			t.Errorf("result %+v", res)
		}
	})
}

func TestDownloadFailures(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL + "/img.png"
	closed.Close()
	tests := []struct {
		name     string
		imageURL string // IMAGE_URL: the stub's image
		image    []byte
		status   int
		message  string
	}{
		{"not found", "IMAGE_URL/missing", nil, 404, "HTTP 404"},
		{"file URL", "file:///etc/passwd", nil, 0, "not an http(s) URL"},
		{"ftp URL", "ftp://example.com/a.png", nil, 0, "not an http(s) URL"},
		{"relative URL", "/image/a.png", nil, 0, "not an http(s) URL"},
		{"not an image", "IMAGE_URL", []byte("<html>hello</html>"), 200, "not a PNG, JPEG or GIF"},
		{"connection refused", closedURL, nil, 0, "downloading the image failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch {
				case r.Method == http.MethodPost:
					var tasks []task
					_ = json.NewDecoder(r.Body).Decode(&tasks)
					u := strings.ReplaceAll(tt.imageURL, "IMAGE_URL", srv.URL+"/img.png")
					fmt.Fprintf(w, `{"data":[{"taskType":"imageInference","taskUUID":%q,"imageURL":%q}]}`, tasks[0].TaskUUID, u)
				case r.URL.Path == "/img.png":
					_, _ = w.Write(tt.image)
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			c := newClient(t, Options{BaseURL: srv.URL})
			_, err := c.GenerateImage(context.Background(), request("k"))
			pe := providerError(t, err, generia.KindUnavailable)
			if pe.Status != tt.status || !strings.Contains(pe.Message, tt.message) {
				t.Errorf("status %d message %q, want %d %q", pe.Status, pe.Message, tt.status, tt.message)
			}
		})
	}
}

func TestImageSizeCap(t *testing.T) {
	img := pngBytes(t, 256, 256)
	tests := []struct {
		name    string
		max     int64
		chunked bool // no Content-Length: the cap applies while reading
		wantErr bool
	}{
		{"under the cap", int64(len(img)), false, false},
		{"over the cap with Content-Length", int64(len(img)) - 1, false, true},
		{"over the cap chunked", int64(len(img)) - 1, true, true},
		{"under the cap chunked", int64(len(img)), true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost {
					var tasks []task
					_ = json.NewDecoder(r.Body).Decode(&tasks)
					fmt.Fprintf(w, `{"data":[{"taskUUID":%q,"imageURL":%q}]}`, tasks[0].TaskUUID, srv.URL+"/img.png")
					return
				}
				if tt.chunked {
					_, _ = w.Write(img[:10])
					w.(http.Flusher).Flush()
					_, _ = w.Write(img[10:])
					return
				}
				w.Header().Set("Content-Length", fmt.Sprint(len(img)))
				_, _ = w.Write(img)
			}))
			defer srv.Close()
			c := newClient(t, Options{BaseURL: srv.URL, MaxImageBytes: tt.max})
			res, err := c.GenerateImage(context.Background(), request("k"))
			if !tt.wantErr {
				if err != nil || !bytes.Equal(res.Data, img) {
					t.Fatalf("err %v, %d bytes", err, len(res.Data))
				}
				return
			}
			pe := providerError(t, err, generia.KindUnavailable)
			if !strings.Contains(pe.Message, fmt.Sprintf("larger than the limit of %d bytes", tt.max)) {
				t.Errorf("message %q", pe.Message)
			}
		})
	}

	// Against the fake: a real 2048x2048 image over a small cap.
	_, srv := fakeServer(t, fakeprovider.RunwareOptions{})
	c := newClient(t, Options{BaseURL: srv.URL + "/v1", MaxImageBytes: 1000})
	req := request("k")
	req.Width, req.Height = 2048, 2048
	_, err := c.GenerateImage(context.Background(), req)
	providerError(t, err, generia.KindUnavailable)
}

func TestTransportFailuresAreUnavailable(t *testing.T) {
	t.Run("deadline while the fake is slow", func(t *testing.T) {
		_, srv := fakeServer(t, fakeprovider.RunwareOptions{Latency: 5 * time.Second})
		c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := c.GenerateImage(ctx, request("k"))
		pe := providerError(t, err, generia.KindUnavailable)
		if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(pe.Message, "timed out") || pe.Status != 0 {
			t.Errorf("error %v (status %d) is not a deadline", err, pe.Status)
		}
		if time.Since(start) > 2*time.Second {
			t.Errorf("call took %v after the deadline", time.Since(start))
		}
	})
	t.Run("client timeout", func(t *testing.T) {
		_, srv := fakeServer(t, fakeprovider.RunwareOptions{Latency: 5 * time.Second})
		c := newClient(t, Options{BaseURL: srv.URL + "/v1", HTTP: &http.Client{Timeout: 50 * time.Millisecond}})
		_, err := c.GenerateImage(context.Background(), request("k"))
		pe := providerError(t, err, generia.KindUnavailable)
		if !strings.Contains(pe.Message, "timed out") {
			t.Errorf("message %q", pe.Message)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		c := newClient(t, Options{BaseURL: srv.URL + "/v1"})
		_, err := c.GenerateImage(context.Background(), request("k"))
		pe := providerError(t, err, generia.KindUnavailable)
		if pe.Status != 0 || pe.Err == nil {
			t.Errorf("status %d err %v", pe.Status, pe.Err)
		}
	})
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		header string
		want   time.Duration
	}{
		{"", 0},
		{"1", time.Second},
		{" 120 ", 2 * time.Minute},
		{"0", 0},
		{"-5", 0},
		{"soon", 0},
		{"1.5", 0},
		{"99999999999", 24 * time.Hour},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second},
		{now.Add(-30 * time.Second).Format(http.TimeFormat), 0},
		{now.Add(time.Minute).Format(time.RFC850), time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.header, func(t *testing.T) {
			if got := parseRetryAfter(tt.header, now); got != tt.want {
				t.Errorf("parseRetryAfter(%q) = %v, want %v", tt.header, got, tt.want)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		status int
		code   string
		want   generia.Kind
	}{
		{400, "", generia.KindInvalid},
		{422, "", generia.KindInvalid},
		{400, "invalidWidth", generia.KindInvalid},
		{200, "unsupportedTaskType", generia.KindInvalid},
		{401, "", generia.KindUnauthorized},
		{403, "", generia.KindUnauthorized},
		{400, "invalidApiKey", generia.KindUnauthorized},
		{402, "", generia.KindLimit},
		{200, "insufficientCredits", generia.KindLimit},
		{400, "quotaExceeded", generia.KindLimit},
		{408, "", generia.KindUnavailable},
		{429, "rateLimitExceeded", generia.KindUnavailable},
		{500, "", generia.KindUnavailable},
		{503, "invalidSomething", generia.KindUnavailable},
		{200, "inferenceError", generia.KindUnavailable},
		{0, "", generia.KindUnavailable},
		{400, "sensitiveContentDetected", generia.KindRefused},
		{200, "invalidProviderContent", generia.KindRefused},
		{403, "contentPolicyViolation", generia.KindRefused},
		{500, "moderationFailed", generia.KindRefused},
	}
	for _, tt := range tests {
		if got := classify(tt.status, tt.code); got != tt.want {
			t.Errorf("classify(%d, %q) = %q, want %q", tt.status, tt.code, got, tt.want)
		}
	}
}
