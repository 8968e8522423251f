package pipeline

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/openrouter"
	"github.com/generia/generia/internal/runware"
)

// Keys shaped like the providers' own. The Runware one has no prefix a
// pattern could know it by: only the configured value finds it.
const (
	openRouterKey = "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"
	runwareKey    = "Qw7ZpL3xR9mK2vT8nB5cY1hJ6dF4gS0a"
)

// echoStatuses are the statuses a provider client can see.
var echoStatuses = []int{200, 400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 504}

// echoCall is one provider whose fake echoes the key: call makes the
// client's call with the key against a fake answering with echo.
type echoCall struct {
	provider, key string
	call          func(t *testing.T, echo fakeprovider.KeyEcho) error
}

func echoCalls() []echoCall {
	return []echoCall{
		{"openrouter", openRouterKey, func(t *testing.T, echo fakeprovider.KeyEcho) error {
			srv := httptest.NewServer(fakeprovider.NewOpenRouter(fakeprovider.OpenRouterOptions{Echo: &echo}))
			t.Cleanup(srv.Close)
			return callOpenRouter(t, srv.URL+"/api/v1")
		}},
		{"runware", runwareKey, func(t *testing.T, echo fakeprovider.KeyEcho) error {
			srv := httptest.NewServer(fakeprovider.NewRunware(fakeprovider.RunwareOptions{Echo: &echo}))
			t.Cleanup(srv.Close)
			return callRunware(t, srv.URL+"/v1")
		}},
	}
}

func callOpenRouter(t *testing.T, baseURL string) error {
	t.Helper()
	c, err := openrouter.New(openrouter.Options{APIKey: openRouterKey, BaseURL: baseURL, Model: "openai/gpt-4o-mini", OpenRouter: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	req, err := content.WorldStep.Request("w1", "world", content.WorldInput{Prompt: "a harbour town of fishers"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GenerateJSON(context.Background(), req)
	return err
}

func callRunware(t *testing.T, baseURL string) error {
	t.Helper()
	c, err := runware.New(runware.Options{APIKey: runwareKey, BaseURL: baseURL, Model: "runware:100@1", HTTP: &http.Client{Timeout: 5 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GenerateImage(context.Background(), generia.ImageRequest{WorldID: "w1", Key: "world/header", Kind: generia.MediaPostImage,
		Prompt: "A harbour at dawn, boats and gulls", Width: 512, Height: 512})
	return err
}

// TestNoProviderErrorCarriesTheKey makes each provider's fake answer every
// status a client can see with the key echoed in each form a server or a
// gateway quotes it, as JSON and as a web page, and follows the error
// through the real client to everything that keeps it: the error's text
// and chain (the provider-call ledger stores it), the activity error and
// its Temporal failure (the workflow's history), the status record's
// owner detail and public reason, and a log line.
func TestNoProviderErrorCarriesTheKey(t *testing.T) {
	for _, p := range echoCalls() {
		for _, status := range echoStatuses {
			for _, form := range fakeprovider.EchoForms {
				for _, page := range []bool{false, true} {
					if page && status == http.StatusOK {
						continue
					}
					name := fmt.Sprintf("%s/%d/%s", p.provider, status, form)
					if page {
						name += "/html"
					}
					t.Run(name, func(t *testing.T) {
						err := p.call(t, fakeprovider.KeyEcho{Status: status, Form: form, HTML: page})
						if err == nil {
							t.Fatal("the call succeeded; want the provider's error")
						}
						assertNoKey(t, p.provider, p.key, err)
						if status == http.StatusPaymentRequired {
							act := providerError(p.provider, err)
							if errorType(act) != errOutOfCredits {
								t.Errorf("a 402 is %q, want %q: out of credits stops the world", errorType(act), errOutOfCredits)
							}
						}
					})
				}
			}
		}
	}
}

// TestNoTransportErrorCarriesTheKey sends the clients to a base URL that
// holds the key (as some gateways take it) on a server that hangs up: the
// transport's error quotes the URL.
func TestNoTransportErrorCarriesTheKey(t *testing.T) {
	hangUp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer hangUp.Close()
	for _, p := range []struct {
		provider, key string
		call          func(*testing.T, string) error
	}{{"openrouter", openRouterKey, callOpenRouter}, {"runware", runwareKey, callRunware}} {
		t.Run(p.provider, func(t *testing.T) {
			for _, base := range []string{hangUp.URL + "/k/" + p.key + "/v1", hangUp.URL + "/v1?key=" + p.key, hangUp.URL + "/v1?token=" + strings.ToUpper(p.key)} {
				err := p.call(t, base)
				if err == nil {
					t.Fatalf("%s: the call succeeded; want a transport error", base)
				}
				assertNoKey(t, p.provider, p.key, err)
			}
		})
	}
}

// assertNoKey follows a client's error to every text the pipeline makes of
// it and fails where one holds the key in any form.
func assertNoKey(t *testing.T, provider, key string, err error) {
	t.Helper()
	texts := map[string]string{"error": err.Error(), "error %+v": fmt.Sprintf("%+v", err)}
	for i, e := 0, errors.Unwrap(err); e != nil; i, e = i+1, errors.Unwrap(e) {
		texts[fmt.Sprintf("cause %d", i)] = e.Error()
	}
	act := providerError(provider, err)
	texts["activity error"] = act.Error()
	fc := temporal.GetDefaultFailureConverter()
	failure := fc.ErrorToFailure(act)
	history, mErr := protojson.Marshal(failure)
	if mErr != nil {
		t.Fatal(mErr)
	}
	texts["history"] = string(history)
	inWorkflow := fc.FailureToError(failure)
	texts["status record error"] = "world description: " + errorMessage(inWorkflow)
	texts["status record public error"] = "world description: " + publicReason(inWorkflow)
	var log bytes.Buffer
	slog.New(slog.NewJSONHandler(&log, nil)).Error("generation step failed", "error", err, "activity", act)
	texts["log"] = log.String()
	for where, text := range texts {
		if form := leaked(text, key); form != "" {
			t.Errorf("the key is in the %s (%s): %s", where, form, text)
		}
	}
}

var base64Run = regexp.MustCompile(`[A-Za-z0-9+/_-]{12,}`)

// leaked says in which form text holds key: as is, in any case, with
// whitespace between its characters, or inside base64 at any alignment;
// "" when it does not.
func leaked(text, key string) string {
	lower, k := strings.ToLower(text), strings.ToLower(key)
	switch {
	case strings.Contains(text, key):
		return "plain"
	case strings.Contains(lower, k):
		return "another case"
	case strings.Contains(strings.Join(strings.Fields(lower), ""), k):
		return "spaced"
	}
	for _, run := range base64Run.FindAllString(text, -1) {
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			for skip := range 4 {
				s := strings.TrimRight(run[skip:], "=")
				if len(s)%4 == 1 {
					s = s[:len(s)-1] // a lone character decodes to no byte
				}
				if dec, err := enc.DecodeString(s); err == nil && strings.Contains(strings.ToLower(string(dec)), k) {
					return "base64"
				}
			}
		}
	}
	return ""
}
