package fakeprovider

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// Markers make the fake moderation services flag a text: a text that
// contains one (in any case) is flagged in its categories by the fake
// /moderations, and judged unsafe with its hazard code by the fake guard
// model. Other tests use them to make content that a check holds.
const (
	MarkerSexual          = "fakeflag-sexual"
	MarkerSexualMinors    = "fakeflag-minors"
	MarkerViolence        = "fakeflag-violence"
	MarkerViolenceGraphic = "fakeflag-gore"
	MarkerSelfHarm        = "fakeflag-selfharm"
	MarkerHate            = "fakeflag-hate"
	MarkerHarassment      = "fakeflag-harassment"
	MarkerIllicit         = "fakeflag-illicit"
)

// markers are what each marker flags: the /moderations categories and the
// Llama Guard hazard code.
var markers = []struct {
	marker     string
	categories []string
	code       string
}{
	{MarkerSexual, []string{"sexual"}, "S12"},
	{MarkerSexualMinors, []string{"sexual", "sexual/minors"}, "S4"},
	{MarkerViolence, []string{"violence"}, "S1"},
	{MarkerViolenceGraphic, []string{"violence", "violence/graphic"}, "S1"},
	{MarkerSelfHarm, []string{"self-harm", "self-harm/intent"}, "S11"},
	{MarkerHate, []string{"hate"}, "S10"},
	{MarkerHarassment, []string{"harassment", "harassment/threatening"}, "S5"},
	{MarkerIllicit, []string{"illicit"}, "S2"},
}

// ModerationCategories are the 13 categories of /moderations, in the
// order the API documents them.
var ModerationCategories = []string{
	"harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
	"self-harm", "self-harm/instructions", "self-harm/intent", "sexual", "sexual/minors", "violence", "violence/graphic",
}

// imageCategories are the categories that apply to images too; the others
// are text only (scored 0 for an image alone).
var imageCategories = []string{"self-harm", "self-harm/instructions", "self-harm/intent", "sexual", "violence", "violence/graphic"}

// Faults of the fake moderation services (besides Fault429, Fault500,
// Fault502, Fault503).
const (
	// FaultStall answers nothing until the client gives up.
	FaultStall Fault = "stall"
	// FaultWrongLength answers a results array of the wrong length
	// (alternately empty and one too many).
	FaultWrongLength Fault = "wrong-length"
	// The guard model's malformed answers: "Unsafe" in the wrong case,
	// prose, and a right answer after blank lines; FaultEmpty answers "".
	FaultGuardCase       Fault = "guard-case"
	FaultGuardProse      Fault = "guard-prose"
	FaultGuardBlankLines Fault = "guard-blank-lines"
)

// ModerationFaults are the bad days of the fake /moderations.
var ModerationFaults = []Fault{Fault429, Fault502, Fault503, FaultStall, FaultWrongLength}

// GuardFaults are the malformed answers of the fake guard model.
var GuardFaults = []Fault{FaultGuardCase, FaultGuardProse, FaultGuardBlankLines, FaultEmpty}

// DefaultModerationMaxImage is the largest image the fake /moderations
// takes, as OpenAI's (20 MB).
const DefaultModerationMaxImage = 20 << 20

// ModerationsOptions configure a fake /moderations.
type ModerationsOptions struct {
	// APIKey, when set, must come as a bearer token, else 401.
	APIKey string
	// EchoKey makes a 401 quote the key it refused.
	EchoKey bool
	// Latency delays every answer, or until the client gives up.
	Latency time.Duration
	// Faults decides which valid requests fail; nil injects none.
	Faults *Faults
	// MaxImage is the largest image, in bytes; zero is
	// DefaultModerationMaxImage.
	MaxImage int
}

// Moderations is a fake of OpenAI's POST /v1/moderations (also served
// under /api/v1 and at the root), an http.Handler. It takes the three
// input shapes (a string, an array of strings, a multimodal array of text
// and image_url parts), answers every result with all 13 categories,
// scores and applied input types, and flags by the Marker* words of the
// text; an image (a base64 data URL) whose bytes hold a marker is flagged
// sexual. More than one image is the real API's 400 too_many_images. Safe
// for concurrent use.
//
// Faults it injects (one Faults.Next per valid request):
//   - Fault429: 429 with Retry-After: 1 and an HTML page, as a proxy in
//     front of the service answers.
//   - Fault502: 502 with an HTML page.
//   - Fault500, Fault503: that status with OpenAI's JSON error.
//   - FaultStall: no answer until the client gives up.
//   - FaultWrongLength: 200 with a results array of the wrong length.
type Moderations struct {
	o    ModerationsOptions
	mux  *http.ServeMux
	rec  recorder
	n    atomic.Int64
	nBad atomic.Int64
}

// NewModerations returns a fake /moderations.
func NewModerations(o ModerationsOptions) *Moderations {
	if o.MaxImage <= 0 {
		o.MaxImage = DefaultModerationMaxImage
	}
	f := &Moderations{o: o, mux: http.NewServeMux()}
	for _, prefix := range []string{"/api/v1", "/v1", ""} {
		f.mux.HandleFunc("POST "+prefix+"/moderations", f.moderate)
	}
	return f
}

// ServeHTTP serves the API and records the request.
func (f *Moderations) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	body, err := readBody(r, orMaxRequestBody*4)
	sw := &recordingWriter{ResponseWriter: w, rec: &f.rec, req: r, body: body, at: at}
	defer sw.finish()
	if err != nil {
		oaWriteError(sw, http.StatusBadRequest, "Could not read the request body.", "")
		return
	}
	f.mux.ServeHTTP(sw, r)
}

// Requests returns the requests received so far, oldest first.
func (f *Moderations) Requests() []Recorded { return f.rec.requests() }

// modInput is one thing to judge: a text, or a text and images.
type modInput struct {
	text   string
	images [][]byte
}

func (f *Moderations) moderate(w http.ResponseWriter, r *http.Request) {
	if f.o.APIKey != "" {
		auth := r.Header.Get("Authorization")
		if token, ok := strings.CutPrefix(auth, "Bearer "); !ok || token != f.o.APIKey {
			msg := "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys."
			if f.o.EchoKey {
				msg = "Incorrect API key provided: " + token + ". You can find your API key at https://platform.openai.com/account/api-keys."
			}
			oaWriteError(w, http.StatusUnauthorized, msg, "invalid_api_key")
			return
		}
	}
	if !sleep(r.Context(), f.o.Latency) {
		return
	}
	var req struct {
		Model string          `json:"model"`
		Input json.RawMessage `json:"input"`
	}
	body, _ := readBody(r, orMaxRequestBody*4)
	if err := json.Unmarshal(body, &req); err != nil {
		oaWriteError(w, http.StatusBadRequest, "We could not parse the JSON body of your request.", "")
		return
	}
	inputs, status, msg, code := f.parseInput(req.Input)
	if status != 0 {
		if code == "too_many_images" {
			// The exact body the real API answers.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = fmt.Fprint(w, msg)
			return
		}
		oaWriteError(w, status, msg, code)
		return
	}
	switch fault := f.o.Faults.Next(); fault {
	case FaultNone:
	case Fault429:
		w.Header().Set("Retry-After", "1")
		writeHTML(w, http.StatusTooManyRequests, "429 Too Many Requests")
		return
	case Fault502:
		writeHTML(w, http.StatusBadGateway, "502 Bad Gateway")
		return
	case FaultStall:
		<-r.Context().Done()
		return
	case FaultWrongLength:
		if f.nBad.Add(1)%2 == 1 {
			inputs = nil
		} else {
			inputs = append(inputs, inputs[len(inputs)-1])
		}
	case Fault503:
		oaWriteError(w, http.StatusServiceUnavailable, "The engine is currently overloaded, please try again later.", "")
		return
	default:
		oaWriteError(w, http.StatusInternalServerError, "The server had an error while processing your request. Sorry about that!", "")
		return
	}
	model := req.Model
	if model == "" {
		model = "omni-moderation-latest"
	}
	results := make([]map[string]any, 0, len(inputs))
	for _, in := range inputs {
		results = append(results, moderationResult(in))
	}
	orWriteJSON(w, http.StatusOK, map[string]any{
		"id":      fmt.Sprintf("modr-%d", f.n.Add(1)),
		"model":   model,
		"results": results,
	})
}

// parseInput reads the three input shapes; a bad one gives the status,
// message and code of the error.
func (f *Moderations) parseInput(raw json.RawMessage) ([]modInput, int, string, string) {
	if len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, http.StatusBadRequest, "you must provide an input parameter", "missing_required_parameter"
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []modInput{{text: s}}, 0, "", ""
	}
	var texts []string
	if json.Unmarshal(raw, &texts) == nil {
		if len(texts) == 0 {
			return nil, http.StatusBadRequest, "input: must not be empty", "invalid_value"
		}
		out := make([]modInput, len(texts))
		for i, t := range texts {
			out[i] = modInput{text: t}
		}
		return out, 0, "", ""
	}
	var parts []struct {
		Type     string  `json:"type"`
		Text     *string `json:"text"`
		ImageURL *struct {
			URL string `json:"url"`
		} `json:"image_url"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) == 0 {
		return nil, http.StatusBadRequest, "input: expected a string, an array of strings or an array of input parts", "invalid_type"
	}
	var in modInput
	var texts2 []string
	images := 0
	for i, p := range parts {
		switch {
		case p.Type == "text" && p.Text != nil:
			texts2 = append(texts2, *p.Text)
		case p.Type == "image_url" && p.ImageURL != nil && p.ImageURL.URL != "":
			images++
			data, ok := dataURL(p.ImageURL.URL)
			if !ok && !strings.HasPrefix(p.ImageURL.URL, "http://") && !strings.HasPrefix(p.ImageURL.URL, "https://") {
				return nil, http.StatusBadRequest, fmt.Sprintf("input[%d].image_url.url: expected a URL or a base64 data URL", i), "invalid_image_url"
			}
			if len(data) > f.o.MaxImage {
				return nil, http.StatusBadRequest, fmt.Sprintf("Image of %d bytes exceeds the maximum size of %d bytes", len(data), f.o.MaxImage), "image_too_large"
			}
			in.images = append(in.images, data)
		default:
			return nil, http.StatusBadRequest, fmt.Sprintf("input[%d]: expected a text part or an image_url part", i), "invalid_type"
		}
	}
	if images > 1 {
		return nil, http.StatusBadRequest, fmt.Sprintf(`{"error":{"message":"Number of images (%d) exceeds maximum of 1","type":"invalid_request_error","param":"input","code":"too_many_images"}}`, images), "too_many_images"
	}
	in.text = strings.Join(texts2, "\n")
	if len(in.images) == 0 {
		// Only text parts: judged as text.
		return []modInput{{text: in.text}}, 0, "", ""
	}
	if len(texts2) == 0 {
		in.text = ""
	}
	return []modInput{in}, 0, "", ""
}

// dataURL decodes a base64 data URL.
func dataURL(u string) ([]byte, bool) {
	rest, ok := strings.CutPrefix(u, "data:")
	if !ok {
		return nil, false
	}
	meta, payload, ok := strings.Cut(rest, ",")
	if !ok || !strings.HasSuffix(meta, ";base64") {
		return nil, false
	}
	data, err := base64.StdEncoding.DecodeString(payload)
	return data, err == nil
}

// moderationResult judges one input by its markers.
func moderationResult(in modInput) map[string]any {
	hasText := in.images == nil || in.text != ""
	flagged := map[string]bool{}
	lower := strings.ToLower(in.text)
	for _, m := range markers {
		if hasText && strings.Contains(lower, m.marker) {
			for _, c := range m.categories {
				flagged[c] = true
			}
		}
		for _, img := range in.images {
			if bytes.Contains(bytes.ToLower(img), []byte(m.marker)) {
				flagged["sexual"] = true
			}
		}
	}
	categories := map[string]bool{}
	scores := map[string]float64{}
	applied := map[string][]string{}
	for _, c := range ModerationCategories {
		image := slices.Contains(imageCategories, c)
		types := []string{}
		if hasText {
			types = append(types, "text")
		}
		if in.images != nil && image {
			types = append(types, "image")
		}
		applied[c] = types
		categories[c] = flagged[c] && len(types) > 0
		switch {
		case categories[c]:
			scores[c] = 0.93
		case len(types) == 0:
			scores[c] = 0 // text only, and no text
		default:
			scores[c] = 0.00012
		}
	}
	some := false
	for _, v := range categories {
		some = some || v
	}
	return map[string]any{"flagged": some, "categories": categories, "category_scores": scores, "category_applied_input_types": applied}
}

// guardAnswer is the fake guard model's answer about the last message:
// "safe", or "unsafe" and the hazard codes of the markers it holds.
func guardAnswer(last string) string {
	lower := strings.ToLower(last)
	var codes []string
	for _, m := range markers {
		if strings.Contains(lower, m.marker) && !slices.Contains(codes, m.code) {
			codes = append(codes, m.code)
		}
	}
	if len(codes) == 0 {
		return "safe"
	}
	return "unsafe\n" + strings.Join(codes, ",")
}

// isGuard reports whether a model is a guard model, which the fake
// OpenRouter answers as Llama Guard does.
func isGuard(model string) bool { return strings.Contains(strings.ToLower(model), "guard") }

// oaWriteError writes OpenAI's error body.
func oaWriteError(w http.ResponseWriter, status int, msg, code string) {
	var c any
	if code != "" {
		c = code
	}
	typ := "invalid_request_error"
	if status >= 500 {
		typ = "server_error"
	}
	orWriteJSON(w, status, map[string]any{"error": map[string]any{"message": msg, "type": typ, "param": nil, "code": c}})
}

// writeHTML writes a proxy's HTML error page.
func writeHTML(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "text/html; charset=UTF-8")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, "<html>\n<head><title>%s</title></head>\n<body>\n<center><h1>%s</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n", title, title)
}
