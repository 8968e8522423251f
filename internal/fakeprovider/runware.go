package fakeprovider

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/offline"
)

// DefaultRunwareAPIKey is the key a fake Runware accepts when RunwareOptions
// names none.
const DefaultRunwareAPIKey = "fake-runware-key"

// DefaultRunwareCost is the price in USD a fake Runware reports per image.
const DefaultRunwareCost = 0.0006

// FaultRunwareMixed is a Runware-only fault: the request succeeds, and the
// 200 answer carries, next to the data, an errors entry for a task the
// client never sent (Runware reports errors per task, so a response may hold
// both).
const FaultRunwareMixed Fault = "runware-mixed"

// FaultRunwareWithheld is a Runware-only fault: the 200 answer holds the
// task's image and, for the same task, a sensitiveContentDetected error, as
// a result withheld after generation may come.
const FaultRunwareWithheld Fault = "runware-withheld"

// Markers that make the fake Runware judge a task's content, when its
// positivePrompt contains one.
const (
	// RunwareMarkerNSFW makes the generated image NSFW: its result says
	// "NSFWContent": true when the task asked for safety.checkContent.
	RunwareMarkerNSFW = "[fake:nsfw]"
	// RunwareMarkerSensitive fails the task with sensitiveContentDetected,
	// as Runware's own check does, before generating (nothing is charged).
	RunwareMarkerSensitive = "[fake:sensitive]"
	// RunwareMarkerProviderContent fails the task with
	// invalidProviderContent, as a third-party provider's moderation does.
	RunwareMarkerProviderContent = "[fake:provider-content]"
)

// RunwareOptions configures a fake Runware.
type RunwareOptions struct {
	// APIKey is the key clients must send, as "Authorization: Bearer <key>"
	// or in a leading authentication task. Empty means DefaultRunwareAPIKey.
	APIKey string
	// Latency delays every POST /v1 answer; a request whose context ends
	// first gets no answer (its recorded Status is 0).
	Latency time.Duration
	// Faults decides which POST /v1 requests fail; nil injects none.
	Faults *Faults
	// CostPerImage is the USD "cost" reported per image when the task sets
	// includeCost. Zero means DefaultRunwareCost.
	CostPerImage float64
	// Echo, when set, answers every POST /v1 with an error that quotes the
	// key it was sent (see KeyEcho), before any other check.
	Echo *KeyEcho
}

// Runware is a protocol-faithful fake of the Runware REST API
// (https://runware.ai/docs/en/image-inference/api-reference). It is an
// http.Handler serving:
//
//   - POST /v1: a JSON array of tasks, authenticated by a Bearer header or
//     a leading {"taskType":"authentication","apiKey":…} task. It runs
//     imageInference tasks (validated as Runware does: 400 with
//     invalid<Param> codes) and getResponse tasks (for deliveryMethod
//     "async"), and answers {"data":[…],"errors":[…]}.
//   - GET /image/<imageUUID>.<ext>: the real image bytes of a generated
//     image at the requested size, painted by internal/offline. imageURL
//     points here, built from the request's Host, so it works behind
//     httptest.
//
// Every POST /v1 that passes authentication and holds at least one valid
// imageInference task draws one fault from Faults before generating:
// Fault429 (with Retry-After: 1, code rateLimitExceeded), Fault500
// (internalServerError), Fault502 (an HTML gateway page), Fault503
// (noAvailableServer), Fault402 (insufficientCredits), FaultErrorIn200 (a
// 200 whose body holds only errors, code inferenceError, one per task) and
// FaultRunwareMixed and FaultRunwareWithheld. The LLM-only faults become malformed answers here:
// FaultInvalidJSON a 200 with an HTML body, FaultTruncated a 200 whose JSON
// is cut off.
//
// Content checks: a task with "safety": {"checkContent": true} gets
// "NSFWContent" in each result, true when its prompt holds
// RunwareMarkerNSFW (without safety the field is absent); a prompt with
// RunwareMarkerSensitive or RunwareMarkerProviderContent fails its task
// with sensitiveContentDetected or invalidProviderContent, uncharged.
//
// Outputs: outputFormat PNG and JPG are served in that format; WEBP is
// served as PNG bytes, since the standard library has no WebP encoder.
// Safe for concurrent use.
type Runware struct {
	apiKey  string
	latency time.Duration
	faults  *Faults
	cost    float64
	echo    *KeyEcho
	images  *offline.Images
	mux     *http.ServeMux
	rec     recorder

	mu          sync.Mutex
	generations map[string]int           // taskUUID → images generated
	total       int                      // images generated
	stored      map[string]runwareImage  // imageUUID → what to paint
	pending     map[string][]runwareItem // taskUUID → async results not yet fetched
}

// runwareImage is what GET /image/… paints.
type runwareImage struct {
	taskUUID string
	prompt   string
	width    int
	height   int
	format   string // "PNG", "JPG" or "WEBP"
}

// NewRunware returns a fake Runware configured by o.
func NewRunware(o RunwareOptions) *Runware {
	f := &Runware{
		apiKey:      o.APIKey,
		latency:     o.Latency,
		faults:      o.Faults,
		cost:        o.CostPerImage,
		echo:        o.Echo,
		images:      offline.NewImages(0),
		generations: make(map[string]int),
		stored:      make(map[string]runwareImage),
		pending:     make(map[string][]runwareItem),
	}
	if f.apiKey == "" {
		f.apiKey = DefaultRunwareAPIKey
	}
	if f.cost == 0 {
		f.cost = DefaultRunwareCost
	}
	f.mux = http.NewServeMux()
	f.mux.HandleFunc("POST /v1", f.handleTasks)
	f.mux.HandleFunc("POST /v1/", f.handleTasks)
	f.mux.HandleFunc("GET /image/{file}", f.handleImage)
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeRunwareErrors(w, http.StatusNotFound, runwareError{Code: "notFound", Message: "No route for " + r.Method + " " + r.URL.Path + "."})
	})
	return f
}

// ServeHTTP serves the Runware API and records the request.
func (f *Runware) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := readBody(r, 32<<20)
	rw := &recordingWriter{ResponseWriter: w, rec: &f.rec, req: r, body: body, at: at}
	defer rw.finish()
	if err != nil {
		writeRunwareErrors(rw, http.StatusBadRequest, runwareError{Code: "invalidRequestBody", Message: "The request body could not be read."})
		return
	}
	f.mux.ServeHTTP(rw, r)
}

// Requests returns the requests the fake received, oldest first.
func (f *Runware) Requests() []Recorded { return f.rec.requests() }

// Generations returns how many images the fake generated for taskUUID.
func (f *Runware) Generations(taskUUID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.generations[taskUUID]
}

// TotalGenerations returns how many images the fake generated in all.
func (f *Runware) TotalGenerations() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.total
}

// runwareError is one entry of a Runware "errors" array.
type runwareError struct {
	Code          string `json:"code"`
	Message       string `json:"message"`
	Parameter     string `json:"parameter,omitempty"`
	Type          string `json:"type,omitempty"`
	TaskType      string `json:"taskType,omitempty"`
	TaskUUID      string `json:"taskUUID,omitempty"`
	Documentation string `json:"documentation,omitempty"`
	Min           *int   `json:"min,omitempty"`
	Max           *int   `json:"max,omitempty"`
	Multiplier    *int   `json:"multiplier,omitempty"`
	AllowedValues []any  `json:"allowedValues,omitempty"`
}

// runwareItem is one entry of a Runware "data" array.
type runwareItem struct {
	TaskType              string   `json:"taskType"`
	TaskUUID              string   `json:"taskUUID"`
	ConnectionSessionUUID string   `json:"connectionSessionUUID,omitempty"`
	Status                string   `json:"status,omitempty"`
	ImageUUID             string   `json:"imageUUID,omitempty"`
	ImageURL              string   `json:"imageURL,omitempty"`
	ImageBase64Data       string   `json:"imageBase64Data,omitempty"`
	ImageDataURI          string   `json:"imageDataURI,omitempty"`
	Seed                  int64    `json:"seed,omitempty"`
	Cost                  *float64 `json:"cost,omitempty"`
	NSFWContent           *bool    `json:"NSFWContent,omitempty"`
}

// runwareResponse is the body of every POST /v1 answer.
type runwareResponse struct {
	Data   []runwareItem  `json:"data,omitempty"`
	Errors []runwareError `json:"errors,omitempty"`
}

func writeRunwareJSON(w http.ResponseWriter, status int, resp runwareResponse) {
	if resp.Data == nil && resp.Errors == nil {
		resp.Data = []runwareItem{}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(resp)
}

func writeRunwareErrors(w http.ResponseWriter, status int, errs ...runwareError) {
	writeRunwareJSON(w, status, runwareResponse{Errors: errs})
}

// handleTasks serves POST /v1.
func (f *Runware) handleTasks(w http.ResponseWriter, r *http.Request) {
	if !sleep(r.Context(), f.latency) {
		return
	}
	if e := f.echo; e != nil {
		auth := r.Header.Get("Authorization")
		if e.HTML {
			e.writeHTML(w, auth)
		} else {
			writeRunwareErrors(w, e.Status, runwareError{Code: e.quote(auth), Message: e.message(auth), Parameter: "apiKey", TaskType: "imageInference"})
		}
		return
	}
	var raw []json.RawMessage
	body, _ := readBody(r, 32<<20)
	if err := json.Unmarshal(body, &raw); err != nil || len(raw) == 0 {
		writeRunwareErrors(w, http.StatusBadRequest, runwareError{
			Code:    "invalidRequestBody",
			Message: "The request body must be a non-empty JSON array of task objects.",
		})
		return
	}
	tasks := make([]map[string]json.RawMessage, len(raw))
	for i, m := range raw {
		if err := json.Unmarshal(m, &tasks[i]); err != nil || tasks[i] == nil {
			writeRunwareErrors(w, http.StatusBadRequest, runwareError{
				Code:    "invalidRequestBody",
				Message: fmt.Sprintf("Task %d is not a JSON object.", i),
			})
			return
		}
	}

	// Authentication: a Bearer header, or a leading authentication task.
	authTask := rwStr(tasks[0], "taskType") == "authentication"
	key := ""
	if authTask {
		key = rwStr(tasks[0], "apiKey")
		tasks = tasks[1:]
	} else if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
		key = strings.TrimPrefix(h, "Bearer ")
	}
	if key != f.apiKey {
		writeRunwareErrors(w, http.StatusUnauthorized, runwareError{
			Code:      "invalidApiKey",
			Message:   "Invalid API key. Get one at https://my.runware.ai/signup",
			Parameter: "apiKey",
			Type:      "string",
			TaskType:  "authentication",
		})
		return
	}

	var resp runwareResponse
	if authTask {
		resp.Data = append(resp.Data, runwareItem{TaskType: "authentication", ConnectionSessionUUID: uuid.NewString()})
	}
	answered := len(resp.Data)
	var specs []rwInferenceSpec
	for _, t := range tasks {
		switch tt := rwStr(t, "taskType"); tt {
		case "imageInference":
			spec, errs := rwValidateInference(t)
			if len(errs) == 0 {
				errs = rwRefuse(spec)
			}
			if len(errs) > 0 {
				resp.Errors = append(resp.Errors, errs...)
				continue
			}
			specs = append(specs, spec)
		case "getResponse":
			id := rwStr(t, "taskUUID")
			if !rwIsUUIDv4(id) {
				resp.Errors = append(resp.Errors, rwParamError("getResponse", id, "taskUUID", "string", "Invalid value for taskUUID parameter. It must be a UUID v4."))
				continue
			}
			items, ok := f.takePending(id)
			if !ok {
				resp.Errors = append(resp.Errors, runwareError{Code: "taskFailedOrNotFound", Message: "No task found for this taskUUID, or it already was delivered.", TaskType: "getResponse", TaskUUID: id})
				continue
			}
			resp.Data = append(resp.Data, items...)
		case "ping":
			resp.Data = append(resp.Data, runwareItem{TaskType: "ping"})
		default:
			resp.Errors = append(resp.Errors, runwareError{
				Code:      "unsupportedTaskType",
				Message:   fmt.Sprintf("Task type %q is not supported.", tt),
				Parameter: "taskType",
				Type:      "string",
				TaskType:  tt,
				TaskUUID:  rwStr(t, "taskUUID"),
			})
		}
	}
	// Runware fails a request whose tasks are all invalid with 400; valid
	// tasks next to invalid ones still run, and the answer holds both.
	if len(resp.Errors) > 0 && len(specs) == 0 && len(resp.Data) == answered {
		writeRunwareJSON(w, http.StatusBadRequest, resp)
		return
	}
	// Only requests that would generate draw a fault, so that a scripted
	// fault hits the next real generation, not a poll or a bad request.
	fault := FaultNone
	if len(specs) > 0 {
		fault = f.faults.Next()
		if f.injectFault(w, fault, tasks) {
			return
		}
	}
	for _, spec := range specs {
		items, err := f.infer(r, spec)
		if err != nil {
			resp.Errors = append(resp.Errors, runwareError{Code: "inferenceError", Message: err.Error(), TaskType: "imageInference", TaskUUID: spec.taskUUID})
			continue
		}
		if spec.async {
			f.mu.Lock()
			f.pending[spec.taskUUID] = append(f.pending[spec.taskUUID], items...)
			f.mu.Unlock()
			continue // the ACK is an empty data array
		}
		resp.Data = append(resp.Data, items...)
	}
	if fault == FaultRunwareWithheld && len(specs) > 0 {
		resp.Errors = append(resp.Errors, rwSensitive(specs[0].taskUUID))
	}
	if fault == FaultRunwareMixed {
		resp.Errors = append(resp.Errors, runwareError{
			Code:     "inferenceError",
			Message:  "Error while running the inference for another task.",
			TaskType: "imageInference",
			TaskUUID: uuid.NewString(),
		})
	}
	writeRunwareJSON(w, http.StatusOK, resp)
}

// injectFault answers the request with fault and reports whether it did.
func (f *Runware) injectFault(w http.ResponseWriter, fault Fault, tasks []map[string]json.RawMessage) bool {
	switch fault {
	case Fault429:
		w.Header().Set("Retry-After", "1")
		writeRunwareErrors(w, http.StatusTooManyRequests, runwareError{Code: "rateLimitExceeded", Message: "Too many requests. Please slow down."})
	case Fault500:
		writeRunwareErrors(w, http.StatusInternalServerError, runwareError{Code: "internalServerError", Message: "An internal server error occurred."})
	case Fault502:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"))
	case Fault503:
		writeRunwareErrors(w, http.StatusServiceUnavailable, runwareError{Code: "noAvailableServer", Message: "No server is available to run this task. Please retry."})
	case Fault402:
		writeRunwareErrors(w, http.StatusPaymentRequired, runwareError{Code: "insufficientCredits", Message: "Insufficient credits. Top up your balance at https://my.runware.ai/wallet"})
	case FaultErrorIn200:
		var errs []runwareError
		for _, t := range tasks {
			errs = append(errs, runwareError{Code: "inferenceError", Message: "Error while running the inference. Please retry.", TaskType: rwStr(t, "taskType"), TaskUUID: rwStr(t, "taskUUID")})
		}
		if len(errs) == 0 {
			errs = append(errs, runwareError{Code: "inferenceError", Message: "Error while running the inference. Please retry."})
		}
		writeRunwareErrors(w, http.StatusOK, errs...)
	case FaultInvalidJSON:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte("<html><body>Service temporarily degraded</body></html>\n"))
	case FaultTruncated:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"data":[{"taskType":"imageInference","taskUUID":"`))
	default:
		return false
	}
	return true
}

// rwInferenceSpec is a validated imageInference task.
type rwInferenceSpec struct {
	taskUUID      string
	prompt        string
	width, height int
	numberResults int
	seed          int64
	outputType    string // "URL", "base64Data" or "dataURI"
	outputFormat  string // "PNG", "JPG" or "WEBP"
	includeCost   bool
	async         bool
	checkContent  bool
}

// rwRefuse is Runware's refusal of a task's content, if its prompt holds a
// marker that calls for one.
func rwRefuse(spec rwInferenceSpec) []runwareError {
	switch {
	case strings.Contains(spec.prompt, RunwareMarkerSensitive):
		return []runwareError{rwSensitive(spec.taskUUID)}
	case strings.Contains(spec.prompt, RunwareMarkerProviderContent):
		return []runwareError{{Code: "invalidProviderContent", Message: "The provider rejected the request because its content violates the provider's content policy.",
			TaskType: "imageInference", TaskUUID: spec.taskUUID, Documentation: "https://runware.ai/docs/en/getting-started/content-safety"}}
	}
	return nil
}

func rwSensitive(taskUUID string) runwareError {
	return runwareError{Code: "sensitiveContentDetected", Message: "Sensitive content detected. The request was blocked by the content safety check.",
		TaskType: "imageInference", TaskUUID: taskUUID, Documentation: "https://runware.ai/docs/en/getting-started/content-safety"}
}

var rwAIRPattern = regexp.MustCompile(`^[a-z0-9_-]+:[^@]+@[^@]+$`)

const runwareDocs = "https://runware.ai/docs/en/image-inference/api-reference#request-"

// rwValidateInference checks an imageInference task as Runware does and
// returns the task, or one error per bad parameter.
func rwValidateInference(t map[string]json.RawMessage) (rwInferenceSpec, []runwareError) {
	id := rwStr(t, "taskUUID")
	var errs []runwareError
	bad := func(param, typ, msg string) {
		errs = append(errs, rwParamError("imageInference", id, param, typ, msg))
	}
	spec := rwInferenceSpec{taskUUID: id, numberResults: 1, outputType: "URL", outputFormat: "JPG"}
	if !rwIsUUIDv4(id) {
		bad("taskUUID", "string", "Invalid value for taskUUID parameter. It must be a UUID v4 string.")
	}
	if m, ok := rwStrOK(t, "model"); !ok || !rwAIRPattern.MatchString(m) {
		bad("model", "string", "Invalid value for model parameter. It must be an AIR identifier like 'runware:100@1'.")
	}
	prompt, ok := rwStrOK(t, "positivePrompt")
	if n := utf8.RuneCountInString(prompt); !ok || n < 2 || n > 3000 {
		bad("positivePrompt", "string", "Invalid value for positivePrompt parameter. It must be a string between 2 and 3000 characters.")
	}
	spec.prompt = prompt
	if _, present := t["negativePrompt"]; present {
		neg, ok := rwStrOK(t, "negativePrompt")
		if n := utf8.RuneCountInString(neg); !ok || n < 2 || n > 3000 {
			bad("negativePrompt", "string", "Invalid value for negativePrompt parameter. It must be a string between 2 and 3000 characters.")
		}
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"width", &spec.width}, {"height", &spec.height}} {
		v, ok := rwIntOK(t, p.name)
		if !ok || v < 128 || v > 2048 || v%64 != 0 {
			e := rwParamError("imageInference", id, p.name, "integer", fmt.Sprintf("Invalid value for %s parameter. It must be an integer between 128 and 2048, in multiples of 64.", p.name))
			e.Min, e.Max, e.Multiplier = rwPtr(128), rwPtr(2048), rwPtr(64)
			errs = append(errs, e)
		}
		*p.dst = int(v)
	}
	checkRange := func(name string, lo, hi int64) (int64, bool) {
		if _, present := t[name]; !present {
			return 0, false
		}
		v, ok := rwIntOK(t, name)
		if !ok || v < lo || v > hi {
			bad(name, "integer", fmt.Sprintf("Invalid value for %s parameter. It must be an integer between %d and %d.", name, lo, hi))
			return 0, false
		}
		return v, true
	}
	checkRange("steps", 1, 100)
	if v, ok := checkRange("numberResults", 1, 20); ok {
		spec.numberResults = int(v)
	}
	if v, ok := checkRange("seed", 1, math.MaxInt64); ok {
		spec.seed = v
	}
	if _, present := t["CFGScale"]; present {
		var v float64
		if err := json.Unmarshal(t["CFGScale"], &v); err != nil || v < 0 || v > 50 {
			bad("CFGScale", "float", "Invalid value for CFGScale parameter. It must be a number between 0 and 50.")
		}
	}
	checkRange("ttl", 60, math.MaxInt32)
	enum := func(name string, allowed []string, dst *string) {
		if _, present := t[name]; !present {
			return
		}
		v, _ := rwStrOK(t, name)
		for _, a := range allowed {
			if strings.EqualFold(v, a) {
				*dst = a
				return
			}
		}
		e := rwParamError("imageInference", id, name, "string", fmt.Sprintf("Invalid value for %s parameter. Allowed values: %s.", name, strings.Join(allowed, ", ")))
		for _, a := range allowed {
			e.AllowedValues = append(e.AllowedValues, a)
		}
		errs = append(errs, e)
	}
	enum("outputType", []string{"URL", "base64Data", "dataURI"}, &spec.outputType)
	enum("outputFormat", []string{"JPG", "PNG", "WEBP"}, &spec.outputFormat)
	delivery := "sync"
	enum("deliveryMethod", []string{"sync", "async"}, &delivery)
	spec.async = delivery == "async"
	if _, present := t["includeCost"]; present {
		if err := json.Unmarshal(t["includeCost"], &spec.includeCost); err != nil {
			bad("includeCost", "boolean", "Invalid value for includeCost parameter. It must be a boolean.")
		}
	}
	if raw, present := t["safety"]; present {
		var sf struct {
			CheckContent *bool `json:"checkContent"`
		}
		if err := json.Unmarshal(raw, &sf); err != nil || rwIsNull(raw) {
			bad("safety", "object", "Invalid value for safety parameter. It must be an object.")
		} else if sf.CheckContent != nil {
			spec.checkContent = *sf.CheckContent
		}
	}
	if spec.seed == 0 {
		sum := sha256.Sum256([]byte(id))
		spec.seed = int64(binary.BigEndian.Uint32(sum[:4])) + 1
	}
	return spec, errs
}

func rwParamError(taskType, taskUUID, param, typ, msg string) runwareError {
	code := "invalid" + strings.ToUpper(param[:1]) + param[1:]
	if param == "taskUUID" {
		code = "invalidTaskUUID"
	}
	return runwareError{
		Code:          code,
		Message:       msg,
		Parameter:     param,
		Type:          typ,
		TaskType:      taskType,
		TaskUUID:      taskUUID,
		Documentation: runwareDocs + strings.ToLower(param),
	}
}

// infer runs a validated task: it records the images it generates and
// returns their data items.
func (f *Runware) infer(r *http.Request, spec rwInferenceSpec) ([]runwareItem, error) {
	items := make([]runwareItem, 0, spec.numberResults)
	for i := range spec.numberResults {
		img := runwareImage{taskUUID: spec.taskUUID, prompt: spec.prompt, width: spec.width, height: spec.height, format: spec.outputFormat}
		imageUUID := uuid.NewString()
		item := runwareItem{
			TaskType:  "imageInference",
			TaskUUID:  spec.taskUUID,
			ImageUUID: imageUUID,
			Seed:      spec.seed + int64(i),
		}
		if spec.async {
			item.Status = "success"
		}
		switch spec.outputType {
		case "URL":
			scheme := "http"
			if r.TLS != nil {
				scheme = "https"
			}
			item.ImageURL = fmt.Sprintf("%s://%s/image/%s.%s", scheme, r.Host, imageUUID, rwExtension(img.format))
		default:
			data, mime, err := f.paint(r.Context(), img)
			if err != nil {
				return nil, err
			}
			b64 := base64.StdEncoding.EncodeToString(data)
			if spec.outputType == "dataURI" {
				item.ImageDataURI = "data:" + mime + ";base64," + b64
			} else {
				item.ImageBase64Data = b64
			}
		}
		if spec.includeCost {
			item.Cost = rwPtr(f.cost)
		}
		if spec.checkContent {
			item.NSFWContent = rwPtr(strings.Contains(spec.prompt, RunwareMarkerNSFW))
		}
		items = append(items, item)
		f.mu.Lock()
		f.stored[imageUUID] = img
		f.mu.Unlock()
	}
	f.mu.Lock()
	f.generations[spec.taskUUID] += len(items)
	f.total += len(items)
	f.mu.Unlock()
	return items, nil
}

// takePending returns and forgets the async results of a task.
func (f *Runware) takePending(taskUUID string) ([]runwareItem, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	items, ok := f.pending[taskUUID]
	delete(f.pending, taskUUID)
	return items, ok
}

// handleImage serves GET /image/{imageUUID}.{ext}.
func (f *Runware) handleImage(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id, ext, _ := strings.Cut(file, ".")
	f.mu.Lock()
	img, ok := f.stored[id]
	f.mu.Unlock()
	if !ok || ext != rwExtension(img.format) {
		http.Error(w, "404 Not Found", http.StatusNotFound)
		return
	}
	data, mime, err := f.paint(r.Context(), img)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", mime)
	w.Header().Set("Content-Length", fmt.Sprint(len(data)))
	_, _ = w.Write(data)
}

// paint renders img at its requested size in its format. The offline
// painter caps the long side, so a smaller picture is scaled up.
func (f *Runware) paint(ctx context.Context, img runwareImage) ([]byte, string, error) {
	res, err := f.images.GenerateImage(ctx, generia.ImageRequest{
		WorldID: "fake-runware",
		Key:     img.taskUUID,
		Kind:    rwGuessKind(img.prompt, img.width, img.height),
		Prompt:  img.prompt,
		Width:   img.width,
		Height:  img.height,
	})
	if err != nil {
		return nil, "", err
	}
	if res.Width == img.width && res.Height == img.height && img.format != "JPG" {
		return res.Data, "image/png", nil
	}
	src, err := png.Decode(bytes.NewReader(res.Data))
	if err != nil {
		return nil, "", fmt.Errorf("decoding the offline image: %w", err)
	}
	dst := rwScaleNearest(src, img.width, img.height)
	var buf bytes.Buffer
	if img.format == "JPG" {
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90})
		return buf.Bytes(), "image/jpeg", err
	}
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	err = enc.Encode(&buf, dst)
	return buf.Bytes(), "image/png", err
}

// rwScaleNearest scales src to w×h by nearest neighbour, keeping a paletted
// image paletted so that the PNG stays small.
func rwScaleNearest(src image.Image, w, h int) image.Image {
	b := src.Bounds()
	if p, ok := src.(*image.Paletted); ok {
		dst := image.NewPaletted(image.Rect(0, 0, w, h), p.Palette)
		for y := range h {
			sy := b.Min.Y + y*b.Dy()/h
			for x := range w {
				dst.Pix[y*dst.Stride+x] = p.Pix[p.PixOffset(b.Min.X+x*b.Dx()/w, sy)]
			}
		}
		return dst
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dst.Set(x, y, src.At(b.Min.X+x*b.Dx()/w, b.Min.Y+y*b.Dy()/h))
		}
	}
	return dst
}

// rwGuessKind picks the offline painter's picture for a prompt, since the
// Runware API knows nothing of Generia's media kinds.
func rwGuessKind(prompt string, w, h int) string {
	p := strings.ToLower(prompt)
	switch {
	case strings.Contains(p, "emblem") || strings.Contains(p, "icon") || strings.Contains(p, "logo"):
		return generia.MediaWorldIcon
	case strings.Contains(p, "portrait") || strings.Contains(p, "avatar"):
		return generia.MediaCharacterAvatar
	case w >= 2*h:
		return generia.MediaWorldHeader
	}
	return generia.MediaPostImage
}

func rwExtension(format string) string {
	switch format {
	case "JPG":
		return "jpg"
	case "WEBP":
		return "webp"
	}
	return "png"
}

func rwIsUUIDv4(s string) bool {
	u, err := uuid.Parse(s)
	return err == nil && len(s) == 36 && u.Version() == 4 && u.Variant() == uuid.RFC4122
}

func rwStr(m map[string]json.RawMessage, key string) string {
	s, _ := rwStrOK(m, key)
	return s
}

func rwStrOK(m map[string]json.RawMessage, key string) (string, bool) {
	var s string
	raw, ok := m[key]
	if !ok || json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func rwIntOK(m map[string]json.RawMessage, key string) (int64, bool) {
	var v int64
	raw, ok := m[key]
	if !ok || json.Unmarshal(raw, &v) != nil {
		return 0, false
	}
	return v, true
}

func rwPtr[T any](v T) *T { return &v }

func rwIsNull(raw json.RawMessage) bool { return strings.TrimSpace(string(raw)) == "null" }
