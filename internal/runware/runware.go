// Package runware generates images with the Runware REST API
// (https://runware.ai/docs/en/image-inference/api-reference). It implements
// generia.ImageGenerator with a small hand-written client: one
// imageInference task per call, delivered synchronously as a URL, and the
// image downloaded and checked inside the same call.
package runware

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // image formats DecodeConfig recognises
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/secret"
)

// DefaultMaxImageBytes is Options.MaxImageBytes when it is not set.
const DefaultMaxImageBytes = 20 << 20

// NegativePrompt is sent with every task.
const NegativePrompt = "blurry, deformed, disfigured, bad anatomy, text, letters, watermark, signature"

// Limits of the imageInference task that the client checks before calling.
const (
	MinPromptChars = 2
	MaxPromptChars = 3000
	MinSide        = 128
	MaxSide        = 2048
	SideMultiple   = 64
)

const (
	providerName = "runware"
	// maxAnswerBytes caps the JSON answer: with URL output it is tiny.
	maxAnswerBytes = 4 << 20
	// defaultTimeout bounds a call when Options.HTTP is nil; the activity's
	// context usually ends it sooner.
	defaultTimeout = 3 * time.Minute
)

// taskNamespace is the UUID namespace of the task UUIDs Generia derives.
var taskNamespace = uuid.MustParse("5b0e9a3c-7d41-4f2a-9c86-1e3f0b7d2a64")

// Options configures a Client.
type Options struct {
	// APIKey is the Runware API key; required.
	APIKey string
	// BaseURL is the REST endpoint, such as https://api.runware.ai/v1, and
	// Model the AIR id of the model; both are required (their defaults are
	// settings, in config).
	BaseURL string
	Model   string
	// HTTP sends the requests; a client with a 3-minute timeout when nil.
	HTTP *http.Client
	// MaxImageBytes caps the downloaded image; DefaultMaxImageBytes when
	// zero or negative.
	MaxImageBytes int64
}

// Client calls Runware. It implements generia.ImageGenerator and is safe
// for concurrent use.
type Client struct {
	key      string
	endpoint string
	model    string
	http     *http.Client
	maxBytes int64
	// scrub takes the key and any credentials out of every error.
	scrub *secret.Scrubber
}

// New returns a Client. It fails when o.APIKey or o.Model is empty or
// o.BaseURL is not an absolute http or https URL.
func New(o Options) (*Client, error) {
	if strings.TrimSpace(o.APIKey) == "" {
		return nil, errors.New("runware: an API key is required")
	}
	u, err := url.Parse(o.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("runware: base URL %q is not an absolute http(s) URL", o.BaseURL)
	}
	if o.Model == "" {
		return nil, errors.New("runware: a model is required")
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: defaultTimeout}
	}
	if o.MaxImageBytes <= 0 {
		o.MaxImageBytes = DefaultMaxImageBytes
	}
	return &Client{key: o.APIKey, endpoint: u.String(), model: o.Model, http: o.HTTP, maxBytes: o.MaxImageBytes, scrub: secret.New(o.APIKey)}, nil
}

// Name returns "runware".
func (*Client) Name() string { return providerName }

// TaskUUID returns the taskUUID sent for an image of a world. It is derived
// from worldID and key, not random, so that a retried activity sends the
// same taskUUID again and Runware's logs and dashboard tie all attempts at
// one image together. It is a name-based (SHA-1) UUID re-stamped as version
// 4, because Runware accepts only v4-shaped task UUIDs.
func TaskUUID(worldID, key string) string {
	u := uuid.NewSHA1(taskNamespace, []byte(worldID+"\x00"+key))
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 4122 variant
	return u.String()
}

// task is an imageInference task; the field order is the wire order.
type task struct {
	TaskType       string `json:"taskType"`
	TaskUUID       string `json:"taskUUID"`
	Model          string `json:"model"`
	PositivePrompt string `json:"positivePrompt"`
	NegativePrompt string `json:"negativePrompt"`
	Width          int    `json:"width"`
	Height         int    `json:"height"`
	NumberResults  int    `json:"numberResults"`
	OutputType     string `json:"outputType"`
	OutputFormat   string `json:"outputFormat"`
	IncludeCost    bool   `json:"includeCost"`
	DeliveryMethod string `json:"deliveryMethod"`
	Safety         safety `json:"safety"`
}

// safety is a task's content checks. Only checkContent is sent: Runware's
// documentation and its SDK disagree on the name of the check of the
// request before generation (blockContent or checkInputs).
type safety struct {
	// CheckContent checks the generated image; the result says
	// NSFWContent.
	CheckContent bool `json:"checkContent"`
}

// apiError is an entry of Runware's "errors" array (or its legacy "error").
type apiError struct {
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	Parameter json.RawMessage `json:"parameter"` // a string or an array
	TaskType  string          `json:"taskType"`
	TaskUUID  string          `json:"taskUUID"`
}

// item is an entry of Runware's "data" array.
type item struct {
	TaskType string    `json:"taskType"`
	TaskUUID string    `json:"taskUUID"`
	ImageURL string    `json:"imageURL"`
	Status   string    `json:"status"`
	Cost     *float64  `json:"cost"`
	Error    *apiError `json:"error"`
	// NSFWContent is the verdict of safety.checkContent.
	NSFWContent *bool `json:"NSFWContent"`
}

// answer is the body of a Runware response. A response may hold both data
// and errors (errors are per task); old servers send a top-level "error"
// object or array instead.
type answer struct {
	Data   []item          `json:"data"`
	Errors []apiError      `json:"errors"`
	Error  json.RawMessage `json:"error"`
}

// GenerateImage asks Runware for one image, checked for its content
// (safety.checkContent; the result's Flagged says what Runware found), and
// downloads it. Errors are *generia.ProviderError: KindRefused for content
// Runware or its provider refused (sensitiveContentDetected,
// invalidProviderContent, …; retrying the same prompt cannot help),
// KindInvalid for a request Runware rejects or the client refuses before
// calling (prompt under 2 characters, a side not a multiple of 64 in
// 128–2048), KindUnauthorized for a bad key, KindLimit when the account is
// out of credits, KindUnavailable for everything that retrying may fix
// (rate limits, 5xx, timeouts, a missing result, an image that cannot be
// downloaded, is too big or is not an image), with RetryAfter set when
// Runware says when to retry.
func (c *Client) GenerateImage(ctx context.Context, req generia.ImageRequest) (generia.ImageResult, error) {
	res, err := c.generate(ctx, req)
	// Every error leaves through the one scrubber: an answer may echo the
	// key in any status's message, and a transport error quotes its URL.
	return res, c.scrub.ProviderError(err)
}

func (c *Client) generate(ctx context.Context, req generia.ImageRequest) (generia.ImageResult, error) {
	prompt, err := preparePrompt(req.Prompt)
	if err != nil {
		return generia.ImageResult{}, err
	}
	for _, side := range []struct {
		name string
		v    int
	}{{"width", req.Width}, {"height", req.Height}} {
		if side.v < MinSide || side.v > MaxSide || side.v%SideMultiple != 0 {
			return generia.ImageResult{}, c.fail(generia.KindInvalid, 0, "", fmt.Sprintf("image %s %d is not a multiple of %d between %d and %d", side.name, side.v, SideMultiple, MinSide, MaxSide), nil)
		}
	}
	t := task{
		TaskType:       "imageInference",
		TaskUUID:       TaskUUID(req.WorldID, req.Key),
		Model:          c.model,
		PositivePrompt: prompt,
		NegativePrompt: NegativePrompt,
		Width:          req.Width,
		Height:         req.Height,
		NumberResults:  1,
		OutputType:     "URL",
		OutputFormat:   "PNG",
		IncludeCost:    true,
		DeliveryMethod: "sync",
		Safety:         safety{CheckContent: true},
	}
	it, err := c.infer(ctx, t)
	if err != nil {
		return generia.ImageResult{}, err
	}
	data, format, w, h, err := c.download(ctx, it.ImageURL)
	if err != nil {
		return generia.ImageResult{}, err
	}
	res := generia.ImageResult{Data: data, ContentType: "image/" + format, Width: w, Height: h, Model: c.model, Flagged: verdict(it, t.Safety)}
	if it.Cost != nil {
		res.CostUSD = *it.Cost
	}
	return res, nil
}

// verdict is Runware's content check of a generated image as a Verdict: an
// image it found NSFW is flagged sexual; one it checked and did not flag
// passed (Runware leaves NSFWContent out then, or says false). Without the
// check there is no verdict.
func verdict(it item, s safety) *generia.Verdict {
	if !s.CheckContent {
		return nil
	}
	v := &generia.Verdict{Checker: providerName}
	if it.NSFWContent != nil && *it.NSFWContent {
		v.Flagged, v.Terms = []generia.Category{generia.CategorySexual}, []string{"NSFWContent"}
	}
	return v
}

// preparePrompt trims a prompt and fits it into Runware's 2–3000
// characters, cutting a long prompt at a word boundary.
func preparePrompt(p string) (string, error) {
	p = strings.TrimSpace(p)
	if utf8.RuneCountInString(p) < MinPromptChars {
		return "", &generia.ProviderError{Provider: providerName, Kind: generia.KindInvalid, Message: fmt.Sprintf("the image prompt is shorter than %d characters", MinPromptChars)}
	}
	r := []rune(p)
	if len(r) <= MaxPromptChars {
		return p, nil
	}
	// Cut at the last space within the limit (the character just past it
	// counts: a space there means no word is split), unless that throws
	// away most of the prompt (one giant "word").
	cut := MaxPromptChars
	if i := lastSpace(r[:MaxPromptChars+1]); i >= MaxPromptChars/2 {
		cut = i
	}
	return strings.TrimRightFunc(string(r[:cut]), unicode.IsSpace), nil
}

func lastSpace(r []rune) int {
	for i := len(r) - 1; i >= 0; i-- {
		if unicode.IsSpace(r[i]) {
			return i
		}
	}
	return -1
}

// infer posts the task and returns its data item.
func (c *Client) infer(ctx context.Context, t task) (item, error) {
	body, err := json.Marshal([]task{t})
	if err != nil {
		return item{}, fmt.Errorf("runware: encoding the task: %w", err)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return item{}, fmt.Errorf("runware: building the request: %w", err)
	}
	hreq.Header.Set("Authorization", "Bearer "+c.key)
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(hreq)
	if err != nil {
		return item{}, c.fail(generia.KindUnavailable, 0, "", "calling the API failed: "+transportMessage(err), err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	retryAfter := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
	if err != nil {
		e := c.fail(generia.KindUnavailable, resp.StatusCode, "", "reading the answer failed: "+transportMessage(err), err)
		e.RetryAfter = retryAfter
		return item{}, e
	}
	if len(raw) > maxAnswerBytes {
		return item{}, c.fail(generia.KindUnavailable, resp.StatusCode, "", fmt.Sprintf("the answer is larger than %d bytes", maxAnswerBytes), nil)
	}
	var ans answer
	jsonErr := json.Unmarshal(raw, &ans)
	errs := ans.allErrors()

	if resp.StatusCode != http.StatusOK {
		var first apiError
		if len(errs) > 0 {
			first = errs[0]
			for _, e := range errs {
				if e.TaskUUID == t.TaskUUID {
					first = e
					break
				}
			}
		} else if jsonErr != nil || len(bytes.TrimSpace(raw)) > 0 && len(ans.Data) == 0 {
			first.Message = snippet(raw)
		}
		e := c.classified(resp.StatusCode, first, errs)
		e.RetryAfter = retryAfter
		return item{}, e
	}
	if jsonErr != nil {
		return item{}, c.fail(generia.KindUnavailable, resp.StatusCode, "", "the answer is not valid JSON: "+snippet(raw), jsonErr)
	}
	// An error Runware names this task in wins over a result for it: a
	// result withheld for its content may still come with its data.
	for _, e := range errs {
		if e.TaskUUID == t.TaskUUID {
			pe := c.classified(resp.StatusCode, e, errs)
			pe.RetryAfter = retryAfter
			return item{}, pe
		}
	}
	for _, it := range ans.Data {
		if it.TaskUUID != t.TaskUUID {
			continue
		}
		if it.Error != nil || it.Status == "error" {
			var ae apiError
			if it.Error != nil {
				ae = *it.Error
			}
			e := c.classified(resp.StatusCode, ae, []apiError{ae})
			e.RetryAfter = retryAfter
			return item{}, e
		}
		if it.ImageURL != "" {
			return it, nil
		}
	}
	// No usable item: report an error of no task, else any error, else the
	// missing result.
	for _, e := range errs {
		if e.TaskUUID == "" {
			pe := c.classified(resp.StatusCode, e, errs)
			pe.RetryAfter = retryAfter
			return item{}, pe
		}
	}
	if len(errs) > 0 {
		pe := c.classified(resp.StatusCode, errs[0], errs)
		pe.RetryAfter = retryAfter
		return item{}, pe
	}
	return item{}, c.fail(generia.KindUnavailable, resp.StatusCode, "", "the answer holds no image URL for task "+t.TaskUUID, nil)
}

// allErrors returns the answer's errors, including a legacy "error" object
// or array.
func (a answer) allErrors() []apiError {
	errs := a.Errors
	raw := bytes.TrimSpace(a.Error)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return errs
	}
	var one apiError
	if json.Unmarshal(raw, &one) == nil {
		return append(errs, one)
	}
	var many []apiError
	if json.Unmarshal(raw, &many) == nil {
		return append(errs, many...)
	}
	var msg string
	if json.Unmarshal(raw, &msg) == nil {
		return append(errs, apiError{Message: msg})
	}
	return errs
}

// classified builds the error for an answer with HTTP status and Runware
// error e; all lists every error of the answer for the message.
func (c *Client) classified(status int, e apiError, all []apiError) *generia.ProviderError {
	kind := classify(status, e.Code)
	msg := describe(e)
	if extra := len(all) - 1; extra > 0 {
		msg += fmt.Sprintf(" (and %d more errors)", extra)
	}
	switch kind {
	case generia.KindRefused:
		msg = "Runware refused the content: " + msg
	case generia.KindLimit:
		msg = "the Runware account is out of credits: " + msg
	case generia.KindUnauthorized:
		msg = "the Runware API key was refused: " + msg
	}
	return c.fail(kind, status, e.Code, msg, nil)
}

// refusalCodes are the codes of Runware's refusals of content: its own
// checks and a third-party provider's moderation (the codes the official
// SDK treats as safety errors, and invalidProviderContent).
var refusalCodes = map[string]bool{
	"sensitivecontentdetected": true, "invalidprovidercontent": true, "contentpolicyviolation": true,
	"providercontentpolicyviolation": true, "unsafecontentdetected": true, "nsfwcontentdetected": true,
	"promptblocked": true, "imageblocked": true, "moderationfailed": true,
}

// classify maps an HTTP status and a Runware error code to an error kind.
// A refusal of the content wins over the status, whatever it is; then key
// and credit problems, since Runware reports them with several statuses;
// then statuses that retrying may fix; then request errors. Anything else
// (e.g. inferenceError, timeoutProvider in a 200) is taken as transient.
func classify(status int, code string) generia.Kind {
	lc := strings.ToLower(code)
	switch {
	case refusalCodes[lc]:
		return generia.KindRefused
	case status == http.StatusUnauthorized || status == http.StatusForbidden || lc == "invalidapikey":
		return generia.KindUnauthorized
	case status == http.StatusPaymentRequired || strings.Contains(lc, "credits") || strings.Contains(lc, "balance") || strings.Contains(lc, "quota"):
		return generia.KindLimit
	case status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500:
		return generia.KindUnavailable
	case status >= 400 || strings.HasPrefix(lc, "invalid") || strings.HasPrefix(lc, "missing") || strings.HasPrefix(lc, "unsupported"):
		// Other 4xx (404 from a wrong base URL, 422, …) cannot be fixed by
		// retrying either.
		return generia.KindInvalid
	}
	return generia.KindUnavailable
}

// describe renders a Runware error as "message [code, parameter p]".
func describe(e apiError) string {
	msg := strings.TrimSpace(e.Message)
	if msg == "" {
		msg = "no message"
	}
	var tags []string
	if e.Code != "" {
		tags = append(tags, "code "+e.Code)
	}
	if p := parameter(e.Parameter); p != "" {
		tags = append(tags, "parameter "+p)
	}
	if len(tags) > 0 {
		msg += " [" + strings.Join(tags, ", ") + "]"
	}
	return msg
}

// parameter reads Runware's "parameter", a string or an array of strings.
func parameter(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var ss []string
	if json.Unmarshal(raw, &ss) == nil {
		return strings.Join(ss, ", ")
	}
	return ""
}

// download fetches the image Runware returned and proves it is one. It
// never sends the API key: the URL points at Runware's CDN.
func (c *Client) download(ctx context.Context, rawURL string) (data []byte, format string, w, h int, err error) {
	u, perr := url.Parse(rawURL)
	if perr != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, "", 0, 0, c.fail(generia.KindUnavailable, 0, "", fmt.Sprintf("the answer's imageURL %q is not an http(s) URL", truncate(rawURL, 200)), perr)
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, "", 0, 0, c.fail(generia.KindUnavailable, 0, "", "building the image download failed", err)
	}
	resp, err := c.http.Do(hreq)
	if err != nil {
		return nil, "", 0, 0, c.fail(generia.KindUnavailable, 0, "", "downloading the image failed: "+transportMessage(err), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e := c.fail(generia.KindUnavailable, resp.StatusCode, "", fmt.Sprintf("downloading the image failed with HTTP %d", resp.StatusCode), nil)
		e.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		return nil, "", 0, 0, e
	}
	tooBig := c.fail(generia.KindUnavailable, resp.StatusCode, "", fmt.Sprintf("the image is larger than the limit of %d bytes", c.maxBytes), nil)
	if resp.ContentLength > c.maxBytes {
		return nil, "", 0, 0, tooBig
	}
	data, err = io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return nil, "", 0, 0, c.fail(generia.KindUnavailable, resp.StatusCode, "", "downloading the image failed: "+transportMessage(err), err)
	}
	if int64(len(data)) > c.maxBytes {
		return nil, "", 0, 0, tooBig
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, "", 0, 0, c.fail(generia.KindUnavailable, resp.StatusCode, "", "the downloaded file is not a PNG, JPEG or GIF image", err)
	}
	return data, format, cfg.Width, cfg.Height, nil
}

// fail builds a ProviderError. GenerateImage scrubs it on its way out.
func (c *Client) fail(kind generia.Kind, status int, code, msg string, err error) *generia.ProviderError {
	return &generia.ProviderError{Provider: providerName, Kind: kind, Status: status, Code: code, Message: msg, Err: err}
}

// transportMessage describes a transport error briefly: a timeout, a
// cancelled call or the error itself.
func transportMessage(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	}
	var ne interface{ Timeout() bool }
	if errors.As(err, &ne) && ne.Timeout() {
		return "timed out"
	}
	return err.Error()
}

// parseRetryAfter reads a Retry-After header: delay-seconds or an HTTP
// date. It returns 0 when the header is absent, malformed or in the past.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s <= 0 {
			return 0
		}
		return time.Duration(min(s, int64(24*time.Hour/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// snippet returns the start of a non-JSON answer for an error message.
func snippet(raw []byte) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if s == "" {
		return "empty answer"
	}
	return truncate(s, 200)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
