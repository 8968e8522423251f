package fakeprovider_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/fakeprovidertest"
	"github.com/generia/generia/internal/requesttest"
)

const key = "test-key"

type rwAnswer struct {
	Data []struct {
		TaskType              string   `json:"taskType"`
		TaskUUID              string   `json:"taskUUID"`
		ConnectionSessionUUID string   `json:"connectionSessionUUID"`
		Status                string   `json:"status"`
		ImageUUID             string   `json:"imageUUID"`
		ImageURL              string   `json:"imageURL"`
		ImageBase64Data       string   `json:"imageBase64Data"`
		ImageDataURI          string   `json:"imageDataURI"`
		Seed                  int64    `json:"seed"`
		Cost                  *float64 `json:"cost"`
	} `json:"data"`
	Errors []struct {
		Code      string `json:"code"`
		Message   string `json:"message"`
		Parameter string `json:"parameter"`
		TaskType  string `json:"taskType"`
		TaskUUID  string `json:"taskUUID"`
	} `json:"errors"`
}

func startRunware(t *testing.T, o fakeprovider.RunwareOptions) (*fakeprovider.Runware, *httptest.Server) {
	t.Helper()
	if o.APIKey == "" {
		o.APIKey = key
	}
	return fakeprovidertest.Runware(t, o)
}

// inference returns a valid imageInference task, changed by the given
// key/value pairs (a nil value deletes the key).
func inference(kv ...any) map[string]any {
	t := map[string]any{
		"taskType":       "imageInference",
		"taskUUID":       uuid.NewString(),
		"model":          "runware:100@1",
		"positivePrompt": "a lighthouse on a cliff at dusk",
		"width":          256,
		"height":         128,
		"outputType":     "URL",
		"outputFormat":   "PNG",
		"includeCost":    true,
		"deliveryMethod": "sync",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(t, kv[i].(string))
			continue
		}
		t[kv[i].(string)] = kv[i+1]
	}
	return t
}

// post sends body (marshalled unless it is a string) with the Bearer key
// unless bearer is empty.
func post(t *testing.T, srv *httptest.Server, bearer string, body any) (int, http.Header, rwAnswer, []byte) {
	t.Helper()
	var raw []byte
	if s, ok := body.(string); ok {
		raw = []byte(s)
	} else {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			t.Fatal(err)
		}
	}
	a := requesttest.Send(t, requesttest.Request{Method: http.MethodPost, URL: srv.URL + "/v1", Body: string(raw),
		ContentType: "application/json", Bearer: bearer})
	var ans rwAnswer
	_ = json.Unmarshal(a.Body, &ans)
	return a.Status, a.Header, ans, a.Body
}

func fetch(t *testing.T, url string) (int, string, []byte) {
	t.Helper()
	a := requesttest.Send(t, requesttest.Request{URL: url})
	return a.Status, a.Header.Get("Content-Type"), a.Body
}

func decode(t *testing.T, data []byte) (string, int, int) {
	t.Helper()
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("decoding %d bytes: %v", len(data), err)
	}
	return format, img.Bounds().Dx(), img.Bounds().Dy()
}

func TestRunwareGeneratesRealImagesAtTheRequestedSize(t *testing.T) {
	f, srv := startRunware(t, fakeprovider.RunwareOptions{CostPerImage: 0.01})
	sizes := []struct{ w, h int }{{128, 128}, {1024, 512}, {512, 1024}, {2048, 2048}}
	for _, s := range sizes {
		task := inference("width", s.w, "height", s.h)
		status, _, ans, raw := post(t, srv, key, []any{task})
		if status != 200 || len(ans.Data) != 1 || len(ans.Errors) != 0 {
			t.Fatalf("%dx%d: status %d, answer %s", s.w, s.h, status, raw)
		}
		d := ans.Data[0]
		if d.TaskType != "imageInference" || d.TaskUUID != task["taskUUID"] || d.ImageUUID == "" || d.Seed == 0 {
			t.Errorf("item %+v", d)
		}
		if d.Cost == nil || *d.Cost != 0.01 {
			t.Errorf("cost %v, want 0.01", d.Cost)
		}
		if !strings.HasPrefix(d.ImageURL, srv.URL+"/image/"+d.ImageUUID+".png") {
			t.Errorf("imageURL %q does not point at the fake", d.ImageURL)
		}
		code, ctype, data := fetch(t, d.ImageURL)
		if code != 200 || ctype != "image/png" {
			t.Fatalf("GET image: %d %q", code, ctype)
		}
		if format, w, h := decode(t, data); format != "png" || w != s.w || h != s.h {
			t.Errorf("image is %s %dx%d, want png %dx%d", format, w, h, s.w, s.h)
		}
		if f.Generations(d.TaskUUID) != 1 {
			t.Errorf("generations of %s: %d", d.TaskUUID, f.Generations(d.TaskUUID))
		}
	}
	if f.TotalGenerations() != len(sizes) {
		t.Errorf("total generations %d, want %d", f.TotalGenerations(), len(sizes))
	}
	if code, _, _ := fetch(t, srv.URL+"/image/"+uuid.NewString()+".png"); code != 404 {
		t.Errorf("unknown image: %d, want 404", code)
	}
}

func TestRunwareOutputs(t *testing.T) {
	tests := []struct {
		name       string
		kv         []any
		n          int
		format     string
		urlExt     string
		cost       bool
		base64Kind string // "", "base64", "dataURI"
	}{
		{"defaults are JPG URL without cost", []any{"outputType", nil, "outputFormat", nil, "includeCost", nil}, 1, "jpeg", ".jpg", false, ""},
		{"lower-case png", []any{"outputFormat", "png"}, 1, "png", ".png", true, ""},
		{"webp is served as png bytes", []any{"outputFormat", "WEBP"}, 1, "png", ".webp", true, ""},
		{"three results", []any{"numberResults", 3}, 3, "png", ".png", true, ""},
		{"base64Data", []any{"outputType", "base64Data"}, 1, "png", "", true, "base64"},
		{"dataURI jpg", []any{"outputType", "dataURI", "outputFormat", "JPG"}, 1, "jpeg", "", true, "dataURI"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := startRunware(t, fakeprovider.RunwareOptions{})
			task := inference(tt.kv...)
			status, _, ans, raw := post(t, srv, key, []any{task})
			if status != 200 || len(ans.Data) != tt.n {
				t.Fatalf("status %d, answer %s", status, raw)
			}
			seen := map[string]bool{}
			for _, d := range ans.Data {
				if d.TaskUUID != task["taskUUID"] || seen[d.ImageUUID] {
					t.Errorf("item %+v: task UUID or duplicate image UUID", d)
				}
				seen[d.ImageUUID] = true
				if (d.Cost != nil) != tt.cost {
					t.Errorf("cost %v, want present %v", d.Cost, tt.cost)
				}
				var data []byte
				switch tt.base64Kind {
				case "":
					if !strings.HasSuffix(d.ImageURL, tt.urlExt) || d.ImageBase64Data != "" {
						t.Errorf("imageURL %q, want suffix %q", d.ImageURL, tt.urlExt)
					}
					_, _, data = fetch(t, d.ImageURL)
				case "base64":
					data, _ = base64.StdEncoding.DecodeString(d.ImageBase64Data)
				case "dataURI":
					b64, ok := strings.CutPrefix(d.ImageDataURI, "data:image/"+tt.format+";base64,")
					if !ok {
						t.Fatalf("data URI %.40q", d.ImageDataURI)
					}
					data, _ = base64.StdEncoding.DecodeString(b64)
				}
				if format, w, h := decode(t, data); format != tt.format || w != 256 || h != 128 {
					t.Errorf("image %s %dx%d, want %s 256x128", format, w, h, tt.format)
				}
			}
			if got := f.Generations(task["taskUUID"].(string)); got != tt.n {
				t.Errorf("generations %d, want %d", got, tt.n)
			}
		})
	}
}

func TestRunwareAuthentication(t *testing.T) {
	tests := []struct {
		name   string
		bearer string
		body   []any
		status int
	}{
		{"bearer", key, []any{inference()}, 200},
		{"authentication task", "", []any{map[string]any{"taskType": "authentication", "apiKey": key}, inference()}, 200},
		{"authentication task alone", "", []any{map[string]any{"taskType": "authentication", "apiKey": key}}, 200},
		{"no key", "", []any{inference()}, 401},
		{"wrong bearer", "nope", []any{inference()}, 401},
		{"wrong authentication task", key, []any{map[string]any{"taskType": "authentication", "apiKey": "nope"}, inference()}, 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := startRunware(t, fakeprovider.RunwareOptions{})
			status, _, ans, raw := post(t, srv, tt.bearer, tt.body)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %s", status, tt.status, raw)
			}
			if status == 401 {
				if len(ans.Errors) != 1 || ans.Errors[0].Code != "invalidApiKey" || ans.Errors[0].Parameter != "apiKey" || ans.Errors[0].TaskType != "authentication" {
					t.Errorf("answer %s", raw)
				}
				if f.TotalGenerations() != 0 {
					t.Errorf("generated without a key")
				}
				return
			}
			if len(tt.body) > 0 && tt.body[0].(map[string]any)["taskType"] == "authentication" {
				if len(ans.Data) == 0 || ans.Data[0].TaskType != "authentication" || ans.Data[0].ConnectionSessionUUID == "" {
					t.Errorf("no authentication item: %s", raw)
				}
			}
		})
	}
}

func TestRunwareRejectsInvalidRequests(t *testing.T) {
	v1 := uuid.Must(uuid.NewUUID()).String()
	tests := []struct {
		name  string
		body  any
		code  string
		param string
	}{
		{"not JSON", `{nope`, "invalidRequestBody", ""},
		{"object, not array", inference(), "invalidRequestBody", ""},
		{"empty array", []any{}, "invalidRequestBody", ""},
		{"array of strings", []any{"x"}, "invalidRequestBody", ""},
		{"taskUUID not v4", []any{inference("taskUUID", v1)}, "invalidTaskUUID", "taskUUID"},
		{"taskUUID missing", []any{inference("taskUUID", nil)}, "invalidTaskUUID", "taskUUID"},
		{"model not AIR", []any{inference("model", "flux")}, "invalidModel", "model"},
		{"prompt too short", []any{inference("positivePrompt", "a")}, "invalidPositivePrompt", "positivePrompt"},
		{"prompt too long", []any{inference("positivePrompt", strings.Repeat("a", 3001))}, "invalidPositivePrompt", "positivePrompt"},
		{"prompt missing", []any{inference("positivePrompt", nil)}, "invalidPositivePrompt", "positivePrompt"},
		{"negative prompt too short", []any{inference("negativePrompt", "x")}, "invalidNegativePrompt", "negativePrompt"},
		{"width too small", []any{inference("width", 64)}, "invalidWidth", "width"},
		{"width too large", []any{inference("width", 2112)}, "invalidWidth", "width"},
		{"width not a multiple of 64", []any{inference("width", 500)}, "invalidWidth", "width"},
		{"width a string", []any{inference("width", "512")}, "invalidWidth", "width"},
		{"height missing", []any{inference("height", nil)}, "invalidHeight", "height"},
		{"steps 0", []any{inference("steps", 0)}, "invalidSteps", "steps"},
		{"steps 101", []any{inference("steps", 101)}, "invalidSteps", "steps"},
		{"numberResults 21", []any{inference("numberResults", 21)}, "invalidNumberResults", "numberResults"},
		{"CFGScale 51", []any{inference("CFGScale", 51)}, "invalidCFGScale", "CFGScale"},
		{"seed 0", []any{inference("seed", 0)}, "invalidSeed", "seed"},
		{"outputType", []any{inference("outputType", "file")}, "invalidOutputType", "outputType"},
		{"outputFormat", []any{inference("outputFormat", "BMP")}, "invalidOutputFormat", "outputFormat"},
		{"deliveryMethod", []any{inference("deliveryMethod", "later")}, "invalidDeliveryMethod", "deliveryMethod"},
		{"includeCost", []any{inference("includeCost", "yes")}, "invalidIncludeCost", "includeCost"},
		{"unknown task type", []any{inference("taskType", "videoInference")}, "unsupportedTaskType", "taskType"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := startRunware(t, fakeprovider.RunwareOptions{})
			status, _, ans, raw := post(t, srv, key, tt.body)
			if status != 400 || len(ans.Errors) != 1 || len(ans.Data) != 0 {
				t.Fatalf("status %d, answer %s; want 400 with one error", status, raw)
			}
			e := ans.Errors[0]
			if e.Code != tt.code || e.Parameter != tt.param || e.Message == "" {
				t.Errorf("error %+v, want code %q parameter %q", e, tt.code, tt.param)
			}
			if f.TotalGenerations() != 0 {
				t.Errorf("an invalid request generated images")
			}
		})
	}
}

func TestRunwareMixedTasks(t *testing.T) {
	f, srv := startRunware(t, fakeprovider.RunwareOptions{})
	good, bad := inference(), inference("width", 100)
	status, _, ans, raw := post(t, srv, key, []any{good, bad})
	if status != 200 || len(ans.Data) != 1 || len(ans.Errors) != 1 {
		t.Fatalf("status %d, answer %s; want 200 with one item and one error", status, raw)
	}
	if ans.Data[0].TaskUUID != good["taskUUID"] || ans.Errors[0].TaskUUID != bad["taskUUID"] || ans.Errors[0].Code != "invalidWidth" {
		t.Errorf("answer %s", raw)
	}
	if f.Generations(good["taskUUID"].(string)) != 1 || f.Generations(bad["taskUUID"].(string)) != 0 {
		t.Errorf("generations counted wrong")
	}
}

func TestRunwareAsyncDelivery(t *testing.T) {
	_, srv := startRunware(t, fakeprovider.RunwareOptions{})
	task := inference("deliveryMethod", "async")
	id := task["taskUUID"].(string)
	status, _, ans, raw := post(t, srv, key, []any{task})
	if status != 200 || len(ans.Data) != 0 || len(ans.Errors) != 0 {
		t.Fatalf("ACK: status %d, answer %s", status, raw)
	}
	poll := []any{map[string]any{"taskType": "getResponse", "taskUUID": id}}
	status, _, ans, raw = post(t, srv, key, poll)
	if status != 200 || len(ans.Data) != 1 || ans.Data[0].Status != "success" || ans.Data[0].ImageURL == "" {
		t.Fatalf("getResponse: status %d, answer %s", status, raw)
	}
	status, _, ans, raw = post(t, srv, key, poll)
	if status != 400 || len(ans.Errors) != 1 || ans.Errors[0].Code != "taskFailedOrNotFound" {
		t.Errorf("second getResponse: status %d, answer %s", status, raw)
	}
}

func TestRunwareInjectsFaults(t *testing.T) {
	tests := []struct {
		fault      fakeprovider.Fault
		status     int
		code       string
		retryAfter string
		json       bool
	}{
		{fakeprovider.Fault429, 429, "rateLimitExceeded", "1", true},
		{fakeprovider.Fault500, 500, "internalServerError", "", true},
		{fakeprovider.Fault502, 502, "", "", false},
		{fakeprovider.Fault503, 503, "noAvailableServer", "", true},
		{fakeprovider.Fault402, 402, "insufficientCredits", "", true},
		{fakeprovider.FaultErrorIn200, 200, "inferenceError", "", true},
		{fakeprovider.FaultInvalidJSON, 200, "", "", false},
		{fakeprovider.FaultTruncated, 200, "", "", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			faults := fakeprovider.NewFaults(7).Script(tt.fault)
			f, srv := startRunware(t, fakeprovider.RunwareOptions{Faults: faults})
			task := inference()
			status, header, ans, raw := post(t, srv, key, []any{task})
			if status != tt.status || header.Get("Retry-After") != tt.retryAfter {
				t.Errorf("status %d Retry-After %q, want %d %q", status, header.Get("Retry-After"), tt.status, tt.retryAfter)
			}
			if tt.json != json.Valid(raw) {
				t.Errorf("body %q: JSON %v, want %v", raw, json.Valid(raw), tt.json)
			}
			if len(ans.Data) != 0 {
				t.Errorf("a fault answered data: %s", raw)
			}
			if tt.code != "" && (len(ans.Errors) != 1 || ans.Errors[0].Code != tt.code) {
				t.Errorf("errors %s, want code %q", raw, tt.code)
			}
			if tt.fault == fakeprovider.FaultErrorIn200 && ans.Errors[0].TaskUUID != task["taskUUID"] {
				t.Errorf("error-in-200 does not name the task: %s", raw)
			}
			if f.TotalGenerations() != 0 {
				t.Errorf("a failed request generated an image")
			}
			// The script is used up: the next request succeeds.
			if status, _, _, raw := post(t, srv, key, []any{task}); status != 200 {
				t.Errorf("after the fault: %d %s", status, raw)
			}
			if got := faults.Injected()[tt.fault]; got != 1 {
				t.Errorf("injected %d times", got)
			}
		})
	}
	t.Run(string(fakeprovider.FaultRunwareMixed), func(t *testing.T) {
		faults := fakeprovider.NewFaults(7).Script(fakeprovider.FaultRunwareMixed)
		_, srv := startRunware(t, fakeprovider.RunwareOptions{Faults: faults})
		task := inference()
		status, _, ans, raw := post(t, srv, key, []any{task})
		if status != 200 || len(ans.Data) != 1 || len(ans.Errors) != 1 || ans.Errors[0].TaskUUID == task["taskUUID"] {
			t.Errorf("status %d, answer %s; want data for the task and an error for another", status, raw)
		}
	})
}

func TestRunwareLatencyRespectsTheContext(t *testing.T) {
	_, srv := startRunware(t, fakeprovider.RunwareOptions{Latency: 100 * time.Millisecond})
	start := time.Now()
	if status, _, _, _ := post(t, srv, key, []any{inference()}); status != 200 {
		t.Fatalf("status %d", status)
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("answered after %v, want at least the latency", d)
	}

	f2, slow := startRunware(t, fakeprovider.RunwareOptions{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	body, _ := json.Marshal([]any{inference()})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, slow.URL+"/v1", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+key)
	start = time.Now()
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v, want a deadline", err)
	}
	// The handler notices the client left and records no answer.
	deadline := time.Now().Add(5 * time.Second)
	for len(f2.Requests()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if reqs := f2.Requests(); len(reqs) != 1 || reqs[0].Status != 0 || f2.TotalGenerations() != 0 {
		t.Errorf("recorded %+v", reqs)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the fake held the request for %v", time.Since(start))
	}
}

func TestRunwareRecordsRequests(t *testing.T) {
	f, srv := startRunware(t, fakeprovider.RunwareOptions{})
	task := inference()
	_, _, ans, _ := post(t, srv, key, []any{task})
	fetch(t, ans.Data[0].ImageURL)
	post(t, srv, "wrong", []any{task})
	reqs := f.Requests()
	if len(reqs) != 3 {
		t.Fatalf("recorded %d requests, want 3", len(reqs))
	}
	want := []struct {
		method, path string
		status       int
	}{{"POST", "/v1", 200}, {"GET", "/image/" + ans.Data[0].ImageUUID + ".png", 200}, {"POST", "/v1", 401}}
	for i, w := range want {
		r := reqs[i]
		if r.Method != w.method || r.Path != w.path || r.Status != w.status || r.At.IsZero() {
			t.Errorf("request %d: %s %s → %d, want %s %s → %d", i, r.Method, r.Path, r.Status, w.method, w.path, w.status)
		}
	}
	var got []map[string]any
	if err := json.Unmarshal(reqs[0].Body, &got); err != nil || got[0]["taskUUID"] != task["taskUUID"] {
		t.Errorf("recorded body %s", reqs[0].Body)
	}
	if reqs[0].Header.Get("Authorization") != "Bearer "+key {
		t.Errorf("recorded header %v", reqs[0].Header)
	}
}

func TestRunwareIsSafeForConcurrentUse(t *testing.T) {
	faults := fakeprovider.NewFaults(3).SetRate(0.3, fakeprovider.Fault429, fakeprovider.Fault503)
	f, srv := startRunware(t, fakeprovider.RunwareOptions{Faults: faults})
	const n = 20
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range n {
		wg.Go(func() {
			// No t.Fatal off the test goroutine: plain calls, errors reported.
			body, _ := json.Marshal([]any{inference("width", 128, "height", 128)})
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			var ans rwAnswer
			_ = json.NewDecoder(resp.Body).Decode(&ans)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				img, err := http.Get(ans.Data[0].ImageURL)
				if err != nil {
					t.Error(err)
					return
				}
				img.Body.Close()
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	injected := faults.Injected()
	if ok+injected[fakeprovider.Fault429]+injected[fakeprovider.Fault503] != n || f.TotalGenerations() != ok {
		t.Errorf("%d ok, injected %v, generations %d", ok, injected, f.TotalGenerations())
	}
	if len(f.Requests()) != n+ok {
		t.Errorf("recorded %d requests, want %d", len(f.Requests()), n+ok)
	}
}
