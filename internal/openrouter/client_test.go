package openrouter_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/generia/generia/internal/content"
	"github.com/generia/generia/internal/fakeprovider"
	"github.com/generia/generia/internal/generia"
	"github.com/generia/generia/internal/openrouter"
)

// model is the model the tests ask for, the one the golden bodies name.
const model = "google/gemini-2.5-flash-lite"

func setup(t *testing.T, o fakeprovider.OpenRouterOptions, key string) (*fakeprovider.OpenRouter, *openrouter.Client, generia.TextRequest) {
	t.Helper()
	fake := fakeprovider.NewOpenRouter(o)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	c, err := openrouter.New(openrouter.Options{APIKey: key, BaseURL: srv.URL + "/api/v1", Model: model, OpenRouter: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	req, err := content.PostStep.Request("w1", "character/0/post/0/detail", content.PostInput{World: world, Character: character,
		Concept: content.PostConcept{Topic: "nets"}, Number: 0, Total: 1})
	if err != nil {
		t.Fatal(err)
	}
	return fake, c, req
}

func TestAnswerIsDecodedWithUsageAndCost(t *testing.T) {
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	res, err := c.GenerateJSON(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.PostStep.Decode(res.JSON); err != nil {
		t.Errorf("answer does not decode: %v", err)
	}
	if res.TokensIn == 0 || res.TokensOut == 0 || res.CostUSD <= 0 || res.Model != model || res.FinishReason != "stop" {
		t.Errorf("result %+v lacks usage, cost or model", res)
	}
}

func TestErrorsAreClassified(t *testing.T) {
	cases := []struct {
		fault      fakeprovider.Fault
		kind       generia.Kind
		status     int
		retryAfter time.Duration
		msg        string
	}{
		{fakeprovider.Fault429, generia.KindUnavailable, 429, time.Second, "Rate limit"},
		{fakeprovider.Fault500, generia.KindUnavailable, 500, 0, ""},
		{fakeprovider.Fault502, generia.KindUnavailable, 502, 0, ""},
		{fakeprovider.Fault503, generia.KindUnavailable, 503, 0, ""},
		{fakeprovider.Fault402, generia.KindLimit, 402, 0, "out of credits"},
		{fakeprovider.FaultErrorIn200, generia.KindUnavailable, 200, 0, "inside a 200"},
		{fakeprovider.FaultErrorIn200, generia.KindUnavailable, 200, 0, "inside a 200"}, // the other form
	}
	faults := fakeprovider.NewFaults(1)
	for _, tc := range cases {
		faults.Script(tc.fault)
	}
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k", Faults: faults}, "k")
	for _, tc := range cases {
		t.Run(string(tc.fault), func(t *testing.T) {
			_, err := c.GenerateJSON(context.Background(), req)
			var pe *generia.ProviderError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a ProviderError", err)
			}
			if pe.Kind != tc.kind || pe.Status != tc.status || pe.RetryAfter != tc.retryAfter || !strings.Contains(pe.Error(), tc.msg) {
				t.Errorf("got kind %s status %d retry-after %v %q; want %s %d %v containing %q",
					pe.Kind, pe.Status, pe.RetryAfter, pe.Error(), tc.kind, tc.status, tc.retryAfter, tc.msg)
			}
		})
	}
}

func TestBadAnswersAreReturnedForValidation(t *testing.T) {
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k",
		Faults: fakeprovider.NewFaults(1).Script(fakeprovider.FaultTruncated, fakeprovider.FaultInvalidJSON)}, "k")
	res, err := c.GenerateJSON(context.Background(), req)
	if err != nil || res.FinishReason != "length" {
		t.Errorf("truncated answer: finish %q, err %v; want the answer with finish reason length", res.FinishReason, err)
	}
	res, err = c.GenerateJSON(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := content.PostStep.Decode(res.JSON); !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("a prose answer decoded: %v", err)
	}
}

// Empty answers and refusals are answers too (paid for): the client returns
// them for the caller to judge and ask again, not as errors.
func TestEmptyAnswersAndRefusalsAreReturned(t *testing.T) {
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k",
		Faults: fakeprovider.NewFaults(1).Script(fakeprovider.FaultEmpty, fakeprovider.FaultRefusal)}, "k")
	res, err := c.GenerateJSON(context.Background(), req)
	if err != nil || len(res.JSON) != 0 || res.Refusal != "" || res.CostUSD <= 0 {
		t.Errorf("empty answer: %+v, %v; want it returned, paid, without error", res, err)
	}
	res, err = c.GenerateJSON(context.Background(), req)
	if err != nil || len(res.JSON) != 0 || !strings.Contains(res.Refusal, "can't help") {
		t.Errorf("refusal: %+v, %v; want it returned with its reason", res, err)
	}
}

// A request for a fallback model names that model and not OpenRouter's own
// fallback list.
func TestRequestForAFallbackModel(t *testing.T) {
	fake := fakeprovider.NewOpenRouter(fakeprovider.OpenRouterOptions{APIKey: "k"})
	srv := httptest.NewServer(fake)
	defer srv.Close()
	c, err := openrouter.New(openrouter.Options{APIKey: "k", BaseURL: srv.URL + "/api/v1", Model: model, OpenRouter: true, Fallbacks: []string{"b/model", "c/model"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.FallbackModels(); len(got) != 2 || got[0] != "b/model" {
		t.Errorf("FallbackModels = %v", got)
	}
	_, _, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	req.Model = "c/model"
	res, err := c.GenerateJSON(context.Background(), req)
	if err != nil || res.Model != "c/model" {
		t.Fatalf("answer from %q, %v; want c/model", res.Model, err)
	}
	body := string(fake.Requests()[0].Body)
	if !strings.Contains(body, `"model":"c/model"`) || strings.Contains(body, `"models"`) {
		t.Errorf("request body %s; want model c/model and no fallback list", body)
	}
}

func TestKeysAndAuth(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-from-the-environment")
	t.Setenv("OPENAI_ORG_ID", "org-from-the-environment")
	fake, c, req := setup(t, fakeprovider.OpenRouterOptions{}, "") // a local server that needs no key
	if _, err := c.GenerateJSON(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	h := fake.Requests()[0].Header
	if h.Get("Authorization") != "" || h.Get("OpenAI-Organization") != "" {
		t.Errorf("sent Authorization %q, organization %q; want neither without a key", h.Get("Authorization"), h.Get("OpenAI-Organization"))
	}

	_, c, req = setup(t, fakeprovider.OpenRouterOptions{APIKey: "right"}, "wrong")
	_, err := c.GenerateJSON(context.Background(), req)
	if !generia.IsKind(err, generia.KindUnauthorized) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("bad key: %v; want unauthorized, without the key in the message", err)
	}
}

func TestInvalidRequestIsNotRetryable(t *testing.T) {
	_, c, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	req.SchemaName = "not a valid name!"
	_, err := c.GenerateJSON(context.Background(), req)
	if !generia.IsKind(err, generia.KindInvalid) {
		t.Errorf("err = %v, want KindInvalid", err)
	}
}

func TestNoAnswerIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hj, _ := w.(http.Hijacker)
		conn, _, _ := hj.Hijack()
		conn.Close() // the connection drops
	}))
	defer srv.Close()
	c, err := openrouter.New(openrouter.Options{APIKey: "k", BaseURL: srv.URL, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GenerateJSON(context.Background(), generia.TextRequest{Prompt: "x", SchemaName: "x", Schema: map[string]any{"type": "object"}})
	if !generia.IsKind(err, generia.KindUnavailable) {
		t.Errorf("err = %v, want KindUnavailable", err)
	}
}

// An unreachable server's error names it without the credentials in its
// URL, and a refused key is never quoted back.
func TestErrorsHoldNoSecret(t *testing.T) {
	c, err := openrouter.New(openrouter.Options{APIKey: "sk-live-0123456789abcdef", BaseURL: "http://admin:hunter2pass@127.0.0.1:1/v1", Model: model, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	_, _, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "k"}, "k")
	_, err = c.GenerateJSON(context.Background(), req)
	var pe *generia.ProviderError
	if !errors.As(err, &pe) || pe.Kind != generia.KindUnavailable {
		t.Fatalf("err = %v, want an unavailable ProviderError", err)
	}
	for e := error(pe); e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "hunter2pass") {
			t.Errorf("the error chain holds the URL's password: %q", e.Error())
		}
	}
	fake, c2, req := setup(t, fakeprovider.OpenRouterOptions{APIKey: "the-right-key", EchoKey: true}, "sk-or-v1-wrong-0123456789")
	_, err = c2.GenerateJSON(context.Background(), req)
	if !generia.IsKind(err, generia.KindUnauthorized) {
		t.Fatalf("err = %v, want unauthorized", err)
	}
	if len(fake.Requests()) != 1 || !strings.Contains(string(fake.Requests()[0].Body), "messages") {
		t.Fatal("the fake was not asked")
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if strings.Contains(e.Error(), "wrong-0123456789") {
			t.Errorf("the error chain quotes the refused key: %q", e.Error())
		}
	}
}

func TestNewNeedsAModelAndAnHTTPBaseURL(t *testing.T) {
	for _, o := range []openrouter.Options{
		{APIKey: "k", BaseURL: "https://openrouter.ai/api/v1"},
		{APIKey: "k", Model: model},
		{APIKey: "k", BaseURL: "ftp://openrouter.ai/api/v1", Model: model},
	} {
		if _, err := openrouter.New(o); err == nil {
			t.Errorf("New(%+v) made a client", o)
		}
	}
}
